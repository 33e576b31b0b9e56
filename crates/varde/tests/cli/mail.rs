//! Mail: `varde mailgate`'s exit codes, `serve --smtp` sending through the relay, and mail in
//! and out surviving kill -9 with nothing lost and nothing doubled.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Server, VARDE, free_port, http, varde, wait_healthy};

#[test]
fn mailgate_exits_0_when_stored_and_75_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let raw = "From: carol@customer.example\r\nSubject: disk full\r\nMessage-ID: <cli1@customer.example>\r\n\r\nvol-9\r\n";
    // A database that is not there (a mistyped --data, none given) is not made: the MTA
    // keeps the mail and retries until the pipe is set up right.
    let (ok, out, _) = varde(&["mailgate", "--queue", "General", "--data", d], Some(raw));
    assert!(!ok && out.starts_with("temporary failure"), "{out}");
    assert!(out.contains("there is no Varde database in"), "{out}");
    assert!(!data.join("varde.db").exists());
    let (ok, _, err) = varde(&["migrate", "--data", d], None);
    assert!(ok, "{err}");
    let (ok, out, err) = varde(&["mailgate", "--queue", "General", "--data", d], Some(raw));
    assert!(ok && out.starts_with("ok"), "{out} {err}");
    let (ok, _, _) = varde(&["mailgate", "--queue", "General", "--data", d], Some(raw));
    assert!(ok, "a redelivery is fine");
    let (_, csv, _) = varde(&["export", "organizations", "--data", d], None);
    assert_eq!(csv.lines().count(), 1);
    let code = |args: &[&str]| {
        let mut child = Command::new(VARDE)
            .args(args)
            .env("VARDE_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(raw.as_bytes())
            .unwrap();
        child.wait().unwrap().code()
    };
    assert_eq!(
        code(&["mailgate", "--queue", "NoSuchQueue", "--data", d]),
        Some(75)
    );
    assert_eq!(
        code(&[
            "mailgate",
            "--queue",
            "General",
            "--url",
            "http://127.0.0.1:1"
        ]),
        Some(75),
        "an unreachable server means retry"
    );
    assert_eq!(
        code(&[
            "mailgate", "--queue", "General", "--action", "shout", "--data", d
        ]),
        Some(65)
    );
}

#[tokio::test]
async fn serve_mails_through_the_smtp_relay() {
    let mail_dir = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(varde_notify::testing::services().join("smtp-sink/start.sh"))
        .arg(mail_dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let get = |k: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{k}=")))
            .unwrap_or_default()
            .to_string()
    };
    let (port, pid) = (get("SMTP_SINK_PORT"), get("SMTP_SINK_PID"));
    struct Kill(String);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = Command::new("kill").arg(&self.0).status();
        }
    }
    let _sink = Kill(pid);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let (ok, _, err) = varde(
        &[
            "user",
            "add",
            "--email",
            "agent@example.com",
            "--name",
            "Agent",
            "--role",
            "agent",
            "--password-stdin",
            "--data",
            d,
        ],
        Some("a long enough password\n"),
    );
    assert!(ok, "{err}");
    let (_, token, _) = varde(
        &[
            "token",
            "create",
            "--email",
            "agent@example.com",
            "--data",
            d,
        ],
        None,
    );
    let listen = format!("127.0.0.1:{}", free_port());
    let smtp = format!("smtp://127.0.0.1:{port}");
    let _server = Server(
        Command::new(VARDE)
            .args([
                "serve",
                "--listen",
                &listen,
                "--data",
                d,
                "--rtname",
                "support.example",
                "--smtp",
                &smtp,
            ])
            .env("VARDE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{listen}");
    wait_healthy(&base).await;
    let r = http()
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(token.trim())
        .json(&serde_json::json!({"queue": "General", "subject": "Disk full", "requestors": ["carol@customer.example"], "content": "vol-9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // The worker runs every two seconds; wait for the autoreply to arrive (at most 20 s).
    let mut mails = vec![];
    for _ in 0..200 {
        mails = std::fs::read_dir(mail_dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .collect();
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mails.len(), 1, "the autoreply arrived at the relay");
    let mail = std::fs::read_to_string(mails[0].path()).unwrap();
    assert!(
        mail.contains("Subject: [support.example #1] AutoReply: Disk full"),
        "{mail}"
    );
    assert!(mail.contains("Auto-Submitted: auto-replied"));
    // A plain-text mail says it is MIME (its body is quoted-printable UTF-8).
    assert!(mail.contains("MIME-Version: 1.0"), "{mail}");
}

/// The fault test: 10,000 mails through the gateway while the server is killed (SIGKILL) and
/// restarted again and again. Afterwards every mail that was answered `ok` is on its ticket
/// exactly once, every other one was told to retry, and retrying those delivers each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mail_survives_kill_9_with_nothing_lost_and_nothing_doubled() {
    const MAILS: usize = 10_000;
    const SENDERS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap().to_string();
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let start = {
        let (listen, d) = (listen.clone(), d.clone());
        move || {
            Command::new(VARDE)
                .args(["serve", "--listen", &listen, "--data", &d])
                .env("VARDE_LOG", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        }
    };
    let server = std::sync::Arc::new(std::sync::Mutex::new(start()));
    wait_healthy(&base).await;

    // The killer: SIGKILL every 1.5 s, restart at once, until the senders are done.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let kills = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let killer = {
        let (server, done, kills, start) =
            (server.clone(), done.clone(), kills.clone(), start.clone());
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1500));
                let mut s = server.lock().unwrap();
                let _ = s.kill();
                let _ = s.wait();
                kills.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                *s = start();
            }
        })
    };

    let mail = |i: usize| {
        format!(
            "From: customer{}@customer.example\r\nSubject: fault {i}\r\nMessage-ID: <fault-{i}@customer.example>\r\n\r\nmail number {i}\r\n",
            i % 50
        )
    };
    let post = |client: reqwest::Client, base: String, raw: String| async move {
        let form = reqwest::multipart::Form::new()
            .text("queue", "General")
            .text("action", "correspond")
            .part("message", reqwest::multipart::Part::bytes(raw.into_bytes()));
        match client
            .post(format!("{base}/REST/1.0/NoAuth/mail-gateway"))
            .multipart(form)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => {
                r.text().await.map(|t| t.starts_with("ok")).unwrap_or(false)
            }
            _ => false,
        }
    };
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            varde_notify::install_tls_provider();
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut acked = Vec::new();
            let mut retry = Vec::new();
            for i in (s..MAILS).step_by(SENDERS) {
                if post(client.clone(), base.clone(), mail(i)).await {
                    acked.push(i)
                } else {
                    retry.push(i)
                }
            }
            (acked, retry)
        }));
    }
    let (mut acked, mut retry) = (Vec::new(), Vec::new());
    for t in tasks {
        let (a, r) = t.await.unwrap();
        acked.extend(a);
        retry.extend(r);
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    killer.join().unwrap();
    assert!(
        kills.load(std::sync::atomic::Ordering::SeqCst) >= 3,
        "the server was killed several times"
    );
    wait_healthy(&base).await;

    // Every mail told to retry is retried, as an MTA does, until it is acknowledged.
    let client = http();
    for i in &retry {
        let mut ok = false;
        for _ in 0..50 {
            if post(client.clone(), base.clone(), mail(*i)).await {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ok, "mail {i} could be delivered after the faults");
    }
    {
        let mut s = server.lock().unwrap();
        let _ = s.kill();
        let _ = s.wait();
    }
    // Exactly once: one ticket per mail, and each mail's Message-ID stored once.
    let store = varde_store::Store::open(&varde_store::Location::SqliteDir(data.clone()))
        .await
        .unwrap();
    assert_eq!(
        store.count_tickets().await.unwrap() as usize,
        MAILS,
        "acked {} + retried {}",
        acked.len(),
        retry.len()
    );
    for i in acked.iter().step_by(97).chain(retry.iter().take(20)) {
        assert!(
            store
                .raw_mail(&format!("fault-{i}@customer.example"))
                .await
                .unwrap()
                .is_some(),
            "mail {i} is stored"
        );
    }
    eprintln!(
        "fault test: {} acknowledged during faults, {} told to retry, {} kills",
        acked.len(),
        retry.len(),
        kills.load(std::sync::atomic::Ordering::SeqCst)
    );
}

/// Mail out under kill -9: 300 autoreplies wait in the outbox, and `varde serve --smtp` is
/// killed (SIGKILL) every few hundred milliseconds and restarted until the real SMTP server
/// has them all. Nothing is lost: every outbox row ends `sent` and every Message-ID arrived.
/// Nothing goes twice, except a mail the relay had accepted in the instant before the kill
/// and before Varde recorded it (RFC 1047's window: at most one per kill, under the same
/// Message-ID, so a mail client shows it once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outgoing_mail_survives_kill_9_with_nothing_lost() {
    use std::collections::HashMap;
    use varde_core::ticket::history::Creation;
    const MAILS: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = varde_store::Store::open(&varde_store::Location::SqliteDir(data.clone()))
        .await
        .unwrap();
    let now = jiff::Timestamp::now();
    let mut tickets = Vec::new();
    for i in 0..MAILS {
        let who = format!("customer{i}@example.org");
        let creation = Creation::requested("General", &format!("Request {i}"), &who);
        let t = store
            .create_ticket(&who, creation, &[], 0, now)
            .await
            .unwrap();
        tickets.push(t.id);
    }
    let sink = varde_notify::testing::SmtpSink::start("");
    let d = data.to_str().unwrap().to_string();
    let listen = format!("127.0.0.1:{}", free_port());
    let smtp = sink.url();
    let start = || {
        Server(
            Command::new(VARDE)
                .args([
                    "serve",
                    "--listen",
                    &listen,
                    "--data",
                    &d,
                    "--smtp",
                    &smtp,
                    "--mail-claim",
                    "1",
                    "--rtname",
                    "example",
                ])
                .env("VARDE_LOG", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let ids = |sink: &varde_notify::testing::SmtpSink| -> HashMap<String, usize> {
        let mut seen = HashMap::new();
        for m in sink.received() {
            if let Some(id) = varde_notify::testing::header(&m, "Message-ID") {
                *seen.entry(id.to_string()).or_insert(0) += 1;
            }
        }
        seen
    };
    let mut kills = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        let server = start();
        let pause = 150 + (kills * 97) % 300;
        tokio::time::sleep(Duration::from_millis(pause as u64)).await;
        if ids(&sink).len() >= MAILS {
            drop(server);
            break;
        }
        drop(server); // SIGKILL, wherever it was
        kills += 1;
        assert!(
            std::time::Instant::now() < deadline,
            "not all mail went out: {} of {MAILS}",
            ids(&sink).len()
        );
        // Claims of the killed server lapse after a second.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let seen = ids(&sink);
    assert_eq!(seen.len(), MAILS, "every Message-ID arrived");
    let twice: usize = seen.values().map(|n| n - 1).sum();
    assert!(twice <= kills, "{twice} duplicates from {kills} kills");
    for t in &tickets {
        let log = store.delivery_log(*t).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, "sent", "ticket {t}: {:?}", log[0]);
    }
    eprintln!(
        "mail-out fault test: {MAILS} mails, {kills} kills, {twice} sent twice (same Message-ID)"
    );
}
