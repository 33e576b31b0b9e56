//! The ticket use cases every channel shares (REST 1.0, REST2, `/api/v1`, the console): the
//! one way to load a ticket for an actor ([`App::ticket`]), RT's field names turned into the
//! core's changes, organisation matching, merge and link on both tickets, the SLA due time,
//! and RT's messages. Channels only translate their wire format into these calls.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use varde_core::ids::OrganizationId;
use varde_core::ticket::custom_fields;
use varde_core::ticket::history::{
    Change, Creation, TicketField, Transaction, WatcherRole, apply, correspond, set_field,
    set_owner, set_status, set_watchers,
};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, NOBODY, Ticket, TicketId};
use varde_core::values::EmailAddress;
use varde_store::Store;
use varde_store::tickets::{HistoryEntry, NewAttachment, TicketError};

use crate::{Acting, App, AppError, authorize};
use varde_core::access::{Action, Actor, Resource, can};

/// A field as a client sent it: RT's name and the text value (lists comma-separated).
pub type Fields = Vec<(String, String)>;

fn get<'a>(fields: &'a Fields, names: &[&str]) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(_, v)| v.as_str())
}

fn addresses(value: &str) -> Vec<String> {
    value
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The custom field a key names: `CF.{Name}`, `CF.Name`, `CF-Name` or `CustomField.{Name}`.
pub fn custom_field_name(key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    for prefix in ["cf.", "cf-", "customfield.", "customfield-"] {
        if lower.starts_with(prefix) {
            let name = key[prefix.len()..]
                .trim_start_matches('{')
                .trim_end_matches('}');
            return (!name.is_empty()).then(|| name.to_string());
        }
    }
    None
}

/// A date as RT clients write it: ISO 8601, `YYYY-MM-DD HH:MM:SS` (UTC), RT's
/// `Mon Nov 23 00:42:34 2026`, or nothing (`Not set`, `0`, empty, RT's 1970 epoch).
pub fn parse_date(raw: &str) -> Result<Option<Timestamp>, String> {
    let s = raw.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("not set") || s == "0" || s.starts_with("1970-01-01")
    {
        return Ok(None);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(Some(t));
    }
    let utc = |dt: DateTime| {
        dt.to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    };
    if let Ok(dt) = s.replace(' ', "T").parse::<DateTime>() {
        return utc(dt).map(Some);
    }
    if let Ok(dt) = DateTime::strptime("%a %b %d %H:%M:%S %Y", s) {
        return utc(dt).map(Some);
    }
    Err(format!("'{s}' is not a date (use YYYY-MM-DD HH:MM:SS)"))
}

fn number(field: &str, raw: &str) -> Result<i64, String> {
    let s = raw
        .trim()
        .trim_end_matches(" minutes")
        .trim_end_matches(" min");
    if s.is_empty() {
        return Ok(0);
    }
    s.parse()
        .map_err(|_| format!("{field}: '{raw}' is not a whole number"))
}

fn owner_value(raw: &str) -> Option<String> {
    let s = raw.trim();
    (!s.is_empty() && !s.eq_ignore_ascii_case(NOBODY)).then(|| s.to_string())
}

/// The organisation a ticket from these requestors belongs to: the first requestor that is a
/// known contact decides; failing that, the first whose mail domain belongs to an organisation.
pub async fn organization_of(
    store: &Store,
    requestors: &[String],
) -> varde_store::Result<Option<OrganizationId>> {
    let parsed: Vec<EmailAddress> = requestors
        .iter()
        .filter_map(|r| EmailAddress::parse(r).ok())
        .collect();
    store.organization_of_addresses(&parsed).await
}

/// A new ticket from RT fields. `default_requestor` is the requestor when none is named.
pub fn creation(
    fields: &Fields,
    default_requestor: Option<&str>,
) -> Result<Creation, CreationError> {
    let invalid = CreationError::Invalid;
    let queue = get(fields, &["Queue"])
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or(CreationError::NoQueue)?
        .to_string();
    let status = match get(fields, &["Status"])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Status::New,
        Some(s) => {
            let st = Status::parse(s).map_err(|e| invalid(e.0))?;
            if !st.may_create_in() {
                return Err(invalid(format!("a ticket cannot be created {st}")));
            }
            st
        }
    };
    let mut requestors = addresses(get(fields, &["Requestor", "Requestors"]).unwrap_or(""));
    if requestors.is_empty()
        && let Some(r) = default_requestor
    {
        requestors.push(r.to_string());
    }
    let priority = number(
        "Priority",
        get(fields, &["InitialPriority", "Priority"]).unwrap_or("0"),
    )
    .map_err(invalid)?;
    let mut custom_fields = BTreeMap::new();
    for (k, v) in fields {
        if let Some(name) = custom_field_name(k) {
            let values: Vec<String> = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if !values.is_empty() {
                custom_fields.insert(name, values);
            }
        }
    }
    Ok(Creation {
        queue,
        subject: get(fields, &["Subject"]).unwrap_or("").trim().to_string(),
        status,
        owner: get(fields, &["Owner"]).and_then(owner_value),
        requestors,
        cc: addresses(get(fields, &["Cc"]).unwrap_or("")),
        admin_cc: addresses(get(fields, &["AdminCc"]).unwrap_or("")),
        priority,
        final_priority: number(
            "FinalPriority",
            get(fields, &["FinalPriority"]).unwrap_or("0"),
        )
        .map_err(invalid)?,
        time_estimated: number(
            "TimeEstimated",
            get(fields, &["TimeEstimated"]).unwrap_or("0"),
        )
        .map_err(invalid)?,
        time_left: number("TimeLeft", get(fields, &["TimeLeft"]).unwrap_or("0"))
            .map_err(invalid)?,
        due: parse_date(get(fields, &["Due"]).unwrap_or("")).map_err(invalid)?,
        starts: parse_date(get(fields, &["Starts"]).unwrap_or("")).map_err(invalid)?,
        custom_fields,
        organization: None,
    })
}

/// Why RT fields do not make a new ticket.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreationError {
    /// No queue was named (RT's words).
    #[error("Queue not set")]
    NoQueue,
    /// A field's value cannot be read; the message says which and why.
    #[error("{0}")]
    Invalid(String),
}

/// The changes that set RT fields on a ticket. Unknown fields are refused, so that a typo is
/// never silently ignored; fields that already have the value change nothing.
pub fn plan_update(t: &Ticket, fields: &Fields) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    for (key, value) in fields {
        let k = key.trim();
        if let Some(name) = custom_field_name(k) {
            let to: Vec<String> = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let from = t.custom_fields.get(&name).cloned().unwrap_or_default();
            if from != to {
                changes.push(Change::CustomField { name, from, to });
            }
            continue;
        }
        if let Some(kind) = LinkKind::parse(k) {
            for target in addresses(value) {
                let id: i64 = target
                    .trim_start_matches("ticket/")
                    .trim_start_matches("fsck.com-rt://")
                    .parse()
                    .map_err(|_| format!("{k}: '{target}' is not a ticket number"))?;
                if !t.links.contains(&(kind, TicketId(id))) {
                    changes.push(Change::AddLink {
                        kind,
                        target: TicketId(id),
                    });
                }
            }
            continue;
        }
        match k.to_ascii_lowercase().as_str() {
            "id" | "ticket" | "action" | "text" | "content" | "contenttype" | "attachment"
            | "type" | "creator" | "created" | "lastupdated" | "resolved" | "initialpriority" => {}
            "status" => changes.extend(set_status(t, Status::parse(value).map_err(|e| e.0)?)),
            "owner" => changes.extend(set_owner(t, owner_value(value))),
            "requestor" | "requestors" => {
                changes.extend(set_watchers(t, WatcherRole::Requestor, &addresses(value)))
            }
            "cc" => changes.extend(set_watchers(t, WatcherRole::Cc, &addresses(value))),
            "admincc" => changes.extend(set_watchers(t, WatcherRole::AdminCc, &addresses(value))),
            "customfields" => {}
            other => {
                let field =
                    TicketField::parse(other).ok_or_else(|| format!("unknown field '{k}'"))?;
                let to = if field.is_date() {
                    parse_date(value)?
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                } else if field == TicketField::Subject || field == TicketField::Queue {
                    value.trim().to_string()
                } else {
                    number(k, value)?.to_string()
                };
                if field == TicketField::Queue && to.is_empty() {
                    return Err("Queue cannot be empty".into());
                }
                changes.extend(set_field(t, field, to));
            }
        }
    }
    Ok(changes)
}

/// RT's message for each change, prefixed with the ticket number as REST2 answers a PUT.
pub fn messages(id: TicketId, changes: &[Change], creator: &str) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("Ticket {id}: {}", c.describe(creator)))
        .collect()
}

/// What a reply or comment carries.
pub struct Message {
    pub content: String,
    pub content_type: String,
    pub attachments: Vec<NewAttachment>,
    pub time_taken: i64,
}

impl Message {
    pub fn attachments(&self) -> Vec<NewAttachment> {
        let mut v = Vec::new();
        if !self.content.is_empty() {
            v.push(NewAttachment {
                filename: String::new(),
                content_type: self.content_type.clone(),
                content: self.content.as_bytes().to_vec(),
            });
        }
        v.extend(self.attachments.iter().cloned());
        v
    }
}

impl App {
    /// The one way a front-end loads a ticket for an actor. A merged ticket's number gives the
    /// ticket it was merged into (followed once, as RT does), and access is decided on that
    /// ticket: an actor who may not read it gets [`AppError::NotFound`], one who may read it
    /// but not do `action` gets [`AppError::Forbidden`].
    pub async fn ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        action: Action,
    ) -> Result<Ticket, AppError> {
        let Some(mut t) = self.store.ticket(id).await? else {
            return Err(AppError::NotFound);
        };
        if t.is_merged()
            && let Some(survivor) = self.store.ticket(t.effective_id).await?
        {
            t = survivor;
        }
        let resource = Resource::Ticket(t.organization);
        if !can(actor, Action::Read, &resource) {
            return Err(AppError::NotFound);
        }
        if !can(actor, action, &resource) {
            return Err(AppError::Forbidden);
        }
        Ok(t)
    }
}

impl App {
    /// A ticket's history, oldest first, as far as the actor may read it: a customer contact
    /// never sees internal comments.
    pub async fn ticket_history(
        &self,
        actor: &Actor,
        id: TicketId,
    ) -> Result<(Ticket, Vec<HistoryEntry>), AppError> {
        let t = self.ticket(actor, id, Action::Read).await?;
        let internal = can(
            actor,
            Action::Read,
            &Resource::InternalComments(t.organization),
        );
        let mut entries = self.store.history(t.id).await?;
        entries.retain(|e| internal || !matches!(e.transaction.change, Change::Comment));
        Ok((t, entries))
    }

    /// Opens a ticket from RT fields. Staff open tickets for anyone; a customer contact opens
    /// its own: it is the requestor, whatever the fields say.
    pub async fn open_ticket(
        &self,
        by: &Acting,
        mut fields: Fields,
        message: &Message,
    ) -> Result<Ticket, AppError> {
        authorize(&by.actor, Action::Write, &Resource::TicketSystem)?;
        let for_others = can(&by.actor, Action::Write, &Resource::TicketHandling(None));
        let named =
            get(&fields, &["Requestor", "Requestors"]).is_some_and(|r| !r.trim().is_empty());
        if !for_others || !named {
            fields.retain(|(k, _)| {
                !k.eq_ignore_ascii_case("Requestor") && !k.eq_ignore_ascii_case("Requestors")
            });
            fields.push(("Requestor".into(), by.name.clone()));
        }
        let creation = creation(&fields, Some(by.name.as_str()))
            .map_err(|e| AppError::Refused(e.to_string()))?;
        Ok(open(self, &by.name, creation, message).await?)
    }

    /// Writes on a ticket: a reply to its requestors (`comment == false`, with RT's status
    /// rules: a customer's answer reopens it) or an internal comment, which only those who may
    /// read internal comments write. Time worked is kept only from those who work the ticket.
    /// A message needs text or a file.
    pub async fn post_message(
        &self,
        by: &Acting,
        id: TicketId,
        comment: bool,
        mut message: Message,
    ) -> Result<Ticket, AppError> {
        let t = self.ticket(&by.actor, id, Action::Write).await?;
        if comment
            && !can(
                &by.actor,
                Action::Write,
                &Resource::InternalComments(t.organization),
            )
        {
            return Err(AppError::Forbidden);
        }
        if message.content.trim().is_empty() && message.attachments.is_empty() {
            let mut errors = varde_core::form::FieldErrors::new();
            errors.add("content", "write a message or attach a file");
            return Err(AppError::Invalid(errors));
        }
        if !can(
            &by.actor,
            Action::Write,
            &Resource::TicketHandling(t.organization),
        ) {
            message.time_taken = 0;
        }
        message.time_taken = message.time_taken.max(0);
        Ok(respond(self, t.id, &by.name, comment, &message).await?.0)
    }
}

/// Opens a ticket, tying it to the requestor's organisation. Its custom fields must be
/// defined for its queue.
pub async fn open(
    app: &App,
    creator: &str,
    mut creation: Creation,
    message: &Message,
) -> Result<Ticket, TicketError> {
    let Some((queue, defs)) = app.store.queue_with_custom_fields(&creation.queue).await? else {
        return Err(TicketError::Refused(format!(
            "Queue '{}' does not exist",
            creation.queue
        )));
    };
    creation.custom_fields = custom_fields::check(&queue.name, &defs, &creation.custom_fields)
        .map_err(TicketError::Refused)?;
    creation.organization = organization_of(&app.store, &creation.requestors).await?;
    app.store
        .create_ticket_in(
            &queue,
            creator,
            creation,
            &message.attachments(),
            message.time_taken,
            app.now(),
        )
        .await
}

/// Adds a reply (`comment == false`) or an internal comment, with RT's status rules.
pub async fn respond(
    app: &App,
    id: TicketId,
    creator: &str,
    comment: bool,
    message: &Message,
) -> Result<(Ticket, Vec<i64>), TicketError> {
    app.store
        .change_ticket(
            id,
            creator,
            |t| {
                Ok(if comment {
                    vec![Change::Comment]
                } else {
                    correspond(t)
                })
            },
            &message.attachments(),
            message.time_taken,
            app.now(),
        )
        .await
}

/// Sets RT fields; gives the new state and RT's messages. Custom fields must be defined for
/// the ticket's queue (its new queue, when the queue changes too).
pub async fn update(
    app: &App,
    id: TicketId,
    creator: &str,
    fields: &Fields,
) -> Result<(Ticket, Vec<String>), TicketError> {
    let current = app
        .store
        .ticket(id)
        .await?
        .ok_or(TicketError::Store(varde_store::StoreError::NotFound))?;
    let queue_name = match get(fields, &["Queue"])
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        Some(q) => match app.store.queue(q).await? {
            Some(queue) => queue.name,
            None => return Err(TicketError::Refused(format!("Queue '{q}' does not exist"))),
        },
        None => current.queue.clone(),
    };
    let defs = app.store.queue_custom_fields(&queue_name).await?;
    let mut fields = fields.clone();
    for (k, v) in fields.iter_mut() {
        if k.eq_ignore_ascii_case("Queue") {
            *v = queue_name.clone();
        }
    }
    // A requestor change may move the ticket to another organisation: where the requestors
    // would belong is looked up before the write, so the move is part of the same transaction.
    let moves_requestors = |changes: &[Change]| {
        changes.iter().any(|c| {
            matches!(
                c,
                Change::AddWatcher {
                    role: WatcherRole::Requestor,
                    ..
                } | Change::DelWatcher {
                    role: WatcherRole::Requestor,
                    ..
                }
            )
        })
    };
    let predicted = match plan_update(&current, &fields) {
        Ok(changes) if moves_requestors(&changes) => {
            let requestors = after(&current, &changes).requestors;
            let org = organization_of(&app.store, &requestors).await?;
            Some((requestors, org))
        }
        _ => None,
    };
    let mut planned = Vec::new();
    let mut mispredicted = false;
    let (mut t, _) = app
        .store
        .change_ticket(
            id,
            creator,
            |t| {
                let mut changes = plan_update(t, &fields)?;
                for c in changes.iter_mut() {
                    if let Change::CustomField { name, to, .. } = c {
                        let one = BTreeMap::from([(name.clone(), to.clone())]);
                        if let Some((canonical, values)) =
                            custom_fields::check(&queue_name, &defs, &one)?
                                .into_iter()
                                .next()
                        {
                            *name = canonical;
                            *to = values;
                        }
                    }
                }
                planned = changes.clone();
                if moves_requestors(&changes) {
                    match &predicted {
                        Some((requestors, org)) if *requestors == after(t, &changes).requestors => {
                            if *org != t.organization {
                                changes.push(Change::Organization {
                                    from: t.organization,
                                    to: *org,
                                });
                            }
                        }
                        _ => mispredicted = true,
                    }
                }
                Ok(changes)
            },
            &[],
            0,
            app.now(),
        )
        .await?;
    // Only when another writer changed the requestors in between: move it afterwards.
    if mispredicted {
        let org = organization_of(&app.store, &t.requestors).await?;
        if org != t.organization {
            t = app
                .store
                .change_ticket(
                    id,
                    creator,
                    |t| {
                        Ok(vec![Change::Organization {
                            from: t.organization,
                            to: org,
                        }])
                    },
                    &[],
                    0,
                    app.now(),
                )
                .await?
                .0;
        }
    }
    Ok((t, messages(id, &planned, creator)))
}

/// The ticket as `changes` would leave it (the core's replay), to see where its requestors
/// belong before writing.
fn after(t: &Ticket, changes: &[Change]) -> Ticket {
    let mut copy = t.clone();
    for change in changes {
        let tx = Transaction {
            id: 0,
            ticket: t.id,
            at: t.last_updated,
            creator: String::new(),
            time_taken: 0,
            change: change.clone(),
        };
        // A change that does not replay leaves the copy as it was; the write itself reports it.
        let _ = apply(&mut copy, &tx);
    }
    copy
}

/// Merges ticket `from` into `into`: both histories record it, and `from` resolves to `into`.
pub async fn merge(
    app: &App,
    from: TicketId,
    into: TicketId,
    creator: &str,
) -> Result<(), TicketError> {
    if from == into {
        return Err(TicketError::Refused(
            "a ticket cannot be merged into itself".into(),
        ));
    }
    let target = app
        .store
        .ticket(into)
        .await?
        .ok_or_else(|| TicketError::Refused(format!("ticket {into} does not exist")))?;
    let into = target.effective_id;
    // Both tickets change in one transaction: never a ticket merged into one that does not
    // know it.
    app.store
        .change_ticket_pair(
            from,
            into,
            creator,
            |t, survivor| {
                if t.is_merged() {
                    Err(format!("ticket {from} is already merged"))
                } else if survivor.is_merged() {
                    Err(format!("ticket {into} was merged meanwhile; try again"))
                } else if t.organization != survivor.organization {
                    // The survivor's customer would read this ticket's mail.
                    Err(format!(
                        "ticket {from} and ticket {into} belong to different organisations; \
                         a merge would show one customer's correspondence to the other"
                    ))
                } else {
                    Ok((
                        vec![Change::MergedInto { into }],
                        vec![Change::Merged { from }],
                    ))
                }
            },
            app.now(),
        )
        .await?;
    Ok(())
}

/// Links two tickets, recording the link on both.
pub async fn link(
    app: &App,
    from: TicketId,
    kind: LinkKind,
    to: TicketId,
    creator: &str,
    remove: bool,
) -> Result<(), TicketError> {
    if app.store.ticket(to).await?.is_none() {
        return Err(TicketError::Refused(format!("ticket {to} does not exist")));
    }
    let change = |t: &Ticket, k: LinkKind, target: TicketId| {
        let has = t.links.contains(&(k, target));
        match (remove, has) {
            (false, false) => vec![Change::AddLink { kind: k, target }],
            (true, true) => vec![Change::DeleteLink { kind: k, target }],
            _ => vec![],
        }
    };
    // The link is recorded on both tickets in one transaction.
    app.store
        .change_ticket_pair(
            from,
            to,
            creator,
            |a, b| Ok((change(a, kind, to), change(b, kind.reverse(), from))),
            app.now(),
        )
        .await?;
    Ok(())
}

/// RT's take, untake and steal: what the acting user does to a ticket's owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerAction {
    Take,
    Untake,
    Steal,
}

impl OwnerAction {
    /// The action as RT's clients name it (`take`, `untake`, `steal`, any case).
    pub fn parse(name: &str) -> Option<OwnerAction> {
        match name.trim().to_ascii_lowercase().as_str() {
            "take" => Some(OwnerAction::Take),
            "untake" => Some(OwnerAction::Untake),
            "steal" => Some(OwnerAction::Steal),
            _ => None,
        }
    }
}

/// Who owns the ticket after `action` by `me`.
fn target_owner(action: OwnerAction, me: &str) -> &str {
    match action {
        OwnerAction::Untake => NOBODY,
        _ => me,
    }
}

/// Takes, untakes or steals a ticket for `me`, with RT's rules and words: take only an
/// unowned ticket, untake only one's own, steal only one owned by someone else. Gives RT's message
/// (`Owner changed from Nobody to …`), or its refusal as [`TicketError::Refused`].
pub async fn set_own(
    app: &App,
    t: &Ticket,
    me: &str,
    action: OwnerAction,
) -> Result<String, TicketError> {
    let mine = t.owner.as_deref() == Some(me);
    // RT's words, from `RT::Ticket::SetOwner` and `Steal` (checked against RT 5.0.3).
    let refusal = match action {
        OwnerAction::Take | OwnerAction::Untake
            if t.owner.as_deref().unwrap_or(NOBODY) == target_owner(action, me) =>
        {
            Some("That user already owns that ticket")
        }
        OwnerAction::Steal if mine => Some("You already own this ticket"),
        OwnerAction::Take if t.owner.is_some() => {
            Some("You can only take tickets that are unowned")
        }
        OwnerAction::Untake if !mine => Some("You can only untake tickets you own"),
        OwnerAction::Steal if t.owner.is_none() => {
            Some("You can only steal a ticket owned by someone else")
        }
        _ => None,
    };
    if let Some(m) = refusal {
        return Err(TicketError::Refused(m.into()));
    }
    let to = target_owner(action, me).to_string();
    let from = t.owner.clone().unwrap_or_else(|| NOBODY.to_string());
    update(app, t.id, me, &vec![("Owner".to_string(), to.clone())]).await?;
    Ok(format!("Owner changed from {from} to {to}"))
}

/// RT's `Due` as RT's SLA sets it, for several tickets at once: the earliest deadline among
/// each ticket's SLA targets not yet met (see [`App::sla_of`]). A `Due` set by hand wins; a
/// ticket with nothing left to meet has none. When the database cannot be read the tickets
/// show no `Due` rather than fail the whole answer (it is logged).
pub async fn due_of(
    app: &App,
    tickets: &[Ticket],
) -> std::collections::HashMap<TicketId, Timestamp> {
    let mut out: std::collections::HashMap<TicketId, Timestamp> = tickets
        .iter()
        .filter_map(|t| Some((t.id, t.due?)))
        .collect();
    if out.len() == tickets.len() {
        return out;
    }
    let waiting = || tickets.iter().filter(|t| t.due.is_none());
    match app.sla_of(waiting()).await {
        Ok(slas) => {
            out.extend(waiting().filter_map(|t| Some((t.id, crate::sla::due(t, slas.get(&t.id))?))))
        }
        Err(e) => tracing::error!(error = %e, "RT's Due: the SLA could not be read"),
    }
    out
}

/// `due_of` for one ticket.
pub async fn due(app: &App, t: &Ticket) -> Option<Timestamp> {
    due_of(app, std::slice::from_ref(t)).await.remove(&t.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_clients_send_them() {
        let want: Timestamp = "2026-11-23T00:42:34Z".parse().unwrap();
        for s in [
            "2026-11-23T00:42:34Z",
            "2026-11-23 00:42:34",
            "Mon Nov 23 00:42:34 2026",
        ] {
            assert_eq!(parse_date(s), Ok(Some(want)), "{s}");
        }
        for s in ["", "Not set", "1970-01-01T00:00:00Z", "0"] {
            assert_eq!(parse_date(s), Ok(None), "{s}");
        }
        assert!(parse_date("next week").is_err());
    }

    #[test]
    fn custom_field_spellings() {
        for k in ["CF.{Site}", "CF.Site", "CF-Site", "CustomField.{Site}"] {
            assert_eq!(custom_field_name(k).as_deref(), Some("Site"), "{k}");
        }
        assert_eq!(custom_field_name("Subject"), None);
    }

    #[test]
    fn creation_defaults_and_refusals() {
        let f: Fields = vec![
            ("Queue".into(), "General".into()),
            ("Subject".into(), "Hi".into()),
            ("CF.{Site}".into(), "se-sto1".into()),
        ];
        let c = creation(&f, Some("root@example.com")).unwrap();
        assert_eq!(c.requestors, ["root@example.com"]);
        assert_eq!(c.status, Status::New);
        assert_eq!(c.custom_fields["Site"], ["se-sto1"]);
        assert_eq!(
            creation(&vec![("Subject".into(), "x".into())], Some("a@b.se")).unwrap_err(),
            CreationError::NoQueue
        );
        let f: Fields = vec![
            ("Queue".into(), "General".into()),
            ("Status".into(), "stalled".into()),
        ];
        assert!(creation(&f, Some("a@b.se")).is_err());
    }
}
