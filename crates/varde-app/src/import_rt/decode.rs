//! RT's stored MIME parts into Varde's attachments: contents decoded (`base64`,
//! `quoted-printable`, `none`), the message body first, then every other part that has
//! content, each stored once by its content.

use base64::Engine;
use varde_store::rt_source::RtAttachment;
use varde_store::tickets::{MAX_ATTACHMENT_BYTES, NewAttachment};

/// A part's content as it was sent.
pub fn decode(a: &RtAttachment) -> Result<Vec<u8>, String> {
    match a.content_encoding.trim().to_ascii_lowercase().as_str() {
        "" | "none" | "7bit" | "8bit" | "binary" => Ok(a.content.clone()),
        "base64" => {
            let compact: Vec<u8> = a
                .content
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(&compact)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&compact))
                .map_err(|e| format!("part {} is not valid base64: {e}", a.id))
        }
        "quoted-printable" => Ok(decode_qp(&a.content)),
        other => Err(format!("part {} has the unknown encoding {other}", a.id)),
    }
}

/// Quoted-printable as Perl's `MIME::QuotedPrint::decode_qp` (which RT reads its parts
/// with) decodes it: every line ends in `\n` (also where it was stored with `\r\n`),
/// spaces and tabs before a line's end are dropped, `=` at a line's end joins it to the next,
/// `=XX` (either case) is that byte, and any other `=` stays as it is.
pub fn decode_qp(input: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let mut out = Vec::with_capacity(input.len());
    let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let last = lines.len() - 1;
    for (i, line) in lines.into_iter().enumerate() {
        let mut line = line.strip_suffix(b"\r").unwrap_or(line);
        while let [rest @ .., b' ' | b'\t'] = line {
            line = rest;
        }
        let soft = line.last() == Some(&b'=');
        if soft {
            line = &line[..line.len() - 1];
        }
        let mut j = 0;
        while j < line.len() {
            match (
                line[j],
                line.get(j + 1).copied().and_then(hex),
                line.get(j + 2).copied().and_then(hex),
            ) {
                (b'=', Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    j += 3;
                }
                (b, _, _) => {
                    out.push(b);
                    j += 1;
                }
            }
        }
        if i < last && !soft {
            out.push(b'\n');
        }
    }
    out
}

fn is_body(a: &RtAttachment) -> bool {
    a.filename.is_empty()
        && a.content_type
            .to_ascii_lowercase()
            .starts_with("text/plain")
}

/// The attachments of one transaction (its parts, in RT's order): the first unnamed
/// `text/plain` part is the message body and comes first; containers (`multipart/*`) and
/// empty parts are left out. Also the top-level part's Message-ID, and what could not be
/// kept.
pub fn message(parts: &[&RtAttachment]) -> (Vec<NewAttachment>, Option<String>, Vec<String>) {
    let mut problems = vec![];
    let mut body: Option<NewAttachment> = None;
    let mut files = vec![];
    for a in parts {
        if a.content_type
            .to_ascii_lowercase()
            .starts_with("multipart/")
        {
            continue;
        }
        let content = match decode(a) {
            Ok(c) => c,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        if content.is_empty() {
            continue;
        }
        if content.len() > MAX_ATTACHMENT_BYTES {
            problems.push(format!(
                "part {} ({}) is {} bytes, over Varde's limit of {MAX_ATTACHMENT_BYTES}",
                a.id,
                a.filename,
                content.len()
            ));
            continue;
        }
        let attachment = NewAttachment {
            filename: a.filename.clone(),
            content_type: if a.content_type.is_empty() {
                "application/octet-stream".into()
            } else {
                a.content_type.clone()
            },
            content,
        };
        if body.is_none() && is_body(a) {
            body = Some(attachment);
        } else {
            files.push(attachment);
        }
    }
    let message_id = parts
        .iter()
        .find(|a| a.parent == 0)
        .map(|a| {
            a.message_id
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string()
        })
        .filter(|m| !m.is_empty());
    (
        body.into_iter().chain(files).collect(),
        message_id,
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(encoding: &str, content: &[u8]) -> RtAttachment {
        RtAttachment {
            id: 1,
            transaction_id: 1,
            parent: 0,
            message_id: "<a@b>".into(),
            filename: String::new(),
            content_type: "text/plain".into(),
            content_encoding: encoding.into(),
            content: content.to_vec(),
        }
    }

    #[test]
    fn rt_encodings_are_decoded() {
        assert_eq!(
            decode(&part("base64", b"aGFsbMOl\nIHbDpHJsZA==")).unwrap(),
            "hallå värld".as_bytes()
        );
        assert_eq!(
            decode(&part("quoted-printable", b"hall=C3=A5 =\nv=C3=A4rld")).unwrap(),
            "hallå värld".as_bytes()
        );
        assert_eq!(decode(&part("none", b"plain")).unwrap(), b"plain");
        // as Perl's decode_qp, which RT uses: lines end in "\n" however they were stored
        assert_eq!(
            decode(&part(
                "quoted-printable",
                b"Greetings,\r\n\r\nR=C3=A4kning nr 17  \nSumma: 1=\r\n 200 kr=0D=0A=\nx=3d=zz\n"
            ))
            .unwrap(),
            "Greetings,\n\nRäkning nr 17\nSumma: 1 200 kr\r\nx==zz\n".as_bytes()
        );
        assert!(decode(&part("x-uuencode", b"?")).is_err());
    }

    #[test]
    fn the_body_comes_first_and_containers_are_left_out() {
        let container = RtAttachment {
            content_type: "multipart/mixed".into(),
            content: vec![],
            ..part("", b"")
        };
        let file = RtAttachment {
            id: 2,
            parent: 1,
            filename: "räkning.pdf".into(),
            content_type: "application/pdf".into(),
            ..part("base64", b"JVBERi0=")
        };
        let body = RtAttachment {
            id: 3,
            parent: 1,
            ..part("", b"Hello")
        };
        let (atts, id, problems) = message(&[&container, &file, &body]);
        assert_eq!(id.as_deref(), Some("a@b"));
        assert!(problems.is_empty());
        assert_eq!(atts.len(), 2);
        assert_eq!(
            (atts[0].filename.as_str(), atts[0].content.as_slice()),
            ("", b"Hello".as_slice())
        );
        assert_eq!(
            (atts[1].filename.as_str(), atts[1].content.as_slice()),
            ("räkning.pdf", b"%PDF-".as_slice())
        );
    }
}
