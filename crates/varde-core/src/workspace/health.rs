//! Customer health: a score from 0 to 100 per organisation, with the parts it is made of, each
//! explained. A part's penalty is its weight times how bad that signal is (from 0, fine, to
//! 1, as bad as it gets); the score is 100 less the penalties, as the weights sum to 100.
//! Organisations with no tickets are scored too: silence shows in the contact part.

use crate::form::FieldErrors;

/// What the score is computed from, gathered over the last 90 days unless said otherwise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HealthInput {
    /// SLA targets breached, and met, on the organisation's tickets.
    pub sla_breached: usize,
    pub sla_met: usize,
    /// Urgent tickets still open now.
    pub open_urgent: usize,
    /// Tickets opened in the last 30 days, and the usual number per 30 days over the year
    /// before (none without a history).
    pub tickets_last_30: usize,
    pub usual_per_30: Option<f64>,
    /// Incidents that touched the services on contract (major or critical ones counted
    /// twice).
    pub incident_weight: usize,
    /// Onboarding steps past their due day.
    pub onboarding_overdue: usize,
    /// Days since the last held meeting or ticket from the organisation, whichever is later;
    /// none when there was never either.
    pub days_since_contact: Option<i64>,
    /// Satisfaction ratings: good, okay, bad.
    pub ratings: (usize, usize, usize),
    /// Days until the support contract in force ends, when it ends and nothing follows it.
    pub contract_ends_in: Option<i64>,
}

/// How much each part may take off the score; they sum to 100.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights(pub [(Part, f64); 8]);

crate::vocabulary!(
    /// The parts of a health score.
    Part, "health part" {
        Sla => "sla", "SLA";
        Urgent => "urgent", "Open urgent tickets";
        Volume => "volume", "Ticket volume";
        Incidents => "incidents", "Incidents";
        Onboarding => "onboarding", "Onboarding";
        Contact => "contact", "Contact";
        Satisfaction => "satisfaction", "Satisfaction";
        Renewal => "renewal", "Renewal";
    }
);

impl Default for Weights {
    fn default() -> Weights {
        Weights([
            (Part::Sla, 25.0),
            (Part::Urgent, 10.0),
            (Part::Volume, 10.0),
            (Part::Incidents, 10.0),
            (Part::Onboarding, 10.0),
            (Part::Contact, 15.0),
            (Part::Satisfaction, 10.0),
            (Part::Renewal, 10.0),
        ])
    }
}

impl Weights {
    pub fn of(&self, part: Part) -> f64 {
        self.0
            .iter()
            .find(|(p, _)| *p == part)
            .map(|(_, w)| *w)
            .unwrap_or(0.0)
    }

    /// As an administrator types them: `sla=25 urgent=10 …`; every part, summing to 100.
    pub fn parse(raw: &str) -> Result<Weights, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut w = Weights::default();
        let mut seen = Vec::new();
        for pair in raw.split([',', ' ', '\n']).filter(|p| !p.trim().is_empty()) {
            let Some((k, v)) = pair.split_once('=') else {
                errors.add("weights", format!("'{pair}' is not part=weight"));
                continue;
            };
            let part = match Part::parse(k) {
                Ok(p) => p,
                Err(e) => {
                    errors.add("weights", e.0);
                    continue;
                }
            };
            match v.trim().parse::<f64>() {
                Ok(x) if (0.0..=100.0).contains(&x) => {
                    if let Some(slot) = w.0.iter_mut().find(|(p, _)| *p == part) {
                        slot.1 = x;
                    }
                    seen.push(part);
                }
                _ => errors.add("weights", format!("{k}: a weight from 0 to 100")),
            }
        }
        let sum: f64 = w.0.iter().map(|(_, x)| x).sum();
        if errors.is_empty() && seen.len() != Part::ALL.len() {
            errors.add("weights", "give a weight for every part");
        } else if errors.is_empty() && (sum - 100.0).abs() > 0.01 {
            errors.add("weights", format!("the weights sum to {sum}, not 100"));
        }
        if errors.is_empty() {
            Ok(w)
        } else {
            Err(errors)
        }
    }

    /// Back to the form's text.
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|(p, w)| format!("{}={w}", p.code()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One part of a score: what it took off, and why, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub part: Part,
    /// Points taken off the score, 0 up to the part's weight.
    pub penalty: f64,
    pub why: String,
}

/// A health score with its parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    pub score: u8,
    pub parts: Vec<Scored>,
}

fn clamp(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// How bad each signal is, 0 to 1, with the sentence that explains it.
fn severities(i: &HealthInput) -> Vec<(Part, f64, String)> {
    let targets = i.sla_breached + i.sla_met;
    let sla = if targets == 0 {
        (0.0, "No SLA targets in the last 90 days.".to_string())
    } else {
        let share = i.sla_breached as f64 / targets as f64;
        (
            clamp(share * 4.0).max(clamp(i.sla_breached as f64 / 10.0)),
            format!(
                "{} of {targets} SLA targets breached in the last 90 days.",
                i.sla_breached
            ),
        )
    };
    let volume = match i.usual_per_30 {
        Some(usual) if usual >= 1.0 => {
            let ratio = i.tickets_last_30 as f64 / usual;
            (
                clamp((ratio - 1.5) / 2.5),
                format!(
                    "{} tickets in the last 30 days; usually {usual:.1}.",
                    i.tickets_last_30
                ),
            )
        }
        _ => (
            clamp((i.tickets_last_30 as f64 - 5.0) / 15.0),
            format!(
                "{} tickets in the last 30 days, no history to compare.",
                i.tickets_last_30
            ),
        ),
    };
    let contact = match i.days_since_contact {
        None => (0.8, "Never a ticket or a meeting: silence.".to_string()),
        Some(d) => (
            clamp((d as f64 - 60.0) / 120.0),
            format!("{d} days since the last ticket or meeting."),
        ),
    };
    let (good, okay, bad) = i.ratings;
    let rated = good + okay + bad;
    let satisfaction = if rated == 0 {
        (0.0, "No ratings in the last 90 days.".to_string())
    } else {
        (
            clamp((bad as f64 + 0.5 * okay as f64) / rated as f64 * 1.5),
            format!("{good} good, {okay} okay, {bad} bad ratings in the last 90 days."),
        )
    };
    let renewal = match i.contract_ends_in {
        Some(d) if d <= 90 => (
            clamp(1.0 - d as f64 / 90.0).max(0.3),
            format!("The support contract ends in {d} days, with nothing to follow it."),
        ),
        Some(d) => (0.0, format!("The support contract ends in {d} days.")),
        None => (0.0, "No contract end in sight.".to_string()),
    };
    vec![
        (Part::Sla, sla.0, sla.1),
        (
            Part::Urgent,
            clamp(i.open_urgent as f64 / 3.0),
            format!("{} urgent tickets open.", i.open_urgent),
        ),
        (Part::Volume, volume.0, volume.1),
        (
            Part::Incidents,
            clamp(i.incident_weight as f64 / 4.0),
            format!(
                "Incidents on the services on contract in the last 90 days: weight {}.",
                i.incident_weight
            ),
        ),
        (
            Part::Onboarding,
            clamp(i.onboarding_overdue as f64 / 2.0),
            format!("{} onboarding steps overdue.", i.onboarding_overdue),
        ),
        (Part::Contact, contact.0, contact.1),
        (Part::Satisfaction, satisfaction.0, satisfaction.1),
        (Part::Renewal, renewal.0, renewal.1),
    ]
}

/// The score from its inputs and the weights.
pub fn score(input: &HealthInput, weights: &Weights) -> Health {
    let parts: Vec<Scored> = severities(input)
        .into_iter()
        .map(|(part, severity, why)| Scored {
            part,
            penalty: (severity * weights.of(part) * 10.0).round() / 10.0,
            why,
        })
        .collect();
    let lost: f64 = parts.iter().map(|p| p.penalty).sum();
    Health {
        score: (100.0 - lost).round().clamp(0.0, 100.0) as u8,
        parts,
    }
}

/// The part whose penalty moved most between two scores (the later one's), if any moved.
pub fn moved_most(before: &Health, after: &Health) -> Option<(Part, f64)> {
    after
        .parts
        .iter()
        .map(|p| {
            let was = before
                .parts
                .iter()
                .find(|b| b.part == p.part)
                .map(|b| b.penalty)
                .unwrap_or(0.0);
            (p.part, p.penalty - was)
        })
        .filter(|(_, d)| d.abs() >= 0.5)
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
