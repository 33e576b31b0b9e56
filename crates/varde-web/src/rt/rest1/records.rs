//! REST 1.0's users and queues: `user/<id>` and `user/new`, `queue/new`, their edit forms
//! (`rt create -t user|queue`, `rt edit user/…|queue/…`, python `rt.rest1`'s `create_user`,
//! `edit_user`, `create_queue`, `edit_queue`), and a queue's `ticketcustomfields` and
//! `customfields`. The answers are RT 5.0.3's `Forms/user/default`, `Forms/queue/default`
//! and `Forms/queue/ticketcustomfields`, compared with the real RT.

use varde_app::Acting;
use varde_rt::records::{
    self as rec, NotTaken, QUEUE_FIELDS, ShownUser, USER_FIELDS, USER_TEMPLATE,
};

use super::*;
use crate::rt::records::{self as write, MadeUser, rt_name};

fn unavailable() -> String {
    ok("# The database is unavailable; try again.")
}

/// `user/<id>` (a number, an address or a login name). Account details only for whom `can`
/// lets read accounts, or for one's own; anyone else working tickets sees an address as RT
/// shows any requestor's, whether or not it has an account (as REST2's `/user`).
pub(super) async fn show_user(state: &AppState, actor: &Actor, key: &str, format: &str) -> String {
    if key == "new" {
        return ok(USER_TEMPLATE);
    }
    let long = format == "l";
    match state.app.account_named(actor, key).await {
        Ok(a) => ok(&rec::show_user(
            &ShownUser {
                id: a.id.to_string(),
                name: rt_name(&a),
                email: a.email.to_string(),
                real_name: a.name.clone(),
                privileged: a.role != varde_core::access::Role::Customer,
                disabled: a.disabled,
            },
            long,
        )),
        Err(AppError::NotFound) if key.contains('@') => ok(&rec::show_user(
            &ShownUser {
                id: key.into(),
                name: key.into(),
                email: key.into(),
                real_name: String::new(),
                privileged: false,
                disabled: false,
            },
            long,
        )),
        // RT's words: its form's for a number, its dispatcher's for a name.
        Err(AppError::NotFound) if key.parse::<i64>().is_ok() => {
            ok(&format!("# User {key} does not exist."))
        }
        Err(AppError::NotFound) => ok(&format!("# No user named {key} exists.\n\nid: user/{key}")),
        Err(_) => unavailable(),
    }
}

/// RT's answer to an edit form: `409 Syntax Error` with the form again when a field was
/// not taken, else `200 Ok`.
fn answer(
    said: &[String],
    problems: &[NotTaken],
    fields: &[&str],
    id: &str,
    sent: &Fields,
) -> String {
    let mut comments: Vec<String> = problems
        .iter()
        .map(|p| format!("# {}: {}", p.field, p.why))
        .collect();
    comments.extend(said.iter().cloned());
    if problems.is_empty() {
        return ok(&comments.join("\n"));
    }
    fmt::response(
        409,
        "Syntax Error",
        &format!(
            "{}\n\n{}",
            comments.join("\n"),
            rec::form_again(fields, id, sent)
        ),
    )
}

fn refused(message: &str) -> String {
    fmt::response(400, "Bad Request", message)
}

/// A reason a use case gave, as a problem with the field it names.
fn problem_of(e: AppError) -> Result<NotTaken, String> {
    match e {
        AppError::Invalid(f) | AppError::Conflict(f) => {
            let (field, why) = f.iter().next().unwrap_or(("id", "refused"));
            Ok(NotTaken {
                field: field.to_lowercase(),
                why: why.to_string(),
            })
        }
        AppError::Refused(m) => Ok(NotTaken {
            field: "id".into(),
            why: m,
        }),
        AppError::Forbidden | AppError::NotFound => Err(refused("# Permission denied.")),
        _ => Err(unavailable()),
    }
}

/// `edit` with `id: user/new` or `id: user/<id>`.
pub(super) async fn edit_user(
    state: &AppState,
    by: &Acting,
    via: &crate::rt::Via,
    key: &str,
    sent: &Fields,
) -> String {
    let (edit, mut problems) = rec::user_edit(sent);
    let id = format!("user/{key}");
    if key == "new" {
        return match write::create_user(state, by, &edit).await {
            Ok(made) => {
                let n = match made {
                    MadeUser::Account(a) => a.id.to_string(),
                    MadeUser::Requestor(e) => e.to_string(),
                };
                answer(
                    &[format!("# User {n} created.")],
                    &problems,
                    &USER_FIELDS,
                    &id,
                    sent,
                )
            }
            Err(e) => match problem_of(e) {
                Ok(p) => refused(&format!(
                    "# Could not create user.\n# {}: {}",
                    p.field, p.why
                )),
                Err(r) => r,
            },
        };
    }
    let account = match state.app.account_named(&by.actor, key).await {
        Ok(a) => a,
        Err(AppError::NotFound) => return refused(&format!("# User {key} does not exist.")),
        Err(_) => return unavailable(),
    };
    if let Err(e) = write::change_user(state, by, via, &account, &edit).await {
        match problem_of(e) {
            Ok(p) => problems.push(p),
            Err(r) => return r,
        }
    }
    let said = [format!("# User {key} updated.")];
    answer(&said, &problems, &USER_FIELDS, &id, sent)
}

/// `edit` with `id: queue/new` or `id: queue/<name or number>`.
pub(super) async fn edit_queue(state: &AppState, by: &Acting, key: &str, sent: &Fields) -> String {
    let (edit, mut problems) = rec::queue_edit(sent);
    let id = format!("queue/{key}");
    if key == "new" {
        if edit.name.as_deref() == Some("<queue name>") {
            return fmt::response(
                409,
                "Syntax Error",
                &format!(
                    "# Please set the queue name.\n\n{}",
                    rec::form_again(&QUEUE_FIELDS, &id, sent)
                ),
            );
        }
        return match write::create_queue(state, by, &edit).await {
            Ok(q) => answer(
                &[format!("# Queue {} created.", q.id)],
                &problems,
                &QUEUE_FIELDS,
                &id,
                sent,
            ),
            Err(e) => match problem_of(e) {
                Ok(p) => refused(&format!(
                    "# Could not create queue.\n# {}: {}",
                    p.field, p.why
                )),
                Err(r) => r,
            },
        };
    }
    let queue = match state.app.queue(&by.actor, key).await {
        Ok(q) => q.queue,
        Err(AppError::NotFound) => return refused(&format!("# Queue {key} does not exist.")),
        Err(_) => return unavailable(),
    };
    if let Err(e) = write::change_queue(state, by, &queue, &edit).await {
        match problem_of(e) {
            Ok(p) => problems.push(p),
            Err(r) => return r,
        }
    }
    let said = [format!("# Queue {key} updated.")];
    answer(&said, &problems, &QUEUE_FIELDS, &id, sent)
}

/// `queue/<id>/ticketcustomfields` (the fields its tickets may carry) and
/// `queue/<id>/customfields` (fields of the queue itself: Varde has none), read only: RT
/// refuses to change definitions here, and so does Varde (an administrator sets them in the
/// console or through `/api/v1`).
pub(super) async fn custom_fields(
    state: &AppState,
    actor: &Actor,
    key: &str,
    tickets: bool,
    form: &Form,
) -> String {
    if form.get("content").is_some_and(|c| !c.trim().is_empty()) {
        return refused("Cannot modify Queue CF definitions via REST");
    }
    let queue = match state.app.queue(actor, key).await {
        Ok(q) => q,
        Err(AppError::NotFound) if key.parse::<i64>().is_ok() => {
            return ok(&format!("# Queue {key} does not exist."));
        }
        Err(AppError::NotFound) => {
            let kind = if tickets {
                "ticketcustomfields"
            } else {
                "customfields"
            };
            return ok(&format!(
                "# No queue named {key} exists.\n\nid: queue/{key}/{kind}"
            ));
        }
        Err(_) => return unavailable(),
    };
    let fields: Vec<(String, bool)> = if tickets {
        queue
            .custom_fields
            .iter()
            .map(|d| (d.name.clone(), !d.allowed.is_empty()))
            .collect()
    } else {
        Vec::new()
    };
    ok(&rec::ticket_custom_fields(
        queue.queue.id,
        &fields,
        form.get("format") == Some("l"),
    ))
}

/// The user fields RT's `search/user` may name, and how Varde answers each.
const SEARCHED_USER_FIELDS: [&str; 5] = ["id", "Name", "EmailAddress", "RealName", "Privileged"];

fn shown(a: &varde_core::account::Account) -> ShownUser {
    ShownUser {
        id: a.id.to_string(),
        name: rt_name(a),
        email: a.email.to_string(),
        real_name: a.name.clone(),
        privileged: a.role != varde_core::access::Role::Customer,
        disabled: a.disabled,
    }
}

/// `search/user` (`rt ls -t user "Name like 'b'"`): for administrators, as RT asks
/// `AdminUsers`; one condition in RT's words, enabled users unless it names `Disabled`, staff
/// only without a condition; ordered by name unless `orderby` says otherwise.
pub(super) async fn search_users(state: &AppState, actor: &Actor, form: &Form) -> String {
    let accounts = match state.app.accounts(actor).await {
        Ok(a) => a,
        Err(AppError::Forbidden | AppError::NotFound) => {
            return fmt::response(403, "Forbidden", "Permission denied");
        }
        Err(_) => return unavailable(),
    };
    let query = form.get("query").unwrap_or("").trim();
    let condition = if query.is_empty() {
        None
    } else {
        match rec::record_condition(query, &SEARCHED_USER_FIELDS) {
            Ok(l) => Some(l),
            Err(m) => return fmt::response(400, "Bad Request", &m),
        }
    };
    let field = |a: &varde_core::account::Account, f: &str| -> Option<String> {
        let u = shown(a);
        Some(match f {
            "id" => u.id,
            "Name" => u.name,
            "EmailAddress" => u.email,
            "RealName" => u.real_name,
            "Privileged" => u8::from(u.privileged).to_string(),
            "Disabled" => u8::from(u.disabled).to_string(),
            _ => return None,
        })
    };
    let wants_disabled = condition.as_ref().is_some_and(|l| {
        l.field == "Disabled"
            && l.value
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "0")
    });
    let mut found: Vec<&varde_core::account::Account> = accounts
        .iter()
        .filter(|a| a.disabled == wants_disabled)
        .filter(|a| match &condition {
            None => a.role != varde_core::access::Role::Customer,
            Some(l) if l.field == "Disabled" => true,
            Some(l) => {
                varde_rt::json_query::matches(std::slice::from_ref(l), &SEARCHED_USER_FIELDS, |f| {
                    field(a, f)
                })
            }
        })
        .collect();
    match form
        .get("orderby")
        .map(|o| o.trim_start_matches(['+', '-']))
    {
        Some(o) if o.eq_ignore_ascii_case("id") => found.sort_by_key(|a| a.id.0),
        _ => found.sort_by_key(|a| rt_name(a)),
    }
    if form.get("orderby").is_some_and(|o| o.starts_with('-')) {
        found.reverse();
    }
    if found.is_empty() {
        return ok("No matching results.");
    }
    let fields: Option<Vec<String>> = form.get("fields").map(|f| {
        f.split(',')
            .map(|x| x.trim().to_ascii_lowercase())
            .collect()
    });
    match (
        form.get("format")
            .unwrap_or(if fields.is_some() { "l" } else { "s" }),
        &fields,
    ) {
        ("i", _) => ok(&found
            .iter()
            .map(|a| format!("user/{}", a.id))
            .collect::<Vec<_>>()
            .join("\n")),
        ("l", fields) => {
            let answers: Vec<String> = found
                .iter()
                .map(|a| {
                    let all = rec::show_user(&shown(a), true);
                    ok(&match fields {
                        // The fields asked for, `id` always; RT drops the password then.
                        Some(f) => all
                            .lines()
                            .filter(|l| {
                                let key = l.split(':').next().unwrap_or("").to_ascii_lowercase();
                                key == "id" || f.contains(&key)
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                        None => all,
                    })
                })
                .collect();
            objects::joined(&answers)
        }
        _ => ok(&found
            .iter()
            .map(|a| format!("{}: {}", a.id, rt_name(a)))
            .collect::<Vec<_>>()
            .join("\n")),
    }
}
