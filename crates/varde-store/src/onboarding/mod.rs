//! Onboarding and offboarding runs, their steps and timeline, the templates they are planned
//! from, and the sealed secrets shown to a customer once.
//!
//! Starting a run moves the organisation to `onboarding`; completing it to `active` (or, for
//! offboarding, `offboarded`), each with its audit event in the same transaction.
//!
//! Here the types and the rows they are read from; `templates` keeps the templates, `runs`
//! starts and reads runs, `steps` claims, finishes and acts on their steps and keeps the
//! timeline, and `secrets` keeps the sealed secrets and the one-time links to them.

use jiff::Timestamp;
use jiff::civil::Date;
use varde_core::ids::{ContactId, ContractId, OrganizationId};
use varde_core::onboarding::{RunKind, RunStatus, StepAction, StepFacts, StepState, Template};

use crate::{Result, StoreError, from_micros};

mod runs;
mod secrets;
mod steps;
mod templates;

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

/// What a person does to a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepAct<'a> {
    Complete,
    Skip(&'a str),
    Retry,
    Confirm,
}
