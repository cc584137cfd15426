//! Replays the committed cargo-fuzz corpora (fuzz/corpus/<target>/) through
//! the same checks the fuzz targets run (fuzz/checks.rs), on stable Rust,
//! in every test run. Inputs that once crashed a target are added to its
//! corpus and so stay fixed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::PathBuf;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let data = std::fs::read(&p).unwrap();
        let r = std::panic::catch_unwind(|| check(&data));
        assert!(r.is_ok(), "{target}: {} fails", p.display());
        n += 1;
    }
    assert!(n >= 4, "corpus {} has only {n} inputs", dir.display());
    println!("{target}: {n} inputs replayed");
}

#[test]
fn letter_corpus_replays() {
    replay("letter", checks::letter);
}

#[test]
fn rules_load_corpus_replays() {
    replay("rules_load", checks::rules_load);
}

#[test]
fn extract_corpus_replays() {
    replay("extract", checks::extract);
}
