//! The console as a browser uses it: login, sessions, CSRF, forms with errors beside fields.

use serde_json::{Value, json};

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app};

#[tokio::test]
async fn login_sets_an_httponly_cookie_and_wrong_passwords_are_refused() {
    let app = app().await;
    let c = TestApp::client();
    // Without the login form's token (a page on another site posting it): refused.
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        !r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("varde_session")
    );
    let (login_cookie, csrf) = app.login_form().await;
    let r = c
        .post(app.url("/login"))
        .header("cookie", &login_cookie)
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", ""),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("varde_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let r = c
        .post(app.url("/login"))
        .header("cookie", &login_cookie)
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", "wrong password!"),
            ("next", ""),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("wrong e-mail address or password")
    );
    let r = c
        .get(app.url("/console/organizations"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        303,
        "logged-out visitors are sent to the login page"
    );
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let app = app().await;
    let c = TestApp::client();
    let (login_cookie, csrf) = app.login_form().await;
    let mut statuses = vec![];
    for _ in 0..12 {
        let r = c
            .post(app.url("/login"))
            .header("cookie", &login_cookie)
            .form(&[
                ("email", "victim@example.com"),
                ("password", "guess-guess"),
                ("next", ""),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
}

#[tokio::test]
async fn session_changes_need_the_csrf_token() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // The API with a session cookie and no CSRF header is refused.
    let r = browser
        .post(app.url("/api/v1/organizations"))
        .json(&json!({"name": "X", "country": "SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "csrf_failed"
    );
    // A console form without the token is refused, and nothing is created.
    let r = browser
        .post(app.url("/console/organizations"))
        .form(&[("name", "Forged"), ("country", "SE")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.store.count_organizations().await.unwrap(), 0);
    // With the token from the page, it works.
    let page = browser
        .get(app.url("/console/organizations/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = super::csrf_of(&page);
    let r = browser
        .post(app.url("/console/organizations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Chalmers"),
            ("country", "SE"),
            ("sector", "research_education"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = browser
        .post(app.url("/api/v1/organizations"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "Y", "country": "SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn forms_show_errors_beside_fields_and_keep_what_was_typed() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser
        .get(app.url("/console/organizations/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = super::csrf_of(&page);
    let r = browser
        .post(app.url("/console/organizations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Kept <Name>"),
            ("country", "Sverige"),
            ("org_number", "123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"country-error\""),
        "the error sits beside the country field"
    );
    assert!(
        html.contains("value=\"Kept &#60;Name&#62;\"")
            || html.contains("value=\"Kept &lt;Name&gt;\""),
        "typed text is kept, escaped"
    );
    assert!(!html.contains("<Name>"));
}

#[tokio::test]
async fn a_customer_contact_cannot_open_another_organisations_page() {
    let app = app().await;
    let t = app.admin_token.clone();
    let c = TestApp::client();
    let mk = |name: &'static str| {
        c.post(app.url("/api/v1/organizations"))
            .bearer_auth(t.clone())
            .json(&json!({"name": name, "country": "SE"}))
            .send()
    };
    let a: Value = mk("Org A").await.unwrap().json().await.unwrap();
    let b: Value = mk("Org B").await.unwrap().json().await.unwrap();
    let (a, b) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    c.post(app.url(&format!("/api/v1/organizations/{a}/contacts")))
        .bearer_auth(&t)
        .json(&json!({"name": "Alice", "email": "alice@a.example", "portal_access": true}))
        .send()
        .await
        .unwrap();
    let r = c.post(app.url("/api/v1/users")).bearer_auth(&t)
        .json(&json!({"email": "alice@a.example", "name": "Alice", "role": "customer", "organization_id": a, "password": "alice-password-1"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let browser = app.browser("alice@a.example", "alice-password-1").await;
    // A contact never sees a console page: every one sends it to the portal.
    for path in [
        format!("/console/organizations/{b}"),
        format!("/console/organizations/{a}"),
        "/console/organizations".to_string(),
        "/console/tickets".to_string(),
    ] {
        let r = browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/portal", "{path}");
        assert!(!r.text().await.unwrap().contains("Org B"));
    }
    let home = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.headers()["location"], "/portal");
    let own = browser
        .get(app.url("/portal/organization"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let own = own.text().await.unwrap();
    assert!(own.contains("Org A") && !own.contains("Org B"));
}

#[tokio::test]
async fn administrators_add_and_disable_accounts_in_the_console() {
    let app = app().await;
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = browser
        .get(app.url("/console/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = super::csrf_of(&page);
    let r = browser
        .post(app.url("/console/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Alva"),
            ("email", "alva@example.com"),
            ("role", "agent"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"password-error\""));
    let r = browser
        .post(app.url("/console/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Alva"),
            ("email", "alva@example.com"),
            ("role", "agent"),
            ("password", "a good long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Added alva@example.com"));
    let agent = app
        .browser("alva@example.com", "a good long password")
        .await;
    assert_eq!(
        agent
            .get(app.url("/console/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let users: Value = TestApp::client()
        .get(app.url("/api/v1/users"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "alva@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = browser
        .post(app.url(&format!("/console/users/{id}/disable")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        agent
            .get(app.url("/console/organizations"))
            .send()
            .await
            .unwrap()
            .status(),
        303,
        "a disabled account's session ends"
    );
}

#[tokio::test]
async fn agents_work_tickets_in_the_console() {
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
    let r = browser
        .post(app.url("/console/tickets"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("Queue", "General"),
            ("Requestor", "carol@customer.example"),
            ("Subject", "Disk <b>full</b>"),
            ("Text", "<script>alert(1)</script> vol-9"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let page = browser
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Disk &#60;b&#62;full&#60;/b&#62;")
            || page.contains("Disk &lt;b&gt;full&lt;/b&gt;"),
        "subjects are escaped"
    );
    assert!(
        !page.contains("<script>alert(1)</script>"),
        "messages are escaped"
    );
    let id = location.rsplit('/').next().unwrap().to_string();
    // A reply through the console (multipart, with an attachment) opens the ticket.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("message", "Looking at it.")
        .text("kind", "reply")
        .text("time_taken", "5")
        .text("then_status", "")
        .part(
            "attachment",
            reqwest::multipart::Part::bytes(b"<html><script>x</script></html>".to_vec())
                .file_name("page.html")
                .mime_str("text/html")
                .unwrap(),
        );
    let r = browser
        .post(app.url(&format!("/console/tickets/{id}/respond")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = browser
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"status\">open"),
        "a reply opens a new ticket"
    );
    // The live SLA state: the first response was met by the reply; resolution is running.
    assert!(
        page.contains("id=\"sla\"") && page.contains("Example policy v1 for base support"),
        "the SLA section shows its reasons"
    );
    assert!(
        page.contains("met, ") && page.contains(" left"),
        "first response met, resolution time left"
    );
    let att = page
        .split("/console/attachments/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = browser
        .get(app.url(&format!("/console/attachments/{att}")))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"),
        "HTML is downloaded, never shown"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    // A form without the CSRF token changes nothing.
    let r = browser
        .post(app.url(&format!("/console/tickets/{id}/update")))
        .form(&[("Status", "resolved")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = browser
        .post(app.url(&format!("/console/tickets/{id}/phone-call")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("caller", "Carol"),
            ("minutes", "4"),
            ("notes", "called about vol-9"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let history = app
        .store
        .history(varde_core::ticket::TicketId(id.parse().unwrap()))
        .await
        .unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|e| e.transaction.change.rt_type(&e.transaction.creator))
        .collect();
    assert_eq!(kinds, ["Create", "Correspond", "Status", "PhoneCall"]);
    assert_eq!(
        app.store
            .ticket(varde_core::ticket::TicketId(id.parse().unwrap()))
            .await
            .unwrap()
            .unwrap()
            .time_worked,
        9
    );
    // The search box takes words and saved searches come back.
    let page = browser
        .get(app.url("/console/tickets?q=vol-9"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"ticket-count\">1 ticket"), "{page}");
    let r = browser
        .post(app.url("/console/searches"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Carol's"),
            ("query", "Requestor = 'carol@customer.example'"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = browser
        .get(app.url("/console/tickets"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Carol&#39;s") || page.contains("Carol&#x27;s") || page.contains("Carol's")
    );
}

#[tokio::test]
async fn a_phone_call_opens_a_ticket() {
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
    let r = browser
        .post(app.url("/console/tickets"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("Queue", "General"),
            ("Requestor", "carol@customer.example"),
            ("Subject", "Called about vol-9"),
            ("Text", "Carol phoned: vol-9 full"),
            ("call_minutes", "8"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let history = app
        .store
        .history(varde_core::ticket::TicketId(id))
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        history[1].transaction.change,
        varde_core::ticket::history::Change::PhoneCall {
            caller: "carol@customer.example".into(),
            minutes: 8
        }
    );
    // Queues are created by administrators, with their addresses.
    let r = TestApp::client()
        .post(app.url("/api/v1/queues"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({"name": "Compute", "correspond_address": "compute@support.example", "comment_address": "compute-comment@support.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = TestApp::client()
        .post(app.url("/api/v1/queues"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({"name": "Compute"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn administrators_edit_the_autoreply_per_language() {
    for app in super::apps().await {
        let admin = app.browser(super::ADMIN_EMAIL, super::ADMIN_PASSWORD).await;
        let page = admin
            .get(app.url("/console/templates"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Autoreply, Svenska") && page.contains("as shipped"));
        let csrf = super::csrf_of(&page);
        let post = |fields: Vec<(&'static str, String)>| {
            let admin = admin.clone();
            let url = app.url("/console/templates/autoreply/sv");
            async move { admin.post(url).form(&fields).send().await.unwrap() }
        };
        let r = post(vec![
            ("csrf", csrf.clone()),
            ("subject", "Tack".into()),
            ("body", "Hej {namn}".into()),
        ])
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("needs {tag}") && html.contains("{namn} is not a placeholder"),
            "{html}"
        );
        let r = post(vec![
            ("csrf", csrf.clone()),
            ("subject", "{tag} Tack!".into()),
            ("body", "Vi har fått ärende {ticket}.".into()),
        ])
        .await;
        assert_eq!(r.status(), 303);
        let saved = app
            .store
            .mail_template("autoreply", varde_core::values::Language::Swedish)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(saved.template.body, "Vi har fått ärende {ticket}.");
        assert_eq!(saved.updated_by, super::ADMIN_EMAIL);
        app.account_with_token("alva@example.com", varde_core::access::Role::Agent, None)
            .await;
        let agent = app.browser("alva@example.com", super::ADMIN_PASSWORD).await;
        let page = agent
            .get(app.url("/console/templates"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Vi har fått ärende") && page.contains("readonly"),
            "staff read them"
        );
        let r = agent
            .post(app.url("/console/templates/autoreply/sv"))
            .form(&[
                ("csrf", super::csrf_of(&page)),
                ("subject", "{tag}".into()),
                ("body", "x".into()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = post(vec![("csrf", csrf), ("reset", "1".into())]).await;
        assert_eq!(r.status(), 303);
        assert!(
            app.store
                .mail_template("autoreply", varde_core::values::Language::Swedish)
                .await
                .unwrap()
                .is_none()
        );
    }
}
