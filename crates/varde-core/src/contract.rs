//! Contracts and their product lines.

use jiff::civil::Date;

use crate::catalogue::{ProductCode, ProductKind, Site};
use crate::form::FieldErrors;
use crate::ids::{ContractId, OrganizationId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contract {
    pub id: ContractId,
    pub organization: OrganizationId,
    pub details: ContractDetails,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractDetails {
    /// The provider's contract reference, unique across all contracts.
    pub reference: String,
    /// The day it was signed; a contract without one is a draft and grants nothing.
    pub signed_on: Option<Date>,
    pub starts_on: Date,
    /// The last day it is in force; none means until further notice.
    pub ends_on: Option<Date>,
    pub lines: Vec<ProductLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductLine {
    pub product: ProductCode,
    pub quantity: u32,
    /// The data-centre site, for service products; support lines have none.
    pub site: Option<Site>,
}

impl ContractDetails {
    /// Whether the contract grants its products on `day`: signed, started and not yet ended.
    pub fn in_force_on(&self, day: Date) -> bool {
        self.signed_on.is_some()
            && self.starts_on <= day
            && self.ends_on.is_none_or(|end| day <= end)
    }

    pub fn lines_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| match l.site {
                Some(site) => format!("{} x{} @{}", l.product, l.quantity, site),
                None => format!("{} x{}", l.product, l.quantity),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("reference", self.reference.clone()),
            (
                "signed_on",
                self.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("starts_on", self.starts_on.to_string()),
            (
                "ends_on",
                self.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("lines", self.lines_text()),
        ]
    }
}

/// A contract as typed: dates as `YYYY-MM-DD` text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContractForm {
    pub reference: String,
    pub signed_on: String,
    pub starts_on: String,
    pub ends_on: String,
    pub lines: Vec<ProductLineForm>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductLineForm {
    pub product_code: String,
    pub quantity: String,
    pub site: String,
}

fn parse_date(raw: &str) -> Result<Date, String> {
    raw.trim()
        .parse::<Date>()
        .map_err(|_| format!("'{}' is not a date (YYYY-MM-DD)", raw.trim()))
}

impl ContractForm {
    pub fn from_details(d: &ContractDetails) -> ContractForm {
        ContractForm {
            reference: d.reference.clone(),
            signed_on: d.signed_on.map(|x| x.to_string()).unwrap_or_default(),
            starts_on: d.starts_on.to_string(),
            ends_on: d.ends_on.map(|x| x.to_string()).unwrap_or_default(),
            lines: d
                .lines
                .iter()
                .map(|l| ProductLineForm {
                    product_code: l.product.code().to_string(),
                    quantity: l.quantity.to_string(),
                    site: l.site.map(|s| s.code().to_string()).unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// Validates the contract. Line errors are reported as `lines[N].field` (N from 0).
    pub fn parse(&self) -> Result<ContractDetails, FieldErrors> {
        let mut errors = FieldErrors::new();
        let reference = self.reference.trim();
        if reference.is_empty() {
            errors.add("reference", "a contract reference is required");
        } else if reference.len() > 64 {
            errors.add(
                "reference",
                "a contract reference has at most 64 characters",
            );
        }
        let signed_on = if self.signed_on.trim().is_empty() {
            None
        } else {
            errors.take("signed_on", parse_date(&self.signed_on))
        };
        let starts_on = if self.starts_on.trim().is_empty() {
            errors.add("starts_on", "a start date is required");
            None
        } else {
            errors.take("starts_on", parse_date(&self.starts_on))
        };
        let ends_on = if self.ends_on.trim().is_empty() {
            None
        } else {
            errors.take("ends_on", parse_date(&self.ends_on))
        };
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errors.add("ends_on", "the contract cannot end before it starts");
        }
        let mut lines = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            if l.product_code.trim().is_empty() {
                continue;
            }
            if let Some(line) = l.parse(i, &mut errors) {
                lines.push(line);
            }
        }
        match (starts_on, errors.is_empty()) {
            (Some(starts_on), true) => Ok(ContractDetails {
                reference: reference.to_string(),
                signed_on,
                starts_on,
                ends_on,
                lines,
            }),
            _ => Err(errors),
        }
    }
}

impl ProductLineForm {
    fn parse(&self, index: usize, errors: &mut FieldErrors) -> Option<ProductLine> {
        let field = |f: &str| format!("lines[{index}].{f}");
        let product = errors.take(
            &field("product_code"),
            ProductCode::parse(&self.product_code),
        );
        let quantity = if self.quantity.trim().is_empty() {
            Some(1)
        } else {
            match self.quantity.trim().parse::<u32>() {
                Ok(q) if q >= 1 => Some(q),
                _ => {
                    errors.add(
                        &field("quantity"),
                        "a quantity is a whole number of at least 1",
                    );
                    None
                }
            }
        };
        let site = if self.site.trim().is_empty() {
            None
        } else {
            errors.take(&field("site"), Site::parse(&self.site))
        };
        let product = product?;
        match (product.kind(), site) {
            (ProductKind::Service(_), None) => {
                errors.add(
                    &field("site"),
                    format!("{product} is sold per site; name the site"),
                );
                None
            }
            (ProductKind::Support(_), Some(_)) => {
                errors.add(&field("site"), format!("{product} is not sold per site"));
                None
            }
            _ => Some(ProductLine {
                product,
                quantity: quantity?,
                site,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn line(code: &str, site: &str) -> ProductLineForm {
        ProductLineForm {
            product_code: code.into(),
            quantity: "".into(),
            site: site.into(),
        }
    }

    #[test]
    fn contract_with_support_and_services() {
        let f = ContractForm {
            reference: "C-2026-001".into(),
            signed_on: "2026-01-10".into(),
            starts_on: "2026-02-01".into(),
            ends_on: "2028-01-31".into(),
            lines: vec![line("SUPPORT-premium", ""), line("COMPUTE", "se-sto1")],
        };
        let c = f.parse().unwrap();
        assert_eq!(c.lines.len(), 2);
        assert!(c.in_force_on(date(2026, 2, 1)));
        assert!(c.in_force_on(date(2028, 1, 31)));
        assert!(!c.in_force_on(date(2026, 1, 31)));
        assert!(!c.in_force_on(date(2028, 2, 1)));
        assert_eq!(ContractForm::from_details(&c).parse().unwrap(), c);
    }

    #[test]
    fn a_draft_is_never_in_force() {
        let f = ContractForm {
            reference: "C-draft".into(),
            starts_on: "2026-01-01".into(),
            lines: vec![line("SUPPORT-standard", "")],
            ..Default::default()
        };
        assert!(!f.parse().unwrap().in_force_on(date(2026, 6, 1)));
    }

    #[test]
    fn line_errors_point_at_the_line() {
        let f = ContractForm {
            reference: "C-1".into(),
            starts_on: "2026-05-01".into(),
            ends_on: "2026-04-01".into(),
            lines: vec![
                line("COMPUTE", ""),
                line("SUPPORT-base", ""),
                line("SUPPORT-premium", "se-sto1"),
            ],
            ..Default::default()
        };
        let e = f.parse().unwrap_err();
        assert!(e.get("ends_on").is_some());
        assert!(e.get("lines[0].site").unwrap().contains("per site"));
        assert!(e.get("lines[1].product_code").is_some());
        assert!(e.get("lines[2].site").is_some());
    }
}
