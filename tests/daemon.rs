//! `amo-intake run` as a real process: signals, exit codes, reload.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use support::daemon::{Daemon, Setup};
use support::dovecot::{Dovecot, form_mail};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

const START: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_logs_out_and_exits_within_10s() {
    let dc = Dovecot::start();
    let setup = Setup::new();
    let mport = free_port();
    setup.write_config(&setup.config_text(
        dc.port,
        &format!("[metrics]\nlisten = \"127.0.0.1:{mport}\"\n"),
    ));
    let mut d = Daemon::spawn(&setup.config_path());
    d.wait_log("ready", START);
    d.wait_log("connected", START);
    tokio::time::sleep(Duration::from_millis(300)).await;
    dc.append("INBOX", &form_mail(1, "term")).await;
    setup.wait_journalled(1, Duration::from_secs(5));
    let m = http_get(mport, "/metrics");
    assert!(
        m.contains("amo_intake_mails_seen_total{mailbox=\"sales\"} 1"),
        "{m}"
    );
    // OpenMetrics from the Prometheus client, with the state-file gauges
    // read from the journal at scrape time.
    assert!(
        m.contains("Content-Type: application/openmetrics-text"),
        "{m}"
    );
    assert!(m.contains("\namo_intake_quarantined_mails 0\n"), "{m}");
    assert!(m.contains("\namo_intake_outbox_backlog "), "{m}");
    assert!(
        m.contains("\namo_intake_imap_oldest_sync_age_seconds "),
        "{m}"
    );
    assert!(m.ends_with("# EOF\n"), "{m}");
    assert!(http_get(mport, "/other").starts_with("HTTP/1.0 404"));
    let t = Instant::now();
    d.signal(Signal::SIGTERM);
    let st = d
        .wait_exit(Duration::from_secs(10))
        .expect("exits within 10 s");
    eprintln!("SIGTERM -> exit in {:?}", t.elapsed());
    assert!(st.success(), "exit status {st:?}\n{}", d.log());
    assert_eq!(d.count_log("logging out"), 1, "{}", d.log());
    assert_eq!(d.count_log("stopped"), 2, "{}", d.log()); // watcher + daemon
}

#[test]
fn bad_config_at_start_exits_78_with_location() {
    let setup = Setup::new();
    setup.write_config("[state]\npath = \"/tmp/x.db\"\nbogus = 1\n");
    let mut d = Daemon::spawn(&setup.config_path());
    let st = d.wait_exit(Duration::from_secs(10)).expect("exits");
    assert_eq!(st.code(), Some(78), "{}", d.log());
    let want = format!("{}:3:1:", setup.config_path().display());
    assert_eq!(d.count_log(&want), 1, "{}", d.log());
}

#[test]
fn plaintext_to_remote_host_exits_78_naming_the_fix() {
    let setup = Setup::new();
    let text = setup
        .config_text(143, "")
        .replace("host = \"127.0.0.1\"", "host = \"192.0.2.10\"");
    setup.write_config(&text);
    let mut d = Daemon::spawn(&setup.config_path());
    let st = d.wait_exit(Duration::from_secs(10)).expect("exits");
    assert_eq!(st.code(), Some(78), "{}", d.log());
    let log = d.log();
    assert!(
        log.contains("mailbox \"sales\": plaintext IMAP to 192.0.2.10 refused"),
        "{log}"
    );
    assert!(log.contains("insecure_plaintext = true"), "{log}");
    assert_eq!(d.count_log("connecting"), 0, "{log}");
}

#[test]
fn missing_password_file_exits_78() {
    let setup = Setup::new();
    std::fs::remove_file(setup.path("imap-password")).unwrap();
    setup.write_config(&setup.config_text(143, ""));
    let mut d = Daemon::spawn(&setup.config_path());
    let st = d.wait_exit(Duration::from_secs(10)).expect("exits");
    assert_eq!(st.code(), Some(78), "{}", d.log());
    assert!(d.log().contains("imap-password"), "{}", d.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_with_a_broken_config_keeps_the_old_one() {
    let dc = Dovecot::start();
    let setup = Setup::new();
    let good = setup.config_text(dc.port, "");
    setup.write_config(&good);
    let mut d = Daemon::spawn(&setup.config_path());
    d.wait_log("ready", START);
    d.wait_log("connected", START);
    // Line 3 gets an unknown key.
    setup.write_config(&good.replacen("tls = \"none\"", "tls = \"none\"\nbogus = 1", 1));
    d.signal(Signal::SIGHUP);
    d.wait_log("reload rejected", Duration::from_secs(10));
    let loc = format!("{}:6:1:", setup.config_path().display());
    assert_eq!(d.count_log(&loc), 1, "{}", d.log());
    assert_eq!(d.count_log("reload ok"), 0);
    // Intake goes on with the old config.
    dc.append("INBOX", &form_mail(1, "hup")).await;
    setup.wait_journalled(1, Duration::from_secs(5));
    // A fixed config reloads, and the mailbox task restarts with it.
    setup.write_config(&good.replace("name = \"sales\"", "name = \"sales2\""));
    d.signal(Signal::SIGHUP);
    d.wait_log("reload ok", Duration::from_secs(10));
    d.wait_log_n("connected", 2, Duration::from_secs(10));
    d.signal(Signal::SIGTERM);
    assert!(
        d.wait_exit(Duration::from_secs(10))
            .expect("exits")
            .success()
    );
    assert_eq!(setup.journalled(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_with_a_broken_rule_keeps_the_old_rules() {
    let dc = Dovecot::start();
    let setup = Setup::new();
    setup.write_config(&setup.config_text(dc.port, ""));
    let mut d = Daemon::spawn(&setup.config_path());
    d.wait_log("ready", START);
    d.wait_log("connected", START);
    let bad = setup.path("rules/broken.toml");
    std::fs::write(&bad, "name = \"broken\"\nmatch = [unclosed\n").unwrap();
    d.signal(Signal::SIGHUP);
    d.wait_log("reload rejected", Duration::from_secs(10));
    let loc = format!("{}:", bad.display());
    assert!(d.count_log(&loc) >= 1, "{}", d.log());
    assert_eq!(d.count_log("reload ok"), 0);
    dc.append("INBOX", &form_mail(1, "rule")).await;
    setup.wait_journalled(1, Duration::from_secs(5));
    std::fs::remove_file(&bad).unwrap();
    d.signal(Signal::SIGHUP);
    d.wait_log("reload ok", Duration::from_secs(10));
    d.signal(Signal::SIGTERM);
    assert!(
        d.wait_exit(Duration::from_secs(10))
            .expect("exits")
            .success()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_restart_processes_none_twice_and_misses_none() {
    let dc = Dovecot::start();
    let setup = Setup::new();
    setup.write_config(&setup.config_text(dc.port, ""));
    let mut d = Daemon::spawn(&setup.config_path());
    d.wait_log("connected", START);
    tokio::time::sleep(Duration::from_millis(300)).await;
    dc.append_many(
        "INBOX",
        &(0..3).map(|n| form_mail(n, "a")).collect::<Vec<_>>(),
    )
    .await;
    setup.wait_journalled(3, Duration::from_secs(5));
    d.signal(Signal::SIGTERM);
    assert!(
        d.wait_exit(Duration::from_secs(10))
            .expect("exits")
            .success()
    );
    dc.append_many(
        "INBOX",
        &(0..4).map(|n| form_mail(n, "b")).collect::<Vec<_>>(),
    )
    .await;
    let d2 = Daemon::spawn(&setup.config_path());
    d2.wait_log("connected", START);
    setup.wait_journalled(7, Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(setup.journalled(), 7);
    assert_eq!(setup.distinct_message_ids(), 7);
    assert_eq!(d2.count_log("mail journalled"), 4, "{}", d2.log());
}

#[test]
fn example_config_passes_check() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(["check", "--config", &format!("{root}/examples/config.toml")])
        .args(["--rules", &format!("{root}/rules")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_folder_watch_reloads_without_a_signal() {
    let dc = Dovecot::start();
    let setup = Setup::new();
    let text = setup
        .config_text(dc.port, "")
        .replace("dir = ", "watch = true\ndir = ");
    setup.write_config(&text);
    let mut d = Daemon::spawn(&setup.config_path());
    d.wait_log("ready", START);
    d.wait_log("watching the rules folder", START);
    // Editor temp files are ignored; a broken *.toml is rejected.
    std::fs::write(setup.path("rules/.tilda.toml.swp"), "junk").unwrap();
    std::fs::write(setup.path("rules/broken.toml"), "name = [\n").unwrap();
    d.wait_log("reload rejected", Duration::from_secs(10));
    assert_eq!(d.count_log("rules folder changed"), 1, "{}", d.log());
    let loc = format!("{}:", setup.path("rules/broken.toml").display());
    assert!(d.count_log(&loc) >= 1, "{}", d.log());
    assert!(!d.log().contains(".tilda.toml.swp:"), "{}", d.log());
    std::fs::remove_file(setup.path("rules/broken.toml")).unwrap();
    d.wait_log("reload ok", Duration::from_secs(10));
    d.signal(Signal::SIGTERM);
    assert!(
        d.wait_exit(Duration::from_secs(10))
            .expect("exits")
            .success()
    );
}

/// (message id, state, error) of every journalled mail.
fn mail_states(setup: &Setup) -> Vec<(String, String, Option<String>)> {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        setup.path("state.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return Vec::new();
    };
    let Ok(mut st) = conn.prepare("SELECT message_id, state, error FROM mails ORDER BY id") else {
        return Vec::new();
    };
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

fn children(pid: i32) -> Vec<String> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_that_kills_the_parser_is_quarantined_and_the_daemon_goes_on() {
    let dc = Dovecot::start();
    let setup = Setup::new();
    let mport = free_port();
    setup.write_config(&setup.config_text(
        dc.port,
        &format!("\n[parse]\nworker_idle = \"1s\"\n\n[metrics]\nlisten = \"127.0.0.1:{mport}\"\n"),
    ));
    let mut d = Daemon::spawn_env(
        &setup.config_path(),
        &[("AMO_INTAKE_FAILPOINTS", "parse_abort")],
    );
    d.wait_log("connected", START);
    let crash = String::from_utf8(form_mail(0, "crash"))
        .unwrap()
        .replacen(
            "MIME-Version",
            "X-Amo-Intake-Failpoint: parse_abort\r\nMIME-Version",
            1,
        )
        .into_bytes();
    dc.append_many("INBOX", &[crash, form_mail(1, "ok")]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let states = loop {
        let s = mail_states(&setup);
        if s.len() == 2 && s.iter().all(|(_, state, _)| state != "seen") {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "not processed: {s:?}\n{}",
            d.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let crashed = states.iter().find(|s| s.0.starts_with("crash-")).unwrap();
    assert_eq!(crashed.1, "quarantined", "{states:?}");
    let why = crashed.2.as_deref().unwrap_or("");
    assert!(why.contains("died on this mail twice"), "{why}");
    assert!(why.contains("signal 6"), "{why}");
    let ok = states.iter().find(|s| s.0.starts_with("ok-")).unwrap();
    assert_ne!(ok.1, "quarantined", "{states:?}");
    assert_eq!(d.count_log("mail quarantined"), 1, "{}", d.log());
    assert!(
        d.wait_exit(Duration::from_millis(200)).is_none(),
        "the daemon survives a parser crash"
    );
    let m = http_get(mport, "/metrics");
    assert!(
        m.contains("amo_intake_parse_worker_deaths_total 2\n"),
        "{m}"
    );
    // The first worker, its replacement after the crash, and the one for the
    // other mail after the second crash.
    assert!(
        m.contains("amo_intake_parse_worker_starts_total 3\n"),
        "{m}"
    );
    // The worker leaves after `worker_idle`; the daemon waits alone.
    let pid = d.pid().as_raw();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !children(pid).is_empty() {
        assert!(Instant::now() < deadline, "worker still running");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
