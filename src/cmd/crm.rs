//! `amo-intake crm`. (skeleton: not implemented yet)

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`amo-intake crm` is not implemented yet")
}
