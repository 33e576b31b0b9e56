//! Any bytes through `varde_rt::fuzz::transaction_sql` (the properties are written there, once,
//! and replayed over the kept corpus by `cargo test -p varde-rt`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| varde_rt::fuzz::transaction_sql(data));
