//! `amo-intake requeue ID`: sends a quarantined mail or request back once
//! the admin fixed the cause (a rule, a name in amoCRM, a field value). The
//! running daemon picks it up on its next round (at the latest within a
//! minute); nothing is sent from here.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::journal::quarantine::{ItemRef, Requeued};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (for the state file path).
    #[arg(long, default_value = "/etc/amo-intake/config.toml")]
    pub config: PathBuf,
    /// What `amo-intake status` lists: `mail-12`, `request-7`, or a request
    /// key `ai-…`.
    pub id: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(item) = ItemRef::parse(&args.id) else {
        eprintln!(
            "{:?} is not a quarantine id; use one `amo-intake status` lists (mail-12, request-7 or ai-…)",
            args.id
        );
        return Ok(ExitCode::from(2));
    };
    let (_cfg, journal, _tz) = super::status::open_state(&args.config)?;
    match journal.requeue_item(&item)? {
        Some(Requeued::Mail(id)) => {
            println!("mail-{id} requeued: it is parsed again with the current rules");
        }
        Some(Requeued::Request(id)) => {
            println!(
                "request-{id} requeued: it is delivered again (looked up in amoCRM first if it was sent before)"
            );
        }
        None => {
            eprintln!(
                "{}: nothing quarantined under this id (see `amo-intake status`)",
                args.id
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
