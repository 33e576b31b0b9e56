//! REST2's objects beside tickets: a ticket's history, transactions, attachments, queues
//! and users.

use super::search::{page_json, paging, pick};
use super::*;

fn transaction_json(base: &str, e: &HistoryEntry, named: &crate::rt::Named) -> Value {
    let tx: &Transaction = &e.transaction;
    let (field, old, new, description) = crate::rt::rt_columns(tx, named);
    let mut links = vec![
        json!({"ref": "self", "type": "transaction", "id": tx.id, "_url": format!("{base}/transaction/{}", tx.id)}),
    ];
    for a in &e.attachments {
        links.push(json!({"ref": "attachment", "_url": format!("{base}/attachment/{}", a.id)}));
    }
    json!({
        "id": tx.id,
        "Type": tx.change.rt_type(&tx.creator),
        "Creator": reference(base, "user", &tx.creator),
        "Created": date(Some(tx.at)),
        "Object": reference(base, "ticket", &tx.ticket.to_string()),
        "ObjectType": "RT::Ticket",
        "ObjectId": tx.ticket.to_string(),
        "Field": field,
        "OldValue": old,
        "NewValue": new,
        "Data": "",
        "TimeTaken": tx.time_taken.to_string(),
        "Description": description,
        "_hyperlinks": links,
    })
}

pub(super) async fn history(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (_, _, t) = match ticket_for(&state, &rq, &id, Action::Read).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let entries = match state.store.history(t.id).await {
        Ok(h) => h,
        Err(e) => return ticket_error(e.into()),
    };
    let b = base(&rq.headers);
    let (page, per_page) = paging(&params);
    let total = entries.len() as i64;
    let named = crate::rt::named(&state, entries.iter().map(|e| &e.transaction)).await;
    let items: Vec<Value> = entries
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|e| {
            let full = transaction_json(&b, e, &named);
            let mut item = pick(
                &full,
                "transaction",
                &e.transaction.id.to_string(),
                format!("{b}/transaction/{}", e.transaction.id),
                params.get("fields"),
            );
            if let Some(sub) = params.get("fields[Creator]")
                && item.get("Creator").is_some()
            {
                for f in sub.split(',') {
                    let v = match f.trim() {
                        "Name" | "id" => e.transaction.creator.clone(),
                        // RT's RT_System (and Nobody) have no address
                        "EmailAddress" if e.transaction.creator.contains('@') => {
                            e.transaction.creator.clone()
                        }
                        _ => String::new(),
                    };
                    item["Creator"][f.trim()] = json!(v);
                }
            }
            item
        })
        .collect();
    ok_json(
        StatusCode::OK,
        &page_json(
            &b,
            &format!("/ticket/{}/history?per_page={per_page}", t.id),
            items,
            total,
            page,
            per_page,
        ),
    )
}

async fn load_transaction(
    state: &AppState,
    actor: &Actor,
    raw: &str,
) -> Result<HistoryEntry, Response> {
    let id: i64 = raw
        .parse()
        .map_err(|_| error(StatusCode::NOT_FOUND, "Not Found"))?;
    let e = state
        .store
        .transaction(id)
        .await
        .map_err(|e| ticket_error(e.into()))?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Not Found"))?;
    load(
        state,
        actor,
        &e.transaction.ticket.to_string(),
        Action::Read,
    )
    .await?;
    Ok(e)
}

/// A transaction's record, for a list that asks for its fields (the list's search was
/// authorised for every ticket).
pub(super) async fn transaction_value(
    state: &AppState,
    base: &str,
    id: i64,
) -> Result<Value, Response> {
    let e = state
        .store
        .transaction(id)
        .await
        .map_err(|e| ticket_error(e.into()))?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Not Found"))?;
    Ok(entry_json(state, base, &e).await)
}

/// A history entry as REST2 gives it, with the people and tickets it names.
async fn entry_json(state: &AppState, base: &str, e: &HistoryEntry) -> Value {
    let named = crate::rt::named(state, std::iter::once(&e.transaction)).await;
    transaction_json(base, e, &named)
}

pub(super) async fn transaction(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
) -> Response {
    let (_, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match load_transaction(&state, &actor, &id).await {
        Ok(e) => ok_json(
            StatusCode::OK,
            &entry_json(&state, &base(&rq.headers), &e).await,
        ),
        Err(r) => r,
    }
}

pub(super) async fn transaction_attachments(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (_, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let e = match load_transaction(&state, &actor, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let b = base(&rq.headers);
    let (page, per_page) = paging(&params);
    let items: Vec<Value> = e
        .attachments
        .iter()
        .map(|a| reference(&b, "attachment", &a.id.to_string()))
        .collect();
    let total = items.len() as i64;
    ok_json(
        StatusCode::OK,
        &page_json(
            &b,
            &format!("/transaction/{id}/attachments"),
            items,
            total,
            page,
            per_page,
        ),
    )
}

fn attachment_json(base: &str, a: &AttachmentInfo, content: &[u8], creator: &str) -> Value {
    let mut v = json!({
        "id": a.id,
        "Filename": a.filename,
        "ContentType": a.content_type,
        "ContentLength": a.size.to_string(),
        "Content": base64::engine::general_purpose::STANDARD.encode(content),
        "Headers": format!("Content-Type: {}\nContent-Length: {}\n", a.content_type, a.size),
        "Subject": "",
        "TransactionId": reference(base, "transaction", &a.transaction_id.to_string()),
        "Creator": reference(base, "user", creator),
        "_hyperlinks": [{"ref": "self", "type": "attachment", "id": a.id, "_url": format!("{base}/attachment/{}", a.id)}],
    });
    // An unnamed part's Filename is NULL in RT, and REST2 leaves NULL columns out.
    if a.filename.is_empty()
        && let Some(o) = v.as_object_mut()
    {
        o.remove("Filename");
    }
    v
}

pub(super) async fn attachment(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
) -> Response {
    let (_, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let Ok(Some((info, ticket))) = state.store.attachment(id).await else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    if let Err(r) = load(&state, &actor, &ticket.to_string(), Action::Read).await {
        return r;
    }
    let content = state
        .store
        .attachment_content(id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let creator = state
        .store
        .transaction(info.transaction_id)
        .await
        .ok()
        .flatten()
        .map(|e| e.transaction.creator)
        .unwrap_or_default();
    ok_json(
        StatusCode::OK,
        &attachment_json(&base(&rq.headers), &info, &content, &creator),
    )
}

/// Whether an attachment passes RT's JSON filter, e.g.
/// `[{"field": "Filename", "operator": "IS NOT", "value": ""}]`.
fn passes(filter: &[Value], a: &AttachmentInfo) -> bool {
    filter.iter().all(|c| {
        let value = form::field_text(&c["value"]);
        let actual = match form::field_text(&c["field"]).as_str() {
            "Filename" => a.filename.clone(),
            "ContentType" => a.content_type.clone(),
            _ => return true,
        };
        match c
            .get("operator")
            .map(form::field_text)
            .unwrap_or_else(|| "=".into())
            .to_ascii_uppercase()
            .as_str()
        {
            "IS NOT" | "!=" | "<>" => actual != value,
            "LIKE" => actual.to_lowercase().contains(&value.to_lowercase()),
            "NOT LIKE" => !actual.to_lowercase().contains(&value.to_lowercase()),
            _ => actual == value,
        }
    })
}

/// The attachments of a ticket, filtered as RT's JSON search filters them.
pub(super) async fn ticket_attachments(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (_, _, t) = match ticket_for(&state, &rq, &id, Action::Read).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let filter: Vec<Value> = if body.is_empty() {
        vec![]
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Array(a)) => a,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "JSON parse error: expected a list of conditions",
                );
            }
        }
    };
    let history = match state.store.history(t.id).await {
        Ok(h) => h,
        Err(e) => return ticket_error(e.into()),
    };
    let b = base(&rq.headers);
    let all: Vec<&AttachmentInfo> = history
        .iter()
        .flat_map(|e| e.attachments.iter())
        .filter(|a| passes(&filter, a))
        .collect();
    let (page, per_page) = paging(&params);
    let total = all.len() as i64;
    let items: Vec<Value> = all
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|a| {
            let full = json!({"Filename": a.filename, "ContentType": a.content_type, "ContentLength": a.size.to_string()});
            pick(&full, "attachment", &a.id.to_string(), format!("{b}/attachment/{}", a.id), params.get("fields"))
        })
        .collect();
    ok_json(
        StatusCode::OK,
        &page_json(
            &b,
            &format!("/ticket/{}/attachments", t.id),
            items,
            total,
            page,
            per_page,
        ),
    )
}

fn queue_json(base: &str, q: &varde_store::tickets::Queue, fields: Value) -> Value {
    json!({
        "id": q.id,
        "Name": q.name,
        "Description": q.description,
        "CorrespondAddress": q.correspond_address,
        "CommentAddress": q.comment_address,
        "Lifecycle": "default",
        "Disabled": if q.disabled { "1" } else { "0" },
        "SLADisabled": "0",
        "TicketCustomFields": fields,
        "_hyperlinks": [{"ref": "self", "type": "queue", "id": q.id, "_url": format!("{base}/queue/{}", q.id)}],
    })
}

/// `GET /queue/{id}`: the queue, with references to its tickets' custom fields.
pub(super) async fn queue(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
) -> Response {
    let (_, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let queue = match state.app.queue(&actor, &id).await {
        Ok(q) => q.queue,
        Err(e) => return app_error(e),
    };
    let fields = match state.app.custom_fields(&actor).await {
        Ok(f) => f,
        Err(e) => return app_error(e),
    };
    let b = base(&rq.headers);
    let refs = super::custom_fields::references(&b, &fields, &queue.name);
    ok_json(StatusCode::OK, &queue_json(&b, &queue, refs))
}

/// A user. Account details (role, disabled, real name) only for whom `can` lets read
/// accounts, or for one's own; anyone else working tickets sees an address as RT shows any
/// requestor's, whether or not it has an account.
pub(super) async fn user(
    State(state): State<AppState>,
    rq: RtRequest,
    Path(id): Path<String>,
) -> Response {
    let actor = match caller(&rq) {
        Ok((_, actor)) => actor,
        Err(r) => return r,
    };
    let b = base(&rq.headers);
    let account = match state.app.account_named(&actor, &id).await {
        Ok(a) => Some(a),
        Err(AppError::NotFound) => None,
        Err(e) => return app_error(e),
    };
    match account {
        Some(a) => ok_json(
            StatusCode::OK,
            &json!({
                "id": a.id.0, "Name": crate::rt::records::rt_name(&a), "EmailAddress": a.email.to_string(), "RealName": a.name,
                // A number, as RT gives it (python-rt's `user_exists` compares it with 1).
                "Privileged": u8::from(a.role != varde_core::access::Role::Customer), "Disabled": if a.disabled { "1" } else { "0" },
                "_hyperlinks": [{"ref": "self", "type": "user", "id": a.id.0, "_url": format!("{b}/user/{}", a.id)}],
            }),
        ),
        // Requestors who have no account are still users to RT clients.
        None if id.contains('@') => ok_json(
            StatusCode::OK,
            &json!({"id": id, "Name": id, "EmailAddress": id, "Privileged": 0, "Disabled": "0"}),
        ),
        None => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}
