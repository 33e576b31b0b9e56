//! Tickets on both engines: the write path, history and replay, attachments, TicketSQL.

use varde_core::ids::OrganizationId;
use varde_core::ticket::history::{
    Change, Creation, TicketField, WatcherRole, correspond, set_field, set_owner, set_status,
};
use varde_core::ticket::lifecycle::Status;
use varde_core::ticket::{LinkKind, TicketId};
use varde_store::tickets::{NewAttachment, TicketError};

use super::{stores, t};

pub fn creation(subject: &str, requestor: &str) -> Creation {
    Creation::requested("General", subject, requestor)
}

#[tokio::test]
async fn ticket_story() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        assert!(
            store.queue("general").await.unwrap().is_some(),
            "{engine}: a new installation has General"
        );
        let body = NewAttachment::text("Volume vol-9 is at 100%.");
        let ticket = store
            .create_ticket(
                "carol@customer.example",
                creation("Disk full", "carol@customer.example"),
                std::slice::from_ref(&body),
                0,
                t("2026-01-05T08:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(
            (ticket.status, ticket.owner_name()),
            (Status::New, "Nobody")
        );
        let id = ticket.id;

        // An agent takes it and replies: Take, Correspond, Status.
        let (_, ids) = store
            .change_ticket(
                id,
                "agent@example.com",
                |t| Ok(set_owner(t, Some("agent@example.com".into()))),
                &[],
                0,
                t("2026-01-05T08:10:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(ids.len(), 1);
        let (after, ids) = store
            .change_ticket(
                id,
                "agent@example.com",
                |t| Ok(correspond(t)),
                &[NewAttachment::text("We are on it.")],
                15,
                t("2026-01-05T08:15:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(
            ids.len(),
            2,
            "{engine}: a reply to a new ticket also opens it"
        );
        assert_eq!(after.status, Status::Open);
        assert_eq!(after.time_worked, 15);
        assert_eq!(after.told, Some(t("2026-01-05T08:15:00Z")));
        // A change that changes nothing appends nothing.
        let (_, ids) = store
            .change_ticket(
                id,
                "agent@example.com",
                |t| Ok(set_status(t, Status::Open)),
                &[],
                0,
                t("2026-01-05T08:16:00Z"),
            )
            .await
            .unwrap();
        assert!(ids.is_empty());
        // A refused change is refused, and nothing is written.
        let refused = store
            .change_ticket(
                id,
                "agent@example.com",
                |_| Err::<Vec<Change>, _>("no".to_string()),
                &[],
                0,
                t("2026-01-05T08:17:00Z"),
            )
            .await;
        assert!(matches!(refused, Err(TicketError::Refused(_))));
        store
            .change_ticket(
                id,
                "agent@example.com",
                |t| {
                    let mut v = vec![Change::CustomField {
                        name: "Site".into(),
                        from: vec![],
                        to: vec!["se-sto1".into()],
                    }];
                    v.extend(set_field(t, TicketField::Priority, "40".into()));
                    v.push(Change::AddWatcher {
                        role: WatcherRole::Cc,
                        address: "boss@customer.example".into(),
                    });
                    v.push(Change::Organization {
                        from: None,
                        to: Some(OrganizationId(7)),
                    });
                    Ok(v)
                },
                &[],
                0,
                t("2026-01-05T09:00:00Z"),
            )
            .await
            .unwrap();

        // The stored row is exactly the replay of the stored history.
        let stored = store.ticket(id).await.unwrap().unwrap();
        assert_eq!(store.replay_ticket(id).await.unwrap(), stored, "{engine}");
        assert_eq!(stored.custom_fields["Site"], ["se-sto1"]);
        let history = store.history(id).await.unwrap();
        let types: Vec<&str> = history
            .iter()
            .map(|e| e.transaction.change.rt_type(&e.transaction.creator))
            .collect();
        assert_eq!(
            types,
            [
                "Create",
                "Set",
                "Correspond",
                "Status",
                "CustomField",
                "Set",
                "AddWatcher",
                "Set"
            ],
            "{engine}"
        );
        assert_eq!(history[0].content, "Volume vol-9 is at 100%.");
        assert_eq!(history[2].content, "We are on it.");

        // Attachments are stored once however often they arrive; oversize ones are refused.
        let second = store
            .create_ticket(
                "dave@other.example",
                creation("Same text", "dave@other.example"),
                std::slice::from_ref(&body),
                0,
                t("2026-01-06T08:00:00Z"),
            )
            .await
            .unwrap();
        let a1 = store.history(id).await.unwrap()[0].attachments[0].clone();
        let a2 = store.history(second.id).await.unwrap()[0].attachments[0].clone();
        assert_ne!(a1.id, a2.id);
        assert_eq!(
            store.attachment_content(a1.id).await.unwrap(),
            store.attachment_content(a2.id).await.unwrap()
        );
        let huge = NewAttachment {
            filename: "dump.bin".into(),
            content_type: "application/octet-stream".into(),
            content: vec![0; varde_store::tickets::MAX_ATTACHMENT_BYTES + 1],
        };
        let r = store
            .change_ticket(
                id,
                "carol@customer.example",
                |_| Ok(vec![Change::Comment]),
                &[huge],
                0,
                t("2026-01-06T09:00:00Z"),
            )
            .await;
        assert!(
            matches!(r, Err(TicketError::Refused(ref m)) if m.contains("dump.bin")),
            "{engine}"
        );

        // Links and merges.
        store
            .change_ticket(
                second.id,
                "agent@example.com",
                |_| {
                    Ok(vec![Change::AddLink {
                        kind: LinkKind::RefersTo,
                        target: id,
                    }])
                },
                &[],
                0,
                t("2026-01-06T10:00:00Z"),
            )
            .await
            .unwrap();
        store
            .change_ticket(
                second.id,
                "agent@example.com",
                |_| Ok(vec![Change::MergedInto { into: id }]),
                &[],
                0,
                t("2026-01-06T10:01:00Z"),
            )
            .await
            .unwrap();
        let merged = store.ticket(second.id).await.unwrap().unwrap();
        assert_eq!(merged.effective_id, id);
        assert!(matches!(
            store
                .create_ticket(
                    "x@y.example",
                    Creation {
                        queue: "Nope".into(),
                        ..creation("x", "x@y.example")
                    },
                    &[],
                    0,
                    t("2026-01-07T00:00:00Z")
                )
                .await,
            Err(TicketError::Refused(_))
        ));
    }
}

/// Loading many tickets at once gives exactly what loading them one by one gives, in order.
#[tokio::test]
async fn batch_loading_equals_single_loading() {
    for (store, _dir) in stores().await {
        let mut ids = vec![];
        for i in 0..7 {
            let mut c = creation(&format!("ticket {i}"), &format!("r{i}@x.example"));
            if i % 2 == 0 {
                c.custom_fields
                    .insert("Site".into(), vec!["se-sto1".into(), "no-osl1".into()]);
                c.cc = vec!["cc@x.example".into()];
            }
            ids.push(
                store
                    .create_ticket("a@x.example", c, &[], 0, t("2026-01-01T00:00:00Z"))
                    .await
                    .unwrap()
                    .id,
            );
        }
        store
            .change_ticket(
                ids[1],
                "a@x.example",
                |_| {
                    Ok(vec![Change::AddLink {
                        kind: LinkKind::DependsOn,
                        target: ids[0],
                    }])
                },
                &[],
                0,
                t("2026-01-02T00:00:00Z"),
            )
            .await
            .unwrap();
        let mut wanted: Vec<TicketId> = ids.iter().rev().copied().collect();
        wanted.push(TicketId(99_999));
        let batch = store.tickets(&wanted).await.unwrap();
        assert_eq!(
            batch.len(),
            7,
            "{}: unknown ids are skipped",
            store.engine()
        );
        for (t, id) in batch.iter().zip(ids.iter().rev()) {
            assert_eq!(Some(t.clone()), store.ticket(*id).await.unwrap());
        }
    }
}

/// The outbox: written with the change, claimed once, retried after a backoff, logged.
#[tokio::test]
async fn outbox_claims_each_notification_once() {
    use varde_store::outbox::{Kind, Outcome};
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let now = t("2026-03-01T10:00:00Z");
        let ticket = store
            .create_ticket(
                "carol@customer.example",
                creation("x", "carol@customer.example"),
                &[],
                0,
                now,
            )
            .await
            .unwrap();
        store
            .change_ticket(
                ticket.id,
                "agent@example.com",
                |t| Ok(correspond(t)),
                &[NewAttachment::text("hi")],
                0,
                now,
            )
            .await
            .unwrap();
        store
            .change_ticket(
                ticket.id,
                "agent@example.com",
                |_| Ok(vec![Change::Comment]),
                &[],
                0,
                now,
            )
            .await
            .unwrap();
        let items = store.claim_outbox(now, 10).await.unwrap();
        assert_eq!(
            items.iter().map(|i| i.kind).collect::<Vec<_>>(),
            [Kind::AutoReply, Kind::Correspondence],
            "{engine}"
        );
        assert!(
            store.claim_outbox(now, 10).await.unwrap().is_empty(),
            "{engine}: a claimed row is not handed out twice"
        );
        store
            .finish_outbox(
                &items[0],
                Outcome::Sent {
                    recipients: "carol@customer.example".into(),
                    message_id: "m@x".into(),
                },
                now,
            )
            .await
            .unwrap();
        store
            .finish_outbox(&items[1], Outcome::Retry("451 try later".into()), now)
            .await
            .unwrap();
        assert!(
            store
                .claim_outbox(now + jiff::SignedDuration::from_secs(30), 10)
                .await
                .unwrap()
                .is_empty(),
            "{engine}: backoff"
        );
        // While it waits for its retry it is not due, but it is failing, and ages from when
        // it was queued (the relay-away alert reads this).
        let waiting = store
            .work_waiting(now + jiff::SignedDuration::from_secs(30))
            .await
            .unwrap();
        let outbox = waiting.iter().find(|w| w.queue == "outbox").unwrap();
        assert_eq!(
            (
                outbox.due,
                outbox.oldest_seconds,
                outbox.oldest_failing_seconds
            ),
            (0, 0.0, 30.0),
            "{engine}"
        );
        let again = store
            .claim_outbox(now + jiff::SignedDuration::from_mins(2), 10)
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        // A claim whose worker died is taken over when it expires.
        assert_eq!(
            store
                .claim_outbox(now + jiff::SignedDuration::from_mins(10), 10)
                .await
                .unwrap()
                .len(),
            1,
            "{engine}"
        );
        let log = store.delivery_log(ticket.id).await.unwrap();
        assert_eq!(
            (log[0].status.as_str(), log[1].status.as_str()),
            ("sent", "sending")
        );
    }
}

/// Writes that arrive together are committed together (group commit on SQLite), and one that
/// fails is undone alone: 24 deliveries at once, 8 of them the same message, and 8 creates,
/// on two threads, so some commit on their caller's thread while others queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_at_once_commit_together_and_a_failing_one_fails_alone() {
    use varde_store::mail::{Delivered, Delivery};
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let now = t("2026-11-23T10:00:00Z");
        let before = store.count_tickets().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let message_id = if i % 3 == 0 {
                    "same@customer.example".to_string()
                } else {
                    format!("m{i}@customer.example")
                };
                let raw = format!("Message-ID: <{message_id}>\n\nmail {i}\n");
                let parts = vec![NewAttachment::text(&format!("mail {i}"))];
                store
                    .deliver_mail(Delivery {
                        raw: raw.as_bytes(),
                        message_id: Some(&message_id),
                        related_ids: &[],
                        tagged: None,
                        queue: "General",
                        comment: false,
                        sender: "someone@customer.example",
                        subject: &format!("mail {i}"),
                        organization: None,
                        parts,
                        flags: vec![],
                        automatic: false,
                        now,
                    })
                    .await
            }));
        }
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .create_ticket(
                        "agent@example.com",
                        creation(&format!("create {i}"), "someone@customer.example"),
                        &[NewAttachment::text("body")],
                        0,
                        now,
                    )
                    .await
                    .map(|t| Delivered::Created {
                        ticket: t.id,
                        transaction: 0,
                    })
            }));
        }
        let mut created = Vec::new();
        let mut duplicates = Vec::new();
        for task in tasks {
            match task.await.unwrap().unwrap() {
                Delivered::Created { ticket, .. } => created.push(ticket),
                Delivered::Duplicate { ticket } => duplicates.push(ticket),
                other => panic!("{engine}: {other:?}"),
            }
        }
        // 16 distinct messages, the shared one once (17 mailed in), and 8 creates.
        assert_eq!(created.len(), 25, "{engine}");
        assert_eq!(duplicates.len(), 7, "{engine}");
        assert_eq!(
            store.count_tickets().await.unwrap(),
            before + 25,
            "{engine}"
        );
        let mut ids = created.clone();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 25, "{engine}: every write got its own ticket");
        let same = store
            .tickets(&ids)
            .await
            .unwrap()
            .into_iter()
            .find(|t| {
                t.subject.starts_with("mail ") && t.subject[5..].parse::<i32>().unwrap() % 3 == 0
            })
            .expect("the shared message's ticket");
        assert!(
            duplicates.iter().all(|d| *d == Some(same.id)),
            "{engine}: the duplicates name the ticket the message is on"
        );
        // Each ticket is whole: its creation transaction holds its own text, and the replayed
        // state equals the stored one.
        for id in &ids {
            let history = store.history(*id).await.unwrap();
            assert_eq!(history.len(), 1, "{engine}");
            let ticket = store.ticket(*id).await.unwrap().unwrap();
            assert_eq!(ticket.effective_id, *id, "{engine}");
            let expected = if ticket.subject.starts_with("create") {
                "body"
            } else {
                ticket.subject.as_str()
            };
            assert_eq!(history[0].content, expected, "{engine}");
            assert_eq!(store.replay_ticket(*id).await.unwrap(), ticket, "{engine}");
        }
        // The autoreply limit holds across the group: 3 in the hour for this sender.
        let flagged = (1..24)
            .filter(|i| i % 3 != 0)
            .map(|i| format!("m{i}@customer.example"))
            .chain(["same@customer.example".to_string()]);
        let mut limited = 0;
        for m in flagged {
            if store
                .mail_flags(&m)
                .await
                .unwrap()
                .unwrap_or_default()
                .contains("no autoreply")
            {
                limited += 1;
            }
        }
        assert_eq!(
            limited, 14,
            "{engine}: of 17 mailed-in tickets, all but 3 held back"
        );
    }
}

/// Opening a ticket reads a queue and its custom fields in one go; that read agrees with the
/// two separate ones, for a queue with fields, one without, and one that does not exist.
#[tokio::test]
async fn a_queue_and_its_custom_fields_read_together() {
    use varde_core::ticket::custom_fields::CustomFieldDef;
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let defs = vec![
            CustomFieldDef {
                name: "Site".into(),
                allowed: vec!["no-osl1".into(), "se-sto2".into()],
            },
            CustomFieldDef {
                name: "Case".into(),
                allowed: vec![],
            },
        ];
        store
            .set_queue_custom_fields("General", &defs)
            .await
            .unwrap();
        let (queue, fields) = store
            .queue_with_custom_fields("general")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            Some(queue.clone()),
            store.queue("General").await.unwrap(),
            "{engine}"
        );
        assert_eq!(
            fields,
            store.queue_custom_fields("General").await.unwrap(),
            "{engine}"
        );
        assert_eq!(fields.len(), 2, "{engine}");
        let by_id = store
            .queue_with_custom_fields(&queue.id.to_string())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_id, (queue, fields), "{engine}");
        store.set_queue_custom_fields("General", &[]).await.unwrap();
        let (_, none) = store
            .queue_with_custom_fields("General")
            .await
            .unwrap()
            .unwrap();
        assert!(none.is_empty(), "{engine}");
        assert_eq!(
            store.queue_with_custom_fields("NoSuchQueue").await.unwrap(),
            None,
            "{engine}"
        );
    }
}
