//! The shared label dictionary: form labels → canonical fields.
//!
//! Every rule reads labels through this one table (the labels the common
//! form builders print, see docs/rules.md "Field names"); a rule's `[fields]` adds aliases by canonical
//! name, and an unknown canonical name is a `check` error. Labels are
//! compared after [`normalize_label`], so `Адрес_замера:`, `адрес замера` and
//! `АДРЕС ЗАМЕРА*` are the same label. When no exact label matches, keyword
//! patterns catch the long tail of owner-typed captions and quiz questions.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// Canonical field names a rule may use in `[fields]` and `[[extract]]`.
pub const CANONICAL: &[&str] = &[
    "name",
    "last_name",
    "middle_name",
    "phone",
    "email",
    "product",
    "address",
    "visit_time",
    "scope",
    "referral",
    "message",
    "page",
    "form",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "request_id",
    "ip",
    "meta",
];

/// Whether `name` is a canonical field name.
pub fn is_canonical(name: &str) -> bool {
    CANONICAL.contains(&name)
}

/// Exact labels per canonical field (compared normalised).
const LABELS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "name",
            "your name",
            "your-name",
            "full name",
            "first name",
            "firstname",
            "имя",
            "ваше имя",
            "ваше имя и фамилия",
            "имя и фамилия",
            "фио",
            "ф и о",
            "ваше фио",
            "имя клиента",
            "клиент",
            "контактное лицо",
            "автор",
            "введите ваше имя",
            "как к вам обращаться",
            "как вас зовут",
            "родитель",
            "от",
            "from",
            "ma_name",
            "visitor name",
            "посетитель имя",
            "fio",
            "your full name",
            "contact name",
            "client name",
            "имя отправителя",
            "отправитель",
            "ім я",
            "ваше ім я",
            "імя",
            "ім'я та прізвище",
            "піб",
            "ваше піб",
            "от пользователя с именем",
            "автор отзыва",
            "автор сообщения",
            "автор вопроса",
            "imya",
            "vashe imya",
        ],
    ),
    (
        "last_name",
        &[
            "last name",
            "lastname",
            "surname",
            "фамилия",
            "ваша фамилия",
        ],
    ),
    ("middle_name", &["отчество", "middle name"]),
    (
        "phone",
        &[
            "phone",
            "phone number",
            "your phone",
            "your-phone",
            "tel",
            "telephone",
            "mobile",
            "телефон",
            "ваш телефон",
            "номер телефона",
            "ваш номер телефона",
            "контактный телефон",
            "телефон для связи",
            "мобильный",
            "мобильный телефон",
            "моб",
            "тел",
            "контакт",
            "доп телефон",
            "дополнительный телефон",
            "whatsapp",
            "ma_phone",
            "telefon",
            "phone_number",
            "contact number",
            "mobile number",
            "mobile phone",
            "cell",
            "cell phone",
            "phone no",
            "тел моб",
            "номер",
            "viber",
            "телефон или whatsapp",
        ],
    ),
    (
        "email",
        &[
            "message from",
            "email",
            "e mail",
            "your email",
            "your-email",
            "email address",
            "почта",
            "эл почта",
            "электронная почта",
            "ваша почта",
            "ваш e mail",
            "ваш email",
            "e mail автора",
            "адрес электронной почты",
            "ma_email",
            "mail",
            "e_mail",
            "your e mail",
            "email адрес",
            "ваш электронный адрес",
            "электронный адрес",
            "ваша электронная почта",
        ],
    ),
    (
        "message",
        &[
            "message",
            "message body",
            "повідомлення",
            "ваше повідомлення",
            "коментар",
            "your message",
            "your-message",
            "comment",
            "comments",
            "how can we help",
            "сообщение",
            "ваше сообщение",
            "текст сообщения",
            "комментарий",
            "комментарии",
            "ваш комментарий",
            "комментарий к заявке",
            "описание",
            "вопрос",
            "ваш вопрос",
            "пожелания",
            "примечание",
            "текст",
            "задача",
            "msg",
            "text",
            "question",
            "your question",
            "enquiry",
            "inquiry",
            "question query",
            "query",
            "content",
            "your enquiry",
            "your inquiry",
            "message text",
            "details",
            "project details",
            "комментарий к заказу",
            "ваше обращение",
            "обращение",
            "суть обращения",
            "текст обращения",
            "текст заявки",
            "дополнительная информация",
            "kommentariy",
            "kommentarii",
            "soobshchenie",
            "soobschenie",
            "vopros",
        ],
    ),
    (
        "address",
        &[
            "address",
            "адрес",
            "адрес объекта",
            "адрес замера",
            "адрес для замера",
            "адрес доставки",
            "адрес установки",
            "город",
            "район",
            "населенный пункт",
            "city",
            "ваш город",
            "адрес объекта замера",
            "location",
            "your location",
            "adres",
            "adres obekta",
            "adres zamera",
        ],
    ),
    (
        "page",
        &[
            "page url",
            "page",
            "referer",
            "referrer",
            "url",
            "url страницы",
            "адрес страницы",
            "страница",
            "страница отправки",
            "страница сайта",
            "с сайта",
            "с страницы",
            "со страницы",
            "ссылка на страницу",
            "tildaspec referer",
            "_url",
            "pageurl",
            "page_url",
            "url_page",
            "source url",
            "form url",
            "referer url",
            "referrer url",
            "submitted from",
            "sent from page",
            "отправлено со страницы",
            "заявка со страницы",
            "адрес страницы с формой",
        ],
    ),
    (
        "form",
        &[
            "form name",
            "form",
            "formname",
            "форма",
            "название формы",
            "имя формы",
            "квиз",
            "quiz",
            "виджет",
            "form title",
            "form id",
            "formid",
            "form_id",
            "название формы заявки",
            "тип формы",
            "тип заявки",
        ],
    ),
    (
        "request_id",
        &[
            "request id",
            "transaction id",
            "order",
            "order #",
            "id ответа",
            "результат",
            "номер заявки",
            "tranid",
            "entry id",
            "submission id",
            "номер обращения",
            "id заявки",
        ],
    ),
    (
        "referral",
        &[
            "how did you hear about us",
            "откуда вы узнали о нас",
            "откуда вы о нас узнали",
            "откуда узнали о нас",
            "откуда узнали",
            "как вы о нас узнали",
            "как вы узнали о нас",
            "источник",
        ],
    ),
    ("utm_source", &["utm_source", "utm source"]),
    ("utm_medium", &["utm_medium", "utm medium"]),
    ("utm_campaign", &["utm_campaign", "utm campaign"]),
    ("utm_content", &["utm_content", "utm content"]),
    ("utm_term", &["utm_term", "utm term"]),
    (
        "ip",
        &[
            "remote ip",
            "ip",
            "ip адрес",
            "удаленный ip",
            "ip address",
            "host address",
            "host",
            "hostname",
        ],
    ),
    (
        "meta",
        &[
            "date",
            "time",
            "дата",
            "время",
            "время заявки",
            "дата заявки",
            "дата и время",
            "user agent",
            "агент пользователя",
            "powered by",
            "работает на",
            "page title",
            "заголовок страницы",
            "block id",
            "посетитель",
            "сессия",
            "пользователь",
            "тема",
            "subject",
            "скидка",
            "бонус",
            "подарок",
            "месторасположение клиента",
            "местоположение",
            "геолокация",
            "регион по ip",
            "request information",
            "request details",
            "additional information",
            "purchaser information",
            "просмотреть",
            "посмотреть",
            "view",
            "payment system",
            "payment amount",
            "согласие",
            "согласие на обработку персональных данных",
            "checkbox",
            "yclid",
            "gclid",
            "_ym_uid",
            "roistat",
            "cookies",
            "новая заявка",
            "для просмотра воспользуйтесь ссылкой",
            "тема вопроса",
            "тема обращения",
            "тема сообщения",
            "тема письма",
            "дата отзыва",
        ],
    ),
];

/// Keyword patterns for labels no exact entry knows, tried in order:
/// (canonical, label must match, label must not match).
const KEYWORDS: &[(&str, &str, &str)] = &[
    ("utm_source", r"^utm\s*source", ""),
    ("utm_medium", r"^utm\s*medium", ""),
    ("utm_campaign", r"^utm\s*campaign", ""),
    ("utm_content", r"^utm\s*content", ""),
    ("utm_term", r"^utm\s*term", ""),
    (
        "page",
        r"страниц|сторінк|\burl\b|refer+er|реферер|^с сайта|\bpage\b|ссылк|submitted (at|from)|sent from",
        "заголов|title",
    ),
    ("email", r"e\s?mail|почт", ""),
    (
        "form",
        r"^((название|имя) )?(форм[аыу]?|квиз)( заявки| обратной связи| на сайте)?$|^(название|имя) (форм|квиз)|form name|quiz",
        "",
    ),
    (
        "request_id",
        r"^(номер|id)\s+(заявки|ответа|заказа)|\bid\b",
        "",
    ),
    ("referral", r"откуда|узнали|hear about|как вы нашли", ""),
    (
        "visit_time",
        r"(дата|время|день|когда).*замер|замер\w*.*(дата|время|день)|(удобн|желаем|предпочтительн)\w*\s+(дата|время|день)|когда (приехать|подъехать)|visit|дата визита|время визита",
        r"звон|заявк|создан|отправ|рожден|сайт|website|\bsite\b",
    ),
    (
        "phone",
        r"телефон|phone|\bтел\b|мобильн|whatsapp|ватсап|\bномер\b",
        r"наш|заказ|договор|инн|карт|компани|офис|менеджер|сайта|организаци",
    ),
    ("last_name", r"фамили|last name|surname", r"имя"),
    (
        "name",
        r"\bимя\b|\bфио\b|\bname\b|контактное лицо|как (к вам обращаться|вас зовут)",
        r"форм|сайт|компани|организац|file|файл",
    ),
    (
        "address",
        r"адрес|address|город|улиц|населенн|участ|^где\b|^куда\b",
        r"страниц|почт|mail|сайт|ip|площад|размер|узнал|отправ|присл|связ|звон",
    ),
    (
        "scope",
        r"площад|размер|длин|ширин|высот|количеств|сколько|кол во|объем|метраж|\bм2\b|м²|\bкв м\b|area|size|square (met|feet|foot)|\bsq m\b|\bsqm\b",
        r"стои|цен|бюджет|сто?ит",
    ),
    (
        "product",
        r"^(потол|окн|двер|кухн|шкаф|мебел|лестниц|балкон|ламинат|жалюз|рольстав|ворот|забор|памятник|натяжн)[а-я]*$|интерес|^услуг|^что\b|^как(ой|ая|ие|ое|ую)\b|^тип\b|^вид\b|продукц|товар|модел|категори|^проект\b|^издели|^форма [а-я]+$|product|service|what do you need",
        r"оплат|\bдом\b|дома\b|помещени|район|срок|когда|бюджет|связ|отправ|звон|врем|дат|квартир|этаж|скидк|подар|объект|участ",
    ),
    (
        "message",
        r"коммент|сообщени|вопрос|описани|опиш|\bзадач|пожелани|примечани|message|comment|how can we help|describe|tell us|уточнени|дополнительн",
        "",
    ),
];

/// Normalises a label for comparison: lower case, `ё` → `е`, punctuation and
/// `_` → space, runs of spaces folded, trimmed (so trailing `*:?` vanish).
pub fn normalize_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut space = false;
    for ch in label.chars() {
        // ASCII and the Russian alphabet first: labels are almost always
        // these, and the general Unicode tables are slow to consult.
        let c = match ch {
            'ё' | 'Ё' => 'е',
            '_' | '-' => ' ',
            'a'..='z' | '0'..='9' | 'а'..='я' | '#' => ch,
            'A'..='Z' => ch.to_ascii_lowercase(),
            'А'..='Я' => char::from_u32(ch as u32 + 32).unwrap_or(ch),
            c if c.is_alphanumeric() || c == '²' => c,
            _ => ' ',
        };
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_ascii() || ('а'..='я').contains(&c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

static EXACT: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for (canon, labels) in LABELS {
        for l in *labels {
            m.entry(normalize_label(l)).or_insert(*canon);
        }
    }
    m
});

/// Keyword patterns compiled once: one `RegexSet` pass finds every include
/// that matches; excludes are checked only for those, in table order.
struct Keywords {
    include: regex::RegexSet,
    exclude: Vec<Option<Regex>>,
}

static KEYWORD_RES: LazyLock<Option<Keywords>> = LazyLock::new(|| {
    // Normalised labels separate words with single spaces: a plain boundary
    // keeps the fast DFA (Unicode `\b` would not).
    let fast = |p: &str| p.replace(r"\b", "(?:^|$| )");
    let include = regex::RegexSet::new(KEYWORDS.iter().map(|(_, inc, _)| fast(inc))).ok()?;
    let mut exclude = Vec::with_capacity(KEYWORDS.len());
    for (_, _, exc) in KEYWORDS {
        exclude.push(if exc.is_empty() {
            None
        } else {
            Some(Regex::new(&fast(exc)).ok()?)
        });
    }
    Some(Keywords { include, exclude })
});

/// The canonical field of a normalised label from the shared dictionary:
/// exact labels first, then keyword patterns. `None` for unknown labels.
pub fn lookup(normalized: &str) -> Option<&'static str> {
    if normalized.is_empty() {
        return None;
    }
    if let Some(c) = EXACT.get(normalized) {
        return Some(c);
    }
    // Very long "labels" are sentences, not captions.
    if normalized.len() > 160 {
        return None;
    }
    let kw = KEYWORD_RES.as_ref()?;
    kw.include
        .matches(normalized)
        .into_iter()
        .find(|&i| {
            !kw.exclude
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|e| e.is_match(normalized))
        })
        .and_then(|i| KEYWORDS.get(i).map(|k| k.0))
}

/// Which shared entry knows a normalised label (for `parse --explain`):
/// the exact label, or the keyword pattern that matched.
pub fn explain(normalized: &str) -> Option<String> {
    let canon = lookup(normalized)?;
    if EXACT.contains_key(normalized) {
        return Some(format!("dictionary label «{normalized}» → {canon}"));
    }
    let pat = KEYWORDS
        .iter()
        .find(|(c, inc, _)| {
            *c == canon
                && Regex::new(&inc.replace(r"\b", "(?:^|$| )"))
                    .is_ok_and(|r| r.is_match(normalized))
        })
        .map_or("", |k| k.1);
    Some(format!("dictionary keyword /{pat}/ → {canon}"))
}

/// Every shipped exact label, for docs and tests.
pub fn labels() -> impl Iterator<Item = (&'static str, &'static str)> {
    LABELS
        .iter()
        .flat_map(|(c, ls)| ls.iter().map(move |l| (*c, *l)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_tilda_and_punctuation() {
        assert_eq!(normalize_label("Адрес_замера:"), "адрес замера");
        assert_eq!(normalize_label(" E-mail автора* "), "e mail автора");
        assert_eq!(
            normalize_label("Откуда вы о нас узнали?"),
            "откуда вы о нас узнали"
        );
        assert_eq!(normalize_label("Удалённый IP"), "удаленный ip");
    }

    #[test]
    fn exact_and_keyword_lookup() {
        let l = |s: &str| lookup(&normalize_label(s));
        assert_eq!(l("Ваше имя"), Some("name"));
        assert_eq!(l("Адрес страницы"), Some("page"));
        assert_eq!(l("Адрес_замера"), Some("address"));
        assert_eq!(l("Какой потолок вас интересует?"), Some("product"));
        assert_eq!(l("Тип дома"), None);
        assert_eq!(l("Сколько окон нужно?"), Some("scope"));
        assert_eq!(l("Удобное_время"), Some("visit_time"));
        assert_eq!(l("Удобное время для звонка"), None);
        assert_eq!(l("Когда удобно принять замерщика"), Some("visit_time"));
        assert_eq!(l("Нужен бесплатный замер?"), None);
        assert_eq!(l("Время заявки"), Some("meta"));
        assert_eq!(l("Длина, см"), Some("scope"));
        assert_eq!(l("Что требуется"), Some("product"));
        assert_eq!(l("Страница отправки"), Some("page"));
        assert_eq!(l("Telegram"), None);
        assert_eq!(l("Желаемая дата"), Some("visit_time"));
        assert_eq!(l("Ссылка на товар"), Some("page"));
        assert_eq!(l("Модель двери"), Some("product"));
    }

    #[test]
    fn every_label_maps_to_a_canonical_name() {
        for (c, _) in labels() {
            assert!(is_canonical(c), "{c}");
        }
        for (c, _, _) in KEYWORDS {
            assert!(is_canonical(c), "{c}");
        }
        assert!(
            KEYWORD_RES
                .as_ref()
                .is_some_and(|k| k.exclude.len() == KEYWORDS.len())
        );
    }
}
