//! Benchmark: TicketSQL searches on indexed fields over 1,000,000 tickets, on SQLite (and on
//! PostgreSQL when `VARDE_TEST_PG_URL` is set). Each search counts the matches and fetches a
//! page of 50 ids, as the APIs do.
//!
//!     cargo bench -p varde-store --bench ticketsql
//!
//! VARDE_BENCH_TICKETS changes the size; VARDE_BENCH_REPS the repetitions per query.

use std::time::Instant;

use varde_core::access::Visibility;
use varde_store::ticket_search::SearchRequest;
use varde_store::{Location, Store};

const QUERIES: &[&str] = &[
    "id = 654321",
    "Status = 'open' AND Queue = 'General'",
    "Status = '__Active__'",
    "Owner = 'agent3@example.com' AND Status = '__Active__'",
    "Owner = 'Nobody' AND Status = 'new'",
    "Requestor.EmailAddress = 'user4242@customer.example'",
    "Created > '2025-06-01' AND Created < '2025-06-08'",
    "Queue = 'Storage' AND Status = 'new'",
    "CF.{Site} = 'no-osl1' AND Status = 'open'",
];

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(label: &str, store: &Store, reps: usize) {
    let now = jiff::Timestamp::now();
    println!("{label}: query | matches | p50 ms | p95 ms | max ms");
    for q in QUERIES {
        let parsed = varde_rt::ticketsql::parse(q).expect("query parses");
        let mut times = Vec::with_capacity(reps);
        let mut total = 0;
        for _ in 0..reps {
            let request = SearchRequest {
                query: &parsed,
                visibility: Visibility::All,
                order_by: "id",
                descending: true,
                offset: 0,
                limit: 50,
                now,
            };
            let t = Instant::now();
            let page = store
                .search_tickets(&request)
                .await
                .expect("database")
                .expect("query runs");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = page.total;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label}: {q} | {total} | {:.2} | {:.2} | {:.2}",
            pct(&times, 0.5),
            pct(&times, 0.95),
            times[times.len() - 1]
        );
    }
}

#[tokio::main]
async fn main() {
    let n: i64 = std::env::var("VARDE_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let reps: usize = std::env::var("VARDE_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .expect("sqlite");
    let t = Instant::now();
    varde_store::testing::bulk_tickets(&sqlite, n)
        .await
        .expect("fill");
    println!(
        "sqlite: filled {n} tickets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    run("sqlite", &sqlite, reps).await;
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        let pg = varde_store::testing::scratch_postgres(&url)
            .await
            .expect("postgres");
        let t = Instant::now();
        varde_store::testing::bulk_tickets(&pg, n)
            .await
            .expect("fill");
        println!(
            "postgres: filled {n} tickets in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        run("postgres", &pg, reps).await;
    }
}
