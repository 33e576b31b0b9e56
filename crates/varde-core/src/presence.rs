//! Who else has a ticket open in the console right now, and who is writing on it: the
//! collision notice agents of Zammad and Freshdesk rely on, so two people do not answer the
//! same customer at once. A browser tells every [`HEARTBEAT`] that its agent still looks
//! (and whether they are typing); whoever has not told within [`WINDOW`] has left.

use jiff::{SignedDuration, Timestamp};

/// How often an open ticket page tells that its agent is still there.
pub const HEARTBEAT: SignedDuration = SignedDuration::from_secs(20);
/// How long a look counts: two heartbeats and a little, so one late one does not flicker.
pub const WINDOW: SignedDuration = SignedDuration::from_secs(45);

/// Someone with the ticket open: their account e-mail, name, whether they are writing on it,
/// and when they last told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Present {
    pub email: String,
    pub name: String,
    pub writing: bool,
    pub at: Timestamp,
}

/// The others on the ticket now (not `me`, not gone), writers first.
pub fn others(all: &[Present], me: &str, now: Timestamp) -> Vec<Present> {
    let mut v: Vec<Present> = all
        .iter()
        .filter(|p| !p.email.eq_ignore_ascii_case(me) && now.duration_since(p.at) <= WINDOW)
        .cloned()
        .collect();
    v.sort_by(|a, b| b.writing.cmp(&a.writing).then(a.name.cmp(&b.name)));
    v
}

/// The notice for the ticket page: who is writing, who is looking.
pub fn notice(others: &[Present]) -> Option<String> {
    let names = |writing: bool| -> Vec<&str> {
        others
            .iter()
            .filter(|p| p.writing == writing)
            .map(|p| p.name.as_str())
            .collect()
    };
    let (writing, looking) = (names(true), names(false));
    let mut parts = Vec::new();
    if !writing.is_empty() {
        let verb = if writing.len() == 1 { "is" } else { "are" };
        parts.push(format!(
            "{} {verb} writing on this ticket now",
            list(&writing)
        ));
    }
    if !looking.is_empty() {
        let verb = if looking.len() == 1 { "has" } else { "have" };
        parts.push(format!("{} {verb} it open", list(&looking)));
    }
    (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
}

fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn p(email: &str, name: &str, writing: bool, when: &str) -> Present {
        Present {
            email: email.into(),
            name: name.into(),
            writing,
            at: at(when),
        }
    }

    #[test]
    fn others_on_the_ticket_writers_first_and_the_gone_left_out() {
        let all = [
            p("me@x", "Me", true, "2026-12-03T10:00:00Z"),
            p("bo@x", "Bo", false, "2026-12-03T10:00:10Z"),
            p("cy@x", "Cy", true, "2026-12-03T10:00:20Z"),
            p("di@x", "Di", false, "2026-12-03T09:59:00Z"),
        ];
        let now = at("2026-12-03T10:00:30Z");
        let o = others(&all, "ME@x", now);
        assert_eq!(
            o.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Cy", "Bo"]
        );
        assert_eq!(
            notice(&o).unwrap(),
            "Cy is writing on this ticket now; Bo has it open."
        );
        assert_eq!(notice(&[]), None);
        let two = [
            p("a@x", "Ann", false, "2026-12-03T10:00:00Z"),
            p("b@x", "Bo", false, "2026-12-03T10:00:00Z"),
        ];
        assert_eq!(notice(&two).unwrap(), "Ann and Bo have it open.");
    }
}
