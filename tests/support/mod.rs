//! Helpers shared by the integration tests and benchmarks. Included with
//! `mod support;` from tests/*.rs and with
//! `#[path = "../tests/support/mod.rs"] mod support;` from benches/*.rs, so
//! nothing here may use `crate::` paths, and helpers a given test crate does
//! not use must not warn.
#![allow(dead_code, unused_imports)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod daemon;
pub mod dovecot;
pub mod fake_amocrm;
pub mod fake_channels;

pub use fake_amocrm::{FakeAmo, FakeOptions, Fault, FaultKind};
pub mod hostile;

/// Writes a secret file (token, password) the way an admin must: mode 0600
/// (the daemon refuses secrets readable by group or others).
pub fn write_secret(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write secret");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
}
