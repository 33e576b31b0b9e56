//! Attachment content types. Whatever a sender writes (`text/plain,text/html`, stray
//! parameters, upper case) is parsed as RFC 2045 says, with the `mime` crate, and kept as
//! `type/subtype`, plus the charset for text. What cannot be parsed is
//! `application/octet-stream`. Only an exact allowlist of types is ever shown inline in a
//! browser; everything else is a download.

/// What an unreadable or missing content type becomes.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Types a browser may show in Varde's own origin: they cannot carry script.
const INLINE_SAFE: &[&str] = &["text/plain", "image/png", "image/jpeg", "image/gif"];

/// The normalised form of a content type as sent: lower-case `type/subtype`, and for `text/*`
/// a well-formed charset parameter; [`OCTET_STREAM`] when it does not parse.
pub fn normalise(raw: &str) -> String {
    let Ok(parsed) = raw.trim().parse::<mime::Mime>() else {
        return OCTET_STREAM.into();
    };
    let essence = parsed.essence_str().to_ascii_lowercase();
    if essence.contains('*') {
        return OCTET_STREAM.into();
    }
    let charset = parsed
        .get_param(mime::CHARSET)
        .map(|c| c.as_str().to_ascii_lowercase())
        .filter(|c| {
            !c.is_empty()
                && c.len() <= 40
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        });
    match charset {
        Some(c) if parsed.type_() == mime::TEXT => format!("{essence}; charset={c}"),
        _ => essence,
    }
}

/// The type without parameters.
pub fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// Whether a stored content type may be shown inline. It is normalised again first, so a type
/// stored before normalisation existed is judged the same way.
pub fn inline_safe(content_type: &str) -> bool {
    INLINE_SAFE.contains(&essence(&normalise(content_type)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_normalised_and_lists_of_types_refused() {
        for (raw, want) in [
            ("text/plain", "text/plain"),
            ("TEXT/Plain; Charset=\"UTF-8\"", "text/plain; charset=utf-8"),
            (
                "text/plain; charset=utf-8; format=flowed",
                "text/plain; charset=utf-8",
            ),
            ("image/PNG; name=x.png", "image/png"),
            ("text/plain,text/html", OCTET_STREAM),
            ("text/plain, text/html", OCTET_STREAM),
            ("text/plain;text/html", OCTET_STREAM),
            ("text/html", "text/html"),
            ("", OCTET_STREAM),
            ("text", OCTET_STREAM),
            ("*/*", OCTET_STREAM),
            ("text/plain\r\nX-Evil: 1", OCTET_STREAM),
            ("text/plain; charset=\"a<b\"", "text/plain"),
            ("application/pdf; charset=utf-8", "application/pdf"),
        ] {
            assert_eq!(normalise(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn only_the_allowlist_is_inline() {
        for t in [
            "text/plain",
            "text/plain; charset=utf-8",
            "IMAGE/JPEG",
            "image/gif",
        ] {
            assert!(inline_safe(t), "{t}");
        }
        for t in [
            "text/html",
            "text/plain,text/html",
            "image/svg+xml",
            "text/xml",
            "application/xhtml+xml",
            "text/plain-but-not",
            "application/octet-stream",
            "multipart/mixed",
        ] {
            assert!(!inline_safe(t), "{t}");
        }
    }

    proptest::proptest! {
        /// Whatever comes in, what goes out parses again to itself.
        #[test]
        fn normalising_is_idempotent(raw in "\\PC{0,60}") {
            let once = normalise(&raw);
            proptest::prop_assert_eq!(normalise(&once), once.clone());
        }
    }
}
