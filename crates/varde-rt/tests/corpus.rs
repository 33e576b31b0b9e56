//! Every input the fuzzers kept (`fuzz/corpus/<target>/`, grown by `cargo fuzz run <target>
//! -s none`), replayed through the same properties the fuzz targets check.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the fuzz corpus is checked in") {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        check(&raw);
        n += 1;
    }
    n
}

#[test]
fn the_ticketsql_corpus_replays() {
    assert!(replay("ticketsql", varde_rt::fuzz::ticketsql) >= 5);
}

#[test]
fn the_rest1_form_corpus_replays() {
    assert!(replay("rest1_form", varde_rt::fuzz::rest1_form) >= 3);
}

#[test]
fn the_rest2_json_corpus_replays() {
    assert!(replay("rest2_json", varde_rt::fuzz::rest2_json) >= 3);
}

#[test]
fn the_transaction_sql_corpus_replays() {
    assert!(replay("transaction_sql", varde_rt::fuzz::transaction_sql) >= 5);
}
