//! The roadmap register: items, and the customers' feedback filed under them. An item merged
//! into another keeps its row (`merged_into`), so links to it still lead somewhere; its
//! feedback moves to the item it was merged into.

use jiff::Timestamp;
use varde_core::catalogue::Service;
use varde_core::ids::OrganizationId;
use varde_core::workspace::roadmap::{Item, RoadmapState};

use crate::customers::audit;
use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

/// A roadmap item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoadmapItem {
    pub id: i64,
    pub item: Item,
    pub merged_into: Option<i64>,
    pub created_at: Timestamp,
    /// When its state last changed: the customers who asked hear of it at their next meeting.
    pub state_changed_at: Timestamp,
}

/// One customer's ask, as noted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    pub id: i64,
    pub organization: OrganizationId,
    pub organization_name: String,
    pub text: String,
    /// Who at the customer asked (a name or address), if noted.
    pub asked_by: String,
    pub meeting: Option<i64>,
    pub ticket: Option<i64>,
    pub item: Option<i64>,
    pub noted_by: String,
    pub created_at: Timestamp,
}

/// Feedback as staff note it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedbackNote {
    pub text: String,
    pub asked_by: String,
    pub meeting: Option<i64>,
    pub ticket: Option<i64>,
}

type ItemRow = (i64, String, String, String, String, Option<i64>, i64, i64);
const ITEM_COLUMNS: &str =
    "id, title, service, state, reason, merged_into, created_at, state_changed_at";

fn item(r: ItemRow) -> Result<RoadmapItem> {
    let corrupt = |e: varde_core::values::Invalid| StoreError::Corrupt(e.0);
    Ok(RoadmapItem {
        id: r.0,
        item: Item {
            title: r.1,
            service: match r.2.as_str() {
                "" => None,
                s => Some(Service::parse(s).map_err(corrupt)?),
            },
            state: RoadmapState::parse(&r.3).map_err(corrupt)?,
            reason: r.4,
        },
        merged_into: r.5,
        created_at: from_micros(r.6)?,
        state_changed_at: from_micros(r.7)?,
    })
}

type AskRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    i64,
);
const ASK_SELECT: &str = "SELECT f.id, f.organization_id, o.name, f.text, f.asked_by, f.meeting_id, f.ticket_id, f.item_id, f.created_by, f.created_at \
     FROM roadmap_feedback f JOIN organizations o ON o.id = f.organization_id";

fn ask(r: AskRow) -> Result<Ask> {
    Ok(Ask {
        id: r.0,
        organization: OrganizationId(r.1),
        organization_name: r.2,
        text: r.3,
        asked_by: r.4,
        meeting: r.5,
        ticket: r.6,
        item: r.7,
        noted_by: r.8,
        created_at: from_micros(r.9)?,
    })
}

impl Store {
    /// Notes a customer's feedback for the roadmap on its organisation.
    pub async fn add_feedback(
        &self,
        org: OrganizationId,
        note: &FeedbackNote,
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let id: i64 = write_pool!(self, p => sqlx::query_scalar(
            "INSERT INTO roadmap_feedback (organization_id, text, asked_by, meeting_id, ticket_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        ).bind(org.0).bind(note.text.trim()).bind(note.asked_by.trim()).bind(note.meeting).bind(note.ticket)
        .bind(by).bind(micros(now)).fetch_one(p).await)?;
        Ok(id)
    }

    /// Every roadmap item that was not merged into another, oldest first.
    pub async fn roadmap_items(&self) -> Result<Vec<RoadmapItem>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM roadmap_items WHERE merged_into IS NULL ORDER BY id"
        );
        let rows: Vec<ItemRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(item).collect()
    }

    pub async fn roadmap_item(&self, id: i64) -> Result<Option<RoadmapItem>> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM roadmap_items WHERE id = $1");
        let row: Option<ItemRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
        row.map(item).transpose()
    }

    /// Every piece of feedback of every organisation, oldest first.
    pub async fn asks(&self) -> Result<Vec<Ask>> {
        let sql = format!("{ASK_SELECT} ORDER BY f.created_at, f.id");
        let rows: Vec<AskRow> =
            read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        rows.into_iter().map(ask).collect()
    }

    /// The feedback of one organisation, oldest first.
    pub async fn asks_of(&self, org: OrganizationId) -> Result<Vec<Ask>> {
        let sql = format!("{ASK_SELECT} WHERE f.organization_id = $1 ORDER BY f.created_at, f.id");
        let rows: Vec<AskRow> = read_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.0).fetch_all(p).await)?;
        rows.into_iter().map(ask).collect()
    }

    /// Adds a roadmap item and files `asks` (feedback ids) under it.
    pub async fn create_roadmap_item(
        &self,
        actor: &str,
        i: &Item,
        asks: &[i64],
        now: Timestamp,
    ) -> Result<i64> {
        let service = i.service.map(|s| s.code()).unwrap_or_default();
        let id = write_pool!(self, p => {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO roadmap_items (title, service, state, reason, created_by, created_at, updated_at, state_changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
            ).bind(&i.title).bind(service).bind(i.state.code()).bind(&i.reason).bind(actor).bind(micros(now))
            .fetch_one(&mut *tx).await?;
            for a in asks {
                sqlx::query("UPDATE roadmap_feedback SET item_id = $1 WHERE id = $2").bind(id).bind(*a).execute(&mut *tx).await?;
            }
            let change = [varde_core::audit::Change { field: "title".into(), before: String::new(), after: i.title.clone() }];
            audit!(tx, now, None::<i64>, "roadmap_item", id, "created", actor, &change);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Changes an item's title, service, state or reason.
    pub async fn update_roadmap_item(
        &self,
        actor: &str,
        id: i64,
        i: &Item,
        now: Timestamp,
    ) -> Result<RoadmapItem> {
        let before = self.roadmap_item(id).await?.ok_or(StoreError::NotFound)?;
        let service = i.service.map(|s| s.code()).unwrap_or_default();
        let moved = before.item.state != i.state;
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "UPDATE roadmap_items SET title = $1, service = $2, state = $3, reason = $4, updated_at = $5, \
                 state_changed_at = CASE WHEN $6 THEN $5 ELSE state_changed_at END WHERE id = $7",
            ).bind(&i.title).bind(service).bind(i.state.code()).bind(&i.reason).bind(micros(now)).bind(moved).bind(id)
            .execute(&mut *tx).await?;
            let change = [varde_core::audit::Change {
                field: "state".into(),
                before: before.item.state.code().into(),
                after: i.state.code().into(),
            }];
            audit!(tx, now, None::<i64>, "roadmap_item", id, "updated", actor, &change);
            tx.commit().await?;
        });
        self.roadmap_item(id).await?.ok_or(StoreError::NotFound)
    }

    /// Files a piece of feedback under an item, or takes it out (`None`).
    pub async fn file_ask(&self, ask: i64, item: Option<i64>) -> Result<()> {
        let n = write_pool!(self, p => sqlx::query("UPDATE roadmap_feedback SET item_id = $1 WHERE id = $2").bind(item).bind(ask).execute(p).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Merges item `gone` into `keep`: its feedback moves over, and it points at `keep`.
    pub async fn merge_roadmap_items(
        &self,
        actor: &str,
        keep: i64,
        gone: i64,
        now: Timestamp,
    ) -> Result<()> {
        write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE roadmap_feedback SET item_id = $1 WHERE item_id = $2").bind(keep).bind(gone).execute(&mut *tx).await?;
            sqlx::query("UPDATE roadmap_items SET merged_into = $1, updated_at = $2 WHERE merged_into = $3").bind(keep).bind(micros(now)).bind(gone).execute(&mut *tx).await?;
            sqlx::query("UPDATE roadmap_items SET merged_into = $1, updated_at = $2 WHERE id = $3").bind(keep).bind(micros(now)).bind(gone).execute(&mut *tx).await?;
            let change = [varde_core::audit::Change { field: "merged_into".into(), before: String::new(), after: keep.to_string() }];
            audit!(tx, now, None::<i64>, "roadmap_item", gone, "merged", actor, &change);
            tx.commit().await?;
        });
        Ok(())
    }
}
