//! cargo-fuzz target: see ../checks.rs (`checks::letter`), which
//! tests/fuzz_corpus.rs also runs over the committed corpus.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::letter(data));
