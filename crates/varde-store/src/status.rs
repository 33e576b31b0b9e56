//! The status page's facts: components and their status history, incidents and scheduled
//! maintenance with their timeline of updates, and the tickets linked to them.
//!
//! A component's status changes only together with a row in `status_component_changes`
//! (written in the same transaction), so uptime is computed from the history alone.

use std::collections::HashMap;

use jiff::Timestamp;
use varde_core::catalogue::{CATALOGUE, ProductKind, Service, Site};
use varde_core::ids::OrganizationId;
use varde_core::status::{
    ComponentChange, ComponentStatus, EventKind, EventStatus, Impact, IncidentStatus,
    MaintenanceStatus, MaintenanceWindow, NewEvent, StatusChange, Update, maintenance_step,
};

use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

/// A component of the page, or a group of components.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub group_id: Option<i64>,
    pub is_group: bool,
    pub position: i64,
    pub status: ComponentStatus,
    pub service: Option<Service>,
    pub site: Option<Site>,
    pub showcase: bool,
    pub only_show_if_degraded: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A component to add.
#[derive(Clone, Debug, Default)]
pub struct NewComponent {
    pub name: String,
    pub description: String,
    pub group_id: Option<i64>,
    pub is_group: bool,
    pub service: Option<Service>,
    pub site: Option<Site>,
}

/// A component's status before and after an update.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Affected {
    pub component: i64,
    pub name: String,
    pub old: String,
    pub new: String,
}

/// One entry of an incident's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct EventUpdate {
    pub id: i64,
    pub event_id: i64,
    pub status: EventStatus,
    pub body: String,
    pub affected: Vec<Affected>,
    pub author: String,
    pub created_at: Timestamp,
}

/// An incident or a scheduled maintenance, with its timeline (newest first).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub name: String,
    pub status: EventStatus,
    pub impact: Impact,
    pub window: Option<MaintenanceWindow>,
    pub started_at: Timestamp,
    pub monitoring_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub components: Vec<i64>,
    pub updates: Vec<EventUpdate>,
    pub tickets: Vec<i64>,
}

/// Which events to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFilter {
    /// Every incident, newest first.
    Incidents,
    /// Incidents that are not resolved.
    OpenIncidents,
    /// Every maintenance, newest first.
    Maintenances,
    /// Maintenance that is scheduled and has not started.
    UpcomingMaintenances,
    /// Maintenance in progress or being verified.
    ActiveMaintenances,
    /// Maintenance that is not completed.
    OpenMaintenances,
    /// Incidents and maintenance created since a time (for feeds and history).
    All,
}

impl EventFilter {
    fn sql(self) -> &'static str {
        match self {
            EventFilter::Incidents => "kind = 'incident'",
            EventFilter::OpenIncidents => "kind = 'incident' AND closed = $2",
            EventFilter::Maintenances => "kind = 'maintenance'",
            EventFilter::UpcomingMaintenances => "kind = 'maintenance' AND status = 'scheduled'",
            EventFilter::ActiveMaintenances => {
                "kind = 'maintenance' AND status IN ('in_progress', 'verifying')"
            }
            EventFilter::OpenMaintenances => "kind = 'maintenance' AND closed = $2",
            EventFilter::All => "1 = 1",
        }
    }
}

type ComponentRow = (
    i64,
    String,
    String,
    Option<i64>,
    bool,
    i64,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    i64,
    i64,
);

const COMPONENT_COLUMNS: &str = "id, name, description, group_id, is_group, position, status, service, site, showcase, only_show_if_degraded, created_at, updated_at";

fn component(r: ComponentRow) -> Result<Component> {
    let corrupt = |e: varde_core::values::Invalid| StoreError::Corrupt(e.0);
    Ok(Component {
        id: r.0,
        name: r.1,
        description: r.2,
        group_id: r.3,
        is_group: r.4,
        position: r.5,
        status: ComponentStatus::parse(&r.6).map_err(corrupt)?,
        service: r
            .7
            .as_deref()
            .map(Service::parse)
            .transpose()
            .map_err(corrupt)?,
        site: r
            .8
            .as_deref()
            .map(Site::parse)
            .transpose()
            .map_err(corrupt)?,
        showcase: r.9,
        only_show_if_degraded: r.10,
        created_at: from_micros(r.11)?,
        updated_at: from_micros(r.12)?,
    })
}

type EventRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    bool,
    bool,
    i64,
    Option<i64>,
    Option<i64>,
    String,
    i64,
    i64,
);

const EVENT_COLUMNS: &str = "id, kind, name, status, impact, scheduled_for, scheduled_until, auto_start, auto_complete, started_at, monitoring_at, resolved_at, created_by, created_at, updated_at";

fn event(r: EventRow) -> Result<Event> {
    let corrupt = |e: varde_core::values::Invalid| StoreError::Corrupt(e.0);
    let kind =
        EventKind::parse(&r.1).ok_or_else(|| StoreError::Corrupt(format!("event kind {}", r.1)))?;
    let window = match (r.5, r.6) {
        (Some(from), Some(until)) => Some(MaintenanceWindow {
            from: from_micros(from)?,
            until: from_micros(until)?,
            auto_start: r.7,
            auto_complete: r.8,
        }),
        _ => None,
    };
    Ok(Event {
        id: r.0,
        kind,
        name: r.2,
        status: EventStatus::parse(kind, &r.3).map_err(corrupt)?,
        // Maintenance is stored with Statuspage's impact `maintenance`.
        impact: match kind {
            EventKind::Maintenance => Impact::None,
            EventKind::Incident => Impact::parse(&r.4).map_err(corrupt)?,
        },
        window,
        started_at: from_micros(r.9)?,
        monitoring_at: r.10.map(from_micros).transpose()?,
        resolved_at: r.11.map(from_micros).transpose()?,
        created_by: r.12,
        created_at: from_micros(r.13)?,
        updated_at: from_micros(r.14)?,
        components: Vec::new(),
        updates: Vec::new(),
        tickets: Vec::new(),
    })
}

/// Sets one component's status inside the open transaction `$tx`, recording the change;
/// yields what it was (`None` when the component does not exist).
macro_rules! change_component {
    ($tx:expr, $id:expr, $status:expr, $event:expr, $now:expr) => {{
        // The row locked before it is read (on either engine), so two nodes changing one
        // component record each change once, each with the status it really replaced.
        sqlx::query("UPDATE status_components SET updated_at = updated_at WHERE id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        let before: Option<(String, String)> =
            sqlx::query_as("SELECT status, name FROM status_components WHERE id = $1")
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        if let Some((old, _)) = &before {
            if old != $status.code() {
                sqlx::query("UPDATE status_components SET status = $1, updated_at = $2 WHERE id = $3")
                    .bind($status.code())
                    .bind(micros($now))
                    .bind($id)
                    .execute(&mut *$tx)
                    .await?;
                sqlx::query("INSERT INTO status_component_changes (component_id, status, at, event_id) VALUES ($1, $2, $3, $4)")
                    .bind($id)
                    .bind($status.code())
                    .bind(micros($now))
                    .bind($event)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        before
    }};
}

/// Appends an update to event `$event` inside `$tx`: applies its component changes, records
/// the timeline entry and the event's new status. Yields `Err(component id)` for an unknown
/// component.
macro_rules! append_update {
    ($tx:expr, $event:expr, $update:expr, $author:expr, $now:expr) => {{
        let mut affected: Vec<Affected> = Vec::new();
        let mut unknown: Option<i64> = None;
        for change in effective_changes(
            $update,
            &sqlx::query_as::<_, (i64, String)>(
                "SELECT c.id, c.status FROM status_event_components ec JOIN status_components c ON c.id = ec.component_id WHERE ec.event_id = $1",
            )
            .bind($event)
            .fetch_all(&mut *$tx)
            .await?,
        ) {
            match change_component!($tx, change.component, change.status, Some($event), $now) {
                Some((old, name)) => {
                    sqlx::query("INSERT INTO status_event_components (event_id, component_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind($event)
                        .bind(change.component)
                        .execute(&mut *$tx)
                        .await?;
                    affected.push(Affected {
                        component: change.component,
                        name,
                        old,
                        new: change.status.code().to_string(),
                    });
                }
                None => unknown = Some(change.component),
            }
        }
        match unknown {
            Some(id) => Err(id),
            None => {
                let status = $update.status;
                let update_id: i64 = sqlx::query_scalar(
                    "INSERT INTO status_updates (event_id, status, body, affected, author, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind($event)
                .bind(status.code())
                .bind(&$update.body)
                .bind(serde_json::to_string(&affected).unwrap_or_else(|_| "[]".into()))
                .bind($author)
                .bind(micros($now))
                .fetch_one(&mut *$tx)
                .await?;
                // The subscribers are told in the background (`Store::fan_out`).
                sqlx::query("INSERT INTO status_fanouts (update_id, created_at) VALUES ($1, $2)")
                    .bind(update_id)
                    .bind(micros($now))
                    .execute(&mut *$tx)
                    .await?;
                let monitoring = matches!(status, EventStatus::Incident(IncidentStatus::Monitoring));
                sqlx::query(
                    "UPDATE status_events SET status = $1, closed = $2, updated_at = $3, \
                     monitoring_at = CASE WHEN $4 AND monitoring_at IS NULL THEN $3 ELSE monitoring_at END, \
                     resolved_at = CASE WHEN $2 THEN COALESCE(resolved_at, $3) ELSE NULL END \
                     WHERE id = $5",
                )
                .bind(status.code())
                .bind(status.is_closed())
                .bind(micros($now))
                .bind(monitoring)
                .bind($event)
                .execute(&mut *$tx)
                .await?;
                Ok(())
            }
        }
    }};
}

/// The component changes an update makes: those it names, plus what closing implies. When an
/// incident or maintenance closes, its components that the update does not name return to
/// operational; when a maintenance starts, its components go under maintenance.
fn effective_changes(update: &Update, current: &[(i64, String)]) -> Vec<ComponentChange> {
    let mut out = update.components.clone();
    let named = |id: i64| update.components.iter().any(|c| c.component == id);
    let implied = if update.status.is_closed() {
        Some(ComponentStatus::Operational)
    } else if update.status.is_maintenance_in_progress() {
        Some(ComponentStatus::UnderMaintenance)
    } else {
        None
    };
    if let Some(status) = implied {
        for (id, now) in current {
            let is_down = now != ComponentStatus::Operational.code();
            let applies = status == ComponentStatus::UnderMaintenance || is_down;
            if !named(*id) && applies && now != status.code() {
                out.push(ComponentChange {
                    component: *id,
                    status,
                });
            }
        }
    }
    out
}

impl Store {
    /// Adds a component (or a group) at the end of its group.
    pub async fn create_component(&self, c: &NewComponent, now: Timestamp) -> Result<Component> {
        let id: i64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM status_components")
                .fetch_one(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO status_components (name, description, group_id, is_group, position, service, site, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(c.name.trim())
            .bind(c.description.trim())
            .bind(c.group_id)
            .bind(c.is_group)
            .bind(position)
            .bind(c.service.map(|s| s.code()))
            .bind(c.site.map(|s| s.code()))
            .bind(micros(now))
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO status_component_changes (component_id, status, at) VALUES ($1, 'operational', $2)")
                .bind(id)
                .bind(micros(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        self.component(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn component(&self, id: i64) -> Result<Option<Component>> {
        let sql = format!("SELECT {COMPONENT_COLUMNS} FROM status_components WHERE id = $1");
        let row: Option<ComponentRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(component).transpose()
    }

    /// Every component and group, in page order.
    pub async fn components(&self) -> Result<Vec<Component>> {
        let sql =
            format!("SELECT {COMPONENT_COLUMNS} FROM status_components ORDER BY position, id");
        let rows: Vec<ComponentRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(component).collect()
    }

    /// Sets a component's status outside any incident (an agent's quick correction).
    pub async fn set_component_status(
        &self,
        id: i64,
        status: ComponentStatus,
        now: Timestamp,
    ) -> Result<()> {
        let found = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let before = change_component!(tx, id, status, None::<i64>, now);
            tx.commit().await?;
            before.is_some()
        });
        if found {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Each component's status changes since `since`, with the change in force at `since`
    /// first, in time order.
    pub async fn component_history(
        &self,
        since: Timestamp,
    ) -> Result<HashMap<i64, Vec<StatusChange>>> {
        let rows: Vec<(i64, String, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT component_id, status, at FROM status_component_changes c WHERE at >= $1 \
                OR id = (SELECT MAX(id) FROM status_component_changes b WHERE b.component_id = c.component_id AND b.at < $1) \
             ORDER BY component_id, at, id",
        ).bind(micros(since)).fetch_all(p).await)?;
        let mut out: HashMap<i64, Vec<StatusChange>> = HashMap::new();
        for (component, status, at) in rows {
            out.entry(component).or_default().push(StatusChange {
                at: from_micros(at)?,
                status: ComponentStatus::parse(&status).map_err(|e| StoreError::Corrupt(e.0))?,
            });
        }
        Ok(out)
    }

    /// Opens an incident or schedules a maintenance, with its first update, in one
    /// transaction. Fails with `Conflict` on a component that does not exist.
    pub async fn create_event(&self, e: &NewEvent, author: &str, now: Timestamp) -> Result<i64> {
        let outcome: std::result::Result<i64, i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let started = e.window.map(|w| w.from).unwrap_or(now);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO status_events (kind, name, status, impact, scheduled_for, scheduled_until, auto_start, auto_complete, started_at, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(e.kind.code())
            .bind(&e.name)
            .bind(e.first.status.code())
            .bind(if e.kind == EventKind::Maintenance { "maintenance" } else { e.impact.code() })
            .bind(e.window.map(|w| micros(w.from)))
            .bind(e.window.map(|w| micros(w.until)))
            .bind(e.window.is_some_and(|w| w.auto_start))
            .bind(e.window.is_some_and(|w| w.auto_complete))
            .bind(micros(started))
            .bind(author)
            .bind(micros(now))
            .fetch_one(&mut *tx)
            .await?;
            // The event names its components first: a scheduled maintenance names them without
            // changing them yet.
            let mut unknown = None;
            for c in &e.first.components {
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM status_components WHERE id = $1")
                    .bind(c.component)
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    unknown = Some(c.component);
                }
                sqlx::query("INSERT INTO status_event_components (event_id, component_id) SELECT $1, id FROM status_components WHERE id = $2 ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(c.component)
                    .execute(&mut *tx)
                    .await?;
            }
            let first = if e.first.status == EventStatus::Maintenance(MaintenanceStatus::Scheduled) {
                Update { components: Vec::new(), ..e.first.clone() }
            } else {
                e.first.clone()
            };
            match unknown {
                Some(c) => Err(c),
                None => match append_update!(tx, id, &first, author, now) {
                    Ok(()) => {
                        tx.commit().await?;
                        Ok(id)
                    }
                    Err(c) => Err(c),
                },
            }
        });
        outcome
            .map_err(|id| crate::conflict("components", format!("component {id} does not exist")))
    }

    /// Posts an update to an event. `NotFound` for an unknown event; `Conflict` for an unknown
    /// component.
    pub async fn add_event_update(
        &self,
        event_id: i64,
        update: &Update,
        author: &str,
        now: Timestamp,
    ) -> Result<()> {
        let outcome: std::result::Result<(), Option<i64>> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM status_events WHERE id = $1")
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?;
            match kind {
                None => Err(None),
                Some(_) => match append_update!(tx, event_id, update, author, now) {
                    Ok(()) => {
                        tx.commit().await?;
                        Ok(())
                    }
                    Err(unknown) => Err(Some(unknown)),
                },
            }
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(None) => Err(StoreError::NotFound),
            Err(Some(id)) => Err(crate::conflict(
                "components",
                format!("component {id} does not exist"),
            )),
        }
    }

    /// Starts and completes the maintenance windows whose time has come (those scheduled with
    /// automatic start or completion). Returns the events it moved. Safe to run on every node:
    /// each step is conditional on the status it moves from.
    pub async fn advance_maintenances(&self, now: Timestamp) -> Result<Vec<i64>> {
        let due = self.events(EventFilter::OpenMaintenances, 500).await?;
        let mut moved = Vec::new();
        for e in due {
            let (EventStatus::Maintenance(status), Some(window)) = (e.status, e.window) else {
                continue;
            };
            let Some(next) = maintenance_step(status, &window, now) else {
                continue;
            };
            let body = match next {
                MaintenanceStatus::InProgress => {
                    "Scheduled maintenance is currently in progress. We will provide updates as necessary."
                }
                _ => "The scheduled maintenance has been completed.",
            };
            let update = Update {
                status: EventStatus::Maintenance(next),
                body: body.into(),
                components: Vec::new(),
            };
            let applied: bool = write_pool!(self, p => {
                let mut tx = p.begin().await?;
                // Claimed by moving the status from the one read: with several nodes only
                // one claim succeeds (the UPDATE locks the row; the others find it moved on).
                let claimed = sqlx::query("UPDATE status_events SET status = $1 WHERE id = $2 AND status = $3")
                    .bind(next.code())
                    .bind(e.id)
                    .bind(status.code())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
                if claimed && append_update!(tx, e.id, &update, "varde", now).is_ok() {
                    tx.commit().await?;
                    true
                } else {
                    false
                }
            });
            if applied {
                moved.push(e.id);
            }
        }
        Ok(moved)
    }

    /// Events matching `filter`, newest first, with their components, updates and tickets.
    pub async fn events(&self, filter: EventFilter, limit: i64) -> Result<Vec<Event>> {
        let order = match filter {
            EventFilter::UpcomingMaintenances => "scheduled_for, id",
            _ => "id DESC",
        };
        let wanted = format!(
            "SELECT id FROM status_events WHERE {} ORDER BY {order} LIMIT $1",
            filter.sql()
        );
        let events_sql = format!(
            "SELECT {EVENT_COLUMNS} FROM status_events WHERE {} ORDER BY {order} LIMIT $1",
            filter.sql()
        );
        let updates_sql = format!(
            "SELECT id, event_id, status, body, affected, author, created_at FROM status_updates WHERE event_id IN ({wanted}) ORDER BY id DESC"
        );
        let components_sql = format!(
            "SELECT event_id, component_id FROM status_event_components WHERE event_id IN ({wanted}) ORDER BY component_id"
        );
        let tickets_sql = format!(
            "SELECT event_id, ticket_id FROM status_event_tickets WHERE event_id IN ({wanted}) ORDER BY ticket_id"
        );
        let open = matches!(
            filter,
            EventFilter::OpenIncidents | EventFilter::OpenMaintenances
        );
        let (rows, updates, components, tickets): EventBatch = read_pool!(self, p => {
            macro_rules! q {
                ($sql:expr) => {{
                    let q = sqlx::query_as(sqlx::AssertSqlSafe($sql)).bind(limit);
                    if open { q.bind(false).fetch_all(p).await? } else { q.fetch_all(p).await? }
                }};
            }
            (q!(events_sql), q!(updates_sql), q!(components_sql), q!(tickets_sql))
        });
        assemble(rows, updates, components, tickets)
    }

    /// One event by id.
    pub async fn event(&self, id: i64) -> Result<Option<Event>> {
        let events_sql = format!("SELECT {EVENT_COLUMNS} FROM status_events WHERE id = $1");
        let (rows, updates, components, tickets): EventBatch = read_pool!(self, p => (
            sqlx::query_as(sqlx::AssertSqlSafe(events_sql)).bind(id).fetch_all(p).await?,
            sqlx::query_as("SELECT id, event_id, status, body, affected, author, created_at FROM status_updates WHERE event_id = $1 ORDER BY id DESC").bind(id).fetch_all(p).await?,
            sqlx::query_as("SELECT event_id, component_id FROM status_event_components WHERE event_id = $1 ORDER BY component_id").bind(id).fetch_all(p).await?,
            sqlx::query_as("SELECT event_id, ticket_id FROM status_event_tickets WHERE event_id = $1 ORDER BY ticket_id").bind(id).fetch_all(p).await?,
        ));
        Ok(assemble(rows, updates, components, tickets)?
            .into_iter()
            .next())
    }

    /// The event an update belongs to, with its timeline.
    pub async fn event_of_update(&self, update: i64) -> Result<Option<Event>> {
        let id: Option<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT event_id FROM status_updates WHERE id = $1").bind(update).fetch_optional(p).await)?;
        match id {
            Some(id) => self.event(id).await,
            None => Ok(None),
        }
    }

    /// Links a ticket to an incident (both ways in the console: the incident lists it, the
    /// ticket page names the incident).
    pub async fn link_event_ticket(&self, event_id: i64, ticket: i64) -> Result<()> {
        let done: u64 = write_pool!(self, p => sqlx::query(
            "INSERT INTO status_event_tickets (event_id, ticket_id) \
             SELECT e.id, t.id FROM status_events e, tickets t WHERE e.id = $1 AND t.id = $2 \
             ON CONFLICT DO NOTHING",
        ).bind(event_id).bind(ticket).execute(p).await.map(|r| r.rows_affected()))?;
        if done == 0 && self.event(event_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let exists: Option<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT id FROM tickets WHERE id = $1").bind(ticket).fetch_optional(p).await)?;
        if exists.is_none() {
            return Err(crate::conflict(
                "ticket",
                format!("ticket {ticket} does not exist"),
            ));
        }
        Ok(())
    }

    /// The events a ticket is linked to: `(id, name, closed)`.
    pub async fn ticket_events(&self, ticket: i64) -> Result<Vec<(i64, String, bool)>> {
        Ok(read_pool!(self, p => sqlx::query_as(
            "SELECT e.id, e.name, e.closed FROM status_event_tickets l JOIN status_events e ON e.id = l.event_id WHERE l.ticket_id = $1 ORDER BY e.id DESC",
        ).bind(ticket).fetch_all(p).await)?)
    }

    /// The organisations that have a component's service at its site on a contract in force
    /// on `day` (`YYYY-MM-DD`): who an incident on it touches.
    pub async fn organizations_using(
        &self,
        component: &Component,
        day: &str,
    ) -> Result<Vec<(OrganizationId, String)>> {
        let Some(service) = component.service else {
            return Ok(Vec::new());
        };
        let mut out: Vec<(OrganizationId, String)> = Vec::new();
        for product in CATALOGUE
            .iter()
            .filter(|p| p.kind == ProductKind::Service(service))
        {
            let rows: Vec<(i64, String)> = read_pool!(self, p => sqlx::query_as(
                "SELECT DISTINCT o.id, o.name FROM organizations o \
                 JOIN contracts c ON c.organization_id = o.id \
                 JOIN product_lines pl ON pl.contract_id = c.id \
                 WHERE pl.product_code = $1 AND ($2 = '' OR pl.site = $2 OR pl.site IS NULL) \
                   AND c.starts_on <= $3 AND (c.ends_on IS NULL OR c.ends_on >= $3) \
                 ORDER BY o.name",
            ).bind(product.code).bind(component.site.map(|s| s.code()).unwrap_or_default()).bind(day).fetch_all(p).await)?;
            for (id, name) in rows {
                if !out.iter().any(|(o, _)| o.0 == id) {
                    out.push((OrganizationId(id), name));
                }
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// When anything on the page last changed (Statuspage's `page.updated_at`).
    pub async fn status_page_updated_at(&self) -> Result<Option<Timestamp>> {
        let at: Option<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT MAX(at) FROM (SELECT MAX(updated_at) AS at FROM status_components UNION ALL SELECT MAX(updated_at) FROM status_events) x",
        ).fetch_one(p).await)?;
        at.map(from_micros).transpose()
    }
}

type UpdateRow = (i64, i64, String, String, String, String, i64);

/// Events with their updates, components and tickets, as read in one go.
type EventBatch = (
    Vec<EventRow>,
    Vec<UpdateRow>,
    Vec<(i64, i64)>,
    Vec<(i64, i64)>,
);

fn assemble(
    rows: Vec<EventRow>,
    updates: Vec<UpdateRow>,
    components: Vec<(i64, i64)>,
    tickets: Vec<(i64, i64)>,
) -> Result<Vec<Event>> {
    let mut events: Vec<Event> = rows.into_iter().map(event).collect::<Result<_>>()?;
    let index: HashMap<i64, usize> = events.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    for (id, event_id, status, body, affected, author, created_at) in updates {
        let Some(&i) = index.get(&event_id) else {
            continue;
        };
        let kind = events[i].kind;
        events[i].updates.push(EventUpdate {
            id,
            event_id,
            status: EventStatus::parse(kind, &status).map_err(|e| StoreError::Corrupt(e.0))?,
            body,
            affected: serde_json::from_str(&affected)
                .map_err(|e| StoreError::Corrupt(format!("affected components: {e}")))?,
            author,
            created_at: from_micros(created_at)?,
        });
    }
    for (event_id, component) in components {
        if let Some(&i) = index.get(&event_id) {
            events[i].components.push(component);
        }
    }
    for (event_id, ticket) in tickets {
        if let Some(&i) = index.get(&event_id) {
            events[i].tickets.push(ticket);
        }
    }
    Ok(events)
}
