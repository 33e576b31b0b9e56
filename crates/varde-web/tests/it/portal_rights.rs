//! Which tickets a contact sees and whether it may open them: its organisation's choice (all
//! tickets, or only those it asked for or is copied on) and its primary contact's (who may open
//! tickets), alike in the portal, the JSON API and by direct address; and what a new ticket in
//! the portal may be about (the services its contracts cover).

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_PASSWORD, TestApp, apps, csrf_of};

/// A contact of `org` with a portal login; gives its browser, API token and contact id.
async fn contact(
    app: &TestApp,
    org: i64,
    email: &str,
    primary: bool,
) -> (reqwest::Client, String, i64) {
    let roles = if primary { "primary" } else { "technical" };
    let r = TestApp::client()
        .post(app.url(&format!("/api/v1/organizations/{org}/contacts")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": email, "email": email, "roles": [roles], "language": "nb", "portal_access": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let token = app
        .account_with_token(email, Role::Customer, Some(org))
        .await;
    (app.browser(email, ADMIN_PASSWORD).await, token, id)
}

async fn ticket(app: &TestApp, requestor: &str, cc: &[&str], subject: &str) -> i64 {
    let v: Value = TestApp::client()
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"queue": "General", "subject": subject, "requestors": [requestor], "cc": cc, "content": "hei"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["id"].as_i64().unwrap()
}

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(c: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> u16 {
    let (_, html) = get(c, app, "/portal/colleagues").await;
    let csrf = csrf_of(&html);
    let mut form: Vec<(&str, &str)> = form.to_vec();
    form.push(("csrf", &csrf));
    let r = c.post(app.url(path)).form(&form).send().await.unwrap();
    r.status().as_u16()
}

/// The ticket ids the API lists for a token.
async fn listed(app: &TestApp, token: &str) -> Vec<i64> {
    let v: Value = TestApp::client()
        .get(app.url("/api/v1/tickets?limit=100"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ids: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn an_organisation_that_chooses_so_shows_each_contact_only_its_own_tickets() {
    for app in apps().await {
        let org = super::colleagues::organization(&app, "Fjordnett", "fjord.example", "nb").await;
        let (pia, pia_token, _) = contact(&app, org, "pia@fjord.example", true).await;
        let (ola, ola_token, _) = contact(&app, org, "ola@fjord.example", false).await;
        let pias = ticket(&app, "pia@fjord.example", &[], "Pia sin kvote").await;
        // Ola is copied on this one, in capitals: still his.
        let copied = ticket(&app, "pia@fjord.example", &["OLA@fjord.example"], "Felles").await;
        let olas = ticket(&app, "ola@fjord.example", &[], "Ola sin disk").await;

        // By default everyone sees the organisation's tickets.
        assert_eq!(listed(&app, &ola_token).await, [pias, copied, olas]);
        assert_eq!(
            get(&ola, &app, &format!("/portal/tickets/{pias}")).await.0,
            200
        );

        // Only the primary contact chooses; Ola may not.
        let own = [("sight", "own"), ("notices", "on")];
        assert_eq!(post(&ola, &app, "/portal/settings", &own).await, 403);
        assert_eq!(listed(&app, &ola_token).await, [pias, copied, olas]);
        assert_eq!(post(&pia, &app, "/portal/settings", &own).await, 303);
        let (_, html) = get(&pia, &app, "/portal/colleagues").await;
        assert!(html.contains("value=\"own\" checked"), "{html}");

        // Now each sees its own and those it is copied on: in the list, the API, by number.
        assert_eq!(listed(&app, &ola_token).await, [copied, olas]);
        assert_eq!(listed(&app, &pia_token).await, [pias, copied]);
        let (_, list) = get(&ola, &app, "/portal").await;
        assert!(
            list.contains("Ola sin disk") && list.contains("Felles"),
            "{list}"
        );
        assert!(!list.contains("Pia sin kvote"), "{list}");
        for path in [
            format!("/portal/tickets/{pias}"),
            format!("/api/v1/tickets/{pias}"),
            format!("/api/v1/tickets/{pias}/history"),
        ] {
            assert_eq!(get(&ola, &app, &path).await.0, 404, "{path}");
        }
        let r = TestApp::client()
            .get(app.url(&format!("/api/v1/tickets/{pias}")))
            .bearer_auth(&ola_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        // Nor may he answer or close it.
        let (_, html) = get(&ola, &app, &format!("/portal/tickets/{olas}")).await;
        let csrf = csrf_of(&html);
        let r = ola
            .post(app.url(&format!("/portal/tickets/{pias}/status")))
            .form(&[("csrf", csrf.as_str()), ("action", "close")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(
            get(&ola, &app, &format!("/portal/tickets/{copied}"))
                .await
                .0,
            200
        );

        // The choice is in the organisation's audit history, and can be undone.
        let history: Value = TestApp::client()
            .get(app.url(&format!("/api/v1/organizations/{org}/audit")))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            history.to_string().contains("own_tickets_only"),
            "{history}"
        );
        let all = [("sight", "all"), ("notices", "on")];
        assert_eq!(post(&pia, &app, "/portal/settings", &all).await, 303);
        assert_eq!(listed(&app, &ola_token).await, [pias, copied, olas]);
    }
}

#[tokio::test]
async fn a_primary_contact_decides_who_opens_tickets() {
    for app in apps().await {
        let org = super::colleagues::organization(&app, "Fjordnett", "fjord.example", "nb").await;
        let (pia, _, _) = contact(&app, org, "pia@fjord.example", true).await;
        let (ola, ola_token, ola_id) = contact(&app, org, "ola@fjord.example", false).await;
        let stop = format!("/portal/colleagues/{ola_id}/tickets");
        // Ola cannot stop himself or anyone else; Pia can.
        assert_eq!(post(&ola, &app, &stop, &[("opens", "no")]).await, 403);
        assert_eq!(post(&pia, &app, &stop, &[("opens", "no")]).await, 303);
        let (_, html) = get(&pia, &app, "/portal/colleagues").await;
        assert!(
            html.contains("Tillat å åpne saker: ola@fjord.example"),
            "{html}"
        );

        // The new-ticket page says why, and neither the portal nor the API opens one.
        let (status, html) = get(&ola, &app, "/portal/tickets/new").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("har ikke gitt deg lov til å åpne saker"),
            "{html}"
        );
        assert!(!html.contains("action=\"/portal/tickets\""), "{html}");
        let form = reqwest::multipart::Form::new()
            .text(
                "csrf",
                csrf_of(&get(&ola, &app, "/portal/colleagues").await.1),
            )
            .text("subject", "Likevel")
            .text("message", "hei");
        let r = ola
            .post(app.url("/portal/tickets"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = TestApp::client()
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&ola_token)
            .json(&json!({"queue": "General", "subject": "Via API", "content": "hei"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // He still answers the organisation's tickets.
        let t = ticket(&app, "pia@fjord.example", &[], "Felles").await;
        assert_eq!(
            get(&ola, &app, &format!("/portal/tickets/{t}")).await.0,
            200
        );

        // Allowed again, he opens one.
        assert_eq!(post(&pia, &app, &stop, &[("opens", "yes")]).await, 303);
        let r = TestApp::client()
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&ola_token)
            .json(&json!({"queue": "General", "subject": "Via API", "content": "hei"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);

        // Another organisation's primary contact cannot touch Ola.
        let other = super::colleagues::organization(&app, "Annet", "annet.example", "nb").await;
        let (eve, _, _) = contact(&app, other, "eve@annet.example", true).await;
        assert_eq!(post(&eve, &app, &stop, &[("opens", "no")]).await, 404);
    }
}

#[tokio::test]
async fn a_new_ticket_is_about_a_service_the_contracts_cover_or_something_else() {
    let app = super::app().await;
    let org = super::colleagues::organization(&app, "Fjordnett", "fjord.example", "nb").await;
    let r = TestApp::client()
        .post(app.url(&format!("/api/v1/organizations/{org}/contracts")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"reference": "F-1", "signed_on": "2026-01-01", "starts_on": "2026-01-01", "lines": [
            {"product_code": "SUPPORT-standard"}, {"product_code": "STORAGE-S3", "site": "no-osl1"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (pia, pia_token, _) = contact(&app, org, "pia@fjord.example", true).await;
    let (status, html) = get(&pia, &app, "/portal/tickets/new").await;
    assert_eq!(status, 200);
    // In Norwegian, only what the contracts cover, and something else chosen until asked.
    assert!(html.contains("Hva gjelder det?"), "{html}");
    assert!(
        html.contains("<option value=\"storage@no-osl1\">Objektlagring (S3), Oslo (NO)</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"\" selected>Noe annet</option>"),
        "{html}"
    );
    assert!(!html.contains("compute@"), "{html}");

    let open = |about: &'static str, subject: &'static str| {
        let csrf = csrf_of(&html);
        let pia = pia.clone();
        let url = app.url("/portal/tickets");
        async move {
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf)
                .text("subject", subject)
                .text("about", about)
                .text("message", "Bøtta svarer 503");
            pia.post(url).multipart(form).send().await.unwrap()
        }
    };
    let r = open("storage@no-osl1", "Bøtte").await;
    assert_eq!(r.status(), 303);
    let r = open("", "Faktura").await;
    assert_eq!(r.status(), 303);
    // A service not on contract is refused with the form kept, and nothing is opened.
    let r = open("compute@se-sto1", "Instans").await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("value=\"Instans\""), "{page}");

    let v: Value = TestApp::client()
        .get(app.url("/api/v1/tickets?order_by=id"))
        .bearer_auth(&pia_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{v}");
    assert_eq!(items[0]["subject"], "Bøtte");
    assert_eq!(items[0]["custom_fields"]["Service"], json!(["storage"]));
    assert_eq!(items[0]["custom_fields"]["Site"], json!(["no-osl1"]));
    assert_eq!(items[0]["requestors"], json!(["pia@fjord.example"]));
    assert_eq!(items[1]["subject"], "Faktura");
    assert!(items[1]["custom_fields"].get("Service").is_none(), "{v}");

    // The organisation page says how the setting-up goes in customer words, and the
    // contract's lines by name.
    let (_, page) = get(&pia, &app, "/portal/organization").await;
    for words in [
        "<h2 id=\"onboarding-h\">Kom i gang</h2>",
        "Skykontoen deres (OpenStack-domene, prosjekt og brukere): <strong>kommer</strong>",
        "Standardsupport; Objektlagring (S3), Oslo (NO)",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    assert!(
        !page.contains("keystone_") && !page.contains("STORAGE-S3"),
        "{page}"
    );

    // The quarterly report reads in Norwegian, the service by its name, nothing as stored.
    let (status, report) = get(&pia, &app, "/portal/report").await;
    assert_eq!(status, 200);
    for words in [
        "lang=\"nb\"",
        "Kvartalsrapport for driften: Fjordnett",
        "Standardsupport",
        "Objektlagring (S3)",
    ] {
        assert!(report.contains(words), "{words}: {report}");
    }
    assert!(
        !report.contains(">storage<") && !report.contains(">open<"),
        "{report}"
    );
}

#[tokio::test]
async fn staff_set_the_organisations_portal_choices_in_the_console() {
    let app = super::app().await;
    let org = super::colleagues::organization(&app, "Fjordnett", "fjord.example", "nb").await;
    let (_, ola_token, _) = contact(&app, org, "ola@fjord.example", false).await;
    let pias = ticket(&app, "pia@fjord.example", &[], "Pia sin kvote").await;
    let olas = ticket(&app, "ola@fjord.example", &[], "Ola sin disk").await;
    assert_eq!(listed(&app, &ola_token).await, [pias, olas]);
    let admin = app.browser(super::ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let path = format!("/console/organizations/{org}");
    let (status, page) = get(&admin, &app, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("every ticket of the organisation;"), "{page}");
    let r = admin
        .post(app.url(&format!("{path}/portal")))
        .form(&[("csrf", csrf_of(&page).as_str()), ("sight", "own")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(listed(&app, &ola_token).await, [olas]);
    let (_, page) = get(&admin, &app, &path).await;
    assert!(
        page.contains(
            "only the tickets it asked for or is copied on; technical contacts are not told"
        ),
        "{page}"
    );
    // A contact of the organisation cannot use the console's form.
    let r = TestApp::client()
        .post(app.url(&format!("{path}/portal")))
        .bearer_auth(&ola_token)
        .form(&[("sight", "all"), ("notices", "on")])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status().as_u16() / 100, 2);
    assert_eq!(listed(&app, &ola_token).await, [olas]);
}
