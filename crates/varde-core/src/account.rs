//! Login accounts: staff and customer contacts, and the actor each one acts as.

use crate::access::{Actor, Role, StaffRole, TicketRights, TokenScope};
use crate::ids::{OrganizationId, UserId};
use crate::values::EmailAddress;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    /// The organisation of a customer account; staff have none.
    pub organization: Option<OrganizationId>,
    pub disabled: bool,
    /// The time zone the person reads times in (an IANA name); `None`: the office's.
    pub time_zone: Option<String>,
    /// What a customer contact may do with tickets, as its organisation set it (staff: the
    /// default, unused).
    pub tickets: TicketRights,
}

impl Account {
    /// The actor this account acts as with `scope`. A disabled account, or a customer account
    /// without an organisation, acts as nobody.
    pub fn actor(&self, scope: TokenScope) -> Actor {
        if self.disabled {
            return Actor::Anonymous;
        }
        match (StaffRole::from_role(self.role), self.organization) {
            (Some(role), _) => Actor::Staff {
                user: self.id,
                role,
                scope,
            },
            (None, Some(organization)) => Actor::Customer {
                user: self.id,
                organization,
                scope,
                tickets: self.tickets,
            },
            (None, None) => Actor::Anonymous,
        }
    }
}

/// Why a password is refused.
pub fn check_password_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < 10 {
        return Err("a password has at least 10 characters".into());
    }
    if password.len() > 1024 {
        return Err("a password has at most 1024 bytes".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_accounts_act_as_nobody() {
        let mut a = Account {
            id: UserId(1),
            email: EmailAddress::parse("a@kth.se").unwrap(),
            name: "A".into(),
            role: Role::Customer,
            organization: Some(OrganizationId(4)),
            disabled: false,
            time_zone: None,
            tickets: TicketRights::default(),
        };
        assert!(matches!(
            a.actor(TokenScope::Write),
            Actor::Customer {
                organization: OrganizationId(4),
                ..
            }
        ));
        a.organization = None;
        assert_eq!(a.actor(TokenScope::Write), Actor::Anonymous);
        a.role = Role::Agent;
        a.disabled = true;
        assert_eq!(a.actor(TokenScope::Write), Actor::Anonymous);
    }
}
