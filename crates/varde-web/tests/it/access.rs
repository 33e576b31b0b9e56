//! The authorisation sweep: every API route, tried as a customer contact of organisation A
//! against organisation B's data, and as an anonymous caller. Nothing of B may be readable or
//! writable, and nothing may change.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{TestApp, apps};

/// Every API route with a body that would succeed for an administrator.
fn routes(
    org: i64,
    contact: i64,
    contract: i64,
    ticket: i64,
) -> Vec<(&'static str, String, Option<Value>)> {
    let c = json!({"reference": "X-1", "starts_on": "2026-01-01", "lines": [{"product_code": "SUPPORT-premium"}]});
    vec![
        ("GET", "/api/v1/organizations".into(), None),
        (
            "POST",
            "/api/v1/organizations".into(),
            Some(json!({"name": "Intruder", "country": "SE"})),
        ),
        ("GET", format!("/api/v1/organizations/{org}"), None),
        (
            "PATCH",
            format!("/api/v1/organizations/{org}"),
            Some(json!({"name": "Hijacked"})),
        ),
        ("DELETE", format!("/api/v1/organizations/{org}"), None),
        (
            "GET",
            format!("/api/v1/organizations/{org}/entitlements"),
            None,
        ),
        ("GET", format!("/api/v1/organizations/{org}/audit"), None),
        ("GET", format!("/api/v1/organizations/{org}/contacts"), None),
        (
            "POST",
            format!("/api/v1/organizations/{org}/contacts"),
            Some(json!({"name": "Spy", "email": "spy@evil.example"})),
        ),
        ("GET", format!("/api/v1/contacts/{contact}"), None),
        (
            "PATCH",
            format!("/api/v1/contacts/{contact}"),
            Some(json!({"name": "Hijacked"})),
        ),
        ("DELETE", format!("/api/v1/contacts/{contact}"), None),
        (
            "GET",
            format!("/api/v1/organizations/{org}/contracts"),
            None,
        ),
        (
            "POST",
            format!("/api/v1/organizations/{org}/contracts"),
            Some(c.clone()),
        ),
        ("GET", format!("/api/v1/contracts/{contract}"), None),
        ("PUT", format!("/api/v1/contracts/{contract}"), Some(c)),
        ("DELETE", format!("/api/v1/contracts/{contract}"), None),
        ("GET", "/api/v1/users".into(), None),
        (
            "POST",
            "/api/v1/users".into(),
            Some(
                json!({"email": "new@evil.example", "name": "N", "role": "admin", "password": "0123456789abc"}),
            ),
        ),
        ("GET", "/api/v1/export/organizations.csv".into(), None),
        ("GET", "/api/v1/export/contacts.csv".into(), None),
        ("GET", "/api/v1/export/contracts.csv".into(), None),
        ("POST", "/api/v1/import/organizations".into(), None),
        ("POST", "/api/v1/import/contacts?dry_run=true".into(), None),
        ("GET", format!("/api/v1/tickets/{ticket}"), None),
        (
            "PATCH",
            format!("/api/v1/tickets/{ticket}"),
            Some(json!({"status": "resolved"})),
        ),
        ("GET", format!("/api/v1/tickets/{ticket}/history"), None),
        (
            "POST",
            format!("/api/v1/tickets/{ticket}/replies"),
            Some(json!({"content": "hijack"})),
        ),
        (
            "POST",
            format!("/api/v1/tickets/{ticket}/comments"),
            Some(json!({"content": "hijack"})),
        ),
        (
            "POST",
            format!("/api/v1/tickets/{ticket}/phone-calls"),
            Some(json!({"caller": "x", "minutes": 1})),
        ),
        (
            "POST",
            format!("/api/v1/tickets/{ticket}/merge"),
            Some(json!({"into": ticket})),
        ),
        (
            "POST",
            format!("/api/v1/tickets/{ticket}/links"),
            Some(json!({"kind": "RefersTo", "ticket": ticket})),
        ),
        ("GET", format!("/REST/2.0/ticket/{ticket}"), None),
        ("GET", "/REST/2.0/tickets?query=".into(), None),
    ]
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: &Option<Value>,
) -> (u16, String) {
    let c = TestApp::client();
    let mut r = c.request(method.parse().unwrap(), app.url(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r = match body {
        Some(b) => r.json(b),
        None if path.contains("/import/") => {
            r.body("organization,name,email\nSecret Org B,Spy,spy2@evil.example\n")
        }
        None => r,
    };
    let resp = r.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn a_customer_of_a_sees_nothing_of_b_and_anonymous_sees_nothing() {
    for app in apps().await {
        let admin = app.admin_token.clone();
        let mk = |name: &str, domain: &str, email: &str| {
            let app = &app;
            let admin = admin.clone();
            let (name, domain, email) = (name.to_string(), domain.to_string(), email.to_string());
            async move {
                let c = TestApp::client();
                let org: Value = c
                    .post(app.url("/api/v1/organizations"))
                    .bearer_auth(&admin)
                    .json(&json!({"name": name, "country": "SE", "mail_domains": [domain]}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let id = org["id"].as_i64().unwrap();
                let contact: Value = c
                    .post(app.url(&format!("/api/v1/organizations/{id}/contacts")))
                    .bearer_auth(&admin)
                    .json(&json!({"name": "Person", "email": email, "portal_access": true}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let contract: Value = c.post(app.url(&format!("/api/v1/organizations/{id}/contracts"))).bearer_auth(&admin)
                    .json(&json!({"reference": format!("{name}-C"), "signed_on": "2026-01-01", "starts_on": "2026-01-01", "lines": [{"product_code": "SUPPORT-premium"}]}))
                    .send().await.unwrap().json().await.unwrap();
                (
                    id,
                    contact["id"].as_i64().unwrap(),
                    contract["id"].as_i64().unwrap(),
                )
            }
        };
        let (a, _, _) = mk("Org A", "a.example", "alice@a.example").await;
        let (b, b_contact, b_contract) = mk("Secret Org B", "b.example", "bob@b.example").await;
        let customer = app
            .account_with_token("alice@a.example", Role::Customer, Some(a))
            .await;
        let export_before: String = TestApp::client()
            .get(app.url("/api/v1/export/contacts.csv"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let orgs_before = app.store.count_organizations().await.unwrap();

        let b_ticket: Value = TestApp::client().post(app.url("/api/v1/tickets")).bearer_auth(&admin)
            .json(&json!({"queue": "General", "subject": "Secret Org B ticket", "requestors": ["bob@b.example"], "content": "bob's secret"}))
            .send().await.unwrap().json().await.unwrap();
        let b_ticket = b_ticket["id"].as_i64().unwrap();
        for (method, path, body) in routes(b, b_contact, b_contract, b_ticket) {
            let (status, text) = call(&app, Some(&customer), method, &path, &body).await;
            let listing = method == "GET" && path == "/api/v1/organizations";
            // RT's APIs answer in RT's shapes ({"message": …}) and are staff-only.
            let rt = path.starts_with("/REST/");
            assert!(
                matches!(status, 403 | 404) || listing && status == 200,
                "{} customer of A: {method} {path} answered {status}: {text}",
                app.store.engine()
            );
            assert!(
                !text.contains("Secret Org B")
                    && !text.contains("bob@b.example")
                    && !text.contains("bob's secret"),
                "{method} {path} leaked B: {text}"
            );
            let v: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"));
            assert!(
                listing || rt || v["error"]["code"].is_string(),
                "{method} {path}: {text}"
            );

            let (status, text) = call(&app, None, method, &path, &body).await;
            assert_eq!(
                status, 401,
                "anonymous: {method} {path} answered {status}: {text}"
            );
            assert!(
                !text.contains("bob"),
                "anonymous: {method} {path} leaked B: {text}"
            );
        }
        // The list endpoint answers, but with A only.
        let (status, text) =
            call(&app, Some(&customer), "GET", "/api/v1/organizations", &None).await;
        assert_eq!(status, 200);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        assert_eq!(v["items"][0]["id"], a);
        // A customer may read its own organisation.
        let (status, _) = call(
            &app,
            Some(&customer),
            "GET",
            &format!("/api/v1/organizations/{a}/contacts"),
            &None,
        )
        .await;
        assert_eq!(status, 200);

        // Nothing changed.
        assert_eq!(app.store.count_organizations().await.unwrap(), orgs_before);
        let export_after: String = TestApp::client()
            .get(app.url("/api/v1/export/contacts.csv"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(export_before, export_after);
        let b_org: Value = TestApp::client()
            .get(app.url(&format!("/api/v1/organizations/{b}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(b_org["name"], "Secret Org B");
    }
}

#[tokio::test]
async fn staff_roles_are_enforced_by_the_api() {
    for app in apps().await {
        let agent = app
            .account_with_token("agent@example.com", Role::Agent, None)
            .await;
        let reader = app
            .account_with_token("reader@example.com", Role::ReadOnly, None)
            .await;
        let manager = app
            .account_with_token("sm@example.com", Role::ServiceManager, None)
            .await;
        let c = TestApp::client();
        let org = |t: &str| {
            c.post(app.url("/api/v1/organizations"))
                .bearer_auth(t.to_string())
                .json(&json!({"name": format!("By {}", &t[..10]), "country": "SE"}))
                .send()
        };
        assert_eq!(org(&reader).await.unwrap().status(), 403);
        assert_eq!(org(&agent).await.unwrap().status(), 403);
        let created: Value = org(&manager).await.unwrap().json().await.unwrap();
        let id = created["id"].as_i64().unwrap();
        let contact = |t: &str, email: &str| {
            c.post(app.url(&format!("/api/v1/organizations/{id}/contacts")))
                .bearer_auth(t.to_string())
                .json(&json!({"name": "P", "email": email}))
                .send()
        };
        assert_eq!(
            contact(&agent, "p1@example.com").await.unwrap().status(),
            201,
            "agents add contacts while working tickets"
        );
        assert_eq!(
            contact(&reader, "p2@example.com").await.unwrap().status(),
            403
        );
        let del = c
            .delete(app.url(&format!("/api/v1/organizations/{id}")))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap();
        assert_eq!(
            del.status(),
            403,
            "only administrators delete organisations"
        );
        let users = c
            .get(app.url("/api/v1/users"))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap();
        assert_eq!(users.status(), 403);
        let del = c
            .delete(app.url(&format!("/api/v1/organizations/{id}")))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(del.status(), 204);
    }
}
