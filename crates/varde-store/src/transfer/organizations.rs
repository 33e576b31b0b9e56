//! Importing organisations: planning each row against the stored records, then applying.

use std::collections::{HashMap, HashSet};

use varde_core::audit::changes;
use varde_core::customer::{OrganizationDetails, OrganizationForm};
use varde_core::ids::{OrganizationId, UserId};
use varde_core::values::EmailAddress;

use super::{
    ImportOptions, ImportReport, Kind, LineError, Plan, Planned, field, header, multi_insert,
    record, records,
};
use crate::customers::name_key;
use crate::{Result, Store, StoreError, micros, read_pool, write_pool};

impl Store {
    pub(super) async fn plan_organizations(
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

    pub(super) async fn apply_organizations(
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
}
