//! Tickets on disk: queues, the current-state row of each ticket, its append-only transactions,
//! content-addressed attachments and the full-text index.
//!
//! **Architecture Invariant:** the only ways to change a ticket are [`Store::create_ticket`] and
//! [`Store::change_ticket`] (and `Store::import_rt_batch` for a Request Tracker's history);
//! they append transactions and rewrite the state row from the core's `apply` in one database
//! transaction, so the row always equals `replay(history)`.
//!
//! [`Store::create_ticket`]: crate::Store::create_ticket
//! [`Store::change_ticket`]: crate::Store::change_ticket
//!
//! Here the types; `rows` reads the state row and holds the statements that load, save and
//! append to a ticket inside a transaction, `write` creates and changes tickets, `read`
//! loads tickets, their history and attachments, `queues` keeps queues and their custom
//! fields, and `saved_searches` the searches agents keep.

use varde_core::ticket::history::Transaction;

use crate::StoreError;

mod queues;
mod read;
mod rows;
mod saved_searches;
mod write;

pub use queues::NumberedField;
pub use saved_searches::SavedSearch;

pub(crate) use rows::{
    CUSTOM_FIELDS_OF, LINKS_OF, TICKET_COLUMNS, TicketRow, WATCHERS_OF, append, attach,
    load_ticket, save_ticket,
};
pub(crate) use write::{new_ticket_statements, transaction_values};

/// The largest attachment Varde stores.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queue {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub correspond_address: String,
    pub comment_address: String,
    pub disabled: bool,
}

/// A message body or file to store with a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

impl NewAttachment {
    /// The content type as stored: parsed and normalised, whoever sent it.
    pub fn stored_type(&self) -> String {
        varde_core::content_type::normalise(&self.content_type)
    }

    /// The SHA-256 of the content, hex: the key attachments are stored under, once.
    pub(crate) fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(&self.content))
    }

    /// Adds this attachment's text to what the word search indexes for its transaction, on a
    /// line of its own: plain text only.
    pub(crate) fn index_text(&self, text: &mut String) {
        if self.stored_type().starts_with("text/plain") {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&String::from_utf8_lossy(&self.content));
        }
    }

    pub fn text(body: &str) -> NewAttachment {
        NewAttachment {
            filename: String::new(),
            content_type: "text/plain".into(),
            content: body.as_bytes().to_vec(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub transaction_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// A transaction with its attachments and its text content (the first text/plain attachment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub transaction: Transaction,
    pub attachments: Vec<AttachmentInfo>,
    pub content: String,
}

/// Why a ticket change was refused by the rules (not by the database).
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TicketError {
    fn from(e: sqlx::Error) -> TicketError {
        TicketError::Store(StoreError::Unavailable(Box::new(e)))
    }
}
