//! The demo customer base: organisations with their contacts and contracts, as an
//! administrator would type them.

use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::OrganizationForm;

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

pub(super) struct DemoOrg {
    pub(super) form: OrganizationForm,
    pub(super) contacts: &'static [DemoContact],
    pub(super) contracts: &'static [DemoContract],
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

pub(super) fn organizations() -> Vec<DemoOrg> {
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
                    ("SUPPORT-premium", "1", ""),
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

/// A demo contract, checked as the console checks one.
pub(super) fn demo_contract(
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
