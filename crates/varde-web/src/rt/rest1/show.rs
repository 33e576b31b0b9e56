//! `show`: one object or several (`show?id=ticket/1&id=ticket/2`, `ticket/1,2`), a ticket in
//! RT's long form, its history (short, or long with a field list), its links and attachments.

use super::*;

pub(super) async fn show_many(state: &AppState, actor: &Actor, form: &Form) -> String {
    let format = form.get("format").unwrap_or("l");
    let fields = form.get("fields").map(|f| {
        f.split(',')
            .map(|x| x.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
    });
    let ids = form.all("id");
    if ids.is_empty() {
        return ok("# Invalid object specification: ''\n\nid: ");
    }
    let mut out = String::new();
    for id in ids {
        // A history with a field list is shown long, each transaction with its id and the
        // fields asked for, as RT does.
        let format = if fields.is_some() && id.contains("/history") {
            "l"
        } else if id.ends_with("customfields") || id.trim().starts_with("user/") {
            // RT's user and custom-field forms are short unless asked otherwise.
            form.get("format").unwrap_or("s")
        } else {
            format
        };
        let shown = show_one(state, actor, id, format).await;
        out.push_str(&match &fields {
            Some(f) if id.contains("/history") => only_fields(&shown, f),
            Some(f) => in_asked_order(&only_fields(&shown, f), f),
            None => shown,
        });
    }
    out
}

/// Keeps the status line, comments, separators and the `Key: value` lines whose key is asked
/// for (`id` always), each with its continuation lines (indented: a message's text, a list of
/// attachments) only when its key is kept.
fn only_fields(shown: &str, fields: &[String]) -> String {
    let mut keep = true;
    shown
        .lines()
        .filter(|l| {
            if l.starts_with([' ', '\t']) {
                return keep;
            }
            match l.split_once(':') {
                Some((k, _)) if !l.starts_with("RT/") && !l.starts_with('#') => {
                    let k = k.trim().to_ascii_lowercase();
                    keep = k == "id" || fields.contains(&k);
                    keep
                }
                _ => {
                    keep = true;
                    true
                }
            }
        })
        .fold(Vec::<&str>::new(), |mut kept, l| {
            // What was left out leaves no runs of blank lines behind.
            if !(l.is_empty() && kept.last().is_some_and(|p| p.is_empty())) {
                kept.push(l);
            }
            kept
        })
        .join("\n")
        + "\n"
}

/// The fields of each object in the order they were asked for, `id` first unless asked
/// elsewhere, as RT's REST 1.0 dhandler orders them (`@$o = map { $lk{$_} } @fields`); a
/// field's continuation lines move with it.
fn in_asked_order(shown: &str, fields: &[String]) -> String {
    let rank = |key: &str| {
        let key = key.trim().to_ascii_lowercase();
        match fields.iter().position(|f| *f == key) {
            Some(i) => i + 1,
            None if key == "id" => 0,
            None => fields.len() + 1,
        }
    };
    // Runs of `Key: value` lines (each with its continuation lines), between other lines.
    fn flush<'a>(run: &mut Vec<(usize, Vec<&'a str>)>, out: &mut Vec<&'a str>) {
        run.sort_by_key(|(r, _)| *r);
        out.extend(run.drain(..).flat_map(|(_, lines)| lines));
    }
    let mut out: Vec<&str> = vec![];
    let mut run: Vec<(usize, Vec<&str>)> = vec![];
    for l in shown.lines() {
        let key = l
            .split_once(':')
            .filter(|_| !l.starts_with(['#', ' ', '\t']) && !l.starts_with("RT/"))
            .map(|(k, _)| k);
        match (key, run.last_mut()) {
            (Some(k), _) => run.push((rank(k), vec![l])),
            (None, Some((_, lines))) if l.starts_with([' ', '\t']) => lines.push(l),
            (None, _) => {
                flush(&mut run, &mut out);
                out.push(l);
            }
        }
    }
    flush(&mut run, &mut out);
    out.join("\n") + "\n"
}

pub(super) async fn show_one(state: &AppState, actor: &Actor, spec: &str, format: &str) -> String {
    let spec = spec.trim();
    if spec == "ticket/new" {
        return ok(&format!(
            "# Required: id, Queue\n\n{}",
            fmt::new_ticket_template("General", "")
        ));
    }
    if spec == "queue/new" {
        return ok(varde_rt::records::QUEUE_TEMPLATE);
    }
    if let Some((key, kind)) = spec.strip_prefix("queue/").and_then(|k| k.split_once('/')) {
        let tickets = kind == "ticketcustomfields";
        let empty = Form {
            fields: vec![("format".into(), format.into())],
            files: vec![],
        };
        return records::custom_fields(state, actor, key, tickets, &empty).await;
    }
    if let Some(keys) = spec.strip_prefix("queue/") {
        return objects::show_queues(state, keys).await;
    }
    if let Some(key) = spec.strip_prefix("user/") {
        return records::show_user(state, actor, key, format).await;
    }
    let parts: Vec<&str> = spec.split('/').collect();
    if let (Some(list), None) = (
        parts.get(1).and_then(|p| objects::ticket_list(p)),
        parts.get(2),
    ) {
        let mut answers = Vec::with_capacity(list.len());
        for n in list {
            answers.push(Box::pin(show_one(state, actor, &format!("ticket/{n}"), format)).await);
        }
        return objects::joined(&answers);
    }
    let Some(id) = parts
        .get(1)
        .and_then(|p| p.parse::<i64>().ok())
        .map(TicketId)
    else {
        return ok(&format!("# Invalid object specification: '{spec}'"));
    };
    let t = match load(state, actor, id, Action::Read).await {
        Ok(t) => t,
        Err(m) => return ok(&m),
    };
    match parts.get(2).copied() {
        None => {
            // `Due` shows the SLA's next deadline, as RT's SLA sets it.
            let mut shown = t.clone();
            shown.due = crate::tickets::due(&state.app, &t).await;
            ok(&fmt::show_ticket(&shown))
        }
        Some("history") => {
            let history = match state.store.history(t.id).await {
                Ok(h) => h,
                Err(_) => return ok("# The database is unavailable; try again."),
            };
            let only: Option<i64> = if parts.get(3) == Some(&"id") {
                parts.get(4).and_then(|x| x.parse().ok())
            } else {
                None
            };
            let total = history.len();
            let entries: Vec<_> = history
                .iter()
                .enumerate()
                .filter(|(_, e)| only.is_none_or(|x| x == e.transaction.id))
                .collect();
            let named = crate::rt::named(state, entries.iter().map(|(_, e)| &e.transaction)).await;
            if format == "s" && only.is_none() {
                let lines: Vec<String> = entries
                    .iter()
                    .map(|(_, e)| {
                        let (.., description) = crate::rt::rt_columns(&e.transaction, &named);
                        format!("{}: {description}", e.transaction.id)
                    })
                    .collect();
                return ok(&format!(
                    "# {}/{} (/total)\n\n{}",
                    total,
                    total,
                    lines.join("\n")
                ));
            }
            let sizes = objects::sizes(
                state,
                entries.iter().flat_map(|(_, e)| e.attachments.iter()),
            )
            .await;
            let blocks: Vec<String> = entries
                .iter()
                .map(|(i, e)| {
                    let tx = &e.transaction;
                    let (field, old, new, description) = crate::rt::rt_columns(tx, &named);
                    let atts: Vec<String> = e.attachments.iter().map(|a| format!("             {}: {} ({})", a.id, if a.filename.is_empty() { "untitled" } else { &a.filename }, sizes[&a.id])).collect();
                    format!(
                        "# {}/{} (id/{}/total)\n\nid: {}\nTicket: {}\nTimeTaken: {}\nType: {}\nField: {field}\nOldValue: {old}\nNewValue: {new}\nData: \nDescription: {}\n\n{}\n\nCreator: {}\nCreated: {}\n\nAttachments: \n{}",
                        i + 1,
                        total,
                        tx.id,
                        tx.id,
                        tx.ticket,
                        tx.time_taken,
                        tx.change.rt_type(&tx.creator),
                        description,
                        // RT's Transaction::Content when it has no text part
                        fmt::indented(
                            "Content",
                            if e.content.is_empty() {
                                "This transaction appears to have no content"
                            } else {
                                &e.content
                            }
                        ),
                        tx.creator,
                        fmt::history_date(tx.at),
                        atts.join("\n")
                    )
                })
                .collect();
            ok(&blocks.join("\n\n--\n\n"))
        }
        Some("links") => ok(&fmt::show_links(&t, &state.rtname)),
        Some("attachments") => match parts.get(3).map(|n| n.parse::<i64>()) {
            None => objects::attachments(state, actor, t.id).await,
            Some(Ok(n)) => objects::attachment(state, actor, t.id, n).await,
            Some(Err(_)) => ok(&format!("# Invalid object specification: '{spec}'")),
        },
        Some(other) => ok(&format!("# Unknown object specification: '{other}'")),
    }
}
