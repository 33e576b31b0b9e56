//! Customer health for 10,000 organisations: the daily run (`App::run_health`) that scores
//! every one of them.
//!
//! `cargo bench -p varde-web --bench health` (SQLite; PostgreSQL too when VARDE_TEST_PG_URL
//! is set). 10,000 organisations with a contract each (one in ten premium), 2,000 of them with
//! five tickets each in the last 90 days (answered; four in five resolved); then the run is
//! timed, three times (each on a fresh day, so each scores everything). Aim (issue 17): under
//! 10 s.

use std::sync::Arc;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use varde_core::ticket::history::{Creation, correspond, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_store::{Location, Store};

const ORGANIZATIONS: usize = 10_000;
const WITH_TICKETS: usize = 2_000;
const TICKETS_EACH: i64 = 5;

async fn fill(store: &Store) {
    let now = Timestamp::now();
    let t0 = now - SignedDuration::from_hours(24 * 80);
    let started = Instant::now();
    for i in 0..ORGANIZATIONS {
        let tier = if i % 10 == 0 {
            "SUPPORT-premium"
        } else {
            "SUPPORT-standard"
        };
        let org =
            varde_store::testing::customer_of_tier(store, &format!("Customer {i:05}"), tier, t0)
                .await
                .unwrap();
        if i >= WITH_TICKETS {
            continue;
        }
        for k in 0..TICKETS_EACH {
            let at = t0 + SignedDuration::from_mins((i as i64) * 13 + k * 1440);
            let creation = Creation {
                priority: [90, 60, 30, 10][(k % 4) as usize],
                organization: Some(org),
                ..Creation::requested(
                    "General",
                    &format!("Case {i}-{k}"),
                    &format!("ops@c{i}.example"),
                )
            };
            let t = store
                .create_ticket("ops", creation, &[], 0, at)
                .await
                .unwrap();
            let reply = at + SignedDuration::from_mins(20 + k * 30);
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
            if k != 0 {
                let done = reply + SignedDuration::from_hours(4 + k);
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
    }
    eprintln!(
        "filled {ORGANIZATIONS} organisations and {} tickets in {:.1} s",
        WITH_TICKETS as i64 * TICKETS_EACH,
        started.elapsed().as_secs_f64()
    );
}

async fn bench(store: Store, engine: &str) {
    fill(&store).await;
    for day in 0..3 {
        let at = Timestamp::now() + SignedDuration::from_hours(24 * day);
        let app = varde_app::App::new(store.clone(), Arc::new(move || at));
        let started = Instant::now();
        let scored = app
            .run_health()
            .await
            .unwrap()
            .expect("the day is unclaimed");
        let took = started.elapsed();
        let worst = scored.iter().map(|(_, h)| h.score).min().unwrap_or(100);
        println!(
            "{engine}: health of {} organisations in {:.2} s (worst score {worst})",
            scored.len(),
            took.as_secs_f64()
        );
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
            .await
            .unwrap();
        bench(sqlite, "sqlite").await;
        if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
            let pg = varde_store::testing::scratch_postgres(&url).await.unwrap();
            bench(pg, "postgres").await;
        }
    });
}
