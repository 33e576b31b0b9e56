//! A run's steps as they go: a worker claims an automated step and records how it ended, a
//! person acts on a step, a run completes when its required steps are settled; and the
//! run's timeline.

use jiff::Timestamp;
use varde_core::audit::Change;
use varde_core::customer::Lifecycle;
use varde_core::onboarding::{RunKind, RunStatus, StepState, complete};

use super::{Outcome, RunEvent, StepAct};
use crate::customers::audit;
use crate::{Result, Store, from_micros, micros, read_pool, write_pool};

impl Store {
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

    /// Extends the claim on a running step from `held` (the lease this worker wrote last) to
    /// `lease_until` while its attempt goes on: only while that claim is still the step's and
    /// has not lapsed at `now`; a step another worker took over carries its lease, not ours.
    /// Gives whether it held.
    pub async fn renew_step_lease(
        &self,
        step: i64,
        held: Timestamp,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<bool> {
        let n = write_pool!(self, p => sqlx::query(
            "UPDATE onboarding_steps SET lease_until = $1 WHERE id = $2 AND state = 'running' AND lease_until = $3 AND lease_until >= $4",
        ).bind(micros(lease_until)).bind(step).bind(micros(held)).bind(micros(now)).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Keeps what a step made so far, so a resumed attempt finds it.
    pub async fn save_step_output(&self, step: i64, output: &serde_json::Value) -> Result<()> {
        write_pool!(self, p => sqlx::query("UPDATE onboarding_steps SET output = $1 WHERE id = $2")
            .bind(output.to_string()).bind(step).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Records how an attempt ended; a done step may complete the run. Only a running step
    /// takes it: when a second node took over an attempt whose lease ran out and settled it
    /// first, the late outcome changes nothing (a done step never turns failed).
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
                 WHERE id = $7 AND state = 'running' RETURNING run_id",
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
            None => Ok(()),
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
}
