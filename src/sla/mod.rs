//! The 10-minute rule: business-hours deadlines, callback evidence, alerts.
//!
//! Layout:
//! - [`calendar`]: pure working-time arithmetic (deadline = arrival +
//!   `callback_within` of working time) and the admins' calendar file;
//! - [`evidence`]: what counts as "the manager reacted" and the trait the
//!   amoCRM side ([`crate::crm::events`]) implements;
//! - [`watch`]: the long-running task that checks leads near or past their
//!   deadline and plans/sends alerts through [`crate::alert`];
//! - [`report`]: counts, median and p90 response times for `status`/`report`.
//!
//! Invariants: deadlines and alerts are journal rows with absolute times
//! (`journal::sla`), never in-memory timers, so a restart neither loses nor
//! repeats an alert. This module does no HTTP itself.

pub mod calendar;
pub mod evidence;
pub mod html;
pub mod incoming;
pub mod procedure;
pub mod report;
pub mod watch;

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::config::{Config, SlaConfig, parse_duration};
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::journal::sla::NewSla;
use crate::journal::{Journal, JournalError};
use crate::request::{Action, Request};

pub use calendar::WorkCalendar;
pub use evidence::{EvidenceKind, EvidenceSet};
pub use watch::{Clock, ManualClock, TokioClock, Watch};

/// The `[sla]` section, validated and ready to use.
#[derive(Debug, Clone)]
pub struct Policy {
    pub calendar: WorkCalendar,
    /// Working time a manager has to call back (default 10 minutes).
    pub callback_within: Duration,
    /// Wall time after the first alert before the head of sales is told.
    pub escalate_after: Duration,
    /// Reminders to the manager after the first alert (None = no reminders).
    pub remind_every: Option<Duration>,
    /// At most this many reminders per lead, so a forgotten lead stops nagging.
    pub max_reminders: u32,
    pub evidence: EvidenceSet,
    /// A lead is not asked about more often than this (shared rate limit).
    pub check_interval: Duration,
    /// Checks start this long before the deadline, so evidence that is
    /// already there closes the row without an alert.
    pub check_ahead: Duration,
    /// Local minute of the day for the daily digest to the head of sales.
    pub digest_at: Option<u16>,
    /// Which sources open a clock (`[sla.sources]`).
    pub sources: incoming::Sources,
    /// The procedure's stage checks (`[sla.procedure]`).
    pub procedure: procedure::Procedure,
}

impl Policy {
    /// Defaults with an around-the-clock calendar in `tz`.
    pub fn around_the_clock(tz: TimeZone) -> Policy {
        Policy {
            calendar: WorkCalendar::around_the_clock(tz),
            callback_within: Duration::from_secs(600),
            escalate_after: Duration::from_secs(600),
            remind_every: None,
            max_reminders: 3,
            evidence: EvidenceSet::all(),
            check_interval: Duration::from_secs(60),
            check_ahead: Duration::from_secs(60),
            digest_at: None,
            sources: incoming::Sources::default(),
            procedure: procedure::Procedure::default(),
        }
    }

    /// Builds the policy from `[sla]`; every problem as `path:line:col`.
    /// `config_text` (the config file's text) is used to locate keys; the
    /// calendar file is read here and reported with its own path.
    pub fn from_config(
        cfg: &SlaConfig,
        config_path: &Path,
        config_text: Option<&str>,
    ) -> Result<Policy, Diagnostics> {
        let mut diags = Diagnostics::default();
        let loc = |keys: &[&str]| Loc::of_toml_key(config_path, config_text, keys);
        let tz = match cfg.timezone.as_deref() {
            None => TimeZone::system(),
            Some(name) => match TimeZone::get(name) {
                Ok(tz) => tz,
                Err(_) => {
                    diags.push(Diagnostic::new(
                        loc(&["sla", "timezone"]),
                        format!(
                            "[sla] timezone: unknown time zone `{name}`; use an IANA name such as \"Europe/Moscow\""
                        ),
                    ));
                    TimeZone::UTC
                }
            },
        };
        let mut dur = |key: &str, value: &Option<String>, default: Option<Duration>| match value {
            None => default,
            Some(s) => match parse_duration(s) {
                Some(d) if !d.is_zero() => Some(d),
                _ => {
                    diags.push(Diagnostic::new(
                            loc(&["sla", key]),
                            format!(
                                "[sla] {key}: `{s}` is not a duration; write e.g. \"10m\", \"90s\", \"1h30m\""
                            ),
                        ));
                    default
                }
            },
        };
        let ten = Duration::from_secs(600);
        let callback_within =
            dur("callback_within", &cfg.callback_within, Some(ten)).unwrap_or(ten);
        let escalate_after = dur("escalate_after", &cfg.escalate_after, Some(ten)).unwrap_or(ten);
        let remind_every = dur("remind_every", &cfg.remind_every, None);
        let minute = Duration::from_secs(60);
        let check_interval =
            dur("check_interval", &cfg.check_interval, Some(minute)).unwrap_or(minute);
        let digest_at = match cfg.digest_at.as_deref() {
            None => None,
            Some(s) => match calendar::parse_hhmm(s) {
                Some(m) if m < 1440 => Some(m),
                _ => {
                    diags.push(Diagnostic::new(
                        loc(&["sla", "digest_at"]),
                        format!(
                            "[sla] digest_at: `{s}` is not a time of day; write e.g. \"19:30\""
                        ),
                    ));
                    None
                }
            },
        };
        let evidence = match &cfg.evidence {
            None => EvidenceSet::all(),
            Some(list) => {
                let mut set = EvidenceSet::none();
                for name in list {
                    match EvidenceKind::from_config(name) {
                        Some(k) => set.insert(k),
                        None => diags.push(Diagnostic::new(
                            loc(&["sla", "evidence"]),
                            format!(
                                "[sla] evidence: unknown kind `{name}`; use any of \"call\", \"status\", \"task\", \"chat\""
                            ),
                        )),
                    }
                }
                if set.is_empty() && list.is_empty() {
                    diags.push(Diagnostic::new(
                        loc(&["sla", "evidence"]),
                        "[sla] evidence: empty list; every lead would be alerted. Remove the key for all kinds",
                    ));
                }
                set
            }
        };
        let mut calendar = match &cfg.hours {
            None => WorkCalendar::around_the_clock(tz),
            Some(hours) => {
                let week = calendar::parse_week(
                    hours,
                    &|k| {
                        if k.is_empty() {
                            loc(&["sla", "hours"])
                        } else {
                            loc(&["sla", "hours", k])
                        }
                    },
                    &mut diags,
                );
                WorkCalendar::weekly(tz, week)
            }
        };
        if let Some(file) = &cfg.calendar_file {
            let file = match config_path.parent() {
                Some(dir) if file.is_relative() => dir.join(file),
                _ => file.clone(),
            };
            match std::fs::read_to_string(&file) {
                Ok(text) => {
                    let (days, d) = calendar::parse_calendar(&file, &text, &calendar.usual_day());
                    diags.extend(d);
                    calendar = calendar.with_days(days);
                }
                Err(e) => diags.push(Diagnostic::new(
                    loc(&["sla", "calendar_file"]),
                    format!(
                        "[sla] calendar_file: cannot read {}: {e}; create it or remove the key",
                        file.display()
                    ),
                )),
            }
        }
        let sources = match &cfg.sources {
            None => incoming::Sources::default(),
            Some(t) => match incoming::Sources::from_table(t, &loc) {
                Ok(s) => s,
                Err(d) => {
                    for x in d {
                        diags.push(x);
                    }
                    incoming::Sources::default()
                }
            },
        };
        let procedure = match &cfg.procedure {
            None => procedure::Procedure::default(),
            Some(t) => match procedure::Procedure::from_table(t, &loc) {
                Ok(p) => p,
                Err(d) => {
                    for x in d {
                        diags.push(x);
                    }
                    procedure::Procedure::default()
                }
            },
        };
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Policy {
            calendar,
            callback_within,
            escalate_after,
            remind_every,
            max_reminders: 3,
            evidence,
            check_interval,
            check_ahead: minute.min(check_interval),
            digest_at,
            sources,
            procedure,
        })
    }

    /// The deadline for a mail that reached the server at `arrival`, with an
    /// optional per-rule override (`CrmSpec::sla_secs`).
    pub fn deadline(&self, arrival: Timestamp, rule_override_secs: Option<u64>) -> Timestamp {
        let budget = rule_override_secs
            .map(Duration::from_secs)
            .unwrap_or(self.callback_within);
        self.calendar.deadline(arrival, budget)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SlaSetupError {
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error(transparent)]
    Secret(#[from] crate::config::ConfigError),
}

/// Every problem in `[sla]` and `[alerts]` (calendar file and templates
/// included), without reading secrets: what `amo-intake check` reports.
pub fn check_config(cfg: &Config, config_path: &Path, config_text: Option<&str>) -> Diagnostics {
    let mut d = match Policy::from_config(&cfg.sla, config_path, config_text) {
        Ok(_) => Diagnostics::default(),
        Err(d) => d,
    };
    d.extend(crate::alert::Alerter::validate(
        cfg,
        config_path,
        config_text,
    ));
    d.sorted()
}

/// `[sla.sources]` pipelines and `[sla.procedure]` stage and field names
/// against the amoCRM account (for `amo-intake check`), each problem at the
/// key's `path:line:col` with the names the account has.
pub fn check_against_catalog(
    cfg: &Config,
    config_path: &Path,
    config_text: &str,
    catalog: &crate::crm::catalog::Catalog,
) -> Diagnostics {
    let mut d = Diagnostics::default();
    let Ok(policy) = Policy::from_config(&cfg.sla, config_path, Some(config_text)) else {
        return d; // reported by check_config
    };
    let loc = |keys: &[&str]| -> Loc {
        crate::diag::toml_key_offset(config_text, keys)
            .map(|o| Loc::from_offset(config_path, config_text, o))
            .unwrap_or_else(|| Loc::new(config_path, 1, 1))
    };
    let pipelines: Vec<incoming::PipelineInfo> = catalog
        .pipelines
        .iter()
        .map(|p| incoming::PipelineInfo {
            id: p.id,
            name: p.name.clone(),
            stages: p
                .statuses
                .iter()
                .map(|s| incoming::Stage {
                    id: s.id,
                    name: s.name.clone(),
                    sort: 0,
                    unsorted: s.kind == 1,
                })
                .collect(),
        })
        .collect();
    let names = |v: Vec<String>| v.join("», «");
    let (_, unknown) = incoming::resolve_pipelines(&policy.sources.pipelines, &pipelines);
    for u in unknown {
        d.push(Diagnostic::new(
            loc(&["sla", "sources", "pipelines"]),
            format!(
                "[sla.sources] pipelines: no pipeline `{u}` in amoCRM; the account has «{}»",
                names(pipelines.iter().map(|p| p.name.clone()).collect())
            ),
        ));
    }
    let stages: Vec<String> = pipelines
        .iter()
        .flat_map(|p| p.stages.iter().map(|s| s.name.clone()))
        .collect();
    for u in policy.procedure.unknown_stages(&pipelines) {
        let key = [
            ("trash_stage", &policy.procedure.trash_stage),
            ("measure_stage", &policy.procedure.measure_stage),
            ("thinking_stage", &policy.procedure.thinking_stage),
        ]
        .into_iter()
        .find(|(_, v)| **v == u)
        .map(|(k, _)| k)
        .unwrap_or("procedure");
        d.push(Diagnostic::new(
            loc(&["sla", "procedure", key]),
            format!(
                "[sla.procedure] {key}: no stage «{u}» in amoCRM; stages are «{}»",
                names(stages.clone())
            ),
        ));
    }
    if policy.procedure.checks.contains(&procedure::MEASURE_FIELDS) {
        for f in &policy.procedure.measure_fields {
            let known = catalog
                .lead_fields
                .iter()
                .any(|x| x.name.trim().to_lowercase() == f.trim().to_lowercase());
            if !known {
                d.push(Diagnostic::new(
                    loc(&["sla", "procedure", "measure_fields"]),
                    format!(
                        "[sla.procedure] measure_fields: no lead field «{f}» in amoCRM; lead fields are «{}» (see `amo-intake crm fields`)",
                        names(catalog.lead_fields.iter().map(|x| x.name.clone()).collect())
                    ),
                ));
            }
        }
    }
    d
}

/// Builds the SLA watch for the daemon: policy from `[sla]`, channels from
/// `[alerts]` (reads secrets), evidence from the shared amoCRM client.
pub fn watch_from_config(
    cfg: &Config,
    config_path: &Path,
    config_text: Option<&str>,
    journal: std::sync::Arc<Journal>,
    evidence: std::sync::Arc<dyn evidence::EvidenceSource>,
    clock: std::sync::Arc<dyn Clock>,
    crm: Option<std::sync::Arc<crate::crm::Client>>,
) -> Result<Watch, SlaSetupError> {
    let policy =
        Policy::from_config(&cfg.sla, config_path, config_text).map_err(SlaSetupError::Invalid)?;
    let alerter = crate::alert::Alerter::from_config(cfg, config_path, config_text)
        .map_err(|e| match e {
            crate::alert::AlertSetupError::Invalid(d) => SlaSetupError::Invalid(d),
            crate::alert::AlertSetupError::Secret(s) => SlaSetupError::Secret(s),
        })?
        .with_time_zone(policy.calendar.time_zone().clone());
    let alerter = match (&cfg.alerts.amocrm_task, crm) {
        (Some(t), Some(client)) => {
            let c: crate::alert::channels::AmoTaskConfig = toml::Value::Table(t.clone())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    SlaSetupError::Invalid(Diagnostics(vec![Diagnostic::new(
                        Loc::new(config_path, 1, 1),
                        format!("[alerts.amocrm_task]: {}", e.message().trim()),
                    )]))
                })?;
            alerter.with_channel(std::sync::Arc::new(crate::alert::channels::AmoTask::new(
                client, &c,
            )))
        }
        _ => alerter,
    };
    Ok(Watch::new(
        journal,
        policy,
        evidence,
        std::sync::Arc::new(alerter),
        clock,
    ))
}

impl Policy {
    /// The deadline hook for the delivery pipeline
    /// ([`crate::pipeline::Pipeline::with_deadline`]), so the call task is
    /// due at the business-hours deadline, not at arrival + 10 wall minutes,
    /// with the rule's own `sla` override when it has one.
    pub fn deadline_fn(self: std::sync::Arc<Self>) -> crate::pipeline::DeadlineFn {
        std::sync::Arc::new(
            move |_req: &Request, rule_secs: Option<u64>, start_ms: i64| {
                let start = Timestamp::from_millisecond(start_ms).ok()?;
                Some(self.deadline(start, rule_secs).as_millisecond())
            },
        )
    }
}

/// Source of a request that came by website mail (the clock starts at the
/// mail's INTERNALDATE).
pub const SOURCE_MAIL: &str = "mail";
/// The channel name alerts show for website mails.
pub use crate::alert::template::CHANNEL_SITE;

/// What the delivery side knows about a lead just created in amoCRM.
#[derive(Debug, Clone, Default)]
pub struct DeliveredLead {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub responsible_id: Option<i64>,
    /// Journal id of the mail it came from.
    pub mail_id: Option<i64>,
}

/// Opens the SLA clock for a delivered request: `lead` and `review` get one,
/// `trash` and `ignore` do not. Returns the deadline when a row was opened
/// (or already existed). The arrival is the mail's INTERNALDATE (falling
/// back to when we journalled it), or `fallback_arrival` without a mail id.
pub fn open_for_request(
    journal: &Journal,
    policy: &Policy,
    request: &Request,
    rule_sla_secs: Option<u64>,
    lead: &DeliveredLead,
    fallback_arrival: Timestamp,
) -> Result<Option<Timestamp>, JournalError> {
    if matches!(request.action, Action::Trash | Action::Ignore) {
        return Ok(None);
    }
    let arrival = match lead.mail_id {
        Some(id) => journal.mail_arrival(id)?.unwrap_or(fallback_arrival),
        None => fallback_arrival,
    };
    let deadline = policy.deadline(arrival, rule_sla_secs);
    // The row feeds alert texts (Telegram, mail, webhook, an amoCRM task
    // or note): one line each and bounded, whatever the mail held; the
    // request itself stays whole in the outbox.
    use crate::crm::payload::{limits, one_line};
    let asked = request
        .product
        .as_deref()
        .or(request.message.as_deref())
        .map(|s| one_line(s, 300));
    journal.sla_open(&NewSla {
        lead_id: lead.lead_id,
        contact_id: lead.contact_id,
        responsible_id: lead.responsible_id,
        mail_id: lead.mail_id,
        arrival,
        deadline,
        client_name: request.name.as_deref().map(|n| one_line(n, limits::NAME)),
        phone: request.phone.as_deref().map(|p| one_line(p, limits::NAME)),
        asked,
        kind: Some(request.kind.as_str().to_string()),
        source: Some(SOURCE_MAIL.into()),
        channel: Some(CHANNEL_SITE.into()),
        action: Some(request.action.as_str().into()),
    })?;
    Ok(Some(deadline))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn procedure_names_are_checked_against_the_account() {
        let text = "[sla.sources]\npipelines = [\"Продажи\"]\n[sla.procedure]\nthinking_stage = \"Думаем\"\nmeasure_fields = [\"Адрес объекта\", \"Адресс\"]\n";
        let cfg: crate::config::Config = toml::from_str(text).unwrap();
        let d = check_against_catalog(
            &cfg,
            Path::new("/etc/a.toml"),
            text,
            &crate::crm::catalog::Catalog::builtin(),
        )
        .sorted();
        let lines: Vec<String> = d.0.iter().map(|d| d.to_string()).collect();
        assert!(
            lines.iter().any(|l| l
                .starts_with("/etc/a.toml:2:1: [sla.sources] pipelines: no pipeline `Продажи`")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l
                .starts_with("/etc/a.toml:4:1: [sla.procedure] thinking_stage: no stage «Думаем»")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("no lead field «Адресс»")),
            "{lines:?}"
        );
    }

    #[test]
    fn config_errors_point_into_the_config_file() {
        let text = "[sla]\ncallback_within = \"ten\"\ntimezone = \"Mars/Olympus\"\nevidence = [\"call\", \"pigeon\"]\n[sla.hours]\nmon-fri = \"09:00-19:00\"\nsun = \"9-5\"\n";
        let cfg: crate::config::Config = toml::from_str(text).unwrap();
        let err = Policy::from_config(&cfg.sla, Path::new("/etc/a.toml"), Some(text))
            .err()
            .unwrap()
            .sorted();
        let lines: Vec<String> = err.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(lines[0].starts_with("/etc/a.toml:2:1: [sla] callback_within"));
        assert!(lines[1].starts_with("/etc/a.toml:3:1: [sla] timezone"));
        assert!(lines[2].starts_with("/etc/a.toml:4:1: [sla] evidence: unknown kind `pigeon`"));
        assert!(lines[3].starts_with("/etc/a.toml:7:1: [sla] hours.sun"));
    }

    #[test]
    fn defaults_and_rule_override() {
        let text = "[sla]\ntimezone = \"Europe/Moscow\"\nhours = { mon-fri = \"09:00-19:00\" }\n";
        let cfg: crate::config::Config = toml::from_str(text).unwrap();
        let p = Policy::from_config(&cfg.sla, Path::new("a.toml"), Some(text)).unwrap();
        assert_eq!(p.callback_within, Duration::from_secs(600));
        assert_eq!(p.escalate_after, Duration::from_secs(600));
        let arrival: Timestamp = "2026-11-26T09:00:00Z".parse().unwrap(); // 12:00 MSK
        assert_eq!(
            p.deadline(arrival, None),
            "2026-11-26T09:10:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            p.deadline(arrival, Some(900)),
            "2026-11-26T09:15:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn open_for_request_uses_internaldate_and_skips_trash_and_ignore() {
        use crate::journal::mails::{IncomingMail, Recorded};
        let j = Journal::in_memory().unwrap();
        let p = Policy::around_the_clock(TimeZone::UTC);
        let internal: Timestamp = "2026-11-26T09:00:00Z".parse().unwrap();
        let Recorded::New(mail_id) = j
            .record_mail(&IncomingMail {
                mailbox: "sales".into(),
                uidvalidity: 1,
                uid: 1,
                internal_date_ms: Some(internal.as_millisecond()),
                raw: b"Subject: x\r\n\r\nbody".to_vec(),
            })
            .unwrap()
        else {
            panic!("new mail expected");
        };
        let later: Timestamp = "2026-11-26T09:05:00Z".parse().unwrap();
        let lead = |id| DeliveredLead {
            lead_id: id,
            contact_id: Some(5),
            responsible_id: Some(7),
            mail_id: Some(mail_id),
        };
        let mut req = Request {
            action: Action::Review,
            name: Some("Иван".into()),
            ..Request::default()
        };
        let d = open_for_request(&j, &p, &req, None, &lead(1), later).unwrap();
        assert_eq!(d, Some("2026-11-26T09:10:00Z".parse().unwrap()));
        req.action = Action::Lead;
        let d = open_for_request(&j, &p, &req, Some(300), &lead(2), later).unwrap();
        assert_eq!(d, Some("2026-11-26T09:05:00Z".parse().unwrap()));
        for a in [Action::Trash, Action::Ignore] {
            req.action = a;
            assert_eq!(
                open_for_request(&j, &p, &req, None, &lead(3), later).unwrap(),
                None
            );
        }
        assert_eq!(j.sla_open_rows().unwrap().len(), 2);
        assert_eq!(
            j.sla_row(1).unwrap().unwrap().client_name.as_deref(),
            Some("Иван")
        );
    }

    /// A huge or multi-line name or message does not become a huge alert.
    #[test]
    fn sla_row_values_are_one_line_and_bounded() {
        let j = Journal::in_memory().unwrap();
        let p = Policy::around_the_clock(TimeZone::UTC);
        let req = Request {
            action: Action::Lead,
            name: Some(format!("Анна\r\n{}", "я".repeat(100_000))),
            message: Some("строка\n".repeat(10_000)),
            ..Request::default()
        };
        let lead = DeliveredLead {
            lead_id: 9,
            ..DeliveredLead::default()
        };
        let now: Timestamp = "2026-11-26T09:05:00Z".parse().unwrap();
        open_for_request(&j, &p, &req, None, &lead, now).unwrap();
        let row = j.sla_row(9).unwrap().unwrap();
        let name = row.client_name.unwrap();
        assert_eq!(name.chars().count(), crate::crm::payload::limits::NAME);
        assert!(name.starts_with("Анна яяя") && !name.contains('\n'));
        let asked = row.asked.unwrap();
        assert!(
            asked.chars().count() <= 300 && !asked.contains('\n'),
            "{asked}"
        );
    }

    #[test]
    fn check_config_reports_alert_problems_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("first.txt"), "{client} {phon}\n").unwrap();
        let text = format!(
            "[sla]\ncallback_within = \"10m\"\n[alerts]\ntemplates_dir = \"{}\"\n[alerts.telegram]\nbot_token_file = \"/nonexistent\"\nchats = {{ \"anna\" = \"1\" }}\n[alerts.webhook]\nurl = \"http://x\"\nmethod = \"PUT\"\n",
            dir.path().display()
        );
        let cfg: Config = toml::from_str(&text).unwrap();
        let d = check_config(&cfg, Path::new("c.toml"), Some(&text));
        let lines: Vec<String> = d.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("c.toml:7:11: [alerts.telegram] chats: `anna`")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("c.toml:10:1: unknown key `method` in [alerts.webhook]")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("first.txt:1:10: unknown placeholder `{phon}`")),
            "{lines:?}"
        );
    }

    #[test]
    fn deadline_hook_for_the_pipeline_uses_business_hours() {
        let text = "[sla]\ntimezone = \"Europe/Moscow\"\nhours = { mon-fri = \"09:00-19:00\" }\n";
        let cfg: Config = toml::from_str(text).unwrap();
        let p = std::sync::Arc::new(Policy::from_config(&cfg.sla, Path::new("a"), None).unwrap());
        let f = p.deadline_fn();
        // Friday 23:40 MSK = 20:40 UTC → Monday 09:10 MSK = 06:10 UTC.
        let fri: Timestamp = "2026-11-27T20:40:00Z".parse().unwrap();
        let due = f(&Request::default(), None, fri.as_millisecond()).unwrap();
        assert_eq!(
            Timestamp::from_millisecond(due).unwrap(),
            "2026-11-30T06:10:00Z".parse::<Timestamp>().unwrap()
        );
        // A rule's own `sla = "15m"` moves the task due time with it.
        let due = f(&Request::default(), Some(900), fri.as_millisecond()).unwrap();
        assert_eq!(
            Timestamp::from_millisecond(due).unwrap(),
            "2026-11-30T06:15:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn calendar_file_relative_to_config_and_its_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("cal.txt"),
            "2026-01-01 off\n2026-01-02 of\n",
        )
        .unwrap();
        let cfg_path = dir.path().join("a.toml");
        let text = "[sla]\nhours = { mon-fri = \"09:00-19:00\" }\ncalendar_file = \"cal.txt\"\n";
        let cfg: crate::config::Config = toml::from_str(text).unwrap();
        let err = Policy::from_config(&cfg.sla, &cfg_path, Some(text))
            .err()
            .unwrap();
        let s = err.to_string();
        assert!(s.contains("cal.txt:2:12: expected `off`"), "{s}");
    }
}
