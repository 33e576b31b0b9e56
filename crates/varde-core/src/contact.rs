//! Contacts: the people at an organisation, and what they are to the provider.

use crate::customer::{or_default, split_list};
use crate::form::FieldErrors;
use crate::ids::{ContactId, OrganizationId};
use crate::values::{EmailAddress, Language, PhoneNumber};
use crate::vocabulary;

vocabulary!(
    /// What a contact is to the provider; a contact may have several roles.
    ContactRole, "contact role" {
        Primary => "primary", "Primary";
        Technical => "technical", "Technical";
        Billing => "billing", "Billing";
        Security => "security", "Security";
    }
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub organization: OrganizationId,
    pub details: ContactDetails,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactDetails {
    pub name: String,
    pub email: EmailAddress,
    pub phone: Option<PhoneNumber>,
    pub roles: Vec<ContactRole>,
    pub language: Language,
    pub portal_access: bool,
}

impl ContactDetails {
    pub fn roles_text(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("email", self.email.to_string()),
            (
                "phone",
                self.phone
                    .as_ref()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("roles", self.roles_text()),
            ("language", self.language.code().to_string()),
            ("portal_access", self.portal_access.to_string()),
        ]
    }
}

/// A contact as typed: all text. An empty language takes `fallback_language` (the
/// organisation's preferred language).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub roles: String,
    pub language: String,
    pub portal_access: bool,
}

impl ContactForm {
    pub fn from_details(d: &ContactDetails) -> ContactForm {
        ContactForm {
            name: d.name.clone(),
            email: d.email.to_string(),
            phone: d
                .phone
                .as_ref()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            roles: d.roles_text(),
            language: d.language.code().into(),
            portal_access: d.portal_access,
        }
    }

    pub fn parse(&self, fallback_language: Language) -> Result<ContactDetails, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "a name is required");
        } else if name.chars().count() > 200 {
            errors.add("name", "a name has at most 200 characters");
        }
        let email = errors.take("email", EmailAddress::parse(&self.email));
        let phone = if self.phone.trim().is_empty() {
            None
        } else {
            errors.take("phone", PhoneNumber::parse(&self.phone))
        };
        let mut roles = Vec::new();
        for raw in split_list(&self.roles) {
            if let Some(r) = errors.take("roles", ContactRole::parse(raw))
                && !roles.contains(&r)
            {
                roles.push(r);
            }
        }
        roles.sort();
        let language = or_default(
            &self.language,
            fallback_language,
            Language::parse,
            "language",
            &mut errors,
        );
        match (email, errors.is_empty()) {
            (Some(email), true) => Ok(ContactDetails {
                name: name.to_string(),
                email,
                phone,
                roles,
                language,
                portal_access: self.portal_access,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_parses_and_sorts_roles() {
        let f = ContactForm {
            name: "Ingrid Nilsen".into(),
            email: "ingrid@sikt.no".into(),
            phone: "+47 22 12 34 56".into(),
            roles: "technical, primary technical".into(),
            language: "".into(),
            portal_access: true,
        };
        let d = f.parse(Language::NorwegianBokmal).unwrap();
        assert_eq!(d.roles, [ContactRole::Primary, ContactRole::Technical]);
        assert_eq!(d.language, Language::NorwegianBokmal);
        assert_eq!(d.phone.unwrap().as_str(), "+4722123456");
    }

    #[test]
    fn contact_errors_name_their_fields() {
        let f = ContactForm {
            email: "nope".into(),
            phone: "555".into(),
            roles: "ceo".into(),
            ..Default::default()
        };
        let e = f.parse(Language::English).unwrap_err();
        for field in ["name", "email", "phone", "roles"] {
            assert!(e.get(field).is_some(), "{field} not reported");
        }
    }
}
