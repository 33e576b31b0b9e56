//! Rows as the database returns them, and their conversion into domain values.
//! A stored value that no longer parses is reported as [`StoreError::Corrupt`].

use jiff::civil::Date;
use varde_core::access::{Role, TicketRights, TicketSight};
use varde_core::account::Account;
use varde_core::catalogue::{ProductCode, Site};
use varde_core::contact::{Contact, ContactDetails, ContactRole};
use varde_core::contract::{Contract, ContractDetails, ProductLine};
use varde_core::customer::{
    FrameworkAgreement, Lifecycle, Organization, OrganizationDetails, Sector, split_list,
};
use varde_core::ids::{ContactId, ContractId, OrganizationId, UserId};
use varde_core::values::{
    Country, EmailAddress, Language, MailDomain, OrganizationNumber, PhoneNumber,
};

use crate::{Result, StoreError};

fn corrupt<T, E: std::fmt::Display>(what: &str, r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organization_id: Option<i64>,
    #[serde(deserialize_with = "crate::embedded::flag")]
    pub disabled: bool,
    pub time_zone: Option<String>,
    pub login: Option<String>,
    #[serde(deserialize_with = "crate::embedded::flag")]
    pub opens_tickets: bool,
    #[serde(deserialize_with = "crate::embedded::flag")]
    pub own_tickets_only: bool,
}

/// The columns of an account, read from `users u`: with a customer contact's ticket rights,
/// from its contact record and its organisation's portal settings (staff have none).
pub(crate) const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.organization_id, u.disabled, u.time_zone, u.login, \
     COALESCE((SELECT c.opens_tickets FROM contacts c WHERE c.organization_id = u.organization_id AND c.email = u.email), FALSE) AS opens_tickets, \
     COALESCE((SELECT s.own_tickets_only FROM portal_settings s WHERE s.organization_id = u.organization_id), FALSE) AS own_tickets_only";

impl UserRow {
    pub fn into_account(self) -> Result<Account> {
        Ok(Account {
            id: UserId(self.id),
            email: corrupt("user e-mail", EmailAddress::parse(&self.email))?,
            name: self.name,
            role: corrupt("user role", Role::parse(&self.role))?,
            organization: self.organization_id.map(OrganizationId),
            disabled: self.disabled,
            time_zone: self.time_zone,
            login: self.login,
            tickets: TicketRights {
                sight: if self.own_tickets_only {
                    TicketSight::Own
                } else {
                    TicketSight::Organization
                },
                opens: self.opens_tickets,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrganizationRow {
    pub id: i64,
    pub name: String,
    pub org_number: Option<String>,
    pub country: String,
    pub sector: String,
    pub framework: String,
    pub language: String,
    pub mail_domains: String,
    pub lifecycle: String,
    pub service_manager_id: Option<i64>,
}

pub(crate) const ORGANIZATION_COLUMNS: &str = "id, name, org_number, country, sector, framework, language, mail_domains, lifecycle, service_manager_id";

impl OrganizationRow {
    pub fn into_organization(self) -> Result<Organization> {
        let country = corrupt("country", Country::parse(&self.country))?;
        let org_number = match self.org_number.as_deref() {
            None | Some("") => None,
            Some(n) => Some(corrupt(
                "organisation number",
                OrganizationNumber::parse(n, country),
            )?),
        };
        let mail_domains = split_list(&self.mail_domains)
            .map(|d| corrupt("mail domain", MailDomain::parse(d)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Organization {
            id: OrganizationId(self.id),
            details: OrganizationDetails {
                name: self.name,
                org_number,
                country,
                sector: corrupt("sector", Sector::parse(&self.sector))?,
                framework: corrupt("framework", FrameworkAgreement::parse(&self.framework))?,
                language: corrupt("language", Language::parse(&self.language))?,
                mail_domains,
                lifecycle: corrupt("lifecycle", Lifecycle::parse(&self.lifecycle))?,
                service_manager: self.service_manager_id.map(UserId),
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub roles: String,
    pub language: String,
    pub portal_access: bool,
}

pub(crate) const CONTACT_COLUMNS: &str =
    "id, organization_id, name, email, phone, roles, language, portal_access";

impl ContactRow {
    pub fn into_contact(self) -> Result<Contact> {
        let phone = match self.phone.as_deref() {
            None | Some("") => None,
            Some(p) => Some(corrupt("phone", PhoneNumber::parse(p))?),
        };
        let roles = split_list(&self.roles)
            .map(|r| corrupt("contact role", ContactRole::parse(r)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Contact {
            id: ContactId(self.id),
            organization: OrganizationId(self.organization_id),
            details: ContactDetails {
                name: self.name,
                email: corrupt("contact e-mail", EmailAddress::parse(&self.email))?,
                phone,
                roles,
                language: corrupt("language", Language::parse(&self.language))?,
                portal_access: self.portal_access,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContractRow {
    pub id: i64,
    pub organization_id: i64,
    pub reference: String,
    pub signed_on: Option<String>,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

pub(crate) const CONTRACT_COLUMNS: &str =
    "id, organization_id, reference, signed_on, starts_on, ends_on";

#[derive(sqlx::FromRow)]
pub(crate) struct ProductLineRow {
    pub contract_id: i64,
    pub product_code: String,
    pub quantity: i64,
    pub site: Option<String>,
}

fn date(what: &str, s: &str) -> Result<Date> {
    corrupt(what, s.parse::<Date>())
}

impl ContractRow {
    pub fn into_contract(self, lines: Vec<ProductLineRow>) -> Result<Contract> {
        let lines = lines
            .into_iter()
            .map(|l| {
                Ok(ProductLine {
                    product: corrupt("product code", ProductCode::parse(&l.product_code))?,
                    quantity: corrupt("quantity", u32::try_from(l.quantity))?,
                    site: match l.site.as_deref() {
                        None | Some("") => None,
                        Some(s) => Some(corrupt("site", Site::parse(s))?),
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Contract {
            id: ContractId(self.id),
            organization: OrganizationId(self.organization_id),
            details: ContractDetails {
                reference: self.reference,
                signed_on: self
                    .signed_on
                    .as_deref()
                    .map(|d| date("signed_on", d))
                    .transpose()?,
                starts_on: date("starts_on", &self.starts_on)?,
                ends_on: self
                    .ends_on
                    .as_deref()
                    .map(|d| date("ends_on", d))
                    .transpose()?,
                lines,
            },
        })
    }
}
