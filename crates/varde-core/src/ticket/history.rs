//! Transactions, the append-only history of a ticket, and [`replay`], which rebuilds the
//! ticket's current state from them. The rules that decide which transactions an action
//! produces (a reply that reopens, a take that sets the owner) are here too, so that every
//! channel (console, REST 1.0, REST2, mail) produces the same history.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::lifecycle::Status;
use super::{LinkKind, Ticket, TicketId};
use crate::ids::OrganizationId;

/// Who is watching a ticket, in which role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WatcherRole {
    Requestor,
    Cc,
    AdminCc,
}

impl WatcherRole {
    pub fn name(self) -> &'static str {
        match self {
            WatcherRole::Requestor => "Requestor",
            WatcherRole::Cc => "Cc",
            WatcherRole::AdminCc => "AdminCc",
        }
    }
}

/// The plain fields a `Set` transaction changes, with RT's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TicketField {
    Subject,
    Queue,
    Priority,
    FinalPriority,
    TimeEstimated,
    TimeLeft,
    TimeWorked,
    Due,
    Starts,
    Started,
    Told,
}

impl TicketField {
    pub const ALL: [TicketField; 11] = [
        TicketField::Subject,
        TicketField::Queue,
        TicketField::Priority,
        TicketField::FinalPriority,
        TicketField::TimeEstimated,
        TicketField::TimeLeft,
        TicketField::TimeWorked,
        TicketField::Due,
        TicketField::Starts,
        TicketField::Started,
        TicketField::Told,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TicketField::Subject => "Subject",
            TicketField::Queue => "Queue",
            TicketField::Priority => "Priority",
            TicketField::FinalPriority => "FinalPriority",
            TicketField::TimeEstimated => "TimeEstimated",
            TicketField::TimeLeft => "TimeLeft",
            TicketField::TimeWorked => "TimeWorked",
            TicketField::Due => "Due",
            TicketField::Starts => "Starts",
            TicketField::Started => "Started",
            TicketField::Told => "Told",
        }
    }

    pub fn parse(raw: &str) -> Option<TicketField> {
        TicketField::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(raw.trim()))
    }

    pub fn is_date(self) -> bool {
        matches!(
            self,
            TicketField::Due | TicketField::Starts | TicketField::Started | TicketField::Told
        )
    }
}

/// Everything a ticket starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Creation {
    pub queue: String,
    pub subject: String,
    pub status: Status,
    pub owner: Option<String>,
    pub requestors: Vec<String>,
    pub cc: Vec<String>,
    pub admin_cc: Vec<String>,
    pub priority: i64,
    pub final_priority: i64,
    pub time_estimated: i64,
    pub time_left: i64,
    pub due: Option<Timestamp>,
    pub starts: Option<Timestamp>,
    pub custom_fields: BTreeMap<String, Vec<String>>,
    pub organization: Option<OrganizationId>,
}

impl Creation {
    /// A new ticket as a requestor opens it: status `new`, no owner, no other watchers,
    /// priority 0, no dates, no custom fields and no organisation yet.
    pub fn requested(queue: &str, subject: &str, requestor: &str) -> Creation {
        Creation {
            queue: queue.to_string(),
            subject: super::one_line(subject),
            status: Status::New,
            owner: None,
            requestors: vec![requestor.to_string()],
            cc: vec![],
            admin_cc: vec![],
            priority: 0,
            final_priority: 0,
            time_estimated: 0,
            time_left: 0,
            due: None,
            starts: None,
            custom_fields: BTreeMap::new(),
            organization: None,
        }
    }
}

/// What a transaction did. Message text and attachments are stored beside the transaction;
/// the history only needs what changes the ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Create(Box<Creation>),
    /// A reply to the requestors (mailed to them).
    Correspond,
    /// An internal comment (never mailed to the customer).
    Comment,
    /// A phone call logged by an agent.
    PhoneCall {
        caller: String,
        minutes: i64,
    },
    Status {
        from: Status,
        to: Status,
    },
    Owner {
        from: Option<String>,
        to: Option<String>,
    },
    Set {
        field: TicketField,
        from: String,
        to: String,
    },
    CustomField {
        name: String,
        from: Vec<String>,
        to: Vec<String>,
    },
    AddWatcher {
        role: WatcherRole,
        address: String,
    },
    DelWatcher {
        role: WatcherRole,
        address: String,
    },
    AddLink {
        kind: LinkKind,
        target: TicketId,
    },
    DeleteLink {
        kind: LinkKind,
        target: TicketId,
    },
    /// This ticket was merged into `into`.
    MergedInto {
        into: TicketId,
    },
    /// Ticket `from` was merged into this one.
    Merged {
        from: TicketId,
    },
    /// An outgoing mail was recorded.
    EmailRecord,
    /// The ticket now belongs to another organisation (its requestor changed, or an agent
    /// corrected it).
    Organization {
        from: Option<OrganizationId>,
        to: Option<OrganizationId>,
    },
}

impl Change {
    /// RT's transaction `Type`, as RT 5 records it: an owner change is a `Set` of the `Owner`
    /// field whoever made it, and a merge is an `AddLink` on both tickets.
    pub fn rt_type(&self, _creator: &str) -> &'static str {
        match self {
            Change::Create(_) => "Create",
            Change::Correspond => "Correspond",
            Change::Comment => "Comment",
            Change::PhoneCall { .. } => "PhoneCall",
            Change::Status { .. } => "Status",
            Change::Owner { .. } | Change::Set { .. } | Change::Organization { .. } => "Set",
            Change::CustomField { .. } => "CustomField",
            Change::AddWatcher { .. } => "AddWatcher",
            Change::DelWatcher { .. } => "DelWatcher",
            Change::AddLink { .. } | Change::Merged { .. } | Change::MergedInto { .. } => "AddLink",
            Change::DeleteLink { .. } => "DeleteLink",
            Change::EmailRecord => "EmailRecord",
        }
    }

    /// RT's `Field`, `OldValue` and `NewValue` columns.
    pub fn rt_field(&self) -> (&'static str, String, String) {
        fn opt(o: &Option<String>) -> String {
            o.clone().unwrap_or_else(|| super::NOBODY.to_string())
        }
        match self {
            Change::Status { from, to } => ("Status", from.code().into(), to.code().into()),
            Change::Owner { from, to } => ("Owner", opt(from), opt(to)),
            Change::Set { field, from, to } => (field.name(), from.clone(), to.clone()),
            Change::CustomField { name: _, from, to } => {
                ("CustomField", from.join(", "), to.join(", "))
            }
            Change::AddWatcher { role, address } => (role.name(), String::new(), address.clone()),
            Change::DelWatcher { role, address } => (role.name(), address.clone(), String::new()),
            Change::AddLink { kind, target } => {
                (kind.transaction_field(), String::new(), target.to_string())
            }
            Change::DeleteLink { kind, target } => {
                (kind.transaction_field(), target.to_string(), String::new())
            }
            Change::MergedInto { into } => ("MergedInto", String::new(), into.to_string()),
            Change::Merged { from } => ("MergedInto", from.to_string(), String::new()),
            Change::Organization { from, to } => (
                "Organization",
                from.map(|o| o.to_string()).unwrap_or_default(),
                to.map(|o| o.to_string()).unwrap_or_default(),
            ),
            Change::PhoneCall { caller, minutes } => (
                "PhoneCall",
                String::new(),
                format!("{caller} ({minutes} min)"),
            ),
            _ => ("", String::new(), String::new()),
        }
    }

    /// RT's one-line description of the transaction.
    pub fn describe(&self, creator: &str) -> String {
        match self {
            Change::Create(_) => format!("Ticket created by {creator}"),
            Change::Correspond => format!("Correspondence added by {creator}"),
            Change::Comment => format!("Comments added by {creator}"),
            Change::PhoneCall { caller, minutes } => {
                format!("Phone call with {caller} ({minutes} min) logged by {creator}")
            }
            Change::Status { from, to } => format!("Status changed from '{from}' to '{to}'"),
            Change::Owner { from, to } => format!(
                "Owner changed from {} to {}",
                from.as_deref().unwrap_or(super::NOBODY),
                to.as_deref().unwrap_or(super::NOBODY)
            ),
            Change::Set { field, from, to } => {
                format!("{} changed from '{from}' to '{to}'", field.name())
            }
            Change::CustomField { name, from, to } => {
                format!(
                    "{name} changed from '{}' to '{}'",
                    from.join(", "),
                    to.join(", ")
                )
            }
            Change::AddWatcher { role, address } => format!("{} {address} added", role.name()),
            Change::DelWatcher { role, address } => format!("{} {address} deleted", role.name()),
            Change::AddLink { kind, target } => format!("{} ticket #{target} added", kind.name()),
            Change::DeleteLink { kind, target } => {
                format!("{} ticket #{target} deleted", kind.name())
            }
            Change::MergedInto { into } => format!("Merged into ticket #{into} by {creator}"),
            Change::Merged { from } => format!("Ticket #{from} merged into this one by {creator}"),
            Change::EmailRecord => "Outgoing email recorded".into(),
            Change::Organization { .. } => "Organization changed".into(),
        }
    }
}

/// One entry of a ticket's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub id: i64,
    pub ticket: TicketId,
    pub at: Timestamp,
    /// The e-mail address (or `RT_System`) of whoever made it.
    pub creator: String,
    /// Minutes worked, added to the ticket's `TimeWorked`.
    pub time_taken: i64,
    pub change: Change,
}

/// Why a history cannot be replayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("the history is empty")]
    Empty,
    #[error("the history of ticket {0} does not start with its creation")]
    NoCreation(TicketId),
    #[error("ticket {0} was created twice")]
    CreatedTwice(TicketId),
}

/// Rebuilds a ticket from its history, oldest transaction first.
pub fn replay(history: &[Transaction]) -> Result<Ticket, ReplayError> {
    let first = history.first().ok_or(ReplayError::Empty)?;
    let Change::Create(c) = &first.change else {
        return Err(ReplayError::NoCreation(first.ticket));
    };
    let mut t = Ticket {
        id: first.ticket,
        effective_id: first.ticket,
        queue: c.queue.clone(),
        subject: c.subject.clone(),
        status: c.status,
        owner: c.owner.clone(),
        creator: first.creator.clone(),
        requestors: c.requestors.clone(),
        cc: c.cc.clone(),
        admin_cc: c.admin_cc.clone(),
        priority: c.priority,
        initial_priority: c.priority,
        final_priority: c.final_priority,
        time_worked: 0,
        time_estimated: c.time_estimated,
        time_left: c.time_left,
        created: first.at,
        starts: c.starts,
        started: (!c.status.is_initial()).then_some(first.at),
        resolved: c.status.is_inactive().then_some(first.at),
        due: c.due,
        told: None,
        last_updated: first.at,
        last_updated_by: first.creator.clone(),
        custom_fields: c.custom_fields.clone(),
        links: vec![],
        organization: c.organization,
    };
    t.time_worked += first.time_taken;
    for tx in &history[1..] {
        apply(&mut t, tx)?;
    }
    Ok(t)
}

fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

/// Applies one transaction to the ticket.
pub fn apply(t: &mut Ticket, tx: &Transaction) -> Result<(), ReplayError> {
    t.time_worked += tx.time_taken;
    if !matches!(tx.change, Change::EmailRecord) {
        t.last_updated = tx.at;
        t.last_updated_by = tx.creator.clone();
    }
    match &tx.change {
        Change::Create(_) => return Err(ReplayError::CreatedTwice(t.id)),
        Change::Correspond => {
            // RT counts the customer as told when someone other than a requestor writes.
            if !t
                .requestors
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&tx.creator))
            {
                t.told = Some(tx.at);
            }
        }
        Change::Comment | Change::EmailRecord | Change::PhoneCall { .. } => {}
        Change::Status { to, .. } => {
            if t.status.is_initial() && !to.is_initial() && t.started.is_none() {
                t.started = Some(tx.at);
            }
            t.resolved = if to.is_inactive() { Some(tx.at) } else { None };
            t.status = *to;
        }
        Change::Owner { to, .. } => t.owner = to.clone(),
        Change::Set { field, to, .. } => match field {
            TicketField::Subject => t.subject = to.clone(),
            TicketField::Queue => t.queue = to.clone(),
            TicketField::Priority => t.priority = to.parse().unwrap_or(t.priority),
            TicketField::FinalPriority => t.final_priority = to.parse().unwrap_or(t.final_priority),
            TicketField::TimeEstimated => t.time_estimated = to.parse().unwrap_or(t.time_estimated),
            TicketField::TimeLeft => t.time_left = to.parse().unwrap_or(t.time_left),
            TicketField::TimeWorked => t.time_worked = to.parse().unwrap_or(t.time_worked),
            TicketField::Due => t.due = parse_time(to),
            TicketField::Starts => t.starts = parse_time(to),
            TicketField::Started => t.started = parse_time(to),
            TicketField::Told => t.told = parse_time(to),
        },
        Change::CustomField { name, to, .. } => {
            if to.is_empty() {
                t.custom_fields.remove(name);
            } else {
                t.custom_fields.insert(name.clone(), to.clone());
            }
        }
        Change::AddWatcher { role, address } => {
            let list = watchers(t, *role);
            if !list.iter().any(|a| a.eq_ignore_ascii_case(address)) {
                list.push(address.clone());
            }
        }
        Change::DelWatcher { role, address } => {
            watchers(t, *role).retain(|a| !a.eq_ignore_ascii_case(address))
        }
        Change::AddLink { kind, target } => {
            if !t.links.contains(&(*kind, *target)) {
                t.links.push((*kind, *target));
                t.links.sort();
            }
        }
        Change::DeleteLink { kind, target } => t.links.retain(|l| *l != (*kind, *target)),
        Change::MergedInto { into } => t.effective_id = *into,
        Change::Merged { .. } => {}
        Change::Organization { to, .. } => t.organization = *to,
    }
    Ok(())
}

fn watchers(t: &mut Ticket, role: WatcherRole) -> &mut Vec<String> {
    match role {
        WatcherRole::Requestor => &mut t.requestors,
        WatcherRole::Cc => &mut t.cc,
        WatcherRole::AdminCc => &mut t.admin_cc,
    }
}

/// The changes a reply (or an incoming mail) makes: the correspondence itself, then the status
/// change RT's scrips make (a new, stalled or inactive ticket becomes open).
pub fn correspond(t: &Ticket) -> Vec<Change> {
    let mut v = vec![Change::Correspond];
    if let Some(to) = t.status.on_correspond() {
        v.push(Change::Status { from: t.status, to });
    }
    v
}

/// The changes that set a status, or none when it is already so.
pub fn set_status(t: &Ticket, to: Status) -> Vec<Change> {
    if t.status.may_become(to) {
        vec![Change::Status { from: t.status, to }]
    } else {
        vec![]
    }
}

/// The changes that set the owner (`None` is Nobody). Taking a new ticket also opens it, as
/// RT's "take" does in the web interface.
pub fn set_owner(t: &Ticket, to: Option<String>) -> Vec<Change> {
    if t.owner == to {
        return vec![];
    }
    vec![Change::Owner {
        from: t.owner.clone(),
        to,
    }]
}

/// The changes that make a watcher list exactly `to`.
pub fn set_watchers(t: &Ticket, role: WatcherRole, to: &[String]) -> Vec<Change> {
    let current = match role {
        WatcherRole::Requestor => &t.requestors,
        WatcherRole::Cc => &t.cc,
        WatcherRole::AdminCc => &t.admin_cc,
    };
    let mut v: Vec<Change> = current
        .iter()
        .filter(|a| !to.iter().any(|b| b.eq_ignore_ascii_case(a)))
        .map(|a| Change::DelWatcher {
            role,
            address: a.clone(),
        })
        .collect();
    for b in to {
        if !current.iter().any(|a| a.eq_ignore_ascii_case(b)) && !v.iter().any(|c| matches!(c, Change::AddWatcher { address, .. } if address.eq_ignore_ascii_case(b))) {
            v.push(Change::AddWatcher { role, address: b.clone() });
        }
    }
    v
}

/// The current text value of a plain field, as `Set` transactions record it.
pub fn field_value(t: &Ticket, field: TicketField) -> String {
    let time = |x: Option<Timestamp>| x.map(|x| x.to_string()).unwrap_or_default();
    match field {
        TicketField::Subject => t.subject.clone(),
        TicketField::Queue => t.queue.clone(),
        TicketField::Priority => t.priority.to_string(),
        TicketField::FinalPriority => t.final_priority.to_string(),
        TicketField::TimeEstimated => t.time_estimated.to_string(),
        TicketField::TimeLeft => t.time_left.to_string(),
        TicketField::TimeWorked => t.time_worked.to_string(),
        TicketField::Due => time(t.due),
        TicketField::Starts => time(t.starts),
        TicketField::Started => time(t.started),
        TicketField::Told => time(t.told),
    }
}

/// The change that sets a plain field, or none when it already has that value.
pub fn set_field(t: &Ticket, field: TicketField, to: String) -> Option<Change> {
    let to = match field {
        TicketField::Subject => super::one_line(&to),
        _ => to,
    };
    let from = field_value(t, field);
    (from != to).then_some(Change::Set { field, from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn creation() -> Creation {
        Creation {
            priority: 10,
            final_priority: 50,
            ..Creation::requested("General", "Disk full", "carol@customer.example")
        }
    }

    /// Builds a history from (time, creator, minutes, change) and replays it.
    fn history(steps: Vec<(&str, &str, i64, Change)>) -> Vec<Transaction> {
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (time, creator, minutes, change))| Transaction {
                id: i as i64 + 1,
                ticket: TicketId(7),
                at: at(time),
                creator: creator.into(),
                time_taken: minutes,
                change,
            })
            .collect()
    }

    #[test]
    fn subjects_keep_to_one_line() {
        let c = Creation::requested("General", " Disk\r\nStatus: resolved\u{0}\t! ", "a@x");
        assert_eq!(c.subject, "Disk  Status: resolved !");
        let t = replay(&history(vec![(
            "2026-01-01T00:00:00Z",
            "a@x",
            0,
            Change::Create(Box::new(creation())),
        )]))
        .unwrap();
        let Some(Change::Set { to, .. }) = set_field(&t, TicketField::Subject, "a\nb".into())
        else {
            panic!("a change");
        };
        assert_eq!(to, "a b");
    }

    #[test]
    fn replay_rebuilds_every_field() {
        let h = history(vec![
            (
                "2026-01-05T08:00:00Z",
                "carol@customer.example",
                0,
                Change::Create(Box::new(creation())),
            ),
            (
                "2026-01-05T08:10:00Z",
                "agent@example.com",
                0,
                Change::Owner {
                    from: None,
                    to: Some("agent@example.com".into()),
                },
            ),
            (
                "2026-01-05T08:15:00Z",
                "agent@example.com",
                15,
                Change::Correspond,
            ),
            (
                "2026-01-05T08:15:00Z",
                "agent@example.com",
                0,
                Change::Status {
                    from: Status::New,
                    to: Status::Open,
                },
            ),
            (
                "2026-01-05T09:00:00Z",
                "agent@example.com",
                5,
                Change::Comment,
            ),
            (
                "2026-01-05T09:01:00Z",
                "agent@example.com",
                0,
                Change::Set {
                    field: TicketField::Priority,
                    from: "10".into(),
                    to: "30".into(),
                },
            ),
            (
                "2026-01-05T09:02:00Z",
                "agent@example.com",
                0,
                Change::AddWatcher {
                    role: WatcherRole::Cc,
                    address: "boss@customer.example".into(),
                },
            ),
            (
                "2026-01-05T09:03:00Z",
                "agent@example.com",
                0,
                Change::AddLink {
                    kind: LinkKind::DependsOn,
                    target: TicketId(3),
                },
            ),
            (
                "2026-01-05T09:04:00Z",
                "agent@example.com",
                0,
                Change::CustomField {
                    name: "Site".into(),
                    from: vec![],
                    to: vec!["se-sto1".into()],
                },
            ),
            (
                "2026-01-05T10:00:00Z",
                "agent@example.com",
                0,
                Change::Status {
                    from: Status::Open,
                    to: Status::Resolved,
                },
            ),
            ("2026-01-05T10:00:01Z", "RT_System", 0, Change::EmailRecord),
        ]);
        let t = replay(&h).unwrap();
        assert_eq!(t.owner.as_deref(), Some("agent@example.com"));
        assert_eq!(t.status, Status::Resolved);
        assert_eq!(t.started, Some(at("2026-01-05T08:15:00Z")));
        assert_eq!(t.resolved, Some(at("2026-01-05T10:00:00Z")));
        assert_eq!(t.told, Some(at("2026-01-05T08:15:00Z")));
        assert_eq!(t.time_worked, 20);
        assert_eq!((t.initial_priority, t.priority), (10, 30));
        assert_eq!(t.cc, ["boss@customer.example"]);
        assert_eq!(t.links, [(LinkKind::DependsOn, TicketId(3))]);
        assert_eq!(t.custom_fields["Site"], ["se-sto1"]);
        assert_eq!(
            t.last_updated,
            at("2026-01-05T10:00:00Z"),
            "recording mail is not an update"
        );
    }

    #[test]
    fn a_history_must_start_with_its_creation() {
        assert_eq!(replay(&[]), Err(ReplayError::Empty));
        let h = history(vec![("2026-01-05T08:00:00Z", "a@b.se", 0, Change::Comment)]);
        assert_eq!(replay(&h), Err(ReplayError::NoCreation(TicketId(7))));
    }

    #[test]
    fn a_reply_from_the_requestor_does_not_count_as_told() {
        let h = history(vec![
            (
                "2026-01-05T08:00:00Z",
                "carol@customer.example",
                0,
                Change::Create(Box::new(creation())),
            ),
            (
                "2026-01-05T08:15:00Z",
                "carol@customer.example",
                0,
                Change::Correspond,
            ),
        ]);
        assert_eq!(replay(&h).unwrap().told, None);
    }

    #[test]
    fn actions_produce_rt_transactions() {
        let h = history(vec![(
            "2026-01-05T08:00:00Z",
            "carol@customer.example",
            0,
            Change::Create(Box::new(creation())),
        )]);
        let mut t = replay(&h).unwrap();
        assert_eq!(
            correspond(&t),
            [
                Change::Correspond,
                Change::Status {
                    from: Status::New,
                    to: Status::Open
                }
            ]
        );
        t.status = Status::Open;
        assert_eq!(correspond(&t), [Change::Correspond]);
        assert!(set_status(&t, Status::Open).is_empty());
        assert!(set_field(&t, TicketField::Priority, "10".into()).is_none());
        let w = set_watchers(
            &t,
            WatcherRole::Requestor,
            &["dave@x.example".into(), "DAVE@x.example".into()],
        );
        assert_eq!(w.len(), 2, "{w:?}");
        // RT 5 records every owner change as a Set of the Owner field, and a merge as AddLink.
        let take = Change::Owner {
            from: None,
            to: Some("a@x.se".into()),
        };
        assert_eq!(
            (take.rt_type("a@x.se"), take.rt_field().0),
            ("Set", "Owner")
        );
        assert_eq!(
            Change::MergedInto { into: TicketId(3) }.rt_type("a@x.se"),
            "AddLink"
        );
    }
}
