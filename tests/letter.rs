//! Letter parsing over own fixtures (tests/fixtures/letter) and, when it is
//! beside the checkout, the reference corpus (tests/support/shared.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use amo_intake::mail::html;
use amo_intake::mail::letter::Letter;
use proptest::prelude::*;

const CAP: usize = 25 * 1024 * 1024;

fn fixture(name: &str) -> Letter {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/letter")
        .join(name);
    let raw = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    Letter::parse(&raw, CAP)
}

const FORM: &str = "Имя: Иван Петров\nТелефон: +7 912 345-67-89\nСообщение: Нужен замер окон, ёлки-палки! Цена 'под ключ'?";
const SUBJECT: &str = "Заявка с сайта: замер окон";
const TILDA: &str = "Request details:\nName: Светлана Филатова\nphone: +7 (351) 958-01-58\nemail: buyer@example.com\ncomment: Нужен комплект окон\nRequest ID: 15957456:8028853052";

// ---- charsets x transfer encodings --------------------------------------

#[test]
fn every_charset_and_transfer_encoding_in_headers_and_body() {
    for cs in ["utf8", "cp1251", "koi8r"] {
        for cte in ["8bit", "quoted", "base64"] {
            let name = format!("cs-{cs}-{cte}.eml");
            let l = fixture(&name);
            assert_eq!(l.subject.as_deref(), Some(SUBJECT), "{name}");
            let from = l.from.clone().unwrap();
            assert_eq!(from.name.as_deref(), Some("Окна Юг"), "{name}");
            assert_eq!(
                from.email, "robot@okna-yug-example.ru",
                "{name}: email lower-cased"
            );
            assert_eq!(l.plain.as_deref().map(str::trim), Some(FORM), "{name}");
            assert_eq!(l.text.trim(), FORM, "{name}");
            assert_eq!(l.html, None, "{name}");
            assert!(l.problems.is_empty(), "{name}: {:?}", l.problems);
            assert_eq!(l.reply_to[0].email, "ivan.petrov@example.ru");
            assert_eq!(l.to[0].email, "zakaz@okna-yug-example.ru");
            assert_eq!(
                l.date.unwrap().to_string(),
                "2026-11-24T07:15:00Z",
                "{name}"
            );
            assert_eq!(
                l.message_id.as_deref(),
                Some(format!("{name}@okna-yug-example.ru").as_str())
            );
            assert_eq!(
                l.header("subject"),
                Some(SUBJECT),
                "{name}: headers list decoded"
            );
            assert!(l.outer.is_none());
        }
    }
}

#[test]
fn wrong_declared_charset_is_overruled_and_noted() {
    for (name, read_as) in [
        ("wrong-utf8-is-cp1251.eml", "windows-1251"),
        ("wrong-cp1251-is-koi8r.eml", "KOI8-R"),
        ("wrong-cp1251-is-utf8.eml", "UTF-8"),
        ("nocharset-cp1251.eml", "windows-1251"),
    ] {
        let l = fixture(name);
        assert_eq!(l.text.trim(), FORM, "{name}");
        assert_eq!(l.problems.len(), 1, "{name}: {:?}", l.problems);
        assert!(l.problems[0].contains(read_as), "{name}: {:?}", l.problems);
    }
    // A raw 8-bit windows-1251 Subject (no RFC 2047) still reads.
    assert_eq!(
        fixture("nocharset-cp1251.eml").subject.as_deref(),
        Some(SUBJECT)
    );
}

#[test]
fn html_meta_charset_is_used_when_content_type_has_none() {
    let l = fixture("html-meta-charset.eml");
    assert_eq!(
        l.text,
        "Имя: Иван Петров\nТелефон: +7 912 345-67-89\nСообщение: Нужен замер окон"
    );
    assert_eq!(l.plain, None);
    assert_eq!(l.html_text.as_deref(), Some(l.text.as_str()));
}

// ---- HTML-only layouts ----------------------------------------------------

fn lines(l: &Letter) -> Vec<&str> {
    l.text.lines().collect()
}

#[test]
fn html_wpforms_classic_label_row_value_row() {
    let l = fixture("html-wpforms-classic.eml");
    assert_eq!(
        lines(&l),
        [
            "Имя: Марина Ковалёва",
            "Телефон: +7 (903) 118-27-64",
            "Комментарий: Нужна кухня до потолка.",
            "Бюджет около 300 тыс.",
            "Sent from Кухни Мастер",
        ]
    );
    assert_eq!(l.subject.as_deref(), Some("New Entry: Расчёт кухни"));
}

#[test]
fn html_wpforms_compact_two_cells() {
    let l = fixture("html-wpforms-compact.eml");
    assert_eq!(
        lines(&l),
        [
            "Имя: Олег",
            "Телефон: 8 950 612-44-07",
            "Сообщение: Строка один",
            "строка два"
        ]
    );
}

#[test]
fn html_wpforms_legacy_table_per_field() {
    let l = fixture("html-wpforms-legacy.eml");
    assert_eq!(lines(&l), ["Имя: Пётр", "Телефон: +7 912 000-11-22"]);
}

#[test]
fn html_flexbe_unmarked_rows_pair_by_style() {
    let l = fixture("html-flexbe.eml");
    assert_eq!(
        lines(&l),
        [
            "Новая заявка с сайта okna-example.ru",
            "Форма: Бесплатный замер",
            "Введите ваше имя: Павел",
            "Телефон: +7 (915) 702-18-44",
            "Это письмо отправлено автоматически. Перейти на сайт",
        ]
    );
}

#[test]
fn html_marquiz_label_cell_value_cell() {
    let l = fixture("html-marquiz.eml");
    assert_eq!(
        lines(&l),
        [
            "Новая заявка",
            "Посетитель прошёл квиз и оставил контакты.",
            "Имя: Наталья",
            "Телефон: +7 (913) 538-90-12",
            "Ответы",
            "Какой потолок вас интересует?: Сатиновый",
            "Площадь помещения: 15–20 м²",
        ]
    );
}

#[test]
fn html_br_lines_and_p_per_field() {
    assert_eq!(
        lines(&fixture("html-br-lines.eml")),
        [
            "Имя: Андрей",
            "Почта: andrey.sh@example.ru",
            "Телефон: +7 (912) 233-44-55",
            "Сообщение: тёплые окна & откосы",
            "==================",
        ]
    );
    assert_eq!(
        lines(&fixture("html-p-fields.eml")),
        [
            "Заявка с формы обратной связи",
            "Имя: тест2",
            "Телефон: 8 912 345 67 89",
            "Сообщение: перезвоните",
        ]
    );
}

#[test]
fn plain_view_in_html_stub_falls_back_to_html_text() {
    let l = fixture("html-plain-stub.eml");
    assert!(l.plain.as_deref().unwrap().contains("HTML"));
    assert_eq!(lines(&l), ["Имя: Светлана", "Телефон: +7 351 958-01-58"]);
}

/// Round 24f (Slim + PHPMailer): the AltBody left at PHPMailer's example
/// `This is the body in plain text for non-HTML mail clients` beside the
/// HTML form is a stub: the HTML part is read.
#[test]
fn phpmailer_example_alt_body_falls_back_to_html_text() {
    let raw = format!(
        "{HEAD}Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nThis is the body in plain text for non-HTML mail clients\r\n--b1\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<div><b>Name :</b> Brian Walsh <br><b>Message : </b>Please call me back about the deck.</div>\r\n--b1--\r\n"
    );
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(l.text.contains("Brian Walsh"), "{:?}", l.text);
    assert!(!l.text.contains("non-HTML"), "{:?}", l.text);
}

// ---- forwards and replies -------------------------------------------------

fn assert_original(name: &str, l: &Letter, outer_subject: &str) {
    let from = l.from.clone().unwrap_or_else(|| panic!("{name}: no from"));
    assert_eq!(from.email, "noreply@tilda.ws", "{name}");
    assert_eq!(l.subject.as_deref(), Some("Заявка с формы"), "{name}");
    assert_eq!(l.text.trim(), TILDA, "{name}");
    let outer = l
        .outer
        .clone()
        .unwrap_or_else(|| panic!("{name}: no outer"));
    assert_eq!(
        outer.from.unwrap().email,
        "olga.manager@okna-yug-example.ru",
        "{name}"
    );
    assert_eq!(outer.subject.as_deref(), Some(outer_subject), "{name}");
    // The manager's note and signature are gone.
    for own in [
        "olga.manager",
        "200-10-20",
        "С уважением",
        "Перезвони",
        "Посмотри",
    ] {
        assert!(!l.text.contains(own), "{name}: {own} leaked into text");
    }
    assert!(
        !l.headers.iter().any(|(_, v)| v.contains("olga.manager")),
        "{name}: {:?}",
        l.headers
    );
}

#[test]
fn forward_with_original_attached_as_rfc822() {
    let l = fixture("fwd-rfc822.eml");
    assert_original("fwd-rfc822", &l, "Fwd: Заявка с формы");
    // Real headers of the original, KOI8-R base64 body decoded.
    assert_eq!(l.reply_to[0].email, "buyer@example.com");
    assert_eq!(l.date.unwrap().to_string(), "2026-11-23T08:02:40Z");
    assert_eq!(l.message_id.as_deref(), Some("orig-1@tilda.ws"));
}

#[test]
fn forward_gmail_inline() {
    let l = fixture("fwd-gmail-inline.eml");
    assert_original("fwd-gmail-inline", &l, "Fwd: Заявка с формы");
    assert_eq!(l.from.unwrap().name.as_deref(), Some("Tilda"));
    assert_eq!(l.to[0].email, "zakaz@okna-yug-example.ru");
}

#[test]
fn forward_of_html_form_reads_the_html_table() {
    let l = fixture("fwd-gmail-html-form.eml");
    assert_eq!(l.from.clone().unwrap().email, "robot@marquiz.ru");
    assert_eq!(
        l.from.clone().unwrap().name.as_deref(),
        Some("Marquiz Robot")
    );
    assert_eq!(l.subject.as_deref(), Some("Новая заявка из квиза"));
    assert_eq!(
        lines(&l),
        [
            "Имя: Наталья",
            "Телефон: +7 (913) 538-90-12",
            "Какой потолок вас интересует?: Сатиновый",
        ]
    );
    assert_eq!(
        l.outer.unwrap().from.unwrap().email,
        "olga.manager@okna-yug-example.ru"
    );
}

#[test]
fn forward_outlook_russian_inline() {
    let l = fixture("fwd-outlook-ru.eml");
    assert_original("fwd-outlook-ru", &l, "FW: Заявка с формы");
    assert_eq!(l.header("To"), Some("zakaz@okna-yug-example.ru"));
}

#[test]
fn forward_yandex_peresylaemoe_with_attribution_line() {
    let l = fixture("fwd-yandex.eml");
    assert_original("fwd-yandex", &l, "Пересл.: Заявка с формы");
    assert_eq!(l.from.unwrap().name.as_deref(), Some("Tilda"));
    assert!(!l.text.contains("Конец пересылаемого"));
}

#[test]
fn forward_mailru_html_with_ot_kogo_block() {
    let l = fixture("fwd-mailru-html.eml");
    assert_original("fwd-mailru-html", &l, "Fwd: Заявка с формы");
    assert_eq!(l.date.unwrap().to_string(), "2026-11-23T08:02:40Z");
}

#[test]
fn forward_apple_mail() {
    let l = fixture("fwd-apple.eml");
    assert_original("fwd-apple", &l, "Fwd: Заявка с формы");
}

#[test]
fn reply_quoting_the_form() {
    let l = fixture("reply-quoted.eml");
    assert_original("reply-quoted", &l, "Re: Заявка с формы");
    assert!(!l.text.contains("перезвонили"));
    assert!(!l.text.lines().any(|x| x.starts_with('>')));
}

#[test]
fn form_with_ot_and_tema_lines_is_not_a_forward() {
    // CF7 Russian template: "От:" and "Тема:" are form fields here.
    let raw = "From: wordpress@site-example.ru\r\nTo: zakaz@site-example.ru\r\nSubject: Заявка\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nОт: Иван <ivan@example.ru>\r\nТема: Окна\r\nСообщение:\r\nНужен замер\r\n";
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(l.outer.is_none());
    assert_eq!(l.from.unwrap().email, "wordpress@site-example.ru");
    assert!(l.text.starts_with("От: Иван"));
}

// ---- size cap -----------------------------------------------------------

#[test]
fn oversized_mail_is_flagged_not_parsed() {
    let raw = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/letter/cs-utf8-8bit.eml"),
    )
    .unwrap();
    let l = Letter::parse(&raw, 100);
    assert!(l.too_large);
    assert_eq!(l.size, raw.len());
    assert!(l.text.is_empty() && l.plain.is_none());
    assert_eq!(l.subject.as_deref(), Some(SUBJECT), "headers sniffed");
    assert!(l.problems[0].contains(&raw.len().to_string()) && l.problems[0].contains("100"));
    assert!(!Letter::parse(&raw, raw.len()).too_large);
}

// ---- bad input ------------------------------------------------------------

const HEAD: &str = "From: a@site-example.ru\r\nTo: b@site-example.ru\r\nSubject: x\r\n";

#[test]
fn bad_input_never_panics() {
    // Empty input and garbage.
    let l = Letter::parse(b"", CAP);
    assert!(l.text.is_empty() && l.from.is_none());
    Letter::parse(b"\0\0\0\r\n\r\n\0", CAP);
    Letter::parse(&[0xff; 1000], CAP);

    // Malformed MIME: multipart without its boundary, boundary never closed.
    let raw = format!("{HEAD}Content-Type: multipart/mixed\r\n\r\nИмя: Иван\r\n");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(l.from.is_some());
    let raw = format!(
        "{HEAD}Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nИмя: Иван\r\n--b1\r\nContent-Type: text/html\r\n\r\n<table><tr><td>"
    );
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(l.text.contains("Имя: Иван"), "{:?}", l.text);

    // Truncated in the middle of base64 and of a boundary line.
    let b64 = "0JjQvNGPOiDQmNCy0LDQvQ0K0KLQtdC70LXRhNC+0L06ICs3IDkxMiAzNDUtNjctODk=";
    for cut in [10, 31, 47] {
        let raw = format!(
            "{HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
            &b64[..cut]
        );
        let l = Letter::parse(raw.as_bytes(), CAP);
        assert!(
            !l.text.contains('\u{FFFD}') || !l.problems.is_empty(),
            "cut {cut}: {:?}",
            l.text
        );
    }
    let raw = format!(
        "{HEAD}Content-Type: multipart/mixed; boundary=\"bound-123\"\r\n\r\n--bound-123\r\nContent-Type: text/plain\r\n\r\nИмя: Иван\r\n--bound-1"
    );
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(l.text.contains("Имя: Иван"), "{:?}", l.text);

    // NUL bytes inside headers and body.
    let raw = format!("{HEAD}X-Odd: a\0b\r\n\r\nИмя:\0 Иван\r\n");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(l.text.contains("Иван"));
}

#[test]
fn ten_thousand_fields() {
    let mut raw = format!("{HEAD}Content-Type: text/plain; charset=utf-8\r\n\r\n");
    for i in 0..10_000 {
        raw.push_str(&format!("Поле{i}: значение {i}\r\n"));
    }
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert_eq!(l.text.lines().count(), 10_000);
    assert!(
        l.text.ends_with("Поле9999: значение 9999\r\n")
            || l.text.ends_with("Поле9999: значение 9999\n")
    );

    let mut h = String::from("<table>");
    for i in 0..10_000 {
        h.push_str(&format!("<tr><td>Поле{i}</td><td>значение {i}</td></tr>"));
    }
    let t = html::to_text(&h);
    assert_eq!(t.lines().count(), 10_000);
    assert_eq!(t.lines().last(), Some("Поле9999: значение 9999"));

    // 10,000 headers.
    let mut raw = String::from(HEAD);
    for i in 0..10_000 {
        raw.push_str(&format!("X-F{i}: {i}\r\n"));
    }
    raw.push_str("\r\nтело\r\n");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(l.headers.len() >= 10_000);
}

#[test]
fn one_megabyte_single_line() {
    let line = "ж".repeat(512 * 1024);
    let raw = format!("{HEAD}Content-Type: text/plain; charset=utf-8\r\n\r\n{line}");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert_eq!(l.text.trim_end().len(), line.len());
    let raw = format!("{HEAD}Content-Type: text/html; charset=utf-8\r\n\r\n<p>{line}");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert_eq!(l.text.len(), line.len());
    let subject = "a".repeat(1 << 20);
    let raw = format!("From: a@b.ru\r\nSubject: {subject}\r\n\r\nbody");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert_eq!(l.subject.map(|s| s.len()), Some(1 << 20));
}

#[test]
fn deeply_nested_html() {
    let n = 100_000;
    for (open, close) in [
        ("<div>", "</div>"),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<b>", "</b>"),
    ] {
        let h = format!("{}Имя: Иван{}", open.repeat(n), close.repeat(n));
        assert_eq!(html::to_text(&h), "Имя: Иван", "{open}");
        // Unclosed, in a mail.
        let raw = format!(
            "{HEAD}Content-Type: text/html; charset=utf-8\r\n\r\n{}Имя: Иван",
            open.repeat(n)
        );
        let l = Letter::parse(raw.as_bytes(), CAP);
        assert_eq!(l.text, "Имя: Иван", "{open}");
    }
}

#[test]
fn deeply_nested_mime() {
    let n = 20_000;
    let mut raw = String::new();
    for _ in 0..n {
        raw.push_str("From: a@b.ru\r\nContent-Type: message/rfc822\r\n\r\n");
    }
    raw.push_str("From: x@y.ru\r\nSubject: s\r\n\r\nИмя: Иван\r\n");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert!(
        l.problems.iter().any(|p| p.contains("nested messages")),
        "{:?}",
        l.problems
    );

    let mut raw = String::from("From: a@b.ru\r\n");
    for i in 0..n {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nИмя: Иван\r\n");
    let l = Letter::parse(raw.as_bytes(), CAP);
    assert_eq!(l.text.trim(), "Имя: Иван");
}

// ---- property tests ---------------------------------------------------------

/// Random MIME skeletons: nested multiparts with random headers, charsets,
/// encodings and truncation.
fn mime_skeleton() -> impl Strategy<Value = Vec<u8>> {
    let ctype = prop::sample::select(vec![
        "text/plain",
        "text/html",
        "multipart/mixed",
        "multipart/alternative",
        "message/rfc822",
        "application/octet-stream",
        "text/plain; charset=koi8-r",
        "text/plain; charset=windows-1251",
        "text/html; charset=bogus",
        "multipart/related; boundary=\"",
    ]);
    let cte = prop::sample::select(vec![
        "8bit",
        "base64",
        "quoted-printable",
        "7bit",
        "x-uuencode",
        "",
    ]);
    let body = prop::collection::vec(any::<u8>(), 0..200);
    let part = (ctype, cte, body, 0u8..4);
    (prop::collection::vec(part, 1..6), any::<u16>(), prop::bool::ANY).prop_map(|(parts, cut, close)| {
        let mut raw = b"From: =?utf-8?B?0JjQstCw0L0=?= <a@b.ru>\r\nSubject: =?koi8-r?Q?=F0?=\r\nContent-Type: multipart/mixed; boundary=\"B0\"\r\n\r\n".to_vec();
        for (i, (ct, cte, body, depth)) in parts.iter().enumerate() {
            let b = format!("B{depth}");
            raw.extend_from_slice(format!("--{b}\r\nContent-Type: {ct}").as_bytes());
            if ct.starts_with("multipart") {
                raw.extend_from_slice(format!("; boundary=\"B{}\"", (depth + 1) % 4).as_bytes());
            }
            raw.extend_from_slice(format!("\r\nContent-Transfer-Encoding: {cte}\r\nX-I: {i}\r\n\r\n").as_bytes());
            raw.extend_from_slice(body);
            raw.extend_from_slice(b"\r\n");
        }
        if close {
            raw.extend_from_slice(b"--B0--\r\n");
        }
        let keep = raw.len() - (cut as usize % raw.len().max(1)) / 2;
        raw.truncate(keep);
        raw
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(raw in prop::collection::vec(any::<u8>(), 0..2048)) {
        let l = Letter::parse(&raw, CAP);
        prop_assert_eq!(l.size, raw.len());
    }

    #[test]
    fn arbitrary_text_mail_never_panics(s in "(From: [a-z@.]{0,12}\r\n)?(Subject: .{0,40}\r\n)?(Content-Type: [a-z/;= -]{0,40}\r\n)?\r\n(.|\n){0,400}") {
        let l = Letter::parse(s.as_bytes(), CAP);
        prop_assert!(!l.too_large);
    }

    #[test]
    fn mime_skeletons_never_panic(raw in mime_skeleton()) {
        let l = Letter::parse(&raw, CAP);
        prop_assert_eq!(l.size, raw.len());
    }

    #[test]
    fn html_to_text_never_panics(s in any::<String>()) {
        let t = html::to_text(&s);
        prop_assert!(t.len() <= s.len() * 4 + 16);
    }

    #[test]
    fn html_tag_soup_never_panics(s in "(<(/?)(table|tr|td|th|b|strong|p|br|div|style|script|head|!--|pre)( class=\"field-name\")?>|&[a-z#0-9]{0,6};?|[а-яa-z :<>&]{0,8}){0,60}") {
        let t = html::to_text(&s);
        prop_assert!(!t.starts_with(' ') && !t.ends_with(' '));
    }
}

#[path = "support/shared.rs"]
mod shared;

#[test]
fn corpus_mails_parse_with_text_and_clean_subject() {
    let Some(dir) = shared::shared_dir("corpus", "corpus_mails_parse_with_text_and_clean_subject")
    else {
        return;
    };
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("corpus dir") {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("eml") {
            continue;
        }
        n += 1;
        let raw = std::fs::read(&p).unwrap();
        let l = Letter::parse(&raw, CAP);
        let name = p.display();
        if std::env::var("SHOW").is_ok() {
            eprintln!(
                "==== {name}\nsubject={:?} from={:?} problems={:?}\n{}",
                l.subject, l.from, l.problems, l.text
            );
        }
        let subj = l.subject.clone().unwrap_or_default();
        assert!(!subj.contains('\u{FFFD}'), "{name}: subject {subj:?}");
        assert!(!l.text.contains('\u{FFFD}'), "{name}: text has U+FFFD");
        if !name.to_string().contains("yandex-forms-empty") {
            assert!(!l.text.trim().is_empty(), "{name}: empty text");
        }
        assert!(l.from.is_some(), "{name}: no from");
        assert!(l.outer.is_none(), "{name}: not a forward, yet unwrapped");
        assert!(
            !l.too_large && l.problems.is_empty(),
            "{name}: {:?}",
            l.problems
        );
    }
    assert!(n >= 24, "corpus has {n} mails");
}

// ---- charset by evidence, per byte ---------------------------------------

/// A UTF-8 form with a few bad bytes (Dovecot's NUL→0x80, a cut letter)
/// stays UTF-8: only the bad bytes become U+FFFD, whatever the transfer
/// encoding and whether or not a charset is declared.
#[test]
fn utf8_with_a_few_stray_bytes_stays_utf8() {
    for name in [
        "stray-utf8-8bit.eml",
        "stray-utf8-nocharset.eml",
        "stray-utf8-quoted.eml",
    ] {
        let l = fixture(name);
        let want = FORM
            .replace("Петров", "Петров\u{FFFD}")
            .replace("замер", "замер \u{FFFD}");
        assert_eq!(l.text.trim(), want, "{name}");
        assert_eq!(l.subject.as_deref(), Some(SUBJECT), "{name}");
        assert!(
            l.problems.iter().any(|p| p.contains("not valid UTF-8")),
            "{name}: {:?}",
            l.problems
        );
        assert!(
            !l.problems
                .iter()
                .any(|p| p.contains("windows-1251") || p.contains("KOI8")),
            "{name}: {:?}",
            l.problems
        );
    }
}

/// Latin text with one stray byte: nothing says Cyrillic, so no Cyrillic
/// charset is guessed.
#[test]
fn a_stray_byte_in_latin_text_guesses_no_cyrillic_charset() {
    let l = fixture("stray-ascii-8bit.eml");
    assert!(
        l.text.starts_with("Name: John Smith\u{FFFD}\n"),
        "{}",
        l.text
    );
    assert!(!l.text.contains('Ђ') && !l.text.contains('─'), "{}", l.text);
}

/// The switch away from a declared UTF-8 still happens when the whole
/// text is windows-1251.
#[test]
fn a_whole_cp1251_text_declared_utf8_is_still_read_as_cp1251() {
    let l = fixture("wrong-utf8-is-cp1251.eml");
    assert_eq!(l.text.trim(), FORM);
}

// ---- size bounds -----------------------------------------------------------

/// One 24 MB value: the letter keeps the first MiB of text and says so;
/// the raw mail (in the journal) keeps the rest.
#[test]
fn a_huge_text_part_is_read_up_to_the_cap() {
    use amo_intake::mail::letter::MAX_PLAIN_BYTES;
    let mut raw = b"From: a@b.ru\r\nSubject: big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nName: Anna\r\nMessage: ".to_vec();
    raw.resize(raw.len() + 24 * 1024 * 1024, b'x');
    let l = Letter::parse(&raw, CAP);
    assert!(l.text.len() <= MAX_PLAIN_BYTES, "{}", l.text.len());
    assert!(l.text.starts_with("Name: Anna\nMessage: xxx"));
    assert!(
        l.problems.iter().any(|p| p.contains("only the first")),
        "{:?}",
        l.problems
    );
}
