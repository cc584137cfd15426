//! The parse worker (`amo-intake parse-worker`, the real binary): same
//! answers as parsing in-process, crashes and hangs cost one mail, the
//! process leaves when idle and is replaced when the rules change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use amo_intake::rules::{ParseOptions, RuleSet};
use amo_intake::worker::ParseWorker;

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_amo-intake"))
}

#[path = "support/shared.rs"]
mod shared;

/// The in-repo sample mails, plus the reference corpus when it is beside the
/// checkout.
fn mails() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = ["demo", "tests/fixtures/letter", "tests/fixtures/mail"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    dirs.extend(shared::shared_dir(
        "corpus",
        "worker_answers_every_sample_mail_exactly_like_the_daemon_would (corpus part)",
    ));
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "eml") {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn marked(failpoint: &str) -> Vec<u8> {
    format!(
        "From: Tilda <robot@tilda.ws>\r\nSubject: x\r\nX-Amo-Intake-Failpoint: {failpoint}\r\n\r\nName: A\r\nPhone: +7 912 345-67-89\r\n"
    )
    .into_bytes()
}

const PLAIN: &[u8] =
    b"From: Tilda <robot@tilda.ws>\r\nSubject: Lead\r\n\r\nName: Anna\r\nPhone: 8 (912) 345-67-89\r\nComment: zamer\r\n";

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[tokio::test]
async fn worker_answers_every_sample_mail_exactly_like_the_daemon_would() {
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    let w = ParseWorker::new(exe(), Duration::from_secs(30));
    let all = mails();
    assert!(all.len() >= 30, "sample mails not found: {}", all.len());
    for (path, raw) in &all {
        let got = w.parse(&set, &opts, raw).await.unwrap();
        assert_eq!(got, set.apply(raw, &opts), "{}", path.display());
    }
    // One process served them all.
    assert!(w.pid().await.is_some());
}

#[tokio::test]
async fn a_worker_that_dies_on_a_mail_is_retried_once_then_the_mail_is_refused() {
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    let w = ParseWorker::new(exe(), Duration::from_secs(30))
        .with_env("AMO_INTAKE_FAILPOINTS", "parse_abort");
    let first = {
        w.parse(&set, &opts, PLAIN).await.unwrap();
        w.pid().await.unwrap()
    };
    let err = w
        .parse(&set, &opts, &marked("parse_abort"))
        .await
        .unwrap_err();
    assert!(err.contains("died on this mail twice"), "{err}");
    assert!(err.contains("signal 6"), "SIGABRT expected: {err}");
    assert!(!alive(first), "the crashed worker is reaped");
    // The next mail gets a fresh worker and parses.
    let ok = w.parse(&set, &opts, PLAIN).await.unwrap();
    assert_eq!(ok, set.apply(PLAIN, &opts));
    assert_ne!(w.pid().await, Some(first));
}

#[tokio::test]
async fn a_panic_is_reported_without_losing_the_worker() {
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    let w = ParseWorker::new(exe(), Duration::from_secs(30))
        .with_env("AMO_INTAKE_FAILPOINTS", "parse_panic");
    w.parse(&set, &opts, PLAIN).await.unwrap();
    let pid = w.pid().await.unwrap();
    let err = w
        .parse(&set, &opts, &marked("parse_panic"))
        .await
        .unwrap_err();
    assert!(err.contains("failpoint parse_panic"), "{err}");
    assert_eq!(w.pid().await, Some(pid), "a caught panic keeps the worker");
    assert!(w.parse(&set, &opts, PLAIN).await.is_ok());
}

#[tokio::test]
async fn a_hung_worker_is_killed_after_the_timeout() {
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    // The timeout also bounds a fresh worker's start (the last parse below):
    // long enough for a start on a loaded machine, short for a test.
    let w = ParseWorker::new(exe(), Duration::from_secs(30))
        .with_timeout(Duration::from_secs(3))
        .with_env("AMO_INTAKE_FAILPOINTS", "parse_hang");
    w.parse(&set, &opts, PLAIN).await.unwrap();
    let pid = w.pid().await.unwrap();
    let err = w
        .parse(&set, &opts, &marked("parse_hang"))
        .await
        .unwrap_err();
    assert!(err.contains("no answer within 3.0 s"), "{err}");
    assert!(err.contains("signal 9"), "a hung worker is killed: {err}");
    assert!(!alive(pid), "the hung worker is killed and reaped");
    assert!(w.parse(&set, &opts, PLAIN).await.is_ok());
}

#[tokio::test]
async fn the_worker_leaves_when_idle_and_comes_back_for_the_next_mail() {
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    let w = ParseWorker::new(exe(), Duration::from_millis(300));
    w.parse(&set, &opts, PLAIN).await.unwrap();
    let pid = w.pid().await.unwrap();
    // Busy: each mail resets the idle clock.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        w.parse(&set, &opts, PLAIN).await.unwrap();
    }
    assert_eq!(w.pid().await, Some(pid));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while w.pid().await.is_some() {
        assert!(std::time::Instant::now() < deadline, "worker never left");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Exited and reaped (no zombie left behind).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "worker {pid} not reaped"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let again = w.parse(&set, &opts, PLAIN).await.unwrap();
    assert_eq!(again, set.apply(PLAIN, &opts));
    assert!(w.pid().await.is_some_and(|p| p != pid));
}

#[tokio::test]
async fn new_rules_get_a_new_worker_built_from_the_validated_texts() {
    let opts = ParseOptions::default();
    let w = ParseWorker::new(exe(), Duration::from_secs(30));
    let builtin = RuleSet::builtin();
    w.parse(&builtin, &opts, PLAIN).await.unwrap();
    let pid = w.pid().await.unwrap();
    let custom = amo_intake::rules::load_texts(&[(
        PathBuf::from("/nonexistent/rules/mine.toml"),
        r#"name = "mine"
[match]
from = 'tilda\.ws'
[fields]
form = ["Form"]
"#
        .to_string(),
    )])
    .expect("rule loads");
    let got = w.parse(&custom, &opts, PLAIN).await.unwrap();
    assert_eq!(got.rule.as_deref(), Some("mine"));
    assert_eq!(got, custom.apply(PLAIN, &opts));
    assert_ne!(w.pid().await, Some(pid), "a worker serves one rule set");
    assert!(!alive(pid), "the old worker is stopped and reaped");
}

#[tokio::test]
async fn without_a_worker_binary_the_mail_is_parsed_in_process() {
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    let w = ParseWorker::new(
        PathBuf::from("/nonexistent/amo-intake"),
        Duration::from_secs(1),
    );
    let got = w.parse(&set, &opts, PLAIN).await.unwrap();
    assert_eq!(got, set.apply(PLAIN, &opts));
    assert_eq!(w.pid().await, None);
}

/// A mail that makes the worker grow without bound hits the worker's memory
/// cap (RLIMIT_AS): the worker aborts, is retried once, and the mail is
/// refused with a reason that says so; the next mail parses at once.
#[tokio::test]
async fn a_mail_that_blows_the_memory_cap_is_refused_with_the_reason() {
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    let w = ParseWorker::new(exe(), Duration::from_secs(30))
        .with_env("AMO_INTAKE_FAILPOINTS", "parse_oom");
    let t = std::time::Instant::now();
    let err = w
        .parse(&set, &opts, &marked("parse_oom"))
        .await
        .unwrap_err();
    eprintln!("refused after {:?}: {err}", t.elapsed());
    assert!(err.contains("died on this mail twice"), "{err}");
    assert!(err.contains("out of memory"), "{err}");
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "bounded: {:?}",
        t.elapsed()
    );
    let ok = w.parse(&set, &opts, PLAIN).await.unwrap();
    assert_eq!(ok, set.apply(PLAIN, &opts));
}

/// A journalled mail is streamed from the state file into the worker's
/// frame, and parses exactly as from memory.
#[tokio::test]
async fn a_mail_streamed_from_the_journal_parses_like_one_in_memory() {
    use amo_intake::journal::Journal;
    use amo_intake::journal::mails::{MailHead, Recorded};
    use amo_intake::worker::MailBytes;
    let set = RuleSet::builtin();
    let opts = ParseOptions::default();
    let mut raw = PLAIN.to_vec();
    for i in 0..40_000 {
        raw.extend_from_slice(format!("-- {i:05} padding line\r\n").as_bytes());
    }
    let j = Journal::in_memory().unwrap();
    let head = MailHead {
        mailbox: "sales".into(),
        uidvalidity: 1,
        uid: 1,
        internal_date_ms: None,
    };
    for (i, c) in raw.chunks(300_000).enumerate() {
        j.stage_chunk(&head, i as u32, c).unwrap();
    }
    let Recorded::New(id) = j.record_staged(&head).unwrap() else {
        panic!("new")
    };
    let w = ParseWorker::new(exe(), Duration::from_secs(30));
    let from_journal = w
        .parse(
            &set,
            &opts,
            MailBytes::Journal {
                journal: &j,
                id,
                size: raw.len(),
            },
        )
        .await
        .unwrap();
    let mut want = set.apply(&raw, &opts);
    want.bound();
    assert_eq!(from_journal, want);
    // Over the size cap: decided from the first bytes, never loaded whole.
    let small = ParseOptions {
        max_mail_bytes: 100_000,
        ..ParseOptions::default()
    };
    let big = w
        .parse(
            &set,
            &small,
            MailBytes::Journal {
                journal: &j,
                id,
                size: raw.len(),
            },
        )
        .await
        .unwrap();
    assert_eq!(big.action, amo_intake::request::Action::Review);
    assert!(
        big.meta
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("over the 100000 byte cap"),
        "{:?}",
        big.meta.reason
    );
}
