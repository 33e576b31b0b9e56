//! RT's field names and values as clients send them, turned into the core's changes: a new
//! ticket's fields (`creation`), a change of fields (`plan_update`), dates in RT's formats,
//! and RT's messages about what was done. Pure: no store, no clock.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use varde_core::ticket::history::{
    Change, Creation, TicketField, WatcherRole, set_field, set_owner, set_status, set_watchers,
};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, NOBODY, Ticket, TicketId};

/// A field as a client sent it: RT's name and the text value (lists comma-separated).
pub type Fields = Vec<(String, String)>;

pub(crate) fn get<'a>(fields: &'a Fields, names: &[&str]) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(_, v)| v.as_str())
}

fn addresses(value: &str) -> Vec<String> {
    value
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The custom field a key names: `CF.{Name}`, `CF.Name`, `CF-Name` or `CustomField.{Name}`.
pub fn custom_field_name(key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    for prefix in ["cf.", "cf-", "customfield.", "customfield-"] {
        if lower.starts_with(prefix) {
            let name = key[prefix.len()..]
                .trim_start_matches('{')
                .trim_end_matches('}');
            return (!name.is_empty()).then(|| name.to_string());
        }
    }
    None
}

/// A date as RT clients write it: ISO 8601, `YYYY-MM-DD HH:MM:SS` (UTC), RT's
/// `Mon Nov 23 00:42:34 2026`, or nothing (`Not set`, `0`, empty, RT's 1970 epoch).
pub fn parse_date(raw: &str) -> Result<Option<Timestamp>, String> {
    let s = raw.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("not set") || s == "0" || s.starts_with("1970-01-01")
    {
        return Ok(None);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(Some(t));
    }
    let utc = |dt: DateTime| {
        dt.to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    };
    if let Ok(dt) = s.replace(' ', "T").parse::<DateTime>() {
        return utc(dt).map(Some);
    }
    if let Ok(dt) = DateTime::strptime("%a %b %d %H:%M:%S %Y", s) {
        return utc(dt).map(Some);
    }
    Err(format!("'{s}' is not a date (use YYYY-MM-DD HH:MM:SS)"))
}

fn number(field: &str, raw: &str) -> Result<i64, String> {
    let s = raw
        .trim()
        .trim_end_matches(" minutes")
        .trim_end_matches(" min");
    if s.is_empty() {
        return Ok(0);
    }
    s.parse()
        .map_err(|_| format!("{field}: '{raw}' is not a whole number"))
}

fn owner_value(raw: &str) -> Option<String> {
    let s = raw.trim();
    (!s.is_empty() && !s.eq_ignore_ascii_case(NOBODY)).then(|| s.to_string())
}

/// The organisation a ticket from these requestors belongs to: the first requestor that is a
/// known contact decides; failing that, the first whose mail domain belongs to an organisation.
/// A new ticket from RT fields. `default_requestor` is the requestor when none is named.
pub fn creation(
    fields: &Fields,
    default_requestor: Option<&str>,
) -> Result<Creation, CreationError> {
    let invalid = CreationError::Invalid;
    let queue = get(fields, &["Queue"])
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or(CreationError::NoQueue)?
        .to_string();
    let status = match get(fields, &["Status"])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Status::New,
        Some(s) => {
            let st = Status::parse(s).map_err(|e| invalid(e.0))?;
            if !st.may_create_in() {
                return Err(invalid(format!("a ticket cannot be created {st}")));
            }
            st
        }
    };
    let mut requestors = addresses(get(fields, &["Requestor", "Requestors"]).unwrap_or(""));
    if requestors.is_empty()
        && let Some(r) = default_requestor
    {
        requestors.push(r.to_string());
    }
    let priority = number(
        "Priority",
        get(fields, &["InitialPriority", "Priority"]).unwrap_or("0"),
    )
    .map_err(invalid)?;
    let mut custom_fields = BTreeMap::new();
    for (k, v) in fields {
        if let Some(name) = custom_field_name(k) {
            let values: Vec<String> = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if !values.is_empty() {
                custom_fields.insert(name, values);
            }
        }
    }
    Ok(Creation {
        queue,
        subject: get(fields, &["Subject"]).unwrap_or("").trim().to_string(),
        status,
        owner: get(fields, &["Owner"]).and_then(owner_value),
        requestors,
        cc: addresses(get(fields, &["Cc"]).unwrap_or("")),
        admin_cc: addresses(get(fields, &["AdminCc"]).unwrap_or("")),
        priority,
        final_priority: number(
            "FinalPriority",
            get(fields, &["FinalPriority"]).unwrap_or("0"),
        )
        .map_err(invalid)?,
        time_estimated: number(
            "TimeEstimated",
            get(fields, &["TimeEstimated"]).unwrap_or("0"),
        )
        .map_err(invalid)?,
        time_left: number("TimeLeft", get(fields, &["TimeLeft"]).unwrap_or("0"))
            .map_err(invalid)?,
        due: parse_date(get(fields, &["Due"]).unwrap_or("")).map_err(invalid)?,
        starts: parse_date(get(fields, &["Starts"]).unwrap_or("")).map_err(invalid)?,
        custom_fields,
        organization: None,
    })
}

/// Why RT fields do not make a new ticket.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreationError {
    /// No queue was named (RT's words).
    #[error("Queue not set")]
    NoQueue,
    /// A field's value cannot be read; the message says which and why.
    #[error("{0}")]
    Invalid(String),
}

/// The changes that set RT fields on a ticket. Unknown fields are refused, so that a typo is
/// never silently ignored; fields that already have the value change nothing.
pub fn plan_update(t: &Ticket, fields: &Fields) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    for (key, value) in fields {
        let k = key.trim();
        if let Some(name) = custom_field_name(k) {
            let to: Vec<String> = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let from = t.custom_fields.get(&name).cloned().unwrap_or_default();
            if from != to {
                changes.push(Change::CustomField { name, from, to });
            }
            continue;
        }
        if let Some(kind) = LinkKind::parse(k) {
            for target in addresses(value) {
                let id: i64 = target
                    .trim_start_matches("ticket/")
                    .trim_start_matches("fsck.com-rt://")
                    .parse()
                    .map_err(|_| format!("{k}: '{target}' is not a ticket number"))?;
                if !t.links.contains(&(kind, TicketId(id))) {
                    changes.push(Change::AddLink {
                        kind,
                        target: TicketId(id),
                    });
                }
            }
            continue;
        }
        match k.to_ascii_lowercase().as_str() {
            "id" | "ticket" | "action" | "text" | "content" | "contenttype" | "attachment"
            | "type" | "creator" | "created" | "lastupdated" | "resolved" | "initialpriority" => {}
            "status" => changes.extend(set_status(t, Status::parse(value).map_err(|e| e.0)?)),
            "owner" => changes.extend(set_owner(t, owner_value(value))),
            "requestor" | "requestors" => {
                changes.extend(set_watchers(t, WatcherRole::Requestor, &addresses(value)))
            }
            "cc" => changes.extend(set_watchers(t, WatcherRole::Cc, &addresses(value))),
            "admincc" => changes.extend(set_watchers(t, WatcherRole::AdminCc, &addresses(value))),
            "customfields" => {}
            other => {
                let field =
                    TicketField::parse(other).ok_or_else(|| format!("unknown field '{k}'"))?;
                let to = if field.is_date() {
                    parse_date(value)?
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                } else if field == TicketField::Subject || field == TicketField::Queue {
                    value.trim().to_string()
                } else {
                    number(k, value)?.to_string()
                };
                if field == TicketField::Queue && to.is_empty() {
                    return Err("Queue cannot be empty".into());
                }
                changes.extend(set_field(t, field, to));
            }
        }
    }
    Ok(changes)
}

/// RT's message for each change, prefixed with the ticket number as REST2 answers a PUT.
pub fn messages(id: TicketId, changes: &[Change], creator: &str) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("Ticket {id}: {}", c.describe(creator)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_clients_send_them() {
        let want: Timestamp = "2026-11-23T00:42:34Z".parse().unwrap();
        for s in [
            "2026-11-23T00:42:34Z",
            "2026-11-23 00:42:34",
            "Mon Nov 23 00:42:34 2026",
        ] {
            assert_eq!(parse_date(s), Ok(Some(want)), "{s}");
        }
        for s in ["", "Not set", "1970-01-01T00:00:00Z", "0"] {
            assert_eq!(parse_date(s), Ok(None), "{s}");
        }
        assert!(parse_date("next week").is_err());
    }

    #[test]
    fn custom_field_spellings() {
        for k in ["CF.{Site}", "CF.Site", "CF-Site", "CustomField.{Site}"] {
            assert_eq!(custom_field_name(k).as_deref(), Some("Site"), "{k}");
        }
        assert_eq!(custom_field_name("Subject"), None);
    }

    #[test]
    fn creation_defaults_and_refusals() {
        let f: Fields = vec![
            ("Queue".into(), "General".into()),
            ("Subject".into(), "Hi".into()),
            ("CF.{Site}".into(), "se-sto1".into()),
        ];
        let c = creation(&f, Some("root@example.com")).unwrap();
        assert_eq!(c.requestors, ["root@example.com"]);
        assert_eq!(c.status, Status::New);
        assert_eq!(c.custom_fields["Site"], ["se-sto1"]);
        assert_eq!(
            creation(&vec![("Subject".into(), "x".into())], Some("a@b.se")).unwrap_err(),
            CreationError::NoQueue
        );
        let f: Fields = vec![
            ("Queue".into(), "General".into()),
            ("Status".into(), "stalled".into()),
        ];
        assert!(creation(&f, Some("a@b.se")).is_err());
    }
}
