//! What an organisation chose for its portal: which tickets its contacts see, and whether its
//! technical contacts are told of incidents and maintenance on the services of its contracts.

use crate::access::TicketSight;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortalSettings {
    pub sight: TicketSight,
    /// Incidents and maintenance on a contracted service are mailed (and, for major and
    /// critical impact, sent by SMS) to the organisation's technical contacts.
    pub incident_notices: bool,
}

impl Default for PortalSettings {
    fn default() -> PortalSettings {
        PortalSettings {
            sight: TicketSight::Organization,
            incident_notices: true,
        }
    }
}

impl PortalSettings {
    /// The settings as the organisation's audit history records them.
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "own_tickets_only",
                (self.sight == TicketSight::Own).to_string(),
            ),
            ("incident_notices", self.incident_notices.to_string()),
        ]
    }
}

/// The portal's words for these settings, in one language.
#[derive(Debug)]
pub struct SettingsWords {
    pub heading: &'static str,
    pub sight: &'static str,
    pub sight_all: &'static str,
    pub sight_own: &'static str,
    pub notices: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub opens: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub allow: &'static str,
    pub forbid: &'static str,
    /// On the new-ticket page of a contact who may not open tickets.
    pub may_not_open: &'static str,
}

const WORDS: [SettingsWords; 4] = [
    SettingsWords {
        heading: "Tickets and notices",
        sight: "Each colleague sees",
        sight_all: "every ticket of the organisation",
        sight_own: "only the tickets they opened or are copied on",
        notices: "Tell our technical contacts of incidents and maintenance on our services (e-mail; SMS for major and critical incidents)",
        save: "Save the settings",
        saved: "The settings are saved.",
        opens: "Opens tickets",
        yes: "Yes",
        no: "No",
        allow: "Allow to open tickets",
        forbid: "Stop from opening tickets",
        may_not_open: "Your organisation's primary contact has not allowed you to open tickets. Ask them, or write to support by e-mail.",
    },
    SettingsWords {
        heading: "Ärenden och aviseringar",
        sight: "Varje kollega ser",
        sight_all: "alla organisationens ärenden",
        sight_own: "bara ärenden hen själv öppnat eller står som kopia på",
        notices: "Meddela våra tekniska kontakter om störningar och underhåll på våra tjänster (e-post; sms vid större och kritiska störningar)",
        save: "Spara inställningarna",
        saved: "Inställningarna är sparade.",
        opens: "Öppnar ärenden",
        yes: "Ja",
        no: "Nej",
        allow: "Tillåt att öppna ärenden",
        forbid: "Hindra från att öppna ärenden",
        may_not_open: "Er organisations primära kontakt har inte gett dig rätt att öppna ärenden. Fråga hen, eller skriv till supporten via e-post.",
    },
    SettingsWords {
        heading: "Saker og varsler",
        sight: "Hver kollega ser",
        sight_all: "alle organisasjonens saker",
        sight_own: "bare sakene vedkommende selv har åpnet eller står på kopi på",
        notices: "Varsle våre tekniske kontakter om driftsforstyrrelser og vedlikehold på tjenestene våre (e-post; SMS ved større og kritiske forstyrrelser)",
        save: "Lagre innstillingene",
        saved: "Innstillingene er lagret.",
        opens: "Åpner saker",
        yes: "Ja",
        no: "Nei",
        allow: "Tillat å åpne saker",
        forbid: "Hindre i å åpne saker",
        may_not_open: "Primærkontakten i organisasjonen deres har ikke gitt deg lov til å åpne saker. Spør vedkommende, eller skriv til support på e-post.",
    },
    SettingsWords {
        heading: "Sager og varsler",
        sight: "Hver kollega ser",
        sight_all: "alle organisationens sager",
        sight_own: "kun de sager, vedkommende selv har oprettet eller står som kopi på",
        notices: "Underret vores tekniske kontakter om driftsforstyrrelser og vedligeholdelse på vores tjenester (e-mail; sms ved større og kritiske forstyrrelser)",
        save: "Gem indstillingerne",
        saved: "Indstillingerne er gemt.",
        opens: "Opretter sager",
        yes: "Ja",
        no: "Nej",
        allow: "Tillad at oprette sager",
        forbid: "Forhindr i at oprette sager",
        may_not_open: "Jeres organisations primære kontakt har ikke givet dig lov til at oprette sager. Spørg vedkommende, eller skriv til support på e-mail.",
    },
];

/// The settings' words in `language`.
pub fn settings_words(language: crate::values::Language) -> &'static SettingsWords {
    use crate::values::Language::*;
    &WORDS[match language {
        English => 0,
        Swedish => 1,
        NorwegianBokmal => 2,
        Danish => 3,
    }]
}
