//! CSV import and export of the customer base.
