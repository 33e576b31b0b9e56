//! Support for tests that run against a PostgreSQL test server: a new, empty database per
//! call, so that tests never see each other's rows.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

use crate::{Location, Result, Store};

/// After a bulk load, what a live PostgreSQL database's autovacuum does within a minute or
/// so: `VACUUM ANALYZE` (statistics for the planner, and the visibility map that lets an
/// index answer alone). SQLite has nothing of the kind and is left as it is.
pub async fn settle(store: &Store) -> Result<()> {
    if let crate::Engine::Postgres(p) = &store.engine {
        sqlx::query("VACUUM ANALYZE").execute(p).await?;
    }
    Ok(())
}

/// A fresh store on each engine available: SQLite in `dir`, and PostgreSQL (a scratch
/// database) when `VARDE_TEST_PG_URL` is set, as `.ci/run` does.
pub async fn each_engine(dir: &std::path::Path) -> Result<Vec<Store>> {
    let mut v = vec![Store::open(&crate::Location::SqliteDir(dir.to_path_buf())).await?];
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        v.push(scratch_postgres(&url).await?);
    }
    Ok(v)
}

/// Creates a database with a unique name on the server of `url` and opens a migrated store
/// on it. The database stays after the test, for inspection; the test server is thrown away.
pub async fn scratch_postgres(url: &str) -> Result<Store> {
    Store::open(&Location::Postgres(scratch_postgres_url(url).await?)).await
}

/// Creates a database with a unique name on the server of `url` and gives its URL, for tests
/// that open it more than once (several nodes).
pub async fn scratch_postgres_url(url: &str) -> Result<String> {
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
    Ok(format!("{base}/{name}"))
}

/// Fills a store with `n` generated tickets (state rows and watchers only, no history), for
/// search benchmarks. Statuses, queues, owners, requestors, dates and a custom field follow
/// fixed, realistic shares; the same `n` always gives the same tickets.
pub async fn bulk_tickets(store: &Store, n: i64) -> Result<()> {
    use crate::{micros, write_pool};
    const STATUSES: [&str; 20] = [
        "new", "new", "open", "open", "open", "open", "stalled", "resolved", "resolved",
        "resolved", "resolved", "resolved", "resolved", "resolved", "resolved", "resolved",
        "resolved", "resolved", "rejected", "resolved",
    ];
    const QUEUES: [&str; 4] = ["General", "General", "Storage", "Compute"];
    const SITES: [&str; 3] = ["se-sto1", "se-lla1", "no-osl1"];
    let start: jiff::Timestamp = "2024-01-01T00:00:00Z"
        .parse()
        .map_err(|e: jiff::Error| crate::StoreError::Corrupt(e.to_string()))?;
    let sqlite = store.engine() == "sqlite";
    let style = store.placeholders();
    let chunk = 1000i64;
    let mut first = 1i64;
    while first <= n {
        let last = (first + chunk - 1).min(n);
        let rows = (last - first + 1) as usize;
        let ph = |cols: usize, rows: usize| style.rows(cols, rows);
        let tickets_sql = format!(
            "INSERT INTO tickets (id, effective_id, queue, subject, status, owner, creator, priority, initial_priority, final_priority, time_worked, \
             time_estimated, time_left, created_at, last_updated_at, last_updated_by) VALUES {}",
            ph(16, rows)
        );
        let watchers_sql = format!(
            "INSERT INTO ticket_watchers (ticket_id, role, position, address) VALUES {}",
            ph(4, rows)
        );
        let cf_rows: Vec<i64> = (first..=last).filter(|i| i % 10 < 3).collect();
        let cf_sql = format!(
            "INSERT INTO ticket_custom_fields (ticket_id, name, position, value) VALUES {}",
            ph(4, cf_rows.len())
        );
        write_pool!(store, p => {
            let mut tx = p.begin().await?;
            let mut q = sqlx::query(sqlx::AssertSqlSafe(tickets_sql));
            for i in first..=last {
                let created = micros(start) + (i128::from(i) * 94_608_000_000_000 / i128::from(n.max(1))) as i64;
                let owner = if i % 3 == 0 { None } else { Some(format!("agent{}@example.com", i % 10)) };
                q = q.bind(i).bind(i).bind(QUEUES[(i % 4) as usize]).bind(format!("Generated ticket {i}")).bind(STATUSES[((i / 4) % 20) as usize])
                    .bind(owner).bind(format!("user{}@customer.example", i % 100_000)).bind(i % 100).bind(i % 100).bind(0i64)
                    .bind(0i64).bind(0i64).bind(0i64).bind(created).bind(created).bind("bench");
            }
            q.execute(&mut *tx).await?;
            let mut q = sqlx::query(sqlx::AssertSqlSafe(watchers_sql));
            for i in first..=last {
                q = q.bind(i).bind("Requestor").bind(0i64).bind(format!("user{}@customer.example", i % 100_000));
            }
            q.execute(&mut *tx).await?;
            if !cf_rows.is_empty() {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(cf_sql));
                for i in &cf_rows {
                    q = q.bind(*i).bind("Site").bind(0i64).bind(SITES[(*i % 3) as usize]);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        first = last + 1;
    }
    if !sqlite {
        write_pool!(store, p => sqlx::query("SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))").execute(p).await.map(|_| ()))?;
        // VACUUM sets the visibility map, so that counts can be answered from indexes alone.
        write_pool!(store, p => sqlx::query("VACUUM ANALYZE").execute(p).await.map(|_| ()))?;
    } else {
        write_pool!(store, p => sqlx::query("ANALYZE").execute(p).await.map(|_| ()))?;
    }
    Ok(())
}

/// Adds `n` confirmed subscribers to every component, for fan-out benchmarks: each `channel`
/// subscriber's target is `target(i)`; webhooks get `key` as their signing key.
pub async fn bulk_subscribers(
    store: &Store,
    n: i64,
    channel: &str,
    key: Option<&str>,
    target: impl Fn(i64) -> String,
    at: jiff::Timestamp,
) -> Result<()> {
    use crate::{micros, write_pool};
    let style = store.placeholders();
    let chunk = 1000i64;
    let mut first = 0i64;
    while first < n {
        let last = (first + chunk).min(n);
        let sql = format!(
            "INSERT INTO status_subscribers (channel, target, language, all_components, signing_key, confirmed_at, created_at) VALUES {}",
            style.rows(7, (last - first) as usize)
        );
        write_pool!(store, p => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for i in first..last {
                let language = ["en", "sv", "nb", "da"][(i % 4) as usize];
                q = q.bind(channel).bind(target(i)).bind(language).bind(true).bind(key).bind(micros(at)).bind(micros(at));
            }
            q.execute(p).await?;
        });
        first = last;
    }
    Ok(())
}

/// Ends every subscription of `channel` (benchmarks measure one channel at a time).
pub async fn unsubscribe_channel(store: &Store, channel: &str, at: jiff::Timestamp) -> Result<()> {
    use crate::{micros, write_pool};
    write_pool!(store, p => sqlx::query("UPDATE status_subscribers SET unsubscribed_at = $1 WHERE channel = $2")
        .bind(micros(at)).bind(channel).execute(p).await.map(|_| ()))?;
    Ok(())
}

/// Puts every automated step of a run back to pending, as if it had never run (to show that
/// running the steps again changes nothing).
pub async fn reopen_automated_steps(store: &Store, run: i64) -> Result<u64> {
    use crate::write_pool;
    Ok(write_pool!(store, p => sqlx::query(
        "UPDATE onboarding_steps SET state = 'pending', lease_until = NULL, not_before = 0 WHERE run_id = $1 AND action <> 'manual'",
    ).bind(run).execute(p).await.map(|r| r.rows_affected()))?)
}

/// Adds an organisation (in Sweden) with one contract in force since 2026-01-01 for one
/// support product (`SUPPORT-premium`, …), for tests and benches that need a customer of a
/// tier. Gives the organisation.
pub async fn customer_of_tier(
    store: &Store,
    name: &str,
    support_product: &str,
    at: jiff::Timestamp,
) -> Result<varde_core::ids::OrganizationId> {
    use varde_core::contract::{ContractForm, ProductLineForm};
    use varde_core::customer::OrganizationForm;
    let invalid = |e: varde_core::form::FieldErrors| crate::StoreError::Conflict(e);
    let org = store
        .create_organization(
            "test",
            &OrganizationForm {
                name: name.into(),
                country: "SE".into(),
                ..Default::default()
            }
            .parse()
            .map_err(invalid)?,
            at,
        )
        .await?;
    store
        .create_contract(
            "test",
            org.id,
            &ContractForm {
                reference: format!("{name}-1"),
                signed_on: "2026-01-01".into(),
                starts_on: "2026-01-01".into(),
                lines: vec![ProductLineForm {
                    product_code: support_product.into(),
                    quantity: "1".into(),
                    site: String::new(),
                }],
                ..Default::default()
            }
            .parse()
            .map_err(invalid)?,
            at,
        )
        .await?;
    Ok(org.id)
}

/// A fingerprint of every table's content on SQLite: per table, its rows and the total length
/// of their quoted values. Two equal fingerprints mean (for tests) that nothing was written;
/// a test that runs every GET route compares one taken before with one taken after.
/// Bookkeeping of use (a token's `last_used_at`) is left out: reading is allowed to note when
/// a credential was last used.
pub async fn fingerprint(store: &Store) -> Result<Vec<(String, i64, f64)>> {
    use crate::read_pool;
    let crate::Engine::Sqlite { .. } = &store.engine else {
        return Ok(vec![]);
    };
    let tables: Vec<String> = read_pool!(store, p => sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name <> '_sqlx_migrations' ORDER BY name",
    ).fetch_all(p).await)?;
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<String> = read_pool!(store, p => sqlx::query_scalar(
            "SELECT name FROM pragma_table_info($1)",
        ).bind(&table).fetch_all(p).await)?;
        let quoted = columns
            .iter()
            .filter(|c| c.as_str() != "last_used_at")
            .map(|c| format!("length(quote(\"{c}\"))"))
            .collect::<Vec<_>>()
            .join(" + ");
        let sql = format!("SELECT count(*), total({quoted}) FROM \"{table}\"");
        let (rows, size): (i64, f64) =
            read_pool!(store, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(p).await)?;
        out.push((table, rows, size));
    }
    Ok(out)
}

/// How many texts wait to be indexed (SQLite's `text_to_index`; PostgreSQL indexes text as it
/// is written, so none waits there).
pub async fn text_waiting(store: &Store) -> Result<i64> {
    match &store.engine {
        crate::Engine::Sqlite { read, .. } => {
            Ok(sqlx::query_scalar("SELECT count(*) FROM text_to_index")
                .fetch_one(read)
                .await?)
        }
        crate::Engine::Postgres(_) => Ok(0),
    }
}
