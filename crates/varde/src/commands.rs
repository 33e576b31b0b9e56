//! The administrator's commands that work on the database directly: accounts and API tokens,
//! CSV import and export, and the quarterly report.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use varde_core::account::Account;
use varde_core::values::EmailAddress;
use varde_store::Store;
use varde_store::transfer::{ImportOptions, Kind};

use crate::cli::{StoreArgs, TokenCommand, UserCommand};

/// A use case's refusal as the command line says it: the fields that are wrong.
pub fn operator_error(e: varde_app::AppError) -> anyhow::Error {
    match e {
        varde_app::AppError::Invalid(fields) | varde_app::AppError::Conflict(fields) => {
            anyhow::anyhow!("{}", fields.summary())
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password from standard input")?;
    Ok(s.trim_end_matches(['\n', '\r']).to_string())
}

async fn account_by_email(store: &Store, email: &str) -> anyhow::Result<Account> {
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    match store.account_for_login(&email).await? {
        Some((account, _)) => Ok(account),
        None => bail!("no account {email}"),
    }
}

/// Opens the store, runs `f` on it, and closes it whatever `f` answered.
async fn with_store<T>(
    store: &StoreArgs,
    f: impl AsyncFnOnce(&Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let s = store.open("./varde-data").await?;
    let result = f(&s).await;
    s.close().await;
    result
}

pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            organization,
            password_stdin: _,
            store,
        } => {
            with_store(&store, async |s| {
                let password = read_password()?;
                let account = varde_app::accounts::add_account(
                    s,
                    &email,
                    &name,
                    &role,
                    organization,
                    password,
                    now,
                )
                .await
                .map_err(operator_error)?;
                println!(
                    "added {} ({}) with id {}",
                    account.email, account.role, account.id
                );
                Ok(())
            })
            .await
        }
        UserCommand::List { store } => {
            with_store(&store, async |s| {
                for a in s.accounts().await? {
                    let org = a
                        .organization
                        .map(|o| format!(" organization={o}"))
                        .unwrap_or_default();
                    let disabled = if a.disabled { " disabled" } else { "" };
                    println!(
                        "{}\t{}\t{}\t{}{org}{disabled}",
                        a.id, a.email, a.role, a.name
                    );
                }
                Ok(())
            })
            .await
        }
        UserCommand::Password {
            email,
            password_stdin: _,
            store,
        } => {
            with_store(&store, async |s| {
                let account = account_by_email(s, &email).await?;
                let password = read_password()?;
                varde_core::account::check_password_strength(&password)
                    .map_err(|e| anyhow::anyhow!(e))?;
                s.set_password_hash(account.id, &varde_web::auth::hash_password(password).await?)
                    .await?;
                println!("password changed for {}", account.email);
                Ok(())
            })
            .await
        }
        UserCommand::Disable { email, store } => {
            with_store(&store, async |s| {
                let account = account_by_email(s, &email).await?;
                s.set_account_disabled(account.id, true).await?;
                println!("disabled {}", account.email);
                Ok(())
            })
            .await
        }
    }
}

pub async fn token(command: TokenCommand) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    match command {
        TokenCommand::Create {
            email,
            name,
            scope,
            store,
        } => {
            with_store(&store, async |s| {
                let account = account_by_email(s, &email).await?;
                let (secret, _) =
                    varde_app::accounts::issue_token(s, &account, &name, Some(&scope), now)
                        .await
                        .map_err(operator_error)?;
                println!("{secret}");
                Ok(())
            })
            .await
        }
        TokenCommand::List { email, store } => {
            with_store(&store, async |s| {
                let account = account_by_email(s, &email).await?;
                for t in s.tokens_of(account.id).await? {
                    let state = t
                        .revoked_at
                        .map(|r| format!("revoked {r}"))
                        .unwrap_or_else(|| "active".into());
                    println!("{}\t{}\t{}…\t{}\t{state}", t.id, t.name, t.prefix, t.scope);
                }
                Ok(())
            })
            .await
        }
        TokenCommand::Revoke { email, id, store } => {
            with_store(&store, async |s| {
                let account = account_by_email(s, &email).await?;
                s.revoke_token(account.id, id, now).await?;
                println!("revoked token {id}");
                Ok(())
            })
            .await
        }
    }
}

/// `varde import`: a CSV of organisations, contacts or contracts, in one transaction.
pub async fn import(
    kind: &str,
    file: &PathBuf,
    dry_run: bool,
    partial: bool,
    actor: String,
    store: &StoreArgs,
) -> anyhow::Result<()> {
    let kind = Kind::parse(kind)
        .with_context(|| format!("'{kind}' is not organizations, contacts or contracts"))?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let options = ImportOptions {
        dry_run,
        partial,
        actor,
        now: jiff::Timestamp::now(),
    };
    let report = with_store(store, async |s| {
        Ok(s.import_csv(kind, &bytes, &options).await?)
    })
    .await?;
    for e in &report.errors {
        eprintln!("line {}: {}", e.line, e.message);
    }
    println!(
        "{} rows: {} to create, {} to update, {} unchanged, {} refused; {}",
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.errors.len(),
        match (report.dry_run, report.applied) {
            (true, _) => "dry run, nothing written",
            (false, true) => "written in one transaction",
            (false, false) => "nothing written",
        }
    );
    if !report.errors.is_empty() && !report.applied && !dry_run {
        bail!("the import was refused");
    }
    Ok(())
}

/// `varde export`: the organisations, contacts or contracts as CSV on standard output.
pub async fn export(kind: &str, store: &StoreArgs) -> anyhow::Result<()> {
    let kind = Kind::parse(kind)
        .with_context(|| format!("'{kind}' is not organizations, contacts or contracts"))?;
    let csv = with_store(store, async |s| Ok(s.export_csv(kind).await?)).await?;
    std::io::stdout().write_all(&csv)?;
    Ok(())
}

/// `varde report`: an organisation's quarterly report as HTML, JSON, CSV or PDF.
pub async fn report(
    org: &str,
    quarter: Option<String>,
    format: &str,
    output: Option<PathBuf>,
    store: &StoreArgs,
) -> anyhow::Result<()> {
    let tz = varde_web::status::StatusSettings::default().time_zone;
    let now = jiff::Timestamp::now();
    let period = match quarter {
        Some(q) => varde_core::report::Period::quarter(&q).map_err(|e| anyhow::anyhow!(e.0))?,
        None => varde_core::report::Period::quarter_of(now.to_zoned(tz.clone()).date()),
    };
    let input = with_store(store, async |s| {
        let id = s
            .find_organization(org)
            .await?
            .with_context(|| format!("no organisation with the id, number or name '{org}'"))?;
        varde_app::report::gather(s, id, period, &tz, now)
            .await?
            .with_context(|| format!("organisation {org} is gone"))
    })
    .await?;
    let r = varde_core::report::build(&input);
    let reader = varde_web::report::Reader {
        language: r.language,
        zone: &tz,
    };
    let bytes = match format {
        "html" => varde_web::report::to_html(&r, false, &reader)?.into_bytes(),
        "json" => serde_json::to_vec_pretty(&varde_web::report::to_json(&r))?,
        "csv" => varde_web::report::to_csv(&r).into_bytes(),
        "pdf" => varde_web::report::to_pdf(&varde_web::report::to_html(&r, false, &reader)?)
            .map_err(|e| anyhow::anyhow!(e))?,
        other => bail!("'{other}' is not html, json, csv or pdf"),
    };
    match output {
        Some(path) => {
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

/// `varde backup`: one consistent copy of the embedded database, taken while it serves.
pub(crate) async fn backup(output: &std::path::Path, store: &StoreArgs) -> anyhow::Result<()> {
    let s = Store::open_as_is(&store.location("./varde-data")).await?;
    let done = s.backup_into(output).await;
    s.close().await;
    done.with_context(|| format!("backing up into {}", output.display()))?;
    let size = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    println!("backed up into {} ({size} bytes)", output.display());
    Ok(())
}

/// `varde restore`: a backup brought back as the embedded database of --data.
pub(crate) async fn restore(
    file: &std::path::Path,
    replace: bool,
    store: &StoreArgs,
) -> anyhow::Result<()> {
    let varde_store::Location::SqliteDir(dir) = store.location("./varde-data") else {
        bail!(
            "restore brings back an embedded database (--data); PostgreSQL's is pg_restore's (docs/OPERATIONS.md)"
        );
    };
    let checked = varde_store::backup::restore_sqlite(file, &dir, replace)
        .await
        .with_context(|| format!("restoring {}", file.display()))?;
    println!("restored into {}", dir.join("varde.db").display());
    report_check(&checked)
}

/// `varde check`: whether the store is whole.
pub(crate) async fn check(store: &StoreArgs) -> anyhow::Result<()> {
    let s = Store::open_as_is(&store.location("./varde-data")).await?;
    let checked = s.check().await;
    s.close().await;
    report_check(&checked?)
}

fn report_check(c: &varde_store::backup::Checked) -> anyhow::Result<()> {
    println!(
        "{} tickets, {} history entries, {} attachments, {} stored files, {} received mails",
        c.tickets, c.transactions, c.attachments, c.blobs, c.messages
    );
    for p in &c.problems {
        println!("problem: {p}");
    }
    if !c.problems.is_empty() {
        bail!("the store is not whole: {} problems", c.problems.len());
    }
    println!("the store is whole");
    Ok(())
}
