//! Every running ticket's SLA clock, kept between reads: the board the SLA watch brings up to
//! date each round and the console's "breached" and "breaching soon" views read.
//!
//! A clock changes only when its ticket does (every change stamps `last_updated_at`), when a
//! contract or policy version changes, or when the office's day turns. So what a clock said
//! when it was read ([`Mark`]) still answers at any later moment while none of that happened:
//! a running clock is breached once the moment it named has passed
//! ([`Clock::breaches_after`]). A reader takes the board, reads afresh only the tickets
//! changed since the board's last round, and never replays the histories of the rest.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use varde_core::sla::Clock;
use varde_core::ticket::{Ticket, TicketId};
use varde_store::{Store, StoreError};

use super::{TicketSla, due, sla_at};

/// Readers read afresh what changed since the round before the last, less this: a write's
/// time is taken before it commits (it may wait for the database), and nodes' clocks differ a
/// little, so a change stamped up to a round and this much before the last round's read is
/// still seen. (An import from RT stamps RT's own times: such tickets are on the lists from
/// the next round, within a minute.)
const SETTLE: SignedDuration = SignedDuration::from_secs(30);

/// What a ticket's clock said when it was read, which stays true while the ticket is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// RT's `Due` when read (a `Due` set by hand, else the earliest deadline not yet met).
    pub due: Option<Timestamp>,
    /// Waiting on the customer with no `Due` set by hand: the clock stands still, so nothing
    /// can fall due.
    pub paused: bool,
    /// A target not yet met was already missed.
    pub breached: bool,
    /// After this moment a target is missed ([`Clock::breaches_after`]).
    pub breaches_after: Option<Timestamp>,
}

impl Mark {
    /// The mark of a ticket's SLA as read (none when its policy sets no target).
    pub fn of(t: &Ticket, sla: Option<&TicketSla>, read_at: Timestamp) -> Mark {
        let clock = sla.and_then(|s| s.clock.as_ref());
        Mark {
            due: due(t, sla),
            paused: clock.is_some_and(|c| c.paused) && t.due.is_none(),
            breached: clock.is_some_and(Clock::breached),
            breaches_after: sla.and_then(|s| {
                s.clock
                    .as_ref()?
                    .breaches_after(&s.policy.calendar(), read_at)
            }),
        }
    }

    /// Whether a target not yet met is missed at `now`.
    pub fn breached_at(&self, now: Timestamp) -> bool {
        self.breached || self.breaches_after.is_some_and(|b| b < now)
    }

    /// Not missed at `now`, running, and due by `until`.
    pub fn due_by(&self, now: Timestamp, until: Timestamp) -> bool {
        !self.paused && !self.breached_at(now) && self.due.is_some_and(|d| d <= until)
    }
}

#[derive(Clone, Copy)]
struct Entry {
    /// The ticket's `last_updated_at` (micros) when its clock was read.
    changed: i64,
    /// When the SLA watch wants it read again although unchanged (a warning share reached).
    recheck: Timestamp,
    mark: Mark,
}

#[derive(Default)]
struct Board {
    /// The office's day and `Store::sla_inputs_stamp` the marks were read under.
    stamp: String,
    /// Every running ticket changed before this moment is on the board; none until a first
    /// whole round.
    through: Option<Timestamp>,
    /// The round's before that: readers read afresh what changed since it, so a change
    /// stamped before a round but committed after the round read is still seen.
    previous: Option<Timestamp>,
    tickets: HashMap<TicketId, Entry>,
}

/// The board, shared by the SLA watch and every reader of one node (cheap to clone).
#[derive(Clone, Default)]
pub struct Clocks {
    board: Arc<Mutex<Board>>,
    /// One round at a time.
    round: Arc<tokio::sync::Mutex<()>>,
}

impl Clocks {
    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A round at `now`: reads which tickets run, the clocks of those that are new, changed
    /// or at their `recheck` moment (as `recheck` says from each clock read), keeps their
    /// marks and forgets tickets that stopped running. Everything is read when the office's
    /// day, a contract or a policy version changed. Gives the tickets whose clocks it read,
    /// with their SLA.
    pub async fn round(
        &self,
        store: &Store,
        now: Timestamp,
        recheck: impl Fn(Option<&Clock>) -> Timestamp,
    ) -> Result<Vec<(Ticket, Option<TicketSla>)>, StoreError> {
        let _one = self.round.lock().await;
        let stamp = stamp(store, now).await?;
        let running = store.running_tickets_changed().await?;
        // Readers keep the board as it is until this round's is whole: a new day, contract
        // or policy version reads every clock into a new one.
        let fresh = self.board().stamp != stamp;
        let ids: Vec<TicketId> = {
            let b = self.board();
            running
                .iter()
                .filter(|(id, changed)| match b.tickets.get(id).filter(|_| !fresh) {
                    Some(e) => e.changed != *changed || e.recheck <= now,
                    None => true,
                })
                .map(|(id, _)| *id)
                .collect()
        };
        let changed: HashMap<TicketId, i64> = running.into_iter().collect();
        let tickets = store.tickets(&ids).await?;
        let mut slas = sla_at(store, &tickets, now).await?;
        let mut read = Vec::with_capacity(tickets.len());
        let mut entries = HashMap::with_capacity(tickets.len());
        for t in tickets {
            let sla = slas.remove(&t.id);
            let entry = Entry {
                changed: changed.get(&t.id).copied().unwrap_or_default(),
                recheck: recheck(sla.as_ref().and_then(|s| s.clock.as_ref())),
                mark: Mark::of(&t, sla.as_ref(), now),
            };
            entries.insert(t.id, entry);
            read.push((t, sla));
        }
        let mut b = self.board();
        if fresh {
            b.tickets = entries;
            b.stamp = stamp;
            b.previous = None;
        } else {
            b.tickets.retain(|id, _| changed.contains_key(id));
            b.tickets.extend(entries);
            b.previous = b.through;
        }
        b.through = Some(now);
        Ok(read)
    }

    /// Every running ticket's mark at the app's `now`: the board's, and afresh for tickets
    /// changed since its round (those no longer running left out). Without a board for the
    /// current day, contracts and policies, a round is made first (it reads every clock).
    pub async fn sighting(
        &self,
        store: &Store,
        now: Timestamp,
    ) -> Result<Vec<(TicketId, Mark)>, StoreError> {
        let stamp = stamp(store, now).await?;
        let current = |b: &Board| {
            b.through
                .filter(|_| b.stamp == stamp)
                .map(|t| b.previous.unwrap_or(t))
        };
        let known = current(&self.board());
        let since = match known {
            Some(t) => t,
            None => {
                // The watch reads these again at its next round, to decide on alerts.
                self.round(store, now, |_| now).await?;
                current(&self.board()).unwrap_or(now)
            }
        };
        let since = since.checked_sub(SETTLE).unwrap_or(since);
        let changed = store.tickets_changed_since(since).await?;
        // Read afresh: what runs and is not on the board as it is now.
        let fresh: Vec<TicketId> = {
            let b = self.board();
            changed
                .iter()
                .filter(|(id, at, running)| {
                    *running && b.tickets.get(id).is_none_or(|e| e.changed != *at)
                })
                .map(|(id, _, _)| *id)
                .collect()
        };
        let tickets = store.tickets(&fresh).await?;
        let slas = sla_at(store, &tickets, now).await?;
        let skip: HashSet<TicketId> = changed
            .iter()
            .filter(|(_, _, running)| !running)
            .map(|(id, _, _)| *id)
            .chain(fresh.iter().copied())
            .collect();
        let mut marks: Vec<(TicketId, Mark)> = self
            .board()
            .tickets
            .iter()
            .filter(|(id, _)| !skip.contains(id))
            .map(|(id, e)| (*id, e.mark))
            .collect();
        marks.extend(
            tickets
                .iter()
                .map(|t| (t.id, Mark::of(t, slas.get(&t.id), now))),
        );
        Ok(marks)
    }
}

/// The office's day and what else decides every clock's policy.
async fn stamp(store: &Store, now: Timestamp) -> Result<String, StoreError> {
    let today = now.to_zoned(crate::office_zone()).date();
    Ok(format!("{today}/{}", store.sla_inputs_stamp().await?))
}
