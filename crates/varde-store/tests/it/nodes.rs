//! Several nodes on one PostgreSQL: two stores opened on the same database race each other
//! where an installation's nodes do, and what should happen once happens once. On SQLite one
//! node owns the file; the same calls run there too, one after the other.

use jiff::tz::TimeZone;
use varde_core::limits::{Quota, Try};
use varde_core::status::{EventForm, EventKind, EventStatus, MaintenanceStatus};
use varde_store::status::NewComponent;
use varde_store::{Location, Store};

use crate::t;

/// Pairs of stores on one database: two handles on one SQLite file, two nodes on PostgreSQL.
async fn node_pairs() -> Vec<(Store, Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let at = Location::SqliteDir(dir.path().to_path_buf());
    let a = Store::open(&at).await.unwrap();
    let b = Store::open(&at).await.unwrap();
    let mut v = vec![(a, b, Some(dir))];
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        let url = varde_store::testing::scratch_postgres_url(&url)
            .await
            .unwrap();
        let at = Location::Postgres(url);
        let (a, b) = tokio::join!(Store::open(&at), Store::open(&at));
        v.push((a.unwrap(), b.unwrap(), None));
    }
    v
}

#[tokio::test]
async fn a_maintenance_window_moves_once_whichever_node_sees_it() {
    let tz = TimeZone::get("Europe/Stockholm").unwrap();
    for (a, b, _dir) in node_pairs().await {
        let engine = a.engine();
        let compute = a
            .create_component(
                &NewComponent {
                    name: "Compute".into(),
                    ..Default::default()
                },
                t("2026-11-01T08:00:00Z"),
            )
            .await
            .unwrap();
        let mut ids = vec![];
        for day in 1..=8 {
            let m = EventForm {
                name: format!("Host upgrades, round {day}"),
                body: "Live migration of instances.".into(),
                components: vec![(compute.id, "under_maintenance".into())],
                scheduled_for: format!("2026-12-08 22:0{day}"),
                scheduled_until: "2026-12-08 23:30".into(),
                auto_start: true,
                auto_complete: true,
                ..Default::default()
            }
            .parse(EventKind::Maintenance, &tz)
            .unwrap();
            ids.push(
                a.create_event(&m, "ada", t("2026-11-30T08:00:00Z"))
                    .await
                    .unwrap(),
            );
        }
        // Both nodes' clocks pass every window's start at once (22:30 in Stockholm).
        let now = t("2026-12-08T21:30:00Z");
        let (x, y) = tokio::join!(a.advance_maintenances(now), b.advance_maintenances(now));
        let (x, y) = (x.unwrap(), y.unwrap());
        let mut moved: Vec<i64> = x.iter().chain(&y).copied().collect();
        moved.sort();
        assert_eq!(
            moved, ids,
            "{engine}: each window moved by one node: {x:?} {y:?}"
        );
        for id in &ids {
            let e = b.event(*id).await.unwrap().unwrap();
            assert_eq!(
                e.status,
                EventStatus::Maintenance(MaintenanceStatus::InProgress),
                "{engine}"
            );
            assert_eq!(e.updates.len(), 2, "{engine}: scheduled and started, once");
        }
    }
}

#[tokio::test]
async fn tries_are_counted_for_every_node_alike() {
    let quota = Quota::per_minute(5, 10);
    for (a, b, _dir) in node_pairs().await {
        let engine = a.engine();
        let tries = [Try {
            key: "login:account:ada@example.com".into(),
            quota,
        }];
        let now = t("2026-12-03T10:00:00Z");
        // 40 tries at once, half on each node: the burst of 10 is allowed, no more.
        let mut calls = vec![];
        for i in 0..40 {
            let node = if i % 2 == 0 { a.clone() } else { b.clone() };
            let tries = tries.clone();
            calls.push(tokio::spawn(async move {
                node.spend_tries(&tries, now).await.unwrap()
            }));
        }
        let mut allowed = 0;
        for c in calls {
            allowed += c.await.unwrap() as usize;
        }
        assert_eq!(allowed, 10, "{engine}");
        // Another key is counted apart; refused tries do not push the wait further.
        let other = [Try {
            key: "login:account:bo@example.com".into(),
            quota,
        }];
        assert!(b.spend_tries(&other, now).await.unwrap(), "{engine}");
        let later = t("2026-12-03T10:00:12Z");
        assert!(
            a.spend_tries(&tries, later).await.unwrap(),
            "{engine}: one more after 12 s"
        );
        assert!(
            !b.spend_tries(&tries, later).await.unwrap(),
            "{engine}: and only one"
        );
        // Both keys at once: refused when either is spent, and the sweep forgets only the
        // counts that no longer limit anything.
        let both: Vec<Try> = tries.iter().chain(&other).cloned().collect();
        assert!(!a.spend_tries(&both, later).await.unwrap(), "{engine}");
        assert_eq!(a.forget_spent_tries(later).await.unwrap(), 0, "{engine}");
        let quiet = t("2026-12-03T10:05:00Z");
        assert_eq!(b.forget_spent_tries(quiet).await.unwrap(), 2, "{engine}");
        assert!(a.spend_tries(&both, quiet).await.unwrap(), "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_contracts_signed_at_once_on_two_nodes_start_one_onboarding() {
    use varde_core::contract::ContractForm;
    use varde_core::customer::OrganizationForm;
    for (a, b, dir) in node_pairs().await {
        // One process owns an SQLite file: there the race is between its own requests.
        let b = if dir.is_some() { a.clone() } else { b };
        let engine = a.engine();
        let now = t("2026-03-02T09:00:00Z");
        let form = OrganizationForm {
            name: "Malmö".into(),
            country: "SE".into(),
            ..Default::default()
        };
        let org = a
            .create_organization("cs", &form.parse().unwrap(), now)
            .await
            .unwrap();
        let mut contracts = vec![];
        for (reference, code) in [("M-1", "SUPPORT-iaas.base"), ("M-2", "STORAGE-S3")] {
            let form = ContractForm {
                reference: reference.into(),
                signed_on: "2026-03-02".into(),
                starts_on: "2026-03-02".into(),
                ends_on: String::new(),
                lines: vec![varde_core::contract::ProductLineForm {
                    product_code: code.into(),
                    quantity: "1".into(),
                    site: if code == "STORAGE-S3" { "no-osl1" } else { "" }.into(),
                }],
            };
            let details = form.parse().unwrap();
            let c = a.create_contract("cs", org.id, &details, now).await;
            contracts.push(c.unwrap().id);
        }
        // Each node starts each contract's onboarding, all at the same moment.
        let mut calls = vec![];
        for i in 0..8 {
            let node = if i % 2 == 0 { a.clone() } else { b.clone() };
            let contract = contracts[i / 2 % 2];
            calls.push(tokio::spawn(async move {
                node.start_onboarding(contract, "cs", now).await
            }));
        }
        let mut runs = vec![];
        for c in calls {
            runs.push(c.await.unwrap().unwrap().unwrap());
        }
        assert!(runs.iter().all(|r| *r == runs[0]), "{engine}: {runs:?}");
        assert_eq!(a.runs_of(org.id).await.unwrap().len(), 1, "{engine}");
    }
}
