//! The JSON API as scripts use it.

use serde_json::{Value, json};

use super::{ADMIN_EMAIL, TestApp, app, apps};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = TestApp::client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = TestApp::client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn organizations_are_created_and_read_back_with_a_token() {
    for app in apps().await {
        let t = app.admin_token.clone();
        let anon = TestApp::client()
            .post(app.url("/api/v1/organizations"))
            .json(&json!({"name": "KTH", "country": "SE"}))
            .send()
            .await
            .unwrap();
        assert_eq!(anon.status(), 401);
        assert!(anon.headers().get("www-authenticate").is_some());
        let (status, created) = post(
            &app,
            &t,
            "/api/v1/organizations",
            json!({"name": "KTH", "country": "SE"}),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["lifecycle"], "prospect");
        let (status, read) = get(&app, &t, &format!("/api/v1/organizations/{id}")).await;
        assert_eq!((status, &read), (200, &created));
        let r = TestApp::client()
            .get(app.url(&format!("/api/v1/organizations/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);

        // PATCH changes only what it sends, and the audit history says who did it.
        let r = TestApp::client()
            .patch(app.url(&format!("/api/v1/organizations/{id}")))
            .bearer_auth(&t)
            .json(&json!({"lifecycle": "onboarding", "mail_domains": ["kth.se"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["name"].as_str(), v["lifecycle"].as_str()),
            (Some("KTH"), Some("onboarding"))
        );
        let (_, audit) = get(&app, &t, &format!("/api/v1/organizations/{id}/audit")).await;
        assert_eq!(audit[0]["action"], "updated");
        assert_eq!(audit[0]["actor"], ADMIN_EMAIL);
        assert_eq!(audit[0]["changes"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn contracts_drive_entitlements() {
    for app in apps().await {
        let t = app.admin_token.clone();
        let (_, org) = post(
            &app,
            &t,
            "/api/v1/organizations",
            json!({"name": "Sikt", "country": "NO"}),
        )
        .await;
        let id = org["id"].as_i64().unwrap();
        let (_, e) = get(
            &app,
            &t,
            &format!("/api/v1/organizations/{id}/entitlements?on=2026-06-01"),
        )
        .await;
        assert_eq!(e["problem"], "no_contract_in_force");
        let (status, c) = post(&app, &t, &format!("/api/v1/organizations/{id}/contracts"), json!({
            "reference": "SIKT-1", "signed_on": "2026-01-10", "starts_on": "2026-02-01",
            "lines": [{"product_code": "SUPPORT-premium"}, {"product_code": "COMPUTE", "quantity": 4, "site": "no-osl1"}]
        })).await;
        assert_eq!(status, 201, "{c}");
        let (_, e) = get(
            &app,
            &t,
            &format!("/api/v1/organizations/{id}/entitlements?on=2026-06-01"),
        )
        .await;
        assert_eq!(e["tier"], "premium");
        assert_eq!(e["quarterly_meetings"], true);
        assert_eq!(e["services"], json!(["compute@no-osl1"]));
        let (status, _) = post(&app, &t, &format!("/api/v1/organizations/{id}/contracts"), json!({
            "reference": "SIKT-2", "signed_on": "2026-01-10", "starts_on": "2026-03-01", "lines": [{"product_code": "SUPPORT-standard"}]
        })).await;
        assert_eq!(status, 201);
        let (_, e) = get(
            &app,
            &t,
            &format!("/api/v1/organizations/{id}/entitlements?on=2026-06-01"),
        )
        .await;
        assert_eq!(e["problem"], "overlapping_tiers");
        assert!(e["problem_message"].as_str().unwrap().contains("SIKT-2"));
    }
}

#[tokio::test]
async fn refused_input_gets_a_json_error_with_its_fields() {
    let app = app().await;
    let t = app.admin_token.clone();
    let (status, v) = post(
        &app,
        &t,
        "/api/v1/organizations",
        json!({"name": "", "country": "Sweden", "sector": "banking"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v["error"]["code"], "validation_failed");
    for f in ["name", "country", "sector"] {
        assert!(v["error"]["fields"][f].is_string(), "{f}: {v}");
    }
    let (_, a) = post(
        &app,
        &t,
        "/api/v1/organizations",
        json!({"name": "A", "country": "SE", "mail_domains": ["a.se"]}),
    )
    .await;
    let (status, v) = post(
        &app,
        &t,
        "/api/v1/organizations",
        json!({"name": "B", "country": "SE", "mail_domains": ["a.se"]}),
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    assert!(
        v["error"]["fields"]["mail_domains"]
            .as_str()
            .unwrap()
            .contains("a.se")
    );
    let (status, v) = post(
        &app,
        &t,
        "/api/v1/organizations",
        json!({"name": "C", "country": "SE", "colour": "red"}),
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    let r = TestApp::client()
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&t)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "bad_request"
    );
    let (status, v) = get(&app, &t, "/api/v1/no-such-thing").await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, _) = get(&app, &t, "/api/v1/organizations/abc").await;
    assert_eq!(status, 404);
    let (status, v) = get(&app, &t, "/api/v1/organizations?sector=banking").await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    let id = a["id"].as_i64().unwrap();
    let (status, v) = post(
        &app,
        &t,
        &format!("/api/v1/organizations/{id}/contacts"),
        json!({"name": "X", "email": "nope", "phone": "123"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(v["error"]["fields"]["email"].is_string() && v["error"]["fields"]["phone"].is_string());
}

#[tokio::test]
async fn lists_page_with_a_cursor_and_filter() {
    let app = app().await;
    let t = app.admin_token.clone();
    for i in 0..12 {
        let country = if i % 3 == 0 { "NO" } else { "SE" };
        post(
            &app,
            &t,
            "/api/v1/organizations",
            json!({"name": format!("Org {i:02}"), "country": country}),
        )
        .await;
    }
    let mut names = vec![];
    let mut path = "/api/v1/organizations?limit=5".to_string();
    loop {
        let (_, page) = get(&app, &t, &path).await;
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/organizations?limit=5&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(names.len(), 12);
    assert_eq!(names[0], "Org 00");
    assert_eq!(names[11], "Org 11");
    let (_, page) = get(&app, &t, "/api/v1/organizations?country=NO").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_and_revocable() {
    let app = app().await;
    let t = app.admin_token.clone();
    let (status, v) = post(
        &app,
        &t,
        "/api/v1/tokens",
        json!({"name": "reporting", "scope": "read"}),
    )
    .await;
    assert_eq!(status, 201);
    let secret = v["token"].as_str().unwrap().to_string();
    let id = v["id"].as_i64().unwrap();
    let (_, list) = get(&app, &t, "/api/v1/tokens").await;
    assert!(
        !list.to_string().contains(&secret),
        "a listed token must not carry its secret"
    );
    if let Some(dir) = &app.dir {
        for file in ["varde.db", "varde.db-wal"] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&secret) && !text.contains(&t),
                "a token secret is stored in the clear in {file}"
            );
        }
    }
    let (status, _) = get(&app, &secret, "/api/v1/organizations").await;
    assert_eq!(status, 200);
    let (status, v) = post(
        &app,
        &secret,
        "/api/v1/organizations",
        json!({"name": "X", "country": "SE"}),
    )
    .await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let r = TestApp::client()
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, _) = get(&app, &secret, "/api/v1/organizations").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn csv_import_and_export_over_http() {
    let app = app().await;
    let t = app.admin_token.clone();
    let csv = "name,country,mail_domains\nKTH,SE,kth.se\nSikt,NO,sikt.no\nBad,Sweden,\n";
    let r = TestApp::client()
        .post(app.url("/api/v1/import/organizations?dry_run=true"))
        .bearer_auth(&t)
        .body(csv)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["created"].as_i64(), v["applied"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(v["errors"][0]["line"], 4);
    let r = TestApp::client()
        .post(app.url("/api/v1/import/organizations"))
        .bearer_auth(&t)
        .body(csv)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["applied"], false, "one bad row: nothing written");
    let r = TestApp::client()
        .post(app.url("/api/v1/import/organizations?partial=true"))
        .bearer_auth(&t)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["applied"], true);
    let r = TestApp::client()
        .get(app.url("/api/v1/export/organizations.csv"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = r.text().await.unwrap();
    assert!(body.starts_with("name,org_number,country"));
    assert!(body.contains("Sikt,,NO,other,none,en,sikt.no,prospect,"));
}

#[tokio::test]
async fn operators_see_health_readiness_metrics_and_the_api_document() {
    let app = app().await;
    let c = TestApp::client();
    assert_eq!(
        c.get(app.url("/healthz")).send().await.unwrap().status(),
        200
    );
    let ready: Value = c
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(
        c.get(app.url("/metrics")).send().await.unwrap().status(),
        401
    );
    let metrics = c
        .get(app.url("/metrics"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .contains("varde_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"}"),
        "{metrics}"
    );
    // The installation's work queues and the node's identity, inside the OpenMetrics text.
    for line in [
        "varde_node_info{node=\"varde\",version=",
        "varde_work_due{queue=\"outbox\"} ",
        "varde_work_oldest_due_seconds{queue=\"status_notifications\"} 0",
        "varde_work_oldest_failing_seconds{queue=\"outbox\"} 0",
        "varde_work_oldest_failing_seconds{queue=\"status_fanouts\"} 0",
        "# TYPE varde_work_due gauge",
    ] {
        assert!(metrics.contains(line), "{line}: {metrics}");
    }
    assert!(metrics.ends_with("# EOF\n"), "{metrics}");
    let doc: Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/organizations",
        "/api/v1/organizations/{id}",
        "/api/v1/tokens",
        "/api/v1/import/{kind}",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    let viewer = c
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !viewer.contains("http://") && !viewer.contains("https://"),
        "the viewer loads nothing from outside"
    );
    let js = c
        .get(app.url("/assets/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
}

#[tokio::test]
async fn tickets_over_varde_api_for_staff_and_customers() {
    for app in apps().await {
        let t = app.admin_token.clone();
        let (_, org) = post(
            &app,
            &t,
            "/api/v1/organizations",
            json!({"name": "KTH", "country": "SE", "mail_domains": ["kth.se"]}),
        )
        .await;
        let org_id = org["id"].as_i64().unwrap();
        post(
            &app,
            &t,
            &format!("/api/v1/organizations/{org_id}/contacts"),
            json!({"name": "Sara", "email": "sara@kth.se", "portal_access": true}),
        )
        .await;
        // Staff open a ticket for a requestor; it belongs to the requestor's organisation.
        let (status, ticket) = post(&app, &t, "/api/v1/tickets", json!({"queue": "General", "subject": "Metadata down", "requestors": ["sara@kth.se"], "content": "boot hangs"})).await;
        assert_eq!(status, 201, "{ticket}");
        assert_eq!(ticket["organization_id"], org_id);
        let id = ticket["id"].as_i64().unwrap();
        let (status, _) = post(
            &app,
            &t,
            &format!("/api/v1/tickets/{id}/comments"),
            json!({"content": "internal: net-node-3"}),
        )
        .await;
        assert_eq!(status, 200);
        let (status, after) = post(
            &app,
            &t,
            &format!("/api/v1/tickets/{id}/phone-calls"),
            json!({"caller": "Sara", "minutes": 6, "notes": "talked it through"}),
        )
        .await;
        assert_eq!((status, after["time_worked"].as_i64()), (200, Some(6)));
        let r = TestApp::client().patch(app.url(&format!("/api/v1/tickets/{id}"))).bearer_auth(&t).json(&json!({"status": "stalled", "owner": ADMIN_EMAIL, "custom_fields": {"Site": ["se-sto1"]}})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["status"].as_str(), v["owner"].as_str()),
            (Some("stalled"), Some(ADMIN_EMAIL))
        );
        let (_, page) = get(
            &app,
            &t,
            "/api/v1/tickets?query=CF.%7BSite%7D%20%3D%20%27se-sto1%27",
        )
        .await;
        assert_eq!(page["total"], 1);
        let (status, e) = get(&app, &t, "/api/v1/tickets?query=Status%20%3D").await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (400, Some("bad_request"))
        );

        // A contact of the organisation: sees its tickets, answers them, never sees comments.
        let customer = app
            .account_with_token(
                "sara@kth.se",
                varde_core::access::Role::Customer,
                Some(org_id),
            )
            .await;
        let (_, mine) = get(&app, &customer, "/api/v1/tickets").await;
        assert_eq!(mine["total"], 1);
        let (_, history) = get(&app, &customer, &format!("/api/v1/tickets/{id}/history")).await;
        let types: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["type"].as_str().unwrap())
            .collect();
        assert!(
            !types.contains(&"Comment") && !history.to_string().contains("net-node-3"),
            "{types:?}"
        );
        let (status, _) = post(
            &app,
            &customer,
            &format!("/api/v1/tickets/{id}/comments"),
            json!({"content": "sneaky"}),
        )
        .await;
        assert_eq!(status, 403);
        let (status, v) = post(
            &app,
            &customer,
            &format!("/api/v1/tickets/{id}/replies"),
            json!({"content": "still broken"}),
        )
        .await;
        assert_eq!(
            (status, v["status"].as_str()),
            (200, Some("open")),
            "a customer's answer reopens a stalled ticket"
        );
        let (status, v) = post(&app, &customer, "/api/v1/tickets", json!({"queue": "General", "subject": "New issue", "requestors": ["someone@else.example"], "content": "x"})).await;
        assert_eq!(status, 201);
        assert_eq!(
            v["requestors"],
            json!(["sara@kth.se"]),
            "a contact opens tickets as itself"
        );
        assert_eq!(v["organization_id"], org_id);
        // Another organisation's ticket does not exist for this contact.
        let (_, other) = post(&app, &t, "/api/v1/tickets", json!({"queue": "General", "subject": "Not yours", "requestors": ["x@other.example"], "content": "secret"})).await;
        let (status, body) =
            get(&app, &customer, &format!("/api/v1/tickets/{}", other["id"])).await;
        assert_eq!(status, 404);
        assert!(!body.to_string().contains("Not yours"));
        let (_, mine) = get(
            &app,
            &customer,
            "/api/v1/tickets?query=Subject%20LIKE%20%27yours%27",
        )
        .await;
        assert_eq!(mine["total"], 0);
    }
}

#[tokio::test]
async fn custom_fields_are_defined_per_queue() {
    let app = app().await;
    let t = app.admin_token.clone();
    let (_, queues) = get(&app, &t, "/api/v1/queues").await;
    let general = queues
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "General")
        .unwrap()
        .clone();
    assert_eq!(general["custom_fields"][0]["name"], "Site");
    // A value outside the list, or a field the queue does not have, is refused.
    let (status, e) = post(&app, &t, "/api/v1/tickets", json!({"queue": "general", "subject": "x", "content": "x", "custom_fields": {"Site": ["mars"]}})).await;
    assert_eq!(status, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("se-sto1"));
    let (status, _) = post(&app, &t, "/api/v1/tickets", json!({"queue": "General", "subject": "x", "content": "x", "custom_fields": {"Colour": ["red"]}})).await;
    assert_eq!(status, 422);
    let (status, v) = post(&app, &t, "/api/v1/tickets", json!({"queue": "General", "subject": "x", "content": "x", "custom_fields": {"site": ["SE-STO1"]}})).await;
    assert_eq!(status, 201);
    assert_eq!(
        v["custom_fields"]["Site"],
        json!(["se-sto1"]),
        "names and values take the definition's spelling"
    );
    assert_eq!(v["queue"], "General");
    // Administrators change the definitions; agents may only read them.
    let agent = app
        .account_with_token("agent@example.com", varde_core::access::Role::Agent, None)
        .await;
    let r = TestApp::client()
        .put(app.url("/api/v1/queues/General/custom-fields"))
        .bearer_auth(&agent)
        .json(&json!([{"name": "Colour"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = TestApp::client()
        .put(app.url("/api/v1/queues/General/custom-fields"))
        .bearer_auth(&t)
        .json(&json!([{"name": "Colour", "values": []}, {"name": "Site", "values": ["se-sto1"]}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = v["id"].as_i64().unwrap();
    let r = TestApp::client()
        .patch(app.url(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&t)
        .json(&json!({"custom_fields": {"Colour": ["red"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = TestApp::client()
        .patch(app.url(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&t)
        .json(&json!({"custom_fields": {"Site": ["no-osl1"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn a_queues_on_call_contact_is_set_by_administrators_and_checked() {
    for app in apps().await {
        let c = TestApp::client();
        let url = app.url("/api/v1/queues/General/on-call");
        let empty: Value = c
            .get(&url)
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(empty, json!({"email": "", "phone": ""}));
        let r = c
            .put(&url)
            .bearer_auth(&app.admin_token)
            .json(&json!({"email": "not mail", "phone": "12"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["fields"]["email"].is_string()
                && body["error"]["fields"]["phone"].is_string(),
            "{body}"
        );
        let r = c
            .put(&url)
            .bearer_auth(&app.admin_token)
            .json(&json!({"email": "oncall@example.com", "phone": "+46 70 123 45 67"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let set: Value = c
            .get(&url)
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            set,
            json!({"email": "oncall@example.com", "phone": "+46701234567"})
        );
        let agent = app
            .account_with_token("alva@example.com", varde_core::access::Role::Agent, None)
            .await;
        let r = c
            .put(&url)
            .bearer_auth(&agent)
            .json(&json!({"email": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = c
            .get(app.url("/api/v1/queues/Nope/on-call"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}

/// Changing the requestors moves the ticket to the organisation they belong to, in the same
/// write as the requestor change (one transaction: the same instant in the history).
#[tokio::test]
async fn a_requestor_change_moves_the_ticket_to_their_organisation_in_one_write() {
    let app = app().await;
    let t = app.admin_token.clone();
    let (status, org) = post(
        &app,
        &t,
        "/api/v1/organizations",
        json!({"name": "Lunds universitet", "country": "SE", "mail_domains": ["lu.se"]}),
    )
    .await;
    assert_eq!(status, 201, "{org}");
    let (status, ticket) = post(
        &app,
        &t,
        "/api/v1/tickets",
        json!({"queue": "General", "subject": "Quota", "requestors": ["someone@nowhere.example"], "content": "x"}),
    )
    .await;
    assert_eq!(
        (status, &ticket["organization_id"]),
        (201, &Value::Null),
        "{ticket}"
    );
    let id = ticket["id"].as_i64().unwrap();
    let r = TestApp::client()
        .patch(app.url(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&t)
        .json(&json!({"requestors": ["anna@lu.se"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let moved: Value = r.json().await.unwrap();
    assert_eq!(moved["organization_id"], org["id"], "{moved}");
    let (_, history) = get(&app, &t, &format!("/api/v1/tickets/{id}/history")).await;
    let at = |field: &str| {
        history
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["field"] == field)
            .map(|h| h["created"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let (requestor, organization) = (at("Requestor"), at("Organization"));
    assert_eq!(organization.len(), 1, "{history}");
    assert!(requestor.contains(&organization[0]), "{history}");
}
