//! The procedure's steps after the call (the sales handbook, §3), checked
//! on events rather than by scanning leads:
//!
//! - `trash_tasks`: a lead moved to «Корзина» (or closed as lost, status
//!   143) still has open tasks;
//! - `measure_fields`: a lead in «Замер» lacks the visit's fields (date and
//!   time, address, contact, scope — amoCRM custom fields by name);
//! - `thinking_note`: a lead moved to «Думает» has no note added after the
//!   move within N minutes;
//! - `thinking_task`: … or no open task for the next contact.
//!
//! A stage move seen in the events poll opens a *finding* row (journal)
//! due a few minutes later; when it is due, one batched look at the leads
//! (and their open tasks) decides, and a missing step becomes a reminder to
//! the responsible manager, journalled before it is sent like every alert.
//! Stage names come from `[sla.procedure]` (the handbook's names are the
//! defaults), never from code paths.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use serde::Deserialize;

use super::incoming::{Entity, Feed, FeedEvent, FeedKind, PipelineInfo};
use super::watch::{Watch, WatchError, retry_backoff};
use crate::diag::{Diagnostic, Loc};
use crate::journal::sla::NewAlert;

/// The check names live with their reminder texts (`alert::template`), so
/// the report page can name them without depending on this module.
pub use crate::alert::template::{MEASURE_FIELDS, THINKING_NOTE, THINKING_TASK, TRASH_TASKS};
pub const ALL_CHECKS: [&str; 4] = [TRASH_TASKS, MEASURE_FIELDS, THINKING_NOTE, THINKING_TASK];

/// amoCRM's "closed, not realised" status, the same in every pipeline.
const STATUS_LOST: i64 = 143;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProcedureToml {
    #[serde(default)]
    checks: Option<Vec<String>>,
    #[serde(default)]
    trash_stage: Option<String>,
    #[serde(default)]
    measure_stage: Option<String>,
    #[serde(default)]
    thinking_stage: Option<String>,
    #[serde(default)]
    measure_fields: Option<Vec<String>>,
    #[serde(default)]
    trash_after: Option<String>,
    #[serde(default)]
    measure_after: Option<String>,
    #[serde(default)]
    thinking_after: Option<String>,
}

/// `[sla.procedure]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    pub checks: Vec<&'static str>,
    pub trash_stage: String,
    pub measure_stage: String,
    pub thinking_stage: String,
    /// Custom fields of the lead that a measurement visit needs.
    pub measure_fields: Vec<String>,
    pub trash_after: Duration,
    pub measure_after: Duration,
    pub thinking_after: Duration,
}

impl Default for Procedure {
    /// The handbook's stage names; no checks run without `[sla.procedure]`.
    fn default() -> Self {
        Procedure {
            checks: Vec::new(),
            trash_stage: "Корзина".into(),
            measure_stage: "Замер".into(),
            thinking_stage: "Думает".into(),
            measure_fields: vec![
                "Дата и время замера".into(),
                "Адрес".into(),
                "Контактное лицо".into(),
                "Объём работ".into(),
            ],
            trash_after: Duration::from_secs(5 * 60),
            measure_after: Duration::from_secs(30 * 60),
            thinking_after: Duration::from_secs(15 * 60),
        }
    }
}

impl Procedure {
    /// Parses `[sla.procedure]`; every problem names the key.
    pub fn from_table(
        t: &toml::Table,
        loc: &dyn Fn(&[&str]) -> Loc,
    ) -> Result<Procedure, Vec<Diagnostic>> {
        let raw: ProcedureToml = toml::Value::Table(t.clone()).try_into().map_err(
            |e: toml::de::Error| {
                vec![Diagnostic::new(
                    loc(&["sla", "procedure"]),
                    format!(
                        "[sla.procedure]: {}; keys: checks, trash_stage, measure_stage, thinking_stage, measure_fields, trash_after, measure_after, thinking_after",
                        e.message().trim()
                    ),
                )]
            },
        )?;
        let mut p = Procedure::default();
        let mut diags = Vec::new();
        match &raw.checks {
            None => p.checks = ALL_CHECKS.to_vec(),
            Some(list) => {
                for name in list {
                    match ALL_CHECKS.iter().find(|c| **c == name.trim()) {
                        Some(c) => p.checks.push(c),
                        None => diags.push(Diagnostic::new(
                            loc(&["sla", "procedure", "checks"]),
                            format!(
                                "[sla.procedure] checks: unknown check `{name}`; use any of {}",
                                ALL_CHECKS.join(", ")
                            ),
                        )),
                    }
                }
            }
        }
        for (key, value, slot) in [
            ("trash_stage", &raw.trash_stage, &mut p.trash_stage),
            ("measure_stage", &raw.measure_stage, &mut p.measure_stage),
            ("thinking_stage", &raw.thinking_stage, &mut p.thinking_stage),
        ] {
            if let Some(v) = value {
                if v.trim().is_empty() {
                    diags.push(Diagnostic::new(
                        loc(&["sla", "procedure", key]),
                        format!("[sla.procedure] {key}: empty stage name; write the name as amoCRM shows it"),
                    ));
                } else {
                    *slot = v.trim().to_string();
                }
            }
        }
        if let Some(f) = &raw.measure_fields {
            p.measure_fields = f.iter().map(|s| s.trim().to_string()).collect();
        }
        for (key, value, slot) in [
            ("trash_after", &raw.trash_after, &mut p.trash_after),
            ("measure_after", &raw.measure_after, &mut p.measure_after),
            ("thinking_after", &raw.thinking_after, &mut p.thinking_after),
        ] {
            if let Some(v) = value {
                match crate::config::parse_duration(v) {
                    Some(d) => *slot = d,
                    None => diags.push(Diagnostic::new(
                        loc(&["sla", "procedure", key]),
                        format!(
                            "[sla.procedure] {key}: `{v}` is not a duration; write e.g. \"15m\""
                        ),
                    )),
                }
            }
        }
        if diags.is_empty() { Ok(p) } else { Err(diags) }
    }

    /// The checks a move into `status_id` of `pipeline` starts, with their delay.
    pub fn checks_for_move(
        &self,
        pipeline: Option<&PipelineInfo>,
        status_id: i64,
    ) -> Vec<(&'static str, Duration)> {
        let name = pipeline
            .and_then(|p| p.stages.iter().find(|s| s.id == status_id))
            .map(|s| s.name.trim().to_lowercase());
        let is = |stage: &str| name.as_deref() == Some(stage.trim().to_lowercase().as_str());
        let mut out = Vec::new();
        for c in &self.checks {
            let hit = match *c {
                TRASH_TASKS => status_id == STATUS_LOST || is(&self.trash_stage),
                MEASURE_FIELDS => is(&self.measure_stage),
                THINKING_NOTE | THINKING_TASK => is(&self.thinking_stage),
                _ => false,
            };
            if hit {
                let after = match *c {
                    TRASH_TASKS => self.trash_after,
                    MEASURE_FIELDS => self.measure_after,
                    _ => self.thinking_after,
                };
                out.push((*c, after));
            }
        }
        out
    }

    /// The configured stage name a check is about (for texts).
    pub fn stage_of(&self, check: &str) -> &str {
        match check {
            TRASH_TASKS => &self.trash_stage,
            MEASURE_FIELDS => &self.measure_stage,
            _ => &self.thinking_stage,
        }
    }

    /// Stage names the account lacks, for `check` (pipelines from amoCRM).
    pub fn unknown_stages(&self, pipelines: &[PipelineInfo]) -> Vec<String> {
        let mut out = Vec::new();
        let mut want: Vec<&str> = Vec::new();
        if self.checks.contains(&TRASH_TASKS) {
            want.push(&self.trash_stage);
        }
        if self.checks.contains(&MEASURE_FIELDS) {
            want.push(&self.measure_stage);
        }
        if self.checks.contains(&THINKING_NOTE) || self.checks.contains(&THINKING_TASK) {
            want.push(&self.thinking_stage);
        }
        for w in want {
            let found = pipelines.iter().any(|p| {
                p.stages
                    .iter()
                    .any(|s| s.name.trim().to_lowercase() == w.trim().to_lowercase())
            });
            if !found && w != "Корзина" {
                out.push(w.to_string());
            }
        }
        out
    }
}

/// Which configured visit fields are empty (or missing from the lead).
pub fn missing_fields(wanted: &[String], fields: &HashMap<String, bool>) -> Vec<String> {
    wanted
        .iter()
        .filter(|w| {
            !fields
                .iter()
                .any(|(k, filled)| *filled && k.trim().to_lowercase() == w.trim().to_lowercase())
        })
        .cloned()
        .collect()
}

impl Watch {
    /// Starts checks for stage moves and settles note checks, from one
    /// events poll (no extra request).
    pub(super) async fn procedure_on_events(
        &self,
        _feed: &dyn Feed,
        events: &[FeedEvent],
        pipelines: &[PipelineInfo],
    ) -> Result<(), WatchError> {
        let p = &self.policy.procedure;
        if p.checks.is_empty() {
            return Ok(());
        }
        for e in events {
            let Entity::Lead(lead) = e.entity else {
                continue;
            };
            match &e.kind {
                FeedKind::StatusChanged {
                    pipeline_id,
                    status_id,
                    ..
                } => {
                    let pipeline = pipelines
                        .iter()
                        .find(|x| Some(x.id) == *pipeline_id)
                        .or_else(|| {
                            pipelines
                                .iter()
                                .find(|x| x.stages.iter().any(|s| s.id == *status_id))
                        });
                    for (check, after) in p.checks_for_move(pipeline, *status_id) {
                        let since = e.at.as_millisecond();
                        let due = since
                            .saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX));
                        if self.journal.finding_open(lead, check, since, due)? {
                            tracing::info!(
                                lead_id = lead,
                                check,
                                due = due,
                                "procedure check scheduled"
                            );
                        }
                    }
                }
                FeedKind::NoteAdded => {
                    self.journal
                        .findings_note_added(lead, THINKING_NOTE, e.at.as_millisecond())?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Runs the checks that are due: one leads call and, if needed, one
    /// tasks call for the batch; a missing step is journalled as a reminder.
    pub(super) async fn procedure_due(&self, now_ts: Timestamp) -> Result<(), WatchError> {
        let Some(feed) = self.feed.clone() else {
            return Ok(());
        };
        let now = now_ts.as_millisecond();
        let due = self.journal.findings_due(now)?;
        if due.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<i64> = due.iter().map(|f| f.lead_id).collect();
        ids.sort_unstable();
        ids.dedup();
        self.count_request_pub(ids.len().div_ceil(250) as u64);
        let leads = match feed.leads(&ids).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "procedure checks: cannot read leads; retrying next pass");
                return Ok(());
            }
        };
        let need_tasks: Vec<i64> = due
            .iter()
            .filter(|f| f.check == TRASH_TASKS || f.check == THINKING_TASK)
            .map(|f| f.lead_id)
            .collect();
        let tasks = if need_tasks.is_empty() {
            HashMap::new()
        } else {
            self.count_request_pub(1);
            match feed.open_tasks(&need_tasks).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(error = %e, "procedure checks: cannot read tasks; retrying next pass");
                    return Ok(());
                }
            }
        };
        let pipelines = self.cached_pipelines();
        let p = &self.policy.procedure;
        for f in due {
            let Some(lead) = leads.get(&f.lead_id) else {
                self.journal.finding_done(
                    f.id,
                    "closed",
                    Some("сделка удалена"),
                    None,
                    &[],
                    now,
                )?;
                continue;
            };
            // Still in the stage the check is about? A lead moved on (or
            // back) since is not reminded about the old stage.
            let stage_name = pipelines
                .iter()
                .flat_map(|x| x.stages.iter())
                .find(|s| Some(s.id) == lead.status_id)
                .map(|s| s.name.trim().to_lowercase());
            let in_stage = match f.check.as_str() {
                TRASH_TASKS => {
                    lead.status_id == Some(STATUS_LOST)
                        || stage_name.as_deref() == Some(p.trash_stage.to_lowercase().as_str())
                }
                c => stage_name.as_deref() == Some(p.stage_of(c).trim().to_lowercase().as_str()),
            };
            if !in_stage {
                self.journal.finding_done(
                    f.id,
                    "closed",
                    Some("сделка ушла из этапа"),
                    lead.responsible_id,
                    &[],
                    now,
                )?;
                continue;
            }
            let open_tasks = tasks.get(&f.lead_id).copied().unwrap_or(0);
            let detail = match f.check.as_str() {
                TRASH_TASKS if open_tasks > 0 => Some(format!("{open_tasks} шт.")),
                MEASURE_FIELDS => {
                    let miss = missing_fields(&p.measure_fields, &lead.fields);
                    (!miss.is_empty()).then(|| miss.join(", "))
                }
                // Still pending at the due time: no note came after the move.
                THINKING_NOTE => Some("нет примечания".to_string()),
                THINKING_TASK if open_tasks == 0 => Some("нет открытой задачи".to_string()),
                _ => None,
            };
            let Some(detail) = detail else {
                self.journal
                    .finding_done(f.id, "ok", None, lead.responsible_id, &[], now)?;
                continue;
            };
            let waited = (now - f.since_ms) / 1000;
            let mut v: HashMap<&str, String> = HashMap::new();
            v.insert("client", lead.name.clone().unwrap_or_else(|| "—".into()));
            v.insert("manager", self.alerter.manager_name(lead.responsible_id));
            v.insert("link", self.alerter.lead_link(f.lead_id));
            v.insert("lead_id", f.lead_id.to_string());
            v.insert("stage", p.stage_of(&f.check).to_string());
            v.insert("detail", detail.clone());
            v.insert("waited", crate::alert::template::human_duration(waited));
            let text = crate::alert::template::render(self.alerter.templates().check(&f.check), &v);
            let payload = serde_json::json!({
                "event": "procedure_check",
                "check": f.check,
                "lead_id": f.lead_id,
                "responsible_user_id": lead.responsible_id,
                "stage": p.stage_of(&f.check),
                "detail": detail,
                "link": self.alerter.lead_link(f.lead_id),
                "text": text,
            })
            .to_string();
            let alerts: Vec<NewAlert> = self
                .alerter
                .routes(lead.responsible_id, true)
                .into_iter()
                .map(|(ch, to)| NewAlert {
                    kind: crate::journal::sla::AlertKind::Reminder,
                    seq: 0,
                    channel: ch.name().to_string(),
                    recipient: to,
                    text: text.clone(),
                    payload: payload.clone(),
                })
                .collect();
            tracing::info!(lead_id = f.lead_id, check = %f.check, detail = %detail, recipients = alerts.len(), "procedure step missing; reminder journalled");
            self.journal.finding_done(
                f.id,
                "found",
                Some(&detail),
                lead.responsible_id,
                &alerts,
                now,
            )?;
        }
        Ok(())
    }

    /// Sends pending procedure reminders (retried like SLA alerts).
    pub(super) async fn procedure_send(&self, now: i64) -> Result<(), WatchError> {
        for a in self.journal.procedure_alerts_pending(now)? {
            let msg = crate::alert::Message {
                text: a.text.clone(),
                payload: serde_json::from_str(&a.payload).unwrap_or(serde_json::Value::Null),
                idempotency_key: Some(format!(
                    "amo-intake-check-{}-{}-{}-{}",
                    a.finding_id, a.check, a.channel, a.recipient
                )),
                attachment: None,
            };
            let at = self.clock.now().as_millisecond();
            match self.alerter.send_to(&a.channel, &a.recipient, &msg).await {
                Ok(()) => {
                    tracing::info!(lead_id = a.lead_id, check = %a.check, channel = %a.channel, "procedure reminder sent");
                    self.journal.procedure_alert_done(a.id, at, None, 0)?
                }
                Err(crate::alert::ChannelError::Transient { message, .. }) => {
                    let retry = at
                        + i64::try_from(retry_backoff(a.attempts).as_millis()).unwrap_or(120_000);
                    tracing::warn!(lead_id = a.lead_id, channel = %a.channel, error = %message, "procedure reminder not delivered; will retry");
                    self.journal
                        .procedure_alert_done(a.id, at, Some(&message), retry)?
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sla::incoming::Stage;

    fn pipeline() -> PipelineInfo {
        let st = |id, name: &str, sort| Stage {
            id,
            name: name.into(),
            sort,
            unsorted: false,
        };
        PipelineInfo {
            id: 1,
            name: "Продажи".into(),
            stages: vec![
                st(11, "Замер", 20),
                st(12, "Думает", 30),
                st(13, "корзина", 40),
            ],
        }
    }

    #[test]
    fn moves_start_the_configured_checks() {
        let loc = |_: &[&str]| Loc::new(std::path::Path::new("/c.toml"), 1, 1);
        let t: toml::Table = toml::from_str("thinking_after = \"20m\"").unwrap();
        let p = Procedure::from_table(&t, &loc).unwrap();
        let pl = pipeline();
        assert_eq!(
            p.checks_for_move(Some(&pl), 12),
            vec![
                (THINKING_NOTE, Duration::from_secs(1200)),
                (THINKING_TASK, Duration::from_secs(1200))
            ]
        );
        assert_eq!(p.checks_for_move(Some(&pl), 11)[0].0, MEASURE_FIELDS);
        // Stage names compare case-insensitively; lost (143) is trash too.
        assert_eq!(p.checks_for_move(Some(&pl), 13)[0].0, TRASH_TASKS);
        assert_eq!(p.checks_for_move(None, 143)[0].0, TRASH_TASKS);
        // Renamed stage in the config: the old name no longer matches.
        let t: toml::Table =
            toml::from_str("measure_stage = \"Выезд\"\nchecks = [\"measure_fields\"]").unwrap();
        let p = Procedure::from_table(&t, &loc).unwrap();
        assert!(p.checks_for_move(Some(&pl), 11).is_empty());
        assert_eq!(p.unknown_stages(&[pl]), vec!["Выезд".to_string()]);
        let bad: toml::Table =
            toml::from_str("checks = [\"trash\"]\nthinking_after = \"soon\"").unwrap();
        assert_eq!(Procedure::from_table(&bad, &loc).unwrap_err().len(), 2);
    }

    #[test]
    fn missing_visit_fields_by_name() {
        let wanted = vec!["Адрес".to_string(), "Дата и время замера".to_string()];
        let mut f = HashMap::new();
        f.insert("адрес".to_string(), false);
        f.insert("Дата и время замера".to_string(), true);
        assert_eq!(missing_fields(&wanted, &f), vec!["Адрес".to_string()]);
    }
}
