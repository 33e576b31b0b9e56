//! Uptime from a component's status history: time spent in each kind of trouble, and the
//! per-day bars the page shows, as Statuspage weighs outages.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, civil::Date};

use super::ComponentStatus;

/// One change of a component's status.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatusChange {
    pub at: Timestamp,
    pub status: ComponentStatus,
}

/// One day of a component's uptime bar.
#[derive(Clone, Debug, PartialEq)]
pub struct UptimeDay {
    pub date: Date,
    /// Share of the observed time that was up, 0.0 to 1.0; `None` when the component did not
    /// exist yet or the day has not begun.
    pub uptime: Option<f64>,
    /// The worst status the component had that day.
    pub worst: ComponentStatus,
    /// Minutes in a major or partial outage.
    pub outage_minutes: i64,
}

/// The formula the page prints beside its uptime figures.
pub const UPTIME_FORMULA: &str = "uptime = 1 − (major outage time + 0.3 × partial outage time) ÷ observed time; degraded performance and maintenance count as up";

/// Uptime per day for the `days` days ending with `now`'s day in `tz`, from the component's
/// status changes in time order. The component is observed from `since` (its creation).
pub fn uptime_days(
    changes: &[StatusChange],
    since: Timestamp,
    now: Timestamp,
    tz: &TimeZone,
    days: usize,
) -> Vec<UptimeDay> {
    let today = now.to_zoned(tz.clone()).date();
    let mut out = Vec::with_capacity(days);
    for back in (0..days).rev() {
        let date = today
            .checked_sub(jiff::Span::new().days(back as i64))
            .unwrap_or(today);
        let start = day_start(date, tz);
        let end = date
            .tomorrow()
            .map(|d| day_start(d, tz))
            .unwrap_or(start)
            .min(now);
        let from = start.max(since);
        if from >= end {
            out.push(UptimeDay {
                date,
                uptime: None,
                worst: ComponentStatus::Operational,
                outage_minutes: 0,
            });
            continue;
        }
        let tally = tally(changes, from, end);
        out.push(UptimeDay {
            date,
            uptime: Some(tally.uptime()),
            worst: tally.worst,
            outage_minutes: (tally.major + tally.partial).as_mins(),
        });
    }
    out
}

/// Time spent in each kind of trouble within an interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tally {
    pub observed: SignedDuration,
    pub major: SignedDuration,
    pub partial: SignedDuration,
    pub worst: ComponentStatus,
}

impl Tally {
    pub fn uptime(&self) -> f64 {
        if self.observed.is_zero() {
            return 1.0;
        }
        let down = self.major.as_secs_f64()
            + ComponentStatus::PartialOutage.downtime_weight() * self.partial.as_secs_f64();
        (1.0 - down / self.observed.as_secs_f64()).clamp(0.0, 1.0)
    }
}

/// What the status history says about `[from, to)`. Before the first change the component
/// was operational.
pub fn tally(changes: &[StatusChange], from: Timestamp, to: Timestamp) -> Tally {
    let mut t = Tally {
        observed: to.duration_since(from).max(SignedDuration::ZERO),
        major: SignedDuration::ZERO,
        partial: SignedDuration::ZERO,
        worst: ComponentStatus::Operational,
    };
    let mut current = ComponentStatus::Operational;
    let mut cursor = from;
    let add = |status: ComponentStatus, a: Timestamp, b: Timestamp, t: &mut Tally| {
        if b <= a {
            return;
        }
        let d = b.duration_since(a);
        match status {
            ComponentStatus::MajorOutage => t.major += d,
            ComponentStatus::PartialOutage => t.partial += d,
            _ => {}
        }
        if status.severity() > t.worst.severity() {
            t.worst = status;
        }
    };
    for c in changes {
        if c.at <= from {
            current = c.status;
            continue;
        }
        if c.at >= to {
            break;
        }
        add(current, cursor, c.at, &mut t);
        cursor = c.at;
        current = c.status;
    }
    add(current, cursor, to, &mut t);
    t
}

fn day_start(date: Date, tz: &TimeZone) -> Timestamp {
    date.to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn tally_weighs_major_fully_and_partial_at_thirty_percent() {
        let changes = [
            StatusChange {
                at: t("2026-11-01T10:00:00Z"),
                status: ComponentStatus::MajorOutage,
            },
            StatusChange {
                at: t("2026-11-01T11:00:00Z"),
                status: ComponentStatus::PartialOutage,
            },
            StatusChange {
                at: t("2026-11-01T13:00:00Z"),
                status: ComponentStatus::DegradedPerformance,
            },
            StatusChange {
                at: t("2026-11-01T14:00:00Z"),
                status: ComponentStatus::Operational,
            },
        ];
        let day = tally(
            &changes,
            t("2026-11-01T00:00:00Z"),
            t("2026-11-02T00:00:00Z"),
        );
        assert_eq!(day.major, SignedDuration::from_hours(1));
        assert_eq!(day.partial, SignedDuration::from_hours(2));
        assert_eq!(day.worst, ComponentStatus::MajorOutage);
        let expected = 1.0 - (3600.0 + 0.3 * 7200.0) / 86400.0;
        assert!((day.uptime() - expected).abs() < 1e-12);
        // A window that starts inside the outage counts from its start.
        let part = tally(
            &changes,
            t("2026-11-01T10:30:00Z"),
            t("2026-11-01T11:00:00Z"),
        );
        assert_eq!(part.major, SignedDuration::from_mins(30));
        assert_eq!(part.uptime(), 0.0);
        // After the last change the component is operational.
        let later = tally(
            &changes,
            t("2026-11-02T00:00:00Z"),
            t("2026-11-03T00:00:00Z"),
        );
        assert_eq!(later.uptime(), 1.0);
        assert_eq!(later.worst, ComponentStatus::Operational);
    }

    #[test]
    fn uptime_days_follow_the_page_time_zone_and_the_component_age() {
        let tz = TimeZone::get("Europe/Stockholm").unwrap();
        // An outage from 23:30 to 00:30 Stockholm time (CET, UTC+1) spans two local days.
        let changes = [
            StatusChange {
                at: t("2026-11-20T22:30:00Z"),
                status: ComponentStatus::MajorOutage,
            },
            StatusChange {
                at: t("2026-11-20T23:30:00Z"),
                status: ComponentStatus::Operational,
            },
        ];
        let days = uptime_days(
            &changes,
            t("2026-11-19T12:00:00Z"),
            t("2026-11-22T12:00:00Z"),
            &tz,
            5,
        );
        assert_eq!(days.len(), 5);
        assert_eq!(days[4].date.to_string(), "2026-11-22");
        assert_eq!(days[0].uptime, None, "before the component existed");
        assert!(days[1].uptime.unwrap() > 0.99, "created at noon, up since");
        assert_eq!(days[2].outage_minutes, 30);
        assert_eq!(days[3].outage_minutes, 30);
        assert_eq!(days[3].worst, ComponentStatus::MajorOutage);
        assert_eq!(days[4].uptime, Some(1.0));
    }
}
