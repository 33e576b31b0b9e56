//! A search of transactions (REST2's `/transactions`): conditions on a transaction's own
//! columns, joined as RT's `QueryByJSON` joins limits — different columns by `AND`, limits on
//! one column by `OR` unless one says `AND`. Every value is a bound parameter; text compares
//! without case.

use crate::ticket_search::{Dialect, Param, placeholder};
use crate::{Result, Store};

/// A column of a transaction, by RT's name for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxColumn {
    Id,
    Type,
    /// When it happened (compared in microseconds since the epoch).
    Created,
    Creator,
    /// The ticket it belongs to.
    ObjectId,
    Field,
    OldValue,
    NewValue,
    TimeTaken,
}

impl TxColumn {
    fn sql(self) -> &'static str {
        match self {
            TxColumn::Id => "x.id",
            TxColumn::Type => "x.type",
            TxColumn::Created => "x.at",
            TxColumn::Creator => "x.creator",
            TxColumn::ObjectId => "x.ticket_id",
            TxColumn::Field => "x.field",
            TxColumn::OldValue => "x.old_value",
            TxColumn::NewValue => "x.new_value",
            TxColumn::TimeTaken => "x.time_taken",
        }
    }

    fn numeric(self) -> bool {
        matches!(
            self,
            TxColumn::Id | TxColumn::Created | TxColumn::ObjectId | TxColumn::TimeTaken
        )
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    /// Anywhere in the value.
    Like,
    NotLike,
}

/// One condition: a column, a comparison and a value (a number for the numeric columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxCondition {
    pub column: TxColumn,
    pub op: TxOp,
    pub value: String,
    /// Joins it to the earlier conditions on its column by `AND` instead of `OR`.
    pub and: bool,
}

/// Why a condition cannot be searched (for the person who wrote it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TxSearchError(pub String);

fn condition(
    c: &TxCondition,
    dialect: Dialect,
    params: &mut Vec<Param>,
) -> std::result::Result<String, TxSearchError> {
    let column = c.column.sql();
    let op = match c.op {
        TxOp::Eq => "=",
        TxOp::Ne => "<>",
        TxOp::Lt => "<",
        TxOp::Gt => ">",
        TxOp::Le => "<=",
        TxOp::Ge => ">=",
        TxOp::Like => "LIKE",
        TxOp::NotLike => "NOT LIKE",
    };
    if c.column.numeric() {
        if matches!(c.op, TxOp::Like | TxOp::NotLike) {
            return Err(TxSearchError(format!(
                "{column} is a number: compare it with =, <, > and the like"
            )));
        }
        let n: i64 = c
            .value
            .trim()
            .parse()
            .map_err(|_| TxSearchError(format!("'{}' is not a number", c.value.trim())))?;
        return Ok(format!(
            "{column} {op} {}",
            placeholder(params, dialect, Param::Int(n))
        ));
    }
    let value = c.value.to_lowercase();
    let value = if matches!(c.op, TxOp::Like | TxOp::NotLike) {
        let escaped = value
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let v = placeholder(params, dialect, Param::Text(format!("%{escaped}%")));
        return Ok(format!("lower({column}) {op} {v} ESCAPE '\\'"));
    } else {
        placeholder(params, dialect, Param::Text(value))
    };
    Ok(format!("lower({column}) {op} {value}"))
}

/// The `WHERE` clause of the conditions and its parameters, in order.
pub fn compile(
    conditions: &[TxCondition],
    dialect: Dialect,
) -> std::result::Result<(String, Vec<Param>), TxSearchError> {
    let mut params = Vec::new();
    let mut columns: Vec<TxColumn> = Vec::new();
    for c in conditions {
        if !columns.contains(&c.column) {
            columns.push(c.column);
        }
    }
    let mut groups = Vec::new();
    for column in columns {
        let mut group = String::new();
        for c in conditions.iter().filter(|c| c.column == column) {
            let sql = condition(c, dialect, &mut params)?;
            if group.is_empty() {
                group = sql;
            } else {
                group = format!("{group} {} {sql}", if c.and { "AND" } else { "OR" });
            }
        }
        groups.push(format!("({group})"));
    }
    let sql = if groups.is_empty() {
        "1=1".to_string()
    } else {
        groups.join(" AND ")
    };
    Ok((sql, params))
}

impl Store {
    /// The ids of the transactions that meet the conditions, a page of them in order, and
    /// how many there are in all.
    pub async fn search_transactions(
        &self,
        conditions: &[TxCondition],
        offset: i64,
        limit: i64,
    ) -> Result<std::result::Result<(Vec<i64>, i64), TxSearchError>> {
        let dialect = if self.engine() == "postgres" {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        };
        let (filter, params) = match compile(conditions, dialect) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let count_sql = format!("SELECT COUNT(*) FROM transactions x WHERE {filter}");
        let page_sql = format!(
            "SELECT x.id FROM transactions x WHERE {filter} ORDER BY x.id LIMIT {} OFFSET {}",
            limit.clamp(0, 1_000),
            offset.max(0)
        );
        let (total, ids) = self.counted_page(count_sql, page_sql, &params).await?;
        Ok(Ok((ids, total)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(column: TxColumn, op: TxOp, value: &str, and: bool) -> TxCondition {
        TxCondition {
            column,
            op,
            value: value.into(),
            and,
        }
    }

    #[test]
    fn conditions_join_as_rt_joins_limits_and_every_value_is_bound() {
        let (sql, params) = compile(
            &[
                c(TxColumn::Type, TxOp::Eq, "Correspond", false),
                c(TxColumn::ObjectId, TxOp::Eq, "7", false),
                c(TxColumn::Type, TxOp::Eq, "Comment", false),
                c(TxColumn::Creator, TxOp::Like, "50%_off'", false),
            ],
            Dialect::Postgres,
        )
        .unwrap();
        assert_eq!(
            sql,
            "(lower(x.type) = $1 OR lower(x.type) = $2) AND (x.ticket_id = $3) AND (lower(x.creator) LIKE $4 ESCAPE '\\')"
        );
        assert_eq!(
            params,
            [
                Param::Text("correspond".into()),
                Param::Text("comment".into()),
                Param::Int(7),
                Param::Text("%50\\%\\_off'%".into()),
            ]
        );
        let (sql, _) = compile(&[], Dialect::Sqlite).unwrap();
        assert_eq!(sql, "1=1");
        assert!(compile(&[c(TxColumn::Id, TxOp::Eq, "x", false)], Dialect::Sqlite).is_err());
        assert!(compile(&[c(TxColumn::Id, TxOp::Like, "1", false)], Dialect::Sqlite).is_err());
    }
}
