//! Quarterly operations meetings: which quarters an organisation has one in, the state of each
//! quarter's meeting (planned, due, booked, held, missed), the booking form, and action items.
//!
//! A quarter has a meeting when the organisation is entitled to quarterly meetings (premium
//! support, from its contracts) on at least [`MIN_ENTITLED_DAYS`] days of it: a contract
//! signed in the last week of a quarter starts its meetings the quarter after, and a contract
//! that ends in the quarter's first weeks has had its last one the quarter before.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use crate::contract::ContractDetails;
use crate::entitlements::entitlements_on;
use crate::form::FieldErrors;
use crate::report::Period;
use crate::values::EmailAddress;
use crate::vocabulary;

/// Days of entitlement a quarter needs to have a meeting of its own.
pub const MIN_ENTITLED_DAYS: i32 = 30;

/// How long a meeting lasts unless the booking says otherwise, in minutes.
pub const DEFAULT_MINUTES: i64 = 60;

vocabulary!(
    /// A booked meeting's state.
    MeetingStatus, "meeting status" {
        Booked => "booked", "Booked";
        Held => "held", "Held";
        Cancelled => "cancelled", "Cancelled";
    }
);

/// Whether the organisation's contracts give it a meeting in `quarter`.
pub fn entitled_in(contracts: &[ContractDetails], quarter: &Period) -> bool {
    let mut days = 0;
    let mut day = quarter.from;
    while day < quarter.until {
        if entitlements_on(contracts, day).is_ok_and(|e| e.quarterly_meetings) {
            days += 1;
            if days >= MIN_ENTITLED_DAYS {
                return true;
            }
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    false
}

/// The quarters from the one containing `first` on, `count` of them.
pub fn quarters_from(first: Date, count: usize) -> Vec<Period> {
    let mut out = Vec::with_capacity(count);
    let mut q = Period::quarter_of(first);
    for _ in 0..count {
        let next = q.until;
        out.push(q);
        q = Period::quarter_of(next);
    }
    out
}

/// A booked (or held, or cancelled) meeting, as the plan needs to know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookedMeeting {
    pub id: i64,
    pub quarter: String,
    pub starts_at: Timestamp,
    pub status: MeetingStatus,
}

/// What a quarter's meeting stands at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotState {
    /// A quarter still to come: nothing to do yet.
    Planned,
    /// The quarter has begun and no meeting is booked.
    Due,
    /// Booked, at the meeting's time.
    Booked {
        id: i64,
        at: Timestamp,
    },
    /// Booked, its time has passed, and nobody recorded it.
    NotRecorded {
        id: i64,
        at: Timestamp,
    },
    Held {
        id: i64,
        at: Timestamp,
    },
    /// The quarter ended without a meeting held.
    Missed,
}

impl SlotState {
    pub fn code(&self) -> &'static str {
        match self {
            SlotState::Planned => "planned",
            SlotState::Due => "due",
            SlotState::Booked { .. } => "booked",
            SlotState::NotRecorded { .. } => "not_recorded",
            SlotState::Held { .. } => "held",
            SlotState::Missed => "missed",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            SlotState::Planned => "Planned",
            SlotState::Due => "Due: not booked",
            SlotState::Booked { .. } => "Booked",
            SlotState::NotRecorded { .. } => "Held? Not recorded",
            SlotState::Held { .. } => "Held",
            SlotState::Missed => "Missed",
        }
    }

    /// The booked meeting behind the state, if any.
    pub fn meeting(&self) -> Option<i64> {
        match self {
            SlotState::Booked { id, .. }
            | SlotState::NotRecorded { id, .. }
            | SlotState::Held { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whether a service manager has something to do about it.
    pub fn needs_action(&self) -> bool {
        matches!(self, SlotState::Due | SlotState::NotRecorded { .. })
    }
}

/// One quarter of an organisation's meeting plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub quarter: Period,
    pub state: SlotState,
}

/// The meeting plan over `quarters`: one slot per quarter the organisation is entitled to,
/// plus any quarter with a meeting booked although the entitlement has gone (it was booked,
/// so it shows). `now` and `tz` decide which quarter has begun.
pub fn plan(
    contracts: &[ContractDetails],
    booked: &[BookedMeeting],
    quarters: &[Period],
    now: Timestamp,
    tz: &TimeZone,
) -> Vec<Slot> {
    let today = now.to_zoned(tz.clone()).date();
    quarters
        .iter()
        .filter_map(|q| {
            let meeting = booked
                .iter()
                .filter(|m| m.quarter == q.label && m.status != MeetingStatus::Cancelled)
                .max_by_key(|m| m.starts_at);
            let state = match meeting {
                Some(m) if m.status == MeetingStatus::Held => SlotState::Held {
                    id: m.id,
                    at: m.starts_at,
                },
                Some(m) if m.starts_at <= now => SlotState::NotRecorded {
                    id: m.id,
                    at: m.starts_at,
                },
                Some(m) => SlotState::Booked {
                    id: m.id,
                    at: m.starts_at,
                },
                None if !entitled_in(contracts, q) => return None,
                None if q.until <= today => SlotState::Missed,
                None if q.from <= today => SlotState::Due,
                None => SlotState::Planned,
            };
            Some(Slot {
                quarter: q.clone(),
                state,
            })
        })
        .collect()
}

/// A meeting as the service manager books or moves it.
#[derive(Clone, Debug, Default)]
pub struct MeetingForm {
    /// `2027-01-14` and `10:00`, in the service manager's zone.
    pub date: String,
    pub time: String,
    pub minutes: String,
    pub place: String,
    /// One attendee per line: `Name <address>` or a bare address.
    pub attendees: String,
}

/// A parsed booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub starts_at: Timestamp,
    pub minutes: i64,
    pub place: String,
    pub attendees: Vec<Attendee>,
}

/// Someone invited to a meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub email: EmailAddress,
}

impl MeetingForm {
    /// The booking, read in `tz`, or the field errors.
    pub fn parse(&self, tz: &TimeZone) -> Result<Booking, FieldErrors> {
        let mut errors = FieldErrors::new();
        let date: Option<Date> = errors.take(
            "date",
            self.date
                .trim()
                .parse::<Date>()
                .map_err(|_| format!("'{}' is not a date like 2027-01-14", self.date.trim())),
        );
        let time = errors.take("time", parse_time(&self.time));
        let minutes = match self.minutes.trim() {
            "" => Some(DEFAULT_MINUTES),
            m => errors.take(
                "minutes",
                m.parse::<i64>()
                    .ok()
                    .filter(|m| (15..=480).contains(m))
                    .ok_or("a length from 15 to 480 minutes"),
            ),
        };
        let attendees = errors.take("attendees", parse_attendees(&self.attendees));
        let starts_at = match (date, time) {
            (Some(d), Some((h, m))) => errors.take(
                "time",
                jiff::civil::Time::new(h, m, 0, 0)
                    .and_then(|t| DateTime::from_parts(d, t).to_zoned(tz.clone()))
                    .map(|z| z.timestamp())
                    .map_err(|e| e.to_string()),
            ),
            _ => None,
        };
        match (starts_at, minutes, attendees) {
            (Some(starts_at), Some(minutes), Some(attendees)) if errors.is_empty() => Ok(Booking {
                starts_at,
                minutes,
                place: self.place.trim().to_string(),
                attendees,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_time(raw: &str) -> Result<(i8, i8), String> {
    let bad = || format!("'{}' is not a time like 10:00", raw.trim());
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if (0..24).contains(&h) && (0..60).contains(&m) {
        Ok((h, m))
    } else {
        Err(bad())
    }
}

/// Attendees, one per line: `Name <address>` or a bare address; blank lines ignored.
pub fn parse_attendees(raw: &str) -> Result<Vec<Attendee>, String> {
    let mut out: Vec<Attendee> = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, address) = match (line.rfind('<'), line.strip_suffix('>')) {
            (Some(open), Some(rest)) => (line[..open].trim(), &rest[open + 1..]),
            _ => ("", line),
        };
        let email = EmailAddress::parse(address).map_err(|e| format!("{line}: {}", e.0))?;
        if out
            .iter()
            .any(|a| a.email.as_str().eq_ignore_ascii_case(email.as_str()))
        {
            continue;
        }
        out.push(Attendee {
            name: name.trim_matches('"').to_string(),
            email,
        });
    }
    Ok(out)
}

/// Attendees back to the form's lines.
pub fn attendees_text(attendees: &[Attendee]) -> String {
    attendees
        .iter()
        .map(|a| match a.name.as_str() {
            "" => a.email.as_str().to_string(),
            n => format!("{n} <{}>", a.email.as_str()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An action item agreed in a meeting: a task for staff, or a ticket in the customer's queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionItemForm {
    pub text: String,
    pub owner: String,
    /// `2027-02-01`; blank for none.
    pub due_on: String,
}

/// A parsed action item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewActionItem {
    pub text: String,
    pub owner: String,
    pub due_on: Option<Date>,
}

impl ActionItemForm {
    pub fn parse(&self) -> Result<NewActionItem, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = self.text.trim();
        if text.is_empty() {
            errors.add("text", "say what is to be done");
        } else if text.chars().count() > 500 {
            errors.add("text", "at most 500 characters");
        }
        let owner = self.owner.trim();
        if owner.is_empty() {
            errors.add("owner", "name who does it");
        }
        let due_on = match self.due_on.trim() {
            "" => None,
            d => errors.take(
                "due_on",
                d.parse::<Date>()
                    .map_err(|_| format!("'{d}' is not a date like 2027-02-01")),
            ),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewActionItem {
            text: text.to_string(),
            owner: owner.to_string(),
            due_on,
        })
    }
}

/// A contract date worth raising in a meeting: one that ends or starts within `days` of
/// `today`. (reference, what, day), soonest first.
pub fn contract_dates(
    contracts: &[ContractDetails],
    today: Date,
    days: i64,
) -> Vec<(String, &'static str, Date)> {
    let horizon = today.saturating_add(jiff::Span::new().days(days));
    let mut out = Vec::new();
    for c in contracts.iter().filter(|c| c.signed_on.is_some()) {
        if today < c.starts_on && c.starts_on <= horizon {
            out.push((c.reference.clone(), "starts", c.starts_on));
        }
        if let Some(end) = c.ends_on.filter(|e| today <= *e && *e <= horizon) {
            out.push((c.reference.clone(), "ends", end));
        }
    }
    out.sort_by_key(|(_, _, d)| *d);
    out
}

#[cfg(test)]
#[path = "meetings_tests.rs"]
mod tests;
