//! Admin-written rule files: match, extract, classify.
//!
//! A rule file (`rules/*.toml`, one per builder or site) says which mails it
//! takes (`[match]`), how to read them (shared label dictionary + `[fields]`
//! aliases + `[[extract]]` regexes), how to classify them (`[classify]`), and
//! what to create in amoCRM (`[crm]`, parsed into [`CrmSpec`]). The rules
//! engine does no I/O apart from [`RuleSet::load_dir`] reading the folder;
//! [`load_texts`] is the pure entry point. A [`RuleSet`] is immutable and is
//! swapped whole on reload. The admin's folder is layered over the shipped
//! rules ([`RuleSet::load_layered`]); its rules are tried first, then the
//! shipped ones, each layer by priority (higher first, ties by file name);
//! the shipped generic fallback matches everything.

pub mod classify;
pub mod crm_spec;
pub mod dictionary;
mod extract;
pub mod layout;
pub mod load;

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::mail::letter::Letter;
use crate::request::{Action, Kind, Request};

pub use crm_spec::CrmSpec;
pub use extract::{Trace, TracePair};
pub use load::{Origin, compile_regex, parse_rule};

/// Parsing options that come from the config (`[parse]`).
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Default phone region, e.g. "RU".
    pub region: String,
    pub max_mail_bytes: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            region: "RU".into(),
            max_mail_bytes: 25 * 1024 * 1024,
        }
    }
}

/// What a match condition looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    From,
    To,
    ReplyTo,
    Subject,
    Body,
    Html,
    Header(String),
}

/// One condition: the target matches any of the patterns.
#[derive(Debug, Clone)]
pub(crate) struct Cond {
    pub target: Target,
    pub patterns: Vec<Regex>,
}

/// `[match]`: every condition holds, and one of `[match.any]` when given.
/// An empty match takes every mail (the fallback).
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    pub all: Vec<Cond>,
    pub any: Vec<Cond>,
}

/// Where an `[[extract]]` regex looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtractIn {
    Body,
    Subject,
    Html,
    From,
}

/// An `[[extract]]` entry: named groups are canonical field names.
#[derive(Debug, Clone)]
pub(crate) struct Extract {
    pub within: ExtractIn,
    pub regex: Regex,
    pub groups: Vec<String>,
}

/// `[classify]`: the rule's own patterns, added to the shared cues.
#[derive(Debug, Clone)]
pub(crate) struct Classify {
    pub measurement: Vec<Regex>,
    pub calculation: Vec<Regex>,
    pub callback: Vec<Regex>,
    pub question: Vec<Regex>,
    pub trash: Vec<Regex>,
    pub ignore: Vec<Regex>,
    pub default_kind: Option<Kind>,
    /// Use the shared cue lists of [`classify`] too.
    pub builtin: bool,
}

impl Default for Classify {
    fn default() -> Self {
        Classify {
            measurement: Vec::new(),
            calculation: Vec::new(),
            callback: Vec::new(),
            question: Vec::new(),
            trash: Vec::new(),
            ignore: Vec::new(),
            default_kind: None,
            builtin: true,
        }
    }
}

/// `[options]`.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// A URL alone on a line is the form page (Tilda).
    pub bare_url_is_page: bool,
    /// What a readable mail with neither phone nor email becomes.
    pub no_contact: Action,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bare_url_is_page: false,
            no_contact: Action::Review,
        }
    }
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub priority: i64,
    /// Where the rule's `name` is written.
    pub loc: Loc,
    pub crm: CrmSpec,
    pub description: Option<String>,
    /// The file the rule came from (ties in priority go by file name).
    pub file: PathBuf,
    pub(crate) matcher: Matcher,
    /// Normalised label → canonical field, from `[fields]`.
    /// FxHash: looked up for every label of a mail.
    pub(crate) aliases: rustc_hash::FxHashMap<String, &'static str>,
    pub(crate) extracts: Vec<Extract>,
    pub(crate) classify: Classify,
    pub(crate) options: Options,
}

impl Rule {
    /// Whether this rule takes the mail.
    pub fn matches(&self, letter: &Letter) -> bool {
        let all = self.matcher.all.iter().all(|c| cond_holds(c, letter));
        all && (self.matcher.any.is_empty()
            || self.matcher.any.iter().any(|c| cond_holds(c, letter)))
    }
}

impl Rule {
    /// Why this rule takes the mail, condition by condition (for `parse
    /// --explain`): `subject ~ /заявк/`, or that it has no conditions.
    pub fn match_reason(&self, letter: &Letter) -> Vec<String> {
        if self.matcher.all.is_empty() && self.matcher.any.is_empty() {
            return vec!["no [match] conditions: takes every mail (fallback)".into()];
        }
        let mut out = Vec::new();
        for (group, conds) in [
            ("[match]", &self.matcher.all),
            ("[match.any]", &self.matcher.any),
        ] {
            for c in conds {
                if let Some(p) = c.patterns.iter().find(|r| cond_holds_one(c, r, letter)) {
                    out.push(format!(
                        "{group} {} ~ /{}/",
                        target_name(&c.target),
                        p.as_str()
                    ));
                }
            }
        }
        out
    }
}

fn target_name(t: &Target) -> String {
    match t {
        Target::From => "from".into(),
        Target::To => "to".into(),
        Target::ReplyTo => "reply_to".into(),
        Target::Subject => "subject".into(),
        Target::Body => "body".into(),
        Target::Html => "html".into(),
        Target::Header(h) => format!("header {h}"),
    }
}

fn cond_holds_one(c: &Cond, r: &Regex, l: &Letter) -> bool {
    let one = Cond {
        target: c.target.clone(),
        patterns: vec![r.clone()],
    };
    cond_holds(&one, l)
}

fn cond_holds(c: &Cond, l: &Letter) -> bool {
    let any = |s: &str| c.patterns.iter().any(|r| r.is_match(s));
    match &c.target {
        Target::From => l.from.as_ref().is_some_and(|a| any(&a.email)),
        Target::To => l.to.iter().any(|a| any(&a.email)),
        Target::ReplyTo => l.reply_to.iter().any(|a| any(&a.email)),
        Target::Subject => any(l.subject.as_deref().unwrap_or("")),
        Target::Body => any(&l.text),
        Target::Html => l.html.as_deref().is_some_and(any),
        Target::Header(h) => l
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(h) && any(v)),
    }
}

/// The shipped rules, compiled into the binary (file name, text).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "bitrix-feedback.toml",
        include_str!("../../rules/bitrix-feedback.toml"),
    ),
    (
        "bitrix-webform.toml",
        include_str!("../../rules/bitrix-webform.toml"),
    ),
    ("cf7.toml", include_str!("../../rules/cf7.toml")),
    ("elementor.toml", include_str!("../../rules/elementor.toml")),
    ("envybox.toml", include_str!("../../rules/envybox.toml")),
    ("flexbe.toml", include_str!("../../rules/flexbe.toml")),
    ("generic.toml", include_str!("../../rules/generic.toml")),
    ("marquiz.toml", include_str!("../../rules/marquiz.toml")),
    ("php-mail.toml", include_str!("../../rules/php-mail.toml")),
    ("tilda.toml", include_str!("../../rules/tilda.toml")),
    ("wix.toml", include_str!("../../rules/wix.toml")),
    ("wpforms.toml", include_str!("../../rules/wpforms.toml")),
    (
        "yandex-forms.toml",
        include_str!("../../rules/yandex-forms.toml"),
    ),
];

/// A validated, immutable set of rules; swapped whole on reload.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    version: String,
    /// The validated texts the set was built from: a parse worker process
    /// rebuilds exactly this set from them, never from the (possibly edited
    /// since) files on disk.
    sources: Arc<[(PathBuf, String)]>,
    /// Rule name → where it came from (shipped, the admin's folder).
    origins: Arc<[(String, Origin)]>,
    /// The admin's cue files (`cues/*.txt` in the rules folder): tried for
    /// every mail after a rule's own `[classify]` cues, before the shipped lists.
    site_cues: Arc<classify::SiteCues>,
}

/// Loads rule texts (path, text) into a set: pure, every problem reported.
pub fn load_texts(files: &[(PathBuf, String)]) -> Result<RuleSet, Diagnostics> {
    let (cue_files, rule_files): (Vec<_>, Vec<_>) = files
        .iter()
        .cloned()
        .partition(|(p, _)| classify::is_cue_file(p));
    let (mut rules, site_cues) = match (
        load::load_texts(&rule_files),
        classify::SiteCues::load(&cue_files),
    ) {
        (Ok(r), Ok(c)) => (r, c),
        (r, c) => {
            let mut d = Diagnostics::default();
            for e in [r.err(), c.err()].into_iter().flatten() {
                d.extend(e);
            }
            return Err(d.sorted());
        }
    };
    // The admin's rules are tried before the shipped ones (a shipped file
    // is one of BUILTIN_FILES, unchanged); within a layer, higher priority
    // first, ties by file name.
    let shipped: Vec<&PathBuf> = files
        .iter()
        .filter(|(p, t)| {
            BUILTIN_FILES.iter().any(|(n, bt)| {
                p.file_name().is_some_and(|f| f == std::ffi::OsStr::new(n)) && t == bt
            })
        })
        .map(|(p, _)| p)
        .collect();
    let layer = |r: &Rule| shipped.contains(&&r.file);
    rules.sort_by(|a, b| {
        layer(a)
            .cmp(&layer(b))
            .then_with(|| b.priority.cmp(&a.priority))
            .then_with(|| a.file.cmp(&b.file))
    });
    let mut sorted: Vec<&(PathBuf, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    for (p, t) in sorted {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        h.update(name.as_bytes());
        h.update([0]);
        h.update(t.as_bytes());
        h.update([0]);
    }
    let version = hex::encode(&h.finalize()[..8]);
    Ok(RuleSet {
        rules,
        version,
        sources: files.into(),
        origins: Arc::new([]),
        site_cues: Arc::new(site_cues),
    })
}

/// The shipped rule texts, as (path, text).
fn shipped_files() -> Vec<(PathBuf, String)> {
    BUILTIN_FILES
        .iter()
        .map(|(n, t)| (PathBuf::from("rules").join(n), (*t).to_string()))
        .collect()
}

impl RuleSet {
    /// The rules in effect: the shipped ones (unless `shipped` is false),
    /// with the admin's folder on top: a folder rule adds a rule, or
    /// replaces the shipped rule of the same name. All problems at once.
    pub fn load_layered(dir: Option<&Path>, shipped: bool) -> Result<RuleSet, Diagnostics> {
        let (folder, mut diags) = match dir {
            Some(d) => read_folder(d),
            None => (Vec::new(), Diagnostics::default()),
        };
        let (cue_files, rule_files): (Vec<_>, Vec<_>) = folder
            .into_iter()
            .partition(|(p, _)| classify::is_cue_file(p));
        let (mut files, origins) = load::layer(&shipped_files(), &rule_files, shipped);
        files.extend(cue_files);
        match load_texts(&files) {
            Ok(mut set) if diags.is_empty() => {
                set.origins = origins.into();
                Ok(set)
            }
            Ok(_) => Err(diags.sorted()),
            Err(d) => {
                diags.extend(d);
                Err(diags.sorted())
            }
        }
    }

    /// The rules of `dir` alone (no shipped rules); all problems at once.
    pub fn load_dir(dir: &Path) -> Result<RuleSet, Diagnostics> {
        RuleSet::load_layered(Some(dir), false)
    }

    /// How many classification patterns the admin's `cues/*.txt` add.
    pub fn site_cue_count(&self) -> usize {
        self.site_cues.len()
    }

    /// One line per active rule, in the order they are tried: its name and
    /// where it came from (`shipped`, or its file).
    pub fn describe(&self) -> Vec<String> {
        let width = self
            .rules
            .iter()
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0);
        self.rules
            .iter()
            .map(|r| {
                let origin = self
                    .origins
                    .iter()
                    .find(|(n, _)| *n == r.name)
                    .map(|(_, o)| o.to_string())
                    .unwrap_or_else(|| r.file.display().to_string());
                format!("{:<width$}  {origin}", r.name)
            })
            .collect()
    }
}

/// Reads every `*.toml` of a folder and every `cues/*.txt` under it
/// (dotfiles and editor temp files are skipped), sorted by path;
/// unreadable files are diagnostics. A missing `cues/` is no problem.
fn read_folder(dir: &Path) -> (Vec<(PathBuf, String)>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let Some(mut paths) = list_files(dir, ".toml", &mut diags) else {
        return (Vec::new(), diags);
    };
    let cues = dir.join(classify::FOLDER);
    if cues.is_dir() {
        paths.extend(list_files(&cues, ".txt", &mut diags).unwrap_or_default());
    }
    let mut files = Vec::new();
    for p in paths {
        match std::fs::read(&p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => files.push((p, t)),
                Err(e) => diags.push(Diagnostic::new(
                    Loc::new(&p, 1, 1),
                    format!(
                        "file is not UTF-8 (byte {}): save it as UTF-8",
                        e.utf8_error().valid_up_to()
                    ),
                )),
            },
            Err(e) => diags.push(Diagnostic::new(
                Loc::new(&p, 1, 1),
                format!("cannot read: {e}"),
            )),
        }
    }
    (files, diags)
}

/// The files of `dir` ending in `ext`, sorted; `None` (and a diagnostic)
/// when the folder cannot be read.
fn list_files(dir: &Path, ext: &str, diags: &mut Diagnostics) -> Option<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diagnostic::new(
                Loc::new(dir, 1, 1),
                format!("cannot read the rules folder: {e}; check --rules or [rules].dir"),
            ));
            return None;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            !name.starts_with('.')
                && !name.starts_with('#')
                && !name.ends_with('~')
                && name.ends_with(ext)
                && p.is_file()
        })
        .collect();
    paths.sort();
    Some(paths)
}

impl RuleSet {
    /// The shipped rules, compiled into the binary.
    pub fn builtin() -> RuleSet {
        static BUILTIN: LazyLock<RuleSet> = LazyLock::new(|| {
            // The shipped files are tested to load; an error here is a build
            // bug, and an empty set still turns every mail into `review`.
            RuleSet::load_layered(None, true).unwrap_or_default()
        });
        BUILTIN.clone()
    }

    /// Content hash of the rule files, journalled with every parsed mail.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The `(path, text)` pairs this set was loaded from.
    pub fn sources(&self) -> &[(PathBuf, String)] {
        &self.sources
    }

    /// Rules in the order they are tried.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// Raw mail to a request. Never panics; bad input becomes `review`.
    pub fn apply(&self, raw: &[u8], opts: &ParseOptions) -> Request {
        let letter = Letter::parse(raw, opts.max_mail_bytes);
        self.apply_letter(&letter, opts)
    }

    /// [`RuleSet::apply`] that also tells how the mail was read: the
    /// letter, why the rule took it, and the [`Trace`].
    pub fn explain(&self, raw: &[u8], opts: &ParseOptions) -> Explained {
        let letter = Letter::parse(raw, opts.max_mail_bytes);
        if letter.too_large {
            let request = self.apply_letter(&letter, opts);
            return Explained {
                request,
                rule_reason: vec!["the mail is too large: not read".into()],
                trace: Trace::default(),
                letter,
            };
        }
        let rule = self.rules.iter().find(|r| r.matches(&letter));
        let mut trace = Trace::default();
        let request = extract::build_traced(rule, &self.site_cues, &letter, opts, Some(&mut trace));
        let rule_reason = match rule {
            Some(r) => r.match_reason(&letter),
            None => vec!["no rule matched: the shared dictionary alone read it".into()],
        };
        Explained {
            request,
            rule_reason,
            trace,
            letter,
        }
    }

    /// An already parsed letter to a request (first matching rule wins).
    pub fn apply_letter(&self, letter: &Letter, opts: &ParseOptions) -> Request {
        if letter.too_large {
            let mut req = Request {
                action: Action::Review,
                ..Request::default()
            };
            extract::fill_meta(&mut req, letter);
            req.meta.reason =
                Some(letter.problems.first().cloned().unwrap_or_else(|| {
                    format!("mail is larger than {} bytes", opts.max_mail_bytes)
                }));
            return req;
        }
        let rule = self.rules.iter().find(|r| r.matches(letter));
        let req = extract::build(rule, &self.site_cues, letter, opts);
        tracing::debug!(
            rule = req.rule.as_deref().unwrap_or("-"),
            action = req.action.as_str(),
            kind = req.kind.as_str(),
            phone = %req.phone.as_deref().map(crate::request::mask_phone).unwrap_or_default(),
            fields = req.fields.len(),
            reason = req.meta.reason.as_deref().unwrap_or(""),
            "mail read"
        );
        req
    }
}

/// One mail read with its explanation (`parse --explain`).
#[derive(Debug, Clone)]
pub struct Explained {
    pub request: Request,
    pub letter: Letter,
    /// Which `[match]` conditions held.
    pub rule_reason: Vec<String>,
    pub trace: Trace,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn builtin_rules_load() {
        let files: Vec<(PathBuf, String)> = BUILTIN_FILES
            .iter()
            .map(|(n, t)| (PathBuf::from("rules").join(n), (*t).to_string()))
            .collect();
        let set = load_texts(&files).map_err(|d| d.to_string()).unwrap();
        assert_eq!(set.rules().len(), BUILTIN_FILES.len());
        assert_eq!(set.rules().last().map(|r| r.name.as_str()), Some("generic"));
        assert_eq!(set.version().len(), 16);
    }
}
