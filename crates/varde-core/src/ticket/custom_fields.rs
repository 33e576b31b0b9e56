//! Custom fields per queue: which fields a ticket in a queue may carry, and their values.

use std::collections::BTreeMap;

/// One custom field defined for a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomFieldDef {
    pub name: String,
    /// The values allowed; empty means any text.
    pub allowed: Vec<String>,
}

/// Checks the custom fields a ticket would carry in a queue with these definitions. Names
/// match case-insensitively and come back in the definition's spelling.
pub fn check(
    queue: &str,
    defs: &[CustomFieldDef],
    values: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut out = BTreeMap::new();
    for (name, vs) in values {
        let Some(def) = defs.iter().find(|d| d.name.eq_ignore_ascii_case(name)) else {
            let known: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
            return Err(if known.is_empty() {
                format!("queue '{queue}' has no custom fields, so '{name}' cannot be set")
            } else {
                format!(
                    "queue '{queue}' has no custom field '{name}'; its fields are {}",
                    known.join(", ")
                )
            });
        };
        for v in vs {
            if !def.allowed.is_empty() && !def.allowed.iter().any(|a| a.eq_ignore_ascii_case(v)) {
                return Err(format!(
                    "'{v}' is not a value of {}; use one of {}",
                    def.name,
                    def.allowed.join(", ")
                ));
            }
        }
        let canonical: Vec<String> = vs
            .iter()
            .map(|v| {
                def.allowed
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(v))
                    .cloned()
                    .unwrap_or_else(|| v.clone())
            })
            .collect();
        out.insert(def.name.clone(), canonical);
    }
    Ok(out)
}

/// Custom field definitions as an administrator types them (a name and its allowed values,
/// in order), checked: names of 1 to 64 characters without braces or commas (TicketSQL names
/// them as `CF.{Name}`), none twice in any case; blank values dropped. Errors are keyed
/// `[i].name`.
pub fn definitions(
    fields: Vec<(String, Vec<String>)>,
) -> Result<Vec<CustomFieldDef>, crate::form::FieldErrors> {
    let mut errors = crate::form::FieldErrors::new();
    let mut defs: Vec<CustomFieldDef> = Vec::new();
    for (i, (name, values)) in fields.into_iter().enumerate() {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 64 || name.contains(['{', '}', ',']) {
            errors.add(
                &format!("[{i}].name"),
                "a custom field has a name of 1 to 64 characters without braces or commas",
            );
        } else if defs.iter().any(|d| d.name.eq_ignore_ascii_case(&name)) {
            errors.add(&format!("[{i}].name"), format!("{name} is listed twice"));
        }
        defs.push(CustomFieldDef {
            name,
            allowed: values
                .into_iter()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect(),
        });
    }
    if errors.is_empty() {
        Ok(defs)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> Vec<CustomFieldDef> {
        vec![
            CustomFieldDef {
                name: "Site".into(),
                allowed: vec!["se-sto1".into(), "no-osl1".into()],
            },
            CustomFieldDef {
                name: "Note".into(),
                allowed: vec![],
            },
        ]
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect()
    }

    #[test]
    fn defined_fields_and_allowed_values() {
        let ok = check(
            "General",
            &defs(),
            &values(&[("site", "SE-STO1"), ("Note", "anything")]),
        )
        .unwrap();
        assert_eq!(ok["Site"], ["se-sto1"]);
        assert_eq!(ok["Note"], ["anything"]);
        assert!(
            check("General", &defs(), &values(&[("Site", "mars")]))
                .unwrap_err()
                .contains("se-sto1, no-osl1")
        );
        assert!(
            check("General", &defs(), &values(&[("Colour", "red")]))
                .unwrap_err()
                .contains("Site, Note")
        );
        assert!(
            check("Empty", &[], &values(&[("Site", "x")]))
                .unwrap_err()
                .contains("no custom fields")
        );
        assert!(check("Empty", &[], &BTreeMap::new()).unwrap().is_empty());
    }

    #[test]
    fn definitions_are_checked_by_name() {
        let defs = definitions(vec![
            (" Site ".into(), vec!["se-sto1".into(), " ".into()]),
            ("Note".into(), vec![]),
        ])
        .unwrap();
        assert_eq!(defs[0].name, "Site");
        assert_eq!(defs[0].allowed, ["se-sto1"]);
        let e = definitions(vec![("Site".into(), vec![]), ("site".into(), vec![])]).unwrap_err();
        assert!(e.get("[1].name").unwrap().contains("twice"));
        for bad in ["", "CF.{x}", "a,b"] {
            assert!(definitions(vec![(bad.into(), vec![])]).is_err(), "{bad:?}");
        }
    }
}
