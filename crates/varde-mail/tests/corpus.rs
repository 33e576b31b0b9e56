//! The mail corpus: real-world-shaped messages (`tests/corpus/*.eml`) and what Varde must read
//! from each (`tests/corpus/expected.txt`, one line per file). Also the seed corpus for fuzzing.
//! To add a case, add a file and its line; `VARDE_BLESS=1 cargo test -p varde-mail` prints the
//! current readings to copy from.

use std::path::Path;

fn reading(name: &str, raw: &[u8]) -> String {
    let m = varde_mail::parse(raw, "support.example");
    let text: String = m.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let files: Vec<String> = m
        .attachments
        .iter()
        .map(|a| {
            if a.filename == "attachment" {
                a.content_type.clone()
            } else {
                format!("{}:{}", a.filename, a.content_type)
            }
        })
        .collect();
    format!(
        "{name} | id={} | from={} | tag={} | automatic={} | text={} | html={} | files={} | problems={}",
        m.message_id.as_deref().unwrap_or("-"),
        m.from.as_deref().unwrap_or("-"),
        varde_mail::ticket_tag(&m.subject, "support.example")
            .map(|t| t.to_string())
            .unwrap_or_else(|| "-".into()),
        m.automatic
            .map(|a| format!("{a:?}"))
            .unwrap_or_else(|| "-".into()),
        text,
        if m.html.is_some() { "yes" } else { "no" },
        files.join(","),
        m.problems.join("; ")
    )
}

#[test]
fn the_corpus_reads_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    names.sort();
    let got: Vec<String> = names
        .iter()
        .map(|n| reading(n, &std::fs::read(dir.join(n)).unwrap()))
        .collect();
    if std::env::var("VARDE_BLESS").is_ok() {
        println!("{}", got.join("\n"));
    }
    let want: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(got.len(), want.len(), "one expected line per .eml file");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g, w);
    }
}

/// Every input the fuzzer kept (`fuzz/corpus/parse/`, grown by `cargo fuzz run parse -s
/// none`), replayed: parsing never panics and what it reads holds together, as the fuzz
/// target checks.
#[test]
fn the_fuzz_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the fuzz corpus is checked in") {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let m = varde_mail::parse(&raw, "support.example");
        let _ = varde_mail::ticket_tag(&m.subject, "support.example");
        for a in &m.attachments {
            assert!(!a.content_type.is_empty(), "{}", path.display());
        }
        n += 1;
    }
    assert!(n >= 9, "the corpus has the seed messages at least ({n})");
}
