//! What happened to organisations since a moment, and the marks staff set when they have
//! seen a page, on each engine.

use varde_core::access::Role;
use varde_core::contact::ContactForm;
use varde_core::ticket::history::{Creation, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_core::values::EmailAddress;
use varde_store::NewAccount;

use super::{org_form, stores, t};

#[tokio::test]
async fn activity_since_a_moment_and_seen_marks() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let org = |name: &'static str| {
            let store = store.clone();
            async move {
                store
                    .create_organization(
                        "test",
                        &org_form(name, "NO", "").parse().unwrap(),
                        t("2026-11-01T00:00:00Z"),
                    )
                    .await
                    .unwrap()
                    .id
            }
        };
        let (a, b) = (org("Fjordnett").await, org("Vidda").await);
        let open = |org, subject: &'static str, priority: i64, at: &'static str| {
            let store = store.clone();
            async move {
                let mut c = Creation::requested("General", subject, "kari@fjord.example");
                c.organization = Some(org);
                c.priority = priority;
                store
                    .create_ticket("kari@fjord.example", c, &[], 0, t(at))
                    .await
                    .unwrap()
                    .id
            }
        };
        // Before the moment: not counted, except that it is resolved after it.
        let old = open(a, "Old", 10, "2026-11-20T00:00:00Z").await;
        open(a, "Quota", 10, "2026-12-02T09:00:00Z").await;
        open(a, "Down", 90, "2026-12-02T10:00:00Z").await;
        open(b, "Question", 10, "2026-11-25T00:00:00Z").await;
        store
            .change_ticket(
                old,
                "agent@example.com",
                |t| Ok(set_status(t, Status::Resolved)),
                &[],
                0,
                t("2026-12-02T11:00:00Z"),
            )
            .await
            .unwrap();
        let since = t("2026-12-01T00:00:00Z");
        let activity = store.ticket_activity(since).await.unwrap();
        let fj = &activity[&a];
        assert_eq!((fj.opened, fj.urgent, fj.resolved), (2, 1, 1), "{engine}");
        assert!(
            !activity.contains_key(&b),
            "{engine}: nothing of Vidda's since"
        );

        // Contact and contract changes are counted from the audit events.
        store
            .create_contact(
                "test",
                a,
                &ContactForm {
                    name: "Kari".into(),
                    email: "kari@fjord.example".into(),
                    ..Default::default()
                }
                .parse(varde_core::values::Language::NorwegianBokmal)
                .unwrap(),
                t("2026-12-02T12:00:00Z"),
            )
            .await
            .unwrap();
        let records = store.record_changes_since(since).await.unwrap();
        assert_eq!(records.get(&a), Some(&1), "{engine}");
        assert_eq!(records.get(&b), None, "{engine}");
        assert!(
            store
                .action_items_done_since(since)
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );

        // Seen marks: none until set, then the latest.
        let manager = store
            .create_account(
                &NewAccount {
                    email: EmailAddress::parse("mats@example.com").unwrap(),
                    name: "Mats".into(),
                    role: Role::ServiceManager,
                    organization: None,
                    password_hash: None,
                    login: None,
                },
                since,
            )
            .await
            .unwrap();
        assert_eq!(
            store.seen_mark(manager.id, "customers").await.unwrap(),
            None,
            "{engine}"
        );
        store
            .mark_seen(manager.id, "customers", since)
            .await
            .unwrap();
        store
            .mark_seen(manager.id, "customers", t("2026-12-03T08:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            store.seen_mark(manager.id, "customers").await.unwrap(),
            Some(t("2026-12-03T08:00:00Z")),
            "{engine}"
        );
        assert_eq!(
            store.seen_mark(manager.id, "other").await.unwrap(),
            None,
            "{engine}"
        );
    }
}
