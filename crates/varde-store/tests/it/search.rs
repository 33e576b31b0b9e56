//! TicketSQL over the store on both engines: which tickets each query finds, in order, with
//! the count; subjects through their trigram index; a customer's scope; paging; bad values.

use varde_core::access::Visibility;
use varde_core::ids::OrganizationId;
use varde_core::ticket::TicketId;
use varde_core::ticket::history::{TicketField, correspond, set_field, set_owner, set_status};
use varde_core::ticket::lifecycle::Status;
use varde_rt::ticketsql::{MAX_CONDITIONS, MAX_DEPTH};
use varde_store::ticket_search::{SearchError, SearchPage, SearchRequest};
use varde_store::tickets::NewAttachment;

use super::tickets::creation;
use super::{stores, t};

/// Query → ids, on every engine, over a small fixed set of tickets.
#[tokio::test]
async fn ticketsql_result_sets() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let mut ids = vec![];
        let specs = [
            (
                "Disk full on vol-9",
                "carol@customer.example",
                "General",
                Status::New,
                "The volume is full of logs",
            ),
            (
                "Cannot log in",
                "dave@other.example",
                "General",
                Status::Open,
                "Keystone says 401",
            ),
            (
                "Backup failed",
                "carol@customer.example",
                "Backup",
                Status::Resolved,
                "The nightly backup failed",
            ),
            (
                "Quota increase",
                "erin@third.example",
                "General",
                Status::Stalled,
                "Please raise our quota",
            ),
        ];
        store
            .create_queue("Backup", "", "", "", t("2026-01-01T00:00:00Z"))
            .await
            .unwrap();
        for (i, (subject, req, queue, status, body)) in specs.iter().enumerate() {
            let mut c = creation(subject, req);
            c.queue = queue.to_string();
            c.status = if status.may_create_in() {
                *status
            } else {
                Status::New
            };
            c.priority = i as i64 * 10;
            if i == 3 {
                c.custom_fields
                    .insert("Site".into(), vec!["se-sto1".into()]);
                c.organization = Some(OrganizationId(5));
            }
            let created = store
                .create_ticket(
                    req,
                    c,
                    &[NewAttachment::text(body)],
                    0,
                    t(&format!("2026-01-0{}T12:00:00Z", i + 1)),
                )
                .await
                .unwrap();
            if *status == Status::Stalled {
                store
                    .change_ticket(
                        created.id,
                        "agent@example.com",
                        |t| Ok(set_status(t, Status::Stalled)),
                        &[],
                        0,
                        t("2026-01-10T00:00:00Z"),
                    )
                    .await
                    .unwrap();
            }
            ids.push(created.id.0);
        }
        store
            .change_ticket(
                TicketId(ids[1]),
                "agent@example.com",
                |t| Ok(set_owner(t, Some("agent@example.com".into()))),
                &[],
                0,
                t("2026-01-10T00:00:00Z"),
            )
            .await
            .unwrap();
        let cases: &[(&str, &[usize])] = &[
            ("", &[0, 1, 2, 3]),
            ("Status = '__Active__'", &[0, 1, 3]),
            ("Status = '__Inactive__'", &[2]),
            ("Queue = 'general' AND Status != 'new'", &[1, 3]),
            ("Requestor.EmailAddress = 'CAROL@customer.example'", &[0, 2]),
            ("Requestor LIKE 'other'", &[1]),
            ("Owner = 'Nobody'", &[0, 2, 3]),
            ("Owner = 'agent@example.com'", &[1]),
            ("Subject LIKE 'disk' OR Priority >= 30", &[0, 3]),
            // Through the subjects' trigram index: any case, inside words, across words.
            ("Subject LIKE 'DISK'", &[0]),
            ("Subject LIKE 'ota incr'", &[3]),
            ("Subject NOT LIKE 'full'", &[1, 2, 3]),
            // Too short for a trigram, or with LIKE's wildcards: read subject by subject.
            ("Subject LIKE 'lo'", &[1]),
            ("Subject LIKE 'vol-9'", &[0]),
            ("Subject LIKE '100%'", &[]),
            ("Subject LIKE 'l_g'", &[]),
            ("CF.{Site} = 'se-sto1'", &[3]),
            ("'CF.{Site}' IS NULL", &[0, 1, 2]),
            ("Created = '2026-01-02'", &[1]),
            ("Created > '2026-01-02' AND Created < '2026-01-04'", &[2]),
            ("Due IS NULL AND id > 0", &[0, 1, 2, 3]),
            ("Content LIKE 'keystone'", &[1]),
            (
                "Content LIKE 'backup failed' OR Content LIKE 'quota'",
                &[2, 3],
            ),
            ("Organization = 5", &[3]),
        ];
        for (query, expect) in cases {
            let (got, total) = search_ids(&store, query).await;
            let want: Vec<i64> = expect.iter().map(|i| ids[*i]).collect();
            assert_eq!(got, want, "{engine}: {query}");
            assert_eq!(total as usize, expect.len());
        }
        // A changed subject is found by its new words, not by its old ones.
        store
            .change_ticket(
                TicketId(ids[0]),
                "agent@example.com",
                |t| {
                    Ok(
                        set_field(t, TicketField::Subject, "Volume vol-9 detached".into())
                            .into_iter()
                            .collect(),
                    )
                },
                &[],
                0,
                t("2026-01-11T00:00:00Z"),
            )
            .await
            .unwrap();
        for (query, expect) in [
            ("Subject LIKE 'detach'", vec![ids[0]]),
            ("Subject LIKE 'disk full'", vec![]),
        ] {
            assert_eq!(
                search_ids(&store, query).await.0,
                expect,
                "{engine}: {query}"
            );
        }
        // A customer of organisation 5 finds only its own ticket, whatever it asks.
        let page = search(&store, "", Visibility::Only(OrganizationId(5)))
            .await
            .unwrap();
        assert_eq!(page.ids, [TicketId(ids[3])]);
        // Paging and order.
        let q = varde_rt::ticketsql::parse("").unwrap();
        let page = store
            .search_tickets(&SearchRequest {
                query: &q,
                visibility: Visibility::All,
                order_by: "Priority",
                descending: true,
                offset: 1,
                limit: 2,
                now: t("2026-02-01T00:00:00Z"),
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (page.ids.iter().map(|i| i.0).collect::<Vec<_>>(), page.total),
            (vec![ids[2], ids[1]], 4)
        );
        // A bad value is a message, not a database error.
        let r = search(&store, "Created > 'last tuesday'", Visibility::All).await;
        assert!(r.unwrap_err().0.contains("not a date"));
        // The largest query the parser accepts runs on both engines: the deepest nesting and
        // the most conditions, each condition a subquery (watchers) where it can be.
        let widest = vec!["Requestor LIKE 'x' OR id > 0"; MAX_CONDITIONS / 2].join(" AND ");
        let deepest = format!("{}id > 0{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        for query in [widest, deepest] {
            assert_eq!(search_ids(&store, &query).await.1, 4, "{engine}");
        }
    }
}

/// Text is found by the first search after it is written, whether it was indexed when written
/// (PostgreSQL) or waited to be indexed with others (SQLite): a new ticket's subject and text,
/// a subject changed while it still waited, a reply's text, a mailed reply's. Text nobody
/// searches for does not wait for ever: the writer indexes it every so many commits.
#[tokio::test]
async fn text_is_found_at_once_whether_indexed_or_still_waiting() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let now = t("2026-12-04T10:00:00Z");
        let ticket = store
            .create_ticket(
                "agent@example.com",
                creation("Router melted", "carol@customer.example"),
                &[NewAttachment::text("after the firmware upgrade")],
                0,
                now,
            )
            .await
            .unwrap();
        let retitle = |t: &_| {
            Ok(set_field(t, TicketField::Subject, "Router replaced".into())
                .into_iter()
                .collect())
        };
        store
            .change_ticket(ticket.id, "agent@example.com", retitle, &[], 0, now)
            .await
            .unwrap();
        let reply = |text: String| {
            let store = &store;
            async move {
                let text = [NewAttachment::text(&text)];
                let to = |t: &_| Ok(correspond(t));
                store
                    .change_ticket(ticket.id, "agent@example.com", to, &text, 0, now)
                    .await
                    .unwrap();
            }
        };
        reply("a zeppelin brings the spare".into()).await;
        // A mailed reply (the gateway's own way onto a ticket) is found as well.
        let delivered = store
            .deliver_mail(varde_store::mail::Delivery {
                raw: b"Message-ID: <gondola@customer.example>\n\nby gondola\n",
                message_id: Some("gondola@customer.example"),
                related_ids: &[],
                tagged: Some(ticket.id),
                queue: "General",
                comment: false,
                sender: "carol@customer.example",
                subject: "Re: Router replaced",
                organization: None,
                parts: vec![NewAttachment::text("the spare comes by gondola")],
                flags: vec![],
                automatic: false,
                now,
            })
            .await
            .unwrap();
        assert!(
            matches!(delivered, varde_store::mail::Delivered::Added { .. }),
            "{engine}: {delivered:?}"
        );
        for (query, found) in [
            ("Subject LIKE 'replaced'", true),
            ("Subject LIKE 'melted'", false),
            ("Content LIKE 'firmware'", true),
            ("Content LIKE 'zeppelin'", true),
            ("Content LIKE 'gondola'", true),
        ] {
            let want = if found { vec![ticket.id.0] } else { vec![] };
            assert_eq!(search_ids(&store, query).await.0, want, "{engine}: {query}");
        }
        assert_eq!(varde_store::testing::text_waiting(&store).await.unwrap(), 0);
        for i in 0..64 {
            let subject = format!("Unsearched {i}");
            store
                .create_ticket(
                    "agent@example.com",
                    creation(&subject, "carol@customer.example"),
                    &[NewAttachment::text("quiet")],
                    0,
                    now,
                )
                .await
                .unwrap();
        }
        let waiting = varde_store::testing::text_waiting(&store).await.unwrap();
        assert!(
            waiting < 2 * 64,
            "{engine}: {waiting} texts wait after 64 commits"
        );
        let (found, _) = search_ids(&store, "Subject LIKE 'Unsearched 63'").await;
        assert_eq!(found.len(), 1, "{engine}");
        // Replies (written beside the embedded writer) count as well.
        for i in 0..64 {
            reply(format!("reply {i}")).await;
        }
        let waiting = varde_store::testing::text_waiting(&store).await.unwrap();
        assert!(
            waiting < 64,
            "{engine}: {waiting} texts wait after 64 replies"
        );
    }
}

/// A search as an agent's list asks it (by id, the first 100), as `visibility` sees.
async fn search(
    store: &varde_store::Store,
    query: &str,
    visibility: Visibility,
) -> Result<SearchPage, SearchError> {
    let q = varde_rt::ticketsql::parse(query).unwrap();
    store
        .search_tickets(&SearchRequest {
            query: &q,
            visibility,
            order_by: "id",
            descending: false,
            offset: 0,
            limit: 100,
            now: t("2026-02-01T00:00:00Z"),
        })
        .await
        .unwrap()
}

/// Every ticket `query` finds (ids in order), and the count the search gave.
async fn search_ids(store: &varde_store::Store, query: &str) -> (Vec<i64>, i64) {
    let page = search(store, query, Visibility::All).await.unwrap();
    (page.ids.iter().map(|i| i.0).collect(), page.total)
}
