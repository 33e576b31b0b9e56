//! The public page in HTML (home, one incident, history) and its Atom and RSS feeds. The
//! views hold ready-made text so the templates only place it.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use varde_core::status::{ComponentStatus, UPTIME_FORMULA, Words, tally, uptime_days, words};
use varde_core::values::Language;
use varde_store::status::{Component, Event};

use super::{Snapshot, StatusSettings, UPTIME_DAYS, language};
use crate::app::AppState;
use crate::console::render;
use crate::error::ApiError;

#[derive(Deserialize)]
pub(super) struct LangParam {
    lang: Option<String>,
}

pub(super) struct Chrome {
    pub(super) lang: &'static str,
    pub(super) w: &'static Words,
    pub(super) name: String,
    pub(super) languages: Vec<(&'static str, &'static str, bool)>,
    /// The path of this page, for the language links.
    pub(super) here: String,
}

impl Chrome {
    pub(super) fn new(settings: &StatusSettings, lang: Language, here: &str) -> Chrome {
        Chrome {
            lang: lang.code(),
            w: words(lang),
            name: settings.name.clone(),
            languages: Language::ALL
                .iter()
                .map(|l| (l.code(), l.label(), *l == lang))
                .collect(),
            here: here.to_string(),
        }
    }
}

struct UpdateView {
    status: &'static str,
    body: String,
    at: String,
}

struct EventView {
    id: i64,
    name: String,
    status: &'static str,
    closed: bool,
    /// `none`, `minor`, `major`, `critical` or `maintenance`.
    impact: &'static str,
    window: String,
    components: String,
    updates: Vec<UpdateView>,
}

struct Bar {
    class: &'static str,
    title: String,
    x: usize,
}

struct ComponentView {
    name: String,
    description: String,
    status: &'static str,
    status_text: &'static str,
    uptime: String,
    bars: Vec<Bar>,
}

struct GroupView {
    name: String,
    components: Vec<ComponentView>,
}

#[derive(Template)]
#[template(path = "status_home.html")]
struct Home {
    c: Chrome,
    indicator: &'static str,
    indicator_text: &'static str,
    incidents: Vec<EventView>,
    active: Vec<EventView>,
    upcoming: Vec<EventView>,
    groups: Vec<GroupView>,
    past: Vec<EventView>,
    formula: &'static str,
    shown_at: String,
}

#[derive(Template)]
#[template(path = "status_incident.html")]
struct IncidentPage {
    c: Chrome,
    e: EventView,
}

#[derive(Template)]
#[template(path = "status_history.html")]
struct HistoryPage {
    c: Chrome,
    events: Vec<EventView>,
}

fn shown(t: Timestamp, settings: &StatusSettings) -> String {
    settings.local_time(t)
}

fn event_view(s: &Snapshot, settings: &StatusSettings, w: &Words, e: &Event) -> EventView {
    EventView {
        id: e.id,
        name: e.name.clone(),
        status: w.event_status(e.status),
        closed: e.status.is_closed(),
        impact: e.kind.impact_code(e.impact),
        window: e
            .window
            .map(|win| {
                format!(
                    "{} – {}",
                    shown(win.from, settings),
                    shown(win.until, settings)
                )
            })
            .unwrap_or_default(),
        components: e
            .components
            .iter()
            .filter_map(|id| s.component(*id))
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        updates: e
            .updates
            .iter()
            .map(|u| UpdateView {
                status: w.event_status(u.status),
                body: u.body.clone(),
                at: shown(u.created_at, settings),
            })
            .collect(),
    }
}

fn component_view(
    s: &Snapshot,
    settings: &StatusSettings,
    w: &Words,
    c: &Component,
) -> ComponentView {
    let changes = s.history.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
    let days = uptime_days(
        changes,
        c.created_at,
        s.now,
        &settings.time_zone,
        UPTIME_DAYS,
    );
    let window_start = s.now - jiff::SignedDuration::from_hours(24 * UPTIME_DAYS as i64);
    let overall = tally(changes, window_start.max(c.created_at), s.now);
    let bars = days
        .iter()
        .enumerate()
        .map(|(x, d)| {
            let (class, title) = match d.uptime {
                None => ("none", format!("{}: {}", d.date, w.no_data)),
                Some(u) => (
                    match d.worst {
                        ComponentStatus::MajorOutage => "major",
                        ComponentStatus::PartialOutage => "partial",
                        ComponentStatus::DegradedPerformance => "minor",
                        ComponentStatus::UnderMaintenance => "maintenance",
                        ComponentStatus::Operational => "up",
                    },
                    format!(
                        "{}: {:.2} % — {}{}",
                        d.date,
                        u * 100.0,
                        w.component(d.worst),
                        if d.outage_minutes > 0 {
                            format!(" ({} min)", d.outage_minutes)
                        } else {
                            String::new()
                        }
                    ),
                ),
            };
            Bar {
                class,
                title,
                x: x * 4,
            }
        })
        .collect();
    ComponentView {
        name: c.name.clone(),
        description: c.description.clone(),
        status: c.status.code(),
        status_text: w.component(c.status),
        uptime: format!("{:.2} %", overall.uptime() * 100.0),
        bars,
    }
}

fn groups(s: &Snapshot, settings: &StatusSettings, w: &Words) -> Vec<GroupView> {
    let visible = |c: &&Component| {
        let hidden = c.only_show_if_degraded && c.status == ComponentStatus::Operational;
        !c.is_group && !hidden
    };
    let mut out = Vec::new();
    let loose: Vec<ComponentView> = s
        .components
        .iter()
        .filter(|c| c.group_id.is_none())
        .filter(visible)
        .map(|c| component_view(s, settings, w, c))
        .collect();
    if !loose.is_empty() {
        out.push(GroupView {
            name: String::new(),
            components: loose,
        });
    }
    for g in s.components.iter().filter(|c| c.is_group) {
        let members: Vec<ComponentView> = s
            .components
            .iter()
            .filter(|c| c.group_id == Some(g.id))
            .filter(visible)
            .map(|c| component_view(s, settings, w, c))
            .collect();
        if !members.is_empty() {
            out.push(GroupView {
                name: g.name.clone(),
                components: members,
            });
        }
    }
    out
}

pub(super) async fn home(
    State(state): State<AppState>,
    Query(p): Query<LangParam>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = state.status.snapshot(&state.store, state.now()).await?;
    let settings = &state.status.settings;
    let lang = language(p.lang.as_deref(), &headers);
    let slot = &s.pages[Language::ALL.iter().position(|l| *l == lang).unwrap_or(0)];
    if let Some(html) = slot.get() {
        return Ok(public(Html(html.clone()).into_response()));
    }
    let c = Chrome::new(settings, lang, "/status");
    let w = c.w;
    let indicator = s.indicator();
    let view = |list: &[Event]| -> Vec<EventView> {
        list.iter()
            .map(|e| event_view(&s, settings, w, e))
            .collect()
    };
    let past: Vec<Event> = s
        .recent_incidents
        .iter()
        .filter(|e| e.status.is_closed())
        .take(10)
        .cloned()
        .collect();
    let page = Home {
        indicator: indicator.code(),
        indicator_text: w.indicator(indicator),
        incidents: view(&s.open_incidents),
        active: view(&s.active),
        upcoming: view(&s.upcoming),
        groups: groups(&s, settings, w),
        past: view(&past),
        formula: UPTIME_FORMULA,
        shown_at: shown(s.now, settings),
        c,
    };
    match page.render() {
        Ok(html) => {
            let html = slot.get_or_init(|| Bytes::from(html)).clone();
            Ok(public(Html(html).into_response()))
        }
        Err(e) => {
            tracing::error!(error = %e, "status page template failed");
            Err(ApiError::internal(e))
        }
    }
}

pub(super) async fn incident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(p): Query<LangParam>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let settings = &state.status.settings;
    let event = state
        .store
        .event(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let s = state.status.snapshot(&state.store, state.now()).await?;
    let c = Chrome::new(
        settings,
        language(p.lang.as_deref(), &headers),
        &format!("/status/incidents/{id}"),
    );
    let e = event_view(&s, settings, c.w, &event);
    Ok(public(render(&IncidentPage { c, e })))
}

pub(super) async fn history(
    State(state): State<AppState>,
    Query(p): Query<LangParam>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let settings = &state.status.settings;
    let s = state.status.snapshot(&state.store, state.now()).await?;
    let events = state
        .store
        .events(varde_store::status::EventFilter::All, 200)
        .await?;
    let c = Chrome::new(
        settings,
        language(p.lang.as_deref(), &headers),
        "/status/history",
    );
    let events = events
        .iter()
        .map(|e| event_view(&s, settings, c.w, e))
        .collect();
    Ok(public(render(&HistoryPage { c, events })))
}

/// The public page is asked for again on every visit (an agent who just posted must see it);
/// the server answers from its snapshot, so that costs nothing.
fn public(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    r
}

struct FeedEntry {
    link: String,
    title: String,
    updated: String,
    updated_rfc2822: String,
    content: String,
}

#[derive(Template)]
#[template(path = "status_feed.atom", escape = "xml")]
struct Atom {
    name: String,
    url: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

#[derive(Template)]
#[template(path = "status_feed.rss", escape = "xml")]
struct Rss {
    name: String,
    url: String,
    entries: Vec<FeedEntry>,
}

async fn feed_entries(state: &AppState) -> Result<(Vec<FeedEntry>, Timestamp), ApiError> {
    let settings = &state.status.settings;
    let mut events = state
        .store
        .events(varde_store::status::EventFilter::All, 50)
        .await?;
    events.sort_by_key(|e| std::cmp::Reverse(e.updated_at));
    let w = words(Language::English);
    let newest = events.first().map(|e| e.updated_at).unwrap_or(state.now());
    let entries = events
        .iter()
        .map(|e| FeedEntry {
            link: format!("{}/status/incidents/{}", settings.url, e.id),
            title: e.name.clone(),
            updated: varde_notify::statuspage::time(e.updated_at),
            updated_rfc2822: jiff::fmt::rfc2822::to_string(
                &e.updated_at.to_zoned(jiff::tz::TimeZone::UTC),
            )
            .unwrap_or_default(),
            content: e
                .updates
                .iter()
                .map(|u| {
                    format!(
                        "{} — {}: {}",
                        shown(u.created_at, settings),
                        w.event_status(u.status),
                        u.body
                    )
                })
                .collect::<Vec<_>>()
                .join("\n\n"),
        })
        .collect();
    Ok((entries, newest))
}

pub(super) async fn atom(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (entries, newest) = feed_entries(&state).await?;
    let settings = &state.status.settings;
    let feed = Atom {
        name: settings.name.clone(),
        url: settings.url.clone(),
        updated: varde_notify::statuspage::time(newest),
        entries,
    };
    Ok(xml(feed.render(), "application/atom+xml; charset=utf-8"))
}

pub(super) async fn rss(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (entries, _) = feed_entries(&state).await?;
    let settings = &state.status.settings;
    let feed = Rss {
        name: settings.name.clone(),
        url: settings.url.clone(),
        entries,
    };
    Ok(xml(feed.render(), "application/rss+xml; charset=utf-8"))
}

fn xml(rendered: askama::Result<String>, content_type: &'static str) -> Response {
    match rendered {
        Ok(body) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "template error; it has been logged",
            )
                .into_response()
        }
    }
}
