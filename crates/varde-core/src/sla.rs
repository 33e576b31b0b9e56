//! SLA clocks: a pure function of a ticket's history, a policy (its targets) and a business
//! calendar — so a clock can be replayed for any past ticket, and re-derived when a policy
//! or calendar changes.
//!
//! The rules, in words:
//! - The clock starts when the ticket is created and runs in business time.
//! - It pauses while the ticket waits on the customer (a pause status, `stalled` by default);
//!   paused time is credited: due times move later by exactly the paused business time.
//! - It does not run while the ticket is resolved, rejected or deleted; a reopened ticket
//!   continues from where it stopped (no second escalation for the same time).
//! - First response is met by the first reply from someone who is not a requestor.
//! - Next response runs from each requestor message until the next reply to them.
//! - Resolution is met when the ticket is resolved (and unmet again if it is reopened).
//! - Targets follow the ticket's current priority class.

use jiff::{SignedDuration, Timestamp};

use crate::calendar::Calendar;
use crate::catalogue::SupportTier;
use crate::ticket::history::{Change, Transaction};
use crate::ticket::lifecycle::Status;

/// Priority classes, from RT's numeric priority (0–100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PriorityClass {
    Urgent,
    High,
    Normal,
    Low,
}

impl PriorityClass {
    pub fn of(priority: i64) -> PriorityClass {
        match priority {
            p if p >= 80 => PriorityClass::Urgent,
            p if p >= 50 => PriorityClass::High,
            p if p >= 20 => PriorityClass::Normal,
            _ => PriorityClass::Low,
        }
    }
}

/// The targets for one priority class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    pub first_response: SignedDuration,
    pub next_response: SignedDuration,
    pub resolution: SignedDuration,
}

/// A versioned SLA policy for a support tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub tier: SupportTier,
    pub version: u32,
    /// Urgent, High, Normal, Low.
    pub targets: [Targets; 4],
    /// Statuses in which the clock waits on the customer.
    pub pause_statuses: Vec<Status>,
    /// The business calendar the targets count in (one of `calendar::NAMES`).
    pub calendar: String,
}

impl Policy {
    /// The calendar the targets count in (round the clock if the name is unknown).
    pub fn calendar(&self) -> Calendar {
        crate::calendar::named(&self.calendar).unwrap_or_else(|| Calendar::always("24/7"))
    }
}

impl Policy {
    pub fn targets_for(&self, class: PriorityClass) -> Targets {
        self.targets[class as usize]
    }

    /// Example policies, clearly examples: minutes of business time per class.
    pub fn example(tier: SupportTier) -> Policy {
        let t = |first: i64, next: i64, resolution: i64| Targets {
            first_response: SignedDuration::from_mins(first),
            next_response: SignedDuration::from_mins(next),
            resolution: SignedDuration::from_mins(resolution),
        };
        let targets = match tier {
            SupportTier::Premium => [
                t(30, 60, 240),
                t(60, 120, 480),
                t(120, 240, 1440),
                t(240, 480, 2880),
            ],
            SupportTier::Standard => [
                t(60, 120, 480),
                t(120, 240, 960),
                t(240, 480, 2400),
                t(480, 960, 4800),
            ],
            SupportTier::Base => [
                t(120, 240, 960),
                t(240, 480, 1920),
                t(480, 960, 4800),
                t(960, 1920, 9600),
            ],
        };
        Policy {
            tier,
            version: 1,
            targets,
            pause_statuses: vec![Status::Stalled],
            // Every tier is sold 24/7/365.
            calendar: "24/7".into(),
        }
    }
}

/// The priority classes in the order a policy lists them.
pub const CLASSES: [(PriorityClass, &str); 4] = [
    (PriorityClass::Urgent, "urgent"),
    (PriorityClass::High, "high"),
    (PriorityClass::Normal, "normal"),
    (PriorityClass::Low, "low"),
];

/// The three targets in the order a policy lists them.
pub const TARGETS: [&str; 3] = ["first", "next", "resolution"];

/// A policy as an administrator types it: minutes per class and target (fields named
/// `urgent_first`, `urgent_next`, `urgent_resolution`, `high_first`, …) and the statuses in
/// which the clock waits on the customer, space-separated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyForm {
    pub minutes: std::collections::BTreeMap<String, String>,
    pub pause_statuses: String,
    /// One of `calendar::NAMES`.
    pub calendar: String,
}

impl PolicyForm {
    /// The form showing `p`.
    pub fn of(p: &Policy) -> PolicyForm {
        let mut minutes = std::collections::BTreeMap::new();
        for (class, name) in CLASSES {
            let t = p.targets_for(class);
            for (target, d) in TARGETS
                .iter()
                .zip([t.first_response, t.next_response, t.resolution])
            {
                minutes.insert(format!("{name}_{target}"), d.as_mins().to_string());
            }
        }
        PolicyForm {
            minutes,
            pause_statuses: p
                .pause_statuses
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>()
                .join(" "),
            calendar: p.calendar.clone(),
        }
    }

    /// A new version of the tier's policy (its number is given when it is stored).
    pub fn parse(&self, tier: SupportTier) -> Result<Policy, crate::form::FieldErrors> {
        let mut errors = crate::form::FieldErrors::new();
        let mut targets = [Targets {
            first_response: SignedDuration::ZERO,
            next_response: SignedDuration::ZERO,
            resolution: SignedDuration::ZERO,
        }; 4];
        for (i, (_, name)) in CLASSES.iter().enumerate() {
            let mut got = [SignedDuration::ZERO; 3];
            for (j, target) in TARGETS.iter().enumerate() {
                let field = format!("{name}_{target}");
                let raw = self.minutes.get(&field).map(|s| s.trim()).unwrap_or("");
                match raw.parse::<i64>() {
                    Ok(m) if (1..=525_600).contains(&m) => got[j] = SignedDuration::from_mins(m),
                    _ => errors.add(&field, "minutes, a whole number from 1 to 525600 (a year)"),
                }
            }
            if got[0] > got[2] && !got[2].is_zero() {
                errors.add(
                    &format!("{name}_resolution"),
                    "resolution cannot come before the first response",
                );
            }
            targets[i] = Targets {
                first_response: got[0],
                next_response: got[1],
                resolution: got[2],
            };
        }
        let mut pause_statuses = Vec::new();
        for word in self
            .pause_statuses
            .split([' ', ','])
            .filter(|w| !w.is_empty())
        {
            match Status::parse(word) {
                Ok(s) if s.is_active() => pause_statuses.push(s),
                Ok(s) => errors.add(
                    "pause_statuses",
                    format!("'{s}' already stops the clock; list active statuses only"),
                ),
                Err(e) => errors.add("pause_statuses", e.0),
            }
        }
        let calendar = self.calendar.trim().to_string();
        if !crate::calendar::NAMES.contains(&calendar.as_str()) {
            errors.add(
                "calendar",
                format!("choose one of: {}", crate::calendar::NAMES.join(", ")),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Policy {
            tier,
            version: 0,
            targets,
            pause_statuses,
            calendar,
        })
    }
}

/// Which target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    FirstResponse,
    NextResponse,
    Resolution,
}

/// The state of one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetState {
    pub kind: TargetKind,
    pub target: SignedDuration,
    /// When it is (or was) due; none when it does not apply (no customer message waiting).
    pub due: Option<Timestamp>,
    /// When it was met, if it was.
    pub met_at: Option<Timestamp>,
    /// Business time left (negative: overdue by that much), at `now` or at `met_at`.
    pub left: SignedDuration,
    pub breached: bool,
}

/// The whole clock of a ticket, with the reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    pub policy_version: u32,
    pub calendar: String,
    pub class: PriorityClass,
    pub paused: bool,
    /// Intervals the clock did not run (waiting on the customer, or not active).
    pub pauses: Vec<(Timestamp, Timestamp)>,
    pub targets: Vec<TargetState>,
}

impl Clock {
    /// The earliest deadline among the targets not yet met: what RT's SLA puts in `Due`.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.targets
            .iter()
            .filter(|t| t.met_at.is_none())
            .filter_map(|t| t.due)
            .min()
    }
}

/// What an SLA alert says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertKind {
    /// The share of the target given in `alerts` has run.
    Warning,
    /// The target was missed.
    Breach,
}

impl AlertKind {
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::Warning => "warning",
            AlertKind::Breach => "breach",
        }
    }
}

impl TargetKind {
    pub fn code(self) -> &'static str {
        match self {
            TargetKind::FirstResponse => "first_response",
            TargetKind::NextResponse => "next_response",
            TargetKind::Resolution => "resolution",
        }
    }
}

/// One alert about one target falling due at `due`. The same target, due time and kind is the
/// same alert, however often the clock is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub target: TargetKind,
    pub due: Timestamp,
}

/// The alerts a clock calls for: a breach for every running target past its due time, a
/// warning for every running target of which at least `warn_share` (0.0–1.0) has run. A
/// paused clock warns of nothing new (waiting on the customer is not the team's time).
pub fn alerts(clock: &Clock, warn_share: f64) -> Vec<Alert> {
    let mut out = Vec::new();
    for t in &clock.targets {
        let (Some(due), None) = (t.due, t.met_at) else {
            continue;
        };
        if t.breached {
            out.push(Alert {
                kind: AlertKind::Breach,
                target: t.kind,
                due,
            });
        } else if !clock.paused && !t.target.is_zero() {
            let used = (t.target - t.left).as_secs_f64() / t.target.as_secs_f64();
            if used >= warn_share {
                out.push(Alert {
                    kind: AlertKind::Warning,
                    target: t.kind,
                    due,
                });
            }
        }
    }
    out
}

/// The clock of a ticket at `now`.
pub fn clock(
    history: &[Transaction],
    policy: &Policy,
    calendar: &Calendar,
    now: Timestamp,
) -> Option<Clock> {
    let first = history.first()?;
    let Change::Create(c) = &first.change else {
        return None;
    };
    let created = first.at;
    let requestors: Vec<String> = c.requestors.iter().map(|r| r.to_lowercase()).collect();
    let mut status = c.status;
    let mut priority = c.priority;
    // Intervals in which the clock stands still.
    let mut stops: Vec<(Timestamp, Timestamp)> = Vec::new();
    let stopped = |s: Status| policy.pause_statuses.contains(&s) || s.is_inactive();
    let mut stop_since = if stopped(status) { Some(created) } else { None };
    let mut first_response: Option<Timestamp> = None;
    let mut resolved_at: Option<Timestamp> = if status.is_inactive() {
        Some(created)
    } else {
        None
    };
    // The requestor message waiting for an answer, if any.
    let mut waiting_since: Option<Timestamp> = None;
    let mut next_met: Option<Timestamp> = None;
    for tx in history.iter().skip(1).filter(|t| t.at <= now) {
        match &tx.change {
            Change::Correspond => {
                let from_requestor = requestors.contains(&tx.creator.to_lowercase());
                if from_requestor {
                    if waiting_since.is_none() {
                        waiting_since = Some(tx.at);
                        next_met = None;
                    }
                } else {
                    if first_response.is_none() {
                        first_response = Some(tx.at);
                    }
                    if waiting_since.is_some() {
                        next_met = Some(tx.at);
                        waiting_since = None;
                    }
                }
            }
            Change::Status { to, .. } => {
                let was = stopped(status);
                let is = stopped(*to);
                if !was && is {
                    stop_since = Some(tx.at);
                } else if was
                    && !is
                    && let Some(s) = stop_since.take()
                {
                    stops.push((s, tx.at));
                }
                resolved_at = if to.is_inactive() { Some(tx.at) } else { None };
                status = *to;
            }
            Change::Set {
                field: crate::ticket::history::TicketField::Priority,
                to,
                ..
            } => {
                priority = to.parse().unwrap_or(priority);
            }
            _ => {}
        }
    }
    let paused = stop_since.is_some();
    if let Some(s) = stop_since {
        stops.push((s, now.max(s)));
    }
    let class = PriorityClass::of(priority);
    let targets = policy.targets_for(class);
    // Business time the clock ran between two instants.
    let ran = |from: Timestamp, to: Timestamp| -> SignedDuration {
        let total = calendar.between(from, to);
        let stopped: SignedDuration = stops
            .iter()
            .map(|(a, b)| calendar.between((*a).max(from), (*b).min(to)))
            .fold(SignedDuration::ZERO, |x, y| x + y);
        total - stopped
    };
    // The instant at which `budget` of running time after `from` is used up.
    let due_after = |from: Timestamp, budget: SignedDuration| -> Option<Timestamp> {
        let mut at = from;
        let mut left = budget;
        for (a, b) in stops.iter().filter(|(_, b)| *b > from) {
            let a = (*a).max(from);
            let before = calendar.between(at, a);
            if left <= before {
                return calendar.add(at, left);
            }
            left -= before;
            at = (*b).max(at);
        }
        calendar.add(at, left)
    };
    let state = |kind: TargetKind,
                 from: Timestamp,
                 target: SignedDuration,
                 met: Option<Timestamp>|
     -> TargetState {
        let until = met.unwrap_or(now);
        let left = target - ran(from, until);
        TargetState {
            kind,
            target,
            due: due_after(from, target),
            met_at: met,
            left,
            breached: left < SignedDuration::ZERO,
        }
    };
    let mut out = vec![state(
        TargetKind::FirstResponse,
        created,
        targets.first_response,
        first_response,
    )];
    match (waiting_since, next_met) {
        (Some(since), _) => out.push(state(
            TargetKind::NextResponse,
            since,
            targets.next_response,
            None,
        )),
        _ => out.push(TargetState {
            kind: TargetKind::NextResponse,
            target: targets.next_response,
            due: None,
            met_at: next_met,
            left: targets.next_response,
            breached: false,
        }),
    }
    out.push(state(
        TargetKind::Resolution,
        created,
        targets.resolution,
        resolved_at,
    ));
    Some(Clock {
        policy_version: policy.version,
        calendar: calendar.name.clone(),
        class,
        paused,
        pauses: stops,
        targets: out,
    })
}

#[cfg(test)]
mod alert_tests {
    use super::*;

    fn state(kind: TargetKind, target: i64, left: i64, met: bool) -> TargetState {
        TargetState {
            kind,
            target: SignedDuration::from_mins(target),
            due: Some("2026-11-23T12:00:00Z".parse().unwrap()),
            met_at: met.then(|| "2026-11-23T11:00:00Z".parse().unwrap()),
            left: SignedDuration::from_mins(left),
            breached: left < 0,
        }
    }

    fn clock_of(targets: Vec<TargetState>, paused: bool) -> Clock {
        Clock {
            policy_version: 1,
            calendar: "24/7".into(),
            class: PriorityClass::High,
            paused,
            pauses: vec![],
            targets,
        }
    }

    #[test]
    fn warnings_at_the_share_and_breaches_past_due_and_nothing_for_met_targets() {
        let c = clock_of(
            vec![
                state(TargetKind::FirstResponse, 60, 10, false),
                state(TargetKind::NextResponse, 60, 50, false),
                state(TargetKind::Resolution, 480, -5, false),
            ],
            false,
        );
        let a = alerts(&c, 0.8);
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].kind, a[0].target),
            (AlertKind::Warning, TargetKind::FirstResponse)
        );
        assert_eq!(
            (a[1].kind, a[1].target),
            (AlertKind::Breach, TargetKind::Resolution)
        );
        // 50 of 60 minutes left is 17% used: no warning at 80%, one at 10%.
        assert_eq!(alerts(&c, 0.1).len(), 3);
        // Met targets never alert, even late.
        let met = clock_of(vec![state(TargetKind::FirstResponse, 60, -30, true)], false);
        assert!(alerts(&met, 0.8).is_empty());
        // A paused clock warns of nothing new, but a breach stays a breach.
        let paused = clock_of(
            vec![
                state(TargetKind::FirstResponse, 60, 1, false),
                state(TargetKind::Resolution, 60, -1, false),
            ],
            true,
        );
        assert_eq!(
            alerts(&paused, 0.5),
            vec![Alert {
                kind: AlertKind::Breach,
                target: TargetKind::Resolution,
                due: "2026-11-23T12:00:00Z".parse().unwrap()
            }]
        );
    }

    #[test]
    fn the_next_open_time_skips_nights_and_weekends() {
        use jiff::civil::time;
        let office = Calendar::office_hours(
            "Stockholm office",
            jiff::tz::TimeZone::get("Europe/Stockholm").unwrap(),
            time(8, 0, 0, 0),
            time(17, 0, 0, 0),
            Some(crate::calendar::HolidayRules::Sweden),
        );
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        // Friday 2026-11-20 at 03:00 local (02:00 UTC) → 08:00 local (07:00 UTC).
        assert_eq!(
            office.next_open(at("2026-11-20T02:00:00Z")),
            Some(at("2026-11-20T07:00:00Z"))
        );
        // Friday 18:00 local → Monday 08:00 local.
        assert_eq!(
            office.next_open(at("2026-11-20T17:00:00Z")),
            Some(at("2026-11-23T07:00:00Z"))
        );
        // During office hours: now.
        assert_eq!(
            office.next_open(at("2026-11-23T10:00:00Z")),
            Some(at("2026-11-23T10:00:00Z"))
        );
    }
}

#[cfg(test)]
mod policy_form_tests {
    use super::*;

    #[test]
    fn a_policy_round_trips_through_its_form_and_bad_fields_are_named() {
        let p = Policy::example(SupportTier::Premium);
        let again = PolicyForm::of(&p).parse(SupportTier::Premium).unwrap();
        assert_eq!(again.targets, p.targets);
        assert_eq!(again.pause_statuses, vec![Status::Stalled]);
        assert_eq!(again.calendar, "24/7");
        // Every name a policy may give is a calendar; an office calendar counts business time.
        for name in crate::calendar::NAMES {
            assert_eq!(crate::calendar::named(name).unwrap().name, name);
        }
        let oslo = Policy {
            calendar: "Oslo office hours".into(),
            ..p.clone()
        }
        .calendar();
        let friday_evening: Timestamp = "2026-11-20T16:00:00Z".parse().unwrap();
        assert_eq!(
            oslo.add(friday_evening, SignedDuration::from_mins(30)),
            Some("2026-11-23T07:30:00Z".parse().unwrap()),
            "30 business minutes after 17:00 on a Friday in Oslo end at 08:30 on Monday"
        );
        let mut f = PolicyForm::of(&p);
        f.minutes.insert("urgent_first".into(), "0".into());
        f.minutes.insert("low_resolution".into(), "ten".into());
        f.minutes.insert("high_first".into(), "9999".into());
        f.pause_statuses = "stalled resolved bogus".into();
        let e = f.parse(SupportTier::Premium).unwrap_err();
        for field in [
            "urgent_first",
            "low_resolution",
            "high_resolution",
            "pause_statuses",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, HolidayRules};
    use crate::ticket::TicketId;
    use crate::ticket::history::{Creation, TicketField};
    use jiff::civil::time;
    use jiff::tz::TimeZone;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn office() -> Calendar {
        Calendar::office_hours(
            "Stockholm office",
            TimeZone::get("Europe/Stockholm").unwrap(),
            time(8, 0, 0, 0),
            time(17, 0, 0, 0),
            Some(HolidayRules::Sweden),
        )
    }

    fn history(steps: &[(&str, &str, Change)]) -> Vec<Transaction> {
        let mut v = vec![Transaction {
            id: 1,
            ticket: TicketId(1),
            at: at(steps[0].0),
            creator: "carol@customer.example".into(),
            time_taken: 0,
            change: Change::Create(Box::new(Creation {
                priority: 50,
                ..Creation::requested("General", "x", "carol@customer.example")
            })),
        }];
        for (i, (when, who, change)) in steps.iter().enumerate().skip(1) {
            v.push(Transaction {
                id: i as i64 + 1,
                ticket: TicketId(1),
                at: at(when),
                creator: who.to_string(),
                time_taken: 0,
                change: change.clone(),
            });
        }
        v
    }

    /// Summarises a clock as text: class, paused, then per target due, met, left (minutes).
    fn show(c: &Clock) -> String {
        let mut s = format!("{:?} paused={}", c.class, c.paused);
        for t in &c.targets {
            s.push_str(&format!(
                " | {:?} due={} met={} left={}m{}",
                t.kind,
                t.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                t.met_at
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                t.left.as_mins(),
                if t.breached { " BREACHED" } else { "" }
            ));
        }
        s
    }

    fn check(steps: &[(&str, &str, Change)], now: &str, expect: &str) {
        let policy = Policy::example(SupportTier::Premium);
        let c = clock(&history(steps), &policy, &office(), at(now)).unwrap();
        assert_eq!(show(&c), expect);
    }

    /// Marks the first step of a test history: `history` turns it into the ticket's creation,
    /// so the change given there is never used.
    const CREATE: Change = Change::Comment;

    #[test]
    fn first_response_met_in_time() {
        // High priority, premium: first response 60 min, resolution 480 min of business time.
        check(
            &[
                ("2026-03-02T08:00:00Z", "", CREATE),
                (
                    "2026-03-02T08:30:00Z",
                    "agent@example.com",
                    Change::Correspond,
                ),
            ],
            "2026-03-02T09:00:00Z",
            "High paused=false | FirstResponse due=2026-03-02T09:00:00Z met=2026-03-02T08:30:00Z left=30m | NextResponse due=- met=- left=120m | Resolution due=2026-03-02T16:00:00Z met=- left=420m",
        );
    }

    #[test]
    fn a_pause_is_credited_and_recorded() {
        // Stalled from 10:00 to 12:00 local (waiting on the customer): 2 h of running time by
        // 13:00 local instead of 4, and the resolution due moves 2 h later (Tuesday 10:00 local).
        check(
            &[
                ("2026-03-02T08:00:00Z", "", CREATE),
                (
                    "2026-03-02T08:10:00Z",
                    "agent@example.com",
                    Change::Correspond,
                ),
                (
                    "2026-03-02T09:00:00Z",
                    "agent@example.com",
                    Change::Status {
                        from: Status::Open,
                        to: Status::Stalled,
                    },
                ),
                (
                    "2026-03-02T11:00:00Z",
                    "carol@customer.example",
                    Change::Status {
                        from: Status::Stalled,
                        to: Status::Open,
                    },
                ),
            ],
            "2026-03-02T12:00:00Z",
            "High paused=false | FirstResponse due=2026-03-02T09:00:00Z met=2026-03-02T08:10:00Z left=50m | NextResponse due=- met=- left=120m | Resolution due=2026-03-03T09:00:00Z met=- left=360m",
        );
    }

    #[test]
    fn overdue_outside_business_hours_does_not_grow() {
        // No reply by Friday evening: 60 min first response, breached; the weekend adds nothing,
        // and the resolution budget left over (6 h) is spent from Monday 08:00 local.
        check(
            &[("2026-03-06T14:00:00Z", "", CREATE)],
            "2026-03-08T12:00:00Z",
            "High paused=false | FirstResponse due=2026-03-06T15:00:00Z met=- left=-60m BREACHED | NextResponse due=- met=- left=120m | Resolution due=2026-03-09T13:00:00Z met=- left=360m",
        );
    }

    #[test]
    fn reopen_continues_without_a_second_escalation() {
        // Resolved at 10:00 after 2 h of running time; reopened Tuesday 08:00; 1 h later,
        // 3 h of the 8 h resolution target are used.
        check(
            &[
                ("2026-03-02T07:00:00Z", "", CREATE),
                (
                    "2026-03-02T07:10:00Z",
                    "agent@example.com",
                    Change::Correspond,
                ),
                (
                    "2026-03-02T09:00:00Z",
                    "agent@example.com",
                    Change::Status {
                        from: Status::Open,
                        to: Status::Resolved,
                    },
                ),
                (
                    "2026-03-03T07:00:00Z",
                    "carol@customer.example",
                    Change::Correspond,
                ),
                (
                    "2026-03-03T07:00:00Z",
                    "carol@customer.example",
                    Change::Status {
                        from: Status::Resolved,
                        to: Status::Open,
                    },
                ),
            ],
            "2026-03-03T08:00:00Z",
            "High paused=false | FirstResponse due=2026-03-02T08:00:00Z met=2026-03-02T07:10:00Z left=50m | NextResponse due=2026-03-03T09:00:00Z met=- left=60m | Resolution due=2026-03-03T13:00:00Z met=- left=300m",
        );
    }

    #[test]
    fn a_priority_change_applies_its_targets() {
        check(
            &[
                ("2026-03-02T08:00:00Z", "", CREATE),
                (
                    "2026-03-02T08:05:00Z",
                    "agent@example.com",
                    Change::Set {
                        field: TicketField::Priority,
                        from: "50".into(),
                        to: "90".into(),
                    },
                ),
            ],
            "2026-03-02T08:20:00Z",
            "Urgent paused=false | FirstResponse due=2026-03-02T08:30:00Z met=- left=10m | NextResponse due=- met=- left=60m | Resolution due=2026-03-02T12:00:00Z met=- left=220m",
        );
    }

    proptest::proptest! {
        /// A pause never shortens the time left: the same history with an extra pause leaves
        /// at least as much time.
        #[test]
        fn a_pause_never_shortens_the_time_left(start_min in 0i64..600, pause_at in 1i64..300, pause_len in 1i64..600, look in 1i64..2000) {
            let t0 = at("2026-03-02T07:00:00Z") + SignedDuration::from_mins(start_min);
            let p0 = t0 + SignedDuration::from_mins(pause_at);
            let p1 = p0 + SignedDuration::from_mins(pause_len);
            let now = t0 + SignedDuration::from_mins(look);
            let s = |t: Timestamp| t.to_string();
            let plain = history(&[(&s(t0), "", CREATE)]);
            let paused = history(&[
                (&s(t0), "", CREATE),
                (&s(p0), "agent@example.com", Change::Status { from: Status::New, to: Status::Stalled }),
                (&s(p1), "carol@customer.example", Change::Status { from: Status::Stalled, to: Status::Open }),
            ]);
            let policy = Policy::example(SupportTier::Standard);
            let a = clock(&plain, &policy, &office(), now).unwrap();
            let b = clock(&paused, &policy, &office(), now).unwrap();
            for (x, y) in a.targets.iter().zip(&b.targets) {
                proptest::prop_assert!(y.left >= x.left, "{:?}: {} < {}", x.kind, y.left, x.left);
                if let (Some(dx), Some(dy)) = (x.due, y.due) {
                    proptest::prop_assert!(dy >= dx);
                }
            }
        }
    }
}
