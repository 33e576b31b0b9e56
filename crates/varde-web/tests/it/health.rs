//! Customer health over HTTP and through the daily run: the score with its parts, the run
//! made once across nodes, the letter to the service manager when a score drops, and the
//! weights an administrator edits.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};
use varde_core::access::Role;
use varde_core::ids::OrganizationId;
use varde_store::health::DailyScore;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app, csrf_of};

#[tokio::test]
async fn health_is_scored_once_a_day_explained_and_a_drop_is_mailed() {
    let app = app().await;
    let c = TestApp::client();
    let manager_token = app
        .account_with_token("mats@example.com", Role::ServiceManager, None)
        .await;
    let me: Value = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&manager_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org: Value = c
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": "Tystbolaget", "country": "SE", "service_manager_id": me["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = org["id"].as_i64().unwrap();

    // Never a ticket nor a meeting: silence costs points, and says so.
    let h: Value = c
        .get(app.url(&format!("/api/v1/organizations/{id}/health")))
        .bearer_auth(&manager_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["score"], 88, "{h}");
    let parts = h["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 8);
    let contact = parts.iter().find(|p| p["part"] == "contact").unwrap();
    assert_eq!(contact["penalty"], 12.0);
    assert!(contact["why"].as_str().unwrap().contains("silence"));

    // Yesterday it scored 90; with the contact part weighing everything, today it drops.
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let today = Timestamp::now().to_zoned(tz).date();
    let yesterday = today.yesterday().unwrap().to_string();
    app.store
        .claim_health_run(&yesterday, Timestamp::now())
        .await
        .unwrap();
    app.store
        .save_health(
            &yesterday,
            &[DailyScore {
                organization: OrganizationId(id),
                day: yesterday.clone(),
                score: 90,
                parts: vec![],
            }],
            &[],
            Timestamp::now(),
        )
        .await
        .unwrap();
    let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = format!("/console/organizations/{id}/health");
    let html = admin
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let r = admin
        .post(app.url(&format!("{page}/weights")))
        .form(&[("weights", "sla=50"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        422,
        "weights must cover every part and sum to 100"
    );
    let weights =
        "sla=0 urgent=0 volume=0 incidents=0 onboarding=0 contact=100 satisfaction=0 renewal=0";
    let r = admin
        .post(app.url(&format!("{page}/weights")))
        .form(&[("weights", weights), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // Two nodes at once: one scores the day.
    let node = |store: varde_store::Store| varde_app::App::new(store, Arc::new(Timestamp::now));
    let (one, two) = (node(app.store.clone()), node(app.store.clone()));
    let (a, b) = tokio::join!(one.run_health(), two.run_health());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(
        a.is_some() != b.is_some(),
        "exactly one node scores the day"
    );
    let scores = a.or(b).unwrap();
    let (_, h) = scores.iter().find(|(o, _)| o.0 == id).unwrap();
    assert_eq!(h.score, 20);
    let letters = app
        .store
        .letters_about(&format!("organization:{id}"))
        .await
        .unwrap();
    assert_eq!(letters.len(), 1, "the service manager is told once");
    assert_eq!(letters[0].letter.recipient, "mats@example.com");
    assert!(letters[0].letter.subject.contains("dropped to 20"));
    assert!(letters[0].letter.body.contains("silence"));
    // The trend has both days; the portfolio lists it first.
    let h: Value = c
        .get(app.url(&format!("/api/v1/organizations/{id}/health")))
        .bearer_auth(&manager_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let trend: Vec<i64> = h["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["score"].as_i64().unwrap())
        .collect();
    assert_eq!(trend, vec![90, 20]);
    let list = admin
        .get(app.url("/console/health"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first_row = list
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        first_row.contains("Tystbolaget") && first_row.contains(">20<"),
        "{first_row}"
    );

    // A customer contact does not read health, its own or another's.
    let customer = app
        .account_with_token("kund@tyst.example", Role::Customer, Some(id))
        .await;
    let r = c
        .get(app.url(&format!("/api/v1/organizations/{id}/health")))
        .bearer_auth(&customer)
        .send()
        .await
        .unwrap();
    assert!(r.status() == 403 || r.status() == 404, "{}", r.status());
}

#[tokio::test]
async fn a_requestor_rates_a_resolved_ticket_once_from_the_mail_in_its_language() {
    let app = app().await;
    let c = TestApp::client();
    let t = &app.admin_token;
    let org: Value = c.post(app.url("/api/v1/organizations")).bearer_auth(t)
        .json(&json!({"name": "Lundabolaget", "country": "SE", "mail_domains": ["lunda.example"], "language": "sv"}))
        .send().await.unwrap().json().await.unwrap();
    let org = org["id"].as_i64().unwrap();
    let r = c
        .post(app.url(&format!("/api/v1/organizations/{org}/contacts")))
        .bearer_auth(t)
        .json(&json!({"name": "Lisa", "email": "lisa@lunda.example", "language": "sv"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let ticket: Value = c.post(app.url("/api/v1/tickets")).bearer_auth(t)
        .json(&json!({"queue": "General", "subject": "Diskkvot", "requestors": ["lisa@lunda.example"], "content": "Hej"}))
        .send().await.unwrap().json().await.unwrap();
    let id = ticket["id"].as_i64().unwrap();
    let r = c
        .patch(app.url(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(t)
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // The mail that says so, in Swedish, with three signed links.
    let key = app.store.link_key("unused").await.unwrap();
    let sink = varde_notify::testing::SmtpSink::start("");
    let worker = varde_notify::MailWorker::new(
        app.store.clone(),
        &sink.url(),
        varde_notify::MailConfig {
            rtname: "example.com".into(),
            default_from: "support@example.com".into(),
            url: app.base.clone(),
            link_key: key,
        },
    )
    .unwrap();
    worker.run_once(Timestamp::now()).await.unwrap();
    let mails = sink.received();
    let resolved = mails
        .iter()
        .find(|m| m.contains("Auto-Submitted: auto-generated"))
        .expect("the resolved mail");
    let body = resolved.replace("=\r\n", "").replace("=3D", "=");
    assert!(
        body.contains("Diskkvot") && body.contains("l=C3=B6st") || body.contains("löst"),
        "{body}"
    );
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/rate/") && w.ends_with("r=bad"))
        .expect("a rating link")
        .to_string();
    let path = link.trim_start_matches(&app.base).to_string();

    // Opening the link changes nothing: the page asks, in Swedish, with the choice made.
    let page = c.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("lang=\"sv\"") && html.contains("Hur gjorde vi?"),
        "{html}"
    );
    assert!(html.contains("value=\"bad\" checked"));
    assert!(
        app.store
            .ratings_since(Timestamp::UNIX_EPOCH)
            .await
            .unwrap()
            .is_empty()
    );
    // A forged link is not found.
    let forged = path.replace("sig=", "sig=00");
    assert_eq!(c.get(app.url(&forged)).send().await.unwrap().status(), 404);
    let other = path.replace(&format!("/rate/{id}/"), &format!("/rate/{}/", id + 1));
    assert_eq!(c.get(app.url(&other)).send().await.unwrap().status(), 404);

    // Sending it records the rating, once.
    let (action, query) = path.split_once('?').unwrap();
    let sig = query
        .split('&')
        .find_map(|p| p.strip_prefix("sig="))
        .unwrap();
    let r = c
        .post(app.url(action))
        .form(&[
            ("sig", sig),
            ("rating", "bad"),
            ("comment", "Tog för lång tid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Tack för ditt betyg."));
    let r = c
        .post(app.url(action))
        .form(&[("sig", sig), ("rating", "good")])
        .send()
        .await
        .unwrap();
    assert!(
        r.text().await.unwrap().contains("redan"),
        "a second rating is refused kindly"
    );
    let ratings = app
        .store
        .ratings_since(Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!(ratings.len(), 1);
    assert_eq!(
        (ratings[0].rating.as_str(), ratings[0].comment.as_str()),
        ("bad", "Tog för lång tid")
    );
    assert_eq!(ratings[0].organization, Some(OrganizationId(org)));

    // It counts in the quarterly report and in health.
    let report: Value = c
        .get(app.url(&format!("/console/organizations/{org}/report?format=json")))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["satisfaction"],
        json!({"good": 0, "okay": 0, "bad": 1})
    );
    let h: Value = c
        .get(app.url(&format!("/api/v1/organizations/{org}/health")))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let s = h["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part"] == "satisfaction")
        .unwrap();
    assert_eq!(s["penalty"], 10.0, "{h}");
}
