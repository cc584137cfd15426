//! `amo-intake status`: requests waiting for a callback, their deadlines and
//! the alerts sent, quarantined mails and requests, read from the state file (the daemon may be running:
//! SQLite WAL lets us read alongside it).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::config::Config;
use crate::journal::Journal;
use crate::journal::quarantine::Quarantined;
use crate::journal::sla::{AlertRow, SlaRow};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (for the state file path and time zone).
    #[arg(long, default_value = "/etc/amo-intake/config.toml")]
    pub config: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Opens the state file named by the config without creating it.
pub(crate) fn open_state(config: &std::path::Path) -> anyhow::Result<(Config, Journal, TimeZone)> {
    let cfg = Config::load(config)?;
    let path = &cfg.state.path;
    if !path.exists() {
        anyhow::bail!(
            "no state file at {} ([state] path in {}); has the daemon run yet?",
            path.display(),
            config.display()
        );
    }
    let journal = Journal::open(path).with_context(|| format!("opening {}", path.display()))?;
    let tz = match cfg.sla.timezone.as_deref() {
        Some(name) => TimeZone::get(name)
            .with_context(|| format!("{}: [sla] timezone `{name}`", config.display()))?,
        None => TimeZone::system(),
    };
    Ok((cfg, journal, tz))
}

pub(crate) fn fmt_ms(ms: i64, tz: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%d.%m %H:%M").to_string())
        .unwrap_or_else(|_| "?".into())
}

fn alert_summary(a: &AlertRow, tz: &TimeZone) -> String {
    let state = if a.cancelled {
        "cancelled".to_string()
    } else if let Some(s) = a.sent_ms {
        format!("sent {}", fmt_ms(s, tz))
    } else {
        format!(
            "pending, {} tries{}",
            a.attempts,
            a.last_error
                .as_deref()
                .map(|e| format!(", last error: {e}"))
                .unwrap_or_default()
        )
    };
    format!("{} {}→{} {state}", a.kind.as_str(), a.channel, a.recipient)
}

fn row_json(r: &SlaRow, alerts: &[AlertRow]) -> serde_json::Value {
    serde_json::json!({
        "lead_id": r.lead_id,
        "responsible_user_id": r.responsible_id,
        "state": r.state.as_str(),
        "arrived_at": Timestamp::from_millisecond(r.arrival_ms).ok().map(|t| t.to_string()),
        "deadline": Timestamp::from_millisecond(r.deadline_ms).ok().map(|t| t.to_string()),
        "alerts": alerts.iter().map(|a| serde_json::json!({
            "kind": a.kind.as_str(), "channel": a.channel, "recipient": a.recipient,
            "sent_at": a.sent_ms.and_then(|s| Timestamp::from_millisecond(s).ok()).map(|t| t.to_string()),
            "attempts": a.attempts, "cancelled": a.cancelled, "last_error": a.last_error,
        })).collect::<Vec<_>>(),
    })
}

fn quarantine_json(q: &Quarantined) -> serde_json::Value {
    serde_json::json!({
        "id": q.id,
        "kind": q.kind,
        "key": q.key,
        "mailbox": q.mailbox,
        "subject": q.subject,
        "reason": q.reason,
        "quarantined_at": q.at_ms.and_then(|t| Timestamp::from_millisecond(t).ok()).map(|t| t.to_string()),
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (_cfg, journal, tz) = open_state(&args.config)?;
    let rows = journal.sla_open_rows()?;
    let alerts = journal.alerts_for(None)?;
    let now = crate::journal::now_ms();
    let for_lead =
        |id: i64| -> Vec<AlertRow> { alerts.iter().filter(|a| a.lead_id == id).cloned().collect() };
    let mails = journal.count_mails(None)?;
    let unparsed = journal.count_mails(Some("seen"))?;
    let outbox = journal.outbox_counts()?;
    let quarantined = journal.quarantined()?;
    if args.json {
        let out = serde_json::json!({
            "mails": mails,
            "mails_waiting_parse": unparsed,
            "outbox": outbox.iter().map(|(s, n)| (s.clone(), serde_json::Value::from(*n))).collect::<serde_json::Map<String, serde_json::Value>>(),
            "waiting": rows.iter().map(|r| row_json(r, &for_lead(r.lead_id))).collect::<Vec<_>>(),
            "alerts_pending": alerts.iter().filter(|a| a.sent_ms.is_none() && !a.cancelled).count(),
            "quarantined": quarantined.iter().map(quarantine_json).collect::<Vec<_>>(),
        });
        println!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("mails journalled: {mails} ({unparsed} not parsed yet)");
    if !outbox.is_empty() {
        let parts: Vec<String> = outbox.iter().map(|(s, n)| format!("{s} {n}")).collect();
        println!("outbox: {}", parts.join(", "));
    }
    println!("requests waiting for a callback: {}", rows.len());
    if !rows.is_empty() {
        println!(
            "{:<12} {:<12} {:<12} {:<9} {:<10} {:>8}  alerts",
            "lead", "arrived", "deadline", "state", "manager", "left"
        );
    }
    for r in &rows {
        let left = (r.deadline_ms - now) / 60_000;
        let left = if left >= 0 {
            format!("{left} min")
        } else {
            format!("-{} min", -left)
        };
        let alerts: Vec<String> = for_lead(r.lead_id)
            .iter()
            .map(|a| alert_summary(a, &tz))
            .collect();
        println!(
            "{:<12} {:<12} {:<12} {:<9} {:<10} {:>8}  {}",
            r.lead_id,
            fmt_ms(r.arrival_ms, &tz),
            fmt_ms(r.deadline_ms, &tz),
            r.state.as_str(),
            r.responsible_id
                .map(|i| i.to_string())
                .unwrap_or_else(|| "-".into()),
            left,
            if alerts.is_empty() {
                "none".to_string()
            } else {
                alerts.join("; ")
            }
        );
    }
    if !quarantined.is_empty() {
        println!(
            "quarantined: {} (fix the cause, then `amo-intake requeue ID`)",
            quarantined.len()
        );
        for q in &quarantined {
            println!(
                "  {:<14} {:<12} {}{}: {}",
                q.id,
                q.at_ms
                    .map(|t| fmt_ms(t, &tz))
                    .unwrap_or_else(|| "-".into()),
                q.subject
                    .as_deref()
                    .map(|s| format!("«{s}»"))
                    .unwrap_or_else(|| "(no subject)".into()),
                q.key
                    .as_deref()
                    .map(|k| format!(" {k}"))
                    .unwrap_or_default(),
                q.reason
            );
        }
    }
    let stuck: Vec<&AlertRow> = alerts
        .iter()
        .filter(|a| a.sent_ms.is_none() && !a.cancelled && a.attempts > 0)
        .collect();
    if !stuck.is_empty() {
        println!("alerts not delivered yet (retrying): {}", stuck.len());
        for a in stuck {
            println!("  lead {}: {}", a.lead_id, alert_summary(a, &tz));
        }
    }
    Ok(ExitCode::SUCCESS)
}
