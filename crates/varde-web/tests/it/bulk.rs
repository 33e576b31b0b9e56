//! Bulk changes on the console's ticket list: ticked tickets get the chosen status, owner or
//! queue, each changed as its own page would change it; the list says how many changed and
//! why the others did not; a read-only account changes nothing.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app, csrf_of};

async fn ticket(app: &TestApp, subject: &str) -> i64 {
    let t: Value = TestApp::client()
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"queue": "General", "subject": subject, "requestors": ["kari@fjord.example"], "content": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["id"].as_i64().unwrap()
}

async fn read(app: &TestApp, id: i64) -> Value {
    TestApp::client()
        .get(app.url(&format!("/api/v1/tickets/{id}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Posts the bulk form from the list page with `fields`; gives the notice the list then shows.
async fn bulk(c: &reqwest::Client, app: &TestApp, fields: &[(&str, &str)]) -> (u16, String) {
    let list = c
        .get(app.url("/console/tickets?view=active"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&list);
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("back", "/console/tickets?view=active"),
    ];
    form.extend_from_slice(fields);
    let r = c
        .post(app.url("/console/tickets/bulk"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status != 303 {
        return (status, String::new());
    }
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/console/tickets?view=active&bulk="), "{to}");
    let page = c
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let notice = page
        .split("id=\"bulk-notice\">")
        .nth(1)
        .map(|n| n.split('<').next().unwrap().to_string())
        .unwrap_or_default();
    (status, notice)
}

#[tokio::test]
async fn ticked_tickets_change_at_once_and_the_list_says_what_happened() {
    let app = app().await;
    let (a, b, c_) = (
        ticket(&app, "One").await,
        ticket(&app, "Two").await,
        ticket(&app, "Three").await,
    );
    let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let list = admin
        .get(app.url("/console/tickets?view=active"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains(&format!("name=\"ticket_{a}\"")),
        "every row can be ticked"
    );

    let (ta, tb) = (format!("ticket_{a}"), format!("ticket_{b}"));
    let (status, notice) = bulk(
        &admin,
        &app,
        &[
            (&ta, "yes"),
            (&tb, "yes"),
            ("Status", "open"),
            ("Owner", ADMIN_EMAIL),
            ("Queue", ""),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(notice, "2 of 2 tickets changed.");
    for id in [a, b] {
        let t = read(&app, id).await;
        assert_eq!(
            (t["status"].as_str(), t["owner"].as_str()),
            (Some("open"), Some(ADMIN_EMAIL)),
            "{t}"
        );
    }
    assert_eq!(
        read(&app, c_).await["status"],
        "new",
        "an unticked ticket is left alone"
    );

    // A queue that does not exist: nothing changes, and the list says why, per ticket.
    let (_, notice) = bulk(&admin, &app, &[(&ta, "yes"), ("Queue", "Nope")]).await;
    assert_eq!(
        notice,
        format!("0 of 1 ticket changed. Not changed: #{a}: Queue &#39;Nope&#39; does not exist.")
    );
    let (_, notice) = bulk(&admin, &app, &[("Status", "open")]).await;
    assert_eq!(notice, "Tick the tickets to change first.");
    let (_, notice) = bulk(&admin, &app, &[(&ta, "yes")]).await;
    assert_eq!(notice, "Choose a status, an owner or a queue to set.");

    // A read-only account reads the list but is refused the change.
    app.account_with_token("rut@example.com", Role::ReadOnly, None)
        .await;
    let reader = app.browser("rut@example.com", ADMIN_PASSWORD).await;
    let tc = format!("ticket_{c_}");
    let (status, _) = bulk(&reader, &app, &[(&tc, "yes"), ("Status", "resolved")]).await;
    assert_eq!(status, 403);
    assert_eq!(read(&app, c_).await["status"], "new");
}
