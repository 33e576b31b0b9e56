//! The architecture's invariants, checked on the source (as rust-analyzer's tidy does), so
//! that `docs/ARCHITECTURE.md` stays true:
//! - SQL only in `varde-store`; `anyhow` only in the binary;
//! - `varde-core` depends only on its small value crates;
//! - no clock read outside the binary, tests and benches;
//! - no access decision outside `varde-core` (matching on the actor's kind);
//! - no source file over 800 lines.
//!
//! Where today's code still breaks a rule, the file is listed with how far it breaks it, and
//! the list may only shrink: a new file that breaks a rule, or a listed one that breaks it
//! further, fails the test.

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

/// Files over [`MAX_LINES`] today, with their length: they may only get shorter.
const LONG_FILES: &[(&str, usize)] = &[];

/// Files that still decide access by matching on the actor's kind, with how many times:
/// none any more. `Resource` names every thing a handler decides access on.
const ACCESS_OUTSIDE_CORE: &[(&str, usize)] = &[];

/// Code outside the binary that still reads the clock itself: none any more. Workers and the
/// LMTP listener take the binary's clock (`varde_app::Clock`).
const CLOCK_READS: &[(&str, usize)] = &[];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `crates/`, as (path relative to the root, text).
fn sources() -> Vec<(String, String)> {
    let root = root();
    let mut out = vec![];
    let mut dirs = vec![root.join("crates")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target") {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its `#[cfg(test)]` module and comments, roughly: lines from
/// the first `#[cfg(test)]` on are dropped, and so are lines that start a comment.
fn code(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_test_or_bench(path: &str) -> bool {
    path.contains("/tests/") || path.contains("/benches/") || path.ends_with("/testing.rs")
}

/// Checks `count(file)` against a ratchet list: unlisted files must count 0, listed ones at
/// most their figure.
fn ratchet(
    what: &str,
    listed: &[(&str, usize)],
    counts: impl Iterator<Item = (String, usize)>,
) -> Vec<String> {
    let mut problems = vec![];
    for (path, n) in counts {
        let allowed = listed
            .iter()
            .find(|(p, _)| *p == path)
            .map_or(0, |(_, n)| *n);
        if n > allowed {
            problems.push(format!("{path}: {what} {n} (allowed {allowed})"));
        }
    }
    problems
}

#[test]
fn sql_stays_in_the_store_and_anyhow_in_the_binary() {
    let mut problems = vec![];
    for (path, text) in sources() {
        let code = code(&text);
        let this = path.ends_with("tests/tidy.rs");
        if !this && !path.starts_with("crates/varde-store/") && code.contains("sqlx::") {
            problems.push(format!("{path}: SQL outside varde-store"));
        }
        if !this && !path.starts_with("crates/varde/") && code.contains("anyhow") {
            problems.push(format!("{path}: anyhow outside the binary"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_core_depends_only_on_its_value_crates() {
    let manifest = std::fs::read_to_string(root().join("crates/varde-core/Cargo.toml")).unwrap();
    let deps: Vec<&str> = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split(['=', '.']).next())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(deps, ["jiff", "thiserror", "mime"]);
}

#[test]
fn no_clock_is_read_outside_the_binary() {
    let counts = sources()
        .into_iter()
        .filter(|(p, _)| !p.starts_with("crates/varde/") && !is_test_or_bench(p))
        .map(|(p, t)| {
            let code = code(&t);
            let n = code.matches("Timestamp::now()").count()
                + code.matches("SystemTime::now()").count();
            (p, n)
        });
    let problems = ratchet("clock reads", CLOCK_READS, counts);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn access_is_decided_in_the_core() {
    let counts = sources()
        .into_iter()
        .filter(|(p, _)| !p.starts_with("crates/varde-core/") && !is_test_or_bench(p))
        .map(|(p, t)| {
            let code = code(&t);
            let n = [
                "is_staff()",
                "Actor::Customer",
                "Actor::Staff",
                "StaffRole::",
            ]
            .iter()
            .map(|w| code.matches(w).count())
            .sum();
            (p, n)
        });
    let problems = ratchet("access decisions", ACCESS_OUTSIDE_CORE, counts);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_source_file_is_over_800_lines() {
    let counts = sources()
        .into_iter()
        .map(|(p, t)| (p, t.lines().count()))
        .filter(|(_, n)| *n > MAX_LINES);
    let problems = ratchet("lines", LONG_FILES, counts);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
