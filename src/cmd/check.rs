//! `amo-intake check`: validates the config and the rule files.
//!
//! Prints every problem as `path:line:col: message`, sorted, and exits 1 when
//! there is any; otherwise prints `ok: N rules …` and the active rules, each
//! with where it came from (shipped, or a file of the folder), and exits 0. `ExecReload=`
//! runs this before sending HUP, so a broken edit never reaches the daemon.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::rules::RuleSet;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file to validate (its [rules].dir is checked too).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Rules folder, layered over the shipped rules; default: the config's
    /// [rules].dir, else ./rules.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Use the folder's rules alone, without the shipped ones (as
    /// `[rules] shipped = false` in the config).
    #[arg(long)]
    pub no_shipped: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut diags = Diagnostics::default();
    let mut config_rules_dir = None;
    let mut shipped = !args.no_shipped;
    let mut loaded: Option<(Config, String)> = None;
    if let Some(path) = &args.config {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                // Every problem of the file; the entries in error are left
                // out of `c` so the checks below still run on the rest.
                let (c, d) = Config::parse_all(path, &text);
                diags.extend(d);
                if let Some(c) = c {
                    config_rules_dir = Some(c.rules.dir.clone());
                    shipped &= c.rules.shipped;
                    // The daemon's own start-up checks (mailboxes, metrics)
                    // and [sla]/[alerts]: the same messages `run` would give.
                    for problem in crate::daemon::check_config(&c) {
                        diags.push(Diagnostic::new(locate(path, &text, &problem), problem));
                    }
                    diags.extend(crate::sla::check_config(&c, path, Some(&text)));
                    diags.extend(c.check_files(path, &text));
                    loaded = Some((c, text));
                }
            }
            Err(e) => diags.push(Diagnostic::new(
                Loc::new(path, 1, 1),
                format!("cannot read the config file: {e}"),
            )),
        }
    }
    let dir = args
        .rules
        .clone()
        .or(config_rules_dir)
        .unwrap_or_else(|| PathBuf::from("rules"));
    let mut active = Vec::new();
    let mut site_cues = 0;
    let count = match RuleSet::load_layered(Some(&dir), shipped) {
        Ok(set) => {
            // Names in rules and config against the amoCRM account.
            // Only a config without problems: its names are what the
            // daemon would use.
            if let (Some((c, text)), Some(path)) = (&loaded, &args.config)
                && c.amocrm.is_some()
                && diags.is_empty()
            {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                match rt.block_on(crate::crm::names::check_against_account(
                    c, path, text, &set,
                )) {
                    Ok((d, catalog)) => {
                        diags.extend(d);
                        if let Some(catalog) = catalog {
                            diags
                                .extend(crate::sla::check_against_catalog(c, path, text, &catalog));
                        }
                    }
                    Err(e) => eprintln!("warning: amoCRM names not checked: {e}"),
                }
            }
            active = set.describe();
            site_cues = set.site_cue_count();
            set.rules().len()
        }
        Err(d) => {
            diags.extend(d);
            0
        }
    };
    if !diags.is_empty() {
        print!("{}", diags.sorted());
        return Ok(ExitCode::FAILURE);
    }
    let from = if shipped {
        "the shipped rules and"
    } else {
        "only"
    };
    println!("ok: {count} rules from {from} {}", dir.display());
    println!("active rules, in the order they are tried:");
    for line in active {
        println!("  {line}");
    }
    if site_cues > 0 {
        println!(
            "classification cues: {site_cues} patterns from {} (for every site, before the shipped lists)",
            dir.join(crate::rules::classify::FOLDER).display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Where a daemon start-up problem belongs: the `name = "…"` line of the
/// mailbox the message quotes, else the `[metrics]` table, else line 1.
fn locate(path: &std::path::Path, text: &str, problem: &str) -> Loc {
    let quoted: Vec<&str> = problem.split('"').skip(1).step_by(2).collect();
    for q in quoted {
        for pat in [format!("name = \"{q}\""), format!("name=\"{q}\"")] {
            if let Some(off) = text.find(&pat) {
                return Loc::from_offset(path, text, off);
            }
        }
    }
    if problem.contains("metrics")
        && let Some(off) = text.find("[metrics]")
    {
        return Loc::from_offset(path, text, off);
    }
    Loc::new(path, 1, 1)
}
