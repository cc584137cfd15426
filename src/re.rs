//! One place that compiles the reader's own regular expressions.
//!
//! Why: a parse process is mostly its automata, and two habits of the
//! `regex` crate cost megabytes here. `RegexSet` always builds a literal
//! prefilter (an Aho-Corasick DFA: 1.9 MB for the label dictionary alone)
//! although the sets run on short normalised text where it saves nothing;
//! [`PatternSet`] builds none. A bounded repetition of a wide class
//! (`[^<>]{2,60}`) is copied once per count into the automaton and its
//! lazy-DFA cache (~100 KB per pattern); [`Bounded`] checks the length of
//! its named groups after the match instead.

use regex::{Captures, Regex};
use regex_automata::meta;
use regex_automata::{Input, MatchKind};

/// Compiles one pattern of the reader.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    note_slow_boundary(pattern);
    Regex::new(pattern)
}

/// Patterns compiled in this process that hold a Unicode word boundary.
static SLOW: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Why: the lazy DFA cannot run a Unicode `\b` on non-ASCII text, so such a
/// pattern falls back to a much slower engine on every Cyrillic line (one
/// `\b` in the footer pattern once took the parse bench from 250k to 650k
/// instructions a mail). Write `(?:$|[^\w])` after a word, or narrow the
/// pattern as the cue lists are. `tests/word_boundaries.rs` reads the corpus
/// and asks this list to be empty.
fn note_slow_boundary(pattern: &str) {
    let cheap = [r"\b", r"\B", r"\<", r"\>"]
        .iter()
        .any(|w| pattern.contains(w));
    if cheap
        && unicode_word_boundary(pattern)
        && let Ok(mut v) = SLOW.lock()
    {
        v.push(pattern.to_string());
    }
}

/// The reader's patterns compiled so far in this process that hold a
/// Unicode word boundary (see [`note_slow_boundary`]).
pub fn slow_boundaries() -> Vec<String> {
    SLOW.lock().map(|v| v.clone()).unwrap_or_default()
}

/// Whether `pattern` holds a Unicode word boundary (`\b`, `\B`, `\<`,
/// `\>` outside `(?-u)`).
pub fn unicode_word_boundary(pattern: &str) -> bool {
    use regex_syntax::hir::{Hir, HirKind, Look};
    fn walk(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Look(l) => matches!(
                l,
                Look::WordUnicode
                    | Look::WordUnicodeNegate
                    | Look::WordStartUnicode
                    | Look::WordEndUnicode
                    | Look::WordStartHalfUnicode
                    | Look::WordEndHalfUnicode
            ),
            HirKind::Repetition(r) => walk(&r.sub),
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(walk),
            _ => false,
        }
    }
    regex_syntax::parse(pattern).is_ok_and(|h| walk(&h))
}

/// A pattern whose named groups may be at most so many characters long:
/// `(?P<n>[^<>]{2,}?)` with `("n", 60)` answers as `(?P<n>[^<>]{2,60}?)`
/// would where the group is anchored on both sides (the usual case: a name
/// between `^` and a fixed phrase), and finds nothing where that group
/// would be longer.
pub struct Bounded {
    re: Regex,
    limits: &'static [(&'static str, usize)],
}

impl Bounded {
    /// Compiles `pattern` with the character limits of its named groups.
    pub fn new(
        pattern: &str,
        limits: &'static [(&'static str, usize)],
    ) -> Result<Bounded, regex::Error> {
        note_slow_boundary(pattern);
        Ok(Bounded {
            re: Regex::new(pattern)?,
            limits,
        })
    }

    /// The groups of the first match, unless a limited group is too long.
    pub fn captures<'h>(&self, text: &'h str) -> Option<Captures<'h>> {
        let c = self.re.captures(text)?;
        self.limits
            .iter()
            .all(|(g, max)| c.name(g).is_none_or(|m| m.as_str().chars().count() <= *max))
            .then_some(c)
    }
}

/// Several patterns searched in one pass; which of them match.
pub struct PatternSet {
    /// `None`: the empty set.
    re: Option<meta::Regex>,
}

impl PatternSet {
    /// Compiles `patterns` (pattern `i` reports index `i`).
    pub fn new<I, S>(patterns: I) -> Result<PatternSet, Box<meta::BuildError>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let v: Vec<String> = patterns
            .into_iter()
            .map(|p| p.as_ref().to_string())
            .collect();
        let re = meta::Regex::builder()
            .configure(
                meta::Config::new()
                    .match_kind(MatchKind::All)
                    .auto_prefilter(false),
            )
            .build_many(&v)
            .map_err(Box::new)?;
        Ok(PatternSet { re: Some(re) })
    }

    /// A set that matches nothing.
    pub fn empty() -> PatternSet {
        PatternSet { re: None }
    }

    /// Whether any pattern matches `text` (stops at the first hit).
    pub fn is_match(&self, text: &str) -> bool {
        self.re
            .as_ref()
            .is_some_and(|re| re.is_match(Input::new(text).earliest(true)))
    }

    /// Whether any pattern matches a part of `text` that starts at byte
    /// `start` or later (look-arounds still see the whole text).
    pub fn is_match_from(&self, text: &str, start: usize) -> bool {
        start <= text.len()
            && self
                .re
                .as_ref()
                .is_some_and(|re| re.is_match(Input::new(text).range(start..).earliest(true)))
    }

    /// The indexes of every pattern that matches `text`, ascending.
    pub fn matches(&self, text: &str) -> Vec<usize> {
        let Some(re) = &self.re else {
            return Vec::new();
        };
        let mut set = regex_automata::PatternSet::new(re.pattern_len());
        re.which_overlapping_matches(&Input::new(text), &mut set);
        set.iter().map(|p| p.as_usize()).collect()
    }

    /// How many patterns the set holds.
    pub fn len(&self) -> usize {
        self.re.as_ref().map_or(0, meta::Regex::pattern_len)
    }

    /// Whether the set holds no pattern.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bounded_groups_answer_as_the_bounded_repetition_would() {
        let b = Bounded::new(r"^(?P<n>[^0-9]{2,}?) просит", &[("n", 10)]).unwrap();
        let bounded = Regex::new(r"^(?P<n>[^0-9]{2,10}?) просит").unwrap();
        for t in [
            "Иван просит перезвонить",
            "Иван Петрович Сидоров просит перезвонить",
            "И просит",
            "Ян просит",
        ] {
            let got = b.captures(t).and_then(|c| c.name("n")).map(|m| m.as_str());
            let want = bounded
                .captures(t)
                .and_then(|c| c.name("n"))
                .map(|m| m.as_str());
            assert_eq!(got, want, "{t}");
        }
    }

    #[test]
    fn pattern_sets_report_every_matching_pattern() {
        let s = PatternSet::new(["замер", "цен", "^звон"]).unwrap();
        assert_eq!(s.matches("цена замера"), vec![0, 1]);
        assert!(s.is_match("звонок"));
        assert!(!s.is_match("перезвон"));
        assert_eq!(s.len(), 3);
        assert!(PatternSet::empty().matches("замер").is_empty());
        assert!(!PatternSet::empty().is_match("замер"));
    }
}
