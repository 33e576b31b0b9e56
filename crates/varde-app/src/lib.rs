//! Varde's application layer: the use cases, between the front-ends (console, `/api/v1`,
//! REST 1.0, REST2, the mail gateway, the CLI, the workers) and the domain (`varde-core`)
//! and store (`varde-store`). A use case is a function of [`App`] taking the acting
//! [`Actor`](varde_core::access::Actor) and its input; it authorises once through
//! `varde_core::access::can`, loads once and writes once, and answers with an [`AppError`]
//! that each front-end turns into its own wire format in one place.
//!
//! Layout:
//! - `access`: [`authorize`], the one way a use case asks `can`, and [`Acting`], who does it.
//! - [`accounts`]: accounts and API tokens, passwords (argon2id) and random secrets.
//! - [`customers`]: the customer database — organisations, contacts, contracts, roadmap
//!   feedback, entitlements and the audit history.
//! - [`import_rt`]: `varde import-rt`, a Request Tracker database's history with its ticket numbers.
//! - [`mail`]: mail in (the gateway, `varde mailgate`, LMTP): parse, thread, store, answer as RT.
//! - [`onboarding`]: runs as people work them — the board, a run, acting on a step,
//!   starting an offboarding.
//! - [`portal`]: the customer portal — the contact, its language and zone, its
//!   organisation's tickets, closing and reopening.
//! - [`queues`]: queues and their custom fields.
//! - [`report`]: the quarterly operations report of an organisation, and of all for the
//!   portfolio.
//! - [`searches`]: the ticket searches a person keeps by name.
//! - [`sla`]: a ticket's SLA (tier, policy version, live clock), one way for every reader.
//! - [`status`]: status posts — incidents, maintenance, their updates and linked tickets,
//!   the page's components.
//! - [`tickets`]: tickets — the one way to load one for an actor, open, respond, update,
//!   merge, link, the SLA due time.
//! - [`workspace`]: the service manager's quarterly meetings, agenda packs, action items and
//!   the roadmap register.
//!
//! **Architecture Invariant:** no HTTP, JSON or wire format here; no SQL (that is the
//! store's); the clock is the one in [`App`].

use std::sync::Arc;

use jiff::Timestamp;
use varde_core::form::FieldErrors;
use varde_store::{Store, StoreError};

pub mod accounts;
pub mod colleagues;
pub mod customers;
pub mod import_rt;
pub mod macros;
pub mod mail;
pub mod neighbourhood;
pub mod onboarding;
pub mod portal;
pub mod queues;
pub mod report;
pub mod searches;
pub mod sla;
pub mod status;
pub mod tickets;
pub mod workspace;

pub use access::{Acting, authorize};

mod access;

/// Where the time comes from: the system clock in production, a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The application: the store and the clock every use case works with.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    clock: Clock,
    /// Quarterly reports made in the last minute, while their inputs have not changed.
    reports: report::Reports,
    /// Every running ticket's SLA clock as last read (the SLA views read it).
    clocks: sla::Clocks,
}

impl App {
    pub fn new(store: Store, clock: Clock) -> App {
        App {
            store,
            clock,
            reports: report::Reports::default(),
            clocks: sla::Clocks::default(),
        }
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The provider's office time zone: whose day decides which contracts are in force.
    pub fn office_zone(&self) -> jiff::tz::TimeZone {
        office_zone()
    }
}

/// The provider's office time zone (Stockholm), for workers without an [`App`] too.
pub fn office_zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Why a use case did not happen, in terms every front-end can answer in its own format.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nobody is logged in, and the use case needs someone.
    #[error("not logged in")]
    Unauthenticated,
    /// Nothing of that id, or nothing the actor may see (the same answer, so ids reveal
    /// nothing).
    #[error("not found")]
    NotFound,
    /// The actor may see it but not do this.
    #[error("not allowed")]
    Forbidden,
    /// The input is wrong, field by field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A rule of the domain refuses it (a merge across organisations, a queue that does not
    /// exist); the message says why, for a person.
    #[error("{0}")]
    Refused(String),
    /// It clashes with what is stored (a unique e-mail, a Message-ID already delivered).
    #[error("conflict")]
    Conflict(FieldErrors),
    /// The database could not be reached; the caller may try again.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Something that should not happen (stored data that no longer parses).
    #[error("internal: {0}")]
    Internal(String),
}

impl From<varde_store::tickets::TicketError> for AppError {
    fn from(e: varde_store::tickets::TicketError) -> AppError {
        match e {
            varde_store::tickets::TicketError::Refused(m) => AppError::Refused(m),
            varde_store::tickets::TicketError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(f) => AppError::Conflict(f),
            StoreError::Unavailable(e) => AppError::Unavailable(e.to_string()),
            StoreError::Migration(e) => AppError::Internal(e.to_string()),
            StoreError::Corrupt(m) => AppError::Internal(m),
            StoreError::Refused(m) => AppError::Refused(m),
        }
    }
}
