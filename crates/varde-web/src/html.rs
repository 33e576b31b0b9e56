//! Mail HTML made safe to show in the console: sanitised by ammonia (html5ever), never on an
//! async worker thread, and only when it is of a size and depth the sanitiser handles at once.
//! html5ever's tree builder slows down with nesting (100,000 nested `<div>`s took 26 s);
//! such a document is shown as its text instead, with a note saying why. Nothing is lost:
//! the raw message and the stored part stay as they came.

/// The largest HTML document sanitised for display.
pub const MAX_BYTES: usize = 2 << 20;
/// The deepest element nesting sanitised for display.
pub const MAX_DEPTH: usize = 512;

/// Elements that never nest (void) or that HTML closes by itself when the next one starts;
/// they do not add to the depth a sender can build.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "td", "th", "tr", "dt", "dd", "option",
];

/// The deepest nesting of elements, counted from the tags as written (an upper bound of what
/// the parser builds), stopping as soon as it exceeds `limit`.
pub fn nesting_depth(html: &str, limit: usize) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |n| start + n);
        if end == start {
            continue;
        }
        let name = html[start..end].to_ascii_lowercase();
        if FLAT.contains(&name.as_str()) {
            continue;
        }
        let self_closing = bytes[end..]
            .iter()
            .position(|&b| b == b'>')
            .is_some_and(|n| n > 0 && bytes[end + n - 1] == b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            deepest = deepest.max(depth);
            if deepest > limit {
                break;
            }
        }
    }
    deepest
}

/// The text of an HTML document: tags dropped, escaped for a page.
fn as_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(MAX_BYTES));
    let mut in_tag = false;
    for c in html.chars() {
        match (c, in_tag) {
            ('<', _) => in_tag = true,
            ('>', true) => in_tag = false,
            (_, true) => {}
            ('&', false) => out.push_str("&amp;"),
            ('"', false) => out.push_str("&quot;"),
            (c, false) => out.push(c),
        }
    }
    out
}

/// One document made safe: sanitised, or, when too large or too deep, its text with a note.
pub fn sanitise(html: &str) -> String {
    let too_large = html.len() > MAX_BYTES;
    if too_large || nesting_depth(html, MAX_DEPTH) > MAX_DEPTH {
        let why = if too_large {
            format!("larger than {} MiB", MAX_BYTES >> 20)
        } else {
            format!("nested more than {MAX_DEPTH} elements deep")
        };
        return format!(
            "<p class=\"muted\">This HTML is {why}; it is shown as text. The original is kept \
             in the message.</p><pre>{}</pre>",
            as_text(html)
        );
    }
    ammonia::clean(html)
}

/// Sanitises documents on a blocking thread, so a slow one never holds up other requests.
pub async fn sanitise_all(documents: Vec<String>) -> Vec<String> {
    let count = documents.len();
    tokio::task::spawn_blocking(move || documents.iter().map(|d| sanitise(d)).collect())
        .await
        .unwrap_or_else(|_| vec![String::new(); count])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_what_nests() {
        assert_eq!(nesting_depth("<div><div><b>x</b></div></div>", 100), 3);
        assert_eq!(nesting_depth("<p>a<p>b<br><img src=x/><li>c", 100), 0);
        assert_eq!(nesting_depth("<div/><span></span><span>", 100), 1);
        assert_eq!(nesting_depth("a < b and c<>d </ x>", 100), 0);
        assert_eq!(nesting_depth(&"<div>".repeat(100_000), 512), 513);
    }

    #[test]
    fn hostile_documents_become_text_at_once() {
        let deep = format!(
            "{}<script>alert(1)</script>x{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let shown = sanitise(&deep);
        assert!(shown.starts_with("<p class=\"muted\">This HTML is nested more than 512"));
        assert!(!shown.contains("<script"), "{}", &shown[..200]);
        assert!(shown.contains("alert(1)x"));
        let big = format!("<p>{}</p>", "a".repeat(MAX_BYTES));
        assert!(sanitise(&big).contains("larger than 2 MiB"));
        let ok = sanitise(
            "<div onclick=\"x()\"><a href=\"javascript:x\">hi</a><script>x</script></div>",
        );
        assert_eq!(ok, "<div><a rel=\"noopener noreferrer\">hi</a></div>");
    }
}
