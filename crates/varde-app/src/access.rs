//! Who acts, and the one way a use case asks [`can`] whether they may.

use varde_core::access::{Action, Actor, Resource, can};

use crate::AppError;

/// Who does a use case: the actor [`can`] judges and the name the audit trail and the
/// ticket history record (an account's e-mail address).
#[derive(Clone, Debug)]
pub struct Acting {
    pub actor: Actor,
    pub name: String,
}

impl Acting {
    pub fn new(actor: Actor, name: impl Into<String>) -> Acting {
        Acting {
            actor,
            name: name.into(),
        }
    }
}

/// Refuses unless [`can`] allows `action` on `resource`. Nobody logged in is
/// [`AppError::Unauthenticated`]; an actor who may not even read an organisation's resource
/// is told it does not exist ([`AppError::NotFound`]), so that ids of other organisations
/// reveal nothing; one who may read it but not do this is [`AppError::Forbidden`].
pub fn authorize(actor: &Actor, action: Action, resource: &Resource) -> Result<(), AppError> {
    if *actor == Actor::Anonymous {
        return Err(AppError::Unauthenticated);
    }
    // Collections that are not an organisation's have no ids to hide.
    let collection = matches!(
        resource,
        Resource::OrganizationDirectory
            | Resource::CustomerBase
            | Resource::Accounts
            | Resource::QueueSettings
            | Resource::TicketSystem
            | Resource::Roadmap
    );
    if can(actor, action, resource) {
        Ok(())
    } else if collection || can(actor, Action::Read, resource) {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use varde_core::access::{StaffRole, TokenScope};
    use varde_core::ids::{OrganizationId, UserId};

    use super::*;

    #[test]
    fn another_organisations_resource_is_not_found_and_a_collection_forbidden() {
        let customer = Actor::Customer {
            user: UserId(1),
            organization: OrganizationId(1),
            scope: TokenScope::Write,
            tickets: Default::default(),
        };
        let theirs = Resource::Contracts(OrganizationId(2));
        assert!(matches!(
            authorize(&customer, Action::Read, &theirs),
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            authorize(&customer, Action::Write, &Resource::OrganizationDirectory),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            authorize(&Actor::Anonymous, Action::Read, &theirs),
            Err(AppError::Unauthenticated)
        ));
        let read_only = Actor::Staff {
            user: UserId(2),
            role: StaffRole::ReadOnly,
            scope: TokenScope::Write,
        };
        assert!(matches!(
            authorize(&read_only, Action::Write, &theirs),
            Err(AppError::Forbidden)
        ));
        assert!(authorize(&read_only, Action::Read, &theirs).is_ok());
    }
}
