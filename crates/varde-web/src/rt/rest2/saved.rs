//! REST2's saved searches: `GET|POST /searches` (one's own, with RT's JSON search on `Name`
//! and `Description`), `GET /search/{id}` (by number or by name, as RT finds one by its
//! description), and `/tickets?search=…`, which runs one (see `search`). A saved search is
//! what the console's "Save this search" keeps: a name and its TicketSQL.

use varde_rt::json_query;
use varde_store::tickets::SavedSearch;

use super::*;

const SEARCH_FIELDS: [&str; 4] = ["id", "Name", "Description", "ContentType"];

/// A saved search's fields as RT names them (`Name` is RT's kind of attribute, the name a
/// person gave it is its `Description`).
fn search_field(s: &SavedSearch, field: &str) -> Option<String> {
    Some(match field {
        "id" => s.id.to_string(),
        "Name" => "SavedSearch".into(),
        "Description" => s.name.clone(),
        "ContentType" => "storable".into(),
        _ => return None,
    })
}

/// The rows a saved search shows a page of, as RT's default.
pub(super) const ROWS_PER_PAGE: i64 = 50;

/// `GET|POST /searches`.
pub(super) async fn searches(
    State(state): State<AppState>,
    rq: RtRequest,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let actor = match caller(&rq) {
        Ok((_, actor)) => actor,
        Err(r) => return r,
    };
    let limits = match collections::limits(&params, &body) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let kept = match state.app.saved_searches(&actor).await {
        Ok(s) => s,
        Err(e) => return app_error(e),
    };
    let matching: Vec<&SavedSearch> = kept
        .iter()
        .filter(|s| json_query::matches(&limits, &SEARCH_FIELDS, |f| search_field(s, f)))
        .collect();
    collections::page(
        &rq,
        &params,
        ("search", "/searches"),
        matching,
        search_field,
        &[],
    )
}

/// `GET /search/{id}`: RT's record of a saved search, its query in `Content`.
pub(super) async fn search(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(key): Path<String>,
) -> Response {
    let (account, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let s = match state.app.saved_search(&actor, &key).await {
        Ok(s) => s,
        Err(e) => return app_error(e),
    };
    let b = base(&rq.headers);
    let owner = crate::rt::records::rt_name(&account);
    ok_json(
        StatusCode::OK,
        &json!({
            "id": s.id,
            "Name": "SavedSearch",
            "Description": s.name,
            "ContentType": "storable",
            "Content": {
                "Query": s.query, "Format": "", "OrderBy": "id", "Order": "ASC",
                "RowsPerPage": ROWS_PER_PAGE, "SearchType": "Ticket",
            },
            "Object": reference(&b, "user", &owner),
            "_hyperlinks": [
                {"ref": "self", "type": "search", "id": s.id, "_url": format!("{b}/search/{}", s.id)},
                {"ref": "tickets", "type": "results", "_url": format!("{b}/tickets?search={}", s.id)},
            ],
        }),
    )
}
