//! Starting runs (onboarding when a contract is signed, offboarding when contracts end) and
//! reading them with their steps.

use jiff::Timestamp;
use jiff::civil::Date;
use varde_core::audit::Change;
use varde_core::catalogue::{ProductKind, Service};
use varde_core::contract::ContractDetails;
use varde_core::customer::Lifecycle;
use varde_core::ids::{ContractId, OrganizationId};
use varde_core::onboarding::{
    PlannedStep, RunKind, RunStatus, Template, default_templates, offboarding_plan, plan,
};

use super::{RUN_COLUMNS, Run, RunRow, STEP_COLUMNS, Step, StepRow, corrupt};
use crate::customers::audit;
use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

impl Store {
    /// Starts the onboarding of a signed contract's organisation, planned from the templates
    /// for its support tier and services. Nothing starts for a draft, or for an organisation
    /// that is already active or offboarded (a further contract of a live customer changes
    /// its entitlements, not its identity); a contract signed while a run is in progress
    /// joins that run. Gives the run: new, or the one that covers the contract.
    pub async fn start_onboarding(
        &self,
        contract: ContractId,
        by: &str,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let c = self.contract(contract).await?.ok_or(StoreError::NotFound)?;
        let Some(signed_on) = c.details.signed_on else {
            return Ok(None);
        };
        if let Some(run) = self.run_of_contract(contract, RunKind::Onboarding).await? {
            return Ok(Some(run.id));
        }
        // A second contract signed while the organisation is being onboarded joins that run.
        if let Some(run) = self
            .runs_of(c.organization)
            .await?
            .into_iter()
            .find(|r| r.kind == RunKind::Onboarding && r.status == RunStatus::Running)
        {
            return Ok(Some(run.id));
        }
        let org = self
            .organization(c.organization)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !matches!(
            org.details.lifecycle,
            Lifecycle::Prospect | Lifecycle::Onboarding
        ) {
            return Ok(None);
        }
        let contracts = self.contracts_of(c.organization).await?;
        let signed: Vec<&ContractDetails> = contracts
            .iter()
            .filter(|x| x.details.signed_on.is_some())
            .map(|x| &x.details)
            .collect();
        let day = c.details.starts_on.max(signed_on);
        let tier = self.support_tier(Some(c.organization), day).await?;
        let mut services: Vec<Service> = Vec::new();
        for l in signed.iter().flat_map(|d| &d.lines) {
            if let ProductKind::Service(s) = l.product.kind()
                && !services.contains(&s)
            {
                services.push(s);
            }
        }
        let templates: Vec<Template> = self
            .onboarding_templates(&default_templates())
            .await?
            .into_iter()
            .map(|t| t.template)
            .collect();
        let steps = plan(&templates, tier, &services, signed_on);
        self.start_run(
            c.organization,
            Some(contract),
            RunKind::Onboarding,
            &steps,
            by,
            now,
        )
        .await
        .map(Some)
    }

    /// Starts the offboarding of a contract's organisation at the contract's end (or today,
    /// for a contract without one).
    pub async fn start_offboarding(
        &self,
        contract: ContractId,
        access_ends: Option<Date>,
        today: Date,
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let c = self.contract(contract).await?.ok_or(StoreError::NotFound)?;
        let steps = offboarding_plan(access_ends.or(c.details.ends_on).unwrap_or(today));
        self.start_run(
            c.organization,
            Some(contract),
            RunKind::Offboarding,
            &steps,
            by,
            now,
        )
        .await
    }

    /// Starts the offboarding of every active organisation whose signed contracts have all
    /// ended before `today` and which has no offboarding run yet, from its last contract.
    /// Gives the runs started.
    pub async fn start_due_offboardings(&self, today: Date, now: Timestamp) -> Result<Vec<i64>> {
        let day = today.to_string();
        let due: Vec<(i64, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT o.id, (SELECT c.id FROM contracts c WHERE c.organization_id = o.id AND c.signed_on IS NOT NULL \
                           ORDER BY c.ends_on DESC, c.id DESC LIMIT 1) \
             FROM organizations o WHERE o.lifecycle = 'active' \
             AND EXISTS (SELECT 1 FROM contracts c WHERE c.organization_id = o.id AND c.signed_on IS NOT NULL) \
             AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.organization_id = o.id AND c.signed_on IS NOT NULL \
                             AND (c.ends_on IS NULL OR c.ends_on >= $1)) \
             AND NOT EXISTS (SELECT 1 FROM onboarding_runs r WHERE r.organization_id = o.id AND r.kind = 'offboarding') \
             ORDER BY o.id",
        ).bind(&day).fetch_all(p).await)?;
        let mut started = Vec::new();
        for (_, contract) in due {
            started.push(
                self.start_offboarding(ContractId(contract), None, today, "varde", now)
                    .await?,
            );
        }
        Ok(started)
    }

    /// Starts a run with its planned steps, and moves the organisation to `onboarding` (an
    /// onboarding run) with its audit event. A contract has at most one run of each kind:
    /// when it already has one, nothing changes and its id is returned.
    pub async fn start_run(
        &self,
        org: OrganizationId,
        contract: Option<ContractId>,
        kind: RunKind,
        steps: &[PlannedStep],
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let contract_id = contract.map(|c| c.0);
        let id: i64 = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let existing: Option<i64> = match contract_id {
                Some(c) => sqlx::query_scalar("SELECT id FROM onboarding_runs WHERE contract_id = $1 AND kind = $2")
                    .bind(c).bind(kind.code()).fetch_optional(&mut *tx).await?,
                None => None,
            };
            match existing {
                Some(id) => id,
                None => {
                    let lifecycle: Option<String> = sqlx::query_scalar("SELECT lifecycle FROM organizations WHERE id = $1")
                        .bind(org.0).fetch_optional(&mut *tx).await?;
                    let Some(lifecycle) = lifecycle else { return Err(StoreError::NotFound) };
                    // Another node may start the same contract's run, or another contract's
                    // onboarding of the same organisation, at this moment: the unique
                    // (contract, kind) and the one running onboarding per organisation make
                    // one of them win, and the other takes the winner's run.
                    let inserted: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO onboarding_runs (organization_id, contract_id, kind, status, started_at, started_by) \
                         VALUES ($1, $2, $3, 'running', $4, $5) ON CONFLICT DO NOTHING RETURNING id",
                    ).bind(org.0).bind(contract_id).bind(kind.code()).bind(micros(now)).bind(by).fetch_optional(&mut *tx).await?;
                    let Some(id) = inserted else {
                        drop(tx);
                        let won: i64 = sqlx::query_scalar(
                            "SELECT id FROM onboarding_runs WHERE (contract_id = $1 AND kind = $2) \
                             OR (organization_id = $3 AND kind = 'onboarding' AND $2 = 'onboarding' AND status = 'running') \
                             ORDER BY id LIMIT 1",
                        ).bind(contract_id).bind(kind.code()).bind(org.0).fetch_one(p).await?;
                        return Ok(won);
                    };
                    for (i, s) in steps.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO onboarding_steps (run_id, position, action, title, owner, due_on, required) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        ).bind(id).bind(i as i64).bind(s.action.code()).bind(&s.title).bind(&s.owner)
                        .bind(s.due_on.to_string()).bind(s.required).execute(&mut *tx).await?;
                    }
                    sqlx::query("INSERT INTO onboarding_events (run_id, at, actor, message) VALUES ($1, $2, $3, $4)")
                        .bind(id).bind(micros(now)).bind(by)
                        .bind(format!("{} started with {} steps", kind.label(), steps.len()))
                        .execute(&mut *tx).await?;
                    if kind == RunKind::Onboarding && lifecycle != Lifecycle::Onboarding.code() {
                        sqlx::query("UPDATE organizations SET lifecycle = $1 WHERE id = $2")
                            .bind(Lifecycle::Onboarding.code()).bind(org.0).execute(&mut *tx).await?;
                        let change = [Change { field: "lifecycle".into(), before: lifecycle, after: Lifecycle::Onboarding.code().into() }];
                        audit!(tx, now, Some(org.0), "organization", org.0, "updated", by, &change);
                    }
                    tx.commit().await?;
                    id
                }
            }
        });
        Ok(id)
    }

    async fn runs_where(&self, condition: &str, bind: i64) -> Result<Vec<Run>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM onboarding_runs r JOIN organizations o ON o.id = r.organization_id WHERE {condition} ORDER BY r.id"
        );
        let rows: Vec<RunRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(bind).fetch_all(p).await)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        let sql = format!(
            "SELECT {STEP_COLUMNS} FROM onboarding_steps WHERE run_id IN ({}) ORDER BY run_id, position",
            ids.join(", ")
        );
        let steps: Vec<StepRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        let mut steps = steps
            .into_iter()
            .map(StepRow::into_step)
            .collect::<Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|r| {
                let (mine, rest): (Vec<Step>, Vec<Step>) = std::mem::take(&mut steps)
                    .into_iter()
                    .partition(|s| s.run == r.id);
                steps = rest;
                Ok(Run {
                    id: r.id,
                    organization: OrganizationId(r.organization_id),
                    organization_name: r.name,
                    contract: r.contract_id.map(ContractId),
                    kind: RunKind::parse(&r.kind).map_err(|e| corrupt("kind", e.0))?,
                    status: RunStatus::parse(&r.status).map_err(|e| corrupt("status", e.0))?,
                    started_at: from_micros(r.started_at)?,
                    started_by: r.started_by,
                    finished_at: r.finished_at.map(from_micros).transpose()?,
                    steps: mine,
                })
            })
            .collect()
    }

    pub async fn run(&self, id: i64) -> Result<Option<Run>> {
        Ok(self.runs_where("r.id = $1", id).await?.pop())
    }

    /// An organisation's runs, oldest first.
    pub async fn runs_of(&self, org: OrganizationId) -> Result<Vec<Run>> {
        self.runs_where("r.organization_id = $1", org.0).await
    }

    /// Every run in progress, oldest first (the board, and the worker's round).
    pub async fn open_runs(&self) -> Result<Vec<Run>> {
        self.runs_where("r.status = 'running' AND r.id > $1", 0)
            .await
    }

    /// The run of a contract, of a kind.
    pub async fn run_of_contract(
        &self,
        contract: ContractId,
        kind: RunKind,
    ) -> Result<Option<Run>> {
        let id: Option<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT id FROM onboarding_runs WHERE contract_id = $1 AND kind = $2")
            .bind(contract.0).bind(kind.code()).fetch_optional(p).await)?;
        match id {
            Some(id) => self.run(id).await,
            None => Ok(None),
        }
    }
}
