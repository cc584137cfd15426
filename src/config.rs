//! The daemon's TOML config file and its secrets.
//!
//! Each section's struct is defined here so `check` can validate the whole
//! file in one pass; the module that uses a section documents its meaning.
//! Secrets are never inline: `*_file` keys name a 0600 file, or a systemd
//! credential (`$CREDENTIALS_DIRECTORY/<name>`) is used when the key is absent.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics, Loc};

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub mailbox: Vec<MailboxConfig>,
    #[serde(default)]
    pub amocrm: Option<AmoCrmConfig>,
    #[serde(default)]
    pub state: StateConfig,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub parse: ParseConfig,
    #[serde(default)]
    pub sla: SlaConfig,
    #[serde(default)]
    pub alerts: AlertsConfig,
    #[serde(default)]
    pub metrics: Option<MetricsConfig>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Implicit,
    Starttls,
    None,
}

/// One watched mailbox folder (see `mail::imap`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    pub name: String,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    pub user: String,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_folder")]
    pub folder: String,
    /// PEM file with extra CA certificates (self-signed servers).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Allow plaintext to a non-loopback host (logs a warning at every start).
    #[serde(default)]
    pub insecure_plaintext: bool,
    /// How often IDLE is re-issued, e.g. "9m".
    #[serde(default)]
    pub idle_interval: Option<String>,
    /// Poll interval for servers without IDLE, e.g. "30s".
    #[serde(default)]
    pub poll_interval: Option<String>,
    /// First start: import mails since this date (YYYY-MM-DD) instead of UIDNEXT.
    #[serde(default)]
    pub since: Option<String>,
    /// After the journal commit: "none" | "flag" | "move".
    #[serde(default)]
    pub after: Option<String>,
    /// Keyword for `after = "flag"`, folder for `after = "move"`.
    #[serde(default)]
    pub after_target: Option<String>,
}

fn default_folder() -> String {
    "INBOX".into()
}

/// amoCRM account and delivery settings (see `crm`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AmoCrmConfig {
    #[serde(default)]
    pub subdomain: Option<String>,
    /// "amocrm.ru" (default) or "kommo.com".
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// Requests per second, below amoCRM's 7.
    #[serde(default)]
    pub rate_limit: Option<f64>,
    /// Responsible user for leads whose rule names none (name or id).
    #[serde(default)]
    pub responsible: Option<toml::Value>,
    /// Lead text custom field that holds the idempotency key.
    #[serde(default)]
    pub request_id_field: Option<String>,
    /// Tag put on `review` leads.
    #[serde(default)]
    pub review_tag: Option<String>,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateConfig {
    #[serde(default = "default_state_path")]
    pub path: PathBuf,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            path: default_state_path(),
        }
    }
}

fn default_state_path() -> PathBuf {
    PathBuf::from("/var/lib/amo-intake/state.db")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    #[serde(default = "default_rules_dir")]
    pub dir: PathBuf,
    /// Reload automatically when a file in `dir` changes.
    #[serde(default)]
    pub watch: bool,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            dir: default_rules_dir(),
            watch: false,
        }
    }
}

fn default_rules_dir() -> PathBuf {
    PathBuf::from("/etc/amo-intake/rules")
}

/// Parsing defaults (see `mail::letter`, `request`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParseConfig {
    /// Default region for phone numbers written without a country code.
    #[serde(default = "default_region")]
    pub region: String,
    /// Mails larger than this become `review`, unparsed.
    #[serde(default = "default_max_mail_bytes")]
    pub max_mail_bytes: usize,
    /// The daemon parses in a child process (`amo-intake parse-worker`):
    /// the phone-number tables and rule matchers live there and leave with
    /// it when the mailbox is quiet, and a parser crash (even an abort or a
    /// stack overflow) costs one mail, quarantined, not the daemon.
    #[serde(default = "default_true")]
    pub worker: bool,
    /// How long the worker stays after its last mail ("10s", "1m").
    #[serde(default = "default_worker_idle", deserialize_with = "de_duration")]
    pub worker_idle: std::time::Duration,
}

impl Default for ParseConfig {
    fn default() -> Self {
        ParseConfig {
            region: default_region(),
            max_mail_bytes: default_max_mail_bytes(),
            worker: true,
            worker_idle: default_worker_idle(),
        }
    }
}

fn default_true() -> bool {
    true
}

fn default_worker_idle() -> std::time::Duration {
    std::time::Duration::from_secs(10)
}

/// A duration written as "90s", "10m", "1h30m" (error at the value's span).
fn de_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::time::Duration, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{s}` is not a duration: write it like \"10s\", \"5m\" or \"1h30m\""
        ))
    })
}

fn default_region() -> String {
    "RU".into()
}

fn default_max_mail_bytes() -> usize {
    25 * 1024 * 1024
}

/// The 10-minute rule (see `sla`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    #[serde(default)]
    pub callback_within: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// e.g. { mon = "09:00-19:00", sat = "10:00-16:00" }
    #[serde(default)]
    pub hours: Option<toml::Table>,
    /// File with holidays and extra working days.
    #[serde(default)]
    pub calendar_file: Option<PathBuf>,
    /// Delay after the first alert before the head of sales is told.
    #[serde(default)]
    pub escalate_after: Option<String>,
    #[serde(default)]
    pub remind_every: Option<String>,
    /// Which evidence counts as a callback.
    #[serde(default)]
    pub evidence: Option<Vec<String>>,
    #[serde(default)]
    pub check_interval: Option<String>,
    /// Local time of the daily digest to the head of sales, e.g. "19:30".
    #[serde(default)]
    pub digest_at: Option<String>,
    /// `[sla.sources]`: requests from chats, calls and other integrations
    /// (validated by `sla::incoming::SourcesConfig`).
    #[serde(default)]
    pub sources: Option<toml::Table>,
    /// `[sla.procedure]`: the procedure's stage checks (validated by
    /// `sla::procedure::ProcedureConfig`).
    #[serde(default)]
    pub procedure: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    #[serde(default)]
    pub telegram: Option<toml::Table>,
    #[serde(default)]
    pub email: Option<toml::Table>,
    #[serde(default)]
    pub webhook: Option<toml::Table>,
    #[serde(default)]
    pub amocrm_task: Option<toml::Table>,
    /// Directory with alert templates overriding the built-in Russian ones.
    #[serde(default)]
    pub templates_dir: Option<PathBuf>,
    /// amoCRM user id → name shown in alerts, e.g. { "504141" = "Анна" }.
    #[serde(default)]
    pub names: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Loopback address, e.g. "127.0.0.1:9187".
    pub listen: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the config file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error(
        "cannot read secret {what} from {path}: {source}; create the file (mode 0600) or pass it as a systemd credential"
    )]
    Secret {
        what: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no {what} configured: set `{key}` or pass a systemd credential named `{credential}`")]
    MissingSecret {
        what: String,
        key: String,
        credential: String,
    },
}

impl Config {
    /// Reads and validates a config file; every problem as `path:line:col`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text).map_err(ConfigError::Invalid)
    }

    /// Relative paths in the file are taken from the file's folder.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostics> {
        match toml::from_str::<Config>(text) {
            Ok(mut c) => {
                if let Some(base) = path.parent() {
                    c.resolve_paths(base);
                }
                Ok(c)
            }
            Err(e) => {
                let loc = match e.span() {
                    Some(span) => Loc::from_offset(path, text, span.start),
                    None => Loc::new(path, 1, 1),
                };
                let msg = e.message().trim().to_string();
                Err(Diagnostics(vec![Diagnostic::new(loc, msg)]))
            }
        }
    }
}

impl Config {
    /// Makes relative paths relative to `base` (the config file's folder):
    /// under systemd the working directory is `/`, so `dir = "rules"` next
    /// to the config would otherwise mean `/rules`. Alert channel tables are
    /// free-form: their `*_file` and `*_dir` string values are resolved too.
    fn resolve_paths(&mut self, base: &Path) {
        if base.as_os_str().is_empty() {
            return;
        }
        let fix = |p: &mut PathBuf| {
            if p.is_relative() && p.as_os_str() != ":memory:" {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.state.path);
        fix(&mut self.rules.dir);
        for m in &mut self.mailbox {
            m.password_file.as_mut().map(fix);
            m.ca_file.as_mut().map(fix);
        }
        if let Some(a) = &mut self.amocrm {
            a.token_file.as_mut().map(fix);
            a.client_secret_file.as_mut().map(fix);
        }
        self.sla.calendar_file.as_mut().map(fix);
        self.alerts.templates_dir.as_mut().map(fix);
        let tables = [
            &mut self.alerts.telegram,
            &mut self.alerts.email,
            &mut self.alerts.webhook,
            &mut self.alerts.amocrm_task,
        ];
        for t in tables.into_iter().flatten() {
            for (key, value) in t.iter_mut() {
                if (key.ends_with("_file") || key.ends_with("_dir"))
                    && let toml::Value::String(v) = value
                    && Path::new(v.as_str()).is_relative()
                {
                    *v = base.join(v.as_str()).display().to_string();
                }
            }
        }
    }
}

/// Reads a secret from a `*_file` key or, when that is absent, from the
/// systemd credential `credential` (`$CREDENTIALS_DIRECTORY/<credential>`).
/// Trailing newlines are removed: editors add them.
pub fn read_secret(
    file: Option<&Path>,
    key: &str,
    credential: &str,
    what: &str,
) -> Result<String, ConfigError> {
    let path = match file {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("CREDENTIALS_DIRECTORY") {
            Some(dir) => Path::new(&dir).join(credential),
            None => {
                return Err(ConfigError::MissingSecret {
                    what: what.into(),
                    key: key.into(),
                    credential: credential.into(),
                });
            }
        },
    };
    let s = std::fs::read_to_string(&path).map_err(|source| ConfigError::Secret {
        what: what.into(),
        path: path.clone(),
        source,
    })?;
    Ok(s.trim_end_matches(['\r', '\n']).to_string())
}

/// Parses durations written by admins: "10m", "90s", "1h30m", "2h".
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else if c == ' ' {
            continue;
        } else {
            let n: u64 = num.parse().ok()?;
            num.clear();
            total += match c {
                's' => n,
                'm' => n * 60,
                'h' => n * 3600,
                'd' => n * 86400,
                _ => return None,
            };
        }
    }
    if !num.is_empty() {
        return None;
    }
    Some(std::time::Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("10m"),
            Some(std::time::Duration::from_secs(600))
        );
        assert_eq!(
            parse_duration("1h30m"),
            Some(std::time::Duration::from_secs(5400))
        );
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5x"), None);
    }

    #[test]
    fn unknown_key_points_at_line() {
        let text = "[state]\npath = \"/tmp/x.db\"\nbogus = 1\n";
        let err = Config::parse(Path::new("c.toml"), text)
            .err()
            .map(|d| d.to_string());
        let err = err.unwrap_or_default();
        assert!(err.starts_with("c.toml:3:1:"), "{err}");
    }

    #[test]
    fn relative_paths_are_taken_from_the_config_folder() {
        let text = r#"
[[mailbox]]
name = "sales"
host = "127.0.0.1"
user = "u"
password_file = "secrets/imap"
ca_file = "/etc/ssl/ca.pem"

[state]
path = "state.db"

[rules]
dir = "rules"

[sla]
calendar_file = "../calendar.toml"

[alerts]
templates_dir = "templates"

[alerts.telegram]
bot_token_file = "secrets/telegram"
head_chat = "-100"
"#;
        let c = Config::parse(Path::new("/etc/amo-intake/config.toml"), text)
            .unwrap_or_else(|d| panic!("{d}"));
        let base = Path::new("/etc/amo-intake");
        assert_eq!(c.state.path, base.join("state.db"));
        assert_eq!(c.rules.dir, base.join("rules"));
        assert_eq!(
            c.mailbox[0].password_file.as_deref(),
            Some(base.join("secrets/imap").as_path())
        );
        // Absolute paths stay as written.
        assert_eq!(
            c.mailbox[0].ca_file.as_deref(),
            Some(Path::new("/etc/ssl/ca.pem"))
        );
        assert_eq!(
            c.sla.calendar_file.as_deref(),
            Some(base.join("../calendar.toml").as_path())
        );
        assert_eq!(
            c.alerts.templates_dir.as_deref(),
            Some(base.join("templates").as_path())
        );
        let tg = c
            .alerts
            .telegram
            .as_ref()
            .map(|t| t["bot_token_file"].clone());
        assert_eq!(
            tg,
            Some(toml::Value::String(
                "/etc/amo-intake/secrets/telegram".into()
            ))
        );
        // Not a path: untouched.
        let chat = c.alerts.telegram.as_ref().map(|t| t["head_chat"].clone());
        assert_eq!(chat, Some(toml::Value::String("-100".into())));
    }

    #[test]
    fn parse_worker_settings() {
        let c = Config::parse(Path::new("c.toml"), "").unwrap_or_else(|d| panic!("{d}"));
        assert!(c.parse.worker);
        assert_eq!(c.parse.worker_idle, std::time::Duration::from_secs(10));
        let text = "[parse]\nworker = false\nworker_idle = \"2m\"\n";
        let c = Config::parse(Path::new("c.toml"), text).unwrap_or_else(|d| panic!("{d}"));
        assert!(!c.parse.worker);
        assert_eq!(c.parse.worker_idle, std::time::Duration::from_secs(120));
        let err = Config::parse(Path::new("c.toml"), "[parse]\nworker_idle = \"soon\"\n")
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("c.toml:2:15:"), "{err}");
        assert!(err.contains("`soon` is not a duration"), "{err}");
    }
}
