//! Prometheus `/metrics` on a loopback port (`[metrics] listen`), off by
//! default. Counters live in one process-wide [`Metrics`] ([`global`]) so any
//! stage can count without threading a handle through every API; the daemon
//! serves them with a minimal HTTP/1.0 responder (no extra dependency).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// Counters and gauges. Label maps use a std Mutex: no `.await` is held.
#[derive(Debug, Default)]
pub struct Metrics {
    mails_seen: Mutex<BTreeMap<String, u64>>,
    requests: Mutex<BTreeMap<String, u64>>,
    leads_created: AtomicU64,
    delivery_errors: AtomicU64,
    imap_reconnects: Mutex<BTreeMap<String, u64>>,
    last_sync_ms: Mutex<BTreeMap<String, i64>>,
    mailbox_state: Mutex<BTreeMap<String, String>>,
    sla_waiting: AtomicI64,
    quarantined: AtomicI64,
    sla_breached: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    worker_starts: AtomicU64,
    worker_deaths: AtomicU64,
    /// 1 when the last reload succeeded (or none happened yet), else 0.
    last_reload_ok: AtomicI64,
}

static GLOBAL: OnceLock<Metrics> = OnceLock::new();

/// The process-wide metrics.
pub fn global() -> &'static Metrics {
    GLOBAL.get_or_init(|| {
        let m = Metrics::default();
        m.last_reload_ok.store(1, Ordering::Relaxed);
        m
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl Metrics {
    /// A mail newly journalled from `mailbox`.
    pub fn mail_seen(&self, mailbox: &str) {
        *lock(&self.mails_seen).entry(mailbox.into()).or_default() += 1;
    }
    /// A request parsed with this action ("lead", "trash", "ignore", "review").
    pub fn request(&self, action: &str) {
        *lock(&self.requests).entry(action.into()).or_default() += 1;
    }
    pub fn lead_created(&self) {
        self.leads_created.fetch_add(1, Ordering::Relaxed);
    }
    pub fn delivery_error(&self) {
        self.delivery_errors.fetch_add(1, Ordering::Relaxed);
    }
    /// A parse worker process started (after quiet, a rule change or a crash).
    pub fn worker_started(&self) {
        self.worker_starts.fetch_add(1, Ordering::Relaxed);
    }
    /// A parse worker died or hung on a mail.
    pub fn worker_died(&self) {
        self.worker_deaths.fetch_add(1, Ordering::Relaxed);
    }
    pub fn imap_reconnect(&self, mailbox: &str) {
        *lock(&self.imap_reconnects)
            .entry(mailbox.into())
            .or_default() += 1;
    }
    pub fn synced(&self, mailbox: &str) {
        lock(&self.last_sync_ms).insert(mailbox.into(), crate::journal::now_ms());
    }
    /// What a mailbox task is doing now ("IDLE", "polling", "reconnecting"…),
    /// for the systemd STATUS line.
    pub fn set_mailbox_state(&self, mailbox: &str, state: &str) {
        lock(&self.mailbox_state).insert(mailbox.into(), state.into());
    }
    pub fn mailbox_states(&self) -> Vec<(String, String)> {
        lock(&self.mailbox_state)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    /// SLA gauges, set by the SLA watcher.
    pub fn set_sla(&self, waiting: i64, breached_total: u64) {
        self.sla_waiting.store(waiting, Ordering::Relaxed);
        self.sla_breached.store(breached_total, Ordering::Relaxed);
    }
    pub fn sla_breached(&self) {
        self.sla_breached.fetch_add(1, Ordering::Relaxed);
    }
    /// Quarantined mails and requests now (set by the pipeline).
    pub fn set_quarantined(&self, n: i64) {
        self.quarantined.store(n, Ordering::Relaxed);
    }
    pub fn quarantined(&self) -> i64 {
        self.quarantined.load(Ordering::Relaxed)
    }
    pub fn sla_waiting(&self) -> i64 {
        self.sla_waiting.load(Ordering::Relaxed)
    }
    pub fn reload(&self, ok: bool) {
        if ok {
            self.reloads_ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.reloads_failed.fetch_add(1, Ordering::Relaxed);
        }
        self.last_reload_ok.store(i64::from(ok), Ordering::Relaxed);
    }
    pub fn mails_seen_total(&self) -> u64 {
        lock(&self.mails_seen).values().sum()
    }

    /// Prometheus text exposition format 0.0.4.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let mut labelled =
            |name: &str, help: &str, kind: &str, label: &str, map: Vec<(String, String)>| {
                let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
                for (k, v) in map {
                    let _ = writeln!(o, "{name}{{{label}=\"{}\"}} {v}", escape(&k));
                }
            };
        let m2s = |m: &Mutex<BTreeMap<String, u64>>| {
            lock(m)
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect::<Vec<_>>()
        };
        labelled(
            "amo_intake_mails_seen_total",
            "Mails journalled, by mailbox.",
            "counter",
            "mailbox",
            m2s(&self.mails_seen),
        );
        labelled(
            "amo_intake_requests_total",
            "Requests parsed, by action.",
            "counter",
            "action",
            m2s(&self.requests),
        );
        labelled(
            "amo_intake_imap_reconnects_total",
            "IMAP reconnect attempts, by mailbox.",
            "counter",
            "mailbox",
            m2s(&self.imap_reconnects),
        );
        let syncs = lock(&self.last_sync_ms)
            .iter()
            .map(|(k, v)| (k.clone(), format!("{:.3}", *v as f64 / 1000.0)))
            .collect();
        labelled(
            "amo_intake_imap_last_sync_timestamp_seconds",
            "Unix time of the last successful sync, by mailbox.",
            "gauge",
            "mailbox",
            syncs,
        );
        let mut plain = |name: &str, help: &str, kind: &str, v: String| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        };
        plain(
            "amo_intake_leads_created_total",
            "Leads created in amoCRM.",
            "counter",
            self.leads_created.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_delivery_errors_total",
            "Failed amoCRM delivery attempts.",
            "counter",
            self.delivery_errors.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_parse_worker_starts_total",
            "Parse worker processes started.",
            "counter",
            self.worker_starts.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_parse_worker_deaths_total",
            "Parse workers that died or hung on a mail.",
            "counter",
            self.worker_deaths.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_quarantined",
            "Mails and requests in quarantine now (see `amo-intake status`).",
            "gauge",
            self.quarantined.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_sla_waiting",
            "Requests waiting for a callback now.",
            "gauge",
            self.sla_waiting.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_sla_breached_total",
            "Requests whose callback deadline passed.",
            "counter",
            self.sla_breached.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_reloads_total",
            "Successful config/rules reloads.",
            "counter",
            self.reloads_ok.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_reload_failures_total",
            "Rejected config/rules reloads (old set kept).",
            "counter",
            self.reloads_failed.load(Ordering::Relaxed).to_string(),
        );
        plain(
            "amo_intake_last_reload_ok",
            "1 when the last reload succeeded (or none happened).",
            "gauge",
            self.last_reload_ok.load(Ordering::Relaxed).to_string(),
        );
        o
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("[metrics] listen = {0:?} is not a socket address; write e.g. \"127.0.0.1:9187\"")]
    BadAddress(String),
    #[error(
        "[metrics] listen = {0:?} is not a loopback address; metrics are unauthenticated, so bind 127.0.0.1 or ::1 and put a proxy in front"
    )]
    NotLoopback(String),
    #[error("[metrics] cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Validates `[metrics] listen`: loopback only.
pub fn parse_listen(listen: &str) -> Result<SocketAddr, MetricsError> {
    let addr: SocketAddr = listen
        .trim()
        .parse()
        .map_err(|_| MetricsError::BadAddress(listen.into()))?;
    if !addr.ip().is_loopback() {
        return Err(MetricsError::NotLoopback(listen.into()));
    }
    Ok(addr)
}

/// Binds the listener (so a bad address fails at start, not later).
pub async fn bind(listen: &str) -> Result<tokio::net::TcpListener, MetricsError> {
    let addr = parse_listen(listen)?;
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| MetricsError::Bind { addr, source })
}

/// Serves `GET /metrics` until `shutdown`; anything else is a 404.
pub async fn serve(listener: tokio::net::TcpListener, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((mut sock, _)) = accepted else {
            continue;
        };
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(512);
            let mut chunk = [0u8; 512];
            let read = tokio::time::timeout(std::time::Duration::from_secs(5), async {
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            })
            .await;
            if read.is_err() {
                return;
            }
            let line = buf.split(|b| *b == b'\n').next().unwrap_or_default();
            let line = String::from_utf8_lossy(line);
            let mut parts = line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let resp = if method == "GET" && (path == "/metrics" || path.starts_with("/metrics?")) {
                let body = global().render();
                format!(
                    "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.0 404 Not Found\r\nContent-Length: 10\r\nConnection: close\r\n\r\nnot found\n"
                    .to_string()
            };
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn refuses_non_loopback() {
        assert!(parse_listen("127.0.0.1:9187").is_ok());
        assert!(parse_listen("[::1]:9187").is_ok());
        let e = parse_listen("0.0.0.0:9187").unwrap_err().to_string();
        assert!(e.contains("not a loopback"), "{e}");
        assert!(matches!(
            parse_listen("localhost"),
            Err(MetricsError::BadAddress(_))
        ));
    }

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.mail_seen("sales");
        m.mail_seen("sales");
        m.request("lead");
        m.lead_created();
        m.reload(false);
        m.worker_started();
        m.worker_started();
        m.worker_died();
        let t = m.render();
        assert!(
            t.contains("amo_intake_mails_seen_total{mailbox=\"sales\"} 2\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_requests_total{action=\"lead\"} 1\n"),
            "{t}"
        );
        assert!(t.contains("amo_intake_leads_created_total 1\n"), "{t}");
        assert!(t.contains("amo_intake_last_reload_ok 0\n"), "{t}");
        assert!(
            t.contains("amo_intake_parse_worker_starts_total 2\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_parse_worker_deaths_total 1\n"),
            "{t}"
        );
        assert!(t.contains("# TYPE amo_intake_sla_waiting gauge\n"), "{t}");
    }

    #[tokio::test]
    async fn serves_over_http() {
        let l = bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let stop = CancellationToken::new();
        let h = tokio::spawn(serve(l, stop.clone()));
        global().imap_reconnect("t-serve");
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.0 200 OK"), "{out}");
        assert!(
            out.contains("amo_intake_imap_reconnects_total{mailbox=\"t-serve\"} 1"),
            "{out}"
        );
        stop.cancel();
        h.await.unwrap();
    }
}
