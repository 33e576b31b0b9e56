//! The ticket use cases every channel shares (REST 1.0, REST2, `/api/v1`, the console): the
//! one way to load a ticket for an actor ([`App::ticket`]), RT's field names turned into the
//! core's changes, organisation matching, merge and link on both tickets, the SLA due time,
//! and RT's messages. Channels only translate their wire format into these calls. RT's fields
//! themselves are read in [`fields`].

use std::collections::BTreeMap;

use jiff::Timestamp;
use varde_core::ids::OrganizationId;
use varde_core::ticket::custom_fields;
use varde_core::ticket::history::{Change, Creation, Transaction, WatcherRole, apply, correspond};
use varde_core::ticket::{LinkKind, NOBODY, Ticket, TicketId};
use varde_core::values::{EmailAddress, Language};
use varde_store::tickets::{AttachmentInfo, HistoryEntry, NewAttachment, TicketError};
use varde_store::{Store, StoreError};

use crate::{Acting, App, AppError, authorize};
use varde_core::access::{Action, Actor, Resource, can};

mod fields;

pub use fields::*;

/// Who a ticket's first requestor is, as far as the customer database knows.
#[derive(Clone, Debug)]
pub struct Requestor {
    /// The contact's name, else the address.
    pub name: String,
    /// The contact's language, else the organisation's, else English.
    pub language: Language,
    pub organization: String,
}

/// The ticket's first requestor: its contact's name and language, else its organisation's
/// language, else English.
pub async fn requestor_of(store: &Store, t: &Ticket) -> Result<Requestor, StoreError> {
    let address = t.requestors.first().cloned().unwrap_or_default();
    let org = match t.organization {
        Some(o) => store.organization(o).await?,
        None => None,
    };
    let contact = match EmailAddress::parse(&address) {
        Ok(a) => store.contact_by_email(&a).await?,
        Err(_) => None,
    };
    Ok(Requestor {
        name: contact
            .as_ref()
            .map(|c| c.details.name.clone())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(address),
        language: contact
            .map(|c| c.details.language)
            .or(org.as_ref().map(|o| o.details.language))
            .unwrap_or(Language::English),
        organization: org.map(|o| o.details.name).unwrap_or_default(),
    })
}

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
        let resource = Resource::Ticket {
            organization: t.organization,
            theirs: self.theirs(actor, &t).await?,
        };
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
    /// Whether `actor` is a customer contact among the ticket's requestors or Cc. Asked only
    /// where it matters: of a contact whose organisation lets it see only its own tickets.
    async fn theirs(&self, actor: &Actor, t: &Ticket) -> Result<bool, AppError> {
        let Some(user) = actor.sees_only_own() else {
            return Ok(false);
        };
        let Some(account) = self.store.account(user).await? else {
            return Ok(false);
        };
        let me = account.email.as_str().to_lowercase();
        Ok(t.requestors
            .iter()
            .chain(&t.cc)
            .any(|a| a.trim().to_lowercase() == me))
    }

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

    /// An attachment of a ticket the actor reads, with its content: only one of the
    /// transactions the actor may see (a contact never gets an internal comment's file).
    pub async fn ticket_attachment(
        &self,
        actor: &Actor,
        id: TicketId,
        attachment: i64,
    ) -> Result<(AttachmentInfo, Vec<u8>), AppError> {
        let (_, history) = self.ticket_history(actor, id).await?;
        let info = history
            .into_iter()
            .flat_map(|e| e.attachments)
            .find(|a| a.id == attachment)
            .ok_or(AppError::NotFound)?;
        let content = self
            .store
            .attachment_content(attachment)
            .await?
            .unwrap_or_default();
        Ok((info, content))
    }

    /// Logs a phone call on a ticket as its own transaction, with the agent's notes and the
    /// minutes worked: staff who work the ticket.
    pub async fn log_call(
        &self,
        by: &Acting,
        id: TicketId,
        caller_name: &str,
        minutes: i64,
        notes: &str,
    ) -> Result<Ticket, AppError> {
        let t = self.ticket(&by.actor, id, Action::Write).await?;
        if !can(
            &by.actor,
            Action::Write,
            &Resource::TicketHandling(t.organization),
        ) {
            return Err(AppError::Forbidden);
        }
        if caller_name.trim().is_empty() {
            return Err(AppError::Refused("name the caller".into()));
        }
        if minutes < 0 {
            return Err(AppError::Refused(
                "a call lasts zero or more minutes".into(),
            ));
        }
        let attachments = if notes.trim().is_empty() {
            vec![]
        } else {
            vec![NewAttachment::text(notes)]
        };
        let caller = caller_name.trim().to_string();
        let (t, _) = self
            .store
            .change_ticket(
                t.id,
                &by.name,
                |_| Ok(vec![Change::PhoneCall { caller, minutes }]),
                &attachments,
                minutes,
                self.now(),
            )
            .await?;
        Ok(t)
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
    creation: Creation,
    message: &Message,
) -> Result<Ticket, TicketError> {
    let (queue, _, creation) = checked(app, creation).await?;
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

/// A creation as it is opened: its queue (with the queue's custom fields), its custom fields
/// as the queue defines them, and the requestors' organisation.
/// Why a disabled queue takes no ticket from an agent or a script (mail still lands: a
/// customer's message is never turned away).
fn disabled(queue: &str) -> TicketError {
    TicketError::Refused(format!(
        "Queue '{queue}' is disabled; an administrator enables it again or picks another"
    ))
}

async fn checked(
    app: &App,
    mut creation: Creation,
) -> Result<
    (
        varde_store::tickets::Queue,
        Vec<custom_fields::CustomFieldDef>,
        Creation,
    ),
    TicketError,
> {
    let Some((queue, defs)) = app.store.queue_with_custom_fields(&creation.queue).await? else {
        return Err(TicketError::Refused(format!(
            "Queue '{}' does not exist",
            creation.queue
        )));
    };
    if queue.disabled {
        return Err(disabled(&queue.name));
    }
    creation.custom_fields = custom_fields::check(&queue.name, &defs, &creation.custom_fields)
        .map_err(TicketError::Refused)?;
    creation.organization = organization_of(&app.store, &creation.requestors).await?;
    Ok((queue, defs, creation))
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
            Some(queue) if queue.disabled && queue.name != current.queue => {
                return Err(disabled(&queue.name));
            }
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
                canonical_custom_fields(&queue_name, &defs, &mut changes)?;
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

/// Whether `changes` add or remove a requestor (which may move the ticket to another
/// organisation).
fn moves_requestors(changes: &[Change]) -> bool {
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
}

/// Custom-field changes named and valued as the queue defines them, or why not.
fn canonical_custom_fields(
    queue: &str,
    defs: &[custom_fields::CustomFieldDef],
    changes: &mut [Change],
) -> Result<(), String> {
    for c in changes.iter_mut() {
        if let Change::CustomField { name, to, .. } = c {
            let one = BTreeMap::from([(name.clone(), to.clone())]);
            if let Some((canonical, values)) =
                custom_fields::check(queue, defs, &one)?.into_iter().next()
            {
                *name = canonical;
                *to = values;
            }
        }
    }
    Ok(())
}

/// Opens a ticket and, in the same write, sets the RT fields `later` on it as [`update`]
/// would right after: RT's REST 1.0 create with a field RT does not create with (python-rt's
/// `Requestors`), which RT records as a creation and an update. Gives the ticket, and why
/// the update was refused if it was (the ticket is opened all the same, as RT does).
pub async fn open_then(
    app: &App,
    creator: &str,
    creation: Creation,
    message: &Message,
    later: &Fields,
) -> Result<(Ticket, Option<String>), TicketError> {
    let (queue, defs, mut creation) = checked(app, creation).await?;
    creation.queue = queue.name.clone();
    let now = app.now();
    let created = varde_core::ticket::history::replay(&[Transaction {
        id: 0,
        ticket: TicketId(0),
        at: now,
        creator: creator.to_string(),
        time_taken: message.time_taken,
        change: Change::Create(Box::new(creation.clone())),
    }])
    .map_err(|e| TicketError::Refused(e.to_string()))?;
    let planned = plan_update(&created, later)
        .and_then(|mut c| canonical_custom_fields(&queue.name, &defs, &mut c).map(|()| c));
    let (mut changes, refused) = match planned {
        Ok(changes) => (changes, None),
        Err(why) => (vec![], Some(why)),
    };
    if moves_requestors(&changes) {
        let org = organization_of(&app.store, &after(&created, &changes).requestors).await?;
        if org != created.organization {
            changes.push(Change::Organization {
                from: created.organization,
                to: org,
            });
        }
    }
    let attachments = message.attachments();
    let ticket = (creation, attachments.as_slice(), message.time_taken);
    let t = app
        .store
        .create_ticket_then(&queue, creator, ticket, changes, now)
        .await?;
    Ok((t, refused))
}

/// The ticket as `changes` would leave it (the core's replay), to see where its requestors
/// belong before writing.
pub(crate) fn after(t: &Ticket, changes: &[Change]) -> Ticket {
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

impl App {
    /// A staff member's ticket page tells that they have it open (and whether they are
    /// writing on it); gives the others on it now, writers first (`varde_core::presence`).
    pub async fn ticket_presence(
        &self,
        by: &Acting,
        name: &str,
        id: TicketId,
        writing: bool,
    ) -> Result<Vec<varde_core::presence::Present>, AppError> {
        authorize(&by.actor, Action::Read, &Resource::StaffConsole)?;
        let t = self.ticket(&by.actor, id, Action::Read).await?;
        let now = self.now();
        let me = varde_core::presence::Present {
            email: by.name.clone(),
            name: name.to_string(),
            writing,
            at: now,
        };
        let since = now - varde_core::presence::WINDOW;
        let all = self.store.tell_presence(t.id.0, &me, since).await?;
        Ok(varde_core::presence::others(&all, &by.name, now))
    }
}
