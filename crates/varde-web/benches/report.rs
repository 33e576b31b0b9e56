//! A quarterly report for an organisation with 10,000 tickets.
//!
//! `cargo bench -p varde-web --bench report` (SQLite; PostgreSQL too when VARDE_TEST_PG_URL is
//! set). Each ticket is created, answered and (nine in ten) resolved through the store, as the
//! APIs do; then the report is gathered, built and rendered to HTML and to PDF.

use std::collections::BTreeMap;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use varde_core::report::Period;
use varde_core::ticket::history::{Creation, correspond, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_store::{Location, Store};

const TICKETS: i64 = 10_000;

async fn run(store: Store, engine: &str) {
    let t0: Timestamp = "2026-07-01T06:00:00Z".parse().unwrap();
    let org =
        varde_store::testing::customer_of_tier(&store, "Big Customer AB", "SUPPORT-premium", t0)
            .await
            .unwrap();
    let fill = Instant::now();
    for i in 0..TICKETS {
        let at = t0 + SignedDuration::from_secs(i * 780);
        let mut custom_fields = BTreeMap::new();
        custom_fields.insert(
            "Service".to_string(),
            vec![["compute", "storage", "backup"][(i % 3) as usize].to_string()],
        );
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
            custom_fields,
            organization: Some(org),
        };
        let t = store
            .create_ticket("user@big.example", creation, &[], 0, at)
            .await
            .unwrap();
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
        if i % 10 != 0 {
            store
                .change_ticket(
                    t.id,
                    "agent@example.com",
                    |t| Ok(set_status(t, Status::Resolved)),
                    &[],
                    0,
                    at + SignedDuration::from_mins(60 + i % 900),
                )
                .await
                .unwrap();
        }
    }
    println!(
        "{engine}: {TICKETS} tickets with histories in {:.1?}",
        fill.elapsed()
    );
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let now: Timestamp = "2026-11-23T00:00:00Z".parse().unwrap();
    for round in 0..3 {
        let started = Instant::now();
        let input =
            varde_app::report::gather(&store, org, Period::quarter("2026Q3").unwrap(), &tz, now)
                .await
                .unwrap()
                .unwrap();
        let gathered = started.elapsed();
        let built = Instant::now();
        let r = varde_core::report::build(&input);
        let build = built.elapsed();
        let reader = varde_web::report::Reader {
            language: r.language,
            zone: &jiff::tz::TimeZone::UTC,
        };
        let html = varde_web::report::to_html(&r, false, &reader).unwrap();
        let html_total = started.elapsed();
        let pdf_started = Instant::now();
        let pdf = varde_web::report::to_pdf(&html).unwrap();
        println!(
            "{engine} round {round}: {} tickets; gather {gathered:.0?}, build {build:.0?} ({:.1} µs a ticket), HTML ready {html_total:.0?} ({} KiB); PDF {:.0?} more ({} KiB)",
            r.tickets,
            build.as_secs_f64() * 1e6 / r.tickets as f64,
            html.len() / 1024,
            pdf_started.elapsed(),
            pdf.len() / 1024
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
