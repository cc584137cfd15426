//! amo-intake turns website-form notification mails into amoCRM leads and
//! makes the sales team's 10-minute callback rule visible.
//!
//! Data flow and the module that owns each stage:
//!
//! - [`mail`]: IMAP IDLE watcher ([`mail::imap`]) and the raw-bytes to
//!   [`mail::letter::Letter`] step (mail-parser plus our own HTML-to-text).
//! - [`journal`]: the SQLite file; every step is committed here before the
//!   next outside call, so a crash resumes without loss or duplication.
//! - [`rules`]: admin-written `rules/*.toml`: match, extract, classify.
//! - [`request`]: the structured [`request::Request`] and normalisation
//!   (phones to E.164, emails, UTM).
//! - [`crm`]: the only module that knows amoCRM's JSON; rate-limited,
//!   idempotent delivery.
//! - [`sla`]: business-hours deadlines and callback evidence.
//! - [`alert`]: Telegram, email, webhook and amoCRM-task channels.
//! - [`pipeline`]: journalled mail → parse → outbox → delivery.
//! - [`worker`]: the parse child process the daemon parses in (small idle
//!   daemon; a parser crash costs one mail, not the daemon).
//! - [`memory`]: hands the heap a burst used back to the system.
//! - [`daemon`]: task wiring, shutdown, reload, sd_notify.
//! - [`template`]: the one `{placeholder}` engine and table for every
//!   text made from a request or an SLA row (lead names, tags, alerts).
//! - [`cmd`]: one function per CLI subcommand; `main.rs` only parses argv.

pub mod alert;
pub mod cmd;
pub mod config;
pub mod crm;
pub mod daemon;
pub mod diag;
pub mod journal;
pub mod mail;
pub mod memory;
pub mod metrics;
pub mod pipeline;
pub mod re;
pub mod request;
pub mod rules;
pub mod sla;
pub mod template;
pub mod worker;
