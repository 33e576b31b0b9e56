//! Sending letters, the mail that belongs to no ticket (a meeting's invitation), from their
//! durable queue: each is composed from its row, handed to the relay, and its outcome
//! recorded, as the outbox's ticket mail is.

use jiff::Timestamp;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use varde_store::letters::Letter;
use varde_store::outbox::Outcome;

use crate::{MailWorker, WorkerError};

impl MailWorker {
    /// Sends the letters that are due; gives how many it handled.
    pub(crate) async fn send_letters(&self, now: Timestamp) -> Result<usize, WorkerError> {
        let letters = self
            .store
            .claim_letters(now, 50, self.claim.as_secs() as i64)
            .await?;
        for l in &letters {
            let outcome = match self.compose_letter(l) {
                Ok((message, message_id)) => match self.transport.send(message).await {
                    Ok(_) => {
                        tracing::info!(letter = l.id, to = %l.letter.recipient, "letter sent");
                        Outcome::Sent {
                            recipients: l.letter.recipient.clone(),
                            message_id,
                        }
                    }
                    Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
                    Err(e) => Outcome::Retry(e.to_string()),
                },
                Err(why) => Outcome::Failed(why),
            };
            crate::tell_unsent(&outcome, &format!("letter {}", l.id));
            self.store.finish_letter(l, outcome, now).await?;
        }
        Ok(letters.len())
    }

    /// The letter as a mail: its text, with the iCalendar request as an alternative part
    /// when it has one (as calendar clients expect an invitation).
    fn compose_letter(&self, l: &Letter) -> Result<(Message, String), String> {
        let sender = match l.letter.sender.as_str() {
            "" => self.config.default_from.as_str(),
            s => s,
        };
        let from: Mailbox = sender
            .parse()
            .map_err(|e| format!("sender {sender}: {e}"))?;
        let to: Mailbox = match l.letter.recipient_name.as_str() {
            "" => l.letter.recipient.parse(),
            name => format!("\"{}\" <{}>", name.replace('"', "'"), l.letter.recipient).parse(),
        }
        .map_err(|e| format!("recipient {}: {e}", l.letter.recipient))?;
        let message_id = format!("varde-letter-{}@{}", l.id, self.config.rtname);
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(l.letter.subject.clone())
            .message_id(Some(format!("<{message_id}>")));
        builder = builder.raw_header(crate::compose::header(
            "Auto-Submitted",
            "auto-generated".into(),
        ));
        let text = SinglePart::plain(l.letter.body.clone());
        let message = if l.letter.calendar.is_empty() {
            builder.singlepart(text)
        } else {
            let calendar = SinglePart::builder()
                .header(
                    ContentType::parse("text/calendar; method=REQUEST; charset=UTF-8")
                        .map_err(|e| e.to_string())?,
                )
                .body(l.letter.calendar.clone());
            builder.multipart(
                MultiPart::alternative()
                    .singlepart(text)
                    .singlepart(calendar),
            )
        }
        .map_err(|e| format!("the mail cannot be built: {e}"))?;
        Ok((message, message_id))
    }
}
