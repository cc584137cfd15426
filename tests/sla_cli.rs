//! `amo-intake status` and `report` through the real binary on a state file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use amo_intake::journal::Journal;
use amo_intake::journal::sla::{AlertKind, NewAlert, NewSla};
use jiff::Timestamp;

fn sla(lead: i64, manager: i64, arrival: Timestamp) -> NewSla {
    NewSla {
        lead_id: lead,
        contact_id: None,
        responsible_id: Some(manager),
        mail_id: None,
        arrival,
        deadline: arrival + jiff::SignedDuration::from_mins(10),
        client_name: None,
        phone: None,
        asked: None,
        kind: None,
        ..Default::default()
    }
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[state]\npath = \"{}\"\n[sla]\ntimezone = \"Europe/Moscow\"\n[alerts.names]\n\"7\" = \"Анна\"\n",
            state.display()
        ),
    )
    .unwrap();
    let j = Journal::open(&state).unwrap();
    let now = Timestamp::now();
    let h = |m: i64| now - jiff::SignedDuration::from_mins(m);
    // Anna: called after 3 and 12 minutes; Boris: one waiting past deadline.
    j.sla_open(&sla(1, 7, h(120))).unwrap();
    j.sla_answer(
        1,
        "call",
        (h(120) + jiff::SignedDuration::from_mins(3)).as_millisecond(),
    )
    .unwrap();
    j.sla_open(&sla(2, 7, h(90))).unwrap();
    j.sla_answer(
        2,
        "call",
        (h(90) + jiff::SignedDuration::from_mins(12)).as_millisecond(),
    )
    .unwrap();
    j.sla_open(&sla(3, 8, h(30))).unwrap();
    j.sla_plan_alerts(
        3,
        AlertKind::First,
        0,
        h(20).as_millisecond(),
        &[NewAlert {
            kind: AlertKind::First,
            seq: 0,
            channel: "telegram".into(),
            recipient: "800".into(),
            text: "t".into(),
            payload: "{}".into(),
        }],
    )
    .unwrap();
    let a = j.alerts_pending(now.as_millisecond()).unwrap();
    j.alert_sent(a[0].id, h(20).as_millisecond()).unwrap();
    (dir, cfg)
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn status_lists_waiting_requests_and_alerts() {
    let (_dir, cfg) = setup();
    let (ok, out, err) = run(&["status", "--config", cfg.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("requests waiting for a callback: 1"), "{out}");
    let line = out.lines().find(|l| l.starts_with("3 ")).unwrap();
    assert!(line.contains("breached"), "{line}");
    assert!(line.contains("first telegram→800 sent"), "{line}");
    let (ok, out, _) = run(&["status", "--json", "--config", cfg.to_str().unwrap()]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["waiting"][0]["lead_id"], 3);
    assert_eq!(v["waiting"][0]["alerts"][0]["recipient"], "800");
}

#[test]
fn report_by_manager() {
    let (_dir, cfg) = setup();
    let (ok, out, err) = run(&[
        "report",
        "--by",
        "manager",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("requests since"), "{out}");
    let all: Vec<&str> = out
        .lines()
        .find(|l| l.starts_with("all"))
        .unwrap()
        .split_whitespace()
        .collect();
    // requests answered late no-call breaches median p90
    assert_eq!(&all[1..6], &["3", "2", "1", "1", "2"], "{out}");
    assert_eq!(&all[6..], &["3.0", "min", "12.0", "min"], "{out}");
    let anna: Vec<&str> = out
        .lines()
        .find(|l| l.starts_with("Анна"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(&anna[1..6], &["2", "2", "1", "0", "1"], "{out}");
    let boris: Vec<&str> = out
        .lines()
        .find(|l| l.starts_with("8 "))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(&boris[1..6], &["1", "0", "0", "1", "1"], "{out}");
}

#[test]
fn missing_state_file_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!("[state]\npath = \"{}/none.db\"\n", dir.path().display()),
    )
    .unwrap();
    let (ok, _, err) = run(&["status", "--config", cfg.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("no state file at"), "{err}");
    assert!(!dir.path().join("none.db").exists());
}

/// A headless Chromium, if the machine has one (Debian: `apt-get install
/// chromium`).
fn chromium() -> Option<std::path::PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|b| {
            std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join(b))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .find(|p| p.is_file())
}

#[test]
fn report_html_page_has_the_numbers_and_renders_in_a_browser() {
    let (dir, cfg) = setup();
    let page = dir.path().join("report.html");
    let (ok, out, err) = run(&[
        "report",
        "--config",
        cfg.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("report page:"), "{out}");
    let html = std::fs::read_to_string(&page).unwrap();
    // 3 requests; answered after 3 and 12 minutes (median 3, p90 12);
    // one of three within 10 minutes.
    assert!(html.contains("<b id=\"kpi-total\">3</b>"), "{html}");
    assert!(html.contains("<b id=\"kpi-median\">3.0 мин</b>"));
    assert!(html.contains("<b id=\"kpi-within\">33 %</b>"));
    assert!(html.contains("<td>Анна</td><td>2</td><td>2</td><td>1</td><td>0</td><td>3.0 мин</td><td>12.0 мин</td><td>50 %</td>"), "{html}");
    assert!(!html.contains("<script") && !html.contains("http-equiv"));

    let Some(browser) = chromium() else {
        eprintln!("notice: no chromium on PATH; the page was checked as text only");
        return;
    };
    let url = format!("file://{}", page.display());
    let dom = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--dump-dom",
            &url,
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("id=\"by-manager\""),
        "rendered DOM lacks the chart: {dom}"
    );
    assert!(dom.contains("class=\"median\""), "{dom}");
    let shot = dir.path().join("report.png");
    let status = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--window-size=1000,1600",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap();
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG"),
        "no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    if let Some(keep) = std::env::var_os("AMO_REPORT_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
