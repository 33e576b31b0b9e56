//! REST 1.0's commands beside showing, creating and editing tickets: links, and
//! take / untake / steal.

use super::*;

/// `ticket/<id>/take` with `Action: take | untake | steal` in the content, as the `rt` CLI and
/// python `rt.rest1` send all three; RT answers each with `200 Ok` and its message.
pub(super) async fn take(
    state: &AppState,
    account: &Account,
    actor: &Actor,
    id: Option<TicketId>,
    form: &Form,
) -> String {
    let Some(id) = id else {
        return fmt::response(400, "Bad request", "# Invalid ticket number");
    };
    let fields = content_fields(form);
    let asked = get(&fields, "Action").unwrap_or("take");
    let Some(action) = tickets::OwnerAction::parse(asked) else {
        return ok(&format!("# Invalid action: `{asked}'."));
    };
    let t = match load(state, actor, id, Action::Write).await {
        Ok(t) => t,
        Err(m) => return ok(&m),
    };
    // A refusal is RT's `400 Bad Request` (its form handler's error), so `rt` warns and
    // python `rt.rest1` answers False.
    match tickets::set_own(&state.app, &t, account.email.as_str(), action).await {
        Ok(m) => ok(&format!("# {m}")),
        Err(e) => fmt::response(400, "Bad Request", &format!("# {}", refusal(e))),
    }
}
/// `ticket/link`: a link recorded on both tickets, answered in RT's words.
pub(super) async fn link(
    state: &AppState,
    account: &Account,
    actor: &Actor,
    form: &Form,
) -> String {
    let (Some(from), Some(to)) = (
        form.get("id").and_then(ticket_number),
        form.get("to").and_then(ticket_number),
    ) else {
        return fmt::response(400, "Bad request", "# id and to must be ticket numbers");
    };
    let Some(kind) = form.get("rel").and_then(LinkKind::parse) else {
        return fmt::response(
            400,
            "Bad request",
            "# rel must be one of DependsOn, DependedOnBy, RefersTo, ReferredToBy, MemberOf, HasMember",
        );
    };
    if let Err(m) = load(state, actor, from, Action::Write).await {
        return ok(&m);
    }
    let remove = form.get("del").is_some_and(|d| d == "1");
    match tickets::link(&state.app, from, kind, to, account.email.as_str(), remove).await {
        Ok(()) => ok(&fmt::link_message(from, kind, to, remove)),
        Err(e) => ok(&format!("# {}", refusal(e))),
    }
}

/// `ticket/<id>/links` with a form (python `rt.rest1`'s `edit_ticket_links`): each link kind it
/// names is set to exactly the tickets given (an empty value removes them all), each change
/// recorded on both tickets, as RT's `Forms/ticket/links` does.
pub(super) async fn edit_links(
    state: &AppState,
    account: &Account,
    actor: &Actor,
    id: Option<TicketId>,
    form: &Form,
) -> String {
    let Some(id) = id else {
        return fmt::response(400, "Bad request", "# Invalid ticket number");
    };
    let t = match load(state, actor, id, Action::Write).await {
        Ok(t) => t,
        Err(m) => return ok(&m),
    };
    for (key, value) in content_fields(form) {
        if key.eq_ignore_ascii_case("id") {
            continue;
        }
        let Some(kind) = LinkKind::parse(key.trim()) else {
            return ok(&format!("# Unknown field: {key}"));
        };
        let mut wanted = Vec::new();
        for target in value.split([',', ' ']).filter(|v| !v.trim().is_empty()) {
            let n = target.trim().rsplit('/').next().unwrap_or_default();
            match ticket_number(n) {
                Some(n) => wanted.push(n),
                None => return ok(&format!("# {key}: '{target}' is not a ticket")),
            }
        }
        let have: Vec<TicketId> = t
            .links
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, to)| *to)
            .collect();
        let changes = wanted
            .iter()
            .filter(|n| !have.contains(n))
            .map(|n| (*n, false))
            .chain(
                have.iter()
                    .filter(|n| !wanted.contains(n))
                    .map(|n| (*n, true)),
            );
        for (to, remove) in changes.collect::<Vec<_>>() {
            if let Err(e) =
                tickets::link(&state.app, id, kind, to, account.email.as_str(), remove).await
            {
                return ok(&format!("# {}", refusal(e)));
            }
        }
    }
    ok(&format!("# Links for ticket {id} updated."))
}
