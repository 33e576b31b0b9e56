//! What a quarterly meeting's invitation says, in English, Swedish, Norwegian (bokmål) and
//! Danish. The agenda is the report's fixed agenda (`report::AGENDA`) in each language.

use crate::values::Language;

pub struct InvitationWords {
    /// "Quarterly operations meeting": followed by the organisation's name.
    pub meeting: &'static str,
    pub when: &'static str,
    pub place: &'static str,
    pub agenda: [&'static str; 5],
    /// Said above the invitation when the meeting moved.
    pub moved: &'static str,
    pub closing: &'static str,
}

const EN: InvitationWords = InvitationWords {
    meeting: "Quarterly operations meeting",
    when: "When",
    place: "Where",
    agenda: [
        "SLA review: compliance per target and priority, breached tickets",
        "Availability of the services on contract, and the incidents that touched them",
        "Support cases: volume, response and resolution times, the longest cases",
        "General service operation: open items, planned maintenance, changes",
        "Feedback for the roadmap, and any other business",
    ],
    moved: "The meeting has moved: this invitation replaces the earlier one.",
    closing: "The calendar invitation is attached. Welcome!",
};

const SV: InvitationWords = InvitationWords {
    meeting: "Kvartalsvis driftmöte",
    when: "När",
    place: "Var",
    agenda: [
        "SLA-genomgång: uppfyllnad per mål och prioritet, ärenden som överskred målen",
        "Tillgänglighet för tjänsterna i avtalet, och incidenter som berörde dem",
        "Supportärenden: volym, svars- och lösningstider, de längsta ärendena",
        "Allmän drift: öppna punkter, planerat underhåll, förändringar",
        "Önskemål till färdplanen, och övriga frågor",
    ],
    moved: "Mötet är flyttat: denna inbjudan ersätter den tidigare.",
    closing: "Kalenderinbjudan är bifogad. Välkommen!",
};

const NB: InvitationWords = InvitationWords {
    meeting: "Kvartalsvis driftsmøte",
    when: "Når",
    place: "Hvor",
    agenda: [
        "SLA-gjennomgang: oppfyllelse per mål og prioritet, saker som brøt målene",
        "Tilgjengelighet for tjenestene i avtalen, og hendelser som berørte dem",
        "Supportsaker: volum, svar- og løsningstider, de lengste sakene",
        "Generell drift: åpne punkter, planlagt vedlikehold, endringer",
        "Innspill til veikartet, og eventuelt",
    ],
    moved: "Møtet er flyttet: denne invitasjonen erstatter den forrige.",
    closing: "Kalenderinvitasjonen er vedlagt. Velkommen!",
};

const DA: InvitationWords = InvitationWords {
    meeting: "Kvartalsvist driftsmøde",
    when: "Hvornår",
    place: "Hvor",
    agenda: [
        "SLA-gennemgang: opfyldelse pr. mål og prioritet, sager der brød målene",
        "Tilgængelighed for tjenesterne i aftalen, og hændelser der berørte dem",
        "Supportsager: antal, svar- og løsningstider, de længste sager",
        "Generel drift: åbne punkter, planlagt vedligehold, ændringer",
        "Ønsker til køreplanen, og eventuelt",
    ],
    moved: "Mødet er flyttet: denne invitation erstatter den tidligere.",
    closing: "Kalenderinvitationen er vedhæftet. Velkommen!",
};

pub fn invitation_words(language: Language) -> &'static InvitationWords {
    match language {
        Language::English => &EN,
        Language::Swedish => &SV,
        Language::NorwegianBokmal => &NB,
        Language::Danish => &DA,
    }
}

/// The mail that tells a requestor its ticket is resolved and asks for a rating.
pub struct ResolvedWords {
    /// Prefixed to the ticket's subject.
    pub resolved: &'static str,
    /// `{tag}` and `{subject}` are filled in.
    pub opening: &'static str,
    pub ask: &'static str,
    pub good: &'static str,
    pub okay: &'static str,
    pub bad: &'static str,
    pub not_solved: &'static str,
    /// The rating page: its title, the comment's label, the button, the thanks, and what a
    /// second rating hears.
    pub page_title: &'static str,
    pub comment: &'static str,
    pub send: &'static str,
    pub thanks: &'static str,
    pub already: &'static str,
}

const RESOLVED: [ResolvedWords; 4] = [
    ResolvedWords {
        resolved: "Resolved:",
        opening: "Your request {tag} \"{subject}\" is resolved.",
        ask: "How did we do? One click tells us:",
        good: "Good",
        okay: "Okay",
        bad: "Bad",
        not_solved: "If it is not solved, answer this mail and the ticket opens again.",
        page_title: "How did we do?",
        comment: "Anything to add? (optional)",
        send: "Send the rating",
        thanks: "Thank you for your rating.",
        already: "This request has been rated already. Thank you.",
    },
    ResolvedWords {
        resolved: "Löst:",
        opening: "Ditt ärende {tag} \"{subject}\" är löst.",
        ask: "Hur gjorde vi? Ett klick berättar:",
        good: "Bra",
        okay: "Godkänt",
        bad: "Dåligt",
        not_solved: "Om det inte är löst, svara på detta mejl så öppnas ärendet igen.",
        page_title: "Hur gjorde vi?",
        comment: "Något att tillägga? (frivilligt)",
        send: "Skicka betyget",
        thanks: "Tack för ditt betyg.",
        already: "Ärendet har redan fått ett betyg. Tack.",
    },
    ResolvedWords {
        resolved: "Løst:",
        opening: "Saken din {tag} \"{subject}\" er løst.",
        ask: "Hvordan gjorde vi det? Ett klikk forteller oss det:",
        good: "Bra",
        okay: "Greit",
        bad: "Dårlig",
        not_solved: "Hvis den ikke er løst, svar på denne e-posten, så åpnes saken igjen.",
        page_title: "Hvordan gjorde vi det?",
        comment: "Noe å legge til? (valgfritt)",
        send: "Send vurderingen",
        thanks: "Takk for vurderingen.",
        already: "Saken er allerede vurdert. Takk.",
    },
    ResolvedWords {
        resolved: "Løst:",
        opening: "Din sag {tag} \"{subject}\" er løst.",
        ask: "Hvordan klarede vi det? Ét klik fortæller os det:",
        good: "Godt",
        okay: "Okay",
        bad: "Dårligt",
        not_solved: "Hvis den ikke er løst, så svar på denne mail, og sagen åbnes igen.",
        page_title: "Hvordan klarede vi det?",
        comment: "Noget at tilføje? (valgfrit)",
        send: "Send bedømmelsen",
        thanks: "Tak for din bedømmelse.",
        already: "Sagen er allerede bedømt. Tak.",
    },
];

pub fn resolved_words(language: Language) -> &'static ResolvedWords {
    match language {
        Language::English => &RESOLVED[0],
        Language::Swedish => &RESOLVED[1],
        Language::NorwegianBokmal => &RESOLVED[2],
        Language::Danish => &RESOLVED[3],
    }
}

crate::vocabulary!(
    /// A requestor's rating of a resolved ticket.
    Rating, "rating" {
        Good => "good", "Good";
        Okay => "okay", "Okay";
        Bad => "bad", "Bad";
    }
);

impl Rating {
    /// The rating's word in a language.
    pub fn word(self, language: Language) -> &'static str {
        let w = resolved_words(language);
        match self {
            Rating::Good => w.good,
            Rating::Okay => w.okay,
            Rating::Bad => w.bad,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_english_agenda_is_the_reports() {
        assert_eq!(EN.agenda, crate::report::AGENDA);
        for l in Language::ALL {
            let w = invitation_words(l);
            assert!(w.agenda.iter().all(|a| !a.is_empty()) && !w.meeting.is_empty());
        }
    }
}
