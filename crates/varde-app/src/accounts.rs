//! Accounts and their secrets: passwords hashed with argon2id, random secrets for sessions,
//! tokens and links, adding an account with every rule checked, and API tokens.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use varde_core::access::{Action, Resource, Role, TokenScope};
use varde_core::account::{Account, check_password_strength};
use varde_core::form::FieldErrors;
use varde_core::ids::OrganizationId;
use varde_core::values::EmailAddress;
use varde_store::{NewAccount, Store, TokenInfo};

use crate::{Acting, App, AppError, authorize};

/// A random secret of 32 bytes, hex-encoded, with a prefix that says what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .unwrap_or_else(|e| panic!("the system's random source failed: {e}"));
    format!("{prefix}{}", hex::encode(bytes))
}

/// Why a password could not be hashed (the system's random source or the thread pool failed).
#[derive(Debug, thiserror::Error)]
#[error("hashing the password failed: {0}")]
pub struct HashError(String);

/// Hashes a password with argon2id on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Checks a password against a stored hash on a blocking thread.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// Creates an account after checking every rule, as the installation's operator
/// (`varde user add`, the demo); [`App::add_account`] is the same for an administrator.
pub async fn add_account(
    store: &Store,
    email: &str,
    name: &str,
    role: &str,
    organization: Option<i64>,
    password: String,
    now: jiff::Timestamp,
) -> Result<Account, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.take("email", EmailAddress::parse(email));
    let role = errors.take("role", Role::parse(role));
    if name.trim().is_empty() {
        errors.add("name", "a name is required");
    }
    if let Err(m) = check_password_strength(&password) {
        errors.add("password", m);
    }
    let organization = match (role, organization) {
        (Some(Role::Customer), None) => {
            errors.add(
                "organization_id",
                "a customer account belongs to an organisation",
            );
            None
        }
        (Some(Role::Customer), Some(o)) => Some(OrganizationId(o)),
        (Some(_), Some(_)) => {
            errors.add(
                "organization_id",
                "staff accounts belong to no organisation",
            );
            None
        }
        _ => None,
    };
    if let (Some(Role::Customer), Some(org), Some(email)) = (role, organization, &email) {
        match store.contact_by_email(email).await? {
            Some(c) if c.organization == org && c.details.portal_access => {}
            Some(c) if c.organization == org => errors.add(
                "email",
                "this contact has no portal access; grant it on the contact first",
            ),
            _ => errors.add(
                "email",
                "a customer account needs a contact with this e-mail in the organisation",
            ),
        }
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let hash = hash_password(password)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let new = NewAccount {
        email,
        name: name.trim().to_string(),
        role,
        organization,
        password_hash: Some(hash),
    };
    Ok(store.create_account(&new, now).await?)
}

/// Makes a new token for `account`, as the installation's operator (`varde token create`);
/// [`App::issue_token`] is the same for the account's owner.
pub async fn issue_token(
    store: &Store,
    account: &Account,
    name: &str,
    scope: Option<&str>,
    now: jiff::Timestamp,
) -> Result<(String, TokenInfo), AppError> {
    let mut errors = FieldErrors::new();
    if name.trim().is_empty() || name.len() > 100 {
        errors.add("name", "a token has a name of 1 to 100 characters");
    }
    let scope = match scope.filter(|s| !s.trim().is_empty()) {
        None => Some(TokenScope::Write),
        Some(s) => errors.take("scope", TokenScope::parse(s)),
    };
    let (Some(scope), true) = (scope, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let secret = new_secret("varde_");
    let info = store
        .create_token(account.id, name.trim(), scope, &secret, now)
        .await?;
    Ok((secret, info))
}

impl App {
    /// An administrator adds a staff account, or a portal account for a contact with portal
    /// access.
    pub async fn add_account(
        &self,
        by: &Acting,
        email: &str,
        name: &str,
        role: &str,
        organization: Option<i64>,
        password: String,
    ) -> Result<Account, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Accounts)?;
        add_account(
            &self.store,
            email,
            name,
            role,
            organization,
            password,
            self.now(),
        )
        .await
    }

    /// Someone makes an API token for its own account. Gives the secret (shown once) and
    /// what is kept of it.
    pub async fn issue_token(
        &self,
        by: &Acting,
        account: &Account,
        name: &str,
        scope: Option<&str>,
    ) -> Result<(String, TokenInfo), AppError> {
        authorize(&by.actor, Action::Write, &Resource::OwnAccount(account.id))?;
        issue_token(&self.store, account, name, scope, self.now()).await
    }

    /// Every account (staff and customers' contacts), for whom `can` lets read accounts: the
    /// user search of RT's REST2.
    pub async fn accounts(
        &self,
        actor: &varde_core::access::Actor,
    ) -> Result<Vec<Account>, AppError> {
        authorize(actor, Action::Read, &Resource::Accounts)?;
        Ok(self.store.accounts().await?)
    }

    /// One's own API tokens, the revoked ones too.
    pub async fn tokens(&self, by: &Acting) -> Result<Vec<TokenInfo>, AppError> {
        let user = by.actor.user().ok_or(AppError::Unauthenticated)?;
        authorize(&by.actor, Action::Read, &Resource::OwnAccount(user))?;
        Ok(self.store.tokens_of(user).await?)
    }

    /// Revokes one of one's own tokens (another's is not found).
    pub async fn revoke_token(&self, by: &Acting, id: i64) -> Result<(), AppError> {
        let user = by.actor.user().ok_or(AppError::Unauthenticated)?;
        authorize(&by.actor, Action::Write, &Resource::OwnAccount(user))?;
        Ok(self.store.revoke_token(user, id, self.now()).await?)
    }
}

impl App {
    /// Counts a try at something rate-limited (`varde_core::limits`), shared by every node;
    /// false when a limit is spent. Anyone may try: this is what keeps them from trying fast.
    pub async fn spend_tries(&self, tries: &[varde_core::limits::Try]) -> Result<bool, AppError> {
        Ok(self.store.spend_tries(tries, self.now()).await?)
    }

    /// Sweeps the counts that no longer limit anything; the serving node does it now and then.
    pub async fn forget_spent_tries(&self) -> Result<u64, AppError> {
        Ok(self.store.forget_spent_tries(self.now()).await?)
    }
}

impl App {
    /// The time zone one reads times in: an IANA name (`Europe/Oslo`), or blank for the
    /// office's. Only one's own (or an administrator for anyone).
    pub async fn set_time_zone(
        &self,
        by: &Acting,
        user: varde_core::ids::UserId,
        zone: &str,
    ) -> Result<(), AppError> {
        authorize(&by.actor, Action::Write, &Resource::OwnAccount(user))?;
        let zone = zone.trim();
        if !zone.is_empty() && jiff::tz::TimeZone::get(zone).is_err() {
            let mut errors = FieldErrors::new();
            errors.add(
                "time_zone",
                format!("'{zone}' is not a time zone; use a name like Europe/Oslo"),
            );
            return Err(AppError::Invalid(errors));
        }
        Ok(self
            .store
            .set_time_zone(user, Some(zone).filter(|z| !z.is_empty()))
            .await?)
    }
}
