//! `varde import-rt` against an RT 5 database in RT's own schema (see `rt_fixture`): the
//! tickets keep their numbers, their history replays to RT's state, attachments are decoded,
//! links, merges, watchers and custom fields arrive, users become staff or contacts, new
//! tickets are numbered after the highest, and a second run brings only what changed. On
//! SQLite always, and on PostgreSQL when `VARDE_TEST_PG_URL` is set.

mod rt_fixture;

use std::sync::{Arc, Mutex};

use base64::Engine;
use jiff::Timestamp;
use rt_fixture::{Rt, uri};
use varde_app::import_rt::{ImportOptions, Progress, Report};
use varde_app::{Acting, App, AppError};
use varde_core::access::{Actor, StaffRole, TokenScope};
use varde_core::customer::OrganizationForm;
use varde_core::ids::UserId;
use varde_core::ticket::history::{Change, Creation, TicketField, WatcherRole};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, TicketId};
use varde_core::values::EmailAddress;
use varde_store::{Location, Store};

const FILE_NAME: &str = "räkning-ö 2024.pdf";
const FILE: &[u8] = b"%PDF-1.4\n\xe2\x80\x94 binary \x00\x01\x02 content";

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf())).await.unwrap();
    let mut v = vec![(sqlite, Some(dir))];
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        v.push((varde_store::testing::scratch_postgres(&url).await.unwrap(), None));
    }
    v
}

fn admin() -> Acting {
    Acting::new(Actor::Staff { user: UserId(0), role: StaffRole::Admin, scope: TokenScope::Write }, "import-rt")
}

/// Users, queues, a custom field and four tickets: #1 worked (comment, a quoted-printable
/// reply with a file whose name is not ASCII, owner, priority, custom field, a Cc, a link,
/// and #7 merged into it), #2 resolved, #3 rejected and depending on #1, #7 merged into #1.
async fn fill(rt: &mut Rt) {
    rt.user(14, "root", "root@localhost", "Enoch Root", true).await;
    rt.user(20, "alice", "alice@provider.example", "Alice Agent", true).await;
    rt.user(27, "carol@customer.example", "carol@customer.example", "Carol Customer", false).await;
    rt.user(37, "dave@other.example", "dave@other.example", "", false).await;
    rt.queue(1, "General").await;
    rt.queue(3, "Storage").await;
    rt.custom_field(1, "Site").await;

    rt.ticket(1, 1, "Disk full", "2024-03-04 08:00:00", vec![
        ("Status", "open".into()), ("Owner", 20.into()), ("Priority", 40.into()), ("TimeWorked", 15.into()),
        ("Started", "2024-03-04 09:00:00".into()), ("Told", "2024-03-04 09:00:00".into()), ("Creator", 27.into()),
    ]).await;
    rt.watcher(1, "Requestor", 27).await;
    rt.watcher(1, "Cc", 37).await;
    rt.watcher(1, "Owner", 20).await;
    rt.custom_field_value(1, 1, "se-sto1").await;
    rt.tx(10, 1, "Create", "", "", "", 27, "2024-03-04 08:00:00", 0).await;
    rt.part(1, 10, 0, "<CAF1@customer.example>", "", "text/plain", "none", "Our disk is full.").await;
    rt.tx(11, 1, "Comment", "", "", "", 20, "2024-03-04 08:30:00", 0).await;
    rt.part(2, 11, 0, "", "", "text/plain", "none", "Looking at it.").await;
    rt.tx(12, 1, "Correspond", "", "", "", 20, "2024-03-04 09:00:00", 15).await;
    rt.part(3, 12, 0, "<rt-12@example.com>", "", "multipart/mixed", "", "").await;
    rt.part(4, 12, 3, "", "", "text/plain", "quoted-printable", "Hej Carol, disken =C3=A4r full=\n igen.").await;
    let file = base64::engine::general_purpose::STANDARD.encode(FILE);
    rt.part(5, 12, 3, "", FILE_NAME, "application/pdf", "base64", &file).await;
    rt.tx(13, 1, "Status", "Status", "new", "open", 1, "2024-03-04 09:00:00", 0).await;
    rt.tx(14, 1, "Set", "Owner", "6", "20", 20, "2024-03-04 09:01:00", 0).await;
    rt.tx(15, 1, "SetWatcher", "Owner", "6", "20", 20, "2024-03-04 09:01:00", 0).await;
    rt.tx(16, 1, "Set", "Priority", "0", "40", 20, "2024-03-04 09:02:00", 0).await;
    rt.tx(17, 1, "CustomField", "1", "", "se-sto1", 20, "2024-03-04 09:03:00", 0).await;
    rt.tx(18, 1, "AddWatcher", "Cc", "", "37", 20, "2024-03-04 09:04:00", 0).await;

    rt.ticket(2, 3, "Bucket gone", "2024-03-05 10:00:00", vec![
        ("Status", "resolved".into()), ("Resolved", "2024-03-05 11:00:00".into()), ("Creator", 37.into()),
        ("Started", "2024-03-05 11:00:00".into()),
    ]).await;
    rt.watcher(2, "Requestor", 37).await;
    rt.tx(20, 2, "Create", "", "", "", 37, "2024-03-05 10:00:00", 0).await;
    rt.part(6, 20, 0, "<bucket@other.example>", "", "text/plain", "none", "Where is my bucket?").await;
    rt.tx(21, 2, "Status", "Status", "new", "resolved", 20, "2024-03-05 11:00:00", 0).await;

    rt.ticket(3, 1, "Follow-up", "2024-03-06 10:00:00", vec![
        ("Status", "rejected".into()), ("Resolved", "2024-03-06 12:00:00".into()), ("Creator", 20.into()),
        ("Started", "2024-03-06 12:00:00".into()),
    ]).await;
    rt.watcher(3, "Requestor", 27).await;
    rt.tx(30, 3, "Create", "", "", "", 20, "2024-03-06 10:00:00", 0).await;
    rt.tx(31, 3, "AddLink", "DependsOn", "", &uri(1), 20, "2024-03-06 11:00:00", 0).await;
    rt.tx(32, 1, "AddLink", "DependedOnBy", "", &uri(3), 20, "2024-03-06 11:00:00", 0).await;
    rt.link("DependsOn", 3, 1, 3, "2024-03-06 11:00:00").await;
    rt.tx(33, 3, "Status", "Status", "new", "rejected", 20, "2024-03-06 12:00:00", 0).await;

    // #7 is merged into #1 as RT 5 records it: the survivor's URI on both sides, and the
    // link filed under the survivor.
    rt.ticket(7, 1, "Disk full again", "2024-03-07 08:00:00", vec![("EffectiveId", 1.into()), ("IsMerged", 1.into()), ("Creator", 27.into())]).await;
    rt.watcher(7, "Requestor", 27).await;
    rt.tx(70, 7, "Create", "", "", "", 27, "2024-03-07 08:00:00", 0).await;
    rt.part(7, 70, 0, "<CAF2@customer.example>", "", "text/plain", "none", "Still full.").await;
    rt.tx(71, 7, "AddLink", "MergedInto", "", &uri(1), 20, "2024-03-07 09:00:00", 0).await;
    rt.tx(72, 1, "AddLink", "MergedInto", "", &uri(1), 20, "2024-03-07 09:00:00", 0).await;
    rt.link("MergedInto", 7, 1, 1, "2024-03-07 09:00:00").await;
}

async fn import(app: &App, rt: &Rt, dry_run: bool) -> (Report, Vec<Progress>) {
    let seen = Arc::new(Mutex::new(vec![]));
    let s = seen.clone();
    let options = ImportOptions { from: rt.url(), rtname: Some("example.com".into()), dry_run, batch: 2 };
    let report = app.import_rt(&admin(), &options, &move |p| s.lock().unwrap().push(p)).await.unwrap();
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
        let mut rt = Rt::create(rtdir.path()).await;
        fill(&mut rt).await;
        let form = OrganizationForm { name: "Customer AB".into(), country: "SE".into(), mail_domains: "customer.example".into(), ..Default::default() };
        let org = store.create_organization("test", &form.parse().unwrap(), t("2024-01-01T00:00:00Z")).await.unwrap();
        let app = App::new(store.clone(), Arc::new(|| "2026-12-03T12:00:00Z".parse().unwrap()));

        // Only an administrator may import.
        let agent = Acting::new(Actor::Staff { user: UserId(1), role: StaffRole::Agent, scope: TokenScope::Write }, "a@x");
        let options = ImportOptions { from: rt.url(), rtname: None, dry_run: true, batch: 10 };
        assert!(matches!(app.import_rt(&agent, &options, &|_| {}).await, Err(AppError::Forbidden)), "{engine}");

        // A dry run counts and writes nothing.
        let (dry, _) = import(&app, &rt, true).await;
        assert_eq!((dry.tickets_new, dry.transactions, dry.attachments, dry.queues_created), (4, 17, 1, 1), "{engine}: {dry:?}");
        assert_eq!(store.count_tickets().await.unwrap(), 0, "{engine}");

        let (report, progress) = import(&app, &rt, false).await;
        assert_eq!(progress.first(), Some(&Progress::Started { tickets: 4 }), "{engine}");
        assert_eq!(progress.len(), 3, "two batches of two: {progress:?}");
        assert_eq!((report.tickets_new, report.tickets_changed, report.transactions, report.attachments), (4, 0, 17, 1), "{engine}: {report:?}");
        assert_eq!((report.staff_created, report.contacts_created, report.addresses_only), (1, 1, 1), "{engine}: {report:?}");
        assert!(report.skipped.iter().any(|s| s.contains("root@localhost")), "{report:?}");
        assert!(report.notes.is_empty(), "the history replays to RT's state: {:?}", report.notes);

        check_tickets(&store, org.id, engine).await;
        check_history(&store, engine).await;
        check_people(&store, org.id, engine).await;

        // New tickets are numbered after the highest imported one.
        let created = store
            .create_ticket("carol@customer.example", Creation::requested("General", "New one", "carol@customer.example"), &[], 0, t("2026-12-03T12:00:00Z"))
            .await
            .unwrap();
        assert_eq!(created.id, TicketId(8), "{engine}");

        // A second run brings nothing; a change in RT arrives on the next.
        let (again, _) = import(&app, &rt, false).await;
        assert_eq!((again.tickets_new, again.tickets_changed, again.transactions, again.tickets_unchanged), (0, 0, 0, 4), "{engine}: {again:?}");
        rt.tx(22, 2, "Correspond", "", "", "", 37, "2024-03-08 10:00:00", 0).await;
        rt.part(8, 22, 0, "<more@other.example>", "", "text/plain", "none", "It is back, thanks!").await;
        rt.tx(23, 2, "Status", "Status", "resolved", "open", 1, "2024-03-08 10:00:00", 0).await;
        rt.exec("UPDATE Tickets SET Status = 'open', Resolved = '1970-01-01 00:00:00' WHERE id = 2").await;
        let (dry, _) = import(&app, &rt, true).await;
        assert_eq!((dry.tickets_changed, dry.transactions), (1, 2), "{engine}: {dry:?}");
        let (delta, _) = import(&app, &rt, false).await;
        assert_eq!((delta.tickets_new, delta.tickets_changed, delta.transactions), (0, 1, 2), "{engine}: {delta:?}");
        let two = store.ticket(TicketId(2)).await.unwrap().unwrap();
        assert_eq!((two.status, two.resolved), (Status::Open, None), "{engine}");
        assert_eq!(replayed(&store, TicketId(2)).await, two, "{engine}: the state is the history's");
        let history = store.history(TicketId(2)).await.unwrap();
        assert_eq!(history.len(), 4, "{engine}");
        assert_eq!(history[2].content, "It is back, thanks!", "{engine}");
        rt.close().await;
    }
}

async fn check_tickets(store: &Store, org: varde_core::ids::OrganizationId, engine: &str) {
    let one = store.ticket(TicketId(1)).await.unwrap().expect("ticket 1");
    assert_eq!((one.queue.as_str(), one.subject.as_str(), one.status), ("General", "Disk full", Status::Open), "{engine}");
    assert_eq!(one.owner.as_deref(), Some("alice@provider.example"), "{engine}");
    assert_eq!((one.priority, one.initial_priority, one.time_worked), (40, 0, 15), "{engine}");
    assert_eq!(one.requestors, ["carol@customer.example"], "{engine}");
    assert_eq!(one.cc, ["dave@other.example"], "{engine}");
    assert_eq!(one.custom_fields["Site"], ["se-sto1"], "{engine}");
    assert_eq!(one.links, [(LinkKind::DependedOnBy, TicketId(3))], "{engine}");
    assert_eq!(one.organization, Some(org), "{engine}: the requestor's organisation");
    assert_eq!((one.created, one.started, one.told), (t("2024-03-04T08:00:00Z"), Some(t("2024-03-04T09:00:00Z")), Some(t("2024-03-04T09:00:00Z"))), "{engine}");
    assert_eq!(replayed(store, TicketId(1)).await, one, "{engine}: the state is the history's");

    let two = store.ticket(TicketId(2)).await.unwrap().unwrap();
    assert_eq!((two.queue.as_str(), two.status, two.resolved), ("Storage", Status::Resolved, Some(t("2024-03-05T11:00:00Z"))), "{engine}");
    assert_eq!(two.organization, None, "{engine}");
    let three = store.ticket(TicketId(3)).await.unwrap().unwrap();
    assert_eq!((three.status, three.links.clone()), (Status::Rejected, vec![(LinkKind::DependsOn, TicketId(1))]), "{engine}");
    let seven = store.ticket(TicketId(7)).await.unwrap().unwrap();
    assert_eq!((seven.id, seven.effective_id), (TicketId(7), TicketId(1)), "{engine}: merged into #1");
    assert!(store.ticket(TicketId(4)).await.unwrap().is_none(), "{engine}: RT had no #4");
}

async fn check_history(store: &Store, engine: &str) {
    let history = store.history(TicketId(1)).await.unwrap();
    let own: Vec<_> = history.iter().filter(|h| h.transaction.ticket == TicketId(1)).collect();
    let changes: Vec<&Change> = own.iter().map(|h| &h.transaction.change).collect();
    assert!(matches!(changes[0], Change::Create(c) if c.status == Status::New && c.owner.is_none() && c.cc.is_empty() && c.priority == 0), "{engine}: {:?}", changes[0]);
    assert_eq!(changes[1..], [
        &Change::Comment,
        &Change::Correspond,
        &Change::Status { from: Status::New, to: Status::Open },
        &Change::Owner { from: None, to: Some("alice@provider.example".into()) },
        &Change::Set { field: TicketField::Priority, from: "0".into(), to: "40".into() },
        &Change::CustomField { name: "Site".into(), from: vec![], to: vec!["se-sto1".into()] },
        &Change::AddWatcher { role: WatcherRole::Cc, address: "dave@other.example".into() },
        &Change::AddLink { kind: LinkKind::DependedOnBy, target: TicketId(3) },
        &Change::Merged { from: TicketId(7) },
    ], "{engine}");
    assert_eq!((own[0].transaction.creator.as_str(), own[0].content.as_str()), ("carol@customer.example", "Our disk is full."), "{engine}");
    assert_eq!(own[0].transaction.at, t("2024-03-04T08:00:00Z"), "{engine}");
    let reply = own[2];
    assert_eq!((reply.transaction.creator.as_str(), reply.transaction.time_taken), ("alice@provider.example", 15), "{engine}");
    assert_eq!(reply.content, "Hej Carol, disken är full igen.", "{engine}: quoted-printable decoded");
    let file = reply.attachments.iter().find(|a| !a.filename.is_empty()).expect("the file");
    assert_eq!((file.filename.as_str(), file.content_type.as_str()), (FILE_NAME, "application/pdf"), "{engine}");
    assert_eq!(store.attachment_content(file.id).await.unwrap().unwrap(), FILE, "{engine}: base64 decoded");
    // The merged ticket's history comes with the survivor's, as in RT.
    assert!(history.iter().any(|h| h.transaction.ticket == TicketId(7) && h.transaction.change == Change::MergedInto { into: TicketId(1) }), "{engine}");
}

async fn check_people(store: &Store, org: varde_core::ids::OrganizationId, engine: &str) {
    let alice = EmailAddress::parse("alice@provider.example").unwrap();
    let (account, hash) = store.account_for_login(&alice).await.unwrap().expect("alice's account");
    assert_eq!((account.name.as_str(), hash), ("Alice Agent", None), "{engine}: staff, no usable password");
    let carol = store.contact_by_email(&EmailAddress::parse("carol@customer.example").unwrap()).await.unwrap().expect("carol");
    assert_eq!((carol.organization, carol.details.name.as_str()), (org, "Carol Customer"), "{engine}");
    assert!(store.contact_by_email(&EmailAddress::parse("dave@other.example").unwrap()).await.unwrap().is_none(), "{engine}");
}
