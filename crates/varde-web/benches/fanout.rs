//! Fan-out of one incident update to 100,000 subscribers, and delivery to local sinks.
//!
//! `cargo bench -p varde-web --bench fanout` (SQLite; PostgreSQL too when VARDE_TEST_PG_URL
//! is set). Prints how long posting the update takes (the agent's wait), how long until
//! every notification is queued, and deliveries per second to a local webhook receiver
//! (100,000) and to the real SMTP sink from ../shared (5,000 mails).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::routing::post;
use varde_core::status::subscription::AllowedNetwork;
use varde_core::status::{EventForm, EventKind};
use varde_notify::status::{StatusNotifyConfig, StatusWorker};
use varde_store::status::NewComponent;
use varde_store::{Location, Store};

const SUBSCRIBERS: i64 = 100_000;
const MAILS: i64 = 5_000;

async fn receiver() -> (String, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let c = count.clone();
    let app = Router::new().route(
        "/hook",
        post(move || {
            let c = c.clone();
            async move {
                c.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), count)
}

async fn run(store: Store, engine: &str) {
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let t0 = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let component = store
        .create_component(
            &NewComponent {
                name: "Compute".into(),
                ..Default::default()
            },
            t0,
        )
        .await
        .unwrap();
    let (hook, received) = receiver().await;
    let started = Instant::now();
    varde_store::testing::bulk_subscribers(
        &store,
        SUBSCRIBERS,
        "webhook",
        Some("whsec_bench"),
        |i| format!("{hook}?s={i}"),
        t0,
    )
    .await
    .unwrap();
    println!(
        "{engine}: {SUBSCRIBERS} webhook subscribers added in {:.2?}",
        started.elapsed()
    );
    let sink = varde_notify::testing::SmtpSink::start("");
    let worker = StatusWorker::new(
        store.clone(),
        Some(&sink.url()),
        None,
        StatusNotifyConfig {
            page_id: "varde".into(),
            page_name: "Bench status".into(),
            url: "http://127.0.0.1:8080".into(),
            time_zone: tz.clone(),
            from: "status@example.com".into(),
            link_key: store.link_key("bench").await.unwrap(),
            allowed_networks: vec![AllowedNetwork::parse("127.0.0.1/32").unwrap()],
        },
    )
    .unwrap();

    let e = EventForm {
        name: "Compute API errors".into(),
        body: "Creating instances fails.".into(),
        components: vec![(component.id, "major_outage".into())],
        ..Default::default()
    }
    .parse(EventKind::Incident, &tz)
    .unwrap();
    let now = jiff::Timestamp::now();
    let posted = Instant::now();
    store.create_event(&e, "bench", now).await.unwrap();
    let accepted = posted.elapsed();
    let queued_n = store.fan_out(now).await.unwrap();
    let queued = posted.elapsed();
    println!(
        "{engine}: update accepted in {accepted:.2?}; {queued_n} notifications queued {queued:.2?} after posting"
    );

    let delivering = Instant::now();
    while store.pending_notifications().await.unwrap() > 0 {
        worker.run_once(jiff::Timestamp::now()).await.unwrap();
    }
    let took = delivering.elapsed();
    let got = received.load(Ordering::Relaxed);
    println!(
        "{engine}: {got} webhooks delivered in {took:.2?}: {:.0} per second",
        got as f64 / took.as_secs_f64()
    );

    // Mail: MAILS e-mail subscribers through the real SMTP sink (the webhooks are left out).
    varde_store::testing::unsubscribe_channel(&store, "webhook", jiff::Timestamp::now())
        .await
        .unwrap();
    varde_store::testing::bulk_subscribers(
        &store,
        MAILS,
        "email",
        None,
        |i| format!("user{i}@example.com"),
        t0,
    )
    .await
    .unwrap();
    let u = varde_core::status::UpdateForm {
        status: "identified".into(),
        body: "A bad deploy; rolling back.".into(),
        ..Default::default()
    }
    .parse(EventKind::Incident)
    .unwrap();
    let id = store
        .events(varde_store::status::EventFilter::OpenIncidents, 1)
        .await
        .unwrap()[0]
        .id;
    let now = jiff::Timestamp::now();
    store.add_event_update(id, &u, "bench", now).await.unwrap();
    let delivering = Instant::now();
    while store.pending_notifications().await.unwrap() > 0 || store.fan_out(now).await.unwrap() > 0
    {
        worker.run_once(jiff::Timestamp::now()).await.unwrap();
    }
    let took = delivering.elapsed();
    let mails = sink.received().len();
    println!(
        "{engine}: {mails} mails delivered to the SMTP sink in {took:.2?}: {:.0} per second",
        mails as f64 / took.as_secs_f64()
    );
}

fn main() {
    varde_notify::install_tls_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
            .await
            .unwrap();
        run(store, "SQLite").await;
        if let Ok(url) = std::env::var("VARDE_TEST_PG_URL") {
            let store = varde_store::testing::scratch_postgres(&url).await.unwrap();
            run(store, "PostgreSQL").await;
        }
    });
}
