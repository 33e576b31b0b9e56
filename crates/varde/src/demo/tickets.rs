//! The demo tickets: what customers asked and what agents did about it.

use jiff::Timestamp;
use varde_core::ticket::custom_fields::CustomFieldDef;
use varde_core::ticket::history::{self, Change, Creation};
use varde_core::ticket::lifecycle::Status;
use varde_store::Store;
use varde_store::tickets::NewAttachment;

/// A demo ticket: subject, requestor, queue, opening message, then what agents did.
struct DemoTicket {
    subject: &'static str,
    requestor: &'static str,
    queue: &'static str,
    text: &'static str,
    custom_fields: &'static [(&'static str, &'static str)],
    steps: &'static [DemoStep],
}

enum DemoStep {
    Take(&'static str),
    Reply(&'static str, &'static str),
    Comment(&'static str, &'static str),
    Call(&'static str, &'static str, i64, &'static str),
    Status(&'static str, Status),
}

const TICKETS: &[DemoTicket] = &[
    DemoTicket {
        subject: "Instances in se-sto1 cannot reach the metadata service",
        requestor: "sara.lindqvist@kth.se",
        queue: "General",
        text: "Since 09:40 new instances in our project hang at boot waiting for 169.254.169.254.\nExisting instances are fine.",
        custom_fields: &[("Site", "se-sto1"), ("Service", "compute")],
        steps: &[
            DemoStep::Take("agent@example.com"),
            DemoStep::Comment(
                "agent@example.com",
                "Metadata agent on net-node-3 restarted at 09:38; checking its logs.",
            ),
            DemoStep::Reply(
                "agent@example.com",
                "We are looking at the metadata service in se-sto1 and will update you within the hour.",
            ),
        ],
    },
    DemoTicket {
        subject: "Raise S3 quota for bucket research-archive",
        requestor: "ingrid.nilsen@sikt.no",
        queue: "Storage",
        text: "Please raise the quota of research-archive from 50 TB to 80 TB.",
        custom_fields: &[("Site", "no-osl1"), ("Service", "storage")],
        steps: &[],
    },
    DemoTicket {
        subject: "Question about prices for GPU instances",
        requestor: "someone@unknown.example",
        queue: "General",
        text: "Hello, do you offer GPU flavors, and at what price?",
        custom_fields: &[],
        steps: &[],
    },
    DemoTicket {
        subject: "Restore test of last night's backup failed",
        requestor: "priya@northwind.example",
        queue: "General",
        text: "Our weekly restore test failed with 'snapshot not found'.",
        custom_fields: &[("Site", "se-sto1"), ("Service", "backup")],
        steps: &[
            DemoStep::Take("manager@example.com"),
            DemoStep::Call(
                "manager@example.com",
                "Priya Raman",
                12,
                "Walked through the restore; the snapshot had expired by policy. Agreed to extend retention to 30 days.",
            ),
            DemoStep::Reply(
                "manager@example.com",
                "Retention is now 30 days; tonight's snapshot will be restorable.",
            ),
            DemoStep::Status("manager@example.com", Status::Resolved),
        ],
    },
    DemoTicket {
        subject: "Application credentials for our CI",
        requestor: "erik.holm@regionstockholm.se",
        queue: "General",
        text: "Which role should the application credential for our CI pipeline have?",
        custom_fields: &[],
        steps: &[
            DemoStep::Reply(
                "agent@example.com",
                "Which project should the pipeline deploy to? We will suggest the narrowest role.",
            ),
            DemoStep::Status("agent@example.com", Status::Stalled),
        ],
    },
];

pub(super) async fn seed_tickets(store: &Store, now: Timestamp) -> anyhow::Result<()> {
    store
        .create_queue(
            "Storage",
            "S3 and block storage",
            "storage@support.example",
            "storage-comment@support.example",
            now,
        )
        .await
        .ok();
    let site = CustomFieldDef {
        name: "Site".into(),
        allowed: vec!["se-sto1".into(), "se-lla1".into(), "no-osl1".into()],
    };
    let service = CustomFieldDef {
        name: "Service".into(),
        allowed: vec!["compute".into(), "storage".into(), "backup".into()],
    };
    store
        .set_queue_custom_fields(
            "Storage",
            &[
                site,
                service,
                CustomFieldDef {
                    name: "Bucket".into(),
                    allowed: vec![],
                },
            ],
        )
        .await?;
    for (i, d) in TICKETS.iter().enumerate() {
        let at = now - jiff::SignedDuration::from_hours(30 - 5 * i as i64);
        let organization =
            varde_web::tickets::organization_of(store, &[d.requestor.to_string()]).await?;
        let creation = Creation {
            custom_fields: d
                .custom_fields
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect(),
            organization,
            ..Creation::requested(d.queue, d.subject, d.requestor)
        };
        let t = store
            .create_ticket(d.requestor, creation, &[NewAttachment::text(d.text)], 0, at)
            .await
            .map_err(|e| anyhow::anyhow!("demo ticket: {e}"))?;
        for (n, step) in d.steps.iter().enumerate() {
            let when = at + jiff::SignedDuration::from_mins(10 * (n as i64 + 1));
            let (who, body, minutes) = match step {
                DemoStep::Take(who) | DemoStep::Status(who, _) => (*who, None, 0),
                DemoStep::Reply(who, text) => (*who, Some(*text), 5),
                DemoStep::Comment(who, text) => (*who, Some(*text), 0),
                DemoStep::Call(who, _, minutes, notes) => (*who, Some(*notes), *minutes),
            };
            let plan = |t: &varde_core::ticket::Ticket| -> Result<Vec<Change>, String> {
                Ok(match step {
                    DemoStep::Take(who) => history::set_owner(t, Some(who.to_string())),
                    DemoStep::Reply(..) => history::correspond(t),
                    DemoStep::Comment(..) => vec![Change::Comment],
                    DemoStep::Call(_, caller, minutes, _) => vec![Change::PhoneCall {
                        caller: caller.to_string(),
                        minutes: *minutes,
                    }],
                    DemoStep::Status(_, to) => history::set_status(t, *to),
                })
            };
            let attachments: Vec<NewAttachment> = body
                .map(|b| vec![NewAttachment::text(b)])
                .unwrap_or_default();
            store
                .change_ticket(t.id, who, plan, &attachments, minutes, when)
                .await
                .map_err(|e| anyhow::anyhow!("demo ticket step: {e}"))?;
        }
    }
    Ok(())
}
