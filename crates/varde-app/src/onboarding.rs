//! Onboarding and offboarding as people work them: the board of runs in progress, a run with
//! its timeline, the actions on a step (tick off, skip with a reason, retry, confirm a
//! removal by typing the organisation's name), starting an offboarding, and what an
//! organisation's page shows of its runs. The automated steps are `varde-notify`'s worker.

use jiff::civil::Date;
use varde_core::access::{Action, Actor, Resource, can};
use varde_core::contract::Contract;
use varde_core::form::FieldErrors;
use varde_core::ids::{ContractId, OrganizationId};
use varde_core::ticket::Ticket;
use varde_store::onboarding::{Run, RunEvent, StepAct};

use crate::{Acting, App, AppError, authorize};

/// What a person does to a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepChoice {
    Complete,
    Retry,
    /// Skipped, with the reason (which must be given).
    Skip(String),
    /// A removal confirmed by typing the organisation's name.
    Confirm {
        typed_name: String,
    },
}

/// A run with what its page shows.
pub struct RunDetails {
    pub run: Run,
    /// The reference of the contract that started it.
    pub contract: Option<String>,
    /// Its timeline, newest first.
    pub events: Vec<RunEvent>,
}

/// What an organisation's page shows of its onboarding: its runs, its contracts (signed
/// dates) and its first tickets, for a timeline.
pub struct OrganizationRuns {
    pub runs: Vec<Run>,
    pub contracts: Vec<Contract>,
    pub first_tickets: Vec<Ticket>,
}

impl App {
    /// The runs in progress the actor may see, oldest first (staff).
    pub async fn onboarding_board(&self, actor: &Actor) -> Result<Vec<Run>, AppError> {
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        let mut runs = self.store.open_runs().await?;
        runs.retain(|r| can(actor, Action::Read, &Resource::Onboarding(r.organization)));
        Ok(runs)
    }

    /// A run, with `action` on its organisation's onboarding allowed.
    pub async fn onboarding_run(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
    ) -> Result<RunDetails, AppError> {
        if *actor == Actor::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let run = self.store.run(id).await?.ok_or(AppError::NotFound)?;
        authorize(actor, action, &Resource::Onboarding(run.organization))?;
        let contract = match run.contract {
            Some(c) => self.store.contract(c).await?.map(|c| c.details.reference),
            None => None,
        };
        let mut events = self.store.run_events(run.id).await?;
        events.reverse();
        Ok(RunDetails {
            run,
            contract,
            events,
        })
    }

    /// A person acts on a step of a run. Confirming a removal needs the right to delete
    /// (administrators and service managers); the rest the right to write.
    pub async fn act_on_step(
        &self,
        by: &Acting,
        run: i64,
        step: i64,
        choice: &StepChoice,
    ) -> Result<(), AppError> {
        let needed = match choice {
            StepChoice::Confirm { .. } => Action::Delete,
            _ => Action::Write,
        };
        let details = self.onboarding_run(&by.actor, run, needed).await?;
        if details.run.step(step).is_none() {
            return Err(AppError::NotFound);
        }
        let act = match choice {
            StepChoice::Complete => StepAct::Complete,
            StepChoice::Retry => StepAct::Retry,
            StepChoice::Skip(reason) if reason.trim().is_empty() => {
                return Err(AppError::Refused("Say why the step is skipped.".into()));
            }
            StepChoice::Skip(reason) => StepAct::Skip(reason),
            StepChoice::Confirm { typed_name }
                if typed_name.trim() != details.run.organization_name =>
            {
                return Err(AppError::Refused(format!(
                    "Type the organisation's name, {}, to confirm the removal.",
                    details.run.organization_name
                )));
            }
            StepChoice::Confirm { .. } => StepAct::Confirm,
        };
        if self
            .store
            .act_on_step(step, act, &by.name, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(AppError::Refused(
                "That step cannot take this action in its present state.".into(),
            ))
        }
    }

    /// Starts the offboarding of a contract's organisation, its access ending on
    /// `access_ends` (the contract's end by default; an open-ended contract needs a day).
    /// Ending access before the contract ends needs `early` (a person said so); a day in the
    /// past is refused. Gives the run's id.
    pub async fn start_offboarding(
        &self,
        by: &Acting,
        contract: ContractId,
        access_ends: Option<Date>,
        early: bool,
    ) -> Result<i64, AppError> {
        let c = self.offboarding_contract(&by.actor, contract).await?;
        let today = self.now().to_zoned(self.office_zone()).date();
        let mut errors = FieldErrors::new();
        match (access_ends.or(c.details.ends_on), c.details.ends_on) {
            (None, _) => errors.add(
                "access_ends",
                "this contract is open-ended: give the day the customer's access ends",
            ),
            (Some(day), _) if day < today => {
                errors.add("access_ends", "give today or a day to come")
            }
            (Some(day), Some(end)) if day < end && !early => errors.add(
                "early",
                format!(
                    "access would end before the contract does ({end}): tick the box to confirm"
                ),
            ),
            _ => {}
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(self
            .store
            .start_offboarding(c.id, access_ends, today, &by.name, self.now())
            .await?)
    }

    /// A contract whose organisation the actor may offboard (administrators and service
    /// managers), for the confirmation page.
    pub async fn offboarding_contract(
        &self,
        actor: &Actor,
        contract: ContractId,
    ) -> Result<Contract, AppError> {
        if *actor == Actor::Anonymous {
            return Err(AppError::Unauthenticated);
        }
        let c = self
            .store
            .contract(contract)
            .await?
            .ok_or(AppError::NotFound)?;
        authorize(actor, Action::Delete, &Resource::Onboarding(c.organization))?;
        Ok(c)
    }

    /// An organisation's runs with its contracts and first tickets; `None` for an actor who
    /// may not see its onboarding.
    pub async fn organization_runs(
        &self,
        actor: &Actor,
        org: OrganizationId,
    ) -> Result<Option<OrganizationRuns>, AppError> {
        if !can(actor, Action::Read, &Resource::Onboarding(org)) {
            return Ok(None);
        }
        let runs = self.store.runs_of(org).await?;
        let contracts = self.store.contracts_of(org).await?;
        let first = self.store.first_tickets_of(org, 3).await?;
        let first_tickets = self.store.tickets(&first).await?;
        Ok(Some(OrganizationRuns {
            runs,
            contracts,
            first_tickets,
        }))
    }
}
