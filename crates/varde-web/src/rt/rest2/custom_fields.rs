//! REST2's custom fields: `GET|POST /customfields` (RT's JSON search), `GET /customfield/{id}`
//! and `GET /queue/{id}/customfields`. Varde's custom fields belong to a queue and apply to
//! its tickets (RT's `LookupType` `RT::Queue-RT::Ticket`); each takes several values, from a
//! list (RT's `Select`) or any text (`Freeform`). Defined by administrators in the console or
//! `/api/v1`, not here (RT's REST2 does not define them either).

use varde_rt::json_query;
use varde_store::tickets::NumberedField;

use super::*;

const FIELDS: [&str; 11] = [
    "id",
    "Name",
    "Description",
    "Type",
    "MaxValues",
    "LookupType",
    "Pattern",
    "EntryHint",
    "UniqueValues",
    "SortOrder",
    "Disabled",
];

/// A custom field's fields as RT names them.
fn field(f: &NumberedField, name: &str) -> Option<String> {
    let select = !f.def.allowed.is_empty();
    Some(match name {
        "id" => f.id.to_string(),
        "Name" => f.def.name.clone(),
        "Type" => if select { "Select" } else { "Freeform" }.into(),
        // RT's 0: as many values as one likes.
        "MaxValues" => "0".into(),
        "LookupType" => "RT::Queue-RT::Ticket".into(),
        "EntryHint" => if select {
            "Select multiple values"
        } else {
            "Enter multiple values"
        }
        .into(),
        "SortOrder" => f.position.to_string(),
        "Description" | "Pattern" => String::new(),
        "UniqueValues" | "Disabled" => "0".into(),
        _ => return None,
    })
}

async fn numbered(state: &AppState, rq: &RtRequest) -> Result<Vec<NumberedField>, Response> {
    let (_, actor) = caller(rq)?;
    state.app.custom_fields(&actor).await.map_err(app_error)
}

/// `GET|POST /customfields`: every custom field, or those a JSON search finds.
pub(super) async fn custom_fields(
    State(state): State<AppState>,
    rq: RtRequest,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let limits = match collections::limits(&params, &body) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let all = match numbered(&state, &rq).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let matching: Vec<&NumberedField> = all
        .iter()
        .filter(|f| json_query::matches(&limits, &FIELDS, |n| field(f, n)))
        .collect();
    collections::page(
        &rq,
        &params,
        ("customfield", "/customfields"),
        matching,
        field,
        &[],
    )
}

/// `GET /queue/{id}/customfields`: the fields of a queue's tickets, in the queue's order.
pub(super) async fn of_queue(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(key): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (_, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let queue = match state.app.queue(&actor, &key).await {
        Ok(q) => q.queue,
        Err(e) => return app_error(e),
    };
    let all = match numbered(&state, &rq).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut mine: Vec<&NumberedField> = all.iter().filter(|f| f.queue == queue.name).collect();
    mine.sort_by_key(|f| f.position);
    let path = format!("/queue/{}/customfields", queue.id);
    collections::page(&rq, &params, ("customfield", &path), mine, field, &[])
}

/// `GET /customfield/{id}`: RT's record of a custom field, its allowed values in `Values`.
pub(super) async fn custom_field(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
) -> Response {
    let all = match numbered(&state, &rq).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(f) = all.iter().find(|f| f.id.to_string() == id) else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let b = base(&rq.headers);
    let mut record = Map::new();
    for name in FIELDS {
        if let Some(v) = field(f, name) {
            record.insert(name.into(), json!(v));
        }
    }
    record.insert("id".into(), json!(f.id));
    if !f.def.allowed.is_empty() {
        let mut values = f.def.allowed.clone();
        values.sort();
        record.insert("Values".into(), json!(values));
    }
    record.insert(
        "_hyperlinks".into(),
        json!([{"ref": "self", "type": "customfield", "id": f.id, "_url": format!("{b}/customfield/{}", f.id)}]),
    );
    ok_json(StatusCode::OK, &Value::Object(record))
}

/// The references of a queue's ticket custom fields, for the queue's record.
pub(super) fn references(base: &str, fields: &[NumberedField], queue: &str) -> Value {
    let mut mine: Vec<&NumberedField> = fields.iter().filter(|f| f.queue == queue).collect();
    mine.sort_by_key(|f| f.position);
    Value::Array(
        mine.iter()
            .map(|f| {
                let mut r = reference(base, "customfield", &f.id.to_string());
                r["name"] = json!(f.def.name);
                r["ref"] = json!("customfield");
                r
            })
            .collect(),
    )
}
