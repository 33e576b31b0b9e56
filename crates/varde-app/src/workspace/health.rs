//! Customer health as the service managers use it: the daily run that scores every
//! organisation (claimed by one node), one organisation's score with its parts and its trend,
//! the portfolio worst first, and the weights an administrator edits.
//!
//! The inputs are read in bulk (every contract, the year's tickets, meetings, ratings, open
//! onboarding runs and the quarter's incidents at once); the SLA part runs the report's own
//! computation (`report::gather` and `build`) over the last 90 days for the organisations
//! that had tickets in them.

use std::collections::HashMap;

use jiff::SignedDuration;
use varde_core::access::{Action, Actor, Resource};
use varde_core::contract::ContractDetails;
use varde_core::customer::Organization;
use varde_core::entitlements::entitlements_on;
use varde_core::ids::OrganizationId;
use varde_core::report::{Period, build};
use varde_core::sla::PriorityClass;
use varde_core::status::Impact;
use varde_core::workspace::health::{
    Health, HealthInput, Part, Scored, Weights, moved_most, score,
};
use varde_store::health::{DailyScore, PartScore};
use varde_store::letters::NewLetter;
use varde_store::status::EventFilter;

use crate::report::gather;
use crate::status::serves;
use crate::{Acting, App, AppError, authorize};

/// The setting the weights are kept under.
const WEIGHTS: &str = "health.weights";
/// How far back the trend goes, in days.
const TREND_DAYS: i64 = 365;
/// A service manager is mailed when one of theirs drops below this score.
pub const ALERT_BELOW: u8 = 60;

/// An organisation's health: now, with its parts, and its trend (day, score), oldest first.
pub struct OrganizationHealth {
    pub organization: OrganizationId,
    pub health: Health,
    pub trend: Vec<(String, i64)>,
    /// The part that moved most against 30 days ago, and by how many points.
    pub moved: Option<(Part, f64)>,
}

/// An organisation's line in the health portfolio, from the stored daily scores.
pub struct HealthLine {
    pub organization: Organization,
    /// The latest score, and the day it was made.
    pub score: Option<(i64, String)>,
    /// Points gained (or lost, negative) against 30 days before.
    pub change: Option<i64>,
    /// The part that moved most in those 30 days.
    pub moved: Option<(Part, f64)>,
}

impl App {
    /// Every organisation with its latest stored score, the worst first (those not yet
    /// scored last).
    pub async fn health_portfolio(&self, actor: &Actor) -> Result<Vec<HealthLine>, AppError> {
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        authorize(actor, Action::Read, &Resource::OrganizationDirectory)?;
        let today = self.now().to_zoned(self.office_zone()).date();
        let month_ago = today.saturating_sub(jiff::Span::new().days(30)).to_string();
        let now: HashMap<OrganizationId, DailyScore> = self
            .store
            .health_on(&today.to_string())
            .await?
            .into_iter()
            .map(|s| (s.organization, s))
            .collect();
        let then: HashMap<OrganizationId, DailyScore> = self
            .store
            .health_on(&month_ago)
            .await?
            .into_iter()
            .map(|s| (s.organization, s))
            .collect();
        let mut lines: Vec<HealthLine> = self
            .store
            .all_organizations()
            .await?
            .into_iter()
            .map(|o| {
                let latest = now.get(&o.id);
                let before = then.get(&o.id);
                HealthLine {
                    score: latest.map(|s| (s.score, s.day.clone())),
                    change: latest.zip(before).map(|(a, b)| a.score - b.score),
                    moved: latest
                        .zip(before)
                        .and_then(|(a, b)| moved_most(&health_of(&b.parts), &health_of(&a.parts))),
                    organization: o,
                }
            })
            .collect();
        lines.sort_by_key(|l| {
            (
                l.score.as_ref().map_or(i64::MAX, |s| s.0),
                l.organization.details.name.clone(),
            )
        });
        Ok(lines)
    }

    /// The weights in force: the administrator's, or the shipped ones.
    pub async fn health_weights(&self) -> Result<Weights, AppError> {
        Ok(match self.store.setting(WEIGHTS).await? {
            Some(text) => Weights::parse(&text).unwrap_or_default(),
            None => Weights::default(),
        })
    }

    /// Saves new weights (administrators); the next run scores with them.
    pub async fn save_health_weights(&self, by: &Acting, text: &str) -> Result<Weights, AppError> {
        authorize(&by.actor, Action::Write, &Resource::SlaPolicies)?;
        let w = Weights::parse(text).map_err(AppError::Invalid)?;
        self.store
            .save_setting(WEIGHTS, &w.text(), &by.name, self.now())
            .await?;
        Ok(w)
    }

    /// Scores `orgs` now, from their inputs.
    pub async fn score_organizations(
        &self,
        orgs: &[Organization],
    ) -> Result<Vec<(OrganizationId, Health)>, AppError> {
        let weights = self.health_weights().await?;
        let inputs = self.health_inputs(orgs).await?;
        Ok(inputs
            .into_iter()
            .map(|(org, input)| (org, score(&input, &weights)))
            .collect())
    }

    /// The daily run: when no node has scored today yet, scores every organisation and
    /// stores the scores. Gives how many were scored (none when another node has the day).
    pub async fn run_health(&self) -> Result<Option<Vec<(OrganizationId, Health)>>, AppError> {
        let now = self.now();
        let day = now.to_zoned(self.office_zone()).date().to_string();
        if !self.store.claim_health_run(&day, now).await? {
            return Ok(None);
        }
        let orgs = self.store.all_organizations().await?;
        let scores = self.score_organizations(&orgs).await?;
        let yesterday = now
            .to_zoned(self.office_zone())
            .date()
            .yesterday()
            .map(|d| d.to_string())
            .unwrap_or_default();
        let before: HashMap<OrganizationId, i64> = self
            .store
            .health_on(&yesterday)
            .await?
            .into_iter()
            .map(|s| (s.organization, s.score))
            .collect();
        let managers = self.store.accounts().await?;
        let letters: Vec<NewLetter> = orgs
            .iter()
            .zip(&scores)
            .filter(|(_, (org, h))| {
                before
                    .get(org)
                    .is_some_and(|b| *b >= i64::from(ALERT_BELOW) && h.score < ALERT_BELOW)
            })
            .filter_map(|(o, (_, h))| {
                let m = managers
                    .iter()
                    .find(|a| Some(a.id) == o.details.service_manager && !a.disabled)?;
                Some(drop_letter(
                    o,
                    h,
                    before.get(&o.id).copied().unwrap_or(0),
                    m,
                ))
            })
            .collect();
        let rows: Vec<DailyScore> = scores
            .iter()
            .map(|(org, h)| DailyScore {
                organization: *org,
                day: day.clone(),
                score: i64::from(h.score),
                parts: stored_parts(h),
            })
            .collect();
        self.store.save_health(&day, &rows, &letters, now).await?;
        Ok(Some(scores))
    }

    /// One organisation's health now, its trend over the year and the part that moved most.
    pub async fn organization_health(
        &self,
        actor: &Actor,
        org: OrganizationId,
    ) -> Result<OrganizationHealth, AppError> {
        authorize(actor, Action::Read, &Resource::Meetings(org))?;
        authorize(actor, Action::Read, &Resource::StaffConsole)?;
        let organization = self
            .store
            .organization(org)
            .await?
            .ok_or(AppError::NotFound)?;
        let health = self
            .score_organizations(&[organization])
            .await?
            .pop()
            .map(|(_, h)| h)
            .ok_or(AppError::NotFound)?;
        let today = self.now().to_zoned(self.office_zone()).date();
        let since = today
            .saturating_sub(jiff::Span::new().days(TREND_DAYS))
            .to_string();
        let stored = self.store.health_of(org, &since).await?;
        let month_ago = today.saturating_sub(jiff::Span::new().days(30)).to_string();
        let before = stored
            .iter()
            .rev()
            .find(|s| s.day <= month_ago)
            .map(|s| health_of(&s.parts));
        let mut trend: Vec<(String, i64)> = stored.into_iter().map(|s| (s.day, s.score)).collect();
        if trend.last().is_none_or(|(d, _)| *d != today.to_string()) {
            trend.push((today.to_string(), i64::from(health.score)));
        }
        Ok(OrganizationHealth {
            organization: org,
            moved: before.and_then(|b| moved_most(&b, &health)),
            health,
            trend,
        })
    }

    /// What the scores are computed from, for each of `orgs`.
    async fn health_inputs(
        &self,
        orgs: &[Organization],
    ) -> Result<Vec<(OrganizationId, HealthInput)>, AppError> {
        let now = self.now();
        let tz = self.office_zone();
        let today = now.to_zoned(tz.clone()).date();
        let days = |n: i64| now - SignedDuration::from_hours(24 * n);
        let mut contracts: HashMap<OrganizationId, Vec<ContractDetails>> = HashMap::new();
        let all = if orgs.len() == 1 {
            self.store.contracts_of(orgs[0].id).await?
        } else {
            self.store.all_contracts().await?
        };
        for c in all {
            contracts.entry(c.organization).or_default().push(c.details);
        }
        let mut facts: HashMap<OrganizationId, Vec<_>> = HashMap::new();
        for f in self.store.ticket_facts(days(365)).await? {
            facts.entry(f.organization).or_default().push(f);
        }
        let last_ticket = self.store.last_ticket_by_organization().await?;
        let last_meeting = self.store.last_meeting_by_organization(now).await?;
        let mut ratings: HashMap<OrganizationId, Vec<_>> = HashMap::new();
        for r in self.store.ratings_since(days(90)).await? {
            if let Some(o) = r.organization {
                ratings.entry(o).or_default().push(r);
            }
        }
        let runs = self.store.open_runs().await?;
        let components = self.store.components().await?;
        let incidents: Vec<_> = self
            .store
            .events(EventFilter::Incidents, 1000)
            .await?
            .into_iter()
            .filter(|e| e.started_at >= days(90))
            .collect();
        let period = Period {
            label: "the last 90 days".into(),
            from: days(90).to_zoned(tz.clone()).date(),
            until: today.tomorrow().unwrap_or(today),
        };
        let mut out = Vec::with_capacity(orgs.len());
        for o in orgs {
            let id = o.id;
            let mine = contracts.remove(&id).unwrap_or_default();
            let org_facts = facts.remove(&id).unwrap_or_default();
            let recent = org_facts
                .iter()
                .filter(|f| f.created_at >= days(90))
                .count();
            let (sla_met, sla_breached) = if recent > 0 {
                match gather(&self.store, id, period.clone(), &tz, now).await? {
                    Some(input) => build(&input)
                        .compliance
                        .iter()
                        .fold((0, 0), |(m, b), c| (m + c.met, b + c.breached)),
                    None => (0, 0),
                }
            } else {
                (0, 0)
            };
            let last_30 = org_facts
                .iter()
                .filter(|f| f.created_at >= days(30))
                .count();
            let before = org_facts
                .iter()
                .filter(|f| f.created_at < days(30) && f.created_at >= days(365))
                .count();
            let services = entitlements_on(&mine, today)
                .map(|e| e.services)
                .unwrap_or_default();
            let ours: Vec<i64> = components
                .iter()
                .filter(|c| serves(c, &services))
                .map(|c| c.id)
                .collect();
            let incident_weight = incidents
                .iter()
                .filter(|e| e.components.iter().any(|c| ours.contains(c)))
                .map(|e| {
                    if matches!(e.impact, Impact::Major | Impact::Critical) {
                        2
                    } else {
                        1
                    }
                })
                .sum();
            let onboarding_overdue = runs
                .iter()
                .filter(|r| r.organization == id)
                .flat_map(|r| r.facts())
                .filter(|f| varde_core::onboarding::overdue(f, today))
                .count();
            let contact = [last_ticket.get(&id), last_meeting.get(&id)]
                .into_iter()
                .flatten()
                .max()
                .map(|t| now.duration_since(*t).as_hours() / 24);
            let mut rated = (0, 0, 0);
            for r in ratings.remove(&id).unwrap_or_default() {
                match r.rating.as_str() {
                    "good" => rated.0 += 1,
                    "okay" => rated.1 += 1,
                    _ => rated.2 += 1,
                }
            }
            out.push((
                id,
                HealthInput {
                    sla_breached,
                    sla_met,
                    open_urgent: org_facts
                        .iter()
                        .filter(|f| PriorityClass::of(f.priority) == PriorityClass::Urgent)
                        .filter(|f| {
                            !matches!(f.status.as_str(), "resolved" | "rejected" | "deleted")
                        })
                        .count(),
                    tickets_last_30: last_30,
                    usual_per_30: (before > 0).then(|| before as f64 * 30.0 / 335.0),
                    incident_weight,
                    onboarding_overdue,
                    days_since_contact: contact,
                    ratings: rated,
                    contract_ends_in: support_ends_in(&mine, today),
                },
            ));
        }
        Ok(out)
    }
}

/// Days until the support contract in force today ends, when no other support contract
/// takes over the day after; none for an open-ended one (or none in force).
fn support_ends_in(contracts: &[ContractDetails], today: jiff::civil::Date) -> Option<i64> {
    let e = entitlements_on(contracts, today).ok()?;
    let granting = contracts.iter().find(|c| c.reference == e.granted_by)?;
    let end = granting.ends_on?;
    let after = end.tomorrow().ok()?;
    if entitlements_on(contracts, after).is_ok() {
        return None;
    }
    Some((end - today).get_days().into())
}

/// The mail to a service manager whose organisation's health dropped below [`ALERT_BELOW`].
fn drop_letter(
    o: &Organization,
    h: &Health,
    was: i64,
    manager: &varde_core::account::Account,
) -> NewLetter {
    let mut parts: Vec<&Scored> = h.parts.iter().filter(|p| p.penalty > 0.0).collect();
    parts.sort_by(|a, b| b.penalty.total_cmp(&a.penalty));
    let lines: Vec<String> = parts
        .iter()
        .map(|p| format!("- {} (-{:.1}): {}", p.part.label(), p.penalty, p.why))
        .collect();
    NewLetter {
        kind: "health_drop".into(),
        reference: format!("organization:{}", o.id.0),
        recipient: manager.email.as_str().to_string(),
        recipient_name: manager.name.clone(),
        sender: String::new(),
        subject: format!("Health of {} dropped to {}", o.details.name, h.score),
        body: format!(
            "The health of {} dropped from {was} to {} (below {ALERT_BELOW}).\n\nWhat takes points off:\n{}\n\nSee /console/organizations/{}/health\n",
            o.details.name,
            h.score,
            lines.join("\n"),
            o.id.0
        ),
        calendar: String::new(),
    }
}

/// A score's parts as the store keeps them.
pub fn stored_parts(h: &Health) -> Vec<PartScore> {
    h.parts
        .iter()
        .map(|p| PartScore {
            part: p.part.code().to_string(),
            penalty: p.penalty,
            why: p.why.clone(),
        })
        .collect()
}

/// A stored score back (parts of unknown names left out).
pub fn health_of(parts: &[PartScore]) -> Health {
    let parts: Vec<Scored> = parts
        .iter()
        .filter_map(|p| {
            Some(Scored {
                part: Part::parse(&p.part).ok()?,
                penalty: p.penalty,
                why: p.why.clone(),
            })
        })
        .collect();
    let lost: f64 = parts.iter().map(|p| p.penalty).sum();
    Health {
        score: (100.0_f64 - lost).round().clamp(0.0, 100.0) as u8,
        parts,
    }
}
