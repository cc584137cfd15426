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
