//! What an organisation chose for its portal, and who of its contacts may open tickets.

use jiff::Timestamp;
use varde_core::access::TicketSight;
use varde_core::audit::changes;
use varde_core::ids::{ContactId, OrganizationId};
use varde_core::portal_settings::PortalSettings;

use crate::{Result, Store, StoreError, micros, read_pool, write_pool};

type SettingsRow = (bool, bool);

fn settings((own_only, notices): SettingsRow) -> PortalSettings {
    PortalSettings {
        sight: if own_only {
            TicketSight::Own
        } else {
            TicketSight::Organization
        },
        incident_notices: notices,
    }
}

impl Store {
    /// The organisation's portal settings (the defaults until it chose).
    pub async fn portal_settings(&self, org: OrganizationId) -> Result<PortalSettings> {
        let row: Option<SettingsRow> = read_pool!(self, p => sqlx::query_as(
            "SELECT own_tickets_only, incident_notices FROM portal_settings WHERE organization_id = $1",
        ).bind(org.0).fetch_optional(p).await)?;
        Ok(row.map(settings).unwrap_or_default())
    }

    /// Sets the organisation's portal settings, with the change in its audit history.
    pub async fn set_portal_settings(
        &self,
        actor: &str,
        org: OrganizationId,
        to: &PortalSettings,
        now: Timestamp,
    ) -> Result<()> {
        let lock = self.row_lock();
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            // The organisation's row is the lock: two changes at once are one after the other.
            let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM organizations WHERE id = $1{lock}")))
                .bind(org.0).fetch_optional(&mut *tx).await?;
            found.ok_or(StoreError::NotFound)?;
            let row: Option<SettingsRow> = sqlx::query_as("SELECT own_tickets_only, incident_notices FROM portal_settings WHERE organization_id = $1")
                .bind(org.0).fetch_optional(&mut *tx).await?;
            let before = row.map(settings).unwrap_or_default();
            let diff = changes(Some(&before.audit_fields()), &to.audit_fields());
            if diff.is_empty() {
                return Ok(());
            }
            sqlx::query(
                "INSERT INTO portal_settings (organization_id, own_tickets_only, incident_notices, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (organization_id) DO UPDATE SET own_tickets_only = excluded.own_tickets_only, \
                 incident_notices = excluded.incident_notices, updated_at = excluded.updated_at",
            )
            .bind(org.0).bind(to.sight == TicketSight::Own).bind(to.incident_notices).bind(micros(now))
            .execute(&mut *tx).await?;
            super::audit!(tx, now, Some(org.0), "portal settings", org.0, "updated", actor, &diff);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether a contact may open tickets in the portal and through the API, with the change
    /// in its organisation's audit history.
    pub async fn set_opens_tickets(
        &self,
        actor: &str,
        contact: ContactId,
        opens: bool,
        now: Timestamp,
    ) -> Result<()> {
        let lock = self.row_lock();
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let row: Option<(i64, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT organization_id, opens_tickets FROM contacts WHERE id = $1{lock}")))
                .bind(contact.0).fetch_optional(&mut *tx).await?;
            let (org, before) = row.ok_or(StoreError::NotFound)?;
            if before == opens {
                return Ok(());
            }
            sqlx::query("UPDATE contacts SET opens_tickets = $1, updated_at = $2 WHERE id = $3")
                .bind(opens).bind(micros(now)).bind(contact.0).execute(&mut *tx).await?;
            let diff = changes(
                Some(&[("opens_tickets", before.to_string())]),
                &[("opens_tickets", opens.to_string())],
            );
            super::audit!(tx, now, Some(org), "contact", contact.0, "updated", actor, &diff);
            tx.commit().await?;
        });
        Ok(())
    }
}
