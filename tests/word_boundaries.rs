//! No pattern the reader compiles holds a Unicode word boundary: the lazy
//! DFA cannot run one on Cyrillic text and the search falls back to a much
//! slower engine (see `re::compile`). Reads every mail of the corpus with
//! the shipped rules, so every lazily built pattern is compiled, then asks.

use amo_intake::rules::{ParseOptions, RuleSet};

#[test]
fn the_readers_patterns_hold_no_unicode_word_boundary() {
    assert!(amo_intake::re::unicode_word_boundary(r"(?i)звонок\b"));
    assert!(!amo_intake::re::unicode_word_boundary(
        r"(?i)звонок(?:$|[^а-я])"
    ));
    assert!(!amo_intake::re::unicode_word_boundary(r"(?-u:\b)x"));
    let rules = RuleSet::builtin();
    let opts = ParseOptions::default();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut read = 0;
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "eml")
                && let Ok(raw) = std::fs::read(&p)
            {
                rules.apply(&raw, &opts);
                read += 1;
            }
        }
    }
    assert!(read > 1000, "{read} mails read");
    let slow = amo_intake::re::slow_boundaries();
    assert!(
        slow.is_empty(),
        "patterns with a Unicode word boundary (write `(?:$|[^\\w])` or narrow them):\n{}",
        slow.join("\n")
    );
}
