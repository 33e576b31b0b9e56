//! Macros (`varde_core::macros`): kept by administrators, read for every ticket page.

use jiff::Timestamp;
use varde_core::macros::{Macro, MacroDetails, MacroKind, OwnerAction};
use varde_core::ticket::lifecycle::Status;
use varde_core::values::Language;

use crate::{Result, Store, StoreError, micros, read_pool, write_pool};

type MacroRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
);

const COLUMNS: &str = "id, name, queue, language, kind, body, status, owner_action";

fn from_row(r: MacroRow) -> Result<Macro> {
    let corrupt = |what: &str, e: varde_core::values::Invalid| {
        StoreError::Corrupt(format!("macro {}: {what}: {}", r.0, e.0))
    };
    Ok(Macro {
        id: r.0,
        details: MacroDetails {
            name: r.1.clone(),
            queue: r.2.clone(),
            language: r
                .3
                .as_deref()
                .map(Language::parse)
                .transpose()
                .map_err(|e| corrupt("language", e))?,
            kind: MacroKind::parse(&r.4).map_err(|e| corrupt("kind", e))?,
            body: r.5.clone(),
            status: r
                .6
                .as_deref()
                .map(Status::parse)
                .transpose()
                .map_err(|e| corrupt("status", e))?,
            owner: OwnerAction::parse(&r.7).map_err(|e| corrupt("owner", e))?,
        },
    })
}

impl Store {
    /// Every macro, by name.
    pub async fn macros(&self) -> Result<Vec<Macro>> {
        let sql = format!("SELECT {COLUMNS} FROM macros ORDER BY name_key, id");
        let rows: Vec<MacroRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(from_row).collect()
    }

    pub async fn macro_by_id(&self, id: i64) -> Result<Option<Macro>> {
        let sql = format!("SELECT {COLUMNS} FROM macros WHERE id = $1");
        let row: Option<MacroRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(from_row).transpose()
    }

    /// Adds a macro (`id` None) or replaces one; gives its id. A name another macro has is a
    /// conflict on `name`.
    pub async fn save_macro(
        &self,
        id: Option<i64>,
        m: &MacroDetails,
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let values = (
            &m.name,
            m.queue.as_deref(),
            m.language.map(|l| l.code()),
            m.kind.code(),
            &m.body,
            m.status.map(|s| s.code()),
            m.owner.code(),
        );
        let sql = match id {
            None => {
                "INSERT INTO macros (name, queue, language, kind, body, status, owner_action, updated_by, updated_at, name_key) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
            }
            Some(_) => {
                "UPDATE macros SET name = $1, queue = $2, language = $3, kind = $4, body = $5, status = $6, \
                        owner_action = $7, updated_by = $8, updated_at = $9, name_key = $10 WHERE id = $11 RETURNING id"
            }
        };
        let saved: Option<i64> = write_pool!(self, p => {
            let mut q = sqlx::query_scalar(sql)
                .bind(values.0).bind(values.1).bind(values.2).bind(values.3).bind(values.4).bind(values.5).bind(values.6)
                .bind(by).bind(micros(now)).bind(m.name.to_lowercase());
            if let Some(id) = id {
                q = q.bind(id);
            }
            q.fetch_optional(p).await
        })
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                let mut f = varde_core::form::FieldErrors::new();
                f.add("name", "another macro has this name");
                StoreError::Conflict(f)
            }
            other => other,
        })?;
        saved.ok_or(StoreError::NotFound)
    }

    /// Removes a macro; false when there was none.
    pub async fn delete_macro(&self, id: i64) -> Result<bool> {
        let n = write_pool!(self, p => sqlx::query("DELETE FROM macros WHERE id = $1").bind(id).execute(p).await?.rows_affected());
        Ok(n == 1)
    }
}
