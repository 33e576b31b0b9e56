//! The service manager's workspace: customer health (`health`), quarterly meetings (`meetings`: the plan, booking with
//! invitations, minutes, action items), a meeting's agenda pack (`pack`) and the roadmap
//! register (`roadmap`).

pub mod health;
pub mod meetings;
pub mod pack;
pub mod roadmap;
