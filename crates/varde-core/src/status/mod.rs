//! The public status page: components, incidents and scheduled maintenance in Atlassian
//! Statuspage's vocabulary, the page's overall status, uptime from a component's status
//! history, and when a maintenance window starts and ends by itself.
//!
//! Everything here is pure: the store keeps the facts, this module decides what they mean.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, civil::Date};

pub mod subscription;

use crate::form::FieldErrors;
use crate::values::Language;
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

/// One change of a component's status.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatusChange {
    pub at: Timestamp,
    pub status: ComponentStatus,
}

/// One day of a component's uptime bar.
#[derive(Clone, Debug, PartialEq)]
pub struct UptimeDay {
    pub date: Date,
    /// Share of the observed time that was up, 0.0 to 1.0; `None` when the component did not
    /// exist yet or the day has not begun.
    pub uptime: Option<f64>,
    /// The worst status the component had that day.
    pub worst: ComponentStatus,
    /// Minutes in a major or partial outage.
    pub outage_minutes: i64,
}

/// The formula the page prints beside its uptime figures.
pub const UPTIME_FORMULA: &str = "uptime = 1 − (major outage time + 0.3 × partial outage time) ÷ observed time; degraded performance and maintenance count as up";

/// Uptime per day for the `days` days ending with `now`'s day in `tz`, from the component's
/// status changes in time order. The component is observed from `since` (its creation).
pub fn uptime_days(
    changes: &[StatusChange],
    since: Timestamp,
    now: Timestamp,
    tz: &TimeZone,
    days: usize,
) -> Vec<UptimeDay> {
    let today = now.to_zoned(tz.clone()).date();
    let mut out = Vec::with_capacity(days);
    for back in (0..days).rev() {
        let date = today
            .checked_sub(jiff::Span::new().days(back as i64))
            .unwrap_or(today);
        let start = day_start(date, tz);
        let end = date
            .tomorrow()
            .map(|d| day_start(d, tz))
            .unwrap_or(start)
            .min(now);
        let from = start.max(since);
        if from >= end {
            out.push(UptimeDay {
                date,
                uptime: None,
                worst: ComponentStatus::Operational,
                outage_minutes: 0,
            });
            continue;
        }
        let tally = tally(changes, from, end);
        out.push(UptimeDay {
            date,
            uptime: Some(tally.uptime()),
            worst: tally.worst,
            outage_minutes: (tally.major + tally.partial).as_mins(),
        });
    }
    out
}

/// Time spent in each kind of trouble within an interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tally {
    pub observed: SignedDuration,
    pub major: SignedDuration,
    pub partial: SignedDuration,
    pub worst: ComponentStatus,
}

impl Tally {
    pub fn uptime(&self) -> f64 {
        if self.observed.is_zero() {
            return 1.0;
        }
        let down = self.major.as_secs_f64()
            + ComponentStatus::PartialOutage.downtime_weight() * self.partial.as_secs_f64();
        (1.0 - down / self.observed.as_secs_f64()).clamp(0.0, 1.0)
    }
}

/// What the status history says about `[from, to)`. Before the first change the component
/// was operational.
pub fn tally(changes: &[StatusChange], from: Timestamp, to: Timestamp) -> Tally {
    let mut t = Tally {
        observed: to.duration_since(from).max(SignedDuration::ZERO),
        major: SignedDuration::ZERO,
        partial: SignedDuration::ZERO,
        worst: ComponentStatus::Operational,
    };
    let mut current = ComponentStatus::Operational;
    let mut cursor = from;
    let add = |status: ComponentStatus, a: Timestamp, b: Timestamp, t: &mut Tally| {
        if b <= a {
            return;
        }
        let d = b.duration_since(a);
        match status {
            ComponentStatus::MajorOutage => t.major += d,
            ComponentStatus::PartialOutage => t.partial += d,
            _ => {}
        }
        if status.severity() > t.worst.severity() {
            t.worst = status;
        }
    };
    for c in changes {
        if c.at <= from {
            current = c.status;
            continue;
        }
        if c.at >= to {
            break;
        }
        add(current, cursor, c.at, &mut t);
        cursor = c.at;
        current = c.status;
    }
    add(current, cursor, to, &mut t);
    t
}

fn day_start(date: Date, tz: &TimeZone) -> Timestamp {
    date.to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

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

/// The words of the public page and its notifications in one language.
#[derive(Debug)]
pub struct Words {
    pub title: &'static str,
    pub all_operational: &'static str,
    pub minor: &'static str,
    pub major: &'static str,
    pub critical: &'static str,
    pub maintenance: &'static str,
    pub operational: &'static str,
    pub degraded_performance: &'static str,
    pub partial_outage: &'static str,
    pub major_outage: &'static str,
    pub under_maintenance: &'static str,
    pub investigating: &'static str,
    pub identified: &'static str,
    pub monitoring: &'static str,
    pub resolved: &'static str,
    pub postmortem: &'static str,
    pub scheduled: &'static str,
    pub in_progress: &'static str,
    pub verifying: &'static str,
    pub completed: &'static str,
    pub active_incidents: &'static str,
    pub scheduled_maintenance: &'static str,
    pub components: &'static str,
    pub past_incidents: &'static str,
    pub no_incidents: &'static str,
    pub uptime_days: &'static str,
    pub days_ago: &'static str,
    pub today: &'static str,
    pub no_data: &'static str,
    pub subscribe: &'static str,
    pub affected: &'static str,
    pub updated: &'static str,
    pub history: &'static str,
    pub language: &'static str,
}

const EN: Words = Words {
    title: "Service status",
    all_operational: "All Systems Operational",
    minor: "Minor Service Outage",
    major: "Partial System Outage",
    critical: "Major System Outage",
    maintenance: "Service Under Maintenance",
    operational: "Operational",
    degraded_performance: "Degraded performance",
    partial_outage: "Partial outage",
    major_outage: "Major outage",
    under_maintenance: "Under maintenance",
    investigating: "Investigating",
    identified: "Identified",
    monitoring: "Monitoring",
    resolved: "Resolved",
    postmortem: "Postmortem",
    scheduled: "Scheduled",
    in_progress: "In progress",
    verifying: "Verifying",
    completed: "Completed",
    active_incidents: "Active incidents",
    scheduled_maintenance: "Scheduled maintenance",
    components: "Components",
    past_incidents: "Past incidents",
    no_incidents: "No incidents reported.",
    uptime_days: "uptime over 90 days",
    days_ago: "90 days ago",
    today: "Today",
    no_data: "No data",
    subscribe: "Subscribe to updates",
    affected: "Affected",
    updated: "Updated",
    history: "Incident history",
    language: "Language",
};

const SV: Words = Words {
    title: "Driftstatus",
    all_operational: "Alla system fungerar normalt",
    minor: "Mindre driftstörning",
    major: "Delvis driftavbrott",
    critical: "Större driftavbrott",
    maintenance: "Underhåll pågår",
    operational: "I drift",
    degraded_performance: "Försämrad prestanda",
    partial_outage: "Delvis avbrott",
    major_outage: "Större avbrott",
    under_maintenance: "Underhåll",
    investigating: "Undersöks",
    identified: "Orsak identifierad",
    monitoring: "Övervakas",
    resolved: "Åtgärdat",
    postmortem: "Efteranalys",
    scheduled: "Planerat",
    in_progress: "Pågår",
    verifying: "Verifieras",
    completed: "Slutfört",
    active_incidents: "Pågående incidenter",
    scheduled_maintenance: "Planerat underhåll",
    components: "Tjänster",
    past_incidents: "Tidigare incidenter",
    no_incidents: "Inga incidenter rapporterade.",
    uptime_days: "tillgänglighet senaste 90 dagarna",
    days_ago: "för 90 dagar sedan",
    today: "Idag",
    no_data: "Inga data",
    subscribe: "Prenumerera på uppdateringar",
    affected: "Påverkar",
    updated: "Uppdaterad",
    history: "Incidenthistorik",
    language: "Språk",
};

const NB: Words = Words {
    title: "Driftsstatus",
    all_operational: "Alle systemer fungerer normalt",
    minor: "Mindre driftsforstyrrelse",
    major: "Delvis driftsavbrudd",
    critical: "Større driftsavbrudd",
    maintenance: "Vedlikehold pågår",
    operational: "I drift",
    degraded_performance: "Redusert ytelse",
    partial_outage: "Delvis avbrudd",
    major_outage: "Større avbrudd",
    under_maintenance: "Vedlikehold",
    investigating: "Undersøkes",
    identified: "Årsak funnet",
    monitoring: "Overvåkes",
    resolved: "Løst",
    postmortem: "Etteranalyse",
    scheduled: "Planlagt",
    in_progress: "Pågår",
    verifying: "Verifiseres",
    completed: "Fullført",
    active_incidents: "Pågående hendelser",
    scheduled_maintenance: "Planlagt vedlikehold",
    components: "Tjenester",
    past_incidents: "Tidligere hendelser",
    no_incidents: "Ingen hendelser rapportert.",
    uptime_days: "oppetid siste 90 dager",
    days_ago: "for 90 dager siden",
    today: "I dag",
    no_data: "Ingen data",
    subscribe: "Abonner på oppdateringer",
    affected: "Berører",
    updated: "Oppdatert",
    history: "Hendelseshistorikk",
    language: "Språk",
};

const DA: Words = Words {
    title: "Driftsstatus",
    all_operational: "Alle systemer kører normalt",
    minor: "Mindre driftsforstyrrelse",
    major: "Delvist driftsudfald",
    critical: "Større driftsudfald",
    maintenance: "Vedligeholdelse i gang",
    operational: "I drift",
    degraded_performance: "Nedsat ydeevne",
    partial_outage: "Delvist udfald",
    major_outage: "Større udfald",
    under_maintenance: "Vedligeholdelse",
    investigating: "Undersøges",
    identified: "Årsag fundet",
    monitoring: "Overvåges",
    resolved: "Løst",
    postmortem: "Efteranalyse",
    scheduled: "Planlagt",
    in_progress: "I gang",
    verifying: "Verificeres",
    completed: "Afsluttet",
    active_incidents: "Aktuelle hændelser",
    scheduled_maintenance: "Planlagt vedligeholdelse",
    components: "Tjenester",
    past_incidents: "Tidligere hændelser",
    no_incidents: "Ingen hændelser rapporteret.",
    uptime_days: "oppetid de seneste 90 dage",
    days_ago: "for 90 dage siden",
    today: "I dag",
    no_data: "Ingen data",
    subscribe: "Abonnér på opdateringer",
    affected: "Berører",
    updated: "Opdateret",
    history: "Hændelseshistorik",
    language: "Sprog",
};

/// The page's words in `language`.
pub fn words(language: Language) -> &'static Words {
    match language {
        Language::English => &EN,
        Language::Swedish => &SV,
        Language::NorwegianBokmal => &NB,
        Language::Danish => &DA,
    }
}

impl Words {
    pub fn indicator(&self, i: Indicator) -> &'static str {
        match i {
            Indicator::None => self.all_operational,
            Indicator::Minor => self.minor,
            Indicator::Major => self.major,
            Indicator::Critical => self.critical,
            Indicator::Maintenance => self.maintenance,
        }
    }

    pub fn component(&self, s: ComponentStatus) -> &'static str {
        match s {
            ComponentStatus::Operational => self.operational,
            ComponentStatus::DegradedPerformance => self.degraded_performance,
            ComponentStatus::PartialOutage => self.partial_outage,
            ComponentStatus::MajorOutage => self.major_outage,
            ComponentStatus::UnderMaintenance => self.under_maintenance,
        }
    }

    pub fn event_status(&self, s: EventStatus) -> &'static str {
        match s {
            EventStatus::Incident(IncidentStatus::Investigating) => self.investigating,
            EventStatus::Incident(IncidentStatus::Identified) => self.identified,
            EventStatus::Incident(IncidentStatus::Monitoring) => self.monitoring,
            EventStatus::Incident(IncidentStatus::Resolved) => self.resolved,
            EventStatus::Incident(IncidentStatus::Postmortem) => self.postmortem,
            EventStatus::Maintenance(MaintenanceStatus::Scheduled) => self.scheduled,
            EventStatus::Maintenance(MaintenanceStatus::InProgress) => self.in_progress,
            EventStatus::Maintenance(MaintenanceStatus::Verifying) => self.verifying,
            EventStatus::Maintenance(MaintenanceStatus::Completed) => self.completed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

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

    #[test]
    fn tally_weighs_major_fully_and_partial_at_thirty_percent() {
        let changes = [
            StatusChange {
                at: t("2026-11-01T10:00:00Z"),
                status: ComponentStatus::MajorOutage,
            },
            StatusChange {
                at: t("2026-11-01T11:00:00Z"),
                status: ComponentStatus::PartialOutage,
            },
            StatusChange {
                at: t("2026-11-01T13:00:00Z"),
                status: ComponentStatus::DegradedPerformance,
            },
            StatusChange {
                at: t("2026-11-01T14:00:00Z"),
                status: ComponentStatus::Operational,
            },
        ];
        let day = tally(
            &changes,
            t("2026-11-01T00:00:00Z"),
            t("2026-11-02T00:00:00Z"),
        );
        assert_eq!(day.major, SignedDuration::from_hours(1));
        assert_eq!(day.partial, SignedDuration::from_hours(2));
        assert_eq!(day.worst, ComponentStatus::MajorOutage);
        let expected = 1.0 - (3600.0 + 0.3 * 7200.0) / 86400.0;
        assert!((day.uptime() - expected).abs() < 1e-12);
        // A window that starts inside the outage counts from its start.
        let part = tally(
            &changes,
            t("2026-11-01T10:30:00Z"),
            t("2026-11-01T11:00:00Z"),
        );
        assert_eq!(part.major, SignedDuration::from_mins(30));
        assert_eq!(part.uptime(), 0.0);
        // After the last change the component is operational.
        let later = tally(
            &changes,
            t("2026-11-02T00:00:00Z"),
            t("2026-11-03T00:00:00Z"),
        );
        assert_eq!(later.uptime(), 1.0);
        assert_eq!(later.worst, ComponentStatus::Operational);
    }

    #[test]
    fn uptime_days_follow_the_page_time_zone_and_the_component_age() {
        let tz = TimeZone::get("Europe/Stockholm").unwrap();
        // An outage from 23:30 to 00:30 Stockholm time (CET, UTC+1) spans two local days.
        let changes = [
            StatusChange {
                at: t("2026-11-20T22:30:00Z"),
                status: ComponentStatus::MajorOutage,
            },
            StatusChange {
                at: t("2026-11-20T23:30:00Z"),
                status: ComponentStatus::Operational,
            },
        ];
        let days = uptime_days(
            &changes,
            t("2026-11-19T12:00:00Z"),
            t("2026-11-22T12:00:00Z"),
            &tz,
            5,
        );
        assert_eq!(days.len(), 5);
        assert_eq!(days[4].date.to_string(), "2026-11-22");
        assert_eq!(days[0].uptime, None, "before the component existed");
        assert!(days[1].uptime.unwrap() > 0.99, "created at noon, up since");
        assert_eq!(days[2].outage_minutes, 30);
        assert_eq!(days[3].outage_minutes, 30);
        assert_eq!(days[3].worst, ComponentStatus::MajorOutage);
        assert_eq!(days[4].uptime, Some(1.0));
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

    #[test]
    fn every_language_names_every_status() {
        for lang in Language::ALL {
            let w = words(lang);
            for s in ComponentStatus::ALL {
                assert!(!w.component(*s).is_empty());
            }
            for i in Indicator::ALL {
                assert!(!w.indicator(*i).is_empty());
            }
        }
        assert_eq!(words(Language::Swedish).resolved, "Åtgärdat");
    }
}
