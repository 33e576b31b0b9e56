//! REST2's `GET|POST /transactions`: tickets' transactions found by RT's JSON limits (a
//! `query` or a POST's body that is a JSON array) or by TransactionSQL (any other `query`),
//! paged as every REST2 list, with the fields asked for. Searchable: `id`, `Type`, `Created`,
//! `Creator`, `ObjectId` (the ticket), `ObjectType` (always `RT::Ticket`), `Field`,
//! `OldValue`, `NewValue`, `TimeTaken`.

use varde_rt::json_query::{self, Limit, Operator};
use varde_store::transaction_search::{TxColumn, TxCondition, TxOp};

use super::search::{page_json, paging};
use super::*;

fn column(field: &str) -> Result<Option<TxColumn>, String> {
    Ok(Some(match field.to_ascii_lowercase().as_str() {
        "id" => TxColumn::Id,
        "type" => TxColumn::Type,
        "created" => TxColumn::Created,
        "creator" => TxColumn::Creator,
        "objectid" => TxColumn::ObjectId,
        "field" => TxColumn::Field,
        "oldvalue" => TxColumn::OldValue,
        "newvalue" => TxColumn::NewValue,
        "timetaken" => TxColumn::TimeTaken,
        "objecttype" => return Ok(None),
        _ => {
            return Err(format!(
                "{field} is not a field of a transaction Varde searches; use id, Type, Created, \
                 Creator, ObjectId, ObjectType, Field, OldValue, NewValue or TimeTaken"
            ));
        }
    }))
}

/// A date as RT's clients write one (`2026-12-01 10:00:00` in UTC, ISO 8601, or a day), in
/// microseconds since the epoch.
fn micros(value: &str) -> Result<String, String> {
    let v = value.trim();
    let at = v
        .parse::<jiff::Timestamp>()
        .or_else(|_| {
            v.parse::<jiff::civil::DateTime>()
                .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
                .map(|z| z.timestamp())
        })
        .or_else(|_| {
            v.parse::<jiff::civil::Date>()
                .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
                .map(|z| z.timestamp())
        })
        .map_err(|_| format!("'{v}' is not a date; write it as 2026-12-01 10:00:00 (UTC)"))?;
    Ok(at.as_microsecond().to_string())
}

/// RT's limits as conditions the store searches; `ObjectType = 'RT::Ticket'` holds for all.
fn conditions(limits: &[Limit]) -> Result<Vec<TxCondition>, String> {
    let mut out = Vec::new();
    for l in limits {
        let value = l.value.clone().unwrap_or_default();
        let Some(column) = column(&l.field)? else {
            if value.eq_ignore_ascii_case("RT::Ticket") && l.operator == Operator::Eq {
                continue;
            }
            return Err("Varde's transactions are all tickets' (ObjectType = 'RT::Ticket')".into());
        };
        let op = match l.operator {
            Operator::Eq => TxOp::Eq,
            Operator::Ne => TxOp::Ne,
            Operator::Lt => TxOp::Lt,
            Operator::Gt => TxOp::Gt,
            Operator::Le => TxOp::Le,
            Operator::Ge => TxOp::Ge,
            Operator::Like => TxOp::Like,
            Operator::NotLike => TxOp::NotLike,
            other => {
                return Err(format!(
                    "{other:?} is not an operator Varde searches transactions with"
                ));
            }
        };
        let value = if column == TxColumn::Created {
            micros(&value)?
        } else {
            value
        };
        out.push(TxCondition {
            column,
            op,
            value,
            and: l.and,
        });
    }
    Ok(out)
}

/// `GET|POST /transactions`.
pub(super) async fn transactions(
    State(state): State<AppState>,
    rq: RtRequest,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (_, actor) = match caller(&rq) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let text = match params.get("query") {
        Some(q) => q.clone(),
        None => String::from_utf8_lossy(&body).into_owned(),
    };
    let limits = if text.trim().is_empty() {
        Ok(Vec::new())
    } else if text.trim_start().starts_with('[') {
        json_query::parse(&text).map_err(|e| e.0)
    } else {
        varde_rt::transaction_sql::parse(&text).map_err(|e| format!("Wrong query, {e}"))
    };
    let conditions = match limits.and_then(|l| conditions(&l)) {
        Ok(c) => c,
        Err(m) => return error(StatusCode::BAD_REQUEST, &m),
    };
    let (page, per_page) = paging(&params);
    let (ids, total) = match state
        .app
        .search_transactions(&actor, &conditions, (page - 1) * per_page, per_page)
        .await
    {
        Ok(found) => found,
        Err(e) => return app_error(e),
    };
    let b = base(&rq.headers);
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let mut full = Value::Null;
        if params.contains_key("fields") {
            full = match objects::transaction_value(&state, &b, id).await {
                Ok(v) => v,
                Err(r) => return r,
            };
        }
        items.push(search::pick(
            &full,
            "transaction",
            &id.to_string(),
            format!("{b}/transaction/{id}"),
            params.get("fields"),
        ));
    }
    let mut kept: Vec<(&String, &String)> = params.iter().filter(|(k, _)| *k != "page").collect();
    kept.sort();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    let path = if query.is_empty() {
        "/transactions".to_string()
    } else {
        format!("/transactions?{query}")
    };
    ok_json(
        StatusCode::OK,
        &page_json(&b, &path, items, total, page, per_page),
    )
}
