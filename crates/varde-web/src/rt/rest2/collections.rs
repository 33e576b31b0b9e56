//! REST2's searches of queues and users (`/queues`, `/queues/all`, `/users`,
//! `/users/privileged`, `/users/unprivileged`): RT's JSON limits (`varde_rt::json_query`)
//! from `?query=` or a `POST`'s body, pages as every REST2 list, and the fields asked for
//! with `fields=` on each item.

use varde_rt::json_query::{self, Limit};

use super::search::{page_json, paging};
use super::*;

/// A queue's fields as RT names them.
fn queue_field(q: &varde_store::tickets::Queue, field: &str) -> Option<String> {
    Some(match field {
        "id" => q.id.to_string(),
        "Name" => q.name.clone(),
        "Description" => q.description.clone(),
        "CorrespondAddress" => q.correspond_address.clone(),
        "CommentAddress" => q.comment_address.clone(),
        "Lifecycle" => "default".into(),
        "Disabled" => if q.disabled { "1" } else { "0" }.into(),
        // What Varde's queues do not carry, RT leaves empty.
        "InitialPriority" | "FinalPriority" | "DefaultDueIn" | "SubjectTag" => String::new(),
        _ => return None,
    })
}

const QUEUE_FIELDS: [&str; 7] = [
    "id",
    "Name",
    "Description",
    "CorrespondAddress",
    "CommentAddress",
    "Lifecycle",
    "Disabled",
];

/// An account's fields as RT names a user's.
fn user_field(a: &Account, field: &str) -> Option<String> {
    Some(match field {
        "id" => a.id.0.to_string(),
        "Name" => crate::rt::records::rt_name(a),
        "EmailAddress" => a.email.to_string(),
        "RealName" => a.name.clone(),
        "Privileged" => if a.role == varde_core::access::Role::Customer {
            "0"
        } else {
            "1"
        }
        .into(),
        "Disabled" => if a.disabled { "1" } else { "0" }.into(),
        _ => return None,
    })
}

const USER_FIELDS: [&str; 6] = [
    "id",
    "Name",
    "EmailAddress",
    "RealName",
    "Privileged",
    "Disabled",
];

/// RT leaves disabled records out of a list unless `find_disabled_rows` is set.
fn finds_disabled(params: &HashMap<String, String>) -> bool {
    params
        .get("find_disabled_rows")
        .is_some_and(|v| !v.is_empty() && v != "0")
}

/// The limits of a search: `?query=` of a GET, the body of a POST.
pub(super) fn limits(
    params: &HashMap<String, String>,
    body: &Bytes,
) -> Result<Vec<Limit>, Response> {
    let text = match params.get("query") {
        Some(q) => q.clone(),
        None => String::from_utf8_lossy(body).into_owned(),
    };
    json_query::parse(&text).map_err(|e| error(StatusCode::BAD_REQUEST, &e.0))
}

/// One page of the records that match, each `{type, id, _url}` with the fields asked for.
pub(super) fn page<T>(
    rq: &RtRequest,
    params: &HashMap<String, String>,
    (kind, path): (&str, &str),
    matching: Vec<&T>,
    field: impl Fn(&T, &str) -> Option<String>,
    always: &[&str],
) -> Response {
    let b = base(&rq.headers);
    let (page, per_page) = paging(params);
    let asked: Vec<&str> = params
        .get("fields")
        .map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let items: Vec<Value> = matching
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|r| {
            let id = field(r, "id").unwrap_or_default();
            let mut item = reference(&b, kind, &id);
            for f in always.iter().chain(&asked) {
                if let Some(v) = field(r, f) {
                    item[*f] = json!(v);
                }
            }
            item
        })
        .collect();
    let total = matching.len() as i64;
    // The next and previous pages keep the search, the fields and the page size.
    let mut kept: Vec<(&String, &String)> = params.iter().filter(|(k, _)| *k != "page").collect();
    kept.sort();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    let path = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    };
    ok_json(
        StatusCode::OK,
        &page_json(&b, &path, items, total, page, per_page),
    )
}

/// `GET /queues/all`, and `GET|POST /queues` with a search.
pub(super) async fn queues(
    State(state): State<AppState>,
    rq: RtRequest,
    uri: axum::http::Uri,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    if let Err(r) = caller(&rq) {
        return r;
    }
    let all_of_them = uri.path().trim_end_matches('/').ends_with("/all");
    let limits = if all_of_them {
        Vec::new()
    } else {
        match limits(&params, &body) {
            Ok(l) => l,
            Err(r) => return r,
        }
    };
    let queues = match state.store.queues().await {
        Ok(q) => q,
        Err(e) => return ticket_error(e.into()),
    };
    let disabled_too = finds_disabled(&params);
    let matching: Vec<_> = queues
        .iter()
        .filter(|q| disabled_too || !q.disabled)
        .filter(|q| json_query::matches(&limits, &QUEUE_FIELDS, |f| queue_field(q, f)))
        .collect();
    let path = if all_of_them {
        "/queues/all"
    } else {
        "/queues"
    };
    page(
        &rq,
        &params,
        ("queue", path),
        matching,
        queue_field,
        &["Name"],
    )
}

/// `GET|POST /users`, `/users/privileged`, `/users/unprivileged` with a search: for whom `can`
/// lets read accounts (RT lets any privileged user search a few fields; Varde's agents do not
/// list accounts).
pub(super) async fn users(
    State(state): State<AppState>,
    rq: RtRequest,
    uri: axum::http::Uri,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let actor = match caller(&rq) {
        Ok((_, actor)) => actor,
        Err(r) => return r,
    };
    let limits = match limits(&params, &body) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let accounts = match state.app.accounts(&actor).await {
        Ok(a) => a,
        Err(e) => return app_error(e),
    };
    let kind = uri.path().trim_end_matches('/');
    let privileged = if kind.ends_with("/unprivileged") {
        Some(false)
    } else if kind.ends_with("/privileged") {
        Some(true)
    } else {
        None
    };
    let disabled_too = finds_disabled(&params);
    let matching: Vec<_> = accounts
        .iter()
        .filter(|a| disabled_too || !a.disabled)
        .filter(|a| privileged.is_none_or(|p| p == (a.role != varde_core::access::Role::Customer)))
        .filter(|a| json_query::matches(&limits, &USER_FIELDS, |f| user_field(a, f)))
        .collect();
    let path = kind.trim_start_matches("/REST/2.0").to_string();
    page(&rq, &params, ("user", &path), matching, user_field, &[])
}
