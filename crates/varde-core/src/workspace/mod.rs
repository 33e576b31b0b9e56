//! The service manager's workspace: customer health (`health`: the score, its parts and
//! weights), quarterly operations meetings (`meetings`: which quarters
//! have one, the state of each, bookings and action items) and the roadmap register
//! (`roadmap`: items, their states and the demand across customers), and what an
//! invitation says in each language (`words`), and what changed for a customer since its
//! service manager last looked (`changes`).

pub mod changes;
pub mod health;
pub mod meetings;
pub mod roadmap;
pub mod words;
