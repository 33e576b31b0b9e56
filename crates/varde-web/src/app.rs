//! The application: its shared state, the router that mounts every part, and `serve`, which
//! takes its listener and shutdown signal as parameters so tests run it on `127.0.0.1:0`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use jiff::Timestamp;
use tokio::net::TcpListener;
use varde_store::Store;

use crate::ops::Metrics;

pub use varde_app::Clock;

/// Why the application state could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] varde_store::StoreError),
    #[error(transparent)]
    Hash(#[from] crate::auth::HashError),
}

/// What every handler can reach.
/// What every request works with, behind one `Arc`: axum clones the state for every layer
/// and handler of every request, and one reference count is all that clone should cost
/// (cloning the services themselves was a tenth of the status page's CPU). Set up before
/// serving through `DerefMut`; read through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    /// Changes the settings before serving (a state already shared is copied first).
    fn deref_mut(&mut self) -> &mut Services {
        Arc::make_mut(&mut self.0)
    }
}

/// The services and settings of a running Varde (see [`AppState`]).
#[derive(Clone)]
pub struct Services {
    /// The use cases (`varde-app`), with the store and the clock.
    pub app: varde_app::App,
    /// The store, as `app.store` (front-ends still read through it directly where no use
    /// case exists yet).
    pub store: Store,
    /// A hash that no password matches, verified when an account does not exist so that a
    /// failed login takes as long either way.
    pub dummy_hash: String,
    pub metrics: Arc<Metrics>,
    /// Mark cookies `Secure`: on when Varde is reached over HTTPS.
    pub secure_cookies: bool,
    /// Whether an SMTP relay sends the outbox (`--smtp`); without one, mail waits there.
    pub mail_relay: bool,
    /// The name in RT subject tags, `[<rtname> #<id>]`.
    pub rtname: String,
    /// The sender of Varde's own mail (meeting invitations); blank for `support@<rtname>`.
    pub mail_from: String,
    /// Recently checked RT Basic-auth credentials (digests only).
    pub credentials: Arc<crate::rt::CredentialCache>,
    /// Trusted proxies and the networks the mail gateway takes mail from.
    pub network: Arc<crate::auth::Network>,
    /// The public status page: its settings and cached snapshot.
    pub status: Arc<crate::status::StatusSite>,
    /// Seals and opens the secrets made for customers at onboarding.
    pub vault: Arc<varde_notify::vault::Vault>,
    /// This node among an installation's several (`host:port`), as `/metrics` names it.
    pub node: String,
}

impl AppState {
    pub async fn new(store: Store, clock: Clock) -> Result<AppState, StartError> {
        let dummy_hash = crate::auth::hash_password(crate::auth::new_secret("dummy-")).await?;
        // The installation's key, unless `varde serve --secrets-key` gives another.
        let key = store.link_key(&crate::auth::new_secret("links-")).await?;
        Ok(AppState(Arc::new(Services {
            vault: Arc::new(varde_notify::vault::Vault::new(&key)),
            app: varde_app::App::new(store.clone(), clock),
            store,
            dummy_hash,
            metrics: Arc::new(Metrics::default()),
            secure_cookies: false,
            mail_relay: false,
            rtname: "varde".into(),
            mail_from: String::new(),
            credentials: Arc::new(crate::rt::CredentialCache::default()),
            network: Arc::new(crate::auth::Network::default()),
            status: Arc::new(crate::status::StatusSite::default()),
            node: "varde".into(),
        })))
    }

    pub fn now(&self) -> Timestamp {
        self.app.now()
    }
}

/// Every route of Varde.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::ops::routes())
        .merge(crate::openapi::routes())
        .nest("/api/v1", crate::api::routes())
        .merge(crate::rt::routes())
        // A customer contact who asks for a console page is sent to the portal.
        .merge(
            crate::console::routes().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::console::customers_to_portal,
            )),
        )
        .merge(crate::portal::routes())
        .merge(crate::links::routes())
        .merge(crate::rate::routes())
        .merge(crate::status::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::ops::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::limits::body_limits,
        ))
        .layer(DefaultBodyLimit::max(crate::limits::AUTHENTICATED_BYTES))
        .layer(axum::middleware::from_fn(crate::headers::security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            crate::headers::panic_response,
        ))
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // The accept loop runs on a worker of the runtime, not on the thread that waits for it
    // (the binary's `block_on`): a connection's task then starts on the worker that accepted
    // it instead of waking another thread for every connection (issue 20).
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    })
    .await
    .map_err(std::io::Error::other)?
}
