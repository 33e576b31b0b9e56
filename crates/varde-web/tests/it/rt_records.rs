//! Users and queues written through RT's APIs: who may (administrators; an agent changes only
//! its own name and password), what Varde keeps of RT's fields and what it refuses, RT's
//! login names (a user made with `Name: alice` logs in as `alice`), requestors kept as
//! contacts of the organisation of their mail domain. Both engines. The wire formats are
//! compared with the real RT by `tests/rt-compat/records.py`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, apps};

const STRONG: &str = "a long enough pass phrase";

async fn rest1(app: &TestApp, user: &str, password: &str, path: &str, content: &str) -> String {
    TestApp::client()
        .post(app.url(&format!("/REST/1.0/{path}")))
        .form(&[("user", user), ("pass", password), ("content", content)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn administrators_make_users_that_log_in_by_their_rt_name() {
    for app in apps().await {
        let c = TestApp::client();
        let admin = |r: reqwest::RequestBuilder| r.basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD));
        let made = admin(c.post(app.url("/REST/2.0/user")))
            .json(
                &json!({"Name": "alice", "EmailAddress": "alice@example.com", "RealName": "Alice",
                          "Privileged": 1, "Password": STRONG}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        let location = made.headers()["location"].to_str().unwrap().to_string();
        let body: Value = made.json().await.unwrap();
        assert_eq!(body["id"], "alice", "{body}");
        assert!(location.starts_with("/REST/2.0/user/"), "{location}");

        // RT's clients log in with the name, and with the address.
        for login in ["alice", "ALICE", "alice@example.com"] {
            let answer = rest1(&app, login, STRONG, "user/alice", "").await;
            assert!(
                answer.contains("200 Ok") && answer.contains("Name: alice"),
                "{login}: {answer}"
            );
        }
        let wrong = rest1(&app, "alice", "not the pass phrase", "user/alice", "").await;
        assert!(wrong.contains("401"), "{wrong}");

        // The name is one account's only.
        let again = admin(c.post(app.url("/REST/2.0/user")))
            .json(&json!({"Name": "Alice", "EmailAddress": "alice2@example.com", "Privileged": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::BAD_REQUEST);

        // A new password ends the account's sessions; the new one works at once.
        let changed: Value = admin(c.put(app.url("/REST/2.0/user/alice")))
            .json(&json!({"Password": "another long pass phrase", "RealName": "Alice B", "City": "Oslo", "Foo": "x"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            changed,
            json!([
                "User alice: RealName changed from 'Alice' to 'Alice B'",
                "User alice: Password changed",
                "User alice: Varde keeps no City for users."
            ])
        );
        let old = rest1(&app, "alice", STRONG, "user/alice", "").await;
        assert!(old.contains("401"), "{old}");
        let new = rest1(&app, "alice", "another long pass phrase", "user/alice", "").await;
        assert!(new.contains("RealName: Alice B"), "{new}");

        // An account keeps its address; a disabled one cannot log in.
        let moved = rest1(
            &app,
            ADMIN_EMAIL,
            ADMIN_PASSWORD,
            "edit",
            "id: user/alice\nEmailAddress: other@example.com",
        )
        .await;
        assert!(
            moved.contains("409 Syntax Error")
                && moved.contains("# emailaddress: an account keeps its e-mail address"),
            "{moved}"
        );
        let gone = admin(c.delete(app.url("/REST/2.0/user/alice")))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        let disabled = rest1(&app, "alice", "another long pass phrase", "user/alice", "").await;
        assert!(disabled.contains("401"), "{disabled}");
        let shown: Value = admin(c.get(app.url("/REST/2.0/user/alice")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (shown["Disabled"].clone(), shown["Privileged"].clone()),
            (json!("1"), json!(1)),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn agents_change_only_their_own_name_and_no_queue() {
    for app in apps().await {
        app.account_with_token("alva@example.com", Role::Agent, None)
            .await;
        let c = TestApp::client();
        let alva =
            |r: reqwest::RequestBuilder| r.basic_auth("alva@example.com", Some(ADMIN_PASSWORD));
        let status = |r: reqwest::Response| r.status();
        let queue = alva(c.post(app.url("/REST/2.0/queue")))
            .json(&json!({"Name": "Mine"}))
            .send()
            .await
            .unwrap();
        assert_eq!(status(queue), StatusCode::FORBIDDEN);
        let general = alva(c.put(app.url("/REST/2.0/queue/General")))
            .json(&json!({"Description": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(status(general), StatusCode::FORBIDDEN);
        let user = alva(c.post(app.url("/REST/2.0/user")))
            .json(
                &json!({"Name": "mallory", "EmailAddress": "mallory@example.com", "Privileged": 1}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(status(user), StatusCode::FORBIDDEN);
        // Another's account is not found for an agent; its own name it may change, not disable.
        let admin = alva(c.put(app.url(&format!("/REST/2.0/user/{ADMIN_EMAIL}"))))
            .json(&json!({"RealName": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(status(admin), StatusCode::NOT_FOUND);
        let own: Value = alva(c.put(app.url("/REST/2.0/user/alva@example.com")))
            .json(&json!({"RealName": "Alva"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            own,
            json!(["User alva@example.com: RealName changed from 'alva@example.com' to 'Alva'"])
        );
        let off = alva(c.delete(app.url("/REST/2.0/user/alva@example.com")))
            .send()
            .await
            .unwrap();
        assert_eq!(status(off), StatusCode::FORBIDDEN);
        let cli = rest1(
            &app,
            "alva@example.com",
            ADMIN_PASSWORD,
            "edit",
            "id: queue/new\nName: Mine",
        )
        .await;
        assert!(cli.contains("# Permission denied."), "{cli}");
        assert!(app.store.queue("Mine").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn queues_keep_their_names_and_their_sla() {
    for app in apps().await {
        let (a, p) = (ADMIN_EMAIL, ADMIN_PASSWORD);
        let made = rest1(&app, a, p, "edit", "id: queue/new\nName: Backup\nDescription: Backups\nCorrespondAddress: backup@example.com").await;
        assert!(
            made.contains("200 Ok") && made.contains("# Queue ") && made.contains(" created."),
            "{made}"
        );
        let renamed = rest1(&app, a, p, "edit", "id: queue/Backup\nName: Restore").await;
        assert!(
            renamed.contains("409 Syntax Error")
                && renamed.contains("# name: a queue keeps its name"),
            "{renamed}"
        );
        let sla = rest1(
            &app,
            a,
            p,
            "edit",
            "id: queue/Backup\nSLADisabled: 1\nDescription: x",
        )
        .await;
        assert!(
            sla.contains("# sladisabled: Varde holds every queue")
                && sla.contains("# Queue Backup updated."),
            "{sla}"
        );
        let bad = rest1(
            &app,
            a,
            p,
            "edit",
            "id: queue/Backup\nCommentAddress: not an address",
        )
        .await;
        assert!(
            bad.contains("409 Syntax Error") && bad.contains("# comment_address:"),
            "{bad}"
        );
        let q = app.store.queue("backup").await.unwrap().unwrap();
        assert_eq!(
            (
                q.name.as_str(),
                q.description.as_str(),
                q.comment_address.as_str()
            ),
            ("Backup", "x", "")
        );
        let off = rest1(&app, a, p, "edit", "id: queue/Backup\nDisabled: 1").await;
        assert!(off.contains("# Queue Backup updated."), "{off}");
        assert!(app.store.queue("backup").await.unwrap().unwrap().disabled);
        // A disabled queue takes no new ticket from a client, and RT's list leaves it out.
        let refused = rest1(
            &app,
            a,
            p,
            "ticket/new",
            "id: ticket/new\nQueue: Backup\nSubject: x\nRequestor: kim@example.net\nText: y",
        )
        .await;
        assert!(
            refused.contains("# Could not create ticket.") && refused.contains("is disabled"),
            "{refused}"
        );
        let listed = rest1(&app, a, p, "search/queue", "").await;
        assert!(
            listed.contains(": General") && !listed.contains("Backup"),
            "{listed}"
        );
        let c = TestApp::client();
        let on: Value = c
            .put(app.url(&format!("/REST/2.0/queue/{}", q.id)))
            .basic_auth(a, Some(p))
            .json(&json!({"Disabled": 0, "CommentAddress": "b@example.com"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            on,
            json!([
                format!(
                    "Queue {}: CommentAddress changed from (no value) to \"b@example.com\"",
                    q.id
                ),
                "Queue Backup: Disabled changed from \"1\" to \"0\""
            ])
        );
        // A queue's custom fields are read here and set elsewhere, as in RT.
        let fields = rest1(&app, a, p, "queue/General/ticketcustomfields", "").await;
        assert!(
            fields.contains("id: queue/1\nSite: \nService: "),
            "{fields}"
        );
        let set = rest1(&app, a, p, "queue/General/ticketcustomfields", "Site: x").await;
        assert!(
            set.contains("400 Bad Request\n\nCannot modify Queue CF definitions via REST"),
            "{set}"
        );
        let none = rest1(&app, a, p, "queue/Nope/ticketcustomfields", "").await;
        assert!(none.contains("# No queue named Nope exists."), "{none}");
    }
}

#[tokio::test]
async fn an_unprivileged_user_is_a_contact_of_its_domains_organisation() {
    for app in apps().await {
        let c = TestApp::client();
        let org: Value = c
            .post(app.url("/api/v1/organizations"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"name": "Fjord AS", "country": "NO", "mail_domains": ["fjord.no"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let made = c
            .post(app.url("/REST/2.0/user"))
            .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
            .json(&json!({"Name": "kari", "EmailAddress": "kari@fjord.no", "RealName": "Kari"}))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        let body: Value = made.json().await.unwrap();
        assert_eq!(body["id"], "kari@fjord.no");
        let contact = app
            .store
            .contact_by_email(&varde_core::values::EmailAddress::parse("kari@fjord.no").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (contact.organization.0, contact.details.name.as_str()),
            (org["id"].as_i64().unwrap(), "Kari")
        );
        assert!(!contact.details.portal_access);
        let stranger = c
            .post(app.url("/REST/2.0/user"))
            .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
            .json(&json!({"Name": "x", "EmailAddress": "x@nowhere.example"}))
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), StatusCode::BAD_REQUEST);
        let why: Value = stranger.json().await.unwrap();
        assert!(
            why["message"]
                .as_str()
                .unwrap()
                .contains("no organisation has the mail domain nowhere.example"),
            "{why}"
        );
    }
}

async fn get_json(app: &TestApp, who: &str, path: &str) -> (StatusCode, Value) {
    let r = TestApp::client()
        .get(app.url(path))
        .basic_auth(who, Some(ADMIN_PASSWORD))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn custom_fields_have_numbers_that_stay() {
    for app in apps().await {
        let (status, all) = get_json(&app, ADMIN_EMAIL, "/REST/2.0/customfields").await;
        assert_eq!(
            (status, all["total"].clone()),
            (StatusCode::OK, json!(2)),
            "{all}"
        );
        let site = all["items"][0]["id"].as_str().unwrap().to_string();
        let service = all["items"][1]["id"].as_str().unwrap().to_string();
        let (_, record) =
            get_json(&app, ADMIN_EMAIL, &format!("/REST/2.0/customfield/{site}")).await;
        assert_eq!(
            (record["Name"].clone(), record["Type"].clone()),
            (json!("Site"), json!("Select")),
            "{record}"
        );
        assert_eq!(record["Values"], json!(["no-osl1", "se-lla1", "se-sto1"]));
        let (_, found) = get_json(
            &app,
            ADMIN_EMAIL,
            "/REST/2.0/customfields?query=[{\"field\":\"Name\",\"operator\":\"LIKE\",\"value\":\"serv\"}]",
        )
        .await;
        assert_eq!(found["items"][0]["id"], json!(service), "{found}");
        // Replacing a queue's fields keeps the numbers of those that stay.
        let put = TestApp::client()
            .put(app.url("/api/v1/queues/General/custom-fields"))
            .bearer_auth(&app.admin_token)
            .json(&json!([{"name": "Note"}, {"name": "Site", "values": ["se-sto1"]}]))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), StatusCode::OK);
        let (_, record) =
            get_json(&app, ADMIN_EMAIL, &format!("/REST/2.0/customfield/{site}")).await;
        assert_eq!(
            (record["Name"].clone(), record["Values"].clone()),
            (json!("Site"), json!(["se-sto1"]))
        );
        // A change of case only is the same field, with its number.
        let put = TestApp::client()
            .put(app.url("/api/v1/queues/General/custom-fields"))
            .bearer_auth(&app.admin_token)
            .json(&json!([{"name": "Note"}, {"name": "SITE", "values": ["se-sto1"]}]))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), StatusCode::OK);
        let (_, record) =
            get_json(&app, ADMIN_EMAIL, &format!("/REST/2.0/customfield/{site}")).await;
        assert_eq!(record["Name"], "SITE", "{record}");
        let (gone, _) = get_json(
            &app,
            ADMIN_EMAIL,
            &format!("/REST/2.0/customfield/{service}"),
        )
        .await;
        assert_eq!(gone, StatusCode::NOT_FOUND);
        let (_, of_queue) = get_json(&app, ADMIN_EMAIL, "/REST/2.0/queue/1/customfields").await;
        let names: Vec<String> = of_queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names.len(), 2);
        assert_eq!(names[1], site, "the queue's order: Note, then Site");
        let (_, queue) = get_json(&app, ADMIN_EMAIL, "/REST/2.0/queue/General").await;
        assert_eq!(queue["TicketCustomFields"][1]["name"], "SITE", "{queue}");
    }
}

#[tokio::test]
async fn saved_searches_are_ones_own_and_run_as_rt_runs_them() {
    for app in apps().await {
        app.account_with_token("alva@example.com", Role::Agent, None)
            .await;
        let admin = app
            .store
            .account_for_login(&varde_core::values::EmailAddress::parse(ADMIN_EMAIL).unwrap())
            .await
            .unwrap()
            .unwrap()
            .0;
        let now = jiff::Timestamp::now();
        for n in 0..3 {
            let made = TestApp::client()
                .post(app.url("/REST/2.0/ticket"))
                .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
                .json(&json!({"Queue": "General", "Subject": format!("saved {n}"), "Requestor": "kim@example.net"}))
                .send()
                .await
                .unwrap();
            assert_eq!(made.status(), StatusCode::CREATED);
        }
        app.store
            .save_search(admin.id, "Saved ones", "Subject LIKE 'saved'", now)
            .await
            .unwrap();
        let (_, list) = get_json(&app, ADMIN_EMAIL, "/REST/2.0/searches").await;
        assert_eq!(list["total"], 1, "{list}");
        let id = list["items"][0]["id"].as_str().unwrap().to_string();
        for key in [id.as_str(), "Saved%20ones"] {
            let (status, s) = get_json(&app, ADMIN_EMAIL, &format!("/REST/2.0/search/{key}")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                (s["Description"].clone(), s["Content"]["Query"].clone()),
                (json!("Saved ones"), json!("Subject LIKE 'saved'"))
            );
        }
        let (_, run) = get_json(
            &app,
            ADMIN_EMAIL,
            &format!("/REST/2.0/tickets?search={id}&per_page=2"),
        )
        .await;
        assert_eq!(
            (
                run["total"].clone(),
                run["count"].clone(),
                run["pages"].clone()
            ),
            (json!(3), json!(2), json!(2)),
            "{run}"
        );
        // Another's search is not found, whether listed, read or run.
        let (_, theirs) = get_json(&app, "alva@example.com", "/REST/2.0/searches").await;
        assert_eq!(theirs["total"], 0);
        for path in [
            format!("/REST/2.0/search/{id}"),
            format!("/REST/2.0/tickets?search={id}"),
        ] {
            let (status, _) = get_json(&app, "alva@example.com", &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }
}

#[tokio::test]
async fn an_agents_own_form_sent_back_whole_changes_its_name_and_tokens_set_no_password() {
    for app in apps().await {
        let token = app
            .account_with_token("alva@example.com", Role::Agent, None)
            .await;
        // `rt edit user/<me>` without `set` sends the whole form back, `Disabled: 0` too.
        let form = "id: user/alva@example.com\nName: alva@example.com\nEmailAddress: alva@example.com\nRealName: Alva A\nPrivileged: 1\nDisabled: 0";
        let own = rest1(&app, "alva@example.com", ADMIN_PASSWORD, "edit", form).await;
        assert!(
            own.contains("200 Ok") && own.contains("# User alva@example.com updated."),
            "{own}"
        );
        let shown = rest1(
            &app,
            "alva@example.com",
            ADMIN_PASSWORD,
            "user/alva@example.com",
            "",
        )
        .await;
        assert!(shown.contains("RealName: Alva A"), "{shown}");
        // A token alone sets no password, not even its own account's.
        let by_token = TestApp::client()
            .put(app.url("/REST/2.0/user/alva@example.com"))
            .bearer_auth(&token)
            .json(&json!({"Password": STRONG}))
            .send()
            .await
            .unwrap();
        assert_eq!(by_token.status(), StatusCode::BAD_REQUEST);
        let by_admin_token = TestApp::client()
            .put(app.url("/REST/2.0/user/alva@example.com"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"Password": STRONG}))
            .send()
            .await
            .unwrap();
        assert_eq!(by_admin_token.status(), StatusCode::BAD_REQUEST);
        let still = rest1(
            &app,
            "alva@example.com",
            STRONG,
            "user/alva@example.com",
            "",
        )
        .await;
        assert!(still.contains("401"), "{still}");
    }
}

#[tokio::test]
async fn login_tries_count_against_the_account_whichever_name_is_typed() {
    for app in apps().await {
        let made = TestApp::client()
            .post(app.url("/REST/2.0/user"))
            .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
            .json(&json!({"Name": "bert", "EmailAddress": "bert@example.com", "Privileged": 1, "Password": STRONG}))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        for _ in 0..12 {
            let wrong = rest1(&app, "bert", "not the pass phrase", "user/bert", "").await;
            assert!(wrong.contains("401"), "{wrong}");
        }
        // The limit is spent for the account, so its address does not open a new one.
        let right = rest1(&app, "bert@example.com", STRONG, "user/bert", "").await;
        assert!(right.contains("401"), "{right}");
    }
}
