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
        login: None,
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

    /// An administrator adds an agent's account the way RT's clients add a privileged user:
    /// `login` is RT's `Name` (kept when it is not the address); without a password the
    /// account logs in only once an administrator sets one (as imported staff).
    pub async fn add_agent(
        &self,
        by: &Acting,
        email: &str,
        name: &str,
        login: &str,
        password: Option<String>,
        disabled: bool,
    ) -> Result<Account, AppError> {
        authorize(&by.actor, Action::Write, &Resource::Accounts)?;
        let mut errors = FieldErrors::new();
        let email = errors.take("email", EmailAddress::parse(email));
        let login = match &email {
            Some(e) => errors
                .take("login", varde_core::account::rt_login(login, e))
                .flatten(),
            None => None,
        };
        let name = varde_core::ticket::one_line(name);
        if name.is_empty() {
            errors.add("name", "a name is required");
        }
        if let Some(Err(m)) = password.as_deref().map(check_password_strength) {
            errors.add("password", m);
        }
        let (Some(email), true) = (email, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let password_hash = match password {
            Some(p) => Some(
                hash_password(p)
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            ),
            None => None,
        };
        let new = NewAccount {
            email,
            name,
            role: Role::Agent,
            organization: None,
            password_hash,
            login,
        };
        Ok(self
            .store
            .create_account_disabled(&new, disabled, self.now())
            .await?)
    }

    /// Changes an account's name or password (one's own, or anyone's for an administrator),
    /// or disables or enables it (administrators, not their own). A disabled account or a new
    /// password ends the account's sessions.
    pub async fn change_account(
        &self,
        by: &Acting,
        id: varde_core::ids::UserId,
        name: Option<&str>,
        disabled: Option<bool>,
        password: Option<String>,
    ) -> Result<Account, AppError> {
        let account = self.store.account(id).await?.ok_or(AppError::NotFound)?;
        // Naming the account's present state is no change (RT's CLI sends its whole form back,
        // `Disabled: 0` too); only a change of it needs the right over every account.
        let disabled = disabled.filter(|d| *d != account.disabled);
        let resource = match disabled {
            Some(_) => Resource::Accounts,
            None => Resource::OwnAccount(id),
        };
        authorize(&by.actor, Action::Write, &resource)?;
        let mut errors = FieldErrors::new();
        let name = name.map(varde_core::ticket::one_line);
        if name.as_deref() == Some("") {
            errors.add("name", "a name is required");
        }
        if disabled == Some(true) && by.actor.user() == Some(id) {
            errors.add(
                "disabled",
                "an administrator cannot disable their own account",
            );
        }
        if let Some(Err(m)) = password.as_deref().map(check_password_strength) {
            errors.add("password", m);
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let change = varde_store::AccountChange {
            name: name.filter(|n| *n != account.name),
            disabled,
            password_hash: match password {
                Some(p) => Some(
                    hash_password(p)
                        .await
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                ),
                None => None,
            },
        };
        if change == varde_store::AccountChange::default() {
            return Ok(account);
        }
        Ok(self.store.change_account(id, &change).await?)
    }

    /// The account RT's clients name by `key`: its number, its address or its login name.
    /// One's own, or any for an administrator; anyone else's is not found.
    pub async fn account_named(
        &self,
        actor: &varde_core::access::Actor,
        key: &str,
    ) -> Result<Account, AppError> {
        let key = key.trim();
        let found = if let Ok(email) = EmailAddress::parse(key) {
            self.store.account_for_login(&email).await?.map(|(a, _)| a)
        } else if let Ok(n) = key.parse::<i64>() {
            self.store.account(varde_core::ids::UserId(n)).await?
        } else {
            self.store.account_by_login(key).await?.map(|(a, _)| a)
        };
        let account = found.ok_or(AppError::NotFound)?;
        authorize(actor, Action::Read, &Resource::OwnAccount(account.id))?;
        Ok(account)
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
