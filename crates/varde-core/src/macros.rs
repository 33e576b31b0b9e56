//! Macros: canned replies and comments agents apply to a ticket in one click, per queue and
//! language, with placeholders for the customer, the ticket and the agent, that may also set
//! the ticket's status and owner in the same write (Zammad's macros, Freshdesk's canned
//! responses with actions). Administrators write them; every staff member uses them.

use crate::form::FieldErrors;
use crate::placeholders;
use crate::ticket::lifecycle::Status;
use crate::values::Language;
use crate::vocabulary;

/// The placeholders a macro's text may use, and what each stands for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    (
        "customer",
        "the requestor's name (their address when no name is known)",
    ),
    ("first_name", "the requestor's first name"),
    ("organization", "the requestor's organisation"),
    ("ticket", "the ticket's number"),
    ("subject", "the ticket's subject"),
    ("queue", "the ticket's queue"),
    ("agent", "the name of the agent who applies the macro"),
];

vocabulary!(
    /// What the macro's text becomes on the ticket.
    MacroKind, "kind of message" {
        Reply => "reply", "A reply to the requestors";
        Comment => "comment", "An internal comment";
    }
);

vocabulary!(
    /// What the macro does to the ticket's owner.
    OwnerAction, "owner choice" {
        Keep => "keep", "Leave the owner as it is";
        Me => "me", "The agent who applies it takes the ticket";
        Nobody => "nobody", "Give the ticket back (no owner)";
    }
);

/// A macro as administrators keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Macro {
    pub id: i64,
    pub details: MacroDetails,
}

/// What a macro is, without its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDetails {
    pub name: String,
    /// Offered on tickets of this queue only; `None` on every queue.
    pub queue: Option<String>,
    /// Offered when the requestor reads this language; `None` whatever they read.
    pub language: Option<Language>,
    pub kind: MacroKind,
    pub body: String,
    /// The status the ticket is set to, if any.
    pub status: Option<Status>,
    pub owner: OwnerAction,
}

/// A macro as typed in the form.
#[derive(Clone, Debug, Default)]
pub struct MacroForm {
    pub name: String,
    /// A queue name, or blank for every queue.
    pub queue: String,
    /// A language code, or blank for every language.
    pub language: String,
    pub kind: String,
    pub body: String,
    /// A status code, or blank to leave the status.
    pub status: String,
    pub owner: String,
}

/// What the placeholders stand for on one ticket.
#[derive(Clone, Debug, Default)]
pub struct MacroValues {
    pub customer: String,
    pub organization: String,
    pub ticket: i64,
    pub subject: String,
    pub queue: String,
    pub agent: String,
}

impl MacroForm {
    /// Checks the form; the queue's existence is the application's to check.
    pub fn parse(&self) -> Result<MacroDetails, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "a name is required");
        } else if name.chars().count() > 80 {
            errors.add("name", "at most 80 characters");
        }
        let language = match optional(&self.language).map(Language::parse).transpose() {
            Ok(l) => l,
            Err(e) => {
                errors.add("language", e.0);
                None
            }
        };
        let kind = MacroKind::parse(&self.kind).map_err(|e| errors.add("kind", e.0));
        let status = match optional(&self.status).map(Status::parse).transpose() {
            Ok(Some(Status::Deleted)) => {
                errors.add("status", "a macro does not delete tickets");
                None
            }
            Ok(s) => s,
            Err(e) => {
                errors.add("status", e.0);
                None
            }
        };
        let owner = OwnerAction::parse(optional(&self.owner).unwrap_or("keep"))
            .map_err(|e| errors.add("owner", e.0));
        let body = self.body.replace("\r\n", "\n").trim_end().to_string();
        if body.trim().is_empty() {
            errors.add("body", "write the text the macro adds");
        } else if let Err(e) = placeholders::check(&body, PLACEHOLDERS) {
            errors.add("body", e);
        }
        match (kind, owner) {
            (Ok(kind), Ok(owner)) if errors.is_empty() => Ok(MacroDetails {
                name: name.to_string(),
                queue: optional(&self.queue).map(str::to_string),
                language,
                kind,
                body,
                status,
                owner,
            }),
            _ => Err(errors),
        }
    }

    /// The form showing a stored macro.
    pub fn of(m: &MacroDetails) -> MacroForm {
        MacroForm {
            name: m.name.clone(),
            queue: m.queue.clone().unwrap_or_default(),
            language: m.language.map(|l| l.code().to_string()).unwrap_or_default(),
            kind: m.kind.code().into(),
            body: m.body.clone(),
            status: m.status.map(|s| s.code().to_string()).unwrap_or_default(),
            owner: m.owner.code().into(),
        }
    }
}

impl MacroDetails {
    /// Whether the macro is offered on a ticket of `queue` whose requestor reads `language`.
    pub fn fits(&self, queue: &str, language: Language) -> bool {
        self.queue
            .as_deref()
            .is_none_or(|q| q.eq_ignore_ascii_case(queue))
            && self.language.is_none_or(|l| l == language)
    }

    /// The text with the placeholders filled in.
    pub fn render(&self, v: &MacroValues) -> String {
        let ticket = v.ticket.to_string();
        let first_name = v.customer.split_whitespace().next().unwrap_or_default();
        placeholders::fill(
            &self.body,
            &[
                ("customer", &v.customer),
                ("first_name", first_name),
                ("organization", &v.organization),
                ("ticket", &ticket),
                ("subject", &v.subject),
                ("queue", &v.queue),
                ("agent", &v.agent),
            ],
        )
    }
}

/// The macros offered on a ticket, by name.
pub fn offered(all: &[Macro], queue: &str, language: Language) -> Vec<Macro> {
    let mut fit: Vec<Macro> = all
        .iter()
        .filter(|m| m.details.fits(queue, language))
        .cloned()
        .collect();
    fit.sort_by(|a, b| {
        a.details
            .name
            .to_lowercase()
            .cmp(&b.details.name.to_lowercase())
    });
    fit
}

/// A field left blank means "any" (or "leave it").
fn optional(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MacroForm {
        MacroForm {
            name: "Volume stuck detaching".into(),
            queue: "Storage".into(),
            language: "sv".into(),
            kind: "reply".into(),
            body: "Hej {first_name}!\r\n\r\nVi har lossat volymen i ärende {ticket} ({subject}).\r\n/{agent}\r\n".into(),
            status: "resolved".into(),
            owner: "me".into(),
        }
    }

    #[test]
    fn a_macro_is_checked_and_renders_for_its_ticket() {
        let m = form().parse().unwrap();
        assert_eq!(m.status, Some(Status::Resolved));
        assert_eq!(m.owner, OwnerAction::Me);
        assert!(m.fits("storage", Language::Swedish));
        assert!(!m.fits("General", Language::Swedish));
        assert!(!m.fits("Storage", Language::English));
        let text = m.render(&MacroValues {
            customer: "Sara Lindqvist".into(),
            organization: "KTH".into(),
            ticket: 42,
            subject: "vol-9 {stuck}".into(),
            queue: "Storage".into(),
            agent: "Ada".into(),
        });
        assert_eq!(
            text,
            "Hej Sara!\n\nVi har lossat volymen i ärende 42 (vol-9 {stuck}).\n/Ada"
        );
        assert_eq!(MacroForm::of(&m).parse(), Ok(m));
    }

    #[test]
    fn mistakes_are_named_field_by_field() {
        let bad = MacroForm {
            name: " ".into(),
            language: "fi".into(),
            kind: "shout".into(),
            body: "Hej {kund}".into(),
            status: "deleted".into(),
            owner: "someone".into(),
            ..form()
        };
        let errors = bad.parse().unwrap_err();
        for field in ["name", "language", "kind", "body", "status", "owner"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let any = MacroForm {
            queue: " ".into(),
            language: String::new(),
            owner: String::new(),
            status: String::new(),
            ..form()
        }
        .parse()
        .unwrap();
        assert!(any.fits("General", Language::Danish));
        assert_eq!((any.owner, any.status), (OwnerAction::Keep, None));
    }
}
