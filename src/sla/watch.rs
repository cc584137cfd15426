//! The SLA watch: one task that, at each wake-up, checks leads near or past
//! their deadline for callback evidence, plans the alert ladder (first →
//! escalation → reminders) into the journal, and sends what is pending.
//!
//! All state is in the journal (`journal::sla`); the watch keeps none, so a
//! new `Watch` on the same state file after a restart continues exactly
//! where the old one stopped. Time comes from an injected [`Clock`], so
//! tests run on a paused tokio clock or a [`ManualClock`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use tokio_util::sync::CancellationToken;

use super::Policy;
use super::evidence::{EvidenceSource, Watched};
use crate::alert::{Alerter, ChannelError};
use crate::journal::sla::{AlertKind, SlaRow, SlaState};
use crate::journal::{Journal, JournalError};

/// Where the watch gets the time from.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
    /// Resolves once `now() >= t`.
    fn sleep_until(&self, t: Timestamp) -> BoxFuture<'static, ()>;
}

/// Wall time driven by tokio's clock, so `tokio::time::pause` controls it.
#[derive(Debug, Clone)]
pub struct TokioClock {
    base_ts: Timestamp,
    base: tokio::time::Instant,
}

impl TokioClock {
    pub fn new() -> Self {
        Self::starting_at(Timestamp::now())
    }

    /// A clock that reads `ts` now and advances with tokio time (tests).
    pub fn starting_at(ts: Timestamp) -> Self {
        TokioClock {
            base_ts: ts,
            base: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.base.elapsed()).unwrap_or(SignedDuration::MAX);
        self.base_ts.checked_add(elapsed).unwrap_or(Timestamp::MAX)
    }
    fn sleep_until(&self, t: Timestamp) -> BoxFuture<'static, ()> {
        let wait = t.duration_since(self.now());
        let wait = Duration::try_from(wait).unwrap_or(Duration::ZERO);
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that moves only when told (deterministic scenario tests).
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
    tx: tokio::sync::watch::Sender<Timestamp>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        let (tx, _) = tokio::sync::watch::channel(start);
        ManualClock {
            now: Mutex::new(start),
            tx,
        }
    }

    pub fn set(&self, t: Timestamp) {
        let mut g = match self.now.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if t > *g {
            *g = t;
        }
        let v = *g;
        drop(g);
        self.tx.send_replace(v);
    }

    pub fn advance(&self, d: SignedDuration) {
        let t = self.now().checked_add(d).unwrap_or(Timestamp::MAX);
        self.set(t);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        match self.now.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        }
    }
    fn sleep_until(&self, t: Timestamp) -> BoxFuture<'static, ()> {
        let mut rx = self.tx.subscribe();
        Box::pin(async move {
            let _ = rx.wait_for(|now| *now >= t).await;
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// What one pass did (logs, tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub checked: usize,
    pub answered: usize,
    pub planned: usize,
    pub sent: usize,
    pub failed: usize,
    /// When the watch wants to run again.
    pub next_wake: Option<Timestamp>,
}

/// Rows this long past their deadline are closed without evidence.
const EXPIRE_MS: i64 = 7 * 86_400_000;

/// One alert step: kind, sequence number, due time (unix ms).
type Step = (AlertKind, u32, i64);

/// Retry delay after `attempts` failed sends: 15 s doubling, at most 2 min,
/// so a channel back after an outage gets the alert within two minutes.
pub fn retry_backoff(attempts: u32) -> Duration {
    let secs = 15u64.saturating_mul(1u64 << attempts.min(10));
    Duration::from_secs(secs.min(120))
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The SLA watch task.
pub struct Watch {
    pub(super) journal: Arc<Journal>,
    pub(super) policy: Policy,
    evidence: Arc<dyn EvidenceSource>,
    pub(super) alerter: Arc<Alerter>,
    pub(super) clock: Arc<dyn Clock>,
    /// Requests from chats, calls and other integrations (`[sla.sources]`).
    pub(super) feed: Option<Arc<dyn super::incoming::Feed>>,
    pub(super) poll: Mutex<super::incoming::PollState>,
}

impl Watch {
    pub fn new(
        journal: Arc<Journal>,
        policy: Policy,
        evidence: Arc<dyn EvidenceSource>,
        alerter: Arc<Alerter>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Watch {
            journal,
            policy,
            evidence,
            alerter,
            clock,
            feed: None,
            poll: Mutex::new(Default::default()),
        }
    }

    /// Polls amoCRM for requests from every source (`policy.sources`).
    pub fn with_feed(mut self, feed: Arc<dyn super::incoming::Feed>) -> Self {
        self.feed = Some(feed);
        self
    }

    /// Alert steps not yet planned for a row, with their due times (ms).
    fn steps(&self, row: &SlaRow) -> Vec<Step> {
        let mut out = Vec::new();
        // Escalation and reminders count from when the manager's alert
        // actually went out, not from the deadline: after a restart or a
        // channel outage the head must not hear within a second of the
        // manager. Until it has gone out, they are not due.
        // A lead's later rounds (the client wrote again) get their own
        // sequence numbers, so their alerts are new journal rows.
        let base = row.round.saturating_mul(1000);
        match (row.first_alert_ms, row.first_sent_ms) {
            (None, _) => out.push((AlertKind::First, base, row.deadline_ms)),
            (Some(_), None) => {}
            (Some(_), Some(first)) => {
                if row.escalated_ms.is_none() {
                    out.push((
                        AlertKind::Escalation,
                        base,
                        first.saturating_add(ms(self.policy.escalate_after)),
                    ));
                }
                if let Some(every) = self.policy.remind_every
                    && row.reminders < self.policy.max_reminders
                {
                    let n = row.reminders + 1;
                    out.push((
                        AlertKind::Reminder,
                        base + n,
                        first.saturating_add(ms(every).saturating_mul(n as i64)),
                    ));
                }
            }
        }
        out
    }

    fn next_due(&self, row: &SlaRow) -> Option<i64> {
        self.steps(row).iter().map(|s| s.2).min()
    }

    /// Check interval for a row: `check_interval`, ten times that once the
    /// deadline is an hour past (a lead nobody called stays watched for a
    /// late callback without costing a request a minute).
    fn interval_for(&self, row: &SlaRow, now: i64) -> i64 {
        let base = ms(self.policy.check_interval);
        if now - row.deadline_ms > 3_600_000 {
            base.saturating_mul(10)
        } else {
            base
        }
    }

    fn needs_check(&self, row: &SlaRow, now: i64) -> bool {
        if now < row.deadline_ms - ms(self.policy.check_ahead) {
            return false;
        }
        let Some(last) = row.last_check_ms else {
            return true;
        };
        if now - last >= self.interval_for(row, now) {
            return true;
        }
        // Never alert on a check older than the alert's due time.
        matches!(self.next_due(row), Some(due) if due <= now && last < due)
    }

    /// One pass at `clock.now()`.
    pub async fn tick(&self) -> Result<TickReport, WatchError> {
        let now_ts = self.clock.now();
        let now = now_ts.as_millisecond();
        let mut report = TickReport::default();
        if self.policy.sources.mail {
            self.open_delivered(now_ts)?;
        }
        self.poll_incoming(now_ts).await?;
        let mut rows = self.journal.sla_open_rows()?;
        // A week past the deadline a request is history: stop watching it.
        let expired: Vec<i64> = rows
            .iter()
            .filter(|r| now - r.deadline_ms > EXPIRE_MS)
            .map(|r| r.lead_id)
            .collect();
        for id in &expired {
            tracing::info!(
                lead_id = id,
                "no callback evidence a week after the deadline; SLA closed"
            );
            self.journal.sla_close(*id)?;
        }
        rows.retain(|r| !expired.contains(&r.lead_id));

        // 1. Evidence, only for rows near or past their deadline.
        let to_check: Vec<&SlaRow> = rows.iter().filter(|r| self.needs_check(r, now)).collect();
        let mut checked_ok = false;
        let mut answered: HashMap<i64, ()> = HashMap::new();
        if !to_check.is_empty() {
            let watched: Vec<Watched> = to_check
                .iter()
                .filter_map(|r| {
                    Some(Watched {
                        lead_id: r.lead_id,
                        contact_id: r.contact_id,
                        since: Timestamp::from_millisecond(r.arrival_ms).ok()?,
                        kinds: (r.action.as_deref() == Some("review"))
                            .then(|| self.policy.evidence.for_review()),
                    })
                })
                .collect();
            match self.evidence.evidence(&watched, self.policy.evidence).await {
                Ok(found) => {
                    checked_ok = true;
                    for f in found {
                        let late = f.at.as_millisecond()
                            > rows
                                .iter()
                                .find(|r| r.lead_id == f.lead_id)
                                .map(|r| r.deadline_ms)
                                .unwrap_or(i64::MAX);
                        tracing::info!(
                            lead_id = f.lead_id,
                            evidence = f.kind.as_str(),
                            at = %f.at,
                            late,
                            "callback evidence found; SLA closed"
                        );
                        self.journal.sla_answer(
                            f.lead_id,
                            f.kind.as_str(),
                            f.at.as_millisecond(),
                        )?;
                        if let Some(r) = rows.iter().find(|r| r.lead_id == f.lead_id) {
                            let secs = (f.at.as_millisecond() - r.arrival_ms) as f64 / 1000.0;
                            crate::metrics::global().callback_answered(secs);
                        }
                        answered.insert(f.lead_id, ());
                        report.answered += 1;
                    }
                    let ids: Vec<i64> = to_check.iter().map(|r| r.lead_id).collect();
                    self.journal.sla_mark_checked(&ids, now)?;
                    report.checked = ids.len();
                    // Answered in time means no alert ever asked who is
                    // responsible: ask now, so reports and `status` show
                    // the manager, not "(not assigned)".
                    let unknown: Vec<i64> = to_check
                        .iter()
                        .filter(|r| answered.contains_key(&r.lead_id) && r.responsible_id.is_none())
                        .map(|r| r.lead_id)
                        .collect();
                    self.fill_responsible(&unknown).await?;
                }
                Err(e) => {
                    tracing::warn!(error = %e, leads = watched.len(), "evidence check failed; retrying next pass");
                }
            }
        }

        // 2. Alert steps that are due, for rows still open.
        let grace = ms(self.policy.check_interval) * 2;
        let mut due_rows: Vec<(SlaRow, Vec<Step>)> = Vec::new();
        for row in &rows {
            if answered.contains_key(&row.lead_id) {
                continue;
            }
            let due: Vec<_> = self.steps(row).into_iter().filter(|s| s.2 <= now).collect();
            if due.is_empty() {
                continue;
            }
            let was_checked = to_check.iter().any(|r| r.lead_id == row.lead_id) && checked_ok;
            let fresh = was_checked
                || row
                    .last_check_ms
                    .is_some_and(|l| due.iter().all(|s| l >= s.2));
            let overdue = due.iter().all(|s| now - s.2 >= grace);
            if !fresh && !overdue {
                continue; // wait for a successful check rather than alert blind
            }
            due_rows.push((row.clone(), due));
        }
        if !due_rows.is_empty() {
            // Re-read responsible users just before alerting (reassignments).
            let ids: Vec<i64> = due_rows.iter().map(|r| r.0.lead_id).collect();
            match self.evidence.leads_now(&ids).await {
                Ok(now_map) => {
                    for (row, _) in due_rows.iter_mut() {
                        if let Some(l) = now_map.get(&row.lead_id) {
                            if l.closed {
                                tracing::info!(
                                    lead_id = row.lead_id,
                                    "lead closed in amoCRM; SLA closed"
                                );
                                self.journal.sla_close(row.lead_id)?;
                                row.state = SlaState::Closed;
                                continue;
                            }
                            if l.responsible_id.is_some() && l.responsible_id != row.responsible_id
                            {
                                tracing::info!(
                                    lead_id = row.lead_id,
                                    from = ?row.responsible_id,
                                    to = ?l.responsible_id,
                                    "lead reassigned; alerting the new responsible user"
                                );
                                self.journal
                                    .sla_set_responsible(row.lead_id, l.responsible_id)?;
                                row.responsible_id = l.responsible_id;
                            }
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot re-read responsible users; using the stored ones")
                }
            }
            for (row, steps) in &due_rows {
                if row.state == SlaState::Closed {
                    continue;
                }
                for (kind, seq, due) in steps {
                    let alerts = self.alerter.plan(row, *kind, *seq, now_ts);
                    tracing::info!(
                        lead_id = row.lead_id,
                        alert = kind.as_str(),
                        seq,
                        recipients = alerts.len(),
                        responsible = ?row.responsible_id,
                        "SLA breached; alert journalled"
                    );
                    report.planned += alerts.len();
                    self.journal
                        .sla_plan_alerts(row.lead_id, *kind, *seq, *due, &alerts)?;
                }
            }
        }

        // 3. Send what is pending (new alerts and retries).
        // A channel that failed in this pass is not tried again for the
        // other alerts: one outage must not stall the pass for minutes.
        let mut down: HashMap<String, i64> = HashMap::new();
        for alert in self.journal.alerts_pending(now)? {
            if let Some(retry) = down.get(&alert.channel) {
                self.journal.alert_defer(alert.id, *retry)?;
                continue;
            }
            match self.alerter.deliver(&alert).await {
                Ok(()) => {
                    let at = self.clock.now().as_millisecond();
                    self.journal.alert_sent(alert.id, at)?;
                    // A first alert on a personal channel, or the last one
                    // of its step, starts the escalation clock.
                    if alert.kind == AlertKind::First
                        && (!self.alerter.is_broadcast(&alert.channel)
                            || self.journal.first_alerts_unsent(alert.lead_id)? == 0)
                    {
                        self.journal.sla_first_sent(alert.lead_id, at)?;
                    }
                    report.sent += 1;
                    tracing::info!(
                        lead_id = alert.lead_id,
                        alert = alert.kind.as_str(),
                        channel = %alert.channel,
                        "alert sent"
                    );
                }
                Err(ChannelError::Transient { channel, message }) => {
                    let retry = now + ms(retry_backoff(alert.attempts));
                    self.journal.alert_failed(alert.id, &message, retry)?;
                    down.insert(alert.channel.clone(), retry);
                    report.failed += 1;
                    tracing::warn!(
                        lead_id = alert.lead_id,
                        channel = %channel,
                        attempts = alert.attempts + 1,
                        error = %message,
                        "alert not delivered; will retry"
                    );
                }
            }
        }

        // 4. Procedure checks that are due, and their reminders.
        self.procedure_due(now_ts).await?;
        self.procedure_send(now).await?;

        // 5. The daily digest to the head of sales.
        self.digest(now_ts).await?;

        let (open, breached) = self.journal.sla_counts()?;
        crate::metrics::global().set_sla(open, u64::try_from(breached).unwrap_or(0));

        report.next_wake = Some(self.next_wake(now)?);
        Ok(report)
    }

    pub(super) async fn fill_responsible_pub(&self, ids: &[i64]) -> Result<(), WatchError> {
        self.fill_responsible(ids).await
    }

    /// Stores the responsible user of leads whose rows lack one (one
    /// batched leads call); a failure leaves them for the report's
    /// "(not assigned)" line rather than failing the pass.
    async fn fill_responsible(&self, lead_ids: &[i64]) -> Result<(), WatchError> {
        if lead_ids.is_empty() {
            return Ok(());
        }
        match self.evidence.leads_now(lead_ids).await {
            Ok(map) => {
                for (id, l) in map {
                    if l.responsible_id.is_some() {
                        self.journal.sla_set_responsible(id, l.responsible_id)?;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, leads = lead_ids.len(), "cannot read responsible users of answered leads")
            }
        }
        Ok(())
    }

    /// Opens SLA rows for requests delivery has sent since the last pass.
    /// Requests older than a week are not watched (first start on an old
    /// state file must not alert about last month's leads).
    fn open_delivered(&self, now_ts: Timestamp) -> Result<(), WatchError> {
        let since = now_ts.as_millisecond() - 7 * 86_400_000;
        loop {
            let batch = self.journal.sla_unopened(since, 100)?;
            if batch.is_empty() {
                return Ok(());
            }
            for d in batch {
                let spec: crate::rules::CrmSpec = serde_json::from_str(&d.spec).unwrap_or_default();
                let arrival = Timestamp::from_millisecond(d.received_ms).unwrap_or(now_ts);
                let deadline = self.policy.deadline(arrival, spec.sla_secs);
                self.journal.sla_open(&crate::journal::sla::NewSla {
                    lead_id: d.lead_id,
                    contact_id: d.contact_id,
                    responsible_id: None,
                    mail_id: d.mail_id,
                    arrival,
                    deadline,
                    client_name: d.client_name,
                    phone: d.phone,
                    asked: d.asked,
                    kind: d
                        .kind
                        .or_else(|| Some(crate::request::Kind::Other.as_str().into())),
                    source: Some(super::SOURCE_MAIL.into()),
                    channel: Some(super::CHANNEL_SITE.into()),
                    action: Some(d.action.clone()),
                })?;
                tracing::info!(lead_id = d.lead_id, action = %d.action, deadline = %deadline, "SLA clock started");
            }
        }
    }

    /// The local date and the digest instant of that date.
    fn digest_instant(&self, date: jiff::civil::Date, minute: u16) -> Option<Timestamp> {
        let time = jiff::civil::Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
        self.policy
            .calendar
            .time_zone()
            .to_ambiguous_timestamp(date.to_datetime(time))
            .compatible()
            .ok()
    }

    /// Plans today's digest once its time has come, and sends pending ones.
    async fn digest(&self, now_ts: Timestamp) -> Result<(), WatchError> {
        let Some(minute) = self.policy.digest_at else {
            return Ok(());
        };
        let tz = self.policy.calendar.time_zone().clone();
        let today = now_ts.to_zoned(tz.clone()).date();
        let day = today.to_string();
        if let Some(at) = self.digest_instant(today, minute)
            && now_ts >= at
            && !self.journal.digest_planned(&day)?
        {
            let since = today
                .to_zoned(tz)
                .map(|z| z.timestamp().as_millisecond())
                .unwrap_or(0);
            let rows = self.journal.sla_rows_since(since)?;
            let s = super::report::stats(&rows, now_ts.as_millisecond());
            let fmt = |ms: Option<i64>| {
                ms.map(|m| crate::alert::template::human_duration(m / 1000))
                    .unwrap_or_else(|| "—".into())
            };
            let mut v: HashMap<&str, String> = HashMap::new();
            v.insert("date", today.strftime("%d.%m.%Y").to_string());
            v.insert("total", s.total.to_string());
            v.insert("answered", s.answered.to_string());
            v.insert("late", s.late.to_string());
            v.insert("breached", s.breached.to_string());
            v.insert("waiting", s.waiting.to_string());
            v.insert("median", fmt(s.median_ms));
            v.insert("p90", fmt(s.p90_ms));
            let text = crate::alert::template::render(self.alerter.templates().digest(), &v);
            let to = self.alerter.head_routes();
            tracing::info!(day = %day, recipients = to.len(), requests = s.total, "daily digest journalled");
            self.journal
                .digest_plan(&day, &text, &to, now_ts.as_millisecond())?;
        }
        for d in self.journal.digests_pending(now_ts.as_millisecond())? {
            let page = self.digest_page(&d.day, now_ts)?;
            let res = self
                .alerter
                .deliver_text(
                    &d.channel,
                    &d.recipient,
                    &d.text,
                    Some(&format!("amo-intake-digest-{}-{}", d.day, d.recipient)),
                    page,
                )
                .await;
            let now = self.clock.now().as_millisecond();
            match res {
                Ok(()) => self.journal.digest_done(&d, now, None, 0)?,
                Err(ChannelError::Transient { message, .. }) => {
                    tracing::warn!(channel = %d.channel, error = %message, "digest not delivered; will retry");
                    let retry = now + ms(retry_backoff(d.attempts));
                    self.journal.digest_done(&d, now, Some(&message), retry)?
                }
            }
        }
        Ok(())
    }

    /// The report page sent with the digest of `day` (a channel that can
    /// carry a file attaches it): the seven days up to that day, as
    /// `amo-intake report --html` draws them. `None` for a malformed day.
    fn digest_page(
        &self,
        day: &str,
        now_ts: Timestamp,
    ) -> Result<Option<crate::alert::Attachment>, WatchError> {
        let Ok(date) = day.parse::<jiff::civil::Date>() else {
            return Ok(None);
        };
        let tz = self.policy.calendar.time_zone().clone();
        let first = date.saturating_sub(jiff::Span::new().days(6));
        let since = first
            .to_zoned(tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0);
        let rows = self.journal.sla_rows_since(since)?;
        let findings = self.journal.findings_since(since)?;
        let names: std::collections::BTreeMap<i64, String> = self
            .alerter
            .names()
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let html = super::html::render(&super::html::ReportData {
            title: format!(
                "Ответы на заявки с {} по {}",
                first.strftime("%d.%m.%Y"),
                date.strftime("%d.%m.%Y")
            ),
            rows: &rows,
            findings: &findings,
            names: &names,
            link_base: self.alerter.link_base().to_string(),
            tz,
            now_ms: now_ts.as_millisecond(),
        });
        Ok(Some(crate::alert::Attachment {
            filename: format!("amo-intake-report-{day}.html"),
            html,
        }))
    }

    /// The earliest instant at which something may need doing.
    fn next_wake(&self, now: i64) -> Result<Timestamp, WatchError> {
        let interval = ms(self.policy.check_interval);
        let mut next = now + interval; // new rows appear without notice
        if let Some(p) = self.next_poll_ms() {
            next = next.min(p.max(now + 1));
        }
        for row in self.journal.sla_open_rows()? {
            let ahead = row.deadline_ms - ms(self.policy.check_ahead);
            if now < ahead {
                next = next.min(ahead);
            } else if let Some(last) = row.last_check_ms {
                next = next.min(last + self.interval_for(&row, now));
            } else {
                next = next.min(now + 1_000);
            }
            if let Some(due) = self.next_due(&row) {
                if due > now {
                    next = next.min(due);
                } else {
                    // Due but not alerted (check failed): retry soon.
                    next = next.min(now + 1_000);
                }
            }
        }
        if let Some(t) = self.journal.alerts_next_try()? {
            next = next.min(t.max(now + 1));
        }
        if self.feed.is_some() {
            for t in [
                self.journal.findings_next_due()?,
                self.journal.procedure_alerts_next_try()?,
            ]
            .into_iter()
            .flatten()
            {
                next = next.min(t.max(now + 1));
            }
        }
        if let Some(t) = self.journal.digests_next_try()? {
            next = next.min(t.max(now + 1));
        }
        if let Some(minute) = self.policy.digest_at
            && let Ok(now_ts) = Timestamp::from_millisecond(now)
        {
            let today = now_ts
                .to_zoned(self.policy.calendar.time_zone().clone())
                .date();
            for date in [Some(today), today.tomorrow().ok()].into_iter().flatten() {
                if let Some(at) = self.digest_instant(date, minute)
                    && at.as_millisecond() > now
                {
                    next = next.min(at.as_millisecond());
                    break;
                }
            }
        }
        let next = next.max(now + 1);
        Ok(Timestamp::from_millisecond(next).unwrap_or(Timestamp::MAX))
    }

    /// Runs until `shutdown`; stops only between passes, so a journal write
    /// and its outside action are never torn apart by shutdown.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(channels = ?self.alerter.channel_names(), "SLA watch started");
        loop {
            let next = match self.tick().await {
                Ok(r) => r
                    .next_wake
                    .unwrap_or_else(|| add(self.clock.now(), self.policy.check_interval)),
                Err(e) => {
                    tracing::error!(error = %e, "SLA pass failed; retrying");
                    add(self.clock.now(), self.policy.check_interval)
                }
            };
            // A delivered lead wakes the watch, so its clock is opened
            // now, not on the next tick.
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.clock.sleep_until(next) => {}
                _ = self.journal.delivered() => {}
            }
        }
        tracing::info!("SLA watch stopped");
    }
}

fn add(t: Timestamp, d: Duration) -> Timestamp {
    t.checked_add(SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX))
        .unwrap_or(Timestamp::MAX)
}
