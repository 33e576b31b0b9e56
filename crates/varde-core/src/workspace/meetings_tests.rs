use super::*;
use crate::contract::{ContractForm, ProductLineForm};
use jiff::civil::date;

fn premium(reference: &str, start: &str, end: &str) -> ContractDetails {
    contract(reference, start, end, "SUPPORT-premium")
}

fn contract(reference: &str, start: &str, end: &str, support: &str) -> ContractDetails {
    ContractForm {
        reference: reference.into(),
        signed_on: start.into(),
        starts_on: start.into(),
        ends_on: end.into(),
        lines: vec![ProductLineForm {
            product_code: support.into(),
            quantity: "1".into(),
            site: String::new(),
        }],
    }
    .parse()
    .unwrap()
}

fn stockholm() -> TimeZone {
    TimeZone::get("Europe/Stockholm").unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The plan over 2026's four quarters as `quarter:state` words.
fn plan_words(contracts: &[ContractDetails], booked: &[BookedMeeting], now: &str) -> String {
    plan(
        contracts,
        booked,
        &quarters_from(date(2026, 1, 1), 4),
        at(now),
        &stockholm(),
    )
    .iter()
    .map(|s| format!("{}:{}", s.quarter.label, s.state.code()))
    .collect::<Vec<_>>()
    .join(" ")
}

#[test]
fn quarters_with_a_month_of_premium_have_a_meeting() {
    // Premium from 2026-03-10: 22 days in Q1 (too few), every day of Q2 to Q4.
    let c = [premium("P-1", "2026-03-10", "")];
    assert_eq!(
        plan_words(&c, &[], "2026-05-02T09:00:00Z"),
        "2026Q2:due 2026Q3:planned 2026Q4:planned"
    );
    // Gained mid-quarter with a month to go: that quarter has one.
    let c = [premium("P-2", "2026-02-20", "")];
    assert!(plan_words(&c, &[], "2026-05-02T09:00:00Z").starts_with("2026Q1:missed"));
}

#[test]
fn an_ended_contract_ends_the_meetings_and_other_tiers_have_none() {
    // Premium until 2026-07-20: 20 days of Q3, none of Q4.
    let c = [premium("P-3", "2025-01-01", "2026-07-20")];
    assert_eq!(
        plan_words(&c, &[], "2026-05-02T09:00:00Z"),
        "2026Q1:missed 2026Q2:due"
    );
    let standard = [contract("S-1", "2025-01-01", "", "SUPPORT-standard")];
    assert_eq!(plan_words(&standard, &[], "2026-05-02T09:00:00Z"), "");
}

#[test]
fn booked_held_and_unrecorded_meetings_show_as_such() {
    let c = [premium("P-4", "2025-01-01", "")];
    let booked = [
        BookedMeeting {
            id: 1,
            quarter: "2026Q1".into(),
            starts_at: at("2026-02-10T09:00:00Z"),
            status: MeetingStatus::Held,
        },
        BookedMeeting {
            id: 2,
            quarter: "2026Q2".into(),
            starts_at: at("2026-04-20T08:00:00Z"),
            status: MeetingStatus::Booked,
        },
        BookedMeeting {
            id: 3,
            quarter: "2026Q3".into(),
            starts_at: at("2026-08-20T08:00:00Z"),
            status: MeetingStatus::Booked,
        },
        BookedMeeting {
            id: 4,
            quarter: "2026Q4".into(),
            starts_at: at("2026-11-20T08:00:00Z"),
            status: MeetingStatus::Cancelled,
        },
    ];
    assert_eq!(
        plan_words(&c, &booked, "2026-05-02T09:00:00Z"),
        "2026Q1:held 2026Q2:not_recorded 2026Q3:booked 2026Q4:planned"
    );
    // A meeting stays in the plan after the entitlement is gone.
    let gone = [premium("P-5", "2025-01-01", "2025-12-31")];
    assert_eq!(
        plan_words(&gone, &booked, "2026-05-02T09:00:00Z"),
        "2026Q1:held 2026Q2:not_recorded 2026Q3:booked"
    );
}

#[test]
fn a_booking_is_read_in_the_managers_zone() {
    let form = MeetingForm {
        date: "2027-01-14".into(),
        time: "10:00".into(),
        minutes: String::new(),
        place: " Teams ".into(),
        attendees: "Ingrid Nilsen <ingrid@sikt.no>\nops@sikt.no\n\nINGRID@sikt.no".into(),
    };
    let b = form.parse(&stockholm()).unwrap();
    assert_eq!(b.starts_at, at("2027-01-14T09:00:00Z"));
    assert_eq!((b.minutes, b.place.as_str()), (60, "Teams"));
    assert_eq!(b.attendees.len(), 2, "the same address once");
    assert_eq!(
        attendees_text(&b.attendees),
        "Ingrid Nilsen <ingrid@sikt.no>\nops@sikt.no"
    );
    let bad = MeetingForm {
        date: "14/1".into(),
        time: "25:00".into(),
        minutes: "5".into(),
        attendees: "not an address".into(),
        ..form
    }
    .parse(&stockholm())
    .unwrap_err();
    for field in ["date", "time", "minutes", "attendees"] {
        assert!(bad.get(field).is_some(), "{field}");
    }
}

#[test]
fn action_items_need_a_text_and_an_owner() {
    let bad = ActionItemForm {
        text: " ".into(),
        owner: String::new(),
        due_on: "soon".into(),
    }
    .parse()
    .unwrap_err();
    assert!(bad.get("text").is_some() && bad.get("owner").is_some() && bad.get("due_on").is_some());
    let ok = ActionItemForm {
        text: "Raise the S3 bucket quota".into(),
        owner: "Service manager".into(),
        due_on: "2027-02-01".into(),
    }
    .parse()
    .unwrap();
    assert_eq!(ok.due_on, Some(date(2027, 2, 1)));
}

#[test]
fn contract_dates_within_the_horizon_soonest_first() {
    let c = [
        premium("P-6", "2025-01-01", "2027-03-31"),
        premium("P-7", "2027-01-01", ""),
        premium("P-8", "2025-01-01", "2028-01-01"),
    ];
    let got = contract_dates(&c, date(2026, 12, 1), 180);
    assert_eq!(
        got,
        vec![
            ("P-7".to_string(), "starts", date(2027, 1, 1)),
            ("P-6".to_string(), "ends", date(2027, 3, 31)),
        ]
    );
}
