//! CSV import and export of the customer base: organisations, contacts and contracts.
//!
//! An import first checks every row (and reports what would change); then, unless it is a dry
//! run, it applies the rows in **one transaction**. By default it is all or nothing: one bad row
//! and nothing is written. With `partial`, the good rows are written (still in one transaction)
//! and the bad rows are reported and skipped. Rows match stored records by their key:
//! organisations by `org_number` when given, else by name (case-insensitive); contacts by
//! e-mail; contracts by reference (one row per product line, rows of one contract together).
//!
//! Here the file kinds, the report and what every import shares (reading the header and the
//! rows, matching organisations, recording planned changes); `organizations`, `contacts` and
//! `contracts` plan and apply the rows of their kind, and `export` writes the files.

use std::collections::HashMap;

use jiff::Timestamp;
use varde_core::audit::{Change, changes};

use crate::customers::name_key;
use crate::{Placeholders, Result, Store, read_pool};

mod contacts;
mod contracts;
mod export;
mod organizations;

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Organizations,
    Contacts,
    Contracts,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim_end_matches(".csv") {
            "organizations" | "organisations" => Some(Kind::Organizations),
            "contacts" => Some(Kind::Contacts),
            "contracts" => Some(Kind::Contracts),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Organizations => "organizations",
            Kind::Contacts => "contacts",
            Kind::Contracts => "contracts",
        }
    }

    /// The columns, in the order export writes them. Import needs the same header names, in
    /// any order; `Kind::required` lists those that must be present.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Organizations => &[
                "name",
                "org_number",
                "country",
                "sector",
                "framework",
                "language",
                "mail_domains",
                "lifecycle",
                "service_manager_email",
            ],
            Kind::Contacts => &[
                "organization",
                "name",
                "email",
                "phone",
                "roles",
                "language",
                "portal_access",
            ],
            Kind::Contracts => &[
                "organization",
                "reference",
                "signed_on",
                "starts_on",
                "ends_on",
                "product_code",
                "quantity",
                "site",
            ],
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Organizations => &["name", "country"],
            Kind::Contacts => &["organization", "name", "email"],
            Kind::Contracts => &["organization", "reference", "starts_on", "product_code"],
        }
    }
}

#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Write the good rows even when some rows are bad.
    pub partial: bool,
    /// Recorded in the audit history as `import by <actor>`.
    pub actor: String,
    pub now: Timestamp,
}

/// One refused row. Line numbers count the header as line 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// One row that creates or changes a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedChange {
    pub line: u64,
    /// `create` or `update`.
    pub action: &'static str,
    pub key: String,
    pub changes: Vec<Change>,
}

/// What an import did, or would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: &'static str,
    pub dry_run: bool,
    /// Whether anything was written.
    pub applied: bool,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
    /// The first [`MAX_LISTED_CHANGES`] creates and updates, in file order.
    pub changes: Vec<PlannedChange>,
}

pub const MAX_LISTED_CHANGES: usize = 1000;

enum Plan<T, Id> {
    Create(T),
    Update(Id, T, Vec<Change>),
}

struct Planned<T, Id> {
    plan: Plan<T, Id>,
}

fn field(rec: &csv::StringRecord, idx: &HashMap<String, usize>, name: &str) -> String {
    idx.get(name)
        .and_then(|i| rec.get(*i))
        .unwrap_or("")
        .trim()
        .to_string()
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "1" | "y" | "x"
    )
}

/// Reads the header and checks its columns; an error is reported against line 1.
fn header(
    reader: &mut csv::Reader<&[u8]>,
    kind: Kind,
) -> std::result::Result<HashMap<String, usize>, LineError> {
    let h = reader.headers().map_err(|e| LineError {
        line: 1,
        message: format!("cannot read the header: {e}"),
    })?;
    let idx: HashMap<String, usize> = h
        .iter()
        .enumerate()
        .map(|(i, n)| (n.trim().to_ascii_lowercase(), i))
        .collect();
    let unknown: Vec<&String> = idx
        .keys()
        .filter(|k| !kind.columns().contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(LineError {
            line: 1,
            message: format!(
                "unknown column(s) {:?}; the columns are {}",
                unknown,
                kind.columns().join(",")
            ),
        });
    }
    let missing: Vec<&&str> = kind
        .required()
        .iter()
        .filter(|c| !idx.contains_key(**c))
        .collect();
    if !missing.is_empty() {
        return Err(LineError {
            line: 1,
            message: format!("missing column(s) {missing:?}"),
        });
    }
    Ok(idx)
}

fn records(csv_bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::None)
        .from_reader(csv_bytes)
}

/// Organisation keys of the stored customer base, to match rows to records.
struct OrganizationIndex {
    by_number: HashMap<String, i64>,
    by_name: HashMap<String, i64>,
}

impl OrganizationIndex {
    /// Finds an organisation by organisation number or by name.
    fn find(&self, key: &str) -> Option<i64> {
        self.by_number
            .get(key.trim())
            .or_else(|| self.by_name.get(&name_key(key)))
            .copied()
    }
}

impl Store {
    async fn organization_index(&self) -> Result<OrganizationIndex> {
        let rows: Vec<(i64, String, Option<String>)> = read_pool!(self, p => sqlx::query_as("SELECT id, name_key, org_number FROM organizations").fetch_all(p).await)?;
        let mut index = OrganizationIndex {
            by_number: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (id, name, number) in rows {
            if let Some(n) = number.filter(|n| !n.is_empty()) {
                index.by_number.insert(n, id);
            }
            index.by_name.entry(name).or_insert(id);
        }
        Ok(index)
    }

    /// Imports one CSV file. See the module documentation for the rules.
    pub async fn import_csv(
        &self,
        kind: Kind,
        csv_bytes: &[u8],
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        let mut report = ImportReport {
            kind: kind.name(),
            dry_run: opts.dry_run,
            ..Default::default()
        };
        match kind {
            Kind::Organizations => {
                let planned = self.plan_organizations(csv_bytes, &mut report).await?;
                if should_apply(&report, opts) {
                    self.apply_organizations(planned, opts).await?;
                    report.applied = true;
                }
            }
            Kind::Contacts => {
                let planned = self.plan_contacts(csv_bytes, &mut report).await?;
                if should_apply(&report, opts) {
                    self.apply_contacts(planned, opts).await?;
                    report.applied = true;
                }
            }
            Kind::Contracts => {
                let planned = self.plan_contracts(csv_bytes, &mut report).await?;
                if should_apply(&report, opts) {
                    self.apply_contracts(planned, opts).await?;
                    report.applied = true;
                }
            }
        }
        Ok(report)
    }
}

fn should_apply(report: &ImportReport, opts: &ImportOptions) -> bool {
    !opts.dry_run && (report.errors.is_empty() || opts.partial)
}

fn record<T, Id>(
    report: &mut ImportReport,
    planned: &mut Vec<Planned<T, Id>>,
    line: u64,
    key: String,
    plan: Plan<T, Id>,
    fields: impl Fn(&T) -> Vec<(&'static str, String)>,
) {
    let listed = match &plan {
        Plan::Create(d) => {
            report.created += 1;
            Some(("create", changes(None, &fields(d))))
        }
        Plan::Update(_, _, diff) if diff.is_empty() => {
            report.unchanged += 1;
            None
        }
        Plan::Update(_, _, diff) => {
            report.updated += 1;
            Some(("update", diff.clone()))
        }
    };
    if let Some((action, changes)) = listed
        && report.changes.len() < MAX_LISTED_CHANGES
    {
        report.changes.push(PlannedChange {
            line,
            action,
            key,
            changes,
        });
    }
    planned.push(Planned { plan });
}

/// `INSERT … VALUES ($1, …), (…) …suffix` for `rows` rows of `columns` values.
fn multi_insert(
    style: Placeholders,
    head: &str,
    columns: usize,
    rows: usize,
    suffix: &str,
) -> String {
    format!("{head} VALUES {}{suffix}", style.rows(columns, rows))
}
