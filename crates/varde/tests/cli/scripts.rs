//! The commands scripts rely on: `user add`, `token create`, `serve` and the API, help for
//! every command, and a bad import.

use std::process::{Command, Stdio};

use super::{Server, VARDE, free_port, http, varde, wait_healthy};

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
        vec!["import-rt", "--help"],
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
