//! Changes to two tickets at once (merges, links recorded on both), on both engines.

use varde_core::ticket::TicketId;
use varde_core::ticket::history::Change;
use varde_store::tickets::TicketError;

use super::tickets::creation;
use super::{stores, t};

/// Two tickets changed together change whole or not at all: merges of two tickets into each
/// other, started at once, end with exactly one merged into the other, and each history
/// records its side.
#[tokio::test]
async fn a_pair_of_tickets_changes_together_or_not_at_all() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let now = t("2026-01-01T00:00:00Z");
        let a = store
            .create_ticket("x@x.example", creation("a", "r@x.example"), &[], 0, now)
            .await
            .unwrap()
            .id;
        let b = store
            .create_ticket("x@x.example", creation("b", "r@x.example"), &[], 0, now)
            .await
            .unwrap()
            .id;
        let merge = |from: TicketId, into: TicketId| {
            let store = store.clone();
            async move {
                store
                    .change_ticket_pair(
                        from,
                        into,
                        "agent@x.example",
                        |f, i| {
                            if f.is_merged() || i.is_merged() {
                                Err("already merged".to_string())
                            } else {
                                Ok((
                                    vec![Change::MergedInto { into }],
                                    vec![Change::Merged { from }],
                                ))
                            }
                        },
                        now,
                    )
                    .await
            }
        };
        let results = futures_util::future::join_all(
            (0..8).map(|i| if i % 2 == 0 { merge(a, b) } else { merge(b, a) }),
        )
        .await;
        let done = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(done, 1, "{engine}: {results:?}");
        let (ta, tb) = (
            store.ticket(a).await.unwrap().unwrap(),
            store.ticket(b).await.unwrap().unwrap(),
        );
        assert!(ta.is_merged() != tb.is_merged(), "{engine}");
        let merged_in = |id| {
            let store = store.clone();
            async move {
                store
                    .history(id)
                    .await
                    .unwrap()
                    .iter()
                    // A survivor's history shows the merged ticket's too: count its own.
                    .filter(|e| {
                        e.transaction.ticket == id
                            && matches!(
                                e.transaction.change,
                                Change::Merged { .. } | Change::MergedInto { .. }
                            )
                    })
                    .count()
            }
        };
        assert_eq!((merged_in(a).await, merged_in(b).await), (1, 1), "{engine}");
        // A refusal changes neither.
        let refused = store
            .change_ticket_pair(a, b, "x", |_, _| Err("no".to_string()), now)
            .await;
        assert!(matches!(refused, Err(TicketError::Refused(_))));
        assert_eq!((merged_in(a).await, merged_in(b).await), (1, 1), "{engine}");
    }
}

/// TicketSQL on links, as RT's clients send it: by relation, with a number or RT's URI, and
/// `LinkedTo` / `LinkedFrom` for any relation from either side.
#[tokio::test]
async fn links_are_searched_from_both_tickets() {
    use varde_core::access::Visibility;
    use varde_core::ticket::LinkKind;
    use varde_store::ticket_search::SearchRequest;
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let now = t("2026-01-01T00:00:00Z");
        let mut ids = vec![];
        for s in ["a", "b", "c"] {
            ids.push(
                store
                    .create_ticket("x@x.example", creation(s, "r@x.example"), &[], 0, now)
                    .await
                    .unwrap()
                    .id,
            );
        }
        let (a, b) = (ids[0], ids[1]);
        store
            .change_ticket_pair(
                a,
                b,
                "agent@x.example",
                |_, _| {
                    Ok((
                        vec![Change::AddLink {
                            kind: LinkKind::DependsOn,
                            target: b,
                        }],
                        vec![Change::AddLink {
                            kind: LinkKind::DependedOnBy,
                            target: a,
                        }],
                    ))
                },
                now,
            )
            .await
            .unwrap();
        let search = |q: String| {
            let store = store.clone();
            async move {
                let query = varde_rt::ticketsql::parse(&q).unwrap();
                store
                    .search_tickets(&SearchRequest {
                        query: &query,
                        visibility: Visibility::All,
                        order_by: "id",
                        descending: false,
                        offset: 0,
                        limit: 10,
                        now,
                    })
                    .await
                    .unwrap()
                    .map(|p| p.ids)
            }
        };
        for (q, want) in [
            (format!("DependsOn = {b}"), vec![a]),
            (format!("DependedOnBy = {a}"), vec![b]),
            (
                format!("DependsOn = 'fsck.com-rt://x.example/ticket/{b}'"),
                vec![a],
            ),
            (format!("LinkedTo = {b}"), vec![a]),
            (format!("LinkedFrom = {a}"), vec![b]),
            ("DependsOn IS NOT NULL".to_string(), vec![a]),
            (format!("RefersTo = {b}"), vec![]),
            (format!("DependsOn != {b}"), vec![b, ids[2]]),
        ] {
            assert_eq!(search(q.clone()).await.unwrap(), want, "{engine}: {q}");
        }
        assert!(search(format!("DependsOn LIKE '{b}'")).await.is_err());
    }
}
