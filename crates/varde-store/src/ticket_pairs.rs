//! Changes that touch two tickets at once (a merge, a link recorded on both): one database
//! transaction, so the pair changes whole or not at all. On PostgreSQL both rows are locked,
//! lower id first, so two such changes never wait on each other in a circle.

use jiff::Timestamp;
use varde_core::ticket::history::{Change, Transaction, apply};
use varde_core::ticket::{Ticket, TicketId};

use crate::change_codec::encode;

use crate::tickets::{TICKET_COLUMNS, TicketError, TicketRow, append, load_ticket, save_ticket};
use crate::{Store, StoreError, micros, write_pool};

/// What a pair's plan gives: the changes for the first ticket and for the second.
pub type PairChanges = (Vec<Change>, Vec<Change>);

impl Store {
    /// Changes tickets `a` and `b` together. `plan` sees both as they are inside the
    /// transaction and gives each one's changes (or a refusal, and nothing changes); the
    /// transactions are appended and both state rows rewritten before one commit.
    pub async fn change_ticket_pair<F>(
        &self,
        a: TicketId,
        b: TicketId,
        creator: &str,
        plan: F,
        now: Timestamp,
    ) -> Result<(Ticket, Ticket), TicketError>
    where
        F: FnOnce(&Ticket, &Ticket) -> Result<PairChanges, String>,
    {
        if a == b {
            return Err(TicketError::Refused(format!(
                "ticket {a} cannot be paired with itself"
            )));
        }
        let lock = self.row_lock();
        let (low, high) = if a.0 < b.0 { (a, b) } else { (b, a) };
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let first: Option<Ticket> = load_ticket!(tx, low.0, lock);
            let second: Option<Ticket> = load_ticket!(tx, high.0, lock);
            let (Some(first), Some(second)) = (first, second) else {
                return Err(TicketError::Store(StoreError::NotFound));
            };
            let (mut ta, mut tb) = if low == a { (first, second) } else { (second, first) };
            let (for_a, for_b) = plan(&ta, &tb).map_err(TicketError::Refused)?;
            for (t, changes) in [(&mut ta, for_a), (&mut tb, for_b)] {
                if changes.is_empty() {
                    continue;
                }
                for change in changes {
                    let txid = append!(tx, t.id.0, now, creator, 0i64, &change);
                    let transaction = Transaction { id: txid, ticket: t.id, at: now, creator: creator.to_string(), time_taken: 0, change };
                    apply(t, &transaction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                }
                save_ticket!(tx, &*t);
            }
            tx.commit().await?;
            Ok((ta, tb))
        })
    }
}
