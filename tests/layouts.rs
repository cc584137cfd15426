//! Structure-first reading without a site rule: one test per layout family
//! a person reads at a glance (HTML tables, lists and blocks, plain-text
//! shapes, label-less letters, builder subjects), per "do not invent" case,
//! for the client's message boundaries and for phones inside values. Every
//! mail here goes to the shipped fallback rule (no builder fingerprint).

use amo_intake::request::{Action, Kind, Request};
use amo_intake::rules::{ParseOptions, RuleSet};

fn read(raw: &str) -> Request {
    RuleSet::builtin().apply(raw.as_bytes(), &ParseOptions::default())
}

fn html(body: &str) -> Request {
    read(&format!(
        "From: Site <noreply@okna.example>\r\nTo: sales@okna.example\r\nSubject: Заявка\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}"
    ))
}

fn plain(body: &str) -> Request {
    plain_with("Subject: Заявка\r\n", body)
}

fn plain_with(headers: &str, body: &str) -> Request {
    read(&format!(
        "From: Site <noreply@okna.example>\r\nTo: sales@okna.example\r\n{headers}\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ))
}

fn pairs(r: &Request) -> Vec<(&str, &str)> {
    r.fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

fn s(v: &Option<String>) -> Option<&str> {
    v.as_deref()
}

// ---- HTML tables -----------------------------------------------------------

#[test]
fn table_th_labels_and_colon_in_label_cell() {
    let r = html(
        "<table><tr><th>Имя</th><td>Иван</td></tr><tr><td>Телефон:</td><td>+7 912 345-67-89</td></tr>\
         <tr><th>Сообщение</th><td>Нужен замер окон</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Иван"));
    assert_eq!(s(&r.phone), Some("+79123456789"));
    assert_eq!(s(&r.message), Some("Нужен замер окон"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn table_label_row_then_value_row() {
    let r = html(
        "<table><tr><td><b>Ваше имя</b></td></tr><tr><td>Иван</td></tr>\
         <tr><td><b>Телефон</b></td></tr><tr><td>89123456789</td></tr></table>",
    );
    assert_eq!(
        pairs(&r),
        [("Ваше имя", "Иван"), ("Телефон", "89123456789")]
    );
}

#[test]
fn table_header_row_over_a_value_row_pairs_by_column() {
    let r = html(
        "<table><tr><th>Имя</th><th>Телефон</th><th>Email</th></tr>\
         <tr><td>Иван</td><td>89123456789</td><td>ivan@mail.example</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Иван"));
    assert_eq!(s(&r.phone), Some("+79123456789"));
    assert_eq!(s(&r.email), Some("ivan@mail.example"));
}

#[test]
fn table_value_cells_holding_their_own_nested_tables() {
    let r = html(
        "<table><tr><td>Имя</td><td><table><tr><td>Иван</td></tr></table></td></tr>\
         <tr><td>Телефон</td><td><table><tr><td><a href='tel:+79123456789'>+7 912 345 67 89</a>\
         </td></tr></table></td></tr></table>",
    );
    assert_eq!(
        pairs(&r),
        [("Имя", "Иван"), ("Телефон", "+7 912 345 67 89")]
    );
}

#[test]
fn mailchimp_style_wrapper_with_spacers_and_footer_row() {
    let r = html(
        r#"<table width="100%" class="bodyTable"><tr><td align="center"><table class="container">
<tr><td class="spacer" height="20">&nbsp;</td></tr><tr><td><h1>Новая заявка с сайта</h1></td></tr>
<tr><td><table class="form"><tr><td style="font-weight:bold">Имя</td><td>Пётр</td></tr>
<tr><td style="font-weight:bold">Телефон</td><td>8 (912) 345-67-89</td></tr>
<tr><td style="font-weight:bold">Комментарий</td><td>Сколько стоит натяжной потолок 20 м2?</td></tr></table></td></tr>
<tr><td class="footer">Хорошего дня! <a href="https://potolki.example/">potolki.example</a></td></tr>
</table></td></tr></table>"#,
    );
    assert_eq!(s(&r.name), Some("Пётр"));
    assert_eq!(s(&r.message), Some("Сколько стоит натяжной потолок 20 м2?"));
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn text_after_a_form_table_never_runs_into_its_last_field() {
    let r = html(
        "<table><tr><td>Имя</td><td>Николай</td></tr><tr><td>Телефон</td><td>89601823390</td></tr>\
         <tr><td>Сообщение:</td><td>Добрый день.<br>Звоните вечером.</td></tr></table>\
         <br><br>Приятной работы с системой!",
    );
    assert_eq!(s(&r.message), Some("Добрый день.\nЗвоните вечером."));
}

// ---- Lists and blocks ------------------------------------------------------

#[test]
fn list_items_bold_label_br_value() {
    let r = html(
        "<h2>Сообщение с сайта</h2><ul><li><b>Имя</b><br>Анна</li>\
         <li><b>Телефон</b><br>+7 900 111-22-33</li><li><b>Сообщение</b><br>Хочу узнать цену</li></ul>",
    );
    assert_eq!(
        pairs(&r),
        [
            ("Имя", "Анна"),
            ("Телефон", "+7 900 111-22-33"),
            ("Сообщение", "Хочу узнать цену")
        ]
    );
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn definition_list_dt_dd() {
    let r = html(
        "<dl><dt>Имя</dt><dd>Анна</dd><dt>Телефон</dt><dd>+7 900 111-22-33</dd>\
         <dt>Email</dt><dd>anna@mail.example</dd></dl>",
    );
    assert_eq!(s(&r.name), Some("Анна"));
    assert_eq!(s(&r.email), Some("anna@mail.example"));
}

#[test]
fn strong_label_followed_by_a_sibling_div_or_p() {
    let r = html(
        "<div><strong>Имя</strong><div>Анна</div></div><div><strong>Телефон</strong>\
         <p>+7 900 111-22-33</p></div><div><strong>Сообщение</strong><div>Нужен замерщик</div></div>",
    );
    assert_eq!(s(&r.name), Some("Анна"));
    assert_eq!(s(&r.message), Some("Нужен замерщик"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn paragraph_with_bold_label_and_space_before_colon() {
    let r = html("<p><b>Имя : </b>Анна</p><p><b>Телефон : </b>+7 900 111-22-33</p>");
    assert_eq!(
        pairs(&r),
        [("Имя", "Анна"), ("Телефон", "+7 900 111-22-33")]
    );
}

#[test]
fn bold_values_after_plain_labels() {
    let r = html("<p>Имя: <b>Анна</b></p><p>Телефон: <b>+7 900 111-22-33</b></p>");
    assert_eq!(
        pairs(&r),
        [("Имя", "Анна"), ("Телефон", "+7 900 111-22-33")]
    );
}

#[test]
fn a_bold_heading_over_labelled_lines_is_not_a_label() {
    let r = html(
        "<p><b>Заявка с формы обратной связи</b></p><p>Имя: Анна</p><p>Телефон: 89001112233</p>",
    );
    assert_eq!(pairs(&r), [("Имя", "Анна"), ("Телефон", "89001112233")]);
}

#[test]
fn blocks_whose_class_names_them_label_and_value() {
    let r = html(
        r#"<div class="row"><div class="field-label">Имя</div><div class="field-value">Анна</div></div>
<div class="row"><span class="label">Телефон</span> <span>+7 900 111-22-33</span></div>"#,
    );
    assert_eq!(
        pairs(&r),
        [("Имя", "Анна"), ("Телефон", "+7 900 111-22-33")]
    );
}

// ---- Plain text ------------------------------------------------------------

#[test]
fn plain_tab_separated_key_equals_and_php_dump_lines() {
    let r = plain("Имя\tАнна\r\nТелефон\t+7 900 111-22-33\r\n");
    assert_eq!(
        pairs(&r),
        [("Имя", "Анна"), ("Телефон", "+7 900 111-22-33")]
    );
    let r = plain("name=Анна\r\nphone=89001112233\r\nmessage=Нужен замер\r\n");
    assert_eq!(s(&r.name), Some("Анна"));
    assert_eq!(s(&r.message), Some("Нужен замер"));
    let r = plain(
        "Array\r\n(\r\n    [name] => Анна\r\n    [phone] => 89001112233\r\n    [message] => Нужен расчёт\r\n)\r\n",
    );
    assert_eq!(s(&r.name), Some("Анна"));
    assert_eq!(s(&r.message), Some("Нужен расчёт"));
}

#[test]
fn plain_space_before_colon_tabs_and_label_alone_on_its_line() {
    let r =
        plain("Имя : Анна\r\n\tТелефон:\t+7 900 111-22-33\r\nСообщение :\r\n\r\nнужен расчёт\r\n");
    assert_eq!(
        pairs(&r),
        [
            ("Имя", "Анна"),
            ("Телефон", "+7 900 111-22-33"),
            ("Сообщение", "нужен расчёт")
        ]
    );
}

#[test]
fn plain_key_style_labels() {
    let r = plain(
        "name: Анна\r\nphone: +79001112233\r\ncomment: нужен расчёт\r\nformname: Обратный звонок\r\n\
         pageurl: https://okna.example/okna\r\n",
    );
    assert_eq!(s(&r.name), Some("Анна"));
    assert_eq!(s(&r.message), Some("нужен расчёт"));
    assert_eq!(s(&r.form), Some("Обратный звонок"));
    assert_eq!(s(&r.page), Some("https://okna.example/okna"));
}

#[test]
fn plain_markdown_bullets_and_bold_captions() {
    let r = plain(
        "- **Name:** Олег Никитин\r\n- **Phone:** +7 926 310 77 08\r\n\r\nНужен шкаф в нишу.\r\n",
    );
    assert_eq!(s(&r.name), Some("Олег Никитин"));
    assert_eq!(s(&r.phone), Some("+79263107708"));
    assert_eq!(s(&r.message), Some("Нужен шкаф в нишу."));
}

#[test]
fn plain_format_flowed_delsp_lines_are_rejoined() {
    let raw = "From: v.s@mail.example\r\nTo: info@okna.example\r\nSubject: Замер\r\n\
               MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\n\
               Имя: Валентина\r\nСообщение: Здравствуйте, хочу поменять все ок \r\nна, позвоните 8-911-353-40-27.\r\n";
    let r = read(raw);
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте, хочу поменять все окна, позвоните 8-911-353-40-27.")
    );
    assert_eq!(s(&r.phone), Some("+79113534027"));
}

#[test]
fn caption_with_question_mark_and_answer_on_the_same_line() {
    let r = plain(
        "Ваше имя: Евгения\r\nТелефон: +7 (913) 611-42-08\r\nЧто нужно изготовить? Прихожая\r\n",
    );
    assert_eq!(s(&r.product), Some("Прихожая"));
}

// ---- Label-less mails ------------------------------------------------------

#[test]
fn label_less_name_email_line_and_free_text() {
    let r = plain(
        "Анна Петрова <anna@mail.example>\r\n\r\nЗдравствуйте, сколько стоит кухня 3 метра?\r\n",
    );
    assert_eq!(s(&r.name), Some("Анна Петрова"));
    assert_eq!(s(&r.email), Some("anna@mail.example"));
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте, сколько стоит кухня 3 метра?")
    );
    assert_eq!((r.action, r.kind), (Action::Lead, Kind::Calculation));
}

#[test]
fn label_less_signature_dash_name_parenthesised_email() {
    let r = plain(
        "Здравствуйте! Нужен замер окон, позвоните 8 912 345 67 89.\r\n\r\n-Анна ( anna@mail.example )\r\n",
    );
    assert_eq!(s(&r.name), Some("Анна"));
    assert_eq!(s(&r.email), Some("anna@mail.example"));
    assert_eq!(s(&r.phone), Some("+79123456789"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn label_less_free_text_with_the_phone_inside() {
    let r = plain("Добрый день, интересует остекление балкона. Мой телефон +7 (912) 345-67-89\r\n");
    assert_eq!(s(&r.phone), Some("+79123456789"));
    assert!(s(&r.message).is_some_and(|m| m.contains("остекление")));
    assert_eq!(r.action, Action::Lead);
}

#[test]
fn label_less_visitor_in_reply_to_or_from_display_name() {
    let r = read(
        "From: WordPress <wordpress@okna.example>\r\nReply-To: Ольга Петрова <olga@mail.example>\r\n\
         To: sales@okna.example\r\nSubject: Вопрос\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Хочу узнать цену на шкаф-купе\r\n",
    );
    assert_eq!(s(&r.name), Some("Ольга Петрова"));
    assert_eq!(s(&r.email), Some("olga@mail.example"));
    let r = read(
        "From: Елена <info@divany.example>\r\nReply-To: elena@mail.example\r\nTo: info@divany.example\r\n\
         Subject: Сообщение от Елена (elena@mail.example)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Можно ли заказать угловой диван в другой обивке?\r\n",
    );
    assert_eq!(s(&r.name), Some("Елена"));
    // A site's own name in From is never the client.
    let r = read(
        "From: Окна Люкс <noreply@okna.example>\r\nReply-To: elena@mail.example\r\nTo: info@okna.example\r\n\
         Subject: Заявка с сайта Окна Люкс\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Можно ли заказать окно в другой цвет?\r\n",
    );
    assert_eq!(s(&r.name), None);
}

#[test]
fn builder_subjects_give_the_form_title() {
    for (subject, form) in [
        ("New Entry: Заказать звонок", "Заказать звонок"),
        ("Новая запись от Обратная связь", "Обратная связь"),
        ("Contact Us Form submitted on Окна", "Contact Us"),
        ("Form submission from: Замер", "Замер"),
        (
            "New Form Entry #318 for Заявка на ремонт",
            "Заявка на ремонт",
        ),
    ] {
        let r = plain_with(
            &format!("Subject: {subject}\r\n"),
            "Name: Анна\r\nPhone: +79001112233\r\n",
        );
        assert_eq!(s(&r.form), Some(form), "{subject}");
    }
}

// ---- Do not invent ---------------------------------------------------------

#[test]
fn headings_are_never_a_label_value_pair() {
    let r = html(
        "<h1>Заявка на замер</h1><h2>Форма: обратная связь</h2><p>Имя: Анна</p><p>Телефон: +79001112233</p>",
    );
    assert_eq!(pairs(&r), [("Имя", "Анна"), ("Телефон", "+79001112233")]);
    assert_eq!(s(&r.form), None);
    let r = plain("Сообщение с сайта - Example\r\n\r\nИмя: Анна\r\nТелефон: +79001112233\r\n");
    assert_eq!(pairs(&r), [("Имя", "Анна"), ("Телефон", "+79001112233")]);
    assert_eq!(s(&r.message), None);
}

#[test]
fn footer_home_url_is_not_the_page() {
    let r = plain(
        "Имя: Анна\r\nТелефон: +79001112233\r\n\r\nС уважением, Окна\r\nhttps://okna.example/\r\n",
    );
    assert_eq!(s(&r.page), None);
    assert_eq!(s(&r.message), None);
}

#[test]
fn admin_view_result_link_is_not_the_page() {
    let r = plain(
        "Имя: Анна\r\nТелефон: +79001112233\r\n\
         Ссылка на результат: https://okna.example/bitrix/admin/form_result_edit.php?RESULT_ID=5\r\n",
    );
    assert_eq!(s(&r.page), None);
}

#[test]
fn relative_page_path_is_made_absolute_with_the_site_host() {
    let r = plain("Имя: Анна\r\nТелефон: +79001112233\r\nСтраница: /catalog/okna/\r\n");
    assert_eq!(s(&r.page), Some("https://okna.example/catalog/okna/"));
    // A robot's or a mail provider's domain is not the site: no page.
    let r = read(
        "From: Forms <robot@gmail.com>\r\nTo: a@b.example\r\nSubject: x\r\n\r\n\
         Имя: Анна\r\nТелефон: +79001112233\r\nСтраница: /catalog/okna/\r\n",
    );
    assert_eq!(s(&r.page), None);
    // …and then the path is not dropped: it stays in `fields`, with a
    // warning that says why it is not the form page.
    assert!(pairs(&r).contains(&("Страница", "/catalog/okna/")));
    assert_eq!(r.meta.warnings.len(), 1, "{:?}", r.meta.warnings);
    assert!(
        r.meta.warnings[0].contains("/catalog/okna/") && r.meta.warnings[0].contains("host"),
        "{:?}",
        r.meta.warnings
    );
}

// ---- The client's message ---------------------------------------------------

#[test]
fn unknown_labelled_lines_stay_in_fields_not_in_the_message() {
    let r = plain(
        "Имя: Анна\r\nТелефон: +79001112233\r\nСообщение: Нужен расчёт\r\nМатериал: ПВХ\r\nЦвет: белый\r\n",
    );
    assert_eq!(s(&r.message), Some("Нужен расчёт"));
    assert!(pairs(&r).contains(&("Материал", "ПВХ")));
    assert!(pairs(&r).contains(&("Цвет", "белый")));
}

#[test]
fn message_paragraphs_separated_by_blank_lines_stay_whole() {
    let r = plain(
        "Имя: Анна\r\nТелефон: +79001112233\r\nСообщение: Здравствуйте.\r\n\r\nНужен расчёт балкона.\r\n\r\nСпасибо.\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте.\nНужен расчёт балкона.\nСпасибо.")
    );
}

#[test]
fn message_ends_at_a_footer_or_signature() {
    let r = plain(
        "Имя: Анна\r\nТелефон: +79001112233\r\nСообщение: Нужен расчёт.\r\n\r\nС уважением, команда сайта\r\nOkna\r\n",
    );
    assert_eq!(s(&r.message), Some("Нужен расчёт."));
    let r =
        plain("Имя: Анна\r\nТелефон: +79001112233\r\nСообщение: Нужен расчёт.\r\n© 2026 Окна\r\n");
    assert_eq!(s(&r.message), Some("Нужен расчёт."));
}

#[test]
fn clients_unlabelled_text_above_the_fields_is_the_message() {
    let r = plain(
        "Здравствуйте! Купили двушку в новостройке, сколько будет стоить ремонт?\r\nТелефон: +7 (343) 288-01-56\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте! Купили двушку в новостройке, сколько будет стоить ремонт?")
    );
    assert_eq!(r.kind, Kind::Calculation);
}

// ---- Phones inside values ----------------------------------------------------

#[test]
fn phone_value_followed_by_text_gives_the_phone_and_leaves_the_rest() {
    let r = plain("Имя: Анна\r\nТелефон: +7 981 123 45 67. Нужен замер в субботу\r\n");
    assert_eq!(s(&r.phone), Some("+79811234567"));
    assert_eq!(s(&r.message), Some("Нужен замер в субботу"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn phone_field_holding_an_email_and_email_field_holding_a_phone() {
    let r = plain("Имя: Анна\r\nТелефон: anna@mail.example\r\nEmail: 89811234567\r\n");
    assert_eq!(s(&r.phone), Some("+79811234567"));
    assert_eq!(s(&r.email), Some("anna@mail.example"));
}

#[test]
fn mis_prefixed_plus_eight_and_us_mask_on_a_russian_number() {
    let r = plain("Имя: Анна\r\nТелефон: +8 (981) 123-45-67\r\n");
    assert_eq!(s(&r.phone), Some("+79811234567"));
    let r = plain("Имя: Анна\r\nТелефон: +1 (981) 123-4567\r\n");
    assert_eq!(s(&r.phone), Some("+79811234567"));
}

// ---- Classification by the client's words -----------------------------------

#[test]
fn kind_comes_from_the_clients_words_not_field_names() {
    let r = plain(
        "Имя: Анна\r\nТелефон: +79001112233\r\nНужен бесплатный замер?: Нет\r\nСообщение: Сколько стоит потолок?\r\n",
    );
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn marketing_pitch_job_seeker_supplier_partner_are_trash() {
    for msg in [
        "Мы digital-агентство. Настроим Яндекс Директ и таргет, приведём клиентов.",
        "Ищу работу монтажником, опыт 5 лет.",
        "Мы являемся производителем профиля ПВХ, пришлём каталог.",
        "Предлагаем взаимовыгодное сотрудничество.",
    ] {
        let r = plain(&format!(
            "Имя: Алексей\r\nТелефон: +74951203344\r\nСообщение: {msg}\r\n"
        ));
        assert_eq!(r.action, Action::Trash, "{msg}");
    }
}

// ---- Bad input ----------------------------------------------------------------

#[test]
fn a_hundred_thousand_nested_elements_stay_fast_and_safe() {
    let n = 100_000;
    for (open, close) in [
        ("<li><b>", "</b></li>"),
        ("<dl><dt>", "</dt></dl>"),
        ("<div><strong>x</strong><div>", "</div></div>"),
        ("<h2><b>", "</b></h2>"),
    ] {
        let body = open.repeat(n) + "Телефон: 89001112233" + &close.repeat(n);
        // Completes (linear scan, no recursion) and reads the number.
        let r = html(&body);
        assert_eq!(s(&r.phone), Some("+79001112233"), "{open}");
    }
}

#[test]
fn unreadable_mail_is_review_with_a_reason_never_ignore() {
    let r = read(
        "From: a@b.example\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n<html><body></body></html>",
    );
    assert_eq!(r.action, Action::Review);
    assert!(r.meta.reason.is_some());
}

#[test]
fn a_site_or_server_sender_is_never_the_clients_email() {
    // PHP mail() from the web server's account.
    let r = read(
        "From: www-data@vps123.hosting.example\r\nTo: owner@mail.example\r\nSubject: Заявка\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nИмя: Анна\r\nТелефон: 89001112233\r\n",
    );
    assert_eq!(s(&r.email), None);
    // The site's own address on another domain than the manager's inbox:
    // the mail links to that domain.
    let r = read(
        "From: zayavki@okna-kzn.example\r\nTo: owner@mail.example\r\nSubject: Заявка\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nИмя: Анна\r\nТелефон: 89001112233\r\n\
         Страница: https://okna-kzn.example/zamer\r\n",
    );
    assert_eq!(s(&r.email), None);
    // A person writing from their own mailbox through a contact form is.
    let r = read(
        "From: v.sergeevna@mail.example\r\nTo: info@okna.example\r\nSubject: Замер\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nВалентина Сергеевна sent a message using the contact form at https://okna.example/contact.\r\n\r\n\
         Здравствуйте, приезжайте на замер окон, телефон 8-911-353-40-27.\r\n",
    );
    assert_eq!(s(&r.email), Some("v.sergeevna@mail.example"));
    assert_eq!(s(&r.name), Some("Валентина Сергеевна"));
    assert_eq!(s(&r.page), Some("https://okna.example/contact"));
}

#[test]
fn a_sites_notice_next_to_the_fields_is_not_the_message() {
    let r = plain(
        "Получена новая заявка с лендинга, данные ниже\r\nИмя: Анна\r\nТелефон: 89001112233\r\n",
    );
    assert_eq!(s(&r.message), None);
}

#[test]
fn two_numbers_side_by_side_and_a_tag_after_the_number() {
    let r = plain("Имя: Анна\r\nТелефон: 89001112233 89004445566\r\n");
    assert_eq!(r.phones, ["+79001112233", "+79004445566"]);
    let r = plain("Имя: Анна\r\nТелефон: 8 900 111 22 33 (Viber)\r\n");
    assert_eq!(s(&r.phone), Some("+79001112233"));
    assert_eq!(s(&r.message), None);
}

#[test]
fn field_value_header_over_label_value_rows() {
    let r = html(
        "<table><tr><th>Field</th><th>Value</th></tr><tr><td>Name</td><td>Василий</td></tr>\
         <tr><td>Phone</td><td>+79105559012</td></tr></table>",
    );
    assert_eq!(pairs(&r), [("Name", "Василий"), ("Phone", "+79105559012")]);
}

#[test]
fn an_intro_announcing_the_message_below_a_rule_line() {
    let r = plain(
        "Name: Рустам\r\nE-mail address: rustam@mail.example\r\nMessage sent to you follows\r\n\
         ~~~~~~~~~~~~\r\nЗдравствуйте, сколько будет стоить потолок? Телефон +7 917 770-88-12.\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте, сколько будет стоить потолок? Телефон +7 917 770-88-12.")
    );
    assert_eq!(s(&r.phone), Some("+79177708812"));
}

#[test]
fn a_shape_field_is_not_the_form_name_and_bracketed_subject_names_the_form() {
    let r = plain_with(
        "Subject: [Заказ мебели] New Form Submission #87\r\n",
        "Имя: Ольга\r\nТелефон: 89001112233\r\nФорма кухни: П-образная\r\n",
    );
    assert_eq!(s(&r.product), Some("П-образная"));
    assert_eq!(s(&r.form), Some("Заказ мебели"));
    // Fluent Forms puts the client's name in the bracket: not a form.
    let r = plain_with(
        "Subject: [Ольга Тихонова] New Form Submission\r\n",
        "Имя: Ольга Тихонова\r\nТелефон: 89001112233\r\n",
    );
    assert_eq!(s(&r.form), None);
}

// ---- held-out round 3 ------------------------------------------------------

#[test]
fn caption_over_a_dash_rule_over_its_value() {
    // iPhorm plain text: `Label` / `------` / value, `=====` frames a section.
    let r = plain(
        "Заявка на замер\r\n\r\nВаше имя\r\n------------------------\r\nЕвгения\r\n\r\n\
         =========================\r\nОбъект\r\n=========================\r\n\r\n\
         Адрес\r\n------------------------\r\nКраснодар, ул. Красная, 1\r\n\r\n\
         Комментарий\r\n------------------------\r\nДва уровня в зале.\r\n\r\n",
    );
    assert_eq!(s(&r.name), Some("Евгения"));
    assert_eq!(s(&r.address), Some("Краснодар, ул. Красная, 1"));
    assert_eq!(s(&r.message), Some("Два уровня в зале."));
    // A Markdown heading over `Label: value` lines stays a heading.
    let r = plain("Заявка\r\n------\r\nИмя: Ольга\r\nТелефон: 89001112233\r\n");
    assert_eq!(s(&r.name), Some("Ольга"));
    assert_eq!(s(&r.phone), Some("+79001112233"));
}

#[test]
fn known_key_alone_on_its_line_over_its_value_in_stanzas() {
    // Apps Script mailers: `name` / `Кирилл`, blank line, `phone` / …
    let r = plain(
        "name\r\nКирилл\r\n\r\nphone\r\n+7 931 200-15-15\r\n\r\nmessage\r\nСколько стоит забор 40 метров?\r\n",
    );
    assert_eq!(s(&r.name), Some("Кирилл"));
    assert_eq!(s(&r.phone), Some("+79312001515"));
    assert_eq!(s(&r.message), Some("Сколько стоит забор 40 метров?"));
    // One such line alone is not trusted: `Имя` over a sentence is text.
    let r =
        plain("Телефон: 89001112233\r\n\r\nСообщение\r\nПерезвоните после обеда, пожалуйста.\r\n");
    assert_eq!(s(&r.phone), Some("+79001112233"));
}

#[test]
fn markdown_bold_caption_alone_over_text_with_a_colon() {
    let r = plain(
        "__Name:__ Виктория<br>\r\n__Phone:__ +7 (900) 111-22-33<br>\r\n\r\n__Message__<br>\r\n\
         Предлагаем продвижение вашего бизнеса: таргет, SMM под ключ.\r\n\r\nThanks,<br>\r\nApp\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Предлагаем продвижение вашего бизнеса: таргет, SMM под ключ.")
    );
    assert_eq!(r.action, Action::Trash);
}

#[test]
fn a_link_row_under_the_message_is_not_the_message_nor_a_visit_time() {
    // Laravel markdown mail: the `Visit Website` button's text part.
    let r = plain(
        "**From:** John Peterson (john.p@mail.example)  \r\n\r\n## Message:\r\n\
         Please call me back about the wardrobe order.\r\n\r\nVisit Website: https://shkafy.example\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Please call me back about the wardrobe order.")
    );
    assert_eq!(s(&r.visit_time), None);
}

#[test]
fn id_caption_value_table_under_a_header_row() {
    // NGCMS feedback: `ID | Заголовок | Содержимое` over (key, caption, value).
    let r = html(
        "<table><thead><tr><td>ID</td><td>Заголовок</td><td>Содержимое</td></tr></thead><tbody>\
         <tr><td>name</td><td>Ваше имя</td><td>Николай</td></tr>\
         <tr><td>phone</td><td>Телефон</td><td>+7 (863) 201-55-40</td></tr>\
         <tr><td>comment</td><td>Комментарий</td><td>Окна в частный дом, 6 штук.</td></tr></tbody></table>",
    );
    assert_eq!(s(&r.name), Some("Николай"));
    assert_eq!(s(&r.phone), Some("+78632015540"));
    assert_eq!(s(&r.message), Some("Окна в частный дом, 6 штук."));
}

#[test]
fn a_greeting_line_opens_the_unlabelled_message() {
    let r = html(
        "<span><strong>Name:</strong> Андрей</span><br /><span><strong>Phone:</strong> \
         +7 (912) 004-55-66</span><br /><br /><pre>Добрый день.\nНужно поменять два окна, дом кирпичный.\n</pre>",
    );
    assert_eq!(
        s(&r.message),
        Some("Добрый день.\nНужно поменять два окна, дом кирпичный.")
    );
}

#[test]
fn ukrainian_labels_and_a_trunk_zero_number() {
    let r = html(
        "<table><tr><td><b>Ім'я:</b></td><td>Василь</td></tr><tr><td><b>Телефон:</b></td>\
         <td>067 555 12 34</td></tr><tr><td><b>Повідомлення:</b></td><td>Ми є виробником фурнітури, \
         пропонуємо співпрацю.</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Василь"));
    assert_eq!(s(&r.phone), Some("+380675551234"));
    assert_eq!(r.action, Action::Trash);
}

#[test]
fn a_closing_contact_sentence_stays_in_the_clients_letter() {
    // yii2 contact: the client's free text ends with one `Label: value`
    // sentence; it stays in the message and the phone is still read.
    let r = plain(
        "Добрый день! Хотим застеклить балкон 3 метра, с выносом.\r\n\
         Подскажите стоимость и когда сможет приехать замерщик.\r\n\
         Телефон для связи: 8 999 204 61 73, Татьяна.\r\n",
    );
    assert_eq!(s(&r.phone), Some("+79992046173"));
    assert_eq!(
        s(&r.message),
        Some(
            "Добрый день! Хотим застеклить балкон 3 метра, с выносом.\n\
             Подскажите стоимость и когда сможет приехать замерщик.\n\
             Телефон для связи: 8 999 204 61 73, Татьяна."
        )
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn coming_to_look_at_the_site_is_a_measurement() {
    let r = plain(
        "Имя: Сергей\r\nТелефон: 89001112233\r\nСообщение: Можете приехать посмотреть объект на неделе?\r\n",
    );
    assert_eq!(r.kind, Kind::Measurement);
}

// ---- held-out round 4 ------------------------------------------------------

fn alternative(plain_part: &str, html_part: &str) -> Request {
    read(&format!(
        "From: Site <noreply@okna.example>\r\nTo: sales@okna.example\r\nSubject: Заявка\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain_part}\r\n\
         --b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html_part}\r\n--b1--\r\n"
    ))
}

#[test]
fn plain_part_left_by_tag_stripping_yields_to_the_html() {
    // PHPMailer's html2text of an indented table template: cells come apart
    // and the footer under the table reads as part of the last value.
    let pad = "                    ";
    let plain_part = format!(
        "Запрос на обратный звонок.\r\n{pad}\r\n{pad}\r\n   ФИО:\r\n   Иван\r\n{pad}\r\n{pad}\r\n   \
         Телефон:\r\n   +7 912 345-67-89\r\n{pad}\r\n   Сообщение:\r\n   Нужен замер балкона.\r\n{pad}\r\n\
         {pad}\r\nПодробнее о системе\r\nexample-cms.com"
    );
    let r = alternative(
        &plain_part,
        "<h1>Запрос на обратный звонок.</h1><table><tr><td>ФИО:</td><td>Иван</td></tr>\
         <tr><td>Телефон:</td><td>+7 912 345-67-89</td></tr><tr><td>Сообщение:</td>\
         <td>Нужен замер балкона.</td></tr></table><table><tr><td><p>Подробнее о системе<br>\
         <a href=\"https://example-cms.com\">example-cms.com</a></p></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Иван"));
    assert_eq!(s(&r.message), Some("Нужен замер балкона."));
}

#[test]
fn inline_markup_and_escapes_left_in_a_plain_part() {
    // A markdown text view keeps `<a href="tel:…">`; an autoescaping
    // template turns quotes into `&quot;`.
    let r = plain(
        "Имя: Богдан <br>\r\nТелефон: <a href=\"tel:+380671112233\">067 111 22 33 </a> <br>\r\n\
         Сообщение: Хочу кухню &quot;Модерн&quot;, сколько будет стоить? <br>\r\n",
    );
    assert_eq!(s(&r.phone), Some("+380671112233"));
    assert_eq!(
        s(&r.message),
        Some("Хочу кухню \"Модерн\", сколько будет стоить?")
    );
}

#[test]
fn lone_name_next_to_a_lone_phone_is_the_contact() {
    // `<h3>name</h3><h2>+phone</h2>` and nothing else.
    let r = html("<html><body><h3>Ольга Викторовна</h3><h2>+8 927 440-11-23</h2></body></html>");
    assert_eq!(s(&r.name), Some("Ольга Викторовна"));
    assert_eq!(s(&r.phone), Some("+79274401123"));
    assert_eq!(s(&r.message), None);
}

#[test]
fn phone_in_the_clients_unlabelled_text_after_the_fields_is_theirs() {
    let r = html(
        "<h2>Текст сообщения:</h2><p><b>Имя:</b> Валентина</p><p><b>Тема:</b> Замер </p>\
         <p>Здравствуйте, нужен замер для жалюзи на 4 окна, мой телефон 8 (928) 140-22-33.</p>",
    );
    assert_eq!(s(&r.phone), Some("+79281402233"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn site_sentence_caption_over_the_visitors_text_and_author_line() {
    // `На сайте … добавлен новый отзыв:` announces the text under it;
    // `Автор отзыва: Name (e-mail: …).` gives the name and the email.
    let r = html(
        "Здравствуйте.<br>\n\tНа сайте kuhni.example добавлен новый отзыв:<br/>\n\t<br/>\n\t\
         Хотим заказать кухню с островом.<br />\nМожно приехать на замер в Заводской район?<br/>\n\t<br/>\n\t\
         Автор отзыва: Марина Лебедева (e-mail: m.lebedeva@example.ru).<br/>\n\t\
         Контактный телефон: +7 (8452) 22-33-44<br/>\n\tДата отзыва: 14.12.2026 09:14 (МСК)<br>",
    );
    assert_eq!(s(&r.name), Some("Марина Лебедева"));
    assert_eq!(s(&r.email), Some("m.lebedeva@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Хотим заказать кухню с островом.\nМожно приехать на замер в Заводской район?")
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn transliterated_and_ukrainian_labels() {
    // Drupal's ucwords(form_key) keys (`Adres Obekta`) and OkayCMS's
    // Ukrainian captions (`ПІБ`, `Сторінка звернення`).
    let r = html(
        "<table><tr><td>Imya</td><td>Наталья</td></tr><tr><td>Telefon</td><td>8-912-601-44-05</td></tr>\
         <tr><td>Adres Obekta</td><td>Пермь, ул. Ленина, 64</td></tr>\
         <tr><td>Kommentariy</td><td>Нужен замер.</td></tr><tr><td>Square Meters</td><td>140</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Наталья"));
    assert_eq!(s(&r.address), Some("Пермь, ул. Ленина, 64"));
    assert_eq!(s(&r.message), Some("Нужен замер."));
    assert_eq!(s(&r.scope), Some("140"));
    let r = html(
        "<table><tr><td>ПІБ:</td><td>Олена</td></tr><tr><td>Телефон:</td><td>+380 67 123 45 67</td></tr>\
         <tr><td>Сторінка звернення:</td><td>https://dveri.example.ua/kontakty/</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Олена"));
    assert_eq!(s(&r.page), Some("https://dveri.example.ua/kontakty/"));
}

#[test]
fn subject_of_the_question_field_is_not_the_message() {
    // OpenCart's OCU Callback: `Тема вопроса:` over a topic from a list.
    let r = plain(
        "Номер телефона:\r\n+7 (383) 209-14-50\r\n\r\nТема вопроса:\r\nПодробности о товаре\r\n\r\n\
         Сообщение:\r\nЕсть ли диван «Честер» в наличии?",
    );
    assert_eq!(s(&r.message), Some("Есть ли диван «Честер» в наличии?"));
}

#[test]
fn english_you_have_any_is_the_clients_words() {
    // `you have a …` is a robot's notice; `Do you have any vacancies?` is not.
    let r = plain(
        "Name: Max\r\nPhone: +7 903 111 22 33\r\n\r\nHello! I am a window installer looking for a job. \
         Do you have any vacancies?",
    );
    assert!(
        r.message
            .as_deref()
            .is_some_and(|m| m.contains("vacancies"))
    );
    assert_eq!(r.action, Action::Trash);
}

#[test]
fn cues_plural_cost_and_ukrainian_seo() {
    let r =
        plain("Телефон: +7 917 345 22 10\r\nСообщение: Сколько будут стоить 2 окна с монтажом?");
    assert_eq!(r.kind, Kind::Calculation);
    let r = plain(
        "Телефон: +380 67 123 45 67\r\nПовідомлення: Пропонуємо просування вашого сайту в ТОП-10 Google.",
    );
    assert_eq!(r.action, Action::Trash);
}

// ---- round-3 gaps closed ---------------------------------------------------

#[test]
fn location_label_is_the_address() {
    let r = plain(
        "Name: Тимур\r\nPhone: +7 (843) 250-19-90\r\nLocation: Казань, ЖК Солнечный город\r\n",
    );
    assert_eq!(s(&r.address), Some("Казань, ЖК Солнечный город"));
}

#[test]
fn caption_stanzas_end_the_message_at_the_next_caption() {
    // Happyforms: `Caption:` / value stanzas; an unknown caption after the
    // "what interests you" answer is the next field, and a short list of
    // choices is the product, not a message.
    let r = html(
        "<p>Имя:<br>\nАрсений<br>\n<br>\nТелефон:<br>\n8 951 870-33-12<br>\n<br>\n\
         Что вас интересует?:<br>\nМежкомнатные двери, Входная дверь<br>\n<br>\n\
         Когда вам перезвонить?:<br>\nвечером после 19</p>",
    );
    assert_eq!(s(&r.product), Some("Межкомнатные двери, Входная дверь"));
    assert_eq!(s(&r.message), None);
    assert!(pairs(&r).contains(&("Когда вам перезвонить?", "вечером после 19")));
}

#[test]
fn form_parameters_section_names_the_form() {
    // NGCMS: `Параметры формы` (ID, Название, Описание) over the client's
    // fields: the title is `form`, the description is not the message.
    let r = html(
        "<p>Вам только что было отправлено сообщение через форму обратной связи.</p>\
         <table><caption>Параметры формы</caption><tr><td>ID</td><td>2</td></tr>\
         <tr><td>Название</td><td>Заказать замер</td></tr>\
         <tr><td>Описание</td><td>Бесплатный выезд замерщика</td></tr></table>\
         <table><caption>Пользователь заполнил следующие поля</caption>\
         <tr><td>Ваше имя</td><td>Николай</td></tr><tr><td>Телефон</td><td>+7 (863) 201-55-40</td></tr>\
         <tr><td>Комментарий</td><td>Пластиковые окна в частный дом, 6 штук.</td></tr></table>",
    );
    assert_eq!(s(&r.form), Some("Заказать замер"));
    assert_eq!(
        s(&r.message),
        Some("Пластиковые окна в частный дом, 6 штук.")
    );
    assert_eq!(s(&r.name), Some("Николай"));
}

// ---- held-out round 5 ------------------------------------------------------

#[test]
fn text_between_two_dash_rules_after_the_fields_is_the_message() {
    // Zen Cart contact_us: tab-separated fields, a rule, the enquiry, a rule,
    // then the site's own block (its Host Address is not the client's).
    let dash = "-".repeat(54);
    let r = plain(&format!(
        "From:\tЛюдмила\r\nE-mail:\tl.k@example.ru\r\n<strong>Telephone:</strong>\t+7 (4822) 55-10-20\r\n\r\n\
         {dash}\r\n\r\nЕсть ли у вас в наличии смесители Grohe?\r\n\r\n{dash}\r\n\r\n\
         Office Use Only:\t\r\nLogin Name:\tNot logged in\r\nIP Address:\t91.76.3.14 - 91.76.3.14\r\n\
         Host Address:\t91.76.3.14\r\n"
    ));
    assert_eq!(
        s(&r.message),
        Some("Есть ли у вас в наличии смесители Grohe?")
    );
    assert_eq!(s(&r.address), None);
    assert_eq!(s(&r.name), Some("Людмила"));
    assert_eq!(r.kind, Kind::Question);
    // Lines of `Label - value` between the rules are the site's header.
    let r = plain(&format!(
        "Форма: Замер\r\n{dash}\r\nДата - 10.11.2026\r\nРезультат - 1487\r\n{dash}\r\n\
         Телефон: 8 (843) 212-34-56\r\n"
    ));
    assert_eq!(s(&r.message), None);
}

#[test]
fn request_information_heading_ends_the_message() {
    // Rails MailForm: the request's IP and browser under their own heading.
    let r = html(
        "<h4>Заявка с сайта</h4><p><b>Имя:</b>\n Игорь</p><p><b>Телефон:</b>\n +7 (921) 455-66-07</p>\
         <p><b>Сообщение:</b>\n Перезвоните мне после обеда.</p>\
         <br /><h4>Request information</h4><p><b>Remote ip:</b>\n 95.24.11.8</p>\
         <p><b>User agent:</b>\n Mozilla/5.0</p>",
    );
    assert_eq!(s(&r.message), Some("Перезвоните мне после обеда."));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn question_query_content_and_message_from_labels() {
    let r = plain(
        "User Details:\r\n\r\n\t- name: Оксана\r\n\t- email: o.b@example.com.ua\r\n\r\n\
         Question / Query:\r\n\r\nСкільки коштуватиме доставка цементу? Телефон 063 777 88 99.",
    );
    assert_eq!(
        s(&r.message),
        Some("Скільки коштуватиме доставка цементу? Телефон 063 777 88 99.")
    );
    assert_eq!(r.kind, Kind::Calculation);
    // Sylius: `Message from:` over the e-mail, `Content:` over the text.
    let r = html(
        "<div><strong>Message from:</strong></div><div>marina.k@example.ru</div>\
         <div><strong>Content:</strong></div><div>Сколько стоит кухня 3 метра?<br />\
         Перезвоните: +7 916 222-33-44, Марина.</div>",
    );
    assert_eq!(s(&r.email), Some("marina.k@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Сколько стоит кухня 3 метра?\nПерезвоните: +7 916 222-33-44, Марина.")
    );
    // … and the name signed after the phone is the client's.
    assert_eq!(s(&r.name), Some("Марина"));
}

#[test]
fn a_name_signed_without_a_phone_before_it_is_not_taken() {
    let r = plain("Телефон: 8 921 300 40 50\r\nСообщение: Нужна доставка в Казань, Марина.");
    assert_eq!(s(&r.name), None);
}

#[test]
fn bracketed_remark_after_the_name_is_dropped() {
    let r = plain("Имя: Павел (Неверный ID пользователя.)\r\nТелефон: +7 926 700 11 22\r\n");
    assert_eq!(s(&r.name), Some("Павел"));
    let r = plain("Name: Mark Evans (OK)\r\nPhone: +7 926 700 11 23\r\n");
    assert_eq!(s(&r.name), Some("Mark Evans"));
    // A name in the brackets stays.
    let r = plain("Имя: Иван (Ivan)\r\nТелефон: +7 926 700 11 24\r\n");
    assert_eq!(s(&r.name), Some("Иван (Ivan)"));
}

#[test]
fn labelled_email_equal_to_from_and_reply_to_is_the_clients() {
    // WordPress 'Send E-mail': From and Reply-To are the client; their own
    // website, typed in the form, shares the address's domain.
    let r = read(
        "From: Mark Evans <mark@outreach.example>\r\nReply-To: mark@outreach.example\r\n\
         To: admin@septik.example\r\nSubject: [Септики] Контакты\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         We publish guest posts on high-authority blogs.\r\n\r\n-- \r\n\
         Имя: Mark Evans (Неверный ID пользователя.)\r\nE-mail: mark@outreach.example\r\n\
         Сайт: http://outreach.example\r\nIP: 104.28.1.5\r\n",
    );
    assert_eq!(s(&r.email), Some("mark@outreach.example"));
    assert_eq!(s(&r.name), Some("Mark Evans"));
    assert_eq!(r.action, Action::Trash);
}

#[test]
fn from_display_name_is_the_clients_when_the_email_is_the_from_address() {
    // osCommerce: the enquiry is the whole body; the client is only in From.
    let r = read(
        "From: \"=?utf-8?B?0JjRgNC40L3QsCDQn9C10YLRgNC+0LLQsA==?=\" <irina.p@example.ru>\r\n\
         To: owner@laminat.example\r\nSubject: Enquiry from Laminat\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=\"utf-8\"\r\n\r\n\
         Нужна консультация по выбору ламината, позвоните мне, пожалуйста, 8-903-555-12-12.",
    );
    assert_eq!(s(&r.email), Some("irina.p@example.ru"));
    assert_eq!(s(&r.name), Some("Ирина Петрова"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_time_in_the_clients_sentence_is_not_a_label() {
    let r = plain(
        "Email: taras@example.com.ua\r\nName: Тарас\r\nMessage: Потрібен замір вікон.\r\n\
         Мій номер 050 123 45 67, телефонуйте після 17:00.",
    );
    assert_eq!(r.phones, vec!["+380501234567".to_string()]);
    assert_eq!(r.kind, Kind::Measurement);
}

// ---- round 6: labels mined from real forms ---------------------------------

#[test]
fn widened_label_vocabulary_end_to_end() {
    // Plain `Label: value` (Ukrainian form handler): the client under
    // labels the earlier rounds did not know; the site's own manager phone
    // and recipient e-mail and the topic never become the client's.
    let r = plain(
        "Прізвище та ім'я: Коваленко Оксана\r\nМобільний: 067 555 12 34\r\n\
         Контактний email: oksana.k@example.com.ua\r\nМісто: Житомир\r\n\
         Тема повідомлення: Замір\r\nТекст повідомлення: Потрібен замір двох вікон.\r\n\
         Телефон менеджера: 044 200 00 00\r\nE-Mail адреса одержувачів: sales@okna.example\r\n\
         IP адреса: 91.200.1.2\r\n",
    );
    assert_eq!(s(&r.name), Some("Коваленко Оксана"));
    assert_eq!(r.phones, vec!["+380675551234".to_string()]);
    assert_eq!(s(&r.email), Some("oksana.k@example.com.ua"));
    assert_eq!(s(&r.address), Some("Житомир"));
    assert_eq!(s(&r.message), Some("Потрібен замір двох вікон."));
    assert_eq!(r.meta.ip.as_deref(), Some("91.200.1.2"));

    // HTML table (OpenCart-style enquiry with an e107/p01contact mix).
    let r = html(
        "<table><tr><td>Представьтесь:</td><td>Сергей</td></tr>\
         <tr><td>Контактный номер:</td><td>+7 (912) 345-67-89</td></tr>\
         <tr><td>Введите свой адрес эл. почты:</td><td>sergey@example.ru</td></tr>\
         <tr><td>Почтовый адрес:</td><td>Пермь, ул. Ленина, 5</td></tr>\
         <tr><td>Запрос:</td><td>Сколько стоит натяжной потолок 20 м2?</td></tr>\
         <tr><td>Название компании:</td><td>ООО Ромашка</td></tr>\
         <tr><td>E-mail администратора:</td><td>admin@okna.example</td></tr>\
         <tr><td>Sender IP:</td><td>95.24.11.8</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Сергей"));
    assert_eq!(r.phones, vec!["+79123456789".to_string()]);
    assert_eq!(s(&r.email), Some("sergey@example.ru"));
    assert_eq!(s(&r.address), Some("Пермь, ул. Ленина, 5"));
    assert_eq!(s(&r.message), Some("Сколько стоит натяжной потолок 20 м2?"));
    assert_eq!(r.meta.ip.as_deref(), Some("95.24.11.8"));
}

// ---- round 7a: phones in free text with a foreign country code -------------

#[test]
fn free_text_phone_with_an_explicit_foreign_country_code() {
    // "+38 (067) …" and "+380 50 …" written in the client's own words: the
    // `+` and the country code say which numbering plan, not only +7.
    let r = plain("Ділянка в Білій Церкві. Телефон +38 (067) 312-45-90, Олег.");
    assert_eq!(r.phones, vec!["+380673124590".to_string()]);
    let r = plain("What would be the price for 25 m2? Call me +380 50 123 45 67");
    assert_eq!(r.phones, vec!["+380501234567".to_string()]);
    // A dash before a trunk-zero number ("на номер - 050 …") is punctuation.
    let r = plain("Клиент Богдан заказал обратный звонок на номер - 050 777 12 34");
    assert_eq!(r.phones, vec!["+380507771234".to_string()]);
    // Still no phone from a long id after a plus-less digit run.
    let r = plain("Номер заявки 123456789012, спасибо.");
    assert!(r.phones.is_empty());
}

// ---- round 7a: one-line chains, dash labels, promotion rows, form titles ---

#[test]
fn several_fields_on_one_line_after_commas() {
    // A hand-written handler's `"Имя: $name, телефон: $phone, …"`.
    let r = plain("Имя: Анна Викторовна, телефон: 8 903 777 66 55, КОНСУЛЬТАЦИЯ");
    assert_eq!(s(&r.name), Some("Анна Викторовна"));
    assert_eq!(r.phones, vec!["+79037776655".to_string()]);
    // A comma inside the client's own message is not a chain.
    let r = plain("Сообщение: Здравствуйте, телефон: не знаю какой лучше, подскажите");
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте, телефон: не знаю какой лучше, подскажите")
    );
}

#[test]
fn dash_separated_labels_with_the_letter_text_caption() {
    // Kohana site controller: `Label - value<br/>` rows, `Текст письма`.
    let r = html(
        "Имя - Наталья<br/>Email - natalia.v@example.ru<br/>Телефон - +7 (4012) 55-66-77<br/>\
         Текст письма - Сколько будет стоить тур на двоих?<br/>",
    );
    assert_eq!(s(&r.name), Some("Наталья"));
    assert_eq!(r.phones, vec!["+74012556677".to_string()]);
    assert_eq!(s(&r.message), Some("Сколько будет стоить тур на двоих?"));
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_sentence_over_a_bare_link_is_a_promotion_row_not_the_message() {
    // BreezingForms' free edition puts its advert above the record.
    let r = plain(
        "Remove field limits, messages and get more features:\n\
         http://crosstec.example/en/wordpress-forms-download.html\n\n\
         Form ID: 3\nForm title: Заявка на замер\n\n\
         Ваше имя: Ирина\nТелефон: +7 (927) 555-01-02\nКомментарий: Нужен замерщик в выходные.\n",
    );
    assert_eq!(s(&r.message), Some("Нужен замерщик в выходные."));
    // `Form ID: 3` before `Form title: …`: the title names the form.
    assert_eq!(s(&r.form), Some("Заявка на замер"));
    assert_eq!(s(&r.page), None);
    // A page caption keeps its link.
    let r = plain(
        "Имя: Ирина\nТелефон: +7 (927) 555-01-02\n\
         Страница, с которой отправлена заявка:\nhttps://okna.example/zamer/\n",
    );
    assert_eq!(s(&r.page), Some("https://okna.example/zamer/"));
}

// ---- round 7a: label-less letters ------------------------------------------

#[test]
fn name_after_the_sites_words_in_a_name_email_line() {
    // VirtueMart's "ask a question": `A question was asked by NAME (email)`.
    let r = plain(
        "A question was asked by Olena (olena.m@example.com.ua)\n\
         What would be the price for 25 m2 of this tile?\n",
    );
    assert_eq!(s(&r.name), Some("Olena"));
    assert_eq!(s(&r.email), Some("olena.m@example.com.ua"));
    let r = plain(
        "Вопрос был задан по Галина Сергеевна (galina.s@example.ru)\n\
         Можно ли заказать эту дверь под размер проёма?\n",
    );
    assert_eq!(s(&r.name), Some("Галина Сергеевна"));
    // A name typed in lower case is the whole name.
    let r = plain("иван петров (ivan@example.ru)\nСколько стоит доставка?\n");
    assert_eq!(s(&r.name), Some("иван петров"));
}

#[test]
fn signature_name_before_the_phone_or_alone_on_the_last_line() {
    // Yii 1.1 contact: the body is all there is.
    let r = plain(
        "Добрый вечер. Перезвоните мне, пожалуйста, завтра после 10 утра.\n\n\
         Вера, 8 912 700 80 90",
    );
    assert_eq!(s(&r.name), Some("Вера"));
    assert_eq!(r.phones, vec!["+79127008090".to_string()]);
    let r = plain(
        "Hi,\n\nWe are a digital marketing agency. We can get your website to the first \
         page of Google.\n\nLet me know if you are interested.\n\nJohn",
    );
    assert_eq!(s(&r.name), Some("John"));
    // A sentence mentioning "website" inside the letter is the client's.
    assert!(s(&r.message).is_some_and(|m| m.contains("digital marketing agency")));
    // A closing word is not a name.
    let r = plain("Сколько стоит замер?\n\nСпасибо");
    assert_eq!(s(&r.name), None);
}

#[test]
fn two_questions_in_one_line_are_a_sentence_not_caption_and_answer() {
    let r =
        plain("Можно ли заказать эту дверь под размер проёма 750 мм? Сколько ждать изготовления?");
    assert_eq!(s(&r.scope), None);
    assert!(r.fields.is_empty(), "{:?}", pairs(&r));
}

// ---- round 7a: framed message caption, "sent by" line ----------------------

#[test]
fn message_under_a_caption_framed_by_dash_rules_keeps_paragraphs_and_own_lines() {
    // DataLife Engine's feed_mail template.
    let dash = "-".repeat(48);
    let r = plain(&format!(
        "admin,\n\nДанное письмо вам отправил Сергей Иванович с сайта https://krovlya.example/\n\n\
         {dash}\nТекст сообщения\n{dash}\n\n\
         Добрый день! Нужен замер кровли.\nТелефон для связи: 8 (915) 204-33-71\n\n\
         Дом в СНТ, подъезд с трассы.\n\n\
         IP адрес отправителя: 95.31.18.4\nГруппа: Гости\n\n{dash}\n\
         Помните, что администрация сайта не несет ответственности за содержание данного письма\n"
    ));
    assert_eq!(
        s(&r.message),
        Some(
            "Добрый день! Нужен замер кровли.\nТелефон для связи: 8 (915) 204-33-71\n\
             Дом в СНТ, подъезд с трассы."
        )
    );
    assert_eq!(r.phones, vec!["+79152043371".to_string()]);
    // The site says who wrote; its home URL is not the page.
    assert_eq!(s(&r.name), Some("Сергей Иванович"));
    assert_eq!(s(&r.page), None);
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_sites_callback_sentence_around_the_phone_is_not_the_clients_text() {
    // CodeIgniter handler: the name and the phone inside the site's words.
    let r = plain("Клиент Марина заказал обратный звонок на номер - +7 (916) 555-44-33");
    assert_eq!(s(&r.name), Some("Марина"));
    assert_eq!(r.phones, vec!["+79165554433".to_string()]);
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    // OpenCart custom controller, typo and all.
    let r = plain("Пререзвоните мне на номер - 89123456789");
    assert_eq!(s(&r.message), None);
    assert_eq!(r.phones, vec!["+79123456789".to_string()]);
    assert_eq!(r.kind, Kind::Callback);
    // A client's own sentence with more in it stays the message.
    let r = plain("Перезвоните мне на номер 89123456789. Нужен замер окон в субботу");
    assert!(s(&r.message).is_some());
}

#[test]
fn product_named_by_a_question_subject_and_its_card_after_the_text() {
    // VirtueMart "ask a question", raw layout: greeting to the client's own
    // name, the subject repeated, the asker line, then the question.
    let r = plain_with(
        "Subject: =?UTF-8?B?0JLQvtC/0YDQvtGBINC+INCU0LLQtdGA0Ywg0LLRhdC+0LTQvdCw0Y8gwqvQotC10YDQvNC+wrsgOTYw?=\r\n",
        "Привет, Галина Сергеевна\n\nВопрос о  Дверь входная «Термо» 960Артикул TR-960)\n\n\
         Вопрос был задан по Галина Сергеевна (galina.s@example.ru)\n\
         Можно ли заказать эту дверь под размер проёма 750 мм? Сколько ждать изготовления?\n",
    );
    assert_eq!(s(&r.product), Some("Дверь входная «Термо» 960"));
    assert_eq!(s(&r.name), Some("Галина Сергеевна"));
    assert_eq!(
        s(&r.message),
        Some("Можно ли заказать эту дверь под размер проёма 750 мм? Сколько ждать изготовления?")
    );
    // A lower-case topic is not a product: `Вопрос по доставке`.
    let r = plain_with(
        "Subject: =?UTF-8?B?0JLQvtC/0YDQvtGBINC/0L4g0LTQvtGB0YLQsNCy0LrQtQ==?=\r\n",
        "Вопрос по доставке: сколько дней до Твери?\n",
    );
    assert_eq!(s(&r.product), None);
}

#[test]
fn product_card_under_the_question_in_html_is_not_the_message() {
    // VirtueMart's html layout: the asker line, the question, then a row
    // with the product's heading, its description and a details link.
    let r = read(
        "From: Shop <noreply@plytka.example>\r\nTo: shop@plytka.example\r\n\
         Subject: =?UTF-8?B?UXVlc3Rpb24gQWJvdXQg0JrQtdGA0LDQvNC+0LPRgNCw0L3RltGCIE1hcmJsZSBXaGl0ZSA2MHg2MA==?=\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <table><tr><td><span style=\"font-weight: bold\">A question was asked by Olena \
         (olena.m@example.com.ua)</span><br /><br />What would be the price for 25 m2? Call me \
         +380 50 123 45 67<br /><br /></td></tr>\
         <tr><td><table><tr><td><a href=\"https://plytka.example/p/112\"><img src=\"x.jpg\"/></a></td>\
         <td><h2>Керамограніт Marble White 60x60 (Product SKU MW-6060)</h2><p>Полірований.</p>\
         <a href=\"https://plytka.example/p/112\">Product details</a></td></tr></table></td></tr></table>",
    );
    assert_eq!(s(&r.product), Some("Керамограніт Marble White 60x60"));
    assert_eq!(s(&r.name), Some("Olena"));
    assert_eq!(
        s(&r.message),
        Some("What would be the price for 25 m2? Call me +380 50 123 45 67")
    );
    assert_eq!(r.phones, vec!["+380501234567".to_string()]);
}

#[test]
fn no_invented_names_from_intro_lines_signatures_or_sent_by_roles() {
    // `Иван от компании Ромашка (…)`: no site intro ending in by/от/по.
    let r =
        plain("Иван от компании Ромашка (ivan@romashka.example)\nПришлите прайс, пожалуйста.\n");
    assert_eq!(s(&r.name), Some("Иван от компании Ромашка"));
    // A last line that is a place, in a letter not opened with a greeting.
    let r = plain("Интересует замер окон.\nНужен на этой неделе.\nМосква");
    assert_eq!(s(&r.name), None);
    // `…отправил посетитель с сайта`: a role, not a name.
    let r = plain(
        "Данное письмо вам отправил посетитель с сайта https://okna.example/\n\n\
         Сколько стоит окно 1300х1400?\n",
    );
    assert_eq!(s(&r.name), None);
}

// ---- round 7b: WordPress block and page-builder form mails ------------------

#[test]
fn paragraph_set_bold_by_inline_style_is_a_caption() {
    // Kadence Blocks form e-mail: per field a table whose bold-styled <p>
    // holds the label and the next <p> the value.
    let cell = |label: &str, value: &str| {
        format!(
            "<table><tr><td><p style=\"font-family: sans-serif; font-weight: Bold; margin: 0;\">{label}</p>\
             <p style=\"font-weight: normal; margin: 0;\">{value}</p></td></tr></table>"
        )
    };
    let r = html(&format!(
        "{}{}{}{}",
        cell("Ваше имя", "Елена Викторовна"),
        cell("Ваш телефон", "+7 (3812) 49-70-12"),
        cell("Что нужно изготовить", "Шкаф-купе в прихожую"),
        cell("Комментарий", "Какая будет стоимость с зеркалом?"),
    ));
    assert_eq!(s(&r.name), Some("Елена Викторовна"));
    assert_eq!(s(&r.phone), Some("+73812497012"));
    assert_eq!(s(&r.product), Some("Шкаф-купе в прихожую"));
    assert_eq!(s(&r.message), Some("Какая будет стоимость с зеркалом?"));
    // A weight of 700 is bold too; a normal weight is not a caption.
    let r = html(
        "<div style=\"font-weight:700\">Имя</div><div>Анна</div>\
         <p style=\"font-weight: 400\">Телефон +7 912 000-11-22</p>",
    );
    assert_eq!(s(&r.name), Some("Анна"));
}

#[test]
fn dash_between_bold_caption_and_value_is_a_separator() {
    // Spectra form block: `<p><strong>Имя</strong> - Анастасия</p>`.
    let r = html(
        "<p><strong>Имя</strong> - Анастасия</p><p><strong>Телефон</strong> – +7-951-077-31-52</p>\
         <p><strong>Сообщение</strong> - Перезвоните, хочу натяжной потолок.</p>",
    );
    assert_eq!(s(&r.name), Some("Анастасия"));
    assert_eq!(s(&r.phone), Some("+79510773152"));
    assert_eq!(s(&r.message), Some("Перезвоните, хочу натяжной потолок."));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn placeholder_sender_address_is_not_the_clients() {
    // Spectra sends `From: Email <example@mail.com>` when the form has no
    // field labelled exactly "Email": that address is nobody's.
    let r = read(
        "From: Email <example@mail.com>\r\nReply-To: Site <info@vikna.example>\r\n\
         To: info@vikna.example\r\nSubject: Form Submission\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=UTF-8\r\n\r\n\
         <p><strong>Ваше ім'я</strong> - Богдан</p><p><strong>Номер телефону</strong> - +380 (97) 550 14 20</p>\
         <p><strong>Повідомлення</strong> - Коли можливий замір балконного блоку?</p>",
    );
    assert_eq!(s(&r.email), None);
    assert_eq!(s(&r.name), Some("Богдан"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn ip_address_after_the_name_is_not_part_of_it() {
    // SiteOrigin contact form: `From: name <email> ( REMOTE_ADDR )`.
    let r = html(
        "<p><strong>From:</strong> <a href=\"mailto:viktor@example.ru\">Виктор Сергеевич &#60;viktor@example.ru&#62; </a> \
         ( 94.25.170.3 )</p>\n<p><strong>Телефон:</strong><br />\n8-953-190-44-07</p>",
    );
    assert_eq!(s(&r.name), Some("Виктор Сергеевич"));
    assert_eq!(s(&r.email), Some("viktor@example.ru"));
    let r = plain("Имя: Павел ( 10.0.0.7 )\r\nТелефон: +7 926 700 11 22\r\n");
    assert_eq!(s(&r.name), Some("Павел"));
}

#[test]
fn clients_own_question_in_the_message_is_not_a_caption_pair() {
    // `Когда можете приехать на замер? Участок в Алексине.` reads like a
    // `Caption? answer` line, but inside the message it is the client's.
    let r = html(
        "<p><strong>Телефон:</strong><br />\n8-953-190-44-07</p>\n\
         <p><strong>Сообщение:</strong><br />\nНужен забор из профнастила, примерно 70 метров.</p>\n\
         <p>Когда можете приехать на замер? Участок в Алексине.</p>",
    );
    assert_eq!(s(&r.visit_time), None);
    assert_eq!(
        r.message
            .as_deref()
            .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some(
            "Нужен забор из профнастила, примерно 70 метров. Когда можете приехать на замер? \
             Участок в Алексине."
                .to_string()
        )
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn known_caption_that_opens_like_a_footer_is_a_field() {
    // Pirate Forms: `Sent from page: URL` is the form's page, not a
    // `Sent from my iPhone` footer; a keyword-only caption such as
    // `This email was sent by X from URL` stays a footer.
    let r = html(
        "<h2>Contact form submission from Полы (https://pol.example) </h2><table>\
         <tr><th>Имя</th><td>Вера</td></tr><tr><th>Сообщение</th><td>Можно ли класть ламинат на тёплый пол? \
         Тел. +7 (4742) 51-09-33</td></tr><tr><th>IP address: </th><td>31.173.80.2</td></tr>\
         <tr><th>Came from: </th><td>https://pol.example/laminat/</td></tr>\
         <tr><th>Sent from page: </th><td>https://pol.example/kontakty/</td></tr></table>",
    );
    assert_eq!(s(&r.page), Some("https://pol.example/kontakty/"));
    let r = plain(
        "Имя: Максим\r\nТелефон: +7 999 015 88 21\r\n\r\n----\r\n\
         This email was sent by Дома from URL: https://dom.example/ - Please contact your site administrator.\r\n",
    );
    assert_eq!(s(&r.page), None);
}

#[test]
fn notice_why_the_mail_came_and_a_sign_off_end_the_message() {
    // Otter Blocks' footer row and Kali Forms' `Have a good day`.
    let r = html(
        "<table><tbody><tr><td><strong>Имя:</strong> Лариса</td></tr>\
         <tr><td><strong>Сообщение:</strong> Обслуживаете ли вы септики зимой? 8 915 600 70 80.</td></tr>\
         </tbody><tfoot><tr><td><hr/>You received this email because your email address is set in the \
         content form settings on <a href=\"https://septik.example\">Септики</a></td></tr></tfoot></table>",
    );
    assert_eq!(
        s(&r.message),
        Some("Обслуживаете ли вы септики зимой? 8 915 600 70 80.")
    );
    let r = html(
        "<p>Hello test,</p> <p>This is your confirmation email for the form submitted on <a href='https://d.example'>\
         Двери</a>.</p><p>Message:<br /> Нужна входная дверь, перезвоните +7 927 210-55-18</p><p>Have a good day</p>",
    );
    assert_eq!(
        s(&r.message),
        Some("Нужна входная дверь, перезвоните +7 927 210-55-18")
    );
}

#[test]
fn name_line_over_the_email_line_in_a_label_less_body() {
    // Very Simple Contact Form: name, e-mail, message, consent, IP; no labels.
    let r = read(
        "From: Светлана Юрьевна <wordpress@okna.example>\r\nReply-To: svetlana@example.ru\r\n\
         To: info@okna.example\r\nSubject: (Окна) Замер\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\n\r\n\
         Светлана Юрьевна\r\n\r\nsvetlana@example.ru\r\n\r\nХотим поменять два окна, можно вызвать \
         замерщика в субботу? Мой телефон 8 (912) 600-44-21.\r\n\r\nPrivacy consent: Yes\r\n\r\nIP: 95.73.12.40",
    );
    assert_eq!(s(&r.name), Some("Светлана Юрьевна"));
    assert_eq!(s(&r.email), Some("svetlana@example.ru"));
    assert_eq!(s(&r.phone), Some("+79126004421"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn ukrainian_number_written_in_full_inside_the_text() {
    // `+38 (050) 311-22-33` and `+380503112233` in free text: 12 digits.
    let r = plain(
        "Повідомлення: Доброго дня! Потрібна консультація щодо покрівлі. Тел. +38 (050) 311-22-33.\r\n",
    );
    assert_eq!(r.phones, vec!["+380503112233".to_string()]);
    let r = plain("Повідомлення: Передзвоніть на +380671234567, будь ласка.\r\n");
    assert_eq!(r.phones, vec!["+380671234567".to_string()]);
    // A bare 12-digit run is an id (ИНН), not a phone.
    let r = plain("Сообщение: ИП, реквизиты 380123456789, перезвоните.\r\n");
    assert!(r.phones.is_empty());
}

#[test]
fn site_name_in_the_from_display_is_not_the_visitor() {
    // Kali Forms' admin copy: From "{sitetitle} <visitor@…>", and the site's
    // own notice names the site.
    let r = read(
        "From: Двери Самара <igor.p@example.ru>\r\nTo: admin@dveri.example\r\n\
         Subject: Contact form confirmation\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=UTF-8\r\n\r\n\
         <p>Hello Игорь,</p> <p>This is your confirmation email for the form submitted on \
         <a href='https://dveri.example'>Двери Самара</a>.</p><p>Message:<br /> Перезвоните мне по номеру \
         +7 927 210-55-18.</p><p>Have a good day</p>",
    );
    assert_eq!(s(&r.email), Some("igor.p@example.ru"));
    assert_ne!(s(&r.name), Some("Двери Самара"));
    assert_eq!(r.kind, Kind::Callback);
}

// ---- round 7c: non-PHP stacks and form back-ends ----------------------------

#[test]
fn sender_name_with_address_in_brackets_opening_the_site_sentence() {
    // Drupal 8+ core contact: `Name (email) sent a message using the contact
    // form at URL.`, the fields under it (label alone on its line, value
    // below); the same sentence in a translated interface.
    let r = plain_with(
        "Subject: [Website feedback] Roof\r\nReply-To: a.koval@example.com.ua\r\n",
        "Андрій Коваль (a.koval@example.com.ua) sent a message using the contact form at \
         https://dah.example.com.ua/contact/feedback.\r\n\r\nMessage\r\nСкільки коштуватиме \
         металочерепиця на дах 120 м2?\r\n\r\nPhone number\r\n+38 (067) 412-55-90\r\n",
    );
    assert_eq!(s(&r.name), Some("Андрій Коваль"));
    assert_eq!(
        s(&r.page),
        Some("https://dah.example.com.ua/contact/feedback")
    );
    assert_eq!(s(&r.email), Some("a.koval@example.com.ua"));
    assert_eq!(r.phones, vec!["+380674125590".to_string()]);
    let r = plain(
        "Олег Николаевич (oleg@example.ru) отправил(а) сообщение через контактную форму \
         https://balkon.example/contact/zamer.\r\n\r\nСообщение\r\nХотим застеклить балкон.\r\n\r\n\
         Телефон\r\n8 (912) 604-33-17\r\n",
    );
    assert_eq!(s(&r.name), Some("Олег Николаевич"));
    assert_eq!(s(&r.page), Some("https://balkon.example/contact/zamer"));
    assert_eq!(s(&r.email), Some("oleg@example.ru"));
}

#[test]
fn a_question_in_the_clients_next_paragraph_is_not_a_caption_answer_pair() {
    // The message under its label goes on after a blank line; a sentence
    // there that asks a question and answers it is the client's text, not
    // a `Caption? answer` field (no false visit_time).
    let r = plain(
        "Сообщение\r\nДобрый день!\r\nХотим застеклить балкон 3,2 м.\r\n\r\n\
         Когда сможет приехать замерщик? Удобно в субботу утром.\r\n\r\nТелефон\r\n8 (912) 604-33-17\r\n",
    );
    assert_eq!(r.visit_time, None);
    let m = r.message.as_deref().unwrap_or_default();
    assert!(m.starts_with("Добрый день!"), "{m}");
    assert!(
        m.ends_with("Когда сможет приехать замерщик? Удобно в субботу утром."),
        "{m}"
    );
    assert_eq!(r.phones, vec!["+79126043317".to_string()]);
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn form_backend_subject_naming_the_page_is_not_a_form_title() {
    // Appwrite's contact function: `New form submission: <referer URL>` is
    // the page; Formspree's `New submission from host/path` names no form
    // (and no full URL: the scheme is not written).
    let r = plain_with(
        "Subject: New form submission: https://potolki.example/ceny/\r\n",
        "You've received a new message.\r\n\r\n  name: Ирина\r\nemail: irina@example.ru\r\n\
         tel: +7(912)2345566\r\nmessage: Какая цена натяжного потолка?\r\n",
    );
    assert_eq!(s(&r.page), Some("https://potolki.example/ceny/"));
    assert_eq!(r.form, None);
    assert_eq!(r.phones, vec!["+79122345566".to_string()]);
    let r = plain_with(
        "Subject: New submission from zabory.example/kontakty\r\n",
        "name:\r\nВиктор\r\n\r\nphone:\r\n89106601245\r\n",
    );
    assert_eq!(r.form, None);
    assert_eq!(r.page, None);
    // A real title in the same subject format is still the form.
    let r = plain_with(
        "Subject: New submission from Расчёт забора\r\n",
        "Имя: Виктор\r\nТелефон: 89106601245\r\n",
    );
    assert_eq!(s(&r.form), Some("Расчёт забора"));
}

#[test]
fn form_backend_footer_this_form_was_submitted_at_ends_the_message() {
    // Formspree's text part: `key:` / value stanzas, then the service's own
    // `This form was submitted at …` line after a blank line.
    let r = plain(
        "Hey there,\r\n\r\nSomeone just submitted your form on zabory.example/. Here's what they had to \
         say:\r\n\r\n\r\nname:\r\nЛюдмила Петровна\r\n\r\n\r\nphone:\r\n+7 915 733 08 19\r\n\r\n\r\n\
         message:\r\nПерезвоните мне по поводу ворот.\r\n\r\n\r\n\r\nThis form was submitted at 12:05 PM UTC - \
         17 December 2026.\r\n---\r\n",
    );
    assert_eq!(s(&r.name), Some("Людмила Петровна"));
    assert_eq!(s(&r.message), Some("Перезвоните мне по поводу ворот."));
    assert_eq!(r.phones, vec!["+79157330819".to_string()]);
}

#[test]
fn ukrainian_plus380_with_the_operator_code_in_brackets_inside_text() {
    let r = html(
        "<p><strong>Name:</strong> Богдан</p><p><strong>Email:</strong> b@example.com.ua</p>\
         <p><strong>Message: </strong>Потрібен замір вікон. Мій номер +380 (67) 301-22-84.</p>",
    );
    assert_eq!(r.phones, vec!["+380673012284".to_string()]);
    let r = plain("Name: Андрій\r\nMessage: Телефонуйте: +38 (067) 412-55-90, після обіду.\r\n");
    assert_eq!(r.phones, vec!["+380674125590".to_string()]);
}

#[test]
fn a_signature_line_name_comma_phone_names_the_client() {
    // The client's own letter (From their bare address): the last line
    // `Владимир, 8 916 450-33-21` signs it.
    let r = read(
        "From: gorbunov.v@example.ru\r\nTo: owner@septik.example\r\nSubject: Webform submission\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n\
         Нужен септик на участок, семья 4 человека.\r\n\r\nВо сколько обойдётся под ключ?\r\n\
         Владимир, 8 916 450-33-21\r\n",
    );
    assert_eq!(s(&r.name), Some("Владимир"));
    assert_eq!(r.phones, vec!["+79164503321".to_string()]);
    assert_eq!(s(&r.email), Some("gorbunov.v@example.ru"));
}

#[test]
fn a_handler_sentence_that_the_visitor_asks_to_be_called() {
    // Sinatra handler: `NAME просит связаться по телефону PHONE или email
    // EMAIL<when>` then `Сообщение: …`; the email glued to the next word.
    let r = plain_with(
        "Subject: Обратная связь: Александр\r\n",
        "Александр просит связаться по телефону +7 (921) 640-18-55 или email alex.dveri@example.ruсейчас\r\n\
         Сообщение: Интересует входная металлическая дверь, хочу проконсультироваться.\r\n",
    );
    assert_eq!(s(&r.name), Some("Александр"));
    assert_eq!(r.phones, vec!["+79216401855".to_string()]);
    assert_eq!(s(&r.email), Some("alex.dveri@example.ru"));
    assert_eq!(r.action, Action::Lead);
    assert_eq!(r.kind, Kind::Callback);
    // `Клиент просит перезвонить …`: the number is the client's, the role
    // word is no name.
    let r = plain(
        "Клиент просит перезвонить по телефону 8 (912) 604-33-17\r\nСообщение: Нужен замер.\r\n",
    );
    assert_eq!(r.name, None);
    assert_eq!(r.phones, vec!["+79126043317".to_string()]);
    // A site's own phone in a sentence above the fields is still not the
    // client's: only a sentence saying someone asks to be called is read.
    let r = plain(
        "Мы работаем ежедневно, телефон офиса +7 (495) 120-45-67\r\nИмя: Ольга\r\n\
         Сообщение: Сколько стоит дверь?\r\n",
    );
    assert!(r.phones.is_empty(), "{:?}", r.phones);
}

#[test]
fn an_unclosed_heading_broken_by_br_holds_the_fields_email_from_name() {
    // Netlify function: `<h3>Email from NAME, <br> Email: …<h3>. Phone num:
    // … <br> Message: <p>…<p>`: a heading broken into lines is content, the
    // opening `Email from NAME,` names the sender, and the stray `. ` before
    // `Phone num:` is no part of the label.
    let r = html(
        "\n  <h3>Email from Карина, <br>\n  Email: karina@example.ru<h3>.\n  Phone num: 8-918-402-77-65 <br>\n\
         \n  Message:\n  <p>Хочу шкаф-купе в прихожую. Пришлите замерщика.<p>\n",
    );
    assert_eq!(s(&r.name), Some("Карина"));
    assert_eq!(s(&r.email), Some("karina@example.ru"));
    assert_eq!(r.phones, vec!["+79184027765".to_string()]);
    assert_eq!(
        s(&r.message),
        Some("Хочу шкаф-купе в прихожую. Пришлите замерщика.")
    );
    assert_eq!(r.kind, Kind::Measurement);
    // A one-line heading is still a title, and `from` a site is no name.
    let r = html(
        "<h2>Сообщение от посетителя сайта</h2><h3>Форма: обратная связь</h3>\
         <p>Имя: Ольга</p><p>Телефон: 8 912 000-11-22</p>",
    );
    assert_eq!(s(&r.name), Some("Ольга"));
    assert_eq!(r.form, None);
}

#[test]
fn a_spam_text_ending_in_its_link_is_the_message() {
    // Flask-Mail handler: `From: name <email>` then the visitor's text whose
    // last sentence ends in a link: the text is theirs (and spam).
    let r = plain(
        "\n    From: Lucky Spin <win@casino.example>\n    Get 500% welcome bonus and 200 free spins at our \
         online casino! Register now: https://casino.example/r/777\n    ",
    );
    assert_eq!(
        s(&r.message),
        Some(
            "Get 500% welcome bonus and 200 free spins at our online casino! Register now: \
             https://casino.example/r/777"
        )
    );
    assert_eq!(r.action, Action::Ignore);
    // A site's link row under the fields stays out of the message.
    let r = plain(
        "Имя: Ольга\nТелефон: 8 912 000-11-22\nОткрыть заявку в CRM: https://crm.example/lead/5\n",
    );
    assert_eq!(r.message, None);
    // A footer sentence with a link, set off by a blank line, is the site's.
    let r = plain(
        "Имя: Ольга\nТелефон: 8 912 000-11-22\n\nСпасибо, что пользуетесь нашим сервисом приёма \
         заявок. Подробнее: https://service.example/about\n",
    );
    assert_eq!(r.message, None);
}

// ---- round 9: small RU/UA landing handlers -----------------------------------

#[test]
fn ne_ukazano_written_for_a_missing_value_is_no_value() {
    // A quiz handler: `'Имя: ' . ($data['name'] ?? 'Не указано')`, and
    // PHPMailer's setFrom($email, $name ?? 'Пользователь'): neither is a name.
    let r = read(
        "From: =?UTF-8?B?0J/QvtC70YzQt9C+0LLQsNGC0LXQu9GM?= <client2026@example.ru>\r\n\
         To: zakaz@geo.example\r\nSubject: Quiz\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Имя: Не указано\r\nТелефон: +7 917 100 20 30\r\nE-mail: client2026@example.ru\r\n",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.phone), Some("+79171002030"));
    let r = plain("Ім'я: Не вказано\r\nТелефон: +38 (067) 123-45-67\r\n");
    assert_eq!(s(&r.name), None);
}

#[test]
fn a_heading_naming_the_site_is_not_the_message() {
    // A WordPress theme's AJAX handler: `<h2>Сообщение с сайта - Забор63</h2>`
    // over the fields; the dash makes it look like `label - value`.
    let r = html(
        "<h2>Сообщение с сайта - Забор63</h2><p><b>Имя : </b>Михаил</p><p><b>Телефон : </b>8-961-555-44-33</p>\
         <p><b>Форма : </b>Рассчитать стоимость забора</p>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.name), Some("Михаил"));
    assert_eq!(s(&r.form), Some("Рассчитать стоимость забора"));
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_supplier_quoting_factory_prices_is_trash() {
    let r = plain(
        "Имя: Роман\r\nТелефон: +7 (495) 120-30-40\r\nСообщение: Предлагаем металлопрокат и профнастил по ценам \
         завода, доставка по МО бесплатно. Вышлем прайс на почту.\r\n",
    );
    assert_eq!(r.action, Action::Trash);
    // A client asking for the price list is a lead.
    let r = plain(
        "Имя: Роман\r\nТелефон: +7 (495) 120-30-40\r\nСообщение: Вышлите прайс на профнастил.\r\n",
    );
    assert_eq!(r.action, Action::Lead);
}

#[test]
fn a_tema_field_says_what_the_request_is_about() {
    // A landing's calculator: `Тема: Калькулятор` from a hidden field, then
    // building sizes; the theme decides the kind as a subject would.
    let r = plain(
        "\t\t\tДата: 22.12.2026 14:05:11\r\n\t\t\tТема: Калькулятор\r\n\t\t\tТип постройки: Арочный ангар\r\n\
         \t\t\tТелефон: +7 (916) 808-70-60\r\n\t\t\tИмя: Сергей\r\n",
    );
    assert_eq!(r.kind, Kind::Calculation);
    assert_eq!(s(&r.message), None);
}

#[test]
fn quiz_answers_under_question_labels_are_a_calculation() {
    // A landing's quiz handler: `Вопрос: {question} <br> Ответ: {answer}`
    // pairs; Ukrainian questions name the product (`Яка форма кухні?`) and
    // the size (`Яка площа приміщення?`).
    let r = html(
        "\n\tТелефон клиента: <br>\n\t<b>067 765 43 21</b>\n\t<br><br>\n\t<b>Quiz-опрос</b>: <br><br>\n\
         \n\t\tВопрос: Який тип стелі вас цікавить? <br>\n\t\tОтвет: Матова <br><br>\n\t\
         \n\t\tВопрос: Яка площа приміщення? <br>\n\t\tОтвет: 20–30 м² <br><br>\n\t\
         \n\t\tВопрос: Коли плануєте встановлення? <br>\n\t\tОтвет: Протягом місяця <br><br>\n\t",
    );
    assert_eq!(r.kind, Kind::Calculation);
    assert_eq!(s(&r.product), Some("Матова"));
    assert_eq!(s(&r.scope), Some("20–30 м²"));
    // One question answered is not yet a quiz.
    let r = plain("Имя: Олег\r\nТелефон: +7 912 000 11 22\r\nКак вас зовут?: Олег\r\n");
    assert_eq!(r.kind, Kind::Callback); // Questions that ask when to call back make a callback form (HappyForms).
    let r = plain(
        "Имя: Арсений\r\nТелефон: 8 951 870-33-12\r\nЧто вас интересует?: Межкомнатные двери\r\n\
         Когда вам перезвонить?: вечером после 19\r\n",
    );
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_body_that_is_one_json_object_reads_key_by_key() {
    // A Next.js route: `text: JSON.stringify(req.body)`, keys as the front end
    // named them (camelCase), the html part the same line in `<p>`.
    let r = plain(
        "{\"clientName\":\"Наталья\",\"clientPhone\":\"89221234567\",\"roofType\":\"Металлочерепица\",\
         \"area\":\"140\",\"formName\":\"Рассчитать стоимость кровли\"}\r\n",
    );
    assert_eq!(s(&r.name), Some("Наталья"));
    assert_eq!(s(&r.phone), Some("+79221234567"));
    assert_eq!(s(&r.product), Some("Металлочерепица"));
    assert_eq!(s(&r.scope), Some("140"));
    assert_eq!(s(&r.form), Some("Рассчитать стоимость кровли"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Calculation);
    let r = html(
        "<p>{\"client_name\":\"Игорь\",\"phone\":\"+7 (912) 345-67-89\",\"comment\":\"Перезвоните в субботу\"}</p>",
    );
    assert_eq!(s(&r.name), Some("Игорь"));
    assert_eq!(s(&r.message), Some("Перезвоните в субботу"));
    assert_eq!(r.kind, Kind::Callback);
    // Braces around the client's own words are not JSON: read as text.
    let r = plain("Сообщение: {срочно} нужен замер, 8 912 000 11 22\r\n");
    assert_eq!(s(&r.phone), Some("+79120001122"));
}

#[test]
fn phone_shown_only_in_the_html_alternative_is_the_clients() {
    // A Next.js nodemailer route: `text: message + " " + email`, `html:
    // <div>Клиент имя …</div><p>Номер … Email: …</p>`; the plain part is read
    // for the text, the HTML alternative still gives the number.
    let r = read(
        "From: forms@potolki.example\r\nTo: zakaz@potolki.example\r\nSubject: Message From Артём\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Хочу вызвать замерщика на натяжной потолок в зал, примерно 18 м2. artem.k@example.ru\r\n\
         --b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         <div>Клиент имя Артём</div><p>Номер 8 917 222 33 44 Email:\n    artem.k@example.ru</p>\r\n--b1--\r\n",
    );
    assert_eq!(r.phones, vec!["+79172223344".to_string()]);
    assert_eq!(s(&r.email), Some("artem.k@example.ru"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_one_line_record_of_time_name_and_phone() {
    // `mail($to, 'New order', "$dt $name $phone")`: no headers, no labels.
    let r = read(
        "To: admin@dveri.example\r\nSubject: New order\r\n\r\n2026-12-23 16:20:05 Мария Ивановна 79261112233",
    );
    assert_eq!(s(&r.name), Some("Мария Ивановна"));
    assert_eq!(s(&r.phone), Some("+79261112233"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    // Without a time stamp the line is the client's own sentence.
    let r = read("To: admin@dveri.example\r\nSubject: Заявка\r\n\r\nПерезвоните Ивану 89261112233");
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.message), Some("Перезвоните Ивану 89261112233"));
}

#[test]
fn a_site_sentence_announcing_a_question_is_not_the_message_caption() {
    // Laravel Blade view: `<p>На сайте X появился новый вопрос: <b>title</b></p>`
    // then the fields and `<p>Комментарий:</p><p>text</p>`.
    let r = html(
        "<p>На сайте Кровля появился новый вопрос: <b>Гарантия на кровлю</b></p>\n<p>Имя: <b>Нина</b></p>\n\
         <p>Телефон: <b>8 918 111-22-33</b></p>\n<p>Комментарий:</p>\n<p>Течёт у печной трубы, это гарантийный \
         случай?</p>",
    );
    assert_eq!(
        s(&r.message),
        Some("Течёт у печной трубы, это гарантийный случай?")
    );
    assert_eq!(s(&r.name), Some("Нина"));
}

#[test]
fn the_clients_address_tacked_on_after_their_text_is_not_the_message() {
    // `text: message + " " + email`: the address after the last sentence.
    let r = read(
        "From: forms@potolki.example\r\nTo: zakaz@potolki.example\r\nSubject: Message From Артём\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Хочу вызвать замерщика на натяжной потолок в зал, примерно 18 м2. artem.k@example.ru\r\n",
    );
    assert_eq!(s(&r.email), Some("artem.k@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Хочу вызвать замерщика на натяжной потолок в зал, примерно 18 м2.")
    );
    // Inside the sentence it stays: `пишите на …`.
    let r = read(
        "From: forms@potolki.example\r\nTo: zakaz@potolki.example\r\nSubject: Вопрос\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Сколько стоит потолок 18 м2? Ответ пишите на artem.k@example.ru\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Сколько стоит потолок 18 м2? Ответ пишите на artem.k@example.ru")
    );
}

// ---- round 10c -------------------------------------------------------------

#[test]
fn a_subject_title_that_is_the_senders_address_or_the_sites_name_is_no_form() {
    // CoBlocks: `Form submission from [email]`.
    let r = read(
        "From: WordPress <wordpress@okna.example>\r\nTo: admin@okna.example\r\n\
         Subject: Form submission from svetlana.k@example.ru\r\nReply-To: svetlana.k@example.ru\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n\
         <ul><li>Имя: Светлана</li><li>Телефон: 8 (912) 604-33-21</li></ul>",
    );
    assert_eq!(s(&r.form), None);
    assert_eq!(s(&r.name), Some("Светлана"));
    // WPZOOM Forms: `New Form Submission - {site name}`, the name that signs From.
    let r = read(
        "From: Potolki Ufa <aigul.f@example.ru>\r\nTo: info@potolki.example\r\n\
         Subject: New Form Submission - Potolki Ufa\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Имя: Айгуль\r\nТелефон: +7 (917) 402-18-90\r\n",
    );
    assert_eq!(s(&r.form), None);
    // A real title in the same format still names the form.
    let r = read(
        "From: Potolki Ufa <wordpress@potolki.example>\r\nTo: info@potolki.example\r\n\
         Subject: New Form Submission - Замер потолка\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Имя: Айгуль\r\nТелефон: +7 (917) 402-18-90\r\n",
    );
    assert_eq!(s(&r.form), Some("Замер потолка"));
}

#[test]
fn a_first_and_last_name_joined_with_a_comma_is_one_name() {
    // CoBlocks implodes a name field's first/last parts with ', '.
    let r = plain("Ім'я: Олена, Кравець\nТелефон: +38 (067) 310-45-12\n");
    assert_eq!(s(&r.name), Some("Олена Кравець"));
    // A name with a description after the comma stays as written.
    let r = plain("Имя: Ольга, менеджер ООО «КерамТорг»\nТелефон: +7 (863) 300-12-12\n");
    assert_eq!(s(&r.name), Some("Ольга, менеджер ООО «КерамТорг»"));
    let r = plain("Имя: Марина, SMM-агенция\nТелефон: +7 (863) 300-12-12\n");
    assert_eq!(s(&r.name), Some("Марина, SMM-агенция"));
}

#[test]
fn snow_monkey_field_names_over_their_values() {
    // `{all-fields}`: `name: ` / value / blank, the field's name attribute as label.
    let r = plain(
        "fullname: \nПетров Андрей\n\ntel: \n+7 921 000-45-67\n\nmessage: \nНужен замер двери.\n",
    );
    assert_eq!(s(&r.name), Some("Петров Андрей"));
    assert_eq!(s(&r.phone), Some("+79210004567"));
    assert_eq!(s(&r.message), Some("Нужен замер двери."));
}

#[test]
fn builder_promotions_and_notice_footers_are_not_the_clients_text() {
    // Gutena Forms' free-version box after the fields.
    let r = html(
        "<p><strong>Имя</strong> <br />Галина </p><p><strong>comment</strong> <br />перезвоните после обеда </p>\
         <div><span><strong>Exciting News! </strong></span> Now, you can view and manage all your form \
         submissions right from the Gutena Forms Dashboard.<strong><a href=\"x\"> See all Entries </a></strong></div>",
    );
    assert_eq!(s(&r.message), Some("перезвоните после обеда"));
    // Phoca Guestbook's notice after the post.
    let r = plain(
        "From: Николай\nSubject: Гарантия\nContent: \n\n\nКакая у вас гарантия на окна?\n\n\n\n\
         Click the link below to read the entire post\nhttps://okna.example/guestbook\n\nRegards, \nОкна\n",
    );
    assert_eq!(s(&r.message), Some("Какая у вас гарантия на окна?"));
    // Product Enquiry's PREMIUM list: its `Request a Quote System: …` lines
    // are the plugin's, so they neither become fields nor make a price question.
    let r = html(
        "<strong>Customer Name:</strong> Andrii<br /><br /><strong>Customer Phone Number:</strong> +380 50 765 43 21\
         <br /><br /><strong>Message:</strong> <br /><p>What is the \
         warranty on this door?</p><br /><br /><br><hr><p>Checkout <a href='x'> Product Enquiry Pro </a> for these \
         <b>PREMIUM</b> features: </p><ul><li> Request a Quote System: The pro version allows customers to request \
         a quote for your products.</li><li>Create Quotation: Creating a fresh quotation takes a few clicks.</li></ul>",
    );
    assert_eq!(s(&r.message), Some("What is the warranty on this door?"));
    assert_eq!(r.kind, Kind::Question);
    assert!(
        !pairs(&r).iter().any(|(l, _)| l.contains("Quot")),
        "{:?}",
        pairs(&r)
    );
    // Visforms: `Registered at <date>` between the form title and the fields.
    let r = html(
        "<p>Form : Вызов замерщика<br />Registered at 09.12.2026 14:10<br />Имя : Людмила<br />Телефон : \
         +7 (4712) 51-22-33<br />IP Address : 203.0.113.24</p>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.name), Some("Людмила"));
}

#[test]
fn a_caption_run_straight_against_its_value_is_a_pair() {
    // WPZOOM Forms: `<strong style="display:block">label</strong><span>value</span>`;
    // an unknown caption (`Що потрібно?`) is still a field, and its answer a cue.
    let r = html(
        "<table><tr><td><strong style=\"display:block\">Ім'я</strong><span>Богдан</span></td></tr>\
         <tr><td><strong style=\"display:block\">Номер телефону</strong><span>+380 67 123 45 67</span></td></tr>\
         <tr><td><strong style=\"display:block\">Що потрібно?</strong><span>Замір</span></td></tr>\
         <tr><td><strong style=\"display:block\">Коментар</strong><span>Балкон на 3 поверсі.</span></td></tr></table>",
    );
    assert!(
        pairs(&r).contains(&("Що потрібно?", "Замір")),
        "{:?}",
        pairs(&r)
    );
    assert_eq!(r.kind, Kind::Measurement);
    assert_eq!(s(&r.message), Some("Балкон на 3 поверсі."));
}

#[test]
fn a_heading_with_a_product_or_page_caption_is_that_field() {
    // JBZoo seller mail: `<h2>Наименование: X </h2><h5>Со страницы товара: <a>URL</a></h5>`.
    let r = html(
        "<h1>Здравствуйте! Вам пришло письмо с сайта: Беседки </h1><h2>Наименование: Беседка 3х4 </h2>\
         <h5>Со страницы товара: <a href=\"https://besedki.example/item/3x4\">https://besedki.example/item/3x4</a></h5>\
         <h3><div>Данные пользователя: </h3></div><ul><li>Email - e@example.ru</li><li>Имя - Евгений</li></ul>\
         <h3><div>Сообщение</h3><div>Сколько стоит эта беседка?</div>",
    );
    assert_eq!(s(&r.product), Some("Беседка 3х4"));
    assert_eq!(s(&r.page), Some("https://besedki.example/item/3x4"));
    assert_eq!(s(&r.message), Some("Сколько стоит эта беседка?"));
    // Any other heading with a colon is still a title, not a field.
    let r = html("<h2>Форма: Обратный звонок</h2><p>Имя: Анна</p><p>Телефон: 89001112233</p>");
    assert_eq!(s(&r.product), None);
    assert_eq!(s(&r.name), Some("Анна"));
}

#[test]
fn a_supplier_introducing_itself_with_adjectives_is_trash() {
    for msg in [
        "Добрый день! Мы оптовый поставщик керамогранита. Прайс вышлю на почту.",
        "Предлагаем вашей компании сотрудничество на выгодных условиях.",
        "Ми офіційний постачальник утеплювача, пропонуємо знижки.",
    ] {
        let r = plain(&format!(
            "Имя: Ольга\nТелефон: +7 (863) 300-12-12\nСообщение: {msg}\n"
        ));
        assert_eq!(r.action, Action::Trash, "{msg}");
    }
    // A client looking for a supplier is not one.
    let r = plain(
        "Имя: Олег\nТелефон: +7 (863) 300-12-12\nСообщение: Мы ищем поставщика окон для дачи, сколько стоит?\n",
    );
    assert_eq!(r.action, Action::Lead);
}

// ---- round 8 (helper r8fix) -----------------------------------------------

#[test]
fn phone_groupings_people_type_in_free_text() {
    // Every grouping of a +7/8 or +380/+38/0xx number a person types inside
    // their text gives the number; the digits are cut at group edges.
    for (text, want) in [
        ("8 (912) 34-56-789", "+79123456789"),
        ("8 912 34 56 789", "+79123456789"),
        ("+7 9123 45 67 89", "+79123456789"),
        ("8 (912) 3-45-67-89", "+79123456789"),
        ("8-912-345-6789", "+79123456789"),
        ("8.912.345.67.89", "+79123456789"),
        ("+7(912)3456789", "+79123456789"),
        ("+ 7 912 345 67 89", "+79123456789"),
        ("7 912 345 67 89", "+79123456789"),
        ("912 345-67-89", "+79123456789"),
        ("89123456789", "+79123456789"),
        ("8 (4822) 55-66-77", "+74822556677"),
        ("+380 50 765 43 21", "+380507654321"),
        ("+380 (50) 765-43-21", "+380507654321"),
        ("+380-50-765-43-21", "+380507654321"),
        ("+38 050 765 43 21", "+380507654321"),
        ("+38 (050) 765-43-21", "+380507654321"),
        ("38 050 765 43 21", "+380507654321"),
        ("050 765 43 21", "+380507654321"),
        ("(050) 765-43-21", "+380507654321"),
        ("0507654321", "+380507654321"),
        ("+38(067)-555-12-34", "+380675551234"),
        ("8\u{a0}912\u{2011}345\u{2011}67\u{2011}89", "+79123456789"),
        ("+7 (912) 345 - 67 - 89", "+79123456789"),
    ] {
        let r = plain(&format!(
            "Сообщение: Здравствуйте, сколько стоит замер? Мой телефон {text}, звоните вечером.\r\n"
        ));
        assert_eq!(r.phones, vec![want.to_string()], "{text}");
    }
    let r = plain("Сообщение: пишите 8 912 345 67 89 смс, перезвоню\r\n");
    assert_eq!(r.phones, vec!["+79123456789".to_string()]);
    // Two numbers in one run of digits, a time before a number.
    let r =
        plain("Сообщение: звоните 8 912 345 67 89 8 900 111 22 33 с 9 до 18 8 913 222 33 44\r\n");
    assert_eq!(
        r.phones,
        vec!["+79123456789", "+79001112233", "+79132223344"]
    );
    // Dates, amounts, sizes and ids are not phones.
    for text in [
        "Приезжайте 03.12.2026 14 часов",
        "бюджет 90 000 - 95 000 руб",
        "шкаф 800 600 2400 мм",
        "ИНН 7707083893, заказ № 8 912 345 67 89",
        "цена 12 500 - 15 000",
        "номера квартир 89 12 34 56 78 90 91",
    ] {
        let r = plain(&format!("Сообщение: {text}\r\n"));
        assert!(r.phones.is_empty(), "{text}: {:?}", r.phones);
    }
}

#[test]
fn survey_title_in_the_subject_or_the_intro_is_the_form() {
    // LimeSurvey's admin notification: the survey is the form.
    let r = plain_with(
        "Subject: Response submission for survey Заявка на расчёт with results\r\n",
        "Hello,\r\n\r\nA new response was submitted for your survey 'Заявка на расчёт'.\r\n\r\n\
         Ваше имя: Дмитрий\r\nТелефон: +7 999 123-45-67\r\n",
    );
    assert_eq!(s(&r.form), Some("Заявка на расчёт"));
    let r = plain_with(
        "Subject: Новый ответ\r\n",
        "A new response was submitted for your survey 'Call back request'.\r\n\r\n\
         Your name: Oleg\r\nPhone number: 8 (843) 250-60-70\r\n",
    );
    assert_eq!(s(&r.form), Some("Call back request"));
}

#[test]
fn quoted_caption_after_field_and_a_request_written_in_a_product_field() {
    // Serendipity's dynamic contact form: `Field  'Label': value`; the
    // "what do you need" answer written as the client's own request is
    // their message, not a product.
    let r = plain(
        "User IP-Address: 188.162.4.9\r\n\r\nField  'Имя': Николай\r\nField  'Телефон': +7 (4822) 55-66-77\r\n\
         Field  'Адрес объекта': Тверь, ул. Луговая, 12\r\n\
         Field  'Что требуется': Нужен замер и расчёт мягкой кровли, дом 10х12\r\n\r\n----\r\n",
    );
    assert_eq!(s(&r.name), Some("Николай"));
    assert_eq!(s(&r.address), Some("Тверь, ул. Луговая, 12"));
    assert_eq!(
        s(&r.message),
        Some("Нужен замер и расчёт мягкой кровли, дом 10х12")
    );
    assert_eq!(s(&r.product), None);
    assert_eq!(r.kind, Kind::Measurement);
    // A product named or picked stays a product.
    let r = plain(
        "Имя: Олег\r\nТелефон: 8 912 345 67 89\r\nЧто требуется: Ремонт ванной комнаты под ключ\r\n",
    );
    assert_eq!(s(&r.product), Some("Ремонт ванной комнаты под ключ"));
}

#[test]
fn signature_delimiter_and_a_site_notice_naming_the_visitor() {
    // Plone's feedback mail: the client's text, `--`, the site's name, and
    // `You are receiving this mail because NAME EMAIL is sending feedback…`:
    // the text stops at `--`, the notice's name is the visitor's.
    let r = read(
        "Reply-To: marina.kov@example.ru\r\nFrom: info@potolki.example\r\nTo: info@potolki.example\r\n\
         Subject: Замер\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Здравствуйте!\r\n\r\nМожно вызвать замерщика на эту субботу? Телефон +7 (962) 700-80-90.\r\n\r\n\
         --\r\nПотолки Воронеж\r\n\r\nYou are receiving this mail because Марина Ковалёва \
         marina.kov@example.ru is sending feedback about the site you administer at https://potolki.example.\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте!\nМожно вызвать замерщика на эту субботу? Телефон +7 (962) 700-80-90.")
    );
    assert_eq!(s(&r.name), Some("Марина Ковалёва"));
    assert_eq!(s(&r.email), Some("marina.kov@example.ru"));
    assert_eq!(s(&r.phone), Some("+79627008090"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn name_in_the_clients_sign_off_and_a_phone_sentence_inside_the_text() {
    // MyBB: the client signs `Алексей, 89161234567` under their text.
    let r = plain(
        "E-mail: aleksey.b@example.ru\r\nMessage:\r\nЗдравствуйте. Сколько стоит тёплое остекление балкона?\r\n\r\n\
         Алексей, 89161234567\r\n",
    );
    assert_eq!(s(&r.name), Some("Алексей"));
    assert_eq!(s(&r.phone), Some("+79161234567"));
    // PrestaShop: `Телефон для связи: …` inside the text that goes on, and
    // `С уважением, Ирина.` closing it: all of it is the message.
    let r = plain_with(
        "Subject: [Плитка ЕКБ] Сообщение через форму обратной связи\r\n",
        "Адрес эл. почты покупателя: irina.s@example.ru\r\n\r\nСообщение покупателя: Здравствуйте!\r\n\
         Сколько будет стоить керамогранит на пол 22 м²?\r\nТелефон для связи: +7-912-345-67-89.\r\n\
         С уважением, Ирина.\r\n\r\nНомер заказа: -\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some(
            "Здравствуйте!\nСколько будет стоить керамогранит на пол 22 м²?\n\
             Телефон для связи: +7-912-345-67-89.\nС уважением, Ирина."
        )
    );
    assert_eq!(s(&r.name), Some("Ирина"));
    assert_eq!(s(&r.phone), Some("+79123456789"));
    assert_eq!(r.kind, Kind::Calculation);
    // A form's own phone field under the message is still a field, and a
    // site's closing under a separator names nobody.
    let r = plain(
        "Сообщение: Нужен расчёт забора\r\nТелефон: +7 912 345-67-89\r\nИмя: Олег\r\n\r\n--\r\n\
         С уважением, Заборы Воронеж\r\n",
    );
    assert_eq!(s(&r.message), Some("Нужен расчёт забора"));
    assert_eq!(s(&r.name), Some("Олег"));
}

#[test]
fn phone_groupings_people_type_in_a_phone_field() {
    // The same groupings in a labelled phone field.
    for (text, want) in [
        ("8 (912) 34-56-789", "+79123456789"),
        ("8 912 34 56 789", "+79123456789"),
        ("+7 9123 45 67 89", "+79123456789"),
        ("8 (912) 3-45-67-89", "+79123456789"),
        ("8-912-345-6789", "+79123456789"),
        ("8.912.345.67.89", "+79123456789"),
        ("+7(912)3456789", "+79123456789"),
        ("7 912 345 67 89", "+79123456789"),
        ("912 345-67-89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("8 (4822) 55-66-77", "+74822556677"),
        ("+380 50 765 43 21", "+380507654321"),
        ("+380 (50) 765-43-21", "+380507654321"),
        ("+38 050 765 43 21", "+380507654321"),
        ("38 050 765 43 21", "+380507654321"),
        ("050 765 43 21", "+380507654321"),
        ("(050) 765-43-21", "+380507654321"),
        ("0507654321", "+380507654321"),
    ] {
        let r = plain(&format!("Имя: Олег\r\nТелефон: {text}\r\n"));
        assert_eq!(r.phones, vec![want.to_string()], "{text}");
    }
}

#[test]
fn a_label_waiting_for_its_value_takes_a_question_line_whole() {
    // Round 10a, PHPMailer `<b>Почта:</b><br>$message`: the box under the
    // address caption holds the client's question and address; the line is
    // that field's value, not a `Caption? answer` pair (which made `Пишите
    // на …` a scope).
    let r = html(
        "<h2>Новая заявка</h2>\n<b>Имя:</b> Алексей<br>\n<b>Телефон:</b> 8 921 111-22-33<br><br>\n<b>Почта:</b><br>\
         Есть ли свободный склад от 200 м² на Парнасе? Пишите на alex.sklad@example.ru",
    );
    assert_eq!(s(&r.scope), None);
    assert_eq!(s(&r.email), Some("alex.sklad@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Есть ли свободный склад от 200 м² на Парнасе? Пишите на alex.sklad@example.ru")
    );
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn a_caption_glued_to_an_address_gives_the_email_and_rassylka_is_no_page() {
    // Round 10a, a tutorial's `<b>Вы подписались на рассылку:</b>$email<br>`:
    // `ссылк` inside `рассылку` is no page caption, and any caption glued to
    // a lone address gives the client's email.
    let r = html(
        "<h2>Новое письмо</h2>\n<b>Вы подписались на рассылку:</b>v.k@example.ru<br>\n<b>Имя:</b>Виктор<br>\n\
         <b>Телефон:</b> +7(903)1112233<br><br>\n<b>Сообщение:</b><br>Нужна смета на кровлю.\n",
    );
    assert_eq!(s(&r.email), Some("v.k@example.ru"));
    assert_eq!(s(&r.page), None);
    assert!(
        r.meta
            .warnings
            .iter()
            .all(|w| !w.contains("v.k@example.ru"))
    );
}

#[test]
fn a_space_joined_name_email_phone_text_line_is_split() {
    // Round 10a, PHPMailer `$body = $name.' '.$email.' '.$phone.' '.$message`.
    let r = plain(
        "Олег o.petrov@example.ru 89051234567 Добрый день, нужно рассчитать стоимость кровли, дом 10х12.\r\n",
    );
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(s(&r.email), Some("o.petrov@example.ru"));
    assert_eq!(s(&r.phone), Some("+79051234567"));
    assert_eq!(
        s(&r.message),
        Some("Добрый день, нужно рассчитать стоимость кровли, дом 10х12.")
    );
    assert_eq!(r.kind, Kind::Calculation);
    // An empty email leaves two spaces; the phone alone still closes the name.
    let r = plain("Татьяна  8 (911) 765-43-21 Перезвоните мне завтра до обеда\r\n");
    assert_eq!(s(&r.name), Some("Татьяна"));
    assert_eq!(s(&r.message), Some("Перезвоните мне завтра до обеда"));
}

#[test]
fn the_message_box_word_net_is_no_message() {
    // Round 10a, `($_POST['message'] ?: 'нет')`: no text, so a callback.
    let r = html(
        "<h2>Новая заявка с сайта</h2>\n<p><strong>Имя:</strong> Геннадий</p>\n<p><strong>Телефон:</strong> \
         8-926-555-01-02</p>\n<p><strong>Email:</strong> не указан</p>\n<p><strong>Сообщение:</strong> нет</p>\n",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.email), None);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn dimensions_without_a_cue_ask_for_a_price() {
    // Round 10a, a bag printer's `Заявка` table: `Габариты, мм` is the scope,
    // and a client who gives the size of the job wants to know its price.
    let r = html(
        "<table><tr><td><b>Имя:</b></td><td>Кирило</td></tr><tr><td><b>Телефон:</b></td><td>+38 050 123 45 67\
         </td></tr><tr><td><b>Габариты, мм:</b></td><td>300x400x100</td></tr><tr><td><b>Материал:</b></td>\
         <td>крафт</td></tr></table>",
    );
    assert_eq!(s(&r.scope), Some("300x400x100"));
    assert_eq!(r.kind, Kind::Calculation);
    // A bare count is a scope too, but no size: the default kind stays.
    let r = html("<p>Name: Ирина</p><p>Phone: +79169876543</p><p>количество устройств: 3</p>");
    assert_eq!(s(&r.scope), Some("3"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn zayavka_na_vyezd_in_the_subject_is_a_visit() {
    // Round 10a, PHPMailer subject `Заявка на выезд` over name and phone only.
    let r = plain_with(
        "Subject: Заявка на выезд\r\n",
        "Имя: Николай\r\nТелефон: +7 (999) 812-34-56\r\n",
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_contact_caption_glued_after_a_space_opens_the_next_field() {
    // Round 10a, `"Клиент $name\nтелефон:$phone email:$email \n"`: the email
    // is not part of the phone's value, and the role line names the client.
    let r = plain(
        "Клиент Ольга Николаевна\r\nтелефон:8 (8352) 45-67-89 email:olga.n@example.ru \r\n\
         с сайта заказывает продукцию:\r\nЗдравствуйте, я хочу заказать у вас Футболка поло\r\nКомментарий:\r\n\
         Нужно 40 штук. Какая будет цена за партию?\r\n",
    );
    assert_eq!(s(&r.phone), Some("+78352456789"));
    assert_eq!(s(&r.email), Some("olga.n@example.ru"));
    assert_eq!(s(&r.name), Some("Ольга Николаевна"));
    assert_eq!(
        s(&r.message),
        Some("Нужно 40 штук. Какая будет цена за партию?")
    );
}

#[test]
fn a_required_star_after_the_caption_colon_puts_the_value_on_the_next_line() {
    // Kajona's contact mail: `Name:*` / TAB `value` stanzas, the message's
    // further lines not indented, and the client's own `Мой телефон: …`
    // closing line staying in their text.
    let r = plain(
        "Folgende Anfrage wurde ueber das Kontaktformular erstellt:\n\nName:*\n\tСергей\ne-mail:*\n\
         \tsergey.vl@example.ru\nMessage:*\n\tДобрый день.\nСколько будет стоить забор 25 м?\n\
         Мой телефон: 8 (915) 123-45-67\n",
    );
    assert_eq!(s(&r.name), Some("Сергей"));
    assert_eq!(s(&r.email), Some("sergey.vl@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Добрый день.\nСколько будет стоить забор 25 м?\nМой телефон: 8 (915) 123-45-67")
    );
    assert_eq!(r.phones, vec!["+79151234567".to_string()]);
}

#[test]
fn a_salutation_select_before_the_name_is_not_part_of_it() {
    // SilverCart: `Name: <strong>Mrs. Анна Иванова</strong>`.
    let r = html(
        "<h2>Customer Data</h2>\n<table>\n<tr><td>Name:</td><td><strong>Mrs. Анна Иванова</strong></td></tr>\n\
         <tr><td>Phone:</td><td><strong>+7 (4912) 50-60-70</strong></td></tr>\n</table>\n<h2>Message</h2>\n\
         <p>Нужен замер дверей.</p>",
    );
    assert_eq!(s(&r.name), Some("Анна Иванова"));
}

#[test]
fn a_helpdesk_alert_names_who_opened_the_ticket_and_quotes_their_text() {
    // Zammad's agent notice (plain part): the greeting is the agent's, the
    // `был создан "…"` line names the client, the `> ` block is their text.
    let r = plain(
        "Здравствуйте Мария,\n\nНовый тикет (Замер кухни) был создан \"Наталья Белова\".\n\nГруппа: Продажи\n\
         Владелец: -\nСостояние: новый\n\nИнформация:\n> Добрый день!\n>\n> Нужен замер кухни в субботу.\n>\n\
         > Телефон 8 912 345 67 89\n\nПросмотреть в Zammad [https://kuhni.example/#ticket/zoom/17]\n",
    );
    assert_eq!(s(&r.name), Some("Наталья Белова"));
    assert_eq!(
        s(&r.message),
        Some("Добрый день!\nНужен замер кухни в субботу.\nТелефон 8 912 345 67 89")
    );
    assert_eq!(r.phones, vec!["+79123456789".to_string()]);
    // FreeScout: `<strong>Игорь</strong> started the conversation`, its reply
    // separator and `Received a new conversation #152` are not the client's.
    let r = html(
        "<p>-- Please reply above this line --</p><p>[Продажи]</p><p>Received a new conversation \
         <a href=\"https://h.example/conversation/152\">#152</a></p><table><tr><td><h3>Потолок</h3></td>\
         <td><table><tr><td>ACTIVE</td></tr></table></td></tr></table><table><tr><td><h3><strong>Игорь \
         Лебедев</strong> started the conversation</h3></td><td><div>Dec 6, 14:05</div></td></tr>\
         <tr><td colspan=\"2\"><div>Добрый день.</div><div>Сколько стоит потолок 18 м2 с установкой?</div>\
         </td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Игорь Лебедев"));
    assert_eq!(
        s(&r.message),
        Some("Добрый день.\nСколько стоит потолок 18 м2 с установкой?")
    );
}

#[test]
fn short_lines_under_the_clients_sentence_stay_in_their_text() {
    // osTicket's alert: `Hi agent,` / `New ticket #… created` / From and
    // Department rows / the client's text, whose last lines are short.
    let r = plain(
        "Hi Иван Сидоренко,\n----------\n\nNew ticket #482913 created\n\nFrom: Олег Назаров <oleg@example.ru>\n\
         Department: Отдел продаж\n\nЗдравствуйте! Сколько будет стоить забор из профнастила 40 метров?\n\
         Участок в Подольске.\nТелефон 8-926-555-44-33\n",
    );
    assert_eq!(s(&r.name), Some("Олег Назаров"));
    assert_eq!(
        s(&r.message),
        Some(
            "Здравствуйте! Сколько будет стоить забор из профнастила 40 метров?\nУчасток в Подольске.\n\
             Телефон 8-926-555-44-33"
        )
    );
    assert_eq!(r.phones, vec!["+79265554433".to_string()]);
}

#[test]
fn a_message_heading_alone_after_the_fields_captions_the_text_below() {
    // SilverCart: `<h2>Message</h2><p>…</p>`; a colon in the client's text
    // does not make it a field.
    let r = html(
        "<h1>Request via contact form</h1><p>A customer sent a contact request.</p><h2>Customer Data</h2>\
         <table><tr><td>Name:</td><td><strong>Константин</strong></td></tr>\
         <tr><td>Email:</td><td><strong>k@ad.example</strong></td></tr></table>\
         <h2>Message</h2><p>Предлагаем сотрудничество: реклама на нашем портале.</p>",
    );
    assert_eq!(
        s(&r.message),
        Some("Предлагаем сотрудничество: реклама на нашем портале.")
    );
    assert_eq!(r.action, Action::Trash);
}

#[test]
fn label_cells_wrapped_in_their_own_tables_pair_with_their_values() {
    // JTL-Shop: each label cell and each value cell holds its own one-cell
    // table (`<table><tr><td><font><strong>Question:</strong>…`).
    let cell = |t: &str| format!("<td><table><tr><td><font>{t}</font></td></tr></table></td>");
    let row = |l: &str, v: &str| {
        format!(
            "<tr>{}{}</tr>",
            cell(&format!("<strong>{l}</strong>")),
            cell(v)
        )
    };
    let r = html(&format!(
        "<table>{}{}{}</table>",
        row("Product:", "Кухня «Лофт» 2,6 м"),
        row("Question:", "Какая толщина столешницы?"),
        row("Mobile:", "8-905-000-12-34")
    ));
    assert_eq!(
        pairs(&r),
        [
            ("Product", "Кухня «Лофт» 2,6 м"),
            ("Question", "Какая толщина столешницы?"),
            ("Mobile", "8-905-000-12-34")
        ]
    );
}

#[test]
fn a_salutation_then_the_names_words_one_per_line_make_the_name() {
    // JTL-Shop's plain product question: `Customer data:` / `Mr.` /
    // `Вадим` / `Петров`, then `Mobil:` (German) holding the mobile.
    let r = plain(
        "Product: Кухня «Лофт»\n\nQuestion: Сколько будет стоить эта кухня длиной 3 м?\n\n    Customer data:\n\
         \x20   Mr. \n    Вадим \n    Петров\n    \n\nEmail: v@example.ru\nTel: 8 (4822) 55-66-77\n\
         Mobil: +7 920 111 22 33\n",
    );
    assert_eq!(s(&r.name), Some("Вадим Петров"));
    assert_eq!(
        s(&r.message),
        Some("Сколько будет стоить эта кухня длиной 3 м?")
    );
    assert_eq!(
        r.phones,
        vec!["+74822556677".to_string(), "+79201112233".to_string()]
    );
}

#[test]
fn a_plea_to_call_with_the_number_and_name_closes_the_clients_text() {
    // Tine 2.0's new-lead notice: the description, then the CRM's own rows;
    // `Перезвоните: <phone>. <name>` is the client's, not a caption.
    let r = plain(
        "**Заявка с сайта **\n\nЗдравствуйте! Нужен расчёт металлочерепицы на дом 10х12.\n\
         Перезвоните: 8(903)777-66-55. Алексей Кузнецов\n\n\nState: open\nType: Customer\nSource: Website\n\n\
         Folder: Shared Leads\n\nUpdated by: Анна Смирнова\n",
    );
    assert_eq!(s(&r.name), Some("Алексей Кузнецов"));
    assert_eq!(
        s(&r.message),
        Some(
            "Здравствуйте! Нужен расчёт металлочерепицы на дом 10х12.\nПерезвоните: 8(903)777-66-55. \
             Алексей Кузнецов"
        )
    );
    assert_eq!(r.phones, vec!["+79037776655".to_string()]);
}

#[test]
fn a_role_and_name_before_the_phone_sign_a_one_line_text() {
    // `… Прайс надішлемо на пошту. Менеджер Віктор, 067 500 40 30`: the
    // role word is not part of the name.
    let r = html(
        "<h1>Пропозиція співпраці</h1>\n<p>Доброго дня! Ми виробник металочерепиці, пропонуємо поставки за цінами \
         заводу. Прайс надішлемо на пошту. Менеджер Віктор, 067 500 40 30</p>\n<table><tr><td>State</td>\
         <td>open</td></tr><tr><td>Source</td><td>Website</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Віктор"));
    assert_eq!(r.phones, vec!["+380675004030".to_string()]);
}

#[test]
fn a_form_name_in_bold_over_a_filled_form_note_is_the_form() {
    // HostCMS's curator letter: `<p><b>Заказать замер</b></p><p>Заполнена форма № 154</p>`;
    // the phone, its last field, stays a field above the `---` of the footer.
    let r = html(
        "<p><b>Заказать замер</b></p>\n<p>Заполнена форма № 154</p>\n\
         <p><b>Ваше имя</b>:\n\n\t\t\tАндрей</p>\n<p><b>Телефон</b>:\n\n\t\t\t8 (904) 377-12-09</p>\n\
         <p>---\n<br>Система управления сайтом HostCMS\n<br><a href=\"http://www.hostcms.ru\">http://www.hostcms.ru</a></p>",
    );
    assert_eq!(s(&r.form), Some("Заказать замер"));
    assert_eq!(s(&r.name), Some("Андрей"));
    assert_eq!(r.phones, vec!["+79043771209"]);
    assert_eq!(r.kind, Kind::Measurement);
    // A bold caption over any other line is not a form name.
    let r = html("<p><b>Примечание</b></p>\n<p>Звонить после 18</p>\n<p>Телефон: 89001112233</p>");
    assert_eq!(s(&r.form), None);
}

#[test]
fn fields_joined_by_a_bare_space_on_one_line_are_pairs() {
    // `'Телефон: '.$phone.' Имя: '.$name` (a one-line AJAX callback handler).
    let r = plain("Телефон: 89031112233 Имя: Николай\n");
    assert_eq!(r.phones, vec!["+79031112233"]);
    assert_eq!(s(&r.name), Some("Николай"));
    assert_eq!(s(&r.message), None);
    // A bracketed remark after a name is not a label (`Лебедева (e-mail: …)`),
    // nor is a lower-case word followed by a colon.
    let r = plain("Автор: Марина Лебедева (e-mail: m.l@example.ru).\nТелефон: 89031112233\n");
    assert_eq!(s(&r.name), Some("Марина Лебедева"));
    let r = plain("Имя: Олег\nТелефон: 89031112233 звонить после 18: до 20\n");
    assert_eq!(r.phones, vec!["+79031112233"]);
}

#[test]
fn a_body_that_repeats_the_subject_and_a_number_has_no_message() {
    // `$message = 'Обратный звонок '.$phone` under the subject `Обратный звонок`.
    let r = plain_with(
        "Subject: Обратный звонок\r\n",
        "Обратный звонок 8 962 111 22 33\n",
    );
    assert_eq!(r.phones, vec!["+79621112233"]);
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    // The client's own words next to the number stay the message.
    let r = plain_with(
        "Subject: Обратный звонок\r\n",
        "Перезвоните по поводу ворот 8 962 111 22 33\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Перезвоните по поводу ворот 8 962 111 22 33")
    );
}

#[test]
fn a_handlers_no_or_other_placeholder_is_no_value() {
    // `($_POST['message'] ?: 'нет')` and a product list's catch-all `Другое`.
    let r = plain("Имя: Марина\nТелефон: 8 919 300 40 50\nПродукция: Другое\nСообщение: нет\n");
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.product), None);
    assert_eq!(r.kind, Kind::Callback);
    let r = plain(
        "Имя: Марина\nТелефон: 8 919 300 40 50\nПродукция: Отруби\nСообщение: Нет ли скидки на опт?\n",
    );
    assert_eq!(s(&r.product), Some("Отруби"));
    assert_eq!(s(&r.message), Some("Нет ли скидки на опт?"));
}

#[test]
fn a_ukrainian_operator_code_in_brackets_and_a_name_label_typo() {
    // `(063) 555-12-34` with the default region RU, under `І'мя` (apostrophe after І).
    let r = plain("І'мя: Оксана\nНомер телефону: (063) 555-12-34\n");
    assert_eq!(r.phones, vec!["+380635551234"]);
    assert_eq!(s(&r.name), Some("Оксана"));
}

// ---- round 12: non-PHP handlers (Django, Flask-Mail, Rails, nodemailer, Apps Script)

fn alternative_with_subject(subject: &str, text: &str, html: &str) -> Request {
    read(&format!(
        "From: robot@shop.example\r\nTo: sales@shop.example\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--b1\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b1--\r\n"
    ))
}

#[test]
fn a_placeholder_plain_part_gives_way_to_the_html() {
    // Round 12, Flask-Mail `msg.body = 'yess'; msg.html = '<b>{message}</b>'`.
    let r = alternative_with_subject(
        "Заявка с сайта",
        "yess",
        "<b>Нужна доставка 10 кубов щебня в Подольск, сколько будет стоить? Тел 89037776655</b>",
    );
    assert_eq!(s(&r.phone), Some("+79037776655"));
    assert_eq!(r.kind, Kind::Calculation);
    assert!(s(&r.message).is_some_and(|m| m.starts_with("Нужна доставка")));
}

#[test]
fn a_plain_fallback_wrapping_raw_html_gives_way_to_the_html() {
    // Round 12, a sendmail relay: the text part is the firm's notice with
    // its own phone, then the caller's HTML pasted in as markup.
    let r = alternative_with_subject(
        "Обратный звонок",
        "К сожалению, сервис почты не распознал состав письма.\r\n  Просим вас позвонить нашему менеджеру по \
         телефону 88007758525 доб. 215.\r\n   <p>Имя: Гульнара</p><p>Телефон: 8 917 404 11 22</p>",
        "<p>Имя: Гульнара</p><p>Телефон: 8 917 404 11 22</p>",
    );
    assert_eq!(r.phones, vec!["+79174041122".to_string()]);
    assert_eq!(s(&r.name), Some("Гульнара"));
    assert_eq!(s(&r.message), None);
}

#[test]
fn a_subject_that_is_only_a_phone_gives_the_phone() {
    // Round 12, Django `send_mail(phonenumber, message, …)`.
    let r = plain_with(
        "Subject: +7 926 111-22-33\r\n",
        "Здравствуйте, интересует баня из бруса 6х4 под ключ. Какая цена с фундаментом?\r\n",
    );
    assert_eq!(s(&r.phone), Some("+79261112233"));
    assert_eq!(r.action, Action::Lead);
    assert_eq!(r.kind, Kind::Calculation);
    // A subject holding more than a number is not read this way.
    let r = plain_with(
        "Subject: Заявка 2026-12-21 13:00\r\n",
        "Просто вопрос без контактов.\r\n",
    );
    assert_eq!(s(&r.phone), None);
}

#[test]
fn a_message_from_name_caption_names_the_writer() {
    // Round 12, Django `'''Отзыв от {0}:\n    {1}\n    email: {2}'''` through mail_admins.
    let r = plain_with(
        "Subject: [Django] Новый отзыв\r\n",
        "Отзыв от Светлана Петрова:\r\n    Заказывали у вас шкаф-купе, спасибо! Теперь хотим кухню — перезвоните, \
         пожалуйста, 8 (916) 700-20-30.\r\n    email: svetlana.p@example.ru",
    );
    assert_eq!(s(&r.name), Some("Светлана Петрова"));
    assert!(s(&r.message).is_some_and(|m| m.starts_with("Заказывали у вас шкаф-купе")));
    assert_eq!(s(&r.email), Some("svetlana.p@example.ru"));
    // A role is no writer's name.
    let r = plain(
        "Сообщение от Посетитель:\r\n    Сколько стоит доставка?\r\n    Телефон: 89161234567",
    );
    assert_eq!(s(&r.name), None);
}

#[test]
fn zakazchik_is_a_name_label() {
    // Round 12, a Django template `<p>Заказчик: {{name}}</p><p>телефон:{{phone}}</p>`.
    let r =
        html("<p> </p>\n<p>Заказчик: Андрей</p>\n<p>телефон:+7(952)318-44-10</p>\n<p>email</p>");
    assert_eq!(s(&r.name), Some("Андрей"));
    assert_eq!(s(&r.phone), Some("+79523184410"));
}

#[test]
fn a_request_kind_is_no_product_and_a_traffic_source_is_utm() {
    // Round 12, Apps Script `Тип: … / Источник: <utm_source or 'Прямой заход'>`
    // with a link to the owner's spreadsheet.
    let r = plain(
        "Новая заявка!\r\n\r\nТип: Обратный звонок\r\nИмя: Дмитрий\r\nТелефон: +7 (999) 123-45-67\r\n\r\n\
         Источник: yandex\r\nДата: 21.12.2026, 15:02:11\r\n\
         Ссылка на таблицу: https://docs.google.com/spreadsheets/d/1Qw3rTy/edit\r\n",
    );
    assert_eq!(s(&r.product), None);
    assert_eq!(s(&r.referral), None);
    assert_eq!(r.utm.source.as_deref(), Some("yandex"));
    assert_eq!(s(&r.page), None);
    assert_eq!(r.kind, Kind::Callback);
    let r = plain(
        "Тип: Узнать стоимость абонемента\r\nИмя: Ольга\r\nТелефон: 8 916 555 44 33\r\nИсточник: Прямой заход\r\n",
    );
    assert_eq!(s(&r.product), None);
    assert_eq!(s(&r.referral), None);
    assert_eq!(r.utm.source, None);
    assert_eq!(r.kind, Kind::Calculation);
    // What a person answered stays the referral, a product stays a product.
    let r = plain(
        "Тип: Металлочерепица\r\nИмя: Ольга\r\nТелефон: 8 916 555 44 33\r\nИсточник: от знакомых\r\n",
    );
    assert_eq!(s(&r.product), Some("Металлочерепица"));
    assert_eq!(s(&r.referral), Some("от знакомых"));
}

#[test]
fn a_heading_repeating_the_subject_is_no_message() {
    // Round 12, Rails views `Заказ на обратный звонок №57` over the fields.
    let r = plain_with(
        "Subject: Заказ на обратный звонок №57\r\n",
        "Заказ на обратный звонок №57\r\n\r\nВремя составления заявки: 22 Dec 11:04\r\n\r\nИмя: Роман\r\n\r\n\
         Телефон: +79261234567\r\n",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.name), Some("Роман"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_signoff_in_a_label_less_letter_is_the_writers() {
    // Round 12, Django `send_mail(subject, message, from_email, …)`: the
    // visitor's own paragraphs and their closing.
    let r = plain_with(
        "Subject: Вакансия преподавателя\r\n",
        "Здравствуйте!\r\n\r\nЯ преподаватель английского, ищу работу.\r\n\r\nТелефон +7 915 222-11-00.\r\n\r\n\
         С уважением, Ольга Смирнова",
    );
    assert_eq!(s(&r.name), Some("Ольга Смирнова"));
    assert!(s(&r.message).is_some_and(|m| m.ends_with("С уважением, Ольга Смирнова")));
}

#[test]
fn vid_kogo_labels_the_senders_name() {
    // Round 13a, a Ukrainian mail() letter `<p><strong>Від кого:</strong> …`:
    // the name; a test word there makes the whole request a test.
    let r = html(
        "<h2>Повідомлення з сайту</h2>\r\n<p><strong>Від кого:</strong> Тарас Мельник</p>\r\n\
         <p><strong>Телефон:</strong> (097) 222-33-44</p>\r\n",
    );
    assert_eq!(s(&r.name), Some("Тарас Мельник"));
    assert_eq!(r.phones, vec!["+380972223344".to_string()]);
    let r = html(
        "<p><strong>Від кого:</strong> тест</p>\r\n<p><strong>Телефон:</strong> 1111111</p>\r\n",
    );
    assert_eq!(r.action, Action::Ignore);
}

#[test]
fn a_telefonuite_line_in_the_message_is_the_clients_text() {
    // Round 13a: `Телефонуйте: +38 (050) …` (an imperative, "call me") in a
    // client's text is no `Телефон:` field; the line stays in the message.
    let r = html(
        "<b>Ім'я:</b>Ірина<br/><b>E-mail:</b>iryna@example.com<br/><br/><b>Текст повідомлення:</b><br/>\
         Потрібен виїзд замірника на балкон.<br />\n<br />\nТелефонуйте: +38 (050) 765-43-21",
    );
    assert!(
        s(&r.message).is_some_and(|m| m.ends_with("Телефонуйте: +38 (050) 765-43-21")),
        "{:?}",
        r.message
    );
    assert_eq!(r.phones, vec!["+380507654321".to_string()]);
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn ukrainian_sent_automatically_footer_is_no_message() {
    // Round 13a, a Laravel view closing with `Це повідомлення було надіслано
    // автоматично.` under the client's text.
    let r = html(
        "<p><strong>Ім'я:</strong> Олена</p>\n<p><strong>Повідомлення:</strong></p>\n\
         <div>Пропонуємо партнерство і дилерські ціни.</div>\n\
         <p style=\"margin-top: 25px;\">Це повідомлення було надіслано автоматично.</p>\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Пропонуємо партнерство і дилерські ціни.")
    );
}

#[test]
fn prorakhunok_asks_for_a_calculation() {
    // Round 13a: `Потрібен прорахунок ремонту` (the noun of `прорахувати`).
    let r = plain(
        "Ім'я: Людмила\r\nТелефон: 095 404 30 20\r\nКоментар: Потрібен прорахунок ремонту ванної.\r\n",
    );
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_supplier_naming_the_price_list_first_is_trash() {
    // Round 13b, bare PHP mail() `Name: … / Message:` from a glass supplier:
    // «Прайс вышлем по запросу», «скидка дилерам до 18%» (the object before
    // the verb; a discount offered to dealers).
    let r = plain(
        "Name: ООО ПрофСтекло\r\nEmail: sales@profsteklo.example\r\n\r\nMessage:\r\nПредлагаем стеклопакеты со \
         склада в Подольске, скидка дилерам до 18%. Прайс вышлем по запросу, тел. +7 (496) 765-12-00.",
    );
    assert_eq!(r.action, Action::Trash);
    // A client asking for the list in the imperative stays a lead.
    let r = plain(
        "Name: Ольга\r\nEmail: olga@client.example\r\n\r\nMessage:\r\nПрайс вышлите, пожалуйста, на окна ПВХ. \
         Тел. 8 916 204-33-71",
    );
    assert_eq!(r.action, Action::Lead);
}

#[test]
fn a_contact_confirmation_footer_is_not_the_message() {
    // Round 13b, an HTML portfolio handler mailing `<strong>Message:</strong>
    // …<br/><br/>This is a Contact Confirmation mail.<br/>We will contact you
    // as soon as possible .` below the client's text.
    let r = html(
        "<div><div>Hello Peter,<br/>Thank you for contacting us.<br/><br/><strong>Name:</strong>  Peter Novak<br/>\
         <strong>Email:</strong>  p.novak@mail.example<br/><strong>Message:</strong>  Please call me back, phone \
         +7 (926) 781-40-55.<br/><br/>This is a Contact Confirmation mail.<br/>We will contact you as soon as \
         possible .</div></div>",
    );
    assert_eq!(
        s(&r.message),
        Some("Please call me back, phone +7 (926) 781-40-55.")
    );
}

#[test]
fn a_bracketed_form_pair_at_the_end_of_a_heading_names_the_form() {
    // Round 14c, cformsII's text part: `A new submission (form: "Расчёт
    // потолка")` over `Via: {Page}` and the space-padded fields.
    let r = plain(
        "A new submission (form: \"Расчёт потолка\")\r\n============================================\r\n\
         Submitted on: 07.12.2026\r\nVia: https://potolki.example/raschet/\r\nBy 95.31.18.202 (visitor IP).\r\n.\r\n\
         \r\nВаше имя:                Людмила\r\nТелефон:                 8-912-480-55-13\r\n",
    );
    assert_eq!(s(&r.form), Some("Расчёт потолка"));
    assert_eq!(s(&r.page), Some("https://potolki.example/raschet/"));
    assert_eq!(s(&r.name), Some("Людмила"));
    // A value that merely ends in a bracket stays the label's.
    let r = plain("Имя: Олег\r\nТелефон: 8 912 480-55-13 (мобильный)\r\n");
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(r.phones.len(), 1);
    // A one-word caption before the bracket is the field's label, no heading.
    let r = plain("Имя: Олег\r\nТелефон (рабочий: 8 495 123-45-67)\r\n");
    assert!(
        r.fields.iter().any(|(l, _)| l.starts_with("Телефон")),
        "{:?}",
        r.fields
    );
    assert_eq!(r.phones, ["+74951234567"]);
}

#[test]
fn a_ukrainian_what_do_you_need_field_answered_in_sentences_is_the_message() {
    // Round 14c, Brizy: `Що потрібно?: Міжкімнатні двері, 5 штук. Потрібен
    // виїзд замірника в Тиврів.` (owner-typed label, the client's sentences).
    let r = html(
        "Ваше ім'я: Тетяна<br>Телефон: 0971234085<br>Що потрібно?: Міжкімнатні двері, 5 штук. Потрібен виїзд \
         замірника в Тиврів.<br>-------------------------<br>Time: 2026-12-07 08:03:10",
    );
    assert_eq!(
        s(&r.message),
        Some("Міжкімнатні двері, 5 штук. Потрібен виїзд замірника в Тиврів.")
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn table_cells_that_each_read_label_colon_value_are_fields_side_by_side() {
    // Round 14c (after the blind set), Contact Form by Supsystic's "form data
    // as table": half-width fields share a row, one `<b>Label</b>: value`
    // per cell; the first cell is no label of the second.
    let r = html(
        "<p>Новая заявка:</p><table cellspacing=\"0\" cellpadding=\"0\"><tr><td width=\"100%\"><table \
         width=\"100%\"><tr><td width=\"50%\"><b>Имя</b>: Эльвира</td><td width=\"50%\"><b>Телефон</b>: 8 (917) \
         344-20-15</td></tr></table></td></tr><tr><td width=\"100%\"><table width=\"100%\"><tr><td \
         width=\"50%\"><b>Email</b>: elvira@mail.example</td><td width=\"50%\"><b>Район</b>: Сипайлово</td></tr>\
         </table></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Эльвира"));
    assert_eq!(s(&r.email), Some("elvira@mail.example"));
    assert_eq!(s(&r.address), Some("Сипайлово"));
    // A label cell next to a value cell that happens to hold a colon stays a pair.
    let r = html("<table><tr><td>Комментарий</td><td>Время: после 18</td></tr></table>");
    assert_eq!(s(&r.message), Some("Время: после 18"));
}

// ---- round 14a: Russian CMS and callback modules ----------------------------

#[test]
fn a_text_html_body_without_any_tag_keeps_its_lines() {
    // Round 14a, Webasyst Shop-Script `ordercall` plugin: a heredoc of
    // `Label: value \n` lines sent as text/html; a browser would run them
    // into one line, the sender wrote lines.
    let r = html(
        "    Имя отправителя: Петров Сергей \n\n    Email: s.petrov@mail.example \n\n    Телефон: +7(921)765-43-21 \n\n\
         \x20   Удобное время для звонка:  с 10 до 12 \n\n    Комментарий: Перезвоните по поводу утепления фасада",
    );
    assert_eq!(s(&r.name), Some("Петров Сергей"));
    assert_eq!(s(&r.email), Some("s.petrov@mail.example"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните по поводу утепления фасада")
    );
    assert!(
        pairs(&r).contains(&("Удобное время для звонка", "с 10 до 12")),
        "{:?}",
        r.fields
    );
}

#[test]
fn a_placeholder_text_part_sharing_no_word_with_the_html_is_skipped() {
    // Round 14a, a Yii2 callback widget: setTextBody('Plain text content')
    // beside setHtmlBody($phone . '/' . date('d.m.Y')); the number and the
    // day the handler stamped are no message.
    let r = alternative("Plain text content", "+7 (916) 123-45-67/07.12.2026");
    assert_eq!(s(&r.phone), Some("+79161234567"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    // A text part that renders the HTML is still read.
    let r = alternative(
        "Телефон: 8 916 123 45 67",
        "<p>Телефон: 8 916 123 45 67</p>",
    );
    assert_eq!(s(&r.phone), Some("+79161234567"));
}

#[test]
fn a_ukrainian_number_written_in_full_without_plus() {
    // Round 14a, WP Request Callback (the phone allows digits and spaces
    // only): `380 67 123 45 67` is +380 67 123 45 67.
    let r = html(
        "You have a new callback request!<br/><br/><b>Name</b> Olena<br/><b>Phone</b> 380 67 123 45 67",
    );
    assert_eq!(s(&r.name), Some("Olena"));
    assert_eq!(r.phones, vec!["+380671234567".to_string()]);
    // A bare 12-digit run in the text stays an id (ИНН), not a phone.
    let r = plain("Имя: Олег\r\nИНН: 380671234567\r\nТелефон: 8 916 123-45-67\r\n");
    assert_eq!(r.phones, vec!["+79161234567".to_string()]);
}

#[test]
fn a_plugins_own_sender_is_no_client_email() {
    // Round 14a, WP Request Callback: `From: "WP Request Callback"
    // <callbackrequest@…>` mails every request; the address is the plugin's.
    let r = read(
        "From: \"WP Request Callback\" <callbackrequest@wp-request-callback.test>\r\nTo: office@zabor.example\r\n\
         Subject: New Callback Request\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n\
         You have a new callback request!<br/><br/><b>Name</b> Дмитрий<br/><b>Phone</b> 8 916 555 77 88",
    );
    assert_eq!(s(&r.email), None);
    assert_eq!(s(&r.phone), Some("+79165557788"));
}

#[test]
fn a_heading_of_the_subject_and_the_site_name_is_no_message() {
    // Round 14a, Joomla JCallback: `<h2>$subject - ($sitename)</h2>` over
    // `<b>Имя:</b> …</br>` lines.
    let r = read(
        "From: site@krovlya.example\r\nTo: manager@krovlya.example\r\nSubject: =?utf-8?B?0JfQsNC60LDQtyDQvtCx0YDQsNGC0L3QvtCz0L4g0LfQstC+0L3QutCw?=\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <h2 style=\"text-align: center;\">Заказ обратного звонка - (Кровля Урал)</h2>\n<b>Имя:</b> Андрей</br>\n\
         <b>Телефон:</b> +7 (912) 345-67-89</br>\n</br>\n",
    );
    assert_eq!(s(&r.name), Some("Андрей"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_signature_delimiter_before_the_sites_footer_ends_the_message() {
    // Round 14a, InstantCMS mod_callme: `-- PS: это письмо отправлено
    // автоматически…` and `-- С уважением, администрация сайта …` under
    // the client's comment.
    let r = plain(
        "Новая заявка на сайте \"Окна\"\r\n\r\n--\r\n\r\nТип заявки: Заказать звонок\r\n\r\nИмя: Виктор\r\n\
         Телефон: 8 (915) 234-56-78\r\n\r\nКомментарий: Сколько стоит остекление балкона?\r\n\r\n\
         -- PS: это письмо отправлено автоматически, отвечать на него не нужно.\r\n\r\n\
         -- С уважением, администрация сайта \"Окна\".",
    );
    assert_eq!(s(&r.message), Some("Сколько стоит остекление балкона?"));
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_subject_naming_the_section_gives_the_form() {
    // Round 14a, DIAFAN.CMS: `Сайт (https://…/). Новое сообщение в рубрике
    // Обратная связь`, `… Новый вопрос в рубрике Вопрос-Ответ`.
    let r = plain_with(
        "Subject: =?UTF-8?B?0JrRg9GF0L3QuCAoaHR0cHM6Ly9rdWhuaS5leGFtcGxlLykuINCd0L7QstC+0LUg0YHQvtC+0LHRidC10L3QuNC1INCyINGA0YPQsdGA0LjQutC1INCe0LHRgNCw0YLQvdCw0Y8g0YHQstGP0LfRjA==?=\r\n",
        "Ваше имя: Галина\r\nВаш телефон: 8-903-555-12-34\r\nВаше сообщение: Нужен замер кухни.\r\n",
    );
    assert_eq!(s(&r.form), Some("Обратная связь"));
}

#[test]
fn the_clients_closing_phone_line_stays_in_their_letter() {
    // Round 14a, a WordPress handler mailing only wpautop(message): the
    // client's text ends with `Телефон для связи: …`, a caption of their own.
    let r = read(
        "From: =?UTF-8?B?0JXQu9C10L3QsA==?= <elena@mail.example>\r\nTo: admin@remont.example\r\nSubject: Message\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Добрый день!</p>\n<p>Сколько будет стоить ремонт ванной под ключ, 4 м2?</p>\n\
         <p>Телефон для связи: 8 (926) 123-45-67</p>\n",
    );
    assert_eq!(s(&r.phone), Some("+79261234567"));
    let m = r.message.clone().unwrap_or_default();
    assert!(m.ends_with("Телефон для связи: 8 (926) 123-45-67"), "{m}");
    // A form's bare `Телефон:` row under the text stays a field (Divi).
    let r = plain(
        "Добрый день! Предлагаем продвижение сайта, SEO и SMM.\r\nТелефон: +7 (495) 777-20-30\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Добрый день! Предлагаем продвижение сайта, SEO и SMM.")
    );
}

#[test]
fn a_sentence_announcing_a_question_is_over_the_clients_text_and_contact() {
    // Round 14a, DIAFAN.CMS Вопрос-Ответ: the site's sentence, then the
    // question, the name and the address on lines of their own.
    let r = html(
        "Здравствуйте, администратор сайта Потолки (https://potolki.example/)!<br>В рубрике Вопрос-Ответ появился \
         новый вопрос:<br>Можно ли ставить натяжной потолок в ванной без вытяжки?<br>Ольга<br>olga@mail.example<br>\
         Прикреленные файлы: -",
    );
    assert_eq!(s(&r.name), Some("Ольга"));
    assert_eq!(s(&r.email), Some("olga@mail.example"));
    assert_eq!(
        s(&r.message),
        Some("Можно ли ставить натяжной потолок в ванной без вытяжки?")
    );
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn minor_headings_caption_the_paragraphs_under_them() {
    // Round 14b, Umbraco Forms' Razor e-mail template: `<h2>Form Results</h2>`
    // then `<h4>label</h4><p>value<br /></p>` per field inside layout tables.
    let r = html(
        "<table><tr><td><h1>Umbraco Forms</h1></td></tr><tr><td>This is an example email template.</td></tr>\
         <tr><td><h2>Form Results</h2></td></tr><tr><td>\
         <h4 style=\"margin: 0;\">Имя</h4><p style=\"margin-top: 0;\">Руслан<br /></p>\
         <h4 style=\"margin: 0;\">Телефон</h4><p style=\"margin-top: 0;\">+7 (922) 071-55-38<br /></p>\
         <h4 style=\"margin: 0;\">Сообщение</h4><p style=\"margin-top: 0;\">Почём балконный блок?<br /></p>\
         </td></tr></table>\
         <table><tr><td><h2>Need more help?</h2><p><a href=\"https://docs.example/\">Find our documentation \
         here</a></p></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Руслан"));
    assert_eq!(r.phones, vec!["+79220715538".to_string()]);
    assert_eq!(s(&r.message), Some("Почём балконный блок?"));
}

#[test]
fn a_sent_using_sentence_with_the_address_in_brackets_names_the_sender() {
    // Round 14b, Backdrop's contact form: `!sender-name (!sender-url) sent a
    // message using the contact form at !form-url.`, the sender's address in
    // brackets for an anonymous visitor.
    let r = plain(
        "Павел Смирнов (pavel.smirnov@mail.example) sent a message using the contact form at \
         https://bani.example/contact.\r\n\r\nМожете приехать на участок? Телефон 8 (921) 830-44-16.\r\n",
    );
    assert_eq!(s(&r.name), Some("Павел Смирнов"));
    assert_eq!(s(&r.email), Some("pavel.smirnov@mail.example"));
    assert_eq!(s(&r.page), Some("https://bani.example/contact"));
}

#[test]
fn a_from_name_dash_email_line_is_the_sender_not_the_message() {
    // Round 14b, GrandNode's contact-us template: `<p>From NAME - EMAIL<br /><br
    // />ENQUIRY<br />Телефон: …</p>` (no colon after `From`).
    let r = html(
        "<p>From Олег Власов - oleg.vlasov@mail.example<br /><br />Интересует беседка 3х4 из клеёного бруса, \
         сколько будет стоить с установкой?<br />Телефон: +7 (383) 229-31-04</p><br />",
    );
    assert_eq!(s(&r.name), Some("Олег Власов"));
    assert_eq!(s(&r.email), Some("oleg.vlasov@mail.example"));
    assert_eq!(
        s(&r.message),
        Some("Интересует беседка 3х4 из клеёного бруса, сколько будет стоить с установкой?")
    );
}

#[test]
fn collected_information_from_subject_names_the_form() {
    // Round 14b, eZ Publish's information collector: subject `Collected
    // information from <the form object's name>`, label and value on lines.
    let r = plain_with(
        "Subject: Collected information from =?utf-8?B?0J7QsdGA0LDRgtC90LDRjyDRgdCy0Y/Qt9GM?=\r\n",
        "\r\n\r\nThe following information was collected:\r\n\r\nВаше имя:\r\nНиколай\r\n\r\n\r\nТелефон:\r\n\
         +7 (902) 514-66-71\r\n\r\n\r\nВопрос:\r\nПодойдёт ли теплица для Урала?\r\n\r\n\r\n",
    );
    assert_eq!(s(&r.form), Some("Обратная связь"));
    assert_eq!(s(&r.name), Some("Николай"));
}

#[test]
fn a_title_underlined_with_underscores_ends_the_field_above() {
    // Round 14b, Odoo's website form mail: `description : …` then the
    // site's `Metadata` / `________` section (IP, USER_AGENT, REFERER).
    let r = plain(
        "This message has been posted on your website!\r\n___________\r\n\r\nname : Ксения Орлова\r\n\
         phone : 8 (981) 702-15-44\r\ndescription : Составьте, пожалуйста, смету на ремонт ванной.\r\n\r\n\
         Metadata\r\n________\r\n\r\nIP : 203.0.113.7\r\nACCEPT_LANGUAGE : ru-RU,ru;q=0.9\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Составьте, пожалуйста, смету на ремонт ванной.")
    );
    assert_eq!(s(&r.name), Some("Ксения Орлова"));
}

#[test]
fn a_first_person_request_with_a_colon_is_the_clients_sentence() {
    // Round 14b, nopCommerce's contact-us mail: the enquiry `Закажу обратный
    // звонок: 8 912 …. Звонить лучше после 19:00.` is the client's text, not
    // a caption `Закажу обратный звонок` over a value.
    let r = html(
        "<p>\r\n<strong>From</strong>: Сергей Ильин - s.ilin@mail.example<br /><br />Закажу обратный звонок: \
         8 912 371-08-44. Звонить лучше после 19:00.\r\n</p>\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Закажу обратный звонок: 8 912 371-08-44. Звонить лучше после 19:00.")
    );
    assert_eq!(r.kind, Kind::Callback);
    // One quiz answer after a first-person caption stays a pair.
    let r = plain("Имя: Ирина\r\nТелефон: 8 912 000 11 22\r\nХочу получить расчёт: на email\r\n");
    assert!(pairs(&r).contains(&("Хочу получить расчёт", "на email")));
}

#[test]
fn a_convenient_time_in_a_callback_request_is_no_visit_time() {
    // Round 14b, aldryn-forms `Обратный звонок` form: `Удобное время: с 9 до
    // 12` says when to call; a visit time belongs to a measurement.
    let r = plain_with(
        "Subject: [Form submission] =?utf-8?B?0J7QsdGA0LDRgtC90YvQuSDQt9Cy0L7QvdC+0Lo=?=\r\n",
        "Form name: Обратный звонок\r\nФИО: Кузнецова Татьяна Петровна\r\nТелефон: 8 912 887-03-55\r\n\
         Удобное время: с 9 до 12\r\n",
    );
    assert_eq!(r.kind, Kind::Callback);
    assert_eq!(s(&r.visit_time), None);
    assert!(pairs(&r).contains(&("Удобное время", "с 9 до 12")));
    // The same field beside a request for a measurement is the visit's time.
    let r = plain(
        "Имя: Ринат\r\nТелефон: +7 987 290-31-15\r\nУдобное время: суббота после 12\r\n\
         Сообщение: Нужен замер трёх окон.\r\n",
    );
    assert_eq!(r.kind, Kind::Measurement);
    assert_eq!(s(&r.visit_time), Some("суббота после 12"));
}

#[test]
fn a_signoff_after_a_blank_line_in_the_message_is_the_clients() {
    // Round 14b, wagtailstreamforms' e-mail hook: `Message: Hello,\n\nDo you
    // install windows in Khimki? …\n\nThanks, Michael` -- the closing and the
    // name under a blank line end the client's letter and belong to it.
    let r = plain(
        "Please see below submission\r\n\r\nName: Michael Brown\r\nPhone: +7 916 233-70-45\r\nMessage: Hello,\r\n\r\n\
         Do you install windows in Khimki? We are renting a flat there.\r\n\r\nThanks, Michael",
    );
    let m = r.message.as_deref().unwrap_or_default();
    assert_eq!(
        m.split_whitespace().collect::<Vec<_>>().join(" "),
        "Hello, Do you install windows in Khimki? We are renting a flat there. Thanks, Michael"
    );
}

#[test]
fn a_question_followed_by_the_clients_next_sentence_is_no_quiz_pair() {
    // Round 14b, nopCommerce's contact-us mail: `Во сколько обойдётся
    // установка …? Двери уже купили.` then the phone -- the client's text,
    // not a quiz caption `…?` with the answer `Двери уже купили.`.
    let r = html(
        "<p>\r\n<strong>From</strong>: Лариса - larisa.d@mail.example<br /><br />Во сколько обойдётся установка \
         трёх межкомнатных дверей с наличниками? Двери уже купили.<br />8 (916) 771-30-28\r\n</p>\r\n",
    );
    assert_eq!(r.phones, vec!["+79167713028".to_string()]);
    assert_eq!(s(&r.scope), None);
    assert_eq!(r.kind, Kind::Calculation);
    // A quiz answer after the question stays a pair.
    let r = plain("Имя: Ирина\r\nТелефон: 8 912 000 11 22\r\nКакая форма кухни? Угловая\r\n");
    assert!(pairs(&r).contains(&("Какая форма кухни?", "Угловая")));
}

#[test]
fn a_minor_heading_over_a_sentence_with_a_colon_still_captions_it() {
    // Round 14b, Umbraco Forms: `<h4>Коментар</h4><p>Вітаю! Займуся …
    // Facebook: контент-план, …</p>` -- the colon inside the client's
    // sentence does not make the text its own caption.
    let r = html(
        "<table><tr><td><h2>Form Results</h2></td></tr><tr><td>\
         <h4>Ім'я</h4><p>Анна<br /></p><h4>Номер телефону</h4><p>093 771 20 45<br /></p>\
         <h4>Коментар</h4><p>Вітаю! Займуся веденням вашого Instagram та Facebook: контент-план, сторіз.<br /></p>\
         </td></tr></table><table><tr><td><h2>Need more help?</h2><p>Find our documentation here</p></td></tr></table>",
    );
    assert_eq!(
        s(&r.message),
        Some("Вітаю! Займуся веденням вашого Instagram та Facebook: контент-план, сторіз.")
    );
}

#[test]
fn a_size_followed_by_the_clients_sentence_splits() {
    // Round 14b, GrandNode's contact-us mail: `Размер беседки: 4 на 6 метров, с
    // печкой. Сколько будет стоить под ключ?` -- the size is the scope, the
    // question after it is the client's message.
    let r = plain(
        "Имя: Ирина\r\nТелефон: +7 (383) 310-77-45\r\nРазмер беседки: 4 на 6 метров, с печкой. Сколько будет \
         стоить под ключ?\r\n",
    );
    assert_eq!(s(&r.scope), Some("4 на 6 метров, с печкой"));
    assert_eq!(s(&r.message), Some("Сколько будет стоить под ключ?"));
    assert_eq!(r.kind, Kind::Calculation);
    // Two data sentences stay one value.
    let r = plain("Имя: Ирина\r\nТелефон: +7 (383) 310-77-45\r\nРазмер: 3,6 м. Высота 2 м\r\n");
    assert_eq!(s(&r.scope), Some("3,6 м. Высота 2 м"));
}

#[test]
fn the_one_address_a_robots_subject_names_is_the_visitors() {
    // Round 15b, a Phoenix (Bamboo) mailer: `subject("#{email} has contacted
    // you") |> text_body(message)`, sent from the site's noreply address.
    let r = plain_with(
        "Subject: roman@mail.example has contacted you\r\n",
        "Хотим баню 6х4 из бруса. Нужен выезд на участок.\r\n\r\nРоман, +7-910-111-22-33\r\n",
    );
    assert_eq!(s(&r.email), Some("roman@mail.example"));
    assert_eq!(s(&r.name), Some("Роман"));
    // The site's own address in the subject is never the visitor's.
    let r = plain_with(
        "Subject: Письмо для sales@okna.example\r\n",
        "Хотим баню 6х4 из бруса. Нужен выезд на участок.\r\n",
    );
    assert_eq!(s(&r.email), None);
}

#[test]
fn a_convenient_time_in_a_call_order_is_the_calls_not_a_visit() {
    // Round 15b, a Phoenix (Swoosh) generator's form: `Удобное время: после
    // 14:00` under a name and a phone, nothing asking for a visit.
    let r =
        plain("Имя: Константин\r\nТелефон: +7 (343) 310-20-30\r\nУдобное время: после 14:00\r\n");
    assert_eq!(r.kind, Kind::Callback);
    assert_eq!(s(&r.visit_time), None);
    assert!(pairs(&r).contains(&("Удобное время", "после 14:00")));
    // A measurement request keeps it as the visit's time.
    let r = plain(
        "Имя: Константин\r\nТелефон: +7 (343) 310-20-30\r\nКомментарий: Нужен замер окон.\r\n\
         Удобное время: суббота\r\n",
    );
    assert_eq!(r.kind, Kind::Measurement);
    assert_eq!(s(&r.visit_time), Some("суббота"));
}

#[test]
fn the_clients_own_name_signed_under_their_text_stays_in_it() {
    // Round 15b, a Cloudflare Pages function with Resend: `From: ${name}
    // <${email}>` over the client's text, which they sign with that name.
    let r = plain(
        "From: Геннадий <gena@mail.example>\r\n\r\nПерезвоните, пожалуйста, по ремонту кровли гаража, течёт в \
         двух местах.\r\n89107001122\r\n\r\nГеннадий\r\n",
    );
    assert_eq!(s(&r.name), Some("Геннадий"));
    let m = r.message.clone().unwrap_or_default();
    assert!(m.ends_with("89107001122\nГеннадий"), "{m}");
    // A capitalised line that is not the client's name (the site's own
    // signature) is not glued on.
    let r = plain(
        "From: Геннадий <gena@mail.example>\r\n\r\nПерезвоните, пожалуйста, по ремонту кровли гаража, течёт в \
         двух местах.\r\n\r\nКровля Тамбов\r\n",
    );
    let m = r.message.clone().unwrap_or_default();
    assert!(!m.contains("Кровля Тамбов"), "{m}");
}

#[test]
fn the_sites_own_name_signed_under_the_message_is_not_the_clients() {
    // Round 15b, a CakePHP email view: `<p>Message: …<p><br><p>Двери
    // Казань</p>`, sent From `Двери Казань <info@…>`.
    let r = read(
        "From: =?UTF-8?B?0JTQstC10YDQuCDQmtCw0LfQsNC90Yw=?= <info@dveri.example>\r\nTo: director@dveri.example\r\n\
         Subject: Contact Us\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Name: Рустам </p>\n<p>Mobile Number: +7 917 345 67 89</p>\n\
         <p>Message: Нужен замер на входную дверь.<p><br>\n\n<p>Двери Казань</p>",
    );
    assert_eq!(s(&r.message), Some("Нужен замер на входную дверь."));
    // The client's own closing name stays.
    let r = read(
        "From: =?UTF-8?B?0JTQstC10YDQuCDQmtCw0LfQsNC90Yw=?= <info@dveri.example>\r\nTo: director@dveri.example\r\n\
         Subject: Contact Us\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Name: Рустам </p>\n<p>Mobile Number: +7 917 345 67 89</p>\n\
         <p>Message: Нужен замер на входную дверь.<br>Рустам</p>",
    );
    let m = r.message.clone().unwrap_or_default();
    assert!(m.ends_with("Рустам"), "{m}");
}

// ---- round 15a: e-commerce enquiry / quote / callback modules --------------

#[test]
fn a_powered_by_footer_line_ends_the_clients_text() {
    // Round 15a, WooCommerce e-mails (YITH Request a Quote, WC Catalog
    // Enquiry): `Окна Пермь - Powered by WooCommerce` under the message.
    let r = html(
        "<p><strong>Имя:</strong> Сергей</p><p><strong>Телефон:</strong> +7 912 555-01-23</p>\
         <p><strong>Комментарий:</strong> Сколько будет стоить окно с установкой?</p>\
         <p>Окна Пермь - Powered by WooCommerce</p>",
    );
    assert_eq!(
        s(&r.message),
        Some("Сколько будет стоить окно с установкой?")
    );
}

#[test]
fn a_thead_row_of_plain_cells_over_a_cell_of_pairs_and_a_date_cell() {
    // Round 15a, UpStore 'Нашли дешевле': `<thead>` cells (bold by inline
    // style only: `Данные` | `Дата Добавления`), one row below whose first
    // cell holds the fields as `<b>Label:</b> value<br/>` lines, the second a
    // date.
    let th = "<td style=\"background-color: #EFEFEF; font-weight: bold; padding: 7px;\">";
    let r = html(&format!(
        "<table><thead><tr>{th}Данные</td>{th}Дата Добавления</td></tr></thead><tbody><tr>\
         <td style=\"padding: 7px;\"><b>ФИО:</b> Ольга<br/><b>Телефон:</b> 8 916 700 80 90<br/>\
         <b>Комментарий:</b> Видела такой же линолеум дешевле, можно скидку?<br/></td>\
         <td style=\"padding: 7px;\">12/07/2026 02:05:42 pm</td></tr></tbody></table>"
    ));
    assert_eq!(s(&r.name), Some("Ольга"));
    assert_eq!(
        s(&r.message),
        Some("Видела такой же линолеум дешевле, можно скидку?")
    );
    assert!(pairs(&r).contains(&("Дата Добавления", "12/07/2026 02:05:42 pm")));
    assert_eq!(r.kind, Kind::Calculation);
    // A bold title row outside any `<thead>` over label/value rows names no
    // columns.
    let r = html(&format!(
        "<table><tr>{th}Новая заявка</td>{th}okna.example</td></tr>\
         <tr><td>Имя</td><td>Ольга</td></tr><tr><td>Телефон</td><td>8 916 700 80 90</td></tr></table>"
    ));
    assert_eq!(s(&r.name), Some("Ольга"));
    assert_eq!(s(&r.phone), Some("+79167008090"));
}

#[test]
fn a_competitors_link_is_neither_the_page_nor_the_product() {
    // Round 15a, 'Нашли дешевле': `Ссылка на найденный товар: https://…`.
    let r = plain(
        "ФИО: Кирилл\r\nТелефон: +7 925 640-11-22\r\n\
         Ссылка на найденный товар: https://konkurent.example/laminat/egger/\r\n\
         Комментарий: У конкурента дешевле, сделаете такую же цену?\r\n",
    );
    assert_eq!(s(&r.page), None);
    assert_eq!(s(&r.product), None);
}

#[test]
fn a_linked_title_under_a_url_caption_gives_the_page() {
    // Round 15a, WC Catalog Enquiry: `<th>Product Url</th>` over a cell
    // showing the product's title linked to its page.
    let r = html(
        "<table><thead><tr><th>Product</th><th>Product Url</th></tr></thead><tbody><tr>\
         <td>Дверь «Сканди»</td><td><a href=\"https://dveri.example/product/skandi/\" target=\"_blank\">\
         Дверь «Сканди»</a></td></tr></tbody></table>\
         <p><strong>Name : </strong>Екатерина</p><p><strong>Email : </strong>ekaterina@mail.example</p>",
    );
    assert_eq!(s(&r.page), Some("https://dveri.example/product/skandi/"));
    assert_eq!(s(&r.product), Some("Дверь «Сканди»"));
}

#[test]
fn one_cell_rows_that_each_read_label_value_are_not_paired_with_each_other() {
    // Round 15a, OpenCart one-click order: colspan rows `Заказаны следующие
    // товары: X`, `На общую стоимость: 560 р.`, `В количестве: 40`, … each
    // carry their own caption.
    let b = "<span style=\"font-weight: bold;\">";
    let td = "<td style=\"padding: 8px;\" colspan=\"2\">";
    let r = html(&format!(
        "<table><tr><td>Имя:</td><td>Алексей</td></tr><tr><td>Номер телефона:</td><td>8 (903) 111-22-33</td></tr>\
         <tr><td rowspan=\"2\"></td>{td}{b}Заказаны следующие товары:</span> <span>Профнастил С8</span></td></tr>\
         <tr>{td}{b}На общую стоимость:</span> <span>560 р.</span></td></tr>\
         <tr><td rowspan=\"2\"></td>{td}{b}В количестве:</span> <span>40</span></td></tr>\
         <tr>{td}{b}На общую сумму:</span> <span>22400 р.</span></td></tr></table>"
    ));
    assert_eq!(s(&r.product), Some("Профнастил С8"));
    assert_eq!(s(&r.phone), Some("+79031112233"));
}

#[test]
fn a_plugin_credit_line_is_not_the_clients_text() {
    // Round 15a, OpenCart one-click: `Quick Order for OpenCart` under the
    // shop's contacts, with the comment field left empty.
    let r = html(
        "<table><tr><td>Имя:</td><td>Нина</td></tr><tr><td>Номер телефона:</td><td>+7 915 020-30-40</td></tr>\
         </table><p><small><a href=\"http://vendor.example/\">Quick Order for OpenCart</a></small></p>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn german_shop_labels_first_and_last_name_and_question() {
    // Round 15a, Shopware 5 'Anfrage-Formular': Vorname / Nachname / Frage:.
    let r = plain(
        "Shop Anfrage-Formular\r\n\r\nAnrede: Herr\r\nVorname: Павел\r\nNachname: Зуев\r\n\
         Telefon: 8 383 210-44-55\r\n\r\nFrage:\r\nКакая будет цена с монтажом?\r\n",
    );
    assert_eq!(s(&r.name), Some("Павел Зуев"));
    assert_eq!(s(&r.message), Some("Какая будет цена с монтажом?"));
}

#[test]
fn a_plea_with_a_clause_before_a_colon_is_the_clients_sentence() {
    // Round 15a, Atk14Catalog: `Phone: -`, then the client's text
    // `Перезвоните мне, пожалуйста, по этой кухне: 8 (953) …`.
    let r = plain(
        "Name: Роман\r\nEmail: roman@mail.example\r\nPhone: -\r\n\r\n\
         Перезвоните мне, пожалуйста, по этой кухне: 8 (953) 321-00-99, лучше после обеда.\r\n",
    );
    assert_eq!(s(&r.phone), Some("+79533210099"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните мне, пожалуйста, по этой кухне: 8 (953) 321-00-99, лучше после обеда.")
    );
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_message_caption_under_a_rule_and_a_section_title_over_the_fields() {
    // Round 15a, YITH Request a Quote (plain): `****` / `Customer message` /
    // the text / blank / `Customer details` / `Name:Марина`.
    let r = plain(
        "Request a quote\r\n\r\n****************************************************\r\n\r\n\
         Customer message\r\nМожно вызвать замерщика на следующей неделе? Телефон 8-916-300-40-50\r\n\r\n\
         Customer details\r\nName:Марина\r\nEmail:marina@mail.example\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Можно вызвать замерщика на следующей неделе? Телефон 8-916-300-40-50")
    );
    assert_eq!(s(&r.name), Some("Марина"));
    assert_eq!(s(&r.phone), Some("+79163004050"));
    assert_eq!(r.kind, Kind::Measurement);
    // A short closing line of the client's own stays theirs.
    let r = plain("Комментарий: Нужен замер окон.\r\n\r\nСпасибо\r\nТелефон: +7 916 300-40-50\r\n");
    assert!(
        s(&r.message).is_some_and(|m| m.contains("Спасибо")),
        "{:?}",
        r.message
    );
}

#[test]
fn a_person_as_the_from_name_of_a_bare_host_address() {
    // Round 15a, an OpenCart 3 theme callback: setFrom(SERVER_NAME) and
    // setSender(visitor name) give `From: Виталий <krovlya.example>`.
    let r = read(
        "From: =?UTF-8?B?0JLQuNGC0LDQu9C40Lk=?= <krovlya.example>\r\nTo: info@krovlya.example\r\n\
         Subject: email_subject\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Сколько будет стоить водосток? Мой номер 8 978 765 43 21\r\n",
    );
    assert_eq!(s(&r.name), Some("Виталий"));
    assert_eq!(s(&r.phone), Some("+79787654321"));
    // A valid robot address keeps its display name to itself.
    let r = read(
        "From: =?UTF-8?B?0JLQuNGC0LDQu9C40Lk=?= <noreply@krovlya.example>\r\nTo: info@krovlya.example\r\n\
         Subject: email_subject\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Сколько будет стоить водосток? Мой номер 8 978 765 43 21\r\n",
    );
    assert_eq!(s(&r.name), None);
}

// ---- round 15c: letters clients write directly to the company ----------------

fn letter(from: &str, to: &str, subject: &str, body: &str) -> Request {
    read(&format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ))
}

#[test]
fn a_clients_reply_above_the_companys_quoted_answer_is_their_letter() {
    // Round 15c, Gmail: the client's new text over `пт, 4 дек. 2026 г. в
    // 18:12, Кухни Мастер <info@…>:` and the company's answer in `> ` lines
    // (with the company's phone): the new text is the message, the sender
    // is the client, the company's phone is not theirs.
    let r = letter(
        "Дмитрий Волков <d.volkov@mail.example>",
        "Кухни Мастер <info@kuhni.example>",
        "Re: Ваш запрос на кухню",
        "Спасибо за ответ!\r\n\r\nА сколько будет стоить вариант со столешницей из камня?\r\n\r\n\
         пт, 4 дек. 2026 г. в 18:12, Кухни Мастер <info@kuhni.example>:\r\n\r\n> Дмитрий, добрый вечер!\r\n\
         > Кухня обойдётся примерно в 240 000 руб.\r\n> Звоните: +7 (812) 300-40-50\r\n",
    );
    assert_eq!(s(&r.email), Some("d.volkov@mail.example"));
    assert_eq!(s(&r.name), Some("Дмитрий Волков"));
    assert!(r.phones.is_empty(), "{:?}", r.phones);
    assert_eq!(
        r.message
            .as_deref()
            .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some(
            "Спасибо за ответ! А сколько будет стоить вариант со столешницей из камня?".to_string()
        )
    );
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn outlook_russian_reply_header_over_the_companys_answer_is_cut() {
    // Round 15c, Outlook: `От: … / Отправлено: … / Кому: … / Тема: …` under
    // the client's text: the block and the company's letter under it are not
    // read; a manager's reply quoting a form's robot is still unwrapped
    // (tests/letter.rs `reply_quoting_the_form`).
    let r = letter(
        "Светлана Орлова <s.orlova@agro.example>",
        "Ольга <olga@okna.example>",
        "RE: Остекление склада",
        "Ольга, добрый день.\r\n\r\nПришлите смету, сколько будет стоить с монтажом?\r\n\r\nСветлана Орлова\r\n\
         ООО «Агро»\r\nмоб. 8 (917) 402-55-18\r\n\r\nОт: Ольга Белова <olga@okna.example>\r\n\
         Отправлено: 4 декабря 2026 г. 16:20\r\nКому: Светлана Орлова <s.orlova@agro.example>\r\n\
         Тема: Остекление склада\r\n\r\nСветлана, здравствуйте! Нужны размеры проёмов.\r\n+7 (861) 200-10-20\r\n",
    );
    assert_eq!(s(&r.email), Some("s.orlova@agro.example"));
    assert_eq!(r.phones, vec!["+79174025518".to_string()]);
    let m = r.message.as_deref().unwrap_or_default();
    assert!(
        m.contains("Пришлите смету") && !m.contains("размеры проёмов"),
        "{m}"
    );
    // The signature card after a blank line is not the text.
    assert!(!m.contains("Агро"), "{m}");
}

#[test]
fn a_reply_attribution_without_an_address_is_cut_with_its_quote() {
    // Round 15c, Thunderbird / Roundcube: `04.12.2026 15:10, Лестницы Дуб
    // пишет:` names no address; the replier writes from outside the
    // recipient's domain, so the quote is the company's answer.
    let r = letter(
        "Павел Гришин <p.grishin@mail.example>",
        "Лестницы Дуб <info@lestnicy.example>",
        "Re: Лестница",
        "Проект устраивает. Какие сроки изготовления?\r\n\r\n-- \r\nПавел Гришин\r\nтел. 8 (495) 765-43-21\r\n\r\n\
         04.12.2026 15:10, Лестницы Дуб пишет:\r\n> Павел, добрый день!\r\n> Стоимость 385 000 руб.\r\n\
         > Лестницы Дуб, +7 (495) 100-20-30\r\n",
    );
    assert_eq!(r.phones, vec!["+74957654321".to_string()]);
    assert_eq!(s(&r.email), Some("p.grishin@mail.example"));
    assert!(
        r.fields.iter().all(|(k, _)| !k.contains("пишет")),
        "{:?}",
        r.fields
    );
}

#[test]
fn mobile_mail_tails_are_not_the_clients_text() {
    // Round 15c: `Отправлено с iPhone`, `Надіслано з iPhone`, `Отправлено из
    // мобильной Почты Mail.ru` under a letter are the app's.
    for tail in [
        "Отправлено с iPhone",
        "Надіслано з iPhone",
        "Отправлено из мобильной Почты Mail.ru",
        "Get Outlook for Android",
    ] {
        let r = letter(
            "Наталья <natali@mail.example>",
            "info@potolki.example",
            "Потолки",
            &format!(
                "Здравствуйте! Нужен замер на натяжные потолки в субботу.\r\nМой номер 8-927-111-22-33\r\n\r\n{tail}\r\n"
            ),
        );
        let m = r.message.as_deref().unwrap_or_default();
        assert!(!m.contains(tail), "{tail}: {m}");
        assert!(m.contains("Мой номер"), "{tail}: {m}");
    }
}

#[test]
fn a_letters_sentence_across_a_colon_is_no_caption() {
    // Round 15c, ukr.net: `Потрібен замір вікон у квартирі: 4 вікна і
    // балконний блок. Коли зможе приїхати замірник?` -- four words before the
    // colon and the sentence going on in lower case into another: the
    // client's text (and the letter stays a letter: its signature phone and
    // sender are the client's). A form caption asking the visitor stays one.
    let r = read(
        "From: Олександр Бондар <o.bondar@ukr.example>\r\nTo: info@vikna.example\r\nSubject: Заміна вікон\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>Доброго дня!</div><div><br></div>\
         <div>Потрібен замір вікон у квартирі: 4 вікна і балконний блок. Коли зможе приїхати замірник?</div>\
         <div><br></div><div>З повагою,</div><div>Олександр Бондар</div><div>+38 (050) 311-22-33</div>",
    );
    assert_eq!(r.phones, vec!["+380503112233".to_string()]);
    assert_eq!(s(&r.email), Some("o.bondar@ukr.example"));
    let m = r.message.as_deref().unwrap_or_default();
    assert!(
        m.contains("Потрібен замір") && !m.contains("повагою"),
        "{m}"
    );
    assert_eq!(r.kind, Kind::Measurement);
    let r = plain(
        "Имя: Ирина\r\nТелефон: 8 912 000 11 22\r\nОпишите вашу задачу подробно: нужен шкаф. Срочно\r\n",
    );
    assert!(
        pairs(&r).iter().any(|(k, _)| k.starts_with("Опишите")),
        "{:?}",
        r.fields
    );
}

#[test]
fn a_signature_naming_the_sender_makes_its_site_link_theirs() {
    // Round 15c, Outlook: `С уважением, / Андрей Колесников / ООО «СтройДом» /
    // Тел.: … / www.stroydom.example` from a.kolesnikov@stroydom.example: the
    // link is the sender's own company, not a site robot's domain.
    let r = letter(
        "Андрей Колесников <a.kolesnikov@stroydom.example>",
        "info@okna.example",
        "Замер окон в офисе",
        "Добрый день!\r\n\r\nПрошу организовать замер окон в офисе на этой неделе.\r\n\r\nС уважением,\r\n\
         Андрей Колесников\r\nООО «СтройДом»\r\nТел.: +7 (912) 345-67-80\r\nwww.stroydom.example\r\n",
    );
    assert_eq!(s(&r.email), Some("a.kolesnikov@stroydom.example"));
    assert_eq!(s(&r.name), Some("Андрей Колесников"));
    assert_eq!(r.phones, vec!["+79123456780".to_string()]);
    assert_eq!(r.action, Action::Lead);
}

#[test]
fn a_signed_first_name_gives_way_to_the_senders_full_display_name() {
    // Round 15c, a manager's Outlook forward: the client signed `Елена` under
    // a letter from `Елена Петрова <e.petrova@…>`: the full name is theirs.
    let r = letter(
        "Елена Петрова <e.petrova@mail.example>",
        "info@okna.example",
        "Откосы",
        "Здравствуйте. Хотим сделать откосы на кухне, перезвоните мне.\r\n\r\nЕлена\r\n8-950-321-44-07\r\n",
    );
    assert_eq!(s(&r.name), Some("Елена Петрова"));
    assert_eq!(r.phones, vec!["+79503214407".to_string()]);
}

#[test]
fn a_signature_card_opens_with_the_person_not_the_company() {
    // Round 15c, Outlook: `Евгения Романова` / `Менеджер по работе с
    // клиентами` / `Лидоген Про` / `+7 …` after a blank line: the person is
    // the first line; the company line above the phone is not the name.
    let r = letter(
        "Евгения | Digital-агентство <e.romanova@lidogen.example>",
        "info@okna.example",
        "Клиенты для вашей компании",
        "Здравствуйте!\r\n\r\nМы настроим Яндекс.Директ и таргет и приведём заявки.\r\n\r\nЕвгения Романова\r\n\
         Менеджер по работе с клиентами\r\nЛидоген Про\r\n+7 (495) 118-22-90\r\n",
    );
    assert_eq!(s(&r.name), Some("Евгения Романова"));
    assert_eq!(r.phones, vec!["+74951182290".to_string()]);
    assert!(!r.message.as_deref().unwrap_or_default().contains("Лидоген"));
    assert_eq!(r.action, Action::Trash);
}

#[test]
fn a_replys_thread_subject_decides_the_kind_only_when_the_new_words_do_not() {
    // Round 15c, Roundcube: `Перезвоните мне завтра` under `Re: Замер кухни`
    // quoting the company's answer is a callback (their words); `Хорошо,
    // договорились` under the same subject is still the measurement.
    let quote = "\r\n\r\n07.12.2026 10:00, Кухни Мастер написал:\r\n> Алла, здравствуйте!\r\n\
                 > Замерщик может приехать в четверг.\r\n> Кухни Мастер\r\n";
    let r = letter(
        "Алла <alla@studio.example>",
        "Кухни Мастер <info@kuhni.example>",
        "Re: Замер кухни",
        &format!(
            "В четверг не получится. Перезвоните мне завтра до 12.\r\n+7 (926) 310-77-45{quote}"
        ),
    );
    assert_eq!(r.kind, Kind::Callback);
    let r = letter(
        "Алла <alla@studio.example>",
        "Кухни Мастер <info@kuhni.example>",
        "Re: Замер кухни",
        &format!("Хорошо, договорились, ждём в четверг.\r\n+7 (926) 310-77-45{quote}"),
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_reply_to_the_companys_answer_comes_from_the_other_side() {
    // Round 15c: the company's mailbox and the client's on the same
    // provider domain (unknown to the public-provider list): the reply that
    // quotes the company's answer is still the client's.
    let r = letter(
        "Ксения <ksenia@post.example>",
        "Шкафы <shkafy@post.example>",
        "Re: Шкаф-купе",
        "Позвоните, пожалуйста, сегодня после 15:00.\r\n+7 913 456-78-90\r\n\r\n\
         пн, 7 дек. 2026 г. в 19:30, Шкафы <shkafy@post.example>:\r\n> Подскажите размеры ниши.\r\n\
         > Какие двери хотите?\r\n> Шкафы, 8 (383) 299-00-11\r\n",
    );
    assert_eq!(s(&r.email), Some("ksenia@post.example"));
    assert_eq!(r.phones, vec!["+79134567890".to_string()]);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_clients_own_letter_signed_with_their_from_name_keeps_the_name() {
    // Rounds 15b and 15c together: the site's signature rule (a last line
    // equal to the robot sender's name) must not take a client's own
    // signed name off their letter, sent From their own mailbox.
    let r = read(
        "From: =?UTF-8?B?0J3QsNGC0LDQu9GM0Y8=?= <natalya.k@mail.example>\r\nTo: info@potolki.example\r\n\
         Subject: Замер\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Здравствуйте! Нужен замер на натяжные потолки, 3 комнаты. Мой номер 8-927-111-22-33\r\nНаталья\r\n",
    );
    let m = r.message.clone().unwrap_or_default();
    assert!(m.ends_with("Наталья"), "{m}");
    assert_eq!(r.phones, vec!["+79271112233".to_string()]);
}

// ---- round 16a: CMS form modules (ImageCMS, Emergence, ReadyScript, a warranty claim) --------------------

#[test]
fn labels_glued_to_the_previous_value_on_one_line_are_fields() {
    // ImageCMS's feedback module: `Тема : …Имя : …E-mail : …Сообщение : …`.
    let r = plain(
        "Тема : Стоимость откосовИмя : ГеннадийE-mail : gena@example.ruСообщение : Сколько стоят \
         откосы на 4 окна? Телефон 8 (4912) 55-66-77",
    );
    assert_eq!(s(&r.name), Some("Геннадий"));
    assert_eq!(s(&r.email), Some("gena@example.ru"));
    assert_eq!(s(&r.phone), Some("+74912556677"));
    assert_eq!(
        s(&r.message),
        Some("Сколько стоят откосы на 4 окна? Телефон 8 (4912) 55-66-77")
    );
    assert_eq!(r.kind, Kind::Calculation);
    // A name with a remark in brackets is not cut at its capital letter.
    let r =
        plain("Автор отзыва: CasinoBonus (e-mail: bonus@example.net).\nТелефон: +7 912 345-67-89");
    assert!(
        pairs(&r).iter().all(|(l, _)| !l.starts_with("Bonus")),
        "{:?}",
        pairs(&r)
    );
}

#[test]
fn the_sites_sentence_submitted_from_a_page_gives_the_page() {
    // Emergence's staff notice: `A contact form has been submitted from URL:`.
    let r = html(
        "<p>A contact form has been submitted from <a href=\"http://okna.example/contact\">\
         http://okna.example/contact</a>:</p><table border=\"0\"><tr><th scope=\"row\">Name</th><td>Alexei</td></tr>\
         <tr><th scope=\"row\">Phone</th><td>+7 921 555-01-88</td></tr></table>",
    );
    assert_eq!(s(&r.page), Some("http://okna.example/contact"));
    assert_eq!(s(&r.name), Some("Alexei"));
    // Do not invent: the site's home URL in such a sentence is no page.
    let r = html(
        "<p>Это сообщение отправлено с сайта https://okna.example/</p><p>Имя: Иван<br>Телефон: +7 912 345-67-89</p>",
    );
    assert_eq!(s(&r.page), None);
}

#[test]
fn the_form_title_in_brackets_after_its_number_is_the_form() {
    // ReadyScript: `Ответ на форму №3 (Заказать замер):` over a table of plain cells.
    let r = html(
        "<p>Ответ на форму №3 (Заказать замер):</p><table border=\"1\"><tr><td>Ваше имя</td><td>Ильнур</td></tr>\
         <tr><td>Телефон</td><td>8(917)345-22-11</td></tr></table>",
    );
    assert_eq!(s(&r.form), Some("Заказать замер"));
    assert_eq!(s(&r.name), Some("Ильнур"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_warranty_claim_asking_a_master_to_come_is_a_question() {
    let r = plain(
        "Имя: Елена\nТелефон: +7 911 505-60-70\nСообщение: Дверь ставили у вас в прошлом году, замок заедает. \
         Это гарантийный случай? Когда мастер сможет приехать посмотреть?",
    );
    assert_eq!(r.kind, Kind::Question);
    // A client asking about the warranty before a measurement still wants the measurement.
    let r = plain(
        "Имя: Олег\nТелефон: +7 911 505-60-71\nСообщение: Нужен замер окон. Какая гарантия на монтаж?",
    );
    assert_eq!(r.kind, Kind::Measurement);
}

fn html_subject_r16a(subject: &str, body: &str) -> Request {
    read(&format!(
        "From: Shop <shop@okna.example>\r\nTo: sales@okna.example\r\nSubject: {subject}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}"
    ))
}

#[test]
fn the_senders_name_in_a_builders_subject_with_a_via_clause() {
    // Bagisto: `Inquiry from NAME via Website Contact Form`, the body has no name.
    let r = html_subject_r16a(
        "Inquiry from Анна Смирнова via Website Contact Form",
        "<p>Сколько будет стоить керамогранит на 24 м²?</p><p>To contact <a href=\"mailto:anna@example.ru\">\
         anna@example.ru</a>, please reply to this email. Alternatively, you can reach us by phone at \
         <a href=\"tel:+79213004050\">+7 (921) 300-40-50</a>.</p>",
    );
    assert_eq!(s(&r.name), Some("Анна Смирнова"));
    assert_eq!(s(&r.email), Some("anna@example.ru"));
    assert_eq!(s(&r.phone), Some("+79213004050"));
    // The site's sentence handing over the contacts is not the client's text.
    assert_eq!(
        s(&r.message),
        Some("Сколько будет стоить керамогранит на 24 м²?")
    );
    // Do not invent: no `via` clause, or no person after `from`.
    for subj in [
        "Message from Website",
        "Заявка от 07.12.2026 через сайт",
        "Enquiry from a visitor",
    ] {
        let r = html_subject_r16a(subj, "<p>Нужен замер окон, телефон 8 912 345-67-89</p>");
        assert_eq!(s(&r.name), None, "{subj}");
    }
}

#[test]
fn a_closing_word_under_a_footer_and_a_hello_thanks_frame_are_the_templates() {
    // Bagisto's footer: `If you need any kind of help please contact us at …` / `Thanks!`.
    let r = plain(
        "Нужна затирка антрацит, есть в наличии?\nТелефон: 8 912 345-67-89\n\n\
         If you need any kind of help please contact us at support@shop.example\nThanks!",
    );
    assert!(
        !s(&r.message).unwrap_or("").contains("Thanks"),
        "{:?}",
        r.message
    );
    // Neos.Form's documented template: `Hello,` / identifier lines / `Thanks`.
    let r = plain(
        "Hello,\n\n\n    name: Павел\n  \n    phone: 8 (904) 011-22-33\n  \n    message: Когда замерщик сможет \
         приехать?\n  \n\nThanks\n",
    );
    assert_eq!(s(&r.message), Some("Когда замерщик сможет приехать?"));
    assert_eq!(s(&r.name), Some("Павел"));
    // Without the greeting over the fields, a client's last `Спасибо.` stays theirs.
    let r =
        plain("Имя: Ольга\nТелефон: 8 912 345-67-80\nСообщение: Нужен замер лоджии.\n\nСпасибо.");
    let m = s(&r.message).unwrap_or("");
    assert!(
        m.starts_with("Нужен замер лоджии.") && m.ends_with("Спасибо."),
        "{m:?}"
    );
}

// ---------- round 16b (helper r16b): booking plugins and page-builder forms ----------

#[test]
fn a_client_caption_over_name_email_and_phone_lines_is_their_card() {
    // Round 16b (MotoPress Appointment's admin mail): `Client:` over the
    // name, the address and the number, one per line; the services line
    // is the plugin's sentence and the client's notes are the message; the
    // order's `Total price` is the site's figure, not part of the notes.
    let r = html(
        "<p>Dear Administrator,</p>\n<p>You got a new confirmed appointment booking.</p>\n\
         <p>https://okna.example/wp-admin/post.php?post=412&amp;action=edit</p>\n\
         <p>Scheduled services:</p>\n<ul>\n<li>Замер окон with Павел on 10.12.2026 from 10:00 till 11:00 \
         at Рязань.</li>\n</ul>\n<p>Client:<br>Татьяна Кузнецова<br>t.k@mail.example<br>+7 910 555-24-68</p>\n\
         <p>Booking notes:<br>3 окна, панельный дом, 3 этаж.</p>\n<p>Total price: 0 ₽</p>\n",
    );
    assert_eq!(s(&r.name), Some("Татьяна Кузнецова"));
    assert_eq!(s(&r.email), Some("t.k@mail.example"));
    assert_eq!(r.phones, vec!["+79105552468".to_string()]);
    assert_eq!(s(&r.message), Some("3 окна, панельный дом, 3 этаж."));
    assert_eq!(s(&r.product), None);
    // Empty notes: the plugin's greeting and services sentence are still
    // not the client's text.
    let r = html(
        "<p>Dear Administrator,</p>\n<p>You got a new confirmed appointment booking.</p>\n\
         <p>Scheduled services:</p>\n<ul>\n<li>Консультация with Михаил on 12.12.2026 from 12:00 till 12:30 \
         at Шоурум.</li>\n</ul>\n<p>Client:<br>Олег<br>oleg@mail.example<br>8 (953) 190-44-07</p>\n\
         <p>Booking notes:<br></p>\n<p>Total price: 0 ₽</p>\n",
    );
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn a_back_office_link_sentence_ends_the_clients_text() {
    // Round 16b (WP Booking Calendar's default admin mail): the site's
    // `Please visit the moderation panel https://…/wp-admin/…` after the
    // client's `Подробности` is no paragraph of theirs; the date under the
    // long sentence caption (`… a new booking Консультация на площадке for:
    // 13.12.2026`) is no size.
    let r = html(
        "<p>You need to approve a new booking Консультация на площадке for: 13.12.2026<br/><br/> Person \
         detail information:<br/> <div><strong>Имя</strong>: <span>Алексей</span><br><strong>Email</strong>: \
         <span>a.popov@mail.example</span><br><strong>Подробности</strong>: <span>Хочу баню 6×4, во сколько \
         обойдётся? Телефон 8 926 404 77 19</span><br></div><br/><br/> Currently a new booking is waiting for \
         approval. Please visit the moderation panel <a href=\"https://banya.example/wp-admin/admin.php?page=wpbc\">\
         https://banya.example/wp-admin/admin.php?page=wpbc</a><br/><br/>Thank you, Бани<br/>https://banya.example</p>",
    );
    assert_eq!(
        s(&r.message),
        Some("Хочу баню 6×4, во сколько обойдётся? Телефон 8 926 404 77 19")
    );
    assert_eq!(s(&r.scope), None);
    // The sentence about the booking gives its day.
    assert_eq!(s(&r.visit_time), Some("13.12.2026"));
    assert_eq!(r.kind, Kind::Calculation);
    // What was booked says what the client wants.
    let r = plain(
        "You need to approve a new booking Выезд замерщика for: 11.12.2026\n\nИмя: Ирина\n\
         Телефон: +7(915)700-12-34\nПодробности: Участок 12 соток, нужен забор из профлиста.\n",
    );
    assert_eq!(s(&r.visit_time), Some("11.12.2026"));
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_booked_service_that_is_the_request_kind_names_no_product() {
    // Round 16b (Bookly, Easy!Appointments): `Услуга: Выезд замерщика`,
    // `Service: Консультация в шоуруме` say what is wanted, not what.
    let r = plain("Услуга: Выезд замерщика\nИмя клиента: Наталья\nТелефон клиента: +79162223344\n");
    assert_eq!(s(&r.product), None);
    assert_eq!(r.kind, Kind::Measurement);
    let r = plain(
        "Service: Консультация в шоуруме\nClient name: Игорь\nClient phone: 8-985-640-11-22\n",
    );
    assert_eq!(s(&r.product), None);
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn a_booking_plugins_date_and_time_are_the_visit_time() {
    // Round 16b (Bookly's staff notification, wpautop'ed): `Дата` and
    // `Время` of a booking are when to come.
    let r = html(
        "<p>Здравствуйте.</p>\n<p>У вас новая запись.</p>\n<p>Услуга: Выезд замерщика<br />\nДата: 10.12.2026<br />\n\
         Время: 12:00<br />\nИмя клиента: Геннадий<br />\nТелефон клиента: +79103456789</p>\n",
    );
    assert_eq!(s(&r.visit_time), Some("10.12.2026 12:00"));
    assert_eq!(r.kind, Kind::Measurement);
    // Appointment Hour Booking: `Appointment:  - DATE SLOT (service)`.
    let r = plain(
        "The following booking request has been received:\n\nЗапись на замер:  - 09.12.2026 16:00-17:00 \
         (Замер балкона)\n\n\nEmail: s.g@mail.example\n\nВаше имя: Светлана\n\nТелефон: +7 920 011 22 33\n",
    );
    assert_eq!(s(&r.visit_time), Some("09.12.2026 16:00-17:00"));
    // Easy!Appointments: `Начало` under `Детали назначения`, a zone in
    // brackets stays.
    let r = plain(
        "Детали назначения\nУслуга: Замер\nНачало: 10/12/2026 10:00 (MSK)\nОкончание: 10/12/2026 11:00\n\
         Имя: Наталья\nНомер телефона: +7 916 222-33-44\n",
    );
    assert_eq!(s(&r.visit_time), Some("10/12/2026 10:00 (MSK)"));
    // Do not invent: a form's `Дата:` stamp in a mail about no booking is
    // when it was sent, not a visit.
    let r =
        plain("Имя: Ольга\nТелефон: +7 916 222-33-44\nДата: 07.12.2026 10:15\nНужен замер окон.\n");
    assert_eq!(s(&r.visit_time), None);
}

// ---- round 17b: WordPress long tail (Tripetto, Formello, theme forms) -------

#[test]
fn a_delivery_notice_sent_to_the_owner_by_the_builder_ends_the_clients_text() {
    // Tripetto's footer under the last answer: `Sent to admin@… by Tripetto`.
    let r = html(
        "<p><b>Имя</b><br>Игорь</p><p><b>Телефон</b><br>8-903-777-12-45</p>\
         <p><b>Ваш вопрос</b><br>Перезвоните, пожалуйста, по кухне из каталога.</p>\
         <table><tr><td><div>Sent to <a href=\"#\">admin@kuhni.example</a> by \
         <a href=\"https://tripetto.com\">Tripetto</a></div><div>Get conversational!</div></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Игорь"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните, пожалуйста, по кухне из каталога.")
    );
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn the_entry_number_after_a_subjects_form_title_is_not_part_of_it() {
    // Tripetto: `New submission from %1$s (#%2$d)`.
    let r = plain_with(
        "Subject: New submission from Заявка на замер (#214)\r\n",
        "Имя: Марина\nТелефон: +7 916 245-18-90\n",
    );
    assert_eq!(s(&r.form), Some("Заявка на замер"));
}

#[test]
fn a_bracket_prefix_without_an_entry_number_names_no_form() {
    // Formello's default subject puts the plugin's own name in brackets;
    // weForms' `[Form] New Form Submission #88` numbers the entry.
    let r = plain_with(
        "Subject: [Formello] New form submission\r\n",
        "name: Наталья\nphone: +7 (495) 123-45-67\n",
    );
    assert_eq!(s(&r.form), None);
    let r = plain_with(
        "Subject: [Заказ мебели] New Form Submission #87\r\n",
        "Имя: Наталья\nТелефон: +7 (495) 123-45-67\n",
    );
    assert_eq!(s(&r.form), Some("Заказ мебели"));
}

#[test]
fn a_two_word_letter_from_the_visitors_own_address_is_theirs() {
    // Muffin Group's theme-mail.php: From = the visitor, body = the message.
    let r = read(
        "From: test <test@test.com>\r\nTo: admin@okna.example\r\nSubject: test\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ntest test",
    );
    assert_eq!(s(&r.email), Some("test@test.com"));
    assert_eq!(s(&r.name), Some("test"));
    assert_eq!(r.action, Action::Ignore);
}

// ---- round 17a: Joomla form extensions, Drupal Contact Emails -------------

#[test]
fn a_stripped_table_sent_as_text_pairs_each_label_with_the_value_blank_lines_under_it() {
    // ChronoForms' auto-generated table with 'Send As: Text': the tags are
    // stripped and their tab-indented lines left blank, so every caption
    // stands a few blank lines over its value; `Submitted by IP` closes it.
    let row = |l: &str, v: &str| {
        format!(
            "\t<tr>\r\n\t\t<td>\r\n\t\t\t{l}\r\n\t\t</td>\r\n\t\t<td>\r\n\t\t\t{v}\r\n\t\t</td>\r\n\t</tr>\r\n"
        )
    };
    let table = format!(
        "{}{}{}{}",
        row("Имя", "Виктор Сергеевич"),
        row("Телефон", "89221234567"),
        row("E-mail", "v.s.ivanov@example.ru"),
        row(
            "Сообщение",
            "Нужна смета на кровлю из металлочерепицы, дом 10х12."
        )
    );
    let text = table
        .lines()
        .map(|l| if l.contains('<') { "\t" } else { l })
        .collect::<Vec<_>>()
        .join("\r\n");
    let r = plain(&format!("{text}\r\n\r\nSubmitted by 95.189.4.200\r\n"));
    assert_eq!(s(&r.name), Some("Виктор Сергеевич"));
    assert_eq!(s(&r.phone), Some("+79221234567"));
    assert_eq!(s(&r.email), Some("v.s.ivanov@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Нужна смета на кровлю из металлочерепицы, дом 10х12.")
    );
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_lone_caption_with_its_value_far_below_is_no_stanza_in_a_letter() {
    // Do not invent: one known word alone on a line in a client's letter
    // (no second stanza) stays the client's text.
    let r = plain(
        "Здравствуйте.\r\n\r\nТелефон\r\n\r\n\r\nсломался у мастера, поэтому пишу сюда, нужен замер окон.\r\n",
    );
    assert_eq!(s(&r.phone), None);
    assert!(
        s(&r.message).is_some_and(|m| m.contains("нужен замер окон")),
        "{:?}",
        r.message
    );
}

#[test]
fn fox_contacts_site_rows_after_the_fields_end_the_message() {
    // Fox Contact's <dl class="fields-list">: after the form's own pairs
    // come `Site name`, `Current URL` and the client's device rows.
    let r = html(
        "<dl class=\"fields-list\"><dt>Имя</dt><dd>Ирина</dd><dt>Телефон</dt><dd>+7 (495) 123-45-67</dd>\
         <dt>Сообщение</dt><dd>Какая гарантия на монтаж натяжного потолка?</dd>\
         <dt>Site name</dt><dd>Потолки Люкс</dd><dt>Current URL</dt>\
         <dd><a href=\"https://potolki.example/kontakty.html\">https://potolki.example/kontakty.html</a></dd>\
         <dt>Client device</dt><dd>Desktop</dd><dt>Client browser</dt><dd>Chrome 120</dd>\
         <dt>Client IP address</dt><dd>91.77.12.5</dd></dl>",
    );
    assert_eq!(
        s(&r.message),
        Some("Какая гарантия на монтаж натяжного потолка?")
    );
    assert_eq!(s(&r.page), Some("https://potolki.example/kontakty.html"));
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn rsform_subject_names_the_form_in_single_quotes() {
    // RSForm! Pro's wizard subject `New submission from 'Form'!`.
    let r = plain_with(
        "Subject: New submission from 'Вызов замерщика'!\r\n",
        "Имя: Галина\r\nТелефон: 8 (910) 555-12-34\r\n",
    );
    assert_eq!(s(&r.form), Some("Вызов замерщика"));
}

#[test]
fn a_hidden_field_caption_with_a_url_is_the_page() {
    // ChronoForms writes a hidden field's row as `Hidden #7`: a full URL in
    // it is the page the form was sent from; anything else is no page.
    let r = html(
        "<table><tr><td><strong>Имя</strong></td><td>Андрей</td></tr>\
         <tr><td><strong>Телефон</strong></td><td>+7 912 600-70-80</td></tr>\
         <tr><td>Hidden #7</td><td>https://zabory.example/zabor-iz-proflista/</td></tr>\
         <tr><td>Hidden #8</td><td>42</td></tr></table>",
    );
    assert_eq!(
        s(&r.page),
        Some("https://zabory.example/zabor-iz-proflista/")
    );
}

#[test]
fn one_long_sentence_running_on_across_a_colon_is_the_letters() {
    // SP Page Builder's Ajax Contact sends only the visitor's text: a
    // sentence whose verb runs on past a colon to its full stop is theirs,
    // not a `Label: value` pair.
    let r = plain(
        "Добрый день!\r\n\r\nМаркетплейс «СтройМаркет» предлагает партнёрство: разместим ваши услуги по \
         остеклению в нашем каталоге, комиссия 5% с заказа.\r\n\r\nПодробности пришлём в ответном письме.\r\n",
    );
    assert!(pairs(&r).is_empty(), "{:?}", pairs(&r));
    assert!(
        s(&r.message).is_some_and(|m| m.contains("предлагает партнёрство: разместим")),
        "{:?}",
        r.message
    );
}

#[test]
fn quoted_title_before_form_was_submitted_and_after_completed_your_survey_is_the_form() {
    // TellForm / FormSG: `A "X" form was submitted on …` over the table.
    let r = html(
        "<p>Dear Sir/Madam,</p><p>A \"Обратный звонок\" form was submitted on Mon Dec 07 2026.</p>\
         <table><tr><td><strong>Ваше имя</strong></td><td>Олег</td></tr>\
         <tr><td><strong>Телефон</strong></td><td>+7-912-345-67-89</td></tr></table>",
    );
    assert_eq!(s(&r.form), Some("Обратный звонок"));
    // Formbricks: `Someone just completed your survey: X`.
    let r = plain(
        "Congrats, you received a new response to your survey! Someone just completed your survey: Задать вопрос\r\n\r\n\
         Имя: Наталья\r\nТелефон: 89261112233\r\n",
    );
    assert_eq!(s(&r.form), Some("Задать вопрос"));
    // A quote that is not followed by `form was submitted` names no form.
    let r = plain(
        "Сообщение: Нужен \"тёплый\" балкон, формат остекления обсудим\r\nТелефон: 89261112233\r\n",
    );
    assert_eq!(s(&r.form), None);
}

#[test]
fn a_builders_results_button_and_notification_settings_links_are_not_the_message() {
    // Typebot's `Go to results` button under the answers; Formbricks'
    // `View survey summary` and `Don't want to get these notifications?`.
    let r = html(
        "<div><b>Имя</b>: Тарас</div><div><b>Телефон</b>: +38 050 123 45 67</div>\
         <div><b>Комментарий</b>: Потрібен замір на три вікна.</div>\
         <a href=\"https://bot.example/typebots/x/results\">Go to results</a>",
    );
    assert_eq!(s(&r.message), Some("Потрібен замір на три вікна."));
    let r = plain(
        "Имя: Сергей\r\nТелефон: +7 903 555-66-77\r\nСообщение: Посчитайте забор 45 м\r\n\
         View survey summary\r\nDon't want to get these notifications?\r\n\
         Turn off notifications for this form\r\n",
    );
    assert_eq!(s(&r.message), Some("Посчитайте забор 45 м"));
}

// ---------- round 18b (helper r18b) ----------

#[test]
fn a_shops_signoff_card_under_the_fields_is_not_the_clients() {
    // X-Cart's signature.tpl under the form: `Thank you for choosing our
    // store!` over the shop's name, phone, fax and URL -- none of it is the
    // client's (no second phone, no page).
    let r = html(
        "<table><tr><td>Имя:</td><td>Светлана</td></tr><tr><td>Телефон:</td><td>8 (912) 480-22-31</td></tr>\
         <tr><td>Сообщение:</td><td>Сколько стоит окно с монтажом?</td></tr></table>\
         <hr />Спасибо, что выбрали наш магазин!<p>Окна Пермь<br />Телефон: +7 (342) 200-10-10<br />\
         Факс: +7 (342) 200-10-11<br />URL: <a href=\"https://okna-perm.example/\">https://okna-perm.example</a></p>",
    );
    assert_eq!(r.phones, vec!["+79124802231".to_string()]);
    assert_eq!(s(&r.page), None);
    let r = plain(
        "Имя: Павел\r\nТелефон: 89036667788\r\n\r\n--\r\nThank you for choosing our store!\r\n\r\nЛестницы\r\n\
         Phone:     8 (4822) 60-70-80\r\nURL:       https://lestnicy.example\r\n",
    );
    assert_eq!(r.phones, vec!["+79036667788".to_string()]);
    assert_eq!(s(&r.page), None);
}

#[test]
fn a_padded_label_colon_then_the_templates_colon_is_one_separator() {
    // X-Cart's mail_truncate pads `Username:` to a fixed width and the
    // template adds `: ` again: `Username:      : Марина`.
    let r = plain(
        "Имя пользователя:             : Марина\r\n\
         E-mail:                                      : marina@example.ru\r\n\
         Phone:                                       : 8 921 333 44 55\r\n",
    );
    assert_eq!(s(&r.name), Some("Марина"));
    assert_eq!(s(&r.email), Some("marina@example.ru"));
    assert_eq!(r.phones, vec!["+79213334455".to_string()]);
}

#[test]
fn a_shops_sentence_names_the_product_asked_about() {
    // X-Cart: `Someone asked a question about X at URL:` over the question;
    // PrestaShop modules: `… asked to you about this product: X.`.
    let r = plain(
        "Username: Марина\r\nPhone: 8 921 333 44 55\r\n\r\n---------------------\r\n\
         Someone asked a question about Паркетная доска Дуб Натур at https://parket.example:\r\n\r\n\
         Подскажите цену за квадратный метр с укладкой.\r\n",
    );
    assert_eq!(s(&r.product), Some("Паркетная доска Дуб Натур"));
    assert_eq!(
        s(&r.message),
        Some("Подскажите цену за квадратный метр с укладкой.")
    );
    assert_eq!(s(&r.page), None);
    assert_eq!(r.kind, Kind::Calculation);
    let r = html(
        "<table><tr><td>Посетитель задал вопрос о товаре <a href=\"https://dveri.example/p?id=5\">Дверь «Термо-3»</a>:\
         </td></tr></table><table><tr><td>Имя пользователя:</td><td>Олег</td></tr>\
         <tr><td>Телефон:</td><td>+7 927 011-22-33</td></tr><tr><td>Сообщение:</td><td>Есть в наличии?</td></tr></table>",
    );
    assert_eq!(s(&r.product), Some("Дверь «Термо-3»"));
    assert_eq!(s(&r.message), Some("Есть в наличии?"));
    let r = plain(
        "Hello,\r\n\r\nA new question has been asked to you about this product: Кухня Лофт 3 м.\r\n\r\n\
         Сможете сделать под размер? Мой телефон 8-913-765-43-21.\r\n\r\n\
         You can post your answer into Customer thread interface of your shop.\r\n",
    );
    assert_eq!(s(&r.product), Some("Кухня Лофт 3 м"));
    assert_eq!(
        s(&r.message),
        Some("Сможете сделать под размер? Мой телефон 8-913-765-43-21.")
    );
}

#[test]
fn street_and_city_asked_apart_make_one_address() {
    // A shop's contact form asks `Адрес` and `Город` in separate rows.
    let r = plain(
        "Имя: Николай\r\nАдрес: ул. Садовая, 14\r\nГород: Курск\r\nТелефон: +7 903 870-15-16\r\n",
    );
    assert_eq!(s(&r.address), Some("ул. Садовая, 14, Курск"));
    // The same place twice is not repeated.
    let r = plain(
        "Имя: Николай\r\nАдрес: Курск, ул. Садовая, 14\r\nГород: Курск\r\nТелефон: +7 903 870-15-16\r\n",
    );
    assert_eq!(s(&r.address), Some("Курск, ул. Садовая, 14"));
}

#[test]
fn from_the_visitor_with_their_email_field_and_own_website_is_theirs() {
    // X-Cart's contact form: From the visitor, no Reply-To, `E-mail:` the
    // same address, and `Веб-сайт:` their own company's site on its domain.
    let r = read(
        "From: d.orlov@leadmarket.example\r\nTo: support@okna-kirov.example\r\nSubject: Окна: Сотрудничество\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Имя: Денис\r\nТелефон: +7 (495) 120-30-40\r\nE-mail: d.orlov@leadmarket.example\r\n\
         Веб-сайт: https://leadmarket.example\r\nСообщение: Предлагаем лидогенерацию для оконных компаний.\r\n",
    );
    assert_eq!(s(&r.email), Some("d.orlov@leadmarket.example"));
}

// ---- round 19b -------------------------------------------------------------

#[test]
fn markdown_bold_captions_between_rules_are_fields_not_framed_text() {
    // OpnForm's markdown notification sent as text: a rule of 80 dashes,
    // `**Caption**` and its value on the next line, per field. The block
    // between the first two rules is a field, not the client's text (the
    // Laravel text part opens with the app's `Name: URL` line).
    let dashes = "-".repeat(80);
    let r = plain(&format!(
        "OpnForm: https://okna.example\r\n\r\nHello there\r\n\r\nYour form \"Замер\" has a new submission.\r\n\r\n\r\n{dashes}\r\n\r\n\
         **Имя**\r\nОльга Мельникова\r\n\r\n{dashes}\r\n\r\n**Телефон**\r\n+79161234567\r\n\r\n{dashes}\r\n\r\n\
         **Комментарий**\r\nКогда сможет приехать замерщик?\r\n"
    ));
    assert_eq!(s(&r.name), Some("Ольга Мельникова"));
    assert_eq!(s(&r.phone), Some("+79161234567"));
    assert_eq!(s(&r.message), Some("Когда сможет приехать замерщик?"));
    // Zen Cart's plain text client text between two rules still reads.
    let r = plain(
        "Имя: Иван\r\nТелефон: +7 912 345-67-89\r\n\r\n----------\r\nНужен замер двух окон в квартире\r\n\
         ----------\r\n",
    );
    assert_eq!(s(&r.message), Some("Нужен замер двух окон в квартире"));
}

#[test]
fn a_camel_case_data_key_ends_the_message() {
    // Payload's `{{*}}`: `name : value` lines joined by `<br />`, the
    // submission id appended last under the message.
    let r = html(
        "<div><p>Заявка:</p><p>full-name : Марина <br /> phone : +7 926 300 11 22 <br /> \
         message : Нужен замер кухни. <br /> formSubmissionID : 6754a1f3c2be9a0012d4e7f1</p></div>",
    );
    assert_eq!(s(&r.message), Some("Нужен замер кухни."));
    assert!(pairs(&r).contains(&("formSubmissionID", "6754a1f3c2be9a0012d4e7f1")));
}

#[test]
fn a_back_office_notice_under_the_message_is_the_sites() {
    // A Strapi hook: `<h3>Please check the CMS system for more details!</h3>`
    // right under the `Message:` paragraph.
    let r = html(
        "<h1> * * * </h1><div><h2>Дмитрий sent you a new contact form.</h2><p>User name: Дмитрий</p>\
         <p>User phone: +7 913 222 44 55</p><p>Message: Вы работаете с деревянными домами?</p>\
         <h3>Please check the CMS system for more details!</h3></div><h1> * * * </h1>",
    );
    assert_eq!(s(&r.message), Some("Вы работаете с деревянными домами?"));
    let r = plain(
        "Имя: Ольга\r\nСообщение: Нужен расчёт кухни\r\nПодробнее смотрите в админке сайта\r\n",
    );
    assert_eq!(s(&r.message), Some("Нужен расчёт кухни"));
}

#[test]
fn my_phone_line_under_the_clients_unlabelled_text_stays_in_it() {
    // A text body `Name: …<br/>Email: …<br/><br/>` + the client's letter with
    // `<br/>` for its line breaks (a Strapi hook's text/plain).
    let r = plain(
        "Name: Елена<br/>Email: elena@mail.example<br/><br/>Здравствуйте.<br/>Сколько будет стоить замена \
         4 окон?<br/>Мой телефон: 8 (911) 234-56-78\r\n",
    );
    assert_eq!(s(&r.phone), Some("+79112345678"));
    assert_eq!(
        r.message
            .as_deref()
            .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some(
            "Здравствуйте. Сколько будет стоить замена 4 окон? Мой телефон: 8 (911) 234-56-78"
                .to_string()
        )
    );
    // A form's own `Телефон:` caption after a blank line is still a field.
    let r = plain("Здравствуйте, нужен замер.\r\n\r\nТелефон: 8 (911) 234-56-78\r\n");
    assert!(pairs(&r).contains(&("Телефон", "8 (911) 234-56-78")));
    // A form's first-person caption under its title is a field too.
    let r = plain("Заявка с сайта\r\nМой телефон: 8 (911) 234-56-78\r\nИмя: Елена\r\n");
    assert!(pairs(&r).contains(&("Мой телефон", "8 (911) 234-56-78")));
}

#[test]
fn an_intro_through_your_form_names_the_form() {
    // Form Tools' e-mail patterns: `There has been a submission made
    // through your form, X:` (ru/uk: `… через вашу форму, X:`).
    let r = plain(
        "There has been a submission made through your form, Contact:\r\n\r\nName: Mark\r\n\
         Phone: +1 (415) 555-0199\r\n",
    );
    assert_eq!(s(&r.form), Some("Contact"));
    let r = html(
        "<p>\n  Там было сделано представление через вашу форму, Расчёт кровли:\n</p>\n<table>\
         <tr><td style=\"font-weight: bold\">Имя</td><td>Павел</td></tr></table>",
    );
    assert_eq!(s(&r.form), Some("Расчёт кровли"));
}

#[test]
fn a_web_form_footer_link_is_the_page() {
    // Moodle local_contact: `<li><strong>Web Form:</strong> <a>referer</a></li>`;
    // its `From IP address:` row is the visitor's IP, a field of its own.
    let r = html(
        "<strong>Name :</strong> Ирина<br>\n<strong>Phone :</strong> +7 921 640-22-18<br>\n\
         <p><strong>Message :</strong></p><p>Сколько стоит балкон?</p><hr>\n<ul>\n\
         <li><strong>From IP address:</strong> 95.55.120.14</li>\n\
         <li><strong>Web Form:</strong> <a href=\"https://okna.example/contact/\">https://okna.example/contact/</a></li>\n</ul>",
    );
    assert_eq!(s(&r.page), Some("https://okna.example/contact/"));
    assert_eq!(s(&r.message), Some("Сколько стоит балкон?"));
}

#[test]
fn a_new_request_from_name_via_the_site_subject_names_the_client() {
    // A Strapi hook's `Новая заявка от ${name} с сайта x.ru`, the body the
    // message only.
    let r = plain_with(
        "Subject: =?UTF-8?B?0J3QvtCy0LDRjyDQt9Cw0Y/QstC60LAg0L7RgiDQoNC+0LzQsNC9INGBINGB0LDQudGC0LAgb2tuYS5leGFtcGxl?=\r\n",
        "Нужен замерщик для шкафа-купе. Телефон +7 927 612-34-56\r\n",
    );
    assert_eq!(s(&r.name), Some("Роман"));
}

// ---- round 19a: Russian/Ukrainian CMS and shop engines -------------------

fn html_subject(subject: &str, from: &str, body: &str) -> Request {
    read(&format!(
        "From: {from}\r\nTo: sales@okna.example\r\nSubject: {subject}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}"
    ))
}

#[test]
fn an_address_caption_over_only_an_email_is_the_return_address() {
    // LiveStreet's feedback plugin: `Обратный адрес:` / `Зворотня адреса:`.
    let r = html(
        "<strong>Имя пользователя:</strong> Марина<br/>\n<strong>Обратный адрес:</strong> marina.k@example.ru<br/>\n\
         <br/>\n<strong>Текст сообщения:</strong><br/>\nСколько будет стоить кухня 3 м?<br/>",
    );
    assert_eq!(s(&r.email), Some("marina.k@example.ru"));
    assert_eq!(s(&r.address), None);
}

#[test]
fn an_ip_caption_written_as_a_sentence_is_no_message() {
    // LiveStreet's English skin: `IP address from which the message was sent:`.
    let r = html(
        "<strong>Username:</strong> Pavel<br/>\n<strong>Feedback:</strong> pavel@example.com<br/>\n<br/>\n\
         <strong>IP address from which the message was sent:</strong><br/>\n188.162.4.21\n<br/>\n\
         <strong>Message:</strong><br/>\nPlease call me back about an entrance door, my number is +7 921 334-55-66.\n\
         <br/>",
    );
    assert_eq!(
        s(&r.message),
        Some("Please call me back about an entrance door, my number is +7 921 334-55-66.")
    );
    assert_eq!(s(&r.phone), Some("+79213345566"));
}

#[test]
fn thead_captions_over_a_row_with_an_image_only_cell_keep_their_columns() {
    // NGCMS eshop's basket: `Фото | Наименование | Стоимость | Количество`
    // over an image cell, the linked title and numbers; the `tfoot` total
    // under `colspan=3` is no row of the grid; the count beside the sums is
    // the ordered quantity, not the project's size; a heading ends the
    // value above it.
    let r = html(
        "<h3>Уважаемый администратор!</h3>Тип: Купить в один клик<br />\n<h4>Параметры формы:</h4>\
         <table><tr><td><b>Имя:</b></td><td>Ринат</td></tr><tr><td><b>Телефон:</b></td><td>8-927-600-12-34</td></tr>\
         <tr><td><b>Комментарий:</b></td><td>Перезвоните, пожалуйста, уточню цвет.</td></tr></table>\
         <h3>Корзина заказа:</h3><table><thead><tr><td>Фото</td><td>Наименование</td><td>Стоимость</td>\
         <td>Количество</td></tr></thead><tbody><tr><td><img src=\"https://shop.example/i.jpg\" /></td>\
         <td><a href=\"https://shop.example/p.html\">Ламинат Egger дуб Чезена</a></td><td>1150.00</td><td>42</td></tr>\
         </tbody><tfoot><tr><td colspan=\"3\">Итого к оплате :</td><td>48300.00</td></tr></tfoot></table>",
    );
    assert_eq!(s(&r.product), Some("Ламинат Egger дуб Чезена"));
    assert_eq!(s(&r.scope), None);
    assert_eq!(s(&r.name), Some("Ринат"));
    assert!(pairs(&r).contains(&("Тип", "Купить в один клик")));
    assert!(!pairs(&r).iter().any(|(l, _)| *l == "Фото"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_quantity_beside_a_price_is_no_scope_but_a_count_of_rooms_is() {
    let order = plain(
        "Имя: Алексей\nТелефон: 8 903 111-22-33\nВ количестве: 40\nНа общую сумму: 22400 р.\n",
    );
    assert_eq!(s(&order.scope), None);
    let rooms =
        plain("Имя: Алексей\nТелефон: 8 903 111-22-33\nКоличество: 40\nКомментарий: Нужен замер\n");
    assert_eq!(s(&rooms.scope), Some("40"));
}

#[test]
fn a_title_naming_the_request_kind_is_no_message_when_the_message_is_empty() {
    // Okay 2.4's callback: `Запрос на обратный звонок` over `Сообщение:` left
    // empty; `Приятной работы с Okay!` under the fields is the sign-off.
    let r = html_subject(
        "Заявка на обратный звонок от Салават",
        "Салават <89272223344>",
        "<table><tr><td><div style=\"text-align: right;\"><strong>Запрос на обратный звонок</strong></div></td></tr>\
         </table><div><b><span>Информация</span></b><br /></div>\n<div>\
         <em><strong>Имя&nbsp;</strong></em><span> Салават</span><br />\n\
         <em><strong>Телефон:&nbsp;</strong></em><span> 89272223344</span><br />\n\
         <em><strong>Сообщение:&nbsp;</strong></em><span> </span><br />\n\
         <em><strong>Страница обращения&nbsp;</strong><a href=\"https://vorota.example/\">https://vorota.example/</a>\
         </em></div><div>Подробней о работе с админ-панелью читайте на сайте<br /><a href=\"https://okay-cms.com\">\
         okay-cms.com</a></div>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.phone), Some("+79272223344"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn the_admin_mails_sign_off_under_the_fields_is_no_message() {
    // Okay 1.x: `Приятной работы с Okay!` under the callback's table.
    let r = html_subject(
        "Заявка на обратный звонок от Владимир",
        "Владимир <8 (904) 012-34-56>",
        "<h1>Заявка на обратный звонок от Владимир</h1><table><tr><td>Имя</td><td>Владимир</td></tr>\
         <tr><td>Телефон</td><td>8 (904) 012-34-56</td></tr><tr><td>Страница обращения</td><td>\
         <a href=\"http://dveri.example/catalog\">http://dveri.example/catalog</a></td></tr></table>\
         <div>Приятной работы с <a href='http://okay-cms.com'>Okay</a>!</div>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.page), Some("http://dveri.example/catalog"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn the_sender_the_subject_names_is_the_field_that_holds_exactly_that() {
    // Okay's admin mails label the visitor's name `Название` / `Назва`.
    let r = html_subject(
        "Вопрос от пользователя Ирина Олеговна",
        "noreply@shkafy.example",
        "<table><tr><td><span>Название:</span></td><td><span>Ирина Олеговна</span></td></tr>\
         <tr><td><span>Email:</span></td><td><span>irina@example.ru</span></td></tr>\
         <tr><td><span>Комментарий:</span></td><td><span>Сколько стоит шкаф-купе 2400х2600?</span></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Ирина Олеговна"));
    // No field holds what the subject names: no name is invented from it.
    let none = html_subject(
        "Вопрос от пользователя Ирина Олеговна",
        "noreply@shkafy.example",
        "<table><tr><td><span>Название:</span></td><td><span>Шкаф-купе</span></td></tr>\
         <tr><td><span>Email:</span></td><td><span>irina@example.ru</span></td></tr>\
         <tr><td><span>Комментарий:</span></td><td><span>Сколько стоит шкаф-купе 2400х2600?</span></td></tr></table>",
    );
    assert_eq!(s(&none.name), None);
    assert_eq!(none.action, Action::Lead);
}

// ---- held-out round 20a ----------------------------------------------------

#[test]
fn text_between_a_woocommerce_banner_and_a_dash_rule_is_the_message() {
    // Dokan's plain contact-vendor mail: `=-=` banners frame the heading and
    // the `From : name (email)` line; the client's text stands between the
    // last banner and the 40-dash rule over the shop's footer.
    let ban = "=-=".repeat(14);
    let dash = "-".repeat(40);
    let r = plain(&format!(
        "{ban}\r\nНиколай - Sent a message from Окна\r\n{ban}\r\n\r\nFrom : Николай (n.p@example.ru)\r\n{ban}\r\n\r\n\
         Ищу работу монтажником окон, опыт 7 лет.\r\nРассмотрите резюме? Тел. +7 (917) 555-00-11\r\n\r\n{dash}\r\n\r\n\
         Окна &mdash; Built with WooCommerce\r\n"
    ));
    assert_eq!(
        s(&r.message),
        Some(
            "Ищу работу монтажником окон, опыт 7 лет.\nРассмотрите резюме? Тел. +7 (917) 555-00-11"
        )
    );
    assert_eq!(r.phones, vec!["+79175550011".to_string()]);
    assert_eq!(r.action, Action::Trash);
    // A banner with no closing dash rule frames nothing.
    let r = plain(&format!(
        "From : Николай (n.p@example.ru)\r\n{ban}\r\n\r\nНужен замер окон\r\n"
    ));
    assert_eq!(s(&r.message), None);
}

#[test]
fn sentence_style_captions_of_product_question_modules() {
    // Magento 2 Internship_ProductQuestion: `Question from:` names the
    // asker, `Question content is:` holds the question.
    let r = html(
        "<p>Question from: Ірина</p>\n<br/>\n<p>For product: VIKNO-1300</p>\n<br/>\n\
         <p>Question content is: Скільки коштуватиме вікно з монтажем? Мій номер 050 123 45 67.</p>\n<br/>\n\
         <p>Send reply to: iryna@example.com.ua</p>\n<br/>",
    );
    assert_eq!(s(&r.name), Some("Ірина"));
    assert_eq!(
        s(&r.message),
        Some("Скільки коштуватиме вікно з монтажем? Мій номер 050 123 45 67.")
    );
    assert_eq!(s(&r.email), Some("iryna@example.com.ua"));
}

#[test]
fn a_heading_pair_ends_at_its_line_and_the_moderation_link_is_no_text() {
    // MultiVendorX's product Q&A notice: `<h1>Product Query: X</h1>`, a
    // greeting, the site's sentence naming the buyer, the query, then
    // `You can approve or reject query from here : URL`.
    let r = html(
        "<h1>Product Query: Шкаф-купе «Сити»</h1>\n<p>Hi Шкафы,<br><br>\n\
         A new query has been added by your potential buyer - Ирина Соколова<br>\n\
         Product Name : Шкаф-купе «Сити»<br>\nQuery : Есть ли этот шкаф с зеркалом? Тел. 8 912 000-11-22<br>\n\
         You can approve or reject query from here : https://shop.example/dashboard/products-qna/<br><br>\n\
         Note: Quick replies help to maintain a friendly customer-buyer relationship</p>",
    );
    assert_eq!(s(&r.product), Some("Шкаф-купе «Сити»"));
    assert_eq!(s(&r.name), Some("Ирина Соколова"));
    assert_eq!(
        s(&r.message),
        Some("Есть ли этот шкаф с зеркалом? Тел. 8 912 000-11-22")
    );
    // A role after the dash is not a name.
    let r = html(
        "<p>A new query has been added by your potential buyer - Покупатель<br>\n\
         Query : Есть ли доставка? Тел. 8 912 000-11-22</p>",
    );
    assert_eq!(s(&r.name), None);
}

// ---- round 20b: live-chat offline messages and help-desk ticket mails ------

#[test]
fn an_empty_caption_after_the_clients_paragraphs_ends_their_message() {
    // Live Helper Chat's offline form: `Additional data, if any:` left
    // empty under the message, then the page's caption.
    let r = plain(
        "Hello,\n\nUser request data:\nName: Ирина\nPhone: +7 (916) 245-18-07\n\nMessage:\nНужен замер окон.\n\
         Когда приедет замерщик?\n\nAdditional data, if any:\n\n\nURL of page from which user has send request:\n\
         https://okna.example/plastikovye-okna/\n\nSincerely,\nLive Support Team",
    );
    assert_eq!(
        s(&r.message),
        Some("Нужен замер окон.\nКогда приедет замерщик?")
    );
    assert_eq!(s(&r.page), Some("https://okna.example/plastikovye-okna/"));
    // A caption of the client's own over their next lines stays theirs.
    let own = plain("Имя: Ирина\nСообщение:\nДобрый день.\n\nИ ещё:\nесть ли скидки на окна?\n");
    assert!(s(&own.message).is_some_and(|m| m.contains("И ещё:")));
}

#[test]
fn chat_transcript_lines_under_the_message_are_the_clients_text() {
    // Live Helper Chat's unaccepted-chat mail: `Y-m-d H:i:s Nick: text`.
    let r = plain(
        "Hello,\n\nUser request data:\nName: Visitor\nEmail: \nPhone: +7 915 777 20 30\n\nMessage:\n\
         2026-12-07 11:05:32 Visitor: Вы ставите заборы из евроштакетника в Чехове?\n\
         2026-12-07 11:06:01 Visitor: Участок 60 метров.\n\n\
         URL of page from which user has send request:\nhttps://zabory.example/evroshtaketnik/\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Вы ставите заборы из евроштакетника в Чехове?\nУчасток 60 метров.")
    );
    // The stamp is no date field, and the widget's default nick no name.
    assert_eq!(s(&r.visit_time), None);
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.phone), Some("+79157772030"));
}

#[test]
fn the_visitor_named_in_a_leave_message_intro_is_the_client() {
    // Mibew: `Your have a message from X:` (3.x) and `Ваш посетитель 'X'
    // оставил сообщение:` (1.6, wrapped at 70 bytes by PHP's wordwrap).
    let en = plain(
        "Your have a message from John Miller:\n\nDo you install picket fences?\n\nHis email: j@example.com\n",
    );
    assert_eq!(s(&en.name), Some("John Miller"));
    let ru = plain(
        "Ваш посетитель 'Алла Викторовна'\nоставил сообщение:\n\nПерезвоните, пожалуйста, по номеру +7 (4822) \
         55-16-90.\n\nЕmail: alla@example.ru\n",
    );
    assert_eq!(s(&ru.name), Some("Алла Викторовна"));
    // A site's own sentence naming no person gives no name.
    let none = plain("You have a new message from Website:\n\nСколько стоит забор?\n");
    assert_eq!(s(&none.name), None);
}

#[test]
fn a_help_desk_sentence_naming_the_ticket_author_gives_name_and_address() {
    // UVdesk's agent mail: `… generated by X from the id a@b.` and the
    // template's `Thanks and Regards` sign-off under the message.
    let r = html(
        "<br />Hello Ольга,\n<p>A new ticket 7 has been generated by Наталія Гринюк from the id natalia@example.com. \
         Hit on the link provided so that you can have the access to the ticket #7.</p>\n\
         <p>Here goes the ticket message:</p>\n<p>Передзвоніть мені щодо вікон. 050 123 45 67\n    <br />\n</p>\n\
         <p>\n    <br />\n</p> Thanks and Regards\n<p></p>\n<p>Вікна Рівне\n    <br />\n</p>",
    );
    assert_eq!(s(&r.name), Some("Наталія Гринюк"));
    assert_eq!(s(&r.email), Some("natalia@example.com"));
    assert_eq!(
        s(&r.message),
        Some("Передзвоніть мені щодо вікон. 050 123 45 67")
    );
    assert_eq!(s(&r.phone), Some("+380501234567"));
}

#[test]
fn lines_captioned_with_the_writer_of_x_wrote_are_the_clients_text() {
    // Chatwoot's new-conversation mail: `<strong>X</strong> wrote:`, then
    // an `<h4>X</h4>` heading over each of X's messages.
    let r = html(
        "<p>Hi Ольга</p>\n<p>\n  A new conversation (<a href=\"https://chat.example/c/58\">#58</a>) has been created in \
         Сайт.\n  <strong>Анна Петрова</strong> wrote:\n</p>\n<div><h4 style=\"margin: 0;\">Анна Петрова</h4></div>\n\
         <div><p>Здравствуйте!</p></div>\n<div><h4 style=\"margin: 0;\">Анна Петрова</h4></div>\n\
         <div><p>Сколько стоит кухня 2,4 м? Мой телефон +7 903 111-22-33</p></div>",
    );
    assert_eq!(s(&r.name), Some("Анна Петрова"));
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте!\nСколько стоит кухня 2,4 м? Мой телефон +7 903 111-22-33")
    );
    assert_eq!(r.kind, Kind::Calculation);
    // A widget's generated contact name (`damp-wood-5021`) is no name; its
    // lines are still the client's text.
    let anon = html(
        "<p>A new conversation (#9) has been created in Виджет.\n<strong>damp-wood-5021</strong> wrote:</p>\n\
         <div><h4>damp-wood-5021</h4></div>\n<div><p>Нужен замер потолка. Телефон 89161234567</p></div>",
    );
    assert_eq!(s(&anon.name), None);
    assert_eq!(
        s(&anon.message),
        Some("Нужен замер потолка. Телефон 89161234567")
    );
}

#[test]
fn a_plus_number_cut_by_a_hard_line_wrap_is_one_phone() {
    // Mibew sends the body through PHP's wordwrap(…, 70).
    let r = plain(
        "Your have a message from John Miller:\n\nHello, do you install metal picket fences? I can be reached at +7 921 555 66\n\
         77.\n\nHis email: john@example.com\n",
    );
    assert_eq!(r.phones, vec!["+79215556677".to_string()]);
    // A whole number at a line's end and digits on the next line stay apart.
    let two = plain("Телефон: +7 921 555 66 77\n12 окон нужно заменить\n");
    assert_eq!(two.phones, vec!["+79215556677".to_string()]);
    // Without a `+` the digits on two lines are two values.
    let none = plain("Сообщение: размеры 921 555 66\n77 см\n");
    assert!(none.phones.is_empty());
}

// ---- round 21a: cost calculators and quiz plugins -------------------------

#[test]
fn quiz_results_subject_names_the_quiz_and_empty_per_question_comments_take_no_next_question() {
    // Quiz And Survey Master's admin e-mail: `Quiz results for X`, contact
    // lines, then per question `N. Q` / `Answer Provided:` / `Correct
    // Answer:` / `Comments Entered:` -- the comment left empty must not take
    // the next question's heading; the filled one is the client's message.
    let r = read(
        "From: Кухни <admin@kuhni.example>\r\nTo: zakaz@kuhni.example\r\n\
         Subject: Quiz results for Рассчитайте стоимость кухни\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Имя: Алсу<br>Телефон: +7 (987) 210-44-35<br></p><div>\
         <div><b>1. Какая форма кухни?</b><br/>Answer Provided: Угловая<br/>Correct Answer: <br/>Comments Entered: </div>\
         <div><b>2. Длина гарнитура, м</b><br/>Answer Provided: 2,8 + 1,9<br/>Correct Answer: <br/>Comments Entered: </div>\
         <div><b>3. Столешница из камня?</b><br/>Answer Provided: Да<br/>Correct Answer: <br/>\
         Comments Entered: Сколько выйдет с установкой?</div></div>",
    );
    assert_eq!(s(&r.form), Some("Рассчитайте стоимость кухни"));
    assert_eq!(s(&r.message), Some("Сколько выйдет с установкой?"));
    assert_eq!(s(&r.name), Some("Алсу"));
    // `Комментарий:` over the client's text on the next line stays theirs.
    let r =
        plain("Имя: Олег\nТелефон: +7 912 345-67-89\nКомментарий:\nНужен замер окон в субботу\n");
    assert_eq!(s(&r.message), Some("Нужен замер окон в субботу"));
}

#[test]
fn office_move_calculator_glued_name_caption_preamble_item_counts_and_total() {
    // A hand-written PHP calculator: `"Name:".$name` with no newline before
    // `Email:`, a `email sent from www.site` preamble, item counts under
    // things' names and the computed `Стоимость`, no words of the client's.
    let r = plain_with(
        "Subject: Ольга\r\n",
        "email sent from www.pereezd.example\nName:ОльгаEmail: olga@example.ru\nPhone: +7 495 123-45-67\n\n\
         Офисный переезд: \n\nСтол: 8\n\nШкаф: 3\n\nЭтаж загрузки: 3\n\nСтоимость: 23450\n\n",
    );
    assert_eq!(s(&r.name), Some("Ольга"));
    assert_eq!(s(&r.email), Some("olga@example.ru"));
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.product), None);
    assert_eq!(r.kind, Kind::Calculation);
    // A named thing stays the product; a shop's order names its product, so
    // its price does not make it a calculation.
    let r = plain("Имя: Олег\nТелефон: +7 912 345-67-89\nШкаф: Купе 2 м\n");
    assert_eq!(s(&r.product), Some("Купе 2 м"));
    let r = plain("Имя: Олег\nТелефон: +7 912 345-67-89\nТовар: Дверь «Лайн»\nЦена: 12 500\n");
    assert_eq!(r.kind, Kind::Callback);
    // Not glued: a time, a link, a phone after a caption.
    let r = plain("Имя: Олег\nТелефон:+7 912 345-67-89\nВремя: 12:00\n");
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(r.phones, vec!["+79123456789".to_string()]);
}

#[test]
fn calculator_caption_with_a_unit_or_a_total_without_a_message_is_a_calculation() {
    // Calculated Fields Form: `Довжина паркану, м: 42` -- the unit is in the
    // caption, so the bare number is a size.
    let r = plain("Ім'я: Василь\nТелефон: 067 123 45 67\nДовжина паркану, м: 42\n");
    assert_eq!(s(&r.scope), Some("42"));
    assert_eq!(r.kind, Kind::Calculation);
    // `Разом, грн: 61 320` alone: the form computed a price.
    let r = plain("Ім'я: Василь\nТелефон: 067 123 45 67\nРазом, грн: 61 320\n");
    assert_eq!(r.kind, Kind::Calculation);
    // A bare count with no unit, no price and no words stays a callback.
    let r = plain("Имя: Олег\nТелефон: +7 912 345-67-89\nКоличество: 4\n");
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn picked_thing_caption_is_the_product() {
    // A window-price calculator's `Выбрано окно: Балконный блок`.
    let r = plain("Клиент: Сергей\nТелефон: +7(920)634-18-90\nВыбрано окно: Балконный блок\n");
    assert_eq!(s(&r.product), Some("Балконный блок"));
    // `Выбран замер` is no thing's caption.
    let r = plain("Клиент: Сергей\nТелефон: +7(920)634-18-90\nВыбрано время: вечер\n");
    assert_eq!(s(&r.product), None);
}

#[test]
fn a_classifieds_sentence_with_the_senders_contacts_in_brackets_names_them_and_the_listing() {
    // Osclass's item inquiry: PHPMailer 5's html2text glues the paragraphs
    // of the text alternative; the HTML keeps them and is read instead.
    let html_part = "<p>Hi АН «Квадрат»!</p><p>Анна Кравец (anna@mail.example, +7 (926) 118-40-52) left you a \
                     message about your listing <a href=\"https://doska.example/kv_i418\">2-комнатная квартира, \
                     ул. Кирова, 12</a>:</p><p>Квартира ещё продаётся?<br />\nМожно посмотреть в субботу?</p>\
                     <p>Regards,</p><p><a href=\"https://doska.example/\">Доска</a></p>";
    let glued = "Hi АН «Квадрат»!Анна Кравец (anna@mail.example, +7 (926) 118-40-52) left you a message about your \
                 listing 2-комнатная квартира, ул. Кирова, 12:Квартира ещё продаётся?\nМожно посмотреть в субботу?\
                 Regards,Доска";
    let r = read(&format!(
        "From: Доска <info@doska.example>\r\nTo: info@an-kvadrat.example\r\nReply-To: anna@mail.example\r\n\
         Subject: Доска - Someone has a question about your listing\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{glued}\r\n--b1\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{html_part}\r\n--b1--\r\n"
    ));
    assert_eq!(s(&r.name), Some("Анна Кравец"));
    assert_eq!(s(&r.email), Some("anna@mail.example"));
    assert_eq!(r.phones, vec!["+79261184052".to_string()]);
    // The place's abbreviations (`ул. Кирова`) make no sentence of the name.
    assert_eq!(s(&r.product), Some("2-комнатная квартира, ул. Кирова, 12"));
    assert_eq!(
        s(&r.message),
        Some("Квартира ещё продаётся?\nМожно посмотреть в субботу?")
    );
    // The same in Russian, without a phone.
    let ru = html(
        "<p>Привет Бригада!</p><p>Людмила (lp@mail.example, ) написал сообщение по поводу Вашего объявления \
         <a href=\"https://uslugi.example/i7\">Ремонт ванной</a>:</p><p>Когда приедете на замер?</p>",
    );
    assert_eq!(s(&ru.name), Some("Людмила"));
    assert_eq!(s(&ru.email), Some("lp@mail.example"));
    assert_eq!(s(&ru.product), Some("Ремонт ванной"));
    assert_eq!(s(&ru.message), Some("Когда приедете на замер?"));
}

#[test]
fn a_line_message_sent_from_closes_the_message_and_gives_the_page() {
    // WP Residence's agent form: the page the form was on, as a sentence.
    let r = plain(
        "Client Name: Валентина\n\n Email: val@mail.example \n\n Phone: 8 (495) 640-12-12 \n\n \
         Subject: Contact form from https://an.example/ \n\nMessage: \n Перезвоните мне пожалуйста.\n\n\
         Message sent from https://an.example/agents/elena/",
    );
    assert_eq!(s(&r.message), Some("Перезвоните мне пожалуйста."));
    assert_eq!(s(&r.page), Some("https://an.example/agents/elena/"));
    // Its footer form says where without a link: the site's words, no page.
    let footer = plain(
        "Client Name: Павел\n\nEmail: pavel@mail.example \n\n Phone: 89161234567 \n\n \
         Subject: Contact form from https://an.example/ \n\nMessage:\n Сколько стоит оценка квартиры?\n\n \
         Message sent from footer contact form",
    );
    assert_eq!(s(&footer.message), Some("Сколько стоит оценка квартиры?"));
    assert_eq!(s(&footer.page), None);
}

#[test]
fn real_estate_captions_property_and_permalink_are_the_product_and_the_page() {
    // Realty theme: `Property: Дом 120 м², пос. Эммаус<br />Sent from: URL`.
    let r = html(
        "<p>Сколько будет стоить дом?</p><p>- - -</p>Name: Екатерина<br />Email: k@mail.example<br />\
         Phone: +7-985-321-00-77<br />Property: Дом 120 м², пос. Эммаус<br />Sent from: \
         https://dom.example/property/dom-120/",
    );
    assert_eq!(s(&r.product), Some("Дом 120 м², пос. Эммаус"));
    assert_eq!(s(&r.message), Some("Сколько будет стоить дом?"));
    // WP Pro Real Estate 7's bare mail(): `Permalink: URL`.
    let p = plain(
        "Участок ещё актуален?\n\nPhone: 8 (910) 234-56-78\nEmail: d@mail.example\n\
         Property Address: д. Ивановка, уч. 48\nPermalink: https://zemlya.example/listings/uchastok/\n",
    );
    assert_eq!(
        s(&p.page),
        Some("https://zemlya.example/listings/uchastok/")
    );
    assert_eq!(s(&p.address), Some("д. Ивановка, уч. 48"));
}

#[test]
fn a_test_word_as_the_senders_display_name_is_a_test_submission() {
    // A listing widget's bare mail() `From: test <test@test.com>` over
    // `test` and `Phone: 111`.
    let r = read(
        "To: agent@zemlya.example\r\nSubject: Участок 10 соток\r\nFrom: test <test@test.com>\r\n\r\n\
         test\n\nPhone: 111\nEmail: test@test.com\nProperty Address: д. Ивановка\n",
    );
    assert_eq!(r.action, Action::Ignore);
}

// ---- round 22b: small CMS contact mails --------------------------------------

#[test]
fn a_sentence_mentioning_a_message_yields_to_the_field_labelled_message() {
    // Seditio: `Это сообщение было оправлено с SITE от : Марина` above
    // `Сообщение :` and the text; the site's footer `Title - URL` /
    // subtitle ends it. (`Белгород` in the sentence is no `город` caption.)
    let r = plain(
        "Это сообщение было оправлено с Окна Белгород от : Марина\nПолучатель : Отдел продаж\n\
         E-mail : m@mail.example\nНомер телефона : 8-905-771-20-13\n\nСообщение : \n\n\
         Сколько будет стоить кухня по прямой 3,2 м?\nДуховка у нас своя.\n\n\
         Окна Белгород - https://okna-belgorod.example\nПластиковые окна и балконы",
    );
    assert_eq!(
        s(&r.message),
        Some("Сколько будет стоить кухня по прямой 3,2 м?\nДуховка у нас своя.")
    );
    assert_eq!(s(&r.address), None);
    assert_eq!(s(&r.phone), Some("+79057712013"));
}

#[test]
fn a_bare_domain_under_a_sender_caption_is_the_site_not_the_name() {
    // p01-contact: `<h2>Отправитель: <em>zabory.example</em></h2>`, the
    // visitor's name never reaches the mail (`From : Anonymous`).
    let r = html(
        "<h2>Отправитель: <em>zabory-kaluga.example</em></h2><h3>Mon, 07 Dec 2026</h3>\
         <p><strong>From :</strong> Anonymous</p><p><strong>Ваш телефон</strong> :+7 (910) 515-62-30</p>\
         <p><strong>Сообщение</strong> :<p>Нужен забор, когда приедете на замер?</p></p>",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.phone), Some("+79105156230"));
}

#[test]
fn a_relative_sent_from_path_takes_the_html_anchors_host() {
    // p01-contact's text part says `Этот e-mail был отправлен с /kontakty`;
    // its HTML part links `http://site/kontakty`.
    let r = read(
        "From: Anonymous\r\nTo: zakaz@zabory.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain; charset=UTF-8\r\n\r\nВаш телефон :+7 (910) 515-62-30\r\n\r\n\
         Сообщение :\r\nНужен забор 60 метров.\r\n\r\nЭтот e-mail был отправлен с /kontakty\r\n\
         If this mail should not be for you, please contact zakaz@zabory.example\r\n--b\r\n\
         Content-Type: text/html; charset=UTF-8\r\n\r\n<p><strong>Сообщение</strong> :<p>Нужен забор 60 \
         метров.</p></p><p><em>Этот e-mail был отправлен с <a href=\"http://zabory.example/kontakty\">/kontakty\
         </a></em></p>\r\n--b--\r\n",
    );
    assert_eq!(s(&r.page), Some("http://zabory.example/kontakty"));
    assert_eq!(s(&r.message), Some("Нужен забор 60 метров."));
}

#[test]
fn a_keyword_question_inside_the_message_stays_the_clients_text() {
    // Bludit Contact3 (HTML): `Когда можно вызвать замерщика? Тел 8(921)…`
    // inside the message is no `Caption? answer` pair; the GDPR consent
    // line under it is the form's.
    let r = html(
        "<b>Name: </b>Ирина<br><b>Email: </b>i@mail.example<br><b>Message: </b><br>Нужен наливной пол.\
         <br />\r\nКогда можно вызвать замерщика? Тел 8(921)700-14-52<br>\
         Я согласен(на) на обработку персональных данных<br>",
    );
    assert_eq!(
        s(&r.message),
        Some("Нужен наливной пол.\nКогда можно вызвать замерщика? Тел 8(921)700-14-52")
    );
    assert_eq!(s(&r.visit_time), None);
    assert_eq!(s(&r.phone), Some("+79217001452"));
}

#[test]
fn a_trunk_8_number_cut_by_a_hard_wrap_is_one_phone() {
    // WonderCMS's contact form wraps the message at 40 bytes:
    // `Сокол? Телефон 8 921 230 77` / `14`.
    let r = plain(
        "Name: Николай\n\nMessage:\nцена с доставкой в\nСокол? Телефон 8 921 230 77\n14     \n",
    );
    assert_eq!(s(&r.phone), Some("+79212307714"));
}

#[test]
fn an_unknown_dash_caption_under_known_dash_pairs_is_a_field_not_the_message() {
    // The Motors dealer theme's trade offer: `Label - value<br/>` rows, the
    // last one (`Trade Offer - 1850000`) unknown to the dictionary.
    let r = read(
        "From: WordPress <wordpress@avto.example>\r\nTo: admin@avto.example\r\n\
         Subject: Request for a trade offer Toyota Camry 2018\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=UTF-8\r\n\r\n\
         Name - Игорь<br/>Email - igor@mail.example<br/>Phone - +79217770011<br/>Trade Offer - 1850000<br/>",
    );
    assert_eq!(s(&r.message), None);
    assert!(
        pairs(&r).contains(&("Trade Offer", "1850000")),
        "{:?}",
        pairs(&r)
    );
    assert_eq!(r.kind, Kind::Calculation);
    // A sentence with a dash under the pairs stays the client's text.
    let t = html(
        "Name - Иван<br/>Phone - 89115554433<br/>Добрый день - нужно окно на кухню, как можно скорее<br/>",
    );
    assert_eq!(
        s(&t.message),
        Some("Добрый день - нужно окно на кухню, как можно скорее")
    );
}

#[test]
fn a_dealer_request_subject_ends_with_the_vehicle_which_is_the_product() {
    // Motors: `Request car price <title>`, `Request for a test drive <title>`.
    let mail = |subject: &str| {
        read(&format!(
            "From: WordPress <wordpress@avto.example>\r\nTo: admin@avto.example\r\nSubject: {subject}\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n\
             Name - Марина<br/>Email - m@mail.example<br/>Phone - 89005553311<br/>"
        ))
    };
    assert_eq!(
        s(&mail("Request car price Hyundai Creta 2021").product),
        Some("Hyundai Creta 2021")
    );
    assert_eq!(
        s(&mail("Request for a test drive Kia Rio 2019").product),
        Some("Kia Rio 2019")
    );
    assert_eq!(
        s(&mail("Заявка на тест-драйв Lada Vesta").product),
        Some("Lada Vesta")
    );
    // No title after the words, or another request: no product invented.
    assert_eq!(s(&mail("Request for a test drive").product), None);
    assert_eq!(s(&mail("Request a callback Okna").product), None);
}

#[test]
fn a_booking_cards_intro_sentence_is_no_caption_and_its_counts_are_no_text() {
    // Five Star Restaurant Reservations' admin mail: `A new booking request
    // has been made at X:` over the guest's name, phone, party size, slot
    // and words, then the back office's action links.
    let body = "<p>A new booking request has been made at Гриль-бар:</p>\n<p>Денис<br />\n\
                8 (921) 770-18-52<br />\n4 people<br />\n12.12.2026 20:00<br />\n\
                Перезвоните пожалуйста, нужен столик у окна.</p>\n<p><a href=\"https://grill.example/x\">View \
                pending bookings</a><br />\n<a href=\"https://grill.example/y\">Confirm this booking</a></p>";
    let r = html(body);
    assert!(pairs(&r).is_empty(), "{:?}", pairs(&r));
    assert_eq!(s(&r.phone), Some("+79217701852"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните пожалуйста, нужен столик у окна.")
    );
    assert_eq!(r.kind, Kind::Callback);
    // With no words of the guest, the card's name (also in Reply-To) is no
    // text: a booking with nothing said is a callback.
    let bare = read(
        "From: Site <admin@grill.example>\r\nReply-To: Ринат Галиев <rinat@mail.example>\r\n\
         To: admin@grill.example\r\nSubject: New Booking Request\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n<p>A new booking request has been made at Гриль-бар:</p>\n\
         <p>Ринат Галиев<br />\n6 people<br />\n11.12.2026 19:30</p>\n<p><a href=\"https://grill.example/x\">\
         View pending bookings</a></p>",
    );
    assert_eq!(s(&bare.name), Some("Ринат Галиев"));
    assert_eq!(s(&bare.message), None);
    assert_eq!(bare.kind, Kind::Callback);
}

#[test]
fn a_hotel_plugins_pending_notice_is_no_text_and_the_room_is_the_product() {
    // MotoPress Hotel Booking's admin mail with an empty `Note:`.
    let r = html(
        "Booking #903 is pending for Administrator approval.\n<br/><br/><a href=\"https://h.example/wp-admin/\">\
         View Booking</a>\n<h4>Details of booking</h4>\nCheck-in: 2026-12-30, from 14:00\n<br/>\n\
         Accommodation: <a href=\"https://h.example/a/\">Шале Смерека</a><br/>\nAdults: 4<br/>\n\
         <h4>Customer Info</h4>\nName: Олег Ткачук\n<br/>\nEmail: o@mail.example\n<br/>\nPhone: 067 555 12 09\n\
         <br/>\nNote: \n<br/>\n",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.product), Some("Шале Смерека"));
    assert_eq!(s(&r.scope), None);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn head_counts_and_a_departure_city_are_no_scope_and_no_address() {
    // A tour-selection landing: `Количество взрослых`, `Количество ночей`,
    // `Город вылета` -- a stay, not a job's size; a flight, not an address.
    let r = html(
        "<h2>Новая заявка - подбор тура</h2>\r\n<p><strong>Имя:</strong> Ірина</p>\r\n\
         <p><strong>Телефон:</strong> +380 (63) 412-55-07</p>\r\n<p><strong>Город вылета:</strong> Киев</p>\r\n\
         <p><strong>Количество ночей:</strong> 7</p>\r\n<p><strong>Количество взрослых:</strong> 2</p>\r\n\
         <p><strong>Количество детей:</strong> 1</p>\r\n",
    );
    assert_eq!(s(&r.scope), None);
    assert_eq!(s(&r.address), None);
    assert!(pairs(&r).contains(&("Количество ночей", "7")));
    // A count of things is still the scope.
    let k = plain("Имя: Олег\nТелефон: 89161234567\nКоличество окон: 4\n");
    assert_eq!(s(&k.scope), Some("4"));
}

#[test]
fn a_name_field_ending_in_a_phone_is_the_name_and_the_phone() {
    // A transfer questionnaire with no phone field: `Имя: Алексей 89885551234`.
    let r = plain("Имя: Алексей 89885551234\nДата: 2026-12-19\nКоличество пассажиров: 3");
    assert_eq!(s(&r.name), Some("Алексей"));
    assert_eq!(s(&r.phone), Some("+79885551234"));
    assert_eq!(s(&r.scope), None);
}

// ---- round 23a: hosted builders, shops and form back-ends --------------------

#[test]
fn a_shop_contact_form_body_key_is_the_message() {
    // Shopify's staff mail prints each contact[] key capitalised: `Body:`.
    let r = html(
        "<h2>You received a new message from your online store's contact form.</h2>\
         <table><tr><td><b>Name:</b><br>Светлана</td></tr><tr><td><b>Phone:</b><br>8 (916) 234-56-78</td></tr>\
         <tr><td><b>Body:</b><br>Сколько будет стоить угловая кухня?</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Светлана"));
    assert_eq!(s(&r.message), Some("Сколько будет стоить угловая кухня?"));
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_your_form_comma_title_comma_intro_names_the_form() {
    // Webflow: `Your form, X, on site has a new submission:` over the fields.
    let r = html(
        "<p>Your form, <b>Quote Form</b>, on <b>zabory.example</b> has a new submission:</p>\
         <p><b>Name:</b> Ivan<br><b>Phone:</b> +7 921 765-43-21<br><b>Fence Length:</b> 45 m<br></p>",
    );
    assert_eq!(s(&r.form), Some("Quote Form"));
    assert_eq!(s(&r.name), Some("Ivan"));
    // An English length / width / height caption is the size of the job.
    assert_eq!(s(&r.scope), Some("45 m"));
}

#[test]
fn a_shop_name_dash_bare_host_signature_ends_the_message() {
    // InSales: `<hr>` then `Интернет-магазин «X» — host` under the message.
    let r = html(
        "<p><b>Имя:</b> Виктор</p><p><b>Телефон:</b> +7 917 300 40 50</p><p><b>Сообщение:</b></p>\
         <p>Есть ли в наличии смеситель?</p><hr><p>Интернет-магазин «АкваДом» — <a href=\"https://akvadom.example\">\
         akvadom.example</a></p>",
    );
    assert_eq!(s(&r.message), Some("Есть ли в наличии смеситель?"));
    // A dash sentence of the client's that ends in a word stays theirs.
    let t = html("<p><b>Имя:</b> Виктор</p><p><b>Сообщение:</b> Смеситель нужен — срочно</p>");
    assert_eq!(s(&t.message), Some("Смеситель нужен — срочно"));
}

#[test]
fn a_form_back_end_submission_sender_is_not_the_client() {
    // FormSubmit / Squarespace send from `submissions@…` / `form-submission@…`.
    let r = read(
        "From: FormSubmit <submissions@formsubmit.example>\r\nTo: owner@bani.example\r\nSubject: Заявка\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Имя: Геннадий\nТелефон: 8 912 345 67 89\nКомментарий: Нужен расчет бани\n",
    );
    assert_eq!(s(&r.email), None);
    assert_eq!(s(&r.phone), Some("+79123456789"));
}

#[test]
fn someone_submitted_your_form_on_url_is_the_page_even_the_home_page() {
    // FormSubmit: `Someone just submitted your form on URL`.
    let r = html(
        "<h2>Someone just submitted your form on <a href=\"https://bani.example/\">https://bani.example/</a></h2>\
         <table><tr><th>Name</th><th>Value</th></tr><tr><td>Имя</td><td>Геннадий</td></tr>\
         <tr><td>Телефон</td><td>8 912 345 67 89</td></tr></table>",
    );
    assert_eq!(s(&r.page), Some("https://bani.example/"));
    let t = html(
        "<h2>Someone just submitted your form on https://krovlya.example/kontakty</h2>\
         <p>Имя: Богдан<br>Телефон: 097 123 45 67</p>",
    );
    assert_eq!(s(&t.page), Some("https://krovlya.example/kontakty"));
}

#[test]
fn craft_and_liferay_subject_formats_give_the_form_title() {
    // Formie, Freeform for Craft and Liferay Forms default subjects.
    for (subject, form) in [
        (
            "A new submission was made on \"Заказать замер\"",
            "Заказать замер",
        ),
        ("New submission on your Расчёт кухни form", "Расчёт кухни"),
        ("New Контакти Form Submitted", "Контакти"),
    ] {
        let r = plain_with(
            &format!("Subject: {subject}\r\n"),
            "Name: Анна\r\nPhone: +79001112233\r\n",
        );
        assert_eq!(s(&r.form), Some(form), "{subject}");
    }
}

#[test]
fn a_section_title_over_a_run_of_label_lines_and_value_lines() {
    // Liferay Forms: `<h4>page title</h4>` then `<p>Label*</p><p>value</p>`
    // per field, and the admin's `Click here to access the form` button.
    let r = html(
        "<p><b>Someone</b> submitted an entry for the Контакти form in the Кухні site. View all the form's \
         entries by clicking <a href=\"https://k.example/group/x\">here</a>.</p>\
         <a href=\"https://k.example/group/y\">Click here to access the form</a>\
         <h3>Here's what <b>Someone</b> entered into the form:</h3><div><h4>Контактні дані</h4>\
         <p style=\"color: #9aa2a6\">Ім'я*</p><p style=\"font-size: 16px\">Ірина Савчук</p>\
         <p style=\"color: #9aa2a6\">Телефон*</p><p style=\"font-size: 16px\">0661234567</p>\
         <p style=\"color: #9aa2a6\">Повідомлення</p><p style=\"font-size: 16px\">Передзвоніть, будь ласка.</p>\
         </div><a href=\"https://k.example/group/y\">Click here to access the form</a>",
    );
    assert_eq!(r.action, Action::Lead);
    assert_eq!(s(&r.name), Some("Ірина Савчук"));
    assert_eq!(s(&r.phone), Some("+380661234567"));
    assert_eq!(s(&r.message), Some("Передзвоніть, будь ласка."));
    assert_eq!(r.kind, Kind::Callback);
    // One label over one value is no run: the line stays where it was.
    let one = plain("Сообщение:\nИмя\nхочу узнать, как вас зовут\n");
    assert!(!pairs(&one).iter().any(|(l, _)| *l == "Имя"));
}

#[test]
fn back_office_link_captions_after_the_text_are_not_the_clients() {
    // Dolibarr's ticket and SuiteCRM's lead notices close with a caption
    // of the link to the record.
    for (tail, text) in [
        (
            "<p><a href=\"https://erp.k.example/ticket/card.php\">См. Тикет в интерфейсе управления</a></p>",
            "Нужен замер кровли, перезвоните.",
        ),
        (
            "<p>You may review this Lead at:</p>\n<https://crm.k.example/index.php?module=Leads>",
            "Нужен замер кровли, перезвоните.",
        ),
    ] {
        let r = html(&format!(
            "<ul><li>От : petrov@mail.example</li><li>Телефон : +7 916 408-27-63</li></ul>\
             <p>Сообщение : <br>{text}</p>{tail}"
        ));
        assert_eq!(s(&r.message), Some(text), "{tail}");
    }
}

#[test]
fn a_phone_alone_above_a_label_less_text_is_the_contact() {
    // ExpressionEngine's contact form: an extra `message[]` input (the
    // phone) joined over the text, the visitor in From, and CodeIgniter's
    // `Reply-To: "a@x" <a@x>` naming nobody.
    let r = read(
        "From: \"Игорь Смирнов\" <igor@mail.example>\r\nReply-To: \"igor@mail.example\" <igor@mail.example>\r\n\
         To: info@potolok.example\r\nSubject: Натяжной потолок\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n8 (921) 555 44 33\r\n\
         Добрый день. Сколько будет стоить натяжной потолок в зал 18 м2?",
    );
    assert_eq!(s(&r.name), Some("Игорь Смирнов"));
    assert_eq!(s(&r.phone), Some("+79215554433"));
    assert_eq!(
        s(&r.message),
        Some("Добрый день. Сколько будет стоить натяжной потолок в зал 18 м2?")
    );
}

#[test]
fn a_no_response_placeholder_and_a_question_ticket_type_are_no_values() {
    // Sprout Forms writes `No response` under an empty field; a help desk's
    // `Тип : Коммерческий вопрос` is the kind of ticket, not a product.
    let r = html(
        "<p><strong>Имя</strong><br/>Марина</p><p><strong>Телефон</strong><br/>+7 900 123 45 67</p>\
         <p><strong>Комментарий</strong><br/><em>No response</em></p>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    let t =
        plain("Тип : Коммерческий вопрос\nТелефон : +7 916 408-27-63\nСообщение : Перезвоните.\n");
    assert_eq!(s(&t.product), None);
}

#[test]
fn a_crms_assignment_line_is_no_text() {
    // EspoCRM's assignment mail: the CRM's sentence, the record's name in
    // bold, a link to it; nothing the client wrote.
    let r = html(
        "<p>Администратор назначил вам лид.</p>\n<p><strong>Дмитрий Орлов</strong></p>\n\
         <p><a href=\"https://crm.k.example/#Lead/view/65\">Открыть запись</a></p>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(r.action, Action::Review);
}

#[test]
fn a_question_over_its_answer_between_label_stanzas_is_a_field_not_the_message() {
    // Typeform: each question's title alone on its line, its answer below,
    // a blank line between; unknown questions are fields, never the text.
    let r = plain(
        "Рассчитать кухню\n\nДлина кухни\n3,2 м\n\nЕсть ли у вас дизайн-проект?\nНет, нужен проект\n\n\
         Как вас зовут?\nИрина\n\nВаш номер телефона\n+79261234567\n\n\
         Когда вам удобно принять звонок?\nСегодня после 17:00\n",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.name), Some("Ирина"));
    assert!(
        pairs(&r).contains(&("Есть ли у вас дизайн-проект?", "Нет, нужен проект")),
        "{:?}",
        pairs(&r)
    );
    // Without label stanzas around it, a question and a line under it are
    // the client's own text.
    let t = plain("Имя: Ирина\nСообщение: Сколько стоит кухня?\nЖду ответа\n");
    assert_eq!(s(&t.message), Some("Сколько стоит кухня?\nЖду ответа"));
}

#[test]
fn a_city_beside_the_visitors_ip_is_geo_data_not_the_address() {
    // Jivo's offline message: `Информация о посетителе` with the page, the
    // city the IP was located in, the IP.
    let r = html(
        "<p><b>Имя:</b> Алексей<br><b>Телефон:</b> +7 912 000-11-22</p><p><b>Сообщение:</b><br>Перезвоните мне</p>\
         <p><b>Информация о посетителе</b><br>Страница: https://mebel.example/shkafy/<br>Город: Пермь<br>\
         IP: 178.66.21.90</p>",
    );
    assert_eq!(s(&r.address), None);
    assert_eq!(s(&r.page), Some("https://mebel.example/shkafy/"));
    // A form's own city field is the client's address.
    let t = plain("Имя: Ольга\nТелефон: 8 920 777 66 55\nГород: Тула\n");
    assert_eq!(s(&t.address), Some("Тула"));
}

#[test]
fn hosted_form_subjects_name_the_form() {
    let body = "Имя: Ирина\nТелефон: +7 926 123-45-67\n";
    // Typeform, Getform, Wufoo (`Title [#entry]`).
    for (subject, form) in [
        ("New response for Обратный звонок", "Обратный звонок"),
        ("New submission on Кухни — вопрос", "Кухни — вопрос"),
        ("Вопрос специалисту [#41]", "Вопрос специалисту"),
    ] {
        let r = plain_with(&format!("Subject: {subject}\r\n"), body);
        assert_eq!(s(&r.form), Some(form), "{subject}");
    }
    // Jotform `Re: Title`, Tally `New … form submission: Title`: the title
    // repeated as the body's heading.
    let jot = plain_with(
        "Subject: Re: Заявка на замер\r\n",
        "Заявка на замер\nFull Name: Елена\nPhone Number: (915) 322-1144\n",
    );
    assert_eq!(s(&jot.form), Some("Заявка на замер"));
    assert_eq!(s(&jot.phone), Some("+79153221144"));
    let tally = plain_with(
        "Subject: New Tally form submission: Заявка\r\n",
        "Заявка\n\nИмя: Андрей\nТелефон: +7 (343) 300-20-10\n",
    );
    assert_eq!(s(&tally.form), Some("Заявка"));
    // Not echoed in the body, or after a CRM's `Lead:`: no form.
    let bare = plain_with("Subject: Re: Заявка на замер\r\n", body);
    assert_eq!(s(&bare.form), None);
    let lead = plain_with(
        "Subject: Lead: Перезвон\r\n",
        "Перезвон\nИмя: Ирина\nТелефон: +7 926 123-45-67\n",
    );
    assert_eq!(s(&lead.form), None);
}

#[test]
fn a_form_services_view_and_made_with_lines_end_the_message() {
    // Tally's button and badge, Getform's dashboard link under the fields.
    let r = html(
        "<p><strong>Имя</strong></p><p>Василь</p><p><strong>Телефон</strong></p><p>067 765 43 21</p>\
         <p><strong>Сообщение</strong></p><p>Потрібен виїзд на ділянку.</p>\
         <p><a href=\"https://tally.example/s\">View submission</a></p><p>Made with Tally, the simplest way to create forms.</p>",
    );
    assert_eq!(s(&r.message), Some("Потрібен виїзд на ділянку."));
    let t = plain(
        "Имя: Ринат\nТелефон: 8-987-123-45-67\nВопрос: Какие сроки изготовления?\n\n\
         View it in your dashboard: https://app.getform.example/forms/x\n",
    );
    assert_eq!(s(&t.message), Some("Какие сроки изготовления?"));
}

#[test]
fn a_north_american_masked_number_that_is_not_russian_is_a_us_number() {
    // Jotform's default `(###) ###-####` mask: a Russian number in it stays
    // Russian, another one is the US number it is.
    let r = plain("Name: Mark Wilson\nPhone Number: (646) 555-0142\nMessage: Hello\n");
    assert_eq!(s(&r.phone), Some("+16465550142"));
    let t = plain("Name: Елена\nPhone Number: (915) 322-1144\n");
    assert_eq!(s(&t.phone), Some("+79153221144"));
}

// ---- round 24c: chat widgets, call-back widgets, CRM and help-desk notices --

#[test]
fn a_chat_widgets_location_beside_the_ip_is_no_address() {
    // tawk.to's `Visitor information`: where the IP was located.
    let r = plain(
        "Name: Игорь\nEmail: igor@example.ru\nMessage: Сколько стоит остекление лоджии?\n\
         Visitor information\nPage: https://okna.example/balkony/\nLocation: Kolomna, Russia\n\
         IP address: 95.31.18.44\n",
    );
    assert_eq!(s(&r.address), None);
    // A form's own `Location:` field, no IP beside it, is the address.
    let t = plain("Name: Игорь\nPhone: +7 915 123-45-67\nLocation: Коломна, ул. Ленина, 5\n");
    assert_eq!(s(&t.address), Some("Коломна, ул. Ленина, 5"));
}

#[test]
fn a_referral_naming_an_ad_channel_is_no_pitch() {
    // Roistat's lead notice: `Источник: Яндекс.Директ` is where the client
    // came from; `директ` in the client's own text is still an ad pitch.
    let r = plain("Имя: Виктор\nТелефон: 79023334455\nИсточник: Яндекс.Директ\n");
    assert_eq!(
        (r.action, s(&r.referral)),
        (Action::Lead, Some("Яндекс.Директ"))
    );
    let t = plain(
        "Имя: Ксения\nТелефон: +7 495 120-30-40\n\
         Сообщение: Настроим вам Яндекс Директ под ключ, оплата после результата.\n",
    );
    assert_eq!(t.action, Action::Trash);
}

#[test]
fn a_call_back_widgets_tracking_rows_are_no_client_words() {
    // Callkeeper / Roistat / Callibri: the visitor's search phrase, the visit
    // number and the IP's city are tracking; the client only left a number.
    let r = plain(
        "Новая заявка на обратный звонок\n\nТелефон: +7 (951) 078-12-34\n\
         Страница: https://potolki.example/ceny/\nПоисковый запрос: натяжные потолки цена курск\n\
         Номер визита: 418802\nГород по IP: Курск\n",
    );
    assert_eq!(r.kind, Kind::Callback);
    assert_eq!(s(&r.address), None);
    assert_eq!(r.phones, vec!["+79510781234".to_string()]);
}

#[test]
fn a_request_type_row_is_no_product() {
    // Callibri's `Тип обращения: Заявка с формы`: how the request came.
    let r = plain(
        "Тип обращения: Заявка с формы\nИмя: Ильдар\nТелефон: 8-917-404-55-66\n\
         Сообщение: Когда сможете приехать на замер?\n",
    );
    assert_eq!(s(&r.product), None);
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_crm_form_row_names_the_form() {
    // Bitrix24's CRM-form result notice.
    let r = html(
        "<table><tr><td>CRM-форма</td><td>Обратный звонок</td></tr>\
         <tr><td>Имя</td><td>Андрей</td></tr><tr><td>Фамилия</td><td>Кузнецов</td></tr>\
         <tr><td>Телефон</td><td>+7 (910) 645-22-18</td></tr></table>",
    );
    assert_eq!(s(&r.form), Some("Обратный звонок"));
    assert_eq!(s(&r.name), Some("Андрей Кузнецов"));
}

#[test]
fn a_help_desks_requester_is_the_client_and_the_greeting_is_the_agent() {
    // Freshdesk's `New ticket created` notice to an agent.
    let r = html(
        "<p>Hi Anna,</p><p>A new ticket has been submitted via the web form.</p>\
         <p><b>Requester:</b> Геннадий Ковалёв (g.kovalev@example.ru)</p>\
         <p><b>Subject:</b> Не закрывается входная дверь</p>\
         <p><b>Контактный телефон:</b> +7 916 880-44-11</p>",
    );
    assert_eq!(s(&r.name), Some("Геннадий Ковалёв"));
    assert_eq!(s(&r.email), Some("g.kovalev@example.ru"));
}

#[test]
fn a_notification_was_sent_line_ends_the_message() {
    // Salesforce's lead-assignment notice closes with its own sentence.
    let r = plain(
        "Lead details\nName: Максим Орлов\nPhone: +7 (831) 410-22-30\n\
         Description: Нужна смета на строительство бани.\n\n\
         This notification was sent by Salesforce because you own this lead.\n",
    );
    assert_eq!(s(&r.message), Some("Нужна смета на строительство бани."));
}

#[test]
fn a_filled_out_sentence_gives_the_page_in_brackets() {
    // HubSpot's form notification: the page's title, then its address.
    let r = plain(
        "Someone filled out Request a quote on Metal roofing | Roofing SPb \
         (https://roofing.example/en/metal-roofing).\n\n\
         First name: Daniel\nLast name: Meyer\nPhone number: (812) 407-2211\n",
    );
    assert_eq!(s(&r.page), Some("https://roofing.example/en/metal-roofing"));
    // `Форма отправлена со страницы URL` still reads as before.
    let t = plain(
        "Форма отправлена со страницы https://okna.example/zamer/\nИмя: Анна\nТелефон: +7 926 000-11-22\n",
    );
    assert_eq!(s(&t.page), Some("https://okna.example/zamer/"));
}

// ---- round 24b: shop engines' contact and call-back mails ------------------------

#[test]
fn a_message_from_line_with_the_address_in_brackets_names_the_sender() {
    // OXID's contact mail: `Сообщение от` + salutation + name + `(email)`,
    // then the visitor's text.
    let r = html(
        "Сообщение от Госпожа Анна Кузнецова(anna@example.ru)<br /><br />Нужен замер трёх окон.<br />\nТелефон 8 912 345-67-89.",
    );
    assert_eq!(s(&r.name), Some("Анна Кузнецова"));
    // Below the sender line, a pitch about `your website` is the client's text.
    let t = html(
        "Message from Mr John Miles(john@seo.example.com)<br /><br />Hello, I noticed your website is not on the \
         first page of Google. Our SEO team can fix this.",
    );
    assert_eq!(s(&t.name), Some("John Miles"));
    assert!(
        s(&t.message).is_some_and(|m| m.starts_with("Hello, I noticed")),
        "{:?}",
        t.message
    );
    assert_eq!(t.action, Action::Trash);
    // `Иван от Ромашки <…>`: a person from a company stays whole.
    let u = plain("Иван от Ромашки <ivan@example.ru>\nСколько стоит кухня?\n");
    assert_eq!(s(&u.name), Some("Иван от Ромашки"));
}

#[test]
fn a_sent_by_name_from_address_line_names_the_sender_and_is_no_text() {
    // Spree's contact-us mail: the message, a rule, `Sent by NAME from
    // EMAIL`, then `Phone: …` or a bare `-`.
    let r = plain(
        "Понравилась угловая кухня из каталога.\nПерезвоните мне после обеда.\n\n\
         -------------------------------------\nSent by Ольга from olga@example.ru\nPhone: +7 (921) 555-12-34\n",
    );
    assert_eq!(s(&r.name), Some("Ольга"));
    assert_eq!(
        s(&r.message),
        Some("Понравилась угловая кухня из каталога.\nПерезвоните мне после обеда.")
    );
    let t = plain(
        "Мы являемся производителем фасадов МДФ.\n\n-------------------------------------\n\
         Sent by Виталий Гордеев from opt@example.ru\n-\n",
    );
    assert_eq!(s(&t.name), Some("Виталий Гордеев"));
    assert_eq!(
        s(&t.message),
        Some("Мы являемся производителем фасадов МДФ.")
    );
    // `Sent by contact form from …`: a role, no name.
    let u = plain("Сколько стоит?\n\n---\nSent by contact form from a@example.ru\n");
    assert_eq!(s(&u.name), None);
}

#[test]
fn a_powered_by_footer_after_the_shops_bracketed_link_ends_the_message() {
    // QloApps / PrestaShop 1.6 text part: `SHOP [/URL] powered by Webkul(tm)`.
    let r = plain(
        "Name: Марина\nE-mail: m@example.ru\n\nCustomer message: Есть ли свободный дом с баней?\n\n\
         Усадьба [/https://usadba.example.ru/] powered by Webkul(tm)\n[https://webkul.com]\n",
    );
    assert_eq!(s(&r.message), Some("Есть ли свободный дом с баней?"));
    assert_eq!(r.action, Action::Lead);
}

// ---- round 24a: open-source CMS contact modules ------------------------------

#[test]
fn cms_subject_formats_name_the_form() {
    let body = "Имя: Галина\nТелефон: +7 (921) 406-18-90\n";
    // Fork CMS FormBuilder: the word `form`, the quoted title, a full stop;
    // Microweber: the site's host in brackets before `New entry from X`.
    for (subject, form) in [
        (
            "New submission for form \"Заказать замер\".",
            Some("Заказать замер"),
        ),
        ("[potolok.example.ru] New entry from Заявка", Some("Заявка")),
        ("[potolok.example.ru] New form entry", None),
    ] {
        let r = plain_with(&format!("Subject: {subject}\r\n"), body);
        assert_eq!(s(&r.form), form, "{subject}");
    }
}

#[test]
fn dash_rules_taking_turns_with_blocks_frame_the_text() {
    // b2evolution's contact mail: `NAME has sent you this message:`, then
    // blocks between `-- ` lines; only the last rule opens the site's lines.
    let r = plain(
        "Андрей Волков has sent you this message:\n\n-- \nТелефон: +7 926 410-20-30\n\n\n\n-- \n\
         Reply method: Phone\n\n-- \nДобрый день.\nХочу заказать межкомнатные двери, 5 шт.\n\
         Наберите меня завтра после 10, пожалуйста.\n\n-- \nSession ID: 48213\n\
         By replying, your email will go directly to a.volkov@example.ru.\n\n\
         Message sent through the contact form on Двери Москва.\n",
    );
    assert_eq!(s(&r.name), Some("Андрей Волков"));
    assert_eq!(s(&r.phone), Some("+79264102030"));
    assert_eq!(
        s(&r.message),
        Some(
            "Добрый день.\nХочу заказать межкомнатные двери, 5 шт.\nНаберите меня завтра после 10, пожалуйста."
        )
    );
    assert_eq!(r.kind, Kind::Callback);
    // One `--` line is still a signature: the card under it is not the text.
    let sig = plain(
        "Добрый день! Сколько стоит остекление балкона 3 метра?\n--\nИван Петров\nООО Ромашка\n+7 916 222-33-44\n",
    );
    assert_eq!(
        s(&sig.message),
        Some("Добрый день! Сколько стоит остекление балкона 3 метра?")
    );
}

#[test]
fn a_login_handle_is_no_name_and_an_ip_caption_sentence_ends_the_text() {
    // Tiki's message notice: `From    :   elena_v` is an account, not a person.
    let r = plain(
        "Hi,\n\nA new message was posted to you at santeh.example.ru\n\nFrom    :   elena_v\n\
         Subject :   Душевые кабины\n\nПерезвоните мне по номеру 8 (812) 600-70-80.\n",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.phone), Some("+78126007080"));
    // Zikula Formicula: the IP line under `Comment:` is the module's.
    let f = plain(
        "Name: Илья\nEmail: ilya@example.ru\n\nComment:\nИщу работу кровельщиком, опыт 6 лет.\n\n\
         The user has the following IP address/hostname: 85.140.3.9 / 85.140.3.9\n",
    );
    assert_eq!(s(&f.message), Some("Ищу работу кровельщиком, опыт 6 лет."));
    assert_eq!(f.action, Action::Trash);
}

// ---- round 24d: classifieds, marketplace and aggregator notices

#[test]
fn a_classifieds_writer_sentence_names_the_client_the_ad_and_their_words() {
    // Avito's new-message notice: the bold name opens the sentence, the ad
    // is linked, the client's words sit under it, a button closes them.
    let r = html(
        "<h2>Новое сообщение</h2><p><b>Светлана</b> написал(а) вам по объявлению \
         <a href=\"https://www.avito.example/moskva/potolki_3481\">Натяжные потолки под ключ</a>, 299&nbsp;₽</p>\
         <div>Сколько будет стоить потолок 18 м2?<br>Мой номер 8 916 204-33-71</div>\
         <p><a href=\"https://www.avito.example/profile/messenger/channel/u2i-1\">Ответить</a></p>",
    );
    assert_eq!(s(&r.name), Some("Светлана"));
    assert_eq!(s(&r.product), Some("Натяжные потолки под ключ"));
    assert_eq!(
        s(&r.page),
        Some("https://www.avito.example/moskva/potolki_3481")
    );
    assert_eq!(
        s(&r.message),
        Some("Сколько будет стоить потолок 18 м2?\nМой номер 8 916 204-33-71")
    );
    assert_eq!(r.kind, Kind::Calculation);
    // OLX.ua's plain part: `NAME надіслав(ла) вам повідомлення щодо
    // оголошення «X»:`, the text, then `Переглянути оголошення: URL`.
    let o = plain(
        "Вітаємо!\n\nОлена надіслав(ла) вам повідомлення щодо оголошення «Вікна під ключ, Київ»:\n\n\
         Потрібен замір на два вікна. Мій телефон 097 555 12 34\n\n\
         Переглянути оголошення: https://www.olx.example/d/obyavlenie/vikna-ID1.html\n\
         Відповісти: https://www.olx.example/myaccount/answer/55/\n\nКоманда OLX\n",
    );
    assert_eq!(s(&o.name), Some("Олена"));
    assert_eq!(s(&o.product), Some("Вікна під ключ, Київ"));
    assert_eq!(
        s(&o.page),
        Some("https://www.olx.example/d/obyavlenie/vikna-ID1.html")
    );
    assert_eq!(
        s(&o.message),
        Some("Потрібен замір на два вікна. Мій телефон 097 555 12 34")
    );
    assert_eq!(o.kind, Kind::Measurement);
}

#[test]
fn a_review_sites_notice_gives_the_author_and_the_review_under_the_rating() {
    // 2GIS: `NAME оставил(а) отзыв`, stars and `Оценка: 5 из 5`, the text,
    // the `Ответить на отзыв` button; no contact, so a human looks.
    let r = html(
        "<p>Новосибирск, ул. Фрунзе, 12</p><p><b>Марина К.</b> оставил(а) отзыв</p><p>★★★★★</p>\
         <p>Оценка: 5 из 5</p><blockquote>Ставили окна в ноябре, всё аккуратно. Спасибо бригаде!</blockquote>\
         <p><a href=\"https://account.2gis.example/reviews/1\">Ответить на отзыв</a></p>\
         <p>Ответы компании видят все пользователи.</p>",
    );
    assert_eq!(s(&r.name), Some("Марина К."));
    assert_eq!(
        s(&r.message),
        Some("Ставили окна в ноябре, всё аккуратно. Спасибо бригаде!")
    );
    assert_eq!(r.action, Action::Review);
}

#[test]
fn a_job_boards_applicant_sentence_names_them_and_is_no_text() {
    // hh.ru's new-response notice with no cover letter: the sentence is the
    // service's, the slogan under the host is its footer.
    let r = plain(
        "Анна Смирнова откликнулся(-ась) на вакансию Замерщик окон и балконов (Подольск)\n\n\
         Резюме: Замерщик, менеджер по продажам\nТелефон: +7 (926) 118-40-77\n\
         Эл. почта: anna.smirnova@example.ru\n\n\
         Посмотреть отклик: https://hh.example/employer/vacancyresponses?vacancyId=9\n\n\
         hh.ru — работа найдётся для каждого\n",
    );
    assert_eq!(s(&r.name), Some("Анна Смирнова"));
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.product), None);
}

#[test]
fn a_marketplace_question_names_the_product_on_the_line_under_it() {
    // Ozon Seller: `Покупатель задал вопрос о вашем товаре` over the linked
    // product; `Автор: Покупатель` is the stand-in for no name; the button
    // and the no-reply notice end the question.
    let r = html(
        "<h2>Покупатель задал вопрос о вашем товаре</h2>\
         <p><a href=\"https://www.ozon.example/product/shtora-994120377/\">Рулонная штора блэкаут 80x170 см</a></p>\
         <p>Артикул: RS-BO-80<br>Автор: Покупатель</p><p><b>Вопрос:</b><br>Крепёж в комплекте?</p>\
         <p><a href=\"https://seller.ozon.example/app/q/1\">Ответить на вопрос</a></p>\
         <p>Это письмо отправлено автоматически, не отвечайте на него.</p>",
    );
    assert_eq!(s(&r.product), Some("Рулонная штора блэкаут 80x170 см"));
    assert_eq!(
        s(&r.page),
        Some("https://www.ozon.example/product/shtora-994120377/")
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.message), Some("Крепёж в комплекте?"));
}

#[test]
fn a_buyer_row_and_a_role_sentence_name_the_client() {
    // Prom.ua's `Покупець: Ігор`; Profi.ru's `Заказчик Ирина ищет
    // специалиста.`
    let r =
        plain("Покупець: Ігор\nТелефон: +38 (050) 123-45-67\nКоментар: Передзвоніть, будь ласка\n");
    assert_eq!(s(&r.name), Some("Ігор"));
    let p = html(
        "<h2>Новый заказ по вашему профилю</h2><p>Заказчик Ирина ищет специалиста.</p>\
         <table><tr><td>Услуга</td><td>Натяжные потолки</td></tr>\
         <tr><td>Подробности</td><td>Нужен замер в спальне.</td></tr></table>",
    );
    assert_eq!(s(&p.name), Some("Ирина"));
    assert_eq!(s(&p.product), Some("Натяжные потолки"));
}

// ---- round 24e: hosted builders and no-code automations --------------------

#[test]
fn an_apps_script_intro_over_title_and_answer_stanzas_is_no_label() {
    // A Google Form's response mailed by an Apps Script: `New form
    // response:`, then each item's title over its answer between blank lines.
    let r = plain(
        "New form response:\n\nКак вас зовут?\nЕвгений\n\nНомер телефона\n8 915 000 11 22\n\n\
         Что вас интересует?\nМеталлочерепица для крыши дома\n\nУдобное время для звонка\nпосле 18:00\n\n",
    );
    assert_eq!(s(&r.name), Some("Евгений"));
    assert_eq!(s(&r.phone), Some("+79150001122"));
    assert_eq!(s(&r.product), Some("Металлочерепица для крыши дома"));
    // The caption without a question mark is a field, not the client's text,
    // and a question asking for the name makes no quiz.
    assert_eq!(s(&r.message), None);
    assert!(pairs(&r).contains(&("Удобное время для звонка", "после 18:00")));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn formstack_and_cognito_subjects_name_the_form_the_body_is_headed_with() {
    let body = "Заявка на замер\nИмя: Анна\nТелефон: +7 916 204-33-18\n";
    let fs = plain_with(
        "Subject: Formstack Submission For: Заявка на замер\r\n",
        body,
    );
    assert_eq!(s(&fs.form), Some("Заявка на замер"));
    let cog = plain_with("Subject: Заявка на замер - Entry #27\r\n", body);
    assert_eq!(s(&cog.form), Some("Заявка на замер"));
    // Not repeated as the body's heading: no form.
    let bare = plain_with(
        "Subject: Заявка на замер - Entry #27\r\n",
        "Имя: Анна\nТелефон: +7 916 204-33-18\n",
    );
    assert_eq!(s(&bare.form), None);
}

#[test]
fn lead_ads_keys_test_placeholders_and_the_zapier_relay() {
    // Facebook's lead-ads testing tool: placeholders, a test submission.
    let t = plain_with(
        "Subject: New lead from Facebook: <test lead: dummy data for full_name>\r\n",
        "full_name: <test lead: dummy data for full_name>\n\
         phone_number: <test lead: dummy data for phone_number>\nemail: test@fb.com\n\
         city: <test lead: dummy data for city>\n",
    );
    assert_eq!(t.action, Action::Ignore);
    assert_eq!(s(&t.name), None);
    assert_eq!(s(&t.address), None);
    // The advertiser's ad and campaign names are no client's words, and the
    // `Email by Zapier` sender is no client's address.
    let r = read(
        "From: Leads <leads-x7@zapiermail.com>\r\nTo: sales@dveri.example\r\n\
         Subject: New lead from Facebook: Юрій Бондар\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         full_name: Юрій Бондар\nphone_number: +380501234567\ncity: Житомир\n\
         ad_name: Вхідні двері зі знижкою\ncampaign_name: Двері -20%\n",
    );
    assert_eq!(r.action, Action::Lead);
    assert_eq!(r.kind, Kind::Callback);
    assert_eq!(s(&r.email), None);
    assert_eq!(s(&r.address), Some("Житомир"));
}

#[test]
fn an_open_the_responses_link_ends_the_message() {
    // A Power Automate flow's body: the answers, then a link to the results.
    let r = html(
        "<p><b>ФИО</b><br>Семенова Алла</p><p><b>Контактный телефон</b><br>8-912-444-55-66</p>\
         <p><b>Ваш вопрос</b><br>Есть ли у вас шторы блэкаут?</p>\
         <p><a href=\"https://forms.example/x#Analysis\">Открыть ответы</a></p>",
    );
    assert_eq!(s(&r.message), Some("Есть ли у вас шторы блэкаут?"));
}

// ---- round 24f: application frameworks' contact handlers --------------------

fn html_with(headers: &str, body: &str) -> Request {
    read(&format!(
        "To: sales@okna.example\r\n{headers}MIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{body}"
    ))
}

#[test]
fn bare_name_lines_over_a_lone_address_are_the_contact_card() {
    // AdonisJS Edge view: the subject repeated as a heading, then a list of
    // bare values (surname, first name, address), then the text.
    let r = html_with(
        "From: irina@example.ru\r\nSubject: Demande de contact\r\n",
        "<h1>Demande de contact</h1>\n<ul>\n<li>Соколова</li>\n<li>Ирина</li>\n\
         <li>irina@example.ru</li>\n</ul>\n<p><strong>Перезвоните мне по номеру 8 (905) 123-45-67, \
         хочу поменять два окна.</strong></p>",
    );
    assert_eq!(s(&r.name), Some("Соколова Ирина"));
    assert_eq!(s(&r.email), Some("irina@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните мне по номеру 8 (905) 123-45-67, хочу поменять два окна.")
    );
    // The pitch under such a card is the sender's, not the site's prose.
    let t = html_with(
        "From: jason@webgrowth.example\r\nSubject: Demande de contact\r\n",
        "<h1>Demande de contact</h1>\n<ul>\n<li>Miller</li>\n<li>Jason</li>\n\
         <li>jason@webgrowth.example</li>\n</ul>\n<p><strong>I noticed your website is not mobile \
         friendly. We redesign business websites starting at $299.</strong></p>",
    );
    assert_eq!(t.action, Action::Trash);
    assert_eq!(s(&t.email), Some("jason@webgrowth.example"));
}

#[test]
fn the_sites_sentence_naming_the_client_over_the_text() {
    // AdonisJS 4 Edge view: `Olá!` greets the owner, `o cliente X enviou a
    // seguinte mensagem` names the sender; the text under it is theirs.
    let r = html_with(
        "From: d@example.ru\r\nSubject: Contato pelo formulario do site\r\n",
        "<h2> Olá! </h2>\n<h3>o cliente Дмитрий enviou a seguinte mensagem</h3>\n<p>\n  Сколько \
         стоит натяжной потолок 18 м2? Телефон +7 913 640-22-15.\n</p>\n",
    );
    assert_eq!(s(&r.name), Some("Дмитрий"));
    assert_eq!(
        s(&r.message),
        Some("Сколько стоит натяжной потолок 18 м2? Телефон +7 913 640-22-15.")
    );
    let ru = plain("Клиент Ольга отправила сообщение\nНужен замер балкона.\n");
    assert_eq!(s(&ru.name), Some("Ольга"));
    assert_eq!(s(&ru.message), Some("Нужен замер балкона."));
}

#[test]
fn french_nom_label_and_closing_lines_end_the_message() {
    // NestJS Handlebars template: `Nom :` is the name; the template's
    // `Vous pouvez recontacter…` and `Cordialement,` close the text.
    let r = plain(
        "Bonjour,\nUn utilisateur a envoyé un message via la section de contact.\nNom : Рустам Галиев\n\
         Email : rustam@example.ru\nOrganization : ООО Уют\nMessage :\nНужен расчёт стоимости кухни.\n\
         Vous pouvez recontacter l'utilisateur via l'email indiqué.\nCordialement,\nL'équipe Oreus\n",
    );
    assert_eq!(s(&r.name), Some("Рустам Галиев"));
    assert_eq!(s(&r.message), Some("Нужен расчёт стоимости кухни."));
}

#[test]
fn a_short_polite_plea_and_a_question_over_a_labelled_answer_are_the_clients_text() {
    // Slim + PHPMailer: the visitor's text alone as the body.
    let r = plain("Перезвоните, пожалуйста: +7 (342) 277-08-09. Интересует мягкая кровля.\n");
    assert_eq!(
        s(&r.message),
        Some("Перезвоните, пожалуйста: +7 (342) 277-08-09. Интересует мягкая кровля.")
    );
    assert_eq!(s(&r.phone), Some("+73422770809"));
    let q = plain(
        "Здравствуйте!\nХотим ремонт ванной под ключ.\nКогда можете приехать на замер? Телефон: 8 920 015-16-17\n",
    );
    assert_eq!(s(&q.visit_time), None);
    assert_eq!(s(&q.phone), Some("+79200151617"));
    assert_eq!(
        s(&q.message),
        Some(
            "Здравствуйте!\nХотим ремонт ванной под ключ.\nКогда можете приехать на замер? Телефон: 8 920 015-16-17"
        )
    );
}

#[test]
fn german_form_keys_glued_by_br_in_a_mail_without_mime_headers() {
    // Zend\Mail with a string body: `key:value<br>` lines, no Content-Type.
    let r = read(
        "From: server@okna.example\r\nTo: kontakt@okna.example\r\nSubject: Eine Neue kontakt anfrage\r\n\r\n\
         Eine kontaktanfrage mit folgenden Daten<br>name:Людмила<br>email:l@example.by<br>betreff:<br>\
         beschreibung:Перезвоните мне по поводу москитных сеток, телефон 8 029 155-66-77.",
    );
    assert_eq!(s(&r.name), Some("Людмила"));
    assert_eq!(s(&r.phone), Some("+375291556677"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните мне по поводу москитных сеток, телефон 8 029 155-66-77.")
    );
}

#[test]
fn a_messenger_forwarders_digest_parted_by_rules_and_a_numeric_sender_id() {
    // An Instagram DM forwarder: `from=<sender id>` / text per message,
    // messages parted by `---`. The id names nobody; the rule before the
    // same caption again opens no footer, so the second text is read too.
    let r = plain(
        "from=17841477734567890\n\nДобрый вечер!\n\n---\n\nfrom=17841477734567890\n\n\
         Нужен замер окон в частном доме. Мой номер 8 915 700 20 30\n",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.phone), Some("+79157002030"));
    assert!(
        s(&r.message).is_some_and(|m| m.contains("Нужен замер окон")),
        "{:?}",
        r.message
    );
    // A rule before other lines still ends the fields (a footer follows).
    let f =
        plain("Имя: Анна\nТелефон: 8 912 000 11 22\n---\nfrom=12345678\nСайт работает на CMS\n");
    assert_eq!(s(&f.name), Some("Анна"));
}

#[test]
fn a_contact_caption_over_a_persons_name_is_the_name() {
    // Wazzup relayed by an n8n mail: `Контакт:` holds the chat's name, the
    // number stands under `Номер:`.
    let r = plain(
        "Новое сообщение в Wazzup\n\nКанал: whatsapp\nКонтакт: Елена\nНомер: 79261112233\n\
         Текст: Перезвоните мне, пожалуйста\n",
    );
    assert_eq!(s(&r.name), Some("Елена"));
    assert_eq!(s(&r.phone), Some("+79261112233"));
    // A contact caption over a number is still the phone.
    let p = plain("Имя: Олег\nКонтакт: +7 903 111-22-33\nСообщение: Нужен замер\n");
    assert_eq!(s(&p.name), Some("Олег"));
    assert_eq!(s(&p.phone), Some("+79031112233"));
}

#[test]
fn a_chat_services_open_dialog_link_ends_the_message() {
    // Chat2Desk's notice: the text, then its `Открыть диалог` link.
    let r = plain(
        "Клиент: Сергей\nТелефон: +7 903 765-43-21\nКанал: Telegram\nСообщение:\n\
         Можно ли заказать у вас баню под ключ?\nОткрыть диалог\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Можно ли заказать у вас баню под ключ?")
    );
}

#[test]
fn an_order_notices_address_card_gives_the_buyer_and_the_shipping_address() {
    // WooCommerce's plain admin "New order": `ПЛАТЁЖНЫЙ АДРЕС` over name,
    // address lines, phone, e-mail; `АДРЕС ДОСТАВКИ` over the shipping card;
    // `Name X qty = price` item lines; the back-office link is the shop's.
    let r = plain_with(
        "Subject: [Заборы]: Новый заказ #774\r\n",
        "Вы получили следующий заказ от Светлана Ткаченко:\n\n[ЗАКАЗ #774] (07.12.2026)\n\n\
         Профлист С8, 2 м X 40 = 30 400,00 ₽\nЦвет: шоколад\n\n\n==========\n\n\
         Итого:\t 30 400,00 ₽\n\nПросмотреть заказ: https://zabor.example/wp-admin/post.php?post=774&action=edit\n\n\
         ----------------------------------------\n\n\nПЛАТЁЖНЫЙ АДРЕС\n\nСветлана Ткаченко\nул. Степная, 14\n\
         Краснодар\n350916\n8-918-330-41-52\nsvetlana.tk@example.com\n\nАДРЕС ДОСТАВКИ\n\nСветлана Ткаченко\n\
         ул. Северная, 3\nКраснодар\n\n",
    );
    assert_eq!(s(&r.name), Some("Светлана Ткаченко"));
    assert_eq!(s(&r.phone), Some("+79183304152"));
    assert_eq!(s(&r.email), Some("svetlana.tk@example.com"));
    assert_eq!(s(&r.address), Some("ул. Северная, 3, Краснодар"));
    assert_eq!(s(&r.product), Some("Профлист С8, 2 м"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind.as_str(), "callback");
}

#[test]
fn an_order_alerts_item_lines_and_a_separator_under_the_card_heading() {
    // osCommerce's order e-mail: `14 x Name (model) = price`, `Адрес
    // доставки` / a rule / the label lines; the comments are the client's.
    let r = plain_with(
        "Subject: Order Process\r\n",
        "Ламинат СПб\n------------------------------------------------------\nНомер заказа: 2319\n\
         Дата заказа: 07.12.2026\n\nПодскажите, сколько будет стоить подъём на 5 этаж?\n\nТовары\n\
         ------------------------------------------------------\n14 x Ламинат дуб натуральный (QS-1848) = 25 060руб.\n\
         ------------------------------------------------------\nСтоимость товара: 25 060руб.\n\n\
         Адрес доставки\n------------------------------------------------------\nПавел Никитин\n\
         пр. Просвещения, 87, кв. 203\n194358 Санкт-Петербург\n\n",
    );
    assert_eq!(s(&r.name), Some("Павел Никитин"));
    assert_eq!(s(&r.product), Some("Ламинат дуб натуральный"));
    assert_eq!(
        s(&r.address),
        Some("пр. Просвещения, 87, кв. 203, 194358 Санкт-Петербург")
    );
    assert_eq!(
        s(&r.message),
        Some("Подскажите, сколько будет стоить подъём на 5 этаж?")
    );
}

#[test]
fn a_flattened_items_table_names_the_product_and_its_header_cues_nothing() {
    // PrestaShop mailalerts: `Артикул Товар Цена за ед. …` over the rows;
    // `Товары: 14 900,00 руб` (a sum) names no product; the localized
    // `… работает на PrestaShop™` footer and `Нет сообщения` are the shop's.
    let r = html(
        "<p>Новый заказ был размещён в магазине Двери следующим покупателем: Андрей Лебедев (a.l@example.ru)</p>\
         <table><tr><th>Артикул</th><th>Товар</th><th>Цена за ед.</th><th>Количество</th><th>Итого</th></tr>\
         <tr><td colspan=\"5\"><table><tr><td>DV-210</td><td><strong>Дверь «Неаполь», 800 мм</strong></td>\
         <td>7 450,00 руб</td><td>2</td><td>14 900,00 руб</td></tr></table></td></tr>\
         <tr><td colspan=\"4\"><strong>Товары</strong></td><td>14 900,00 руб</td></tr></table>\
         <p>Адрес доставки</p><span><span style=\"font-weight:bold;\">Андрей</span> \
         <span style=\"font-weight:bold;\">Лебедев</span><br />ул. Белинского, 61<br />603000 Нижний Новгород<br />\
         +7 831 410-22-93</span><p>Сообщение покупателя:</p><span>Нет сообщения</span>\
         <p>Двери работает на PrestaShop™</p>",
    );
    assert_eq!(s(&r.product), Some("Дверь «Неаполь», 800 мм"));
    assert_eq!(s(&r.phone), Some("+78314102293"));
    assert_eq!(
        s(&r.address),
        Some("ул. Белинского, 61, 603000 Нижний Новгород")
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind.as_str(), "callback");
}

#[test]
fn label_over_value_divs_under_the_heading_open_the_fields() {
    // Wix Forms' owner notice (round 25a): `<h1>` heading, a line naming the
    // form, then per field a grey label `<div>` over a value `<div>`; the run
    // of known labels opens the fields with no caption above it.
    let r = html(
        "<h1>У вас новая заявка</h1><p>Форма «Рассчитать баню» на сайте Сауны Урала</p>\
         <div><div>Имя</div>\n<div>Дмитрий</div></div>\n<div><div>Фамилия</div>\n<div>Орлов</div></div>\n\
         <div><div>Email</div>\n<div>d.orlov@example.com</div></div>\n\
         <div><div>Телефон</div>\n<div>+7 912 602-18-77</div></div>\n\
         <div><div>Сообщение</div>\n<div>Сауна в подвале, печь электрическая. Сколько выйдет?</div></div>\n\
         <p><a href=\"https://crm.example/track\">Просмотреть</a></p>",
    );
    assert_eq!(s(&r.name), Some("Дмитрий Орлов"));
    assert_eq!(s(&r.email), Some("d.orlov@example.com"));
    assert_eq!(s(&r.phone), Some("+79126021877"));
    assert_eq!(
        s(&r.message),
        Some("Сауна в подвале, печь электрическая. Сколько выйдет?")
    );
}

#[test]
fn bare_values_over_the_sites_own_record_read_as_a_label_less_letter() {
    // Elementor Pro's [all-fields] for fields with no label (round 25a): the
    // bare values, then `---` and Date / Time / Page URL / User Agent /
    // Remote IP / Powered by. Those rows are the site's record of the
    // submission, not the client's fields: the bare lines are the name, the
    // phone and the text.
    let r = html(
        "Андрей<br>8 (903) 271-44-09<br>Нужен замер окон на даче, 5 окон. Можно в выходные.<br><br>---<br><br>\
         Date: December 7, 2026<br>Time: 09:15<br>Page URL: https://okna.example/zamer/<br>\
         User Agent: Mozilla/5.0 (Linux; Android 13)<br>Remote IP: 198.51.100.23<br>Powered by: Elementor<br>",
    );
    assert_eq!(s(&r.name), Some("Андрей"));
    assert_eq!(s(&r.phone), Some("+79032714409"));
    assert_eq!(
        s(&r.message),
        Some("Нужен замер окон на даче, 5 окон. Можно в выходные.")
    );
    assert_eq!(r.kind.as_str(), "measurement");
    // A labelled field of the client's keeps the footer's numbers the site's.
    let r = html(
        "Имя: Андрей<br>Сообщение: Нужен замер.<br><br>---<br><br>Page URL: https://okna.example/zamer/<br>\
         <p>Наш телефон 8 (800) 555-35-35</p>",
    );
    assert_eq!(s(&r.phone), None);
}

#[test]
fn round_25b_latepoint_empty_comments_then_section_heading_and_date_time_slot() {
    // LatePoint's agent notice: `Comments:` left empty, then `<h4>Appointment
    // Information</h4>` over `Service:`; the slot under `Date, Time`.
    let li = |l: &str, v: &str| format!("<li><span>{l}:</span> <strong>{v}</strong></li>\n");
    let body = format!(
        "Hello Anna!<br/><br/>\n<p>You have received a new appointment request from Роман Гуляев</p>\n\
         <h4>Customer Information</h4>\n<ul>\n{}{}{}{}</ul>\n<h4>Appointment Information</h4>\n<ul>\n{}{}</ul>",
        li("Full Name", "Роман Гуляев"),
        li("Email Address", "r.g@example.com"),
        li("Phone", "8 920 155 40 77"),
        li("Comments", ""),
        li("Service", "Консультация дизайнера"),
        li("Date, Time", "Dec 11, 2026, 15:30 - 16:30"),
    );
    let r = html_subject(
        "New Appointment Request",
        "Site <wordpress@kuhni.example>",
        &body,
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(s(&r.product), None);
    assert_eq!(s(&r.visit_time), Some("Dec 11, 2026, 15:30 - 16:30"));
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn round_25b_salon_booking_caption_cards_and_amelia_sign_off() {
    // Salon Booking System: uppercase captions over their values; the
    // client's card under `CUSTOMER DETAILS`, the note under `CUSTOMER NOTES`.
    let row = |v: &str| format!("<tr><td align=\"left\"><p style=\"Margin:0\">{v}</p></td></tr>\n");
    let card = |rows: &[&str]| {
        let inner: String = rows.iter().map(|v| row(v)).collect();
        format!("<table cellpadding=\"0\" cellspacing=\"0\" width=\"100%\">\n{inner}</table>\n")
    };
    let body = [
        "<p>Dear administrator,<br/> this is an e-mail notification of a new booking at Потолки</p>\n"
            .to_string(),
        card(&["<strong>DATE &amp; TIME&nbsp;</strong>", "10.12.2026", "11:30"]),
        card(&["<strong>SERVICES</strong>", "Выезд замерщика"]),
        card(&["CUSTOMER DETAILS"]),
        card(&[
            "Эльвира Галиева",
            "<a href=\"mailto:e.g@example.ru\">e.g@example.ru</a>",
            "<a href=\"tel:+79173450912\">+7 9173450912</a>",
        ]),
        card(&["CUSTOMER NOTES"]),
        card(&["<em>Два потолка: зал 18 м2 и спальня 12 м2.</em>"]),
    ]
    .concat();
    let r = html_subject(
        "New booking for 10.12.2026 - 11:30",
        "Потолки <info@potolki.example>",
        &body,
    );
    assert_eq!(s(&r.name), Some("Эльвира Галиева"));
    assert_eq!(s(&r.phone), Some("+79173450912"));
    assert_eq!(s(&r.visit_time), Some("10.12.2026 11:30"));
    assert_eq!(
        s(&r.message),
        Some("Два потолка: зал 18 м2 и спальня 12 м2.")
    );
    // Amelia's notification as an owner edits it: `Спасибо,` over the
    // company's name is the template's sign-off; a booked manager's call
    // is a callback with no visit time.
    let a = html_subject(
        "Звонок-консультация — новая запись",
        "Сауны <booking@sauny.example>",
        "Здравствуйте, <strong>Игорь</strong>,<br><br>У вас новая подтверждённая запись \
         <strong>Звонок-консультация</strong>.<br><br>Дата: <strong>11.12.2026</strong><br>Время: \
         <strong>16:00</strong><br><br>Клиент: <strong>Степан Кудрин</strong><br>Телефон: \
         <strong>+79045556677</strong><br>Комментарий клиента: <strong></strong><br><br>Спасибо,<br>\
         <strong>Сауны Екб</strong>",
    );
    assert_eq!(s(&a.message), None);
    assert_eq!(a.kind, Kind::Callback);
    assert_eq!(s(&a.visit_time), None);
}

#[test]
fn round_25b_calcom_when_block_and_birchpress_sent_by_footer() {
    // Cal.com's plain part: `When` alone over the slot, the zone kept.
    let r = plain_with(
        "Subject: Замер кухни with Дарья at 11:00am\r\n",
        "A new event has been scheduled.\n\nWhat\nЗамер кухни between Кухни and Дарья\n\nWhen\n\
         Thursday, December 10, 2026 | 11:00am - 12:00pm (Europe/Moscow)\n\nAdditional notes\n\
         Кухня угловая, 2,8 м.\n\nТелефон\n+7 921 330-45-18\n",
    );
    assert_eq!(
        s(&r.visit_time),
        Some("Thursday, December 10, 2026 | 11:00am - 12:00pm (Europe/Moscow)")
    );
    assert_eq!(s(&r.message), Some("Кухня угловая, 2,8 м."));
    // `Sent by BirchPress Scheduler` is the plugin's line, not the text;
    // `Sent by NAME from EMAIL` (Spree) still names the sender.
    let b = plain("Имя: Игорь\nТелефон: +7 910 944-03-17\n\nSent by BirchPress Scheduler\n");
    assert_eq!(s(&b.message), None);
}

// ---- Round 25c: hand-written handlers on other platforms -------------------

#[test]
fn a_handlers_one_sentence_name_then_captions_some_without_a_colon() {
    // A Firebase function's `${name}, email: ${email}, phone number
    // ${phone}, says: ${message}`: the leading name, the e-mail, a phone
    // caption with no colon before the number, and the text after `says:`.
    let r = plain_with(
        "Subject: New message from contact form at zabory.example\r\n",
        "Виктор, email: viktor@example.ru, phone number +7 953 181-22-90, says: нужен выезд на участок, \
         забор 60 метров\n",
    );
    assert_eq!(s(&r.name), Some("Виктор"));
    assert_eq!(s(&r.email), Some("viktor@example.ru"));
    assert_eq!(s(&r.phone), Some("+79531812290"));
    assert_eq!(
        s(&r.message),
        Some("нужен выезд на участок, забор 60 метров")
    );
    assert_eq!(r.kind.as_str(), "measurement");
    // A known caption before the comma (`ФИО, телефон:`) is no name.
    let r = plain("ФИО, телефон: Иван Петров 8 912 345-67-89\n");
    assert_ne!(s(&r.name), Some("ФИО"));
}

#[test]
fn a_subject_that_is_a_name_caption_or_message_from_a_name_names_the_client() {
    // Spring's `setSubject("Имя клиента: " + name)` over `Номер телефона: …`.
    let r = plain_with(
        "Subject: Имя клиента: Ирина\r\n",
        "Номер телефона: 89261234567",
    );
    assert_eq!(s(&r.name), Some("Ирина"));
    assert_eq!(s(&r.phone), Some("+79261234567"));
    assert_eq!(r.kind.as_str(), "callback");
    // A test word there is read, so the test submission is ignored.
    let r = plain_with(
        "Subject: Имя клиента: тест\r\n",
        "Номер телефона: 89000000000",
    );
    assert_eq!(r.action, Action::Ignore);
    // A bot's label-like subject names nobody.
    let r = plain_with(
        "Subject: Отправитель: Telegram bot\r\n",
        "Message:Telegram bot\n\nНужен замер балкона, 8 912 345-67-89",
    );
    assert_eq!(s(&r.name), None);
    // Deno's `Message from ${name}` over the bare text, From naming nobody.
    let r = read(
        "From: <acc@gmail.com>\r\nTo: <acc@gmail.com>\r\nSubject: Message from Павел\r\n\
         Content-Type: text/plain;charset=utf-8\r\n\r\nНужен расчёт ремонта ванной, тел. +7-923-455-66-77\r\n",
    );
    assert_eq!(s(&r.name), Some("Павел"));
    // Divi's `New Message From SITE` with the visitor in From: not the site.
    let r = read(
        "From: Марина <mail@potolki.example>\r\nReply-To: Марина <m@example.ru>\r\nTo: a@potolki.example\r\n\
         Subject: New Message From Потолки Екатеринбург\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Нужен потолок, 8 912 345-67-89\r\n",
    );
    assert_ne!(s(&r.name), Some("Потолки Екатеринбург"));
}

#[test]
fn a_first_person_plural_pitch_across_a_colon_is_a_sentence_not_a_caption() {
    // ASP.NET's `<br> <br>` + message: `Пропонуємо співпрацю: налаштуємо …`.
    let r = html(
        "Дані користувача:<br>   *<i>Імя: </i>Анна<br>   *<i>Email: </i>anna@example.com<br>\
         <br> <b>Тема:</b> Співпраця<br> <br>Пропонуємо співпрацю: налаштуємо таргет і SMM для вашої компанії, \
         гарантуємо від 50 заявок на місяць.",
    );
    assert_eq!(
        s(&r.message),
        Some(
            "Пропонуємо співпрацю: налаштуємо таргет і SMM для вашої компанії, гарантуємо від 50 заявок на місяць."
        )
    );
    assert_eq!(r.action, Action::Trash);
    // A two-word caption whose first word is no such verb stays a pair.
    let r = plain(
        "Объем работ: штукатурка стен и потолка в трёх комнатах, всего около 60 м2.\nТелефон: 89123456789\n",
    );
    assert!(pairs(&r).iter().any(|(l, _)| *l == "Объем работ"));
}

// ---- round 25d: order notices of eight more shop engines ----

#[test]
fn an_order_item_line_with_a_dash_or_comma_before_its_price_names_the_product() {
    // Ubercart's admin notice (`- 2 x Name - price`, SKU and options under
    // it) and Saleor's staff mail (`1 x Name (variant), price`); the option
    // `Длина: 4 м` is the item's, not the job's size.
    let r = html(
        "<p>Order number: <a href=\"https://k.example/admin/store/orders/12\">12</a><br />\
         Customer: Николай Антонов - n.antonov@example.ru<br />Order total: 38 400,00 руб.</p>\
         <p>Products:<br />- 60 x Профнастил НС35 0,5 мм - 640,00 руб.<br />&nbsp;&nbsp;SKU: NS35<br />\
         &nbsp;&nbsp;Длина: 4 м<br /><br /></p><p>Order comments:<br />\n</p>",
    );
    assert_eq!(s(&r.product), Some("Профнастил НС35 0,5 мм"));
    assert_eq!(s(&r.scope), None);
    assert_eq!(r.kind.as_str(), "callback");
    let r = plain(
        "Hi!\n\nBelow is the list of ordered products.\n\n1 x Диван угловой «Берн» (Велюр серый), 43 900,00 ₽\n\n\
         Order summary:\nTotal:              43 900,00 ₽\n\nBilling address\nООО Ромашка - Ирина Смирнова\n\n\
         Shipping address\nNo shipping required\n\nThank you for choosing Диваны!\n",
    );
    assert_eq!(s(&r.product), Some("Диван угловой «Берн» (Велюр серый)"));
    assert_eq!(s(&r.name), Some("Ирина Смирнова"));
    assert_eq!(s(&r.address), None);
    assert_eq!(s(&r.message), None);
}

#[test]
fn an_items_table_read_as_pairs_names_the_product_not_the_buyer() {
    // nopCommerce's OrderPlaced.StoreOwnerNotification: the buyer in the
    // shop's sentence `Name (email) has just placed an order`, the items
    // table flattened to `Name: …` / `Price: …` pairs.
    let r = html(
        "<p><a href=\"https://k.example/\">Кровля</a> <br />\r\n<br />\r\nГеннадий Соколов (g.sokolov@example.ru) \
         has just placed an order from your store. Below is the summary of the order. <br />\r\n<br />\r\n\
         Order Number: 3107<br />\r\n<br />\r\nShipping Address<br />\r\nГеннадий Соколов<br />\r\n\
         пос. Иншинский, д. 22<br />\r\nТула 300911<br />\r\nХарківська область Ukraine<br />\r\n<br />\r\n\
         <table><tr><th>Name</th><th>Price</th><th>Quantity</th><th>Total</th></tr>\
         <tr><td>Металлочерепица Монтеррей<br />Длина листа: 3,6 м</td><td>560,00 ₽</td><td>48</td>\
         <td>26 880,00 ₽</td></tr></table></p>",
    );
    assert_eq!(s(&r.name), Some("Геннадий Соколов"));
    assert_eq!(s(&r.email), Some("g.sokolov@example.ru"));
    assert_eq!(s(&r.product), Some("Металлочерепица Монтеррей"));
    assert_eq!(
        s(&r.address),
        Some("пос. Иншинский, д. 22, Тула 300911, Харківська область")
    );
    assert_eq!(s(&r.scope), None);
    assert_eq!(r.kind.as_str(), "callback");
}

#[test]
fn an_order_card_skips_the_company_the_phone_caption_and_reads_the_second_cell() {
    // Drupal Commerce's receipt: `Shipping Information` and `Billing
    // Information` cells side by side, a phone field's caption over its
    // number; Bagisto's company line over the person and `Contact : …` under
    // its `---`; the totals `Grand Total ₽4,500.00` are the shop's.
    let r = html(
        "<p>Order #5521 details:</p><table><tr><td>40 x</td><td><span>Профлист С8, 2 м</span> \
         <span>14 800,00 ₽</span></td></tr></table>\
         <table><tr><td>Shipping Information</td><td>Billing Information</td></tr><tr><td>\
         <p>Фомин Денис<br>\nс. Новая Усмань, ул. Полевая, 7<br>\nВоронежская обл.<br>\n396310<br>\nРоссия</p>\
         <div>Телефон</div><div>+7 (951) 540-21-86</div></td><td><p>Фомин Денис<br>\nул. Кольцовская, 35<br>\n\
         Воронеж<br>\nРоссия</p></td></tr></table><p>Order Total: 25 700,00 ₽</p>",
    );
    assert_eq!(s(&r.name), Some("Фомин Денис"));
    assert_eq!(s(&r.phone), Some("+79515402186"));
    assert_eq!(s(&r.product), Some("Профлист С8, 2 м"));
    assert_eq!(
        s(&r.address),
        Some("с. Новая Усмань, ул. Полевая, 7, Воронежская обл., 396310")
    );
    assert_eq!(s(&r.message), None);
    let r = html(
        "<p>You have a new Order <a href=\"https://b.example/admin/sales/orders/view/3\">#311</a></p>\
         <div>Billing Address</div><div>ИП Лаптев В.С.<br/>Виктор Лаптев<br/>ул. Малышева, 101<br/>\
         620014 Екатеринбург<br/>---<br/>Contact : +7 912 480-55-09</div>\
         <table><tr><th>SKU</th><th>Name</th><th>Price</th><th>Qty</th></tr><tr><td>PRJ-6x4</td>\
         <td>Проект бани 6×4</td><td>₽4,500.00</td><td>1</td></tr></table>\
         <div><span>Grand Total</span> <span>₽4,500.00</span></div>",
    );
    assert_eq!(s(&r.name), Some("Виктор Лаптев"));
    assert_eq!(s(&r.phone), Some("+79124805509"));
    assert_eq!(
        s(&r.address),
        Some("ул. Малышева, 101, 620014 Екатеринбург")
    );
    assert_eq!(s(&r.product), Some("Проект бани 6×4"));
    assert_eq!(s(&r.message), None);
}

#[test]
fn the_shops_sentences_in_an_order_notice_are_no_message() {
    // Easy Digital Downloads' sale notice (`Downloads sold:` over the
    // titles, `Purchased by:`), Shopware 6's plain confirmation (`Mrs. Name,`
    // greeting, `… your order …` sentences, `Description Name,` item line).
    let r = html(
        "<h1>New Sale!</h1><p>Hello</p><p>A Downloads purchase has been made.</p><p>Downloads sold:</p>\
         <p>Проект кухни «Скандинавия» — чертежи (PDF)<br />\nКаталог фасадов (PDF)</p>\
         <p>Purchased by:  Людмила Егорова<br />\nAmount:  2 490,00 руб.<br />\nPayment Method:  ЮKassa</p>\
         <p>Thank you</p>",
    );
    assert_eq!(s(&r.name), Some("Людмила Егорова"));
    assert_eq!(
        s(&r.product),
        Some("Проект кухни «Скандинавия» — чертежи (PDF)")
    );
    assert_eq!(s(&r.message), None);
    let r = plain(
        "Mrs. Ольга Никитина,\n\nWe have received your order from 07 Dec 2026, 16:47.\n\nOrder number: 10188\n\n\
         You may use this link to edit your order, change the payment method or make additional payments.\n\n\
         Pos. 1\n---------------------\nProduct number PL-3307,\nDescription Керамогранит Gray 60×60,\n\
         Quantity 24,\nPrice ₽1,150.00,\n\nBilling address:\nООО «Стройресурс»\nОльга Никитина\n\
         пр. Октября, 64\n150040 Ярославль\nRussia\n\nShipping address:\n\nОльга Никитина\nул. Свободы, 9\n\
         150000 Ярославль\nRussia\n\n",
    );
    assert_eq!(s(&r.name), Some("Ольга Никитина"));
    assert_eq!(s(&r.product), Some("Керамогранит Gray 60×60"));
    assert_eq!(s(&r.address), Some("ул. Свободы, 9, 150000 Ярославль"));
    assert_eq!(s(&r.message), None);
}

// ---- round 25e: missed-call and call-back notices of call trackers and PBXs ----

#[test]
fn a_missed_call_notice_gives_the_callers_number_not_the_dialled_line() {
    // Mango Office / Zadarma: the caller under `От:` / `From:` (a name's
    // caption holding only a number), the business's line under `На номер:`
    // / `Кому:` / `To:`; the service's reminder to call back is no message.
    let r = plain(
        "Пропущенный вызов\n\nОт: +7 (903) 456-78-90\nНа номер: 8 (800) 555-35-35\nГруппа: Отдел продаж\n\
         Время ожидания: 0:52\n\nПерезвоните клиенту как можно скорее.\n\nС уважением,\nМАНГО ОФИС\n",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(r.phones, ["+79034567890"]);
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    let r = plain(
        "You have a missed call\n\nFrom: 380671112233\nTo: 100 (SIP)\nDate: 2026-12-07 11:05:48\n",
    );
    assert_eq!(r.phones, ["+380671112233"]);
    let r = plain(
        "Новое голосовое сообщение\n\nОт: 79052223344\nКому: 74993221100\nДлительность: 00:27\n",
    );
    assert_eq!(r.phones, ["+79052223344"]);
    // UIS / Calltouch / Ringostat: the tracking (substitution) number is the
    // business's own.
    let r = html(
        "<table><tr><td>Номер абонента</td><td>79161234567</td></tr>\
         <tr><td>Виртуальный номер</td><td>73432345500</td></tr>\
         <tr><td>Номер отслеживания</td><td>+7 (812) 660-12-00</td></tr>\
         <tr><td>Номер подмены</td><td>+7 (495) 118-40-40</td></tr></table>",
    );
    assert_eq!(r.phones, ["+79161234567"]);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_call_trackers_dashboard_link_and_tagline_end_the_text() {
    // Calltouch's `Открыть в личном кабинете` link line, Binotel's
    // `Binotel — хмарна телефонія для бізнесу` tagline under the table.
    let r = html(
        "<h2>Пропущенный звонок</h2><table><tr><td>Номер клиента</td><td>+7 925 310-44-18</td></tr></table>\
         <p><a href=\"https://my.calltouch.example/\">Открыть в личном кабинете</a></p>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    let r = html(
        "<h3>Пропущений дзвінок</h3><table><tr><td>Номер клієнта</td><td>0671234567</td></tr>\
         <tr><td>Лінія</td><td>0443334455</td></tr></table>\
         <p>Binotel — хмарна телефонія для бізнесу</p>",
    );
    assert_eq!(r.phones, ["+380671234567"]);
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
}

// ---- round 25f: hosted form back-ends ---------------------------------------

#[test]
fn a_json_object_line_inside_a_services_welcome_template_is_the_form() {
    // Formclip pastes JSON.stringify(req.body) between its greeting and
    // `Cheers,`; the subject names the page (`Site https://…`), not a form,
    // and the back-end's From is nobody's address.
    let r = read(
        "From: Form Clip <hello@formclip.example>\r\nTo: <owner@dveri.example>\r\n\
         Subject: New Submission on Site https://dveri.example\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n<h1>You got a Response!</h1><table><tr><td>\
         <p>We're excited to have you get started. Below is your access key.</p></td></tr>\
         {\"fname\":\"Ксения\",\"lname\":\"Орлова\",\"tel\":\"89157003311\",\"msg\":\"Двери в наличии?\"}\
         <tr><td><p>Cheers,</p><p>FormClip Team</p></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Ксения Орлова"));
    assert_eq!(s(&r.phone), Some("+79157003311"));
    assert_eq!(s(&r.message), Some("Двери в наличии?"));
    assert_eq!(s(&r.email), None);
    assert_eq!(s(&r.form), None);
    assert_eq!(s(&r.page), Some("https://dveri.example"));
    // A line with one known key only is no form.
    let r = plain("Имя: Иван\nТелефон: +7 912 000 11 22\n{\"debug\":\"1\",\"name\":\"x\"}\n");
    assert_eq!(s(&r.name), Some("Иван"));
}

#[test]
fn a_first_and_last_name_on_two_lines_of_one_cell() {
    // 123FormBuilder's Name field: `Имя: Алесь` / `Ковальчук`, right over
    // the next known label.
    let r = html(
        "<table><tr><td><b>Имя</b></td><td>Алесь<br>Ковальчук</td></tr>\
         <tr><td><b>Телефон</b></td><td>(+375) 29 7714402</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Алесь Ковальчук"));
    assert_eq!(s(&r.phone), Some("+375297714402"));
    // A capitalised word under the name with no label after it is not a
    // surname (a heading or the site's sign-off).
    let r = plain("Имя: Алесь\nТелефон: +375 29 771 44 02\nИмя: Олег\nСпасибо\n");
    assert_eq!(s(&r.name), Some("Алесь"));
}

#[test]
fn hosted_back_end_subjects_and_intros_name_the_form() {
    // 123FormBuilder: `X - new submission` (From signed with the form's
    // name too) and `You have received a new submission for X.`; Yandex
    // Forms: `Новый ответ на форму «X»`.
    let r = read(
        "From: =?UTF-8?B?0KDQsNGB0YfRkdGCINCx0LDQvdC4?= <noreply@123formbuilder.example>\r\n\
         To: info@bani.example\r\nSubject: =?UTF-8?B?0KDQsNGB0YfRkdGCINCx0LDQvdC4IC0gbmV3IHN1Ym1pc3Npb24=?=\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>You have received a new submission for <b>Расчёт бани</b>.</p>\
         <table><tr><td>Имя</td><td>Алесь</td></tr><tr><td>Телефон</td><td>+375 29 7714402</td></tr></table>",
    );
    assert_eq!(s(&r.form), Some("Расчёт бани"));
    let r = plain_with(
        "Subject: =?UTF-8?B?0J3QvtCy0YvQuSDQvtGC0LLQtdGCINC90LAg0YTQvtGA0LzRgyDCq9Ca0L7QvdGB0YPQu9GM0YLQsNGG0LjRj8K7?=\r\n",
        "Имя\nЕвгения\n\nТелефон\n+7 920 430-77-15\n",
    );
    assert_eq!(s(&r.form), Some("Консультация"));
}

#[test]
fn service_footers_and_input_names_of_static_form_back_ends() {
    // Kwes' `Submitted via KwesForms` ends the message; Formcarry's `sender`
    // input is the name, a select posted as `About` the product, the
    // transliterated `razmery` a size.
    let r = html(
        "<p><b>sender:</b> Галина</p><p><b>About:</b> Шкаф-купе</p><p><b>razmery:</b> 3 x 2 м</p>\
         <p><b>phone:</b> +7 953 188-40-12</p><p><b>message:</b> Нужна консультация</p>\
         <p>Submitted via KwesForms</p>",
    );
    assert_eq!(s(&r.name), Some("Галина"));
    assert_eq!(s(&r.product), Some("Шкаф-купе"));
    assert_eq!(s(&r.scope), Some("3 x 2 м"));
    assert_eq!(s(&r.message), Some("Нужна консультация"));
}

#[test]
fn colon_less_captions_of_a_callback_module_are_pairs() {
    // Joomla's mod_ext_callback: `$ext_name_label  $name <br/>` with the
    // owner's captions, no colon; the message runs on after its caption.
    let r = html("Ваше имя  Геннадий <br/>Ваш телефон  8 (831) 413-27-90 <br/>");
    assert_eq!(s(&r.name), Some("Геннадий"));
    assert_eq!(s(&r.phone), Some("+78314132790"));
    assert_eq!(s(&r.message), None);
    let r = html(
        "Имя  Людмила <br/>Телефон  +7 903 601-85-24 <br/>Сообщение \r\nНужен выезд мастера, д. Кстово.",
    );
    assert_eq!(s(&r.name), Some("Людмила"));
    assert_eq!(s(&r.phone), Some("+79036018524"));
    assert_eq!(s(&r.message), Some("Нужен выезд мастера, д. Кстово."));
    // A sentence that opens with a caption's word is no pair: `почт`,
    // `мобильн` are keywords, not captions; one caption line alone neither.
    let r = plain("Тест, проверка почты. Не отвечать.\n\nОтправлено из мобильной Почты Mail.ru\n");
    assert!(pairs(&r).is_empty());
    let r = plain("Телефон 8 912 345-67-89, перезвоните после обеда.\n");
    assert_eq!(s(&r.name), None);
}

#[test]
fn an_upper_cased_heading_names_the_form_as_the_subject_spells_it() {
    // Apostrophe 2 forms: the text part's heading upper-cased by
    // html-to-text, the field names the editor's slugs (`uslugi`).
    let r = plain_with(
        "Subject: Консультация\r\n",
        "NEW SUBMISSION TO FORM: КОНСУЛЬТАЦИЯ\n\n * your-name: Денис\n * your-phone: +7 919 470-12-63\n\
         * uslugi: Натяжной потолок, Светильники\n * your-message: Можно ли сделать подсветку?\n",
    );
    assert_eq!(s(&r.form), Some("Консультация"));
    assert_eq!(s(&r.product), Some("Натяжной потолок, Светильники"));
    assert_eq!(s(&r.name), Some("Денис"));
}

#[test]
fn a_hidden_preheader_is_never_read_and_resends_sender_is_a_robot() {
    // React Email through Resend (round 26c): `<Preview>` writes the inbox
    // preview line into a `display:none` div padded with zero-width
    // characters; the shared sender `onboarding@resend.dev` is Resend's.
    let r = read(
        "From: My web site contact form <onboarding@resend.dev>\r\nTo: master@shop.example\r\n\
         Subject: =?UTF-8?B?0J3QvtC80LXRgCDRgtC10LvQtdGE0L7QvdCw?=\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><head></head><div style=\"display:none;overflow:hidden;line-height:1px\">Новый запрос от клиента\
         <div>\u{a0}\u{200c}\u{200b}\u{200d}</div></div><body><h1>Вы получили новый номер клиента</h1>\
         <p>Имя клиента: <!-- -->Валентина</p><p>Номер телефона: <a href=\"tel:+380672154088\">+380672154088</a></p>\
         </body></html>",
    );
    assert_eq!(s(&r.name), Some("Валентина"));
    assert_eq!(s(&r.phone), Some("+380672154088"));
    assert_eq!(s(&r.email), None);
    assert_eq!(s(&r.message), None);
    // A hidden element never closed hides nothing: the rest is read.
    let r = html("<span style=\"display: none\">Имя: Олег<br>Телефон: +7 912 000-11-22");
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(s(&r.phone), Some("+79120001122"));
}

#[test]
fn a_site_sentence_that_names_the_visitor_gives_the_name_and_is_no_message() {
    // A JSX component with the data inside sentences (round 26c): `Кто-то с
    // именем <span>X</span>!`, `Оставил нам свои контакты:<span>PHONE</span>`.
    let r = html(
        "<body><div><h1>Кто-то с именем <span>Наталья</span>!</h1><div><p>Оставил нам свои контакты:\
         <span>+7 (921) 300-45-67</span></p></div><div><p>Пожалуйста, свяжитесь с ним.</p></div></div></body>",
    );
    assert_eq!(s(&r.name), Some("Наталья"));
    assert_eq!(s(&r.phone), Some("+79213004567"));
    assert_eq!(s(&r.message), None);
}

#[test]
fn a_quoted_package_is_the_product_and_the_html_view_gives_the_address() {
    // A Nuxt route's text body: `Пакет: "…"` quoted by the template.
    let r = plain(
        "Новая заявка \n\nИмя: Роман\nТелефон: +7 (912) 345-67-80\"\nПакет: \"Баня 6×4 под ключ\"\n",
    );
    assert_eq!(s(&r.product), Some("Баня 6×4 под ключ"));
    assert_eq!(s(&r.phone), Some("+79123456780"));
    // Rails' two views of one mailer: the text view has no address, the
    // HTML view's heading `От: NAME EMAIL` has the client's.
    let r = read(
        "From: robot@metall.example\r\nTo: sales@metall.example\r\nSubject: Zapros\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n Имя: Галина\n Номер: +7 962 811 20 33\n\n Сообщение:\n Нужен замер навеса.\r\n\
         --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<h1>Запрос звонка с сайта metall.example</h1>\
         <h2>От: Галина galina.p@example.ru</h2><p>Номер: +7 962 811 20 33</p><p>Нужен замер навеса.</p>\r\n--b--\r\n",
    );
    assert_eq!(s(&r.email), Some("galina.p@example.ru"));
    assert_eq!(s(&r.name), Some("Галина"));
}

// ---- round 26a: live-chat transcripts and alerts ---------------------------

#[test]
fn bracketed_time_transcript_keeps_the_named_visitors_lines() {
    // Olark's plain transcript: a visitor block, then `(HH:MM:SS) nick: text`
    // lines; the operator's lines are not the client's (`замерщик` in them
    // asks for no visit).
    let r = plain(
        "Visitor: Марина\nEmail: marina@example.ru\nLocation: Тула, Russia\nIP: 95.31.10.22\n\n\
         (14:02:11) Марина: Сколько стоит натяжной потолок в зал 18 м²?\n\
         (14:02:40) Ольга: Матовый от 450 руб., точнее скажет замерщик.\n\
         (14:03:05) Марина: Рассчитайте, пожалуйста, мой телефон +7 (920) 744-12-09\n",
    );
    assert_eq!(s(&r.name), Some("Марина"));
    assert_eq!(s(&r.address), None);
    assert_eq!(
        s(&r.message).map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some(
            "Сколько стоит натяжной потолок в зал 18 м²? Рассчитайте, пожалуйста, мой телефон \
             +7 (920) 744-12-09"
                .into()
        )
    );
    assert_eq!(r.kind, Kind::Calculation);
    // A generated nick (`Kind Lemur #4512`) is no name; its lines are still
    // the client's, the first speaker's.
    let r = plain(
        "Visitor: Kind Lemur #4512\nPage: https://mebel.example/shkafy/\n\n\
         (09:41:17) Kind Lemur #4512: Перезвоните мне по шкафу-купе, 8 915 330 21 08\n\
         (09:41:52) Ольга: Конечно, перезвоним в течение 10 минут.\n",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(
        s(&r.message),
        Some("Перезвоните мне по шкафу-купе, 8 915 330 21 08")
    );
}

#[test]
fn html_transcript_turns_keep_the_guests_text_not_the_agents() {
    // Rocket.Chat's transcript: the author in bold over each message, agents
    // and bots by their login, the guest by name.
    let r = html(
        "<div> <hr><p><strong>rocket.cat</strong>  <em>Monday, December 7th 2026, 11:02:03 am</em></p>\
         <p>Здравствуйте! Напишите ваш вопрос.</p>\
         <p><strong>Виктор</strong>  <em>Monday, December 7th 2026, 11:02:40 am</em></p>\
         <p>Нужен забор 40 метров, можно замер в субботу?</p>\
         <p><strong>manager.igor</strong>  <em>Monday, December 7th 2026, 11:04:12 am</em></p>\
         <p>Да, оставьте телефон.</p>\
         <p><strong>Виктор</strong>  <em>Monday, December 7th 2026, 11:05:01 am</em></p>\
         <p>Мой номер 8 903 555-77-12</p></div>",
    );
    assert_eq!(s(&r.name), Some("Виктор"));
    assert_eq!(s(&r.phone), Some("+79035557712"));
    assert_eq!(
        s(&r.message).map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some("Нужен забор 40 метров, можно замер в субботу? Мой номер 8 903 555-77-12".into())
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn times_under_booking_captions_are_no_transcript() {
    // `Start: 15:00` over `End: 16:00`: a header's line under it is another
    // caption, so neither is a chat turn.
    let r = plain(
        "Name: Игорь Смирнов\nStart: 12/12/2026 15:00\nEnd: 12/12/2026 16:00\n\
         Phone: +7 985 640-11-22\nNotes: Можно ли приехать в шоурум?\n",
    );
    assert_eq!(s(&r.name), Some("Игорь Смирнов"));
    assert_eq!(s(&r.phone), Some("+79856401122"));
    assert_eq!(s(&r.message), Some("Можно ли приехать в шоурум?"));
}

#[test]
fn chat_alerts_name_the_visitor_in_their_sentence() {
    // Papercups: `A new message has arrived from EMAIL:` over the text.
    let r = plain(
        "A new message has arrived from irina.s@example.ru: Можно ли поставить москитные сетки?\n",
    );
    assert_eq!(s(&r.email), Some("irina.s@example.ru"));
    assert_eq!(r.action, Action::Lead);
    // Crisp: `NICK sent you a message on SITE:` over quoted lines; a
    // generated `visitor8312` is no name; `Location:` beside the current
    // page is where the visitor browses from.
    let r = plain(
        "visitor8312 sent you a message on Кровля:\n\n> Есть ли в наличии металлочерепица?\n\
         > Тел. 8(8412)45-60-71\n\nVisitor details\nEmail: \nLocation: Пенза, Russia\n\
         Current page: https://krovlya.example/metallocherepica/\n",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(s(&r.address), None);
    assert_eq!(
        s(&r.message),
        Some("Есть ли в наличии металлочерепица?\nТел. 8(8412)45-60-71")
    );
    let r =
        plain("Анна Ершова sent you a message on Кровля:\n\n> Перезвоните мне, +7 903 111-22-33\n");
    assert_eq!(s(&r.name), Some("Анна Ершова"));
}

// ---- round 26b: shop request modules ----------------------------------------

#[test]
fn a_one_click_table_whose_name_row_is_the_product_and_customer_row_the_buyer() {
    // Buy One Click WooCommerce: `название` / `Name` is the product's row
    // beside `Цена` and `Покупатель` / `Customer`; `Link to the product`
    // is the page; `Additionally` is the client's text; the shop's closing
    // `Спасибо за заказ!` row is neither a value nor the text.
    let td = "<td style=\"text-align: center;\">";
    let row = |k: &str, v: &str| format!("<tr>{td}{k}</td>{td}{v}</td></tr>");
    let body = |labels: [&str; 6], more: &str| {
        format!(
            "<table border=\"2\"><tr><td colspan=\"2\">ОкнаПро</td></tr>{}{}{}{}{}{}{}\
             <tr><td colspan=\"2\">Спасибо за заказ! Мы перезвоним вам в течение 15 минут.</td></tr></table>",
            row(
                labels[0],
                "<a href=\"https://okna.example/product/blitz/\">Look</a>"
            ),
            row(labels[1], "12990"),
            row(labels[2], "Окно ПВХ 1300×1400 Rehau Blitz"),
            row(labels[3], "+7 (916) 245-80-13"),
            row(labels[4], "Галина"),
            row(labels[5], more),
            "",
        )
    };
    let r = html(&body(
        [
            "Ссылка на товар: ",
            " Цена: ",
            "название",
            "Номер телефона",
            "Покупатель",
            " Дополнительно ",
        ],
        " ",
    ));
    assert_eq!(s(&r.name), Some("Галина"));
    assert_eq!(s(&r.product), Some("Окно ПВХ 1300×1400 Rehau Blitz"));
    assert_eq!(s(&r.page), Some("https://okna.example/product/blitz/"));
    assert_eq!(r.message, None);
    let r = html(&body(
        [
            "Link to the product: ",
            " Price: ",
            "Name",
            "Phone number",
            "Customer",
            " Additionally ",
        ],
        " Потрібна доставка до Бучі ",
    ));
    assert_eq!(s(&r.name), Some("Галина"));
    assert_eq!(s(&r.product), Some("Окно ПВХ 1300×1400 Rehau Blitz"));
    assert_eq!(s(&r.page), Some("https://okna.example/product/blitz/"));
    assert_eq!(s(&r.message), Some("Потрібна доставка до Бучі"));
    // Without a price row a `Name` caption is the client's, whatever it holds.
    let r = html(&format!(
        "<table>{}{}</table>",
        row("Name", "Ирина Олеговна"),
        row("Phone", "+7 (916) 245-80-13")
    ));
    assert_eq!(s(&r.name), Some("Ирина Олеговна"));
    assert_eq!(r.product, None);
}

#[test]
fn a_shop_sentence_that_the_buyer_awaits_a_call_about_a_product() {
    // CS-Cart's call_requests: `Покупатель NAME <a>ожидает Вашего звонка</a>
    // на номер PHONE.` over `Удобное время для звонка с … до ….`; the buy
    // with one click request `Клиент NAME-<a> ждет вашего звонка</a> на
    // номер PHONE, относительно покупки товара <a>PRODUCT</a>.` Both
    // sentences are the site's: no message.
    let r = html(
        "<body>\n\nПокупатель Андрей Ковалёв <a href=\"https://x.example/admin.php\">ожидает Вашего звонка</a> на \
         номер +7 (912) 345-67-89. <br />\nУдобное время для звонка с 10:00 до 13:00.\n\n</body>",
    );
    assert_eq!(s(&r.name), Some("Андрей Ковалёв"));
    assert_eq!(r.phones, vec!["+79123456789".to_string()]);
    assert_eq!(r.message, None);
    assert_eq!(r.kind, Kind::Callback);
    let r = html(
        "<body>\n\nКлиент Марина-<a href=\"https://x.example/admin.php\"> ждет вашего звонка</a> на номер \
         +7 (987) 654-32-10, относительно покупки товара <a href=\"https://x.example/grohe/\">Смеситель Grohe \
         Eurosmart</a>. <br />\n\n</body>",
    );
    assert_eq!(s(&r.name), Some("Марина"));
    assert_eq!(s(&r.product), Some("Смеситель Grohe Eurosmart"));
    assert_eq!(r.message, None);
    // An empty name leaves the role word alone: no name.
    let r = html(
        "<body>Покупатель  <a href=\"#\">ожидает Вашего звонка</a> на номер 8 (343) 222-33-44.</body>",
    );
    assert_eq!(r.name, None);
    assert_eq!(r.phones, vec!["+73432223344".to_string()]);
}

#[test]
fn a_product_with_an_empty_reference_loses_the_dangling_comma() {
    // Bonpresta One Click Order: `Product: NAME, REFERENCE`; no reference
    // leaves `NAME, `. `Product link:` is the page.
    let r = plain(
        "Customer name: \r\nPhone number: 89101234567\r\nProduct: Ламинат Kronotex Дуб Престиж, \r\n\
         Product link: https://laminat.example/laminat/118.html\r\n",
    );
    assert_eq!(s(&r.product), Some("Ламинат Kronotex Дуб Престиж"));
    assert_eq!(s(&r.page), Some("https://laminat.example/laminat/118.html"));
}

#[test]
fn a_bitrix_form_event_about_a_catalogue_element() {
    // RedSign MegaMart's RS_FORM_PRODUCT_ASK: `Элемент:` is the product.
    let r = plain_with(
        "Subject: =?UTF-8?B?0KTQvtGA0LzQsDog0JfQsNC00LDRgtGMINCy0L7Qv9GA0L7RgSDQv9C+INGN0LvQtdC80LXQvdGC0YM=?=\r\n",
        "Имя автора: Анастасия\r\nЭлектронный адрес: nastya@example.ru\r\n\
         Элемент: Шкаф-купе «Лайт» 1800 мм\r\n\r\nВопрос:\r\nМожно ли сделать шириной 1650 мм?\r\n",
    );
    assert_eq!(s(&r.name), Some("Анастасия"));
    assert_eq!(s(&r.product), Some("Шкаф-купе «Лайт» 1800 мм"));
    assert_eq!(s(&r.form), Some("Задать вопрос по элементу"));
}

#[test]
fn a_bold_writer_over_a_shop_sentence_about_the_product_asked() {
    // SmartStore.NET's Product.AskQuestion: `<b>NAME</b> has asked a
    // question concerning the product:` over the linked title; the store's
    // footer `Store · host` ends the client's text.
    let r = html(
        "<h1>Product inquiry</h1>\n<p class=\"mb-1\">\n  <b>Виктор Лебедев</b>\n    has asked a question concerning \
         the product:\n</p>\n<p>\n  <a href=\"https://k.example/d500\">Газобетонный блок D500</a>\n  <span></span>\n\
         </p>\n<p>\n  <b>Email:</b><br />\n  <a href=\"mailto:v@example.ru\">v@example.ru</a>\n</p>\n\
         <table><tr><td>Перезвоните мне по номеру 8 910 388-41-20.</td></tr></table>\n\
         <table><tr><td>Кирпич НН &middot; <a href=\"https://k.example/\">k.example</a></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Виктор Лебедев"));
    assert_eq!(s(&r.product), Some("Газобетонный блок D500"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните мне по номеру 8 910 388-41-20.")
    );
    assert_eq!(r.kind, Kind::Callback);
}

// ---- round 26d: letters clients write in their own mail programs ------------

#[test]
fn a_letters_own_signature_gives_the_phone_beside_an_address_line() {
    // K-9 Mail: the client's text, an `Адрес: …` line (a field, so the
    // letter is no label-less one) and their `-- ` signature with the phone.
    let r = read(
        "From: Ринат Галиев <rinat@mail.example>\r\nTo: info@okna.example\r\nSubject: Балкон\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Добрый день!\r\nМожно вызвать замерщика в субботу?\r\nАдрес: г. Подольск, ул. Садовая, д. 5\r\n\r\n\
         -- \r\nРинат\r\n+7 926 410-55-81\r\n",
    );
    assert_eq!(s(&r.phone), Some("+79264105581"));
    assert_eq!(s(&r.address), Some("г. Подольск, ул. Садовая, д. 5"));
    assert_eq!(r.kind, Kind::Measurement);
    // A site's form with the same shape sent by its robot keeps its
    // signature's number out.
    let r = plain(
        "Имя: Ринат\nАдрес: г. Подольск\nСообщение: Нужен замер\n\n-- \nОкна Эксперт\n+7 495 120-30-40\n",
    );
    assert_eq!(s(&r.phone), None);
}

#[test]
fn an_automatic_reply_is_ignored() {
    // A Sieve vacation / out-of-office answer (RFC 3834 `Auto-Submitted:
    // auto-replied`) asks for nothing; a form robot's `auto-generated` does.
    let mail = |auto: &str| {
        read(&format!(
            "From: Марина <m@stroy.example>\r\nTo: sales@okna.example\r\n\
             Subject: Auto: Коммерческое предложение\r\nAuto-Submitted: {auto}\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Я в отпуске до 14 декабря. Отвечу после возвращения.\r\n"
        ))
    };
    assert_eq!(mail("auto-replied (vacation)").action, Action::Ignore);
    assert_eq!(mail("Auto-Replied").action, Action::Ignore);
    assert_ne!(mail("auto-generated").action, Action::Ignore);
}

#[test]
fn an_apps_script_json_of_e_parameters_reads_each_array_as_its_value() {
    // Round 26e: `MailApp.sendEmail(TO, "Contact Form Submitted",
    // JSON.stringify(e.parameters))` -- every value is the array of the
    // strings posted under the key; underscores stand for spaces.
    let r = plain(
        "{\"Ваше_имя\":[\"Игорь\"],\"tel\":[\"89031112233\"],\"Что_интересует\":[\"Окна\",\"Двери\"],\
         \"Сообщение\":[\"Здравствуйте!\\nСколько стоит окно?\"]}",
    );
    assert_eq!(s(&r.name), Some("Игорь"));
    assert_eq!(r.phones, vec!["+79031112233".to_string()]);
    assert_eq!(s(&r.product), Some("Окна, Двери"));
    assert_eq!(s(&r.message), Some("Здравствуйте!\nСколько стоит окно?"));
}

#[test]
fn a_notifier_mailing_the_respondent_keeps_their_address_as_the_client() {
    // Round 26e: GoogleFormNotifier sends To the respondent's `Username`
    // (Reply-To the same address), the staff in Bcc, From the sheet's owner.
    let r = read(
        "From: owner@okna.example\r\nReply-To: marina@example.ru\r\nTo: marina@example.ru\r\n\
         Subject: A 'Заявки' form has been submitted\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nA 'Заявки' form has been submitted\r\n\r\n\
         Timestamp:12/7/2026 10:14:33\r\n\r\nUsername:marina@example.ru\r\n\r\nВаше имя:Марина\r\n\r\n\
         Телефон:8 916 700-20-30\r\n\r\n",
    );
    assert_eq!(s(&r.email), Some("marina@example.ru"));
    assert_eq!(s(&r.name), Some("Марина"));
    // Without the Reply-To the recipient's address stays the company's.
    let r = read(
        "From: owner@okna.example\r\nTo: sales@example.ru\r\nSubject: Заявка\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nEmail: sales@example.ru\r\nИмя: Марина\r\n\
         Телефон: 8 916 700-20-30\r\n",
    );
    assert_ne!(s(&r.email), Some("sales@example.ru"));
}

// ---- round 26f: Russian site engines' own notices (Moguta.CMS, Bitrix Aspro) ----

#[test]
fn a_user_writes_sentence_gives_the_writer_and_opens_the_text() {
    // Round 26f: Moguta.CMS's feedback mail, `<h1>Сообщение с формы обратной
    // связи!</h1>` (the subject's head before `от EMAIL`), then `Пользователь
    // NAME с почтовым ящиком EMAIL [, контактным номером телефона PHONE]
    // пишет:` over the text; a client's line with a colon goes on with it.
    let mail = |sentence: &str, text: &str| {
        plain_with(
            "Subject: Сообщение с формы обратной связи от oleg@example.com\r\n",
            &format!("Сообщение с формы обратной связи!\r\n{sentence}\r\n{text}\r\n"),
        )
    };
    let r = mail(
        "Пользователь Олег с почтовым ящиком oleg@example.com пишет:",
        "Хочу шкаф-купе.\r\nПерезвоните мне пожалуйста: 8 910 955 31 07, после обеда.",
    );
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(s(&r.email), Some("oleg@example.com"));
    assert_eq!(
        s(&r.message),
        Some("Хочу шкаф-купе.\nПерезвоните мне пожалуйста: 8 910 955 31 07, после обеда.")
    );
    let r = mail(
        "Пользователь Ирина Павлова с почтовым ящиком oleg@example.com , контактным номером \
         телефона +7 (921) 830-44-12 пишет:",
        "Сколько стоит окно 1300 на 1400?",
    );
    assert_eq!(s(&r.name), Some("Ирина Павлова"));
    assert_eq!(r.phones, vec!["+79218304412".to_string()]);
    assert_eq!(s(&r.message), Some("Сколько стоит окно 1300 на 1400?"));
}

#[test]
fn a_bitrix_form_filling_html_template_drops_its_sent_line_and_reads_the_order_list() {
    // Round 26f: Aspro solutions' FORM_FILLING mail templates end with
    // `Запрос отправлен: DATE` and the admin link on the same rendered line
    // (the site's, not the client's request); `Состав заказа:` lists the
    // goods ordered, its last `шт.` no sentence's end.
    let r = html(
        "Заполнена форма \"Оформление заказа\" на сайте Заборы (532)<br />\n\
         Имя посетителя: Павел<br />\nТелефон: +7 (904) 350-60-70<br />\n\
         Состав заказа: Профлист С8 — 40 шт.; Столб 60х60 — 22 шт.<br /><br />\n\t\n\
         Запрос отправлен: 07.12.2026 10:48:31\nПросмотр результата на сайте: \
         <a href='http://z.example/bitrix/admin/form_result_edit.php?RESULT_ID=532'>http://z.example/bitrix/admin/form_result_edit.php?RESULT_ID=532</a>",
    );
    assert_eq!(s(&r.message), None);
    assert_eq!(
        s(&r.product),
        Some("Профлист С8 — 40 шт.; Столб 60х60 — 22 шт.")
    );
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn an_avada_form_notification_subject_names_the_form_and_a_project_link_is_no_page() {
    // Round 27b: Avada (Fusion Builder) forms' default subject is `X - Form
    // Submission Notification`; its table is `<th align="left">` over a
    // `<td>` in a nested table, charset spelt `UTF8`.
    let r = read(
        "Subject: =?UTF-8?B?0J7QsdGA0LDRgtC90YvQuSDQt9Cy0L7QvdC+0LogLSBGb3JtIFN1Ym1pc3Npb24gTm90aWZpY2F0aW9u?=\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         <html><head><title>X - Form Submission Notification</title></head><body><table cellspacing='4' \
         cellpadding='4' align='left'><table><tr><th align=\"left\">Ваш телефон</th><td>8 474 250-33-61</td></tr>\
         <tr><th align=\"left\">Имя</th><td>Сергей</td></tr></table></table></body></html>",
    );
    assert_eq!(s(&r.form), Some("Обратный звонок"));
    assert_eq!(s(&r.name), Some("Сергей"));
    assert_eq!(r.phones, vec!["+74742503361".to_string()]);
    // SureForms' URL field: the client's link to their plan is theirs, not
    // the page the form was sent from.
    let r = html(
        "<table><tr><th><strong>Имя:</strong></th></tr><tr><td>Дмитрий</td></tr>\
         <tr><th><strong>Ссылка на проект:</strong></th></tr><tr><td><a href=\"https://disk.example.com/d/plan\">\
         https://disk.example.com/d/plan</a></td></tr></table>",
    );
    assert_eq!(s(&r.page), None);
    assert_eq!(s(&r.name), Some("Дмитрий"));
}

// ---- round 27a: a PBX's own voicemail and missed-call notices ---------------

#[test]
fn a_pbx_voicemail_notice_gives_the_caller_and_the_transcription_only() {
    // FusionPBX / Kazoo: the subject names the caller (`NAME <NUM>`, `NAME
    // (NUM)`, a duration after it); the company's DID (`Callee: …`, `to DID
    // ext N`), the mailbox, the length and the account block are the
    // system's; a transcription is the client's words.
    let r = plain_with(
        "Subject: Voicemail from Марина <89024781290> 00:00:38\r\n",
        "Voicemail from Марина 89024781290\n\nTo 200 (Замерщики)\nReceived 07.12.2026 14:07\n\
         Length 00:00:38\nMessage Attached\n\nTranscription\n\
         Здравствуйте, сколько будет стоить натяжной потолок на кухню?\n",
    );
    assert_eq!(s(&r.name), Some("Марина"));
    assert_eq!(r.phones, ["+79024781290"]);
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте, сколько будет стоить натяжной потолок на кухню?")
    );
    assert_eq!(s(&r.scope), None);
    assert_eq!(r.kind, Kind::Calculation);
    let r = plain_with(
        "Subject: Missed call from 79122460318 (79122460318)\r\n",
        "                Missed Call\n\n\nA call was received on phone number 73433020202\n\
         but went unanswered and left no voicemail message.\n\n=== Call Details ===\n\n\
             Caller: 79122460318 (79122460318)\n    Callee: 73433020202 (originally dialed number)\n\n\
         Account Information\n\n    Account Name: Мебель на заказ\n",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(r.phones, ["+79122460318"]);
}

// ---- round 27c: shop engines' mails to the owner (CubeCart, Zen Cart, HikaShop, VirtueMart) ----

#[test]
fn a_field_line_under_the_text_between_rules_is_the_forms_own() {
    // Round 27c: CubeCart's contact mail, `Name <email> wrote to Dept:`,
    // the enquiry between two dash rules with the form's phone appended
    // under it (`\r\n\r\nPhone: X`): the text stops at the field line, the
    // field is read.
    let r = plain(
        "Андрей Шилов <a.shilov@example.ru> wrote to Кровля:\r\n---------------\r\n\
         Нужен расчёт металлочерепицы на дом 10х12.\r\nПришлите смету на почту.\r\n\r\n\
         Phone: +7 343 318-20-44\r\n---------------\r\n\r\n\
         This email is sent from the store's master email address.\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Нужен расчёт металлочерепицы на дом 10х12.\nПришлите смету на почту.")
    );
    assert_eq!(r.phones, vec!["+73433182044".to_string()]);
    assert_eq!(r.kind, Kind::Calculation);
    // A field line inside the text (no blank line above it) still leaves
    // the frame unread as text.
    let r = plain(
        "Имя: Олег\r\n---------------\r\nДобрый день, нужен забор.\r\nPhone: 8 912 000 11 22\r\n\
         Сколько стоит?\r\n---------------\r\n",
    );
    assert_ne!(s(&r.message), Some("Добрый день, нужен забор."));
}

#[test]
fn a_link_right_under_the_product_line_is_its_page() {
    // Round 27c: Zen Cart's Ask a Question text part, `Product Name:\tX`
    // over the product's own URL, then the enquiry between dash rules: the
    // link is the page (not a footer), the framed text the message.
    let r = plain(
        "From:\tТатьяна\r\nMail:\tt.b@example.ru\r\nTelephone:\t+7 (831) 412-55-60\r\n\
         Product Name:\tОкно ПВХ 1300x1400\r\n\
         https://okna.example/index.php?main_page=product_info&products_id=41\r\n\r\n\
         ------------------------------------------------------\r\n\r\n\
         Можно ли сделать это окно с ламинацией?\r\n\r\n\
         ------------------------------------------------------\r\n\r\n\
         Office Use Only:\t\r\nFrom:\tТатьяна\r\n",
    );
    assert_eq!(s(&r.product), Some("Окно ПВХ 1300x1400"));
    assert_eq!(
        s(&r.page),
        Some("https://okna.example/index.php?main_page=product_info&products_id=41")
    );
    assert_eq!(
        s(&r.message),
        Some("Можно ли сделать это окно с ламинацией?")
    );
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn a_quoted_product_title_and_an_admin_linked_product_name() {
    // Round 27c: HikaShop's contact request and waitlist notices (text
    // part from textVersion()): the title `Вопрос по товару 'X'` names the
    // product, `Товар` / `X (CODE) ( https://…/administrator/… )` is the
    // linked name without its code, the text stands under `Сообщение
    // пользователя`.
    let r = plain(
        "Запрос контакта\r\n\r\nВопрос по товару 'Дверь «Бастион» 960 мм'\r\n\r\n\
         Здравствуйте, ,\r\nВы получили запрос на контакт\r\n\r\nПользователь\r\n\
         Надежда ( n.k@example.ru )\r\n\r\nТовар\r\n\
         Дверь «Бастион» 960 мм (BST-960) ( https://d.example/administrator/index.php?option=com_hikashop&ctrl=product&task=edit&cid[]=214 )\r\n\
         Телефон: +7 (846) 202-77-15\r\n\r\nСообщение пользователя\r\n\r\n\
         Есть ли эта дверь в наличии?\r\n",
    );
    assert_eq!(s(&r.product), Some("Дверь «Бастион» 960 мм"));
    assert_eq!(s(&r.message), Some("Есть ли эта дверь в наличии?"));
    assert_eq!(r.phones, vec!["+78462027715".to_string()]);
    assert_eq!(s(&r.page), None);
    let r = plain_with(
        "Subject: Запрос списка ожидания для товара Смеситель Grohe\r\nReply-To: alla@example.ru\r\n",
        "Уведомление о подписке на список ожидания\r\n\r\n\
         Известить меня, когда 'Смеситель Grohe' появится в продаже\r\n\r\nЗдравствуйте, ,\r\n\
         Пользователь подписался на уведомление о списке ожидания для следующего товара.\r\n\r\n\
         Пользователь\r\nАлла ( alla@example.ru )\r\n\r\nТовар\r\n\
         Смеситель Grohe (GR-33281) ( https://s.example/administrator/index.php?option=com_hikashop&ctrl=product&task=edit&cid[]=3 )\r\n",
    );
    assert_eq!(s(&r.product), Some("Смеситель Grohe"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn an_asterisk_voicemail_reads_the_caller_from_the_body_or_is_reviewed_without_one() {
    // app_voicemail's default body (`… in mailbox 101 from CALLER, on DATE`)
    // and FreePBX's `From:\t"NAME" <NUM>`; `an unknown caller` /
    // `"Anonymous" <anonymous>` leave no contact: a manager reviews it.
    let r = plain_with(
        "Subject: [PBX]: New message 1 in mailbox 101\r\n",
        "Dear Sales:\n\n\tjust wanted to let you know you were just left a 0:27 long message (number 1)\n\
         in mailbox 101 from 0672318845, on Monday, December 07, 2026 at 10:15:03 AM\n\
         so you might want to check it when you get a chance.  Thanks!\n\n\t\t\t\t--Asterisk\n",
    );
    assert_eq!(r.phones, ["+380672318845"]);
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    let r = plain_with(
        "Subject: PBX Voicemail Notification\r\n",
        "Office,\n\nThere is a new voicemail in mailbox 1001:\n\n\tFrom:\t\"Андрей Волков\" <89277015533>\n\
         \tLength:\t0:23 seconds\n\nDial *98 to access your voicemail by phone.\n",
    );
    assert_eq!(s(&r.name), Some("Андрей Волков"));
    assert_eq!(r.phones, ["+79277015533"]);
    assert_eq!(s(&r.scope), None);
    let r = plain_with(
        "Subject: PBX Voicemail Notification\r\n",
        "Office,\n\nThere is a new voicemail in mailbox 1001:\n\n\tFrom:\t\"Anonymous\" <anonymous>\n\
         \tLength:\t0:06 seconds\n",
    );
    assert_eq!(s(&r.name), None);
    assert!(r.phones.is_empty());
    assert_eq!(r.action, Action::Review);
}

#[test]
fn a_caption_over_the_sites_writer_sentence_is_a_heading() {
    // Round 27c: VirtueMart's mail to the vendor, `Привет, SHOP`, then a
    // `<th>Контакт NAME</th>` over a cell `Вопрос был задан по NAME (EMAIL)
    // <br />` + the question: the caption is no label, the greeting and
    // heading no text.
    let r = html(
        "<table class=\"html-email\"><tr><td>Привет, Заборы Рязань<br /></td></tr></table>\
         <table class=\"html-email\"><tr><th>Контакт Евгений Титов</th></tr><tr><td>\
         Вопрос был задан по Евгений Титов (e.titov@example.ru)<br />Нужен забор 35 метров.<br />\n\
         Посчитайте стоимость с установкой.<br /></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Евгений Титов"));
    assert_eq!(s(&r.email), Some("e.titov@example.ru"));
    assert_eq!(
        s(&r.message),
        Some("Нужен забор 35 метров.\nПосчитайте стоимость с установкой.")
    );
    assert_eq!(r.action, Action::Lead);
}

// ---- a user caption holding the person and their address ------------------

#[test]
fn a_user_caption_with_a_name_and_an_address_gives_both_when_nothing_else_does() {
    // HikaShop's waitlist notice sent From the shop, no Reply-To:
    // `Пользователь` / `Алла ( alla@example.ru )`.
    let r = plain(
        "Здравствуйте,\r\nПользователь подписался на уведомление о списке ожидания для \
         следующего товара.\r\n\r\nПользователь\r\nАлла ( alla@example.ru )\r\n\r\n\
         Товар\r\nСмеситель Grohe\r\n",
    );
    assert_eq!(s(&r.email), Some("alla@example.ru"));
    assert_eq!(s(&r.name), Some("Алла"));
    assert_eq!(r.action, Action::Lead);
    // `Customer: Ivan Petrov <ivan@example.com>` likewise.
    let r = plain("Customer: Ivan Petrov <ivan@example.com>\r\nProduct: Oak door\r\n");
    assert_eq!(s(&r.email), Some("ivan@example.com"));
    assert_eq!(s(&r.name), Some("Ivan Petrov"));
    // A login with no address is no contact; the site's own address is
    // nobody's; an address inside other words is no such value.
    for body in [
        "Пользователь: admin\r\nТовар: Смеситель\r\n",
        "Пользователь: Администратор ( info@okna.example )\r\nТовар: Смеситель\r\n",
        "Пользователь: написал с alla@example.ru вчера\r\nТовар: Смеситель\r\n",
    ] {
        let r = plain(body);
        assert_eq!(s(&r.email), None, "{body}");
        assert_eq!(r.action, Action::Review, "{body}");
    }
}

#[test]
fn an_asterisk_voicemail_naming_the_caller_by_name_reads_the_number_from_its_header() {
    // app_voicemail's body shows `from Иван Петров` when the caller ID has a
    // name; the number is in its `X-Asterisk-VM-Caller-ID-Num` header.
    let r = plain_with(
        "Subject: [PBX]: New message 3 in mailbox 101\r\n\
         X-Asterisk-VM-Caller-ID-Num: 79161234567\r\n\
         X-Asterisk-VM-Caller-ID-Name: Иван Петров\r\n",
        "Dear Отдел продаж:\r\n\r\n\tjust wanted to let you know you were just left a 0:21 \
         long message (number 3)\r\nin mailbox 101 from Иван Петров, on Monday, December 07, \
         2026 at 10:15:02 AM so you might\r\nwant to check it when you get a chance.  Thanks!\r\n\
         \r\n\t\t\t\t--Asterisk\r\n",
    );
    assert_eq!(r.phones, ["+79161234567"]);
    assert_eq!(s(&r.name), Some("Иван Петров"));
    assert_eq!(r.action, Action::Lead);
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_nextcloud_text_part_lists_each_answer_before_its_question_in_brackets() {
    // Round 27d: Nextcloud Forms' owner notification goes through
    // Nextcloud's e-mail template, whose text part writes each answer as
    // `  * ANSWER (QUESTION)`; a multi-line answer runs on over the next
    // lines and its bracket closes the last; the button line follows.
    let r = plain(
        "New form response received\n\nA new response was submitted to the form Заявка на замер.\n\n\
         Submission summary:\n\n  * Марина Соколова (Ваше имя)\n  * +7 912 345-67-80 (Телефон)\n\
         \x20 * Екатеринбург, ул. Малышева, 51 (Адрес)\n  * Нужен замер трёх окон.\nУдобно в будни. (Что нужно сделать?)\n\
         Open form results: https://cloud.example.ru/apps/forms/x/results\n\n-- \nThis message was sent automatically by Forms.",
    );
    assert_eq!(s(&r.name), Some("Марина Соколова"));
    assert_eq!(r.phones, vec!["+79123456780".to_string()]);
    assert_eq!(s(&r.address), Some("Екатеринбург, ул. Малышева, 51"));
    assert_eq!(
        s(&r.message),
        Some("Нужен замер трёх окон.\nУдобно в будни.")
    );
    // A client's own bullet list with remarks in brackets is no such run.
    let r = plain(
        "Имя: Олег\nТелефон: 8 912 345-67-80\nСообщение: Нужны:\n* окно в кухню (1300 на 1400)\n* балкон (6 м)",
    );
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(
        s(&r.message),
        Some("Нужны:\nокно в кухню (1300 на 1400)\nбалкон (6 м)")
    );
}

#[test]
fn a_helpdesk_queue_is_no_product_and_its_open_link_caption_ends_the_message() {
    // Round 27d: HESK's staff alert as an admin extends it: the ticket's
    // category is the help desk's queue (`Продажи`, `Общие вопросы`), and
    // `Открыть заявку:` over the staff link is the system's, not the text.
    let r = plain(
        "Поступила новая заявка. Детали:\n\nТема: Расчёт забора\nНомер заявки: Q7K-2MW-9RTX\nИмя: Андрей\n\
         Телефон: 8 (921) 444-12-90\nКатегория: Продажи\nПриоритет: Средний\nОтветственный: Сергей Пахомов\n\n\
         Сообщение:\nСколько будет стоить забор 60 м?\n\nОткрыть заявку:\n\
         https://z.example.ru/helpdesk/admin/admin_ticket.php?track=Q7K-2MW-9RTX\n\nС уважением,\nЗаборы",
    );
    assert_eq!(s(&r.name), Some("Андрей"));
    assert_eq!(s(&r.product), None);
    assert_eq!(s(&r.message), Some("Сколько будет стоить забор 60 м?"));
    let r = plain(
        "Имя: Ирина\nТелефон: +7 495 120-30-40\nКатегория: Общие вопросы\nСообщение: Прайс вышлем.",
    );
    assert_eq!(s(&r.product), None);
    // A category that names goods still is the product.
    let r = plain(
        "Имя: Ирина\nТелефон: +7 495 120-30-40\nКатегория: Натяжные потолки\nСообщение: Сколько стоит?",
    );
    assert_eq!(s(&r.product), Some("Натяжные потолки"));
}

#[test]
fn balbooa_default_letter_checkbox_semicolons_mask_caption_and_textarea() {
    // Round 27d: Balbooa Forms writes a checked option as `opt;<br>`, names
    // an unlabelled input by its placeholder (a phone mask) and an
    // unlabelled textarea `Textarea`.
    let r = html(
        "<td class=\"droppad_area\"><div class=\"droppad_item system-item\"><b>Имя</b>: Светлана</div>\
         <div class=\"droppad_item system-item\"><b>+7 (___) ___-__-__</b>: +7 (950) 311-22-48</div>\
         <div class=\"droppad_item system-item\"><b>Что интересует</b>: <br>Кухня;<br>Шкаф-купе;<br></div>\
         <div class=\"droppad_item system-item\"><b>Textarea</b>: Сколько будет стоить угловая кухня?</div></td>",
    );
    assert_eq!(s(&r.name), Some("Светлана"));
    assert_eq!(r.phones, vec!["+79503112248".to_string()]);
    assert_eq!(s(&r.product), Some("Кухня\nШкаф-купе"));
    assert_eq!(s(&r.scope), None);
    assert_eq!(s(&r.message), Some("Сколько будет стоить угловая кухня?"));
}

#[test]
fn a_bullet_cell_before_a_list_item_is_no_label() {
    // Nextcloud's mail template writes list items as `<td>&bull;</td><td>
    // item</td>` rows: the bullet is decoration, the item reads alone.
    let r = html(
        "<table><tr><td style=\"width:15px\"><p>&bull;</p></td><td><p>Имя: Анна</p></td></tr>\
         <tr><td><p>&bull;</p></td><td><p>Телефон: 8 (904) 011-22-33</p></td></tr>\
         <tr><td><p>&bull;</p></td><td><p>Комментарий: Нужен замер окон</p></td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Анна"));
    assert_eq!(r.phones, ["+79040112233"]);
    assert_eq!(s(&r.message), Some("Нужен замер окон"));
    assert_eq!(r.kind, Kind::Measurement);
    // A `-` for an empty value stays the value of its caption.
    let r = html(
        "<table><tr><td>Имя</td><td>-</td></tr><tr><td>Телефон</td><td>89040112233</td></tr></table>",
    );
    assert_eq!(s(&r.name), None);
    assert_eq!(r.phones, ["+79040112233"]);
}

#[test]
fn messenger_notices_digests_and_one_line_posts() {
    // Round 27f: Bitrix24's digest of an open line's unread messages, the
    // author and a stamp over each message, the line's bot between the
    // client's lines.
    let r = plain_with(
        "Subject: Okna: chat\r\n",
        "Информационное сообщение сайта Окна Профи\n------------------------------------------\n\n\
         Здравствуйте, Марина Соколова!\n\nУ вас есть новые сообщения в чате «Алексей Смирнов - Окна»:\n\n\
         ------------------------------------------\n\
         [07.12.2026 14:02] Алексей Смирнов:\nЗдравствуйте, хочу заказать замер окон\n\
         [07.12.2026 14:02] Бот Окна Профи:\nОставьте, пожалуйста, номер телефона.\n\
         [07.12.2026 14:05] Алексей Смирнов:\n+7 912 777-08-09, лучше после 17:00\n\
         ------------------------------------------\n\nСообщение сгенерировано автоматически.\n",
    );
    assert_eq!(s(&r.name), Some("Алексей Смирнов"));
    assert_eq!(r.phones, ["+79127770809"]);
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте, хочу заказать замер окон\n+7 912 777-08-09, лучше после 17:00")
    );
    assert_eq!(r.kind, Kind::Measurement);
    // Umnico: one unread message under `Клиент: NAME`, `NAME: 18:44` over
    // it; an Instagram username is no name.
    let r = html(
        "<table><tr><td>Клиент:</td><td>Руслан</td></tr></table>\
         <div><b>Руслан</b> <span>18:44</span><br>Ищу работу монтажником окон, опыт 7 лет</div>\
         <p><a href=\"https://umnico.example/d/1\">Перейти к диалогу</a></p>",
    );
    assert_eq!(s(&r.name), Some("Руслан"));
    assert_eq!(
        s(&r.message),
        Some("Ищу работу монтажником окон, опыт 7 лет")
    );
    let r = html(
        "<table><tr><td>Клиент:</td><td>@dasha_home_decor</td></tr></table>\
         <p>Сколько стоит кухня как на фото?</p>",
    );
    assert_eq!(s(&r.name), None);
    // Facebook's Page message notification: the subject names the writer
    // the body prints over the text.
    let r = plain_with(
        "Subject: Mike Brown sent a message to Zabor Example\r\n",
        "Mike Brown\nHi! Do you also install sliding gates with automatic openers?\n",
    );
    assert_eq!(s(&r.name), Some("Mike Brown"));
    // A channel's post mailed as it stands: one line, an unknown caption
    // and a sentence after it, is the text.
    let r = plain("Продвижение вашего канала: 1000 живых подписчиков за 3 дня, пишите\n");
    assert_eq!(
        s(&r.message),
        Some("Продвижение вашего канала: 1000 живых подписчиков за 3 дня, пишите")
    );
    assert_eq!(r.action, Action::Trash);
}

#[test]
fn a_form_about_sms_with_a_latin_sender_and_a_phone_is_a_request_not_a_service_sms() {
    // `Заявка на SMS-рассылку` with `От: Ivan` and a phone: a client's
    // form, not a bank's or an operator's SMS forwarded to the mailbox.
    let r = plain_with(
        "Subject: Заявка на SMS-рассылку с сайта\r\n",
        "От: Ivan\r\nТелефон: +7 912 345-67-89\r\nСообщение: Хочу подключить SMS рассылку\r\n",
    );
    assert_eq!(r.action, Action::Lead);
    assert_eq!(r.phones, ["+79123456789"]);
    let r = plain_with(
        "Subject: SMS from site form\r\n",
        "From: Mike\r\nPhone: +7 912 345-67-89\r\nMessage: Call me please\r\n",
    );
    assert_eq!(r.action, Action::Lead);
    // A bank's SMS forwarded with no number in it stays nobody's request.
    let r = plain_with(
        "Subject: SMS от 900\r\n",
        "Сбербанк: Перевод 500р. Баланс 1000р\r\n",
    );
    assert_eq!(r.action, Action::Ignore);
    // Nor one whose own text names the bank's number: only a phone field
    // makes an SMS-titled mail a form.
    let r = plain_with(
        "Subject: SMS from 900 at dec/07\r\n",
        "Покупка 1200р. Если это не вы, звоните +7 495 500-55-50\r\n",
    );
    assert_eq!(r.action, Action::Ignore);
    assert!(r.phones.is_empty());
}

#[test]
fn a_call_trackers_missed_call_with_the_visitors_comment_keeps_it_as_the_message() {
    // A call tracker's missed-call mail: the caller's number in the subject,
    // the system's lines, then the visitor's comment left in the widget.
    let r = plain_with(
        "Subject: Пропущенный звонок от +79161234567\r\n",
        "Пропущенный звонок\r\nНомер клиента: +7 916 123-45-67\r\nВремя: 07.12.2026 14:02\r\n\
         Комментарий посетителя: Нужен замер балкона, перезвоните после 18\r\n",
    );
    assert_eq!(r.phones, ["+79161234567"]);
    assert_eq!(
        s(&r.message),
        Some("Нужен замер балкона, перезвоните после 18")
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn a_first_name_signed_at_the_end_of_a_forwarded_sms_is_the_clients_name() {
    // An SMS forwarded by a router script: the client signs the text with
    // a first name; a town at the same place names nobody.
    let r = plain_with(
        "Subject: SMS from +79161234567\r\n",
        "Перезвоните по забору из профлиста, 40 метров. Олег\r\n",
    );
    assert_eq!(s(&r.name), Some("Олег"));
    assert_eq!(r.phones, ["+79161234567"]);
    let r = plain_with(
        "Subject: SMS from +79161234567\r\n",
        "Нужен замер балкона, Калуга\r\n",
    );
    assert_eq!(r.name, None);
}

#[test]
fn a_long_first_person_pitch_about_your_website_is_the_message_not_a_site_sentence() {
    // A help desk's ticket: labelled name and e-mail, then the sender's
    // paragraph. `website` makes a short line the site's sentence; a long
    // paragraph in the first person is the sender's letter.
    let r = plain(
        "Name: David Miller\r\nE-mail: david@seo-rank.example.com\r\n\r\n\
         Hello, I checked your website and it is not ranking on the first page of Google. \
         We can bring it to the TOP 10 in 30 days. Reply to get a free SEO audit.\r\n",
    );
    assert!(s(&r.message).is_some_and(|m| m.starts_with("Hello, I checked your website")));
    assert_eq!(r.action, Action::Trash);
    // A site's short sentence naming the website stays out of the message.
    let r = plain(
        "Name: Анна\r\nPhone: +7 912 345-67-89\r\n\r\nThis message was sent from the website form.\r\n",
    );
    assert_eq!(r.message, None);
}

#[test]
fn a_form_about_a_call_with_a_phone_field_is_read_as_a_form_not_a_call_notice() {
    // `Пропущенный звонок от Анна` over the site's form fields: no caller's
    // number in the notice's places, a phone-labelled field has one.
    let r = plain_with(
        "Subject: Пропущенный звонок от Анна\r\n",
        "Имя: Анна\r\nТелефон: +7 912 345 67 89\r\nКомментарий: Нужен замер окон\r\nТовар: Окно ПВХ\r\n",
    );
    assert_eq!(r.action, Action::Lead);
    assert_eq!(r.phones, ["+79123456789"]);
    assert_eq!(s(&r.message), Some("Нужен замер окон"));
    assert_eq!(s(&r.product), Some("Окно ПВХ"));
    assert_eq!(r.kind, Kind::Measurement);
    let r = plain_with(
        "Subject: Voicemail from website visitor\r\n",
        "From: Анна\r\nPhone: +7 912 345 67 89\r\nMessage: Нужен замер окон\r\n",
    );
    assert_eq!(r.phones, ["+79123456789"]);
    assert_eq!(s(&r.message), Some("Нужен замер окон"));
    // A phone system's notice of an unknown caller stays review.
    let r = plain_with(
        "Subject: Voicemail Message from UNKNOWN 0000000000 - 4 sec\r\n",
        "From: UNKNOWN 0000000000\r\nDuration: 4\r\nAccount: 1000@pbx.okna.example\r\n",
    );
    assert_eq!(r.action, Action::Review);
    assert!(r.phones.is_empty());
}

#[test]
fn a_priced_product_line_over_its_link_names_the_product_and_its_page() {
    // Gambio's found-cheaper mail: `Name (price):` over the product's own
    // link, its options under it, then the competitor's figures.
    let r = plain_with(
        "Subject: found cheaper: Металлочерепица Монтеррей 0,5 мм\r\n",
        "Customer: Андрей\r\nEmail: a@example.ru\r\nTelephone number: +7 915 220-31-47\r\n\r\n\
         Металлочерепица Монтеррей 0,5 мм (612,00 RUB):\r\nhttps://shop.example.ru/monterrey.html\r\n\
         Цвет: RAL 8017\r\n\r\n\r\nLink to the cheaper offer: https://other.example.com/m\r\n\
         Cheaper price: 570 руб\r\n\r\nComment:\r\nНашёл дешевле, сделаете скидку?\r\n",
    );
    assert_eq!(s(&r.product), Some("Металлочерепица Монтеррей 0,5 мм"));
    assert_eq!(s(&r.page), Some("https://shop.example.ru/monterrey.html"));
    assert_eq!(s(&r.message), Some("Нашёл дешевле, сделаете скидку?"));
    assert_eq!(r.kind, Kind::Calculation);
    // Brackets that hold no price (a size) name no product.
    let r = plain(
        "Имя: Анна\r\nТелефон: +7 915 220-31-47\r\nОкно (1300x1400):\r\nhttps://shop.example.ru/okno.html\r\n",
    );
    assert_eq!(r.product, None);
}

#[test]
fn a_short_line_under_an_empty_caption_is_its_value_not_a_caption_over_a_rule() {
    // solidus_contact_us: `Message:` alone, the text, then the template's
    // rule of dashes and its `Sent by NAME from EMAIL` line.
    let r = html(
        "<p>Name: Олег</p>\n<p>Email: oleg@example.ru</p>\n<p>Phone: +7 903 771-20-45</p>\n\
         <p>Message:</p>\n<p>Перезвоните</p>\n<p>---------------------</p>\n\
         <p>Sent by Олег from oleg@example.ru</p>",
    );
    assert_eq!(s(&r.message), Some("Перезвоните"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_survey_tools_list_of_questions_reads_each_heading_as_the_caption() {
    // HeyForm (round 28e): `<ol><li><h3>question</h3><p>answer</p></li>`,
    // the hidden fields (UTM) in a second list; the subject names the form.
    let item = |q: &str, a: &str| format!("\n<li>\n  <h3>{q}</h3>\n  <p>{a}</p>\n</li>\n");
    let body = format!(
        "<p>You have just received a new form submission. Here it goes:</p><div><ol>{}{}{}{}{}</ol><ol>{}{}</ol>\
         <p><a href=\"https://my.heyform.net/workspace/x/submissions\">View All Submissions</a></p></div>",
        item("Как вас зовут?", "Анна Кравец"),
        item("Какой у вас номер телефона?", "+79261234455"),
        item("Что вы хотите заказать?", "Угловая кухня"),
        item(
            "Что ещё нам стоит знать?",
            "Фасады эмаль. Сколько будет стоить?"
        ),
        item("Согласны на обработку персональных данных?", "Yes"),
        item("utm_source", "yandex"),
        item("utm_campaign", "kuhni"),
    );
    let r = read(&format!(
        "From: HeyForm <noreply@heyform.net>\r\nTo: owner@kuhni.example\r\n\
         Subject: A new submission was received for Расчёт кухни\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}"
    ));
    assert_eq!(s(&r.name), Some("Анна Кравец"));
    assert_eq!(r.phones, ["+79261234455"]);
    assert_eq!(s(&r.product), Some("Угловая кухня"));
    assert_eq!(s(&r.message), Some("Фасады эмаль. Сколько будет стоить?"));
    assert_eq!(s(&r.utm.source), Some("yandex"));
    assert_eq!(s(&r.form), Some("Расчёт кухни"));
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_no_code_databases_form_notice_keeps_its_pairs_and_drops_its_footer() {
    // Baserow's notifications summary (round 28e): `FORM has been submitted in
    // TABLE`, the first three pairs, `and N more fields`, a `View in Baserow`
    // button with its URL, the product's blurb.
    let r = plain_with(
        "Subject: You have 1 new notification - Baserow\r\n",
        "You have 1 new notification\r\n\r\nWebsite form has been submitted in Requests\r\n\r\n\
         Name: Светлана\r\n\r\nPhone: +7 999 123-45-67\r\n\r\nNotes: Перезвоните по ремонту ванной\r\n\r\n\r\n\
         and 2 more fields\r\n\r\nView in Baserow\r\nhttps://baserow.example.com/notification/41/7/118\r\n\r\n\
         Baserow is an open source no-code database tool which allows you to collaborate on projects.\r\n",
    );
    assert_eq!(s(&r.name), Some("Светлана"));
    assert_eq!(r.phones, ["+79991234567"]);
    assert_eq!(s(&r.message), Some("Перезвоните по ремонту ванной"));
    assert_eq!(s(&r.page), None);
    assert_eq!(s(&r.form), Some("Website form"));
    assert_eq!(r.kind, Kind::Callback);
}

#[test]
fn a_subject_formats_full_stop_is_not_part_of_the_form_name() {
    // Form.io's default subject `New submission for {{ form.title }}.`.
    let r = plain_with(
        "Subject: New submission for Заявка на замер.\r\n",
        "Имя: Игорь\r\nТелефон: +7 916 555-12-34\r\n",
    );
    assert_eq!(s(&r.form), Some("Заявка на замер"));
    // An owner's notice pointing to the panel is no client's text.
    let r = plain_with(
        "Subject: Заказ звонка с сайта\r\nReply-To: ivan@example.ru\r\n",
        "Новая заявка на обратный звонок.\r\nОтветы смотрите в панели OhMyForm.\r\n",
    );
    assert_eq!(s(&r.message), None);
}

// ---- round 28b: lead marketplaces and business directories

fn from_platform(from: &str, ctype: &str, body: &str) -> Request {
    read(&format!(
        "From: {from}\r\nTo: office@okna.example\r\nSubject: New lead\r\n\
         MIME-Version: 1.0\r\nContent-Type: {ctype}; charset=utf-8\r\n\r\n{body}"
    ))
}

#[test]
fn a_lead_platforms_looking_for_sentence_names_the_client_the_job_and_the_place() {
    // Thumbtack: `NAME is looking for a JOB pro`, the place line under it,
    // the questions and answers, the client's message, a `View details`
    // button that ends it, the platform's own lines below.
    let r = from_platform(
        "Thumbtack <no-reply@thumbtack.example>",
        "text/html",
        "<h2>Kevin is looking for a Laminate Flooring Installation pro</h2><p>Austin, TX</p>\
         <p><b>How big is the area?</b><br>400 - 600 sq ft</p>\
         <p><b>Message from Kevin</b></p><p>Two bedrooms and a hallway, install only.</p>\
         <p><a href=\"https://www.thumbtack.example/pro-inbox/leads/1\">View details</a></p>\
         <p>Their phone number is shared once you reply.</p>",
    );
    assert_eq!(s(&r.name), Some("Kevin"));
    assert_eq!(s(&r.product), Some("Laminate Flooring Installation"));
    assert_eq!(s(&r.address), Some("Austin, TX"));
    assert_eq!(s(&r.scope), Some("400 - 600 sq ft"));
    assert_eq!(
        s(&r.message),
        Some("Two bedrooms and a hallway, install only.")
    );
    assert_eq!(r.action, Action::Review);
    // Bark: the town after `in` when no place line follows; the platform's
    // name for the job wins over an answer a keyword caption read.
    let b = from_platform(
        "Bark.com <team@bark.example>",
        "text/plain",
        "Viktor is looking for a Roofer in Manchester\n\nWhat do you need?: Repair\n\
         Additional details: Slates came off. Please ring me back on +7 912 345 67 89\n",
    );
    assert_eq!(s(&b.name), Some("Viktor"));
    assert_eq!(s(&b.product), Some("Roofer"));
    assert_eq!(s(&b.address), Some("Manchester"));
    assert_eq!(b.phones, ["+79123456789"]);
    // Yelp: `NAME sent you a quote request`, `New lead: NAME wants to speak
    // with you`: the client by first name and initial.
    let y = from_platform(
        "Yelp <no-reply@yelp.example>",
        "text/plain",
        "Sarah W. sent you a quote request\n\nProject: Kitchen cabinet refacing\n\
         Location: San Mateo, CA 94401\nCustomer's Note: How much would refacing cost?\n",
    );
    assert_eq!(s(&y.name), Some("Sarah W."));
    assert_eq!(s(&y.product), Some("Kitchen cabinet refacing"));
    assert_eq!(s(&y.address), Some("San Mateo, CA 94401"));
    let c = from_platform(
        "Yelp <no-reply@yelp.example>",
        "text/plain",
        "New lead: Dmitry K. wants to speak with you\nPhone Number: +7 912 345 67 89\n\
         Service Needed: Sauna installation\n",
    );
    assert_eq!(s(&c.name), Some("Dmitry K."));
    assert_eq!(s(&c.product), Some("Sauna installation"));
    // A client's own sentence is no platform's: `Я is looking…` never
    // happens, but a pronoun or a role word never names the client.
    let n = from_platform(
        "Site <noreply@okna.example>",
        "text/plain",
        "Сообщение: We sent you a message yesterday, please call +7 912 345 67 89\n",
    );
    assert_eq!(s(&n.name), None);
}

#[test]
fn a_lead_platforms_job_card_gives_zip_job_labels_and_ends_at_its_own_link() {
    // Angi: `ZIP Code` alone is where the job is, `Job Category` the job;
    // the sentence ending in a link into angi's own domain (the mail's
    // sender, not the company) and all below it are the platform's.
    let r = from_platform(
        "Angi Leads <newlead@angi.example>",
        "text/plain",
        "New Lead Alert\n\nCustomer Name: Michael Reyes\nPhone Number: +7 912 345 67 89\n\
         ZIP Code: 80210\nJob Category: Roofing\nRequested Time: December 10, 2026, 10:00 AM\n\
         Job Description: Small leak over the garage. Can you give me an estimate?\n\n\
         To contact this customer, log in to your Angi Pro app: https://office.angi.example/leads\n\n\
         Respond quickly to improve your match rate!\n",
    );
    assert_eq!(s(&r.address), Some("80210"));
    assert_eq!(s(&r.product), Some("Roofing"));
    assert_eq!(s(&r.visit_time), Some("December 10, 2026, 10:00 AM"));
    assert_eq!(
        s(&r.message),
        Some("Small leak over the garage. Can you give me an estimate?")
    );
    // The platform's sender address is no client's e-mail.
    assert_eq!(s(&r.email), None);
    // A link into another domain stays in the client's words.
    let o = from_platform(
        "Angi Leads <newlead@angi.example>",
        "text/plain",
        "Customer Name: Michael Reyes\nPhone Number: +7 912 345 67 89\n\
         Job Description: Like on this photo\n\
         I put the photo of the old fence on my drive, look: https://disk.example/p/1\n",
    );
    assert_eq!(
        s(&o.message),
        Some(
            "Like on this photo\nI put the photo of the old fence on my drive, look: https://disk.example/p/1"
        )
    );
    // Google Local Services quotes the client's whole text; `Reply to this
    // email to message the customer back.` ends it.
    let g = from_platform(
        "Jane Smith via Google <lsa-1@lsa.google.example>",
        "text/plain",
        "You have a new message request\nCustomer: Jane Smith\nService: Clogged Drain\n\
         ZIP Code: 60614\nPhone: +7 912 345 67 89\n\
         Message: \"My kitchen sink is backed up. Can you come by today?\"\n\
         Reply to this email to message the customer back.\n",
    );
    assert_eq!(
        s(&g.message),
        Some("My kitchen sink is backed up. Can you come by today?")
    );
    assert_eq!(s(&g.address), Some("60614"));
}

// ---- round 28c: help desks' agent notices on a new ticket --------------------

#[test]
fn help_desk_customer_wrote_caption_over_the_body_is_the_client_and_their_text() {
    // Znuny / OTRS `Ticket Created`: the agent's greeting and the queue line
    // are the system's; `<Customer> wrote:` heads the client's lines.
    let r = plain_with(
        "Subject: [Ticket#2026120710000047] Ticket Created: Перезвоните\r\n",
        "Hi Pavel,\r\n\r\nticket [Ticket#2026120710000047] has been created in queue Raw.\r\n\r\n\
         Константин Осипов wrote:\r\nПерезвоните мне по бане из бруса 6х6. 8 (911) 920-31-77\r\n\r\n\
         https://support.okna.example/otrs/index.pl?Action=AgentTicketZoom;TicketID=588\r\n\r\n\
         -- Znuny Notification Master\r\n",
    );
    assert_eq!(s(&r.name), Some("Константин Осипов"));
    assert_eq!(
        s(&r.message),
        Some("Перезвоните мне по бане из бруса 6х6. 8 (911) 920-31-77")
    );
    assert_eq!(r.phones, ["+79119203177"]);
    assert_eq!(r.page, None);
}

#[test]
fn help_desk_ticket_lines_are_the_systems_and_requesters_name_the_client() {
    // GLPI's `Requesters :`, its status lines and the agent's ticket link.
    let r = plain(
        " URL : https://glpi.okna.example/index.php?redirect=ticket_123&noAUTO=1\r\n\r\n\
         Title : Сауна\r\n Requesters :  Виктор Лебедев\r\n Status : New\r\n Urgency : Medium\r\n\
         Priority : Medium\r\n Description : Сколько стоит сауна под ключ? Телефон +7 912 600-73-15\r\n",
    );
    assert_eq!(s(&r.name), Some("Виктор Лебедев"));
    assert_eq!(r.page, None);
    assert_eq!(r.kind, Kind::Calculation);
    // Request Tracker's `Ticket <URL: …/Ticket/Display.html?id=N >`.
    let r = plain(
        "Queue: Заявки\r\nOwner: Nobody\r\nStatus: new\r\n\
         Ticket <URL: https://rt.okna.example/Ticket/Display.html?id=4512 >\r\n\r\n\
         Имя: Марина\r\nТелефон: 8 953 190-44-27\r\n",
    );
    assert_eq!(r.page, None);
}

#[test]
fn trudesk_heading_lines_give_the_submitter_and_the_ticket_issue() {
    let r = html(
        "<p>A ticket has been submitted by Светлана Миронова.</p><hr><h2>Потолок</h2>\
         <h5><span>Ticket Group:</span> Продажи</h5>\
         <h5><span>Ticket Submitted by:</span> Светлана Миронова</h5>\
         <h5><span>Ticket Priority:</span> Normal</h5>\
         <h4>Ticket Issue</h4><hr/><p class=\"issue\"><p>Сколько стоит потолок 22 м2? +7 (920) 014-55-83</p></p>",
    );
    assert_eq!(s(&r.name), Some("Светлана Миронова"));
    assert_eq!(
        s(&r.message),
        Some("Сколько стоит потолок 22 м2? +7 (920) 014-55-83")
    );
    // The help desk's own account as the author of a test ticket is no name.
    let r = html(
        "<h5><span>Ticket Group:</span> Support</h5>\
         <h5><span>Ticket Submitted by:</span> Administrator</h5>\
         <h4>Ticket Issue</h4><hr/><p>test test</p>",
    );
    assert_eq!(r.name, None);
}

#[test]
fn colon_dash_separator_parts_a_caption_from_its_value() {
    // Faveo's `Name :- Имя` / `E-mail :- a@b`; a lone `-` stays a value.
    let r = html(
        "<div>Hello Мария,<br><br>New ticket AAAA-0000-0012 created<br>From<br>\
         Name :- Эльвира Сафина<br>E-mail :- elvira@example.ru<br><br>\
         Перезвоните мне, пожалуйста: 8 (917) 266-40-19.<br><br>Kind Regards,<br>Support</div>",
    );
    assert_eq!(s(&r.name), Some("Эльвира Сафина"));
    assert_eq!(s(&r.email), Some("elvira@example.ru"));
}

#[test]
fn redmine_issue_text_between_the_rule_and_the_signature_is_the_message() {
    // The issue's link under its title opens no footer; the description
    // stands between the attributes' rule and the `-- ` over the footer.
    let r = plain(
        "Issue #88 has been reported by Галина Сорокина.\r\n\r\n----------------------------------------\r\n\
         Заявка #88: Ремонт ванной\r\nhttps://redmine.okna.example/issues/88\r\n\r\n\
         * Author: Галина Сорокина\r\n* Status: New\r\n* Priority: High\r\n* Assignee: Игорь Мастеров\r\n\
         * Category: \r\n----------------------------------------\r\n\
         Вы делаете ремонт ванной с заменой труб?\r\n\r\nМой телефон 8-937-552-04-18\r\n\r\n\r\n-- \r\n\
         You have received this notification because you have either subscribed to it, or are involved in it.\r\n",
    );
    assert_eq!(s(&r.name), Some("Галина Сорокина"));
    assert_eq!(
        s(&r.message),
        Some("Вы делаете ремонт ванной с заменой труб?\nМой телефон 8-937-552-04-18")
    );
    assert_eq!(r.phones, ["+79375520418"]);
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn a_relays_name_via_line_names_the_client_and_their_signature_gives_the_phone() {
    // Request Tracker: `"Марина Котова via RT" <queue address>`; the `--`
    // card under the text opens with that name.
    let r = read(
        "From: \"Марина Котова via RT\" <zakaz@okna.example>\r\nTo: sales@okna.example\r\n\
         Subject: [okna #4512] Балкон\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Queue: Заявки\r\nStatus: new\r\nRequestors: m.kotova@example.ru\r\n\r\n\
         Подскажите стоимость остекления балкона 3 метра.\r\n\r\n--\r\nМарина Котова\r\nтел. 8-953-190-44-27\r\n",
    );
    assert_eq!(s(&r.name), Some("Марина Котова"));
    assert_eq!(r.phones, ["+79531904427"]);
}

#[test]
fn a_name_and_phone_card_closing_the_description_is_the_senders_signature() {
    // django-helpdesk's copy of a new ticket: `Description:` over the text,
    // a blank line and the sender's card.
    let r = plain(
        "Ticket ID: zakaz-41\r\nQueue: Заявки с сайта\r\nSubmitter: t.g@example.ru\r\n\r\n\
         Description:\r\nХотим кухню в новую квартиру, нужен замер помещения.\r\n\r\n\
         Татьяна Герасимова\r\n+7-913-640-72-91\r\n",
    );
    assert_eq!(s(&r.name), Some("Татьяна Герасимова"));
    assert_eq!(
        s(&r.message),
        Some("Хотим кухню в новую квартиру, нужен замер помещения.")
    );
    assert_eq!(r.phones, ["+79136407291"]);
}

#[test]
fn to_reply_view_this_online_ends_the_message() {
    // Helpy's new private message: its link is the site's footer.
    let r = html(
        "<p>A new private customer message has been received:</p>\
         <p><p>Передзвоніть, будь ласка, на 067 318 25 40.</p></p>\
         <p>To reply, please view this online: https://help.okna.example/topics/214/posts</p>",
    );
    assert_eq!(
        s(&r.message),
        Some("Передзвоніть, будь ласка, на 067 318 25 40.")
    );
}

#[test]
fn a_chat_transcript_with_bracketed_times_after_the_speaker_keeps_the_clients_turns() {
    // Pure Chat's transcript (round 28d): `NAME (h:mm AM): text` lines,
    // the operator's turn is not the client's; `Thanks, please …` is the
    // client's sentence, not a footer's closing; `Referring URL` (where the
    // visitor came from) yields to `Chat Started On` (the page).
    let r = plain(
        "Visitor Name: Mike Thompson\nVisitor Email: mike.t@example.com\n\
         Referring URL: https://search.example.com/\n\
         Chat Started On: https://fences.example.com/wooden/\n\n\
         Mike Thompson (11:02 AM): Hello, how much would a 30 m wooden fence cost?\n\
         Anna (11:03 AM): Hi Mike! We can also come out to measure for free.\n\
         Mike Thompson (11:05 AM): Thanks, please send me the exact quote by email.\n",
    );
    assert_eq!(s(&r.name), Some("Mike Thompson"));
    assert_eq!(
        s(&r.message),
        Some(
            "Hello, how much would a 30 m wooden fence cost?\n\
             Thanks, please send me the exact quote by email."
        )
    );
    assert_eq!(s(&r.page), Some("https://fences.example.com/wooden/"));
    assert_eq!(r.kind, Kind::Calculation);
}

#[test]
fn a_chat_transcript_with_middle_dot_headers_ends_the_operators_turn_at_the_visitor_card() {
    // Chaport's mail (round 28d): `Денис · 14:10` over each message, the
    // operator's words are not the client's, and the visitor's card right
    // under the last turn (no blank line) is read as fields: `Город` beside
    // `IP` / `Браузер` is where the visitor browses from.
    let r = plain(
        "Денис написал(а) вам:\nДенис · 14:10\nСколько стоит баня из бруса 6х4 под ключ?\n\
         Ольга (оператор) · 14:12\nМожем приехать на замер участка бесплатно.\n\
         Информация о посетителе\nИмя: Денис\nEmail: denis@example.ru\n\
         Страница: https://bani.example.ru/brus/\nГород: Вологда, Россия\nБраузер: Chrome 131\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Сколько стоит баня из бруса 6х4 под ключ?")
    );
    assert_eq!(s(&r.email), Some("denis@example.ru"));
    assert_eq!(s(&r.page), Some("https://bani.example.ru/brus/"));
    assert_eq!(r.address, None);
    assert_eq!(r.kind, Kind::Calculation);
    // One visitor's turn under the intro naming them: `Посетитель #8820` is
    // the widget's nick, the text under the header is theirs.
    let r = plain(
        "Посетитель #8820 написал(а) вам:\nПосетитель #8820 · 08:41\n\
         Здравствуйте, нужен шкаф-купе в прихожую, сколько стоит? 89031234567\n\
         Информация о посетителе\nСтраница: https://mebel.example.ru/\nIP: 5.18.77.102\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Здравствуйте, нужен шкаф-купе в прихожую, сколько стоит? 89031234567")
    );
    assert_eq!(r.name, None);
}

#[test]
fn a_chat_desks_routing_rows_and_guest_nick_name_nobody() {
    // Tiledesk's `New Pooled Chat` (round 28d): `Department name : Default`
    // and `Project name : …` are the account's, `Contact name : guest#4f2a`
    // the widget's nick until the visitor gives a name.
    let r = plain(
        "New Pooled Chat\nСколько стоит пластиковое окно 1300х1400 с установкой? 8 920 155-32-18\n\
         Project name : Окна Тверь\nDepartment name : Default\n\
         Source page : https://okna.example.ru/plastikovye/\nContact name : guest#4f2a\nChannel : Chat\n",
    );
    assert_eq!(r.name, None);
    assert_eq!(r.phones, ["+79201553218"]);
    assert_eq!(s(&r.page), Some("https://okna.example.ru/plastikovye/"));
}

#[test]
fn a_widgets_sent_a_new_message_intro_opens_the_visitors_text() {
    // Tidio's alert (round 28d): the nick in bold, `(City, Country) sent a
    // new message`, the messages under it.
    let r = html(
        "<p><b>#a7f2c</b> (Kazan, Russia) sent a new message</p>\
         <div>Диван Милан есть в наличии в сером цвете?</div>\
         <div>Если есть, напишите на вотсап 89172604415</div>\
         <p>Contact details<br>Email: -<br>Phone: -<br>\
         Current page: <a href=\"https://divany.example.ru/milan/\">https://divany.example.ru/milan/</a></p>",
    );
    assert_eq!(
        s(&r.message),
        Some(
            "Диван Милан есть в наличии в сером цвете?\nЕсли есть, напишите на вотсап 89172604415"
        )
    );
    assert_eq!(r.phones, ["+79172604415"]);
    assert_eq!(r.kind, Kind::Question);
}

#[test]
fn a_city_beside_a_callback_widgets_call_status_or_a_chats_browser_row_is_no_address() {
    // CallbackKILLER's request and Userlike's offline message (round 28d).
    let r = html(
        "<h3>Заявка на обратный звонок</h3><p><b>Телефон:</b> +38 (066) 512 70 18<br>\
         <b>Время звонка:</b> сейчас<br><b>Статус:</b> Клиент не ответил<br>\
         <b>Страница:</b> https://vikna.example.com.ua/<br><b>Город:</b> Харків<br></p>",
    );
    assert_eq!(r.address, None);
    assert_eq!(r.phones, ["+380665127018"]);
    let r = plain(
        "New offline message\n\nName: Татьяна\nTelephone: +375 (29) 155-67-80\nMessage:\n\
         Сколько будет стоить угловая кухня?\n\nURL: https://kuhni.example.by/\n\
         Browser: Chrome 131\nOS: Windows 10\nLocation: Minsk, Belarus\n",
    );
    assert_eq!(r.address, None);
    // A form's own `Город` with no visitor rows beside it stays the address.
    let r = plain("Имя: Анна\nТелефон: +7 912 345 67 89\nГород: Тверь\nСообщение: Нужен замер\n");
    assert_eq!(s(&r.address), Some("Тверь"));
}

// ---- round 29f: lead-ad networks, directories, review sites, exchanges

#[test]
fn a_review_notices_lone_author_over_the_rating_row_and_their_text() {
    // Yandex Business: the organisation's line, a heading, the author in
    // bold on a line of their own, the stars, the text, the button.
    let r = html(
        "<p>Двери Мастер · Екатеринбург, ул. Малышева, 84</p><h2>Новый отзыв</h2>\
         <p><b>Ирина Сергеевна</b></p><p>★★☆☆☆ <span>2 из 5</span></p>\
         <p>Дверь поставили, но доборы не привезли.<br>Обещали перезвонить и пропали.</p>\
         <p><a href=\"https://yandex.example/sprav/reviews/1\">Ответить на отзыв</a></p>\
         <p>Вы получили это письмо, потому что представляете организацию.</p>",
    );
    assert_eq!(s(&r.name), Some("Ирина Сергеевна"));
    assert_eq!(
        s(&r.message),
        Some("Дверь поставили, но доборы не привезли.\nОбещали перезвонить и пропали.")
    );
    assert_eq!(r.action, Action::Review);
    // Zoon: `Оценка: 3` as the rating row.
    let z = html(
        "<h2>Новый отзыв</h2><p><b>Павел</b></p><p>Оценка: 3</p>\
         <p>Потолок сделали хорошо, но на час опоздали.</p>\
         <p><a href=\"https://zoon.example/org/#reviews\">Ответить</a></p>",
    );
    assert_eq!(s(&z.name), Some("Павел"));
    assert_eq!(
        s(&z.message),
        Some("Потолок сделали хорошо, но на час опоздали.")
    );
}

#[test]
fn an_exchanges_member_sentence_gives_the_writer_the_card_and_their_words() {
    // Kwork: a login names nobody; the kwork named in «» is the product and
    // its link the page; the client's words under the sentence.
    let k = html(
        "<p>Пользователь <b>anna_remont</b> отправил вам сообщение по кворку \
         <a href=\"https://kwork.example/design/1840022\">«Дизайн-проект кухни»</a>:</p>\
         <div>Сколько будет стоить проект кухни 3,2 м?<br>Если удобнее голосом — 89031234567</div>\
         <p><a href=\"https://kwork.example/inbox/anna_remont\">Ответить</a></p>",
    );
    assert_eq!(s(&k.name), None);
    assert_eq!(s(&k.product), Some("Дизайн-проект кухни"));
    assert_eq!(s(&k.page), Some("https://kwork.example/design/1840022"));
    assert_eq!(
        s(&k.message),
        Some("Сколько будет стоить проект кухни 3,2 м?\nЕсли удобнее голосом — 89031234567")
    );
    assert_eq!(k.kind, Kind::Calculation);
    // Freelance.ru: the owner is greeted, the member is named with a login.
    let f = plain(
        "Здравствуйте, Андрей!\n\nПользователь Игорь Белов (ibelov) прислал вам личное сообщение:\n\n\
         ----------------------------------------\n\
         Нужна сборка кухни в Химках. Напишите на igor.belov@example.ru\n\
         ----------------------------------------\n\n\
         Прочитать и ответить: https://freelance.example/messages/dialog/1/\n",
    );
    assert_eq!(s(&f.name), Some("Игорь Белов"));
    assert_eq!(s(&f.email), Some("igor.belov@example.ru"));
}

#[test]
fn a_lead_ad_networks_heading_is_no_client_text() {
    // TikTok's instant-form notice: `У вас новый лид` over the lead's
    // tables; the answers hold no free text, so there is no message.
    let r = html(
        "<h1>У вас новый лид</h1><p>Пользователь заполнил мгновенную форму «Потолки» в вашем объявлении.</p>\
         <table><tr><td>Название формы</td><td>Потолки</td></tr>\
         <tr><td>Имя</td><td>Карина</td></tr><tr><td>Номер телефона</td><td>+79165557788</td></tr>\
         <tr><td>Город</td><td>Подольск</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Карина"));
    assert_eq!(s(&r.message), None);
}

#[test]
fn a_builders_lead_buttons_and_postal_footer_end_the_clients_text() {
    // Weebly's form entry and Leadpages' new lead (round 29a): `View All
    // Entries` / `Manage your leads` are the builder's buttons; they and the
    // postal address under them are no part of the message.
    let r = html(
        "<table><tr><td>You have a new form entry on remont.example.ru</td></tr>\
         <tr><td><b>Имя</b></td></tr><tr><td>Виктор Лебедев</td></tr>\
         <tr><td><b>Email</b></td></tr><tr><td></td></tr>\
         <tr><td><b>Телефон</b></td></tr><tr><td>+7 905 318-72-40</td></tr>\
         <tr><td><b>Комментарий</b></td></tr><tr><td>Нужен выезд замерщика на следующей неделе.</td></tr>\
         <tr><td><a href=\"https://www.weebly.com/editor/\">View All Entries</a></td></tr>\
         <tr><td>Weebly, 460 Bryant St, San Francisco, CA 94107.</td></tr></table>",
    );
    assert_eq!(
        s(&r.message),
        Some("Нужен выезд замерщика на следующей неделе.")
    );
    // An empty field (`Email` printed alone) does not break the run of
    // label-over-value pairs: the name above it is read.
    assert_eq!(s(&r.name), Some("Виктор Лебедев"));
    assert_eq!(r.phones, ["+79053187240"]);
    let r = html(
        "<h1>You have a new lead from your Leadpage Кухни</h1>\
         <p><strong>Имя:</strong> Светлана</p><p><strong>Email:</strong> s@example.ru</p>\
         <p><strong>Сообщение:</strong> Перезвоните мне по кухне на заказ.</p>\
         <p><a href=\"https://my.leadpages.com/leads/\">Manage your leads</a></p>\
         <p>Leadpages, 212 3rd Ave N, Suite 475, Minneapolis, MN 55401</p>",
    );
    assert_eq!(s(&r.message), Some("Перезвоните мне по кухне на заказ."));
    // `Reply to this e-mail to answer the visitor.` (Strikingly): how to
    // answer, never the visitor's words.
    let r = html(
        "<p><b>Name:</b> Павло<br><b>Email:</b> p@example.com.ua<br><b>Message:</b><br>\
         Чи робите ви меблі для дитячої кімнати?</p>\
         <p>Reply to this e-mail to answer the visitor.<br>Powered by Strikingly</p>",
    );
    assert_eq!(
        s(&r.message),
        Some("Чи робите ви меблі для дитячої кімнати?")
    );
}

#[test]
fn a_size_value_under_a_caption_is_no_empty_field() {
    // `Площадь кровли` / `140 м²` (a calculator's label-over-value rows): the
    // value reads like a size caption but holds digits, so `Тип кровли` is
    // no empty field and no run opens across it.
    let r = plain(
        "Тип кровли\nМеталлочерепица\nПлощадь кровли\n140 м²\nВодосточная система\nДа\n\n\
         Name: Дмитрий\nPhone: +7 921 300-45-12\n",
    );
    assert_ne!(s(&r.product), Some("Металлочерепица\nПлощадь кровли"));
    assert_ne!(s(&r.scope), Some("Водосточная система\nДа"));
}

#[test]
fn a_landings_title_then_its_url_and_a_builders_site_intro_give_the_page() {
    // Landingi (round 29a): `Landing page: TITLE` over `Landing page URL:
    // https://…`: the address is the page.
    let r = plain(
        "Имя: Андрій\nТелефон: +38 (097) 415-28-60\nПовідомлення: Скільки коштує вікно?\n\
         Landing page: Вікна Львів акція\nLanding page URL: https://vikna.example.com.ua/akciya/\n",
    );
    assert_eq!(s(&r.page), Some("https://vikna.example.com.ua/akciya/"));
    // A bare host first (`Referer Domain: yandex.ru`) names where the
    // visitor came from: the referrer's URL under it is no page either.
    let r = plain(
        "Имя: Павел\nТелефон: +7 (921) 444-55-66\nReferer Domain: yandex.ru\nReferer URL: https://yandex.ru/\n",
    );
    assert_eq!(s(&r.page), None);
    // Carrd's plain text: the intro `… from your site:` over the site's URL.
    let r = plain(
        "You've received a new submission from your site:\n\nhttps://mebel.carrd.co/\n\n\
         Name: Ольга\nMessage: Сколько стоит шкаф-купе? 8 917 233 90 14\n",
    );
    assert_eq!(s(&r.page), Some("https://mebel.carrd.co/"));
    // Strikingly: `… from the contact form on <a href=URL>host</a>`.
    let r = html(
        "<p>You received a new message from the contact form on \
         <a href=\"https://bani.mystrikingly.com\">bani.mystrikingly.com</a></p>\
         <p><b>Name:</b> Ирина<br><b>Email:</b> i@example.ru<br><b>Message:</b><br>\
         Сколько стоит баня 6х4?</p>",
    );
    assert_eq!(s(&r.page), Some("https://bani.mystrikingly.com"));
    // A host that is no link names no page.
    let r = html(
        "<p>You received a new message from the contact form on bani.mystrikingly.com</p>\
         <p><b>Name:</b> Ирина<br><b>Email:</b> i@example.ru<br><b>Message:</b><br>\
         Сколько стоит баня 6х4?</p>",
    );
    assert_eq!(s(&r.page), None);
}

#[test]
fn a_calendly_host_notice_reads_invitee_slot_and_answer_not_the_call_or_meeting_location() {
    // Calendly's `New Event` notice (round 29e): `Invitee:` names the
    // client, `Event Date/Time:` is the slot (a `(Moscow Time)` zone stays),
    // `Questions:` holds the site's question over the answer, and a phone or
    // a web conference under `Location:` is no address (the phone is read).
    let r = plain_with(
        "Subject: New Event: Ольга Петрова - 11:00am Thu, Dec 10, 2026 - Замер окон\r\n",
        "Hi Андрей Смирнов,\n\nA new event has been scheduled.\n\nEvent Type:\nЗамер окон\n\n\
         Invitee:\nОльга Петрова\n\nInvitee Email:\no.petrova@example.ru\n\nEvent Date/Time:\n\
         11:00am - Thursday, December 10, 2026 (Moscow Time)\n\nLocation:\n+7 921 555-18-40\n\n\
         Questions:\n\nЧто нужно сделать?\nТри окна ПВХ в панельном доме.\n",
    );
    assert_eq!(s(&r.name), Some("Ольга Петрова"));
    assert_eq!(
        s(&r.visit_time),
        Some("11:00am - Thursday, December 10, 2026 (Moscow Time)")
    );
    assert_eq!(s(&r.message), Some("Три окна ПВХ в панельном доме."));
    assert_eq!(r.address, None);
    assert_eq!(r.phones, ["+79215551840"]);
    let r = plain(
        "Invitee:\nMark Spencer\n\nInvitee Email:\nmark@example.com\n\n\
         Location:\nThis is a Google Meet web conference.\n",
    );
    assert_eq!(r.address, None);
}

#[test]
fn a_booked_service_naming_the_requests_kind_is_no_product() {
    // Round 29e: DIKIDI's `Услуги: Замер натяжного потолка`, Setmore's
    // `Service: Выезд специалиста на объект` / `Расчёт стоимости
    // остекления`, Bookeo's `Product: Выезд замерщика (заборы)` / `Sauna
    // showroom visit`; a free measurement offered as a service stays the
    // product (round 16b).
    for (service, kind) in [
        ("Замер натяжного потолка", Kind::Measurement),
        ("Выезд специалиста на объект", Kind::Measurement),
        ("Выезд замерщика (заборы)", Kind::Measurement),
        ("Расчёт стоимости остекления", Kind::Calculation),
    ] {
        let r = plain(&format!(
            "Новая онлайн-запись\nКлиент: Елена\nТелефон: +7 927 410-55-21\nУслуги: {service}\n"
        ));
        assert_eq!(r.product, None, "{service}");
        assert_eq!(r.kind, kind, "{service}");
    }
    let r =
        plain("Product: Sauna showroom visit\nCustomer: Daniel Brooks\nPhone: +7 903 555 01 77\n");
    assert_eq!(r.product, None);
    let r = plain("Услуга: Бесплатный замер\nИмя: Анна\nТелефон: +7 927 410-55-21\n");
    assert_eq!(s(&r.product), Some("Бесплатный замер"));
}

#[test]
fn a_booking_systems_back_office_link_and_subject_slot_are_not_the_clients() {
    // DIKIDI (round 29e): `Открыть в DIKIDI Business` under the rows, and
    // the subject `Новая запись: CLIENT, DATE TIME` names no form; Bnovo's
    // `Открыть бронирование в Bnovo` and `Гость:` over the guest's name.
    let r = plain_with(
        "Subject: Новая запись: Гульнара, 17.12.2026 18:30\r\n",
        "Новая онлайн-запись\nКлиент: Гульнара\nТелефон: 8 917 350 28 44\n\
         Услуги: Дизайн-проект кухни\nМастер: Алина\n\nОткрыть в DIKIDI Business\n",
    );
    assert_eq!(r.message, None);
    assert_eq!(r.form, None);
    assert_eq!(r.kind, Kind::Callback);
    let r = html(
        "<p>Поступило новое бронирование с сайта Отель.</p><p><b>Категория:</b> Номер «Комфорт»<br>\
         <b>Гость:</b> Ирина Ким<br><b>Телефон:</b> 8-911-270-05-18<br></p>\
         <p><a href=\"https://online.bnovo.ru/booking/\">Открыть бронирование в Bnovo</a></p>",
    );
    assert_eq!(s(&r.name), Some("Ирина Ким"));
    assert_eq!(r.message, None);
}

#[test]
fn a_hoteldruid_request_reads_the_rate_as_product_and_no_invented_page() {
    // HotelDruid's reservation request (round 29e): mail() sends as the
    // guest, so the relative `Страница: /booking/` gets no host from the
    // guest's own domain; `Тариф: NAME (PRICE)` names the room type; the
    // booking's `Итого` is the system's total (a callback, no calculation).
    let r = plain_with(
        "Subject: Заявка на бронирование\r\n",
        "Страница: /booking/\nIP: 178.66.203.41\n\nФамилия: Кравцова\nИмя: Марина\n\
         Email: m.kravtsova@example.ru\nТелефон: 8 (903) 217-45-60\n\n\
         Период: с 24/12/2026 по 26/12/2026\nТариф: Гостевой дом с баней (18.000 руб.)\nГостей: 8\n\n\
         Итого: 21.000 руб.\n",
    );
    let r2 = read(
        "From: \"Марина Кравцова\" <m.kravtsova@example.ru>\r\nTo: info@dom.example\r\n\
         Subject: Reservation request\r\nContent-type: text/plain; charset=utf-8\r\n\r\n\
         Reference: /booking/\nSurname: Кравцова\nName: Марина\nEmail: m.kravtsova@example.ru\n\
         Telephone: 8 (903) 217-45-60\n\nRate: Баня на дровах (6,500 RUB)\nTotal price: 6,500 RUB\n",
    );
    assert_eq!(s(&r.product), Some("Гостевой дом с баней"));
    assert_eq!(r.kind, Kind::Callback);
    assert_eq!(s(&r2.product), Some("Баня на дровах"));
    assert_eq!(r2.page, None);
    assert_eq!(s(&r2.name), Some("Марина Кравцова"));
}

#[test]
fn a_bookeo_note_beside_additional_information_is_the_message() {
    // Bookeo (round 29e): `Additional information:` beside one line of the
    // client's sentences is their note; Appointment Hour Booking's section
    // title over `IP:` / `Server Time:` rows stays a title (round 16b).
    let r = plain(
        "A new booking has been made.\n\nProduct: Выезд замерщика (заборы)\nCustomer: Алексей Гусев\n\
         Phone: 8 916 733 40 21\n\nAdditional information: Участок 12 соток, нужен забор из профлиста.\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Участок 12 соток, нужен забор из профлиста.")
    );
}

#[test]
fn a_webform_subject_names_the_form_and_a_shops_piece_rows_name_the_product() {
    // Drupal Webform 6's default subject `Webform submission from: X` (round 29b).
    let r = plain_with(
        "Subject: Webform submission from: Вызвать замерщика\r\n",
        "Submitted on Пн, 12/07/2026 - 09:14\nSubmitted by: Anonymous\n\nSubmitted values are:\n\
         Имя: Галина\nТелефон: +7 987 290-41-15\n",
    );
    assert_eq!(s(&r.form), Some("Вызвать замерщика"));
    // NetCat МиниМагазин's `%CONTENT` rows `name - 2шт - price руб.` under an
    // owner-typed caption, the owner's closing line after them: the first
    // row is the product, nothing of it the client's text.
    let r = plain(
        "Поступил новый заказ №1187 на сайте okna.example.\n\nПокупатель: Ковалёв Сергей\n\
         Телефон: +7 912 345 67 89\n\nСостав заказа:\nПодоконник ПВХ 300 мм - 2шт - 1450 руб.\n\
         <br/>Заглушка торцевая - 2шт - 120 руб.\n<br/>\nИтого к оплате: 3140 руб.\n\n\
         Заказ можно посмотреть в панели управления сайтом.\n",
    );
    assert_eq!(s(&r.product), Some("Подоконник ПВХ 300 мм"));
    assert_eq!(r.message, None);
}

#[test]
fn a_shops_items_table_with_the_code_column_after_the_name_and_a_street_row() {
    // JoomShopping's order mail (round 29b): `Улица/Номер дома` is the street,
    // not a phone (`номер`); the `Код товара` cell is no part of the name.
    let r = html(
        "<table><tr><td>Полное имя (Ф.И.О.):</td><td>Андрей Лапин</td></tr>\
         <tr><td>Улица/Номер дома:</td><td>ул. Гагарина 14, кв. 7</td></tr>\
         <tr><td>Город:</td><td>Самара</td></tr><tr><td>Телефон:</td><td>+7 (927) 418-33-05</td></tr></table>\
         <h3>Товары</h3><table><tr><td>Название</td><td>Код товара</td><td>Количество</td>\
         <td>Цена за единицу</td><td>Сумма</td></tr>\
         <tr><td>Ламинат Egger дуб Чезена</td><td>EPL-041</td><td>24</td><td>1389.00 руб.</td>\
         <td>33336.00 руб.</td></tr></table><p>Номер заказа: 214</p>",
    );
    assert_eq!(s(&r.product), Some("Ламинат Egger дуб Чезена"));
    assert_eq!(s(&r.address), Some("ул. Гагарина 14, кв. 7, Самара"));
    assert_eq!(r.phones, ["+79274183305"]);
}

// ---- round 29c: CRM and ERP lead-capture notifications ---------------------

#[test]
fn crm_owner_notice_assignment_line_thank_you_closing_and_email_id_caption() {
    // vtiger's Notifyowner workflow: `An Contact has been assigned to you on
    // vtigerCRM` is the CRM's line, `Thank You` / `Admin` close the mail (not
    // the Description's tail), `EmailID :-x@y` gives the address without `-`.
    let r = html(
        "An Contact has been assigned to you on vtigerCRM<br>Details of Contact are :<br><br>\
         Contact Id:<b>CON2210</b><br>LastName:<b>Фёдоров</b><br>FirstName:<b>Павел</b><br>\
         Lead Source:<b>Web Site</b><br>Department:<b></b><br>Description:<b></b><br><br><br>\
         And <b>CustomerPortal Login Details</b> is sent to the EmailID :-p.fedorov@example.ru<br><br>\
         Thank You<br>Admin",
    );
    assert_eq!(s(&r.name), Some("Павел Фёдоров"));
    assert_eq!(s(&r.email), Some("p.fedorov@example.ru"));
    assert_eq!(s(&r.message), None);
    assert_eq!(r.kind, Kind::Callback);
    let r = html(
        "An Contact has been assigned to you on vtigerCRM<br>Details of Contact are :<br><br>\
         Contact Id:<b>CON977</b><br>LastName:<b>Гусева</b><br>FirstName:<b>Алёна</b><br>\
         Description:<b>Подскажите, можно ли сделать потолок в ванной? +7 927 615 30 44</b>\
         <br><br><br>Thank You<br>Admin",
    );
    assert_eq!(
        s(&r.message),
        Some("Подскажите, можно ли сделать потолок в ванной? +7 927 615 30 44")
    );
}

#[test]
fn markdown_sent_via_footer_ends_a_label_less_letter() {
    // Frappe's contact page forward: html2text renders the `Sent via ERPNext`
    // footer as a Markdown link; it is the ERP's footer, not the client's text.
    let r = plain_with(
        "Subject: Вызвать замерщика\r\n",
        "Нужен замер входной двери в эту субботу. Наберите 89179031255\r\n\r\n---\r\n\r\n\
         [Sent via ERPNext](https://erpnext.com?source=via_email_footer)\r\n",
    );
    assert_eq!(
        s(&r.message),
        Some("Нужен замер входной двери в эту субботу. Наберите 89179031255")
    );
    assert_eq!(r.kind, Kind::Measurement);
}

#[test]
fn crm_web_form_notice_names_the_form_in_its_sentence_or_subject() {
    // Zoho CRM / Pipedrive: `…captured through your web form X.`, `You have a
    // new lead from your web form X`.
    let r = html(
        "<p>Hi Андрей,</p><p>A new lead has been captured through your web form <b>Обратный звонок</b>.</p>\
         <table><tr><td>Last Name</td><td>Кирилл Журавлёв</td></tr>\
         <tr><td>Mobile</td><td>+7 (951) 870-44-12</td></tr></table>",
    );
    assert_eq!(s(&r.form), Some("Обратный звонок"));
    assert_eq!(s(&r.name), Some("Кирилл Журавлёв"));
    let r = html(
        "<h2>You have a new lead from your web form Contact us</h2>\
         <div>Name</div><div>Alena Savchuk</div><div>Phone</div><div>+375 29 377-40-18</div>",
    );
    assert_eq!(s(&r.form), Some("Contact us"));
    // CiviCRM's profile notice: `TITLE Submitted by USER - CONTACT`.
    let r = plain_with(
        "Subject: =?UTF-8?Q?=D0=97=D0=B0=D0=BC=D0=B5=D1=80?= Submitted by  - Anna Smirnova\r\n",
        "First Name: Anna\r\nLast Name: Smirnova\r\nPhone: +7 910 552-18-03\r\n",
    );
    assert_eq!(s(&r.form), Some("Замер"));
    // An owner's own sentence (Orchard's workflow example) names no form.
    let r = plain_with(
        "Subject: Contact Form submitted by Anna!\r\n",
        "Name: Anna\r\nPhone: +7 910 552-18-03\r\n",
    );
    assert_eq!(s(&r.form), None);
}

#[test]
fn ukrainian_client_caption_is_the_name() {
    // KeyCRM's new card notice: `Клієнт:` over the buyer's name.
    let r = plain(
        "Створено нову картку #3184\r\nКлієнт: Вікторія Мельник\r\nТелефон: +380 (93) 417-25-60\r\n\
         Коментар: Передзвоніть, будь ласка\r\nВідповідальний: Ірина Коваль\r\n",
    );
    assert_eq!(s(&r.name), Some("Вікторія Мельник"));
    assert_eq!(r.kind, Kind::Callback);
}

// ---- round 29d: survey tools and form modules ------------------------------

#[test]
fn a_surveys_numbered_questions_are_their_captions() {
    // Drupal Webform's `<b>1. Как к вам обращаться?</b><br />Денис<br /><br />`
    // and a plain `N. question: answer` list (round 29d): the number before
    // the question is no part of the caption.
    let r = html(
        "<p>Submitted values are:</p>\
         <b>1. Как к вам обращаться?</b><br />Денис<br /><br />\
         <b>2. Ваш номер телефона</b><br />8 953 440-21-96<br /><br />\
         <b>3. Какой потолок вас интересует?</b><br />Матовый белый<br /><br />",
    );
    assert_eq!(s(&r.name), Some("Денис"));
    assert_eq!(r.phones, ["+79534402196"]);
    assert_eq!(s(&r.product), Some("Матовый белый"));
    let r = plain("1. Как к вам обращаться?: Алина\n2) Ваш телефон: +7 912 345-67-89\n");
    assert_eq!(s(&r.name), Some("Алина"));
    assert_eq!(r.phones, ["+79123456789"]);
}

#[test]
fn a_question_response_header_only_names_the_columns() {
    // A Google Forms Apps Script mailer (round 29d): `<th>Question</th>
    // <th>Response</th>` over one row per question.
    let r = html(
        "<table border=\"1\"><tr><th>Question</th><th>Response</th></tr>\
         <tr><td style=\"font-weight: bold;\">Как к вам обращаться?</td><td>Марина</td></tr>\
         <tr><td style=\"font-weight: bold;\">Телефон</td><td>+7 919 201-88-34</td></tr></table>",
    );
    assert_eq!(s(&r.name), Some("Марина"));
    assert_eq!(r.phones, ["+79192018834"]);
    assert!(
        !pairs(&r)
            .iter()
            .any(|(l, _)| *l == "Question" || *l == "Response")
    );
}

#[test]
fn survey_tools_subjects_and_intros_name_the_form() {
    // Round 29d: Drupal Webform, the Apps Script mailer (its TEST mode's tag
    // too), Formsite's result number over a body headed by the form, and
    // FormAssembly's intro sentence.
    for (subject, form) in [
        (
            "Webform submission from: Вызвать замерщика",
            "Вызвать замерщика",
        ),
        ("New response submitted: Заявка на забор", "Заявка на забор"),
        (
            "[TESTING] New response submitted: Обратный звонок",
            "Обратный звонок",
        ),
    ] {
        let r = plain_with(
            &format!("Subject: {subject}\r\n"),
            "Имя: Анна\nТелефон: +7 912 345 67 89\n",
        );
        assert_eq!(s(&r.form), Some(form), "{subject}");
    }
    let r = plain_with(
        "Subject: Расчёт потолка - Result #18204433\r\n",
        "Расчёт потолка\nReference #: 18204433\nИмя: Анна\nТелефон: +7 912 345 67 89\n",
    );
    assert_eq!(s(&r.form), Some("Расчёт потолка"));
    let r = plain_with(
        "Subject: FormAssembly: new response to Заказ мебели\r\n",
        "A new response was submitted to Заказ мебели.\n\nИмя\n    Анна\n\nТелефон\n    +7 912 345 67 89\n",
    );
    assert_eq!(s(&r.form), Some("Заказ мебели"));
}

#[test]
fn a_record_or_response_link_line_ends_the_last_answer() {
    // Airtable's `Open record` button and FormAssembly's `View this response
    // online:` (round 29d) close the mail, not the client's text.
    let r =
        plain("Имя: Алла\nСообщение: Наберите меня, пожалуйста: 8-912-604-17-93\nOpen record\n");
    assert_eq!(
        s(&r.message),
        Some("Наберите меня, пожалуйста: 8-912-604-17-93")
    );
    let r = plain(
        "Имя: Emily\nHow can we help you?: Do you install fences in winter?\n\
         View this response online:\nhttps://app.formassembly.example/responses/view/1\n",
    );
    assert_eq!(s(&r.message), Some("Do you install fences in winter?"));
}

#[test]
fn a_sites_admin_account_names_no_client() {
    // Drupal Webform's `Submitted by: admin` when the owner tries the form
    // (round 29d): the form's own name caption names the person.
    let r = plain(
        "Submitted by: admin\n\nSubmitted values are:\n1. Как к вам обращаться?: Ирина\n\
         2. Ваш номер телефона: +7 912 345 67 89\n",
    );
    assert_eq!(s(&r.name), Some("Ирина"));
}

#[test]
fn what_the_client_wants_to_discuss_or_ask_is_their_text() {
    // `Что вы хотели бы обсудить?`, `Что вы хотите узнать?` (round 29d): the
    // question over the client's own words, not a product list.
    let r = plain(
        "Имя: Марина\nТелефон: +7 919 201-88-34\n\
         Что вы хотели бы обсудить?: Шкаф-купе в прихожую, перезвоните в рабочее время\n",
    );
    assert_eq!(s(&r.product), None);
    assert_eq!(
        s(&r.message),
        Some("Шкаф-купе в прихожую, перезвоните в рабочее время")
    );
}
