//! Ticket statuses and RT's default lifecycle.

use crate::vocabulary;

vocabulary!(
    /// RT's default lifecycle statuses.
    Status, "status" {
        New => "new", "New";
        Open => "open", "Open";
        Stalled => "stalled", "Stalled";
        Resolved => "resolved", "Resolved";
        Rejected => "rejected", "Rejected";
        Deleted => "deleted", "Deleted";
    }
);

impl Status {
    /// `new`: nobody has worked on it yet.
    pub fn is_initial(self) -> bool {
        self == Status::New
    }

    /// `new`, `open` and `stalled`: RT's `__Active__`.
    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Stalled)
    }

    /// `resolved`, `rejected` and `deleted`: RT's `__Inactive__`.
    pub fn is_inactive(self) -> bool {
        !self.is_active()
    }

    /// The statuses a ticket may be created in.
    pub fn may_create_in(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Resolved)
    }

    /// Whether RT's default lifecycle allows the move: it lets every status move to every
    /// other one; staying put is not a move.
    pub fn may_become(self, to: Status) -> bool {
        self != to
    }

    /// The status a correspondence moves the ticket to, if any: RT's "Open Inactive Tickets"
    /// scrip reopens a resolved, rejected or deleted ticket, and a reply moves a new one to
    /// open. A stalled ticket that gets a reply is open again: the customer answered.
    pub fn on_correspond(self) -> Option<Status> {
        match self {
            Status::Open => None,
            _ => Some(Status::Open),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_and_inactive_partition_the_statuses() {
        for s in Status::ALL {
            assert_ne!(s.is_active(), s.is_inactive(), "{s}");
        }
        let active: Vec<&str> = Status::ALL
            .iter()
            .filter(|s| s.is_active())
            .map(|s| s.code())
            .collect();
        assert_eq!(active, ["new", "open", "stalled"]);
    }

    #[test]
    fn replies_open_tickets() {
        assert_eq!(Status::New.on_correspond(), Some(Status::Open));
        assert_eq!(Status::Resolved.on_correspond(), Some(Status::Open));
        assert_eq!(Status::Stalled.on_correspond(), Some(Status::Open));
        assert_eq!(Status::Open.on_correspond(), None);
    }

    #[test]
    fn tickets_are_created_new_open_or_resolved() {
        let allowed: Vec<&str> = Status::ALL
            .iter()
            .filter(|s| s.may_create_in())
            .map(|s| s.code())
            .collect();
        assert_eq!(allowed, ["new", "open", "resolved"]);
    }
}
