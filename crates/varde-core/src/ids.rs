//! Typed identifiers, so an organisation id cannot be passed where a contact id is meant.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An organisation (customer) in the customer database.
    OrganizationId
);
id_type!(
    /// A person at an organisation.
    ContactId
);
id_type!(
    /// A signed (or draft) contract.
    ContractId
);
id_type!(
    /// A login account, staff or customer contact.
    UserId
);
