//! Demo data: a small customer base that shows every capability on first start. Added once,
//! when the database has no organisations yet.

use std::net::SocketAddr;

use anyhow::Context;
use jiff::Timestamp;
use varde_core::contact::ContactForm;
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::OrganizationForm;
use varde_store::Store;
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
            let c = ContractForm {
                reference: (*reference).into(),
                signed_on: (*signed).into(),
                starts_on: (*starts).into(),
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
            .map_err(|e| anyhow::anyhow!("demo contract {reference}: {e}"))?;
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
    Ok(())
}

pub fn print_logins(listen: SocketAddr) {
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
        "API: create a token with `varde token create --email {} --data ./varde-demo`, or in the console under API tokens.",
        ADMIN.0
    );
}
