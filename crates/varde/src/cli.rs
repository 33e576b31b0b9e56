//! The command line: every command and option `varde` takes (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use varde_store::{Location, Store};

#[derive(Parser)]
#[command(
    name = "varde",
    version,
    about = "Varde: customer success and support for an IaaS provider."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the data lives. With neither option, SQLite under ./varde-data.
#[derive(Args, Clone)]
pub(crate) struct StoreArgs {
    /// Directory of the embedded SQLite database (created if missing).
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "database",
        env = "VARDE_DATA"
    )]
    pub(crate) data: Option<PathBuf>,
    /// PostgreSQL URL, e.g. postgres://varde@127.0.0.1:5432/varde.
    #[arg(long, value_name = "URL", env = "VARDE_DATABASE")]
    pub(crate) database: Option<String>,
    /// The address the server listens on. Accepted by every command so that one set of
    /// options serves them all; only `serve` and `demo` listen.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "VARDE_LISTEN"
    )]
    pub(crate) listen: SocketAddr,
}

impl StoreArgs {
    pub(crate) fn location(&self, default_dir: &str) -> Location {
        match (&self.database, &self.data) {
            (Some(url), _) => Location::Postgres(url.clone()),
            (None, Some(dir)) => Location::SqliteDir(dir.clone()),
            (None, None) => Location::SqliteDir(PathBuf::from(default_dir)),
        }
    }

    pub(crate) async fn open(&self, default_dir: &str) -> anyhow::Result<Store> {
        let location = self.location(default_dir);
        Store::open(&location)
            .await
            .with_context(|| match &location {
                Location::SqliteDir(d) => format!("opening the SQLite database in {}", d.display()),
                Location::Postgres(_) => "connecting to PostgreSQL".to_string(),
            })
    }

    /// Like [`StoreArgs::open`], for a store that must be there already: an embedded
    /// database that does not exist is an error (a mistyped `--data`, a missing option), not
    /// a new empty one.
    pub(crate) async fn open_existing(&self, default_dir: &str) -> anyhow::Result<Store> {
        if let Location::SqliteDir(d) = self.location(default_dir)
            && !d.join("varde.db").is_file()
        {
            anyhow::bail!(
                "there is no Varde database in {}: give --data DIR or --database URL",
                d.display()
            );
        }
        self.open(default_dir).await
    }
}

/// Outgoing mail. Without `--smtp`, notifications wait in the outbox until a relay is given.
#[derive(Args, Clone)]
pub(crate) struct MailArgs {
    /// The SMTP relay: smtp://host:port (STARTTLS when the relay offers it, its certificate
    /// not checked), smtp://host:port?tls=required (STARTTLS with a certificate valid for the
    /// host, or nothing is sent), smtp://host:port?tls=none (never TLS), smtps://host:port
    /// (TLS from the start); user:password@ before the host to authenticate (then
    /// tls=required unless the URL says otherwise).
    #[arg(long, value_name = "URL", env = "VARDE_SMTP")]
    pub(crate) smtp: Option<String>,
    /// The sender for queues without a correspond address (default: support@<rtname>).
    #[arg(long, value_name = "ADDRESS", env = "VARDE_MAIL_FROM")]
    pub(crate) mail_from: Option<String>,
    /// Networks besides this host that may deliver mail to the HTTP mail gateway
    /// (`/REST/1.0/NoAuth/mail-gateway`), e.g. `10.0.4.0/24` for the MTAs; repeatable.
    /// Without it only an MTA on this host (loopback, not through a proxy) may.
    #[arg(
        long,
        value_name = "CIDR",
        env = "VARDE_MAIL_GATEWAY_ALLOW",
        value_delimiter = ','
    )]
    pub(crate) mail_gateway_allow: Vec<ipnet::IpNet>,
    /// A reverse proxy whose `X-Forwarded-For` Varde believes (login limits and the mail
    /// gateway judge the client's address, not the proxy's), e.g. `127.0.0.1/32`; repeatable.
    #[arg(
        long,
        value_name = "CIDR",
        env = "VARDE_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub(crate) trusted_proxy: Vec<ipnet::IpNet>,
    /// Also accept mail over LMTP: `host:port` (keep it on loopback or behind the MTA) or
    /// `unix:/path/to/socket`.
    #[arg(long, value_name = "ADDR", env = "VARDE_LMTP")]
    pub(crate) lmtp: Option<String>,
    /// Who is told at once of SLA warnings and breaches on urgent or unowned tickets.
    #[arg(long, value_name = "ADDRESS", env = "VARDE_SLA_ON_CALL")]
    pub(crate) sla_on_call: Option<String>,
    /// How long the mail worker's claim on outbox rows lasts: after a crash, mail it held
    /// goes out again after this many seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "VARDE_MAIL_CLAIM",
        default_value_t = 300
    )]
    pub(crate) mail_claim: u64,
    /// Who gets an SMS at once about SLA warnings and breaches on urgent tickets (E.164), for
    /// queues without an on-call phone of their own; needs --sms-gateway.
    #[arg(long, value_name = "PHONE", env = "VARDE_SLA_ON_CALL_SMS")]
    pub(crate) sla_on_call_sms: Option<String>,
    /// An HTTP endpoint told (JSON POST) about SLA warnings and breaches on urgent tickets.
    #[arg(long, value_name = "URL", env = "VARDE_SLA_WEBHOOK")]
    pub(crate) sla_webhook: Option<String>,
    /// The key that signs --sla-webhook's calls (X-Varde-Signature, as status webhooks).
    #[arg(
        long,
        value_name = "KEY",
        env = "VARDE_SLA_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    pub(crate) sla_webhook_secret: Option<String>,
    /// Warn when this percentage of an SLA target has run.
    #[arg(
        long,
        value_name = "PERCENT",
        default_value_t = 80,
        env = "VARDE_SLA_WARN_AT"
    )]
    pub(crate) sla_warn_at: u8,
}

/// The public status page.
#[derive(Args, Clone)]
pub(crate) struct StatusArgs {
    /// Where Varde is reached from outside, e.g. https://status.example.com; links in the
    /// status API, its feeds and notifications start with it (default: http://<listen address>).
    #[arg(long, value_name = "URL", env = "VARDE_PUBLIC_URL")]
    pub(crate) public_url: Option<String>,
    /// The status page's title.
    #[arg(
        long,
        value_name = "NAME",
        env = "VARDE_STATUS_NAME",
        default_value = "Service status"
    )]
    pub(crate) status_name: String,
    /// The SMS API for status subscribers, in 46elks' shape:
    /// https://USER:PASSWORD@api.46elks.com/a1/sms.
    #[arg(long, value_name = "URL", env = "VARDE_SMS_GATEWAY")]
    pub(crate) sms_gateway: Option<String>,
    /// The sender name of status SMS (up to 11 letters, or a phone number).
    #[arg(
        long,
        value_name = "FROM",
        env = "VARDE_SMS_FROM",
        default_value = "Status"
    )]
    pub(crate) sms_from: String,
    /// A private address range webhooks may reach (repeatable), e.g. 10.20.0.0/16. Without
    /// it, webhooks only go to public addresses.
    #[arg(
        long,
        value_name = "CIDR",
        env = "VARDE_ALLOW_WEBHOOK_NETWORK",
        value_delimiter = ','
    )]
    pub(crate) allow_webhook_network: Vec<String>,
}

/// Onboarding: the OpenStack the customers' identities are made in, and what the welcome
/// says. Without `--keystone-url`, the OpenStack steps of a run wait as failed until one is
/// given (and someone presses Retry).
#[derive(Args, Clone)]
pub(crate) struct OnboardingArgs {
    /// Keystone's v3 endpoint, e.g. https://keystone.example.com:5000/v3.
    #[arg(long, value_name = "URL", env = "VARDE_KEYSTONE_URL")]
    pub(crate) keystone_url: Option<String>,
    /// The administrator Varde acts as (a user with `admin` on its project).
    #[arg(
        long,
        value_name = "NAME",
        env = "VARDE_KEYSTONE_USER",
        default_value = "admin"
    )]
    pub(crate) keystone_user: String,
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "VARDE_KEYSTONE_PASSWORD",
        hide_env_values = true
    )]
    pub(crate) keystone_password: Option<String>,
    /// The project the administrator's token is scoped to.
    #[arg(
        long,
        value_name = "NAME",
        env = "VARDE_KEYSTONE_PROJECT",
        default_value = "admin"
    )]
    pub(crate) keystone_project: String,
    /// The domain id of the administrator and of its project.
    #[arg(
        long,
        value_name = "ID",
        env = "VARDE_KEYSTONE_DOMAIN",
        default_value = "default"
    )]
    pub(crate) keystone_admin_domain: String,
    /// The region whose endpoints and limits Varde uses.
    #[arg(
        long,
        value_name = "REGION",
        env = "VARDE_OPENSTACK_REGION",
        default_value = "RegionOne"
    )]
    pub(crate) openstack_region: String,
    /// Customers' Keystone domains are called <prefix>-<organisation id>.
    #[arg(
        long,
        value_name = "PREFIX",
        env = "VARDE_KEYSTONE_DOMAIN_PREFIX",
        default_value = "varde"
    )]
    pub(crate) keystone_domain_prefix: String,
    /// The customer documentation the welcome mail links to.
    #[arg(
        long,
        value_name = "URL",
        env = "VARDE_DOCS_URL",
        default_value = "https://docs.example.com/"
    )]
    pub(crate) docs_url: String,
    /// A Slack- or Mattermost-compatible incoming webhook into the back-channel chat room.
    #[arg(
        long,
        value_name = "URL",
        env = "VARDE_CHAT_WEBHOOK",
        hide_env_values = true
    )]
    pub(crate) chat_webhook: Option<String>,
    /// The key that seals customers' secrets until they are shown (default: the
    /// installation's key in the database; give one so a database dump alone opens nothing).
    #[arg(
        long,
        value_name = "KEY",
        env = "VARDE_SECRETS_KEY",
        hide_env_values = true
    )]
    pub(crate) secrets_key: Option<String>,
    /// How long a node's claim on an onboarding step lasts: a step whose node died resumes
    /// (on any node) after this many seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        env = "VARDE_ONBOARDING_LEASE",
        default_value_t = 120
    )]
    pub(crate) onboarding_lease: u64,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run the server (API, console, RT REST 1.0 and REST2, health and metrics).
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Mark session cookies Secure (when Varde is reached over HTTPS).
        #[arg(long, env = "VARDE_SECURE_COOKIES")]
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
    /// Import a Request Tracker 4.4/5 database's history (queues, users, tickets with their
    /// numbers, every transaction, attachments, custom fields, links, merges, watchers).
    /// Run again, it brings only what is new or changed since the last run.
    ImportRt {
        /// The RT database, read-only: sqlite:///path/to/rt.db or postgres://USER@HOST/rtdb.
        #[arg(long, value_name = "URL")]
        from: String,
        /// RT's $rtname, as its link URIs carry it (fsck.com-rt://NAME/ticket/N); links to
        /// another RT are then left out. Default: any.
        #[arg(long, value_name = "NAME")]
        rtname: Option<String>,
        /// Read everything and report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Tickets per database transaction (an interrupted run resumes after the last one).
        #[arg(long, default_value_t = 200)]
        batch: usize,
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
    /// Back up the embedded database while it serves: one consistent copy into a new file.
    /// A PostgreSQL store is backed up with pg_dump (docs/OPERATIONS.md).
    Backup {
        /// The new file to write.
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Bring a backup back as the embedded database of --data (the server stopped); it is
    /// checked before and after.
    Restore {
        /// The backup `varde backup` wrote.
        file: PathBuf,
        /// Put it in place of a database that is there (kept beside it as varde.db.replaced).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Check that the store is whole: the database's integrity, every reference between
    /// tickets, history and stored files, every stored file against its digest. Exits 1 when
    /// something is wrong.
    Check {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
pub(crate) enum UserCommand {
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
pub(crate) enum TokenCommand {
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
