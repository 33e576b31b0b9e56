//! Varde's domain core: the facts the provider sells and the rules about who may see what.
//!
//! Layout:
//! - [`values`]: small parsed values (e-mail address, phone number, country, mail domain).
//! - [`customer`]: organisations and their vocabularies (sector, framework agreement, lifecycle).
//! - [`contact`]: people at an organisation and their roles.
//! - [`calendar`]: business calendars (hours in a time zone, holidays, DST-exact arithmetic).
//! - [`catalogue`]: the product codes the provider sells, and which ones are support tiers.
//! - [`contract`]: contracts and their product lines.
//! - [`sla`]: SLA policies and the clock, a pure function of history, policy and calendar.
//! - [`special_addresses`]: IANA's special-purpose address registries as data; `is_global`.
//! - [`status`]: the status page's vocabulary (Statuspage's), overall status, uptime, maintenance timing.
//! - [`entitlements`]: what an organisation is entitled to on a given day, derived from contracts.
//! - [`account`]: login accounts and the actor each acts as.
//! - [`access`]: the one authorisation function, `can(actor, action, resource)`.
//! - [`audit`]: field-by-field change records for the audit history.
//! - [`ticket`]: tickets, their lifecycle and their append-only history.
//! - [`mail_template`]: editable mail templates (the autoreply per language) and their placeholders.
//! - [`onboarding`]: onboarding and offboarding runs: templates, plans, step order, OpenStack names.
//! - [`form`]: field errors shared by API, console forms and CSV import.
//! - [`content_type`]: attachment content types, normalised on the way in, served by an allowlist.
//! - [`workspace`]: the service manager's quarterly meetings, action items and roadmap register.
//!
//! **Architecture Invariant:** nothing here performs I/O, reads the clock or draws random
//! numbers. Time is always a parameter.

pub mod access;
pub mod account;
pub mod api_tokens;
pub mod audit;
pub mod calendar;
pub mod catalogue;
pub mod contact;
pub mod content_type;
pub mod contract;
pub mod customer;
pub mod entitlements;
pub mod form;
pub mod ids;
pub mod limits;
pub mod links;
pub mod macros;
pub mod mail_template;
pub mod onboarding;
pub mod placeholders;
pub mod portal;
pub mod portal_settings;
pub mod presence;
pub mod report;
pub mod report_words;
pub mod sla;
pub mod special_addresses;
pub mod status;
pub mod ticket;
pub mod values;
pub mod vocab;
pub mod workspace;
