//! The quarterly operations report's renderings: HTML (with SVG charts, printable), JSON, CSV
//! or PDF (Debian's chromium prints the HTML). The report itself is `varde_app::report`'s.
//! Used by the console (`/console/organizations/{id}/report`) and `varde report`.

use askama::Template;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use varde_core::portal::local_time;
use varde_core::report::{Report, TicketLine};
use varde_core::report_words::{ReportWords, report_words};
use varde_core::values::Language;

fn minutes(d: Option<jiff::SignedDuration>) -> Value {
    d.map(|d| json!(d.as_mins())).unwrap_or(Value::Null)
}

/// The report as JSON data.
pub fn to_json(r: &Report) -> Value {
    let line = |t: &varde_core::report::TicketLine| {
        json!({"id": t.id, "subject": t.subject, "queue": t.queue, "status": t.status, "priority": t.priority,
               "created": t.created.to_string(), "age_minutes": t.age.as_mins(), "breached": t.breached})
    };
    json!({
        "organization": r.organization,
        "tier": r.tier,
        "period": {"label": r.period.label, "from": r.period.from.to_string(), "until": r.period.until.to_string()},
        "policy": {"version": r.policy_version, "calendar": r.calendar, "example": true},
        "tickets": r.tickets,
        "compliance": r.compliance.iter().map(|c| json!({
            "target": c.target, "priority": c.priority, "met": c.met, "breached": c.breached, "percent": c.percent(),
        })).collect::<Vec<_>>(),
        "first_response_minutes": {"count": r.first_response.count, "median": minutes(r.first_response.median), "p90": minutes(r.first_response.p90)},
        "resolution_minutes": {"count": r.resolution.count, "median": minutes(r.resolution.median), "p90": minutes(r.resolution.p90)},
        "by_queue": r.by_queue, "by_category": r.by_category, "by_status": r.by_status,
        "longest": r.longest.iter().map(line).collect::<Vec<_>>(),
        "breached": r.breached.iter().map(line).collect::<Vec<_>>(),
        "open_items": r.open_items.iter().map(line).collect::<Vec<_>>(),
        "availability": r.availability.iter().map(|a| json!({
            "service": a.service, "percent": a.percent, "major_outage_minutes": a.major_minutes, "partial_outage_minutes": a.partial_minutes,
        })).collect::<Vec<_>>(),
        "availability_formula": r.availability_formula,
        "incidents": r.incidents.iter().map(|i| json!({
            "id": i.id, "name": i.name, "impact": i.impact, "started": i.started.to_string(),
            "resolved": i.resolved.map(|t| t.to_string()), "components": i.components,
        })).collect::<Vec<_>>(),
        "feedback": r.feedback,
        "satisfaction": {"good": r.ratings.0, "okay": r.ratings.1, "bad": r.ratings.2},
        "agenda": r.agenda,
    })
}

/// The report's tickets and compliance as CSV: one section per table, separated by a blank line.
pub fn to_csv(r: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["target", "priority", "met", "breached", "percent"]);
    for c in &r.compliance {
        let _ = w.write_record([
            c.target.to_string(),
            c.priority.to_string(),
            c.met.to_string(),
            c.breached.to_string(),
            c.percent().map(|p| format!("{p:.1}")).unwrap_or_default(),
        ]);
    }
    let _ = w.write_record([""; 0]);
    let _ = w.write_record([
        "service",
        "availability_percent",
        "major_outage_minutes",
        "partial_outage_minutes",
    ]);
    for a in &r.availability {
        let _ = w.write_record([
            a.service.clone(),
            format!("{:.3}", a.percent),
            a.major_minutes.to_string(),
            a.partial_minutes.to_string(),
        ]);
    }
    let _ = w.write_record([""; 0]);
    let _ = w.write_record([
        "ticket",
        "subject",
        "queue",
        "status",
        "priority",
        "created",
        "age_minutes",
        "breached",
    ]);
    let mut all: Vec<&varde_core::report::TicketLine> = r
        .longest
        .iter()
        .chain(&r.breached)
        .chain(&r.open_items)
        .collect();
    all.sort_by_key(|t| t.id);
    all.dedup_by_key(|t| t.id);
    for t in all {
        let _ = w.write_record([
            t.id.to_string(),
            t.subject.clone(),
            t.queue.clone(),
            t.status.clone(),
            t.priority.to_string(),
            t.created.to_string(),
            t.age.as_mins().to_string(),
            t.breached.join(" "),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

struct Bar {
    label: String,
    value: String,
    width: f64,
    y: usize,
    class: &'static str,
}

/// A ticket line as the reader reads it: priority and status in words, and either what it
/// breached or how long it has been open.
struct LineView {
    id: i64,
    subject: String,
    priority: String,
    status: String,
    detail: String,
}

struct IncidentView {
    name: String,
    impact: String,
    started: String,
    resolved: String,
    components: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    r: &'a Report,
    w: &'static ReportWords,
    lang: &'static str,
    tier: String,
    last_day: String,
    compliance: Vec<Bar>,
    queues: Vec<Bar>,
    chart_height: usize,
    queue_height: usize,
    first_median: String,
    first_p90: String,
    resolution_median: String,
    resolution_p90: String,
    breached: Vec<LineView>,
    longest: Vec<LineView>,
    open_items: Vec<LineView>,
    incidents: Vec<IncidentView>,
    by_category: Vec<(String, usize)>,
    by_status: Vec<(String, usize)>,
    links: bool,
}

fn hm(d: Option<jiff::SignedDuration>) -> String {
    match d {
        None => "–".into(),
        Some(d) => {
            let m = d.as_mins();
            if m >= 60 * 24 {
                format!("{}d {}h", m / (60 * 24), (m / 60) % 24)
            } else {
                format!("{}h {:02}m", m / 60, m % 60)
            }
        }
    }
}

/// Who reads the report: in which language and time zone.
pub struct Reader<'a> {
    pub language: Language,
    pub zone: &'a TimeZone,
}

fn compliance_bars(r: &Report, w: &ReportWords) -> Vec<Bar> {
    r.compliance
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let p = c.percent().unwrap_or(0.0);
            Bar {
                label: format!("{} · {}", w.target(c.target), w.priority(c.priority)),
                value: format!("{p:.0} % ({} {} {})", c.met, w.of, c.met + c.breached),
                width: p * 3.0,
                y: i * 22,
                class: if p >= 95.0 {
                    "good"
                } else if p >= 80.0 {
                    "fair"
                } else {
                    "poor"
                },
            }
        })
        .collect()
}

fn queue_bars(r: &Report) -> Vec<Bar> {
    let max = r.by_queue.iter().map(|q| q.1).max().unwrap_or(1).max(1);
    r.by_queue
        .iter()
        .enumerate()
        .map(|(i, (q, n))| Bar {
            label: q.clone(),
            value: n.to_string(),
            width: 300.0 * *n as f64 / max as f64,
            y: i * 22,
            class: "neutral",
        })
        .collect()
}

/// The report as a printable HTML page with SVG charts, in the reader's language and zone.
/// `links`: ticket numbers link into the console (not in a PDF sent to the customer).
pub fn to_html(r: &Report, links: bool, reader: &Reader) -> Result<String, askama::Error> {
    let w = report_words(reader.language);
    let line = |t: &TicketLine, detail: String| LineView {
        id: t.id,
        subject: t.subject.clone(),
        priority: w.priority(t.priority),
        status: w.status(&t.status),
        detail,
    };
    let breached_words = |t: &TicketLine| {
        t.breached
            .iter()
            .map(|b| w.target(b))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let when = |t: Timestamp| local_time(t, reader.zone);
    let compliance = compliance_bars(r, w);
    let queues = queue_bars(r);
    ReportPage {
        r,
        w,
        lang: reader.language.code(),
        tier: w.tier(&r.tier),
        last_day: r
            .period
            .until
            .yesterday()
            .unwrap_or(r.period.until)
            .to_string(),
        chart_height: compliance.len().max(1) * 22,
        queue_height: queues.len().max(1) * 22,
        compliance,
        queues,
        first_median: hm(r.first_response.median),
        first_p90: hm(r.first_response.p90),
        resolution_median: hm(r.resolution.median),
        resolution_p90: hm(r.resolution.p90),
        breached: r
            .breached
            .iter()
            .take(50)
            .map(|t| line(t, breached_words(t)))
            .collect(),
        longest: r.longest.iter().map(|t| line(t, hm(Some(t.age)))).collect(),
        open_items: r
            .open_items
            .iter()
            .take(50)
            .map(|t| line(t, String::new()))
            .collect(),
        incidents: r
            .incidents
            .iter()
            .map(|i| IncidentView {
                name: i.name.clone(),
                impact: w.impact(&i.impact),
                started: when(i.started),
                resolved: i.resolved.map_or_else(|| w.still_open.to_string(), when),
                components: i.components.clone(),
            })
            .collect(),
        by_category: r
            .by_category
            .iter()
            .map(|(c, n)| (w.service(c), *n))
            .collect(),
        by_status: r.by_status.iter().map(|(s, n)| (w.status(s), *n)).collect(),
        links,
    }
    .render()
}

/// How many chromium processes print at once (each is dozens of processes and ~200 MB).
pub const PDF_AT_ONCE: usize = 2;
/// How long one print may take before chromium is stopped.
pub const PDF_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

static PRINTING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// [`PDF_AT_ONCE`] prints are running: try again in a moment.
    #[error("{PDF_AT_ONCE} reports are being printed already; try again in a moment")]
    Busy,
    #[error("{0}")]
    Failed(String),
}

/// One of the [`PDF_AT_ONCE`] printing slots, given back when dropped.
struct Slot;

impl Slot {
    fn take() -> Option<Slot> {
        use std::sync::atomic::Ordering;
        PRINTING
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < PDF_AT_ONCE).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        PRINTING.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// Prints HTML to PDF with Debian's chromium (headless), at most [`PDF_AT_ONCE`] at a time
/// and for at most [`PDF_TIMEOUT`]. Gives the PDF's bytes. Blocks: call it off the async
/// threads.
pub fn to_pdf(html: &str) -> Result<Vec<u8>, PdfError> {
    let _slot = Slot::take().ok_or(PdfError::Busy)?;
    let failed = |m: String| PdfError::Failed(m);
    let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .ok_or_else(|| failed("PDF needs Debian's chromium (apt-get install chromium)".into()))?;
    let dir = tempfile::Builder::new()
        .prefix("varde-report-")
        .tempdir()
        .map_err(|e| failed(e.to_string()))?;
    let page = dir.path().join("report.html");
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&page, html).map_err(|e| failed(e.to_string()))?;
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", dir.path().join("profile").display()),
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", page.display()),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("running chromium: {e}")))?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < PDF_TIMEOUT => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!(
                    "chromium did not finish the PDF within {} s",
                    PDF_TIMEOUT.as_secs()
                )));
            }
        }
    }
    std::fs::read(&pdf).map_err(|_| failed("chromium made no PDF".into()))
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;
    use jiff::tz::TimeZone;
    use varde_core::values::Language;

    #[test]
    fn a_third_print_waits_for_a_free_slot() {
        // No other test in this binary prints, so the slots are this test's to take.
        let held: Vec<_> = (0..super::PDF_AT_ONCE)
            .filter_map(|_| super::Slot::take())
            .collect();
        assert_eq!(held.len(), super::PDF_AT_ONCE);
        assert!(matches!(
            super::to_pdf("<p>x</p>"),
            Err(super::PdfError::Busy)
        ));
        drop(held);
        assert!(super::Slot::take().is_some());
    }
    use varde_core::report::{AGENDA, Availability, Compliance, Period, Report, TicketLine, Times};

    fn sample() -> Report {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let line = |id: i64, breached: Vec<&'static str>| TicketLine {
            id,
            subject: format!("Case <{id}> & co"),
            queue: "General".into(),
            status: "open".into(),
            priority: "high",
            created: at("2026-08-03T09:00:00Z"),
            age: SignedDuration::from_hours(30),
            breached,
        };
        Report {
            organization: "Fjord Data AS".into(),
            language: Language::NorwegianBokmal,
            tier: "Premium support".into(),
            period: Period::quarter("2026Q3").unwrap(),
            policy_version: 2,
            calendar: "Oslo office hours".into(),
            tickets: 2,
            compliance: vec![
                Compliance {
                    target: "first response",
                    priority: "high",
                    met: 9,
                    breached: 1,
                },
                Compliance {
                    target: "resolution",
                    priority: "high",
                    met: 7,
                    breached: 3,
                },
            ],
            first_response: Times {
                count: 10,
                median: Some(SignedDuration::from_mins(20)),
                p90: Some(SignedDuration::from_mins(75)),
            },
            resolution: Times {
                count: 8,
                median: Some(SignedDuration::from_hours(5)),
                p90: Some(SignedDuration::from_hours(30)),
            },
            by_queue: vec![("General".into(), 2)],
            by_category: vec![("compute".into(), 2)],
            by_status: vec![("open".into(), 2)],
            longest: vec![line(7, vec![])],
            breached: vec![line(8, vec!["resolution"])],
            open_items: vec![line(7, vec![])],
            availability: vec![Availability {
                service: "Compute — no-osl1".into(),
                percent: 99.864,
                major_minutes: 180,
                partial_minutes: 0,
            }],
            availability_formula: varde_core::status::UPTIME_FORMULA,
            incidents: vec![],
            feedback: vec!["More GPU flavours".into()],
            ratings: (3, 1, 0),
            agenda: AGENDA.to_vec(),
        }
    }

    /// The report's HTML and SVG are compared with `src/snapshots/report.html`; after an
    /// intended change, run with `UPDATE_SNAPSHOTS=1` and review the diff.
    #[test]
    fn the_report_html_matches_its_snapshot() {
        let reader = super::Reader {
            language: Language::English,
            zone: &TimeZone::UTC,
        };
        let html = super::to_html(&sample(), false, &reader).unwrap();
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/snapshots/report.html");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &html).unwrap();
        }
        let expected = std::fs::read_to_string(&path)
            .expect("the snapshot exists (UPDATE_SNAPSHOTS=1 writes it)");
        assert_eq!(
            html, expected,
            "the report's HTML changed; review and UPDATE_SNAPSHOTS=1"
        );
        assert!(
            html.contains("Case &#60;8&#62; &#38; co") || html.contains("Case &lt;8&gt; &amp; co"),
            "escaped"
        );
        assert!(
            html.contains("width=\"270\""),
            "a 90 % bar is 270 of 300 units"
        );
    }

    /// A customer reads the report in its language and zone: no stored code shows.
    #[test]
    fn the_report_reads_in_the_organisations_language() {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let mut r = sample();
        r.incidents = vec![varde_core::report::IncidentLine {
            id: 1,
            name: "Lagring nede".into(),
            impact: "major".into(),
            started: at("2026-08-03T09:00:00Z"),
            resolved: None,
            components: "Storage".into(),
        }];
        let zone = TimeZone::get("Europe/Oslo").unwrap();
        let reader = super::Reader {
            language: r.language,
            zone: &zone,
        };
        let html = super::to_html(&r, false, &reader).unwrap();
        for words in [
            "lang=\"nb\"",
            "Kvartalsrapport for driften: Fjord Data AS",
            "Premiumsupport",
            "første svar · høy",
            "9 av 10",
            "Saker som brøt målene",
            "<td>løsning</td>",
            "<td>større</td>",
            "2026-08-03 11:00 CEST",
            "<td>pågår</td>",
            "Beregning (OpenStack)",
            "99,864 %",
            "3 bra, 1 ok, 0 dårlig",
            "Side \" counter(page) \" av \" counter(pages)",
        ] {
            assert!(html.contains(words), "{words}");
        }
        for raw in [
            "first response",
            "resolution",
            ">open<",
            ">high<",
            ">major<",
            "Premium support",
            "T09:00:00Z",
        ] {
            assert!(!html.contains(raw), "{raw} shows as stored");
        }
    }

    #[test]
    fn csv_and_json_carry_every_ticket_and_figure() {
        let r = sample();
        let csv = super::to_csv(&r);
        assert!(csv.contains("first response,high,9,1,90.0"));
        assert!(csv.contains("Compute — no-osl1,99.864,180,0"));
        assert!(
            csv.contains("8,Case <8> & co,General,open,high,2026-08-03T09:00:00Z,1800,resolution")
        );
        let json = super::to_json(&r);
        assert_eq!(json["first_response_minutes"]["p90"], 75);
        assert_eq!(json["compliance"][1]["percent"], 70.0);
        assert_eq!(json["policy"]["calendar"], "Oslo office hours");
    }
}
