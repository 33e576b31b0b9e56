//! Mail templates administrators edit: the autoreply that acknowledges a new ticket, one per
//! language. A template is text with placeholders in braces; the shipped ones are the
//! defaults until an administrator saves another.

use crate::form::FieldErrors;
use crate::values::Language;

/// The placeholders a template may use, and what each stands for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("subject", "the ticket's subject as the customer wrote it"),
    (
        "tag",
        "the ticket's subject tag, like [support.example #42]",
    ),
    ("ticket", "the ticket's number"),
    ("queue", "the queue's name"),
];

/// A subject and a body with `{placeholders}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailTemplate {
    pub subject: String,
    pub body: String,
}

/// What the placeholders stand for in one mail.
pub struct Values<'a> {
    pub subject: &'a str,
    pub tag: &'a str,
    pub ticket: i64,
    pub queue: &'a str,
}

impl MailTemplate {
    /// The autoreply Varde ships, per language.
    pub fn autoreply(language: Language) -> MailTemplate {
        let body = match language {
            Language::Swedish => {
                "Hej!\n\nDetta är ett automatiskt svar: vi har tagit emot ditt ärende \"{subject}\" och gett det ärendenummer {tag}.\nBehåll {tag} i ämnesraden när du skriver till oss om det.\n\nVänliga hälsningar\n{queue}"
            }
            Language::NorwegianBokmal => {
                "Hei!\n\nDette er et automatisk svar: vi har mottatt saken din \"{subject}\" og gitt den saksnummer {tag}.\nBehold {tag} i emnefeltet når du skriver til oss om den.\n\nVennlig hilsen\n{queue}"
            }
            Language::Danish => {
                "Hej!\n\nDette er et automatisk svar: vi har modtaget din henvendelse \"{subject}\" og givet den sagsnummer {tag}.\nBehold {tag} i emnefeltet, når du skriver til os om den.\n\nVenlig hilsen\n{queue}"
            }
            Language::English => {
                "Hello,\n\nThis is an automatic reply: we have received your request \"{subject}\" and given it the ticket number {tag}.\nPlease keep {tag} in the subject of any mail about it.\n\nBest regards,\n{queue}"
            }
        };
        MailTemplate {
            subject: "{tag} AutoReply: {subject}".into(),
            body: body.into(),
        }
    }

    /// Checks a template as typed: every placeholder known, every brace closed, the subject
    /// on one line and carrying the tag (so the customer's reply threads).
    pub fn parse(subject: &str, body: &str) -> Result<MailTemplate, FieldErrors> {
        let mut errors = FieldErrors::new();
        let subject = subject.trim();
        if subject.is_empty() {
            errors.add("subject", "a subject is required");
        } else if subject.contains(['\r', '\n']) {
            errors.add("subject", "the subject is one line");
        } else if !subject.contains("{tag}") {
            errors.add(
                "subject",
                "the subject needs {tag}, so that the customer's reply finds its ticket",
            );
        }
        if let Err(e) = check_placeholders(subject) {
            errors.add("subject", e);
        }
        if body.trim().is_empty() {
            errors.add("body", "a body is required");
        } else if let Err(e) = check_placeholders(body) {
            errors.add("body", e);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(MailTemplate {
            subject: subject.to_string(),
            body: body.replace("\r\n", "\n").trim_end().to_string(),
        })
    }

    /// The subject and body with the placeholders filled in.
    pub fn render(&self, v: &Values) -> (String, String) {
        (fill(&self.subject, v), fill(&self.body, v))
    }
}

fn check_placeholders(text: &str) -> Result<(), String> {
    crate::placeholders::check(text, PLACEHOLDERS)
}

fn fill(text: &str, v: &Values) -> String {
    let ticket = v.ticket.to_string();
    crate::placeholders::fill(
        text,
        &[
            ("subject", v.subject),
            ("tag", v.tag),
            ("ticket", &ticket),
            ("queue", v.queue),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_autoreplies_are_valid_and_render() {
        for lang in Language::ALL {
            let t = MailTemplate::autoreply(lang);
            assert_eq!(MailTemplate::parse(&t.subject, &t.body), Ok(t.clone()));
            let (subject, body) = t.render(&Values {
                subject: "Disk {full}",
                tag: "[ex #7]",
                ticket: 7,
                queue: "General",
            });
            assert_eq!(subject, "[ex #7] AutoReply: Disk {full}");
            assert!(
                body.contains("[ex #7]") && body.ends_with("General"),
                "{body}"
            );
        }
    }

    #[test]
    fn typed_templates_are_checked_field_by_field() {
        let e = MailTemplate::parse("Thanks", "Hi {name}").unwrap_err();
        assert!(e.get("subject").unwrap().contains("needs {tag}"));
        assert!(
            e.get("body")
                .unwrap()
                .contains("{name} is not a placeholder")
        );
        let e = MailTemplate::parse("{tag} a\nb", "x {tag").unwrap_err();
        assert_eq!(e.get("subject"), Some("the subject is one line"));
        assert_eq!(e.get("body"), Some("a '{' without its '}'"));
        assert!(MailTemplate::parse("{tag}", "}").is_err());
        let ok = MailTemplate::parse(" {tag} Tack! ", "Ärende {ticket} i {queue}\r\n\r\n").unwrap();
        assert_eq!(ok.subject, "{tag} Tack!");
        assert_eq!(ok.body, "Ärende {ticket} i {queue}");
    }
}
