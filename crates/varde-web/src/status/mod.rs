//! The public status page: the page itself (HTML, four languages, no JavaScript needed), its
//! Atom and RSS feeds, and Statuspage's public API (`/api/v2/*.json`), so that existing
//! consumers work by changing only the URL.
//!
//! These routes are public by design, like any status page: they ask for no login and show
//! only what agents have published. Everything they show comes from one [`Snapshot`], taken
//! at most once a second per node and dropped when this node writes, so a burst of readers
//! costs the database nothing.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::get;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use varde_core::status::{Indicator, StatusChange, overall};
use varde_core::values::Language;
use varde_store::Store;
use varde_store::status::{Component, Event, EventFilter};

use crate::app::AppState;

mod page;
pub(crate) mod subscribe;
mod v2;

/// How the page presents itself.
#[derive(Clone, Debug)]
pub struct StatusSettings {
    /// Statuspage's `page.id`.
    pub page_id: String,
    /// The page's title, e.g. "Example Cloud status".
    pub name: String,
    /// Where the page is reached from outside, without a trailing slash; links in the API,
    /// the feeds and notifications start with it.
    pub url: String,
    /// Days are counted, and times shown, in this zone.
    pub time_zone: TimeZone,
    /// Private address ranges an administrator allows webhooks to reach.
    pub allowed_networks: Vec<varde_core::status::subscription::AllowedNetwork>,
}

impl StatusSettings {
    /// A time as the page and the console show it: local to the page, with the zone.
    pub fn local_time(&self, t: Timestamp) -> String {
        t.to_zoned(self.time_zone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

impl Default for StatusSettings {
    fn default() -> StatusSettings {
        StatusSettings {
            page_id: "varde".into(),
            name: "Service status".into(),
            url: "http://127.0.0.1:8080".into(),
            time_zone: TimeZone::get("Europe/Stockholm").unwrap_or(TimeZone::UTC),
            allowed_networks: Vec::new(),
        }
    }
}

/// How long a snapshot serves before it is taken again.
const SNAPSHOT_TTL: Duration = Duration::from_secs(1);
/// Days of uptime on the page.
pub const UPTIME_DAYS: usize = 90;

/// The page's settings and its cached snapshot.
#[derive(Default)]
pub struct StatusSite {
    pub settings: StatusSettings,
    cache: Mutex<Option<Arc<Snapshot>>>,
    /// Held by the one reader taking a new snapshot: the others go on with the last one
    /// (or, when there is none, wait for this one) instead of all reading the database at
    /// the same second.
    taking: tokio::sync::Mutex<()>,
    /// Counts invalidations, so a snapshot begun before a change is not kept after it.
    generation: std::sync::atomic::AtomicU64,
    link_key: OnceLock<String>,
}

impl StatusSite {
    pub fn new(settings: StatusSettings) -> StatusSite {
        StatusSite {
            settings,
            ..Default::default()
        }
    }

    /// Loads (or on first use creates) the installation's link key.
    pub async fn load_link_key(&self, store: &Store) -> varde_store::Result<String> {
        if let Some(k) = self.link_key.get() {
            return Ok(k.clone());
        }
        let key = store.link_key(&crate::auth::new_secret("")).await?;
        Ok(self.link_key.get_or_init(|| key).clone())
    }

    /// Drops the snapshot, so the next reader sees this node's change at once.
    pub fn invalidate(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn cached(&self) -> Option<Arc<Snapshot>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The current snapshot, taken again when the cached one is older than a second. One
    /// reader takes it; while it does, the others answer with the one before (a second old),
    /// so the page's tail does not wait on the database every second. After a change on this
    /// node there is no snapshot to go on with, and readers wait for the new one.
    pub async fn snapshot(
        &self,
        store: &Store,
        now: Timestamp,
    ) -> varde_store::Result<Arc<Snapshot>> {
        let current = self.cached();
        if let Some(s) = &current
            && s.taken.elapsed() < SNAPSHOT_TTL
        {
            return Ok(s.clone());
        }
        let _taking = match (current, self.taking.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some(stale), Err(_)) => return Ok(stale),
            (None, Err(_)) => {
                let guard = self.taking.lock().await;
                if let Some(s) = self.cached() {
                    return Ok(s);
                }
                guard
            }
        };
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let snapshot = Arc::new(Snapshot::take(store, now).await?);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
            *cache = Some(snapshot.clone());
        }
        Ok(snapshot)
    }
}

/// Everything the public page and API show, read at one moment.
pub struct Snapshot {
    taken: Instant,
    pub now: Timestamp,
    pub updated_at: Timestamp,
    pub components: Vec<Component>,
    pub open_incidents: Vec<Event>,
    pub recent_incidents: Vec<Event>,
    pub maintenances: Vec<Event>,
    pub upcoming: Vec<Event>,
    pub active: Vec<Event>,
    /// Each component's status changes over the uptime window.
    pub history: std::collections::HashMap<i64, Vec<StatusChange>>,
    /// Rendered API documents, made on first use.
    docs: [OnceLock<Bytes>; v2::DOCUMENTS],
    /// The rendered home page per language (in `Language::ALL` order), made on first use.
    pages: [OnceLock<Bytes>; 4],
}

impl Snapshot {
    async fn take(store: &Store, now: Timestamp) -> varde_store::Result<Snapshot> {
        let since = now - jiff::SignedDuration::from_hours(24 * (UPTIME_DAYS as i64 + 1));
        Ok(Snapshot {
            taken: Instant::now(),
            now,
            updated_at: store.status_page_updated_at().await?.unwrap_or(now),
            components: store.components().await?,
            open_incidents: store.events(EventFilter::OpenIncidents, 50).await?,
            recent_incidents: store.events(EventFilter::Incidents, 50).await?,
            maintenances: store.events(EventFilter::Maintenances, 50).await?,
            upcoming: store.events(EventFilter::UpcomingMaintenances, 50).await?,
            active: store.events(EventFilter::ActiveMaintenances, 50).await?,
            history: store.component_history(since).await?,
            docs: Default::default(),
            pages: Default::default(),
        })
    }

    /// The page's overall status.
    pub fn indicator(&self) -> Indicator {
        let statuses: Vec<_> = self
            .components
            .iter()
            .filter(|c| !c.is_group)
            .map(|c| c.status)
            .collect();
        let impacts: Vec<_> = self.open_incidents.iter().map(|e| e.impact).collect();
        overall(&statuses, &impacts, !self.active.is_empty())
    }

    pub fn component(&self, id: i64) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }
}

/// The language a reader asked for: `?lang=`, then `Accept-Language`, then English.
pub fn language(asked: Option<&str>, headers: &HeaderMap) -> Language {
    if let Some(l) = asked.and_then(|l| Language::parse(l).ok()) {
        return l;
    }
    let accept = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best: Option<(f32, Language)> = None;
    for part in accept.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary.to_ascii_lowercase().as_str() {
            "nn" => Language::parse("nb").ok(),
            p => Language::parse(p).ok(),
        };
        if let Some(lang) = lang
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or(Language::English)
}

/// Starts and completes maintenance windows on time, every 15 seconds until `stop` turns
/// true. Every node may run it: each step is conditional on the status it moves from.
pub async fn keep_time(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match state.store.advance_maintenances(state.now()).await {
            Ok(moved) if !moved.is_empty() => {
                tracing::info!(events = ?moved, "maintenance moved on schedule");
                state.status.invalidate();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not advance maintenance windows"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(15)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/status", get(page::home))
        .route("/status/history", get(page::history))
        .route("/status/incidents/{id}", get(page::incident))
        .route("/status/feed.atom", get(page::atom))
        .route("/status/feed.rss", get(page::rss))
        .route(
            "/status/subscribe",
            get(subscribe::form).post(subscribe::subscribe),
        )
        .route(
            "/status/subscriptions/{id}/confirm",
            get(subscribe::confirm_page).post(subscribe::confirm),
        )
        .route(
            "/status/subscriptions/{id}/unsubscribe",
            get(subscribe::unsubscribe_page).post(subscribe::unsubscribe),
        )
        .merge(v2::routes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_follows_the_query_then_the_browser() {
        let mut h = HeaderMap::new();
        assert_eq!(language(None, &h), Language::English);
        h.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            "de-DE,de;q=0.9,sv;q=0.8,en;q=0.7".parse().unwrap(),
        );
        assert_eq!(language(None, &h), Language::Swedish);
        assert_eq!(language(Some("da"), &h), Language::Danish);
        assert_eq!(language(Some("klingon"), &h), Language::Swedish);
        h.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            "nn-NO".parse().unwrap(),
        );
        assert_eq!(language(None, &h), Language::NorwegianBokmal);
    }
}
