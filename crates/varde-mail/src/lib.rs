//! Inbound mail, as pure functions: a raw RFC 5322 message in, what Varde needs out.
//!
//! - [`parse`]: the message's ids, sender, subject, text, HTML and attachments, parsed
//!   leniently; what could not be read is listed in `problems`, never an error that drops mail.
//! - [`ticket_tag`]: the `[<rtname> #<id>]` subject tag.
//! - [`Automatic`]: auto-replies, bulk mail, bounces and Varde's own mail, which are recorded
//!   but never answered.
//!
//! **Architecture Invariant:** nothing here does I/O; the raw message is stored by the caller
//! before (and whatever) this parses.

use mail_parser::{MessageParser, MimeHeaders};

/// The largest attachment kept as its own part; larger ones stay in the raw message.
pub const MAX_PART_BYTES: usize = 25 * 1024 * 1024;

/// Why a message must not be answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Automatic {
    /// `Auto-Submitted` other than `no`, or an `X-Autoreply`-style header.
    AutoReply(String),
    /// `Precedence: bulk | junk | list`.
    Bulk(String),
    /// A delivery status notification (RFC 3464) or a mail from a mailer daemon.
    Bounce,
    /// Mail Varde itself sent (its loop header carries this installation's name).
    OwnLoop,
}

/// One attachment (or inline part) kept with the transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A parsed inbound message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// The sender's address, lowercased.
    pub from: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Part>,
    pub automatic: Option<Automatic>,
    /// What could not be read; the message is kept and flagged, never dropped.
    pub problems: Vec<String>,
}

fn strip_id(s: &str) -> String {
    s.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// Parses a raw message. `rtname` recognises Varde's own loop header.
pub fn parse(raw: &[u8], rtname: &str) -> Inbound {
    let mut problems = Vec::new();
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Inbound {
            message_id: None,
            in_reply_to: vec![],
            references: vec![],
            from: None,
            from_name: None,
            subject: String::new(),
            text: String::from_utf8_lossy(raw).chars().take(100_000).collect(),
            html: None,
            attachments: vec![],
            automatic: None,
            problems: vec!["the message could not be parsed as MIME; its raw text is kept".into()],
        };
    };
    let list = |v: &mail_parser::HeaderValue| -> Vec<String> {
        match v.as_text_list() {
            Some(l) => l
                .iter()
                .map(|s| strip_id(s))
                .filter(|s| !s.is_empty())
                .collect(),
            None => v
                .as_text()
                .map(strip_id)
                .filter(|s| !s.is_empty())
                .into_iter()
                .collect(),
        }
    };
    let message_id = msg.message_id().map(strip_id).filter(|s| !s.is_empty());
    if message_id.is_none() {
        problems.push("no Message-ID".into());
    }
    let sender = msg.from().and_then(|a| a.first());
    let from = sender
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.contains('@'));
    if from.is_none() {
        problems.push("no usable From address".into());
    }
    let from_name = sender.and_then(|a| a.name()).map(str::to_string);
    let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let html = msg
        .body_html(0)
        .map(|h| h.into_owned())
        .filter(|_| msg.html_bodies().next().is_some_and(|p| p.is_text_html()));
    let mut attachments = Vec::new();
    for part in msg.attachments() {
        let filename = part.attachment_name().unwrap_or("attachment").to_string();
        let content_type = part
            .content_type()
            .map(|c| match c.subtype() {
                Some(sub) => format!("{}/{}", c.ctype(), sub),
                None => c.ctype().to_string(),
            })
            .unwrap_or_else(|| "application/octet-stream".into());
        let content = part.contents();
        if content.len() > MAX_PART_BYTES {
            problems.push(format!("attachment {filename} ({} bytes) is larger than {MAX_PART_BYTES} bytes; it is kept in the raw message only", content.len()));
            continue;
        }
        attachments.push(Part {
            filename,
            content_type,
            content: content.to_vec(),
        });
    }
    // A text part whose charset the parser does not know arrives as a nameless attachment;
    // when there is no other text, read it as UTF-8 (lossily) so the agent sees it, and say so.
    let mut text = text;
    if text.trim().is_empty()
        && let Some(i) = attachments
            .iter()
            .position(|a| a.filename == "attachment" && a.content_type.starts_with("text/plain"))
    {
        let part = attachments.remove(i);
        text = String::from_utf8_lossy(&part.content).into_owned();
        problems.push("a text part in an unknown charset was read as UTF-8".into());
    }
    let header = |name: &str| msg.header_raw(name).map(|v| v.trim().to_string());
    let automatic = if header("X-Varde-Loop").is_some_and(|v| v.eq_ignore_ascii_case(rtname))
        || header("X-RT-Loop-Prevention").is_some_and(|v| v.eq_ignore_ascii_case(rtname))
    {
        Some(Automatic::OwnLoop)
    } else if msg.root_part().content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("multipart")
            && c.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && c.attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    }) || from
        .as_deref()
        .is_some_and(|f| f.starts_with("mailer-daemon@") || f.starts_with("postmaster@"))
    {
        Some(Automatic::Bounce)
    } else if let Some(v) =
        header("Auto-Submitted").filter(|v| !v.to_ascii_lowercase().starts_with("no"))
    {
        Some(Automatic::AutoReply(v))
    } else if let Some(v) = ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"]
        .iter()
        .find_map(|h| header(h))
    {
        Some(Automatic::AutoReply(v))
    } else {
        header("Precedence")
            .filter(|v| matches!(v.to_ascii_lowercase().as_str(), "bulk" | "junk" | "list"))
            .map(Automatic::Bulk)
    };
    Inbound {
        message_id,
        in_reply_to: list(msg.in_reply_to()),
        references: list(msg.references()),
        from,
        from_name,
        subject: msg.subject().unwrap_or("").trim().to_string(),
        text,
        html,
        attachments,
        automatic,
        problems,
    }
}

/// The ticket number in a `[<rtname> #<id>]` subject tag, if the subject has one for this
/// installation (the name matches case-insensitively).
pub fn ticket_tag(subject: &str, rtname: &str) -> Option<i64> {
    let lower = subject.to_lowercase();
    let needle = format!("[{} #", rtname.to_lowercase());
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let start = from + i + needle.len();
        let digits: String = lower[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if !digits.is_empty() && lower[start + digits.len()..].starts_with(']') {
            return digits.parse().ok();
        }
        from = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One line per case: the raw message and the expected summary.
    fn check(raw: &str, expect: &str) {
        let m = parse(raw.as_bytes(), "support.example");
        let got = format!(
            "id={:?} from={:?} subject={:?} text={:?} automatic={:?} reply_to={:?} refs={:?} attachments={:?} problems={:?}",
            m.message_id,
            m.from,
            m.subject,
            m.text.trim(),
            m.automatic,
            m.in_reply_to,
            m.references,
            m.attachments
                .iter()
                .map(|a| format!("{}:{}:{}", a.filename, a.content_type, a.content.len()))
                .collect::<Vec<_>>(),
            m.problems
        );
        assert_eq!(got, expect);
    }

    #[test]
    fn a_plain_mail() {
        check(
            "From: Carol <Carol@Customer.Example>\r\nTo: support@support.example\r\nSubject: Disk full\r\nMessage-ID: <abc@customer.example>\r\n\r\nvol-9 is full\r\n",
            r#"id=Some("abc@customer.example") from=Some("carol@customer.example") subject="Disk full" text="vol-9 is full" automatic=None reply_to=[] refs=[] attachments=[] problems=[]"#,
        );
    }

    #[test]
    fn an_outlook_reply_without_the_tag_in_latin1() {
        check(
            "From: dave@other.example\r\nSubject: =?iso-8859-1?q?SV:_Fr=E5ga?=\r\nMessage-ID: <r1@other.example>\r\nIn-Reply-To: <rt-1-7@support.example>\r\nReferences: <a@x> <rt-1-7@support.example>\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nH=E4r =E4r svaret.\r\n",
            r#"id=Some("r1@other.example") from=Some("dave@other.example") subject="SV: Fråga" text="Här är svaret." automatic=None reply_to=["rt-1-7@support.example"] refs=["a@x", "rt-1-7@support.example"] attachments=[] problems=[]"#,
        );
    }

    #[test]
    fn automatic_mail_is_recognised() {
        let base = "From: a@b.example\r\nSubject: x\r\nMessage-ID: <m@b>\r\n";
        let m = parse(
            format!("{base}Auto-Submitted: auto-replied\r\n\r\nOut of office").as_bytes(),
            "support.example",
        );
        assert_eq!(
            m.automatic,
            Some(Automatic::AutoReply("auto-replied".into()))
        );
        let m = parse(
            format!("{base}Auto-Submitted: no\r\n\r\nhi").as_bytes(),
            "support.example",
        );
        assert_eq!(m.automatic, None);
        let m = parse(
            format!("{base}Precedence: bulk\r\n\r\nnews").as_bytes(),
            "support.example",
        );
        assert_eq!(m.automatic, Some(Automatic::Bulk("bulk".into())));
        let m = parse(
            format!("{base}X-Varde-Loop: support.example\r\n\r\nours").as_bytes(),
            "support.example",
        );
        assert_eq!(m.automatic, Some(Automatic::OwnLoop));
        let dsn = "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail\r\nMessage-ID: <d@mx>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n";
        assert_eq!(
            parse(dsn.as_bytes(), "support.example").automatic,
            Some(Automatic::Bounce)
        );
    }

    #[test]
    fn attachments_and_html_are_kept() {
        let raw = "From: a@b.example\r\nSubject: logs\r\nMessage-ID: <m2@b>\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: multipart/alternative; boundary=\"y\"\r\n\r\n--y\r\nContent-Type: text/plain\r\n\r\nsee log\r\n--y\r\nContent-Type: text/html\r\n\r\n<p>see <b>log</b></p>\r\n--y--\r\n--x\r\nContent-Type: text/plain; name=\"kern.log\"\r\nContent-Disposition: attachment; filename=\"kern.log\"\r\n\r\noops\r\n--x--\r\n";
        let m = parse(raw.as_bytes(), "support.example");
        assert_eq!(m.text.trim(), "see log");
        assert!(m.html.as_deref().is_some_and(|h| h.contains("<b>log</b>")));
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].filename, "kern.log");
    }

    #[test]
    fn broken_mail_is_read_as_far_as_it_goes_and_flagged() {
        let m = parse(b"Subject: no sender\r\nContent-Type: multipart/mixed; boundary=\"never\"\r\n\r\nbody without parts", "support.example");
        assert_eq!(m.subject, "no sender");
        assert!(m.problems.iter().any(|p| p.contains("From")));
        assert!(m.problems.iter().any(|p| p.contains("Message-ID")));
        let m = parse(b"", "support.example");
        assert!(!m.problems.is_empty());
    }

    #[test]
    fn subject_tags() {
        assert_eq!(
            ticket_tag("Re: [support.example #42] Disk full", "support.example"),
            Some(42)
        );
        assert_eq!(
            ticket_tag("SV: [SUPPORT.EXAMPLE #7] x", "support.example"),
            Some(7)
        );
        assert_eq!(ticket_tag("[other.example #42] x", "support.example"), None);
        assert_eq!(ticket_tag("[support.example #] x", "support.example"), None);
        assert_eq!(
            ticket_tag(
                "[support.example #12a] [support.example #13]",
                "support.example"
            ),
            Some(13)
        );
    }

    proptest::proptest! {
        /// Whatever bytes arrive, parsing answers; it never panics.
        #[test]
        fn never_panics(raw in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = parse(&raw, "support.example");
        }

        #[test]
        fn tags_never_panic(s in "\\PC{0,60}") {
            let _ = ticket_tag(&s, "support.example");
        }
    }
}
