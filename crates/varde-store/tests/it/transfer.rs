//! CSV import and export, on both engines.

use varde_store::StoreError;
use varde_store::transfer::{ImportOptions, Kind};

use super::{stores, t};

fn opts(dry_run: bool, partial: bool) -> ImportOptions {
    ImportOptions {
        dry_run,
        partial,
        actor: "ada@example.com".into(),
        now: t("2026-03-01T12:00:00Z"),
    }
}

const ORGS: &str = "name,org_number,country,sector,framework,language,mail_domains,lifecycle\n\
KTH,202100-3054,SE,research_education,sunet,sv,kth.se,active\n\
Sikt,919477822,NO,research_education,sikt,nb,sikt.no,onboarding\n\
Statens Arkiv,,SE,government,kammarkollegiet,sv,,prospect\n";

#[tokio::test]
async fn import_dry_run_apply_and_round_trip() {
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let dry = store
            .import_csv(Kind::Organizations, ORGS.as_bytes(), &opts(true, false))
            .await
            .unwrap();
        assert_eq!(
            (dry.rows, dry.created, dry.applied),
            (3, 3, false),
            "{engine}"
        );
        assert_eq!(
            store.count_organizations().await.unwrap(),
            0,
            "{engine}: a dry run writes nothing"
        );
        assert_eq!(dry.changes[1].key, "919477822");

        let done = store
            .import_csv(Kind::Organizations, ORGS.as_bytes(), &opts(false, false))
            .await
            .unwrap();
        assert!(done.applied && done.errors.is_empty(), "{engine}: {done:?}");
        assert_eq!(store.count_organizations().await.unwrap(), 3);

        // The same file again changes nothing; a changed row is an update with its diff.
        let again = store
            .import_csv(Kind::Organizations, ORGS.as_bytes(), &opts(true, false))
            .await
            .unwrap();
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, 3),
            "{engine}"
        );
        let changed = ORGS.replace(
            "Sikt,919477822,NO,research_education,sikt,nb,sikt.no,onboarding",
            "Sikt,919477822,NO,research_education,sikt,nb,sikt.no,active",
        );
        let upd = store
            .import_csv(Kind::Organizations, changed.as_bytes(), &opts(false, false))
            .await
            .unwrap();
        assert_eq!(upd.updated, 1);
        assert_eq!(upd.changes[0].changes[0].field, "lifecycle");

        let contacts = "organization,name,email,phone,roles,language,portal_access\n\
919477822,Ingrid Nilsen,ingrid@sikt.no,+47 22 12 34 56,primary technical,,yes\n\
KTH,Sven Svensson,sven@kth.se,,technical,sv,no\n\
Nobody Inc,Ghost,ghost@example.com,,,,\n\
KTH,Broken,not-an-email,0701,,,\n";
        let strict = store
            .import_csv(Kind::Contacts, contacts.as_bytes(), &opts(false, false))
            .await
            .unwrap();
        assert!(!strict.applied, "{engine}: all or nothing");
        let lines: Vec<u64> = strict.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [4, 5], "{engine}: {:?}", strict.errors);
        assert!(
            strict.errors[1].message.contains("email")
                && strict.errors[1].message.contains("phone")
        );
        let partial = store
            .import_csv(Kind::Contacts, contacts.as_bytes(), &opts(false, true))
            .await
            .unwrap();
        assert!(
            partial.applied && partial.created == 2,
            "{engine}: {partial:?}"
        );

        let contracts = "organization,reference,signed_on,starts_on,ends_on,product_code,quantity,site\n\
919477822,SIKT-1,2026-01-10,2026-02-01,,SUPPORT-premium,1,\n\
919477822,SIKT-1,2026-01-10,2026-02-01,,COMPUTE,4,no-osl1\n\
KTH,KTH-1,2026-01-10,2026-02-01,,SUPPORT-gold,1,\n";
        let c = store
            .import_csv(Kind::Contracts, contracts.as_bytes(), &opts(false, true))
            .await
            .unwrap();
        assert_eq!(
            (c.rows, c.created, c.errors.len()),
            (3, 1, 1),
            "{engine}: {c:?}"
        );
        assert_eq!(c.errors[0].line, 4);

        // Export, then import the export: nothing changes.
        for kind in [Kind::Organizations, Kind::Contacts, Kind::Contracts] {
            let out = store.export_csv(kind).await.unwrap();
            let r = store
                .import_csv(kind, &out, &opts(true, false))
                .await
                .unwrap();
            assert!(r.errors.is_empty(), "{engine} {kind:?}: {:?}", r.errors);
            assert_eq!(
                (r.created, r.updated),
                (0, 0),
                "{engine} {kind:?}: {:?}",
                r.changes
            );
        }
        let sikt = store
            .organization_by_domain(&varde_core::values::MailDomain::parse("sikt.no").unwrap())
            .await
            .unwrap()
            .unwrap();
        let history = store.audit_history(sikt, 20).await.unwrap();
        assert!(
            history
                .iter()
                .any(|e| e.actor == "import by ada@example.com" && e.entity == "contract"),
            "{engine}"
        );

        // A bad header is one error on line 1.
        let bad = store
            .import_csv(Kind::Contacts, b"who,what\nx,y\n", &opts(false, false))
            .await
            .unwrap();
        assert_eq!(bad.errors[0].line, 1);
        let _ = StoreError::NotFound;
    }
}
