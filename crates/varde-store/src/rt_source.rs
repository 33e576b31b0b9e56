//! A Request Tracker 4.4/5 database, read-only: the rows `varde import-rt` needs, as RT's own
//! schema (`etc/schema.SQLite`, `etc/schema.Pg`) has them. Nothing here interprets them; the
//! use case in `varde_app::import_rt` turns them into Varde's tickets and history.
//!
//! The same SQL serves SQLite and PostgreSQL: integers are read as `CAST(… AS BIGINT)` (RT's
//! PostgreSQL columns are `integer`), dates as `CAST(… AS TEXT)` (`YYYY-MM-DD HH:MM:SS`, UTC),
//! and ticket ids are written into `IN (…)` lists as numbers. Each condition names the
//! leading columns of RT's own indexes (`Groups1` is Domain, Name, Instance;
//! `ObjectCustomFieldValues2` is CustomField, ObjectType, ObjectId), so that reading a batch
//! does not scan a table.

use std::str::FromStr;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use crate::Result;

/// An open RT database.
#[derive(Clone, Debug)]
pub struct RtSource {
    engine: RtEngine,
}

#[derive(Clone, Debug)]
enum RtEngine {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

macro_rules! rt_pool {
    ($source:expr, $pool:ident => $body:expr) => {
        match &$source.engine {
            RtEngine::Sqlite($pool) => $body,
            RtEngine::Postgres($pool) => $body,
        }
    };
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtQueue {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub correspond_address: String,
    pub comment_address: String,
    pub disabled: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub real_name: String,
    /// A member of RT's `Privileged` system group: staff.
    pub privileged: i64,
    pub disabled: i64,
}

/// A ticket's id with what tells whether it changed since the last run.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtTicketMark {
    pub id: i64,
    pub last_updated: String,
    pub last_transaction: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtTicket {
    pub id: i64,
    pub effective_id: i64,
    pub queue: i64,
    pub owner: i64,
    pub subject: String,
    pub status: String,
    pub initial_priority: i64,
    pub final_priority: i64,
    pub priority: i64,
    pub time_estimated: i64,
    pub time_worked: i64,
    pub time_left: i64,
    pub told: String,
    pub starts: String,
    pub started: String,
    pub due: String,
    pub resolved: String,
    pub last_updated: String,
    pub creator: i64,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtTransaction {
    pub id: i64,
    pub ticket: i64,
    pub time_taken: i64,
    pub kind: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub data: String,
    pub creator: i64,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtAttachment {
    pub id: i64,
    pub transaction_id: i64,
    pub parent: i64,
    pub message_id: String,
    pub filename: String,
    pub content_type: String,
    pub content_encoding: String,
    pub content: Vec<u8>,
}

/// A member of one of a ticket's role groups (`Requestor`, `Cc`, `AdminCc`, `Owner` …).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtWatcher {
    pub ticket: i64,
    pub role: String,
    pub principal: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtCustomFieldValue {
    pub ticket: i64,
    pub custom_field: i64,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RtLink {
    pub kind: String,
    pub base: String,
    pub target: String,
    pub local_base: i64,
    pub local_target: i64,
    pub created: String,
}

/// Everything about a set of tickets, read in a few queries.
#[derive(Clone, Debug, Default)]
pub struct RtTickets {
    pub tickets: Vec<RtTicket>,
    /// Oldest first.
    pub transactions: Vec<RtTransaction>,
    pub attachments: Vec<RtAttachment>,
    pub watchers: Vec<RtWatcher>,
    pub custom_field_values: Vec<RtCustomFieldValue>,
    /// Links from or to any of the tickets or the tickets they were merged into.
    pub links: Vec<RtLink>,
}

fn text(col: &str) -> String {
    format!("COALESCE(CAST({col} AS TEXT), '')")
}

fn int(col: &str) -> String {
    format!("COALESCE(CAST({col} AS BIGINT), 0)")
}

fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl RtSource {
    /// Opens `sqlite:///path/to/rt.db` read-only, or `postgres://…` in read-only
    /// transactions, and checks that it has RT's tables. The error says why not, in words.
    pub async fn open(url: &str) -> std::result::Result<RtSource, String> {
        let engine = if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            if !std::path::Path::new(path).is_file() {
                return Err(format!("no RT database file at {path}"));
            }
            let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}?mode=ro"))
                .map_err(|e| e.to_string())?
                .read_only(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await;
            RtEngine::Sqlite(pool.map_err(|e| e.to_string())?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(2)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::query("SET default_transaction_read_only = on")
                            .execute(conn)
                            .await
                            .map(|_| ())
                    })
                })
                .connect(url)
                .await;
            RtEngine::Postgres(pool.map_err(|e| e.to_string())?)
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            return Err("RT on MySQL or MariaDB is not supported yet: copy it to PostgreSQL or SQLite first".into());
        } else {
            return Err(format!(
                "an RT database is named sqlite:///path or postgres://…, not {url}"
            ));
        };
        let source = RtSource { engine };
        let found: std::result::Result<i64, sqlx::Error> = rt_pool!(source, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM Tickets t JOIN Transactions x ON x.ObjectId = t.id JOIN Attachments a ON a.TransactionId = x.id WHERE 1 = 0"
        ).fetch_one(p).await);
        match found {
            Ok(_) => Ok(source),
            Err(e) => {
                source.close().await;
                Err(format!("this is not an RT 4.4/5 database: {e}"))
            }
        }
    }

    pub fn engine(&self) -> &'static str {
        match self.engine {
            RtEngine::Sqlite(_) => "sqlite",
            RtEngine::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        rt_pool!(self, p => p.close().await)
    }

    pub async fn queues(&self) -> Result<Vec<RtQueue>> {
        let sql = format!(
            "SELECT {} AS id, {} AS name, {} AS description, {} AS correspond_address, {} AS comment_address, {} AS disabled FROM Queues ORDER BY id",
            int("id"),
            text("Name"),
            text("Description"),
            text("CorrespondAddress"),
            text("CommentAddress"),
            int("Disabled")
        );
        Ok(rt_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
    }

    /// Every user, with whether it is privileged (RT's `Privileged` system group).
    pub async fn users(&self) -> Result<Vec<RtUser>> {
        let sql = format!(
            "SELECT {} AS id, {} AS name, {} AS email, {} AS real_name, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM GroupMembers m JOIN Groups g ON g.id = m.GroupId \
               WHERE m.MemberId = u.id AND g.Domain = 'SystemInternal' AND g.Name = 'Privileged') THEN 1 ELSE 0 END AS BIGINT) AS privileged, \
             {} AS disabled FROM Users u JOIN Principals p ON p.id = u.id ORDER BY u.id",
            int("u.id"),
            text("u.Name"),
            text("u.EmailAddress"),
            text("u.RealName"),
            int("p.Disabled")
        );
        Ok(rt_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
    }

    /// Custom field id → name.
    pub async fn custom_fields(&self) -> Result<Vec<(i64, String)>> {
        let sql = format!(
            "SELECT {}, {} FROM CustomFields ORDER BY id",
            int("id"),
            text("Name")
        );
        Ok(rt_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
    }

    /// Every ticket's id, `LastUpdated` and highest transaction id, by id.
    pub async fn ticket_marks(&self) -> Result<Vec<RtTicketMark>> {
        let sql = format!(
            "SELECT {} AS id, {} AS last_updated, COALESCE((SELECT MAX(CAST(x.id AS BIGINT)) FROM Transactions x \
               WHERE x.ObjectType = 'RT::Ticket' AND x.ObjectId = t.id), 0) AS last_transaction \
             FROM Tickets t ORDER BY t.id",
            int("t.id"),
            text("t.LastUpdated")
        );
        Ok(rt_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?)
    }

    /// The tickets `ids` with their transactions, attachments, watchers, custom field values
    /// and links.
    pub async fn tickets(&self, ids: &[i64]) -> Result<RtTickets> {
        if ids.is_empty() {
            return Ok(RtTickets::default());
        }
        let list = id_list(ids);
        // RT files a merged ticket's links under the ticket it was merged into.
        let merged_into = format!("SELECT EffectiveId FROM Tickets WHERE id IN ({list})");
        let tickets = format!(
            "SELECT {} AS id, {} AS effective_id, {} AS queue, {} AS owner, {} AS subject, {} AS status, \
             {} AS initial_priority, {} AS final_priority, {} AS priority, {} AS time_estimated, {} AS time_worked, \
             {} AS time_left, {} AS told, {} AS starts, {} AS started, {} AS due, {} AS resolved, {} AS last_updated, \
             {} AS creator, {} AS created FROM Tickets WHERE id IN ({list}) ORDER BY id",
            int("id"),
            int("EffectiveId"),
            int("Queue"),
            int("Owner"),
            text("Subject"),
            text("Status"),
            int("InitialPriority"),
            int("FinalPriority"),
            int("Priority"),
            int("TimeEstimated"),
            int("TimeWorked"),
            int("TimeLeft"),
            text("Told"),
            text("Starts"),
            text("Started"),
            text("Due"),
            text("Resolved"),
            text("LastUpdated"),
            int("Creator"),
            text("Created")
        );
        // RT 3.8 and later record a custom field's values by reference (`OldReference`,
        // `NewReference` to `ObjectCustomFieldValues`), its `OldValue`/`NewValue` empty;
        // RT's Transaction `OldValue`/`NewValue` read the referenced value's content.
        let value = |which: &str| {
            format!(
                "COALESCE(CASE WHEN x.ReferenceType = 'RT::ObjectCustomFieldValue' THEN \
                 (SELECT CAST(v.Content AS TEXT) FROM ObjectCustomFieldValues v WHERE v.id = x.{which}Reference) END, \
                 CAST(x.{which}Value AS TEXT), '')"
            )
        };
        let transactions = format!(
            "SELECT {} AS id, {} AS ticket, {} AS time_taken, {} AS kind, {} AS field, {} AS old_value, {} AS new_value, \
             {} AS data, {} AS creator, {} AS created FROM Transactions x \
             WHERE x.ObjectType = 'RT::Ticket' AND x.ObjectId IN ({list}) ORDER BY x.id",
            int("x.id"),
            int("x.ObjectId"),
            int("x.TimeTaken"),
            text("x.Type"),
            text("x.Field"),
            value("Old"),
            value("New"),
            text("x.Data"),
            int("x.Creator"),
            text("x.Created")
        );
        let content = match self.engine {
            RtEngine::Sqlite(_) => "COALESCE(CAST(a.Content AS BLOB), X'')",
            RtEngine::Postgres(_) => "COALESCE(convert_to(a.Content, 'UTF8'), ''::bytea)",
        };
        let attachments = format!(
            "SELECT {} AS id, {} AS transaction_id, {} AS parent, {} AS message_id, {} AS filename, {} AS content_type, \
             {} AS content_encoding, {content} AS content FROM Attachments a JOIN Transactions x ON x.id = a.TransactionId \
             WHERE x.ObjectType = 'RT::Ticket' AND x.ObjectId IN ({list}) ORDER BY a.id",
            int("a.id"),
            int("a.TransactionId"),
            int("a.Parent"),
            text("a.MessageId"),
            text("a.Filename"),
            text("a.ContentType"),
            text("a.ContentEncoding")
        );
        let watchers = format!(
            "SELECT {} AS ticket, {} AS role, {} AS principal FROM Groups g JOIN GroupMembers m ON m.GroupId = g.id \
             WHERE g.Domain = 'RT::Ticket-Role' AND g.Name IN ('Requestor', 'Cc', 'AdminCc') AND g.Instance IN ({list}) ORDER BY g.Instance, g.Name, m.id",
            int("g.Instance"),
            text("g.Name"),
            int("m.MemberId")
        );
        let values = format!(
            "SELECT {} AS ticket, {} AS custom_field, COALESCE(v.LargeContent, v.Content, '') AS content \
             FROM ObjectCustomFieldValues v WHERE v.CustomField IN (SELECT id FROM CustomFields) AND v.ObjectType = 'RT::Ticket' AND v.Disabled = 0 AND v.ObjectId IN ({list}) \
             ORDER BY v.ObjectId, v.CustomField, v.SortOrder, v.id",
            int("v.ObjectId"),
            int("v.CustomField")
        );
        let links = format!(
            "SELECT {} AS kind, {} AS base, {} AS target, {} AS local_base, {} AS local_target, {} AS created FROM Links \
             WHERE LocalBase IN ({list}) OR LocalTarget IN ({list}) \
             OR LocalBase IN ({merged_into}) OR LocalTarget IN ({merged_into}) ORDER BY id",
            text("Type"),
            text("Base"),
            text("Target"),
            int("LocalBase"),
            int("LocalTarget"),
            text("Created")
        );
        Ok(rt_pool!(self, p => RtTickets {
            tickets: sqlx::query_as(sqlx::AssertSqlSafe(tickets)).fetch_all(p).await?,
            transactions: sqlx::query_as(sqlx::AssertSqlSafe(transactions)).fetch_all(p).await?,
            attachments: sqlx::query_as(sqlx::AssertSqlSafe(attachments)).fetch_all(p).await?,
            watchers: sqlx::query_as(sqlx::AssertSqlSafe(watchers)).fetch_all(p).await?,
            custom_field_values: sqlx::query_as(sqlx::AssertSqlSafe(values)).fetch_all(p).await?,
            links: sqlx::query_as(sqlx::AssertSqlSafe(links)).fetch_all(p).await?,
        }))
    }
}
