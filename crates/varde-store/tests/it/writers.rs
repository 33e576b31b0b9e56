//! The embedded engine writes through two connections, sqlx's and its own writer thread's
//! (issue 20); they take turns, so the database still has one writer at a time and no write
//! fails because another was under way. Run on every engine.

use varde_store::tickets::NewAttachment;

use super::tickets::creation;
use super::{org_form, stores, t};

/// Ticket creates (the writer thread's scripts) and organisation changes (a transaction on
/// sqlx's connection that reads the row before it writes, which SQLite cannot upgrade to a
/// write once another writer has committed since its read) all at once: every one succeeds,
/// and each ticket written is read back at once on the reading connections.
#[tokio::test]
async fn both_writers_take_turns_and_none_fails() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let now = t("2026-12-04T09:00:00Z");
        let org = store
            .create_organization(
                "ada@example.com",
                &org_form("KTH", "SE", "kth.se").parse().unwrap(),
                now,
            )
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    let ticket = store
                        .create_ticket(
                            "agent@example.com",
                            creation(&format!("turns {i}"), "carol@kth.se"),
                            &[NewAttachment::text("body")],
                            0,
                            now,
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    let read = store.ticket(ticket.id).await.map_err(|e| e.to_string())?;
                    Ok::<_, String>(read.map(|t| t.subject))
                } else {
                    let mut form = org_form(&format!("KTH {i}"), "SE", "kth.se")
                        .parse()
                        .unwrap();
                    if i % 4 == 1 {
                        form = org_form(&format!("KTH {i}"), "SE", "kth.se, kth.example")
                            .parse()
                            .unwrap();
                    }
                    let changed = store
                        .update_organization("bo@example.com", org.id, &form, now)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(Some(changed.details.name))
                }
            }));
        }
        for (i, task) in tasks.into_iter().enumerate() {
            let read = task
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{engine}: write {i}: {e}"));
            let read = read.unwrap_or_else(|| panic!("{engine}: write {i} read nothing back"));
            if i % 2 == 0 {
                assert_eq!(read, format!("turns {i}"), "{engine}: write {i}");
            } else {
                // Another change may land between a change and its reading back.
                assert!(read.starts_with("KTH "), "{engine}: write {i}: {read}");
            }
        }
        assert_eq!(store.count_tickets().await.unwrap(), 12, "{engine}");
    }
}

/// Closing an embedded store closes every connection, the writer thread's and the idle
/// readers' too, so the last one folds the write-ahead log into the database file: a backup's
/// restore moves that file alone.
#[tokio::test]
async fn closing_folds_the_write_ahead_log_into_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let store = varde_store::Store::open(&varde_store::Location::SqliteDir(dir.path().into()))
        .await
        .unwrap();
    let ticket = store
        .create_ticket(
            "agent@example.com",
            creation("kept", "carol@kth.se"),
            &[NewAttachment::text("body")],
            0,
            t("2026-12-04T09:00:00Z"),
        )
        .await
        .unwrap();
    assert!(
        store
            .account_for_login(&varde_core::values::EmailAddress::parse("carol@kth.se").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(dir.path().join("varde.db-wal").exists());
    store.close().await;
    assert!(
        !dir.path().join("varde.db-wal").exists(),
        "the write-ahead log is folded in and removed"
    );
    drop(store);
    let reopened = varde_store::Store::open(&varde_store::Location::SqliteDir(dir.path().into()))
        .await
        .unwrap();
    let read = reopened.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(read.subject, "kept");
}
