//! Mails rendered from real notification templates of public form code
//! (tests/fixtures/templates/, written by its `make.py`; MANIFEST.tsv names
//! each template's repository, path, commit and licence). Each .eml is read
//! with the builtin rules and compared with its .json, written by a person:
//! every key of the json must be equal (`message` with whitespace folded).
//!
//! `KNOWN_GAPS` lists the files today's reader still gets wrong. The test
//! prints their differences, fails when an unlisted file differs, and fails
//! when a listed file starts to read right (take it off the list: the list
//! only shrinks). It also prints the corpus-wide accuracy line
//! `RESULT templates mails=… fields_exact=…% phones=…% kinds=…% actions=…%`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use amo_intake::rules::{ParseOptions, RuleSet};

#[path = "support/percent.rs"]
mod percent;
use percent::pct;

#[path = "support/expect.rs"]
mod expect;

fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/templates"
    ))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn mails() -> Vec<PathBuf> {
    expect::mails_in(&dir())
}

/// One mail read and compared: the differing keys with both values.
struct Outcome {
    file: String,
    diffs: Vec<String>,
    keys: usize,
    keys_equal: usize,
    phones_equal: bool,
    kind_equal: bool,
    action_equal: bool,
}

fn read_one(
    rules: &RuleSet,
    opts: &ParseOptions,
    mail: &Path,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let raw = std::fs::read(mail)?;
    let want = expect::expectation(mail)?;
    let got = rules
        .apply(&raw, opts)
        .contract_json(&mail.display().to_string());
    let diffs = expect::mismatches(&want, &got);
    let differs = |key: &str| diffs.iter().any(|m| m.key == key);
    let out = Outcome {
        file: file_name(mail),
        keys: want.len(),
        keys_equal: want.len() - diffs.len(),
        phones_equal: !differs("phones"),
        kind_equal: !differs("kind"),
        action_equal: !differs("action"),
        diffs: diffs.iter().map(ToString::to_string).collect(),
    };
    Ok(out)
}

fn known_gaps() -> Result<BTreeSet<String>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(dir().join("KNOWN_GAPS"))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

#[test]
fn template_mails_read_as_a_person_reads_them() -> Result<(), Box<dyn std::error::Error>> {
    let rules = RuleSet::builtin();
    let opts = ParseOptions::default();
    let mails = mails();
    let gaps = known_gaps()?;
    let names: BTreeSet<String> = mails.iter().map(|m| file_name(m)).collect();
    for g in &gaps {
        assert!(
            names.contains(g),
            "KNOWN_GAPS names {g}, which is not a mail here"
        );
    }

    let mut unexpected = Vec::new();
    let mut healed = Vec::new();
    let (mut keys, mut keys_eq, mut phones_eq, mut kinds_eq, mut actions_eq) = (0, 0, 0, 0, 0);
    for mail in &mails {
        let o = read_one(&rules, &opts, mail)?;
        keys += o.keys;
        keys_eq += o.keys_equal;
        phones_eq += usize::from(o.phones_equal);
        kinds_eq += usize::from(o.kind_equal);
        actions_eq += usize::from(o.action_equal);
        let listed = gaps.contains(&o.file);
        if o.diffs.is_empty() {
            if listed {
                healed.push(o.file);
            }
            continue;
        }
        let report = format!("{}:\n    {}", o.file, o.diffs.join("\n    "));
        if listed {
            println!("known gap {report}");
        } else {
            unexpected.push(report);
        }
    }
    let n = mails.len();
    println!(
        "RESULT templates mails={n} fields_exact={:.1}% phones={:.1}% kinds={:.1}% actions={:.1}%",
        pct(keys_eq, keys),
        pct(phones_eq, n),
        pct(kinds_eq, n),
        pct(actions_eq, n)
    );
    let mut problems = Vec::new();
    if !unexpected.is_empty() {
        problems.push(format!(
            "{} mails read wrong and not in KNOWN_GAPS:\n{}",
            unexpected.len(),
            unexpected.join("\n")
        ));
    }
    if !healed.is_empty() {
        problems.push(format!(
            "these mails now read right; take them off tests/fixtures/templates/KNOWN_GAPS: {}",
            healed.join(", ")
        ));
    }
    if n < 40 {
        problems.push(format!(
            "{n} template mails at {}, want at least 40",
            dir().display()
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    Ok(())
}

#[test]
fn every_template_mail_has_its_json_and_a_manifest_row() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = std::fs::read_to_string(dir().join("MANIFEST.tsv"))?;
    let mut templates = BTreeSet::new();
    let mut listed = BTreeSet::new();
    for (i, line) in manifest.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 6 && cols[2].contains('/') && cols[4].len() == 40,
            "MANIFEST.tsv line {}: want file, template, owner/repo, path, 40-hex commit, licence",
            i + 1
        );
        listed.insert(cols[0].to_string());
        templates.insert(cols[1].to_string());
    }
    for mail in mails() {
        assert!(
            mail.with_extension("json").is_file(),
            "{} has no .json",
            mail.display()
        );
        assert!(
            listed.contains(&file_name(&mail)),
            "{} is not in MANIFEST.tsv",
            mail.display()
        );
    }
    assert!(
        templates.len() >= 30,
        "{} distinct templates, want at least 30",
        templates.len()
    );
    Ok(())
}
