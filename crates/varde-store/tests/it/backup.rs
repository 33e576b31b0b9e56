//! Backups of the embedded database taken while it serves, brought back, and checked; the
//! check on PostgreSQL too, and a damaged backup refused.

use sqlx::Connection;
use varde_store::backup::restore_sqlite;
use varde_store::tickets::NewAttachment;
use varde_store::{Location, Store};

use super::tickets::creation;
use super::{stores, t};

async fn a_ticket_with_a_file(store: &Store, n: i64) {
    let files = [
        NewAttachment::text(&format!("Volume vol-{n} is at 100%.")),
        NewAttachment {
            filename: "df.txt".into(),
            content_type: "text/plain".into(),
            content: format!("/dev/vdb {n}").into_bytes(),
        },
    ];
    store
        .create_ticket(
            "carol@customer.example",
            creation(&format!("Disk full {n}"), "carol@customer.example"),
            &files,
            0,
            t("2026-01-05T08:00:00Z"),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_backup_taken_while_serving_comes_back_whole() {
    for (store, dir) in stores().await {
        let engine = store.engine();
        a_ticket_with_a_file(&store, 1).await;
        let checked = store.check().await.unwrap();
        assert!(checked.problems.is_empty(), "{engine}: {checked:?}");
        assert_eq!((checked.tickets, checked.attachments), (1, 2), "{engine}");
        let Some(dir) = dir else {
            let refused = store.backup_into(std::path::Path::new("/tmp/x.db")).await;
            assert!(
                refused.unwrap_err().to_string().contains("pg_dump"),
                "{engine}: PostgreSQL's backups are pg_dump's"
            );
            continue;
        };
        // Taken while tickets are being written: a copy of one moment.
        let file = dir.path().join("backup.db");
        let (taken, _) = tokio::join!(store.backup_into(&file), async {
            for n in 2..=20 {
                a_ticket_with_a_file(&store, n).await;
            }
        });
        taken.unwrap();
        assert!(store.backup_into(&file).await.is_err(), "never over a file");
        let target = tempfile::tempdir().unwrap();
        let restored = restore_sqlite(&file, target.path(), false).await.unwrap();
        assert!(restored.problems.is_empty(), "{restored:?}");
        assert!((1..=20).contains(&restored.tickets), "{restored:?}");
        assert_eq!(
            restored.attachments,
            2 * restored.tickets,
            "whole tickets only"
        );
        let again = restore_sqlite(&file, target.path(), false).await;
        assert!(again.unwrap_err().to_string().contains("--replace"));
        assert!(restore_sqlite(&file, target.path(), true).await.is_ok());
        assert!(target.path().join("varde.db.replaced").exists());
        assert!(restore_sqlite(&file, target.path(), true).await.is_ok());
        assert!(
            target.path().join("varde.db.replaced.2").exists(),
            "an earlier copy kept aside is never overwritten"
        );
        // Never under a store that has the database open (a server, a gateway); the
        // database there is left as it was.
        let open = Store::open(&Location::SqliteDir(target.path().to_path_buf()))
            .await
            .unwrap();
        let refused = restore_sqlite(&file, target.path(), true).await;
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("in use by a running Varde"),
            "refused while open"
        );
        assert!(!target.path().join("varde.db.replaced.3").exists());
        open.ping().await.unwrap();
        open.close().await;
        drop(open);
        assert!(restore_sqlite(&file, target.path(), true).await.is_ok());
        // Backups and checks open a store as it is: a mistyped directory is an error, not an
        // empty database that is "whole".
        let nowhere = Location::SqliteDir(dir.path().join("typo"));
        assert!(Store::open_as_is(&nowhere).await.is_err());
        assert!(!dir.path().join("typo").join("varde.db").exists());
        let back = Store::open(&Location::SqliteDir(target.path().to_path_buf()))
            .await
            .unwrap();
        assert_eq!(back.check().await.unwrap().tickets, restored.tickets);
        back.close().await;

        // A backup whose stored file was changed is refused, and says what is wrong.
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        sqlx::query(
            "UPDATE blobs SET content = X'00' WHERE sha256 = (SELECT min(sha256) FROM blobs)",
        )
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let refused = restore_sqlite(&file, elsewhere.path(), false).await;
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("does not match its digest"),
            "a damaged file is named"
        );
        assert!(!elsewhere.path().join("varde.db").exists());
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, "not a database").unwrap();
        assert!(
            restore_sqlite(&garbage, elsewhere.path(), false)
                .await
                .unwrap_err()
                .to_string()
                .contains("not a Varde backup")
        );
    }
}
