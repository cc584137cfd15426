//! The fuzz targets' bodies, shared with `tests/fuzz_corpus.rs`, which
//! replays the committed corpora (fuzz/corpus/<target>/) on stable Rust in
//! every test run. Each check must not panic, whatever the bytes, and
//! asserts the invariants the daemon relies on.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::LazyLock;

use amo_intake::mail::letter::Letter;
use amo_intake::request::{self, Request};
use amo_intake::rules::{ParseOptions, RuleSet, load_texts};

static RULES: LazyLock<RuleSet> = LazyLock::new(RuleSet::builtin);

const SAMPLE: &[u8] = b"From: Tilda <robot@tilda.ws>\r\nSubject: New lead\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nName: Anna\r\nPhone: +7 912 345-67-89\r\nEmail: anna@example.com\r\n";

/// Letter parsing: any bytes as a whole mail.
pub fn letter(data: &[u8]) {
    let l = Letter::parse(data, 1 << 20);
    assert_eq!(l.size, data.len());
    if l.too_large {
        assert!(l.text.is_empty());
    }
    // The text extraction reads is one of the bodies (or empty).
    assert!(
        l.text.is_empty()
            || Some(&l.text) == l.plain.as_ref()
            || Some(&l.text) == l.html_text.as_ref(),
        "text is neither the plain nor the HTML body"
    );
}

/// Rule loading: any text as a rule file; a set that loads must apply.
/// For the fuzz targets' `init`: cargo-fuzz's panic hook aborts on every
/// panic, also on one the code catches. toml_edit's parser panics on some
/// malformed texts and amo_intake catches that (`diag::parse_toml`, an
/// error about the file), so a panic raised inside toml_edit is let
/// through to that catch; any other panic still aborts (a finding).
pub fn let_caught_toml_panics_unwind() {
    let fuzzer_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_toml_edit = info
            .location()
            .is_some_and(|l| l.file().contains("/toml_edit-"));
        if !in_toml_edit {
            fuzzer_hook(info);
        }
    }));
}

pub fn rules_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(set) = load_texts(&[(PathBuf::from("fuzz.toml"), text.to_string())]) {
        let mut req = set.apply(SAMPLE, &ParseOptions::default());
        req.bound();
        bounded(&req);
    }
}

/// Extraction: any bytes as the body of a form mail, through the builtin
/// rules and the normalisers.
pub fn extract(data: &[u8]) {
    let mut raw = SAMPLE[..SAMPLE.iter().position(|b| *b == b'N').unwrap_or(0)].to_vec();
    raw.extend_from_slice(data);
    let mut req = RULES.apply(&raw, &ParseOptions::default());
    req.bound();
    bounded(&req);
    let text = String::from_utf8_lossy(data);
    for p in request::parse_phones(&text, "RU").e164 {
        assert!(
            p.starts_with('+') && p[1..].bytes().all(|b| b.is_ascii_digit()),
            "{p}"
        );
    }
    for e in request::find_emails(&text) {
        assert!(e.contains('@'), "{e}");
    }
    let _ = request::find_phones(&text, "RU");
    let _ = request::clean_value(&text);
}

/// What [`Request::bound`] promises.
fn bounded(r: &Request) {
    for v in [
        &r.name,
        &r.phone,
        &r.email,
        &r.page,
        &r.meta.subject,
        &r.meta.sender,
    ]
    .into_iter()
    .flatten()
    {
        assert!(v.len() <= request::MAX_LINE_BYTES, "{} bytes", v.len());
        assert!(!v.chars().any(char::is_control), "{v:?}");
    }
    if let Some(m) = &r.message {
        assert!(m.len() <= request::MAX_VALUE_BYTES);
    }
    assert!(r.fields.len() <= request::MAX_FIELDS + 1);
    assert!(r.phones.len() <= request::MAX_LIST);
    let json = r.contract_json("fuzz.eml");
    assert!(json.get("action").is_some());
}
