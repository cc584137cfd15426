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
    // Tilda (measurement), CF7 HTML and Bitrix cp1251 (calculation) are leads,
    // the SEO offer is trash, the crypto spam is ignored.
    assert_eq!(
        summary,
        "summary: 5 mails → 3 leads, 0 for review, 1 trash, 1 ignored; 6 alerts (manager, then head of sales); nothing was sent anywhere"
    );
    assert!(
        stdout.contains("Анна Сергеевна Петрова, +79165551234"),
        "{stdout}"
    );
    assert!(stdout.contains("Ольга, +79035556677"), "{stdout}");
    // Every lead or review request that nobody called back is alerted to the
    // manager first, then escalated to the head of sales; trash and spam never.
    let due = stdout.matches("callback due in 1 s").count();
    assert_eq!(due, 3, "{stdout}");
    assert_eq!(stdout.matches("ALERT → менеджеру").count(), due, "{stdout}");
    assert_eq!(
        stdout.matches("ALERT → руководителю").count(),
        due,
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("Клиент ждёт звонка уже").count(),
        due,
        "{stdout}"
    );
    assert!(
        !stdout.contains("Клиент: Максим"),
        "trash must not be alerted:\n{stdout}"
    );
    let first = stdout.find("ALERT → менеджеру").unwrap_or(usize::MAX);
    let head = stdout.find("ALERT → руководителю").unwrap_or(0);
    assert!(first < head, "escalation before the first alert:\n{stdout}");
}
