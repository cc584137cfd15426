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
        "because [match.any] html ~ /class=\"field-(name|value)\"/",
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

/// The admin's `cues/<family>.txt` in the rules folder add classification
/// cues for every site (shipped rules included): a supplier pitch the
/// shipped lists take for a question becomes trash, and `--explain` names
/// the file and line that decided.
#[test]
fn a_folder_cue_file_classifies_for_every_site_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cues")).unwrap();
    let mail = dir.path().join("mail.eml");
    std::fs::write(
        &mail,
        "From: WordPress <wordpress@okna.example>\r\nTo: sales@okna.example\r\n\
         Subject: =?UTF-8?B?0JfQsNGP0LLQutCwINGBINGB0LDQudGC0LA=?=\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Имя: Олег\r\nТелефон: +7 912 345-67-89\r\n\
         Сообщение: Предлагаем фурнитуру Фабрики Восход для ваших изделий\r\n",
    )
    .unwrap();
    let rules = dir.path().to_str().unwrap();
    let before = run(&[
        "parse",
        "--rules",
        rules,
        "--explain",
        mail.to_str().unwrap(),
    ])
    .1;
    assert!(before.contains("action: lead"), "{before}");

    std::fs::write(
        dir.path().join("cues/trash.txt"),
        "# our suppliers write through the site form\n\nфабрик\\w* восход\n",
    )
    .unwrap();
    let (ok, after) = run(&[
        "parse",
        "--rules",
        rules,
        "--explain",
        mail.to_str().unwrap(),
    ]);
    assert!(ok, "{after}");
    assert!(after.contains("action: trash"), "{after}");
    let at = format!("{}:3 /", dir.path().join("cues/trash.txt").display());
    assert!(
        after.contains(&at),
        "the deciding cue is not named as {at}: {after}"
    );
}

/// A cue file with a bad pattern or an unknown family is a `check` error
/// at its `path:line:col`, like a rule file.
#[test]
fn bad_folder_cue_files_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cues")).unwrap();
    std::fs::write(dir.path().join("cues/trash.txt"), "ok\n  (unclosed\n").unwrap();
    std::fs::write(dir.path().join("cues/spam.txt"), "x\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(["check", "--rules", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    let cues = dir.path().join("cues");
    for want in [
        format!(
            "{}:2:3: invalid regular expression",
            cues.join("trash.txt").display()
        ),
        format!(
            "{}:1:1: unknown cue file `spam.txt`",
            cues.join("spam.txt").display()
        ),
    ] {
        assert!(text.contains(&want), "missing {want:?} in:\n{text}");
    }

    std::fs::remove_file(dir.path().join("cues/spam.txt")).unwrap();
    std::fs::write(dir.path().join("cues/trash.txt"), "фабрик\\w* восход\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(["check", "--rules", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("classification cues: 1 patterns from"),
        "{text}"
    );
}
