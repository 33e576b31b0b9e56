//! The words of the public subscribe form and its confirm and unsubscribe pages, in each
//! language Varde speaks. `{}` in a text stands for the address it is about.

use crate::values::Language;

#[derive(Debug)]
pub struct SubscribeWords {
    pub how: &'static str,
    pub email: &'static str,
    pub sms: &'static str,
    pub webhook: &'static str,
    pub target: &'static str,
    pub owner: &'static str,
    pub all_components: &'static str,
    pub only_these: &'static str,
    pub check_mail: &'static str,
    pub check_mail_text: &'static str,
    pub webhook_subscribed: &'static str,
    pub webhook_text: &'static str,
    pub subscribed: &'static str,
    pub subscribed_text: &'static str,
    pub confirm: &'static str,
    pub confirm_text: &'static str,
    pub confirm_button: &'static str,
    pub confirmed: &'static str,
    pub confirmed_text: &'static str,
    pub unsubscribe: &'static str,
    pub unsubscribe_text: &'static str,
    pub unsubscribed: &'static str,
    pub unsubscribed_text: &'static str,
    pub too_many: &'static str,
    pub bad_channel: &'static str,
    pub bad_target: &'static str,
    pub bad_owner: &'static str,
    pub key_once: &'static str,
}

const WORDS: [SubscribeWords; 4] = [
    SubscribeWords {
        how: "How",
        email: "E-mail",
        sms: "SMS",
        webhook: "Webhook",
        target: "E-mail address, phone number (+46…) or webhook URL (https://…)",
        owner: "For a webhook: your e-mail address, to hear if it keeps failing",
        all_components: "All components",
        only_these: "Only these:",
        check_mail: "Check your mail",
        check_mail_text: "We sent a confirmation link to {}. Nothing is sent until you open it.",
        webhook_subscribed: "Webhook subscribed",
        webhook_text: "Updates will be POSTed to {} as JSON, signed in the X-Varde-Signature header. Keep the signing key below: it is shown only now.",
        subscribed: "Subscribed",
        subscribed_text: "{} will get updates.",
        confirm: "Confirm your subscription",
        confirm_text: "Send status updates to {}?",
        confirm_button: "Confirm",
        confirmed: "Subscription confirmed",
        confirmed_text: "{} will get status updates.",
        unsubscribe: "Unsubscribe",
        unsubscribe_text: "Stop status updates to {}?",
        unsubscribed: "Unsubscribed",
        unsubscribed_text: "{} gets no more status updates.",
        too_many: "Too many subscriptions for this address just now; try again in an hour.",
        bad_channel: "Choose e-mail, SMS or webhook.",
        bad_target: "Give an e-mail address, a phone number starting with + and the country code, or a public webhook URL (https://…).",
        bad_owner: "Give your e-mail address.",
        key_once: "Signing key (shown only now):",
    },
    SubscribeWords {
        how: "Hur",
        email: "E-post",
        sms: "Sms",
        webhook: "Webhook",
        target: "E-postadress, telefonnummer (+46…) eller webhook-URL (https://…)",
        owner: "För en webhook: din e-postadress, så att du får veta om den slutar fungera",
        all_components: "Alla komponenter",
        only_these: "Bara dessa:",
        check_mail: "Titta i din e-post",
        check_mail_text: "Vi har skickat en bekräftelselänk till {}. Inget skickas förrän du öppnar den.",
        webhook_subscribed: "Webhooken prenumererar",
        webhook_text: "Uppdateringar skickas med POST till {} som JSON, signerade i huvudet X-Varde-Signature. Spara signeringsnyckeln nedan: den visas bara nu.",
        subscribed: "Prenumerationen är registrerad",
        subscribed_text: "{} får uppdateringar.",
        confirm: "Bekräfta din prenumeration",
        confirm_text: "Skicka statusuppdateringar till {}?",
        confirm_button: "Bekräfta",
        confirmed: "Prenumerationen är bekräftad",
        confirmed_text: "{} får statusuppdateringar.",
        unsubscribe: "Avsluta prenumerationen",
        unsubscribe_text: "Sluta skicka statusuppdateringar till {}?",
        unsubscribed: "Prenumerationen är avslutad",
        unsubscribed_text: "{} får inga fler statusuppdateringar.",
        too_many: "För många prenumerationer för den här adressen just nu; försök igen om en timme.",
        bad_channel: "Välj e-post, sms eller webhook.",
        bad_target: "Ange en e-postadress, ett telefonnummer som börjar med + och landsnumret, eller en publik webhook-URL (https://…).",
        bad_owner: "Ange din e-postadress.",
        key_once: "Signeringsnyckel (visas bara nu):",
    },
    SubscribeWords {
        how: "Hvordan",
        email: "E-post",
        sms: "SMS",
        webhook: "Webhook",
        target: "E-postadresse, telefonnummer (+47…) eller webhook-URL (https://…)",
        owner: "For en webhook: e-postadressen din, så du får vite om den slutter å virke",
        all_components: "Alle komponenter",
        only_these: "Bare disse:",
        check_mail: "Sjekk e-posten din",
        check_mail_text: "Vi har sendt en bekreftelseslenke til {}. Ingenting sendes før du åpner den.",
        webhook_subscribed: "Webhooken abonnerer",
        webhook_text: "Oppdateringer sendes med POST til {} som JSON, signert i hodet X-Varde-Signature. Ta vare på signeringsnøkkelen under: den vises bare nå.",
        subscribed: "Abonnementet er registrert",
        subscribed_text: "{} får oppdateringer.",
        confirm: "Bekreft abonnementet",
        confirm_text: "Sende statusoppdateringer til {}?",
        confirm_button: "Bekreft",
        confirmed: "Abonnementet er bekreftet",
        confirmed_text: "{} får statusoppdateringer.",
        unsubscribe: "Avslutt abonnementet",
        unsubscribe_text: "Slutte å sende statusoppdateringer til {}?",
        unsubscribed: "Abonnementet er avsluttet",
        unsubscribed_text: "{} får ikke flere statusoppdateringer.",
        too_many: "For mange abonnementer for denne adressen akkurat nå; prøv igjen om en time.",
        bad_channel: "Velg e-post, SMS eller webhook.",
        bad_target: "Oppgi en e-postadresse, et telefonnummer som begynner med + og landskoden, eller en offentlig webhook-URL (https://…).",
        bad_owner: "Oppgi e-postadressen din.",
        key_once: "Signeringsnøkkel (vises bare nå):",
    },
    SubscribeWords {
        how: "Hvordan",
        email: "E-mail",
        sms: "Sms",
        webhook: "Webhook",
        target: "E-mailadresse, telefonnummer (+45…) eller webhook-URL (https://…)",
        owner: "Til en webhook: din e-mailadresse, så du hører om det, hvis den holder op med at virke",
        all_components: "Alle komponenter",
        only_these: "Kun disse:",
        check_mail: "Tjek din e-mail",
        check_mail_text: "Vi har sendt et bekræftelseslink til {}. Der sendes intet, før du åbner det.",
        webhook_subscribed: "Webhooken abonnerer",
        webhook_text: "Opdateringer sendes med POST til {} som JSON, signeret i headeren X-Varde-Signature. Gem signeringsnøglen nedenfor: den vises kun nu.",
        subscribed: "Abonnementet er registreret",
        subscribed_text: "{} får opdateringer.",
        confirm: "Bekræft dit abonnement",
        confirm_text: "Send statusopdateringer til {}?",
        confirm_button: "Bekræft",
        confirmed: "Abonnementet er bekræftet",
        confirmed_text: "{} får statusopdateringer.",
        unsubscribe: "Afmeld abonnementet",
        unsubscribe_text: "Stop statusopdateringer til {}?",
        unsubscribed: "Abonnementet er afmeldt",
        unsubscribed_text: "{} får ikke flere statusopdateringer.",
        too_many: "For mange abonnementer for denne adresse lige nu; prøv igen om en time.",
        bad_channel: "Vælg e-mail, sms eller webhook.",
        bad_target: "Angiv en e-mailadresse, et telefonnummer der begynder med + og landekoden, eller en offentlig webhook-URL (https://…).",
        bad_owner: "Angiv din e-mailadresse.",
        key_once: "Signeringsnøgle (vises kun nu):",
    },
];

/// The subscribe pages' words in `language`.
pub fn subscribe_words(language: Language) -> &'static SubscribeWords {
    &WORDS[match language {
        Language::English => 0,
        Language::Swedish => 1,
        Language::NorwegianBokmal => 2,
        Language::Danish => 3,
    }]
}

impl SubscribeWords {
    /// A text with its address filled in.
    pub fn about(text: &str, address: &str) -> String {
        text.replacen("{}", address, 1)
    }

    /// What to say of a refused field, in this language: the field's own words (the
    /// English details of `detail` are kept on the English page).
    pub fn refusal(&self, field: &str, detail: &str, language: Language) -> String {
        if language == Language::English {
            return detail.to_string();
        }
        match field {
            "channel" => self.bad_channel,
            "owner_email" => self.bad_owner,
            _ => self.bad_target,
        }
        .to_string()
    }
}
