//! Helpers shared by the integration tests. Included with `mod support;`
//! from tests/*.rs; helpers a given test crate does not use must not warn.
#![allow(dead_code, unused_imports)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod fake_channels;
