//! Incidents and maintenance as typed into the console or sent to the API: new events,
//! their updates and the components they change; and what a maintenance window does by
//! itself when its time comes.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{ComponentStatus, EventKind, EventStatus, Impact, IncidentStatus, MaintenanceStatus};
use crate::form::FieldErrors;

/// What a maintenance window does by itself at `now`: start when its time comes, complete when
/// its time is up (each only if the agent asked for it when scheduling).
pub fn maintenance_step(
    status: MaintenanceStatus,
    window: &MaintenanceWindow,
    now: Timestamp,
) -> Option<MaintenanceStatus> {
    match status {
        MaintenanceStatus::Scheduled if window.auto_complete && now >= window.until => {
            Some(MaintenanceStatus::Completed)
        }
        MaintenanceStatus::Scheduled if window.auto_start && now >= window.from => {
            Some(MaintenanceStatus::InProgress)
        }
        MaintenanceStatus::InProgress | MaintenanceStatus::Verifying
            if window.auto_complete && now >= window.until =>
        {
            Some(MaintenanceStatus::Completed)
        }
        _ => None,
    }
}

/// When a maintenance is planned and what Varde does by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaintenanceWindow {
    pub from: Timestamp,
    pub until: Timestamp,
    pub auto_start: bool,
    pub auto_complete: bool,
}

/// A component's new status as part of an update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComponentChange {
    pub component: i64,
    pub status: ComponentStatus,
}

/// An update to post: a new status, a message, and the components it changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub status: EventStatus,
    pub body: String,
    pub components: Vec<ComponentChange>,
}

/// A new incident or maintenance, as typed into the console or sent to the API.
#[derive(Clone, Debug, Default)]
pub struct EventForm {
    pub name: String,
    pub status: String,
    pub impact: String,
    pub body: String,
    /// Component id → new status code; an empty code leaves that component unchanged.
    pub components: Vec<(i64, String)>,
    /// Maintenance only: the window as RFC 3339 or `YYYY-MM-DD HH:MM` in the page's zone.
    pub scheduled_for: String,
    pub scheduled_until: String,
    pub auto_start: bool,
    pub auto_complete: bool,
}

/// A parsed new event.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub name: String,
    pub impact: Impact,
    pub window: Option<MaintenanceWindow>,
    pub first: Update,
}

/// How far back a maintenance window may start when it is posted: a window begun a little
/// while ago is posted late; one further back is a mistake (a mistyped year would start it at
/// once and tell every subscriber), and a past outage is recorded as an incident.
pub const LATE_POSTING: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

impl NewEvent {
    /// Refuses a maintenance window that is over, or began more than [`LATE_POSTING`] ago.
    pub fn check_ahead(&self, now: Timestamp) -> Result<(), FieldErrors> {
        let Some(w) = &self.window else {
            return Ok(());
        };
        let mut errors = FieldErrors::new();
        if w.until <= now {
            errors.add(
                "scheduled_until",
                "this window is already over; announce a maintenance ahead, or record what happened as an incident",
            );
        } else if w.from < now - LATE_POSTING {
            errors.add(
                "scheduled_for",
                "this window began more than an hour ago; check the date (a past start begins the maintenance at once and tells every subscriber)",
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl EventForm {
    pub fn parse(&self, kind: EventKind, tz: &TimeZone) -> Result<NewEvent, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.add("name", "give the incident a name");
        } else if name.chars().count() > 200 {
            errors.add("name", "at most 200 characters");
        }
        let status = match (kind, self.status.trim()) {
            (EventKind::Incident, "") => Some(EventStatus::Incident(IncidentStatus::Investigating)),
            (EventKind::Maintenance, "") => {
                Some(EventStatus::Maintenance(MaintenanceStatus::Scheduled))
            }
            (k, s) => EventStatus::parse(k, s)
                .map_err(|e| errors.add("status", e.0))
                .ok(),
        };
        let impact = match (kind, self.impact.trim()) {
            (EventKind::Maintenance, _) => Some(Impact::None),
            (EventKind::Incident, "") => Some(Impact::Minor),
            (_, s) => Impact::parse(s).map_err(|e| errors.add("impact", e.0)).ok(),
        };
        let body = self.body.trim().to_string();
        if body.is_empty() {
            errors.add("body", "say what is happening");
        }
        let components = parse_component_changes(&self.components, &mut errors);
        let window = if kind == EventKind::Maintenance {
            let from = parse_time(&self.scheduled_for, tz)
                .map_err(|e| errors.add("scheduled_for", e))
                .ok();
            let until = parse_time(&self.scheduled_until, tz)
                .map_err(|e| errors.add("scheduled_until", e))
                .ok();
            match (from, until) {
                (Some(from), Some(until)) if until <= from => {
                    errors.add("scheduled_until", "the window must end after it starts");
                    None
                }
                (Some(from), Some(until)) => Some(MaintenanceWindow {
                    from,
                    until,
                    auto_start: self.auto_start,
                    auto_complete: self.auto_complete,
                }),
                _ => None,
            }
        } else {
            None
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewEvent {
            kind,
            name,
            impact: impact.unwrap_or(Impact::None),
            window,
            first: Update {
                status: status.expect("checked above"),
                body,
                components,
            },
        })
    }
}

/// An update to an existing event, as typed.
#[derive(Clone, Debug, Default)]
pub struct UpdateForm {
    pub status: String,
    pub body: String,
    pub components: Vec<(i64, String)>,
}

impl UpdateForm {
    pub fn parse(&self, kind: EventKind) -> Result<Update, FieldErrors> {
        let mut errors = FieldErrors::new();
        let status = EventStatus::parse(kind, &self.status)
            .map_err(|e| errors.add("status", e.0))
            .ok();
        let body = self.body.trim().to_string();
        if body.is_empty() {
            errors.add("body", "say what has changed");
        }
        let components = parse_component_changes(&self.components, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Update {
            status: status.expect("checked above"),
            body,
            components,
        })
    }
}

fn parse_component_changes(
    raw: &[(i64, String)],
    errors: &mut FieldErrors,
) -> Vec<ComponentChange> {
    raw.iter()
        .filter(|(_, s)| !s.trim().is_empty())
        .filter_map(|(id, s)| match ComponentStatus::parse(s) {
            Ok(status) => Some(ComponentChange {
                component: *id,
                status,
            }),
            Err(e) => {
                errors.add(&format!("component_{id}"), e.0);
                None
            }
        })
        .collect()
}

/// A time as RFC 3339, or as `YYYY-MM-DD HH:MM` / `YYYY-MM-DDTHH:MM` (what a
/// `datetime-local` input sends) in the page's time zone.
pub fn parse_time(raw: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("give a time, like 2026-12-01 22:00".into());
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let civil = s.replace(' ', "T");
    let dt: jiff::civil::DateTime = civil
        .parse()
        .map_err(|_| format!("'{s}' is not a time like 2026-12-01 22:00"))?;
    dt.to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("'{s}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maintenance_window_is_announced_ahead() {
        let tz = TimeZone::get("Europe/Stockholm").unwrap();
        let form = |from: &str, until: &str| {
            EventForm {
                name: "Upgrades".into(),
                body: "Live migration.".into(),
                scheduled_for: from.into(),
                scheduled_until: until.into(),
                ..Default::default()
            }
            .parse(EventKind::Maintenance, &tz)
            .unwrap()
        };
        let now: Timestamp = "2026-12-03T12:00:00Z".parse().unwrap();
        assert!(
            form("2026-12-04 22:00", "2026-12-05 02:00")
                .check_ahead(now)
                .is_ok()
        );
        assert!(
            form("2026-12-03 12:30", "2026-12-03 15:00")
                .check_ahead(now)
                .is_ok(),
            "posted late"
        );
        let e = form("2020-12-04 22:00", "2020-12-05 02:00")
            .check_ahead(now)
            .unwrap_err();
        assert!(e.get("scheduled_until").unwrap().contains("already over"));
        let e = form("2025-12-04 22:00", "2026-12-05 02:00")
            .check_ahead(now)
            .unwrap_err();
        assert!(
            e.get("scheduled_for")
                .unwrap()
                .contains("more than an hour ago")
        );
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn maintenance_starts_and_completes_on_time_only_when_asked() {
        let w = MaintenanceWindow {
            from: t("2026-12-01T21:00:00Z"),
            until: t("2026-12-01T23:00:00Z"),
            auto_start: true,
            auto_complete: true,
        };
        use MaintenanceStatus::*;
        assert_eq!(
            maintenance_step(Scheduled, &w, t("2026-12-01T20:59:59Z")),
            None
        );
        assert_eq!(
            maintenance_step(Scheduled, &w, t("2026-12-01T21:00:00Z")),
            Some(InProgress)
        );
        assert_eq!(
            maintenance_step(InProgress, &w, t("2026-12-01T22:00:00Z")),
            None
        );
        assert_eq!(
            maintenance_step(Verifying, &w, t("2026-12-01T23:00:00Z")),
            Some(Completed)
        );
        assert_eq!(
            maintenance_step(Scheduled, &w, t("2026-12-02T00:00:00Z")),
            Some(Completed),
            "a window missed entirely (server down) completes"
        );
        assert_eq!(
            maintenance_step(Completed, &w, t("2026-12-02T00:00:00Z")),
            None
        );
        let manual = MaintenanceWindow {
            auto_start: false,
            auto_complete: false,
            ..w
        };
        assert_eq!(
            maintenance_step(Scheduled, &manual, t("2026-12-02T00:00:00Z")),
            None
        );
    }

    #[test]
    fn forms_report_every_problem_by_field() {
        let tz = TimeZone::get("Europe/Oslo").unwrap();
        let form = EventForm {
            status: "fixed".into(),
            impact: "huge".into(),
            components: vec![(3, "broken".into()), (4, String::new())],
            ..Default::default()
        };
        let errors = form.parse(EventKind::Incident, &tz).unwrap_err();
        for field in ["name", "status", "impact", "body", "component_3"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let ok = EventForm {
            name: "Storage slow in Oslo".into(),
            body: "We are looking into it.".into(),
            components: vec![(3, "degraded_performance".into()), (4, String::new())],
            ..Default::default()
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        assert_eq!(ok.impact, Impact::Minor);
        assert_eq!(
            ok.first.status,
            EventStatus::Incident(IncidentStatus::Investigating)
        );
        assert_eq!(ok.first.components.len(), 1);

        let maint = EventForm {
            name: "Ceph upgrade".into(),
            body: "Rolling upgrade.".into(),
            scheduled_for: "2026-12-01 22:00".into(),
            scheduled_until: "2026-12-01T21:00".into(),
            ..Default::default()
        };
        let errors = maint.parse(EventKind::Maintenance, &tz).unwrap_err();
        assert!(errors.get("scheduled_until").is_some());
        let maint = EventForm {
            scheduled_until: "2026-12-02 01:00".into(),
            auto_start: true,
            ..maint
        }
        .parse(EventKind::Maintenance, &tz)
        .unwrap();
        let w = maint.window.unwrap();
        assert_eq!(
            w.from,
            t("2026-12-01T21:00:00Z"),
            "22:00 in Oslo is 21:00 UTC"
        );
        assert!(w.auto_start && !w.auto_complete);
        assert_eq!(
            maint.first.status,
            EventStatus::Maintenance(MaintenanceStatus::Scheduled)
        );
    }
}
