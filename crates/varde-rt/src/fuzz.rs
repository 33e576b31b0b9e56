//! The properties checked on untrusted input, one function per parser: the cargo-fuzz targets
//! in `fuzz/` call them with what libFuzzer generates, and `tests/corpus.rs` replays every
//! input the fuzzer kept through them. Each panics when a property fails.

use futures_util::FutureExt;

use crate::{form, rest1, ticketsql, transaction_sql};

/// Any text as a TicketSQL query: a query or an error, never a panic or a stack overflow; an
/// accepted query stays within the parser's limits.
pub fn ticketsql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(q) = ticketsql::parse(&text) {
        assert!(ticketsql::conditions(&q) <= ticketsql::MAX_CONDITIONS);
    }
}

/// Any bytes as a REST 1.0 body: the `rt` CLI's multipart form (boundary `xYzZY`) when the
/// first byte is odd, an urlencoded form otherwise; every field then read as RT's
/// `Key: value` content, whose keys are single lines.
pub fn rest1_form(data: &[u8]) {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let fields: Vec<(String, String)> = if first % 2 == 1 {
        let boundary = form::multipart_boundary("multipart/form-data; boundary=xYzZY")
            .expect("the CLI's content type has a boundary");
        form::multipart(body, &boundary)
            .now_or_never()
            .expect("an in-memory body is read at once")
            .into_iter()
            .map(|p| (p.name, String::from_utf8_lossy(&p.data).into_owned()))
            .collect()
    } else {
        form::urlencoded(body)
    };
    for (_, value) in &fields {
        for (key, _) in rest1::parse_content(value) {
            assert!(!key.contains('\n'), "a key spans lines");
        }
    }
}

/// Any bytes as a REST2 JSON body: an object or a clear error (serde_json bounds the nesting),
/// and every member of an object becomes a field (custom fields one each).
pub fn rest2_json(data: &[u8]) {
    if let Ok(object) = form::json_object(data) {
        let fields = form::json_fields(&object);
        let plain = object.keys().filter(|k| *k != "CustomFields").count();
        assert!(fields.len() >= plain);
    }
}

/// Any text as TransactionSQL: limits or an error, never a panic; every limit has a field and
/// a value, and there are at most fifty.
pub fn transaction_sql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(limits) = transaction_sql::parse(&text) {
        assert!(limits.len() <= 50);
        assert!(
            limits
                .iter()
                .all(|l| !l.field.is_empty() && l.value.is_some())
        );
    }
}
