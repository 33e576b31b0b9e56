//! RT's mail gateway over HTTP, `POST /REST/1.0/NoAuth/mail-gateway`, for `rt-mailgate`: the
//! sender's network is checked, the form read, and the mail delivered by
//! [`varde_app::mail::deliver`].

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use varde_app::mail::{Answer, deliver};

use crate::app::AppState;
use crate::auth::ClientAddress;

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
