//! Onboarding and offboarding runs, their steps and timeline, the templates they are planned
//! from, and the sealed secrets shown to a customer once.
//!
//! Starting a run moves the organisation to `onboarding`; completing it to `active` (or, for
//! offboarding, `offboarded`), each with its audit event in the same transaction.

use jiff::Timestamp;
use jiff::civil::Date;
use varde_core::audit::Change;
use varde_core::catalogue::ProductKind;
use varde_core::catalogue::{Service, SupportTier};
use varde_core::contract::ContractDetails;
use varde_core::customer::Lifecycle;
use varde_core::ids::{ContactId, ContractId, OrganizationId};
use varde_core::onboarding::{
    PlannedStep, RunKind, RunStatus, StepAction, StepFacts, StepState, Template, complete,
    default_templates, offboarding_plan, parse_steps, plan, steps_text,
};

use crate::customers::audit;
use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

/// A stored template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTemplate {
    pub id: i64,
    pub template: Template,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// A run with its steps, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub id: i64,
    pub organization: OrganizationId,
    pub organization_name: String,
    pub contract: Option<ContractId>,
    pub kind: RunKind,
    pub status: RunStatus,
    pub started_at: Timestamp,
    pub started_by: String,
    pub finished_at: Option<Timestamp>,
    pub steps: Vec<Step>,
}

impl Run {
    pub fn facts(&self) -> Vec<StepFacts> {
        self.steps.iter().map(Step::facts).collect()
    }

    pub fn step(&self, id: i64) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// One step of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub id: i64,
    pub run: i64,
    pub position: i64,
    pub action: StepAction,
    pub title: String,
    pub owner: String,
    pub due_on: Date,
    pub required: bool,
    pub state: StepState,
    /// Why it was skipped, or the last error.
    pub reason: String,
    pub confirmed_by: Option<String>,
    pub attempts: i64,
    /// What the step made, for the steps after it (JSON object).
    pub output: serde_json::Value,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub finished_by: Option<String>,
}

impl Step {
    pub fn facts(&self) -> StepFacts {
        StepFacts {
            action: self.action,
            state: self.state,
            required: self.required,
            due_on: self.due_on,
            confirmed: self.confirmed_by.is_some(),
        }
    }
}

/// One line of a run's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunEvent {
    pub run: i64,
    pub step: Option<i64>,
    pub at: Timestamp,
    pub actor: String,
    pub message: String,
}

/// How an attempt at an automated step ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Done and verified; `output` is kept for later steps.
    Done {
        output: serde_json::Value,
        note: String,
    },
    /// It failed but may work later (a service was unreachable): it runs again after `at`.
    RetryAt { error: String, at: Timestamp },
    /// It failed and waits for a person to retry or skip it.
    Failed { error: String },
}

/// A secret made for a contact, still sealed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedSecret {
    pub contact: ContactId,
    pub label: String,
    /// What is not secret: the user name, the credential id, the access key.
    pub public_part: String,
    /// Nonce and ciphertext, hex; empty once revealed.
    pub sealed: String,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    organization_id: i64,
    name: String,
    contract_id: Option<i64>,
    kind: String,
    status: String,
    started_at: i64,
    started_by: String,
    finished_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    id: i64,
    run_id: i64,
    position: i64,
    action: String,
    title: String,
    owner: String,
    due_on: String,
    required: bool,
    state: String,
    reason: String,
    confirmed_by: Option<String>,
    attempts: i64,
    output: String,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    finished_by: Option<String>,
}

const RUN_COLUMNS: &str = "r.id, r.organization_id, o.name, r.contract_id, r.kind, r.status, r.started_at, r.started_by, r.finished_at";
const STEP_COLUMNS: &str = "id, run_id, position, action, title, owner, due_on, required, state, reason, confirmed_by, attempts, output, started_at, finished_at, finished_by";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("onboarding {what}: {e}"))
}

impl StepRow {
    fn into_step(self) -> Result<Step> {
        Ok(Step {
            id: self.id,
            run: self.run_id,
            position: self.position,
            action: StepAction::parse(&self.action).map_err(|e| corrupt("action", e.0))?,
            title: self.title,
            owner: self.owner,
            due_on: self.due_on.parse().map_err(|e| corrupt("due_on", e))?,
            required: self.required,
            state: StepState::parse(&self.state).map_err(|e| corrupt("state", e.0))?,
            reason: self.reason,
            confirmed_by: self.confirmed_by,
            attempts: self.attempts,
            output: serde_json::from_str(&self.output).map_err(|e| corrupt("output", e))?,
            started_at: self.started_at.map(from_micros).transpose()?,
            finished_at: self.finished_at.map(from_micros).transpose()?,
            finished_by: self.finished_by,
        })
    }
}

fn codes<T: Copy>(items: &[T], code: impl Fn(T) -> &'static str) -> String {
    items.iter().map(|i| code(*i)).collect::<Vec<_>>().join(" ")
}

fn parse_codes<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, varde_core::values::Invalid>,
) -> Result<Vec<T>> {
    text.split_whitespace()
        .map(|c| parse(c).map_err(|e| corrupt("template", e.0)))
        .collect()
}

impl Store {
    /// The templates, in order; a new installation gets `defaults` the first time.
    pub async fn onboarding_templates(&self, defaults: &[Template]) -> Result<Vec<StoredTemplate>> {
        let count: i64 = read_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM onboarding_templates").fetch_one(p).await)?;
        if count == 0 {
            for (i, t) in defaults.iter().enumerate() {
                write_pool!(self, p => sqlx::query(
                    "INSERT INTO onboarding_templates (position, name, tiers, services, steps, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, 0, 'varde') ON CONFLICT (name) DO NOTHING",
                ).bind(i as i64).bind(&t.name).bind(codes(&t.tiers, SupportTier::code)).bind(codes(&t.services, Service::code))
                .bind(steps_text(&t.steps)).execute(p).await.map(|_| ()))?;
            }
        }
        let rows: Vec<(i64, String, String, String, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, name, tiers, services, steps, updated_at, updated_by FROM onboarding_templates ORDER BY position, id",
        ).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(id, name, tiers, services, steps, at, by)| {
                Ok(StoredTemplate {
                    id,
                    template: Template {
                        name,
                        tiers: parse_codes(&tiers, SupportTier::parse)?,
                        services: parse_codes(&services, Service::parse)?,
                        steps: parse_steps(&steps).map_err(|e| corrupt("template", e))?,
                    },
                    updated_at: from_micros(at)?,
                    updated_by: by,
                })
            })
            .collect()
    }

    /// Saves an administrator's template: `id` none adds one at the end.
    pub async fn save_onboarding_template(
        &self,
        id: Option<i64>,
        t: &Template,
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let taken: Option<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT id FROM onboarding_templates WHERE name = $1")
            .bind(&t.name).fetch_optional(p).await)?;
        if taken.is_some_and(|other| Some(other) != id) {
            return Err(crate::conflict(
                "name",
                format!("a template {} exists", t.name),
            ));
        }
        let (tiers, services, steps) = (
            codes(&t.tiers, SupportTier::code),
            codes(&t.services, Service::code),
            steps_text(&t.steps),
        );
        match id {
            Some(id) => {
                let n = write_pool!(self, p => sqlx::query(
                    "UPDATE onboarding_templates SET name = $1, tiers = $2, services = $3, steps = $4, updated_at = $5, updated_by = $6 WHERE id = $7",
                ).bind(&t.name).bind(tiers).bind(services).bind(steps).bind(micros(now)).bind(by).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(id)
            }
            None => Ok(write_pool!(self, p => sqlx::query_scalar(
                "INSERT INTO onboarding_templates (position, name, tiers, services, steps, updated_at, updated_by) \
                 VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM onboarding_templates), $1, $2, $3, $4, $5, $6) RETURNING id",
            ).bind(&t.name).bind(tiers).bind(services).bind(steps).bind(micros(now)).bind(by).fetch_one(p).await)?),
        }
    }

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
        today: Date,
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let c = self.contract(contract).await?.ok_or(StoreError::NotFound)?;
        let steps = offboarding_plan(c.details.ends_on.unwrap_or(today));
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
                self.start_offboarding(ContractId(contract), today, "varde", now)
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
                    // Another node may start the same contract's run at this moment: the
                    // unique (contract, kind) makes one of them win, and the other takes it.
                    let inserted: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO onboarding_runs (organization_id, contract_id, kind, status, started_at, started_by) \
                         VALUES ($1, $2, $3, 'running', $4, $5) ON CONFLICT (contract_id, kind) DO NOTHING RETURNING id",
                    ).bind(org.0).bind(contract_id).bind(kind.code()).bind(micros(now)).bind(by).fetch_optional(&mut *tx).await?;
                    let Some(id) = inserted else {
                        drop(tx);
                        let won: i64 = sqlx::query_scalar("SELECT id FROM onboarding_runs WHERE contract_id = $1 AND kind = $2")
                            .bind(contract_id).bind(kind.code()).fetch_one(p).await?;
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

    /// Claims an automated step for one attempt until `lease_until`: only if it is pending
    /// and not waiting for a retry time, or running under a claim that expired (its worker
    /// died). Gives whether this caller got it.
    pub async fn claim_step(
        &self,
        step: i64,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<bool> {
        let n = write_pool!(self, p => sqlx::query(
            "UPDATE onboarding_steps SET state = 'running', lease_until = $1, attempts = attempts + 1, started_at = COALESCE(started_at, $2) \
             WHERE id = $3 AND ((state = 'pending' AND not_before <= $2) OR (state = 'running' AND lease_until < $2))",
        ).bind(micros(lease_until)).bind(micros(now)).bind(step).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Keeps what a step made so far, so a resumed attempt finds it.
    pub async fn save_step_output(&self, step: i64, output: &serde_json::Value) -> Result<()> {
        write_pool!(self, p => sqlx::query("UPDATE onboarding_steps SET output = $1 WHERE id = $2")
            .bind(output.to_string()).bind(step).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Records how an attempt ended; a done step may complete the run.
    pub async fn finish_step(&self, step: i64, outcome: &Outcome, now: Timestamp) -> Result<()> {
        let (state, reason, output, not_before, message) = match outcome {
            Outcome::Done { output, note } => (
                StepState::Done,
                String::new(),
                Some(output.to_string()),
                0,
                note.clone(),
            ),
            Outcome::RetryAt { error, at } => (
                StepState::Pending,
                error.clone(),
                None,
                micros(*at),
                format!("failed, will try again: {error}"),
            ),
            Outcome::Failed { error } => (
                StepState::Failed,
                error.clone(),
                None,
                0,
                format!("failed: {error}"),
            ),
        };
        let settled = state == StepState::Done;
        let run: Option<i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let run: Option<i64> = sqlx::query_scalar(
                "UPDATE onboarding_steps SET state = $1, reason = $2, output = COALESCE($3, output), not_before = $4, lease_until = NULL, \
                 finished_at = CASE WHEN $5 THEN $6 ELSE finished_at END, finished_by = CASE WHEN $5 THEN 'varde' ELSE finished_by END \
                 WHERE id = $7 RETURNING run_id",
            ).bind(state.code()).bind(&reason).bind(output).bind(not_before).bind(settled).bind(micros(now)).bind(step)
            .fetch_optional(&mut *tx).await?;
            if let Some(run) = run {
                sqlx::query("INSERT INTO onboarding_events (run_id, step_id, at, actor, message) VALUES ($1, $2, $3, 'varde', $4)")
                    .bind(run).bind(step).bind(micros(now)).bind(&message).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            run
        });
        match run {
            Some(run) => self.complete_run_if_done(run, "varde", now).await,
            None => Err(StoreError::NotFound),
        }
    }

    /// A person acts on a step: ticks a checklist item off, skips a step with a reason,
    /// retries a failed one, or confirms one that needs it. Gives false when the step is not
    /// in a state that allows it.
    pub async fn act_on_step(
        &self,
        step: i64,
        act: StepAct<'_>,
        by: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let (sql, message): (&str, String) = match act {
            StepAct::Complete => (
                "UPDATE onboarding_steps SET state = 'done', reason = '', finished_at = $1, finished_by = $2 \
                 WHERE id = $3 AND action = 'manual' AND state IN ('pending', 'failed') RETURNING run_id",
                "done".into(),
            ),
            StepAct::Skip(reason) => (
                "UPDATE onboarding_steps SET state = 'skipped', reason = $4, finished_at = $1, finished_by = $2, lease_until = NULL \
                 WHERE id = $3 AND state IN ('pending', 'failed') RETURNING run_id",
                format!("skipped: {reason}"),
            ),
            StepAct::Retry => (
                "UPDATE onboarding_steps SET state = 'pending', not_before = 0, attempts = 0, finished_by = $2, finished_at = NULL \
                 WHERE id = $3 AND action <> 'manual' AND state = 'failed' AND $1 = $1 RETURNING run_id",
                "retry requested".into(),
            ),
            StepAct::Confirm => (
                "UPDATE onboarding_steps SET confirmed_by = $2 \
                 WHERE id = $3 AND action = 'remove_access' AND confirmed_by IS NULL AND state = 'pending' AND $1 = $1 RETURNING run_id",
                "confirmed".into(),
            ),
        };
        let reason = match act {
            StepAct::Skip(r) => r.trim().to_string(),
            _ => String::new(),
        };
        let run: Option<i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let q = sqlx::query_scalar(sql).bind(micros(now)).bind(by).bind(step);
            let q = if matches!(act, StepAct::Skip(_)) { q.bind(&reason) } else { q };
            let run: Option<i64> = q.fetch_optional(&mut *tx).await?;
            if let Some(run) = run {
                sqlx::query("INSERT INTO onboarding_events (run_id, step_id, at, actor, message) VALUES ($1, $2, $3, $4, $5)")
                    .bind(run).bind(step).bind(micros(now)).bind(by).bind(&message).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            run
        });
        match run {
            Some(run) => {
                self.complete_run_if_done(run, by, now).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Ends a run when every required step is settled, and moves its organisation on:
    /// `active` after onboarding, `offboarded` after offboarding.
    async fn complete_run_if_done(&self, run: i64, by: &str, now: Timestamp) -> Result<()> {
        let Some(r) = self.run(run).await? else {
            return Ok(());
        };
        if r.status != RunStatus::Running || !complete(&r.facts()) {
            return Ok(());
        }
        let after = match r.kind {
            RunKind::Onboarding => Lifecycle::Active,
            RunKind::Offboarding => Lifecycle::Offboarded,
        };
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE onboarding_runs SET status = 'done', finished_at = $1 WHERE id = $2 AND status = 'running'")
                .bind(micros(now)).bind(run).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                sqlx::query("INSERT INTO onboarding_events (run_id, at, actor, message) VALUES ($1, $2, $3, $4)")
                    .bind(run).bind(micros(now)).bind(by).bind(format!("{} complete: the organisation is {}", r.kind.label(), after.label().to_lowercase()))
                    .execute(&mut *tx).await?;
                let before: String = sqlx::query_scalar("SELECT lifecycle FROM organizations WHERE id = $1")
                    .bind(r.organization.0).fetch_one(&mut *tx).await?;
                if before != after.code() {
                    sqlx::query("UPDATE organizations SET lifecycle = $1 WHERE id = $2")
                        .bind(after.code()).bind(r.organization.0).execute(&mut *tx).await?;
                    let change = [Change { field: "lifecycle".into(), before, after: after.code().into() }];
                    audit!(tx, now, Some(r.organization.0), "organization", r.organization.0, "updated", by, &change);
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A run's timeline, oldest first.
    pub async fn run_events(&self, run: i64) -> Result<Vec<RunEvent>> {
        let rows: Vec<(i64, Option<i64>, i64, String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT run_id, step_id, at, actor, message FROM onboarding_events WHERE run_id = $1 ORDER BY id",
        ).bind(run).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(run, step, at, actor, message)| {
                Ok(RunEvent {
                    run,
                    step,
                    at: from_micros(at)?,
                    actor,
                    message,
                })
            })
            .collect()
    }

    /// Keeps a sealed secret for a contact, replacing one under the same label.
    pub async fn keep_secret(&self, run: i64, secret: &SealedSecret, now: Timestamp) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO onboarding_secrets (run_id, contact_id, label, public_part, sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (run_id, contact_id, label) DO UPDATE SET public_part = excluded.public_part, sealed = excluded.sealed, \
             created_at = excluded.created_at, revealed_at = NULL",
        ).bind(run).bind(secret.contact.0).bind(&secret.label).bind(&secret.public_part).bind(&secret.sealed).bind(micros(now))
        .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// A contact's secrets in a run, sealed (revealed ones have an empty `sealed`).
    pub async fn secrets_of(&self, run: i64, contact: ContactId) -> Result<Vec<SealedSecret>> {
        let rows: Vec<(String, String, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT label, public_part, sealed FROM onboarding_secrets WHERE run_id = $1 AND contact_id = $2 ORDER BY id",
        ).bind(run).bind(contact.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(label, public_part, sealed)| SealedSecret {
                contact,
                label,
                public_part,
                sealed,
            })
            .collect())
    }

    /// Wipes the secrets nobody can still collect: their run is over and no open link
    /// leads to them. Gives how many were wiped.
    pub async fn wipe_uncollectable_secrets(&self, now: Timestamp) -> Result<u64> {
        Ok(write_pool!(self, p => sqlx::query(
            "UPDATE onboarding_secrets SET sealed = '' WHERE sealed <> '' \
             AND run_id IN (SELECT id FROM onboarding_runs WHERE status <> 'running') \
             AND NOT EXISTS (SELECT 1 FROM onboarding_links l WHERE l.run_id = onboarding_secrets.run_id \
                             AND l.contact_id = onboarding_secrets.contact_id AND l.used_at IS NULL AND l.expires_at > $1)",
        ).bind(micros(now)).execute(p).await.map(|r| r.rows_affected()))?)
    }

    /// Records a one-time link to a contact's secrets (its token's SHA-256).
    pub async fn add_secret_link(
        &self,
        token_hash: &str,
        run: i64,
        contact: ContactId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => sqlx::query(
            "INSERT INTO onboarding_links (token_hash, run_id, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        ).bind(token_hash).bind(run).bind(contact.0).bind(micros(now)).bind(micros(expires_at)).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The contact a link is for, and whether it can still be opened (unused, not expired);
    /// None for a link that never was.
    pub async fn secret_link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(ContactId, bool)>> {
        let row: Option<(i64, Option<i64>, i64)> = read_pool!(self, p => sqlx::query_as(
            "SELECT contact_id, used_at, expires_at FROM onboarding_links WHERE token_hash = $1",
        ).bind(token_hash).fetch_optional(p).await)?;
        Ok(row.map(|(contact, used, expires)| {
            (ContactId(contact), used.is_none() && expires > micros(now))
        }))
    }

    /// Opens a one-time link: gives the contact's sealed secrets and, in the same
    /// transaction, uses the link up and wipes them. `None` when the link is unknown, used
    /// or expired.
    pub async fn reveal_secrets(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Vec<SealedSecret>>> {
        let found: Option<Vec<(i64, String, String, String)>> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let link: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE onboarding_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING run_id, contact_id",
            ).bind(micros(now)).bind(token_hash).fetch_optional(&mut *tx).await?;
            match link {
                None => None,
                Some((run, contact)) => {
                    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                        "SELECT contact_id, label, public_part, sealed FROM onboarding_secrets WHERE run_id = $1 AND contact_id = $2 AND sealed <> '' ORDER BY id",
                    ).bind(run).bind(contact).fetch_all(&mut *tx).await?;
                    sqlx::query("UPDATE onboarding_secrets SET sealed = '', revealed_at = $1 WHERE run_id = $2 AND contact_id = $3 AND sealed <> ''")
                        .bind(micros(now)).bind(run).bind(contact).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO onboarding_events (run_id, at, actor, message) VALUES ($1, $2, 'customer', $3)")
                        .bind(run).bind(micros(now)).bind(format!("contact {contact} opened their one-time link ({} secrets shown)", rows.len()))
                        .execute(&mut *tx).await?;
                    tx.commit().await?;
                    Some(rows)
                }
            }
        });
        Ok(found.map(|rows| {
            rows.into_iter()
                .map(|(contact, label, public_part, sealed)| SealedSecret {
                    contact: ContactId(contact),
                    label,
                    public_part,
                    sealed,
                })
                .collect()
        }))
    }
}

/// What a person does to a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepAct<'a> {
    Complete,
    Skip(&'a str),
    Retry,
    Confirm,
}
