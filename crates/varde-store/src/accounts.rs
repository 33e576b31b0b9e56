//! Accounts, browser sessions and API tokens.
//!
//! Secrets never reach the database in the clear: passwords arrive already hashed (argon2, by
//! the caller), and session and API tokens are stored as their SHA-256 hex digest.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use varde_core::access::{Role, TokenScope};
use varde_core::account::Account;
use varde_core::ids::{OrganizationId, UserId};
use varde_core::values::EmailAddress;

use crate::rows::{USER_COLUMNS, UserRow};

/// Where a query reads a user `u`: staff, or a customer whose contact record in its
/// organisation has portal access.
pub(crate) const PORTAL_ACCESS: &str = " AND (u.organization_id IS NULL OR EXISTS (SELECT 1 FROM contacts c \
     WHERE c.organization_id = u.organization_id AND c.email = u.email AND c.portal_access))";
use crate::{Result, Store, StoreError, conflict, from_micros, micros, read_pool, write_pool};

/// The SHA-256 hex digest under which a bearer secret is stored and looked up.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub struct NewAccount {
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub organization: Option<OrganizationId>,
    /// An argon2 PHC string, or none for an account that cannot log in with a password.
    pub password_hash: Option<String>,
    /// RT's login name, when it is not the e-mail address (see [`Account::login`]).
    pub login: Option<String>,
}

/// A change to an account; `None` leaves a detail as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountChange {
    pub name: Option<String>,
    pub disabled: Option<bool>,
    /// A new argon2 PHC string.
    pub password_hash: Option<String>,
}

/// An API token as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub user: UserId,
    pub name: String,
    pub scope: TokenScope,
    /// The first characters of the token, so its owner can tell tokens apart.
    pub prefix: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    scope: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TokenRow {
    fn into_info(self) -> Result<TokenInfo> {
        Ok(TokenInfo {
            id: self.id,
            user: UserId(self.user_id),
            name: self.name,
            scope: TokenScope::parse(&self.scope).map_err(|e| StoreError::Corrupt(e.0))?,
            prefix: self.prefix,
            created_at: from_micros(self.created_at)?,
            last_used_at: self.last_used_at.map(from_micros).transpose()?,
            revoked_at: self.revoked_at.map(from_micros).transpose()?,
        })
    }
}

/// An account's row with its password hash, for logging in.
#[derive(sqlx::FromRow, serde::Deserialize)]
struct WithHash {
    #[sqlx(flatten)]
    #[serde(flatten)]
    user: UserRow,
    password_hash: Option<String>,
}

impl Store {
    pub async fn create_account(&self, new: &NewAccount, now: Timestamp) -> Result<Account> {
        self.create_account_disabled(new, false, now).await
    }

    /// Creates an account, disabled from the start when `disabled` (RT's clients may make a
    /// user that way).
    pub async fn create_account_disabled(
        &self,
        new: &NewAccount,
        disabled: bool,
        now: Timestamp,
    ) -> Result<Account> {
        let id: Option<i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1 OR lower(login) = lower($2)")
                .bind(new.email.as_str())
                .bind(new.login.as_deref())
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                None
            } else {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (email, name, role, organization_id, password_hash, disabled, created_at, login) \
                     VALUES ($1, $2, $3, $4, $5, $8, $6, $7) RETURNING id",
                )
                .bind(new.email.as_str())
                .bind(new.name.trim())
                .bind(new.role.code())
                .bind(new.organization.map(|o| o.0))
                .bind(new.password_hash.as_deref())
                .bind(micros(now))
                .bind(new.login.as_deref())
                .bind(disabled)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Some(id)
            }
        });
        let Some(id) = id else {
            return Err(conflict(
                "email",
                match &new.login {
                    Some(login) => format!("an account for {} or named {login} exists", new.email),
                    None => format!("an account for {} exists", new.email),
                },
            ));
        };
        self.account(UserId(id)).await?.ok_or(StoreError::NotFound)
    }

    pub async fn account(&self, id: UserId) -> Result<Option<Account>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row: Option<UserRow> = self.row(&sql, vec![id.0.into()]).await?;
        row.map(UserRow::into_account).transpose()
    }

    /// The account with this id and its password hash, in one read.
    pub async fn account_and_password(
        &self,
        id: UserId,
    ) -> Result<Option<(Account, Option<String>)>> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.id = $1");
        let row: Option<WithHash> = self.row(&sql, vec![id.0.into()]).await?;
        row.map(|r| Ok((r.user.into_account()?, r.password_hash)))
            .transpose()
    }

    /// The account with this e-mail and its password hash, for logging in.
    pub async fn account_for_login(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(Account, Option<String>)>> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1");
        let row: Option<WithHash> = self.row(&sql, vec![email.as_str().into()]).await?;
        row.map(|r| Ok((r.user.into_account()?, r.password_hash)))
            .transpose()
    }

    /// The account RT's clients name by its login (RT's `Name`, any case), with its password
    /// hash.
    pub async fn account_by_login(&self, login: &str) -> Result<Option<(Account, Option<String>)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE lower(u.login) = lower($1)"
        );
        let row: Option<WithHash> = self.row(&sql, vec![login.into()]).await?;
        row.map(|r| Ok((r.user.into_account()?, r.password_hash)))
            .transpose()
    }

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id");
        let rows: Vec<UserRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(UserRow::into_account).collect()
    }

    /// Sets the time zone an account reads times in (`None`: the office's).
    pub async fn set_time_zone(&self, id: UserId, zone: Option<&str>) -> Result<()> {
        let n = write_pool!(self, p => sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
            .bind(zone).bind(id.0).execute(p).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Sets an account's password; every session it had ends in the same transaction, so a
    /// stolen session does not outlive the password change.
    pub async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()> {
        let n = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(id.0).execute(&mut *tx).await?.rows_affected();
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_account_disabled(&self, id: UserId, disabled: bool) -> Result<()> {
        let n = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2").bind(disabled).bind(id.0).execute(&mut *tx).await?.rows_affected();
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Changes an account's name, whether it is disabled and its password, in one
    /// transaction; a disabled account or a new password ends every session it had.
    pub async fn change_account(&self, id: UserId, change: &AccountChange) -> Result<Account> {
        let n = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE users SET name = COALESCE($1, name), disabled = COALESCE($2, disabled), \
                 password_hash = COALESCE($3, password_hash) WHERE id = $4",
            )
            .bind(change.name.as_deref()).bind(change.disabled).bind(change.password_hash.as_deref()).bind(id.0)
            .execute(&mut *tx).await?.rows_affected();
            if change.disabled == Some(true) || change.password_hash.is_some() {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.account(id).await?.ok_or(StoreError::NotFound)
    }

    /// Records a browser session under the digest of its cookie secret.
    pub async fn create_session(
        &self,
        secret: &str,
        user: UserId,
        csrf_token: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(micros(now)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(secret_digest(secret))
                .bind(user.0)
                .bind(csrf_token)
                .bind(micros(now))
                .bind(micros(expires))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The account and CSRF token of a live session.
    /// The account of a live session: a customer account only while its contact has portal
    /// access (taking it away ends the contact's sessions at once).
    pub async fn session(&self, secret: &str, now: Timestamp) -> Result<Option<(Account, String)>> {
        #[derive(sqlx::FromRow, serde::Deserialize)]
        struct SessionRow {
            #[sqlx(flatten)]
            #[serde(flatten)]
            user: UserRow,
            csrf_token: String,
        }
        // One read: every request with a session cookie makes it.
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2{PORTAL_ACCESS}",
        );
        let found: Option<SessionRow> = self
            .row(&sql, vec![secret_digest(secret).into(), micros(now).into()])
            .await?;
        found
            .map(|r| Ok((r.user.into_account()?, r.csrf_token)))
            .transpose()
    }

    pub async fn end_session(&self, secret: &str) -> Result<()> {
        write_pool!(self, p => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(secret_digest(secret)).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores a new API token under the digest of `secret`; the secret itself is not kept.
    pub async fn create_token(
        &self,
        user: UserId,
        name: &str,
        scope: TokenScope,
        secret: &str,
        now: Timestamp,
    ) -> Result<TokenInfo> {
        let prefix: String = secret.chars().take(12).collect();
        let id: i64 = write_pool!(self, p => sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, scope, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user.0)
        .bind(name)
        .bind(scope.code())
        .bind(secret_digest(secret))
        .bind(&prefix)
        .bind(micros(now))
        .fetch_one(p)
        .await)?;
        self.tokens_of(user)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// The account and scope behind a presented API token, if it is known and not revoked
    /// (and, for a customer contact, while it has portal access). Marks the token used.
    pub async fn token_account(
        &self,
        secret: &str,
        now: Timestamp,
    ) -> Result<Option<(Account, TokenScope)>> {
        let digest = secret_digest(secret);
        let found: Option<(i64, i64, String, Option<i64>)> = self.row(
            "SELECT id, user_id, scope, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
            vec![digest.into()],
        )
        .await?;
        let Some((id, user, scope, last_used)) = found else {
            return Ok(None);
        };
        // Writing on every request would serialise readers behind the writer; a minute's
        // precision is enough to tell an unused token from a used one.
        if last_used.is_none_or(|t| micros(now) - t > 60_000_000) {
            write_pool!(self, p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(micros(now)).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        }
        let scope = TokenScope::parse(&scope).map_err(|e| StoreError::Corrupt(e.0))?;
        // A contact's token works only while its contact record has portal access, as its
        // sessions do.
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1{PORTAL_ACCESS}");
        let row: Option<UserRow> = self.row(&sql, vec![user.into()]).await?;
        row.map(|r| Ok((r.into_account()?, scope))).transpose()
    }

    pub async fn tokens_of(&self, user: UserId) -> Result<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, user_id, name, scope, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.0)
        .fetch_all(p)
        .await)?;
        rows.into_iter().map(TokenRow::into_info).collect()
    }

    /// Revokes a token of `user`. Revoking twice is not an error; an unknown token is.
    pub async fn revoke_token(&self, user: UserId, token: i64, now: Timestamp) -> Result<()> {
        let n = write_pool!(self, p => sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3",
        )
        .bind(micros(now))
        .bind(token)
        .bind(user.0)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
