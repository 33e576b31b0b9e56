//! The mail gateway: a raw message in, a ticket transaction out — as RT's
//! `/REST/1.0/NoAuth/mail-gateway` does for `rt-mailgate`, and as `varde mailgate` does from an
//! MTA's pipe. The answer follows RT: `ok`, `not ok - …` (permanent: the MTA should not retry),
//! `temporary failure - …` (the MTA retries; nothing was stored).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use varde_mail::Automatic;
use varde_store::Store;
use varde_store::mail::{Delivered, Delivery};
use varde_store::tickets::{NewAttachment, TicketError};

use crate::app::AppState;
use crate::auth::ClientAddress;

/// What the gateway answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Ok(Delivered),
    NotOk(String),
    TemporaryFailure(String),
}

impl Answer {
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

/// `POST /REST/1.0/NoAuth/mail-gateway`, for RT's `rt-mailgate`. Only this host may deliver
/// (an MTA on the same machine, not a request that came through a proxy), and the networks
/// given with `--mail-gateway-allow`.
pub async fn gateway(
    State(state): State<AppState>,
    client: ClientAddress,
    request: axum::extract::Request,
) -> Response {
    let text = |status: StatusCode, body: String| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    };
    if !client.may_deliver_mail(&state.network) {
        return text(
            StatusCode::FORBIDDEN,
            "not ok - the mail gateway accepts mail from this host only\n".into(),
        );
    }
    // Read only after the sender is known; a mail over the limit is refused as RT refuses
    // what it cannot take now, so the MTA keeps it and its postmaster sees why.
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let Ok(body) = axum::body::to_bytes(body, crate::limits::MAIL_BYTES).await else {
        return text(
            StatusCode::OK,
            format!(
                "temporary failure - the request is larger than the gateway takes ({} MiB) or was cut off\n",
                crate::limits::MAIL_BYTES >> 20
            ),
        );
    };
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    match varde_rt::form::multipart_boundary(ctype) {
        Some(boundary) => {
            for p in varde_rt::form::multipart(&body, &boundary).await {
                fields.push((p.name, p.data));
            }
        }
        None => fields.extend(
            varde_rt::form::urlencoded(&body)
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes())),
        ),
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    };
    let (Some(message), Some(queue)) = (get("message"), get("queue")) else {
        return text(
            StatusCode::OK,
            "not ok - the request carries no message or no queue\n".into(),
        );
    };
    let queue = String::from_utf8_lossy(queue).into_owned();
    let action = get("action")
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_else(|| "correspond".into());
    let ticket = get("ticket").and_then(|t| String::from_utf8_lossy(t).trim().parse().ok());
    let answer = deliver(
        &state.store,
        &state.rtname,
        message,
        &queue,
        &action,
        ticket,
        state.now(),
    )
    .await;
    text(StatusCode::OK, answer.text())
}
