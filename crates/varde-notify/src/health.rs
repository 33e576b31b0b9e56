//! The daily health run: every ten minutes a node asks whether today's scores are made; the
//! one node that claims the day scores every organisation (`App::run_health`), and the
//! service managers of any that dropped below the threshold get a letter.

use std::time::Duration;

/// How often a node checks whether today's run is done.
const EVERY: Duration = Duration::from_secs(600);

/// Runs until `shutdown` turns true.
pub async fn watch(app: varde_app::App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        match app.run_health().await {
            Ok(Some(scores)) => tracing::info!(organizations = scores.len(), "health scored"),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "the health run"),
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.changed() => return,
        }
    }
}
