//! `amo-intake demo` runs with no outside service, quickly, and exits 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn demo_runs_offline_and_summarises() {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(["demo", "--sla-seconds", "1"])
        .output()
        .unwrap();
    let took = t.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(10), "demo took {took:?}");
    assert!(stdout.contains("1. journalled 5 mails"), "{stdout}");
    for f in [
        "01-tilda-okna-zamer.eml",
        "02-cf7-potolki-raschet.eml",
        "03-bitrix-kuhni-1251.eml",
        "04-spam.eml",
        "05-trash-seo.eml",
    ] {
        assert!(stdout.contains(f), "{f} missing:\n{stdout}");
    }
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("summary: 5 mails → "))
        .unwrap_or_else(|| panic!("no summary:\n{stdout}"));
    assert!(summary.ends_with("nothing was sent anywhere"), "{summary}");
    // Every lead or review request that nobody called back is alerted.
    let alerts = stdout.matches("ALERT → менеджеру").count();
    let due = stdout.matches("callback due in 1 s").count();
    assert_eq!(alerts, due, "{stdout}");
    assert!(
        summary.contains(&format!("{alerts} overdue alerts")),
        "{summary}"
    );
}
