//! The clock of one ticket: the state of each target (due, met, time left) derived from the
//! ticket's history, its policy and a business calendar.

use jiff::{SignedDuration, Timestamp};

use super::policy::{Policy, PriorityClass};
use crate::calendar::Calendar;
use crate::ticket::history::{Change, Transaction};
use crate::ticket::lifecycle::Status;

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
    /// Waiting on the customer: the clock stands still until the ticket is active again.
    pub paused: bool,
    /// When the ticket was resolved or rejected, if it is now: the clock stopped there for
    /// good, with its final result (nothing is due any more, and due times do not move).
    pub ended: Option<Timestamp>,
    /// Intervals the clock did not run (waiting on the customer, or not active).
    pub pauses: Vec<(Timestamp, Timestamp)>,
    pub targets: Vec<TargetState>,
}

impl Clock {
    /// The targets not yet met that have a due time (a next response is due only while a
    /// customer's message waits).
    pub fn open_targets(&self) -> impl Iterator<Item = &TargetState> {
        self.targets
            .iter()
            .filter(|t| t.met_at.is_none() && t.due.is_some())
    }

    /// Whether a target not yet met is missed (a resolved ticket's clock is judged elsewhere).
    pub fn breached(&self) -> bool {
        self.ended.is_none() && self.open_targets().any(|t| t.breached)
    }

    /// The instant after which this clock, read at `read_at`, is breached if nothing about
    /// its ticket changes: the first open moment of `calendar` at or after its earliest
    /// deadline not yet met, or after `read_at` when that deadline passed while the clock
    /// stood still (business time must run, clock running, past a deadline to miss it). None
    /// when it stands still (paused or ended), is already breached, or has nothing due. What
    /// was read at one moment thereby answers "breached?" at any later one without reading the
    /// history again.
    pub fn breaches_after(&self, calendar: &Calendar, read_at: Timestamp) -> Option<Timestamp> {
        if self.paused || self.ended.is_some() || self.breached() {
            return None;
        }
        calendar.next_open(self.next_deadline()?.max(read_at))
    }

    /// The earliest deadline among the targets not yet met: what RT's SLA puts in `Due`.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.open_targets().filter_map(|t| t.due).min()
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
    // A resolved ticket's clock ends at its resolution: the targets it had not met are judged
    // there, and their due times stay where they were.
    let ended = resolved_at;
    let end = ended.unwrap_or(now);
    let paused = stop_since.is_some() && ended.is_none();
    if let Some(s) = stop_since {
        stops.push((s, end.max(s)));
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
        let until = met.unwrap_or(end);
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
        ended,
        pauses: stops,
        targets: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, HolidayRules};
    use crate::catalogue::SupportTier;
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
    fn a_resolved_tickets_clock_ends_with_its_final_result() {
        // Answered by the customer after the first response, then resolved without a reply:
        // the waiting reply is judged at the resolution, and nothing moves afterwards.
        let steps = [
            ("2026-03-02T07:00:00Z", "", CREATE),
            (
                "2026-03-02T07:10:00Z",
                "agent@example.com",
                Change::Correspond,
            ),
            (
                "2026-03-02T08:00:00Z",
                "carol@customer.example",
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
        ];
        let policy = Policy::example(SupportTier::Premium);
        let later = |now: &str| clock(&history(&steps), &policy, &office(), at(now)).unwrap();
        let (soon, much_later) = (later("2026-03-02T09:30:00Z"), later("2026-03-09T12:00:00Z"));
        assert_eq!(show(&soon), show(&much_later), "nothing creeps");
        assert_eq!(soon.ended, Some(at("2026-03-02T09:00:00Z")));
        assert!(!soon.paused, "resolved is not waiting on the customer");
        assert!(crate::sla::alerts(&much_later, 0.5).is_empty());
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

    #[test]
    fn a_deadline_at_closing_time_is_missed_only_when_the_office_opens() {
        let urgent = Change::Set {
            field: TicketField::Priority,
            from: "50".into(),
            to: "90".into(),
        };
        // Urgent, standard: first response in 60 minutes of office time, due 17:00 local.
        let h = history(&[
            ("2026-03-02T15:00:00Z", "", CREATE),
            ("2026-03-02T15:00:00Z", "agent@example.com", urgent),
        ]);
        let policy = Policy::example(SupportTier::Standard);
        let read = |now: &str| clock(&h, &policy, &office(), at(now)).unwrap();
        let evening = read("2026-03-02T16:30:00Z");
        assert!(!evening.breached());
        assert_eq!(
            evening.breaches_after(&office(), at("2026-03-02T16:30:00Z")),
            Some(at("2026-03-03T07:00:00Z")),
            "08:00 the next morning"
        );
        assert!(!read("2026-03-03T07:00:00Z").breached());
        assert!(read("2026-03-03T07:01:00Z").breached());
    }

    #[test]
    fn a_deadline_passed_while_waiting_is_missed_only_when_the_clock_runs_again() {
        let urgent = Change::Set {
            field: TicketField::Priority,
            from: "50".into(),
            to: "90".into(),
        };
        let stalled = Change::Status {
            from: Status::Open,
            to: Status::Stalled,
        };
        let back = Change::Status {
            from: Status::Stalled,
            to: Status::Open,
        };
        // Due 17:00 local on Thursday; waiting on the customer all of Friday's office hours.
        let h = history(&[
            ("2026-03-05T15:00:00Z", "", CREATE),
            ("2026-03-05T15:00:00Z", "agent@example.com", urgent),
            ("2026-03-06T01:01:00Z", "agent@example.com", stalled),
            ("2026-03-06T16:00:00Z", "carol@customer.example", back),
        ]);
        let policy = Policy::example(SupportTier::Standard);
        let read = at("2026-03-06T16:01:00Z");
        let c = clock(&h, &policy, &office(), read).unwrap();
        assert!(!c.breached());
        assert_eq!(
            c.breaches_after(&office(), read),
            Some(at("2026-03-09T07:00:00Z")),
            "Monday's opening: Saturday and Sunday are closed"
        );
    }

    proptest::proptest! {
        /// A clock read once says when it will be breached: read again later with nothing
        /// changed, it is breached exactly when that moment has passed (or it already was).
        #[test]
        fn a_clock_read_once_knows_when_it_breaches(start_half_hour in 0i64..200, reply in proptest::option::of(1i64..600), pause in proptest::option::of((1i64..300, proptest::option::of(1i64..900))), read in 1i64..3000, later in 0i64..6000, urgent in proptest::bool::ANY) {
            // On the half hour, so deadlines often fall on the office's closing time.
            let t0 = at("2026-03-02T07:00:00Z") + SignedDuration::from_mins(30 * start_half_hour);
            let s = |t: Timestamp| t.to_string();
            let mut steps: Vec<(String, &str, Change)> = vec![(s(t0), "", CREATE)];
            if urgent {
                steps.push((s(t0), "agent@example.com", Change::Set { field: TicketField::Priority, from: "50".into(), to: "90".into() }));
            }
            if let Some(r) = reply {
                steps.push((s(t0 + SignedDuration::from_mins(r)), "agent@example.com", Change::Correspond));
            }
            if let Some((p0, p1)) = pause {
                let a = t0 + SignedDuration::from_mins(600 + p0);
                steps.push((s(a), "agent@example.com", Change::Status { from: Status::Open, to: Status::Stalled }));
                if let Some(p1) = p1 {
                    steps.push((s(a + SignedDuration::from_mins(p1)), "carol@customer.example", Change::Status { from: Status::Stalled, to: Status::Open }));
                }
            }
            let borrowed: Vec<(&str, &str, Change)> = steps.iter().map(|(a, b, c)| (a.as_str(), *b, c.clone())).collect();
            let h = history(&borrowed);
            let policy = Policy::example(SupportTier::Standard);
            let last = h.iter().map(|t| t.at).max().unwrap();
            let first_read = last + SignedDuration::from_mins(read);
            let second_read = first_read + SignedDuration::from_mins(later);
            let a = clock(&h, &policy, &office(), first_read).unwrap();
            let b = clock(&h, &policy, &office(), second_read).unwrap();
            let told = a.breached() || a.breaches_after(&office(), first_read).is_some_and(|x| x < second_read);
            proptest::prop_assert_eq!(told, b.breached(), "read at {} then {}: {:?}", first_read, second_read, a.breaches_after(&office(), first_read));
        }

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
