//! `amo-intake check` through the real binary on temporary rule folders:
//! every diagnostic with its exact `path:line:col`, all at once, exit 1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn check(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .arg("check")
        .args(args)
        .output()
        .expect("run amo-intake");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Lines of `out` with the temp dir prefix removed.
fn lines(out: &str, dir: &Path) -> Vec<String> {
    let prefix = format!("{}/", dir.display());
    out.lines().map(|l| l.replace(&prefix, "")).collect()
}

const BAD: &str = r#"name = "bad"
priority = "high"
colour = "red"

[match]
from = '@tilda\.ws$'
subjct = "x"
body = '(unclosed'

[fields]
phone = ["Мобила"]
telefon = ["x"]

[[extract]]
pattern = '(?P<nme>\w+)'

[crm]
lead_name = "Заявка: {name} {fone}"
tags = ["a", 5]
sla = "soon"
pipeline = true
"#;

#[test]
fn every_problem_in_a_file_with_exact_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.toml", BAD);
    let (code, out, _) = check(&["--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let got = lines(&out, dir.path());
    let want_prefixes = [
        "bad.toml:2:12: `priority` must be an integer",
        "bad.toml:3:1: unknown key `colour` in the rule file",
        "bad.toml:7:1: unknown key `subjct` in [match]",
        "bad.toml:8:8: `match.body`: invalid regular expression",
        "bad.toml:12:1: unknown field name `telefon` in [fields]",
        "bad.toml:15:11: unknown field name `nme` in a (?P<nme>...) group",
        "bad.toml:18:29: `crm.lead_name`: unknown placeholder `{fone}`",
        "bad.toml:19:14: `crm.tags` must hold strings, found integer",
        "bad.toml:20:7: `sla` must be a duration",
        "bad.toml:21:12: `crm.pipeline` must be a name (string) or an id (integer)",
    ];
    assert_eq!(got.len(), want_prefixes.len(), "{out}");
    for (g, w) in got.iter().zip(want_prefixes) {
        assert!(g.starts_with(w), "expected `{w}…`, got `{g}`");
    }
}

#[test]
fn duplicate_names_are_reported_at_both_places() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", "# first\nname = \"same\"\n");
    write(dir.path(), "b.toml", "\n\n  name = \"same\"\n");
    let (code, out, _) = check(&["--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let got = lines(&out, dir.path());
    assert_eq!(got.len(), 2, "{out}");
    assert!(got[0].starts_with("a.toml:2:8: duplicate rule name `same` (also defined at "));
    assert!(
        got[0].ends_with("b.toml:3:10); rule names must be unique"),
        "{}",
        got[0]
    );
    assert!(got[1].starts_with("b.toml:3:10: duplicate rule name `same`"));
}

#[test]
fn syntax_errors_huge_regexes_and_deep_nesting_are_errors_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "syntax.toml", "name = \"syn\"\n[match\n");
    write(
        dir.path(),
        "huge.toml",
        "name = \"huge\"\n[match]\nsubject = 'a{1000}{1000}'\n",
    );
    let deep = format!(
        "name = \"deep\"\nx = {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    write(dir.path(), "deep.toml", &deep);
    let deep_tables = format!(
        "name = \"deept\"\nx = {}1{}\n",
        "{a=".repeat(3000),
        "}".repeat(3000)
    );
    write(dir.path(), "deept.toml", &deep_tables);
    let (code, out, err) = check(&["--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    let got = lines(&out, dir.path());
    assert_eq!(got.len(), 4, "{out}");
    assert!(
        got[0].starts_with("deep.toml:2:85: TOML syntax error"),
        "{}",
        got[0]
    );
    assert!(
        got[1].starts_with("deept.toml:2:245: TOML syntax error"),
        "{}",
        got[1]
    );
    assert!(got[2].starts_with("huge.toml:3:11: `match.subject`: regular expression is too large"));
    assert!(
        got[3].starts_with("syntax.toml:2:7: TOML syntax error"),
        "{}",
        got[3]
    );
}

#[test]
fn shipped_rules_are_ok() {
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let (code, out, err) = check(&["--rules", rules]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ok: 13 rules"), "{out}");
}

#[test]
fn config_problems_and_its_rules_dir() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r");
    std::fs::create_dir(&rules).unwrap();
    write(&rules, "x.toml", "name = \"x\"\nbogus = 1\n");
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, format!("[rules]\ndir = \"{}\"\n", rules.display())).unwrap();
    let (code, out, _) = check(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("x.toml:2:1: unknown key `bogus`"), "{out}");

    std::fs::write(&cfg, "[rules]\ndir = 5\n").unwrap();
    let (code, out, _) = check(&[
        "--config",
        cfg.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let got = lines(&out, dir.path());
    assert!(got[0].starts_with("c.toml:2:7: "), "{out}");
}

#[test]
fn nest_limit_and_every_section_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "name = \"nest\"\n[match]\nbody = '{}a{}'\n[classify]\nmeasurement = 5\nbogus = true\n[crm]\ncreate = \"later\"\nowner = \"x\"\n[options]\nno_contact = \"drop\"\n",
        "(".repeat(100),
        ")".repeat(100)
    );
    write(dir.path(), "nest.toml", &text);
    let (code, out, _) = check(&["--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let got = lines(&out, dir.path());
    let want = [
        "nest.toml:3:8: `match.body`: invalid regular expression: exceed the maximum number of nested parentheses/brackets (64)",
        "nest.toml:5:15: `classify.measurement` must be a string or an array of strings, found integer",
        "nest.toml:6:1: unknown key `bogus` in [classify]",
        "nest.toml:8:10: `create` must be \"unsorted\" or \"complex\"",
        "nest.toml:9:1: unknown key `owner` in [crm]",
        "nest.toml:11:14: `no_contact` must be \"review\" or \"ignore\"",
    ];
    assert_eq!(got.len(), want.len(), "{out}");
    for (g, w) in got.iter().zip(want) {
        assert!(g.starts_with(w), "expected `{w}…`, got `{g}`");
    }
}

mod support;

/// Name, size and bytes of every file in a folder.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = if p.is_file() {
                std::fs::read(&p).unwrap()
            } else {
                Vec::new()
            };
            (name, bytes)
        })
        .collect();
    v.sort();
    v
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `check` with `[amocrm]` asks amoCRM (read-only) but writes nothing: the
/// state file stays byte-identical, no `-wal`/`-shm` appears, a missing
/// state file is not created, and a read-only state folder is fine. It
/// used to open, create and migrate the state database.
#[test]
fn check_leaves_the_state_file_alone_and_works_with_a_read_only_state_dir() {
    use support::{FakeAmo, FakeOptions};
    let fake = FakeAmo::start(FakeOptions::default());
    // Several `check` processes in a row, each with its own limiter: the
    // fake's per-second cap is not what this test is about.
    fake.set_rate_limit(1000);
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("state");
    std::fs::create_dir(&state_dir).unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    support::write_secret(&dir.path().join("token"), &fake.long_lived_token());
    support::write_secret(&dir.path().join("secret"), "s");
    let write_cfg = |extra: &str| {
        let cfg = dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            format!(
                "[amocrm]\nbase_url = \"{}\"\n{extra}\n[state]\npath = \"state/state.db\"\n[rules]\ndir = \"rules\"\n",
                fake.base_url()
            ),
        )
        .unwrap();
        cfg.display().to_string()
    };

    // No state file yet: check must not create it.
    let cfg = write_cfg("token_file = \"token\"");
    let (code, out, err) = check(&["--config", &cfg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !err.contains("not checked"),
        "names were not checked: {err}"
    );
    assert!(
        snapshot(&state_dir).is_empty(),
        "{:?}",
        snapshot(&state_dir)
    );

    // A state file the daemon wrote, with OAuth tokens in it.
    let (access, refresh) = fake.issue_oauth_pair();
    {
        let j = amo_intake::journal::Journal::open(&state_dir.join("state.db")).unwrap();
        j.store_tokens(&amo_intake::journal::outbox::StoredTokens {
            access_token: access,
            refresh_token: refresh,
            expires_at: jiff::Timestamp::now().as_second() + 3600,
        })
        .unwrap();
    }
    let before = snapshot(&state_dir);
    assert_eq!(before.len(), 1, "the daemon's journal closed cleanly");
    for extra in [
        "token_file = \"token\"",
        "client_id = \"c\"\nclient_secret_file = \"secret\"\nredirect_uri = \"https://x.example/cb\"",
    ] {
        let cfg = write_cfg(extra);
        for read_only in [false, true] {
            set_mode(&state_dir, if read_only { 0o555 } else { 0o755 });
            let (code, out, err) = check(&["--config", &cfg]);
            assert_eq!(code, 0, "{extra} ro={read_only}: {out}{err}");
            assert!(
                !err.contains("not checked"),
                "{extra} ro={read_only}: {err}"
            );
            assert_eq!(snapshot(&state_dir), before, "{extra} ro={read_only}");
        }
    }
    set_mode(&state_dir, 0o755);
    if running_as_root() {
        println!(
            "note: running as root, so 0555 does not stop writes; the byte and file-list comparison is what proves check wrote nothing"
        );
    }
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Five different mistakes in one config.toml: five `path:line:col` lines
/// at once, in words an admin understands (the config used to stop at the
/// first, as raw serde text: `invalid type: string "14399", expected u16`).
#[test]
fn five_config_mistakes_give_five_located_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        r#"[[mailbox]]
name = "sales"
host = "127.0.0.1"
port = "14399"
user = "u"
pasword_file = "imap.secret"

[amocrm]
base_url = "http://127.0.0.1:9"
token_file = "missing-token"
dry_run = true

[parse]
worker_idle = "1h1h"

[sla]
timezone = "Europe/Moskow"

[alerts.slack]
url = "https://hooks.example/x"

[rules]
dir = "rules"
"#,
    )
    .unwrap();
    let (code, out, err) = check(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    let got = lines(&out, dir.path());
    let want = [
        "config.toml:4:8: `port` must be a whole number from 0 to 65535, found the text \"14399\"; write it without quotes: port = 14399",
        "config.toml:6:1: unknown key `pasword_file` in [mailbox]; did you mean `password_file`?",
        "config.toml:10:1: `token_file`:",
        "config.toml:14:15: `worker_idle`: `1h1h` is not a duration",
        "config.toml:17:1: [sla] timezone: unknown time zone `Europe/Moskow`",
        "config.toml:19:1: unknown alert channel or key `slack` in [alerts]",
    ];
    assert_eq!(got.len(), want.len(), "{out}");
    for (g, w) in got.iter().zip(want) {
        assert!(g.starts_with(w), "expected `{w}…`, got `{g}`");
    }
    assert!(
        got[2].contains("amoCRM long-lived token") && got[2].contains("amocrm-token"),
        "{}",
        got[2]
    );
}

/// The admin's folder is layered over the shipped rules: a new rule adds
/// to them, a rule with a shipped name replaces that one, and
/// `[rules] shipped = false` (or `--no-shipped`) leaves the folder alone.
/// `check` lists every active rule with where it came from. The folder
/// used to replace the shipped rules silently.
#[test]
fn rules_folder_is_layered_over_the_shipped_rules() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    write(
        &rules,
        "my-site.toml",
        "name = \"my-site\"\n[match]\nfrom = '@my-site\\.example$'\n",
    );
    write(
        &rules,
        "tilda.toml",
        "name = \"tilda\"\npriority = 100\n[match]\nfrom = '@tilda\\.ws$'\n[crm]\nlead_name = \"Тильда: {name}\"\n",
    );
    let (code, out, err) = check(&["--rules", rules.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let shown = lines(&out, &rules);
    assert!(
        shown[0].starts_with("ok: 14 rules from the shipped rules and"),
        "{out}"
    );
    let find = |name: &str| {
        shown
            .iter()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .cloned()
            .unwrap_or_default()
    };
    assert!(find("my-site").ends_with("my-site.toml"), "{out}");
    assert!(
        find("tilda").ends_with("tilda.toml (replaces the shipped rule)"),
        "{out}"
    );
    for shipped in ["cf7", "wix", "generic"] {
        assert!(find(shipped).ends_with("  shipped"), "{shipped}: {out}");
    }
    // The folder's rules are tried first, the generic fallback last.
    assert!(shown[2].trim_start().starts_with("tilda"), "{out}");
    assert!(
        shown.last().unwrap().trim_start().starts_with("generic"),
        "{out}"
    );

    // Explicitly without the shipped rules.
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[rules]\ndir = \"rules\"\nshipped = false\n").unwrap();
    let (code, out, err) = check(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ok: 2 rules from only"), "{out}");
    let (code, out, _) = check(&["--no-shipped", "--rules", rules.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ok: 2 rules from only"), "{out}");
}
