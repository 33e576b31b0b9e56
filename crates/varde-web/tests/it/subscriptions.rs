//! Subscriptions end to end: subscribing by e-mail (confirmed through the real SMTP sink), by
//! SMS (the 46elks-shaped stand-in) and by webhook (a local receiver that checks the
//! signature) through the public form; an incident on one component; exactly the subscribers
//! of that component get exactly one notification each, in their language; one-click
//! unsubscribe; private webhook targets refused.

use std::sync::Arc;

use varde_core::status::subscription::AllowedNetwork;
use varde_notify::status::{SmsGateway, StatusNotifyConfig, StatusWorker};
use varde_notify::testing::{SmtpSink, header};
use varde_store::status::NewComponent;

use super::standins::{self, signature_is_valid};
use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app_with};

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    Some(&rest[..rest.find(end)?])
}

async fn subscribe(app: &TestApp, fields: &[(&str, &str)]) -> (u16, String) {
    let r = TestApp::client()
        .post(app.url("/status/subscribe"))
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The status notification worker of `app`'s page: mail through `sink`, SMS through the
/// 46elks-shaped stand-in at `sms_url` (user u1, password p1).
pub(super) async fn worker(
    app: &TestApp,
    settings: &varde_web::status::StatusSettings,
    sink: &SmtpSink,
    sms_url: Option<&str>,
) -> StatusWorker {
    StatusWorker::new(
        app.store.clone(),
        Some(&sink.url()),
        sms_url.map(|u| SmsGateway::from_url(u, "ExampleSt").unwrap()),
        StatusNotifyConfig {
            page_id: settings.page_id.clone(),
            page_name: settings.name.clone(),
            url: app.base.clone(),
            time_zone: settings.time_zone.clone(),
            from: "status@example.com".into(),
            link_key: app.store.link_key("test-link-key").await.unwrap(),
            allowed_networks: settings.allowed_networks.clone(),
        },
    )
    .unwrap()
}

/// Runs the worker until nothing is left; gives how many notifications went.
pub(super) async fn drain(worker: &StatusWorker) -> usize {
    let mut total = 0;
    for _ in 0..10 {
        let n = worker.run_once(jiff::Timestamp::now()).await.unwrap();
        total += n;
        if n == 0 {
            break;
        }
    }
    total
}

#[tokio::test]
async fn each_subscriber_of_a_component_hears_once_in_its_language() {
    let allowed = vec![AllowedNetwork::parse("127.0.0.1/32").unwrap()];
    let settings = varde_web::status::StatusSettings {
        name: "Example Cloud status".into(),
        allowed_networks: allowed.clone(),
        ..Default::default()
    };
    let app = app_with(|state| {
        state.status = Arc::new(varde_web::status::StatusSite::new(settings.clone()));
    })
    .await;
    let now = jiff::Timestamp::now();
    let new = |name: &str| NewComponent {
        name: name.into(),
        ..Default::default()
    };
    let compute = app
        .store
        .create_component(&new("Compute"), now)
        .await
        .unwrap();
    let storage = app
        .store
        .create_component(&new("Storage"), now)
        .await
        .unwrap();
    let sink = SmtpSink::start("");
    let (sms_url, texts) = standins::sms_gateway("u1", "p1").await;
    let (hook_url, hooks) = standins::webhook_receiver(200).await;
    let worker = worker(&app, &settings, &sink, Some(&sms_url)).await;
    let drain = || drain(&worker);

    // Subscribe through the public form.
    let c = compute.id.to_string();
    let s = storage.id.to_string();
    let (status, page) = subscribe(
        &app,
        &[
            ("channel", "email"),
            ("target", "kund@example.se"),
            ("language", "sv"),
            ("scope", "chosen"),
            ("component", &c),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Check your mail"));
    let (status, _) = subscribe(
        &app,
        &[
            ("channel", "email"),
            ("target", "storage-only@example.com"),
            ("language", "en"),
            ("scope", "chosen"),
            ("component", &s),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = subscribe(
        &app,
        &[
            ("channel", "sms"),
            ("target", "+47 912 34 567"),
            ("language", "nb"),
            ("scope", "chosen"),
            ("component", &c),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (status, page) = subscribe(
        &app,
        &[
            ("channel", "webhook"),
            ("target", &hook_url),
            ("owner_email", "dev@example.com"),
            ("scope", "chosen"),
            ("component", &c),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let signing_key = between(&page, "id=\"signing-key\" readonly value=\"", "\"")
        .unwrap()
        .to_string();
    assert!(signing_key.starts_with("whsec_"));
    // Private targets are refused unless allowed; bad input is answered beside the field.
    let (status, page) = subscribe(
        &app,
        &[
            ("channel", "webhook"),
            ("target", "http://10.1.2.3/hook"),
            ("owner_email", "dev@example.com"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("private or loopback address"), "{page}");
    let (status, page) = subscribe(&app, &[("channel", "sms"), ("target", "0701234567")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("E.164"), "{page}");

    // The double opt-in: the mails arrive in the subscriber's language; the link confirms.
    drain().await;
    let mails = sink.received();
    assert_eq!(mails.len(), 2, "two confirmation mails");
    let read = |m: &str| varde_mail::parse(m.as_bytes(), "x");
    let swedish = mails
        .iter()
        .find(|m| m.contains("kund@example.se"))
        .unwrap();
    assert!(
        read(swedish)
            .subject
            .starts_with("Bekräfta din prenumeration"),
        "{swedish}"
    );
    for m in &mails {
        let text = read(m).text;
        let link = between(&text, &app.base, "\n")
            .map(|l| format!("{}{}", app.base, l.trim()))
            .unwrap();
        // Following the link (as a mail scanner does) only shows the button, in the
        // subscriber's language.
        let r = TestApp::client().get(&link).send().await.unwrap();
        assert_eq!(r.status(), 200, "{link}");
        let button = if m.contains("kund@example.se") {
            ">Bekräfta<"
        } else {
            ">Confirm<"
        };
        let page = r.text().await.unwrap();
        assert!(page.contains(button), "{page}");
        let target = between(m, "\nTo: ", "\r\n")
            .unwrap()
            .trim_matches(['<', '>'])
            .to_string();
        let before = app.store.subscribers_of(&target).await.unwrap();
        assert!(before.iter().all(|s| !s.confirmed), "{target}");
        let r = TestApp::client().post(&link).send().await.unwrap();
        assert_eq!(r.status(), 200, "{link}");
    }
    // A forged link does nothing.
    let r = TestApp::client()
        .post(app.url("/status/subscriptions/1/confirm?sig=00000000000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // An incident on Compute, posted from the console.
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let form = browser
        .get(app.url("/console/status/new?kind=incident"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = between(&form, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let field = format!("component_{}", compute.id);
    let r = browser
        .post(app.url("/console/status/events"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "incident"),
            ("name", "Compute API errors"),
            ("impact", "major"),
            ("body", "Creating instances fails."),
            (field.as_str(), "major_outage"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(drain().await, 3, "three subscribers of Compute");
    assert_eq!(drain().await, 0, "and nobody twice");
    let event_id = app
        .store
        .events(varde_store::status::EventFilter::OpenIncidents, 1)
        .await
        .unwrap()[0]
        .id;
    let page = browser
        .get(app.url(&format!("/console/status/events/{event_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<p id=\"delivery-counts\">3 sent</p>"),
        "the delivery log: {page}"
    );
    assert!(page.contains("+4791234567"));

    // E-mail: only the Compute subscriber, in Swedish, with one-click unsubscribe.
    let mails = sink.received();
    assert_eq!(
        mails.len(),
        3,
        "the storage-only subscriber got nothing new"
    );
    let update = &mails[2];
    assert_eq!(header(update, "X-Sink-Rcpt-To"), Some("kund@example.se"));
    let mail = read(update);
    assert!(
        mail.subject.contains("Compute API errors — Undersöks"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Creating instances fails."));
    assert_eq!(
        header(update, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let unsubscribe = header(update, "List-Unsubscribe")
        .unwrap()
        .trim_matches(['<', '>'])
        .to_string();
    assert!(unsubscribe.starts_with(&app.base));

    // SMS: one, in Norwegian, to the E.164 number, through the gateway's API.
    {
        let texts = texts.lock().unwrap();
        assert_eq!(texts.len(), 1);
        assert_eq!(texts[0].to, "+4791234567");
        assert_eq!(texts[0].from, "ExampleSt");
        assert!(
            texts[0].message.contains("Undersøkes"),
            "{}",
            texts[0].message
        );
    }

    // Webhook: one call, signed, in Statuspage's shape.
    {
        let hooks = hooks.lock().unwrap();
        assert_eq!(hooks.len(), 1);
        assert!(signature_is_valid(
            &signing_key,
            &hooks[0].signature,
            &hooks[0].body
        ));
        assert!(!signature_is_valid(
            "whsec_wrong",
            &hooks[0].signature,
            &hooks[0].body
        ));
        let v: serde_json::Value = serde_json::from_str(&hooks[0].body).unwrap();
        assert_eq!(v["incident"]["name"], "Compute API errors");
        assert_eq!(v["incident"]["status"], "investigating");
        assert_eq!(
            v["incident"]["incident_updates"][0]["affected_components"][0]["new_status"],
            "major_outage"
        );
        assert_eq!(v["page"]["status_indicator"], "critical");
        assert!(
            v["meta"]["unsubscribe"]
                .as_str()
                .unwrap()
                .contains("/unsubscribe?sig=")
        );
    }

    // One-click unsubscribe (RFC 8058), then the next update reaches the other two only.
    let r = TestApp::client()
        .post(&unsubscribe)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id: i64 = r.url().path().split('/').nth(3).unwrap().parse().unwrap();
    assert!(
        app.store
            .subscriber(id)
            .await
            .unwrap()
            .unwrap()
            .unsubscribed
    );
    let page = browser
        .get(app.url("/console/status"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let event_id = between(&page, "/console/status/events/", "\"")
        .unwrap()
        .to_string();
    let r = browser
        .post(app.url(&format!("/console/status/events/{event_id}/updates")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "resolved"),
            ("body", "Fixed."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(drain().await, 2);
    assert_eq!(sink.received().len(), 3, "no mail after unsubscribing");
    assert_eq!(texts.lock().unwrap().len(), 2);
    assert_eq!(hooks.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_failing_webhook_is_switched_off_and_its_owner_told() {
    let allowed = vec![AllowedNetwork::parse("127.0.0.1/32").unwrap()];
    let settings = varde_web::status::StatusSettings {
        allowed_networks: allowed.clone(),
        ..Default::default()
    };
    let app = app_with(|state| {
        state.status = Arc::new(varde_web::status::StatusSite::new(settings.clone()));
    })
    .await;
    let sink = SmtpSink::start("");
    let (hook_url, hooks) = standins::webhook_receiver(500).await;
    let (status, _) = subscribe(
        &app,
        &[
            ("channel", "webhook"),
            ("target", &hook_url),
            ("owner_email", "dev@example.com"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let worker = worker(&app, &settings, &sink, None).await;
    let tz = settings.time_zone.clone();
    let mut at = jiff::Timestamp::now();
    for i in 0..varde_store::status_subscriptions::WEBHOOK_FAILURE_LIMIT {
        let e = varde_core::status::EventForm {
            name: format!("Incident {i}"),
            body: "Something broke.".into(),
            ..Default::default()
        }
        .parse(varde_core::status::EventKind::Incident, &tz)
        .unwrap();
        app.store.create_event(&e, "ada", at).await.unwrap();
        // Each incident's notification fails once here; the failures add up.
        worker.run_once(at).await.unwrap();
        at += jiff::SignedDuration::from_secs(1);
    }
    assert_eq!(
        hooks.lock().unwrap().len() as i64,
        varde_store::status_subscriptions::WEBHOOK_FAILURE_LIMIT
    );
    worker.run_once(at).await.unwrap();
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "the owner is told once");
    assert_eq!(header(&mails[0], "X-Sink-Rcpt-To"), Some("dev@example.com"));
    assert!(mails[0].contains("switched off"));
    let subscriber = app.store.subscribers_of("dev@example.com").await.unwrap();
    assert!(subscriber[0].disabled);
}

#[tokio::test]
async fn the_subscribe_form_speaks_the_readers_language_errors_too() {
    let app = super::app().await;
    let r = TestApp::client()
        .get(app.url("/status/subscribe?lang=nb"))
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    for words in [
        "<legend>Hvordan</legend>",
        "Alle komponenter",
        "Bare disse:",
        "E-postadresse, telefonnummer",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    let r = TestApp::client()
        .post(app.url("/status/subscribe?lang=nb"))
        .form(&[
            ("channel", "sms"),
            ("target", "0701234567"),
            ("language", "nb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Oppgi en e-postadresse, et telefonnummer som begynner med +"),
        "{page}"
    );
    assert!(!page.contains("E.164"), "{page}");
    let r = TestApp::client()
        .post(app.url("/status/subscribe?lang=nb"))
        .form(&[
            ("channel", "email"),
            ("target", "ola@example.no"),
            ("language", "nb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Vi har sendt en bekreftelseslenke til ola@example.no."),
        "{page}"
    );
}
