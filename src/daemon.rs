//! Task wiring, shutdown, reload and sd_notify for `amo-intake run`.
//!
//! Ownership: [`run`] owns every task. Mailbox watchers (one per
//! `[[mailbox]]`) journal mails and wake the pipeline through one
//! [`Notify`]; the pipeline parses and delivers; the SLA watcher follows the
//! deadlines and alerts. Signals are not handled here: the caller
//! passes a [`CancellationToken`] for SIGTERM and a [`Notify`] for SIGHUP, so
//! tests can drive the daemon without signals.
//!
//! Reload keeps the daemon's promise "a broken edit never stops intake":
//! the new config and rule set are validated in full first; on any error
//! every `path:line:col` is logged and the old set stays in force.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use sd_notify::NotifyState;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::journal::Journal;
use crate::mail::imap::{self, MailboxSettings, WatcherDeps};
use crate::pipeline::{Pipeline, PipelineDeps};
use crate::rules::RuleSet;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// Bad configuration at start: the caller exits with 78 (EX_CONFIG).
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::PipelineError),
}

/// How long tasks get to finish the step in hand after SIGTERM (systemd's
/// default TimeoutStopSec is 90 s; we promise 10 s).
const DRAIN: Duration = Duration::from_secs(8);

/// Delivery lanes of the daemon (see `crm::deliver::Lane`).
const DELIVERY_LANES: usize = 4;

/// Everything validated from a config file, before anything is swapped in.
struct Loaded {
    config: Config,
    /// Where the config came from: `[sla]`/`[alerts]` paths are relative to it.
    config_path: PathBuf,
    config_text: Option<String>,
    mailboxes: Vec<MailboxSettings>,
    rules: RuleSet,
}

/// The daemon's start-up checks that need no secret and no network:
/// duplicate mailbox names, plaintext policy, durations, `after`, the
/// metrics address. One message per problem; `amo-intake check` may call it.
pub fn check_config(config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    let mut names = std::collections::HashSet::new();
    for m in &config.mailbox {
        if !names.insert(m.name.clone()) {
            problems.push(format!(
                "mailbox name {:?} is used twice; each [[mailbox]] needs its own name (it keys the state file)",
                m.name
            ));
        }
        if let Err(e) = MailboxSettings::validate(m) {
            problems.push(e.to_string());
        }
    }
    if let Some(m) = &config.metrics
        && let Err(e) = crate::metrics::parse_listen(&m.listen)
    {
        problems.push(e.to_string());
    }
    problems
}

/// Validates a config in full (the checks above, then secrets and the rule
/// folder). Every problem, one per line.
fn load(config: Config, config_path: &Path) -> Result<Loaded, String> {
    let mut problems = check_config(&config);
    let config_text = std::fs::read_to_string(config_path).ok();
    for d in crate::sla::check_config(&config, config_path, config_text.as_deref()).0 {
        problems.push(d.to_string());
    }
    let mut mailboxes = Vec::new();
    if problems.is_empty() {
        for m in &config.mailbox {
            match MailboxSettings::from_config(m) {
                Ok(s) => mailboxes.push(s),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    let rules = match RuleSet::load_layered(Some(&config.rules.dir), config.rules.shipped) {
        Ok(r) => Some(r),
        Err(d) => {
            for x in d.sorted().0 {
                problems.push(x.to_string());
            }
            None
        }
    };
    match rules {
        Some(rules) if problems.is_empty() => Ok(Loaded {
            config,
            config_path: config_path.to_path_buf(),
            config_text,
            mailboxes,
            rules,
        }),
        _ => Err(problems.join("\n")),
    }
}

fn notify(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::debug!(error = %e, "sd_notify failed");
    }
}

/// The systemd STATUS line: "IDLE on INBOX · 2 waiting for a callback".
pub fn status_line(config: &Config) -> String {
    let states = crate::metrics::global().mailbox_states();
    let mut parts = Vec::new();
    for m in &config.mailbox {
        let st = states
            .iter()
            .find(|(k, _)| *k == m.name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("starting");
        if config.mailbox.len() > 1 {
            parts.push(format!("{st} on {} ({})", m.folder, m.name));
        } else {
            parts.push(format!("{st} on {}", m.folder));
        }
    }
    if parts.is_empty() {
        parts.push("no mailbox configured".into());
    }
    let waiting = crate::metrics::global().sla_waiting();
    format!("{} · {waiting} waiting for a callback", parts.join(", "))
}

/// The running pieces that a reload may replace.
struct Generation {
    /// Cancels this generation's watchers and pipeline.
    stop: CancellationToken,
    tasks: TaskTracker,
    config: Arc<Config>,
}

fn spawn_generation(
    loaded: &Loaded,
    limiter: &Arc<crate::crm::RateLimiter>,
    journal: &Arc<Journal>,
    rules: &Arc<ArcSwap<RuleSet>>,
    wake: &Arc<Notify>,
    parent: &CancellationToken,
) -> Result<Generation, DaemonError> {
    let stop = parent.child_token();
    let tasks = TaskTracker::new();
    let config = Arc::new(loaded.config.clone());
    for s in &loaded.mailboxes {
        crate::metrics::global().watch_mailbox(&s.name);
        let deps = WatcherDeps {
            journal: journal.clone(),
            wake: wake.clone(),
        };
        tasks.spawn(imap::watch(s.clone(), deps, stop.child_token()));
    }
    let dry_run = config.amocrm.as_ref().map(|a| a.dry_run).unwrap_or(true);
    let policy = crate::sla::Policy::from_config(
        &config.sla,
        &loaded.config_path,
        loaded.config_text.as_deref(),
    )
    .map_err(|d| DaemonError::Config(d.to_string()))?;
    let mut pipeline = Pipeline::new(PipelineDeps {
        journal: journal.clone(),
        rules: rules.clone(),
        config: config.clone(),
        dry_run,
    })?
    // Call tasks are due at the business-hours deadline the SLA watch uses.
    .with_deadline(Arc::new(policy).deadline_fn());
    // One slow amoCRM call holds only its client's lane.
    pipeline = pipeline.with_lanes(DELIVERY_LANES);
    if let Some(w) = crate::worker::ParseWorker::from_config(&config.parse) {
        pipeline = pipeline.with_worker(w);
    }
    // The process's one rate limiter outlives reloads, so a reload cannot
    // start a fresh burst on top of the old generation's requests.
    if let Some(c) =
        crate::crm::client::client_from_config(&config, journal.clone(), limiter.clone(), dry_run)
            .map_err(|e| DaemonError::Config(e.to_string()))?
    {
        pipeline = pipeline.with_client(Arc::new(c));
    }
    let client = pipeline.client().cloned();
    tasks.spawn(pipeline.run(wake.clone(), stop.child_token()));
    // Mails journalled before a restart are waiting: look at them now.
    wake.notify_one();
    // The SLA watch restarts with the rest on a config reload. It reads
    // evidence through the pipeline's client, so its calls share the one
    // rate limiter. A dry run creates no real leads, so there is nothing to
    // watch and no one to alert.
    match client {
        Some(c) if !dry_run => {
            let watch = crate::sla::watch_from_config(
                &config,
                &loaded.config_path,
                loaded.config_text.as_deref(),
                journal.clone(),
                Arc::new(crate::crm::events::EventsEvidence::new(c.clone())),
                Arc::new(crate::sla::TokioClock::new()),
                Some(c.clone()),
            )
            .map_err(|e| DaemonError::Config(e.to_string()))?
            // Chats, calls, other integrations and the procedure checks
            // (polled only when [sla.sources]/[sla.procedure] ask for it).
            .with_feed(Arc::new(crate::crm::events::EventsEvidence::new(c.clone())));
            tasks.spawn(watch.run(stop.child_token()));
            // Admin alerts (token revoked, amoCRM blocking us, a request
            // quarantined) go to the head of sales' channels as well as the log.
            let admin = crate::alert::Alerter::from_config(
                &config,
                &loaded.config_path,
                loaded.config_text.as_deref(),
            )
            .map_err(|e| DaemonError::Config(e.to_string()))?;
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            c.set_alert_sender(tx);
            tasks.spawn(forward_admin_alerts(rx, admin, stop.child_token()));
        }
        _ => tracing::info!("callback watch off: no amoCRM account (dry run)"),
    }
    tasks.close();
    Ok(Generation {
        stop,
        tasks,
        config,
    })
}

/// Sends each admin alert from the amoCRM client to the head of sales.
async fn forward_admin_alerts(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<crate::crm::AdminAlert>,
    alerter: crate::alert::Alerter,
    stop: CancellationToken,
) {
    loop {
        let alert = tokio::select! {
            _ = stop.cancelled() => return,
            a = rx.recv() => match a {
                Some(a) => a,
                None => return,
            },
        };
        tracing::error!(kind = ?alert.kind, "admin alert: {}", alert.message);
        let text = format!("amo-intake, администратору: {}", alert.message);
        for e in alerter.broadcast_head(&text).await {
            tracing::warn!(error = %e, "admin alert not delivered");
        }
    }
}

impl Generation {
    async fn stop(self, name: &str) {
        self.stop.cancel();
        if tokio::time::timeout(DRAIN, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                generation = name,
                "tasks did not finish within {DRAIN:?}; leaving them"
            );
        }
    }
}

/// Runs the daemon until `shutdown` is cancelled. `reload` is notified on
/// SIGHUP (and by the rules-folder watch).
pub async fn run(
    config: Config,
    config_path: PathBuf,
    shutdown: CancellationToken,
    reload: Arc<Notify>,
) -> Result<(), DaemonError> {
    let loaded = load(config, &config_path).map_err(DaemonError::Config)?;
    let metrics_listener = match &loaded.config.metrics {
        Some(m) => Some(
            crate::metrics::bind(&m.listen)
                .await
                .map_err(|e| DaemonError::Config(e.to_string()))?,
        ),
        None => None,
    };
    let state_path = loaded.config.state.path.clone();
    let journal = Arc::new(
        tokio::task::spawn_blocking(move || Journal::open(&state_path))
            .await
            .map_err(|e| DaemonError::Config(format!("cannot open the state file: {e}")))??,
    );
    tracing::info!(
        config = %config_path.display(),
        state = %journal.path().display(),
        mailboxes = loaded.mailboxes.len(),
        rules = loaded.rules.rules().len(),
        rules_version = loaded.rules.version(),
        active = %loaded.rules.describe().join("; "),
        "config, rules and state loaded"
    );
    let rules = Arc::new(ArcSwap::from_pointee(loaded.rules.clone()));
    let wake = Arc::new(Notify::new());
    let background = TaskTracker::new();
    if let Some(l) = metrics_listener {
        if let Ok(addr) = l.local_addr() {
            tracing::info!(%addr, "serving /metrics");
        }
        background.spawn(crate::metrics::serve(
            l,
            Some(journal.clone()),
            shutdown.child_token(),
        ));
    }
    let _rules_watch = if loaded.config.rules.watch {
        watch_rules_dir(
            &loaded.config.rules.dir,
            reload.clone(),
            &background,
            &shutdown,
        )
    } else {
        None
    };
    let limiter = crate::crm::client::daemon_limiter(&loaded.config);
    let mut current = spawn_generation(&loaded, &limiter, &journal, &rules, &wake, &shutdown)?;
    notify(&[
        NotifyState::Ready,
        NotifyState::Status(&status_line(&current.config)),
    ]);
    tracing::info!("ready");

    let mut watchdog_usec = 0u64;
    let watchdog = sd_notify::watchdog_enabled(false, &mut watchdog_usec);
    let tick = if watchdog {
        Duration::from_micros(watchdog_usec / 3)
            .clamp(Duration::from_millis(500), Duration::from_secs(10))
    } else {
        Duration::from_secs(10)
    };
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = reload.notified() => {
                current = do_reload(&config_path, current, &limiter, &journal, &rules, &wake, &shutdown).await;
            }
            _ = ticker.tick() => {
                // WATCHDOG only while the journal answers: a wedged state file
                // (disk gone, lock stuck) gets us restarted by systemd.
                let j = journal.clone();
                let alive = tokio::time::timeout(
                    Duration::from_secs(5),
                    tokio::task::spawn_blocking(move || j.count_mails(Some("seen"))),
                )
                .await;
                let status = status_line(&current.config);
                match alive {
                    Ok(Ok(Ok(_))) => {
                        if watchdog {
                            notify(&[NotifyState::Watchdog, NotifyState::Status(&status)]);
                        } else {
                            notify(&[NotifyState::Status(&status)]);
                        }
                    }
                    _ => tracing::warn!("state file does not answer; withholding the watchdog ping"),
                }
            }
        }
    }
    tracing::info!("stopping: finishing the step in hand");
    notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
    current.stop("main").await;
    background.close();
    let _ = tokio::time::timeout(Duration::from_secs(1), background.wait()).await;
    tracing::info!("stopped");
    Ok(())
}

async fn do_reload(
    config_path: &Path,
    current: Generation,
    limiter: &Arc<crate::crm::RateLimiter>,
    journal: &Arc<Journal>,
    rules: &Arc<ArcSwap<RuleSet>>,
    wake: &Arc<Notify>,
    shutdown: &CancellationToken,
) -> Generation {
    let mono = NotifyState::monotonic_usec_now().ok();
    let mut states = vec![NotifyState::Reloading];
    if let Some(m) = mono {
        states.push(m);
    }
    notify(&states);
    tracing::info!(config = %config_path.display(), "reloading config and rules");
    let path = config_path.to_path_buf();
    let result = tokio::task::spawn_blocking(move || {
        let config = Config::load(&path).map_err(|e| e.to_string())?;
        load(config, &path)
    })
    .await
    .unwrap_or_else(|e| Err(format!("reload task failed: {e}")));
    let next = match result {
        Err(problems) => {
            for line in problems.lines() {
                tracing::error!("{line}");
            }
            tracing::error!(
                "reload rejected: keeping the previous config and rules; fix the problems above and reload again"
            );
            crate::metrics::global().reload(false);
            current
        }
        Ok(loaded) => {
            rules.store(Arc::new(loaded.rules.clone()));
            crate::metrics::global().reload(true);
            tracing::info!(
                rules = loaded.rules.rules().len(),
                rules_version = loaded.rules.version(),
                "reload ok"
            );
            if format!("{:?}", loaded.config) == format!("{:?}", current.config) {
                current
            } else {
                tracing::info!("config changed: restarting mailbox watchers and the pipeline");
                current.stop("old").await;
                match spawn_generation(&loaded, limiter, journal, rules, wake, shutdown) {
                    Ok(g) => g,
                    Err(e) => {
                        // Nothing runs now: exit so systemd restarts us.
                        tracing::error!(error = %e, "cannot start with the new config; exiting");
                        shutdown.cancel();
                        Generation {
                            stop: shutdown.child_token(),
                            tasks: TaskTracker::new(),
                            config: Arc::new(loaded.config),
                        }
                    }
                }
            }
        }
    };
    notify(&[
        NotifyState::Ready,
        NotifyState::Status(&status_line(&next.config)),
    ]);
    next
}

/// Debounced watch of the rules folder: editors save by rename, so the
/// directory is watched; only `*.toml` that are not dotfiles count.
fn watch_rules_dir(
    dir: &Path,
    reload: Arc<Notify>,
    tasks: &TaskTracker,
    shutdown: &CancellationToken,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(64);
    let handler = move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && ev.paths.iter().any(|p| is_rule_file(p))
        {
            let _ = tx.try_send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch the rules folder; reload with SIGHUP");
            return None;
        }
    };
    if let Err(e) = watcher.watch(dir, notify::RecursiveMode::NonRecursive) {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot watch the rules folder; reload with SIGHUP");
        return None;
    }
    let stop = shutdown.child_token();
    tasks.spawn(async move {
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                got = rx.recv() => if got.is_none() { return },
            }
            // Debounce: wait for 1.5 s of quiet.
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_millis(1500)) => break,
                    got = rx.recv() => if got.is_none() { return },
                }
            }
            tracing::info!("rules folder changed");
            reload.notify_one();
        }
    });
    tracing::info!(dir = %dir.display(), "watching the rules folder");
    Some(watcher)
}

/// `*.toml`, not a dotfile, not an editor temp/backup file.
pub fn is_rule_file(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    !name.starts_with('.')
        && !name.starts_with('#')
        && !name.ends_with('~')
        && name.ends_with(".toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_is_valid() {
        let text = include_str!("../examples/config.toml");
        let c = Config::parse(Path::new("examples/config.toml"), text);
        let Ok(c) = c else {
            panic!("{}", c.err().map(|d| d.to_string()).unwrap_or_default());
        };
        assert_eq!(c.mailbox.len(), 1);
        for m in &c.mailbox {
            let s = MailboxSettings::validate(m);
            assert!(s.is_ok(), "{:?}", s.err().map(|e| e.to_string()));
        }
    }

    #[test]
    fn rule_file_filter() {
        assert!(is_rule_file(Path::new("/r/tilda.toml")));
        assert!(!is_rule_file(Path::new("/r/.tilda.toml.swp")));
        assert!(!is_rule_file(Path::new("/r/.#tilda.toml")));
        assert!(!is_rule_file(Path::new("/r/tilda.toml~")));
        assert!(!is_rule_file(Path::new("/r/README.md")));
        assert!(!is_rule_file(Path::new("/r/4913")));
    }

    #[test]
    fn status_line_names_folder_and_waiting() {
        let mut c = Config::default();
        assert_eq!(
            status_line(&c),
            "no mailbox configured · 0 waiting for a callback"
        );
        c.mailbox.push(crate::config::MailboxConfig {
            name: "status-test".into(),
            host: "127.0.0.1".into(),
            port: None,
            tls: crate::config::TlsMode::None,
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
        });
        crate::metrics::global().set_mailbox_state("status-test", "IDLE");
        assert_eq!(status_line(&c), "IDLE on INBOX · 0 waiting for a callback");
    }
}
