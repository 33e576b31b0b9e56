//! Operator endpoints: `/healthz` (the process answers), `/readyz` (the database answers),
//! both open to load balancers, `/metrics` (Prometheus text, staff only), and the middleware that counts and logs every request.

use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::app::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

/// The metrics Varde exports.
pub struct Metrics {
    registry: Mutex<Registry>,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        let mut registry = Registry::with_prefix("varde");
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            latency.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            requests,
            latency,
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    // A database that does not answer in 2 s is away: say so while a balancer still waits,
    // rather than when the pool gives up.
    let answered = match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("no answer in 2 s".to_string()),
    };
    match answered {
        Ok(()) => {
            axum::Json(serde_json::json!({"status": "ready", "database": state.store.engine()}))
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable", "database": state.store.engine(), "error": {"code": "unavailable", "message": "the database does not answer"}})),
            )
                .into_response()
        }
    }
}

/// Prometheus text for staff: scrape with a staff account's token
/// (`authorization: {credentials: …}` in Prometheus' scrape config). Route names and counts
/// tell an outsider what is used and how much, so anonymous callers get a 401.
async fn metrics(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
) -> Result<Response, crate::error::ApiError> {
    caller.require_login()?;
    if !varde_core::access::can(
        &caller.actor,
        varde_core::access::Action::Read,
        &varde_core::access::Resource::Operations,
    ) {
        return Err(crate::error::ApiError::forbidden());
    }
    // Without the database the work queues are left out; the request metrics stay, as they
    // matter most during an outage.
    let waiting = match state.store.work_waiting(state.now()).await {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the work queues could not be read");
            Vec::new()
        }
    };
    Ok(encode_metrics(&state, &waiting))
}

/// The installation's work queues and this node's identity, read at each scrape, in
/// OpenMetrics text (they go before the registry's closing `# EOF`).
fn installation_metrics(state: &AppState, waiting: &[varde_store::work::Waiting]) -> String {
    let mut text = String::from(
        "# HELP varde_node_info This node: its host and port, and the version it runs.\n\
         # TYPE varde_node_info gauge\n",
    );
    text.push_str(&format!(
        "varde_node_info{{node=\"{}\",version=\"{}\"}} 1\n",
        state.node.replace(['"', '\\', '\n'], "_"),
        env!("CARGO_PKG_VERSION")
    ));
    text.push_str(
        "# HELP varde_work_due Items a background worker has due now (the installation's, the same on every node).\n\
         # TYPE varde_work_due gauge\n",
    );
    for w in waiting {
        text.push_str(&format!(
            "varde_work_due{{queue=\"{}\"}} {}\n",
            w.queue, w.due
        ));
    }
    text.push_str(
        "# HELP varde_work_oldest_due_seconds How long the oldest due item of a worker's queue has waited.\n\
         # TYPE varde_work_oldest_due_seconds gauge\n",
    );
    for w in waiting {
        text.push_str(&format!(
            "varde_work_oldest_due_seconds{{queue=\"{}\"}} {}\n",
            w.queue, w.oldest_seconds
        ));
    }
    text.push_str(
        "# HELP varde_work_oldest_failing_seconds How long the oldest item tried and not yet delivered has waited since it was queued.\n\
         # TYPE varde_work_oldest_failing_seconds gauge\n",
    );
    for w in waiting {
        text.push_str(&format!(
            "varde_work_oldest_failing_seconds{{queue=\"{}\"}} {}\n",
            w.queue, w.oldest_failing_seconds
        ));
    }
    text
}

fn encode_metrics(state: &AppState, waiting: &[varde_store::work::Waiting]) -> Response {
    let mut text = String::new();
    let encoded = match state.metrics.registry.lock() {
        Ok(registry) => prometheus_client::encoding::text::encode(&mut text, &registry).is_ok(),
        Err(_) => false,
    };
    if !encoded {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let end = text.rfind("# EOF").unwrap_or(text.len());
    text.insert_str(end, &installation_metrics(state, waiting));
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// Counts, times and logs every request under its route pattern (never the raw path, so ids
/// do not explode the label set).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        })
        .inc();
    state
        .metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(elapsed.as_secs_f64());
    let ms = elapsed.as_secs_f64() * 1000.0;
    // A balancer's health checks, every second on every node, are not news unless they fail;
    // nor are the public status page's cached documents and assets, which dashboards and
    // browsers fetch by the thousand a second in an incident (a line each would be a write
    // each, and gigabytes of log an hour): /metrics counts and times them all.
    let quiet = matches!(route.as_str(), "/readyz" | "/healthz" | "/status")
        || route.starts_with("/api/v2/")
        || route.starts_with("/assets/");
    if quiet && status < 500 {
        tracing::debug!(%method, %route, status, elapsed_ms = ms, "request");
    } else {
        tracing::info!(%method, %route, status, elapsed_ms = ms, "request");
    }
    response
}
