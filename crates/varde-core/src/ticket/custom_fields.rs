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
}
