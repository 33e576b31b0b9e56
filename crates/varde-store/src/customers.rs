//! The customer database: organisations, contacts, contracts, and the audit history that
//! records every change to them.

use jiff::Timestamp;
use varde_core::access::Visibility;
use varde_core::audit::{Change, changes, removal};
use varde_core::contact::{Contact, ContactDetails};
use varde_core::contract::{Contract, ContractDetails};
use varde_core::customer::{
    FrameworkAgreement, Lifecycle, Organization, OrganizationDetails, Sector,
};
use varde_core::ids::{ContactId, ContractId, OrganizationId};
use varde_core::values::{EmailAddress, MailDomain};

use crate::rows::{
    CONTACT_COLUMNS, CONTRACT_COLUMNS, ContactRow, ContractRow, ORGANIZATION_COLUMNS,
    OrganizationRow, ProductLineRow,
};
use crate::{Result, Store, StoreError, conflict, from_micros, micros, read_pool, write_pool};

/// One entry of the audit history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: Timestamp,
    pub organization: Option<OrganizationId>,
    /// `organization`, `contact` or `contract`.
    pub entity: String,
    pub entity_id: i64,
    /// `created`, `updated` or `deleted`.
    pub action: String,
    /// Who made the change: an account's e-mail address, or `import` with the importer's.
    pub actor: String,
    pub changes: Vec<Change>,
}

/// Filters for listing organisations, ordered by name.
#[derive(Clone, Debug)]
pub struct OrganizationQuery {
    pub visibility: Visibility,
    /// Matches the name, the organisation number or a mail domain, case-insensitively.
    pub text: Option<String>,
    pub country: Option<String>,
    pub sector: Option<Sector>,
    pub framework: Option<FrameworkAgreement>,
    pub lifecycle: Option<Lifecycle>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

impl OrganizationQuery {
    pub fn new(visibility: Visibility) -> OrganizationQuery {
        OrganizationQuery {
            visibility,
            text: None,
            country: None,
            sector: None,
            framework: None,
            lifecycle: None,
            after: None,
            limit: 50,
        }
    }
}

/// One page of a list, and the cursor of the next page if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub(crate) fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn encode_cursor(name_key: &str, id: i64) -> String {
    format!("{}.{id}", hex::encode(name_key))
}

fn decode_cursor(cursor: &str) -> Option<(String, i64)> {
    let (k, id) = cursor.split_once('.')?;
    let key = String::from_utf8(hex::decode(k).ok()?).ok()?;
    Some((key, id.parse().ok()?))
}

fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub(crate) fn changes_json(c: &[Change]) -> String {
    serde_json::Value::Array(
        c.iter()
            .map(|c| serde_json::json!({"field": c.field, "before": c.before, "after": c.after}))
            .collect(),
    )
    .to_string()
}

fn changes_from_json(s: &str) -> Result<Vec<Change>> {
    let v: Vec<serde_json::Value> =
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("audit changes: {e}")))?;
    Ok(v.iter()
        .map(|c| Change {
            field: c["field"].as_str().unwrap_or_default().to_string(),
            before: c["before"].as_str().unwrap_or_default().to_string(),
            after: c["after"].as_str().unwrap_or_default().to_string(),
        })
        .collect())
}

/// Appends one audit event inside the open transaction `$tx`.
macro_rules! audit {
    ($tx:expr, $now:expr, $org:expr, $entity:expr, $entity_id:expr, $action:expr, $actor:expr, $changes:expr) => {
        sqlx::query(
            "INSERT INTO audit_events (at, organization_id, entity, entity_id, action, actor, changes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($crate::micros($now))
        .bind($org)
        .bind($entity)
        .bind($entity_id)
        .bind($action)
        .bind($actor)
        .bind($crate::customers::changes_json($changes))
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use audit;

/// Makes the organisation's mail domains exactly `$domains` inside `$tx`, or yields the
/// conflict when a domain belongs to another organisation.
macro_rules! sync_domains {
    ($tx:expr, $org_id:expr, $domains:expr) => {{
        let mut clash: Option<String> = None;
        for d in $domains.iter() {
            let owner: Option<i64> = sqlx::query_scalar(
                "SELECT organization_id FROM organization_domains WHERE domain = $1",
            )
            .bind(d.as_str())
            .fetch_optional(&mut *$tx)
            .await?;
            if owner.is_some_and(|o| o != $org_id) {
                clash = Some(format!(
                    "{} already belongs to organisation {}",
                    d,
                    owner.unwrap_or_default()
                ));
                break;
            }
        }
        if clash.is_none() {
            sqlx::query("DELETE FROM organization_domains WHERE organization_id = $1")
                .bind($org_id)
                .execute(&mut *$tx)
                .await?;
            for d in $domains.iter() {
                sqlx::query(
                    "INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)",
                )
                .bind(d.as_str())
                .bind($org_id)
                .execute(&mut *$tx)
                .await?;
            }
        }
        clash
    }};
}

pub(crate) fn domains_text(d: &OrganizationDetails) -> String {
    d.mail_domains
        .iter()
        .map(MailDomain::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

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
        let before = self.organization(id).await?.ok_or(StoreError::NotFound)?;
        let diff = changes(Some(&before.details.audit_fields()), &d.audit_fields());
        if diff.is_empty() {
            return Ok(before);
        }
        let outcome: std::result::Result<(), String> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
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
        let before = self.organization(id).await?.ok_or(StoreError::NotFound)?;
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
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

    /// The organisation that owns a mail domain, for matching incoming mail.
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
        let rows: Vec<(i32, String, i64)> = read_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for a in addresses {
                q = q.bind(a.as_str());
            }
            for d in &domains {
                q = q.bind(d.as_str());
            }
            q.fetch_all(p).await
        })?;
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
            Visibility::Only(o) => push(&mut sql, " AND id = $?", Arg::Int(o.0)),
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
        let before = self.contact(id).await?.ok_or(StoreError::NotFound)?;
        let diff = changes(Some(&before.details.audit_fields()), &d.audit_fields());
        if diff.is_empty() {
            return Ok(before);
        }
        let ok: bool = write_pool!(self, p => {
            let mut tx = p.begin().await?;
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
        let before = self.contact(id).await?.ok_or(StoreError::NotFound)?;
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
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

    pub async fn create_contract(
        &self,
        actor: &str,
        org: OrganizationId,
        d: &ContractDetails,
        now: Timestamp,
    ) -> Result<Contract> {
        if self.organization(org).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let id: Option<i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM contracts WHERE reference = $1").bind(&d.reference).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                None
            } else {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO contracts (organization_id, reference, signed_on, starts_on, ends_on, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(org.0)
                .bind(&d.reference)
                .bind(d.signed_on.map(|x| x.to_string()))
                .bind(d.starts_on.to_string())
                .bind(d.ends_on.map(|x| x.to_string()))
                .bind(micros(now))
                .fetch_one(&mut *tx)
                .await?;
                for (i, l) in d.lines.iter().enumerate() {
                    sqlx::query("INSERT INTO product_lines (contract_id, position, product_code, quantity, site) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id).bind(i as i64).bind(l.product.code()).bind(i64::from(l.quantity)).bind(l.site.map(|s| s.code()))
                        .execute(&mut *tx).await?;
                }
                audit!(tx, now, Some(org.0), "contract", id, "created", actor, &changes(None, &d.audit_fields()));
                tx.commit().await?;
                Some(id)
            }
        });
        let id =
            id.ok_or_else(|| conflict("reference", format!("a contract {} exists", d.reference)))?;
        self.contract(ContractId(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn update_contract(
        &self,
        actor: &str,
        id: ContractId,
        d: &ContractDetails,
        now: Timestamp,
    ) -> Result<Contract> {
        let before = self.contract(id).await?.ok_or(StoreError::NotFound)?;
        let diff = changes(Some(&before.details.audit_fields()), &d.audit_fields());
        if diff.is_empty() {
            return Ok(before);
        }
        let ok: bool = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM contracts WHERE reference = $1 AND id <> $2").bind(&d.reference).bind(id.0).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                false
            } else {
                sqlx::query("UPDATE contracts SET reference = $1, signed_on = $2, starts_on = $3, ends_on = $4, updated_at = $5 WHERE id = $6")
                    .bind(&d.reference)
                    .bind(d.signed_on.map(|x| x.to_string()))
                    .bind(d.starts_on.to_string())
                    .bind(d.ends_on.map(|x| x.to_string()))
                    .bind(micros(now))
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM product_lines WHERE contract_id = $1").bind(id.0).execute(&mut *tx).await?;
                for (i, l) in d.lines.iter().enumerate() {
                    sqlx::query("INSERT INTO product_lines (contract_id, position, product_code, quantity, site) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id.0).bind(i as i64).bind(l.product.code()).bind(i64::from(l.quantity)).bind(l.site.map(|s| s.code()))
                        .execute(&mut *tx).await?;
                }
                audit!(tx, now, Some(before.organization.0), "contract", id.0, "updated", actor, &diff);
                tx.commit().await?;
                true
            }
        });
        if !ok {
            return Err(conflict(
                "reference",
                format!("a contract {} exists", d.reference),
            ));
        }
        self.contract(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn delete_contract(&self, actor: &str, id: ContractId, now: Timestamp) -> Result<()> {
        let before = self.contract(id).await?.ok_or(StoreError::NotFound)?;
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM contracts WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
            audit!(tx, now, Some(before.organization.0), "contract", id.0, "deleted", actor, &removal(&before.details.audit_fields()));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn contract(&self, id: ContractId) -> Result<Option<Contract>> {
        let sql = format!("SELECT {CONTRACT_COLUMNS} FROM contracts WHERE id = $1");
        let row: Option<ContractRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(p).await)?;
        let Some(row) = row else { return Ok(None) };
        let lines: Vec<ProductLineRow> = read_pool!(self, p => sqlx::query_as(
            "SELECT contract_id, product_code, quantity, site FROM product_lines WHERE contract_id = $1 ORDER BY position",
        ).bind(id.0).fetch_all(p).await)?;
        row.into_contract(lines).map(Some)
    }

    pub async fn contracts_of(&self, org: OrganizationId) -> Result<Vec<Contract>> {
        let sql = format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE organization_id = $1 ORDER BY starts_on, id"
        );
        let rows: Vec<ContractRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.0).fetch_all(p).await)?;
        let mut lines: Vec<ProductLineRow> = read_pool!(self, p => sqlx::query_as(
            "SELECT l.contract_id, l.product_code, l.quantity, l.site FROM product_lines l \
             JOIN contracts c ON c.id = l.contract_id WHERE c.organization_id = $1 ORDER BY l.contract_id, l.position",
        ).bind(org.0).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut lines)
                    .into_iter()
                    .partition(|l| l.contract_id == r.id);
                lines = rest;
                r.into_contract(mine)
            })
            .collect()
    }

    /// The newest audit events of an organisation, newest first.
    pub async fn audit_history(&self, org: OrganizationId, limit: u32) -> Result<Vec<AuditEvent>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            at: i64,
            organization_id: Option<i64>,
            entity: String,
            entity_id: i64,
            action: String,
            actor: String,
            changes: String,
        }
        let rows: Vec<Row> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, at, organization_id, entity, entity_id, action, actor, changes FROM audit_events \
             WHERE organization_id = $1 ORDER BY id DESC LIMIT $2",
        ).bind(org.0).bind(i64::from(limit)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| {
                Ok(AuditEvent {
                    id: r.id,
                    at: from_micros(r.at)?,
                    organization: r.organization_id.map(OrganizationId),
                    entity: r.entity,
                    entity_id: r.entity_id,
                    action: r.action,
                    actor: r.actor,
                    changes: changes_from_json(&r.changes)?,
                })
            })
            .collect()
    }
}

/// One piece of roadmap feedback noted on an organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub id: i64,
    pub text: String,
    pub created_by: String,
    pub created_at: Timestamp,
}

impl Store {
    /// Notes feedback for the roadmap on an organisation.
    pub async fn add_feedback(
        &self,
        org: OrganizationId,
        text: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO roadmap_feedback (organization_id, text, created_by, created_at) VALUES ($1, $2, $3, $4)",
        ).bind(org.0).bind(text.trim()).bind(by).bind(micros(now)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The feedback noted on an organisation in `[from, until)`, oldest first.
    pub async fn feedback_of(
        &self,
        org: OrganizationId,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<Feedback>> {
        let rows: Vec<(i64, String, String, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, text, created_by, created_at FROM roadmap_feedback WHERE organization_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id",
        ).bind(org.0).bind(micros(from)).bind(micros(until)).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(id, text, created_by, at)| {
                Ok(Feedback {
                    id,
                    text,
                    created_by,
                    created_at: from_micros(at)?,
                })
            })
            .collect()
    }
}
