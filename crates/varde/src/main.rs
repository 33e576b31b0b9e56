//! The `varde` binary: parses the command line and wires the store, the web server and the
//! commands together. Everything it does is done by the library crates.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use varde_core::values::EmailAddress;
use varde_store::transfer::{ImportOptions, Kind};
use varde_store::{Location, Store};
use varde_web::{AppState, Clock};

mod demo;
mod mailgate;

#[derive(Parser)]
#[command(
    name = "varde",
    version,
    about = "Varde: customer success and support for an IaaS provider."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives. With neither option, SQLite under ./varde-data.
#[derive(Args, Clone)]
struct StoreArgs {
    /// Directory of the embedded SQLite database (created if missing).
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "database",
        env = "VARDE_DATA"
    )]
    data: Option<PathBuf>,
    /// PostgreSQL URL, e.g. postgres://varde@127.0.0.1:5432/varde.
    #[arg(long, value_name = "URL", env = "VARDE_DATABASE")]
    database: Option<String>,
    /// The address the server listens on. Accepted by every command so that one set of
    /// options serves them all; only `serve` and `demo` listen.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "VARDE_LISTEN"
    )]
    listen: SocketAddr,
}

impl StoreArgs {
    fn location(&self, default_dir: &str) -> Location {
        match (&self.database, &self.data) {
            (Some(url), _) => Location::Postgres(url.clone()),
            (None, Some(dir)) => Location::SqliteDir(dir.clone()),
            (None, None) => Location::SqliteDir(PathBuf::from(default_dir)),
        }
    }

    async fn open(&self, default_dir: &str) -> anyhow::Result<Store> {
        let location = self.location(default_dir);
        Store::open(&location)
            .await
            .with_context(|| match &location {
                Location::SqliteDir(d) => format!("opening the SQLite database in {}", d.display()),
                Location::Postgres(_) => "connecting to PostgreSQL".to_string(),
            })
    }
}

/// Outgoing mail. Without `--smtp`, notifications wait in the outbox until a relay is given.
#[derive(Args, Clone)]
struct MailArgs {
    /// The SMTP relay: smtp://host:port (plain), smtp://host:port?tls=required (STARTTLS),
    /// smtps://host:port (TLS); user:password@ before the host to authenticate.
    #[arg(long, value_name = "URL", env = "VARDE_SMTP")]
    smtp: Option<String>,
    /// The sender for queues without a correspond address (default: support@<rtname>).
    #[arg(long, value_name = "ADDRESS", env = "VARDE_MAIL_FROM")]
    mail_from: Option<String>,
    /// Networks besides this host that may deliver mail to the HTTP mail gateway
    /// (`/REST/1.0/NoAuth/mail-gateway`), e.g. `10.0.4.0/24` for the MTAs; repeatable.
    /// Without it only an MTA on this host (loopback, not through a proxy) may.
    #[arg(
        long,
        value_name = "CIDR",
        env = "VARDE_MAIL_GATEWAY_ALLOW",
        value_delimiter = ','
    )]
    mail_gateway_allow: Vec<ipnet::IpNet>,
    /// A reverse proxy whose `X-Forwarded-For` Varde believes (login limits and the mail
    /// gateway judge the client's address, not the proxy's), e.g. `127.0.0.1/32`; repeatable.
    #[arg(
        long,
        value_name = "CIDR",
        env = "VARDE_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxy: Vec<ipnet::IpNet>,
    /// Also accept mail over LMTP: `host:port` (keep it on loopback or behind the MTA) or
    /// `unix:/path/to/socket`.
    #[arg(long, value_name = "ADDR", env = "VARDE_LMTP")]
    lmtp: Option<String>,
    /// Who is told at once of SLA warnings and breaches on urgent or unowned tickets.
    #[arg(long, value_name = "ADDRESS", env = "VARDE_SLA_ON_CALL")]
    sla_on_call: Option<String>,
    /// How long the mail worker's claim on outbox rows lasts: after a crash, mail it held
    /// goes out again after this many seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "VARDE_MAIL_CLAIM",
        default_value_t = 300
    )]
    mail_claim: u64,
    /// Who gets an SMS at once about SLA warnings and breaches on urgent tickets (E.164), for
    /// queues without an on-call phone of their own; needs --sms-gateway.
    #[arg(long, value_name = "PHONE", env = "VARDE_SLA_ON_CALL_SMS")]
    sla_on_call_sms: Option<String>,
    /// An HTTP endpoint told (JSON POST) about SLA warnings and breaches on urgent tickets.
    #[arg(long, value_name = "URL", env = "VARDE_SLA_WEBHOOK")]
    sla_webhook: Option<String>,
    /// The key that signs --sla-webhook's calls (X-Varde-Signature, as status webhooks).
    #[arg(
        long,
        value_name = "KEY",
        env = "VARDE_SLA_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    sla_webhook_secret: Option<String>,
    /// Warn when this percentage of an SLA target has run.
    #[arg(
        long,
        value_name = "PERCENT",
        default_value_t = 80,
        env = "VARDE_SLA_WARN_AT"
    )]
    sla_warn_at: u8,
}

/// The public status page.
#[derive(Args, Clone)]
struct StatusArgs {
    /// Where Varde is reached from outside, e.g. https://status.example.com; links in the
    /// status API, its feeds and notifications start with it (default: http://<listen address>).
    #[arg(long, value_name = "URL", env = "VARDE_PUBLIC_URL")]
    public_url: Option<String>,
    /// The status page's title.
    #[arg(
        long,
        value_name = "NAME",
        env = "VARDE_STATUS_NAME",
        default_value = "Service status"
    )]
    status_name: String,
    /// The SMS API for status subscribers, in 46elks' shape:
    /// https://USER:PASSWORD@api.46elks.com/a1/sms.
    #[arg(long, value_name = "URL", env = "VARDE_SMS_GATEWAY")]
    sms_gateway: Option<String>,
    /// The sender name of status SMS (up to 11 letters, or a phone number).
    #[arg(
        long,
        value_name = "FROM",
        env = "VARDE_SMS_FROM",
        default_value = "Status"
    )]
    sms_from: String,
    /// A private address range webhooks may reach (repeatable), e.g. 10.20.0.0/16. Without
    /// it, webhooks only go to public addresses.
    #[arg(long, value_name = "CIDR")]
    allow_webhook_network: Vec<String>,
}

/// Onboarding: the OpenStack the customers' identities are made in, and what the welcome
/// says. Without `--keystone-url`, the OpenStack steps of a run wait as failed until one is
/// given (and someone presses Retry).
#[derive(Args, Clone)]
struct OnboardingArgs {
    /// Keystone's v3 endpoint, e.g. https://keystone.example.com:5000/v3.
    #[arg(long, value_name = "URL", env = "VARDE_KEYSTONE_URL")]
    keystone_url: Option<String>,
    /// The administrator Varde acts as (a user with `admin` on its project).
    #[arg(
        long,
        value_name = "NAME",
        env = "VARDE_KEYSTONE_USER",
        default_value = "admin"
    )]
    keystone_user: String,
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "VARDE_KEYSTONE_PASSWORD",
        hide_env_values = true
    )]
    keystone_password: Option<String>,
    /// The project the administrator's token is scoped to.
    #[arg(
        long,
        value_name = "NAME",
        env = "VARDE_KEYSTONE_PROJECT",
        default_value = "admin"
    )]
    keystone_project: String,
    /// The domain id of the administrator and of its project.
    #[arg(
        long,
        value_name = "ID",
        env = "VARDE_KEYSTONE_DOMAIN",
        default_value = "default"
    )]
    keystone_admin_domain: String,
    /// The region whose endpoints and limits Varde uses.
    #[arg(
        long,
        value_name = "REGION",
        env = "VARDE_OPENSTACK_REGION",
        default_value = "RegionOne"
    )]
    openstack_region: String,
    /// Customers' Keystone domains are called <prefix>-<organisation id>.
    #[arg(
        long,
        value_name = "PREFIX",
        env = "VARDE_KEYSTONE_DOMAIN_PREFIX",
        default_value = "varde"
    )]
    keystone_domain_prefix: String,
    /// The customer documentation the welcome mail links to.
    #[arg(
        long,
        value_name = "URL",
        env = "VARDE_DOCS_URL",
        default_value = "https://docs.example.com/"
    )]
    docs_url: String,
    /// A Slack- or Mattermost-compatible incoming webhook into the back-channel chat room.
    #[arg(
        long,
        value_name = "URL",
        env = "VARDE_CHAT_WEBHOOK",
        hide_env_values = true
    )]
    chat_webhook: Option<String>,
    /// The key that seals customers' secrets until they are shown (default: the
    /// installation's key in the database; give one so a database dump alone opens nothing).
    #[arg(
        long,
        value_name = "KEY",
        env = "VARDE_SECRETS_KEY",
        hide_env_values = true
    )]
    secrets_key: Option<String>,
    /// How long a node's claim on an onboarding step lasts: a step whose node died resumes
    /// (on any node) after this many seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "VARDE_ONBOARDING_LEASE",
        default_value_t = 120
    )]
    onboarding_lease: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (API, console, RT REST 1.0 and REST2, health and metrics).
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Mark session cookies Secure (when Varde is reached over HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// The name in ticket subject tags, `[NAME #123]` (default: the host name).
        #[arg(long, env = "VARDE_RTNAME")]
        rtname: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        status: StatusArgs,
        #[command(flatten)]
        onboarding: OnboardingArgs,
    },
    /// Apply database migrations and exit (serve also does this at start).
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Serve with demo data (added when the database has no organisations yet), under ./varde-data by default.
    Demo {
        #[command(flatten)]
        store: StoreArgs,
        /// The name in ticket subject tags, `[NAME #123]` (default: the host name).
        #[arg(long, env = "VARDE_RTNAME")]
        rtname: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        status: StatusArgs,
        #[command(flatten)]
        onboarding: OnboardingArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import organisations, contacts or contracts from CSV. By default all or nothing.
    Import {
        /// organizations | contacts | contracts
        kind: String,
        /// The CSV file.
        file: PathBuf,
        /// Report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the good rows even if some rows are refused (still one transaction).
        #[arg(long)]
        partial: bool,
        /// Recorded in the audit history as the importer.
        #[arg(long, default_value = "cli")]
        actor: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Deliver one mail from standard input, as an MTA's pipe does (like RT's rt-mailgate).
    /// Exits 0 when the mail is stored, 75 (EX_TEMPFAIL) when it could not be, so the MTA
    /// retries, and 65 when it is refused for good.
    Mailgate {
        /// The queue to deliver into.
        #[arg(long)]
        queue: String,
        /// correspond (a reply to the requestors) or comment (internal).
        #[arg(long, default_value = "correspond")]
        action: String,
        /// Add to this ticket, whatever the subject says.
        #[arg(long)]
        ticket: Option<i64>,
        /// A running Varde to deliver to (its mail gateway); without it, the mail goes straight
        /// into the store named by --data or --database.
        #[arg(long, env = "VARDE_URL")]
        url: Option<String>,
        /// The name in subject tags, as the server has it (direct delivery only).
        #[arg(long, env = "VARDE_RTNAME")]
        rtname: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// The quarterly operations report of one organisation.
    Report {
        /// The organisation: its id, organisation number or name.
        #[arg(long)]
        org: String,
        /// The quarter, like 2026Q3 (default: the current one).
        #[arg(long)]
        quarter: Option<String>,
        /// html | json | csv | pdf (pdf prints the HTML with Debian's chromium).
        #[arg(long, default_value = "html")]
        format: String,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Export organisations, contacts or contracts as CSV to standard output.
    Export {
        /// organizations | contacts | contracts
        kind: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account. The password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin | agent | service_manager | read_only | customer
        #[arg(long)]
        role: String,
        /// For role customer: the organisation id of the contact.
        #[arg(long)]
        organization: Option<i64>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Set a new password, read from standard input.
    Password {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable an account (its sessions end; its tokens stop working).
    Disable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it (shown this once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// read | write
        #[arg(long, default_value = "write")]
        scope: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List an account's tokens (never their secrets).
    List {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token by its id.
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        id: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn system_clock() -> Clock {
    Arc::new(jiff::Timestamp::now)
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password from standard input")?;
    Ok(s.trim_end_matches(['\n', '\r']).to_string())
}

async fn account_by_email(
    store: &Store,
    email: &str,
) -> anyhow::Result<varde_core::account::Account> {
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    match store.account_for_login(&email).await? {
        Some((account, _)) => Ok(account),
        None => bail!("no account {email}"),
    }
}

/// The host name, for the default RT name.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "varde".into())
}

async fn serve(
    store: Store,
    listen: SocketAddr,
    secure_cookies: bool,
    rtname: Option<String>,
    mail: MailArgs,
    status: StatusArgs,
    onboarding: OnboardingArgs,
) -> anyhow::Result<()> {
    let mut state = AppState::new(store.clone(), system_clock()).await?;
    state.secure_cookies = secure_cookies;
    state.rtname = rtname.unwrap_or_else(host_name);
    state.network = std::sync::Arc::new(varde_web::auth::Network {
        trusted_proxies: mail.trusted_proxy.clone(),
        mail_gateway_allow: mail.mail_gateway_allow.clone(),
    });
    let allowed_networks = status
        .allow_webhook_network
        .iter()
        .map(|n| varde_core::status::subscription::AllowedNetwork::parse(n))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--allow-webhook-network: {}", e.0))?;
    let settings = varde_web::status::StatusSettings {
        name: status.status_name.clone(),
        url: status
            .public_url
            .clone()
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("http://{listen}")),
        allowed_networks,
        ..Default::default()
    };
    state.status = std::sync::Arc::new(varde_web::status::StatusSite::new(settings.clone()));
    let link_key = state.status.load_link_key(&store).await?;
    let sms = status
        .sms_gateway
        .as_deref()
        .map(|u| varde_notify::status::SmsGateway::from_url(u, &status.sms_from))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--sms-gateway: {e}"))?;
    let status_worker = varde_notify::status::StatusWorker::new(
        store.clone(),
        mail.smtp.as_deref(),
        sms.clone(),
        varde_notify::status::StatusNotifyConfig {
            page_id: settings.page_id.clone(),
            page_name: settings.name.clone(),
            url: settings.url.clone(),
            time_zone: settings.time_zone.clone(),
            from: mail
                .mail_from
                .clone()
                .unwrap_or_else(|| format!("status@{}", state.rtname)),
            link_key: link_key.clone(),
            allowed_networks: settings.allowed_networks.clone(),
        },
    )
    .context("the status notification worker")?;
    let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
    let timekeeper = tokio::spawn(varde_web::status::keep_time(
        state.clone(),
        stop_worker.subscribe(),
    ));
    let notifier = tokio::spawn(status_worker.run(system_clock(), stop_worker.subscribe()));
    if let Some(phone) = &mail.sla_on_call_sms {
        varde_core::values::PhoneNumber::parse(phone)
            .map_err(|e| anyhow::anyhow!("--sla-on-call-sms: {}", e.0))?;
    }
    let sla_watch = varde_notify::sla::SlaWatch::new(
        store.clone(),
        mail.smtp.as_deref(),
        sms,
        varde_notify::sla::SlaWatchConfig {
            warn_share: f64::from(mail.sla_warn_at.min(100)) / 100.0,
            on_call: mail.sla_on_call.clone(),
            on_call_sms: mail.sla_on_call_sms.clone(),
            webhook: mail.sla_webhook.clone(),
            webhook_secret: mail.sla_webhook_secret.clone(),
            from: mail
                .mail_from
                .clone()
                .unwrap_or_else(|| format!("support@{}", state.rtname)),
            rtname: state.rtname.clone(),
            url: settings.url.clone(),
        },
    )
    .context("the SLA watch")?;
    let sla_watch = tokio::spawn(sla_watch.run(system_clock(), stop_worker.subscribe()));
    let secrets_key = match &onboarding.secrets_key {
        Some(k) => k.clone(),
        None => {
            tracing::warn!(
                "no --secrets-key: customers' secrets are sealed with the key kept in the database"
            );
            link_key
        }
    };
    state.vault = std::sync::Arc::new(varde_notify::vault::Vault::new(&secrets_key));
    let keystone = match &onboarding.keystone_url {
        Some(url) => Some(
            varde_notify::openstack::Keystone::new(
                url,
                varde_notify::openstack::AdminCredentials {
                    user: onboarding.keystone_user.clone(),
                    password: onboarding.keystone_password.clone().unwrap_or_default(),
                    project: onboarding.keystone_project.clone(),
                    user_domain_id: onboarding.keystone_admin_domain.clone(),
                    project_domain_id: onboarding.keystone_admin_domain.clone(),
                },
                &onboarding.openstack_region,
            )
            .context("--keystone-url")?,
        ),
        None => None,
    };
    let onboarder = varde_notify::onboarding::OnboardingWorker::new(
        store.clone(),
        keystone,
        mail.smtp.as_deref(),
        state.vault.clone(),
        varde_notify::onboarding::OnboardingConfig {
            url: settings.url.clone(),
            from: mail
                .mail_from
                .clone()
                .unwrap_or_else(|| format!("support@{}", state.rtname)),
            support_address: mail
                .mail_from
                .clone()
                .unwrap_or_else(|| format!("support@{}", state.rtname)),
            docs_url: onboarding.docs_url.clone(),
            chat_webhook: onboarding.chat_webhook.clone(),
            rtname: state.rtname.clone(),
            domain_prefix: onboarding.keystone_domain_prefix.clone(),
            lease: std::time::Duration::from_secs(onboarding.onboarding_lease.max(1)),
            link_days: 7,
        },
    )
    .context("the onboarding worker")?;
    let onboarder = tokio::spawn(onboarder.run(system_clock(), stop_worker.subscribe()));
    let worker = match &mail.smtp {
        Some(url) => {
            let config = varde_notify::MailConfig {
                rtname: state.rtname.clone(),
                default_from: mail
                    .mail_from
                    .clone()
                    .unwrap_or_else(|| format!("support@{}", state.rtname)),
            };
            let worker = varde_notify::MailWorker::new(store.clone(), url, config)
                .context("the --smtp relay")?
                .with_claim(std::time::Duration::from_secs(mail.mail_claim.max(1)));
            Some(tokio::spawn(worker.run(system_clock(), worker_stop)))
        }
        None => {
            tracing::info!("no --smtp relay: outgoing mail waits in the outbox");
            None
        }
    };
    let lmtp = match &mail.lmtp {
        Some(addr) => {
            let l = varde_web::lmtp::Listener::bind(addr)
                .await
                .with_context(|| format!("LMTP on {addr}"))?;
            eprintln!("LMTP on {}", l.describe());
            let mut stop = stop_worker.subscribe();
            Some(tokio::spawn(varde_web::lmtp::serve(
                l,
                state.app.clone(),
                state.rtname.clone(),
                async move {
                    let _ = stop.changed().await;
                },
            )))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, engine = store.engine(), "varde is serving");
    eprintln!(
        "Varde is listening on http://{} ({} database)",
        listener.local_addr()?,
        store.engine()
    );
    varde_web::serve(listener, state, shutdown_signal()).await?;
    let _ = stop_worker.send(true);
    let _ = timekeeper.await;
    let _ = notifier.await;
    let _ = sla_watch.await;
    let _ = onboarder.await;
    if let Some(w) = worker {
        let _ = w.await;
    }
    if let Some(l) = lmtp {
        let _ = l.await;
    }
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now;
    match cli.command {
        Command::Serve {
            store,
            secure_cookies,
            rtname,
            mail,
            status,
            onboarding,
        } => {
            serve(
                store.open("./varde-data").await?,
                store.listen,
                secure_cookies,
                rtname,
                mail,
                status,
                onboarding,
            )
            .await
        }
        Command::Migrate { store } => {
            let s = store.open("./varde-data").await?;
            println!("migrations applied ({} database)", s.engine());
            s.close().await;
            Ok(())
        }
        Command::Demo {
            store,
            rtname,
            mail,
            status,
            onboarding,
        } => {
            let s = store.open("./varde-data").await?;
            let rtname = rtname.unwrap_or_else(host_name);
            if s.count_organizations().await? == 0 {
                demo::seed(&s, now()).await?;
                demo::seed_mail(&s, &rtname, now()).await?;
            }
            demo::print_logins(store.listen);
            serve(
                s,
                store.listen,
                false,
                Some(rtname),
                mail,
                status,
                onboarding,
            )
            .await
        }
        Command::User { command } => match command {
            UserCommand::Add {
                email,
                name,
                role,
                organization,
                password_stdin: _,
                store,
            } => {
                let s = store.open("./varde-data").await?;
                let password = read_password()?;
                let account = varde_web::api::accounts::add_account(
                    &s,
                    &email,
                    &name,
                    &role,
                    organization,
                    password,
                    now(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                println!(
                    "added {} ({}) with id {}",
                    account.email, account.role, account.id
                );
                s.close().await;
                Ok(())
            }
            UserCommand::List { store } => {
                let s = store.open("./varde-data").await?;
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
                s.close().await;
                Ok(())
            }
            UserCommand::Password {
                email,
                password_stdin: _,
                store,
            } => {
                let s = store.open("./varde-data").await?;
                let account = account_by_email(&s, &email).await?;
                let password = read_password()?;
                varde_core::account::check_password_strength(&password)
                    .map_err(|e| anyhow::anyhow!(e))?;
                s.set_password_hash(account.id, &varde_web::auth::hash_password(password).await?)
                    .await?;
                println!("password changed for {}", account.email);
                s.close().await;
                Ok(())
            }
            UserCommand::Disable { email, store } => {
                let s = store.open("./varde-data").await?;
                let account = account_by_email(&s, &email).await?;
                s.set_account_disabled(account.id, true).await?;
                println!("disabled {}", account.email);
                s.close().await;
                Ok(())
            }
        },
        Command::Token { command } => match command {
            TokenCommand::Create {
                email,
                name,
                scope,
                store,
            } => {
                let s = store.open("./varde-data").await?;
                let account = account_by_email(&s, &email).await?;
                let (secret, _) =
                    varde_web::api::accounts::issue_token(&s, &account, &name, Some(&scope), now())
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                println!("{secret}");
                s.close().await;
                Ok(())
            }
            TokenCommand::List { email, store } => {
                let s = store.open("./varde-data").await?;
                let account = account_by_email(&s, &email).await?;
                for t in s.tokens_of(account.id).await? {
                    let state = t
                        .revoked_at
                        .map(|r| format!("revoked {r}"))
                        .unwrap_or_else(|| "active".into());
                    println!("{}\t{}\t{}…\t{}\t{state}", t.id, t.name, t.prefix, t.scope);
                }
                s.close().await;
                Ok(())
            }
            TokenCommand::Revoke { email, id, store } => {
                let s = store.open("./varde-data").await?;
                let account = account_by_email(&s, &email).await?;
                s.revoke_token(account.id, id, now()).await?;
                println!("revoked token {id}");
                s.close().await;
                Ok(())
            }
        },
        Command::Import {
            kind,
            file,
            dry_run,
            partial,
            actor,
            store,
        } => {
            let kind = Kind::parse(&kind)
                .with_context(|| format!("'{kind}' is not organizations, contacts or contracts"))?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let s = store.open("./varde-data").await?;
            let report = s
                .import_csv(
                    kind,
                    &bytes,
                    &ImportOptions {
                        dry_run,
                        partial,
                        actor,
                        now: now(),
                    },
                )
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
            s.close().await;
            if !report.errors.is_empty() && !report.applied && !dry_run {
                bail!("the import was refused");
            }
            Ok(())
        }
        Command::Mailgate {
            queue,
            action,
            ticket,
            url,
            rtname,
            store,
        } => {
            let rtname = rtname.unwrap_or_else(host_name);
            mailgate::run(&queue, &action, ticket, url.as_deref(), &rtname, store).await
        }
        Command::Report {
            org,
            quarter,
            format,
            output,
            store,
        } => {
            let s = store.open("./varde-data").await?;
            let tz = varde_web::status::StatusSettings::default().time_zone;
            let now = now();
            let period = match quarter {
                Some(q) => {
                    varde_core::report::Period::quarter(&q).map_err(|e| anyhow::anyhow!(e.0))?
                }
                None => varde_core::report::Period::quarter_of(now.to_zoned(tz.clone()).date()),
            };
            let id = s
                .find_organization(&org)
                .await?
                .with_context(|| format!("no organisation with the id, number or name '{org}'"))?;
            let input = varde_web::report::gather(&s, id, period, &tz, now)
                .await?
                .with_context(|| format!("organisation {org} is gone"))?;
            let r = varde_core::report::build(&input);
            let bytes = match format.as_str() {
                "html" => varde_web::report::to_html(&r, false)?.into_bytes(),
                "json" => serde_json::to_vec_pretty(&varde_web::report::to_json(&r))?,
                "csv" => varde_web::report::to_csv(&r).into_bytes(),
                "pdf" => varde_web::report::to_pdf(&varde_web::report::to_html(&r, false)?)
                    .map_err(|e| anyhow::anyhow!(e))?,
                other => anyhow::bail!("'{other}' is not html, json, csv or pdf"),
            };
            s.close().await;
            match output {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
            Ok(())
        }
        Command::Export { kind, store } => {
            let kind = Kind::parse(&kind)
                .with_context(|| format!("'{kind}' is not organizations, contacts or contracts"))?;
            let s = store.open("./varde-data").await?;
            use std::io::Write;
            std::io::stdout().write_all(&s.export_csv(kind).await?)?;
            s.close().await;
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    varde_notify::install_tls_provider();
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VARDE_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
