//! Field-level validation errors: one message per field, in the order they were found.
//!
//! The same errors are shown beside form fields in the console, returned in the API's JSON
//! error body and reported per line by the CSV import.

/// Validation errors keyed by field name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors {
    errors: Vec<(String, String)>,
}

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.errors.push((field.to_string(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.errors.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// Records the error of a parse under `field` and yields the value when it parsed.
    pub fn take<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// A one-line summary, for logs and CSV reports: `field: message; field: message`.
    pub fn summary(&self) -> String {
        self.iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl std::error::Error for FieldErrors {}
