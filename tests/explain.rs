//! `amo-intake parse --explain FILE` through the real binary: what a rule
//! author needs to see (plain `parse` and its JSON Lines keys are checked
//! in cli_parse.rs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn fixture(p: &str) -> String {
    format!("{}/tests/fixtures/rules/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn explain_shows_rule_text_pairs_cue_and_what_amocrm_gets() {
    let file = fixture("wpforms/compact-callback.eml");
    let (ok, text) = run(&["parse", "--explain", &file]);
    assert!(ok);
    for want in [
        // which rule and why
        "wpforms (priority 60",
        "because [match.any] subject ~ /",
        // the text the extractors saw, and where it came from
        "from the HTML part",
        "  | Имя: Наталья",
        // every pair with its layout and meaning
        "[Имя] = \"Наталья\"",
        "`Label: value` line; dictionary label «имя» → name",
        "[Удобное время для звонка] = \"после 12:00\"",
        "unknown label: kept in fields and in the note",
        // a rule regex
        "form = \"Заказать звонок\"  from [[extract]] /",
        // the cue that decided the kind
        "action: lead   kind: callback",
        "decided by: rules/cues/callback.txt /",
        // what amoCRM would get
        "lead name: Обратный звонок: Наталья",
        "tags:      сайт, wordpress",
        "note:",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

#[test]
fn explain_gives_the_review_reason_and_the_review_tag() {
    let file = fixture("generic/no-contact-review.eml");
    let (ok, text) = run(&["parse", "--explain", &file]);
    assert!(ok);
    assert!(text.contains("action: review"), "{text}");
    assert!(text.contains("reason: "), "{text}");
    assert!(text.contains("проверить"), "{text}");
    assert!(
        text.contains("because no [match] conditions: takes every mail"),
        "{text}"
    );
}
