//! Parsing in a child process (`amo-intake parse-worker`).
//!
//! Why: the phone-number metadata and its regexes, the rule matchers and the
//! MIME parser's working memory are most of the daemon's footprint, yet they
//! are needed only in the seconds when mail arrives. The worker holds them
//! and exits after `[parse] worker_idle` of quiet, so the daemon waits small
//! (glibc does not give a freed table back to the system; an exited process
//! does). And a parser failure that `catch_unwind` cannot stop (an abort, a
//! stack overflow, an OOM kill) ends the worker, not the daemon: the mail is
//! retried once in a fresh worker, then quarantined.
//!
//! Protocol on the child's stdin/stdout, in frames of a big-endian `u32`
//! length and a body: the daemon sends [`Init`] (JSON: the rule set's
//! validated texts and the parse options) and the worker answers [`Hello`];
//! then each mail's raw bytes, answered by a [`Reply`] (JSON). The worker
//! exits at end of input, so it never outlives the daemon.

use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;

use crate::crm::failpoint;
use crate::journal::Journal;
use crate::journal::outbox::SeenMail;
use crate::mail::letter::{Letter, SNIFF_BYTES};
use crate::request::Request;
use crate::rules::{ParseOptions, RuleSet};

/// Largest reply accepted from a worker: a request is bounded
/// ([`Request::bound`]: about 1.5 MB at most), so anything near this is a
/// broken worker.
const MAX_REPLY: u32 = 64 * 1024 * 1024;
/// The worker's memory budget above what it maps at start: room for the
/// mail, its decoded parts (attachments included) and the capped texts,
/// with a margin: 164 MB for the default 25 MB cap, so the worker and the
/// daemon stay under the unit's `MemoryMax=256M`. A mail that needs more
/// kills the worker (then it is quarantined), not the daemon or the host.
pub fn worker_budget(max_mail_bytes: usize) -> u64 {
    64 * 1024 * 1024 + 4 * max_mail_bytes as u64
}
/// A worker that starts but does not answer its `Init` within this is dead.
const HELLO_TIMEOUT: Duration = Duration::from_secs(30);
/// Workers a mail may kill before it is quarantined.
const ATTEMPTS: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("parse worker I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("parse worker protocol: {0}")]
    Json(#[from] serde_json::Error),
    #[error("parse worker: {0}")]
    Rules(String),
}

/// The first frame the daemon sends.
#[derive(Debug, Serialize, Deserialize)]
struct Init {
    rules: Vec<(PathBuf, String)>,
    region: String,
    max_mail_bytes: usize,
}

/// The worker's answer to [`Init`].
#[derive(Debug, Serialize, Deserialize)]
enum Hello {
    Ready { version: String },
    Failed { error: String },
}

/// The worker's answer to one mail.
#[derive(Debug, Serialize, Deserialize)]
enum Reply {
    Parsed(Box<Request>),
    Panicked(String),
}

/// Where the daemon reads a mail from.
#[derive(Clone, Copy)]
pub enum MailBytes<'a> {
    /// In memory.
    Slice(&'a [u8]),
    /// Journalled mail `id` of `size` bytes, streamed from the state file
    /// (never loaded whole in the daemon).
    Journal {
        journal: &'a Journal,
        id: i64,
        size: usize,
    },
}

impl<'a> From<&'a [u8]> for MailBytes<'a> {
    fn from(s: &'a [u8]) -> Self {
        MailBytes::Slice(s)
    }
}

impl<'a> From<&'a Vec<u8>> for MailBytes<'a> {
    fn from(s: &'a Vec<u8>) -> Self {
        MailBytes::Slice(s)
    }
}

impl<'a> MailBytes<'a> {
    /// A mail waiting to be parsed: its bytes when they were loaded, else
    /// the journal.
    pub fn of(m: &'a SeenMail, journal: &'a Journal) -> MailBytes<'a> {
        if m.raw.len() == m.size {
            MailBytes::Slice(&m.raw)
        } else {
            MailBytes::Journal {
                journal,
                id: m.id,
                size: m.size,
            }
        }
    }

    pub fn len(&self) -> usize {
        match self {
            MailBytes::Slice(s) => s.len(),
            MailBytes::Journal { size, .. } => *size,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `n` bytes (or all).
    fn head(&self, n: usize) -> Result<Vec<u8>, String> {
        match self {
            MailBytes::Slice(s) => Ok(s[..s.len().min(n)].to_vec()),
            MailBytes::Journal { journal, id, size } => {
                let mut buf = vec![0u8; n.min(*size)];
                let mut at = 0;
                while at < buf.len() {
                    let got = journal
                        .read_mail_at(*id, at, &mut buf[at..])
                        .map_err(|e| format!("cannot read the mail from the state file: {e}"))?;
                    if got == 0 {
                        break;
                    }
                    at += got;
                }
                buf.truncate(at);
                Ok(buf)
            }
        }
    }
}

/// A mail over `max_mail_bytes`: decided from its size and first bytes
/// alone (headers sniffed, not parsed), without loading it.
fn parse_too_large(
    rules: &RuleSet,
    mail: MailBytes<'_>,
    opts: &ParseOptions,
) -> Result<Request, String> {
    let head = mail.head(SNIFF_BYTES)?;
    let letter = Letter::too_large(&head, mail.len(), opts.max_mail_bytes);
    let mut req = rules.apply_letter(&letter, opts);
    req.bound();
    Ok(req)
}

/// Parses one mail in this process (no worker): a panic becomes `Err` with
/// its message (the caller quarantines the mail).
pub fn parse_in_process(
    rules: &RuleSet,
    mail: MailBytes<'_>,
    opts: &ParseOptions,
) -> Result<Request, String> {
    if mail.len() > opts.max_mail_bytes {
        return parse_too_large(rules, mail, opts);
    }
    match mail {
        MailBytes::Slice(raw) => parse_guarded(rules, raw, opts),
        MailBytes::Journal { size, .. } => parse_guarded(rules, &mail.head(size)?, opts),
    }
}

/// Parses one mail in this process; a panic becomes `Err` with its message
/// (the caller quarantines the mail). The request is bounded
/// ([`Request::bound`]).
pub fn parse_guarded(rules: &RuleSet, raw: &[u8], opts: &ParseOptions) -> Result<Request, String> {
    catch_unwind(AssertUnwindSafe(|| {
        test_failpoints(raw);
        let mut req = rules.apply(raw, opts);
        req.bound();
        req
    }))
    .map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

/// Test hooks for the crash paths. They fire only when armed through
/// `AMO_INTAKE_FAILPOINTS` *and* the mail carries the marker header, so
/// mail content alone can never trigger them.
fn test_failpoints(raw: &[u8]) {
    const MARK: &[u8] = b"X-Amo-Intake-Failpoint: ";
    let Some(pos) = raw.windows(MARK.len()).position(|w| w == MARK) else {
        return;
    };
    let name = raw[pos + MARK.len()..]
        .split(|b| *b == b'\r' || *b == b'\n')
        .next()
        .unwrap_or_default();
    match name {
        b"parse_panic" if failpoint::is_armed("parse_panic") => {
            panic!("failpoint parse_panic")
        }
        b"parse_abort" if failpoint::is_armed("parse_abort") => std::process::abort(),
        b"parse_hang" if failpoint::is_armed("parse_hang") => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        // Grows without bound, as a parser bug on a hostile mail would; only
        // under the worker's memory cap (never in an uncapped process).
        b"parse_oom"
            if failpoint::is_armed("parse_oom") && crate::memory::address_space_limited() =>
        {
            let mut hog: Vec<Vec<u8>> = Vec::new();
            loop {
                hog.push(vec![1u8; 16 * 1024 * 1024]);
                if hog.len() > 4096 {
                    panic!("failpoint parse_oom: no memory cap hit after 64 GB");
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- worker side

/// The worker process: builds the rule set from [`Init`], then answers
/// mails until its input ends.
pub fn serve(input: impl Read, output: impl Write) -> Result<(), WorkerError> {
    let mut input = std::io::BufReader::new(input);
    let mut output = std::io::BufWriter::new(output);
    let Some(first) = read_frame(&mut input)? else {
        return Ok(());
    };
    let init: Init = serde_json::from_slice(&first)?;
    let set = match crate::rules::load_texts(&init.rules) {
        Ok(s) => s,
        Err(d) => {
            let error = d.to_string();
            write_frame(
                &mut output,
                &serde_json::to_vec(&Hello::Failed {
                    error: error.clone(),
                })?,
            )?;
            return Err(WorkerError::Rules(error));
        }
    };
    let hello = Hello::Ready {
        version: set.version().to_string(),
    };
    write_frame(&mut output, &serde_json::to_vec(&hello)?)?;
    let opts = ParseOptions {
        region: init.region,
        max_mail_bytes: init.max_mail_bytes,
    };
    while let Some(raw) = read_frame(&mut input)? {
        let reply = match parse_guarded(&set, &raw, &opts) {
            Ok(r) => Reply::Parsed(Box::new(r)),
            Err(p) => Reply::Panicked(p),
        };
        write_frame(&mut output, &serde_json::to_vec(&reply)?)?;
    }
    Ok(())
}

/// One frame, or `None` at a clean end of input.
fn read_frame(r: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut buf = vec![0u8; u32::from_be_bytes(len) as usize];
    r.read_exact(&mut buf)?;
    Ok(Some(buf))
}

fn write_frame(w: &mut impl Write, body: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(body.len()).map_err(|_| std::io::Error::other("frame too large"))?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(body)?;
    w.flush()
}

// ---------------------------------------------------------------- daemon side

/// Why a round trip with the worker failed.
enum Failure {
    /// No worker could be started: parse in-process instead.
    Start(String),
    /// The worker died (or hung) on this mail.
    Died(String),
}

struct Running {
    id: u64,
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    /// Rule set version and options the worker was started with.
    key: String,
    last_used: Instant,
}

impl Running {
    async fn round_trip(&mut self, mail: MailBytes<'_>) -> std::io::Result<Reply> {
        match mail {
            MailBytes::Slice(raw) => write_frame_async(&mut self.stdin, raw).await?,
            MailBytes::Journal { journal, id, size } => {
                stream_frame_async(&mut self.stdin, journal, id, size).await?
            }
        }
        let body = read_frame_async(&mut self.stdout).await?;
        serde_json::from_slice(&body).map_err(std::io::Error::other)
    }

    /// Ends the worker: closes its input (it exits), kills it if it lingers.
    async fn stop(self) {
        let Running {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        if tokio::time::timeout(Duration::from_secs(2), child.wait())
            .await
            .is_err()
        {
            let _ = child.kill().await;
        }
    }

    /// How it died (a `hung` one is killed first), for the log and the
    /// quarantine reason.
    async fn autopsy(self, what: &str, hung: bool) -> String {
        let Running { mut child, .. } = self;
        if hung {
            let _ = child.start_kill();
        }
        let status = match tokio::time::timeout(Duration::from_secs(2), child.wait()).await {
            Ok(Ok(s)) => Some(s),
            _ => {
                let _ = child.kill().await;
                None
            }
        };
        use std::os::unix::process::ExitStatusExt;
        match status {
            Some(s) if s.signal().is_some() => {
                let sig = s.signal().unwrap_or_default();
                let hint = match sig {
                    libc::SIGABRT => {
                        " (SIGABRT: an abort, most often out of memory under the worker's memory cap)"
                    }
                    libc::SIGKILL => " (SIGKILL: killed from outside, e.g. by the OOM killer)",
                    libc::SIGSEGV => " (SIGSEGV: a crash, e.g. a stack overflow)",
                    _ => "",
                };
                format!("{what}; killed by signal {sig}{hint}")
            }
            Some(s) => format!("{what}; exited with {s}"),
            None => what.to_string(),
        }
    }
}

/// The daemon's handle on its parse worker: started on the first mail,
/// stopped after `idle` without one, restarted after a crash.
pub struct ParseWorker {
    exe: PathBuf,
    idle: Duration,
    timeout: Duration,
    extra_env: Vec<(String, String)>,
    state: Arc<Mutex<Option<Running>>>,
    next_id: AtomicU64,
}

impl ParseWorker {
    /// `exe` is this program (`/proc/self/exe` in the daemon: the image that
    /// is running, even after an upgrade replaced the file on disk).
    pub fn new(exe: PathBuf, idle: Duration) -> ParseWorker {
        ParseWorker {
            exe,
            idle,
            timeout: Duration::from_secs(60),
            extra_env: Vec::new(),
            state: Arc::new(Mutex::new(None)),
            next_id: AtomicU64::new(1),
        }
    }

    /// The daemon's worker, unless `[parse] worker = false`.
    pub fn from_config(c: &crate::config::ParseConfig) -> Option<ParseWorker> {
        c.worker
            .then(|| ParseWorker::new(PathBuf::from("/proc/self/exe"), c.worker_idle))
    }

    /// How long one mail may take before the worker counts as hung.
    pub fn with_timeout(mut self, t: Duration) -> ParseWorker {
        self.timeout = t;
        self
    }

    /// An environment variable for the worker (tests arm failpoints with it).
    pub fn with_env(mut self, key: &str, value: &str) -> ParseWorker {
        self.extra_env.push((key.into(), value.into()));
        self
    }

    /// The running worker's process id, if one is running.
    pub async fn pid(&self) -> Option<u32> {
        self.state.lock().await.as_ref().and_then(|r| r.child.id())
    }

    /// Parses one mail in the worker. `Err` is why the mail cannot be parsed
    /// (a panic, or the worker died on it twice): quarantine it. When no
    /// worker can be started the mail is parsed in this process, so a broken
    /// worker never stops intake.
    pub async fn parse<'m>(
        &self,
        rules: &RuleSet,
        opts: &ParseOptions,
        mail: impl Into<MailBytes<'m>>,
    ) -> Result<Request, String> {
        let mail = mail.into();
        if mail.len() > opts.max_mail_bytes || u32::try_from(mail.len()).is_err() {
            // Decided from its size and headers alone, without parsing.
            return parse_too_large(rules, mail, opts);
        }
        let mut why = String::new();
        for attempt in 1..=ATTEMPTS {
            match self.try_parse(rules, opts, mail).await {
                Ok(Reply::Parsed(r)) => return Ok(*r),
                Ok(Reply::Panicked(p)) => return Err(p),
                Err(Failure::Start(e)) => {
                    tracing::warn!(error = %e, "parse worker unavailable; parsing in the daemon");
                    return parse_in_process(rules, mail, opts);
                }
                Err(Failure::Died(e)) => {
                    crate::metrics::global().worker_died();
                    tracing::warn!(attempt, error = %e, "parse worker died on a mail");
                    why = e;
                }
            }
        }
        // ATTEMPTS is 2: "twice".
        Err(format!("the parse worker died on this mail twice ({why})"))
    }

    async fn try_parse(
        &self,
        rules: &RuleSet,
        opts: &ParseOptions,
        mail: MailBytes<'_>,
    ) -> Result<Reply, Failure> {
        let key = format!(
            "{}|{}|{}",
            rules.version(),
            opts.region,
            opts.max_mail_bytes
        );
        let mut g = self.state.lock().await;
        if g.as_ref().is_some_and(|r| r.key != key)
            && let Some(old) = g.take()
        {
            old.stop().await;
        }
        let running = match g.take() {
            Some(r) => g.insert(r),
            None => {
                let r = self.start(rules, opts, key).await?;
                self.reap_when_idle(r.id);
                g.insert(r)
            }
        };
        let (what, hung) = match tokio::time::timeout(self.timeout, running.round_trip(mail)).await
        {
            Ok(Ok(reply)) => {
                running.last_used = Instant::now();
                return Ok(reply);
            }
            Ok(Err(e)) => (format!("it closed its pipe: {e}"), false),
            Err(_) => (
                format!("no answer within {:.1} s", self.timeout.as_secs_f64()),
                true,
            ),
        };
        Err(Failure::Died(match g.take() {
            Some(dead) => dead.autopsy(&what, hung).await,
            None => what,
        }))
    }

    async fn start(
        &self,
        rules: &RuleSet,
        opts: &ParseOptions,
        key: String,
    ) -> Result<Running, Failure> {
        let mut cmd = Command::new(&self.exe);
        cmd.arg("parse-worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .kill_on_drop(true);
        cmd.env(
            crate::memory::WORKER_BUDGET_ENV,
            worker_budget(opts.max_mail_bytes).to_string(),
        );
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| Failure::Start(format!("cannot start {}: {e}", self.exe.display())))?;
        let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Failure::Start("worker pipes missing".into()));
        };
        let init = Init {
            rules: rules.sources().to_vec(),
            region: opts.region.clone(),
            max_mail_bytes: opts.max_mail_bytes,
        };
        let hello = async {
            let body = serde_json::to_vec(&init).map_err(std::io::Error::other)?;
            write_frame_async(&mut stdin, &body).await?;
            let reply = read_frame_async(&mut stdout).await?;
            serde_json::from_slice::<Hello>(&reply).map_err(std::io::Error::other)
        };
        let hello = match tokio::time::timeout(HELLO_TIMEOUT, hello).await {
            Ok(Ok(h)) => h,
            Ok(Err(e)) => return Err(Failure::Start(format!("worker did not start: {e}"))),
            Err(_) => return Err(Failure::Start("worker did not answer".into())),
        };
        match hello {
            Hello::Ready { version } if version == rules.version() => {}
            Hello::Ready { version } => {
                return Err(Failure::Start(format!(
                    "worker built rule set {version}, expected {}",
                    rules.version()
                )));
            }
            Hello::Failed { error } => return Err(Failure::Start(error)),
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        crate::metrics::global().worker_started();
        tracing::debug!(pid = child.id().unwrap_or_default(), "parse worker started");
        Ok(Running {
            id,
            child,
            stdin,
            stdout,
            key,
            last_used: Instant::now(),
        })
    }

    /// Stops worker `id` once it has been idle for `self.idle`; ends early
    /// when that worker is gone (died, replaced, or the daemon dropped us).
    fn reap_when_idle(&self, id: u64) {
        let state = Arc::downgrade(&self.state);
        let idle = self.idle;
        tokio::spawn(async move {
            let mut wait = idle;
            loop {
                tokio::time::sleep(wait).await;
                let Some(state) = state.upgrade() else { return };
                let mut g = state.lock().await;
                let Some(r) = g.as_ref().filter(|r| r.id == id) else {
                    return;
                };
                let quiet = r.last_used.elapsed();
                if quiet >= idle {
                    if let Some(r) = g.take() {
                        r.stop().await;
                        tracing::debug!("parse worker stopped after {} s idle", idle.as_secs());
                    }
                    return;
                }
                wait = idle - quiet;
            }
        });
    }
}

async fn write_frame_async(w: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(body.len()).map_err(|_| std::io::Error::other("frame too large"))?;
    w.write_all(&len.to_be_bytes()).await?;
    w.write_all(body).await?;
    w.flush().await
}

/// A frame whose body is journalled mail `id`, read from the state file
/// [`crate::journal::mails::COPY_BYTES`] at a time.
async fn stream_frame_async(
    w: &mut (impl AsyncWrite + Unpin),
    journal: &Journal,
    id: i64,
    size: usize,
) -> std::io::Result<()> {
    let len = u32::try_from(size).map_err(|_| std::io::Error::other("frame too large"))?;
    w.write_all(&len.to_be_bytes()).await?;
    let mut buf = vec![0u8; crate::journal::mails::COPY_BYTES];
    let mut at = 0usize;
    while at < size {
        let want = buf.len().min(size - at);
        let n = journal
            .read_mail_at(id, at, &mut buf[..want])
            .map_err(std::io::Error::other)?;
        if n == 0 {
            return Err(std::io::Error::other(format!(
                "mail {id} ends at byte {at} of {size} in the state file"
            )));
        }
        w.write_all(&buf[..n]).await?;
        at += n;
    }
    w.flush().await
}

async fn read_frame_async(r: &mut (impl AsyncRead + Unpin)) -> std::io::Result<Vec<u8>> {
    let len = r.read_u32().await?;
    if len > MAX_REPLY {
        return Err(std::io::Error::other(format!(
            "reply of {len} bytes is over the limit"
        )));
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf).await?;
    Ok(buf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn frames(bodies: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for b in bodies {
            write_frame(&mut out, b).unwrap();
        }
        out
    }

    fn replies(mut out: &[u8]) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        while let Some(f) = read_frame(&mut out).unwrap() {
            v.push(f);
        }
        v
    }

    #[test]
    fn serve_answers_each_mail_like_the_in_process_parser() {
        let set = RuleSet::builtin();
        let opts = ParseOptions::default();
        let init = serde_json::to_vec(&Init {
            rules: set.sources().to_vec(),
            region: opts.region.clone(),
            max_mail_bytes: opts.max_mail_bytes,
        })
        .unwrap();
        let mail = b"From: Tilda <robot@tilda.ws>\r\nSubject: New lead\r\n\r\nName: Anna\r\nPhone: +7 912 345-67-89\r\n".as_slice();
        let input = frames(&[&init, mail, b"not a mail at all"]);
        let mut out = Vec::new();
        serve(input.as_slice(), &mut out).unwrap();
        let r = replies(&out);
        assert_eq!(r.len(), 3);
        match serde_json::from_slice::<Hello>(&r[0]).unwrap() {
            Hello::Ready { version } => assert_eq!(version, set.version()),
            Hello::Failed { error } => panic!("{error}"),
        }
        for (reply, raw) in r[1..].iter().zip([mail, b"not a mail at all".as_slice()]) {
            match serde_json::from_slice::<Reply>(reply).unwrap() {
                Reply::Parsed(req) => assert_eq!(*req, set.apply(raw, &opts)),
                Reply::Panicked(p) => panic!("{p}"),
            }
        }
    }

    #[test]
    fn serve_reports_a_rule_set_it_cannot_build() {
        let init = serde_json::to_vec(&Init {
            rules: vec![("rules/x.toml".into(), "name = ".into())],
            region: "RU".into(),
            max_mail_bytes: 1000,
        })
        .unwrap();
        let mut out = Vec::new();
        let err = serve(frames(&[&init]).as_slice(), &mut out).unwrap_err();
        assert!(err.to_string().contains("rules/x.toml"), "{err}");
        let r = replies(&out);
        assert!(matches!(
            serde_json::from_slice::<Hello>(&r[0]).unwrap(),
            Hello::Failed { .. }
        ));
    }

    #[test]
    fn serve_refuses_a_garbled_start_and_stops_at_a_cut_frame() {
        let mut out = Vec::new();
        let err = serve(frames(&[b"{not json"]).as_slice(), &mut out).unwrap_err();
        assert!(matches!(err, WorkerError::Json(_)), "{err}");
        assert!(out.is_empty(), "nothing is answered to a garbled start");
        // A frame cut short (the daemon died mid-write) is an error, not a mail.
        let set = RuleSet::builtin();
        let init = serde_json::to_vec(&Init {
            rules: set.sources().to_vec(),
            region: "RU".into(),
            max_mail_bytes: 1000,
        })
        .unwrap();
        let mut input = frames(&[&init]);
        input.extend_from_slice(&100u32.to_be_bytes());
        input.extend_from_slice(b"only ten b");
        let err = serve(input.as_slice(), &mut out).unwrap_err();
        assert!(matches!(err, WorkerError::Io(_)), "{err}");
        assert_eq!(replies(&out).len(), 1, "only the Hello went out");
    }

    #[test]
    fn failpoint_needs_both_the_env_and_the_marker() {
        let set = RuleSet::builtin();
        let opts = ParseOptions::default();
        let raw = b"Subject: x\r\nX-Amo-Intake-Failpoint: parse_panic\r\n\r\nhi";
        // Not armed: the marker alone does nothing.
        assert!(parse_guarded(&set, raw, &opts).is_ok());
        failpoint::arm("parse_panic", 1);
        let err = parse_guarded(&set, raw, &opts).unwrap_err();
        assert!(err.contains("failpoint parse_panic"), "{err}");
        // Armed, but a mail without the marker parses.
        assert!(parse_guarded(&set, b"Subject: y\r\n\r\nhi", &opts).is_ok());
        failpoint::arm("parse_panic", 0);
    }
}
