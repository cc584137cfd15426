//! Comparing a mail's `parse` contract JSON with the `.json` a person wrote
//! beside it: every key of the expectation must be equal, `message` with
//! whitespace folded. Shared by tests/corpus.rs, tests/rules.rs and
//! tests/templates.rs; included on its own with
//! `#[path = "support/expect.rs"] mod expect;` so those tests do not pull in
//! the daemon and IMAP helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// Strings with their whitespace runs folded to one space; other values as is.
pub fn fold(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        other => other.clone(),
    }
}

/// The `.eml` files directly in `dir`, sorted; none when it cannot be read.
pub fn mails_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// One key that differs: its name, what the person wrote, what was read.
pub struct Mismatch {
    pub key: String,
    pub want: Value,
    pub have: Value,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: expected {}, got {}", self.key, self.want, self.have)
    }
}

/// Every key of `want` that `got` does not match (a key `got` lacks counts
/// as null), in the expectation's key order.
pub fn mismatches(want: &Map<String, Value>, got: &Value) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (k, w) in want {
        let h = got.get(k).cloned().unwrap_or(Value::Null);
        let (w, h) = if k == "message" {
            (fold(w), fold(&h))
        } else {
            (w.clone(), h)
        };
        if w != h {
            out.push(Mismatch {
                key: k.clone(),
                want: w,
                have: h,
            });
        }
    }
    out
}

/// The `.json` beside `mail`, which must be an object.
pub fn expectation(mail: &Path) -> Result<Map<String, Value>, Box<dyn std::error::Error>> {
    let want: Value = serde_json::from_slice(&std::fs::read(mail.with_extension("json"))?)?;
    match want {
        Value::Object(m) => Ok(m),
        _ => Err(format!(
            "{}: json is not an object",
            mail.with_extension("json").display()
        )
        .into()),
    }
}
