//! The agent's console with 100,000 tickets.
//!
//! `cargo bench -p varde-web --bench console` (SQLite; PostgreSQL too when VARDE_TEST_PG_URL is
//! set). 100,000 tickets as `varde_store::testing::bulk_tickets` makes them (fixed shares of
//! statuses, queues, owners and dates), then 2,000 of a premium customer created, answered and
//! (nine in ten) resolved through the store as the APIs do, so the newest carry real histories
//! and SLA clocks; on PostgreSQL `VACUUM ANALYZE` then, as autovacuum would do on a live
//! database. A real server on 127.0.0.1 answers a logged-in agent's browser, one request at
//! a time, 100 times a page, and the latencies are printed. Aim (issue 18): every console page
//! under 50 ms at the 95th percentile.

use std::collections::BTreeMap;
use std::time::Instant;

mod support;

use jiff::{SignedDuration, Timestamp};
use varde_core::access::Role;
use varde_core::ticket::history::{Creation, correspond, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_core::values::EmailAddress;
use varde_store::{Location, NewAccount, Store};

const BULK: i64 = 100_000;
const REAL: i64 = 2_000;
const REQUESTS: usize = 100;
const AGENT: &str = "agent@example.com";
const PASSWORD: &str = "console bench password";

/// Fills the store; gives the newest ticket's number and the premium customer's id.
async fn fill(store: &Store) -> (i64, i64) {
    varde_store::testing::bulk_tickets(store, BULK)
        .await
        .unwrap();
    let t0 = Timestamp::now() - SignedDuration::from_hours(24 * 30);
    let org =
        varde_store::testing::customer_of_tier(store, "Big Customer AB", "SUPPORT-premium", t0)
            .await
            .unwrap();
    let mut last = 0;
    for i in 0..REAL {
        let at = t0 + SignedDuration::from_secs(i * 1200);
        let creation = Creation {
            queue: "General".into(),
            subject: format!("Volume {i} will not detach"),
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
            .create_ticket("user@big.example", creation, &[], 0, at)
            .await
            .unwrap();
        last = t.id.0;
        let reply = at + SignedDuration::from_mins(5 + i % 120);
        store
            .change_ticket(t.id, AGENT, |t| Ok(correspond(t)), &[], 0, reply)
            .await
            .unwrap();
        if i % 10 != 0 {
            let done = at + SignedDuration::from_mins(60 + i % 900);
            store
                .change_ticket(
                    t.id,
                    AGENT,
                    |t| Ok(set_status(t, Status::Resolved)),
                    &[],
                    0,
                    done,
                )
                .await
                .unwrap();
        }
    }
    let hash = varde_web::auth::hash_password(PASSWORD.into())
        .await
        .unwrap();
    let account = NewAccount {
        email: EmailAddress::parse(AGENT).unwrap(),
        name: "Alva Agent".into(),
        role: Role::Agent,
        organization: None,
        password_hash: Some(hash),
        login: None,
    };
    store
        .create_account(&account, Timestamp::now())
        .await
        .unwrap();
    (last, org.0)
}

async fn run(store: Store, engine: &str) {
    let started = Instant::now();
    let (last, org) = fill(&store).await;
    println!(
        "{engine}: {BULK} + {REAL} tickets in {:.1?}",
        started.elapsed()
    );
    varde_store::testing::settle(&store).await.unwrap();
    let server = support::Server::start(store).await;
    let c = server.log_in(AGENT, PASSWORD, "/console/tickets").await;
    let pages = [
        "/console/tickets".to_string(),
        "/console/tickets?view=unowned".to_string(),
        "/console/tickets?view=new&sort=priority".to_string(),
        "/console/tickets?view=soon".to_string(),
        "/console/tickets?view=breached".to_string(),
        "/console/tickets?q=detach".to_string(),
        "/console/tickets?q=Status+%3D+%27open%27+AND+Queue+%3D+%27Storage%27".to_string(),
        format!("/console/tickets/{last}"),
        format!("/console/organizations/{org}"),
        "/console/organizations".to_string(),
        "/console/status".to_string(),
        "/console/portfolio".to_string(),
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
