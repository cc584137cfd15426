//! Journalled mails to delivered leads: parse every `seen` mail with the
//! current rule set, store the request and its outbox row, deliver what is
//! due (see [`crate::crm::deliver`] for the exactly-once protocol).
//!
//! Owns nothing global: the journal, the rule set and the config come in
//! [`PipelineDeps`]; the amoCRM client (with the daemon's one rate limiter)
//! is built from the config or injected with [`Pipeline::with_client`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::crm::catalog::Catalog;
use crate::crm::client::{
    AdminAlertKind, Client, CrmError, DryRunCall, client_from_config, limiter_from,
};
use crate::crm::deliver::{Deliverer, Lane};
use crate::crm::payload::Defaults;
use crate::journal::Journal;
use crate::journal::outbox::NewRequest;
use crate::journal::quarantine::MAX_MAIL_ATTEMPTS;
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
    /// Shutdown: checked before every step (parse of one mail, one amoCRM
    /// call); the step in hand finishes, no new one starts.
    stop: CancellationToken,
    /// Delivery lanes run side by side (see [`Lane`]); 1 = strictly serial.
    lanes: usize,
}

/// How often an idle delivery lane looks for new mail while another lane
/// waits on a slow amoCRM call.
const LANE_POLL: Duration = Duration::from_millis(200);

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
            stop: CancellationToken::new(),
            lanes: 1,
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

    /// Delivers in `n` lanes side by side, so one slow amoCRM call does not
    /// hold the requests of other clients (the daemon uses 4).
    pub fn with_lanes(mut self, n: usize) -> Pipeline {
        self.lanes = n.max(1);
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

    /// Parses every journalled mail not yet parsed. Returns how many moved.
    ///
    /// Each mail is on its own: an attempt is counted in the journal before
    /// it starts (so a process that dies on the mail counts too); whatever
    /// fails on it (loading it, the parser, journalling the request) leaves
    /// it for a later round and the next mail goes on at once; after
    /// [`MAX_MAIL_ATTEMPTS`] attempts it is quarantined with the reason.
    /// A parser crash quarantines at once (the worker already retried it).
    pub async fn parse_seen(&self) -> Result<usize, PipelineError> {
        let journal = self.deps.journal.clone();
        let rules = self.deps.rules.load_full();
        let mut moved = 0;
        // Each mail once per call: one that fails stays `seen` for a later
        // round, the others go on.
        let mut tried = std::collections::HashSet::new();
        loop {
            let ids: Vec<i64> = journal
                .seen_mail_ids(100 + tried.len())?
                .into_iter()
                .filter(|id| !tried.contains(id))
                .collect();
            if ids.is_empty() {
                return Ok(moved);
            }
            for id in ids {
                tried.insert(id);
                if self.stop.is_cancelled() {
                    return Ok(moved);
                }
                let attempt = journal.begin_mail_attempt(id)?;
                if attempt > MAX_MAIL_ATTEMPTS {
                    let last = journal.mail_error(id)?.unwrap_or_else(|| {
                        "the process stopped while handling it (killed or out of memory?)".into()
                    });
                    let reason = format!(
                        "handling this mail failed {MAX_MAIL_ATTEMPTS} times; last error: {last}"
                    );
                    tracing::error!(mail_id = id, %reason, "mail quarantined");
                    journal.quarantine_mail(id, rules.version(), &reason)?;
                    moved += 1;
                    continue;
                }
                match self.parse_one(id, &rules).await {
                    Ok(n) => moved += n,
                    Err(e) if e.is_failpoint() => return Err(e),
                    Err(e) => {
                        tracing::warn!(mail_id = id, attempt, error = %e, "could not handle this mail; going on with the next one");
                        // Best effort: if even this write fails, the attempt
                        // count still ends it after MAX_MAIL_ATTEMPTS.
                        let _ = journal.note_mail_error(id, &e.to_string());
                    }
                }
            }
        }
    }

    /// Loads, parses and journals one mail.
    async fn parse_one(&self, id: i64, rules: &Arc<RuleSet>) -> Result<usize, PipelineError> {
        let Some(m) = self.deps.journal.seen_mail(id)? else {
            return Ok(0);
        };
        let mail = crate::worker::MailBytes::of(&m, &self.deps.journal);
        let parsed = match &self.worker {
            Some(w) => w.parse(rules, &self.parse, mail).await,
            None => crate::worker::parse_in_process(rules, mail, &self.parse),
        };
        let request = match parsed {
            Ok(r) => r,
            Err(what) => {
                let reason = format!(
                    "parser crashed on this mail ({what}); kept for a human, report it as a bug"
                );
                tracing::error!(mail_id = m.id, uid = m.uid, mailbox = %m.mailbox, %reason, "mail quarantined");
                self.deps
                    .journal
                    .quarantine_mail(m.id, rules.version(), &reason)?;
                return Ok(1);
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
        let e = self.deps.journal.enqueue_request(&NewRequest {
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
        })?;
        for w in &request.meta.warnings {
            tracing::warn!(mail_id = m.id, uid = m.uid, warning = %w, "mail read with a warning");
        }
        tracing::info!(mail_id = m.id, uid = m.uid, %key, request_id = e.request_id, action = request.action.as_str(), rule = request.rule.as_deref().unwrap_or("-"), "mail parsed and queued");
        crate::metrics::global().request(request.action.as_str());
        Ok(1)
    }

    /// Runs the delivery lanes side by side until none has work. A lane
    /// that has nothing to do while another is still busy (a slow call)
    /// keeps taking new mail: it parses what arrived (one lane at a time)
    /// and delivers what falls into its lane.
    async fn deliver_lanes(&self, d: &Deliverer) -> Result<usize, PipelineError> {
        let n = self.lanes;
        let busy = AtomicUsize::new(n);
        let parsing = Mutex::new(());
        let lane_work = |index: usize| {
            let (busy, parsing) = (&busy, &parsing);
            async move {
                let lane = Lane { index, of: n };
                let mut moved = 0usize;
                let mut idle = false;
                loop {
                    let m = d.deliver_lane(lane).await?;
                    moved += m;
                    if self.stop.is_cancelled() {
                        break;
                    }
                    {
                        let _one = parsing.lock().await;
                        moved += self.parse_seen().await?;
                    }
                    if m > 0 && !d.due_in_lane(lane)?.is_empty() {
                        continue;
                    }
                    // Nothing (movable) here now: idle until every lane is.
                    if !idle {
                        busy.fetch_sub(1, Ordering::SeqCst);
                        idle = true;
                    }
                    if busy.load(Ordering::SeqCst) == 0 {
                        break;
                    }
                    tokio::time::sleep(LANE_POLL).await;
                    if !d.due_in_lane(lane)?.is_empty() {
                        busy.fetch_add(1, Ordering::SeqCst);
                        idle = false;
                    }
                }
                Ok::<usize, PipelineError>(moved)
            }
        };
        let done = futures::future::try_join_all((0..n).map(lane_work)).await?;
        Ok(done.into_iter().sum())
    }

    /// Tells the admin about every quarantined item not told yet (one alert
    /// each; marked after it went to the channel) and updates the metric.
    fn alert_quarantined(&self) -> Result<(), PipelineError> {
        let j = &self.deps.journal;
        crate::metrics::global().refresh(j);
        for q in j.quarantined_unalerted()? {
            let what = match q.kind {
                "mail" => "mail",
                _ => "request",
            };
            let message = format!(
                "{what} {} quarantined{}{}: {}. Fix the cause, then `amo-intake requeue {}`",
                q.id,
                q.key
                    .as_deref()
                    .map(|k| format!(" ({k})"))
                    .unwrap_or_default(),
                q.subject
                    .as_deref()
                    .map(|s| format!(", subject «{s}»"))
                    .unwrap_or_default(),
                q.reason,
                q.id
            );
            match &self.client {
                Some(c) => c.alert(AdminAlertKind::Quarantined, message),
                None => tracing::error!(alert = "Quarantined", "{message}"),
            }
            j.mark_quarantine_alerted(&q.id)?;
        }
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
        let d = Arc::new(
            Deliverer::new(
                client,
                self.deps.journal.clone(),
                catalog,
                self.defaults.clone(),
            )
            .with_stop(self.stop.clone()),
        );
        *g = Some(d.clone());
        Ok(Some(d))
    }

    /// Parses every journalled mail not yet parsed, then delivers what is due.
    /// Returns how many mails or requests moved a step.
    pub async fn run_once(&self) -> Result<usize, PipelineError> {
        let mut moved = self.parse_seen().await?;
        if self.stop.is_cancelled() {
            return Ok(moved);
        }
        if let Some(d) = self.deliverer().await? {
            moved += if self.lanes <= 1 {
                d.deliver_due().await?
            } else {
                self.deliver_lanes(&d).await?
            };
        }
        self.alert_quarantined()?;
        Ok(moved)
    }

    /// Runs until `shutdown`: wakes on `wake` (a mail was journalled) or at the
    /// next retry time; finishes the step in hand before returning.
    pub async fn run(mut self, wake: Arc<Notify>, shutdown: CancellationToken) {
        self.stop = shutdown.clone();
        if let Some(c) = &self.client {
            c.set_shutdown(shutdown.clone());
        }
        // Work done since the heap was last trimmed (see `crate::memory`).
        let mut dirty = false;
        loop {
            if shutdown.is_cancelled() {
                return;
            }
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

    fn form_mail(uid: u32) -> IncomingMail {
        IncomingMail {
            mailbox: "sales".into(),
            uidvalidity: 1,
            uid,
            internal_date_ms: None,
            raw: format!("From: Tilda <robot@tilda.ws>\r\nMessage-ID: <iso{uid}@x>\r\nSubject: Заявка {uid}\r\n\r\nName: Anna\r\nPhone: +7 912 345-67-{:02}\r\n", uid % 100).into_bytes(),
        }
    }

    fn recorded(j: &Journal, uid: u32) -> i64 {
        match j.record_mail(&form_mail(uid)).unwrap() {
            crate::journal::mails::Recorded::New(id) => id,
            other => panic!("{other:?}"),
        }
    }

    fn dry_pipeline(journal: &Arc<Journal>) -> Pipeline {
        Pipeline::new(PipelineDeps {
            journal: journal.clone(),
            rules: Arc::new(ArcSwap::from_pointee(RuleSet::builtin())),
            config: Arc::new(Config::default()),
            dry_run: true,
        })
        .unwrap()
    }

    /// Issue: under a memory limit the daemon looped on "state file: out of
    /// memory" every 30 s and the next mail waited. Now a mail the state
    /// file refuses is retried a bounded number of times, then quarantined
    /// with the reason; the mail after it is handled in the same round.
    #[tokio::test]
    async fn a_mail_the_state_file_refuses_is_quarantined_and_the_next_goes_on() {
        let journal = Arc::new(Journal::in_memory().unwrap());
        let bad = recorded(&journal, 1);
        let good = recorded(&journal, 2);
        journal
            .conn()
            .execute_batch(&format!(
                "CREATE TEMP TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.mail_id = {bad}
                 BEGIN SELECT RAISE(FAIL, 'out of memory'); END;"
            ))
            .unwrap();
        let p = dry_pipeline(&journal);
        p.run_once().await.unwrap();
        assert!(
            journal.seen_mail_ids(10).unwrap() == vec![bad],
            "the good mail was parsed in the same round"
        );
        assert_eq!(
            journal.count_mails(Some("parsed")).unwrap()
                + journal.count_mails(Some("done")).unwrap(),
            1
        );
        for _ in 1..MAX_MAIL_ATTEMPTS {
            p.run_once().await.unwrap();
        }
        // Attempts used up: quarantined on the next round, with the reason.
        p.run_once().await.unwrap();
        assert!(journal.seen_mail_ids(10).unwrap().is_empty());
        let q = journal.quarantined().unwrap();
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].id, format!("mail-{bad}"));
        assert!(q[0].reason.contains("out of memory"), "{}", q[0].reason);
        assert_eq!(q[0].subject.as_deref(), Some("Заявка 1"));
        assert!(
            journal.quarantined_unalerted().unwrap().is_empty(),
            "alerted once"
        );
        let _ = good;
    }

    /// A process that dies on a mail (killed, out of memory) counts an
    /// attempt each time: the third restart quarantines it instead of dying
    /// again, and the next mail is handled.
    #[tokio::test]
    async fn a_mail_the_process_keeps_dying_on_is_quarantined() {
        let journal = Arc::new(Journal::in_memory().unwrap());
        let bad = recorded(&journal, 1);
        recorded(&journal, 2);
        for _ in 0..MAX_MAIL_ATTEMPTS {
            journal.begin_mail_attempt(bad).unwrap(); // ... and died
        }
        dry_pipeline(&journal).run_once().await.unwrap();
        assert!(journal.seen_mail_ids(10).unwrap().is_empty());
        let q = journal.quarantined().unwrap();
        assert_eq!(q.len(), 1);
        assert!(
            q[0].reason
                .contains(&format!("failed {MAX_MAIL_ATTEMPTS} times")),
            "{}",
            q[0].reason
        );
        assert!(q[0].reason.contains("process stopped"), "{}", q[0].reason);
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
            // Each failed pass counts one attempt; the pass after the last
            // one sets the mail aside.
            assert!(
                passes <= MAX_MAIL_ATTEMPTS + 1,
                "still retrying after {passes} passes"
            );
        }
        assert_eq!(passes, MAX_MAIL_ATTEMPTS + 1);
        let error: String = journal
            .conn()
            .query_row(
                "SELECT error FROM mails WHERE id=1 AND state='quarantined'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(error.contains("simulated storage failure"), "{error}");
        assert!(
            error.contains(&format!("failed {MAX_MAIL_ATTEMPTS} times")),
            "{error}"
        );
    }
}
