//! The SMTP relay connection pool. lettre (0.11.23) speaks SMTP; this module only owns the
//! sockets, because lettre's own transport leaves Nagle's algorithm on: the end of DATA is a
//! second small write that then waits for the relay's delayed ACK, 40 ms a mail (lettre PR
//! #1159, merged upstream after 0.11.23). Here every connection has `TCP_NODELAY`, and
//! lettre's `AsyncSmtpConnection` does the talking (EHLO, STARTTLS, AUTH, the mail itself).
//!
//! URLs as lettre's: `smtp://host:port` (plain, STARTTLS when offered),
//! `smtp://host:port?tls=required` (STARTTLS required), `smtps://host:port` (implicit TLS,
//! handed to lettre's transport whole), with `user:password@` to authenticate.

use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Mutex;

type SmtpError = lettre::transport::smtp::Error;

/// Why a mail did not go out.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Smtp(#[from] SmtpError),
    #[error("{0}")]
    Connect(String),
}

impl RelayError {
    /// A 5xx answer: trying again will not help.
    pub fn is_permanent(&self) -> bool {
        match self {
            RelayError::Smtp(e) => e.is_permanent(),
            RelayError::Connect(_) => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    /// STARTTLS when the relay offers it, its certificate not checked (RFC 7435's opportunistic
    /// security, as Postfix's `may`: a local relay's self-signed certificate is no reason to
    /// keep the mail). Without credentials, or with `?tls=opportunistic` said outright.
    Opportunistic,
    /// STARTTLS with a certificate valid for the relay's name, or fail: `?tls=required`, and
    /// whenever the URL carries a password and says nothing else.
    Required,
    /// Never STARTTLS (`?tls=none`).
    Plain,
}

/// A pool of connections to one relay.
pub struct SmtpRelay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    max_idle: usize,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    /// Implicit TLS (`smtps://`) goes through lettre's transport.
    implicit_tls: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl SmtpRelay {
    /// A relay from its URL, keeping up to `max_idle` connections open between mails.
    pub fn from_url(raw: &str, max_idle: usize) -> Result<SmtpRelay, RelayError> {
        let url = reqwest::Url::parse(raw)
            .map_err(|e| RelayError::Connect(format!("the relay URL: {e}")))?;
        // lettre explains what is wrong with a URL it cannot use (`tls=none` is Varde's).
        let mut checked = url.clone();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, v)| !(k == "tls" && v == "none"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        checked.set_query(None);
        if !kept.is_empty() {
            checked.query_pairs_mut().extend_pairs(kept);
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(checked.as_str())?;
        let implicit_tls = if url.scheme() == "smtps" {
            Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(raw)?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            )
        } else {
            None
        };
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let credentials = (!url.username().is_empty()).then(|| {
            Credentials::new(decode(url.username()), decode(url.password().unwrap_or("")))
        });
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        Ok(SmtpRelay {
            host: url.host_str().unwrap_or("localhost").to_string(),
            port: url
                .port()
                .unwrap_or(if implicit_tls.is_some() { 465 } else { 25 }),
            security: match tls.as_deref() {
                Some("required") => Security::Required,
                // A password goes only to a relay whose certificate is checked, unless the
                // URL says otherwise.
                None if credentials.is_some() => Security::Required,
                Some("none") => Security::Plain,
                None | Some("opportunistic") => Security::Opportunistic,
                Some(other) => {
                    return Err(RelayError::Connect(format!(
                        "the relay URL: tls={other} is not one of required, opportunistic, none"
                    )));
                }
            },
            credentials,
            hello: ClientId::default(),
            timeout: Duration::from_secs(30),
            max_idle,
            idle: Mutex::new(Vec::new()),
            implicit_tls,
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, RelayError> {
        let relay = format!("{}:{}", self.host, self.port);
        let tcp = match tokio::time::timeout(
            self.timeout,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(e)) => return Err(RelayError::Connect(format!("connecting to {relay}: {e}"))),
            Err(_) => {
                return Err(RelayError::Connect(format!(
                    "connecting to {relay} timed out"
                )));
            }
        };
        let _ = tcp.set_nodelay(true);
        let handshake = async {
            let mut conn =
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?;
            match self.security {
                Security::Required => {
                    conn.starttls(TlsParameters::new(self.host.clone())?, &self.hello)
                        .await?;
                }
                Security::Opportunistic if conn.can_starttls() => {
                    let unchecked = TlsParameters::builder(self.host.clone())
                        .dangerous_accept_invalid_certs(true)
                        .dangerous_accept_invalid_hostnames(true)
                        .build()?;
                    conn.starttls(unchecked, &self.hello).await?;
                }
                Security::Opportunistic | Security::Plain => {}
            }
            if let Some(c) = &self.credentials {
                conn.auth(&[Mechanism::Plain], c).await?;
            }
            Ok::<_, SmtpError>(conn)
        };
        match tokio::time::timeout(self.timeout, handshake).await {
            Ok(r) => Ok(r?),
            Err(_) => Err(RelayError::Connect(format!(
                "{relay} did not answer in time"
            ))),
        }
    }

    /// One mail on one connection, within the time limit.
    async fn send_on(
        &self,
        conn: &mut AsyncSmtpConnection,
        envelope: &lettre::address::Envelope,
        bytes: &[u8],
    ) -> Result<(), RelayError> {
        match tokio::time::timeout(self.timeout, conn.send(envelope, bytes)).await {
            Ok(r) => r.map(|_| ()).map_err(RelayError::from),
            Err(_) => Err(RelayError::Connect(
                "the relay did not answer in time".into(),
            )),
        }
    }

    /// Sends one mail (each step within 30 s). A pooled connection that the relay closed
    /// meanwhile is replaced once.
    pub async fn send(&self, message: Message) -> Result<(), RelayError> {
        if let Some(t) = &self.implicit_tls {
            return t.send(message).await.map(|_| ()).map_err(RelayError::from);
        }
        let envelope = message.envelope().clone();
        let bytes = message.formatted();
        let pooled = self.idle.lock().await.pop();
        let (mut conn, reused) = match pooled {
            Some(c) => (c, true),
            None => (self.connect().await?, false),
        };
        let result = match self.send_on(&mut conn, &envelope, &bytes).await {
            Err(e) if reused && !e.is_permanent() => {
                conn.abort().await;
                conn = self.connect().await?;
                self.send_on(&mut conn, &envelope, &bytes).await
            }
            other => other,
        };
        match result {
            Ok(_) if !conn.has_broken() => {
                let mut idle = self.idle.lock().await;
                if idle.len() < self.max_idle {
                    idle.push(conn);
                } else {
                    drop(idle);
                    let _ = conn.quit().await;
                }
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => {
                conn.abort().await;
                Err(e)
            }
        }
    }
}
