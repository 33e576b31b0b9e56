//! CSV import and export of the customer base: organisations, contacts and contracts.
//!
//! An import first checks every row (and reports what would change); then, unless it is a dry
//! run, it applies the rows in **one transaction**. By default it is all or nothing: one bad row
//! and nothing is written. With `partial`, the good rows are written (still in one transaction)
//! and the bad rows are reported and skipped. Rows match stored records by their key:
//! organisations by `org_number` when given, else by name (case-insensitive); contacts by
//! e-mail; contracts by reference (one row per product line, rows of one contract together).

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use varde_core::audit::{Change, changes};
use varde_core::contact::{ContactDetails, ContactForm};
use varde_core::contract::{ContractDetails, ContractForm, ProductLineForm};
use varde_core::customer::{OrganizationDetails, OrganizationForm};
use varde_core::ids::{ContactId, ContractId, OrganizationId, UserId};
use varde_core::values::{EmailAddress, Language};

use crate::customers::name_key;
use crate::{Placeholders, Result, Store, StoreError, micros, read_pool, write_pool};

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Organizations,
    Contacts,
    Contracts,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim_end_matches(".csv") {
            "organizations" | "organisations" => Some(Kind::Organizations),
            "contacts" => Some(Kind::Contacts),
            "contracts" => Some(Kind::Contracts),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Organizations => "organizations",
            Kind::Contacts => "contacts",
            Kind::Contracts => "contracts",
        }
    }

    /// The columns, in the order export writes them. Import needs the same header names, in
    /// any order; `Kind::required` lists those that must be present.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Organizations => &[
                "name",
                "org_number",
                "country",
                "sector",
                "framework",
                "language",
                "mail_domains",
                "lifecycle",
                "service_manager_email",
            ],
            Kind::Contacts => &[
                "organization",
                "name",
                "email",
                "phone",
                "roles",
                "language",
                "portal_access",
            ],
            Kind::Contracts => &[
                "organization",
                "reference",
                "signed_on",
                "starts_on",
                "ends_on",
                "product_code",
                "quantity",
                "site",
            ],
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Organizations => &["name", "country"],
            Kind::Contacts => &["organization", "name", "email"],
            Kind::Contracts => &["organization", "reference", "starts_on", "product_code"],
        }
    }
}

#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Write the good rows even when some rows are bad.
    pub partial: bool,
    /// Recorded in the audit history as `import by <actor>`.
    pub actor: String,
    pub now: Timestamp,
}

/// One refused row. Line numbers count the header as line 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// One row that creates or changes a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedChange {
    pub line: u64,
    /// `create` or `update`.
    pub action: &'static str,
    pub key: String,
    pub changes: Vec<Change>,
}

/// What an import did, or would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: &'static str,
    pub dry_run: bool,
    /// Whether anything was written.
    pub applied: bool,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
    /// The first [`MAX_LISTED_CHANGES`] creates and updates, in file order.
    pub changes: Vec<PlannedChange>,
}

pub const MAX_LISTED_CHANGES: usize = 1000;

enum Plan<T, Id> {
    Create(T),
    Update(Id, T, Vec<Change>),
}

struct Planned<T, Id> {
    plan: Plan<T, Id>,
}

fn field(rec: &csv::StringRecord, idx: &HashMap<String, usize>, name: &str) -> String {
    idx.get(name)
        .and_then(|i| rec.get(*i))
        .unwrap_or("")
        .trim()
        .to_string()
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "1" | "y" | "x"
    )
}

/// Reads the header and checks its columns; an error is reported against line 1.
fn header(
    reader: &mut csv::Reader<&[u8]>,
    kind: Kind,
) -> std::result::Result<HashMap<String, usize>, LineError> {
    let h = reader.headers().map_err(|e| LineError {
        line: 1,
        message: format!("cannot read the header: {e}"),
    })?;
    let idx: HashMap<String, usize> = h
        .iter()
        .enumerate()
        .map(|(i, n)| (n.trim().to_ascii_lowercase(), i))
        .collect();
    let unknown: Vec<&String> = idx
        .keys()
        .filter(|k| !kind.columns().contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(LineError {
            line: 1,
            message: format!(
                "unknown column(s) {:?}; the columns are {}",
                unknown,
                kind.columns().join(",")
            ),
        });
    }
    let missing: Vec<&&str> = kind
        .required()
        .iter()
        .filter(|c| !idx.contains_key(**c))
        .collect();
    if !missing.is_empty() {
        return Err(LineError {
            line: 1,
            message: format!("missing column(s) {missing:?}"),
        });
    }
    Ok(idx)
}

fn records(csv_bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::None)
        .from_reader(csv_bytes)
}

/// Organisation keys of the stored customer base, to match rows to records.
struct OrganizationIndex {
    by_number: HashMap<String, i64>,
    by_name: HashMap<String, i64>,
}

impl OrganizationIndex {
    /// Finds an organisation by organisation number or by name.
    fn find(&self, key: &str) -> Option<i64> {
        self.by_number
            .get(key.trim())
            .or_else(|| self.by_name.get(&name_key(key)))
            .copied()
    }
}

impl Store {
    async fn organization_index(&self) -> Result<OrganizationIndex> {
        let rows: Vec<(i64, String, Option<String>)> = read_pool!(self, p => sqlx::query_as("SELECT id, name_key, org_number FROM organizations").fetch_all(p).await)?;
        let mut index = OrganizationIndex {
            by_number: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (id, name, number) in rows {
            if let Some(n) = number.filter(|n| !n.is_empty()) {
                index.by_number.insert(n, id);
            }
            index.by_name.entry(name).or_insert(id);
        }
        Ok(index)
    }

    /// Imports one CSV file. See the module documentation for the rules.
    pub async fn import_csv(
        &self,
        kind: Kind,
        csv_bytes: &[u8],
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        let mut report = ImportReport {
            kind: kind.name(),
            dry_run: opts.dry_run,
            ..Default::default()
        };
        match kind {
            Kind::Organizations => {
                let planned = self.plan_organizations(csv_bytes, &mut report).await?;
                if should_apply(&report, opts) {
                    self.apply_organizations(planned, opts).await?;
                    report.applied = true;
                }
            }
            Kind::Contacts => {
                let planned = self.plan_contacts(csv_bytes, &mut report).await?;
                if should_apply(&report, opts) {
                    self.apply_contacts(planned, opts).await?;
                    report.applied = true;
                }
            }
            Kind::Contracts => {
                let planned = self.plan_contracts(csv_bytes, &mut report).await?;
                if should_apply(&report, opts) {
                    self.apply_contracts(planned, opts).await?;
                    report.applied = true;
                }
            }
        }
        Ok(report)
    }

    async fn plan_organizations(
        &self,
        csv_bytes: &[u8],
        report: &mut ImportReport,
    ) -> Result<Vec<Planned<OrganizationDetails, OrganizationId>>> {
        let mut reader = records(csv_bytes);
        let idx = match header(&mut reader, Kind::Organizations) {
            Ok(i) => i,
            Err(e) => {
                report.errors.push(e);
                return Ok(vec![]);
            }
        };
        let index = self.organization_index().await?;
        let staff: HashMap<String, i64> = self
            .accounts()
            .await?
            .into_iter()
            .filter(|a| a.role != varde_core::access::Role::Customer)
            .map(|a| (a.email.to_string(), a.id.0))
            .collect();
        let owners: HashMap<String, i64> =
            read_pool!(self, p => sqlx::query_as("SELECT domain, organization_id FROM organization_domains").fetch_all(p).await)?
                .into_iter()
                .collect();
        let mut seen_keys = HashSet::new();
        let mut seen_domains: HashMap<String, u64> = HashMap::new();
        let mut planned = Vec::new();
        for rec in reader.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    report.rows += 1;
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    report.errors.push(LineError {
                        line,
                        message: format!("unreadable row: {e}"),
                    });
                    continue;
                }
            };
            report.rows += 1;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let sm_email = field(&rec, &idx, "service_manager_email");
            let service_manager = if sm_email.is_empty() {
                None
            } else {
                match EmailAddress::parse(&sm_email)
                    .ok()
                    .and_then(|e| staff.get(e.as_str()).copied())
                {
                    Some(id) => Some(UserId(id)),
                    None => {
                        report.errors.push(LineError {
                            line,
                            message: format!("service_manager_email: no staff account {sm_email}"),
                        });
                        continue;
                    }
                }
            };
            let form = OrganizationForm {
                name: field(&rec, &idx, "name"),
                org_number: field(&rec, &idx, "org_number"),
                country: field(&rec, &idx, "country"),
                sector: field(&rec, &idx, "sector"),
                framework: field(&rec, &idx, "framework"),
                language: field(&rec, &idx, "language"),
                mail_domains: field(&rec, &idx, "mail_domains"),
                lifecycle: field(&rec, &idx, "lifecycle"),
                service_manager,
            };
            let details = match form.parse() {
                Ok(d) => d,
                Err(e) => {
                    report.errors.push(LineError {
                        line,
                        message: e.summary(),
                    });
                    continue;
                }
            };
            let key = match &details.org_number {
                Some(n) => n.as_str().to_string(),
                None => name_key(&details.name),
            };
            if !seen_keys.insert(key.clone()) {
                report.errors.push(LineError {
                    line,
                    message: format!("{key} appears on an earlier line too"),
                });
                continue;
            }
            let existing = match &details.org_number {
                Some(n) => index.by_number.get(n.as_str()).copied(),
                None => index.by_name.get(&name_key(&details.name)).copied(),
            };
            let mut clash = None;
            for d in &details.mail_domains {
                if let Some(owner) = owners.get(d.as_str()).filter(|o| Some(**o) != existing) {
                    clash = Some(format!(
                        "mail_domains: {d} already belongs to organisation {owner}"
                    ));
                } else if let Some(first) = seen_domains.get(d.as_str()) {
                    clash = Some(format!("mail_domains: {d} is also on line {first}"));
                }
            }
            if let Some(message) = clash {
                report.errors.push(LineError { line, message });
                continue;
            }
            for d in &details.mail_domains {
                seen_domains.insert(d.to_string(), line);
            }
            let plan = match existing {
                None => Plan::Create(details),
                Some(id) => {
                    let before = self
                        .organization(OrganizationId(id))
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let diff = changes(
                        Some(&before.details.audit_fields()),
                        &details.audit_fields(),
                    );
                    Plan::Update(OrganizationId(id), details, diff)
                }
            };
            record(report, &mut planned, line, key, plan, |d| d.audit_fields());
        }
        Ok(planned)
    }

    async fn apply_organizations(
        &self,
        planned: Vec<Planned<OrganizationDetails, OrganizationId>>,
        opts: &ImportOptions,
    ) -> Result<()> {
        let actor = format!("import by {}", opts.actor);
        let now = micros(opts.now);
        let style = self.placeholders();
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            // References, not a partition: a partition would hold the whole plan twice at its peak.
            let creates: Vec<&Planned<_, _>> = planned.iter().filter(|p| matches!(p.plan, Plan::Create(_))).collect();
            for chunk in creates.chunks(500) {
                let details: Vec<&OrganizationDetails> = chunk.iter().filter_map(|p| match &p.plan { Plan::Create(d) => Some(d), _ => None }).collect();
                let sql = multi_insert(
                    style,
                    "INSERT INTO organizations (name, name_key, org_number, country, sector, framework, language, mail_domains, lifecycle, service_manager_id, created_at, updated_at)",
                    12,
                    details.len(),
                    " RETURNING id, name_key, org_number",
                );
                let mut q = sqlx::query_as::<_, (i64, String, Option<String>)>(sqlx::AssertSqlSafe(sql));
                for d in &details {
                    q = q.bind(d.name.clone()).bind(name_key(&d.name)).bind(d.org_number.as_ref().map(|n| n.as_str().to_string()))
                        .bind(d.country.to_string()).bind(d.sector.code()).bind(d.framework.code()).bind(d.language.code())
                        .bind(crate::customers::domains_text(d)).bind(d.lifecycle.code()).bind(d.service_manager.map(|u| u.0))
                        .bind(now).bind(now);
                }
                // SQL does not promise that RETURNING keeps the order of VALUES: match rows by
                // their key, which is unique within a file (name, organisation number).
                let ids: HashMap<(String, Option<String>), i64> =
                    q.fetch_all(&mut *tx).await?.into_iter().map(|(id, k, n)| ((k, n), id)).collect();
                let mut domains: Vec<(String, i64)> = Vec::new();
                let mut audits: Vec<(i64, i64, String)> = Vec::new();
                for d in &details {
                    let key = (name_key(&d.name), d.org_number.as_ref().map(|n| n.as_str().to_string()));
                    let Some(id) = ids.get(&key) else {
                        return Err(StoreError::Corrupt(format!("the new organisation {} was not returned by the insert", d.name)));
                    };
                    domains.extend(d.mail_domains.iter().map(|m| (m.to_string(), *id)));
                    audits.push((*id, *id, crate::customers::changes_json(&changes(None, &d.audit_fields()))));
                }
                for dchunk in domains.chunks(1000) {
                    let sql = multi_insert(style, "INSERT INTO organization_domains (domain, organization_id)", 2, dchunk.len(), "");
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for (d, id) in dchunk {
                        q = q.bind(d.clone()).bind(*id);
                    }
                    q.execute(&mut *tx).await?;
                }
                let sql = multi_insert(style, "INSERT INTO audit_events (at, organization_id, entity, entity_id, action, actor, changes)", 7, audits.len(), "");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (org, id, ch) in &audits {
                    q = q.bind(now).bind(*org).bind("organization").bind(*id).bind("created").bind(actor.clone()).bind(ch.clone());
                }
                q.execute(&mut *tx).await?;
            }
            for u in &planned {
                if let Plan::Update(id, d, diff) = &u.plan {
                    if diff.is_empty() {
                        continue;
                    }
                    sqlx::query(
                        "UPDATE organizations SET name = $1, name_key = $2, org_number = $3, country = $4, sector = $5, framework = $6, \
                         language = $7, mail_domains = $8, lifecycle = $9, service_manager_id = $10, updated_at = $11 WHERE id = $12",
                    )
                    .bind(&d.name).bind(name_key(&d.name)).bind(d.org_number.as_ref().map(|n| n.as_str())).bind(d.country.as_str())
                    .bind(d.sector.code()).bind(d.framework.code()).bind(d.language.code()).bind(crate::customers::domains_text(d))
                    .bind(d.lifecycle.code()).bind(d.service_manager.map(|u| u.0)).bind(now).bind(id.0)
                    .execute(&mut *tx).await?;
                    sqlx::query("DELETE FROM organization_domains WHERE organization_id = $1").bind(id.0).execute(&mut *tx).await?;
                    for m in &d.mail_domains {
                        sqlx::query("INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)").bind(m.as_str()).bind(id.0).execute(&mut *tx).await?;
                    }
                    sqlx::query("INSERT INTO audit_events (at, organization_id, entity, entity_id, action, actor, changes) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .bind(now).bind(id.0).bind("organization").bind(id.0).bind("updated").bind(&actor).bind(crate::customers::changes_json(diff))
                        .execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn plan_contacts(
        &self,
        csv_bytes: &[u8],
        report: &mut ImportReport,
    ) -> Result<Vec<Planned<(OrganizationId, ContactDetails), ContactId>>> {
        let mut reader = records(csv_bytes);
        let idx = match header(&mut reader, Kind::Contacts) {
            Ok(i) => i,
            Err(e) => {
                report.errors.push(e);
                return Ok(vec![]);
            }
        };
        let index = self.organization_index().await?;
        let languages: HashMap<i64, String> =
            read_pool!(self, p => sqlx::query_as("SELECT id, language FROM organizations").fetch_all(p).await)?.into_iter().collect();
        let existing: HashMap<String, i64> =
            read_pool!(self, p => sqlx::query_as("SELECT email, id FROM contacts").fetch_all(p).await)?.into_iter().collect();
        let mut seen = HashSet::new();
        let mut planned = Vec::new();
        for rec in reader.records() {
            report.rows += 1;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    report.errors.push(LineError {
                        line,
                        message: format!("unreadable row: {e}"),
                    });
                    continue;
                }
            };
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let org_key = field(&rec, &idx, "organization");
            let Some(org) = index.find(&org_key) else {
                report.errors.push(LineError {
                    line,
                    message: format!(
                        "organization: no organisation with number or name '{org_key}'"
                    ),
                });
                continue;
            };
            let fallback = languages
                .get(&org)
                .and_then(|l| Language::parse(l).ok())
                .unwrap_or(Language::English);
            let form = ContactForm {
                name: field(&rec, &idx, "name"),
                email: field(&rec, &idx, "email"),
                phone: field(&rec, &idx, "phone"),
                roles: field(&rec, &idx, "roles"),
                language: field(&rec, &idx, "language"),
                portal_access: truthy(&field(&rec, &idx, "portal_access")),
            };
            let details = match form.parse(fallback) {
                Ok(d) => d,
                Err(e) => {
                    report.errors.push(LineError {
                        line,
                        message: e.summary(),
                    });
                    continue;
                }
            };
            let key = details.email.to_string();
            if !seen.insert(key.clone()) {
                report.errors.push(LineError {
                    line,
                    message: format!("{key} appears on an earlier line too"),
                });
                continue;
            }
            let plan = match existing.get(&key) {
                None => Plan::Create((OrganizationId(org), details)),
                Some(id) => {
                    let before = self
                        .contact(ContactId(*id))
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    if before.organization.0 != org {
                        report.errors.push(LineError {
                            line,
                            message: format!(
                                "email: {key} is a contact of another organisation ({})",
                                before.organization
                            ),
                        });
                        continue;
                    }
                    let diff = changes(
                        Some(&before.details.audit_fields()),
                        &details.audit_fields(),
                    );
                    Plan::Update(ContactId(*id), (OrganizationId(org), details), diff)
                }
            };
            record(report, &mut planned, line, key, plan, |(_, d)| {
                d.audit_fields()
            });
        }
        Ok(planned)
    }

    async fn apply_contacts(
        &self,
        planned: Vec<Planned<(OrganizationId, ContactDetails), ContactId>>,
        opts: &ImportOptions,
    ) -> Result<()> {
        let actor = format!("import by {}", opts.actor);
        let now = micros(opts.now);
        let style = self.placeholders();
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            // References, not a partition: a partition would hold the whole plan twice at its peak.
            let creates: Vec<&Planned<_, _>> = planned.iter().filter(|p| matches!(p.plan, Plan::Create(_))).collect();
            for chunk in creates.chunks(1000) {
                let rows: Vec<&(OrganizationId, ContactDetails)> = chunk.iter().filter_map(|p| match &p.plan { Plan::Create(d) => Some(d), _ => None }).collect();
                let sql = multi_insert(
                    style,
                    "INSERT INTO contacts (organization_id, name, email, phone, roles, language, portal_access, created_at, updated_at)",
                    9, rows.len(), " RETURNING id, email",
                );
                let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
                for (org, d) in &rows {
                    q = q.bind(org.0).bind(d.name.clone()).bind(d.email.to_string()).bind(d.phone.as_ref().map(|p| p.as_str().to_string()))
                        .bind(d.roles_text()).bind(d.language.code()).bind(d.portal_access).bind(now).bind(now);
                }
                let ids: HashMap<String, i64> = q.fetch_all(&mut *tx).await?.into_iter().map(|(id, e)| (e, id)).collect();
                let sql = multi_insert(style, "INSERT INTO audit_events (at, organization_id, entity, entity_id, action, actor, changes)", 7, rows.len(), "");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (org, d) in &rows {
                    let id = ids.get(d.email.as_str()).copied().unwrap_or_default();
                    q = q.bind(now).bind(org.0).bind("contact").bind(id).bind("created").bind(actor.clone())
                        .bind(crate::customers::changes_json(&changes(None, &d.audit_fields())));
                }
                q.execute(&mut *tx).await?;
            }
            for u in &planned {
                if let Plan::Update(id, (org, d), diff) = &u.plan {
                    if diff.is_empty() {
                        continue;
                    }
                    sqlx::query("UPDATE contacts SET name = $1, email = $2, phone = $3, roles = $4, language = $5, portal_access = $6, updated_at = $7 WHERE id = $8")
                        .bind(&d.name).bind(d.email.as_str()).bind(d.phone.as_ref().map(|p| p.as_str())).bind(d.roles_text())
                        .bind(d.language.code()).bind(d.portal_access).bind(now).bind(id.0)
                        .execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO audit_events (at, organization_id, entity, entity_id, action, actor, changes) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .bind(now).bind(org.0).bind("contact").bind(id.0).bind("updated").bind(&actor).bind(crate::customers::changes_json(diff))
                        .execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn plan_contracts(
        &self,
        csv_bytes: &[u8],
        report: &mut ImportReport,
    ) -> Result<Vec<Planned<(OrganizationId, ContractDetails), ContractId>>> {
        let mut reader = records(csv_bytes);
        let idx = match header(&mut reader, Kind::Contracts) {
            Ok(i) => i,
            Err(e) => {
                report.errors.push(e);
                return Ok(vec![]);
            }
        };
        let index = self.organization_index().await?;
        // Rows of one contract are gathered first: (first line, organisation key, form).
        let mut order: Vec<String> = Vec::new();
        let mut contracts: HashMap<String, (u64, String, ContractForm)> = HashMap::new();
        for rec in reader.records() {
            report.rows += 1;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    report.errors.push(LineError {
                        line,
                        message: format!("unreadable row: {e}"),
                    });
                    continue;
                }
            };
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let reference = field(&rec, &idx, "reference");
            let head = ContractForm {
                reference: reference.clone(),
                signed_on: field(&rec, &idx, "signed_on"),
                starts_on: field(&rec, &idx, "starts_on"),
                ends_on: field(&rec, &idx, "ends_on"),
                lines: vec![],
            };
            let org_key = field(&rec, &idx, "organization");
            let line_form = ProductLineForm {
                product_code: field(&rec, &idx, "product_code"),
                quantity: field(&rec, &idx, "quantity"),
                site: field(&rec, &idx, "site"),
            };
            match contracts.get_mut(&reference) {
                Some((first, key, form)) => {
                    let same = *key == org_key
                        && form.signed_on == head.signed_on
                        && form.starts_on == head.starts_on
                        && form.ends_on == head.ends_on;
                    if !same {
                        report.errors.push(LineError { line, message: format!("contract {reference} has other organisation or dates than on line {first}") });
                        continue;
                    }
                    form.lines.push(line_form);
                }
                None => {
                    order.push(reference.clone());
                    let mut form = head;
                    form.lines.push(line_form);
                    contracts.insert(reference, (line, org_key, form));
                }
            }
        }
        let existing: HashMap<String, i64> =
            read_pool!(self, p => sqlx::query_as("SELECT reference, id FROM contracts").fetch_all(p).await)?.into_iter().collect();
        let mut planned = Vec::new();
        for reference in order {
            let Some((line, org_key, form)) = contracts.remove(&reference) else {
                continue;
            };
            let Some(org) = index.find(&org_key) else {
                report.errors.push(LineError {
                    line,
                    message: format!(
                        "organization: no organisation with number or name '{org_key}'"
                    ),
                });
                continue;
            };
            let details = match form.parse() {
                Ok(d) => d,
                Err(e) => {
                    report.errors.push(LineError {
                        line,
                        message: e.summary(),
                    });
                    continue;
                }
            };
            let plan = match existing.get(&details.reference) {
                None => Plan::Create((OrganizationId(org), details)),
                Some(id) => {
                    let before = self
                        .contract(ContractId(*id))
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    if before.organization.0 != org {
                        report.errors.push(LineError {
                            line,
                            message: format!(
                                "reference: {reference} is a contract of another organisation"
                            ),
                        });
                        continue;
                    }
                    let diff = changes(
                        Some(&before.details.audit_fields()),
                        &details.audit_fields(),
                    );
                    Plan::Update(ContractId(*id), (OrganizationId(org), details), diff)
                }
            };
            record(report, &mut planned, line, reference, plan, |(_, d)| {
                d.audit_fields()
            });
        }
        report.errors.sort_by_key(|e| e.line);
        Ok(planned)
    }

    async fn apply_contracts(
        &self,
        planned: Vec<Planned<(OrganizationId, ContractDetails), ContractId>>,
        opts: &ImportOptions,
    ) -> Result<()> {
        let actor = format!("import by {}", opts.actor);
        for p in planned {
            match p.plan {
                Plan::Create((org, d)) => {
                    self.create_contract(&actor, org, &d, opts.now).await?;
                }
                Plan::Update(id, (_, d), diff) if !diff.is_empty() => {
                    self.update_contract(&actor, id, &d, opts.now).await?;
                }
                Plan::Update(..) => {}
            }
        }
        Ok(())
    }

    /// Writes one kind of record as CSV, with the columns of [`Kind::columns`]; importing the
    /// result changes nothing.
    pub async fn export_csv(&self, kind: Kind) -> Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| StoreError::Corrupt(format!("writing CSV: {e}"));
        w.write_record(kind.columns()).map_err(csv_err)?;
        let orgs: Vec<(i64, String, Option<String>)> = read_pool!(self, p => sqlx::query_as("SELECT id, name, org_number FROM organizations ORDER BY id").fetch_all(p).await)?;
        let org_key: HashMap<i64, String> = orgs
            .into_iter()
            .map(|(id, name, number)| (id, number.filter(|n| !n.is_empty()).unwrap_or(name)))
            .collect();
        match kind {
            Kind::Organizations => {
                let staff: HashMap<i64, String> = self
                    .accounts()
                    .await?
                    .into_iter()
                    .map(|a| (a.id.0, a.email.to_string()))
                    .collect();
                let sql = format!(
                    "SELECT {} FROM organizations ORDER BY id",
                    crate::rows::ORGANIZATION_COLUMNS
                );
                let rows: Vec<crate::rows::OrganizationRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
                for r in rows {
                    let o = r.into_organization()?;
                    let f = OrganizationForm::from_details(&o.details);
                    let sm = o
                        .details
                        .service_manager
                        .and_then(|u| staff.get(&u.0).cloned())
                        .unwrap_or_default();
                    w.write_record([
                        &f.name,
                        &f.org_number,
                        &f.country,
                        &f.sector,
                        &f.framework,
                        &f.language,
                        &f.mail_domains,
                        &f.lifecycle,
                        &sm,
                    ])
                    .map_err(csv_err)?;
                }
            }
            Kind::Contacts => {
                let sql = format!(
                    "SELECT {} FROM contacts ORDER BY organization_id, id",
                    crate::rows::CONTACT_COLUMNS
                );
                let rows: Vec<crate::rows::ContactRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
                for r in rows {
                    let c = r.into_contact()?;
                    let f = ContactForm::from_details(&c.details);
                    let org = org_key.get(&c.organization.0).cloned().unwrap_or_default();
                    w.write_record([
                        org.as_str(),
                        &f.name,
                        &f.email,
                        &f.phone,
                        &f.roles,
                        &f.language,
                        if f.portal_access { "yes" } else { "no" },
                    ])
                    .map_err(csv_err)?;
                }
            }
            Kind::Contracts => {
                let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT id FROM contracts ORDER BY id").fetch_all(p).await)?;
                for id in ids {
                    let Some(c) = self.contract(ContractId(id)).await? else {
                        continue;
                    };
                    let f = ContractForm::from_details(&c.details);
                    let org = org_key.get(&c.organization.0).cloned().unwrap_or_default();
                    for l in &f.lines {
                        w.write_record([
                            &org,
                            &f.reference,
                            &f.signed_on,
                            &f.starts_on,
                            &f.ends_on,
                            &l.product_code,
                            &l.quantity,
                            &l.site,
                        ])
                        .map_err(csv_err)?;
                    }
                }
            }
        }
        w.into_inner()
            .map_err(|e| StoreError::Corrupt(format!("writing CSV: {e}")))
    }
}

fn should_apply(report: &ImportReport, opts: &ImportOptions) -> bool {
    !opts.dry_run && (report.errors.is_empty() || opts.partial)
}

fn record<T, Id>(
    report: &mut ImportReport,
    planned: &mut Vec<Planned<T, Id>>,
    line: u64,
    key: String,
    plan: Plan<T, Id>,
    fields: impl Fn(&T) -> Vec<(&'static str, String)>,
) {
    let listed = match &plan {
        Plan::Create(d) => {
            report.created += 1;
            Some(("create", changes(None, &fields(d))))
        }
        Plan::Update(_, _, diff) if diff.is_empty() => {
            report.unchanged += 1;
            None
        }
        Plan::Update(_, _, diff) => {
            report.updated += 1;
            Some(("update", diff.clone()))
        }
    };
    if let Some((action, changes)) = listed
        && report.changes.len() < MAX_LISTED_CHANGES
    {
        report.changes.push(PlannedChange {
            line,
            action,
            key,
            changes,
        });
    }
    planned.push(Planned { plan });
}

/// `INSERT … VALUES ($1, …), (…) …suffix` for `rows` rows of `columns` values.
fn multi_insert(
    style: Placeholders,
    head: &str,
    columns: usize,
    rows: usize,
    suffix: &str,
) -> String {
    format!("{head} VALUES {}{suffix}", style.rows(columns, rows))
}
