//! TransactionSQL as REST2's `/transactions?query=` takes it when the query is not a JSON
//! array: `Type = 'Correspond' AND ObjectId = 7`. Read into the same limits as RT's JSON
//! search ([`crate::json_query`]): conditions all joined by `AND`, or all by `OR` between
//! values of one field (`Type = 'Comment' OR Type = 'Correspond'`), which is what a limit list
//! says as RT's database would read it. Parentheses, `OR` across fields and `AND` beside `OR`
//! (whose grouping a limit list cannot keep) are refused with why, never guessed.

use crate::json_query::{Limit, Operator};

/// The longest query read.
const MAX_LEN: usize = 4096;
/// The most conditions read.
const MAX_CONDITIONS: usize = 50;

fn operator(words: &[String]) -> Option<(Operator, usize)> {
    let first = words.first()?.to_ascii_uppercase();
    let second = words.get(1).map(|w| w.to_ascii_uppercase());
    Some(match (first.as_str(), second.as_deref()) {
        ("NOT", Some("LIKE")) => (Operator::NotLike, 2),
        ("=" | "==", _) => (Operator::Eq, 1),
        ("!=" | "<>", _) => (Operator::Ne, 1),
        ("<", _) => (Operator::Lt, 1),
        (">", _) => (Operator::Gt, 1),
        ("<=", _) => (Operator::Le, 1),
        (">=", _) => (Operator::Ge, 1),
        ("LIKE", _) => (Operator::Like, 1),
        _ => return None,
    })
}

/// Splits the query into words: quoted values (with `\'` inside), operators, the rest.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' || c == '"' {
            chars.next();
            let mut v = String::from("'");
            loop {
                match chars.next() {
                    None => return Err("a quoted value is not closed".into()),
                    Some('\\') => v.extend(chars.next()),
                    Some(q) if q == c => break,
                    Some(x) => v.push(x),
                }
            }
            out.push(v);
        } else if "=!<>".contains(c) {
            let mut op = String::new();
            while let Some(&x) = chars.peek().filter(|x| "=!<>".contains(**x)) {
                op.push(x);
                chars.next();
            }
            out.push(op);
        } else if c == '(' || c == ')' {
            return Err(
                "Varde reads TransactionSQL without parentheses: conditions joined by AND, \
                 and OR between values of one field"
                    .into(),
            );
        } else {
            let mut w = String::new();
            while let Some(&x) = chars
                .peek()
                .filter(|x| !x.is_whitespace() && !"=!<>'\"()".contains(**x))
            {
                w.push(x);
                chars.next();
            }
            out.push(w);
        }
    }
    Ok(out)
}

/// The limits a TransactionSQL query says.
pub fn parse(text: &str) -> Result<Vec<Limit>, String> {
    if text.len() > MAX_LEN {
        return Err(format!("a query has at most {MAX_LEN} characters"));
    }
    let words = words(text)?;
    let mut limits: Vec<Limit> = Vec::new();
    let mut i = 0;
    let mut joiner: Option<bool> = None;
    let mut joiners: Vec<bool> = Vec::new();
    while i < words.len() {
        let field = words[i].clone();
        if field.starts_with('\'') || field.is_empty() {
            return Err(format!(
                "expecting a field at '{}'",
                field.trim_start_matches('\'')
            ));
        }
        let (op, width) = operator(&words[i + 1..])
            .ok_or_else(|| format!("expecting an operator after '{field}'"))?;
        let value = words
            .get(i + 1 + width)
            .ok_or_else(|| format!("expecting a VALUE after '{field}'"))?;
        let value = value.strip_prefix('\'').unwrap_or(value).to_string();
        if joiner.is_some() && joiners.iter().any(|j| Some(*j) != joiner) {
            return Err(
                "Varde reads TransactionSQL joined all by AND, or all by OR between values of \
                 one field; search twice instead of mixing them"
                    .into(),
            );
        }
        joiners.extend(joiner);
        if let (Some(false), Some(last)) = (joiner, limits.last())
            && !last.field.eq_ignore_ascii_case(&field)
        {
            return Err(format!(
                "Varde reads OR only between values of one field ('{}' OR '{field}'); \
                 search twice instead",
                last.field
            ));
        }
        limits.push(Limit {
            field,
            operator: op,
            value: Some(value),
            case_sensitive: false,
            and: joiner == Some(true),
        });
        if limits.len() > MAX_CONDITIONS {
            return Err(format!("a query has at most {MAX_CONDITIONS} conditions"));
        }
        i += 2 + width;
        joiner = match words.get(i).map(|w| w.to_ascii_uppercase()) {
            None => break,
            Some(w) if w == "AND" => Some(true),
            Some(w) if w == "OR" => Some(false),
            Some(w) => return Err(format!("expecting AND or OR at '{w}'")),
        };
        i += 1;
        if i >= words.len() {
            return Err("expecting a condition after AND or OR".into());
        }
    }
    Ok(limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Vec<(String, Operator, String, bool)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|l| (l.field, l.operator, l.value.unwrap_or_default(), l.and))
            .collect()
    }

    #[test]
    fn conditions_as_rt_clients_write_them() {
        assert_eq!(
            said("Type='Create'"),
            [("Type".into(), Operator::Eq, "Create".into(), false)]
        );
        assert_eq!(
            said("Type = \"Correspond\" AND ObjectId = 7 AND Creator NOT LIKE 'o\\'brien'"),
            [
                ("Type".into(), Operator::Eq, "Correspond".into(), false),
                ("ObjectId".into(), Operator::Eq, "7".into(), true),
                ("Creator".into(), Operator::NotLike, "o'brien".into(), true),
            ]
        );
        assert_eq!(
            said("Type = 'Comment' OR Type = 'Correspond'"),
            [
                ("Type".into(), Operator::Eq, "Comment".into(), false),
                ("Type".into(), Operator::Eq, "Correspond".into(), false),
            ]
        );
    }

    #[test]
    fn what_a_limit_list_cannot_say_is_refused_with_why() {
        for bad in [
            "(Type = 'Create')",
            "Type = 'Create' OR ObjectId = 7",
            "Type = 'Create' OR Type = 'Comment' AND ObjectId = 7",
            "ObjectId = 7 AND Type = 'Create' OR Type = 'Comment'",
            "Type 'Create'",
            "Type =",
            "Type = 'Create' AND",
            "Type = 'Create' THEN x = 1",
            "Type = 'open",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(&"Type = 'x' AND ".repeat(60)).is_err());
    }
}
