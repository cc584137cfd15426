//! Rule file text → [`Rule`], reporting every problem with `path:line:col`.
//!
//! Pure: no I/O here (the caller reads files). The TOML is parsed with
//! `toml_edit`, whose spans give exact positions, and walked against the
//! schema by hand so that *every* unknown key, wrong type, bad regex and
//! unknown placeholder is reported, not just the first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use toml_edit::{Item, TableLike, Value};

use super::crm_spec::{CreateMode, CrmSpec, FieldSpec, NameOrId};
use super::dictionary::{is_canonical, normalize_label};
use super::{Classify, Cond, Extract, ExtractIn, Matcher, Options, Rule, Target};
use crate::diag::{Diagnostic, Diagnostics, Loc, Located};
use crate::request::{Action, Kind};

/// Compiled-program cap per regex: an admin's huge pattern is an error.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Nesting cap per regex (parentheses, repetitions).
pub const REGEX_NEST_LIMIT: u32 = 64;

/// Compiles an admin's pattern: case-insensitive, size- and nest-limited.
pub fn compile_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => format!(
                "regular expression is too large (limit {} KB); simplify it or split it into several patterns",
                REGEX_SIZE_LIMIT / 1024
            ),
            regex::Error::Syntax(msg) => {
                let detail = msg
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("error:"))
                    .map(str::trim)
                    .unwrap_or_else(|| crate::scan::lines(&msg).last().unwrap_or("syntax error"));
                format!("invalid regular expression: {detail}")
            }
            other => format!("invalid regular expression: {other}"),
        })
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    diags: Diagnostics,
}

impl Ctx<'_> {
    fn loc_at(&self, offset: usize) -> Loc {
        Loc::from_offset(self.path, self.text, offset)
    }
    fn item_loc(&self, item: &Item) -> Loc {
        item.span()
            .map(|s| self.loc_at(s.start))
            .unwrap_or_else(|| Loc::new(self.path, 1, 1))
    }
    fn value_loc(&self, v: &Value) -> Loc {
        v.span()
            .map(|s| self.loc_at(s.start))
            .unwrap_or_else(|| Loc::new(self.path, 1, 1))
    }
    fn key_loc(&self, t: &dyn TableLike, key: &str) -> Loc {
        t.key(key)
            .and_then(|k| k.span())
            .map(|s| self.loc_at(s.start))
            .or_else(|| t.get(key).map(|i| self.item_loc(i)))
            .unwrap_or_else(|| Loc::new(self.path, 1, 1))
    }
    fn err(&mut self, loc: Loc, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(loc, msg));
    }

    /// Reports keys not in `known`, all of them.
    fn unknown_keys(&mut self, t: &dyn TableLike, section: &str, known: &[&str]) {
        let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
        for k in keys {
            if !known.contains(&k.as_str()) {
                let loc = self.key_loc(t, &k);
                self.err(
                    loc,
                    format!(
                        "unknown key `{k}` in {section}; known keys: {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }

    fn string(&mut self, item: &Item, what: &str) -> Option<Located<String>> {
        match item.as_str() {
            Some(s) => Some(Located::new(s.to_string(), self.item_loc(item))),
            None => {
                let loc = self.item_loc(item);
                self.err(
                    loc,
                    format!("`{what}` must be a string, found {}", item.type_name()),
                );
                None
            }
        }
    }

    /// A string, or an array of strings.
    fn strings(&mut self, item: &Item, what: &str) -> Vec<Located<String>> {
        if let Some(s) = item.as_str() {
            return vec![Located::new(s.to_string(), self.item_loc(item))];
        }
        if let Some(arr) = item.as_array() {
            let mut out = Vec::new();
            for v in arr.iter() {
                match v.as_str() {
                    Some(s) => out.push(Located::new(s.to_string(), self.value_loc(v))),
                    None => {
                        let loc = self.value_loc(v);
                        self.err(
                            loc,
                            format!("`{what}` must hold strings, found {}", v.type_name()),
                        );
                    }
                }
            }
            return out;
        }
        let loc = self.item_loc(item);
        self.err(
            loc,
            format!(
                "`{what}` must be a string or an array of strings, found {}",
                item.type_name()
            ),
        );
        Vec::new()
    }

    fn regexes(&mut self, item: &Item, what: &str) -> Vec<Regex> {
        let pats = self.strings(item, what);
        pats.into_iter()
            .filter_map(|p| match compile_regex(&p.value) {
                Ok(r) => Some(r),
                Err(m) => {
                    self.err(p.loc, format!("`{what}`: {m}"));
                    None
                }
            })
            .collect()
    }

    fn name_or_id(&mut self, item: &Item, what: &str) -> Option<Located<NameOrId>> {
        let loc = self.item_loc(item);
        if let Some(s) = item.as_str() {
            if s.trim().is_empty() {
                self.err(loc, format!("`{what}` is empty"));
                return None;
            }
            return Some(Located::new(NameOrId::Name(s.to_string()), loc));
        }
        if let Some(i) = item.as_integer() {
            return Some(Located::new(NameOrId::Id(i), loc));
        }
        self.err(
            loc,
            format!(
                "`{what}` must be a name (string) or an id (integer), found {}",
                item.type_name()
            ),
        );
        None
    }

    /// Reports what the template engine finds wrong in a template
    /// (unknown `{placeholder}`, unclosed `{`), at its own column when the
    /// string has no escapes.
    fn check_template(&mut self, t: &Located<String>, what: &str) {
        let raw_start = t.loc.col as usize; // column of the opening quote
        for p in crate::template::check(crate::template::Scope::Request, &t.value) {
            let mut loc = t.loc.clone();
            if self.string_is_verbatim(&t.loc, &t.value) {
                let ci = t.value[..p.offset].chars().count();
                loc.col = (raw_start + 1 + ci) as u32;
            }
            self.err(loc, format!("`{what}`: {}", p.message));
        }
    }

    fn string_is_verbatim(&self, loc: &Loc, value: &str) -> bool {
        let Some(line) = crate::scan::lines(self.text).nth(loc.line.saturating_sub(1) as usize)
        else {
            return false;
        };
        let after: String = line.chars().skip(loc.col as usize).collect();
        after.starts_with(value)
    }
}

const TOP_KEYS: &[&str] = &[
    "name",
    "priority",
    "description",
    "match",
    "fields",
    "extract",
    "classify",
    "options",
    "crm",
];
const MATCH_KEYS: &[&str] = &[
    "from", "to", "reply_to", "subject", "body", "html", "headers", "any",
];
const ANY_KEYS: &[&str] = &[
    "from", "to", "reply_to", "subject", "body", "html", "headers",
];
const EXTRACT_KEYS: &[&str] = &["pattern", "in"];
const CLASSIFY_KEYS: &[&str] = &[
    "measurement",
    "calculation",
    "callback",
    "question",
    "trash",
    "ignore",
    "default_kind",
    "builtin",
];
const OPTIONS_KEYS: &[&str] = &["bare_url_is_page", "no_contact"];
const CRM_KEYS: &[&str] = &[
    "create",
    "lead_name",
    "tags",
    "pipeline",
    "status",
    "responsible",
    "lead_fields",
    "contact_fields",
    "loss_reason",
    "sla",
    "task_text",
];

/// Parses one rule file. `Err` holds every problem found in it.
pub fn parse_rule(path: &Path, text: &str) -> Result<Rule, Diagnostics> {
    let mut cx = Ctx {
        path,
        text,
        diags: Diagnostics::default(),
    };
    let doc = match crate::diag::parse_toml(text) {
        Ok(d) => d,
        Err(e) => {
            let loc = e
                .offset()
                .map(|o| cx.loc_at(o))
                .unwrap_or_else(|| Loc::new(path, 1, 1));
            cx.err(loc, format!("TOML syntax error: {}", e.message()));
            return Err(cx.diags);
        }
    };
    let root = doc.as_table();
    cx.unknown_keys(root, "the rule file", TOP_KEYS);

    let name = match root.get("name") {
        Some(i) => cx.string(i, "name"),
        None => {
            cx.err(
                Loc::new(path, 1, 1),
                "missing `name = \"...\"`: every rule needs a unique name",
            );
            None
        }
    };
    if let Some(n) = &name
        && n.value.trim().is_empty()
    {
        cx.err(n.loc.clone(), "`name` is empty");
    }
    let priority = match root.get("priority") {
        Some(i) => match i.as_integer() {
            Some(p) => p,
            None => {
                let loc = cx.item_loc(i);
                cx.err(
                    loc,
                    format!("`priority` must be an integer, found {}", i.type_name()),
                );
                0
            }
        },
        None => 0,
    };
    let description = root
        .get("description")
        .and_then(|i| cx.string(i, "description"))
        .map(|l| l.value);

    let matcher = match root.get("match") {
        Some(item) => parse_match(&mut cx, item),
        None => Matcher::default(),
    };
    let aliases = match root.get("fields") {
        Some(item) => parse_fields(&mut cx, item),
        None => rustc_hash::FxHashMap::default(),
    };
    let extracts = match root.get("extract") {
        Some(item) => parse_extracts(&mut cx, item),
        None => Vec::new(),
    };
    let classify = match root.get("classify") {
        Some(item) => parse_classify(&mut cx, item),
        None => Classify::default(),
    };
    let options = match root.get("options") {
        Some(item) => parse_options(&mut cx, item),
        None => Options::default(),
    };
    let crm = match root.get("crm") {
        Some(item) => parse_crm(&mut cx, item),
        None => CrmSpec::default(),
    };

    if !cx.diags.is_empty() {
        return Err(cx.diags);
    }
    let loc = name
        .as_ref()
        .map(|n| n.loc.clone())
        .unwrap_or_else(|| Loc::new(path, 1, 1));
    Ok(Rule {
        name: name.map(|n| n.value).unwrap_or_default(),
        priority,
        loc,
        crm,
        description,
        file: path.to_path_buf(),
        matcher,
        aliases,
        extracts,
        classify,
        options,
    })
}

fn table<'a>(cx: &mut Ctx, item: &'a Item, what: &str) -> Option<&'a dyn TableLike> {
    match item.as_table_like() {
        Some(t) => Some(t),
        None => {
            let loc = cx.item_loc(item);
            cx.err(
                loc,
                format!("`{what}` must be a table, found {}", item.type_name()),
            );
            None
        }
    }
}

fn conds(cx: &mut Ctx, t: &dyn TableLike, section: &str) -> Vec<Cond> {
    let mut out = Vec::new();
    for (k, item) in t.iter() {
        let target = match k {
            "from" => Target::From,
            "to" => Target::To,
            "reply_to" => Target::ReplyTo,
            "subject" => Target::Subject,
            "body" => Target::Body,
            "html" => Target::Html,
            "headers" => {
                if let Some(h) = table(cx, item, &format!("{section}.headers")) {
                    for (hname, hitem) in h.iter() {
                        let patterns = cx.regexes(hitem, &format!("headers.{hname}"));
                        out.push(Cond {
                            target: Target::Header(hname.to_string()),
                            patterns,
                        });
                    }
                }
                continue;
            }
            _ => continue,
        };
        let patterns = cx.regexes(item, &format!("{section}.{k}"));
        out.push(Cond { target, patterns });
    }
    out
}

fn parse_match(cx: &mut Ctx, item: &Item) -> Matcher {
    let Some(t) = table(cx, item, "match") else {
        return Matcher::default();
    };
    cx.unknown_keys(t, "[match]", MATCH_KEYS);
    let all = conds(cx, t, "match");
    let any = match t.get("any") {
        Some(a) => match table(cx, a, "match.any") {
            Some(at) => {
                cx.unknown_keys(at, "[match.any]", ANY_KEYS);
                conds(cx, at, "match.any")
            }
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    Matcher { all, any }
}

fn parse_fields(cx: &mut Ctx, item: &Item) -> rustc_hash::FxHashMap<String, &'static str> {
    let mut out = rustc_hash::FxHashMap::default();
    let Some(t) = table(cx, item, "fields") else {
        return out;
    };
    for (k, v) in t.iter() {
        let Some(canon) = super::dictionary::CANONICAL.iter().find(|c| **c == k) else {
            let loc = cx.key_loc(t, k);
            cx.err(
                loc,
                format!(
                    "unknown field name `{k}` in [fields]; use one of: {}",
                    super::dictionary::CANONICAL.join(", ")
                ),
            );
            continue;
        };
        for label in cx.strings(v, &format!("fields.{k}")) {
            let norm = normalize_label(&label.value);
            if norm.is_empty() {
                cx.err(label.loc, "empty label");
                continue;
            }
            out.insert(norm, *canon);
        }
    }
    out
}

fn parse_extracts(cx: &mut Ctx, item: &Item) -> Vec<Extract> {
    let mut out = Vec::new();
    let tables: Vec<&dyn TableLike> = if let Some(aot) = item.as_array_of_tables() {
        aot.iter().map(|t| t as &dyn TableLike).collect()
    } else if let Some(arr) = item.as_array() {
        let mut v = Vec::new();
        for val in arr.iter() {
            match val.as_inline_table() {
                Some(t) => v.push(t as &dyn TableLike),
                None => {
                    let loc = cx.value_loc(val);
                    cx.err(loc, "each `extract` entry must be a table with `pattern`");
                }
            }
        }
        v
    } else {
        let loc = cx.item_loc(item);
        cx.err(
            loc,
            "`extract` must be written as [[extract]] tables, each with `pattern = '...'`",
        );
        return out;
    };
    for t in tables {
        cx.unknown_keys(t, "[[extract]]", EXTRACT_KEYS);
        let within = match t.get("in") {
            Some(i) => match cx.string(i, "in") {
                Some(s) => match s.value.as_str() {
                    "body" => ExtractIn::Body,
                    "subject" => ExtractIn::Subject,
                    "html" => ExtractIn::Html,
                    "from" => ExtractIn::From,
                    other => {
                        cx.err(
                            s.loc,
                            format!(
                                "unknown `in = \"{other}\"`; use \"body\", \"subject\", \"html\" or \"from\""
                            ),
                        );
                        ExtractIn::Body
                    }
                },
                None => ExtractIn::Body,
            },
            None => ExtractIn::Body,
        };
        let Some(pitem) = t.get("pattern") else {
            let loc = t
                .iter()
                .next()
                .map(|(k, _)| cx.key_loc(t, k))
                .unwrap_or_else(|| Loc::new(cx.path, 1, 1));
            cx.err(loc, "[[extract]] needs `pattern = '...'`");
            continue;
        };
        let Some(p) = cx.string(pitem, "extract.pattern") else {
            continue;
        };
        match compile_regex(&p.value) {
            Ok(re) => {
                let mut groups = Vec::new();
                for g in re.capture_names().flatten() {
                    if is_canonical(g) {
                        groups.push(g.to_string());
                    } else {
                        cx.err(
                            p.loc.clone(),
                            format!(
                                "unknown field name `{g}` in a (?P<{g}>...) group; use one of: {}",
                                super::dictionary::CANONICAL.join(", ")
                            ),
                        );
                    }
                }
                if groups.is_empty() && re.capture_names().flatten().next().is_none() {
                    cx.err(
                        p.loc.clone(),
                        "`pattern` has no named group; write (?P<phone>...) with a field name",
                    );
                }
                out.push(Extract {
                    within,
                    regex: re,
                    groups,
                });
            }
            Err(m) => cx.err(p.loc, format!("`extract.pattern`: {m}")),
        }
    }
    out
}

fn kind_from(s: &str) -> Option<Kind> {
    Some(match s {
        "measurement" => Kind::Measurement,
        "calculation" => Kind::Calculation,
        "callback" => Kind::Callback,
        "question" => Kind::Question,
        "other" => Kind::Other,
        _ => return None,
    })
}

fn parse_classify(cx: &mut Ctx, item: &Item) -> Classify {
    let mut c = Classify::default();
    let Some(t) = table(cx, item, "classify") else {
        return c;
    };
    cx.unknown_keys(t, "[classify]", CLASSIFY_KEYS);
    for (k, v) in t.iter() {
        let what = format!("classify.{k}");
        match k {
            "measurement" => c.measurement = cx.regexes(v, &what),
            "calculation" => c.calculation = cx.regexes(v, &what),
            "callback" => c.callback = cx.regexes(v, &what),
            "question" => c.question = cx.regexes(v, &what),
            "trash" => c.trash = cx.regexes(v, &what),
            "ignore" => c.ignore = cx.regexes(v, &what),
            "default_kind" => {
                if let Some(s) = cx.string(v, &what) {
                    match kind_from(&s.value) {
                        Some(kd) => c.default_kind = Some(kd),
                        None => cx.err(
                            s.loc,
                            "unknown kind; use measurement, calculation, callback, question or other",
                        ),
                    }
                }
            }
            "builtin" => match v.as_bool() {
                Some(b) => c.builtin = b,
                None => {
                    let loc = cx.item_loc(v);
                    cx.err(loc, format!("`{what}` must be true or false"));
                }
            },
            _ => {}
        }
    }
    c
}

fn parse_options(cx: &mut Ctx, item: &Item) -> Options {
    let mut o = Options::default();
    let Some(t) = table(cx, item, "options") else {
        return o;
    };
    cx.unknown_keys(t, "[options]", OPTIONS_KEYS);
    if let Some(v) = t.get("bare_url_is_page") {
        match v.as_bool() {
            Some(b) => o.bare_url_is_page = b,
            None => {
                let loc = cx.item_loc(v);
                cx.err(loc, "`options.bare_url_is_page` must be true or false");
            }
        }
    }
    if let Some(v) = t.get("no_contact")
        && let Some(s) = cx.string(v, "options.no_contact")
    {
        match s.value.as_str() {
            "review" => o.no_contact = Action::Review,
            "ignore" => o.no_contact = Action::Ignore,
            _ => cx.err(s.loc, "`no_contact` must be \"review\" or \"ignore\""),
        }
    }
    o
}

fn field_specs(cx: &mut Ctx, item: &Item, what: &str) -> Vec<FieldSpec> {
    let mut out = Vec::new();
    let Some(t) = table(cx, item, what) else {
        return out;
    };
    for (k, v) in t.iter() {
        let kloc = cx.key_loc(t, k);
        let field = match k.parse::<i64>() {
            Ok(id) => NameOrId::Id(id),
            Err(_) => NameOrId::Name(k.to_string()),
        };
        if let Some(tpl) = cx.string(v, &format!("{what}.{k}")) {
            cx.check_template(&tpl, &format!("{what}.{k}"));
            out.push(FieldSpec {
                field: Located::new(field, kloc),
                template: tpl,
            });
        }
    }
    out
}

fn parse_crm(cx: &mut Ctx, item: &Item) -> CrmSpec {
    let mut c = CrmSpec::default();
    let Some(t) = table(cx, item, "crm") else {
        return c;
    };
    cx.unknown_keys(t, "[crm]", CRM_KEYS);
    for (k, v) in t.iter() {
        let what = format!("crm.{k}");
        match k {
            "create" => {
                if let Some(s) = cx.string(v, &what) {
                    match s.value.as_str() {
                        "unsorted" => c.create = CreateMode::Unsorted,
                        "complex" => c.create = CreateMode::Complex,
                        _ => cx.err(s.loc, "`create` must be \"unsorted\" or \"complex\""),
                    }
                }
            }
            "lead_name" => {
                if let Some(s) = cx.string(v, &what) {
                    cx.check_template(&s, &what);
                    c.lead_name = Some(s);
                }
            }
            "tags" => {
                for s in cx.strings(v, &what) {
                    cx.check_template(&s, &what);
                    c.tags.push(s);
                }
            }
            "pipeline" => c.pipeline = cx.name_or_id(v, &what),
            "status" => c.status = cx.name_or_id(v, &what),
            "loss_reason" => c.loss_reason = cx.name_or_id(v, &what),
            "responsible" => {
                if let Some(arr) = v.as_array() {
                    for val in arr.iter() {
                        let loc = cx.value_loc(val);
                        if let Some(s) = val.as_str() {
                            c.responsible
                                .push(Located::new(NameOrId::Name(s.to_string()), loc));
                        } else if let Some(i) = val.as_integer() {
                            c.responsible.push(Located::new(NameOrId::Id(i), loc));
                        } else {
                            cx.err(loc, "`crm.responsible` must hold names or ids");
                        }
                    }
                } else if let Some(r) = cx.name_or_id(v, &what) {
                    c.responsible.push(r);
                }
            }
            "lead_fields" => c.lead_fields = field_specs(cx, v, &what),
            "contact_fields" => c.contact_fields = field_specs(cx, v, &what),
            "sla" => {
                if let Some(s) = cx.string(v, &what) {
                    match crate::config::parse_duration(&s.value) {
                        Some(d) if d.as_secs() > 0 => c.sla_secs = Some(d.as_secs()),
                        _ => cx.err(
                            s.loc,
                            "`sla` must be a duration like \"10m\", \"1h\" or \"90s\"",
                        ),
                    }
                }
            }
            "task_text" => {
                if let Some(s) = cx.string(v, &what) {
                    cx.check_template(&s, &what);
                    c.task_text = Some(s.value);
                }
            }
            _ => {}
        }
    }
    c
}

/// Loads several rule files (path, text); duplicate names are reported at
/// both places. Pure: the caller did the reading.
pub fn load_texts(files: &[(PathBuf, String)]) -> Result<Vec<Rule>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut rules: Vec<Rule> = Vec::new();
    for (path, text) in files {
        match parse_rule(path, text) {
            Ok(r) => rules.push(r),
            Err(d) => diags.extend(d),
        }
    }
    let mut seen: HashMap<String, Loc> = HashMap::new();
    for r in &rules {
        if let Some(first) = seen.get(&r.name) {
            diags.push(Diagnostic::new(
                r.loc.clone(),
                format!(
                    "duplicate rule name `{}` (also defined at {first}); rule names must be unique",
                    r.name
                ),
            ));
            diags.push(Diagnostic::new(
                first.clone(),
                format!(
                    "duplicate rule name `{}` (also defined at {}); rule names must be unique",
                    r.name, r.loc
                ),
            ));
        } else {
            seen.insert(r.name.clone(), r.loc.clone());
        }
    }
    if diags.is_empty() {
        Ok(rules)
    } else {
        Err(diags.sorted())
    }
}

/// Where an active rule came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into the binary.
    Shipped,
    /// A file of the admin's folder, adding a rule.
    Folder(PathBuf),
    /// A file of the admin's folder, replacing the shipped rule of the
    /// same name.
    Replaces(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Shipped => write!(f, "shipped"),
            Origin::Folder(p) => write!(f, "{}", p.display()),
            Origin::Replaces(p) => write!(f, "{} (replaces the shipped rule)", p.display()),
        }
    }
}

/// A rule file as read: its path and text.
pub type RuleFile = (PathBuf, String);

/// The `name = "…"` of a rule text, if it can be read (a file that cannot
/// is reported by [`load_texts`]).
fn rule_name(text: &str) -> Option<String> {
    let doc = crate::diag::parse_toml(text).ok()?;
    doc.as_table()
        .get("name")?
        .as_str()
        .map(|s| s.trim().to_string())
}

/// The rule files of a layered set, and each rule's origin: the shipped
/// files (when `use_shipped`), except those whose rule a folder file
/// names too, then every folder file. Pure.
pub fn layer(
    shipped: &[RuleFile],
    folder: &[RuleFile],
    use_shipped: bool,
) -> (Vec<RuleFile>, Vec<(String, Origin)>) {
    let folder_names: Vec<(Option<String>, &PathBuf)> =
        folder.iter().map(|(p, t)| (rule_name(t), p)).collect();
    let mut files = Vec::new();
    let mut origins = Vec::new();
    let mut replaced: Vec<String> = Vec::new();
    if use_shipped {
        for (p, t) in shipped {
            let name = rule_name(t).unwrap_or_default();
            if folder_names
                .iter()
                .any(|(n, _)| n.as_deref() == Some(&name))
            {
                replaced.push(name);
            } else {
                files.push((p.clone(), t.clone()));
                origins.push((name, Origin::Shipped));
            }
        }
    }
    for ((p, t), (name, _)) in folder.iter().zip(&folder_names) {
        files.push((p.clone(), t.clone()));
        if let Some(n) = name {
            let origin = if replaced.contains(n) {
                Origin::Replaces(p.clone())
            } else {
                Origin::Folder(p.clone())
            };
            origins.push((n.clone(), origin));
        }
    }
    (files, origins)
}

#[cfg(test)]
mod toml_panic_tests {
    use super::*;

    /// A rule text on which toml_edit's parser panics ("all items have
    /// spans"; found by fuzzing `rules_load`): an error at line 1 of the
    /// file, not a crash of `check` or of the daemon's reload.
    #[test]
    fn a_text_the_toml_parser_panics_on_is_a_located_error() {
        let raw = include_bytes!("../../fuzz/corpus/rules_load/toml-edit-span-panic");
        let text = String::from_utf8_lossy(raw);
        let e = match parse_rule(Path::new("site.toml"), &text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("the malformed text loaded as a rule"),
        };
        assert!(
            e.contains("site.toml:1:1: TOML syntax error: the TOML reader gave up"),
            "{e}"
        );
    }
}

#[cfg(test)]
mod layer_tests {
    use super::*;

    fn f(p: &str, name: &str) -> (PathBuf, String) {
        (PathBuf::from(p), format!("name = \"{name}\"\n"))
    }

    #[test]
    fn folder_adds_replaces_and_can_turn_shipped_off() {
        let shipped = [f("rules/tilda.toml", "tilda"), f("rules/cf7.toml", "cf7")];
        let folder = [f("/etc/r/my.toml", "my-site"), f("/etc/r/t.toml", "tilda")];
        let (files, origins) = layer(&shipped, &folder, true);
        let paths: Vec<&str> = files
            .iter()
            .map(|(p, _)| p.to_str().unwrap_or(""))
            .collect();
        assert_eq!(paths, ["rules/cf7.toml", "/etc/r/my.toml", "/etc/r/t.toml"]);
        assert_eq!(
            origins,
            [
                ("cf7".to_string(), Origin::Shipped),
                ("my-site".into(), Origin::Folder("/etc/r/my.toml".into())),
                ("tilda".into(), Origin::Replaces("/etc/r/t.toml".into())),
            ]
        );
        let (files, origins) = layer(&shipped, &folder, false);
        assert_eq!(files.len(), 2);
        assert!(origins.iter().all(|(_, o)| *o != Origin::Shipped));
        // An empty folder: the shipped rules alone.
        let (files, _) = layer(&shipped, &[], true);
        assert_eq!(files.len(), 2);
    }
}
