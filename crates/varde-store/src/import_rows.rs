//! The rows an import batch adds to the history tables, gathered ticket by ticket and written
//! many rows to a statement: a batch of 200 RT tickets is some 2,000 transactions and 3,000
//! attachment rows, which one statement each made the import's slowest part.

use std::collections::HashSet;

use crate::Placeholders;
use crate::import::ImportTransaction;
use crate::script::Value;
use crate::tickets::transaction_values;

/// Parameters in one statement at most (SQLite allows 32,766; PostgreSQL 65,535).
const MAX_PARAMETERS: usize = 30_000;

/// Bytes bound to one statement at most, so that a batch of large files never makes a message
/// PostgreSQL refuses (1 GB) or one that holds a batch's files twice over.
const MAX_BYTES: usize = 32 << 20;

/// One table's new rows, in statements' worth.
struct Table {
    /// `INSERT INTO t (a, b)`: the rows follow as `VALUES …`.
    head: &'static str,
    /// What follows the rows (`ON CONFLICT … DO NOTHING`).
    tail: &'static str,
    columns: usize,
    /// Each statement's values, and the bytes bound to the last.
    chunks: Vec<Vec<Value>>,
    bytes: usize,
}

impl Table {
    fn new(head: &'static str, columns: usize, tail: &'static str) -> Table {
        Table {
            head,
            tail,
            columns,
            chunks: Vec::new(),
            bytes: 0,
        }
    }

    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns);
        let n = row.len();
        let size: usize = row
            .iter()
            .map(|v| match v {
                Value::Blob(b) => b.len(),
                Value::Text(t) => t.as_ref().map_or(0, String::len),
                Value::Int(_) => 8,
            })
            .sum();
        let full = self.chunks.last().is_none_or(|c| {
            c.len() + n > MAX_PARAMETERS || (self.bytes + size > MAX_BYTES && !c.is_empty())
        });
        if full {
            self.chunks.push(Vec::new());
            self.bytes = 0;
        }
        self.bytes += size;
        if let Some(c) = self.chunks.last_mut() {
            c.extend(row);
        }
    }

    /// The statements that insert the rows, each with its parameters.
    fn statements(self, style: Placeholders) -> Vec<(String, Vec<Value>)> {
        self.chunks
            .into_iter()
            .map(|values| {
                let rows = values.len() / self.columns;
                let sql = format!(
                    "{} VALUES {} {}",
                    self.head,
                    style.rows(self.columns, rows),
                    self.tail
                );
                (sql, values)
            })
            .collect()
    }
}

/// The history rows of one batch, in the order they must be written (blobs and transactions
/// before the attachments that name them).
pub(crate) struct ImportRows {
    blobs: Table,
    transactions: Table,
    attachments: Table,
    text: Table,
    message_ids: Table,
    rt_transactions: Table,
    seen_blobs: HashSet<String>,
    seen_message_ids: HashSet<String>,
}

impl ImportRows {
    pub(crate) fn new() -> ImportRows {
        ImportRows {
            blobs: Table::new(
                "INSERT INTO blobs (sha256, size, content)",
                3,
                "ON CONFLICT (sha256) DO NOTHING",
            ),
            transactions: Table::new(
                "INSERT INTO transactions (id, ticket_id, at, creator, time_taken, type, field, old_value, new_value, description, change)",
                11,
                "",
            ),
            attachments: Table::new(
                "INSERT INTO attachments (transaction_id, filename, content_type, size, blob_sha256)",
                5,
                "",
            ),
            text: Table::new("INSERT INTO ticket_text (ticket_id, body)", 2, ""),
            message_ids: Table::new(
                "INSERT INTO ticket_message_ids (message_id, ticket_id)",
                2,
                "ON CONFLICT (message_id) DO NOTHING",
            ),
            rt_transactions: Table::new(
                "INSERT INTO rt_import_transactions (rt_id, transaction_id)",
                2,
                "ON CONFLICT (rt_id) DO NOTHING",
            ),
            seen_blobs: HashSet::new(),
            seen_message_ids: HashSet::new(),
        }
    }

    /// RT transaction `x` of ticket `ticket`, stored as transaction `id`, with its
    /// attachments (content-addressed) and its text for the word search (`extra_text` first:
    /// the subject, for a creation).
    pub(crate) fn add(&mut self, ticket: i64, id: i64, x: &ImportTransaction, extra_text: String) {
        let mut row = vec![id.into(), ticket.into()];
        row.extend(transaction_values(
            x.at,
            &x.creator,
            x.time_taken,
            &x.change,
        ));
        self.transactions.push(row);
        let mut text = extra_text;
        for a in &x.attachments {
            let digest = a.digest();
            let size = a.content.len() as i64;
            if self.seen_blobs.insert(digest.clone()) {
                self.blobs.push(vec![
                    digest.as_str().into(),
                    size.into(),
                    a.content.as_slice().into(),
                ]);
            }
            self.attachments.push(vec![
                id.into(),
                a.filename.as_str().into(),
                a.stored_type().into(),
                size.into(),
                digest.into(),
            ]);
            a.index_text(&mut text);
        }
        if !text.is_empty() {
            self.text.push(vec![ticket.into(), text.into()]);
        }
        if let Some(m) = &x.message_id
            && self.seen_message_ids.insert(m.clone())
        {
            self.message_ids
                .push(vec![m.as_str().into(), ticket.into()]);
        }
        self.rt_transactions.push(vec![x.rt_id.into(), id.into()]);
    }

    /// Every statement, in the order to run them.
    pub(crate) fn statements(self, style: Placeholders) -> Vec<(String, Vec<Value>)> {
        [
            self.blobs,
            self.transactions,
            self.attachments,
            self.text,
            self.message_ids,
            self.rt_transactions,
        ]
        .into_iter()
        .flat_map(|t| t.statements(style))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(t: Table) -> Vec<(usize, usize)> {
        t.statements(Placeholders::Numbered)
            .into_iter()
            .map(|(sql, v)| (sql.matches('(').count() - 1, v.len()))
            .collect()
    }

    #[test]
    fn statements_stay_under_the_parameter_and_byte_limits() {
        let mut small = Table::new("INSERT INTO t (a, b, c)", 3, "");
        for i in 0..25_000i64 {
            small.push(vec![i.into(), "x".into(), i.into()]);
        }
        let s = sizes(small);
        assert_eq!(s.iter().map(|(rows, _)| rows).sum::<usize>(), 25_000);
        assert!(
            s.iter()
                .all(|(rows, v)| *v <= MAX_PARAMETERS && *v == rows * 3),
            "{s:?}"
        );
        let mut large = Table::new("INSERT INTO blobs (sha256, size, content)", 3, "");
        for i in 0..4i64 {
            large.push(vec![
                i.into(),
                i.into(),
                vec![0u8; MAX_BYTES / 3 + 1].as_slice().into(),
            ]);
        }
        // Two files fit under the byte limit, a third does not.
        assert_eq!(
            sizes(large)
                .iter()
                .map(|(rows, _)| *rows)
                .collect::<Vec<_>>(),
            [2, 2]
        );
    }
}
