//! Macros: an administrator writes them at /console/macros (mistakes named beside the
//! field); on a ticket's page an agent sees the ones offered for its queue and its
//! requestor's language, with the text as it would be written, and applies one in a click:
//! the reply, the status and the owner in one change. Agents do not write macros; read-only
//! staff do not apply them; a macro for another queue or language is refused.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, apps, csrf_of};

async fn api(app: &TestApp, path: &str, body: Value) -> Value {
    TestApp::client()
        .post(app.url(path))
        .bearer_auth(&app.admin_token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts the macro form (from the list page) with `fields`.
async fn save(
    c: &reqwest::Client,
    app: &TestApp,
    to: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, list) = page(c, app, "/console/macros").await;
    let csrf = csrf_of(&list);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = c.post(app.url(to)).form(&form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn an_agent_applies_a_macro_in_one_click() {
    for app in apps().await {
        one_click(&app).await;
    }
}

async fn one_click(app: &TestApp) {
    let org = api(
        app,
        "/api/v1/organizations",
        json!({"name": "Fjord Data AS", "country": "NO", "mail_domains": ["fjord.example"]}),
    )
    .await;
    let org_id = org["id"].as_i64().unwrap();
    api(
        app,
        &format!("/api/v1/organizations/{org_id}/contacts"),
        json!({"name": "Kari Nordmann", "email": "kari@fjord.example", "language": "nb"}),
    )
    .await;
    let t = api(app, "/api/v1/tickets", json!({"queue": "General", "subject": "vol-9 will not detach", "requestors": ["kari@fjord.example"], "content": "stuck"})).await;
    let id = t["id"].as_i64().unwrap();

    let admin = app.browser(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // Mistakes come back beside their fields, and nothing is kept.
    let (status, body) = save(
        &admin,
        app,
        "/console/macros",
        &[
            ("name", "Detached"),
            ("queue", "Nowhere"),
            ("kind", "reply"),
            ("body", "Hei {kunde}"),
            ("status", "resolved"),
            ("owner", "me"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("{kunde} is not a placeholder"), "{body}");
    assert!(body.contains("there is no queue"), "{body}");
    // A Norwegian reply that resolves the ticket and takes it; an English one beside it.
    let (status, _) = save(&admin, app, "/console/macros", &[
        ("name", "Volum løsnet"), ("queue", "general"), ("language", "nb"), ("kind", "reply"),
        ("body", "Hei {first_name}!\n\nVolumet i sak {ticket} ({subject}) er løsnet.\nHilsen {agent}"),
        ("status", "resolved"), ("owner", "me"),
    ]).await;
    assert_eq!(status, 303);
    let (status, _) = save(
        &admin,
        app,
        "/console/macros",
        &[
            ("name", "Volume detached"),
            ("language", "en"),
            ("kind", "reply"),
            ("body", "Hello {first_name}, it is detached."),
            ("owner", "keep"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, body) = save(
        &admin,
        app,
        "/console/macros",
        &[("name", "volum LØSNET"), ("kind", "comment"), ("body", "x")],
    )
    .await;
    assert_eq!(status, 422, "names are unique");
    assert!(body.contains("another macro has this name"), "{body}");

    // An agent reads the offered one, filled in for this ticket, and not the English one.
    app.account_with_token("agnes@example.com", Role::Agent, None)
        .await;
    let agent = app.browser("agnes@example.com", ADMIN_PASSWORD).await;
    let (_, ticket_page) = page(&agent, app, &format!("/console/tickets/{id}")).await;
    assert!(ticket_page.contains("Volum løsnet"), "{ticket_page}");
    assert!(
        !ticket_page.contains("Volume detached"),
        "the requestor reads Norwegian"
    );
    assert!(
        ticket_page.contains(&format!(
            "Hei Kari!\n\nVolumet i sak {id} (vol-9 will not detach) er løsnet."
        )),
        "{ticket_page}"
    );
    // Agents apply macros; they do not write them.
    let (status, _) = save(
        &agent,
        app,
        "/console/macros",
        &[("name", "Mine"), ("kind", "reply"), ("body", "x")],
    )
    .await;
    assert_eq!(status, 403);

    let macros = app.store.macros().await.unwrap();
    let norwegian = macros
        .iter()
        .find(|m| m.details.name == "Volum løsnet")
        .unwrap();
    let english = macros
        .iter()
        .find(|m| m.details.name == "Volume detached")
        .unwrap();
    let apply = |m: i64| format!("/console/tickets/{id}/macros/{m}");
    let csrf = csrf_of(&ticket_page);
    let r = agent
        .post(app.url(&apply(english.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "not offered on this ticket");
    assert!(r.text().await.unwrap().contains("not for this ticket"));

    let r = agent
        .post(app.url(&apply(norwegian.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let after = app
        .store
        .ticket(varde_core::ticket::TicketId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status.code(), "resolved");
    assert_eq!(after.owner.as_deref(), Some("agnes@example.com"));
    let history = app.store.history(after.id).await.unwrap();
    let reply = history
        .iter()
        .rev()
        .find(|e| e.transaction.change.rt_type("x") == "Correspond")
        .unwrap();
    assert!(reply.content.starts_with("Hei Kari!"), "{}", reply.content);
    assert!(
        reply.content.ends_with("Hilsen agnes@example.com"),
        "{}",
        reply.content
    );
    // The reply, the owner and the status: one change, at one moment, by the agent.
    let last: Vec<_> = history
        .iter()
        .filter(|e| e.transaction.at == reply.transaction.at)
        .collect();
    assert!(last.len() >= 3, "{last:?}");
    assert!(
        last.iter()
            .all(|e| e.transaction.creator == "agnes@example.com")
    );
    // The customer hears it by mail, as any reply.
    let log = app.store.delivery_log(after.id).await.unwrap();
    assert!(
        log.iter().any(|d| d.transaction == reply.transaction.id),
        "{log:?}"
    );

    // Read-only staff see macros but apply none; a customer sees no macro page.
    app.account_with_token("rut@example.com", Role::ReadOnly, None)
        .await;
    let reader = app.browser("rut@example.com", ADMIN_PASSWORD).await;
    assert_eq!(page(&reader, app, "/console/macros").await.0, 200);
    let (_, p) = page(&reader, app, &format!("/console/tickets/{id}")).await;
    assert!(
        !p.contains("Apply “"),
        "no macros offered to read-only staff"
    );
    let r = reader
        .post(app.url(&apply(norwegian.id)))
        .form(&[("csrf", csrf_of(&p).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Changing and deleting.
    let (status, _) = save(
        &admin,
        app,
        &format!("/console/macros/{}", english.id),
        &[
            ("name", "Volume detached"),
            ("language", ""),
            ("kind", "comment"),
            ("body", "Detached for {customer}."),
            ("owner", "nobody"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let changed = app.store.macro_by_id(english.id).await.unwrap().unwrap();
    assert_eq!(changed.details.language, None);
    let (status, _) = save(
        &admin,
        app,
        &format!("/console/macros/{}/delete", english.id),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    assert!(app.store.macro_by_id(english.id).await.unwrap().is_none());
}
