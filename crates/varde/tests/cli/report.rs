//! `varde report`: HTML, JSON, CSV and a PDF that renders.

use std::process::Command;

use super::varde;

#[test]
fn report_writes_html_json_csv_and_a_pdf_that_renders() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(&orgs, "name,country\nFjord Data AS,NO\n").unwrap();
    let contracts = dir.path().join("contracts.csv");
    std::fs::write(
        &contracts,
        "organization,reference,signed_on,starts_on,ends_on,product_code,quantity,site\n\
         Fjord Data AS,FJ-1,2026-01-02,2026-01-02,,SUPPORT-premium,1,\n\
         Fjord Data AS,FJ-1,2026-01-02,2026-01-02,,STORAGE-S3,1,no-osl1\n",
    )
    .unwrap();
    for (kind, file) in [("organizations", &orgs), ("contracts", &contracts)] {
        let (ok, _, err) = varde(&["import", kind, file.to_str().unwrap(), "--data", d], None);
        assert!(ok, "{err}");
    }
    let report = |format: &str| {
        varde(
            &[
                "report",
                "--org",
                "Fjord",
                "--quarter",
                "2026Q3",
                "--format",
                format,
                "--data",
                d,
            ],
            None,
        )
    };
    let (ok, json, err) = report("json");
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["organization"], "Fjord Data AS");
    assert_eq!(v["period"]["from"], "2026-07-01");
    assert_eq!(v["tier"], "Premium support");
    assert_eq!(v["agenda"].as_array().unwrap().len(), 5);
    let (ok, html, _) = report("html");
    assert!(
        ok && html.contains("<h2>SLA compliance</h2>")
            && html.contains("<h2>Availability of the services on contract</h2>")
    );
    let (ok, csv, _) = report("csv");
    assert!(
        ok && csv.starts_with("target,priority,met,breached,percent"),
        "{csv}"
    );

    let pdf = dir.path().join("report.pdf");
    let (ok, _, err) = varde(
        &[
            "report",
            "--org",
            "Fjord Data AS",
            "--quarter",
            "2026Q3",
            "--format",
            "pdf",
            "--output",
            pdf.to_str().unwrap(),
            "--data",
            d,
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    // A4, with page numbers.
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("(A4)"), "{info}");
    let text = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Page 1 of"),
        "page numbers"
    );
    let png = dir.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "40",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ])
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(rendered.success());
    let pages = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("page")
        })
        .count();
    assert!(pages >= 1, "the PDF has pages");

    let (ok, _, err) = varde(
        &[
            "report",
            "--org",
            "Fjord",
            "--quarter",
            "2026Q7",
            "--data",
            d,
        ],
        None,
    );
    assert!(!ok && err.contains("not a quarter"), "{err}");
    let (ok, _, err) = varde(&["report", "--org", "Nobody Inc", "--data", d], None);
    assert!(!ok && err.contains("no organisation"), "{err}");
}
