//! The store conformance story: every operation of the store, run against SQLite always and
//! against PostgreSQL when `VARDE_TEST_PG_URL` is set (as `.ci/run` does).
//!
//! This is the only integration-test binary of this crate: each binary costs link time.

mod activity;
mod audience;
mod backup;
mod links;
mod nodes;
mod onboarding;
mod search;
mod status;
mod ticket_pairs;
mod tickets;
mod transfer;
mod workspace;
mod writers;

use jiff::Timestamp;
use varde_core::access::{Role, TokenScope, Visibility};
use varde_core::contact::ContactForm;
use varde_core::contract::{ContractForm, ProductLineForm};
use varde_core::customer::{Lifecycle, OrganizationForm};
use varde_core::entitlements::entitlements_on;
use varde_core::ids::OrganizationId;
use varde_core::values::{EmailAddress, Language, MailDomain};
use varde_store::{Location, NewAccount, OrganizationQuery, Store, StoreError};

/// A fresh, empty store on each engine that is available.
pub async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let mut v = vec![(sqlite, Some(dir))];
    if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
        v.push((
            varde_store::testing::scratch_postgres(&url).await.unwrap(),
            None,
        ));
    }
    v
}

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn org_form(name: &str, country: &str, domains: &str) -> OrganizationForm {
    OrganizationForm {
        name: name.into(),
        country: country.into(),
        mail_domains: domains.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn customer_database_story() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        store.ping().await.unwrap();
        store.migrate().await.unwrap(); // a second run changes nothing

        // Organisations, with their mail domains.
        let kth = store
            .create_organization(
                "ada@example.com",
                &org_form("KTH", "SE", "kth.se").parse().unwrap(),
                t("2026-01-01T10:00:00Z"),
            )
            .await
            .unwrap();
        let sikt_form = OrganizationForm {
            org_number: "919477822".into(),
            language: "nb".into(),
            framework: "sikt".into(),
            ..org_form("Sikt", "NO", "sikt.no uninett.no")
        };
        let sikt = store
            .create_organization(
                "ada@example.com",
                &sikt_form.parse().unwrap(),
                t("2026-01-01T10:01:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(sikt.details.mail_domains.len(), 2, "{engine}");
        let clash = store
            .create_organization(
                "ada@example.com",
                &org_form("Other", "SE", "kth.se").parse().unwrap(),
                t("2026-01-01T10:02:00Z"),
            )
            .await;
        assert!(
            matches!(clash, Err(StoreError::Conflict(ref e)) if e.get("mail_domains").is_some()),
            "{engine}"
        );
        assert_eq!(
            store.count_organizations().await.unwrap(),
            2,
            "{engine}: a refused create left a row"
        );
        assert_eq!(
            store
                .organization_by_domain(&MailDomain::parse("UNINETT.no").unwrap())
                .await
                .unwrap(),
            Some(sikt.id),
            "{engine}"
        );

        // Updating records only what changed.
        let mut changed = kth.details.clone();
        changed.lifecycle = Lifecycle::Onboarding;
        let kth = store
            .update_organization(
                "bo@example.com",
                kth.id,
                &changed,
                t("2026-01-02T09:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(kth.details.lifecycle, Lifecycle::Onboarding);
        let history = store.audit_history(kth.id, 10).await.unwrap();
        assert_eq!(history.len(), 2, "{engine}");
        assert_eq!(history[0].action, "updated");
        assert_eq!(history[0].actor, "bo@example.com");
        assert_eq!(history[0].changes.len(), 1);
        assert_eq!(history[0].changes[0].field, "lifecycle");
        assert_eq!(history[0].changes[0].before, "prospect");
        assert_eq!(history[0].at, t("2026-01-02T09:00:00Z"));
        assert_eq!(history[1].action, "created");

        // Listing: search, filters, visibility and cursor paging.
        for i in 0..7 {
            store
                .create_organization(
                    "seed",
                    &org_form(&format!("Agency {i}"), "SE", "").parse().unwrap(),
                    t("2026-01-03T00:00:00Z"),
                )
                .await
                .unwrap();
        }
        let mut q = OrganizationQuery::new(Visibility::All);
        q.limit = 3;
        let mut seen = Vec::new();
        loop {
            let page = store.list_organizations(&q).await.unwrap();
            seen.extend(page.items.iter().map(|o| o.details.name.clone()));
            match page.next_cursor {
                Some(c) => q.after = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 9, "{engine}: {seen:?}");
        let mut sorted = seen.clone();
        sorted.sort_by_key(|s| s.to_lowercase());
        assert_eq!(seen, sorted, "{engine}: pages are in name order");
        let mut q = OrganizationQuery::new(Visibility::All);
        q.text = Some("UNINETT".into());
        assert_eq!(
            store.list_organizations(&q).await.unwrap().items,
            std::slice::from_ref(&sikt),
            "{engine}"
        );
        q.text = Some("agency_".into());
        assert!(
            store.list_organizations(&q).await.unwrap().items.is_empty(),
            "{engine}: _ is literal"
        );
        let mut q = OrganizationQuery::new(Visibility::Only(kth.id));
        assert_eq!(
            store.list_organizations(&q).await.unwrap().items,
            std::slice::from_ref(&kth)
        );
        q.visibility = Visibility::Nothing;
        assert!(store.list_organizations(&q).await.unwrap().items.is_empty());
        let mut q = OrganizationQuery::new(Visibility::All);
        q.country = Some("no".into());
        assert_eq!(store.list_organizations(&q).await.unwrap().items.len(), 1);

        // Contacts: unique e-mail, updates, deletion, all audited.
        let ingrid = ContactForm {
            name: "Ingrid".into(),
            email: "ingrid@sikt.no".into(),
            roles: "primary technical".into(),
            portal_access: true,
            ..Default::default()
        }
        .parse(Language::NorwegianBokmal)
        .unwrap();
        let c = store
            .create_contact(
                "ada@example.com",
                sikt.id,
                &ingrid,
                t("2026-01-04T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(c.details, ingrid, "{engine}");
        assert!(matches!(
            store
                .create_contact(
                    "ada@example.com",
                    kth.id,
                    &ingrid,
                    t("2026-01-04T00:00:00Z")
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store
                .create_contact(
                    "ada@example.com",
                    OrganizationId(9999),
                    &ingrid,
                    t("2026-01-04T00:00:00Z")
                )
                .await,
            Err(StoreError::NotFound)
        ));
        let mut renamed = ingrid.clone();
        renamed.name = "Ingrid Nilsen".into();
        store
            .update_contact("ada@example.com", c.id, &renamed, t("2026-01-05T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            store
                .contact_by_email(&EmailAddress::parse("ingrid@sikt.no").unwrap())
                .await
                .unwrap()
                .unwrap()
                .details
                .name,
            "Ingrid Nilsen"
        );
        assert_eq!(store.contacts_of(sikt.id).await.unwrap().len(), 1);
        // A ticket's organisation: a contact's address wins over a mail domain, whichever
        // requestor comes first; else the first domain that is an organisation's.
        let of = |list: &[&str]| {
            let list: Vec<EmailAddress> = list
                .iter()
                .map(|a| EmailAddress::parse(a).unwrap())
                .collect();
            let store = store.clone();
            async move { store.organization_of_addresses(&list).await.unwrap() }
        };
        assert_eq!(
            of(&["someone@kth.se", "ingrid@sikt.no"]).await,
            Some(sikt.id),
            "{engine}"
        );
        assert_eq!(
            of(&["x@nowhere.example", "y@uninett.no", "z@kth.se"]).await,
            Some(sikt.id),
            "{engine}"
        );
        assert_eq!(
            of(&["z@kth.se", "y@uninett.no"]).await,
            Some(kth.id),
            "{engine}"
        );
        assert_eq!(of(&["x@nowhere.example"]).await, None, "{engine}");
        assert_eq!(of(&[]).await, None, "{engine}");
        store
            .delete_contact("ada@example.com", c.id, t("2026-01-06T00:00:00Z"))
            .await
            .unwrap();
        assert!(store.contacts_of(sikt.id).await.unwrap().is_empty());
        let actions: Vec<String> = store
            .audit_history(sikt.id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {}", e.entity, e.action))
            .collect();
        assert_eq!(
            actions,
            [
                "contact deleted",
                "contact updated",
                "contact created",
                "organization created"
            ],
            "{engine}"
        );

        // Contracts with product lines, and the entitlements they grant.
        let premium = ContractForm {
            reference: "SIKT-2026-01".into(),
            signed_on: "2026-01-10".into(),
            starts_on: "2026-02-01".into(),
            ends_on: "".into(),
            lines: vec![
                ProductLineForm {
                    product_code: "SUPPORT-premium".into(),
                    quantity: "1".into(),
                    site: "".into(),
                },
                ProductLineForm {
                    product_code: "COMPUTE".into(),
                    quantity: "4".into(),
                    site: "no-osl1".into(),
                },
            ],
        }
        .parse()
        .unwrap();
        let contract = store
            .create_contract(
                "ada@example.com",
                sikt.id,
                &premium,
                t("2026-01-10T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(contract.details, premium, "{engine}");
        assert!(matches!(
            store.create_contract("ada@example.com", kth.id, &premium, t("2026-01-10T00:00:00Z")).await,
            Err(StoreError::Conflict(ref e)) if e.get("reference").is_some()
        ));
        let mut fewer = premium.clone();
        fewer.lines.truncate(1);
        store
            .update_contract(
                "ada@example.com",
                contract.id,
                &fewer,
                t("2026-01-11T00:00:00Z"),
            )
            .await
            .unwrap();
        let contracts = store.contracts_of(sikt.id).await.unwrap();
        assert_eq!(contracts.len(), 1);
        assert_eq!(contracts[0].details.lines.len(), 1);
        let e = entitlements_on(
            contracts.iter().map(|c| &c.details),
            "2026-03-01".parse().unwrap(),
        )
        .unwrap();
        assert!(e.quarterly_meetings && e.service_manager && e.chat_room);
        store
            .delete_contract("ada@example.com", contract.id, t("2026-01-12T00:00:00Z"))
            .await
            .unwrap();
        assert!(store.contracts_of(sikt.id).await.unwrap().is_empty());

        // Accounts, sessions and tokens: secrets are looked up by digest only.
        let admin = store
            .create_account(
                &NewAccount {
                    email: EmailAddress::parse("ada@example.com").unwrap(),
                    name: "Ada".into(),
                    role: Role::Admin,
                    organization: None,
                    password_hash: Some("$argon2id$fake".into()),
                    login: None,
                },
                t("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let (found, hash) = store
            .account_for_login(&admin.email)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, admin);
        assert_eq!(hash.as_deref(), Some("$argon2id$fake"));
        store
            .create_session(
                "cookie-secret",
                admin.id,
                "csrf",
                t("2026-01-01T00:00:00Z"),
                t("2026-01-02T00:00:00Z"),
            )
            .await
            .unwrap();
        // The same secret twice clashes with the stored session: a conflict, not "the
        // database is unavailable".
        let again = store
            .create_session(
                "cookie-secret",
                admin.id,
                "csrf",
                t("2026-01-01T00:00:00Z"),
                t("2026-01-02T00:00:00Z"),
            )
            .await;
        assert!(
            matches!(again, Err(varde_store::StoreError::Conflict(_))),
            "{engine}: {again:?}"
        );
        assert_eq!(
            store
                .session("cookie-secret", t("2026-01-01T12:00:00Z"))
                .await
                .unwrap()
                .unwrap()
                .1,
            "csrf"
        );
        assert!(
            store
                .session("cookie-secret", t("2026-01-02T00:00:01Z"))
                .await
                .unwrap()
                .is_none(),
            "{engine}: expired"
        );
        assert!(
            store
                .session("other", t("2026-01-01T12:00:00Z"))
                .await
                .unwrap()
                .is_none()
        );
        let token = store
            .create_token(
                admin.id,
                "ci",
                TokenScope::Read,
                "varde_secret_token",
                t("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(token.prefix, "varde_secret");
        let (who, scope) = store
            .token_account("varde_secret_token", t("2026-01-01T00:05:00Z"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((who.id, scope), (admin.id, TokenScope::Read));
        assert!(
            store.tokens_of(admin.id).await.unwrap()[0]
                .last_used_at
                .is_some()
        );
        store
            .revoke_token(admin.id, token.id, t("2026-01-01T01:00:00Z"))
            .await
            .unwrap();
        assert!(
            store
                .token_account("varde_secret_token", t("2026-01-01T02:00:00Z"))
                .await
                .unwrap()
                .is_none()
        );
        store.set_account_disabled(admin.id, true).await.unwrap();
        assert!(
            store
                .session("cookie-secret", t("2026-01-01T12:00:00Z"))
                .await
                .unwrap()
                .is_none(),
            "disabling ends sessions"
        );
        store.close().await;
    }
}
