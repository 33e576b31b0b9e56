//! Mail in: a raw message delivered into a queue as a reply or an internal comment, threaded
//! onto its ticket — the use case behind RT's `/REST/1.0/NoAuth/mail-gateway`, `varde
//! mailgate` and the LMTP listener. The answer follows RT: `ok`, `not ok - …` (permanent: the
//! MTA should not retry), `temporary failure - …` (the MTA retries; nothing was stored).

use varde_mail::Automatic;
use varde_store::Store;
use varde_store::mail::{Delivered, Delivery};
use varde_store::tickets::{NewAttachment, TicketError};

/// What the gateway answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Ok(Delivered),
    NotOk(String),
    TemporaryFailure(String),
}

impl Answer {
    /// The exit status an MTA's pipe expects (sysexits): 0 stored, 65 refused for good
    /// (`EX_DATAERR`), 75 try again later (`EX_TEMPFAIL`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Answer::Ok(_) => 0,
            Answer::NotOk(_) => 65,
            Answer::TemporaryFailure(_) => 75,
        }
    }

    /// RT's text for `rt-mailgate`.
    pub fn text(&self) -> String {
        match self {
            Answer::Ok(_) => "ok\n".into(),
            Answer::NotOk(m) => format!("not ok - {m}\n"),
            Answer::TemporaryFailure(m) => format!("temporary failure - {m}\n"),
        }
    }
}

/// Delivers one raw message into `queue` as a reply (`correspond`) or an internal `comment`.
pub async fn deliver(
    store: &Store,
    rtname: &str,
    raw: &[u8],
    queue: &str,
    action: &str,
    ticket: Option<i64>,
    now: jiff::Timestamp,
) -> Answer {
    let comment = match action.trim().to_ascii_lowercase().as_str() {
        "correspond" => false,
        "comment" => true,
        other => {
            return Answer::NotOk(format!(
                "unknown action '{other}'; use correspond or comment"
            ));
        }
    };
    let m = varde_mail::parse(raw, rtname);
    let mut flags = m.problems.clone();
    if let Some(a) = &m.automatic {
        flags.push(match a {
            Automatic::AutoReply(v) => format!("automatic: auto-reply ({v}); never answered"),
            Automatic::Bulk(v) => format!("automatic: precedence {v}; never answered"),
            Automatic::Bounce => {
                "automatic: bounce (delivery status notification); never answered".into()
            }
            Automatic::OwnLoop => "automatic: Varde's own mail came back; never answered".into(),
        });
    }
    let sender = m
        .from
        .clone()
        .unwrap_or_else(|| "unknown-sender@invalid".into());
    let organization = match crate::tickets::organization_of(store, std::slice::from_ref(&sender))
        .await
    {
        Ok(o) => o,
        Err(e) => return Answer::TemporaryFailure(format!("the database is unavailable ({e})")),
    };
    let mut parts = Vec::new();
    if !m.text.trim().is_empty() || m.html.is_none() {
        parts.push(NewAttachment {
            filename: String::new(),
            content_type: "text/plain".into(),
            content: m.text.clone().into_bytes(),
        });
    }
    if let Some(html) = &m.html {
        parts.push(NewAttachment {
            filename: String::new(),
            content_type: "text/html".into(),
            content: html.clone().into_bytes(),
        });
    }
    parts.extend(m.attachments.iter().map(|a| NewAttachment {
        filename: a.filename.clone(),
        content_type: a.content_type.clone(),
        content: a.content.clone(),
    }));
    let mut related = m.in_reply_to.clone();
    related.extend(m.references.iter().cloned());
    let subject = if m.subject.is_empty() {
        "(no subject)".to_string()
    } else {
        m.subject.clone()
    };
    let tagged = ticket
        .or_else(|| varde_mail::ticket_tag(&m.subject, rtname))
        .map(varde_core::ticket::TicketId);
    let delivery = Delivery {
        raw,
        message_id: m.message_id.as_deref(),
        related_ids: &related,
        tagged,
        queue,
        comment,
        sender: &sender,
        subject: &subject,
        organization,
        parts,
        flags,
        automatic: m.automatic.is_some(),
        now,
    };
    match store.deliver_mail(delivery).await {
        Ok(d) => {
            tracing::info!(queue, ?d, "mail delivered");
            Answer::Ok(d)
        }
        // RT answers an unknown queue with a temporary failure: the MTA keeps the mail until
        // the queue exists or someone looks.
        Err(TicketError::Refused(m)) => Answer::TemporaryFailure(m),
        Err(TicketError::Store(e)) => {
            tracing::error!(error = %e, "mail could not be stored");
            Answer::TemporaryFailure("the mail could not be stored; try again later".into())
        }
    }
}

/// The exit status for a gateway's answer read off the wire, as `rt-mailgate` reads it: `ok`
/// is 0, `not ok` 65, anything else (a temporary failure, a server error page) 75.
pub fn exit_code(text: &str) -> i32 {
    if text.starts_with("ok") {
        0
    } else if text.starts_with("not ok") {
        65
    } else {
        75
    }
}
