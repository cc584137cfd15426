//! Each alert channel against its loopback fake: success, outage (error
//! reported as transient, never containing the bot token), recovery.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use amo_intake::alert::channels::{Email, EmailConfig, Telegram, Webhook, WebhookConfig};
use amo_intake::alert::{Channel, ChannelError, Message};
use support::fake_channels::{FakeSmtp, FakeTelegram, FakeWebhook};

fn msg() -> Message {
    Message {
        text: "⏰ Клиент ждёт звонка уже 10 мин\nСделка: https://x.amocrm.ru/leads/detail/1".into(),
        payload: serde_json::json!({"lead_id": 1, "alert": "first"}),
        idempotency_key: Some("amo-intake-sla-1-first-0-webhook-manager:7".into()),
        attachment: None,
    }
}

#[tokio::test]
async fn telegram_send_outage_and_recovery() {
    let tg = FakeTelegram::start().await;
    let ch = Telegram::new(
        &tg.api_base(),
        "123:VERYSECRET",
        HashMap::from([(7, "700".to_string())]),
        Some("-1".into()),
    );
    assert_eq!(ch.manager_route(7).as_deref(), Some("700"));
    assert_eq!(ch.manager_route(8), None);
    ch.send("700", &msg()).await.unwrap();
    tg.set_down(true);
    let ChannelError::Transient { channel, message } = ch.send("700", &msg()).await.unwrap_err();
    assert_eq!(channel, "telegram");
    assert!(message.contains("502"), "{message}");
    assert!(!message.contains("VERYSECRET"), "token leaked: {message}");
    tg.set_down(false);
    ch.send("-1", &msg()).await.unwrap();
    let got = tg.messages();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].token, "123:VERYSECRET");
    assert_eq!(got[0].chat_id, "700");
    assert_eq!(got[1].chat_id, "-1");
    assert_eq!(got[0].text, msg().text);
}

#[tokio::test]
async fn telegram_unreachable_does_not_leak_the_token() {
    // A port nothing listens on.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    let ch = Telegram::new(&base, "123:VERYSECRET", HashMap::new(), None);
    let ChannelError::Transient { message, .. } = ch.send("1", &msg()).await.unwrap_err();
    assert!(!message.contains("VERYSECRET"), "token leaked: {message}");
}

#[tokio::test]
async fn email_send_and_outage() {
    let smtp = FakeSmtp::start().await;
    let ch = Email::from_config(EmailConfig {
        host: smtp.host(),
        port: Some(smtp.port()),
        tls: "none".into(),
        user: None,
        password_file: None,
        from: "robot@example.ru".into(),
        to: HashMap::from([(
            "7".to_string(),
            toml::Value::String("anna@example.ru".into()),
        )]),
        head_to: None,
    })
    .unwrap();
    assert_eq!(ch.manager_route(7).as_deref(), Some("anna@example.ru"));
    ch.send("anna@example.ru", &msg()).await.unwrap();
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["anna@example.ru"]);
    assert!(
        mails[0].data.contains("Subject: =?utf-8?"),
        "{}",
        mails[0].data
    );
    smtp.set_down(true);
    assert!(ch.send("anna@example.ru", &msg()).await.is_err());
    smtp.set_down(false);
    ch.send("anna@example.ru", &msg()).await.unwrap();
    assert_eq!(smtp.mails().len(), 2);
}

/// The digest's report page goes out as an HTML attachment beside the text.
#[tokio::test]
async fn email_carries_an_html_attachment() {
    let smtp = FakeSmtp::start().await;
    let ch = Email::from_config(EmailConfig {
        host: smtp.host(),
        port: Some(smtp.port()),
        tls: "none".into(),
        user: None,
        password_file: None,
        from: "robot@example.ru".into(),
        to: HashMap::new(),
        head_to: Some("head@example.ru".into()),
    })
    .unwrap();
    let mut m = msg();
    m.attachment = Some(amo_intake::alert::Attachment {
        filename: "amo-intake-report-2026-11-27.html".into(),
        html: "<!doctype html><svg></svg>".into(),
    });
    ch.send("head@example.ru", &m).await.unwrap();
    let data = &smtp.mails()[0].data;
    assert!(data.contains("multipart/mixed"), "{data}");
    assert!(data.contains("Content-Disposition: attachment"), "{data}");
    assert!(
        data.contains("\"amo-intake-report-2026-11-27.html\""),
        "{data}"
    );
    assert!(data.contains("text/html; charset=utf-8"), "{data}");
    assert!(data.contains("<!doctype html><svg></svg>"), "{data}");
}

#[tokio::test]
async fn email_rejects_a_bad_tls_mode() {
    let err = Email::from_config(EmailConfig {
        host: "127.0.0.1".into(),
        port: None,
        tls: "ssl".into(),
        user: None,
        password_file: None,
        from: "robot@example.ru".into(),
        to: HashMap::new(),
        head_to: None,
    })
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("tls: `ssl`"), "{err}");
}

#[tokio::test]
async fn webhook_posts_payload_with_recipient() {
    let hook = FakeWebhook::start().await;
    let ch = Webhook::new(WebhookConfig { url: hook.url() });
    ch.send("manager:7", &msg()).await.unwrap();
    hook.set_down(true);
    assert!(ch.send("head", &msg()).await.is_err());
    let got = hook.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["recipient"], "manager:7");
    assert_eq!(got[0]["lead_id"], 1);
    // Alerts are at-least-once: the receiver can drop a repeat by this key.
    assert_eq!(
        got[0]["_header_idempotency_key"],
        "amo-intake-sla-1-first-0-webhook-manager:7"
    );
    assert_eq!(
        got[0]["idempotency_key"],
        "amo-intake-sla-1-first-0-webhook-manager:7"
    );
}

#[tokio::test]
async fn memory_channel_records_for_the_demo() {
    use amo_intake::alert::channels::Memory;
    let m = Memory::default();
    assert_eq!(m.manager_route(7).as_deref(), Some("manager:7"));
    m.send("manager:7", &msg()).await.unwrap();
    assert_eq!(m.sent(), vec![("manager:7".to_string(), msg().text)]);
}
