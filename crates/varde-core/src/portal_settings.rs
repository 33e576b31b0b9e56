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
    /// The settings as a form gives them: `sight` (`own`, else every ticket) and `notices`
    /// (ticked when not empty).
    pub fn from_form(sight: &str, notices: &str) -> PortalSettings {
        PortalSettings {
            sight: if sight == "own" {
                TicketSight::Own
            } else {
                TicketSight::Organization
            },
            incident_notices: !notices.is_empty(),
        }
    }

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

/// The portal's words for the contact's status subscriptions, in one language.
#[derive(Debug)]
pub struct SubscriptionWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub told_as_contact: &'static str,
    pub notices_off: &'static str,
    pub channel: &'static str,
    pub target: &'static str,
    pub components: &'static str,
    pub state: &'static str,
    pub email: &'static str,
    pub sms: &'static str,
    pub webhook: &'static str,
    pub every_component: &'static str,
    pub our_components: &'static str,
    pub waiting: &'static str,
    pub active: &'static str,
    pub switched_off: &'static str,
    pub as_technical: &'static str,
    pub none_yet: &'static str,
    pub unsubscribe: &'static str,
    pub subscribe: &'static str,
    pub subscribed: &'static str,
    pub unsubscribed: &'static str,
    pub key_once: &'static str,
}

const SUBSCRIPTIONS: [SubscriptionWords; 4] = [
    SubscriptionWords {
        title: "Status notices",
        intro: "How the status page tells you of incidents and maintenance. Those on your services show under Incidents either way.",
        told_as_contact: "As a technical contact you are told of incidents and maintenance on your organisation's services by e-mail, and by SMS for major and critical ones.",
        notices_off: "Your organisation has turned off notices to its technical contacts.",
        channel: "Channel",
        target: "Address",
        components: "Components",
        state: "State",
        email: "E-mail",
        sms: "SMS",
        webhook: "Webhook",
        every_component: "Every component",
        our_components: "Our services' components",
        waiting: "Waiting for confirmation",
        active: "Active",
        switched_off: "Switched off after failing",
        as_technical: "As technical contact",
        none_yet: "No subscriptions yet.",
        unsubscribe: "Unsubscribe",
        subscribe: "Subscribe",
        subscribed: "Subscribed.",
        unsubscribed: "Unsubscribed.",
        key_once: "The webhook's signing key, shown only now:",
    },
    SubscriptionWords {
        title: "Statusaviseringar",
        intro: "Hur statussidan berättar om störningar och underhåll. De som gäller era tjänster visas under Störningar oavsett.",
        told_as_contact: "Som teknisk kontakt får du veta om störningar och underhåll på er organisations tjänster via e-post, och via sms vid större och kritiska.",
        notices_off: "Er organisation har stängt av aviseringar till sina tekniska kontakter.",
        channel: "Kanal",
        target: "Adress",
        components: "Komponenter",
        state: "Läge",
        email: "E-post",
        sms: "Sms",
        webhook: "Webhook",
        every_component: "Alla komponenter",
        our_components: "Våra tjänsters komponenter",
        waiting: "Väntar på bekräftelse",
        active: "Aktiv",
        switched_off: "Avstängd efter fel",
        as_technical: "Som teknisk kontakt",
        none_yet: "Inga prenumerationer ännu.",
        unsubscribe: "Avsluta",
        subscribe: "Prenumerera",
        subscribed: "Prenumerationen är registrerad.",
        unsubscribed: "Prenumerationen är avslutad.",
        key_once: "Webhookens signeringsnyckel, visas bara nu:",
    },
    SubscriptionWords {
        title: "Statusvarsler",
        intro: "Hvordan statussiden forteller om driftsforstyrrelser og vedlikehold. De som gjelder tjenestene deres, vises under Driftsforstyrrelser uansett.",
        told_as_contact: "Som teknisk kontakt får du vite om driftsforstyrrelser og vedlikehold på organisasjonens tjenester på e-post, og på SMS ved større og kritiske.",
        notices_off: "Organisasjonen deres har slått av varsler til sine tekniske kontakter.",
        channel: "Kanal",
        target: "Adresse",
        components: "Komponenter",
        state: "Tilstand",
        email: "E-post",
        sms: "SMS",
        webhook: "Webhook",
        every_component: "Alle komponenter",
        our_components: "Komponentene til tjenestene våre",
        waiting: "Venter på bekreftelse",
        active: "Aktiv",
        switched_off: "Slått av etter feil",
        as_technical: "Som teknisk kontakt",
        none_yet: "Ingen abonnementer ennå.",
        unsubscribe: "Avslutt",
        subscribe: "Abonner",
        subscribed: "Abonnementet er registrert.",
        unsubscribed: "Abonnementet er avsluttet.",
        key_once: "Webhookens signeringsnøkkel, vises bare nå:",
    },
    SubscriptionWords {
        title: "Statusbeskeder",
        intro: "Hvordan statussiden fortæller om driftsforstyrrelser og vedligeholdelse. Dem, der gælder jeres tjenester, vises under Driftsforstyrrelser under alle omstændigheder.",
        told_as_contact: "Som teknisk kontakt får du besked om driftsforstyrrelser og vedligeholdelse på organisationens tjenester på e-mail, og på sms ved større og kritiske.",
        notices_off: "Jeres organisation har slået underretninger til sine tekniske kontakter fra.",
        channel: "Kanal",
        target: "Adresse",
        components: "Komponenter",
        state: "Tilstand",
        email: "E-mail",
        sms: "Sms",
        webhook: "Webhook",
        every_component: "Alle komponenter",
        our_components: "Komponenterne til vores tjenester",
        waiting: "Venter på bekræftelse",
        active: "Aktiv",
        switched_off: "Slået fra efter fejl",
        as_technical: "Som teknisk kontakt",
        none_yet: "Ingen abonnementer endnu.",
        unsubscribe: "Afmeld",
        subscribe: "Abonnér",
        subscribed: "Abonnementet er registreret.",
        unsubscribed: "Abonnementet er afmeldt.",
        key_once: "Webhookens signeringsnøgle, vises kun nu:",
    },
];

/// The subscription page's words in `language`.
pub fn subscription_words(language: crate::values::Language) -> &'static SubscriptionWords {
    use crate::values::Language::*;
    &SUBSCRIPTIONS[match language {
        English => 0,
        Swedish => 1,
        NorwegianBokmal => 2,
        Danish => 3,
    }]
}
