//! The `amo-intake` command line: parses argv and calls `amo_intake::cmd`.

use std::process::ExitCode;

use amo_intake::cmd;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "amo-intake",
    // `0.1.0 (commit)`: see build.rs.
    version = env!("AMO_INTAKE_VERSION"),
    about = "Website-form mails to amoCRM leads, with the 10-minute callback rule"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read .eml files and print one JSON object per file (JSON Lines).
    Parse(cmd::parse::Args),
    /// Validate the config and rule files; every problem as path:line:col.
    Check(cmd::check::Args),
    /// Run the daemon (systemd Type=notify).
    Run(cmd::run::Args),
    /// Run the whole pipeline on bundled sample mails, no outside service.
    Demo(cmd::demo::Args),
    /// List requests waiting for a callback, with deadlines and alerts.
    Status(cmd::status::Args),
    /// Send a quarantined mail or request (an id `status` lists) back.
    Requeue(cmd::requeue::Args),
    /// Response-time report: counts, median, p90, breaches per manager.
    Report(cmd::report::Args),
    /// Show what exists in amoCRM (pipelines, users, fields) to copy names.
    Crm(cmd::crm::Args),
    /// Exchange an OAuth authorisation code for tokens.
    Auth(cmd::auth::Args),
    /// The daemon's parse process, spoken to over stdin/stdout.
    #[command(hide = true)]
    ParseWorker,
    /// Print a man page or shell completions generated from this CLI
    /// (used to build the Debian package).
    #[command(hide = true)]
    Generate {
        #[arg(value_enum)]
        what: Generate,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Generate {
    /// amo-intake(1) in roff.
    Man,
    Bash,
    Zsh,
    Fish,
}

/// Writes the man page or a completion script for `what` to stdout.
fn generate(what: Generate) -> anyhow::Result<ExitCode> {
    let mut cli = Cli::command();
    let mut out = std::io::stdout().lock();
    let shell = match what {
        Generate::Man => {
            clap_mangen::Man::new(cli).render(&mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        Generate::Bash => clap_complete::Shell::Bash,
        Generate::Zsh => clap_complete::Shell::Zsh,
        Generate::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut cli, "amo-intake", &mut out);
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(a) => cmd::parse::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Run(a) => cmd::run::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Status(a) => cmd::status::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Requeue(a) => cmd::requeue::run(a),
        Command::Crm(a) => cmd::crm::run(a),
        Command::Auth(a) => cmd::auth::run(a),
        Command::ParseWorker => cmd::worker::run(),
        Command::Generate { what } => generate(what),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("amo-intake: {e:#}");
            ExitCode::FAILURE
        }
    }
}
