//! Peak memory of the daemon and its parse worker for one big mail (a form
//! whose comment is one 24 MB value, under the 25 MB cap), through real
//! Dovecot, the fake amoCRM and the real binary. Peaks are VmHWM from
//! /proc of both processes (the worker's read while it lives).
//!
//! Run: `cargo bench --bench memory`. Knob: AMO_BENCH_MAIL_MB (24).
//! Last line: `RESULT memory mail_mb=24 daemon_peak_rss_mb=… worker_peak_rss_mb=… total_peak_mb=… bound_mb=…`
//! where bound_mb = 3 × mail + 30 MB (the target: total ≤ bound, and ≤ 105 MB for 24 MB).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::daemon::{Daemon, Setup};
use support::dovecot::Dovecot;
use support::hostile::{self, PeakProbe};
use support::{FakeAmo, FakeOptions};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("memory: skipped (run with `cargo bench --bench memory`)");
        return;
    }
    let mb: usize = std::env::var("AMO_BENCH_MAIL_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let dc = Dovecot::start();
    let fake = FakeAmo::start(FakeOptions::default());
    let setup = Setup::new();
    setup.write_config_with_crm(dc.port, &fake.base_url(), &fake.long_lived_token(), "");
    let d = Daemon::spawn(&setup.config_path());
    d.wait_log("connected", Duration::from_secs(30));
    let pid = d.pid().as_raw() as u32;
    let idle_daemon = hostile::status_mb(pid, "VmRSS:");
    let probe = PeakProbe::start(pid);

    let raw = hostile::single_value("memory-bench", mb);
    let size_mb = raw.len() as f64 / (1024.0 * 1024.0);
    let t0 = Instant::now();
    // AMO_BENCH_TRACE=1: the daemon's RSS over time, to find where it grows.
    if std::env::var("AMO_BENCH_TRACE").is_ok() {
        std::thread::spawn(move || {
            let mut last = 0.0f64;
            while t0.elapsed() < Duration::from_secs(30) {
                let r = hostile::status_mb(pid, "VmRSS:");
                if (r - last).abs() > 2.0 {
                    eprintln!(
                        "trace {:>7.3} s daemon_rss_mb={r:.1}",
                        t0.elapsed().as_secs_f64()
                    );
                    last = r;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
    }
    dc.append("INBOX", &raw).await;
    drop(raw);
    let delivered = fake.wait_until(Duration::from_secs(180), |f| {
        f.requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.starts_with("/api/v4/leads") && r.status == 200)
    });
    assert!(delivered, "the big mail became no lead\n{}", d.log());
    let took = t0.elapsed().as_secs_f64();
    // Let the worker's last reading in (it stays up for `worker_idle`).
    std::thread::sleep(Duration::from_millis(300));
    let (daemon_mb, worker_mb) = probe.peaks();
    let total = daemon_mb + worker_mb;
    println!(
        "mail {size_mb:.1} MB -> lead in {took:.2} s; daemon idle before {idle_daemon:.1} MB; {}",
        fake.summary()
    );
    println!(
        "RESULT memory mail_mb={mb} daemon_peak_rss_mb={daemon_mb:.1} worker_peak_rss_mb={worker_mb:.1} total_peak_mb={total:.1} bound_mb={:.0}",
        3.0 * size_mb + 30.0
    );
}
