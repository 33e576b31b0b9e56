//! Headers every answer carries, and the ones built from untrusted names.
//!
//! Every response gets a Content-Security-Policy without inline script (pages load their
//! scripts from `/assets/`), `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: same-origin`, unless the handler already set one of them (the welcome
//! page's `no-referrer`). A panic in a handler becomes a 500 with a body, never a dropped
//! connection or an aborted process.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy of every page: scripts and frames only from Varde itself, no plugins, no
/// `<base>`, forms posted only to Varde. Inline styles stay allowed (templates use a few
/// `style=` attributes); inline script does not.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers to every response.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults: [(HeaderName, &str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// What a handler's panic answers: a 500 with a body; the details go to the log.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "internal error: the request could not be completed\n",
    )
        .into_response()
}

/// A ticket's attachment in the browser's hands: shown inline only from the exact allowlist of
/// types (plain text, PNG, JPEG, GIF), re-judged now so that old rows are safe too; everything
/// else (HTML above all, and any type that does not parse) is a download, so that no
/// customer-supplied page runs in Varde's origin.
pub fn attachment_response(
    info: &varde_store::tickets::AttachmentInfo,
    content: Vec<u8>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let inline = varde_core::content_type::inline_safe(&info.content_type);
    let name = if info.filename.is_empty() {
        format!("attachment-{}", info.id)
    } else {
        info.filename.clone()
    };
    let ctype = if inline {
        varde_core::content_type::normalise(&info.content_type)
    } else {
        varde_core::content_type::OCTET_STREAM.into()
    };
    (
        [
            (axum::http::header::CONTENT_TYPE, ctype),
            (
                axum::http::header::CONTENT_DISPOSITION,
                content_disposition(inline, &name),
            ),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        ],
        content,
    )
        .into_response()
}

/// `Content-Disposition` for a file with a name someone else chose: an ASCII fallback with
/// quotes, backslashes and control characters replaced, and the exact name as RFC 6266's
/// `filename*` (UTF-8, percent-encoded).
pub fn content_disposition(inline: bool, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "{}; filename=\"{fallback}\"; filename*=UTF-8''{exact}",
        if inline { "inline" } else { "attachment" }
    )
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn names_cannot_break_out_of_the_header() {
        let d = content_disposition(false, "a\"b\r\nSet-Cookie: x\\y.html");
        assert_eq!(
            d,
            "attachment; filename=\"a_b__Set-Cookie: x_y.html\"; \
             filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x%5Cy.html"
        );
        assert!(axum::http::HeaderValue::from_str(&d).is_ok());
        let d = content_disposition(true, "räksmörgås.txt");
        assert!(d.starts_with("inline; filename=\"r_ksm_rg_s.txt\""), "{d}");
        assert!(d.ends_with("r%C3%A4ksm%C3%B6rg%C3%A5s.txt"), "{d}");
    }
}
