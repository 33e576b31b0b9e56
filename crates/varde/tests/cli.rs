//! The commands that scripts rely on, run as a user would run them: the real binary, a real
//! store (SQLite, and PostgreSQL when `VARDE_TEST_PG_URL` is set), a real server on loopback.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const VARDE: &str = env!("CARGO_BIN_EXE_varde");

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

/// `user add`, `token create`, `serve`, then the organisation API, against one store.
async fn scripted_flow(store_args: &[&str]) {
    let mut add = vec![
        "user",
        "add",
        "--email",
        "admin@example.com",
        "--name",
        "Ada Admin",
        "--role",
        "admin",
        "--password-stdin",
    ];
    add.extend(store_args);
    let (ok, out, err) = varde(&add, Some("a long enough password\n"));
    assert!(ok, "user add: {out} {err}");
    let (ok, _, err) = varde(&add, Some("a long enough password\n"));
    assert!(
        !ok && err.contains("exists"),
        "adding twice is refused: {err}"
    );

    let mut token = vec!["token", "create", "--email", "admin@example.com"];
    token.extend(store_args);
    let (ok, token, err) = varde(&token, None);
    assert!(ok, "token create: {err}");
    let token = token.trim().to_string();
    assert!(token.starts_with("varde_") && token.len() > 40, "{token}");

    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut serve = vec!["serve", "--listen", listen.as_str()];
    serve.extend(store_args);
    let _server = Server(
        Command::new(VARDE)
            .args(&serve)
            .env("VARDE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{listen}");
    wait_healthy(&base).await;

    let c = http();
    let r = c
        .post(format!("{base}/api/v1/organizations"))
        .json(&serde_json::json!({"name": "KTH", "country": "SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(format!("{base}/api/v1/organizations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "KTH", "country": "SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: serde_json::Value = r.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let r = c
        .get(format!("{base}/api/v1/organizations/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["name"], "KTH");
    let r = c
        .get(format!("{base}/api/v1/organizations/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn scripts_work_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    scripted_flow(&["--data", data.to_str().unwrap()]).await;
    assert!(data.join("varde.db").exists());
}

#[tokio::test]
async fn scripts_work_on_postgres() {
    let Ok(url) = std::env::var("VARDE_TEST_PG_URL") else {
        eprintln!(
            "VARDE_TEST_PG_URL is not set: PostgreSQL part skipped (scripts/test.sh sets it)"
        );
        return;
    };
    // A database of its own, so the flow starts from an empty store.
    let store = varde_store::testing::scratch_postgres(&url).await.unwrap();
    let name: String = store.database_name().await.unwrap();
    store.close().await;
    let base = url.rsplit_once('/').unwrap().0;
    scripted_flow(&["--database", &format!("{base}/{name}")]).await;
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["user", "add", "--help"],
        vec!["token", "create", "--help"],
        vec!["import", "--help"],
    ] {
        let (ok, out, _) = varde(&args, None);
        assert!(ok && out.contains("Usage"), "{args:?}");
    }
}

#[test]
fn a_bad_import_exits_non_zero_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orgs.csv");
    std::fs::write(&csv, "name,country\nGood,SE\nBad,Sweden\n").unwrap();
    let data = dir.path().join("data");
    let (ok, _, err) = varde(
        &[
            "import",
            "organizations",
            csv.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(!ok);
    assert!(err.contains("line 3"), "{err}");
    let (ok, out, _) = varde(
        &["export", "organizations", "--data", data.to_str().unwrap()],
        None,
    );
    assert!(ok);
    assert_eq!(out.lines().count(), 1, "nothing was imported: {out}");
}

#[test]
fn mailgate_exits_0_when_stored_and_75_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let raw = "From: carol@customer.example\r\nSubject: disk full\r\nMessage-ID: <cli1@customer.example>\r\n\r\nvol-9\r\n";
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
    let shared = std::env::var("VARDE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    let mail_dir = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(shared.join("services/smtp-sink/start.sh"))
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

/// An HTTP client (with the process's TLS provider installed first, as reqwest requires).
fn http() -> reqwest::Client {
    varde_notify::install_tls_provider();
    reqwest::Client::new()
}

#[test]
fn report_writes_html_json_csv_and_a_pdf_that_renders() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(&orgs, "name,country\nFjord Data AS,NO\n").unwrap();
    let contracts = dir.path().join("contracts.csv");
    std::fs::write(
        &contracts,
        "organization,reference,signed_on,starts_on,ends_on,product_code,quantity,site\n\
         Fjord Data AS,FJ-1,2026-01-02,2026-01-02,,SUPPORT-premium,1,\n\
         Fjord Data AS,FJ-1,2026-01-02,2026-01-02,,STORAGE-S3,1,no-osl1\n",
    )
    .unwrap();
    for (kind, file) in [("organizations", &orgs), ("contracts", &contracts)] {
        let (ok, _, err) = varde(&["import", kind, file.to_str().unwrap(), "--data", d], None);
        assert!(ok, "{err}");
    }
    let report = |format: &str| {
        varde(
            &[
                "report",
                "--org",
                "Fjord",
                "--quarter",
                "2026Q3",
                "--format",
                format,
                "--data",
                d,
            ],
            None,
        )
    };
    let (ok, json, err) = report("json");
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["organization"], "Fjord Data AS");
    assert_eq!(v["period"]["from"], "2026-07-01");
    assert_eq!(v["tier"], "Premium support");
    assert_eq!(v["agenda"].as_array().unwrap().len(), 5);
    let (ok, html, _) = report("html");
    assert!(
        ok && html.contains("<h2>SLA compliance</h2>")
            && html.contains("<h2>Availability of the services on contract</h2>")
    );
    let (ok, csv, _) = report("csv");
    assert!(
        ok && csv.starts_with("target,priority,met,breached,percent"),
        "{csv}"
    );

    let pdf = dir.path().join("report.pdf");
    let (ok, _, err) = varde(
        &[
            "report",
            "--org",
            "Fjord Data AS",
            "--quarter",
            "2026Q3",
            "--format",
            "pdf",
            "--output",
            pdf.to_str().unwrap(),
            "--data",
            d,
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let png = dir.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "40",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ])
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(rendered.success());
    let pages = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("page")
        })
        .count();
    assert!(pages >= 1, "the PDF has pages");

    let (ok, _, err) = varde(
        &[
            "report",
            "--org",
            "Fjord",
            "--quarter",
            "2026Q7",
            "--data",
            d,
        ],
        None,
    );
    assert!(!ok && err.contains("not a quarter"), "{err}");
    let (ok, _, err) = varde(&["report", "--org", "Nobody Inc", "--data", d], None);
    assert!(!ok && err.contains("no organisation"), "{err}");
}

/// The onboarding fault test, against the real Keystone (`OS_AUTH_URL`, as `scripts/test.sh`
/// exports it): the server is killed (SIGKILL) whenever it is in the middle of a step, three
/// times, and restarted. The run still completes, and Keystone holds exactly one of each
/// object: the domain, the project, a user per technical contact, one application credential
/// and one EC2 credential per user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_survives_kill_9_with_one_of_each_object_in_keystone() {
    use varde_core::onboarding::{StepAction, StepState};
    let (Ok(keystone), Ok(password)) = (std::env::var("OS_AUTH_URL"), std::env::var("OS_PASSWORD"))
    else {
        eprintln!(
            "OS_AUTH_URL is not set: start Keystone with ../shared/services/keystone/setup.sh (scripts/test.sh does)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data").to_str().unwrap().to_string();
    let (ok, _, err) = varde(
        &[
            "user",
            "add",
            "--email",
            "admin@example.com",
            "--name",
            "Ada",
            "--role",
            "admin",
            "--password-stdin",
            "--data",
            &d,
        ],
        Some("a long enough password\n"),
    );
    assert!(ok, "{err}");
    let (ok, token, err) = varde(
        &[
            "token",
            "create",
            "--email",
            "admin@example.com",
            "--data",
            &d,
        ],
        None,
    );
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    let prefix = format!("fault{}", std::process::id());
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let start = || {
        Server(
            Command::new(VARDE)
                .args([
                    "serve",
                    "--listen",
                    &listen,
                    "--data",
                    &d,
                    "--keystone-url",
                    &keystone,
                    "--keystone-password",
                    &password,
                    "--keystone-domain-prefix",
                    &prefix,
                    "--onboarding-lease",
                    "2",
                    "--secrets-key",
                    "fault test key",
                ])
                .env("VARDE_LOG", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let mut server = start();
    wait_healthy(&base).await;
    let c = http();
    let post = |path: String, body: serde_json::Value| {
        let c = c.clone();
        let (base, token) = (base.clone(), token.clone());
        async move {
            let r = c
                .post(format!("{base}{path}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{path}");
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let org = post(
        "/api/v1/organizations".into(),
        serde_json::json!({"name": "Fault Tolerant AB", "country": "SE"}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    for n in 0..3 {
        post(format!("/api/v1/organizations/{org_id}/contacts"),
            serde_json::json!({"name": format!("Tech {n}"), "email": format!("tech{n}@fault.example"), "roles": ["technical"]})).await;
    }
    post(format!("/api/v1/organizations/{org_id}/contracts"), serde_json::json!({
        "reference": "FAULT-1", "signed_on": "2026-11-02", "starts_on": "2026-11-02",
        "lines": [{"product_code": "SUPPORT-iaas.base"}, {"product_code": "STORAGE-S3", "site": "se-sto1"}]})).await;

    let store =
        varde_store::Store::open(&varde_store::Location::SqliteDir(dir.path().join("data")))
            .await
            .unwrap();
    let run_id = store
        .runs_of(varde_core::ids::OrganizationId(org_id))
        .await
        .unwrap()[0]
        .id;
    let keystone_steps = [
        StepAction::KeystoneDomain,
        StepAction::KeystoneProject,
        StepAction::KeystoneUsers,
        StepAction::ApplicationCredentials,
        StepAction::Ec2Credentials,
    ];
    let mut killed_in: Vec<StepAction> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not complete: killed in {killed_in:?}"
        );
        let run = store.run(run_id).await.unwrap().unwrap();
        if run
            .steps
            .iter()
            .filter(|s| keystone_steps.contains(&s.action))
            .all(|s| s.state == StepState::Done)
        {
            break;
        }
        let running = run
            .steps
            .iter()
            .find(|s| s.state == StepState::Running && !killed_in.contains(&s.action));
        if let (Some(step), true) = (running, killed_in.len() < 3) {
            killed_in.push(step.action);
            drop(server); // SIGKILL in the middle of the step
            server = start();
            wait_healthy(&base).await;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(server);
    assert!(
        !killed_in.is_empty(),
        "the server was killed at least once in the middle of a step"
    );
    let run = store.run(run_id).await.unwrap().unwrap();
    for s in run
        .steps
        .iter()
        .filter(|s| keystone_steps.contains(&s.action))
    {
        assert_eq!(s.state, StepState::Done, "{}: {}", s.action, s.reason);
    }

    // Keystone, asked directly.
    let admin = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}});
    let issue = |body: serde_json::Value| {
        let (c, keystone) = (c.clone(), keystone.clone());
        async move {
            let r = c
                .post(format!("{keystone}/auth/tokens"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            r.headers()["X-Subject-Token"].to_str().unwrap().to_string()
        }
    };
    let admin_token = issue(admin).await;
    let get = |path: String, token: String| {
        let (c, keystone) = (c.clone(), keystone.clone());
        async move {
            let r = c
                .get(format!("{keystone}{path}"))
                .header("X-Auth-Token", token)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{path}");
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let domains = get(
        format!("/domains?name={prefix}-{org_id}"),
        admin_token.clone(),
    )
    .await;
    assert_eq!(
        domains["domains"].as_array().unwrap().len(),
        1,
        "one domain"
    );
    let domain = domains["domains"][0]["id"].as_str().unwrap().to_string();
    let projects = get(format!("/projects?domain_id={domain}"), admin_token.clone()).await;
    assert_eq!(
        projects["projects"].as_array().unwrap().len(),
        1,
        "one project"
    );
    let project = projects["projects"][0]["id"].as_str().unwrap().to_string();
    let users = get(format!("/users?domain_id={domain}"), admin_token.clone()).await;
    let users = users["users"].as_array().unwrap().clone();
    assert_eq!(users.len(), 3, "one user per technical contact");
    let vault = varde_notify::vault::Vault::new("fault test key");
    let contacts = store
        .contacts_of(varde_core::ids::OrganizationId(org_id))
        .await
        .unwrap();
    for u in &users {
        let id = u["id"].as_str().unwrap().to_string();
        let ec2 = get(
            format!("/credentials?user_id={id}&type=ec2"),
            admin_token.clone(),
        )
        .await;
        assert_eq!(
            ec2["credentials"].as_array().unwrap().len(),
            1,
            "one EC2 credential for {}",
            u["name"]
        );
        let contact = contacts
            .iter()
            .find(|c| c.details.email.as_str() == u["name"].as_str().unwrap())
            .unwrap();
        let secrets = store.secrets_of(run_id, contact.id).await.unwrap();
        let password = secrets
            .iter()
            .find(|s| s.label == "keystone_password")
            .and_then(|s| vault.open(&s.sealed))
            .unwrap();
        let user_token = issue(serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": id, "password": password}}},
            "scope": {"project": {"id": project}}}})).await;
        let acs = get(format!("/users/{id}/application_credentials"), user_token).await;
        assert_eq!(
            acs["application_credentials"].as_array().unwrap().len(),
            1,
            "one application credential for {}",
            u["name"]
        );
        let kept = secrets
            .iter()
            .find(|s| s.label == "application_credential")
            .unwrap();
        assert_eq!(
            acs["application_credentials"][0]["id"],
            kept.public_part.as_str(),
            "the one whose secret Varde kept"
        );
    }
    eprintln!("onboarding fault test: killed in {killed_in:?}");
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
