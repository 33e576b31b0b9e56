//! What the portal's API tokens page says, in the four languages: a contact makes tokens for
//! its own scripts (read, or read and write; its organisation only) and revokes them.

use crate::access::TokenScope;
use crate::values::Language;

pub struct TokenWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub new_token_shown_once: &'static str,
    pub name: &'static str,
    pub starts_with: &'static str,
    pub scope: &'static str,
    pub created: &'static str,
    pub last_used: &'static str,
    pub state: &'static str,
    pub never: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub none_yet: &'static str,
    pub new_token: &'static str,
    pub name_example: &'static str,
    pub read_write: &'static str,
    pub read_only: &'static str,
    pub create: &'static str,
    pub name_required: &'static str,
}

const WORDS: [TokenWords; 4] = [
    TokenWords {
        title: "API tokens",
        intro: "Tokens for your own scripts: they act as you, and reach your organisation's data only. Send one as 'Authorization: Bearer <token>' to /api/v1.",
        new_token_shown_once: "Your new token. Copy it now: it is shown this once.",
        name: "Name",
        starts_with: "Starts with",
        scope: "Scope",
        created: "Created",
        last_used: "Last used",
        state: "State",
        never: "never",
        revoke: "Revoke",
        revoked: "revoked",
        none_yet: "No tokens yet.",
        new_token: "New token",
        name_example: "e.g. monitoring",
        read_write: "Read and write",
        read_only: "Read only",
        create: "Create token",
        name_required: "a token needs a name",
    },
    TokenWords {
        title: "API-nycklar",
        intro: "Nycklar för era egna skript: de agerar som du och når bara er organisations data. Skicka en som 'Authorization: Bearer <nyckel>' till /api/v1.",
        new_token_shown_once: "Din nya nyckel. Kopiera den nu: den visas bara den här gången.",
        name: "Namn",
        starts_with: "Börjar med",
        scope: "Behörighet",
        created: "Skapad",
        last_used: "Senast använd",
        state: "Läge",
        never: "aldrig",
        revoke: "Återkalla",
        revoked: "återkallad",
        none_yet: "Inga nycklar än.",
        new_token: "Ny nyckel",
        name_example: "t.ex. övervakning",
        read_write: "Läsa och skriva",
        read_only: "Bara läsa",
        create: "Skapa nyckel",
        name_required: "nyckeln behöver ett namn",
    },
    TokenWords {
        title: "API-nøkler",
        intro: "Nøkler for deres egne skript: de handler som deg og når bare organisasjonens data. Send en som 'Authorization: Bearer <nøkkel>' til /api/v1.",
        new_token_shown_once: "Den nye nøkkelen din. Kopier den nå: den vises bare denne gangen.",
        name: "Navn",
        starts_with: "Begynner med",
        scope: "Tilgang",
        created: "Opprettet",
        last_used: "Sist brukt",
        state: "Tilstand",
        never: "aldri",
        revoke: "Trekk tilbake",
        revoked: "trukket tilbake",
        none_yet: "Ingen nøkler ennå.",
        new_token: "Ny nøkkel",
        name_example: "f.eks. overvåking",
        read_write: "Lese og skrive",
        read_only: "Bare lese",
        create: "Opprett nøkkel",
        name_required: "nøkkelen trenger et navn",
    },
    TokenWords {
        title: "API-nøgler",
        intro: "Nøgler til jeres egne scripts: de handler som dig og når kun organisationens data. Send en som 'Authorization: Bearer <nøgle>' til /api/v1.",
        new_token_shown_once: "Din nye nøgle. Kopiér den nu: den vises kun denne gang.",
        name: "Navn",
        starts_with: "Begynder med",
        scope: "Adgang",
        created: "Oprettet",
        last_used: "Sidst brugt",
        state: "Tilstand",
        never: "aldrig",
        revoke: "Tilbagekald",
        revoked: "tilbagekaldt",
        none_yet: "Ingen nøgler endnu.",
        new_token: "Ny nøgle",
        name_example: "f.eks. overvågning",
        read_write: "Læse og skrive",
        read_only: "Kun læse",
        create: "Opret nøgle",
        name_required: "nøglen skal have et navn",
    },
];

pub fn token_words(language: Language) -> &'static TokenWords {
    match language {
        Language::English => &WORDS[0],
        Language::Swedish => &WORDS[1],
        Language::NorwegianBokmal => &WORDS[2],
        Language::Danish => &WORDS[3],
    }
}

impl TokenWords {
    /// A scope in words.
    pub fn scope(&self, scope: TokenScope) -> &'static str {
        match scope {
            TokenScope::Read => self.read_only,
            TokenScope::Write => self.read_write,
        }
    }
}
