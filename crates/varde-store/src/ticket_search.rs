//! TicketSQL compiled to SQL for either engine. Every value becomes a bound parameter: the
//! query text only ever contains SQL written here, never text from the query.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use varde_core::access::Visibility;
use varde_core::ticket::TicketId;
use varde_core::ticket::query::{Field, Op, Query, Value};

pub(crate) use crate::paged::placeholder;
use crate::{Result, Store};

/// A bound parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Text(String),
    Int(i64),
}

/// Why a query cannot run (the message is for the person who wrote it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SearchError(pub String);

/// Which engine the SQL is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A compiled `WHERE` clause and its parameters, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    pub sql: String,
    pub params: Vec<Param>,
    /// The clause reads a full-text index (subjects or text), so text still waiting to be
    /// indexed must be indexed first (SQLite: `embedded::text_index`).
    pub reads_text_index: bool,
}

struct Compiler {
    dialect: Dialect,
    params: Vec<Param>,
    now: Timestamp,
    reads_text_index: bool,
}

impl Compiler {
    fn bind(&mut self, p: Param) -> String {
        placeholder(&mut self.params, self.dialect, p)
    }

    fn query(&mut self, q: &Query) -> Result<String, SearchError> {
        Ok(match q {
            Query::All => "1=1".into(),
            Query::And(a, b) => format!("({} AND {})", self.query(a)?, self.query(b)?),
            Query::Or(a, b) => format!("({} OR {})", self.query(a)?, self.query(b)?),
            Query::Condition { field, op, value } => self.condition(field, *op, value)?,
        })
    }

    fn text(value: &Value) -> String {
        match value {
            Value::Text(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
        }
    }

    fn like(&mut self, v: &str) -> String {
        let mut p = String::from("%");
        for c in v.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                p.push('\\');
            }
            p.push(c);
        }
        p.push('%');
        self.bind(Param::Text(p))
    }

    /// Whether a substring search can go through the subjects' trigram index: three
    /// characters at least (a trigram), and none that LIKE would read as a wildcard or an
    /// escape (the SQLite index takes no ESCAPE).
    fn trigram_friendly(v: &str) -> bool {
        v.chars().count() >= 3 && !v.contains(['%', '_', '\\'])
    }

    /// The tickets whose subject contains `v` (any case), through the trigram index of
    /// subjects (`ticket_subjects` on SQLite, `tickets_subject_trigrams` on PostgreSQL).
    fn subject_containing(&mut self, v: &str) -> String {
        let pattern = self.bind(Param::Text(format!("%{}%", v.to_lowercase())));
        match self.dialect {
            Dialect::Sqlite => {
                self.reads_text_index = true;
                format!("t.id IN (SELECT rowid FROM ticket_subjects WHERE subject LIKE {pattern})")
            }
            Dialect::Postgres => format!(
                "t.id IN (SELECT s.id FROM tickets s WHERE lower(s.subject) LIKE {pattern})"
            ),
        }
    }

    fn compare(op: Op) -> &'static str {
        match op {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            _ => ">=",
        }
    }

    /// A text column compared case-insensitively.
    fn text_condition(
        &mut self,
        column: &str,
        op: Op,
        value: &Value,
    ) -> Result<String, SearchError> {
        Ok(match op {
            Op::IsNull => format!("({column} IS NULL OR {column} = '')"),
            Op::IsNotNull => format!("({column} IS NOT NULL AND {column} <> '')"),
            Op::Like => format!(
                "lower({column}) LIKE {} ESCAPE '\\'",
                self.like(&Self::text(value))
            ),
            Op::NotLike => format!(
                "lower(COALESCE({column}, '')) NOT LIKE {} ESCAPE '\\'",
                self.like(&Self::text(value))
            ),
            Op::Ne => format!(
                "lower(COALESCE({column}, '')) <> {}",
                self.bind(Param::Text(Self::text(value).to_lowercase()))
            ),
            _ => format!(
                "lower({column}) {} {}",
                Self::compare(op),
                self.bind(Param::Text(Self::text(value).to_lowercase()))
            ),
        })
    }

    fn number_condition(
        &mut self,
        column: &str,
        op: Op,
        value: &Value,
    ) -> Result<String, SearchError> {
        let n = match value {
            Value::Number(n) => *n,
            Value::Text(s) => s
                .trim()
                .parse()
                .map_err(|_| SearchError(format!("'{s}' is not a number")))?,
            Value::Null => 0,
        };
        Ok(match op {
            Op::IsNull => format!("{column} IS NULL"),
            Op::IsNotNull => format!("{column} IS NOT NULL"),
            Op::Like | Op::NotLike => {
                return Err(SearchError("LIKE compares text, not numbers".into()));
            }
            _ => format!(
                "{column} {} {}",
                Self::compare(op),
                self.bind(Param::Int(n))
            ),
        })
    }

    /// A date compared with a date (the whole day, UTC) or a date and time.
    fn date_condition(
        &mut self,
        column: &str,
        op: Op,
        value: &Value,
    ) -> Result<String, SearchError> {
        if matches!(op, Op::IsNull) {
            return Ok(format!("{column} IS NULL"));
        }
        if matches!(op, Op::IsNotNull) {
            return Ok(format!("{column} IS NOT NULL"));
        }
        let raw = Self::text(value);
        let (start, end) = parse_when(&raw, self.now).ok_or_else(|| {
            SearchError(format!(
                "'{raw}' is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"
            ))
        })?;
        let (s, e) = (start.as_microsecond(), end.as_microsecond());
        Ok(match op {
            Op::Eq => format!(
                "({column} >= {} AND {column} < {})",
                self.bind(Param::Int(s)),
                self.bind(Param::Int(e))
            ),
            Op::Ne => format!(
                "({column} IS NULL OR {column} < {} OR {column} >= {})",
                self.bind(Param::Int(s)),
                self.bind(Param::Int(e))
            ),
            Op::Lt => format!("{column} < {}", self.bind(Param::Int(s))),
            Op::Ge => format!("{column} >= {}", self.bind(Param::Int(s))),
            Op::Gt => format!("{column} >= {}", self.bind(Param::Int(e))),
            Op::Le => format!("{column} < {}", self.bind(Param::Int(e))),
            _ => {
                return Err(SearchError(
                    "dates are compared with =, !=, <, >, <=, >=".into(),
                ));
            }
        })
    }

    /// Watchers are tested through the watcher index: `t.id IN (SELECT ticket_id …)`, never a
    /// correlated subquery per ticket.
    /// Links of these kinds (stored on both tickets), to the ticket a value names: a number or
    /// RT's URI (`fsck.com-rt://<rtname>/ticket/<id>`); `IS NULL` for none of them.
    fn link_condition(
        &mut self,
        kinds: &[varde_core::ticket::LinkKind],
        op: Op,
        value: &Value,
    ) -> Result<String, SearchError> {
        let list = kinds
            .iter()
            .map(|k| self.bind(Param::Text(k.name().into())))
            .collect::<Vec<_>>()
            .join(", ");
        let ids = |inner: String| {
            format!("(SELECT l.ticket_id FROM ticket_links l WHERE l.kind IN ({list}){inner})")
        };
        let target = |v: &Value| -> Result<i64, SearchError> {
            match v {
                Value::Number(n) => Ok(*n),
                other => Self::text(other)
                    .rsplit('/')
                    .next()
                    .and_then(|n| n.trim().parse().ok())
                    .ok_or_else(|| SearchError("a link is compared with a ticket number".into())),
            }
        };
        Ok(match op {
            Op::IsNull => format!("t.id NOT IN {}", ids(String::new())),
            Op::IsNotNull => format!("t.id IN {}", ids(String::new())),
            Op::Eq | Op::Ne => {
                let n = target(value)?;
                let v = self.bind(Param::Int(n));
                let not = if op == Op::Ne { "NOT " } else { "" };
                format!("t.id {not}IN {}", ids(format!(" AND l.target = {v}")))
            }
            _ => {
                return Err(SearchError(
                    "links are compared with =, != or IS NULL".into(),
                ));
            }
        })
    }

    fn watcher_condition(
        &mut self,
        role: Option<&str>,
        op: Op,
        value: &Value,
    ) -> Result<String, SearchError> {
        let role_sql = match role {
            Some(r) => format!(" AND w.role = {}", self.bind(Param::Text(r.into()))),
            None => String::new(),
        };
        let ids = |inner: String| {
            format!("(SELECT w.ticket_id FROM ticket_watchers w WHERE 1=1{role_sql}{inner})")
        };
        Ok(match op {
            Op::IsNull => format!("t.id NOT IN {}", ids(String::new())),
            Op::IsNotNull => format!("t.id IN {}", ids(String::new())),
            Op::Eq => {
                let v = self.bind(Param::Text(Self::text(value).to_lowercase()));
                format!("t.id IN {}", ids(format!(" AND w.address = {v}")))
            }
            Op::Ne => {
                let v = self.bind(Param::Text(Self::text(value).to_lowercase()));
                format!("t.id NOT IN {}", ids(format!(" AND w.address = {v}")))
            }
            Op::Like => {
                let v = self.like(&Self::text(value));
                format!(
                    "t.id IN {}",
                    ids(format!(" AND w.address LIKE {v} ESCAPE '\\'"))
                )
            }
            Op::NotLike => {
                let v = self.like(&Self::text(value));
                format!(
                    "t.id NOT IN {}",
                    ids(format!(" AND w.address LIKE {v} ESCAPE '\\'"))
                )
            }
            _ => {
                return Err(SearchError(
                    "watchers are compared with =, !=, LIKE or IS NULL".into(),
                ));
            }
        })
    }

    fn condition(&mut self, field: &Field, op: Op, value: &Value) -> Result<String, SearchError> {
        let column = |c: &str| format!("t.{c}");
        match field {
            Field::Id => self.number_condition(&column("id"), op, value),
            Field::EffectiveId => self.number_condition(&column("effective_id"), op, value),
            Field::Priority => self.number_condition(&column("priority"), op, value),
            Field::InitialPriority => self.number_condition(&column("initial_priority"), op, value),
            Field::FinalPriority => self.number_condition(&column("final_priority"), op, value),
            Field::TimeWorked => self.number_condition(&column("time_worked"), op, value),
            Field::TimeEstimated => self.number_condition(&column("time_estimated"), op, value),
            Field::TimeLeft => self.number_condition(&column("time_left"), op, value),
            Field::Organization => self.number_condition(&column("organization_id"), op, value),
            Field::Subject => match op {
                Op::Like | Op::NotLike if Self::trigram_friendly(&Self::text(value)) => {
                    let found = self.subject_containing(&Self::text(value));
                    Ok(if op == Op::Like {
                        found
                    } else {
                        format!("NOT {found}")
                    })
                }
                _ => self.text_condition(&column("subject"), op, value),
            },
            Field::Queue => self.text_condition(&column("queue"), op, value),
            Field::Creator => self.text_condition(&column("creator"), op, value),
            Field::LastUpdatedBy => self.text_condition(&column("last_updated_by"), op, value),
            Field::Owner => {
                let v = Self::text(value);
                if v.eq_ignore_ascii_case(varde_core::ticket::NOBODY) {
                    // Unowned: the partial index of unowned tickets serves it (by status
                    // and last change, so a count or a page reads the index alone); owned:
                    // written on lower(owner) so that the owner index serves it.
                    return Ok(match op {
                        Op::Eq => "t.owner IS NULL".into(),
                        Op::Ne => "lower(t.owner) IS NOT NULL".into(),
                        _ => self.text_condition(&column("owner"), op, value)?,
                    });
                }
                self.text_condition(&column("owner"), op, value)
            }
            Field::Status => {
                let v = Self::text(value);
                let group = match v.to_ascii_lowercase().as_str() {
                    "__active__" => Some("('new', 'open', 'stalled')"),
                    "__inactive__" => Some("('resolved', 'rejected', 'deleted')"),
                    _ => None,
                };
                match (group, op) {
                    (Some(g), Op::Eq) => Ok(format!("t.status IN {g}")),
                    (Some(g), Op::Ne) => Ok(format!("t.status NOT IN {g}")),
                    (Some(_), _) => Err(SearchError(
                        "__Active__ and __Inactive__ are compared with = or !=".into(),
                    )),
                    // Statuses are stored as lowercase codes: compare the column itself, so
                    // that the status index serves the query.
                    (None, Op::Eq | Op::Ne) => {
                        let sql_op = if op == Op::Eq { "=" } else { "<>" };
                        Ok(format!(
                            "t.status {sql_op} {}",
                            self.bind(Param::Text(v.to_lowercase()))
                        ))
                    }
                    (None, _) => self.text_condition(&column("status"), op, value),
                }
            }
            Field::Created => self.date_condition(&column("created_at"), op, value),
            Field::Starts => self.date_condition(&column("starts_at"), op, value),
            Field::Started => self.date_condition(&column("started_at"), op, value),
            Field::Resolved => self.date_condition(&column("resolved_at"), op, value),
            Field::Due => self.date_condition(&column("due_at"), op, value),
            Field::Told => self.date_condition(&column("told_at"), op, value),
            Field::LastUpdated => self.date_condition(&column("last_updated_at"), op, value),
            Field::Requestor => self.watcher_condition(Some("Requestor"), op, value),
            Field::Cc => self.watcher_condition(Some("Cc"), op, value),
            Field::AdminCc => self.watcher_condition(Some("AdminCc"), op, value),
            Field::Watcher => self.watcher_condition(None, op, value),
            Field::Link(kinds) => self.link_condition(kinds, op, value),
            Field::CustomField(name) => {
                let name_sql = self.bind(Param::Text(name.clone()));
                let ids = |inner: String| {
                    format!(
                        "(SELECT c.ticket_id FROM ticket_custom_fields c WHERE c.name = {name_sql}{inner})"
                    )
                };
                Ok(match op {
                    Op::IsNull => format!("t.id NOT IN {}", ids(String::new())),
                    Op::IsNotNull => format!("t.id IN {}", ids(String::new())),
                    Op::Like => {
                        let v = self.like(&Self::text(value));
                        format!(
                            "t.id IN {}",
                            ids(format!(" AND lower(c.value) LIKE {v} ESCAPE '\\'"))
                        )
                    }
                    Op::NotLike => {
                        let v = self.like(&Self::text(value));
                        format!(
                            "t.id NOT IN {}",
                            ids(format!(" AND lower(c.value) LIKE {v} ESCAPE '\\'"))
                        )
                    }
                    Op::Ne => {
                        let v = self.bind(Param::Text(Self::text(value).to_lowercase()));
                        format!("t.id NOT IN {}", ids(format!(" AND lower(c.value) = {v}")))
                    }
                    _ => {
                        let v = self.bind(Param::Text(Self::text(value).to_lowercase()));
                        format!(
                            "t.id IN {}",
                            ids(format!(" AND lower(c.value) {} {v}", Self::compare(op)))
                        )
                    }
                })
            }
            Field::Content => {
                let words: Vec<String> = Self::text(value)
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect();
                if words.is_empty() {
                    return Err(SearchError(
                        "Content needs at least one word to look for".into(),
                    ));
                }
                let matched = match self.dialect {
                    Dialect::Sqlite => {
                        self.reads_text_index = true;
                        let fts = words
                            .iter()
                            .map(|w| format!("\"{w}\""))
                            .collect::<Vec<_>>()
                            .join(" ");
                        format!(
                            "t.id IN (SELECT CAST(ticket_id AS INTEGER) FROM ticket_text WHERE ticket_text MATCH {})",
                            self.bind(Param::Text(fts))
                        )
                    }
                    Dialect::Postgres => format!(
                        "t.id IN (SELECT ticket_id FROM ticket_text WHERE tsv @@ plainto_tsquery('simple', {}))",
                        self.bind(Param::Text(words.join(" ")))
                    ),
                };
                Ok(match op {
                    Op::Like | Op::Eq => matched,
                    Op::NotLike | Op::Ne => format!("NOT {matched}"),
                    _ => return Err(SearchError("Content is searched with LIKE".into())),
                })
            }
        }
    }
}

/// A date or date-time as the half-open interval it denotes, in UTC: a date is its whole day.
fn parse_when(raw: &str, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let s = raw.trim();
    let utc = |dt: DateTime| dt.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp());
    let day = |d: Date| -> Option<(Timestamp, Timestamp)> {
        let start = utc(d.to_datetime(jiff::civil::Time::midnight()))?;
        Some((start, start + jiff::SignedDuration::from_hours(24)))
    };
    match s.to_ascii_lowercase().as_str() {
        "today" => return day(now.to_zoned(TimeZone::UTC).date()),
        "yesterday" => return day(now.to_zoned(TimeZone::UTC).date().yesterday().ok()?),
        "tomorrow" => return day(now.to_zoned(TimeZone::UTC).date().tomorrow().ok()?),
        "now" => return Some((now, now + jiff::SignedDuration::from_secs(1))),
        _ => {}
    }
    if !s.contains([' ', 'T', ':'])
        && let Ok(d) = s.parse::<Date>()
    {
        return day(d);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some((t, t + jiff::SignedDuration::from_secs(1)));
    }
    if let Ok(dt) = s.replace(' ', "T").parse::<DateTime>() {
        let t = utc(dt)?;
        return Some((t, t + jiff::SignedDuration::from_secs(1)));
    }
    day(s.parse::<Date>().ok()?)
}

/// Compiles a query into a `WHERE` clause over `tickets t`.
pub fn compile(q: &Query, dialect: Dialect, now: Timestamp) -> Result<Compiled, SearchError> {
    let mut c = Compiler {
        dialect,
        params: Vec::new(),
        now,
        reads_text_index: false,
    };
    let sql = c.query(q)?;
    Ok(Compiled {
        sql,
        params: c.params,
        reads_text_index: c.reads_text_index,
    })
}

/// How to order results, with RT's field names.
pub fn order_column(name: &str) -> Option<&'static str> {
    Some(
        match name
            .trim()
            .trim_start_matches(['+', '-'])
            .to_ascii_lowercase()
            .as_str()
        {
            "id" | "" => "t.id",
            "subject" => "t.subject",
            "status" => "t.status",
            "queue" => "t.queue",
            "owner" => "t.owner",
            "priority" => "t.priority",
            "created" => "t.created_at",
            "lastupdated" => "t.last_updated_at",
            "due" => "t.due_at",
            "resolved" => "t.resolved_at",
            "told" => "t.told_at",
            _ => return None,
        },
    )
}

/// A search: the query, who asks (their visibility), the order and the page.
#[derive(Clone, Debug)]
pub struct SearchRequest<'a> {
    pub query: &'a Query,
    pub visibility: Visibility,
    /// An RT field name (`id`, `Created`, `Priority` …).
    pub order_by: &'a str,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
    /// What `today` and `now` mean in the query.
    pub now: Timestamp,
}

/// One page of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchPage {
    pub ids: Vec<TicketId>,
    pub total: i64,
}

impl Store {
    /// Runs a query: the ids of one page, in order, and the number of matches. Merged tickets
    /// are left out, as RT leaves them out. `visibility` limits a customer to its organisation.
    pub async fn search_tickets(
        &self,
        r: &SearchRequest<'_>,
    ) -> Result<std::result::Result<SearchPage, SearchError>> {
        let SearchRequest {
            query: q,
            visibility,
            order_by,
            descending,
            offset,
            limit,
            now,
        } = r.clone();
        let dialect = if self.engine() == "postgres" {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        };
        let compiled = match compile(q, dialect, now) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let Some(order) = order_column(order_by) else {
            return Ok(Err(SearchError(format!("cannot order by '{order_by}'"))));
        };
        if compiled.reads_text_index {
            // Derived data, like a cache filled: not a change any reader sees. Should it
            // fail, the search still runs, without the text still waiting.
            self.index_waiting_text_or_warn().await;
        }
        let mut params = compiled.params.clone();
        let mut scope = String::new();
        match visibility {
            Visibility::All => {}
            Visibility::Nothing => {
                return Ok(Ok(SearchPage {
                    ids: vec![],
                    total: 0,
                }));
            }
            Visibility::Only(org) => {
                params.push(Param::Int(org.0));
                scope = match dialect {
                    Dialect::Sqlite => " AND t.organization_id = ?".into(),
                    Dialect::Postgres => format!(" AND t.organization_id = ${}", params.len()),
                };
            }
            Visibility::Theirs { organization, user } => {
                params.push(Param::Int(organization.0));
                params.push(Param::Int(user.0));
                let (o, u) = match dialect {
                    Dialect::Sqlite => ("?".to_string(), "?".to_string()),
                    Dialect::Postgres => (
                        format!("${}", params.len() - 1),
                        format!("${}", params.len()),
                    ),
                };
                scope = format!(" AND t.organization_id = {o} AND {}", theirs_clause(&u));
            }
        }
        let filter = format!("t.effective_id = t.id AND ({}){scope}", compiled.sql);
        let direction = if descending { "DESC" } else { "ASC" };
        let count_sql = format!("SELECT COUNT(*) FROM tickets t WHERE {filter}");
        let page_sql = format!(
            "SELECT t.id FROM tickets t WHERE {filter} ORDER BY {order} {direction}, t.id {direction} LIMIT {} OFFSET {}",
            limit.clamp(0, 100_000),
            offset.max(0)
        );
        let (total, ids) = self.counted_page(count_sql, page_sql, &params).await?;
        Ok(Ok(SearchPage {
            ids: ids.into_iter().map(TicketId).collect(),
            total,
        }))
    }
}

/// Whether ticket `t` is one the account with id `user` (a bound parameter) asked for or is
/// copied on. Watchers are stored in lower case.
pub(crate) fn theirs_clause(user: &str) -> String {
    // The account's few tickets are found through the watchers' address index once, not
    // looked for ticket by ticket among all of its organisation's.
    format!(
        "t.id IN (SELECT w.ticket_id FROM ticket_watchers w WHERE w.role IN ('Requestor', 'Cc') \
         AND w.address = (SELECT lower(u.email) FROM users u WHERE u.id = {user}))"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, dialect: Dialect, expect: &str) {
        let parsed = parse(query);
        let c = compile(&parsed, dialect, "2026-06-15T12:00:00Z".parse().unwrap()).unwrap();
        let params: Vec<String> = c
            .params
            .iter()
            .map(|p| match p {
                Param::Text(s) => format!("{s:?}"),
                Param::Int(i) => i.to_string(),
            })
            .collect();
        assert_eq!(
            format!("{} -- [{}]", c.sql, params.join(", ")),
            expect,
            "{query}"
        );
    }

    /// A tiny stand-in for the real parser (in varde-rt, which this crate does not depend on):
    /// the cases below build their queries by hand.
    fn parse(which: &str) -> Query {
        use Field::*;
        let cond = |field: Field, op: Op, value: Value| Query::Condition { field, op, value };
        match which {
            "active in general" => Query::And(
                Box::new(cond(Queue, Op::Eq, Value::Text("General".into()))),
                Box::new(cond(Status, Op::Eq, Value::Text("__Active__".into()))),
            ),
            "requestor" => cond(Requestor, Op::Eq, Value::Text("Carol@X.example".into())),
            "nobody" => cond(Owner, Op::Eq, Value::Text("Nobody".into())),
            "created on a day" => cond(Created, Op::Eq, Value::Text("2026-01-02".into())),
            "cf like" => cond(
                CustomField("Site".into()),
                Op::Like,
                Value::Text("50%_off".into()),
            ),
            "content" => cond(Content, Op::Like, Value::Text("disk full!".into())),
            _ => Query::All,
        }
    }

    #[test]
    fn values_are_always_parameters() {
        check(
            "active in general",
            Dialect::Postgres,
            r#"(lower(t.queue) = $1 AND t.status IN ('new', 'open', 'stalled')) -- ["general"]"#,
        );
        check(
            "active in general",
            Dialect::Sqlite,
            r#"(lower(t.queue) = ? AND t.status IN ('new', 'open', 'stalled')) -- ["general"]"#,
        );
        check(
            "requestor",
            Dialect::Postgres,
            r#"t.id IN (SELECT w.ticket_id FROM ticket_watchers w WHERE 1=1 AND w.role = $1 AND w.address = $2) -- ["Requestor", "carol@x.example"]"#,
        );
        check("nobody", Dialect::Sqlite, "t.owner IS NULL -- []");
        check(
            "created on a day",
            Dialect::Postgres,
            "(t.created_at >= $1 AND t.created_at < $2) -- [1767312000000000, 1767398400000000]",
        );
        check(
            "cf like",
            Dialect::Postgres,
            r#"t.id IN (SELECT c.ticket_id FROM ticket_custom_fields c WHERE c.name = $1 AND lower(c.value) LIKE $2 ESCAPE '\') -- ["Site", "%50\\%\\_off%"]"#,
        );
        check(
            "content",
            Dialect::Sqlite,
            r#"t.id IN (SELECT CAST(ticket_id AS INTEGER) FROM ticket_text WHERE ticket_text MATCH ?) -- ["\"disk\" \"full\""]"#,
        );
        check(
            "content",
            Dialect::Postgres,
            r#"t.id IN (SELECT ticket_id FROM ticket_text WHERE tsv @@ plainto_tsquery('simple', $1)) -- ["disk full"]"#,
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;
    use varde_core::ticket::query::{Field, Op, Query, Value};

    use super::{Dialect, compile};

    fn text_fields() -> impl Strategy<Value = Field> {
        prop_oneof![
            Just(Field::Subject),
            Just(Field::Queue),
            Just(Field::Creator),
            Just(Field::Requestor),
            Just(Field::Cc),
            Just(Field::Watcher),
            "[A-Za-z ]{1,12}".prop_map(Field::CustomField),
        ]
    }

    fn ops() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Eq),
            Just(Op::Ne),
            Just(Op::Like),
            Just(Op::NotLike)
        ]
    }

    proptest! {
        /// The SQL text depends on the query's shape only: whatever the values are (quotes,
        /// semicolons, comment markers, any Unicode), two values give the same SQL text, so no
        /// value can ever reach the database except as a bound parameter. (A subject search
        /// takes one of two texts, by whether the subjects' trigram index can serve it.)
        #[test]
        fn values_never_reach_the_sql_text(field in text_fields(), op in ops(), a in "\\PC{0,40}", b in "\\PC{0,40}", postgres in any::<bool>()) {
            prop_assume!(crate::ticket_search::Compiler::trigram_friendly(&a) == crate::ticket_search::Compiler::trigram_friendly(&b));
            let dialect = if postgres { Dialect::Postgres } else { Dialect::Sqlite };
            let now = "2026-06-15T12:00:00Z".parse().unwrap();
            let q = |v: &str| Query::Condition { field: field.clone(), op, value: Value::Text(v.to_string()) };
            let (ca, cb) = (compile(&q(&a), dialect, now).unwrap(), compile(&q(&b), dialect, now).unwrap());
            prop_assert_eq!(&ca.sql, &cb.sql);
            prop_assert!(!ca.sql.contains(';'));
        }

        /// Full-text queries too: the words go into one parameter.
        #[test]
        fn content_words_are_parameters(a in "[a-z]{1,8}( [a-z']{1,8}){0,3}", b in "[a-z]{1,8}( [a-z\"]{1,8}){0,3}") {
            let now = "2026-06-15T12:00:00Z".parse().unwrap();
            for dialect in [Dialect::Sqlite, Dialect::Postgres] {
                let q = |v: &str| Query::Condition { field: Field::Content, op: Op::Like, value: Value::Text(v.to_string()) };
                prop_assert_eq!(compile(&q(&a), dialect, now).unwrap().sql, compile(&q(&b), dialect, now).unwrap().sql);
            }
        }
    }
}
