//! Quarterly meetings as the service manager works them: the plan per organisation, booking
//! and moving (with iCalendar invitations in each attendee's language), the minutes, and
//! action items (a task for staff, or a ticket in the customer's queue).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use varde_core::access::{Action, Actor, Resource, Role};
use varde_core::account::Account;
use varde_core::contract::ContractDetails;
use varde_core::customer::Organization;
use varde_core::ids::{OrganizationId, UserId};
use varde_core::onboarding::Invitation;
use varde_core::report::Period;
use varde_core::ticket::Ticket;
use varde_core::ticket::history::Creation;
use varde_core::values::Language;
use varde_core::workspace::meetings::{
    ActionItemForm, Booking, MeetingForm, MeetingStatus, Slot, plan, quarters_from,
};
use varde_core::workspace::words::invitation_words;
use varde_store::letters::NewLetter;
use varde_store::tickets::NewAttachment;
use varde_store::workspace::{ActionItem, Meeting, Minutes, NewMeeting};

use crate::{Acting, App, AppError, authorize};

/// Quarters shown before and after the current one.
const PAST_QUARTERS: usize = 4;
const NEXT_QUARTERS: usize = 2;

/// An organisation's meeting plan.
pub struct MeetingPlan {
    pub organization: Organization,
    pub service_manager: Option<Account>,
    pub slots: Vec<Slot>,
    pub meetings: Vec<Meeting>,
    pub action_items: Vec<ActionItem>,
}

impl MeetingPlan {
    /// The meeting booked or held in a slot.
    pub fn meeting(&self, slot: &Slot) -> Option<&Meeting> {
        let id = slot.state.meeting()?;
        self.meetings.iter().find(|m| m.id == id)
    }
}

/// Who sends invitations, and where the console is.
#[derive(Clone, Debug)]
pub struct Sender {
    pub from: String,
    /// The host part of invitation UIDs (the installation's name).
    pub host: String,
}

impl App {
    /// The quarters around today.
    fn plan_quarters(&self) -> Vec<Period> {
        let today = self.now().to_zoned(self.office_zone()).date();
        let mut first = Period::quarter_of(today);
        for _ in 0..PAST_QUARTERS {
            let before = first.from.yesterday().unwrap_or(first.from);
            first = Period::quarter_of(before);
        }
        quarters_from(first.from, PAST_QUARTERS + 1 + NEXT_QUARTERS)
    }

    /// The meeting plan of one organisation.
    pub async fn meeting_plan(
        &self,
        actor: &Actor,
        org: OrganizationId,
    ) -> Result<MeetingPlan, AppError> {
        authorize(actor, Action::Read, &Resource::Meetings(org))?;
        let organization = self
            .store
            .organization(org)
            .await?
            .ok_or(AppError::NotFound)?;
        let contracts: Vec<ContractDetails> = self
            .store
            .contracts_of(org)
            .await?
            .into_iter()
            .map(|c| c.details)
            .collect();
        let meetings = self.store.meetings_of(org).await?;
        let booked: Vec<_> = meetings.iter().map(Meeting::booked).collect();
        let slots = plan(
            &contracts,
            &booked,
            &self.plan_quarters(),
            self.now(),
            &self.office_zone(),
        );
        let service_manager = match organization.details.service_manager {
            Some(u) => self.store.account(u).await?,
            None => None,
        };
        Ok(MeetingPlan {
            organization,
            service_manager,
            slots,
            meetings,
            action_items: self.store.action_items_of(org).await?,
        })
    }

    /// The meeting plans of every organisation that has or had premium support (the ones with
    /// meetings), or only of those `manager` manages.
    pub async fn meeting_plans(
        &self,
        actor: &Actor,
        manager: Option<UserId>,
    ) -> Result<Vec<MeetingPlan>, AppError> {
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        let mut plans = Vec::new();
        for org in self
            .store
            .organizations_with_product("SUPPORT-premium")
            .await?
        {
            let p = self.meeting_plan(actor, org).await?;
            if manager.is_none() || p.organization.details.service_manager == manager {
                plans.push(p);
            }
        }
        plans.sort_by(|a, b| {
            a.organization
                .details
                .name
                .cmp(&b.organization.details.name)
        });
        Ok(plans)
    }

    /// One meeting with its organisation, as the actor may see it; a customer contact sees
    /// only a meeting whose minutes were shared with it.
    pub async fn meeting(&self, actor: &Actor, id: i64) -> Result<Meeting, AppError> {
        let m = self.store.meeting(id).await?.ok_or(AppError::NotFound)?;
        let meeting = Resource::Meeting {
            organization: m.organization,
            shared: m.shared,
        };
        authorize(actor, Action::Read, &meeting).map_err(|_| AppError::NotFound)?;
        Ok(m)
    }

    /// The meetings an organisation's contacts see: those booked to come, and those held
    /// whose minutes were shared with them, newest first.
    pub async fn shared_meetings(
        &self,
        actor: &Actor,
        org: OrganizationId,
    ) -> Result<Vec<Meeting>, AppError> {
        authorize(actor, Action::Read, &Resource::Meetings(org))?;
        let now = self.now();
        let mut meetings: Vec<Meeting> = self
            .store
            .meetings_of(org)
            .await?
            .into_iter()
            .filter(|m| match m.status {
                MeetingStatus::Booked => m.starts_at > now,
                MeetingStatus::Held => m.shared,
                MeetingStatus::Cancelled => false,
            })
            .collect();
        meetings.reverse();
        Ok(meetings)
    }

    /// Books the meeting of the quarter its time falls in, and invites its attendees.
    pub async fn book_meeting(
        &self,
        by: &Acting,
        org: OrganizationId,
        form: &MeetingForm,
        sender: &Sender,
    ) -> Result<Meeting, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Meetings(org))?;
        let booking = form.parse(&self.office_zone()).map_err(AppError::Invalid)?;
        let organization = self
            .store
            .organization(org)
            .await?
            .ok_or(AppError::NotFound)?;
        let quarter = quarter_of(booking.starts_at, &self.office_zone());
        let languages = self.languages_of(&organization, &booking).await?;
        let led_by = organization.details.service_manager.or(by.actor.user());
        let now = self.now();
        Ok(self
            .store
            .book_meeting(
                &by.name,
                NewMeeting {
                    organization: org,
                    quarter: &quarter.label,
                    booking: &booking,
                    led_by,
                },
                |m| invitations(m, &organization, &booking, &languages, sender, now),
                now,
            )
            .await?)
    }

    /// Moves a booked meeting; the attendees get the updated invitation (same UID, next
    /// SEQUENCE), so their calendars move the one event.
    pub async fn move_meeting(
        &self,
        by: &Acting,
        id: i64,
        form: &MeetingForm,
        sender: &Sender,
    ) -> Result<Meeting, AppError> {
        let m = self.meeting(&by.actor, id).await?;
        authorize(
            &by.actor,
            Action::Write,
            &Resource::Meetings(m.organization),
        )?;
        let booking = form.parse(&self.office_zone()).map_err(AppError::Invalid)?;
        let quarter = quarter_of(booking.starts_at, &self.office_zone());
        if quarter.label != m.quarter {
            let mut errors = varde_core::form::FieldErrors::new();
            errors.add(
                "date",
                format!("the meeting of {} stays in {}", m.quarter, m.quarter),
            );
            return Err(AppError::Invalid(errors));
        }
        let organization = self
            .store
            .organization(m.organization)
            .await?
            .ok_or(AppError::NotFound)?;
        let languages = self.languages_of(&organization, &booking).await?;
        let now = self.now();
        Ok(self
            .store
            .move_meeting(
                &by.name,
                id,
                &booking,
                |m| invitations(m, &organization, &booking, &languages, sender, now),
                now,
            )
            .await?)
    }

    /// Writes a meeting's minutes; `held` records that it took place.
    pub async fn record_meeting(
        &self,
        by: &Acting,
        id: i64,
        minutes: &Minutes,
        held: bool,
    ) -> Result<Meeting, AppError> {
        let m = self.meeting(&by.actor, id).await?;
        authorize(
            &by.actor,
            Action::Write,
            &Resource::Meetings(m.organization),
        )?;
        if held && m.starts_at > self.now() {
            return Err(AppError::Refused(
                "a meeting is recorded as held once its time has come".into(),
            ));
        }
        Ok(self
            .store
            .record_meeting(&by.name, id, minutes, held, self.now())
            .await?)
    }

    /// Adds an action item to a meeting: a task for staff, or (with `queue`) a ticket in that
    /// queue with the organisation's primary contacts as requestors.
    pub async fn add_action_item(
        &self,
        by: &Acting,
        meeting: i64,
        form: &ActionItemForm,
        queue: Option<&str>,
    ) -> Result<Option<Ticket>, AppError> {
        let m = self.meeting(&by.actor, meeting).await?;
        authorize(
            &by.actor,
            Action::Write,
            &Resource::Meetings(m.organization),
        )?;
        let item = form.parse().map_err(AppError::Invalid)?;
        let now = self.now();
        let Some(queue) = queue.map(str::trim).filter(|q| !q.is_empty()) else {
            self.store.add_action_item(&by.name, &m, &item, now).await?;
            return Ok(None);
        };
        let queue = self
            .store
            .queue(queue)
            .await?
            .ok_or_else(|| AppError::Refused(format!("Queue '{queue}' does not exist")))?;
        let contacts = self.store.contacts_of(m.organization).await?;
        let requestors: Vec<String> = contacts
            .iter()
            .filter(|c| {
                c.details
                    .roles
                    .contains(&varde_core::contact::ContactRole::Primary)
            })
            .map(|c| c.details.email.to_string())
            .collect();
        let mut creation = Creation::requested(&queue.name, &item.text, "");
        creation.requestors = requestors;
        creation.organization = Some(m.organization);
        creation.owner = Some(by.name.clone());
        creation.status = varde_core::ticket::lifecycle::Status::Open;
        let body = NewAttachment::text(&format!(
            "Action item from the quarterly operations meeting of {} ({}).\nOwner: {}\nDue: {}\n\n{}",
            m.quarter,
            m.starts_at
                .to_zoned(self.office_zone())
                .strftime("%Y-%m-%d %Z"),
            item.owner,
            item.due_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "–".into()),
            item.text
        ));
        Ok(Some(
            self.store
                .add_action_ticket(&by.name, &m, &item, (&queue, creation, &[body]), now)
                .await?,
        ))
    }

    /// Marks an action item done, or open again.
    pub async fn finish_action_item(
        &self,
        by: &Acting,
        id: i64,
        done: bool,
    ) -> Result<ActionItem, AppError> {
        let item = self
            .store
            .action_item(id)
            .await?
            .ok_or(AppError::NotFound)?;
        authorize(
            &by.actor,
            Action::Write,
            &Resource::Meetings(item.organization),
        )?;
        self.store
            .finish_action_item(id, done, self.now())
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Each attendee's language: a contact's own, a staff account's English, anyone else's
    /// the organisation's.
    async fn languages_of(
        &self,
        organization: &Organization,
        booking: &Booking,
    ) -> Result<Vec<Language>, AppError> {
        let contacts = self.store.contacts_of(organization.id).await?;
        let accounts = self.store.accounts().await?;
        Ok(booking
            .attendees
            .iter()
            .map(|a| {
                let address = a.email.as_str();
                if let Some(c) = contacts
                    .iter()
                    .find(|c| c.details.email.as_str().eq_ignore_ascii_case(address))
                {
                    c.details.language
                } else if accounts.iter().any(|s| {
                    s.role != Role::Customer && s.email.as_str().eq_ignore_ascii_case(address)
                }) {
                    Language::English
                } else {
                    organization.details.language
                }
            })
            .collect())
    }
}

/// The quarter a time falls in, on the office's calendar.
fn quarter_of(t: Timestamp, tz: &TimeZone) -> Period {
    Period::quarter_of(t.to_zoned(tz.clone()).date())
}

/// One invitation letter per attendee, in the attendee's language, with the iCalendar
/// request (the meeting's UID, its SEQUENCE) attached.
fn invitations(
    m: &Meeting,
    organization: &Organization,
    booking: &Booking,
    languages: &[Language],
    sender: &Sender,
    now: Timestamp,
) -> Vec<NewLetter> {
    let uid = format!("varde-qbr-{}@{}", m.id, sender.host);
    let attendees: Vec<(String, String)> = booking
        .attendees
        .iter()
        .map(|a| (a.name.clone(), a.email.as_str().to_string()))
        .collect();
    booking
        .attendees
        .iter()
        .zip(languages)
        .map(|(a, language)| {
            let w = invitation_words(*language);
            let summary = format!("{}: {}", w.meeting, organization.details.name);
            let zone = varde_core::portal::zone_of(&organization.details.country);
            let when = varde_core::portal::local_time(m.starts_at, &zone);
            let agenda: Vec<String> = w
                .agenda
                .iter()
                .enumerate()
                .map(|(i, line)| format!("{}. {line}", i + 1))
                .collect();
            let mut body = String::new();
            if m.sequence > 0 {
                body.push_str(w.moved);
                body.push_str("\n\n");
            }
            body.push_str(&format!("{summary}\n{}: {when}\n", w.when));
            if !m.place.is_empty() {
                body.push_str(&format!("{}: {}\n", w.place, m.place));
            }
            body.push_str(&format!("\n{}\n\n{}\n", agenda.join("\n"), w.closing));
            let calendar = Invitation {
                uid: &uid,
                stamp: now,
                start: m.starts_at,
                minutes: m.minutes,
                summary: &summary,
                description: &agenda.join("\n"),
                organizer: &sender.from,
                attendees: &attendees,
                sequence: m.sequence,
            }
            .to_ics();
            NewLetter {
                kind: "meeting_invitation".into(),
                reference: format!("meeting:{}", m.id),
                recipient: a.email.as_str().to_string(),
                recipient_name: a.name.clone(),
                sender: sender.from.clone(),
                subject: summary,
                body,
                calendar,
            }
        })
        .collect()
}
