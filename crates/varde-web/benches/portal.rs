//! The customer portal's pages for an organisation with 10,000 tickets.
//!
//! `cargo bench -p varde-web --bench portal` (SQLite; PostgreSQL too when VARDE_TEST_PG_URL is
//! set). The tickets are created, answered and (nine in ten) resolved through the store, as
//! the APIs do; then a real server on 127.0.0.1 answers a logged-in contact's browser, one
//! request at a time, 200 times a page, and the latencies are printed. Aim (issue 16): each
//! page under 50 ms at the 95th percentile.

use std::collections::BTreeMap;
use std::time::Instant;

mod support;

use jiff::{SignedDuration, Timestamp};
use varde_core::access::Role;
use varde_core::contact::ContactDetails;
use varde_core::ticket::history::{Creation, correspond, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_core::values::{EmailAddress, Language};
use varde_store::{Location, NewAccount, Store};

const TICKETS: i64 = 10_000;
const REQUESTS: usize = 200;
/// One of the organisation's 50 requestors: 200 of the tickets are its own.
const CONTACT: &str = "user7@big.example";
const PASSWORD: &str = "portal bench password";

/// Gives the last ticket's id and the contact's own last ticket's.
async fn fill(store: &Store) -> (i64, i64) {
    let t0 = Timestamp::now() - SignedDuration::from_hours(24 * 120);
    let org =
        varde_store::testing::customer_of_tier(store, "Big Customer AB", "SUPPORT-premium", t0)
            .await
            .unwrap();
    let (mut last, mut own_last) = (0, 0);
    for i in 0..TICKETS {
        let at = t0 + SignedDuration::from_secs(i * 1000);
        let creation = Creation {
            queue: "General".into(),
            subject: format!("Case {i}"),
            status: Status::New,
            owner: None,
            requestors: vec![format!("user{}@big.example", i % 50)],
            cc: vec![],
            admin_cc: vec![],
            priority: [90, 60, 30, 10][(i % 4) as usize],
            final_priority: 0,
            time_estimated: 0,
            time_left: 0,
            due: None,
            starts: None,
            custom_fields: BTreeMap::new(),
            organization: Some(org),
        };
        let t = store
            .create_ticket(CONTACT, creation, &[], 0, at)
            .await
            .unwrap();
        last = t.id.0;
        if i % 50 == 7 {
            own_last = t.id.0;
        }
        let reply = at + SignedDuration::from_mins(5 + i % 120);
        store
            .change_ticket(
                t.id,
                "agent@example.com",
                |t| Ok(correspond(t)),
                &[],
                0,
                reply,
            )
            .await
            .unwrap();
        if i % 10 != 0 {
            let done = at + SignedDuration::from_mins(60 + i % 900);
            store
                .change_ticket(
                    t.id,
                    "agent@example.com",
                    |t| Ok(set_status(t, Status::Resolved)),
                    &[],
                    0,
                    done,
                )
                .await
                .unwrap();
        }
    }
    let email = EmailAddress::parse(CONTACT).unwrap();
    let details = ContactDetails {
        name: "Ops".into(),
        email: email.clone(),
        phone: None,
        roles: vec![varde_core::contact::ContactRole::Primary],
        language: Language::Swedish,
        portal_access: true,
    };
    store
        .create_contact("bench", org, &details, Timestamp::now())
        .await
        .unwrap();
    let hash = varde_web::auth::hash_password(PASSWORD.into())
        .await
        .unwrap();
    let account = NewAccount {
        email,
        name: "Ops".into(),
        role: Role::Customer,
        organization: Some(org),
        password_hash: Some(hash),
        login: None,
    };
    store
        .create_account(&account, Timestamp::now())
        .await
        .unwrap();
    (last, own_last)
}

async fn run(store: Store, engine: &str) {
    let started = Instant::now();
    let (last, own_last) = fill(&store).await;
    println!(
        "{engine}: {TICKETS} tickets with histories in {:.1?}",
        started.elapsed()
    );
    let server = support::Server::start(store.clone()).await;
    let c = server.log_in(CONTACT, PASSWORD, "/portal").await;
    let pages = [
        "/portal".to_string(),
        format!("/portal/tickets/{last}"),
        "/portal/tickets/new".to_string(),
        "/portal/organization".to_string(),
        "/portal/incidents".to_string(),
        "/portal/colleagues".to_string(),
        "/portal/subscriptions".to_string(),
        "/portal/tokens".to_string(),
        "/portal/report".to_string(),
    ];
    server.time_pages(&c, engine, &pages, REQUESTS).await;
    // The organisation lets each contact see only its own tickets (200 of the 10,000).
    let own = varde_core::portal_settings::PortalSettings {
        sight: varde_core::access::TicketSight::Own,
        incident_notices: true,
    };
    let org = store
        .find_organization("Big Customer AB")
        .await
        .unwrap()
        .unwrap();
    store
        .set_portal_settings("bench", org, &own, Timestamp::now())
        .await
        .unwrap();
    let pages = [
        "/portal?only=own".to_string(),
        format!("/portal/tickets/{own_last}?only=own"),
    ];
    server.time_pages(&c, engine, &pages, REQUESTS).await;
    server.stop().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
            .await
            .unwrap();
        run(store, "SQLite").await;
        if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
            run(
                varde_store::testing::scratch_postgres(&url).await.unwrap(),
                "PostgreSQL",
            )
            .await;
        }
    });
}
