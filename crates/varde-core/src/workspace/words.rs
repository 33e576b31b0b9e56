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
