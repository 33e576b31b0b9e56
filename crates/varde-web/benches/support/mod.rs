//! What the page benchmarks share: a real server on 127.0.0.1 over a filled store, a browser
//! logged in to it, and each page asked for one request at a time, with its latencies printed.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use varde_store::Store;

/// The `p`-th percentile (nearest rank) of sorted latencies.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// A server on a free loopback port; stopped when the returned sender is dropped or sent.
pub struct Server {
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(store: Store) -> Server {
        let state = varde_web::AppState::new(store, std::sync::Arc::new(Timestamp::now))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(varde_web::serve(listener, state, async {
            let _ = stopped.await;
        }));
        varde_notify::install_tls_provider();
        Server { base, stop, handle }
    }

    /// A browser logged in as `email`; asserts where the login sends it.
    pub async fn log_in(&self, email: &str, password: &str, lands: &str) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let login = c
            .get(format!("{}/login", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = login
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let r = c
            .post(format!("{}/login", self.base))
            .form(&[
                ("email", email),
                ("password", password),
                ("next", ""),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], lands);
        c
    }

    /// Asks for each page `requests` times, one after the other, and prints p50, p95 and max.
    pub async fn time_pages(
        &self,
        c: &reqwest::Client,
        engine: &str,
        pages: &[String],
        requests: usize,
    ) {
        for page in pages {
            let mut times = Vec::with_capacity(requests);
            for _ in 0..requests {
                let t = Instant::now();
                let r = c.get(format!("{}{page}", self.base)).send().await.unwrap();
                assert_eq!(r.status(), 200, "{page}");
                let _ = r.bytes().await.unwrap();
                times.push(t.elapsed());
            }
            times.sort();
            println!(
                "{engine} {page}: p50 {:.1?}, p95 {:.1?}, max {:.1?} over {requests}",
                percentile(&times, 0.5),
                percentile(&times, 0.95),
                times[times.len() - 1]
            );
        }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.handle.await;
    }
}
