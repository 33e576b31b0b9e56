//! TicketSQL, RT's query language, parsed into [`varde_core::ticket::query::Query`].
//!
//! ```text
//! query     := or
//! or        := and ( OR and )*
//! and       := primary ( AND primary )*
//! primary   := '(' or ')' | condition
//! condition := field op value | field IS [NOT] NULL
//! field     := Name | Name.Sub | CF.{Name} | 'CF.{Name}' | CF.Name
//! op        := = | != | <> | < | > | <= | >= | LIKE | NOT LIKE | IS | IS NOT
//! value     := 'text' | "text" | number | bare-word
//! ```
//! Keywords are case-insensitive. Errors name what was expected and where, in words a person
//! can act on; they never carry SQL.
//!
//! A query is bounded before it is read: at most [`MAX_LENGTH`] characters, parentheses
//! nested at most [`MAX_DEPTH`] deep and at most [`MAX_CONDITIONS`] conditions. Every query a
//! person or a saved search writes fits; a hostile one is refused with a message instead of
//! exhausting the parser's stack or the database's expression depth.

use varde_core::ticket::LinkKind;
use varde_core::ticket::query::{Field, Op, Query, Value};

/// Why a query was refused: the message and the character offset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct QueryError {
    pub message: String,
    pub position: usize,
}

/// The longest query text accepted, in characters.
pub const MAX_LENGTH: usize = 16 * 1024;
/// How deep parentheses may nest.
pub const MAX_DEPTH: usize = 32;
/// How many conditions one query may hold.
pub const MAX_CONDITIONS: usize = 250;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Number(i64),
    Op(&'static str),
    Open,
    Close,
}

fn tokenize(input: &str) -> Result<Vec<(Token, usize)>, QueryError> {
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push((Token::Open, pos));
                i += 1;
            }
            ')' => {
                out.push((Token::Close, pos));
                i += 1;
            }
            '\'' | '"' => {
                let quote = c;
                let mut s = String::new();
                i += 1;
                loop {
                    let Some(&(_, c)) = chars.get(i) else {
                        return Err(QueryError {
                            message: format!("the text starting with {quote} is never closed"),
                            position: pos,
                        });
                    };
                    i += 1;
                    if c == '\\' {
                        if let Some(&(_, n)) = chars.get(i) {
                            s.push(n);
                            i += 1;
                        }
                    } else if c == quote {
                        break;
                    } else {
                        s.push(c);
                    }
                }
                out.push((Token::Quoted(s), pos));
            }
            '=' => {
                out.push((Token::Op("="), pos));
                i += 1;
            }
            '!' | '<' | '>' => {
                let next = chars.get(i + 1).map(|x| x.1);
                let (op, len) = match (c, next) {
                    ('!', Some('=')) => ("!=", 2),
                    ('<', Some('>')) => ("!=", 2),
                    ('<', Some('=')) => ("<=", 2),
                    ('>', Some('=')) => (">=", 2),
                    ('<', _) => ("<", 1),
                    ('>', _) => (">", 1),
                    _ => {
                        return Err(QueryError {
                            message: "'!' must be followed by '='".into(),
                            position: pos,
                        });
                    }
                };
                out.push((Token::Op(op), pos));
                i += len;
            }
            _ => {
                let start = i;
                let mut s = String::new();
                let mut braces = 0;
                while let Some(&(_, c)) = chars.get(i) {
                    if c == '{' {
                        braces += 1;
                    } else if c == '}' {
                        braces -= 1;
                    } else if braces == 0 && (c.is_whitespace() || "()=!<>'\"".contains(c)) {
                        break;
                    }
                    s.push(c);
                    i += 1;
                }
                if braces != 0 {
                    return Err(QueryError {
                        message: "a '{' is never closed".into(),
                        position: chars[start].0,
                    });
                }
                let token = match s.parse::<i64>() {
                    Ok(n) if !s.starts_with('+') => Token::Number(n),
                    _ => Token::Word(s),
                };
                out.push((token, pos));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
    end: usize,
    depth: usize,
    conditions: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|t| &t.0)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map(|t| t.1).unwrap_or(self.end)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, QueryError> {
        Err(QueryError {
            message: message.into(),
            position: self.position(),
        })
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            self.at += 1;
            let right = self.and()?;
            left = Query::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut left = self.primary()?;
        while self.keyword("AND") {
            self.at += 1;
            let right = self.primary()?;
            left = Query::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Query, QueryError> {
        match self.peek() {
            Some(Token::Open) => {
                if self.depth == MAX_DEPTH {
                    return self.error(format!(
                        "parentheses nest more than {MAX_DEPTH} deep; simplify the query"
                    ));
                }
                self.at += 1;
                self.depth += 1;
                let q = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Token::Close) {
                    return self.error("expecting ')'");
                }
                self.at += 1;
                Ok(q)
            }
            Some(Token::Word(_)) | Some(Token::Quoted(_)) => {
                if self.conditions == MAX_CONDITIONS {
                    return self.error(format!(
                        "the query has more than {MAX_CONDITIONS} conditions; split it"
                    ));
                }
                self.conditions += 1;
                self.condition()
            }
            Some(_) => self.error("expecting a field name or '('"),
            None => self.error("expecting a field name, the query ends too early"),
        }
    }

    fn condition(&mut self) -> Result<Query, QueryError> {
        let field_pos = self.position();
        let name = match self.peek() {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => w.clone(),
            _ => return self.error("expecting a field name"),
        };
        let field = field(&name).ok_or_else(|| QueryError {
            message: format!("unknown field '{name}'"),
            position: field_pos,
        })?;
        self.at += 1;
        let op =
            match self.peek() {
                Some(Token::Op(o)) => {
                    let o = match *o {
                        "=" => Op::Eq,
                        "!=" => Op::Ne,
                        "<" => Op::Lt,
                        ">" => Op::Gt,
                        "<=" => Op::Le,
                        _ => Op::Ge,
                    };
                    self.at += 1;
                    o
                }
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("LIKE") => {
                    self.at += 1;
                    Op::Like
                }
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("NOT") => {
                    self.at += 1;
                    if !self.keyword("LIKE") {
                        return self.error("expecting LIKE after NOT");
                    }
                    self.at += 1;
                    Op::NotLike
                }
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("IS") => {
                    self.at += 1;
                    let negated = self.keyword("NOT");
                    if negated {
                        self.at += 1;
                    }
                    if !self.keyword("NULL") {
                        return self.error("expecting NULL after IS");
                    }
                    self.at += 1;
                    let op = if negated { Op::IsNotNull } else { Op::IsNull };
                    return Ok(Query::Condition {
                        field,
                        op,
                        value: Value::Null,
                    });
                }
                _ => return self.error(format!(
                    "expecting an operator (=, !=, <, >, <=, >=, LIKE, NOT LIKE, IS) after '{name}'"
                )),
            };
        let value = match self.peek() {
            Some(Token::Quoted(s)) => Value::Text(s.clone()),
            Some(Token::Number(n)) => Value::Number(*n),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("NULL") => Value::Null,
            Some(Token::Word(w)) if !["AND", "OR"].iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                Value::Text(w.clone())
            }
            _ => return self.error(format!("expecting a VALUE after '{name}'")),
        };
        self.at += 1;
        if value == Value::Null {
            return match op {
                Op::Eq => Ok(Query::Condition {
                    field,
                    op: Op::IsNull,
                    value,
                }),
                Op::Ne => Ok(Query::Condition {
                    field,
                    op: Op::IsNotNull,
                    value,
                }),
                _ => self.error("NULL can only be compared with = or != (or IS)"),
            };
        }
        Ok(Query::Condition { field, op, value })
    }
}

/// The field a name denotes, with RT's spellings and aliases.
fn field(name: &str) -> Option<Field> {
    let lower = name.to_ascii_lowercase();
    for prefix in ["cf.", "customfield."] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let original = &name[prefix.len()..];
            let _ = rest;
            let cf = original.trim_start_matches('{').trim_end_matches('}');
            return (!cf.is_empty()).then(|| Field::CustomField(cf.to_string()));
        }
    }
    let (base, sub) = match lower.split_once('.') {
        Some((b, s)) => (b.to_string(), Some(s.to_string())),
        None => (lower.clone(), None),
    };
    let watcher_sub_ok = sub
        .as_deref()
        .is_none_or(|s| matches!(s, "emailaddress" | "name" | "realname"));
    let f = match base.as_str() {
        "id" | "ticket" => Field::Id,
        "effectiveid" => Field::EffectiveId,
        "subject" => Field::Subject,
        "status" => Field::Status,
        "queue" => Field::Queue,
        "owner" => Field::Owner,
        "creator" => Field::Creator,
        "lastupdatedby" => Field::LastUpdatedBy,
        "priority" => Field::Priority,
        "initialpriority" => Field::InitialPriority,
        "finalpriority" => Field::FinalPriority,
        "timeworked" => Field::TimeWorked,
        "timeestimated" => Field::TimeEstimated,
        "timeleft" => Field::TimeLeft,
        "created" => Field::Created,
        "starts" => Field::Starts,
        "started" => Field::Started,
        "resolved" => Field::Resolved,
        "due" => Field::Due,
        "told" => Field::Told,
        "lastupdated" | "updated" => Field::LastUpdated,
        "requestor" | "requestors" if watcher_sub_ok => Field::Requestor,
        "cc" if watcher_sub_ok => Field::Cc,
        "admincc" if watcher_sub_ok => Field::AdminCc,
        "watcher" | "watchers" if watcher_sub_ok => Field::Watcher,
        "content" => Field::Content,
        "organization" | "organisation" => Field::Organization,
        "dependson" => Field::Link(vec![LinkKind::DependsOn]),
        "dependedonby" => Field::Link(vec![LinkKind::DependedOnBy]),
        "refersto" => Field::Link(vec![LinkKind::RefersTo]),
        "referredtoby" => Field::Link(vec![LinkKind::ReferredToBy]),
        "memberof" => Field::Link(vec![LinkKind::MemberOf]),
        "hasmember" | "members" => Field::Link(vec![LinkKind::Members]),
        "linkedto" => Field::Link(vec![
            LinkKind::DependsOn,
            LinkKind::RefersTo,
            LinkKind::MemberOf,
        ]),
        "linkedfrom" => Field::Link(vec![
            LinkKind::DependedOnBy,
            LinkKind::ReferredToBy,
            LinkKind::Members,
        ]),
        _ => return None,
    };
    if sub.is_some()
        && !matches!(
            f,
            Field::Requestor
                | Field::Cc
                | Field::AdminCc
                | Field::Watcher
                | Field::Queue
                | Field::Owner
        )
    {
        return None;
    }
    Some(f)
}

/// How many conditions a query holds (at most [`MAX_CONDITIONS`] in a parsed one).
pub fn conditions(q: &Query) -> usize {
    match q {
        Query::All => 0,
        Query::Condition { .. } => 1,
        Query::And(a, b) | Query::Or(a, b) => conditions(a) + conditions(b),
    }
}

/// Parses a TicketSQL query. An empty query matches every ticket.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let length = input.chars().count();
    if length > MAX_LENGTH {
        return Err(QueryError {
            message: format!("the query is longer than {MAX_LENGTH} characters"),
            position: MAX_LENGTH,
        });
    }
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Ok(Query::All);
    }
    let mut p = Parser {
        tokens,
        at: 0,
        end: length,
        depth: 0,
        conditions: 0,
    };
    let q = p.or()?;
    if p.at < p.tokens.len() {
        return p.error("expecting AND, OR or the end of the query");
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a query as a compact S-expression, to compare against expectations.
    fn show(q: &Query) -> String {
        match q {
            Query::All => "ALL".into(),
            Query::And(a, b) => format!("(and {} {})", show(a), show(b)),
            Query::Or(a, b) => format!("(or {} {})", show(a), show(b)),
            Query::Condition { field, op, value } => {
                let v = match value {
                    Value::Text(s) => format!("{s:?}"),
                    Value::Number(n) => n.to_string(),
                    Value::Null => "NULL".into(),
                };
                format!("({field:?} {op:?} {v})")
            }
        }
    }

    fn check(input: &str, expect: &str) {
        match parse(input) {
            Ok(q) => assert_eq!(show(&q), expect, "{input}"),
            Err(e) => assert_eq!(format!("error: {e}"), expect, "{input}"),
        }
    }

    #[test]
    fn queries_rt_clients_send() {
        check("", "ALL");
        check("DependsOn = 12", "(Link([DependsOn]) Eq 12)");
        check("HasMember = 3", "(Link([Members]) Eq 3)");
        check(
            "LinkedTo = 4",
            "(Link([DependsOn, RefersTo, MemberOf]) Eq 4)",
        );
        check("referredtoby IS NULL", "(Link([ReferredToBy]) IsNull NULL)");
        check("id = 5", "(Id Eq 5)");
        check(
            "Queue = 'General' AND Status = '__Active__'",
            r#"(and (Queue Eq "General") (Status Eq "__Active__"))"#,
        );
        check("Subject LIKE 'disk'", r#"(Subject Like "disk")"#);
        check("subject not like \"disk\"", r#"(Subject NotLike "disk")"#);
        check(
            "Requestor.EmailAddress = 'carol@customer.example'",
            r#"(Requestor Eq "carol@customer.example")"#,
        );
        check(
            "CF.{Site} = 'se-sto1'",
            r#"(CustomField("Site") Eq "se-sto1")"#,
        );
        check(
            "'CF.{Data Centre}' LIKE 'sto'",
            r#"(CustomField("Data Centre") Like "sto")"#,
        );
        check(
            "Owner = 'Nobody' OR Owner = 'ada@example.com' AND Priority > 10",
            r#"(or (Owner Eq "Nobody") (and (Owner Eq "ada@example.com") (Priority Gt 10)))"#,
        );
        check(
            "(Status = 'new' OR Status = 'open') AND Queue = 'General'",
            r#"(and (or (Status Eq "new") (Status Eq "open")) (Queue Eq "General"))"#,
        );
        check("Due IS NULL", "(Due IsNull NULL)");
        check("Due is not null", "(Due IsNotNull NULL)");
        check("Owner = NULL", "(Owner IsNull NULL)");
        check(
            "Created > '2026-01-01' AND Created <= '2026-03-31 23:59:59'",
            r#"(and (Created Gt "2026-01-01") (Created Le "2026-03-31 23:59:59"))"#,
        );
        check("Status != resolved", r#"(Status Ne "resolved")"#);
        check("Status <> 'resolved'", r#"(Status Ne "resolved")"#);
        check(
            "Content LIKE 'volume full'",
            r#"(Content Like "volume full")"#,
        );
        check("Subject = 'it\\'s'", r#"(Subject Eq "it's")"#);
    }

    #[test]
    fn bad_queries_get_messages_a_person_can_act_on() {
        check(
            "Status =",
            "error: expecting a VALUE after 'Status' (at character 8)",
        );
        check(
            "Colour = 'red'",
            "error: unknown field 'Colour' (at character 0)",
        );
        check("(Status = 'new'", "error: expecting ')' (at character 15)");
        check(
            "Status = 'new' Queue = 'x'",
            "error: expecting AND, OR or the end of the query (at character 15)",
        );
        check(
            "Subject = 'open",
            "error: the text starting with ' is never closed (at character 10)",
        );
        check(
            "Status 'new'",
            "error: expecting an operator (=, !=, <, >, <=, >=, LIKE, NOT LIKE, IS) after 'Status' (at character 7)",
        );
        check(
            "Due > NULL",
            "error: NULL can only be compared with = or != (or IS) (at character 10)",
        );
        check("AND", "error: unknown field 'AND' (at character 0)");
    }

    #[test]
    fn hostile_sizes_are_refused_with_a_message() {
        let deep = format!("{}id > 0{}", "(".repeat(5000), ")".repeat(5000));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nest more than 32"), "{e}");
        let nested = format!("{}id > 0{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&nested).is_ok());
        let many = vec!["id > 0"; 300].join(" AND ");
        let e = parse(&many).unwrap_err();
        assert!(e.message.contains("more than 250 conditions"), "{e}");
        assert!(parse(&vec!["id>0"; 2000].join(" AND ")).is_err());
        assert!(parse(&vec!["id > 0"; MAX_CONDITIONS].join(" OR ")).is_ok());
        let long = format!("Subject = '{}'", "x".repeat(MAX_LENGTH));
        assert!(parse(&long).unwrap_err().message.contains("longer than"));
    }

    proptest::proptest! {
        /// Whatever the input, the parser answers with a query or an error; it never panics.
        #[test]
        fn never_panics(input in "\\PC{0,80}") {
            let _ = parse(&input);
        }

        /// A quoted value comes back exactly, whatever it contains.
        #[test]
        fn quoted_values_round_trip(value in "[^'\\\\]{0,30}") {
            let q = parse(&format!("Subject = '{value}'")).unwrap();
            proptest::prop_assert_eq!(q, Query::Condition { field: Field::Subject, op: Op::Eq, value: Value::Text(value) });
        }
    }
}
