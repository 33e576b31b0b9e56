//! REST 1.0's other objects as `rt show` and `rt ls` ask for them: queues by name or number
//! (`queue/General`, `queue/1,2`), several tickets at once (`ticket/1,2`, `ticket/1-3`), a
//! ticket's attachments, and `search/queue`. The answers are RT 5.0.3's, compared with the
//! real RT (objects separated by `--`, RT's own words for what does not exist).

use std::collections::HashMap;

use varde_store::tickets::AttachmentInfo;

use super::*;

/// The most objects one `show` names (`ticket/1-100000` is refused rather than read).
const MAX_OBJECTS: usize = 500;

/// An answer's payload: what follows RT's status line.
fn payload(answer: &str) -> &str {
    answer
        .split_once("\n\n")
        .map_or("", |(_, p)| p)
        .trim_end_matches('\n')
}

/// Several objects' answers as RT joins them: each object's lines, `--` between them.
pub(super) fn joined(answers: &[String]) -> String {
    let parts: Vec<&str> = answers.iter().map(|a| payload(a)).collect();
    ok(&parts.join("\n\n--\n\n"))
}

/// The numbers a list of tickets names (`1,2`, `3-5`), or `None` when `ids` is one number
/// or no list at all.
pub(super) fn ticket_list(ids: &str) -> Option<Vec<i64>> {
    if !ids.contains([',', '-']) {
        return None;
    }
    let mut out = Vec::new();
    for part in ids.split(',').map(str::trim) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (i64, i64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || (b - a) as usize >= MAX_OBJECTS {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
        if out.len() > MAX_OBJECTS {
            return None;
        }
    }
    Some(out)
}

fn queue_lines(q: &varde_store::tickets::Queue) -> String {
    // Every Varde queue is held to the support tiers' SLA policies.
    format!(
        "id: queue/{}\nName: {}\nDescription: {}\nCorrespondAddress: {}\nCommentAddress: {}\nDisabled: {}\nSLADisabled: 0",
        q.id,
        q.name,
        q.description,
        q.correspond_address,
        q.comment_address,
        u8::from(q.disabled)
    )
}

/// `queue/<name or number>[,…]`.
pub(super) async fn show_queues(state: &AppState, keys: &str) -> String {
    let mut answers = Vec::new();
    for key in keys.split(',').map(str::trim).take(MAX_OBJECTS) {
        answers.push(match state.store.queue(key).await {
            Ok(Some(q)) => ok(&queue_lines(&q)),
            Ok(None) => ok(&format!(
                "# No queue named {key} exists.\n\nid: queue/{key}"
            )),
            Err(_) => return ok("# The database is unavailable; try again."),
        });
    }
    joined(&answers)
}

/// `search/queue`: every queue, `n: Name` a line (`format=s`, the default) or shown whole
/// (`format=l`).
pub(super) async fn search_queues(state: &AppState, form: &Form) -> String {
    let Ok(mut queues) = state.store.queues().await else {
        return ok("# The database is unavailable; try again.");
    };
    // RT lists the enabled queues.
    queues.retain(|q| !q.disabled);
    if form.get("format") == Some("l") {
        let shown: Vec<String> = queues.iter().map(|q| ok(&queue_lines(q))).collect();
        return joined(&shown);
    }
    let lines: Vec<String> = queues
        .iter()
        .map(|q| format!("{}: {}", q.id, q.name))
        .collect();
    ok(&lines.join("\n"))
}

/// `ticket/<id>/attachments`: each attachment of the ticket's history with its name, type and
/// size, as RT lists them.
pub(super) async fn attachments(state: &AppState, actor: &Actor, id: TicketId) -> String {
    let history = match state.app.ticket_history(actor, id).await {
        Ok((_, h)) => h,
        Err(AppError::NotFound | AppError::Forbidden) => {
            return ok(&format!("# Ticket {id} does not exist."));
        }
        Err(_) => return ok("# The database is unavailable; try again."),
    };
    let all: Vec<&AttachmentInfo> = history.iter().flat_map(|e| e.attachments.iter()).collect();
    let shown = sizes(state, all.iter().copied()).await;
    let items: Vec<String> = all
        .iter()
        .map(|a| {
            let name = if a.filename.is_empty() {
                "(Unnamed)"
            } else {
                &a.filename
            };
            format!("{}: {name} ({} / {})", a.id, a.content_type, shown[&a.id])
        })
        .collect();
    ok(&format!(
        "id: ticket/{id}/attachments\n\nAttachments: {}",
        items.join(",\n             ")
    ))
}

/// Attachments' sizes as RT's REST 1.0 lists them (`30b`, `1.4k`): a text part's in
/// characters, so its content is read.
pub(super) async fn sizes<'a>(
    state: &AppState,
    attachments: impl Iterator<Item = &'a AttachmentInfo>,
) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    for a in attachments {
        let text = a.content_type.to_ascii_lowercase().starts_with("text/");
        let size = match text {
            true => match state.store.attachment_content(a.id).await {
                Ok(Some(content)) => fmt::attachment_size(&a.content_type, &content),
                _ => fmt::size_text(a.size.max(0) as usize),
            },
            false => fmt::size_text(a.size.max(0) as usize),
        };
        out.insert(a.id, size);
    }
    out
}

/// Whether REST 1.0's ticket form (RT's `Forms/ticket/default`) knows a field: its own names,
/// custom fields (`CF.{Name}`, `CF-Name`) and link kinds; not REST2's singular `Requestor`.
pub(super) fn ticket_form_field(key: &str) -> bool {
    const KNOWN: &[&str] = &[
        "queue",
        "owner",
        "creator",
        "subject",
        "status",
        "priority",
        "initialpriority",
        "finalpriority",
        "requestors",
        "cc",
        "admincc",
        "created",
        "starts",
        "started",
        "due",
        "resolved",
        "told",
        "lastupdated",
        "timeestimated",
        "timeworked",
        "timeleft",
        "text",
        "content",
        "contenttype",
        "action",
    ];
    let k = key.trim().to_ascii_lowercase();
    KNOWN.contains(&k.as_str())
        || k.starts_with("cf.")
        || k.starts_with("cf-")
        || k.starts_with("customfield")
        || LinkKind::parse(key.trim()).is_some()
}

/// An attachment of a ticket the actor reads, with the transaction it came with and its bytes.
async fn find_attachment(
    state: &AppState,
    actor: &Actor,
    id: TicketId,
    attachment: i64,
) -> Result<
    (
        varde_core::ticket::history::Transaction,
        varde_store::tickets::AttachmentInfo,
        Vec<u8>,
    ),
    String,
> {
    let history = match state.app.ticket_history(actor, id).await {
        Ok((_, h)) => h,
        Err(AppError::NotFound | AppError::Forbidden) => {
            return Err(format!("# Ticket {id} does not exist."));
        }
        Err(_) => return Err("# The database is unavailable; try again.".into()),
    };
    let Some((tx, info)) = history.into_iter().find_map(|e| {
        let info = e.attachments.into_iter().find(|a| a.id == attachment)?;
        Some((e.transaction, info))
    }) else {
        return Err(format!("# Invalid attachment id: {attachment}"));
    };
    match state.store.attachment_content(attachment).await {
        Ok(content) => Ok((tx, info, content.unwrap_or_default())),
        Err(_) => Err("# The database is unavailable; try again.".into()),
    }
}

/// `ticket/<id>/attachments/<n>`: the attachment's form, its text content shown as RT shows
/// it (a file that is not text is fetched with `…/content`).
pub(super) async fn attachment(state: &AppState, actor: &Actor, id: TicketId, n: i64) -> String {
    let (tx, info, content) = match find_attachment(state, actor, id, n).await {
        Ok(found) => found,
        Err(m) => return ok(&m),
    };
    let text = if info.content_type.starts_with("text/") {
        String::from_utf8_lossy(&content).into_owned()
    } else {
        String::new()
    };
    ok(&format!(
        "id: {n}\nSubject: \nCreator: {}\nCreated: {}\nTransaction: {}\nParent: 0\nMessageId: \nFilename: {}\nContentType: {}\nContentEncoding: none\n\nHeaders: Content-Type: {}\n\n{}",
        tx.creator,
        fmt::history_date(tx.at),
        tx.id,
        info.filename,
        info.content_type,
        info.content_type,
        fmt::indented("Content", &text)
    ))
}

/// `ticket/<id>/attachments/<n>/content`: the file's bytes after RT's status line. Only the
/// types safe to show (plain text, images) go out as themselves; anything else, HTML above
/// all, as `application/octet-stream`, so no customer's page runs in Varde's origin.
pub(super) async fn attachment_content(
    state: &AppState,
    actor: &Actor,
    id: TicketId,
    n: i64,
) -> Response {
    let (_, info, content) = match find_attachment(state, actor, id, n).await {
        Ok(found) => found,
        Err(m) => return text(ok(&m)),
    };
    let ctype = if varde_core::content_type::inline_safe(&info.content_type) {
        varde_core::content_type::normalise(&info.content_type)
    } else {
        varde_core::content_type::OCTET_STREAM.into()
    };
    let mut body = fmt::response(200, "Ok", "").into_bytes();
    body.extend_from_slice(&content);
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        ],
        body,
    )
        .into_response()
}

/// The attachment a path names for its content (`ticket/6/attachments/13/content`), if so.
pub(super) fn content_path(path: &str) -> Option<(TicketId, i64)> {
    match path
        .trim_matches('/')
        .split('/')
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["ticket", id, "attachments", n, "content"] => Some((ticket_number(id)?, n.parse().ok()?)),
        _ => None,
    }
}

/// `search/ticket` with a field list, as `rt ls -f` and `rt ls` ask: the tickets' fields in
/// RT's order (`id` first), as a tab-separated table with a header (`format=s`) or each ticket
/// shown with only those fields (`format=l`).
pub(super) async fn search_fields(
    state: &AppState,
    ids: &[TicketId],
    format: &str,
    fields: &[String],
) -> String {
    let Ok(mut tickets) = state.store.tickets(ids).await else {
        return ok("# The database is unavailable; try again.");
    };
    // `Due` as `show` gives it: the SLA's next deadline unless set by hand.
    let mut due = crate::tickets::due_of(&state.app, &tickets).await;
    for t in tickets.iter_mut() {
        t.due = due.remove(&t.id);
    }
    let wanted = |key: &str| key == "id" || fields.iter().any(|f| f.eq_ignore_ascii_case(key));
    let rows: Vec<Vec<(String, String)>> = tickets
        .iter()
        .map(|t| {
            fmt::show_ticket(t)
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| wanted(k))
                .collect()
        })
        .collect();
    if format == "l" {
        let shown: Vec<String> = rows
            .iter()
            .map(|r| {
                let lines: Vec<String> = r.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                ok(&lines.join("\n"))
            })
            .collect();
        return joined(&shown);
    }
    let header: Vec<&str> = rows
        .first()
        .map(|r| r.iter().map(|(k, _)| k.as_str()).collect())
        .unwrap_or_default();
    let mut lines = vec![header.join("\t")];
    for r in &rows {
        let values: Vec<&str> = r
            .iter()
            .map(|(k, v)| {
                if k == "id" {
                    v.trim_start_matches("ticket/")
                } else {
                    v.as_str()
                }
            })
            .collect();
        lines.push(values.join("\t"));
    }
    ok(&lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::ticket_list;

    #[test]
    fn ticket_lists_as_the_cli_sends_them() {
        assert_eq!(ticket_list("1,2"), Some(vec![1, 2]));
        assert_eq!(ticket_list("3-5,9"), Some(vec![3, 4, 5, 9]));
        assert_eq!(ticket_list("7"), None);
        assert_eq!(ticket_list("1-100000"), None, "bounded");
        assert_eq!(ticket_list("5-3"), None);
        assert_eq!(ticket_list("1,x"), None);
    }
}
