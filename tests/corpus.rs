//! Every mail of the reference corpus beside the checkout (`../shared/corpus`,
//! skipped with a notice when absent; see tests/support/shared.rs) parses,
//! with the builtin rules, to exactly the values in its .json (all keys of the
//! json; `message` compared with whitespace folded).

use std::path::PathBuf;

#[path = "support/shared.rs"]
mod shared;

use amo_intake::rules::{ParseOptions, RuleSet};
use serde_json::Value;

fn fold(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        other => other.clone(),
    }
}

#[test]
fn every_corpus_mail_matches_its_json() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dir) = shared::shared_dir("corpus", "every_corpus_mail_matches_its_json") else {
        return Ok(());
    };
    let rules = RuleSet::builtin();
    let opts = ParseOptions::default();
    let mut mails: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    mails.sort();
    assert!(mails.len() >= 24, "corpus not found at {}", dir.display());
    let mut failures = Vec::new();
    for mail in &mails {
        let raw = std::fs::read(mail)?;
        let expected: Value = serde_json::from_slice(&std::fs::read(mail.with_extension("json"))?)?;
        let got = rules
            .apply(&raw, &opts)
            .contract_json(&mail.display().to_string());
        let Value::Object(exp) = expected else {
            return Err(format!("{}: json is not an object", mail.display()).into());
        };
        for (k, want) in &exp {
            let have = got.get(k).cloned().unwrap_or(Value::Null);
            let (want, have) = if k == "message" {
                (fold(want), fold(&have))
            } else {
                (want.clone(), have)
            };
            if want != have {
                failures.push(format!(
                    "{}: {k}: expected {want}, got {have}",
                    mail.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                ));
            }
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
