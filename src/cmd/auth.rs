//! `amo-intake auth --config F --code CODE`: exchanges an OAuth
//! authorisation code for the token pair and commits it to the state file
//! (the daemon refreshes it from there). Tokens are never printed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::crm::client::{client_from_config, limiter_from};
use crate::journal::Journal;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file with [amocrm] client_id, client_secret_file, redirect_uri.
    #[arg(long)]
    pub config: PathBuf,
    /// The authorisation code from the redirect (valid about 20 minutes).
    #[arg(long)]
    pub code: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return Ok(ExitCode::from(super::EX_CONFIG));
        }
    };
    let Some(amo) = &config.amocrm else {
        anyhow::bail!("{}: no [amocrm] section", args.config.display());
    };
    if amo.client_id.is_none() {
        anyhow::bail!(
            "{}: [amocrm] has no client_id: `auth` is for OAuth integrations (set client_id, client_secret_file, redirect_uri); a long-lived token needs no exchange",
            args.config.display()
        );
    }
    let journal = Arc::new(Journal::open(&config.state.path).context("opening the state file")?);
    let client = client_from_config(&config, journal, limiter_from(&config), false)?
        .context("no amoCRM client configured")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let t = rt.block_on(client.exchange_code(args.code.trim()))?;
    let exp = jiff::Timestamp::from_second(t.expires_at)
        .map(|x| x.to_string())
        .unwrap_or_default();
    println!(
        "amoCRM tokens stored in {} (access token valid until {exp}; refreshed automatically)",
        config.state.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
