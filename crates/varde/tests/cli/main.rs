//! The commands that scripts rely on, run as a user would run them: the real binary, a real
//! store (SQLite, and PostgreSQL when `VARDE_TEST_PG_URL` is set), a real server on loopback.
//!
//! Here the helpers every test uses (the binary, a server that dies with its test, a free
//! port); `scripts` holds the commands scripts rely on, `import_rt` `varde import-rt`, `mail` the mail gateway and relay
//! (with their kill -9 fault tests), `report` the report command, and `onboarding` the
//! onboarding kill -9 fault test against the real Keystone.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const VARDE: &str = env!("CARGO_BIN_EXE_varde");

mod import_rt;
mod mail;
mod onboarding;
mod report;
mod scripts;

fn varde(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(VARDE)
        .args(args)
        .env("VARDE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_healthy(base: &str) {
    let c = http();
    for _ in 0..200 {
        if let Ok(r) = c.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("varde did not become healthy at {base}");
}

/// An HTTP client (with the process's TLS provider installed first, as reqwest requires).
fn http() -> reqwest::Client {
    varde_notify::install_tls_provider();
    reqwest::Client::new()
}
