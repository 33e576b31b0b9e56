//! Audience-specific incident notices over HTTP and through real delivery: an incident posted
//! in the console on a component whose service an organisation has on contract reaches that
//! organisation's technical contact by mail (through the real SMTP sink) and SMS (the
//! 46elks-shaped stand-in) in the contact's language, saying why; the organisation's primary
//! contact turns notices off in the portal, and the next incident reaches nobody.

use std::sync::Arc;

use serde_json::{Value, json};
use varde_core::access::Role;
use varde_core::catalogue::{Service, Site};
use varde_core::status::subscription::{Channel, NewSubscription};
use varde_core::values::Language;
use varde_notify::testing::{SmtpSink, header};
use varde_store::status::NewComponent;

use super::subscriptions::{drain, worker};
use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app_with, csrf_of, standins};

/// Posts an incident on one component in the console as `browser` (staff).
pub(super) async fn post_incident(
    app: &TestApp,
    browser: &reqwest::Client,
    (name, impact): (&str, &str),
    component: i64,
) {
    let form = browser
        .get(app.url("/console/status/new?kind=incident"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let field = format!("component_{component}");
    let r = browser
        .post(app.url("/console/status/events"))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("kind", "incident"),
            ("name", name),
            ("status", "investigating"),
            ("impact", impact),
            ("body", "Bøttene svarer ikke."),
            (field.as_str(), "major_outage"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn technical_contacts_hear_of_incidents_on_their_services_until_turned_off() {
    let settings = varde_web::status::StatusSettings {
        name: "Example Cloud status".into(),
        ..Default::default()
    };
    let app = app_with(|state| {
        state.status = Arc::new(varde_web::status::StatusSite::new(settings.clone()));
    })
    .await;
    let component = NewComponent {
        name: "Object storage Oslo".into(),
        service: Some(Service::Storage),
        site: Some(Site::Oslo),
        ..Default::default()
    };
    let now = jiff::Timestamp::now();
    let storage = app.store.create_component(&component, now).await.unwrap();
    let org = super::colleagues::organization(&app, "Fjordnett", "fjord.example", "nb").await;
    let t = &app.admin_token;
    let c = TestApp::client();
    let r = c
        .post(app.url(&format!("/api/v1/organizations/{org}/contracts")))
        .bearer_auth(t)
        .json(
            &json!({"reference": "F-1", "signed_on": "2026-01-01", "starts_on": "2026-01-01",
            "lines": [{"product_code": "STORAGE-S3", "site": "no-osl1"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    for (email, roles, phone) in [
        ("drift@fjord.example", "technical", "+47 900 00 001"),
        ("pia@fjord.example", "primary", "+47 900 00 002"),
    ] {
        let r = c
            .post(app.url(&format!("/api/v1/organizations/{org}/contacts")))
            .bearer_auth(t)
            .json(
                &json!({"name": email, "email": email, "roles": [roles], "phone": phone,
                "language": "nb", "portal_access": true}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    let sink = SmtpSink::start("");
    let (sms_url, texts) = standins::sms_gateway("u1", "p1").await;
    let worker = worker(&app, &settings, &sink, Some(&sms_url)).await;
    let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let down = ("Objektlagring i Oslo er nede", "critical");
    post_incident(&app, &admin, down, storage.id).await;
    assert_eq!(drain(&worker).await, 2, "a mail and an SMS");
    assert_eq!(drain(&worker).await, 0, "once");
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        header(&mails[0], "X-Sink-Rcpt-To"),
        Some("drift@fjord.example")
    );
    assert_eq!(header(&mails[0], "MIME-Version"), Some("1.0"));
    let mail = varde_mail::parse(mails[0].as_bytes(), "x");
    assert!(
        mail.subject.contains("Objektlagring i Oslo er nede"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Undersøkes"), "{}", mail.text);
    assert!(mail.text.contains("teknisk kontakt"), "{}", mail.text);
    assert!(mail.text.contains("Avslutt abonnementet"), "{}", mail.text);
    let sms: Vec<String> = texts.lock().unwrap().iter().map(|s| s.to.clone()).collect();
    assert_eq!(sms, ["+4790000001"]);

    // Pia turns the notices off in the portal; the next incident reaches nobody.
    app.account_with_token("pia@fjord.example", Role::Customer, Some(org))
        .await;
    let pia = app.browser("pia@fjord.example", ADMIN_PASSWORD).await;
    let page = pia
        .get(app.url("/portal/colleagues"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"notices\" value=\"on\" checked"),
        "{page}"
    );
    let r = pia
        .post(app.url("/portal/settings"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("sight", "all")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    post_incident(&app, &admin, ("Igjen nede", "critical"), storage.id).await;
    assert_eq!(drain(&worker).await, 0);
    assert_eq!(sink.received().len(), 1);
    let audit: Value = c
        .get(app.url(&format!("/api/v1/organizations/{org}/audit")))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(audit.to_string().contains("incident_notices"), "{audit}");
}

#[tokio::test]
async fn a_contact_manages_its_own_status_subscriptions_in_the_portal() {
    let app = super::app().await;
    let now = jiff::Timestamp::now();
    let component = NewComponent {
        name: "Object storage Oslo".into(),
        service: Some(Service::Storage),
        site: Some(Site::Oslo),
        ..Default::default()
    };
    app.store.create_component(&component, now).await.unwrap();
    let org = super::colleagues::organization(&app, "Fjordnett", "fjord.example", "nb").await;
    let c = TestApp::client();
    let r = c
        .post(app.url(&format!("/api/v1/organizations/{org}/contracts")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"reference": "F-1", "signed_on": "2026-01-01", "starts_on": "2026-01-01",
            "lines": [{"product_code": "SUPPORT-standard"}, {"product_code": "STORAGE-S3", "site": "no-osl1"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mut browsers = vec![];
    for (email, roles) in [
        ("drift@fjord.example", "technical"),
        ("pia@fjord.example", "primary"),
    ] {
        let r = c
            .post(app.url(&format!("/api/v1/organizations/{org}/contacts")))
            .bearer_auth(&app.admin_token)
            .json(
                &json!({"name": email, "email": email, "roles": [roles], "language": "nb",
                "portal_access": true, "phone": format!("+47900000{}", roles.len())}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        app.account_with_token(email, Role::Customer, Some(org))
            .await;
        browsers.push(app.browser(email, ADMIN_PASSWORD).await);
    }
    let (drift, pia) = (&browsers[0], &browsers[1]);
    let get = |b: &reqwest::Client| {
        let b = b.clone();
        let url = app.url("/portal/subscriptions");
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = get(drift).await;
    assert!(page.contains("<h1>Statusvarsler</h1>"), "{page}");
    assert!(page.contains("Som teknisk kontakt får du vite"), "{page}");
    assert!(page.contains("Ingen abonnementer ennå."), "{page}");
    assert!(!get(pia).await.contains("id=\"as-contact\""));

    // Its own address by e-mail, to its organisation's components: active at once.
    let post = |b: &reqwest::Client, path: String, form: Vec<(&'static str, String)>| {
        let b = b.clone();
        let url = app.url(&path);
        async move { b.post(url).form(&form).send().await.unwrap() }
    };
    let csrf = csrf_of(&page);
    let form = vec![
        ("csrf", csrf.clone()),
        ("channel", "email".to_string()),
        ("target", "drift@fjord.example".to_string()),
        ("scope", "ours".to_string()),
    ];
    assert_eq!(
        post(drift, "/portal/subscriptions".into(), form)
            .await
            .status(),
        303
    );
    let page = get(drift).await;
    assert!(
        page.contains(
            "<td>E-post</td><td>drift@fjord.example</td><td>Object storage Oslo</td><td>Aktiv</td>"
        ),
        "{page}"
    );
    // A webhook to a private address is refused, in words.
    let form = vec![
        ("csrf", csrf.clone()),
        ("channel", "webhook".to_string()),
        ("target", "http://127.0.0.1:9/hook".to_string()),
        ("scope", "all".to_string()),
    ];
    let r = post(drift, "/portal/subscriptions".into(), form).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("private or loopback"));

    // Only its owner ends a subscription.
    let id = app
        .store
        .subscribers_of("drift@fjord.example")
        .await
        .unwrap()[0]
        .id;
    let remove = format!("/portal/subscriptions/{id}/remove");
    let pia_csrf = csrf_of(&get(pia).await);
    let r = post(pia, remove.clone(), vec![("csrf", pia_csrf)]).await;
    assert_eq!(r.status(), 404);
    let r = post(drift, remove.clone(), vec![("csrf", csrf.clone())]).await;
    assert_eq!(r.status(), 303);
    // Its address is a technical contact's: ending the public subscription leaves the
    // notices it has as a contact, to its organisation's components only.
    let page = get(drift).await;
    assert!(
        page.contains("<td>E-post</td><td>drift@fjord.example</td><td>Komponentene til tjenestene våre</td><td>Som teknisk kontakt</td>"),
        "{page}"
    );
    assert!(
        app.store
            .subscriber(id)
            .await
            .unwrap()
            .unwrap()
            .audience_only
    );
    // Ending that row too stops them for the address, as a notice's unsubscribe link does.
    let r = post(drift, remove, vec![("csrf", csrf)]).await;
    assert_eq!(r.status(), 303);
    assert!(get(drift).await.contains("Ingen abonnementer ennå."));

    // Its phone subscribed on the public page, without the portal, is its own too.
    let sms = NewSubscription {
        channel: Channel::Sms,
        target: "+479000009".into(),
        language: Language::NorwegianBokmal,
        owner_email: None,
        components: None,
    };
    app.store.subscribe(&sms, None, now).await.unwrap();
    let page = get(drift).await;
    assert!(
        page.contains("<td>SMS</td><td>+479000009</td><td>Alle komponenter</td><td>Aktiv</td>"),
        "{page}"
    );
    assert!(!get(pia).await.contains("+479000009"));
}
