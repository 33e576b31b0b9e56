//! The templates runs are planned from: read (a new installation gets the defaults the first
//! time) and saved by an administrator.

use jiff::Timestamp;
use varde_core::catalogue::{Service, SupportTier};
use varde_core::onboarding::{Template, parse_steps, steps_text};

use super::{StoredTemplate, codes, corrupt, parse_codes};
use crate::{Result, Store, StoreError, from_micros, micros, read_pool, write_pool};

impl Store {
    /// The templates, in order; a new installation gets `defaults` the first time.
    pub async fn onboarding_templates(&self, defaults: &[Template]) -> Result<Vec<StoredTemplate>> {
        let count: i64 = read_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM onboarding_templates").fetch_one(p).await)?;
        if count == 0 {
            for (i, t) in defaults.iter().enumerate() {
                write_pool!(self, p => sqlx::query(
                    "INSERT INTO onboarding_templates (position, name, tiers, services, steps, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, 0, 'varde') ON CONFLICT (name) DO NOTHING",
                ).bind(i as i64).bind(&t.name).bind(codes(&t.tiers, SupportTier::code)).bind(codes(&t.services, Service::code))
                .bind(steps_text(&t.steps)).execute(p).await.map(|_| ()))?;
            }
        }
        let rows: Vec<(i64, String, String, String, String, i64, String)> = read_pool!(self, p => sqlx::query_as(
            "SELECT id, name, tiers, services, steps, updated_at, updated_by FROM onboarding_templates ORDER BY position, id",
        ).fetch_all(p).await)?;
        rows.into_iter()
            .map(|(id, name, tiers, services, steps, at, by)| {
                Ok(StoredTemplate {
                    id,
                    template: Template {
                        name,
                        tiers: parse_codes(&tiers, SupportTier::parse)?,
                        services: parse_codes(&services, Service::parse)?,
                        steps: parse_steps(&steps).map_err(|e| corrupt("template", e))?,
                    },
                    updated_at: from_micros(at)?,
                    updated_by: by,
                })
            })
            .collect()
    }

    /// Saves an administrator's template: `id` none adds one at the end.
    pub async fn save_onboarding_template(
        &self,
        id: Option<i64>,
        t: &Template,
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let taken: Option<i64> = read_pool!(self, p => sqlx::query_scalar("SELECT id FROM onboarding_templates WHERE name = $1")
            .bind(&t.name).fetch_optional(p).await)?;
        if taken.is_some_and(|other| Some(other) != id) {
            return Err(crate::conflict(
                "name",
                format!("a template {} exists", t.name),
            ));
        }
        let (tiers, services, steps) = (
            codes(&t.tiers, SupportTier::code),
            codes(&t.services, Service::code),
            steps_text(&t.steps),
        );
        match id {
            Some(id) => {
                let n = write_pool!(self, p => sqlx::query(
                    "UPDATE onboarding_templates SET name = $1, tiers = $2, services = $3, steps = $4, updated_at = $5, updated_by = $6 WHERE id = $7",
                ).bind(&t.name).bind(tiers).bind(services).bind(steps).bind(micros(now)).bind(by).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(id)
            }
            None => Ok(write_pool!(self, p => sqlx::query_scalar(
                "INSERT INTO onboarding_templates (position, name, tiers, services, steps, updated_at, updated_by) \
                 VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM onboarding_templates), $1, $2, $3, $4, $5, $6) RETURNING id",
            ).bind(&t.name).bind(tiers).bind(services).bind(steps).bind(micros(now)).bind(by).fetch_one(p).await)?),
        }
    }
}
