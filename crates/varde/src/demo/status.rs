//! The demo mail and the status page it is about: a customer's mail about an S3 outage,
//! delivered through the gateway, and the status page's components, history, incidents and
//! maintenance.

use jiff::Timestamp;
use varde_store::Store;

use super::CUSTOMER;

/// A mail as a customer's mail client sends it: HTML with a plain-text alternative and a log
/// file attached, delivered through the same gateway as real mail.
const DEMO_MAIL: &str = "From: Priya Raman <priya@northwind.example>\r\nTo: support@support.example\r\nSubject: Object storage returns 503 on PUT\r\nMessage-ID: <demo-mail-1@northwind.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSince 07:10 every PUT to bucket nw-exports answers 503. Log attached.\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Since <b>07:10</b> every PUT to bucket <code>nw-exports</code> answers 503.</p><script>alert('never runs')</script>\r\n--alt--\r\n--outer\r\nContent-Type: text/plain; name=\"s3-client.log\"\r\nContent-Disposition: attachment; filename=\"s3-client.log\"\r\n\r\nPUT /nw-exports/2026-11-23.csv -> 503 SlowDown\r\n--outer--\r\n";

/// Delivers the demo mail, then posts the status-page incident it is about.
pub async fn seed_mail(store: &Store, rtname: &str, now: Timestamp) -> anyhow::Result<()> {
    let answer = varde_app::mail::deliver(
        store,
        rtname,
        DEMO_MAIL.as_bytes(),
        "General",
        "correspond",
        None,
        now,
    )
    .await;
    let ticket = match answer {
        varde_app::mail::Answer::Ok(
            varde_store::mail::Delivered::Created { ticket, .. }
            | varde_store::mail::Delivered::Added { ticket, .. },
        ) => Some(ticket.0),
        varde_app::mail::Answer::Ok(_) => None,
        other => anyhow::bail!("demo mail: {}", other.text()),
    };
    seed_status(store, ticket, now).await
}

/// The status page: Compute, Storage and Backup at each site, 120 days of history with two
/// resolved incidents and a completed maintenance, an open incident linked to the demo mail's
/// ticket, and a maintenance window ahead that starts and completes by itself.
async fn seed_status(store: &Store, ticket: Option<i64>, now: Timestamp) -> anyhow::Result<()> {
    use varde_core::catalogue::{Service, Site};
    use varde_core::status::{EventForm, EventKind, UpdateForm};
    use varde_store::status::NewComponent;
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm")?;
    let ago = |days: i64, hours: i64| now - jiff::SignedDuration::from_hours(24 * days + hours);
    let born = ago(120, 0);
    let mut ids = std::collections::HashMap::new();
    for site in Site::ALL {
        let group = store
            .create_component(
                &NewComponent {
                    name: site.label().to_string(),
                    is_group: true,
                    site: Some(*site),
                    ..Default::default()
                },
                born,
            )
            .await?;
        for service in Service::ALL {
            let c = store
                .create_component(
                    &NewComponent {
                        name: format!("{} — {}", service.label(), site.code()),
                        group_id: Some(group.id),
                        service: Some(*service),
                        site: Some(*site),
                        ..Default::default()
                    },
                    born,
                )
                .await?;
            ids.insert((*service, *site), c.id);
        }
    }
    let id = |service, site| ids[&(service, site)];
    let incident = |name: &str, impact: &str, body: &str, components: Vec<(i64, &str)>| EventForm {
        name: name.into(),
        impact: impact.into(),
        body: body.into(),
        components: components
            .into_iter()
            .map(|(c, s)| (c, s.to_string()))
            .collect(),
        ..Default::default()
    };
    let update = |status: &str, body: &str| {
        UpdateForm {
            status: status.into(),
            body: body.into(),
            components: vec![],
        }
        .parse(EventKind::Incident)
    };
    let author = "agent@example.com";
    let bad = |e: varde_core::form::FieldErrors| anyhow::anyhow!("demo status: {}", e.summary());

    // 45 days ago: 40 minutes of Compute down in Luleå.
    let e = incident(
        "Compute unavailable in Luleå",
        "critical",
        "Instances in se-lla1 are unreachable. We are investigating.",
        vec![(id(Service::Compute, Site::Lulea), "major_outage")],
    )
    .parse(EventKind::Incident, &tz)
    .map_err(bad)?;
    let first = store.create_event(&e, author, ago(45, 3)).await?;
    store
        .add_event_update(
            first,
            &update(
                "identified",
                "A top-of-rack switch failed; traffic is moving to its pair.",
            )
            .map_err(bad)?,
            author,
            ago(45, 3) + jiff::SignedDuration::from_mins(15),
        )
        .await?;
    store
        .add_event_update(
            first,
            &update("resolved", "All instances are reachable again.").map_err(bad)?,
            author,
            ago(45, 3) + jiff::SignedDuration::from_mins(40),
        )
        .await?;

    // 20 days ago: two hours of slow object storage in Oslo.
    let e = incident(
        "Slow object storage in Oslo",
        "major",
        "S3 requests in no-osl1 are slow and some fail.",
        vec![(id(Service::Storage, Site::Oslo), "partial_outage")],
    )
    .parse(EventKind::Incident, &tz)
    .map_err(bad)?;
    let second = store.create_event(&e, author, ago(20, 5)).await?;
    store
        .add_event_update(
            second,
            &update(
                "monitoring",
                "A rebalancing Ceph OSD was throttled; latency is back to normal.",
            )
            .map_err(bad)?,
            author,
            ago(20, 4),
        )
        .await?;
    store
        .add_event_update(
            second,
            &update("resolved", "Object storage in Oslo is fully operational.").map_err(bad)?,
            author,
            ago(20, 3),
        )
        .await?;

    // 10 days ago: a completed maintenance of Backup in Stockholm.
    let m = EventForm {
        name: "Backup software upgrade in Stockholm".into(),
        body: "Backup jobs will be paused during the upgrade.".into(),
        components: vec![(
            id(Service::Backup, Site::Stockholm),
            "under_maintenance".into(),
        )],
        scheduled_for: (ago(10, 2)).to_string(),
        scheduled_until: (ago(10, 0)).to_string(),
        auto_start: true,
        auto_complete: true,
        ..Default::default()
    }
    .parse(EventKind::Maintenance, &tz)
    .map_err(bad)?;
    store.create_event(&m, author, ago(17, 0)).await?;
    store.advance_maintenances(ago(10, 2)).await?;
    store.advance_maintenances(ago(10, 0)).await?;

    // Now: elevated S3 errors in Stockholm, linked to the customer's ticket about 503s.
    let e = incident(
        "Elevated S3 error rates in Stockholm",
        "minor",
        "Some PUT requests to object storage in se-sto1 answer 503 SlowDown.",
        vec![(
            id(Service::Storage, Site::Stockholm),
            "degraded_performance",
        )],
    )
    .parse(EventKind::Incident, &tz)
    .map_err(bad)?;
    let open = store.create_event(&e, author, ago(0, 2)).await?;
    store
        .add_event_update(
            open,
            &update(
                "identified",
                "A gateway node rejects writes under load; we are replacing it.",
            )
            .map_err(bad)?,
            author,
            ago(0, 1),
        )
        .await?;
    if let Some(t) = ticket {
        store.link_event_ticket(open, t).await?;
    }

    // In five days: a Ceph upgrade in Oslo that starts and completes on time by itself.
    let m = EventForm {
        name: "Ceph upgrade in Oslo".into(),
        body: "Rolling upgrade of the storage cluster; requests may be slower for short periods."
            .into(),
        components: vec![(id(Service::Storage, Site::Oslo), "under_maintenance".into())],
        scheduled_for: (now + jiff::SignedDuration::from_hours(24 * 5)).to_string(),
        scheduled_until: (now + jiff::SignedDuration::from_hours(24 * 5 + 3)).to_string(),
        auto_start: true,
        auto_complete: true,
        ..Default::default()
    }
    .parse(EventKind::Maintenance, &tz)
    .map_err(bad)?;
    store.create_event(&m, author, ago(0, 3)).await?;

    // Subscribers: the Sikt contact by e-mail to everything (confirmed, in Norwegian), and an
    // on-call phone for Oslo storage. Without --smtp and --sms-gateway their notifications
    // wait, visible in each incident's delivery log.
    use varde_core::status::subscription::SubscriptionForm;
    let subscriptions = [
        SubscriptionForm {
            channel: "email".into(),
            target: CUSTOMER.0.into(),
            language: "nb".into(),
            ..Default::default()
        },
        SubscriptionForm {
            channel: "sms".into(),
            target: "+47 912 34 567".into(),
            language: "nb".into(),
            components: vec![id(Service::Storage, Site::Oslo)],
            ..Default::default()
        },
    ];
    for form in subscriptions {
        let s = store
            .subscribe(&form.parse().map_err(bad)?, None, now)
            .await?;
        store.confirm_subscriber(s.id, now).await?;
    }
    Ok(())
}
