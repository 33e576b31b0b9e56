//! The service manager's workspace: quarterly operations meetings (`meetings`: which quarters
//! have one, the state of each, bookings and action items) and the roadmap register
//! (`roadmap`: items, their states and the demand across customers), and what an
//! invitation says in each language (`words`).

pub mod meetings;
pub mod roadmap;
pub mod words;
