//! Audience-specific notices on both engines: an incident on a component is told to the
//! technical contacts of the organisations with its service at its site on a contract in force
//! (e-mail always, SMS for major and critical impact), once each even when they also
//! subscribed, never to other contacts or other organisations, and not at all to an
//! organisation that turned notices off.

use jiff::tz::TimeZone;
use varde_core::catalogue::{Service, Site};
use varde_core::contact::ContactDetails;
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::ids::OrganizationId;
use varde_core::portal_settings::PortalSettings;
use varde_core::status::subscription::{Channel, SubscriptionForm};
use varde_core::status::{EventForm, EventKind};
use varde_core::values::{EmailAddress, Language, PhoneNumber};
use varde_store::Store;
use varde_store::status::NewComponent;

use crate::{org_form, stores, t};

async fn customer(
    store: &Store,
    name: &str,
    domain: &str,
    product: &str,
    site: &str,
) -> OrganizationId {
    let now = t("2026-11-01T08:00:00Z");
    let org = store
        .create_organization("ada", &org_form(name, "NO", domain).parse().unwrap(), now)
        .await
        .unwrap();
    let form = ContractForm {
        reference: format!("{name}-1"),
        starts_on: "2026-01-01".into(),
        lines: vec![ProductLineForm {
            product_code: product.into(),
            quantity: "1".into(),
            site: site.into(),
        }],
        ..Default::default()
    };
    store
        .create_contract("ada", org.id, &form.parse().unwrap(), now)
        .await
        .unwrap();
    org.id
}

async fn contact(
    store: &Store,
    org: OrganizationId,
    email: &str,
    roles: &str,
    phone: Option<&str>,
) {
    let details = ContactDetails {
        name: email.into(),
        email: EmailAddress::parse(email).unwrap(),
        phone: phone.map(|p| PhoneNumber::parse(p).unwrap()),
        roles: roles
            .split_whitespace()
            .map(|r| varde_core::contact::ContactRole::parse(r).unwrap())
            .collect(),
        language: Language::NorwegianBokmal,
        portal_access: false,
    };
    store
        .create_contact("ada", org, &details, t("2026-11-01T08:00:00Z"))
        .await
        .unwrap();
}

/// The (channel, target) told of everything queued now, sorted.
async fn told(store: &Store, at: jiff::Timestamp) -> Vec<(String, String)> {
    let due = store.claim_notifications(at, 100).await.unwrap();
    for n in &due {
        store
            .finish_notification(n, &varde_store::status_subscriptions::Delivery::Sent, at)
            .await
            .unwrap();
    }
    let mut v: Vec<(String, String)> = due
        .iter()
        .map(|n| {
            (
                n.subscriber.channel.code().to_string(),
                n.subscriber.target.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn technical_contacts_of_touched_organisations_are_told_once() {
    let tz = TimeZone::get("Europe/Oslo").unwrap();
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let t0 = t("2026-11-01T08:00:00Z");
        let storage = store
            .create_component(
                &NewComponent {
                    name: "Storage Oslo".into(),
                    service: Some(Service::Storage),
                    site: Some(Site::Oslo),
                    ..Default::default()
                },
                t0,
            )
            .await
            .unwrap();
        let fjord = customer(&store, "Fjord", "fjord.example", "STORAGE-S3", "no-osl1").await;
        contact(
            &store,
            fjord,
            "tech@fjord.example",
            "technical",
            Some("+4790000001"),
        )
        .await;
        contact(
            &store,
            fjord,
            "boss@fjord.example",
            "primary",
            Some("+4790000002"),
        )
        .await;
        contact(
            &store,
            fjord,
            "both@fjord.example",
            "primary technical",
            None,
        )
        .await;
        // Compute in Stockholm only: not touched by Oslo storage.
        let other = customer(&store, "Other", "other.example", "COMPUTE", "se-sto1").await;
        contact(&store, other, "tech@other.example", "technical", None).await;
        let quiet = customer(&store, "Quiet", "quiet.example", "STORAGE-S3", "no-osl1").await;
        contact(
            &store,
            quiet,
            "tech@quiet.example",
            "technical",
            Some("+4790000003"),
        )
        .await;
        let off = PortalSettings {
            incident_notices: false,
            ..Default::default()
        };
        store
            .set_portal_settings("ada", quiet, &off, t0)
            .await
            .unwrap();
        // `both` also subscribed on the public page, to everything.
        let public = SubscriptionForm {
            channel: "email".into(),
            target: "both@fjord.example".into(),
            language: "en".into(),
            components: vec![],
            ..Default::default()
        };
        let sub = store
            .subscribe(&public.parse().unwrap(), None, t0)
            .await
            .unwrap();
        store.confirm_subscriber(sub.id, t0).await.unwrap();
        told(&store, t0).await;

        // A major incident: e-mail to both technical contacts, SMS to the one with a phone.
        let major = EventForm {
            name: "Oslo storage down".into(),
            body: "Investigating.".into(),
            impact: "major".into(),
            components: vec![(storage.id, "major_outage".into())],
            ..Default::default()
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        let t1 = t("2026-11-02T08:00:00Z");
        store.create_event(&major, "ada", t1).await.unwrap();
        store.fan_out(t1).await.unwrap();
        assert_eq!(store.fan_out(t1).await.unwrap(), 0, "{engine}: once");
        let expected = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            told(&store, t1).await,
            expected(&[
                ("email", "both@fjord.example"),
                ("email", "tech@fjord.example"),
                ("sms", "+4790000001"),
            ]),
            "{engine}"
        );
        // The contact's own row reads in its language; the public subscriber keeps its own.
        let tech = store.subscribers_of("tech@fjord.example").await.unwrap();
        assert_eq!(tech.len(), 1);
        assert_eq!(tech[0].language, Language::NorwegianBokmal);
        assert_eq!(tech[0].channel, Channel::Email);

        // A minor one: e-mail only.
        let minor = EventForm {
            impact: "minor".into(),
            name: "Oslo storage slow".into(),
            ..major_form(storage.id)
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        let t2 = t("2026-11-03T08:00:00Z");
        store.create_event(&minor, "ada", t2).await.unwrap();
        store.fan_out(t2).await.unwrap();
        assert_eq!(
            told(&store, t2).await,
            expected(&[
                ("email", "both@fjord.example"),
                ("email", "tech@fjord.example")
            ]),
            "{engine}"
        );

        // A contact who unsubscribes through a notice's link is not told again; a public
        // subscription of a contact's address asks for the opt-in like any other.
        store.unsubscribe(tech[0].id, t2).await.unwrap();
        let t3 = t("2026-11-04T08:00:00Z");
        store.create_event(&minor, "ada", t3).await.unwrap();
        store.fan_out(t3).await.unwrap();
        assert_eq!(
            told(&store, t3).await,
            expected(&[("email", "both@fjord.example")]),
            "{engine}"
        );
    }
}

fn major_form(component: i64) -> EventForm {
    EventForm {
        body: "Investigating.".into(),
        components: vec![(component, "degraded_performance".into())],
        ..Default::default()
    }
}

#[tokio::test]
async fn an_update_a_day_old_is_news_no_more() {
    let tz = TimeZone::get("Europe/Oslo").unwrap();
    for (store, _dir) in stores().await {
        let t0 = t("2026-11-01T08:00:00Z");
        let storage = store
            .create_component(
                &NewComponent {
                    name: "Storage Oslo".into(),
                    service: Some(Service::Storage),
                    site: Some(Site::Oslo),
                    ..Default::default()
                },
                t0,
            )
            .await
            .unwrap();
        let fjord = customer(&store, "Fjord", "fjord.example", "STORAGE-S3", "no-osl1").await;
        contact(&store, fjord, "tech@fjord.example", "technical", None).await;
        let old = EventForm {
            name: "Old".into(),
            ..major_form(storage.id)
        }
        .parse(EventKind::Incident, &tz)
        .unwrap();
        store.create_event(&old, "ada", t0).await.unwrap();
        // Fanned out two days later (a worker that was stopped): nobody is told.
        store.fan_out(t("2026-11-03T08:00:00Z")).await.unwrap();
        assert!(
            told(&store, t("2026-11-03T08:00:00Z")).await.is_empty(),
            "{}",
            store.engine()
        );
    }
}
