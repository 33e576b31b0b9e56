//! REST2's lists of queues and users, with RT's JSON searches (`?query=` or a POST's body):
//! paging, `fields=`, disabled records left out unless asked for, and who may list accounts
//! (`can`: administrators; an agent is refused, a customer too); tickets' transactions searched by
//! JSON limits and TransactionSQL. Both engines.

use serde_json::{Value, json};
use varde_core::access::Role;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, apps};

#[tokio::test]
async fn queues_and_users_are_listed_and_searched_as_rt_does() {
    for app in apps().await {
        let now = jiff::Timestamp::now();
        for (name, description) in [("Sales", "Quotes and orders"), ("Network", "Peering")] {
            let q = app.store.create_queue(name, description, "", "", now);
            q.await.unwrap();
        }
        app.account_with_token("alva@example.com", Role::Agent, None)
            .await;
        let c = TestApp::client();
        let as_who = |who: &'static str| {
            let c = c.clone();
            move |r: reqwest::RequestBuilder| {
                let _ = &c;
                r.basic_auth(who, Some(ADMIN_PASSWORD))
            }
        };
        let admin = as_who(ADMIN_EMAIL);
        let get = |path: &str| {
            let url = app.url(path);
            let rb = admin(c.get(url));
            async move {
                let r = rb.send().await.unwrap();
                (
                    r.status().as_u16(),
                    r.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        };
        let names = |v: &Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["Name"].as_str().unwrap_or_default().to_string())
                .collect()
        };

        // Every queue, with the fields python-rt's get_all_queues asks for.
        let (status, all) =
            get("/REST/2.0/queues/all?fields=Name,Description,InitialPriority").await;
        assert_eq!(status, 200, "{all}");
        assert_eq!(names(&all), ["General", "Network", "Sales"], "{all}");
        assert_eq!(all["items"][2]["Description"], "Quotes and orders");
        assert_eq!(all["items"][2]["InitialPriority"], "");
        assert_eq!(all["items"][2]["type"], "queue");
        assert!(
            all["items"][2]["_url"]
                .as_str()
                .unwrap()
                .ends_with(&format!(
                    "/queue/{}",
                    all["items"][2]["id"].as_str().unwrap()
                ))
        );

        // A search in the query string and in a POST's body.
        let query = json!([{"field": "Name", "operator": "LIKE", "value": "e"}, {"field": "Description", "operator": "LIKE", "value": "order"}]);
        let (status, found) = get(&format!(
            "/REST/2.0/queues?query={}",
            urlencode(&query.to_string())
        ))
        .await;
        assert_eq!(
            (status, names(&found)),
            (200, vec!["Sales".to_string()]),
            "{found}"
        );
        let r = admin(c.post(app.url("/REST/2.0/queues")))
            .header("content-type", "application/json")
            .body(json!([{"field": "Name", "value": "network"}, {"field": "Name", "value": "general"}]).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["total"].clone(), names(&v)),
            (json!(2), vec!["General".to_string(), "Network".to_string()])
        );
        let r = admin(c.post(app.url("/REST/2.0/queues")))
            .body(r#"[{"field": "Name", "operator": "~", "value": "x"}]"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "an unknown operator");
        // Pages.
        let (_, first) = get("/REST/2.0/queues?per_page=2&fields=Description").await;
        assert_eq!(
            (first["count"].clone(), first["pages"].clone()),
            (json!(2), json!(2))
        );
        let next = first["next_page"].as_str().unwrap();
        assert!(
            next.contains("page=2")
                && next.contains("per_page=2")
                && next.contains("fields=Description"),
            "{first}"
        );
        let (_, far) = get("/REST/2.0/queues?page=99999999999999999").await;
        assert_eq!(far["count"], 0, "a page past the end is empty: {far}");

        // Users: an administrator lists and searches accounts; privileged and unprivileged.
        let org = super::colleagues::organization(&app, "Kund AB", "customer.example", "sv").await;
        app.account_with_token("kari@customer.example", Role::Customer, Some(org))
            .await;
        let (status, users) =
            get("/REST/2.0/users?fields=EmailAddress,RealName,Privileged&per_page=100").await;
        assert_eq!(status, 200, "{users}");
        let emails: Vec<&str> = users["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u["EmailAddress"].as_str())
            .collect();
        assert!(
            emails.contains(&"alva@example.com") && emails.contains(&ADMIN_EMAIL),
            "{users}"
        );
        let (_, staff) = get("/REST/2.0/users/privileged?fields=EmailAddress").await;
        let (_, customers) = get("/REST/2.0/users/unprivileged?fields=EmailAddress").await;
        let of = |v: &Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["EmailAddress"].as_str().unwrap().to_string())
                .collect()
        };
        assert!(
            of(&staff).contains(&"alva@example.com".to_string())
                && !of(&staff).iter().any(|e| e.ends_with("customer.example"))
        );
        assert!(
            of(&customers)
                .iter()
                .all(|e| e.ends_with("customer.example")),
            "{customers}"
        );
        let query = json!([{"field": "EmailAddress", "operator": "ENDSWITH", "value": "@EXAMPLE.COM"}, {"field": "Privileged", "value": "1"}]);
        let (_, found) = get(&format!(
            "/REST/2.0/users?fields=EmailAddress&query={}",
            urlencode(&query.to_string())
        ))
        .await;
        assert!(
            !of(&found).is_empty() && of(&found).iter().all(|e| e.ends_with("@example.com")),
            "{found}"
        );
        // A disabled account is left out unless asked for.
        let alva = app
            .store
            .account_for_login(
                &varde_core::values::EmailAddress::parse("alva@example.com").unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
            .0;
        app.store.set_account_disabled(alva.id, true).await.unwrap();
        let (_, now_staff) = get("/REST/2.0/users/privileged?fields=EmailAddress").await;
        assert!(
            !of(&now_staff).contains(&"alva@example.com".to_string()),
            "{now_staff}"
        );
        let (_, with_disabled) =
            get("/REST/2.0/users/privileged?fields=EmailAddress&find_disabled_rows=1").await;
        assert!(of(&with_disabled).contains(&"alva@example.com".to_string()));
        app.store
            .set_account_disabled(alva.id, false)
            .await
            .unwrap();

        // Who may not list accounts: an agent (Varde's `can`), a customer (RT's unprivileged).
        for who in ["alva@example.com", "kari@customer.example"] {
            let r = as_who(who)(c.get(app.url("/REST/2.0/users")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{who}");
        }
        let r = c.get(app.url("/REST/2.0/queues")).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn transactions_are_searched_by_json_limits_and_by_transaction_sql() {
    for app in apps().await {
        let c = TestApp::client();
        let mut tickets = vec![];
        for subject in ["first", "second"] {
            let made: Value = c
                .post(app.url("/REST/2.0/ticket"))
                .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
                .json(&json!({"Queue": "General", "Subject": subject, "Requestor": "kim@example.net"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            tickets.push(made["id"].as_str().unwrap().to_string());
        }
        let t1 = &tickets[0];
        let said = c
            .post(app.url(&format!("/REST/2.0/ticket/{t1}/comment")))
            .basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD))
            .json(&json!({"Content": "looked at it", "ContentType": "text/plain"}))
            .send()
            .await
            .unwrap();
        assert!(said.status().is_success());
        let search = |query: String, post: Option<Value>| {
            let mut rb = match &post {
                Some(body) => c
                    .post(app.url(&format!("/REST/2.0/transactions?{query}")))
                    .json(body),
                None => c.get(app.url(&format!("/REST/2.0/transactions?{query}"))),
            };
            rb = rb.basic_auth(ADMIN_EMAIL, Some(ADMIN_PASSWORD));
            async move {
                let r = rb.send().await.unwrap();
                (
                    r.status().as_u16(),
                    r.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        };
        let (status, comments) =
            search("query=Type%3D'Comment'&fields=Type,ObjectId".into(), None).await;
        assert_eq!(
            (status, comments["total"].clone()),
            (200, json!(1)),
            "{comments}"
        );
        assert_eq!(comments["items"][0]["Type"], "Comment", "{comments}");
        let (_, of_t1) = search(
            String::new(),
            Some(json!([{"field": "ObjectId", "value": t1}])),
        )
        .await;
        assert_eq!(of_t1["total"], 2, "Create and Comment: {of_t1}");
        let either = format!("query={}", urlencode("Type = 'Create' OR Type = 'Comment'"));
        let (_, found) = search(either, None).await;
        assert_eq!(found["total"], 3, "two creations and a comment: {found}");
        let (_, since) = search(
            format!(
                "query={}",
                urlencode("Created > '2000-01-01' AND Type = 'Create'")
            ),
            None,
        )
        .await;
        assert_eq!(since["total"], 2, "{since}");
        let (_, later) = search(
            format!("query={}", urlencode("Created > '2999-01-01 00:00:00'")),
            None,
        )
        .await;
        assert_eq!(later["total"], 0, "{later}");
        let (_, paged) = search("query=Type%3D'Create'&per_page=1".into(), None).await;
        assert!(
            paged["next_page"].as_str().unwrap().contains("page=2"),
            "{paged}"
        );
        for bad in [
            "Type = 'Create' OR Type = 'Comment' AND ObjectId = 1",
            "Type = 'Create' OR ObjectId = 1",
            "Colour = 'red'",
            "(Type = 'Create')",
            "Created > 'yesterday'",
        ] {
            let (status, why) = search(format!("query={}", urlencode(bad)), None).await;
            assert_eq!(status, 400, "{bad}: {why}");
        }
    }
}
