//! What the package is built from: `--version` names the commit, and the
//! hidden `generate` subcommand prints the man page and shell completions
//! from the clap definition (scripts/build-deb packs them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let v = run(&["--version"]);
    let v = v.trim();
    let rest = v
        .strip_prefix(concat!("amo-intake ", env!("CARGO_PKG_VERSION"), " ("))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{v}"));
    // In a git checkout of this repository: its HEAD. Elsewhere (a copy, a
    // tarball): said plainly.
    let head = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|top| {
            std::fs::canonicalize(top).ok()
                == std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).ok()
        })
        .and_then(|_| {
            let o = Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .ok()?;
            Some(String::from_utf8_lossy(&o.stdout).trim().to_string())
        });
    match head {
        Some(h) => assert_eq!(rest, h, "{v}"),
        None => assert!(
            rest == "unknown commit"
                || (rest.len() == 12 && rest.chars().all(|c| c.is_ascii_hexdigit())),
            "{v}"
        ),
    }
}

#[test]
fn man_page_and_completions_come_from_the_cli() {
    let man = run(&["generate", "man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH amo-intake"),
        "{man}"
    );
    for sub in ["parse", "check", "run", "status"] {
        assert!(man.contains(sub), "man page lacks {sub}");
    }
    let bash = run(&["generate", "bash"]);
    assert!(bash.contains("complete -F _amo__intake"), "{bash}");
    assert!(bash.trim_end().ends_with("amo-intake\nfi"), "{bash}");
    assert!(
        bash.contains("parse") && bash.contains("--config"),
        "{bash}"
    );
    assert!(run(&["generate", "zsh"]).starts_with("#compdef amo-intake"));
    assert!(run(&["generate", "fish"]).contains("complete -c amo-intake"));
    // Hidden: not offered to users.
    let help = run(&["--help"]);
    assert!(
        !help.contains("generate") && !help.contains("parse-worker"),
        "{help}"
    );
}
