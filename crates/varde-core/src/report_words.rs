//! The quarterly operations report's words, in each language Varde speaks, and its raw
//! values (targets, priorities, statuses, impacts, tiers) in plain words. The report goes to
//! customers: no code or internal value is shown as it is stored.

use crate::catalogue::{Service, SupportTier};
use crate::portal::catalogue_words;
use crate::status::Impact;
use crate::ticket::lifecycle::Status;
use crate::values::Language;

#[derive(Debug)]
pub struct ReportWords {
    pub language: Language,
    pub title: &'static str,
    pub period: &'static str,
    pub no_tier: &'static str,
    pub policy: &'static str,
    pub example_policy: &'static str,
    pub tickets: &'static str,
    /// The heading of a column of ticket counts.
    pub count: &'static str,
    pub agenda: &'static str,
    pub agenda_items: [&'static str; 5],
    pub compliance: &'static str,
    pub compliance_chart: &'static str,
    pub no_targets: &'static str,
    pub of: &'static str,
    pub first_response_median: &'static str,
    pub resolution_median: &'static str,
    pub p90: &'static str,
    pub breached_tickets: &'static str,
    pub none: &'static str,
    pub ticket: &'static str,
    pub subject: &'static str,
    pub priority: &'static str,
    pub breached: &'static str,
    pub more: &'static str,
    pub availability_heading: &'static str,
    pub no_services: &'static str,
    pub service: &'static str,
    pub availability: &'static str,
    pub major_outage: &'static str,
    pub partial_outage: &'static str,
    pub formula: &'static str,
    pub incidents: &'static str,
    pub incident: &'static str,
    pub impact: &'static str,
    pub started: &'static str,
    pub resolved: &'static str,
    pub components: &'static str,
    pub still_open: &'static str,
    pub support_cases: &'static str,
    pub queue_chart: &'static str,
    pub by_category: &'static str,
    pub by_status: &'static str,
    pub longest: &'static str,
    pub status: &'static str,
    pub open_for: &'static str,
    pub open_items: &'static str,
    pub satisfaction: &'static str,
    pub no_ratings: &'static str,
    /// good, okay, bad
    pub ratings: [&'static str; 3],
    pub ratings_note: &'static str,
    pub feedback: &'static str,
    pub none_noted: &'static str,
    pub page: &'static str,
    pub page_of: &'static str,
    /// first response, next response, resolution
    pub targets: [&'static str; 3],
    /// urgent, high, normal, low
    pub priorities: [&'static str; 4],
    /// none, minor, major, critical, maintenance
    pub impacts: [&'static str; 5],
}

const EN: ReportWords = ReportWords {
    language: Language::English,
    title: "Quarterly operations report",
    period: "Period",
    no_tier: "no support tier on contract",
    policy: "SLA policy",
    example_policy: "example policy",
    tickets: "tickets",
    count: "Tickets",
    agenda: "Agenda",
    agenda_items: [
        "SLA review: compliance per target and priority, breached tickets",
        "Availability of the services on contract, and the incidents that touched them",
        "Support cases: volume, response and resolution times, the longest cases",
        "General service operation: open items, planned maintenance, changes",
        "Feedback for the roadmap, and any other business",
    ],
    compliance: "SLA compliance",
    compliance_chart: "SLA compliance per target and priority",
    no_targets: "No SLA targets applied in this period.",
    of: "of",
    first_response_median: "First response, median",
    resolution_median: "Resolution, median",
    p90: "90th percentile",
    breached_tickets: "Breached tickets",
    none: "None.",
    ticket: "Ticket",
    subject: "Subject",
    priority: "Priority",
    breached: "Breached",
    more: "more (all of them are in the CSV and JSON)",
    availability_heading: "Availability of the services on contract",
    no_services: "No services on contract in this period.",
    service: "Service",
    availability: "Availability",
    major_outage: "Major outage",
    partial_outage: "Partial outage",
    formula: "Uptime = 1 − (major outage time + 0.3 × partial outage time) ÷ observed time; degraded performance and maintenance count as up.",
    incidents: "Incidents that affected you",
    incident: "Incident",
    impact: "Impact",
    started: "Started",
    resolved: "Resolved",
    components: "Components",
    still_open: "still open",
    support_cases: "Support cases",
    queue_chart: "Tickets by queue",
    by_category: "By service",
    by_status: "By status",
    longest: "The longest cases",
    status: "Status",
    open_for: "Open for",
    open_items: "Open items",
    satisfaction: "Satisfaction",
    no_ratings: "No resolved ticket was rated.",
    ratings: ["good", "okay", "bad"],
    ratings_note: "ratings of resolved tickets, from the link in the mail that said so",
    feedback: "Feedback for the roadmap",
    none_noted: "None noted.",
    page: "Page",
    page_of: "of",
    targets: ["first response", "next response", "resolution"],
    priorities: ["urgent", "high", "normal", "low"],
    impacts: ["none", "minor", "major", "critical", "maintenance"],
};

const SV: ReportWords = ReportWords {
    language: Language::Swedish,
    title: "Kvartalsrapport för driften",
    period: "Period",
    no_tier: "ingen supportnivå i avtalet",
    policy: "SLA-policy",
    example_policy: "exempelpolicy",
    tickets: "ärenden",
    count: "Ärenden",
    agenda: "Dagordning",
    agenda_items: [
        "SLA-genomgång: uppfyllnad per mål och prioritet, ärenden som bröt målen",
        "Tillgänglighet för tjänsterna i avtalet, och störningarna som berörde dem",
        "Supportärenden: volym, svars- och lösningstider, de längsta ärendena",
        "Allmän drift: öppna punkter, planerat underhåll, förändringar",
        "Återkoppling till färdplanen, och övriga frågor",
    ],
    compliance: "SLA-uppfyllnad",
    compliance_chart: "SLA-uppfyllnad per mål och prioritet",
    no_targets: "Inga SLA-mål gällde under perioden.",
    of: "av",
    first_response_median: "Första svar, median",
    resolution_median: "Lösning, median",
    p90: "90:e percentilen",
    breached_tickets: "Ärenden som bröt målen",
    none: "Inga.",
    ticket: "Ärende",
    subject: "Ämne",
    priority: "Prioritet",
    breached: "Brutet mål",
    more: "till (alla finns i CSV och JSON)",
    availability_heading: "Tillgänglighet för tjänsterna i avtalet",
    no_services: "Inga tjänster i avtalet under perioden.",
    service: "Tjänst",
    availability: "Tillgänglighet",
    major_outage: "Större avbrott",
    partial_outage: "Delvis avbrott",
    formula: "Drifttid = 1 − (tid med större avbrott + 0,3 × tid med delvis avbrott) ÷ observerad tid; försämrad prestanda och underhåll räknas som i drift.",
    incidents: "Störningar som berörde er",
    incident: "Störning",
    impact: "Påverkan",
    started: "Började",
    resolved: "Löst",
    components: "Komponenter",
    still_open: "pågår",
    support_cases: "Supportärenden",
    queue_chart: "Ärenden per kö",
    by_category: "Per tjänst",
    by_status: "Per status",
    longest: "De längsta ärendena",
    status: "Status",
    open_for: "Öppet i",
    open_items: "Öppna punkter",
    satisfaction: "Nöjdhet",
    no_ratings: "Inget löst ärende fick ett betyg.",
    ratings: ["bra", "okej", "dåligt"],
    ratings_note: "betyg på lösta ärenden, via länken i meddelandet om det",
    feedback: "Återkoppling till färdplanen",
    none_noted: "Inget noterat.",
    page: "Sida",
    page_of: "av",
    targets: ["första svar", "nästa svar", "lösning"],
    priorities: ["brådskande", "hög", "normal", "låg"],
    impacts: ["ingen", "mindre", "större", "kritisk", "underhåll"],
};

const NB: ReportWords = ReportWords {
    language: Language::NorwegianBokmal,
    title: "Kvartalsrapport for driften",
    period: "Periode",
    no_tier: "ingen supportnivå i avtalen",
    policy: "SLA-policy",
    example_policy: "eksempelpolicy",
    tickets: "saker",
    count: "Saker",
    agenda: "Dagsorden",
    agenda_items: [
        "SLA-gjennomgang: oppfyllelse per mål og prioritet, saker som brøt målene",
        "Tilgjengelighet for tjenestene i avtalen, og driftsforstyrrelsene som berørte dem",
        "Supportsaker: volum, svar- og løsningstider, de lengste sakene",
        "Generell drift: åpne punkter, planlagt vedlikehold, endringer",
        "Innspill til veikartet, og eventuelt",
    ],
    compliance: "SLA-oppfyllelse",
    compliance_chart: "SLA-oppfyllelse per mål og prioritet",
    no_targets: "Ingen SLA-mål gjaldt i perioden.",
    of: "av",
    first_response_median: "Første svar, median",
    resolution_median: "Løsning, median",
    p90: "90. persentil",
    breached_tickets: "Saker som brøt målene",
    none: "Ingen.",
    ticket: "Sak",
    subject: "Emne",
    priority: "Prioritet",
    breached: "Brutt mål",
    more: "til (alle står i CSV og JSON)",
    availability_heading: "Tilgjengelighet for tjenestene i avtalen",
    no_services: "Ingen tjenester i avtalen i perioden.",
    service: "Tjeneste",
    availability: "Tilgjengelighet",
    major_outage: "Større avbrudd",
    partial_outage: "Delvis avbrudd",
    formula: "Oppetid = 1 − (tid med større avbrudd + 0,3 × tid med delvis avbrudd) ÷ observert tid; redusert ytelse og vedlikehold regnes som oppe.",
    incidents: "Driftsforstyrrelser som berørte dere",
    incident: "Driftsforstyrrelse",
    impact: "Påvirkning",
    started: "Startet",
    resolved: "Løst",
    components: "Komponenter",
    still_open: "pågår",
    support_cases: "Supportsaker",
    queue_chart: "Saker per kø",
    by_category: "Per tjeneste",
    by_status: "Per status",
    longest: "De lengste sakene",
    status: "Status",
    open_for: "Åpen i",
    open_items: "Åpne punkter",
    satisfaction: "Tilfredshet",
    no_ratings: "Ingen løste saker fikk en vurdering.",
    ratings: ["bra", "ok", "dårlig"],
    ratings_note: "vurderinger av løste saker, via lenken i meldingen om det",
    feedback: "Innspill til veikartet",
    none_noted: "Ingen notert.",
    page: "Side",
    page_of: "av",
    targets: ["første svar", "neste svar", "løsning"],
    priorities: ["haster", "høy", "normal", "lav"],
    impacts: ["ingen", "mindre", "større", "kritisk", "vedlikehold"],
};

const DA: ReportWords = ReportWords {
    language: Language::Danish,
    title: "Kvartalsrapport for driften",
    period: "Periode",
    no_tier: "intet supportniveau i aftalen",
    policy: "SLA-politik",
    example_policy: "eksempelpolitik",
    tickets: "sager",
    count: "Sager",
    agenda: "Dagsorden",
    agenda_items: [
        "SLA-gennemgang: opfyldelse pr. mål og prioritet, sager der brød målene",
        "Tilgængelighed for tjenesterne i aftalen, og de driftsforstyrrelser der berørte dem",
        "Supportsager: antal, svar- og løsningstider, de længste sager",
        "Generel drift: åbne punkter, planlagt vedligeholdelse, ændringer",
        "Input til køreplanen, og eventuelt",
    ],
    compliance: "SLA-opfyldelse",
    compliance_chart: "SLA-opfyldelse pr. mål og prioritet",
    no_targets: "Ingen SLA-mål gjaldt i perioden.",
    of: "af",
    first_response_median: "Første svar, median",
    resolution_median: "Løsning, median",
    p90: "90. percentil",
    breached_tickets: "Sager der brød målene",
    none: "Ingen.",
    ticket: "Sag",
    subject: "Emne",
    priority: "Prioritet",
    breached: "Brudt mål",
    more: "mere (alle står i CSV og JSON)",
    availability_heading: "Tilgængelighed for tjenesterne i aftalen",
    no_services: "Ingen tjenester i aftalen i perioden.",
    service: "Tjeneste",
    availability: "Tilgængelighed",
    major_outage: "Større nedbrud",
    partial_outage: "Delvist nedbrud",
    formula: "Oppetid = 1 − (tid med større nedbrud + 0,3 × tid med delvist nedbrud) ÷ observeret tid; nedsat ydelse og vedligeholdelse regnes som oppe.",
    incidents: "Driftsforstyrrelser der berørte jer",
    incident: "Driftsforstyrrelse",
    impact: "Påvirkning",
    started: "Startede",
    resolved: "Løst",
    components: "Komponenter",
    still_open: "pågår",
    support_cases: "Supportsager",
    queue_chart: "Sager pr. kø",
    by_category: "Pr. tjeneste",
    by_status: "Pr. status",
    longest: "De længste sager",
    status: "Status",
    open_for: "Åben i",
    open_items: "Åbne punkter",
    satisfaction: "Tilfredshed",
    no_ratings: "Ingen løste sager fik en vurdering.",
    ratings: ["god", "ok", "dårlig"],
    ratings_note: "vurderinger af løste sager, via linket i beskeden om det",
    feedback: "Input til køreplanen",
    none_noted: "Intet noteret.",
    page: "Side",
    page_of: "af",
    targets: ["første svar", "næste svar", "løsning"],
    priorities: ["haster", "høj", "normal", "lav"],
    impacts: ["ingen", "mindre", "større", "kritisk", "vedligeholdelse"],
};

/// The report's words in `language`.
pub fn report_words(language: Language) -> &'static ReportWords {
    match language {
        Language::English => &EN,
        Language::Swedish => &SV,
        Language::NorwegianBokmal => &NB,
        Language::Danish => &DA,
    }
}

impl ReportWords {
    /// An SLA target as the report stores it (`first response`), in words.
    pub fn target(&self, stored: &str) -> String {
        let i = ["first response", "next response", "resolution"]
            .iter()
            .position(|t| *t == stored);
        i.map_or_else(|| stored.to_string(), |i| self.targets[i].to_string())
    }

    /// A priority class as the report stores it (`high`), in words.
    pub fn priority(&self, stored: &str) -> String {
        let i = ["urgent", "high", "normal", "low"]
            .iter()
            .position(|t| *t == stored);
        i.map_or_else(|| stored.to_string(), |i| self.priorities[i].to_string())
    }

    /// A ticket status code (`open`), in the portal's words.
    pub fn status(&self, stored: &str) -> String {
        Status::parse(stored).map_or_else(
            |_| stored.to_string(),
            |s| crate::portal::words(self.language).status(s).to_string(),
        )
    }

    /// An incident's impact code (`major`, or `maintenance`), in words.
    pub fn impact(&self, stored: &str) -> String {
        let i = match Impact::parse(stored) {
            Ok(Impact::None) => 0,
            Ok(Impact::Minor) => 1,
            Ok(Impact::Major) => 2,
            Ok(Impact::Critical) => 3,
            Err(_) if stored == "maintenance" => 4,
            Err(_) => return stored.to_string(),
        };
        self.impacts[i].to_string()
    }

    /// The support tier as the report states it (a tier's label), in words.
    pub fn tier(&self, stored: &str) -> String {
        let w = catalogue_words(self.language);
        SupportTier::ALL
            .iter()
            .find(|t| t.label() == stored || t.code() == stored)
            .map_or_else(|| self.no_tier.to_string(), |t| w.tier(*t).to_string())
    }

    /// A number with `places` decimals as the language writes it (a decimal comma in
    /// Swedish, Norwegian and Danish).
    pub fn decimal(&self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        if self.language == Language::English {
            text
        } else {
            text.replace('.', ",")
        }
    }

    /// A service code (`compute`, the tickets' Service field), in words; other values as
    /// they are.
    pub fn service(&self, stored: &str) -> String {
        Service::parse(stored).map_or_else(
            |_| stored.to_string(),
            |s| catalogue_words(self.language).service(s).to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_stored_value_is_shown_as_stored() {
        let nb = report_words(Language::NorwegianBokmal);
        assert_eq!(nb.target("first response"), "første svar");
        assert_eq!(nb.priority("urgent"), "haster");
        assert_eq!(
            nb.status("open"),
            crate::portal::words(Language::NorwegianBokmal).status(Status::Open)
        );
        assert_eq!(nb.impact("critical"), "kritisk");
        assert_eq!(nb.impact("maintenance"), "vedlikehold");
        assert_eq!(nb.tier("Premium support"), "Premiumsupport");
        assert_eq!(nb.tier("no support tier on contract"), nb.no_tier);
        assert_eq!(nb.service("storage"), "Objektlagring (S3)");
        assert_eq!(nb.service("Fakturering"), "Fakturering");
        assert_eq!(nb.decimal(99.8642, 3), "99,864");
        assert_eq!(
            report_words(Language::English).decimal(99.8642, 3),
            "99.864"
        );
        for l in Language::ALL {
            let w = report_words(l);
            assert_eq!(w.language, l);
            assert!(w.agenda_items.iter().all(|a| !a.is_empty()));
        }
    }
}
