//! Benchmark: import a generated customer base of 100,000 organisations and 500,000 contacts
//! from CSV, on SQLite and (when `VARDE_TEST_PG_URL` is set) on PostgreSQL.
//!
//!     cargo bench -p varde-store --bench import            # SQLite only
//!     VARDE_TEST_PG_URL=postgres://… cargo bench -p varde-store --bench import
//!
//! Prints wall time per phase and the process's peak resident memory (VmHWM). Sizes can be
//! changed with VARDE_BENCH_ORGS and VARDE_BENCH_CONTACTS_PER_ORG.

use std::fmt::Write;
use std::time::Instant;

use varde_store::transfer::{ImportOptions, Kind};
use varde_store::{Location, Store};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn generate(orgs: usize, per_org: usize) -> (String, String) {
    let mut o = String::from("name,country,sector,framework,language,mail_domains,lifecycle\n");
    let mut c = String::from("organization,name,email,phone,roles,language,portal_access\n");
    for i in 0..orgs {
        let country = ["SE", "NO", "DK"][i % 3];
        let _ = writeln!(
            o,
            "Organisation {i:06},{country},research_education,sunet,sv,org{i}.example,active"
        );
        for j in 0..per_org {
            let _ = writeln!(
                c,
                "Organisation {i:06},Person {j} of {i},p{j}@org{i}.example,+4670{i:06}{j},technical,,no"
            );
        }
    }
    (o, c)
}

async fn run(label: &str, store: Store, orgs_csv: &str, contacts_csv: &str) {
    let opts = ImportOptions {
        dry_run: false,
        partial: false,
        actor: "bench".into(),
        now: jiff::Timestamp::now(),
    };
    let t = Instant::now();
    let r = store
        .import_csv(Kind::Organizations, orgs_csv.as_bytes(), &opts)
        .await
        .expect("organisations");
    assert!(
        r.applied && r.errors.is_empty(),
        "{:?}",
        &r.errors[..r.errors.len().min(3)]
    );
    let orgs_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r2 = store
        .import_csv(Kind::Contacts, contacts_csv.as_bytes(), &opts)
        .await
        .expect("contacts");
    assert!(
        r2.applied && r2.errors.is_empty(),
        "{:?}",
        &r2.errors[..r2.errors.len().min(3)]
    );
    let contacts_s = t.elapsed().as_secs_f64();
    println!(
        "{label:<10} {:>7} organisations in {orgs_s:>6.2} s, {:>7} contacts in {contacts_s:>6.2} s, total {:>6.2} s, peak RSS so far {:>6.1} MiB",
        r.created,
        r2.created,
        orgs_s + contacts_s,
        peak_rss_mib()
    );
    store.close().await;
}

#[tokio::main]
async fn main() {
    let orgs: usize = std::env::var("VARDE_BENCH_ORGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let per_org: usize = std::env::var("VARDE_BENCH_CONTACTS_PER_ORG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let (o, c) = generate(orgs, per_org);
    println!(
        "generated {orgs} organisations ({:.1} MiB CSV) and {} contacts ({:.1} MiB CSV); peak RSS {:.1} MiB",
        o.len() as f64 / 1048576.0,
        orgs * per_org,
        c.len() as f64 / 1048576.0,
        peak_rss_mib()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .expect("sqlite");
    run("sqlite", sqlite, &o, &c).await;
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        let pg = varde_store::testing::scratch_postgres(&url)
            .await
            .expect("postgres");
        run("postgres", pg, &o, &c).await;
    }
}
