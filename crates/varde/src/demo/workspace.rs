//! The service manager's workspace in the demo: Sikt and KTH (both premium) each held last
//! quarter's meeting, with minutes and action items (one a ticket); Sikt's meeting this quarter
//! is booked (its invitations wait in the letter queue), KTH's is due. Both asked for GPU
//! instances, filed as one roadmap item under consideration since their meetings; KTH's wish
//! for IPv6 is not filed yet.

use std::sync::Arc;

use jiff::Timestamp;
use varde_app::workspace::meetings::Sender;
use varde_app::{Acting, App};
use varde_core::access::TokenScope;
use varde_core::ids::OrganizationId;
use varde_core::report::Period;
use varde_core::workspace::meetings::{ActionItemForm, MeetingForm};
use varde_core::workspace::roadmap::ItemForm;
use varde_store::Store;
use varde_store::roadmap::FeedbackNote;
use varde_store::workspace::Minutes;

/// A day and time as the booking form takes them, `days` after the start of `quarter`.
fn form_at(quarter: &Period, days: i64, attendees: &str) -> MeetingForm {
    let day = quarter.from.saturating_add(jiff::Span::new().days(days));
    MeetingForm {
        date: day.to_string(),
        time: "10:00".into(),
        minutes: "60".into(),
        place: "Video: https://meet.example.com/qbr".into(),
        attendees: attendees.into(),
    }
}

pub async fn seed_workspace(store: &Store, rtname: &str, now: Timestamp) -> anyhow::Result<()> {
    let app = App::new(store.clone(), Arc::new(move || now));
    let accounts = store.accounts().await?;
    let Some(manager) = accounts
        .iter()
        .find(|a| a.email.as_str() == "manager@example.com")
    else {
        return Ok(());
    };
    let by = Acting::new(manager.actor(TokenScope::Write), manager.name.clone());
    let sender = Sender {
        from: format!("support@{rtname}"),
        host: rtname.to_string(),
    };
    let today = now.to_zoned(app.office_zone()).date();
    let this = Period::quarter_of(today);
    let last = Period::quarter_of(this.from.yesterday()?);
    let (Some(sikt), Some(kth)) = (
        store.find_organization("Sikt").await?,
        store.find_organization("KTH").await?,
    ) else {
        return Ok(());
    };
    let sikt_people = "Ingrid Nilsen <ingrid.nilsen@sikt.no>\nMats Manager <manager@example.com>";
    let kth_people = "Sara Lindqvist <sara.lindqvist@kth.se>\nMats Manager <manager@example.com>";
    let held = [
        (
            sikt,
            40,
            sikt_people,
            "Capacity in Oslo is tight for the research groups' GPU work. The storage incident in Oslo was reviewed; the root cause report was accepted.",
            "Sikt gets a quota raise for S3 in Oslo.",
        ),
        (
            kth,
            47,
            kth_people,
            "SLA met on every target. KTH plans a new AI lab and asked about GPU instances and IPv6.",
            "Quarterly meetings stay on video.",
        ),
    ];
    for (org, days, people, notes, decisions) in held {
        let m = app
            .book_meeting(&by, org, &form_at(&last, days, people), &sender)
            .await?;
        app.record_meeting(
            &by,
            m.id,
            &Minutes {
                attendees: people.into(),
                notes: notes.into(),
                decisions: decisions.into(),
                shared: true,
            },
            true,
        )
        .await?;
        seed_actions(&app, &by, m.id, org == sikt, today).await?;
    }
    // Sikt's meeting this quarter is booked, twelve days from now (or the quarter's last
    // weekday, late in a quarter).
    let mut day = today.saturating_add(jiff::Span::new().days(12));
    if day >= this.until {
        day = this.until.yesterday()?;
    }
    let days = (day - this.from).get_days() as i64;
    app.book_meeting(&by, sikt, &form_at(&this, days, sikt_people), &sender)
        .await?;
    seed_roadmap(&app, &by, sikt, kth).await?;
    // Health as the daily run scored it, weekly over the last quarter (from the data as it
    // stands: tickets and meetings dated later count as not there yet), and today.
    for weeks in (0..=12).rev() {
        let then = now - jiff::SignedDuration::from_hours(24 * 7 * weeks);
        App::new(store.clone(), Arc::new(move || then))
            .run_health()
            .await?;
    }
    Ok(())
}

async fn seed_actions(
    app: &App,
    by: &Acting,
    meeting: i64,
    sikt: bool,
    today: jiff::civil::Date,
) -> anyhow::Result<()> {
    let due = today.saturating_add(jiff::Span::new().days(14)).to_string();
    let items: &[(&str, &str, Option<&str>)] = if sikt {
        &[
            (
                "Raise Sikt's S3 quota in Oslo to 400 TB",
                "Mats Manager",
                Some("General"),
            ),
            (
                "Send the root cause report of the Oslo storage incident",
                "Mats Manager",
                None,
            ),
        ]
    } else {
        &[(
            "Find out when GPU instances can come to Stockholm",
            "Mats Manager",
            None,
        )]
    };
    for (text, owner, queue) in items {
        let form = ActionItemForm {
            text: (*text).into(),
            owner: (*owner).into(),
            due_on: due.clone(),
        };
        app.add_action_item(by, meeting, &form, *queue).await?;
    }
    if sikt {
        // The report was sent: that item is done.
        let m = app.meeting(&by.actor, meeting).await?;
        let sent = app
            .store
            .action_items_of(m.organization)
            .await?
            .into_iter()
            .find(|i| i.meeting == meeting && i.text.starts_with("Send"));
        if let Some(item) = sent {
            app.finish_action_item(by, item.id, true).await?;
        }
    }
    Ok(())
}

async fn seed_roadmap(
    app: &App,
    by: &Acting,
    sikt: OrganizationId,
    kth: OrganizationId,
) -> anyhow::Result<()> {
    let meetings_of = |org| async move {
        app.store
            .meetings_of(org)
            .await
            .map(|ms| ms.first().map(|m| m.id))
    };
    let asks = [
        (
            sikt,
            "GPU instances in Oslo for the research groups",
            "Ingrid Nilsen",
        ),
        (kth, "GPU flavours for the new AI lab", "Sara Lindqvist"),
    ];
    let mut filed = Vec::new();
    for (org, text, who) in asks {
        let note = FeedbackNote {
            text: text.into(),
            asked_by: who.into(),
            meeting: meetings_of(org).await?,
            ticket: None,
        };
        if let Some(id) = app.add_feedback(by, org, &note).await? {
            filed.push(id);
        }
    }
    app.add_feedback(
        by,
        kth,
        &FeedbackNote {
            text: "IPv6 on floating IPs".into(),
            asked_by: "Sara Lindqvist".into(),
            meeting: meetings_of(kth).await?,
            ticket: None,
        },
    )
    .await?;
    let gpu = app
        .create_roadmap_item(
            by,
            &ItemForm {
                title: "GPU instances".into(),
                service: "compute".into(),
                state: "new".into(),
                reason: String::new(),
            },
            &filed,
        )
        .await?;
    // Under consideration since the meetings: both customers hear it at their next one.
    app.update_roadmap_item(
        by,
        gpu,
        &ItemForm {
            title: "GPU instances".into(),
            service: "compute".into(),
            state: "under_consideration".into(),
            reason: "We are pricing GPU nodes for Oslo and Stockholm; a decision comes in the first quarter.".into(),
        },
    )
    .await?;
    Ok(())
}

/// Sikt's primary contact has invited a colleague to the portal who has not chosen a
/// password yet: the portal's colleagues page shows the invitation, the mail queue its letter.
pub async fn seed_colleagues(store: &Store, base: &str, now: Timestamp) -> anyhow::Result<()> {
    let app = App::new(store.clone(), Arc::new(move || now));
    let Some((ingrid, _)) = store
        .account_for_login(&varde_core::values::EmailAddress::parse(
            "ingrid.nilsen@sikt.no",
        )?)
        .await?
    else {
        return Ok(());
    };
    let by = Acting::new(ingrid.actor(TokenScope::Write), ingrid.email.to_string());
    let me = app.portal_contact(&by, None).await?;
    let ola = varde_app::colleagues::ColleagueForm {
        name: "Ola Hansen".into(),
        email: "ola.hansen@sikt.no".into(),
        language: String::new(),
    };
    app.invite_colleague(&by, &me, &ola, base).await?;
    Ok(())
}
