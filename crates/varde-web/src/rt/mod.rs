//! Request Tracker's protocols: REST 1.0 (`/REST/1.0/…`, the `rt` CLI and python `rt.rest1`)
//! and REST2 (`/REST/2.0/…`, python `rt.rest2`), on the shared ticket service. The wire
//! formats follow the captures of RT 5.0.3 in `../shared/rt/wire/`.
//!
//! Only staff accounts use these APIs (customers use the portal). As in RT, a session that
//! REST 1.0 handed out (`RT_SID_varde`, `SameSite=Strict`) belongs to an RT client and needs
//! no CSRF token; the browser console's session works here too, but a change made with it
//! must carry the console's `X-CSRF-Token`. No GET changes anything, but for the one the `rt`
//! CLI sends for `rt merge` with an RT client's credentials (see `rest1`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, Method};
use axum_extra::extract::cookie::CookieJar;
use base64::Engine;
use sha2::{Digest, Sha256};
use varde_core::access::{Action, Actor, Resource, TokenScope, can};
use varde_core::account::Account;
use varde_core::ids::UserId;
use varde_core::ticket::TicketId;
use varde_core::ticket::history::{Change, Transaction};

use crate::app::AppState;
use crate::auth::SESSION_COOKIE;

mod records;
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
/// every call cost tens of milliseconds. Only digests are kept, in memory, each with the
/// digest of the password hash it was checked against: once the password changes, the entry
/// no longer matches, on every node, without anyone telling the cache.
#[derive(Default)]
pub struct CredentialCache {
    entries: Mutex<HashMap<String, (UserId, String, Instant)>>,
}

const CREDENTIAL_TTL: Duration = Duration::from_secs(120);

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl CredentialCache {
    fn key(email: &str, password: &str) -> String {
        digest(&format!("{}\0{password}", email.to_lowercase()))
    }

    fn get(&self, email: &str, password: &str) -> Option<(UserId, String)> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&Self::key(email, password))
            .filter(|(_, _, at)| at.elapsed() < CREDENTIAL_TTL)
            .map(|(u, h, _)| (*u, h.clone()))
    }

    fn put(&self, email: &str, password: &str, user: UserId, hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, _, at)| at.elapsed() < CREDENTIAL_TTL);
            }
            entries.insert(
                Self::key(email, password),
                (user, digest(hash), Instant::now()),
            );
        }
    }
}

/// Checks an e-mail and password, through the cache; a wrong password counts against the
/// login limits of the e-mail and of the client's address.
pub async fn check_password(
    state: &AppState,
    email: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Option<Account> {
    if let Some((user, hash_digest)) = state.credentials.get(email, password)
        && let Ok(Some((account, Some(hash)))) = state.store.account_and_password(user).await
        && digest(&hash) == hash_digest
        && !account.disabled
    {
        return Some(account);
    }
    let account = crate::auth::authenticate(state, email, password, address)
        .await
        .ok()?;
    if let Ok(Some((_, Some(hash)))) = state.store.account_and_password(account.id).await {
        state.credentials.put(email, password, account.id, &hash);
    }
    Some(account)
}

/// How an RT request proved who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// HTTP Basic: RT's clients with `auth=basic`, python `rt.rest2`.
    Basic,
    /// An API token (`Bearer` or RT's `token` scheme).
    Token,
    /// The session REST 1.0 handed out after a `user`/`pass` login (`RT_SID_varde`).
    RtSession,
    /// The browser console's session cookie, with its CSRF token: a change made with it must
    /// carry the token, as every change from the console does.
    ConsoleSession { csrf: String },
}

/// The account behind an RT request, with its scope and how it was proved.
#[derive(Clone, Debug)]
pub struct RtCaller {
    pub account: Account,
    pub scope: TokenScope,
    pub via: Via,
}

impl RtCaller {
    /// Why a request must be refused as a possible cross-site request forgery: a change
    /// (any method but GET and HEAD) made with the console's cookie without the session's
    /// `X-CSRF-Token` header. RT's own clients never send the console's cookie.
    pub fn forgery(&self, method: &Method, headers: &HeaderMap) -> Option<&'static str> {
        let Via::ConsoleSession { csrf } = &self.via else {
            return None;
        };
        if matches!(*method, Method::GET | Method::HEAD) {
            return None;
        }
        let sent = headers
            .get(crate::auth::CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        (!crate::auth::constant_time_eq(sent.as_bytes(), csrf.as_bytes())).then_some(
            "Possible cross-site request forgery: this is the browser console's session; \
             a change needs its X-CSRF-Token header, or log in as an RT client does",
        )
    }
}

/// The account behind an RT request's headers: Basic auth, a bearer token (`Bearer` or RT's
/// `token` scheme), or a session cookie (REST 1.0's, then the console's). `None` when nothing
/// was presented or it was wrong.
pub async fn account_from_headers(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<IpAddr>,
) -> Option<RtCaller> {
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
            return check_password(state, email, password, address)
                .await
                .map(|account| RtCaller {
                    account,
                    scope: TokenScope::Write,
                    via: Via::Basic,
                });
        }
        if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") {
            let (account, scope) = state
                .store
                .token_account(rest, state.now())
                .await
                .ok()
                .flatten()?;
            return Some(RtCaller {
                account,
                scope,
                via: Via::Token,
            });
        }
        return None;
    }
    let jar = CookieJar::from_headers(headers);
    for name in [RT_COOKIE, SESSION_COOKIE] {
        if let Some(c) = jar.get(name)
            && let Ok(Some((account, csrf))) = state.store.session(c.value(), state.now()).await
        {
            let via = if name == RT_COOKIE {
                Via::RtSession
            } else {
                Via::ConsoleSession { csrf }
            };
            return Some(RtCaller {
                account,
                scope: TokenScope::Write,
                via,
            });
        }
    }
    None
}

/// The staff actor of an account, if it may use the ticket system at all.
pub fn staff_actor(account: &Account, scope: TokenScope) -> Option<Actor> {
    let actor = account.actor(scope);
    (can(&actor, Action::Read, &Resource::RtApis)
        && can(&actor, Action::Read, &Resource::TicketSystem))
    .then_some(actor)
}

/// What RT's descriptions name beside a transaction: the subjects of the tickets it links or
/// merges (`Dependency on #31: Disk full added by …`; empty for one not found), and the people
/// of owner and watcher changes as RT writes them (staff with their name, contacts with
/// theirs).
#[derive(Default)]
pub(crate) struct Named {
    subjects: HashMap<TicketId, String>,
    users: HashMap<String, String>,
}

pub(crate) async fn named<'a>(
    state: &AppState,
    txs: impl Iterator<Item = &'a Transaction>,
) -> Named {
    let mut out = Named::default();
    for tx in txs {
        let (ticket, people) = match &tx.change {
            Change::AddLink { target, .. } | Change::DeleteLink { target, .. } => {
                (Some(*target), vec![])
            }
            Change::MergedInto { into } => (Some(*into), vec![]),
            Change::Merged { .. } => (Some(tx.ticket), vec![]),
            Change::AddWatcher { address, .. } | Change::DelWatcher { address, .. } => {
                (None, vec![address.clone()])
            }
            Change::Owner { from, to } => (None, from.iter().chain(to).cloned().collect()),
            _ => continue,
        };
        if let Some(n) = ticket
            && !out.subjects.contains_key(&n)
        {
            let subject = state
                .store
                .ticket(n)
                .await
                .ok()
                .flatten()
                .map(|t| t.subject);
            out.subjects.insert(n, subject.unwrap_or_default());
        }
        for a in people {
            if out.users.contains_key(&a) {
                continue;
            }
            let account = match varde_core::values::EmailAddress::parse(&a) {
                Ok(e) => state.store.account_for_login(&e).await.ok().flatten(),
                Err(_) => None,
            };
            let shown = match account {
                Some((acc, _)) => varde_rt::describe::user(
                    &a,
                    &acc.name,
                    acc.role != varde_core::access::Role::Customer,
                ),
                None => varde_rt::describe::user(&a, "", false),
            };
            out.users.insert(a, shown);
        }
    }
    out
}

/// RT's `Field`, `OldValue`, `NewValue` and `Description` of a transaction. The surviving
/// ticket's side of a merge is, as RT 5 records it, an `AddLink MergedInto` of itself.
pub(crate) fn rt_columns(
    tx: &Transaction,
    named: &Named,
) -> (&'static str, String, String, String) {
    let (field, old, new) = match tx.change {
        Change::Merged { .. } => ("MergedInto", String::new(), tx.ticket.to_string()),
        _ => tx.change.rt_field(),
    };
    let names = varde_rt::describe::Names {
        subject: &|n| named.subjects.get(&n).cloned().unwrap_or_default(),
        user: &|a| {
            named
                .users
                .get(a)
                .cloned()
                .unwrap_or_else(|| varde_rt::describe::user(a, "", false))
        },
    };
    let description = varde_rt::describe::description(tx, &names);
    (field, old, new, description)
}
