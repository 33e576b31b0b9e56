//! The access sweep: every route the router serves, read from the router's own source (each
//! `.route("…", get(…).post(…))`, so a new route joins the sweep by being written), called by
//! every kind of caller. What must hold for every route:
//! - nothing answers 5xx;
//! - anonymous callers, revoked tokens and a contact without portal access (a removed
//!   colleague) are refused everything but the public routes;
//! - a read-scope token and read-only staff change nothing (no 2xx on other methods than GET);
//! - a customer of organisation A gets no 2xx on a route that names organisation B's things;
//! - agents do not reach account administration;
//! - no GET, by anybody, writes to the database.

use std::path::Path;

use serde_json::{Value, json};
use varde_core::access::{Role, TokenScope};

use super::{TestApp, app};

/// Paths anybody may use: the status page and its API, health, the login page, assets, the
/// API's description, the one-time welcome links, asking for a password reset and the
/// one-time links (whose secret is the credential) and the mail gateway (which checks the
/// sender's network itself).
const PUBLIC: &[&str] = &[
    "/status",
    "/api/v2/",
    "/healthz",
    "/readyz",
    "/login",
    "/assets/",
    "/api/openapi.json",
    "/api/docs",
    "/welcome/",
    "/password/forgot",
    "/link/",
    "/REST/1.0/NoAuth/mail-gateway",
];

/// Routes about the caller's own account, which every role may change for itself.
const OWN_ACCOUNT: &[&str] = &[
    "/api/v1/tokens",
    "/console/tokens",
    "/console/account",
    "/logout",
];

/// RT's searches and shows, which its clients send as POSTs: they read (the sweep fills
/// REST 1.0's command with `ticket/<id>/show`).
const READS_BY_POST: &[&str] = &[
    "/REST/1.0",
    "/REST/2.0/tickets",
    "/REST/2.0/ticket/{id}/attachments",
    "/REST/2.0/queues",
    "/REST/2.0/users",
    "/REST/2.0/customfields",
    "/REST/2.0/searches",
    "/REST/2.0/transactions",
];

/// Routes only administrators reach.
const ADMINISTRATION: &[&str] = &["/api/v1/users", "/console/users", "/REST/2.0/users"];

#[derive(Clone, Debug)]
struct Route {
    method: &'static str,
    path: String,
}

/// The routes, read from the source of the router: `(path, methods)` of every `.route(`,
/// with the API's under `/api/v1` (where `app::router` nests them).
fn routes() -> Vec<Route> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut out = vec![];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let prefix = if f.starts_with(src.join("api")) {
            "/api/v1"
        } else {
            ""
        };
        for chunk in text.split(".route(").skip(1) {
            let Some(path) = chunk.split('"').nth(1) else {
                continue;
            };
            if !path.starts_with('/') {
                continue;
            }
            // The handler expression runs to the end of this `.route(` call.
            let mut depth = 1;
            let end = chunk
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(chunk.len(), |(i, _)| i);
            let handlers = &chunk[..end];
            for (word, method) in [
                ("get(", "GET"),
                ("post(", "POST"),
                ("put(", "PUT"),
                ("patch(", "PATCH"),
                ("delete(", "DELETE"),
                ("any(", "POST"),
            ] {
                let called = handlers.match_indices(word).any(|(i, _)| {
                    i == 0
                        || !handlers.as_bytes()[i - 1].is_ascii_alphanumeric()
                            && handlers.as_bytes()[i - 1] != b'_'
                });
                if called {
                    out.push(Route {
                        method,
                        path: format!("{prefix}{path}"),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
    out.dedup_by(|a, b| a.path == b.path && a.method == b.method);
    out
}

/// Organisation B's things, whose ids fill the routes' parameters.
struct Theirs {
    org: i64,
    contact: i64,
    contract: i64,
    ticket: i64,
}

impl Theirs {
    /// The path with each `{…}` replaced by an id of B's of the kind the segment before names.
    fn fill(&self, path: &str) -> String {
        let mut out = vec![];
        let segments: Vec<&str> = path.split('/').collect();
        for (i, s) in segments.iter().enumerate() {
            if s.starts_with("{*") {
                out.push(format!("ticket/{}/show", self.ticket));
            } else if s.starts_with('{') {
                let before = if i > 0 { segments[i - 1] } else { "" };
                out.push(match before {
                    "organizations" => self.org.to_string(),
                    "contacts" => self.contact.to_string(),
                    "contracts" => self.contract.to_string(),
                    "tickets" | "ticket" => self.ticket.to_string(),
                    "queue" | "queues" => "General".into(),
                    _ => "1".into(),
                });
            } else {
                out.push(s.to_string());
            }
        }
        out.join("/")
    }

    fn names_them(&self, path: &str) -> bool {
        path.contains('{')
    }
}

fn is(path: &str, list: &[&str]) -> bool {
    list.iter()
        .any(|p| path == p.trim_end_matches('/') || path.starts_with(p))
}

/// Calls a route as a token holder (or nobody); gives the status, reading REST 1.0's
/// in-body status line as the status it means.
async fn call(app: &TestApp, token: Option<&str>, route: &Route, path: &str) -> u16 {
    let c = TestApp::client();
    let mut r = c.request(route.method.parse().unwrap(), app.url(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if route.method != "GET" {
        r = if path.starts_with("/api/") || path.starts_with("/REST/2.0") {
            r.json(&json!({}))
        } else {
            r.form(&[("x", "")])
        };
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    if path.starts_with("/REST/1.0")
        && status == 200
        && let Some(code) = body.strip_prefix("RT/5.0.3 ")
    {
        return code[..3].parse().unwrap_or(200);
    }
    status
}

#[tokio::test]
async fn every_route_refuses_whom_it_must() {
    let app = app().await;
    let all = routes();
    assert!(all.len() > 100, "the sweep found only {} routes", all.len());
    let c = TestApp::client();
    let mut ids = vec![];
    for (name, domain) in [("Org A", "a.example"), ("Org B", "b.example")] {
        let org: Value = c
            .post(app.url("/api/v1/organizations"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"name": name, "country": "SE", "mail_domains": [domain]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(org["id"].as_i64().unwrap());
    }
    let b = ids[1];
    let post = |path: String, body: Value| {
        let c = c.clone();
        let url = app.url(&path);
        let token = app.admin_token.clone();
        async move {
            c.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let contact = post(
        format!("/api/v1/organizations/{b}/contacts"),
        json!({"name": "Bob", "email": "bob@b.example"}),
    )
    .await;
    let contract = post(
        format!("/api/v1/organizations/{b}/contracts"),
        json!({"reference": "B-1", "signed_on": "2026-01-01", "starts_on": "2026-01-01", "lines": [{"product_code": "SUPPORT-premium"}]}),
    )
    .await;
    let ticket = post(
        "/api/v1/tickets".into(),
        json!({"queue": "General", "subject": "B's", "requestors": ["bob@b.example"], "content": "secret"}),
    )
    .await;
    let theirs = Theirs {
        org: b,
        contact: contact["id"].as_i64().unwrap(),
        contract: contract["id"].as_i64().unwrap(),
        ticket: ticket["id"].as_i64().unwrap(),
    };
    let customer = app
        .account_with_token("alice@a.example", Role::Customer, Some(ids[0]))
        .await;
    // A contact whose portal access was taken away after it made a token (a removed
    // colleague): it is nobody.
    let withdrawn = app
        .account_with_token("bob@a.example", Role::Customer, Some(ids[0]))
        .await;
    let bob = varde_core::values::EmailAddress::parse("bob@a.example").unwrap();
    let mut contact_of_bob = app.store.contact_by_email(&bob).await.unwrap().unwrap();
    contact_of_bob.details.portal_access = false;
    app.store
        .update_contact(
            "test",
            contact_of_bob.id,
            &contact_of_bob.details,
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let agent = app
        .account_with_token("agent@x.example", Role::Agent, None)
        .await;
    let read_only = app
        .account_with_token("auditor@x.example", Role::ReadOnly, None)
        .await;
    let read_scope = {
        let admin = app
            .store
            .account_for_login(
                &varde_core::values::EmailAddress::parse(super::ADMIN_EMAIL).unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
            .0;
        let secret = varde_web::auth::new_secret("varde_");
        app.store
            .create_token(
                admin.id,
                "read",
                TokenScope::Read,
                &secret,
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        secret
    };
    let revoked = app
        .account_with_token("gone@x.example", Role::Admin, None)
        .await;
    let gone = app
        .store
        .token_account(&revoked, jiff::Timestamp::now())
        .await
        .unwrap()
        .unwrap()
        .0;
    for t in app.store.tokens_of(gone.id).await.unwrap() {
        app.store
            .revoke_token(gone.id, t.id, jiff::Timestamp::now())
            .await
            .unwrap();
    }

    let mut failures = vec![];
    // GETs first, between two fingerprints of the database; then every other method.
    let (gets, writes): (Vec<&Route>, Vec<&Route>) = all.iter().partition(|r| r.method == "GET");
    let before = varde_store::testing::fingerprint(&app.store).await.unwrap();
    for (round, routes) in [gets, writes].into_iter().enumerate() {
        for route in routes {
            let path = theirs.fill(&route.path);
            let public = is(&route.path, PUBLIC) || route.path == "/";
            let write = route.method != "GET" && !is(&route.path, READS_BY_POST);
            let mut expect = |who: &str, status: u16, refused: bool| {
                if status >= 500 {
                    failures.push(format!("{who}: {} {path} answered {status}", route.method));
                } else if refused && (200..300).contains(&status) {
                    failures.push(format!(
                        "{who}: {} {path} answered {status}, should refuse",
                        route.method
                    ));
                }
            };
            for (who, token) in [
                ("anonymous", None),
                ("revoked token", Some(revoked.as_str())),
                ("contact without portal access", Some(withdrawn.as_str())),
            ] {
                let s = call(&app, token, route, &path).await;
                expect(who, s, !public);
            }
            let s = call(&app, Some(&customer), route, &path).await;
            expect(
                "customer of A",
                s,
                !public && theirs.names_them(&route.path),
            );
            for (who, token) in [
                ("read-scope token", &read_scope),
                ("read-only staff", &read_only),
            ] {
                let own = is(&route.path, OWN_ACCOUNT) && who == "read-only staff";
                let s = call(&app, Some(token), route, &path).await;
                expect(who, s, write && !public && !own);
            }
            let s = call(&app, Some(&agent), route, &path).await;
            expect("agent", s, is(&route.path, ADMINISTRATION));
            if route.method == "GET" {
                let s = call(&app, Some(&app.admin_token), route, &path).await;
                expect("admin", s, false);
            }
        }
        if round == 0 {
            let after = varde_store::testing::fingerprint(&app.store).await.unwrap();
            let written: Vec<_> = before
                .iter()
                .zip(&after)
                .filter(|(a, b)| a != b && a.0 != "sessions")
                .map(|(a, b)| format!("{a:?} -> {b:?}"))
                .collect();
            assert!(written.is_empty(), "GETs wrote: {written:?}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures over {} routes:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
