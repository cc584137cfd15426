//! The amoCRM HTTP client: auth, the shared rate limiter, retries, paging.
//!
//! Error policy (amoCRM's documented status codes and limits): 429, 5xx, resets and timeouts are
//! [`CrmError::Transient`] (retried with exponential backoff and jitter,
//! `Retry-After` honoured); an HTML 403 is [`CrmError::Blocked`] (the whole
//! daemon backs off for minutes and an admin is alerted); 400 and other 4xx
//! are [`CrmError::Rejected`] with amoCRM's explanation (the caller
//! quarantines); a revoked token or a 401 that survives one refresh is
//! [`CrmError::Stopped`]: delivery stops, everything stays queued.
//!
//! Idempotent GETs are retried here; creating POSTs are retried here only
//! on 429 (not executed). Any other failure of a POST goes back to the
//! delivery state machine, which looks the key up before creating again.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ratelimit::RateLimiter;
use crate::journal::outbox::StoredTokens;
use crate::journal::{Journal, JournalError};

#[derive(Debug, thiserror::Error)]
pub enum CrmError {
    /// Worth retrying later: 429, 5xx, reset, timeout.
    #[error("amoCRM temporarily unavailable: {reason}")]
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// HTML 403: amoCRM blocked the account or our IP (it does so after
    /// repeated rate-limit breaches).
    #[error(
        "amoCRM blocked our requests (HTML 403): {reason}; backing off, check the account's API limits"
    )]
    Blocked {
        reason: String,
        retry_after: Duration,
    },
    /// 400 and other 4xx: amoCRM refuses this body; retrying won't help.
    #[error("amoCRM rejected the request ({status}): {detail}")]
    Rejected {
        status: u16,
        detail: String,
        /// `request_id`s named in `validation-errors` (batch items).
        request_ids: Vec<String>,
    },
    /// Authorisation is gone: delivery stops until an admin re-authorises.
    #[error("amoCRM delivery stopped: {0}")]
    Stopped(String),
    #[error("amoCRM answered something unexpected: {0}")]
    Decode(String),
    #[error("amoCRM settings: {0}")]
    Config(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A test failpoint: behave exactly like a crash here.
    #[error("failpoint {0}")]
    Failpoint(&'static str),
}

impl CrmError {
    pub fn is_failpoint(&self) -> bool {
        matches!(self, CrmError::Failpoint(_))
    }
}

/// Something an administrator must act on; the daemon routes it to the
/// alert channels (and it is logged at error level here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAlert {
    pub kind: AdminAlertKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAlertKind {
    /// Token revoked or 401 after a refresh: delivery stopped.
    AuthStopped,
    /// HTML 403: amoCRM blocks us.
    Blocked,
    /// A request was quarantined after amoCRM rejected it.
    Quarantined,
}

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum AuthConfig {
    /// Long-lived token of a private integration.
    LongLived(String),
    /// OAuth 2.0: the token pair lives in the journal (`amo-intake auth`).
    OAuth {
        client_id: String,
        client_secret: String,
        redirect_uri: String,
    },
}

#[derive(Clone)]
pub struct ClientOptions {
    /// e.g. "https://example.amocrm.ru" (no trailing slash needed).
    pub base_url: String,
    pub auth: AuthConfig,
    /// Needed for OAuth (tokens are committed here before use).
    pub journal: Option<Arc<Journal>>,
    /// The daemon's one limiter; share it with every other caller.
    pub limiter: Arc<RateLimiter>,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// First retry delay; doubles per attempt, with jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Pause after an HTML 403.
    pub block_backoff: Duration,
    /// Retries of an idempotent call inside one `get_json`.
    pub retries: u32,
    /// Refresh an OAuth access token this long before it expires.
    pub refresh_ahead: Duration,
    pub alerts: Option<mpsc::UnboundedSender<AdminAlert>>,
    /// No HTTP at all: bodies are logged and recorded, answers synthesised.
    pub dry_run: bool,
}

impl ClientOptions {
    pub fn new(base_url: &str, auth: AuthConfig, limiter: Arc<RateLimiter>) -> ClientOptions {
        ClientOptions {
            base_url: base_url.trim_end_matches('/').to_string(),
            auth,
            journal: None,
            limiter,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            block_backoff: Duration::from_secs(600),
            retries: 4,
            refresh_ahead: Duration::from_secs(300),
            alerts: None,
            dry_run: false,
        }
    }

    /// Base URL from `[amocrm]`: `base_url`, or `https://{subdomain}.{domain}`.
    pub fn base_url_from(cfg: &crate::config::AmoCrmConfig) -> Result<String, CrmError> {
        if let Some(b) = &cfg.base_url {
            return Ok(b.trim_end_matches('/').to_string());
        }
        match &cfg.subdomain {
            Some(s)
                if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                let domain = cfg.domain.as_deref().unwrap_or("amocrm.ru");
                Ok(format!("https://{s}.{domain}"))
            }
            _ => Err(CrmError::Config(
                "[amocrm] needs `subdomain` (e.g. \"example\" for example.amocrm.ru) or `base_url`"
                    .into(),
            )),
        }
    }
}

/// How many dry-run calls are kept for [`Client::dry_run_log`].
pub const DRY_LOG_KEEP: usize = 10_000;

/// One recorded dry-run call.
#[derive(Debug, Clone)]
pub struct DryRunCall {
    pub method: String,
    pub path: String,
    pub body: Option<Value>,
}

pub struct Client {
    http: reqwest::Client,
    opts: ClientOptions,
    /// tokio Mutex: one refresh at a time, held across the refresh call.
    tokens: Mutex<Option<StoredTokens>>,
    /// std Mutex: short, no await held.
    stopped: StdMutex<Option<String>>,
    alerts_seen: StdMutex<Vec<AdminAlert>>,
    /// Where admin alerts go (set at build time or later by the daemon).
    alert_tx: StdMutex<Option<mpsc::UnboundedSender<AdminAlert>>>,
    /// The last [`DRY_LOG_KEEP`] dry-run calls (a dry-run daemon runs for
    /// days: the record must not grow with it).
    dry_log: StdMutex<std::collections::VecDeque<DryRunCall>>,
    dry_ids: AtomicI64,
    /// Cancelled on shutdown: no new call starts (the one in flight ends).
    shutdown: StdMutex<CancellationToken>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.opts.base_url)
            .finish()
    }
}

fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn now_s() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client, CrmError> {
        if matches!(opts.auth, AuthConfig::OAuth { .. }) && opts.journal.is_none() {
            return Err(CrmError::Config(
                "OAuth needs the state file for tokens".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .user_agent(concat!("amo-intake/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CrmError::Config(format!("HTTP client: {e}")))?;
        let alert_tx = opts.alerts.clone();
        Ok(Client {
            http,
            opts,
            tokens: Mutex::new(None),
            stopped: StdMutex::new(None),
            alerts_seen: StdMutex::new(Vec::new()),
            alert_tx: StdMutex::new(alert_tx),
            dry_log: StdMutex::new(std::collections::VecDeque::new()),
            dry_ids: AtomicI64::new(1_000_000),
            shutdown: StdMutex::new(CancellationToken::new()),
        })
    }

    /// Once `stop` is cancelled no new call starts: a call waiting for the
    /// rate limiter or a retry gives up at once with a transient error
    /// ("shutting down"; the row keeps its state), the call in flight
    /// finishes within its timeout.
    pub fn set_shutdown(&self, stop: CancellationToken) {
        *lock(&self.shutdown) = stop;
    }

    fn shutdown_token(&self) -> CancellationToken {
        lock(&self.shutdown).clone()
    }

    fn shutting_down() -> CrmError {
        CrmError::Transient {
            reason: "shutting down".into(),
            retry_after: None,
        }
    }

    /// Fewer (or more) retries of idempotent calls, e.g. 0 for `check`,
    /// which must answer quickly when amoCRM is unreachable.
    pub fn with_retries(mut self, retries: u32) -> Client {
        self.opts.retries = retries;
        self
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    pub fn is_dry_run(&self) -> bool {
        self.opts.dry_run
    }

    /// Why delivery is stopped, if it is.
    pub fn stopped(&self) -> Option<String> {
        lock(&self.stopped).clone()
    }

    /// Clears the stop (after an admin re-authorised; on reload).
    pub fn resume(&self) {
        *lock(&self.stopped) = None;
    }

    /// Every admin alert raised so far (tests, status).
    pub fn alerts(&self) -> Vec<AdminAlert> {
        lock(&self.alerts_seen).clone()
    }

    /// Calls recorded in dry-run mode, in order (the last [`DRY_LOG_KEEP`]).
    pub fn dry_run_log(&self) -> Vec<DryRunCall> {
        lock(&self.dry_log).iter().cloned().collect()
    }

    pub fn alert(&self, kind: AdminAlertKind, message: String) {
        tracing::error!(alert = ?kind, "{message}");
        let a = AdminAlert { kind, message };
        lock(&self.alerts_seen).push(a.clone());
        if let Some(tx) = lock(&self.alert_tx).as_ref() {
            let _ = tx.send(a);
        }
    }

    /// Routes admin alerts (token revoked, HTML 403, quarantine) to the
    /// daemon's alert channels.
    pub fn set_alert_sender(&self, tx: mpsc::UnboundedSender<AdminAlert>) {
        *lock(&self.alert_tx) = Some(tx);
    }

    fn stop(&self, why: String) -> CrmError {
        let first = {
            let mut s = lock(&self.stopped);
            let first = s.is_none();
            if first {
                *s = Some(why.clone());
            }
            first
        };
        if first {
            self.alert(
                AdminAlertKind::AuthStopped,
                format!("amoCRM delivery stopped, requests stay queued: {why}. Re-authorise (`amo-intake auth --config … --code …` or a new long-lived token) and restart"),
            );
        }
        CrmError::Stopped(why)
    }

    /// Exponential backoff with jitter for attempt `n` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .opts
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.opts.backoff_max);
        let jitter = 0.5 + rand::random::<f64>() * 0.5;
        capped.mul_f64(jitter)
    }

    /// GET returning the JSON body, `None` on 204 / empty body. Retries
    /// transient failures (Retry-After honoured) up to `retries` times.
    pub async fn get_json(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<Value>, CrmError> {
        self.call_retrying(Method::GET, path, query, None, true)
            .await
    }

    /// POST a JSON body. Retried here only on 429 (the request was not executed).
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Option<Value>, CrmError> {
        self.call_retrying(Method::POST, path, &[], Some(body), false)
            .await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Result<Option<Value>, CrmError> {
        self.call_retrying(Method::PATCH, path, &[], Some(body), false)
            .await
    }

    /// Every item of `_embedded[key]` over all pages (`_links.next`).
    pub async fn get_all(
        &self,
        path: &str,
        query: &[(&str, String)],
        key: &str,
    ) -> Result<Vec<Value>, CrmError> {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = match &next {
                None => self.get_json(path, query).await?,
                Some(href) => self.get_json(href, &[]).await?,
            };
            let Some(page) = page else { break };
            if let Some(items) = page
                .pointer(&format!("/_embedded/{key}"))
                .and_then(Value::as_array)
            {
                out.extend(items.iter().cloned());
            }
            pages += 1;
            match page.pointer("/_links/next/href").and_then(Value::as_str) {
                Some(h) if pages < 1000 => next = Some(h.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    async fn call_retrying(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Option<Value>, CrmError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.call(method.clone(), path, query, body).await {
                Err(CrmError::Transient {
                    reason,
                    retry_after,
                }) if attempt <= self.opts.retries => {
                    let retryable = idempotent || reason.starts_with("429");
                    if !retryable {
                        return Err(CrmError::Transient {
                            reason,
                            retry_after,
                        });
                    }
                    let wait = retry_after.unwrap_or_else(|| self.backoff(attempt));
                    tracing::warn!(%method, path, attempt, wait_ms = wait.as_millis() as u64, %reason, "amoCRM call failed, retrying");
                    let stop = self.shutdown_token();
                    tokio::select! {
                        _ = stop.cancelled() => return Err(Self::shutting_down()),
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
                other => return other,
            }
        }
    }

    fn url(&self, path: &str) -> String {
        if let Some(rest) = path
            .strip_prefix("http://")
            .or_else(|| path.strip_prefix("https://"))
        {
            // `_links` hrefs are absolute; keep our own origin (never send the
            // token elsewhere) and take the path and query from the link.
            let pq = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
            format!("{}{}", self.opts.base_url, pq)
        } else {
            format!("{}{}", self.opts.base_url, path)
        }
    }

    /// One call with auth; a 401 triggers one refresh (OAuth) and one retry.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Option<Value>, CrmError> {
        if let Some(why) = self.stopped() {
            return Err(CrmError::Stopped(why));
        }
        if self.opts.dry_run {
            return Ok(self.dry_call(&method, path, body));
        }
        let token = self.access_token(None).await?;
        match self.call_once(&method, path, query, body, &token).await {
            Err(Unauth(detail)) => {
                if detail.contains("revoked") {
                    return Err(self.stop(format!("token revoked ({detail})")));
                }
                match &self.opts.auth {
                    AuthConfig::LongLived(_) => {
                        Err(self.stop(format!("long-lived token refused with 401 ({detail})")))
                    }
                    AuthConfig::OAuth { .. } => {
                        let fresh = self.access_token(Some(&token)).await?;
                        match self.call_once(&method, path, query, body, &fresh).await {
                            Err(Unauth(d2)) => {
                                Err(self.stop(format!("401 after a token refresh ({d2})")))
                            }
                            Ok(v) => Ok(v),
                            Err(Other(e)) => Err(e),
                        }
                    }
                }
            }
            Ok(v) => Ok(v),
            Err(Other(e)) => Err(e),
        }
    }

    async fn call_once(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        token: &str,
    ) -> Result<Option<Value>, CallErr> {
        let stop = self.shutdown_token();
        tokio::select! {
            biased;
            _ = stop.cancelled() => return Err(CallErr::Other(Self::shutting_down())),
            _ = self.opts.limiter.acquire() => {}
        }
        let mut rb = self
            .http
            .request(method.clone(), self.url(path))
            .bearer_auth(token)
            .header("Accept", "application/json");
        if !query.is_empty() {
            rb = rb.query(query);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let started = Instant::now();
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => return Err(Other(transport_error(&e))),
        };
        let status = resp.status();
        let req_id = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let is_html = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("html"));
        let text = match resp.text().await {
            Ok(t) => t,
            Err(e) => return Err(Other(transport_error(&e))),
        };
        tracing::debug!(%method, path, status = status.as_u16(), x_request_id = %req_id, ms = started.elapsed().as_millis() as u64, "amoCRM call");
        self.classify(status, retry_after, is_html, &text).await
    }

    async fn classify(
        &self,
        status: StatusCode,
        retry_after: Option<Duration>,
        is_html: bool,
        text: &str,
    ) -> Result<Option<Value>, CallErr> {
        if status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(None);
            }
            return serde_json::from_str(text).map(Some).map_err(|e| {
                Other(CrmError::Decode(format!(
                    "{e} in a {} answer",
                    status.as_u16()
                )))
            });
        }
        let html = is_html || text.trim_start().starts_with('<');
        let json: Option<Value> = serde_json::from_str(text).ok();
        let detail = json.as_ref().map(explain).unwrap_or_else(|| short(text));
        match status.as_u16() {
            401 => Err(Unauth(detail)),
            403 if html || json.is_none() => {
                let wait = retry_after
                    .unwrap_or(self.opts.block_backoff)
                    .max(self.opts.block_backoff);
                self.opts.limiter.pause_until(Instant::now() + wait).await;
                self.alert(
                    AdminAlertKind::Blocked,
                    format!("amoCRM answered an HTML 403 (abuse block or IP not allowed); pausing all calls for {} s. If it persists, contact amoCRM support", wait.as_secs()),
                );
                Err(Other(CrmError::Blocked {
                    reason: detail,
                    retry_after: wait,
                }))
            }
            429 => {
                let wait = retry_after.unwrap_or(self.opts.backoff_base);
                self.opts.limiter.pause_until(Instant::now() + wait).await;
                Err(Other(CrmError::Transient {
                    reason: format!("429 Too Many Requests {detail}"),
                    retry_after,
                }))
            }
            s if s >= 500 => Err(Other(CrmError::Transient {
                reason: format!("{s} {detail}"),
                retry_after,
            })),
            s => Err(Other(CrmError::Rejected {
                status: s,
                detail,
                request_ids: json.as_ref().map(rejected_ids).unwrap_or_default(),
            })),
        }
    }

    fn dry_call(&self, method: &Method, path: &str, body: Option<&Value>) -> Option<Value> {
        // The body carries the client's name, phone and e-mail: only at
        // debug (info logs mask them).
        let bytes = body.map_or(0, |b| b.to_string().len());
        tracing::info!(%method, path, body_bytes = bytes, "dry-run: amoCRM call not sent");
        if let Some(b) = body {
            tracing::debug!(%method, path, body = %b, "dry-run: the body that was not sent");
        }
        {
            let mut log = lock(&self.dry_log);
            if log.len() >= DRY_LOG_KEEP {
                log.pop_front();
            }
            log.push_back(DryRunCall {
                method: method.to_string(),
                path: path.to_string(),
                body: body.cloned(),
            });
        }
        let id = || self.dry_ids.fetch_add(1, Ordering::Relaxed);
        let items = body.and_then(Value::as_array).cloned().unwrap_or_default();
        if *method == Method::GET {
            return None;
        }
        let path = path.split('?').next().unwrap_or(path);
        match path {
            "/api/v4/leads/unsorted/forms" => {
                let unsorted: Vec<Value> = items
                    .iter()
                    .map(|it| {
                        json!({"uid": format!("dry-{}", id()), "request_id": it.get("request_id"),
                               "_embedded": {"leads": [{"id": id()}], "contacts": [{"id": id()}]}})
                    })
                    .collect();
                Some(json!({"_embedded": {"unsorted": unsorted}}))
            }
            "/api/v4/leads/complex" => Some(Value::Array(
                items
                    .iter()
                    .map(|it| json!({"id": id(), "contact_id": id(), "request_id": [it.get("request_id")], "merged": false}))
                    .collect(),
            )),
            p => {
                let key = p.rsplit('/').next().unwrap_or("items").to_string();
                let out: Vec<Value> = items
                    .iter()
                    .map(|it| json!({"id": id(), "request_id": it.get("request_id")}))
                    .collect();
                Some(json!({"_embedded": {key: out}}))
            }
        }
    }

    /// The access token to use. `stale`: the token a 401 refused; refresh
    /// unless someone already replaced it.
    async fn access_token(&self, stale: Option<&str>) -> Result<String, CrmError> {
        let (client_id, client_secret, redirect_uri) = match &self.opts.auth {
            AuthConfig::LongLived(t) => return Ok(t.clone()),
            AuthConfig::OAuth {
                client_id,
                client_secret,
                redirect_uri,
            } => (client_id, client_secret, redirect_uri),
        };
        let journal = self
            .opts
            .journal
            .as_ref()
            .ok_or_else(|| CrmError::Config("OAuth needs the state file".into()))?;
        let mut guard = self.tokens.lock().await;
        if guard.is_none() {
            *guard = journal.load_tokens()?;
        }
        let Some(cur) = guard.clone() else {
            return Err(self.stop(
                "no OAuth tokens in the state file; run `amo-intake auth --config … --code …`"
                    .into(),
            ));
        };
        let expiring = cur.expires_at - now_s() <= self.opts.refresh_ahead.as_secs() as i64;
        let refused = stale.is_some_and(|s| s == cur.access_token);
        if !expiring && !refused {
            return Ok(cur.access_token);
        }
        let body = json!({
            "client_id": client_id, "client_secret": client_secret,
            "grant_type": "refresh_token", "refresh_token": cur.refresh_token,
            "redirect_uri": redirect_uri,
        });
        let fresh = self.token_call(&body).await?;
        // Committed BEFORE use: the old refresh token is dead from now on.
        journal.store_tokens(&fresh)?;
        super::failpoint::hit("after_token_commit")?;
        tracing::info!(
            expires_at = fresh.expires_at,
            "amoCRM OAuth tokens refreshed and stored"
        );
        *guard = Some(fresh.clone());
        Ok(fresh.access_token)
    }

    /// `amo-intake auth`: exchanges an authorisation code and stores the pair.
    pub async fn exchange_code(&self, code: &str) -> Result<StoredTokens, CrmError> {
        let AuthConfig::OAuth {
            client_id,
            client_secret,
            redirect_uri,
        } = &self.opts.auth
        else {
            return Err(CrmError::Config(
                "`auth` needs [amocrm] client_id, client_secret_file and redirect_uri".into(),
            ));
        };
        let journal = self
            .opts
            .journal
            .as_ref()
            .ok_or_else(|| CrmError::Config("OAuth needs the state file".into()))?;
        let body = json!({
            "client_id": client_id, "client_secret": client_secret,
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        });
        let mut guard = self.tokens.lock().await;
        let t = self.token_call(&body).await?;
        journal.store_tokens(&t)?;
        *guard = Some(t.clone());
        self.resume();
        Ok(t)
    }

    async fn token_call(&self, body: &Value) -> Result<StoredTokens, CrmError> {
        self.opts.limiter.acquire().await;
        let resp = self
            .http
            .post(self.url("/oauth2/access_token"))
            .timeout(Duration::from_secs(15).min(self.opts.timeout))
            .json(body)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| transport_error(&e))?;
        let json: Option<Value> = serde_json::from_str(&text).ok();
        if status.is_success() {
            let j = json.ok_or_else(|| CrmError::Decode("token answer is not JSON".into()))?;
            let s = |k: &str| j.get(k).and_then(Value::as_str).map(str::to_string);
            let (Some(access_token), Some(refresh_token)) = (s("access_token"), s("refresh_token"))
            else {
                return Err(CrmError::Decode(
                    "token answer lacks access_token/refresh_token".into(),
                ));
            };
            let expires_in = j
                .get("expires_in")
                .and_then(Value::as_i64)
                .unwrap_or(86_400);
            return Ok(StoredTokens {
                access_token,
                refresh_token,
                expires_at: now_s() + expires_in,
            });
        }
        let detail = json.as_ref().map(explain).unwrap_or_else(|| short(&text));
        match status.as_u16() {
            400 | 401 | 403 => Err(self.stop(format!("OAuth token refresh refused ({detail})"))),
            s => Err(CrmError::Transient {
                reason: format!("token endpoint {s} {detail}"),
                retry_after: None,
            }),
        }
    }
}

enum CallErr {
    Unauth(String),
    Other(CrmError),
}
use CallErr::{Other, Unauth};

fn transport_error(e: &reqwest::Error) -> CrmError {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "connection reset or broken answer"
    };
    CrmError::Transient {
        reason: format!("{kind}: {e}"),
        retry_after: None,
    }
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(200).collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// amoCRM's explanation from an error body: title, detail, hint and every
/// validation error with its path.
pub fn explain(v: &Value) -> String {
    let mut parts = Vec::new();
    for k in ["title", "detail", "hint"] {
        if let Some(s) = v.get(k).and_then(Value::as_str) {
            parts.push(s.to_string());
        }
    }
    if let Some(items) = v.get("validation-errors").and_then(Value::as_array) {
        for it in items {
            let rid = it.get("request_id").and_then(Value::as_str).unwrap_or("?");
            for e in it
                .get("errors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let g = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
                parts.push(format!(
                    "[{rid}] {} {}: {}",
                    g("code"),
                    g("path"),
                    g("detail")
                ));
            }
        }
    }
    if parts.is_empty() {
        short(&v.to_string())
    } else {
        parts.join("; ")
    }
}

fn rejected_ids(v: &Value) -> Vec<String> {
    v.get("validation-errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|it| match it.get("request_id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// The SLA watch reads events through the daemon's one client, so its calls
/// share the rate limiter (and the stop on revoked auth) with delivery.
impl super::events::JsonGet for Client {
    fn get_json<'a>(
        &'a self,
        path: &'a str,
        query: &'a [(String, String)],
    ) -> futures::future::BoxFuture<'a, Result<Option<Value>, String>> {
        Box::pin(async move {
            let q: Vec<(&str, String)> =
                query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            Client::get_json(self, path, &q)
                .await
                .map_err(|e| e.to_string())
        })
    }
}

/// The rate `[amocrm] rate_limit` asks for (requests per second, default 6).
fn rate_from(config: &crate::config::Config) -> f64 {
    config
        .amocrm
        .as_ref()
        .and_then(|a| a.rate_limit)
        .unwrap_or(6.0)
}

/// A limiter for a client built outside the daemon (CLI commands, tests).
pub fn limiter_from(config: &crate::config::Config) -> Arc<RateLimiter> {
    Arc::new(RateLimiter::new(rate_from(config)))
}

/// The daemon's one limiter: it waits out one window before the first
/// request, so a restart (or a crash loop) never adds its requests to the
/// previous process's last second.
pub fn daemon_limiter(config: &crate::config::Config) -> Arc<RateLimiter> {
    Arc::new(RateLimiter::after_start(rate_from(config)))
}

/// Builds the amoCRM client described by `[amocrm]` (secrets read here).
pub fn client_from_config(
    config: &crate::config::Config,
    journal: Arc<Journal>,
    limiter: Arc<RateLimiter>,
    dry_run: bool,
) -> Result<Option<Client>, CrmError> {
    let amo = config.amocrm.as_ref();
    if dry_run || amo.is_some_and(|a| a.dry_run) {
        let mut o = ClientOptions::new(
            "http://dry-run.invalid",
            AuthConfig::LongLived(String::new()),
            limiter,
        );
        o.dry_run = true;
        return Client::new(o).map(Some);
    }
    let Some(amo) = amo else { return Ok(None) };
    let base = ClientOptions::base_url_from(amo)?;
    let auth = match &amo.client_id {
        Some(id) => {
            let secret = crate::config::read_secret(
                amo.client_secret_file.as_deref(),
                "client_secret_file",
                "amocrm-client-secret",
                "amoCRM OAuth client secret",
            )
            .map_err(|e| CrmError::Config(e.to_string()))?;
            AuthConfig::OAuth {
                client_id: id.clone(),
                client_secret: secret,
                redirect_uri: amo.redirect_uri.clone().unwrap_or_default(),
            }
        }
        None => AuthConfig::LongLived(
            crate::config::read_secret(
                amo.token_file.as_deref(),
                "token_file",
                "amocrm-token",
                "amoCRM long-lived token",
            )
            .map_err(|e| CrmError::Config(e.to_string()))?,
        ),
    };
    let mut o = ClientOptions::new(&base, auth, limiter);
    o.journal = Some(journal);
    Client::new(o).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A dry-run daemon runs for days: its record of unsent calls keeps
    /// the newest DRY_LOG_KEEP, not all of them.
    #[test]
    fn the_dry_run_record_is_bounded_and_keeps_the_newest() {
        let mut o = ClientOptions::new(
            "http://dry-run.invalid",
            AuthConfig::LongLived(String::new()),
            Arc::new(RateLimiter::new(1000.0)),
        );
        o.dry_run = true;
        let c = Client::new(o).unwrap();
        for i in 0..DRY_LOG_KEEP + 5 {
            c.dry_call(&Method::GET, &format!("/api/v4/leads/{i}"), None);
        }
        let log = c.dry_run_log();
        assert_eq!(log.len(), DRY_LOG_KEEP);
        assert_eq!(log[0].path, "/api/v4/leads/5");
        assert_eq!(
            log[DRY_LOG_KEEP - 1].path,
            format!("/api/v4/leads/{}", DRY_LOG_KEEP + 4)
        );
    }

    #[test]
    fn explains_validation_errors() {
        let v: Value = serde_json::from_str(r#"{"validation-errors":[{"request_id":"ai-1","errors":[{"code":"NotSupportedChoice","path":"custom_fields_values.0.field_id","detail":"The value you selected is not a valid choice."}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"}"#).unwrap();
        let e = explain(&v);
        assert!(
            e.contains("NotSupportedChoice custom_fields_values.0.field_id"),
            "{e}"
        );
        assert_eq!(rejected_ids(&v), vec!["ai-1".to_string()]);
    }

    #[test]
    fn base_url_forms() {
        let mut c = crate::config::AmoCrmConfig {
            subdomain: Some("example".into()),
            ..Default::default()
        };
        assert_eq!(
            ClientOptions::base_url_from(&c).unwrap(),
            "https://example.amocrm.ru"
        );
        c.domain = Some("kommo.com".into());
        assert_eq!(
            ClientOptions::base_url_from(&c).unwrap(),
            "https://example.kommo.com"
        );
        c.base_url = Some("http://127.0.0.1:9/".into());
        assert_eq!(
            ClientOptions::base_url_from(&c).unwrap(),
            "http://127.0.0.1:9"
        );
        c.base_url = None;
        c.subdomain = Some("evil.com/x".into());
        assert!(ClientOptions::base_url_from(&c).is_err());
    }

    #[test]
    fn links_keep_our_origin() {
        let c = Client::new(ClientOptions::new(
            "http://127.0.0.1:5",
            AuthConfig::LongLived("t".into()),
            Arc::new(RateLimiter::new(6.0)),
        ))
        .unwrap();
        assert_eq!(
            c.url("https://evil.example/api/v4/users?page=2"),
            "http://127.0.0.1:5/api/v4/users?page=2"
        );
        assert_eq!(c.url("/api/v4/users"), "http://127.0.0.1:5/api/v4/users");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut o = ClientOptions::new(
            "http://x",
            AuthConfig::LongLived("t".into()),
            Arc::new(RateLimiter::new(6.0)),
        );
        o.backoff_base = Duration::from_millis(100);
        o.backoff_max = Duration::from_millis(1000);
        let c = Client::new(o).unwrap();
        assert!(c.backoff(1) <= Duration::from_millis(100));
        assert!(c.backoff(3) >= Duration::from_millis(200));
        assert!(c.backoff(30) <= Duration::from_millis(1000));
    }
}
