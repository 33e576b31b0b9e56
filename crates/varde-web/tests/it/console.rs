//! The console as a browser uses it: login, sessions, CSRF, forms with errors beside fields.

use serde_json::{Value, json};

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app};

#[tokio::test]
async fn login_sets_an_httponly_cookie_and_wrong_passwords_are_refused() {
    let app = app().await;
    let c = TestApp::client();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", "/console/organizations"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", "wrong password!"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("wrong e-mail address or password")
    );
    let r = c
        .get(app.url("/console/organizations"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        303,
        "logged-out visitors are sent to the login page"
    );
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let app = app().await;
    let c = TestApp::client();
    let mut statuses = vec![];
    for _ in 0..12 {
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("email", "victim@example.com"),
                ("password", "guess-guess"),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
}

#[tokio::test]
async fn session_changes_need_the_csrf_token() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // The API with a session cookie and no CSRF header is refused.
    let r = browser
        .post(app.url("/api/v1/organizations"))
        .json(&json!({"name": "X", "country": "SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "csrf_failed"
    );
    // A console form without the token is refused, and nothing is created.
    let r = browser
        .post(app.url("/console/organizations"))
        .form(&[("name", "Forged"), ("country", "SE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.store.count_organizations().await.unwrap(), 0);
    // With the token from the page, it works.
    let page = browser
        .get(app.url("/console/organizations/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = browser
        .post(app.url("/console/organizations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Chalmers"),
            ("country", "SE"),
            ("sector", "research_education"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = browser
        .post(app.url("/api/v1/organizations"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "Y", "country": "SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn forms_show_errors_beside_fields_and_keep_what_was_typed() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser
        .get(app.url("/console/organizations/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = browser
        .post(app.url("/console/organizations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Kept <Name>"),
            ("country", "Sverige"),
            ("org_number", "123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"country-error\""),
        "the error sits beside the country field"
    );
    assert!(
        html.contains("value=\"Kept &#60;Name&#62;\"")
            || html.contains("value=\"Kept &lt;Name&gt;\""),
        "typed text is kept, escaped"
    );
    assert!(!html.contains("<Name>"));
}

#[tokio::test]
async fn a_customer_contact_cannot_open_another_organisations_page() {
    let app = app().await;
    let t = app.admin_token.clone();
    let c = TestApp::client();
    let mk = |name: &'static str| {
        c.post(app.url("/api/v1/organizations"))
            .bearer_auth(t.clone())
            .json(&json!({"name": name, "country": "SE"}))
            .send()
    };
    let a: Value = mk("Org A").await.unwrap().json().await.unwrap();
    let b: Value = mk("Org B").await.unwrap().json().await.unwrap();
    let (a, b) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    c.post(app.url(&format!("/api/v1/organizations/{a}/contacts")))
        .bearer_auth(&t)
        .json(&json!({"name": "Alice", "email": "alice@a.example", "portal_access": true}))
        .send()
        .await
        .unwrap();
    let r = c.post(app.url("/api/v1/users")).bearer_auth(&t)
        .json(&json!({"email": "alice@a.example", "name": "Alice", "role": "customer", "organization_id": a, "password": "alice-password-1"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let browser = app.browser("alice@a.example", "alice-password-1").await;
    let r = browser
        .get(app.url(&format!("/console/organizations/{b}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("Org B"));
    let r = browser
        .get(app.url(&format!("/console/organizations/{a}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list = browser
        .get(app.url("/console/organizations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Org A") && !list.contains("Org B"));
}

#[tokio::test]
async fn administrators_add_and_disable_accounts_in_the_console() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser
        .get(app.url("/console/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = browser
        .post(app.url("/console/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Alva"),
            ("email", "alva@example.com"),
            ("role", "agent"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"password-error\""));
    let r = browser
        .post(app.url("/console/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Alva"),
            ("email", "alva@example.com"),
            ("role", "agent"),
            ("password", "a good long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Added alva@example.com"));
    let agent = app
        .browser("alva@example.com", "a good long password")
        .await;
    assert_eq!(
        agent
            .get(app.url("/console/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let users: Value = TestApp::client()
        .get(app.url("/api/v1/users"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "alva@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = browser
        .post(app.url(&format!("/console/users/{id}/disable")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        agent
            .get(app.url("/console/organizations"))
            .send()
            .await
            .unwrap()
            .status(),
        303,
        "a disabled account's session ends"
    );
}
