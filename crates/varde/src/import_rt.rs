//! `varde import-rt`: runs the import use case as the installation's operator (an
//! administrator), with a progress bar on a terminal and a summary at the end.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use varde_app::import_rt::{ImportOptions, Progress, Report};
use varde_app::{Acting, App};
use varde_core::access::Actor;

use crate::cli::StoreArgs;
use crate::commands::operator_error;

/// Tickets, transactions and attachments done so far, for the bar's message.
#[derive(Default)]
struct Tally {
    transactions: u64,
    attachments: u64,
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} tickets ({per_sec}, {eta} left) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

pub async fn run(options: ImportOptions, store: &StoreArgs) -> anyhow::Result<()> {
    let s = store.open("./varde-data").await?;
    let app = App::new(s.clone(), Arc::new(jiff::Timestamp::now));
    let operator = Acting::new(Actor::operator(), "import-rt");
    let bar = bar();
    let tally = Mutex::new(Tally::default());
    let progress = |p: Progress| match p {
        Progress::Started { tickets } => bar.set_length(tickets),
        Progress::Batch {
            tickets,
            transactions,
            attachments,
        } => {
            let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
            t.transactions += transactions;
            t.attachments += attachments;
            bar.set_message(format!(
                "{} transactions, {} attachments",
                t.transactions, t.attachments
            ));
            bar.inc(tickets);
        }
    };
    let started = Instant::now();
    let outcome = app.import_rt(&operator, &options, &progress).await;
    bar.finish_and_clear();
    s.close().await;
    let report = outcome.map_err(operator_error)?;
    print_report(&report, started.elapsed());
    Ok(())
}

fn print_report(r: &Report, took: std::time::Duration) {
    let verb = if r.dry_run {
        "would import"
    } else {
        "imported"
    };
    println!(
        "RT import ({}): {} tickets in RT; {verb} {} new and {} changed tickets, {} transactions, {} attachments; {} unchanged",
        if r.dry_run {
            "dry run, nothing written"
        } else {
            "written"
        },
        r.tickets_seen,
        r.tickets_new,
        r.tickets_changed,
        r.transactions,
        r.attachments,
        r.tickets_unchanged
    );
    println!(
        "queues created: {}; staff accounts: {} (no password until reset); contacts: {}; addresses only (no organisation): {}",
        r.queues_created, r.staff_created, r.contacts_created, r.addresses_only
    );
    let secs = took.as_secs_f64();
    let rate = if secs > 0.0 {
        (r.tickets_new + r.tickets_changed) as f64 / secs
    } else {
        0.0
    };
    println!("took {secs:.1} s ({rate:.0} tickets/s)");
    if !r.skipped.is_empty() {
        println!("skipped ({}):", r.skipped.len());
        for s in &r.skipped {
            println!("  {s}");
        }
    }
    if !r.notes.is_empty() {
        println!("imported with notes ({}):", r.notes.len());
        for n in &r.notes {
            println!("  {n}");
        }
    }
}
