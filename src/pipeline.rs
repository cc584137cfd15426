//! Journalled mails to delivered leads: parse every `seen` mail with the
//! current rule set, store the request and its outbox row, deliver what is
//! due (see [`crate::crm::deliver`] for the exactly-once protocol).
//!
//! Owns nothing global: the journal, the rule set and the config come in
//! [`PipelineDeps`]; the amoCRM client (with the daemon's one rate limiter)
//! is built from the config or injected with [`Pipeline::with_client`].

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::crm::catalog::Catalog;
use crate::crm::client::{AuthConfig, Client, ClientOptions, CrmError, DryRunCall};
use crate::crm::deliver::Deliverer;
use crate::crm::payload::Defaults;
use crate::crm::ratelimit::RateLimiter;
use crate::journal::Journal;
use crate::journal::outbox::NewRequest;
use crate::request::Request;
use crate::rules::{CrmSpec, ParseOptions, RuleSet};
use crate::worker::ParseWorker;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    #[error(transparent)]
    Crm(#[from] CrmError),
}

impl PipelineError {
    /// A test failpoint fired: the caller must behave as if the process died.
    pub fn is_failpoint(&self) -> bool {
        matches!(self, PipelineError::Crm(CrmError::Failpoint(_)))
    }
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

/// SLA deadline for a request: (request, the rule's `sla` override in
/// seconds, SLA start unix ms) → due unix ms.
pub type DeadlineFn = Arc<dyn Fn(&Request, Option<u64>, i64) -> Option<i64> + Send + Sync>;

/// Catalog refresh period (names admins add in amoCRM show up within it).
const CATALOG_TTL_S: i64 = 3600;

pub struct Pipeline {
    deps: PipelineDeps,
    client: Option<Arc<Client>>,
    /// tokio Mutex: initialised lazily (catalog load is a network call).
    deliverer: Mutex<Option<Arc<Deliverer>>>,
    defaults: Defaults,
    parse: ParseOptions,
    deadline: Option<DeadlineFn>,
    catalog_override: Option<Catalog>,
    worker: Option<ParseWorker>,
    /// Called once a burst of work has been quiet for [`QUIET_BEFORE_TRIM`].
    after_burst: fn(),
    /// Failed attempts to store a parsed mail's request, by mail id.
    store_failures: Mutex<std::collections::HashMap<i64, u32>>,
}

/// Attempts to store a mail's request before the mail is quarantined.
const STORE_ATTEMPTS: u32 = 3;

/// The daemon's one limiter when the pipeline builds its own client.
pub fn limiter_from(config: &Config) -> Arc<RateLimiter> {
    let rate = config
        .amocrm
        .as_ref()
        .and_then(|a| a.rate_limit)
        .unwrap_or(6.0);
    Arc::new(RateLimiter::new(rate))
}

/// Builds the amoCRM client described by `[amocrm]` (secrets read here).
pub fn client_from_config(
    config: &Config,
    journal: Arc<Journal>,
    limiter: Arc<RateLimiter>,
    dry_run: bool,
) -> Result<Option<Client>, CrmError> {
    let amo = config.amocrm.as_ref();
    if dry_run || amo.is_some_and(|a| a.dry_run) {
        let mut o = ClientOptions::new(
            "http://dry-run.invalid",
            AuthConfig::LongLived(String::new()),
            limiter,
        );
        o.dry_run = true;
        return Client::new(o).map(Some);
    }
    let Some(amo) = amo else { return Ok(None) };
    let base = ClientOptions::base_url_from(amo)?;
    let auth = match &amo.client_id {
        Some(id) => {
            let secret = crate::config::read_secret(
                amo.client_secret_file.as_deref(),
                "client_secret_file",
                "amocrm-client-secret",
                "amoCRM OAuth client secret",
            )
            .map_err(|e| CrmError::Config(e.to_string()))?;
            AuthConfig::OAuth {
                client_id: id.clone(),
                client_secret: secret,
                redirect_uri: amo.redirect_uri.clone().unwrap_or_default(),
            }
        }
        None => AuthConfig::LongLived(
            crate::config::read_secret(
                amo.token_file.as_deref(),
                "token_file",
                "amocrm-token",
                "amoCRM long-lived token",
            )
            .map_err(|e| CrmError::Config(e.to_string()))?,
        ),
    };
    let mut o = ClientOptions::new(&base, auth, limiter);
    o.journal = Some(journal);
    Client::new(o).map(Some)
}

impl Pipeline {
    pub fn new(deps: PipelineDeps) -> Result<Pipeline, PipelineError> {
        let limiter = limiter_from(&deps.config);
        let client = client_from_config(&deps.config, deps.journal.clone(), limiter, deps.dry_run)?
            .map(Arc::new);
        let parse = ParseOptions {
            region: deps.config.parse.region.clone(),
            max_mail_bytes: deps.config.parse.max_mail_bytes,
        };
        Ok(Pipeline {
            defaults: Defaults::from_config(&deps.config),
            deps,
            client,
            deliverer: Mutex::new(None),
            parse,
            deadline: None,
            catalog_override: None,
            worker: None,
            after_burst: crate::memory::release_free_memory,
            store_failures: Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// Uses this client (shared limiter, alert channel, test options).
    pub fn with_client(mut self, client: Arc<Client>) -> Pipeline {
        self.client = Some(client);
        self
    }

    /// SLA deadlines from the SLA module (default: start + callback_within).
    /// Parses in a child process (the daemon); without it, in this one.
    pub fn with_worker(mut self, w: ParseWorker) -> Pipeline {
        self.worker = Some(w);
        self
    }

    pub fn with_deadline(mut self, f: DeadlineFn) -> Pipeline {
        self.deadline = Some(f);
        self
    }

    /// Uses this catalog instead of loading it (tests, demo).
    pub fn with_catalog(mut self, c: Catalog) -> Pipeline {
        self.catalog_override = Some(c);
        self
    }

    pub fn client(&self) -> Option<&Arc<Client>> {
        self.client.as_ref()
    }

    /// Every amoCRM call a dry run would have made, with its JSON body.
    pub fn dry_run_log(&self) -> Vec<DryRunCall> {
        self.client
            .as_ref()
            .map(|c| c.dry_run_log())
            .unwrap_or_default()
    }

    fn deadline_for(&self, r: &Request, spec: &CrmSpec, start_ms: i64) -> Option<i64> {
        if let Some(f) = &self.deadline {
            return f(r, spec.sla_secs, start_ms);
        }
        let secs = spec
            .sla_secs
            .map(|s| s as i64)
            .unwrap_or(self.defaults.callback_within_s);
        Some(start_ms + secs * 1000)
    }

    /// Journals a request built outside the mail path (tests, benchmarks,
    /// manual re-sends). Idempotent by `key`.
    pub fn enqueue(
        &self,
        key: &str,
        request: &Request,
        spec: &CrmSpec,
    ) -> Result<i64, PipelineError> {
        let now = crate::journal::now_ms();
        let e = self.deps.journal.enqueue_request(&NewRequest {
            mail_id: None,
            key,
            request,
            spec,
            rule_set: "direct",
            received_at_ms: now,
            deadline_ms: if request.action == crate::request::Action::Lead {
                self.deadline_for(request, spec, now)
            } else {
                None
            },
        })?;
        Ok(e.request_id)
    }

    /// Parses every journalled mail not yet parsed (a parse that panics
    /// quarantines the mail with the reason). Returns how many moved.
    pub async fn parse_seen(&self) -> Result<usize, PipelineError> {
        let rules = self.deps.rules.load_full();
        let mut moved = 0;
        // Mails whose request could not be stored: left for the next pass.
        let mut skip = std::collections::HashSet::new();
        loop {
            let mut mails = self.deps.journal.seen_mails(100 + skip.len())?;
            mails.retain(|m| !skip.contains(&m.id));
            if mails.is_empty() {
                return Ok(moved);
            }
            for m in mails {
                let mail = crate::worker::MailBytes::of(&m, &self.deps.journal);
                let parsed = match &self.worker {
                    Some(w) => w.parse(&rules, &self.parse, mail).await,
                    None => crate::worker::parse_in_process(&rules, mail, &self.parse),
                };
                let request = match parsed {
                    Ok(r) => r,
                    Err(what) => {
                        self.quarantine(&m, rules.version(), &format!(
                            "parser crashed on this mail ({what}); kept for a human, report it as a bug"
                        ))?;
                        moved += 1;
                        continue;
                    }
                };
                let spec = request
                    .rule
                    .as_deref()
                    .and_then(|n| rules.get(n))
                    .map(|r| r.crm.clone())
                    .unwrap_or_default();
                let start = m.internal_date_ms.unwrap_or(m.received_at_ms);
                let key = m.key();
                let stored = self.deps.journal.enqueue_request(&NewRequest {
                    mail_id: Some(m.id),
                    key: &key,
                    request: &request,
                    spec: &spec,
                    rule_set: rules.version(),
                    received_at_ms: start,
                    deadline_ms: if request.action == crate::request::Action::Lead {
                        self.deadline_for(&request, &spec, start)
                    } else {
                        None
                    },
                });
                let e = match stored {
                    Ok(e) => {
                        self.store_failures.lock().await.remove(&m.id);
                        e
                    }
                    Err(err) => {
                        // One mail's request that cannot be stored must not
                        // hold the others: retried a bounded number of
                        // times (a full disk passes), then quarantined.
                        let mut f = self.store_failures.lock().await;
                        let n = f.entry(m.id).or_insert(0);
                        *n += 1;
                        if *n < STORE_ATTEMPTS {
                            tracing::warn!(mail_id = m.id, attempt = *n, error = %err, "request parsed from this mail not stored; will retry");
                            skip.insert(m.id);
                            continue;
                        }
                        f.remove(&m.id);
                        self.quarantine(&m, rules.version(), &format!(
                            "the request parsed from this mail could not be stored {STORE_ATTEMPTS} times ({err}); kept for a human"
                        ))?;
                        moved += 1;
                        continue;
                    }
                };
                tracing::info!(mail_id = m.id, uid = m.uid, %key, request_id = e.request_id, action = request.action.as_str(), rule = request.rule.as_deref().unwrap_or("-"), "mail parsed and queued");
                crate::metrics::global().request(request.action.as_str());
                moved += 1;
            }
        }
    }

    /// Sets a mail aside with the reason (logged once, kept in the journal).
    fn quarantine(
        &self,
        m: &crate::journal::outbox::SeenMail,
        rule_set: &str,
        reason: &str,
    ) -> Result<(), PipelineError> {
        tracing::error!(mail_id = m.id, uid = m.uid, mailbox = %m.mailbox, %reason, "mail quarantined");
        self.deps.journal.quarantine_mail(m.id, rule_set, reason)?;
        Ok(())
    }

    async fn deliverer(&self) -> Result<Option<Arc<Deliverer>>, PipelineError> {
        let Some(client) = self.client.clone() else {
            return Ok(None);
        };
        let mut g = self.deliverer.lock().await;
        let now = jiff::Timestamp::now().as_second();
        if let Some(d) = g.as_ref() {
            if !client.is_dry_run()
                && self.catalog_override.is_none()
                && now - d.catalog().loaded_at > CATALOG_TTL_S
            {
                match Catalog::load(&client).await {
                    Ok(c) => d.set_catalog(c),
                    Err(e) if e.is_failpoint() => return Err(e.into()),
                    Err(e) => {
                        tracing::warn!(error = %e, "amoCRM catalog refresh failed; keeping the old one")
                    }
                }
            }
            return Ok(Some(d.clone()));
        }
        let catalog = match &self.catalog_override {
            Some(c) => c.clone(),
            None if client.is_dry_run() => Catalog::builtin(),
            None => Catalog::load(&client).await?,
        };
        if let Some(amo) = &self.deps.config.amocrm {
            for p in crate::crm::names::validate_config(amo, &catalog) {
                tracing::error!("{p}");
            }
        }
        let d = Arc::new(Deliverer::new(
            client,
            self.deps.journal.clone(),
            catalog,
            self.defaults.clone(),
        ));
        *g = Some(d.clone());
        Ok(Some(d))
    }

    /// Parses every journalled mail not yet parsed, then delivers what is due.
    /// Returns how many mails or requests moved a step.
    pub async fn run_once(&self) -> Result<usize, PipelineError> {
        let mut moved = self.parse_seen().await?;
        if let Some(d) = self.deliverer().await? {
            moved += d.deliver_due().await?;
        }
        Ok(moved)
    }

    /// Runs until `shutdown`: wakes on `wake` (a mail was journalled) or at the
    /// next retry time; finishes the step in hand before returning.
    pub async fn run(self, wake: Arc<Notify>, shutdown: CancellationToken) {
        // Work done since the heap was last trimmed (see `crate::memory`).
        let mut dirty = false;
        loop {
            let mut pause = Duration::from_secs(60);
            match self.run_once().await {
                Ok(moved) => dirty |= moved > 0,
                Err(PipelineError::Crm(CrmError::Stopped(why))) => {
                    tracing::error!(%why, "amoCRM delivery stopped; requests stay queued");
                    pause = Duration::from_secs(3600);
                }
                Err(e) if e.is_failpoint() => return,
                Err(e) => {
                    tracing::warn!(error = %e, "pipeline step failed");
                    pause = Duration::from_secs(30);
                }
            }
            if let Ok(Some(due)) = self.deps.journal.next_due_ms() {
                let ms = (due - crate::journal::now_ms()).max(0) as u64;
                pause = pause.min(Duration::from_millis(ms.max(50)));
            }
            if dirty && pause > QUIET_BEFORE_TRIM {
                // A burst is over once it has been quiet for a moment: give
                // the heap it used back to the system.
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = wake.notified() => continue,
                    _ = tokio::time::sleep(QUIET_BEFORE_TRIM) => {
                        (self.after_burst)();
                        dirty = false;
                        pause -= QUIET_BEFORE_TRIM;
                    }
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// How long the pipeline must be idle before it trims the heap.
const QUIET_BEFORE_TRIM: Duration = Duration::from_secs(2);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::journal::mails::IncomingMail;

    static AFTER_BURST: AtomicU32 = AtomicU32::new(0);

    fn counted() {
        AFTER_BURST.fetch_add(1, Ordering::SeqCst);
    }

    #[tokio::test(start_paused = true)]
    async fn the_heap_is_trimmed_once_a_burst_has_been_quiet() {
        let journal = Arc::new(Journal::in_memory().unwrap());
        let mut p = Pipeline::new(PipelineDeps {
            journal: journal.clone(),
            rules: Arc::new(ArcSwap::from_pointee(RuleSet::builtin())),
            config: Arc::new(Config::default()),
            dry_run: true,
        })
        .unwrap();
        p.after_burst = counted;
        let wake = Arc::new(Notify::new());
        let stop = CancellationToken::new();
        let run = tokio::spawn(p.run(wake.clone(), stop.clone()));
        // Nothing to do: no trim, however long it waits.
        tokio::time::sleep(Duration::from_secs(300)).await;
        assert_eq!(AFTER_BURST.load(Ordering::SeqCst), 0);
        journal
            .record_mail(&IncomingMail {
                mailbox: "sales".into(),
                uidvalidity: 1,
                uid: 1,
                internal_date_ms: None,
                raw: b"From: Tilda <robot@tilda.ws>\r\nMessage-ID: <t1@x>\r\n\r\nName: Anna\r\nPhone: +7 912 345-67-89\r\n".to_vec(),
            })
            .unwrap();
        wake.notify_one();
        tokio::time::sleep(QUIET_BEFORE_TRIM / 2).await;
        assert!(journal.seen_mails(10).unwrap().is_empty(), "mail parsed");
        assert_eq!(AFTER_BURST.load(Ordering::SeqCst), 0, "not while busy");
        tokio::time::sleep(QUIET_BEFORE_TRIM).await;
        assert_eq!(AFTER_BURST.load(Ordering::SeqCst), 1, "once quiet");
        // Still quiet: no second trim until there is work again.
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(AFTER_BURST.load(Ordering::SeqCst), 1);
        stop.cancel();
        run.await.unwrap();
    }

    /// A mail whose request cannot be stored (here: a trigger refuses its
    /// row, as a damaged page or a full disk would) does not hold the mail
    /// behind it, and is quarantined with the reason after a bounded number
    /// of passes instead of failing the step forever.
    #[tokio::test]
    async fn a_request_that_cannot_be_stored_is_quarantined_and_does_not_stall_the_next() {
        let journal = Arc::new(Journal::in_memory().unwrap());
        let p = Pipeline::new(PipelineDeps {
            journal: journal.clone(),
            rules: Arc::new(ArcSwap::from_pointee(RuleSet::builtin())),
            config: Arc::new(Config::default()),
            dry_run: true,
        })
        .unwrap();
        for uid in [1, 2] {
            journal
                .record_mail(&IncomingMail {
                    mailbox: "sales".into(),
                    uidvalidity: 1,
                    uid,
                    internal_date_ms: None,
                    raw: format!("From: Tilda <robot@tilda.ws>\r\nMessage-ID: <s{uid}@x>\r\n\r\nName: Anna\r\nPhone: +7 912 345-67-8{uid}\r\n").into_bytes(),
                })
                .unwrap();
        }
        journal
            .conn()
            .execute_batch(
                "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.requests
                 WHEN NEW.mail_id = 1 BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END;",
            )
            .unwrap();
        // First pass: mail 2 goes through, mail 1 waits for the next pass.
        assert_eq!(p.parse_seen().await.unwrap(), 1);
        assert_eq!(journal.count_mails(Some("parsed")).unwrap(), 1);
        assert_eq!(journal.count_mails(Some("seen")).unwrap(), 1);
        let mut passes = 1;
        while journal.count_mails(Some("seen")).unwrap() > 0 {
            p.parse_seen().await.unwrap();
            passes += 1;
            assert!(
                passes <= STORE_ATTEMPTS,
                "still retrying after {passes} passes"
            );
        }
        assert_eq!(passes, STORE_ATTEMPTS);
        let error: String = journal
            .conn()
            .query_row(
                "SELECT error FROM mails WHERE id=1 AND state='quarantined'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(error.contains("simulated storage failure"), "{error}");
        assert!(error.contains("could not be stored 3 times"), "{error}");
    }
}
