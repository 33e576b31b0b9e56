//! The service manager's workspace: quarterly meetings, their minutes and action items. A
//! booking or a move writes the meeting, its audit event and its invitation letters in one
//! transaction; an action item that becomes a ticket is written with the ticket.

use jiff::Timestamp;
use jiff::civil::Date;
use varde_core::ids::{OrganizationId, UserId};
use varde_core::ticket::history::Creation;
use varde_core::ticket::{Ticket, TicketId};
use varde_core::workspace::meetings::{BookedMeeting, Booking, MeetingStatus, NewActionItem};

use crate::customers::audit;
use crate::letters::{NewLetter, insert_letter};
use crate::script::{NEW_TICKET, Value};
use crate::tickets::{NewAttachment, Queue, TicketError};
use crate::{Result, Store, StoreError, conflict, from_micros, micros, read_pool, write_pool};

/// A booked, held or cancelled meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub organization: OrganizationId,
    /// `2026Q4`.
    pub quarter: String,
    pub starts_at: Timestamp,
    pub minutes: i64,
    pub led_by: Option<UserId>,
    pub place: String,
    /// One attendee per line, `Name <address>`.
    pub attendees: String,
    pub status: MeetingStatus,
    /// The minutes, as written.
    pub notes: String,
    pub decisions: String,
    /// Whether the organisation's contacts may read the minutes.
    pub shared: bool,
    /// The invitation's iCalendar SEQUENCE: one more at every move.
    pub sequence: i64,
    pub updated_at: Timestamp,
}

impl Meeting {
    /// As the meeting plan needs it.
    pub fn booked(&self) -> BookedMeeting {
        BookedMeeting {
            id: self.id,
            quarter: self.quarter.clone(),
            starts_at: self.starts_at,
            status: self.status,
        }
    }
}

/// An action item agreed in a meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItem {
    pub id: i64,
    pub meeting: i64,
    pub organization: OrganizationId,
    pub text: String,
    pub owner: String,
    pub due_on: Option<Date>,
    /// The ticket it became, in the customer's queue.
    pub ticket: Option<TicketId>,
    pub done_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// A meeting to book: the organisation's meeting of `quarter` (`2027Q1`), led by `led_by`.
pub struct NewMeeting<'a> {
    pub organization: OrganizationId,
    pub quarter: &'a str,
    pub booking: &'a Booking,
    pub led_by: Option<UserId>,
}

/// What the minutes say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Minutes {
    pub attendees: String,
    pub notes: String,
    pub decisions: String,
    pub shared: bool,
}

const MEETING_COLUMNS: &str = "id, organization_id, quarter, starts_at, minutes_long, led_by, place, attendees, status, notes, decisions, shared, sequence, updated_at";

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: i64,
    organization_id: i64,
    quarter: String,
    starts_at: i64,
    minutes_long: i64,
    led_by: Option<i64>,
    place: String,
    attendees: String,
    status: String,
    notes: String,
    decisions: String,
    shared: bool,
    sequence: i64,
    updated_at: i64,
}

impl MeetingRow {
    fn into_meeting(self) -> Result<Meeting> {
        Ok(Meeting {
            id: self.id,
            organization: OrganizationId(self.organization_id),
            quarter: self.quarter,
            starts_at: from_micros(self.starts_at)?,
            minutes: self.minutes_long,
            led_by: self.led_by.map(UserId),
            place: self.place,
            attendees: self.attendees,
            status: MeetingStatus::parse(&self.status).map_err(|e| StoreError::Corrupt(e.0))?,
            notes: self.notes,
            decisions: self.decisions,
            shared: self.shared,
            sequence: self.sequence,
            updated_at: from_micros(self.updated_at)?,
        })
    }
}

type ActionRow = (
    i64,
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
);

fn action_item(r: ActionRow) -> Result<ActionItem> {
    let (id, meeting, org, text, owner, due_on, ticket, done_at, created_at) = r;
    Ok(ActionItem {
        id,
        meeting,
        organization: OrganizationId(org),
        text,
        owner,
        due_on: due_on
            .map(|d| d.parse::<Date>())
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("an action item's due date: {e}")))?,
        ticket: ticket.map(TicketId),
        done_at: done_at.map(from_micros).transpose()?,
        created_at: from_micros(created_at)?,
    })
}

const ACTION_COLUMNS: &str =
    "id, meeting_id, organization_id, text, owner, due_on, ticket_id, done_at, created_at";

impl Store {
    /// Every meeting of an organisation, oldest first.
    pub async fn meetings_of(&self, org: OrganizationId) -> Result<Vec<Meeting>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE organization_id = $1 ORDER BY starts_at, id"
        );
        let rows: Vec<MeetingRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.0).fetch_all(p).await)?;
        rows.into_iter().map(MeetingRow::into_meeting).collect()
    }

    /// Every meeting starting in `[from, until)`, of every organisation, soonest first.
    pub async fn meetings_between(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<Meeting>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, id"
        );
        let rows: Vec<MeetingRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(micros(from)).bind(micros(until)).fetch_all(p).await)?;
        rows.into_iter().map(MeetingRow::into_meeting).collect()
    }

    pub async fn meeting(&self, id: i64) -> Result<Option<Meeting>> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1");
        let row: Option<MeetingRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(MeetingRow::into_meeting).transpose()
    }

    /// Books the quarter's meeting and queues its invitations (`letters` is given the new
    /// meeting). A quarter has one meeting that is not cancelled: a second is a conflict.
    pub async fn book_meeting(
        &self,
        actor: &str,
        new: NewMeeting<'_>,
        letters: impl FnOnce(&Meeting) -> Vec<NewLetter>,
        now: Timestamp,
    ) -> Result<Meeting> {
        let NewMeeting {
            organization: org,
            quarter,
            booking,
            led_by,
        } = new;
        let attendees = varde_core::workspace::meetings::attendees_text(&booking.attendees);
        // The organisation's row locked first: two nodes booking its quarter at once book once.
        let lock = format!(
            "SELECT id FROM organizations WHERE id = $1{}",
            self.row_lock()
        );
        let id: Option<i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(sqlx::AssertSqlSafe(lock)).bind(org.0).execute(&mut *tx).await?;
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM meetings WHERE organization_id = $1 AND quarter = $2 AND status <> 'cancelled'",
            ).bind(org.0).bind(quarter).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                None
            } else {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO meetings (organization_id, quarter, starts_at, minutes_long, led_by, place, attendees, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked', $8, $8) RETURNING id",
                )
                .bind(org.0).bind(quarter).bind(micros(booking.starts_at)).bind(booking.minutes)
                .bind(led_by.map(|u| u.0)).bind(&booking.place).bind(&attendees).bind(micros(now))
                .fetch_one(&mut *tx).await?;
                let meeting = Meeting {
                    id,
                    organization: org,
                    quarter: quarter.to_string(),
                    starts_at: booking.starts_at,
                    minutes: booking.minutes,
                    led_by,
                    place: booking.place.clone(),
                    attendees: attendees.clone(),
                    status: MeetingStatus::Booked,
                    notes: String::new(),
                    decisions: String::new(),
                    shared: false,
                    sequence: 0,
                    updated_at: now,
                };
                for l in letters(&meeting) {
                    insert_letter!(tx, &l, now);
                }
                let change = [varde_core::audit::Change {
                    field: "starts_at".into(),
                    before: String::new(),
                    after: booking.starts_at.to_string(),
                }];
                audit!(tx, now, Some(org.0), "meeting", id, "booked", actor, &change);
                tx.commit().await?;
                Some(id)
            }
        });
        let id = id.ok_or_else(|| conflict("date", format!("{quarter} has a meeting booked")))?;
        self.meeting(id).await?.ok_or(StoreError::NotFound)
    }

    /// Moves a booked meeting (time, length, place, attendees), one up in its SEQUENCE, and
    /// queues the updated invitations.
    pub async fn move_meeting(
        &self,
        actor: &str,
        id: i64,
        booking: &Booking,
        letters: impl FnOnce(&Meeting) -> Vec<NewLetter>,
        now: Timestamp,
    ) -> Result<Meeting> {
        let before = self.meeting(id).await?.ok_or(StoreError::NotFound)?;
        let attendees = varde_core::workspace::meetings::attendees_text(&booking.attendees);
        let after = Meeting {
            starts_at: booking.starts_at,
            minutes: booking.minutes,
            place: booking.place.clone(),
            attendees,
            sequence: before.sequence + 1,
            updated_at: now,
            ..before.clone()
        };
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE meetings SET starts_at = $1, minutes_long = $2, place = $3, attendees = $4, sequence = sequence + 1, updated_at = $5 \
                 WHERE id = $6 AND sequence = $7 AND status = 'booked'",
            )
            .bind(micros(after.starts_at)).bind(after.minutes).bind(&after.place).bind(&after.attendees)
            .bind(micros(now)).bind(id).bind(before.sequence)
            .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(conflict("date", "the meeting changed meanwhile, or is no longer booked"));
            }
            for l in letters(&after) {
                insert_letter!(tx, &l, now);
            }
            let change = [varde_core::audit::Change {
                field: "starts_at".into(),
                before: before.starts_at.to_string(),
                after: after.starts_at.to_string(),
            }];
            audit!(tx, now, Some(before.organization.0), "meeting", id, "moved", actor, &change);
            tx.commit().await?;
        });
        Ok(after)
    }

    /// Records a meeting's minutes; `held` marks it held (a booked meeting whose time came).
    pub async fn record_meeting(
        &self,
        actor: &str,
        id: i64,
        minutes: &Minutes,
        held: bool,
        now: Timestamp,
    ) -> Result<Meeting> {
        let before = self.meeting(id).await?.ok_or(StoreError::NotFound)?;
        let status = if held {
            MeetingStatus::Held
        } else {
            before.status
        };
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "UPDATE meetings SET attendees = $1, notes = $2, decisions = $3, shared = $4, status = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(&minutes.attendees).bind(&minutes.notes).bind(&minutes.decisions).bind(minutes.shared)
            .bind(status.code()).bind(micros(now)).bind(id)
            .execute(&mut *tx).await?;
            let change = [varde_core::audit::Change {
                field: "status".into(),
                before: before.status.code().into(),
                after: status.code().into(),
            }];
            audit!(tx, now, Some(before.organization.0), "meeting", id, "recorded", actor, &change);
            tx.commit().await?;
        });
        self.meeting(id).await?.ok_or(StoreError::NotFound)
    }

    /// Every action item of an organisation, oldest first.
    pub async fn action_items_of(&self, org: OrganizationId) -> Result<Vec<ActionItem>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM action_items WHERE organization_id = $1 ORDER BY created_at, id"
        );
        let rows: Vec<ActionRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.0).fetch_all(p).await)?;
        rows.into_iter().map(action_item).collect()
    }

    /// Every open action item (not done), of every organisation.
    pub async fn open_action_items(&self) -> Result<Vec<ActionItem>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM action_items WHERE done_at IS NULL ORDER BY created_at, id"
        );
        let rows: Vec<ActionRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(action_item).collect()
    }

    /// Adds a task for staff to a meeting.
    pub async fn add_action_item(
        &self,
        actor: &str,
        meeting: &Meeting,
        item: &NewActionItem,
        now: Timestamp,
    ) -> Result<i64> {
        let id: i64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO action_items (meeting_id, organization_id, text, owner, due_on, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(meeting.id).bind(meeting.organization.0).bind(&item.text).bind(&item.owner)
            .bind(item.due_on.map(|d| d.to_string())).bind(actor).bind(micros(now))
            .fetch_one(&mut *tx).await?;
            let change = [varde_core::audit::Change {
                field: "action_item".into(),
                before: String::new(),
                after: item.text.clone(),
            }];
            audit!(tx, now, Some(meeting.organization.0), "action_item", id, "created", actor, &change);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Adds an action item that is a ticket (in `queue`, as `creation` says, with `body`):
    /// the ticket and the item are written in one transaction.
    pub async fn add_action_ticket(
        &self,
        actor: &str,
        meeting: &Meeting,
        item: &NewActionItem,
        (queue, creation, body): (&Queue, Creation, &[NewAttachment]),
        now: Timestamp,
    ) -> std::result::Result<Ticket, TicketError> {
        let also = vec![(
            format!(
                "INSERT INTO action_items (meeting_id, organization_id, text, owner, due_on, ticket_id, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, {NEW_TICKET}, $6, $7)"
            ),
            vec![
                Value::from(meeting.id),
                Value::from(meeting.organization.0),
                Value::from(item.text.as_str()),
                Value::from(item.owner.as_str()),
                Value::from(item.due_on.map(|d| d.to_string())),
                Value::from(actor),
                Value::from(micros(now)),
            ],
        )];
        self.create_ticket_with(queue, actor, (creation, body, 0), also, now)
            .await
    }

    /// Marks an action item done (or open again).
    pub async fn finish_action_item(
        &self,
        id: i64,
        done: bool,
        now: Timestamp,
    ) -> Result<Option<ActionItem>> {
        let at = done.then(|| micros(now));
        write_pool!(self, p => sqlx::query("UPDATE action_items SET done_at = $1 WHERE id = $2").bind(at).bind(id).execute(p).await.map(|_| ()))?;
        self.action_item(id).await
    }

    pub async fn action_item(&self, id: i64) -> Result<Option<ActionItem>> {
        let sql = format!("SELECT {ACTION_COLUMNS} FROM action_items WHERE id = $1");
        let row: Option<ActionRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(action_item).transpose()
    }
}
