//! One-time links: an invitation to set a password (a colleague invited to the portal), a
//! password reset, and a change of e-mail address (the link goes to the new address, which
//! it proves). A link is a random secret mailed to the account's address; only its
//! digest is stored. It works once, until it expires, and only while the account may log in.
//! What the letters and pages say, in the four languages.

use jiff::{SignedDuration, Timestamp};

use crate::values::Language;

crate::vocabulary!(
    /// What a one-time link is for.
    LinkPurpose, "link purpose" {
        Invitation => "invitation", "Invitation";
        Reset => "reset", "Password reset";
        EmailChange => "email_change", "E-mail change";
    }
);

impl LinkPurpose {
    /// How long a link works: a week to accept an invitation, an hour to reset a password.
    pub fn lifetime(self) -> SignedDuration {
        match self {
            LinkPurpose::Invitation => SignedDuration::from_hours(24 * 7),
            LinkPurpose::Reset => SignedDuration::from_hours(1),
            LinkPurpose::EmailChange => SignedDuration::from_hours(24),
        }
    }
}

/// Where a link stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Usable,
    Used,
    Expired,
}

/// A link's state at `now`.
pub fn link_state(used_at: Option<Timestamp>, expires_at: Timestamp, now: Timestamp) -> LinkState {
    match used_at {
        Some(_) => LinkState::Used,
        None if now >= expires_at => LinkState::Expired,
        None => LinkState::Usable,
    }
}

/// What the letters and the link pages say.
pub struct LinkWords {
    /// `{organization}`, `{inviter}`.
    pub invitation_subject: &'static str,
    /// `{name}`, `{organization}`, `{inviter}`, `{link}`, `{days}`.
    pub invitation_body: &'static str,
    pub reset_subject: &'static str,
    /// `{name}`, `{link}`.
    pub reset_body: &'static str,
    pub set_password: &'static str,
    pub new_password: &'static str,
    pub password_help: &'static str,
    pub save: &'static str,
    pub link_used: &'static str,
    pub link_expired: &'static str,
    pub password_set: &'static str,
    pub log_in: &'static str,
    pub forgot_title: &'static str,
    pub forgot_help: &'static str,
    pub email: &'static str,
    pub send_link: &'static str,
    /// Said whether or not an account has the address, so the answer reveals nothing.
    pub forgot_sent: &'static str,
    pub email_subject: &'static str,
    /// `{name}`, `{email}`, `{link}`.
    pub email_body: &'static str,
    pub confirm_email: &'static str,
    /// `{email}`.
    pub confirm_email_help: &'static str,
    pub confirm: &'static str,
    pub email_changed: &'static str,
    pub email_taken: &'static str,
}

const EN: LinkWords = LinkWords {
    invitation_subject: "{inviter} invites you to {organization}'s support portal",
    invitation_body: "Hello {name},\n\n{inviter} has invited you to {organization}'s support portal, where you follow your organisation's tickets, incidents and reports.\n\nChoose your password here (the link works once, for {days} days):\n{link}\n",
    reset_subject: "Reset your password",
    reset_body: "Hello {name},\n\nSomeone (we hope you) asked to reset your password. Choose a new one here (the link works once, for an hour):\n{link}\n\nIf it was not you, do nothing: your password stays as it is.\n",
    set_password: "Choose your password",
    new_password: "New password",
    password_help: "At least 12 characters.",
    save: "Save password",
    link_used: "This link has been used already. Ask for a new one if you need it.",
    link_expired: "This link has expired. Ask for a new one.",
    password_set: "Your password is set. You can log in now.",
    log_in: "Log in",
    forgot_title: "Forgot your password?",
    forgot_help: "Give your e-mail address and we send you a link to choose a new password.",
    email: "E-mail address",
    send_link: "Send the link",
    forgot_sent: "If an account has this address, a link is on its way. It works for an hour.",
    email_subject: "Confirm your new e-mail address",
    email_body: "Hello {name},\n\nYou asked to log in with {email} from now on. Confirm it here (the link works once, for a day):\n{link}\n\nIf it was not you, do nothing: your address stays as it is.\n",
    confirm_email: "Confirm your new address",
    confirm_email_help: "From now on you log in with {email}, and mail to you goes there.",
    confirm: "Confirm",
    email_changed: "Your address is changed. Log in with the new one.",
    email_taken: "That address is in use already.",
};

const SV: LinkWords = LinkWords {
    invitation_subject: "{inviter} bjuder in dig till {organization}s supportportal",
    invitation_body: "Hej {name},\n\n{inviter} har bjudit in dig till {organization}s supportportal, där du följer organisationens ärenden, incidenter och rapporter.\n\nVälj ditt lösenord här (länken fungerar en gång, i {days} dagar):\n{link}\n",
    reset_subject: "Återställ ditt lösenord",
    reset_body: "Hej {name},\n\nNågon (förhoppningsvis du) bad om att återställa ditt lösenord. Välj ett nytt här (länken fungerar en gång, i en timme):\n{link}\n\nOm det inte var du behöver du inte göra något: lösenordet förblir detsamma.\n",
    set_password: "Välj ditt lösenord",
    new_password: "Nytt lösenord",
    password_help: "Minst 12 tecken.",
    save: "Spara lösenordet",
    link_used: "Länken har redan använts. Be om en ny om du behöver.",
    link_expired: "Länken har gått ut. Be om en ny.",
    password_set: "Ditt lösenord är sparat. Du kan logga in nu.",
    log_in: "Logga in",
    forgot_title: "Glömt lösenordet?",
    forgot_help: "Ange din e-postadress så skickar vi en länk där du väljer ett nytt lösenord.",
    email: "E-postadress",
    send_link: "Skicka länken",
    forgot_sent: "Om ett konto har den här adressen är en länk på väg. Den fungerar i en timme.",
    email_subject: "Bekräfta din nya e-postadress",
    email_body: "Hej {name},\n\nDu har bett om att logga in med {email} från och med nu. Bekräfta här (länken fungerar en gång, i ett dygn):\n{link}\n\nOm det inte var du behöver du inte göra något: adressen förblir densamma.\n",
    confirm_email: "Bekräfta din nya adress",
    confirm_email_help: "Från och med nu loggar du in med {email}, och e-post till dig går dit.",
    confirm: "Bekräfta",
    email_changed: "Din adress är ändrad. Logga in med den nya.",
    email_taken: "Adressen används redan.",
};

const NB: LinkWords = LinkWords {
    invitation_subject: "{inviter} inviterer deg til kundeportalen til {organization}",
    invitation_body: "Hei {name},\n\n{inviter} har invitert deg til kundeportalen til {organization}, der du følger organisasjonens saker, hendelser og rapporter.\n\nVelg passordet ditt her (lenken virker én gang, i {days} dager):\n{link}\n",
    reset_subject: "Tilbakestill passordet ditt",
    reset_body: "Hei {name},\n\nNoen (forhåpentligvis du) ba om å tilbakestille passordet ditt. Velg et nytt her (lenken virker én gang, i én time):\n{link}\n\nHvis det ikke var deg, trenger du ikke gjøre noe: passordet forblir det samme.\n",
    set_password: "Velg passordet ditt",
    new_password: "Nytt passord",
    password_help: "Minst 12 tegn.",
    save: "Lagre passordet",
    link_used: "Lenken er allerede brukt. Be om en ny om du trenger det.",
    link_expired: "Lenken har utløpt. Be om en ny.",
    password_set: "Passordet ditt er lagret. Du kan logge inn nå.",
    log_in: "Logg inn",
    forgot_title: "Glemt passordet?",
    forgot_help: "Oppgi e-postadressen din, så sender vi en lenke der du velger et nytt passord.",
    email: "E-postadresse",
    send_link: "Send lenken",
    forgot_sent: "Hvis en konto har denne adressen, er en lenke på vei. Den virker i én time.",
    email_subject: "Bekreft den nye e-postadressen din",
    email_body: "Hei {name},\n\nDu har bedt om å logge inn med {email} fra nå av. Bekreft her (lenken virker én gang, i ett døgn):\n{link}\n\nHvis det ikke var deg, trenger du ikke gjøre noe: adressen forblir den samme.\n",
    confirm_email: "Bekreft den nye adressen din",
    confirm_email_help: "Fra nå av logger du inn med {email}, og e-post til deg går dit.",
    confirm: "Bekreft",
    email_changed: "Adressen din er endret. Logg inn med den nye.",
    email_taken: "Adressen er allerede i bruk.",
};

const DA: LinkWords = LinkWords {
    invitation_subject: "{inviter} inviterer dig til {organization}s supportportal",
    invitation_body: "Hej {name},\n\n{inviter} har inviteret dig til {organization}s supportportal, hvor du følger organisationens sager, hændelser og rapporter.\n\nVælg din adgangskode her (linket virker én gang, i {days} dage):\n{link}\n",
    reset_subject: "Nulstil din adgangskode",
    reset_body: "Hej {name},\n\nNogen (forhåbentlig dig) bad om at nulstille din adgangskode. Vælg en ny her (linket virker én gang, i en time):\n{link}\n\nHvis det ikke var dig, skal du ikke gøre noget: adgangskoden forbliver den samme.\n",
    set_password: "Vælg din adgangskode",
    new_password: "Ny adgangskode",
    password_help: "Mindst 12 tegn.",
    save: "Gem adgangskoden",
    link_used: "Linket er allerede brugt. Bed om et nyt, hvis du har brug for det.",
    link_expired: "Linket er udløbet. Bed om et nyt.",
    password_set: "Din adgangskode er gemt. Du kan logge ind nu.",
    log_in: "Log ind",
    forgot_title: "Glemt adgangskoden?",
    forgot_help: "Angiv din e-mailadresse, så sender vi et link, hvor du vælger en ny adgangskode.",
    email: "E-mailadresse",
    send_link: "Send linket",
    forgot_sent: "Hvis en konto har denne adresse, er et link på vej. Det virker i en time.",
    email_subject: "Bekræft din nye e-mailadresse",
    email_body: "Hej {name},\n\nDu har bedt om at logge ind med {email} fra nu af. Bekræft her (linket virker én gang, i et døgn):\n{link}\n\nHvis det ikke var dig, skal du ikke gøre noget: adressen forbliver den samme.\n",
    confirm_email: "Bekræft din nye adresse",
    confirm_email_help: "Fra nu af logger du ind med {email}, og e-mail til dig går dertil.",
    confirm: "Bekræft",
    email_changed: "Din adresse er ændret. Log ind med den nye.",
    email_taken: "Adressen er allerede i brug.",
};

pub fn link_words(language: Language) -> &'static LinkWords {
    match language {
        Language::English => &EN,
        Language::Swedish => &SV,
        Language::NorwegianBokmal => &NB,
        Language::Danish => &DA,
    }
}

/// What a link's letter names.
pub struct LetterFacts<'a> {
    /// The account's name.
    pub name: &'a str,
    pub organization: &'a str,
    pub inviter: &'a str,
    /// The new address, for an e-mail change.
    pub email: &'a str,
    pub link: &'a str,
}

/// A letter's subject and body for a link, filled in.
pub fn link_letter(purpose: LinkPurpose, language: Language, f: &LetterFacts) -> (String, String) {
    let w = link_words(language);
    let days = (LinkPurpose::Invitation.lifetime().as_hours() / 24).to_string();
    let fill = |s: &str| {
        s.replace("{name}", f.name)
            .replace("{organization}", f.organization)
            .replace("{inviter}", f.inviter)
            .replace("{email}", f.email)
            .replace("{days}", &days)
            .replace("{link}", f.link)
    };
    match purpose {
        LinkPurpose::Invitation => (fill(w.invitation_subject), fill(w.invitation_body)),
        LinkPurpose::Reset => (fill(w.reset_subject), fill(w.reset_body)),
        LinkPurpose::EmailChange => (fill(w.email_subject), fill(w.email_body)),
    }
}

/// What the portal's colleagues page says.
pub struct ColleagueWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub roles: &'static str,
    pub access: &'static str,
    pub no_access: &'static str,
    pub invited: &'static str,
    pub active: &'static str,
    pub you: &'static str,
    pub invite_title: &'static str,
    pub language: &'static str,
    pub invite: &'static str,
    pub invited_done: &'static str,
    pub remove: &'static str,
    pub removed_done: &'static str,
    pub only_primary: &'static str,
    pub other_organization: &'static str,
    pub has_access: &'static str,
    pub not_yourself: &'static str,
    pub forgot: &'static str,
    pub name_required: &'static str,
    pub bad_email: &'static str,
    pub your_address: &'static str,
    pub change_address: &'static str,
    pub address_link_sent: &'static str,
}

const COLLEAGUES: [ColleagueWords; 4] = [
    ColleagueWords {
        title: "Colleagues",
        intro: "Who in your organisation may log in to this portal.",
        name: "Name",
        email: "E-mail address",
        roles: "Roles",
        access: "Portal access",
        no_access: "No access",
        invited: "Invited, has not chosen a password yet",
        active: "Has access",
        you: "you",
        invite_title: "Invite a colleague",
        language: "Language",
        invite: "Send the invitation",
        invited_done: "The invitation is on its way.",
        remove: "Remove access",
        removed_done: "The colleague can no longer log in.",
        only_primary: "A primary contact of your organisation invites and removes colleagues.",
        other_organization: "this address belongs to a contact of another organisation",
        has_access: "this colleague has access already",
        not_yourself: "You cannot remove your own access.",
        forgot: "Forgot your password?",
        name_required: "a name is required",
        bad_email: "not an e-mail address",
        your_address: "Your e-mail address",
        change_address: "Send a confirmation to the new address",
        address_link_sent: "A link is on its way to the new address; your address changes when you open it.",
    },
    ColleagueWords {
        title: "Kollegor",
        intro: "Vilka i er organisation som får logga in i portalen.",
        name: "Namn",
        email: "E-postadress",
        roles: "Roller",
        access: "Tillgång till portalen",
        no_access: "Ingen tillgång",
        invited: "Inbjuden, har inte valt lösenord än",
        active: "Har tillgång",
        you: "du",
        invite_title: "Bjud in en kollega",
        language: "Språk",
        invite: "Skicka inbjudan",
        invited_done: "Inbjudan är på väg.",
        remove: "Ta bort tillgång",
        removed_done: "Kollegan kan inte längre logga in.",
        only_primary: "En primär kontakt i er organisation bjuder in och tar bort kollegor.",
        other_organization: "adressen tillhör en kontakt i en annan organisation",
        has_access: "kollegan har redan tillgång",
        not_yourself: "Du kan inte ta bort din egen tillgång.",
        forgot: "Glömt lösenordet?",
        name_required: "namn måste anges",
        bad_email: "ingen giltig e-postadress",
        your_address: "Din e-postadress",
        change_address: "Skicka en bekräftelse till den nya adressen",
        address_link_sent: "En länk är på väg till den nya adressen; adressen ändras när du öppnar den.",
    },
    ColleagueWords {
        title: "Kolleger",
        intro: "Hvem i organisasjonen deres som kan logge inn i portalen.",
        name: "Navn",
        email: "E-postadresse",
        roles: "Roller",
        access: "Tilgang til portalen",
        no_access: "Ingen tilgang",
        invited: "Invitert, har ikke valgt passord ennå",
        active: "Har tilgang",
        you: "deg",
        invite_title: "Inviter en kollega",
        language: "Språk",
        invite: "Send invitasjonen",
        invited_done: "Invitasjonen er på vei.",
        remove: "Fjern tilgang",
        removed_done: "Kollegaen kan ikke lenger logge inn.",
        only_primary: "En primærkontakt i organisasjonen deres inviterer og fjerner kolleger.",
        other_organization: "adressen tilhører en kontakt i en annen organisasjon",
        has_access: "kollegaen har allerede tilgang",
        not_yourself: "Du kan ikke fjerne din egen tilgang.",
        forgot: "Glemt passordet?",
        name_required: "navn må oppgis",
        bad_email: "ikke en gyldig e-postadresse",
        your_address: "E-postadressen din",
        change_address: "Send en bekreftelse til den nye adressen",
        address_link_sent: "En lenke er på vei til den nye adressen; adressen endres når du åpner den.",
    },
    ColleagueWords {
        title: "Kolleger",
        intro: "Hvem i jeres organisation der må logge ind i portalen.",
        name: "Navn",
        email: "E-mailadresse",
        roles: "Roller",
        access: "Adgang til portalen",
        no_access: "Ingen adgang",
        invited: "Inviteret, har ikke valgt adgangskode endnu",
        active: "Har adgang",
        you: "dig",
        invite_title: "Inviter en kollega",
        language: "Sprog",
        invite: "Send invitationen",
        invited_done: "Invitationen er på vej.",
        remove: "Fjern adgang",
        removed_done: "Kollegaen kan ikke længere logge ind.",
        only_primary: "En primær kontakt i jeres organisation inviterer og fjerner kolleger.",
        other_organization: "adressen tilhører en kontakt i en anden organisation",
        has_access: "kollegaen har allerede adgang",
        not_yourself: "Du kan ikke fjerne din egen adgang.",
        forgot: "Glemt adgangskoden?",
        name_required: "navn skal angives",
        bad_email: "ikke en gyldig e-mailadresse",
        your_address: "Din e-mailadresse",
        change_address: "Send en bekræftelse til den nye adresse",
        address_link_sent: "Et link er på vej til den nye adresse; adressen ændres, når du åbner det.",
    },
];

pub fn colleague_words(language: Language) -> &'static ColleagueWords {
    match language {
        Language::English => &COLLEAGUES[0],
        Language::Swedish => &COLLEAGUES[1],
        Language::NorwegianBokmal => &COLLEAGUES[2],
        Language::Danish => &COLLEAGUES[3],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_link_works_once_until_it_expires() {
        let expires = t("2026-12-03T12:00:00Z");
        assert_eq!(
            link_state(None, expires, t("2026-12-03T11:59:59Z")),
            LinkState::Usable
        );
        assert_eq!(link_state(None, expires, expires), LinkState::Expired);
        assert_eq!(
            link_state(
                Some(t("2026-12-03T11:00:00Z")),
                expires,
                t("2026-12-03T11:30:00Z")
            ),
            LinkState::Used
        );
        assert_eq!(LinkPurpose::Reset.lifetime(), SignedDuration::from_hours(1));
        assert_eq!(
            LinkPurpose::Invitation.lifetime(),
            SignedDuration::from_hours(168)
        );
    }

    #[test]
    fn letters_are_filled_in_in_each_language() {
        let facts = LetterFacts {
            name: "Kari",
            organization: "Fjordnett",
            inviter: "Ola",
            email: "kari@ny.example",
            link: "https://varde.example/link/abc",
        };
        for language in Language::ALL {
            let (subject, body) = link_letter(LinkPurpose::Invitation, language, &facts);
            assert!(
                subject.contains("Fjordnett") && subject.contains("Ola"),
                "{subject}"
            );
            assert!(body.contains("Kari") && body.contains("https://varde.example/link/abc"));
            assert!(body.contains(" 7 "), "{body}");
            for purpose in [LinkPurpose::Reset, LinkPurpose::EmailChange] {
                let (subject, body) = link_letter(purpose, language, &facts);
                assert!(!subject.is_empty() && body.contains("https://varde.example/link/abc"));
                assert!(!body.contains('{') && !subject.contains('{'), "{body}");
            }
            let (_, body) = link_letter(LinkPurpose::EmailChange, language, &facts);
            assert!(body.contains("kari@ny.example"), "{body}");
        }
        let (subject, _) = link_letter(LinkPurpose::Invitation, Language::NorwegianBokmal, &facts);
        assert_eq!(subject, "Ola inviterer deg til kundeportalen til Fjordnett");
    }
}
