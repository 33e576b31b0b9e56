//! Telling status-page subscribers: the fan-out of updates into notifications, then delivery
//! by e-mail (through the SMTP relay, with one-click unsubscribe), by SMS (through an
//! [`SmsGateway`]) and by webhook (Statuspage's payload, signed with HMAC-SHA256), each in the
//! subscriber's language, with retries and backoff recorded by the store.
//!
//! Webhooks never reach private, loopback or link-local addresses unless an administrator
//! allowed the range: names are resolved by [`GuardedResolver`], which drops such addresses,
//! IP literals are checked before sending, and redirects are not followed.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use lettre::Message;
use lettre::message::SinglePart;
use varde_core::status::subscription::{AllowedNetwork, Channel, webhook_may_reach};
use varde_core::status::words;
use varde_core::values::Language;
use varde_store::Store;
use varde_store::status::{Component, Event};
use varde_store::status_subscriptions::{Delivery, Notification, NotificationKind};

use crate::links::{self, Purpose};
use crate::statuspage::{self, Page};

/// How the page presents itself in notifications.
#[derive(Clone, Debug)]
pub struct StatusNotifyConfig {
    pub page_id: String,
    pub page_name: String,
    /// The public base URL, without a trailing slash.
    pub url: String,
    pub time_zone: TimeZone,
    /// The sender of subscription mail.
    pub from: String,
    /// The key subscription links are signed with (`Store::link_key`).
    pub link_key: String,
    /// Private ranges an administrator allows webhooks to reach.
    pub allowed_networks: Vec<AllowedNetwork>,
}

/// An HTTP SMS API in 46elks' shape (a Swedish provider): `POST {url}` with Basic auth and the
/// form fields `from`, `to`, `message`; a 2xx answer means accepted. Tests use the stand-in
/// in `crates/varde-web/tests/it/standins.rs`, which speaks the same API.
#[derive(Clone, Debug)]
pub struct SmsGateway {
    pub url: String,
    pub user: String,
    pub password: String,
    pub from: String,
}

impl SmsGateway {
    /// From `https://USER:PASSWORD@api.46elks.com/a1/sms`.
    pub fn from_url(raw: &str, from: &str) -> Result<SmsGateway, String> {
        let mut url = reqwest::Url::parse(raw).map_err(|e| format!("the SMS gateway URL: {e}"))?;
        let user = url.username().to_string();
        let password = url.password().unwrap_or("").to_string();
        if user.is_empty() {
            return Err("put the SMS API's user name and password in the URL".into());
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(SmsGateway {
            url: url.to_string(),
            user,
            password,
            from: from.to_string(),
        })
    }
}

/// Resolves host names for webhooks, keeping only addresses they may reach.
pub struct GuardedResolver {
    allowed: Arc<Vec<AllowedNetwork>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| webhook_may_reach(a.ip(), &allowed))
                .collect();
            if usable.is_empty() {
                return Err(format!(
                    "{} resolves only to private addresses; an administrator can allow them with --allow-webhook-network",
                    name.as_str()
                )
                .into());
            }
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// How many notifications are delivered at once (and SMTP connections kept open).
const DELIVERY_CONCURRENCY: usize = 32;
/// How many notifications one round claims: two turns of deliveries, each bounded by its
/// channel's timeout (10 to 30 s), well within the store's two-minute claim.
const CLAIM_SIZE: i64 = 2 * DELIVERY_CONCURRENCY as i64;

/// What one batch of notifications refers to.
struct Batch {
    components: Vec<Component>,
    events: HashMap<i64, Option<Event>>,
}

/// Delivers status notifications.
pub struct StatusWorker {
    store: Store,
    mail: Option<crate::smtp::SmtpRelay>,
    http: reqwest::Client,
    sms: Option<SmsGateway>,
    config: StatusNotifyConfig,
}

impl StatusWorker {
    pub fn new(
        store: Store,
        smtp_url: Option<&str>,
        sms: Option<SmsGateway>,
        config: StatusNotifyConfig,
    ) -> Result<StatusWorker, crate::WorkerError> {
        crate::install_tls_provider();
        let mail = smtp_url
            .map(|u| crate::smtp::SmtpRelay::from_url(u, DELIVERY_CONCURRENCY))
            .transpose()?;
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver {
                allowed: Arc::new(config.allowed_networks.clone()),
            }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .user_agent("Varde-Status/1")
            .build()
            .map_err(|e| crate::WorkerError::Http(e.to_string()))?;
        Ok(StatusWorker {
            store,
            mail,
            http,
            sms,
            config,
        })
    }

    /// Fans out waiting updates, then delivers what is due, [`DELIVERY_CONCURRENCY`] at a
    /// time; gives how many notifications it handled. Each outcome is recorded as soon as it
    /// is known, and a claim is small enough to be delivered well within its time: another
    /// node takes over only what this one had not finished (a node killed mid-batch), never
    /// what it is still working on.
    pub async fn run_once(&self, now: Timestamp) -> Result<usize, crate::WorkerError> {
        self.store.fan_out(now).await?;
        let due = self.store.claim_notifications(now, CLAIM_SIZE).await?;
        let n = due.len();
        // What the batch's notifications talk about, read once for all of them.
        let mut events: HashMap<i64, Option<Event>> = HashMap::new();
        for u in due.iter().filter_map(|n| n.update_id) {
            if let std::collections::hash_map::Entry::Vacant(slot) = events.entry(u) {
                slot.insert(self.store.event_of_update(u).await?);
            }
        }
        let batch = Batch {
            components: self.store.components().await?,
            events,
        };
        let (this, batch) = (self, &batch);
        let recorded: Vec<Result<(), varde_store::StoreError>> = futures_util::stream::iter(due)
            .map(move |item| async move {
                let outcome = this.deliver(&item, batch, now).await;
                if let Delivery::Retry(e) | Delivery::Failed(e) = &outcome {
                    tracing::warn!(channel = item.subscriber.channel.code(), error = %e, "status notification not delivered");
                }
                this.store.finish_notifications(&[(item, outcome)], now).await
            })
            .buffer_unordered(DELIVERY_CONCURRENCY)
            .collect()
            .await;
        recorded.into_iter().collect::<Result<(), _>>()?;
        Ok(n)
    }

    /// Delivers every second until `shutdown` turns true.
    pub async fn run(
        self,
        clock: varde_app::Clock,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            match self.run_once(clock()).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "status notification worker"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    async fn deliver(&self, n: &Notification, batch: &Batch, now: Timestamp) -> Delivery {
        let s = &n.subscriber;
        match n.kind {
            NotificationKind::Confirm => {
                let link = links::url(
                    &self.config.url,
                    &self.config.link_key,
                    Purpose::Confirm,
                    s.id,
                );
                let (subject, body) = confirm_text(s.language, &self.config.page_name, &link);
                self.mail(&s.target, &subject, &body, None).await
            }
            NotificationKind::WebhookDisabled => {
                let Some(owner) = &s.owner_email else {
                    return Delivery::Failed("the webhook has no owner address".into());
                };
                let (subject, body) = disabled_text(
                    s.language,
                    &self.config.page_name,
                    &s.target,
                    &self.config.url,
                );
                self.mail(owner, &subject, &body, None).await
            }
            NotificationKind::Update => {
                let Some(update_id) = n.update_id else {
                    return Delivery::Failed("no update".into());
                };
                let Some(Some(event)) = batch.events.get(&update_id) else {
                    return Delivery::Failed("the update is gone".into());
                };
                match s.channel {
                    Channel::Email => {
                        let (subject, body) = self.update_text(event, update_id, s.language, true);
                        let unsubscribe = links::url(
                            &self.config.url,
                            &self.config.link_key,
                            Purpose::Unsubscribe,
                            s.id,
                        );
                        let why = if s.audience_only {
                            format!("\n\n{}", audience_note(s.language))
                        } else {
                            String::new()
                        };
                        let body = format!(
                            "{body}{why}\n\n{}: {unsubscribe}",
                            unsubscribe_word(s.language)
                        );
                        self.mail(&s.target, &subject, &body, Some(&unsubscribe))
                            .await
                    }
                    Channel::Sms => {
                        let (_, body) = self.update_text(event, update_id, s.language, false);
                        self.sms(&s.target, &body).await
                    }
                    Channel::Webhook => {
                        self.webhook(n, event, &batch.components, update_id, now)
                            .await
                    }
                }
            }
        }
    }

    /// The subject and text of an update in `language`; short for SMS.
    fn update_text(
        &self,
        e: &Event,
        update_id: i64,
        language: Language,
        long: bool,
    ) -> (String, String) {
        let w = words(language);
        let u = e
            .updates
            .iter()
            .find(|u| u.id == update_id)
            .or(e.updates.first());
        let status = u.map(|u| w.event_status(u.status)).unwrap_or("");
        let body = u.map(|u| u.body.as_str()).unwrap_or("");
        let link = format!(
            "{}/status/incidents/{}?lang={}",
            self.config.url,
            e.id,
            language.code()
        );
        let subject = format!("[{}] {} — {status}", self.config.page_name, e.name);
        if long {
            let when = u
                .map(|u| {
                    u.created_at
                        .to_zoned(self.config.time_zone.clone())
                        .strftime("%Y-%m-%d %H:%M %Z")
                        .to_string()
                })
                .unwrap_or_default();
            let window = e
                .window
                .map(|win| {
                    format!(
                        "\n{} – {}",
                        win.from
                            .to_zoned(self.config.time_zone.clone())
                            .strftime("%Y-%m-%d %H:%M %Z"),
                        win.until
                            .to_zoned(self.config.time_zone.clone())
                            .strftime("%Y-%m-%d %H:%M %Z")
                    )
                })
                .unwrap_or_default();
            (
                subject,
                format!("{}\n\n{status} ({when}){window}\n{body}\n\n{link}", e.name),
            )
        } else {
            let mut text = format!("{}: {} — {status}: {body}", self.config.page_name, e.name);
            if text.chars().count() > 280 {
                text = text.chars().take(277).collect::<String>() + "…";
            }
            (subject, format!("{text} {link}"))
        }
    }

    async fn mail(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        unsubscribe: Option<&str>,
    ) -> Delivery {
        let Some(transport) = &self.mail else {
            return Delivery::Wait("no SMTP relay is configured (varde serve --smtp)".into());
        };
        let (Ok(from), Ok(to_box)) = (self.config.from.parse(), to.parse()) else {
            return Delivery::Failed(format!("cannot mail {to} from {}", self.config.from));
        };
        let mut message = match Message::builder()
            .from(from)
            .to(to_box)
            .subject(subject)
            .singlepart(SinglePart::plain(body.to_string()))
        {
            Ok(m) => m,
            Err(e) => return Delivery::Failed(e.to_string()),
        };
        let headers = message.headers_mut();
        headers.insert_raw(crate::compose::header(
            "Auto-Submitted",
            "auto-generated".into(),
        ));
        headers.insert_raw(crate::compose::header(
            "X-Varde-Loop",
            self.config.page_id.clone(),
        ));
        if let Some(u) = unsubscribe {
            headers.insert_raw(crate::compose::header("List-Unsubscribe", format!("<{u}>")));
            headers.insert_raw(crate::compose::header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            ));
        }
        match transport.send(message).await {
            Ok(()) => Delivery::Sent,
            Err(e) if e.is_permanent() => Delivery::Failed(e.to_string()),
            Err(e) => Delivery::Retry(e.to_string()),
        }
    }

    async fn sms(&self, to: &str, text: &str) -> Delivery {
        let Some(gw) = &self.sms else {
            return Delivery::Retry(
                "no SMS gateway is configured (varde serve --sms-gateway)".into(),
            );
        };
        let sent = self
            .http_plain()
            .post(&gw.url)
            .basic_auth(&gw.user, Some(&gw.password))
            .form(&[("from", gw.from.as_str()), ("to", to), ("message", text)])
            .send()
            .await;
        http_outcome(sent).await
    }

    /// The SMS gateway is configured by an administrator, so it is not held to the webhook
    /// address rule.
    fn http_plain(&self) -> reqwest::Client {
        static PLAIN: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
        PLAIN
            .get_or_init(|| {
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .no_proxy()
                    .build()
                    .unwrap_or_default()
            })
            .clone()
    }

    async fn webhook(
        &self,
        n: &Notification,
        e: &Event,
        components: &[Component],
        update_id: i64,
        now: Timestamp,
    ) -> Delivery {
        let s = &n.subscriber;
        let url = match reqwest::Url::parse(&s.target) {
            Ok(u) => u,
            Err(err) => return Delivery::Failed(format!("not a URL: {err}")),
        };
        // IP literals never pass through the resolver: check them here.
        if let Some(host) = url.host_str() {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = bare.parse::<IpAddr>()
                && !webhook_may_reach(ip, &self.config.allowed_networks)
            {
                return Delivery::Failed(format!(
                    "{ip} is a private address; an administrator can allow it with --allow-webhook-network"
                ));
            }
        }
        let page = Page {
            id: &self.config.page_id,
            name: &self.config.page_name,
            url: &self.config.url,
            time_zone: &self.config.time_zone,
        };
        let mut incident = statuspage::event(&page, components, e);
        // The update being announced comes first, as Statuspage sends it.
        if let Some(list) = incident["incident_updates"].as_array_mut() {
            list.sort_by_key(|u| u["id"].as_str() != Some(update_id.to_string().as_str()));
        }
        let open: Vec<_> = components
            .iter()
            .filter(|c| !c.is_group)
            .map(|c| c.status)
            .collect();
        let indicator = varde_core::status::overall(&open, &[], false);
        let payload = serde_json::json!({
            "meta": {
                "unsubscribe": links::url(&self.config.url, &self.config.link_key, Purpose::Unsubscribe, s.id),
                "documentation": format!("{}/status", self.config.url),
                "generated_at": statuspage::time(now),
            },
            "page": {
                "id": self.config.page_id,
                "status_indicator": indicator.code(),
                "status_description": indicator.label(),
            },
            "incident": incident,
        });
        let body = payload.to_string().into_bytes();
        let key = s.signing_key.clone().unwrap_or_default();
        let signature = links::webhook_signature(&key, now.as_second(), &body);
        let sent = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header("X-Varde-Signature", signature)
            .header("X-Varde-Event", "incident.update")
            .body(body)
            .send()
            .await;
        http_outcome(sent).await
    }
}

/// 2xx: sent; 408, 429 and 5xx or no answer: try again; other 4xx: give up.
async fn http_outcome(sent: reqwest::Result<reqwest::Response>) -> Delivery {
    match sent {
        Ok(r) if r.status().is_success() => Delivery::Sent,
        Ok(r) => {
            let status = r.status();
            let text: String = r
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            let message = format!("HTTP {status}: {text}");
            if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
                Delivery::Retry(message)
            } else {
                Delivery::Failed(message)
            }
        }
        Err(e) => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message = format!("{message}: {s}");
                source = s.source();
            }
            Delivery::Retry(message)
        }
    }
}

/// Why a technical contact who never subscribed is told (`status_audience`).
fn audience_note(language: Language) -> &'static str {
    match language {
        Language::English => {
            "You are told because you are a technical contact of an organisation with this service on contract. Your organisation's primary contact can turn these notices off in the customer portal."
        }
        Language::Swedish => {
            "Du får detta som teknisk kontakt för en organisation som har tjänsten i sitt avtal. Er primära kontakt kan stänga av aviseringarna i kundportalen."
        }
        Language::NorwegianBokmal => {
            "Du får dette som teknisk kontakt for en organisasjon som har tjenesten i avtalen sin. Primærkontakten deres kan slå av varslene i kundeportalen."
        }
        Language::Danish => {
            "Du modtager dette som teknisk kontakt for en organisation, der har tjenesten i sin aftale. Jeres primære kontakt kan slå underretningerne fra i kundeportalen."
        }
    }
}

fn unsubscribe_word(language: Language) -> &'static str {
    match language {
        Language::English => "Unsubscribe",
        Language::Swedish => "Avsluta prenumerationen",
        Language::NorwegianBokmal => "Avslutt abonnementet",
        Language::Danish => "Afmeld abonnementet",
    }
}

fn confirm_text(language: Language, page: &str, link: &str) -> (String, String) {
    match language {
        Language::English => (
            format!("Confirm your subscription to {page}"),
            format!(
                "Hello,\n\nSomeone (hopefully you) subscribed this address to updates from {page}.\nConfirm by opening this link:\n\n{link}\n\nIf it was not you, ignore this mail and nothing more will be sent."
            ),
        ),
        Language::Swedish => (
            format!("Bekräfta din prenumeration på {page}"),
            format!(
                "Hej!\n\nNågon (förhoppningsvis du) har anmält den här adressen till uppdateringar från {page}.\nBekräfta genom att öppna länken:\n\n{link}\n\nOm det inte var du kan du bortse från det här brevet; inget mer skickas."
            ),
        ),
        Language::NorwegianBokmal => (
            format!("Bekreft abonnementet ditt på {page}"),
            format!(
                "Hei!\n\nNoen (forhåpentligvis du) har meldt denne adressen på oppdateringer fra {page}.\nBekreft ved å åpne lenken:\n\n{link}\n\nHvis det ikke var deg, kan du se bort fra denne e-posten; ingenting mer blir sendt."
            ),
        ),
        Language::Danish => (
            format!("Bekræft dit abonnement på {page}"),
            format!(
                "Hej!\n\nNogen (forhåbentlig dig) har tilmeldt denne adresse opdateringer fra {page}.\nBekræft ved at åbne linket:\n\n{link}\n\nHvis det ikke var dig, kan du se bort fra denne mail; der sendes ikke mere."
            ),
        ),
    }
}

fn disabled_text(language: Language, page: &str, target: &str, url: &str) -> (String, String) {
    match language {
        Language::Swedish => (
            format!("Din webhook för {page} har stängts av"),
            format!(
                "Hej!\n\nWebhooken {target} svarade inte på upprepade försök och har stängts av.\nAnmäl den igen på {url}/status/subscribe när den fungerar."
            ),
        ),
        Language::NorwegianBokmal => (
            format!("Webhooken din for {page} er slått av"),
            format!(
                "Hei!\n\nWebhooken {target} svarte ikke etter gjentatte forsøk og er slått av.\nMeld den på igjen på {url}/status/subscribe når den virker."
            ),
        ),
        Language::Danish => (
            format!("Din webhook for {page} er slået fra"),
            format!(
                "Hej!\n\nWebhooken {target} svarede ikke efter gentagne forsøg og er slået fra.\nTilmeld den igen på {url}/status/subscribe, når den virker."
            ),
        ),
        Language::English => (
            format!("Your webhook for {page} was switched off"),
            format!(
                "Hello,\n\nThe webhook {target} failed repeatedly and was switched off.\nSubscribe it again at {url}/status/subscribe once it works."
            ),
        ),
    }
}
