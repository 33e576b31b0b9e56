//! One-time links: issued with the letter that carries them (and, for an invitation, the
//! account they are for) in one transaction; used once, setting the password and ending
//! every session of the account in the same transaction. Only the secret's digest is stored.

use jiff::Timestamp;
use varde_core::account::Account;
use varde_core::ids::UserId;
use varde_core::links::LinkPurpose;

use crate::accounts::{PORTAL_ACCESS, secret_digest};
use crate::customers::audit;
use crate::letters::{NewLetter, insert_letter};
use crate::rows::{USER_COLUMNS, UserRow};
use crate::{NewAccount, Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

/// A link to issue: its secret (stored as a digest), purpose and expiry.
pub struct NewLink<'a> {
    pub secret: &'a str,
    pub purpose: LinkPurpose,
    pub expires_at: Timestamp,
    pub created_by: &'a str,
    /// The address an e-mail change moves the account to.
    pub new_email: Option<&'a str>,
}

/// What using a link does: sets the password, or moves the account (and its contact) to the
/// link's new address.
pub enum LinkUse<'a> {
    Password(&'a str),
    Email,
}

/// A stored link as its page reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLink {
    pub purpose: LinkPurpose,
    pub account: Account,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub new_email: Option<String>,
}

impl Store {
    /// Issues a link for the account `account` names (by its e-mail), creating the account
    /// (without a password) when there is none yet, and queues `letter`; all in one
    /// transaction. Answers the account, or `NotFound` when there is none and none is to be
    /// made.
    pub async fn issue_link(
        &self,
        account: &NewAccount,
        create: bool,
        link: &NewLink<'_>,
        letter: &NewLetter,
        now: Timestamp,
    ) -> Result<Account> {
        let digest = secret_digest(link.secret);
        let id: Option<i64> = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let mut id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(account.email.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if id.is_none() && create {
                id = Some(sqlx::query_scalar(
                    "INSERT INTO users (email, name, role, organization_id, password_hash, disabled, created_at) \
                     VALUES ($1, $2, $3, $4, NULL, FALSE, $5) RETURNING id",
                )
                .bind(account.email.as_str())
                .bind(account.name.trim())
                .bind(account.role.code())
                .bind(account.organization.map(|o| o.0))
                .bind(micros(now))
                .fetch_one(&mut *tx)
                .await?);
            }
            if let Some(user) = id {
                sqlx::query(
                    "INSERT INTO one_time_links (token_hash, purpose, user_id, created_by, created_at, expires_at, new_email) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&digest)
                .bind(link.purpose.code())
                .bind(user)
                .bind(link.created_by)
                .bind(micros(now))
                .bind(micros(link.expires_at))
                .bind(link.new_email)
                .execute(&mut *tx)
                .await?;
                insert_letter!(tx, letter, now);
                tx.commit().await?;
            }
            id
        });
        let id = id.ok_or(StoreError::NotFound)?;
        self.account(UserId(id)).await?.ok_or(StoreError::NotFound)
    }

    /// An organisation's customer accounts, each with whether it has a password yet (an
    /// invited colleague has none until it uses its link).
    pub async fn accounts_of_organization(
        &self,
        org: varde_core::ids::OrganizationId,
    ) -> Result<Vec<(Account, bool)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            has_password: bool,
        }
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash IS NOT NULL AS has_password FROM users u WHERE u.organization_id = $1 ORDER BY u.id"
        );
        let rows: Vec<Row> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.0).fetch_all(p).await)?;
        rows.into_iter()
            .map(|r| Ok((r.user.into_account()?, r.has_password)))
            .collect()
    }

    /// How many links for `purpose` the account was given since `since`.
    pub async fn links_since(
        &self,
        user: UserId,
        purpose: LinkPurpose,
        since: Timestamp,
    ) -> Result<i64> {
        Ok(read_pool!(self, p => sqlx::query_scalar(
            "SELECT count(*) FROM one_time_links WHERE user_id = $1 AND purpose = $2 AND created_at >= $3",
        ).bind(user.0).bind(purpose.code()).bind(micros(since)).fetch_one(p).await)?)
    }

    /// The link of this secret, used or not.
    pub async fn link(&self, secret: &str) -> Result<Option<StoredLink>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            purpose: String,
            expires_at: i64,
            used_at: Option<i64>,
            new_email: Option<String>,
        }
        let sql = format!(
            "SELECT {USER_COLUMNS}, l.purpose, l.expires_at, l.used_at, l.new_email FROM one_time_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = $1",
        );
        let row: Option<Row> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(secret_digest(secret)).fetch_optional(p).await)?;
        row.map(|r| {
            Ok(StoredLink {
                purpose: LinkPurpose::parse(&r.purpose).map_err(|e| StoreError::Corrupt(e.0))?,
                account: r.user.into_account()?,
                expires_at: from_micros(r.expires_at)?,
                used_at: r.used_at.map(from_micros).transpose()?,
                new_email: r.new_email,
            })
        })
        .transpose()
    }

    /// Uses a link of `purpose`: if it is unused and unexpired and its account may log in,
    /// marks it and every other open link of the account for the same purpose used, does
    /// what `change` says (sets the password, or moves the account and its contact to the
    /// link's new address), and ends the account's sessions, in one transaction. Answers the
    /// account, or `None` when the link was used, expired, dead or never existed (two at
    /// once: one wins); a new address someone took meanwhile is a conflict, and nothing
    /// changes.
    pub async fn use_link(
        &self,
        secret: &str,
        purpose: LinkPurpose,
        change: LinkUse<'_>,
        now: Timestamp,
    ) -> Result<Option<UserId>> {
        let digest = secret_digest(secret);
        let outcome: std::result::Result<Option<i64>, &'static str> = write_pool!(self, p => async {
            let mut tx = p.begin().await?;
            // Only while the account may log in: not disabled, and a customer's contact
            // still has portal access (a removed colleague's link is dead).
            let sql = format!(
                "UPDATE one_time_links SET used_at = $2 WHERE token_hash = $1 AND purpose = $3 AND used_at IS NULL AND expires_at > $2 \
                 AND EXISTS (SELECT 1 FROM users u WHERE u.id = one_time_links.user_id AND NOT u.disabled{PORTAL_ACCESS}) \
                 RETURNING user_id, new_email"
            );
            let claimed: Option<(i64, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&digest)
                .bind(micros(now))
                .bind(purpose.code())
                .fetch_optional(&mut *tx)
                .await?;
            let Some((user, new_email)) = claimed else {
                return Ok(Ok(None));
            };
            sqlx::query("UPDATE one_time_links SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
                .bind(user).bind(purpose.code()).bind(micros(now)).execute(&mut *tx).await?;
            match change {
                LinkUse::Password(hash) => {
                    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                        .bind(hash).bind(user).execute(&mut *tx).await?;
                }
                LinkUse::Email => {
                    let Some(new) = new_email else {
                        return Ok(Err("the link names no address"));
                    };
                    let taken: i64 = sqlx::query_scalar(
                        "SELECT (SELECT count(*) FROM users WHERE email = $1) + (SELECT count(*) FROM contacts c WHERE c.email = $1 \
                         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = $2 AND u.email = c.email))",
                    ).bind(&new).bind(user).fetch_one(&mut *tx).await?;
                    if taken > 0 {
                        return Ok(Err("taken"));
                    }
                    // The account's contact moves with it, and its audit history says so.
                    let moved: Option<(i64, i64, String)> = sqlx::query_as(
                        "UPDATE contacts SET email = $1 WHERE email = (SELECT email FROM users WHERE id = $2) \
                         AND organization_id = (SELECT organization_id FROM users WHERE id = $2) \
                         RETURNING id, organization_id, (SELECT email FROM users WHERE id = $2)",
                    ).bind(&new).bind(user).fetch_optional(&mut *tx).await?;
                    if let Some((contact, org, old)) = moved {
                        let change = varde_core::audit::Change {
                            field: "email".into(),
                            before: old.clone(),
                            after: new.clone(),
                        };
                        audit!(tx, now, Some(org), "contact", contact, "updated", old.as_str(), &[change]);
                    }
                    sqlx::query("UPDATE users SET email = $1 WHERE id = $2").bind(&new).bind(user).execute(&mut *tx).await?;
                }
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(Ok(Some(user)))
        }.await)?;
        match outcome {
            Ok(user) => Ok(user.map(UserId)),
            Err(why) => Err(crate::conflict("email", why.to_string())),
        }
    }
}
