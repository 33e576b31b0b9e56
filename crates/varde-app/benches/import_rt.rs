//! Measures `varde import-rt` on a generated RT database (`Rt::generate`: ten transactions
//! and two files per ticket): the time to import it into a fresh SQLite store, the rate, the
//! peak memory, and a second run that finds nothing new.
//!
//! `VARDE_BENCH_RT_TICKETS=100000 cargo bench -p varde-app --bench import_rt`
//! (default 2,000 tickets); `VARDE_BENCH_RT_KEEP=DIR` keeps the RT database there as
//! `DIR/rtdb`, for `varde import-rt --from sqlite://DIR/rtdb`.

use std::sync::Arc;
use std::time::Instant;

use varde_app::import_rt::ImportOptions;
use varde_app::{Acting, App};
use varde_core::access::Actor;
use varde_store::rt_fixture::Rt;
use varde_store::{Location, Store};

fn peak_memory_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let tickets: i64 = std::env::var("VARDE_BENCH_RT_TICKETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let scratch = tempfile::tempdir().unwrap();
    let rtdir = std::env::var("VARDE_BENCH_RT_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| scratch.path().to_path_buf());
    std::fs::create_dir_all(&rtdir).unwrap();
    let _ = std::fs::remove_file(rtdir.join("rtdb"));
    let started = Instant::now();
    let mut rt = Rt::create(&rtdir).await.unwrap();
    rt.generate(tickets).await.unwrap();
    let url = rt.url();
    rt.close().await.unwrap();
    println!(
        "generated an RT database of {tickets} tickets in {:.1} s ({url})",
        started.elapsed().as_secs_f64()
    );

    let store = Store::open(&Location::SqliteDir(scratch.path().join("varde")))
        .await
        .unwrap();
    let app = App::new(store, Arc::new(jiff::Timestamp::now));
    let operator = Acting::new(Actor::operator(), "bench");
    let options = ImportOptions {
        from: url,
        rtname: None,
        dry_run: false,
        batch: 200,
    };
    for run in ["first run", "second run"] {
        let started = Instant::now();
        let r = app.import_rt(&operator, &options, &|_| {}).await.unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{run}: {} new and {} changed tickets, {} transactions, {} files in {secs:.1} s ({:.0} tickets/s, {:.0} transactions/s); {} skipped, {} notes; peak memory {:.0} MB",
            r.tickets_new,
            r.tickets_changed,
            r.transactions,
            r.attachments,
            (r.tickets_new + r.tickets_changed) as f64 / secs,
            r.transactions as f64 / secs,
            r.skipped.len(),
            r.notes.len(),
            peak_memory_mb()
        );
        for n in r.notes.iter().take(5) {
            println!("  note: {n}");
        }
    }
}
