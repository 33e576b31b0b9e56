//! The words of the public page and its notifications, in each language Varde speaks.

use super::{ComponentStatus, EventStatus, IncidentStatus, Indicator, MaintenanceStatus};
use crate::values::Language;

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
