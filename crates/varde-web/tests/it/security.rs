//! What an outside probe broke, as classes: hostile sizes refused on every parser's route,
//! customer-supplied content never rendered in Varde's origin, no GET that changes anything,
//! no cookie-borne change without CSRF proof, no large body before authentication.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app, app_with, apps, csrf_of};

async fn new_ticket(app: &TestApp, subject: &str) -> i64 {
    let t: Value = TestApp::client()
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"queue": "General", "subject": subject, "requestors": ["c@x.example"], "content": "hello"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["id"].as_i64().unwrap()
}

/// A new organisation (in Sweden) that owns mail from `domain`; gives its id.
async fn organization(app: &TestApp, name: &str, domain: &str) -> i64 {
    let org: Value = TestApp::client()
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": name, "country": "SE", "mail_domains": [domain]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    org["id"].as_i64().unwrap()
}

/// Posts a mail to the gateway as `rt-mailgate` does; gives the gateway's answer.
async fn gateway(app: &TestApp, mail: &str) -> String {
    TestApp::client()
        .post(app.url("/REST/1.0/NoAuth/mail-gateway"))
        .form(&[
            ("queue", "General"),
            ("action", "correspond"),
            ("message", mail),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The first ticket a TicketSQL query finds, as the API lists it.
async fn first_found(app: &TestApp, query: &str) -> Value {
    let found: Value = TestApp::client()
        .get(app.url("/api/v1/tickets"))
        .query(&[("query", query)])
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    found["items"][0].clone()
}

async fn history_len(app: &TestApp, id: i64) -> usize {
    app.store
        .history(varde_core::ticket::TicketId(id))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn hostile_queries_get_400_on_every_front_end_and_the_server_lives_on() {
    let app = app().await;
    let org = organization(&app, "Org C", "x.example").await;
    let customer = app
        .account_with_token("c@x.example", Role::Customer, Some(org))
        .await;
    let deep = format!("{}id > 0{}", "(".repeat(5000), ")".repeat(5000));
    let wide = vec!["id>0"; 2000].join(" AND ");
    let c = TestApp::client();
    for query in [&deep, &wide] {
        let r = c
            .get(app.url("/api/v1/tickets"))
            .query(&[("query", query)])
            .bearer_auth(&customer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("the query could not be read")
        );
        let r = c
            .get(app.url("/REST/2.0/tickets"))
            .query(&[("query", query)])
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let body = c
            .post(app.url("/REST/1.0/search/ticket"))
            .form(&[
                ("user", ADMIN_EMAIL),
                ("pass", ADMIN_PASSWORD),
                ("query", query),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.starts_with("RT/5.0.3 400 Bad request"), "{body:.200}");
    }
    let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = browser
        .get(app.url("/console/tickets"))
        .query(&[("q", &deep)])
        .send()
        .await
        .unwrap();
    // The console reads what does not parse as words to look for; either way it answers.
    assert_eq!(r.status(), 200);
    // A JSON body nested too deep is a 400, not a crash.
    let deep_json = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = c
        .post(app.url("/REST/2.0/tickets"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(deep_json)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        c.get(app.url("/healthz")).send().await.unwrap().status(),
        200
    );
}

const EVIL_MAIL: &str = "From: mallory@evil.example\r\nTo: support@x.example\r\nSubject: see attached\r\nMessage-ID: <evil-1@evil.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplease look\r\n--b\r\nContent-Type: text/plain,text/html\r\nContent-Disposition: attachment; filename=\"x\\\".html\"\r\n\r\n<script>alert(document.cookie)</script>\r\n--b\r\nContent-Type: IMAGE/PNG; name=a.png\r\nContent-Disposition: attachment; filename=a.png\r\n\r\nPNG\r\n--b--\r\n";

#[tokio::test]
async fn customer_content_never_renders_in_our_origin() {
    for app in apps().await {
        assert_eq!(gateway(&app, EVIL_MAIL).await, "ok\n");
        let found = first_found(&app, "Subject = 'see attached'").await;
        let ticket = varde_core::ticket::TicketId(found["id"].as_i64().unwrap());
        let history = app.store.history(ticket).await.unwrap();
        let types: Vec<(String, String, i64)> = history
            .iter()
            .flat_map(|e| e.attachments.iter())
            .map(|a| (a.filename.clone(), a.content_type.clone(), a.id))
            .collect();
        let of = |name: &str| types.iter().find(|t| t.0 == name).unwrap().clone();
        assert_eq!(of("x\".html").1, "application/octet-stream", "{types:?}");
        assert_eq!(of("a.png").1, "image/png");
        let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let r = browser
            .get(app.url(&format!("/console/attachments/{}", of("x\".html").2)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "application/octet-stream");
        let disposition = r.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"x_.html\""),
            "{disposition}"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let r = browser
            .get(app.url(&format!("/console/attachments/{}", of("a.png").2)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/png");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("inline;")
        );
        // Every page carries the policy, including the ones nobody is logged in for.
        for path in [
            "/login",
            "/status",
            "/api/docs",
            &format!("/console/tickets/{}", ticket.0),
        ] {
            let r = browser.get(app.url(path)).send().await.unwrap();
            let h = r.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
            assert!(
                !csp.split(';')
                    .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe")),
                "{path}: {csp}"
            );
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            let page = r.text().await.unwrap();
            assert!(!page.contains("<script>"), "{path} has an inline script");
        }
    }
}

#[tokio::test]
async fn no_get_changes_a_ticket_and_the_console_cookie_needs_its_csrf_token() {
    for app in apps().await {
        let id = new_ticket(&app, "csrf target").await;
        let other = new_ticket(&app, "merge target").await;
        let before = history_len(&app, id).await;
        let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        // What a page on another origin can make a browser send: GETs with the cookie.
        for path in [
            format!("/REST/1.0/ticket/{id}/comment?content=Action:%20correspond%0AText:%20pwned"),
            format!("/REST/1.0/ticket/{id}/edit?content=Status:%20resolved"),
            format!("/REST/1.0/edit?content=id:%20ticket/{id}%0AStatus:%20resolved"),
            format!("/REST/1.0/ticket/{id}/merge/{other}"),
            "/REST/1.0/ticket/new?content=id:%20ticket/new%0AQueue:%20General%0ASubject:%20x"
                .into(),
            format!("/REST/1.0/ticket/link?id={id}&rel=DependsOn&to={other}"),
        ] {
            let r = browser.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 405, "{path}");
            assert!(
                r.text()
                    .await
                    .unwrap()
                    .starts_with("RT/5.0.3 405 Method Not Allowed")
            );
        }
        assert_eq!(history_len(&app, id).await, before);
        // A POST with the console's cookie but no token: refused, in RT's format.
        let r = browser
            .post(app.url(&format!("/REST/1.0/ticket/{id}/comment")))
            .form(&[("content", "Action: comment\nText: forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("cross-site request forgery")
        );
        let r = browser
            .post(app.url(&format!("/REST/2.0/ticket/{id}/comment")))
            .header("content-type", "application/json")
            .body(r#"{"Content": "forged"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(history_len(&app, id).await, before);
        // With the console's token, the same change goes through.
        let page = browser
            .get(app.url(&format!("/console/tickets/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = browser
            .post(app.url(&format!("/REST/1.0/ticket/{id}/comment")))
            .header("x-csrf-token", csrf_of(&page))
            .form(&[("content", "Action: comment\nText: with proof")])
            .send()
            .await
            .unwrap();
        assert!(r.text().await.unwrap().starts_with("RT/5.0.3 200 Ok"));
        assert_eq!(history_len(&app, id).await, before + 1);
        // RT's CLI: logs in with user/pass once, then merges with a GET and its cookie.
        let cli = TestApp::cookie_client();
        let r = cli
            .post(app.url("/REST/1.0/"))
            .form(&[("user", ADMIN_EMAIL), ("pass", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        let body = cli
            .get(app.url(&format!("/REST/1.0/ticket/{other}/merge/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.starts_with("RT/5.0.3 200 Ok"), "{body}");
        // Logging out ends the session.
        cli.get(app.url("/REST/1.0/logout")).send().await.unwrap();
        let secret = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
        assert!(
            app.store
                .session(secret, jiff::Timestamp::now())
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_user_pass_request_reuses_its_session_and_a_password_change_ends_them() {
    let app = app().await;
    let cli = TestApp::cookie_client();
    let login = [("user", ADMIN_EMAIL), ("pass", ADMIN_PASSWORD)];
    let first = cli
        .post(app.url("/REST/1.0/"))
        .form(&login)
        .send()
        .await
        .unwrap();
    assert!(first.headers().contains_key("set-cookie"));
    let again = cli
        .post(app.url("/REST/1.0/show"))
        .form(&[login[0], login[1], ("id", "ticket/1")])
        .send()
        .await
        .unwrap();
    assert!(!again.headers().contains_key("set-cookie"));
    // Basic auth is cached for a while; a new password ends that at once, and the sessions.
    let basic = || {
        TestApp::client()
            .get(app.url("/REST/2.0/queues/all"))
            .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
    };
    assert_eq!(basic().send().await.unwrap().status(), 200);
    let account = app
        .store
        .account_for_login(&varde_core::values::EmailAddress::parse(ADMIN_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;
    let hash = varde_web::auth::hash_password("a new long password".into())
        .await
        .unwrap();
    app.store
        .set_password_hash(account.id, &hash)
        .await
        .unwrap();
    assert_eq!(basic().send().await.unwrap().status(), 401);
    let body = cli
        .post(app.url("/REST/1.0/show"))
        .form(&[("id", "ticket/1")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.starts_with("RT/5.0.3 401"), "{body}");
}

#[tokio::test]
async fn large_bodies_only_after_authentication() {
    let app = app().await;
    let big = vec![b'a'; 2 << 20];
    let c = TestApp::client();
    for path in [
        "/login",
        "/api/v1/organizations",
        "/REST/2.0/ticket",
        "/status/subscribe",
    ] {
        let r = c
            .post(app.url(path))
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{path}");
        assert!(r.text().await.unwrap().contains("larger than 1024 KiB"));
    }
    // A chunked body (no length announced) is cut at the same limit.
    let addr = app.base.trim_start_matches("http://").to_string();
    let status = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let head =
            "POST /REST/2.0/ticket HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        s.write_all(head.as_bytes()).unwrap();
        let chunk = format!("10000\r\n{}\r\n", "a".repeat(0x10000));
        for _ in 0..40 {
            if s.write_all(chunk.as_bytes()).is_err() {
                break;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n");
        let mut answer = [0u8; 12];
        s.read_exact(&mut answer).unwrap();
        String::from_utf8_lossy(&answer[9..12]).into_owned()
    })
    .await
    .unwrap();
    assert_eq!(status, "413");
    // The same size with a token is read (and then judged on its content).
    let r = c
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // The gateway reads what an MTA sends, up to its own limit, and answers as RT does.
    let mail = format!(
        "From: a@x.example\r\nSubject: big\r\nMessage-ID: <big@x.example>\r\n\r\n{}\r\n",
        "b".repeat(2 << 20)
    );
    assert_eq!(gateway(&app, &mail).await, "ok\n");
    // Over the gateway's limit: RT's temporary failure, so the MTA keeps the mail.
    let mut body = b"queue=General&message=".to_vec();
    body.resize(body.len() + varde_web::limits::MAIL_BYTES + 1, b'b');
    let answer = c
        .post(app.url("/REST/1.0/NoAuth/mail-gateway"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        answer.starts_with("temporary failure - the request is larger"),
        "{answer}"
    );
}

#[tokio::test]
async fn the_gateway_and_login_limits_see_the_client_behind_a_proxy() {
    let mail = "From: a@x.example\r\nSubject: hi\r\nMessage-ID: <p1@x.example>\r\n\r\nhi\r\n";
    let send = |app: &TestApp, forwarded: Option<&str>| {
        let mut r = TestApp::client()
            .post(app.url("/REST/1.0/NoAuth/mail-gateway"))
            .form(&[("queue", "General"), ("message", mail)]);
        if let Some(f) = forwarded {
            r = r.header("x-forwarded-for", f);
        }
        r.send()
    };
    // No proxy configured: a request that came through one is not the local MTA.
    let plain = app().await;
    let answer = send(&plain, Some("203.0.113.9"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(answer.starts_with("not ok - the mail gateway accepts mail from this host only"));
    // Behind a trusted proxy on this host: the forwarded address decides.
    let proxied = app_with(|s| {
        s.network = std::sync::Arc::new(varde_web::auth::Network {
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            mail_gateway_allow: vec!["10.0.4.0/24".parse().unwrap()],
        });
    })
    .await;
    let answer = send(&proxied, Some("203.0.113.9"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(answer.starts_with("not ok"), "{answer}");
    let answer = send(&proxied, Some("203.0.113.9, 10.0.4.7"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(answer, "ok\n");
    // A client cannot claim an allowed address by writing it first: the proxy appends.
    let answer = send(&proxied, Some("10.0.4.7, 203.0.113.9"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(answer.starts_with("not ok"), "{answer}");
    // Password spraying from one address through REST 1.0 and Basic: limited per address.
    for i in 0..70 {
        let user = format!("victim{i}@x.example");
        let body = TestApp::client()
            .post(proxied.url("/REST/1.0/"))
            .header("x-forwarded-for", "198.51.100.20")
            .form(&[("user", user.as_str()), ("pass", "Spring2026!")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.starts_with("RT/5.0.3 401"));
    }
    // Now even the right password from that address is refused, for a while.
    let r = TestApp::client()
        .get(proxied.url("/REST/2.0/queues/all"))
        .header("x-forwarded-for", "198.51.100.20")
        .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Another client is not affected.
    let r = TestApp::client()
        .get(proxied.url("/REST/2.0/queues/all"))
        .header("x-forwarded-for", "198.51.100.21")
        .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn webhooks_to_special_addresses_are_refused_in_every_spelling() {
    let app = app().await;
    for target in [
        "http://[::127.0.0.1]/hook",
        "http://[::a00:1]/hook",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[2002:a9fe:a9fe::1]/hook",
        "http://[fec0::1]/hook",
        "http://192.0.0.170/hook",
        "http://[::ffff:169.254.169.254]/hook",
        "http://0x7f000001/hook",
        "http://2130706433/hook",
    ] {
        let r = TestApp::client()
            .post(app.url("/status/subscribe"))
            .form(&[
                ("channel", "webhook"),
                ("target", target),
                ("owner_email", "dev@example.com"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{target}");
    }
}

/// Two organisations, each with a ticket from one of its contacts.
async fn tickets_of_two_organisations(app: &TestApp) -> (i64, i64) {
    let c = TestApp::client();
    let mut ids = vec![];
    for (name, domain) in [("Org A", "a.example"), ("Org B", "b.example")] {
        organization(app, name, domain).await;
        let t: Value = c
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"queue": "General", "subject": format!("{name}'s outage"), "requestors": [format!("ops@{domain}")], "content": "secret"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(t["organization_id"].is_i64(), "{t}");
        ids.push(t["id"].as_i64().unwrap());
    }
    (ids[0], ids[1])
}

#[tokio::test]
async fn no_front_end_merges_one_customers_ticket_into_anothers() {
    for app in apps().await {
        let (a, b) = tickets_of_two_organisations(&app).await;
        let c = TestApp::client();
        let r = c
            .post(app.url(&format!("/api/v1/tickets/{a}/merge")))
            .bearer_auth(&app.admin_token)
            .json(&json!({"into": b}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
        assert!(r.text().await.unwrap().contains("different organisations"));
        let body = c
            .post(app.url(&format!("/REST/1.0/ticket/{a}/merge/{b}")))
            .form(&[("user", ADMIN_EMAIL), ("pass", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("different organisations"), "{body}");
        let r = c
            .put(app.url(&format!("/REST/2.0/ticket/{a}")))
            .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
            .json(&json!({"MergeInto": b.to_string()}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let page = browser
            .get(app.url(&format!("/console/tickets/{a}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = browser
            .post(app.url(&format!("/console/tickets/{a}/merge")))
            .form(&[("csrf", csrf_of(&page)), ("into", b.to_string())])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(r.contains("different organisations"), "{r:.300}");
        for id in [a, b] {
            let t = app
                .store
                .ticket(varde_core::ticket::TicketId(id))
                .await
                .unwrap()
                .unwrap();
            assert!(!t.is_merged());
        }
    }
}

#[tokio::test]
async fn a_subject_cannot_forge_rt_fields() {
    let app = app().await;
    let body = TestApp::client()
        .post(app.url("/REST/1.0/ticket/new"))
        .form(&[
            ("user", ADMIN_EMAIL),
            ("pass", ADMIN_PASSWORD),
            (
                "content",
                "id: ticket/new\nQueue: General\nRequestor: a@x.example\nSubject: help",
            ),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = super::rest1_ticket_number(&body);
    for subject in ["one\r\nStatus: resolved", "two\u{0}\nOwner: mallory"] {
        let r = TestApp::client()
            .put(app.url(&format!("/REST/2.0/ticket/{id}")))
            .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
            .json(&json!({ "Subject": subject }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let shown = TestApp::client()
            .get(app.url(&format!("/REST/1.0/ticket/{id}/show")))
            .query(&[("user", ADMIN_EMAIL), ("pass", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(shown.contains("\nStatus: new\n"), "{shown}");
        assert!(!shown.contains("\nStatus: resolved") && !shown.contains("\nOwner: mallory"));
    }
    let mail = "From: a@x.example\r\nSubject: =?utf-8?q?hi=0D=0AStatus=3A_resolved?=\r\nMessage-ID: <s1@x.example>\r\n\r\nhi\r\n";
    assert_eq!(gateway(&app, mail).await, "ok\n");
    let found = first_found(&app, "Subject LIKE 'Status: resolved'").await;
    assert_eq!(found["subject"], "hi  Status: resolved");
}

#[tokio::test]
async fn what_was_noted_reading_a_mail_is_shown_on_its_ticket() {
    let app = app().await;
    let mail = "Subject: no sender here\r\nMessage-ID: <nofrom@x.example>\r\n\r\nwho am I\r\n";
    assert_eq!(gateway(&app, mail).await, "ok\n");
    let id = first_found(&app, "Subject = 'no sender here'").await["id"]
        .as_i64()
        .unwrap();
    let page = app
        .browser(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .get(app.url(&format!("/console/tickets/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Noted when the mail was read"), "{page:.500}");
    assert!(page.contains("no usable From address"));
}

/// A customer asking for its own ticket's internal comment through every front-end gets the
/// same answer: never the comment.
#[tokio::test]
async fn no_front_end_shows_a_customer_an_internal_comment() {
    let app = app().await;
    let c = TestApp::client();
    let org = organization(&app, "Org C", "c.example").await;
    let customer = app
        .account_with_token("ops@c.example", Role::Customer, Some(org))
        .await;
    let t: Value = c
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"queue": "General", "subject": "theirs", "requestors": ["ops@c.example"], "content": "hello"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = t["id"].as_i64().unwrap();
    let r = c
        .post(app.url(&format!("/api/v1/tickets/{id}/comments")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"content": "internal: the hypervisor is ours to blame"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let secret = "hypervisor is ours";
    let get = |path: String| {
        let c = c.clone();
        let token = customer.clone();
        let url = app.url(&path);
        async move {
            let r = c.get(url).bearer_auth(token).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, body) = get(format!("/api/v1/tickets/{id}/history")).await;
    assert_eq!(status, 200);
    assert!(!body.contains(secret) && body.contains("hello"), "{body}");
    for path in [
        format!("/REST/2.0/ticket/{id}/history"),
        format!("/REST/1.0/ticket/{id}/history?format=l"),
        format!("/console/tickets/{id}"),
    ] {
        let (status, body) = get(path.clone()).await;
        assert!(!body.contains(secret), "{path}: {status}");
        assert!(
            status >= 400 || status == 303 || body.starts_with("RT/5.0.3 403"),
            "{path}: {status} {body:.100}"
        );
    }
    // The portal shows the customer its ticket, and never the comment.
    let (status, body) = get(format!("/portal/tickets/{id}")).await;
    assert_eq!(status, 200, "{body:.300}");
    assert!(!body.contains(secret) && body.contains("hello"), "{body}");
}
