//! Support for tests that run against a PostgreSQL test server: a new, empty database per
//! call, so that tests never see each other's rows.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

use crate::{Location, Result, Store};

/// Creates a database with a unique name on the server of `url` and opens a migrated store
/// on it. The database stays after the test, for inspection; the test server is thrown away.
pub async fn scratch_postgres(url: &str) -> Result<Store> {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "varde_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    Store::open(&Location::Postgres(format!("{base}/{name}"))).await
}
