//! `amo-intake report`: how fast requests were called back, from the state
//! file: counts, median and 90th-percentile response time, breaches per
//! manager.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;

use crate::sla::report::{Stats, by_manager, stats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Manager,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (for the state file path, time zone and manager names).
    #[arg(long, default_value = "/etc/amo-intake/config.toml")]
    pub config: PathBuf,
    /// First day to include, YYYY-MM-DD (default: 30 days ago).
    #[arg(long)]
    pub since: Option<String>,
    /// Break the figures down by responsible manager.
    #[arg(long, value_enum)]
    pub by: Option<By>,
    /// Also write one self-contained HTML page (charts inline, no network)
    /// for the head of sales to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

fn mins(ms: Option<i64>) -> String {
    match ms {
        Some(ms) => format!("{:.1} min", ms as f64 / 60_000.0),
        None => "-".into(),
    }
}

fn line(label: &str, s: &Stats) -> String {
    format!(
        "{:<24} {:>8} {:>8} {:>6} {:>8} {:>8} {:>10} {:>10}",
        label,
        s.total,
        s.answered,
        s.late,
        s.breached,
        s.breaches(),
        mins(s.median_ms),
        mins(s.p90_ms)
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (cfg, journal, tz) = super::status::open_state(&args.config)?;
    let now = crate::journal::now_ms();
    let since_date: Date = match &args.since {
        Some(s) => s
            .parse()
            .with_context(|| format!("--since `{s}`: write a date as YYYY-MM-DD"))?,
        None => jiff::Timestamp::now()
            .to_zoned(tz.clone())
            .date()
            .checked_sub(jiff::Span::new().days(30))
            .context("date out of range")?,
    };
    let since_ms = since_date
        .to_zoned(tz.clone())
        .context("--since: not a valid local date")?
        .timestamp()
        .as_millisecond();
    // A client who wrote again on a lead makes a new round: earlier
    // rounds count as requests of their own.
    let mut rows = journal.sla_rows_since(since_ms)?;
    rows.extend(journal.sla_rounds_since(since_ms)?);
    let names: std::collections::HashMap<i64, String> = cfg
        .alerts
        .names
        .iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str()?.to_string())))
        .collect();
    println!("requests since {since_date}: {}", rows.len());
    println!(
        "{:<24} {:>8} {:>8} {:>6} {:>8} {:>8} {:>10} {:>10}",
        "", "requests", "answered", "late", "no call", "breaches", "median", "p90"
    );
    println!("{}", line("all", &stats(&rows, now)));
    if args.by == Some(By::Manager) {
        for (manager, s) in by_manager(&rows, now) {
            let label = match manager {
                Some(id) => names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                None => "(not assigned)".into(),
            };
            println!("{}", line(&label, &s));
        }
    }
    if let Some(file) = &args.html {
        let findings = journal.findings_since(since_ms)?;
        let names: std::collections::BTreeMap<i64, String> = names.into_iter().collect();
        let page = crate::sla::html::render(&crate::sla::html::ReportData {
            title: format!("Ответы на заявки с {}", since_date.strftime("%d.%m.%Y")),
            rows: &rows,
            findings: &findings,
            names: &names,
            link_base: crate::alert::link_base(&cfg),
            tz: tz.clone(),
            now_ms: now,
        });
        std::fs::write(file, page)
            .with_context(|| format!("--html: cannot write {}", file.display()))?;
        println!("report page: {}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}
