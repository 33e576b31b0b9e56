//! An RT 5 database for tests and benchmarks of `varde import-rt`: RT's own schema
//! (`tests/fixtures/rt5-schema.SQLite`, see `README-rt.md` there) loaded as RT's installer
//! loads it, and rows written as RT 5 writes them (users and principals, the
//! Privileged group, queues, a custom field, tickets with their role groups, transactions,
//! MIME parts, links), so the import reads exactly what it would read from a real RT.

use std::path::{Path, PathBuf};

use sqlx::{Connection, SqliteConnection};

use crate::Result;

mod generate;

const SCHEMA: &str = include_str!("../tests/fixtures/rt5-schema.SQLite");
const PG_SCHEMA: &str = include_str!("../tests/fixtures/rt5-schema.Pg");

/// The tables the fixture writes, in an order that a copy can follow.
const TABLES: [&str; 11] = [
    "Principals",
    "Users",
    "Groups",
    "GroupMembers",
    "Queues",
    "CustomFields",
    "Tickets",
    "Transactions",
    "Attachments",
    "Links",
    "ObjectCustomFieldValues",
];

/// The statements of an RT schema file, as `RT::Handle::InsertSchema` splits them.
fn statements(schema: &str) -> Vec<String> {
    let mut out = vec![];
    let mut statement = String::new();
    for line in schema.lines() {
        let line = line.split('#').next().unwrap_or("");
        let line = line.split("--").next().unwrap_or("");
        statement.push_str(line);
        statement.push('\n');
        if line.trim_end().ends_with(';') {
            let s = statement.trim().trim_end_matches(';').trim().to_string();
            if !s.is_empty() {
                out.push(s);
            }
            statement.clear();
        }
    }
    out
}

/// An RT database being filled.
pub struct Rt {
    pub path: PathBuf,
    conn: SqliteConnection,
    next_principal_group: i64,
}

/// A value for a row: text or a number.
pub enum V {
    T(String),
    I(i64),
    Null,
}

impl From<&str> for V {
    fn from(s: &str) -> V {
        V::T(s.to_string())
    }
}
impl From<String> for V {
    fn from(s: String) -> V {
        V::T(s)
    }
}
impl From<i64> for V {
    fn from(n: i64) -> V {
        V::I(n)
    }
}

impl Rt {
    /// A new RT database at `dir/rtdb` with RT's schema and its system rows.
    pub async fn create(dir: &Path) -> Result<Rt> {
        let path = dir.join("rtdb");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = SqliteConnection::connect(&url).await?;
        for s in statements(SCHEMA) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s))
                .execute(&mut conn)
                .await?;
        }
        let mut rt = Rt {
            path,
            conn,
            next_principal_group: 1_000_000,
        };
        for (id, name) in [(3, "Everyone"), (4, "Privileged"), (5, "Unprivileged")] {
            rt.principal(id, "Group").await?;
            rt.row(
                "Groups",
                &[
                    ("id", id.into()),
                    ("Name", name.into()),
                    ("Domain", "SystemInternal".into()),
                    ("Instance", 0.into()),
                ],
            )
            .await?;
        }
        rt.user(1, "RT_System", "", "The RT System itself", false)
            .await?;
        rt.user(6, "Nobody", "", "Nobody in particular", false)
            .await?;
        Ok(rt)
    }

    pub fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    /// Inserts one row.
    pub async fn row(&mut self, table: &str, cols: &[(&str, V)]) -> Result<()> {
        let names = cols.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
        let marks = vec!["?"; cols.len()].join(", ");
        let sql = format!("INSERT INTO {table} ({names}) VALUES ({marks})");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (_, v) in cols {
            q = match v {
                V::T(s) => q.bind(s.clone()),
                V::I(n) => q.bind(*n),
                V::Null => q.bind(None::<String>),
            };
        }
        q.execute(&mut self.conn).await?;
        Ok(())
    }

    pub async fn exec(&mut self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn principal(&mut self, id: i64, kind: &str) -> Result<()> {
        self.row(
            "Principals",
            &[
                ("id", id.into()),
                ("PrincipalType", kind.into()),
                ("Disabled", 0.into()),
            ],
        )
        .await?;
        Ok(())
    }

    /// A user; privileged ones are members of the Privileged group.
    pub async fn user(
        &mut self,
        id: i64,
        name: &str,
        email: &str,
        real_name: &str,
        privileged: bool,
    ) -> Result<()> {
        self.principal(id, "User").await?;
        self.row(
            "Users",
            &[
                ("id", id.into()),
                ("Name", name.into()),
                ("EmailAddress", email.into()),
                ("RealName", real_name.into()),
                ("Creator", 1.into()),
                ("Created", "2024-01-01 00:00:00".into()),
            ],
        )
        .await?;
        let group = if privileged { 4 } else { 5 };
        self.row(
            "GroupMembers",
            &[("GroupId", group.into()), ("MemberId", id.into())],
        )
        .await?;
        Ok(())
    }

    pub async fn queue(&mut self, id: i64, name: &str) -> Result<()> {
        self.row(
            "Queues",
            &[
                ("id", id.into()),
                ("Name", name.into()),
                ("Description", format!("{name} queue").into()),
                ("CorrespondAddress", "".into()),
                ("CommentAddress", "".into()),
                ("Lifecycle", "default".into()),
                ("Disabled", 0.into()),
            ],
        )
        .await?;
        Ok(())
    }

    pub async fn custom_field(&mut self, id: i64, name: &str) -> Result<()> {
        self.row(
            "CustomFields",
            &[
                ("id", id.into()),
                ("Name", name.into()),
                ("Type", "Freeform".into()),
                ("MaxValues", 1.into()),
                ("LookupType", "RT::Queue-RT::Ticket".into()),
                ("Disabled", 0.into()),
            ],
        )
        .await?;
        Ok(())
    }

    /// A ticket's row with its role groups (`Requestor`, `Cc`, `AdminCc`, `Owner`), as RT
    /// creates them. `fields` are more columns of the Tickets row.
    pub async fn ticket(
        &mut self,
        id: i64,
        queue: i64,
        subject: &str,
        created: &str,
        fields: Vec<(&str, V)>,
    ) -> Result<()> {
        let mut cols: Vec<(&str, V)> = vec![
            ("id", id.into()),
            ("EffectiveId", id.into()),
            ("Queue", queue.into()),
            ("Type", "ticket".into()),
            ("Owner", 6.into()),
            ("Subject", subject.into()),
            ("InitialPriority", 0.into()),
            ("FinalPriority", 0.into()),
            ("Priority", 0.into()),
            ("TimeEstimated", 0.into()),
            ("TimeWorked", 0.into()),
            ("Status", "new".into()),
            ("TimeLeft", 0.into()),
            ("Told", "1970-01-01 00:00:00".into()),
            ("Starts", "1970-01-01 00:00:00".into()),
            ("Started", "1970-01-01 00:00:00".into()),
            ("Due", "1970-01-01 00:00:00".into()),
            ("Resolved", "1970-01-01 00:00:00".into()),
            ("LastUpdatedBy", 1.into()),
            ("LastUpdated", created.into()),
            ("Creator", 1.into()),
            ("Created", created.into()),
            ("IsMerged", V::Null),
        ];
        for (name, v) in fields {
            match cols.iter_mut().find(|(n, _)| *n == name) {
                Some(c) => c.1 = v,
                None => cols.push((name, v)),
            }
        }
        self.row("Tickets", &cols).await?;
        for role in ["AdminCc", "Cc", "Owner", "Requestor"] {
            let group = self.next_principal_group;
            self.next_principal_group += 1;
            self.principal(group, "Group").await?;
            self.row(
                "Groups",
                &[
                    ("id", group.into()),
                    ("Name", role.into()),
                    ("Domain", "RT::Ticket-Role".into()),
                    ("Instance", id.into()),
                ],
            )
            .await?;
        }
        Ok(())
    }

    /// Adds a user to one of a ticket's role groups.
    pub async fn watcher(&mut self, ticket: i64, role: &str, user: i64) -> Result<()> {
        let sql = format!(
            "INSERT INTO GroupMembers (GroupId, MemberId) SELECT id, {user} FROM Groups WHERE Domain = 'RT::Ticket-Role' AND Instance = {ticket} AND Name = '{role}'"
        );
        self.exec(&sql).await?;
        Ok(())
    }

    /// A ticket transaction: (id, ticket, type, field, old, new, creator, created, time taken).
    #[allow(clippy::too_many_arguments)]
    pub async fn tx(
        &mut self,
        id: i64,
        ticket: i64,
        kind: &str,
        field: &str,
        old: &str,
        new: &str,
        creator: i64,
        created: &str,
        taken: i64,
    ) -> Result<()> {
        self.row(
            "Transactions",
            &[
                ("id", id.into()),
                ("ObjectType", "RT::Ticket".into()),
                ("ObjectId", ticket.into()),
                ("TimeTaken", taken.into()),
                ("Type", kind.into()),
                ("Field", field.into()),
                ("OldValue", old.into()),
                ("NewValue", new.into()),
                ("Creator", creator.into()),
                ("Created", created.into()),
            ],
        )
        .await?;
        let sql = format!(
            "UPDATE Tickets SET LastUpdated = '{created}', LastUpdatedBy = {creator} WHERE id = {ticket}"
        );
        self.exec(&sql).await?;
        Ok(())
    }

    /// A MIME part of a transaction: (id, transaction, parent, message id, file name, type,
    /// encoding, content as stored).
    #[allow(clippy::too_many_arguments)]
    pub async fn part(
        &mut self,
        id: i64,
        tx: i64,
        parent: i64,
        message_id: &str,
        filename: &str,
        content_type: &str,
        encoding: &str,
        content: &str,
    ) -> Result<()> {
        self.row(
            "Attachments",
            &[
                ("id", id.into()),
                ("TransactionId", tx.into()),
                ("Parent", parent.into()),
                ("MessageId", message_id.into()),
                ("Filename", filename.into()),
                ("ContentType", content_type.into()),
                ("ContentEncoding", encoding.into()),
                ("Content", content.into()),
                ("Headers", format!("Content-Type: {content_type}").into()),
                ("Creator", 1.into()),
                ("Created", "2024-01-01 00:00:00".into()),
            ],
        )
        .await?;
        Ok(())
    }

    /// A link row as RT 5 writes it; `local_base` is the base's effective ticket.
    pub async fn link(
        &mut self,
        kind: &str,
        base: i64,
        target: i64,
        local_base: i64,
        created: &str,
    ) -> Result<()> {
        self.row(
            "Links",
            &[
                (
                    "Base",
                    format!("fsck.com-rt://example.com/ticket/{base}").into(),
                ),
                (
                    "Target",
                    format!("fsck.com-rt://example.com/ticket/{target}").into(),
                ),
                ("Type", kind.into()),
                ("LocalBase", local_base.into()),
                ("LocalTarget", target.into()),
                ("Creator", 14.into()),
                ("Created", created.into()),
            ],
        )
        .await?;
        Ok(())
    }

    pub async fn custom_field_value(&mut self, ticket: i64, field: i64, value: &str) -> Result<()> {
        self.row(
            "ObjectCustomFieldValues",
            &[
                ("CustomField", field.into()),
                ("ObjectType", "RT::Ticket".into()),
                ("ObjectId", ticket.into()),
                ("SortOrder", 0.into()),
                ("Content", value.into()),
                ("Creator", 14.into()),
                ("Disabled", 0.into()),
            ],
        )
        .await?;
        Ok(())
    }

    /// Copies the rows into a new database on the PostgreSQL server of `server_url`, made
    /// from RT's PostgreSQL schema, and gives its URL. Values travel as SQL literals
    /// (SQLite's `quote`), so PostgreSQL types them by its own columns.
    pub async fn copy_to_postgres(&mut self, server_url: &str) -> Result<String> {
        use sqlx::Row;
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "rt_fixture_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let mut admin = sqlx::PgConnection::connect(server_url).await?;
        for statement in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut admin)
                .await?;
        }
        admin.close().await?;
        let base = server_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(server_url);
        let url = format!("{base}/{name}");
        let mut pg = sqlx::PgConnection::connect(&url).await?;
        for s in statements(PG_SCHEMA) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s))
                .execute(&mut pg)
                .await?;
        }
        for table in TABLES {
            let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{table}')"
            )))
            .fetch_all(&mut self.conn)
            .await?;
            let quoted = columns
                .iter()
                .map(|c| format!("quote({c})"))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {quoted} FROM {table}")))
                .fetch_all(&mut self.conn)
                .await?;
            for row in rows {
                let (mut names, mut values) = (vec![], vec![]);
                for (i, c) in columns.iter().enumerate() {
                    let v: String = row.try_get(i)?;
                    if v != "NULL" {
                        names.push(c.as_str());
                        values.push(v);
                    }
                }
                let sql = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    names.join(", "),
                    values.join(", ")
                );
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut pg)
                    .await?;
            }
        }
        pg.close().await?;
        Ok(url)
    }

    pub async fn close(self) -> Result<()> {
        Ok(self.conn.close().await?)
    }
}

pub fn uri(n: i64) -> String {
    format!("fsck.com-rt://example.com/ticket/{n}")
}
