//! Queues as an administrator types them: a name, a description and the two addresses, and
//! what a change of them may do. The console, `/api/v1` and RT's APIs all check through here.

use crate::form::FieldErrors;
use crate::values::EmailAddress;

/// A queue's details as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueForm {
    pub name: String,
    pub description: String,
    /// The address replies are sent from (and customers write to); may be blank.
    pub correspond_address: String,
    /// The address for internal comments by mail; may be blank.
    pub comment_address: String,
}

/// A queue's details, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueDetails {
    pub name: String,
    pub description: String,
    pub correspond_address: String,
    pub comment_address: String,
}

/// The longest description kept (RT's column holds 255).
const MAX_DESCRIPTION: usize = 255;

/// A description as kept: one line of at most 255 characters.
fn description(text: &str, errors: &mut FieldErrors) -> String {
    let description = super::one_line(text);
    if description.chars().count() > MAX_DESCRIPTION {
        errors.add(
            "description",
            format!("a description has at most {MAX_DESCRIPTION} characters"),
        );
    }
    description
}

/// An address as kept: blank, or one that parses.
fn address(field: &str, value: &str, errors: &mut FieldErrors) -> String {
    if value.trim().is_empty() {
        return String::new();
    }
    errors
        .take(field, EmailAddress::parse(value))
        .map(|e| e.to_string())
        .unwrap_or_default()
}

impl QueueForm {
    /// The checked details, or an error per field: a name of 1 to 64 characters without
    /// slashes or quotes (it appears in URLs and TicketSQL), addresses that parse.
    pub fn parse(&self) -> Result<QueueDetails, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = super::one_line(&self.name);
        if name.is_empty() || name.chars().count() > 64 || name.contains(['/', '\\', '\'', '"']) {
            errors.add(
                "name",
                "a queue has a name of 1 to 64 characters without slashes or quotes",
            );
        } else if name.chars().all(|c| c.is_ascii_digit()) {
            errors.add(
                "name",
                "a queue's name is not a number alone (a number names a queue by its id)",
            );
        }
        let description = description(&self.description, &mut errors);
        let correspond_address =
            address("correspond_address", &self.correspond_address, &mut errors);
        let comment_address = address("comment_address", &self.comment_address, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(QueueDetails {
            name,
            description,
            correspond_address,
            comment_address,
        })
    }
}

/// What a change to a queue asks for; `None` leaves a detail as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub correspond_address: Option<String>,
    pub comment_address: Option<String>,
    pub disabled: Option<bool>,
}

impl QueueChange {
    /// The queue's details after this change, checked. A queue keeps its name: tickets and
    /// their history name it, and RT's clients find it by it (a new name is refused, the same
    /// name in another case or spacing is no change).
    pub fn apply(&self, current: &QueueDetails) -> Result<QueueDetails, FieldErrors> {
        if let Some(name) = &self.name
            && !super::one_line(name).eq_ignore_ascii_case(&current.name)
        {
            let mut errors = FieldErrors::new();
            errors.add(
                "name",
                format!(
                    "a queue keeps its name (tickets and their history name it); \
                     make a new queue and move the tickets instead of renaming {}",
                    current.name
                ),
            );
            return Err(errors);
        }
        // Only what the change names is checked: a queue made before these rules (an RT
        // import) can still be changed or disabled.
        let mut errors = FieldErrors::new();
        let mut after = current.clone();
        if let Some(d) = &self.description {
            after.description = description(d, &mut errors);
        }
        if let Some(a) = &self.correspond_address {
            after.correspond_address = address("correspond_address", a, &mut errors);
        }
        if let Some(a) = &self.comment_address {
            after.comment_address = address("comment_address", a, &mut errors);
        }
        if errors.is_empty() {
            Ok(after)
        } else {
            Err(errors)
        }
    }

    /// Whether it asks for nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == QueueChange::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, correspond: &str) -> QueueForm {
        QueueForm {
            name: name.into(),
            description: " Backups\tand restores ".into(),
            correspond_address: correspond.into(),
            comment_address: String::new(),
        }
    }

    #[test]
    fn a_queue_form_is_checked_field_by_field() {
        let ok = form(" Backup ", "Backup@Example.com").parse().unwrap();
        assert_eq!(ok.name, "Backup");
        assert_eq!(ok.description, "Backups and restores");
        assert_eq!(ok.correspond_address, "Backup@example.com");
        assert_eq!(ok.comment_address, "");
        for bad in ["", "a/b", "it's", &"x".repeat(65), "  ", "2024"] {
            let e = form(bad, "").parse().unwrap_err();
            assert!(e.get("name").is_some(), "{bad:?} accepted");
        }
        let e = form("Backup", "not an address").parse().unwrap_err();
        assert!(e.get("correspond_address").is_some());
        assert!(e.get("name").is_none());
    }

    #[test]
    fn a_change_keeps_the_name_and_what_it_does_not_name() {
        let current = form("Backup", "backup@example.com").parse().unwrap();
        let change = QueueChange {
            description: Some("Restores".into()),
            name: Some("backup".into()),
            ..QueueChange::default()
        };
        let after = change.apply(&current).unwrap();
        assert_eq!(after.name, "Backup");
        assert_eq!(after.description, "Restores");
        assert_eq!(after.correspond_address, "backup@example.com");
        let rename = QueueChange {
            name: Some("Storage".into()),
            ..QueueChange::default()
        };
        assert!(rename.apply(&current).unwrap_err().get("name").is_some());
        let bad = QueueChange {
            comment_address: Some("nope".into()),
            ..QueueChange::default()
        };
        assert!(bad.apply(&current).is_err());
        assert!(QueueChange::default().is_empty());
        // What the change does not name stays as it is, even when today's rules refuse it.
        let imported = QueueDetails {
            name: "it's old".into(),
            description: "two\nlines".into(),
            correspond_address: "not an address".into(),
            comment_address: String::new(),
        };
        let off = QueueChange {
            disabled: Some(true),
            description: None,
            ..QueueChange::default()
        };
        assert_eq!(off.apply(&imported).unwrap(), imported);
        assert!(!bad.is_empty());
    }
}
