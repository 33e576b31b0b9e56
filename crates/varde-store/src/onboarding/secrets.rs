//! The sealed secrets made for a customer's contacts, and the one-time links that show them
//! once and wipe them.

use jiff::Timestamp;
use varde_core::ids::ContactId;

use super::SealedSecret;
use crate::{Result, Store, micros, read_pool, write_pool};

impl Store {
    /// Keeps a sealed secret for a contact, replacing one under the same label.
    pub async fn keep_secret(&self, run: i64, secret: &SealedSecret, now: Timestamp) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO onboarding_secrets (run_id, contact_id, label, public_part, sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (run_id, contact_id, label) DO UPDATE SET public_part = excluded.public_part, sealed = excluded.sealed, \
             created_at = excluded.created_at, revealed_at = NULL",
        ).bind(run).bind(secret.contact.0).bind(&secret.label).bind(&secret.public_part).bind(&secret.sealed).bind(micros(now))
        .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// A contact's secrets in a run, sealed (revealed ones have an empty `sealed`).
    pub async fn secrets_of(&self, run: i64, contact: ContactId) -> Result<Vec<SealedSecret>> {
        let rows: Vec<(String, String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT label, public_part, sealed FROM onboarding_secrets WHERE run_id = $1 AND contact_id = $2 ORDER BY id",
        ).bind(run).bind(contact.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(label, public_part, sealed)| SealedSecret {
                contact,
                label,
                public_part,
                sealed,
            })
            .collect())
    }

    /// Wipes the secrets nobody can still collect: their run is over and no open link
    /// leads to them. Gives how many were wiped.
    pub async fn wipe_uncollectable_secrets(&self, now: Timestamp) -> Result<u64> {
        Ok(write_pool!(self, p => sqlx::query(
            "UPDATE onboarding_secrets SET sealed = '' WHERE sealed <> '' \
             AND run_id IN (SELECT id FROM onboarding_runs WHERE status <> 'running') \
             AND NOT EXISTS (SELECT 1 FROM onboarding_links l WHERE l.run_id = onboarding_secrets.run_id \
                             AND l.contact_id = onboarding_secrets.contact_id AND l.used_at IS NULL AND l.expires_at > $1)",
        ).bind(micros(now)).execute(p).await.map(|r| r.rows_affected()))?)
    }

    /// Records a one-time link to a contact's secrets (its token's SHA-256).
    pub async fn add_secret_link(
        &self,
        token_hash: &str,
        run: i64,
        contact: ContactId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO onboarding_links (token_hash, run_id, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        ).bind(token_hash).bind(run).bind(contact.0).bind(micros(now)).bind(micros(expires_at)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The contact a link is for, and whether it can still be opened (unused, not expired);
    /// None for a link that never was.
    pub async fn secret_link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(ContactId, bool)>> {
        let row: Option<(i64, Option<i64>, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT contact_id, used_at, expires_at FROM onboarding_links WHERE token_hash = $1",
        ).bind(token_hash).fetch_optional(p).await)?;
        Ok(row.map(|(contact, used, expires)| {
            (ContactId(contact), used.is_none() && expires > micros(now))
        }))
    }

    /// Opens a one-time link: gives the contact's sealed secrets and, in the same
    /// transaction, uses the link up and wipes them. `None` when the link is unknown, used
    /// or expired.
    pub async fn reveal_secrets(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Vec<SealedSecret>>> {
        let found: Option<Vec<(i64, String, String, String)>> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let link: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE onboarding_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING run_id, contact_id",
            ).bind(micros(now)).bind(token_hash).fetch_optional(&mut *tx).await?;
            match link {
                None => None,
                Some((run, contact)) => {
                    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                        "SELECT contact_id, label, public_part, sealed FROM onboarding_secrets WHERE run_id = $1 AND contact_id = $2 AND sealed <> '' ORDER BY id",
                    ).bind(run).bind(contact).fetch_all(&mut *tx).await?;
                    sqlx::query("UPDATE onboarding_secrets SET sealed = '', revealed_at = $1 WHERE run_id = $2 AND contact_id = $3 AND sealed <> ''")
                        .bind(micros(now)).bind(run).bind(contact).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO onboarding_events (run_id, at, actor, message) VALUES ($1, $2, 'customer', $3)")
                        .bind(run).bind(micros(now)).bind(format!("contact {contact} opened their one-time link ({} secrets shown)", rows.len()))
                        .execute(&mut *tx).await?;
                    tx.commit().await?;
                    Some(rows)
                }
            }
        });
        Ok(found.map(|rows| {
            rows.into_iter()
                .map(|(contact, label, public_part, sealed)| SealedSecret {
                    contact: ContactId(contact),
                    label,
                    public_part,
                    sealed,
                })
                .collect()
        }))
    }
}
