//! `varde import-rt` against an RT 5 database in RT's own schema (see `varde_store::rt_fixture`): the
//! tickets keep their numbers, their history replays to RT's state, attachments are decoded,
//! links, merges, watchers and custom fields arrive, users become staff or contacts, new
//! tickets are numbered after the highest, and a second run brings only what changed. On
//! SQLite always, and on PostgreSQL when `VARDE_TEST_PG_URL` is set.

use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use varde_app::import_rt::{ImportOptions, Progress, Report};
use varde_app::{Acting, App, AppError};
use varde_core::access::{Actor, StaffRole, TokenScope};
use varde_core::customer::OrganizationForm;
use varde_core::ids::UserId;
use varde_core::ticket::history::{Change, Creation, TicketField, WatcherRole};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, TicketId};
use varde_core::values::EmailAddress;
use varde_store::rt_fixture::Rt;
use varde_store::{Location, Store};

mod fill;

use fill::{FILE, FILE_NAME, fill};

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let stores = varde_store::testing::each_engine(dir.path()).await.unwrap();
    let mut dir = Some(dir);
    stores.into_iter().map(|s| (s, dir.take())).collect()
}

fn admin() -> Acting {
    Acting::new(
        Actor::Staff {
            user: UserId(0),
            role: StaffRole::Admin,
            scope: TokenScope::Write,
        },
        "import-rt",
    )
}

async fn import(app: &App, rt: &Rt, dry_run: bool) -> (Report, Vec<Progress>) {
    let seen = Arc::new(Mutex::new(vec![]));
    let s = seen.clone();
    let options = ImportOptions {
        from: rt.url(),
        rtname: Some("example.com".into()),
        dry_run,
        batch: 2,
    };
    let report = app
        .import_rt(&admin(), &options, &move |p| s.lock().unwrap().push(p))
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    (report, seen)
}

/// The ticket replayed from its own transactions (not those of tickets merged into it).
async fn replayed(store: &Store, id: TicketId) -> varde_core::ticket::Ticket {
    let own = store.transactions_of(&[id]).await.unwrap();
    varde_core::ticket::history::replay(&own[&id]).unwrap()
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn an_rt_database_comes_along_with_its_numbers_and_history() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let rtdir = tempfile::tempdir().unwrap();
        let mut rt = Rt::create(rtdir.path()).await.unwrap();
        fill(&mut rt).await;
        let form = OrganizationForm {
            name: "Customer AB".into(),
            country: "SE".into(),
            mail_domains: "customer.example".into(),
            ..Default::default()
        };
        let org = store
            .create_organization("test", &form.parse().unwrap(), t("2024-01-01T00:00:00Z"))
            .await
            .unwrap();
        let app = App::new(
            store.clone(),
            Arc::new(|| "2026-12-03T12:00:00Z".parse().unwrap()),
        );

        // Only an administrator may import.
        let agent = Acting::new(
            Actor::Staff {
                user: UserId(1),
                role: StaffRole::Agent,
                scope: TokenScope::Write,
            },
            "a@x",
        );
        let options = ImportOptions {
            from: rt.url(),
            rtname: None,
            dry_run: true,
            batch: 10,
        };
        assert!(
            matches!(
                app.import_rt(&agent, &options, &|_| {}).await,
                Err(AppError::Forbidden)
            ),
            "{engine}"
        );

        // A dry run counts and writes nothing.
        let (dry, _) = import(&app, &rt, true).await;
        assert_eq!(
            (
                dry.tickets_new,
                dry.transactions,
                dry.attachments,
                dry.queues_created
            ),
            (4, 19, 1, 1),
            "{engine}: {dry:?}"
        );
        assert_eq!(store.count_tickets().await.unwrap(), 0, "{engine}");

        let (report, progress) = import(&app, &rt, false).await;
        assert_eq!(
            progress.first(),
            Some(&Progress::Started { tickets: 4 }),
            "{engine}"
        );
        assert_eq!(progress.len(), 3, "two batches of two: {progress:?}");
        assert_eq!(
            (
                report.tickets_new,
                report.tickets_changed,
                report.transactions,
                report.attachments
            ),
            (4, 0, 19, 1),
            "{engine}: {report:?}"
        );
        assert_eq!(
            (
                report.staff_created,
                report.contacts_created,
                report.addresses_only
            ),
            (1, 1, 1),
            "{engine}: {report:?}"
        );
        assert!(
            report.skipped.iter().any(|s| s.contains("root@localhost")),
            "{report:?}"
        );
        assert!(
            report.notes.is_empty(),
            "the history replays to RT's state: {:?}",
            report.notes
        );

        check_tickets(&store, org.id, engine).await;
        check_history(&store, engine).await;
        check_people(&store, org.id, engine).await;

        // New tickets are numbered after the highest imported one.
        let created = store
            .create_ticket(
                "carol@customer.example",
                Creation::requested("General", "New one", "carol@customer.example"),
                &[],
                0,
                t("2026-12-03T12:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(created.id, TicketId(8), "{engine}");

        // A second run brings nothing; a change in RT arrives on the next.
        let (again, _) = import(&app, &rt, false).await;
        assert_eq!(
            (
                again.tickets_new,
                again.tickets_changed,
                again.transactions,
                again.tickets_unchanged
            ),
            (0, 0, 0, 4),
            "{engine}: {again:?}"
        );
        rt.tx(
            22,
            2,
            "Correspond",
            "",
            "",
            "",
            37,
            "2024-03-08 10:00:00",
            0,
        )
        .await
        .unwrap();
        rt.part(
            8,
            22,
            0,
            "<more@other.example>",
            "",
            "text/plain",
            "none",
            "It is back, thanks!",
        )
        .await
        .unwrap();
        rt.tx(
            23,
            2,
            "Status",
            "Status",
            "resolved",
            "open",
            1,
            "2024-03-08 10:00:00",
            0,
        )
        .await
        .unwrap();
        rt.exec(
            "UPDATE Tickets SET Status = 'open', Resolved = '1970-01-01 00:00:00' WHERE id = 2",
        )
        .await
        .unwrap();
        let (dry, _) = import(&app, &rt, true).await;
        assert_eq!(
            (dry.tickets_changed, dry.transactions),
            (1, 2),
            "{engine}: {dry:?}"
        );
        let (delta, _) = import(&app, &rt, false).await;
        assert_eq!(
            (delta.tickets_new, delta.tickets_changed, delta.transactions),
            (0, 1, 2),
            "{engine}: {delta:?}"
        );
        let two = store.ticket(TicketId(2)).await.unwrap().unwrap();
        assert_eq!((two.status, two.resolved), (Status::Open, None), "{engine}");
        assert_eq!(
            replayed(&store, TicketId(2)).await,
            two,
            "{engine}: the state is the history's"
        );
        let history = store.history(TicketId(2)).await.unwrap();
        assert_eq!(history.len(), 5, "{engine}");
        assert_eq!(history[3].content, "It is back, thanks!", "{engine}");
        rt.close().await.unwrap();
    }
}

async fn check_tickets(store: &Store, org: varde_core::ids::OrganizationId, engine: &str) {
    let one = store.ticket(TicketId(1)).await.unwrap().expect("ticket 1");
    assert_eq!(
        (one.queue.as_str(), one.subject.as_str(), one.status),
        ("General", "Disk full", Status::Open),
        "{engine}"
    );
    assert_eq!(
        one.owner.as_deref(),
        Some("alice@provider.example"),
        "{engine}"
    );
    assert_eq!(
        (one.priority, one.initial_priority, one.time_worked),
        (40, 0, 15),
        "{engine}"
    );
    assert_eq!(one.requestors, ["carol@customer.example"], "{engine}");
    assert_eq!(one.cc, ["dave@other.example"], "{engine}");
    assert_eq!(one.custom_fields["Site"], ["se-sto1"], "{engine}");
    assert_eq!(
        one.links,
        [(LinkKind::DependedOnBy, TicketId(3))],
        "{engine}"
    );
    assert_eq!(
        one.organization,
        Some(org),
        "{engine}: the requestor's organisation"
    );
    assert_eq!(
        (one.created, one.started, one.told),
        (
            t("2024-03-04T08:00:00Z"),
            Some(t("2024-03-04T09:00:00Z")),
            Some(t("2024-03-04T09:00:00Z"))
        ),
        "{engine}"
    );
    assert_eq!(
        replayed(store, TicketId(1)).await,
        one,
        "{engine}: the state is the history's"
    );

    let two = store.ticket(TicketId(2)).await.unwrap().unwrap();
    assert_eq!(
        (two.queue.as_str(), two.status, two.resolved),
        ("Storage", Status::Resolved, Some(t("2024-03-05T11:00:00Z"))),
        "{engine}"
    );
    assert_eq!(two.organization, None, "{engine}");
    assert_eq!(
        two.links,
        [(LinkKind::ReferredToBy, TicketId(3))],
        "{engine}: a link made without a transaction is there from the start"
    );
    let three = store.ticket(TicketId(3)).await.unwrap().unwrap();
    assert_eq!(
        (three.status, three.links.clone()),
        (
            Status::Rejected,
            vec![
                (LinkKind::RefersTo, TicketId(2)),
                (LinkKind::DependsOn, TicketId(1))
            ]
        ),
        "{engine}"
    );
    let seven = store.ticket(TicketId(7)).await.unwrap().unwrap();
    assert_eq!(
        (seven.id, seven.effective_id),
        (TicketId(7), TicketId(1)),
        "{engine}: merged into #1"
    );
    assert!(
        store.ticket(TicketId(4)).await.unwrap().is_none(),
        "{engine}: RT had no #4"
    );
}

async fn check_history(store: &Store, engine: &str) {
    let history = store.history(TicketId(1)).await.unwrap();
    let own: Vec<_> = history
        .iter()
        .filter(|h| h.transaction.ticket == TicketId(1))
        .collect();
    let changes: Vec<&Change> = own.iter().map(|h| &h.transaction.change).collect();
    assert!(
        matches!(changes[0], Change::Create(c) if c.status == Status::New && c.owner.is_none() && c.cc.is_empty() && c.priority == 0),
        "{engine}: {:?}",
        changes[0]
    );
    assert_eq!(
        changes[1..],
        [
            &Change::Comment,
            &Change::Correspond,
            &Change::Status {
                from: Status::New,
                to: Status::Open
            },
            &Change::Owner {
                from: None,
                to: Some("alice@provider.example".into())
            },
            &Change::Set {
                field: TicketField::Priority,
                from: "0".into(),
                to: "40".into()
            },
            &Change::CustomField {
                name: "Site".into(),
                from: vec![],
                to: vec!["se-sto1".into()]
            },
            &Change::AddWatcher {
                role: WatcherRole::Cc,
                address: "dave@other.example".into()
            },
            &Change::AddLink {
                kind: LinkKind::DependedOnBy,
                target: TicketId(3)
            },
            &Change::Merged { from: TicketId(7) },
        ],
        "{engine}"
    );
    assert_eq!(
        (own[0].transaction.creator.as_str(), own[0].content.as_str()),
        ("carol@customer.example", "Our disk is full."),
        "{engine}"
    );
    assert_eq!(own[0].transaction.at, t("2024-03-04T08:00:00Z"), "{engine}");
    let reply = own[2];
    assert_eq!(
        (
            reply.transaction.creator.as_str(),
            reply.transaction.time_taken
        ),
        ("alice@provider.example", 15),
        "{engine}"
    );
    assert_eq!(
        reply.content, "Hej Carol, disken är full igen.",
        "{engine}: quoted-printable decoded"
    );
    let file = reply
        .attachments
        .iter()
        .find(|a| !a.filename.is_empty())
        .expect("the file");
    assert_eq!(
        (file.filename.as_str(), file.content_type.as_str()),
        (FILE_NAME, "application/pdf"),
        "{engine}"
    );
    assert_eq!(
        store.attachment_content(file.id).await.unwrap().unwrap(),
        FILE,
        "{engine}: base64 decoded"
    );
    // The merged ticket's history comes with the survivor's, as in RT.
    assert!(
        history.iter().any(|h| h.transaction.ticket == TicketId(7)
            && h.transaction.change == Change::MergedInto { into: TicketId(1) }),
        "{engine}"
    );
    // ... in time, although the import wrote ticket 7's after ticket 1's, and at the merge's
    // instant the merged ticket's side first, as RT lists them (by its transaction ids).
    assert!(
        history
            .windows(2)
            .all(|w| w[0].transaction.at <= w[1].transaction.at),
        "{engine}"
    );
    let merge: Vec<(TicketId, &Change)> = history
        .iter()
        .filter(|h| {
            matches!(
                h.transaction.change,
                Change::MergedInto { .. } | Change::Merged { .. }
            )
        })
        .map(|h| (h.transaction.ticket, &h.transaction.change))
        .collect();
    assert_eq!(
        merge,
        [
            (TicketId(7), &Change::MergedInto { into: TicketId(1) }),
            (TicketId(1), &Change::Merged { from: TicketId(7) })
        ],
        "{engine}"
    );
}

async fn check_people(store: &Store, org: varde_core::ids::OrganizationId, engine: &str) {
    let alice = EmailAddress::parse("alice@provider.example").unwrap();
    let (account, hash) = store
        .account_for_login(&alice)
        .await
        .unwrap()
        .expect("alice's account");
    assert_eq!(
        (account.name.as_str(), hash),
        ("Alice Agent", None),
        "{engine}: staff, no usable password"
    );
    let carol = store
        .contact_by_email(&EmailAddress::parse("carol@customer.example").unwrap())
        .await
        .unwrap()
        .expect("carol");
    assert_eq!(
        (carol.organization, carol.details.name.as_str()),
        (org, "Carol Customer"),
        "{engine}"
    );
    assert!(
        store
            .contact_by_email(&EmailAddress::parse("dave@other.example").unwrap())
            .await
            .unwrap()
            .is_none(),
        "{engine}"
    );
}

/// The same RT rows read from RT's PostgreSQL schema import as from its SQLite one.
#[tokio::test]
async fn a_postgresql_rt_imports_as_the_sqlite_one() {
    let Ok(server) = std::env::var("VARDE_TEST_PG_URL") else {
        return;
    };
    let rtdir = tempfile::tempdir().unwrap();
    let mut rt = Rt::create(rtdir.path()).await.unwrap();
    fill(&mut rt).await;
    let pg_url = rt.copy_to_postgres(&server).await.unwrap();
    let mut imported = vec![];
    for from in [rt.url(), pg_url] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
            .await
            .unwrap();
        let app = App::new(
            store.clone(),
            Arc::new(|| "2026-12-03T12:00:00Z".parse().unwrap()),
        );
        let options = ImportOptions {
            from: from.clone(),
            rtname: Some("example.com".into()),
            dry_run: false,
            batch: 3,
        };
        let report = app.import_rt(&admin(), &options, &|_| {}).await.unwrap();
        assert_eq!(
            (report.tickets_new, report.transactions, report.attachments),
            (4, 19, 1),
            "{from}: {report:?}"
        );
        let ids = [1, 2, 3, 7].map(TicketId);
        let tickets = store.tickets(&ids).await.unwrap();
        let mut histories = vec![];
        for id in ids {
            let h = store.history(id).await.unwrap();
            histories.push(
                h.into_iter()
                    .map(|e| {
                        (
                            e.transaction.change,
                            e.transaction.at,
                            e.transaction.creator,
                            e.content,
                        )
                    })
                    .collect::<Vec<_>>(),
            );
        }
        imported.push((tickets, histories, dir));
    }
    assert_eq!(imported[0].0, imported[1].0, "the same tickets");
    assert_eq!(imported[0].1, imported[1].1, "the same histories");
}

/// A run that stops after a batch resumes with the tickets it had not written.
#[tokio::test]
async fn an_interrupted_run_resumes() {
    let rtdir = tempfile::tempdir().unwrap();
    let mut rt = Rt::create(rtdir.path()).await.unwrap();
    fill(&mut rt).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let app = App::new(
        store.clone(),
        Arc::new(|| "2026-12-03T12:00:00Z".parse().unwrap()),
    );
    let options = ImportOptions {
        from: rt.url(),
        rtname: None,
        dry_run: false,
        batch: 2,
    };
    // The process dies right after the first batch is committed.
    let (a, o) = (app.clone(), options.clone());
    let run = tokio::spawn(async move {
        let stop = |p: Progress| assert!(!matches!(p, Progress::Batch { .. }), "stopped");
        a.import_rt(&admin(), &o, &stop).await
    });
    assert!(run.await.is_err(), "the first run stops");
    assert_eq!(store.count_tickets().await.unwrap(), 2, "one batch written");
    let report = app.import_rt(&admin(), &options, &|_| {}).await.unwrap();
    assert_eq!(
        (report.tickets_new, report.tickets_unchanged),
        (2, 2),
        "{report:?}"
    );
    assert_eq!(store.count_tickets().await.unwrap(), 4);
}
