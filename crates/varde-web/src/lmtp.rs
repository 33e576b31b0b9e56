//! An LMTP listener (RFC 2033), for MTAs that deliver that way: on a loopback port or a unix
//! socket (as Postfix's `lmtp:unix:` transport expects). The recipient chooses the queue and the action: a queue's correspond or
//! comment address, or `<queue>@…` (reply) and `<queue>-comment@…` (comment). After DATA every
//! accepted recipient gets its own reply: `250` stored, `451` try again, `550` refused.
//! Protocol parsing is Stalwart's `smtp-proto`; delivery is `varde_app::mail::deliver`.

use smtp_proto::request::receiver::{DataReceiver, RequestReceiver};
use smtp_proto::{Error as ProtoError, Request};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UnixListener};

use varde_app::mail::{Answer, deliver};

/// The largest message accepted; a larger one is refused (552) and nothing is stored.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Where LMTP sessions arrive.
pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

impl Listener {
    /// `unix:/path/to/socket` (an old socket file there is replaced; the new one is open to
    /// its group, so the MTA's group can connect), or `host:port`.
    pub async fn bind(address: &str) -> std::io::Result<Listener> {
        use std::os::unix::fs::PermissionsExt;
        match address.strip_prefix("unix:") {
            Some(path) => {
                let _ = std::fs::remove_file(path);
                let listener = UnixListener::bind(path)?;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
                Ok(Listener::Unix(listener))
            }
            None => Ok(Listener::Tcp(TcpListener::bind(address).await?)),
        }
    }

    /// Where it listens, for the log.
    pub fn describe(&self) -> String {
        match self {
            Listener::Tcp(l) => l.local_addr().map(|a| a.to_string()).unwrap_or_default(),
            Listener::Unix(l) => l
                .local_addr()
                .ok()
                .and_then(|a| a.as_pathname().map(|p| format!("unix:{}", p.display())))
                .unwrap_or_default(),
        }
    }
}

/// Accepts LMTP sessions until `shutdown` resolves.
pub async fn serve(
    listener: Listener,
    app: varde_app::App,
    rtname: String,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let (app, rtname) = (app.clone(), rtname.clone());
        let run = |result: std::io::Result<()>| {
            if let Err(e) = result {
                tracing::warn!(error = %e, "LMTP session ended");
            }
        };
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = accept(&listener) => match accepted {
                Ok(Accepted::Tcp(stream)) => {
                    tokio::spawn(async move { run(session(stream, app, rtname).await) });
                }
                Ok(Accepted::Unix(stream)) => {
                    tokio::spawn(async move { run(session(stream, app, rtname).await) });
                }
                Err(e) => tracing::error!(error = %e, "LMTP accept"),
            },
        }
    }
}

enum Accepted {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

async fn accept(listener: &Listener) -> std::io::Result<Accepted> {
    match listener {
        Listener::Tcp(l) => l.accept().await.map(|(s, _)| Accepted::Tcp(s)),
        Listener::Unix(l) => l.accept().await.map(|(s, _)| Accepted::Unix(s)),
    }
}

/// Where a recipient's mail goes: (queue, action).
async fn route(store: &varde_store::Store, recipient: &str) -> Option<(String, &'static str)> {
    let r = recipient.trim().trim_matches(['<', '>']).to_lowercase();
    let queues = store.queues().await.ok()?;
    for q in &queues {
        if !q.correspond_address.is_empty() && q.correspond_address.eq_ignore_ascii_case(&r) {
            return Some((q.name.clone(), "correspond"));
        }
        if !q.comment_address.is_empty() && q.comment_address.eq_ignore_ascii_case(&r) {
            return Some((q.name.clone(), "comment"));
        }
    }
    let local = r.split('@').next()?;
    let (name, action) = match local.strip_suffix("-comment") {
        Some(n) => (n, "comment"),
        None => (local, "correspond"),
    };
    queues
        .iter()
        .find(|q| q.name.eq_ignore_ascii_case(name))
        .map(|q| (q.name.clone(), action))
}

async fn session(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    app: varde_app::App,
    rtname: String,
) -> std::io::Result<()> {
    stream
        .write_all(format!("220 {rtname} LMTP Varde ready\r\n").as_bytes())
        .await?;
    let mut requests = RequestReceiver::default();
    let mut data: Option<DataReceiver> = None;
    let mut message: Vec<u8> = Vec::new();
    let mut too_big = false;
    let mut recipients: Vec<(String, String, &'static str)> = Vec::new();
    let mut has_sender = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        let mut bytes = buf[..n].iter();
        loop {
            if let Some(receiver) = data.as_mut() {
                let done = receiver.ingest(&mut bytes, &mut message);
                if message.len() > MAX_MESSAGE_BYTES {
                    too_big = true;
                    message.clear();
                }
                if !done {
                    break;
                }
                data = None;
                // One reply per accepted recipient, in order (RFC 2033).
                for (_, queue, action) in &recipients {
                    let reply = if too_big {
                        "552 5.3.4 the message is larger than Varde accepts\r\n".to_string()
                    } else {
                        match deliver(
                            &app.store,
                            &rtname,
                            &message,
                            queue,
                            action,
                            None,
                            app.now(),
                        )
                        .await
                        {
                            Answer::Ok(_) => "250 2.0.0 stored\r\n".to_string(),
                            Answer::TemporaryFailure(m) => format!("451 4.3.0 {m}\r\n"),
                            Answer::NotOk(m) => format!("550 5.6.0 {m}\r\n"),
                        }
                    };
                    stream.write_all(reply.as_bytes()).await?;
                }
                recipients.clear();
                message.clear();
                too_big = false;
                has_sender = false;
                continue;
            }
            let reply = match requests.ingest(&mut bytes) {
                Ok(Request::Lhlo { .. }) => format!(
                    "250-{rtname}\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE {MAX_MESSAGE_BYTES}\r\n"
                ),
                Ok(Request::Mail { .. }) => {
                    has_sender = true;
                    recipients.clear();
                    "250 2.1.0 sender ok\r\n".into()
                }
                Ok(Request::Rcpt { to }) if has_sender => {
                    match route(&app.store, &to.address).await {
                        Some((queue, action)) => {
                            recipients.push((to.address.to_string(), queue, action));
                            "250 2.1.5 recipient ok\r\n".into()
                        }
                        None => format!("550 5.1.1 no queue for {}\r\n", to.address),
                    }
                }
                Ok(Request::Rcpt { .. }) => "503 5.5.1 MAIL first\r\n".into(),
                Ok(Request::Data) if recipients.is_empty() => {
                    "503 5.5.1 no valid recipients\r\n".into()
                }
                Ok(Request::Data) => {
                    data = Some(DataReceiver::new());
                    "354 end the message with <CRLF>.<CRLF>\r\n".into()
                }
                Ok(Request::Rset) => {
                    recipients.clear();
                    has_sender = false;
                    "250 2.0.0 reset\r\n".into()
                }
                Ok(Request::Noop { .. }) => "250 2.0.0 ok\r\n".into(),
                Ok(Request::Quit) => {
                    stream.write_all(b"221 2.0.0 bye\r\n").await?;
                    return Ok(());
                }
                Ok(_) => "502 5.5.1 command not supported here\r\n".into(),
                Err(ProtoError::NeedsMoreData { .. }) => break,
                Err(_) => "500 5.5.2 syntax error\r\n".into(),
            };
            stream.write_all(reply.as_bytes()).await?;
        }
    }
}
