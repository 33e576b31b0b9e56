//! Onboarding and offboarding runs: which steps a signed contract calls for, in what order they
//! run, when each is due, when a run is complete, and the names Varde gives the customer's
//! objects in OpenStack.
//!
//! A run is planned once, when the contract is signed, from the templates that apply to the
//! organisation's support tier and the services on its contracts. Automated steps run in
//! order (each waits for the automated steps before it); manual steps are checklist items a
//! person ticks off and never hold up the automated ones.
//!
//! Submodules: `templates` (what a run may get, as administrators edit it), `plan` (planning
//! a run and the rules of its steps), `names` and `quotas` (what Varde makes in OpenStack),
//! `meeting` (the first quarterly meeting and its invitation) and `welcome` (what the customer
//! reads: the welcome mail and the one-time link page).

use crate::vocabulary;

mod meeting;
pub mod names;
mod plan;
pub mod progress;
pub mod quotas;
mod templates;
mod welcome;

pub use meeting::{Invitation, first_meeting};
pub use plan::{
    GRACE_DAYS, PlannedStep, StepFacts, complete, next_automated, offboarding_plan, overdue, plan,
};
pub use templates::{Template, TemplateStep, default_templates, parse_steps, steps_text};
pub use welcome::{Welcome, link_page_words};

vocabulary!(
    /// What a step does. Every action but `manual` is carried out by Varde.
    StepAction, "step action" {
        KeystoneDomain => "keystone_domain", "Keystone domain";
        KeystoneProject => "keystone_project", "Keystone project";
        KeystoneUsers => "keystone_users", "Keystone users and roles";
        ApplicationCredentials => "application_credentials", "Application credentials";
        Ec2Credentials => "ec2_credentials", "EC2 credentials for S3";
        Quotas => "quotas", "Quotas";
        WelcomeMail => "welcome_mail", "Welcome mail";
        ChatInvite => "chat_invite", "Chat room invitation";
        MeetingInvite => "meeting_invite", "First quarterly meeting";
        DisableAccess => "disable_access", "Disable access";
        RemoveAccess => "remove_access", "Remove access";
        Manual => "manual", "Checklist item";
    }
);

impl StepAction {
    pub fn is_automated(self) -> bool {
        self != StepAction::Manual
    }

    /// Whether the step waits for a person to confirm it before it runs (it destroys data).
    pub fn needs_confirmation(self) -> bool {
        self == StepAction::RemoveAccess
    }

    /// The order automated steps run in: each needs what the ones before it made.
    fn rank(self) -> u8 {
        StepAction::ALL
            .iter()
            .position(|a| *a == self)
            .unwrap_or(usize::MAX) as u8
    }
}

vocabulary!(
    /// Where a step stands.
    StepState, "step state" {
        Pending => "pending", "Pending";
        Running => "running", "Running";
        Done => "done", "Done";
        Failed => "failed", "Failed";
        Skipped => "skipped", "Skipped";
    }
);

impl StepState {
    /// Done or skipped: nothing more will happen to the step.
    pub fn is_settled(self) -> bool {
        matches!(self, StepState::Done | StepState::Skipped)
    }
}

vocabulary!(
    /// Which way a run goes.
    RunKind, "run kind" {
        Onboarding => "onboarding", "Onboarding";
        Offboarding => "offboarding", "Offboarding";
    }
);

vocabulary!(
    /// Where a run stands.
    RunStatus, "run status" {
        Running => "running", "In progress";
        Done => "done", "Done";
        Cancelled => "cancelled", "Cancelled";
    }
);

/// The owner of every automated step.
pub const VARDE: &str = "varde";
