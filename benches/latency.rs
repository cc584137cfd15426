//! APPEND → journal/lead latency of the real daemon against a real Dovecot,
//! next to Dovecot's own IDLE notification delay measured in the same run by
//! a bare IDLE client, plus the daemon's idle RSS and CPU.
//!
//! Idle is measured once the parse worker (a child the daemon starts when
//! mail arrives and that leaves after `[parse] worker_idle`) has exited, and
//! counts the daemon with any children; the `busy:` line shows the peak RSS
//! of the daemon and of the worker while mail flowed.
//!
//! Run: `cargo bench --bench latency` (several minutes). Knobs (env):
//! AMO_BENCH_MAILS (200), AMO_BENCH_INTERVAL_MS (1000), AMO_BENCH_IDLE_S (60),
//! AMO_BENCH_PAD_KB (0: each mail ~0.5 KB; N adds N KB of trailing text).
//! Last line: `RESULT latency p50_ms=… p99_ms=… idle_floor_ms=… idle_rss_mb=… idle_cpu_pct=…`.
//!
//! The measured path ends when the fake amoCRM receives the request that
//! creates the lead (`POST /api/v4/leads/unsorted/forms` or `/leads/complex`);
//! the journal commit of the mail (`journal_p50_ms`) is reported next to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_imap::extensions::idle::IdleResponse;
use support::daemon::{Daemon, Setup};
use support::dovecot::{self, Dovecot, form_mail};
use support::{FakeAmo, FakeOptions};

fn env_u64(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A bare IDLE client: records the wall-clock time of every EXISTS.
async fn idle_floor(port: u16, seen: Arc<Mutex<Vec<(u32, Instant)>>>) {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut c = async_imap::Client::new(tcp);
    c.read_response().await.unwrap();
    let mut s = c
        .login(dovecot::USER, dovecot::PASSWORD)
        .await
        .map_err(|e| e.0)
        .unwrap();
    s.select("INBOX").await.unwrap();
    loop {
        let mut idle = s.idle();
        if idle.init().await.is_err() {
            return;
        }
        let (fut, _stop) = idle.wait_with_timeout(Duration::from_secs(600));
        let Ok(r) = fut.await else { return };
        let t = Instant::now();
        if let IdleResponse::NewData(d) = r {
            let text = String::from_utf8_lossy(d.borrow_owner()).to_string();
            if let Some(n) = text
                .strip_prefix("* ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse::<u32>().ok())
                && text.contains("EXISTS")
            {
                seen.lock().unwrap().push((n, t));
            }
        }
        let Ok(next) = idle.done().await else { return };
        s = next;
    }
}

fn proc_stat(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the ")" of the command name; utime, stime are 14, 15.
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = f.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (rss_kb / 1024.0, ticks)
}

/// Child process ids of `pid` (the parse worker).
fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// RSS (MB) and CPU ticks of `pid` and its children together: the parse
/// worker is part of the daemon's footprint while it runs.
fn tree_stat(pid: u32) -> (f64, f64) {
    let (mut rss, mut ticks) = proc_stat(pid);
    for c in children(pid) {
        let (r, t) = proc_stat(c);
        if r.is_finite() {
            rss += r;
            ticks += t;
        }
    }
    (rss, ticks)
}

fn journal_times(setup: &Setup) -> HashMap<String, f64> {
    let conn = rusqlite::Connection::open_with_flags(
        setup.path("state.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut st = conn
        .prepare("SELECT message_id, received_at FROM mails")
        .unwrap();
    st.query_map([], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
    })
    .unwrap()
    .filter_map(Result::ok)
    .filter_map(|(m, t)| m.map(|m| (m, t as f64)))
    .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo test --all-targets` runs bench targets too: only `cargo bench`
    // (which passes --bench) runs this multi-minute measurement.
    if !std::env::args().any(|a| a == "--bench") {
        println!("latency: skipped (run with `cargo bench --bench latency`)");
        return;
    }
    let n = env_u64("AMO_BENCH_MAILS", 200) as usize;
    let gap = Duration::from_millis(env_u64("AMO_BENCH_INTERVAL_MS", 1000));
    let idle_s = env_u64("AMO_BENCH_IDLE_S", 60);
    let pad_kb = env_u64("AMO_BENCH_PAD_KB", 0) as usize;

    let dc = Dovecot::start();
    let fake = FakeAmo::start(FakeOptions::default());
    let setup = Setup::new();
    support::write_secret(&setup.path("amocrm-token"), &fake.long_lived_token());
    let crm = format!(
        "base_url = \"{}\"\ntoken_file = \"{}\"\n",
        fake.base_url(),
        setup.path("amocrm-token").display()
    );
    let text = setup
        .config_text(dc.port, "")
        .replace("[amocrm]\ndry_run = true\n", &format!("[amocrm]\n{crm}"));
    setup.write_config(&text);
    let d = Daemon::spawn(&setup.config_path());
    d.wait_log("connected", Duration::from_secs(30));
    let seen = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(idle_floor(dc.port, seen.clone()));
    // Peak RSS of the daemon and of its parse worker while mail flows.
    let busy = Arc::new(Mutex::new((0.0f64, 0.0f64)));
    let sampler = {
        let busy = busy.clone();
        let pid = d.pid().as_raw() as u32;
        tokio::spawn(async move {
            loop {
                let own = proc_stat(pid).0;
                let workers: f64 = children(pid)
                    .into_iter()
                    .map(|c| proc_stat(c).0)
                    .filter(|r| r.is_finite())
                    .sum();
                {
                    let mut b = busy.lock().unwrap();
                    b.0 = b.0.max(own);
                    b.1 = b.1.max(workers);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;

    // One APPEND connection for the whole run (as an MTA would keep one).
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
    let mut appended = Vec::with_capacity(n);
    eprintln!("appending {n} mails, one every {gap:?}…");
    for i in 0..n {
        let tick = Instant::now();
        let mut raw = form_mail(i, "bench");
        // AMO_BENCH_PAD_KB: a signature/disclaimer block to make mails the
        // size of real HTML notifications (journal and page-cache growth).
        for line in 0..pad_kb * 16 {
            raw.extend_from_slice(format!("-- {line:05} {}\r\n", "x".repeat(54)).as_bytes());
        }
        s.append("INBOX", None, None, &raw).await.unwrap();
        appended.push((format!("bench-{i}@tilda.test"), now_ms(), Instant::now()));
        if let Some(rest) = gap.checked_sub(tick.elapsed()) {
            tokio::time::sleep(rest).await;
        }
    }
    let _ = s.logout().await;
    setup.wait_journalled(n as i64, Duration::from_secs(60));

    let lead_paths = ["/api/v4/leads/unsorted/forms", "/api/v4/leads/complex"];
    let is_lead = |r: &support::fake_amocrm::RecordedRequest| {
        r.method == "POST"
            && lead_paths.iter().any(|p| r.path == *p)
            && (200..300).contains(&r.status)
    };
    fake.wait_until(Duration::from_secs(60), |f| {
        f.requests().iter().filter(|r| is_lead(r)).count() >= n
    });
    let mut lead_at: Vec<Instant> = fake
        .requests()
        .iter()
        .filter(|r| is_lead(r))
        .map(|r| r.at)
        .collect();
    lead_at.sort();
    // Mails are 1 s apart and each is delivered before the next arrives, so
    // the k-th lead belongs to the k-th mail.
    let mut lat: Vec<f64> = appended
        .iter()
        .zip(lead_at.iter())
        .map(|((_, _, t0), t)| t.saturating_duration_since(*t0).as_secs_f64() * 1000.0)
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));

    let times = journal_times(&setup);
    let mut jlat: Vec<f64> = appended
        .iter()
        .filter_map(|(id, t0, _)| times.get(id).map(|t| (t - t0).max(0.0)))
        .collect();
    jlat.sort_by(|a, b| a.total_cmp(b));
    // EXISTS n belongs to the n-th mail (fresh INBOX, nothing expunged).
    let exists: HashMap<u32, Instant> = seen.lock().unwrap().iter().copied().collect();
    let mut floor: Vec<f64> = appended
        .iter()
        .enumerate()
        .filter_map(|(i, (_, _, t0))| {
            exists
                .get(&(i as u32 + 1))
                .map(|t| t.saturating_duration_since(*t0).as_secs_f64() * 1000.0)
        })
        .collect();
    floor.sort_by(|a, b| a.total_cmp(b));

    sampler.abort();
    let (busy_daemon, busy_worker) = *busy.lock().unwrap();
    // Idle starts when the parse worker has left ([parse] worker_idle, 10 s
    // by default); its RSS still counts (with the daemon's) if it is back.
    let pid = d.pid().as_raw() as u32;
    let quiet = Instant::now();
    while !children(pid).is_empty() && quiet.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let worker_left_s = quiet.elapsed().as_secs_f64();
    eprintln!("idle: measuring daemon RSS and CPU for {idle_s} s…");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, t_start) = tree_stat(pid);
    let started = Instant::now();
    let mut rss_max: f64 = 0.0;
    while started.elapsed() < Duration::from_secs(idle_s) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss_max = rss_max.max(tree_stat(pid).0);
    }
    let (_, t_end) = tree_stat(pid);
    let clk_tck = 100.0; // Linux USER_HZ
    let cpu_pct = (t_end - t_start) / clk_tck / started.elapsed().as_secs_f64() * 100.0;

    println!(
        "mails={} leads={} journalled={} floor_samples={} lead_max_ms={:.1} journal_p50_ms={:.1} journal_p99_ms={:.1} floor_p99_ms={:.1}",
        n,
        lat.len(),
        jlat.len(),
        floor.len(),
        lat.last().copied().unwrap_or(f64::NAN),
        pct(&jlat, 0.5),
        pct(&jlat, 0.99),
        pct(&floor, 0.99)
    );
    println!("fake amoCRM: {}", fake.summary());
    println!(
        "busy: daemon_peak_rss_mb={busy_daemon:.1} worker_peak_rss_mb={busy_worker:.1} worker_left_after_s={worker_left_s:.1}"
    );
    println!(
        "RESULT latency p50_ms={:.1} p99_ms={:.1} idle_floor_ms={:.1} idle_rss_mb={:.1} idle_cpu_pct={:.3} mails={}",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        pct(&floor, 0.5),
        rss_max,
        cpu_pct,
        lat.len()
    );
    drop(d);
}
