//! One module per CLI subcommand. These are the edge of the program: they
//! may use `anyhow`, print to stdout, and choose exit codes. `main.rs` only
//! parses argv and calls them.

pub mod auth;
pub mod check;
pub mod crm;
pub mod demo;
pub mod parse;
pub mod report;
pub mod requeue;
pub mod run;
pub mod status;
pub mod worker;

/// Exit code for bad configuration at start (sysexits EX_CONFIG); the unit
/// has `RestartPreventExitStatus=78` so systemd does not loop on it.
pub const EX_CONFIG: u8 = 78;
