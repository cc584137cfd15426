//! amoCRM: the only module that knows amoCRM's JSON.
//!
//! - [`client`]: HTTP (reqwest, rustls), auth (long-lived token or OAuth
//!   with rotated refresh tokens kept in the journal), the one rate limiter
//!   of the daemon, retries with backoff, 204 = empty, `_links.next` paging.
//! - [`catalog`]: pipelines, statuses, users, fields, loss reasons by name.
//! - [`names`]: rule names → ids, with `path:line:col` diagnostics.
//! - [`payload`]: the JSON bodies built from a request.
//! - [`deliver`]: the exactly-once delivery of outbox rows.
//! - [`events`]: callback evidence read from the events API (SLA).
//! - [`failpoint`]: named crash points for crash-safety tests.
//! - [`events`]: callback evidence for the SLA watch (events, lead look-ups).

pub mod catalog;
pub mod client;
pub mod deliver;
pub mod events;
pub mod failpoint;
pub mod names;
pub mod payload;
pub mod ratelimit;

pub use catalog::Catalog;
pub use client::{AdminAlert, AdminAlertKind, Client, ClientOptions, CrmError};
pub use ratelimit::RateLimiter;
