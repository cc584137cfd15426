//! Every incoming request, whatever created it: chat leads (WhatsApp,
//! Telegram, …), missed calls, leads from other integrations or typed in by
//! hand, and a client writing again on an open lead.
//!
//! The watch polls one [`Feed`] (amoCRM's events list, and now and then the
//! Unsorted list, which has no event type of its own) through the daemon's
//! shared client, at most one request per `check_interval` while nothing
//! happens. What the poll finds opens an SLA clock (a journal row, like a
//! website mail's) or closes one (an outgoing message or call). The amoCRM
//! side is [`crate::crm::events`]; this module decides, and does no I/O.

use std::collections::HashMap;

use futures::future::BoxFuture;
use jiff::Timestamp;
use serde::Deserialize;

use super::evidence::EvidenceError;
use crate::diag::{Diagnostic, Loc};

/// `[sla.sources]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesToml {
    #[serde(default = "yes")]
    mail: bool,
    #[serde(default = "yes")]
    chats: bool,
    #[serde(default = "yes")]
    calls: bool,
    #[serde(default = "yes")]
    other: bool,
    #[serde(default)]
    pipelines: Vec<toml::Value>,
    #[serde(default = "ten")]
    unsorted_every: u32,
}

fn yes() -> bool {
    true
}
fn ten() -> u32 {
    10
}

/// A pipeline as the admin names it: amoCRM id or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineRef {
    Id(i64),
    Name(String),
}

/// Which sources open a clock, in which pipelines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    /// Website mails (their clock starts at INTERNALDATE, opened on delivery).
    pub mail: bool,
    /// Chat leads and a client's new chat message on an open lead.
    pub chats: bool,
    /// Missed incoming calls not returned.
    pub calls: bool,
    /// Leads from other integrations (forms, mail in amoCRM) or by hand.
    pub other: bool,
    /// Empty: every pipeline.
    pub pipelines: Vec<PipelineRef>,
    /// Every n-th poll reads the Unsorted list instead of the events list
    /// (still one request per poll).
    pub unsorted_every: u32,
}

impl Default for Sources {
    /// Without `[sla.sources]`: website mails only (nothing is polled).
    fn default() -> Self {
        Sources {
            mail: true,
            chats: false,
            calls: false,
            other: false,
            pipelines: Vec::new(),
            unsorted_every: 10,
        }
    }
}

impl Sources {
    /// Parses `[sla.sources]`; a problem names the key.
    pub fn from_table(
        t: &toml::Table,
        loc: &dyn Fn(&[&str]) -> Loc,
    ) -> Result<Sources, Vec<Diagnostic>> {
        let raw: SourcesToml = toml::Value::Table(t.clone()).try_into().map_err(
            |e: toml::de::Error| {
                vec![Diagnostic::new(
                    loc(&["sla", "sources"]),
                    format!(
                        "[sla.sources]: {}; keys: mail, chats, calls, other (true/false), pipelines (names or ids), unsorted_every",
                        e.message().trim()
                    ),
                )]
            },
        )?;
        let mut diags = Vec::new();
        let mut pipelines = Vec::new();
        for v in &raw.pipelines {
            match v {
                toml::Value::Integer(i) => pipelines.push(PipelineRef::Id(*i)),
                toml::Value::String(s) if !s.trim().is_empty() => {
                    pipelines.push(PipelineRef::Name(s.trim().to_string()))
                }
                other => diags.push(Diagnostic::new(
                    loc(&["sla", "sources", "pipelines"]),
                    format!(
                        "[sla.sources] pipelines: `{other}` is neither a pipeline name nor an id; see `amo-intake crm pipelines`"
                    ),
                )),
            }
        }
        if raw.unsorted_every == 0 {
            diags.push(Diagnostic::new(
                loc(&["sla", "sources", "unsorted_every"]),
                "[sla.sources] unsorted_every: must be 1 or more (every n-th poll reads Unsorted)",
            ));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Sources {
            mail: raw.mail,
            chats: raw.chats,
            calls: raw.calls,
            other: raw.other,
            pipelines,
            unsorted_every: raw.unsorted_every.max(1),
        })
    }

    /// True when something beyond website mails is watched (the watch polls).
    pub fn polls(&self) -> bool {
        self.chats || self.calls || self.other
    }
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Lead(i64),
    Contact(i64),
}

/// The event kinds the watch reads from amoCRM's events list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedKind {
    LeadAdded,
    /// The client wrote (any chat channel).
    ClientMessage,
    /// The client called; `note` is the call note to ask whether it was missed.
    IncomingCall {
        note: Option<i64>,
    },
    /// A manager wrote back.
    ManagerMessage,
    /// A manager called.
    ManagerCall,
    /// The lead moved to a stage (by a person or a robot).
    StatusChanged {
        pipeline_id: Option<i64>,
        status_id: i64,
        by_robot: bool,
    },
    NoteAdded,
    TaskAdded,
}

/// One event from the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    pub kind: FeedKind,
    pub entity: Entity,
    pub at: Timestamp,
    /// Chat origin as amoCRM names it (e.g. "telegram", "com.amocrm.amocrmwa").
    pub origin: Option<String>,
}

/// A lead as the watch needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeadInfo {
    pub id: i64,
    pub name: Option<String>,
    pub pipeline_id: Option<i64>,
    pub status_id: Option<i64>,
    pub responsible_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// Won, lost or deleted.
    pub closed: bool,
    /// Custom field name → has a non-empty value.
    pub fields: HashMap<String, bool>,
}

/// A pipeline stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub id: i64,
    pub name: String,
    pub sort: i64,
    /// amoCRM's stage type: 1 = Unsorted.
    pub unsorted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineInfo {
    pub id: i64,
    pub name: String,
    pub stages: Vec<Stage>,
}

impl PipelineInfo {
    /// The stages where a new request sits: Unsorted and the first ordinary
    /// stage (lowest `sort` that is not Unsorted, won or lost).
    pub fn intake_stages(&self) -> Vec<i64> {
        let mut out: Vec<i64> = self
            .stages
            .iter()
            .filter(|s| s.unsorted)
            .map(|s| s.id)
            .collect();
        if let Some(first) = self
            .stages
            .iter()
            .filter(|s| !s.unsorted && s.id != 142 && s.id != 143)
            .min_by_key(|s| s.sort)
        {
            out.push(first.id);
        }
        out
    }
}

/// One item of the Unsorted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsortedItem {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub pipeline_id: Option<i64>,
    /// `chats`, `sip`, `forms`, `mail`.
    pub category: String,
    pub source_name: Option<String>,
    pub client_name: Option<String>,
    pub created_at: Timestamp,
}

/// The amoCRM side of the poll (implemented over the shared client in
/// [`crate::crm::events`]). Every method is one request or a few batched
/// ones, inside the daemon's rate limiter.
pub trait Feed: Send + Sync {
    /// Events of the watched types created at or after `from`, oldest first.
    fn events<'a>(
        &'a self,
        from: Timestamp,
    ) -> BoxFuture<'a, Result<Vec<FeedEvent>, EvidenceError>>;
    /// Unsorted items created at or after `from`.
    fn unsorted<'a>(
        &'a self,
        from: Timestamp,
    ) -> BoxFuture<'a, Result<Vec<UnsortedItem>, EvidenceError>>;
    /// Leads by id (with custom fields by name).
    fn leads<'a>(
        &'a self,
        ids: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, LeadInfo>, EvidenceError>>;
    fn pipelines(&self) -> BoxFuture<'_, Result<Vec<PipelineInfo>, EvidenceError>>;
    /// For call notes: true when the call was missed (no conversation).
    fn calls_missed<'a>(
        &'a self,
        notes: &'a [(Entity, i64)],
    ) -> BoxFuture<'a, Result<HashMap<i64, bool>, EvidenceError>>;
    /// Open (not completed) tasks per lead.
    fn open_tasks<'a>(
        &'a self,
        lead_ids: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, usize>, EvidenceError>>;
}

/// The channel alerts name for a chat origin or an Unsorted source name.
pub fn channel_name(origin: &str) -> String {
    let o = origin.to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| o.contains(n));
    if has(&["whatsapp", "amocrmwa", "wazzup", "waba", "wa_", ".wa"]) || o == "wa" {
        "WhatsApp".into()
    } else if has(&["telegram", "tg"]) {
        "Telegram".into()
    } else if has(&["instagram", "insta"]) {
        "Instagram".into()
    } else if has(&["vk", "вконтакте"]) {
        "ВКонтакте".into()
    } else if has(&["avito", "авито"]) {
        "Авито".into()
    } else if has(&["viber"]) {
        "Viber".into()
    } else if has(&["facebook", "messenger", "fb"]) {
        "Facebook".into()
    } else if o.trim().is_empty() {
        "чат".into()
    } else {
        origin.to_string()
    }
}

/// The channel for an Unsorted item.
pub fn unsorted_channel(item: &UnsortedItem) -> (&'static str, String) {
    match item.category.as_str() {
        "chats" => (
            SOURCE_CHAT,
            channel_name(item.source_name.as_deref().unwrap_or("")),
        ),
        "sip" => (SOURCE_CALL, CHANNEL_CALL.into()),
        _ => (
            SOURCE_OTHER,
            item.source_name
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "другой источник".into()),
        ),
    }
}

pub const SOURCE_CHAT: &str = "chat";
pub const SOURCE_CALL: &str = "call";
pub const SOURCE_OTHER: &str = "other";
pub const CHANNEL_CALL: &str = "звонок";

/// Resolves `[sla.sources] pipelines` against the account; unknown names
/// are returned for `check`.
pub fn resolve_pipelines(
    wanted: &[PipelineRef],
    account: &[PipelineInfo],
) -> (Vec<i64>, Vec<String>) {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for w in wanted {
        let hit = account.iter().find(|p| match w {
            PipelineRef::Id(id) => p.id == *id,
            PipelineRef::Name(n) => p.name.trim().to_lowercase() == n.trim().to_lowercase(),
        });
        match hit {
            Some(p) => ids.push(p.id),
            None => unknown.push(match w {
                PipelineRef::Id(i) => i.to_string(),
                PipelineRef::Name(n) => n.clone(),
            }),
        }
    }
    (ids, unknown)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn channel_names_from_origins() {
        assert_eq!(channel_name("com.amocrm.amocrmwa"), "WhatsApp");
        assert_eq!(channel_name("telegram"), "Telegram");
        assert_eq!(channel_name("WhatsApp Business"), "WhatsApp");
        assert_eq!(channel_name("instagram_business"), "Instagram");
        assert_eq!(channel_name(""), "чат");
        assert_eq!(channel_name("Jivo"), "Jivo");
    }

    #[test]
    fn sources_config_and_errors() {
        let loc = |_: &[&str]| Loc::new(std::path::Path::new("/c.toml"), 3, 1);
        let t: toml::Table =
            toml::from_str("chats = true\ncalls = false\npipelines = [\"Продажи\", 42]").unwrap();
        let s = Sources::from_table(&t, &loc).unwrap();
        assert!(s.chats && !s.calls && s.other && s.mail);
        assert_eq!(
            s.pipelines,
            vec![PipelineRef::Name("Продажи".into()), PipelineRef::Id(42)]
        );
        let bad: toml::Table = toml::from_str("chat = true").unwrap();
        let e = Sources::from_table(&bad, &loc).unwrap_err();
        assert!(e[0].to_string().contains("/c.toml:3:1"), "{}", e[0]);
        let bad: toml::Table = toml::from_str("pipelines = [true]").unwrap();
        assert!(Sources::from_table(&bad, &loc).is_err());
    }

    #[test]
    fn intake_stages_are_unsorted_and_the_first_stage() {
        let p = PipelineInfo {
            id: 1,
            name: "Продажи".into(),
            stages: vec![
                Stage {
                    id: 10,
                    name: "Неразобранное".into(),
                    sort: 10,
                    unsorted: true,
                },
                Stage {
                    id: 12,
                    name: "Замер".into(),
                    sort: 30,
                    unsorted: false,
                },
                Stage {
                    id: 11,
                    name: "Новая".into(),
                    sort: 20,
                    unsorted: false,
                },
                Stage {
                    id: 142,
                    name: "Успешно".into(),
                    sort: 10000,
                    unsorted: false,
                },
            ],
        };
        assert_eq!(p.intake_stages(), vec![10, 11]);
        let (ids, unknown) = resolve_pipelines(
            &[
                PipelineRef::Name("продажи".into()),
                PipelineRef::Name("Нет".into()),
            ],
            &[p],
        );
        assert_eq!((ids, unknown), (vec![1], vec!["Нет".to_string()]));
    }
}

/// In-memory poll state of one watch (cursors are in the journal).
#[derive(Debug, Default)]
pub struct PollState {
    /// Next poll instant, unix ms (0: at once).
    pub next_ms: i64,
    /// Polls made by this watch (every `unsorted_every`-th reads Unsorted).
    pub count: u64,
    /// The account's pipelines, read once per watch.
    pub pipelines: Option<Vec<PipelineInfo>>,
    /// Requests made by the poll (tests, benchmark).
    pub requests: u64,
    /// Events of the cursor's second already handled: the next poll starts
    /// at that second again (an event of the same second may show up
    /// late) and skips these, so a call note is not looked up twice.
    pub at_cursor: Vec<FeedEvent>,
}

/// Journal cursor names.
const CURSOR_EVENTS: &str = "events";
const CURSOR_UNSORTED: &str = "unsorted";

use super::watch::{Watch, WatchError};
use crate::journal::sla::{NewSla, SlaState};

fn lock(m: &std::sync::Mutex<PollState>) -> std::sync::MutexGuard<'_, PollState> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// What opens or renews a clock.
struct Opening {
    lead_id: i64,
    at: Timestamp,
    source: &'static str,
    channel: String,
    /// A new lead (round 0 only) or a new message (may renew a round).
    new_lead: bool,
}

impl Watch {
    pub(super) fn next_poll_ms(&self) -> Option<i64> {
        self.polling().then(|| lock(&self.poll).next_ms)
    }

    /// Requests the poll has made (tests and the benchmark).
    pub fn poll_requests(&self) -> u64 {
        lock(&self.poll).requests
    }

    fn count_request(&self, n: u64) {
        lock(&self.poll).requests += n;
    }

    pub(super) fn count_request_pub(&self, n: u64) {
        self.count_request(n);
    }

    /// The account's pipelines as last read (empty before the first poll).
    pub(super) fn cached_pipelines(&self) -> Vec<PipelineInfo> {
        lock(&self.poll).pipelines.clone().unwrap_or_default()
    }

    fn polling(&self) -> bool {
        self.feed.is_some()
            && (self.policy.sources.polls() || !self.policy.procedure.checks.is_empty())
    }

    /// One poll of amoCRM, at most once per `check_interval`: the events
    /// list, or every `unsorted_every`-th time the Unsorted list. Failures
    /// are logged and retried on the next poll (the cursor does not move).
    pub(super) async fn poll_incoming(&self, now_ts: Timestamp) -> Result<(), WatchError> {
        let Some(feed) = self.feed.clone() else {
            return Ok(());
        };
        let sources = self.policy.sources.clone();
        if !self.polling() {
            return Ok(());
        }
        let now = now_ts.as_millisecond();
        let interval = i64::try_from(self.policy.check_interval.as_millis()).unwrap_or(60_000);
        let (count, cached) = {
            let mut st = lock(&self.poll);
            if now < st.next_ms {
                return Ok(());
            }
            st.next_ms = now + interval;
            st.count += 1;
            (st.count, st.pipelines.clone())
        };
        let pipelines = match cached {
            Some(p) => p,
            None => {
                self.count_request(1);
                match feed.pipelines().await {
                    Ok(p) => {
                        lock(&self.poll).pipelines = Some(p.clone());
                        p
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read pipelines; incoming requests not polled this time");
                        return Ok(());
                    }
                }
            }
        };
        let watched: Vec<&PipelineInfo> = if sources.pipelines.is_empty() {
            pipelines.iter().collect()
        } else {
            let (ids, unknown) = resolve_pipelines(&sources.pipelines, &pipelines);
            if !unknown.is_empty() {
                tracing::warn!(unknown = ?unknown, "[sla.sources] pipelines not in amoCRM; see `amo-intake crm pipelines`");
            }
            pipelines.iter().filter(|p| ids.contains(&p.id)).collect()
        };
        let unsorted_turn = count % u64::from(sources.unsorted_every.max(1)) == 0;
        if unsorted_turn {
            self.poll_unsorted(feed.as_ref(), &watched, now_ts).await
        } else {
            self.poll_events(feed.as_ref(), &watched, now_ts).await
        }
    }

    fn cursor(&self, name: &str, now_ts: Timestamp) -> Result<Timestamp, WatchError> {
        // First start: only what happens from now on (minus one interval),
        // never last month's history.
        let first = now_ts.as_millisecond()
            - i64::try_from(self.policy.check_interval.as_millis()).unwrap_or(60_000);
        let ms = self.journal.sla_cursor(name)?.unwrap_or(first);
        Ok(Timestamp::from_millisecond(ms).unwrap_or(now_ts))
    }

    async fn poll_unsorted(
        &self,
        feed: &dyn Feed,
        watched: &[&PipelineInfo],
        now_ts: Timestamp,
    ) -> Result<(), WatchError> {
        let from = self.cursor(CURSOR_UNSORTED, now_ts)?;
        self.count_request(1);
        let items = match feed.unsorted(from).await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(error = %e, "Unsorted poll failed; retrying next poll");
                return Ok(());
            }
        };
        let mut openings = Vec::new();
        let mut newest = from;
        for item in &items {
            newest = newest.max(item.created_at);
            if item.created_at < from {
                continue;
            }
            if let Some(p) = item.pipeline_id
                && !watched.iter().any(|w| w.id == p)
            {
                continue;
            }
            let (source, channel) = unsorted_channel(item);
            if !self.source_on(source) {
                continue;
            }
            openings.push(Opening {
                lead_id: item.lead_id,
                at: item.created_at,
                source,
                channel,
                new_lead: true,
            });
        }
        if !self.open_all(feed, watched, openings, false).await? {
            return Ok(());
        }
        self.journal
            .set_sla_cursor(CURSOR_UNSORTED, newest.as_millisecond())?;
        Ok(())
    }

    fn source_on(&self, source: &str) -> bool {
        let s = &self.policy.sources;
        match source {
            SOURCE_CHAT => s.chats,
            SOURCE_CALL => s.calls,
            _ => s.other,
        }
    }

    async fn poll_events(
        &self,
        feed: &dyn Feed,
        watched: &[&PipelineInfo],
        now_ts: Timestamp,
    ) -> Result<(), WatchError> {
        let from = self.cursor(CURSOR_EVENTS, now_ts)?;
        self.count_request(1);
        let mut events = match feed.events(from).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "events poll failed; retrying next poll");
                return Ok(());
            }
        };
        {
            let st = lock(&self.poll);
            events.retain(|e| !st.at_cursor.contains(e));
        }
        if events.is_empty() {
            return Ok(());
        }
        let newest = events.iter().map(|e| e.at).max().unwrap_or(from);
        // Which incoming calls were missed: one look at their call notes.
        let notes: Vec<(Entity, i64)> = if self.policy.sources.calls {
            events
                .iter()
                .filter_map(|e| match e.kind {
                    FeedKind::IncomingCall { note: Some(n) } => Some((e.entity, n)),
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        let missed = if notes.is_empty() {
            HashMap::new()
        } else {
            self.count_request(1);
            match feed.calls_missed(&notes).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read call notes; retrying next poll");
                    return Ok(());
                }
            }
        };
        let chat_origin: HashMap<Entity, String> = events
            .iter()
            .filter(|e| e.kind == FeedKind::ClientMessage)
            .map(|e| (e.entity, channel_name(e.origin.as_deref().unwrap_or(""))))
            .collect();
        let mut openings = Vec::new();
        for e in &events {
            if e.at < from {
                continue;
            }
            // Events on a contact stand for the lead we watch for it.
            let lead = match e.entity {
                Entity::Lead(id) => Some(id),
                Entity::Contact(c) => self.journal.sla_row_by_contact(c)?.map(|r| r.lead_id),
            };
            let Some(lead) = lead else { continue };
            match &e.kind {
                FeedKind::LeadAdded => {
                    let (source, channel) = match chat_origin.get(&e.entity) {
                        Some(ch) => (SOURCE_CHAT, ch.clone()),
                        None => (SOURCE_OTHER, "другой источник".to_string()),
                    };
                    if self.source_on(source) {
                        openings.push(Opening {
                            lead_id: lead,
                            at: e.at,
                            source,
                            channel,
                            new_lead: true,
                        });
                    }
                }
                FeedKind::ClientMessage if self.policy.sources.chats => {
                    openings.push(Opening {
                        lead_id: lead,
                        at: e.at,
                        source: SOURCE_CHAT,
                        channel: channel_name(e.origin.as_deref().unwrap_or("")),
                        new_lead: false,
                    });
                }
                FeedKind::IncomingCall { note: Some(n) }
                    if self.policy.sources.calls && missed.get(n).copied() == Some(true) =>
                {
                    openings.push(Opening {
                        lead_id: lead,
                        at: e.at,
                        source: SOURCE_CALL,
                        channel: CHANNEL_CALL.into(),
                        new_lead: false,
                    });
                }
                _ => {}
            }
        }
        // Clocks first, then answers in the same batch close them: a chat
        // answered before this poll never alerts.
        if !self.open_all(feed, watched, openings, true).await? {
            return Ok(());
        }
        for e in &events {
            let kind = match e.kind {
                FeedKind::ManagerMessage => super::EvidenceKind::Chat,
                FeedKind::ManagerCall => super::EvidenceKind::Call,
                FeedKind::StatusChanged {
                    by_robot: false, ..
                } => super::EvidenceKind::Status,
                _ => continue,
            };
            if !self.policy.evidence.contains(kind) {
                continue;
            }
            let row = match e.entity {
                Entity::Lead(id) => self.journal.sla_row(id)?,
                Entity::Contact(c) => self.journal.sla_row_by_contact(c)?,
            };
            let Some(row) = row else { continue };
            if !matches!(row.state, SlaState::Waiting | SlaState::Breached)
                || e.at.as_millisecond() < row.arrival_ms
                || (row.action.as_deref() == Some("review")
                    && !self.policy.evidence.for_review().contains(kind))
            {
                continue;
            }
            tracing::info!(lead_id = row.lead_id, evidence = kind.as_str(), at = %e.at, "reply seen in the events poll; SLA closed");
            self.journal
                .sla_answer(row.lead_id, kind.as_str(), e.at.as_millisecond())?;
            if row.responsible_id.is_none() {
                self.fill_responsible_pub(&[row.lead_id]).await?;
            }
        }
        let pipelines = self.cached_pipelines();
        self.procedure_on_events(feed, &events, &pipelines).await?;
        self.journal
            .set_sla_cursor(CURSOR_EVENTS, newest.as_millisecond())?;
        let mut st = lock(&self.poll);
        if from.as_second() != newest.as_second() {
            st.at_cursor.clear();
        }
        st.at_cursor.extend(
            events
                .into_iter()
                .filter(|e| e.at.as_second() == newest.as_second()),
        );
        Ok(())
    }

    /// Opens (or renews) clocks for `openings`, after one batched look at
    /// the leads: watched pipeline, not closed, a new lead only in Unsorted
    /// or the first stage, never a lead amo-intake made from a mail.
    async fn open_all(
        &self,
        feed: &dyn Feed,
        watched: &[&PipelineInfo],
        openings: Vec<Opening>,
        check_stage: bool,
    ) -> Result<bool, WatchError> {
        let mut todo = Vec::new();
        for o in openings {
            if o.new_lead
                && (self.journal.lead_is_ours(o.lead_id)?
                    || self.journal.sla_row(o.lead_id)?.is_some())
            {
                continue;
            }
            todo.push(o);
        }
        if todo.is_empty() {
            return Ok(true);
        }
        let mut ids: Vec<i64> = todo.iter().map(|o| o.lead_id).collect();
        ids.sort_unstable();
        ids.dedup();
        self.count_request(ids.len().div_ceil(250) as u64);
        let info = match feed.leads(&ids).await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read new leads; they are looked at on the next poll");
                return Ok(false);
            }
        };
        let intake: Vec<i64> = watched.iter().flat_map(|p| p.intake_stages()).collect();
        for o in todo {
            let Some(l) = info.get(&o.lead_id) else {
                continue; // deleted meanwhile
            };
            if l.closed
                || !l
                    .pipeline_id
                    .is_some_and(|p| watched.iter().any(|w| w.id == p))
            {
                continue;
            }
            if o.new_lead && check_stage && !l.status_id.is_some_and(|s| intake.contains(&s)) {
                continue;
            }
            let new = NewSla {
                lead_id: o.lead_id,
                contact_id: l.contact_id,
                responsible_id: l.responsible_id,
                arrival: o.at,
                deadline: self.policy.deadline(o.at, None),
                client_name: l.name.clone(),
                kind: Some(crate::request::Kind::Other.as_str().into()),
                source: Some(o.source.into()),
                channel: Some(o.channel.clone()),
                ..Default::default()
            };
            match self.journal.sla_row(o.lead_id)? {
                None => {
                    self.journal.sla_open(&new)?;
                    tracing::info!(lead_id = o.lead_id, source = o.source, channel = %o.channel, deadline = %new.deadline, "SLA clock started");
                }
                Some(row) => {
                    let stopped = !matches!(row.state, SlaState::Waiting | SlaState::Breached);
                    let after = row.evidence_at_ms.is_none_or(|e| o.at.as_millisecond() > e)
                        && o.at.as_millisecond() > row.arrival_ms;
                    if stopped && after && !o.new_lead {
                        let round = self.journal.sla_new_round(&new)?;
                        tracing::info!(lead_id = o.lead_id, round, channel = %o.channel, deadline = %new.deadline, "client wrote again; SLA clock restarted");
                    }
                }
            }
        }
        Ok(true)
    }
}
