//! IMAP IDLE watcher: one task per `[[mailbox]]`, feeding the journal.
//!
//! Invariants (each one is a lesson from watchers that lost mail silently):
//! - every connect and every wake-up catches up by UID from the journalled
//!   watermark; IDLE only says *when* to look, never *what* arrived;
//! - the watermark moves only past mails recorded in the journal;
//! - every IMAP command has a timeout (async-imap has none), IDLE is
//!   re-issued every `idle_interval`, and server EOF during IDLE (which
//!   async-imap reports as `ManualInterrupt`) means "reconnect";
//! - the task never gives up: exponential backoff with jitter, 1 s to 60 s,
//!   cut short as soon as the server accepts TCP again;
//! - a UIDVALIDITY change re-scans from UID 1; the journal de-duplicates by
//!   Message-ID + content hash.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_imap::Session;
use async_imap::extensions::idle::IdleResponse;
use async_imap::types::{Capabilities, UnsolicitedResponse};
use futures::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::{MailboxConfig, TlsMode, parse_duration, read_secret};
use crate::journal::Journal;
use crate::journal::mails::{IncomingMail, MailHead, Recorded, Watermark};
use crate::mail::tls;

/// Any byte stream async-imap can drive: plain TCP or TLS.
pub trait ImapIo: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> ImapIo for T {}

pub type ImapSession = Session<Box<dyn ImapIo>>;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error(
        "mailbox {mailbox:?}: plaintext IMAP to {host} refused: it is not a loopback address and the password would cross the network unencrypted; set `tls = \"implicit\"` (port 993) or `tls = \"starttls\"` (port 143) in its [[mailbox]] section, or `insecure_plaintext = true` if you really mean it"
    )]
    PlaintextRefused { mailbox: String, host: String },
    #[error("mailbox {mailbox:?}: `{key} = {value:?}` is not valid: {hint}")]
    BadSetting {
        mailbox: String,
        key: &'static str,
        value: String,
        hint: &'static str,
    },
    #[error("mailbox {mailbox:?}: {source}")]
    Secret {
        mailbox: String,
        source: crate::config::ConfigError,
    },
    #[error("mailbox {mailbox:?}: {source}")]
    Tls {
        mailbox: String,
        source: tls::TlsError,
    },
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("IMAP {what}: {source}")]
    Imap {
        what: &'static str,
        source: async_imap::error::Error,
    },
    #[error("IMAP {what}: no answer within {after:?}; the connection is considered dead")]
    Timeout { what: &'static str, after: Duration },
    #[error("IMAP server closed the connection ({0})")]
    Closed(String),
    #[error("IMAP server: {0}")]
    Protocol(String),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
}

impl ImapError {
    /// The server is not accepting TCP (down, restarting): worth probing
    /// cheaply during backoff so we are back within a second of its return.
    fn is_unreachable(&self) -> bool {
        matches!(self, ImapError::Connect { .. })
    }
}

/// What to do with a mail on the server once it is journalled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    None,
    /// Add this keyword (e.g. `$AmoIntake`).
    Flag(String),
    /// Move to this folder.
    Move(String),
}

/// One mailbox's validated settings (secrets resolved).
#[derive(Clone)]
pub struct MailboxSettings {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub user: String,
    pub password: String,
    pub folder: String,
    pub ca_file: Option<PathBuf>,
    pub insecure_plaintext: bool,
    pub idle_interval: Duration,
    pub poll_interval: Duration,
    /// First start only: import mails since this date instead of UIDNEXT.
    pub since: Option<jiff::civil::Date>,
    pub after: After,
    pub command_timeout: Duration,
    pub connect_timeout: Duration,
    /// Silence during IDLE after which the connection is probed (DONE).
    pub idle_silence: Duration,
    /// Full `UID SEARCH ALL` against the journal, as a safety net.
    pub recheck_every: Duration,
    /// Warn (and show in metrics) when no sync succeeded for this long.
    pub stale_after: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

impl fmt::Debug for MailboxSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailboxSettings")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// True for addresses where plaintext never leaves the machine.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

impl MailboxSettings {
    /// Validates one `[[mailbox]]` without touching the network (so a
    /// refused plaintext setting never sends the password anywhere), then
    /// reads its password.
    pub fn from_config(c: &MailboxConfig) -> Result<MailboxSettings, ImapError> {
        let s = Self::validate(c)?;
        let password = read_secret(
            c.password_file.as_deref(),
            "password_file",
            &format!("imap-{}", c.name),
            &format!("IMAP password of mailbox {:?}", c.name),
        )
        .map_err(|source| ImapError::Secret {
            mailbox: c.name.clone(),
            source,
        })?;
        Ok(MailboxSettings { password, ..s })
    }

    /// Everything but the password (used by `check` and by `from_config`).
    pub fn validate(c: &MailboxConfig) -> Result<MailboxSettings, ImapError> {
        let bad = |key: &'static str, value: &str, hint: &'static str| ImapError::BadSetting {
            mailbox: c.name.clone(),
            key,
            value: value.to_string(),
            hint,
        };
        if c.tls == TlsMode::None && !c.insecure_plaintext && !is_loopback_host(&c.host) {
            return Err(ImapError::PlaintextRefused {
                mailbox: c.name.clone(),
                host: c.host.clone(),
            });
        }
        let dur = |key: &'static str, v: &Option<String>, default: u64| match v {
            None => Ok(Duration::from_secs(default)),
            Some(s) => match parse_duration(s) {
                Some(d) if !d.is_zero() => Ok(d),
                _ => Err(bad(key, s, "write a duration such as \"9m\" or \"30s\"")),
            },
        };
        let idle_interval = dur("idle_interval", &c.idle_interval, 9 * 60)?;
        let poll_interval = dur("poll_interval", &c.poll_interval, 30)?;
        let since = match &c.since {
            None => None,
            Some(s) => Some(
                s.trim()
                    .parse::<jiff::civil::Date>()
                    .map_err(|_| bad("since", s, "write a date as YYYY-MM-DD"))?,
            ),
        };
        let target = c.after_target.clone().filter(|t| !t.trim().is_empty());
        let after = match c.after.as_deref().map(str::trim) {
            None | Some("none") | Some("") => After::None,
            Some("flag") => After::Flag(target.unwrap_or_else(|| "$AmoIntake".into())),
            Some("move") => match target {
                Some(t) => After::Move(t),
                None => {
                    return Err(bad(
                        "after_target",
                        "",
                        "`after = \"move\"` needs `after_target = \"FOLDER\"`",
                    ));
                }
            },
            Some(other) => return Err(bad("after", other, "use \"none\", \"flag\" or \"move\"")),
        };
        if let After::Flag(k) = &after
            && (k.is_empty()
                || k.chars()
                    .any(|ch| " ()[]{}%*\"\\".contains(ch) || ch.is_control()))
        {
            return Err(bad(
                "after_target",
                k,
                "a keyword is one word without spaces or ()[]{}%*\"\\",
            ));
        }
        let port = c.port.unwrap_or(match c.tls {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        });
        Ok(MailboxSettings {
            name: c.name.clone(),
            host: c.host.clone(),
            port,
            tls: c.tls,
            user: c.user.clone(),
            password: String::new(),
            folder: c.folder.clone(),
            ca_file: c.ca_file.clone(),
            insecure_plaintext: c.insecure_plaintext,
            idle_interval,
            poll_interval,
            since,
            after,
            command_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(30),
            idle_silence: idle_interval.min(Duration::from_secs(5 * 60)),
            recheck_every: Duration::from_secs(3600),
            stale_after: (idle_interval * 2).max(Duration::from_secs(15 * 60)),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        })
    }
}

/// What a watcher needs from the rest of the daemon.
#[derive(Clone)]
pub struct WatcherDeps {
    pub journal: Arc<Journal>,
    /// Notified after every batch of newly journalled mails.
    pub wake: Arc<Notify>,
}

async fn timed<T, F>(what: &'static str, after: Duration, fut: F) -> Result<T, ImapError>
where
    F: std::future::Future<Output = Result<T, async_imap::error::Error>>,
{
    match tokio::time::timeout(after, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(source)) => Err(ImapError::Imap { what, source }),
        Err(_) => Err(ImapError::Timeout { what, after }),
    }
}

fn set_keepalive(tcp: &TcpStream) {
    // Thunderbird's values: notice a dead peer within about two minutes
    // even when IDLE is silent.
    let ka = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(60))
        .with_interval(Duration::from_secs(10))
        .with_retries(5);
    let sock = socket2::SockRef::from(tcp);
    if let Err(e) = sock.set_tcp_keepalive(&ka) {
        tracing::debug!(error = %e, "cannot set TCP keepalive");
    }
    let _ = tcp.set_nodelay(true);
}

/// Opens, authenticates and returns a session plus its capabilities.
pub async fn connect(s: &MailboxSettings) -> Result<(ImapSession, Capabilities), ImapError> {
    let addr = format!("{}:{}", s.host, s.port);
    let tcp = match tokio::time::timeout(
        s.connect_timeout,
        TcpStream::connect((s.host.as_str(), s.port)),
    )
    .await
    {
        Ok(Ok(t)) => t,
        Ok(Err(source)) => return Err(ImapError::Connect { addr, source }),
        Err(_) => {
            return Err(ImapError::Timeout {
                what: "connect",
                after: s.connect_timeout,
            });
        }
    };
    set_keepalive(&tcp);
    let tls_err = |source| ImapError::Tls {
        mailbox: s.name.clone(),
        source,
    };
    let stream: Box<dyn ImapIo> = match s.tls {
        TlsMode::None => Box::new(tcp),
        TlsMode::Implicit => {
            let cfg = tls::client_config(s.ca_file.as_deref()).map_err(tls_err)?;
            let t = tokio::time::timeout(s.connect_timeout, tls::wrap(cfg, &s.host, tcp))
                .await
                .map_err(|_| ImapError::Timeout {
                    what: "TLS handshake",
                    after: s.connect_timeout,
                })?
                .map_err(tls_err)?;
            Box::new(t)
        }
        TlsMode::Starttls => {
            let cfg = tls::client_config(s.ca_file.as_deref()).map_err(tls_err)?;
            let mut client = async_imap::Client::new(tcp);
            read_greeting(&mut client, s.command_timeout).await?;
            timed(
                "STARTTLS",
                s.command_timeout,
                client.run_command_and_check_ok("STARTTLS", None),
            )
            .await?;
            let tcp = client.into_inner();
            let t = tokio::time::timeout(s.connect_timeout, tls::wrap(cfg, &s.host, tcp))
                .await
                .map_err(|_| ImapError::Timeout {
                    what: "TLS handshake",
                    after: s.connect_timeout,
                })?
                .map_err(tls_err)?;
            Box::new(t)
        }
    };
    let mut client = async_imap::Client::new(stream);
    if s.tls != TlsMode::Starttls {
        read_greeting(&mut client, s.command_timeout).await?;
    }
    let login = tokio::time::timeout(s.command_timeout, client.login(&s.user, &s.password)).await;
    let mut session = match login {
        Ok(Ok(sess)) => sess,
        Ok(Err((source, _))) => {
            return Err(ImapError::Imap {
                what: "LOGIN (check user and password_file)",
                source,
            });
        }
        Err(_) => {
            return Err(ImapError::Timeout {
                what: "LOGIN",
                after: s.command_timeout,
            });
        }
    };
    let caps = timed("CAPABILITY", s.command_timeout, session.capabilities()).await?;
    Ok((session, caps))
}

async fn read_greeting<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug>(
    client: &mut async_imap::Client<T>,
    after: Duration,
) -> Result<(), ImapError> {
    match tokio::time::timeout(after, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err(ImapError::Closed("no greeting".into())),
        Ok(Err(e)) => Err(ImapError::Imap {
            what: "greeting",
            source: e.into(),
        }),
        Err(_) => Err(ImapError::Timeout {
            what: "greeting",
            after,
        }),
    }
}

/// Runs one mailbox forever (until `shutdown`): connect, catch up, IDLE or
/// poll, reconnect with backoff on any failure.
pub async fn watch(s: MailboxSettings, deps: WatcherDeps, shutdown: CancellationToken) {
    let metrics = crate::metrics::global();
    if s.tls == TlsMode::None && !is_loopback_host(&s.host) {
        tracing::warn!(
            mailbox = %s.name,
            host = %s.host,
            "insecure_plaintext = true: the IMAP password and mails cross the network unencrypted"
        );
    }
    let mut w = Watcher {
        s,
        deps,
        last_sync: Instant::now(),
        last_recheck: None,
        stale_warned: false,
    };
    let mut attempt: u32 = 0;
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        metrics.set_mailbox_state(&w.s.name, "connecting");
        tracing::info!(mailbox = %w.s.name, host = %w.s.host, port = w.s.port, attempt, "connecting");
        let err = match w.session(&shutdown, &mut attempt).await {
            Ok(()) => break,
            Err(e) => e,
        };
        if shutdown.is_cancelled() {
            break;
        }
        metrics.imap_reconnect(&w.s.name);
        metrics.set_mailbox_state(&w.s.name, "reconnecting");
        let delay = backoff(w.s.backoff_min, w.s.backoff_max, attempt);
        attempt = attempt.saturating_add(1);
        tracing::warn!(
            mailbox = %w.s.name,
            error = %err,
            retry_in_ms = delay.as_millis() as u64,
            attempt,
            "IMAP connection failed; reconnecting"
        );
        w.check_stale();
        let probe = err.is_unreachable();
        let woke = tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(delay) => false,
            _ = probe_until_open(&w.s.host, w.s.port), if probe => true,
        };
        if woke {
            tracing::info!(mailbox = %w.s.name, "server accepts connections again");
        }
    }
    metrics.set_mailbox_state(&w.s.name, "stopped");
    tracing::info!(mailbox = %w.s.name, "watcher stopped");
}

/// Exponential backoff with ±20 % jitter.
pub fn backoff(min: Duration, max: Duration, attempt: u32) -> Duration {
    let base = min.saturating_mul(1u32 << attempt.min(16)).min(max);
    let jitter: f64 = rand::random_range(0.8..1.2);
    base.mul_f64(jitter).min(max)
}

/// Returns once a TCP connection to the server succeeds (checked every
/// second); used only while the server refuses or is unreachable.
async fn probe_until_open(host: &str, port: u16) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_secs(2), TcpStream::connect((host, port))).await
        {
            return;
        }
    }
}

struct Watcher {
    s: MailboxSettings,
    deps: WatcherDeps,
    last_sync: Instant,
    last_recheck: Option<Instant>,
    stale_warned: bool,
}

enum Wake {
    /// Something arrived (or may have): catch up.
    Check,
    /// Shutting down: leave IDLE and log out.
    Stop,
}

impl Watcher {
    fn check_stale(&mut self) {
        let age = self.last_sync.elapsed();
        if age > self.s.stale_after && !self.stale_warned {
            self.stale_warned = true;
            tracing::warn!(
                mailbox = %self.s.name,
                minutes = age.as_secs() / 60,
                "mailbox has not synced for too long: mails may be waiting unseen; check the IMAP server and credentials"
            );
        }
    }

    fn synced(&mut self) {
        self.last_sync = Instant::now();
        if self.stale_warned {
            tracing::info!(mailbox = %self.s.name, "mailbox syncs again");
        }
        self.stale_warned = false;
        crate::metrics::global().synced(&self.s.name);
        if let Err(e) = self.deps.journal.touch_sync(&self.s.name) {
            tracing::warn!(mailbox = %self.s.name, error = %e, "cannot record sync time");
        }
    }

    /// One connection's life. `Ok` only on shutdown.
    async fn session(
        &mut self,
        shutdown: &CancellationToken,
        attempt: &mut u32,
    ) -> Result<(), ImapError> {
        let (mut sess, caps) = connect(&self.s).await?;
        let ct = self.s.command_timeout;
        let mbox = timed("SELECT", ct, sess.select(&self.s.folder)).await?;
        let Some(validity) = mbox.uid_validity else {
            return Err(ImapError::Protocol(format!(
                "SELECT {} gave no UIDVALIDITY",
                self.s.folder
            )));
        };
        let uid_next = match mbox.uid_next {
            Some(n) => n,
            None => self.uid_next_fallback(&mut sess).await?,
        };
        let has_idle = caps.has_str("IDLE");
        let has_move = caps.has_str("MOVE");
        *attempt = 0;
        tracing::info!(
            mailbox = %self.s.name,
            folder = %self.s.folder,
            uidvalidity = validity,
            uidnext = uid_next,
            idle = has_idle,
            "connected"
        );
        let mut last = self.start_point(&mut sess, validity, uid_next).await?;
        last = self
            .catch_up(&mut sess, validity, last, has_move, shutdown)
            .await?;
        self.maybe_recheck(&mut sess, validity, last, has_move)
            .await?;
        self.synced();
        let state = if has_idle { "IDLE" } else { "polling" };
        loop {
            crate::metrics::global().set_mailbox_state(&self.s.name, state);
            let (s2, wake) = if has_idle {
                self.idle_once(sess, shutdown).await?
            } else {
                self.poll_once(sess, shutdown).await?
            };
            sess = s2;
            if let Wake::Stop = wake {
                tracing::info!(mailbox = %self.s.name, "logging out");
                let _ = tokio::time::timeout(Duration::from_secs(3), sess.logout()).await;
                return Ok(());
            }
            crate::metrics::global().set_mailbox_state(&self.s.name, "syncing");
            last = self
                .catch_up(&mut sess, validity, last, has_move, shutdown)
                .await?;
            self.maybe_recheck(&mut sess, validity, last, has_move)
                .await?;
            self.synced();
        }
    }

    async fn uid_next_fallback(&self, sess: &mut ImapSession) -> Result<u32, ImapError> {
        let all = timed(
            "UID SEARCH ALL",
            self.s.command_timeout,
            sess.uid_search("ALL"),
        )
        .await?;
        Ok(all.into_iter().max().unwrap_or(0).saturating_add(1))
    }

    /// The UID after which to fetch, from the watermark; first start, a
    /// UIDVALIDITY change and a UIDNEXT that went backwards handled here.
    async fn start_point(
        &mut self,
        sess: &mut ImapSession,
        validity: u32,
        uid_next: u32,
    ) -> Result<u32, ImapError> {
        let name = &self.s.name;
        match self.deps.journal.watermark(name)? {
            Some(wm) if wm.uidvalidity == validity && uid_next > wm.last_uid => Ok(wm.last_uid),
            Some(wm) if wm.uidvalidity == validity => {
                tracing::warn!(
                    mailbox = %name,
                    last_uid = wm.last_uid,
                    uidnext = uid_next,
                    "UIDNEXT went backwards without a UIDVALIDITY change; re-scanning the folder (duplicates are skipped)"
                );
                Ok(0)
            }
            Some(wm) => {
                tracing::warn!(
                    mailbox = %name,
                    old = wm.uidvalidity,
                    new = validity,
                    "UIDVALIDITY changed (folder re-created or server migrated); re-scanning from UID 1, duplicates are skipped by Message-ID and content"
                );
                Ok(0)
            }
            None => {
                let first = match self.s.since {
                    Some(date) => {
                        let q = format!("SINCE {}", date.strftime("%-d-%b-%Y"));
                        let found = timed(
                            "UID SEARCH SINCE",
                            self.s.command_timeout,
                            sess.uid_search(&q),
                        )
                        .await?;
                        match found.into_iter().min() {
                            Some(min) => min.saturating_sub(1),
                            None => uid_next.saturating_sub(1),
                        }
                    }
                    None => uid_next.saturating_sub(1),
                };
                tracing::info!(
                    mailbox = %name,
                    uidvalidity = validity,
                    start_after_uid = first,
                    since = ?self.s.since,
                    "first start: old mails are not imported"
                );
                self.deps.journal.set_watermark(
                    name,
                    Watermark {
                        uidvalidity: validity,
                        last_uid: first,
                    },
                )?;
                Ok(first)
            }
        }
    }

    /// Fetches every UID above `last`, journals each, moves the watermark.
    async fn catch_up(
        &mut self,
        sess: &mut ImapSession,
        validity: u32,
        mut last: u32,
        has_move: bool,
        shutdown: &CancellationToken,
    ) -> Result<u32, ImapError> {
        let query = format!("{}:*", last.saturating_add(1));
        // `n:*` returns the highest UID even when it is below n.
        let found: Vec<(u32, u32)> = self
            .fetch_sizes(sess, &query)
            .await?
            .into_iter()
            .filter(|(u, _)| *u > last)
            .collect();
        if found.is_empty() {
            if last == 0 {
                // Empty folder after a re-scan: remember the new UIDVALIDITY.
                self.deps.journal.set_watermark(
                    &self.s.name,
                    Watermark {
                        uidvalidity: validity,
                        last_uid: 0,
                    },
                )?;
            }
            return Ok(last);
        }
        tracing::info!(mailbox = %self.s.name, count = found.len(), after_uid = last, "catching up");
        for chunk in chunks_by_size(&found, 50, CHUNK_BYTES) {
            let chunk = chunk.as_slice();
            let recorded = self.fetch_and_record(sess, validity, chunk, &found).await?;
            if let Some(max) = chunk.iter().copied().max() {
                last = max;
            }
            self.deps.journal.set_watermark(
                &self.s.name,
                Watermark {
                    uidvalidity: validity,
                    last_uid: last,
                },
            )?;
            self.deps.wake.notify_one();
            self.after_journal(sess, &recorded, has_move).await?;
            if shutdown.is_cancelled() {
                break;
            }
        }
        Ok(last)
    }

    /// `(UID, RFC822.SIZE)` of the mails in `set`, sorted by UID.
    async fn fetch_sizes(
        &self,
        sess: &mut ImapSession,
        set: &str,
    ) -> Result<Vec<(u32, u32)>, ImapError> {
        let sizes: Vec<async_imap::types::Fetch> =
            timed("UID FETCH (sizes)", self.s.command_timeout, async {
                sess.uid_fetch(set, "(UID RFC822.SIZE)")
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
        let mut found: Vec<(u32, u32)> = sizes
            .iter()
            .filter_map(|f| f.uid.map(|u| (u, f.size.unwrap_or(0))))
            .collect();
        found.sort_unstable();
        found.dedup_by_key(|(u, _)| *u);
        Ok(found)
    }

    /// Fetches `uids` and journals them in UID order; returns the UIDs
    /// recorded. A UID the server no longer returns was expunged meanwhile.
    /// A mail larger than [`STREAM_ABOVE`] (by `sizes`) is fetched in
    /// pieces straight into the journal, never held whole.
    async fn fetch_and_record(
        &mut self,
        sess: &mut ImapSession,
        validity: u32,
        uids: &[u32],
        sizes: &[(u32, u32)],
    ) -> Result<Vec<u32>, ImapError> {
        let big = |uid: u32| {
            sizes
                .binary_search_by_key(&uid, |(u, _)| *u)
                .ok()
                .is_some_and(|i| sizes[i].1 as usize > STREAM_ABOVE)
        };
        if uids.iter().any(|u| big(*u)) {
            // In UID order: small ones in one batch between the big ones.
            let mut recorded = Vec::new();
            let mut small: Vec<u32> = Vec::new();
            for &uid in uids {
                if !big(uid) {
                    small.push(uid);
                    continue;
                }
                if !small.is_empty() {
                    let batch = std::mem::take(&mut small);
                    recorded.extend(
                        Box::pin(self.fetch_and_record(sess, validity, &batch, &[])).await?,
                    );
                }
                if self.stream_and_record(sess, validity, uid).await? {
                    recorded.push(uid);
                }
            }
            if !small.is_empty() {
                recorded
                    .extend(Box::pin(self.fetch_and_record(sess, validity, &small, &[])).await?);
            }
            return Ok(recorded);
        }
        let set = uid_set(uids);
        let ct = self.s.command_timeout;
        let fetched: Vec<async_imap::types::Fetch> = timed("UID FETCH", ct, async {
            sess.uid_fetch(&set, "(UID INTERNALDATE BODY.PEEK[])")
                .await?
                .try_collect()
                .await
        })
        .await?;
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let mut by_uid: BTreeMap<u32, (Option<i64>, Vec<u8>)> = BTreeMap::new();
        for f in &fetched {
            // Unsolicited FETCH lines for other mails may be interleaved.
            let Some(uid) = f.uid else { continue };
            if !wanted.contains(&uid) {
                continue;
            }
            let Some(body) = f.body() else { continue };
            let date = f.internal_date().map(|d| d.timestamp_millis());
            by_uid.insert(uid, (date, body.to_vec()));
        }
        let mut recorded = Vec::with_capacity(uids.len());
        for &uid in uids {
            let Some((date, raw)) = by_uid.remove(&uid) else {
                tracing::warn!(mailbox = %self.s.name, uid, "mail vanished before it could be fetched (expunged)");
                continue;
            };
            let mail = IncomingMail {
                mailbox: self.s.name.clone(),
                uidvalidity: validity,
                uid,
                internal_date_ms: date,
                raw,
            };
            let journal = self.deps.journal.clone();
            let res = tokio::task::spawn_blocking(move || journal.record_mail(&mail))
                .await
                .map_err(|e| ImapError::Protocol(format!("journal task failed: {e}")))??;
            self.log_recorded(uid, res);
            recorded.push(uid);
        }
        Ok(recorded)
    }

    /// Fetches one large mail in pieces of [`STREAM_PIECE`] bytes
    /// (`BODY.PEEK[]<offset.length>`), each stored in the journal as it
    /// comes, then journals the whole mail; memory stays at one piece.
    /// `false` when the server no longer has the mail (expunged).
    async fn stream_and_record(
        &mut self,
        sess: &mut ImapSession,
        validity: u32,
        uid: u32,
    ) -> Result<bool, ImapError> {
        let ct = self.s.command_timeout;
        let mut head = MailHead {
            mailbox: self.s.name.clone(),
            uidvalidity: validity,
            uid,
            internal_date_ms: None,
        };
        let mut offset = 0usize;
        let mut seq = 0u32;
        loop {
            let items = if seq == 0 {
                format!("(UID INTERNALDATE BODY.PEEK[]<0.{STREAM_PIECE}>)")
            } else {
                format!("(UID BODY.PEEK[]<{offset}.{STREAM_PIECE}>)")
            };
            let fetched: Vec<async_imap::types::Fetch> = timed("UID FETCH (piece)", ct, async {
                sess.uid_fetch(uid.to_string(), &items)
                    .await?
                    .try_collect()
                    .await
            })
            .await?;
            let Some(f) = fetched.iter().find(|f| f.uid == Some(uid)) else {
                if seq == 0 {
                    tracing::warn!(mailbox = %self.s.name, uid, "mail vanished before it could be fetched (expunged)");
                    return Ok(false);
                }
                return Err(ImapError::Protocol(format!(
                    "UID {uid} vanished after {offset} bytes of it were fetched"
                )));
            };
            if seq == 0 {
                head.internal_date_ms = f.internal_date().map(|d| d.timestamp_millis());
            }
            let piece = f.body().unwrap_or_default().to_vec();
            drop(fetched);
            let n = piece.len();
            if n > 0 || seq == 0 {
                let journal = self.deps.journal.clone();
                let h = head.clone();
                tokio::task::spawn_blocking(move || journal.stage_chunk(&h, seq, &piece))
                    .await
                    .map_err(|e| ImapError::Protocol(format!("journal task failed: {e}")))??;
                seq += 1;
                offset += n;
            }
            if n < STREAM_PIECE || offset >= STREAM_MAX {
                break;
            }
        }
        let journal = self.deps.journal.clone();
        let h = head.clone();
        let res = tokio::task::spawn_blocking(move || journal.record_staged(&h))
            .await
            .map_err(|e| ImapError::Protocol(format!("journal task failed: {e}")))??;
        self.log_recorded(uid, res);
        tracing::debug!(mailbox = %self.s.name, uid, bytes = offset, pieces = seq, "large mail fetched in pieces");
        Ok(true)
    }

    fn log_recorded(&self, uid: u32, res: Recorded) {
        match res {
            Recorded::New(id) => {
                crate::metrics::global().mail_seen(&self.s.name);
                tracing::info!(mailbox = %self.s.name, uid, journal_id = id, "mail journalled");
            }
            Recorded::AlreadyKnown(id) => {
                tracing::debug!(mailbox = %self.s.name, uid, journal_id = id, "mail already journalled");
            }
            Recorded::Duplicate { id, of } => {
                tracing::info!(mailbox = %self.s.name, uid, journal_id = id, duplicate_of = of, "same mail seen before; not processed again");
            }
        }
    }

    /// Post-processing is a courtesy to the humans reading the mailbox: a
    /// server refusing it (NO/BAD: no such folder, keywords not allowed) is
    /// logged, and intake goes on; a dead connection is still an error.
    async fn after_journal(
        &self,
        sess: &mut ImapSession,
        uids: &[u32],
        has_move: bool,
    ) -> Result<(), ImapError> {
        match self.post_process(sess, uids, has_move).await {
            Err(ImapError::Imap {
                what,
                source: async_imap::error::Error::No(msg) | async_imap::error::Error::Bad(msg),
            }) => {
                tracing::warn!(
                    mailbox = %self.s.name,
                    command = what,
                    server_says = %msg.trim(),
                    "post-processing refused by the server; mails are journalled anyway — check `after`/`after_target`"
                );
                Ok(())
            }
            other => other,
        }
    }

    async fn post_process(
        &self,
        sess: &mut ImapSession,
        uids: &[u32],
        has_move: bool,
    ) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        let ct = self.s.command_timeout;
        match &self.s.after {
            After::None => {}
            After::Flag(k) => {
                let q = format!("+FLAGS.SILENT ({k})");
                timed("UID STORE", ct, async {
                    sess.uid_store(&set, &q)
                        .await?
                        .try_collect::<Vec<_>>()
                        .await
                        .map(|_| ())
                })
                .await?;
            }
            After::Move(target) => {
                if has_move {
                    timed("UID MOVE", ct, sess.uid_mv(&set, target)).await?;
                } else {
                    timed("UID COPY", ct, sess.uid_copy(&set, target)).await?;
                    timed("UID STORE", ct, async {
                        sess.uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                            .await?
                            .try_collect::<Vec<_>>()
                            .await
                            .map(|_| ())
                    })
                    .await?;
                    timed("UID EXPUNGE", ct, async {
                        sess.uid_expunge(&set)
                            .await?
                            .try_collect::<Vec<_>>()
                            .await
                            .map(|_| ())
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Hourly: every UID on the server between the first journalled one and
    /// the watermark must be in the journal; fetch any that are not.
    async fn maybe_recheck(
        &mut self,
        sess: &mut ImapSession,
        validity: u32,
        last: u32,
        has_move: bool,
    ) -> Result<(), ImapError> {
        let due = match self.last_recheck {
            None => true,
            Some(t) => t.elapsed() >= self.s.recheck_every,
        };
        if !due {
            return Ok(());
        }
        self.last_recheck = Some(Instant::now());
        let known = self.known_uids(validity)?;
        let Some(&min_known) = known.iter().next() else {
            return Ok(());
        };
        let all = timed(
            "UID SEARCH ALL",
            self.s.command_timeout,
            sess.uid_search("ALL"),
        )
        .await?;
        let mut missing: Vec<u32> = all
            .into_iter()
            .filter(|u| *u >= min_known && *u <= last && !known.contains(u))
            .collect();
        missing.sort_unstable();
        if missing.is_empty() {
            tracing::debug!(mailbox = %self.s.name, "full re-check: journal complete");
            return Ok(());
        }
        tracing::warn!(mailbox = %self.s.name, count = missing.len(), "full re-check found mails missing from the journal; fetching them");
        for chunk in missing.chunks(50) {
            let sizes = self.fetch_sizes(sess, &uid_set(chunk)).await?;
            let rec = self.fetch_and_record(sess, validity, chunk, &sizes).await?;
            self.deps.wake.notify_one();
            self.after_journal(sess, &rec, has_move).await?;
        }
        Ok(())
    }

    fn known_uids(&self, validity: u32) -> Result<std::collections::BTreeSet<u32>, ImapError> {
        let conn = self.deps.journal.conn();
        let mut stmt = conn
            .prepare("SELECT uid FROM mails WHERE mailbox=?1 AND uidvalidity=?2")
            .map_err(crate::journal::JournalError::from)?;
        let rows = stmt
            .query_map(rusqlite::params![self.s.name, validity], |r| {
                r.get::<_, u32>(0)
            })
            .map_err(crate::journal::JournalError::from)?;
        let mut out = std::collections::BTreeSet::new();
        for r in rows {
            out.insert(r.map_err(crate::journal::JournalError::from)?);
        }
        Ok(out)
    }

    /// One IDLE round: returns when new data may be there, on the re-issue
    /// interval, or on shutdown. Any sign of a dead connection is an error.
    async fn idle_once(
        &mut self,
        sess: ImapSession,
        shutdown: &CancellationToken,
    ) -> Result<(ImapSession, Wake), ImapError> {
        // EXISTS that arrived during the last FETCH/SEARCH would not wake the
        // coming IDLE (the IDLE/FETCH race): look before idling.
        if drain_new_mail(&sess) {
            return Ok((sess, Wake::Check));
        }
        if shutdown.is_cancelled() {
            return Ok((sess, Wake::Stop));
        }
        let mut idle = sess.idle();
        match tokio::time::timeout(Duration::from_secs(30), idle.init()).await {
            Ok(Ok(())) => {}
            Ok(Err(source)) => {
                return Err(ImapError::Imap {
                    what: "IDLE",
                    source,
                });
            }
            Err(_) => {
                return Err(ImapError::Timeout {
                    what: "IDLE start",
                    after: Duration::from_secs(30),
                });
            }
        }
        tracing::debug!(mailbox = %self.s.name, "IDLE");
        let outcome = {
            let (fut, _stop) = idle.wait_with_timeout(self.s.idle_silence);
            tokio::select! {
                r = fut => Some(r),
                _ = tokio::time::sleep(self.s.idle_interval) => None,
                _ = shutdown.cancelled() => None,
            }
            // `_stop` dropped here: ends the wait if it is still running.
        };
        let wake = match outcome {
            None if shutdown.is_cancelled() => Wake::Stop,
            None => {
                tracing::debug!(mailbox = %self.s.name, "re-issuing IDLE");
                Wake::Check
            }
            Some(Ok(IdleResponse::NewData(data))) => {
                let text = String::from_utf8_lossy(data.borrow_owner()).to_string();
                if text.starts_with("* BYE") {
                    return Err(ImapError::Closed(text.trim().to_string()));
                }
                // Dovecot says `* NO Internal error` when the selected folder
                // is deleted under us, and repeats it on every IDLE: the
                // session is unusable, so reconnect (and re-SELECT).
                if text.starts_with("* NO") || text.starts_with("* BAD") {
                    return Err(ImapError::Protocol(format!(
                        "server reported during IDLE: {}",
                        text.trim()
                    )));
                }
                tracing::debug!(mailbox = %self.s.name, response = %text.trim(), "IDLE woke");
                Wake::Check
            }
            Some(Ok(IdleResponse::Timeout)) => {
                tracing::debug!(mailbox = %self.s.name, "IDLE silent; probing the connection");
                Wake::Check
            }
            // The stop source is alive while we poll, so this is server EOF.
            Some(Ok(IdleResponse::ManualInterrupt)) => {
                return Err(ImapError::Closed("EOF during IDLE".into()));
            }
            Some(Err(source)) => {
                return Err(ImapError::Imap {
                    what: "IDLE",
                    source,
                });
            }
        };
        let sess = match tokio::time::timeout(Duration::from_secs(15), idle.done()).await {
            Ok(Ok(s)) => s,
            Ok(Err(source)) => {
                return Err(ImapError::Imap {
                    what: "DONE",
                    source,
                });
            }
            Err(_) => {
                return Err(ImapError::Timeout {
                    what: "DONE",
                    after: Duration::from_secs(15),
                });
            }
        };
        Ok((sess, wake))
    }

    /// Servers without IDLE: NOOP (also a liveness probe) every `poll_interval`.
    async fn poll_once(
        &mut self,
        mut sess: ImapSession,
        shutdown: &CancellationToken,
    ) -> Result<(ImapSession, Wake), ImapError> {
        tokio::select! {
            _ = shutdown.cancelled() => return Ok((sess, Wake::Stop)),
            _ = tokio::time::sleep(self.s.poll_interval) => {}
        }
        timed("NOOP", self.s.command_timeout, sess.noop()).await?;
        let _ = drain_new_mail(&sess);
        Ok((sess, Wake::Check))
    }
}

/// Empties the unsolicited channel; true when it showed new mail.
fn drain_new_mail(sess: &ImapSession) -> bool {
    let mut new = false;
    while let Ok(r) = sess.unsolicited_responses.try_recv() {
        if matches!(
            r,
            UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
        ) {
            new = true;
        }
    }
    new
}

/// At most this many bytes of mail bodies are held in memory per FETCH.
/// Bytes of small mails fetched in one command (each mail is in memory
/// until journalled).
const CHUNK_BYTES: u64 = 4 * 1024 * 1024;
/// Mails larger than this are fetched in pieces straight into the journal.
pub const STREAM_ABOVE: usize = 1024 * 1024;
/// One piece of a large mail.
pub const STREAM_PIECE: usize = 1024 * 1024;
/// A server that keeps sending past this is broken: the mail is cut here.
const STREAM_MAX: usize = 1024 * 1024 * 1024;

/// Groups sorted `(uid, size)` into FETCH batches of at most `max_n` mails
/// and `max_bytes` (a single larger mail gets a batch of its own).
pub fn chunks_by_size(found: &[(u32, u32)], max_n: usize, max_bytes: u64) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    let mut cur: Vec<u32> = Vec::new();
    let mut bytes = 0u64;
    for &(uid, size) in found {
        let size = u64::from(size);
        if !cur.is_empty() && (cur.len() >= max_n || bytes + size > max_bytes) {
            out.push(std::mem::take(&mut cur));
            bytes = 0;
        }
        cur.push(uid);
        bytes += size;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Compact IMAP sequence set: "1:5,7,9:10".
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted: Vec<u32> = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn cfg(host: &str, tls: TlsMode) -> MailboxConfig {
        MailboxConfig {
            name: "sales".into(),
            host: host.into(),
            port: None,
            tls,
            user: "u".into(),
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

    #[test]
    fn fetch_batches_bound_count_and_bytes() {
        let found: Vec<(u32, u32)> = (1..=7).map(|u| (u, 10)).collect();
        assert_eq!(
            chunks_by_size(&found, 3, 1000),
            vec![vec![1, 2, 3], vec![4, 5, 6], vec![7]]
        );
        assert_eq!(
            chunks_by_size(&[(1, 5), (2, 100), (3, 5), (4, 5)], 50, 20),
            vec![vec![1], vec![2], vec![3, 4]]
        );
        assert!(chunks_by_size(&[], 50, 20).is_empty());
    }

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 7, 9, 10]), "1:3,5,7,9:10");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn plaintext_only_to_loopback() {
        assert!(MailboxSettings::validate(&cfg("127.0.0.1", TlsMode::None)).is_ok());
        assert!(MailboxSettings::validate(&cfg("::1", TlsMode::None)).is_ok());
        assert!(MailboxSettings::validate(&cfg("localhost", TlsMode::None)).is_ok());
        let e = MailboxSettings::validate(&cfg("imap.example.ru", TlsMode::None))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"sales\"") && e.contains("insecure_plaintext"),
            "{e}"
        );
        let mut c = cfg("10.0.0.5", TlsMode::None);
        c.insecure_plaintext = true;
        assert!(MailboxSettings::validate(&c).is_ok());
        assert_eq!(
            MailboxSettings::validate(&cfg("imap.example.ru", TlsMode::Implicit))
                .unwrap()
                .port,
            993
        );
    }

    #[test]
    fn settings_defaults_and_errors() {
        let s = MailboxSettings::validate(&cfg("imap.x", TlsMode::Implicit)).unwrap();
        assert_eq!(s.idle_interval, Duration::from_secs(540));
        assert_eq!(s.poll_interval, Duration::from_secs(30));
        assert_eq!(s.after, After::None);
        let mut c = cfg("imap.x", TlsMode::Implicit);
        c.idle_interval = Some("soon".into());
        let e = MailboxSettings::validate(&c).unwrap_err().to_string();
        assert!(e.contains("idle_interval"), "{e}");
        let mut c = cfg("imap.x", TlsMode::Implicit);
        c.after = Some("move".into());
        assert!(MailboxSettings::validate(&c).is_err());
        c.after_target = Some("Processed".into());
        assert_eq!(
            MailboxSettings::validate(&c).unwrap().after,
            After::Move("Processed".into())
        );
        let mut c = cfg("imap.x", TlsMode::Implicit);
        c.since = Some("2026-11-01".into());
        assert!(MailboxSettings::validate(&c).unwrap().since.is_some());
        c.since = Some("01.11.2026".into());
        assert!(MailboxSettings::validate(&c).is_err());
    }

    #[test]
    fn backoff_grows_to_the_cap() {
        let (min, max) = (Duration::from_secs(1), Duration::from_secs(60));
        let b0 = backoff(min, max, 0);
        assert!(b0 >= Duration::from_millis(800) && b0 <= Duration::from_millis(1200));
        let b3 = backoff(min, max, 3);
        assert!(b3 >= Duration::from_millis(6400) && b3 <= Duration::from_millis(9600));
        assert!(backoff(min, max, 30) <= max);
        assert!(backoff(min, max, 30) >= Duration::from_secs(48));
    }

    #[test]
    fn missing_password_names_mailbox_and_key() {
        let e = MailboxSettings::from_config(&cfg("127.0.0.1", TlsMode::None))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"sales\""), "{e}");
    }
}
