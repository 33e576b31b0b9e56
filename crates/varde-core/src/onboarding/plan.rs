//! Planning a run and the rules of its steps: the steps an onboarding run gets from the
//! templates, the reverse run at a contract's end, which automated step may run next, and
//! when a run is complete or a step overdue.

use jiff::civil::Date;

use super::{StepAction, StepState, Template, VARDE};
use crate::catalogue::{Service, SupportTier};

/// A step of a run as planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedStep {
    pub action: StepAction,
    pub title: String,
    pub owner: String,
    pub due_on: Date,
    pub required: bool,
}

/// The steps of an onboarding run: every applying template's steps, automated ones in the
/// order they must run, each automated action once; checklist items by due date.
pub fn plan(
    templates: &[Template],
    tier: SupportTier,
    services: &[Service],
    signed_on: Date,
) -> Vec<PlannedStep> {
    let mut steps: Vec<PlannedStep> = Vec::new();
    for s in templates
        .iter()
        .filter(|t| t.applies(tier, services))
        .flat_map(|t| &t.steps)
    {
        if s.action.is_automated() && steps.iter().any(|p| p.action == s.action) {
            continue;
        }
        if matches!(
            s.action,
            StepAction::DisableAccess | StepAction::RemoveAccess
        ) {
            continue;
        }
        steps.push(PlannedStep {
            action: s.action,
            title: s.title.clone(),
            owner: s.owner.clone(),
            due_on: signed_on.saturating_add(jiff::Span::new().days(i64::from(s.days))),
            required: s.required,
        });
    }
    // Stable: automated steps by their rank, checklist items after them by due date.
    steps.sort_by_key(|s| {
        (
            !s.action.is_automated(),
            if s.action.is_automated() {
                s.action.rank()
            } else {
                0
            },
            s.due_on,
        )
    });
    steps
}

/// Days between disabling a leaving customer's access and removing it.
pub const GRACE_DAYS: u32 = 30;

/// The reverse run at a contract's end: disable at once, remove after the grace period, and
/// only when someone confirms it.
pub fn offboarding_plan(ends_on: Date) -> Vec<PlannedStep> {
    let day = |n: u32| ends_on.saturating_add(jiff::Span::new().days(i64::from(n)));
    vec![
        PlannedStep {
            action: StepAction::DisableAccess,
            title: "Disable the customer's Keystone domain, its users and projects".into(),
            owner: VARDE.into(),
            due_on: day(0),
            required: true,
        },
        PlannedStep {
            action: StepAction::Manual,
            title: "Tell the customer when its data will be removed".into(),
            owner: "customer-success".into(),
            due_on: day(1),
            required: true,
        },
        PlannedStep {
            action: StepAction::RemoveAccess,
            title: format!(
                "Remove the domain and everything in it ({GRACE_DAYS} days' grace, needs confirmation)"
            ),
            owner: VARDE.into(),
            due_on: day(GRACE_DAYS),
            required: true,
        },
    ]
}

/// What the rules need to know of a step in a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepFacts {
    pub action: StepAction,
    pub state: StepState,
    pub required: bool,
    pub due_on: Date,
    /// For steps that need it: whether a person confirmed it.
    pub confirmed: bool,
}

/// The automated step that may run next, by index: the first unsettled automated step, if
/// every automated step before it is settled, it is pending (not failed, not waiting for a
/// retry) and, if it needs one, confirmed and past its due day.
pub fn next_automated(steps: &[StepFacts], today: Date) -> Option<usize> {
    let (i, s) = steps
        .iter()
        .enumerate()
        .find(|(_, s)| s.action.is_automated() && !s.state.is_settled())?;
    let ready = matches!(s.state, StepState::Pending | StepState::Running)
        && (!s.action.needs_confirmation() || (s.confirmed && today >= s.due_on));
    ready.then_some(i)
}

/// A run is complete when every required step is done or skipped.
pub fn complete(steps: &[StepFacts]) -> bool {
    steps.iter().all(|s| !s.required || s.state.is_settled())
}

/// A step is overdue when it is not settled and its due day has passed.
pub fn overdue(step: &StepFacts, today: Date) -> bool {
    !step.state.is_settled() && step.due_on < today
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::default_templates;
    use jiff::civil::date;

    fn facts(action: StepAction, state: StepState) -> StepFacts {
        StepFacts {
            action,
            state,
            required: true,
            due_on: date(2026, 1, 1),
            confirmed: false,
        }
    }

    #[test]
    fn premium_with_storage_gets_every_step_in_dependency_order() {
        let steps = plan(
            &default_templates(),
            SupportTier::Premium,
            &[Service::Compute, Service::Storage],
            date(2026, 3, 2),
        );
        let actions: Vec<&str> = steps.iter().map(|s| s.action.code()).collect();
        assert_eq!(
            actions,
            [
                "keystone_domain",
                "keystone_project",
                "keystone_users",
                "application_credentials",
                "ec2_credentials",
                "quotas",
                "welcome_mail",
                "chat_invite",
                "meeting_invite",
                "manual",
                "manual"
            ]
        );
        let manual: Vec<(&str, Date)> = steps
            .iter()
            .filter(|s| s.action == StepAction::Manual)
            .map(|s| (s.title.as_str(), s.due_on))
            .collect();
        assert_eq!(
            manual,
            [
                ("Assign the service manager", date(2026, 3, 5)),
                (
                    "Check in: has the customer logged in and started?",
                    date(2026, 3, 12)
                )
            ]
        );
        assert!(
            steps
                .iter()
                .all(|s| s.action.is_automated() == (s.owner == VARDE))
        );
    }

    #[test]
    fn base_tier_without_storage_gets_no_chat_meeting_or_s3_keys() {
        let steps = plan(
            &default_templates(),
            SupportTier::Base,
            &[Service::Compute],
            date(2026, 3, 2),
        );
        for a in [
            StepAction::ChatInvite,
            StepAction::MeetingInvite,
            StepAction::Ec2Credentials,
        ] {
            assert!(steps.iter().all(|s| s.action != a), "{a} planned");
        }
        assert!(steps.iter().any(|s| s.action == StepAction::Quotas));
    }

    #[test]
    fn automated_steps_wait_for_the_ones_before_them_but_not_for_checklist_items() {
        let today = date(2026, 1, 1);
        let mut steps = vec![
            facts(StepAction::KeystoneDomain, StepState::Done),
            facts(StepAction::Manual, StepState::Pending),
            facts(StepAction::KeystoneProject, StepState::Pending),
            facts(StepAction::KeystoneUsers, StepState::Pending),
        ];
        assert_eq!(next_automated(&steps, today), Some(2));
        steps[2].state = StepState::Failed;
        assert_eq!(
            next_automated(&steps, today),
            None,
            "a failure holds the rest"
        );
        steps[2].state = StepState::Skipped;
        assert_eq!(next_automated(&steps, today), Some(3));
        steps[3].state = StepState::Running;
        assert_eq!(
            next_automated(&steps, today),
            Some(3),
            "an expired claim resumes"
        );
        steps[3].state = StepState::Done;
        assert_eq!(next_automated(&steps, today), None);
        assert!(!complete(&steps), "the checklist item is required");
        steps[1].required = false;
        assert!(complete(&steps));
    }

    #[test]
    fn removal_waits_for_confirmation_and_the_grace_period() {
        let plan = offboarding_plan(date(2026, 6, 30));
        let mut steps: Vec<StepFacts> = plan
            .iter()
            .map(|p| StepFacts {
                action: p.action,
                state: StepState::Pending,
                required: p.required,
                due_on: p.due_on,
                confirmed: false,
            })
            .collect();
        assert_eq!(next_automated(&steps, date(2026, 6, 30)), Some(0));
        steps[0].state = StepState::Done;
        let after_grace = date(2026, 7, 30);
        assert_eq!(next_automated(&steps, after_grace), None, "not confirmed");
        steps[2].confirmed = true;
        assert_eq!(next_automated(&steps, date(2026, 7, 29)), None, "in grace");
        assert_eq!(next_automated(&steps, after_grace), Some(2));
        assert!(overdue(&steps[1], date(2026, 7, 2)));
        assert!(!overdue(&steps[1], date(2026, 7, 1)));
    }
}
