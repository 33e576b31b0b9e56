//! Onboarding runs in the store: planning from a signed contract, claims and leases, how a
//! run completes and moves the organisation, and offboarding when every contract has ended.

use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::{Lifecycle, OrganizationForm};
use varde_core::onboarding::{RunKind, RunStatus, StepAction, StepState};
use varde_store::onboarding::{Outcome, StepAct};

use super::{stores, t};

fn contract(reference: &str, signed: &str, ends: &str) -> varde_core::contract::ContractDetails {
    ContractForm {
        reference: reference.into(),
        signed_on: signed.into(),
        starts_on: "2026-01-01".into(),
        ends_on: ends.into(),
        lines: vec![ProductLineForm {
            product_code: "SUPPORT-iaas.base".into(),
            quantity: "1".into(),
            site: String::new(),
        }],
    }
    .parse()
    .unwrap()
}

#[tokio::test]
async fn runs_claim_complete_and_move_the_organisation() {
    for (store, _dir) in stores().await {
        let now = t("2026-03-02T09:00:00Z");
        let org = store
            .create_organization(
                "cs@example.com",
                &OrganizationForm {
                    name: "Lund".into(),
                    country: "SE".into(),
                    ..Default::default()
                }
                .parse()
                .unwrap(),
                now,
            )
            .await
            .unwrap();
        let draft = store
            .create_contract("cs", org.id, &contract("L-DRAFT", "", ""), now)
            .await
            .unwrap();
        assert_eq!(
            store.start_onboarding(draft.id, "cs", now).await.unwrap(),
            None,
            "a draft starts nothing"
        );
        let signed = store
            .create_contract("cs", org.id, &contract("L-1", "2026-03-02", ""), now)
            .await
            .unwrap();
        // Eight at once (as several nodes might): one run.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.start_onboarding(signed.id, "cs", now).await })
            })
            .collect();
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(t.await.unwrap().unwrap().unwrap());
        }
        let run = ids[0];
        assert!(ids.iter().all(|i| *i == run), "{ids:?}");
        assert_eq!(store.runs_of(org.id).await.unwrap().len(), 1);
        assert_eq!(
            store.start_onboarding(signed.id, "cs", now).await.unwrap(),
            Some(run)
        );
        assert_eq!(store.open_runs().await.unwrap().len(), 1);
        let r = store.run(run).await.unwrap().unwrap();
        assert_eq!(r.kind, RunKind::Onboarding);
        assert_eq!(r.steps[0].action, StepAction::KeystoneDomain);
        assert_eq!(r.steps[0].due_on.to_string(), "2026-03-02");
        assert_eq!(
            store
                .organization(org.id)
                .await
                .unwrap()
                .unwrap()
                .details
                .lifecycle,
            Lifecycle::Onboarding
        );

        // One claim at a time; an expired one can be taken over; a retry waits its turn.
        let first = r.steps[0].id;
        let lease = t("2026-03-02T09:02:00Z");
        assert!(store.claim_step(first, now, lease).await.unwrap());
        assert!(
            !store.claim_step(first, now, lease).await.unwrap(),
            "claimed already"
        );
        assert!(
            store
                .claim_step(first, t("2026-03-02T09:03:00Z"), t("2026-03-02T09:05:00Z"))
                .await
                .unwrap(),
            "the lease lapsed"
        );
        // A long attempt keeps its claim by renewing it before it lapses; a lapsed one
        // cannot be renewed (another worker may hold it by then).
        assert!(
            !store
                .renew_step_lease(
                    first,
                    lease,
                    t("2026-03-02T09:04:00Z"),
                    t("2026-03-02T09:06:00Z")
                )
                .await
                .unwrap(),
            "the first claim's lease is no longer the step's: it was taken over"
        );
        assert!(
            store
                .renew_step_lease(
                    first,
                    t("2026-03-02T09:05:00Z"),
                    t("2026-03-02T09:04:00Z"),
                    t("2026-03-02T09:06:00Z")
                )
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_step(first, t("2026-03-02T09:05:30Z"), t("2026-03-02T09:08:00Z"))
                .await
                .unwrap(),
            "renewed: still held"
        );
        assert!(
            !store
                .renew_step_lease(
                    first,
                    t("2026-03-02T09:06:00Z"),
                    t("2026-03-02T09:06:01Z"),
                    t("2026-03-02T09:08:00Z")
                )
                .await
                .unwrap(),
            "lapsed: not renewed"
        );
        store
            .finish_step(
                first,
                &Outcome::RetryAt {
                    error: "down".into(),
                    at: t("2026-03-02T10:00:00Z"),
                },
                now,
            )
            .await
            .unwrap();
        assert!(
            !store
                .claim_step(first, t("2026-03-02T09:30:00Z"), lease)
                .await
                .unwrap(),
            "not before its time"
        );
        assert!(
            store
                .claim_step(first, t("2026-03-02T10:00:00Z"), t("2026-03-02T10:02:00Z"))
                .await
                .unwrap()
        );
        let r = store.run(run).await.unwrap().unwrap();
        assert_eq!(
            (
                r.steps[0].state,
                r.steps[0].attempts,
                r.steps[0].reason.as_str()
            ),
            (StepState::Running, 3, "down")
        );

        // Every step settled: the run is done and the organisation active.
        for s in &r.steps {
            if s.action.is_automated() {
                store
                    .claim_step(s.id, t("2026-03-02T11:00:00Z"), t("2026-03-02T11:01:00Z"))
                    .await
                    .unwrap();
                store
                    .finish_step(
                        s.id,
                        &Outcome::Done {
                            output: serde_json::json!({"n": 1}),
                            note: "ok".into(),
                        },
                        now,
                    )
                    .await
                    .unwrap();
            } else {
                assert!(
                    store
                        .act_on_step(
                            s.id,
                            StepAct::Skip("the customer declined"),
                            "cs@example.com",
                            now
                        )
                        .await
                        .unwrap()
                );
            }
        }
        let r = store.run(run).await.unwrap().unwrap();
        assert_eq!(r.status, RunStatus::Done);
        assert_eq!(r.steps[0].output["n"], 1);
        assert_eq!(
            store
                .organization(org.id)
                .await
                .unwrap()
                .unwrap()
                .details
                .lifecycle,
            Lifecycle::Active
        );
        let audit = store.audit_history(org.id, 10).await.unwrap();
        assert!(audit.iter().any(|e| {
            e.changes
                .iter()
                .any(|c| c.field == "lifecycle" && c.after == "active")
        }));
        let events = store.run_events(run).await.unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.message == "skipped: the customer declined"
                    && e.actor == "cs@example.com")
        );

        // Secrets nobody can collect any more are wiped once the run is over: here one
        // whose link is still open stays, one without an open link goes.
        let sealed = |label: &str| varde_store::onboarding::SealedSecret {
            contact: varde_core::ids::ContactId(1),
            label: label.into(),
            public_part: "p".into(),
            sealed: "00ff".into(),
        };
        store.keep_secret(run, &sealed("ec2"), now).await.unwrap();
        assert_eq!(store.wipe_uncollectable_secrets(now).await.unwrap(), 1);
        store.keep_secret(run, &sealed("ec2"), now).await.unwrap();
        store
            .add_secret_link(
                "digest",
                run,
                varde_core::ids::ContactId(1),
                t("2026-03-09T09:00:00Z"),
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            store.wipe_uncollectable_secrets(now).await.unwrap(),
            0,
            "the link is open"
        );
        assert_eq!(
            store
                .wipe_uncollectable_secrets(t("2026-03-10T00:00:00Z"))
                .await
                .unwrap(),
            1,
            "expired"
        );

        // While a contract runs nothing happens; when every contract has ended, offboarding
        // starts, once.
        assert!(
            store
                .start_due_offboardings("2026-12-31".parse().unwrap(), now)
                .await
                .unwrap()
                .is_empty()
        );
        store
            .update_contract(
                "cs",
                signed.id,
                &contract("L-1", "2026-03-02", "2026-12-31"),
                now,
            )
            .await
            .unwrap();
        assert!(
            store
                .start_due_offboardings("2026-12-31".parse().unwrap(), now)
                .await
                .unwrap()
                .is_empty(),
            "in force on its last day"
        );
        let off = store
            .start_due_offboardings("2027-01-01".parse().unwrap(), now)
            .await
            .unwrap();
        assert_eq!(off.len(), 1);
        assert!(
            store
                .start_due_offboardings("2027-01-02".parse().unwrap(), now)
                .await
                .unwrap()
                .is_empty()
        );
        let o = store.run(off[0]).await.unwrap().unwrap();
        assert_eq!(o.kind, RunKind::Offboarding);
        assert_eq!(o.contract, Some(signed.id));
        assert_eq!(
            o.steps.last().unwrap().due_on.to_string(),
            "2027-01-30",
            "removal after 30 days' grace"
        );
    }
}
