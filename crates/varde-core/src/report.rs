//! The quarterly operations report for one organisation: SLA compliance per target and
//! priority, response and resolution times, tickets by queue, category and status, the
//! longest and the breached tickets, availability of the services on contract, the incidents
//! that touched them, open items, and the meeting's fixed agenda.
//!
//! Pure: the caller gathers the tickets (with their histories), the policy, the calendar and
//! the status-page facts; `build` derives everything from them, so a report can be made again
//! for any past period and gives the same answer.

use std::collections::BTreeMap;

use crate::values::Language;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::sla::{Policy, PriorityClass, TargetKind, clock};
use crate::status::{StatusChange, UPTIME_FORMULA, tally};
use crate::ticket::Ticket;
use crate::ticket::history::Transaction;
use crate::values::Invalid;

/// A reporting period: whole days `[from, until)` in the provider's time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    pub from: Date,
    pub until: Date,
}

impl Period {
    /// `2026Q3` (or `2026-Q3`, `q3 2026`).
    pub fn quarter(raw: &str) -> Result<Period, Invalid> {
        let s = raw.trim().to_ascii_uppercase().replace(['-', ' '], "");
        let bad = || Invalid(format!("'{}' is not a quarter like 2026Q3", raw.trim()));
        let (year, q) = if let Some((y, q)) = s.split_once('Q') {
            if y.is_empty() {
                (&q[1..], &q[..1])
            } else {
                (y, q)
            }
        } else {
            return Err(bad());
        };
        let year: i16 = year.parse().map_err(|_| bad())?;
        let q: i8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) || !(2000..=2999).contains(&year) {
            return Err(bad());
        }
        let from = Date::new(year, (q - 1) * 3 + 1, 1).map_err(|_| bad())?;
        let until = if q == 4 {
            Date::new(year + 1, 1, 1)
        } else {
            Date::new(year, q * 3 + 1, 1)
        }
        .map_err(|_| bad())?;
        Ok(Period {
            label: format!("{year}Q{q}"),
            from,
            until,
        })
    }

    /// The quarter that contains `day`.
    pub fn quarter_of(day: Date) -> Period {
        let q = (day.month() - 1) / 3 + 1;
        Period::quarter(&format!("{}Q{q}", day.year())).expect("a valid quarter")
    }

    pub fn start(&self, tz: &TimeZone) -> Timestamp {
        self.from
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    pub fn end(&self, tz: &TimeZone) -> Timestamp {
        self.until
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// A ticket with its own history and the policy version it is held to.
#[derive(Clone, Debug)]
pub struct TicketInput {
    pub ticket: Ticket,
    pub history: Vec<Transaction>,
    pub policy: Policy,
}

/// A component the organisation has on contract, with its status history.
#[derive(Clone, Debug)]
pub struct ServiceInput {
    pub name: String,
    pub created: Timestamp,
    pub changes: Vec<StatusChange>,
}

/// An incident or maintenance that touched the organisation's services.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentLine {
    pub id: i64,
    pub name: String,
    pub impact: String,
    pub started: Timestamp,
    pub resolved: Option<Timestamp>,
    pub components: String,
}

/// Everything a report is made from.
#[derive(Clone, Debug)]
pub struct ReportInput {
    pub organization: String,
    /// The organisation's language: the report's, unless its reader reads another.
    pub language: Language,
    pub tier: String,
    pub period: Period,
    pub tz: TimeZone,
    /// The tier's policy now (the report names its version and calendar); each ticket
    /// carries its own.
    pub policy: Policy,
    /// When the report is made: a period not over yet is reported up to now.
    pub now: Timestamp,
    pub tickets: Vec<TicketInput>,
    pub services: Vec<ServiceInput>,
    pub incidents: Vec<IncidentLine>,
    /// Feedback noted for the roadmap (the organisation's notes; may be empty).
    pub feedback: Vec<String>,
    /// Satisfaction ratings given in the period: good, okay, bad.
    pub ratings: (usize, usize, usize),
}

/// Met / breached counts for one target and priority class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compliance {
    pub target: &'static str,
    pub priority: &'static str,
    pub met: usize,
    pub breached: usize,
}

impl Compliance {
    /// Share met, in percent; `None` without tickets.
    pub fn percent(&self) -> Option<f64> {
        let total = self.met + self.breached;
        (total > 0).then(|| 100.0 * self.met as f64 / total as f64)
    }
}

/// Median and 90th percentile of a set of durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Times {
    pub count: usize,
    pub median: Option<SignedDuration>,
    pub p90: Option<SignedDuration>,
}

/// One ticket as the report lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketLine {
    pub id: i64,
    pub subject: String,
    pub queue: String,
    pub status: String,
    pub priority: &'static str,
    pub created: Timestamp,
    /// Creation to resolution, or to the end of the period when still open.
    pub age: SignedDuration,
    pub breached: Vec<&'static str>,
}

/// Availability of one service on contract.
#[derive(Clone, Debug, PartialEq)]
pub struct Availability {
    pub service: String,
    pub percent: f64,
    pub major_minutes: i64,
    pub partial_minutes: i64,
}

/// The report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub organization: String,
    pub language: Language,
    pub tier: String,
    pub period: Period,
    pub policy_version: u32,
    pub calendar: String,
    pub tickets: usize,
    pub compliance: Vec<Compliance>,
    pub first_response: Times,
    pub resolution: Times,
    pub by_queue: Vec<(String, usize)>,
    pub by_category: Vec<(String, usize)>,
    pub by_status: Vec<(String, usize)>,
    pub longest: Vec<TicketLine>,
    pub breached: Vec<TicketLine>,
    pub open_items: Vec<TicketLine>,
    pub availability: Vec<Availability>,
    pub availability_formula: &'static str,
    pub incidents: Vec<IncidentLine>,
    pub feedback: Vec<String>,
    /// Satisfaction ratings of resolved tickets: good, okay, bad.
    pub ratings: (usize, usize, usize),
    pub agenda: Vec<&'static str>,
}

/// The fixed agenda of the quarterly operations meeting.
pub const AGENDA: [&str; 5] = [
    "SLA review: compliance per target and priority, breached tickets",
    "Availability of the services on contract, and the incidents that touched them",
    "Support cases: volume, response and resolution times, the longest cases",
    "General service operation: open items, planned maintenance, changes",
    "Feedback for the roadmap, and any other business",
];

fn class_label(c: PriorityClass) -> &'static str {
    match c {
        PriorityClass::Urgent => "urgent",
        PriorityClass::High => "high",
        PriorityClass::Normal => "normal",
        PriorityClass::Low => "low",
    }
}

fn target_label(k: TargetKind) -> &'static str {
    match k {
        TargetKind::FirstResponse => "first response",
        TargetKind::NextResponse => "next response",
        TargetKind::Resolution => "resolution",
    }
}

/// The median and 90th percentile (nearest rank).
pub fn times(mut values: Vec<SignedDuration>) -> Times {
    values.sort();
    let n = values.len();
    if n == 0 {
        return Times::default();
    }
    let rank = |p: f64| values[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    Times {
        count: n,
        median: Some(rank(0.5)),
        p90: Some(rank(0.9)),
    }
}

fn counted(map: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Builds the report.
pub fn build(input: &ReportInput) -> Report {
    let start = input.period.start(&input.tz);
    let end = input.period.end(&input.tz).min(input.now);
    let mut compliance: BTreeMap<(usize, PriorityClass), (usize, usize)> = BTreeMap::new();
    let mut first = Vec::new();
    let mut resolution = Vec::new();
    let (mut by_queue, mut by_category, mut by_status) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut lines = Vec::new();
    for t in &input.tickets {
        let ticket = &t.ticket;
        *by_queue.entry(ticket.queue.clone()).or_insert(0) += 1;
        *by_status.entry(ticket.status.to_string()).or_insert(0) += 1;
        let category = ticket
            .custom_fields
            .get("Service")
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_else(|| "(none)".into());
        *by_category.entry(category).or_insert(0) += 1;
        let class = PriorityClass::of(ticket.priority);
        let mut breached = Vec::new();
        if let Some(c) = clock(&t.history, &t.policy, &t.policy.calendar(), end) {
            for (i, s) in c.targets.iter().enumerate() {
                let applies = s.due.is_some() || s.met_at.is_some();
                if !applies {
                    continue;
                }
                // A target still running and not breached counts neither way yet.
                if s.breached {
                    compliance.entry((i, c.class)).or_insert((0, 0)).1 += 1;
                    breached.push(target_label(s.kind));
                } else if s.met_at.is_some() {
                    compliance.entry((i, c.class)).or_insert((0, 0)).0 += 1;
                }
                if s.kind == TargetKind::FirstResponse
                    && let Some(m) = s.met_at
                {
                    first.push(m.duration_since(ticket.created));
                }
            }
        }
        let resolved = ticket
            .resolved
            .filter(|r| *r <= end && ticket.status.is_inactive());
        if let Some(r) = resolved {
            resolution.push(r.duration_since(ticket.created));
        }
        lines.push(TicketLine {
            id: ticket.id.0,
            subject: ticket.subject.clone(),
            queue: ticket.queue.clone(),
            status: ticket.status.to_string(),
            priority: class_label(class),
            created: ticket.created,
            age: resolved.unwrap_or(end).duration_since(ticket.created),
            breached,
        });
    }
    let compliance = compliance
        .into_iter()
        .map(|((i, class), (met, breached))| Compliance {
            target: target_label(
                [
                    TargetKind::FirstResponse,
                    TargetKind::NextResponse,
                    TargetKind::Resolution,
                ][i.min(2)],
            ),
            priority: class_label(class),
            met,
            breached,
        })
        .collect();
    let mut longest = lines.clone();
    longest.sort_by(|a, b| b.age.cmp(&a.age).then(a.id.cmp(&b.id)));
    longest.truncate(5);
    let breached: Vec<TicketLine> = lines
        .iter()
        .filter(|l| !l.breached.is_empty())
        .cloned()
        .collect();
    let open_items: Vec<TicketLine> = input
        .tickets
        .iter()
        .zip(&lines)
        .filter(|(t, _)| !t.ticket.status.is_inactive())
        .map(|(_, l)| l.clone())
        .collect();
    let availability = input
        .services
        .iter()
        .map(|s| {
            let t = tally(&s.changes, start.max(s.created), end);
            Availability {
                service: s.name.clone(),
                percent: t.uptime() * 100.0,
                major_minutes: t.major.as_mins(),
                partial_minutes: t.partial.as_mins(),
            }
        })
        .collect();
    Report {
        organization: input.organization.clone(),
        language: input.language,
        tier: input.tier.clone(),
        period: input.period.clone(),
        policy_version: input.policy.version,
        calendar: input.policy.calendar.clone(),
        tickets: input.tickets.len(),
        compliance,
        first_response: times(first),
        resolution: times(resolution),
        by_queue: counted(by_queue),
        by_category: counted(by_category),
        by_status: counted(by_status),
        longest,
        breached,
        open_items,
        availability,
        availability_formula: UPTIME_FORMULA,
        incidents: input.incidents.clone(),
        feedback: input.feedback.clone(),
        ratings: input.ratings,
        agenda: AGENDA.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::catalogue::SupportTier;
    use crate::status::ComponentStatus;
    use crate::ticket::TicketId;
    use crate::ticket::history::{Change, Creation, replay};
    use crate::ticket::lifecycle::Status;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn ticket(id: i64, service: &str, steps: &[(&str, &str, Change)]) -> TicketInput {
        let mut custom_fields = BTreeMap::new();
        custom_fields.insert("Service".to_string(), vec![service.to_string()]);
        let mut history = vec![Transaction {
            id: id * 100,
            ticket: TicketId(id),
            at: at(steps[0].0),
            creator: "carol@customer.example".into(),
            time_taken: 0,
            change: Change::Create(Box::new(Creation {
                queue: "General".into(),
                subject: format!("ticket {id}"),
                status: Status::New,
                owner: None,
                requestors: vec!["carol@customer.example".into()],
                cc: vec![],
                admin_cc: vec![],
                priority: 50,
                final_priority: 0,
                time_estimated: 0,
                time_left: 0,
                due: None,
                starts: None,
                custom_fields,
                organization: None,
            })),
        }];
        for (i, (when, who, change)) in steps.iter().enumerate().skip(1) {
            history.push(Transaction {
                id: id * 100 + i as i64,
                ticket: TicketId(id),
                at: at(when),
                creator: who.to_string(),
                time_taken: 0,
                change: change.clone(),
            });
        }
        TicketInput {
            ticket: replay(&history).unwrap(),
            history,
            policy: Policy::example(SupportTier::Premium),
        }
    }

    #[test]
    fn quarters_parse_and_cover_whole_months() {
        let q = Period::quarter("2026Q3").unwrap();
        assert_eq!(
            (q.from.to_string(), q.until.to_string()),
            ("2026-07-01".into(), "2026-10-01".into())
        );
        assert_eq!(
            Period::quarter("q4 2026").unwrap().until.to_string(),
            "2027-01-01"
        );
        assert_eq!(Period::quarter("2026-Q1").unwrap().label, "2026Q1");
        for bad in ["2026Q5", "2026", "Q3", "abcQ1"] {
            assert!(Period::quarter(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Period::quarter_of("2026-11-23".parse().unwrap()).label,
            "2026Q4"
        );
        let tz = TimeZone::get("Europe/Stockholm").unwrap();
        assert_eq!(
            q.start(&tz),
            at("2026-06-30T22:00:00Z"),
            "midnight in Stockholm, summer time"
        );
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mins = |v: &[i64]| v.iter().map(|m| SignedDuration::from_mins(*m)).collect();
        let t = times(mins(&[10, 1, 7, 3, 5, 9, 2, 8, 6, 4]));
        assert_eq!(t.count, 10);
        assert_eq!(t.median, Some(SignedDuration::from_mins(5)));
        assert_eq!(t.p90, Some(SignedDuration::from_mins(9)));
        assert_eq!(times(vec![]).median, None);
        assert_eq!(times(mins(&[42])).p90, Some(SignedDuration::from_mins(42)));
    }

    #[test]
    fn a_quarter_with_a_met_and_a_breached_ticket_and_an_outage() {
        let agent = "agent@example.com";
        // Premium, high priority: first response 60 min, resolution 480 min (example policy).
        let quick = ticket(
            1,
            "compute",
            &[
                ("2026-08-03T09:00:00Z", "", Change::Comment),
                ("2026-08-03T09:20:00Z", agent, Change::Correspond),
                (
                    "2026-08-03T11:00:00Z",
                    agent,
                    Change::Status {
                        from: Status::Open,
                        to: Status::Resolved,
                    },
                ),
            ],
        );
        let slow = ticket(
            2,
            "storage",
            &[
                ("2026-08-10T09:00:00Z", "", Change::Comment),
                ("2026-08-10T12:00:00Z", agent, Change::Correspond),
            ],
        );
        let oslo = ServiceInput {
            name: "Storage — no-osl1".into(),
            created: at("2026-01-01T00:00:00Z"),
            changes: vec![
                StatusChange {
                    at: at("2026-08-20T10:00:00Z"),
                    status: ComponentStatus::MajorOutage,
                },
                StatusChange {
                    at: at("2026-08-20T11:00:00Z"),
                    status: ComponentStatus::Operational,
                },
            ],
        };
        let input = ReportInput {
            language: Language::English,
            organization: "Sikt".into(),
            tier: "premium".into(),
            period: Period::quarter("2026Q3").unwrap(),
            tz: TimeZone::get("Europe/Oslo").unwrap(),
            policy: Policy::example(SupportTier::Premium),
            now: at("2026-11-23T00:00:00Z"),
            tickets: vec![quick, slow],
            services: vec![oslo],
            incidents: vec![],
            feedback: vec!["More GPU flavours".into()],
            ratings: (3, 1, 0),
        };
        let r = build(&input);
        assert_eq!(r.tickets, 2);
        let first = r
            .compliance
            .iter()
            .find(|c| c.target == "first response" && c.priority == "high")
            .unwrap();
        assert_eq!((first.met, first.breached), (1, 1));
        assert_eq!(first.percent(), Some(50.0));
        let resolution = r
            .compliance
            .iter()
            .find(|c| c.target == "resolution")
            .unwrap();
        assert_eq!(
            (resolution.met, resolution.breached),
            (1, 1),
            "the open one ran out at quarter end"
        );
        assert_eq!(r.first_response.count, 2);
        assert_eq!(r.first_response.p90, Some(SignedDuration::from_hours(3)));
        assert_eq!(r.resolution.count, 1);
        assert_eq!(r.resolution.median, Some(SignedDuration::from_hours(2)));
        assert_eq!(r.breached.iter().map(|t| t.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(r.open_items.len(), 1);
        assert_eq!(r.longest[0].id, 2, "open until the quarter's end");
        assert_eq!(r.by_category.len(), 2);
        assert_eq!(r.availability[0].major_minutes, 60);
        let expected = 100.0 * (1.0 - 3600.0 / (92.0 * 86400.0));
        assert!(
            (r.availability[0].percent - expected).abs() < 1e-9,
            "{}",
            r.availability[0].percent
        );
        assert_eq!(r.agenda.len(), 5);
        assert_eq!(r.feedback, vec!["More GPU flavours".to_string()]);
    }
}
