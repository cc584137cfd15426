//! Letter parsing over own fixtures (tests/fixtures/letter) and the shared corpus.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use amo_intake::mail::letter::Letter;

const CAP: usize = 25 * 1024 * 1024;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

#[test]
fn corpus_mails_parse_with_text_and_clean_subject() {
    let dir = corpus_dir();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("corpus dir") {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("eml") {
            continue;
        }
        n += 1;
        let raw = std::fs::read(&p).unwrap();
        let l = Letter::parse(&raw, CAP);
        let name = p.display();
        if std::env::var("SHOW").is_ok() {
            eprintln!(
                "==== {name}\nsubject={:?} from={:?} problems={:?}\n{}",
                l.subject, l.from, l.problems, l.text
            );
        }
        let subj = l.subject.clone().unwrap_or_default();
        assert!(!subj.contains('\u{FFFD}'), "{name}: subject {subj:?}");
        assert!(!l.text.contains('\u{FFFD}'), "{name}: text has U+FFFD");
        if !name.to_string().contains("yandex-forms-empty") {
            assert!(!l.text.trim().is_empty(), "{name}: empty text");
        }
        assert!(l.from.is_some(), "{name}: no from");
        assert!(l.outer.is_none(), "{name}: not a forward, yet unwrapped");
        assert!(
            !l.too_large && l.problems.is_empty(),
            "{name}: {:?}",
            l.problems
        );
    }
    assert!(n >= 24, "corpus has {n} mails");
}

#[test]
fn show_fixtures() {
    if std::env::var("SHOW").is_err() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/letter");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        if p.extension().and_then(|x| x.to_str()) != Some("eml") {
            continue;
        }
        let l = Letter::parse(&std::fs::read(&p).unwrap(), CAP);
        eprintln!(
            "==== {}\nfrom={:?} subject={:?} date={:?} to={:?} reply_to={:?}\nouter={:?}\nproblems={:?}\n{}",
            p.display(),
            l.from,
            l.subject,
            l.date,
            l.to,
            l.reply_to,
            l.outer,
            l.problems,
            l.text
        );
    }
}
