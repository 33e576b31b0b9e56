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
    /// The login name Request Tracker's clients know the account by (RT's `Name`), when it
    /// is not the e-mail address.
    pub login: Option<String>,
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

/// The login name to keep for an account RT's clients name `name` (RT's `Name`): none when it
/// is blank or the account's own address; otherwise one line of at most 64 characters that is
/// not another address (Varde finds accounts by address first).
pub fn rt_login(name: &str, email: &crate::values::EmailAddress) -> Result<Option<String>, String> {
    let login = crate::ticket::one_line(name);
    if login.is_empty() || login.eq_ignore_ascii_case(email.as_str()) {
        return Ok(None);
    }
    if login.chars().count() > 64 {
        return Err("a login name has at most 64 characters".into());
    }
    if login.chars().all(|c| c.is_ascii_digit()) {
        return Err(
            "a login name is not a number alone (a number names an account by its id)".into(),
        );
    }
    if crate::values::EmailAddress::parse(&login).is_ok() {
        return Err(format!(
            "'{login}' is an e-mail address other than the account's ({email}); \
             an account's name is its own address or a login name"
        ));
    }
    Ok(Some(login))
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
            login: None,
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

    #[test]
    fn an_rt_login_is_kept_only_when_it_is_not_the_address() {
        let email = crate::values::EmailAddress::parse("alice@example.com").unwrap();
        assert_eq!(rt_login(" alice ", &email), Ok(Some("alice".into())));
        assert_eq!(rt_login("Alice@Example.com", &email), Ok(None));
        assert_eq!(rt_login("", &email), Ok(None));
        assert!(rt_login("bob@example.com", &email).is_err());
        assert!(rt_login(&"x".repeat(65), &email).is_err());
        assert!(rt_login("42", &email).is_err());
    }
}
