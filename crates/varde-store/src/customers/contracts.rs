//! An organisation's contracts with their product lines.

use jiff::Timestamp;
use varde_core::audit::{changes, removal};
use varde_core::contract::{Contract, ContractDetails};
use varde_core::ids::{ContractId, OrganizationId};

use crate::rows::{CONTRACT_COLUMNS, ContractRow, ProductLineRow};
use crate::{Result, Store, StoreError, conflict, micros, read_pool, write_pool};

impl Store {
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
        let sql = format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE id = $1{}",
            self.row_lock()
        );
        let ok: bool = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let row: Option<ContractRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await?;
            let lines: Vec<ProductLineRow> = sqlx::query_as(
                "SELECT contract_id, product_code, quantity, site FROM product_lines WHERE contract_id = $1 ORDER BY position",
            ).bind(id.0).fetch_all(&mut *tx).await?;
            let before = row.ok_or(StoreError::NotFound)?.into_contract(lines)?;
            let diff = changes(Some(&before.details.audit_fields()), &d.audit_fields());
            if diff.is_empty() {
                return Ok(before);
            }
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
        let sql = format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE id = $1{}",
            self.row_lock()
        );
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let row: Option<ContractRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut *tx).await?;
            let lines: Vec<ProductLineRow> = sqlx::query_as(
                "SELECT contract_id, product_code, quantity, site FROM product_lines WHERE contract_id = $1 ORDER BY position",
            ).bind(id.0).fetch_all(&mut *tx).await?;
            let before = row.ok_or(StoreError::NotFound)?.into_contract(lines)?;
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
        self.contracts_where("WHERE c.organization_id = $1", Some(org.0))
            .await
    }

    /// Every contract of every organisation (for runs over the whole customer base).
    pub async fn all_contracts(&self) -> Result<Vec<Contract>> {
        self.contracts_where("", None).await
    }

    /// Contracts (`c`) that `filter` selects, with their product lines, by start day.
    async fn contracts_where(&self, filter: &str, org: Option<i64>) -> Result<Vec<Contract>> {
        let columns = CONTRACT_COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {columns} FROM contracts c {filter} ORDER BY c.starts_on, c.id");
        let lines_sql = format!(
            "SELECT l.contract_id, l.product_code, l.quantity, l.site FROM product_lines l \
             JOIN contracts c ON c.id = l.contract_id {filter} ORDER BY l.contract_id, l.position"
        );
        let (rows, lines): (Vec<ContractRow>, Vec<ProductLineRow>) = read_pool!(self, p => {
            let mut q1 = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            let mut q2 = sqlx::query_as(sqlx::AssertSqlSafe(lines_sql));
            if let Some(o) = org {
                q1 = q1.bind(o);
                q2 = q2.bind(o);
            }
            (q1.fetch_all(p).await?, q2.fetch_all(p).await?)
        });
        let mut by_contract: std::collections::HashMap<i64, Vec<ProductLineRow>> =
            std::collections::HashMap::new();
        for l in lines {
            by_contract.entry(l.contract_id).or_default().push(l);
        }
        rows.into_iter()
            .map(|r| {
                let mine = by_contract.remove(&r.id).unwrap_or_default();
                r.into_contract(mine)
            })
            .collect()
    }

    /// The organisations with a contract (signed or not, in force or not) that sells
    /// `product_code`, by id.
    pub async fn organizations_with_product(
        &self,
        product_code: &str,
    ) -> Result<Vec<OrganizationId>> {
        let ids: Vec<i64> = read_pool!(self, p => sqlx::query_scalar(
            "SELECT DISTINCT c.organization_id FROM contracts c JOIN product_lines l ON l.contract_id = c.id \
             WHERE l.product_code = $1 ORDER BY c.organization_id",
        ).bind(product_code).fetch_all(p).await)?;
        Ok(ids.into_iter().map(OrganizationId).collect())
    }
}
