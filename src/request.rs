//! The structured request read off one form mail, and its normalisation.
//!
//! `Request` is what flows from the rules engine to the journal and amoCRM.
//! Its contract fields are exactly the JSON keys of `amo-intake parse`
//! (a public contract: keys are kept and added, never renamed); everything else lives in [`RequestMeta`], which
//! `parse` never prints.

use std::sync::LazyLock;

use regex::Regex;
use rlibphonenumber::phonenumber_matcher::{FindNumberExt, Leniency};
use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, Region};
use serde::{Deserialize, Serialize};

use crate::mail::letter::Letter;

/// What the daemon does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A real request: lead in «Неразобранное», call task, SLA clock.
    Lead,
    /// A real person, not about our products: lead in «Корзина», no task, no SLA.
    Trash,
    /// Robot spam or a test submission: journalled only.
    Ignore,
    /// Nothing matched well enough: still a lead, tagged for a human.
    #[default]
    Review,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Lead => "lead",
            Action::Trash => "trash",
            Action::Ignore => "ignore",
            Action::Review => "review",
        }
    }
}

/// What the client asks for; the first that applies wins: a measurement
/// visit (замер) > a price calculation > only a callback > a question;
/// `Other` for trash, ignore and review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Measurement,
    Calculation,
    Callback,
    Question,
    #[default]
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Measurement => "measurement",
            Kind::Calculation => "calculation",
            Kind::Callback => "callback",
            Kind::Question => "question",
            Kind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Utm {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub content: Option<String>,
    pub term: Option<String>,
}

/// One structured request. Contract fields first (the keys `parse` prints), then `meta`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Request {
    pub rule: Option<String>,
    pub action: Action,
    pub kind: Kind,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub product: Option<String>,
    pub address: Option<String>,
    pub visit_time: Option<String>,
    pub scope: Option<String>,
    pub referral: Option<String>,
    pub message: Option<String>,
    pub page: Option<String>,
    pub utm: Utm,
    pub form: Option<String>,
    pub fields: Vec<(String, String)>,
    #[serde(default)]
    pub meta: RequestMeta,
}

/// Facts about a request that are not part of the `parse` contract but that
/// delivery, notes and alerts need.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RequestMeta {
    /// Why the request is `review` / `ignore` / `trash` (human-readable).
    pub reason: Option<String>,
    /// Phone strings that did not parse as valid numbers, kept raw.
    pub phones_raw_invalid: Vec<String>,
    /// Extensions ("доб. 12") by E.164 number.
    pub extensions: Vec<(String, String)>,
    /// The source's own request id (Tilda Request ID, Bitrix RESULT_ID…).
    pub source_request_id: Option<String>,
    /// Original sender and subject, for the lead note.
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    /// Date header as RFC 3339, when present.
    pub sent_at: Option<String>,
    /// Client IP when the mail carries one (Bitrix, CF7 `[_remote_ip]`).
    pub ip: Option<String>,
    /// Plain text of the form body, for `review` leads.
    pub raw_text: Option<String>,
    /// What the reader kept aside instead of guessing (e.g. a page path
    /// whose site is unknown): shown by `parse` on stderr and logged by the
    /// daemon, so a value is never dropped silently.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Request {
    /// The exact object `amo-intake parse` prints for one file (the contract
    /// keys, in that order, absent = null).
    pub fn contract_json(&self, file: &str) -> serde_json::Value {
        let fields: Vec<serde_json::Value> = self
            .fields
            .iter()
            .map(|(k, v)| serde_json::json!([k, v]))
            .collect();
        let mut m = serde_json::Map::new();
        m.insert("file".into(), file.into());
        m.insert("rule".into(), opt(&self.rule));
        m.insert("action".into(), self.action.as_str().into());
        m.insert("kind".into(), self.kind.as_str().into());
        m.insert("name".into(), opt(&self.name));
        m.insert("phone".into(), opt(&self.phone));
        m.insert("phones".into(), self.phones.clone().into());
        m.insert("email".into(), opt(&self.email));
        m.insert("product".into(), opt(&self.product));
        m.insert("address".into(), opt(&self.address));
        m.insert("visit_time".into(), opt(&self.visit_time));
        m.insert("scope".into(), opt(&self.scope));
        m.insert("referral".into(), opt(&self.referral));
        m.insert("message".into(), opt(&self.message));
        m.insert("page".into(), opt(&self.page));
        let u = &self.utm;
        m.insert(
            "utm".into(),
            serde_json::json!({
                "source": u.source, "medium": u.medium, "campaign": u.campaign,
                "content": u.content, "term": u.term,
            }),
        );
        m.insert("form".into(), opt(&self.form));
        m.insert("fields".into(), fields.into());
        serde_json::Value::Object(m)
    }
}

// ---------------------------------------------------------------------------
// Size bounds: a request is a summary of the mail, never a copy of it.
// ---------------------------------------------------------------------------

/// Largest one-line value kept (name, email, page, subject, a field label…).
pub const MAX_LINE_BYTES: usize = 4 * 1024;
/// Largest multi-line value kept (the client's message, one field's value).
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Largest `meta.raw_text` (the form's text for `review` leads).
pub const MAX_RAW_TEXT_BYTES: usize = 256 * 1024;
/// Most `fields` kept, and their total size (labels + values).
pub const MAX_FIELDS: usize = 500;
pub const MAX_FIELDS_BYTES: usize = 1024 * 1024;
/// Most phone numbers / unparsed phone strings / extensions kept.
pub const MAX_LIST: usize = 20;

/// Cuts `s` to at most `max` bytes at a character boundary and marks the
/// cut (the full text stays in the journal's copy of the mail).
pub fn cut_text(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let total = s.len();
    let marker = format!(" …[обрезано: {total} байт, полный текст в письме]");
    let mut end = max.saturating_sub(marker.len());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push_str(&marker);
    true
}

/// A one-line value: control characters (CR, LF, NUL, ESC…) become spaces,
/// so nothing read off a mail can start a new header line or a new line of
/// an alert; then cut to [`MAX_LINE_BYTES`]. Returns whether it was cut.
fn bound_line(s: &mut String) -> bool {
    if s.chars().any(char::is_control) {
        *s = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_string();
    }
    cut_text(s, MAX_LINE_BYTES)
}

/// A multi-line value: line ends become `\n`, other control characters
/// (NUL, ESC, a lone CR…) are dropped, tabs kept; then cut to `max`.
/// Returns whether it was cut.
fn bound_text(s: &mut String, max: usize) -> bool {
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        *s = s
            .replace("\r\n", "\n")
            .chars()
            .filter_map(|c| match c {
                '\r' => Some('\n'),
                '\n' | '\t' => Some(c),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
    }
    cut_text(s, max)
}

fn bound_opt_line(v: &mut Option<String>) -> bool {
    v.as_mut().is_some_and(bound_line)
}

impl Request {
    /// Brings every value within the bounds above (see [`MAX_VALUE_BYTES`]
    /// and friends), so a hostile mail cannot make a huge request row, reply
    /// frame or amoCRM body: one-line values lose control characters, long
    /// values are cut with a marker, lists are capped. The raw mail in the
    /// journal keeps everything. Returns whether anything was cut; the
    /// reason then says so (`review` leads show it).
    pub fn bound(&mut self) -> bool {
        let mut changed = false;
        for v in [
            &mut self.rule,
            &mut self.name,
            &mut self.phone,
            &mut self.email,
            &mut self.product,
            &mut self.address,
            &mut self.visit_time,
            &mut self.scope,
            &mut self.referral,
            &mut self.page,
            &mut self.form,
            &mut self.utm.source,
            &mut self.utm.medium,
            &mut self.utm.campaign,
            &mut self.utm.content,
            &mut self.utm.term,
            &mut self.meta.source_request_id,
            &mut self.meta.sender,
            &mut self.meta.subject,
            &mut self.meta.message_id,
            &mut self.meta.sent_at,
            &mut self.meta.ip,
        ] {
            changed |= bound_opt_line(v);
        }
        if let Some(m) = self.message.as_mut() {
            changed |= bound_text(m, MAX_VALUE_BYTES);
        }
        if let Some(t) = self.meta.raw_text.as_mut() {
            changed |= bound_text(t, MAX_RAW_TEXT_BYTES);
        }
        if let Some(r) = self.meta.reason.as_mut() {
            changed |= bound_text(r, MAX_LINE_BYTES);
        }
        for list in [&mut self.phones, &mut self.meta.phones_raw_invalid] {
            if list.len() > MAX_LIST {
                list.truncate(MAX_LIST);
                changed = true;
            }
            for v in list.iter_mut() {
                changed |= bound_line(v);
            }
        }
        if self.meta.extensions.len() > MAX_LIST {
            self.meta.extensions.truncate(MAX_LIST);
            changed = true;
        }
        for (a, b) in self.meta.extensions.iter_mut() {
            changed |= bound_line(a) | bound_line(b);
        }
        let total = self.fields.len();
        let mut bytes = 0usize;
        let mut keep = 0usize;
        for (label, value) in self.fields.iter_mut() {
            changed |= bound_line(label);
            changed |= bound_text(value, MAX_VALUE_BYTES);
            bytes += label.len() + value.len();
            if keep >= MAX_FIELDS || bytes > MAX_FIELDS_BYTES {
                break;
            }
            keep += 1;
        }
        if keep < total {
            self.fields.truncate(keep);
            self.fields.push((
                "…".into(),
                format!(
                    "ещё {} полей не сохранено (всего {total}); полный текст в письме",
                    total - keep
                ),
            ));
            changed = true;
        }
        if changed {
            let note = "слишком длинные значения обрезаны или управляющие символы убраны (полный текст в письме)";
            let reason = match self.meta.reason.take() {
                Some(r) if !r.is_empty() => format!("{r}; {note}"),
                _ => note.to_string(),
            };
            self.meta.reason = Some(reason);
        }
        changed
    }
}

fn opt(v: &Option<String>) -> serde_json::Value {
    match v {
        Some(s) => serde_json::Value::String(s.clone()),
        None => serde_json::Value::Null,
    }
}

// ---------------------------------------------------------------------------
// Normalisation: pure functions the rules engine applies to extracted values.
// ---------------------------------------------------------------------------

/// Compiles a pattern written in this file; a bad one is a bug caught by
/// the unit tests, so it degrades to a never-matching regex instead of
/// panicking in production.
fn re(pattern: &str) -> Regex {
    crate::re::compile(pattern).unwrap_or_else(|_| {
        #[allow(clippy::unwrap_used)]
        crate::re::compile(r"[^\s\S]").unwrap()
    })
}

/// Phone numbers read off one field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Phones {
    /// Valid numbers in E.164 (`+79123456789`), extension removed, deduped,
    /// in the order written.
    pub e164: Vec<String>,
    /// `(e164, extension)` for numbers written with "доб. 12" / "ext. 12".
    pub extensions: Vec<(String, String)>,
    /// Strings that look like an attempt at a number but are not a valid
    /// one, kept raw for the lead note (never put in `phone`).
    pub invalid: Vec<String>,
}

fn region_of(region: &str) -> Option<Region> {
    Region::from_code(&region.trim().to_ascii_uppercase()).ok()
}

/// Where one field holds several numbers: commas, semicolons, slashes,
/// "или"/"or", line breaks.
static PHONE_SPLIT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)[,;/\n]|\s(?:или|либо|or|и|and)\s"));
/// A trailing extension: "доб. 12", "ext. 12", "вн. 12", "#12", "x12".
static PHONE_EXT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)[\s,(]*(?:доб(?:авочный)?|вн(?:утр(?:енний)?)?|ext(?:ension)?|x|#)\.?\s*:?\s*(\d{1,6})\)?\s*$",
    )
});

/// Parses a phone field: "8 (912) 345-67-89", "+7 999 123-45-67 доб. 12",
/// "8 999 123 45 67, 8 912 345 67 89". Input-mask debris ("+7 (___)
/// ___-__-__") and digit-less text are skipped; anything else that is not
/// a valid number lands in `invalid`. `region` is the default region for
/// numbers written without a country code (config, normally "RU").
pub fn parse_phones(s: &str, region: &str) -> Phones {
    let mut out = Phones::default();
    let Some(reg) = region_of(region) else {
        let t = s.trim();
        if t.chars().any(|c| c.is_ascii_digit()) {
            out.invalid.push(t.to_string());
        }
        return out;
    };
    for chunk in PHONE_SPLIT.split(s) {
        let raw = chunk.trim().trim_matches(|c: char| c == '.' || c == ',');
        let digits = raw.chars().filter(char::is_ascii_digit).count();
        if digits == 0 {
            continue;
        }
        // An untouched input mask: "+7 (___) ___-__-__".
        if raw.contains('_') && digits <= 2 {
            continue;
        }
        let (main, ext) = match PHONE_EXT.captures(raw) {
            Some(c) => {
                let m = c.get(0).map_or(raw.len(), |m| m.start());
                (&raw[..m], c.get(1).map(|e| e.as_str().to_string()))
            }
            None => (raw, None),
        };
        // "8 999 123-45-67, доб. 12": an extension split off by the comma.
        if !main.chars().any(|c| c.is_ascii_digit()) {
            if let (Some(ext), Some(last)) = (ext, out.e164.last())
                && !out.extensions.iter().any(|(p, _)| p == last)
            {
                out.extensions.push((last.clone(), ext));
            }
            continue;
        }
        let mended = mend_prefix(main, region, reg);
        let main = mended.as_deref().unwrap_or(main);
        if let Some(e164) = ru_e164(main, region) {
            if let Some(ext) = ext
                && !out.extensions.iter().any(|(p, _)| *p == e164)
            {
                out.extensions.push((e164.clone(), ext));
            }
            if !out.e164.contains(&e164) {
                out.e164.push(e164);
            }
            continue;
        }
        let parsed = PhoneNumber::parse(main, Some(reg))
            .ok()
            .filter(PhoneNumber::is_valid)
            .or_else(|| trunk_zero_ukrainian(main, region))
            .or_else(|| north_american(main));
        match parsed {
            Some(n) if !main.contains('_') => {
                let e164 = n.format_as(PhoneNumberFormat::E164).into_owned();
                let ext = ext.or_else(|| n.extension.clone().filter(|e| !e.is_empty()));
                if let Some(ext) = ext
                    && !out.extensions.iter().any(|(p, _)| *p == e164)
                {
                    out.extensions.push((e164.clone(), ext));
                }
                if !out.e164.contains(&e164) {
                    out.e164.push(e164);
                }
            }
            _ => {
                let raw = raw.to_string();
                if !out.invalid.contains(&raw) {
                    out.invalid.push(raw);
                }
            }
        }
    }
    out
}

/// `8 (912) 345-67-89`, `+7 (812) 412-33-21`, `8 800 250-41-17`,
/// `912 345 67 89` with the default region RU: a Russian number (mobile,
/// fixed line, toll free, premium, VoIP) in E.164 straight from its digits,
/// when [`ru_national_valid`] says libphonenumber holds it valid. Why: a
/// libphonenumber parse costs ~10k instructions, and its first use loads
/// ~4.5 MB of metadata, a sixth of a parse process's memory; the numbers
/// Russian forms carry need neither. `None`: anything else (other
/// characters, lengths or prefixes, numbers the plan does not hold) goes to
/// libphonenumber, which decides as before.
fn ru_e164(main: &str, region: &str) -> Option<String> {
    if !region.trim().eq_ignore_ascii_case("RU") {
        return None;
    }
    let t = main.trim();
    let body = t.strip_prefix('+').unwrap_or(t);
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '(')
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'(' | b')' | b'-'))
        || body.bytes().filter(|&b| b == b'(').count() > 1
        || body.bytes().filter(|&b| b == b'(').count()
            != body.bytes().filter(|&b| b == b')').count()
    {
        return None;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let national = match (t.starts_with('+'), digits.len()) {
        // The country code, with or without its `+` (libphonenumber takes
        // a leading 7 of eleven digits as the code in region RU).
        (_, 11) if digits.starts_with('7') => &digits[1..],
        // The trunk prefix 8 before ten digits.
        (false, 11) if digits.starts_with('8') => &digits[1..],
        (false, 10) => &digits[..],
        _ => return None,
    };
    ru_national_valid(national.as_bytes()).then(|| format!("+7{national}"))
}

/// Whether a ten-digit national number from 3, 4, 8 or 9 is valid in
/// libphonenumber's Russian plan (the metadata of the `rlibphonenumber`
/// version in Cargo.lock): fixed line by three-digit area code, mobile `9…`
/// but for the unassigned blocks of 930, toll free 800/804, premium
/// 803/809, VoIP 808. Other leading digits (the +7 zone's Kazakh numbers
/// among them) answer `false`, i.e. "ask libphonenumber". The test
/// `russian_numbers_read_as_libphonenumber_reads_them` compares every area
/// code and every 930 block with libphonenumber, so a metadata update that
/// moves a range fails there.
fn ru_national_valid(n: &[u8]) -> bool {
    if n.len() != 10 || !n.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let code = |a: u8, b: u8| (a - b'0') * 10 + (b - b'0');
    let (ab, c) = (code(n[1], n[2]), n[2]);
    match n[0] {
        b'3' => matches!(
            ab,
            1 | 2 | 36 | 41..=43 | 45..=47 | 49 | 51..=53 | 65 | 81..=85 | 88 | 90 | 91 | 94 | 95
        ),
        b'4' => matches!(
            ab,
            1 | 11 | 13 | 15 | 16 | 21 | 23 | 24 | 26 | 27 | 71..=75 | 81..=87 | 91..=96 | 98 | 99
        ),
        b'8' => matches!(
            ab,
            // toll free, premium, VoIP
            0 | 3 | 4 | 8 | 9
            // fixed line
            | 11..=18 | 20 | 21 | 31 | 33..=36 | 40..=48 | 51 | 55..=57 | 60..=63
            | 65..=67 | 69 | 71..=73 | 77..=79
        ),
        b'9' => {
            // 9[0-24-9]…, 93[1-9]…, 930[1-9]… are all assigned; 9300 only
            // in part: 93000 05, [124579]x, 3[0-7], 6[0-49], 8[04-9].
            if n[1] != b'3' || c != b'0' || n[3] != b'0' {
                return true;
            }
            match (n[4], n[5]) {
                (b'0', b'5') => true,
                (b'1' | b'2' | b'4' | b'5' | b'7' | b'9', _) => true,
                (b'3', d) => d <= b'7',
                (b'6', d) => d <= b'4' || d == b'9',
                (b'8', d) => d == b'0' || d >= b'4',
                _ => false,
            }
        }
        _ => false,
    }
}

/// `067 555 12 34`: a national number with the trunk `0`, which no number
/// in the +7 zone has (its trunk is `8`), read as Ukrainian when it is a
/// valid number there (Ukrainian-speaking visitors of +7-zone sites). Only
/// for a default region RU/KZ and ten digits without a `+`.
fn trunk_zero_ukrainian(main: &str, region: &str) -> Option<PhoneNumber> {
    if !matches!(region.trim().to_ascii_uppercase().as_str(), "RU" | "KZ") {
        return None;
    }
    // `(050) 765-43-21`: the area code in brackets.
    let t = main.trim_start().trim_start_matches(['(', ' ']);
    let digits = t.chars().filter(char::is_ascii_digit).count();
    // `(063) 555-12-34`: the operator code in brackets.
    let lead = t.trim_start_matches(['(', ' ']);
    if t.starts_with('+') || !lead.starts_with('0') || digits != 10 {
        return None;
    }
    PhoneNumber::parse(t, Some(region_of("UA")?))
        .ok()
        .filter(PhoneNumber::is_valid)
}

/// `(646) 555-0142`: the North American grouping, area code in brackets
/// and `3-4` digits (a US input mask, Jotform's default), when the number
/// is no number of the default region: a US or Canadian number. A Russian
/// number in the same mask (`(915) 322-1144`) was read before this.
fn north_american(main: &str) -> Option<PhoneNumber> {
    let t = main.trim();
    let b = t.as_bytes();
    // `(NXX) NXX-XXXX`, nothing else: 14 bytes in that exact shape.
    let shape = b.len() == 14
        && b[0] == b'('
        && b[4] == b')'
        && b[5] == b' '
        && b[9] == b'-'
        && [1, 2, 3, 6, 7, 8, 10, 11, 12, 13]
            .iter()
            .all(|&k| b[k].is_ascii_digit());
    if !shape {
        return None;
    }
    PhoneNumber::parse(t, Some(region_of("US")?))
        .ok()
        .filter(PhoneNumber::is_valid)
}

/// Mends the two prefixes sites get wrong for Russian numbers: `+8 (981) …`
/// (the trunk `8` written as a country code) and a US input mask
/// `+1 (981) 123-4567` around a Russian mobile number (10 digits from 9).
/// Only for a default region in the +7 zone; `None` when nothing to mend.
fn mend_prefix(main: &str, region: &str, reg: Region) -> Option<String> {
    if !matches!(region.trim().to_ascii_uppercase().as_str(), "RU" | "KZ") {
        return None;
    }
    let t = main.trim_start();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let plus = t.strip_prefix('+').map(str::trim_start);
    // `380 67 123 45 67`, `38 (067) 123-45-67`: a Ukrainian number written
    // in full but without its `+` (a plugin that allows only digits and
    // spaces); no number of the +7 zone has twelve digits.
    if plus.is_none() && digits.len() == 12 && digits.starts_with("380") && t.starts_with("38") {
        return Some(format!("+{digits}"));
    }
    if let Some(rest) = plus {
        // `+81 3 …` is Japan: only an invalid `+8…` is mended.
        let valid = || PhoneNumber::parse(t, Some(reg)).is_ok_and(|n| n.is_valid());
        if rest.starts_with('8') && digits.len() == 11 && !valid() {
            return Some(format!("+7{}", &digits[1..]));
        }
        if rest.starts_with('1') && digits.len() == 11 && digits[1..].starts_with('9') {
            return Some(format!("+7{}", &digits[1..]));
        }
    }
    None
}

/// Words right before a digit run that make it an id, not a phone.
static NOT_A_PHONE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(инн|огрн|огрнип|кпп|бик|окпо|снилс|паспорт|р/с|к/с|счет|счёт|заказ|order|id|№|#|индекс|index|utm_\w+|transaction|request|результат|артикул|арт\.|код|code|ticket|тикет)[\s:=№#.\-]*$",
    )
});

/// Phones mentioned in free text ("перезвоните 89171234567"), as E.164.
/// Uses libphonenumber's matcher (valid numbers only, so dates, prices and
/// postal codes are not numbers) plus a shape check: bare digit runs must
/// look like a Russian number (11 digits from 7/8, 10 from 9) and not follow
/// an id label (ИНН, order №, utm_…, Request ID).
pub fn find_phones(text: &str, region: &str) -> Vec<String> {
    // Fewer than 10 digits in all cannot hold a number we keep: skip the
    // matcher (most lines and fields).
    if text.bytes().filter(u8::is_ascii_digit).count() < 10 {
        return Vec::new();
    }
    let Some(reg) = region_of(region) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let matcher = text
        .phone_number_matcher_builder()
        .leniency(Leniency::Valid)
        .preferred_region(reg)
        .max_tries(200)
        .build();
    for m in matcher {
        let raw = m.raw_string;
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let plus = raw.trim_start().starts_with('+');
        let bare = raw.chars().all(|c| c.is_ascii_digit());
        if bare && !plus {
            let ok = match digits.len() {
                11 => digits.starts_with('7') || digits.starts_with('8'),
                10 => digits.starts_with('9'),
                _ => false,
            };
            if !ok {
                continue;
            }
        }
        if digits.len() < 10 {
            continue;
        }
        // The matcher reports byte offsets; `get` keeps a bad one harmless.
        let head = text.get(..m.start).unwrap_or("");
        let tail = text.get(m.end()..).unwrap_or("");
        let before_start = head.char_indices().rev().nth(24).map_or(0, |(i, _)| i);
        let before = &head[before_start..];
        let before = before.rsplit('\n').next().unwrap_or(before);
        if NOT_A_PHONE_BEFORE.is_match(before) {
            continue;
        }
        // Glued to more digits or letters: part of a longer token.
        let next = tail.chars().next();
        let prev = head.chars().next_back();
        if next.is_some_and(|c| c.is_alphanumeric()) || prev.is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let e164 = m.number.format_as(PhoneNumberFormat::E164).into_owned();
        if !out.contains(&e164) {
            out.push(e164);
        }
    }
    out
}

fn email_local_char(c: char) -> bool {
    c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn email_domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// `local@domain.tld`: dot-separated atoms on the left, DNS-shaped labels
/// (Unicode letters allowed, for .рф) on the right, an alphabetic TLD.
/// Hand-written: this runs on every field and a Unicode regex was the
/// costliest step of extraction.
fn email_shape_ok(t: &str) -> bool {
    let Some((local, domain)) = t.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || t.len() > 254 {
        return false;
    }
    if !local
        .split('.')
        .all(|a| !a.is_empty() && a.chars().all(email_local_char))
    {
        return false;
    }
    let Some((rest, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    let tld_len = tld.chars().count();
    if !(2..=24).contains(&tld_len) || !tld.chars().all(char::is_alphabetic) {
        return false;
    }
    rest.split('.').all(|l| {
        let n = l.chars().count();
        (1..=63).contains(&n)
            && l.chars().all(email_domain_char)
            && !l.starts_with('-')
            && !l.ends_with('-')
    })
}

/// Lower-cased address when `s` holds one valid-looking email (trimmed,
/// `mailto:` and `<>` stripped); `None` otherwise.
pub fn normalize_email(s: &str) -> Option<String> {
    // Most values asked are not addresses: no `@`, no work.
    memchr::memchr(b'@', s.as_bytes())?;
    let mut t = s
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace())
        // `EmailID :-p.fedorov@example.ru` (vtiger's portal notice): the
        // caption's `:-` is no part of the address.
        .trim_start_matches(['-', ':']);
    if let Some(open) = t.rfind('<')
        && let Some(close) = t[open..].find('>')
    {
        t = &t[open + 1..open + close];
    }
    let t = t.trim();
    let t = t
        .strip_prefix("mailto:")
        .or_else(|| t.strip_prefix("MAILTO:"))
        .unwrap_or(t);
    let t = t
        .split('?')
        .next()
        .unwrap_or(t)
        .trim()
        .trim_end_matches('.');
    let t = t.to_lowercase();
    email_shape_ok(&t).then_some(t)
}

/// Every email address in free text, normalised, deduped, in order.
/// Grows each '@' outwards over address characters (linear: a character is
/// visited from at most two '@'s).
pub fn find_emails(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (at, _) in text.match_indices('@') {
        let left_ok = |c: char| c.is_alphanumeric() || "._%+-'!#$&*/=?^`{|}~".contains(c);
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| left_ok(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let after = &text[at + 1..];
        // `ivan@example.ruсейчас`: a Latin domain ends where another script
        // begins (a handler glued the next word on); IDN domains are one
        // script.
        let latin = after.chars().next().is_some_and(|c| c.is_ascii());
        let end = after
            .char_indices()
            .find(|(_, c)| {
                !(c.is_alphanumeric() || *c == '.' || *c == '-') || (latin && !c.is_ascii())
            })
            .map_or(text.len(), |(i, _)| at + 1 + i);
        let candidate = text[start..end]
            .trim_start_matches(['.', '\'', '-'])
            .trim_end_matches(['.', '-']);
        if let Some(e) = normalize_email(candidate)
            && !out.contains(&e)
        {
            out.push(e);
        }
    }
    out
}

/// Trims, folds runs of spaces/tabs to one space, drops empty lines, keeps
/// single newlines between non-empty lines.
pub fn fold_ws(s: &str) -> String {
    if is_folded(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for line in crate::scan::lines(s) {
        let mut first = true;
        for w in line
            .split(|c: char| c.is_whitespace())
            .filter(|w| !w.is_empty())
        {
            if first {
                if !out.is_empty() {
                    out.push('\n');
                }
                first = false;
            } else {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// Whether `s` is already as [`fold_ws`] leaves it: words apart by one
/// space, lines by one `\n`, nothing at either end, no other whitespace
/// (most values are: a name, a number). One pass over the bytes; a
/// non-ASCII whitespace character (U+0085, U+00A0, U+1680, U+2000..U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000) says no.
fn is_folded(s: &str) -> bool {
    let b = s.as_bytes();
    let ws = |c: u8| matches!(c, b' ' | b'\n');
    if b.first().is_some_and(|&c| ws(c)) || b.last().is_some_and(|&c| ws(c)) {
        return false;
    }
    let mut prev = 0u8;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\t' | b'\r' | 0x0b | 0x0c => return false,
            b' ' | b'\n' if ws(prev) => return false,
            0xc2 if matches!(b.get(i + 1), Some(0x85 | 0xa0)) => return false,
            0xe1 if b.get(i + 1..i + 3) == Some(&[0x9a, 0x80]) => return false,
            0xe2 if matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0x80), Some(0x80..=0x8a | 0xa8 | 0xa9 | 0xaf)) | (Some(0x81), Some(0x9f))
            ) =>
            {
                return false;
            }
            0xe3 if b.get(i + 1..i + 3) == Some(&[0x80, 0x80]) => return false,
            _ => {}
        }
        prev = c;
    }
    true
}

/// Placeholder debris a form leaves in unfilled fields: dashes, unreplaced
/// CF7 `[your-phone]`, Bitrix `#FIELD#`, WPForms `{field_id="1"}`, and the
/// words a hand-written handler puts in for a missing value
/// (`$data['name'] ?? 'Не указано'`, `Не вказано`, `not specified`).
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:[-–—_.*]+|\[[a-z0-9_\-]+(?:\s[^\]]*)?\]|#[A-Z0-9_]+#|\{[a-z_]+(?:=[^}]*)?\}|n/?a|null|undefined|none|не\s+(?:указан|заполнен|вказан|заповнен)[оаыі]?|not\s+(?:specified|provided|given))$",
    )
});

/// `fold_ws`, then `None` when nothing real is left.
pub fn clean_value(s: &str) -> Option<String> {
    let f = fold_ws(s);
    if f.is_empty() || PLACEHOLDER.is_match(&f) {
        None
    } else {
        Some(f)
    }
}

fn set_utm(utm: &mut Utm, key: &str, value: &str) -> bool {
    let key = key.trim().to_ascii_lowercase();
    let key = key.strip_prefix("utm_").unwrap_or(&key);
    let value = clean_value(value);
    let slot = match key {
        "source" => &mut utm.source,
        "medium" => &mut utm.medium,
        "campaign" => &mut utm.campaign,
        "content" => &mut utm.content,
        "term" => &mut utm.term,
        _ => return false,
    };
    if slot.is_none() {
        *slot = value;
    }
    true
}

/// UTM tags from a URL's query string (percent-decoding, `+` as space);
/// the first value of each tag wins.
pub fn utm_from_url(url: &str) -> Utm {
    let mut utm = Utm::default();
    let Some(q) = url.split_once('?').map(|(_, q)| q) else {
        return utm;
    };
    let q = q.split('#').next().unwrap_or(q);
    for (k, v) in url::form_urlencoded::parse(q.trim().as_bytes()) {
        if k.to_ascii_lowercase().starts_with("utm_") {
            set_utm(&mut utm, &k, &v);
        }
    }
    utm
}

/// Jivo-style `source=google|medium=cpc|campaign=…` (keys with or without
/// `utm_`); `None` when no UTM key is there.
pub fn utm_from_pipe(s: &str) -> Option<Utm> {
    let mut utm = Utm::default();
    let mut any = false;
    for part in s.split('|') {
        if let Some((k, v)) = part.split_once('=') {
            any |= set_utm(&mut utm, k, v);
        }
    }
    any.then_some(utm)
}

/// Field by field, the first non-null value wins.
pub fn merge_utm(a: Utm, b: Utm) -> Utm {
    Utm {
        source: a.source.or(b.source),
        medium: a.medium.or(b.medium),
        campaign: a.campaign.or(b.campaign),
        content: a.content.or(b.content),
        term: a.term.or(b.term),
    }
}

/// Second-level zones where the registrable domain has three labels.
const TWO_LABEL_SUFFIXES: &[&str] = &[
    "com.ru", "net.ru", "org.ru", "pp.ru", "msk.ru", "spb.ru", "msk.su", "com.ua", "kiev.ua",
    "co.uk", "org.uk", "com.kz", "org.kz", "com.by", "co.il", "com.tr", "com.br", "co.jp",
];

/// Public mailbox providers: a shared domain says nothing about ownership.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yandex.ru",
    "yandex.com",
    "ya.ru",
    "yandex.by",
    "yandex.kz",
    "yandex.ua",
    "mail.ru",
    "bk.ru",
    "list.ru",
    "inbox.ru",
    "internet.ru",
    "rambler.ru",
    "lenta.ru",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "yahoo.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "ukr.net",
    "tut.by",
];

/// Host part of an email, URL or bare host, as written (not lower-cased).
fn host_str(addr: &str) -> Option<&str> {
    let mut t = addr.trim().trim_matches(|c| c == '<' || c == '>');
    if let Some((_, rest)) = t.split_once("://") {
        t = rest;
    }
    if let Some((_, d)) = t.rsplit_once('@') {
        t = d;
    }
    let t = t
        .split(['/', '?', '#', ':', '>', ' '])
        .next()
        .unwrap_or(t)
        .trim_end_matches('.');
    (t.contains('.') && !t.starts_with('.')).then_some(t)
}

/// Host part of an email, URL or bare host, lower-cased.
fn host_of(addr: &str) -> Option<String> {
    host_str(addr).map(str::to_lowercase)
}

/// The registrable domain of an email address, URL or host
/// ("info@mail.okna-example.ru" → "okna-example.ru"), for comparing who
/// owns an address. Cut from the host as written and lower-cased last:
/// this runs for every address of every mail, one allocation each.
pub fn site_domain(addr: &str) -> Option<String> {
    let host = host_str(addr)?;
    // An empty label inside (`a..b.ru`) is skipped by the label-wise reading.
    if host.as_bytes().windows(2).any(|w| w == b"..") {
        return site_domain_by_labels(&host.to_lowercase());
    }
    let mut dots = host.rmatch_indices('.').map(|(i, _)| i);
    dots.next()?;
    let two = dots.next().map_or(host, |i| &host[i + 1..]);
    if two.len() < host.len() {
        let three = dots.next().map_or(host, |i| &host[i + 1..]);
        if TWO_LABEL_SUFFIXES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(two))
        {
            return Some(three.to_lowercase());
        }
    }
    Some(two.to_lowercase())
}

/// [`site_domain`] read label by label (the rare host with an empty label).
fn site_domain_by_labels(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    if labels.len() < 2 {
        return None;
    }
    let last2 = labels[labels.len() - 2..].join(".");
    if labels.len() >= 3 && TWO_LABEL_SUFFIXES.contains(&last2.as_str()) {
        return Some(labels[labels.len() - 3..].join("."));
    }
    Some(last2)
}

/// Form robots' and notification services' domains (matched on the host's
/// tail: "crm.wix.com" is wix.com; Yandex Forms only as forms.yandex.*).
const ROBOT_HOSTS: &[&str] = &[
    "tilda.ws",
    "tilda.cc",
    "marquiz.ru",
    "flexbe.com",
    "flexbe.ru",
    "wix.com",
    "wixforms.com",
    "envybox.io",
    "callbackhunter.com",
    "jivosite.com",
    "jivo.ru",
    "jivochat.com",
    "forms.yandex.ru",
    "forms.yandex.com",
    "forms.yandex.by",
    "forms.yandex.kz",
    "vk.company",
    "mtasv.net",
    "postmarkapp.com",
    "sendpulse.com",
    "unisender.com",
    "mailchimp.com",
    "bitrix24.ru",
    "amocrm.ru",
    "lpgenerator.ru",
    // Zapier's `Email by Zapier` step sends from a per-zap address here.
    "zapiermail.com",
    // Resend's shared sender (`onboarding@resend.dev`) for sites that have
    // not verified a domain of their own.
    "resend.dev",
    "mailer-daemon",
];

/// Local parts of robots' addresses.
const ROBOT_LOCALS: &[&str] = &[
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "mailer-daemon",
    "wordpress",
    "robot",
    "postmaster",
];

/// The mail's From is a person outside the recipients' site: not a form
/// robot, not the company's own mailbox (a client writing to the company
/// from their own mail program).
pub fn sender_outside_recipients(letter: &Letter) -> bool {
    let Some(email) = letter.from.as_ref().and_then(|a| normalize_email(&a.email)) else {
        return false;
    };
    let Some(host) = host_of(&email) else {
        return false;
    };
    if ROBOT_HOSTS.iter().any(|r| is_host_or_under(&host, r))
        || ROBOT_LOCALS.contains(&email.split('@').next().unwrap_or_default())
    {
        return false;
    }
    let domain = site_domain(&email);
    !letter.to.iter().any(|t| {
        t.email.eq_ignore_ascii_case(&email)
            || (domain.is_some()
                && site_domain(&t.email) == domain
                && !FREE_MAIL.contains(&domain.as_deref().unwrap_or_default()))
    })
}

/// True when `email` cannot be the client's: a form robot's address, or
/// an address of the site itself (the From or To domain of the mail), or
/// the forwarding manager's. For public mail providers (gmail.com,
/// yandex.ru, …) only the exact address counts, not the whole domain.
pub fn is_robot_or_site_address(email: &str, letter: &Letter) -> bool {
    let Some(email) = normalize_email(email) else {
        return true;
    };
    let Some(host) = host_of(&email) else {
        return true;
    };
    if ROBOT_HOSTS.iter().any(|r| is_host_or_under(&host, r)) {
        return true;
    }
    if ROBOT_LOCALS.contains(&email.split('@').next().unwrap_or_default()) {
        return true;
    }
    let domain = site_domain(&email);
    let mut own: Vec<&str> = Vec::new();
    if let Some(f) = &letter.from {
        own.push(f.email.as_str());
    }
    own.extend(letter.to.iter().map(|a| a.email.as_str()));
    if let Some(o) = &letter.outer
        && let Some(f) = &o.from
    {
        own.push(f.email.as_str());
    }
    own.iter().any(|o| {
        if o.eq_ignore_ascii_case(&email) {
            return true;
        }
        let od = site_domain(o);
        od.is_some() && od == domain && !FREE_MAIL.contains(&od.as_deref().unwrap_or_default())
    })
}

/// `host` is `domain` or one of its subdomains (no allocation: this runs
/// for every address of every mail).
fn is_host_or_under(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

/// The host of a site's own sender address (`noreply@okna.example` →
/// `okna.example`): `None` for mail providers and form robots.
pub fn own_site_host(email: &str) -> Option<String> {
    let host = host_of(email)?;
    let host = host.strip_prefix("mail.").unwrap_or(&host).to_string();
    let domain = site_domain(&host)?;
    if FREE_MAIL.contains(&domain.as_str())
        || ROBOT_HOSTS.iter().any(|r| is_host_or_under(&host, r))
    {
        return None;
    }
    Some(host)
}

/// A phone for logs: at most its last two digits ("+79123456789" →
/// "***89"); short numbers show none.
pub fn mask_phone(p: &str) -> String {
    let digits: Vec<char> = p.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return "***".to_string();
    }
    let tail: String = digits[digits.len() - 2..].iter().collect();
    format!("***{tail}")
}

/// An email for logs: "ivan.petrov@example.ru" → "iv***@example.ru".
pub fn mask_email(e: &str) -> String {
    match e.trim().rsplit_once('@') {
        Some((local, domain)) => {
            let head: String = local.chars().take(2).collect();
            format!("{head}***@{domain}")
        }
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod bound_tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn an_email_caption_dash_is_no_part_of_the_address() {
        // vtiger's `EmailID :-p.fedorov@example.ru`.
        assert_eq!(
            normalize_email("-p.fedorov@example.ru").as_deref(),
            Some("p.fedorov@example.ru")
        );
        assert_eq!(
            normalize_email(":-ivan@example.ru").as_deref(),
            Some("ivan@example.ru")
        );
        assert_eq!(
            normalize_email("ivan-petrov@example.ru").as_deref(),
            Some("ivan-petrov@example.ru")
        );
    }

    /// `fold_ws` as it reads without its short way.
    fn fold_ws_reference(s: &str) -> String {
        let mut out = String::new();
        for line in s.lines() {
            let words: Vec<&str> = line
                .split(char::is_whitespace)
                .filter(|w| !w.is_empty())
                .collect();
            if words.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&words.join(" "));
        }
        out
    }

    #[test]
    fn site_domain_cut_from_the_host_matches_the_label_wise_reading() {
        let cases = [
            "info@mail.okna-example.ru",
            "Info@Mail.OKNA-Example.RU",
            "<noreply@site.example>",
            "https://www.shop.example.co.uk/page?x=1",
            "user@sub.example.com.ru",
            "a@example.com.ru",
            "a@com.ru",
            "a@a.b.c.d.spb.ru",
            "a@b..c.example.ru",
            "a@example.ru.",
            "http://окна-пример.рф/заявка",
            "a@ПОЧТА.Пример.РФ",
            "host:8080",
            "a@nodot",
            ".a.ru",
            "a@b@c.example.kiev.ua",
        ];
        for c in cases {
            let old = host_of(c).and_then(|h| site_domain_by_labels(&h));
            assert_eq!(site_domain(c), old, "{c}");
        }
        assert_eq!(
            site_domain("x@mail.shop.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(
            site_domain("x@b..c.example.ru").as_deref(),
            Some("example.ru")
        );
    }

    #[test]
    fn folded_values_take_the_short_way_with_the_same_answer() {
        let ws: Vec<char> = (0u32..0x3001)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        let mut samples = vec![
            String::new(),
            "Иван".into(),
            "+7 912 345-67-89".into(),
            "a b\nc d".into(),
            "a  b".into(),
            " a".into(),
            "a ".into(),
            "a\n\nb".into(),
            "a \nb".into(),
            "a\n b".into(),
            "a\r\nb".into(),
            "\n".into(),
        ];
        for w in &ws {
            samples.push(format!("Иван{w}Петров"));
            samples.push(format!("{w}Иван"));
            samples.push(format!("Иван{w}"));
        }
        for s in &samples {
            assert_eq!(fold_ws(s), fold_ws_reference(s), "{s:?}");
        }
        // Every whitespace character is told from the rest.
        for w in &ws {
            assert!(
                !is_folded(&format!("a{w}b")) || *w == ' ' || *w == '\n',
                "{w:?}"
            );
        }
        assert!(is_folded("Иван Петров\n+7 912 345-67-89"));
    }

    #[test]
    fn russian_numbers_read_as_libphonenumber_reads_them() {
        let reg = region_of("RU").expect("RU");
        let slow = |t: &str| {
            PhoneNumber::parse(t, Some(reg))
                .ok()
                .filter(PhoneNumber::is_valid)
                .map(|n| n.format_as(PhoneNumberFormat::E164).into_owned())
        };
        let mut fast_taken = 0;
        let mut valid_codes = 0;
        // Every three-digit code: the plan's fixed-line areas, toll free,
        // premium and VoIP ranges depend on the code alone.
        for code in 0..=999 {
            let code = format!("{code:03}");
            let mut valid = false;
            for tail in ["0000000", "1234567", "9999999", "5550011", "3004821"] {
                let (a, b, c) = (&tail[..3], &tail[3..5], &tail[5..]);
                let common = [
                    format!("8 ({code}) {a}-{b}-{c}"),
                    format!("+7 ({code}) {a}-{b}-{c}"),
                    format!("+7{code}{tail}"),
                    format!("8{code}{tail}"),
                    format!("{code}{tail}"),
                    format!("{code} {a} {b} {c}"),
                    format!("8-{code}-{a}-{b}-{c}"),
                    format!("+7 {code} {a}{b}{c}"),
                    format!("(8{code}) {a}{b}{c}"),
                    format!("7{code}{tail}"),
                ];
                let odd = [
                    format!("+8{code}{tail}"),
                    format!("8 {code} {a} {b}{c}5"),
                    format!("({code} {a} {b} {c}"),
                    format!("+7 {code}) {a} {b} {c}"),
                ];
                for (i, t) in common.iter().chain(&odd).enumerate() {
                    let fast = ru_e164(t, "RU");
                    let want = slow(t);
                    if fast.is_some() {
                        fast_taken += 1;
                        assert_eq!(fast, want, "{t}");
                    } else if i < common.len()
                        && code.starts_with(['3', '4', '8', '9'])
                        && !(i == 4 && code.starts_with('8'))
                    {
                        // A valid number of the plan in a common notation
                        // never needs libphonenumber (`8123…` ten digits
                        // long is the one notation left to it).
                        assert_eq!(want, None, "{t}: valid, yet not read the short way");
                    }
                    valid |= want.is_some() && i == 0;
                }
            }
            valid_codes += usize::from(valid);
        }
        // 9xx (100, but for 930 in part), 3xx/4xx/8xx areas and ranges.
        assert!(valid_codes > 200, "{valid_codes}");
        assert!(fast_taken > valid_codes * 5 * 8, "{fast_taken}");
        // 930's blocks are assigned in part: every six-digit block.
        for block in 0..1000 {
            for tail in ["0000", "9999", "4821"] {
                let t = format!("8930{block:03}{tail}");
                let fast = ru_e164(&t, "RU");
                assert_eq!(fast, slow(&t), "{t}");
            }
        }
        // Every 9xx range (a number at each hundred-thousand step) and every
        // other code at each million reads alike both ways: a gap the
        // metadata gains shows here.
        for code in (300..=499).chain(800..=999) {
            let step = if code >= 900 { 100_000 } else { 1_000_000 };
            for block in (0..10_000_000u32).step_by(step) {
                for t in [
                    format!("+7{code}{block:07}"),
                    format!("8{code}{:07}", block + step as u32 - 1),
                ] {
                    if let Some(fast) = ru_e164(&t, "RU") {
                        assert_eq!(Some(fast), slow(&t), "{t}");
                    }
                }
            }
        }
        assert_eq!(ru_e164("8 912 345-67-89", "UA"), None);
        assert_eq!(
            ru_e164("8 812 345-67-89", "RU"),
            Some("+78123456789".into())
        );
        assert_eq!(
            ru_e164("8 800 250-41-17", "RU"),
            Some("+78002504117".into())
        );
        assert_eq!(ru_e164("8 912 345-67-89 доб. 5", "RU"), None);
        // The +7 zone's Kazakh numbers go to libphonenumber.
        assert_eq!(ru_e164("+7 727 123 45 67", "RU"), None);
        assert_eq!(
            parse_phones("8 (912) 345-67-89 доб. 12", "RU").extensions,
            vec![("+79123456789".to_string(), "12".to_string())]
        );
    }

    #[test]
    fn a_huge_value_is_cut_with_a_marker_at_a_char_boundary() {
        let mut r = Request {
            message: Some("я".repeat(1_000_000)),
            ..Request::default()
        };
        assert!(r.bound());
        let m = r.message.as_deref().unwrap_or_default();
        assert!(m.len() <= MAX_VALUE_BYTES, "{}", m.len());
        assert!(
            m.ends_with("полный текст в письме]"),
            "{}",
            &m[m.len() - 80..]
        );
        assert!(m.contains("2000000 байт"));
        assert!(
            r.meta
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("обрезаны")
        );
    }

    #[test]
    fn one_line_values_lose_control_characters_without_a_note() {
        let mut r = Request {
            name: Some("Анна\r\nBcc: victim@example.com\0".into()),
            meta: RequestMeta {
                subject: Some("Заявка\r\nX-Injected: 1".into()),
                ..RequestMeta::default()
            },
            message: Some("строка 1\r\nстрока 2\0\x1b[31m".into()),
            ..Request::default()
        };
        assert!(!r.bound(), "nothing was cut");
        assert_eq!(r.name.as_deref(), Some("Анна  Bcc: victim@example.com"));
        assert_eq!(r.meta.subject.as_deref(), Some("Заявка  X-Injected: 1"));
        assert_eq!(r.message.as_deref(), Some("строка 1\nстрока 2[31m"));
        assert_eq!(r.meta.reason, None);
    }

    #[test]
    fn ten_thousand_fields_keep_the_first_and_say_how_many_were_dropped() {
        let mut r = Request {
            fields: (0..10_000)
                .map(|i| (format!("Поле {i}"), format!("значение {i}")))
                .collect(),
            phones: (0..100).map(|i| format!("+7912000{i:04}")).collect(),
            ..Request::default()
        };
        assert!(r.bound());
        assert_eq!(r.fields.len(), MAX_FIELDS + 1);
        assert_eq!(r.fields[0].0, "Поле 0");
        let (label, note) = r.fields.last().cloned().unwrap_or_default();
        assert_eq!(label, "…");
        assert!(note.contains("ещё 9500 полей"), "{note}");
        assert_eq!(r.phones.len(), MAX_LIST);
    }

    #[test]
    fn fields_are_bounded_by_total_size_too() {
        let mut r = Request {
            fields: (0..100)
                .map(|i| (format!("f{i}"), "x".repeat(60_000)))
                .collect(),
            ..Request::default()
        };
        r.bound();
        let bytes: usize = r.fields.iter().map(|(a, b)| a.len() + b.len()).sum();
        assert!(bytes <= MAX_FIELDS_BYTES + 1024, "{bytes}");
        assert!(r.fields.len() < 100);
    }

    #[test]
    fn a_normal_request_is_left_alone() {
        let mut r = Request {
            name: Some("Иван".into()),
            message: Some("Нужен замер\nзавтра".into()),
            fields: vec![("Имя".into(), "Иван".into())],
            ..Request::default()
        };
        let before = r.clone();
        assert!(!r.bound());
        assert_eq!(r, before);
    }
}
