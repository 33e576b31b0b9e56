//! `varde mailgate`: an MTA's pipe into Varde. The message on standard input is delivered
//! straight into the store (`varde_app::mail::deliver`), or with `--url` posted to a running
//! Varde's gateway as `rt-mailgate` does. The exit status is what MTAs expect (sysexits): 0
//! stored, 65 refused for good, 75 try again later (also when its database cannot be
//! opened, or is not there: the MTA keeps the mail until the pipe is set up right).

use std::io::Read;

use anyhow::Context;

use crate::cli::StoreArgs;

/// Reads the message, delivers it, prints RT's answer and exits with the MTA's status.
pub async fn run(
    queue: &str,
    action: &str,
    ticket: Option<i64>,
    url: Option<&str>,
    rtname: &str,
    store: StoreArgs,
) -> anyhow::Result<()> {
    let mut raw = Vec::new();
    std::io::stdin()
        .read_to_end(&mut raw)
        .context("reading the message from standard input")?;
    let (text, code) = match url {
        Some(url) => {
            let text = post_mail(url, &raw, queue, action, ticket).await;
            let code = varde_app::mail::exit_code(&text);
            (text, code)
        }
        None => match store.open_existing("./varde-data").await {
            Ok(s) => {
                let answer = varde_app::mail::deliver(
                    &s,
                    rtname,
                    &raw,
                    queue,
                    action,
                    ticket,
                    jiff::Timestamp::now(),
                )
                .await;
                s.close().await;
                (answer.text(), answer.exit_code())
            }
            Err(e) => (format!("temporary failure - {e:#}\n"), 75),
        },
    };
    print!("{text}");
    if code == 0 {
        Ok(())
    } else {
        std::process::exit(code)
    }
}

/// Posts a message to a running Varde's mail gateway, as rt-mailgate does. Any failure to
/// reach it is a temporary failure: the MTA keeps the mail and retries.
async fn post_mail(
    url: &str,
    raw: &[u8],
    queue: &str,
    action: &str,
    ticket: Option<i64>,
) -> String {
    let mut form = reqwest::multipart::Form::new()
        .text("queue", queue.to_string())
        .text("action", action.to_string())
        .part("message", reqwest::multipart::Part::bytes(raw.to_vec()));
    if let Some(t) = ticket {
        form = form.text("ticket", t.to_string());
    }
    let endpoint = format!("{}/REST/1.0/NoAuth/mail-gateway", url.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build();
    let response = match client {
        Ok(c) => c.post(&endpoint).multipart(form).send().await,
        Err(e) => return format!("temporary failure - {e}\n"),
    };
    match response {
        Ok(r) if r.status().is_success() => r
            .text()
            .await
            .unwrap_or_else(|e| format!("temporary failure - {e}\n")),
        Ok(r) => format!("temporary failure - the server answered {}\n", r.status()),
        Err(e) => format!("temporary failure - cannot reach {endpoint}: {e}\n"),
    }
}
