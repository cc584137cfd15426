//! Fake alert receivers on 127.0.0.1:0: a Telegram Bot API (`sendMessage`),
//! an SMTP sink and a JSON webhook receiver. Each records what it received
//! and can be switched "down" (Telegram/webhook answer 502, SMTP refuses
//! with 421) to test retries.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One `sendMessage` call as received.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TgMessage {
    pub token: String,
    pub chat_id: String,
    pub text: String,
}

#[derive(Default)]
struct Shared<T> {
    got: Mutex<Vec<T>>,
    down: AtomicBool,
    /// Requests refused while down.
    refused: Mutex<usize>,
}

impl<T: Clone> Shared<T> {
    fn push(&self, v: T) {
        self.got.lock().unwrap().push(v);
    }
    fn all(&self) -> Vec<T> {
        self.got.lock().unwrap().clone()
    }
    fn refuse(&self) -> bool {
        if self.down.load(Ordering::SeqCst) {
            *self.refused.lock().unwrap() += 1;
            true
        } else {
            false
        }
    }
}

async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// Fake Telegram Bot API: `POST /bot<token>/sendMessage`.
#[derive(Clone)]
pub struct FakeTelegram {
    addr: SocketAddr,
    shared: Arc<Shared<TgMessage>>,
}

async fn tg_send(
    State(s): State<Arc<Shared<TgMessage>>>,
    Path(bot): Path<String>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if s.refuse() {
        return (
            StatusCode::BAD_GATEWAY,
            Json(json!({"ok": false, "error_code": 502, "description": "Bad Gateway"})),
        );
    }
    let Some(token) = bot.strip_prefix("bot") else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"ok": false, "error_code": 404, "description": "Not Found"})),
        );
    };
    let chat_id = match &body["chat_id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                Json(
                    json!({"ok": false, "error_code": 400, "description": "Bad Request: chat_id is empty"}),
                ),
            );
        }
    };
    let text = body["text"].as_str().unwrap_or("").to_string();
    if text.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"ok": false, "error_code": 400, "description": "Bad Request: message text is empty"}),
            ),
        );
    }
    s.push(TgMessage {
        token: token.to_string(),
        chat_id: chat_id.clone(),
        text: text.clone(),
    });
    (
        StatusCode::OK,
        Json(
            json!({"ok": true, "result": {"message_id": s.all().len(), "chat": {"id": chat_id}, "text": text}}),
        ),
    )
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let shared: Arc<Shared<TgMessage>> = Arc::default();
        let router = Router::new()
            .route("/{bot}/sendMessage", post(tg_send))
            .with_state(shared.clone());
        let addr = serve(router).await;
        FakeTelegram { addr, shared }
    }
    /// Value for `[alerts.telegram] api_base`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn messages(&self) -> Vec<TgMessage> {
        self.shared.all()
    }
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }
    pub fn refused(&self) -> usize {
        *self.shared.refused.lock().unwrap()
    }
}

/// Fake webhook receiver: `POST /` with a JSON body.
#[derive(Clone)]
pub struct FakeWebhook {
    addr: SocketAddr,
    shared: Arc<Shared<Value>>,
}

/// The `Idempotency-Key` request header is recorded in the body as
/// `_header_idempotency_key`, so tests can check it.
async fn hook(
    State(s): State<Arc<Shared<Value>>>,
    headers: axum::http::HeaderMap,
    Json(mut body): Json<Value>,
) -> StatusCode {
    if s.refuse() {
        return StatusCode::BAD_GATEWAY;
    }
    if let (Some(k), Some(o)) = (
        headers.get("idempotency-key").and_then(|v| v.to_str().ok()),
        body.as_object_mut(),
    ) {
        o.insert("_header_idempotency_key".into(), k.into());
    }
    s.push(body);
    StatusCode::NO_CONTENT
}

impl FakeWebhook {
    pub async fn start() -> FakeWebhook {
        let shared: Arc<Shared<Value>> = Arc::default();
        let router = Router::new()
            .route("/", post(hook))
            .with_state(shared.clone());
        let addr = serve(router).await;
        FakeWebhook { addr, shared }
    }
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
    pub fn received(&self) -> Vec<Value> {
        self.shared.all()
    }
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }
}

/// One mail accepted by the SMTP sink.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmtpMail {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA section, dot-unstuffed, CRLF line ends.
    pub data: String,
}

/// A minimal SMTP sink (no TLS, no auth): enough for lettre's plaintext
/// transport. While down, it greets with 421 and closes.
#[derive(Clone)]
pub struct FakeSmtp {
    addr: SocketAddr,
    shared: Arc<Shared<SmtpMail>>,
}

async fn smtp_session(
    stream: tokio::net::TcpStream,
    s: Arc<Shared<SmtpMail>>,
) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    if s.refuse() {
        w.write_all(b"421 fake.smtp Service not available\r\n")
            .await?;
        return Ok(());
    }
    w.write_all(b"220 fake.smtp ESMTP\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            w.write_all(b"250-fake.smtp\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = cmd[10..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or("")
                .to_string();
            to.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(
                cmd[8..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or("")
                    .to_string(),
            );
            w.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            s.push(SmtpMail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            w.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            w.write_all(b"250 OK\r\n").await?;
        } else {
            w.write_all(b"502 Command not implemented\r\n").await?;
        }
    }
}

impl FakeSmtp {
    pub async fn start() -> FakeSmtp {
        let shared: Arc<Shared<SmtpMail>> = Arc::default();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = smtp_session(stream, s).await;
                });
            }
        });
        FakeSmtp { addr, shared }
    }
    pub fn host(&self) -> String {
        self.addr.ip().to_string()
    }
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    pub fn mails(&self) -> Vec<SmtpMail> {
        self.shared.all()
    }
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }
}
