//! The service manager's workspace over HTTP: booking, moving and recording quarterly meetings
//! (with invitations in each attendee's language, sent through a real SMTP server), action
//! items that become tickets, the agenda pack, and the roadmap register.

use jiff::Timestamp;
use serde_json::{Value, json};
use varde_core::access::Role;
use varde_core::report::Period;
use varde_notify::testing::{SmtpSink, header};

use super::{TestApp, app, csrf_of};

/// A premium organisation (Norwegian) with a primary contact who reads Norwegian and a
/// technical one who reads Swedish, and a service manager. Gives (org id, manager's token,
/// manager's e-mail).
pub(super) async fn premium_customer(app: &TestApp) -> (i64, String, &'static str) {
    let t = &app.admin_token;
    let c = TestApp::client();
    let manager = "mats@example.com";
    let manager_token = app
        .account_with_token(manager, Role::ServiceManager, None)
        .await;
    let org: Value = c
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(t)
        .json(&json!({"name": "Fjordnett", "country": "NO", "mail_domains": ["fjord.example"], "language": "nb"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = org["id"].as_i64().unwrap();
    for (name, email, roles, language) in [
        ("Kari Nordmann", "kari@fjord.example", ["primary"], "nb"),
        ("Sven Svensson", "sven@fjord.example", ["technical"], "sv"),
    ] {
        let r = c
            .post(app.url(&format!("/api/v1/organizations/{id}/contacts")))
            .bearer_auth(t)
            .json(&json!({"name": name, "email": email, "roles": roles, "language": language}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let r = c
        .post(app.url(&format!("/api/v1/organizations/{id}/contracts")))
        .bearer_auth(t)
        .json(&json!({"reference": "FJ-1", "signed_on": "2024-01-01", "starts_on": "2024-01-01",
                      "lines": [{"product_code": "SUPPORT-premium"}, {"product_code": "COMPUTE", "quantity": 4, "site": "no-osl1"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let me: Value = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&manager_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = c
        .patch(app.url(&format!("/api/v1/organizations/{id}")))
        .bearer_auth(t)
        .json(&json!({"service_manager_id": me["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    (id, manager_token, manager)
}

/// This quarter, the one before and the one after, on the office's calendar.
pub(super) fn quarters() -> (Period, Period, Period) {
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let this = Period::quarter_of(Timestamp::now().to_zoned(tz).date());
    let last = Period::quarter_of(this.from.yesterday().unwrap());
    let next = Period::quarter_of(this.until);
    (last, this, next)
}

/// Logs an account made by `account_with_token` in to the console.
pub(super) async fn console_as(app: &TestApp, email: &str) -> reqwest::Client {
    app.browser(email, super::ADMIN_PASSWORD).await
}

pub(super) async fn post_form(
    c: &reqwest::Client,
    app: &TestApp,
    page: &str,
    action: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let html = c
        .get(app.url(page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    fields.push(("csrf", &csrf));
    c.post(app.url(action)).form(&fields).send().await.unwrap()
}

#[tokio::test]
async fn a_meeting_is_booked_moved_and_recorded_with_invitations_in_each_language() {
    let app = app().await;
    let (org, _, manager) = premium_customer(&app).await;
    let (last, this, next) = quarters();
    let c = console_as(&app, manager).await;
    let plan_page = format!("/console/organizations/{org}/meetings");
    let page = c
        .get(app.url(&plan_page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Due: not booked"),
        "this quarter is due: {page}"
    );
    // The form offers the contacts and the manager as attendees.
    assert!(
        page.contains("Kari Nordmann &#60;kari@fjord.example&#62;")
            || page.contains("Kari Nordmann &lt;kari@fjord.example&gt;")
    );

    // A bad booking: field errors, nothing booked.
    let r = post_form(
        &c,
        &app,
        &plan_page,
        &plan_page,
        &[
            ("date", "someday"),
            ("time", "25:00"),
            ("attendees", "nobody"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("is not a date like") && body.contains("is not a time like"),
        "{body}"
    );
    assert!(
        app.store
            .meetings_of(varde_core::ids::OrganizationId(org))
            .await
            .unwrap()
            .is_empty()
    );

    // Next quarter's meeting, for the contacts and the manager.
    let day = next
        .from
        .saturating_add(jiff::Span::new().days(20))
        .to_string();
    let attendees =
        "Kari Nordmann <kari@fjord.example>\nsven@fjord.example\nMats <mats@example.com>";
    let form = [
        ("date", day.as_str()),
        ("time", "10:00"),
        ("minutes", "90"),
        ("place", "Video"),
        ("attendees", attendees),
    ];
    let r = post_form(&c, &app, &plan_page, &plan_page, &form).await;
    assert_eq!(r.status(), 303);
    let meeting_url = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = meeting_url.rsplit('/').next().unwrap().parse().unwrap();
    // The same quarter twice is a conflict, said beside the date.
    let r = post_form(&c, &app, &plan_page, &plan_page, &form).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(&format!("{} has a meeting booked", next.label))
    );

    // Moved within the quarter: the updated invitation has the same UID and SEQUENCE 1.
    let moved = next
        .from
        .saturating_add(jiff::Span::new().days(22))
        .to_string();
    let r = post_form(
        &c,
        &app,
        &meeting_url,
        &format!("{meeting_url}/move"),
        &[
            ("date", moved.as_str()),
            ("time", "13:30"),
            ("minutes", "60"),
            ("place", "Oslo office"),
            ("attendees", attendees),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Out of its quarter it stays where it is.
    let r = post_form(
        &c,
        &app,
        &meeting_url,
        &format!("{meeting_url}/move"),
        &[
            ("date", this.from.to_string().as_str()),
            ("time", "13:30"),
            ("attendees", attendees),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);

    // The letters go out through a real SMTP server, each in its reader's language.
    let sink = SmtpSink::start("");
    let worker = varde_notify::MailWorker::new(
        app.store.clone(),
        &sink.url(),
        varde_notify::MailConfig {
            rtname: "example.com".into(),
            default_from: "support@example.com".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(worker.run_once(Timestamp::now()).await.unwrap(), 6);
    let mails = sink.received();
    assert_eq!(mails.len(), 6, "three attendees, booked and moved");
    let to = |who: &str| -> Vec<&String> {
        mails
            .iter()
            .filter(|m| header(m, "X-Sink-Rcpt-To") == Some(who))
            .collect()
    };
    let subject_of = |m: &str| header(m, "Subject").unwrap_or_default().to_string();
    assert!(to("kari@fjord.example").iter().all(
        |m| subject_of(m).contains("Kvartalsvis driftsm") || m.contains("Kvartalsvis driftsm")
    ));
    assert!(
        to("sven@fjord.example")
            .iter()
            .any(|m| m.contains("Kvartalsvis driftm")),
        "Swedish for Sven"
    );
    assert!(
        to("mats@example.com")
            .iter()
            .any(|m| m.contains("Quarterly operations meeting")),
        "English for staff"
    );
    let unfolded: Vec<String> = to("kari@fjord.example")
        .iter()
        .map(|m| m.replace("\r\n ", "").replace("=\r\n", ""))
        .collect();
    let uid = format!("UID:varde-qbr-{id}@");
    assert!(
        unfolded
            .iter()
            .all(|m| m.contains(&uid) && m.contains("METHOD:REQUEST")),
        "{unfolded:?}"
    );
    assert!(
        unfolded.iter().any(|m| m.contains("SEQUENCE:0"))
            && unfolded.iter().any(|m| m.contains("SEQUENCE:1"))
    );
    assert!(
        unfolded.iter().any(|m| m.contains("erstatter den forrige")),
        "the moved note, in Norwegian"
    );

    // A meeting last quarter, recorded as held with its minutes shared.
    let past = last
        .from
        .saturating_add(jiff::Span::new().days(10))
        .to_string();
    let r = post_form(
        &c,
        &app,
        &plan_page,
        &plan_page,
        &[
            ("date", past.as_str()),
            ("time", "09:00"),
            ("attendees", "kari@fjord.example"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let held_url = r.headers()["location"].to_str().unwrap().to_string();
    let r = post_form(
        &c,
        &app,
        &held_url,
        &format!("{held_url}/minutes"),
        &[
            ("notes", "Quota review"),
            ("decisions", "Raise the quota"),
            ("shared", "yes"),
            ("held", "yes"),
            ("attendees", "Kari"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The customer reads the shared minutes in the portal, and the meeting to come.
    app.account_with_token("ola@fjord.example", Role::Customer, Some(org))
        .await;
    let portal = app
        .browser("ola@fjord.example", super::ADMIN_PASSWORD)
        .await;
    let page = portal
        .get(app.url("/portal/organization"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Quarterly operations meetings"), "{page}");
    assert!(page.contains("Quota review") && page.contains("Raise the quota"));
    assert!(
        page.contains(&format!("{}: ", next.label)),
        "the booked meeting to come"
    );

    let r = post_form(
        &c,
        &app,
        &meeting_url,
        &format!("{meeting_url}/minutes"),
        &[("held", "yes")],
    )
    .await;
    assert_eq!(r.status(), 422);

    let plan: Value = TestApp::client()
        .get(app.url(&format!("/api/v1/meetings?organization={org}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let states: Vec<(String, String)> = plan["organizations"][0]["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["quarter"].as_str().unwrap().to_string(),
                q["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&(last.label.clone(), "held".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&(this.label.clone(), "due".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&(next.label.clone(), "booked".into())),
        "{states:?}"
    );
}

#[tokio::test]
async fn action_items_become_tickets_and_the_next_pack_lists_them() {
    let app = app().await;
    let (org, _, manager) = premium_customer(&app).await;
    let (last, _, next) = quarters();
    let c = console_as(&app, manager).await;
    let plan_page = format!("/console/organizations/{org}/meetings");
    let past = last
        .from
        .saturating_add(jiff::Span::new().days(5))
        .to_string();
    let r = post_form(
        &c,
        &app,
        &plan_page,
        &plan_page,
        &[
            ("date", past.as_str()),
            ("time", "09:00"),
            ("attendees", "kari@fjord.example"),
        ],
    )
    .await;
    let held = r.headers()["location"].to_str().unwrap().to_string();
    post_form(
        &c,
        &app,
        &held,
        &format!("{held}/minutes"),
        &[("held", "yes")],
    )
    .await;
    // One task, one ticket in General.
    let r = post_form(
        &c,
        &app,
        &held,
        &format!("{held}/actions"),
        &[
            ("text", "Send the incident report"),
            ("owner", "Mats"),
            ("due_on", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post_form(
        &c,
        &app,
        &held,
        &format!("{held}/actions"),
        &[
            ("text", "Raise the S3 quota to 400 TB"),
            ("owner", "Mats"),
            ("due_on", "2030-01-31"),
            ("queue", "General"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post_form(
        &c,
        &app,
        &held,
        &format!("{held}/actions"),
        &[("text", ""), ("owner", "")],
    )
    .await;
    assert_eq!(r.status(), 422, "an empty action item is refused");
    let items = app
        .store
        .action_items_of(varde_core::ids::OrganizationId(org))
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    let ticket = items
        .iter()
        .find_map(|i| i.ticket)
        .expect("one item is a ticket");
    let t = app.store.ticket(ticket).await.unwrap().unwrap();
    assert_eq!(t.organization, Some(varde_core::ids::OrganizationId(org)));
    assert_eq!(
        t.requestors,
        vec!["kari@fjord.example".to_string()],
        "the primary contact"
    );
    assert_eq!(t.subject, "Raise the S3 quota to 400 TB");

    // The next meeting's pack lists both as open, with the ticket's status.
    let future = next
        .from
        .saturating_add(jiff::Span::new().days(5))
        .to_string();
    let r = post_form(
        &c,
        &app,
        &plan_page,
        &plan_page,
        &[
            ("date", future.as_str()),
            ("time", "09:00"),
            ("attendees", "kari@fjord.example"),
        ],
    )
    .await;
    let upcoming = r.headers()["location"].to_str().unwrap().to_string();
    let pack = c
        .get(app.url(&upcoming))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        pack.contains("Send the incident report")
            && pack.contains(&format!("ticket #{}", ticket.0)),
        "{pack}"
    );
    assert!(pack.contains(&format!(
        "The quarter in figures ({})",
        Period::quarter_of(next.from.yesterday().unwrap()).label
    )));
    // Done: the task shows as done in the pack (settled since the last meeting).
    let task = items.iter().find(|i| i.ticket.is_none()).unwrap();
    let r = post_form(
        &c,
        &app,
        &upcoming,
        &format!("/console/actions/{}/done", task.id),
        &[("done", "yes")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let pack = c
        .get(app.url(&upcoming))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = pack
        .split("<tr")
        .find(|r| r.contains("Send the incident report"))
        .unwrap();
    assert!(
        row.contains("class=\"done\"") && row.contains("Done"),
        "{row}"
    );
}

#[tokio::test]
async fn the_roadmap_merges_the_same_wish_and_counts_customers_once() {
    let app = app().await;
    let (org, manager_token, manager) = premium_customer(&app).await;
    let c = console_as(&app, manager).await;
    // Feedback from two organisations: one premium, one not.
    let other: Value = TestApp::client()
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": "Småbolaget", "country": "SE"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other = other["id"].as_i64().unwrap();
    for (o, text) in [
        (org, "GPU in Oslo"),
        (org, "=HYPERLINK(\"http://evil\")"),
        (other, "GPU flavours"),
    ] {
        let page = format!("/console/organizations/{o}");
        let r = post_form(
            &c,
            &app,
            &page,
            &format!("{page}/feedback"),
            &[("feedback", text), ("asked_by", "Kari")],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    let asks = app.store.asks().await.unwrap();
    assert_eq!(asks.len(), 3);
    // Two items, then the same wish merged into one.
    let mut items = vec![];
    for a in [&asks[0], &asks[2]] {
        let r = post_form(
            &c,
            &app,
            "/console/roadmap",
            "/console/roadmap/items",
            &[
                ("ask", &a.id.to_string()),
                ("title", &a.text),
                ("service", "compute"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        items.push(app.store.roadmap_items().await.unwrap().last().unwrap().id);
    }
    let r = post_form(
        &c,
        &app,
        "/console/roadmap",
        &format!("/console/roadmap/items/{}/merge", items[1]),
        &[("into", &items[0].to_string())],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Declining needs a reason the customers may read.
    let r = post_form(
        &c,
        &app,
        "/console/roadmap",
        &format!("/console/roadmap/items/{}", items[0]),
        &[("title", "GPU instances"), ("state", "declined")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post_form(
        &c,
        &app,
        "/console/roadmap",
        &format!("/console/roadmap/items/{}", items[0]),
        &[
            ("title", "GPU instances"),
            ("service", "compute"),
            ("state", "planned"),
            ("reason", "In 2027"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);

    let r = post_form(
        &c,
        &app,
        "/console/roadmap",
        &format!("/console/roadmap/asks/{}/file", asks[1].id),
        &[("item", &items[0].to_string())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r: Value = TestApp::client()
        .get(app.url("/api/v1/roadmap"))
        .bearer_auth(&manager_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items_json = r["items"].as_array().unwrap();
    assert_eq!(items_json.len(), 1, "merged: {r}");
    let gpu = &items_json[0];
    assert_eq!(
        (gpu["state"].as_str(), gpu["reason"].as_str()),
        (Some("planned"), Some("In 2027"))
    );
    assert_eq!(gpu["demand"]["customers"], 2);
    assert_eq!(gpu["demand"]["premium_customers"], 1);
    assert_eq!(gpu["asks"].as_array().unwrap().len(), 3);
    assert_eq!(gpu["demand"]["asks"], 3);
    assert_eq!(r["unfiled"].as_array().unwrap().len(), 0);
    // The CSV never hands a spreadsheet a formula.
    let csv = c
        .get(app.url("/console/roadmap?format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("item,title,service,state"), "{csv}");
    assert!(
        csv.contains("GPU instances") && csv.contains("Fjordnett") && csv.contains("Småbolaget")
    );
    assert!(
        csv.contains("'=HYPERLINK")
            && !csv.contains(",=HYPERLINK")
            && !csv.contains("\"=HYPERLINK"),
        "{csv}"
    );
    // A customer contact reads neither the register nor another organisation's meetings.
    let customer = app
        .account_with_token("kari@fjord.example", Role::Customer, Some(org))
        .await;
    let r = TestApp::client()
        .get(app.url("/api/v1/roadmap"))
        .bearer_auth(&customer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = TestApp::client()
        .get(app.url(&format!("/api/v1/meetings?organization={other}")))
        .bearer_auth(&customer)
        .send()
        .await
        .unwrap();
    assert!(r.status() == 403 || r.status() == 404, "{}", r.status());
    // An agent reads the register but does not change it.
    let agent = app
        .account_with_token("alva@example.com", Role::Agent, None)
        .await;
    let r = TestApp::client()
        .get(app.url("/api/v1/roadmap"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
