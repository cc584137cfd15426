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

/// jemalloc, the allocator rustc itself ships on Linux. Why: a mail is read
/// through a few hundred short-lived strings, and glibc's malloc spends ~14 %
/// of the reader's instructions on them (its per-thread cache overflows, then
/// frees coalesce); with jemalloc the parse bench reads ~7 % more mails a
/// second. Linked from the library so the daemon, the CLI, the tests and the
/// bench all run on the allocator that ships.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read once when it starts (the symbol jemalloc looks
/// up). Pages a freed run leaves empty go back to the kernel within about
/// a second, by jemalloc's background thread: by default jemalloc keeps
/// them 10 s, which puts a `parse` run past the 30 MB bound, and returning
/// them at once (`dirty_decay_ms:0`) cost ~5 % of the parse speed in
/// page faults and `madvise` calls. The thread also purges while the
/// daemon sits idle, when no allocation would. `_RJEM_MALLOC_CONF` in the
/// environment still overrides. The crate's only exported symbol; jemalloc
/// reads it as a C string.
#[allow(unsafe_code)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 60] =
    b"dirty_decay_ms:1000,muzzy_decay_ms:0,background_thread:true\0";

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
pub mod scan;
pub mod sla;
pub mod template;
pub mod worker;
