//! Journalled mails to delivered leads: parse every `seen` mail with the
//! current rule set, store the request and its outbox row, deliver what is
//! due. (skeleton: the API the daemon relies on; delivery work fills it in)

use std::sync::Arc;

use arc_swap::ArcSwap;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::journal::Journal;
use crate::rules::RuleSet;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
}

/// What the pipeline needs; built by the daemon or the demo.
#[derive(Clone)]
pub struct PipelineDeps {
    pub journal: Arc<Journal>,
    pub rules: Arc<ArcSwap<RuleSet>>,
    pub config: Arc<Config>,
    /// Everything happens except the HTTP calls, whose payloads are logged.
    pub dry_run: bool,
}

pub struct Pipeline {
    deps: PipelineDeps,
}

impl Pipeline {
    pub fn new(deps: PipelineDeps) -> Result<Pipeline, PipelineError> {
        Ok(Pipeline { deps })
    }

    /// Parses every journalled mail not yet parsed, then delivers what is due.
    /// Returns how many mails or requests moved a step.
    pub async fn run_once(&self) -> Result<usize, PipelineError> {
        let _ = &self.deps;
        Ok(0)
    }

    /// Runs until `shutdown`: wakes on `wake` (a mail was journalled) or at the
    /// next retry time; finishes the step in hand before returning.
    pub async fn run(self, wake: Arc<Notify>, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = wake.notified() => {}
            }
            if let Err(e) = self.run_once().await {
                tracing::warn!(error = %e, "pipeline step failed");
            }
        }
    }
}
