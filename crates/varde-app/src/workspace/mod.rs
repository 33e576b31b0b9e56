//! The service manager's workspace: customer health (`health`), quarterly meetings
//! (`meetings`: the plan, booking with invitations, minutes, action items), a meeting's
//! agenda pack (`pack`), the roadmap register (`roadmap`) and satisfaction ratings of
//! resolved tickets (`ratings`), and what changed for a service manager's customers since
//! they last looked (`changes`).

pub mod changes;
pub mod health;
pub mod meetings;
pub mod pack;
pub mod ratings;
pub mod roadmap;
