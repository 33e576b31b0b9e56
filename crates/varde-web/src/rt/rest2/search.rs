//! REST2's ticket search: TicketSQL in `query` (GET or POST), RT's paging, and the fields a
//! client asks for.

use super::*;

pub(super) fn paging(params: &HashMap<String, String>) -> (i64, i64) {
    let per_page = params
        .get("per_page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let page = params
        .get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    (page, per_page)
}

pub(super) fn page_json(
    base_url: &str,
    path_and_query: &str,
    items: Vec<Value>,
    total: i64,
    page: i64,
    per_page: i64,
) -> Value {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let mut v = json!({"count": items.len(), "page": page, "pages": pages, "per_page": per_page, "total": total, "items": items});
    if page < pages {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        v["next_page"] = json!(format!("{base_url}{path_and_query}{sep}page={}", page + 1));
    }
    if page > 1 {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        v["prev_page"] = json!(format!("{base_url}{path_and_query}{sep}page={}", page - 1));
    }
    v
}

/// Picks the requested `fields` of a full object into a list item.
pub(super) fn pick(
    full: &Value,
    kind: &str,
    id: &str,
    url: String,
    fields: Option<&String>,
) -> Value {
    let mut item = json!({"type": kind, "id": id, "_url": url});
    if let Some(fields) = fields {
        for f in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if let Some(v) = full.get(f) {
                item[f] = v.clone();
            }
        }
    }
    item
}

async fn run_search(
    state: AppState,
    rq: RtRequest,
    mut params: HashMap<String, String>,
) -> Response {
    let (_, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    // `search=` runs one of the caller's saved searches, a page of RT's default size unless
    // asked otherwise.
    if let Some(key) = params.get("search").cloned() {
        match state.app.saved_search(&actor, &key).await {
            Ok(s) => {
                params.insert("query".into(), s.query);
                params
                    .entry("per_page".into())
                    .or_insert_with(|| super::saved::ROWS_PER_PAGE.to_string());
            }
            Err(e) => return app_error(e),
        }
    }
    let query_text = params.get("query").cloned().unwrap_or_default();
    let query = match varde_rt::ticketsql::parse(&query_text) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("Wrong query, {}", e)),
    };
    let (page, per_page) = paging(&params);
    let order_by = params
        .get("orderby")
        .cloned()
        .unwrap_or_else(|| "id".into());
    let descending = params
        .get("order")
        .is_some_and(|o| o.eq_ignore_ascii_case("desc"));
    let request = SearchRequest {
        query: &query,
        visibility: varde_core::access::visibility(&actor),
        order_by: &order_by,
        descending,
        offset: (page - 1) * per_page,
        limit: per_page,
        now: state.now(),
    };
    let result = match state.store.search_tickets(&request).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return error(StatusCode::BAD_REQUEST, &format!("Wrong query, {e}")),
        Err(e) => return ticket_error(e.into()),
    };
    let b = base(&rq.headers);
    let mut items = Vec::with_capacity(result.ids.len());
    let tickets = match state.store.tickets(&result.ids).await {
        Ok(t) => t,
        Err(e) => return ticket_error(e.into()),
    };
    // The SLA deadlines of the page at once, and only when fields are asked for.
    let dues = if params.contains_key("fields") {
        crate::tickets::due_of(&state.app, &tickets).await
    } else {
        HashMap::new()
    };
    for t in tickets {
        let full = if params.contains_key("fields") {
            ticket_json(&state, &b, &t, dues.get(&t.id).copied(), &params).await
        } else {
            Value::Null
        };
        items.push(pick(
            &full,
            "ticket",
            &t.id.to_string(),
            format!("{b}/ticket/{}", t.id),
            params.get("fields"),
        ));
    }
    let mut qs: Vec<String> = params
        .iter()
        .filter(|(k, _)| *k != "page")
        .map(|(k, v)| format!("{}={}", crate::query_value(k), crate::query_value(v)))
        .collect();
    qs.sort();
    ok_json(
        StatusCode::OK,
        &page_json(
            &b,
            &format!("/tickets?{}", qs.join("&")),
            items,
            result.total,
            page,
            per_page,
        ),
    )
}

pub(super) async fn search(
    State(state): State<AppState>,
    rq: RtRequest,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    run_search(state, rq, params).await
}

/// `POST /REST/2.0/tickets` with the query as a form or JSON body (and paging in the URL).
pub(super) async fn search_post(
    State(state): State<AppState>,
    rq: RtRequest,
    Query(mut params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let ctype = rq
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ctype.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(o)) => {
                for (k, v) in o {
                    params.insert(k, form::field_text(&v));
                }
            }
            Ok(Value::Array(a)) => {
                // RT's JSON search: [{"field": "Status", "operator": "=", "value": "open"}, …]
                let parts: Vec<String> = a
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {} '{}'",
                            form::field_text(&c["field"]),
                            c.get("operator")
                                .map(form::field_text)
                                .unwrap_or_else(|| "=".into()),
                            form::field_text(&c["value"]).replace('\'', "\\'")
                        )
                    })
                    .collect();
                params.insert("query".into(), parts.join(" AND "));
            }
            _ => return error(StatusCode::BAD_REQUEST, "JSON parse error"),
        }
    } else {
        for (k, v) in url::form_urlencoded::parse(&body) {
            params.insert(k.into_owned(), v.into_owned());
        }
    }
    run_search(state, rq, params).await
}
