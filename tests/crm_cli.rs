//! `amo-intake crm …`, `amo-intake auth …` and `check` name validation
//! through the real binary against the fake amoCRM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use support::{FakeAmo, FakeOptions};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_amo-intake"))
}

fn config(dir: &std::path::Path, fake: &FakeAmo, extra: &str) -> std::path::PathBuf {
    let token = dir.join("token");
    support::write_secret(&token, &format!("{}\n", fake.long_lived_token()));
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[amocrm]\nbase_url = \"{}\"\ntoken_file = \"{}\"\n{extra}\n[state]\npath = \"{}\"\n\n[rules]\ndir = \"{}\"\n",
            fake.base_url(),
            token.display(),
            dir.join("state.db").display(),
            rules.display()
        ),
    )
    .unwrap();
    cfg
}

#[test]
fn crm_lists_pipelines_users_and_fields() {
    let fake = FakeAmo::start(FakeOptions {
        page_size: Some(2),
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &fake, "");
    let run = |what: &str| {
        let out = bin()
            .args(["crm", "--config"])
            .arg(&cfg)
            .arg(what)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let p = run("pipelines");
    assert!(p.contains("«Воронка»  (main)"), "{p}");
    assert!(p.contains("«Замер»") && p.contains("«Сервис»"), "{p}");
    let u = run("users");
    // Page size 2: every page followed.
    for name in [
        "Администратор",
        "Анна Менеджер",
        "Борис Продавец",
        "Виктор Руководитель",
    ] {
        assert!(u.contains(name), "{name} missing: {u}");
    }
    let f = run("fields");
    assert!(
        f.contains("«ID заявки»  text") && f.contains("«Сайт»") && f.contains("code PHONE"),
        "{f}"
    );
    assert!(fake.spec_violations().is_empty());
}

#[test]
fn check_reports_unknown_config_names_with_a_hint() {
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &fake, "responsible = \"Анна Менеджр\"");
    let out = bin()
        .args(["check", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let want = format!(
        "{}:4:1: [amocrm] responsible: unknown user «Анна Менеджр»; did you mean «Анна Менеджер»?",
        cfg.display()
    );
    assert!(stdout.contains(&want), "{stdout}");
}

#[test]
fn auth_exchanges_a_code_and_stores_tokens_without_printing_them() {
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let o = FakeOptions::default();
    let secret = dir.path().join("secret");
    support::write_secret(&secret, &o.client_secret);
    let extra = format!(
        "client_id = \"{}\"\nclient_secret_file = \"{}\"\nredirect_uri = \"{}\"",
        o.client_id,
        secret.display(),
        o.redirect_uri
    );
    let cfg = config(dir.path(), &fake, &extra);
    let out = bin()
        .args(["auth", "--config"])
        .arg(&cfg)
        .args(["--code", &fake.issue_auth_code()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = amo_intake::journal::Journal::open(&dir.path().join("state.db")).unwrap();
    let t = j.load_tokens().unwrap().unwrap();
    assert!(fake.token_valid(&t.access_token));
    assert!(!stdout.contains(&t.access_token) && !stdout.contains(&t.refresh_token));
    // A used code is refused: clear error, non-zero exit.
    let out = bin()
        .args(["auth", "--config"])
        .arg(&cfg)
        .args(["--code", "bogus"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
