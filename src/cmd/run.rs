//! `amo-intake run --config FILE`: the daemon (systemd `Type=notify`).
//!
//! This is the only place that knows about signals: SIGTERM/SIGINT cancel
//! the daemon's token, SIGHUP asks it to reload. Exit code 78 (EX_CONFIG)
//! when the config is bad at start, so systemd does not restart-loop.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::cmd::EX_CONFIG;
use crate::config::Config;
use crate::daemon::{self, DaemonError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (TOML).
    #[arg(long, short, default_value = "/etc/amo-intake/config.toml")]
    pub config: PathBuf,
}

/// Logs to stderr: no timestamps under journald (it adds its own), no
/// colours unless stderr is a terminal; `RUST_LOG` overrides the `info` default.
pub fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        // A write to a closed stderr must not panic the task that logs (by
        // default the subscriber reports it with `eprintln!`, which panics
        // on the same broken pipe): the SIGTERM task died that way and the
        // daemon no longer stopped.
        .log_internal_errors(false);
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().try_init()
    } else {
        builder.try_init()
    };
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            report_config_error(&e.to_string());
            return Ok(ExitCode::from(EX_CONFIG));
        }
    };
    // One scheduler thread is plenty for a few IMAP connections and HTTP
    // calls, and keeps the idle footprint small (fewer threads, fewer malloc
    // arenas); SQLite work runs on the blocking pool, which shrinks when idle.
    let rt = tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(4)
        .thread_keep_alive(std::time::Duration::from_secs(2))
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = rt.block_on(async move {
        let shutdown = CancellationToken::new();
        let reload = Arc::new(Notify::new());
        signals::install(shutdown.clone(), reload.clone())?;
        Ok::<_, anyhow::Error>(daemon::run(config, args.config, shutdown, reload).await)
    });
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    match result? {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(DaemonError::Config(msg)) => {
            report_config_error(&msg);
            Ok(ExitCode::from(EX_CONFIG))
        }
        Err(e) => Err(e.into()),
    }
}

fn report_config_error(msg: &str) {
    for line in msg.lines() {
        eprintln!("{line}");
    }
    eprintln!("amo-intake: bad configuration; nothing started (exit {EX_CONFIG})");
}

mod signals {
    use super::*;

    /// SIGTERM/SIGINT → `shutdown`; SIGHUP → `reload`.
    pub fn install(shutdown: CancellationToken, reload: Arc<Notify>) -> anyhow::Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
        let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
        let mut hup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = term.recv() => { tracing::info!("SIGTERM"); shutdown.cancel(); }
                    _ = int.recv() => { tracing::info!("SIGINT"); shutdown.cancel(); }
                    _ = hup.recv() => { tracing::info!("SIGHUP"); reload.notify_one(); }
                }
            }
        });
        Ok(())
    }
}
