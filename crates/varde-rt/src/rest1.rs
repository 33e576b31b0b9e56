//! The REST 1.0 text format, as the `rt` CLI, python `rt.rest1` and `rt-mailgate` speak it
//! (captured from RT 5.0.3 in `../shared/rt/wire/`).
//!
//! Every answer is HTTP 200 with `RT/5.0.3 <code> <reason>` as its first line, a blank line,
//! the payload and a blank line. Forms carry `Key: value` lines with indented continuation lines.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use varde_core::ticket::Ticket;

/// The version RT clients see. The `rt` CLI separates objects only when the version is digits
/// and dots, so never a distribution's version string.
pub const VERSION: &str = "RT/5.0.3";

/// A whole response body: status line, blank line, payload, blank line.
pub fn response(code: u16, reason: &str, payload: &str) -> String {
    let mut s = format!("{VERSION} {code} {reason}\n\n");
    if !payload.is_empty() {
        s.push_str(payload);
        if !payload.ends_with('\n') {
            s.push('\n');
        }
        s.push('\n');
    }
    s
}

/// RT's answer to `ticket/link`: the link as RT words it from its base (`Ticket 4 depends on
/// Ticket 12.`, `Ticket 4 no longer depends on Ticket 12.`), then `Created link 4 DependsOn
/// 12` (or `Deleted link …`) with the relation as it was asked.
pub fn link_message(
    from: varde_core::ticket::TicketId,
    kind: varde_core::ticket::LinkKind,
    to: varde_core::ticket::TicketId,
    removed: bool,
) -> String {
    use varde_core::ticket::LinkKind;
    // RT stores three link types, from the base; the other three are the same seen back.
    let (base, stored, target) = match kind {
        LinkKind::DependedOnBy | LinkKind::ReferredToBy | LinkKind::Members => {
            (to, kind.reverse(), from)
        }
        _ => (from, kind, to),
    };
    let words = match stored {
        LinkKind::RefersTo => "refers to",
        LinkKind::MemberOf => "member of",
        _ => "depends on",
    };
    let asked = match kind {
        LinkKind::Members => "HasMember",
        other => other.name(),
    };
    if removed {
        format!("Ticket {base} no longer {words} Ticket {target}. Deleted link {from} {asked} {to}")
    } else {
        format!("Ticket {base} {words} Ticket {target}. Created link {from} {asked} {to}")
    }
}

/// `Key: value` lines as sent in a `content` form field. Lines starting with `#` are comments;
/// indented lines continue the previous value (for `Text:`), with the indent removed. Keys keep
/// their spelling; look them up with [`get`], which ignores case.
pub fn parse_content(content: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut continuation_indent: Option<usize> = None;
    for line in content.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with('#') {
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if indented && let Some(last) = out.last_mut() {
            // Only the spaces and tabs the client indented with: other white space is text
            // (and may be several bytes long).
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            let cut = (*continuation_indent.get_or_insert(indent)).min(indent);
            last.1.push('\n');
            last.1.push_str(&line[cut..]);
            continue;
        }
        if let Some((k, v)) = line.split_once(':')
            && !k.trim().is_empty()
            && !k.contains(' ')
        {
            out.push((k.trim().to_string(), v.trim().to_string()));
            continuation_indent = None;
        } else if line.trim().is_empty()
            && continuation_indent.is_some()
            && let Some(last) = out.last_mut()
        {
            last.1.push('\n');
        }
    }
    for (_, v) in out.iter_mut() {
        while v.ends_with('\n') {
            v.pop();
        }
    }
    out
}

/// The value of a key, ignoring case.
pub fn get<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// A list field (`Requestor: a@x, b@y`) as its addresses.
pub fn list(value: &str) -> Vec<String> {
    value
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// RT's date format on REST 1.0 ticket fields, in UTC: `Mon Nov 23 00:42:34 2026`, or `Not set`.
pub fn date(t: Option<Timestamp>) -> String {
    match t {
        Some(t) => t
            .to_zoned(TimeZone::UTC)
            .strftime("%a %b %d %H:%M:%S %Y")
            .to_string(),
        None => "Not set".into(),
    }
}

/// RT's date format in history: `2026-11-23 00:42:34`.
pub fn history_date(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC)
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A value over several lines, as RT writes it: continuation lines indented under the value.
pub fn indented(key: &str, value: &str) -> String {
    let pad = " ".repeat(key.len() + 2);
    let mut lines = value.lines();
    let first = lines.next().unwrap_or("");
    let mut s = format!("{key}: {first}");
    for l in lines {
        s.push('\n');
        s.push_str(&pad);
        s.push_str(l);
    }
    s
}

/// A ticket's links as `ticket/<id>/links/show` gives them: RT's six relations, each that has
/// links, with the other tickets as RT's URIs (`fsck.com-rt://<rtname>/ticket/<id>`).
pub fn show_links(t: &Ticket, rtname: &str) -> String {
    use varde_core::ticket::LinkKind;
    let mut lines = vec![format!("id: ticket/{}/links", t.id)];
    for (kind, name) in [
        (LinkKind::DependsOn, "DependsOn"),
        (LinkKind::DependedOnBy, "DependedOnBy"),
        (LinkKind::RefersTo, "RefersTo"),
        (LinkKind::ReferredToBy, "ReferredToBy"),
        (LinkKind::Members, "Members"),
        (LinkKind::MemberOf, "MemberOf"),
    ] {
        let uris: Vec<String> = t
            .links
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, other)| format!("fsck.com-rt://{rtname}/ticket/{other}"))
            .collect();
        if !uris.is_empty() {
            lines.push(format!("{name}: {}", uris.join(", ")));
        }
    }
    lines.join("\n")
}

/// The ticket as `show` gives it.
pub fn show_ticket(t: &Ticket) -> String {
    let mut lines = vec![
        format!("id: ticket/{}", t.id),
        format!("Queue: {}", t.queue),
        format!("Owner: {}", t.owner_name()),
        format!("Creator: {}", t.creator),
        format!("Subject: {}", t.subject),
        format!("Status: {}", t.status),
        format!("Priority: {}", t.priority),
        format!("InitialPriority: {}", t.initial_priority),
        format!("FinalPriority: {}", t.final_priority),
        format!("Requestors: {}", t.requestors.join(", ")),
        format!("Cc:{}", prefixed(&t.cc.join(", "))),
        format!("AdminCc:{}", prefixed(&t.admin_cc.join(", "))),
        format!("Created: {}", date(Some(t.created))),
        format!("Starts: {}", date(t.starts.or(Some(t.created)))),
        format!("Started: {}", date(t.started)),
        format!("Due: {}", date(t.due)),
        format!("Resolved: {}", date(t.resolved)),
        format!("Told: {}", date(t.told)),
        format!("LastUpdated: {}", date(Some(t.last_updated))),
        format!("TimeEstimated: {}", minutes(t.time_estimated)),
        format!("TimeWorked: {}", minutes(t.time_worked)),
        format!("TimeLeft: {}", minutes(t.time_left)),
    ];
    for (name, values) in &t.custom_fields {
        lines.push(format!("CF.{{{name}}}: {}", values.join(",")));
    }
    lines.join("\n")
}

fn prefixed(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" {s}")
    }
}

fn minutes(m: i64) -> String {
    if m == 0 {
        "0".into()
    } else {
        format!("{m} minutes")
    }
}

/// An attachment's size as RT's REST 1.0 lists it (`Forms/ticket/attachments`,
/// `Forms/ticket/history`): `length($a->Content)`, which for a text part counts the
/// characters of its decoded text and otherwise bytes; over 1024 in tenths of a `k`
/// (`int($size/102.4)/10 . "k"`), else with a `b`.
pub fn attachment_size(content_type: &str, content: &[u8]) -> String {
    size_text(if content_type.to_ascii_lowercase().starts_with("text/") {
        String::from_utf8_lossy(content).chars().count()
    } else {
        content.len()
    })
}

/// A size as RT's REST 1.0 writes it: `30b`, `1.4k`.
pub fn size_text(size: usize) -> String {
    if size > 1024 {
        let tenths = (size as f64 / 102.4).floor() as u64;
        match tenths % 10 {
            0 => format!("{}k", tenths / 10),
            d => format!("{}.{d}k", tenths / 10),
        }
    } else {
        format!("{size}b")
    }
}

/// The new-ticket template the CLI asks for with `show ticket/new`.
pub fn new_ticket_template(queue: &str, requestor: &str) -> String {
    [
        "id: ticket/new".to_string(),
        format!("Queue: {queue}"),
        format!("Requestor: {requestor}"),
        "Subject: ".into(),
        "Cc: ".into(),
        "AdminCc: ".into(),
        "Owner: ".into(),
        "Status: new".into(),
        "Priority: ".into(),
        "InitialPriority: ".into(),
        "FinalPriority: ".into(),
        "TimeEstimated: 0".into(),
        "Starts: ".into(),
        "Due: ".into(),
        "Attachment: ".into(),
        "Text: ".into(),
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_sizes_are_rts_characters_and_k() {
        let bill = "Räkning nr 17\nSumma: 1 200 kr\n".as_bytes();
        assert_eq!(attachment_size("text/plain", bill), "30b");
        assert_eq!(attachment_size("application/octet-stream", bill), "31b");
        assert_eq!(attachment_size("image/png", &[0; 1024]), "1024b");
        assert_eq!(attachment_size("image/png", &[0; 1500]), "1.4k");
        assert_eq!(attachment_size("image/png", &[0; 2048]), "2k");
    }

    #[test]
    fn content_with_continuation_lines_and_comments() {
        // As the `rt` CLI sends a filled-in template (wire/02-rest1-cli-create-3.txt).
        let c = "# Required: id, Queue\n\nid: ticket/new\nQueue: General\nRequestor: carol@customer.example.net\nSubject: Wire capture: disk full\nCc:\nText: Volume vol-9 is at 100%.\n      Second line.\n\n      After a blank.\n";
        let f = parse_content(c);
        assert_eq!(get(&f, "id"), Some("ticket/new"));
        assert_eq!(get(&f, "QUEUE"), Some("General"));
        assert_eq!(get(&f, "cc"), Some(""));
        assert_eq!(
            get(&f, "Text"),
            Some("Volume vol-9 is at 100%.\nSecond line.\n\nAfter a blank.")
        );
    }

    #[test]
    fn wide_white_space_in_a_continuation_is_text() {
        // An ideographic space (three bytes) after the indent must not split a character.
        let f = parse_content("Text: a\n  b\n \u{3000}c\n\t\u{a0}d");
        assert_eq!(get(&f, "Text"), Some("a\nb\n\u{3000}c\n\u{a0}d"));
    }

    #[test]
    fn link_answers_in_rts_words() {
        use varde_core::ticket::{LinkKind, TicketId};
        let m = |k, del| link_message(TicketId(4), k, TicketId(12), del);
        assert_eq!(
            m(LinkKind::DependsOn, false),
            "Ticket 4 depends on Ticket 12. Created link 4 DependsOn 12"
        );
        assert_eq!(
            m(LinkKind::DependedOnBy, false),
            "Ticket 12 depends on Ticket 4. Created link 4 DependedOnBy 12"
        );
        assert_eq!(
            m(LinkKind::Members, true),
            "Ticket 12 no longer member of Ticket 4. Deleted link 4 HasMember 12"
        );
        assert_eq!(
            m(LinkKind::RefersTo, false),
            "Ticket 4 refers to Ticket 12. Created link 4 RefersTo 12"
        );
    }

    #[test]
    fn links_and_users_as_rt_shows_them() {
        use varde_core::ticket::history::{Change, Creation, Transaction, replay};
        use varde_core::ticket::{LinkKind, TicketId};
        let created = Transaction {
            id: 1,
            ticket: TicketId(7),
            at: "2026-01-01T00:00:00Z".parse().unwrap(),
            creator: "a@x.example".into(),
            time_taken: 0,
            change: Change::Create(Box::new(Creation::requested("General", "x", "a@x.example"))),
        };
        let mut t = replay(&[created]).unwrap();
        t.links = vec![
            (LinkKind::DependsOn, TicketId(3)),
            (LinkKind::DependsOn, TicketId(4)),
            (LinkKind::ReferredToBy, TicketId(9)),
        ];
        assert_eq!(
            show_links(&t, "example.com"),
            "id: ticket/7/links\nDependsOn: fsck.com-rt://example.com/ticket/3, fsck.com-rt://example.com/ticket/4\nReferredToBy: fsck.com-rt://example.com/ticket/9"
        );
    }

    #[test]
    fn python_rt_content() {
        let c = "id: ticket/new\nQueue: General\nRequestors: a@x.example, b@y.example\nSubject: hello\nText: first\n second";
        let f = parse_content(c);
        assert_eq!(
            list(get(&f, "requestors").unwrap()),
            ["a@x.example", "b@y.example"]
        );
        assert_eq!(get(&f, "text"), Some("first\nsecond"));
    }

    #[test]
    fn responses_and_dates() {
        assert_eq!(
            response(200, "Ok", "# Ticket 1 created."),
            "RT/5.0.3 200 Ok\n\n# Ticket 1 created.\n\n"
        );
        assert_eq!(
            response(401, "Credentials required", ""),
            "RT/5.0.3 401 Credentials required\n\n"
        );
        let t: Timestamp = "2026-11-23T00:42:34Z".parse().unwrap();
        assert_eq!(date(Some(t)), "Mon Nov 23 00:42:34 2026");
        assert_eq!(date(None), "Not set");
        assert_eq!(history_date(t), "2026-11-23 00:42:34");
        assert_eq!(indented("Content", "a\nb"), "Content: a\n         b");
    }
}
