//! The one template engine for every text made from data: the lead name,
//! tags, custom field values and call-task text a rule writes (filled from a
//! [`Request`]), and the alert and digest texts (filled by `alert` and
//! `sla`). One placeholder table, [`TABLE`], is what `check` validates
//! templates against and what the renderers fill: a placeholder `check`
//! accepts is one the delivery path renders, and the other way round.
//!
//! Syntax: `{name}`; a `{` without a closing `}` is a template error. An
//! empty value renders as nothing, and request texts are tidied afterwards
//! (runs of spaces collapsed, separators left dangling at either end by an
//! empty value removed), so `"{kind_ru}: {name}"` without a name reads
//! `"Замер"`, not `"Замер: "`.

use crate::request::{Kind, Request};

/// Which renderer fills a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Rule templates (`[crm] lead_name`, `tags`, `lead_fields`,
    /// `contact_fields`, `task_text`): filled from the request.
    Request,
    /// Alert texts (`first.txt`, `escalation.txt`, `reminder.txt`).
    Alert,
    /// The daily digest (`digest.txt`).
    Digest,
    /// Procedure-check reminders (`check_<name>.txt`).
    Check,
}

/// One placeholder: its name, where it may be used, what it becomes.
#[derive(Debug, Clone, Copy)]
pub struct Placeholder {
    pub name: &'static str,
    pub scope: Scope,
    pub meaning: &'static str,
}

const fn p(name: &'static str, scope: Scope, meaning: &'static str) -> Placeholder {
    Placeholder {
        name,
        scope,
        meaning,
    }
}

/// Every placeholder of every template. docs/rules.md ("Placeholders") and
/// docs/sla.md list the same names; a test keeps docs/rules.md in step.
pub const TABLE: &[Placeholder] = &[
    p("name", Scope::Request, "client's name"),
    p("phone", Scope::Request, "first phone, as +7…"),
    p("phones", Scope::Request, "every phone, comma-separated"),
    p("email", Scope::Request, "client's email"),
    p("product", Scope::Request, "product or service of interest"),
    p("address", Scope::Request, "address of the object / visit"),
    p(
        "visit_time",
        Scope::Request,
        "wished date/time of the visit",
    ),
    p("scope", Scope::Request, "size of the job"),
    p("referral", Scope::Request, "where the client heard of us"),
    p("message", Scope::Request, "the client's free text"),
    p("page", Scope::Request, "URL of the form page"),
    p("site", Scope::Request, "host of the form page"),
    p("form", Scope::Request, "the form's name"),
    p(
        "kind",
        Scope::Request,
        "measurement, calculation, callback, question or other",
    ),
    p(
        "kind_ru",
        Scope::Request,
        "Замер, Расчёт, Обратный звонок, Вопрос or Заявка",
    ),
    p("action", Scope::Request, "lead, review, trash or ignore"),
    p(
        "rule",
        Scope::Request,
        "name of the rule that read the mail",
    ),
    p("subject", Scope::Request, "subject of the mail"),
    p("request_id", Scope::Request, "the site's own request id"),
    p("utm_source", Scope::Request, "UTM source"),
    p("utm_medium", Scope::Request, "UTM medium"),
    p("utm_campaign", Scope::Request, "UTM campaign"),
    p("utm_content", Scope::Request, "UTM content"),
    p("utm_term", Scope::Request, "UTM term"),
    p("client", Scope::Alert, "client's name"),
    p("phone", Scope::Alert, "client's phone"),
    p("asked", Scope::Alert, "what the client asked for"),
    p("waited", Scope::Alert, "how long the client has waited"),
    p("manager", Scope::Alert, "the responsible manager"),
    p("link", Scope::Alert, "link to the lead in amoCRM"),
    p("deadline", Scope::Alert, "callback deadline, local time"),
    p("lead_id", Scope::Alert, "amoCRM lead id"),
    p("kind", Scope::Alert, "kind of request"),
    p(
        "channel",
        Scope::Alert,
        "where the request came from: сайт, WhatsApp, Telegram, звонок…",
    ),
    p("client", Scope::Check, "client's name"),
    p("manager", Scope::Check, "the responsible manager"),
    p("link", Scope::Check, "link to the lead in amoCRM"),
    p("lead_id", Scope::Check, "amoCRM lead id"),
    p("stage", Scope::Check, "the lead's stage"),
    p("detail", Scope::Check, "what the check found missing"),
    p(
        "waited",
        Scope::Check,
        "how long the lead has been in the stage",
    ),
    p("date", Scope::Digest, "the day reported"),
    p("total", Scope::Digest, "requests that day"),
    p("answered", Scope::Digest, "called back"),
    p("late", Scope::Digest, "called back after the deadline"),
    p("breached", Scope::Digest, "not called back by the deadline"),
    p("waiting", Scope::Digest, "still waiting"),
    p("median", Scope::Digest, "median response time"),
    p("p90", Scope::Digest, "90th percentile response time"),
];

/// Placeholder names usable in `scope`, in table order.
pub fn names(scope: Scope) -> Vec<&'static str> {
    TABLE
        .iter()
        .filter(|p| p.scope == scope)
        .map(|p| p.name)
        .collect()
}

fn known(scope: Scope, name: &str) -> bool {
    TABLE.iter().any(|p| p.scope == scope && p.name == name)
}

/// A problem in a template text: byte offset of its `{` and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub message: String,
}

/// Every problem of a template: unknown placeholders (with the list of
/// known ones) and a `{` that is never closed.
pub fn check(scope: Scope, template: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = template[at..].find('{').map(|o| o + at) {
        let Some(close) = template[open + 1..].find('}').map(|c| c + open + 1) else {
            out.push(Problem {
                offset: open,
                message: "`{` without a closing `}`".into(),
            });
            break;
        };
        let name = &template[open + 1..close];
        if !known(scope, name) {
            out.push(Problem {
                offset: open,
                message: format!(
                    "unknown placeholder `{{{name}}}`; known: {}",
                    names(scope)
                        .iter()
                        .map(|n| format!("{{{n}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        at = close + 1;
    }
    out
}

/// Replaces each `{name}` with `value(name)`; a name it does not know
/// (`None`) stays as written. No tidying: alert texts keep their layout.
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Russian word for a kind, as `{kind_ru}` renders it.
pub fn kind_ru(kind: Kind) -> &'static str {
    match kind {
        Kind::Measurement => "Замер",
        Kind::Calculation => "Расчёт",
        Kind::Callback => "Обратный звонок",
        Kind::Question => "Вопрос",
        Kind::Other => "Заявка",
    }
}

/// The value of a [`Scope::Request`] placeholder (`""` when the request
/// lacks it); `None` for a name not in the table.
pub fn request_value(name: &str, r: &Request) -> Option<String> {
    if !known(Scope::Request, name) {
        return None;
    }
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    Some(match name {
        "name" => o(&r.name),
        "phone" => r
            .phone
            .clone()
            .or_else(|| r.phones.first().cloned())
            .unwrap_or_default(),
        "phones" => r.phones.join(", "),
        "email" => o(&r.email),
        "product" => o(&r.product),
        "address" => o(&r.address),
        "visit_time" => o(&r.visit_time),
        "scope" => o(&r.scope),
        "referral" => o(&r.referral),
        "message" => o(&r.message),
        "page" => o(&r.page),
        "site" => site(r.page.as_deref()).unwrap_or_default(),
        "form" => o(&r.form),
        "kind" => r.kind.as_str().to_string(),
        "kind_ru" => kind_ru(r.kind).to_string(),
        "action" => r.action.as_str().to_string(),
        "rule" => o(&r.rule),
        "subject" => o(&r.meta.subject),
        "request_id" => o(&r.meta.source_request_id),
        "utm_source" => o(&r.utm.source),
        "utm_medium" => o(&r.utm.medium),
        "utm_campaign" => o(&r.utm.campaign),
        "utm_content" => o(&r.utm.content),
        "utm_term" => o(&r.utm.term),
        _ => return None,
    })
}

/// Host of a page URL, `www.` kept as written.
fn site(page: Option<&str>) -> Option<String> {
    let u = url::Url::parse(page?.trim()).ok()?;
    u.host_str().map(str::to_string)
}

/// A rule template filled from a request, then tidied: whitespace runs
/// become one space, and separators an empty value left at either end
/// (`—`, `-`, `:`, `,`, `|`) are removed.
pub fn render_request(template: &str, r: &Request) -> String {
    let filled = fill(template, |n| request_value(n, r));
    let t = filled.split_whitespace().collect::<Vec<_>>().join(" ");
    t.trim_matches(|c: char| matches!(c, '—' | '–' | '-' | ':' | ',' | '|') || c.is_whitespace())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Action;

    #[test]
    fn every_request_placeholder_has_a_value_and_kind_is_english() {
        let r = Request {
            name: Some("Иван".into()),
            kind: Kind::Measurement,
            action: Action::Lead,
            page: Some("https://okna.example.ru/zamer?utm_source=ya".into()),
            ..Request::default()
        };
        for n in names(Scope::Request) {
            assert!(request_value(n, &r).is_some(), "{n} has no value");
        }
        assert_eq!(render_request("{kind}", &r), "measurement");
        assert_eq!(
            render_request("{kind_ru}: {name} {phone}", &r),
            "Замер: Иван"
        );
        assert_eq!(render_request("{site}", &r), "okna.example.ru");
        assert_eq!(render_request("{kind_ru} — {email}", &r), "Замер");
        // Unknown names stay as written (check reports them first).
        assert_eq!(render_request("{x} {", &r), "{x} {");
    }

    #[test]
    fn check_reports_unknown_and_unclosed_at_their_offset() {
        let p = check(Scope::Request, "Заявка {nmae} {name} {");
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].offset, "Заявка ".len());
        assert!(p[0].message.starts_with("unknown placeholder `{nmae}`"));
        assert!(p[1].message.contains("without a closing"));
        assert!(check(Scope::Alert, "{client} {waited}").is_empty());
        assert_eq!(check(Scope::Digest, "{client}").len(), 1);
    }

    #[test]
    fn fill_leaves_unknown_names() {
        let t = fill("a {x} {y} {", |n| (n == "x").then(|| "1".to_string()));
        assert_eq!(t, "a 1 {y} {");
    }

    #[test]
    fn docs_list_every_request_placeholder() {
        let docs = include_str!("../docs/rules.md");
        for n in names(Scope::Request) {
            assert!(
                docs.contains(&format!("`{{{n}}}`")),
                "docs/rules.md lacks {{{n}}}"
            );
        }
    }
}
