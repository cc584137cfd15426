//! Every mail in ../shared/corpus parses, with the builtin rules, to exactly
//! the values in its .json (all keys of the json; `message` compared with
//! whitespace folded).

use std::path::PathBuf;

use amo_intake::rules::{ParseOptions, RuleSet};

#[path = "support/expect.rs"]
mod expect;

fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
}

#[test]
fn every_corpus_mail_matches_its_json() -> Result<(), Box<dyn std::error::Error>> {
    let dir = corpus_dir();
    let rules = RuleSet::builtin();
    let opts = ParseOptions::default();
    let mails = expect::mails_in(&dir);
    assert!(mails.len() >= 24, "corpus not found at {}", dir.display());
    let mut failures = Vec::new();
    for mail in &mails {
        let raw = std::fs::read(mail)?;
        let want = expect::expectation(mail)?;
        let got = rules
            .apply(&raw, &opts)
            .contract_json(&mail.display().to_string());
        for m in expect::mismatches(&want, &got) {
            failures.push(format!(
                "{}: {m}",
                mail.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}
