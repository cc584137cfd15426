//! Letter + rule → [`Request`]: fields, contacts, page, UTM, kind, action.

use std::sync::LazyLock;

use regex::Regex;

use super::classify::{self, BUILTIN};
use super::dictionary;
use super::layout;
use super::{ExtractIn, ParseOptions, Rule};
use crate::mail::letter::Letter;
use crate::request::{
    Action, Kind, Request, Utm, clean_value, fold_ws, is_robot_or_site_address, merge_utm,
    normalize_email, parse_phones, utm_from_pipe, utm_from_url,
};

/// Emails in free text; the matcher only runs when there is an `@`.
fn find_emails(text: &str) -> Vec<String> {
    if text.contains('@') {
        crate::request::find_emails(text)
    } else {
        Vec::new()
    }
}

/// Phone-shaped runs: optional +7/7/8, then 3-3-2-2 digits with the usual
/// separators, not glued to other digits.
static PHONE_SHAPE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^0-9])((?:\+\s?7|7|8)?[\s.\-]{0,2}\(?[0-9]{3,5}\)?[\s.\-]{0,2}[0-9]{1,3}[\s.\-]?[0-9]{2}[\s.\-]?[0-9]{2})(?:$|[^0-9])",
    )
    .ok()
});

/// Words right before a number that make it an id, not a phone.
static NOT_A_PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)(инн|огрн|кпп|бик|счет|счёт|р/с|заказ|order|№|#|id|utm|номер заявки)\W{0,3}$")
        .ok()
});

/// Phones in free text ("перезвоните 89171234567"), as E.164.
///
/// A fast private variant of `request::find_phones`: that one builds a
/// libphonenumber matcher per call (~40 µs), which alone would cap
/// throughput below the 20,000 mails/s target. Here a DFA regex finds
/// phone-shaped runs and `request::parse_phones` validates each one; bare
/// digit runs must look like a Russian number (11 digits from 7/8, 10 from
/// 9), and ids (ИНН, order №, utm…) are skipped.
fn find_phones(text: &str, region: &str) -> Vec<String> {
    let mut out = Vec::new();
    if text.bytes().filter(u8::is_ascii_digit).count() < 10 {
        return out;
    }
    let (Some(shape), Some(not_phone)) = (PHONE_SHAPE.as_ref(), NOT_A_PHONE.as_ref()) else {
        return out;
    };
    for caps in shape.captures_iter(text) {
        let Some(m) = caps.get(1) else { continue };
        let raw = m.as_str().trim();
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let plus = raw.starts_with('+');
        let bare = raw.chars().all(|c| c.is_ascii_digit());
        let shape_ok = match digits.len() {
            11 => plus || digits.starts_with('7') || digits.starts_with('8'),
            10 => !bare || digits.starts_with('9'),
            _ => false,
        };
        if !shape_ok {
            continue;
        }
        let before = &text[..m.start()];
        let before = &before[before.char_indices().rev().nth(20).map_or(0, |(i, _)| i)..];
        if not_phone.is_match(before) {
            continue;
        }
        for p in parse_phones(raw, region).e164 {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Canonical values gathered from labels and regexes.
#[derive(Default)]
struct Found {
    name: Option<String>,
    last_name: Option<String>,
    middle_name: Option<String>,
    phones: Vec<String>,
    emails: Vec<String>,
    product: Option<String>,
    address: Option<String>,
    visit_time: Option<String>,
    scope: Option<String>,
    referral: Option<String>,
    message: Option<String>,
    page: Option<String>,
    form: Option<String>,
    request_id: Option<String>,
    ip: Option<String>,
    utm: Utm,
    /// Emails written inside a name value (`От: Иван <ivan@x.ru>`).
    name_emails: Vec<String>,
    /// Values of fields no dictionary entry knows (value sniffing).
    unknown: Vec<String>,
    /// Text that says what the client wants (kind, trash, ignore).
    client_text: String,
}

fn first(slot: &mut Option<String>, v: &str) {
    if slot.is_none() {
        *slot = Some(v.to_string());
    }
}

impl Found {
    fn put(&mut self, canon: &str, v: &str, overwrite: bool) {
        let slot = match canon {
            "phone" => {
                self.phones.push(v.to_string());
                return;
            }
            "email" => {
                self.emails.push(v.to_string());
                return;
            }
            "name" => {
                let emails = find_emails(v);
                if emails.is_empty() {
                    &mut self.name
                } else {
                    self.name_emails.extend(emails);
                    let cleaned = strip_emails(v);
                    if cleaned.is_empty() {
                        return;
                    }
                    if overwrite || self.name.is_none() {
                        self.name = Some(cleaned);
                    }
                    return;
                }
            }
            "last_name" => &mut self.last_name,
            "middle_name" => &mut self.middle_name,
            "product" => &mut self.product,
            "address" => &mut self.address,
            "visit_time" => &mut self.visit_time,
            "scope" => &mut self.scope,
            "referral" => &mut self.referral,
            "message" => &mut self.message,
            "page" => &mut self.page,
            "form" => &mut self.form,
            "request_id" => &mut self.request_id,
            "ip" => &mut self.ip,
            "utm_source" => &mut self.utm.source,
            "utm_medium" => &mut self.utm.medium,
            "utm_campaign" => &mut self.utm.campaign,
            "utm_content" => &mut self.utm.content,
            "utm_term" => &mut self.utm.term,
            _ => return,
        };
        if overwrite {
            *slot = Some(v.to_string());
        } else {
            first(slot, v);
        }
    }
}

/// `Иван <ivan@x.ru>` → `Иван`.
fn strip_emails(v: &str) -> String {
    let mut s = v.to_string();
    for e in find_emails(v) {
        // find_emails lower-cases; remove case-insensitively by position.
        if let Some(pos) = s.to_lowercase().find(&e)
            && s.is_char_boundary(pos)
            && s.is_char_boundary(pos + e.len())
        {
            s.replace_range(pos..pos + e.len(), " ");
        }
    }
    let s = s.replace(['<', '>', '(', ')', '[', ']'], " ");
    fold_ws(s.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == ';'))
}

/// Canonical fields whose values say nothing about what the client wants.
fn is_technical(canon: &str) -> bool {
    matches!(
        canon,
        "page" | "request_id" | "ip" | "meta" | "phone" | "email"
    ) || canon.starts_with("utm_")
}

/// The URL in a page field (`url (url)`, `Title https://…`); a value with
/// no URL (a page title) is not a page.
fn page_url(v: &str) -> Option<String> {
    v.split_whitespace()
        .find(|t| {
            let t = t.to_ascii_lowercase();
            t.starts_with("http://") || t.starts_with("https://") || t.starts_with("www.")
        })
        .map(|t| t.trim_end_matches([',', ';', ')']).to_string())
}

fn dedupe(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

pub(crate) fn fill_meta(req: &mut Request, letter: &Letter) {
    let m = &mut req.meta;
    m.sender = letter.from.as_ref().map(|a| match &a.name {
        Some(n) if !n.is_empty() => format!("{n} <{}>", a.email),
        _ => a.email.clone(),
    });
    m.subject = letter.subject.as_ref().map(|s| s.trim().to_string());
    m.message_id = letter.message_id.clone();
    m.sent_at = letter.date.map(|d| d.to_string());
    if !letter.text.trim().is_empty() {
        m.raw_text = Some(letter.text.clone());
    }
}

/// Reads a letter with `rule` (or the shared dictionary alone when no rule
/// matched) into a request.
pub(crate) fn build(rule: Option<&Rule>, letter: &Letter, opts: &ParseOptions) -> Request {
    let mut req = Request {
        rule: rule.map(|r| r.name.clone()),
        ..Request::default()
    };
    fill_meta(&mut req, letter);

    let known = |norm: &str| -> Option<&'static str> {
        rule.and_then(|r| r.aliases.get(norm).copied())
            .or_else(|| dictionary::lookup(norm))
    };
    let text: std::borrow::Cow<str> = if letter.text.contains('\r') {
        letter.text.replace("\r\n", "\n").into()
    } else {
        letter.text.as_str().into()
    };
    let lay = layout::read(&text, &known);

    let mut f = Found::default();
    let mut honeypot = false;
    let subject = letter.subject.clone().unwrap_or_default();
    f.client_text.push_str(&subject);
    f.client_text.push('\n');

    for raw in &lay.fields {
        let Some(value) = clean_value(&raw.value) else {
            continue;
        };
        req.fields.push((raw.label.clone(), value.clone()));
        if classify::is_honeypot_label(&raw.label) {
            honeypot = true;
            continue;
        }
        match raw.canon {
            Some(c) => {
                f.put(c, &value, false);
                if !is_technical(c) {
                    f.client_text.push_str(&value);
                    f.client_text.push('\n');
                }
                // A filled "date of the measurement" says what is wanted.
                if c == "visit_time" {
                    f.client_text.push_str(&raw.label);
                    f.client_text.push('\n');
                }
            }
            None => {
                f.client_text.push_str(&value);
                f.client_text.push('\n');
                f.unknown.push(value);
            }
        }
    }

    // The rule's own regexes win over labels.
    if let Some(r) = rule {
        for ex in &r.extracts {
            // Body and HTML are matched with character references decoded.
            let hay: std::borrow::Cow<str> = match ex.within {
                ExtractIn::Body => crate::mail::html::decode_entities(&text),
                ExtractIn::Subject => subject.as_str().into(),
                ExtractIn::Html => {
                    crate::mail::html::decode_entities(letter.html.as_deref().unwrap_or(""))
                }
                ExtractIn::From => letter
                    .from
                    .as_ref()
                    .map(|a| a.email.as_str())
                    .unwrap_or("")
                    .into(),
            };
            if let Some(caps) = ex.regex.captures(&hay) {
                for g in &ex.groups {
                    if let Some(v) = caps.name(g).and_then(|m| clean_value(m.as_str())) {
                        f.put(g, &v, true);
                        if !is_technical(g) {
                            f.client_text.push_str(&v);
                            f.client_text.push('\n');
                        }
                    }
                }
            }
        }
    }

    // Name: first (middle) last, joined.
    let name_parts: Vec<String> = [&f.name, &f.middle_name, &f.last_name]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    req.name = (!name_parts.is_empty()).then(|| name_parts.join(" "));

    let mut labelled_phones: Vec<String> = Vec::new();
    // Phones: labelled fields, then the message text; value sniffing when
    // no phone label gave anything.
    let mut phones = Vec::new();
    for v in &f.phones {
        let p = parse_phones(v, &opts.region);
        phones.extend(p.e164.iter().cloned());
        labelled_phones.extend(p.e164);
        req.meta.extensions.extend(p.extensions);
        req.meta.phones_raw_invalid.extend(p.invalid);
    }
    if let Some(m) = &f.message {
        phones.extend(find_phones(m, &opts.region));
    }
    if phones.is_empty() {
        for v in f
            .unknown
            .iter()
            .chain(f.name.iter())
            .chain(f.address.iter())
        {
            phones.extend(find_phones(v, &opts.region));
        }
    }
    if phones.is_empty() && lay.fields.is_empty() {
        for l in &lay.loose {
            phones.extend(find_phones(l, &opts.region));
        }
    }
    // Numbers in headings, signatures and footers around the form are the
    // site's own: never the client's, unless a phone field holds them.
    if !lay.fields.is_empty() {
        let own: Vec<String> = lay
            .loose
            .iter()
            .flat_map(|l| find_phones(l, &opts.region))
            .filter(|p| !labelled_phones.contains(p))
            .collect();
        phones.retain(|p| !own.contains(p));
    }
    dedupe(&mut phones);
    req.phone = phones.first().cloned();
    req.phones = phones;

    // Email: the body first, Reply-To only when it is the visitor's.
    // Never the robot's, the site's or a forwarding manager's address.
    let forwarder = letter
        .outer
        .as_ref()
        .and_then(|o| o.from.as_ref())
        .map(|a| a.email.to_lowercase());
    let not_ours =
        |e: &String| !is_robot_or_site_address(e, letter) && forwarder.as_ref() != Some(e);
    let labelled = f.emails.iter().find_map(|e| normalize_email(e));
    let sniffed = || {
        f.name_emails
            .iter()
            .filter_map(|e| normalize_email(e))
            .chain(f.message.iter().flat_map(|m| find_emails(m)))
            .chain(f.unknown.iter().flat_map(|v| find_emails(v)))
            .find(not_ours)
    };
    let reply_to = || {
        letter
            .reply_to
            .iter()
            .filter_map(|a| normalize_email(&a.email))
            .find(not_ours)
    };
    req.email = labelled.or_else(sniffed).or_else(reply_to);
    // The form put the visitor in Reply-To: its display name is theirs too.
    if req.name.is_none()
        && let Some(e) = &req.email
    {
        req.name = letter
            .reply_to
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(e))
            .and_then(|a| a.name.as_deref())
            .and_then(clean_value)
            .filter(|n| !n.contains('@'));
    }

    req.product = f.product.clone();
    req.address = f.address.clone();
    req.visit_time = f.visit_time.clone();
    req.scope = f.scope.clone();
    req.referral = f.referral.clone();
    req.message = f.message.clone();
    req.form = f.form.clone();
    req.meta.source_request_id = f.request_id.clone();
    req.meta.ip = f.ip.clone();

    req.page = f.page.as_deref().and_then(page_url).or_else(|| {
        rule.filter(|r| r.options.bare_url_is_page)
            .and_then(|_| lay.bare_urls.first().cloned())
    });

    let mut utm = f.utm.clone();
    if let Some(p) = &req.page {
        utm = merge_utm(utm, utm_from_url(p));
    }
    for v in req.fields.iter().map(|(_, v)| v).chain(lay.loose.iter()) {
        if v.contains('|')
            && let Some(u) = utm_from_pipe(v)
        {
            utm = merge_utm(utm, u);
        }
    }
    req.utm = utm;

    classify_request(&mut req, rule, &f, honeypot, letter);
    req
}

fn classify_request(
    req: &mut Request,
    rule: Option<&Rule>,
    f: &Found,
    honeypot: bool,
    letter: &Letter,
) {
    let cl = rule.map(|r| &r.classify);
    let builtin = cl.is_none_or(|c| c.builtin);
    let b = &*BUILTIN;
    // The shared cues are lower-case patterns run on lower-cased text
    // (case-insensitive Cyrillic would multiply the DFA states).
    let lower = f.client_text.to_lowercase();
    let pick = |own: fn(&super::Classify) -> &Vec<regex::Regex>, set: &regex::RegexSet| {
        classify::hits(
            cl.map(own).map(Vec::as_slice).unwrap_or(&[]),
            builtin.then_some(set),
            &lower,
        )
    };

    req.kind = Kind::Other;
    if letter.text.trim().is_empty() && req.fields.is_empty() {
        req.action = Action::Review;
        req.meta.reason = Some(if letter.problems.is_empty() {
            "the mail has no readable text".into()
        } else {
            format!(
                "the mail has no readable text ({})",
                letter.problems.join("; ")
            )
        });
        return;
    }

    let message = f.message.as_deref().unwrap_or("");
    let is_test = [f.name.as_deref(), f.message.as_deref()]
        .into_iter()
        .flatten()
        .any(classify::is_test_value);
    if honeypot {
        req.action = Action::Ignore;
        req.meta.reason = Some("a honeypot field is filled in (robot)".into());
        return;
    }
    if pick(|c| &c.ignore, &b.ignore) {
        req.action = Action::Ignore;
        req.meta.reason = Some("spam patterns matched".into());
        return;
    }
    if builtin && classify::url_count(message) >= 2 {
        req.action = Action::Ignore;
        req.meta.reason = Some("link spam: several links in the message".into());
        return;
    }
    if is_test {
        req.action = Action::Ignore;
        req.meta.reason = Some("a test submission".into());
        return;
    }
    if pick(|c| &c.trash, &b.trash) {
        req.action = Action::Trash;
        req.meta.reason = Some("not about our products (trash patterns matched)".into());
        return;
    }
    if req.phone.is_none() && req.email.is_none() {
        let action = rule.map_or(Action::Review, |r| r.options.no_contact);
        req.action = action;
        req.meta.reason = Some(if req.fields.is_empty() {
            "no form fields and no phone or email found".into()
        } else {
            "neither a phone nor an email found".into()
        });
        return;
    }
    req.action = Action::Lead;
    req.kind = if pick(|c| &c.measurement, &b.measurement) {
        Kind::Measurement
    } else if pick(|c| &c.calculation, &b.calculation) {
        Kind::Calculation
    } else if pick(|c| &c.callback, &b.callback) {
        Kind::Callback
    } else if pick(|c| &c.question, &b.question) {
        Kind::Question
    } else if let Some(k) = cl.and_then(|c| c.default_kind) {
        k
    } else if f.message.is_some() {
        Kind::Question
    } else {
        Kind::Callback
    };
}
