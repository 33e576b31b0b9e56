//! Business calendars: when the support clock runs. Weekly opening hours in an IANA time zone,
//! national public holidays (Sweden, Norway) computed for any year, extra closed days, or
//! always open (24/7). Arithmetic is done in local time with jiff, so DST changes are exact: an
//! 08:00–17:00 day is nine business hours on the day the clocks change, too.
//!
//! **Architecture Invariant:** pure functions of their arguments; "now" is always a parameter.

use std::collections::BTreeSet;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = ((h + l - 7 * m + 114) % 31) + 1;
    Date::new(year, month as i8, day as i8).unwrap_or(Date::constant(2000, 4, 23))
}

/// A country whose public holidays Varde knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HolidayRules {
    Sweden,
    Norway,
}

fn offset(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

/// Whether `d` is a public holiday. A year's holidays are worked out once per thread and
/// kept (clocks ask for the same few years over and over).
fn is_holiday(rules: HolidayRules, d: Date) -> bool {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static YEARS: RefCell<HashMap<(HolidayRules, i16), Vec<Date>>> = RefCell::new(HashMap::new());
    }
    YEARS.with(|years| {
        years
            .borrow_mut()
            .entry((rules, d.year()))
            .or_insert_with(|| {
                holidays(rules, d.year())
                    .into_iter()
                    .map(|(h, _)| h)
                    .collect()
            })
            .contains(&d)
    })
}

/// The first `weekday` on or after `from`.
fn weekday_on_or_after(from: Date, weekday: Weekday) -> Date {
    let mut d = from;
    while d.weekday() != weekday {
        d = offset(d, 1);
    }
    d
}

/// The public holidays (and, for Sweden, the customary closed eves) of a year, with names.
pub fn holidays(rules: HolidayRules, year: i16) -> Vec<(Date, &'static str)> {
    let e = easter(year);
    let d = |m: i8, day: i8| Date::new(year, m, day).unwrap_or(e);
    let mut v = match rules {
        HolidayRules::Sweden => vec![
            (d(1, 1), "Nyårsdagen"),
            (d(1, 6), "Trettondedag jul"),
            (offset(e, -2), "Långfredagen"),
            (e, "Påskdagen"),
            (offset(e, 1), "Annandag påsk"),
            (d(5, 1), "Första maj"),
            (offset(e, 39), "Kristi himmelsfärdsdag"),
            (offset(e, 49), "Pingstdagen"),
            (d(6, 6), "Sveriges nationaldag"),
            (
                weekday_on_or_after(d(6, 19), Weekday::Friday),
                "Midsommarafton",
            ),
            (
                weekday_on_or_after(d(6, 20), Weekday::Saturday),
                "Midsommardagen",
            ),
            (
                weekday_on_or_after(d(10, 31), Weekday::Saturday),
                "Alla helgons dag",
            ),
            (d(12, 24), "Julafton"),
            (d(12, 25), "Juldagen"),
            (d(12, 26), "Annandag jul"),
            (d(12, 31), "Nyårsafton"),
        ],
        HolidayRules::Norway => vec![
            (d(1, 1), "Første nyttårsdag"),
            (offset(e, -3), "Skjærtorsdag"),
            (offset(e, -2), "Langfredag"),
            (e, "Første påskedag"),
            (offset(e, 1), "Andre påskedag"),
            (d(5, 1), "Arbeidernes dag"),
            (d(5, 17), "Grunnlovsdag"),
            (offset(e, 39), "Kristi himmelfartsdag"),
            (offset(e, 49), "Første pinsedag"),
            (offset(e, 50), "Andre pinsedag"),
            (d(12, 25), "Første juledag"),
            (d(12, 26), "Andre juledag"),
        ],
    };
    v.sort();
    v
}

/// The calendars a policy can name.
pub const NAMES: [&str; 3] = ["24/7", "Stockholm office hours", "Oslo office hours"];

/// A calendar by its name: round the clock, or office hours in Stockholm (weekdays 08–17,
/// Swedish holidays) or Oslo (weekdays 08–16, Norwegian holidays).
pub fn named(name: &str) -> Option<Calendar> {
    let tz = |n: &str| TimeZone::get(n).unwrap_or(TimeZone::UTC);
    match name {
        "24/7" => Some(Calendar::always("24/7")),
        "Stockholm office hours" => Some(Calendar::office_hours(
            name,
            tz("Europe/Stockholm"),
            Time::constant(8, 0, 0, 0),
            Time::constant(17, 0, 0, 0),
            Some(HolidayRules::Sweden),
        )),
        "Oslo office hours" => Some(Calendar::office_hours(
            name,
            tz("Europe/Oslo"),
            Time::constant(8, 0, 0, 0),
            Time::constant(16, 0, 0, 0),
            Some(HolidayRules::Norway),
        )),
        _ => None,
    }
}

/// When the clock runs.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub name: String,
    pub tz: TimeZone,
    /// Opening hours per weekday, Monday first; none means closed that day.
    pub weekly: [Option<(Time, Time)>; 7],
    /// Public holidays applied (for any year).
    pub holidays: Option<HolidayRules>,
    /// Further closed days (company days off, corrections).
    pub closed: BTreeSet<Date>,
    /// 24/7: always open, whatever the rest says.
    pub always_open: bool,
}

impl Calendar {
    /// Round the clock, every day.
    pub fn always(name: &str) -> Calendar {
        Calendar {
            name: name.into(),
            tz: TimeZone::UTC,
            weekly: [None; 7],
            holidays: None,
            closed: BTreeSet::new(),
            always_open: true,
        }
    }

    /// Weekdays `open`–`close` in `tz`, with a country's holidays.
    pub fn office_hours(
        name: &str,
        tz: TimeZone,
        open: Time,
        close: Time,
        holidays: Option<HolidayRules>,
    ) -> Calendar {
        let day = Some((open, close));
        Calendar {
            name: name.into(),
            tz,
            weekly: [day, day, day, day, day, None, None],
            holidays,
            closed: BTreeSet::new(),
            always_open: false,
        }
    }

    /// Whether the whole local day `d` is closed.
    pub fn is_closed_day(&self, d: Date) -> bool {
        if self.closed.contains(&d) {
            return true;
        }
        match self.holidays {
            Some(rules) => is_holiday(rules, d),
            None => false,
        }
    }

    /// The open window of local day `d`, as instants, if the day has one.
    pub fn window(&self, d: Date) -> Option<(Timestamp, Timestamp)> {
        let (open, close) = self.weekly[d.weekday().to_monday_zero_offset() as usize]?;
        if self.is_closed_day(d) {
            return None;
        }
        let start = d
            .to_datetime(open)
            .to_zoned(self.tz.clone())
            .ok()?
            .timestamp();
        let end = d
            .to_datetime(close)
            .to_zoned(self.tz.clone())
            .ok()?
            .timestamp();
        (end > start).then_some((start, end))
    }

    fn local_date(&self, t: Timestamp) -> Date {
        t.to_zoned(self.tz.clone()).date()
    }

    /// Whether the clock runs at instant `t`.
    pub fn is_open(&self, t: Timestamp) -> bool {
        self.always_open
            || self
                .window(self.local_date(t))
                .is_some_and(|(a, b)| a <= t && t < b)
    }

    /// The first instant at or after `t` when the calendar is open (ten years at most).
    pub fn next_open(&self, t: Timestamp) -> Option<Timestamp> {
        if self.is_open(t) {
            return Some(t);
        }
        let mut day = self.local_date(t);
        for _ in 0..3700 {
            if let Some((open, close)) = self.window(day)
                && close > t
            {
                return Some(open.max(t));
            }
            day = offset(day, 1);
        }
        None
    }

    /// The instant `duration` of business time after `start`. A zero duration gives `start`.
    /// Searches at most ten years ahead; a calendar that never opens gives `None`.
    pub fn add(&self, start: Timestamp, duration: SignedDuration) -> Option<Timestamp> {
        if self.always_open || duration <= SignedDuration::ZERO {
            return start.checked_add(duration.max(SignedDuration::ZERO)).ok();
        }
        let mut left = duration;
        let mut day = self.local_date(start);
        for _ in 0..3700 {
            if let Some((open, close)) = self.window(day) {
                let from = open.max(start);
                if from < close {
                    let available = close.duration_since(from);
                    if left <= available {
                        return from.checked_add(left).ok();
                    }
                    left -= available;
                }
            }
            day = offset(day, 1);
        }
        None
    }

    /// Business time between two instants (zero when `to` is not after `from`).
    pub fn between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to <= from {
            return SignedDuration::ZERO;
        }
        if self.always_open {
            return to.duration_since(from);
        }
        let mut total = SignedDuration::ZERO;
        let mut day = self.local_date(from);
        let last = self.local_date(to);
        while day <= last {
            if let Some((open, close)) = self.window(day) {
                let a = open.max(from);
                let b = close.min(to);
                if b > a {
                    total += b.duration_since(a);
                }
            }
            day = offset(day, 1);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use proptest::{prop_assert, prop_assert_eq};

    fn stockholm() -> Calendar {
        Calendar::office_hours(
            "Stockholm office",
            TimeZone::get("Europe/Stockholm").unwrap(),
            time(8, 0, 0, 0),
            time(17, 0, 0, 0),
            Some(HolidayRules::Sweden),
        )
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn easter_for_known_years() {
        for (y, m, d) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2000, 4, 23),
        ] {
            assert_eq!(easter(y), date(y, m, d), "{y}");
        }
    }

    #[test]
    fn swedish_and_norwegian_holidays() {
        let se: Vec<(String, &str)> = holidays(HolidayRules::Sweden, 2026)
            .into_iter()
            .map(|(d, n)| (d.to_string(), n))
            .collect();
        for want in [
            ("2026-04-03", "Långfredagen"),
            ("2026-04-06", "Annandag påsk"),
            ("2026-05-14", "Kristi himmelsfärdsdag"),
            ("2026-06-19", "Midsommarafton"),
            ("2026-10-31", "Alla helgons dag"),
        ] {
            assert!(
                se.contains(&(want.0.to_string(), want.1)),
                "{want:?} in {se:?}"
            );
        }
        let no: Vec<String> = holidays(HolidayRules::Norway, 2026)
            .into_iter()
            .map(|(d, _)| d.to_string())
            .collect();
        for want in ["2026-04-02", "2026-05-17", "2026-05-25"] {
            assert!(no.contains(&want.to_string()), "{want} in {no:?}");
        }
    }

    /// One line per case: start, business minutes to add, expected instant (UTC).
    fn check(cal: &Calendar, start: &str, minutes: i64, expect: &str) {
        let got = cal
            .add(at(start), SignedDuration::from_mins(minutes))
            .unwrap();
        assert_eq!(got, at(expect), "{start} + {minutes} min");
        assert_eq!(
            cal.between(at(start), got),
            SignedDuration::from_mins(minutes),
            "business time from {start} to the due time"
        );
    }

    #[test]
    fn office_hours_in_stockholm() {
        let c = stockholm();
        // Monday 2026-03-02 10:00 CET (09:00Z) + 60 min = 11:00 CET.
        check(&c, "2026-03-02T09:00:00Z", 60, "2026-03-02T10:00:00Z");
        // Friday 16:30 CET + 60 min: 30 min on Friday, 30 on Monday from 08:00.
        check(&c, "2026-03-06T15:30:00Z", 60, "2026-03-09T07:30:00Z");
        // Saturday: the clock starts Monday 08:00 CET.
        check(&c, "2026-03-07T12:00:00Z", 1, "2026-03-09T07:01:00Z");
        // Good Friday and Easter Monday are closed: Thursday 16:00 CEST + 2 h ends Tuesday 09:00 CEST.
        check(&c, "2026-04-02T14:00:00Z", 120, "2026-04-07T07:00:00Z");
    }

    #[test]
    fn daylight_saving_changes_are_exact() {
        let c = stockholm();
        // The clocks go forward on Sunday 2026-03-29; Monday's window is 08:00–17:00 CEST.
        let (open, close) = c.window(date(2026, 3, 30)).unwrap();
        assert_eq!(
            (open, close),
            (at("2026-03-30T06:00:00Z"), at("2026-03-30T15:00:00Z"))
        );
        // Friday 16:00 CET + 2 h ends Monday 09:00 CEST.
        check(&c, "2026-03-27T15:00:00Z", 120, "2026-03-30T07:00:00Z");
        // Round the clock across the change: 24 business hours are 24 real hours.
        let always = Calendar::always("24/7");
        check(
            &always,
            "2026-03-28T12:00:00Z",
            24 * 60,
            "2026-03-29T12:00:00Z",
        );
    }

    #[test]
    fn extra_closed_days() {
        let mut c = stockholm();
        c.closed.insert(date(2026, 3, 3));
        check(&c, "2026-03-02T15:30:00Z", 60, "2026-03-04T07:30:00Z");
    }

    proptest::proptest! {
        /// Adding more business time never gives an earlier instant.
        #[test]
        fn monotone(start in 1_700_000_000i64..1_900_000_000, a in 0i64..20_000, b in 0i64..20_000) {
            let c = stockholm();
            let s = Timestamp::from_second(start).unwrap();
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(c.add(s, SignedDuration::from_mins(lo)).unwrap() <= c.add(s, SignedDuration::from_mins(hi)).unwrap());
        }

        /// A due time is never outside business hours (it may fall exactly on a closing time).
        #[test]
        fn never_due_outside_business_hours(start in 1_700_000_000i64..1_900_000_000, m in 1i64..20_000) {
            let c = stockholm();
            let due = c.add(Timestamp::from_second(start).unwrap(), SignedDuration::from_mins(m)).unwrap();
            let just_before = due - SignedDuration::from_secs(1);
            prop_assert!(c.is_open(due) || c.is_open(just_before), "{due} is outside business hours");
        }

        /// Adding a then b is adding a + b; and `between` measures back what `add` added.
        #[test]
        fn additive_and_measurable(start in 1_700_000_000i64..1_900_000_000, a in 0i64..5_000, b in 0i64..5_000) {
            let c = stockholm();
            let s = Timestamp::from_second(start).unwrap();
            let once = c.add(s, SignedDuration::from_mins(a + b)).unwrap();
            let twice = c.add(c.add(s, SignedDuration::from_mins(a)).unwrap(), SignedDuration::from_mins(b)).unwrap();
            prop_assert_eq!(once, twice);
            prop_assert_eq!(c.between(s, once), SignedDuration::from_mins(a + b));
        }
    }
}
