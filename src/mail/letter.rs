//! Raw mail bytes to a [`Letter`]: decoded headers plus the form's text.
//!
//! MIME structure, RFC 2047 and transfer encodings come from `mail-parser`;
//! this module adds what form mail needs on top: a charset second opinion
//! (legacy PHP and Bitrix sites lie about their charset), the choice of the
//! text extraction reads, unwrapping of forwards and quoted replies, and a
//! size cap. Nothing here panics or fails: damage goes into `problems`.

use std::borrow::Cow;
use std::sync::LazyLock;

use mail_parser::{
    Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};
use regex::Regex;

use crate::mail::html;

/// A mailbox address; `email` is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    pub name: Option<String>,
    pub email: String,
}

/// The outer envelope of a forwarded mail (a manager forwarding a form).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Envelope {
    pub from: Option<Address>,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Letter {
    /// From/Reply-To/Subject/Date/Message-ID of the innermost original when
    /// a forward was unwrapped, so rules match the form builder's sender.
    pub from: Option<Address>,
    pub reply_to: Vec<Address>,
    pub to: Vec<Address>,
    pub subject: Option<String>,
    pub date: Option<jiff::Timestamp>,
    pub message_id: Option<String>,
    /// Every header of the (innermost) message, RFC 2047-decoded, in order.
    pub headers: Vec<(String, String)>,
    /// The decoded text/plain body of the form, when there is one.
    pub plain: Option<String>,
    /// The decoded text/html body of the form, when there is one.
    pub html: Option<String>,
    /// `html::to_text(html)`: label/value structure kept.
    pub html_text: Option<String>,
    /// Where top-level HTML tables of label/value pairs ended in
    /// `html_text` (lines before each end); the reader ends a field there.
    pub html_block_ends: Vec<usize>,
    /// The text extraction should read: `plain`, or `html_text` when the
    /// plain part is missing or useless.
    pub text: String,
    /// Set when a forward or a reply chain was unwrapped.
    pub outer: Option<Envelope>,
    /// A reply above a quote of the company's own answer (the quote was cut):
    /// the subject is the thread's, the sender's words are the new text.
    pub answers_own: bool,
    /// Raw size in bytes.
    pub size: usize,
    /// Larger than the configured cap: not parsed, becomes `review`.
    pub too_large: bool,
    /// Damage noticed while reading (bad charset, truncated MIME…).
    pub problems: Vec<String>,
}

/// Built once. mail-parser's defaults, but `Received` is skipped, not
/// tokenised: a relayed mail has several, nothing reads their parts (the
/// text of a header comes from its raw bytes when it is not text or an
/// address), and their parser is a tenth of all the parsing.
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    use mail_parser::HeaderName as H;
    MessageParser::new()
        .with_mime_headers()
        .with_date_headers()
        .with_address_headers()
        .with_message_ids()
        .header_text(H::Subject)
        .header_text(H::Comments)
        .header_address(H::ListArchive)
        .header_address(H::ListHelp)
        .header_address(H::ListId)
        .header_address(H::ListOwner)
        .header_address(H::ListPost)
        .header_address(H::ListSubscribe)
        .header_address(H::ListUnsubscribe)
        .header_id(H::ReturnPath)
        .header_comma_separated(H::Keywords)
        .header_comma_separated(H::ContentLanguage)
        .header_raw(H::MimeVersion)
        .ignore_header(H::Received)
        .default_header_raw()
});

/// How many nested forwards (attached or inline) are unwrapped at most.
const MAX_UNWRAP: usize = 8;
/// Bytes of an oversized mail looked at to sniff its headers.
pub const SNIFF_BYTES: usize = 64 * 1024;
/// Most text read from one text/plain part (a web form is a few KB; a
/// longer body is a pasted file or an attack, and extraction over it would
/// cost memory and time for nothing). The raw mail keeps the rest.
pub const MAX_PLAIN_BYTES: usize = 1024 * 1024;
/// Most markup read from one text/html part (markup is verbose).
pub const MAX_HTML_BYTES: usize = 4 * 1024 * 1024;

impl Letter {
    /// Never panics, whatever the bytes.
    pub fn parse(raw: &[u8], max_bytes: usize) -> Letter {
        let mut letter = Letter {
            size: raw.len(),
            ..Letter::default()
        };
        if raw.len() > max_bytes {
            return Letter::too_large(&raw[..raw.len().min(SNIFF_BYTES)], raw.len(), max_bytes);
        }
        // mail-parser builds nested messages as a nested tree whose drop
        // recurses: defuse hostile nesting before it can blow the stack.
        let defused = defuse_nesting(raw);
        if defused.is_some() {
            letter.problems.push(format!(
                "more than {MAX_NESTED_MESSAGES} nested messages: deeper ones not read"
            ));
        }
        let raw: &[u8] = defused.as_deref().unwrap_or(raw);
        match std::panic::catch_unwind(|| PARSER.parse(raw)) {
            Ok(Some(msg)) => read_message(&mut letter, &msg),
            Ok(None) => {
                if !raw.is_empty() {
                    letter
                        .problems
                        .push("no mail headers found: whole input read as text".into());
                }
                let (text, problem) = decode_text(cap_bytes(raw, MAX_PLAIN_BYTES), None, false);
                letter.problems.extend(problem);
                letter
                    .problems
                    .extend(cut_note(raw.len(), MAX_PLAIN_BYTES, "text"));
                letter.plain = Some(lf(&text));
            }
            Err(_) => {
                letter.problems.push(
                    "MIME structure could not be read (parser failure): whole input read as text"
                        .into(),
                );
                let (text, problem) = decode_text(cap_bytes(raw, MAX_PLAIN_BYTES), None, false);
                letter.problems.extend(problem);
                letter
                    .problems
                    .extend(cut_note(raw.len(), MAX_PLAIN_BYTES, "text"));
                letter.plain = Some(lf(&text));
            }
        }
        finish(&mut letter);
        tracing::debug!(
            size = letter.size,
            plain = letter.plain.is_some(),
            html = letter.html.is_some(),
            unwrapped = letter.outer.is_some(),
            problems = ?letter.problems,
            "mail read"
        );
        letter
    }

    /// A mail over the size cap, read from its first bytes alone (`head`:
    /// at least the first [`SNIFF_BYTES`] of a mail of `size` bytes): only
    /// its headers are sniffed, so the caller need not load the whole mail.
    pub fn too_large(head: &[u8], size: usize, max_bytes: usize) -> Letter {
        let mut letter = Letter {
            size,
            too_large: true,
            ..Letter::default()
        };
        letter.problems.push(format!(
            "mail is {size} bytes, over the {max_bytes} byte cap ([parse] max_mail_bytes): not parsed; raise the cap to read it"
        ));
        let head = &head[..head.len().min(SNIFF_BYTES)];
        let head = match find_subslice(head, b"\r\n\r\n").or_else(|| find_subslice(head, b"\n\n")) {
            Some(p) => &head[..p + 2],
            None => head,
        };
        if let Ok(Some(msg)) = std::panic::catch_unwind(|| PARSER.parse_headers(head)) {
            read_headers(&mut letter, &msg);
        }
        tracing::debug!(size, max_bytes, "mail over the size cap: not parsed");
        letter
    }

    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Nested `message/*` parts read at most; later ones become opaque.
const MAX_NESTED_MESSAGES: usize = 32;

static NESTED_MESSAGE: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    regex::bytes::Regex::new(r"(?i-u)message/(?:rfc822|global)").unwrap()
});

/// A copy of `raw` where `message/rfc822` content types beyond the first
/// [`MAX_NESTED_MESSAGES`] are renamed to a same-length opaque type (offsets
/// stay valid); `None` when there are not that many.
fn defuse_nesting(raw: &[u8]) -> Option<Vec<u8>> {
    let mut hits = NESTED_MESSAGE
        .find_iter(raw)
        .skip(MAX_NESTED_MESSAGES)
        .peekable();
    hits.peek()?;
    let mut copy = raw.to_vec();
    for m in hits {
        if let Some(slot) = copy.get_mut(m.start()..m.end())
            && slot.len() == 14
        {
            slot.copy_from_slice(b"application/xx");
        }
    }
    Some(copy)
}

fn find_subslice(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads headers and bodies of `msg`, descending into attached originals
/// (`message/rfc822`) of forwards.
fn read_message(letter: &mut Letter, top: &Message<'_>) {
    let mut msg = top;
    let mut outer: Option<Envelope> = None;
    for _ in 0..MAX_UNWRAP {
        let Some(inner) = attached_original(msg) else {
            break;
        };
        if outer.is_none() {
            outer = Some(envelope_of(msg));
        }
        msg = inner;
    }
    read_headers(letter, msg);
    read_bodies(letter, msg);
    letter.outer = outer;
}

/// The message/rfc822 part of a forward, when it has a readable body.
fn attached_original<'a>(msg: &'a Message<'a>) -> Option<&'a Message<'a>> {
    msg.parts.iter().find_map(|p| match &p.body {
        PartType::Message(m) if !m.parts.is_empty() && m.from().is_some() => Some(m),
        _ => None,
    })
}

fn envelope_of(msg: &Message<'_>) -> Envelope {
    Envelope {
        from: msg.from().and_then(first_address),
        subject: header_value_text(msg, "Subject"),
    }
}

fn header_value_text(msg: &Message<'_>, name: &str) -> Option<String> {
    msg.headers()
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
        .map(|h| header_text(msg, h))
        .filter(|s| !s.is_empty())
}

fn first_address(a: &mail_parser::Address<'_>) -> Option<Address> {
    all_addresses(a).into_iter().next()
}

fn all_addresses(a: &mail_parser::Address<'_>) -> Vec<Address> {
    let conv = |x: &mail_parser::Addr<'_>| -> Option<Address> {
        let email = x.address.as_deref()?.trim().to_lowercase();
        if email.is_empty() {
            return None;
        }
        let name = x
            .name
            .as_deref()
            .map(|n| n.trim().trim_matches('"').trim().to_string())
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(&email));
        Some(Address { name, email })
    };
    match a {
        mail_parser::Address::List(list) => list.iter().filter_map(conv).collect(),
        mail_parser::Address::Group(groups) => groups
            .iter()
            .flat_map(|g| g.addresses.iter())
            .filter_map(conv)
            .collect(),
    }
}

fn read_headers(letter: &mut Letter, msg: &Message<'_>) {
    letter.headers = msg
        .headers()
        .iter()
        .map(|h| (h.name().to_string(), header_text(msg, h)))
        .collect();
    letter.from = msg.from().and_then(first_address);
    letter.to = msg.to().map(all_addresses).unwrap_or_default();
    letter.reply_to = msg.reply_to().map(all_addresses).unwrap_or_default();
    letter.subject = letter
        .header("Subject")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    letter.date = msg
        .date()
        .and_then(|d| jiff::Timestamp::from_second(d.to_timestamp()).ok());
    letter.message_id = msg.message_id().map(|s| s.to_string());
}

/// One header as text: decoded by mail-parser, with a charset second opinion
/// when raw 8-bit bytes came out as U+FFFD.
fn header_text(msg: &Message<'_>, h: &mail_parser::Header<'_>) -> String {
    let raw = msg
        .raw_message
        .get(h.offset_start as usize..h.offset_end as usize)
        .unwrap_or_default();
    let parsed: Option<String> = match &h.value {
        HeaderValue::Text(t) => Some(t.to_string()),
        HeaderValue::TextList(l) => Some(l.join(", ")),
        HeaderValue::Address(a) => Some(
            all_addresses(a)
                .iter()
                .map(|x| match &x.name {
                    Some(n) => format!("{n} <{}>", x.email),
                    None => x.email.clone(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    };
    match parsed {
        None if raw.is_ascii() => unfold(std::str::from_utf8(raw).unwrap_or_default()),
        Some(p) if !has_replacement(&p) && (!p.is_empty() || raw.is_empty()) => p,
        Some(p) if p.is_empty() => unfold(&decode_text(raw, None, false).0),
        Some(p) if raw.windows(2).any(|w| w == b"=?") => p,
        _ => unfold(&decode_text(raw, None, false).0),
    }
}

/// A U+FFFD (a byte the decoder could not read) in `s`. `str::contains`
/// with a char searches for its last UTF-8 byte, 0xBD, which Cyrillic text
/// is full of; a substring search does not stop at every letter.
fn has_replacement(s: &str) -> bool {
    // Its first byte, 0xEF, is rare in Cyrillic (lead bytes 0xD0/0xD1), and
    // a byte search needs no searcher built per call, as `memmem` does.
    let b = s.as_bytes();
    memchr::memchr_iter(0xEF, b).any(|i| b[i..].starts_with("\u{FFFD}".as_bytes()))
}

fn unfold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in crate::scan::split_nl(s).enumerate() {
        let line = line.trim_end_matches('\r');
        if i > 0 {
            out.push(' ');
            out.push_str(line.trim_start());
        } else {
            out.push_str(line);
        }
    }
    out.trim().to_string()
}

fn read_bodies(letter: &mut Letter, msg: &Message<'_>) {
    let mut plain: Vec<String> = Vec::new();
    let mut html_parts: Vec<String> = Vec::new();
    // Parts past the caps are not read (see MAX_PLAIN_BYTES).
    let full = |v: &Vec<String>, max: usize| v.iter().map(String::len).sum::<usize>() >= max;
    for id in &msg.text_body {
        if full(&plain, MAX_PLAIN_BYTES) {
            letter.problems.push(format!(
                "more than {MAX_PLAIN_BYTES} bytes of text: later text parts not read"
            ));
            break;
        }
        if let Some(part) = msg.parts.get(*id as usize)
            && matches!(part.body, PartType::Text(_))
        {
            let (t, p) = part_text(msg, part, false);
            letter.problems.extend(p);
            plain.push(unflow(part, t));
        }
    }
    for id in &msg.html_body {
        if full(&html_parts, MAX_HTML_BYTES) {
            letter.problems.push(format!(
                "more than {MAX_HTML_BYTES} bytes of HTML: later HTML parts not read"
            ));
            break;
        }
        if let Some(part) = msg.parts.get(*id as usize)
            && matches!(part.body, PartType::Html(_))
        {
            let (t, p) = part_text(msg, part, true);
            letter.problems.extend(p);
            html_parts.push(t);
        }
    }
    if plain.is_empty() && html_parts.is_empty() {
        // Truncated or odd MIME: mail-parser files the text as an attachment.
        for part in &msg.parts {
            let declared_attachment = part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
            if declared_attachment {
                continue;
            }
            match &part.body {
                PartType::Text(_) => {
                    let (t, p) = part_text(msg, part, false);
                    letter.problems.extend(p);
                    plain.push(t);
                }
                PartType::Html(_) => {
                    let (t, p) = part_text(msg, part, true);
                    letter.problems.extend(p);
                    html_parts.push(t);
                }
                _ => {}
            }
        }
        if !plain.is_empty() || !html_parts.is_empty() {
            letter
                .problems
                .push("no body part in the MIME structure: read stray text parts".into());
        }
    }
    if msg.parts.iter().any(|p| p.is_encoding_problem) {
        letter
            .problems
            .push("damaged MIME part (bad encoding or truncated mail): read what was there".into());
    }
    letter.plain = (!plain.is_empty()).then(|| lf(&plain.join("\n")));
    letter.html = (!html_parts.is_empty()).then(|| lf(&html_parts.join("\n")));
}

/// `format=flowed` (RFC 3676) text rejoined: a line ending in a space runs
/// on into the next (`delsp=yes`: that space was added by the wrapper and
/// goes), space-stuffing is undone, the `-- ` signature line stays.
fn unflow(part: &MessagePart<'_>, t: String) -> String {
    let Some(ct) = part.content_type() else {
        return t;
    };
    let is = |k: &str, v: &str| {
        ct.attribute(k)
            .is_some_and(|a| a.trim().eq_ignore_ascii_case(v))
    };
    if !is("format", "flowed") {
        return t;
    }
    let delsp = is("delsp", "yes");
    let mut out = String::with_capacity(t.len());
    for line in crate::scan::split_nl(&t) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line.strip_prefix(' ').unwrap_or(line);
        let soft = line.ends_with(' ') && line != "-- ";
        if soft {
            out.push_str(if delsp { &line[..line.len() - 1] } else { line });
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !t.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// CRLF and lone CR line ends to LF, so extraction sees one kind.
fn lf(s: &str) -> String {
    // `memchr` per line: `str::find(char)` sets up a searcher per call,
    // ~190 instructions a line of a CRLF body.
    let b = s.as_bytes();
    let Some(first) = memchr::memchr(b'\r', b) else {
        return s.to_string();
    };
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    let mut cr = first;
    loop {
        // `\r` is ASCII: both cuts fall on character boundaries.
        out.push_str(&s[from..cr]);
        out.push('\n');
        from = cr + 1;
        if b.get(from) == Some(&b'\n') {
            from += 1;
        }
        match memchr::memchr(b'\r', &b[from..]) {
            Some(p) => cr = from + p,
            None => break,
        }
    }
    out.push_str(&s[from..]);
    out
}

/// The first `max` bytes of `b`.
fn cap_bytes(b: &[u8], max: usize) -> &[u8] {
    &b[..b.len().min(max)]
}

/// The longest prefix of `s` of at most `max` bytes ending at a character.
fn cap_str(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The problem note for a part of `len` bytes read only up to `max`.
fn cut_note(len: usize, max: usize, what: &str) -> Option<String> {
    (len > max).then(|| {
        format!(
            "{what} part of {len} bytes: only the first {max} bytes read (the rest is in the mail)"
        )
    })
}

/// Decoded text of a text part (at most [`MAX_PLAIN_BYTES`] or
/// [`MAX_HTML_BYTES`]), with the charset chosen on evidence.
fn part_text(msg: &Message<'_>, part: &MessagePart<'_>, is_html: bool) -> (String, Option<String>) {
    let max = if is_html {
        MAX_HTML_BYTES
    } else {
        MAX_PLAIN_BYTES
    };
    let what = if is_html { "HTML" } else { "text" };
    let (text, charset) = part_text_uncut(msg, part, is_html, max);
    let cut = match &part.body {
        PartType::Text(t) | PartType::Html(t) => cut_note(t.len(), max, what),
        _ => None,
    };
    let problem = match (charset, cut) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    (text, problem)
}

fn part_text_uncut(
    msg: &Message<'_>,
    part: &MessagePart<'_>,
    is_html: bool,
    max: usize,
) -> (String, Option<String>) {
    let parsed: &str = match &part.body {
        PartType::Text(t) | PartType::Html(t) => t,
        _ => "",
    };
    let declared = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .map(|c| c.trim().to_ascii_lowercase());
    let declared_utf8 = matches!(
        declared.as_deref(),
        None | Some("utf-8" | "utf8" | "us-ascii" | "ascii")
    );
    // Fast path: the declared charset is UTF-8 (or absent) and decoding went fine.
    if declared_utf8
        && !has_replacement(parsed)
        && !(declared.is_none() && is_html && !parsed.is_ascii())
    {
        return (cap_str(parsed, max).to_string(), None);
    }
    let raw = msg
        .raw_message
        .get(part.offset_body as usize..(part.offset_end as usize).max(part.offset_body as usize))
        .unwrap_or_default();
    // Decode no more than `max` bytes' worth: QP takes at most 3 bytes per
    // byte, base64 4 per 3 plus line ends (cut at a line end, so no quad
    // is split).
    let raw = match part.encoding {
        Encoding::None => raw,
        _ if raw.len() <= max.saturating_mul(3) => raw,
        Encoding::QuotedPrintable => cap_bytes(raw, max.saturating_mul(3)),
        Encoding::Base64 => {
            let head = cap_bytes(raw, max.saturating_mul(3));
            &head[..head
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(head.len(), |p| p + 1)]
        }
    };
    let bytes: Cow<'_, [u8]> = match part.encoding {
        Encoding::None => Cow::Borrowed(raw),
        Encoding::Base64 => match mail_parser::decoders::base64::base64_decode(raw) {
            Some(b) => Cow::Owned(b),
            None => return (cap_str(parsed, max).to_string(), None),
        },
        Encoding::QuotedPrintable => {
            match mail_parser::decoders::quoted_printable::quoted_printable_decode(raw) {
                Some(b) => Cow::Owned(b),
                None => return (cap_str(parsed, max).to_string(), None),
            }
        }
    };
    let declared = declared.or_else(|| if is_html { meta_charset(&bytes) } else { None });
    decode_text(cap_bytes(&bytes, max), declared.as_deref(), true)
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(r#"(?i)<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]{1,40})"#).unwrap()
});

/// `<meta charset>` / `http-equiv` charset of an HTML body (first 4 KiB).
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let head = String::from_utf8_lossy(head);
    META_CHARSET
        .captures(&head)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_ascii_lowercase())
}

/// Decodes bytes of unknown or doubtful charset. Candidates are the
/// declared charset, UTF-8 (when valid), windows-1251 and KOI8-R; the one
/// reading most like Russian text (or plain ASCII) wins. Returns the text
/// and, when the declared charset was overruled, a problem note.
pub(crate) fn decode_text(
    bytes: &[u8],
    declared: Option<&str>,
    note: bool,
) -> (String, Option<String>) {
    if bytes.is_ascii() {
        // ASCII is UTF-8: `from_utf8` checks it word by word, where the
        // lossy reader walks it in chunks.
        return (
            std::str::from_utf8(bytes).unwrap_or_default().to_owned(),
            None,
        );
    }
    let declared_enc = declared.and_then(|d| encoding_rs::Encoding::for_label(d.as_bytes()));
    // Evidence per byte: a UTF-8 text with a few bad bytes (a server that
    // turned a NUL into 0x80, a cut multi-byte letter) stays UTF-8, with
    // only those bytes replaced.
    let utf8 = Utf8Evidence::of(bytes);
    let utf8_declared = declared_enc.is_none_or(|e| e == encoding_rs::UTF_8);
    if utf8.invalid > 0 && utf8.mostly_utf8() {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let problem = note.then(|| {
            format!(
                "{} byte(s) not valid UTF-8 in an otherwise UTF-8 text: replaced with U+FFFD",
                utf8.invalid
            )
        });
        return (text, problem);
    }
    // Readings in order (ties go to the first): valid UTF-8, the declared
    // charset, windows-1251, KOI8-R. A single-byte reading is decoded only
    // when the most it could score beats the best so far.
    let mut best: Option<(&'static encoding_rs::Encoding, String)> = None;
    let mut best_score = i64::MIN;
    let bonus = |enc| if Some(enc) == declared_enc { 4 } else { 0 };
    if let Ok(s) = std::str::from_utf8(bytes) {
        // Valid UTF-8 with non-ASCII bytes is almost never an accident.
        best_score = cyrillic_score(s)
            + 8
            + (s.chars().filter(|c| !c.is_ascii()).count() as i64) * 2
            + bonus(encoding_rs::UTF_8);
        best = Some((encoding_rs::UTF_8, s.to_string()));
    }
    let mut order: Vec<&'static encoding_rs::Encoding> = Vec::with_capacity(3);
    if let Some(enc) = declared_enc
        && enc != encoding_rs::UTF_8
    {
        order.push(enc);
    }
    for enc in [encoding_rs::WINDOWS_1251, encoding_rs::KOI8_R] {
        if !order.contains(&enc) {
            order.push(enc);
        }
    }
    for enc in order {
        if best.is_some() && score_bound(bytes, enc).is_some_and(|b| b + bonus(enc) <= best_score) {
            continue;
        }
        let text = enc.decode_without_bom_handling(bytes).0.into_owned();
        let s = cyrillic_score(&text) + bonus(enc);
        if s > best_score || best.is_none() {
            best_score = s;
            best = Some((enc, text));
        }
    }
    let (enc, text) = best.unwrap_or((encoding_rs::UTF_8, String::new()));
    // A declared (or assumed) UTF-8 text is read as a single-byte Cyrillic
    // charset only when the whole text says so, not on a stray byte.
    if utf8_declared && enc != encoding_rs::UTF_8 && !reads_as_russian(&text) {
        let lossy = String::from_utf8_lossy(bytes).into_owned();
        let problem = note.then(|| {
            format!(
                "{} byte(s) not valid UTF-8: replaced with U+FFFD",
                utf8.invalid
            )
        });
        return (lossy, problem);
    }
    let problem = match (declared_enc, note) {
        (Some(d), true) if d != enc => Some(format!(
            "declared charset {} does not fit the bytes: read as {}",
            declared.unwrap_or_default(),
            enc.name()
        )),
        (None, true) if declared.is_some() => Some(format!(
            "unknown charset {}: read as {}",
            declared.unwrap_or_default(),
            enc.name()
        )),
        (None, true) if enc != encoding_rs::UTF_8 => Some(format!(
            "no charset declared for 8-bit text: read as {}",
            enc.name()
        )),
        _ => None,
    };
    (text, problem)
}

/// What the bytes say about UTF-8: multi-byte characters that decode, and
/// invalid sequences.
#[derive(Debug, Clone, Copy, Default)]
struct Utf8Evidence {
    multibyte: usize,
    invalid: usize,
}

impl Utf8Evidence {
    fn of(bytes: &[u8]) -> Utf8Evidence {
        let mut e = Utf8Evidence::default();
        for chunk in bytes.utf8_chunks() {
            e.multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
            if !chunk.invalid().is_empty() {
                e.invalid += 1;
            }
        }
        e
    }

    /// Enough well-formed multi-byte characters that the bad bytes are
    /// damage, not another charset: single-byte Cyrillic text almost never
    /// forms valid UTF-8 sequences, so even a few of them are telling.
    fn mostly_utf8(&self) -> bool {
        self.multibyte >= 3 && self.invalid * 4 <= self.multibyte
    }
}

/// The whole text reads as Russian: most of its non-ASCII characters are
/// Cyrillic letters, and it scores as Russian text.
fn reads_as_russian(text: &str) -> bool {
    let mut non_ascii = 0usize;
    let mut cyrillic = 0usize;
    for c in text.chars().filter(|c| !c.is_ascii()) {
        non_ascii += 1;
        if matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё') {
            cyrillic += 1;
        }
    }
    non_ascii > 0 && cyrillic * 10 >= non_ascii * 8 && cyrillic_score(text) > 0
}

/// How much a text looks like Russian: frequent lower-case letters score,
/// mid-word capitals, box drawing and replacement characters cost.
fn cyrillic_score(text: &str) -> i64 {
    let mut score = 0i64;
    let mut prev_lower = false;
    for c in text.chars() {
        score += char_score(c, prev_lower);
        prev_lower = matches!(c, 'а'..='я' | 'ё');
    }
    score
}

/// What one character adds to [`cyrillic_score`] after a lower-case
/// Cyrillic letter (`prev_lower`) or not.
fn char_score(c: char, prev_lower: bool) -> i64 {
    let mut score = 0i64;
    let lower = matches!(c, 'а'..='я' | 'ё');
    let upper = matches!(c, 'А'..='Я' | 'Ё');
    if lower {
        score += if matches!(
            c,
            'о' | 'е'
                | 'а'
                | 'и'
                | 'н'
                | 'т'
                | 'с'
                | 'р'
                | 'в'
                | 'л'
                | 'к'
                | 'м'
                | 'д'
                | 'п'
                | 'у'
                | 'я'
                | 'ы'
        ) {
            3
        } else {
            1
        };
    } else if upper {
        score += if prev_lower { -4 } else { 1 };
    } else if c == '\u{FFFD}' {
        score -= 12;
    } else if ((c as u32) >= 0x80
        && !c.is_alphabetic()
        && !matches!(
            c,
            '«' | '»'
                | '—'
                | '–'
                | '№'
                | '…'
                | '“'
                | '”'
                | '„'
                | '’'
                | '‘'
                | ' '
                | '©'
                | '®'
                | '°'
                | '·'
                | '•'
        ))
        || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        score -= 5;
    } else if !c.is_ascii() && c.is_alphabetic() {
        // Latin-1 accented letters and the like: unlikely in this mail.
        score -= 2;
    }
    score
}

/// The most [`cyrillic_score`] could give `bytes` read as windows-1251 or
/// KOI8-R: each byte's best (an upper-case letter at +1), ASCII at 0 (it
/// reads alike in every charset and never adds). `None` for other charsets.
fn score_bound(bytes: &[u8], enc: &'static encoding_rs::Encoding) -> Option<i64> {
    static TABLES: LazyLock<[[i8; 128]; 2]> = LazyLock::new(|| {
        let mut t = [[0i8; 128]; 2];
        for (k, enc) in [encoding_rs::WINDOWS_1251, encoding_rs::KOI8_R]
            .iter()
            .enumerate()
        {
            for (i, slot) in t[k].iter_mut().enumerate() {
                let text = enc
                    .decode_without_bom_handling(&[0x80 + i as u8])
                    .0
                    .into_owned();
                let best: i64 = text
                    .chars()
                    .map(|c| char_score(c, false).max(char_score(c, true)))
                    .sum();
                *slot = best.clamp(-128, 127) as i8;
            }
        }
        t
    });
    let table = if enc == encoding_rs::WINDOWS_1251 {
        &TABLES[0]
    } else if enc == encoding_rs::KOI8_R {
        &TABLES[1]
    } else {
        return None;
    };
    Some(
        bytes
            .iter()
            .filter(|b| !b.is_ascii())
            .map(|&b| i64::from(table[usize::from(b - 0x80)]))
            .sum(),
    )
}

static VIEW_IN_HTML: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(
        r"(?i)html[- ]?(верси|формат|письм|version|format)|(in|в) html|(enable|support|поддерж\S*) html|html (is|не)|view (this|it|the) (e-?mail|message)|(в|in)( your| a)? (браузер|browser)|почтов\S* (клиент|программ)|non-html",
    )
    .unwrap()
});

/// Fills `html_text`, unwraps inline forwards and quoted replies, picks `text`.
fn finish(letter: &mut Letter) {
    if let Some(h) = &letter.html {
        if has_markup(h) {
            let (t, ends) = html::to_text_and_ends(h);
            letter.html_text = Some(t);
            letter.html_block_ends = ends;
        } else {
            // `Content-Type: text/html` over a body without a single tag
            // (lines joined by "\n" only, Webasyst's ordercall plugin): a
            // browser would run the lines together; the sender wrote lines.
            letter.html_text = Some(html::decode_entities(h).trim().to_string());
        }
    }
    let before = letter.html_text.as_ref().map(String::len);
    unwrap_inline(letter);
    if letter.html_text.as_ref().map(String::len) != before {
        letter.html_block_ends.clear();
    }
    let plain_useful = letter.plain.as_deref().is_some_and(|p| {
        let t = p.trim();
        let stub = letter.html.is_some() && t.chars().count() < 400 && VIEW_IN_HTML.is_match(t);
        !t.is_empty() && !stub
    });
    // A forward of an HTML form: the client's plain part flattens the
    // table, the HTML keeps it; read whichever has more `label: value` lines.
    let html_richer = letter.outer.is_some()
        && match (&letter.plain, &letter.html_text) {
            (Some(p), Some(h)) => label_lines(h) > label_lines(p),
            _ => false,
        };
    // A plain part made by stripping the HTML's tags (PHPMailer's
    // html2text): the template's indentation is left as lines of spaces and
    // the table's cells come apart; the HTML keeps them.
    let html_richer = html_richer
        || (letter.html_text.is_some() && letter.plain.as_deref().is_some_and(tag_stripped));
    // A plain part that is not a rendering of the HTML: a placeholder
    // (Flask-Mail's `body = 'yess'` beside `html = '<b>{message}</b>'`) or
    // a fallback wrapping the HTML's raw markup after a notice of the
    // sender's own (`…позвоните по телефону 8800… <p>Имя: …</p>`).
    let html_richer = html_richer
        || match (&letter.plain, &letter.html_text) {
            (Some(p), Some(h)) => plain_not_of_html(p, h) || plain_glues_blocks(p, h),
            _ => false,
        };
    letter.text = if plain_useful && !html_richer {
        letter.plain.clone().unwrap_or_default()
    } else if let Some(h) = &letter.html_text {
        h.clone()
    } else {
        letter.plain.clone().unwrap_or_default()
    };
}

/// Whether a text/html body holds any markup at all: a tag (`<p`, `</b`,
/// `<br/>`), a comment or a doctype.
fn has_markup(h: &str) -> bool {
    h.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Whether a plain part stands beside the HTML without rendering it: a
/// short placeholder whose words the HTML's text does not hold, or the
/// HTML's own markup pasted in (two or more block tags).
fn plain_not_of_html(plain: &str, html_text: &str) -> bool {
    let p = plain.trim();
    let h = html_text.trim();
    // Only a short plain part can be a placeholder: the texts are lower-cased
    // (the whole HTML's text) only then.
    let placeholder = !p.is_empty() && p.chars().count() <= 40 && {
        let (pl, hl) = (p.to_lowercase(), h.to_lowercase());
        // `Plain text content` beside `+7 (916) 123-45-67/07.12.2026` (a Yii2
        // widget's setTextBody left at its example): not one word in common.
        let shares_no_word = !h.is_empty()
            && !pl
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .any(|w| hl.contains(w));
        (h.chars().count() > 2 * p.chars().count() && !hl.contains(&pl)) || shares_no_word
    };
    placeholder || RAW_BLOCK_TAG.find_iter(p).take(2).count() >= 2
}

/// Whether the plain part is the HTML's text with the breaks between its
/// blocks dropped (PHPMailer 5's html2text: strip_tags only, so Osclass's
/// `<p>Hi X!</p><p>NAME (EMAIL, PHONE) left you a message…</p>` arrives as
/// `Hi X!NAME (EMAIL, PHONE) left you a message…`): the same characters
/// apart from white space, on fewer lines than the HTML's text.
fn plain_glues_blocks(plain: &str, html_text: &str) -> bool {
    let lines = |s: &str| {
        s.trim()
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .count()
    };
    // Cheap test first: the HTML's text must have more lines than the plain.
    if lines(html_text) <= lines(plain) {
        return false;
    }
    let dense = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<Vec<char>>()
    };
    let (p, h) = (dense(plain), dense(html_text));
    !p.is_empty() && p == h
}

static RAW_BLOCK_TAG: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(r"(?i)</?(?:p|div|table|tr|td|th|h[1-6]|ul|ol|li)(?:\s[^<>]*)?\s*/?>")
        .unwrap()
});

/// Whether a plain part is an HTML template with its tags stripped: at
/// least a third of its lines (and five or more) hold only indentation.
fn tag_stripped(p: &str) -> bool {
    let (mut lines, mut indent) = (0usize, 0usize);
    for l in crate::scan::lines(p) {
        lines += 1;
        if !l.is_empty() && l.bytes().all(|b| b == b' ' || b == b'\t' || b == b'\r') {
            indent += 1;
        }
    }
    indent >= 5 && indent * 3 >= lines
}

/// Lines that read `Label: value` (a colon within the first 60 characters,
/// something after it): what `(?m)^[^:\n]{1,60}:[ \t]*\S` counts, without
/// the 60 copies of a wide class that pattern would compile to.
fn label_lines(s: &str) -> usize {
    crate::scan::split_nl(s)
        .filter(|l| {
            l.split_once(':').is_some_and(|(label, rest)| {
                !label.is_empty()
                    && label.chars().count() <= 60
                    && rest
                        .trim_start_matches([' ', '\t'])
                        .chars()
                        .next()
                        .is_some_and(|c| !c.is_whitespace())
            })
        })
        .count()
}

// ---------------------------------------------------------------------------
// Inline forwards and quoted replies
// ---------------------------------------------------------------------------

/// A forward marker line: Gmail, Outlook, Thunderbird, Yandex/Mail.ru, Apple.
static FWD_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(
        r"(?i)^(?:[-–—_=*\s]*(?:(?:forwarded message|пересылаемое сообщение) (?:from|от) [^\n]+?[-–—]{3,}|forwarded message|original message|пересылаемое сообщение|исходное сообщение|перенаправленное сообщение|переадресованное сообщение|начало переадресованного сообщения|начало пересылаемого сообщения|message transféré)[-–—_=*\s:]*|(?:begin forwarded message|начало пересылаемого сообщения|начало переадресованного сообщения)\s*:|_{10,})$",
    )
    .unwrap()
});
/// The end of a forwarded block (Yandex, Mail.ru, Thunderbird).
static FWD_END: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(
        r"(?i)^[-–—=\s]*(?:конец пересылаемого сообщения|end (?:of )?forwarded message|конец переадресованного сообщения)[-–—=\s]*$",
    )
    .unwrap()
});
/// One line of an inline header block ("От: …", "Subject: …").
static INLINE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(
        r"(?i)^\*?(from|от кого|от|отправитель|sent|отправлено|date|дата|to|кому|cc|копия|subject|тема|reply-to|ответить)\*?\s*:\s*(.*)$",
    )
    .unwrap()
});
/// "23.11.2026, 11:02, "Tilda" <noreply@tilda.ws>:" (Yandex) and reply
/// attributions ("On …, X <a@b> wrote:", "пн, 23 нояб. 2026 г. в 11:02, X <a@b>:").
static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(r"(?i)^.*?([^\s<>()\[\]:,;]+@[^\s<>()\[\]:,;]+\.[^\s<>()\[\]:,;]+)[>\])]?\s*(?:wrote|пишет|пише|написал\(?а?\)?|написав\(?ла\)?)?\s*:\s*$")
        .unwrap()
});

/// [`ATTRIBUTION`] with the address among the first 160 characters of the
/// line (a bound the pattern itself would pay ~180 KB of automaton for).
fn attribution(l: &str) -> Option<regex::Captures<'_>> {
    let c = ATTRIBUTION.captures(l)?;
    let start = c.get(1)?.start();
    (l[..start].chars().count() <= 160).then_some(c)
}
static EMAIL_IN: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(r"[^\s<>()\[\]:,;]+@[^\s<>()\[\]:,;]+\.[^\s<>()\[\]:,;]+").unwrap()
});
/// Reply / forward subject prefixes, possibly repeated.
static SUBJECT_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(r"(?i)^(?:\s*(?:re|fwd?|aw|wg|tr|rv|ответ|отв|пересл|пересылка|переслано)\s*(?:\[\d+\])?\s*(?:\.\s*:?|:)\s*)+").unwrap()
});

/// What an inline forward header block said about the original.
#[derive(Default)]
struct Inline {
    from: Option<Address>,
    to: Vec<Address>,
    reply_to: Vec<Address>,
    subject: Option<String>,
    date: Option<jiff::Timestamp>,
    headers: Vec<(String, String)>,
    body: String,
    /// The line where the quoted section starts (its marker, header block
    /// or attribution line): what is above it is the sender's new text.
    start: usize,
    /// The line after a `> ` quote (0 when the quote runs to the end or is
    /// not a `> ` block): a bottom-posted reply's new text starts there.
    end: usize,
}

fn parse_address(v: &str) -> Option<Address> {
    let m = EMAIL_IN.find(v)?;
    let email = m
        .as_str()
        .trim_start_matches("mailto:")
        .trim_matches(|c| c == '<' || c == '>' || c == '"' || c == '\'')
        .to_lowercase();
    let mut name = v[..m.start()].trim_end();
    for suffix in ["mailto:", "MAILTO:"] {
        name = name.strip_suffix(suffix).unwrap_or(name);
    }
    let name = name
        .trim_end_matches(|c: char| c == '<' || c == '[' || c.is_whitespace())
        .trim()
        .trim_matches(['"', '\'', ','])
        .trim()
        .to_string();
    Some(Address {
        name: (!name.is_empty()).then_some(name),
        email,
    })
}

/// The sender of an attribution line: the name is what follows the date
/// ("23.11.2026, 11:02, "Tilda" <a@b>:", "On Mon, … 11:02 AM Tilda <a@b> wrote:").
fn attribution_address(line: &str) -> Option<Address> {
    let mut a = parse_address(line)?;
    if let Some(name) = a.name.take() {
        let tail = name.rsplit(',').next().unwrap_or(&name);
        let tail = [" AM ", " PM ", " am ", " pm "]
            .iter()
            .find_map(|m| tail.rsplit_once(m).map(|(_, t)| t))
            .unwrap_or(tail);
        let tail = tail.trim().trim_matches(['"', '\'']).trim();
        let has_digits = tail.chars().any(|c| c.is_ascii_digit());
        a.name = (!tail.is_empty() && !has_digits).then(|| tail.to_string());
    }
    Some(a)
}

fn parse_date_loose(v: &str) -> Option<jiff::Timestamp> {
    let raw = format!("Date: {}\r\n\r\n", v.trim());
    let msg = PARSER.parse_headers(raw.as_bytes())?;
    let d = msg.date()?;
    if !d.is_valid() {
        return None;
    }
    jiff::Timestamp::from_second(d.to_timestamp()).ok()
}

/// Reads an inline header block at `lines[i..]`; returns where it ended.
fn read_header_block(lines: &[&str], mut i: usize, inline: &mut Inline) -> usize {
    while i < lines.len() {
        let Some(c) = INLINE_HEADER.captures(lines[i].trim()) else {
            break;
        };
        let key = c.get(1).map_or("", |m| m.as_str()).to_lowercase();
        let value = c.get(2).map_or("", |m| m.as_str()).trim().to_string();
        let name = match key.as_str() {
            "from" | "от кого" | "от" | "отправитель" => {
                inline.from = parse_address(&value);
                "From"
            }
            "sent" | "отправлено" | "date" | "дата" => {
                inline.date = parse_date_loose(&value);
                "Date"
            }
            "to" | "кому" => {
                inline.to = value.split([',', ';']).filter_map(parse_address).collect();
                "To"
            }
            "cc" | "копия" => "Cc",
            "reply-to" | "ответить" => {
                inline.reply_to = value.split([',', ';']).filter_map(parse_address).collect();
                "Reply-To"
            }
            _ => {
                inline.subject = (!value.is_empty()).then(|| value.clone());
                "Subject"
            }
        };
        inline.headers.push((name.to_string(), value));
        i += 1;
    }
    i
}

fn skip_blank(lines: &[&str], mut i: usize) -> usize {
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    i
}

/// Drops one level of "> " quoting when every non-empty line has it.
fn unquote_all(lines: &[&str]) -> Option<String> {
    let quoted = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .all(|l| l.trim_start().starts_with('>'));
    quoted.then(|| {
        lines
            .iter()
            .map(|l| strip_quote(l))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn strip_quote(l: &str) -> &str {
    let t = l.trim_start();
    match t.strip_prefix('>') {
        Some(r) => r.strip_prefix(' ').unwrap_or(r),
        None => l,
    }
}

/// Words a forwarded or quoted original carries somewhere; one literal
/// search (the regex crate's multi-literal prefilter) instead of a pass per word.
static FORWARD_CUES: LazyLock<Option<Regex>> = LazyLock::new(|| {
    const CUES: &[&str] = &[
        "orward",
        "riginal",
        "ересыла",
        "сходное",
        "ереадрес",
        "еренаправ",
        "________",
        "Отправлено:",
        "Sent:",
        "\n>",
        "Message transf",
    ];
    let alternatives: Vec<String> = CUES.iter().map(|c| regex::escape(c)).collect();
    crate::re::compile(&alternatives.join("|")).ok()
});

fn may_hold_forward(text: &str) -> bool {
    text.starts_with('>') || FORWARD_CUES.as_ref().is_none_or(|r| r.is_match(text))
}

/// The innermost forwarded or quoted original inside `text`, if any.
/// `reply_like`: the subject says Re:/Fwd:, so weaker evidence (an Outlook
/// header block without a marker, a quote without attribution) counts.
fn find_inline(text: &str, reply_like: bool) -> Option<Inline> {
    if !reply_like && !may_hold_forward(text) {
        return None;
    }
    let lines: Vec<&str> = crate::scan::lines(text).collect();
    // 1. A forward marker (or an Outlook header block).
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let marker = FWD_MARKER.is_match(t);
        let outlook = !marker
            && reply_like
            && INLINE_HEADER.captures(t).is_some_and(|c| {
                matches!(
                    c.get(1).map(|m| m.as_str().to_lowercase()).as_deref(),
                    Some("from" | "от")
                )
            })
            && lines[i + 1..].iter().take(4).any(|l| {
                l.trim_start().to_lowercase().starts_with("отправлено:")
                    || l.trim_start().to_lowercase().starts_with("sent:")
            });
        if !marker && !outlook {
            continue;
        }
        let mut inline = Inline {
            start: i,
            ..Inline::default()
        };
        let mut j = if marker { skip_blank(&lines, i + 1) } else { i };
        if let Some(c) = lines.get(j).and_then(|l| attribution(l.trim()))
            && !INLINE_HEADER.is_match(lines[j].trim())
        {
            inline.from = c.get(0).and_then(|m| attribution_address(m.as_str()));
            j += 1;
        }
        let k = read_header_block(&lines, j, &mut inline);
        if marker && t.starts_with('_') && k == j {
            // A bare rule of underscores without a header block: not a forward.
            continue;
        }
        let start = skip_blank(&lines, k);
        let mut end = lines.len();
        if let Some(e) = lines[start..]
            .iter()
            .position(|l| FWD_END.is_match(l.trim()))
        {
            end = start + e;
        }
        let body_lines = &lines[start..end];
        inline.body = unquote_all(body_lines).unwrap_or_else(|| body_lines.join("\n"));
        return Some(inline);
    }
    // 2. A reply quoting the original under "> ".
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].trim_start().starts_with('>') {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].trim_start().starts_with('>') {
            i += 1;
        }
        let attribution_at = lines[..start].iter().rposition(|l| !l.trim().is_empty());
        let attribution = attribution_at.and_then(|k| attribution(lines[k].trim()));
        let lead_in = attribution_at.is_some_and(|k| is_quote_lead_in(lines[k].trim()));
        // A short quote counts under an attribution (`Quoting X <x@y>:`, Horde).
        if i - start < 3 && attribution.is_none() && !lead_in {
            continue;
        }
        let mut inline = Inline {
            start,
            end: i,
            ..Inline::default()
        };
        if let Some(k) = attribution_at
            && (attribution.is_some() || lead_in)
        {
            inline.start = k;
            // Claws Mail's two-line attribution: `On Mon, 7 Dec 2026 11:15:40
            // +0200` over `X <x@y> wrote:`.
            if k > 0 && is_attribution_date(lines[k - 1].trim()) {
                inline.start = k - 1;
            }
        }
        if attribution.is_none() && !reply_like {
            continue;
        }
        if let Some(c) = attribution {
            inline.from = c.get(0).and_then(|m| attribution_address(m.as_str()));
        }
        inline.body = lines[start..i]
            .iter()
            .map(|l| strip_quote(l))
            .collect::<Vec<_>>()
            .join("\n");
        return Some(inline);
    }
    // 3. A reply whose quote is a <blockquote> (HTML only: Yandex, Mail.ru
    // web): the attribution line (`07.12.2026, 10:00, "X" <x@y>:`) over it.
    if reply_like {
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim();
            let by_address = attribution(t).filter(|_| t.chars().any(|c| c.is_ascii_digit()));
            if by_address.is_none() && !is_quote_lead_in(t) {
                continue;
            }
            let start = skip_blank(&lines, i + 1);
            if start >= lines.len() {
                break;
            }
            return Some(Inline {
                start: i,
                from: by_address
                    .and_then(|c| c.get(0).and_then(|m| attribution_address(m.as_str()))),
                body: lines[start..].join("\n"),
                ..Inline::default()
            });
        }
    }
    None
}

/// Replaces the letter's view with the innermost inline original: the
/// forwarder (From/Subject) goes to `outer`, their note and signature above
/// the marker are dropped.
fn unwrap_inline(letter: &mut Letter) {
    let mut depth = 0;
    while depth < MAX_UNWRAP {
        let reply_like = letter
            .subject
            .as_deref()
            .is_some_and(|s| SUBJECT_PREFIX.is_match(s));
        let plain_found = letter
            .plain
            .as_deref()
            .and_then(|p| find_inline(p, reply_like));
        let html_found = letter
            .html_text
            .as_deref()
            .and_then(|h| find_inline(h, reply_like));
        let Some(info) = plain_found.as_ref().or(html_found.as_ref()) else {
            break;
        };
        if depth == 0 && quotes_own_answer(letter, info) {
            // The client answers the company: their new text is the letter,
            // the quote under it is the company's own earlier answer.
            let mut lead = None;
            let mut bottom = false;
            if let (Some(p), Some(f)) = (letter.plain.as_mut(), plain_found.as_ref()) {
                lead = crate::scan::lines(p)
                    .nth(f.start)
                    .map(|l| l.trim().to_string());
                let above = keep_lines_before(p, f.start);
                if above.trim().is_empty() && f.end > f.start {
                    // Bottom-posted (Mutt, Claws, Horde): the new text is under the quote.
                    *p = crate::scan::lines(p)
                        .skip(f.end)
                        .collect::<Vec<_>>()
                        .join("\n");
                    bottom = true;
                } else {
                    *p = above;
                }
            }
            if let Some(h) = letter.html_text.as_mut().filter(|_| !bottom) {
                // The HTML's quote is a <blockquote> (no `> `): cut it at the
                // line that opens the plain part's quote.
                let at = html_found.as_ref().map(|f| f.start).or_else(|| {
                    let lead = lead.as_deref().filter(|l| !l.is_empty())?;
                    crate::scan::lines(h).position(|l| l.trim() == lead)
                });
                if let Some(at) = at {
                    *h = keep_lines_before(h, at);
                }
            }
            letter.answers_own = true;
            break;
        }
        if letter.outer.is_none() {
            letter.outer = Some(Envelope {
                from: letter.from.clone(),
                subject: letter.subject.clone(),
            });
        }
        let subject = info.subject.clone().or_else(|| {
            letter
                .subject
                .as_deref()
                .map(|s| SUBJECT_PREFIX.replace(s, "").trim().to_string())
                .filter(|s| !s.is_empty())
        });
        letter.from = info.from.clone();
        letter.reply_to = info.reply_to.clone();
        if !info.to.is_empty() {
            letter.to = info.to.clone();
        }
        if info.date.is_some() {
            letter.date = info.date;
        }
        letter.subject = subject;
        let mut headers = info.headers.clone();
        if !headers.iter().any(|(k, _)| k == "Subject")
            && let Some(s) = &letter.subject
        {
            headers.push(("Subject".into(), s.clone()));
        }
        if let Some(id) = &letter.message_id {
            headers.push(("Message-ID".into(), format!("<{id}>")));
        }
        letter.headers = headers;
        if let Some(p) = plain_found {
            letter.plain = Some(p.body);
        }
        if let Some(h) = html_found {
            letter.html_text = Some(h.body);
        }
        depth += 1;
    }
}

/// A reply subject (`Re:`, `RE:`, `Ответ:`) that is not a forward (`Fwd:`,
/// `FW:`, `Пересл.:`): the sender answers a letter they received.
static REPLY_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    crate::re::compile(r"(?i)^\s*(?:re|aw|ответ|отв)\s*(?:\[\d+\])?\s*:").unwrap()
});

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Whether `info`, found in a reply, quotes the company's own earlier answer
/// rather than an original to read: its author is the mailbox the reply
/// was sent to (the same address, or its domain when the replier writes
/// from another one); with no address in the attribution (`…, Ольга
/// пишет:`), when the replier writes from outside the recipient's domain.
/// A manager's reply to a form's notification quotes the form's robot: that
/// original is still read.
fn quotes_own_answer(letter: &Letter, info: &Inline) -> bool {
    let reply = letter
        .subject
        .as_deref()
        .is_some_and(|s| REPLY_SUBJECT.is_match(s));
    if !reply || letter.to.is_empty() {
        return false;
    }
    let sender = letter.from.as_ref().map(|a| a.email.to_lowercase());
    let sender_domain = sender.as_deref().map(domain_of).unwrap_or_default();
    let to_domains = letter.to.iter().map(|a| domain_of(&a.email));
    match &info.from {
        Some(author) => letter.to.iter().any(|t| {
            t.email.eq_ignore_ascii_case(&author.email)
                || (domain_of(&t.email).eq_ignore_ascii_case(domain_of(&author.email))
                    && !sender_domain.eq_ignore_ascii_case(domain_of(&author.email)))
        }),
        None => {
            !sender_domain.is_empty()
                && to_domains
                    .clone()
                    .all(|d| !d.eq_ignore_ascii_case(sender_domain))
        }
    }
}

/// A line that introduces a quote without naming an address (`04.12.2026
/// 15:10, Лестницы Дуб пишет:`, `On 12/4/2026 3:10 PM, Olga wrote:`).
fn is_quote_lead_in(l: &str) -> bool {
    let Some(head) = l.strip_suffix(':') else {
        return false;
    };
    let head = head.to_lowercase();
    head.chars().any(|c| c.is_ascii_digit())
        && ["wrote", "пишет", "пише", "написал", "написав", "написала"]
            .iter()
            .any(|v| {
                head.ends_with(v)
                    || head.ends_with(&format!("{v}(а)"))
                    || head.ends_with(&format!("{v}(ла)"))
            })
}

/// The first line of a two-line attribution: `On` and a date (`On Mon, 7
/// Dec 2026 11:15:40 +0200`), no sentence.
fn is_attribution_date(l: &str) -> bool {
    l.len() <= 80
        && l.starts_with("On ")
        && l.bytes().any(|b| b.is_ascii_digit())
        && !l.ends_with(['.', ':', '!', '?'])
}

/// The first `n` lines of `text`.
fn keep_lines_before(text: &str, n: usize) -> String {
    crate::scan::lines(text)
        .take(n)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The tuned parser (`Received` skipped) reads every fixture mail as
    /// mail-parser's defaults do: same headers' text, same bodies.
    #[test]
    fn tuned_parser_reads_as_the_default_one() {
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![here.join("tests/fixtures")];
        // The sample mails beside the project, relayed ones with many
        // `Received`, when they are there.
        let shared = here.join("../shared/corpus");
        if shared.is_dir() {
            dirs.push(shared);
        } else {
            assert!(
                !std::env::var("AMO_REQUIRE_SHARED").is_ok_and(|v| v == "1"),
                "../shared/corpus is missing and AMO_REQUIRE_SHARED=1 requires it"
            );
            eprintln!(
                "tuned_parser_reads_as_the_default_one: ../shared/corpus not found, skipped \
                 there; only the project's fixtures compared"
            );
        }
        let (mut mails, mut received) = (0, 0);
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                    continue;
                }
                if p.extension().is_none_or(|x| x != "eml") {
                    continue;
                }
                let raw = std::fs::read(&p).unwrap();
                let default = MessageParser::new();
                let (Some(a), Some(b)) = (PARSER.parse(&raw[..]), default.parse(&raw[..])) else {
                    assert!(PARSER.parse(&raw[..]).is_none() && default.parse(&raw[..]).is_none());
                    continue;
                };
                let (mut la, mut lb) = (Letter::default(), Letter::default());
                read_message(&mut la, &a);
                read_message(&mut lb, &b);
                assert_eq!(la, lb, "{}", p.display());
                mails += 1;
                received += usize::from(la.header("Received").is_some());
            }
        }
        assert!(
            mails > 1000 && received >= 3,
            "{mails} mails, {received} with Received"
        );
    }

    /// `lf` as it was written with `str::find`: the reference the `memchr`
    /// version must agree with.
    fn lf_reference(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(p) = rest.find('\r') {
            out.push_str(&rest[..p]);
            out.push('\n');
            rest = &rest[p + 1..];
            if let Some(r) = rest.strip_prefix('\n') {
                rest = r;
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn lf_and_has_replacement_agree_with_their_plain_forms() {
        for s in [
            "",
            "\r",
            "\n",
            "a\r\nb\r\n",
            "a\rb\rc",
            "a\r\r\nb\r",
            "Имя: Анна\r\nТелефон: 8 900\r\n\r\nСообщение\r",
            "без перевода строки",
            "\r\n\r\n\r\n",
        ] {
            assert_eq!(lf(s), lf_reference(s), "{s:?}");
        }
        for (s, want) in [
            ("Привет, мир", false),
            ("\u{FFFD}", true),
            ("Имя: \u{FFFD}\u{FFFD}на", true),
            ("\u{FFFE}\u{F000}ï", false),
            ("ok \u{FFFD}", true),
            ("", false),
        ] {
            assert_eq!(has_replacement(s), want, "{s:?}");
            assert_eq!(has_replacement(s), s.contains('\u{FFFD}'));
        }
    }

    #[test]
    fn a_single_byte_reading_never_scores_above_its_bound() {
        // Random bytes, Russian text in windows-1251, KOI8-R and UTF-8, and
        // mixes of them: the bound `decode_text` skips readings by holds.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let russian = "Здравствуйте! Сколько стоит ЗАМЕР окон? Ёлка, «Цена» — 5 000 ₽.";
        let mut samples: Vec<Vec<u8>> = vec![
            russian.as_bytes().to_vec(),
            encoding_rs::WINDOWS_1251.encode(russian).0.into_owned(),
            encoding_rs::KOI8_R.encode(russian).0.into_owned(),
        ];
        for _ in 0..2_000 {
            let len = (next() % 200) as usize;
            let mut v: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if next() % 2 == 0 {
                v.extend_from_slice(&samples[(next() % 3) as usize].clone());
            }
            samples.push(v);
        }
        for b in &samples {
            for enc in [encoding_rs::WINDOWS_1251, encoding_rs::KOI8_R] {
                let text = enc.decode_without_bom_handling(b).0;
                let bound = score_bound(b, enc).unwrap();
                assert!(cyrillic_score(&text) <= bound, "{enc:?} {b:?}");
            }
        }
        assert_eq!(score_bound(b"x", encoding_rs::UTF_8), None);
    }

    #[test]
    fn label_lines_count_what_the_bounded_pattern_counts() {
        let re = Regex::new(r"(?m)^[^:\n]{1,60}:[ \t]*\S").unwrap();
        let long = format!("{}: x", "д".repeat(61));
        let edge = format!("{}: x", "д".repeat(60));
        for text in [
            "Имя: Иван\nТелефон:\t+7 912\n: пусто\nСообщение:   \nhttp://x.ru\r\nE-mail:a@b.ru\r\n",
            long.as_str(),
            edge.as_str(),
            "a:\u{a0}b\nc:\r\n",
        ] {
            assert_eq!(label_lines(text), re.find_iter(text).count(), "{text:?}");
        }
    }

    #[test]
    fn cp1251_beats_koi8_for_cp1251_bytes() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Здравствуйте, нужен замер окон");
        let (t, p) = decode_text(&bytes, Some("utf-8"), true);
        assert_eq!(t, "Здравствуйте, нужен замер окон");
        assert!(p.unwrap().contains("windows-1251"));
    }

    #[test]
    fn koi8_beats_cp1251_for_koi8_bytes() {
        let (bytes, _, _) = encoding_rs::KOI8_R.encode("Здравствуйте, нужен замер окон");
        let (t, _) = decode_text(&bytes, None, true);
        assert_eq!(t, "Здравствуйте, нужен замер окон");
    }

    #[test]
    fn utf8_declared_as_1251_is_read_as_utf8() {
        let (t, p) = decode_text("Имя: Иван".as_bytes(), Some("windows-1251"), true);
        assert_eq!(t, "Имя: Иван");
        assert!(p.is_some());
    }

    fn fwd(subject: &str, body: &str) -> Letter {
        let raw = format!(
            "From: Boss <boss@site-example.ru>\r\nTo: team@site-example.ru\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
        );
        Letter::parse(raw.as_bytes(), 1 << 20)
    }

    #[test]
    fn thunderbird_russian_and_outlook_original_message_forwards() {
        let l = fwd(
            "Fwd: Заявка",
            "См. ниже\r\n\r\n-------- Перенаправленное сообщение --------\r\nТема: \tЗаявка с формы\r\nДата: \tMon, 23 Nov 2026 11:02:40 +0300\r\nОт: \tTilda <noreply@tilda.ws>\r\nКому: \tzakaz@site-example.ru\r\n\r\nName: Иван\r\n",
        );
        assert_eq!(l.from.unwrap().email, "noreply@tilda.ws");
        assert_eq!(l.subject.as_deref(), Some("Заявка с формы"));
        assert_eq!(l.text.trim(), "Name: Иван");
        assert_eq!(l.outer.unwrap().from.unwrap().email, "boss@site-example.ru");

        let l = fwd(
            "FW: Request",
            "FYI\r\n\r\n-----Original Message-----\r\nFrom: Wix Forms [mailto:no-reply@crm.wix.com]\r\nSent: Monday, November 23, 2026 11:02 AM\r\nTo: zakaz@site-example.ru\r\nSubject: New notification\r\n\r\nFirst name: Anna\r\n",
        );
        let from = l.from.unwrap();
        assert_eq!(from.email, "no-reply@crm.wix.com");
        assert_eq!(from.name.as_deref(), Some("Wix Forms"));
        assert_eq!(l.subject.as_deref(), Some("New notification"));
        assert_eq!(l.text.trim(), "First name: Anna");
    }

    #[test]
    fn nested_forward_reads_the_innermost() {
        let l = fwd(
            "Fwd: Fwd: Заявка",
            "note 1\r\n---------- Forwarded message ---------\r\nFrom: Olga <olga@site-example.ru>\r\nSubject: Fwd: Заявка\r\n\r\nnote 2\r\n---------- Forwarded message ---------\r\nFrom: noreply@tilda.ws\r\nSubject: Заявка\r\n\r\nName: Иван\r\n",
        );
        assert_eq!(l.from.unwrap().email, "noreply@tilda.ws");
        assert_eq!(l.text.trim(), "Name: Иван");
        assert_eq!(l.outer.unwrap().from.unwrap().email, "boss@site-example.ru");
    }

    fn reply(from: &str, to: &str, subject: &str, ctype: &str, body: &str) -> Letter {
        let raw = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nContent-Type: {ctype}; charset=utf-8\r\n\r\n{body}"
        );
        Letter::parse(raw.as_bytes(), 1 << 20)
    }

    #[test]
    fn bottom_posted_replies_keep_the_text_under_the_quote() {
        // Round 26d: (client, company, subject, body, the client's words).
        let cases = [
            // NeoMutt's `On DATE, NAME wrote:` over the company's answer,
            // the client's words under it.
            (
                "Павел <pavel@mail.example>",
                "Кровля <info@krovlya.example>",
                "Re: Кровля",
                "On Mon, Dec 07, 2026 at 12:40:02PM +0300, Кровля wrote:\r\n> Добрый день!\r\n> Осмотр в среду.\r\n> +7 495 230-10-10\r\n\r\nСреда подходит.\r\n",
                "Среда подходит.",
            ),
            // Claws Mail's two-line attribution (`On DATE` / `NAME <x@y> wrote:`).
            (
                "Степан <stepan@mail.example>",
                "Ворота <info@vorota.example>",
                "Re: Ворота",
                "On Mon, 7 Dec 2026 11:15:40 +0200\r\nВорота <info@vorota.example> wrote:\r\n\r\n> Ціна 58 000 грн.\r\n> Ворота\r\n> 044 500 20 30\r\n\r\nЧи даєте гарантію?\r\n",
                "Чи даєте гарантію?",
            ),
            // Horde's `Quoting NAME <x@y>:` over a two-line quote.
            (
                "Антон <anton@mail.example>",
                "Мебель <zakaz@mebel.example>",
                "Re: Шкаф",
                "Quoting Мебель <zakaz@mebel.example>:\r\n\r\n> Эскиз во вложении.\r\n> +7 812 600-70-80\r\n\r\nПерезвоните мне завтра.\r\n",
                "Перезвоните мне завтра.",
            ),
            // A top-posted reply still keeps the text above.
            (
                "Степан <stepan@mail.example>",
                "Ворота <info@vorota.example>",
                "Re: Ворота",
                "Да, подходит.\r\n\r\nOn Mon, 7 Dec 2026 11:15:40 +0200\r\nВорота <info@vorota.example> wrote:\r\n> а\r\n> б\r\n> в\r\n",
                "Да, подходит.",
            ),
        ];
        for (i, (from, to, subject, body, words)) in cases.into_iter().enumerate() {
            let l = reply(from, to, subject, "text/plain", body);
            assert_eq!(l.text.trim(), words, "case {i}");
            if i == 0 {
                assert!(l.answers_own);
            }
        }
    }

    #[test]
    fn mutt_and_horde_forwards_name_the_sender_in_the_marker() {
        // Round 26d: `----- Forwarded message from X <x@y> -----` with the
        // original's header lines under it (NeoMutt; Horde right-aligns them).
        let l = fwd(
            "Fwd: Кухня",
            "Возьмите клиента.\r\n\r\n----- Forwarded message from Вера <vera@mail.example> -----\r\n\r\nDate: Mon, 7 Dec 2026 09:58:12 +0300\r\nFrom: Вера <vera@mail.example>\r\nTo: s@site-example.ru\r\nSubject: Кухня\r\n\r\nКогда приедет замерщик?\r\n\r\n----- End forwarded message -----\r\n",
        );
        assert_eq!(l.from.unwrap().email, "vera@mail.example");
        assert_eq!(l.text.trim(), "Когда приедет замерщик?");
        let l = fwd(
            "Fwd: Жалюзи",
            "Наберите.\r\n\r\n----- Forwarded message from Ирина <irina@mail.example> -----\r\n     Date: Mon, 07 Dec 2026 13:01:22 +0300\r\n     From: Ирина <irina@mail.example>\r\n  Subject: Жалюзи\r\n\r\nСвяжитесь со мной.\r\n\r\n----- End forwarded message -----\r\n",
        );
        assert_eq!(l.from.unwrap().email, "irina@mail.example");
        assert_eq!(l.text.trim(), "Свяжитесь со мной.");
        // Prose naming a forwarded message is no marker.
        assert!(!FWD_MARKER.is_match("Forwarded message from John."));
    }

    #[test]
    fn a_reply_quoting_the_recipients_own_answer_keeps_the_new_text() {
        // Round 15c: the client's reply to the company (quote by the To
        // address) keeps their text and sender; no forward is unwrapped.
        let body = "Спасибо, а сколько стоит с монтажом?\r\n\r\n\
                    пн, 7 дек. 2026 г. в 10:00, Окна <info@okna.example>:\r\n> Добрый день!\r\n> Цена 40 000.\r\n> +7 861 200-10-20\r\n";
        let l = reply(
            "Ирина <irina@mail.example>",
            "Окна <info@okna.example>",
            "Re: Окна",
            "text/plain",
            body,
        );
        assert!(l.outer.is_none());
        assert_eq!(l.from.unwrap().email, "irina@mail.example");
        assert_eq!(l.text, "Спасибо, а сколько стоит с монтажом?");
        // A manager's reply quoting a form's robot is still unwrapped.
        let body = "Перезвонила.\r\n\r\nпн, 7 дек. 2026 г. в 10:00, Tilda <noreply@tilda.example>:\r\n> Name: Иван\r\n> Phone: +7 900 000 00 00\r\n> Comment: окна\r\n";
        let l = reply(
            "Ольга <olga@okna.example>",
            "zakaz@okna.example",
            "Re: Заявка",
            "text/plain",
            body,
        );
        assert_eq!(l.from.unwrap().email, "noreply@tilda.example");
        assert!(l.text.starts_with("Name: Иван"));
    }

    #[test]
    fn an_html_reply_cuts_at_the_attribution_over_a_bare_blockquote() {
        // Round 15c, Yandex web: `07.12.2026, 10:00, "Двери" <info@…>:` over
        // a <blockquote> without `> ` lines.
        let body = "<div>Наберите меня после 18:00.</div><div>Виктор</div><div>07.12.2026, 10:00, \"Двери\" &lt;info@dveri.example&gt;:</div><blockquote><div>Уточните размер проёма.</div></blockquote>";
        let l = reply(
            "Виктор <v@mail.example>",
            "info@dveri.example",
            "Re: Дверь",
            "text/html",
            body,
        );
        assert!(l.outer.is_none());
        assert!(
            l.text.contains("Виктор") && !l.text.contains("проёма"),
            "{}",
            l.text
        );
        // No address: the replier writes from outside the recipient's domain.
        let body = "Какие сроки?\r\n\r\n04.12.2026 15:10, Лестницы пишет:\r\n> Цена 385 000.\r\n> Ждём ответа.\r\n> Лестницы\r\n";
        let l = reply(
            "Павел <p@mail.example>",
            "info@lestnicy.example",
            "Re: Лестница",
            "text/plain",
            body,
        );
        assert_eq!(l.text, "Какие сроки?");
    }

    #[test]
    fn too_large_is_not_parsed_but_headers_sniffed() {
        let raw = b"From: a@b.ru\r\nSubject: hi\r\n\r\nbody body body";
        let l = Letter::parse(raw, 10);
        assert!(l.too_large);
        assert_eq!(l.subject.as_deref(), Some("hi"));
        assert!(l.text.is_empty());
        assert!(l.problems[0].contains(&raw.len().to_string()));
    }

    #[test]
    fn a_text_html_body_without_tags_has_no_markup() {
        assert!(!has_markup("Имя: Иван \n\n Телефон: 8 916 <нет> 1 < 2"));
        assert!(has_markup("Имя: Иван<br>"));
        assert!(has_markup("<!-- x -->Имя"));
        assert!(has_markup("Имя</b>"));
    }
}
