//! Alert channels (Telegram, email, webhook, amoCRM task) and the router that decides who
//! gets which alert.
//!
//! The watch ([`crate::sla::watch`]) asks [`Alerter::plan`] for the rows of
//! one alert step, journals them, then calls [`Alerter::deliver`] per row
//! and records the outcome; a channel that is down is retried later from
//! the journal, so nothing here keeps state between calls.
//!
//! Routing: the first alert and reminders go to the responsible manager on
//! every channel that knows them (Telegram chat map, email address map, the
//! webhook always); when no channel knows the manager, the head of sales
//! gets it instead, so a breach is never silent. Escalations go to the head.

pub mod channels;
pub mod template;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use futures::future::BoxFuture;
use jiff::Timestamp;
use serde::Deserialize;

use crate::config::{Config, ConfigError};
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::journal::sla::{AlertKind, AlertRow, NewAlert, SlaRow};

pub use template::Templates;

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// Worth retrying later (network, 5xx, 429).
    #[error("{channel}: {message}")]
    Transient { channel: String, message: String },
}

/// What a channel sends: the rendered text plus a JSON payload for machines.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub payload: serde_json::Value,
    /// Stable per alert (and per digest): a crash between a channel
    /// accepting an alert and the journal marking it sent repeats the send,
    /// so delivery is at-least-once; a channel that takes an idempotency
    /// key (the webhook's `Idempotency-Key` header) lets the receiver drop
    /// the repeat.
    pub idempotency_key: Option<String>,
    /// A file sent along where the channel can carry one (email): the
    /// daily digest's HTML report page. Other channels send the text alone.
    pub attachment: Option<Attachment>,
}

/// A file attached to a [`Message`].
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub filename: String,
    /// `text/html; charset=utf-8` content.
    pub html: String,
}

/// The idempotency key of one journalled alert: the same for every retry
/// and across restarts (not the row id, which a new state file reuses).
pub fn alert_key(alert: &AlertRow) -> String {
    format!(
        "amo-intake-sla-{}-{}-{}-{}-{}",
        alert.lead_id,
        alert.kind.as_str(),
        alert.seq,
        alert.channel,
        alert.recipient
    )
}

/// One way to reach people. Implementations hold no per-alert state.
pub trait Channel: Send + Sync {
    /// Stable name stored in the journal ("telegram", "email", "webhook").
    fn name(&self) -> &str;
    /// Address of the manager with this amoCRM user id, if this channel has one.
    fn manager_route(&self, user_id: i64) -> Option<String>;
    /// Address of the head of sales, if configured.
    fn head_route(&self) -> Option<String>;
    /// True when the channel reaches whoever is concerned without a per-user
    /// address (webhook): it never counts as "the manager was reached".
    fn is_broadcast(&self) -> bool {
        false
    }
    fn send<'a>(
        &'a self,
        recipient: &'a str,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), ChannelError>>;
}

#[derive(Debug, thiserror::Error)]
pub enum AlertSetupError {
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error(transparent)]
    Secret(#[from] ConfigError),
}

/// `https://{subdomain}.amocrm.ru` (or the configured base URL): where lead
/// links in alerts and reports point.
pub fn link_base(cfg: &Config) -> String {
    match &cfg.amocrm {
        Some(c) => match &c.subdomain {
            Some(s) => format!(
                "https://{s}.{}",
                c.domain.clone().unwrap_or_else(|| "amocrm.ru".into())
            ),
            None => c.base_url.clone().unwrap_or_default(),
        },
        None => String::new(),
    }
}

/// Routes alerts to channels and renders their text.
pub struct Alerter {
    channels: Vec<Arc<dyn Channel>>,
    templates: Templates,
    /// `https://{subdomain}.amocrm.ru`, for the lead link.
    link_base: String,
    /// amoCRM user id → name shown in alerts (`[alerts] names`).
    names: HashMap<i64, String>,
    tz: jiff::tz::TimeZone,
}

impl std::fmt::Debug for Alerter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alerter")
            .field(
                "channels",
                &self.channels.iter().map(|c| c.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Alerter {
    pub fn new(
        channels: Vec<Arc<dyn Channel>>,
        templates: Templates,
        link_base: impl Into<String>,
    ) -> Self {
        Alerter {
            channels,
            templates,
            link_base: link_base.into().trim_end_matches('/').to_string(),
            names: HashMap::new(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// Adds a channel built outside the config (the amoCRM task channel
    /// needs the daemon's client).
    pub fn with_channel(mut self, ch: Arc<dyn Channel>) -> Self {
        self.channels.push(ch);
        self
    }

    pub fn with_names(mut self, names: HashMap<i64, String>) -> Self {
        self.names = names;
        self
    }

    /// Time zone used to print deadlines in texts.
    pub fn with_time_zone(mut self, tz: jiff::tz::TimeZone) -> Self {
        self.tz = tz;
        self
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// True for a channel that reaches no person directly (webhook, amoCRM task).
    pub fn is_broadcast(&self, channel: &str) -> bool {
        self.channels
            .iter()
            .find(|c| c.name() == channel)
            .is_some_and(|c| c.is_broadcast())
    }

    pub fn channel_names(&self) -> Vec<String> {
        self.channels.iter().map(|c| c.name().to_string()).collect()
    }

    /// Builds channels from `[alerts]`; reads secrets. `config_text` locates
    /// problems in the config file.
    pub fn from_config(
        cfg: &Config,
        config_path: &Path,
        config_text: Option<&str>,
    ) -> Result<Alerter, AlertSetupError> {
        Self::build(cfg, config_path, config_text, true)
    }

    /// Every problem in `[alerts]` (sections, maps, templates) without
    /// reading secrets: for `amo-intake check`.
    pub fn validate(cfg: &Config, config_path: &Path, config_text: Option<&str>) -> Diagnostics {
        match Self::build(cfg, config_path, config_text, false) {
            Ok(_) => Diagnostics::default(),
            Err(AlertSetupError::Invalid(d)) => d,
            Err(AlertSetupError::Secret(e)) => Diagnostics(vec![Diagnostic::new(
                Loc::new(config_path, 1, 1),
                e.to_string(),
            )]),
        }
    }

    fn build(
        cfg: &Config,
        config_path: &Path,
        config_text: Option<&str>,
        secrets: bool,
    ) -> Result<Alerter, AlertSetupError> {
        let mut diags = Diagnostics::default();
        let loc = |keys: &[&str]| Loc::of_toml_key(config_path, config_text, keys);
        let mut channels: Vec<Arc<dyn Channel>> = Vec::new();
        fn section<T: for<'de> Deserialize<'de>>(
            table: &toml::Table,
            name: &str,
            loc: &dyn Fn(&[&str]) -> Loc,
            diags: &mut Diagnostics,
        ) -> Option<T> {
            let (v, d) = crate::config::read_table::<T>(table, &["alerts", name], loc);
            // A table with problems is not used even in part.
            let clean = d.is_empty();
            diags.extend(d);
            v.filter(|_| clean)
        }
        let a = &cfg.alerts;
        let ids_only = |section: &str,
                        key: &str,
                        map: &HashMap<String, toml::Value>,
                        diags: &mut Diagnostics| {
            for (k, v) in map {
                let ok_value = matches!(v, toml::Value::String(_) | toml::Value::Integer(_));
                if k.trim().parse::<i64>().is_err() || !ok_value {
                    diags.push(Diagnostic::new(
                        loc(&["alerts", section, key, k]),
                        format!(
                            "[alerts.{section}] {key}: `{k}` must be an amoCRM user id (digits) mapped to a string; see `amo-intake crm users`"
                        ),
                    ));
                }
            }
        };
        let telegram = a
            .telegram
            .as_ref()
            .and_then(|t| section::<channels::TelegramConfig>(t, "telegram", &loc, &mut diags));
        let email = a
            .email
            .as_ref()
            .and_then(|t| section::<channels::EmailConfig>(t, "email", &loc, &mut diags));
        if let Some(c) = &telegram {
            ids_only("telegram", "chats", &c.chats, &mut diags);
        }
        if let Some(c) = &email {
            ids_only("email", "to", &c.to, &mut diags);
        }
        if let Some(c) = telegram
            && secrets
        {
            channels.push(Arc::new(channels::Telegram::from_config(c)?));
        }
        if let Some(mut c) = email {
            if !secrets {
                c.user = None;
            }
            match channels::Email::from_config(c) {
                Ok(ch) => channels.push(Arc::new(ch)),
                Err(channels::EmailSetupError::Secret(e)) => return Err(e.into()),
                Err(channels::EmailSetupError::Invalid(m)) => {
                    diags.push(Diagnostic::new(loc(&["alerts", "email"]), m));
                }
            }
        }
        if let Some(t) = &a.webhook
            && let Some(c) = section::<channels::WebhookConfig>(t, "webhook", &loc, &mut diags)
        {
            channels.push(Arc::new(channels::Webhook::new(c)));
        }
        if let Some(t) = &a.amocrm_task {
            let _ = section::<channels::AmoTaskConfig>(t, "amocrm_task", &loc, &mut diags);
        }
        let templates = match Templates::load(a.templates_dir.as_deref()) {
            Ok(t) => t,
            Err(d) => {
                diags.extend(d);
                Templates::default()
            }
        };
        let mut names = HashMap::new();
        if let Some(t) = &a.names {
            for (k, v) in t {
                match (k.trim().parse::<i64>(), v.as_str()) {
                    (Ok(id), Some(name)) => {
                        names.insert(id, name.to_string());
                    }
                    _ => diags.push(Diagnostic::new(
                        loc(&["alerts", "names", k]),
                        format!(
                            "[alerts] names: `{k}` must be an amoCRM user id mapped to a name string, e.g. \"504141\" = \"Анна\""
                        ),
                    )),
                }
            }
        }
        if !diags.is_empty() {
            return Err(AlertSetupError::Invalid(diags));
        }
        Ok(Alerter::new(channels, templates, link_base(cfg)).with_names(names))
    }

    fn manager_label(&self, user: Option<i64>) -> String {
        match user {
            Some(id) => match self.names.get(&id) {
                Some(n) => n.clone(),
                None => format!("пользователь amoCRM {id}"),
            },
            None => "не назначен".into(),
        }
    }

    /// The text and payload of one alert step for a row.
    pub fn render(&self, row: &SlaRow, kind: AlertKind, now: Timestamp) -> Message {
        let waited = (now.as_millisecond() - row.arrival_ms) / 1000;
        let link = format!("{}/leads/detail/{}", self.link_base, row.lead_id);
        let deadline = Timestamp::from_millisecond(row.deadline_ms)
            .map(|t| {
                t.to_zoned(self.tz.clone())
                    .strftime("%d.%m %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        let dash = || "—".to_string();
        let mut v: HashMap<&str, String> = HashMap::new();
        v.insert("client", row.client_name.clone().unwrap_or_else(dash));
        v.insert("phone", row.phone.clone().unwrap_or_else(dash));
        v.insert("asked", row.asked.clone().unwrap_or_else(dash));
        v.insert("waited", template::human_duration(waited));
        v.insert("manager", self.manager_label(row.responsible_id));
        v.insert("link", link.clone());
        v.insert("deadline", deadline);
        v.insert("lead_id", row.lead_id.to_string());
        v.insert("kind", row.kind.clone().unwrap_or_else(dash));
        v.insert(
            "channel",
            row.channel
                .clone()
                .unwrap_or_else(|| template::CHANNEL_SITE.to_string()),
        );
        let text = template::render(self.templates.for_kind(kind), &v);
        let payload = serde_json::json!({
            "event": "sla_alert",
            "alert": kind.as_str(),
            "lead_id": row.lead_id,
            "contact_id": row.contact_id,
            "responsible_user_id": row.responsible_id,
            "client": row.client_name,
            "phone": row.phone,
            "asked": row.asked,
            "arrived_at": Timestamp::from_millisecond(row.arrival_ms).ok().map(|t| t.to_string()),
            "deadline": Timestamp::from_millisecond(row.deadline_ms).ok().map(|t| t.to_string()),
            "waited_seconds": waited,
            "source": row.source,
            "channel": row.channel,
            "link": link,
            "text": text,
        });
        Message {
            text,
            payload,
            idempotency_key: None,
            attachment: None,
        }
    }

    /// The journal rows for one alert step: one per (channel, recipient).
    pub fn plan(&self, row: &SlaRow, kind: AlertKind, seq: u32, now: Timestamp) -> Vec<NewAlert> {
        let msg = self.render(row, kind, now);
        let payload = msg.payload.to_string();
        let mut out = Vec::new();
        let mut push = |ch: &dyn Channel, to: String| {
            out.push(NewAlert {
                kind,
                seq,
                channel: ch.name().to_string(),
                recipient: to,
                text: msg.text.clone(),
                payload: payload.clone(),
            })
        };
        let to_manager = matches!(kind, AlertKind::First | AlertKind::Reminder);
        for (ch, to) in self.routes(row.responsible_id, to_manager) {
            push(ch, to);
        }
        if out.is_empty() {
            tracing::warn!(
                lead_id = row.lead_id,
                alert = kind.as_str(),
                "no alert channel reaches anyone; configure [alerts.telegram] chats/head_chat or [alerts.email]"
            );
        }
        out
    }

    /// (channel, recipient) pairs for the manager `user` on every channel
    /// that knows them, or the head of sales when none does (or when
    /// `to_manager` is false), so nothing is ever silent.
    pub fn routes(&self, user: Option<i64>, to_manager: bool) -> Vec<(&dyn Channel, String)> {
        let manager_reachable = to_manager
            && user.is_some_and(|id| {
                self.channels
                    .iter()
                    .any(|c| !c.is_broadcast() && c.manager_route(id).is_some())
            });
        self.channels
            .iter()
            .filter_map(|ch| {
                let route = if manager_reachable {
                    user.and_then(|id| ch.manager_route(id))
                } else {
                    ch.head_route()
                };
                Some((ch.as_ref(), route?))
            })
            .collect()
    }

    /// Sends a journalled message (procedure reminders) through one channel.
    pub async fn send_to(
        &self,
        channel: &str,
        recipient: &str,
        msg: &Message,
    ) -> Result<(), ChannelError> {
        let Some(ch) = self.channels.iter().find(|c| c.name() == channel) else {
            return Err(ChannelError::Transient {
                channel: channel.to_string(),
                message: "channel is no longer configured; re-add it to deliver this alert".into(),
            });
        };
        ch.send(recipient, msg).await
    }

    /// The lead's link in amoCRM.
    pub fn lead_link(&self, lead_id: i64) -> String {
        format!("{}/leads/detail/{}", self.link_base, lead_id)
    }

    /// `https://{subdomain}.amocrm.ru` (empty in tests without amoCRM).
    pub fn link_base(&self) -> &str {
        &self.link_base
    }

    /// amoCRM user id → name (`[alerts] names`).
    pub fn names(&self) -> &HashMap<i64, String> {
        &self.names
    }

    /// The manager's name for texts.
    pub fn manager_name(&self, user: Option<i64>) -> String {
        self.manager_label(user)
    }

    /// Sends one journalled alert through its channel.
    pub async fn deliver(&self, alert: &AlertRow) -> Result<(), ChannelError> {
        let Some(ch) = self.channels.iter().find(|c| c.name() == alert.channel) else {
            return Err(ChannelError::Transient {
                channel: alert.channel.clone(),
                message: "channel is no longer configured; re-add it to deliver this alert".into(),
            });
        };
        let payload = serde_json::from_str(&alert.payload).unwrap_or(serde_json::Value::Null);
        let msg = Message {
            text: alert.text.clone(),
            payload,
            idempotency_key: Some(alert_key(alert)),
            attachment: None,
        };
        ch.send(&alert.recipient, &msg).await
    }

    /// (channel, recipient) pairs of the head of sales, for the daily digest.
    pub fn head_routes(&self) -> Vec<(String, String)> {
        self.channels
            .iter()
            .filter_map(|c| Some((c.name().to_string(), c.head_route()?)))
            .collect()
    }

    /// Sends a free text (daily digest) through one channel, with a file
    /// where the channel carries one.
    pub async fn deliver_text(
        &self,
        channel: &str,
        recipient: &str,
        text: &str,
        key: Option<&str>,
        attachment: Option<Attachment>,
    ) -> Result<(), ChannelError> {
        let Some(ch) = self.channels.iter().find(|c| c.name() == channel) else {
            return Err(ChannelError::Transient {
                channel: channel.to_string(),
                message: "channel is no longer configured".into(),
            });
        };
        let msg = Message {
            text: text.to_string(),
            payload: serde_json::json!({"event": "sla_digest", "text": text}),
            idempotency_key: key.map(str::to_string),
            attachment,
        };
        ch.send(recipient, &msg).await
    }

    /// Sends a free text (daily digest) to the head on every channel.
    pub async fn broadcast_head(&self, text: &str) -> Vec<ChannelError> {
        let msg = Message {
            text: text.to_string(),
            payload: serde_json::json!({"event": "sla_digest", "text": text}),
            idempotency_key: None,
            attachment: None,
        };
        let mut errors = Vec::new();
        for ch in &self.channels {
            if let Some(to) = ch.head_route()
                && let Err(e) = ch.send(&to, &msg).await
            {
                errors.push(e);
            }
        }
        errors
    }
}
