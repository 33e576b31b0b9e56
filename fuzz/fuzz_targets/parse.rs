//! Any bytes, read as an inbound mail: parsing never panics, and what it reads holds together
//! (the subject tag is read from the subject; every attachment has a content type).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let m = varde_mail::parse(data, "support.example");
    let _ = varde_mail::ticket_tag(&m.subject, "support.example");
    for a in &m.attachments {
        assert!(!a.content_type.is_empty(), "an attachment without a content type");
    }
});
