//! Colleagues in the portal and one-time links over HTTP: a primary contact invites a
//! colleague, the invitation goes through a real SMTP server in the colleague's language,
//! the link's page changes nothing until the password is sent, works once, and dies when the
//! colleague is removed; a password reset answers the same for any address; a contact who is
//! not primary, and another organisation's contact, cannot invite or remove.

use jiff::Timestamp;
use serde_json::{Value, json};
use varde_core::access::Role;
use varde_notify::testing::{SmtpSink, header};

use super::{ADMIN_PASSWORD, TestApp, app, csrf_of};

/// Sends the queued letters through a real SMTP server; gives (recipient, subject, text).
async fn deliver(app: &TestApp) -> Vec<(String, String, String)> {
    let sink = SmtpSink::start("");
    let worker = varde_notify::MailWorker::new(
        app.store.clone(),
        &sink.url(),
        varde_notify::MailConfig {
            rtname: "example.com".into(),
            default_from: "support@example.com".into(),
            ..Default::default()
        },
    )
    .unwrap();
    worker.run_once(Timestamp::now()).await.unwrap();
    sink.received()
        .iter()
        .map(|m| {
            let parsed = varde_mail::parse(m.as_bytes(), "example.com");
            let to = header(m, "X-Sink-Rcpt-To").unwrap_or_default().to_string();
            (to, parsed.subject, parsed.text)
        })
        .collect()
}

/// The link in a letter's text, as a path.
fn link_in(text: &str) -> String {
    let start = text.find("/link/").expect("a link in the letter");
    text[start..].split_whitespace().next().unwrap().to_string()
}

pub(super) async fn organization(app: &TestApp, name: &str, domain: &str, language: &str) -> i64 {
    let org: Value = TestApp::client()
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&app.admin_token)
        .json(
            &json!({"name": name, "country": "NO", "mail_domains": [domain], "language": language}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    org["id"].as_i64().unwrap()
}

/// A contact of `org` with an account (password `ADMIN_PASSWORD`), primary or not.
async fn contact(app: &TestApp, org: i64, email: &str, primary: bool) -> reqwest::Client {
    let roles: Vec<&str> = if primary {
        vec!["primary"]
    } else {
        vec!["technical"]
    };
    let r = TestApp::client()
        .post(app.url(&format!("/api/v1/organizations/{org}/contacts")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": email, "email": email, "roles": roles, "language": "nb", "portal_access": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    app.account_with_token(email, Role::Customer, Some(org))
        .await;
    app.browser(email, ADMIN_PASSWORD).await
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_primary_contact_invites_a_colleague_who_sets_a_password_once() {
    let app = app().await;
    let org = organization(&app, "Fjordnett", "fjord.example", "nb").await;
    let kari = contact(&app, org, "kari@fjord.example", true).await;
    let (status, html) = page(&kari, &app, "/portal/colleagues").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<h1>Kolleger</h1>") && html.contains("Inviter en kollega"),
        "{html}"
    );

    // Field errors in the organisation's language; nothing is sent.
    let csrf = csrf_of(&html);
    let r = kari
        .post(app.url("/portal/colleagues"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", ""),
            ("email", "not-an-address"),
            ("language", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("navn må oppgis") && body.contains("ikke en gyldig e-postadresse"),
        "{body}"
    );

    // The invitation: Swedish for Sven.
    let r = kari
        .post(app.url("/portal/colleagues"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Sven Svensson"),
            ("email", "sven@fjord.example"),
            ("language", "sv"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/portal/colleagues?done=invited");
    let (_, html) = page(&kari, &app, "/portal/colleagues?done=invited").await;
    assert!(
        html.contains("Invitasjonen er på vei.")
            && html.contains("Invitert, har ikke valgt passord ennå"),
        "{html}"
    );
    let mails = deliver(&app).await;
    assert_eq!(mails.len(), 1);
    let (to, subject, text) = &mails[0];
    assert_eq!(to, "sven@fjord.example");
    assert_eq!(
        subject,
        "kari@fjord.example bjuder in dig till Fjordnetts supportportal"
    );
    assert!(text.contains("Hej Sven Svensson"), "{text}");
    let link = link_in(text);

    // Reading the link changes nothing, as often as it is read.
    let anyone = TestApp::client();
    for _ in 0..2 {
        let (status, html) = page(&anyone, &app, &link).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Välj ditt lösenord") && html.contains("lang=\"sv\""),
            "{html}"
        );
    }
    let r = anyone
        .post(app.url(&link))
        .form(&[("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        422,
        "a weak password is refused and the link still works"
    );
    let r = anyone
        .post(app.url(&link))
        .form(&[("password", "a long enough password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Ditt lösenord är sparat"));
    // Once only.
    let r = anyone
        .post(app.url(&link))
        .form(&[("password", "another long password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    assert_eq!(page(&anyone, &app, &link).await.0, 410);
    assert_eq!(page(&anyone, &app, "/link/00ff").await.0, 404);
    let sven = app
        .browser("sven@fjord.example", "a long enough password")
        .await;
    let (status, html) = page(&sven, &app, "/portal/colleagues").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Kollegor") && html.contains("En primär kontakt"),
        "Sven is not primary: {html}"
    );

    // Sven may not invite or remove; another organisation's primary contact may not either.
    let csrf = csrf_of(&html);
    let r = sven
        .post(app.url("/portal/colleagues"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Eve"),
            ("email", "eve@fjord.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let kari_contact = app
        .store
        .contact_by_email(&varde_core::values::EmailAddress::parse("kari@fjord.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let r = sven
        .post(app.url(&format!("/portal/colleagues/{kari_contact}/remove")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let other = organization(&app, "Vidda", "vidda.example", "nb").await;
    let olav = contact(&app, other, "olav@vidda.example", true).await;
    let (_, html) = page(&olav, &app, "/portal/colleagues").await;
    assert!(
        !html.contains("fjord.example"),
        "another organisation's colleagues are not shown"
    );
    let sven_contact = app
        .store
        .contact_by_email(&varde_core::values::EmailAddress::parse("sven@fjord.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let r = olav
        .post(app.url(&format!("/portal/colleagues/{sven_contact}/remove")))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "another organisation's contact is not found"
    );
    let r = olav
        .post(app.url("/portal/colleagues"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("name", "Sven"),
            ("email", "sven@fjord.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        422,
        "an address of another organisation's contact is refused"
    );
    // A staff account's address is no colleague's either: no contact, no link.
    let r = olav
        .post(app.url("/portal/colleagues"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("name", "Ada"),
            ("email", super::ADMIN_EMAIL),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a staff address is refused");
    let admin = varde_core::values::EmailAddress::parse(super::ADMIN_EMAIL).unwrap();
    assert!(app.store.contact_by_email(&admin).await.unwrap().is_none());

    // Kari removes Sven: his session ends and a reset link for him is never sent.
    let (_, html) = page(&kari, &app, "/portal/colleagues").await;
    let r = kari
        .post(app.url(&format!("/portal/colleagues/{sven_contact}/remove")))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = sven.get(app.url("/portal")).send().await.unwrap();
    assert_eq!(r.status(), 303, "a removed colleague is logged out");
    let r = anyone
        .post(app.url("/password/forgot"))
        .form(&[("email", "sven@fjord.example"), ("lang", "sv")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Om ett konto har den här adressen")
    );
    assert!(
        deliver(&app).await.is_empty(),
        "no link for a removed colleague"
    );
}

#[tokio::test]
async fn a_password_reset_link_works_once_and_answers_the_same_for_any_address() {
    let app = app().await;
    let org = organization(&app, "Fjordnett", "fjord.example", "nb").await;
    contact(&app, org, "kari@fjord.example", true).await;
    let anyone = TestApp::client();
    let (status, html) = page(&anyone, &app, "/password/forgot?lang=nb").await;
    assert_eq!(status, 200);
    assert!(html.contains("Glemt passordet?"));
    let mut answers = vec![];
    for email in ["kari@fjord.example", "nobody@fjord.example"] {
        let r = anyone
            .post(app.url("/password/forgot"))
            .form(&[("email", email), ("lang", "nb")])
            .send()
            .await
            .unwrap();
        answers.push((r.status().as_u16(), r.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1], "the answer reveals nothing");
    let mails = deliver(&app).await;
    assert_eq!(mails.len(), 1);
    let (to, subject, text) = &mails[0];
    assert_eq!(
        (to.as_str(), subject.as_str()),
        ("kari@fjord.example", "Tilbakestill passordet ditt")
    );
    let link = link_in(text);
    let r = anyone
        .post(app.url(&link))
        .form(&[("password", "a brand new password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.browser("kari@fjord.example", "a brand new password")
        .await;
    let r = anyone
        .post(app.url(&link))
        .form(&[("password", "yet another password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);

    // Three links at once at most: of three more requests at the same moment, two send
    // nothing (counted in one statement of the store, as on several nodes).
    let ask = || {
        anyone
            .post(app.url("/password/forgot"))
            .form(&[("email", "kari@fjord.example")])
            .send()
    };
    let (a, b, c) = tokio::join!(ask(), ask(), ask());
    for r in [a, b, c] {
        assert_eq!(r.unwrap().status(), 200);
    }
    assert_eq!(
        deliver(&app).await.len(),
        2,
        "one was sent already this hour"
    );
    let r = anyone
        .post(app.url("/password/forgot"))
        .form(&[("email", "no address")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn a_contact_changes_its_address_through_a_link_to_the_new_one() {
    let app = app().await;
    let org = organization(&app, "Fjordnett", "fjord.example", "nb").await;
    let kari = contact(&app, org, "kari@fjord.example", true).await;
    contact(&app, org, "ola@fjord.example", false).await;
    let (_, html) = page(&kari, &app, "/portal/colleagues").await;
    assert!(html.contains("E-postadressen din"), "{html}");
    let csrf = csrf_of(&html);

    // An address in use is refused, in Norwegian; nothing is sent.
    let r = kari
        .post(app.url("/portal/email"))
        .form(&[("csrf", csrf.as_str()), ("email", "ola@fjord.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Adressen er allerede i bruk.")
    );
    let r = kari
        .post(app.url("/portal/email"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "kari.nordmann@fjord.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/portal/colleagues?done=address");
    let mails = deliver(&app).await;
    assert_eq!(mails.len(), 1);
    let (to, subject, text) = &mails[0];
    assert_eq!(
        (to.as_str(), subject.as_str()),
        (
            "kari.nordmann@fjord.example",
            "Bekreft den nye e-postadressen din"
        )
    );
    let link = link_in(text);

    // The page changes nothing; the POST does, once; the old address no longer logs in.
    let anyone = TestApp::client();
    let (status, html) = page(&anyone, &app, &link).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("kari.nordmann@fjord.example") && html.contains("Bekreft"),
        "{html}"
    );
    assert!(
        app.browser_login_status("kari@fjord.example", ADMIN_PASSWORD)
            .await
            == 303,
        "not changed yet"
    );
    let confirm = [("confirm", "yes")];
    let r = anyone
        .post(app.url(&link))
        .form(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Adressen din er endret"));
    assert_eq!(
        anyone
            .post(app.url(&link))
            .form(&confirm)
            .send()
            .await
            .unwrap()
            .status(),
        410
    );
    assert_eq!(
        app.browser_login_status("kari@fjord.example", ADMIN_PASSWORD)
            .await,
        401
    );
    let kari = app
        .browser("kari.nordmann@fjord.example", ADMIN_PASSWORD)
        .await;
    let (status, html) = page(&kari, &app, "/portal/colleagues").await;
    assert_eq!(
        status, 200,
        "the contact moved with the account: portal access kept"
    );
    assert!(html.contains("kari.nordmann@fjord.example") && !html.contains(">kari@fjord.example<"));
}
