//! The API's wire shapes. Domain types know nothing of JSON; these structs are their
//! serialisable counterparts, documented in the OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use varde_core::account::Account;
use varde_core::audit::Change;
use varde_core::contact::{Contact, ContactForm};
use varde_core::contract::{Contract, ContractForm, ProductLineForm};
use varde_core::customer::{Organization, OrganizationForm};
use varde_core::entitlements::{EntitlementProblem, Entitlements};
use varde_core::ids::UserId;
use varde_store::{AuditEvent, TokenInfo};

#[derive(Serialize, ToSchema)]
pub struct OrganizationJson {
    pub id: i64,
    pub name: String,
    pub org_number: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// research_education | government | saas | other
    pub sector: String,
    /// sunet | sikt | nordunet | skr | kammarkollegiet | none | other
    pub framework: String,
    /// en | sv | nb | da
    pub language: String,
    pub mail_domains: Vec<String>,
    /// prospect | onboarding | active | offboarded
    pub lifecycle: String,
    pub service_manager_id: Option<i64>,
}

impl From<&Organization> for OrganizationJson {
    fn from(o: &Organization) -> Self {
        let d = &o.details;
        OrganizationJson {
            id: o.id.0,
            name: d.name.clone(),
            org_number: d.org_number.as_ref().map(|n| n.as_str().to_string()),
            country: d.country.to_string(),
            sector: d.sector.code().into(),
            framework: d.framework.code().into(),
            language: d.language.code().into(),
            mail_domains: d.mail_domains.iter().map(|m| m.to_string()).collect(),
            lifecycle: d.lifecycle.code().into(),
            service_manager_id: d.service_manager.map(|u| u.0),
        }
    }
}

/// An organisation to create, or the fields to change (PATCH sends only those).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    pub name: Option<String>,
    pub org_number: Option<String>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub framework: Option<String>,
    pub language: Option<String>,
    pub mail_domains: Option<Vec<String>>,
    pub lifecycle: Option<String>,
    /// The staff account id of the service manager; null removes it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub service_manager_id: Option<Option<i64>>,
}

/// Tells a field that is absent from one that is `null`.
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        Option::<i64>::deserialize(d).map(Some)
    }
}

impl OrganizationInput {
    /// Lays these fields over `form`.
    pub fn apply(self, mut form: OrganizationForm) -> OrganizationForm {
        let set = |target: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *target = v;
            }
        };
        set(&mut form.name, self.name);
        set(&mut form.org_number, self.org_number);
        set(&mut form.country, self.country);
        set(&mut form.sector, self.sector);
        set(&mut form.framework, self.framework);
        set(&mut form.language, self.language);
        set(&mut form.lifecycle, self.lifecycle);
        if let Some(d) = self.mail_domains {
            form.mail_domains = d.join(" ");
        }
        if let Some(sm) = self.service_manager_id {
            form.service_manager = sm.map(UserId);
        }
        form
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganizationPage {
    pub items: Vec<OrganizationJson>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EntitlementsJson {
    /// The day the entitlements were derived for.
    pub on: String,
    /// base | standard | premium, or null with a `problem`.
    pub tier: Option<String>,
    pub granted_by: Option<String>,
    pub ticket_support: bool,
    pub chat_room: bool,
    pub service_manager: bool,
    pub quarterly_meetings: bool,
    /// `service@site`, e.g. `compute@se-sto1`.
    pub services: Vec<String>,
    /// no_contract_in_force | no_support_tier | overlapping_tiers
    pub problem: Option<String>,
    pub problem_message: Option<String>,
}

impl EntitlementsJson {
    pub fn new(on: jiff::civil::Date, r: &Result<Entitlements, EntitlementProblem>) -> Self {
        match r {
            Ok(e) => EntitlementsJson {
                on: on.to_string(),
                tier: Some(e.tier.code().into()),
                granted_by: Some(e.granted_by.clone()),
                ticket_support: e.ticket_support,
                chat_room: e.chat_room,
                service_manager: e.service_manager,
                quarterly_meetings: e.quarterly_meetings,
                services: e
                    .services
                    .iter()
                    .map(|(s, site)| format!("{}@{}", s.code(), site.code()))
                    .collect(),
                problem: None,
                problem_message: None,
            },
            Err(p) => EntitlementsJson {
                on: on.to_string(),
                tier: None,
                granted_by: None,
                ticket_support: false,
                chat_room: false,
                service_manager: false,
                quarterly_meetings: false,
                services: vec![],
                problem: Some(
                    match p {
                        EntitlementProblem::NoContractInForce => "no_contract_in_force",
                        EntitlementProblem::NoSupportTier => "no_support_tier",
                        EntitlementProblem::OverlappingTiers(_) => "overlapping_tiers",
                    }
                    .into(),
                ),
                problem_message: Some(p.to_string()),
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContactJson {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub email: String,
    /// E.164.
    pub phone: Option<String>,
    /// primary | technical | billing | security
    pub roles: Vec<String>,
    pub language: String,
    pub portal_access: bool,
}

impl From<&Contact> for ContactJson {
    fn from(c: &Contact) -> Self {
        ContactJson {
            id: c.id.0,
            organization_id: c.organization.0,
            name: c.details.name.clone(),
            email: c.details.email.to_string(),
            phone: c.details.phone.as_ref().map(|p| p.as_str().to_string()),
            roles: c
                .details
                .roles
                .iter()
                .map(|r| r.code().to_string())
                .collect(),
            language: c.details.language.code().into(),
            portal_access: c.details.portal_access,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub roles: Option<Vec<String>>,
    pub language: Option<String>,
    pub portal_access: Option<bool>,
}

impl ContactInput {
    pub fn apply(self, mut form: ContactForm) -> ContactForm {
        if let Some(v) = self.name {
            form.name = v;
        }
        if let Some(v) = self.email {
            form.email = v;
        }
        if let Some(v) = self.phone {
            form.phone = v;
        }
        if let Some(v) = self.roles {
            form.roles = v.join(" ");
        }
        if let Some(v) = self.language {
            form.language = v;
        }
        if let Some(v) = self.portal_access {
            form.portal_access = v;
        }
        form
    }
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProductLineJson {
    /// A code from `GET /api/v1/products`, e.g. `SUPPORT-premium`.
    pub product_code: String,
    #[serde(default = "one")]
    pub quantity: u32,
    /// se-sto1 | se-lla1 | no-osl1, for service products.
    #[serde(default)]
    pub site: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Serialize, ToSchema)]
pub struct ContractJson {
    pub id: i64,
    pub organization_id: i64,
    pub reference: String,
    /// YYYY-MM-DD; null for a draft, which grants nothing.
    pub signed_on: Option<String>,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub lines: Vec<ProductLineJson>,
}

impl From<&Contract> for ContractJson {
    fn from(c: &Contract) -> Self {
        let d = &c.details;
        ContractJson {
            id: c.id.0,
            organization_id: c.organization.0,
            reference: d.reference.clone(),
            signed_on: d.signed_on.map(|x| x.to_string()),
            starts_on: d.starts_on.to_string(),
            ends_on: d.ends_on.map(|x| x.to_string()),
            lines: d
                .lines
                .iter()
                .map(|l| ProductLineJson {
                    product_code: l.product.code().into(),
                    quantity: l.quantity,
                    site: l.site.map(|s| s.code().into()),
                })
                .collect(),
        }
    }
}

/// A whole contract: PUT replaces every field and every line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractInput {
    pub reference: String,
    #[serde(default)]
    pub signed_on: Option<String>,
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub lines: Vec<ProductLineJson>,
}

impl ContractInput {
    pub fn form(self) -> ContractForm {
        ContractForm {
            reference: self.reference,
            signed_on: self.signed_on.unwrap_or_default(),
            starts_on: self.starts_on,
            ends_on: self.ends_on.unwrap_or_default(),
            lines: self
                .lines
                .into_iter()
                .map(|l| ProductLineForm {
                    product_code: l.product_code,
                    quantity: l.quantity.to_string(),
                    site: l.site.unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChangeJson {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventJson {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub actor: String,
    pub changes: Vec<ChangeJson>,
}

impl From<&AuditEvent> for AuditEventJson {
    fn from(e: &AuditEvent) -> Self {
        AuditEventJson {
            id: e.id,
            at: e.at.to_string(),
            entity: e.entity.clone(),
            entity_id: e.entity_id,
            action: e.action.clone(),
            actor: e.actor.clone(),
            changes: e
                .changes
                .iter()
                .map(|c: &Change| ChangeJson {
                    field: c.field.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountJson {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// admin | agent | service_manager | read_only | customer
    pub role: String,
    pub organization_id: Option<i64>,
    pub disabled: bool,
}

impl From<&Account> for AccountJson {
    fn from(a: &Account) -> Self {
        AccountJson {
            id: a.id.0,
            email: a.email.to_string(),
            name: a.name.clone(),
            role: a.role.code().into(),
            organization_id: a.organization.map(|o| o.0),
            disabled: a.disabled,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub email: String,
    pub name: String,
    pub role: String,
    /// Required for role `customer`: the organisation the contact belongs to.
    #[serde(default)]
    pub organization_id: Option<i64>,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenJson {
    pub id: i64,
    pub name: String,
    /// read | write
    pub scope: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<&TokenInfo> for TokenJson {
    fn from(t: &TokenInfo) -> Self {
        TokenJson {
            id: t.id,
            name: t.name.clone(),
            scope: t.scope.code().into(),
            prefix: t.prefix.clone(),
            created_at: t.created_at.to_string(),
            last_used_at: t.last_used_at.map(|x| x.to_string()),
            revoked_at: t.revoked_at.map(|x| x.to_string()),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    pub name: String,
    /// read | write (default write)
    #[serde(default)]
    pub scope: Option<String>,
}

/// A new token: `token` is shown this once and never again.
#[derive(Serialize, ToSchema)]
pub struct NewTokenJson {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenJson,
}

#[derive(Serialize, ToSchema)]
pub struct ProductJson {
    pub code: String,
    pub name: String,
    /// support | service
    pub kind: String,
    /// For support products: base | standard | premium.
    pub tier: Option<String>,
    /// For service products: compute | storage | backup; they are sold per site.
    pub service: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// bad_request | unauthenticated | forbidden | not_found | conflict | validation_failed |
    /// csrf_failed | rate_limited | payload_too_large | unavailable | internal
    pub code: String,
    pub message: String,
    /// Per-field messages when input was refused.
    pub fields: Option<std::collections::BTreeMap<String, String>>,
}
