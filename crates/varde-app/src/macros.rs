//! Macros (`varde_core::macros`): administrators keep them; an agent applies one to a ticket
//! in one click, and its text, status and owner are one write on the ticket.

use varde_core::access::{Action, Actor, Resource, can};
use varde_core::macros::{Macro, MacroForm, MacroKind, MacroValues, OwnerAction, offered};
use varde_core::ticket::history::{Change, correspond};
use varde_core::ticket::{NOBODY, Ticket, TicketId};

use crate::tickets::{Message, Requestor, plan_update, requestor_of};
use crate::{Acting, App, AppError, authorize};

impl App {
    /// Every macro (staff read them; administrators keep them).
    pub async fn macros(&self, actor: &Actor) -> Result<Vec<Macro>, AppError> {
        authorize(actor, Action::Read, &Resource::Macros)?;
        Ok(self.store.macros().await?)
    }

    /// Adds a macro (`id` None) or changes one; gives its id. Its queue must exist.
    pub async fn save_macro(
        &self,
        by: &Acting,
        id: Option<i64>,
        form: &MacroForm,
    ) -> Result<i64, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Macros)?;
        // The queue is checked whatever else is wrong, so every mistake is named at once.
        let mut errors = varde_core::form::FieldErrors::new();
        let queue = match form.queue.trim() {
            "" => None,
            q => match self.store.queue(q).await? {
                Some(queue) => Some(queue.name),
                None => {
                    errors.add("queue", format!("there is no queue '{q}'"));
                    None
                }
            },
        };
        let mut m = match form.parse() {
            Ok(m) if errors.is_empty() => m,
            Ok(_) => return Err(AppError::Invalid(errors)),
            Err(parsed) => {
                for (field, message) in parsed.iter() {
                    errors.add(field, message);
                }
                return Err(AppError::Invalid(errors));
            }
        };
        m.queue = queue;
        Ok(self.store.save_macro(id, &m, &by.name, self.now()).await?)
    }

    pub async fn delete_macro(&self, by: &Acting, id: i64) -> Result<(), AppError> {
        authorize(&by.actor, Action::Delete, &Resource::Macros)?;
        match self.store.delete_macro(id).await? {
            true => Ok(()),
            false => Err(AppError::NotFound),
        }
    }

    /// The macros offered on a ticket (its queue, its requestor's language; comments only to
    /// those who may write them), each with its text as applying it would write it.
    pub async fn ticket_macros(
        &self,
        by: &Acting,
        agent: &str,
        t: &Ticket,
    ) -> Result<Vec<(Macro, String)>, AppError> {
        authorize(&by.actor, Action::Read, &Resource::Macros)?;
        let requestor = requestor_of(&self.store, t).await?;
        let values = values(t, &requestor, agent);
        Ok(
            offered(&self.store.macros().await?, &t.queue, requestor.language)
                .into_iter()
                .filter(|m| may_apply(&by.actor, m, t))
                .map(|m| {
                    let text = m.details.render(&values);
                    (m, text)
                })
                .collect(),
        )
    }

    /// Applies a macro offered on the ticket: its text as a reply or an internal comment,
    /// and its status and owner, in one write.
    pub async fn apply_macro(
        &self,
        by: &Acting,
        agent: &str,
        id: TicketId,
        macro_id: i64,
    ) -> Result<Ticket, AppError> {
        authorize(&by.actor, Action::Read, &Resource::Macros)?;
        let t = self.ticket(&by.actor, id, Action::Write).await?;
        let Some(m) = self.store.macro_by_id(macro_id).await? else {
            return Err(AppError::NotFound);
        };
        let requestor = requestor_of(&self.store, &t).await?;
        if !m.details.fits(&t.queue, requestor.language) {
            return Err(AppError::Refused(format!(
                "the macro '{}' is not for this ticket's queue or its requestor's language",
                m.details.name
            )));
        }
        if !may_apply(&by.actor, &m, &t) {
            return Err(AppError::Forbidden);
        }
        let message = Message {
            content: m.details.render(&values(&t, &requestor, agent)),
            content_type: "text/plain".into(),
            attachments: Vec::new(),
            time_taken: 0,
        };
        let mut fields = Vec::new();
        if let Some(s) = m.details.status {
            fields.push(("Status".to_string(), s.code().to_string()));
        }
        match m.details.owner {
            OwnerAction::Keep => {}
            OwnerAction::Me => fields.push(("Owner".into(), by.name.clone())),
            OwnerAction::Nobody => fields.push(("Owner".into(), NOBODY.into())),
        }
        let kind = m.details.kind;
        let (t, _) = self
            .store
            .change_ticket(
                t.id,
                &by.name,
                |current| {
                    let mut changes = match kind {
                        MacroKind::Comment => vec![Change::Comment],
                        MacroKind::Reply => correspond(current),
                    };
                    let after = crate::tickets::after(current, &changes);
                    changes.extend(plan_update(&after, &fields)?);
                    Ok(changes)
                },
                &message.attachments(),
                0,
                self.now(),
            )
            .await?;
        Ok(t)
    }
}

/// Internal comments only from those who may write them; status and owner only from those
/// who work the ticket.
fn may_apply(actor: &Actor, m: &Macro, t: &Ticket) -> bool {
    let comments = m.details.kind != MacroKind::Comment
        || can(
            actor,
            Action::Write,
            &Resource::InternalComments(t.organization),
        );
    let handling = (m.details.status.is_none() && m.details.owner == OwnerAction::Keep)
        || can(
            actor,
            Action::Write,
            &Resource::TicketHandling(t.organization),
        );
    comments
        && handling
        && can(
            actor,
            Action::Write,
            &Resource::Ticket {
                organization: t.organization,
                theirs: false,
            },
        )
}

fn values(t: &Ticket, r: &Requestor, agent: &str) -> MacroValues {
    MacroValues {
        customer: r.name.clone(),
        organization: r.organization.clone(),
        ticket: t.id.0,
        subject: t.subject.clone(),
        queue: t.queue.clone(),
        agent: agent.to_string(),
    }
}
