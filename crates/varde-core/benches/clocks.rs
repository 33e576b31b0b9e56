//! Re-deriving SLA clocks after a calendar change: 1,000,000 ticket histories over three years
//! (create, answer, wait on the customer, their reply, resolve), the newest 5 % still open,
//! replayed against the Stockholm office-hours calendar, one after another. This is the pure
//! part of the work; reading histories from the store is measured in the report bench.
//!
//! `cargo bench -p varde-core --bench clocks`

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use varde_core::calendar::named;
use varde_core::catalogue::SupportTier;
use varde_core::sla::{Policy, alerts, clock};
use varde_core::ticket::TicketId;
use varde_core::ticket::history::{Change, Creation, Transaction};
use varde_core::ticket::lifecycle::Status;

const TICKETS: i64 = 1_000_000;

fn history(i: i64) -> Vec<Transaction> {
    let start: Timestamp = "2024-01-01T07:00:00Z".parse().unwrap();
    let at = start + SignedDuration::from_secs(i * 94); // three years of tickets
    let tx = |n: i64, after_mins: i64, who: &str, change: Change| Transaction {
        id: i * 10 + n,
        ticket: TicketId(i),
        at: at + SignedDuration::from_mins(after_mins),
        creator: who.into(),
        time_taken: 0,
        change,
    };
    let mut v = vec![tx(
        0,
        0,
        "carol@customer.example",
        Change::Create(Box::new(Creation {
            priority: [90, 60, 30, 10][(i % 4) as usize],
            ..Creation::requested("General", "", "carol@customer.example")
        })),
    )];
    v.push(tx(1, 20 + i % 300, "agent@example.com", Change::Correspond));
    v.push(tx(
        2,
        400,
        "agent@example.com",
        Change::Status {
            from: Status::Open,
            to: Status::Stalled,
        },
    ));
    v.push(tx(3, 2000, "carol@customer.example", Change::Correspond));
    // The customer's reply reopens the ticket, as the ticket service does.
    v.push(tx(
        5,
        2000,
        "RT_System",
        Change::Status {
            from: Status::Stalled,
            to: Status::Open,
        },
    ));
    // All but the newest 5 % are resolved (after about two days); the newest are still open.
    if i < TICKETS - TICKETS / 20 {
        v.push(tx(
            4,
            2600,
            "agent@example.com",
            Change::Status {
                from: Status::Open,
                to: Status::Resolved,
            },
        ));
    }
    v
}

fn main() {
    let calendar = named("Stockholm office hours").unwrap();
    let policy = Policy {
        calendar: calendar.name.clone(),
        ..Policy::example(SupportTier::Standard)
    };
    let now: Timestamp = "2027-01-10T12:00:00Z".parse().unwrap();
    let started = Instant::now();
    let (mut breached, mut warned) = (0u64, 0u64);
    for i in 0..TICKETS {
        let h = history(i);
        if let Some(c) = clock(&h, &policy, &calendar, now) {
            breached += c.targets.iter().filter(|t| t.breached).count() as u64;
            warned += alerts(&c, 0.8).len() as u64;
        }
    }
    let took = started.elapsed();
    println!(
        "{TICKETS} clocks re-derived on {} in {took:.2?}: {:.2} µs a ticket ({breached} breached targets, {warned} alerts)",
        calendar.name,
        took.as_secs_f64() * 1e6 / TICKETS as f64
    );
}
