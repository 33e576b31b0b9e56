//! A transaction's `Description` as RT 5.0.3's REST APIs give it: RT's `BriefDescription`
//! (`lib/RT/Transaction.pm`, `%_BriefDescriptions`) followed by ` by ` and who made it
//! (`Transaction::Description`).
//!
//! Varde names people by address: the creator is its address, and a user in the text as
//! RT's `UsernameFormat` "role" writes one ([`user`]: `carol@customer.example`'s contact as
//! `Carol Kund <carol@customer.example>`, a staff account as `alice@example.com (Alice)`),
//! with what the caller knows of them; a linked ticket as RT's `URI::fsck_com_rt::AsString`
//! writes it (`#31: Disk full`), with the subject the caller looks up.

use jiff::Timestamp;
use varde_core::ticket::history::{Change, TicketField, Transaction};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, NOBODY, TicketId};

use crate::rest1::date;

/// What a description needs to know beyond the transaction: a ticket's subject (empty when
/// unknown), and how to write a person named by address.
pub struct Names<'a> {
    pub subject: &'a dyn Fn(TicketId) -> String,
    pub user: &'a dyn Fn(&str) -> String,
}

/// RT's `Description` of `tx`.
pub fn description(tx: &Transaction, names: &Names) -> String {
    format!("{} by {}", brief(tx, names), tx.creator)
}

/// RT's `BriefDescription` of `tx`.
pub fn brief(tx: &Transaction, names: &Names) -> String {
    let (subject, user) = (names.subject, names.user);
    let ticket = |n: TicketId| format!("#{n}: {}", subject(n));
    match &tx.change {
        Change::Create(_) => "Ticket created".into(),
        Change::Correspond => "Correspondence added".into(),
        Change::Comment => "Comments added".into(),
        Change::PhoneCall { caller, minutes } => {
            format!("Phone call with {caller} ({minutes} min) logged")
        }
        Change::Status {
            to: Status::Deleted,
            ..
        } => "Ticket deleted".into(),
        Change::Status { from, to } => {
            format!("Status changed from '{}' to '{}'", from.code(), to.code())
        }
        Change::Owner { from, to } => owner(from.as_deref(), to.as_deref(), &tx.creator, user),
        Change::Set { field, from, to } => set(*field, from, to),
        Change::CustomField { name, from, to } => {
            let (old, new) = (from.join(", "), to.join(", "));
            match (old.is_empty(), new.is_empty()) {
                (true, _) => format!("{name} {new} added"),
                (false, true) => format!("{name} {old} deleted"),
                (false, false) => format!("{name} {old} changed to {new}"),
            }
        }
        Change::AddWatcher { role, address } => format!("{} {} added", role.name(), user(address)),
        Change::DelWatcher { role, address } => {
            format!("{} {} deleted", role.name(), user(address))
        }
        Change::AddLink { kind, target } => format!("{} {} added", link(*kind), ticket(*target)),
        Change::DeleteLink { kind, target } => {
            format!("{} {} deleted", link(*kind), ticket(*target))
        }
        Change::MergedInto { into } => format!("Merged into {}", ticket(*into)),
        // RT records the merge on the surviving ticket as an AddLink MergedInto itself.
        Change::Merged { .. } => format!("Merged into {}", ticket(tx.ticket)),
        Change::EmailRecord => "Outgoing email recorded".into(),
        Change::Organization { .. } => "Organization changed".into(),
    }
}

/// A user as RT's `UsernameFormat` "role" writes one: a privileged user as its name and its
/// real name (`alice@example.com (Alice)`), anyone else as its real name and address
/// (`Carol Kund <carol@customer.example>`, `<carol@customer.example>` without a real name);
/// RT's own users (`RT_System`, `Nobody`) by name.
pub fn user(address: &str, real_name: &str, privileged: bool) -> String {
    let real_name = real_name.trim();
    match (address.contains('@'), privileged, real_name.is_empty()) {
        (false, ..) => address.to_string(),
        (true, true, true) => address.to_string(),
        (true, true, false) if real_name.eq_ignore_ascii_case(address) => address.to_string(),
        (true, true, false) => format!("{address} ({real_name})"),
        (true, false, true) => format!("<{address}>"),
        (true, false, false) => format!("{real_name} <{address}>"),
    }
}

fn link(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::DependsOn => "Dependency on",
        LinkKind::DependedOnBy => "Dependency by",
        LinkKind::RefersTo => "Reference to",
        LinkKind::ReferredToBy => "Reference by",
        LinkKind::MemberOf => "Membership in",
        LinkKind::Members => "Member",
    }
}

/// RT's `Set` of `Owner`, told apart by who made it.
fn owner(
    from: Option<&str>,
    to: Option<&str>,
    creator: &str,
    user: &dyn Fn(&str) -> String,
) -> String {
    let name = |o: Option<&str>| o.map_or_else(|| NOBODY.to_string(), user);
    match (from, to) {
        (None, Some(t)) if t == creator => "Taken".into(),
        (None, _) => format!("Given to {}", name(to)),
        (Some(_), Some(t)) if t == creator => format!("Stolen from {}", name(from)),
        (Some(f), None) if f == creator => "Untaken".into(),
        (Some(f), _) if f == creator => format!("Given to {}", name(to)),
        _ => format!("Owner forcibly changed from {} to {}", name(from), name(to)),
    }
}

fn set(field: TicketField, from: &str, to: &str) -> String {
    let quoted = |v: &str| {
        if v.is_empty() {
            "(no value)".to_string()
        } else {
            format!("'{v}'")
        }
    };
    let name = field.name();
    match field {
        TicketField::Queue => format!("Queue changed from {from} to {to}"),
        TicketField::TimeWorked => {
            let minutes = number(to) - number(from);
            let quant = |n: String, one: &str, many: &str| {
                format!("{n} {}", if n == "1" { one } else { many })
            };
            if minutes < 0 {
                format!(
                    "Adjusted time worked by {}",
                    quant(minutes.to_string(), "minute", "minutes")
                )
            } else if minutes < 60 {
                format!("Worked {}", quant(minutes.to_string(), "minute", "minutes"))
            } else {
                format!(
                    "Worked {} ({})",
                    quant(format!("{:.2}", minutes as f64 / 60.0), "hour", "hours"),
                    quant(minutes.to_string(), "minute", "minutes")
                )
            }
        }
        // RT 5's $EnablePriorityAsString, with its default Low 0, Medium 50, High 100
        TicketField::Priority | TicketField::FinalPriority => {
            format!(
                "{name} changed from '{}' to '{}'",
                priority(from),
                priority(to)
            )
        }
        f if f.is_date() => {
            let when = |v: &str| date(v.parse::<Timestamp>().ok());
            format!("{name} changed from {} to {}", when(from), when(to))
        }
        _ => format!("{name} changed from {} to {}", quoted(from), quoted(to)),
    }
}

/// A value as Perl's numeric context reads it: its leading integer (`10 minutes` is 10), else 0.
fn number(v: &str) -> i64 {
    let v = v.trim_start();
    let end = v
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || i == 0 && (c == '-' || c == '+')))
        .map_or(v.len(), |(i, _)| i);
    v[..end].parse().unwrap_or(0)
}

/// RT 5's `_PriorityAsString` with its default `%PriorityAsString`.
fn priority(v: &str) -> &str {
    match v.trim().parse::<i64>() {
        Ok(n) if n >= 100 => "High",
        Ok(n) if n >= 50 => "Medium",
        Ok(n) if n >= 0 => "Low",
        Ok(_) => "unknown",
        Err(_) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use varde_core::ticket::history::WatcherRole;

    fn tx(change: Change, creator: &str) -> Transaction {
        Transaction {
            id: 1,
            ticket: TicketId(31),
            at: Timestamp::UNIX_EPOCH,
            creator: creator.into(),
            time_taken: 0,
            change,
        }
    }

    fn described(change: Change, creator: &str) -> String {
        let names = Names {
            subject: &|n| format!("subject of {n}"),
            user: &|a| user(a, "", a == "alice@example.com"),
        };
        description(&tx(change, creator), &names)
    }

    #[test]
    fn descriptions_are_rts() {
        let root = "root@localhost";
        let cases = [
            (
                Change::EmailRecord,
                "RT_System",
                "Outgoing email recorded by RT_System",
            ),
            (
                Change::Status {
                    from: Status::New,
                    to: Status::Open,
                },
                root,
                "Status changed from 'new' to 'open' by root@localhost",
            ),
            (
                Change::Owner {
                    from: None,
                    to: Some(root.into()),
                },
                root,
                "Taken by root@localhost",
            ),
            (
                Change::Owner {
                    from: None,
                    to: Some("alice@example.com".into()),
                },
                root,
                "Given to alice@example.com by root@localhost",
            ),
            (
                Change::Owner {
                    from: Some(root.into()),
                    to: None,
                },
                root,
                "Untaken by root@localhost",
            ),
            (
                Change::AddWatcher {
                    role: WatcherRole::Cc,
                    address: "boss@customer.example".into(),
                },
                root,
                "Cc <boss@customer.example> added by root@localhost",
            ),
            (
                Change::Set {
                    field: TicketField::TimeWorked,
                    from: "0".into(),
                    to: "10".into(),
                },
                root,
                "Worked 10 minutes by root@localhost",
            ),
            (
                // as RT records the CLI's `set TimeWorked`: 10 → "10 minutes"
                Change::Set {
                    field: TicketField::TimeWorked,
                    from: "10".into(),
                    to: "10 minutes".into(),
                },
                root,
                "Worked 0 minutes by root@localhost",
            ),
            (
                Change::Set {
                    field: TicketField::TimeWorked,
                    from: "10".into(),
                    to: "100".into(),
                },
                root,
                "Worked 1.50 hours (90 minutes) by root@localhost",
            ),
            (
                Change::Set {
                    field: TicketField::Priority,
                    from: "0".into(),
                    to: "40".into(),
                },
                root,
                "Priority changed from 'Low' to 'Low' by root@localhost",
            ),
            (
                Change::CustomField {
                    name: "ImportSite".into(),
                    from: vec![],
                    to: vec!["se-sto1".into()],
                },
                root,
                "ImportSite se-sto1 added by root@localhost",
            ),
            (
                Change::AddLink {
                    kind: LinkKind::DependedOnBy,
                    target: TicketId(34),
                },
                root,
                "Dependency by #34: subject of 34 added by root@localhost",
            ),
            (
                Change::DeleteLink {
                    kind: LinkKind::Members,
                    target: TicketId(33),
                },
                root,
                "Member #33: subject of 33 deleted by root@localhost",
            ),
            (
                Change::MergedInto { into: TicketId(30) },
                root,
                "Merged into #30: subject of 30 by root@localhost",
            ),
            (
                Change::Merged { from: TicketId(35) },
                root,
                "Merged into #31: subject of 31 by root@localhost",
            ),
        ];
        for (change, creator, want) in cases {
            assert_eq!(described(change, creator), want);
        }
        assert_eq!(
            [
                user("imp-agent@example.com", "Import Agent", true),
                user("carol@customer.example", "Carol Kund", false),
                user("RT_System", "", true),
            ],
            [
                "imp-agent@example.com (Import Agent)",
                "Carol Kund <carol@customer.example>",
                "RT_System"
            ]
        );
        let names: Vec<&str> = ["-1", "0", "49", "50", "99", "100", "250"]
            .into_iter()
            .map(priority)
            .collect();
        assert_eq!(
            names,
            ["unknown", "Low", "Low", "Medium", "Medium", "High", "High"]
        );
    }
}
