//! REST 1.0's other objects as `rt show` and `rt ls` ask for them: queues by name or number
//! (`queue/General`, `queue/1,2`), several tickets at once (`ticket/1,2`, `ticket/1-3`), a
//! ticket's attachments, and `search/queue`. The answers are RT 5.0.3's, compared with the
//! real RT (objects separated by `--`, RT's own words for what does not exist).

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
    let Ok(queues) = state.store.queues().await else {
        return ok("# The database is unavailable; try again.");
    };
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
    let items: Vec<String> = history
        .iter()
        .flat_map(|e| e.attachments.iter())
        .map(|a| {
            let name = if a.filename.is_empty() {
                "(Unnamed)"
            } else {
                &a.filename
            };
            format!("{}: {name} ({} / {}b)", a.id, a.content_type, a.size)
        })
        .collect();
    ok(&format!(
        "id: ticket/{id}/attachments\n\nAttachments: {}",
        items.join(",\n             ")
    ))
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
