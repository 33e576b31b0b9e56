//! SLA clocks: a pure function of a ticket's history, a policy (its targets) and a business
//! calendar — so a clock can be replayed for any past ticket, and re-derived when a policy
//! or calendar changes.
//!
//! The rules, in words:
//! - The clock starts when the ticket is created and runs in business time.
//! - It pauses while the ticket waits on the customer (a pause status, `stalled` by default);
//!   paused time is credited: due times move later by exactly the paused business time.
//! - It does not run while the ticket is resolved, rejected or deleted; a reopened ticket
//!   continues from where it stopped (no second escalation for the same time).
//! - First response is met by the first reply from someone who is not a requestor.
//! - Next response runs from each requestor message until the next reply to them.
//! - Resolution is met when the ticket is resolved (and unmet again if it is reopened).
//! - Targets follow the ticket's current priority class.
//!
//! Submodules: `policy` (classes, targets, policies and their form), `clock` (a ticket's clock
//! from its history) and `alerts` (the warnings and breaches a clock calls for).

mod alerts;
mod clock;
mod policy;

pub use alerts::{Alert, AlertKind, alerts};
pub use clock::{Clock, TargetKind, TargetState, clock};
pub use policy::{CLASSES, Policy, PolicyForm, PriorityClass, TARGETS, Targets};
