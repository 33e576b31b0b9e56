//! SLA alerts: the warnings and breaches a clock calls for.

use jiff::Timestamp;

use super::clock::{Clock, TargetKind};

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
    // A resolved ticket's clock has ended: nothing more to tell.
    if clock.ended.is_some() {
        return out;
    }
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

#[cfg(test)]
mod alert_tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::sla::{PriorityClass, TargetState};
    use jiff::SignedDuration;

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
            ended: None,
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
