//! The portal's status notices: whether the contact is told of incidents as a technical
//! contact, its own subscriptions (its address's, and the webhooks it owns) with unsubscribe,
//! and a new one by e-mail, SMS or webhook to its organisation's components or every one.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use varde_core::form::FieldErrors;
use varde_core::portal_settings::{SubscriptionWords, subscription_words};
use varde_core::status::subscription::{Channel, SubscriptionForm};
use varde_store::status_subscriptions::Subscriber;

use super::{Portal, PortalNav};
use crate::app::AppState;
use crate::auth::{Caller, ClientAddress};
use crate::console::{FormMap, PageError, PageResult, checked, form_value, render};

struct Row {
    id: i64,
    channel: &'static str,
    target: String,
    components: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "portal_subscriptions.html")]
struct SubscriptionsPage {
    nav: PortalNav,
    s: &'static SubscriptionWords,
    technical_note: &'static str,
    rows: Vec<Row>,
    has_ours: bool,
    me: String,
    notice: &'static str,
    problem: String,
    signing_key: String,
}

fn row(s: &'static SubscriptionWords, sub: &Subscriber, names: &[(i64, String)]) -> Row {
    let components = match &sub.components {
        _ if sub.audience_only => s.our_components.to_string(),
        None => s.every_component.to_string(),
        Some(ids) => ids
            .iter()
            .filter_map(|id| names.iter().find(|(c, _)| c == id).map(|(_, n)| n.clone()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    Row {
        id: sub.id,
        channel: match sub.channel {
            Channel::Email => s.email,
            Channel::Sms => s.sms,
            Channel::Webhook => s.webhook,
        },
        target: sub.target.clone(),
        components,
        state: if sub.audience_only {
            s.as_technical
        } else if sub.disabled {
            s.switched_off
        } else if !sub.confirmed {
            s.waiting
        } else {
            s.active
        },
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    p: Portal,
    (notice, problem, signing_key): (&'static str, String, String),
) -> PageResult {
    let s = subscription_words(p.contact.language);
    let mine = state
        .app
        .portal_subscriptions(&caller.acting(), &p.contact)
        .await
        .map_err(|e| PageError::new(e.into(), caller))?;
    let rows = mine
        .list
        .iter()
        .map(|sub| row(s, sub, &mine.names))
        .collect();
    let status = if problem.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SubscriptionsPage {
        technical_note: match (mine.technical, mine.notices) {
            (true, true) => s.told_as_contact,
            (true, false) => s.notices_off,
            (false, _) => "",
        },
        has_ours: !mine.ours.is_empty(),
        rows,
        me: caller.audit_name(),
        notice,
        problem,
        signing_key,
        s,
        nav: p.nav,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Query(q): Query<super::Done>,
) -> PageResult {
    let p = Portal::of(&state, &caller, &jar, "/portal/subscriptions").await?;
    let s = subscription_words(p.contact.language);
    let notice = match q.done.as_deref() {
        Some("subscribed") => s.subscribed,
        Some("unsubscribed") => s.unsubscribed,
        _ => "",
    };
    page(&state, &caller, p, (notice, String::new(), String::new())).await
}

/// A new subscription: `channel`, `target`, and `scope` (`ours`: the organisation's
/// components; `all`: every one), in the contact's language; a webhook is owned by the
/// contact's address.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    address: ClientAddress,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/subscriptions").await?;
    let mine = state
        .app
        .portal_subscriptions(&caller.acting(), &p.contact)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    let typed = SubscriptionForm {
        channel: form_value(&form, "channel"),
        target: form_value(&form, "target"),
        language: p.contact.language.code().to_string(),
        owner_email: caller.audit_name(),
        components: if form_value(&form, "scope") == "all" {
            Vec::new()
        } else {
            mine.ours.iter().map(|c| c.id).collect()
        },
    };
    let outcome = match typed.parse() {
        Ok(new) => crate::status::subscribe::add_subscription(&state, &new, &caller, address.ip)
            .await
            .map_err(|e| PageError::new(e, &caller))?,
        Err(errors) => Err(errors),
    };
    match outcome {
        Ok((_, Some(key), _)) => {
            let s = subscription_words(p.contact.language);
            page(&state, &caller, p, (s.subscribed, String::new(), key)).await
        }
        Ok(_) => Ok(Redirect::to("/portal/subscriptions?done=subscribed").into_response()),
        Err(errors) => {
            let problem = problems(&errors);
            page(&state, &caller, p, ("", problem, String::new())).await
        }
    }
}

fn problems(errors: &FieldErrors) -> String {
    ["channel", "target", "owner_email", "components"]
        .iter()
        .filter_map(|f| errors.get(f))
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let p = Portal::of(&state, &caller, &jar, "/portal/subscriptions").await?;
    state
        .app
        .end_own_subscription(&caller.acting(), &p.contact, id)
        .await
        .map_err(|e| PageError::new(e.into(), &caller))?;
    Ok(Redirect::to("/portal/subscriptions?done=unsubscribed").into_response())
}
