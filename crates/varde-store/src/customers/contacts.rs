//! An organisation's contacts.

use jiff::Timestamp;
use varde_core::audit::{changes, removal};
use varde_core::contact::{Contact, ContactDetails};
use varde_core::ids::{ContactId, OrganizationId};
use varde_core::values::EmailAddress;

use crate::rows::{CONTACT_COLUMNS, ContactRow};
use crate::{Result, Store, StoreError, conflict, micros, read_pool, write_pool};

impl Store {
    pub async fn create_contact(
        &self,
        actor: &str,
        org: OrganizationId,
        d: &ContactDetails,
        now: Timestamp,
    ) -> Result<Contact> {
        if self.organization(org).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let id: Option<i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM contacts WHERE email = $1").bind(d.email.as_str()).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                None
            } else {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO contacts (organization_id, name, email, phone, roles, language, portal_access, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                )
                .bind(org.0)
                .bind(&d.name)
                .bind(d.email.as_str())
                .bind(d.phone.as_ref().map(|p| p.as_str()))
                .bind(d.roles_text())
                .bind(d.language.code())
                .bind(d.portal_access)
                .bind(micros(now))
                .fetch_one(&mut *tx)
                .await?;
                audit!(tx, now, Some(org.0), "contact", id, "created", actor, &changes(None, &d.audit_fields()));
                tx.commit().await?;
                Some(id)
            }
        });
        let id =
            id.ok_or_else(|| conflict("email", format!("a contact with {} exists", d.email)))?;
        self.contact(ContactId(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn update_contact(
        &self,
        actor: &str,
        id: ContactId,
        d: &ContactDetails,
        now: Timestamp,
    ) -> Result<Contact> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1{}",
            self.row_lock()
        );
        let ok: bool = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let row: Option<ContactRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await?;
            let before = row.ok_or(StoreError::NotFound)?.into_contact()?;
            let diff = changes(Some(&before.details.audit_fields()), &d.audit_fields());
            if diff.is_empty() {
                return Ok(before);
            }
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM contacts WHERE email = $1 AND id <> $2").bind(d.email.as_str()).bind(id.0).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                false
            } else {
                sqlx::query("UPDATE contacts SET name = $1, email = $2, phone = $3, roles = $4, language = $5, portal_access = $6, updated_at = $7 WHERE id = $8")
                    .bind(&d.name)
                    .bind(d.email.as_str())
                    .bind(d.phone.as_ref().map(|p| p.as_str()))
                    .bind(d.roles_text())
                    .bind(d.language.code())
                    .bind(d.portal_access)
                    .bind(micros(now))
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                audit!(tx, now, Some(before.organization.0), "contact", id.0, "updated", actor, &diff);
                tx.commit().await?;
                true
            }
        });
        if !ok {
            return Err(conflict(
                "email",
                format!("a contact with {} exists", d.email),
            ));
        }
        self.contact(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn delete_contact(&self, actor: &str, id: ContactId, now: Timestamp) -> Result<()> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1{}",
            self.row_lock()
        );
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let row: Option<ContactRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await?;
            let before = row.ok_or(StoreError::NotFound)?.into_contact()?;
            sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
            audit!(tx, now, Some(before.organization.0), "contact", id.0, "deleted", actor, &removal(&before.details.audit_fields()));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1");
        let row: Option<ContactRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await)?;
        row.map(ContactRow::into_contact).transpose()
    }

    /// The contact with this e-mail address, for matching incoming mail and portal accounts.
    pub async fn contact_by_email(&self, email: &EmailAddress) -> Result<Option<Contact>> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE email = $1");
        let row: Option<ContactRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email.as_str()).fetch_optional(p).await)?;
        row.map(ContactRow::into_contact).transpose()
    }

    pub async fn contacts_of(&self, org: OrganizationId) -> Result<Vec<Contact>> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE organization_id = $1 ORDER BY name, id"
        );
        let rows: Vec<ContactRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.0).fetch_all(p).await)?;
        rows.into_iter().map(ContactRow::into_contact).collect()
    }
}
