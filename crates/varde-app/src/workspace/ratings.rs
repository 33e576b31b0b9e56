//! Satisfaction: a requestor rates a resolved ticket from the link in the mail that said it
//! was resolved. The link (signed by the front-end's link key for the ticket and the
//! transaction that resolved it) is the credential; a resolution is rated once.

use varde_core::ticket::TicketId;
use varde_core::ticket::history::Change;
use varde_core::ticket::lifecycle::Status;
use varde_core::values::{EmailAddress, Language};
use varde_core::workspace::words::Rating;

use crate::{App, AppError};

/// A resolution that may be rated, as its rating page shows it.
pub struct Resolution {
    pub ticket: TicketId,
    pub subject: String,
    /// The requestor's language.
    pub language: Language,
    /// Rated already: the page thanks instead of asking.
    pub rated: bool,
}

/// How a rating ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rated {
    Recorded,
    /// That resolution was rated before; the first rating stands.
    Already,
}

impl App {
    /// The resolution `transaction` of `ticket` (whose link the front-end has checked).
    pub async fn resolution(
        &self,
        ticket: TicketId,
        transaction: i64,
    ) -> Result<Resolution, AppError> {
        let t = self.store.ticket(ticket).await?.ok_or(AppError::NotFound)?;
        let entry = self
            .store
            .transaction(transaction)
            .await?
            .ok_or(AppError::NotFound)?;
        let resolves = matches!(
            entry.transaction.change,
            Change::Status {
                to: Status::Resolved,
                ..
            }
        );
        if entry.transaction.ticket != ticket || !resolves {
            return Err(AppError::NotFound);
        }
        let language = match t
            .requestors
            .first()
            .and_then(|r| EmailAddress::parse(r).ok())
        {
            Some(a) => match self.store.contact_by_email(&a).await? {
                Some(c) => c.details.language,
                None => Language::English,
            },
            None => Language::English,
        };
        let rated = self
            .store
            .ratings_of_ticket(ticket.0)
            .await?
            .contains(&transaction);
        Ok(Resolution {
            ticket,
            subject: t.subject,
            language,
            rated,
        })
    }

    /// Records the requestor's rating of a resolution, once.
    pub async fn rate_resolution(
        &self,
        ticket: TicketId,
        transaction: i64,
        rating: Rating,
        comment: &str,
    ) -> Result<Rated, AppError> {
        self.resolution(ticket, transaction).await?;
        let t = self.store.ticket(ticket).await?.ok_or(AppError::NotFound)?;
        let comment: String = comment.trim().chars().take(2000).collect();
        let r = varde_store::health::Rating {
            ticket: ticket.0,
            organization: t.organization,
            rating: rating.code().to_string(),
            comment,
            rater: t.requestors.first().cloned().unwrap_or_default(),
            created_at: self.now(),
        };
        Ok(if self.store.add_rating(&r, transaction).await? {
            Rated::Recorded
        } else {
            Rated::Already
        })
    }
}
