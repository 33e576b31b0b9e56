//! The quarterly operations report: what one organisation's report for a quarter is made
//! from (tickets with their SLA policy, the contracted services' status history, incidents,
//! roadmap feedback), gathered once and derived by `varde_core::report::build`. The
//! rendering (HTML, JSON, CSV, PDF) is the front-ends'.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use varde_core::access::{Action, Actor, Resource};
use varde_core::catalogue::{ProductKind, SupportTier};
use varde_core::entitlements::entitlements_on;
use varde_core::ids::OrganizationId;
use varde_core::report::{
    IncidentLine, Period, Report, ReportInput, ServiceInput, TicketInput, build,
};
use varde_core::sla::Policy;
use varde_store::Store;
use varde_store::status::EventFilter;
use varde_store::work::InputsVersion;

use crate::{App, AppError, authorize};

impl App {
    /// An organisation's report for `period`, its times in `tz`: for staff and the
    /// organisation's own contacts.
    pub async fn quarterly_report(
        &self,
        actor: &Actor,
        org: OrganizationId,
        period: Period,
        tz: &TimeZone,
    ) -> Result<Report, AppError> {
        authorize(actor, Action::Read, &Resource::Organization(org))?;
        let version = self.store.report_inputs_version().await?;
        self.report_of(org, period, tz, version, self.now())
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The report of `org`: as made within the last minute from the same inputs, or made
    /// now (and kept). A report reads the clock (open tickets' running SLA clocks, how long
    /// they have been open), so even unchanged inputs give a new one after a minute.
    async fn report_of(
        &self,
        org: OrganizationId,
        period: Period,
        tz: &TimeZone,
        version: InputsVersion,
        now: Timestamp,
    ) -> Result<Option<Report>, AppError> {
        let key = (
            org.0,
            period.from.to_string(),
            period.until.to_string(),
            tz.iana_name().unwrap_or_default().to_string(),
        );
        if let Some(r) = self.reports.fresh(&key, version, now) {
            return Ok(Some(r));
        }
        let Some(input) = gather(&self.store, org, period, tz, now).await? else {
            return Ok(None);
        };
        let report = build(&input);
        self.reports.keep(key, version, now, &report);
        Ok(Some(report))
    }

    /// The report of every organisation with tickets in `period`, for the staff's portfolio.
    pub async fn quarterly_reports(
        &self,
        actor: &Actor,
        period: Period,
        tz: &TimeZone,
    ) -> Result<Vec<(OrganizationId, Report)>, AppError> {
        authorize(actor, Action::Read, &Resource::OrganizationDirectory)?;
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        let now = self.now();
        let orgs = self
            .store
            .organizations_with_tickets_between(period.start(tz), period.end(tz))
            .await?;
        let version = self.store.report_inputs_version().await?;
        let mut reports = Vec::with_capacity(orgs.len());
        for org in orgs {
            if let Some(r) = self
                .report_of(org, period.clone(), tz, version, now)
                .await?
            {
                reports.push((org, r));
            }
        }
        Ok(reports)
    }
}

/// Which report: organisation, period (first and last day) and time zone.
type ReportKey = (i64, String, String, String);

/// Reports kept for a minute, each with the inputs' version it was made from; at most
/// [`Reports::MOST`], the oldest dropped first. One per node: each node makes its own.
#[derive(Clone, Default)]
pub(crate) struct Reports(std::sync::Arc<std::sync::Mutex<Kept>>);

/// Each report with the inputs' version it was made from and when.
type Kept = std::collections::HashMap<ReportKey, (InputsVersion, Timestamp, Report)>;

impl Reports {
    const MOST: usize = 256;
    const FRESH: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

    fn fresh(&self, key: &ReportKey, version: InputsVersion, now: Timestamp) -> Option<Report> {
        let kept = self.0.lock().ok()?;
        let (v, made, r) = kept.get(key)?;
        let age = now.duration_since(*made);
        (*v == version && age >= jiff::SignedDuration::ZERO && age < Self::FRESH).then(|| r.clone())
    }

    fn keep(&self, key: ReportKey, version: InputsVersion, now: Timestamp, report: &Report) {
        let Ok(mut kept) = self.0.lock() else {
            return;
        };
        if kept.len() >= Self::MOST {
            kept.retain(|_, (_, made, _)| now.duration_since(*made) < Self::FRESH);
            while kept.len() >= Self::MOST {
                let Some(oldest) = kept
                    .iter()
                    .min_by_key(|(_, (_, made, _))| *made)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                kept.remove(&oldest);
            }
        }
        kept.insert(key, (version, now, report.clone()));
    }
}

/// Gathers what the report of `org` for `period` is made from; `None` for no such organisation.
pub async fn gather(
    store: &Store,
    org: OrganizationId,
    period: Period,
    tz: &TimeZone,
    now: Timestamp,
) -> varde_store::Result<Option<ReportInput>> {
    let Some(organization) = store.organization(org).await? else {
        return Ok(None);
    };
    let (start, end) = (period.start(tz), period.end(tz));
    let contracts = store.contracts_of(org).await?;
    let last_day = period.until.yesterday().unwrap_or(period.until);
    let tier = entitlements_on(
        contracts.iter().map(|c| &c.details),
        last_day.min(now.to_zoned(tz.clone()).date()),
    )
    .map(|e| e.tier)
    .ok();
    // The services on a contract in force at some day of the period.
    let mut lines = Vec::new();
    for c in &contracts {
        let d = &c.details;
        let overlaps = d.signed_on.is_some()
            && d.starts_on < period.until
            && d.ends_on.is_none_or(|e| e >= period.from);
        if overlaps {
            for l in &d.lines {
                if let ProductKind::Service(s) = l.product.kind() {
                    lines.push((s, l.site));
                }
            }
        }
    }
    let components = store.components().await?;
    let on_contract: Vec<_> = components
        .iter()
        .filter(|c| !c.is_group)
        .filter(|c| {
            lines.iter().any(|(s, site)| {
                c.service == Some(*s) && (site.is_none() || c.site == *site || c.site.is_none())
            })
        })
        .collect();
    let history = store
        .component_history(start - jiff::SignedDuration::from_hours(24))
        .await?;
    let services = on_contract
        .iter()
        .map(|c| ServiceInput {
            name: c.name.clone(),
            created: c.created_at,
            changes: history.get(&c.id).cloned().unwrap_or_default(),
        })
        .collect();
    let ids: Vec<i64> = on_contract.iter().map(|c| c.id).collect();
    let incidents = store
        .events(EventFilter::All, 1000)
        .await?
        .into_iter()
        .filter(|e| e.started_at < end && e.resolved_at.is_none_or(|r| r >= start))
        .filter(|e| e.components.iter().any(|c| ids.contains(c)))
        .map(|e| IncidentLine {
            id: e.id,
            name: e.name.clone(),
            impact: e.kind.impact_code(e.impact).to_string(),
            started: e.started_at,
            resolved: e.resolved_at,
            components: e
                .components
                .iter()
                .filter_map(|id| components.iter().find(|c| c.id == *id))
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let ids = store
        .tickets_of_organization_between(org, start, end)
        .await?;
    let mut histories = store.transactions_of(&ids).await?;
    let tier_for_policy = tier.unwrap_or(SupportTier::Base);
    // Each ticket is held to the policy version in force when it was created.
    let mut versions = store.policy_versions(tier_for_policy).await?;
    versions.reverse();
    let policy_at = |at: Timestamp| {
        versions
            .iter()
            .rev()
            .find(|v| v.created_at <= at)
            .map(|v| v.policy.clone())
            .unwrap_or_else(|| Policy::example(tier_for_policy))
    };
    let tickets = store
        .tickets(&ids)
        .await?
        .into_iter()
        .map(|ticket| TicketInput {
            history: histories.remove(&ticket.id).unwrap_or_default(),
            policy: policy_at(ticket.created),
            ticket,
        })
        .collect();
    let mut ratings = (0, 0, 0);
    for r in store.ratings_since(start).await? {
        if r.organization == Some(org) && r.created_at < end {
            match r.rating.as_str() {
                "good" => ratings.0 += 1,
                "okay" => ratings.1 += 1,
                _ => ratings.2 += 1,
            }
        }
    }
    Ok(Some(ReportInput {
        ratings,
        organization: organization.details.name.clone(),
        language: organization.details.language,
        tier: tier
            .map(|t| t.label().to_string())
            .unwrap_or_else(|| "no support tier on contract".into()),
        period,
        tz: tz.clone(),
        policy: policy_at(now),
        now,
        tickets,
        services,
        incidents,
        feedback: store
            .feedback_of(org, start, end)
            .await?
            .into_iter()
            .map(|f| f.text)
            .collect(),
    }))
}
