//! The invariants of ARCHITECTURE.md that a text search can keep: no import
//! cycles between modules, `rules/` does no I/O, only `crm/` knows amoCRM's
//! JSON. Each test names the file and line that breaks its rule.
//!
//! They read the source as text (comments and unit tests left out), so they
//! are cheap and need no parser; a rule that needs the compiler belongs in a
//! real test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Module path (`crm::client`, `pipeline`) → its file, for every module under src/.
fn modules() -> BTreeMap<String, PathBuf> {
    let root = src();
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let Ok(rel) = f.strip_prefix(&root) else {
            continue;
        };
        let rel = rel.with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        out.insert(parts.join("::"), f);
    }
    out
}

/// The code lines of a file with their 1-based numbers: comment lines and
/// the unit-test module at the end are left out.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// `crate::a::b::c` and `super::x` references of a line, as segment lists
/// relative to the crate root.
fn references(line: &str, module: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (start, kw) in [("crate::", "crate"), ("super::", "super")] {
        let mut rest = line;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            rest = &rest[i + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let segs: Vec<String> = rest
                .split("::")
                .map_while(|s| {
                    let w: String = s
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    (!w.is_empty()).then_some(w)
                })
                .collect();
            let mut full: Vec<String> = Vec::new();
            if kw == "super" {
                // In a.rs / a/mod.rs alike, `super` is the parent of the module.
                let mut base: Vec<String> = module.split("::").map(String::from).collect();
                base.pop();
                full.extend(base);
            }
            full.extend(segs);
            out.push(full);
        }
    }
    out
}

#[test]
fn no_import_cycles_between_modules() {
    let mods = modules();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut why: BTreeMap<(String, String), String> = BTreeMap::new();
    for (m, file) in &mods {
        for (n, line) in code_lines(file) {
            for segs in references(&line, m) {
                // The longest prefix that is a module.
                let target = (1..=segs.len())
                    .rev()
                    .map(|k| segs[..k].join("::"))
                    .find(|c| mods.contains_key(c));
                let Some(t) = target else { continue };
                // A module and its own parent or children are one unit.
                if &t == m || t.starts_with(&format!("{m}::")) || m.starts_with(&format!("{t}::")) {
                    continue;
                }
                edges.entry(m.clone()).or_default().insert(t.clone());
                why.entry((m.clone(), t.clone()))
                    .or_insert_with(|| format!("{}:{n}", file.display()));
            }
        }
    }
    // A cycle exists iff some edge a→b has a path b→…→a.
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(v) = stack.pop() {
            if v == to {
                return true;
            }
            if seen.insert(v.clone()) {
                stack.extend(edges.get(&v).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut cycles = Vec::new();
    for (a, outs) in &edges {
        for b in outs {
            if reaches(b, a) {
                cycles.push(format!("{a} -> {b} ({})", why[&(a.clone(), b.clone())]));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles (each edge lies on a cycle; move the shared helper to the module that owns its concept):\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_reference_reader_resolves_crate_and_super_paths() {
    assert_eq!(
        references(
            "use crate::crm::client::{Client, limiter_from};",
            "pipeline"
        ),
        vec![vec!["crm", "client"]]
    );
    assert_eq!(
        references("use super::ratelimit::RateLimiter;", "crm::client"),
        vec![vec!["crm", "ratelimit", "RateLimiter"]]
    );
    assert!(references("let x = my_crate::a;", "m").is_empty());
}

/// `rules/` turns text into requests and does no I/O: no files, network,
/// processes, databases or clocks. `load_dir` is the one known exception
/// (it reads the admin's rules folder) until loading moves out of rules/.
#[test]
fn rules_do_no_io() {
    const FORBIDDEN: &[&str] = &[
        "std::fs",
        "std::net",
        "std::process",
        "tokio::",
        "reqwest",
        "rusqlite",
        "File::",
        "SystemTime::now",
        "Timestamp::now",
    ];
    const KNOWN: &[(&str, &str)] = &[
        ("rules/mod.rs", "std::fs::read_dir(dir)"),
        ("rules/mod.rs", "std::fs::read(&p)"),
    ];
    let mods = modules();
    let mut found = Vec::new();
    for (m, file) in &mods {
        if m != "rules" && !m.starts_with("rules::") {
            continue;
        }
        for (n, line) in code_lines(file) {
            for f in FORBIDDEN {
                if line.contains(f)
                    && !KNOWN
                        .iter()
                        .any(|(kf, kl)| file.ends_with(kf) && line.contains(kl))
                {
                    found.push(format!("{}:{n}: `{f}` in rules/", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "rules/ must not do I/O; pass the data in instead:\n{}",
        found.join("\n")
    );
}

/// Only `crm/` speaks amoCRM's JSON: no other module names its endpoints or
/// its entity keys in code (docs and comments may).
#[test]
fn only_crm_knows_amocrm_json() {
    const AMOCRM: &[&str] = &[
        "/api/v4/",
        "\"custom_fields_values\"",
        "\"_embedded\"",
        "\"complete_till\"",
        "\"note_type\"",
        "\"task_type_id\"",
        "\"entity_type\"",
        "\"pipeline_id\"",
        "\"status_id\"",
        "\"value_after\"",
        "\"value_before\"",
        "\"source_uid\"",
    ];
    let mods = modules();
    let mut found = Vec::new();
    for (m, file) in &mods {
        if m == "crm" || m.starts_with("crm::") {
            continue;
        }
        for (n, line) in code_lines(file) {
            for k in AMOCRM {
                if line.contains(k) {
                    found.push(format!("{}:{n}: {k}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "amoCRM JSON outside crm/ (build it in crm/payload.rs or read it in crm/):\n{}",
        found.join("\n")
    );
}
