//! A phone system's own notice of a call: voicemail-to-e-mail and missed
//! calls (Asterisk app_voicemail, FreePBX, FusionPBX, FreeSWITCH
//! mod_voicemail, Kazoo, Zadarma). The subject names a voicemail or a missed
//! call; the caller is written after `from` / `от` in the subject
//! (`Voicemail from Марина <89024781290> 00:00:38`, `Missed call from Тарас
//! Мельник (380667781203)`) or in the body (`From:\t"Андрей Волков"
//! <89277015533>`, `… in mailbox 101 from 79157023318, on Monday …`). The
//! rest of the mail is the phone system's: the company's own line (`Callee:
//! 74952215060`, `to 74872303030 ext 101`), the mailbox, the duration, the
//! account block. Only a transcription the system adds (`=== Transcription
//! ===`, `Расшифровка`) is the client's own words.

use super::{find_phones, person_name};

/// What a call notice says of the client.
#[derive(Debug, Default, PartialEq)]
pub(super) struct CallNotice {
    pub phones: Vec<String>,
    pub name: Option<String>,
    pub message: Option<String>,
}

/// Subject words that name a call notice (matched case-insensitively).
const SUBJECT_MARKS: &[&str] = &[
    "voicemail",
    "voice mail",
    "voice message",
    "missed call",
    "missing call",
    "in mailbox",
    "голосовое сообщение",
    "голосове повідомлення",
    "голосовой почт",
    "голосовая почта",
    "голосової пошти",
    "голосова пошта",
    "пропущенный звонок",
    "пропущенный вызов",
    "пропущений дзвінок",
    "пропущений виклик",
];

/// The word before the caller.
const FROM_WORDS: &[&str] = &[" from ", " от ", " від "];

/// What may follow the caller in a one-line notice: `[PBX] Missed call from
/// 375291180346 on 2026-12-07 16:45:22`, `New Voicemail from +7… - 2026-12-07
/// …`, `New Voice Message from NAME (NUM) to Sales (ext 101)`.
const AFTER_CALLER: &[&str] = &[" on ", " at ", " to ", " - ", " – ", " — ", " на ", " в "];

/// A body line that opens a notice whose subject names none (OpenVBX's
/// `Message assigned to you` over `Voicemail from +380…` / `SMS from +7…`).
const BODY_LEADS: &[&str] = &[
    "voicemail from ",
    "new voicemail from ",
    "voice message from ",
    "missed call from ",
    "sms from ",
    "sms от ",
    "Голосовое сообщение от ",
    "Пропущенный звонок от ",
    "Пропущенный вызов от ",
];

/// A sentence naming the number the call came from: Sipuni's `Вам звонили с
/// номера +7 (912) 345-60-18 на номер …`.
const FROM_NUMBER: &[&str] = &["с номера ", "з номера ", "from number ", "from the number "];

/// A caption whose value is the caller's name from the service's contact
/// card (`Клиент: Петров Игорь Сергеевич`).
const CLIENT_CAPTIONS: &[&str] = &["клиент", "client", "контакт", "contact", "customer"];

/// Body captions whose value is the caller.
const CALLER_CAPTIONS: &[&str] = &[
    "from",
    "caller",
    "caller id",
    "callerid",
    "от",
    "от кого",
    "від",
    "від кого",
    "caller number",
    "caller's number",
    "звонящий",
    "номер звонящего",
    "абонент",
    "номер абонента",
];

/// Captions of the caller's number in a notice that shows the caller by
/// name first (MikoPBX: `От: Дмитрий Орлов` over `Номер: 79857773322`).
/// A form's own phone labels (`Phone:`, `Телефон:`) are not among them: a
/// site's form about a call is read as a form.
const NUMBER_CAPTIONS: &[&str] = &["номер", "number", "номер абонента", "caller number"];

/// A caller-ID name that names nobody.
const NO_NAME: &[&str] = &[
    "unknown",
    "anonymous",
    "mobile",
    "private",
    "restricted",
    "unavailable",
    "caller",
    "неизвест",
    "аноним",
    "скрыт",
];

/// The notice, when the subject names a voicemail or a missed call and the
/// mail names its caller (a number, or `an unknown caller`).
#[cfg(test)]
pub(super) fn read(subject: &str, text: &str, region: &str) -> Option<CallNotice> {
    read_with(subject, text, region, CallerHeaders::default())
}

/// The caller as Asterisk's app_voicemail also writes it in the notice's
/// headers (`X-Asterisk-VM-Caller-ID-Num`, `…-Name`): a body that shows the
/// caller by name only still has the number there.
#[derive(Clone, Copy, Default)]
pub(super) struct CallerHeaders<'a> {
    pub number: Option<&'a str>,
    pub name: Option<&'a str>,
}

/// [`read`], with the caller the notice's headers name, used where the
/// subject and body give no number (or no name).
pub(super) fn read_with(
    subject: &str,
    text: &str,
    region: &str,
    headers: CallerHeaders<'_>,
) -> Option<CallNotice> {
    // A subject is one line; a long one is no system's notice.
    if subject.len() > 300 {
        return None;
    }
    // app_voicemail's `X-Asterisk-VM-Caller-ID-Num` header marks its mail
    // whatever subject the admin set (Wazo's `Messagerie Wazo`).
    let marked = headers.number.is_some()
        || may_name_a_call(subject.as_bytes()) && {
            let low = subject.to_lowercase();
            SUBJECT_MARKS.iter().any(|m| low.contains(m))
        };
    if !marked {
        return body_lead(text, region);
    }
    // `You have missing call from <MailSMTPSenderAddress>` (a template's
    // token left unreplaced) names no caller: a bracketed "number" with no
    // digit and no name is nothing.
    let in_subject = after_from(subject)
        .map(|s| parse_caller(caller_span(s)))
        .filter(|(n, d)| n.is_some() || d.is_some_and(has_digit))
        .or_else(|| after_mark(subject, region));
    // `Voicemail from Иван Петров` over `Caller ID: 79161234567`: the body
    // gives the number the subject left out.
    let (name, number) = match in_subject {
        Some((n, Some(d))) => (n, Some(d)),
        Some((n, None)) => match caller_in_body(text) {
            Some((bn, bd)) => (n.or(bn), bd),
            None => (n, None),
        },
        // `Your voicemail recorded at …` over `Please find voice recording in
        // attachment`: a notice naming no caller and carrying nothing else.
        None => caller_in_body(text)
            .or_else(|| headers.number.map(|n| (None, Some(n))))
            .or_else(|| bare_notice(text).then_some((None, None)))?,
    };
    let number = number
        .filter(|d| d.bytes().any(|c| c.is_ascii_digit()))
        .or(headers.number)
        .or(number);
    // app_voicemail's own headers name the caller as the caller ID has it;
    // a body sentence an admin wrote (`Сообщение …, от Monday, December 07
    // … было оставленно для Вас от "89654442211" <89654442211>`) may put a
    // date where the reader looks for the caller, so they win.
    let name = match (headers.number, headers.name) {
        (Some(_), Some(h)) => Some(h),
        _ => name.or(headers.name),
    };
    let phones = number.map(|d| caller_phones(d, region)).unwrap_or_default();
    let name = name
        .filter(|n| names_someone(n))
        .or_else(|| client_name(text))
        .map(str::to_string);
    let message = transcription(text).or_else(|| comment(text));
    // `… перезвоните, пожалуйста. Олег` in a transcription: the caller's
    // signed name when the system gave none.
    let name = name.or_else(|| {
        message
            .as_deref()
            .and_then(super::signed_name::signed_name)
            .map(str::to_string)
    });
    Some(CallNotice {
        phones,
        name,
        message,
    })
}

/// A notice opened by its body (the subject names none): one of the first
/// lines is `Voicemail from CALLER` / `SMS from CALLER` with a number. Only
/// the first four non-empty lines are looked at, each first by its first
/// byte, then against [`BODY_LEADS`] byte by byte (ASCII case ignored, a
/// Cyrillic lead as a line opens it), no allocation.
fn body_lead(text: &str, region: &str) -> Option<CallNotice> {
    let line = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(4)
        .find(|l| {
            let b = l.as_bytes();
            matches!(
                b.first(),
                Some(b'v' | b'V' | b'n' | b'N' | b'm' | b'M' | b's' | b'S' | 0xD0)
            ) && BODY_LEADS.iter().any(|p| {
                b.get(..p.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
            })
        })?;
    let (name, number) = parse_caller(caller_span(after_from(line)?));
    let phones = caller_phones(number?, region);
    if phones.is_empty() {
        return None;
    }
    Some(CallNotice {
        phones,
        name: name
            .filter(|n| names_someone(n))
            .or_else(|| client_name(text))
            .map(str::to_string),
        message: transcription(text).or_else(|| comment(text)),
    })
}

/// The caller's part of `from …`: up to a word that starts the date, the
/// company's line or the extension (`on`, `at`, `to`, ` - `).
fn caller_span(s: &str) -> &str {
    let b = s.as_bytes();
    AFTER_CALLER
        .iter()
        .filter_map(|w| {
            let wb = w.as_bytes();
            b.windows(wb.len()).position(|x| x.eq_ignore_ascii_case(wb))
        })
        .min()
        .and_then(|i| s.get(..i))
        .unwrap_or(s)
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|c| c.is_ascii_digit())
}

/// The caller right after the subject's mark when no `from` precedes it:
/// MikoPBX's `Пропущенный вызов 79265551234 (Ольга Смирнова)`, `Missed Call
/// 380672223344`, an admin's `Пропущений дзвінок 0501112233`. Only a
/// number that reads as a phone counts (`in mailbox 201`, `(окно: 200)` do
/// not).
fn after_mark<'a>(subject: &'a str, region: &str) -> Option<(Option<&'a str>, Option<&'a str>)> {
    let low = subject.to_lowercase();
    // Positions in the lower-cased copy are the subject's only when
    // lower-casing kept every byte length.
    if low.len() != subject.len() {
        return None;
    }
    let end = SUBJECT_MARKS
        .iter()
        .filter_map(|m| low.find(m).map(|i| i + m.len()))
        .min()?;
    let (name, number) = parse_caller(caller_span(subject.get(end..)?));
    let number = number.filter(|d| !caller_phones(d, region).is_empty())?;
    Some((name, Some(number)))
}

/// A short notice with no address and no number in it.
fn bare_notice(text: &str) -> bool {
    text.len() < 300 && !text.contains('@') && text.bytes().filter(u8::is_ascii_digit).count() < 7
}

/// `Клиент: Петров Игорь Сергеевич`: the service's contact card names the
/// caller.
fn client_name(text: &str) -> Option<&str> {
    text.lines().find_map(|l| {
        let (label, value) = l.trim().split_once(':')?;
        let label = label.trim();
        (label.len() <= 16 && CLIENT_CAPTIONS.contains(&label.to_lowercase().as_str()))
            .then(|| value.trim())
            .filter(|v| names_someone(v))
    })
}

/// One pass over the subject's bytes, no allocation: `voice…`, `missed`,
/// `mailbox` in any case (`missing`: MikoPBX's `You have missing call`),
/// `…олосов…`, `…ропущен…`. Every mail's subject
/// goes through this; only the few that pass are lower-cased and matched
/// against [`SUBJECT_MARKS`].
fn may_name_a_call(b: &[u8]) -> bool {
    let tail = |i: usize, t: &[u8]| {
        b.get(i + 1..i + 1 + t.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(t))
    };
    (0..b.len()).any(|i| match b[i] {
        b'v' | b'V' => tail(i, b"oice"),
        b'm' | b'M' => tail(i, b"issed") || tail(i, b"issing") || tail(i, b"ailbox"),
        0xD0 => b[i..].starts_with("олосов".as_bytes()),
        0xD1 => b[i..].starts_with("ропущен".as_bytes()),
        _ => false,
    })
}

/// `from X` / `от X` / `від X` in one line: the text after the word.
fn after_from(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    FROM_WORDS
        .iter()
        .filter_map(|w| {
            let wb = w.as_bytes();
            b.windows(wb.len())
                .position(|x| x.eq_ignore_ascii_case(wb))
                .map(|i| i + wb.len())
        })
        .min()
        .and_then(|i| line.get(i..))
}

/// `00:00:31`, `0:27`: a duration after the caller.
fn duration(w: &str) -> bool {
    w.contains(':') && w.chars().all(|c| c.is_ascii_digit() || c == ':')
}

/// `"Name" <NUM>`, `Name <NUM>`, `Name (NUM)`, `Name NUM`, `NUM`: the name
/// and the number as written.
fn parse_caller(s: &str) -> (Option<&str>, Option<&str>) {
    let mut s = s.trim().trim_end_matches(['.', ',']).trim_end();
    while let Some((head, last)) = s.rsplit_once(char::is_whitespace) {
        if !duration(last) {
            break;
        }
        s = head.trim_end();
    }
    let digits = |v: &str| v.bytes().any(|c| c.is_ascii_digit());
    let (name, number) = if let Some(inner) = s.strip_suffix('>')
        && let Some((head, num)) = inner.rsplit_once('<')
    {
        (head, Some(num))
    } else if digits(s)
        && s.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'(' | b')' | b' '))
    {
        // `+7 (903) 456-78-90`: the whole value is the number.
        ("", Some(s))
    } else if let Some(inner) = s.strip_suffix(')')
        && let Some((head, num)) = inner.rsplit_once('(')
        && digits(num)
    {
        (head, Some(num))
    } else if let Some(inner) = s.strip_suffix(')')
        && let Some((num, name)) = inner.rsplit_once('(')
        && number_token(num.trim())
    {
        // MikoPBX's `79265551234 (Ольга Смирнова)`: the number, then the
        // phone book's name.
        (name, Some(num.trim()))
    } else {
        match s.rsplit_once(char::is_whitespace) {
            Some((head, last)) if number_token(last) => (head, Some(last)),
            None if number_token(s) => ("", Some(s)),
            _ => (s, None),
        }
    };
    let name = name
        .trim()
        .trim_end_matches([',', ';', ':', '-'])
        .trim()
        .trim_matches(['"', '\''])
        .trim();
    (
        Some(name).filter(|n| !n.is_empty()),
        number.map(str::trim).filter(|n| !n.is_empty()),
    )
}

fn number_token(w: &str) -> bool {
    w.bytes().any(|c| c.is_ascii_digit())
        && w.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'(' | b')'))
}

/// The caller's number: a caller ID prints it bare, `380503347712` (12
/// digits with the country code and no `+`) included.
pub(super) fn caller_phones(number: &str, region: &str) -> Vec<String> {
    let found = find_phones(number, region);
    if !found.is_empty() || number.starts_with('+') {
        return found;
    }
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 12 && number_token(number) {
        return find_phones(&format!("+{digits}"), region);
    }
    found
}

/// A caller-ID name is the client's only when it is a person's name: not
/// the number again, `UNKNOWN`, `Anonymous`, a carrier's `MOBILE` or a
/// city written in capitals.
pub(super) fn names_someone(n: &str) -> bool {
    let low = n.to_lowercase();
    person_name(n) && !NO_NAME.iter().any(|w| low.contains(w)) && n.chars().any(char::is_lowercase)
}

/// The caller in the body: a caller caption (`From:`, `Caller:`) or the
/// sentence `… in mailbox 101 from 79157023318, on …`.
fn caller_in_body(text: &str) -> Option<(Option<&str>, Option<&str>)> {
    // A caller caption that gave a name and no number: the number may
    // follow under its own caption.
    let mut named: Option<&str> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some((label, value)) = t.split_once(':') {
            let label = label.trim().to_lowercase();
            if let Some(n) = named {
                if NUMBER_CAPTIONS.contains(&label.as_str()) && has_digit(value) {
                    return Some((Some(n), parse_caller(value).1));
                }
                continue;
            }
            // `From: Asterisk PBX <asterisk@host>` (a forwarded notice's
            // header) is a mailbox, not a caller.
            if CALLER_CAPTIONS.contains(&label.as_str()) && !value.contains('@') {
                match parse_caller(value) {
                    (Some(n), None) => {
                        named = Some(n);
                        continue;
                    }
                    caller => return Some(caller),
                }
            }
        }
        if named.is_some() {
            continue;
        }
        let low = t.to_lowercase();
        if let Some(i) = FROM_NUMBER
            .iter()
            .filter_map(|w| low.find(w).map(|i| i + w.len()))
            .min()
            && let Some(rest) = low.get(i..).and_then(|_| t.get(i..))
        {
            let caller = rest.split([',', ';']).next().unwrap_or(rest);
            let (_, number) = parse_caller(caller_span(caller).trim_end_matches('.'));
            if number.is_some() {
                return Some((None, number));
            }
        }
        // `… in mailbox 101 from 79157023318, on …`; MikoPBX's `You have
        // missed calls (NOANSWER) from <79114445566> at <DATE>`.
        if [
            "mailbox",
            "message",
            "ящик",
            "сообщени",
            "missed call",
            "пропущ",
        ]
        .iter()
        .any(|w| low.contains(w))
            && let Some(rest) = after_from(t)
        {
            let caller = caller_span(rest);
            let caller = caller.split(',').next().unwrap_or(caller);
            return Some(parse_caller(caller));
        }
    }
    named.map(|n| (Some(n), None))
}

fn transcription_caption(l: &str) -> bool {
    let t = l
        .trim()
        .trim_matches(|c: char| c == '=' || c == ':' || c.is_whitespace())
        .to_lowercase();
    matches!(
        t.as_str(),
        "transcription"
            | "voicemail transcription"
            | "message transcription"
            | "расшифровка"
            | "расшифровка сообщения"
            | "розшифровка"
            | "транскрипция"
    )
}

/// `Message:` / `Сообщение:` alone on its line: the text of an SMS the
/// phone system forwards.
fn sms_caption(l: &str) -> bool {
    let t = l.trim();
    t.strip_suffix(':').is_some_and(|c| {
        let c = c.trim();
        c.eq_ignore_ascii_case("message") || c == "Сообщение" || c == "Текст сообщения"
    })
}

/// `Transcription is not available for this message.`, `(transcription
/// failed)`, `Расшифровка недоступна`: the system's placeholder, not words.
fn placeholder(m: &str) -> bool {
    let low = m.trim().to_lowercase();
    (low.starts_with('(') && low.ends_with(')'))
        || ["transcription", "расшифровка", "розшифровка"]
            .iter()
            .any(|w| low.starts_with(w))
}

/// `Комментарий посетителя: Нужен замер …` (a call tracker's or a callback
/// widget's missed-call mail): a caption the dictionary reads as the
/// client's message, with its text on the same line, is the client's words.
/// Captions that count or time something (`Message duration`, `Номер
/// сообщения`) are the system's.
fn comment(text: &str) -> Option<String> {
    use crate::rules::dictionary::{lookup, normalize_label};
    const SYSTEM: &[&str] = &[
        "duration",
        "length",
        "number",
        "id",
        "mailbox",
        "time",
        "date",
        "длительн",
        "продолжит",
        "тривал",
        "номер",
        "ящик",
        "время",
        "дата",
        "час",
    ];
    text.lines().take(200).find_map(|l| {
        let (label, value) = l.split_once(": ")?;
        let value = value.trim();
        if label.len() > 60
            || label.split_whitespace().count() > 4
            || !value.chars().any(char::is_alphabetic)
        {
            return None;
        }
        let norm = normalize_label(label);
        let system = norm
            .split_whitespace()
            .any(|w| SYSTEM.iter().any(|s| w.starts_with(s)));
        (!system && lookup(&norm) == Some("message") && !placeholder(value))
            .then(|| value.to_string())
    })
}

/// The text under a transcription caption, up to the next blank line or
/// `=== … ===` section.
fn transcription(text: &str) -> Option<String> {
    let mut lines = text.lines();
    let mut out: Vec<&str> = Vec::new();
    // `Transcription: text` on the caption's own line, or the caption alone
    // over the text.
    let caption = lines.by_ref().find(|l| {
        transcription_caption(l)
            || sms_caption(l)
            || l.split_once(':')
                .is_some_and(|(c, v)| !v.trim().is_empty() && transcription_caption(c))
    })?;
    if let Some((_, v)) = caption.split_once(':')
        && !v.trim().is_empty()
        && !caption.trim_start().starts_with('=')
    {
        out.push(v.trim());
    }
    for l in lines {
        let t = l.trim();
        if t.is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        // `Please do not reply to this message.`: the service's footer
        // right under the text (an HTML notice's next paragraph).
        if t.starts_with("===") || crate::rules::layout::site_notice(t) {
            break;
        }
        out.push(t);
    }
    Some(out.join("\n")).filter(|m| !m.is_empty() && !placeholder(m))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn phones(subject: &str, text: &str) -> Vec<String> {
        read(subject, text, "RU")
            .map(|c| c.phones)
            .unwrap_or_default()
    }

    #[test]
    fn fusionpbx_subject_names_the_caller_and_the_duration_is_dropped() {
        let c = read(
            "Голосовое сообщение от Марина <89024781290> 00:00:38",
            "Кому 200 (Замерщики)\nРасшифровка\nСколько стоит потолок?\n",
            "RU",
        );
        assert_eq!(
            c,
            Some(CallNotice {
                phones: vec!["+79024781290".into()],
                name: Some("Марина".into()),
                message: Some("Сколько стоит потолок?".into()),
            })
        );
    }

    #[test]
    fn kazoo_bracketed_number_and_ukrainian_bare_country_code() {
        let c = read("Missed call from Тарас Мельник (380667781203)", "", "RU").unwrap();
        assert_eq!(c.phones, vec!["+380667781203".to_string()]);
        assert_eq!(c.name.as_deref(), Some("Тарас Мельник"));
    }

    #[test]
    fn freeswitch_name_and_number_the_same_or_unknown() {
        let c = read("22 sec Voicemail from 79201457733 79201457733", "", "RU").unwrap();
        assert_eq!(c.phones, vec!["+79201457733".to_string()]);
        assert_eq!(c.name, None);
        let c = read("4 sec Voicemail from UNKNOWN 0000000000", "", "RU").unwrap();
        assert!(c.phones.is_empty());
        assert_eq!(c.name, None);
    }

    #[test]
    fn asterisk_caller_in_the_body_sentence_or_caption() {
        let body = "Dear Sales:\n\n\tjust wanted to let you know you were just left a 0:27 long message (number 1)\n\
                    in mailbox 101 from 79157023318, on Monday, December 07, 2026 at 10:15:03 AM\n";
        assert_eq!(
            phones("[PBX]: New message 1 in mailbox 101", body),
            vec!["+79157023318".to_string()]
        );
        let unknown = body.replace("79157023318", "an unknown caller");
        let c = read("[PBX]: New message 2 in mailbox 101", &unknown, "RU").unwrap();
        assert_eq!(c, CallNotice::default());
        let freepbx = "Office,\n\nThere is a new voicemail in mailbox 1001:\n\n\tFrom:\t\"Андрей Волков\" <89277015533>\n\tLength:\t0:23 seconds\n";
        let c = read("PBX Voicemail Notification", freepbx, "RU").unwrap();
        assert_eq!(c.phones, vec!["+79277015533".to_string()]);
        assert_eq!(c.name.as_deref(), Some("Андрей Волков"));
    }

    #[test]
    fn carrier_names_are_nobody_and_other_subjects_are_no_notice() {
        let c = read(
            "Новое голосовое сообщение от \"MOBILE\" <+375293384512>",
            "",
            "RU",
        )
        .unwrap();
        assert_eq!(c.name, None);
        assert_eq!(c.phones, vec!["+375293384512".to_string()]);
        // Asterisk's body names the caller by name only; the number is in
        // its `X-Asterisk-VM-Caller-ID-Num` header.
        let body = "Dear Отдел продаж:\n\n\tjust wanted to let you know you were just left a \
                    0:21 long message (number 3)\nin mailbox 101 from Иван Петров, on Monday";
        let h = CallerHeaders {
            number: Some("79161234567"),
            name: Some("Иван Петров"),
        };
        let c = read_with("[PBX]: New message 3 in mailbox 101", body, "RU", h).unwrap();
        assert_eq!(c.phones, ["+79161234567"]);
        assert_eq!(c.name.as_deref(), Some("Иван Петров"));
        assert!(
            read("[PBX]: New message 3 in mailbox 101", body, "RU")
                .unwrap()
                .phones
                .is_empty()
        );
        assert_eq!(read("Заявка с сайта от Марина", "От: Марина", "RU"), None);
        assert_eq!(
            read("Пропущенный звонок", "С номера: +7 912 345-00-11", "RU"),
            None
        );
        let c = read(
            "Пропущенный звонок",
            "От: +7 (903) 456-78-90\nКому: 74993221100",
            "RU",
        )
        .unwrap();
        assert_eq!(c.phones, vec!["+79034567890".to_string()]);
        let c = read("New Voicemail", "Caller ID: unknown\nDuration: 0:12", "RU").unwrap();
        assert_eq!(c, CallNotice::default());
        let c = read(
            "Voicemail from Иван Петров,",
            "From: Asterisk PBX <asterisk@pbx.example.ru>\nCaller ID: 79161234567\n",
            "RU",
        )
        .unwrap();
        assert_eq!(c.phones, vec!["+79161234567".to_string()]);
        assert_eq!(c.name.as_deref(), Some("Иван Петров"));
    }

    #[test]
    fn mikopbx_subject_names_the_caller_after_the_mark_number_then_name() {
        let c = read(
            "Пропущенный вызов 79265551234 (Ольга Смирнова)",
            "От кого: 79265551234",
            "RU",
        )
        .unwrap();
        assert_eq!(c.phones, vec!["+79265551234".to_string()]);
        assert_eq!(c.name.as_deref(), Some("Ольга Смирнова"));
        assert_eq!(
            phones(
                "Missed Call 380672223344",
                "From: 380672223344\nTo: 100 (Reception)"
            ),
            vec!["+380672223344".to_string()]
        );
        // A mailbox or a bracketed box after the mark is no caller.
        assert_eq!(
            after_mark("[PBX]: New message 3 in mailbox 201", "RU"),
            None
        );
        assert_eq!(
            after_mark("Новое голосовое сообщение (окно: 200)", "RU"),
            None
        );
        // A hidden number: a notice with no contact (review).
        let c = read(
            "Пропущенный вызов anonymous",
            "От кого: anonymous\nКому: 201 (Отдел продаж)",
            "RU",
        )
        .unwrap();
        assert_eq!(c, CallNotice::default());
    }

    #[test]
    fn a_caller_shown_by_name_takes_the_number_under_its_own_caption() {
        let body = "На ваш почтовый ящик поступило новое голосовое сообщение.\nОт: Дмитрий Орлов\nНомер: 79857773322\nДлительность: 00:00:41\n";
        let c = read("Новое голосовое сообщение", body, "RU").unwrap();
        assert_eq!(c.phones, vec!["+79857773322".to_string()]);
        assert_eq!(c.name.as_deref(), Some("Дмитрий Орлов"));
        assert_eq!(c.message, None);
    }

    #[test]
    fn mikopbx_legacy_missing_call_with_an_unreplaced_token() {
        let body = "You have missed calls (NOANSWER) from <79114445566> at <2026-12-07 10:22:31>";
        assert_eq!(
            phones("You have missing call from <MailSMTPSenderAddress>", body),
            vec!["+79114445566".to_string()]
        );
        let ua = "Пропущений дзвінок (NOANSWER) від 0501112233 на 300, 2026-12-07 17:41:09";
        assert_eq!(
            read("Пропущений дзвінок 0501112233", ua, "UA")
                .unwrap()
                .phones,
            vec!["+380501112233".to_string()]
        );
    }

    #[test]
    fn app_voicemail_headers_mark_the_notice_and_name_the_caller() {
        let wazo = "Bonjour Приёмная,\n\nVous avez reçu un message d'une durée de 0:38 minute(s).\n\n\
                    Le dernier a été envoyé par \"Игорь Лебедев\" <79091234567>, le 2026-12-07 à 10:31:22.\n";
        let h = CallerHeaders {
            number: Some("79091234567"),
            name: Some("Игорь Лебедев"),
        };
        let c = read_with("Messagerie Wazo", wazo, "RU", h).unwrap();
        assert_eq!(c.phones, vec!["+79091234567".to_string()]);
        assert_eq!(c.name.as_deref(), Some("Игорь Лебедев"));
        assert_eq!(c.message, None);
        assert!(read("Messagerie Wazo", wazo, "RU").is_none());
        // Askozia's formal Russian body puts the date after `от`: the
        // headers' caller ID (the number again) names nobody, not `Monday`.
        let askozia = "Уважаемые Менеджеры,\n\nСообщение продолжительностью 0:21, от Monday, December 07, 2026 at 02:30:12 PM было оставленно\n\nдля Вас от \"89654442211\" <89654442211>.\n";
        let h = CallerHeaders {
            number: Some("89654442211"),
            name: Some("89654442211"),
        };
        let c = read_with("Новое голосовое сообщение (окно: 200)", askozia, "RU", h).unwrap();
        assert_eq!(c.phones, vec!["+79654442211".to_string()]);
        assert_eq!(c.name, None);
    }

    #[test]
    fn the_byte_prefilter_passes_every_mark_and_few_others() {
        for m in SUBJECT_MARKS {
            assert!(may_name_a_call(m.as_bytes()), "{m}");
            let title: String = m
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        c.to_uppercase().next().unwrap_or(c)
                    } else {
                        c
                    }
                })
                .collect();
            assert!(may_name_a_call(title.as_bytes()), "{title}");
        }
        assert!(may_name_a_call(b"MISSED CALL from 79161234567"));
        assert!(may_name_a_call(
            b"You have missing call from <MailSMTPSenderAddress>"
        ));
        assert!(!may_name_a_call("Заявка с сайта: замер окон".as_bytes()));
        assert!(!may_name_a_call(b"New submission from Contact form"));
    }

    /// Round 27e: cloud telephony's notices (RingCentral, a Python PBX,
    /// OpenVBX, Sipuni, a Vonage voicemail service).
    #[test]
    fn the_caller_ends_where_the_date_or_the_extension_starts() {
        let c = read(
            "New Voice Message from WIRELESS CALLER (+7 916 704-55-21) to Sales (ext 101)",
            "",
            "RU",
        )
        .unwrap();
        assert_eq!(c.phones, vec!["+79167045521".to_string()]);
        assert_eq!(c.name, None);
        assert_eq!(
            phones(
                "[PBX] Missed call from 375291180346 on 2026-12-07 16:45:22",
                ""
            ),
            vec!["+375291180346".to_string()]
        );
        assert_eq!(
            phones("New Voicemail from +79261447108 - 2026-12-07 14:30:15", ""),
            vec!["+79261447108".to_string()]
        );
        // An internal extension is nobody's phone.
        let c = read(
            "New Voicemail from 1002 - 2026-12-07 09:12:05",
            "From: 1002",
            "RU",
        )
        .unwrap();
        assert!(c.phones.is_empty());
    }

    #[test]
    fn a_body_line_opens_a_notice_the_subject_does_not_name() {
        let vm = "\nYou have been assigned a message in the Sales group\nVoicemail from +380671128834\n\n\
                  Transcription:\n\nHello, a price for a fence please.\n\n\n----\n\nVoicemail recorded 2026-12-07\n";
        let c = read("[OpenVBX] Message assigned to you", vm, "RU").unwrap();
        assert_eq!(c.phones, vec!["+380671128834".to_string()]);
        assert_eq!(
            c.message.as_deref(),
            Some("Hello, a price for a fence please.")
        );
        let sms = "SMS from +79052217409\n\nMessage:\n\nСколько стоит кухня?\n\n----\nLink to details: x\n";
        let c = read("[OpenVBX] Message assigned to you", sms, "RU").unwrap();
        assert_eq!(c.message.as_deref(), Some("Сколько стоит кухня?"));
        // A form whose text opens with the word is no notice without a number.
        assert_eq!(read("Заявка", "SMS from the site\nИмя: Олег", "RU"), None);
        assert_eq!(
            read("Заявка", "Имя: Олег\nТелефон: 89161234567", "RU"),
            None
        );
    }

    #[test]
    fn a_sentence_gives_the_number_and_a_contact_card_the_name() {
        let t = "Пропущенный звонок\n\nВам звонили с номера +7 (912) 345-60-18 на номер +7 (495) 120-33-44. \
                 Звонок не был принят.\n\nКлиент: Петров Игорь Сергеевич\nСхема: Вечер\n";
        let c = read("Sipuni: пропущенный звонок", t, "RU").unwrap();
        assert_eq!(c.phones, vec!["+79123456018".to_string()]);
        assert_eq!(c.name.as_deref(), Some("Петров Игорь Сергеевич"));
        assert_eq!(c.message, None);
    }

    #[test]
    fn a_voicemail_naming_no_caller_and_holding_nothing_else_is_a_bare_notice() {
        let c = read(
            "Your voicemail recorded at Mon Dec 07 11:02:13 MSK 2026",
            "Please find voice recording in attachment",
            "RU",
        );
        assert_eq!(c, Some(CallNotice::default()));
        // A longer text with an address is someone's letter, not a notice.
        assert_eq!(
            read(
                "Voicemail setup",
                "Hello, please set up our voicemail. olga@example.ru",
                "RU"
            ),
            None
        );
    }

    #[test]
    fn a_name_signed_in_the_transcription_is_the_callers() {
        let body =
            "Voicemail from 79161234567\nTranscription: Перезвоните по поводу замера окон. Ольга\n";
        let c = read("Voicemail from 79161234567", body, "RU").unwrap();
        assert_eq!(c.name.as_deref(), Some("Ольга"));
    }

    #[test]
    fn a_call_trackers_comment_caption_is_the_message() {
        let body = "Пропущенный звонок\nНомер клиента: +7 916 123-45-67\nВремя: 07.12.2026 14:02\n\
                    Комментарий посетителя: Нужен замер балкона, перезвоните после 18\n";
        let c = read("Пропущенный звонок от +79161234567", body, "RU").unwrap();
        assert_eq!(
            c.message.as_deref(),
            Some("Нужен замер балкона, перезвоните после 18")
        );
        // A caption counting or timing the message is the system's.
        let body = "Missed call from +79161234567\nMessage duration: 0 sec\nMessage number: 4\n";
        let c = read("Missed call from +79161234567", body, "RU").unwrap();
        assert_eq!(c.message, None);
    }

    #[test]
    fn a_placeholder_or_a_footer_is_no_transcription() {
        assert_eq!(
            transcription("Transcription:\nTranscription is not available for this message.\n"),
            None
        );
        assert_eq!(
            transcription("Transcription:\n(transcription failed)\n"),
            None
        );
        assert_eq!(
            transcription(
                "Transcription:\nCall me back, thanks.\nPlease do not reply to this message. To change …\n"
            )
            .as_deref(),
            Some("Call me back, thanks.")
        );
    }

    #[test]
    fn transcription_ends_at_the_next_section() {
        let t = "=== Transcription ===\n\nНужен замер.\nПерезвоните.\n\n\n=== Voicemail Message Details ===\n";
        assert_eq!(
            transcription(t).as_deref(),
            Some("Нужен замер.\nПерезвоните.")
        );
        assert_eq!(transcription("Message Attached\n"), None);
        assert_eq!(
            transcription("Caller ID: 79161234567\nTranscription: Нужен замер.\n\nDuration: 0:12")
                .as_deref(),
            Some("Нужен замер.")
        );
    }
}
