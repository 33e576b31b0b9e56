//! `varde import-rt` as an operator runs it: the command line's spelling, the summary it
//! prints, a second run that finds nothing new, and a plain refusal of what it cannot read.

use varde_store::rt_fixture::Rt;

use super::varde;

#[tokio::test]
async fn import_rt_reads_an_rt_database_and_a_second_run_finds_nothing_new() {
    let rtdir = tempfile::tempdir().unwrap();
    let mut rt = Rt::create(rtdir.path()).await.unwrap();
    rt.generate(30).await.unwrap();
    let from = rt.url();
    rt.close().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let data = data.path().to_str().unwrap();
    let args = |extra: &[&'static str]| {
        let mut v = vec![
            "import-rt",
            "--from",
            from.as_str(),
            "--rtname",
            "example.com",
            "--data",
            data,
        ];
        v.extend_from_slice(extra);
        v
    };

    let (ok, out, err) = varde(&args(&["--dry-run"]), None);
    assert!(ok, "{out} {err}");
    assert!(
        out.contains("dry run, nothing written")
            && out.contains("would import 30 new and 0 changed tickets"),
        "{out}"
    );
    let (ok, out, err) = varde(&args(&["--batch", "7"]), None);
    assert!(ok, "{out} {err}");
    assert!(
        out.contains("imported 30 new and 0 changed tickets, 299 transactions, 60 attachments"),
        "{out}"
    );
    assert!(
        out.contains("staff accounts: 20 (no password until reset)"),
        "{out}"
    );
    let (ok, out, _) = varde(&args(&[]), None);
    assert!(
        ok && out.contains(
            "imported 0 new and 0 changed tickets, 0 transactions, 0 attachments; 30 unchanged"
        ),
        "{out}"
    );

    let (ok, _, err) = varde(
        &["import-rt", "--from", "mysql://rt@db/rt", "--data", data],
        None,
    );
    assert!(
        !ok && err.contains("MySQL or MariaDB is not supported yet"),
        "{err}"
    );
    let (ok, _, err) = varde(
        &[
            "import-rt",
            "--from",
            "sqlite:///no/such/rtdb",
            "--data",
            data,
        ],
        None,
    );
    assert!(
        !ok && err.contains("no RT database file at /no/such/rtdb"),
        "{err}"
    );
}
