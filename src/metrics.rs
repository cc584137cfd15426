//! Prometheus `/metrics` on a loopback port (`[metrics] listen`), off by
//! default. Built on the `prometheus-client` crate (the Prometheus project's
//! Rust client): it owns the exposition format (OpenMetrics text), escaping
//! and histogram buckets. One process-wide [`Metrics`] ([`global`]) lets any
//! stage count without threading a handle through every API. Gauges that are
//! facts of the state file (outbox backlog, quarantined items, waiting SLA
//! rows) are read from the journal at scrape time ([`Metrics::refresh`]), so
//! they are right after a restart too. The metric names are a contract
//! (dashboards and `contrib/prometheus/alerts.yml` use them): add, never rename.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, OnceLock};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use crate::journal::Journal;

/// One label, e.g. `mailbox="sales"`.
type Label = [(&'static str, String); 1];

/// Buckets of the mail→lead histogram, in seconds: a healthy daemon creates
/// a lead about a second after the mail arrives; minutes mean amoCRM or the
/// mailbox was down.
const LEAD_BUCKETS: [f64; 12] = [
    0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 86400.0,
];
/// Buckets of the callback histogram, in seconds: the sales rule is
/// 10 minutes of working time.
const CALLBACK_BUCKETS: [f64; 12] = [
    60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0,
];

/// The daemon's metrics. Everything is registered once in [`Metrics::new`].
pub struct Metrics {
    registry: Registry,
    mails_seen: Family<Label, Counter>,
    requests: Family<Label, Counter>,
    leads_created: Counter,
    delivery_errors: Counter,
    imap_reconnects: Family<Label, Counter>,
    last_sync: Family<Label, Gauge<f64, AtomicU64>>,
    oldest_sync_age: Gauge<f64, AtomicU64>,
    sla_waiting: Gauge,
    sla_breached: Counter,
    reloads_ok: Counter,
    reloads_failed: Counter,
    last_reload_ok: Gauge,
    worker_starts: Counter,
    worker_deaths: Counter,
    mail_to_lead: Histogram,
    callback_response: Histogram,
    outbox: Family<Label, Gauge>,
    outbox_backlog: Gauge,
    quarantined_requests: Gauge,
    quarantined_mails: Gauge,
    /// Mailbox → (watched since, last successful sync), unix ms.
    syncs: Mutex<BTreeMap<String, (i64, Option<i64>)>>,
    /// What each mailbox task is doing now, for the systemd STATUS line.
    mailbox_state: Mutex<BTreeMap<String, String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

static GLOBAL: OnceLock<Metrics> = OnceLock::new();

/// The process-wide metrics.
pub fn global() -> &'static Metrics {
    GLOBAL.get_or_init(Metrics::new)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn label(name: &'static str, value: &str) -> Label {
    [(name, value.to_string())]
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut r = Registry::with_prefix("amo_intake");
        let m = Metrics {
            mails_seen: Family::default(),
            requests: Family::default(),
            leads_created: Counter::default(),
            delivery_errors: Counter::default(),
            imap_reconnects: Family::default(),
            last_sync: Family::default(),
            oldest_sync_age: Gauge::default(),
            sla_waiting: Gauge::default(),
            sla_breached: Counter::default(),
            reloads_ok: Counter::default(),
            reloads_failed: Counter::default(),
            last_reload_ok: Gauge::default(),
            worker_starts: Counter::default(),
            worker_deaths: Counter::default(),
            mail_to_lead: Histogram::new(LEAD_BUCKETS),
            callback_response: Histogram::new(CALLBACK_BUCKETS),
            outbox: Family::default(),
            outbox_backlog: Gauge::default(),
            quarantined_requests: Gauge::default(),
            quarantined_mails: Gauge::default(),
            syncs: Mutex::default(),
            mailbox_state: Mutex::default(),
            registry: Registry::default(),
        };
        // Counters get `_total` from the library.
        r.register(
            "mails_seen",
            "Mails journalled, by mailbox.",
            m.mails_seen.clone(),
        );
        r.register(
            "requests",
            "Requests parsed, by action.",
            m.requests.clone(),
        );
        r.register(
            "leads_created",
            "Leads created in amoCRM.",
            m.leads_created.clone(),
        );
        r.register(
            "delivery_errors",
            "Failed amoCRM delivery attempts.",
            m.delivery_errors.clone(),
        );
        r.register(
            "imap_reconnects",
            "IMAP reconnect attempts, by mailbox.",
            m.imap_reconnects.clone(),
        );
        r.register(
            "imap_last_sync_timestamp_seconds",
            "Unix time of the last successful sync, by mailbox.",
            m.last_sync.clone(),
        );
        r.register(
            "imap_oldest_sync_age_seconds",
            "Seconds since the least recently synced mailbox last synced (since the daemon started watching it, if never).",
            m.oldest_sync_age.clone(),
        );
        r.register(
            "sla_waiting",
            "Requests waiting for a callback now.",
            m.sla_waiting.clone(),
        );
        r.register(
            "sla_breached",
            "Requests whose callback deadline passed.",
            m.sla_breached.clone(),
        );
        r.register(
            "reloads",
            "Successful config/rules reloads.",
            m.reloads_ok.clone(),
        );
        r.register(
            "reload_failures",
            "Rejected config/rules reloads (old set kept).",
            m.reloads_failed.clone(),
        );
        r.register(
            "last_reload_ok",
            "1 when the last reload succeeded (or none happened).",
            m.last_reload_ok.clone(),
        );
        r.register(
            "parse_worker_starts",
            "Parse worker processes started.",
            m.worker_starts.clone(),
        );
        r.register(
            "parse_worker_deaths",
            "Parse workers that died or hung on a mail.",
            m.worker_deaths.clone(),
        );
        r.register(
            "mail_to_lead_seconds",
            "From the mail's arrival (IMAP INTERNALDATE, else when it was journalled) to its lead created in amoCRM.",
            m.mail_to_lead.clone(),
        );
        r.register(
            "callback_response_seconds",
            "From a request's arrival to the first evidence that a manager reacted (wall-clock time).",
            m.callback_response.clone(),
        );
        r.register(
            "outbox",
            "Requests in the delivery outbox, by state.",
            m.outbox.clone(),
        );
        r.register(
            "outbox_backlog",
            "Requests not yet fully delivered (queued, sending, sent or noted).",
            m.outbox_backlog.clone(),
        );
        r.register(
            "quarantined_requests",
            "Requests amoCRM refused, kept with the reason (see `amo-intake status`).",
            m.quarantined_requests.clone(),
        );
        r.register(
            "quarantined_mails",
            "Mails set aside with a reason (parser crashes and refused requests).",
            m.quarantined_mails.clone(),
        );
        m.last_reload_ok.set(1);
        Metrics { registry: r, ..m }
    }

    /// A mail newly journalled from `mailbox`.
    pub fn mail_seen(&self, mailbox: &str) {
        self.mails_seen
            .get_or_create(&label("mailbox", mailbox))
            .inc();
    }
    /// A request parsed with this action ("lead", "trash", "ignore", "review").
    pub fn request(&self, action: &str) {
        self.requests.get_or_create(&label("action", action)).inc();
    }
    /// A lead created in amoCRM; `latency_s` = seconds since its mail arrived.
    pub fn lead_created(&self, latency_s: Option<f64>) {
        self.leads_created.inc();
        if let Some(s) = latency_s {
            self.mail_to_lead.observe(s.max(0.0));
        }
    }
    pub fn delivery_error(&self) {
        self.delivery_errors.inc();
    }
    /// A parse worker process started (after quiet, a rule change or a crash).
    pub fn worker_started(&self) {
        self.worker_starts.inc();
    }
    /// A parse worker died or hung on a mail.
    pub fn worker_died(&self) {
        self.worker_deaths.inc();
    }
    pub fn imap_reconnect(&self, mailbox: &str) {
        self.imap_reconnects
            .get_or_create(&label("mailbox", mailbox))
            .inc();
    }
    /// The daemon watches `mailbox` from now on (its sync age counts from here
    /// until its first successful sync).
    pub fn watch_mailbox(&self, mailbox: &str) {
        let now = crate::journal::now_ms();
        lock(&self.syncs)
            .entry(mailbox.into())
            .or_insert((now, None));
    }
    pub fn synced(&self, mailbox: &str) {
        let now = crate::journal::now_ms();
        lock(&self.syncs)
            .entry(mailbox.into())
            .or_insert((now, None))
            .1 = Some(now);
        self.last_sync
            .get_or_create(&label("mailbox", mailbox))
            .set(now as f64 / 1000.0);
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
        self.sla_waiting.set(waiting);
        let now = self.sla_breached.get();
        if breached_total > now {
            self.sla_breached.inc_by(breached_total - now);
        }
    }
    pub fn sla_breached(&self) {
        self.sla_breached.inc();
    }
    /// Quarantined mails and requests as of the last [`Metrics::refresh`].
    pub fn quarantined(&self) -> i64 {
        self.quarantined_requests.get() + self.quarantined_mails.get()
    }
    pub fn sla_waiting(&self) -> i64 {
        self.sla_waiting.get()
    }
    /// A manager reacted `seconds` after the request arrived.
    pub fn callback_answered(&self, seconds: f64) {
        self.callback_response.observe(seconds.max(0.0));
    }
    pub fn reload(&self, ok: bool) {
        if ok {
            self.reloads_ok.inc();
        } else {
            self.reloads_failed.inc();
        }
        self.last_reload_ok.set(i64::from(ok));
    }
    /// Sets the gauges that are facts of the state file. A failed read
    /// leaves the previous values (and is logged).
    pub fn refresh(&self, journal: &Journal) {
        match journal.outbox_counts() {
            Ok(counts) => {
                let mut backlog = 0;
                let mut quarantined = 0;
                self.outbox.clear();
                for (state, n) in counts {
                    match state.as_str() {
                        "queued" | "sending" | "sent" | "noted" => backlog += n,
                        "quarantined" => quarantined += n,
                        _ => {}
                    }
                    self.outbox.get_or_create(&[("state", state)]).set(n);
                }
                self.outbox_backlog.set(backlog);
                self.quarantined_requests.set(quarantined);
            }
            Err(e) => tracing::warn!(error = %e, "metrics: cannot read the outbox"),
        }
        match journal.count_mails(Some("quarantined")) {
            Ok(n) => {
                self.quarantined_mails.set(n);
            }
            Err(e) => tracing::warn!(error = %e, "metrics: cannot count quarantined mails"),
        }
    }

    /// The exposition (OpenMetrics text, which Prometheus reads).
    pub fn render(&self) -> String {
        let now = crate::journal::now_ms();
        let oldest = lock(&self.syncs)
            .values()
            .map(|(since, last)| now - last.unwrap_or(*since))
            .max()
            .unwrap_or(0);
        self.oldest_sync_age.set(oldest.max(0) as f64 / 1000.0);
        let mut o = String::new();
        if let Err(e) = encode(&mut o, &self.registry) {
            tracing::warn!(error = %e, "metrics: cannot encode");
        }
        o
    }
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

/// Content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serves `GET /metrics` until `shutdown`; anything else is a 404. With a
/// journal, the state-file gauges are refreshed at each scrape.
pub async fn serve(
    listener: tokio::net::TcpListener,
    journal: Option<Arc<Journal>>,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((mut sock, _)) = accepted else {
            continue;
        };
        let journal = journal.clone();
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
                if let Some(j) = journal {
                    let _ = tokio::task::spawn_blocking(move || global().refresh(&j)).await;
                }
                let body = global().render();
                format!(
                    "HTTP/1.0 200 OK\r\nContent-Type: {CONTENT_TYPE}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
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
        m.lead_created(Some(0.7));
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

    #[test]
    fn latency_histograms_count_and_bucket() {
        let m = Metrics::new();
        m.lead_created(Some(0.7));
        m.lead_created(Some(4.0));
        m.lead_created(None); // no mail (e.g. a request without one): counted, not timed
        m.callback_answered(420.0);
        let t = m.render();
        assert!(t.contains("amo_intake_leads_created_total 3\n"), "{t}");
        assert!(
            t.contains("# TYPE amo_intake_mail_to_lead_seconds histogram\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_mail_to_lead_seconds_count 2\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_mail_to_lead_seconds_bucket{le=\"1.0\"} 1\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_mail_to_lead_seconds_bucket{le=\"5.0\"} 2\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_callback_response_seconds_bucket{le=\"300.0\"} 0\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_callback_response_seconds_bucket{le=\"600.0\"} 1\n"),
            "{t}"
        );
        assert!(t.ends_with("# EOF\n"), "{t}");
    }

    #[test]
    fn state_file_gauges_come_from_the_journal() {
        use crate::journal::outbox::NewRequest;
        use crate::request::{Action, Request};
        use crate::rules::CrmSpec;
        let j = Journal::in_memory().unwrap();
        let spec = CrmSpec::default();
        let mut ids = Vec::new();
        for key in ["k1", "k2", "k3"] {
            let r = Request {
                action: Action::Lead,
                ..Request::default()
            };
            let row = j
                .enqueue_request(&NewRequest {
                    mail_id: None,
                    key,
                    request: &r,
                    spec: &spec,
                    rule_set: "v",
                    received_at_ms: 0,
                    deadline_ms: None,
                })
                .unwrap();
            ids.push(row.request_id);
        }
        j.quarantine_outbox(ids[0], "amoCRM: bad field").unwrap();
        let m = Metrics::new();
        m.refresh(&j);
        let t = m.render();
        assert!(t.contains("amo_intake_outbox_backlog 2\n"), "{t}");
        assert!(t.contains("amo_intake_quarantined_requests 1\n"), "{t}");
        assert!(t.contains("amo_intake_outbox{state=\"queued\"} 2\n"), "{t}");
        assert!(t.contains("amo_intake_quarantined_mails 0\n"), "{t}");
    }

    #[test]
    fn oldest_sync_age_counts_a_mailbox_that_never_synced() {
        let m = Metrics::new();
        m.watch_mailbox("never");
        m.synced("fresh");
        let t = m.render();
        assert!(
            t.contains("# TYPE amo_intake_imap_oldest_sync_age_seconds gauge\n"),
            "{t}"
        );
        assert!(
            t.contains("amo_intake_imap_last_sync_timestamp_seconds{mailbox=\"fresh\"}"),
            "{t}"
        );
        // Overwrite the start of watching to an hour ago: the age follows it.
        lock(&m.syncs).insert("never".into(), (crate::journal::now_ms() - 3_600_000, None));
        let t = m.render();
        let age: f64 = t
            .lines()
            .find_map(|l| l.strip_prefix("amo_intake_imap_oldest_sync_age_seconds "))
            .unwrap()
            .parse()
            .unwrap();
        assert!((3599.0..3700.0).contains(&age), "{age}");
    }

    /// `promtool check metrics` (the Prometheus project's linter for names,
    /// units and help texts) accepts the exposition; skipped with a notice
    /// where promtool is not installed (scripts/test installs it).
    #[test]
    fn promtool_accepts_the_exposition() {
        use std::io::Write as _;
        let m = Metrics::new();
        m.mail_seen("sales");
        m.request("lead");
        m.lead_created(Some(1.0));
        m.callback_answered(60.0);
        m.synced("sales");
        let child = std::process::Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED promtool_accepts_the_exposition: promtool not installed"
            );
            return;
        };
        let text = m.render();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        // promtool reads the classic text format, where a counter's HELP
        // names the `_total` series; OpenMetrics names the family instead.
        // That one difference is allowed when the family has its HELP.
        let report = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let problems: Vec<&str> = report
            .lines()
            .filter(|l| {
                let family = l
                    .strip_suffix("_total no help text")
                    .map(|f| format!("# HELP {f} "));
                !family.is_some_and(|h| text.contains(&h))
            })
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(problems.is_empty(), "{report}");
    }

    #[tokio::test]
    async fn serves_over_http() {
        let l = bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let stop = CancellationToken::new();
        let h = tokio::spawn(serve(l, None, stop.clone()));
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
