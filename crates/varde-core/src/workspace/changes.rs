//! What changed for a customer since its service manager last looked: the facts the
//! application layer gathers, each said in one line, and which of them ask for attention.

use crate::status::Impact;
use crate::workspace::roadmap::RoadmapState;
use crate::workspace::words::Rating;

/// One thing that happened to an organisation in a span of time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Tickets opened, and how many of them urgent (priority 80 or more).
    Opened {
        tickets: usize,
        urgent: usize,
    },
    Resolved(usize),
    /// An incident or maintenance that touched one of its contracted services.
    Incident {
        id: i64,
        title: String,
        impact: Impact,
        maintenance: bool,
    },
    /// A requestor rated a resolution.
    Rated {
        ticket: i64,
        rating: Rating,
    },
    /// A roadmap item it asked for changed state.
    Roadmap {
        id: i64,
        title: String,
        state: RoadmapState,
    },
    /// Action items of its meetings settled.
    ActionItemsDone(usize),
    /// Its contracts or contacts changed (audit events).
    CustomerRecord(usize),
    /// Its health score moved from one daily score to another.
    Health {
        from: i64,
        to: i64,
    },
}

/// A health move smaller than this many points is not news.
pub const HEALTH_NEWS: i64 = 5;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Change {
    /// The change in a line, for the service manager (staff text, English).
    pub fn line(&self) -> String {
        match self {
            Change::Opened { tickets, urgent } if *urgent > 0 => format!(
                "{} opened ({urgent} urgent)",
                plural(*tickets, "ticket", "tickets")
            ),
            Change::Opened { tickets, .. } => {
                format!("{} opened", plural(*tickets, "ticket", "tickets"))
            }
            Change::Resolved(n) => format!("{} resolved", plural(*n, "ticket", "tickets")),
            Change::Incident {
                title,
                impact,
                maintenance: true,
                ..
            } => format!(
                "maintenance: {title} ({} impact)",
                impact.label().to_lowercase()
            ),
            Change::Incident { title, impact, .. } => {
                format!(
                    "incident: {title} ({} impact)",
                    impact.label().to_lowercase()
                )
            }
            Change::Rated { ticket, rating } => {
                format!("#{ticket} rated {}", rating.label().to_lowercase())
            }
            Change::Roadmap { title, state, .. } => {
                format!("roadmap: {title} is now {}", state.label().to_lowercase())
            }
            Change::ActionItemsDone(n) => {
                format!("{} done", plural(*n, "action item", "action items"))
            }
            Change::CustomerRecord(n) => format!(
                "{} to contracts or contacts",
                plural(*n, "change", "changes")
            ),
            Change::Health { from, to } => format!("health {from} → {to} ({:+})", to - from),
        }
    }

    /// Whether the change asks the service manager to act: urgent tickets, a major or
    /// critical incident, a bad rating, health dropping by [`HEALTH_NEWS`] or more.
    pub fn needs_attention(&self) -> bool {
        match self {
            Change::Opened { urgent, .. } => *urgent > 0,
            Change::Incident {
                impact,
                maintenance,
                ..
            } => !maintenance && matches!(impact, Impact::Major | Impact::Critical),
            Change::Rated { rating, .. } => *rating == Rating::Bad,
            Change::Health { from, to } => from - to >= HEALTH_NEWS,
            _ => false,
        }
    }
}

/// The health change worth saying, if the score moved by [`HEALTH_NEWS`] or more.
pub fn health_change(then: Option<i64>, now: Option<i64>) -> Option<Change> {
    let (from, to) = (then?, now?);
    ((to - from).abs() >= HEALTH_NEWS).then_some(Change::Health { from, to })
}

/// An organisation's changes, those asking for attention first, then as gathered.
pub fn in_order(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| !c.needs_attention());
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_is_said_in_a_line() {
        let cases = [
            (
                Change::Opened {
                    tickets: 3,
                    urgent: 1,
                },
                "3 tickets opened (1 urgent)",
                true,
            ),
            (
                Change::Opened {
                    tickets: 1,
                    urgent: 0,
                },
                "1 ticket opened",
                false,
            ),
            (Change::Resolved(2), "2 tickets resolved", false),
            (
                Change::Incident {
                    id: 4,
                    title: "Storage slow in Oslo".into(),
                    impact: Impact::Major,
                    maintenance: false,
                },
                "incident: Storage slow in Oslo (major impact)",
                true,
            ),
            (
                Change::Incident {
                    id: 5,
                    title: "Kernel upgrades".into(),
                    impact: Impact::Major,
                    maintenance: true,
                },
                "maintenance: Kernel upgrades (major impact)",
                false,
            ),
            (
                Change::Rated {
                    ticket: 12,
                    rating: Rating::Bad,
                },
                "#12 rated bad",
                true,
            ),
            (
                Change::Roadmap {
                    id: 1,
                    title: "GPU flavours".into(),
                    state: RoadmapState::Planned,
                },
                "roadmap: GPU flavours is now planned",
                false,
            ),
            (Change::ActionItemsDone(1), "1 action item done", false),
            (
                Change::CustomerRecord(2),
                "2 changes to contracts or contacts",
                false,
            ),
            (
                Change::Health { from: 80, to: 71 },
                "health 80 → 71 (-9)",
                true,
            ),
            (
                Change::Health { from: 60, to: 70 },
                "health 60 → 70 (+10)",
                false,
            ),
        ];
        for (change, line, attention) in cases {
            assert_eq!(change.line(), line);
            assert_eq!(change.needs_attention(), attention, "{line}");
        }
    }

    #[test]
    fn a_small_health_move_is_not_news() {
        assert_eq!(health_change(Some(80), Some(77)), None);
        assert_eq!(health_change(None, Some(40)), None);
        assert_eq!(
            health_change(Some(80), Some(75)),
            Some(Change::Health { from: 80, to: 75 })
        );
    }

    #[test]
    fn what_asks_for_attention_comes_first() {
        let ordered = in_order(vec![
            Change::Resolved(1),
            Change::Health { from: 90, to: 50 },
            Change::ActionItemsDone(2),
        ]);
        assert_eq!(ordered[0], Change::Health { from: 90, to: 50 });
        assert_eq!(ordered[1], Change::Resolved(1));
    }
}
