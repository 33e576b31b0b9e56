//! REST2's JSON searches of queues and users (`RT::REST2::Resource::Collection::QueryByJSON`):
//! a JSON array of limits, `[{"field": "Name", "operator": "LIKE", "value": "gen"}]`, sent as
//! the body of a `POST` or as `?query=` of a `GET`. As RT's `DBIx::SearchBuilder` reads them:
//! limits on the same field are joined by their `entry_aggregator` (`OR` unless it says
//! `AND`), different fields by `AND`; the operator is `=` when none is given; comparisons
//! ignore case unless `case_sensitive` is true; `LIKE` matches anywhere in the value
//! (SearchBuilder wraps it in `%`), `STARTSWITH` and `ENDSWITH` at an end; a field that is not
//! searchable, or a limit without a field or value, is skipped, as RT does.

use serde_json::Value;

/// One limit of a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub field: String,
    pub operator: Operator,
    /// `None`: RT's `NULL` (`"value": null` with `IS` or `IS NOT`).
    pub value: Option<String>,
    pub case_sensitive: bool,
    /// Joins this limit to the earlier ones on the same field by `AND` instead of `OR`.
    pub and: bool,
}

/// The operators SearchBuilder takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
    NotLike,
    StartsWith,
    EndsWith,
    Is,
    IsNot,
}

impl Operator {
    pub fn parse(s: &str) -> Option<Operator> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "=" | "==" => Operator::Eq,
            "!=" | "<>" => Operator::Ne,
            "<" => Operator::Lt,
            ">" => Operator::Gt,
            "<=" => Operator::Le,
            ">=" => Operator::Ge,
            "LIKE" => Operator::Like,
            "NOT LIKE" => Operator::NotLike,
            "STARTSWITH" => Operator::StartsWith,
            "ENDSWITH" => Operator::EndsWith,
            "IS" => Operator::Is,
            "IS NOT" => Operator::IsNot,
            _ => return None,
        })
    }
}

/// Why a search cannot be read: RT answers these with `400`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// Reads a search: nothing (every record) for an empty text or one that is not an array, as
/// RT does; an array that is not JSON, or a limit with an unknown operator, is an error.
pub fn parse(text: &str) -> Result<Vec<Limit>, QueryError> {
    if !text.trim_start().starts_with('[') {
        return Ok(Vec::new());
    }
    let items: Vec<Value> =
        serde_json::from_str(text).map_err(|e| QueryError(format!("JSON parse error: {e}")))?;
    let mut limits = Vec::new();
    for item in items {
        let (Some(field), Some(value)) =
            (item.get("field").and_then(Value::as_str), item.get("value"))
        else {
            continue;
        };
        let op = item.get("operator").and_then(Value::as_str).unwrap_or("=");
        let operator =
            Operator::parse(op).ok_or_else(|| QueryError(format!("Invalid operator {op}")))?;
        let value = match value {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        };
        limits.push(Limit {
            field: field.to_string(),
            operator,
            value,
            case_sensitive: item
                .get("case_sensitive")
                .is_some_and(|v| v.as_bool() == Some(true) || v.as_i64() == Some(1)),
            and: item
                .get("entry_aggregator")
                .and_then(Value::as_str)
                .is_some_and(|a| a.eq_ignore_ascii_case("AND")),
        });
    }
    Ok(limits)
}

/// Whether a record passes the limits on `searchable` fields, reading a field's value with
/// `get` (`None`: the record has none).
pub fn matches(
    limits: &[Limit],
    searchable: &[&str],
    get: impl Fn(&str) -> Option<String>,
) -> bool {
    let mut fields: Vec<&str> = Vec::new();
    for l in limits {
        if searchable.contains(&l.field.as_str()) && !fields.contains(&l.field.as_str()) {
            fields.push(&l.field);
        }
    }
    fields.iter().all(|field| {
        let value = get(field);
        let mut result: Option<bool> = None;
        for l in limits.iter().filter(|l| l.field == *field) {
            let this = holds(l, value.as_deref());
            result = Some(match result {
                None => this,
                Some(before) if l.and => before && this,
                Some(before) => before || this,
            });
        }
        result.unwrap_or(true)
    })
}

fn holds(l: &Limit, value: Option<&str>) -> bool {
    let Some(wanted) = l.value.as_deref() else {
        return match l.operator {
            Operator::IsNot | Operator::Ne => value.is_some_and(|v| !v.is_empty()),
            _ => value.is_none_or(str::is_empty),
        };
    };
    let Some(value) = value else {
        return matches!(l.operator, Operator::Ne | Operator::NotLike);
    };
    let (value, wanted) = if l.case_sensitive {
        (value.to_string(), wanted.to_string())
    } else {
        (value.to_lowercase(), wanted.to_lowercase())
    };
    // Numbers compare as numbers, as the database compares an id.
    let order = match (value.parse::<f64>(), wanted.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.partial_cmp(&b),
        _ => Some(value.as_str().cmp(wanted.as_str())),
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    match l.operator {
        Operator::Eq | Operator::Is => order == Some(Equal),
        Operator::Ne | Operator::IsNot => order != Some(Equal),
        Operator::Lt => order == Some(Less),
        Operator::Gt => order == Some(Greater),
        Operator::Le => matches!(order, Some(Less | Equal)),
        Operator::Ge => matches!(order, Some(Greater | Equal)),
        Operator::Like => like(&value, &wanted),
        Operator::NotLike => !like(&value, &wanted),
        Operator::StartsWith => value.starts_with(&wanted),
        Operator::EndsWith => value.ends_with(&wanted),
    }
}

/// SearchBuilder's `LIKE`: anywhere, unless the value carries its own `%` wildcards.
fn like(value: &str, wanted: &str) -> bool {
    if !wanted.contains('%') {
        return value.contains(wanted);
    }
    let parts: Vec<&str> = wanted.split('%').collect();
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            if !value.starts_with(part) {
                return false;
            }
            at = part.len();
        } else if i == parts.len() - 1 {
            return value.len() >= at + part.len() && value[at..].ends_with(part);
        } else {
            match value[at..].find(part) {
                Some(p) => at += p + part.len(),
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [&str; 3] = ["Name", "Description", "id"];

    fn queue(field: &str) -> Option<String> {
        match field {
            "Name" => Some("General".into()),
            "Description" => Some("The default queue".into()),
            "id" => Some("12".into()),
            _ => None,
        }
    }

    fn check(query: &str) -> bool {
        matches(&parse(query).unwrap(), &FIELDS, queue)
    }

    #[test]
    fn limits_read_as_rts_searchbuilder_reads_them() {
        assert!(check(""), "no query: everything");
        assert!(check("not an array"), "RT ignores what is not an array");
        assert!(
            check(r#"[{"field": "Name", "value": "general"}]"#),
            "= ignores case"
        );
        assert!(!check(
            r#"[{"field": "Name", "value": "general", "case_sensitive": 1}]"#
        ));
        assert!(check(
            r#"[{"field": "Name", "operator": "LIKE", "value": "ene"}]"#
        ));
        assert!(check(
            r#"[{"field": "Name", "operator": "LIKE", "value": "Gen%al"}]"#
        ));
        assert!(!check(
            r#"[{"field": "Name", "operator": "LIKE", "value": "%ene"}]"#
        ));
        assert!(check(
            r#"[{"field": "Name", "operator": "NOT LIKE", "value": "sales"}]"#
        ));
        assert!(check(
            r#"[{"field": "Name", "operator": "STARTSWITH", "value": "gen"}]"#
        ));
        assert!(
            check(r#"[{"field": "id", "operator": ">", "value": 9}]"#),
            "ids as numbers"
        );
        assert!(!check(
            r#"[{"field": "id", "operator": "<", "value": "9"}]"#
        ));
        // Same field: OR unless AND is asked; different fields: AND.
        assert!(check(
            r#"[{"field": "Name", "value": "Sales"}, {"field": "Name", "value": "General"}]"#
        ));
        assert!(!check(
            r#"[{"field": "Name", "value": "Sales"}, {"field": "Name", "value": "General", "entry_aggregator": "AND"}]"#
        ));
        assert!(!check(
            r#"[{"field": "Name", "value": "General"}, {"field": "id", "value": "13"}]"#
        ));
        // What cannot be searched is skipped, as RT skips it.
        assert!(check(
            r#"[{"field": "Password", "value": "x"}, {"field": "Name"}]"#
        ));
        assert!(check(
            r#"[{"field": "Comment", "operator": "IS", "value": null}]"#
        ));
        assert_eq!(
            parse(r#"[{"field": "Name", "operator": "~~", "value": "x"}]"#),
            Err(QueryError("Invalid operator ~~".into()))
        );
        assert!(parse("[{").is_err());
    }

    #[test]
    fn null_and_missing_values() {
        let limits =
            parse(r#"[{"field": "Description", "operator": "IS", "value": null}]"#).unwrap();
        assert!(!matches(&limits, &FIELDS, queue));
        assert!(matches(&limits, &FIELDS, |_| None));
        let limits =
            parse(r#"[{"field": "Description", "operator": "!=", "value": "x"}]"#).unwrap();
        assert!(matches(&limits, &FIELDS, |_| None), "no value is not x");
    }
}
