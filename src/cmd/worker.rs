//! `amo-intake parse-worker`: the daemon's parse process (see
//! [`crate::worker`]); not for people. Logs go to stderr (the daemon's
//! journal), answers to stdout.

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    super::run::init_logging();
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
