//! Onboarding a premium customer end to end against a REAL Keystone
//! (`../shared/services/keystone/setup.sh`, exported as `OS_AUTH_URL` and `OS_PASSWORD` by
//! `scripts/test.sh`), the Nova quota STAND-IN (`tests/standins/nova_quota.py`, which checks
//! every token with that Keystone), the real SMTP sink and a chat webhook receiver. Then the
//! customer's side: the one-time link gives the secrets once, the application credential
//! logs in and reads the project, and Keystone accepts an S3 signature made with the EC2
//! keys the way Ceph RGW asks it. Running every step again changes nothing in Keystone.
//! On SQLite, and on PostgreSQL when `VARDE_TEST_PG_URL` is set.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use varde_core::contact::ContactForm;
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::{Lifecycle, OrganizationForm};
use varde_core::onboarding::{RunStatus, StepAction, StepState};
use varde_notify::onboarding::{OnboardingConfig, OnboardingWorker};
use varde_notify::openstack::{AdminCredentials, Keystone};
use varde_notify::testing::{SmtpSink, header};
use varde_notify::vault::{Vault, token_digest};
use varde_store::onboarding::StepAct;
use varde_store::{Location, Store};

struct Nova(Child, u16);

impl Drop for Nova {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_nova(keystone: &str, password: &str) -> Nova {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/standins/nova_quota.py");
    let mut child = Command::new("python3")
        .arg(script)
        .args([
            "--port",
            "0",
            "--keystone",
            keystone,
            "--admin-password",
            password,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the Nova stand-in");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the stand-in's port")
        .parse()
        .unwrap();
    Nova(child, port)
}

fn keystone_env() -> Option<(String, String)> {
    Some((
        std::env::var("OS_AUTH_URL").ok()?,
        std::env::var("OS_PASSWORD").ok()?,
    ))
}

fn admin(password: &str) -> AdminCredentials {
    AdminCredentials {
        user: "admin".into(),
        password: password.into(),
        project: "admin".into(),
        user_domain_id: "default".into(),
        project_domain_id: "default".into(),
    }
}

/// Keystone as the customer and as an auditor see it: plain HTTP calls, not Varde's client.
struct Probe {
    http: reqwest::Client,
    url: String,
    admin_token: String,
}

impl Probe {
    async fn new(url: &str, password: &str) -> Probe {
        varde_notify::install_tls_provider();
        let http = reqwest::Client::new();
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}});
        let r = http
            .post(format!("{url}/auth/tokens"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let admin_token = r.headers()["X-Subject-Token"].to_str().unwrap().to_string();
        Probe {
            http,
            url: url.into(),
            admin_token,
        }
    }

    async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .header("X-Auth-Token", &self.admin_token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }

    async fn count(&self, collection: &str, query: &str) -> usize {
        self.get(&format!("/{collection}?{query}")).await[collection]
            .as_array()
            .unwrap()
            .len()
    }
}

#[tokio::test]
async fn a_premium_customer_is_onboarded_in_keystone_and_welcomed() {
    let Some((url, password)) = keystone_env() else {
        eprintln!(
            "OS_AUTH_URL is not set: start Keystone with ../shared/services/keystone/setup.sh (scripts/test.sh does)"
        );
        return;
    };
    let nova = start_nova(&url, &password);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    onboard(
        sqlite,
        &url,
        &password,
        &nova,
        Some(dir.path().join("varde.db")),
    )
    .await;
    if let Ok(pg) = std::env::var("VARDE_TEST_PG_URL") {
        let store = varde_store::testing::scratch_postgres(&pg).await.unwrap();
        onboard(store, &url, &password, &nova, None).await;
    }
}

async fn onboard(
    store: Store,
    url: &str,
    password: &str,
    nova: &Nova,
    sqlite_file: Option<std::path::PathBuf>,
) {
    let sink = SmtpSink::start("");
    let chat = varde_notify::testing::HttpSink::start("/hooks/room").await;
    let prefix = format!("t{}", &Vault::new("x").random_hex(4).to_lowercase());
    let now = jiff::Timestamp::now();
    let today = now
        .to_zoned(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap())
        .date();
    let org = store
        .create_organization(
            "cs@example.com",
            &OrganizationForm {
                name: "Kungliga Tekniska högskolan".into(),
                country: "SE".into(),
                sector: "research_education".into(),
                framework: "sunet".into(),
                language: "sv".into(),
                mail_domains: "kth.example".into(),
                lifecycle: "prospect".into(),
                ..Default::default()
            }
            .parse()
            .unwrap(),
            now,
        )
        .await
        .unwrap();
    let contact = |name: &str, email: &str, roles: &str, lang: &str| ContactForm {
        name: name.into(),
        email: email.into(),
        roles: roles.into(),
        language: lang.into(),
        ..Default::default()
    };
    let tech = store
        .create_contact(
            "cs@example.com",
            org.id,
            &contact("Åsa Berg", "Asa.Berg@kth.example", "technical", "sv")
                .parse(org.details.language)
                .unwrap(),
            now,
        )
        .await
        .unwrap();
    let tech2 = store
        .create_contact(
            "cs@example.com",
            org.id,
            &contact("Ola Nordmann", "ola@kth.example", "technical", "nb")
                .parse(org.details.language)
                .unwrap(),
            now,
        )
        .await
        .unwrap();
    store
        .create_contact(
            "cs@example.com",
            org.id,
            &contact("Pia Chef", "pia@kth.example", "primary", "en")
                .parse(org.details.language)
                .unwrap(),
            now,
        )
        .await
        .unwrap();
    let line = |code: &str, qty: &str, site: &str| ProductLineForm {
        product_code: code.into(),
        quantity: qty.into(),
        site: site.into(),
    };
    let contract = store
        .create_contract(
            "cs@example.com",
            org.id,
            &ContractForm {
                reference: format!("KTH-{prefix}"),
                signed_on: today.to_string(),
                starts_on: today.to_string(),
                ends_on: String::new(),
                lines: vec![
                    line("SUPPORT-premium", "1", ""),
                    line("COMPUTE", "2", "se-sto1"),
                    line("STORAGE-S3", "1", "se-sto1"),
                ],
            }
            .parse()
            .unwrap(),
            now,
        )
        .await
        .unwrap();

    let run_id = store
        .start_onboarding(contract.id, "cs@example.com", now)
        .await
        .unwrap()
        .expect("a run starts");
    assert_eq!(
        store
            .start_onboarding(contract.id, "cs@example.com", now)
            .await
            .unwrap(),
        Some(run_id),
        "one run per contract"
    );
    assert_eq!(
        store
            .organization(org.id)
            .await
            .unwrap()
            .unwrap()
            .details
            .lifecycle,
        Lifecycle::Onboarding
    );

    let secrets_key = "test secrets key";
    let keystone = Keystone::new(url, admin(password), "RegionOne").unwrap();
    let worker = OnboardingWorker::new(
        store.clone(),
        Some(keystone),
        Some(&sink.url()),
        std::sync::Arc::new(Vault::new(secrets_key)),
        OnboardingConfig {
            url: "https://varde.example.com".into(),
            from: "onboarding@example.com".into(),
            support_address: "support@example.com".into(),
            docs_url: "https://docs.example.com".into(),
            chat_webhook: Some(chat.url.clone()),
            rtname: "example.com".into(),
            domain_prefix: prefix.clone(),
            lease: Duration::from_secs(60),
            link_days: 7,
        },
    )
    .unwrap();
    let clock = std::time::Instant::now();
    worker.run_once(now).await.unwrap();
    eprintln!(
        "onboarding ({}): every automated step of a premium customer with 2 technical contacts in {:?}",
        store.engine(),
        clock.elapsed()
    );

    let run = store.run(run_id).await.unwrap().unwrap();
    for s in &run.steps {
        let expected = if s.action == StepAction::Manual {
            StepState::Pending
        } else {
            StepState::Done
        };
        assert_eq!(s.state, expected, "{} {}: {}", s.action, s.title, s.reason);
    }
    assert_eq!(
        run.status,
        RunStatus::Running,
        "the checklist items are open"
    );

    // Keystone holds what the names promise, each once.
    let probe = Probe::new(url, password).await;
    let domain = format!("{prefix}-{}", org.id.0);
    let domains = probe.get(&format!("/domains?name={domain}")).await;
    assert_eq!(domains["domains"].as_array().unwrap().len(), 1);
    let domain_id = domains["domains"][0]["id"].as_str().unwrap().to_string();
    assert!(
        domains["domains"][0]["description"]
            .as_str()
            .unwrap()
            .contains("Kungliga Tekniska")
    );
    let projects = probe.get(&format!("/projects?domain_id={domain_id}")).await;
    assert_eq!(projects["projects"].as_array().unwrap().len(), 1);
    let project_id = projects["projects"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(projects["projects"][0]["name"], format!("{domain}-prod"));
    let users = probe.get(&format!("/users?domain_id={domain_id}")).await;
    let mut names: Vec<&str> = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["asa.berg@kth.example", "ola@kth.example"],
        "one user per technical contact, never the primary"
    );
    let assignments = probe
        .get(&format!(
            "/role_assignments?scope.project.id={project_id}&include_names=true"
        ))
        .await;
    let members = assignments["role_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["role"]["name"] == "member")
        .count();
    assert_eq!(members, 2);

    // Unified limits from 2 COMPUTE units, and Nova's os-quota-sets through the catalog.
    let service = probe.get("/services?type=compute").await["services"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let limits = probe
        .get(&format!(
            "/limits?project_id={project_id}&service_id={service}"
        ))
        .await;
    let mut got: Vec<(String, i64)> = limits["limits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["resource_name"].as_str().unwrap().to_string(),
                l["resource_limit"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("class:MEMORY_MB".to_string(), 131072),
            ("class:VCPU".to_string(), 32),
            ("servers".to_string(), 20)
        ]
    );
    let log: Value = reqwest::get(format!("http://127.0.0.1:{}/_standin/log", nova.1))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let puts: Vec<&Value> = log["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["method"] == "PUT" && e["path"].as_str().unwrap().ends_with(&project_id))
        .collect();
    assert_eq!(puts.len(), 1);
    assert_eq!(
        puts[0]["body"],
        json!({"quota_set": {"cores": 32, "instances": 20, "ram": 131072}})
    );

    // Mail: a welcome per contact in their language, the meeting request, nothing else.
    let mails = sink.received();
    let welcome_to = |addr: &str| {
        mails
            .iter()
            .find(|m| {
                header(m, "To").is_some_and(|t| t.contains(addr))
                    && header(m, "Subject").is_some_and(|s| !s.contains("Quarterly"))
            })
            .cloned()
    };
    let asa = welcome_to("Asa.Berg@kth.example").expect("Åsa is welcomed");
    assert!(
        asa.contains("=?utf-8?") || asa.contains("Välkommen"),
        "Swedish subject"
    );
    let pia = welcome_to("pia@kth.example").expect("the primary contact is welcomed");
    assert!(pia.contains("Documentation and configuration examples: https://docs.example.com"));
    assert!(
        !pia.contains("/welcome/"),
        "no login for a contact without a user"
    );
    let meeting = mails
        .iter()
        .find(|m| m.contains("text/calendar"))
        .expect("the meeting request");
    assert!(meeting.contains("METHOD:REQUEST"));
    assert!(meeting.contains(&format!("UID:varde-meeting-{run_id}@example.com")));
    assert_eq!(mails.len(), 4, "three welcomes and one invitation");
    let room = chat.received();
    assert_eq!(room.len(), 1);
    assert!(room[0].0.starts_with("POST /hooks/room "));
    assert!(room[0].1.contains("Asa.Berg@kth.example") && room[0].1.contains("Kungliga"));

    // The customer's side: the one-time link in Åsa's mail.
    let token = asa
        .split("https://varde.example.com/welcome/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a one-time link")
        .to_string();
    if let Some(file) = &sqlite_file {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "the link token is kept only as a digest"
        );
    }
    let sealed = store
        .reveal_secrets(&token_digest(&token), now)
        .await
        .unwrap()
        .expect("the link opens once");
    assert!(
        store
            .reveal_secrets(&token_digest(&token), now)
            .await
            .unwrap()
            .is_none(),
        "and only once"
    );
    let vault = Vault::new(secrets_key);
    let secret = |label: &str| {
        let s = sealed
            .iter()
            .find(|s| s.label == label)
            .unwrap_or_else(|| panic!("{label} shown"));
        (
            s.public_part.clone(),
            vault.open(&s.sealed).expect("it opens"),
        )
    };
    let (user_name, user_password) = secret("keystone_password");
    let (ac_id, ac_secret) = secret("application_credential");
    let (access, s3_secret) = secret("ec2");
    assert_eq!(user_name, "asa.berg@kth.example");
    if let Some(file) = &sqlite_file {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).to_string();
        for s in [&user_password, &ac_secret, &s3_secret] {
            assert!(!text.contains(s.as_str()), "a secret in the clear");
        }
    }
    let others = store.secrets_of(run_id, tech.id).await.unwrap();
    assert!(
        others.iter().all(|s| s.sealed.is_empty()),
        "shown secrets are wiped"
    );
    assert!(
        store
            .secrets_of(run_id, tech2.id)
            .await
            .unwrap()
            .iter()
            .all(|s| !s.sealed.is_empty()),
        "Ola's wait for Ola"
    );

    // The application credential logs in and reads the project.
    let http = reqwest::Client::new();
    let r = http.post(format!("{url}/auth/tokens"))
        .json(&json!({"auth": {"identity": {"methods": ["application_credential"], "application_credential": {"id": ac_id, "secret": ac_secret}}}}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);
    let ac_token = r.headers()["X-Subject-Token"].to_str().unwrap().to_string();
    let p: Value = http
        .get(format!("{url}/projects/{project_id}"))
        .header("X-Auth-Token", &ac_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["project"]["name"], format!("{domain}-prod"));
    // The initial password logs in too.
    let r = http.post(format!("{url}/auth/tokens"))
        .json(&json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": user_name, "domain": {"id": domain_id}, "password": user_password}}}, "scope": {"project": {"id": project_id}}}}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);

    // The EC2 keys, checked the way Ceph RGW does: /v3/s3tokens with a service token.
    let sts = "GET\n\n\nTue, 24 Nov 2026 10:00:00 GMT\n/bucket/object";
    let sign = |secret: &str| {
        use base64::Engine as _;
        let key =
            ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
        base64::engine::general_purpose::STANDARD
            .encode(ring::hmac::sign(&key, sts.as_bytes()).as_ref())
    };
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE.encode(sts)
    };
    let s3 = |signature: String| {
        http.post(format!("{url}/s3tokens"))
            .header("X-Auth-Token", &probe.admin_token)
            .json(&json!({"credentials": {"access": access, "token": b64, "signature": signature}}))
            .send()
    };
    let ok = s3(sign(&s3_secret)).await.unwrap();
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["token"]["project"]["id"], project_id.as_str());
    assert_eq!(s3(sign("wrong")).await.unwrap().status(), 401);

    // Everything once more: nothing new in Keystone, no mail twice.
    varde_store::testing::reopen_automated_steps(&store, run_id)
        .await
        .unwrap();
    worker.run_once(now).await.unwrap();
    let again = store.run(run_id).await.unwrap().unwrap();
    assert!(
        again
            .steps
            .iter()
            .all(|s| s.state == StepState::Done || s.action == StepAction::Manual),
        "{:?}",
        again
            .steps
            .iter()
            .map(|s| (s.action, s.state, s.reason.clone()))
            .collect::<Vec<_>>()
    );
    assert_eq!(probe.count("domains", &format!("name={domain}")).await, 1);
    assert_eq!(
        probe
            .count("projects", &format!("domain_id={domain_id}"))
            .await,
        1
    );
    assert_eq!(
        probe
            .count("users", &format!("domain_id={domain_id}"))
            .await,
        2
    );
    for u in users["users"].as_array().unwrap() {
        let id = u["id"].as_str().unwrap();
        assert_eq!(
            probe
                .count("credentials", &format!("user_id={id}&type=ec2"))
                .await,
            1,
            "one EC2 credential per user"
        );
    }
    assert_eq!(sink.received().len(), 4, "no welcome or invitation twice");
    assert_eq!(chat.received().len(), 1, "no second announcement");
    // Åsa's password was revealed, so Varde no longer holds it: the application credential
    // step, run again, cannot log in as her, and says so instead of guessing.
    let ac_step = again
        .steps
        .iter()
        .find(|s| s.action == StepAction::ApplicationCredentials)
        .unwrap();
    assert_eq!(
        ac_step.state,
        StepState::Done,
        "it had nothing to redo: {}",
        ac_step.reason
    );

    // People finish the checklist; the organisation goes live.
    for s in again
        .steps
        .iter()
        .filter(|s| s.action == StepAction::Manual)
    {
        assert!(
            store
                .act_on_step(s.id, StepAct::Complete, "cs@example.com", now)
                .await
                .unwrap()
        );
    }
    let done = store.run(run_id).await.unwrap().unwrap();
    assert_eq!(done.status, RunStatus::Done);
    assert_eq!(
        store
            .organization(org.id)
            .await
            .unwrap()
            .unwrap()
            .details
            .lifecycle,
        Lifecycle::Active
    );
    let events = store.run_events(run_id).await.unwrap();
    assert!(events.last().unwrap().message.contains("complete"));

    // Offboarding: disabled at once; removal only after the grace period and a confirmation.
    let off = store
        .start_offboarding(contract.id, None, today, "cs@example.com", now)
        .await
        .unwrap();
    worker.run_once(now).await.unwrap();
    let d = probe.get(&format!("/domains/{domain_id}")).await;
    assert_eq!(d["domain"]["enabled"], false);
    let run = store.run(off).await.unwrap().unwrap();
    let remove = run
        .steps
        .iter()
        .find(|s| s.action == StepAction::RemoveAccess)
        .unwrap();
    let later = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 31))
        .unwrap();
    worker.run_once(later).await.unwrap();
    assert_eq!(
        probe.count("domains", &format!("name={domain}")).await,
        1,
        "not without a confirmation"
    );
    assert!(
        store
            .act_on_step(remove.id, StepAct::Confirm, "lead@example.com", now)
            .await
            .unwrap()
    );
    worker.run_once(now).await.unwrap();
    assert_eq!(
        probe.count("domains", &format!("name={domain}")).await,
        1,
        "not within the grace period"
    );
    worker.run_once(later).await.unwrap();
    assert_eq!(
        probe.count("domains", &format!("name={domain}")).await,
        0,
        "removed"
    );
    let tell = run
        .steps
        .iter()
        .find(|s| s.action == StepAction::Manual)
        .unwrap();
    store
        .act_on_step(tell.id, StepAct::Complete, "cs@example.com", later)
        .await
        .unwrap();
    assert_eq!(
        store
            .organization(org.id)
            .await
            .unwrap()
            .unwrap()
            .details
            .lifecycle,
        Lifecycle::Offboarded
    );
}
