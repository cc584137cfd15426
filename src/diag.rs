//! Diagnostics that point an admin at the exact place of a problem.
//!
//! Every user-caused error in a config or rule file is rendered as
//! `path:line:column: message`, identically in `check`, at start-up and on
//! reload, so editors and terminals can jump to it.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a text file; line and column are 1-based (column counts chars).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Loc {
    pub path: PathBuf,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    pub fn new(path: impl Into<PathBuf>, line: u32, col: u32) -> Self {
        Loc {
            path: path.into(),
            line,
            col,
        }
    }

    /// Converts a byte offset in `text` (e.g. a `toml` span start) to a location.
    pub fn from_offset(path: &Path, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let mut line = 1u32;
        let mut line_start = 0usize;
        for (i, b) in text.as_bytes()[..offset].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = i + 1;
            }
        }
        // Count chars, not bytes: admins write Cyrillic.
        let col = text
            .get(line_start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - line_start) as u32
            + 1;
        Loc {
            path: path.to_path_buf(),
            line,
            col,
        }
    }
}

impl Loc {
    /// Where the key `keys` (a path of table names, e.g. `["sla",
    /// "timezone"]`) is written in the TOML `text` of `path`; the file's
    /// first line when the text is unknown or the key is not in it.
    pub fn of_toml_key(path: &Path, text: Option<&str>, keys: &[&str]) -> Self {
        text.and_then(|t| toml_key_offset(t, keys).map(|o| Loc::from_offset(path, t, o)))
            .unwrap_or_else(|| Loc::new(path, 1, 1))
    }
}

/// What [`parse_toml`] could not read.
#[derive(Debug)]
pub enum TomlProblem {
    Syntax(toml_edit::TomlError),
    /// The parser itself failed (panicked) on this text.
    ParserFailed,
}

impl TomlProblem {
    /// Byte offset of the problem in the text, when the parser knows it.
    pub fn offset(&self) -> Option<usize> {
        match self {
            TomlProblem::Syntax(e) => e.span().map(|s| s.start),
            TomlProblem::ParserFailed => None,
        }
    }

    /// One line, for an admin.
    pub fn message(&self) -> String {
        match self {
            TomlProblem::Syntax(e) => e.message().trim().replace('\n', " "),
            TomlProblem::ParserFailed => "the TOML reader gave up on this file (malformed text it \
                does not report cleanly); look for a broken line: a stray `=`, `[` or `\"`, or a \
                control character"
                .into(),
        }
    }
}

/// `toml_edit::Document::parse`, except that a panic inside the parser is
/// an error about the file: toml_edit 0.23 (and 0.25) panics with "all
/// items have spans" on some malformed texts (found by fuzzing rule files),
/// and a hand-edited rule or config file must never crash `check` or the
/// daemon's reload.
pub fn parse_toml(text: &str) -> Result<toml_edit::Document<&str>, TomlProblem> {
    match std::panic::catch_unwind(|| toml_edit::Document::parse(text)) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(e)) => Err(TomlProblem::Syntax(e)),
        Err(_) => Err(TomlProblem::ParserFailed),
    }
}

/// Byte offset of the key at `keys` (table names; an `[[array]]` entry by
/// its index) in a TOML text; `None` when it is not written there.
pub fn toml_key_offset(text: &str, keys: &[&str]) -> Option<usize> {
    let doc = parse_toml(text).ok()?;
    let mut item = doc.as_item();
    let mut last = None;
    let mut i = 0;
    while i < keys.len() {
        if let Some(a) = item.as_array_of_tables() {
            let t = a.get(keys[i].parse::<usize>().ok()?)?;
            last = t.span().map(|s| s.start).or(last);
            i += 1;
            let Some(k) = keys.get(i) else { break };
            let (key, v) = t.get_key_value(k)?;
            last = key.span().map(|s| s.start).or(last);
            item = v;
        } else {
            let (key, v) = item.as_table_like()?.get_key_value(keys[i])?;
            last = key.span().map(|s| s.start);
            item = v;
        }
        i += 1;
    }
    last
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.col)
    }
}

/// A value together with where it was written, so later stages (e.g. amoCRM
/// name resolution) can still report `path:line:col`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Located<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Located<T> {
    pub fn new(value: T, loc: Loc) -> Self {
        Located { value, loc }
    }
}

/// One problem found in a user-edited file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: Loc,
    pub message: String,
}

impl Diagnostic {
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            loc,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// All problems found in one validation pass; never just the first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    /// Stable order: by path, line, column.
    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| {
            (&a.loc.path, a.loc.line, a.loc.col).cmp(&(&b.loc.path, b.loc.line, b.loc.col))
        });
        self
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Levenshtein distance over chars (admins write Cyrillic).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `name` (case and `ё`/`е` ignored), if it is
/// close enough to be a plausible typo: the "did you mean" of every message.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.trim().to_lowercase().replace('ё', "е");
    let n = norm(name);
    let best = candidates
        .into_iter()
        .map(|c| (edit_distance(&n, &norm(c)), c))
        .min_by_key(|(d, _)| *d)?;
    let limit = (n.chars().count() / 3).max(2);
    (best.0 <= limit).then_some(best.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_to_line_col_counts_chars() {
        let text = "a = 1\nимя = \"x\"\n";
        let off = text.find('"').unwrap_or(0);
        let loc = Loc::from_offset(Path::new("r.toml"), text, off);
        assert_eq!((loc.line, loc.col), (2, 7));
        assert_eq!(loc.to_string(), "r.toml:2:7");
    }
}
