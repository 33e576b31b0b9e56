//! `varde import-rt`: a Request Tracker 4.4/5 database's history into Varde, with RT's
//! ticket numbers, so that replies to `[rtname #N]` land on ticket N.
//!
//! - `users`: queues, and users as staff accounts or contacts.
//! - `mapping`: one ticket's RT rows into Varde's history (pure).
//! - `decode`: RT's stored MIME parts into attachments (pure).
//!
//! A run reads which tickets changed since the last one (RT's highest transaction per
//! ticket against what was imported), then reads, maps and writes them a batch at a time,
//! each batch in one database transaction: a run that stops resumes where it stopped, and a
//! second run brings only what is new.

use std::collections::HashMap;

use varde_core::access::{Action, Resource};
use varde_core::ids::OrganizationId;
use varde_core::values::EmailAddress;
use varde_store::import::ImportTicket;
use varde_store::rt_source::{RtSource, RtTicketMark, RtTickets};

use crate::{Acting, App, AppError, authorize};

mod decode;
pub mod mapping;
mod users;

use mapping::{Lookups, Mapped, RtRows};

/// What to import, and how.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// `sqlite:///path/to/rt.db` or `postgres://…`.
    pub from: String,
    /// RT's `$rtname`: link URIs of another RT are not tickets of this one.
    pub rtname: Option<String>,
    /// Read and count everything; write nothing.
    pub dry_run: bool,
    /// Tickets per database transaction.
    pub batch: usize,
}

/// How far a run is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The tickets this run will look at.
    Started { tickets: u64 },
    /// A batch is done: its tickets, and the transactions and files written (or that would be).
    Batch {
        tickets: u64,
        transactions: u64,
        attachments: u64,
    },
}

/// What a run did (or, with `dry_run`, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub dry_run: bool,
    pub queues_created: u64,
    pub staff_created: u64,
    pub contacts_created: u64,
    /// Unprivileged users matching no organisation: they stay addresses on tickets.
    pub addresses_only: u64,
    pub tickets_seen: u64,
    pub tickets_new: u64,
    pub tickets_changed: u64,
    pub tickets_unchanged: u64,
    pub transactions: u64,
    pub attachments: u64,
    /// What was not imported, and why.
    pub skipped: Vec<String>,
    /// What was imported but not quite as RT has it.
    pub notes: Vec<String>,
}

impl Report {
    fn skip(&mut self, why: String) {
        self.skipped.push(why);
    }
}

impl App {
    /// Imports (or, with `dry_run`, counts) what is new or changed in the RT database at
    /// `options.from` since the last run. Administrators only.
    pub async fn import_rt(
        &self,
        acting: &Acting,
        options: &ImportOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Report, AppError> {
        for resource in [
            Resource::TicketSystem,
            Resource::QueueSettings,
            Resource::Accounts,
            Resource::CustomerBase,
        ] {
            authorize(&acting.actor, Action::Write, &resource)?;
        }
        let source = RtSource::open(&options.from)
            .await
            .map_err(|e| AppError::Refused(format!("cannot read the RT database: {e}")))?;
        let outcome = self.import_from(&source, acting, options, progress).await;
        source.close().await;
        outcome
    }

    async fn import_from(
        &self,
        source: &RtSource,
        acting: &Acting,
        options: &ImportOptions,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Report, AppError> {
        let mut report = Report {
            dry_run: options.dry_run,
            ..Report::default()
        };
        let queues = source.queues().await?;
        self.import_queues(&queues, options.dry_run, &mut report)
            .await?;
        let users = source.users().await?;
        self.import_users(&users, &acting.name, options.dry_run, &mut report)
            .await?;
        let lookups = Lookups {
            users: users.into_iter().map(|u| (u.id, u)).collect(),
            queues: queues.into_iter().map(|q| (q.id, q.name)).collect(),
            custom_fields: source.custom_fields().await?.into_iter().collect(),
            rtname: options.rtname.clone(),
        };
        let marks = self.store.rt_import_marks().await?;
        let rt_marks = source.ticket_marks().await?;
        report.tickets_seen = rt_marks.len() as u64;
        let work: Vec<&RtTicketMark> = rt_marks
            .iter()
            .filter(|m| {
                marks
                    .get(&m.id)
                    .is_none_or(|&last| m.last_transaction > last)
            })
            .collect();
        report.tickets_unchanged = report.tickets_seen - work.len() as u64;
        progress(Progress::Started {
            tickets: work.len() as u64,
        });
        let mut organizations = HashMap::new();
        for chunk in work.chunks(options.batch.max(1)) {
            let ids: Vec<i64> = chunk.iter().map(|m| m.id).collect();
            let rows = source.tickets(&ids).await?;
            let mapped = self
                .map_batch(&rows, &lookups, &mut organizations, &mut report)
                .await?;
            let (transactions, attachments) = if options.dry_run {
                self.count_batch(&mapped, &marks, &mut report).await?
            } else {
                self.write_batch(&mapped, &mut report).await?
            };
            progress(Progress::Batch {
                tickets: chunk.len() as u64,
                transactions,
                attachments,
            });
        }
        Ok(report)
    }

    /// Maps a batch's tickets; those that cannot be imported are reported.
    async fn map_batch(
        &self,
        rows: &RtTickets,
        lk: &Lookups,
        organizations: &mut HashMap<String, Option<OrganizationId>>,
        report: &mut Report,
    ) -> Result<Vec<ImportTicket>, AppError> {
        let mut out = vec![];
        for t in &rows.tickets {
            let r = RtRows {
                ticket: t,
                transactions: rows
                    .transactions
                    .iter()
                    .filter(|x| x.ticket == t.id)
                    .collect(),
                attachments: HashMap::new(),
                watchers: rows.watchers.iter().filter(|w| w.ticket == t.id).collect(),
                values: rows
                    .custom_field_values
                    .iter()
                    .filter(|v| v.ticket == t.id)
                    .collect(),
                links: rows
                    .links
                    .iter()
                    .filter(|l| {
                        [t.id, t.effective_id]
                            .iter()
                            .any(|n| l.local_base == *n || l.local_target == *n)
                    })
                    .collect(),
            };
            let r = RtRows {
                attachments: attachments_of(rows, &r),
                ..r
            };
            let org = self
                .organization_of(&mapping::requestors(&r, lk), organizations)
                .await?;
            match mapping::map_ticket(&r, lk, org) {
                Ok(Mapped { ticket, notes }) => {
                    report
                        .notes
                        .extend(notes.into_iter().map(|n| format!("ticket {}: {n}", t.id)));
                    if let Ok(replayed) = varde_core::ticket::history::replay(&replayable(&ticket))
                    {
                        let diffs = mapping::differences(&replayed, t, lk);
                        report
                            .notes
                            .extend(diffs.into_iter().map(|d| format!("ticket {}: {d}", t.id)));
                    }
                    out.push(ticket);
                }
                Err(why) => report.skip(format!("ticket {}: {why}", t.id)),
            }
        }
        Ok(out)
    }

    /// The organisation of a ticket's requestors (a contact's, else by mail domain), read
    /// once per requestor list.
    async fn organization_of(
        &self,
        requestors: &[String],
        cache: &mut HashMap<String, Option<OrganizationId>>,
    ) -> Result<Option<OrganizationId>, AppError> {
        let key = requestors.join(",");
        if let Some(found) = cache.get(&key) {
            return Ok(*found);
        }
        let addresses: Vec<EmailAddress> = requestors
            .iter()
            .filter_map(|a| EmailAddress::parse(a).ok())
            .collect();
        let found = self.store.organization_of_addresses(&addresses).await?;
        cache.insert(key, found);
        Ok(found)
    }

    async fn write_batch(
        &self,
        batch: &[ImportTicket],
        report: &mut Report,
    ) -> Result<(u64, u64), AppError> {
        let out = self.store.import_rt_batch(batch, self.now()).await?;
        report.tickets_new += out.new_tickets;
        report.tickets_changed += out.changed_tickets;
        report.transactions += out.transactions;
        report.attachments += out.attachments;
        report.skipped.extend(
            out.skipped
                .into_iter()
                .map(|(id, why)| format!("ticket {id}: {why}")),
        );
        Ok((out.transactions, out.attachments))
    }

    /// What writing the batch would do.
    async fn count_batch(
        &self,
        batch: &[ImportTicket],
        marks: &HashMap<i64, i64>,
        report: &mut Report,
    ) -> Result<(u64, u64), AppError> {
        let ids: Vec<i64> = batch.iter().map(|t| t.id.0).collect();
        let taken = self.store.tickets_not_imported(&ids).await?;
        let (mut transactions, mut attachments) = (0, 0);
        for t in batch {
            if taken.contains(&t.id.0) {
                report.skip(format!(
                    "ticket {}: Varde already has a ticket #{} of its own",
                    t.id, t.id
                ));
                continue;
            }
            let mark = marks.get(&t.id.0).copied();
            let fresh: Vec<_> = t
                .history
                .iter()
                .filter(|x| mark.is_none_or(|m| x.rt_id > m))
                .collect();
            if mark.is_some() {
                report.tickets_changed += 1
            } else {
                report.tickets_new += 1
            }
            transactions += fresh.len() as u64;
            attachments += fresh
                .iter()
                .map(|x| {
                    x.attachments
                        .iter()
                        .filter(|a| !a.filename.is_empty())
                        .count() as u64
                })
                .sum::<u64>();
        }
        report.transactions += transactions;
        report.attachments += attachments;
        Ok((transactions, attachments))
    }
}

fn attachments_of<'a>(
    rows: &'a RtTickets,
    r: &RtRows,
) -> HashMap<i64, Vec<&'a varde_store::rt_source::RtAttachment>> {
    let ids: std::collections::HashSet<i64> = r.transactions.iter().map(|x| x.id).collect();
    let mut m: HashMap<i64, Vec<_>> = HashMap::new();
    for a in rows
        .attachments
        .iter()
        .filter(|a| ids.contains(&a.transaction_id))
    {
        m.entry(a.transaction_id).or_default().push(a);
    }
    m
}

fn replayable(t: &ImportTicket) -> Vec<varde_core::ticket::history::Transaction> {
    t.history
        .iter()
        .enumerate()
        .map(|(i, x)| varde_core::ticket::history::Transaction {
            id: i as i64 + 1,
            ticket: t.id,
            at: x.at,
            creator: x.creator.clone(),
            time_taken: x.time_taken,
            change: x.change.clone(),
        })
        .collect()
}
