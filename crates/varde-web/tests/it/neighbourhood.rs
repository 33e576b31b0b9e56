//! A ticket's neighbourhood on its console page: the customer's health, its other open
//! tickets (never a resolved one, never another organisation's) and the incidents on its
//! contracted services now; a ticket of no organisation has none.

use serde_json::{Value, json};
use varde_core::catalogue::{Service, Site};
use varde_store::status::NewComponent;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app};

async fn ticket(app: &TestApp, subject: &str, requestor: &str) -> i64 {
    let t: Value = TestApp::client()
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"queue": "General", "subject": subject, "requestors": [requestor], "content": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_ticket_page_shows_the_customers_neighbourhood() {
    let app = app().await;
    let c = TestApp::client();
    for (name, domain, line) in [
        (
            "Fjordnett",
            "fjord.example",
            json!({"product_code": "COMPUTE", "quantity": 4, "site": "no-osl1"}),
        ),
        (
            "Vidda",
            "vidda.example",
            json!({"product_code": "COMPUTE", "quantity": 1, "site": "se-sto1"}),
        ),
    ] {
        let org: Value = c
            .post(app.url("/api/v1/organizations"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"name": name, "country": "NO", "mail_domains": [domain]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = c
            .post(app.url(&format!("/api/v1/organizations/{}/contracts", org["id"])))
            .bearer_auth(&app.admin_token)
            .json(&json!({"reference": format!("{name}-1"), "signed_on": "2024-01-01", "starts_on": "2024-01-01",
                          "lines": [{"product_code": "SUPPORT-standard"}, line]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let this = ticket(&app, "Instance will not boot", "kari@fjord.example").await;
    let other = ticket(&app, "Quota for project x", "ola@fjord.example").await;
    let done = ticket(&app, "Old question", "kari@fjord.example").await;
    // Another organisation's open ticket, which Fjordnett's page never lists.
    ticket(&app, "Vidda's own", "per@vidda.example").await;
    let nobody = ticket(&app, "From nowhere", "someone@unknown.example").await;
    let r = c
        .patch(app.url(&format!("/api/v1/tickets/{done}")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // An incident on compute in Oslo, and one in Stockholm that is not Fjordnett's.
    let now = jiff::Timestamp::now();
    let mut components = vec![];
    for (name, site) in [
        ("Compute Oslo", Site::Oslo),
        ("Compute Stockholm", Site::Stockholm),
    ] {
        let comp = app
            .store
            .create_component(
                &NewComponent {
                    name: name.into(),
                    service: Some(Service::Compute),
                    site: Some(site),
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
        components.push(comp.id);
    }
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for (name, component) in [
        ("Hypervisor down in Oslo", components[0]),
        ("Stockholm network", components[1]),
    ] {
        super::incident_notices::post_incident(&app, &browser, (name, "major"), component).await;
    }

    let page = browser
        .get(app.url(&format!("/console/tickets/{this}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let near = page
        .split("id=\"neighbourhood\"")
        .nth(1)
        .expect("a neighbourhood panel");
    let near = near.split("</section>").next().unwrap();
    assert!(near.contains("Fjordnett now") || page.contains("Fjordnett now"));
    assert!(
        near.contains(&format!("#{other} Quota for project x")),
        "{near}"
    );
    assert!(
        !near.contains("Old question"),
        "a resolved ticket is not open: {near}"
    );
    assert!(
        !near.contains("Vidda"),
        "another organisation's ticket: {near}"
    );
    assert!(
        !near.contains(&format!("#{this} ")),
        "not the ticket itself: {near}"
    );
    assert!(
        near.contains("Hypervisor down in Oslo") && near.contains("major impact"),
        "{near}"
    );
    assert!(
        !near.contains("Stockholm network"),
        "not on its services: {near}"
    );
    assert!(near.contains("not scored yet"));

    let page = browser
        .get(app.url(&format!("/console/tickets/{nobody}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("id=\"neighbourhood\""),
        "no organisation, no neighbourhood"
    );
}
