//! Mail out through a real SMTP server (PyPI aiosmtpd, `../shared/services/smtp-sink`):
//! what arrives, its threading headers, retries after a temporary failure, and the delivery log.

use varde_core::ticket::history::{Change, Creation, correspond};
use varde_notify::testing::{SmtpSink, header};
use varde_notify::{MailConfig, MailWorker};
use varde_store::tickets::NewAttachment;
use varde_store::{Location, Store};

fn creation(subject: &str, requestor: &str) -> Creation {
    Creation {
        cc: vec!["boss@customer.example".into()],
        ..Creation::requested("General", subject, requestor)
    }
}

#[tokio::test]
async fn replies_and_autoreplies_arrive_threaded() {
    let sink = SmtpSink::start("");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let now = jiff::Timestamp::now();
    let t = store
        .create_ticket(
            "carol@customer.example",
            creation("Disk full", "carol@customer.example"),
            &[NewAttachment::text("vol-9")],
            0,
            now,
        )
        .await
        .unwrap();
    store
        .change_ticket(
            t.id,
            "agent@example.com",
            |t| Ok(correspond(t)),
            &[
                NewAttachment::text("We are on it."),
                NewAttachment {
                    filename: "plan.txt".into(),
                    content_type: "text/plain".into(),
                    content: b"step 1".to_vec(),
                },
            ],
            0,
            now,
        )
        .await
        .unwrap();
    store
        .change_ticket(
            t.id,
            "agent@example.com",
            |_| Ok(vec![Change::Comment]),
            &[NewAttachment::text("internal only")],
            0,
            now,
        )
        .await
        .unwrap();

    let worker = MailWorker::new(
        store.clone(),
        &format!("smtp://127.0.0.1:{}", sink.port),
        MailConfig {
            rtname: "support.example".into(),
            default_from: "support@support.example".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        worker.run_once(now).await.unwrap(),
        2,
        "an autoreply and a reply; a comment is never mailed"
    );
    let mails = sink.received();
    assert_eq!(mails.len(), 2);
    let auto = &mails[0];
    assert_eq!(
        header(auto, "Subject"),
        Some("[support.example #1] AutoReply: Disk full")
    );
    assert_eq!(header(auto, "Auto-Submitted"), Some("auto-replied"));
    assert!(
        header(auto, "X-Sink-Rcpt-To")
            .unwrap()
            .contains("carol@customer.example")
    );
    assert!(
        !header(auto, "X-Sink-Rcpt-To").unwrap().contains("boss@"),
        "the autoreply goes to the requestor only"
    );
    let reply = &mails[1];
    assert_eq!(
        header(reply, "Subject"),
        Some("[support.example #1] Disk full")
    );
    assert_eq!(
        header(reply, "From"),
        Some("\"General via Varde\" <support@support.example>")
    );
    assert!(
        header(reply, "X-Sink-Rcpt-To")
            .unwrap()
            .contains("boss@customer.example"),
        "Cc gets replies"
    );
    assert!(header(reply, "Auto-Submitted").is_none());
    assert_eq!(header(reply, "X-Varde-Loop"), Some("support.example"));
    assert!(
        reply.contains("We are on it.")
            && reply.contains("plan.txt")
            && !reply.contains("internal only")
    );
    let reply_id = header(reply, "Message-ID")
        .unwrap()
        .trim_matches(['<', '>'])
        .to_string();

    // The sent mail is on the ticket's history and in its delivery log; a second run sends nothing.
    let history = store.history(t.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|e| matches!(e.transaction.change, Change::EmailRecord))
            .count(),
        2
    );
    let log = store.delivery_log(t.id).await.unwrap();
    assert!(log.iter().all(|d| d.status == "sent"), "{log:?}");
    assert_eq!(worker.run_once(now).await.unwrap(), 0);
    assert_eq!(sink.received().len(), 2);

    // The customer's answer to our reply threads by In-Reply-To, without the tag.
    let answer = format!(
        "From: carol@customer.example\r\nSubject: Re: Disk full\r\nMessage-ID: <answer@customer.example>\r\nIn-Reply-To: <{reply_id}>\r\n\r\nthanks\r\n"
    );
    let delivery = varde_store::mail::Delivery {
        raw: answer.as_bytes(),
        message_id: Some("answer@customer.example"),
        related_ids: std::slice::from_ref(&reply_id),
        tagged: None,
        queue: "General",
        comment: false,
        sender: "carol@customer.example",
        subject: "Re: Disk full",
        organization: None,
        parts: vec![NewAttachment::text("thanks")],
        flags: vec![],
        automatic: false,
        now,
    };
    let delivered = store.deliver_mail(delivery).await.unwrap();
    assert!(
        matches!(delivered, varde_store::mail::Delivered::Added { ticket, .. } if ticket == t.id),
        "{delivered:?}"
    );
    // Its notification goes to the Cc only (not back to Carol), and refers to her message.
    assert_eq!(worker.run_once(now).await.unwrap(), 1);
    let mails = sink.received();
    let forward = &mails[2];
    assert_eq!(
        header(forward, "X-Sink-Rcpt-To"),
        Some("boss@customer.example")
    );
    assert_eq!(
        header(forward, "In-Reply-To"),
        Some("<answer@customer.example>")
    );
}

#[tokio::test]
async fn a_temporary_failure_is_retried_later() {
    let sink = SmtpSink::start("--fail-first 1");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let now = jiff::Timestamp::now();
    let t = store
        .create_ticket(
            "dave@other.example",
            creation("Cannot log in", "dave@other.example"),
            &[NewAttachment::text("401")],
            0,
            now,
        )
        .await
        .unwrap();
    let worker = MailWorker::new(
        store.clone(),
        &format!("smtp://127.0.0.1:{}", sink.port),
        MailConfig {
            rtname: "support.example".into(),
            default_from: "support@support.example".into(),
            ..Default::default()
        },
    )
    .unwrap();
    worker.run_once(now).await.unwrap();
    let log = store.delivery_log(t.id).await.unwrap();
    assert_eq!(
        (log[0].status.as_str(), log[0].attempts),
        ("pending", 1),
        "{log:?}"
    );
    assert!(log[0].last_error.contains("451") || !log[0].last_error.is_empty());
    assert_eq!(
        worker.run_once(now).await.unwrap(),
        0,
        "not before the backoff has passed"
    );
    let later = now + jiff::SignedDuration::from_mins(2);
    assert_eq!(worker.run_once(later).await.unwrap(), 1);
    assert_eq!(store.delivery_log(t.id).await.unwrap()[0].status, "sent");
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn the_relay_authenticates_reuses_connections_and_refuses_missing_tls() {
    use varde_notify::smtp::SmtpRelay;
    let mail = |to: &str| {
        lettre::Message::builder()
            .from("status@example.com".parse().unwrap())
            .to(to.parse().unwrap())
            .subject("relay test")
            .body("hello".to_string())
            .unwrap()
    };
    let sink = SmtpSink::start("--require-auth relay:s3cret");
    let port = sink.port;
    // With a password and nothing said, only to a relay with a checked certificate: this sink
    // offers no STARTTLS, so nothing goes.
    let careful = SmtpRelay::from_url(&format!("smtp://relay:s3cret@127.0.0.1:{port}"), 2).unwrap();
    assert!(careful.send(mail("careful@example.com")).await.is_err());
    assert!(sink.received().is_empty());
    let good =
        SmtpRelay::from_url(&format!("smtp://relay:s3cret@127.0.0.1:{port}?tls=none"), 2).unwrap();
    for i in 0..5 {
        good.send(mail(&format!("u{i}@example.com"))).await.unwrap();
    }
    assert_eq!(sink.received().len(), 5, "one connection, reused");
    let anonymous = SmtpRelay::from_url(&format!("smtp://127.0.0.1:{port}"), 2).unwrap();
    let e = anonymous.send(mail("x@example.com")).await.unwrap_err();
    assert!(e.is_permanent(), "530 authentication required: {e}");
    // The sink offers no STARTTLS: a relay that requires TLS must not send in the clear.
    let tls = SmtpRelay::from_url(
        &format!("smtp://relay:s3cret@127.0.0.1:{port}?tls=required"),
        2,
    )
    .unwrap();
    assert!(tls.send(mail("x@example.com")).await.is_err());
    assert_eq!(sink.received().len(), 5, "nothing else arrived");
    // A relay that offers STARTTLS with a self-signed certificate, as a stock Postfix does:
    // opportunistic TLS sends (encrypted), a required one refuses the certificate, none sends
    // in the clear.
    let snakeoil = SmtpSink::start("--starttls-self-signed");
    let at = snakeoil.port;
    let may = SmtpRelay::from_url(&format!("smtp://127.0.0.1:{at}"), 2).unwrap();
    may.send(mail("tls@example.com")).await.unwrap();
    let must = SmtpRelay::from_url(&format!("smtp://127.0.0.1:{at}?tls=required"), 2).unwrap();
    let e = must.send(mail("checked@example.com")).await.unwrap_err();
    assert!(e.to_string().contains("certificate"), "{e}");
    let never = SmtpRelay::from_url(&format!("smtp://127.0.0.1:{at}?tls=none"), 2).unwrap();
    never.send(mail("plain@example.com")).await.unwrap();
    assert_eq!(snakeoil.received().len(), 2);
    assert!(SmtpRelay::from_url(&format!("smtp://127.0.0.1:{at}?tls=maybe"), 2).is_err());
    // Nobody listening: a temporary failure.
    drop(sink);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let gone = SmtpRelay::from_url(&format!("smtp://127.0.0.1:{port}"), 2).unwrap();
    let e = gone.send(mail("x@example.com")).await.unwrap_err();
    assert!(!e.is_permanent(), "{e}");
}

#[tokio::test]
async fn sla_alerts_wake_the_on_call_now_and_the_owner_in_office_hours_once() {
    use varde_notify::sla::SlaWatch;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let sink = SmtpSink::start("");
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    // Saturday 02:00 in Stockholm: an urgent ticket, owned, never answered.
    let mut urgent = creation("Region down", "carol@customer.example");
    urgent.priority = 90;
    urgent.owner = Some("agent@example.com".into());
    let t = store
        .create_ticket(
            "carol@customer.example",
            urgent,
            &[],
            0,
            at("2026-11-21T01:00:00Z"),
        )
        .await
        .unwrap();
    let mut low = creation("Question", "dave@customer.example");
    low.priority = 0;
    store
        .create_ticket(
            "dave@customer.example",
            low,
            &[],
            0,
            at("2026-11-21T01:00:00Z"),
        )
        .await
        .unwrap();
    let watch = SlaWatch::new(store.clone(), Some(&sink.url()), None, watch_config()).unwrap();
    // 03:00: base first response (urgent: 120 min) is at 83 % for the urgent ticket.
    let (recorded, sent) = watch.run_once(at("2026-11-21T02:40:00Z")).await.unwrap();
    assert_eq!(
        recorded, 2,
        "a warning for the owner (held) and for on-call (now)"
    );
    assert_eq!(sent, 1);
    let mails = sink.received();
    assert_eq!(
        header(&mails[0], "X-Sink-Rcpt-To"),
        Some("oncall@example.com")
    );
    assert!(header(&mails[0], "Subject").unwrap().contains(&format!(
        "[example #{}] SLA warning: first response",
        t.id.0
    )));
    // The same reading again records and sends nothing new.
    assert_eq!(
        watch.run_once(at("2026-11-21T02:41:00Z")).await.unwrap(),
        (0, 0)
    );
    // Past due: a breach, again to on-call at once; the owner's mails wait for Monday 08:00.
    let (recorded, sent) = watch.run_once(at("2026-11-21T03:30:00Z")).await.unwrap();
    assert_eq!((recorded, sent), (2, 1));
    assert_eq!(sink.received().len(), 2);
    let (_, sent) = watch.run_once(at("2026-11-23T07:00:00Z")).await.unwrap();
    assert!(sent >= 2, "Monday morning: the owner's warning and breach");
    let owner: Vec<String> = sink
        .received()
        .into_iter()
        .filter(|m| header(m, "X-Sink-Rcpt-To") == Some("agent@example.com"))
        .collect();
    assert!(
        owner
            .iter()
            .any(|m| header(m, "Subject").unwrap().contains("SLA breached"))
    );
    let log = store.sla_alerts_of(t.id.0).await.unwrap();
    assert!(log.iter().all(|a| a.status == "sent"), "{log:?}");
    assert!(
        log.iter()
            .any(|a| a.kind == "breach" && a.target == "first_response")
    );
}

/// An urgent ticket in a queue with its own on-call contact: its e-mail instead of the
/// server's, an SMS to its phone through the SMS API (46elks' shape), and the signed
/// webhook; a low-priority owned ticket wakes none of them.
#[tokio::test]
async fn urgent_sla_alerts_reach_the_queues_on_call_by_mail_sms_and_webhook() {
    use varde_notify::sla::{SlaWatch, SlaWatchConfig};
    use varde_notify::testing::HttpSink;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let sink = SmtpSink::start("");
    let sms_api = HttpSink::start("/a1/sms").await;
    let hook = HttpSink::start("/sla").await;
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let now = at("2026-11-21T01:00:00Z");
    let q = store
        .create_queue("Compute", "", "", "", now)
        .await
        .unwrap();
    store
        .set_queue_on_call(q.id, "compute-oncall@example.com", "+46701234567")
        .await
        .unwrap();
    let mut urgent = creation("Region down", "carol@customer.example");
    urgent.queue = "Compute".into();
    urgent.priority = 90;
    urgent.owner = Some("agent@example.com".into());
    let t = store
        .create_ticket("carol@customer.example", urgent, &[], 0, now)
        .await
        .unwrap();
    let mut low = creation("Question", "dave@customer.example");
    low.queue = "Compute".into();
    low.owner = Some("agent@example.com".into());
    store
        .create_ticket("dave@customer.example", low, &[], 0, now)
        .await
        .unwrap();
    let gateway = varde_notify::status::SmsGateway::from_url(
        &sms_api.url.replace("http://", "http://elks:secret@"),
        "Varde",
    )
    .unwrap();
    let watch = SlaWatch::new(
        store.clone(),
        Some(&sink.url()),
        Some(gateway),
        SlaWatchConfig {
            on_call: Some("everyone@example.com".into()),
            on_call_sms: Some("+46700000000".into()),
            webhook: Some(hook.url.clone()),
            webhook_secret: Some("hook key".into()),
            ..watch_config()
        },
    )
    .unwrap();
    let reading = at("2026-11-21T02:40:00Z");
    let (recorded, sent) = watch.run_once(reading).await.unwrap();
    assert_eq!(
        recorded, 4,
        "owner (held), queue on-call mail, SMS, webhook"
    );
    assert_eq!(sent, 3);
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        header(&mails[0], "X-Sink-Rcpt-To"),
        Some("compute-oncall@example.com")
    );
    let sms = sms_api.received();
    assert_eq!(sms.len(), 1);
    assert!(
        sms[0]
            .0
            .to_ascii_lowercase()
            .contains("authorization: basic")
    );
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(sms[0].1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(
        form["to"], "+46701234567",
        "the queue's phone, not the server's"
    );
    assert_eq!(form["from"], "Varde");
    assert!(form["message"].contains(&format!(
        "[example #{}] SLA warning: first response",
        t.id.0
    )));
    let calls = hook.received();
    assert_eq!(calls.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&calls[0].1).unwrap();
    assert_eq!(body["ticket"], t.id.0);
    assert_eq!(body["kind"], "warning");
    assert_eq!(
        body["url"],
        format!("https://varde.example/console/tickets/{}", t.id.0)
    );
    let signature = calls[0]
        .0
        .lines()
        .find_map(|l| {
            l.strip_prefix("x-varde-signature: ")
                .or_else(|| l.strip_prefix("X-Varde-Signature: "))
        })
        .expect("a signature");
    assert_eq!(
        signature,
        varde_notify::links::webhook_signature(
            "hook key",
            reading.as_second(),
            calls[0].1.as_bytes()
        )
    );
    // Read again: nothing is sent twice.
    assert_eq!(
        watch.run_once(at("2026-11-21T02:41:00Z")).await.unwrap(),
        (0, 0)
    );
    assert_eq!((sms_api.received().len(), hook.received().len()), (1, 1));
}

/// The autoreply comes from the template an administrator saved for the requestor's
/// language, with the placeholders filled in.
#[tokio::test]
async fn the_autoreply_follows_the_saved_template_of_the_requestors_language() {
    use varde_core::mail_template::MailTemplate;
    use varde_core::values::Language;
    let sink = SmtpSink::start("");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let now = jiff::Timestamp::now();
    let org = store
        .create_organization(
            "cs",
            &varde_core::customer::OrganizationForm {
                name: "Svensk AB".into(),
                country: "SE".into(),
                language: "sv".into(),
                mail_domains: "svensk.example".into(),
                ..Default::default()
            }
            .parse()
            .unwrap(),
            now,
        )
        .await
        .unwrap();
    store
        .save_mail_template(
            "autoreply",
            Language::Swedish,
            &MailTemplate::parse(
                "{tag} Mottaget: {subject}",
                "Ärende {ticket} i kön {queue} är mottaget.",
            )
            .unwrap(),
            "admin@example.com",
            now,
        )
        .await
        .unwrap();
    let mut c = creation("Disken är full", "kund@svensk.example");
    c.organization = Some(org.id);
    let t = store
        .create_ticket(
            "kund@svensk.example",
            c,
            &[NewAttachment::text("hjälp")],
            0,
            now,
        )
        .await
        .unwrap();
    let worker = MailWorker::new(
        store.clone(),
        &sink.url(),
        MailConfig {
            rtname: "example".into(),
            default_from: "support@example.com".into(),
            ..Default::default()
        },
    )
    .unwrap();
    worker.run_once(now).await.unwrap();
    let mails = sink.received();
    let reply = mails
        .iter()
        .find(|m| header(m, "Auto-Submitted") == Some("auto-replied"))
        .expect("an autoreply");
    let read = varde_mail::parse(reply.as_bytes(), "example");
    assert_eq!(
        read.subject,
        format!("[example #{}] Mottaget: Disken är full", t.id.0)
    );
    assert_eq!(
        read.text.trim(),
        format!("Ärende {} i kön General är mottaget.", t.id.0)
    );
}

/// Between rounds the watch reads only the clocks that changed, or that may have crossed a
/// threshold since: business time never runs faster than the wall clock, so until then no
/// alert can be due. A change to contracts or policies makes it read them all again.
#[tokio::test]
async fn the_watch_reads_only_clocks_that_changed_or_may_cross_a_threshold() {
    use varde_notify::sla::SlaWatch;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .unwrap();
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let t0 = at("2026-11-21T01:00:00Z");
    let mut urgent = creation("Region down", "carol@customer.example");
    urgent.priority = 90;
    let t = store
        .create_ticket("carol@customer.example", urgent, &[], 0, t0)
        .await
        .unwrap();
    for i in 0..2 {
        store
            .create_ticket(
                "dave@customer.example",
                creation(&format!("Question {i}"), "dave@customer.example"),
                &[],
                0,
                t0,
            )
            .await
            .unwrap();
    }
    let watch = SlaWatch::new(store.clone(), None, None, watch_config()).unwrap();
    watch.run_once(at("2026-11-21T01:10:00Z")).await.unwrap();
    assert_eq!(watch.clocks_read(), 3, "the first round reads every clock");
    let (recorded, _) = watch.run_once(at("2026-11-21T02:00:00Z")).await.unwrap();
    assert_eq!(
        (watch.clocks_read(), recorded),
        (0, 0),
        "nothing changed, nothing near"
    );
    // Urgent first response on base: 120 minutes on 24/7, so 80 % is at 02:36.
    let (recorded, _) = watch.run_once(at("2026-11-21T02:36:00Z")).await.unwrap();
    assert_eq!(
        watch.clocks_read(),
        1,
        "the urgent clock, at its warning share"
    );
    assert_eq!(recorded, 1, "the on-call warning");
    // An answer changes the ticket: its clock is read at once.
    store
        .change_ticket(
            t.id,
            "agent@example.com",
            |t| Ok(correspond(t)),
            &[NewAttachment::text("On it.")],
            0,
            at("2026-11-21T02:37:00Z"),
        )
        .await
        .unwrap();
    watch.run_once(at("2026-11-21T02:38:00Z")).await.unwrap();
    assert_eq!(watch.clocks_read(), 1);
    // A contract anywhere may change a tier: every clock is read again.
    varde_store::testing::customer_of_tier(&store, "Tier Co", "SUPPORT-premium", t0)
        .await
        .unwrap();
    watch.run_once(at("2026-11-21T02:39:00Z")).await.unwrap();
    assert_eq!(watch.clocks_read(), 3);
}

/// The SLA watch as the tests run it: warnings at 80 %, on-call at oncall@example.com, no
/// SMS or webhook.
fn watch_config() -> varde_notify::sla::SlaWatchConfig {
    varde_notify::sla::SlaWatchConfig {
        warn_share: 0.8,
        on_call: Some("oncall@example.com".into()),
        on_call_sms: None,
        webhook: None,
        webhook_secret: None,
        from: "support@example.com".into(),
        rtname: "example".into(),
        url: "https://varde.example".into(),
    }
}
