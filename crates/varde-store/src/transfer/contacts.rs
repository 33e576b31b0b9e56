//! Importing contacts, matched by e-mail to their organisation: planning, then applying.

use std::collections::{HashMap, HashSet};

use varde_core::audit::changes;
use varde_core::contact::{ContactDetails, ContactForm};
use varde_core::ids::{ContactId, OrganizationId};
use varde_core::values::Language;

use super::{
    ImportOptions, ImportReport, Kind, LineError, Plan, Planned, field, header, multi_insert,
    record, records, truthy,
};
use crate::{Result, Store, StoreError, micros, read_pool, write_pool};

impl Store {
    pub(super) async fn plan_contacts(
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

    pub(super) async fn apply_contacts(
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
}
