//! The service manager's workspace: customer health (`health`: the score, its parts and
//! weights), quarterly operations meetings (`meetings`: which quarters
//! have one, the state of each, bookings and action items) and the roadmap register
//! (`roadmap`: items, their states and the demand across customers), and what an
//! invitation says in each language (`words`).

pub mod health;
pub mod meetings;
pub mod roadmap;
pub mod words;
