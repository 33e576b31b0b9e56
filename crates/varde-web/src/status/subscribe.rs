//! Subscribing to the status page: the public form (e-mail with double opt-in, SMS, webhook;
//! every component or chosen ones; a language), the signed confirm and unsubscribe links
//! (one-click unsubscribe per RFC 8058), and the place where a logged-in contact manages its
//! subscriptions.

use std::net::IpAddr;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use varde_core::form::FieldErrors;
use varde_core::status::subscribe_words::{SubscribeWords, subscribe_words};
use varde_core::status::subscription::{
    Channel, NewSubscription, SubscriptionForm, webhook_may_reach,
};
use varde_core::values::Language;
use varde_notify::links::{self, Purpose};
use varde_store::StoreError;
use varde_store::status_subscriptions::Subscriber;

use super::{StatusSettings, language};
use crate::app::AppState;
use crate::auth::Caller;
use crate::console::{FormMap, form_value, render};
use crate::error::ApiError;

struct ComponentChoice {
    id: i64,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "status_subscribe.html")]
struct SubscribePage {
    c: super::page::Chrome,
    sw: &'static SubscribeWords,
    channel: String,
    target: String,
    owner_email: String,
    components: Vec<ComponentChoice>,
    errors: FieldErrors,
}

impl SubscribePage {
    fn error(&self, name: &str) -> &str {
        self.errors.get(name).unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "status_message.html")]
struct MessagePage {
    c: super::page::Chrome,
    sw: &'static SubscribeWords,
    heading: String,
    message: String,
    /// Shown once: a webhook's signing key.
    secret: String,
    /// A form that finishes the action (the one-click unsubscribe).
    action: String,
    button: String,
}

/// A page that says `heading` and `text` (its `{}` the address) in `lang`.
fn message(
    c: super::page::Chrome,
    lang: Language,
    (heading, text, address): (&str, &str, &str),
) -> MessagePage {
    MessagePage {
        c,
        sw: subscribe_words(lang),
        message: SubscribeWords::about(text, address),
        heading: heading.into(),
        secret: String::new(),
        action: String::new(),
        button: String::new(),
    }
}

#[derive(Deserialize)]
pub(super) struct LangParam {
    lang: Option<String>,
}

async fn page(
    state: &AppState,
    lang: Language,
    values: &FormMap,
    chosen: &[i64],
    errors: FieldErrors,
) -> Result<Response, ApiError> {
    let settings = &state.status.settings;
    let components = state.store.components().await?;
    let sw = subscribe_words(lang);
    let mut errors_read = FieldErrors::new();
    for field in ["channel", "target", "owner_email"] {
        if let Some(detail) = errors.get(field) {
            errors_read.add(field, sw.refusal(field, detail, lang));
        }
    }
    let errors = if errors.is_empty() {
        errors
    } else {
        errors_read
    };
    let page = SubscribePage {
        sw,
        c: super::page::Chrome::new(settings, lang, "/status/subscribe"),
        channel: values
            .get("channel")
            .cloned()
            .unwrap_or_else(|| "email".into()),
        target: form_value(values, "target"),
        owner_email: form_value(values, "owner_email"),
        components: components
            .iter()
            .filter(|c| !c.is_group)
            .map(|c| ComponentChoice {
                id: c.id,
                name: c.name.clone(),
                checked: chosen.contains(&c.id),
            })
            .collect(),
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)).into_response())
}

pub(super) async fn form(
    State(state): State<AppState>,
    Query(p): Query<LangParam>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = language(p.lang.as_deref(), &headers);
    page(&state, lang, &FormMap::new(), &[], FieldErrors::new()).await
}

/// The form's fields; `component` repeats, once per ticked component.
fn fields(body: &str) -> (FormMap, Vec<i64>) {
    let mut map = FormMap::new();
    let mut chosen = Vec::new();
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        if k == "component" {
            if let Ok(id) = v.parse() {
                chosen.push(id);
            }
        } else {
            map.insert(k.into_owned(), v.into_owned());
        }
    }
    (map, chosen)
}

/// Whether a webhook's host may be reached: an IP literal is checked as it is, a name by what
/// it resolves to now (the worker checks again at every delivery).
async fn reachable(settings: &StatusSettings, target: &str) -> Result<(), String> {
    let url = url::Url::parse(target).map_err(|e| format!("not a URL: {e}"))?;
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("{host} does not resolve: {e}"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses
        .iter()
        .any(|ip| webhook_may_reach(*ip, &settings.allowed_networks))
    {
        Ok(())
    } else {
        Err(format!(
            "{host} is a private or loopback address; webhooks only go to public addresses unless an administrator allows the range"
        ))
    }
}

pub(super) async fn subscribe(
    State(state): State<AppState>,
    Query(p): Query<LangParam>,
    headers: HeaderMap,
    caller: Caller,
    address: crate::auth::ClientAddress,
    body: String,
) -> Result<Response, ApiError> {
    let lang = language(p.lang.as_deref(), &headers);
    handle(&state, lang, &caller, address.ip, &body).await
}

/// Subscribes `new` for `caller` from `address`: a webhook only to an address it may reach,
/// within the address's limits. An e-mail address that is the caller's own is confirmed at
/// once (a logged-in account has shown that it owns it). Gives the subscriber, a webhook's
/// signing key (shown once) and whether it was the caller's own address; or what to mend.
pub(crate) async fn add_subscription(
    state: &AppState,
    new: &NewSubscription,
    caller: &Caller,
    address: Option<IpAddr>,
) -> Result<Result<(Subscriber, Option<String>, bool), FieldErrors>, ApiError> {
    let mut errors = FieldErrors::new();
    if new.channel == Channel::Webhook
        && let Err(e) = reachable(&state.status.settings, &new.target).await
    {
        errors.add("target", e);
        return Ok(Err(errors));
    }
    if !state
        .app
        .spend_tries(&varde_core::limits::subscribe(&new.target, address))
        .await?
    {
        errors.add("target", subscribe_words(new.language).too_many);
        return Ok(Err(errors));
    }
    let signing_key = (new.channel == Channel::Webhook).then(|| crate::auth::new_secret("whsec_"));
    let now = state.now();
    let s = match state
        .store
        .subscribe(new, signing_key.as_deref(), now)
        .await
    {
        Ok(s) => s,
        Err(StoreError::Conflict(errors)) => return Ok(Err(errors)),
        Err(e) => return Err(e.into()),
    };
    let own = caller
        .account
        .as_ref()
        .is_some_and(|a| a.email.as_str().eq_ignore_ascii_case(&s.target));
    if !s.confirmed && own {
        state.store.confirm_subscriber(s.id, now).await?;
    }
    Ok(Ok((s, signing_key, own)))
}

/// Handles the posted form.
async fn handle(
    state: &AppState,
    lang: Language,
    caller: &Caller,
    address: Option<IpAddr>,
    body: &str,
) -> Result<Response, ApiError> {
    let settings = &state.status.settings;
    let (values, chosen) = fields(body);
    let form = SubscriptionForm {
        channel: form_value(&values, "channel"),
        target: form_value(&values, "target"),
        language: values
            .get("language")
            .cloned()
            .unwrap_or_else(|| lang.code().to_string()),
        owner_email: form_value(&values, "owner_email"),
        components: if form_value(&values, "scope") == "all" {
            Vec::new()
        } else {
            chosen.clone()
        },
    };
    let mut new = match form.parse() {
        Ok(n) => n,
        Err(errors) => return page(state, lang, &values, &chosen, errors).await,
    };
    new.language = Language::parse(&form.language).unwrap_or(lang);
    let (s, signing_key, own) = match add_subscription(state, &new, caller, address).await? {
        Ok(added) => added,
        Err(errors) => return page(state, lang, &values, &chosen, errors).await,
    };
    let c = super::page::Chrome::new(settings, lang, "/status/subscribe");
    let sw = subscribe_words(lang);
    let mut done = match s.channel {
        Channel::Email if !s.confirmed && !own => {
            message(c, lang, (sw.check_mail, sw.check_mail_text, &s.target))
        }
        Channel::Webhook => message(c, lang, (sw.webhook_subscribed, sw.webhook_text, &s.target)),
        _ => message(c, lang, (sw.subscribed, sw.subscribed_text, &s.target)),
    };
    if s.channel == Channel::Webhook {
        done.secret = signing_key.unwrap_or_default();
    }
    Ok(render(&done))
}

#[derive(Deserialize)]
pub(super) struct Signed {
    sig: Option<String>,
    lang: Option<String>,
}

/// The subscriber a signed link is for; 404 for a link that is not signed for it.
async fn signed_subscriber(
    state: &AppState,
    id: i64,
    purpose: Purpose,
    sig: Option<&str>,
) -> Result<Subscriber, ApiError> {
    let key = state.status.load_link_key(&state.store).await?;
    if !links::verify(&key, purpose, id, sig.unwrap_or("")) {
        return Err(ApiError::not_found());
    }
    state
        .store
        .subscriber(id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The confirmation link opens a page with one button: following a link changes nothing
/// (mail scanners follow them all); the button's POST confirms.
pub(super) async fn confirm_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Signed>,
) -> Result<Response, ApiError> {
    let s = signed_subscriber(&state, id, Purpose::Confirm, q.sig.as_deref()).await?;
    let lang = q
        .lang
        .as_deref()
        .and_then(|l| Language::parse(l).ok())
        .unwrap_or(s.language);
    let c = super::page::Chrome::new(&state.status.settings, lang, "/status");
    let sw = subscribe_words(lang);
    let mut page = message(c, lang, (sw.confirm, sw.confirm_text, &s.target));
    page.action = format!(
        "/status/subscriptions/{id}/confirm?sig={}&lang={}",
        crate::query_value(q.sig.as_deref().unwrap_or("")),
        lang.code()
    );
    page.button = sw.confirm_button.into();
    Ok(render(&page))
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Signed>,
) -> Result<Response, ApiError> {
    let s = signed_subscriber(&state, id, Purpose::Confirm, q.sig.as_deref()).await?;
    state.store.confirm_subscriber(id, state.now()).await?;
    let lang = q
        .lang
        .as_deref()
        .and_then(|l| Language::parse(l).ok())
        .unwrap_or(s.language);
    let c = super::page::Chrome::new(&state.status.settings, lang, "/status");
    let sw = subscribe_words(lang);
    Ok(render(&message(
        c,
        lang,
        (sw.confirmed, sw.confirmed_text, &s.target),
    )))
}

/// The unsubscribe link opens a page with one button, so that mail scanners that follow links
/// do not unsubscribe anyone; mail clients use the one-click POST (RFC 8058).
pub(super) async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Signed>,
) -> Result<Response, ApiError> {
    let s = signed_subscriber(&state, id, Purpose::Unsubscribe, q.sig.as_deref()).await?;
    let c = super::page::Chrome::new(&state.status.settings, s.language, "/status");
    let sw = subscribe_words(s.language);
    let mut page = message(
        c,
        s.language,
        (sw.unsubscribe, sw.unsubscribe_text, &s.target),
    );
    page.action = format!(
        "/status/subscriptions/{id}/unsubscribe?sig={}",
        crate::query_value(q.sig.as_deref().unwrap_or(""))
    );
    page.button = sw.unsubscribe.into();
    Ok(render(&page))
}

pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Signed>,
) -> Result<Response, ApiError> {
    let s = signed_subscriber(&state, id, Purpose::Unsubscribe, q.sig.as_deref()).await?;
    state.store.unsubscribe(id, state.now()).await?;
    let c = super::page::Chrome::new(&state.status.settings, s.language, "/status");
    let sw = subscribe_words(s.language);
    Ok(render(&message(
        c,
        s.language,
        (sw.unsubscribed, sw.unsubscribed_text, &s.target),
    )))
}
