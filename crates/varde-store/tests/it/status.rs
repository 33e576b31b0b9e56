//! The status page on both engines: components and their history, an incident's life, a
//! maintenance window that starts and ends by itself, ticket links, affected customers.

use jiff::tz::TimeZone;
use varde_core::catalogue::{Service, Site};
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::status::{
    ComponentStatus, EventForm, EventKind, EventStatus, Impact, IncidentStatus, MaintenanceStatus,
    UpdateForm, uptime_days,
};
use varde_store::StoreError;
use varde_store::status::{EventFilter, NewComponent};

use crate::{org_form, stores, t};

#[tokio::test]
async fn status_page_story() {
    let tz = TimeZone::get("Europe/Stockholm").unwrap();
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let day0 = t("2026-11-01T08:00:00Z");
        let group = store
            .create_component(
                &NewComponent {
                    name: "Oslo (no-osl1)".into(),
                    is_group: true,
                    ..Default::default()
                },
                day0,
            )
            .await
            .unwrap();
        let storage = store
            .create_component(
                &NewComponent {
                    name: "Storage".into(),
                    group_id: Some(group.id),
                    service: Some(Service::Storage),
                    site: Some(Site::Oslo),
                    ..Default::default()
                },
                day0,
            )
            .await
            .unwrap();
        let compute = store
            .create_component(
                &NewComponent {
                    name: "Compute".into(),
                    group_id: Some(group.id),
                    service: Some(Service::Compute),
                    site: Some(Site::Oslo),
                    ..Default::default()
                },
                day0,
            )
            .await
            .unwrap();
        assert_eq!(storage.status, ComponentStatus::Operational);
        assert!(compute.position > storage.position, "{engine}: appended");

        // An incident: opened with one component degraded.
        let opened = t("2026-11-20T10:00:00Z");
        let new = EventForm {
            name: "Slow object storage in Oslo".into(),
            impact: "major".into(),
            body: "We are investigating slow S3 requests.".into(),
            components: vec![(storage.id, "partial_outage".into())],
            ..Default::default()
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        let id = store
            .create_event(&new, "ada@example.com", opened)
            .await
            .unwrap();
        let open = store.events(EventFilter::OpenIncidents, 50).await.unwrap();
        assert_eq!(open.len(), 1, "{engine}");
        assert_eq!(open[0].impact, Impact::Major);
        assert_eq!(open[0].components, vec![storage.id]);
        assert_eq!(open[0].updates[0].affected[0].old, "operational");
        assert_eq!(open[0].updates[0].affected[0].new, "partial_outage");
        assert_eq!(
            store.component(storage.id).await.unwrap().unwrap().status,
            ComponentStatus::PartialOutage
        );

        // An unknown component is refused and changes nothing.
        let bad = EventForm {
            name: "x".into(),
            body: "y".into(),
            components: vec![(9999, "major_outage".into())],
            ..Default::default()
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        assert!(matches!(
            store.create_event(&bad, "ada", opened).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            store
                .events(EventFilter::Incidents, 50)
                .await
                .unwrap()
                .len(),
            1
        );

        // Monitoring, then resolved without naming the component: it returns to operational.
        let monitoring = UpdateForm {
            status: "monitoring".into(),
            body: "A fix is deployed.".into(),
            ..Default::default()
        }
        .parse(EventKind::Incident)
        .unwrap();
        store
            .add_event_update(id, &monitoring, "ada", t("2026-11-20T11:00:00Z"))
            .await
            .unwrap();
        let resolved = UpdateForm {
            status: "resolved".into(),
            body: "Requests are fast again.".into(),
            ..Default::default()
        }
        .parse(EventKind::Incident)
        .unwrap();
        store
            .add_event_update(id, &resolved, "ada", t("2026-11-20T12:00:00Z"))
            .await
            .unwrap();
        let e = store.event(id).await.unwrap().unwrap();
        assert_eq!(e.status, EventStatus::Incident(IncidentStatus::Resolved));
        assert_eq!(e.monitoring_at, Some(t("2026-11-20T11:00:00Z")));
        assert_eq!(e.resolved_at, Some(t("2026-11-20T12:00:00Z")));
        assert_eq!(e.updates.len(), 3);
        assert_eq!(
            e.updates[0].body, "Requests are fast again.",
            "newest first"
        );
        assert_eq!(e.updates[0].affected[0].new, "operational");
        assert!(
            store
                .events(EventFilter::OpenIncidents, 50)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            store
                .add_event_update(424242, &resolved, "ada", opened)
                .await,
            Err(StoreError::NotFound)
        ));

        // Uptime from the history: two hours at 30% on 2026-11-20.
        let history = store
            .component_history(t("2026-11-10T00:00:00Z"))
            .await
            .unwrap();
        let days = uptime_days(
            &history[&storage.id],
            storage.created_at,
            t("2026-11-21T12:00:00Z"),
            &tz,
            3,
        );
        assert_eq!(days[1].outage_minutes, 120, "{engine}: {days:?}");
        assert!((days[1].uptime.unwrap() - (1.0 - 0.3 * 7200.0 / 86400.0)).abs() < 1e-9);
        assert_eq!(days[2].uptime, Some(1.0));
        // A window that begins after the last change still knows the status in force.
        let later = store
            .component_history(t("2026-11-21T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(later[&storage.id].len(), 1);
        assert_eq!(later[&storage.id][0].status, ComponentStatus::Operational);

        // A maintenance window that starts and completes by itself, once.
        let m = EventForm {
            name: "Compute host upgrades".into(),
            body: "Live migration of instances.".into(),
            components: vec![(compute.id, "under_maintenance".into())],
            scheduled_for: "2026-12-01 22:00".into(),
            scheduled_until: "2026-12-02 02:00".into(),
            auto_start: true,
            auto_complete: true,
            ..Default::default()
        }
        .parse(EventKind::Maintenance, &tz)
        .unwrap();
        let mid = store.create_event(&m, "ada", opened).await.unwrap();
        assert_eq!(
            store.component(compute.id).await.unwrap().unwrap().status,
            ComponentStatus::Operational,
            "scheduling changes nothing yet"
        );
        let upcoming = store
            .events(EventFilter::UpcomingMaintenances, 50)
            .await
            .unwrap();
        assert_eq!(upcoming.len(), 1);
        assert!(
            store
                .advance_maintenances(t("2026-12-01T20:59:00Z"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .advance_maintenances(t("2026-12-01T21:00:00Z"))
                .await
                .unwrap(),
            vec![mid]
        );
        assert!(
            store
                .advance_maintenances(t("2026-12-01T21:00:30Z"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.component(compute.id).await.unwrap().unwrap().status,
            ComponentStatus::UnderMaintenance
        );
        assert_eq!(
            store
                .events(EventFilter::ActiveMaintenances, 50)
                .await
                .unwrap()
                .len(),
            1
        );
        store
            .advance_maintenances(t("2026-12-02T01:00:00Z"))
            .await
            .unwrap();
        let done = store.event(mid).await.unwrap().unwrap();
        assert_eq!(
            done.status,
            EventStatus::Maintenance(MaintenanceStatus::Completed)
        );
        assert_eq!(done.updates.len(), 3);
        assert_eq!(
            store.component(compute.id).await.unwrap().unwrap().status,
            ComponentStatus::Operational
        );

        // Tickets link to incidents; unknown ones are refused.
        let org = store
            .create_organization(
                "ada",
                &org_form("Fjord Data AS", "NO", "fjord.example")
                    .parse()
                    .unwrap(),
                day0,
            )
            .await
            .unwrap();
        let ticket = store
            .create_ticket(
                "ops@fjord.example",
                crate::tickets::creation("S3 slow", "ops@fjord.example"),
                &[],
                0,
                opened,
            )
            .await
            .unwrap();
        store.link_event_ticket(id, ticket.id.0).await.unwrap();
        store.link_event_ticket(id, ticket.id.0).await.unwrap();
        assert_eq!(
            store.event(id).await.unwrap().unwrap().tickets,
            vec![ticket.id.0]
        );
        assert_eq!(store.ticket_events(ticket.id.0).await.unwrap()[0].0, id);
        assert!(store.link_event_ticket(id, 999_999).await.is_err());

        // Who uses Oslo storage: an organisation with STORAGE-S3 at no-osl1 in force.
        store
            .create_contract(
                "ada",
                org.id,
                &ContractForm {
                    reference: "FJ-1".into(),
                    starts_on: "2026-01-01".into(),
                    lines: vec![ProductLineForm {
                        product_code: "STORAGE-S3".into(),
                        quantity: "1".into(),
                        site: "no-osl1".into(),
                    }],
                    ..Default::default()
                }
                .parse()
                .unwrap(),
                day0,
            )
            .await
            .unwrap();
        let storage = store.component(storage.id).await.unwrap().unwrap();
        let users = store
            .organizations_using(&storage, "2026-11-20")
            .await
            .unwrap();
        assert_eq!(users.len(), 1, "{engine}");
        assert_eq!(users[0].1, "Fjord Data AS");
        let compute = store.component(compute.id).await.unwrap().unwrap();
        assert!(
            store
                .organizations_using(&compute, "2026-11-20")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.status_page_updated_at().await.unwrap().is_some());
    }
}

#[tokio::test]
async fn subscribers_get_each_update_once_and_only_for_their_components() {
    use varde_core::status::subscription::SubscriptionForm;
    use varde_store::status_subscriptions::{Delivery, NotificationKind, WEBHOOK_FAILURE_LIMIT};
    let tz = TimeZone::get("Europe/Stockholm").unwrap();
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let t0 = t("2026-11-01T08:00:00Z");
        let new = |name: &str| NewComponent {
            name: name.into(),
            ..Default::default()
        };
        let a = store.create_component(&new("Compute"), t0).await.unwrap();
        let b = store.create_component(&new("Storage"), t0).await.unwrap();
        let sub = |channel: &str, target: &str, lang: &str, components: Vec<i64>| {
            SubscriptionForm {
                channel: channel.into(),
                target: target.into(),
                language: lang.into(),
                owner_email: "owner@example.com".into(),
                components,
            }
            .parse()
            .unwrap()
        };
        let everything = store
            .subscribe(&sub("email", "all@example.com", "sv", vec![]), None, t0)
            .await
            .unwrap();
        assert!(
            !everything.confirmed,
            "{engine}: e-mail waits for the opt-in"
        );
        let of_a = store
            .subscribe(&sub("sms", "+46701234567", "nb", vec![a.id]), None, t0)
            .await
            .unwrap();
        assert!(of_a.confirmed);
        assert_eq!(of_a.components, Some(vec![a.id]));
        let hook = store
            .subscribe(
                &sub("webhook", "https://hooks.example.com/x", "en", vec![a.id]),
                Some("k3y"),
                t0,
            )
            .await
            .unwrap();
        let of_b = store
            .subscribe(&sub("email", "b@example.com", "da", vec![b.id]), None, t0)
            .await
            .unwrap();
        let never = store
            .subscribe(&sub("email", "never@example.com", "en", vec![]), None, t0)
            .await
            .unwrap();

        // The opt-in mails go first.
        let confirms = store.claim_notifications(t0, 100).await.unwrap();
        assert_eq!(confirms.len(), 3, "{engine}");
        assert!(confirms.iter().all(|n| n.kind == NotificationKind::Confirm));
        for n in &confirms {
            store
                .finish_notification(n, &Delivery::Sent, t0)
                .await
                .unwrap();
        }
        store.confirm_subscriber(everything.id, t0).await.unwrap();
        store.confirm_subscriber(of_b.id, t0).await.unwrap();
        // Subscribing again changes the choice but keeps the confirmation.
        let again = store
            .subscribe(&sub("email", "all@example.com", "sv", vec![]), None, t0)
            .await
            .unwrap();
        assert_eq!(again.id, everything.id);
        assert!(again.confirmed);
        assert!(store.claim_notifications(t0, 100).await.unwrap().is_empty());

        // An incident on component A reaches the all-components subscriber and A's two.
        let e = EventForm {
            name: "Compute down".into(),
            body: "Investigating.".into(),
            components: vec![(a.id, "major_outage".into())],
            ..Default::default()
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        let t1 = t("2026-11-02T08:00:00Z");
        store.create_event(&e, "ada", t1).await.unwrap();
        assert_eq!(store.fan_out(t1).await.unwrap(), 3, "{engine}");
        assert_eq!(store.fan_out(t1).await.unwrap(), 0, "a job runs once");
        let due = store.claim_notifications(t1, 100).await.unwrap();
        let mut who: Vec<i64> = due.iter().map(|n| n.subscriber.id).collect();
        who.sort_unstable();
        assert_eq!(who, vec![everything.id, of_a.id, hook.id]);
        assert!(!who.contains(&of_b.id) && !who.contains(&never.id));
        assert!(
            due.iter()
                .all(|n| n.kind == NotificationKind::Update && n.update_id.is_some())
        );

        // A webhook that keeps failing is switched off, and its owner told.
        for n in due.iter().filter(|n| n.subscriber.id != hook.id) {
            store
                .finish_notification(n, &Delivery::Sent, t1)
                .await
                .unwrap();
        }
        let mut hook_n = due
            .into_iter()
            .find(|n| n.subscriber.id == hook.id)
            .unwrap();
        for i in 0..WEBHOOK_FAILURE_LIMIT {
            store
                .finish_notification(&hook_n, &Delivery::Retry("connection refused".into()), t1)
                .await
                .unwrap();
            let later = t1 + jiff::SignedDuration::from_hours(3 * (i + 1));
            let next = store.claim_notifications(later, 100).await.unwrap();
            if i + 1 < WEBHOOK_FAILURE_LIMIT {
                assert_eq!(next.len(), 1, "{engine}: retried after backoff");
                hook_n = next.into_iter().next().unwrap();
            } else {
                assert_eq!(next.len(), 1);
                assert_eq!(next[0].kind, NotificationKind::WebhookDisabled);
                assert!(next[0].subscriber.disabled);
            }
        }

        // Unsubscribed subscribers hear nothing more.
        store.unsubscribe(of_a.id, t1).await.unwrap();
        let u = varde_core::status::UpdateForm {
            status: "resolved".into(),
            body: "Fixed.".into(),
            ..Default::default()
        }
        .parse(EventKind::Incident)
        .unwrap();
        let id = store.events(EventFilter::Incidents, 1).await.unwrap()[0].id;
        let t2 = t("2026-11-02T10:00:00Z");
        store.add_event_update(id, &u, "ada", t2).await.unwrap();
        store.fan_out(t2).await.unwrap();
        let due = store.claim_notifications(t2, 100).await.unwrap();
        let who: Vec<i64> = due
            .iter()
            .filter(|n| n.kind == NotificationKind::Update)
            .map(|n| n.subscriber.id)
            .collect();
        assert_eq!(
            who,
            vec![everything.id],
            "{engine}: not the unsubscribed, not the disabled webhook"
        );
        assert_eq!(
            store
                .subscribers_of("owner@example.com")
                .await
                .unwrap()
                .len(),
            1,
            "the webhook it owns"
        );
        assert!(store.link_key("first").await.unwrap() == "first");
        assert_eq!(store.link_key("second").await.unwrap(), "first");
    }
}

#[tokio::test]
async fn sla_alerts_are_recorded_once_and_policies_versioned() {
    use varde_core::catalogue::SupportTier;
    use varde_core::sla::Policy;
    use varde_store::sla::NewAlert;
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let t0 = t("2026-11-21T02:00:00Z");
        let alert = |recipient: &str, deliver_at: &str| NewAlert {
            ticket: 7,
            target: "first_response",
            due: t("2026-11-21T03:00:00Z"),
            kind: "warning",
            recipient: recipient.into(),
            deliver_at: t(deliver_at),
        };
        let batch = [
            alert("oncall@example.com", "2026-11-21T02:00:00Z"),
            alert("agent@example.com", "2026-11-23T07:00:00Z"),
        ];
        assert_eq!(
            store.record_sla_alerts(&batch, t0).await.unwrap(),
            2,
            "{engine}"
        );
        assert_eq!(
            store.record_sla_alerts(&batch, t0).await.unwrap(),
            0,
            "{engine}: once"
        );
        let due = store.claim_sla_alerts(t0, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].recipient, "oncall@example.com");
        assert!(
            store.claim_sla_alerts(t0, 10).await.unwrap().is_empty(),
            "{engine}: claimed, so another node does not send it too"
        );
        store
            .finish_sla_alert(due[0].id, Some("relay down"), t0)
            .await
            .unwrap();
        assert!(
            store.claim_sla_alerts(t0, 10).await.unwrap().is_empty(),
            "retried a minute later"
        );
        let later = t("2026-11-21T02:01:00Z");
        let again = store.claim_sla_alerts(later, 10).await.unwrap();
        assert_eq!(again[0].attempts, 1);
        store
            .finish_sla_alert(again[0].id, None, later)
            .await
            .unwrap();
        let monday = store
            .claim_sla_alerts(t("2026-11-23T07:00:00Z"), 10)
            .await
            .unwrap();
        assert_eq!(monday.len(), 1);
        assert_eq!(monday[0].recipient, "agent@example.com");
        // A node that claims and dies: the claim lapses and the alert is sent after all.
        let lapsed = store
            .claim_sla_alerts(t("2026-11-23T07:03:00Z"), 10)
            .await
            .unwrap();
        assert_eq!(lapsed.len(), 1, "{engine}");
        store.release_sla_alert(lapsed[0].id).await.unwrap();
        let log = store.sla_alerts_of(7).await.unwrap();
        assert_eq!(log.iter().filter(|a| a.status == "sent").count(), 1);

        // Policies: the example is version 1; saves are 2, 3; the version in force follows time.
        let mut p = Policy::example(SupportTier::Standard);
        p.targets[0].first_response = jiff::SignedDuration::from_mins(45);
        let v2 = store
            .save_policy(&p, "faster", "ada", t("2026-06-01T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(v2.version, 2);
        let v3 = store
            .save_policy(
                &Policy::example(SupportTier::Standard),
                "back",
                "ada",
                t("2026-09-01T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(v3.version, 3);
        assert_eq!(
            store
                .policy_in_force(SupportTier::Standard, t("2026-05-01T00:00:00Z"))
                .await
                .unwrap()
                .version,
            1
        );
        let summer = store
            .policy_in_force(SupportTier::Standard, t("2026-07-01T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            (summer.version, summer.targets[0].first_response.as_mins()),
            (2, 45)
        );
        assert_eq!(
            store
                .policy_in_force(SupportTier::Standard, t("2026-10-01T00:00:00Z"))
                .await
                .unwrap()
                .version,
            3
        );
        assert_eq!(
            store.policy_versions(SupportTier::Standard).await.unwrap()[0].note,
            "back"
        );
    }
}
