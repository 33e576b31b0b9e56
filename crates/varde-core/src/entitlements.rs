//! Entitlements: what an organisation gets on a given day, derived from its contracts in force.
//!
//! Nothing is guessed: no support tier, or more than one, is an [`EntitlementProblem`] that the
//! console shows as it is.

use jiff::civil::Date;

use crate::catalogue::{ProductKind, Service, Site, SupportTier};
use crate::contract::ContractDetails;

/// What an organisation with one clear support tier is entitled to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitlements {
    pub tier: SupportTier,
    /// The contract reference that grants the tier.
    pub granted_by: String,
    /// Tickets by e-mail or phone, 24/7/365 (every tier).
    pub ticket_support: bool,
    /// The shared back-channel chat room (standard and premium).
    pub chat_room: bool,
    /// A technical service manager (premium).
    pub service_manager: bool,
    /// Quarterly operations meetings (premium).
    pub quarterly_meetings: bool,
    /// Services on contract, per site, without duplicates, in catalogue order.
    pub services: Vec<(Service, Site)>,
}

/// Why no entitlements could be derived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntitlementProblem {
    /// No signed contract is in force on the day.
    NoContractInForce,
    /// Contracts are in force, but none of them sells a support tier.
    NoSupportTier,
    /// More than one support line is in force: (contract reference, tier) for each.
    OverlappingTiers(Vec<(String, SupportTier)>),
}

impl std::fmt::Display for EntitlementProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EntitlementProblem::NoContractInForce => f.write_str("no signed contract is in force"),
            EntitlementProblem::NoSupportTier => {
                f.write_str("the contracts in force sell no support tier")
            }
            EntitlementProblem::OverlappingTiers(tiers) => {
                let list: Vec<String> = tiers
                    .iter()
                    .map(|(r, t)| format!("{} on {r}", t.code()))
                    .collect();
                write!(f, "overlapping support tiers: {}", list.join(", "))
            }
        }
    }
}

/// The entitlements on `day` from every contract of one organisation.
pub fn entitlements_on<'a>(
    contracts: impl IntoIterator<Item = &'a ContractDetails>,
    day: Date,
) -> Result<Entitlements, EntitlementProblem> {
    let in_force: Vec<&ContractDetails> = contracts
        .into_iter()
        .filter(|c| c.in_force_on(day))
        .collect();
    if in_force.is_empty() {
        return Err(EntitlementProblem::NoContractInForce);
    }
    let mut tiers = Vec::new();
    let mut services = Vec::new();
    for c in &in_force {
        for line in &c.lines {
            match (line.product.kind(), line.site) {
                (ProductKind::Support(t), _) => tiers.push((c.reference.clone(), t)),
                (ProductKind::Service(s), Some(site)) => {
                    if !services.contains(&(s, site)) {
                        services.push((s, site));
                    }
                }
                (ProductKind::Service(_), None) => {}
            }
        }
    }
    services.sort();
    let (granted_by, tier) = match tiers.len() {
        0 => return Err(EntitlementProblem::NoSupportTier),
        1 => tiers.remove(0),
        _ => return Err(EntitlementProblem::OverlappingTiers(tiers)),
    };
    Ok(Entitlements {
        tier,
        granted_by,
        ticket_support: true,
        chat_room: tier >= SupportTier::Standard,
        service_manager: tier == SupportTier::Premium,
        quarterly_meetings: tier == SupportTier::Premium,
        services,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{ContractForm, ProductLineForm};
    use jiff::civil::date;

    fn contract(
        reference: &str,
        signed: &str,
        start: &str,
        end: &str,
        lines: &[(&str, &str)],
    ) -> ContractDetails {
        ContractForm {
            reference: reference.into(),
            signed_on: signed.into(),
            starts_on: start.into(),
            ends_on: end.into(),
            lines: lines
                .iter()
                .map(|(c, s)| ProductLineForm {
                    product_code: (*c).into(),
                    quantity: "1".into(),
                    site: (*s).into(),
                })
                .collect(),
        }
        .parse()
        .unwrap()
    }

    /// One line per case: the contracts, the day, and the expected summary.
    fn check(contracts: &[ContractDetails], day: Date, expect: &str) {
        let got = match entitlements_on(contracts, day) {
            Ok(e) => format!(
                "{} chat={} sm={} qbr={} services={:?}",
                e.tier.code(),
                e.chat_room,
                e.service_manager,
                e.quarterly_meetings,
                e.services
                    .iter()
                    .map(|(s, site)| format!("{}@{}", s.code(), site.code()))
                    .collect::<Vec<_>>()
            ),
            Err(p) => format!("problem: {p}"),
        };
        assert_eq!(got, expect);
    }

    #[test]
    fn tiers_grant_what_the_catalogue_says() {
        let day = date(2026, 6, 1);
        check(
            &[contract(
                "B",
                "2026-01-01",
                "2026-01-01",
                "",
                &[("SUPPORT-iaas.base", ""), ("COMPUTE", "se-sto1")],
            )],
            day,
            r#"base chat=false sm=false qbr=false services=["compute@se-sto1"]"#,
        );
        check(
            &[contract(
                "S",
                "2026-01-01",
                "2026-01-01",
                "",
                &[("SUPPORT-standard", "")],
            )],
            day,
            "standard chat=true sm=false qbr=false services=[]",
        );
        check(
            &[contract(
                "P",
                "2026-01-01",
                "2026-01-01",
                "2027-01-01",
                &[
                    ("SUPPORT-premium", ""),
                    ("BACKUP", "no-osl1"),
                    ("COMPUTE", "no-osl1"),
                    ("COMPUTE", "no-osl1"),
                ],
            )],
            day,
            r#"premium chat=true sm=true qbr=true services=["compute@no-osl1", "backup@no-osl1"]"#,
        );
    }

    #[test]
    fn problems_are_reported_not_guessed() {
        let day = date(2026, 6, 1);
        check(&[], day, "problem: no signed contract is in force");
        check(
            &[contract(
                "D",
                "",
                "2026-01-01",
                "",
                &[("SUPPORT-premium", "")],
            )],
            day,
            "problem: no signed contract is in force",
        );
        check(
            &[contract(
                "X",
                "2026-01-01",
                "2026-01-01",
                "",
                &[("STORAGE-S3", "se-lla1")],
            )],
            day,
            "problem: the contracts in force sell no support tier",
        );
        check(
            &[
                contract(
                    "A",
                    "2026-01-01",
                    "2026-01-01",
                    "",
                    &[("SUPPORT-standard", "")],
                ),
                contract(
                    "B",
                    "2026-03-01",
                    "2026-03-01",
                    "",
                    &[("SUPPORT-premium", "")],
                ),
            ],
            day,
            "problem: overlapping support tiers: standard on A, premium on B",
        );
    }

    #[test]
    fn a_tier_change_at_renewal_is_not_an_overlap() {
        let old = contract(
            "2025",
            "2025-01-01",
            "2025-01-01",
            "2025-12-31",
            &[("SUPPORT-standard", "")],
        );
        let new = contract(
            "2026",
            "2025-12-01",
            "2026-01-01",
            "",
            &[("SUPPORT-premium", "")],
        );
        let both = [old, new];
        check(
            &both,
            date(2025, 12, 31),
            "standard chat=true sm=false qbr=false services=[]",
        );
        check(
            &both,
            date(2026, 1, 1),
            "premium chat=true sm=true qbr=true services=[]",
        );
    }
}
