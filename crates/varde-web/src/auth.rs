//! Who is calling: an API token (`Authorization: Bearer …`), a browser session (HttpOnly
//! cookie plus a CSRF token for every change), or nobody. Passwords are argon2 hashes,
//! computed off the async threads; tokens and sessions are stored as SHA-256 digests.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use varde_core::access::{Actor, TokenScope};
use varde_core::account::Account;
use varde_core::values::EmailAddress;

use crate::app::AppState;
use crate::error::{ApiError, ErrorCode};

pub const SESSION_COOKIE: &str = "varde_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a browser session lives.
pub const SESSION_HOURS: i64 = 12;

pub use varde_app::accounts::{HashError, hash_password, new_secret, verify_password};

/// How the caller proved who it is.
#[derive(Clone, Debug)]
pub enum Credential {
    None,
    Token,
    Session { secret: String, csrf: String },
}

/// The caller of a request: its actor for [`varde_core::access::can`], and its account.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    pub account: Option<Account>,
    pub credential: Credential,
}

impl Caller {
    /// The name the audit history records for changes made by this caller.
    pub fn audit_name(&self) -> String {
        self.account
            .as_ref()
            .map(|a| a.email.to_string())
            .unwrap_or_else(|| "anonymous".into())
    }

    /// Who acts in a use case: the actor and the name the audit trail records.
    /// The logged-in person's name as the console shows it (blank for nobody).
    pub fn display_name(&self) -> String {
        self.account
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_default()
    }

    pub fn acting(&self) -> varde_app::Acting {
        varde_app::Acting::new(self.actor, self.audit_name())
    }

    pub fn require_login(&self) -> Result<&Account, ApiError> {
        match (&self.account, self.actor) {
            (Some(a), actor) if actor != Actor::Anonymous => Ok(a),
            _ => Err(ApiError::unauthenticated()),
        }
    }

    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf, .. } => csrf,
            _ => "",
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        // Found once per request, however many extractors and middlewares ask.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = Caller::find(parts, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

impl Caller {
    async fn find(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let now = state.now();
        if let Some(token) = bearer(parts) {
            return match state.store.token_account(token, now).await? {
                Some((account, scope)) => Ok(Caller {
                    actor: account.actor(scope),
                    account: Some(account),
                    credential: Credential::Token,
                }),
                None => {
                    tracing::warn!("presented API token is unknown or revoked");
                    Err(ApiError::new(
                        ErrorCode::Unauthenticated,
                        "the API token is unknown or revoked",
                    ))
                }
            };
        }
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string())
            && let Some((account, csrf)) = state.store.session(&secret, now).await?
        {
            let caller = Caller {
                actor: account.actor(TokenScope::Write),
                account: Some(account),
                credential: Credential::Session { secret, csrf },
            };
            // A change made with a session cookie must carry the session's CSRF token, in the
            // header (scripts, htmx) or in the form (checked by the form handlers).
            if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
                && parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(parts.uri.path(), |u| u.0.path())
                    .starts_with("/api/")
            {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if sent != Some(caller.csrf()) {
                    return Err(ApiError::new(
                        ErrorCode::CsrfFailed,
                        "missing or wrong X-CSRF-Token header",
                    ));
                }
            }
            return Ok(caller);
        }
        Ok(Caller {
            actor: Actor::Anonymous,
            account: None,
            credential: Credential::None,
        })
    }
}

/// Checks a CSRF token sent in a form against the caller's session.
pub fn check_form_csrf(caller: &Caller, sent: &str) -> Result<(), ApiError> {
    match &caller.credential {
        Credential::Session { csrf, .. } if constant_time_eq(csrf.as_bytes(), sent.as_bytes()) => {
            Ok(())
        }
        Credential::Session { .. } => Err(ApiError::new(
            ErrorCode::CsrfFailed,
            "the form has expired; reload the page and try again",
        )),
        _ => Err(ApiError::unauthenticated()),
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The cookie that carries a session secret.
pub fn session_cookie(secret: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, secret))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}

/// The proxies whose forwarded client address Varde believes (`--trusted-proxy CIDR`), and
/// the networks the mail gateway takes mail from besides this host (`--mail-gateway-allow`).
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub mail_gateway_allow: Vec<ipnet::IpNet>,
}

/// Where a request came from, as far as Varde can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress {
    /// The TCP peer, or, when the peer is a trusted proxy, the address it forwarded; `None`
    /// when the server runs without connection info (some tests).
    pub ip: Option<IpAddr>,
    /// The request passed through a proxy (it carries forwarding headers): it is never the
    /// MTA on this host, whatever the TCP peer.
    pub forwarded: bool,
}

const FORWARDING_HEADERS: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

impl ClientAddress {
    /// Reads the peer and, only from trusted proxies, `X-Forwarded-For`: the rightmost address
    /// that is not itself a trusted proxy (addresses further left were written by the client
    /// and prove nothing).
    pub fn of(parts: &Parts, network: &Network) -> ClientAddress {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_canonical());
        let forwarded = FORWARDING_HEADERS
            .iter()
            .any(|h| parts.headers.contains_key(*h));
        let trusted = |ip: &IpAddr| network.trusted_proxies.iter().any(|n| n.contains(ip));
        let ip = match peer {
            Some(p) if trusted(&p) => parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .map(|a| a.to_canonical())
                .rev()
                .find(|a| !trusted(a))
                .or(Some(p)),
            other => other,
        };
        ClientAddress { ip, forwarded }
    }

    /// Whether this request may deliver mail: the MTA on this host (loopback, not through a
    /// proxy) or a network the operator allowed.
    pub fn may_deliver_mail(&self, network: &Network) -> bool {
        match self.ip {
            Some(ip) if ip.is_loopback() && !self.forwarded => true,
            Some(ip) => network.mail_gateway_allow.iter().any(|n| n.contains(&ip)),
            None => false,
        }
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddress, Self::Rejection> {
        Ok(ClientAddress::of(parts, &state.network))
    }
}

/// Checks an e-mail and password; on success gives the account. Every failure looks the same
/// to the caller, and the work done is the same whether the account exists or not.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<Account, ApiError> {
    let found = match EmailAddress::parse(email) {
        Ok(email) => state.store.account_for_login(&email).await?,
        // RT's clients log in with RT's login name (`RTUSER=alice`), kept for its users.
        Err(_) if !email.trim().is_empty() => state.store.account_by_login(email.trim()).await?,
        Err(_) => None,
    };
    // The tries count against the account, whichever of its names was typed.
    let counted = found
        .as_ref()
        .map_or_else(|| email.trim().to_lowercase(), |(a, _)| a.email.to_string());
    if !state
        .app
        .spend_tries(&varde_core::limits::login(&counted, address))
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many login attempts; wait a minute and try again",
        ));
    }
    let refused = || {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "wrong e-mail address or password",
        )
    };
    let (account, hash) = match found {
        Some((account, Some(hash))) if !account.disabled => (Some(account), hash),
        _ => (None, state.dummy_hash.clone()),
    };
    let ok = verify_password(password.to_string(), hash).await;
    match account {
        Some(a) if ok && a.actor(TokenScope::Write) != Actor::Anonymous => {
            if state.app.may_log_in(&a).await? {
                Ok(a)
            } else {
                Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "your organisation has not given you access to the portal; ask its primary contact or your service manager",
                ))
            }
        }
        _ => Err(refused()),
    }
}
