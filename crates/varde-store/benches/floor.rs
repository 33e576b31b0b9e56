//! Benchmark: the floor under a request's server CPU (issue 20), in two parts a ticket create
//! over HTTP cannot do without, each measured alone on this machine:
//! - **the store's create**: `Store::create_ticket` on a fresh embedded database, one after
//!   another (the queue read, the script, the durable commit: what `efficiency.sh`'s REST2 row
//!   spends below HTTP), CPU of this whole process per create;
//! - **a bare TCP connection**: a server thread that accepts, reads one request, writes a fixed
//!   answer and closes, and nothing else (no HTTP library, no runtime), against a client in
//!   this process sending a REST2 create's bytes, a new connection each (as the efficiency
//!   benchmark's client does); CPU of the server thread alone.
//!
//! Run:
//!
//!     cargo bench -p varde-store --bench floor            # 2,000 of each
//!     VARDE_BENCH_N=5000 cargo bench -p varde-store --bench floor
//!
//! Loopback only; stops by itself.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Instant;

use varde_core::ticket::history::Creation;
use varde_store::tickets::NewAttachment;
use varde_store::{Location, Store};

/// CPU seconds (user + system) of `/proc/<what>/stat`: `self` or `thread-self`.
fn cpu(what: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{what}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Linux counts in USER_HZ, 100 a second on every architecture it runs on here.
    (ticks(11) + ticks(12)) / 100.0
}

async fn store_creates(n: usize) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&Location::SqliteDir(dir.path().to_path_buf()))
        .await
        .expect("an embedded store");
    let body = [NewAttachment::text("benchmark body")];
    let create = |i: usize| {
        let creation =
            Creation::requested("General", &format!("floor {i}"), "bench@customer.example");
        store.create_ticket(
            "bench@example.com",
            creation,
            &body,
            0,
            jiff::Timestamp::now(),
        )
    };
    for i in 0..200 {
        create(i).await.expect("a ticket");
    }
    let (before, started) = (cpu("self"), Instant::now());
    for i in 0..n {
        create(i).await.expect("a ticket");
    }
    let (spent, wall) = (cpu("self") - before, started.elapsed().as_secs_f64());
    store.close().await;
    (spent / n as f64, n as f64 / wall)
}

const REQUEST: &[u8] = b"POST /REST/2.0/ticket HTTP/1.1\r\nHost: 127.0.0.1\r\n\
Authorization: Basic YmVuY2hAZXhhbXBsZS5jb206YmVuY2ggcGFzc3dvcmQgMTIz\r\n\
Content-Type: application/json\r\nConnection: close\r\nContent-Length: 98\r\n\r\n\
{\"Queue\": \"General\", \"Subject\": \"floor\", \"Requestor\": \"bench@customer.example\", \"Content\": \"body\"}";

const ANSWER: &[u8] = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\
Content-Length: 54\r\nConnection: close\r\n\r\n\
{\"id\":\"1\",\"type\":\"ticket\",\"_url\":\"/REST/2.0/ticket/1\"}";

fn bare_connections(n: usize) -> (f64, f64) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut serve = |mut s: TcpStream| {
            let mut got = 0;
            while got < REQUEST.len() {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => got += k,
                }
            }
            let _ = s.write_all(ANSWER);
            let _ = s.shutdown(Shutdown::Write);
        };
        let mut warm = listener.incoming().take(200);
        warm.by_ref().flatten().for_each(&mut serve);
        let before = cpu("thread-self");
        listener.incoming().take(n).flatten().for_each(serve);
        (cpu("thread-self") - before) / n as f64
    });
    let started = Instant::now();
    for _ in 0..n + 200 {
        let mut s = TcpStream::connect(address).expect("a connection");
        s.write_all(REQUEST).expect("the request sent");
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
    }
    let wall = started.elapsed().as_secs_f64();
    (
        server.join().expect("the server thread"),
        (n + 200) as f64 / wall,
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n = std::env::var("VARDE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let (store, store_rate) = store_creates(n).await;
    let (tcp, tcp_rate) = bare_connections(n);
    println!("| floor part, {n} sequential | CPU per request | rate |");
    println!("| --- | --- | --- |");
    println!(
        "| the store's ticket create (embedded, durable commit), whole process | {:.3} ms | {store_rate:.0} /s |",
        1000.0 * store
    );
    println!(
        "| a bare TCP connection with a create's bytes, server thread | {:.3} ms | {tcp_rate:.0} /s |",
        1000.0 * tcp
    );
    println!("| sum | {:.3} ms | |", 1000.0 * (store + tcp));
}
