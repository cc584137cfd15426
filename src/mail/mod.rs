//! Where mails come from and how raw bytes become a [`letter::Letter`].
//!
//! - [`letter`]: raw RFC 5322 bytes to headers and a form text (never panics).
//! - [`html`]: our HTML-to-text step that keeps table structure.
//! - [`imap`]: the IDLE watcher that feeds the journal.

pub mod html;
pub mod imap;
pub mod letter;
pub mod tls;
