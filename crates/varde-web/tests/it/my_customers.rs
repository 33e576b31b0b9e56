//! A service manager's day: "My customers" is where they land, says what changed for each
//! of their customers since they last looked, and only "Mark as seen" (a POST) moves that
//! moment; reading the page changes nothing.

use serde_json::json;

use super::workspace::{console_as, premium_customer};
use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app, csrf_of};

/// The "What changed" cell of an organisation's row.
fn changes_of(page: &str, org: &str) -> String {
    let row = page
        .split("<tr")
        .find(|r| r.contains(&format!(">{org}</a>")))
        .unwrap_or_else(|| panic!("no row for {org} in {page}"));
    row.rsplit("<td>").next().unwrap().to_string()
}

async fn open_ticket(app: &TestApp, subject: &str, priority: i64) {
    let r = TestApp::client()
        .post(app.url("/REST/2.0/ticket"))
        .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
        .json(
            &json!({"Queue": "General", "Subject": subject, "Requestor": "kari@fjord.example",
                      "Content": "Hei", "Priority": priority}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn my_customers_says_what_changed_since_the_manager_last_looked() {
    let app = app().await;
    let (_, _, manager) = premium_customer(&app).await;
    let c = console_as(&app, manager).await;
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        r.headers()["location"],
        "/console/meetings",
        "a service manager lands on My customers"
    );

    open_ticket(&app, "Instance will not boot", 90).await;
    open_ticket(&app, "Quota question", 10).await;
    let page = c
        .get(app.url("/console/meetings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("What changed in the last 7 days"),
        "a first look covers a week"
    );
    let cell = changes_of(&page, "Fjordnett");
    assert!(
        cell.contains(r#"<li class="attention">2 tickets opened (1 urgent)</li>"#),
        "{cell}"
    );
    // Two contacts and a contract were added this week.
    assert!(
        cell.contains("<li>3 changes to contracts or contacts</li>"),
        "{cell}"
    );

    // Reading again changes nothing.
    let again = c
        .get(app.url("/console/meetings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(changes_of(&again, "Fjordnett"), cell);

    // A GET of the mark is no way to set it; the POST needs the form's token.
    let r = c
        .get(app.url("/console/meetings/seen"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let r = c
        .post(app.url("/console/meetings/seen"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.url("/console/meetings/seen"))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/console/meetings");

    let page = c
        .get(app.url("/console/meetings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("What changed since "),
        "the moment is named once marked"
    );
    assert!(changes_of(&page, "Fjordnett").contains("nothing"));

    // What happens next is counted from the mark.
    open_ticket(&app, "Backup restore", 10).await;
    let page = c
        .get(app.url("/console/meetings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cell = changes_of(&page, "Fjordnett");
    assert!(cell.contains("<li>1 ticket opened</li>"), "{cell}");
    assert!(!cell.contains("urgent"), "{cell}");

    // The mark is the manager's own: an administrator's first look still covers the week.
    let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin
        .get(app.url("/console/meetings?all=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(changes_of(&page, "Fjordnett").contains("3 tickets opened (1 urgent)"));
}

#[tokio::test]
async fn a_new_service_manager_takes_over_the_plan_and_the_booked_meeting() {
    let app = app().await;
    let (org, _, mats) = premium_customer(&app).await;
    let (_, _, next) = super::workspace::quarters();
    let c = console_as(&app, mats).await;
    let plan = format!("/console/organizations/{org}/meetings");
    let day = next
        .from
        .saturating_add(jiff::Span::new().days(20))
        .to_string();
    let form = [
        ("date", day.as_str()),
        ("time", "10:00"),
        ("minutes", "60"),
        ("place", "Video"),
        ("attendees", "kari@fjord.example"),
    ];
    let r = super::workspace::post_form(&c, &app, &plan, &plan, &form).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());

    // Nora becomes the service manager.
    let nora_token = app
        .account_with_token(
            "nora@example.com",
            varde_core::access::Role::ServiceManager,
            None,
        )
        .await;
    let nora: serde_json::Value = TestApp::client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&nora_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = TestApp::client()
        .patch(app.url(&format!("/api/v1/organizations/{org}")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"service_manager_id": nora["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Mats's list no longer has Fjordnett; Nora's has it, with the booked meeting.
    let page = c
        .get(app.url("/console/meetings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains(">Fjordnett</a>"), "{page}");
    let n = console_as(&app, "nora@example.com").await;
    let page = n
        .get(app.url("/console/meetings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = page
        .split("<tr")
        .find(|r| r.contains(">Fjordnett</a>"))
        .expect("Nora's list has Fjordnett");
    assert!(
        row.contains(&format!("{}: <a href=\"/console/meetings/", next.label)),
        "{row}"
    );
    let plan_page = n
        .get(app.url(&plan))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        plan_page.contains("nora@example.com"),
        "the plan names the new manager: {plan_page}"
    );
}
