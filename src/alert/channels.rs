//! The concrete channels: Telegram Bot API, SMTP email (lettre), JSON
//! webhook, amoCRM task/note (through the daemon's client), and an
//! in-memory recorder for the demo.
//!
//! Every failure is reported as transient: the journal retries with backoff
//! until the channel works. Errors never contain the bot token (reqwest
//! errors carry the URL, so it is stripped).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use futures::future::BoxFuture;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Deserialize;

use super::{Channel, ChannelError, Message};
use crate::config::{ConfigError, read_secret};

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_default()
}

fn transient(channel: &str, message: impl Into<String>) -> ChannelError {
    ChannelError::Transient {
        channel: channel.to_string(),
        message: message.into(),
    }
}

/// Reads a `{ "<amo user id>" = "<address>" }` map; keys that are not ids
/// are ignored here and reported by `check`.
fn id_map(m: &HashMap<String, toml::Value>) -> HashMap<i64, String> {
    m.iter()
        .filter_map(|(k, v)| {
            let id = k.trim().parse::<i64>().ok()?;
            let to = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                _ => return None,
            };
            Some((id, to))
        })
        .collect()
}

/// `[alerts.telegram]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    #[serde(default = "default_tg_base")]
    pub api_base: String,
    #[serde(default)]
    pub bot_token_file: Option<PathBuf>,
    /// amoCRM user id → Telegram chat id.
    #[serde(default)]
    pub chats: HashMap<String, toml::Value>,
    #[serde(default)]
    pub head_chat: Option<toml::Value>,
}

fn default_tg_base() -> String {
    "https://api.telegram.org".into()
}

/// Telegram Bot API `sendMessage`.
pub struct Telegram {
    api_base: String,
    token: String,
    chats: HashMap<i64, String>,
    head: Option<String>,
    http: reqwest::Client,
}

impl Telegram {
    pub fn new(
        api_base: &str,
        token: &str,
        chats: HashMap<i64, String>,
        head: Option<String>,
    ) -> Self {
        Telegram {
            api_base: api_base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            chats,
            head,
            http: http_client(),
        }
    }

    pub fn from_config(c: TelegramConfig) -> Result<Self, ConfigError> {
        let token = read_secret(
            c.bot_token_file.as_deref(),
            "alerts.telegram.bot_token_file",
            "telegram-token",
            "Telegram bot token",
        )?;
        let head = c.head_chat.as_ref().and_then(|v| match v {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            _ => None,
        });
        Ok(Telegram::new(&c.api_base, &token, id_map(&c.chats), head))
    }
}

impl Channel for Telegram {
    fn name(&self) -> &str {
        "telegram"
    }
    fn manager_route(&self, user_id: i64) -> Option<String> {
        self.chats.get(&user_id).cloned()
    }
    fn head_route(&self) -> Option<String> {
        self.head.clone()
    }
    fn send<'a>(
        &'a self,
        recipient: &'a str,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            let url = format!("{}/bot{}/sendMessage", self.api_base, self.token);
            let body = serde_json::json!({
                "chat_id": recipient,
                "text": message.text,
                "disable_web_page_preview": true,
            });
            let resp = self
                .http
                .post(&url)
                .json(&body)
                .send()
                .await
                .map_err(|e| transient("telegram", e.without_url().to_string()))?;
            let status = resp.status();
            let json: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
            if status.is_success() && json["ok"].as_bool() == Some(true) {
                Ok(())
            } else {
                Err(transient(
                    "telegram",
                    format!(
                        "HTTP {status}: {}",
                        json["description"].as_str().unwrap_or("no description")
                    ),
                ))
            }
        })
    }
}

/// `[alerts.email]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    /// "implicit" | "starttls" | "none" (loopback relays only).
    #[serde(default = "default_email_tls")]
    pub tls: String,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    pub from: String,
    /// amoCRM user id → address.
    #[serde(default)]
    pub to: HashMap<String, toml::Value>,
    /// The head of sales' address.
    #[serde(default)]
    pub head_to: Option<String>,
}

fn default_email_tls() -> String {
    "starttls".into()
}

#[derive(Debug, thiserror::Error)]
pub enum EmailSetupError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Secret(#[from] ConfigError),
}

/// Email over SMTP (lettre, tokio + rustls).
pub struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
    to: HashMap<i64, String>,
    head: Option<String>,
}

impl Email {
    pub fn from_config(c: EmailConfig) -> Result<Self, EmailSetupError> {
        let bad = |m: String| EmailSetupError::Invalid(m);
        let mut b = match c.tls.as_str() {
            "implicit" => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host)
                .map_err(|e| bad(format!("[alerts.email] host: {e}")))?,
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                .map_err(|e| bad(format!("[alerts.email] host: {e}")))?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
            other => {
                return Err(bad(format!(
                    "[alerts.email] tls: `{other}`; use \"implicit\", \"starttls\" or \"none\""
                )));
            }
        };
        if let Some(port) = c.port {
            b = b.port(port);
        }
        b = b.timeout(Some(Duration::from_secs(20)));
        if let Some(user) = &c.user {
            let pw = read_secret(
                c.password_file.as_deref(),
                "alerts.email.password_file",
                "smtp-password",
                "SMTP password",
            )?;
            b = b.credentials(Credentials::new(user.clone(), pw));
        }
        let from = c
            .from
            .parse()
            .map_err(|e| bad(format!("[alerts.email] from: `{}`: {e}", c.from)))?;
        Ok(Email {
            transport: b.build(),
            from,
            to: id_map(&c.to),
            head: c.head_to,
        })
    }
}

impl Channel for Email {
    fn name(&self) -> &str {
        "email"
    }
    fn manager_route(&self, user_id: i64) -> Option<String> {
        self.to.get(&user_id).cloned()
    }
    fn head_route(&self) -> Option<String> {
        self.head.clone()
    }
    fn send<'a>(
        &'a self,
        recipient: &'a str,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            let to = recipient
                .parse()
                .map_err(|e| transient("email", format!("recipient `{recipient}`: {e}")))?;
            let subject: String = message
                .text
                .lines()
                .next()
                .unwrap_or("amo-intake")
                .chars()
                .take(120)
                .collect();
            let builder = lettre::Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(subject);
            let mail = match &message.attachment {
                None => builder
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.text.clone()),
                Some(a) => {
                    let html = ContentType::parse("text/html; charset=utf-8")
                        .map_err(|e| transient("email", e.to_string()))?;
                    builder.multipart(
                        lettre::message::MultiPart::mixed()
                            .singlepart(lettre::message::SinglePart::plain(message.text.clone()))
                            .singlepart(
                                lettre::message::Attachment::new(a.filename.clone())
                                    .body(a.html.clone(), html),
                            ),
                    )
                }
            }
            .map_err(|e| transient("email", e.to_string()))?;
            self.transport
                .send(mail)
                .await
                .map(|_| ())
                .map_err(|e| transient("email", e.to_string()))
        })
    }
}

/// `[alerts.webhook]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
}

/// A generic JSON webhook: every alert is POSTed with its payload and the
/// recipient (`manager:<id>` or `head`).
pub struct Webhook {
    url: String,
    http: reqwest::Client,
}

impl Webhook {
    pub fn new(c: WebhookConfig) -> Self {
        Webhook {
            url: c.url,
            http: http_client(),
        }
    }
}

impl Channel for Webhook {
    fn name(&self) -> &str {
        "webhook"
    }
    fn manager_route(&self, user_id: i64) -> Option<String> {
        Some(format!("manager:{user_id}"))
    }
    fn head_route(&self) -> Option<String> {
        Some("head".into())
    }
    fn is_broadcast(&self) -> bool {
        true
    }
    fn send<'a>(
        &'a self,
        recipient: &'a str,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            let mut body = message.payload.clone();
            if let Some(o) = body.as_object_mut() {
                o.insert("recipient".into(), recipient.into());
                if let Some(k) = &message.idempotency_key {
                    o.insert("idempotency_key".into(), k.as_str().into());
                }
            }
            let mut req = self.http.post(&self.url).json(&body);
            // The same key on every retry of one alert: a receiver that
            // remembers keys drops the repeat after a crash between our
            // send and the journal's "sent" mark.
            if let Some(k) = &message.idempotency_key {
                req = req.header("Idempotency-Key", k);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| transient("webhook", e.to_string()))?;
            if resp.status().is_success() {
                Ok(())
            } else {
                Err(transient("webhook", format!("HTTP {}", resp.status())))
            }
        })
    }
}

/// `[alerts.amocrm_task]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmoTaskConfig {
    /// amoCRM user id of the head of sales (the task's responsible user).
    pub head_user: i64,
    /// How long the head has to act, e.g. "1h" (task `complete_till`).
    #[serde(default)]
    pub due_in: Option<String>,
    /// Also leave a note on the lead for the manager's alerts.
    #[serde(default)]
    pub notes: bool,
}

/// An amoCRM task for the head of sales on the late lead (escalations), and
/// optionally a `common` note on the lead for the manager's alerts; posted
/// through the daemon's client (shared rate limit).
pub struct AmoTask {
    client: std::sync::Arc<crate::crm::Client>,
    head_user: i64,
    due_in: Duration,
    notes: bool,
}

impl AmoTask {
    pub fn new(client: std::sync::Arc<crate::crm::Client>, c: &AmoTaskConfig) -> Self {
        AmoTask {
            client,
            head_user: c.head_user,
            due_in: c
                .due_in
                .as_deref()
                .and_then(crate::config::parse_duration)
                .unwrap_or(Duration::from_secs(3600)),
            notes: c.notes,
        }
    }
}

impl Channel for AmoTask {
    fn name(&self) -> &str {
        "amocrm"
    }
    fn manager_route(&self, user_id: i64) -> Option<String> {
        self.notes.then(|| format!("note:{user_id}"))
    }
    fn head_route(&self) -> Option<String> {
        Some(format!("task:{}", self.head_user))
    }
    fn is_broadcast(&self) -> bool {
        true
    }
    fn send<'a>(
        &'a self,
        recipient: &'a str,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            let Some(lead_id) = message.payload["lead_id"].as_i64() else {
                // Digest: no lead to attach a task to; nothing to do here.
                return Ok(());
            };
            let (path, body) = if recipient.starts_with("task:") {
                // Due `due_in` after the alert was planned (arrival + waited).
                let planned = message.payload["arrived_at"]
                    .as_str()
                    .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                    .map(|t| {
                        t.as_second() + message.payload["waited_seconds"].as_i64().unwrap_or(0)
                    })
                    .unwrap_or_else(|| jiff::Timestamp::now().as_second());
                let till = planned + i64::try_from(self.due_in.as_secs()).unwrap_or(3600);
                crate::crm::payload::lead_task_call(lead_id, &message.text, till, self.head_user)
            } else {
                crate::crm::payload::lead_note_call(lead_id, &message.text)
            };
            self.client
                .post_json(path, &body)
                .await
                .map(|_| ())
                .map_err(|e| transient("amocrm", e.to_string()))
        })
    }
}

/// Keeps alerts in memory instead of sending them: `amo-intake demo` prints
/// what it would have alerted, and tests can read it back.
#[derive(Default)]
pub struct Memory {
    sent: std::sync::Mutex<Vec<(String, String)>>,
}

impl Memory {
    /// (recipient, text) of every alert, in order.
    pub fn sent(&self) -> Vec<(String, String)> {
        match self.sent.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

impl Channel for Memory {
    fn name(&self) -> &str {
        "memory"
    }
    fn manager_route(&self, user_id: i64) -> Option<String> {
        Some(format!("manager:{user_id}"))
    }
    fn head_route(&self) -> Option<String> {
        Some("head".into())
    }
    fn send<'a>(
        &'a self,
        recipient: &'a str,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            let mut g = match self.sent.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            g.push((recipient.to_string(), message.text.clone()));
            Ok(())
        })
    }
}
