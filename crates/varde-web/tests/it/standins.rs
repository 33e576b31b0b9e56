//! Stand-ins for services that cannot run here, speaking their real API shape:
//! - an SMS gateway in 46elks' shape (`POST /a1/sms`, Basic auth, form fields `from`, `to`,
//!   `message`, JSON answer with `status: created`), as `varde serve --sms-gateway` expects;
//! - a webhook receiver, the customer's side of a status webhook.
//!
//! Both listen on 127.0.0.1 and keep what they receive.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine;

/// One SMS the gateway accepted.
#[derive(Clone, Debug)]
pub struct Sms {
    pub from: String,
    pub to: String,
    pub message: String,
}

#[derive(Clone)]
struct Gateway {
    user: String,
    password: String,
    sent: Arc<Mutex<Vec<Sms>>>,
}

/// Starts the SMS stand-in; gives its API URL with credentials, and what it has accepted.
pub async fn sms_gateway(user: &str, password: &str) -> (String, Arc<Mutex<Vec<Sms>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let gw = Gateway {
        user: user.into(),
        password: password.into(),
        sent: sent.clone(),
    };
    let app = Router::new()
        .route("/a1/sms", post(accept_sms))
        .with_state(gw);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{user}:{password}@{addr}/a1/sms"), sent)
}

async fn accept_sms(
    State(gw): State<Gateway>,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", gw.user, gw.password))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            "API access requires Basic HTTP authentication".to_string(),
        );
    }
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
    for key in ["from", "to", "message"] {
        if fields.get(key).is_none_or(|v| v.is_empty()) {
            return (StatusCode::BAD_REQUEST, format!("Missing key {key}"));
        }
    }
    let sms = Sms {
        from: fields["from"].clone(),
        to: fields["to"].clone(),
        message: fields["message"].clone(),
    };
    let mut sent = gw.sent.lock().unwrap();
    sent.push(sms.clone());
    let answer = serde_json::json!({
        "status": "created",
        "direction": "outgoing",
        "from": sms.from,
        "to": sms.to,
        "message": sms.message,
        "id": format!("s{:032x}", sent.len()),
        "created": jiff::Timestamp::now().to_string(),
        "parts": 1,
        "estimated_cost": 3500,
    });
    (StatusCode::OK, answer.to_string())
}

/// One webhook call: its signature header and body.
#[derive(Clone, Debug)]
pub struct Hook {
    pub signature: String,
    pub body: String,
}

/// Starts a webhook receiver at `/hook` answering `status`; gives its URL and the calls.
pub async fn webhook_receiver(status: u16) -> (String, Arc<Mutex<Vec<Hook>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let kept = calls.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap().push(Hook {
                    signature: headers
                        .get("x-varde-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string(),
                    body,
                });
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), calls)
}

/// Verifies a signature header the way the documentation tells subscribers to.
pub fn signature_is_valid(key: &str, header: &str, body: &str) -> bool {
    use hmac::{KeyInit, Mac};
    let mut t = "";
    let mut v1 = "";
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", x)) => t = x,
            Some(("v1", x)) => v1 = x,
            _ => {}
        }
    }
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    hex::decode(v1).is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}
