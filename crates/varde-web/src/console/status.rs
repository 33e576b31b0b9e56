//! The status page from the agents' side: components and their status, posting and updating
//! incidents and maintenance, linking tickets, and which organisations an incident touches.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use varde_app::status::ComponentForm;
use varde_core::access::{Action, Resource};
use varde_core::catalogue::{Service, Site};
use varde_core::form::FieldErrors;
use varde_core::status::{
    ComponentStatus, EventForm, EventKind, Impact, IncidentStatus, MaintenanceStatus, UpdateForm,
    words,
};
use varde_core::values::Language;
use varde_store::StoreError;
use varde_store::status::{Component, Event, EventFilter};

use super::{
    FormMap, Nav, PageError, PageResult, app_err, checked, form_outcome, form_value, render,
};
use crate::api::{Id, authorize};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

struct ComponentRow {
    id: i64,
    name: String,
    group: String,
    is_group: bool,
    status: &'static str,
    /// The organisations with this service at this site on a contract in force.
    customers: usize,
}

struct EventRow {
    id: i64,
    kind: &'static str,
    name: String,
    status: &'static str,
    impact: &'static str,
    when: String,
}

#[derive(Template)]
#[template(path = "console_status.html")]
struct Overview {
    nav: Nav,
    components: Vec<ComponentRow>,
    statuses: Vec<(&'static str, &'static str)>,
    open: Vec<EventRow>,
    recent: Vec<EventRow>,
    admin: bool,
    groups: Vec<(i64, String)>,
    services: Vec<(&'static str, &'static str)>,
    sites: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "console_status_event.html")]
struct EventPage {
    nav: Nav,
    heading: String,
    /// Empty for a new event.
    action: String,
    kind: &'static str,
    event: Option<EventView>,
    statuses: Vec<(&'static str, &'static str)>,
    impacts: Vec<(&'static str, &'static str)>,
    components: Vec<ComponentChoice>,
    component_statuses: Vec<(&'static str, &'static str)>,
    values: FormMap,
    errors: FieldErrors,
    customers: Vec<(i64, String)>,
}

impl EventPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn error(&self, name: &str) -> &str {
        self.errors.get(name).unwrap_or("")
    }
}

struct ComponentChoice {
    id: i64,
    name: String,
    current: &'static str,
    chosen: String,
    error: String,
}

struct EventView {
    id: i64,
    status: &'static str,
    impact: &'static str,
    window: String,
    updates: Vec<(String, &'static str, String, String)>,
    tickets: Vec<i64>,
    /// `(status, count)` over every notification of this event.
    delivery_counts: Vec<(String, i64)>,
    /// Per update (newest first): who was told, how it went.
    deliveries: Vec<(String, Vec<varde_store::status_subscriptions::DeliveryLine>)>,
}

fn when(state: &AppState, t: jiff::Timestamp) -> String {
    state.status.settings.local_time(t)
}

fn event_row(state: &AppState, e: &Event) -> EventRow {
    EventRow {
        id: e.id,
        kind: e.kind.code(),
        name: e.name.clone(),
        status: e.status.code(),
        impact: e.kind.impact_code(e.impact),
        when: when(state, e.window.map(|w| w.from).unwrap_or(e.created_at)),
    }
}

fn page_err(caller: &Caller) -> impl Fn(ApiError) -> PageError + '_ {
    move |e| PageError::new(e, caller)
}

fn store_err(caller: &Caller) -> impl Fn(StoreError) -> PageError + '_ {
    move |e| PageError::new(e.into(), caller)
}

fn component_statuses() -> Vec<(&'static str, &'static str)> {
    ComponentStatus::ALL
        .iter()
        .map(|s| (s.code(), s.label()))
        .collect()
}

async fn overview_page(state: &AppState, caller: &Caller, errors: FieldErrors) -> PageResult {
    let store = &state.store;
    let today = state
        .now()
        .to_zoned(state.status.settings.time_zone.clone())
        .date()
        .to_string();
    let all = store.components().await.map_err(store_err(caller))?;
    let mut components = Vec::new();
    for c in &all {
        let customers = store
            .organizations_using(c, &today)
            .await
            .map_err(store_err(caller))?
            .len();
        components.push(ComponentRow {
            id: c.id,
            name: c.name.clone(),
            group: c
                .group_id
                .and_then(|g| all.iter().find(|x| x.id == g))
                .map(|g| g.name.clone())
                .unwrap_or_default(),
            is_group: c.is_group,
            status: c.status.code(),
            customers,
        });
    }
    let mut open = store
        .events(EventFilter::OpenIncidents, 100)
        .await
        .map_err(store_err(caller))?;
    open.extend(
        store
            .events(EventFilter::OpenMaintenances, 100)
            .await
            .map_err(store_err(caller))?,
    );
    let recent = store
        .events(EventFilter::All, 30)
        .await
        .map_err(store_err(caller))?
        .into_iter()
        .filter(|e| e.status.is_closed())
        .collect::<Vec<_>>();
    let page = Overview {
        nav: Nav::of(caller),
        components,
        statuses: component_statuses(),
        open: open.iter().map(|e| event_row(state, e)).collect(),
        recent: recent.iter().map(|e| event_row(state, e)).collect(),
        admin: varde_core::access::can(&caller.actor, Action::Write, &Resource::StatusComponents),
        groups: all
            .iter()
            .filter(|c| c.is_group)
            .map(|c| (c.id, c.name.clone()))
            .collect(),
        services: Service::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        sites: Site::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        errors,
    };
    Ok(render(&page))
}

pub async fn overview(State(state): State<AppState>, caller: Caller) -> PageResult {
    authorize(&caller, Action::Read, Resource::StatusPage).map_err(page_err(&caller))?;
    overview_page(&state, &caller, FieldErrors::new()).await
}

/// An administrator adds a component or a group.
pub async fn create_component(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let component = ComponentForm {
        name: form_value(&form, "name"),
        description: form_value(&form, "description"),
        group_id: form_value(&form, "group_id"),
        is_group: form_value(&form, "is_group") == "yes",
        service: form_value(&form, "service"),
        site: form_value(&form, "site"),
    };
    let added = state.app.add_component(&caller.acting(), &component).await;
    if let Err(errors) = form_outcome(added, &caller)? {
        return overview_page(&state, &caller, errors).await;
    }
    state.status.invalidate();
    Ok(Redirect::to("/console/status").into_response())
}

/// A quick correction of one component's status, outside any incident.
pub async fn set_component(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    state
        .app
        .set_component_status(&caller.acting(), id, &form_value(&form, "status"))
        .await
        .map_err(app_err(&caller))?;
    state.status.invalidate();
    Ok(Redirect::to("/console/status").into_response())
}

#[derive(Deserialize)]
pub struct KindParam {
    kind: Option<String>,
}

fn kind_of(raw: Option<&str>) -> EventKind {
    raw.and_then(EventKind::parse)
        .unwrap_or(EventKind::Incident)
}

fn statuses(kind: EventKind) -> Vec<(&'static str, &'static str)> {
    match kind {
        EventKind::Incident => IncidentStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        EventKind::Maintenance => MaintenanceStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
    }
}

fn choices(
    components: &[Component],
    values: &FormMap,
    errors: &FieldErrors,
    only: Option<&[i64]>,
) -> Vec<ComponentChoice> {
    components
        .iter()
        .filter(|c| !c.is_group)
        .filter(|c| only.is_none_or(|ids| ids.contains(&c.id)))
        .map(|c| ComponentChoice {
            id: c.id,
            name: c.name.clone(),
            current: c.status.code(),
            chosen: values
                .get(&format!("component_{}", c.id))
                .cloned()
                .unwrap_or_default(),
            error: errors
                .get(&format!("component_{}", c.id))
                .unwrap_or("")
                .to_string(),
        })
        .collect()
}

fn component_fields(form: &FormMap) -> Vec<(i64, String)> {
    form.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("component_")?.parse().ok()?, v.clone())))
        .collect()
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    kind: EventKind,
    values: FormMap,
    errors: FieldErrors,
) -> PageResult {
    let components = state.store.components().await.map_err(store_err(caller))?;
    let page = EventPage {
        nav: Nav::of(caller),
        heading: match kind {
            EventKind::Incident => "New incident".into(),
            EventKind::Maintenance => "Schedule maintenance".into(),
        },
        action: String::new(),
        kind: kind.code(),
        event: None,
        statuses: statuses(kind),
        impacts: Impact::ALL.iter().map(|i| (i.code(), i.label())).collect(),
        components: choices(&components, &values, &errors, None),
        component_statuses: component_statuses(),
        values,
        errors,
        customers: Vec::new(),
    };
    Ok(render(&page))
}

pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<KindParam>,
) -> PageResult {
    authorize(&caller, Action::Write, Resource::StatusPage).map_err(page_err(&caller))?;
    let kind = kind_of(p.kind.as_deref());
    let mut values = FormMap::new();
    values.insert("impact".into(), "minor".into());
    new_page(&state, &caller, kind, values, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let kind = kind_of(form.get("kind").map(String::as_str));
    let event = EventForm {
        name: form_value(&form, "name"),
        status: form_value(&form, "status"),
        impact: form_value(&form, "impact"),
        body: form_value(&form, "body"),
        components: component_fields(&form),
        scheduled_for: form_value(&form, "scheduled_for"),
        scheduled_until: form_value(&form, "scheduled_until"),
        auto_start: form_value(&form, "auto_start") == "yes",
        auto_complete: form_value(&form, "auto_complete") == "yes",
    };
    let tz = &state.status.settings.time_zone;
    let posted = state
        .app
        .post_event(&caller.acting(), kind, &event, tz)
        .await;
    let id = match form_outcome(posted, &caller)? {
        Ok(id) => id,
        Err(errors) => return new_page(&state, &caller, kind, form, errors).await,
    };
    state.status.invalidate();
    Ok(Redirect::to(&format!("/console/status/events/{id}")).into_response())
}

async fn event_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    values: FormMap,
    errors: FieldErrors,
) -> PageResult {
    let e = state
        .store
        .event(id)
        .await
        .map_err(store_err(caller))?
        .ok_or_else(|| PageError::new(ApiError::not_found(), caller))?;
    let components = state.store.components().await.map_err(store_err(caller))?;
    let today = state
        .now()
        .to_zoned(state.status.settings.time_zone.clone())
        .date()
        .to_string();
    let mut customers: Vec<(i64, String)> = Vec::new();
    for c in components.iter().filter(|c| e.components.contains(&c.id)) {
        for (org, name) in state
            .store
            .organizations_using(c, &today)
            .await
            .map_err(store_err(caller))?
        {
            if !customers.iter().any(|(o, _)| *o == org.0) {
                customers.push((org.0, name));
            }
        }
    }
    customers.sort_by(|a, b| a.1.cmp(&b.1));
    let w = words(Language::English);
    let delivery_counts = state
        .store
        .event_delivery_counts(e.id)
        .await
        .map_err(store_err(caller))?;
    let mut deliveries = Vec::new();
    for u in &e.updates {
        let log = state
            .store
            .update_deliveries(u.id)
            .await
            .map_err(store_err(caller))?;
        if !log.is_empty() {
            deliveries.push((
                format!(
                    "{} ({})",
                    w.event_status(u.status),
                    when(state, u.created_at)
                ),
                log,
            ));
        }
    }
    let mut values = values;
    values
        .entry("status".into())
        .or_insert_with(|| e.status.code().to_string());
    let page = EventPage {
        nav: Nav::of(caller),
        heading: e.name.clone(),
        action: format!("/console/status/events/{id}/updates"),
        kind: e.kind.code(),
        statuses: statuses(e.kind),
        impacts: Vec::new(),
        components: choices(&components, &values, &errors, None),
        component_statuses: component_statuses(),
        event: Some(EventView {
            id: e.id,
            status: w.event_status(e.status),
            impact: e.kind.impact_code(e.impact),
            window: e
                .window
                .map(|win| format!("{} – {}", when(state, win.from), when(state, win.until)))
                .unwrap_or_default(),
            updates: e
                .updates
                .iter()
                .map(|u| {
                    let affected = u
                        .affected
                        .iter()
                        .map(|a| format!("{}: {} → {}", a.name, a.old, a.new))
                        .collect::<Vec<_>>()
                        .join("; ");
                    (
                        when(state, u.created_at),
                        w.event_status(u.status),
                        u.body.clone(),
                        affected,
                    )
                })
                .collect(),
            tickets: e.tickets.clone(),
            delivery_counts,
            deliveries,
        }),
        values,
        errors,
        customers,
    };
    Ok(render(&page))
}

pub async fn show(State(state): State<AppState>, caller: Caller, Id(id): Id) -> PageResult {
    authorize(&caller, Action::Read, Resource::StatusPage).map_err(page_err(&caller))?;
    event_page(&state, &caller, id, FormMap::new(), FieldErrors::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let update = UpdateForm {
        status: form_value(&form, "status"),
        body: form_value(&form, "body"),
        components: component_fields(&form),
    };
    let updated = state.app.update_event(&caller.acting(), id, &update).await;
    if let Err(errors) = form_outcome(updated, &caller)? {
        return event_page(&state, &caller, id, form, errors).await;
    }
    state.status.invalidate();
    Ok(Redirect::to(&format!("/console/status/events/{id}")).into_response())
}

pub async fn link_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let linked = state
        .app
        .link_event_ticket(&caller.acting(), id, &form_value(&form, "ticket"))
        .await;
    match form_outcome(linked, &caller)? {
        Ok(()) => Ok(Redirect::to(&format!("/console/status/events/{id}")).into_response()),
        Err(errors) => event_page(&state, &caller, id, form, errors).await,
    }
}

struct SubscriptionRow {
    id: i64,
    channel: &'static str,
    target: String,
    components: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "console_subscriptions.html")]
struct SubscriptionsPage {
    nav: Nav,
    email: String,
    rows: Vec<SubscriptionRow>,
}

fn own_email(caller: &Caller) -> Result<String, PageError> {
    caller
        .account
        .as_ref()
        .map(|a| a.email.as_str().to_string())
        .ok_or_else(|| PageError::new(ApiError::unauthenticated(), caller))
}

/// Every logged-in account manages its own status subscriptions here: those to its address
/// and the webhooks it owns.
pub async fn my_subscriptions(State(state): State<AppState>, caller: Caller) -> PageResult {
    caller.require_login().map_err(page_err(&caller))?;
    let email = own_email(&caller)?;
    let components = state.store.components().await.map_err(store_err(&caller))?;
    let rows = state
        .store
        .subscribers_of(&email)
        .await
        .map_err(store_err(&caller))?
        .into_iter()
        .map(|s| SubscriptionRow {
            id: s.id,
            channel: s.channel.label(),
            target: s.target.clone(),
            components: match &s.components {
                None => "all components".into(),
                Some(ids) => components
                    .iter()
                    .filter(|c| ids.contains(&c.id))
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            state: if s.disabled {
                "switched off after failures"
            } else if !s.confirmed {
                "waiting for confirmation"
            } else {
                "active"
            },
        })
        .collect();
    Ok(render(&SubscriptionsPage {
        nav: Nav::of(&caller),
        email,
        rows,
    }))
}

/// Subscribes the account's own address to every component (it needs no opt-in mail: the
/// account has shown that the address is its own).
pub async fn subscribe_me(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let email = own_email(&caller)?;
    // A customer contact hears in its own language.
    let language = match caller.account.as_ref() {
        Some(a) => state
            .store
            .contact_by_email(&a.email)
            .await
            .map_err(store_err(&caller))?
            .map(|c| c.details.language)
            .unwrap_or(Language::English),
        None => Language::English,
    };
    let new = varde_core::status::subscription::SubscriptionForm {
        channel: "email".into(),
        target: email,
        language: language.code().into(),
        ..Default::default()
    }
    .parse()
    .map_err(|e| PageError::new(ApiError::invalid(e), &caller))?;
    let now = state.now();
    let s = state
        .store
        .subscribe(&new, None, now)
        .await
        .map_err(store_err(&caller))?;
    state
        .store
        .confirm_subscriber(s.id, now)
        .await
        .map_err(store_err(&caller))?;
    Ok(Redirect::to("/console/subscriptions").into_response())
}

pub async fn end_subscription(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<FormMap>,
) -> PageResult {
    checked(&caller, &form)?;
    let email = own_email(&caller)?;
    let mine = state
        .store
        .subscribers_of(&email)
        .await
        .map_err(store_err(&caller))?
        .iter()
        .any(|s| s.id == id);
    if !mine {
        return Err(PageError::new(ApiError::not_found(), &caller));
    }
    state
        .store
        .unsubscribe(id, state.now())
        .await
        .map_err(store_err(&caller))?;
    Ok(Redirect::to("/console/subscriptions").into_response())
}
