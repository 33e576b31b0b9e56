//! The status page over HTTP: Statuspage's `/api/v2` documents checked against Statuspage's
//! published shapes, incidents posted from the console, the public page in four languages,
//! the feeds, and who may post.

use serde_json::Value;
use varde_core::access::Role;
use varde_core::catalogue::{Service, Site};
use varde_store::status::NewComponent;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, app, apps, csrf_of};

const COMPONENT_STATUSES: &[&str] = &[
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
];
const INCIDENT_STATUSES: &[&str] = &[
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "postmortem",
];
const MAINTENANCE_STATUSES: &[&str] = &["scheduled", "in_progress", "verifying", "completed"];

fn is_time(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    let b = s.as_bytes();
    s.len() == 24
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && s.ends_with('Z')
        && s.parse::<jiff::Timestamp>().is_ok()
}

/// Checks one object's fields: `kind` is str, str?, int, bool, time, time?, array, array?,
/// or `one of` a vocabulary.
fn check(what: &str, v: &Value, fields: &[(&str, &str)], vocab: &[(&str, &[&str])]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {v}"));
    for (name, kind) in fields {
        let f = obj
            .get(*name)
            .unwrap_or_else(|| panic!("{what} lacks {name}: {v}"));
        let ok = match *kind {
            "str" => f.is_string(),
            "str?" => f.is_string() || f.is_null(),
            "int" => f.is_i64(),
            "bool" => f.is_boolean(),
            "time" => is_time(f),
            "time?" => f.is_null() || is_time(f),
            "date?" => {
                f.is_null()
                    || f.as_str()
                        .is_some_and(|d| d.parse::<jiff::civil::Date>().is_ok())
            }
            "array" => f.is_array(),
            "array?" => f.is_array() || f.is_null(),
            other => panic!("unknown kind {other}"),
        };
        assert!(ok, "{what}.{name} should be {kind}, is {f}");
    }
    for (name, allowed) in vocab {
        let s = obj[*name].as_str().unwrap_or_default();
        assert!(
            allowed.contains(&s),
            "{what}.{name} = {s:?} is not one of {allowed:?}"
        );
    }
}

fn check_page(doc: &Value) {
    check(
        "page",
        &doc["page"],
        &[
            ("id", "str"),
            ("name", "str"),
            ("url", "str"),
            ("time_zone", "str"),
            ("updated_at", "time"),
        ],
        &[],
    );
}

fn check_component(c: &Value) {
    check(
        "component",
        c,
        &[
            ("id", "str"),
            ("name", "str"),
            ("status", "str"),
            ("created_at", "time"),
            ("updated_at", "time"),
            ("position", "int"),
            ("description", "str?"),
            ("showcase", "bool"),
            ("start_date", "date?"),
            ("group_id", "str?"),
            ("page_id", "str"),
            ("group", "bool"),
            ("only_show_if_degraded", "bool"),
        ],
        &[("status", COMPONENT_STATUSES)],
    );
    if c["group"] == true {
        assert!(
            c["components"].is_array(),
            "a group lists its components: {c}"
        );
    }
}

fn check_event(e: &Value, maintenance: bool) {
    let statuses = if maintenance {
        MAINTENANCE_STATUSES
    } else {
        INCIDENT_STATUSES
    };
    let impacts: &[&str] = if maintenance {
        &["maintenance"]
    } else {
        &["none", "minor", "major", "critical"]
    };
    check(
        "incident",
        e,
        &[
            ("id", "str"),
            ("name", "str"),
            ("status", "str"),
            ("created_at", "time"),
            ("updated_at", "time"),
            ("monitoring_at", "time?"),
            ("resolved_at", "time?"),
            ("impact", "str"),
            ("shortlink", "str"),
            ("started_at", "time"),
            ("page_id", "str"),
            ("incident_updates", "array"),
            ("components", "array"),
        ],
        &[("status", statuses), ("impact", impacts)],
    );
    if maintenance {
        check(
            "maintenance",
            e,
            &[("scheduled_for", "time"), ("scheduled_until", "time")],
            &[],
        );
    }
    for u in e["incident_updates"].as_array().unwrap() {
        check(
            "incident_update",
            u,
            &[
                ("id", "str"),
                ("status", "str"),
                ("body", "str"),
                ("incident_id", "str"),
                ("created_at", "time"),
                ("updated_at", "time"),
                ("display_at", "time"),
                ("affected_components", "array?"),
                ("deliver_notifications", "bool"),
                ("custom_tweet", "str?"),
                ("tweet_id", "str?"),
            ],
            &[("status", statuses)],
        );
        assert_eq!(u["incident_id"], e["id"]);
        for a in u["affected_components"].as_array().into_iter().flatten() {
            check(
                "affected_component",
                a,
                &[
                    ("code", "str"),
                    ("name", "str"),
                    ("old_status", "str"),
                    ("new_status", "str"),
                ],
                &[
                    ("old_status", COMPONENT_STATUSES),
                    ("new_status", COMPONENT_STATUSES),
                ],
            );
        }
    }
    for c in e["components"].as_array().unwrap() {
        check_component(c);
    }
}

/// Fetches one `/api/v2` document, checks the envelope and returns it.
async fn doc(app: &TestApp, path: &str) -> Value {
    let r = TestApp::client().get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "*",
        "{path}: usable from any page"
    );
    let v: Value = r.json().await.unwrap();
    check_page(&v);
    v
}

async fn check_all(app: &TestApp) -> Value {
    let summary = doc(app, "/api/v2/summary.json").await;
    for c in summary["components"].as_array().unwrap() {
        check_component(c);
    }
    for e in summary["incidents"].as_array().unwrap() {
        check_event(e, false);
    }
    for m in summary["scheduled_maintenances"].as_array().unwrap() {
        check_event(m, true);
    }
    check(
        "status",
        &summary["status"],
        &[("indicator", "str"), ("description", "str")],
        &[(
            "indicator",
            &["none", "minor", "major", "critical", "maintenance"],
        )],
    );
    let status = doc(app, "/api/v2/status.json").await;
    assert_eq!(status["status"], summary["status"]);
    let components = doc(app, "/api/v2/components.json").await;
    assert_eq!(components["components"], summary["components"]);
    for path in [
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
    ] {
        for e in doc(app, path).await["incidents"].as_array().unwrap() {
            check_event(e, false);
        }
    }
    for path in [
        "/api/v2/scheduled-maintenances.json",
        "/api/v2/scheduled-maintenances/upcoming.json",
        "/api/v2/scheduled-maintenances/active.json",
    ] {
        for m in doc(app, path).await["scheduled_maintenances"]
            .as_array()
            .unwrap()
        {
            check_event(m, true);
        }
    }
    summary
}

#[tokio::test]
async fn statuspage_documents_follow_statuspage_shapes_through_an_incident() {
    for app in apps().await {
        let now = jiff::Timestamp::now();
        let group = app
            .store
            .create_component(
                &NewComponent {
                    name: "Oslo".into(),
                    is_group: true,
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
        let storage = app
            .store
            .create_component(
                &NewComponent {
                    name: "Storage & backup".into(),
                    group_id: Some(group.id),
                    service: Some(Service::Storage),
                    site: Some(Site::Oslo),
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
        let empty = check_all(&app).await;
        assert_eq!(empty["status"]["indicator"], "none");
        assert_eq!(empty["status"]["description"], "All Systems Operational");
        assert_eq!(
            empty["components"][0]["components"][0],
            storage.id.to_string()
        );

        // An agent posts an incident from the console.
        let browser = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let form = browser
            .get(app.url("/console/status/new?kind=incident"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains(&format!("name=\"component_{}\"", storage.id)));
        let csrf = csrf_of(&form);
        let component_field = format!("component_{}", storage.id);
        let r = browser
            .post(app.url("/console/status/events"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "incident"),
                ("name", "S3 errors in Oslo"),
                ("status", "investigating"),
                ("impact", "major"),
                ("body", "PUT requests fail <sometimes>."),
                (component_field.as_str(), "partial_outage"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

        let summary = check_all(&app).await;
        assert_eq!(summary["status"]["indicator"], "major");
        assert_eq!(summary["status"]["description"], "Partial System Outage");
        let incident = &summary["incidents"][0];
        assert_eq!(incident["name"], "S3 errors in Oslo");
        assert_eq!(incident["impact"], "major");
        assert_eq!(
            incident["shortlink"],
            format!("http://127.0.0.1:8080/status/incidents/{id}")
        );
        assert_eq!(incident["components"][0]["status"], "partial_outage");
        let affected = &incident["incident_updates"][0]["affected_components"][0];
        assert_eq!(affected["old_status"], "operational");
        assert_eq!(affected["new_status"], "partial_outage");
        assert_eq!(
            doc(&app, "/api/v2/incidents/unresolved.json").await["incidents"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // A bad update is refused beside its field and changes nothing.
        let page = browser
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = browser
            .post(app.url(&format!("{location}/updates")))
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("status", "fixed"),
                ("body", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let again = r.text().await.unwrap();
        assert!(again.contains("is not a incident status"), "{again}");
        assert!(again.contains("say what has changed"));

        // Resolved: the component is operational again and the page is green.
        let r = browser
            .post(app.url(&format!("{location}/updates")))
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("status", "resolved"),
                ("body", "Fixed."),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let summary = check_all(&app).await;
        assert_eq!(summary["status"]["indicator"], "none");
        assert!(summary["incidents"].as_array().unwrap().is_empty());
        let all = doc(&app, "/api/v2/incidents.json").await;
        let resolved = &all["incidents"][0];
        assert_eq!(resolved["status"], "resolved");
        assert!(is_time(&resolved["resolved_at"]));
        assert_eq!(resolved["incident_updates"].as_array().unwrap().len(), 2);
        assert_eq!(summary["components"][1]["status"], "operational");

        // A maintenance scheduled from the console shows as upcoming.
        let form = browser
            .get(app.url("/console/status/new?kind=maintenance"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = browser
            .post(app.url("/console/status/events"))
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("kind", "maintenance"),
                ("name", "Ceph upgrade"),
                ("body", "Rolling upgrade."),
                ("scheduled_for", "2099-01-01T22:00"),
                ("scheduled_until", "2099-01-02T01:00"),
                ("auto_start", "yes"),
                (component_field.as_str(), "under_maintenance"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let upcoming = doc(&app, "/api/v2/scheduled-maintenances/upcoming.json").await;
        let m = &upcoming["scheduled_maintenances"][0];
        assert_eq!(m["status"], "scheduled");
        assert_eq!(m["impact"], "maintenance");
        assert_eq!(
            m["scheduled_for"], "2099-01-01T21:00:00.000Z",
            "22:00 in Stockholm"
        );
        assert!(
            doc(&app, "/api/v2/scheduled-maintenances/active.json").await["scheduled_maintenances"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            check_all(&app).await["scheduled_maintenances"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn the_public_page_speaks_four_languages_and_has_feeds() {
    let app = app().await;
    let now = jiff::Timestamp::now();
    let c = app
        .store
        .create_component(
            &NewComponent {
                name: "Compute <sto1>".into(),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    app.store
        .set_component_status(c.id, varde_core::status::ComponentStatus::MajorOutage, now)
        .await
        .unwrap();
    let get = |path: &str, lang: Option<&str>| {
        let mut r = TestApp::client().get(app.url(path));
        if let Some(l) = lang {
            r = r.header("accept-language", l);
        }
        async move {
            let r = r.send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let en = get("/status", None).await;
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("Major System Outage"));
    assert!(
        en.contains("Compute &#60;sto1&#62;") || en.contains("Compute &lt;sto1&gt;"),
        "escaped"
    );
    assert!(en.contains("<h2 id=\"h-components\">Components</h2>"));
    assert_eq!(en.matches("<rect ").count(), 90, "one bar a day");
    let sv = get("/status?lang=sv", None).await;
    assert!(
        sv.contains("<html lang=\"sv\">")
            && sv.contains("Större driftavbrott")
            && sv.contains("Större avbrott")
    );
    let da = get("/status", Some("da-DK,da;q=0.9,en;q=0.5")).await;
    assert!(da.contains("<html lang=\"da\">") && da.contains("Større udfald"));
    let nb = get("/status/history?lang=nb", None).await;
    assert!(nb.contains("Hendelseshistorikk"));

    let atom = get("/status/feed.atom", None).await;
    assert!(
        atom.starts_with("<?xml") && atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    let rss = get("/status/feed.rss", None).await;
    assert!(rss.contains("<rss version=\"2.0\">"));
    let r = TestApp::client()
        .get(app.url("/status/incidents/4242"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn only_staff_post_and_only_administrators_add_components() {
    let app = app().await;
    app.account_with_token("ro@example.com", Role::ReadOnly, None)
        .await;
    app.account_with_token("agent@example.com", Role::Agent, None)
        .await;
    // Anonymous callers are sent to the login page.
    let r = TestApp::client()
        .get(app.url("/console/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let ro = app.browser("ro@example.com", ADMIN_PASSWORD).await;
    let page = ro.get(app.url("/console/status")).send().await.unwrap();
    assert_eq!(page.status(), 200, "read-only staff read");
    let csrf = csrf_of(&page.text().await.unwrap());
    let r = ro
        .post(app.url("/console/status/events"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "incident"),
            ("name", "x"),
            ("body", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let agent = app.browser("agent@example.com", ADMIN_PASSWORD).await;
    let page = agent
        .get(app.url("/console/status"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("Add a component"),
        "agents do not define components"
    );
    let r = agent
        .post(app.url("/console/status/components"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("name", "Sneaky")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(app.store.components().await.unwrap().is_empty());

    let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin
        .get(app.url("/console/status"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = admin
        .post(app.url("/console/status/components"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("name", "Compute"),
            ("service", "compute"),
            ("site", "se-sto1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let components = app.store.components().await.unwrap();
    assert_eq!(components.len(), 1);
    assert_eq!(components[0].site, Some(Site::Stockholm));
}
