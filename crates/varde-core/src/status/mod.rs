//! The public status page: components, incidents and scheduled maintenance in Atlassian
//! Statuspage's vocabulary, the page's overall status, uptime from a component's status
//! history, and when a maintenance window starts and ends by itself.
//!
//! Everything here is pure: the store keeps the facts, this module decides what they mean.
//!
//! Here the vocabulary and the page's overall status; `uptime` derives uptime from a
//! component's status history, `events` reads incidents, maintenance and their updates as
//! typed (and moves a maintenance window on by itself), `words` holds the page's words in each
//! language and `subscription` the page's subscribers.

mod events;
pub mod subscribe_words;
pub mod subscription;
mod uptime;
mod words;

pub use events::{
    ComponentChange, EventForm, MaintenanceWindow, NewEvent, Update, UpdateForm, maintenance_step,
    parse_time,
};
pub use uptime::{StatusChange, Tally, UPTIME_FORMULA, UptimeDay, tally, uptime_days};
pub use words::{Words, words};

use crate::vocabulary;

vocabulary!(
    /// How a component is doing, in Statuspage's words.
    ComponentStatus, "component status" {
        Operational => "operational", "Operational";
        DegradedPerformance => "degraded_performance", "Degraded performance";
        PartialOutage => "partial_outage", "Partial outage";
        MajorOutage => "major_outage", "Major outage";
        UnderMaintenance => "under_maintenance", "Under maintenance";
    }
);

vocabulary!(
    /// Where an incident stands.
    IncidentStatus, "incident status" {
        Investigating => "investigating", "Investigating";
        Identified => "identified", "Identified";
        Monitoring => "monitoring", "Monitoring";
        Resolved => "resolved", "Resolved";
        Postmortem => "postmortem", "Postmortem";
    }
);

vocabulary!(
    /// How bad an incident is.
    Impact, "impact" {
        None => "none", "None";
        Minor => "minor", "Minor";
        Major => "major", "Major";
        Critical => "critical", "Critical";
    }
);

vocabulary!(
    /// Where a scheduled maintenance stands.
    MaintenanceStatus, "maintenance status" {
        Scheduled => "scheduled", "Scheduled";
        InProgress => "in_progress", "In progress";
        Verifying => "verifying", "Verifying";
        Completed => "completed", "Completed";
    }
);

vocabulary!(
    /// The page's overall state, as Statuspage's `status.indicator`.
    Indicator, "status indicator" {
        None => "none", "All Systems Operational";
        Minor => "minor", "Minor Service Outage";
        Major => "major", "Partial System Outage";
        Critical => "critical", "Major System Outage";
        Maintenance => "maintenance", "Service Under Maintenance";
    }
);

impl ComponentStatus {
    /// Worse is larger; maintenance counts below any outage.
    pub fn severity(self) -> u8 {
        match self {
            ComponentStatus::Operational => 0,
            ComponentStatus::UnderMaintenance => 1,
            ComponentStatus::DegradedPerformance => 2,
            ComponentStatus::PartialOutage => 3,
            ComponentStatus::MajorOutage => 4,
        }
    }

    /// The share of time in this status that counts as downtime (Statuspage's rule: a major
    /// outage fully, a partial outage 30%, degraded performance and maintenance not at all).
    pub fn downtime_weight(self) -> f64 {
        match self {
            ComponentStatus::MajorOutage => 1.0,
            ComponentStatus::PartialOutage => 0.3,
            _ => 0.0,
        }
    }
}

impl IncidentStatus {
    /// Whether the incident is over (resolved, or past it with a postmortem).
    pub fn is_closed(self) -> bool {
        matches!(self, IncidentStatus::Resolved | IncidentStatus::Postmortem)
    }
}

impl MaintenanceStatus {
    pub fn is_closed(self) -> bool {
        self == MaintenanceStatus::Completed
    }
}

/// An incident or a scheduled maintenance: Statuspage keeps both as incidents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Incident,
    Maintenance,
}

impl EventKind {
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Incident => "incident",
            EventKind::Maintenance => "maintenance",
        }
    }

    pub fn parse(raw: &str) -> Option<EventKind> {
        match raw {
            "incident" => Some(EventKind::Incident),
            "maintenance" => Some(EventKind::Maintenance),
            _ => None,
        }
    }

    /// Statuspage's impact of an event of this kind: a maintenance has its own.
    pub fn impact_code(self, impact: Impact) -> &'static str {
        match self {
            EventKind::Maintenance => "maintenance",
            EventKind::Incident => impact.code(),
        }
    }
}

/// The status of an incident or a maintenance, whichever the event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventStatus {
    Incident(IncidentStatus),
    Maintenance(MaintenanceStatus),
}

impl EventStatus {
    pub fn parse(kind: EventKind, raw: &str) -> Result<EventStatus, crate::values::Invalid> {
        Ok(match kind {
            EventKind::Incident => EventStatus::Incident(IncidentStatus::parse(raw)?),
            EventKind::Maintenance => EventStatus::Maintenance(MaintenanceStatus::parse(raw)?),
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            EventStatus::Incident(s) => s.code(),
            EventStatus::Maintenance(s) => s.code(),
        }
    }

    pub fn is_closed(self) -> bool {
        match self {
            EventStatus::Incident(s) => s.is_closed(),
            EventStatus::Maintenance(s) => s.is_closed(),
        }
    }

    /// A maintenance that is running now.
    pub fn is_maintenance_in_progress(self) -> bool {
        matches!(
            self,
            EventStatus::Maintenance(MaintenanceStatus::InProgress | MaintenanceStatus::Verifying)
        )
    }
}

/// The page's overall status, as Statuspage computes it: the worst of the components' statuses
/// and the impacts of unresolved incidents; maintenance shows only when nothing is broken.
pub fn overall(
    components: &[ComponentStatus],
    open_incidents: &[Impact],
    maintenance_in_progress: bool,
) -> Indicator {
    let from_components = components
        .iter()
        .map(|s| match s {
            ComponentStatus::MajorOutage => Indicator::Critical,
            ComponentStatus::PartialOutage => Indicator::Major,
            ComponentStatus::DegradedPerformance => Indicator::Minor,
            _ => Indicator::None,
        })
        .max()
        .unwrap_or(Indicator::None);
    let from_incidents = open_incidents
        .iter()
        .map(|i| match i {
            Impact::Critical => Indicator::Critical,
            Impact::Major => Indicator::Major,
            Impact::Minor => Indicator::Minor,
            Impact::None => Indicator::None,
        })
        .max()
        .unwrap_or(Indicator::None);
    let worst = from_components.max(from_incidents);
    let under_maintenance =
        maintenance_in_progress || components.contains(&ComponentStatus::UnderMaintenance);
    if worst == Indicator::None && under_maintenance {
        Indicator::Maintenance
    } else {
        worst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overall_takes_the_worst_of_components_and_incidents() {
        use ComponentStatus::*;
        assert_eq!(
            overall(&[Operational, Operational], &[], false),
            Indicator::None
        );
        assert_eq!(
            overall(&[Operational, DegradedPerformance], &[], false),
            Indicator::Minor
        );
        assert_eq!(
            overall(&[PartialOutage, DegradedPerformance], &[], false),
            Indicator::Major
        );
        assert_eq!(
            overall(&[MajorOutage], &[Impact::Minor], false),
            Indicator::Critical
        );
        assert_eq!(
            overall(&[Operational], &[Impact::Critical], false),
            Indicator::Critical
        );
        assert_eq!(
            overall(&[Operational], &[Impact::None], false),
            Indicator::None
        );
        // Maintenance shows only when nothing is broken.
        assert_eq!(
            overall(&[UnderMaintenance], &[], false),
            Indicator::Maintenance
        );
        assert_eq!(overall(&[Operational], &[], true), Indicator::Maintenance);
        assert_eq!(
            overall(&[UnderMaintenance, PartialOutage], &[], true),
            Indicator::Major
        );
        assert_eq!(overall(&[], &[], false), Indicator::None);
    }
}
