//! Meetings, action items, letters and the roadmap register on each engine.

use varde_core::customer::OrganizationForm;
use varde_core::ids::OrganizationId;
use varde_core::ticket::history::Creation;
use varde_core::workspace::meetings::{ActionItemForm, MeetingForm, MeetingStatus};
use varde_core::workspace::roadmap::{ItemForm, RoadmapState};
use varde_store::letters::NewLetter;
use varde_store::outbox::Outcome;
use varde_store::roadmap::FeedbackNote;
use varde_store::tickets::NewAttachment;
use varde_store::workspace::{Minutes, NewMeeting};

use super::{stores, t};

fn letter(to: &str, reference: &str) -> NewLetter {
    NewLetter {
        kind: "meeting_invitation".into(),
        reference: reference.into(),
        recipient: to.into(),
        subject: "Quarterly operations meeting".into(),
        body: "Agenda".into(),
        calendar: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn meetings_action_tickets_letters_and_the_roadmap() {
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let now = t("2026-12-03T10:00:00Z");
    for (store, _dir) in stores().await {
        let engine = store.engine();
        let org = store
            .create_organization(
                "test",
                &OrganizationForm {
                    name: "Fjordnett".into(),
                    country: "NO".into(),
                    ..Default::default()
                }
                .parse()
                .unwrap(),
                now,
            )
            .await
            .unwrap()
            .id;
        let booking = MeetingForm {
            date: "2027-01-14".into(),
            time: "10:00".into(),
            attendees: "kari@fjord.example\nola@fjord.example".into(),
            ..Default::default()
        }
        .parse(&tz)
        .unwrap();
        let m = store
            .book_meeting(
                "mats",
                NewMeeting {
                    organization: org,
                    quarter: "2027Q1",
                    booking: &booking,
                    led_by: None,
                },
                |m| {
                    vec![
                        letter("kari@fjord.example", &format!("meeting:{}", m.id)),
                        letter("ola@fjord.example", &format!("meeting:{}", m.id)),
                    ]
                },
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            (m.status, m.sequence),
            (MeetingStatus::Booked, 0),
            "{engine}"
        );
        // One meeting a quarter: the second is a conflict, and queues no letters.
        let again = store
            .book_meeting(
                "mats",
                NewMeeting {
                    organization: org,
                    quarter: "2027Q1",
                    booking: &booking,
                    led_by: None,
                },
                |_| vec![letter("x@y.example", "meeting:x")],
                now,
            )
            .await;
        assert!(
            matches!(again, Err(varde_store::StoreError::Conflict(_))),
            "{engine}"
        );
        assert!(
            store.letters_about("meeting:x").await.unwrap().is_empty(),
            "{engine}"
        );
        let moved = store
            .move_meeting(
                "mats",
                m.id,
                &booking,
                |m| vec![letter("kari@fjord.example", &format!("meeting:{}", m.id))],
                now,
            )
            .await
            .unwrap();
        assert_eq!(moved.sequence, 1, "{engine}");
        let recorded = store
            .record_meeting(
                "mats",
                m.id,
                &Minutes {
                    notes: "Quota".into(),
                    shared: true,
                    ..Default::default()
                },
                true,
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            (recorded.status, recorded.shared, recorded.notes.as_str()),
            (MeetingStatus::Held, true, "Quota"),
            "{engine}"
        );
        // A held meeting is not moved.
        assert!(
            store
                .move_meeting("mats", m.id, &booking, |_| vec![], now)
                .await
                .is_err(),
            "{engine}"
        );

        // Letters: claimed once, retried, then sent.
        let claimed = store.claim_letters(now, 10, 300).await.unwrap();
        assert_eq!(claimed.len(), 3, "{engine}");
        assert!(
            store.claim_letters(now, 10, 300).await.unwrap().is_empty(),
            "{engine}: claimed rows are not claimed twice"
        );
        store
            .finish_letter(&claimed[0], Outcome::Retry("421 busy".into()), now)
            .await
            .unwrap();
        for l in &claimed[1..] {
            store
                .finish_letter(
                    l,
                    Outcome::Sent {
                        recipients: l.letter.recipient.clone(),
                        message_id: "m".into(),
                    },
                    now,
                )
                .await
                .unwrap();
        }
        let later = now + jiff::SignedDuration::from_mins(2);
        let again = store.claim_letters(later, 10, 300).await.unwrap();
        assert_eq!(
            again.iter().map(|l| l.id).collect::<Vec<_>>(),
            vec![claimed[0].id],
            "{engine}"
        );
        let about = store
            .letters_about(&format!("meeting:{}", m.id))
            .await
            .unwrap();
        assert_eq!(
            about.iter().filter(|l| l.status == "sent").count(),
            2,
            "{engine}"
        );

        // An action item that is a ticket: both in one transaction.
        let item = ActionItemForm {
            text: "Raise the quota".into(),
            owner: "Mats".into(),
            due_on: "2027-02-01".into(),
        }
        .parse()
        .unwrap();
        let queue = store.queue("General").await.unwrap().unwrap();
        let mut creation = Creation::requested("General", "Raise the quota", "kari@fjord.example");
        creation.organization = Some(org);
        let ticket = store
            .add_action_ticket(
                "mats",
                &recorded,
                &item,
                (&queue, creation, &[NewAttachment::text("From the meeting")]),
                now,
            )
            .await
            .unwrap();
        store
            .add_action_item("mats", &recorded, &item, now)
            .await
            .unwrap();
        let items = store.action_items_of(org).await.unwrap();
        assert_eq!(items.len(), 2, "{engine}");
        assert_eq!(items[0].ticket, Some(ticket.id), "{engine}");
        assert_eq!(
            items[0].due_on.map(|d| d.to_string()).as_deref(),
            Some("2027-02-01")
        );
        let done = store
            .finish_action_item(items[1].id, true, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(done.done_at, Some(now), "{engine}");
        assert_eq!(
            store.open_action_items().await.unwrap().len(),
            1,
            "{engine}"
        );

        // The roadmap: two items, merged; the state's time moves only when the state does.
        let other = OrganizationId(org.0);
        let a1 = store
            .add_feedback(
                org,
                &FeedbackNote {
                    text: "GPU".into(),
                    asked_by: "Kari".into(),
                    meeting: Some(m.id),
                    ticket: None,
                },
                "mats",
                now,
            )
            .await
            .unwrap();
        let a2 = store
            .add_feedback(
                other,
                &FeedbackNote {
                    text: "GPU too".into(),
                    ..Default::default()
                },
                "mats",
                now,
            )
            .await
            .unwrap();
        let form = |title: &str, state: &str| {
            ItemForm {
                title: title.into(),
                service: "compute".into(),
                state: state.into(),
                reason: String::new(),
            }
            .parse()
            .unwrap()
        };
        let i1 = store
            .create_roadmap_item("mats", &form("GPU", "new"), &[a1], now)
            .await
            .unwrap();
        let i2 = store
            .create_roadmap_item("mats", &form("GPUs", "new"), &[a2], now)
            .await
            .unwrap();
        store
            .merge_roadmap_items("mats", i1, i2, now)
            .await
            .unwrap();
        let items = store.roadmap_items().await.unwrap();
        assert_eq!(
            items.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![i1],
            "{engine}"
        );
        assert!(
            store
                .asks()
                .await
                .unwrap()
                .iter()
                .all(|a| a.item == Some(i1)),
            "{engine}"
        );
        let later = now + jiff::SignedDuration::from_hours(1);
        let same = store
            .update_roadmap_item("mats", i1, &form("GPU instances", "new"), later)
            .await
            .unwrap();
        assert_eq!(same.state_changed_at, now, "{engine}");
        let planned = store
            .update_roadmap_item("mats", i1, &form("GPU instances", "planned"), later)
            .await
            .unwrap();
        assert_eq!(
            (planned.item.state, planned.state_changed_at),
            (RoadmapState::Planned, later),
            "{engine}"
        );
        assert_eq!(
            store.roadmap_item(i2).await.unwrap().unwrap().merged_into,
            Some(i1),
            "{engine}"
        );
        let asks = store.asks_of(org).await.unwrap();
        assert_eq!(
            (asks[0].asked_by.as_str(), asks[0].meeting),
            ("Kari", Some(m.id)),
            "{engine}"
        );
    }
}
