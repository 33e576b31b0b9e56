//! The audit history: what changed, field by field, between two versions of a record.

/// One field that changed. Empty text means "no value".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The fields that differ between `before` and `after`, both given as (field, value) text in
/// the same order (as the `audit_fields` methods give them). A record that is new has no
/// `before`: every non-empty field of `after` is a change.
pub fn changes(before: Option<&[(&str, String)]>, after: &[(&str, String)]) -> Vec<Change> {
    after
        .iter()
        .filter_map(|(field, new)| {
            let old = before
                .and_then(|b| b.iter().find(|(f, _)| f == field))
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            (old != new).then(|| Change {
                field: field.to_string(),
                before: old.to_string(),
                after: new.clone(),
            })
        })
        .collect()
}

/// The changes of a record that is removed: every non-empty field goes to empty.
pub fn removal(before: &[(&str, String)]) -> Vec<Change> {
    before
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(f, v)| Change {
            field: f.to_string(),
            before: v.clone(),
            after: String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_differing_fields_are_changes() {
        let a = [("name", "KTH".to_string()), ("country", "SE".to_string())];
        let b = [
            ("name", "KTH Royal".to_string()),
            ("country", "SE".to_string()),
        ];
        assert_eq!(
            changes(Some(&a), &b),
            [Change {
                field: "name".into(),
                before: "KTH".into(),
                after: "KTH Royal".into()
            }]
        );
        assert!(changes(Some(&a), &a).is_empty());
    }

    #[test]
    fn a_new_record_lists_its_filled_fields() {
        let b = [("name", "KTH".to_string()), ("org_number", String::new())];
        let c = changes(None, &b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "name");
        assert_eq!(removal(&b).len(), 1);
    }
}
