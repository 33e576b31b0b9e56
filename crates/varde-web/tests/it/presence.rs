//! The collision notice: a ticket page's heartbeat tells who else has the ticket open and who
//! is writing on it; only staff who may read the ticket take part.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, apps, csrf_of};

/// One heartbeat from `c`'s ticket page, with what its reply box holds.
async fn beat(c: &reqwest::Client, app: &TestApp, id: i64, message: &str) -> (u16, String) {
    let page = c
        .get(app.url(&format!("/console/tickets/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("hx-post=\"/console/tickets/{id}/presence\"")));
    let r = c
        .post(app.url(&format!("/console/tickets/{id}/presence")))
        .form(&[("csrf", csrf_of(&page).as_str()), ("message", message)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn agents_see_who_else_is_on_a_ticket() {
    for app in apps().await {
        let t: Value = TestApp::client()
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"queue": "General", "subject": "vol-9", "requestors": ["kari@fjord.example"], "content": "x"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = t["id"].as_i64().unwrap();
        let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        app.account_with_token("bo@example.com", Role::Agent, None)
            .await;
        let bo = app.browser("bo@example.com", ADMIN_PASSWORD).await;

        // Alone on it: no notice.
        let (status, notice) = beat(&admin, &app, id, "").await;
        assert_eq!((status, notice.trim()), (200, ""));
        // Bo starts a reply; the administrator's next heartbeat says so.
        let (_, notice) = beat(&bo, &app, id, "Hej Kari, ").await;
        assert!(notice.contains("ada@example.com has it open"), "{notice}");
        let (_, notice) = beat(&admin, &app, id, "").await;
        assert!(
            notice.contains("bo@example.com is writing on this ticket now"),
            "{notice}"
        );
        assert!(notice.contains("class=\"notice bad\""), "{notice}");
        // Sent or emptied: only looking.
        let (_, _) = beat(&bo, &app, id, "").await;
        let (_, notice) = beat(&admin, &app, id, "").await;
        assert!(notice.contains("bo@example.com has it open"), "{notice}");

        // A customer contact takes no part, even on its own organisation's ticket.
        let org: Value = TestApp::client()
            .post(app.url("/api/v1/organizations"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"name": "Fjord", "country": "NO", "mail_domains": ["fjord.example"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        app.account_with_token("kari@fjord.example", Role::Customer, org["id"].as_i64())
            .await;
        let kari = app.browser("kari@fjord.example", ADMIN_PASSWORD).await;
        let portal = kari
            .get(app.url("/portal"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = kari
            .post(app.url(&format!("/console/tickets/{id}/presence")))
            .form(&[("csrf", csrf_of(&portal).as_str()), ("message", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        // A heartbeat without the page's token is refused.
        let r = bo
            .post(app.url(&format!("/console/tickets/{id}/presence")))
            .form(&[("message", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
}
