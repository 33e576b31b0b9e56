//! Text with `{placeholders}` that people write (mail templates, macros): checked against
//! the placeholders a kind of text knows, and filled in one pass, so a value that itself
//! contains braces is never read as a placeholder.

/// Checks that every brace pair names one of `known` (name, meaning) and every brace closes.
pub fn check(text: &str, known: &[(&str, &str)]) -> Result<(), String> {
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("a '}' without its '{'".into());
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| "a '{' without its '}'".to_string())?;
        let name = &after[..close];
        if !known.iter().any(|(p, _)| *p == name) {
            let names: Vec<String> = known.iter().map(|(p, _)| format!("{{{p}}}")).collect();
            return Err(format!(
                "{{{name}}} is not a placeholder; use {}",
                names.join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Replaces each `{name}` with its value; anything else is kept as written.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            values
                .iter()
                .find(|(name, _)| *name == &after[..close])
                .map(|(_, v)| (close, *v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[(&str, &str)] = &[("ticket", "the number"), ("subject", "the subject")];

    #[test]
    fn only_known_placeholders_in_closed_braces() {
        assert_eq!(check("#{ticket}: {subject}", KNOWN), Ok(()));
        assert!(
            check("{tikcet}", KNOWN)
                .unwrap_err()
                .contains("{ticket}, {subject}")
        );
        assert!(check("{ticket", KNOWN).is_err());
        assert!(check("ticket}", KNOWN).is_err());
    }

    #[test]
    fn filled_in_one_pass() {
        let v = [("ticket", "7"), ("subject", "Disk {ticket} full")];
        assert_eq!(
            fill("#{ticket}: {subject} {x}", &v),
            "#7: Disk {ticket} full {x}"
        );
        assert_eq!(fill("{", &v), "{");
    }
}
