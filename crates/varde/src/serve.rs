//! `varde serve` (and `varde demo`): the web server with its workers — the status page's
//! timekeeper and notifier, the SLA watch, onboarding, outgoing mail and the LMTP listener —
//! started together and stopped together on SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use varde_store::Store;
use varde_web::status::StatusSettings;
use varde_web::{AppState, Clock};

use crate::cli::{MailArgs, OnboardingArgs, StatusArgs};

pub fn system_clock() -> Clock {
    Arc::new(jiff::Timestamp::now)
}

/// The host name, for the default RT name.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "varde".into())
}

/// How the server is reached and what it works with.
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub secure_cookies: bool,
    pub rtname: Option<String>,
    pub mail: MailArgs,
    pub status: StatusArgs,
    pub onboarding: OnboardingArgs,
}

pub async fn serve(store: Store, o: ServeOptions) -> anyhow::Result<()> {
    let mut state = AppState::new(store.clone(), system_clock()).await?;
    state.secure_cookies = o.secure_cookies;
    state.mail_relay = o.mail.smtp.is_some();
    state.rtname = o.rtname.clone().unwrap_or_else(host_name);
    state.node = format!("{}:{}", host_name(), o.listen.port());
    state.mail_from = sender(&o, &state, "support");
    state.network = Arc::new(varde_web::auth::Network {
        trusted_proxies: o.mail.trusted_proxy.clone(),
        mail_gateway_allow: o.mail.mail_gateway_allow.clone(),
    });
    let settings = status_settings(&o)?;
    state.status = Arc::new(varde_web::status::StatusSite::new(settings.clone()));
    let link_key = state.status.load_link_key(&store).await?;
    let secrets_key = o.onboarding.secrets_key.clone().unwrap_or_else(|| {
        tracing::warn!(
            "no --secrets-key: customers' secrets are sealed with the key kept in the database"
        );
        link_key.clone()
    });
    state.vault = Arc::new(varde_notify::vault::Vault::new(&secrets_key));
    let (stop, _) = watch::channel(false);
    let workers = start_workers(&state, &o, &settings, link_key, &stop).await?;
    let listener = tokio::net::TcpListener::bind(o.listen)
        .await
        .with_context(|| format!("listening on {}", o.listen))?;
    tracing::info!(address = %listener.local_addr()?, engine = store.engine(), "varde is serving");
    eprintln!(
        "Varde is listening on http://{} ({} database)",
        listener.local_addr()?,
        store.engine()
    );
    varde_web::serve(listener, state, shutdown_signal()).await?;
    let _ = stop.send(true);
    for w in workers {
        let _ = w.await;
    }
    store.close().await;
    Ok(())
}

fn status_settings(o: &ServeOptions) -> anyhow::Result<StatusSettings> {
    let allowed_networks = o
        .status
        .allow_webhook_network
        .iter()
        .map(|n| varde_core::status::subscription::AllowedNetwork::parse(n))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--allow-webhook-network: {}", e.0))?;
    Ok(StatusSettings {
        name: o.status.status_name.clone(),
        url: o
            .status
            .public_url
            .clone()
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("http://{}", o.listen)),
        allowed_networks,
        ..Default::default()
    })
}

/// The sender of Varde's mail: `--mail-from`, or `<local>@<rtname>`.
fn sender(o: &ServeOptions, state: &AppState, local: &str) -> String {
    o.mail
        .mail_from
        .clone()
        .unwrap_or_else(|| format!("{local}@{}", state.rtname))
}

/// Starts every worker; each stops when `stop` turns true.
async fn start_workers(
    state: &AppState,
    o: &ServeOptions,
    settings: &StatusSettings,
    link_key: String,
    stop: &watch::Sender<bool>,
) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let sms = o
        .status
        .sms_gateway
        .as_deref()
        .map(|u| varde_notify::status::SmsGateway::from_url(u, &o.status.sms_from))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--sms-gateway: {e}"))?;
    let store = &state.store;
    let smtp = o.mail.smtp.as_deref();
    let status_worker = varde_notify::status::StatusWorker::new(
        store.clone(),
        smtp,
        sms.clone(),
        varde_notify::status::StatusNotifyConfig {
            page_id: settings.page_id.clone(),
            page_name: settings.name.clone(),
            url: settings.url.clone(),
            time_zone: settings.time_zone.clone(),
            from: sender(o, state, "status"),
            link_key: link_key.clone(),
            allowed_networks: settings.allowed_networks.clone(),
        },
    )
    .context("the status notification worker")?;
    let mut workers = vec![
        tokio::spawn(varde_web::status::keep_time(
            state.clone(),
            stop.subscribe(),
        )),
        tokio::spawn(status_worker.run(system_clock(), stop.subscribe())),
    ];
    let sla_watch = sla_watch(state, o, settings, sms)?;
    workers.push(tokio::spawn(
        sla_watch.run(system_clock(), stop.subscribe()),
    ));
    workers.push(tokio::spawn(varde_notify::health::watch(
        state.app.clone(),
        stop.subscribe(),
    )));
    workers.push(tokio::spawn(sweep_spent_tries(
        state.app.clone(),
        stop.subscribe(),
    )));
    let onboarder = onboarding_worker(state, o, settings)?;
    workers.push(tokio::spawn(
        onboarder.run(system_clock(), stop.subscribe()),
    ));
    match smtp {
        Some(url) => {
            let config = varde_notify::MailConfig {
                rtname: state.rtname.clone(),
                default_from: sender(o, state, "support"),
                url: settings.url.clone(),
                link_key: link_key.clone(),
            };
            let worker = varde_notify::MailWorker::new(store.clone(), url, config)
                .context("the --smtp relay")?
                .with_claim(std::time::Duration::from_secs(o.mail.mail_claim.max(1)));
            workers.push(tokio::spawn(worker.run(system_clock(), stop.subscribe())));
        }
        None => tracing::info!("no --smtp relay: outgoing mail waits in the outbox"),
    }
    if let Some(addr) = &o.mail.lmtp {
        let l = varde_web::lmtp::Listener::bind(addr)
            .await
            .with_context(|| format!("LMTP on {addr}"))?;
        eprintln!("LMTP on {}", l.describe());
        let mut stopped = stop.subscribe();
        workers.push(tokio::spawn(varde_web::lmtp::serve(
            l,
            state.app.clone(),
            state.rtname.clone(),
            async move {
                let _ = stopped.changed().await;
            },
        )));
    }
    Ok(workers)
}

/// Now and then sweeps the rate-limit counts that no longer limit anything.
async fn sweep_spent_tries(app: varde_app::App, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = app.forget_spent_tries().await {
            tracing::warn!(error = %e, "could not sweep spent rate-limit counts");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(300)) => {}
            _ = stop.changed() => return,
        }
    }
}

fn sla_watch(
    state: &AppState,
    o: &ServeOptions,
    settings: &StatusSettings,
    sms: Option<varde_notify::status::SmsGateway>,
) -> anyhow::Result<varde_notify::sla::SlaWatch> {
    if let Some(phone) = &o.mail.sla_on_call_sms {
        varde_core::values::PhoneNumber::parse(phone)
            .map_err(|e| anyhow::anyhow!("--sla-on-call-sms: {}", e.0))?;
    }
    let m = &o.mail;
    varde_notify::sla::SlaWatch::new(
        state.store.clone(),
        m.smtp.as_deref(),
        sms,
        varde_notify::sla::SlaWatchConfig {
            warn_share: f64::from(m.sla_warn_at.min(100)) / 100.0,
            on_call: m.sla_on_call.clone(),
            on_call_sms: m.sla_on_call_sms.clone(),
            webhook: m.sla_webhook.clone(),
            webhook_secret: m.sla_webhook_secret.clone(),
            from: sender(o, state, "support"),
            rtname: state.rtname.clone(),
            url: settings.url.clone(),
        },
    )
    .map(|w| w.with_clocks(state.app.clocks().clone()))
    .context("the SLA watch")
}

fn onboarding_worker(
    state: &AppState,
    o: &ServeOptions,
    settings: &StatusSettings,
) -> anyhow::Result<varde_notify::onboarding::OnboardingWorker> {
    let ob = &o.onboarding;
    let keystone = match &ob.keystone_url {
        Some(url) => Some(
            varde_notify::openstack::Keystone::new(
                url,
                varde_notify::openstack::AdminCredentials {
                    user: ob.keystone_user.clone(),
                    password: ob.keystone_password.clone().unwrap_or_default(),
                    project: ob.keystone_project.clone(),
                    user_domain_id: ob.keystone_admin_domain.clone(),
                    project_domain_id: ob.keystone_admin_domain.clone(),
                },
                &ob.openstack_region,
            )
            .context("--keystone-url")?,
        ),
        None => None,
    };
    varde_notify::onboarding::OnboardingWorker::new(
        state.store.clone(),
        keystone,
        o.mail.smtp.as_deref(),
        state.vault.clone(),
        varde_notify::onboarding::OnboardingConfig {
            url: settings.url.clone(),
            from: sender(o, state, "support"),
            support_address: sender(o, state, "support"),
            docs_url: ob.docs_url.clone(),
            chat_webhook: ob.chat_webhook.clone(),
            rtname: state.rtname.clone(),
            domain_prefix: ob.keystone_domain_prefix.clone(),
            lease: std::time::Duration::from_secs(ob.onboarding_lease.max(1)),
            link_days: 7,
        },
    )
    .context("the onboarding worker")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
