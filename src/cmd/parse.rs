//! `amo-intake parse`: .eml files to JSON Lines (the keys are a public contract:
//! kept and added, never renamed).
//!
//! One line per file, in input order, exit 0 even for unreadable files (they
//! print an `action: review` line and the reason on stderr), so a shell loop
//! over a mail folder never loses its place.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::request::{Action, Request};
use crate::rules::{ParseOptions, RuleSet};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rules folder, layered over the shipped rules (a folder rule adds a
    /// rule or replaces the shipped one of its name); the shipped rules
    /// alone when omitted.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Use the folder's rules alone, without the shipped ones.
    #[arg(long, requires = "rules")]
    pub no_shipped: bool,
    /// Default phone region for numbers without a country code.
    #[arg(long, default_value = "RU")]
    pub region: String,
    /// Mails larger than this many bytes become `review`, unparsed.
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    pub max_mail_bytes: usize,
    /// .eml files to read.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rules = match &args.rules {
        Some(dir) => match RuleSet::load_layered(Some(dir), !args.no_shipped) {
            Ok(r) => r,
            Err(d) => {
                eprint!("{d}");
                anyhow::bail!(
                    "{} problem(s) in the rules in {}; run `amo-intake check --rules {}`",
                    d.len(),
                    dir.display(),
                    dir.display()
                );
            }
        },
        None => RuleSet::builtin(),
    };
    // Which rules read the mails, on stderr: stdout is JSON Lines only.
    eprintln!("amo-intake parse: active rules, in the order they are tried:");
    for line in rules.describe() {
        eprintln!("  {line}");
    }
    let opts = ParseOptions {
        region: args.region.clone(),
        max_mail_bytes: args.max_mail_bytes,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for file in &args.files {
        let shown = file.display().to_string();
        let req = match std::fs::read(file) {
            Ok(raw) => rules.apply(&raw, &opts),
            Err(e) => {
                eprintln!("amo-intake parse: {shown}: cannot read: {e}");
                Request {
                    action: Action::Review,
                    ..Request::default()
                }
            }
        };
        let line = serde_json::to_string(&req.contract_json(&shown)).context("JSON output")?;
        writeln!(out, "{line}").context("writing to stdout")?;
    }
    out.flush().context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
