//! Every mail of the reference corpus beside the checkout (`../shared/corpus`,
//! skipped with a notice when absent; see tests/support/shared.rs) parses,
//! with the builtin rules, to exactly the values in its .json (all keys of the
//! json; `message` compared with whitespace folded).

#[path = "support/shared.rs"]
mod shared;

use amo_intake::rules::{ParseOptions, RuleSet};

#[path = "support/expect.rs"]
mod expect;

#[test]
fn every_corpus_mail_matches_its_json() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dir) = shared::shared_dir("corpus", "every_corpus_mail_matches_its_json") else {
        return Ok(());
    };
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
