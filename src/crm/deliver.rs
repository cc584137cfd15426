//! Exactly-once delivery of outbox rows.
//!
//! For each due row: find the client's contact (search by the last 10
//! digits of the phone, then by email; a hit counts only if its PHONE/EMAIL
//! values really match), commit `sending`, create the lead
//! (`unsorted/forms`, one per call, or `complex`, up to 50 per call),
//! commit `sent(lead, contact)`, then post notes and call tasks as arrays
//! across leads (`noted`, `done`). A `sending` row found after a crash or a
//! failed call is first looked up in amoCRM by its key (once the cut-off
//! call must have finished: the leads updated since the first attempt,
//! compared by the key among their tags, then the Unsorted list) and only
//! created again when amoCRM has nothing; while amoCRM cannot be asked,
//! nothing is created. Due rows run in [`Lane`]s, one per group of clients.
//! Notes and tasks carry a `*_posting` flag committed before their POST and
//! are looked up before a repost.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex as StdMutex, RwLock};
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::catalog::Catalog;
use super::client::{Client, CrmError};
use super::failpoint::hit;
use super::payload::{Defaults, LeadPlan, Mode, phone10, plan};
use crate::journal::Journal;
use crate::journal::outbox::{OutboxRow, OutboxState};

/// amoCRM accepts at most 50 entities per batch call (its API reference,
/// "Limits"; more is answered with 400).
pub const MAX_BATCH: usize = 50;

pub struct Deliverer {
    client: Arc<Client>,
    journal: Arc<Journal>,
    /// std RwLock: swapped whole on reload, never held across `.await`.
    catalog: RwLock<Arc<Catalog>>,
    defaults: Defaults,
    /// "p:<10 digits>" / "e:<email>" → contact id, learned from our own
    /// creates and confirmed searches (saves searches for repeat clients).
    contacts: StdMutex<HashMap<String, i64>>,
    /// Contact keys whose search-then-create is in progress in some lane
    /// (see [`Deliverer::claim`]), and the signal that some were released.
    claimed: StdMutex<HashSet<String>>,
    released: tokio::sync::Notify,
    /// Rows fetched per round.
    pub round: usize,
    /// Cancelled on shutdown: no new step starts, the call in flight ends.
    stop: CancellationToken,
}

fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn now_ms() -> i64 {
    crate::journal::now_ms()
}

/// Phones in logs at info: at most the last two digits ("***67").
pub fn mask_phone(p: &str) -> String {
    crate::request::mask_phone(p)
}

impl Deliverer {
    /// Counts a created lead and its mail→lead latency (from the mail's
    /// arrival, as the SLA clock counts it) for /metrics.
    fn count_lead(&self, row: &OutboxRow) {
        let arrival = row
            .mail_id
            .and_then(|id| self.journal.mail_arrival(id).ok().flatten());
        let latency =
            arrival.map(|t| (crate::journal::now_ms() - t.as_millisecond()) as f64 / 1000.0);
        crate::metrics::global().lead_created(latency);
    }

    pub fn new(
        client: Arc<Client>,
        journal: Arc<Journal>,
        catalog: Catalog,
        defaults: Defaults,
    ) -> Deliverer {
        Deliverer {
            client,
            journal,
            catalog: RwLock::new(Arc::new(catalog)),
            defaults,
            contacts: StdMutex::new(HashMap::new()),
            claimed: StdMutex::new(HashSet::new()),
            released: tokio::sync::Notify::new(),
            round: 200,
            stop: CancellationToken::new(),
        }
    }

    /// Shutdown: once `stop` is cancelled no new step starts (the call in
    /// flight finishes, bounded by the client's timeout).
    pub fn with_stop(mut self, stop: CancellationToken) -> Deliverer {
        self.stop = stop;
        self
    }

    fn stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// How long after a creating call amoCRM may still execute it: the
    /// client's timeout plus a margin.
    fn settle(&self) -> Duration {
        self.client.options().timeout + Duration::from_secs(2)
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn set_catalog(&self, c: Catalog) {
        match self.catalog.write() {
            Ok(mut g) => *g = Arc::new(c),
            Err(p) => *p.into_inner() = Arc::new(c),
        }
    }

    /// Delivers every due row as far as it goes now. Returns how many steps
    /// were committed. `Err` only for a failpoint (a simulated crash: nothing
    /// more is written) or a stop (auth gone: everything stays queued).
    pub async fn deliver_due(&self) -> Result<usize, CrmError> {
        self.deliver_lane(Lane::ALL).await
    }

    /// Delivers the due rows of one lane as far as they go now (see
    /// [`Lane`]); [`Deliverer::deliver_due`] is the one-lane case.
    pub async fn deliver_lane(&self, lane: Lane) -> Result<usize, CrmError> {
        let mut moved = 0;
        loop {
            if self.stopping() {
                return Ok(moved);
            }
            let rows = self.due_in_lane(lane)?;
            if rows.is_empty() {
                return Ok(moved);
            }
            let step = self.deliver_rows(rows, lane).await?;
            moved += step.moved;
            if step.moved == 0 || step.halted {
                return Ok(moved);
            }
        }
    }

    /// Due rows of `lane`, oldest first.
    pub fn due_in_lane(&self, lane: Lane) -> Result<Vec<OutboxRow>, CrmError> {
        let mut rows = self.journal.due_outbox(now_ms(), self.round)?;
        rows.retain(|r| lane.holds(r));
        Ok(rows)
    }

    async fn deliver_rows(&self, rows: Vec<OutboxRow>, lane: Lane) -> Result<Step, CrmError> {
        let mut step = Step::default();
        let catalog = self.catalog();
        let now_s = now_ms() / 1000;
        let mut to_create: Vec<(OutboxRow, LeadPlan)> = Vec::new();
        let mut sent: Vec<OutboxRow> = Vec::new();
        let mut noted: Vec<OutboxRow> = Vec::new();
        for row in rows {
            match row.state {
                OutboxState::Queued | OutboxState::Sending => {
                    match plan(&row, &catalog, &self.defaults, now_s) {
                        Ok(p) => to_create.push((row, p)),
                        Err(why) => {
                            self.quarantine(&row, &format!("cannot build the lead: {why}"))?;
                            step.moved += 1;
                        }
                    }
                }
                OutboxState::Sent => sent.push(row),
                OutboxState::Noted => noted.push(row),
                _ => {}
            }
        }

        // 1. Recover rows that may already exist in amoCRM: all of this
        //    round's in one lookup.
        let mut fresh = Vec::new();
        let mut unsure = Vec::new();
        for (row, p) in to_create {
            if row.state != OutboxState::Sending {
                fresh.push((row, p));
                continue;
            }
            // A call that timed out may still be executing in amoCRM: look
            // only once it must have finished either way.
            let settled_at = row.last_try_ms.unwrap_or(0) + self.settle().as_millis() as i64;
            if settled_at > now_ms() {
                tracing::info!(key = %row.key, wait_ms = settled_at - now_ms(), "interrupted create: waiting for amoCRM to finish it before looking the key up");
                self.journal.mark_retry(
                    row.request_id,
                    "the creating call's answer was lost; waiting before the lookup",
                    settled_at,
                )?;
                continue;
            }
            unsure.push((row, p));
        }
        if !unsure.is_empty() {
            if self.stopping() {
                return Ok(step);
            }
            let rows: Vec<&OutboxRow> = unsure.iter().map(|(r, _)| r).collect();
            match self.lookup_many(&rows).await {
                Ok(found) => {
                    for (row, p) in unsure {
                        let Some(f) = found.get(&row.key) else {
                            fresh.push((row, p));
                            continue;
                        };
                        tracing::info!(key = %row.key, lead_id = f.lead_id, "lead found in amoCRM after an interrupted send; not creating it again");
                        self.journal.mark_sent(
                            row.request_id,
                            f.lead_id,
                            f.contact_id,
                            f.uid.as_deref(),
                        )?;
                        hit("after_sent_commit")?;
                        step.moved += 1;
                    }
                }
                Err(e) => {
                    if self.fail(&rows, e, &mut step)? {
                        return Ok(step);
                    }
                }
            }
        }

        // 2. Create leads.
        let (unsorted, complex): (Vec<_>, Vec<_>) = fresh
            .into_iter()
            .partition(|(_, p)| p.mode == Mode::Unsorted);
        for (row, p) in unsorted {
            if self.stopping() {
                return Ok(step);
            }
            if self.create_unsorted(&row, &p, &mut step).await? {
                return Ok(step);
            }
        }
        let mut pending = complex;
        while !pending.is_empty() {
            let mut batch = Vec::new();
            let mut rest = Vec::new();
            let mut seen: HashSet<String> = HashSet::new();
            for (row, p) in pending {
                let keys = contact_keys(&p);
                let clash = keys.iter().any(|k| seen.contains(k));
                let fits = batch.len() < MAX_BATCH && (!row.solo || batch.is_empty());
                if clash
                    || !fits
                    || batch
                        .first()
                        .is_some_and(|(r, _): &(OutboxRow, LeadPlan)| r.solo)
                {
                    rest.push((row, p));
                } else {
                    seen.extend(keys);
                    batch.push((row, p));
                }
            }
            pending = rest;
            if self.stopping() {
                return Ok(step);
            }
            if self.create_complex(batch, &mut step).await? {
                return Ok(step);
            }
        }

        // 3. Notes, then tasks, as arrays across leads.
        let sent = self.rows_to_follow_up(OutboxState::Sent, &sent, lane)?;
        for chunk in sent.chunks(MAX_BATCH) {
            if self.stopping() {
                return Ok(step);
            }
            if self.post_notes(chunk, &catalog, &mut step).await? {
                return Ok(step);
            }
        }
        let noted = self.rows_to_follow_up(OutboxState::Noted, &noted, lane)?;
        for chunk in noted.chunks(MAX_BATCH) {
            if self.stopping() {
                return Ok(step);
            }
            if self.post_tasks(chunk, &catalog, &mut step).await? {
                return Ok(step);
            }
        }
        Ok(step)
    }

    /// Rows now in `state` that this round handled already (`earlier`) or
    /// whose retry time has come: the ones to post notes/tasks for.
    fn rows_to_follow_up(
        &self,
        state: OutboxState,
        earlier: &[OutboxRow],
        lane: Lane,
    ) -> Result<Vec<OutboxRow>, CrmError> {
        let mut ids: HashSet<i64> = earlier.iter().map(|r| r.request_id).collect();
        let mut now_rows = self.journal.outbox_in_state(state)?;
        now_rows.retain(|r| lane.holds(r));
        ids.extend(
            now_rows
                .iter()
                .filter(|r| r.next_attempt_ms <= now_ms())
                .map(|r| r.request_id),
        );
        Ok(now_rows
            .into_iter()
            .filter(|r| ids.contains(&r.request_id))
            .collect())
    }

    /// Records a failed call for these rows. Returns true when the round
    /// must stop (amoCRM is unhappy: don't hammer it).
    fn fail(&self, rows: &[&OutboxRow], e: CrmError, step: &mut Step) -> Result<bool, CrmError> {
        if self.stopping() && matches!(e, CrmError::Transient { .. }) {
            // Shutdown: the call never started (or was cut); the rows stay
            // as they are for the next start.
            step.halted = true;
            return Ok(true);
        }
        match e {
            CrmError::Failpoint(_) | CrmError::Stopped(_) | CrmError::Journal(_) => Err(e),
            CrmError::Transient {
                ref retry_after, ..
            } => {
                for r in rows {
                    let wait = retry_after
                        .unwrap_or_else(|| self.client.backoff(r.attempts.max(1) as u32));
                    self.retry_later(r, &e, wait)?;
                }
                step.halted = true;
                Ok(true)
            }
            CrmError::Blocked { retry_after, .. } => {
                for r in rows {
                    self.retry_later(r, &e, retry_after)?;
                }
                step.halted = true;
                Ok(true)
            }
            CrmError::Rejected { .. } | CrmError::Decode(_) | CrmError::Config(_) => {
                for r in rows {
                    let wait = self.client.backoff(r.attempts.max(1) as u32 + 2);
                    self.retry_later(r, &e, wait)?;
                }
                Ok(false)
            }
        }
    }

    fn retry_later(&self, r: &OutboxRow, e: &CrmError, wait: Duration) -> Result<(), CrmError> {
        let next = now_ms() + wait.as_millis() as i64;
        tracing::warn!(key = %r.key, state = r.state.as_str(), attempts = r.attempts, retry_in_ms = wait.as_millis() as u64, error = %e, "delivery step failed; will retry");
        crate::metrics::global().delivery_error();
        self.journal
            .mark_retry(r.request_id, &e.to_string(), next)?;
        Ok(())
    }

    fn quarantine(&self, row: &OutboxRow, why: &str) -> Result<(), CrmError> {
        // The admin alert follows from the journal (the pipeline tells about
        // every quarantined item once, crash or not).
        tracing::error!(key = %row.key, rule = row.request.rule.as_deref().unwrap_or("-"), reason = why, "request quarantined");
        self.journal.quarantine_outbox(row.request_id, why)?;
        Ok(())
    }

    /// Finds the client's existing contact; `None` = create a new one.
    async fn find_contact(&self, p: &LeadPlan) -> Result<Option<i64>, CrmError> {
        let keys = contact_keys(p);
        {
            let cache = lock(&self.contacts);
            if let Some(id) = keys.iter().find_map(|k| cache.get(k)) {
                return Ok(Some(*id));
            }
        }
        let mut found = None;
        if let Some(ph) = p.phones10.first() {
            found = self
                .search_contact(ph, |cf, v| {
                    is_code(cf, "PHONE") && phone10(v).as_deref() == Some(ph)
                })
                .await?;
        }
        if found.is_none()
            && let Some(em) = p.emails.first()
        {
            found = self
                .search_contact(em, |cf, v| {
                    is_code(cf, "EMAIL") && v.trim().eq_ignore_ascii_case(em)
                })
                .await?;
        }
        if let Some(id) = found {
            self.remember(p, id);
        }
        Ok(found)
    }

    async fn search_contact(
        &self,
        query: &str,
        matches: impl Fn(&Value, &str) -> bool,
    ) -> Result<Option<i64>, CrmError> {
        let page = self
            .client
            .get_json(
                "/api/v4/contacts",
                &[("query", query.to_string()), ("limit", "50".into())],
            )
            .await?;
        let Some(page) = page else { return Ok(None) };
        let items = page
            .pointer("/_embedded/contacts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for c in items {
            let ok = c
                .get("custom_fields_values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|cf| {
                    cf.get("values")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.get("value").and_then(Value::as_str))
                        .any(|v| matches(cf, v))
                });
            if ok && let Some(id) = c.get("id").and_then(Value::as_i64) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Waits until no other lane is finding or creating a contact for any
    /// of `keys`, then holds them until the returned claim is dropped.
    /// Lanes follow a client's first phone (else e-mail), so one person's
    /// mails with different contact data can run in two lanes; without
    /// turns both would search, both miss, both create a contact. All keys
    /// are taken at once (never one by one), so two claims cannot deadlock.
    async fn claim(&self, keys: Vec<String>) -> Claim<'_> {
        loop {
            let wait = {
                let mut held = lock(&self.claimed);
                if keys.iter().all(|k| !held.contains(k)) {
                    held.extend(keys.iter().cloned());
                    return Claim { d: self, keys };
                }
                // Registered before the lock is released: a release in
                // between still wakes this waiter.
                self.released.notified()
            };
            wait.await;
        }
    }

    fn remember(&self, p: &LeadPlan, contact_id: i64) {
        let mut cache = lock(&self.contacts);
        if cache.len() > 100_000 {
            cache.clear();
        }
        for k in contact_keys(p) {
            cache.insert(k, contact_id);
        }
    }

    /// Returns true when the round must stop.
    async fn create_unsorted(
        &self,
        row: &OutboxRow,
        p: &LeadPlan,
        step: &mut Step,
    ) -> Result<bool, CrmError> {
        let _turn = self.claim(contact_keys(p)).await;
        let contact = match self.find_contact(p).await {
            Ok(c) => c,
            Err(e) => return self.fail(&[row], e, step),
        };
        hit("after_contact_search")?;
        self.journal.mark_sending(&[row.request_id])?;
        hit("after_sending_commit")?;
        let body = json!([p.unsorted_item(contact, &self.defaults.source_name)]);
        let resp = self
            .client
            .post_json("/api/v4/leads/unsorted/forms", &body)
            .await;
        let resp = match resp {
            Ok(v) => v,
            Err(CrmError::Rejected { detail, .. }) if detail.contains("Duplicate") => {
                // Nothing was created; the same lead via `complex` still
                // lands in Unsorted and is not refused as a duplicate.
                tracing::warn!(key = %row.key, %detail, "unsorted/forms refused a duplicate; sending via complex");
                let mut p2 = p.clone();
                p2.lead = p.complex_unsorted_item(contact);
                return self.create_complex_one(row, &p2, contact, step).await;
            }
            Err(CrmError::Rejected { status, detail, .. }) => {
                self.quarantine(
                    row,
                    &format!("amoCRM refused the lead ({status}): {detail}"),
                )?;
                step.moved += 1;
                return Ok(false);
            }
            Err(e) => return self.fail(&[row], e, step),
        };
        hit("after_create_response")?;
        let item = resp
            .as_ref()
            .and_then(|v| v.pointer("/_embedded/unsorted/0"))
            .cloned();
        let lead_id = item
            .as_ref()
            .and_then(|i| i.pointer("/_embedded/leads/0/id"))
            .and_then(Value::as_i64);
        let Some(lead_id) = lead_id else {
            let e = CrmError::Decode("unsorted/forms answer has no lead id".into());
            return self.fail(&[row], e, step);
        };
        let contact_id = item
            .as_ref()
            .and_then(|i| i.pointer("/_embedded/contacts/0/id"))
            .and_then(Value::as_i64)
            .or(contact);
        let uid = item
            .as_ref()
            .and_then(|i| i.get("uid"))
            .and_then(Value::as_str);
        self.journal
            .mark_sent(row.request_id, lead_id, contact_id, uid)?;
        hit("after_sent_commit")?;
        if let Some(c) = contact_id {
            self.remember(p, c);
        }
        tracing::info!(key = %row.key, lead_id, contact_id, linked = contact.is_some(), rule = row.request.rule.as_deref().unwrap_or("-"), phone = %p.phones10.first().map(|s| mask_phone(s)).unwrap_or_default(), "lead created in Unsorted");
        self.count_lead(row);
        step.moved += 1;
        Ok(false)
    }

    /// One prepared complex item (`p.lead` is the full item).
    async fn create_complex_one(
        &self,
        row: &OutboxRow,
        p: &LeadPlan,
        contact: Option<i64>,
        step: &mut Step,
    ) -> Result<bool, CrmError> {
        let resp = match self
            .client
            .post_json("/api/v4/leads/complex", &json!([p.lead]))
            .await
        {
            Ok(v) => v,
            Err(CrmError::Rejected { status, detail, .. }) => {
                self.quarantine(
                    row,
                    &format!("amoCRM refused the lead ({status}): {detail}"),
                )?;
                step.moved += 1;
                return Ok(false);
            }
            Err(e) => return self.fail(&[row], e, step),
        };
        hit("after_create_response")?;
        let item = resp.as_ref().and_then(|v| v.get(0)).cloned();
        let Some(lead_id) = item
            .as_ref()
            .and_then(|it| it.get("id"))
            .and_then(Value::as_i64)
        else {
            return self.fail(
                &[row],
                CrmError::Decode("complex answer has no lead id".into()),
                step,
            );
        };
        let contact_id = item
            .as_ref()
            .and_then(|it| it.get("contact_id"))
            .and_then(Value::as_i64)
            .or(contact);
        self.journal
            .mark_sent(row.request_id, lead_id, contact_id, None)?;
        hit("after_sent_commit")?;
        if let Some(c) = contact_id {
            self.remember(p, c);
        }
        tracing::info!(key = %row.key, lead_id, contact_id, "lead created in Unsorted via complex");
        self.count_lead(row);
        step.moved += 1;
        Ok(false)
    }

    async fn create_complex(
        &self,
        batch: Vec<(OutboxRow, LeadPlan)>,
        step: &mut Step,
    ) -> Result<bool, CrmError> {
        if batch.is_empty() {
            return Ok(false);
        }
        // The batch's clients are distinct (see the batching above); other
        // lanes wait for their keys until these leads and contacts exist.
        let _turn = self
            .claim(batch.iter().flat_map(|(_, p)| contact_keys(p)).collect())
            .await;
        let mut contacts = Vec::with_capacity(batch.len());
        for (row, p) in &batch {
            match self.find_contact(p).await {
                Ok(c) => contacts.push(c),
                Err(e) => return self.fail(&[row], e, step),
            }
        }
        hit("after_contact_search")?;
        let ids: Vec<i64> = batch.iter().map(|(r, _)| r.request_id).collect();
        self.journal.mark_sending(&ids)?;
        hit("after_sending_commit")?;
        let body = Value::Array(
            batch
                .iter()
                .zip(&contacts)
                .map(|((_, p), c)| p.complex_item(*c))
                .collect(),
        );
        let resp = match self.client.post_json("/api/v4/leads/complex", &body).await {
            Ok(v) => v,
            Err(CrmError::Rejected {
                status,
                detail,
                request_ids,
            }) => {
                // Nothing of the batch was created: quarantine the items
                // amoCRM names; the rest go back to the queue (alone when
                // amoCRM did not say which item failed).
                let named: HashSet<&str> = request_ids.iter().map(String::as_str).collect();
                for (row, _) in &batch {
                    if batch.len() == 1 || named.contains(row.key.as_str()) {
                        self.quarantine(
                            row,
                            &format!("amoCRM refused the lead ({status}): {detail}"),
                        )?;
                    } else {
                        self.journal.requeue(row.request_id, named.is_empty())?;
                    }
                }
                step.moved += batch.len();
                return Ok(false);
            }
            Err(e) => {
                let rows: Vec<&OutboxRow> = batch.iter().map(|(r, _)| r).collect();
                return self.fail(&rows, e, step);
            }
        };
        hit("after_create_response")?;
        let items = resp
            .as_ref()
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, ((row, p), contact)) in batch.iter().zip(&contacts).enumerate() {
            let item = items
                .iter()
                .find(|it| match it.get("request_id") {
                    Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(row.key.as_str())),
                    Some(Value::String(s)) => s == &row.key,
                    _ => false,
                })
                .or_else(|| items.get(i));
            let lead_id = item.and_then(|it| it.get("id")).and_then(Value::as_i64);
            let Some(lead_id) = lead_id else {
                // Stays `sending`: the next round looks the key up.
                self.retry_later(
                    row,
                    &CrmError::Decode("complex answer lacks this lead".into()),
                    self.client.backoff(1),
                )?;
                continue;
            };
            let contact_id = item
                .and_then(|it| it.get("contact_id"))
                .and_then(Value::as_i64)
                .or(*contact);
            self.journal
                .mark_sent(row.request_id, lead_id, contact_id, None)?;
            hit("after_sent_commit")?;
            if let Some(c) = contact_id {
                self.remember(p, c);
            }
            tracing::info!(key = %row.key, lead_id, contact_id, linked = contact.is_some(), action = row.request.action.as_str(), rule = row.request.rule.as_deref().unwrap_or("-"), "lead created");
            self.count_lead(row);
            step.moved += 1;
        }
        Ok(false)
    }

    async fn post_notes(
        &self,
        rows: &[OutboxRow],
        catalog: &Catalog,
        step: &mut Step,
    ) -> Result<bool, CrmError> {
        let now_s = now_ms() / 1000;
        let mut items = Vec::new();
        let mut ids = Vec::new();
        for row in rows {
            let Some(lead_id) = row.lead_id else { continue };
            if row.notes_posting {
                match self.note_exists(lead_id, &row.key).await {
                    Ok(true) => {
                        ids.push(row.request_id);
                        continue;
                    }
                    Ok(false) => {}
                    Err(e) => return self.fail(&[row], e, step),
                }
            }
            let text = match plan(row, catalog, &self.defaults, now_s) {
                Ok(p) => p.note_text,
                Err(_) => crate::crm::payload::note_text(&row.request, &row.key),
            };
            items.push(json!({"entity_id": lead_id, "note_type": "common", "params": {"text": text}, "request_id": row.key}));
            ids.push(row.request_id);
        }
        if !items.is_empty() {
            let posting: Vec<i64> = rows
                .iter()
                .filter(|r| r.lead_id.is_some())
                .map(|r| r.request_id)
                .collect();
            self.journal.mark_posting(&posting, false, true)?;
            hit("after_notes_flag_commit")?;
            if let Some(r) = self
                .post_batch("/api/v4/leads/notes", items, "lead notes", rows, step)
                .await
            {
                return r;
            }
            hit("after_notes_post")?;
        }
        self.journal.advance(&ids, OutboxState::Noted)?;
        hit("after_noted_commit")?;
        step.moved += ids.len();
        Ok(false)
    }

    async fn post_tasks(
        &self,
        rows: &[OutboxRow],
        catalog: &Catalog,
        step: &mut Step,
    ) -> Result<bool, CrmError> {
        let now_s = now_ms() / 1000;
        let mut items = Vec::new();
        let mut ids = Vec::new();
        let mut posting = Vec::new();
        for row in rows {
            let Some(lead_id) = row.lead_id else { continue };
            ids.push(row.request_id);
            let task = match plan(row, catalog, &self.defaults, now_s) {
                Ok(p) => p.task,
                Err(why) => {
                    tracing::error!(key = %row.key, %why, "no call task: the rule's names no longer resolve");
                    None
                }
            };
            let Some(task) = task else { continue };
            if row.tasks_posting {
                match self.task_exists(lead_id, &task.text).await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => return self.fail(&[row], e, step),
                }
            }
            let mut t = json!({"text": task.text, "complete_till": task.complete_till, "entity_id": lead_id,
                               "entity_type": "leads", "task_type_id": 1, "request_id": row.key});
            if let (Some(u), Some(o)) = (task.responsible, t.as_object_mut()) {
                o.insert("responsible_user_id".into(), json!(u));
            }
            items.push(t);
            posting.push(row.request_id);
        }
        if !items.is_empty() {
            self.journal.mark_posting(&posting, true, true)?;
            hit("after_tasks_flag_commit")?;
            if let Some(r) = self
                .post_batch("/api/v4/tasks", items, "call tasks", rows, step)
                .await
            {
                return r;
            }
            hit("after_tasks_post")?;
        }
        self.journal.advance(&ids, OutboxState::Done)?;
        hit("after_done_commit")?;
        step.moved += ids.len();
        Ok(false)
    }

    /// Posts one array of notes or tasks. The leads already exist, so a 400
    /// is logged and they go on without them; any other error is retried
    /// for the whole batch. `Some(result)` means: return it now.
    async fn post_batch(
        &self,
        path: &str,
        items: Vec<Value>,
        what: &str,
        rows: &[OutboxRow],
        step: &mut Step,
    ) -> Option<Result<bool, CrmError>> {
        match self.client.post_json(path, &Value::Array(items)).await {
            Ok(_) => None,
            Err(CrmError::Rejected { status, detail, .. }) => {
                tracing::error!(status, %detail, "amoCRM refused the {what}; leads stay without them");
                None
            }
            Err(e) => {
                let rs: Vec<&OutboxRow> = rows.iter().collect();
                Some(self.fail(&rs, e, step))
            }
        }
    }

    async fn note_exists(&self, lead_id: i64, key: &str) -> Result<bool, CrmError> {
        let notes = self
            .client
            .get_all(
                &format!("/api/v4/leads/{lead_id}/notes"),
                &[
                    ("filter[note_type]", "common".into()),
                    ("limit", "250".into()),
                ],
                "notes",
            )
            .await?;
        Ok(notes.iter().any(|n| {
            n.pointer("/params/text")
                .and_then(Value::as_str)
                .is_some_and(|t| t.contains(key))
        }))
    }

    async fn task_exists(&self, lead_id: i64, text: &str) -> Result<bool, CrmError> {
        let tasks = self
            .client
            .get_all(
                "/api/v4/tasks",
                &[
                    ("filter[entity_type]", "leads".into()),
                    ("filter[entity_id][]", lead_id.to_string()),
                    ("limit", "250".into()),
                ],
                "tasks",
            )
            .await?;
        Ok(tasks.iter().any(|t| {
            t.get("entity_id").and_then(Value::as_i64) == Some(lead_id)
                && t.get("text").and_then(Value::as_str) == Some(text)
        }))
    }

    /// Looks a row's key up in amoCRM after a creating call whose answer
    /// never came (crash, reset, timeout). See [`Deliverer::lookup_many`].
    pub async fn lookup(&self, row: &OutboxRow) -> Result<Option<Found>, CrmError> {
        Ok(self.lookup_many(&[row]).await?.remove(&row.key))
    }

    /// Looks these rows' keys up in amoCRM, on every create path and
    /// whatever the account's custom fields:
    /// 1. every lead updated since the earliest first creating call (less a
    ///    margin for clock skew), compared by key in its tags, name and
    ///    field values — the key is always one of the lead's tags, and a
    ///    lead's `updated_at` is never before its creation, whatever
    ///    `created_at` it was given (`unsorted/forms` backdates it to the
    ///    mail's date);
    /// 2. for keys still missing, the newest Unsorted forms
    ///    (`source_uid`/`request_id`).
    ///
    /// A key missing from the answer was not found by a complete listing; a
    /// listing longer than [`LOOKUP_MAX_PAGES`] pages is an error (the rows
    /// stay `sending` and are looked up again), never "not found".
    pub async fn lookup_many(
        &self,
        rows: &[&OutboxRow],
    ) -> Result<HashMap<String, Found>, CrmError> {
        let keys: HashSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        let mut found: HashMap<String, Found> = HashMap::new();
        if keys.is_empty() {
            return Ok(found);
        }
        let since_ms = rows
            .iter()
            .map(|r| r.first_try_ms.unwrap_or(r.created_ms))
            .min()
            .unwrap_or(0);
        let since_s = (since_ms / 1000 - LOOKUP_MARGIN_S).max(0);
        let mut next: Option<String> = None;
        let mut pages = 0usize;
        loop {
            if pages >= LOOKUP_MAX_PAGES {
                return Err(CrmError::Decode(format!(
                    "lead lookup after an interrupted create: more than {} leads changed since the attempt; will look again",
                    LOOKUP_MAX_PAGES * 250
                )));
            }
            let page = match &next {
                None => {
                    self.client
                        .get_json(
                            "/api/v4/leads",
                            &[
                                ("filter[updated_at][from]", since_s.to_string()),
                                ("with", "contacts".into()),
                                ("order[id]", "asc".into()),
                                ("limit", "250".into()),
                            ],
                        )
                        .await?
                }
                Some(href) => self.client.get_json(href, &[]).await?,
            };
            pages += 1;
            let Some(page) = page else { break };
            for l in page
                .pointer("/_embedded/leads")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for key in keys_held(l, &keys) {
                    if let Some(id) = l.get("id").and_then(Value::as_i64) {
                        found.entry(key.to_string()).or_insert(Found {
                            lead_id: id,
                            contact_id: l
                                .pointer("/_embedded/contacts/0/id")
                                .and_then(Value::as_i64),
                            uid: None,
                        });
                    }
                }
            }
            match page.pointer("/_links/next/href").and_then(Value::as_str) {
                Some(h) => next = Some(h.to_string()),
                None => break,
            }
        }
        if found.len() == keys.len() {
            return Ok(found);
        }
        let items = self
            .client
            .get_json(
                "/api/v4/leads/unsorted",
                &[
                    ("filter[category][]", "forms".into()),
                    ("order[created_at]", "desc".into()),
                    ("limit", "250".into()),
                ],
            )
            .await?;
        for it in items
            .as_ref()
            .and_then(|p| p.pointer("/_embedded/unsorted"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = [it.get("source_uid"), it.get("request_id")]
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find(|k| keys.contains(k));
            if let Some(key) = key
                && !found.contains_key(key)
                && let Some(id) = it.pointer("/_embedded/leads/0/id").and_then(Value::as_i64)
            {
                found.insert(
                    key.to_string(),
                    Found {
                        lead_id: id,
                        contact_id: it
                            .pointer("/_embedded/contacts/0/id")
                            .and_then(Value::as_i64),
                        uid: it.get("uid").and_then(Value::as_str).map(str::to_string),
                    },
                );
            }
        }
        Ok(found)
    }
}

/// How far before the first creating call the crash lookup lists leads:
/// covers a difference between our clock and amoCRM's.
pub const LOOKUP_MARGIN_S: i64 = 3600;

/// Pages of 250 leads the crash lookup reads at most before it gives up
/// for this round (and tries again later, without creating anything).
pub const LOOKUP_MAX_PAGES: usize = 40;

/// The keys among `keys` a lead (from `GET /api/v4/leads`) holds as a tag,
/// in its name or as a field value.
fn keys_held<'a>(l: &Value, keys: &HashSet<&'a str>) -> Vec<&'a str> {
    let mut held: Vec<&'a str> = Vec::new();
    let mut take = |s: &str| {
        if let Some(k) = keys.get(s)
            && !held.contains(k)
        {
            held.push(k);
        }
    };
    for t in l
        .pointer("/_embedded/tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(n) = t.get("name").and_then(Value::as_str) {
            take(n);
        }
    }
    for v in l
        .get("custom_fields_values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|cf| {
            cf.get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
    {
        if let Some(s) = v.get("value").and_then(Value::as_str) {
            take(s);
        }
    }
    if let Some(name) = l.get("name").and_then(Value::as_str) {
        for k in keys.iter().filter(|k| name.contains(**k)) {
            take(k);
        }
    }
    held
}

/// Delivery lanes: due rows are split by client (first phone, else first
/// e-mail, else the request) into `of` lanes that run side by side, so one
/// slow amoCRM call holds only its own lane while the others go on (all
/// calls still share the one rate limiter). A client's requests are always
/// in the same lane, so their order and the contact de-duplication hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    pub index: usize,
    pub of: usize,
}

impl Lane {
    /// Everything in one lane.
    pub const ALL: Lane = Lane { index: 0, of: 1 };

    pub fn holds(self, row: &OutboxRow) -> bool {
        self.of <= 1 || lane_key(row) % self.of as u64 == self.index as u64
    }
}

/// A stable number for the client of a row (FNV-1a of its first phone's
/// last 10 digits, else its e-mail, else the request id).
fn lane_key(row: &OutboxRow) -> u64 {
    let r = &row.request;
    let id = r
        .phone
        .iter()
        .chain(r.phones.iter())
        .find_map(|p| phone10(p))
        .or_else(|| r.email.as_ref().map(|e| e.trim().to_lowercase()))
        .unwrap_or_else(|| row.request_id.to_string());
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A lead amoCRM already has for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub uid: Option<String>,
}

#[derive(Debug, Default)]
struct Step {
    moved: usize,
    halted: bool,
}

/// Contact keys held by one lane; released (and waiters woken) on drop,
/// also when the step fails or the task is cancelled.
struct Claim<'a> {
    d: &'a Deliverer,
    keys: Vec<String>,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        let mut held = lock(&self.d.claimed);
        for k in &self.keys {
            held.remove(k);
        }
        drop(held);
        self.d.released.notify_waiters();
    }
}

fn contact_keys(p: &LeadPlan) -> Vec<String> {
    p.phones10
        .iter()
        .map(|d| format!("p:{d}"))
        .chain(p.emails.iter().map(|e| format!("e:{e}")))
        .collect()
}

fn is_code(cf: &Value, code: &str) -> bool {
    match cf.get("field_code").and_then(Value::as_str) {
        Some(c) => c.eq_ignore_ascii_case(code),
        // Some answers carry only field_type/field_name; accept multitext.
        None => cf.get("field_type").and_then(Value::as_str) == Some("multitext"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+79991234567"), "***67");
        assert_eq!(mask_phone("9139123447"), "***47");
        assert_eq!(mask_phone("123"), "***");
    }
}
