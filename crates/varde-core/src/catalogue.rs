//! The product catalogue: what the provider sells, as product codes on a contract.

use crate::values::Invalid;
use crate::vocabulary;

vocabulary!(
    /// A level of support. Each tier includes everything of the tiers below it.
    SupportTier, "support tier" {
        Base => "base", "IaaS base support";
        Standard => "standard", "Standard support";
        Premium => "premium", "Premium support";
    }
);

vocabulary!(
    /// A service the provider runs per data-centre site.
    Service, "service" {
        Compute => "compute", "Compute (OpenStack)";
        Storage => "storage", "Storage (S3 on Ceph)";
        Backup => "backup", "Backup";
    }
);

vocabulary!(
    /// A data-centre site.
    Site, "site" {
        Stockholm => "se-sto1", "Stockholm (SE)";
        Lulea => "se-lla1", "Luleå (SE)";
        Oslo => "no-osl1", "Oslo (NO)";
    }
);

/// What a product code sells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProductKind {
    Support(SupportTier),
    /// A service; its product lines name the site.
    Service(Service),
}

/// One entry of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Product {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: ProductKind,
}

/// Every product the provider sells.
pub const CATALOGUE: &[Product] = &[
    Product {
        code: "SUPPORT-iaas.base",
        name: "IaaS base support: e-mail and phone, 24/7/365, in English",
        kind: ProductKind::Support(SupportTier::Base),
    },
    Product {
        code: "SUPPORT-standard",
        name: "Standard support: base, plus the shared back-channel chat room",
        kind: ProductKind::Support(SupportTier::Standard),
    },
    Product {
        code: "SUPPORT-premium",
        name: "Premium support: standard, plus a technical service manager and quarterly operations meetings",
        kind: ProductKind::Support(SupportTier::Premium),
    },
    Product {
        code: "COMPUTE",
        name: "Compute: OpenStack instances, per site",
        kind: ProductKind::Service(Service::Compute),
    },
    Product {
        code: "STORAGE-S3",
        name: "Storage: S3 object storage on Ceph, per site",
        kind: ProductKind::Service(Service::Storage),
    },
    Product {
        code: "BACKUP",
        name: "Backup, per site",
        kind: ProductKind::Service(Service::Backup),
    },
];

/// A code that is in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProductCode(&'static Product);

impl ProductCode {
    /// Finds a product by its code. Codes are matched exactly, as they are printed on contracts.
    pub fn parse(raw: &str) -> Result<ProductCode, Invalid> {
        let s = raw.trim();
        CATALOGUE
            .iter()
            .find(|p| p.code == s)
            .map(ProductCode)
            .ok_or_else(|| {
                let codes: Vec<&str> = CATALOGUE.iter().map(|p| p.code).collect();
                Invalid(format!(
                    "'{s}' is not in the product catalogue; known codes: {}",
                    codes.join(", ")
                ))
            })
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn product(self) -> &'static Product {
        self.0
    }

    pub fn kind(self) -> ProductKind {
        self.0.kind
    }
}

impl std::fmt::Display for ProductCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_codes_map_to_tiers() {
        for (code, tier) in [
            ("SUPPORT-iaas.base", SupportTier::Base),
            ("SUPPORT-standard", SupportTier::Standard),
            ("SUPPORT-premium", SupportTier::Premium),
        ] {
            assert_eq!(
                ProductCode::parse(code).unwrap().kind(),
                ProductKind::Support(tier)
            );
        }
        assert!(
            ProductCode::parse("SUPPORT-gold")
                .unwrap_err()
                .0
                .contains("SUPPORT-premium")
        );
    }

    #[test]
    fn tiers_are_ordered() {
        assert!(SupportTier::Premium > SupportTier::Standard);
        assert!(SupportTier::Standard > SupportTier::Base);
    }
}
