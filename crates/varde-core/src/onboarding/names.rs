//! The names Varde gives a customer's objects in OpenStack. They derive from the
//! organisation's id, which never changes, so a renamed customer keeps its domain; the
//! organisation's name goes in the description. The prefix (`varde` unless configured)
//! keeps installations that share a Keystone apart.

use crate::ids::OrganizationId;

/// The Keystone domain: `<prefix>-<organisation id>`.
pub fn domain(prefix: &str, org: OrganizationId) -> String {
    format!("{prefix}-{}", org.0)
}

/// The first project in that domain: `<domain>-prod`.
pub fn project(prefix: &str, org: OrganizationId) -> String {
    format!("{}-prod", domain(prefix, org))
}

/// A technical contact's Keystone user: their e-mail address, lower-cased.
pub fn user(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Each user's application credential.
pub const APPLICATION_CREDENTIAL: &str = "varde-onboarding";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::names;

    #[test]
    fn names_follow_the_organisation_id() {
        assert_eq!(names::domain("varde", OrganizationId(42)), "varde-42");
        assert_eq!(names::project("varde", OrganizationId(42)), "varde-42-prod");
        assert_eq!(names::user(" Ops@Example.SE "), "ops@example.se");
    }
}
