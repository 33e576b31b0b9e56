//! The console's "breached" and "breaching soon" lists (`App::sla_list`), read off the board of
//! clocks, agree with every running ticket's clock read afresh from its history: as time
//! passes with nothing changed, right after tickets change (before any round of the SLA
//! watch), after a round, after a contract changes a tier, and with more running tickets than
//! the 2,000 the lists once read. SQLite always, PostgreSQL when `VARDE_TEST_PG_URL` is set.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};
use varde_app::sla::{DUE_SOON, SlaList, due, sla_at};
use varde_app::{App, AppError};
use varde_core::access::{Actor, StaffRole, TokenScope};
use varde_core::ids::UserId;
use varde_core::ticket::history::{Creation, TicketField, correspond, set_field, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{Ticket, TicketId};
use varde_store::Store;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn agent() -> Actor {
    Actor::Staff {
        user: UserId(0),
        role: StaffRole::Agent,
        scope: TokenScope::Write,
    }
}

/// An app whose clock the test moves.
fn app(store: &Store, start: Timestamp) -> (App, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(start.as_microsecond()));
    let n = now.clone();
    let clock: varde_app::Clock =
        Arc::new(move || Timestamp::from_microsecond(n.load(Ordering::SeqCst)).unwrap());
    (App::new(store.clone(), clock), now)
}

fn set(now: &AtomicI64, t: Timestamp) {
    now.store(t.as_microsecond(), Ordering::SeqCst);
}

/// Both lists as the board gives them.
async fn lists(app: &App) -> (BTreeSet<i64>, BTreeSet<i64>) {
    let mut out = vec![];
    for list in [SlaList::Breached, SlaList::DueSoon] {
        let page = app.sla_list(&agent(), list, 0, usize::MAX).await.unwrap();
        assert_eq!(page.total, page.tickets.len());
        let dues: Vec<_> = page
            .tickets
            .iter()
            .map(|t| due(t, page.slas.get(&t.id)))
            .collect();
        assert!(dues.is_sorted(), "earliest due first: {dues:?}");
        out.push(page.tickets.iter().map(|t| t.id.0).collect());
    }
    (out.remove(0), out.remove(0))
}

/// Both lists from every running ticket's history, read now.
async fn afresh(store: &Store, now: Timestamp) -> (BTreeSet<i64>, BTreeSet<i64>) {
    let tickets = store
        .tickets(&store.running_tickets().await.unwrap())
        .await
        .unwrap();
    let slas = sla_at(store, &tickets, now).await.unwrap();
    let (mut breached, mut soon) = (BTreeSet::new(), BTreeSet::new());
    for t in &tickets {
        let sla = slas.get(&t.id);
        let clock = sla.and_then(|s| s.clock.as_ref());
        if clock.is_some_and(|c| c.breached()) {
            breached.insert(t.id.0);
        } else if (t.due.is_some() || !clock.is_some_and(|c| c.paused))
            && due(t, sla).is_some_and(|d| d <= now + DUE_SOON)
        {
            soon.insert(t.id.0);
        }
    }
    (breached, soon)
}

async fn agree(app: &App, store: &Store, what: &str) -> (BTreeSet<i64>, BTreeSet<i64>) {
    let board = lists(app).await;
    assert_eq!(
        board,
        afresh(store, app.now()).await,
        "{what} at {}",
        app.now()
    );
    board
}

async fn open(store: &Store, subject: &str, priority: i64, when: Timestamp) -> Ticket {
    let creation = Creation {
        priority,
        ..Creation::requested("General", subject, "carol@customer.example")
    };
    store
        .create_ticket("carol@customer.example", creation, &[], 0, when)
        .await
        .unwrap()
}

async fn change(store: &Store, id: TicketId, to: Option<Status>, when: Timestamp) {
    store
        .change_ticket(
            id,
            "agent@example.com",
            |t| Ok(to.map_or_else(|| correspond(t), |s| set_status(t, s))),
            &[],
            0,
            when,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_sla_lists_agree_with_every_clock_read_afresh() {
    let dir = tempfile::tempdir().unwrap();
    for store in varde_store::testing::each_engine(dir.path()).await.unwrap() {
        let start = at("2026-11-02T09:00:00Z");
        // Opened every 40 minutes over three days, at every priority; some answered, some
        // waiting on the customer, some resolved.
        let mut tickets = vec![];
        for i in 0..100i64 {
            let when = start - SignedDuration::from_mins(40 * (i + 1));
            let t = open(
                &store,
                &format!("Ticket {i}"),
                [95, 70, 40, 10][(i % 4) as usize],
                when,
            )
            .await;
            let step = match i % 5 {
                1 => Some((None, 20)),
                2 => Some((Some(Status::Stalled), 5)),
                3 if i % 3 == 0 => Some((Some(Status::Resolved), 90)),
                _ => None,
            };
            if let Some((to, after)) = step {
                change(&store, t.id, to, when + SignedDuration::from_mins(after)).await;
            }
            tickets.push(t.id);
        }
        let (app, now) = app(&store, start);
        let (breached, soon) = agree(&app, &store, "the first reading").await;
        assert!(
            !breached.is_empty() && !soon.is_empty(),
            "{breached:?} {soon:?}"
        );
        // Time passes, nothing changes: what was due soon becomes breached.
        for later in [1, 30, 119, 121, 600, 60 * 24] {
            set(&now, start + SignedDuration::from_mins(later));
            agree(&app, &store, "time passing").await;
        }
        // Changes after the board was read, before any round: answered, resolved, waiting,
        // and new tickets.
        let t1 = start + SignedDuration::from_hours(25);
        set(&now, t1);
        let (breached, _) = lists(&app).await;
        let first = TicketId(*breached.first().unwrap());
        change(&store, first, Some(Status::Resolved), t1).await;
        change(&store, tickets[4], None, t1).await;
        change(&store, tickets[9], Some(Status::Stalled), t1).await;
        let fresh = open(&store, "Just now, urgent", 95, t1).await;
        // Waiting on the customer, but with a Due set by hand within the hour.
        let due_by_hand = (t1 + SignedDuration::from_hours(1)).to_string();
        store
            .change_ticket(
                tickets[7],
                "agent@example.com",
                |t| {
                    Ok(set_field(t, TicketField::Due, due_by_hand)
                        .into_iter()
                        .collect())
                },
                &[],
                0,
                t1,
            )
            .await
            .unwrap();
        let (breached, soon) = agree(&app, &store, "right after changes").await;
        assert!(!breached.contains(&first.0) && soon.contains(&fresh.id.0));
        assert!(soon.contains(&tickets[7].0) || breached.contains(&tickets[7].0));
        // A round (as the SLA watch makes every minute), then more time.
        app.clocks().round(&store, t1, |_| t1).await.unwrap();
        set(&now, t1 + SignedDuration::from_hours(3));
        let (breached, _) = agree(&app, &store, "after a round").await;
        assert!(breached.contains(&fresh.id.0), "not answered in time");
        // A contract makes a customer premium: its tickets are held to other targets.
        let org =
            varde_store::testing::customer_of_tier(&store, "Big AB", "SUPPORT-premium", start)
                .await
                .unwrap();
        let mut c = Creation::requested("General", "Premium", "ola@big.example");
        c.organization = Some(org);
        c.priority = 70;
        store
            .create_ticket(
                "ola@big.example",
                c,
                &[],
                0,
                app.now() - SignedDuration::from_mins(50),
            )
            .await
            .unwrap();
        agree(&app, &store, "after a new contract").await;
        // Only staff read every ticket's clock.
        let customer = Actor::Customer {
            user: UserId(9),
            organization: org,
            scope: TokenScope::Write,
            tickets: varde_core::access::TicketRights::default(),
        };
        assert!(matches!(
            app.sla_list(&customer, SlaList::Breached, 0, 50).await,
            Err(AppError::Forbidden | AppError::NotFound)
        ));
    }
}

/// The lists once read only the 2,000 most recently changed running tickets, so a ticket
/// breached long ago and untouched since fell out of "breached".
#[tokio::test]
async fn a_ticket_breached_long_ago_is_on_the_list_among_thousands() {
    let dir = tempfile::tempdir().unwrap();
    let store = varde_store::testing::each_engine(dir.path())
        .await
        .unwrap()
        .remove(0);
    // 7,000 tickets (2,450 running) changed from 2024 on, then one from January 2024 that
    // nobody answered.
    varde_store::testing::bulk_tickets(&store, 7_000)
        .await
        .unwrap();
    let forgotten = open(&store, "Forgotten", 50, at("2024-01-05T10:00:00Z")).await;
    let (app, _) = app(&store, at("2026-11-02T09:00:00Z"));
    let page = app
        .sla_list(&agent(), SlaList::Breached, 0, 50)
        .await
        .unwrap();
    assert!(
        page.tickets.iter().any(|t| t.id == forgotten.id),
        "{}",
        page.total
    );
    assert!(store.running_tickets().await.unwrap().len() > 2_000);
}
