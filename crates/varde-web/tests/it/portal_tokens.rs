//! A contact's API tokens in the portal: made in its language, the secret shown once, a read
//! token reads its own organisation only and writes nothing, a revoked token is refused at
//! once, and nobody revokes another's token.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_PASSWORD, TestApp, app, csrf_of};

async fn organization(app: &TestApp, name: &str, language: &str) -> i64 {
    let org: Value = TestApp::client()
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": name, "country": "SE", "language": language}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    org["id"].as_i64().unwrap()
}

async fn contact_browser(app: &TestApp, org: i64, email: &str) -> reqwest::Client {
    app.account_with_token(email, Role::Customer, Some(org))
        .await;
    let c = app.browser(email, ADMIN_PASSWORD).await;
    // The portal's language switch, as the contact would use it.
    let html = c
        .get(app.url("/portal"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    c.post(app.url("/portal/language"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("lang", "sv"),
            ("back", "/portal"),
        ])
        .send()
        .await
        .unwrap();
    c
}

#[tokio::test]
async fn a_contact_makes_and_revokes_its_own_api_tokens_in_the_portal() {
    let app = app().await;
    let org = organization(&app, "Lunda", "sv").await;
    let lisa = contact_browser(&app, org, "lisa@lunda.example").await;
    let r = lisa.get(app.url("/console/tokens")).send().await.unwrap();
    assert_eq!(
        r.headers()["location"],
        "/portal",
        "a contact's tokens are in the portal"
    );
    let html = lisa
        .get(app.url("/portal/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<h1>API-nycklar</h1>") && html.contains("Läsa och skriva"),
        "{html}"
    );
    let csrf = csrf_of(&html);

    let r = lisa
        .post(app.url("/portal/tokens"))
        .form(&[("csrf", csrf.as_str()), ("name", ""), ("scope", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("nyckeln behöver ett namn"));
    let html = lisa
        .post(app.url("/portal/tokens"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "nagios-lunda"),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html
        .find("<code class=\"secret\" id=\"new-token\">")
        .unwrap()
        + 36;
    let secret = html[start..].split('<').next().unwrap().to_string();
    assert!(secret.starts_with("varde_"), "{secret}");
    assert!(
        html.contains("Bara läsa") && html.contains("aldrig"),
        "{html}"
    );
    let again = lisa
        .get(app.url("/portal/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&secret), "the secret is shown once");

    // The token reads its organisation, and only it; it writes nothing.
    let c = TestApp::client();
    let r = c
        .get(app.url(&format!("/api/v1/organizations/{org}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let other = organization(&app, "Annan", "sv").await;
    let r = c
        .get(app.url(&format!("/api/v1/organizations/{other}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&secret)
        .json(&json!({"queue": "General", "subject": "x", "content": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a read token writes nothing");

    // Another organisation's contact cannot revoke it.
    // Newest first: the first revoke form is the new token's.
    let id: i64 = {
        let at = again.find("/portal/tokens/").unwrap() + "/portal/tokens/".len();
        again[at..].split('/').next().unwrap().parse().unwrap()
    };
    let olle = contact_browser(&app, other, "olle@annan.example").await;
    let html = olle
        .get(app.url("/portal/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("nagios-lunda"),
        "another's tokens are not listed"
    );
    let r = olle
        .post(app.url(&format!("/portal/tokens/{id}/revoke")))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .get(app.url(&format!("/api/v1/organizations/{org}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "still works");

    // Lisa revokes it: refused at once.
    let r = lisa
        .post(app.url(&format!("/portal/tokens/{id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .get(app.url(&format!("/api/v1/organizations/{org}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let html = lisa
        .get(app.url("/portal/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("återkallad"), "{html}");
}
