//! The first quarterly operations meeting: when it is, and the iCalendar (RFC 5545)
//! request that invites the customer's contacts to it.

use jiff::civil::Date;

/// The first quarterly operations meeting: 10:00–11:00 Stockholm time on the first weekday
/// at least four weeks after the signing.
pub fn first_meeting(signed_on: Date) -> jiff::civil::DateTime {
    let mut day = signed_on.saturating_add(jiff::Span::new().days(28));
    while matches!(
        day.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) {
        day = day.tomorrow().unwrap_or(day);
    }
    day.at(10, 0, 0, 0)
}

/// An iCalendar (RFC 5545) meeting request, `METHOD:REQUEST`. `uid` stays the same when it
/// is sent again, so calendars update the one event. Times are UTC (`…Z`).
pub struct Invitation<'a> {
    pub uid: &'a str,
    pub stamp: jiff::Timestamp,
    pub start: jiff::Timestamp,
    pub minutes: i64,
    pub summary: &'a str,
    pub description: &'a str,
    pub organizer: &'a str,
    pub attendees: &'a [(String, String)],
    /// RFC 5545's SEQUENCE: 0 for the first invitation, one more at every change.
    pub sequence: i64,
}

impl Invitation<'_> {
    pub fn to_ics(&self) -> String {
        let utc = |t: jiff::Timestamp| t.strftime("%Y%m%dT%H%M%SZ").to_string();
        let end = self
            .start
            .saturating_add(jiff::SignedDuration::from_mins(self.minutes))
            .unwrap_or(self.start);
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".into(),
            "PRODID:-//Varde//Onboarding//EN".into(),
            "METHOD:REQUEST".into(),
            "BEGIN:VEVENT".into(),
            format!("UID:{}", self.uid),
            format!("DTSTAMP:{}", utc(self.stamp)),
            format!("DTSTART:{}", utc(self.start)),
            format!("DTEND:{}", utc(end)),
            format!("SUMMARY:{}", ics_text(self.summary)),
            format!("DESCRIPTION:{}", ics_text(self.description)),
            format!("ORGANIZER:mailto:{}", self.organizer),
        ];
        for (name, email) in self.attendees {
            lines.push(format!(
                "ATTENDEE;CN=\"{}\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}",
                name.replace('"', "'")
            ));
        }
        lines.extend([
            format!("SEQUENCE:{}", self.sequence),
            "STATUS:CONFIRMED".into(),
            "END:VEVENT".into(),
            "END:VCALENDAR".into(),
        ]);
        lines
            .iter()
            .map(|l| fold(l))
            .collect::<Vec<_>>()
            .join("\r\n")
            + "\r\n"
    }
}

/// Escapes text for an iCalendar value.
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_first_meeting_is_a_weekday_four_weeks_on() {
        // 2026-03-07 + 28 days = Saturday 2026-04-04 → Monday 2026-04-06.
        assert_eq!(
            first_meeting(date(2026, 3, 7)),
            date(2026, 4, 6).at(10, 0, 0, 0)
        );
        assert_eq!(
            first_meeting(date(2026, 3, 2)),
            date(2026, 3, 30).at(10, 0, 0, 0)
        );
    }

    #[test]
    fn invitations_are_rfc5545_requests_with_folded_lines() {
        let start: jiff::Timestamp = "2026-03-30T08:00:00Z".parse().unwrap();
        let attendees = vec![("Åsa \"Ops\" Berg".to_string(), "asa@kth.se".to_string())];
        let ics = Invitation {
            uid: "varde-meeting-7@example",
            stamp: start,
            start,
            minutes: 60,
            summary: "Quarterly operations meeting, KTH; agenda",
            description: "Agenda:\n1. Incidents",
            organizer: "support@example.com",
            attendees: &attendees,
            sequence: 2,
        }
        .to_ics();
        assert!(ics.contains("\r\nSEQUENCE:2\r\n"));
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("\r\nMETHOD:REQUEST\r\n"));
        assert!(ics.contains("\r\nDTSTART:20260330T080000Z\r\nDTEND:20260330T090000Z\r\n"));
        assert!(ics.contains("SUMMARY:Quarterly operations meeting\\, KTH\\; agenda"));
        assert!(ics.contains("DESCRIPTION:Agenda:\\n1. Incidents"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "unfolded: {line}");
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("ATTENDEE;CN=\"Åsa 'Ops' Berg\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:asa@kth.se"));
    }
}
