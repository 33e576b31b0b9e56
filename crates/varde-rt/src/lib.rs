//! Request Tracker compatibility, as pure functions: the TicketSQL parser, the REST 1.0
//! text format, the request bodies RT's clients send (`form`) and its user and queue records
//! (`records`). The HTTP routes that use them live in `varde-web`.
//!
//! **Architecture Invariant:** nothing here does I/O; every function is input → output, tested
//! with data-driven cases taken from the real RT's behaviour (`../shared/rt/wire/`).

pub mod describe;
pub mod form;
pub mod fuzz;
pub mod json_query;
pub mod records;
pub mod rest1;
pub mod ticketsql;
pub mod transaction_sql;
