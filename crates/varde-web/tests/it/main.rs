//! Integration tests of the HTTP face: a real server on 127.0.0.1:0 over a real store
//! (SQLite always, PostgreSQL too when `VARDE_TEST_PG_URL` is set), driven over HTTP.
//!
//! This is the only integration-test binary of this crate: each binary costs link time.

mod access;
mod api;
mod bulk;
mod colleagues;
mod console;
mod health;
mod incident_notices;
mod macros;
mod mail;
mod my_customers;
mod neighbourhood;
mod onboarding;
mod portal;
mod portal_rights;
mod portal_tokens;
mod presence;
mod report;
mod rest2_lists;
mod rt;
mod rt_records;
mod security;
mod standins;
mod status;
mod subscriptions;
mod sweep;
mod ticket_list;
mod workspace;

use std::sync::Arc;

use varde_core::access::Role;
use varde_core::values::EmailAddress;
use varde_store::{Location, NewAccount, Store};
use varde_web::AppState;

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub admin_token: String,
    pub dir: Option<tempfile::TempDir>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub const ADMIN_EMAIL: &str = "ada@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn client() -> reqwest::Client {
        varde_notify::install_tls_provider();
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A client with a cookie jar, as RT's CLI and python `rt` keep their session.
    pub fn cookie_client() -> reqwest::Client {
        varde_notify::install_tls_provider();
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    }

    /// What logging in with `email` and `password` answers (303 when it worked).
    pub async fn browser_login_status(&self, email: &str, password: &str) -> u16 {
        let (c, status) = self.log_in(email, password).await;
        drop(c);
        status
    }

    /// A client with a cookie jar, logged in to the console with `email` and `password`.
    pub async fn browser(&self, email: &str, password: &str) -> reqwest::Client {
        let (c, status) = self.log_in(email, password).await;
        assert_eq!(status, 303, "login as {email}");
        c
    }

    async fn log_in(&self, email: &str, password: &str) -> (reqwest::Client, u16) {
        varde_notify::install_tls_provider();
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = c
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        let r = c
            .post(self.url("/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("next", ""),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (c, status)
    }

    /// What a browser holds after opening the login page: the login cookie (as a `Cookie`
    /// header) and the form's token.
    pub async fn login_form(&self) -> (String, String) {
        let r = Self::client().get(self.url("/login")).send().await.unwrap();
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        (cookie, csrf_of(&r.text().await.unwrap()))
    }

    /// Adds an account with `role` (and organisation) and returns a write token for it.
    pub async fn account_with_token(&self, email: &str, role: Role, org: Option<i64>) -> String {
        // A customer account is a contact with portal access.
        if let (Role::Customer, Some(org)) = (role, org) {
            let address = EmailAddress::parse(email).unwrap();
            let contact = self.store.contact_by_email(&address).await.unwrap();
            if let Some(c) = contact.filter(|c| !c.details.portal_access) {
                let details = varde_core::contact::ContactDetails {
                    portal_access: true,
                    ..c.details.clone()
                };
                self.store
                    .update_contact("test", c.id, &details, jiff::Timestamp::now())
                    .await
                    .unwrap();
            } else if self
                .store
                .contact_by_email(&address)
                .await
                .unwrap()
                .is_none()
            {
                self.store
                    .create_contact(
                        "test",
                        varde_core::ids::OrganizationId(org),
                        &varde_core::contact::ContactDetails {
                            name: email.into(),
                            email: address,
                            phone: None,
                            roles: vec![],
                            language: varde_core::values::Language::English,
                            portal_access: true,
                        },
                        jiff::Timestamp::now(),
                    )
                    .await
                    .unwrap();
            }
        }
        let hash = varde_web::auth::hash_password(ADMIN_PASSWORD.into())
            .await
            .unwrap();
        let a = self
            .store
            .create_account(
                &NewAccount {
                    email: EmailAddress::parse(email).unwrap(),
                    name: email.into(),
                    role,
                    organization: org.map(varde_core::ids::OrganizationId),
                    password_hash: Some(hash),
                    login: None,
                },
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        let secret = varde_web::auth::new_secret("varde_");
        self.store
            .create_token(
                a.id,
                "test",
                varde_core::access::TokenScope::Write,
                &secret,
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        secret
    }
}

async fn start(store: Store, dir: Option<tempfile::TempDir>) -> TestApp {
    start_with(store, dir, |_| {}).await
}

async fn start_with(
    store: Store,
    dir: Option<tempfile::TempDir>,
    configure: impl FnOnce(&mut AppState),
) -> TestApp {
    let mut state = AppState::new(store.clone(), Arc::new(jiff::Timestamp::now))
        .await
        .unwrap();
    configure(&mut state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(varde_web::serve(listener, state, async move {
        let _ = rx.await;
    }));
    let mut app = TestApp {
        base,
        store,
        admin_token: String::new(),
        dir,
        _shutdown: tx,
    };
    app.admin_token = app.account_with_token(ADMIN_EMAIL, Role::Admin, None).await;
    app
}

/// A fresh server on SQLite, and one on PostgreSQL when the test server is available.
pub async fn apps() -> Vec<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let mut v = vec![start(sqlite, Some(dir)).await];
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        v.push(
            start(
                varde_store::testing::scratch_postgres(&url).await.unwrap(),
                None,
            )
            .await,
        );
    }
    v
}

/// The CSRF token a console page carries in its forms.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("the page has a form with a CSRF token")
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A server on SQLite with its state adjusted first (settings a test needs).
pub async fn app_with(configure: impl FnOnce(&mut AppState)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    start_with(store, Some(dir), configure).await
}

/// A server on SQLite only, for tests of the HTTP layer itself.
pub async fn app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    start(store, Some(dir)).await
}

/// The number in REST 1.0's `# Ticket N created.` (the first `# Ticket N` line).
pub fn rest1_ticket_number(body: &str) -> i64 {
    body.split("# Ticket ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no ticket number in {body:?}"))
}
