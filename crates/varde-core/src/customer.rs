//! Organisations: the customers in the customer database.

use crate::form::FieldErrors;
use crate::ids::{OrganizationId, UserId};
use crate::values::{Country, Language, MailDomain, OrganizationNumber};
use crate::vocabulary;

vocabulary!(
    /// What kind of institution the customer is.
    Sector, "sector" {
        ResearchEducation => "research_education", "Research and education";
        Government => "government", "Government";
        Saas => "saas", "SaaS";
        Other => "other", "Other";
    }
);

vocabulary!(
    /// The framework agreement the customer buys through, if any.
    FrameworkAgreement, "framework agreement" {
        Sunet => "sunet", "SUNET (GÉANT)";
        Sikt => "sikt", "Sikt (GÉANT)";
        Nordunet => "nordunet", "NORDUnet (GÉANT)";
        Skr => "skr", "SKR";
        Kammarkollegiet => "kammarkollegiet", "Kammarkollegiet";
        None => "none", "None";
        Other => "other", "Other";
    }
);

vocabulary!(
    /// Where the customer is in its life with the provider.
    Lifecycle, "lifecycle state" {
        Prospect => "prospect", "Prospect";
        Onboarding => "onboarding", "Onboarding";
        Active => "active", "Active";
        Offboarded => "offboarded", "Offboarded";
    }
);

/// An organisation as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub details: OrganizationDetails,
}

/// Everything about an organisation that a person edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationDetails {
    pub name: String,
    pub org_number: Option<OrganizationNumber>,
    pub country: Country,
    pub sector: Sector,
    pub framework: FrameworkAgreement,
    pub language: Language,
    pub mail_domains: Vec<MailDomain>,
    pub lifecycle: Lifecycle,
    pub service_manager: Option<UserId>,
}

impl OrganizationDetails {
    /// The fields as (name, value) text, in a fixed order, for the audit history.
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            (
                "org_number",
                self.org_number
                    .as_ref()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("country", self.country.to_string()),
            ("sector", self.sector.code().to_string()),
            ("framework", self.framework.code().to_string()),
            ("language", self.language.code().to_string()),
            (
                "mail_domains",
                self.mail_domains
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            ("lifecycle", self.lifecycle.code().to_string()),
            (
                "service_manager",
                self.service_manager
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
            ),
        ]
    }
}

/// An organisation as typed into a form, an API body or a CSV row: all text, unvalidated.
/// Empty optional fields take their defaults (sector `other`, framework `none`, language `en`,
/// lifecycle `prospect`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrganizationForm {
    pub name: String,
    pub org_number: String,
    pub country: String,
    pub sector: String,
    pub framework: String,
    pub language: String,
    /// Mail domains separated by spaces, commas or new lines.
    pub mail_domains: String,
    pub lifecycle: String,
    /// The id of the service manager's staff account, if any.
    pub service_manager: Option<UserId>,
}

impl OrganizationForm {
    pub fn from_details(d: &OrganizationDetails) -> OrganizationForm {
        OrganizationForm {
            name: d.name.clone(),
            org_number: d
                .org_number
                .as_ref()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            country: d.country.to_string(),
            sector: d.sector.code().into(),
            framework: d.framework.code().into(),
            language: d.language.code().into(),
            mail_domains: d
                .mail_domains
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            lifecycle: d.lifecycle.code().into(),
            service_manager: d.service_manager,
        }
    }

    pub fn parse(&self) -> Result<OrganizationDetails, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "a name is required");
        } else if name.chars().count() > 200 {
            errors.add("name", "a name has at most 200 characters");
        }
        let country = if self.country.trim().is_empty() {
            errors.add(
                "country",
                "a country is required (two-letter ISO code, e.g. SE)",
            );
            None
        } else {
            errors.take("country", Country::parse(&self.country))
        };
        let org_number = match (self.org_number.trim(), country) {
            ("", _) => None,
            (n, Some(c)) => errors.take("org_number", OrganizationNumber::parse(n, c)),
            (_, None) => None,
        };
        let sector = or_default(
            &self.sector,
            Sector::Other,
            Sector::parse,
            "sector",
            &mut errors,
        );
        let framework = or_default(
            &self.framework,
            FrameworkAgreement::None,
            FrameworkAgreement::parse,
            "framework",
            &mut errors,
        );
        let language = or_default(
            &self.language,
            Language::English,
            Language::parse,
            "language",
            &mut errors,
        );
        let lifecycle = or_default(
            &self.lifecycle,
            Lifecycle::Prospect,
            Lifecycle::parse,
            "lifecycle",
            &mut errors,
        );
        let mut mail_domains = Vec::new();
        for raw in split_list(&self.mail_domains) {
            if let Some(d) = errors.take("mail_domains", MailDomain::parse(raw))
                && !mail_domains.contains(&d)
            {
                mail_domains.push(d);
            }
        }
        match (country, errors.is_empty()) {
            (Some(country), true) => Ok(OrganizationDetails {
                name: name.to_string(),
                org_number,
                country,
                sector,
                framework,
                language,
                mail_domains,
                lifecycle,
                service_manager: self.service_manager,
            }),
            _ => Err(errors),
        }
    }
}

/// Splits a list typed as text on spaces, commas, semicolons and new lines.
pub fn split_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
}

pub(crate) fn or_default<T, E: std::fmt::Display>(
    raw: &str,
    default: T,
    parse: impl Fn(&str) -> Result<T, E>,
    field: &str,
    errors: &mut FieldErrors,
) -> T {
    if raw.trim().is_empty() {
        default
    } else {
        errors.take(field, parse(raw)).unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_organisation_takes_defaults() {
        let form = OrganizationForm {
            name: "  KTH Royal Institute of Technology ".into(),
            country: "se".into(),
            ..Default::default()
        };
        let d = form.parse().unwrap();
        assert_eq!(d.name, "KTH Royal Institute of Technology");
        assert_eq!(d.country.as_str(), "SE");
        assert_eq!(d.sector, Sector::Other);
        assert_eq!(d.framework, FrameworkAgreement::None);
        assert_eq!(d.lifecycle, Lifecycle::Prospect);
        assert_eq!(d.language, Language::English);
    }

    #[test]
    fn every_bad_field_is_reported_beside_its_name() {
        let form = OrganizationForm {
            name: "".into(),
            country: "Sweden".into(),
            sector: "banking".into(),
            mail_domains: "kth.se not_a_domain".into(),
            ..Default::default()
        };
        let e = form.parse().unwrap_err();
        assert!(e.get("name").is_some());
        assert!(e.get("country").unwrap().contains("ISO"));
        assert!(e.get("sector").unwrap().contains("research_education"));
        assert!(e.get("mail_domains").unwrap().contains("not_a_domain"));
    }

    #[test]
    fn organisation_number_is_checked_for_the_country() {
        let form = OrganizationForm {
            name: "Sikt".into(),
            country: "NO".into(),
            org_number: "919477823".into(),
            ..Default::default()
        };
        assert!(form.parse().unwrap_err().get("org_number").is_some());
    }

    #[test]
    fn domains_are_deduplicated_and_lowercased() {
        let form = OrganizationForm {
            name: "SUNET".into(),
            country: "SE".into(),
            mail_domains: "SUNET.se, sunet.se\nsunet.eu".into(),
            ..Default::default()
        };
        let d = form.parse().unwrap();
        let names: Vec<&str> = d.mail_domains.iter().map(|m| m.as_str()).collect();
        assert_eq!(names, ["sunet.se", "sunet.eu"]);
    }

    #[test]
    fn form_round_trips_through_details() {
        let form = OrganizationForm {
            name: "Sikt".into(),
            country: "NO".into(),
            org_number: "919 477 822".into(),
            sector: "research_education".into(),
            framework: "sikt".into(),
            language: "nb".into(),
            mail_domains: "sikt.no".into(),
            lifecycle: "active".into(),
            service_manager: Some(UserId(3)),
        };
        let d = form.parse().unwrap();
        assert_eq!(OrganizationForm::from_details(&d).parse().unwrap(), d);
    }
}
