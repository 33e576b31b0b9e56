//! Tickets, as Request Tracker has them: a current state that is nothing but the fold of an
//! append-only history of transactions.
//!
//! - [`lifecycle`]: statuses and RT's default transitions.
//! - [`query`]: what a TicketSQL query means.
//! - [`queue`]: a queue's details as typed, and what a change of them may do.
//! - [`custom_fields`]: which fields a queue's tickets may carry, and their values.
//! - [`history`]: transactions and [`history::replay`], which rebuilds a ticket from them.
//!
//! **Architecture Invariant:** a ticket's current state is never changed except by appending
//! a transaction; `replay(history)` gives the stored state back exactly.

pub mod custom_fields;
pub mod history;
pub mod lifecycle;
pub mod query;
pub mod queue;

use crate::ids::OrganizationId;

/// A one-line text field as stored (a subject): line breaks and tabs become spaces, other
/// control characters go, as RT strips them, so no field can start a forged line in RT's
/// `Key: value` format or a mail header.
pub fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .filter_map(|c| match c {
            '\r' | '\n' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    spaced.trim().to_string()
}

/// A ticket number. Merged tickets keep their number, which resolves to the survivor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicketId(pub i64);

impl std::fmt::Display for TicketId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The name RT shows for a ticket without an owner.
pub const NOBODY: &str = "Nobody";

/// The kinds of links between tickets, with RT's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    RefersTo,
    ReferredToBy,
    DependsOn,
    DependedOnBy,
    MemberOf,
    Members,
}

impl LinkKind {
    pub const ALL: [LinkKind; 6] = [
        LinkKind::RefersTo,
        LinkKind::ReferredToBy,
        LinkKind::DependsOn,
        LinkKind::DependedOnBy,
        LinkKind::MemberOf,
        LinkKind::Members,
    ];

    /// RT's field name: `RefersTo`, `DependsOn`, `MemberOf` (parent), `Members` (children) …
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::RefersTo => "RefersTo",
            LinkKind::ReferredToBy => "ReferredToBy",
            LinkKind::DependsOn => "DependsOn",
            LinkKind::DependedOnBy => "DependedOnBy",
            LinkKind::MemberOf => "MemberOf",
            LinkKind::Members => "Members",
        }
    }

    /// The `Field` of RT's link transactions (RT's `%LINKDIRMAP`): the name, but `HasMember`
    /// for a child, where RT's links form says `Members`.
    pub fn transaction_field(self) -> &'static str {
        match self {
            LinkKind::Members => "HasMember",
            other => other.name(),
        }
    }

    /// The same link seen from the other ticket.
    pub fn reverse(self) -> LinkKind {
        match self {
            LinkKind::RefersTo => LinkKind::ReferredToBy,
            LinkKind::ReferredToBy => LinkKind::RefersTo,
            LinkKind::DependsOn => LinkKind::DependedOnBy,
            LinkKind::DependedOnBy => LinkKind::DependsOn,
            LinkKind::MemberOf => LinkKind::Members,
            LinkKind::Members => LinkKind::MemberOf,
        }
    }

    /// Parses RT's names, case-insensitively, with the CLI's aliases (`parent`, `child`).
    pub fn parse(raw: &str) -> Option<LinkKind> {
        let s = raw.trim().to_ascii_lowercase();
        match s.as_str() {
            "parent" => return Some(LinkKind::MemberOf),
            "child" | "children" | "hasmember" | "has-member" => return Some(LinkKind::Members),
            "dependson" | "depends-on" => return Some(LinkKind::DependsOn),
            "dependedonby" | "depended-on-by" => return Some(LinkKind::DependedOnBy),
            "refersto" | "refers-to" => return Some(LinkKind::RefersTo),
            "referredtoby" | "referred-to-by" => return Some(LinkKind::ReferredToBy),
            _ => {}
        }
        LinkKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(&s))
    }
}

/// A ticket's current state: every field RT shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    /// The ticket this one was merged into, or its own id.
    pub effective_id: TicketId,
    pub queue: String,
    pub subject: String,
    pub status: lifecycle::Status,
    /// The owner's e-mail address, or none for `Nobody`.
    pub owner: Option<String>,
    pub creator: String,
    pub requestors: Vec<String>,
    pub cc: Vec<String>,
    pub admin_cc: Vec<String>,
    pub priority: i64,
    pub initial_priority: i64,
    pub final_priority: i64,
    /// Minutes.
    pub time_worked: i64,
    pub time_estimated: i64,
    pub time_left: i64,
    pub created: jiff::Timestamp,
    pub starts: Option<jiff::Timestamp>,
    pub started: Option<jiff::Timestamp>,
    pub resolved: Option<jiff::Timestamp>,
    pub due: Option<jiff::Timestamp>,
    pub told: Option<jiff::Timestamp>,
    pub last_updated: jiff::Timestamp,
    pub last_updated_by: String,
    /// Custom field name → values, in name order.
    pub custom_fields: std::collections::BTreeMap<String, Vec<String>>,
    /// Links from this ticket, sorted.
    pub links: Vec<(LinkKind, TicketId)>,
    /// The organisation of the requestor, whose entitlements travel with the ticket.
    pub organization: Option<OrganizationId>,
}

impl Ticket {
    pub fn owner_name(&self) -> &str {
        self.owner.as_deref().unwrap_or(NOBODY)
    }

    pub fn is_merged(&self) -> bool {
        self.effective_id != self.id
    }
}
