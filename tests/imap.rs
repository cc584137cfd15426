//! The IMAP watcher against a real Dovecot (one private instance per test).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use amo_intake::config::{MailboxConfig, TlsMode};
use amo_intake::journal::Journal;
use amo_intake::mail::imap::{self, After, MailboxSettings, WatcherDeps};
use support::dovecot::{self, Dovecot, Options, form_mail};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

fn mailbox_cfg(name: &str, port: u16, tls: TlsMode) -> MailboxConfig {
    MailboxConfig {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: Some(port),
        tls,
        user: dovecot::USER.into(),
        password_file: None,
        folder: "INBOX".into(),
        ca_file: None,
        insecure_plaintext: false,
        idle_interval: None,
        poll_interval: None,
        since: None,
        after: None,
        after_target: None,
    }
}

fn settings(c: &MailboxConfig) -> MailboxSettings {
    let mut s = MailboxSettings::validate(c).unwrap();
    s.password = dovecot::PASSWORD.into();
    s
}

struct Running {
    journal: Arc<Journal>,
    wake: Arc<Notify>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

fn open_journal() -> (Arc<Journal>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("state.db")).unwrap();
    (Arc::new(j), dir)
}

fn start(s: MailboxSettings, journal: Arc<Journal>, dir: tempfile::TempDir) -> Running {
    // Watcher logs, shown by the test harness when a test fails.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("amo_intake=debug")
        .with_test_writer()
        .try_init();
    let wake = Arc::new(Notify::new());
    let stop = CancellationToken::new();
    let deps = WatcherDeps {
        journal: journal.clone(),
        wake: wake.clone(),
    };
    let task = tokio::spawn(imap::watch(s, deps, stop.clone()));
    Running {
        journal,
        wake,
        stop,
        task,
        _dir: dir,
    }
}

impl Running {
    async fn shutdown(self) -> (Arc<Journal>, tempfile::TempDir) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("watcher stops within 10 s")
            .unwrap();
        (self.journal, self._dir)
    }
}

fn state_of(name: &str) -> String {
    amo_intake::metrics::global()
        .mailbox_states()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

async fn wait_state(name: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while state_of(name) != want {
        assert!(
            Instant::now() < deadline,
            "{name} never reached {want}, is {}",
            state_of(name)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // IDLE is entered right after the state is set.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

fn count(j: &Journal, state: Option<&str>) -> i64 {
    j.count_mails(state).unwrap()
}

async fn wait_count(j: &Journal, n: i64, within: Duration) -> Duration {
    let t = Instant::now();
    loop {
        let c = count(j, None);
        if c >= n {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < within,
            "only {c} of {n} mails journalled after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn distinct_message_ids(j: &Journal) -> i64 {
    j.conn()
        .query_row("SELECT COUNT(DISTINCT message_id) FROM mails", [], |r| {
            r.get(0)
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_during_idle_reaches_the_pipeline() {
    let dc = Dovecot::start();
    // Old mail present before the first start is not imported.
    dc.append("INBOX", &form_mail(0, "old")).await;
    let (j, dir) = open_journal();
    let r = start(
        settings(&mailbox_cfg("idle1", dc.port, TlsMode::None)),
        j,
        dir,
    );
    wait_state("idle1", "IDLE").await;
    let woken = r.wake.clone();
    let notified = tokio::spawn(async move { woken.notified().await });
    let t = Instant::now();
    dc.append("INBOX", &form_mail(1, "idle")).await;
    let took = wait_count(&r.journal, 1, Duration::from_secs(5)).await;
    tokio::time::timeout(Duration::from_secs(2), notified)
        .await
        .expect("pipeline woken")
        .unwrap();
    eprintln!(
        "APPEND -> journal {:?} (since append start {:?})",
        took,
        t.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(&r.journal, None), 1);
    assert_eq!(count(&r.journal, Some("seen")), 1);
    let wm = r.journal.watermark("idle1").unwrap().unwrap();
    assert_eq!(wm.last_uid, 2);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_of_200_is_journalled_once_each() {
    let dc = Dovecot::start();
    let (j, dir) = open_journal();
    let r = start(
        settings(&mailbox_cfg("burst", dc.port, TlsMode::None)),
        j,
        dir,
    );
    wait_state("burst", "IDLE").await;
    let mails: Vec<Vec<u8>> = (0..200).map(|n| form_mail(n, "burst")).collect();
    dc.append_many("INBOX", &mails).await;
    wait_count(&r.journal, 200, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(count(&r.journal, None), 200);
    assert_eq!(count(&r.journal, Some("seen")), 200);
    assert_eq!(distinct_message_ids(&r.journal), 200);
    assert_eq!(r.journal.watermark("burst").unwrap().unwrap().last_uid, 200);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_outage_of_30s_reconnects_and_misses_nothing() {
    let mut dc = Dovecot::start();
    let (j, dir) = open_journal();
    let r = start(
        settings(&mailbox_cfg("outage", dc.port, TlsMode::None)),
        j,
        dir,
    );
    wait_state("outage", "IDLE").await;
    dc.append_many(
        "INBOX",
        &(0..3).map(|n| form_mail(n, "before")).collect::<Vec<_>>(),
    )
    .await;
    wait_count(&r.journal, 3, Duration::from_secs(5)).await;
    dc.stop();
    let down = Instant::now();
    for n in 0..5 {
        dc.deliver_offline(&form_mail(n, "during"), n);
    }
    tokio::time::sleep(Duration::from_secs(30).saturating_sub(down.elapsed())).await;
    dc.start_again();
    let back = Instant::now();
    let took = wait_count(&r.journal, 8, Duration::from_secs(5)).await;
    eprintln!("caught up {took:?} after the server returned");
    assert!(back.elapsed() < Duration::from_secs(5));
    wait_state("outage", "IDLE").await;
    dc.append_many(
        "INBOX",
        &(0..2).map(|n| form_mail(n, "after")).collect::<Vec<_>>(),
    )
    .await;
    wait_count(&r.journal, 10, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(&r.journal, None), 10);
    assert_eq!(distinct_message_ids(&r.journal), 10);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_restart_misses_none_and_repeats_none() {
    let dc = Dovecot::start();
    let (j, dir) = open_journal();
    let c = mailbox_cfg("restart", dc.port, TlsMode::None);
    let r = start(settings(&c), j, dir);
    wait_state("restart", "IDLE").await;
    dc.append_many(
        "INBOX",
        &(0..5).map(|n| form_mail(n, "first")).collect::<Vec<_>>(),
    )
    .await;
    wait_count(&r.journal, 5, Duration::from_secs(5)).await;
    let (j, dir) = r.shutdown().await;
    assert_eq!(state_of("restart"), "stopped");
    dc.append_many(
        "INBOX",
        &(0..5).map(|n| form_mail(n, "down")).collect::<Vec<_>>(),
    )
    .await;
    let r = start(settings(&c), j, dir);
    wait_count(&r.journal, 10, Duration::from_secs(5)).await;
    wait_state("restart", "IDLE").await;
    dc.append("INBOX", &form_mail(0, "second")).await;
    wait_count(&r.journal, 11, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(&r.journal, None), 11);
    assert_eq!(count(&r.journal, Some("seen")), 11);
    assert_eq!(distinct_message_ids(&r.journal), 11);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uidvalidity_change_rescans_without_duplicates() {
    let dc = Dovecot::start();
    dc.create_folder("Leads").await;
    let (j, dir) = open_journal();
    let mut c = mailbox_cfg("uidv", dc.port, TlsMode::None);
    c.folder = "Leads".into();
    let r = start(settings(&c), j, dir);
    wait_state("uidv", "IDLE").await;
    let mails: Vec<Vec<u8>> = (0..3).map(|n| form_mail(n, "uidv")).collect();
    dc.append_many("Leads", &mails).await;
    wait_count(&r.journal, 3, Duration::from_secs(5)).await;
    let (before, after) = dc.delete_and_recreate("Leads").await;
    assert_ne!(
        before, after,
        "Dovecot must give the new folder a new UIDVALIDITY"
    );
    // The same three mails come back under the new UIDVALIDITY, plus one new.
    let mut again = mails.clone();
    again.push(form_mail(3, "uidv"));
    dc.append_many("Leads", &again).await;
    wait_count(&r.journal, 7, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(&r.journal, Some("seen")), 4);
    assert_eq!(count(&r.journal, Some("duplicate")), 3);
    let wm = r.journal.watermark("uidv").unwrap().unwrap();
    assert_eq!(wm.uidvalidity, after);
    assert_eq!(wm.last_uid, 4);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_without_idle_is_polled() {
    let dc = Dovecot::start_with(Options {
        no_idle: true,
        ..Options::default()
    });
    let (j, dir) = open_journal();
    let mut c = mailbox_cfg("poll", dc.port, TlsMode::None);
    c.poll_interval = Some("1s".into());
    let r = start(settings(&c), j, dir);
    wait_state("poll", "polling").await;
    dc.append("INBOX", &form_mail(1, "poll")).await;
    wait_count(&r.journal, 1, Duration::from_secs(5)).await;
    dc.append_many(
        "INBOX",
        &(2..4).map(|n| form_mail(n, "poll")).collect::<Vec<_>>(),
    )
    .await;
    wait_count(&r.journal, 3, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count(&r.journal, None), 3);
    assert_eq!(state_of("poll"), "polling");
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_self_signed_ca_from_the_config() {
    let dc = Dovecot::start_with(Options {
        tls: true,
        ..Options::default()
    });
    // Without the CA the certificate is rejected.
    let c = mailbox_cfg("tls-noca", dc.tls_port, TlsMode::Implicit);
    let e = imap::connect(&settings(&c))
        .await
        .err()
        .expect("untrusted cert refused");
    assert!(e.to_string().contains("TLS handshake"), "{e}");
    // STARTTLS on the plain port with the CA works too.
    let mut c = mailbox_cfg("tls-starttls", dc.port, TlsMode::Starttls);
    c.ca_file = Some(dc.ca_file());
    let (mut sess, caps) = imap::connect(&settings(&c)).await.expect("STARTTLS");
    assert!(caps.has_str("IDLE"));
    sess.logout().await.unwrap();

    let mut c = mailbox_cfg("tls", dc.tls_port, TlsMode::Implicit);
    c.ca_file = Some(dc.ca_file());
    let (j, dir) = open_journal();
    let r = start(settings(&c), j, dir);
    wait_state("tls", "IDLE").await;
    dc.append("INBOX", &form_mail(1, "tls")).await;
    wait_count(&r.journal, 1, Duration::from_secs(5)).await;
    assert_eq!(count(&r.journal, None), 1);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_to_a_remote_host_is_refused_before_connecting() {
    let mut c = mailbox_cfg("remote", 143, TlsMode::None);
    c.host = "192.0.2.10".into();
    let e = MailboxSettings::validate(&c)
        .expect_err("refused")
        .to_string();
    assert!(e.contains("mailbox \"remote\""), "{e}");
    assert!(e.contains("insecure_plaintext = true"), "{e}");
    assert!(e.contains("tls = \"implicit\""), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journalled_mails_are_moved_when_configured() {
    let dc = Dovecot::start();
    dc.create_folder("Processed").await;
    let (j, dir) = open_journal();
    let mut c = mailbox_cfg("move", dc.port, TlsMode::None);
    c.after = Some("move".into());
    c.after_target = Some("Processed".into());
    let s = settings(&c);
    assert_eq!(s.after, After::Move("Processed".into()));
    let r = start(s, j, dir);
    wait_state("move", "IDLE").await;
    dc.append_many(
        "INBOX",
        &(0..3).map(|n| form_mail(n, "mv")).collect::<Vec<_>>(),
    )
    .await;
    wait_count(&r.journal, 3, Duration::from_secs(5)).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while dc.uids("Processed").await.len() < 3 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dc.uids("Processed").await.len(), 3);
    assert!(dc.uids("INBOX").await.is_empty());
    assert_eq!(count(&r.journal, None), 3);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_post_processing_does_not_stop_intake() {
    let dc = Dovecot::start();
    let (j, dir) = open_journal();
    let mut c = mailbox_cfg("badmove", dc.port, TlsMode::None);
    c.after = Some("move".into());
    c.after_target = Some("NoSuchFolder".into());
    let r = start(settings(&c), j, dir);
    wait_state("badmove", "IDLE").await;
    dc.append_many(
        "INBOX",
        &(0..2).map(|n| form_mail(n, "bm")).collect::<Vec<_>>(),
    )
    .await;
    wait_count(&r.journal, 2, Duration::from_secs(5)).await;
    wait_state("badmove", "IDLE").await;
    dc.append("INBOX", &form_mail(2, "bm")).await;
    wait_count(&r.journal, 3, Duration::from_secs(5)).await;
    assert_eq!(count(&r.journal, None), 3);
    // The MOVE was refused, so the mails stay; the connection was kept.
    assert_eq!(dc.uids("INBOX").await.len(), 3);
    let m = amo_intake::metrics::global().render();
    assert!(
        !m.contains("amo_intake_imap_reconnects_total{mailbox=\"badmove\"}"),
        "reconnected:\n{m}"
    );
    r.shutdown().await;
}

/// Mails over 1 MiB are fetched in 1 MiB pieces straight into the journal:
/// each comes out byte-exact, whatever its size against the piece size
/// (exactly two pieces, one byte over, a small one in between), in UID
/// order, with the right Message-ID.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_mails_are_fetched_in_pieces_byte_exact() {
    let dc = Dovecot::start();
    let (j, dir) = open_journal();
    let r = start(
        settings(&mailbox_cfg("pieces", dc.port, TlsMode::None)),
        j,
        dir,
    );
    wait_state("pieces", "IDLE").await;
    let mib = 1024 * 1024;
    let mut mails = Vec::new();
    for (i, size) in [2 * mib, 0, 3 * mib + 1].into_iter().enumerate() {
        let mut raw = form_mail(i, "pieces");
        // Distinct, non-repeating bytes so a misplaced piece shows.
        let mut k = 0u32;
        while raw.len() + 2 < size {
            raw.extend_from_slice(format!("{:08x}", k.wrapping_mul(2_654_435_761)).as_bytes());
            k += 1;
            if k.is_multiple_of(9) {
                raw.extend_from_slice(b"\r\n");
            }
        }
        if size > 0 {
            raw.truncate(size - 2);
            raw.extend_from_slice(b"\r\n");
            assert_eq!(raw.len(), size);
        }
        mails.push(raw);
    }
    dc.append_many("INBOX", &mails).await;
    wait_count(&r.journal, 3, Duration::from_secs(30)).await;
    let (j, _dir) = r.shutdown().await;
    for (i, raw) in mails.iter().enumerate() {
        let (id, size): (i64, i64) = j
            .conn()
            .query_row(
                "SELECT id, size FROM mails WHERE message_id = ?1",
                [format!("pieces-{i}@tilda.test")],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(size as usize, raw.len(), "mail {i}");
        let mut back = vec![0u8; raw.len() + 10];
        let mut at = 0;
        loop {
            let n = j.read_mail_at(id, at, &mut back[at..]).unwrap();
            if n == 0 {
                break;
            }
            at += n;
        }
        assert_eq!(at, raw.len(), "mail {i}");
        assert!(back[..at] == raw[..], "mail {i}: bytes differ");
    }
}
