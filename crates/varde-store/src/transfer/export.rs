//! Exporting the customer base as CSV, in the columns an import reads.

use std::collections::HashMap;

use varde_core::contact::ContactForm;
use varde_core::contract::ContractForm;
use varde_core::customer::OrganizationForm;
use varde_core::ids::ContractId;

use super::Kind;
use crate::{Result, Store, StoreError, read_pool};

impl Store {
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
