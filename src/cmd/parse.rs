//! `amo-intake parse`: .eml files to JSON Lines (the keys are a public contract:
//! kept and added, never renamed).
//!
//! One line per file, in input order, exit 0 even for unreadable files (they
//! print an `action: review` line and the reason on stderr), so a shell loop
//! over a mail folder never loses its place. `--explain` prints, instead,
//! what a rule author needs to see about each mail, as readable text.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::crm::payload;
use crate::request::{Action, Request};
use crate::rules::{Explained, ParseOptions, RuleSet};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rules folder, layered over the shipped rules (a folder rule adds a
    /// rule or replaces the shipped one of its name); the shipped rules
    /// alone when omitted.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Use the folder's rules alone, without the shipped ones.
    #[arg(long, requires = "rules")]
    pub no_shipped: bool,
    /// Default phone region for numbers without a country code.
    #[arg(long, default_value = "RU")]
    pub region: String,
    /// Mails larger than this many bytes become `review`, unparsed.
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    pub max_mail_bytes: usize,
    /// Explain how each mail is read (rule, text, pairs, cues, the lead)
    /// instead of printing JSON Lines.
    #[arg(long)]
    pub explain: bool,
    /// .eml files to read.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rules = match &args.rules {
        Some(dir) => match RuleSet::load_layered(Some(dir), !args.no_shipped) {
            Ok(r) => r,
            Err(d) => {
                eprint!("{d}");
                anyhow::bail!(
                    "{} problem(s) in the rules in {}; run `amo-intake check --rules {}`",
                    d.len(),
                    dir.display(),
                    dir.display()
                );
            }
        },
        None => RuleSet::builtin(),
    };
    // Which rules read the mails, on stderr: stdout is JSON Lines only.
    eprintln!("amo-intake parse: active rules, in the order they are tried:");
    for line in rules.describe() {
        eprintln!("  {line}");
    }
    let opts = ParseOptions {
        region: args.region.clone(),
        max_mail_bytes: args.max_mail_bytes,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.explain {
        for file in &args.files {
            let shown = file.display().to_string();
            match std::fs::read(file) {
                Ok(raw) => {
                    let e = rules.explain(&raw, &opts);
                    write!(out, "{}", explain_text(&shown, &e, &rules))
                        .context("writing to stdout")?;
                }
                Err(e) => eprintln!("amo-intake parse: {shown}: cannot read: {e}"),
            }
        }
        out.flush().context("writing to stdout")?;
        return Ok(ExitCode::SUCCESS);
    }
    for file in &args.files {
        let shown = file.display().to_string();
        let req = match std::fs::read(file) {
            Ok(raw) => rules.apply(&raw, &opts),
            Err(e) => {
                eprintln!("amo-intake parse: {shown}: cannot read: {e}");
                Request {
                    action: Action::Review,
                    ..Request::default()
                }
            }
        };
        for w in &req.meta.warnings {
            eprintln!("amo-intake parse: {shown}: warning: {w}");
        }
        let line = serde_json::to_string(&req.contract_json(&shown)).context("JSON output")?;
        writeln!(out, "{line}").context("writing to stdout")?;
    }
    out.flush().context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// The `--explain` report for one mail.
fn explain_text(file: &str, e: &Explained, rules: &RuleSet) -> String {
    use std::fmt::Write as _;
    let r = &e.request;
    let l = &e.letter;
    let mut o = String::new();
    let addr = |a: &crate::mail::letter::Address| match &a.name {
        Some(n) if !n.is_empty() => format!("{n} <{}>", a.email),
        _ => a.email.clone(),
    };
    let _ = writeln!(o, "=== {file}");
    let _ = writeln!(
        o,
        "From:     {}",
        l.from.as_ref().map(addr).unwrap_or_default()
    );
    if !l.reply_to.is_empty() {
        let rt: Vec<String> = l.reply_to.iter().map(addr).collect();
        let _ = writeln!(o, "Reply-To: {}", rt.join(", "));
    }
    let _ = writeln!(o, "Subject:  {}", l.subject.as_deref().unwrap_or(""));
    if l.outer.is_some() {
        let _ = writeln!(
            o,
            "(a forwarded or quoted mail: the original inside was read)"
        );
    }
    for p in &l.problems {
        let _ = writeln!(o, "Problem:  {p}");
    }

    let _ = writeln!(o, "\n-- Rule");
    match r.rule.as_deref().and_then(|n| rules.get(n)) {
        Some(rule) => {
            let _ = writeln!(
                o,
                "{} (priority {}, {})",
                rule.name,
                rule.priority,
                rule.file.display()
            );
        }
        None => {
            let _ = writeln!(o, "none");
        }
    }
    for why in &e.rule_reason {
        let _ = writeln!(o, "  because {why}");
    }

    let t = &e.trace;
    let _ = writeln!(
        o,
        "\n-- Text the extractors read ({})",
        if t.text_source == "html" {
            "from the HTML part: tables, captions and lists as `Label: value` lines"
        } else {
            "the plain-text part"
        }
    );
    for line in t.text.lines() {
        let _ = writeln!(o, "  | {line}");
    }

    let _ = writeln!(o, "\n-- Label/value pairs (layout; meaning)");
    if t.pairs.is_empty() {
        let _ = writeln!(o, "  none found");
    }
    for p in &t.pairs {
        let _ = writeln!(
            o,
            "  [{}] = {:?}\n      {}; {}",
            p.label,
            p.value,
            p.shape,
            p.meaning
                .as_deref()
                .unwrap_or("unknown label: kept in fields and in the note")
        );
    }
    for (field, value, pat) in &t.extracts {
        let _ = writeln!(o, "  {field} = {value:?}  from [[extract]] /{pat}/");
    }

    let _ = writeln!(o, "\n-- Result");
    let _ = writeln!(
        o,
        "action: {}   kind: {}",
        r.action.as_str(),
        r.kind.as_str()
    );
    let _ = writeln!(o, "decided by: {}", t.cue);
    for w in &r.meta.warnings {
        let _ = writeln!(o, "warning: {w}");
    }
    if let Some(reason) = &r.meta.reason {
        let _ = writeln!(o, "reason: {reason}");
    }
    let show = |k: &str, v: &Option<String>| -> String {
        format!("{k:<10} {}", v.as_deref().unwrap_or("-"))
    };
    for (k, v) in [
        ("name", &r.name),
        ("phone", &r.phone),
        ("email", &r.email),
        ("product", &r.product),
        ("address", &r.address),
        ("visit_time", &r.visit_time),
        ("scope", &r.scope),
        ("referral", &r.referral),
        ("page", &r.page),
        ("form", &r.form),
    ] {
        let _ = writeln!(o, "{}", show(k, v));
    }
    if r.phones.len() > 1 {
        let _ = writeln!(o, "{:<10} {}", "phones", r.phones.join(", "));
    }
    if let Some(m) = &r.message {
        let _ = writeln!(o, "message:");
        for line in m.lines() {
            let _ = writeln!(o, "  | {line}");
        }
    }

    let _ = writeln!(o, "\n-- What amoCRM would get");
    if r.action == Action::Ignore {
        let _ = writeln!(o, "nothing (ignored; the mail is only journalled)");
    } else {
        let default_spec = crate::rules::CrmSpec::default();
        let spec = r
            .rule
            .as_deref()
            .and_then(|n| rules.get(n))
            .map_or(&default_spec, |x| &x.crm);
        let name = payload::lead_name(spec, r, "(request key)");
        let tags = payload::lead_tags(spec, r, &payload::Defaults::default().review_tag);
        let _ = writeln!(o, "lead name: {name}");
        let _ = writeln!(o, "tags:      {}", tags.join(", "));
        let _ = writeln!(o, "note:");
        for line in payload::note_text(r, "(request key)").lines() {
            let _ = writeln!(o, "  | {line}");
        }
    }
    o.push('\n');
    o
}
