//! The console's ticket work: the new-ticket form's field errors, and the ticket list's SLA
//! columns and views.

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, app};

/// The new-ticket form refuses what would open a nameless ticket and mail an autoreply to
/// nobody: each wrong field says why, and nothing is written.
#[tokio::test]
async fn the_new_ticket_form_gives_field_errors_and_writes_nothing() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser
        .get(app.url("/console/tickets/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = super::csrf_of(&page);
    let before = varde_store::testing::fingerprint(&app.store).await.unwrap();
    for (requestor, subject, text, minutes, wrong) in [
        (
            "notanemail",
            "",
            "",
            "",
            vec![
                "is not an e-mail address",
                "give the ticket a subject",
                "write what the ticket is about",
            ],
        ),
        ("", "Disk full", "vol-9", "", vec!["give the requestor"]),
        (
            "carol@customer.example",
            "Call",
            "",
            "ten",
            vec!["whole number of minutes"],
        ),
    ] {
        let r = browser
            .post(app.url("/console/tickets"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("Queue", "General"),
                ("Requestor", requestor),
                ("Subject", subject),
                ("Text", text),
                ("call_minutes", minutes),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{requestor} {subject}");
        let page = r.text().await.unwrap();
        for w in wrong {
            assert!(page.contains(w), "{w}: {page}");
        }
    }
    assert_eq!(
        varde_store::testing::fingerprint(&app.store).await.unwrap(),
        before,
        "no ticket, no autoreply"
    );
    // A phone call needs no text.
    let r = browser
        .post(app.url("/console/tickets"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("Queue", "General"),
            ("Requestor", "carol@customer.example"),
            ("Subject", "Called about quota"),
            ("Text", ""),
            ("call_minutes", "4"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

/// The ticket list shows each ticket's priority, due time and time left, flags a breach, and
/// has views of the breached tickets and of those breaching soon.
#[tokio::test]
async fn the_ticket_list_shows_the_sla_and_the_breached_view_finds_them() {
    let app = app().await;
    let three_days_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(72);
    let late = app
        .store
        .create_ticket(
            "carol@customer.example",
            varde_core::ticket::history::Creation {
                priority: 90,
                ..varde_core::ticket::history::Creation::requested(
                    "General",
                    "Nobody answered this",
                    "carol@customer.example",
                )
            },
            &[],
            0,
            three_days_ago,
        )
        .await
        .unwrap();
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let get = |path: &'static str| {
        let b = browser.clone();
        let url = app.url(path);
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let all = get("/console/tickets").await;
    assert!(
        all.contains(">Priority<") && all.contains(">Time left<"),
        "{all}"
    );
    let row = all
        .split("<tr")
        .find(|r| r.contains("Nobody answered this"))
        .unwrap_or_default()
        .to_string();
    assert!(
        row.contains("class=\"breached\"") && row.contains("BREACHED") && row.contains("overdue"),
        "{row}"
    );
    assert!(row.contains(">90<"), "the priority: {row}");
    let breached = get("/console/tickets?view=breached").await;
    assert!(breached.contains("Nobody answered this"), "{breached}");
    let soon = get("/console/tickets?view=soon").await;
    assert!(!soon.contains("Nobody answered this"));
    assert!(late.id.0 > 0);
}

/// Outgoing mail on a ticket's page says whom it is for and why it waits.
#[tokio::test]
async fn waiting_mail_names_its_recipients_and_why_it_waits() {
    let app = app().await;
    let r = super::TestApp::client()
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({"queue": "General", "subject": "Quota", "requestors": ["carol@customer.example"], "cc": ["dan@customer.example"], "content": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser
        .get(app.url(&format!("/console/tickets/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("to be sent to carol@customer.example"),
        "{page}"
    );
    assert!(
        page.contains("Varde runs without an SMTP relay"),
        "the test server has no --smtp: {page}"
    );
}

/// The search box says what it understood and offers the other reading.
#[tokio::test]
async fn the_search_box_says_what_it_understood() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let get = |q: &'static str| {
        let b = browser.clone();
        let url = app.url(&format!("/console/tickets?q={q}"));
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = get("503").await;
    assert!(
        page.contains("Read as ticket 503.") && page.contains("Search for the words"),
        "{page}"
    );
    let page = get("Status%20%3D%20open%27").await;
    assert!(page.contains("This is not TicketSQL ("), "{page}");
}

/// Staff read times in their own zone, named: the office's until they choose another; a zone
/// that does not exist is refused and changes nothing.
#[tokio::test]
async fn staff_read_times_in_their_own_zone() {
    let owned = app().await;
    let app = &owned;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let t: serde_json::Value = super::TestApp::client()
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({"queue": "General", "subject": "zones", "requestors": ["kari@fjord.example"], "content": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = t["id"].as_i64().unwrap();
    let created: jiff::Timestamp = t["created_at"]
        .as_str()
        .or(t["created"].as_str())
        .unwrap()
        .parse()
        .unwrap();
    let shown = |zone: &str| {
        created
            .to_zoned(jiff::tz::TimeZone::get(zone).unwrap())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    let page = |c: reqwest::Client, path: String| async move {
        c.get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let ticket = page(browser.clone(), format!("/console/tickets/{id}")).await;
    assert!(ticket.contains(&shown("Europe/Stockholm")), "{ticket}");
    // (and every page names its icon, which is there for anyone)
    assert!(ticket.contains("rel=\"icon\" href=\"/assets/favicon.svg\""));
    let icon = super::TestApp::client()
        .get(app.url("/assets/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    let tokens = page(browser.clone(), "/console/tokens".into()).await;
    let csrf = super::csrf_of(&tokens);
    let set = |zone: &'static str| {
        let (c, csrf) = (browser.clone(), csrf.clone());
        async move {
            c.post(app.url("/console/account/time-zone"))
                .form(&[("csrf", csrf.as_str()), ("time_zone", zone)])
                .send()
                .await
                .unwrap()
        }
    };
    let r = set("Mars/Olympus_Mons").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("is not a time zone"));
    assert_eq!(set("Asia/Tokyo").await.status(), 303);
    let ticket = page(browser.clone(), format!("/console/tickets/{id}")).await;
    assert!(ticket.contains(&shown("Asia/Tokyo")), "{ticket}");
    assert!(ticket.contains(" JST"), "named");
    let list = page(browser.clone(), "/console/tickets".into()).await;
    assert!(list.contains(" JST"), "the list too");
    assert_eq!(set("").await.status(), 303, "back to the office's");
    let ticket = page(browser.clone(), format!("/console/tickets/{id}")).await;
    assert!(ticket.contains(&shown("Europe/Stockholm")), "{ticket}");
}
