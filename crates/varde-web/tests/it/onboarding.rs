//! Onboarding over HTTP: a signed contract starts a run, people act on its steps by role,
//! offboarding needs a confirmation, templates are edited with line-numbered errors, and the
//! customer's one-time link shows the secrets once. (The OpenStack steps themselves are
//! tested against a real Keystone in `varde-notify/tests/onboarding.rs`.)

use serde_json::{Value, json};
use varde_core::access::Role;
use varde_core::ids::{ContactId, OrganizationId};
use varde_core::onboarding::{StepAction, StepState};
use varde_notify::vault::Vault;
use varde_store::onboarding::{Outcome, SealedSecret};

use super::{ADMIN_PASSWORD, TestApp, apps, csrf_of};

async fn post_json(app: &TestApp, path: &str, body: Value) -> Value {
    let r = TestApp::client()
        .post(app.url(path))
        .bearer_auth(&app.admin_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

async fn form(
    c: &reqwest::Client,
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let html = c
        .get(app.url(page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let r = c.post(app.url(action)).form(&all).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_signed_contract_starts_a_run_that_people_move_by_role() {
    for app in apps().await {
        let org = post_json(
            &app,
            "/api/v1/organizations",
            json!({"name": "Polar Data", "country": "NO"}),
        )
        .await;
        let org_id = org["id"].as_i64().unwrap();
        post_json(
            &app,
            &format!("/api/v1/organizations/{org_id}/contacts"),
            json!({"name": "Lars", "email": "lars@polar.example", "roles": ["technical"]}),
        )
        .await;
        let draft = post_json(&app, &format!("/api/v1/organizations/{org_id}/contracts"),
            json!({"reference": "POLAR-DRAFT", "starts_on": "2026-01-01", "lines": [{"product_code": "SUPPORT-premium"}]})).await;
        assert!(
            app.store
                .runs_of(OrganizationId(org_id))
                .await
                .unwrap()
                .is_empty(),
            "a draft starts nothing"
        );
        let signed = post_json(&app, &format!("/api/v1/organizations/{org_id}/contracts"),
            json!({"reference": "POLAR-1", "signed_on": "2026-11-02", "starts_on": "2026-11-02",
                   "lines": [{"product_code": "SUPPORT-standard"}, {"product_code": "STORAGE-S3", "site": "no-osl1"}]})).await;
        let runs = app.store.runs_of(OrganizationId(org_id)).await.unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run.contract.map(|c| c.0), signed["id"].as_i64());
        let actions: Vec<StepAction> = run.steps.iter().map(|s| s.action).collect();
        assert!(
            actions.contains(&StepAction::ChatInvite)
                && actions.contains(&StepAction::Ec2Credentials)
        );
        assert!(
            !actions.contains(&StepAction::MeetingInvite) && !actions.contains(&StepAction::Quotas)
        );
        let lifecycle = TestApp::client()
            .get(app.url(&format!("/api/v1/organizations/{org_id}")))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["lifecycle"]
            .clone();
        assert_eq!(lifecycle, "onboarding");
        // Signing the draft now joins the run in progress rather than starting another.
        let r = TestApp::client()
            .put(app.url(&format!("/api/v1/contracts/{}", draft["id"])))
            .bearer_auth(&app.admin_token)
            .json(&json!({"reference": "POLAR-DRAFT", "signed_on": "2026-11-03", "starts_on": "2026-01-01", "lines": [{"product_code": "SUPPORT-premium"}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            app.store
                .runs_of(OrganizationId(org_id))
                .await
                .unwrap()
                .len(),
            1
        );

        // The worker failed the first step (no OpenStack here): the board says so.
        let first = run.steps[0].id;
        app.store
            .claim_step(first, jiff::Timestamp::now(), jiff::Timestamp::now())
            .await
            .unwrap();
        app.store
            .finish_step(
                first,
                &Outcome::Failed {
                    error: "Keystone said no".into(),
                },
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();

        app.account_with_token("alva@example.com", Role::Agent, None)
            .await;
        app.account_with_token("rut@example.com", Role::ReadOnly, None)
            .await;
        app.account_with_token("mats@example.com", Role::ServiceManager, None)
            .await;
        app.account_with_token("kari@polar.example", Role::Customer, Some(org_id))
            .await;
        let agent = app.browser("alva@example.com", ADMIN_PASSWORD).await;
        let board = agent
            .get(app.url("/console/onboarding"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            board.contains("Polar Data") && board.contains("Keystone said no"),
            "{board}"
        );
        let run_page = format!("/console/onboarding/runs/{}", run.id);
        let step_url = |id: i64, act: &str| format!("{run_page}/steps/{id}/{act}");

        let (status, _) = form(&agent, &app, &run_page, &step_url(first, "retry"), &[]).await;
        assert_eq!(status, 303);
        let after = app.store.run(run.id).await.unwrap().unwrap();
        assert_eq!(
            after.steps[0].state,
            StepState::Pending,
            "a retry puts it back in line"
        );
        assert_eq!(
            after.steps[0].attempts, 0,
            "with its automatic retries afresh"
        );

        let manual = run
            .steps
            .iter()
            .find(|s| s.action == StepAction::Manual)
            .unwrap()
            .id;
        let (status, page) = form(
            &agent,
            &app,
            &run_page,
            &step_url(manual, "skip"),
            &[("reason", "")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Say why"));
        let (status, _) = form(&agent, &app, &run_page, &step_url(manual, "complete"), &[]).await;
        assert_eq!(status, 303);
        let (status, _) = form(&agent, &app, &run_page, &step_url(manual, "complete"), &[]).await;
        assert_eq!(status, 422, "done is done");
        let page = agent
            .get(app.url(&run_page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("done by alva@example.com") || page.contains("by alva@example.com"),
            "the timeline names who"
        );

        let reader = app.browser("rut@example.com", ADMIN_PASSWORD).await;
        let (status, _) = form(
            &reader,
            &app,
            &run_page,
            &step_url(first, "skip"),
            &[("reason", "no")],
        )
        .await;
        assert_eq!(status, 403, "read-only staff read, never act");
        let customer = app.browser("kari@polar.example", ADMIN_PASSWORD).await;
        let r = customer.get(app.url(&run_page)).send().await.unwrap();
        assert_eq!(
            r.status(),
            303,
            "customers do not see runs: the portal is theirs"
        );
        assert_eq!(r.headers()["location"], "/portal");

        // Offboarding: agents may not start it; a service manager does, and the removal
        // waits for the organisation's name typed out.
        let org_page = format!("/console/organizations/{org_id}");
        let contract_id = signed["id"].as_i64().unwrap();
        let (status, _) = form(
            &agent,
            &app,
            &org_page,
            &format!("/console/contracts/{contract_id}/offboard"),
            &[],
        )
        .await;
        assert_eq!(status, 403);
        let manager = app.browser("mats@example.com", ADMIN_PASSWORD).await;
        // Offboarding asks first: the page says what will happen; an open-ended contract
        // needs the day access ends, and nothing is planned without it.
        let offboard = format!("/console/contracts/{contract_id}/offboard");
        let page = manager.get(app.url(&offboard)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(
            page.contains("is open-ended") && page.contains("disables the customer"),
            "{page}"
        );
        let (status, page) = form(&manager, &app, &offboard, &offboard, &[]).await;
        assert_eq!(status, 422);
        assert!(page.contains("give the day the customer"), "{page}");
        assert_eq!(
            app.store
                .runs_of(OrganizationId(org_id))
                .await
                .unwrap()
                .len(),
            1
        );
        let (status, _) = form(
            &manager,
            &app,
            &offboard,
            &offboard,
            &[("access_ends", "2020-01-01")],
        )
        .await;
        assert_eq!(status, 422, "not in the past");
        let day = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 60))
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_string();
        let (status, _) = form(
            &manager,
            &app,
            &offboard,
            &offboard,
            &[("access_ends", day.as_str())],
        )
        .await;
        assert_eq!(status, 303);
        let off = app
            .store
            .runs_of(OrganizationId(org_id))
            .await
            .unwrap()
            .pop()
            .unwrap();
        let remove = off
            .steps
            .iter()
            .find(|s| s.action == StepAction::RemoveAccess)
            .unwrap()
            .id;
        let off_page = format!("/console/onboarding/runs/{}", off.id);
        let confirm = format!("{off_page}/steps/{remove}/confirm");
        let (status, _) = form(
            &agent,
            &app,
            &off_page,
            &confirm,
            &[("confirmation", "Polar Data")],
        )
        .await;
        assert_eq!(status, 403, "agents cannot confirm a removal");
        let (status, page) = form(
            &manager,
            &app,
            &off_page,
            &confirm,
            &[("confirmation", "polar")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Type the organisation"));
        let (status, _) = form(
            &manager,
            &app,
            &off_page,
            &confirm,
            &[("confirmation", "Polar Data")],
        )
        .await;
        assert_eq!(status, 303);
        let off = app.store.run(off.id).await.unwrap().unwrap();
        assert_eq!(
            off.step(remove).unwrap().confirmed_by.as_deref(),
            Some("mats@example.com")
        );
    }
}

#[tokio::test]
async fn administrators_edit_templates_and_new_runs_follow_them() {
    for app in apps().await {
        let admin = app.browser(super::ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let page = "/console/onboarding/templates";
        let (status, html) = form(
            &admin,
            &app,
            page,
            "/console/onboarding/templates/0",
            &[
                ("name", "Research"),
                ("tiers", "base"),
                ("services", ""),
                ("steps", "manual +2d : no owner"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("line 1: a checklist item needs owner"),
            "{html}"
        );
        let (status, _) = form(
            &admin,
            &app,
            page,
            "/console/onboarding/templates/0",
            &[
                ("name", "Research"),
                ("tiers", "base"),
                ("services", ""),
                (
                    "steps",
                    "manual +2d owner=research-desk : Introduce the research desk",
                ),
            ],
        )
        .await;
        assert_eq!(status, 303);
        app.account_with_token("alva@example.com", Role::Agent, None)
            .await;
        let agent = app.browser("alva@example.com", ADMIN_PASSWORD).await;
        let (status, _) = form(
            &agent,
            &app,
            page,
            "/console/onboarding/templates/0",
            &[
                ("name", "Sneaky"),
                ("tiers", ""),
                ("services", ""),
                ("steps", "manual +1d owner=x : y"),
            ],
        )
        .await;
        assert_eq!(status, 403, "only administrators edit templates");

        let org = post_json(
            &app,
            "/api/v1/organizations",
            json!({"name": "Base Co", "country": "SE"}),
        )
        .await;
        let org_id = org["id"].as_i64().unwrap();
        post_json(&app, &format!("/api/v1/organizations/{org_id}/contracts"),
            json!({"reference": "BASE-1", "signed_on": "2026-11-02", "starts_on": "2026-11-02", "lines": [{"product_code": "SUPPORT-iaas.base"}]})).await;
        let run = app
            .store
            .runs_of(OrganizationId(org_id))
            .await
            .unwrap()
            .pop()
            .unwrap();
        let desk = run
            .steps
            .iter()
            .find(|s| s.owner == "research-desk")
            .expect("the new template's step");
        assert_eq!(desk.due_on.to_string(), "2026-11-04");
    }
}

#[tokio::test]
async fn a_one_time_link_shows_the_secrets_once_and_only_after_a_press() {
    for app in apps().await {
        let org = post_json(
            &app,
            "/api/v1/organizations",
            json!({"name": "Link Co", "country": "SE"}),
        )
        .await;
        let org_id = org["id"].as_i64().unwrap();
        let contact = post_json(
            &app,
            &format!("/api/v1/organizations/{org_id}/contacts"),
            json!({"name": "Tech", "email": "tech@link.example", "roles": ["technical"], "language": "sv"}),
        )
        .await;
        let contact = ContactId(contact["id"].as_i64().unwrap());
        let run = app
            .store
            .start_run(
                OrganizationId(org_id),
                None,
                varde_core::onboarding::RunKind::Onboarding,
                &[],
                "t",
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        // The server seals with the installation's key unless given another.
        let vault = Vault::new(&app.store.link_key("unused").await.unwrap());
        let now = jiff::Timestamp::now();
        app.store
            .keep_secret(
                run,
                &SealedSecret {
                    contact,
                    label: "ec2".into(),
                    public_part: "AKIDEXAMPLE".into(),
                    sealed: vault.seal("wJalrXUtnFEMI"),
                },
                now,
            )
            .await
            .unwrap();
        let (token, digest) = vault.link_token();
        app.store
            .add_secret_link(
                &digest,
                run,
                contact,
                now + jiff::SignedDuration::from_hours(24),
                now,
            )
            .await
            .unwrap();

        let c = TestApp::client();
        let url = app.url(&format!("/welcome/{token}"));
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        let page = r.text().await.unwrap();
        assert!(
            page.contains("Visa mina inloggningsuppgifter") && !page.contains("wJalrXUtnFEMI"),
            "a GET reveals nothing"
        );
        assert!(page.contains("lang=\"sv\""), "in the contact's language");
        let r = c.post(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("wJalrXUtnFEMI")
                && page.contains("AKIDEXAMPLE")
                && page.contains("Spara dem nu")
        );
        assert_eq!(c.post(&url).send().await.unwrap().status(), 410);
        assert_eq!(c.get(&url).send().await.unwrap().status(), 410);
        assert_eq!(
            c.get(app.url("/welcome/not-a-token"))
                .send()
                .await
                .unwrap()
                .status(),
            410
        );
        assert!(
            app.store
                .secrets_of(run, contact)
                .await
                .unwrap()
                .iter()
                .all(|s| s.sealed.is_empty()),
            "wiped"
        );
    }
}
