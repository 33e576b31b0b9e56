//! Demo data: a small customer base that shows every capability on first start. Added once,
//! when the database has no organisations yet.
//!
//! Here the logins and the order things are added in; `customers` holds the organisations,
//! their contacts and contracts, `onboarding` the onboarding runs, `tickets` the tickets and
//! what agents did on them, and `status` the demo mail and the status page it is about.

use std::net::SocketAddr;

use anyhow::Context;
use jiff::Timestamp;
use varde_app::accounts::add_account;
use varde_core::contact::ContactForm;
use varde_store::Store;

mod customers;
mod onboarding;
mod status;
mod tickets;
mod workspace;

use customers::{demo_contract, organizations};
use onboarding::seed_onboarding;
pub use status::seed_mail;
use tickets::seed_tickets;
pub use workspace::{seed_colleagues, seed_workspace};

/// Logins printed at start; they exist only in the demo database.
pub const ADMIN: (&str, &str) = ("admin@example.com", "varde-demo-admin");
const STAFF: &[(&str, &str, &str, &str)] = &[
    (
        "agent@example.com",
        "Alva Agent",
        "agent",
        "varde-demo-agent",
    ),
    (
        "manager@example.com",
        "Mats Manager",
        "service_manager",
        "varde-demo-manager",
    ),
    (
        "auditor@example.com",
        "Rut Readonly",
        "read_only",
        "varde-demo-reader",
    ),
];
/// Customer contacts with a portal login: (e-mail, name, password, the start of their
/// organisation's name). Two organisations, two languages (Norwegian and Swedish).
pub const CUSTOMERS: &[(&str, &str, &str, &str)] = &[
    (
        "ingrid.nilsen@sikt.no",
        "Ingrid Nilsen",
        "varde-demo-customer",
        "Sikt",
    ),
    (
        "sara.lindqvist@kth.se",
        "Sara Lindqvist",
        "varde-demo-kth",
        "KTH",
    ),
];
/// The first portal contact (Sikt's), whom the demo's status subscription belongs to.
pub const CUSTOMER: (&str, &str) = (CUSTOMERS[0].0, CUSTOMERS[0].2);

/// Adds the demo customer base unless the database already has organisations.
pub async fn seed(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    if store.count_organizations().await? > 0 {
        return Ok(());
    }
    let add = |email: &'static str,
               name: &'static str,
               role: &'static str,
               password: &'static str,
               org: Option<i64>| {
        add_account(store, email, name, role, org, password.to_string(), now)
    };
    add(ADMIN.0, "Ada Admin", "admin", ADMIN.1, None)
        .await
        .map_err(crate::commands::operator_error)?;
    let mut manager = None;
    for (email, name, role, password) in STAFF {
        let a = add(email, name, role, password, None)
            .await
            .map_err(crate::commands::operator_error)?;
        if *role == "service_manager" {
            manager = Some(a.id);
        }
    }
    for demo in organizations() {
        let mut form = demo.form;
        let premium = demo
            .contracts
            .iter()
            .any(|(_, _, _, lines)| lines.iter().any(|(code, _, _)| *code == "SUPPORT-premium"));
        if premium {
            form.service_manager = manager;
        }
        let details = form
            .parse()
            .map_err(|e| anyhow::anyhow!("demo organisation {}: {e}", form.name))?;
        let o = store.create_organization(ADMIN.0, &details, now).await?;
        for (name, email, phone, roles, portal) in demo.contacts {
            let c = ContactForm {
                name: (*name).into(),
                email: (*email).into(),
                phone: (*phone).into(),
                roles: (*roles).into(),
                language: String::new(),
                portal_access: *portal,
            }
            .parse(details.language)
            .map_err(|e| anyhow::anyhow!("demo contact {email}: {e}"))?;
            store.create_contact(ADMIN.0, o.id, &c, now).await?;
        }
        for (reference, signed, starts, lines) in demo.contracts {
            let c = demo_contract(reference, signed, starts, lines)?;
            store.create_contract(ADMIN.0, o.id, &c, now).await?;
        }
        for (email, name, password, org) in CUSTOMERS {
            if details.name.starts_with(org) {
                add(email, name, "customer", password, Some(o.id.0))
                    .await
                    .map_err(crate::commands::operator_error)
                    .context("demo customer account")?;
            }
        }
    }
    // An administrator tightened premium's urgent targets 60 days ago: version 2, which the
    // demo tickets (all newer) are held to; the example stays version 1 for the other tiers.
    let mut premium = varde_core::sla::Policy::example(varde_core::catalogue::SupportTier::Premium);
    premium.targets[0].first_response = jiff::SignedDuration::from_mins(15);
    store
        .save_policy(
            &premium,
            "Urgent first response 15 minutes, as agreed with premium customers",
            ADMIN.0,
            now - jiff::SignedDuration::from_hours(24 * 60),
        )
        .await?;
    seed_tickets(store, now).await?;
    // The agent's saved searches (named unlike the list's views and links, which browser tests
    // find by name): the console's ticket list offers them, RT's REST2 lists and
    // runs them (`/REST/2.0/searches`, `/tickets?search=…`).
    if let Some((agent, _)) = store
        .account_for_login(&varde_core::values::EmailAddress::parse(STAFF[0].0)?)
        .await?
    {
        for (name, query) in [
            (
                "Open and mine",
                "Owner = 'agent@example.com' AND Status = '__Active__'",
            ),
            (
                "Urgent with no owner",
                "Owner = 'Nobody' AND Priority >= 50 AND Status = '__Active__'",
            ),
        ] {
            store.save_search(agent.id, name, query, now).await?;
        }
    }
    // Who is on call for General: told at once of SLA trouble on urgent and unowned tickets.
    if let Some(general) = store.queue("General").await? {
        store
            .set_queue_on_call(general.id, "oncall@example.com", "+46701234567")
            .await?;
    }
    // The English autoreply as an administrator rewrote it (/console/templates); the other
    // languages are as shipped.
    let autoreply = varde_core::mail_template::MailTemplate::parse(
        "{tag} We have your request: {subject}",
        "Hello,\n\nThank you for writing. Your request \"{subject}\" is ticket {ticket} in our {queue} queue, and an engineer will answer it within your support tier's response time.\nPlease keep {tag} in the subject when you write about it.\n\nIs it an outage? See /status for what we know.\n\nThe support team",
    )
    .map_err(|e| anyhow::anyhow!("demo autoreply: {e}"))?;
    store
        .save_mail_template(
            "autoreply",
            varde_core::values::Language::English,
            &autoreply,
            ADMIN.0,
            now,
        )
        .await?;
    seed_macros(store, now).await?;
    seed_onboarding(store, now).await
}

/// Macros agents apply on the ticket page (`/console/macros`): replies in the customers'
/// languages that set the status and the owner, and an internal comment.
async fn seed_macros(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    use varde_core::macros::MacroForm;
    let macros = [
        (
            "Looking into it",
            "",
            "en",
            "reply",
            "Hello {first_name},\n\nThank you for ticket {ticket}, \"{subject}\". I have taken it and am looking into it now; you will hear from me within your support tier's response time.\n\nBest regards,\n{agent}",
            "open",
            "me",
        ),
        (
            "Vi undersöker",
            "",
            "sv",
            "reply",
            "Hej {first_name}!\n\nTack för ärende {ticket}, \"{subject}\". Jag har tagit det och undersöker det nu; du hör av mig inom svarstiden för er supportnivå.\n\nVänliga hälsningar\n{agent}",
            "open",
            "me",
        ),
        (
            "Vi undersøker",
            "",
            "nb",
            "reply",
            "Hei {first_name}!\n\nTakk for sak {ticket}, \"{subject}\". Jeg har tatt den og ser på den nå; du hører fra meg innen svartiden for supportnivået deres.\n\nVennlig hilsen\n{agent}",
            "open",
            "me",
        ),
        (
            "Solved: please confirm",
            "",
            "en",
            "reply",
            "Hello {first_name},\n\nWe believe ticket {ticket} is solved. If anything still is not right, simply reply to this mail and the ticket opens again.\n\nBest regards,\n{agent}",
            "resolved",
            "keep",
        ),
        (
            "Volume detached by hand",
            "Storage",
            "",
            "comment",
            "Detached the volume by hand on the storage cluster for {organization} (ticket {ticket}). Check the hypervisor's logs before closing.",
            "",
            "keep",
        ),
        (
            "Escalate to the cloud team",
            "",
            "",
            "comment",
            "Escalated to the cloud team: {subject}. Giving the ticket back until they answer.",
            "stalled",
            "nobody",
        ),
    ];
    for (name, queue, language, kind, body, status, owner) in macros {
        let m = MacroForm {
            name: name.into(),
            queue: queue.into(),
            language: language.into(),
            kind: kind.into(),
            body: body.into(),
            status: status.into(),
            owner: owner.into(),
        }
        .parse()
        .map_err(|e| anyhow::anyhow!("demo macro {name}: {e:?}"))?;
        store.save_macro(None, &m, ADMIN.0, now).await?;
    }
    Ok(())
}

pub fn print_logins(listen: SocketAddr) {
    println!("Varde demo: the public status page is http://{listen}/status");
    println!(
        "Varde demo: onboarding runs are at http://{listen}/console/onboarding (start with --keystone-url to provision into a real Keystone)"
    );
    println!("Varde demo: open http://{listen}/ and log in as");
    println!("  {:<28} password {}   (administrator)", ADMIN.0, ADMIN.1);
    for (email, _, role, password) in STAFF {
        println!("  {email:<28} password {password}   ({role})");
    }
    for (email, _, password, org) in CUSTOMERS {
        println!("  {email:<28} password {password}   (customer contact of {org}: the portal)");
    }
    println!(
        "API: create a token with `varde token create --email {}`, or in the console under API tokens.",
        ADMIN.0
    );
}
