//! The demo onboarding runs: one finished, one in progress.

use anyhow::Context;
use jiff::Timestamp;
use varde_store::Store;

use super::ADMIN;
use super::customers::demo_contract;

/// Onboarding: KTH's finished run (its history and timeline), and Polar Data Institute,
/// whose contract was signed three days ago, in progress. Without `--keystone-url` the
/// board shows Polar's OpenStack steps blocked, saying what is missing.
pub(super) async fn seed_onboarding(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    use varde_core::catalogue::{Service, SupportTier};
    use varde_core::onboarding::{RunKind, StepAction, default_templates, plan};
    use varde_store::onboarding::{Outcome, StepAct};

    let day = |n: i64| now - jiff::SignedDuration::from_hours(24 * n);
    let Some(kth) = store
        .find_organization("KTH Royal Institute of Technology")
        .await?
    else {
        return Ok(());
    };
    let contract = store.contracts_of(kth).await?.into_iter().next();
    if let Some(c) = contract {
        let signed = c.details.signed_on.unwrap_or(c.details.starts_on);
        let steps = plan(
            &default_templates(),
            SupportTier::Premium,
            &[Service::Compute, Service::Storage, Service::Backup],
            signed,
        );
        let started = signed
            .to_zoned(jiff::tz::TimeZone::get("Europe/Stockholm")?)?
            .timestamp()
            + jiff::SignedDuration::from_hours(10);
        let run = store
            .start_run(
                kth,
                Some(c.id),
                RunKind::Onboarding,
                &steps,
                ADMIN.0,
                started,
            )
            .await?;
        let r = store.run(run).await?.context("the demo run")?;
        for (i, s) in r.steps.iter().enumerate() {
            let at = started + jiff::SignedDuration::from_mins(7 * i as i64 + 1);
            if s.action == StepAction::Manual {
                store
                    .act_on_step(s.id, StepAct::Complete, "manager@example.com", at)
                    .await?;
            } else {
                store.claim_step(s.id, at, at).await?;
                let note = format!("{} (demo history)", s.action.label());
                store
                    .finish_step(
                        s.id,
                        &Outcome::Done {
                            output: serde_json::json!({}),
                            note,
                        },
                        at,
                    )
                    .await?;
            }
        }
    }
    let Some(polar) = store.find_organization("Polar Data Institute").await? else {
        return Ok(());
    };
    let signed = day(3)
        .to_zoned(jiff::tz::TimeZone::get("Europe/Stockholm")?)
        .date();
    let signed = signed.to_string();
    let c = demo_contract(
        "SIKT-POLAR-2026",
        &signed,
        &signed,
        &[
            ("SUPPORT-premium", "1", ""),
            ("COMPUTE", "4", "no-osl1"),
            ("STORAGE-S3", "1", "no-osl1"),
        ],
    )?;
    let contract = store.create_contract(ADMIN.0, polar, &c, day(3)).await?;
    store.start_onboarding(contract.id, ADMIN.0, day(3)).await?;
    Ok(())
}
