//! Queues and the custom fields defined for them.

use jiff::Timestamp;

use super::Queue;
use crate::{Result, Store, StoreError, micros, read_pool, write_pool};

/// A custom field's definition as stored: its allowed values one per line.
fn custom_field_def(
    name: String,
    allowed: &str,
) -> varde_core::ticket::custom_fields::CustomFieldDef {
    varde_core::ticket::custom_fields::CustomFieldDef {
        name,
        allowed: allowed
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

/// What a queue is looked up by: a number is an id (and no name), anything else a name
/// (and no id), as RT's `Load` reads it; so a queue named like another's number is never the
/// one found.
fn queue_key(name_or_id: &str) -> (String, i64) {
    let key = name_or_id.trim().to_lowercase();
    match key.parse::<i64>() {
        Ok(id) => (String::new(), id),
        Err(_) => (key, -1),
    }
}

impl Store {
    pub async fn queues(&self) -> Result<Vec<Queue>> {
        let rows: Vec<(i64, String, String, String, String, bool)> = self.rows(
            "SELECT id, name, description, correspond_address, comment_address, disabled FROM queues ORDER BY name_key",
            vec![],
        ).await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, description, correspond_address, comment_address, disabled)| Queue {
                    id,
                    name,
                    description,
                    correspond_address,
                    comment_address,
                    disabled,
                },
            )
            .collect())
    }

    /// A queue by numeric id, or else by name (case-insensitive), as RT loads one: one
    /// indexed lookup.
    pub async fn queue(&self, name_or_id: &str) -> Result<Option<Queue>> {
        let (key, id) = queue_key(name_or_id);
        let row: Option<(i64, String, String, String, String, bool)> = self.row(
            "SELECT id, name, description, correspond_address, comment_address, disabled FROM queues WHERE name_key = $1 OR id = $2",
            vec![key.into(), id.into()],
        ).await?;
        Ok(row.map(
            |(id, name, description, correspond_address, comment_address, disabled)| Queue {
                id,
                name,
                description,
                correspond_address,
                comment_address,
                disabled,
            },
        ))
    }

    pub async fn create_queue(
        &self,
        name: &str,
        description: &str,
        correspond_address: &str,
        comment_address: &str,
        now: Timestamp,
    ) -> Result<Queue> {
        if self.queue(name).await?.is_some() {
            return Err(crate::conflict("name", format!("a queue {name} exists")));
        }
        write_pool!(self, p => sqlx::query(
            "INSERT INTO queues (name, name_key, description, correspond_address, comment_address, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        ).bind(name.trim()).bind(name.trim().to_lowercase()).bind(description).bind(correspond_address).bind(comment_address).bind(micros(now))
        .execute(p).await.map(|_| ()))?;
        self.queue(name).await?.ok_or(StoreError::NotFound)
    }

    /// Sets a queue's description, addresses and whether it is disabled (its name stays).
    pub async fn update_queue(
        &self,
        id: i64,
        details: &varde_core::ticket::queue::QueueDetails,
        disabled: bool,
    ) -> Result<Queue> {
        let n = write_pool!(self, p => sqlx::query(
            "UPDATE queues SET description = $1, correspond_address = $2, comment_address = $3, disabled = $4 WHERE id = $5",
        ).bind(&details.description).bind(&details.correspond_address).bind(&details.comment_address).bind(disabled).bind(id)
        .execute(p).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.queue(&id.to_string())
            .await?
            .ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// The custom fields defined for a queue, in order.
    /// A queue and the custom fields defined for it, in one read (what opening a ticket needs).
    pub async fn queue_with_custom_fields(
        &self,
        name_or_id: &str,
    ) -> Result<
        Option<(
            Queue,
            Vec<varde_core::ticket::custom_fields::CustomFieldDef>,
        )>,
    > {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            bool,
            Option<String>,
            Option<String>,
        );
        let (key, id) = queue_key(name_or_id);
        let rows: Vec<Row> = self.rows(
            "SELECT q.id, q.name, q.description, q.correspond_address, q.comment_address, q.disabled, f.name, f.allowed \
             FROM queues q LEFT JOIN queue_custom_fields f ON f.queue_key = q.name_key \
             WHERE q.name_key = $1 OR q.id = $2 ORDER BY f.position, f.name",
            vec![key.into(), id.into()],
        ).await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let queue = Queue {
            id: first.0,
            name: first.1.clone(),
            description: first.2.clone(),
            correspond_address: first.3.clone(),
            comment_address: first.4.clone(),
            disabled: first.5,
        };
        let fields = rows
            .into_iter()
            .filter_map(|r| Some(custom_field_def(r.6?, &r.7?)))
            .collect();
        Ok(Some((queue, fields)))
    }

    pub async fn queue_custom_fields(
        &self,
        queue: &str,
    ) -> Result<Vec<varde_core::ticket::custom_fields::CustomFieldDef>> {
        let rows: Vec<(String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT name, allowed FROM queue_custom_fields WHERE queue_key = $1 ORDER BY position, name",
        ).bind(queue.trim().to_lowercase()).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(name, allowed)| custom_field_def(name, &allowed))
            .collect())
    }

    /// Replaces the custom fields defined for a queue. Values already on tickets stay; a field
    /// that stays (its name in any case) keeps its number.
    pub async fn set_queue_custom_fields(
        &self,
        queue: &str,
        defs: &[varde_core::ticket::custom_fields::CustomFieldDef],
    ) -> Result<()> {
        let key = queue.trim().to_lowercase();
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            // Claims the queue's row first (PostgreSQL), so two replacements run one after the
            // other instead of each keeping its own list.
            sqlx::query("UPDATE queues SET name_key = name_key WHERE name_key = $1").bind(&key).execute(&mut *tx).await?;
            let kept: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM queue_custom_fields WHERE queue_key = $1").bind(&key).fetch_all(&mut *tx).await?;
            let same = |d: &varde_core::ticket::custom_fields::CustomFieldDef, name: &str| d.name.trim().eq_ignore_ascii_case(name);
            for (id, name) in &kept {
                // A field that stays, in any case, keeps its number.
                match defs.iter().enumerate().find(|(_, d)| same(d, name)) {
                    Some((i, d)) => sqlx::query("UPDATE queue_custom_fields SET name = $1, position = $2, allowed = $3 WHERE id = $4")
                        .bind(d.name.trim()).bind(i as i64).bind(d.allowed.join("\n")).bind(id).execute(&mut *tx).await?,
                    None => sqlx::query("DELETE FROM queue_custom_fields WHERE id = $1").bind(id).execute(&mut *tx).await?,
                };
            }
            for (i, d) in defs.iter().enumerate().filter(|(_, d)| !kept.iter().any(|(_, n)| same(d, n))) {
                sqlx::query("INSERT INTO queue_custom_fields (queue_key, name, position, allowed) VALUES ($1, $2, $3, $4)")
                    .bind(&key).bind(d.name.trim()).bind(i as i64).bind(d.allowed.join("\n"))
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every queue's custom fields with their numbers and the queue each belongs to, by number.
    pub async fn custom_fields(&self) -> Result<Vec<NumberedField>> {
        let rows: Vec<(i64, String, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT f.id, q.name, f.name, f.position, f.allowed FROM queue_custom_fields f \
             JOIN queues q ON q.name_key = f.queue_key ORDER BY f.id",
        ).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, queue, name, position, allowed)| NumberedField {
                id,
                queue,
                position,
                def: custom_field_def(name, &allowed),
            })
            .collect())
    }
}

/// A custom field with its number, as RT's clients name it, and its queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberedField {
    pub id: i64,
    /// The queue's name.
    pub queue: String,
    /// Its place among the queue's fields, from 0.
    pub position: i64,
    pub def: varde_core::ticket::custom_fields::CustomFieldDef,
}
