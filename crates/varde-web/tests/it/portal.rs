//! The customer portal as contacts use it, and what it never shows them.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_PASSWORD, TestApp, app, csrf_of};

/// Two organisations, a contact with a portal login in each (Norwegian and Danish), and a
/// ticket of each organisation. Gives (A's id, A's ticket, B's ticket).
async fn two_customers(app: &TestApp) -> (i64, i64, i64) {
    let t = app.admin_token.clone();
    let c = TestApp::client();
    let mut orgs = vec![];
    for (name, country, domain, language) in [
        ("Fjordnett", "NO", "fjord.example", "nb"),
        ("Øresund Data", "DK", "oresund.example", "da"),
    ] {
        let org: Value = c
            .post(app.url("/api/v1/organizations"))
            .bearer_auth(&t)
            .json(&json!({"name": name, "country": country, "mail_domains": [domain], "language": language}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        orgs.push(org["id"].as_i64().unwrap());
    }
    let mut tickets = vec![];
    for (requestor, subject) in [
        ("kari@fjord.example", "Kvote for object storage"),
        ("mette@oresund.example", "Hemmelig sag"),
    ] {
        let v: Value = c
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&t)
            .json(&json!({"queue": "General", "subject": subject, "requestors": [requestor], "content": "hei"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tickets.push(v["id"].as_i64().unwrap());
    }
    app.account_with_token("kari@fjord.example", Role::Customer, Some(orgs[0]))
        .await;
    app.account_with_token("mette@oresund.example", Role::Customer, Some(orgs[1]))
        .await;
    // Their own languages.
    for (org, email, language) in [
        (orgs[0], "kari@fjord.example", "nb"),
        (orgs[1], "mette@oresund.example", "da"),
    ] {
        let contacts: Value = c
            .get(app.url(&format!("/api/v1/organizations/{org}/contacts")))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = contacts
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["email"] == email)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = c
            .patch(app.url(&format!("/api/v1/contacts/{id}")))
            .bearer_auth(&t)
            .json(&json!({"language": language}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    (orgs[0], tickets[0], tickets[1])
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn each_contact_reads_its_own_tickets_in_its_language_and_no_other() {
    let app = app().await;
    let (_, ours, theirs) = two_customers(&app).await;
    let kari = app.browser("kari@fjord.example", ADMIN_PASSWORD).await;
    let (status, list) = page(&kari, &app, "/portal").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("<html lang=\"nb\">") && list.contains("Saker"),
        "{list:.400}"
    );
    assert!(list.contains("Kvote for object storage") && !list.contains("Hemmelig"));
    assert!(list.contains("Tider i Europe/Oslo"), "the zone is named");
    // Another organisation's ticket does not exist for this contact, nor its files.
    for path in [
        format!("/portal/tickets/{theirs}"),
        format!("/portal/tickets/{theirs}/attachments/1"),
    ] {
        let (status, body) = page(&kari, &app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("Hemmelig"), "{path}");
    }
    let (status, body) = page(&kari, &app, &format!("/portal/tickets/{ours}")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Første svar innen") || body.contains("Innenfor målet"),
        "{body}"
    );
    // A change by another organisation's contact is refused, and changes nothing.
    let csrf = csrf_of(&body);
    let r = kari
        .post(app.url(&format!("/portal/tickets/{theirs}/status")))
        .form(&[("csrf", csrf.as_str()), ("action", "close")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let mette = app.browser("mette@oresund.example", ADMIN_PASSWORD).await;
    let (_, list) = page(&mette, &app, "/portal").await;
    assert!(list.contains("<html lang=\"da\">") && list.contains("Sager"));
    assert!(list.contains("Hemmelig sag") && !list.contains("Kvote"));
    assert!(list.contains("Europe/Copenhagen"));
    assert!(
        list.contains("Ny"),
        "the status in Danish words: {list:.2000}"
    );
}

#[tokio::test]
async fn taking_portal_access_away_ends_the_session_and_refuses_the_login() {
    let app = app().await;
    let (org, _, _) = two_customers(&app).await;
    let kari = app.browser("kari@fjord.example", ADMIN_PASSWORD).await;
    assert_eq!(page(&kari, &app, "/portal").await.0, 200);
    let c = TestApp::client();
    let contacts: Value = c
        .get(app.url(&format!("/api/v1/organizations/{org}/contacts")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = contacts[0]["id"].as_i64().unwrap();
    let r = c
        .patch(app.url(&format!("/api/v1/contacts/{id}")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"portal_access": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = kari.get(app.url("/portal")).send().await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers().get("location").and_then(|l| l.to_str().ok())
        ),
        (303, Some("/login")),
        "the open session ends"
    );
    let (cookie, csrf) = app.login_form().await;
    let r = TestApp::client()
        .post(app.url("/login"))
        .header("cookie", cookie)
        .form(&[
            ("email", "kari@fjord.example"),
            ("password", ADMIN_PASSWORD),
            ("next", ""),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("access to the portal"));
}

#[tokio::test]
async fn a_contact_opens_a_ticket_as_itself_and_staff_have_no_portal() {
    let app = app().await;
    two_customers(&app).await;
    let kari = app.browser("kari@fjord.example", ADMIN_PASSWORD).await;
    let (_, form) = page(&kari, &app, "/portal/tickets/new").await;
    let csrf = csrf_of(&form);
    let send = |subject: &'static str, text: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("subject", subject)
            .text("message", text);
        kari.post(app.url("/portal/tickets")).multipart(form).send()
    };
    let r = send("", "no subject").await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Gi saken et emne."));
    let r = send("Treg disk", "Volumet er tregt.").await.unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let v: Value = TestApp::client()
        .get(app.url(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["requestors"], json!(["kari@fjord.example"]));
    // Staff have the console, not the portal.
    let admin = app.browser(super::ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(page(&admin, &app, "/portal").await.0, 404);
    let r = admin.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/console/tickets");
}
