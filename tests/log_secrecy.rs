//! Log secrecy: a whole run of the real daemon at `info` (real Dovecot, the
//! fake amoCRM creating leads, an overdue callback alerted over a fake
//! Telegram) leaves no client phone, email or name, and no amoCRM token,
//! bot token or IMAP password, in its log. Masked phones show at most their
//! last two digits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use regex::Regex;
use support::daemon::{Daemon, Setup};
use support::dovecot::{self, Dovecot};
use support::fake_channels::FakeTelegram;
use support::{FakeAmo, FakeOptions};

/// A client as a site would send it: the phone as typed, its digits, the
/// email and the name. Values are unusual on purpose, so that a hit in the
/// log is a leak and never a coincidence.
struct Client {
    typed: &'static str,
    digits: &'static str,
    email: &'static str,
    name: &'static str,
}

const CLIENTS: [Client; 4] = [
    Client {
        typed: "+7 (912) 583-47-06",
        digits: "9125834706",
        email: "evlampia.pantel@example.org",
        name: "Евлампия Пантелеймонова",
    },
    Client {
        typed: "8 903 771 29 58",
        digits: "9037712958",
        email: "zinovy_kr@example.net",
        name: "Зиновий Крутогоров",
    },
    Client {
        typed: "+79265139847",
        digits: "9265139847",
        email: "agrafena.v@example.com",
        name: "Аграфена Вышеславцева",
    },
    Client {
        typed: "8(921)640-18-35",
        digits: "9216401835",
        email: "feoktist.o@example.ru",
        name: "Феоктист Облонский",
    },
];

const BOT_TOKEN: &str = "777001:bot-token-Qx7ZpLm";

fn mail(n: usize, c: &Client) -> Vec<u8> {
    format!(
        "From: Tilda Forms <robot@tilda.ws>\r\n\
         To: sales@example.test\r\n\
         Reply-To: {email}\r\n\
         Subject: =?UTF-8?B?0JfQsNGP0LLQutCwINGBINGB0LDQudGC0LA=?= #{n}\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0300\r\n\
         Message-ID: <secrecy-{n}@tilda.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Name: {name}\r\n\
         Phone: {phone}\r\n\
         Email: {email}\r\n\
         Comment: замер окон, перезвоните\r\n",
        email = c.email,
        name = c.name,
        phone = c.typed,
    )
    .into_bytes()
}

/// Every way a phone could leak: a run of 5 or more of its digits (its
/// national number, a prefix, a long tail) anywhere in a log line.
fn digit_windows(digits: &str, len: usize) -> Vec<&str> {
    (0..=digits.len() - len)
        .map(|i| &digits[i..i + len])
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_logs_no_phone_email_name_token_or_password() {
    let dc = Dovecot::start();
    let fake = FakeAmo::start(FakeOptions::default());
    let tg = FakeTelegram::start().await;
    let setup = Setup::new();
    support::write_secret(&setup.path("amocrm-token"), &fake.long_lived_token());
    support::write_secret(&setup.path("telegram-token"), BOT_TOKEN);
    let crm = format!(
        "base_url = \"{}\"\ntoken_file = \"{}\"\n",
        fake.base_url(),
        setup.path("amocrm-token").display()
    );
    let extra = format!(
        "[sla]\ncallback_within = \"2s\"\ncheck_interval = \"1s\"\nescalate_after = \"1s\"\n\
         [alerts.telegram]\napi_base = \"{}\"\nbot_token_file = \"{}\"\nhead_chat = \"-100777\"\n",
        tg.api_base(),
        setup.path("telegram-token").display()
    );
    let text = setup
        .config_text(dc.port, &extra)
        .replace("[amocrm]\ndry_run = true\n", &format!("[amocrm]\n{crm}"));
    setup.write_config(&text);

    let mut d = Daemon::spawn(&setup.config_path());
    d.wait_log("connected", Duration::from_secs(30));
    let mails: Vec<Vec<u8>> = CLIENTS
        .iter()
        .enumerate()
        .map(|(i, c)| mail(i, c))
        .collect();
    dc.append_many("INBOX", &mails).await;

    // Leads created, then nobody calls back: the clock runs out and an
    // alert goes out, so intake, delivery and alerting all had their say.
    assert!(
        fake.wait_until(Duration::from_secs(60), |f| f.leads().len()
            + f.unsorted().len()
            >= CLIENTS.len()),
        "leads not created: {}\n{}",
        fake.summary(),
        d.log()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while tg.messages().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "no alert sent within 60 s:\n{}",
            d.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The clients' data did reach amoCRM and the alert: it is the log that
    // must not carry it.
    let alerts: String = tg.messages().iter().map(|m| m.text.clone()).collect();
    assert!(
        CLIENTS.iter().any(|c| alerts.contains(c.name)),
        "the alert names no client, so the test exercises nothing: {alerts}"
    );
    d.signal(nix::sys::signal::Signal::SIGTERM);
    assert!(d.wait_exit(Duration::from_secs(15)).is_some());
    let log = d.log();
    assert!(log.lines().count() > 10, "too little log to judge:\n{log}");

    let leaks = leaks_in(
        &log,
        &[
            fake.long_lived_token().as_str(),
            BOT_TOKEN,
            dovecot::PASSWORD,
        ],
    );
    assert!(leaks.is_empty(), "the log leaks:\n{}", leaks.join("\n"));
    println!(
        "RESULT log_secrecy log_lines={} clients={} secrets=3 leaks={}",
        log.lines().count(),
        CLIENTS.len(),
        leaks.len()
    );
}

/// Every client phone (as digit runs), e-mail, name part, every secret and
/// every masked phone showing more than two digits, line by line.
fn leaks_in(log: &str, secrets: &[&str]) -> Vec<String> {
    // Timestamps are the only long digit runs the daemon writes by itself;
    // take them out so that a chance match in the microseconds is no leak.
    let stamp = Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?").unwrap();
    // A masked phone ("+7***06", "9139***47") shows at most 2 digits.
    let masked = Regex::new(r"[+\d][\d\s()\-]*\*+[\d\s()\-*]*").unwrap();
    let mut leaks = Vec::new();
    for line in log.lines() {
        let line = stamp.replace_all(line, "<time>");
        let digits_only: String = line
            .chars()
            .map(|c| if c.is_ascii_digit() { c } else { ' ' })
            .collect();
        for c in &CLIENTS {
            for w in digit_windows(c.digits, 5) {
                // Digits typed with separators ("583-47-06") are caught by
                // the masked-phone check below; here: plain runs.
                if digits_only.split_whitespace().any(|run| run.contains(w)) {
                    leaks.push(format!("phone digits {w} of {}: {line}", c.digits));
                }
            }
            let local = c.email.split('@').next().unwrap_or(c.email);
            if line.contains(local) {
                leaks.push(format!("email {}: {line}", c.email));
            }
            for part in c.name.split_whitespace() {
                if line.contains(part) {
                    leaks.push(format!("name {part}: {line}"));
                }
            }
        }
        for secret in secrets {
            if line.contains(secret) {
                leaks.push(format!("secret {secret}: {line}"));
            }
        }
        for m in masked.find_iter(&line) {
            let shown = m.as_str().chars().filter(char::is_ascii_digit).count();
            // "+7" is the country code, not the subscriber's number.
            let shown = if m.as_str().starts_with("+7") {
                shown - 1
            } else {
                shown
            };
            if shown > 2 {
                leaks.push(format!("masked phone shows {shown} digits: {line}"));
            }
        }
    }
    leaks
}

/// A dry-run daemon (the trial mode: nothing sent to amoCRM) logs each call
/// it did not send, at info without its body: the body is the client's
/// name, phone and e-mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_logs_no_client_data_at_info() {
    let dc = Dovecot::start();
    let setup = Setup::new();
    setup.write_config(&setup.config_text(dc.port, ""));
    let mut d = Daemon::spawn(&setup.config_path());
    d.wait_log("connected", Duration::from_secs(30));
    let mails: Vec<Vec<u8>> = CLIENTS
        .iter()
        .enumerate()
        .map(|(i, c)| mail(i, c))
        .collect();
    dc.append_many("INBOX", &mails).await;
    d.wait_log("dry-run: amoCRM call not sent", Duration::from_secs(60));
    // Every client's lead went through the dry-run client.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while d.log().matches("leads/unsorted/forms").count() < CLIENTS.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "not every lead reached the dry-run client:\n{}",
            d.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    d.signal(nix::sys::signal::Signal::SIGTERM);
    assert!(d.wait_exit(Duration::from_secs(15)).is_some());
    let log = d.log();
    let leaks = leaks_in(&log, &[dovecot::PASSWORD]);
    assert!(
        leaks.is_empty(),
        "the dry-run log leaks:\n{}",
        leaks.join("\n")
    );
}
