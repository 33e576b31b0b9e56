//! Request Tracker's protocols: REST 1.0 (`/REST/1.0/…`, the `rt` CLI and python `rt.rest1`)
//! and REST2 (`/REST/2.0/…`, python `rt.rest2`), on the shared ticket service. The wire
//! formats follow the captures of RT 5.0.3 in `../shared/rt/wire/`.
//!
//! Only staff accounts use these APIs (customers use the portal). Requests from a session
//! carry no CSRF token, as RT's clients send none: the session cookie is `SameSite=Lax`, so
//! another site cannot make a browser send it with a POST.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::HeaderMap;
use axum_extra::extract::cookie::CookieJar;
use base64::Engine;
use sha2::{Digest, Sha256};
use varde_core::access::{Action, Actor, Resource, TokenScope, can};
use varde_core::account::Account;
use varde_core::ids::UserId;

use crate::app::AppState;
use crate::auth::SESSION_COOKIE;

pub mod rest1;
pub mod rest2;

/// The session cookie REST 1.0 hands out, as RT names it.
pub const RT_COOKIE: &str = "RT_SID_varde";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/REST/1.0/NoAuth/mail-gateway",
            axum::routing::post(crate::mail_gateway::gateway),
        )
        .merge(rest2::routes())
        .merge(rest1::routes())
}

/// Checked Basic-auth credentials, by the SHA-256 of `email:password`, for a short while:
/// RT clients send the password with every request, and an argon2 check on each would make
/// every call cost tens of milliseconds. Only digests are kept, in memory.
#[derive(Default)]
pub struct CredentialCache {
    entries: Mutex<HashMap<String, (UserId, Instant)>>,
}

const CREDENTIAL_TTL: Duration = Duration::from_secs(120);

impl CredentialCache {
    fn key(email: &str, password: &str) -> String {
        hex::encode(Sha256::digest(
            format!("{}\0{password}", email.to_lowercase()).as_bytes(),
        ))
    }

    fn get(&self, email: &str, password: &str) -> Option<UserId> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&Self::key(email, password))
            .filter(|(_, at)| at.elapsed() < CREDENTIAL_TTL)
            .map(|(u, _)| *u)
    }

    fn put(&self, email: &str, password: &str, user: UserId) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < CREDENTIAL_TTL);
            }
            entries.insert(Self::key(email, password), (user, Instant::now()));
        }
    }
}

/// Checks an e-mail and password, through the cache.
pub async fn check_password(state: &AppState, email: &str, password: &str) -> Option<Account> {
    if let Some(user) = state.credentials.get(email, password) {
        return state
            .store
            .account(user)
            .await
            .ok()
            .flatten()
            .filter(|a| !a.disabled);
    }
    let account = crate::auth::authenticate(state, email, password, None)
        .await
        .ok()?;
    state.credentials.put(email, password, account.id);
    Some(account)
}

/// The account behind an RT request's headers: Basic auth, a bearer token (`Bearer` or RT's
/// `token` scheme), or a session cookie. `None` when nothing was presented or it was wrong.
pub async fn account_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(Account, TokenScope)> {
    if let Some(v) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = v.split_once(' ')?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest)
                .ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (email, password) = text.split_once(':')?;
            return check_password(state, email, password)
                .await
                .map(|a| (a, TokenScope::Write));
        }
        if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") {
            return state
                .store
                .token_account(rest, state.now())
                .await
                .ok()
                .flatten();
        }
        return None;
    }
    let jar = CookieJar::from_headers(headers);
    for name in [RT_COOKIE, SESSION_COOKIE] {
        if let Some(c) = jar.get(name)
            && let Ok(Some((account, _))) = state.store.session(c.value(), state.now()).await
        {
            return Some((account, TokenScope::Write));
        }
    }
    None
}

/// The staff actor of an account, if it may use the ticket system at all.
pub fn staff_actor(account: &Account, scope: TokenScope) -> Option<Actor> {
    let actor = account.actor(scope);
    (actor.is_staff() && can(&actor, Action::Read, &Resource::TicketSystem)).then_some(actor)
}
