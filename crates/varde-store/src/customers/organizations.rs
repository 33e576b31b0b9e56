//! Organisations: created, changed, removed, found and listed.

use jiff::Timestamp;
use varde_core::audit::{changes, removal};
use varde_core::customer::{Organization, OrganizationDetails};
use varde_core::ids::OrganizationId;
use varde_core::values::EmailAddress;

use super::*;
use crate::rows::{ORGANIZATION_COLUMNS, OrganizationRow};
use crate::{Result, Store, StoreError, conflict, micros, read_pool, write_pool};

impl Store {
    pub async fn create_organization(
        &self,
        actor: &str,
        d: &OrganizationDetails,
        now: Timestamp,
    ) -> Result<Organization> {
        let outcome: std::result::Result<i64, String> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organizations (name, name_key, org_number, country, sector, framework, language, mail_domains, lifecycle, service_manager_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(&d.name)
            .bind(name_key(&d.name))
            .bind(d.org_number.as_ref().map(|n| n.as_str()))
            .bind(d.country.as_str())
            .bind(d.sector.code())
            .bind(d.framework.code())
            .bind(d.language.code())
            .bind(domains_text(d))
            .bind(d.lifecycle.code())
            .bind(d.service_manager.map(|u| u.0))
            .bind(micros(now))
            .fetch_one(&mut *tx)
            .await?;
            match sync_domains!(tx, id, d.mail_domains) {
                Some(clash) => Err(clash),
                None => {
                    audit!(tx, now, Some(id), "organization", id, "created", actor, &changes(None, &d.audit_fields()));
                    tx.commit().await?;
                    Ok(id)
                }
            }
        });
        let id = outcome.map_err(|m| conflict("mail_domains", m))?;
        self.organization(OrganizationId(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn update_organization(
        &self,
        actor: &str,
        id: OrganizationId,
        d: &OrganizationDetails,
        now: Timestamp,
    ) -> Result<Organization> {
        let sql = format!(
            "SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE id = $1{}",
            self.row_lock()
        );
        let outcome: std::result::Result<(), String> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let row: Option<OrganizationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await?;
            let before = row.ok_or(StoreError::NotFound)?.into_organization()?;
            let diff = changes(Some(&before.details.audit_fields()), &d.audit_fields());
            if diff.is_empty() {
                return Ok(before);
            }
            sqlx::query(
                "UPDATE organizations SET name = $1, name_key = $2, org_number = $3, country = $4, sector = $5, framework = $6, \
                 language = $7, mail_domains = $8, lifecycle = $9, service_manager_id = $10, updated_at = $11 WHERE id = $12",
            )
            .bind(&d.name)
            .bind(name_key(&d.name))
            .bind(d.org_number.as_ref().map(|n| n.as_str()))
            .bind(d.country.as_str())
            .bind(d.sector.code())
            .bind(d.framework.code())
            .bind(d.language.code())
            .bind(domains_text(d))
            .bind(d.lifecycle.code())
            .bind(d.service_manager.map(|u| u.0))
            .bind(micros(now))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
            match sync_domains!(tx, id.0, d.mail_domains) {
                Some(clash) => Err(clash),
                None => {
                    audit!(tx, now, Some(id.0), "organization", id.0, "updated", actor, &diff);
                    tx.commit().await?;
                    Ok(())
                }
            }
        });
        outcome.map_err(|m| conflict("mail_domains", m))?;
        self.organization(id).await?.ok_or(StoreError::NotFound)
    }

    /// Removes an organisation with its contacts and contracts. The audit history stays.
    pub async fn delete_organization(
        &self,
        actor: &str,
        id: OrganizationId,
        now: Timestamp,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE id = $1{}",
            self.row_lock()
        );
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let row: Option<OrganizationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await?;
            let before = row.ok_or(StoreError::NotFound)?.into_organization()?;
            sqlx::query("UPDATE users SET disabled = TRUE WHERE organization_id = $1").bind(id.0).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM organizations WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
            audit!(tx, now, Some(id.0), "organization", id.0, "deleted", actor, &removal(&before.details.audit_fields()));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn organization(&self, id: OrganizationId) -> Result<Option<Organization>> {
        let sql = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE id = $1");
        let row: Option<OrganizationRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await)?;
        row.map(OrganizationRow::into_organization).transpose()
    }

    /// Every organisation, by id (for runs over the whole customer base).
    pub async fn all_organizations(&self) -> Result<Vec<Organization>> {
        let sql = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations ORDER BY id");
        let rows: Vec<OrganizationRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter()
            .map(OrganizationRow::into_organization)
            .collect()
    }

    /// An organisation by its id, its organisation number, its name, or the start of its name
    /// when only one name starts so (as the CLI takes it).
    pub async fn find_organization(&self, key: &str) -> Result<Option<OrganizationId>> {
        let key = key.trim();
        let id: Option<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM organizations WHERE CAST(id AS TEXT) = $1 OR org_number = $1 OR name_key = $2 ORDER BY id LIMIT 1",
        ).bind(key).bind(name_key(key)).fetch_optional(p).await)?;
        if id.is_some() || key.is_empty() {
            return Ok(id.map(OrganizationId));
        }
        let starts: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM organizations WHERE substr(name_key, 1, length($1)) = $1 LIMIT 2",
        ).bind(name_key(key)).fetch_all(p).await)?;
        Ok((starts.len() == 1).then(|| OrganizationId(starts[0])))
    }

    /// The organisation that mail from `addresses` belongs to: the first address that is a
    /// contact's, else the first whose domain is an organisation's mail domain. One read.
    pub async fn organization_of_addresses(
        &self,
        addresses: &[EmailAddress],
    ) -> Result<Option<OrganizationId>> {
        if addresses.is_empty() {
            return Ok(None);
        }
        let style = self.placeholders();
        let domains: Vec<MailDomain> = addresses.iter().map(EmailAddress::domain).collect();
        let list = |from: usize| {
            (0..addresses.len())
                .map(|i| style.nth(from + i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!(
            "SELECT 0, email, organization_id FROM contacts WHERE email IN ({}) \
             UNION ALL SELECT 1, domain, organization_id FROM organization_domains WHERE domain IN ({})",
            list(1),
            list(1 + addresses.len())
        );
        let values = addresses
            .iter()
            .map(|a| a.as_str().into())
            .chain(domains.iter().map(|d| d.as_str().into()))
            .collect();
        let rows: Vec<(i32, String, i64)> = self.rows(&sql, values).await?;
        let found = |by_domain: i32, key: &str| {
            rows.iter()
                .find(|(k, v, _)| *k == by_domain && v == key)
                .map(|(_, _, o)| OrganizationId(*o))
        };
        Ok(addresses
            .iter()
            .find_map(|a| found(0, a.as_str()))
            .or_else(|| domains.iter().find_map(|d| found(1, d.as_str()))))
    }

    pub async fn organization_by_domain(
        &self,
        domain: &MailDomain,
    ) -> Result<Option<OrganizationId>> {
        let id: Option<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT organization_id FROM organization_domains WHERE domain = $1").bind(domain.as_str()).fetch_optional(p).await)?;
        Ok(id.map(OrganizationId))
    }

    pub async fn count_organizations(&self) -> Result<i64> {
        Ok(
            read_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(p).await)?,
        )
    }

    pub async fn list_organizations(&self, q: &OrganizationQuery) -> Result<Page<Organization>> {
        enum Arg {
            Text(String),
            Int(i64),
        }
        let mut sql =
            format!("SELECT {ORGANIZATION_COLUMNS}, name_key FROM organizations WHERE 1=1");
        let mut args: Vec<Arg> = Vec::new();
        let mut push = |sql: &mut String, clause: &str, arg: Arg| {
            args.push(arg);
            sql.push_str(&clause.replace("$?", &format!("${}", args.len())));
        };
        match q.visibility {
            Visibility::All => {}
            Visibility::Only(o)
            | Visibility::Theirs {
                organization: o, ..
            } => push(&mut sql, " AND id = $?", Arg::Int(o.0)),
            Visibility::Nothing => {
                return Ok(Page {
                    items: vec![],
                    next_cursor: None,
                });
            }
        }
        if let Some(t) = q.text.as_deref().filter(|t| !t.trim().is_empty()) {
            let pat = like_pattern(t);
            push(
                &mut sql,
                " AND (name_key LIKE $? ESCAPE '\\'",
                Arg::Text(pat.clone()),
            );
            push(
                &mut sql,
                " OR lower(COALESCE(org_number, '')) LIKE $? ESCAPE '\\'",
                Arg::Text(pat.clone()),
            );
            push(
                &mut sql,
                " OR mail_domains LIKE $? ESCAPE '\\')",
                Arg::Text(pat),
            );
        }
        if let Some(c) = q.country.as_deref().filter(|c| !c.trim().is_empty()) {
            push(
                &mut sql,
                " AND country = $?",
                Arg::Text(c.trim().to_ascii_uppercase()),
            );
        }
        if let Some(s) = q.sector {
            push(&mut sql, " AND sector = $?", Arg::Text(s.code().into()));
        }
        if let Some(f) = q.framework {
            push(&mut sql, " AND framework = $?", Arg::Text(f.code().into()));
        }
        if let Some(l) = q.lifecycle {
            push(&mut sql, " AND lifecycle = $?", Arg::Text(l.code().into()));
        }
        if let Some((key, id)) = q.after.as_deref().and_then(decode_cursor) {
            push(&mut sql, " AND (name_key > $?", Arg::Text(key.clone()));
            push(&mut sql, " OR (name_key = $?", Arg::Text(key));
            push(&mut sql, " AND id > $?))", Arg::Int(id));
        }
        let limit = q.limit.clamp(1, 500);
        sql.push_str(&format!(" ORDER BY name_key, id LIMIT {}", limit + 1));

        #[derive(sqlx::FromRow)]
        struct Listed {
            #[sqlx(flatten)]
            row: OrganizationRow,
            name_key: String,
        }
        let rows: Vec<Listed> = read_pool!(self, p => {
            let mut query = sqlx::query_as::<_, Listed>(sqlx::AssertSqlSafe(sql));
            for a in &args {
                query = match a {
                    Arg::Text(s) => query.bind(s.clone()),
                    Arg::Int(i) => query.bind(*i),
                };
            }
            query.fetch_all(p).await
        })?;
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len());
        let mut last = None;
        for r in rows.into_iter().take(limit as usize) {
            last = Some((r.name_key.clone(), r.row.id));
            items.push(r.row.into_organization()?);
        }
        let next_cursor = if more {
            last.map(|(k, id)| encode_cursor(&k, id))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}
