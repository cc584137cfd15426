//! Admin-written rule files: match, extract, classify.
//! (skeleton: the API other modules rely on; the parsing work fills it in)

pub mod crm_spec;

use std::path::Path;

use crate::diag::{Diagnostics, Loc};
use crate::request::Request;

pub use crm_spec::CrmSpec;

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

#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub priority: i64,
    /// Where the rule starts (its file, line 1 col 1 for a one-rule file).
    pub loc: Loc,
    pub crm: CrmSpec,
}

/// A validated, immutable set of rules; swapped whole on reload.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    version: String,
}

impl RuleSet {
    /// Loads every `*.toml` in `dir`; all problems at once.
    pub fn load_dir(_dir: &Path) -> Result<RuleSet, Diagnostics> {
        Ok(RuleSet::default())
    }

    /// The shipped rules, compiled into the binary.
    pub fn builtin() -> RuleSet {
        RuleSet::default()
    }

    /// Content hash of the rule files, journalled with every parsed mail.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// Raw mail to a request. Never panics; bad input becomes `review`.
    pub fn apply(&self, raw: &[u8], _opts: &ParseOptions) -> Request {
        let _ = raw;
        Request::default()
    }
}
