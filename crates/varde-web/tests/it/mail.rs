//! Mail in through RT's real `rt-mailgate` (Debian's rt5-clients) and the gateway it posts to:
//! threading, exactly-once delivery, nothing lost.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;
use varde_core::ticket::TicketId;
use varde_core::ticket::lifecycle::Status;

use super::{TestApp, apps};

/// Runs the real rt-mailgate with `raw` on stdin, off the async threads (the server under test
/// runs on them); gives its exit code and output.
async fn mailgate(app: &TestApp, raw: &str, queue: &str, action: &str) -> (i32, String) {
    let (base, raw, queue, action) = (
        app.base.clone(),
        raw.to_string(),
        queue.to_string(),
        action.to_string(),
    );
    tokio::task::spawn_blocking(move || run_mailgate(&base, &raw, &queue, &action))
        .await
        .unwrap()
}

fn run_mailgate(base: &str, raw: &str, queue: &str, action: &str) -> (i32, String) {
    let mut child = Command::new("rt-mailgate")
        .args(["--queue", queue, "--action", action, "--url", base])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rt-mailgate from Debian's rt5-clients is installed (scripts/test.sh installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(raw.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn mail(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: support@support.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}\r\n{body}\r\n"
    )
}

#[tokio::test]
async fn mail_lands_on_the_right_ticket_exactly_once() {
    for app in apps().await {
        let engine = app.store.engine();
        let c = TestApp::client();
        c.post(app.url("/api/v1/organizations"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"name": "KTH", "country": "SE", "mail_domains": ["kth.se"]}))
            .send()
            .await
            .unwrap();

        // A new mail from an unknown sender at a customer's domain opens a ticket there.
        let first = mail(
            "Sara <sara@kth.se>",
            "Metadata service down",
            "m1@kth.se",
            "",
            "Boot hangs at 169.254.169.254",
        );
        let (code, out) = mailgate(&app, &first, "General", "correspond").await;
        assert_eq!(code, 0, "{engine}: {out}");
        let id = TicketId(1);
        let t = app.store.ticket(id).await.unwrap().unwrap();
        assert_eq!(
            (t.requestors.clone(), t.subject.as_str()),
            (vec!["sara@kth.se".to_string()], "Metadata service down")
        );
        assert!(
            t.organization.is_some(),
            "{engine}: tied to the organisation by mail domain"
        );

        // The same message delivered again changes nothing.
        assert_eq!(mailgate(&app, &first, "General", "correspond").await.0, 0);
        assert_eq!(
            app.store.history(id).await.unwrap().len(),
            1,
            "{engine}: one transaction per Message-ID"
        );

        // A reply with the tag lands on the ticket; one without the tag but with In-Reply-To too.
        let tagged = mail(
            "sara@kth.se",
            "Re: [varde #1] Metadata service down",
            "m2@kth.se",
            "",
            "Still down",
        );
        assert_eq!(mailgate(&app, &tagged, "General", "correspond").await.0, 0);
        let untagged = mail(
            "sara@kth.se",
            "Re: Metadata service down",
            "m3@kth.se",
            "In-Reply-To: <m1@kth.se>\r\nReferences: <m1@kth.se>\r\n",
            "Any news?",
        );
        assert_eq!(
            mailgate(&app, &untagged, "General", "correspond").await.0,
            0
        );
        assert_eq!(
            app.store.count_tickets().await.unwrap(),
            1,
            "{engine}: threaded without the tag"
        );
        let contents: Vec<String> = app
            .store
            .history(id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.content.trim().to_string())
            .collect();
        assert!(
            contents.contains(&"Still down".to_string())
                && contents.contains(&"Any news?".to_string()),
            "{contents:?}"
        );

        // A requestor's reply reopens a resolved ticket; a comment by mail does not.
        app.store
            .change_ticket(
                id,
                "agent@example.com",
                |t| Ok(varde_core::ticket::history::set_status(t, Status::Resolved)),
                &[],
                0,
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        let comment = mail(
            "agent@example.com",
            "[varde #1] note",
            "m4@x",
            "",
            "internal",
        );
        assert_eq!(mailgate(&app, &comment, "General", "comment").await.0, 0);
        assert_eq!(
            app.store.ticket(id).await.unwrap().unwrap().status,
            Status::Resolved
        );
        let reopen = mail(
            "sara@kth.se",
            "Re: [varde #1] Metadata service down",
            "m5@kth.se",
            "",
            "It broke again",
        );
        assert_eq!(mailgate(&app, &reopen, "General", "correspond").await.0, 0);
        assert_eq!(
            app.store.ticket(id).await.unwrap().unwrap().status,
            Status::Open,
            "{engine}"
        );

        // Broken MIME is kept and flagged, never dropped; the raw bytes are stored as they came.
        let broken = "From: x@y.example\r\nSubject: broken\r\nMessage-ID: <b1@y>\r\nContent-Type: multipart/mixed; boundary=\"never\"\r\n\r\nno parts at all\r\n";
        assert_eq!(mailgate(&app, broken, "General", "correspond").await.0, 0);
        assert_eq!(
            app.store.raw_mail("b1@y").await.unwrap().unwrap(),
            broken.as_bytes()
        );
        let auto = mail(
            "a@b.example",
            "Out of office",
            "oo1@b",
            "Auto-Submitted: auto-replied\r\n",
            "away",
        );
        assert_eq!(mailgate(&app, &auto, "General", "correspond").await.0, 0);
        assert!(
            app.store
                .mail_flags("oo1@b")
                .await
                .unwrap()
                .unwrap()
                .contains("never answered")
        );

        // An unknown queue is a temporary failure: rt-mailgate exits 75 and the MTA retries.
        let (code, out) = mailgate(
            &app,
            &mail("x@y.example", "q", "q1@y", "", "x"),
            "NoSuchQueue",
            "correspond",
        )
        .await;
        assert_eq!(code, 75, "{out}");
        assert!(
            app.store.raw_mail("q1@y").await.unwrap().is_none(),
            "nothing stored for a refused mail"
        );
    }
}

#[tokio::test]
async fn autoreplies_to_one_sender_are_limited() {
    let app = super::app().await;
    for i in 0..5 {
        let m = mail(
            "robot@noisy.example",
            &format!("alert {i}"),
            &format!("alert{i}@noisy.example"),
            "",
            "disk warning",
        );
        assert_eq!(mailgate(&app, &m, "General", "correspond").await.0, 0);
    }
    let mut autoreplies = 0;
    for id in 1..=5 {
        autoreplies += app.store.delivery_log(TicketId(id)).await.unwrap().len();
    }
    assert_eq!(
        autoreplies,
        varde_store::mail::AUTOREPLIES_PER_HOUR as usize
    );
    assert!(
        app.store
            .mail_flags("alert4@noisy.example")
            .await
            .unwrap()
            .unwrap()
            .contains("no autoreply")
    );
}

#[tokio::test]
async fn lmtp_routes_by_recipient_and_answers_each() {
    let app = super::app().await;
    app.store
        .create_queue(
            "Storage",
            "",
            "storage@support.example",
            "storage-internal@support.example",
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(varde_web::lmtp::serve(
        varde_web::lmtp::Listener::Tcp(listener),
        varde_app::App::new(app.store.clone(), std::sync::Arc::new(jiff::Timestamp::now)),
        "varde".into(),
        std::future::pending(),
    ));
    // Python's own LMTP client: three recipients, one of them unknown.
    let script = format!(
        "import smtplib\n\
         c = smtplib.LMTP('127.0.0.1', {port})\n\
         msg = 'From: carol@customer.example\\r\\nSubject: quota\\r\\nMessage-ID: <lmtp-1@customer.example>\\r\\n\\r\\nraise it\\r\\n'\n\
         refused = c.sendmail('carol@customer.example', ['storage@support.example', 'general-comment@support.example', 'nosuch@support.example'], msg)\n\
         print(sorted(refused.keys()))\n\
         c.quit()\n"
    );
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "['nosuch@support.example']"
    );
    // One message, stored once: it opened a Storage ticket; the second recipient saw the same
    // Message-ID and added nothing.
    assert_eq!(app.store.count_tickets().await.unwrap(), 1);
    assert_eq!(
        app.store.ticket(TicketId(1)).await.unwrap().unwrap().queue,
        "Storage"
    );
    assert!(
        app.store
            .raw_mail("lmtp-1@customer.example")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn lmtp_on_a_unix_socket_delivers_as_postfix_would() {
    let app = super::app().await;
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("lmtp.sock");
    let listener = varde_web::lmtp::Listener::bind(&format!("unix:{}", socket.display()))
        .await
        .unwrap();
    assert_eq!(listener.describe(), format!("unix:{}", socket.display()));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777,
        0o660,
        "the MTA's group may connect"
    );
    tokio::spawn(varde_web::lmtp::serve(
        listener,
        varde_app::App::new(app.store.clone(), std::sync::Arc::new(jiff::Timestamp::now)),
        "varde".into(),
        std::future::pending(),
    ));
    // Python's LMTP client connects to a unix socket when the host is a path.
    let script = format!(
        "import smtplib\n\
         c = smtplib.LMTP('{}')\n\
         msg = 'From: carol@customer.example\\r\\nSubject: over a socket\\r\\nMessage-ID: <lmtp-unix@customer.example>\\r\\n\\r\\nhello\\r\\n'\n\
         print(c.sendmail('carol@customer.example', ['general@support.example'], msg))\n\
         c.quit()\n",
        socket.display()
    );
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "{}",
        "every recipient accepted"
    );
    assert_eq!(app.store.count_tickets().await.unwrap(), 1);
    assert_eq!(
        app.store
            .ticket(TicketId(1))
            .await
            .unwrap()
            .unwrap()
            .subject,
        "over a socket"
    );
}
