//! Property tests: arbitrary bytes through `RuleSet::builtin().apply` and
//! arbitrary rule text through the loader never panic; the fuzz target's
//! corpus (fuzz/corpus/parse_rules/) is replayed the same way.

use std::path::PathBuf;
use std::sync::LazyLock;

use amo_intake::request::Action;
use amo_intake::rules::{ParseOptions, RuleSet, load_texts};
use proptest::prelude::*;

static RULES: LazyLock<RuleSet> = LazyLock::new(RuleSet::builtin);

fn run_both(data: &[u8]) {
    let req = RULES.apply(data, &ParseOptions::default());
    // Whatever happened, the request is one of the four actions and prints.
    let json = req.contract_json("x.eml");
    assert!(json.get("action").is_some());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = load_texts(&[(PathBuf::from("p.toml"), text.to_string())]);
    }
}

/// Mail-shaped inputs: a header block, then lines built from form pieces.
fn mailish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just("Имя: ".to_string()),
        Just("Телефон: 8 (912) 345-67-89".to_string()),
        Just("*******************************".to_string()),
        Just("--- Сообщение ---".to_string()),
        Just("Вопрос: ".to_string()),
        Just("Ответ: ".to_string()),
        Just("https://x.example/?utm_source=a".to_string()),
        Just("source=a|medium=b".to_string()),
        Just("→".to_string()),
        Just("".to_string()),
        "\\PC{0,40}",
    ];
    (
        proptest::collection::vec(piece, 0..40),
        prop_oneof![Just("text/plain"), Just("text/html")],
    )
        .prop_map(|(lines, ct)| {
            format!(
                "From: x@forms.yandex.ru\r\nSubject: s\r\nContent-Type: {ct}; charset=utf-8\r\n\r\n{}",
                lines.join("\r\n")
            )
            .into_bytes()
        })
}

/// Rule-shaped inputs: keys from the schema with random values.
fn ruleish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("name = \"r\"".to_string()),
        Just("[match]".to_string()),
        Just("[match.any]".to_string()),
        Just("[fields]".to_string()),
        Just("[[extract]]".to_string()),
        Just("[classify]".to_string()),
        Just("[crm]".to_string()),
        Just("[crm.lead_fields]".to_string()),
        "[a-z_]{1,10} = \"\\PC{0,20}\"",
        "[a-z_]{1,10} = '[(){}\\[\\]a-z\\\\*+?|]{0,20}'",
        "[a-z_]{1,10} = [0-9]{1,5}",
        "\\PC{0,30}",
    ];
    proptest::collection::vec(line, 0..20).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_both(&data);
    }

    #[test]
    fn mail_shaped_input_never_panics(data in mailish()) {
        run_both(&data);
    }

    #[test]
    fn arbitrary_rule_text_never_panics(text in ruleish()) {
        let _ = load_texts(&[(PathBuf::from("p.toml"), text)]);
    }

    #[test]
    fn arbitrary_strings_as_rules_never_panic(text in "\\PC{0,300}") {
        let _ = load_texts(&[(PathBuf::from("p.toml"), text)]);
    }
}

#[test]
fn fuzz_corpus_replays() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/corpus/parse_rules"
    ));
    let mut n = 0;
    for e in std::fs::read_dir(&dir)? {
        let data = std::fs::read(e?.path())?;
        run_both(&data);
        n += 1;
    }
    assert!(n >= 5, "fuzz corpus at {} has {n} files", dir.display());
    Ok(())
}

#[test]
fn empty_mail_is_review() {
    assert_eq!(
        RULES.apply(b"", &ParseOptions::default()).action,
        Action::Review
    );
}
