//! Normalisation functions of `request`: phones, emails, whitespace, UTM,
//! address ownership and log masks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use amo_intake::mail::letter::{Address, Envelope, Letter};
use amo_intake::request::*;

fn e164(s: &str) -> Vec<String> {
    let p = parse_phones(s, "RU");
    assert!(p.invalid.is_empty(), "{s:?}: invalid {:?}", p.invalid);
    p.e164
}

#[test]
fn phone_common_russian_shapes() {
    for s in [
        "8 (912) 345-67-89",
        "+7 912 345 67 89",
        "89123456789",
        "9123456789",
        "+7(912)3456789",
        "79123456789",
        "8-912-345-67-89",
    ] {
        assert_eq!(e164(s), vec!["+79123456789"], "{s}");
    }
}

#[test]
fn phone_8xx_area_codes_stay_intact() {
    assert_eq!(e164("8 800 555-35-35"), vec!["+78005553535"]);
    assert_eq!(e164("+7 800 555-35-35"), vec!["+78005553535"]);
    assert_eq!(e164("8 (812) 123-45-67"), vec!["+78121234567"]);
    assert_eq!(e164("8 (843) 212-34-56"), vec!["+78432123456"]);
    assert_eq!(e164("+7(831)212-45-67"), vec!["+78312124567"]);
}

#[test]
fn phone_extension_kept_apart() {
    for s in [
        "+7 999 123-45-67 доб. 12",
        "+7 999 123-45-67 ext. 12",
        "+7 999 123-45-67 доб 12",
        "8 (999) 123-45-67, вн. 12",
    ] {
        let p = parse_phones(s, "RU");
        assert_eq!(p.e164, vec!["+79991234567"], "{s}");
        assert_eq!(
            p.extensions,
            vec![("+79991234567".to_string(), "12".to_string())],
            "{s}"
        );
        assert!(p.invalid.is_empty(), "{s}: {:?}", p.invalid);
    }
    let p = parse_phones("+7(831)212-45-67 доб. 12", "RU");
    assert_eq!(p.e164, vec!["+78312124567"]);
    assert_eq!(
        p.extensions,
        vec![("+78312124567".to_string(), "12".to_string())]
    );
}

#[test]
fn phone_two_numbers_in_one_field() {
    let want = vec!["+79991234567".to_string(), "+79123456789".to_string()];
    for s in [
        "8 999 123 45 67, 8 912 345 67 89",
        "8 999 123 45 67 или 8 912 345 67 89",
        "8 999 123 45 67; 8 912 345 67 89",
        "8 999 123 45 67 / 8 912 345 67 89",
        "8 999 123 45 67\n8 912 345 67 89",
    ] {
        assert_eq!(e164(s), want, "{s:?}");
    }
    assert_eq!(
        e164("8 921 345-67-89, 8 (812) 412-33-21"),
        vec!["+79213456789", "+78124123321"]
    );
}

#[test]
fn phone_duplicates_collapse() {
    assert_eq!(
        e164("8 912 345 67 89, +7 (912) 345-67-89"),
        vec!["+79123456789"]
    );
}

#[test]
fn phone_mask_debris_is_nothing() {
    let p = parse_phones("+7 (___) ___-__-__", "RU");
    assert_eq!(p, Phones::default());
    let p = parse_phones("+7 (912) 345-67-89, +7 (___) ___-__-__", "RU");
    assert_eq!(p.e164, vec!["+79123456789"]);
    assert!(p.invalid.is_empty());
    assert_eq!(parse_phones("", "RU"), Phones::default());
    assert_eq!(parse_phones("нет", "RU"), Phones::default());
}

#[test]
fn phone_invalid_kept_raw_never_e164() {
    for s in [
        "+7 (123) 456-78-90",
        "12345",
        "+7 (999) 123-45-6",
        "8 (912) 345-__-__",
    ] {
        let p = parse_phones(s, "RU");
        assert!(p.e164.is_empty(), "{s}: {:?}", p.e164);
        assert_eq!(p.invalid, vec![s.to_string()], "{s}");
    }
    let p = parse_phones("+7 (123) 456-78-90, 89123456789", "RU");
    assert_eq!(p.e164, vec!["+79123456789"]);
    assert_eq!(p.invalid, vec!["+7 (123) 456-78-90"]);
}

#[test]
fn phones_found_in_free_text() {
    assert_eq!(
        find_phones("Перезвоните, пожалуйста: 89171234567", "RU"),
        vec!["+79171234567"]
    );
    assert_eq!(
        find_phones(
            "Подробности по телефону +7 (921) 555-40-12 или в ответном письме.",
            "RU"
        ),
        vec!["+79215554012"]
    );
    assert_eq!(
        find_phones("звоните 8 800 555-35-35 или 8 (812) 123-45-67", "RU"),
        vec!["+78005553535", "+78121234567"]
    );
}

#[test]
fn free_text_ids_dates_prices_are_not_phones() {
    for s in [
        "Дата: 13.11.2026 21:07",
        "Первые 3 месяца бесплатно, далее 4 900 руб./мес.",
        "ИНН 7707083893",
        "ИНН: 770708389301",
        "Заказ №1715858959",
        "Order #89123456789",
        "индекс 420111, Казань",
        "utm_content: 14273985051",
        "Request ID: 6092281:2811390244",
        "Transaction ID: 4810233:5539174021",
        "Сумма сделки: 10000",
        "Площадь 220 кв. м, бюджет 1 500 000 руб.",
        "Посетитель - 120554\nСессия - 2290871",
    ] {
        assert!(
            find_phones(s, "RU").is_empty(),
            "{s:?}: {:?}",
            find_phones(s, "RU")
        );
    }
}

#[test]
fn emails() {
    assert_eq!(
        normalize_email("  Ivan.Petrov@Example.RU "),
        Some("ivan.petrov@example.ru".into())
    );
    assert_eq!(normalize_email("mailto:a@b.ru"), Some("a@b.ru".into()));
    assert_eq!(normalize_email("<a@b.ru>"), Some("a@b.ru".into()));
    assert_eq!(
        normalize_email("Иван <IVAN@site.ru>"),
        Some("ivan@site.ru".into())
    );
    assert_eq!(
        normalize_email("почта@сайт.рф"),
        Some("почта@сайт.рф".into())
    );
    for bad in [
        "",
        "ivan",
        "ivan@",
        "@b.ru",
        "a@b",
        "a b@c.ru",
        "a@@b.ru",
        "a..b@c.ru",
        "[your-email]",
    ] {
        assert_eq!(normalize_email(bad), None, "{bad:?}");
    }
    assert_eq!(
        find_emails(
            "E-mail: Olga@Example.ru, копия olga@example.ru; и ещё x.y+z@mail.example.com."
        ),
        vec!["olga@example.ru", "x.y+z@mail.example.com"]
    );
    assert!(find_emails("нет почты, 10@20 и @bot").is_empty());
    // A handler glued the next word on (`… или email ivan@example.ruсейчас`):
    // a Latin domain ends where the Cyrillic word begins; a Cyrillic (IDN)
    // domain stays whole.
    assert_eq!(
        find_emails("или email alex.dveri@example.ruсейчас"),
        vec!["alex.dveri@example.ru"]
    );
    assert_eq!(find_emails("почта: заказ@окна.рф"), vec!["заказ@окна.рф"]);
}

#[test]
fn whitespace_and_placeholders() {
    assert_eq!(fold_ws("  Иван \t Петров  "), "Иван Петров");
    assert_eq!(
        fold_ws("\n\n строка 1 \r\n\n  строка   2\n\n"),
        "строка 1\nстрока 2"
    );
    assert_eq!(clean_value("  Иван  "), Some("Иван".into()));
    for junk in [
        "",
        "   ",
        "-",
        "—",
        "–",
        "[your-phone]",
        "[tel-123]",
        "#AUTHOR_PHONE#",
        "{field_id=\"3\"}",
        "\n \t",
    ] {
        assert_eq!(clean_value(junk), None, "{junk:?}");
    }
    assert_eq!(clean_value("- нет -"), Some("- нет -".into()));
}

#[test]
fn utm_sources() {
    let u = utm_from_url(
        "https://okna-ufa-example.ru/balkony/?utm_source=yandex&utm_medium=cpc&utm_campaign=balkony_ufa&x=1#top",
    );
    assert_eq!(u.source.as_deref(), Some("yandex"));
    assert_eq!(u.medium.as_deref(), Some("cpc"));
    assert_eq!(u.campaign.as_deref(), Some("balkony_ufa"));
    assert_eq!(u.content, None);
    let u = utm_from_url(
        "https://x.ru/?utm_term=%D0%BD%D0%B0%D1%82%D1%8F%D0%B6%D0%BD%D0%BE%D0%B9+%D0%BF%D0%BE%D1%82%D0%BE%D0%BB%D0%BE%D0%BA&UTM_CONTENT=14273985051",
    );
    assert_eq!(u.term.as_deref(), Some("натяжной потолок"));
    assert_eq!(u.content.as_deref(), Some("14273985051"));
    assert_eq!(utm_from_url("https://x.ru/page"), Utm::default());
    assert_eq!(
        utm_from_url("https://x.ru/?utm_source=&utm_medium=cpc").source,
        None
    );

    let p = utm_from_pipe("source=google|medium=cpc|content=banner|campaign=okna_msk").unwrap();
    assert_eq!(p.source.as_deref(), Some("google"));
    assert_eq!(p.campaign.as_deref(), Some("okna_msk"));
    assert_eq!(p.content.as_deref(), Some("banner"));
    assert_eq!(p.term, None);
    assert_eq!(
        utm_from_pipe("utm_source=vk|utm_medium=social")
            .unwrap()
            .medium
            .as_deref(),
        Some("social")
    );
    assert_eq!(utm_from_pipe("just text | nothing"), None);

    let m = merge_utm(
        Utm {
            source: Some("a".into()),
            ..Utm::default()
        },
        Utm {
            source: Some("b".into()),
            medium: Some("cpc".into()),
            ..Utm::default()
        },
    );
    assert_eq!(m.source.as_deref(), Some("a"));
    assert_eq!(m.medium.as_deref(), Some("cpc"));
}

fn letter(from: &str, to: &str) -> Letter {
    Letter {
        from: Some(Address {
            name: None,
            email: from.into(),
        }),
        to: vec![Address {
            name: None,
            email: to.into(),
        }],
        ..Letter::default()
    }
}

#[test]
fn site_and_robot_addresses() {
    assert_eq!(
        site_domain("info@mail.okna-example.ru").as_deref(),
        Some("okna-example.ru")
    );
    assert_eq!(
        site_domain("https://www.Okna-Example.ru/zamer?x=1").as_deref(),
        Some("okna-example.ru")
    );
    assert_eq!(
        site_domain("a@shop.example.com.ru").as_deref(),
        Some("example.com.ru")
    );
    assert_eq!(site_domain("nothing"), None);

    let l = letter("info@okna-kazan-example.ru", "zakaz@okna-kazan-example.ru");
    assert!(is_robot_or_site_address("info@okna-kazan-example.ru", &l));
    assert!(is_robot_or_site_address(
        "manager@okna-kazan-example.ru",
        &l
    ));
    assert!(is_robot_or_site_address("noreply@tilda.ws", &l));
    assert!(is_robot_or_site_address("robot@marquiz.ru", &l));
    assert!(is_robot_or_site_address("no-reply@crm.wix.com", &l));
    assert!(is_robot_or_site_address("65e8a1f3@forms.yandex.com", &l));
    assert!(is_robot_or_site_address("kwidget@envybox.io", &l));
    assert!(is_robot_or_site_address("not an email", &l));
    assert!(!is_robot_or_site_address("client@yandex.ru", &l));
    assert!(!is_robot_or_site_address("andrey.sh@example.ru", &l));

    // A site on a public mailbox: only that exact address is the site's.
    let l = letter("okna.site@gmail.com", "zakaz@gmail.com");
    assert!(is_robot_or_site_address("okna.site@gmail.com", &l));
    assert!(!is_robot_or_site_address("client@gmail.com", &l));

    // The forwarding manager is not the client either.
    let mut l = letter("noreply@tilda.ws", "zakaz@okna-example.ru");
    l.outer = Some(Envelope {
        from: Some(Address {
            name: None,
            email: "boss@gmail.com".into(),
        }),
        subject: None,
    });
    assert!(is_robot_or_site_address("Boss@Gmail.com", &l));
    assert!(!is_robot_or_site_address("client@gmail.com", &l));
}

#[test]
fn masks() {
    // At most the last two digits at info (privacy in logs).
    assert_eq!(mask_phone("+79123456789"), "***89");
    assert_eq!(mask_phone("+7 (800) 555-35-35"), "***35");
    assert_eq!(mask_phone("123"), "***");
    assert_eq!(mask_email("ivan.petrov@example.ru"), "iv***@example.ru");
    assert_eq!(mask_email("a@b.ru"), "a***@b.ru");
    assert_eq!(mask_email("garbage"), "***");
}

mod never_panic {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn normalisers_take_any_text(s in any::<String>()) {
            let p = parse_phones(&s, "RU");
            prop_assert!(p.e164.iter().all(|e| e.starts_with('+')));
            for e in find_phones(&s, "RU") {
                prop_assert!(e.starts_with('+'));
            }
            if let Some(e) = normalize_email(&s) {
                prop_assert_eq!(e.to_lowercase(), e);
            }
            for e in find_emails(&s) {
                prop_assert!(e.contains('@'));
            }
            let f = fold_ws(&s);
            prop_assert!(!f.contains("  ") && f.trim() == f);
            let _ = clean_value(&s);
            let _ = utm_from_url(&s);
            let _ = utm_from_pipe(&s);
            let _ = site_domain(&s);
            let _ = mask_phone(&s);
            let _ = mask_email(&s);
        }

        #[test]
        fn phone_like_text_never_panics(s in "[0-9 +()\\-_.,;/доб.extвн#или]{0,60}") {
            let p = parse_phones(&s, "RU");
            prop_assert!(p.e164.iter().all(|e| e.len() >= 11));
            let _ = find_phones(&s, "RU");
        }
    }
}

#[test]
fn phone_plus_eight_and_us_mask_mended_for_russian_sites() {
    // A site's code wrote the trunk 8 as a country code.
    assert_eq!(e164("+8 (981) 123-45-67"), ["+79811234567"]);
    assert_eq!(e164("+89811234567"), ["+79811234567"]);
    // A US input mask around a Russian mobile number.
    assert_eq!(e164("+1 (981) 123-4567"), ["+79811234567"]);
    // Real foreign numbers stay: Japan's +81 is valid as written.
    assert_eq!(e164("+81 3 1234 5678"), ["+81312345678"]);
    // Only for a default region in the +7 zone.
    assert_eq!(
        parse_phones("+1 (981) 123-4567", "US")
            .e164
            .first()
            .map(String::as_str),
        None
    );
}
