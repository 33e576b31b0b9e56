//! What the customer reads: the welcome mail and the words of the one-time link page that
//! shows their login details, in the contact's language.

/// The words of the one-time link page, in the contact's language: title, explanation,
/// button, "used or expired", "save these now", "secret".
pub fn link_page_words(lang: crate::values::Language) -> [&'static str; 6] {
    use crate::values::Language::*;
    match lang {
        English => [
            "Your login details",
            "This link shows your OpenStack password, application credential and S3 keys once. Have a password manager ready, then press the button. Afterwards the link no longer works and we no longer hold the secrets.",
            "Show my login details",
            "This link has been used or has expired. If you did not save your login details, write to support and we will make new ones.",
            "Save these now. This page is the only time they are shown.",
            "Secret",
        ],
        Swedish => [
            "Dina inloggningsuppgifter",
            "Den här länken visar ditt OpenStack-lösenord, din applikationsnyckel och dina S3-nycklar en gång. Ha en lösenordshanterare redo och tryck sedan på knappen. Efteråt fungerar länken inte längre och vi har inte kvar hemligheterna.",
            "Visa mina inloggningsuppgifter",
            "Länken har redan använts eller har gått ut. Om du inte sparade uppgifterna, skriv till supporten så skapar vi nya.",
            "Spara dem nu. Det här är enda gången de visas.",
            "Hemlighet",
        ],
        NorwegianBokmal => [
            "Dine innloggingsopplysninger",
            "Denne lenken viser OpenStack-passordet, applikasjonsnøkkelen og S3-nøklene dine én gang. Ha en passordbehandler klar, og trykk så på knappen. Etterpå virker ikke lenken lenger, og vi har ikke lenger hemmelighetene.",
            "Vis innloggingsopplysningene mine",
            "Lenken er allerede brukt eller har utløpt. Hvis du ikke lagret opplysningene, skriv til kundestøtte, så lager vi nye.",
            "Lagre dem nå. Dette er eneste gang de vises.",
            "Hemmelighet",
        ],
        Danish => [
            "Dine loginoplysninger",
            "Dette link viser din OpenStack-adgangskode, applikationsnøgle og S3-nøgler én gang. Hav en adgangskodeadministrator klar, og tryk så på knappen. Bagefter virker linket ikke længere, og vi har ikke længere hemmelighederne.",
            "Vis mine loginoplysninger",
            "Linket er allerede brugt eller er udløbet. Hvis du ikke gemte oplysningerne, så skriv til support, så laver vi nye.",
            "Gem dem nu. Det er den eneste gang, de vises.",
            "Hemmelighed",
        ],
    }
}

/// What the welcome mail says, in the contact's language.
pub struct Welcome<'a> {
    pub organization: &'a str,
    pub contact: &'a str,
    pub docs_url: &'a str,
    pub support_address: &'a str,
    /// The contact's Keystone user name and their one-time link, for technical contacts.
    pub login: Option<(&'a str, &'a str)>,
    pub link_days: u32,
    pub chat_room: bool,
}

impl Welcome<'_> {
    /// The subject and plain-text body.
    pub fn text(&self, lang: crate::values::Language) -> (String, String) {
        use crate::values::Language::*;
        let w = match lang {
            English => [
                "Welcome to the cloud",
                "Hello",
                "Welcome! Your organisation's cloud account is ready.",
                "Documentation and configuration examples",
                "Your login",
                "user name",
                "Your password, application credential and S3 keys are shown once, at this link (valid for",
                "days):",
                "Your team will be invited to our shared chat room.",
                "Questions? Write to",
                "Kind regards",
            ],
            Swedish => [
                "Välkommen till molnet",
                "Hej",
                "Välkommen! Er organisations molnkonto är klart.",
                "Dokumentation och konfigurationsexempel",
                "Din inloggning",
                "användarnamn",
                "Ditt lösenord, din applikationsnyckel och dina S3-nycklar visas en gång, på den här länken (giltig i",
                "dagar):",
                "Ert team bjuds in till vårt gemensamma chattrum.",
                "Frågor? Skriv till",
                "Vänliga hälsningar",
            ],
            NorwegianBokmal => [
                "Velkommen til skyen",
                "Hei",
                "Velkommen! Organisasjonens skykonto er klar.",
                "Dokumentasjon og konfigurasjonseksempler",
                "Din innlogging",
                "brukernavn",
                "Passordet ditt, applikasjonsnøkkelen og S3-nøklene vises én gang, på denne lenken (gyldig i",
                "dager):",
                "Teamet deres blir invitert til vårt felles chatterom.",
                "Spørsmål? Skriv til",
                "Vennlig hilsen",
            ],
            Danish => [
                "Velkommen til skyen",
                "Hej",
                "Velkommen! Jeres organisations skykonto er klar.",
                "Dokumentation og konfigurationseksempler",
                "Dit login",
                "brugernavn",
                "Din adgangskode, applikationsnøgle og S3-nøgler vises én gang, på dette link (gyldigt i",
                "dage):",
                "Jeres team bliver inviteret til vores fælles chatrum.",
                "Spørgsmål? Skriv til",
                "Venlig hilsen",
            ],
        };
        let mut body = format!(
            "{} {},\n\n{}\n\n{}: {}\n",
            w[1], self.contact, w[2], w[3], self.docs_url
        );
        if let Some((user, link)) = self.login {
            body.push_str(&format!(
                "\n{}: {} {}\n{} {} {}\n{}\n",
                w[4], w[5], user, w[6], self.link_days, w[7], link
            ));
        }
        if self.chat_room {
            body.push_str(&format!("\n{}\n", w[8]));
        }
        body.push_str(&format!(
            "\n{} {}\n\n{}\n",
            w[9], self.support_address, w[10]
        ));
        (format!("{}, {}", w[0], self.organization), body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welcome_mail_speaks_the_contacts_language_and_gives_the_link_to_technical_contacts() {
        let w = Welcome {
            organization: "KTH",
            contact: "Åsa",
            docs_url: "https://docs.example.com",
            support_address: "support@example.com",
            login: Some(("asa@kth.se", "https://varde.example.com/welcome/abc")),
            link_days: 7,
            chat_room: true,
        };
        let (subject, body) = w.text(crate::values::Language::Swedish);
        assert_eq!(subject, "Välkommen till molnet, KTH");
        assert!(body.starts_with("Hej Åsa,"));
        assert!(body.contains("användarnamn asa@kth.se"));
        assert!(body.contains("(giltig i 7 dagar):\nhttps://varde.example.com/welcome/abc"));
        assert!(body.contains("chattrum"));
        let plain = Welcome {
            login: None,
            chat_room: false,
            ..w
        };
        let (_, body) = plain.text(crate::values::Language::English);
        assert!(!body.contains("welcome/abc"));
        assert!(!body.contains("chat"));
        assert!(
            body.contains("Documentation and configuration examples: https://docs.example.com")
        );
    }
}
