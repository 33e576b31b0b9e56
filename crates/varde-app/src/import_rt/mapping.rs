//! RT's rows of one ticket into Varde's history, pure.
//!
//! RT keeps a ticket's current state and a list of transactions, but its `Create`
//! transaction does not say what the ticket was created with. So the history is read
//! backwards from the current state (RT's `Tickets` row, role groups, custom field values and
//! links): each transaction is mapped onto a core [`Change`] with the state as it was just
//! after it, and then undone, until what is left is the state at creation. Replaying the
//! changes forwards from that creation gives RT's current state back.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use varde_core::ids::OrganizationId;
use varde_core::ticket::history::{Change, Creation, TicketField, Transaction, WatcherRole, apply};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, Ticket, TicketId, one_line};
use varde_store::import::{ImportTicket, ImportTransaction};
use varde_store::rt_source::{
    RtAttachment, RtCustomFieldValue, RtLink, RtTicket, RtTransaction, RtUser, RtWatcher,
};

use super::decode::message;

/// What the mapping needs to know about the RT installation as a whole.
#[derive(Clone, Debug, Default)]
pub struct Lookups {
    pub users: HashMap<i64, RtUser>,
    pub queues: HashMap<i64, String>,
    pub custom_fields: HashMap<i64, String>,
    /// RT's `$rtname`, which its link URIs carry; any when not given.
    pub rtname: Option<String>,
}

impl Lookups {
    /// How Varde names an RT user: its e-mail address (lower case), else its user name
    /// (`RT_System`, `Nobody`).
    pub fn address(&self, user: i64) -> String {
        match self.users.get(&user) {
            Some(u) if !u.email.trim().is_empty() => u.email.trim().to_lowercase(),
            Some(u) => u.name.clone(),
            None => format!("rt-user-{user}"),
        }
    }

    /// An owner: none for RT's `Nobody`.
    fn owner(&self, value: &str) -> Option<String> {
        let id: i64 = value.trim().parse().ok()?;
        match self.users.get(&id) {
            Some(u) if u.name == "Nobody" => None,
            None if id == 0 => None,
            _ => Some(self.address(id)),
        }
    }

    fn queue(&self, value: &str) -> String {
        value
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| self.queues.get(&id).cloned())
            .unwrap_or_else(|| value.to_string())
    }

    /// The ticket number in an RT link URI (`fsck.com-rt://NAME/ticket/N`, or a bare number).
    fn ticket_of(&self, uri: &str) -> Option<i64> {
        let uri = uri.trim();
        if let Ok(n) = uri.parse() {
            return Some(n);
        }
        let rest = uri.strip_prefix("fsck.com-rt://")?;
        let (name, number) = rest.split_once("/ticket/")?;
        match &self.rtname {
            Some(rtname) if !rtname.eq_ignore_ascii_case(name) => None,
            _ => number.parse().ok(),
        }
    }
}

/// RT's `YYYY-MM-DD HH:MM:SS` (UTC); none for the empty and the `1970-01-01` "not set".
pub fn rt_time(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    if raw.is_empty() || raw.starts_with("1970-01-01") {
        return None;
    }
    let civil: jiff::civil::DateTime = raw.replace(' ', "T").parse().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

fn time_text(raw: &str) -> String {
    rt_time(raw).map(|t| t.to_string()).unwrap_or_default()
}

/// The rows of one ticket, as `RtSource::tickets` read them.
pub struct RtRows<'a> {
    pub ticket: &'a RtTicket,
    pub transactions: Vec<&'a RtTransaction>,
    pub attachments: HashMap<i64, Vec<&'a RtAttachment>>,
    pub watchers: Vec<&'a RtWatcher>,
    pub values: Vec<&'a RtCustomFieldValue>,
    pub links: Vec<&'a RtLink>,
}

/// A ticket as Varde will keep it, and what of it could not be kept.
#[derive(Debug)]
pub struct Mapped {
    pub ticket: ImportTicket,
    pub notes: Vec<String>,
}

/// The requestors RT has for the ticket now, by address.
pub fn requestors(rows: &RtRows, lk: &Lookups) -> Vec<String> {
    rows.watchers
        .iter()
        .filter(|w| w.role == "Requestor" && lk.users.contains_key(&w.principal))
        .map(|w| lk.address(w.principal))
        .collect()
}

/// Maps one RT ticket; an error says why the ticket cannot be imported at all.
pub fn map_ticket(
    rows: &RtRows,
    lk: &Lookups,
    organization: Option<OrganizationId>,
) -> Result<Mapped, String> {
    let rt = rows.ticket;
    let mut notes = vec![];
    let mut state = current_state(rows, lk, &mut notes)?;
    let create = rows
        .transactions
        .iter()
        .position(|x| x.kind == "Create")
        .ok_or("it has no Create transaction")?;
    let merges = merges_of(rt.id, &rows.links, lk);
    let mut later: Vec<(&RtTransaction, Change)> = vec![];
    for x in rows.transactions[create + 1..].iter().rev() {
        match change_of(x, &state, lk, &merges) {
            Ok(Some(change)) => {
                undo(&mut state, &change);
                later.push((x, change));
            }
            Ok(None) => {}
            Err(why) => notes.push(format!("transaction {} ({}): {why}", x.id, x.kind)),
        }
    }
    later.reverse();
    let first = rows.transactions[create];
    let created = rt_time(&first.created)
        .or_else(|| rt_time(&rt.created))
        .ok_or("it has no creation time")?;
    let creator = lk.address(first.creator);
    let mut history = vec![transaction(
        first,
        Change::Create(Box::new(creation(&state, organization))),
        created,
        rows,
        lk,
        &mut notes,
    )];
    // Links and a merge RT made without a transaction on this ticket are there from the start.
    for (kind, target) in &state.links {
        let change = Change::AddLink {
            kind: *kind,
            target: *target,
        };
        history.push(synthetic(first.id, created, &creator, change));
    }
    if state.effective_id.0 != rt.id {
        history.push(synthetic(
            first.id,
            created,
            &creator,
            Change::MergedInto {
                into: state.effective_id,
            },
        ));
    }
    for (x, change) in later {
        let at = rt_time(&x.created).unwrap_or(created);
        history.push(transaction(x, change, at, rows, lk, &mut notes));
    }
    Ok(Mapped {
        ticket: ImportTicket {
            id: TicketId(rt.id),
            history,
            rt_last_transaction: rows.transactions.last().map(|x| x.id).unwrap_or(0),
            rt_last_updated: rt.last_updated.clone(),
        },
        notes,
    })
}

fn synthetic(rt_id: i64, at: Timestamp, creator: &str, change: Change) -> ImportTransaction {
    ImportTransaction {
        rt_id,
        at,
        creator: creator.to_string(),
        time_taken: 0,
        change,
        attachments: vec![],
        message_id: None,
    }
}

fn transaction(
    x: &RtTransaction,
    change: Change,
    at: Timestamp,
    rows: &RtRows,
    lk: &Lookups,
    notes: &mut Vec<String>,
) -> ImportTransaction {
    let parts = rows
        .attachments
        .get(&x.id)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let (attachments, message_id, problems) = message(parts);
    notes.extend(
        problems
            .into_iter()
            .map(|p| format!("transaction {}: {p}", x.id)),
    );
    ImportTransaction {
        rt_id: x.id,
        at,
        creator: lk.address(x.creator),
        time_taken: x.time_taken,
        change,
        attachments,
        message_id,
    }
}

fn creation(s: &Ticket, organization: Option<OrganizationId>) -> Creation {
    Creation {
        queue: s.queue.clone(),
        subject: one_line(&s.subject),
        status: s.status,
        owner: s.owner.clone(),
        requestors: s.requestors.clone(),
        cc: s.cc.clone(),
        admin_cc: s.admin_cc.clone(),
        priority: s.priority,
        final_priority: s.final_priority,
        time_estimated: s.time_estimated,
        time_left: s.time_left,
        due: s.due,
        starts: s.starts,
        custom_fields: s.custom_fields.clone(),
        organization,
    }
}

fn status(raw: &str) -> Result<Status, String> {
    Status::parse(&raw.to_lowercase())
        .map_err(|_| format!("the status '{raw}' is not one of RT's default lifecycle"))
}

/// RT's ticket as it is now.
fn current_state(rows: &RtRows, lk: &Lookups, notes: &mut Vec<String>) -> Result<Ticket, String> {
    let rt = rows.ticket;
    let created = rt_time(&rt.created).ok_or("it has no creation time")?;
    let mut t = Ticket {
        id: TicketId(rt.id),
        effective_id: TicketId(rt.effective_id),
        queue: lk.queue(&rt.queue.to_string()),
        subject: one_line(&rt.subject),
        status: status(&rt.status)?,
        owner: lk.owner(&rt.owner.to_string()),
        creator: lk.address(rt.creator),
        requestors: vec![],
        cc: vec![],
        admin_cc: vec![],
        priority: rt.priority,
        initial_priority: rt.initial_priority,
        final_priority: rt.final_priority,
        time_worked: rt.time_worked,
        time_estimated: rt.time_estimated,
        time_left: rt.time_left,
        created,
        starts: rt_time(&rt.starts),
        started: rt_time(&rt.started),
        resolved: rt_time(&rt.resolved),
        due: rt_time(&rt.due),
        told: rt_time(&rt.told),
        last_updated: rt_time(&rt.last_updated).unwrap_or(created),
        last_updated_by: String::new(),
        custom_fields: BTreeMap::new(),
        links: vec![],
        organization: None,
    };
    for w in &rows.watchers {
        let Some(role) = role(&w.role) else { continue };
        if !lk.users.contains_key(&w.principal) {
            notes.push(format!(
                "a group is {} (principal {}); groups are not imported as watchers",
                w.role, w.principal
            ));
            continue;
        }
        let list = watchers(&mut t, role);
        let a = lk.address(w.principal);
        if !list.contains(&a) {
            list.push(a);
        }
    }
    for v in &rows.values {
        match lk.custom_fields.get(&v.custom_field) {
            Some(name) => t
                .custom_fields
                .entry(name.clone())
                .or_default()
                .push(v.content.clone()),
            None => notes.push(format!(
                "a value of the unknown custom field {}",
                v.custom_field
            )),
        }
    }
    t.links = links_of(rt.id, &rows.links, lk, notes);
    Ok(t)
}

fn role(name: &str) -> Option<WatcherRole> {
    match name {
        "Requestor" | "Requestors" => Some(WatcherRole::Requestor),
        "Cc" => Some(WatcherRole::Cc),
        "AdminCc" => Some(WatcherRole::AdminCc),
        _ => None,
    }
}

fn watchers(t: &mut Ticket, role: WatcherRole) -> &mut Vec<String> {
    match role {
        WatcherRole::Requestor => &mut t.requestors,
        WatcherRole::Cc => &mut t.cc,
        WatcherRole::AdminCc => &mut t.admin_cc,
    }
}

/// The ticket's links, both ways, as Varde keeps them (merges are not links there). RT's
/// URIs say whose a link is: RT files a merged ticket's links under its survivor.
fn links_of(
    id: i64,
    links: &[&RtLink],
    lk: &Lookups,
    notes: &mut Vec<String>,
) -> Vec<(LinkKind, TicketId)> {
    let mut v = vec![];
    for l in links.iter().filter(|l| l.kind != "MergedInto") {
        let (base, target) = (lk.ticket_of(&l.base), lk.ticket_of(&l.target));
        let Some(kind) = LinkKind::parse(&l.kind) else {
            notes.push(format!("a link of kind {}", l.kind));
            continue;
        };
        let found = if base == Some(id) {
            target.map(|n| (kind, n))
        } else if target == Some(id) {
            base.map(|n| (kind.reverse(), n))
        } else if base.is_none() && l.local_base == id || target.is_none() && l.local_target == id {
            None
        } else {
            continue;
        };
        match found {
            Some((kind, n)) => v.push((kind, TicketId(n))),
            None => notes.push(format!(
                "the link {} {} → {} is not between tickets of this RT",
                l.kind, l.base, l.target
            )),
        }
    }
    v.sort();
    v.dedup();
    v
}

/// The merges this ticket took part in, as (merged ticket, survivor, when).
fn merges_of(id: i64, links: &[&RtLink], lk: &Lookups) -> Vec<(i64, i64, String)> {
    links
        .iter()
        .filter(|l| l.kind == "MergedInto")
        .filter_map(|l| {
            Some((
                lk.ticket_of(&l.base)?,
                lk.ticket_of(&l.target)?,
                l.created.clone(),
            ))
        })
        .filter(|(merged, survivor, _)| *merged == id || *survivor == id)
        .collect()
}

/// The change an RT transaction made, given the state just after it; `None` for what has
/// no effect to keep.
fn change_of(
    x: &RtTransaction,
    s: &Ticket,
    lk: &Lookups,
    merges: &[(i64, i64, String)],
) -> Result<Option<Change>, String> {
    let field = x.field.as_str();
    Ok(Some(match (x.kind.as_str(), field) {
        ("Correspond", _) => Change::Correspond,
        ("Comment", _) => Change::Comment,
        ("EmailRecord" | "CommentEmailRecord" | "Forward Transaction" | "Forward Ticket", _) => {
            Change::EmailRecord
        }
        ("Status", _) | ("Set", "Status") => Change::Status {
            from: status(&x.old_value)?,
            to: status(&x.new_value)?,
        },
        // RT 4.4 and later record an owner change twice, as a Set and as a SetWatcher.
        ("SetWatcher", "Owner") => return Ok(None),
        ("Take" | "Untake" | "Steal" | "Give" | "Force", _) | ("Set", "Owner") => Change::Owner {
            from: lk.owner(&x.old_value),
            to: lk.owner(&x.new_value),
        },
        ("Set", "Queue") => Change::Set {
            field: TicketField::Queue,
            from: lk.queue(&x.old_value),
            to: lk.queue(&x.new_value),
        },
        ("Told", _) => set(TicketField::Told, &x.old_value, &x.new_value),
        ("Set", f) => match TicketField::parse(f) {
            Some(field) => set(field, &x.old_value, &x.new_value),
            None => return Err(format!("Varde keeps no field {f}")),
        },
        ("AddWatcher" | "DelWatcher", f) => return watcher_change(x, f, lk).map(Some),
        ("AddLink" | "DeleteLink", "MergedInto") => {
            return merge_change(x, s, lk, merges).map(Some);
        }
        ("AddLink" | "DeleteLink", f) => return link_change(x, f, lk).map(Some),
        ("CustomField", _) => return custom_field_change(x, s, lk).map(Some),
        ("AddReminder" | "OpenReminder" | "ResolveReminder", _) => {
            return Err("reminders are not imported".into());
        }
        (kind, _) => {
            return Err(format!(
                "RT's transaction type {kind} has no place in Varde's history"
            ));
        }
    }))
}

fn set(field: TicketField, old: &str, new: &str) -> Change {
    let value = |v: &str| {
        if field.is_date() {
            time_text(v)
        } else {
            v.to_string()
        }
    };
    Change::Set {
        field,
        from: value(old),
        to: value(new),
    }
}

fn watcher_change(x: &RtTransaction, field: &str, lk: &Lookups) -> Result<Change, String> {
    let role = role(field).ok_or_else(|| format!("the role {field} is not kept by Varde"))?;
    let principal = if x.kind == "AddWatcher" {
        &x.new_value
    } else {
        &x.old_value
    };
    let id: i64 = principal
        .trim()
        .parse()
        .map_err(|_| format!("the principal '{principal}'"))?;
    if !lk.users.contains_key(&id) {
        return Err(format!(
            "principal {id} is a group; groups are not imported as watchers"
        ));
    }
    let address = lk.address(id);
    Ok(if x.kind == "AddWatcher" {
        Change::AddWatcher { role, address }
    } else {
        Change::DelWatcher { role, address }
    })
}

/// A merge as one of its tickets records it. RT 5 writes the survivor's URI on both sides,
/// older RTs the other ticket's; the `Links` row (closest in time) says which ticket went.
fn merge_change(
    x: &RtTransaction,
    s: &Ticket,
    lk: &Lookups,
    merges: &[(i64, i64, String)],
) -> Result<Change, String> {
    let uri = if x.kind == "AddLink" {
        &x.new_value
    } else {
        &x.old_value
    };
    let n = lk
        .ticket_of(uri)
        .ok_or_else(|| format!("the merge with {uri}"))?;
    if x.kind == "DeleteLink" {
        return Err("an undone merge is not imported".into());
    }
    let id = s.id.0;
    if merges.iter().any(|(m, v, _)| *m == id && *v == n)
        || n != id && s.effective_id.0 != id && !merges.iter().any(|(m, v, _)| *m == n && *v == id)
    {
        return Ok(Change::MergedInto { into: TicketId(n) });
    }
    if n != id {
        return Ok(Change::Merged { from: TicketId(n) });
    }
    let from = merges
        .iter()
        .filter(|(m, v, _)| *v == id && *m != id)
        .min_by_key(|(_, _, at)| (*at != x.created, at.clone()))
        .map(|(m, _, _)| *m)
        .ok_or("a merge into this ticket whose merged ticket RT does not record")?;
    Ok(Change::Merged {
        from: TicketId(from),
    })
}

fn link_change(x: &RtTransaction, field: &str, lk: &Lookups) -> Result<Change, String> {
    let kind = LinkKind::parse(field).ok_or_else(|| format!("the link kind {field}"))?;
    let uri = if x.kind == "AddLink" {
        &x.new_value
    } else {
        &x.old_value
    };
    let target = TicketId(
        lk.ticket_of(uri)
            .ok_or_else(|| format!("the link to {uri} is not to a ticket of this RT"))?,
    );
    Ok(if x.kind == "AddLink" {
        Change::AddLink { kind, target }
    } else {
        Change::DeleteLink { kind, target }
    })
}

fn custom_field_change(x: &RtTransaction, s: &Ticket, lk: &Lookups) -> Result<Change, String> {
    let id: i64 = x
        .field
        .trim()
        .parse()
        .map_err(|_| format!("the custom field '{}'", x.field))?;
    let name = lk
        .custom_fields
        .get(&id)
        .ok_or_else(|| format!("the unknown custom field {id}"))?;
    let to = s.custom_fields.get(name).cloned().unwrap_or_default();
    let mut from = to.clone();
    if let Some(i) = from.iter().position(|v| !v.is_empty() && *v == x.new_value) {
        from.remove(i);
    }
    if !x.old_value.is_empty() {
        from.push(x.old_value.clone());
    }
    Ok(Change::CustomField {
        name: name.clone(),
        from,
        to,
    })
}

/// Takes `change` back from the state, as the core's `apply` of its inverse.
fn undo(s: &mut Ticket, change: &Change) {
    let inverse = match change.clone() {
        Change::Status { from, to } => Change::Status { from: to, to: from },
        Change::Owner { from, to } => Change::Owner { from: to, to: from },
        Change::Set { field, from, to } => Change::Set {
            field,
            from: to,
            to: from,
        },
        Change::CustomField { name, from, to } => Change::CustomField {
            name,
            from: to,
            to: from,
        },
        Change::AddWatcher { role, address } => Change::DelWatcher { role, address },
        Change::DelWatcher { role, address } => Change::AddWatcher { role, address },
        Change::AddLink { kind, target } => Change::DeleteLink { kind, target },
        Change::DeleteLink { kind, target } => Change::AddLink { kind, target },
        Change::MergedInto { .. } => {
            s.effective_id = s.id;
            return;
        }
        _ => return,
    };
    let tx = Transaction {
        id: 0,
        ticket: s.id,
        at: s.created,
        creator: String::new(),
        time_taken: 0,
        change: inverse,
    };
    // Undoing never creates; apply only fails on a second creation.
    let _ = apply(s, &tx);
}

/// Where the replayed ticket differs from RT's row, in RT's field names: what an
/// administrator should know (RT changes some fields without a transaction).
pub fn differences(replayed: &Ticket, rt: &RtTicket, lk: &Lookups) -> Vec<String> {
    let mut v = vec![];
    let mut check = |name: &str, ours: String, theirs: String| {
        if ours != theirs {
            v.push(format!(
                "{name} is '{ours}' from the history, '{theirs}' in RT"
            ));
        }
    };
    let time = |t: Option<Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
    check(
        "Status",
        replayed.status.code().into(),
        rt.status.to_lowercase(),
    );
    check(
        "Owner",
        replayed.owner.clone().unwrap_or_default(),
        lk.owner(&rt.owner.to_string()).unwrap_or_default(),
    );
    check(
        "Queue",
        replayed.queue.clone(),
        lk.queue(&rt.queue.to_string()),
    );
    check(
        "Priority",
        replayed.priority.to_string(),
        rt.priority.to_string(),
    );
    check(
        "TimeWorked",
        replayed.time_worked.to_string(),
        rt.time_worked.to_string(),
    );
    check(
        "EffectiveId",
        replayed.effective_id.to_string(),
        rt.effective_id.to_string(),
    );
    // RT keeps a reopened ticket's Resolved date; Varde clears it.
    if replayed.status.is_inactive() {
        check("Resolved", time(replayed.resolved), time_text(&rt.resolved));
    }
    v
}
