//! A large RT database for measuring `varde import-rt`: per ticket ten transactions as a
//! support day makes them (creation with a body, a reply, the owner taken, a comment, the
//! customer's answer with two files, priority and a custom field set, a last reply and the
//! resolution), with links every 20th ticket. The same `tickets` always gives the same rows.

use super::{Rt, uri};
use crate::Result;

const STAFF: i64 = 20;
const CUSTOMERS: i64 = 2000;

fn time(minutes: i64) -> String {
    let t = jiff::civil::date(2022, 1, 1).at(0, 0, 0, 0) + jiff::SignedDuration::from_mins(minutes);
    t.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

impl Rt {
    /// Adds `tickets` generated tickets (ids 1…), with users, queues and a custom field, in
    /// one database transaction.
    pub async fn generate(&mut self, tickets: i64) -> Result<()> {
        self.exec("BEGIN").await?;
        for s in 0..STAFF {
            self.user(
                1000 + s,
                &format!("agent{s}"),
                &format!("agent{s}@provider.example"),
                &format!("Agent {s}"),
                true,
            )
            .await?;
        }
        for c in 0..CUSTOMERS {
            let email = format!("c{c}@org{}.example", c % 200);
            self.user(10_000 + c, &email, &email, "", false).await?;
        }
        for (id, name) in [(1, "General"), (2, "Storage"), (3, "Compute")] {
            self.queue(id, name).await?;
        }
        self.custom_field(1, "Site").await?;
        let (mut tx, mut part) = (1i64, 1i64);
        for id in 1..=tickets {
            self.generated_ticket(id, &mut tx, &mut part).await?;
        }
        self.exec("COMMIT").await
    }

    async fn generated_ticket(&mut self, id: i64, tx: &mut i64, part: &mut i64) -> Result<()> {
        let start = id * 7;
        let customer = 10_000 + id % CUSTOMERS;
        let agent = 1000 + id % STAFF;
        let status = if id % 10 == 0 {
            "rejected"
        } else if id % 10 == 1 {
            "open"
        } else {
            "resolved"
        };
        // The dates RT derives, as the transactions below make them.
        let resolved = if status == "open" {
            "1970-01-01 00:00:00".to_string()
        } else {
            time(start + 270)
        };
        self.ticket(
            id,
            1 + id % 3,
            &format!("Generated ticket {id}: disk full"),
            &time(start),
            vec![
                ("Status", status.into()),
                ("Owner", agent.into()),
                ("Priority", 30.into()),
                ("TimeWorked", 20.into()),
                ("Creator", customer.into()),
                ("Started", time(start + 60).into()),
                ("Told", time(start + 240).into()),
                ("Resolved", resolved.into()),
            ],
        )
        .await?;
        self.watcher(id, "Requestor", customer).await?;
        self.watcher(id, "Owner", agent).await?;
        self.custom_field_value(id, 1, "se-sto1").await?;
        let body =
            |n: i64| format!("Message {n} on ticket {id}: the disk is full again, please help.\n");
        let mut steps: Vec<(&str, &str, String, String, i64, i64)> = vec![
            ("Create", "", String::new(), String::new(), customer, 0),
            ("Correspond", "", String::new(), String::new(), agent, 10),
            ("Status", "Status", "new".into(), "open".into(), 1, 0),
            ("Set", "Owner", "6".into(), agent.to_string(), agent, 0),
            ("Comment", "", String::new(), String::new(), agent, 5),
            ("Correspond", "", String::new(), String::new(), customer, 0),
            ("Set", "Priority", "0".into(), "30".into(), agent, 0),
            (
                "CustomField",
                "1",
                String::new(),
                "se-sto1".into(),
                agent,
                0,
            ),
            ("Correspond", "", String::new(), String::new(), agent, 5),
        ];
        if status != "open" {
            steps.push(("Status", "Status", "open".into(), status.into(), agent, 0));
        }
        if id % 20 == 0 {
            steps.push(("AddLink", "DependsOn", String::new(), uri(id - 1), agent, 0));
        }
        for (n, (kind, field, old, new, creator, taken)) in steps.into_iter().enumerate() {
            let n = n as i64;
            self.tx(
                *tx,
                id,
                kind,
                field,
                &old,
                &new,
                creator,
                &time(start + n * 30),
                taken,
            )
            .await?;
            if matches!(kind, "Create" | "Correspond" | "Comment") {
                self.generated_parts(*tx, part, &body(n), n == 5).await?;
            }
            *tx += 1;
        }
        if id % 20 == 0 {
            self.link("DependsOn", id, id - 1, id, &time(start)).await?;
            self.tx(
                *tx,
                id - 1,
                "AddLink",
                "DependedOnBy",
                "",
                &uri(id),
                1000 + id % STAFF,
                &time(start),
                0,
            )
            .await?;
            *tx += 1;
        }
        Ok(())
    }

    /// A message: a plain body, or with `files` a multipart message with two files.
    async fn generated_parts(
        &mut self,
        tx: i64,
        part: &mut i64,
        body: &str,
        files: bool,
    ) -> Result<()> {
        let message_id = format!("<gen-{tx}@example.com>");
        if !files {
            self.part(*part, tx, 0, &message_id, "", "text/plain", "none", body)
                .await?;
            *part += 1;
            return Ok(());
        }
        let top = *part;
        self.part(top, tx, 0, &message_id, "", "multipart/mixed", "", "")
            .await?;
        self.part(top + 1, tx, top, "", "", "text/plain", "none", body)
            .await?;
        let log = base64_of(
            format!("kernel: disk full on volume {tx}\n")
                .repeat(40)
                .as_bytes(),
        );
        self.part(
            top + 2,
            tx,
            top,
            "",
            &format!("logg-{tx}.txt"),
            "text/plain",
            "base64",
            &log,
        )
        .await?;
        let png = base64_of(&[
            0x89,
            b'P',
            b'N',
            b'G',
            (tx % 251) as u8,
            (tx / 251 % 251) as u8,
        ]);
        self.part(
            top + 3,
            tx,
            top,
            "",
            &format!("skärmbild-{tx}.png"),
            "image/png",
            "base64",
            &png,
        )
        .await?;
        *part += 4;
        Ok(())
    }
}

/// Base64 as RT stores it (lines of 76), without a crate for it in the store.
fn base64_of(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push('\n');
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_as_rt_stores_it() {
        assert_eq!(super::base64_of(b"hall\xc3\xa5"), "aGFsbMOl");
        assert_eq!(super::base64_of(b"ab"), "YWI=");
        assert_eq!(super::base64_of(b"a"), "YQ==");
    }
}
