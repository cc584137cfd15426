//! An SMS forwarded to e-mail by a phone, a modem or an SMS gateway
//! (RouterOS scripts on an LTE router, gammu's sms2mail, Android forwarders
//! such as SMailer, a Twilio Function). The subject names an SMS; the
//! sender's number is written under a sender caption (`SMS Received from:`,
//! `Sms from:`, `Отправитель:`) or after `from` / `от` in the subject (`SMS
//! from +79206615548 at …`, `New SMS message from: +15125550187`). The text
//! is the SMS (`Message:` / `Text:`, the lines under `Входящее SMS`, or the
//! whole body when the script mails the bare text); the router's identity,
//! the device and the times are the forwarder's. A sender that is a name
//! or a short code (`MTS`, `900`, `Yandex`) is a bank, an operator or a
//! service, never a client.

use super::call_notice::{caller_phones, names_someone};
use super::find_phones;

/// What a forwarded SMS says.
#[derive(Debug, Default, PartialEq)]
pub(super) struct SmsNotice {
    /// The client's number; empty when the sender is a service.
    pub phones: Vec<String>,
    /// The sender is a bank, an operator or a service (`900`, `MTS`).
    pub service: bool,
    /// The contact name the forwarding phone knows the sender by.
    pub name: Option<String>,
    pub message: Option<String>,
}

/// Body captions whose value is the SMS's sender (lower case).
const SENDER_CAPTIONS: &[&str] = &[
    "sms received from",
    "sms from",
    "from",
    "sender",
    "отправитель",
    "відправник",
    "от",
    "від",
];

/// Captions whose value is the SMS's text (lower case).
const TEXT_CAPTIONS: &[&str] = &[
    "message",
    "text",
    "sms",
    "сообщение",
    "текст",
    "повідомлення",
];

/// One pass over the subject's bytes, no allocation: `sms` in any case or
/// `смс` / `СМС`. Every mail's subject goes through this.
fn may_name_an_sms(b: &[u8]) -> bool {
    (0..b.len()).any(|i| match b[i] {
        b's' | b'S' => {
            b.get(i + 1..i + 3)
                .is_some_and(|x| x.eq_ignore_ascii_case(b"ms"))
                && b.get(i + 3).is_none_or(|c| !c.is_ascii_alphabetic())
                && (i == 0 || !b[i - 1].is_ascii_alphabetic())
        }
        0xD1 | 0xD0 => b[i..].starts_with("смс".as_bytes()) || b[i..].starts_with("СМС".as_bytes()),
        _ => false,
    })
}

/// The notice, when the subject names an SMS and the mail names its sender.
pub(super) fn read(subject: &str, text: &str, region: &str) -> Option<SmsNotice> {
    if subject.len() > 300 || !may_name_an_sms(subject.as_bytes()) {
        return None;
    }
    let (sender, contact) = sender_in_body(text).or_else(|| sender_in_subject(subject))?;
    let sender = sender.trim_matches(|c: char| !c.is_alphanumeric() && c != '+');
    let digits = sender.bytes().filter(u8::is_ascii_digit).count();
    let service = !sender.is_empty()
        && sender.is_ascii()
        && sender
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+')
        && digits < 7;
    // `От: Ivan` over `Телефон: +7 912 …` under a subject that names an SMS
    // (`Заявка на SMS-рассылку`): a form whose phone field holds a number is
    // a client's request, not a bank's or an operator's SMS; read as a form.
    // A number inside the SMS's own text (`Звоните 8 800 …`) is the bank's.
    if service && phone_field(text, region) {
        return None;
    }
    let phones = if service {
        Vec::new()
    } else {
        caller_phones(sender, region)
    };
    if phones.is_empty() && !service {
        return None;
    }
    let message = sms_text(text);
    let name = contact
        .filter(|n| !service && names_someone(n))
        .map(str::to_string)
        .or_else(|| {
            message
                .as_deref()
                .filter(|_| !service)
                .and_then(super::signed_name::signed_name)
                .map(str::to_string)
        });
    Some(SmsNotice {
        phones,
        service,
        name,
        message,
    })
}

/// A `Label: value` line whose label names a phone and whose value holds one.
fn phone_field(text: &str, region: &str) -> bool {
    crate::scan::lines(text).take(200).any(|l| {
        l.split_once(':').is_some_and(|(label, value)| {
            label.len() <= 60
                && crate::rules::dictionary::lookup(&crate::rules::dictionary::normalize_label(
                    label,
                )) == Some("phone")
                && !find_phones(value, region).is_empty()
        })
    })
}

fn caption(line: &str) -> Option<(String, &str)> {
    let (label, value) = line.split_once(':')?;
    if label.len() > 40 {
        return None;
    }
    Some((label.trim().to_lowercase(), value.trim()))
}

/// `SMS Received from: +7…`, `Sms from:+7…`, `Отправитель: ☎+7… (Имя)`:
/// the sender's first word and the name in brackets after it.
fn sender_in_body(text: &str) -> Option<(&str, Option<&str>)> {
    crate::scan::lines(text).find_map(|l| {
        let (label, value) = caption(l.trim())?;
        if !SENDER_CAPTIONS.contains(&label.as_str()) || value.contains('@') {
            return None;
        }
        split_sender(value)
    })
}

/// `SMS from +7… at …`, `New SMS message from: +1…`, `Входящее SMS от +7…`.
fn sender_in_subject(subject: &str) -> Option<(&str, Option<&str>)> {
    let b = subject.as_bytes();
    let at = [" from", " от ", " від "]
        .iter()
        .filter_map(|w| {
            b.windows(w.len())
                .position(|x| x.eq_ignore_ascii_case(w.as_bytes()))
                .map(|i| i + w.len())
        })
        .min()?;
    let rest = subject.get(at..)?.trim_start_matches(':');
    split_sender(rest)
}

fn split_sender(value: &str) -> Option<(&str, Option<&str>)> {
    let value = value.trim();
    let first = value.split_whitespace().next()?;
    let contact = value
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(n, _)| n.trim())
        .filter(|n| !n.is_empty());
    Some((first, contact))
}

/// The SMS's text: a text caption's value (and the lines under it), the
/// lines under a caption-only SMS heading (`Входящее SMS:`), or the whole
/// body when it holds no caption at all.
fn sms_text(text: &str) -> Option<String> {
    let lines: Vec<&str> = crate::scan::lines(text).map(str::trim).collect();
    for (i, l) in lines.iter().enumerate() {
        let Some((label, value)) = caption(l) else {
            continue;
        };
        let heading = value.is_empty() && may_name_an_sms(label.as_bytes());
        if !heading && !TEXT_CAPTIONS.contains(&label.as_str()) {
            continue;
        }
        let mut out: Vec<&str> = Vec::new();
        if !value.is_empty() {
            out.push(value);
        }
        for l in &lines[i + 1..] {
            if l.is_empty() {
                if out.is_empty() {
                    continue;
                }
                break;
            }
            if caption(l).is_some_and(|(c, _)| SENDER_CAPTIONS.contains(&c.as_str())) {
                break;
            }
            out.push(l);
        }
        return Some(out.join("\n")).filter(|m| !m.is_empty());
    }
    let body = text.trim();
    (!body.is_empty()
        && !lines.iter().any(|l| {
            caption(l).is_some_and(|(c, v)| SENDER_CAPTIONS.contains(&c.as_str()) && !v.is_empty())
        }))
    .then(|| body.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn routeros_sms_to_email_body() {
        let n = read(
            "Office-LTE GSM Modem SMS Received",
            "Router ID: Office-LTE\nSMS Received from: +79106643127\nDate&Time: dec/07/2026 10:14:51 GMT +3\nMessage: Нужен замер",
            "RU",
        )
        .unwrap();
        assert_eq!(n.phones, vec!["+79106643127"]);
        assert_eq!(n.message.as_deref(), Some("Нужен замер"));
        assert!(!n.service);
    }

    #[test]
    fn bare_text_with_the_number_in_the_subject() {
        let n = read(
            "SMS from 89534471206 at dec/07/2026 09:05:12",
            "Перезвоните по забору",
            "RU",
        )
        .unwrap();
        assert_eq!(n.phones, vec!["+79534471206"]);
        assert_eq!(n.message.as_deref(), Some("Перезвоните по забору"));
        let n = read("New SMS message from: +15125550187", "How much?", "RU").unwrap();
        assert_eq!(n.phones, vec!["+15125550187"]);
    }

    #[test]
    fn gammu_sms_from_caption_and_text() {
        let n = read(
            "[SMS] Наберите меня",
            "Sms from:+375291234567\nText:Наберите меня",
            "RU",
        )
        .unwrap();
        assert_eq!(n.phones, vec!["+375291234567"]);
        assert_eq!(n.message.as_deref(), Some("Наберите меня"));
    }

    #[test]
    fn android_forwarder_heading_and_contact_name() {
        let t = "Входящее SMS:\n\nХочу шкаф-купе\nОтправитель: ☎+79051127748 (Марина Соколова)\nВремя: 13:10";
        let n = read("[SMailer] Входящее SMS от +79051127748", t, "RU").unwrap();
        assert_eq!(n.phones, vec!["+79051127748"]);
        assert_eq!(n.name.as_deref(), Some("Марина Соколова"));
        assert_eq!(n.message.as_deref(), Some("Хочу шкаф-купе"));
        let t = "Входящее SMS:\n\nХочу\nОтправитель: ☎+79051127748 (Неизвестный контакт)";
        assert_eq!(
            read("[SMailer] Входящее SMS от +79051127748", t, "RU")
                .unwrap()
                .name,
            None
        );
    }

    #[test]
    fn a_service_sender_is_no_client() {
        for (s, t) in [
            ("SMS from 900 at dec/07", "Зачисление 15000р"),
            ("SMS from MTS at dec/07", "Баланс 41,20 руб."),
            ("[SMS] Kod", "Sms from:Yandex\nText:Kod 4471"),
        ] {
            let n = read(s, t, "RU").unwrap();
            assert!(n.service, "{s}");
            assert!(n.phones.is_empty());
        }
    }

    #[test]
    fn a_form_about_sms_with_a_named_writer_is_no_notice() {
        assert_eq!(
            read(
                "Заказ SMS-рассылки",
                "От: Иван Петров\nТелефон: +79161234567",
                "RU"
            ),
            None
        );
        assert_eq!(read("Заявка с сайта", "From: +79161234567", "RU"), None);
        // A bank's SMS that names a number in its own text stays a service SMS.
        let n = read(
            "SMS from 900 at dec/07",
            "Покупка 1200р. Если это не вы, звоните +7 495 500-55-50",
            "RU",
        )
        .unwrap();
        assert!(n.service && n.phones.is_empty());
        assert!(!may_name_an_sms(b"Smsk request"));
    }
}
