//! Request bodies as RT's clients send them: urlencoded forms (python `rt.rest1`, curl),
//! multipart forms (the `rt` CLI's `boundary=xYzZY`, `rt-mailgate`, attachments) and REST2's
//! JSON objects, read into fields. Reading never fails: what cannot be read is left out, and
//! the caller answers for the fields that are missing.

use serde_json::{Map, Value};

/// One part of a multipart form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type; `None` for any other type, or when
/// the type does not parse.
pub fn multipart_boundary(content_type: &str) -> Option<String> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    multer::parse_boundary(content_type).ok()
}

/// The parts of a multipart body, as far as it can be read.
pub async fn multipart(body: &[u8], boundary: &str) -> Vec<Part> {
    let bytes = bytes::Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut m = multer::Multipart::new(stream, boundary);
    let mut out = Vec::new();
    while let Ok(Some(field)) = m.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|c| c.to_string());
        let Ok(data) = field.bytes().await else { break };
        out.push(Part {
            name,
            filename,
            content_type,
            data: data.to_vec(),
        });
    }
    out
}

/// The fields of an urlencoded body, in order (names may repeat).
pub fn urlencoded(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A JSON value as the text of an RT field: lists joined with commas, a reference by its id.
pub fn field_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => (if *b { "1" } else { "0" }).into(),
        Value::Array(a) => a.iter().map(field_text).collect::<Vec<_>>().join(", "),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("Name"))
            .map(field_text)
            .unwrap_or_default(),
        Value::Null => String::new(),
    }
}

/// The RT fields of a REST2 JSON object, with `CustomFields: {"Name": value}` spread out as
/// `CF.{Name}`.
pub fn json_fields(obj: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in obj {
        if k == "CustomFields" {
            if let Value::Object(cfs) = v {
                for (name, value) in cfs {
                    out.push((format!("CF.{{{name}}}"), field_text(value)));
                }
            }
            continue;
        }
        out.push((k.clone(), field_text(v)));
    }
    out
}

/// A REST2 request's JSON body: an object, or why not. An empty body is an empty object.
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err("JSON parse error: expected an object".into()),
        Err(e) => Err(format!("JSON parse error: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        futures_util::FutureExt::now_or_never(f).expect("an in-memory body is read at once")
    }

    #[test]
    fn the_clis_multipart_form_is_read() {
        let ct = "multipart/form-data; boundary=xYzZY";
        let boundary = multipart_boundary(ct).unwrap();
        assert_eq!(boundary, "xYzZY");
        let body = "--xYzZY\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nid: ticket/new\nQueue: General\r\n--xYzZY\r\nContent-Disposition: form-data; name=\"attachment_1\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--xYzZY--\r\n";
        let parts = block_on(multipart(body.as_bytes(), &boundary));
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "content");
        assert_eq!(parts[0].data, b"id: ticket/new\nQueue: General");
        assert_eq!(parts[1].filename.as_deref(), Some("a.txt"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            multipart_boundary("application/x-www-form-urlencoded"),
            None
        );
        assert_eq!(multipart_boundary("multipart/form-data"), None);
    }

    #[test]
    fn json_objects_become_fields() {
        let o = json_object(br#"{"Subject": "x", "Requestor": ["a@x", "b@x"], "CustomFields": {"Site": "se"}, "Queue": {"id": "General"}}"#).unwrap();
        let mut f = json_fields(&o);
        f.sort();
        assert_eq!(
            f,
            [
                ("CF.{Site}".to_string(), "se".to_string()),
                ("Queue".into(), "General".into()),
                ("Requestor".into(), "a@x, b@x".into()),
                ("Subject".into(), "x".into()),
            ]
        );
        assert!(
            json_object(b"[1]")
                .unwrap_err()
                .contains("expected an object")
        );
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            json_object(deep.as_bytes())
                .unwrap_err()
                .contains("recursion limit")
        );
    }
}
