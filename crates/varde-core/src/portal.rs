//! What the customer portal says, in each language Varde speaks: its words, a ticket's status
//! and SLA state in plain words (never a raw code), and the time zone a customer reads times
//! in (its organisation's country).

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::catalogue::{Service, Site, SupportTier};
use crate::sla::{Clock, TargetKind};
use crate::ticket::lifecycle::Status;
use crate::values::{Country, Language};

/// The portal's words in one language.
#[derive(Debug)]
pub struct Words {
    pub portal: &'static str,
    pub tickets: &'static str,
    pub organization: &'static str,
    pub colleagues: &'static str,
    pub api_tokens: &'static str,
    pub new_ticket: &'static str,
    pub log_out: &'static str,
    pub language: &'static str,
    pub change: &'static str,
    pub number: &'static str,
    pub subject: &'static str,
    pub status: &'static str,
    pub updated: &'static str,
    pub service_level: &'static str,
    pub requestor: &'static str,
    pub no_tickets: &'static str,
    pub opened: &'static str,
    pub reply: &'static str,
    pub message: &'static str,
    pub attach: &'static str,
    pub send: &'static str,
    pub close_ticket: &'static str,
    pub reopen_ticket: &'static str,
    pub describe: &'static str,
    pub open_ticket: &'static str,
    pub history: &'static str,
    pub attachments: &'static str,
    pub support_team: &'static str,
    pub times_in: &'static str,
    pub need_text: &'static str,
    pub need_subject: &'static str,
    pub contracts: &'static str,
    pub reference: &'static str,
    pub valid: &'static str,
    pub until_further_notice: &'static str,
    pub support_tier: &'static str,
    pub included: &'static str,
    pub tickets_any_time: &'static str,
    pub chat_room: &'static str,
    pub service_manager: &'static str,
    pub quarterly_meetings: &'static str,
    pub services: &'static str,
    pub none: &'static str,
    pub contacts: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub reports: &'static str,
    /// The organisation's quarterly meetings: booked ones, and the minutes shared.
    pub meetings: &'static str,
    pub next_meeting: &'static str,
    pub decisions: &'static str,
    pub no_meetings: &'static str,
    pub report_for: &'static str,
    pub pdf: &'static str,
    pub incidents: &'static str,
    pub no_incidents: &'static str,
    pub affects: &'static str,
    pub your_tickets: &'static str,
    pub window: &'static str,
    pub status_new: &'static str,
    pub status_open: &'static str,
    pub status_stalled: &'static str,
    pub status_resolved: &'static str,
    pub status_rejected: &'static str,
    pub status_deleted: &'static str,
    pub first_reply: &'static str,
    pub next_reply: &'static str,
    pub resolution: &'static str,
    /// "{what} due by {when}"
    pub due_by: &'static str,
    /// "{what} late: was due {when}"
    pub late: &'static str,
    pub within_target: &'static str,
    pub missed_target: &'static str,
    pub no_target: &'static str,
}

const EN: Words = Words {
    portal: "Customer portal",
    tickets: "Tickets",
    organization: "Our organisation",
    colleagues: "Colleagues",
    api_tokens: "API tokens",
    new_ticket: "New ticket",
    log_out: "Log out",
    language: "Language",
    change: "Change",
    number: "No.",
    subject: "Subject",
    status: "Status",
    updated: "Updated",
    service_level: "Service level",
    requestor: "Requested by",
    no_tickets: "Your organisation has no tickets yet.",
    opened: "Opened",
    reply: "Reply",
    message: "Message",
    attach: "Attach a file",
    send: "Send",
    close_ticket: "Close the ticket",
    reopen_ticket: "Reopen the ticket",
    describe: "What happened, and what do you need?",
    open_ticket: "Open the ticket",
    history: "Conversation",
    attachments: "Attachments",
    support_team: "Support",
    times_in: "Times in",
    need_text: "Write a message or attach a file.",
    need_subject: "Give the ticket a subject.",
    contracts: "Contracts",
    reference: "Reference",
    valid: "Valid",
    until_further_notice: "until further notice",
    support_tier: "Support",
    included: "Included",
    tickets_any_time: "Tickets by e-mail or phone, day and night, all year",
    chat_room: "A shared chat room with our engineers",
    service_manager: "Service manager",
    quarterly_meetings: "Quarterly operations meetings",
    services: "Services",
    none: "none",
    contacts: "Contacts",
    name: "Name",
    email: "E-mail",
    phone: "Phone",
    reports: "Quarterly reports",
    meetings: "Quarterly operations meetings",
    next_meeting: "Next meeting",
    decisions: "Decisions",
    no_meetings: "No meeting booked, and no minutes shared yet.",
    report_for: "Report for",
    pdf: "PDF",
    incidents: "Incidents and maintenance",
    no_incidents: "No incident or maintenance has touched your services in the last 90 days.",
    affects: "Affects",
    your_tickets: "Your tickets",
    window: "Window",
    status_new: "New",
    status_open: "Open",
    status_stalled: "Waiting for you",
    status_resolved: "Resolved",
    status_rejected: "Rejected",
    status_deleted: "Deleted",
    first_reply: "First reply",
    next_reply: "Reply",
    resolution: "Resolution",
    due_by: "{what} due by {when}",
    late: "{what} late: was due {when}",
    within_target: "Within target",
    missed_target: "Target missed",
    no_target: "—",
};

const SV: Words = Words {
    portal: "Kundportal",
    tickets: "Ärenden",
    organization: "Vår organisation",
    colleagues: "Kollegor",
    api_tokens: "API-nycklar",
    new_ticket: "Nytt ärende",
    log_out: "Logga ut",
    language: "Språk",
    change: "Byt",
    number: "Nr",
    subject: "Rubrik",
    status: "Status",
    updated: "Uppdaterat",
    service_level: "Servicenivå",
    requestor: "Anmält av",
    no_tickets: "Er organisation har inga ärenden än.",
    opened: "Öppnat",
    reply: "Svara",
    message: "Meddelande",
    attach: "Bifoga en fil",
    send: "Skicka",
    close_ticket: "Stäng ärendet",
    reopen_ticket: "Öppna ärendet igen",
    describe: "Vad har hänt, och vad behöver ni?",
    open_ticket: "Skapa ärendet",
    history: "Konversation",
    attachments: "Bilagor",
    support_team: "Support",
    times_in: "Tider i",
    need_text: "Skriv ett meddelande eller bifoga en fil.",
    need_subject: "Ge ärendet en rubrik.",
    contracts: "Avtal",
    reference: "Referens",
    valid: "Giltigt",
    until_further_notice: "tills vidare",
    support_tier: "Support",
    included: "Ingår",
    tickets_any_time: "Ärenden via e-post eller telefon, dygnet runt, året om",
    chat_room: "Ett gemensamt chattrum med våra tekniker",
    service_manager: "Servicemanager",
    quarterly_meetings: "Driftmöten varje kvartal",
    services: "Tjänster",
    none: "ingen",
    contacts: "Kontaktpersoner",
    name: "Namn",
    email: "E-post",
    phone: "Telefon",
    reports: "Kvartalsrapporter",
    meetings: "Kvartalsvisa driftmöten",
    next_meeting: "Nästa möte",
    decisions: "Beslut",
    no_meetings: "Inget möte bokat och inga protokoll delade än.",
    report_for: "Rapport för",
    pdf: "PDF",
    incidents: "Störningar och underhåll",
    no_incidents: "Inga störningar eller underhåll har berört era tjänster de senaste 90 dagarna.",
    affects: "Berör",
    your_tickets: "Era ärenden",
    window: "Tidsfönster",
    status_new: "Nytt",
    status_open: "Öppet",
    status_stalled: "Väntar på er",
    status_resolved: "Löst",
    status_rejected: "Avvisat",
    status_deleted: "Borttaget",
    first_reply: "Första svar",
    next_reply: "Svar",
    resolution: "Lösning",
    due_by: "{what} senast {when}",
    late: "{what} försenat: skulle ha kommit {when}",
    within_target: "Inom målet",
    missed_target: "Målet missat",
    no_target: "—",
};

const NB: Words = Words {
    portal: "Kundeportal",
    tickets: "Saker",
    organization: "Vår organisasjon",
    colleagues: "Kolleger",
    api_tokens: "API-nøkler",
    new_ticket: "Ny sak",
    log_out: "Logg ut",
    language: "Språk",
    change: "Bytt",
    number: "Nr.",
    subject: "Emne",
    status: "Status",
    updated: "Oppdatert",
    service_level: "Servicenivå",
    requestor: "Meldt av",
    no_tickets: "Organisasjonen deres har ingen saker ennå.",
    opened: "Opprettet",
    reply: "Svar",
    message: "Melding",
    attach: "Legg ved en fil",
    send: "Send",
    close_ticket: "Lukk saken",
    reopen_ticket: "Gjenåpne saken",
    describe: "Hva har skjedd, og hva trenger dere?",
    open_ticket: "Opprett saken",
    history: "Samtale",
    attachments: "Vedlegg",
    support_team: "Brukerstøtte",
    times_in: "Tider i",
    need_text: "Skriv en melding eller legg ved en fil.",
    need_subject: "Gi saken et emne.",
    contracts: "Avtaler",
    reference: "Referanse",
    valid: "Gyldig",
    until_further_notice: "inntil videre",
    support_tier: "Brukerstøtte",
    included: "Inkludert",
    tickets_any_time: "Saker på e-post eller telefon, døgnet rundt, hele året",
    chat_room: "Et felles chatterom med våre teknikere",
    service_manager: "Servicemanager",
    quarterly_meetings: "Driftsmøter hvert kvartal",
    services: "Tjenester",
    none: "ingen",
    contacts: "Kontaktpersoner",
    name: "Navn",
    email: "E-post",
    phone: "Telefon",
    reports: "Kvartalsrapporter",
    meetings: "Kvartalsvise driftsmøter",
    next_meeting: "Neste møte",
    decisions: "Beslutninger",
    no_meetings: "Ingen møter er booket, og ingen referater er delt ennå.",
    report_for: "Rapport for",
    pdf: "PDF",
    incidents: "Driftsforstyrrelser og vedlikehold",
    no_incidents: "Ingen driftsforstyrrelser eller vedlikehold har berørt tjenestene deres de siste 90 dagene.",
    affects: "Berører",
    your_tickets: "Deres saker",
    window: "Tidsvindu",
    status_new: "Ny",
    status_open: "Åpen",
    status_stalled: "Venter på dere",
    status_resolved: "Løst",
    status_rejected: "Avvist",
    status_deleted: "Slettet",
    first_reply: "Første svar",
    next_reply: "Svar",
    resolution: "Løsning",
    due_by: "{what} innen {when}",
    late: "{what} forsinket: skulle kommet {when}",
    within_target: "Innenfor målet",
    missed_target: "Målet ble ikke nådd",
    no_target: "—",
};

const DA: Words = Words {
    portal: "Kundeportal",
    tickets: "Sager",
    organization: "Vores organisation",
    colleagues: "Kolleger",
    api_tokens: "API-nøgler",
    new_ticket: "Ny sag",
    log_out: "Log ud",
    language: "Sprog",
    change: "Skift",
    number: "Nr.",
    subject: "Emne",
    status: "Status",
    updated: "Opdateret",
    service_level: "Serviceniveau",
    requestor: "Meldt af",
    no_tickets: "Jeres organisation har ingen sager endnu.",
    opened: "Oprettet",
    reply: "Svar",
    message: "Besked",
    attach: "Vedhæft en fil",
    send: "Send",
    close_ticket: "Luk sagen",
    reopen_ticket: "Genåbn sagen",
    describe: "Hvad er der sket, og hvad har I brug for?",
    open_ticket: "Opret sagen",
    history: "Samtale",
    attachments: "Vedhæftede filer",
    support_team: "Support",
    times_in: "Tider i",
    need_text: "Skriv en besked eller vedhæft en fil.",
    need_subject: "Giv sagen et emne.",
    contracts: "Aftaler",
    reference: "Reference",
    valid: "Gyldig",
    until_further_notice: "indtil videre",
    support_tier: "Support",
    included: "Inkluderet",
    tickets_any_time: "Sager på e-mail eller telefon, døgnet rundt, hele året",
    chat_room: "Et fælles chatrum med vores teknikere",
    service_manager: "Servicemanager",
    quarterly_meetings: "Driftsmøder hvert kvartal",
    services: "Tjenester",
    none: "ingen",
    contacts: "Kontaktpersoner",
    name: "Navn",
    email: "E-mail",
    phone: "Telefon",
    reports: "Kvartalsrapporter",
    meetings: "Kvartalsvise driftsmøder",
    next_meeting: "Næste møde",
    decisions: "Beslutninger",
    no_meetings: "Intet møde er booket, og intet referat er delt endnu.",
    report_for: "Rapport for",
    pdf: "PDF",
    incidents: "Driftsforstyrrelser og vedligeholdelse",
    no_incidents: "Ingen driftsforstyrrelser eller vedligeholdelse har berørt jeres tjenester de seneste 90 dage.",
    affects: "Berører",
    your_tickets: "Jeres sager",
    window: "Tidsvindue",
    status_new: "Ny",
    status_open: "Åben",
    status_stalled: "Venter på jer",
    status_resolved: "Løst",
    status_rejected: "Afvist",
    status_deleted: "Slettet",
    first_reply: "Første svar",
    next_reply: "Svar",
    resolution: "Løsning",
    due_by: "{what} senest {when}",
    late: "{what} forsinket: skulle være kommet {when}",
    within_target: "Inden for målet",
    missed_target: "Målet blev ikke nået",
    no_target: "—",
};

/// The portal's words in `language`.
pub fn words(language: Language) -> &'static Words {
    match language {
        Language::English => &EN,
        Language::Swedish => &SV,
        Language::NorwegianBokmal => &NB,
        Language::Danish => &DA,
    }
}

impl Words {
    /// A ticket's status in plain words.
    pub fn status(&self, s: Status) -> &'static str {
        match s {
            Status::New => self.status_new,
            Status::Open => self.status_open,
            Status::Stalled => self.status_stalled,
            Status::Resolved => self.status_resolved,
            Status::Rejected => self.status_rejected,
            Status::Deleted => self.status_deleted,
        }
    }

    fn target(&self, k: TargetKind) -> &'static str {
        match k {
            TargetKind::FirstResponse => self.first_reply,
            TargetKind::NextResponse => self.next_reply,
            TargetKind::Resolution => self.resolution,
        }
    }

    /// A ticket's SLA state in plain words, times written by `when`: the first target that
    /// is late, else the next one due, else whether the targets were met.
    pub fn sla(&self, clock: Option<&Clock>, when: impl Fn(Timestamp) -> String) -> SlaWords {
        let Some(c) = clock.filter(|c| !c.targets.is_empty()) else {
            return SlaWords::plain(self.no_target, SlaTone::None);
        };
        let settled = || {
            if c.targets.iter().any(|t| t.breached) {
                SlaWords::plain(self.missed_target, SlaTone::Late)
            } else {
                SlaWords::plain(self.within_target, SlaTone::Met)
            }
        };
        // A resolved ticket's clock has ended: only its final result counts.
        if c.ended.is_some() {
            return settled();
        }
        let waiting = || c.targets.iter().filter(|t| t.met_at.is_none());
        if let Some((t, due)) = waiting()
            .filter(|t| t.breached)
            .find_map(|t| Some((t, t.due?)))
        {
            let text = self.late.replace("{what}", self.target(t.kind));
            return SlaWords::plain(&text.replace("{when}", &when(due)), SlaTone::Late);
        }
        if let Some((t, due)) = waiting()
            .filter_map(|t| Some((t, t.due?)))
            .min_by_key(|(_, due)| *due)
        {
            let text = self.due_by.replace("{what}", self.target(t.kind));
            return SlaWords::plain(&text.replace("{when}", &when(due)), SlaTone::Due);
        }
        settled()
    }
}

/// How an SLA state should look: late stands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaTone {
    None,
    Due,
    Met,
    Late,
}

impl SlaTone {
    /// A class name for the page's style sheet.
    pub fn class(self) -> &'static str {
        match self {
            SlaTone::None => "sla-none",
            SlaTone::Due => "sla-due",
            SlaTone::Met => "sla-met",
            SlaTone::Late => "sla-late",
        }
    }
}

/// An SLA state as a customer reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaWords {
    pub text: String,
    pub tone: SlaTone,
}

impl SlaWords {
    fn plain(text: &str, tone: SlaTone) -> SlaWords {
        SlaWords {
            text: text.to_string(),
            tone,
        }
    }
}

/// What the portal calls the catalogue's tiers, services and the new-ticket choice of what a
/// ticket is about, in one language.
#[derive(Debug)]
pub struct CatalogueWords {
    pub base: &'static str,
    pub standard: &'static str,
    pub premium: &'static str,
    pub compute: &'static str,
    pub storage: &'static str,
    pub backup: &'static str,
    pub about: &'static str,
    pub something_else: &'static str,
}

const CATALOGUE_WORDS: [CatalogueWords; 4] = [
    CatalogueWords {
        base: "IaaS base support",
        standard: "Standard support",
        premium: "Premium support",
        compute: "Compute (OpenStack)",
        storage: "Object storage (S3)",
        backup: "Backup",
        about: "What is it about?",
        something_else: "Something else",
    },
    CatalogueWords {
        base: "Grundsupport för IaaS",
        standard: "Standardsupport",
        premium: "Premiumsupport",
        compute: "Beräkning (OpenStack)",
        storage: "Objektlagring (S3)",
        backup: "Säkerhetskopiering",
        about: "Vad gäller det?",
        something_else: "Något annat",
    },
    CatalogueWords {
        base: "Grunnsupport for IaaS",
        standard: "Standardsupport",
        premium: "Premiumsupport",
        compute: "Beregning (OpenStack)",
        storage: "Objektlagring (S3)",
        backup: "Sikkerhetskopiering",
        about: "Hva gjelder det?",
        something_else: "Noe annet",
    },
    CatalogueWords {
        base: "Basissupport til IaaS",
        standard: "Standardsupport",
        premium: "Premiumsupport",
        compute: "Beregning (OpenStack)",
        storage: "Objektlagring (S3)",
        backup: "Sikkerhedskopiering",
        about: "Hvad drejer det sig om?",
        something_else: "Noget andet",
    },
];

/// The catalogue's words in `language`.
pub fn catalogue_words(language: Language) -> &'static CatalogueWords {
    &CATALOGUE_WORDS[match language {
        Language::English => 0,
        Language::Swedish => 1,
        Language::NorwegianBokmal => 2,
        Language::Danish => 3,
    }]
}

impl CatalogueWords {
    pub fn tier(&self, t: SupportTier) -> &'static str {
        match t {
            SupportTier::Base => self.base,
            SupportTier::Standard => self.standard,
            SupportTier::Premium => self.premium,
        }
    }

    pub fn service(&self, s: Service) -> &'static str {
        match s {
            Service::Compute => self.compute,
            Service::Storage => self.storage,
            Service::Backup => self.backup,
        }
    }

    /// A service at a site (`Backup, Oslo (NO)`): site names are place names, the same in
    /// every language.
    pub fn service_at(&self, s: Service, site: Site) -> String {
        format!("{}, {}", self.service(s), site.label())
    }
}

/// The time zone a customer in `country` reads times in: the country's, or Central European
/// Time where Varde does not know the country.
pub fn zone_of(country: &Country) -> TimeZone {
    let name = match country.as_str() {
        "SE" => "Europe/Stockholm",
        "NO" => "Europe/Oslo",
        "DK" => "Europe/Copenhagen",
        "FI" => "Europe/Helsinki",
        "IS" => "Atlantic/Reykjavik",
        "EE" => "Europe/Tallinn",
        "GB" => "Europe/London",
        "DE" => "Europe/Berlin",
        "NL" => "Europe/Amsterdam",
        _ => "Europe/Paris",
    };
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// A moment as a customer reads it: day, hour and minute in `zone`, with the zone's
/// abbreviation (`2026-12-03 14:05 CET`).
pub fn local_time(t: Timestamp, zone: &TimeZone) -> String {
    t.to_zoned(zone.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;
    use crate::sla::{PriorityClass, TargetState};

    fn clock(targets: Vec<TargetState>) -> Clock {
        Clock {
            policy_version: 1,
            calendar: "24/7".into(),
            class: PriorityClass::Normal,
            paused: false,
            ended: None,
            pauses: vec![],
            targets,
        }
    }

    fn target(kind: TargetKind, due: &str, met: bool, breached: bool) -> TargetState {
        let due: Timestamp = due.parse().unwrap();
        TargetState {
            kind,
            target: SignedDuration::from_hours(1),
            due: Some(due),
            met_at: met.then_some(due),
            left: SignedDuration::ZERO,
            breached,
        }
    }

    #[test]
    fn every_language_says_every_state_without_a_code() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let when = |t: Timestamp| local_time(t, &oslo);
        for l in Language::ALL {
            let w = words(l);
            let due = w.sla(
                Some(&clock(vec![target(
                    TargetKind::FirstResponse,
                    "2026-12-03T13:05:00Z",
                    false,
                    false,
                )])),
                when,
            );
            assert_eq!(due.tone, SlaTone::Due);
            assert!(
                due.text.contains("2026-12-03 14:05 CET"),
                "{l:?}: {}",
                due.text
            );
            assert!(!due.text.contains('{') && !due.text.contains("first_response"));
            let late = w.sla(
                Some(&clock(vec![
                    target(
                        TargetKind::FirstResponse,
                        "2026-12-03T10:00:00Z",
                        true,
                        false,
                    ),
                    target(TargetKind::Resolution, "2026-12-03T12:00:00Z", false, true),
                ])),
                when,
            );
            assert_eq!(late.tone, SlaTone::Late, "{l:?}");
            assert!(late.text.contains(w.resolution), "{}", late.text);
            let met = w.sla(
                Some(&clock(vec![target(
                    TargetKind::Resolution,
                    "2026-12-03T12:00:00Z",
                    true,
                    false,
                )])),
                when,
            );
            assert_eq!(
                (met.tone, met.text.as_str()),
                (SlaTone::Met, w.within_target)
            );
            for s in Status::ALL {
                assert!(!w.status(*s).is_empty() && !w.status(*s).contains('_'));
            }
        }
    }

    #[test]
    fn times_are_read_in_the_organisations_country() {
        let t: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        let se = Country::parse("SE").unwrap();
        assert_eq!(local_time(t, &zone_of(&se)), "2026-07-01 14:00 CEST");
        let fi = Country::parse("FI").unwrap();
        assert_eq!(local_time(t, &zone_of(&fi)), "2026-07-01 15:00 EEST");
    }
}
