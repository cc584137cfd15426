//! cargo-fuzz target: see ../checks.rs (`checks::rules_load`), which
//! tests/fuzz_corpus.rs also runs over the committed corpus.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: checks::let_caught_toml_panics_unwind(), |data: &[u8]| {
    checks::rules_load(data)
});
