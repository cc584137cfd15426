//! Arbitrary bytes through the builtin rules, and the same bytes as a rule
//! file through the loader: neither may panic or hang.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use amo_intake::rules::{ParseOptions, RuleSet, load_texts};
use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

static RULES: LazyLock<RuleSet> = LazyLock::new(RuleSet::builtin);

fuzz_target!(init: checks::let_caught_toml_panics_unwind(), |data: &[u8]| {
    let _ = RULES.apply(data, &ParseOptions::default());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = load_texts(&[(PathBuf::from("fuzz.toml"), text.to_string())]);
    }
});
