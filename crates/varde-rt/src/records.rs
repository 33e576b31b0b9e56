//! RT's user and queue records as its clients write them: REST 1.0's `user/…` and `queue/…`
//! forms (`rt create -t user`, `rt edit queue/…`, python `rt.rest1`) and REST2's JSON
//! (python `rt.rest2`). Which of RT's fields Varde keeps, what a client asks of each, and
//! RT's words for fields it does not know (its `Forms/user/default`, `Forms/queue/default`).

/// The fields of RT's user form, in its order.
pub const USER_FIELDS: [&str; 22] = [
    "Name",
    "EmailAddress",
    "RealName",
    "NickName",
    "Gecos",
    "Organization",
    "Address1",
    "Address2",
    "City",
    "State",
    "Zip",
    "Country",
    "HomePhone",
    "WorkPhone",
    "MobilePhone",
    "PagerPhone",
    "FreeformContactInfo",
    "Comments",
    "Signature",
    "Lang",
    "Privileged",
    "Disabled",
];

/// The fields of RT's queue form, in its order.
pub const QUEUE_FIELDS: [&str; 6] = [
    "Name",
    "Description",
    "CorrespondAddress",
    "CommentAddress",
    "Disabled",
    "SLADisabled",
];

/// What an RT client asks of a user; `None` leaves a detail as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserEdit {
    /// RT's `Name`: the login name (or the address).
    pub name: Option<String>,
    pub email: Option<String>,
    pub real_name: Option<String>,
    pub password: Option<String>,
    pub privileged: Option<bool>,
    pub disabled: Option<bool>,
}

/// What an RT client asks of a queue; `None` leaves a detail as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub correspond_address: Option<String>,
    pub comment_address: Option<String>,
    pub disabled: Option<bool>,
}

/// A field of a request that was not taken: its name as sent, lower-cased as RT prints it,
/// and why, in RT's words where RT has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotTaken {
    pub field: String,
    pub why: String,
}

fn flag(key: &str, value: &str, problems: &mut Vec<NotTaken>) -> Option<bool> {
    match value.trim() {
        "" => None,
        "0" => Some(false),
        "1" => Some(true),
        other => {
            problems.push(NotTaken {
                field: key.to_lowercase(),
                why: format!("'{other}' is not 0 or 1."),
            });
            None
        }
    }
}

/// RT's spelling of a field its form knows, matched in any case.
pub fn form_field(fields: &[&'static str], key: &str) -> Option<&'static str> {
    let key = key.trim();
    if key.eq_ignore_ascii_case("ContactInfo") && fields.contains(&"FreeformContactInfo") {
        return Some("FreeformContactInfo");
    }
    fields.iter().copied().find(|f| f.eq_ignore_ascii_case(key))
}

/// A user's fields as sent, read: what Varde keeps goes into the edit; a field RT's form
/// does not know is `Unknown field.`, as RT answers; one RT knows and Varde keeps nowhere
/// (a city, a pager) is named rather than silently dropped, unless it is blank (the CLI
/// sends the whole form back after `$EDITOR`). A password of stars is no change, as in RT.
pub fn user_edit(pairs: &[(String, String)]) -> (UserEdit, Vec<NotTaken>) {
    let mut edit = UserEdit::default();
    let mut problems = Vec::new();
    for (key, value) in pairs {
        let set = |slot: &mut Option<String>| *slot = Some(value.trim().to_string());
        match form_field(&USER_FIELDS, key).or_else(|| {
            key.trim()
                .eq_ignore_ascii_case("Password")
                .then_some("Password")
        }) {
            Some("Name") => set(&mut edit.name),
            Some("EmailAddress") => set(&mut edit.email),
            Some("RealName") => set(&mut edit.real_name),
            Some("Password") if !value.trim().chars().all(|c| c == '*') => {
                edit.password = Some(value.clone());
            }
            Some("Password") => {}
            Some("Privileged") => edit.privileged = flag(key, value, &mut problems),
            Some("Disabled") => edit.disabled = flag(key, value, &mut problems),
            Some(_) if value.trim().is_empty() => {}
            Some(field) => problems.push(NotTaken {
                field: key.to_lowercase(),
                why: format!("Varde keeps no {field} for users."),
            }),
            None if key.trim().eq_ignore_ascii_case("id") => {}
            None => problems.push(NotTaken {
                field: key.to_lowercase(),
                why: "Unknown field.".into(),
            }),
        }
    }
    (edit, problems)
}

/// A queue's fields as sent, read as [`user_edit`] reads a user's. Every Varde queue is held
/// to the support tiers' SLA policies, so `SLADisabled: 1` is named, not taken.
pub fn queue_edit(pairs: &[(String, String)]) -> (QueueEdit, Vec<NotTaken>) {
    let mut edit = QueueEdit::default();
    let mut problems = Vec::new();
    for (key, value) in pairs {
        let set = |slot: &mut Option<String>| *slot = Some(value.trim().to_string());
        match form_field(&QUEUE_FIELDS, key) {
            Some("Name") => set(&mut edit.name),
            Some("Description") => set(&mut edit.description),
            Some("CorrespondAddress") => set(&mut edit.correspond_address),
            Some("CommentAddress") => set(&mut edit.comment_address),
            Some("Disabled") => edit.disabled = flag(key, value, &mut problems),
            Some(_) if flag(key, value, &mut problems) == Some(true) => problems.push(NotTaken {
                field: key.to_lowercase(),
                why: "Varde holds every queue to the support tiers' SLA policies.".into(),
            }),
            Some(_) => {}
            None if key.trim().eq_ignore_ascii_case("id") => {}
            None => problems.push(NotTaken {
                field: key.to_lowercase(),
                why: "Unknown field.".into(),
            }),
        }
    }
    (edit, problems)
}

/// The form RT prints back after a field it could not take (`409 Syntax Error`): the id,
/// then each of the form's fields with the value sent under RT's exact spelling.
pub fn form_again(fields: &[&str], id: &str, sent: &[(String, String)]) -> String {
    let mut lines = vec![format!("id: {id}")];
    for f in fields {
        let value = sent.iter().find(|(k, _)| k == f).map_or("", |(_, v)| v);
        lines.push(format!("{f}: {value}"));
    }
    lines.join("\n")
}

/// A user as REST 1.0 shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownUser {
    /// The account's number, or the address of a requestor without one.
    pub id: String,
    /// RT's `Name`: the login name, or the address.
    pub name: String,
    pub email: String,
    pub real_name: String,
    pub privileged: bool,
    pub disabled: bool,
}

/// `user/<id>` as RT's `Forms/user/default` gives it: the id, the password hidden, then the
/// fields that have a value (every field of RT's form with `format=l`; RT leaves
/// `Privileged` empty for an unprivileged user).
pub fn show_user(u: &ShownUser, long: bool) -> String {
    let mut lines = vec![format!("id: user/{}", u.id), "Password: ********".into()];
    for field in USER_FIELDS {
        let value = match field {
            "Name" => u.name.clone(),
            "EmailAddress" => u.email.clone(),
            "RealName" => u.real_name.clone(),
            "Privileged" if u.privileged => "1".into(),
            "Disabled" => u8::from(u.disabled).to_string(),
            _ => String::new(),
        };
        if long || !value.is_empty() {
            let field = if field == "FreeformContactInfo" {
                "ContactInfo"
            } else {
                field
            };
            lines.push(format!("{field}: {value}"));
        }
    }
    lines.join("\n")
}

/// What `show user/new` gives: RT's template for a new user.
pub const USER_TEMPLATE: &str = "# Required: Name, EmailAddress\n\nid: user/new\nName: \nEmailAddress: \nOrganization: \nPassword: \nComments: ";

/// What `show queue/new` gives: RT's template for a new queue, but for `SLADisabled: 0`
/// (RT starts a queue without SLA; every Varde queue has the support tiers' policies, and the
/// CLI sends the template back as it got it).
pub const QUEUE_TEMPLATE: &str = "# Required: Name\n\nid: queue/new\nName: <queue name>\nDescription: \nCorrespondAddress: \nCommentAddress: \nDisabled: \nSLADisabled: 0";

/// `queue/<id>/ticketcustomfields`: the custom fields a queue's tickets may carry, as RT's
/// `Forms/queue/ticketcustomfields` lists them; with `format=l` each says what it takes
/// (every Varde field takes several values; one with a list of values is RT's `Select`).
pub fn ticket_custom_fields(queue_id: i64, fields: &[(String, bool)], long: bool) -> String {
    let mut lines = vec![format!("id: queue/{queue_id}")];
    for (name, select) in fields {
        lines.push(if long {
            let kind = if *select { "Select" } else { "Freeform" };
            format!("{name} (): MultiValue{kind}")
        } else {
            format!("{name}: ")
        });
    }
    lines.join("\n")
}

/// Splits text into words as Perl's `shellwords` does: quotes group, a backslash escapes.
fn shell_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') => word.get_or_insert_default().extend(chars.next()),
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, c) if c.is_whitespace() => out.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    out.extend(word);
    out
}

/// The one condition of REST 1.0's `search/user` or `search/queue` (`Name like 'b'`), as
/// RT's `search/dhandler` reads it: field, operator and value split as shell words, the
/// field one of `fields` (or `Disabled`), in RT's words when it is not.
pub fn record_condition(query: &str, fields: &[&str]) -> Result<crate::json_query::Limit, String> {
    use crate::json_query::{Limit, Operator};
    let words = shell_words(query);
    let field = words.first().cloned().unwrap_or_default();
    let op_text = words.get(1).cloned().unwrap_or_default();
    let op = match op_text.to_ascii_uppercase().as_str() {
        "MATCHES" => Some(Operator::Like),
        "==" => None,
        other => Operator::parse(other),
    }
    .ok_or_else(|| format!("Invalid operator specification: {op_text}"))?;
    let Some(field) = fields
        .iter()
        .chain(&["Disabled"])
        .find(|f| f.eq_ignore_ascii_case(&field))
    else {
        return Err(format!("Invalid field specification: {field}"));
    };
    let value = words
        .get(2)
        .cloned()
        .ok_or_else(|| format!("Invalid query specification: {query}"))?;
    Ok(Limit {
        field: field.to_string(),
        operator: op,
        value: Some(value),
        case_sensitive: false,
        and: false,
    })
}

/// RT's words for a field's change (`RealName changed from 'Carol' to 'Carol C'`): users'
/// values in single quotes, queues' in double, as RT 5.0.3 writes them; a blank old value is
/// `(no value)`.
pub fn changed(field: &str, old: &str, new: &str, quote: char) -> String {
    let old = if old.is_empty() {
        "(no value)".to_string()
    } else {
        format!("{quote}{old}{quote}")
    };
    format!("{field} changed from {old} to {quote}{new}{quote}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_user_form_is_read_as_rt_reads_it() {
        let (edit, problems) = user_edit(&pairs(&[
            ("id", "user/new"),
            ("name", "alice"),
            ("EmailAddress", " alice@example.com "),
            ("RealName", "Alice A"),
            ("Password", "********"),
            ("Privileged", "1"),
            ("City", ""),
            ("FavouriteColour", "blue"),
            ("PagerPhone", "555"),
            ("Disabled", "maybe"),
        ]));
        assert_eq!(edit.name.as_deref(), Some("alice"));
        assert_eq!(edit.email.as_deref(), Some("alice@example.com"));
        assert_eq!(edit.password, None);
        assert_eq!(edit.privileged, Some(true));
        assert_eq!(edit.disabled, None);
        let named: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.why.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("favouritecolour", "Unknown field."),
                ("pagerphone", "Varde keeps no PagerPhone for users."),
                ("disabled", "'maybe' is not 0 or 1."),
            ]
        );
        let (edit, _) = user_edit(&pairs(&[("password", "s3cret-long-enough")]));
        assert_eq!(edit.password.as_deref(), Some("s3cret-long-enough"));
    }

    #[test]
    fn a_queue_form_is_read_as_rt_reads_it() {
        let (edit, problems) = queue_edit(&pairs(&[
            ("Name", "Backup"),
            ("description", "Backups"),
            ("Disabled", "0"),
            ("SLADisabled", "0"),
        ]));
        assert_eq!(edit.description.as_deref(), Some("Backups"));
        assert_eq!(edit.disabled, Some(false));
        assert!(problems.is_empty());
        let (_, problems) = queue_edit(&pairs(&[("SLADisabled", "1"), ("Colour", "x")]));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[1].why, "Unknown field.");
    }

    #[test]
    fn the_form_comes_back_with_what_was_sent_under_rt_spelling() {
        let sent = pairs(&[
            ("id", "queue/Backup"),
            ("Description", "x"),
            ("colour", "y"),
        ]);
        assert_eq!(
            form_again(&QUEUE_FIELDS, "queue/Backup", &sent),
            "id: queue/Backup\nName: \nDescription: x\nCorrespondAddress: \nCommentAddress: \nDisabled: \nSLADisabled: "
        );
    }

    #[test]
    fn a_user_is_shown_as_rt_shows_it() {
        let mut u = ShownUser {
            id: "293".into(),
            name: "alice".into(),
            email: "alice@example.com".into(),
            real_name: "Alice B".into(),
            privileged: true,
            disabled: false,
        };
        assert_eq!(
            show_user(&u, false),
            "id: user/293\nPassword: ********\nName: alice\nEmailAddress: alice@example.com\nRealName: Alice B\nPrivileged: 1\nDisabled: 0"
        );
        u.privileged = false;
        let long = show_user(&u, true);
        assert!(long.contains("\nNickName: \n"));
        assert!(long.contains("\nContactInfo: \n"));
        assert!(long.ends_with("Lang: \nPrivileged: \nDisabled: 0"));
    }

    #[test]
    fn a_queues_ticket_custom_fields_are_listed_as_rt_lists_them() {
        let f = [("Site".to_string(), true), ("Note".to_string(), false)];
        assert_eq!(
            ticket_custom_fields(1, &f, false),
            "id: queue/1\nSite: \nNote: "
        );
        assert_eq!(
            ticket_custom_fields(1, &f, true),
            "id: queue/1\nSite (): MultiValueSelect\nNote (): MultiValueFreeform"
        );
    }

    #[test]
    fn a_record_search_is_one_condition_in_shell_words() {
        let l = record_condition("Name like 'b o'", &USER_FIELDS).unwrap();
        assert_eq!(
            (l.field.as_str(), l.value.as_deref()),
            ("Name", Some("b o"))
        );
        assert_eq!(l.operator, crate::json_query::Operator::Like);
        let l = record_condition("disabled = 1", &USER_FIELDS).unwrap();
        assert_eq!(l.field, "Disabled");
        assert_eq!(
            record_condition("Name frob x", &USER_FIELDS).unwrap_err(),
            "Invalid operator specification: frob"
        );
        assert_eq!(
            record_condition("Password = x", &USER_FIELDS).unwrap_err(),
            "Invalid field specification: Password"
        );
        assert_eq!(
            record_condition("Disabled=1", &USER_FIELDS).unwrap_err(),
            "Invalid operator specification: "
        );
        assert!(record_condition("Name =", &USER_FIELDS).is_err());
    }
}
