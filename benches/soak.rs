//! Soak: a form mail every 50 ms for 10 minutes through real Dovecot, the
//! fake amoCRM and the real daemon; RSS (daemon + parse worker) and the
//! daemon's open file descriptors at the start and the end, and every
//! minute in between, must stay flat.
//!
//! The fake amoCRM and the daemon's limiter are set to 200 requests/s here
//! (amoCRM allows 7): at 20 mails/s a real account could not keep up, and
//! a growing backlog is not what this measures.
//!
//! Run: `cargo bench --bench soak`. Knobs: AMO_SOAK_S (600), AMO_SOAK_GAP_MS (50).
//! Last line: `RESULT soak seconds=… mails=… leads=… rss_start_mb=… rss_end_mb=… fds_start=… fds_end=…`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::daemon::{Daemon, Setup};
use support::dovecot::{self, Dovecot, form_mail};
use support::hostile::{children, lead_posts, open_fds, status_mb};
use support::{FakeAmo, FakeOptions};

fn env_u64(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// RSS of the daemon and its worker (MB), and the daemon's open fds.
fn footprint(pid: u32) -> (f64, usize) {
    let mut rss = status_mb(pid, "VmRSS:");
    for c in children(pid) {
        let r = status_mb(c, "VmRSS:");
        if r.is_finite() {
            rss += r;
        }
    }
    (rss, open_fds(pid))
}

fn leads(fake: &FakeAmo) -> usize {
    lead_posts(fake)
        .iter()
        .map(|r| {
            // A batched create carries several leads.
            serde_json::from_str::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v.as_array().map(Vec::len))
                .unwrap_or(1)
        })
        .sum()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("soak: skipped (run with `cargo bench --bench soak`)");
        return;
    }
    let secs = env_u64("AMO_SOAK_S", 600);
    let gap = Duration::from_millis(env_u64("AMO_SOAK_GAP_MS", 50));
    let dc = Dovecot::start();
    let fake = FakeAmo::start(FakeOptions {
        rate_limit: 200,
        ..FakeOptions::default()
    });
    let setup = Setup::new();
    setup.write_config_with_crm(
        dc.port,
        &fake.base_url(),
        &fake.long_lived_token(),
        "rate_limit = 200.0\n",
    );
    let d = Daemon::spawn(&setup.config_path());
    d.wait_log("connected", Duration::from_secs(30));
    let pid = d.pid().as_raw() as u32;

    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", dc.port))
        .await
        .unwrap();
    let mut c = async_imap::Client::new(tcp);
    c.read_response().await.unwrap();
    let mut s = c
        .login(dovecot::USER, dovecot::PASSWORD)
        .await
        .map_err(|e| e.0)
        .unwrap();
    eprintln!("soak: a mail every {gap:?} for {secs} s…");
    let started = Instant::now();
    let mut sent = 0usize;
    let mut start_fp = None;
    let mut next_report = Duration::from_secs(60);
    while started.elapsed() < Duration::from_secs(secs) {
        let tick = Instant::now();
        s.append("INBOX", None, None, &form_mail(sent, "soak"))
            .await
            .unwrap();
        sent += 1;
        // "Start" is after the first 10 s: the worker is up, caches warm.
        if start_fp.is_none() && started.elapsed() >= Duration::from_secs(10.min(secs / 2)) {
            let fp = footprint(pid);
            eprintln!("soak: start rss_mb={:.1} fds={}", fp.0, fp.1);
            start_fp = Some(fp);
        }
        if started.elapsed() >= next_report {
            let fp = footprint(pid);
            eprintln!(
                "soak: {:>4} s mails={sent} leads={} rss_mb={:.1} fds={}",
                started.elapsed().as_secs(),
                leads(&fake),
                fp.0,
                fp.1
            );
            next_report += Duration::from_secs(60);
        }
        if let Some(rest) = gap.checked_sub(tick.elapsed()) {
            tokio::time::sleep(rest).await;
        }
    }
    let _ = s.logout().await;
    let all = fake.wait_until(Duration::from_secs(120), |f| leads(f) >= sent);
    let end_fp = footprint(pid);
    let (rss0, fds0) = start_fp.unwrap_or(end_fp);
    let got = leads(&fake);
    println!("fake amoCRM: {}", fake.summary());
    println!(
        "RESULT soak seconds={secs} mails={sent} leads={got} rss_start_mb={rss0:.1} rss_end_mb={:.1} fds_start={fds0} fds_end={}",
        end_fp.0, end_fp.1
    );
    assert!(all, "only {got} of {sent} mails became leads");
}
