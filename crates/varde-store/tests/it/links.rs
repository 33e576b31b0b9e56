//! One-time links on each engine: issued with their account and letter in one transaction,
//! used once, never after expiry, never for an account that may no longer log in.

use varde_core::access::Role;
use varde_core::contact::ContactForm;
use varde_core::links::LinkPurpose;
use varde_core::values::{EmailAddress, Language};
use varde_store::NewAccount;
use varde_store::letters::NewLetter;
use varde_store::links::{LinkUse, NewLink};

use super::{org_form, stores, t};

#[tokio::test]
async fn a_link_is_issued_with_its_letter_and_used_once() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let now = t("2026-12-03T10:00:00Z");
        let org = store
            .create_organization(
                "test",
                &org_form("Fjordnett", "NO", "").parse().unwrap(),
                now,
            )
            .await
            .unwrap()
            .id;
        let contact = store
            .create_contact(
                "test",
                org,
                &ContactForm {
                    name: "Sven".into(),
                    email: "sven@fjord.example".into(),
                    portal_access: true,
                    ..Default::default()
                }
                .parse(Language::Swedish)
                .unwrap(),
                now,
            )
            .await
            .unwrap();
        let account = NewAccount {
            email: EmailAddress::parse("sven@fjord.example").unwrap(),
            name: "Sven".into(),
            role: Role::Customer,
            organization: Some(org),
            password_hash: None,
            login: None,
        };
        let letter = NewLetter {
            kind: "invitation".into(),
            reference: "account:sven@fjord.example".into(),
            recipient: "sven@fjord.example".into(),
            subject: "Välkommen".into(),
            body: "/link/s1".into(),
            ..Default::default()
        };
        let link = |secret, expires_at| NewLink {
            secret,
            purpose: LinkPurpose::Invitation,
            expires_at,
            created_by: "kari",
            new_email: None,
        };
        // Without `create`, no account: nothing is written.
        let missing = store
            .issue_link(
                &account,
                false,
                &link("s0", t("2026-12-10T10:00:00Z")),
                &letter,
                now,
            )
            .await;
        assert!(
            matches!(missing, Err(varde_store::StoreError::NotFound)),
            "{engine}"
        );
        assert!(
            store
                .letters_about("account:sven@fjord.example")
                .await
                .unwrap()
                .is_empty()
        );
        let made = store
            .issue_link(
                &account,
                true,
                &link("s1", t("2026-12-10T10:00:00Z")),
                &letter,
                now,
            )
            .await
            .unwrap();
        store
            .issue_link(
                &account,
                true,
                &link("s2", t("2026-12-10T10:00:00Z")),
                &letter,
                now,
            )
            .await
            .unwrap();
        store
            .issue_link(
                &account,
                true,
                &link("old", t("2026-12-03T11:00:00Z")),
                &letter,
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .letters_about("account:sven@fjord.example")
                .await
                .unwrap()
                .len(),
            3,
            "{engine}"
        );
        assert_eq!(
            store
                .links_since(made.id, LinkPurpose::Invitation, now)
                .await
                .unwrap(),
            3
        );
        let read = store.link("s1").await.unwrap().unwrap();
        assert_eq!((read.account.id, read.used_at), (made.id, None), "{engine}");
        assert!(store.link("nope").await.unwrap().is_none());

        let later = t("2026-12-03T12:00:00Z");
        assert_eq!(
            store
                .use_link(
                    "old",
                    LinkPurpose::Invitation,
                    LinkUse::Password("$argon2id$x"),
                    later
                )
                .await
                .unwrap(),
            None,
            "{engine}: expired"
        );
        assert_eq!(
            store
                .use_link(
                    "s1",
                    LinkPurpose::Invitation,
                    LinkUse::Password("$argon2id$x"),
                    later
                )
                .await
                .unwrap(),
            Some(made.id),
            "{engine}"
        );
        assert_eq!(
            store
                .use_link(
                    "s1",
                    LinkPurpose::Invitation,
                    LinkUse::Password("$argon2id$y"),
                    later
                )
                .await
                .unwrap(),
            None,
            "{engine}: once"
        );
        assert_eq!(
            store
                .use_link(
                    "s2",
                    LinkPurpose::Invitation,
                    LinkUse::Password("$argon2id$y"),
                    later
                )
                .await
                .unwrap(),
            None,
            "{engine}: the others die with it"
        );
        let (_, hash) = store
            .account_for_login(&account.email)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(hash.as_deref(), Some("$argon2id$x"), "{engine}");

        // Without portal access, a fresh link does not work.
        store
            .issue_link(
                &account,
                true,
                &link("s3", t("2026-12-10T10:00:00Z")),
                &letter,
                later,
            )
            .await
            .unwrap();
        let details = varde_core::contact::ContactDetails {
            portal_access: false,
            ..contact.details.clone()
        };
        store
            .update_contact("kari", contact.id, &details, later)
            .await
            .unwrap();
        assert_eq!(
            store
                .use_link(
                    "s3",
                    LinkPurpose::Invitation,
                    LinkUse::Password("$argon2id$z"),
                    later
                )
                .await
                .unwrap(),
            None,
            "{engine}: removed"
        );

        // An e-mail change moves the account and its contact to the link's address.
        store
            .update_contact("kari", contact.id, &contact.details, later)
            .await
            .unwrap();
        let change = |secret, new_email| NewLink {
            secret,
            purpose: LinkPurpose::EmailChange,
            expires_at: t("2026-12-04T10:00:00Z"),
            created_by: "sven",
            new_email: Some(new_email),
        };
        let moved = "sven.svensson@fjord.example";
        for (secret, to) in [("e1", moved), ("e2", "taken@fjord.example")] {
            store
                .issue_link(&account, false, &change(secret, to), &letter, later)
                .await
                .unwrap();
        }
        // A reset secret is no e-mail change.
        assert_eq!(
            store
                .use_link("e1", LinkPurpose::Reset, LinkUse::Email, later)
                .await
                .unwrap(),
            None,
            "{engine}"
        );
        assert_eq!(
            store
                .use_link("e1", LinkPurpose::EmailChange, LinkUse::Email, later)
                .await
                .unwrap(),
            Some(made.id),
            "{engine}"
        );
        let now_named = store.account(made.id).await.unwrap().unwrap();
        assert_eq!(now_named.email.as_str(), moved, "{engine}");
        let c = store.contact(contact.id).await.unwrap().unwrap();
        assert_eq!(
            c.details.email.as_str(),
            moved,
            "{engine}: the contact moves with it"
        );
        let history = store.audit_history(org, 50).await.unwrap();
        assert!(
            history
                .iter()
                .any(|e| e.entity == "contact" && e.changes.iter().any(|c| c.after == moved)),
            "{engine}: the move is in the contact's audit history"
        );

        // An address someone took meanwhile: a conflict, and nothing changes.
        let other = NewAccount {
            email: EmailAddress::parse("taken@fjord.example").unwrap(),
            name: "Taken".into(),
            role: Role::Customer,
            organization: Some(org),
            password_hash: None,
            login: None,
        };
        store.create_account(&other, later).await.unwrap();
        let mut moved_account = account;
        moved_account.email = EmailAddress::parse(moved).unwrap();
        store
            .issue_link(
                &moved_account,
                false,
                &change("e3", "taken@fjord.example"),
                &letter,
                later,
            )
            .await
            .unwrap();
        let taken = store
            .use_link("e3", LinkPurpose::EmailChange, LinkUse::Email, later)
            .await;
        assert!(
            matches!(taken, Err(varde_store::StoreError::Conflict(_))),
            "{engine}"
        );
        assert_eq!(
            store
                .account(made.id)
                .await
                .unwrap()
                .unwrap()
                .email
                .as_str(),
            moved,
            "{engine}"
        );
    }
}
