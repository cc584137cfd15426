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
    #[serde(default)]
    pub security: SecurityConfig,
}

/// `[security]`: how strict the daemon is about files holding secrets.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// A secret file (token, password) readable by group or others is
    /// refused (default); `true` accepts it with a warning.
    #[serde(default)]
    pub allow_readable_secrets: bool,
}

/// Set from the last config loaded: see [`SecurityConfig`].
static ALLOW_READABLE_SECRETS: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

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
    /// The rules shipped in the binary stay active under the folder's own
    /// (a rule of the folder with a shipped rule's name replaces it);
    /// `false` uses the folder's rules alone.
    #[serde(default = "default_true")]
    pub shipped: bool,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            dir: default_rules_dir(),
            watch: false,
            shipped: true,
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
    /// The cause is part of the message and not a `source`, so a printed
    /// error chain does not repeat it.
    #[error("{path}: cannot read the config file: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error(
        "cannot read secret {what} from {path}: {error}; create the file (mode 0600) or pass it as a systemd credential"
    )]
    Secret {
        what: String,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "secret {what} in {path} is readable by group or others (mode {mode:o}); run `chmod 600 {path}` (and chown it to the daemon's user), or set [security] allow_readable_secrets = true to only warn"
    )]
    SecretReadable {
        what: String,
        path: PathBuf,
        mode: u32,
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
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Config::parse(path, &text).map_err(ConfigError::Invalid)
    }

    /// Relative paths in the file are taken from the file's folder.
    /// `Err` holds every problem of the file, not just the first.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostics> {
        match Config::parse_all(path, text) {
            (Some(c), d) if d.is_empty() => {
                ALLOW_READABLE_SECRETS.store(
                    c.security.allow_readable_secrets,
                    std::sync::atomic::Ordering::Relaxed,
                );
                Ok(c)
            }
            (_, d) => Err(d),
        }
    }

    /// Every problem of the file at once, and the config read with the
    /// faulty entries left out (so `check` can go on to the checks that
    /// need a config). `None` when even that cannot be read (a TOML syntax
    /// error, a table without a required key).
    ///
    /// How: serde stops at the first problem, so each problem's entry is
    /// blanked out (replaced by spaces, offsets kept) and the text is read
    /// again, until it reads; each message is reworded for an admin.
    pub fn parse_all(path: &Path, text: &str) -> (Option<Config>, Diagnostics) {
        let mut diags = Diagnostics::default();
        if let Err(e) = crate::diag::parse_toml(text) {
            let loc = e
                .offset()
                .map(|o| Loc::from_offset(path, text, o))
                .unwrap_or_else(|| Loc::new(path, 1, 1));
            let msg = e.message().trim().replace('\n', " ");
            diags.push(Diagnostic::new(loc, format!("TOML syntax error: {msg}")));
            return (None, diags);
        }
        let mut masked = text.to_string();
        // Each round blanks one entry (three parses of the file); a file
        // with more problems than this is reported in part.
        const MAX_ROUNDS: usize = 200;
        for round in 0..=MAX_ROUNDS {
            if round == MAX_ROUNDS {
                diags.push(Diagnostic::new(
                    Loc::new(path, 1, 1),
                    format!("more than {MAX_ROUNDS} problems; fix these and run check again"),
                ));
                break;
            }
            let err = match toml::from_str::<Config>(&masked) {
                Ok(mut c) => {
                    if let Some(base) = path.parent() {
                        c.resolve_paths(base);
                    }
                    return (Some(c), diags.sorted());
                }
                Err(e) => e,
            };
            let offset = err.span().map(|s| s.start);
            let entry = offset.and_then(|o| entry_at(&masked, o));
            let msg = friendly(err.message().trim(), entry.as_ref());
            let at = match (&entry, offset) {
                (Some(e), _) => e.report_at,
                (None, Some(o)) => o,
                (None, None) => 0,
            };
            diags.push(Diagnostic::new(Loc::from_offset(path, text, at), msg));
            let Some(e) = entry else { break };
            let blanked = blank(&masked, e.range.clone());
            if blanked == masked || crate::diag::parse_toml(blanked.as_str()).is_err() {
                break;
            }
            masked = blanked;
        }
        (None, diags.sorted())
    }

    /// Files the config names that must exist before the daemon starts:
    /// secrets (IMAP, amoCRM, Telegram, SMTP), CA certificates, the
    /// holiday calendar. A missing one is reported at its key with what it
    /// should hold and how else to supply it. Read-only.
    pub fn check_files(&self, path: &Path, text: &str) -> Diagnostics {
        let mut d = Diagnostics::default();
        let at = |keys: &[&str]| {
            crate::diag::toml_key_offset(text, keys)
                .map(|o| Loc::from_offset(path, text, o))
                .unwrap_or_else(|| Loc::new(path, 1, 1))
        };
        let mut need = |keys: &[&str],
                        file: Option<&Path>,
                        what: &str,
                        credential: Option<&str>| {
            let Some(file) = file else { return };
            if file.is_file() {
                return;
            }
            let why = if file.exists() {
                "is not a file"
            } else {
                "does not exist"
            };
            let key = keys.last().copied().unwrap_or_default();
            let mut msg = format!(
                "`{key}`: {} {why}; it should hold the {what}",
                file.display()
            );
            if let Some(c) = credential {
                msg.push_str(&format!(
                    ". Create it (mode 0600, owned by the service), or remove `{key}` and pass a systemd credential named `{c}` (LoadCredential={c}:/path/to/file)"
                ));
            }
            d.push(Diagnostic::new(at(keys), msg));
        };
        for (i, m) in self.mailbox.iter().enumerate() {
            let idx = i.to_string();
            let cred = format!("imap-{}", m.name);
            need(
                &["mailbox", &idx, "password_file"],
                m.password_file.as_deref(),
                &format!("IMAP password of mailbox \"{}\"", m.name),
                Some(&cred),
            );
            need(
                &["mailbox", &idx, "ca_file"],
                m.ca_file.as_deref(),
                "CA certificate(s) (PEM) of the IMAP server",
                None,
            );
        }
        if let Some(a) = &self.amocrm {
            need(
                &["amocrm", "token_file"],
                a.token_file.as_deref(),
                "amoCRM long-lived token",
                Some("amocrm-token"),
            );
            need(
                &["amocrm", "client_secret_file"],
                a.client_secret_file.as_deref(),
                "amoCRM OAuth client secret",
                Some("amocrm-client-secret"),
            );
        }
        need(
            &["sla", "calendar_file"],
            self.sla.calendar_file.as_deref(),
            "holiday calendar",
            None,
        );
        for (section, key, what, cred) in [
            (
                "telegram",
                "bot_token_file",
                "Telegram bot token",
                "telegram-token",
            ),
            ("email", "password_file", "SMTP password", "smtp-password"),
        ] {
            let table = match section {
                "telegram" => self.alerts.telegram.as_ref(),
                _ => self.alerts.email.as_ref(),
            };
            let file = table
                .and_then(|t| t.get(key))
                .and_then(|v| v.as_str())
                .map(Path::new);
            need(&["alerts", section, key], file, what, Some(cred));
        }
        d
    }
}

/// The entry (a `key = value` line, or a whole `[table]`) a serde error
/// points into: what to blank out, where to report, and its key path.
#[derive(Debug, Clone)]
struct Entry {
    range: std::ops::Range<usize>,
    report_at: usize,
    /// Table names down to the entry, e.g. ["mailbox", "port"]; for a
    /// table, the table's own path.
    path: Vec<String>,
    is_table: bool,
}

/// Finds the innermost `key = value` whose key or value holds `offset`,
/// else the `[table]` whose header or body holds it.
fn entry_at(text: &str, offset: usize) -> Option<Entry> {
    let doc = crate::diag::parse_toml(text).ok()?;
    let mut best: Option<Entry> = None;
    let mut tables: Vec<(usize, Vec<String>)> = Vec::new();
    fn walk(
        t: &dyn toml_edit::TableLike,
        path: &mut Vec<String>,
        offset: usize,
        best: &mut Option<Entry>,
        tables: &mut Vec<(usize, Vec<String>)>,
    ) {
        for (k, item) in t.iter() {
            path.push(k.to_string());
            match item {
                toml_edit::Item::Value(v) => {
                    let start = t
                        .key(k)
                        .and_then(|key| key.span())
                        .map(|s| s.start)
                        .or_else(|| v.span().map(|s| s.start));
                    if let (Some(start), Some(vs)) = (start, v.span())
                        && (start..vs.end.max(start + 1)).contains(&offset)
                    {
                        let narrower = best
                            .as_ref()
                            .is_none_or(|b| b.is_table || b.range.len() >= vs.end - start);
                        if narrower {
                            *best = Some(Entry {
                                range: start..vs.end,
                                report_at: offset,
                                path: path.clone(),
                                is_table: false,
                            });
                        }
                    }
                }
                toml_edit::Item::Table(sub) => {
                    // `[a.b]` alone makes an implicit `a`, written nowhere.
                    if let Some(s) = sub.span().filter(|_| !sub.is_implicit()) {
                        tables.push((s.start, path.clone()));
                    }
                    walk(sub, path, offset, best, tables);
                }
                toml_edit::Item::ArrayOfTables(a) => {
                    for (i, sub) in a.iter().enumerate() {
                        path.push(i.to_string());
                        if let Some(s) = sub.span() {
                            tables.push((s.start, path.clone()));
                        }
                        walk(sub, path, offset, best, tables);
                        path.pop();
                    }
                }
                toml_edit::Item::None => {}
            }
            path.pop();
        }
    }
    walk(
        doc.as_table(),
        &mut Vec::new(),
        offset,
        &mut best,
        &mut tables,
    );
    if best.is_some() {
        return best;
    }
    // A table: from its header to the next header (or the end).
    tables.sort_by_key(|(s, _)| *s);
    let idx = tables.iter().rposition(|(s, _)| *s <= offset)?;
    let start = tables[idx].0;
    let end = tables.get(idx + 1).map(|(s, _)| *s).unwrap_or(text.len());
    Some(Entry {
        range: start..end,
        report_at: start,
        path: tables[idx].1.clone(),
        is_table: true,
    })
}

/// `text` with `range` replaced by spaces (line breaks and byte offsets kept).
fn blank(text: &str, range: std::ops::Range<usize>) -> String {
    let (Some(before), Some(part), Some(after)) = (
        text.get(..range.start),
        text.get(range.clone()),
        text.get(range.end..),
    ) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(before);
    for c in part.chars() {
        if c == '\n' {
            out.push('\n');
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    out.push_str(after);
    out
}

/// Reads a free-form table of the config (an alert channel's settings)
/// into its type, reporting like the rest of the file: every unknown key
/// at its own place with a "did you mean" (then read on without it), a
/// wrong or missing value in the same words. `at` is the table's key path,
/// `loc` locates a key path in the file.
pub fn read_table<T: serde::de::DeserializeOwned>(
    table: &toml::Table,
    at: &[&str],
    loc: &dyn Fn(&[&str]) -> Loc,
) -> (Option<T>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut t = table.clone();
    for _ in 0..=table.len() {
        let e = match toml::Value::Table(t.clone()).try_into::<T>() {
            Ok(v) => return (Some(v), diags),
            Err(e) => e,
        };
        let msg = e.message().trim().to_string();
        let unknown = msg
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string);
        let table_path: Vec<String> = at.iter().map(|s| s.to_string()).collect();
        let with = |k: &str| -> Vec<String> {
            table_path.iter().cloned().chain([k.to_string()]).collect()
        };
        // The entry the message is about: the unknown key, the table for a
        // missing key, else an unnamed value of the table.
        let (path, is_table) = match &unknown {
            Some(k) => (with(k), false),
            None if msg.starts_with("missing field") => (table_path.clone(), true),
            None => (with(""), false),
        };
        let at_keys: Vec<&str> = match &unknown {
            Some(k) => at.iter().copied().chain([k.as_str()]).collect(),
            None => at.to_vec(),
        };
        let entry = Entry {
            range: 0..0,
            report_at: 0,
            path,
            is_table,
        };
        diags.push(Diagnostic::new(loc(&at_keys), friendly(&msg, Some(&entry))));
        match unknown {
            Some(k) => {
                t.remove(&k);
            }
            None => break,
        }
    }
    (None, diags)
}

/// Rewords a serde message for an admin: expected type in words, the
/// allowed values, a "did you mean" for a typo.
fn friendly(msg: &str, entry: Option<&Entry>) -> String {
    let ticks = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let section = |path: &[String]| -> String {
        let names: Vec<&str> = path
            .iter()
            .filter(|p| p.parse::<usize>().is_err())
            .map(String::as_str)
            .collect();
        if names.is_empty() {
            "the top level".into()
        } else {
            format!("[{}]", names.join("."))
        }
    };
    let key = entry
        .and_then(|e| e.path.iter().rev().find(|p| p.parse::<usize>().is_err()))
        .cloned()
        .unwrap_or_default();
    let parent = entry
        .map(|e| section(&e.path[..e.path.len().saturating_sub(1)]))
        .unwrap_or_else(|| "the top level".into());
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let names = ticks(rest);
        let Some((bad, known)) = names.split_first() else {
            return msg.to_string();
        };
        let hint = crate::diag::nearest(bad, known.iter().map(String::as_str))
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        let what = if parent == "[alerts]" {
            "unknown alert channel or key"
        } else {
            "unknown key"
        };
        return format!(
            "{what} `{bad}` in {parent}{hint} (known: {})",
            known.join(", ")
        );
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let names = ticks(rest);
        let Some((bad, allowed)) = names.split_first() else {
            return msg.to_string();
        };
        let hint = crate::diag::nearest(bad, allowed.iter().map(String::as_str))
            .map(|n| format!("; did you mean \"{n}\"?"))
            .unwrap_or_default();
        let allowed: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
        return format!(
            "`{key}` cannot be \"{bad}\"; use one of {}{hint}",
            allowed.join(", ")
        );
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        let field = ticks(rest).into_iter().next().unwrap_or_default();
        let table = entry
            .map(|e| section(&e.path))
            .unwrap_or_else(|| "the top level".into());
        return format!("{table} needs `{field} = …`: it has no default");
    }
    for (prefix, kind) in [("invalid type: ", "type"), ("invalid value: ", "value")] {
        let Some(rest) = msg.strip_prefix(prefix) else {
            continue;
        };
        let Some((found, expected)) = rest.rsplit_once(", expected ") else {
            continue;
        };
        let want = expected_words(expected);
        let found_words = found_words(found);
        let subject = if key.is_empty() {
            format!("a value in {parent}")
        } else {
            format!("`{key}`")
        };
        let mut out = if kind == "type" {
            format!("{subject} must be {want}, found {found_words}")
        } else {
            format!("{subject} is out of range: {found_words}; it must be {want}")
        };
        if let Some(inner) = found
            .strip_prefix("string \"")
            .and_then(|s| s.strip_suffix('"'))
            && want.contains("number")
            && inner.trim().parse::<f64>().is_ok()
        {
            out.push_str(&format!(
                "; write it without quotes: {key} = {}",
                inner.trim()
            ));
        }
        return out;
    }
    if key.is_empty() {
        msg.to_string()
    } else {
        format!("`{key}`: {msg}")
    }
}

fn expected_words(e: &str) -> String {
    match e.trim() {
        "u8" => "a whole number from 0 to 255".into(),
        "u16" => "a whole number from 0 to 65535".into(),
        "u32" | "u64" | "usize" => "a whole number, 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" | "a float" => "a number".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a string" | "a char" => "a text in double quotes".into(),
        "path string" => "a file path in double quotes".into(),
        "a sequence" => "a list, like [\"a\", \"b\"]".into(),
        s if s.starts_with("struct ") || s == "a map" || s.contains("table") => {
            "a table (a [section] or { key = value })".into()
        }
        s => s.to_string(),
    }
}

fn found_words(f: &str) -> String {
    let f = f.trim();
    if let Some(s) = f.strip_prefix("string ") {
        return format!("the text {s}");
    }
    for (p, w) in [
        ("integer ", "the number "),
        ("floating point ", "the number "),
        ("boolean ", ""),
    ] {
        if let Some(v) = f.strip_prefix(p) {
            return format!("{w}{}", v.trim_matches('`'));
        }
    }
    match f {
        "sequence" => "a list".into(),
        "map" => "a table".into(),
        other => other.to_string(),
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
    if let Ok(meta) = std::fs::metadata(&path) {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            let e = ConfigError::SecretReadable {
                what: what.into(),
                path: path.clone(),
                mode,
            };
            if ALLOW_READABLE_SECRETS.load(std::sync::atomic::Ordering::Relaxed) {
                tracing::warn!("{e}");
            } else {
                return Err(e);
            }
        }
    }
    let s = std::fs::read_to_string(&path).map_err(|error| ConfigError::Secret {
        what: what.into(),
        path: path.clone(),
        error,
    })?;
    Ok(s.trim_end_matches(['\r', '\n']).to_string())
}

/// Parses durations written by admins: "90s", "10m", "1h30m", "2d".
/// Strict: each part is digits then one unit, units from largest to
/// smallest (d, h, m, s), each at most once, spaces allowed between parts;
/// "1h1h", "30m1h", "10" and "" are refused.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    let mut total = 0u64;
    let mut num = String::new();
    let mut last_rank = usize::MAX;
    let mut parts = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if c == ' ' && num.is_empty() {
            continue;
        }
        let (rank, secs) = match c {
            'd' => (3, 86_400u64),
            'h' => (2, 3_600),
            'm' => (1, 60),
            's' => (0, 1),
            _ => return None,
        };
        if rank >= last_rank || num.is_empty() {
            return None;
        }
        let n: u64 = num.parse().ok()?;
        total = total.checked_add(n.checked_mul(secs)?)?;
        num.clear();
        last_rank = rank;
        parts += 1;
    }
    if !num.is_empty() || parts == 0 {
        return None;
    }
    Some(std::time::Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The config file goes through the same TOML parser as rule files: a
    /// text on which toml_edit panics (found by fuzzing rule files) is a
    /// located problem, not a crash of `check` or of the daemon's start.
    #[test]
    fn a_config_text_the_toml_parser_panics_on_is_a_located_problem() {
        let raw = include_bytes!("../fuzz/corpus/rules_load/toml-edit-span-panic");
        let text = String::from_utf8_lossy(raw);
        let (config, diags) = Config::parse_all(Path::new("config.toml"), &text);
        assert!(config.is_none());
        let d = diags.to_string();
        assert!(
            d.contains("config.toml:1:1: TOML syntax error: the TOML reader gave up"),
            "{d}"
        );
    }

    /// Issue: secret files readable by others were accepted silently. Now
    /// refused with the fix in the message, or only warned about when
    /// `[security] allow_readable_secrets = true`.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn secrets_readable_by_others_are_refused_with_the_fix_or_warned_with_the_switch() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("token");
        std::fs::write(&f, "s3cret\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_secret(Some(&f), "token_file", "amocrm-token", "amoCRM token")
            .unwrap_err()
            .to_string();
        assert!(e.contains("chmod 600") && e.contains("644"), "{e}");
        assert!(e.contains("allow_readable_secrets"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_secret(Some(&f), "k", "c", "w").unwrap(), "s3cret");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        let cfg = dir.path().join("config.toml");
        Config::parse(&cfg, "[security]\nallow_readable_secrets = true\n").unwrap();
        let got = read_secret(Some(&f), "k", "c", "w");
        Config::parse(&cfg, "").unwrap();
        assert_eq!(got.unwrap(), "s3cret", "warned, not refused");
        assert!(read_secret(Some(&f), "k", "c", "w").is_err());
    }

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
        assert_eq!(
            parse_duration("1h 30m"),
            Some(std::time::Duration::from_secs(5400))
        );
        assert_eq!(
            parse_duration("2d"),
            Some(std::time::Duration::from_secs(172_800))
        );
        for bad in [
            "1h1h",
            "30m1h",
            "",
            "h",
            "1hm",
            "10 m",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
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

    #[test]
    fn every_problem_at_once_in_words() {
        let text = "[state]\npath = 5\nbogus = 1\n[parse]\nworker = \"yes\"\nregin = \"RU\"\n";
        let d = Config::parse(Path::new("c.toml"), text)
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        let lines: Vec<&str> = d.lines().collect();
        assert_eq!(lines.len(), 4, "{d}");
        assert!(
            lines[0].starts_with(
                "c.toml:2:8: `path` must be a file path in double quotes, found the number 5"
            ),
            "{d}"
        );
        assert!(
            lines[1].starts_with("c.toml:3:1: unknown key `bogus` in [state]"),
            "{d}"
        );
        assert!(
            lines[2].starts_with("c.toml:5:10: `worker` must be true or false"),
            "{d}"
        );
        assert!(
            lines[3].contains("unknown key `regin` in [parse]; did you mean `region`?"),
            "{d}"
        );
    }

    #[test]
    fn a_read_error_names_its_cause_once() {
        let err = Config::load(Path::new("/nonexistent/amo-intake.toml")).err();
        let shown = format!(
            "{:#}",
            anyhow::Error::from(err.unwrap_or_else(|| panic!("loaded")))
        );
        assert_eq!(shown.matches("No such file").count(), 1, "{shown}");
        let err = read_secret(Some(Path::new("/nonexistent/s")), "k", "c", "the secret").err();
        let shown = format!(
            "{:#}",
            anyhow::Error::from(err.unwrap_or_else(|| panic!("read")))
        );
        assert_eq!(shown.matches("No such file").count(), 1, "{shown}");
    }

    #[test]
    fn key_offset_finds_keys_in_tables_and_arrays_of_tables() {
        let text = "[[mailbox]]\nname = \"a\"\n[[mailbox]]\nname = \"b\"\npassword_file = \"x\"\n[sla]\ntimezone = \"X\"\n";
        let at = |k: &[&str]| {
            crate::diag::toml_key_offset(text, k)
                .map(|o| Loc::from_offset(Path::new("c"), text, o).to_string())
        };
        assert_eq!(
            at(&["mailbox", "1", "password_file"]).as_deref(),
            Some("c:5:1")
        );
        assert_eq!(at(&["sla", "timezone"]).as_deref(), Some("c:7:1"));
        assert_eq!(at(&["sla", "hours"]), None);
    }

    #[test]
    fn a_file_of_mistakes_is_reported_in_part_not_forever() {
        let text: String = (0..300).map(|i| format!("bogus{i} = 1\n")).collect();
        let d = Config::parse(Path::new("c.toml"), &text)
            .err()
            .unwrap_or_default();
        assert_eq!(d.len(), 201, "{d}");
        assert!(d.to_string().contains("more than 200 problems"));
    }
}
