//! Importing contracts, one row per product line (rows of one contract together):
//! planning, then applying.

use std::collections::HashMap;

use varde_core::audit::changes;
use varde_core::contract::{ContractDetails, ContractForm, ProductLineForm};
use varde_core::ids::{ContractId, OrganizationId};

use super::{
    ImportOptions, ImportReport, Kind, LineError, Plan, Planned, field, header, record, records,
};
use crate::{Result, Store, StoreError, read_pool};

impl Store {
    pub(super) async fn plan_contracts(
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

    pub(super) async fn apply_contracts(
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
}
