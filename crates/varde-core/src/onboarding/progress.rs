//! An onboarding run as the customer reads it in the portal: what is done and what is coming,
//! in plain words and its language, never the provider's step codes, errors or checklist text.
//! OpenStack's three steps read as one ("your cloud account"), the two credential steps as
//! one; the provider's checklist items are counted, not shown.

use jiff::civil::Date;

use super::{StepAction, StepState};
use crate::values::Language;

/// How far one part of the setting-up is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Done,
    InProgress,
    /// A step failed: the provider's team is on it (the customer is not shown the error).
    Delayed,
    Coming,
}

/// One part of the setting-up as the customer reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerItem {
    pub what: String,
    pub progress: Progress,
    pub progress_text: &'static str,
    /// When it is planned (the latest of its steps' due days), while not done.
    pub due_on: Option<Date>,
}

/// A step of a run, as far as the customer's view needs it.
#[derive(Clone, Copy, Debug)]
pub struct StepSeen {
    pub action: StepAction,
    pub state: StepState,
    pub due_on: Date,
}

#[derive(Debug)]
pub struct ProgressWords {
    pub heading: &'static str,
    pub intro: &'static str,
    pub waits_on_you: &'static str,
    pub planned: &'static str,
    /// account, credentials, quotas, welcome mail, chat room, first meeting, checklist
    pub parts: [&'static str; 7],
    /// done, in progress, delayed, coming
    pub progress: [&'static str; 4],
}

const WORDS: [ProgressWords; 4] = [
    ProgressWords {
        heading: "Getting started",
        intro: "What we are setting up for you, and how far it has come.",
        waits_on_you: "Waiting on you: open the link in your welcome mail to collect your credentials. It works once.",
        planned: "planned by",
        parts: [
            "Your cloud account (OpenStack domain, project and users)",
            "Credentials for your scripts and for object storage (S3)",
            "Your quotas",
            "Welcome mail with how to log in",
            "Invitation to the shared chat room",
            "Invitation to the first quarterly meeting",
            "Our team's checklist",
        ],
        progress: [
            "done",
            "in progress",
            "delayed, our team is on it",
            "coming",
        ],
    },
    ProgressWords {
        heading: "Kom igång",
        intro: "Det vi sätter upp åt er, och hur långt det har kommit.",
        waits_on_you: "Väntar på dig: öppna länken i välkomstmeddelandet för att hämta era inloggningsuppgifter. Den fungerar en gång.",
        planned: "planerat till",
        parts: [
            "Ert molnkonto (OpenStack-domän, projekt och användare)",
            "Inloggningsuppgifter för era skript och för objektlagring (S3)",
            "Era kvoter",
            "Välkomstmeddelande om hur ni loggar in",
            "Inbjudan till det gemensamma chattrummet",
            "Inbjudan till det första kvartalsmötet",
            "Vårt teams checklista",
        ],
        progress: [
            "klart",
            "pågår",
            "försenat, vårt team arbetar med det",
            "kommer",
        ],
    },
    ProgressWords {
        heading: "Kom i gang",
        intro: "Det vi setter opp for dere, og hvor langt det har kommet.",
        waits_on_you: "Venter på deg: åpne lenken i velkomstmeldingen for å hente påloggingsopplysningene. Den virker én gang.",
        planned: "planlagt innen",
        parts: [
            "Skykontoen deres (OpenStack-domene, prosjekt og brukere)",
            "Påloggingsopplysninger for skriptene deres og for objektlagring (S3)",
            "Kvotene deres",
            "Velkomstmelding om hvordan dere logger inn",
            "Invitasjon til det felles chatterommet",
            "Invitasjon til det første kvartalsmøtet",
            "Sjekklisten til teamet vårt",
        ],
        progress: [
            "ferdig",
            "pågår",
            "forsinket, teamet vårt jobber med det",
            "kommer",
        ],
    },
    ProgressWords {
        heading: "Kom i gang",
        intro: "Det, vi sætter op for jer, og hvor langt det er nået.",
        waits_on_you: "Venter på dig: åbn linket i velkomstbeskeden for at hente jeres loginoplysninger. Det virker én gang.",
        planned: "planlagt senest",
        parts: [
            "Jeres skykonto (OpenStack-domæne, projekt og brugere)",
            "Loginoplysninger til jeres scripts og til objektlagring (S3)",
            "Jeres kvoter",
            "Velkomstbesked om, hvordan I logger ind",
            "Invitation til det fælles chatrum",
            "Invitation til det første kvartalsmøde",
            "Vores teams tjekliste",
        ],
        progress: [
            "færdig",
            "i gang",
            "forsinket, vores team arbejder på det",
            "kommer",
        ],
    },
];

pub fn progress_words(language: Language) -> &'static ProgressWords {
    &WORDS[match language {
        Language::English => 0,
        Language::Swedish => 1,
        Language::NorwegianBokmal => 2,
        Language::Danish => 3,
    }]
}

/// Which part of the customer's view a step belongs to; none for offboarding's steps.
fn part(action: StepAction) -> Option<usize> {
    use StepAction::*;
    Some(match action {
        KeystoneDomain | KeystoneProject | KeystoneUsers => 0,
        ApplicationCredentials | Ec2Credentials => 1,
        Quotas => 2,
        WelcomeMail => 3,
        ChatInvite => 4,
        MeetingInvite => 5,
        Manual => 6,
        DisableAccess | RemoveAccess => return None,
    })
}

fn progress_of(states: &[StepState]) -> Progress {
    let settled = |s: &StepState| matches!(s, StepState::Done | StepState::Skipped);
    if states.contains(&StepState::Failed) {
        Progress::Delayed
    } else if states.iter().all(settled) {
        Progress::Done
    } else if states
        .iter()
        .any(|s| *s == StepState::Running || settled(s))
    {
        Progress::InProgress
    } else {
        Progress::Coming
    }
}

/// The run's parts as the customer reads them, in the order they come. A part whose steps
/// were all skipped is left out; the checklist says how many of its items are done.
pub fn customer_items(steps: &[StepSeen], language: Language) -> Vec<CustomerItem> {
    let w = progress_words(language);
    (0..w.parts.len())
        .filter_map(|i| {
            let mine: Vec<&StepSeen> = steps.iter().filter(|s| part(s.action) == Some(i)).collect();
            if mine.is_empty() || mine.iter().all(|s| s.state == StepState::Skipped) {
                return None;
            }
            let states: Vec<StepState> = mine.iter().map(|s| s.state).collect();
            let progress = progress_of(&states);
            let what = if i == 6 {
                let done = states.iter().filter(|s| **s == StepState::Done).count();
                format!("{} ({done}/{})", w.parts[i], states.len())
            } else {
                w.parts[i].to_string()
            };
            Some(CustomerItem {
                what,
                progress,
                progress_text: w.progress[progress as usize],
                due_on: (progress != Progress::Done)
                    .then(|| mine.iter().map(|s| s.due_on).max())
                    .flatten(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(action: StepAction, state: StepState) -> StepSeen {
        StepSeen {
            action,
            state,
            due_on: "2026-12-10".parse().unwrap(),
        }
    }

    #[test]
    fn the_customer_reads_parts_not_steps() {
        use StepAction::*;
        use StepState::*;
        let steps = [
            step(KeystoneDomain, Done),
            step(KeystoneProject, Done),
            step(KeystoneUsers, Running),
            step(ApplicationCredentials, Failed),
            step(Ec2Credentials, Pending),
            step(Quotas, Pending),
            step(WelcomeMail, Pending),
            step(ChatInvite, Skipped),
            step(Manual, Done),
            step(Manual, Pending),
        ];
        let items = customer_items(&steps, Language::NorwegianBokmal);
        let seen: Vec<(&str, Progress)> = items
            .iter()
            .map(|i| (i.what.as_str(), i.progress))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "Skykontoen deres (OpenStack-domene, prosjekt og brukere)",
                    Progress::InProgress
                ),
                (
                    "Påloggingsopplysninger for skriptene deres og for objektlagring (S3)",
                    Progress::Delayed
                ),
                ("Kvotene deres", Progress::Coming),
                (
                    "Velkomstmelding om hvordan dere logger inn",
                    Progress::Coming
                ),
                ("Sjekklisten til teamet vårt (1/2)", Progress::InProgress),
            ]
        );
        assert_eq!(
            items[1].progress_text,
            "forsinket, teamet vårt jobber med det"
        );
        assert!(items[0].due_on.is_some());
        let done = customer_items(&[step(Quotas, Done)], Language::English);
        assert_eq!(done[0].due_on, None);
        assert_eq!(done[0].progress_text, "done");
    }
}
