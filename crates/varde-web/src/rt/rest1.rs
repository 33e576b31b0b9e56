//! REST 1.0 (`/REST/1.0/…`): the text protocol of the `rt` CLI, python `rt.rest1` and curl
//! scripts. Every answer is HTTP 200; the status is the body's first line (see
//! `varde_rt::rest1`). Requests are multipart (the CLI) or urlencoded (the rest), with
//! `user`/`pass` fields or the session cookie for authentication.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum_extra::extract::cookie::{Cookie, SameSite};
use varde_core::access::{Action, Actor, Resource, TokenScope, can};
use varde_core::account::Account;
use varde_core::ticket::{LinkKind, Ticket, TicketId};
use varde_rt::form;
use varde_rt::rest1::{self as fmt, get, parse_content};
use varde_store::ticket_search::SearchRequest;
use varde_store::tickets::{NewAttachment, TicketError};

use varde_app::AppError;

use crate::app::AppState;
use crate::auth::ClientAddress;
use crate::tickets::{self, Fields, Message};

mod commands;
mod objects;
mod records;
mod show;

use show::{show_many, show_one};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/REST/1.0", any(dispatch_root))
        .route("/REST/1.0/", any(dispatch_root))
        .route("/REST/1.0/{*path}", any(dispatch))
}

/// A REST 1.0 request's fields (query string and body, in order; names may repeat) and files.
struct Form {
    fields: Vec<(String, String)>,
    files: Vec<NewAttachment>,
}

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

async fn read_form(headers: &HeaderMap, query: Vec<(String, String)>, body: &Bytes) -> Form {
    let mut fields = query;
    let mut files = Vec::new();
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match form::multipart_boundary(ctype) {
        Some(boundary) => {
            for p in form::multipart(body, &boundary).await {
                if p.filename.is_some() && p.name.starts_with("attachment") {
                    files.push(NewAttachment {
                        filename: p.filename.unwrap_or_default(),
                        content_type: p
                            .content_type
                            .unwrap_or_else(|| "application/octet-stream".into()),
                        content: p.data,
                    });
                } else {
                    fields.push((p.name, String::from_utf8_lossy(&p.data).into_owned()));
                }
            }
        }
        None => fields.extend(form::urlencoded(body)),
    }
    Form { fields, files }
}

fn text(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        body,
    )
        .into_response()
}

fn ok(payload: &str) -> String {
    fmt::response(200, "Ok", payload)
}

async fn dispatch_root(
    state: State<AppState>,
    method: Method,
    client: ClientAddress,
    headers: HeaderMap,
    query: Query<Vec<(String, String)>>,
    body: Bytes,
) -> Response {
    let request = Incoming {
        method,
        address: client.ip,
        headers,
        path: String::new(),
    };
    handle(state.0, request, query.0, body).await
}

async fn dispatch(
    state: State<AppState>,
    method: Method,
    client: ClientAddress,
    headers: HeaderMap,
    axum::extract::Path(path): axum::extract::Path<String>,
    query: Query<Vec<(String, String)>>,
    body: Bytes,
) -> Response {
    let request = Incoming {
        method,
        address: client.ip,
        headers,
        path: path.trim_matches('/').to_string(),
    };
    handle(state.0, request, query.0, body).await
}

/// What a REST 1.0 request is, before its fields are read.
struct Incoming {
    method: Method,
    address: Option<std::net::IpAddr>,
    headers: HeaderMap,
    path: String,
}

/// Whether a command only reads. Everything else (new, edit, comment, link, merge, take …)
/// changes something, and unknown commands are treated as changes too.
fn reads_only(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [""] | ["show"] | ["search", _] => true,
        ["ticket", id] | ["ticket", id, "show"] => number(id),
        ["ticket", id, "history", ..]
        | ["ticket", id, "links", "show"]
        | ["ticket", id, "attachments", ..] => number(id),
        ["user", _] | ["user", _, "show"] | ["queue", _] | ["queue", _, "show"] => true,
        ["queue", _, "ticketcustomfields" | "customfields"] => true,
        _ => false,
    }
}

/// Why a change arriving as a GET is refused, if it is. No GET changes anything, but for
/// `ticket/<a>/merge/<b>` with nothing but the path, which is how the `rt` CLI sends
/// `rt merge` once it has a session: accepted from an RT client's credentials (its
/// `SameSite=Strict` session cookie, Basic, a token), never from the console's cookie.
fn refuse_get(request: &Incoming, via: &super::Via, form: &Form) -> Option<Response> {
    if !matches!(request.method, Method::GET | Method::HEAD) || reads_only(&request.path) {
        return None;
    }
    // `ticket/<id>/links` without a form reads the links, as RT does; with one it sets them.
    let links = request.path.split('/').nth(2) == Some("links");
    if links && form.get("content").is_none() {
        return None;
    }
    let cli_merge = request.path.split('/').nth(2) == Some("merge")
        && form.fields.is_empty()
        && form.files.is_empty()
        && matches!(
            via,
            super::Via::RtSession | super::Via::Basic | super::Via::Token
        );
    if cli_merge {
        return None;
    }
    let mut response = text(fmt::response(
        405,
        "Method Not Allowed",
        "# A change must be sent with POST and its fields in the body; a GET changes nothing.",
    ));
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
    Some(response)
}

/// A REST 1.0 login with `user`/`pass`: the account, and a new session unless the request
/// already carries a live one of the same account's (curl scripts send the password every
/// time; each need not leave a session behind).
async fn log_in(
    state: &AppState,
    request: &Incoming,
    user: &str,
    pass: &str,
) -> Option<(super::RtCaller, Option<String>)> {
    let account = super::check_password(state, user, pass, request.address).await?;
    let caller = super::RtCaller {
        account,
        scope: TokenScope::Write,
        via: super::Via::RtSession,
    };
    if let Some(current) = super::account_from_headers(state, &request.headers, request.address)
        .await
        .filter(|c| c.account.id == caller.account.id && c.via == super::Via::RtSession)
    {
        return Some((current, None));
    }
    let secret = crate::auth::new_secret("s_");
    let now = state.now();
    let expires = now + jiff::SignedDuration::from_hours(crate::auth::SESSION_HOURS);
    let made = state
        .store
        .create_session(
            &secret,
            caller.account.id,
            &crate::auth::new_secret(""),
            now,
            expires,
        )
        .await
        .is_ok();
    Some((caller, made.then_some(secret)))
}

/// `logout`: ends the RT client's session (the console's own session ends only through the
/// console's log-out button).
async fn log_out(state: &AppState, headers: &HeaderMap) -> Response {
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
    if let Some(c) = jar.get(super::RT_COOKIE)
        && let Err(e) = state.store.end_session(c.value()).await
    {
        tracing::error!(error = %e, "REST 1.0 logout failed");
        return text(fmt::response(
            503,
            "Service Unavailable",
            "# The database is unavailable; try again.",
        ));
    }
    let mut response = text(ok(""));
    let mut gone = Cookie::build((super::RT_COOKIE, "")).path("/").build();
    gone.make_removal();
    if let Ok(v) = gone.to_string().parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn handle(
    state: AppState,
    request: Incoming,
    query: Vec<(String, String)>,
    body: Bytes,
) -> Response {
    let form = read_form(&request.headers, query, &body).await;
    if request.path == "logout" {
        return log_out(&state, &request.headers).await;
    }
    // Authenticate: user/pass fields first (python-rt, curl), then the headers (the CLI's
    // cookie, Basic, a token).
    let (caller, new_session) = match (form.get("user"), form.get("pass")) {
        (Some(user), Some(pass)) => match log_in(&state, &request, user, pass).await {
            Some(found) => found,
            None => {
                return text(fmt::response(
                    401,
                    "Credentials required",
                    "Your username or password is incorrect",
                ));
            }
        },
        _ => match super::account_from_headers(&state, &request.headers, request.address).await {
            Some(c) => (c, None),
            None => return text(fmt::response(401, "Credentials required", "")),
        },
    };
    if let Some(refused) = refuse_get(&request, &caller.via, &form) {
        return refused;
    }
    if !reads_only(&request.path)
        && let Some(why) = caller.forgery(&Method::POST, &request.headers)
    {
        let mut response = text(fmt::response(403, "Forbidden", &format!("# {why}")));
        *response.status_mut() = StatusCode::FORBIDDEN;
        return response;
    }
    let Some(actor) = super::staff_actor(&caller.account, caller.scope) else {
        return text(fmt::response(
            403,
            "Forbidden",
            "# Only staff accounts use the REST interface.",
        ));
    };
    // A file's bytes are answered as they are (`rt show ticket/6/attachments/13/content`).
    let named = match request.path.as_str() {
        "show" if form.all("id").len() == 1 => form.get("id"),
        path => Some(path),
    };
    if let Some((id, n)) = named.and_then(objects::content_path) {
        return objects::attachment_content(&state, &actor, id, n).await;
    }
    let body = route(&state, &caller, &actor, &request.path, &form).await;
    let mut response = text(body);
    if let Some(secret) = new_session {
        let cookie = Cookie::build((super::RT_COOKIE, secret))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(state.secure_cookies)
            .build();
        if let Ok(v) = cookie.to_string().parse() {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}

fn ticket_number(s: &str) -> Option<TicketId> {
    s.trim()
        .trim_start_matches("ticket/")
        .split('/')
        .next()?
        .parse()
        .ok()
        .map(TicketId)
}

/// The ticket, through the one loader ([`varde_app::App::ticket`]), or RT's words for why not.
async fn load(
    state: &AppState,
    actor: &Actor,
    id: TicketId,
    action: Action,
) -> Result<Ticket, String> {
    state
        .app
        .ticket(actor, id, action)
        .await
        .map_err(|e| match e {
            AppError::NotFound => format!("# Ticket {id} does not exist."),
            AppError::Forbidden => format!("# You are not allowed to modify ticket {id}."),
            e => {
                tracing::error!(error = %e, "REST 1.0 could not load a ticket");
                "# The database is unavailable; try again.".to_string()
            }
        })
}

async fn route(
    state: &AppState,
    caller: &super::RtCaller,
    actor: &Actor,
    path: &str,
    form: &Form,
) -> String {
    let account = &caller.account;
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [""] => ok("# Invalid object specification: ''\n\nid: "),
        ["show"] => show_many(state, actor, form).await,
        ["edit"] => edit(state, caller, actor, None, form).await,
        ["ticket", "new"] => create(state, account, actor, form).await,
        ["ticket", "link"] => commands::link(state, account, actor, form).await,
        ["ticket", id] | ["ticket", id, "show"] => match ticket_number(id) {
            Some(n) => {
                show_one(
                    state,
                    actor,
                    &format!("ticket/{n}"),
                    form.get("format").unwrap_or("l"),
                )
                .await
            }
            None => fmt::response(400, "Bad request", "# Invalid ticket number"),
        },
        ["ticket", id, "history"] => {
            show_one(
                state,
                actor,
                &format!("ticket/{id}/history"),
                form.get("format").unwrap_or("s"),
            )
            .await
        }
        ["ticket", id, "history", "id", tx] => {
            show_one(state, actor, &format!("ticket/{id}/history/id/{tx}"), "l").await
        }
        ["ticket", id, "links"] if form.get("content").is_some() => {
            commands::edit_links(state, account, actor, ticket_number(id), form).await
        }
        ["ticket", id, "links"] | ["ticket", id, "links", "show"] => match ticket_number(id) {
            Some(n) => match load(state, actor, n, Action::Read).await {
                Ok(t) => ok(&fmt::show_links(&t, &state.rtname)),
                Err(m) => ok(&m),
            },
            None => fmt::response(400, "Bad request", "# Invalid ticket number"),
        },
        ["user", id] | ["user", id, "show"] => {
            records::show_user(state, actor, id, form.get("format").unwrap_or("s")).await
        }
        ["queue", key] | ["queue", key, "show"] => objects::show_queues(state, key).await,
        ["queue", key, kind @ ("ticketcustomfields" | "customfields")] => {
            records::custom_fields(state, actor, key, *kind == "ticketcustomfields", form).await
        }
        ["search", "queue"] => objects::search_queues(state, form).await,
        ["search", "user"] => records::search_users(state, actor, form).await,
        // Varde has no user-defined groups (roles and organisations decide what people see).
        ["search", "group"] => ok("No matching results."),
        ["ticket", id, "attachments", n] => match (ticket_number(id), n.parse()) {
            (Some(id), Ok(n)) => objects::attachment(state, actor, id, n).await,
            _ => fmt::response(400, "Bad request", "# Invalid attachment"),
        },
        ["ticket", id, "attachments"] => match ticket_number(id) {
            Some(n) => objects::attachments(state, actor, n).await,
            None => fmt::response(400, "Bad request", "# Invalid ticket number"),
        },
        ["ticket", id, "take"] => {
            commands::take(state, account, actor, ticket_number(id), form).await
        }
        ["ticket", id, "comment"] => comment(state, account, actor, ticket_number(id), form).await,
        ["ticket", id, "edit"] => edit(state, caller, actor, ticket_number(id), form).await,
        ["ticket", id, "merge", into] => match (ticket_number(id), ticket_number(into)) {
            (Some(a), Some(b)) => match load(state, actor, a, Action::Write).await {
                Err(m) => ok(&m),
                Ok(_) => match tickets::merge(&state.app, a, b, account.email.as_str()).await {
                    // RT's words (its `Forms/ticket/merge`), whichever way it went.
                    Ok(()) => ok("# Merge completed."),
                    Err(e) => ok(&format!(
                        "# Could not complete the merge.\n# {}",
                        refusal(e)
                    )),
                },
            },
            _ => fmt::response(400, "Bad request", "# Invalid ticket number"),
        },
        ["search", "ticket"] => search(state, actor, form).await,
        _ => fmt::response(400, "Bad request", &format!("# Unknown command '{path}'")),
    }
}

fn refusal(e: TicketError) -> String {
    match e {
        TicketError::Refused(m) => m,
        TicketError::Store(varde_store::StoreError::NotFound) => "the ticket does not exist".into(),
        TicketError::Store(e) => {
            tracing::error!(error = %e, "REST 1.0 store failure");
            "the database is unavailable; try again".into()
        }
    }
}

/// `show` with one or more `id` fields; each object gets its own status line.
fn content_fields(form: &Form) -> Fields {
    parse_content(form.get("content").unwrap_or(""))
}

async fn create(state: &AppState, account: &Account, actor: &Actor, form: &Form) -> String {
    if !can(actor, Action::Write, &Resource::TicketSystem) {
        return ok("# You are not allowed to create tickets.");
    }
    let fields = content_fields(form);
    create_from(state, account, &fields, form).await
}

async fn create_from(state: &AppState, account: &Account, fields: &Fields, form: &Form) -> String {
    // RT creates with the singular `Requestor` and its create list; python-rt's plural
    // `Requestors`, and `Told`, it applies as an update after the creation (answered with a
    // second line); Varde writes the two at once.
    let (create_fields, later): (Fields, Fields) = fields.iter().cloned().partition(|(k, _)| {
        !k.eq_ignore_ascii_case("Requestors") && !k.eq_ignore_ascii_case("Told")
    });
    let creation = match tickets::creation(&create_fields, None) {
        Ok(c) => c,
        Err(m) => {
            return ok(&format!(
                "# Could not create ticket.\n# Could not create ticket. {m}"
            ));
        }
    };
    if state
        .store
        .queue(&creation.queue)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        return ok("# Could not create ticket.\n# Could not create ticket. Queue not set");
    }
    let text = get(fields, "Text").unwrap_or("").to_string();
    let message = Message {
        content: text,
        content_type: get(fields, "Content-Type")
            .unwrap_or("text/plain")
            .to_string(),
        attachments: form.files.clone(),
        time_taken: get(fields, "TimeWorked")
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0),
    };
    let creator = account.email.as_str();
    let opened = if later.is_empty() {
        tickets::open(&state.app, creator, creation, &message)
            .await
            .map(|t| (t, None))
    } else {
        tickets::open_then(&state.app, creator, creation, &message, &later)
            .await
            .map(|(t, refused)| (t, Some(refused)))
    };
    match opened {
        Ok((t, None)) => ok(&format!("# Ticket {} created.", t.id)),
        Ok((t, Some(None))) => ok(&format!(
            "# Ticket {} created.\n# Ticket {} updated.",
            t.id, t.id
        )),
        Ok((t, Some(Some(m)))) => ok(&format!("# Ticket {} created.\n# {m}", t.id)),
        Err(e) => ok(&format!(
            "# Could not create ticket.\n# Could not create ticket. {}",
            refusal(e)
        )),
    }
}

/// `edit` (the id in the content, `ticket/new` creates) and `ticket/N/edit`.
async fn edit(
    state: &AppState,
    caller: &super::RtCaller,
    actor: &Actor,
    id: Option<TicketId>,
    form: &Form,
) -> String {
    let account = &caller.account;
    let fields = content_fields(form);
    let spec = get(&fields, "id").unwrap_or("").trim().to_string();
    if id.is_none() && spec == "ticket/new" {
        return create(state, account, actor, form).await;
    }
    let by = varde_app::Acting::new(*actor, account.email.to_string());
    match spec.split_once('/') {
        Some(("user", key)) if id.is_none() => {
            return records::edit_user(state, &by, &caller.via, key, &fields).await;
        }
        Some(("queue", key)) if id.is_none() && key.contains('/') => {
            return fmt::response(
                400,
                "Bad Request",
                "Cannot modify Queue CF definitions via REST",
            );
        }
        Some(("queue", key)) if id.is_none() => {
            return records::edit_queue(state, &by, key, &fields).await;
        }
        _ => {}
    }
    let Some(id) = id.or_else(|| ticket_number(&spec)) else {
        return fmt::response(400, "Bad request", "# Invalid ticket number");
    };
    let t = match load(state, actor, id, Action::Write).await {
        Ok(t) => t,
        Err(m) => return ok(&m),
    };
    // RT's ticket form knows its own field names only: anything else (`requestor`, as
    // `rt edit … add requestor=…` sends beside `Requestors`) is named and left alone.
    let (changes, unknown): (Fields, Fields) = fields
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("id"))
        .partition(|(k, _)| objects::ticket_form_field(k));
    let unknown: Vec<String> = unknown
        .iter()
        .map(|(k, _)| format!("# {k}: Unknown field."))
        .collect();
    match tickets::update(&state.app, t.id, account.email.as_str(), &changes).await {
        // RT answers an edit that changes nothing with an empty body.
        Ok((_, messages)) if messages.is_empty() && unknown.is_empty() => String::new(),
        Ok(_) if unknown.is_empty() => ok(&format!("# Ticket {} updated.", t.id)),
        Ok(_) => ok(&format!(
            "{}\n# Ticket {} updated.",
            unknown.join("\n"),
            t.id
        )),
        Err(e) => ok(&format!("# {}", refusal(e))),
    }
}

async fn comment(
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
    let fields = content_fields(form);
    let is_comment =
        !get(&fields, "Action").is_some_and(|a| a.trim().eq_ignore_ascii_case("correspond"));
    let message = Message {
        content: get(&fields, "Text").unwrap_or("").to_string(),
        content_type: get(&fields, "Content-Type")
            .filter(|c| !c.is_empty())
            .unwrap_or("text/plain")
            .to_string(),
        attachments: form.files.clone(),
        time_taken: get(&fields, "TimeWorked")
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0),
    };
    if message.content.is_empty() && message.attachments.is_empty() {
        return ok("# No message attached");
    }
    match tickets::respond(
        &state.app,
        t.id,
        account.email.as_str(),
        is_comment,
        &message,
    )
    .await
    {
        Ok(_) => ok(if is_comment {
            "# Comments added"
        } else {
            "# Correspondence added"
        }),
        Err(e) => ok(&format!("# {}", refusal(e))),
    }
}

async fn search(state: &AppState, actor: &Actor, form: &Form) -> String {
    let query = match varde_rt::ticketsql::parse(form.get("query").unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return fmt::response(400, "Bad request", &format!("Invalid query: '{e}'.")),
    };
    let orderby = form.get("orderby").unwrap_or("id");
    let request = SearchRequest {
        query: &query,
        visibility: varde_core::access::visibility(actor),
        order_by: orderby,
        descending: orderby.starts_with('-'),
        offset: 0,
        limit: 100_000,
        now: state.now(),
    };
    let page = match state.store.search_tickets(&request).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return fmt::response(400, "Bad request", &format!("Invalid query: '{e}'.")),
        Err(_) => return ok("# The database is unavailable; try again."),
    };
    if page.ids.is_empty() {
        return ok("No matching results.");
    }
    let format = form.get("format").unwrap_or("s");
    if let Some(fields) = form.get("fields").filter(|f| !f.trim().is_empty()) {
        let fields: Vec<String> = fields.split(',').map(|f| f.trim().to_string()).collect();
        return objects::search_fields(state, &page.ids, format, &fields).await;
    }
    match format {
        "i" => ok(&page
            .ids
            .iter()
            .map(|i| format!("ticket/{i}"))
            .collect::<Vec<_>>()
            .join("\n")),
        "l" => {
            let Ok(tickets) = state.store.tickets(&page.ids).await else {
                return ok("# The database is unavailable; try again.");
            };
            ok(&tickets
                .iter()
                .map(fmt::show_ticket)
                .collect::<Vec<_>>()
                .join("\n\n--\n\n"))
        }
        _ => {
            let Ok(tickets) = state.store.tickets(&page.ids).await else {
                return ok("# The database is unavailable; try again.");
            };
            ok(&tickets
                .iter()
                .map(|t| format!("{}: {}", t.id, t.subject))
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }
}
