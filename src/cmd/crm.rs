//! `amo-intake crm --config F pipelines|users|fields|loss-reasons`: prints
//! what exists in the amoCRM account, so admins copy exact names into rules.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::crm::catalog::Catalog;
use crate::crm::client::{client_from_config, limiter_from};
use crate::journal::Journal;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum What {
    Pipelines,
    Users,
    Fields,
    LossReasons,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file with the [amocrm] section.
    #[arg(long)]
    pub config: PathBuf,
    /// What to list.
    #[arg(value_enum)]
    pub what: What,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return Ok(ExitCode::from(super::EX_CONFIG));
        }
    };
    if config.amocrm.is_none() {
        anyhow::bail!(
            "{}: no [amocrm] section; add subdomain (or base_url) and token_file",
            args.config.display()
        );
    }
    let journal = Arc::new(
        Journal::open(&config.state.path)
            .with_context(|| "opening the state file (OAuth tokens)")?,
    );
    let client = client_from_config(&config, journal, limiter_from(&config), false)?
        .context("no amoCRM client configured")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let catalog = rt.block_on(Catalog::load(&client))?;
    if args.json {
        let v = match args.what {
            What::Pipelines => serde_json::to_value(&catalog.pipelines)?,
            What::Users => serde_json::to_value(&catalog.users)?,
            What::Fields => {
                serde_json::json!({"leads": catalog.lead_fields, "contacts": catalog.contact_fields})
            }
            What::LossReasons => serde_json::to_value(&catalog.loss_reasons)?,
        };
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", render(&catalog, args.what));
    Ok(ExitCode::SUCCESS)
}

/// The table for one listing (names quoted exactly as rules must write them).
pub fn render(c: &Catalog, what: What) -> String {
    let mut out = String::new();
    match what {
        What::Pipelines => {
            for p in &c.pipelines {
                let main = if p.is_main { "  (main)" } else { "" };
                out.push_str(&format!("pipeline {:>10}  «{}»{main}\n", p.id, p.name));
                for s in &p.statuses {
                    let note = match (s.kind, s.id) {
                        (1, _) => "  (Unsorted: the default for new leads)",
                        (_, 142) => "  (won)",
                        (_, 143) => "  (lost: trash goes here)",
                        _ => "",
                    };
                    out.push_str(&format!("  status {:>10}  «{}»{note}\n", s.id, s.name));
                }
            }
        }
        What::Users => {
            for u in &c.users {
                out.push_str(&format!("user {:>10}  «{}»\n", u.id, u.name));
            }
        }
        What::Fields => {
            for (entity, fields) in [("lead", &c.lead_fields), ("contact", &c.contact_fields)] {
                for f in fields.iter() {
                    let code = f
                        .code
                        .as_deref()
                        .map(|c| format!(" code {c}"))
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "{entity} field {:>10}  «{}»  {}{code}\n",
                        f.id, f.name, f.kind
                    ));
                    for e in &f.enums {
                        out.push_str(&format!("    value {:>10}  «{}»\n", e.id, e.name));
                    }
                }
            }
        }
        What::LossReasons => {
            for r in &c.loss_reasons {
                out.push_str(&format!("loss reason {:>10}  «{}»\n", r.id, r.name));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelines_table_marks_special_stages() {
        let t = render(&Catalog::builtin(), What::Pipelines);
        assert!(t.contains("«Воронка»  (main)"), "{t}");
        assert!(t.contains("«Неразобранное»  (Unsorted"), "{t}");
        assert!(t.contains("143  «Закрыто и не реализовано»  (lost"), "{t}");
    }
}
