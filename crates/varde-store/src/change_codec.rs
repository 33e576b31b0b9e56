//! How a transaction's change is stored: JSON in the `change` column, so that a ticket can be
//! replayed exactly from its rows. (The core's types know nothing of JSON.)

use std::collections::BTreeMap;

use serde_json::{Value, json};
use varde_core::ids::OrganizationId;
use varde_core::ticket::history::{Change, Creation, TicketField, WatcherRole};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, TicketId};

use crate::{Result, StoreError};

fn role(r: WatcherRole) -> &'static str {
    r.name()
}

fn parse_role(s: &str) -> Option<WatcherRole> {
    [
        WatcherRole::Requestor,
        WatcherRole::Cc,
        WatcherRole::AdminCc,
    ]
    .into_iter()
    .find(|r| r.name() == s)
}

fn time(t: Option<jiff::Timestamp>) -> Value {
    t.map(|t| Value::String(t.to_string()))
        .unwrap_or(Value::Null)
}

pub(crate) fn encode(c: &Change) -> String {
    let v = match c {
        Change::Create(c) => json!({
            "kind": "create", "queue": c.queue, "subject": c.subject, "status": c.status.code(), "owner": c.owner,
            "requestors": c.requestors, "cc": c.cc, "admin_cc": c.admin_cc, "priority": c.priority,
            "final_priority": c.final_priority, "time_estimated": c.time_estimated, "time_left": c.time_left,
            "due": time(c.due), "starts": time(c.starts), "custom_fields": c.custom_fields,
            "organization": c.organization.map(|o| o.0),
        }),
        Change::Correspond => json!({"kind": "correspond"}),
        Change::Comment => json!({"kind": "comment"}),
        Change::PhoneCall { caller, minutes } => {
            json!({"kind": "phone_call", "caller": caller, "minutes": minutes})
        }
        Change::Status { from, to } => {
            json!({"kind": "status", "from": from.code(), "to": to.code()})
        }
        Change::Owner { from, to } => json!({"kind": "owner", "from": from, "to": to}),
        Change::Set { field, from, to } => {
            json!({"kind": "set", "field": field.name(), "from": from, "to": to})
        }
        Change::CustomField { name, from, to } => {
            json!({"kind": "custom_field", "name": name, "from": from, "to": to})
        }
        Change::AddWatcher { role: r, address } => {
            json!({"kind": "add_watcher", "role": role(*r), "address": address})
        }
        Change::DelWatcher { role: r, address } => {
            json!({"kind": "del_watcher", "role": role(*r), "address": address})
        }
        Change::AddLink { kind, target } => {
            json!({"kind": "add_link", "link": kind.name(), "target": target.0})
        }
        Change::DeleteLink { kind, target } => {
            json!({"kind": "delete_link", "link": kind.name(), "target": target.0})
        }
        Change::MergedInto { into } => json!({"kind": "merged_into", "into": into.0}),
        Change::Merged { from } => json!({"kind": "merged", "from": from.0}),
        Change::EmailRecord => json!({"kind": "email_record"}),
        Change::Organization { from, to } => {
            json!({"kind": "organization", "from": from.map(|o| o.0), "to": to.map(|o| o.0)})
        }
    };
    v.to_string()
}

fn bad(what: &str) -> StoreError {
    StoreError::Corrupt(format!("stored transaction change: {what}"))
}

fn s(v: &Value, k: &str) -> Result<String> {
    v[k].as_str().map(str::to_string).ok_or_else(|| bad(k))
}

fn opt_s(v: &Value, k: &str) -> Option<String> {
    v[k].as_str().map(str::to_string)
}

fn i(v: &Value, k: &str) -> Result<i64> {
    v[k].as_i64().ok_or_else(|| bad(k))
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    v[k].as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn status(v: &Value, k: &str) -> Result<Status> {
    Status::parse(&s(v, k)?).map_err(|_| bad(k))
}

fn opt_time(v: &Value, k: &str) -> Result<Option<jiff::Timestamp>> {
    match v[k].as_str() {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| bad(k)),
    }
}

fn link(v: &Value) -> Result<LinkKind> {
    LinkKind::parse(&s(v, "link")?).ok_or_else(|| bad("link"))
}

pub(crate) fn decode(text: &str) -> Result<Change> {
    let v: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    Ok(match v["kind"].as_str().unwrap_or_default() {
        "create" => {
            let custom_fields: BTreeMap<String, Vec<String>> = v["custom_fields"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, x)| {
                            (
                                k.clone(),
                                x.as_array()
                                    .map(|a| {
                                        a.iter()
                                            .filter_map(|y| y.as_str().map(str::to_string))
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            Change::Create(Box::new(Creation {
                queue: s(&v, "queue")?,
                subject: s(&v, "subject")?,
                status: status(&v, "status")?,
                owner: opt_s(&v, "owner"),
                requestors: strings(&v, "requestors"),
                cc: strings(&v, "cc"),
                admin_cc: strings(&v, "admin_cc"),
                priority: i(&v, "priority")?,
                final_priority: i(&v, "final_priority")?,
                time_estimated: i(&v, "time_estimated")?,
                time_left: i(&v, "time_left")?,
                due: opt_time(&v, "due")?,
                starts: opt_time(&v, "starts")?,
                custom_fields,
                organization: v["organization"].as_i64().map(OrganizationId),
            }))
        }
        "correspond" => Change::Correspond,
        "comment" => Change::Comment,
        "phone_call" => Change::PhoneCall {
            caller: s(&v, "caller")?,
            minutes: i(&v, "minutes")?,
        },
        "status" => Change::Status {
            from: status(&v, "from")?,
            to: status(&v, "to")?,
        },
        "owner" => Change::Owner {
            from: opt_s(&v, "from"),
            to: opt_s(&v, "to"),
        },
        "set" => Change::Set {
            field: TicketField::parse(&s(&v, "field")?).ok_or_else(|| bad("field"))?,
            from: s(&v, "from")?,
            to: s(&v, "to")?,
        },
        "custom_field" => Change::CustomField {
            name: s(&v, "name")?,
            from: strings(&v, "from"),
            to: strings(&v, "to"),
        },
        "add_watcher" => Change::AddWatcher {
            role: parse_role(&s(&v, "role")?).ok_or_else(|| bad("role"))?,
            address: s(&v, "address")?,
        },
        "del_watcher" => Change::DelWatcher {
            role: parse_role(&s(&v, "role")?).ok_or_else(|| bad("role"))?,
            address: s(&v, "address")?,
        },
        "add_link" => Change::AddLink {
            kind: link(&v)?,
            target: TicketId(i(&v, "target")?),
        },
        "delete_link" => Change::DeleteLink {
            kind: link(&v)?,
            target: TicketId(i(&v, "target")?),
        },
        "merged_into" => Change::MergedInto {
            into: TicketId(i(&v, "into")?),
        },
        "merged" => Change::Merged {
            from: TicketId(i(&v, "from")?),
        },
        "email_record" => Change::EmailRecord,
        "organization" => Change::Organization {
            from: v["from"].as_i64().map(OrganizationId),
            to: v["to"].as_i64().map(OrganizationId),
        },
        other => return Err(bad(&format!("unknown kind '{other}'"))),
    })
}
