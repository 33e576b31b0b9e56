//! CSV import and export, on both engines.
