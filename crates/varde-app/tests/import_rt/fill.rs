//! The RT database the import test reads: rows as RT 5 writes them.

use base64::Engine;
use varde_store::rt_fixture::{Rt, uri};

pub const FILE_NAME: &str = "räkning-ö 2024.pdf";
pub const FILE: &[u8] = b"%PDF-1.4\n\xe2\x80\x94 binary \x00\x01\x02 content";

/// Users, queues, a custom field and four tickets: #1 worked (comment, a quoted-printable
/// reply with a file whose name is not ASCII, owner, priority, custom field, a Cc, a link,
/// and #7 merged into it), #2 resolved, #3 rejected and depending on #1, #7 merged into #1.
pub async fn fill(rt: &mut Rt) {
    rt.user(14, "root", "root@localhost", "Enoch Root", true)
        .await
        .unwrap();
    rt.user(20, "alice", "alice@provider.example", "Alice Agent", true)
        .await
        .unwrap();
    rt.user(
        27,
        "carol@customer.example",
        "carol@customer.example",
        "Carol Customer",
        false,
    )
    .await
    .unwrap();
    rt.user(37, "dave@other.example", "dave@other.example", "", false)
        .await
        .unwrap();
    rt.queue(1, "General").await.unwrap();
    rt.queue(3, "Storage").await.unwrap();
    rt.custom_field(1, "Site").await.unwrap();

    rt.ticket(
        1,
        1,
        "Disk full",
        "2024-03-04 08:00:00",
        vec![
            ("Status", "open".into()),
            ("Owner", 20.into()),
            ("Priority", 40.into()),
            ("TimeWorked", 15.into()),
            ("Started", "2024-03-04 09:00:00".into()),
            ("Told", "2024-03-04 09:00:00".into()),
            ("Creator", 27.into()),
        ],
    )
    .await
    .unwrap();
    rt.watcher(1, "Requestor", 27).await.unwrap();
    rt.watcher(1, "Cc", 37).await.unwrap();
    rt.watcher(1, "Owner", 20).await.unwrap();
    rt.custom_field_value(1, 1, "se-sto1").await.unwrap();
    rt.tx(10, 1, "Create", "", "", "", 27, "2024-03-04 08:00:00", 0)
        .await
        .unwrap();
    rt.part(
        1,
        10,
        0,
        "<CAF1@customer.example>",
        "",
        "text/plain",
        "none",
        "Our disk is full.",
    )
    .await
    .unwrap();
    rt.tx(11, 1, "Comment", "", "", "", 20, "2024-03-04 08:30:00", 0)
        .await
        .unwrap();
    rt.part(2, 11, 0, "", "", "text/plain", "none", "Looking at it.")
        .await
        .unwrap();
    rt.tx(
        12,
        1,
        "Correspond",
        "",
        "",
        "",
        20,
        "2024-03-04 09:00:00",
        15,
    )
    .await
    .unwrap();
    rt.part(
        3,
        12,
        0,
        "<rt-12@example.com>",
        "",
        "multipart/mixed",
        "",
        "",
    )
    .await
    .unwrap();
    rt.part(
        4,
        12,
        3,
        "",
        "",
        "text/plain",
        "quoted-printable",
        "Hej Carol, disken =C3=A4r full=\n igen.",
    )
    .await
    .unwrap();
    let file = base64::engine::general_purpose::STANDARD.encode(FILE);
    rt.part(5, 12, 3, "", FILE_NAME, "application/pdf", "base64", &file)
        .await
        .unwrap();
    rt.tx(
        13,
        1,
        "Status",
        "Status",
        "new",
        "open",
        1,
        "2024-03-04 09:00:00",
        0,
    )
    .await
    .unwrap();
    rt.tx(
        14,
        1,
        "Set",
        "Owner",
        "6",
        "20",
        20,
        "2024-03-04 09:01:00",
        0,
    )
    .await
    .unwrap();
    rt.tx(
        15,
        1,
        "SetWatcher",
        "Owner",
        "6",
        "20",
        20,
        "2024-03-04 09:01:00",
        0,
    )
    .await
    .unwrap();
    rt.tx(
        16,
        1,
        "Set",
        "Priority",
        "0",
        "40",
        20,
        "2024-03-04 09:02:00",
        0,
    )
    .await
    .unwrap();
    // as RT 5 records a custom field's value: by reference to its ObjectCustomFieldValues
    // row (the only one, id 1), OldValue and NewValue empty
    rt.tx(
        17,
        1,
        "CustomField",
        "1",
        "",
        "",
        20,
        "2024-03-04 09:03:00",
        0,
    )
    .await
    .unwrap();
    rt.exec("UPDATE Transactions SET ReferenceType = 'RT::ObjectCustomFieldValue', NewReference = 1 WHERE id = 17")
        .await
        .unwrap();
    rt.tx(
        18,
        1,
        "AddWatcher",
        "Cc",
        "",
        "37",
        20,
        "2024-03-04 09:04:00",
        0,
    )
    .await
    .unwrap();

    rt.ticket(
        2,
        3,
        "Bucket gone",
        "2024-03-05 10:00:00",
        vec![
            ("Status", "resolved".into()),
            ("Resolved", "2024-03-05 11:00:00".into()),
            ("Creator", 37.into()),
            ("Started", "2024-03-05 11:00:00".into()),
        ],
    )
    .await
    .unwrap();
    rt.watcher(2, "Requestor", 37).await.unwrap();
    rt.tx(20, 2, "Create", "", "", "", 37, "2024-03-05 10:00:00", 0)
        .await
        .unwrap();
    rt.part(
        6,
        20,
        0,
        "<bucket@other.example>",
        "",
        "text/plain",
        "none",
        "Where is my bucket?",
    )
    .await
    .unwrap();
    rt.tx(
        21,
        2,
        "Status",
        "Status",
        "new",
        "resolved",
        20,
        "2024-03-05 11:00:00",
        0,
    )
    .await
    .unwrap();

    rt.ticket(
        3,
        1,
        "Follow-up",
        "2024-03-06 10:00:00",
        vec![
            ("Status", "rejected".into()),
            ("Resolved", "2024-03-06 12:00:00".into()),
            ("Creator", 20.into()),
            ("Started", "2024-03-06 12:00:00".into()),
        ],
    )
    .await
    .unwrap();
    rt.watcher(3, "Requestor", 27).await.unwrap();
    rt.tx(30, 3, "Create", "", "", "", 20, "2024-03-06 10:00:00", 0)
        .await
        .unwrap();
    rt.tx(
        31,
        3,
        "AddLink",
        "DependsOn",
        "",
        &uri(1),
        20,
        "2024-03-06 11:00:00",
        0,
    )
    .await
    .unwrap();
    rt.tx(
        32,
        1,
        "AddLink",
        "DependedOnBy",
        "",
        &uri(3),
        20,
        "2024-03-06 11:00:00",
        0,
    )
    .await
    .unwrap();
    rt.link("DependsOn", 3, 1, 3, "2024-03-06 11:00:00")
        .await
        .unwrap();
    // A link RT made when #3 was created, with no transaction on either ticket.
    rt.link("RefersTo", 3, 2, 3, "2024-03-06 10:00:00")
        .await
        .unwrap();
    rt.tx(
        33,
        3,
        "Status",
        "Status",
        "new",
        "rejected",
        20,
        "2024-03-06 12:00:00",
        0,
    )
    .await
    .unwrap();

    // #7 is merged into #1 as RT 5 records it: the survivor's URI on both sides, and the
    // link filed under the survivor.
    rt.ticket(
        7,
        1,
        "Disk full again",
        "2024-03-07 08:00:00",
        vec![
            ("EffectiveId", 1.into()),
            ("IsMerged", 1.into()),
            ("Creator", 27.into()),
        ],
    )
    .await
    .unwrap();
    rt.watcher(7, "Requestor", 27).await.unwrap();
    rt.tx(70, 7, "Create", "", "", "", 27, "2024-03-07 08:00:00", 0)
        .await
        .unwrap();
    rt.part(
        7,
        70,
        0,
        "<CAF2@customer.example>",
        "",
        "text/plain",
        "none",
        "Still full.",
    )
    .await
    .unwrap();
    rt.tx(
        71,
        7,
        "AddLink",
        "MergedInto",
        "",
        &uri(1),
        20,
        "2024-03-07 09:00:00",
        0,
    )
    .await
    .unwrap();
    rt.tx(
        72,
        1,
        "AddLink",
        "MergedInto",
        "",
        &uri(1),
        20,
        "2024-03-07 09:00:00",
        0,
    )
    .await
    .unwrap();
    rt.link("MergedInto", 7, 1, 1, "2024-03-07 09:00:00")
        .await
        .unwrap();
}
