//! SLA policies and their forms: priority classes, the targets per class, a tier's versioned
//! policy, and the form an administrator types one in.

use jiff::SignedDuration;

use crate::calendar::Calendar;
use crate::catalogue::SupportTier;
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

#[cfg(test)]
mod policy_form_tests {
    use super::*;
    use jiff::Timestamp;

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
