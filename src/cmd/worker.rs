//! `amo-intake parse-worker`: the daemon's parse process (see
//! [`crate::worker`]); not for people. Logs go to stderr (the daemon's
//! journal), answers to stdout.

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    super::run::init_logging();
    // If memory runs out anyway (the unit's MemoryMax), the kernel should
    // pick this process, not the daemon: raising one's own score needs no
    // privilege. Best effort.
    let _ = std::fs::write("/proc/self/oom_score_adj", "500");
    // The daemon's memory budget for this worker (see crate::memory).
    if let Some(budget) = std::env::var(crate::memory::WORKER_BUDGET_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        match crate::memory::limit_address_space(budget) {
            Ok(cap) => tracing::debug!(cap_mb = cap >> 20, "parse worker address space capped"),
            Err(e) => {
                tracing::warn!(error = %e, "parse worker: cannot cap its memory; parsing without a cap")
            }
        }
    }
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    match crate::worker::serve(stdin, stdout) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            tracing::error!(error = %e, "parse worker stopped");
            Ok(ExitCode::FAILURE)
        }
    }
}
