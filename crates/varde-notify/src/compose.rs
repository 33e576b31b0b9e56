//! Composing a notification mail from a ticket and one of its transactions.

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use varde_core::mail_template::{MailTemplate, Values};
use varde_core::values::Language;
use varde_core::workspace::words::{Rating, resolved_words};
use varde_store::Store;
use varde_store::outbox::{Item, Kind};

use crate::MailConfig;

pub enum ComposeError {
    Store(varde_store::StoreError),
    /// The mail can never be built (a bad address in the configuration, say).
    Bad(String),
}

impl From<varde_store::StoreError> for ComposeError {
    fn from(e: varde_store::StoreError) -> Self {
        ComposeError::Store(e)
    }
}

/// A mail ready to send.
pub struct Composed {
    pub message: Message,
    pub message_id: String,
    pub recipients: String,
    pub text: String,
}

/// The autoreply's text as Varde ships it, in a language (the template an administrator
/// has not changed).
pub fn autoreply_text(language: Language, subject: &str, tag: &str, queue: &str) -> String {
    MailTemplate::autoreply(language)
        .render(&Values {
            subject,
            tag,
            ticket: 0,
            queue,
        })
        .1
}

pub(crate) fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// The language the ticket's first requestor reads (`varde_app::tickets::requestor_of`).
async fn requestor_language(
    store: &Store,
    ticket: &varde_core::ticket::Ticket,
) -> Result<Language, ComposeError> {
    Ok(varde_app::tickets::requestor_of(store, ticket)
        .await?
        .language)
}

/// The resolved mail's text: the ticket is resolved, the three rating links (signed for
/// this resolution), and how to reopen it.
fn resolved_text(
    config: &MailConfig,
    ticket: &varde_core::ticket::Ticket,
    transaction: i64,
    tag: &str,
    language: Language,
) -> String {
    let w = resolved_words(language);
    let mut text = w
        .opening
        .replace("{tag}", tag)
        .replace("{subject}", &ticket.subject);
    if !config.url.is_empty() && !config.link_key.is_empty() {
        text.push_str(&format!("\n\n{}\n", w.ask));
        for r in Rating::ALL {
            let url = crate::links::rating_url(
                &config.url,
                &config.link_key,
                ticket.id.0,
                transaction,
                r.code(),
            );
            text.push_str(&format!("  {}: {url}\n", r.word(language)));
        }
    }
    text.push_str(&format!("\n{}\n", w.not_solved));
    text
}

/// Builds the mail for a notification, or none when nobody should get it.
pub async fn compose(
    store: &Store,
    config: &MailConfig,
    item: &Item,
) -> Result<Option<Composed>, ComposeError> {
    let Some(ticket) = store.ticket(item.ticket).await? else {
        return Err(ComposeError::Bad(format!("ticket {} is gone", item.ticket)));
    };
    let Some(entry) = store.transaction(item.transaction).await? else {
        return Err(ComposeError::Bad(format!(
            "transaction {} is gone",
            item.transaction
        )));
    };
    let author = entry.transaction.creator.to_lowercase();
    let mut to: Vec<String> = ticket.requestors.clone();
    let mut cc: Vec<String> = if item.kind == Kind::Correspondence {
        ticket.cc.clone()
    } else {
        vec![]
    };
    // Nobody gets their own message back, and undeliverable placeholders are left out.
    let keep = |a: &String| item.kind == Kind::AutoReply || a.to_lowercase() != author;
    to.retain(|a| keep(a) && !a.ends_with("@invalid"));
    cc.retain(|a| {
        keep(a) && !a.ends_with("@invalid") && !to.iter().any(|t| t.eq_ignore_ascii_case(a))
    });
    if to.is_empty() && cc.is_empty() {
        return Ok(None);
    }
    let queue = store.queue(&ticket.queue).await?;
    let from_address = queue
        .as_ref()
        .map(|q| q.correspond_address.clone())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| config.default_from.clone());
    let queue_name = queue
        .as_ref()
        .map(|q| q.name.clone())
        .unwrap_or_else(|| ticket.queue.clone());
    let from: Mailbox = format!("{queue_name} via Varde <{from_address}>")
        .parse()
        .map_err(|e| ComposeError::Bad(format!("sender {from_address}: {e}")))?;
    let tag = format!("[{} #{}]", config.rtname, ticket.effective_id);
    let subject = if ticket.subject.contains(&tag) {
        ticket.subject.clone()
    } else {
        format!("{tag} {}", ticket.subject)
    };
    let (subject, text) = match item.kind {
        Kind::AutoReply => {
            let language = requestor_language(store, &ticket).await?;
            // The administrator's template for the language, else the shipped one.
            let template = match store.mail_template("autoreply", language).await? {
                Some(saved) => saved.template,
                None => MailTemplate::autoreply(language),
            };
            template.render(&Values {
                subject: &ticket.subject,
                tag: &tag,
                ticket: ticket.effective_id.0,
                queue: &queue_name,
            })
        }
        Kind::Resolved => {
            let language = requestor_language(store, &ticket).await?;
            let w = resolved_words(language);
            let text = resolved_text(config, &ticket, item.transaction, &tag, language);
            (format!("{} {subject}", w.resolved), text)
        }
        Kind::Correspondence => (subject, entry.content.clone()),
    };
    let message_id = format!("varde-{}-{}@{}", item.id, ticket.id, config.rtname);
    let (in_reply_to, references) = store.thread_message_ids(ticket.id).await?;
    let mut builder = Message::builder()
        .from(from)
        .subject(subject)
        .message_id(Some(format!("<{message_id}>")));
    let mut recipients = Vec::new();
    for a in &to {
        match a.parse::<Mailbox>() {
            Ok(m) => {
                builder = builder.to(m);
                recipients.push(a.clone());
            }
            Err(e) => {
                tracing::warn!(address = %a, error = %e, "requestor address cannot be mailed")
            }
        }
    }
    for a in &cc {
        if let Ok(m) = a.parse::<Mailbox>() {
            builder = builder.cc(m);
            recipients.push(a.clone());
        }
    }
    if recipients.is_empty() {
        return Ok(None);
    }
    if let Some(r) = in_reply_to {
        builder = builder.in_reply_to(format!("<{r}>"));
    }
    if !references.is_empty() {
        builder = builder.references(
            references
                .iter()
                .map(|r| format!("<{r}>"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    builder = builder
        .raw_header(header("X-Varde-Loop", config.rtname.clone()))
        .raw_header(header("X-RT-Loop-Prevention", config.rtname.clone()))
        .raw_header(header(
            "X-RT-Ticket",
            format!("{} #{}", config.rtname, ticket.effective_id),
        ));
    if item.kind == Kind::AutoReply {
        builder = builder
            .raw_header(header("Auto-Submitted", "auto-replied".into()))
            .raw_header(header("Precedence", "bulk".into()));
    }
    if item.kind == Kind::Resolved {
        builder = builder.raw_header(header("Auto-Submitted", "auto-generated".into()));
    }
    let files: Vec<_> = entry
        .attachments
        .iter()
        .filter(|a| !a.filename.is_empty())
        .cloned()
        .collect();
    let message = if item.kind == Kind::Correspondence && !files.is_empty() {
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text.clone()));
        for f in files {
            let content = store.attachment_content(f.id).await?.unwrap_or_default();
            let ctype = ContentType::parse(&f.content_type).unwrap_or(
                ContentType::parse("application/octet-stream")
                    .map_err(|e| ComposeError::Bad(e.to_string()))?,
            );
            parts = parts.singlepart(Attachment::new(f.filename.clone()).body(content, ctype));
        }
        builder.multipart(parts)
    } else {
        builder.singlepart(SinglePart::plain(text.clone()))
    }
    .map_err(|e| ComposeError::Bad(format!("the mail cannot be built: {e}")))?;
    Ok(Some(Composed {
        message,
        message_id,
        recipients: recipients.join(", "),
        text,
    }))
}
