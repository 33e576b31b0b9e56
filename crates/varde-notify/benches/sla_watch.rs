//! The SLA watch's rounds over many running tickets: the first reads every clock; later
//! rounds read only the clocks that changed or may have crossed a threshold.
//!
//! `cargo bench -p varde-notify --bench sla_watch` (SQLite; PostgreSQL too when
//! VARDE_TEST_PG_URL is set). 20,000 open tickets of a premium customer, each created and
//! answered through the store as the APIs do, priorities mixed; no relay, so alerts are
//! recorded and wait.

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use varde_core::ticket::history::{Creation, correspond};
use varde_notify::sla::{SlaWatch, SlaWatchConfig};
use varde_store::{Location, Store};

const TICKETS: i64 = 20_000;

async fn run(store: Store, engine: &str) {
    let t0: Timestamp = "2026-11-02T06:00:00Z".parse().unwrap();
    let org =
        varde_store::testing::customer_of_tier(&store, "Big Customer AB", "SUPPORT-premium", t0)
            .await
            .unwrap();
    let fill = Instant::now();
    for i in 0..TICKETS {
        let at = t0 + SignedDuration::from_secs(i * 60);
        let creation = Creation {
            owner: Some("agent@example.com".into()),
            priority: [90, 60, 30, 10][(i % 4) as usize],
            organization: Some(org),
            ..Creation::requested(
                "General",
                &format!("Case {i}"),
                &format!("user{}@big.example", i % 50),
            )
        };
        let t = store
            .create_ticket("user@big.example", creation, &[], 0, at)
            .await
            .unwrap();
        if i % 2 == 0 {
            store
                .change_ticket(
                    t.id,
                    "agent@example.com",
                    |t| Ok(correspond(t)),
                    &[],
                    0,
                    at + SignedDuration::from_mins(5 + i % 120),
                )
                .await
                .unwrap();
        }
    }
    println!("{engine}: {TICKETS} open tickets in {:.1?}", fill.elapsed());
    let watch = SlaWatch::new(
        store,
        None,
        None,
        SlaWatchConfig {
            warn_share: 0.8,
            on_call: Some("oncall@example.com".into()),
            on_call_sms: None,
            webhook: None,
            webhook_secret: None,
            from: "support@example.com".into(),
            rtname: "bench".into(),
            url: "https://varde.example".into(),
        },
    )
    .unwrap();
    let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    for (label, at) in [
        ("first round", now),
        ("a minute later", now + SignedDuration::from_mins(1)),
        ("two minutes later", now + SignedDuration::from_mins(2)),
        ("an hour later", now + SignedDuration::from_hours(1)),
    ] {
        let started = Instant::now();
        let (recorded, _) = watch.run_once(at).await.unwrap();
        println!(
            "{engine} {label}: {} clocks read, {recorded} alerts recorded, {:.0?}",
            watch.clocks_read(),
            started.elapsed()
        );
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    run(sqlite, "sqlite").await;
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        run(
            varde_store::testing::scratch_postgres(&url).await.unwrap(),
            "postgres",
        )
        .await;
    }
}
