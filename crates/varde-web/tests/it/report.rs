//! The quarterly report over HTTP on both engines: a premium customer with Compute in Oslo,
//! one ticket answered and resolved, and a three-hour Compute outage in the quarter.

use serde_json::Value;
use varde_core::access::Role;
use varde_core::catalogue::{Service, Site};
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::OrganizationForm;
use varde_core::status::{EventForm, EventKind, UpdateForm};
use varde_core::ticket::history::{Creation, correspond, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_store::status::NewComponent;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, apps};

fn t(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn the_quarterly_report_counts_tickets_sla_and_availability() {
    for app in apps().await {
        let store = &app.store;
        let org = store
            .create_organization(
                "ada",
                &OrganizationForm {
                    name: "Fjord Data AS".into(),
                    country: "NO".into(),
                    ..Default::default()
                }
                .parse()
                .unwrap(),
                t("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let other = store
            .create_organization(
                "ada",
                &OrganizationForm {
                    name: "Other AB".into(),
                    country: "SE".into(),
                    ..Default::default()
                }
                .parse()
                .unwrap(),
                t("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let line = |code: &str, site: &str| ProductLineForm {
            product_code: code.into(),
            quantity: "1".into(),
            site: site.into(),
        };
        store
            .create_contract(
                "ada",
                org.id,
                &ContractForm {
                    reference: "FJ-1".into(),
                    signed_on: "2026-01-02".into(),
                    starts_on: "2026-01-02".into(),
                    lines: vec![line("SUPPORT-premium", ""), line("COMPUTE", "no-osl1")],
                    ..Default::default()
                }
                .parse()
                .unwrap(),
                t("2026-01-02T00:00:00Z"),
            )
            .await
            .unwrap();
        let compute = store
            .create_component(
                &NewComponent {
                    name: "Compute — no-osl1".into(),
                    service: Some(Service::Compute),
                    site: Some(Site::Oslo),
                    ..Default::default()
                },
                t("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let tz = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        let e = EventForm {
            name: "Compute down in Oslo".into(),
            impact: "critical".into(),
            body: "Hosts unreachable.".into(),
            components: vec![(compute.id, "major_outage".into())],
            ..Default::default()
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        let id = store
            .create_event(&e, "ada", t("2026-08-20T10:00:00Z"))
            .await
            .unwrap();
        let fixed = UpdateForm {
            status: "resolved".into(),
            body: "Back.".into(),
            ..Default::default()
        }
        .parse(EventKind::Incident)
        .unwrap();
        store
            .add_event_update(id, &fixed, "ada", t("2026-08-20T13:00:00Z"))
            .await
            .unwrap();

        // A ticket: answered after 20 minutes, resolved after two hours.
        let ticket = store
            .create_ticket(
                "ops@fjord.example",
                Creation {
                    priority: 50,
                    organization: Some(org.id),
                    ..Creation::requested("General", "Instances unreachable", "ops@fjord.example")
                },
                &[],
                0,
                t("2026-08-20T10:05:00Z"),
            )
            .await
            .unwrap();
        store
            .change_ticket(
                ticket.id,
                "agent@example.com",
                |t| Ok(correspond(t)),
                &[],
                0,
                t("2026-08-20T10:25:00Z"),
            )
            .await
            .unwrap();
        store
            .change_ticket(
                ticket.id,
                "agent@example.com",
                |t| Ok(set_status(t, Status::Resolved)),
                &[],
                0,
                t("2026-08-20T12:05:00Z"),
            )
            .await
            .unwrap();

        let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let url = app.url(&format!(
            "/console/organizations/{}/report?quarter=2026Q3&format=json",
            org.id.0
        ));
        let r = browser.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["tickets"], 1, "{v}");
        assert_eq!(v["first_response_minutes"]["median"], 20);
        assert_eq!(v["resolution_minutes"]["median"], 120);
        let first = v["compliance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["target"] == "first response")
            .unwrap();
        assert_eq!(
            (first["met"].clone(), first["breached"].clone()),
            (1.into(), 0.into())
        );
        assert_eq!(v["availability"][0]["major_outage_minutes"], 180);
        assert!(v["availability"][0]["percent"].as_f64().unwrap() < 100.0);
        assert_eq!(v["incidents"][0]["name"], "Compute down in Oslo");
        let html = browser
            .get(app.url(&format!(
                "/console/organizations/{}/report?quarter=2026Q3",
                org.id.0
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Compute down in Oslo")
                && html.contains("<svg role=\"img\" aria-label=\"SLA compliance")
        );
        // Another quarter is empty.
        let v: Value = browser
            .get(app.url(&format!(
                "/console/organizations/{}/report?quarter=2026Q1&format=json",
                org.id.0
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["tickets"], 0);

        // The portfolio lists it, at risk: its Compute was 3 hours down (under 99.9 %).
        let page = browser
            .get(app.url("/console/portfolio?quarter=2026Q3"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Fjord Data AS</a> <strong>at risk</strong>"),
            "{page}"
        );
        assert!(page.contains("100.0 %"), "all targets met: {page}");
        assert!(!page.contains("Other AB"), "no tickets, not listed");
        // Reports are kept for a minute, but never past a change of what they are made from:
        // a second ticket of the quarter counts at once.
        store
            .create_ticket(
                "ops@fjord.example",
                Creation {
                    organization: Some(org.id),
                    ..Creation::requested("General", "Slow disks", "ops@fjord.example")
                },
                &[],
                0,
                t("2026-08-25T08:00:00Z"),
            )
            .await
            .unwrap();
        let v: Value = browser
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["tickets"], 2, "{v}");

        // Feedback noted on the organisation's page goes into this quarter's report.
        let page = browser
            .get(app.url(&format!("/console/organizations/{}", org.id.0)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = browser
            .post(app.url(&format!("/console/organizations/{}/feedback", org.id.0)))
            .form(&[
                ("csrf", super::csrf_of(&page).as_str()),
                ("feedback", "GPU flavours in Oslo, please"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let quarter = varde_core::report::Period::quarter_of(
            jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap())
                .date(),
        )
        .label;
        let v: Value = browser
            .get(app.url(&format!(
                "/console/organizations/{}/report?quarter={quarter}&format=json",
                org.id.0
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            v["feedback"],
            serde_json::json!(["GPU flavours in Oslo, please"])
        );

        // A contact of another organisation cannot read it; the organisation's own can, in
        // the portal (a contact asking for a console page is sent there).
        app.account_with_token("spy@other.example", Role::Customer, Some(other.id.0))
            .await;
        let spy = app.browser("spy@other.example", ADMIN_PASSWORD).await;
        let r = spy.get(&url).send().await.unwrap();
        assert_eq!(
            (
                r.status().as_u16(),
                r.headers().get("location").and_then(|l| l.to_str().ok())
            ),
            (303, Some("/portal"))
        );
        let theirs = spy
            .get(app.url(&format!("/portal/report?quarter={quarter}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !theirs.contains("GPU flavours"),
            "another organisation's report"
        );
        app.account_with_token("ops@fjord.example", Role::Customer, Some(org.id.0))
            .await;
        let own = app.browser("ops@fjord.example", ADMIN_PASSWORD).await;
        let r = own
            .get(app.url(&format!("/portal/report?quarter={quarter}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("GPU flavours in Oslo"));
        assert_eq!(
            own.get(app.url("/console/portfolio"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "the portfolio is for staff"
        );
        // Only staff note feedback.
        let staff_page = browser
            .get(app.url(&format!("/console/organizations/{}", org.id.0)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let portal = own
            .get(app.url("/portal/organization"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = portal
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string();
        assert!(!csrf.is_empty() && staff_page.contains("feedback"));
        let r = own
            .post(app.url(&format!("/console/organizations/{}/feedback", org.id.0)))
            .form(&[("csrf", csrf.as_str()), ("feedback", "spam")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            403,
            "a contact may not write to its organisation's notes"
        );
        let r = browser
            .get(app.url(&format!(
                "/console/organizations/{}/report?quarter=2026Q9",
                org.id.0
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
}

#[tokio::test]
async fn a_policy_change_is_a_new_version_and_old_tickets_keep_theirs() {
    use varde_core::catalogue::SupportTier;
    for app in apps().await {
        let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let page = admin
            .get(app.url("/console/sla"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("version 1 (the shipped example)"));
        let csrf = super::csrf_of(&page);
        let mut form: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("pause_statuses".into(), "stalled".into()),
            ("note".into(), "tighter".into()),
        ];
        form.push(("calendar".into(), "Oslo office hours".into()));
        for class in ["urgent", "high", "normal", "low"] {
            form.push((format!("{class}_first"), "10".into()));
            form.push((format!("{class}_next"), "60".into()));
            form.push((format!("{class}_resolution"), "600".into()));
        }
        let r = admin
            .post(app.url("/console/sla/premium"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let now = jiff::Timestamp::now();
        let p = app
            .store
            .policy_in_force(SupportTier::Premium, now)
            .await
            .unwrap();
        assert_eq!(p.version, 2);
        assert_eq!(
            p.targets[1].first_response,
            jiff::SignedDuration::from_mins(10)
        );
        let before = app
            .store
            .policy_in_force(SupportTier::Premium, t("2026-01-01T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(before.version, 1, "a ticket from before keeps the example");
        assert_eq!(
            app.store
                .policy_in_force(SupportTier::Base, now)
                .await
                .unwrap()
                .version,
            1
        );
        // A bad value is shown beside its field and saves nothing.
        form.retain(|(k, _)| k != "urgent_first");
        form.push(("urgent_first".into(), "-5".into()));
        let r = admin
            .post(app.url("/console/sla/premium"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("a whole number from 1 to 525600")
        );
        assert_eq!(
            app.store
                .policy_versions(SupportTier::Premium)
                .await
                .unwrap()
                .len(),
            1
        );
        // Agents read policies but do not change them.
        app.account_with_token("agent@example.com", Role::Agent, None)
            .await;
        let agent = app.browser("agent@example.com", ADMIN_PASSWORD).await;
        let page = agent
            .get(app.url("/console/sla"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("version 2") && !page.contains("Save as version"));
        form[0].1 = super::csrf_of(&page);
        let r = agent
            .post(app.url("/console/sla/premium"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
}
