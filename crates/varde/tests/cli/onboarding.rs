//! The onboarding fault test: kill -9 in the middle of steps, against the real Keystone.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Server, VARDE, free_port, http, varde, wait_healthy};

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
