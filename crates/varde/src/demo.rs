//! Demo data: a small customer base that shows every capability on first start. Added once,
//! when the database has no organisations yet.

use std::net::SocketAddr;

use anyhow::Context;
use jiff::Timestamp;
use varde_core::contact::ContactForm;
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::OrganizationForm;
use varde_core::ticket::custom_fields::CustomFieldDef;
use varde_core::ticket::history::{self, Change, Creation};
use varde_core::ticket::lifecycle::Status;
use varde_store::Store;
use varde_store::tickets::NewAttachment;
use varde_web::api::accounts::add_account;

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
pub const CUSTOMER: (&str, &str) = ("ingrid.nilsen@sikt.no", "varde-demo-customer");

/// A demo contact: name, e-mail, phone, roles, portal access.
type DemoContact = (&'static str, &'static str, &'static str, &'static str, bool);
/// A demo product line: product code, quantity, site.
type DemoLine = (&'static str, &'static str, &'static str);
/// A demo contract: reference, signed on, starts on, product lines.
type DemoContract = (
    &'static str,
    &'static str,
    &'static str,
    &'static [DemoLine],
);

struct DemoOrg {
    form: OrganizationForm,
    contacts: &'static [DemoContact],
    contracts: &'static [DemoContract],
}

/// name, organisation number, country, sector, framework, language, mail domains, lifecycle.
fn org(
    [
        name,
        number,
        country,
        sector,
        framework,
        language,
        domains,
        lifecycle,
    ]: [&str; 8],
) -> OrganizationForm {
    OrganizationForm {
        name: name.into(),
        org_number: number.into(),
        country: country.into(),
        sector: sector.into(),
        framework: framework.into(),
        language: language.into(),
        mail_domains: domains.into(),
        lifecycle: lifecycle.into(),
        service_manager: None,
    }
}

fn organizations() -> Vec<DemoOrg> {
    vec![
        DemoOrg {
            form: org([
                "KTH Royal Institute of Technology",
                "202100-3054",
                "SE",
                "research_education",
                "sunet",
                "sv",
                "kth.se",
                "active",
            ]),
            contacts: &[
                (
                    "Sara Lindqvist",
                    "sara.lindqvist@kth.se",
                    "+46 8 790 60 00",
                    "primary technical",
                    true,
                ),
                ("Johan Berg", "johan.berg@kth.se", "", "billing", false),
            ],
            contracts: &[(
                "SUNET-KTH-2026",
                "2025-11-20",
                "2026-01-01",
                &[
                    ("SUPPORT-premium", "1", ""),
                    ("COMPUTE", "64", "se-sto1"),
                    ("STORAGE-S3", "200", "se-sto1"),
                    ("BACKUP", "1", "se-lla1"),
                ],
            )],
        },
        DemoOrg {
            form: org([
                "Sikt – Norwegian Agency for Shared Services in Education and Research",
                "919477822",
                "NO",
                "research_education",
                "sikt",
                "nb",
                "sikt.no uninett.no",
                "active",
            ]),
            contacts: &[
                (
                    "Ingrid Nilsen",
                    "ingrid.nilsen@sikt.no",
                    "+47 22 12 34 56",
                    "primary technical security",
                    true,
                ),
                ("Ola Hansen", "ola.hansen@sikt.no", "", "technical", true),
            ],
            contracts: &[(
                "SIKT-2026-01",
                "2026-01-10",
                "2026-02-01",
                &[
                    ("SUPPORT-standard", "1", ""),
                    ("COMPUTE", "16", "no-osl1"),
                    ("BACKUP", "1", "no-osl1"),
                ],
            )],
        },
        DemoOrg {
            form: org([
                "Region Stockholm",
                "232100-0016",
                "SE",
                "government",
                "skr",
                "sv",
                "regionstockholm.se",
                "onboarding",
            ]),
            contacts: &[(
                "Erik Holm",
                "erik.holm@regionstockholm.se",
                "+46 8 123 000 00",
                "primary",
                false,
            )],
            contracts: &[(
                "SKR-RS-2026",
                "2026-10-01",
                "2026-11-01",
                &[
                    ("SUPPORT-iaas.base", "1", ""),
                    ("STORAGE-S3", "50", "se-sto1"),
                ],
            )],
        },
        DemoOrg {
            form: org([
                "Northwind Analytics AB",
                "556677-8899",
                "SE",
                "saas",
                "none",
                "en",
                "northwind.example",
                "active",
            ]),
            contacts: &[(
                "Priya Raman",
                "priya@northwind.example",
                "+46 70 123 45 67",
                "primary technical billing",
                true,
            )],
            contracts: &[
                (
                    "NW-2025",
                    "2024-12-01",
                    "2025-01-01",
                    &[("SUPPORT-standard", "1", ""), ("COMPUTE", "8", "se-sto1")],
                ),
                (
                    "NW-2026-UPGRADE",
                    "2026-09-15",
                    "2026-10-01",
                    &[("SUPPORT-premium", "1", "")],
                ),
            ],
        },
        DemoOrg {
            form: org([
                "Polar Data Institute",
                "",
                "NO",
                "research_education",
                "sikt",
                "nb",
                "polardata.example",
                "prospect",
            ]),
            contacts: &[
                (
                    "Kari Nordmann",
                    "kari@polardata.example",
                    "+47 22 00 00 00",
                    "primary",
                    false,
                ),
                (
                    "Lars Hansen",
                    "lars.hansen@polardata.example",
                    "",
                    "technical",
                    false,
                ),
            ],
            contracts: &[],
        },
        DemoOrg {
            form: org([
                "Aurora Research Consortium",
                "",
                "DK",
                "research_education",
                "nordunet",
                "da",
                "aurora.example",
                "prospect",
            ]),
            contacts: &[("Mette Jensen", "mette@aurora.example", "", "primary", false)],
            contracts: &[(
                "AURORA-DRAFT",
                "",
                "2027-01-01",
                &[("SUPPORT-premium", "1", "")],
            )],
        },
    ]
}

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
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let mut manager = None;
    for (email, name, role, password) in STAFF {
        let a = add(email, name, role, password, None)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
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
        if details.name.starts_with("Sikt") {
            add(
                CUSTOMER.0,
                "Ingrid Nilsen",
                "customer",
                CUSTOMER.1,
                Some(o.id.0),
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.message))
            .context("demo customer account")?;
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
    seed_onboarding(store, now).await
}

/// Onboarding: KTH's finished run (its history and timeline), and Polar Data Institute,
/// whose contract was signed three days ago, in progress. Without `--keystone-url` the
/// board shows Polar's OpenStack steps blocked, saying what is missing.
async fn seed_onboarding(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    use varde_core::catalogue::{Service, SupportTier};
    use varde_core::onboarding::{RunKind, StepAction, default_templates, plan};
    use varde_store::onboarding::{Outcome, StepAct};

    let day = |n: i64| now - jiff::SignedDuration::from_hours(24 * n);
    let Some(kth) = store
        .find_organization("KTH Royal Institute of Technology")
        .await?
    else {
        return Ok(());
    };
    let contract = store.contracts_of(kth).await?.into_iter().next();
    if let Some(c) = contract {
        let signed = c.details.signed_on.unwrap_or(c.details.starts_on);
        let steps = plan(
            &default_templates(),
            SupportTier::Premium,
            &[Service::Compute, Service::Storage, Service::Backup],
            signed,
        );
        let started = signed
            .to_zoned(jiff::tz::TimeZone::get("Europe/Stockholm")?)?
            .timestamp()
            + jiff::SignedDuration::from_hours(10);
        let run = store
            .start_run(
                kth,
                Some(c.id),
                RunKind::Onboarding,
                &steps,
                ADMIN.0,
                started,
            )
            .await?;
        let r = store.run(run).await?.context("the demo run")?;
        for (i, s) in r.steps.iter().enumerate() {
            let at = started + jiff::SignedDuration::from_mins(7 * i as i64 + 1);
            if s.action == StepAction::Manual {
                store
                    .act_on_step(s.id, StepAct::Complete, "manager@example.com", at)
                    .await?;
            } else {
                store.claim_step(s.id, at, at).await?;
                let note = format!("{} (demo history)", s.action.label());
                store
                    .finish_step(
                        s.id,
                        &Outcome::Done {
                            output: serde_json::json!({}),
                            note,
                        },
                        at,
                    )
                    .await?;
            }
        }
    }
    let Some(polar) = store.find_organization("Polar Data Institute").await? else {
        return Ok(());
    };
    let signed = day(3)
        .to_zoned(jiff::tz::TimeZone::get("Europe/Stockholm")?)
        .date();
    let signed = signed.to_string();
    let c = demo_contract(
        "SIKT-POLAR-2026",
        &signed,
        &signed,
        &[
            ("SUPPORT-premium", "1", ""),
            ("COMPUTE", "4", "no-osl1"),
            ("STORAGE-S3", "1", "no-osl1"),
        ],
    )?;
    let contract = store.create_contract(ADMIN.0, polar, &c, day(3)).await?;
    store.start_onboarding(contract.id, ADMIN.0, day(3)).await?;
    Ok(())
}

/// A demo contract, checked as the console checks one.
fn demo_contract(
    reference: &str,
    signed: &str,
    starts: &str,
    lines: &[DemoLine],
) -> anyhow::Result<varde_core::contract::ContractDetails> {
    ContractForm {
        reference: reference.into(),
        signed_on: signed.into(),
        starts_on: starts.into(),
        ends_on: String::new(),
        lines: lines
            .iter()
            .map(|(p, q, s)| ProductLineForm {
                product_code: (*p).into(),
                quantity: (*q).into(),
                site: (*s).into(),
            })
            .collect(),
    }
    .parse()
    .map_err(|e| anyhow::anyhow!("demo contract {reference}: {e}"))
}

/// A demo ticket: subject, requestor, queue, opening message, then what agents did.
struct DemoTicket {
    subject: &'static str,
    requestor: &'static str,
    queue: &'static str,
    text: &'static str,
    custom_fields: &'static [(&'static str, &'static str)],
    steps: &'static [DemoStep],
}

enum DemoStep {
    Take(&'static str),
    Reply(&'static str, &'static str),
    Comment(&'static str, &'static str),
    Call(&'static str, &'static str, i64, &'static str),
    Status(&'static str, Status),
}

const TICKETS: &[DemoTicket] = &[
    DemoTicket {
        subject: "Instances in se-sto1 cannot reach the metadata service",
        requestor: "sara.lindqvist@kth.se",
        queue: "General",
        text: "Since 09:40 new instances in our project hang at boot waiting for 169.254.169.254.\nExisting instances are fine.",
        custom_fields: &[("Site", "se-sto1"), ("Service", "compute")],
        steps: &[
            DemoStep::Take("agent@example.com"),
            DemoStep::Comment(
                "agent@example.com",
                "Metadata agent on net-node-3 restarted at 09:38; checking its logs.",
            ),
            DemoStep::Reply(
                "agent@example.com",
                "We are looking at the metadata service in se-sto1 and will update you within the hour.",
            ),
        ],
    },
    DemoTicket {
        subject: "Raise S3 quota for bucket research-archive",
        requestor: "ingrid.nilsen@sikt.no",
        queue: "Storage",
        text: "Please raise the quota of research-archive from 50 TB to 80 TB.",
        custom_fields: &[("Site", "no-osl1"), ("Service", "storage")],
        steps: &[],
    },
    DemoTicket {
        subject: "Question about prices for GPU instances",
        requestor: "someone@unknown.example",
        queue: "General",
        text: "Hello, do you offer GPU flavors, and at what price?",
        custom_fields: &[],
        steps: &[],
    },
    DemoTicket {
        subject: "Restore test of last night's backup failed",
        requestor: "priya@northwind.example",
        queue: "General",
        text: "Our weekly restore test failed with 'snapshot not found'.",
        custom_fields: &[("Site", "se-sto1"), ("Service", "backup")],
        steps: &[
            DemoStep::Take("manager@example.com"),
            DemoStep::Call(
                "manager@example.com",
                "Priya Raman",
                12,
                "Walked through the restore; the snapshot had expired by policy. Agreed to extend retention to 30 days.",
            ),
            DemoStep::Reply(
                "manager@example.com",
                "Retention is now 30 days; tonight's snapshot will be restorable.",
            ),
            DemoStep::Status("manager@example.com", Status::Resolved),
        ],
    },
    DemoTicket {
        subject: "Application credentials for our CI",
        requestor: "erik.holm@regionstockholm.se",
        queue: "General",
        text: "Which role should the application credential for our CI pipeline have?",
        custom_fields: &[],
        steps: &[
            DemoStep::Reply(
                "agent@example.com",
                "Which project should the pipeline deploy to? We will suggest the narrowest role.",
            ),
            DemoStep::Status("agent@example.com", Status::Stalled),
        ],
    },
];

async fn seed_tickets(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    store
        .create_queue(
            "Storage",
            "S3 and block storage",
            "storage@support.example",
            "storage-comment@support.example",
            now,
        )
        .await
        .ok();
    let site = CustomFieldDef {
        name: "Site".into(),
        allowed: vec!["se-sto1".into(), "se-lla1".into(), "no-osl1".into()],
    };
    let service = CustomFieldDef {
        name: "Service".into(),
        allowed: vec!["compute".into(), "storage".into(), "backup".into()],
    };
    store
        .set_queue_custom_fields(
            "Storage",
            &[
                site,
                service,
                CustomFieldDef {
                    name: "Bucket".into(),
                    allowed: vec![],
                },
            ],
        )
        .await?;
    for (i, d) in TICKETS.iter().enumerate() {
        let at = now - jiff::SignedDuration::from_hours(30 - 5 * i as i64);
        let organization =
            varde_web::tickets::organization_of(store, &[d.requestor.to_string()]).await?;
        let creation = Creation {
            custom_fields: d
                .custom_fields
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect(),
            organization,
            ..Creation::requested(d.queue, d.subject, d.requestor)
        };
        let t = store
            .create_ticket(d.requestor, creation, &[NewAttachment::text(d.text)], 0, at)
            .await
            .map_err(|e| anyhow::anyhow!("demo ticket: {e}"))?;
        for (n, step) in d.steps.iter().enumerate() {
            let when = at + jiff::SignedDuration::from_mins(10 * (n as i64 + 1));
            let (who, body, minutes) = match step {
                DemoStep::Take(who) | DemoStep::Status(who, _) => (*who, None, 0),
                DemoStep::Reply(who, text) => (*who, Some(*text), 5),
                DemoStep::Comment(who, text) => (*who, Some(*text), 0),
                DemoStep::Call(who, _, minutes, notes) => (*who, Some(*notes), *minutes),
            };
            let plan = |t: &varde_core::ticket::Ticket| -> Result<Vec<Change>, String> {
                Ok(match step {
                    DemoStep::Take(who) => history::set_owner(t, Some(who.to_string())),
                    DemoStep::Reply(..) => history::correspond(t),
                    DemoStep::Comment(..) => vec![Change::Comment],
                    DemoStep::Call(_, caller, minutes, _) => vec![Change::PhoneCall {
                        caller: caller.to_string(),
                        minutes: *minutes,
                    }],
                    DemoStep::Status(_, to) => history::set_status(t, *to),
                })
            };
            let attachments: Vec<NewAttachment> = body
                .map(|b| vec![NewAttachment::text(b)])
                .unwrap_or_default();
            store
                .change_ticket(t.id, who, plan, &attachments, minutes, when)
                .await
                .map_err(|e| anyhow::anyhow!("demo ticket step: {e}"))?;
        }
    }
    Ok(())
}

/// A mail as a customer's mail client sends it: HTML with a plain-text alternative and a log
/// file attached, delivered through the same gateway as real mail.
const DEMO_MAIL: &str = "From: Priya Raman <priya@northwind.example>\r\nTo: support@support.example\r\nSubject: Object storage returns 503 on PUT\r\nMessage-ID: <demo-mail-1@northwind.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSince 07:10 every PUT to bucket nw-exports answers 503. Log attached.\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Since <b>07:10</b> every PUT to bucket <code>nw-exports</code> answers 503.</p><script>alert('never runs')</script>\r\n--alt--\r\n--outer\r\nContent-Type: text/plain; name=\"s3-client.log\"\r\nContent-Disposition: attachment; filename=\"s3-client.log\"\r\n\r\nPUT /nw-exports/2026-11-23.csv -> 503 SlowDown\r\n--outer--\r\n";

/// Delivers the demo mail, then posts the status-page incident it is about.
pub async fn seed_mail(store: &Store, rtname: &str, now: Timestamp) -> anyhow::Result<()> {
    let answer = varde_app::mail::deliver(
        store,
        rtname,
        DEMO_MAIL.as_bytes(),
        "General",
        "correspond",
        None,
        now,
    )
    .await;
    let ticket = match answer {
        varde_app::mail::Answer::Ok(
            varde_store::mail::Delivered::Created { ticket, .. }
            | varde_store::mail::Delivered::Added { ticket, .. },
        ) => Some(ticket.0),
        varde_app::mail::Answer::Ok(_) => None,
        other => anyhow::bail!("demo mail: {}", other.text()),
    };
    seed_status(store, ticket, now).await
}

/// The status page: Compute, Storage and Backup at each site, 120 days of history with two
/// resolved incidents and a completed maintenance, an open incident linked to the demo mail's
/// ticket, and a maintenance window ahead that starts and completes by itself.
async fn seed_status(store: &Store, ticket: Option<i64>, now: Timestamp) -> anyhow::Result<()> {
    use varde_core::catalogue::{Service, Site};
    use varde_core::status::{EventForm, EventKind, UpdateForm};
    use varde_store::status::NewComponent;
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm")?;
    let ago = |days: i64, hours: i64| now - jiff::SignedDuration::from_hours(24 * days + hours);
    let born = ago(120, 0);
    let mut ids = std::collections::HashMap::new();
    for site in Site::ALL {
        let group = store
            .create_component(
                &NewComponent {
                    name: site.label().to_string(),
                    is_group: true,
                    site: Some(*site),
                    ..Default::default()
                },
                born,
            )
            .await?;
        for service in Service::ALL {
            let c = store
                .create_component(
                    &NewComponent {
                        name: format!("{} — {}", service.label(), site.code()),
                        group_id: Some(group.id),
                        service: Some(*service),
                        site: Some(*site),
                        ..Default::default()
                    },
                    born,
                )
                .await?;
            ids.insert((*service, *site), c.id);
        }
    }
    let id = |service, site| ids[&(service, site)];
    let incident = |name: &str, impact: &str, body: &str, components: Vec<(i64, &str)>| EventForm {
        name: name.into(),
        impact: impact.into(),
        body: body.into(),
        components: components
            .into_iter()
            .map(|(c, s)| (c, s.to_string()))
            .collect(),
        ..Default::default()
    };
    let update = |status: &str, body: &str| {
        UpdateForm {
            status: status.into(),
            body: body.into(),
            components: vec![],
        }
        .parse(EventKind::Incident)
    };
    let author = "agent@example.com";
    let bad = |e: varde_core::form::FieldErrors| anyhow::anyhow!("demo status: {}", e.summary());

    // 45 days ago: 40 minutes of Compute down in Luleå.
    let e = incident(
        "Compute unavailable in Luleå",
        "critical",
        "Instances in se-lla1 are unreachable. We are investigating.",
        vec![(id(Service::Compute, Site::Lulea), "major_outage")],
    )
    .parse(EventKind::Incident, &tz)
    .map_err(bad)?;
    let first = store.create_event(&e, author, ago(45, 3)).await?;
    store
        .add_event_update(
            first,
            &update(
                "identified",
                "A top-of-rack switch failed; traffic is moving to its pair.",
            )
            .map_err(bad)?,
            author,
            ago(45, 3) + jiff::SignedDuration::from_mins(15),
        )
        .await?;
    store
        .add_event_update(
            first,
            &update("resolved", "All instances are reachable again.").map_err(bad)?,
            author,
            ago(45, 3) + jiff::SignedDuration::from_mins(40),
        )
        .await?;

    // 20 days ago: two hours of slow object storage in Oslo.
    let e = incident(
        "Slow object storage in Oslo",
        "major",
        "S3 requests in no-osl1 are slow and some fail.",
        vec![(id(Service::Storage, Site::Oslo), "partial_outage")],
    )
    .parse(EventKind::Incident, &tz)
    .map_err(bad)?;
    let second = store.create_event(&e, author, ago(20, 5)).await?;
    store
        .add_event_update(
            second,
            &update(
                "monitoring",
                "A rebalancing Ceph OSD was throttled; latency is back to normal.",
            )
            .map_err(bad)?,
            author,
            ago(20, 4),
        )
        .await?;
    store
        .add_event_update(
            second,
            &update("resolved", "Object storage in Oslo is fully operational.").map_err(bad)?,
            author,
            ago(20, 3),
        )
        .await?;

    // 10 days ago: a completed maintenance of Backup in Stockholm.
    let m = EventForm {
        name: "Backup software upgrade in Stockholm".into(),
        body: "Backup jobs will be paused during the upgrade.".into(),
        components: vec![(
            id(Service::Backup, Site::Stockholm),
            "under_maintenance".into(),
        )],
        scheduled_for: (ago(10, 2)).to_string(),
        scheduled_until: (ago(10, 0)).to_string(),
        auto_start: true,
        auto_complete: true,
        ..Default::default()
    }
    .parse(EventKind::Maintenance, &tz)
    .map_err(bad)?;
    store.create_event(&m, author, ago(17, 0)).await?;
    store.advance_maintenances(ago(10, 2)).await?;
    store.advance_maintenances(ago(10, 0)).await?;

    // Now: elevated S3 errors in Stockholm, linked to the customer's ticket about 503s.
    let e = incident(
        "Elevated S3 error rates in Stockholm",
        "minor",
        "Some PUT requests to object storage in se-sto1 answer 503 SlowDown.",
        vec![(
            id(Service::Storage, Site::Stockholm),
            "degraded_performance",
        )],
    )
    .parse(EventKind::Incident, &tz)
    .map_err(bad)?;
    let open = store.create_event(&e, author, ago(0, 2)).await?;
    store
        .add_event_update(
            open,
            &update(
                "identified",
                "A gateway node rejects writes under load; we are replacing it.",
            )
            .map_err(bad)?,
            author,
            ago(0, 1),
        )
        .await?;
    if let Some(t) = ticket {
        store.link_event_ticket(open, t).await?;
    }

    // In five days: a Ceph upgrade in Oslo that starts and completes on time by itself.
    let m = EventForm {
        name: "Ceph upgrade in Oslo".into(),
        body: "Rolling upgrade of the storage cluster; requests may be slower for short periods."
            .into(),
        components: vec![(id(Service::Storage, Site::Oslo), "under_maintenance".into())],
        scheduled_for: (now + jiff::SignedDuration::from_hours(24 * 5)).to_string(),
        scheduled_until: (now + jiff::SignedDuration::from_hours(24 * 5 + 3)).to_string(),
        auto_start: true,
        auto_complete: true,
        ..Default::default()
    }
    .parse(EventKind::Maintenance, &tz)
    .map_err(bad)?;
    store.create_event(&m, author, ago(0, 3)).await?;

    // Subscribers: the Sikt contact by e-mail to everything (confirmed, in Norwegian), and an
    // on-call phone for Oslo storage. Without --smtp and --sms-gateway their notifications
    // wait, visible in each incident's delivery log.
    use varde_core::status::subscription::SubscriptionForm;
    let subscriptions = [
        SubscriptionForm {
            channel: "email".into(),
            target: CUSTOMER.0.into(),
            language: "nb".into(),
            ..Default::default()
        },
        SubscriptionForm {
            channel: "sms".into(),
            target: "+47 912 34 567".into(),
            language: "nb".into(),
            components: vec![id(Service::Storage, Site::Oslo)],
            ..Default::default()
        },
    ];
    for form in subscriptions {
        let s = store
            .subscribe(&form.parse().map_err(bad)?, None, now)
            .await?;
        store.confirm_subscriber(s.id, now).await?;
    }
    // Feedback Sikt gave in its last operations meeting, for this quarter's report.
    if let Some(sikt) = store.find_organization("Sikt").await? {
        store
            .add_feedback(
                sikt,
                "GPU instances in Oslo for the research groups",
                "manager@example.com",
                now,
            )
            .await?;
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
    println!(
        "  {:<28} password {}   (customer contact of Sikt)",
        CUSTOMER.0, CUSTOMER.1
    );
    println!(
        "API: create a token with `varde token create --email {}`, or in the console under API tokens.",
        ADMIN.0
    );
}
