//! Test support: the real SMTP server from `scripts/services/smtp-sink` (PyPI aiosmtpd),
//! started on a loopback port for a test and stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running SMTP sink that keeps each accepted message as a `.eml` file in `dir`.
pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    pid: String,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(&self.pid).status();
    }
}

/// The project's scripts that start test services (`scripts/services`).
pub fn services() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/services")
}

impl SmtpSink {
    /// Starts the sink; `args` go to sink.py (e.g. `--fail-first 1`). Panics if it cannot.
    pub fn start(args: &str) -> SmtpSink {
        let dir = std::env::temp_dir().join(format!(
            "varde-smtp-sink-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let out = Command::new("bash")
            .arg(services().join("smtp-sink/start.sh"))
            .arg(&dir)
            .env("SMTP_SINK_ARGS", args)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "the SMTP sink starts: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let get = |k: &str| {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{k}=")))
                .unwrap_or_default()
                .to_string()
        };
        SmtpSink {
            port: get("SMTP_SINK_PORT").parse().expect("the sink's port"),
            dir,
            pid: get("SMTP_SINK_PID"),
        }
    }

    /// The relay URL for `varde serve --smtp`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "eml"));
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }
}

/// A header's value in a raw mail (first occurrence, unfolded).
pub fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// An HTTP endpoint on loopback that answers `200 ok` to every request and keeps each one
/// (request head and body), for the receiving side of webhooks, chat webhooks and SMS APIs
/// in tests.
pub struct HttpSink {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl HttpSink {
    /// Starts it on the current tokio runtime; `path` is appended to the URL.
    pub async fn start(path: &str) -> HttpSink {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!(
            "http://{}{path}",
            listener.local_addr().expect("an address")
        );
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = received.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if body.len() >= len {
                            kept.lock()
                                .expect("the sink's lock")
                                .push((head.to_string(), body.to_string()));
                            break;
                        }
                    }
                }
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            }
        });
        HttpSink { url, received }
    }

    /// Every request so far: (request line and headers, body).
    pub fn received(&self) -> Vec<(String, String)> {
        self.received.lock().expect("the sink's lock").clone()
    }
}
