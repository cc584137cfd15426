//! `amo-intake parse` through the real binary: JSON Lines with exactly the
//! the contract keys (docs/rules.md), input order, exit 0 even for an
//! unreadable file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use serde_json::Value;

const KEYS: &[&str] = &[
    "file",
    "rule",
    "action",
    "kind",
    "name",
    "phone",
    "phones",
    "email",
    "product",
    "address",
    "visit_time",
    "scope",
    "referral",
    "message",
    "page",
    "utm",
    "form",
    "fields",
];

#[path = "support/shared.rs"]
mod shared;

/// A vendored sample mail (tests/fixtures/mail), so these run in a fresh clone.
fn corpus(name: &str) -> String {
    shared::fixture_mail(name).display().to_string()
}

#[test]
fn json_lines_in_input_order_with_exact_keys() {
    let files = [
        corpus("tilda-okna-zamer.eml"),
        "/nonexistent/missing.eml".to_string(),
        corpus("cf7-okna-zamer.eml"),
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .arg("parse")
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for (line, file) in lines.iter().zip(&files) {
        let obj = line.as_object().unwrap();
        assert_eq!(obj.keys().map(String::as_str).collect::<Vec<_>>(), KEYS);
        assert_eq!(obj["file"], Value::String(file.clone()));
    }
    assert_eq!(lines[0]["rule"], "tilda");
    assert_eq!(lines[0]["action"], "lead");
    assert_eq!(
        lines[0]["fields"][0],
        serde_json::json!(["Name", "Ирина Сергеевна"])
    );
    assert_eq!(lines[1]["action"], "review");
    assert_eq!(lines[1]["rule"], Value::Null);
    assert_eq!(lines[2]["rule"], "cf7");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("/nonexistent/missing.eml: cannot read"),
        "{stderr}"
    );
}

#[test]
fn rules_folder_and_region_options() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("only.toml"),
        "name = \"only\"\n[match]\nfrom = 'tilda'\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(["parse", "--region", "RU", "--rules"])
        .arg(dir.path())
        .arg(corpus("tilda-okna-zamer.eml"))
        .arg(corpus("wix-mebel-en.eml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["rule"], "only");
    assert_eq!(lines[0]["phone"], "+79123456789");
    // The folder is layered over the shipped rules: Wix is still read.
    assert_eq!(lines[1]["rule"], "wix");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let only = dir.path().join("only.toml").display().to_string();
    assert!(
        stderr
            .lines()
            .any(|l| l.trim_start().starts_with("only ") && l.ends_with(&only)),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.trim_start().starts_with("wix") && l.ends_with("shipped")),
        "{stderr}"
    );
    // `--no-shipped`: the folder alone.
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(["parse", "--no-shipped", "--rules"])
        .arg(dir.path())
        .arg(corpus("wix-mebel-en.eml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(line["rule"], Value::Null);

    std::fs::write(dir.path().join("bad.toml"), "name = 5\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(["parse", "--rules"])
        .arg(dir.path())
        .arg(corpus("tilda-okna-zamer.eml"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("bad.toml:1:8: `name` must be a string"),
        "{stderr}"
    );
}

/// A page path whose site is unknown is not sent as the form page, and
/// `parse` says so on stderr (stdout stays JSON Lines), naming the file.
#[test]
fn a_page_path_without_a_known_host_is_warned_about_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("relative-page.eml");
    std::fs::write(
        &eml,
        "From: Forms <robot@gmail.com>\r\nTo: a@b.example\r\nSubject: x\r\n\r\n\
         Имя: Анна\r\nТелефон: +79001112233\r\nСтраница: /catalog/okna/\r\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .arg("parse")
        .arg(&eml)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["page"], Value::Null);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("relative-page.eml: warning: page «/catalog/okna/»"),
        "{err}"
    );
}
