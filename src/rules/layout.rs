//! Form text → ordered label/value pairs, whatever the builder's layout.
//!
//! One linear pass over the lines reads the five layouts form builders use:
//! `Label: value` lines with multi-line continuation (and `Label:<br>` lines,
//! and HTML tables, which `mail::html::to_text` already turned into such
//! lines), `--- Label ---` blocks (WPForms plain), Bitrix `Label` /
//! `*****` / value blocks, plus `Label - value;`, `Вопрос:`/`Ответ:` pairs and
//! `Question → Answer`. Boilerplate (builder footers) and separators end a
//! field; a bare URL line is kept apart (Tilda puts the form page there).
//! No recursion, no backtracking: hostile text costs linear time.

use std::sync::LazyLock;

use regex::Regex;

/// One label/value pair as written in the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawField {
    pub label: String,
    pub value: String,
    /// Canonical field, when the label is known (dictionary or rule alias).
    pub canon: Option<&'static str>,
    /// The layout that gave the pair (for `parse --explain`).
    pub shape: &'static str,
}

/// What the layout pass found.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub fields: Vec<RawField>,
    /// URLs standing alone on a line (not after a boilerplate line).
    pub bare_urls: Vec<String>,
    /// Links in the site's footer lines (`To reply, please view this online:
    /// https://…`): never the page, but they show the site's own domain.
    pub footer_urls: Vec<String>,
    /// Lines that belong to no field (headings, greetings, footers excluded).
    pub loose: Vec<String>,
    /// The loose lines above the site's footer (a separator, a builder
    /// notice or a link after the fields ends the body): where a client's
    /// unlabelled text can be.
    pub body_loose: Vec<String>,
    /// How many `loose` lines stood above the first `--` line (the
    /// signature delimiter): below it is a signature, not the text.
    pub signature_at: Option<usize>,
}

/// Builder footers and notices: never a field, never the client's text.
static BOILERPLATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(
        &super::classify::narrow(r"(?i)^(submitted by (\d{1,3}\.){3}\d{1,3}$|это (письмо|сообщение) (содержит ответы|отправлено|было отправлено|сгенерировано)|це (лист|повідомлення) (було )?(надіслано|відправлено|згенеровано)|этот (e-?mail|имейл|емейл) (был )?отправлен|(я )?(согласен|согласна|даю согласие|згоден|згодна|даю згоду)[^\n]* (на|з) (обработк|обробк)[^\n]*персональн|i (agree|consent) to (the )?(processing of my personal|privacy policy|terms)|(письмо|сообщение) сгенерировано автоматически|отправлено с сайта|this (e-?mail|message|notification) was sent|this is a notification that|(booking|reservation|order|appointment) #?\d+ is pending for (the )?(administrator|admin|manager)('s)? approval|if you need any (kind of )?help|sent from |sent by [^@\n]{1,40}$|message sent from |(e-?mail|message|form) sent from (the )?(www\.|https?://)\S+$|sent to [^\s@]+@\S+ by \S|[\[(]?(sent|submitted) via |(отправлено|надіслано) (с|со|из|з|із) (моего |мого )?(устройства |пристрою )?(iphone|ipad|android|мобильн|мобільн|приложени|додатк|samsung|galaxy|huawei|honor|xiaomi|redmi)|get outlook for |wix\.com ltd|яндекс не несет|информационное сообщение сайта|вам было отправлено сообщение|поступила новая заявка|посетитель прош[её]л квиз|you have received a new notification|envybox —|это автоматическое уведомление|для просмотра воспользуйтесь|to (reply, please )?view|(просмотреть|посмотреть|открыть|перейти к)( заявку| ответы?| в crm| в личном кабинете| лид| диалогу?| чату?| бронирование( в \w+)?| в \w+ business)?:?$|перезвоните клиенту|передзвоніть клієнту|[\w.]+ [—–] [^\n]{0,60}? (для бизнеса|для бізнесу|for business)$|(go to|view|open|and)(( all| \d+ more| this)? (results|submissions?|responses?|entr(y|ies)|records?|survey summary|fields?)( online:?)?| in \w+)$|view (it|them) in (your|the) dashboard|(view|confirm|reject|approve|decline|cancel|manage)( this| all| pending| your)? (bookings?|reservations?|appointments?|leads)$|don'?t want to get these notifications|turn off notifications for |©|\(c\)\s*\d{4}|copyright|все права защищены|all rights reserved|unsubscribe|отписаться|[сc] уважением|з повагою,?$|cordialement,?$|vous pouvez (re)?contacter |best regards|kind regards|regards,?$|thank you(,|[.!]?$)|(?:спасибо|дякуємо|дякую),$|thanks(,\s*(?:$|(?-i:[A-ZА-ЯЁ])|the\s)| (and|&) regards,?$)|the results of this submission|this (form|entry|submission) was submitted|may be viewed at|please contact your site administrator|you (have |are )?(received|receiving) this (e-?mail|mail|message|notification) because|вы получили это (письмо|сообщение|уведомление)|ви отримали (цей|це) (лист|повідомлення)|have a (good|nice|great) day[.!]*$|thank you for (choosing|shopping)|спасибо,? что (выбрали|выбираете|пользуетесь)|дякуємо,? що (обрали|обираєте|користуєтесь)|you can (post your answer|approve|reject|moderate)|please (check|see|visit) (the |your )?(cms|admin|dashboard|back ?office|control panel)|((\w+ )?можно (по|про)смотреть|подробн\w*|ответы) (смотрите |см\. )?(в|у) (админ|панел|crm|личн|кабинет)|детальніше (див\. )?(в|у) (адмін|панел|crm|кабінет)|(request|technical) (information|info)$|(информация о запросе|техническая информация|служебная информация)$|exciting news!|click the link below to read|checkout .+? for these premium features|registered at \d|this is an? (contact )?confirmation (e-?mail|mail|message)|we will (contact you|get back to you) (as soon as possible|shortly|soon)|(\S[^\n]*?\s([-—–|]|\[\S*\])\s+)?(powered by|built with|made with) \S|\S[^\n]*? [-—–·] (?:https?://)?[\w-]+(?:\.[\w-]+)*\.\p{L}{2,}/?$|\S[^\n]*? (for|для|работает на|працює на) (opencart|ocstore|wordpress|woocommerce|joomla|prestashop|magento|drupal|modx|1c-bitrix|битрикс|shop-script|webasyst)™?$|here'?s what [^\n]*? entered into the form|click here to access the form$|(see|view) (this )?ticket in (the )?management interface$|см\. тикет в интерфейсе управления$|you may review this [a-z]+ at:?$)"),
    )
    .ok()
});

/// The shape of a `<h1>Label: text</h1>` heading read as a product or page.
const HEADING_PAIR: &str = "`Label — text` heading (product or page caption)";

fn is_separator(l: &str) -> bool {
    l.len() >= 2
        && l.chars()
            .all(|c| matches!(c, '-' | '=' | '*' | '_' | '~' | '#' | '—' | '–' | ' '))
        && l.chars().any(|c| c != ' ')
}

/// The first line after a rule opens with the caption of `last` (the field
/// read last) and its `=` / `:`: the rule parts items of one kind.
fn next_repeats_caption(rest: &[&str], last: Option<&RawField>) -> bool {
    let Some(f) = last else { return false };
    let Some(next) = rest.iter().map(|l| l.trim()).find(|l| !l.is_empty()) else {
        return false;
    };
    !f.label.is_empty()
        && next
            .strip_prefix(f.label.as_str())
            .is_some_and(|t| t.starts_with(['=', ':']))
}

/// A rule of dashes under a caption (`Label` / `-----` / value, iPhorm's
/// plain text); `=` rules frame a section title instead.
fn is_dash_rule(l: &str) -> bool {
    l.len() >= 3 && l.bytes().all(|b| b == b'-')
}

/// WooCommerce's plain-text banner, `=-=-=-=…`: equals signs and dashes
/// taking turns (a rule of one sign alone is [`is_dash_rule`] or
/// [`is_title_rule`]).
fn is_banner_rule(l: &str) -> bool {
    l.len() >= 5 && l.starts_with("=-=") && l.bytes().all(|b| b == b'=' || b == b'-')
}

/// A rule of underscores or equals signs under a section title (a dash
/// rule stands under a caption instead, see [`is_dash_rule`]).
fn is_title_rule(l: &str) -> bool {
    let l = l.trim();
    l.len() >= 3 && (l.bytes().all(|b| b == b'_') || l.bytes().all(|b| b == b'='))
}

/// A caption that may stand over a dash rule: a few words, not a sentence,
/// and not a `Label: value` line of its own (`Телефон: 8 904 …` over the
/// `---` of a signature).
fn rule_caption(l: &str) -> bool {
    label_shape(l)
        && l.split_whitespace().count() <= 8
        && !l.ends_with(['.', '!', ':'])
        && !l.contains(": ")
        && !crate::scan::has_scheme_sep(l)
}

/// A short caption: two to six words, a capital first, no sentence
/// punctuation, no digits (`Удобное время для звонка`).
fn plain_caption(l: &str) -> bool {
    let words = l.split_whitespace().count();
    (2..=6).contains(&words)
        && l.chars().next().is_some_and(char::is_uppercase)
        && !l.contains(['.', '!', ',', ':', ';', '@', '/', '(', ')'])
        && !l.chars().any(|c| c.is_ascii_digit())
}

/// A known label alone on its line with no colon (`name` / `Кирилл`,
/// `__Message__` / text): the `label-over-value` stanza shape. The caller
/// only trusts it when the text holds two such stanzas, or when the label
/// was set off in Markdown bold.
fn bare_label(l: &str, known: &dyn Fn(&str) -> Option<&'static str>) -> Option<&'static str> {
    if l.contains(':') || l.split_whitespace().count() > 4 || l.len() > 60 {
        return None;
    }
    known(&super::dictionary::normalize_label(l))
}

/// `**Caption**` / `__Caption__`: the whole line set off in Markdown bold.
fn whole_bold(l: &str) -> bool {
    ["**", "__"].iter().any(|m| {
        l.len() > 2 * m.len() + 1
            && l.starts_with(m)
            && l.ends_with(m)
            && !l[m.len()..l.len() - m.len()].contains(m)
    })
}

fn is_stars(l: &str) -> bool {
    l.len() >= 5 && l.chars().all(|c| c == '*')
}

/// `--- Label ---` (WPForms plain text).
fn block_label(l: &str) -> Option<&str> {
    let inner = l.strip_prefix("---")?.strip_suffix("---")?;
    let inner = inner.trim_matches('-').trim();
    if inner.is_empty() || inner.len() > 200 {
        None
    } else {
        Some(inner)
    }
}

/// A bare URL line, optionally Tilda's `url (url)`: the first URL.
fn bare_url(l: &str) -> Option<&str> {
    if !(l.starts_with("http://") || l.starts_with("https://")) {
        return None;
    }
    let first = l.split_whitespace().next()?;
    let rest = l[first.len()..].trim();
    if rest.is_empty() || (rest.starts_with('(') && rest.ends_with(')') && !rest.contains(' ')) {
        Some(first)
    } else {
        None
    }
}

/// `Get 500% bonus and free spins at our casino! Register now: https://…`
/// right under a one-line field (no blank line between): sentences of six
/// words or more, ended before the link, with the link closing the line
/// are the writer's text, not a site's link row (a footer set off by a
/// blank line or a rule is still the site's).
pub(crate) fn sentences_then_link(l: &str) -> bool {
    let Some(at) = l.find("://") else {
        return false;
    };
    let head = &l[..at];
    let head = &head[..head.rfind(char::is_whitespace).unwrap_or(0)];
    let tail_words = l[at..].split_whitespace().count();
    tail_words == 1 && head.split_whitespace().count() >= 6 && head.contains(['.', '!', '?'])
}

/// A list bullet (`- `, `* `, `• `) and Markdown bold around a caption
/// (`- **Name:** Олег`) are decoration, not text.
fn undecorate(l: &str) -> &str {
    let mut t = l;
    // `. Phone num: …`: a stray full stop a template left after the
    // previous element (`…<h3>.`) opens the line.
    for b in ["- ", "* ", "• ", "· ", "– ", ". "] {
        if let Some(rest) = t.strip_prefix(b) {
            t = rest.trim_start();
            break;
        }
    }
    t
}

/// `**Name:** value` / `__Name:__ value` → the same without the markers.
fn unbold(l: &str) -> Option<String> {
    for m in ["**", "__"] {
        if let Some(rest) = l.strip_prefix(m)
            && let Some(end) = rest.find(m)
            && end > 0
        {
            let mut s = String::with_capacity(l.len());
            s.push_str(&rest[..end]);
            s.push_str(&rest[end + m.len()..]);
            return Some(s);
        }
    }
    None
}

/// `Message sent to you follows`, `Текст сообщения ниже:`.
fn follows_intro(l: &str) -> bool {
    let tail = l.trim_end_matches([':', '.']).trim_end();
    // Cheap test first: most lines end otherwise (no allocation per line).
    let ends = |w: &str| {
        tail.len() >= w.len()
            && tail.is_char_boundary(tail.len() - w.len())
            && tail[tail.len() - w.len()..].eq_ignore_ascii_case(w)
    };
    // `#a7f2c (Kazan, Russia) sent a new message` (Tidio's alert over the
    // visitor's messages, the nick in bold): the writer's intro, the text
    // under it is theirs.
    if ends("message") {
        let t = tail.to_lowercase();
        return (t.ends_with(" sent a new message")
            || t.ends_with(" sent you a new message")
            || t.ends_with(" sent you a message"))
            && t.split_whitespace().count() <= 10;
    }
    if !(ends("follows") || ends("below") || tail.ends_with("ниже") || tail.ends_with("НИЖЕ"))
    {
        return false;
    }
    let t = tail.to_lowercase();
    (t.ends_with(" follows") || t.ends_with(" ниже") || t.ends_with(" below"))
        && (t.contains("message") || t.contains("сообщени") || t.contains("текст"))
        && t.split_whitespace().count() <= 8
}

/// `[name] => Иван`: a PHP `print_r($_POST)` dump.
fn dump_split(l: &str) -> Option<(&str, &str)> {
    let rest = l.strip_prefix('[')?;
    let close = rest.find("] =>")?;
    let key = rest[..close].trim();
    (!key.is_empty() && key.len() <= 60).then(|| (key, rest[close + 4..].trim()))
}

/// `phone=89001112233`: a key with no spaces, `=`, the value.
fn key_eq_split(l: &str) -> Option<(&str, &str)> {
    let i = l.find('=')?;
    let key = &l[..i];
    let ok = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    ok.then(|| (key, l[i + 1..].trim()))
        .filter(|(_, v)| !v.is_empty())
}

/// `Имя<tab>Анна`: a caption and its value split by a tab.
fn tab_split(l: &str) -> Option<(&str, &str)> {
    let i = l.find('\t')?;
    let label = l[..i].trim();
    let value = l[i + 1..].trim();
    (label_shape(label) && !value.is_empty()).then_some((label, value))
}

/// `Что нужно изготовить? Прихожая`: a known caption ending in `?` with
/// its answer on the same line.
fn question_split(l: &str) -> Option<(&str, &str)> {
    let i = l.find("? ")?;
    let label = &l[..=i];
    let value = l[i + 2..].trim();
    // `Можно ли …? Сколько ждать?`: an answer is not another question, and
    // `Во сколько обойдётся установка …? Двери уже купили.` goes on with the
    // client's next sentence, not a quiz answer.
    let sentence = value.ends_with(['.', '!']) && value.split_whitespace().count() >= 3;
    (label_shape(label) && !value.is_empty() && !value.ends_with('?') && !sentence)
        .then_some((label, value))
}

/// `. ` / `? ` / `! ` followed by a capital: two sentences (`Эл. почта`
/// is one caption).
fn sentence_break(t: &str) -> bool {
    let mut prev = [' ', ' '];
    for c in t.chars() {
        if prev[1] == ' ' && matches!(prev[0], '.' | '?' | '!') && c.is_uppercase() {
            return true;
        }
        prev = [prev[1], c];
    }
    false
}

/// `Закажу обратный звонок: 8 912 …. Звонить лучше после 19:00.`: text
/// before a colon that opens with the client's own verb (I order, I want,
/// call me back…), with more sentences after the colon, is the client's
/// sentence, not a caption. (`Хочу получить расчёт: на email`, one quiz
/// answer after it, stays a pair.)
fn asks_in_first_person(label: &str, value: &str) -> bool {
    const VERBS: &[&str] = &[
        "закажу",
        "заказываю",
        "хочу",
        "хотим",
        "прошу",
        "просим",
        "перезвоните",
        "позвоните",
        "замовлю",
        "замовляю",
        "хочемо",
        "передзвоніть",
        "зателефонуйте",
    ];
    let Some(first) = label.split_whitespace().next() else {
        return false;
    };
    // Every verb is 8 to 26 bytes and opens with з, х or п: most captions'
    // first words do not (no lower-casing for them).
    let verb = (8..=26).contains(&first.len())
        && first.starts_with(['з', 'З', 'х', 'Х', 'п', 'П'])
        && VERBS.contains(&first.to_lowercase().as_str())
        && sentence_break(value);
    verb || sentence_across_colon(label, value)
}

/// `Потрібен замір вікон у квартирі: 4 вікна і балконний блок. Коли
/// зможе приїхати замірник?`, `Изучили ваш сайт и рекламу: конкуренты…. Мы
/// настроим…`: four words or more before the colon, and after it the
/// sentence goes on in lower case (or a number) into a further sentence:
/// a sentence of a letter, not a caption. A form's caption that asks the
/// visitor (`Опишите задачу: …`) stays a caption.
fn sentence_across_colon(label: &str, value: &str) -> bool {
    const ASKS: &[&str] = &[
        "опишите",
        "укажите",
        "введите",
        "напишите",
        "выберите",
        "оставьте",
        "ваш",
        "ваша",
        "ваше",
        "опишіть",
        "вкажіть",
        "введіть",
        "напишіть",
        "оберіть",
        "виберіть",
        "залиште",
        "describe",
        "enter",
        "please",
        "your",
        "tell",
    ];
    // Cheap tests first: this runs for every caption-shaped colon.
    let words = label.split_whitespace().count();
    if words < 2
        || (words < 4 && !we_verb(label.split_whitespace().next().unwrap_or_default()))
        || label.trim_end().ends_with('?')
        || !value
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
    {
        return false;
    }
    let first = label
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    // `Маркетплейс «СтройМаркет» предлагает партнёрство: разместим ваши
    // услуги … с заказа.`: one long sentence that runs on across the colon
    // to its full stop reads the same as two (a quiz answer is short).
    !ASKS.contains(&first.as_str())
        && (sentence_break(value)
            || (value.trim_end().ends_with('.') && value.split_whitespace().count() >= 6))
}

/// `Предлагаем`, `Настроим`, `Пропонуємо`, `Зробимо`: a verb in the first
/// person plural (Russian `-аем`/`-уем`/`-оим`…, a vowel before `-ем`/`-им`;
/// Ukrainian `-ємо`/`-емо`/`-имо`). Opening a two- or three-word `caption`
/// whose sentence runs on across the colon (`Пропонуємо співпрацю:
/// налаштуємо таргет …, гарантуємо … .`), it is a pitch's sentence; a
/// caption never opens with it (`Объем работ:` has `ъ` before `-ем`).
fn we_verb(w: &str) -> bool {
    let mut rev = w.chars().rev();
    match (rev.next(), rev.next(), rev.next()) {
        (Some('о'), Some('м'), Some(c)) => matches!(c, 'є' | 'е' | 'и'),
        (Some('м'), Some('е' | 'и'), Some(c)) => {
            matches!(c, 'а' | 'я' | 'у' | 'ю' | 'о' | 'и' | 'е')
        }
        _ => false,
    }
}

/// A shop's sentence over a question about one product: `Someone asked a
/// question about X:`, `Посетитель задал вопрос о товаре X в магазине
/// https://…:`, `A new question has been asked to you about this product:
/// X.`, a classifieds' `NAME (EMAIL, PHONE) left you a message about your
/// listing X:` / `… написал сообщение по поводу Вашего объявления X:`
/// (Osclass) -- the product's name.
static ASKED_ABOUT: LazyLock<Option<crate::re::Bounded>> = LazyLock::new(|| {
    crate::re::Bounded::new(
        r"(?i)^(?:(?:someone|somebody|a (?:customer|visitor)|посетитель|покупатель|клиент|відвідувач|покупець|клієнт)\s+(?:has\s+)?(?:asked|задала?|поставила?|поставив)\s+(?:a\s+)?(?:question|вопрос|питання)|(?:a\s+)?new question has been asked(?:\s+to you)?|[^:]*?\s(?:left you a message|(?:оставил|написал)а?\s+(?:вам\s+)?сообщение|(?:залишив|залишила|написав|написала)\s+(?:вам\s+)?повідомлення))\s+(?:about|о|об|про|щодо|по поводу)\s+(?:(?:this|the)\s+product\s*:\s*|товаре?\s+|товар\s+|your\s+(?:listing|ad|item)\s+|(?:вашего\s+)?объявлени[яю]\s+|(?:вашого\s+)?оголошення\s+)?(?P<p>[^:]{2,}?)(?:\s+(?:at|в магазине|на сайте|в магазині|на сайті)\s+\S+)?\s*[:.]$",
        &[("p", 160)],
    )
    .ok()
});

/// `Message sent from https://host/path/` (WP Residence), `Form submitted
/// from: https://…`: a line that is only the site's words and the page.
static SENT_FROM_PAGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(
        r"(?i)^(?:(?:this\s+|этот\s+|это\s+)?(?:message|form|request|enquiry|inquiry|сообщение|заявка|форма|повідомлення|заявку|e-?mail|письмо)\s+)?(?:was\s+|было\s+|был\s+|була\s+)?(?:sent|submitted|отправлен[аоы]?|надіслан[аоі]?|відправлен[аоі]?)\s+(?:from|со?\s+страницы|зі?\s+сторінки|со?)\s*:?\s*(?P<u>https?://[^\s/]+/\S*?|/[^\s/]\S*?)\.?$",
    )
    .ok()
});

fn sent_from_page(l: &str) -> Option<&str> {
    // Cheap test first: a link on a line that opens with a letter.
    if l.len() < 20
        || !(crate::scan::has_scheme_sep(l) || l.contains(" /"))
        || !l.starts_with(|c: char| c.is_alphabetic())
    {
        return None;
    }
    let u = SENT_FROM_PAGE.as_ref()?.captures(l)?.name("u")?.as_str();
    Some(u).filter(|u| !is_admin_url(u))
}

/// The shape of the product a shop's sentence names (`parse --explain`).
pub const PRODUCT_SENTENCE: &str = "sentence naming the product asked about";

fn asked_about_product(l: &str) -> Option<&str> {
    // Cheap test first: the sentence ends its line with a colon or a stop.
    if l.len() < 24 || !l.ends_with([':', '.']) {
        return None;
    }
    let p = ASKED_ABOUT
        .as_ref()?
        .captures(l)?
        .name("p")?
        .as_str()
        .trim();
    (!p.is_empty()).then_some(p)
}

/// A shop's title naming the product in quotes: `Вопрос по товару 'X'`,
/// `A contact request has been made for the product 'X'`, `Известить меня,
/// когда 'X' появится в продаже`, `Notify me when the product 'X' will be
/// available` (HikaShop's contact request and waitlist notices).
static QUOTED_PRODUCT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(
        r#"(?i)^(?:вопрос по товару|питання щодо товару|a contact request has been made for the product|известить меня,? когда|notify me when the product|повідомити мене,? коли)\s+(?:'(?P<p>[^']{2,160})'|"(?P<q>[^"]{2,160})"|[«„“](?P<r>[^«»„“”]{2,160})[»“”])"#,
    )
    .ok()
});

fn quoted_product_title(l: &str) -> Option<&str> {
    // Cheap tests first: a quote in a line opening with one of the titles'
    // first letters.
    if l.len() < 20
        || !l.starts_with(['В', 'в', 'П', 'п', 'И', 'и', 'A', 'a', 'N', 'n'])
        || !l.contains(['\'', '"', '«', '„', '“'])
    {
        return None;
    }
    let c = QUOTED_PRODUCT.as_ref()?.captures(l)?;
    let p = c
        .name("p")
        .or_else(|| c.name("q"))
        .or_else(|| c.name("r"))?
        .as_str()
        .trim();
    (!p.is_empty()).then_some(p)
}

/// `Дверь «Бастион» (BST-960) ( https://…/administrator/… )`: a link as an
/// HTML-to-text conversion writes it (`text ( url )`), into the back office;
/// the linked text.
fn admin_linked_text(l: &str) -> Option<&str> {
    let inner = l.strip_suffix(" )")?;
    let k = inner.rfind(" ( ")?;
    let url = inner[k + 3..].trim();
    let text = inner[..k].trim();
    (crate::scan::has_scheme_sep(url)
        && !url.contains(' ')
        && is_admin_url(url)
        && !text.is_empty())
    .then_some(text)
}

/// `Шкаф «Лайт» (product_57)` → `Шкаф «Лайт»`: a code in brackets after a
/// product's name (one token with a digit, a letter and a `-` or `_`: an
/// article, not a size like `(1300x1400)`).
fn without_code(t: &str) -> &str {
    let Some(inner) = t.strip_suffix(')') else {
        return t;
    };
    let Some(k) = inner.rfind(" (") else {
        return t;
    };
    let code = &inner[k + 2..];
    let coded = !code.is_empty()
        && !code.contains(char::is_whitespace)
        && code.contains(|c: char| c.is_ascii_digit())
        && code.contains(['-', '_'])
        && code.contains(char::is_alphabetic);
    if coded { inner[..k].trim_end() } else { t }
}

/// A slogan's dash and the words of replying ([`service_notice`]'s gate).
static NOTICE_WORDS: LazyLock<Option<Regex>> =
    LazyLock::new(|| crate::re::compile(" — |твеча|ТВЕЧА|ідповіда|ІДПОВІДА|eply|EPLY").ok());

/// A marketplace's or aggregator's own words around the client's: a lone
/// button (`Ответить`, `Ответить на отзыв`, `Відповісти`, `Посмотреть
/// заказ`, `Переглянути в кабінеті`, `Откликнуться`), its slogan under the
/// host (`hh.ru — работа найдётся для каждого`), a no-reply notice
/// (`Это письмо отправлено автоматически, не отвечайте на него.`,
/// `… відповідати на нього не потрібно.`). Byte checks only.
pub fn service_notice(l: &str) -> bool {
    service_notice_in(l, true)
}

/// [`service_notice`] of a line of a text that holds none of
/// [`NOTICE_WORDS`] when `words` is false (one search over the whole text
/// answers for all its lines).
fn service_notice_in(l: &str, words: bool) -> bool {
    let t = l.trim();
    if t.is_empty() || t.len() > 400 {
        return false;
    }
    // Cheap tests first, without allocating (the layout reader asks this of
    // every line): a button opens with one of its few first letters and
    // holds no caption, question or address; a slogan holds ` — `; a
    // no-reply notice a word of replying.
    let button_shape = t.starts_with(['О', 'о', 'В', 'в', 'П', 'п', 'R', 'r', 'V', 'v'])
        && !t.contains([':', '?', ',', '@'])
        && t.split_whitespace().nth(4).is_none()
        && !crate::scan::has_scheme_sep(t);
    // One literal search for the slogan's dash and the words of replying.
    if !(button_shape || (words && NOTICE_WORDS.as_ref().is_none_or(|r| r.is_match(t)))) {
        return false;
    }
    let dash = t.contains(" — ");
    let replying = ["твеча", "ТВЕЧА", "ідповіда", "ІДПОВІДА", "eply", "EPLY"]
        .iter()
        .any(|w| t.contains(w));
    let low = t.to_lowercase();
    let button = button_shape
        && [
            "ответить",
            "відповісти",
            "посмотреть ",
            "переглянути ",
            "откликнуться",
            "відгукнутися",
            "reply",
            // A lead platform's button into its inbox (`View details`,
            // Thumbtack; `View lead`, Bark; round 28b).
            "view details",
            "view lead",
            "view request",
            "view message",
        ]
        .iter()
        .any(|b| low.starts_with(b) || low.trim_end_matches(['.', '!']) == b.trim_end());
    let slogan = dash
        && low.split_once(" — ").is_some_and(|(host, rest)| {
            host.contains('.')
                && !host.ends_with('.')
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                && !rest.trim().is_empty()
        });
    let no_reply = replying
        && [
            "не отвечайте на него",
            "не отвечайте на это письмо",
            "не відповідайте на нього",
            "відповідати на нього не потрібно",
            "do not reply to this",
            // `Reply to this email to message the customer back.` (Google
            // Local Services), `You can reply directly to this email…`: how
            // to answer through the service, never the client's words.
            "reply to this email to",
            // `Reply to this e-mail to answer the visitor.` (Strikingly's
            // contact-form message, round 29a).
            "reply to this e-mail to",
            "reply directly to this email",
        ]
        .iter()
        .any(|p| low.contains(p));
    button || slogan || no_reply
}

/// A builder footer or a service's notice (see [`service_notice`]): never
/// the client's words.
pub fn site_notice(l: &str) -> bool {
    BOILERPLATE.as_ref().is_some_and(|re| re.is_match(l)) || service_notice(l) || order_thanks(l)
}

/// `Спасибо за заказ! Мы перезвоним вам…`, `Дякуємо за замовлення!`, `Thank
/// you for your order`: the shop thanking its buyer (a one-click module's
/// closing note, the same text its copy to the buyer carries), never the
/// buyer's words. Compared on the line's first bytes, no allocation.
fn order_thanks(l: &str) -> bool {
    let l = l.trim_start();
    let Some(b) = l.as_bytes().first() else {
        return false;
    };
    // `С`, `Д`, `д` open with 0xD0, `с` with 0xD1; then `T`/`t`.
    if !matches!(b, 0xD0 | 0xD1 | b'T' | b't') {
        return false;
    }
    [
        "Спасибо за заказ",
        "спасибо за заказ",
        "Спасибо за ваш заказ",
        "Спасибо за Ваш заказ",
        "Дякуємо за замовлення",
        "дякуємо за замовлення",
        "Дякуємо за ваше замовлення",
        "Thank you for your order",
        "Thanks for your order",
        "thank you for your order",
    ]
    .iter()
    .any(|p| l.starts_with(p))
}

/// `Thank you for choosing our store!`, `Спасибо, что выбрали наш магазин!`:
/// a shop's sign-off (a boilerplate line already), over the shop's own card.
fn shop_signoff(l: &str) -> bool {
    // Only the line's start is compared: lower-case no more of it (a
    // footer line can be a long paragraph).
    let head = l.char_indices().nth(24).map_or(l, |(i, _)| &l[..i]);
    let low = super::classify::lower(head);
    [
        "thank you for choosing",
        "thank you for shopping",
        "спасибо, что выбрали",
        "спасибо что выбрали",
        "спасибо, что выбираете",
        "дякуємо, що обрали",
        "дякуємо що обрали",
        "дякуємо, що обираєте",
    ]
    .iter()
    .any(|p| low.starts_with(p))
}

/// The last lines of a letter as a signature card: two to five short
/// lines (six words at most, no question or exclamation, no further
/// paragraph), the first capitalised, one of them holding a phone number
/// (seven digits or more).
pub(crate) fn signature_card(card: &[&str]) -> bool {
    (2..=5).contains(&card.len())
        && card.iter().all(|l| {
            let l = l.trim();
            !l.is_empty()
                && l.split_whitespace().count() <= 6
                && !l.ends_with(['?', '!'])
                && !crate::scan::has_scheme_sep(l)
        })
        && card[0].trim().starts_with(char::is_uppercase)
        && card
            .iter()
            .any(|l| l.chars().filter(char::is_ascii_digit).count() >= 7)
}

/// `2026-12-07 19:20:11 Марина: текст` / `07.12.2026 19:20 Марина: текст`
/// (a chat's transcript under `Message:`, Live Helper Chat's unaccepted-chat
/// mail): a stamped line of the conversation; the text after its speaker.
/// Byte checks first: it runs on every line.
fn chat_line(l: &str) -> Option<&str> {
    let b = l.as_bytes();
    if b.first().is_some_and(|c| !c.is_ascii_digit()) {
        return None;
    }
    chat_turn(l).map(|(_, text)| text)
}

/// A stamped line of a chat transcript, its speaker and text: the dated
/// stamps of [`chat_line`] or a bracketed time alone, `(14:02:11) Марина:
/// текст` / `[14:02] Ольга: текст` (Olark's transcript). Byte checks first.
fn chat_turn(l: &str) -> Option<(&str, &str)> {
    let b = l.as_bytes();
    let j = stamp_end(b)?;
    if b.get(j) != Some(&b' ') {
        return None;
    }
    let (speaker, text) = l.get(j + 1..)?.split_once(": ")?;
    let (speaker, text) = (speaker.trim(), text.trim());
    (!speaker.is_empty() && speaker.len() <= 60 && !text.is_empty()).then_some((speaker, text))
}

/// `Mike Thompson (11:02 AM): текст` (Pure Chat's transcript: the speaker,
/// then the time in brackets): a turn of the chat, its speaker and text.
/// Byte checks first (a `)` in the line, then the `): ` after the clock).
fn named_stamp_turn(l: &str) -> Option<(&str, &str)> {
    let b = l.as_bytes();
    let close = memchr::memchr(b')', b)?;
    if b.get(close + 1..close + 3) != Some(b": ") {
        return None;
    }
    let open = memchr::memrchr(b'(', &b[..close])?;
    let inner = &b[open + 1..close];
    let inner = inner
        .strip_suffix(b" AM")
        .or_else(|| inner.strip_suffix(b" PM"))
        .or_else(|| inner.strip_suffix(b" am"))
        .or_else(|| inner.strip_suffix(b" pm"))
        .unwrap_or(inner);
    let h = inner.iter().take_while(|c| c.is_ascii_digit()).count();
    let two = |k: usize| {
        inner
            .get(k..k + 2)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let clock = (1..=2).contains(&h)
        && inner.get(h) == Some(&b':')
        && two(h + 1)
        && (inner.len() == h + 3 || (inner.len() == h + 6 && inner[h + 3] == b':' && two(h + 4)));
    if !clock {
        return None;
    }
    let speaker = l.get(..open)?.trim();
    let text = l.get(close + 3..)?.trim();
    (!speaker.is_empty()
        && speaker.len() <= 60
        && speaker.split_whitespace().count() <= 4
        && !speaker.contains(':')
        && !text.is_empty())
    .then_some((speaker, text))
}

/// Where a transcript line's stamp ends: a date and a clock
/// (`2026-12-07 19:20:11`, `07.12.2026 19:20`), or either in brackets
/// (`(14:02:11)`, `[14:02]`, `[07.12.2026 14:02]`). Byte checks only.
fn stamp_end(b: &[u8]) -> Option<usize> {
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    // `HH:MM` or `HH:MM:SS` at `p`: the index after it.
    let clock = |p: usize| -> Option<usize> {
        if !(digits(p..p + 2) && b.get(p + 2) == Some(&b':') && digits(p + 3..p + 5)) {
            return None;
        }
        let k = p + 5;
        Some(if b.get(k) == Some(&b':') && digits(k + 1..k + 3) {
            k + 3
        } else {
            k
        })
    };
    // An ISO or dotted date, a space and a clock at `p`.
    let dated = |p: usize| -> Option<usize> {
        let at = |k: usize| b.get(p + k).copied();
        let iso = at(4) == Some(b'-')
            && at(7) == Some(b'-')
            && digits(p..p + 4)
            && digits(p + 5..p + 7)
            && digits(p + 8..p + 10);
        let dotted = at(2) == Some(b'.')
            && at(5) == Some(b'.')
            && digits(p..p + 2)
            && digits(p + 3..p + 5)
            && digits(p + 6..p + 10);
        if !(iso || dotted) || at(10) != Some(b' ') {
            return None;
        }
        clock(p + 11)
    };
    match b.first()? {
        open @ (b'(' | b'[') => {
            let k = clock(1).or_else(|| dated(1))?;
            let close = if *open == b'(' { b')' } else { b']' };
            (b.get(k) == Some(&close)).then_some(k + 1)
        }
        c if c.is_ascii_digit() => dated(0),
        _ => None,
    }
}

/// `[07.12.2026 14:02] Алексей Смирнов:` / `[14:02] Ольга:` (Bitrix24's
/// digest of a chat's unread messages): a stamp and the author alone over
/// the lines of their message; the speaker. Byte checks first: the line
/// must end in a colon and open with a stamp.
fn stamped_header(l: &str) -> Option<&str> {
    let b = l.as_bytes();
    if b.last() != Some(&b':') || !matches!(b.first(), Some(b'(' | b'[' | b'0'..=b'9')) {
        return None;
    }
    let j = stamp_end(b)?;
    if b.get(j) != Some(&b' ') {
        return None;
    }
    let who = l.get(j + 1..l.len() - 1)?.trim();
    (!who.is_empty()
        && who.len() <= 60
        && who.split_whitespace().count() <= 4
        && !who.contains(':'))
    .then_some(who)
}

const TURN: &str = "transcript turn: `Speaker: time` over the speaker's text";
const TURN_NAME: &str = "transcript turn: the client's speaker name";

/// [`chat_turn`] for a dated line only (a digit first).
fn chat_line_turn(l: &str) -> Option<(&str, &str)> {
    if l.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        chat_turn(l)
    } else {
        None
    }
}

/// `Наталья: Monday, December 7th 2026, 3:12:40 pm` / `Мария Котова:
/// 10:21:05 AM` (a transcript mailed as HTML, the author in bold over each
/// message: Rocket.Chat, LiveChat): the speaker of a turn whose text is on
/// the lines under it. The value is a clock (`H:MM`, `H:MM:SS`, an AM/PM
/// after it) with at most a short date before it. Byte check first.
fn turn_header(l: &str) -> Option<&str> {
    if !clock_at_end(l) {
        return None;
    }
    // `Денис · 14:10` (Chaport's transcript: the author and the time set
    // off by a middle dot) is the same header.
    let (who, when) = l.split_once(": ").or_else(|| l.split_once(" · "))?;
    let who = who.trim();
    if who.is_empty() || who.len() > 60 || who.split_whitespace().count() > 4 || who.contains('/') {
        return None;
    }
    let when = when.trim();
    let when = ["AM", "PM", "am", "pm"]
        .iter()
        .find_map(|m| when.strip_suffix(m))
        .map_or(when, str::trim_end);
    let (head, clock) = when.rsplit_once(' ').unwrap_or(("", when));
    let cb = clock.as_bytes();
    let two = |k: usize| {
        cb.get(k..k + 2)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let h = cb.iter().take_while(|c| c.is_ascii_digit()).count();
    let clock_ok = (1..=2).contains(&h)
        && cb.get(h) == Some(&b':')
        && two(h + 1)
        && (cb.len() == h + 3 || (cb.len() == h + 6 && cb[h + 3] == b':' && two(h + 4)));
    (clock_ok && head.len() <= 40 && !head.contains(':')).then_some(who)
}

/// The clock's `:MM` at the end of a line (before an AM/PM): the byte tests
/// [`turn_header`] starts with, inlined where every line is tried (a phone
/// ends `-67-89`, a date `.2026`).
#[inline]
fn clock_at_end(l: &str) -> bool {
    let b = l.as_bytes();
    let n = b.len();
    let end = match b.last() {
        Some(b'M' | b'm') if n > 3 && b[n - 3] == b' ' => n - 3,
        Some(b'0'..=b'9') => n,
        _ => return false,
    };
    end >= 4 && b[end - 3] == b':' && b[end - 2].is_ascii_digit() && b[end - 1].is_ascii_digit()
}

/// A chat service's login (`manager.anna`, `rocket.cat`): agents and bots
/// speak by username in a transcript, the visitor by name.
fn agent_handle(who: &str) -> bool {
    who.contains(['.', '_'])
        && who.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// The client among a transcript's speakers: the one a caption of the mail
/// names (`Visitor: Марина` over `(14:02:11) Марина: …`), else the first to
/// speak by a name rather than a login, else the first; `None` when fewer
/// than two speak (every line is then the client's). Stamped lines and
/// turn headers (see [`turn_header`]) must be two or more for the latter,
/// their speakers no caption the dictionary knows. One byte check a line.
fn transcript_client<'a>(
    lines: &[&'a str],
    lookup: &dyn Fn(&str) -> Option<&'static str>,
) -> (Option<&'a str>, Vec<usize>) {
    // Speakers in the order they first speak (the set keeps this linear
    // however many there are).
    let mut speakers: Vec<&str> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut headers = Vec::new();
    // A turn's text under its header: a line that is no caption the
    // dictionary knows and no header itself (`Start: 15:00` over `End:
    // 16:00` is a booking's times, not a chat).
    let text_under = |n: Option<&&str>| {
        n.is_some_and(|n| {
            !n.is_empty()
                && turn_header(n).is_none()
                && colon_split(n).is_none_or(|(lab, _)| lookup(lab).is_none())
        })
    };
    for (j, l) in lines.iter().enumerate() {
        let who = if matches!(l.as_bytes().first(), Some(b'(' | b'[' | b'0'..=b'9')) {
            chat_turn(l).map(|(who, _)| who).or_else(|| {
                stamped_header(l)
                    .filter(|w| lookup(w).is_none() && text_under(lines.get(j + 1)))
                    .inspect(|_| headers.push(j))
            })
        } else {
            named_stamp_turn(l).map(|(who, _)| who)
        };
        let who = who.or_else(|| {
            clock_at_end(l)
                .then(|| turn_header(l))
                .flatten()
                .filter(|w| lookup(w).is_none() && text_under(lines.get(j + 1)))
                .inspect(|_| headers.push(j))
        });
        if let Some(who) = who
            && seen.insert(who)
        {
            speakers.push(who);
        }
    }
    // A lone header is no transcript (`Start: 15:00`), unless it holds a
    // stamp (`[07.12.2026 16:49] Елена Кравец:`) or its speaker is the
    // name a caption of the mail gives (`Клиент: Руслан` over `Руслан:
    // 18:44`, Umnico's one unread message).
    let lone_turn = headers.len() == 1 && {
        let h = headers[0];
        stamped_header(lines[h]).is_some()
            || turn_header(lines[h]).is_some_and(|w| {
                lines.iter().enumerate().any(|(k, l)| {
                    k != h
                        && (l.split_once(':').is_some_and(|(_, v)| v.trim() == w)
                            // `Посетитель #8820 написал(а) вам:` over the
                            // chat (Chaport): the intro opens with the
                            // speaker's name.
                            || l.ends_with(':')
                                && l.strip_prefix(w).is_some_and(|r| r.starts_with(' ')))
                })
            })
    };
    if headers.len() < 2 && !lone_turn {
        headers.clear();
    }
    if speakers.len() < 2 {
        return (None, headers);
    }
    // The values of the mail's other `Caption: value` lines, once.
    let captioned: std::collections::HashSet<&str> = lines
        .iter()
        .filter(|l| turn_header(l).is_none() && chat_turn(l).is_none())
        .filter_map(|l| l.split_once(':').map(|(_, v)| v.trim()))
        .filter(|v| seen.contains(v))
        .collect();
    let named = speakers.iter().copied().find(|who| captioned.contains(who));
    let client = named
        .or_else(|| speakers.iter().copied().find(|w| !agent_handle(w)))
        .or(speakers.first().copied());
    (client, headers)
}

/// Whether text before a separator looks like a caption, not a sentence:
/// short (200 bytes, 12 words), some letter, no `://`, no `!`, not two
/// sentences (`Здравствуйте. Адрес: …`), not a plea (`Перезвоните мне,
/// пожалуйста, …`). One pass over the characters: it runs on every colon
/// of every line.
fn label_shape(label: &str) -> bool {
    let label = label.trim();
    // `1. Как к вам обращаться?` (a survey's numbered question): the
    // number's full stop ends no sentence.
    let label = &label[crate::rules::dictionary::item_number_len(label)..];
    if label.is_empty() || label.len() > 200 || label.starts_with(['<', '>', '(', '"', '«']) {
        return false;
    }
    let (mut letter, mut comma, mut words, mut in_word) = (false, false, 0usize, false);
    let mut prev = [' ', ' '];
    for c in label.chars() {
        match c {
            '!' => return false,
            ',' => comma = true,
            '/' if prev == [':', '/'] => return false,
            _ => {}
        }
        if prev[1] == ' ' && matches!(prev[0], '.' | '?') && c.is_uppercase() {
            return false;
        }
        if c.is_whitespace() {
            in_word = false;
        } else {
            if !in_word {
                words += 1;
                if words > 12 {
                    return false;
                }
            }
            in_word = true;
            letter = letter || is_letter(c);
        }
        prev = [prev[1], c];
    }
    letter && !(comma && plea_sentence(label))
}

/// The site's sentence announcing a new request, ending in a colon over
/// the request's lines: `A new booking request has been made at X:`,
/// `You have received a new reservation:`. Runs only on colon-ended lines
/// before the first field; a word count first, the pattern last.
fn card_intro(l: &str) -> bool {
    static INTRO: LazyLock<Option<Regex>> = LazyLock::new(|| {
        crate::re::compile(&super::classify::narrow(r"(?i)^(an? new (?:[a-z ]{0,29} )?(booking|reservation|enquiry|inquiry|request|order|appointment)s?[^:\w](?:[^:]{0,78}[^:\w])?(has|have) been (made|placed|submitted|received)|you have (received|got) an? new (?:[a-z ]{0,29} )?(booking|reservation|enquiry|inquiry|request|order|appointment)s?(?:$|[^\w]))")).ok()
    });
    l.split_whitespace().count() >= 5 && INTRO.as_ref().is_some_and(|re| re.is_match(l))
}

/// `char::is_alphabetic` with the scripts labels are written in first (the
/// general Unicode table is slow to consult).
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, 'а'..='я' | 'А'..='Я')
        || (!c.is_ascii() && c.is_alphabetic())
}

/// `char::is_uppercase` the same way: ASCII and the Russian alphabet
/// without the Unicode table.
fn is_capital(c: char) -> bool {
    match c {
        'A'..='Z' | 'А'..='Я' | 'Ё' => true,
        'a'..='z' | 'а'..='я' | 'ё' | '0'..='9' => false,
        c => !c.is_ascii() && c.is_uppercase(),
    }
}

/// `<h4>Параметры формы:</h4>` (rendered `Параметры формы —`) right over a
/// `Label:` line after a field (NGCMS eshop's order mail): a heading that
/// opens the next section, never the previous value's next line.
fn heading_over_fields(l: &str, next: Option<&str>) -> bool {
    l.ends_with(" —") && next.is_some_and(|n| n.contains(':')) && l.split_whitespace().count() <= 6
}

/// `Customer details` / `Контактные данные` right over a known `Label:`
/// line: the caption of the form's next section, never the client's words
/// (a short closing line of theirs, `Спасибо`, is no section title).
fn section_over_fields(
    l: &str,
    next: Option<&str>,
    lookup: &dyn Fn(&str) -> Option<&'static str>,
) -> bool {
    const TITLES: [&str; 10] = [
        "details",
        "data",
        "information",
        "info",
        "данные",
        "дані",
        "информация",
        "інформація",
        "реквизиты",
        "реквізити",
    ];
    // Runs on every continuation line of a value: the cheap tests of
    // `rule_caption` and of the next line first, the allocating ones last.
    if l.ends_with(':')
        || l.contains(": ")
        || !next.is_some_and(|n| n.contains(':'))
        || l.split_whitespace().count() > 8
    {
        return false;
    }
    let norm = super::dictionary::normalize_label(l);
    norm.split_whitespace().count() <= 4
        && norm.split_whitespace().any(|w| TITLES.contains(&w))
        && rule_caption(l)
        && next.is_some_and(|n| {
            n.split_once(':')
                .is_some_and(|(lab, _)| lookup(lab).is_some())
        })
}

/// `Телефон: 8 920 …` after a question: an answer that opens with a known
/// caption of three words or fewer and a colon.
fn labelled_answer(v: &str, lookup: &dyn Fn(&str) -> Option<&'static str>) -> bool {
    v.split_once(':')
        .is_some_and(|(x, _)| x.split_whitespace().count() <= 3 && lookup(x).is_some())
}

/// `Перезвоните мне, пожалуйста, по этой кухне: 8 (953) …`: the client's
/// request with a clause after a comma, not a form's caption; so is a
/// short plea with a polite word (`Перезвоните, пожалуйста: +7 …`).
fn plea_sentence(label: &str) -> bool {
    const OPENERS: [&str; 12] = [
        "перезвон",
        "позвон",
        "звоните",
        "наберите",
        "подскаж",
        "скажите",
        "напишите",
        "передзвон",
        "зателефону",
        "підкаж",
        "please",
        "call",
    ];
    if !label.contains(',') {
        return false;
    }
    let words = label.split_whitespace().count();
    let polite = || {
        let lower = label.to_lowercase();
        ["пожалуйста", "будь ласка", "please"]
            .iter()
            .any(|p| lower.contains(p))
    };
    label
        .split_whitespace()
        .next()
        .map(str::to_lowercase)
        .is_some_and(|w| OPENERS.iter().any(|o| w.starts_with(o)))
        && (words >= 4 || polite())
}

/// `Mr.` / `Mr. Вадим`: a salutation and at most one word of the name so
/// far (the value of a name caption whose words come one per line).
fn title_then_words(v: &str) -> bool {
    let mut words = v.split_whitespace();
    words.next().is_some_and(super::dictionary::bare_title) && words.count() <= 1
}

/// `Петров`: one capitalised word of letters.
fn one_capitalised_word(l: &str) -> bool {
    !l.contains(char::is_whitespace)
        && l.starts_with(char::is_uppercase)
        && l.chars().all(|c| c.is_alphabetic() || c == '-')
}

/// `перезвоните`, `звоните`, `передзвоніть`, `call me`: a plea to call,
/// the client's words before their number.
pub(crate) fn contact_plea(norm: &str) -> bool {
    const PLEAS: [&str; 9] = [
        "перезвон",
        "позвон",
        "звоните",
        "передзвон",
        "зателефону",
        "телефонуйте",
        "call me",
        "call back",
        "please call",
    ];
    norm.split_whitespace().count() <= 3 && PLEAS.iter().any(|p| norm.starts_with(p))
}

/// A contact caption a person writes into their own text (`Телефон для
/// связи`, `Мой телефон`, `Звоните`), unlike a form's bare `Телефон`.
pub(crate) fn clients_contact_caption(norm: &str) -> bool {
    own_caption(norm)
        || contact_plea(norm)
        || ["для связи", "для звязку", "для зв язку", "for contact"]
            .iter()
            .any(|t| norm.ends_with(t))
}

/// A caption in the client's own words: `мой телефон`, `мій номер`,
/// `my phone`, `наш телефон`.
fn own_caption(norm: &str) -> bool {
    norm.split_whitespace()
        .next()
        .is_some_and(|w| matches!(w, "мой" | "моя" | "мій" | "my" | "наш" | "our"))
}

/// `formSubmissionID : 6754…` (Payload's `{{*}}`), `pageUrl: …`: a
/// camelCase key of a form's data, never a word of the client's text.
fn camel_key(label: &str) -> bool {
    let b = label.trim().as_bytes();
    (3..=40).contains(&b.len())
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b.windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// `Label: value` split at the first `:` followed by whitespace or the end.
/// A phone input's mask used as its caption: `+7 (___) ___-__-__`,
/// `8 (___) ___-__-__` -- digits, `+`, brackets, dashes and spaces around four
/// or more `_` blanks, nothing else.
fn phone_mask(label: &str) -> bool {
    let l = label.trim();
    l.starts_with(|c: char| c == '+' || c.is_ascii_digit())
        && l.bytes().filter(|&b| b == b'_').count() >= 4
        && l.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'(' | b')' | b'_' | b'-' | b' '))
}

fn colon_split(l: &str) -> Option<(&str, &str)> {
    let bytes = l.as_bytes();
    let mut from = 0;
    while let Some(pos) = memchr::memchr(b':', &bytes[from..]) {
        let i = from + pos;
        let next = bytes.get(i + 1).copied();
        if next.is_none() || matches!(next, Some(b' ' | b'\t')) {
            let label = &l[..i];
            let value = l[i + 1..].trim();
            // `Username:      : Марина` (X-Cart's mail_truncate pads the
            // label and its colon, and the template adds another): the
            // second colon is the padding's, not the value's.
            let value = match value.strip_prefix(':') {
                Some(rest) if rest.is_empty() || rest.starts_with(' ') => rest.trim_start(),
                _ => value,
            };
            // `+7 (___) ___-__-__: +7 (988) …` (a builder that names an
            // unlabelled input by its placeholder, Balbooa Forms): the
            // phone mask captions a phone.
            if phone_mask(label) {
                return Some(("Телефон", value));
            }
            if label_shape(label) && !asks_in_first_person(label, value) {
                if let Some(pair) = bracketed_pair(label.trim(), value) {
                    return Some(pair);
                }
                return Some((quoted_caption(label.trim()), value));
            }
            return None;
        }
        from = i + 1;
    }
    None
}

/// `A new submission (form: "Расчёт потолка")` (cformsII's header),
/// `Новая заявка (форма: «Замер»)`: a heading with a `label: value` pair in
/// brackets at its end; the pair is the bracketed one, its value unquoted.
/// A one-word caption before the bracket (`Телефон (рабочий: 8 495 …)`) is
/// the field's own label, not a heading.
fn bracketed_pair<'a>(label: &'a str, value: &'a str) -> Option<(&'a str, &'a str)> {
    let open = label.rfind('(')?;
    let inner = label[open + 1..].trim();
    let v = value.strip_suffix(')')?.trim();
    if label[..open].split_whitespace().count() < 2
        || inner.is_empty()
        || inner.contains(')')
        || inner.split_whitespace().count() > 3
        || v.contains(['(', ')'])
    {
        return None;
    }
    let v = [('"', '"'), ('«', '»'), ('“', '”'), ('\'', '\'')]
        .iter()
        .find_map(|&(o, c)| v.strip_prefix(o).and_then(|r| r.strip_suffix(c)))
        .unwrap_or(v)
        .trim();
    (!v.is_empty()).then_some((inner, v))
}

/// `С уважением, Ирина.`, `З повагою, Олег`, `Best regards, Anna`: a
/// closing with one or two capitalised words after it; the name.
pub(crate) fn client_signoff(l: &str) -> Option<&str> {
    const CLOSINGS: &[&str] = &[
        "с уважением,",
        "c уважением,",
        "з повагою,",
        "best regards,",
        "kind regards,",
        "regards,",
        "thanks,",
        "thank you,",
        "спасибо,",
        "дякую,",
    ];
    // Cheap test first: most lines open otherwise (no allocation per line).
    if !l.contains(',')
        || !l.starts_with([
            'С', 'с', 'C', 'c', 'З', 'з', 'B', 'b', 'K', 'k', 'R', 'r', 'T', 't', 'Д', 'д',
        ])
    {
        return None;
    }
    let lower = l.to_lowercase();
    let p = CLOSINGS.iter().find(|p| lower.starts_with(*p))?;
    let at = l.char_indices().nth(p.chars().count())?.0;
    let name = l[at..].trim().trim_end_matches(['.', '!']).trim();
    let words = name.split_whitespace().count();
    ((1..=2).contains(&words)
        && name.split_whitespace().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || c == '-')
        }))
    .then_some(name)
}

/// `Field  'Что требуется'` (Serendipity's dynamic contact form): the
/// caption is the quoted part after the word `Field`.
fn quoted_caption(label: &str) -> &str {
    let Some(rest) = label
        .strip_prefix("Field")
        .or_else(|| label.strip_prefix("field"))
        .or_else(|| label.strip_prefix("Поле"))
    else {
        return label;
    };
    let rest = rest.trim_start();
    for (open, close) in [('\'', '\''), ('"', '"'), ('«', '»'), ('‘', '’'), ('“', '”')] {
        if let Some(inner) = rest.strip_prefix(open).and_then(|r| r.strip_suffix(close))
            && !inner.trim().is_empty()
            && !inner.contains(open)
        {
            return inner.trim();
        }
    }
    label
}

/// `Label:value` with no space (hand-written mailers); only for known labels.
fn tight_colon_split(l: &str) -> Option<(&str, &str)> {
    let i = memchr::memchr(b':', l.as_bytes())?;
    let value = l[i + 1..].trim();
    // `Name :- Имя` (Faveo's agent notice): a colon and a dash together
    // part the caption from its value; a lone `-` stays a value.
    let value = match value.strip_prefix("- ") {
        Some(v) if l[i + 1..].starts_with('-') && !v.trim().is_empty() => v.trim(),
        _ => value,
    };
    // `… після 17:00`: a time in the client's sentence, not a label.
    let time = l[..i].ends_with(|c: char| c.is_ascii_digit())
        && value.starts_with(|c: char| c.is_ascii_digit());
    if time || value.starts_with('/') || value.is_empty() || !label_shape(&l[..i]) {
        return None;
    }
    // `Name:*` / `Message:*` (Kajona): the form's required-field star after
    // the colon marks the caption; the value is on the next line.
    if value == "*" {
        return Some((l[..i].trim(), ""));
    }
    Some((l[..i].trim(), value))
}

/// `Label - value;` (Bitrix header lines, hand-written mailers).
fn dash_split(l: &str) -> Option<(&str, &str)> {
    let i = l.find(" - ")?;
    let label = &l[..i];
    if !label_shape(label) || label.split_whitespace().count() > 5 {
        return None;
    }
    let value = l[i + 3..].trim();
    Some((
        label.trim(),
        value.strip_suffix(';').unwrap_or(value).trim(),
    ))
}

/// `Trade Offer - 1850000` under `Phone - 8911…` (the Motors theme's
/// `Label - value<br/>` rows): a caption the dictionary does not know is a
/// pair too when the line above is a known `Label - value` pair other than
/// the message (the reader remembers that line) -- a short caption (three
/// words at most) over a short value (six words at most), so a sentence
/// with a dash stays text.
fn dash_sibling(label: &str, l: &str) -> bool {
    let value_words = dash_split(l).map_or(0, |(_, v)| v.split_whitespace().count());
    (1..=6).contains(&value_words) && label.split_whitespace().count() <= 3
}

/// `Label — text`: how a heading's `Label: text` reads (see `mail::html`).
fn heading_split(l: &str) -> Option<(&str, &str)> {
    let (label, value) = l.split_once(" — ")?;
    let value = value.trim();
    (label_shape(label) && label.split_whitespace().count() <= 4 && !value.is_empty())
        .then(|| (label.trim(), value))
}

/// `Имя: Дмитрий, телефон: +7 …, КОНСУЛЬТАЦИЯ`: several fields written
/// on one line, each after `, ` with a known label and its colon; also
/// after a bare space when the label starts with a capital letter
/// (`Телефон: 8903… Имя: Николай`, a handler joining its fields with
/// spaces). Returns the first value and the further (label, value) pairs;
/// `None` when no known label follows.
fn comma_chain<'a>(
    value: &'a str,
    lookup: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<(&'a str, Vec<(&'a str, &'a str)>)> {
    // The first two shapes need a colon, the third a comma: most values
    // hold neither, and the word-by-word scans are not free.
    let has_colon = memchr::memchr(b':', value.as_bytes()).is_some();
    if !has_colon && memchr::memchr(b',', value.as_bytes()).is_none() {
        return None;
    }
    // Where the colon scans start: past the end when there is no colon.
    let scan_from = if has_colon { 0 } else { value.len() };
    // (separator, label start, colon) of every `, Label: ` in the value.
    let mut cuts: Vec<(usize, usize, usize)> = Vec::new();
    let mut from = scan_from;
    // The first ':' at or after the current word, found once and reused
    // until the scan passes it: one search per word would make a long
    // line of capitalised words quadratic (a 100 KB line took seconds).
    let mut colon: Option<usize> = None;
    while let Some(p) = value[from..].find(' ') {
        let space = from + p;
        let start = space + 1;
        from = start;
        let comma = value[..space].ends_with(',');
        let sep = if comma { space - 1 } else { space };
        let tail = &value[start..];
        if !comma && !tail.starts_with(is_capital) {
            continue;
        }
        let q = match colon {
            Some(c) if c >= start => c - start,
            _ => match tail.find(':') {
                Some(q) => {
                    colon = Some(start + q);
                    q
                }
                // No ':' after this word: none after any later one either.
                None => break,
            },
        };
        let label = &tail[..q];
        // At most four words, checked first: it stops after the fifth, so
        // the checks below read a short label (linear in the value).
        if label.split_whitespace().nth(4).is_some() {
            continue;
        }
        let spaced = tail[q + 1..].is_empty() || tail[q + 1..].starts_with(' ');
        // After a bare space, a label of words only: `Лебедева (e-mail: …)`
        // is a name and a remark.
        let words_only = comma
            || label
                .chars()
                .all(|c| is_letter(c) || matches!(c, ' ' | '-' | '\'' | '’'));
        if spaced && words_only && !label.contains(',') && sep > 0 && lookup(label).is_some() {
            cuts.push((sep, start, start + q));
            from = start + q + 1;
        }
    }
    // `телефон:8 (8352) 45-67-89 email:a@x.ru` (a handler's one line): a
    // contact caption glued to its value after a space opens the next field.
    let mut from = scan_from;
    while let Some(p) = value[from..].find(' ') {
        let start = from + p + 1;
        let word_end = value[start..]
            .find(|c: char| !(is_letter(c) || c == '-'))
            .map_or(value.len(), |e| start + e);
        if word_end > start
            && value[word_end..].starts_with(':')
            && value[word_end + 1..].starts_with(|c: char| !c.is_whitespace())
            && matches!(lookup(&value[start..word_end]), Some("phone" | "email"))
            && !cuts.iter().any(|c| c.1 == start)
        {
            cuts.push((start - 1, start, word_end));
        }
        from = start;
    }
    // `…, phone number +7 953 …, says: …` (a handler's one sentence): after
    // `, ` a phone caption of one to three words right before the number,
    // with no colon, opens the next field; the space before the number
    // stands where the colon would.
    for p in memchr::memchr_iter(b',', value.as_bytes()) {
        if value.as_bytes().get(p + 1) != Some(&b' ') {
            continue;
        }
        let start = p + 2;
        // Within 48 bytes (three words): each comma looks at a bounded
        // window, so a long value of many commas stays linear.
        let window = &value.as_bytes()[start..value.len().min(start + 48)];
        let Some(d) = window.iter().position(|&b| b.is_ascii_digit() || b == b'+') else {
            continue;
        };
        let label = value[start..start + d].trim_end();
        if label.is_empty()
            || label.len() + 1 != d
            || label.split_whitespace().nth(3).is_some()
            || !label
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.'))
            || lookup(label) != Some("phone")
            || cuts.iter().any(|c| c.1 == start)
        {
            continue;
        }
        cuts.push((start - 2, start, start + label.len()));
    }
    cuts.sort_unstable();
    let first = value[..cuts.first()?.0].trim();
    let pairs = cuts
        .iter()
        .enumerate()
        .map(|(n, &(_, start, colon))| {
            let end = cuts.get(n + 1).map_or(value.len(), |c| c.0);
            (value[start..colon].trim(), value[colon + 1..end].trim())
        })
        .collect();
    Some((first, pairs))
}

const LEAD_NAME: &str = "`Name, Label: value, …` line";

/// `Виктор, email` (the caption part of `Виктор, email: v@x.ru, phone
/// number …, says: …`, a handler's one sentence `${name}, email: …`): one
/// to three capitalised words the dictionary does not know, `, ` and a
/// contact caption it does. Returns (name, caption).
fn lead_name<'a>(
    label: &'a str,
    lookup: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<(&'a str, &'a str)> {
    // Cheap tests first (this runs for every caption): a comma and a space.
    let b = label.as_bytes();
    let comma = memchr::memrchr(b',', b)?;
    if b.get(comma + 1) != Some(&b' ') {
        return None;
    }
    let (head, tail) = (label[..comma].trim(), label[comma + 2..].trim());
    let words = head.split_whitespace();
    ((1..=3).contains(&words.clone().count())
        && words.into_iter().all(|w| {
            w.starts_with(char::is_uppercase) && w.chars().all(|c| c.is_alphabetic() || c == '-')
        })
        && matches!(lookup(tail), Some("email" | "phone"))
        && lookup(head).is_none())
    .then_some((head, tail))
}

fn arrow_split(l: &str) -> Option<(&str, &str)> {
    let i = l.find('→')?;
    let label = l[..i].trim();
    let value = l[i + '→'.len_utf8()..].trim();
    if label.is_empty() || !label_shape(label) {
        return None;
    }
    Some((label, value))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    None,
    /// Value began on the label line; following plain lines continue it.
    Inline,
    /// `Label:` with nothing after it: the value may start on the next line.
    Pending,
    /// After a block header (`--- L ---`, Bitrix stars): skip blank lines,
    /// then the value runs to the next blank line.
    Block,
    /// A blank line inside the client's message: the next paragraph is
    /// still theirs unless it is a label, a footer or a signature.
    Paragraph,
}

/// Reads `text` into fields. `known` maps a normalised label to its
/// canonical field (shared dictionary plus the rule's aliases).
/// `Тема : XИмя : YE-mail : Z` (ImageCMS's feedback module joins its
/// `Label : value` parts with no separator and strips the tags): a known
/// label glued to the previous value -- a capital letter right after a
/// lower-case letter or a digit, then up to four words and `:` -- on a line
/// that already holds a `label:`, starts a line of its own. `None` when no
/// line has one (the text is not copied). The glued left part must be 2+
/// characters, so `iPhone:` or `eMail:` inside a value is never cut, and
/// the label words only (`CasinoBonus (e-mail: …)` is a name and a remark).
pub fn unglue_labels(text: &str, known: &dyn Fn(&str) -> Option<&'static str>) -> Option<String> {
    let b = text.as_bytes();
    let mut cuts: Vec<usize> = Vec::new();
    // Only the colons are visited; a line break between two of them is
    // looked for in the bytes between (most mails have few colons).
    let mut from = 0;
    let mut had = false;
    for c in memchr::memchr_iter(b':', b) {
        // `Label:` / `Label :` followed by a space (never `12:00`); a
        // caption glued to its value (`Name:ОльгаEmail: …`, a PHP handler's
        // `"Name:".$name` with no newline) opens a segment too -- a letter
        // on both sides of the colon, so `12:00`, `http://` and `+7` never do.
        let glued = c > 0
            && (b[c - 1] >= 0x80 || b[c - 1].is_ascii_alphabetic())
            && b.get(c + 1)
                .is_some_and(|&x| x >= 0x80 || x.is_ascii_alphabetic());
        if !matches!(b.get(c + 1), Some(b' ' | b'\t')) {
            if glued {
                had = true;
                from = c + 1;
            }
            continue;
        }
        let same_line = had && memchr::memchr(b'\n', &b[from..c]).is_none();
        had = true;
        if !same_line {
            from = c + 1;
            continue;
        }
        let seg_start = from;
        let end = text[from..c].trim_end().len() + from;
        let seg = &text[from..end];
        from = c + 1;
        // The nearest camel boundary first, within four words of the colon.
        let mut words = 0;
        let mut prev: Option<char> = None;
        let mut cut = None;
        for (k, ch) in seg.char_indices().rev() {
            if ch == ' ' {
                words += 1;
                if words >= 4 {
                    break;
                }
            }
            if let Some(p) = prev
                && p.is_uppercase()
                && (ch.is_lowercase() || ch.is_ascii_digit())
            {
                let at = k + ch.len_utf8();
                let left = seg[..at]
                    .rsplit(char::is_whitespace)
                    .next()
                    .map_or(0, |w| w.chars().count());
                let tail = &seg[at..];
                if left >= 2
                    && tail
                        .chars()
                        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’'))
                    && known(&super::dictionary::normalize_label(tail)).is_some()
                {
                    cut = Some(seg_start + at);
                    break;
                }
            }
            prev = Some(ch);
        }
        cuts.extend(cut);
    }
    if cuts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + cuts.len());
    let mut last = 0;
    for at in cuts {
        out.push_str(&text[last..at]);
        out.push('\n');
        last = at;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// The bracketed caption ending a bullet item, `Марина (Ваше имя)`: the
/// value before it and the caption inside it, brackets inside the caption
/// (`20 (Площадь (м2))`) matched from the end. `None` when the item does not
/// end in a bracket or the bracket is not caption-shaped.
fn trailing_caption(item: &str) -> Option<(&str, &str)> {
    let t = item.trim_end();
    if !t.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    let mut open = None;
    for (i, c) in t.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    open = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let open = open?;
    let value = t[..open].trim_end();
    let label = t[open + 1..t.len() - 1].trim();
    // `+7 912 (Телефон)`: a space before the bracket; the caption starts
    // with a letter and is no longer than a question.
    if value.is_empty()
        || !t[..open].ends_with(' ')
        || label.chars().count() > 80
        || !label.chars().next().is_some_and(char::is_alphabetic)
    {
        return None;
    }
    Some((value, label))
}

/// `  * Марина Соколова (Ваше имя)` (Nextcloud's e-mail template, whose
/// text part lists each answer with its question after it in brackets; a
/// multi-line answer runs on over the next lines and the bracket closes its
/// last): the run of such bullets becomes `Ваше имя: Марина Соколова`
/// lines. Only a run of two or more items, each ending in a caption
/// bracket, two of whose captions the dictionary knows; lines after the
/// last item's bracket end the run. `None` when there is no such run (the
/// text is not copied).
pub fn bullets_value_then_caption(
    text: &str,
    known: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<String> {
    // Cheap test first: a `* ` at a line's start (up to four spaces in)
    // and a closing bracket somewhere; no allocation before both are seen.
    let b = text.as_bytes();
    let at_line_start = |at: usize| {
        let mut k = at;
        while k > 0 && at - k < 4 && b[k - 1] == b' ' {
            k -= 1;
        }
        k == 0 || b[k - 1] == b'\n'
    };
    if !memchr::memmem::find_iter(b, b"* ").any(at_line_start) || memchr::memchr(b')', b).is_none()
    {
        return None;
    }
    let bullet = |l: &str| -> Option<usize> {
        let lead = l.len() - l.trim_start_matches(' ').len();
        (lead <= 4 && l[lead..].starts_with("* ")).then_some(lead + 2)
    };
    let lines: Vec<&str> = crate::scan::split_nl(text).collect();
    let mut i = 0;
    while i < lines.len() {
        if bullet(lines[i]).is_none() {
            i += 1;
            continue;
        }
        // One run: items from here on.
        let start = i;
        let mut items: Vec<(String, String)> = Vec::new();
        let mut end = i;
        let mut ok = true;
        while i < lines.len() {
            let Some(off) = bullet(lines[i]) else { break };
            // The item's lines: the bullet line and the lines under it up to
            // the next bullet or a blank line.
            let mut j = i + 1;
            while j < lines.len() && bullet(lines[j]).is_none() && !lines[j].trim().is_empty() {
                j += 1;
            }
            // Its bracket closes on the last of them that ends in one.
            let Some(last) = (i..j).rev().find(|&k| lines[k].trim_end().ends_with(')')) else {
                ok = false;
                break;
            };
            let mut item = lines[i][off..].to_string();
            for l in &lines[i + 1..=last] {
                item.push('\n');
                item.push_str(l);
            }
            let Some((value, label)) = trailing_caption(&item) else {
                ok = false;
                break;
            };
            items.push((value.to_string(), label.to_string()));
            end = last + 1;
            if last + 1 < j {
                // Lines after the bracket: the run ends here.
                break;
            }
            i = j;
        }
        if ok
            && items.len() >= 2
            && items
                .iter()
                .filter(|(_, l)| known(&super::dictionary::normalize_label(l)).is_some())
                .take(2)
                .count()
                >= 2
        {
            let mut out = String::with_capacity(text.len());
            for l in &lines[..start] {
                out.push_str(l);
                out.push('\n');
            }
            for (v, l) in &items {
                out.push_str(l.trim());
                out.push_str(": ");
                out.push_str(v);
                out.push('\n');
            }
            for (k, l) in lines[end..].iter().enumerate() {
                out.push_str(l);
                if end + k + 1 < lines.len() {
                    out.push('\n');
                }
            }
            return Some(out);
        }
        i = i.max(start + 1).max(end);
    }
    None
}

pub fn read(text: &str, known: &dyn Fn(&str) -> Option<&'static str>) -> Layout {
    read_with_ends(text, &[], known)
}

/// [`read`] where `block_ends` (line counts, ascending) mark the ends of
/// HTML tables: a field never runs on past one.
pub fn read_with_ends(
    text: &str,
    block_ends: &[usize],
    known: &dyn Fn(&str) -> Option<&'static str>,
) -> Layout {
    if let Some(l) = json_object(text, known) {
        return l;
    }
    if let Some(l) = json_line(text, known) {
        return l;
    }
    let mut out = Layout::default();
    let lines: Vec<&str> = crate::scan::lines(text).map(str::trim).collect();
    let notice_words = NOTICE_WORDS.as_ref().is_none_or(|r| r.is_match(text));
    let mut state = State::None;
    let mut i = 0;
    let mut after_boilerplate = false;
    // The index (`i` after the read) of the last line read as a known
    // `Label - value` pair other than the message (see [`dash_sibling`]).
    let mut known_dash_line = usize::MAX - 1;
    // The message began on the lines under its label (CF7's `Сообщение:` /
    // body): everything down to a known label or a footer is the client's,
    // `Telegram: @x` lines included.
    let mut message_block = false;
    // A footer began (after the fields): loose lines are the site's.
    let mut footer = false;
    // `Label:` alone on its line over its value, so far: the form's shape.
    let mut alone_labels = 0usize;
    // Under `Параметры формы` the site describes its form: its `Название`
    // is the form's name, its `Описание` and `ID` are not the client's.
    let mut form_section = false;
    // One past the index of the last line read as loose text (`i` after
    // it): a line right under it continues that text.
    let mut loose_line_at = usize::MAX - 1;
    // The shop's sign-off under the fields (`Thank you for choosing our
    // store!` over the shop's name, phone, fax and URL: X-Cart's
    // signature.tpl): all below it is the shop's card, never the client's.
    let mut shop_card = false;

    let lookup = |label: &str| known(&super::dictionary::normalize_label(label));
    let (client, turn_lines) = transcript_client(&lines, &lookup);
    // Inside another speaker's turn of a transcript (see [`turn_header`]):
    // their lines are not the client's.
    let mut others_turn = false;
    // A line that can be a caption's value: not empty, no rule, no known
    // `Label:` of its own.
    // (The shop's `Спасибо за заказ!` under an empty last caption is its
    // closing note, no value of that caption.)
    let bare_value_line = |n: &str| {
        !n.is_empty()
            && !is_separator(n)
            && colon_split(n).is_none_or(|(lab, _)| lookup(lab).is_none())
            && !order_thanks(n)
    };

    // Stanzas of a known label alone on its line over its value, between
    // blank lines: trusted when the text holds at least two of them. The
    // value may sit a few blank lines under its label (ChronoForms' table
    // sent as text: the tags stripped, their indented lines left blank).
    let stanza_at = |j: usize| -> bool {
        let Some(l) = lines.get(j) else { return false };
        if l.is_empty() || !(j == 0 || lines[j - 1].is_empty()) {
            return false;
        }
        let next = lines.iter().skip(j + 1).take(4).find(|n| !n.is_empty());
        next.is_some_and(|n| !is_separator(n))
            && bare_label(l, known).is_some()
            && next.is_some_and(|n| bare_label(n, known).is_none())
            // `--- Имя ---` / blank / value is WPForms' block, read below.
            && block_label(l).is_none()
    };
    let stanzas = (0..lines.len()).filter(|&j| stanza_at(j)).take(2).count() >= 2;

    // The last non-blank line: a signature card runs to it (found once, so
    // the card test below stays linear on a long letter).
    let last_text = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(0);
    // How many lone `--` lines the letter holds (see the separators below).
    let dash_rules = lines.iter().filter(|l| **l == "--").take(3).count();
    let last_dash_rule = lines.iter().rposition(|l| *l == "--");
    let mut ends = block_ends.iter().copied().peekable();
    while i < lines.len() {
        // An HTML table of pairs ended here: its last field is complete.
        while ends.next_if(|&e| e <= i).is_some() {
            if state != State::Block {
                state = State::None;
            }
        }
        let unbolded;
        let l = match unbold(undecorate(lines[i])) {
            Some(u) => {
                unbolded = u;
                unbolded.as_str()
            }
            None => undecorate(lines[i]),
        };
        i += 1;
        // Several tests below ask for this line's `Label: value` split:
        // found once per line.
        if shop_card {
            continue;
        }
        // The client's chat lines under the message caption: their text,
        // without the stamp and the speaker (never a `Label: value`).
        // A transcript's line of another speaker (the operator, a bot) is
        // not the client's; a bracketed-time line of the client is their
        // text wherever it stands (Olark's transcript has no caption).
        let turn = if matches!(l.as_bytes().first(), Some(b'(' | b'[')) {
            chat_turn(l)
        } else {
            named_stamp_turn(l)
        };
        if let Some(client) = client
            && let Some((who, _)) = turn.or_else(|| chat_line_turn(l))
            && who != client
        {
            continue;
        }
        let l = match chat_line(l) {
            Some(text)
                if state != State::None
                    && out
                        .fields
                        .last()
                        .is_some_and(|f| f.canon == Some("message")) =>
            {
                text
            }
            _ => turn.map_or(l, |(_, text)| text),
        };
        if !turn_lines.is_empty() {
            if turn_lines.binary_search(&(i - 1)).is_ok()
                && let Some(who) = turn_header(l).or_else(|| stamped_header(l))
            {
                others_turn = client.is_some_and(|c| c != who);
                if others_turn {
                    state = State::None;
                    continue;
                }
                let more = out.fields.last().is_some_and(|f| f.shape == TURN);
                if !more {
                    // The client's speaker name is their name (a widget's
                    // default nick is dropped where names are read).
                    if !out.fields.iter().any(|f| f.shape == TURN) {
                        push(&mut out, "Visitor", who, Some("name"), TURN_NAME);
                    }
                    push(&mut out, who, "", Some("message"), TURN);
                }
                message_block = true;
                state = if more { State::Inline } else { State::Pending };
                continue;
            }
            if others_turn {
                // The visitor's card under the last turn (`Имя: Денис`,
                // `Email: …` under Chaport's transcript, no blank line
                // between): a caption the dictionary knows ends the turn.
                let caption = || colon_split(l).is_some_and(|(lab, _)| lookup(lab).is_some());
                if !l.is_empty() && !caption() {
                    continue;
                }
                others_turn = false;
            }
        }
        let l_split = std::cell::LazyCell::new(|| colon_split(l));

        if l.is_empty() {
            // A blank line ends a field; only a block header still waits
            // for its value, and the client's message may go on with
            // another paragraph.
            // `Сообщение:` / blank / the text: a label alone on its line
            // still waits for its value.
            if matches!(state, State::Block | State::Pending) && current_empty(&out) {
                // `New form response:` / blank / stanzas of known captions
                // over their answers (an Apps Script's intro): the line was
                // a title, not a label still waiting for its value.
                if stanzas
                    && out.fields.len() == 1
                    && out.fields.last().is_some_and(|f| f.canon.is_none())
                    && stanza_at(i)
                {
                    out.fields.pop();
                    message_block = false;
                    state = State::None;
                }
                continue;
            }
            state = if matches!(state, State::Inline | State::Block | State::Paragraph)
                && !current_empty(&out)
                && out
                    .fields
                    .last()
                    .is_some_and(|f| f.canon == Some("message"))
            {
                State::Paragraph
            } else {
                State::None
            };
            continue;
        }

        // Bitrix: a label line followed by a line of stars.
        if !is_separator(l) && lines.get(i).is_some_and(|n| is_stars(n)) {
            push(
                &mut out,
                l,
                "",
                lookup(l),
                "Bitrix `Label` / `*****` / value block",
            );
            message_block = true;
            state = State::Block;
            i += 1;
            after_boilerplate = false;
            continue;
        }
        // `Metadata` / `________` (Odoo's website form mail): a title
        // underlined with `_` or `=` opens a section of the site's; it ends
        // the field above, and neither line is text.
        if !is_separator(l)
            && lines.get(i).is_some_and(|n| is_title_rule(n))
            && l_split.is_none()
            && l.split_whitespace().count() <= 10
        {
            state = State::None;
            i += 1;
            continue;
        }
        // DataLife Engine and the like: a message caption framed by rules
        // of dashes (`----` / `Текст сообщения` / `----`), then the client's
        // text, paragraphs and their own `Телефон: …` lines included, down
        // to a blank line before the next field, rule or footer.
        if i >= 2
            && is_dash_rule(lines[i - 2])
            && lines.get(i).is_some_and(|n| is_dash_rule(n))
            && rule_caption(l)
            && lookup(l) == Some("message")
            && let Some((text, next)) = caption_block_text(&lines, i + 1, &lookup)
        {
            push(
                &mut out,
                l,
                &text,
                Some("message"),
                "`----` / caption / `----` framed block",
            );
            i = next;
            state = State::None;
            message_block = false;
            after_boilerplate = false;
            continue;
        }
        // iPhorm plain text: a caption, a rule of dashes, the value (not a
        // Markdown heading over `Label: value` lines).
        // A short line right under a caption left empty (`Message:` then
        // `test`, solidus_contact_us) is that caption's value, not a
        // caption over the rule below it.
        if lines.get(i).is_some_and(|n| is_dash_rule(n))
            && rule_caption(l)
            && lines.get(i + 1).is_some_and(|n| bare_value_line(n))
            && !(state == State::Pending
                && current_empty(&out)
                && i >= 2
                && lines[i - 2].trim_end().ends_with(':'))
        {
            push(
                &mut out,
                l,
                "",
                lookup(l),
                "`Label` / `-----` / value block",
            );
            message_block = true;
            state = State::Block;
            i += 1;
            after_boilerplate = false;
            continue;
        }
        // `<h2>Message</h2><p>text</p>` after the fields (SilverCart, many
        // shop views): the message's caption alone on its line, no colon,
        // over the client's text, whatever that text says.
        let awaits_value = matches!(state, State::Pending | State::Block) && current_empty(&out);
        // YITH's plain quote request: `****` / `Customer message` / the text,
        // the fields below it: a rule above the caption sets it off too.
        let after_rule = lines[..i - 1]
            .iter()
            .rev()
            .find(|p| !p.is_empty())
            .is_some_and(|p| is_separator(p));
        if !awaits_value
            && !footer
            && (!out.fields.is_empty() || after_rule)
            && bare_label(l, known).is_some()
            && super::dictionary::exact(&super::dictionary::normalize_label(l)) == Some("message")
            && lines.get(i).is_some_and(|n| bare_value_line(n))
        {
            push(
                &mut out,
                l,
                "",
                Some("message"),
                "message caption alone on its line after the fields",
            );
            message_block = true;
            state = State::Block;
            continue;
        }
        // `CUSTOMER DETAILS` / `Эльвира Галиева` / `elvira@…` / `+7 917…`
        // (Salon Booking System): a name caption alone on its line after
        // the fields, over a name and a contact line, captions the client's
        // card (read by `contact_card`).
        if !awaits_value
            && !footer
            && !out.fields.is_empty()
            && lines
                .get(i + 1)
                .is_some_and(|n| n.contains('@') || n.starts_with('+'))
            && lines.get(i).is_some_and(|n| bare_value_line(n))
            && bare_label(l, known).is_some()
            && super::dictionary::exact(&super::dictionary::normalize_label(l)) == Some("name")
        {
            push(
                &mut out,
                l,
                "",
                Some("name"),
                "name caption alone on its line over the client's card",
            );
            state = State::Pending;
            continue;
        }
        // `name` / `Кирилл` stanzas, or a Markdown-bold caption alone on
        // its line (`__Message__` / the text).
        if !(matches!(state, State::Pending | State::Block) && current_empty(&out))
            && ((stanzas && stanza_at(i - 1))
                || (whole_bold(lines[i - 1]) && lines.get(i).is_some_and(|n| !n.is_empty())))
            && let Some(canon) = bare_label(l, known)
        {
            push(
                &mut out,
                l,
                "",
                Some(canon),
                "known label alone on its line",
            );
            message_block = canon == "message";
            state = State::Pending;
            continue;
        }
        // A quiz's question over its answer between the stanzas of known
        // labels (Typeform: `Есть ли у вас дизайн-проект?` / `Нет`): an
        // unknown label and its value, kept in the fields, never the text.
        // A short caption with no question mark stands so too
        // (`Удобное время для звонка` / `после 18:00`, a Google Form's item
        // mailed by an Apps Script as title / answer stanzas).
        if stanzas
            && (l.ends_with('?') || plain_caption(l))
            && state == State::None
            && (i == 1 || lines[i - 2].is_empty())
            && l.split_whitespace().count() <= 12
            && lines
                .get(i)
                .is_some_and(|n| bare_value_line(n) && !n.ends_with('?'))
            && lines.get(i + 1).is_none_or(|n| n.is_empty())
        {
            push(
                &mut out,
                l,
                "",
                lookup(l),
                "question over its answer between label stanzas",
            );
            message_block = false;
            state = State::Pending;
            continue;
        }
        if let Some(label) = block_label(l) {
            push(&mut out, label, "", lookup(label), "`--- Label ---` block");
            message_block = true;
            state = State::Block;
            after_boilerplate = false;
            continue;
        }
        // `(` / `)` / `Array` around a PHP dump: structure, not text.
        if l.chars()
            .all(|c| matches!(c, '(' | ')' | '[' | ']' | '{' | '}'))
            || l == "Array"
        {
            state = State::None;
            continue;
        }
        // `Светлана Орлова` / `ООО «Агро-Вектор»` / `моб. 8 (917) …` after a
        // blank line at the end of a letter with no fields: the sender's
        // signature card, not their text (a `--` line is not needed). A
        // one-line sign-off (`Вера, 8 912 700 80 90`) stays in the text.
        if out.signature_at.is_none()
            && out.fields.is_empty()
            && !out.loose.is_empty()
            && i >= 2
            && lines[i - 2].is_empty()
            && last_text + 1 >= i
            && last_text + 2 - i <= 5
            && signature_card(&lines[i - 1..=last_text])
        {
            out.signature_at = Some(out.loose.len());
        }
        if is_separator(l) {
            // `-- ` lines taking turns with blocks, three or more
            // (b2evolution's contact mail: the fields, the reply method, the
            // text, the session line), are section rules: only the last
            // opens what is no longer the client's.
            if l == "--" && dash_rules >= 3 {
                if Some(i - 1) != last_dash_rule {
                    state = State::None;
                    continue;
                }
                out.signature_at = Some(out.loose.len());
            } else if l == "--" && out.signature_at.is_none() {
                out.signature_at = Some(out.loose.len());
            }
            // `Message sent to you follows` / `~~~~` / the text.
            if state == State::Pending
                && current_empty(&out)
                && out
                    .fields
                    .last()
                    .is_some_and(|f| f.canon == Some("message"))
            {
                continue;
            }
            // Zen Cart: the fields, a rule, the client's text, a rule (the
            // site's own block follows). WooCommerce plain e-mails (Dokan's
            // contact-vendor mail) open it with their `=-=-=` banner.
            if !footer
                && (is_dash_rule(l) || is_banner_rule(l))
                && !out.fields.is_empty()
                && !out.fields.iter().any(|f| f.canon == Some("message"))
                && let Some((text, tail, next)) = framed_text(&lines, i, &lookup)
            {
                push(
                    &mut out,
                    "Message",
                    &text,
                    Some("message"),
                    "text between two rules after the fields",
                );
                for l in &lines[tail..next.saturating_sub(1)] {
                    if let Some((lab, v)) = colon_split(l) {
                        push(
                            &mut out,
                            lab,
                            v,
                            lookup(lab),
                            "`Label: value` line under the framed text",
                        );
                    }
                }
                i = next;
                state = State::None;
                footer = true;
                continue;
            }
            state = State::None;
            // `from=1784…` / text / `---` / `from=1784…` / text (a messenger
            // forwarder's digest of several messages): a rule before the
            // last caption again parts items of one kind; it opens no footer.
            if !next_repeats_caption(&lines[i..], out.fields.last()) {
                footer |= !out.fields.is_empty();
            }
            continue;
        }
        // `Someone asked a question about Дверь «Термо-3»:` (X-Cart),
        // `A new question has been asked to you about this product: X.`
        // (PrestaShop modules): the shop's sentence names the product, and
        // the client's question stands under it. `Вопрос по товару 'Дверь
        // «Бастион»'`, `Известить меня, когда 'X' появится в продаже`
        // (HikaShop's contact and waitlist titles): the shop's title names
        // the product in quotes; nothing stands under it.
        if (state == State::None
            || (matches!(state, State::Pending | State::Block) && current_empty(&out)))
            && let Some((product, question_below)) = asked_about_product(l)
                .map(|p| (p, true))
                .or_else(|| quoted_product_title(l).map(|p| (p, false)))
        {
            push(
                &mut out,
                "Product",
                product,
                Some("product"),
                PRODUCT_SENTENCE,
            );
            // The question stands under the sentence, unless the client's
            // details follow it (`Customer information:` / `Username: …`).
            let next = lines.iter().skip(i).find(|n| !n.is_empty());
            if !question_below
                || next.is_some_and(|n| {
                    n.ends_with(':') || colon_split(n).is_some_and(|(lab, _)| lookup(lab).is_some())
                })
            {
                state = State::None;
                continue;
            }
            push(
                &mut out,
                l,
                "",
                Some("message"),
                "question under the sentence naming the product",
            );
            message_block = true;
            state = State::Pending;
            continue;
        }
        // An intro that announces the message below it.
        let waiting = matches!(state, State::Pending | State::Block) && current_empty(&out);
        let in_text = state != State::None
            && out
                .fields
                .last()
                .is_some_and(|f| f.canon == Some("message") || !single_line(f.canon));
        if !waiting && !in_text && follows_intro(l) {
            push(
                &mut out,
                l,
                "",
                Some("message"),
                "intro line announcing the message below",
            );
            message_block = true;
            state = State::Pending;
            continue;
        }
        // `С уважением, Ирина.` right under the client's text (or a blank
        // line below it, `Thanks, Michael`): their own sign-off, part of the
        // message, not the site's footer; it ends their letter.
        if matches!(state, State::Inline | State::Paragraph)
            && out
                .fields
                .last()
                .is_some_and(|f| f.canon == Some("message") && !f.value.is_empty())
            && client_signoff(l).is_some()
        {
            if let Some(f) = out.fields.last_mut() {
                f.value.push('\n');
                f.value.push_str(l);
            }
            state = State::None;
            continue;
        }
        // A letter with no fields (the visitor's own mail, Django's
        // `send_mail(subject, message, from_email)`): `С уважением, Ольга
        // Смирнова` under their sentences is their sign-off, not a footer.
        if state == State::None
            && out.fields.is_empty()
            && !footer
            && out
                .loose
                .last()
                .is_some_and(|p| p.ends_with(['.', '!', '?']) && !crate::scan::has_scheme_sep(p))
            && client_signoff(l).is_some()
        {
            out.body_loose.push(l.to_string());
            out.loose.push(l.to_string());
            continue;
        }
        // `Currently a new booking is waiting for approval. Please visit the
        // moderation panel https://…/wp-admin/…` (WP Booking Calendar): a
        // line pointing into the site's back office after the fields is the
        // site's own, never the client's text; it ends that text.
        if !out.fields.is_empty()
            && crate::scan::has_scheme_sep(l)
            && l.split_whitespace()
                .any(|t| crate::scan::has_scheme_sep(t) && is_admin_url(t))
            && bare_url(l).is_none()
            && colon_split(l).is_none()
        {
            // `Товар` / `Дверь «Бастион» (BST-960) ( https://…/administrator/… )`
            // (HikaShop's text part: a link written `text ( url )`): the
            // caption's value is the linked text; a product's code in
            // brackets after its name is no part of the name.
            if matches!(state, State::Pending | State::Block)
                && current_empty(&out)
                && let Some(text) = admin_linked_text(l)
            {
                let text = if out
                    .fields
                    .last()
                    .is_some_and(|f| f.canon == Some("product"))
                {
                    without_code(text)
                } else {
                    text
                };
                set_value(&mut out, text);
                state = State::None;
                continue;
            }
            state = State::None;
            footer = true;
            continue;
        }
        // `Message sent from https://…/properties/…/` under the client's
        // message (WP Residence's agent form): the site's sentence naming the
        // page the form was sent from, which ends the message.
        if !out.fields.is_empty()
            && let Some(u) = sent_from_page(l)
        {
            push(
                &mut out,
                "Message sent from",
                u,
                Some("page"),
                "sentence naming the page the form was sent from",
            );
            state = State::None;
            footer = true;
            continue;
        }
        // `A new booking request has been made at Траттория:` over the
        // guest's name, phone and words (Five Star Restaurant Reservations):
        // the site's sentence opening a label-less card, not a caption whose
        // value is the card.
        if out.fields.is_empty() && l.ends_with(':') && card_intro(l) {
            state = State::None;
            continue;
        }
        // `Sent from page: https://…` (Pirate Forms): a line whose caption
        // the dictionary lists word for word is a field, even when its
        // first words open a footer phrase (`Sent from my iPhone`).
        // `-- PS: это письмо отправлено автоматически…`, `-- С уважением,
        // администрация сайта …` (InstantCMS mod_callme): the signature
        // delimiter, then the site's footer words.
        let after_sig = l.strip_prefix("-- ").map(|r| {
            let r = r.trim_start();
            r.strip_prefix("PS:")
                .or_else(|| r.strip_prefix("P.S."))
                .map_or(r, str::trim_start)
        });
        let boilerplate = |t: &str| {
            BOILERPLATE.as_ref().is_some_and(|re| re.is_match(t))
                || service_notice_in(t, notice_words)
                || order_thanks(t)
        };
        if (boilerplate(l) || after_sig.is_some_and(boilerplate))
            && !l_split.is_some_and(|(lab, v)| {
                !v.is_empty()
                    && super::dictionary::exact(&super::dictionary::normalize_label(lab)).is_some()
            })
        {
            state = State::None;
            after_boilerplate = true;
            footer = true;
            shop_card = !out.fields.is_empty() && shop_signoff(l);
            if crate::scan::has_scheme_sep(l) {
                out.footer_urls.extend(
                    l.split_whitespace()
                        .filter(|w| crate::scan::has_scheme_sep(w))
                        .map(str::to_string),
                );
            }
            // `If you need any kind of help please contact us at …` /
            // `Thanks!` (Bagisto): a lone closing word under a footer line
            // is the footer's.
            while lines.get(i).is_some_and(|n| {
                matches!(
                    n.trim_end_matches(['.', '!']).to_lowercase().as_str(),
                    "thanks" | "thank you" | "спасибо" | "дякую"
                )
            }) {
                i += 1;
            }
            // `Checkout Product Enquiry Pro for these PREMIUM features:` over
            // its list: the promotion runs to the next blank line.
            if l.ends_with(':') {
                while lines.get(i).is_some_and(|n| !n.is_empty()) {
                    i += 1;
                }
            }
            continue;
        }
        let skip_url = std::mem::take(&mut after_boilerplate);
        if let Some(url) = bare_url(l)
            && !(state == State::Block && current_empty(&out))
            && !(state == State::Pending
                && current_empty(&out)
                && out.fields.last().is_some_and(|f| f.canon != Some("meta")))
        {
            // `Product Name:\tДверь …` over the product's own link (Zen
            // Cart's Ask a Question): the product's page, not a footer.
            if !skip_url
                && !footer
                && i >= 2
                && !lines[i - 2].is_empty()
                && out
                    .fields
                    .last()
                    .is_some_and(|f| f.canon == Some("product") && !f.value.is_empty())
                && !is_admin_url(url)
            {
                push(
                    &mut out,
                    "Product link",
                    url,
                    Some("page"),
                    "link right under the product's line",
                );
                state = State::None;
                continue;
            }
            // A link right under a footer line is the builder's, not the page.
            if !skip_url {
                out.bare_urls.push(url.to_string());
            }
            // A link under the fields opens the site's footer; under a
            // title line only (`Support #88: Ремонт ванной` over the issue's
            // link, Redmine), no form field was read yet and it opens none.
            footer |= out.fields.iter().any(|f| f.canon.is_some());
            state = State::None;
            continue;
        }

        if state == State::Block && current_empty(&out) {
            set_value(&mut out, l);
            continue;
        }
        if state == State::Pending
            && current_empty(&out)
            && bare_url(l).is_some()
            && out.fields.last().is_some_and(|f| f.canon != Some("meta"))
        {
            // `Металлочерепица Монтеррей 0,5 мм (612,00 RUB):` over the
            // product's own link (Gambio's found-cheaper mail): a name with
            // its price in brackets names the product, the link is its page.
            if let Some(name) = out
                .fields
                .last()
                .and_then(|f| priced_product_name(&f.label))
                .map(str::to_string)
                && let Some(url) = bare_url(l)
                && !is_admin_url(url)
            {
                out.fields.pop();
                push(
                    &mut out,
                    "Product",
                    &name,
                    Some("product"),
                    "`Name (price):` line over the product's link",
                );
                push(
                    &mut out,
                    "Product link",
                    url,
                    Some("page"),
                    "`Name (price):` line over the product's link",
                );
                state = State::None;
                continue;
            }
            // `Remove field limits, messages and get more features:` / URL:
            // a sentence over a bare link is the mail's promotion, not a
            // field (a page caption keeps its link).
            if out
                .fields
                .last()
                .is_some_and(|f| f.label.split_whitespace().count() > 4 && f.canon != Some("page"))
            {
                if let Some(f) = out.fields.pop() {
                    out.loose.push(f.label);
                }
                out.loose.push(l.to_string());
                state = State::None;
                continue;
            }
            set_value(&mut out, l);
            state = State::Inline;
            continue;
        }

        let in_message = matches!(
            state,
            State::Inline | State::Pending | State::Block | State::Paragraph
        ) && out
            .fields
            .last()
            .is_some_and(|f| f.canon == Some("message"));

        let split = l_split
            .map(|(a, b)| (a, b, "`Label: value` line"))
            .or_else(|| {
                tight_colon_split(l)
                    .filter(|(lab, _)| lookup(lab).is_some())
                    .map(|(a, b)| (a, b, "`Label:value` line (known label)"))
            })
            .or_else(|| {
                // `Вы подписались на рассылку:v@x.ru`: any caption glued
                // to a lone address.
                tight_colon_split(l)
                    .filter(|(_, v)| crate::request::normalize_email(v).is_some())
                    .map(|(a, b)| (a, b, "`Label:address` line"))
            })
            .or_else(|| arrow_split(l).map(|(a, b)| (a, b, "`Question → answer` line")))
            .or_else(|| dump_split(l).map(|(a, b)| (a, b, "PHP `[key] => value` dump line")))
            .or_else(|| {
                key_eq_split(l)
                    .filter(|(lab, _)| lookup(lab).is_some())
                    .map(|(a, b)| (a, b, "`key=value` line (known key)"))
            })
            .or_else(|| {
                tab_split(l)
                    .filter(|(lab, _)| lookup(lab).is_some())
                    .map(|(a, b)| (a, b, "`Label<tab>value` line (known label)"))
            })
            .or_else(|| {
                // `Когда можете приехать на замер? Телефон: 8 920 …` (a
                // plain letter's line): an `answer` that is itself a known
                // `Label: value` makes the question the client's own words.
                question_split(l)
                    .filter(|(lab, v)| lookup(lab).is_some() && !labelled_answer(v, &lookup))
                    .map(|(a, b)| (a, b, "`Caption? answer` line (known label)"))
            })
            .or_else(|| {
                dash_split(l)
                    .filter(|(lab, v)| {
                        // A lone `Title - Site` line between blank lines is a
                        // heading, not a pair.
                        let lone = (i < 2 || lines.get(i - 2).is_none_or(|p| p.is_empty()))
                            && lines.get(i).is_none_or(|n| n.is_empty());
                        let canon = lookup(lab);
                        if canon.is_some_and(|c| c != "message") && !v.is_empty() {
                            known_dash_line = i;
                        }
                        l.ends_with(';')
                            || (canon.is_some() && !lone)
                            || (!in_message && known_dash_line + 1 == i && dash_sibling(lab, l))
                    })
                    .map(|(a, b)| (a, b, "`Label - value;` line"))
            })
            .or_else(|| {
                // `<h2>Наименование: Беседка</h2>` (a JBZoo seller mail):
                // a heading reads `Label — text`; with a product or page
                // caption (`Со страницы товара — URL`) it is that field,
                // and with a name caption (Trudesk's `<h5>Ticket Submitted
                // by: Имя</h5>` among the ticket's lines) the name.
                (!in_message)
                    .then(|| heading_split(l))
                    .flatten()
                    .filter(|(lab, _)| {
                        let lone = (i < 2 || lines.get(i - 2).is_none_or(|p| p.is_empty()))
                            && lines.get(i).is_none_or(|n| n.is_empty());
                        !lone && matches!(lookup(lab), Some("product" | "page" | "name"))
                    })
                    .map(|(a, b)| (a, b, HEADING_PAIR))
            });
        // `Почта:` alone, then `Есть ли склад…? Пишите на a@x.ru`: a label
        // waiting for its value takes the next line whole; a question mark
        // in it does not make it a `Caption? answer` pair.
        let split = split.filter(|(_, _, shape)| {
            !(state == State::Pending
                && current_empty(&out)
                && *shape == "`Caption? answer` line (known label)")
        });
        if let Some((label, value, shape)) = split {
            // `Виктор, email: v@x.ru, phone number …, says: …` (a Firebase
            // handler's one sentence): the person's name before the line's
            // first caption is the name; the caption and the rest go on.
            let label = match lead_name(label, &lookup) {
                Some((name, caption)) if state == State::None => {
                    push(&mut out, "name", name, Some("name"), LEAD_NAME);
                    caption
                }
                _ => label,
            };
            let norm = super::dictionary::normalize_label(label);
            // `Remove field limits, messages and get more features: URL`:
            // a sentence over a bare link is the mail's promotion row, not
            // a field (a page caption keeps its link).
            if bare_url(value).is_some()
                && label.split_whitespace().count() > 4
                && known(&norm) != Some("page")
                && !in_message
            {
                out.loose.push(l.to_string());
                state = State::None;
                continue;
            }
            let canon = form_section
                .then(|| form_record_canon(&norm))
                .flatten()
                .or_else(|| known(&norm));
            // Inside the client's text a line starts a new field only when
            // it reads like a form caption (`Материал: ПВХ`), not like a
            // sentence with a colon in it.
            // `Когда можете приехать на замер? Участок в Алексине.` inside
            // the client's text: their own question and sentence, not a
            // `Caption? answer` pair.
            // `Когда можно вызвать замерщика? Тел 8(921)700-14-52` there too:
            // a question the dictionary knows only by a keyword is theirs.
            let own_question = in_message
                && shape == "`Caption? answer` line (known label)"
                && (value.ends_with(['.', '!', '?']) || super::dictionary::exact(&norm).is_none());
            // `Мой телефон: 8 (915) …` / `My number: …` closing the client's
            // text: a form never captions its field with `мой`; the client
            // wrote the line, so it stays in their message (the phone is
            // still read from the text).
            // `Перезвоните: 8(903)777-66-55. Алексей` in the text: the
            // client's plea with their number, not a form's caption.
            let own_contact = in_message
                && ((matches!(canon, Some("phone" | "email")) && own_caption(&norm))
                    || (canon.is_none() && contact_plea(&norm)));
            // The same `Мой телефон: 8 (911) …` right under the client's
            // unlabelled sentences (a body of a few fields, then their
            // letter): their line, so it stays in that text. Under a title
            // (`Заявка с сайта`) it is a form's first-person caption.
            let own_line_in_text = state == State::None
                && loose_line_at + 1 == i
                && matches!(canon, Some("phone" | "email"))
                && own_caption(&norm)
                && out
                    .loose
                    .last()
                    .is_some_and(|p| p.ends_with(['.', '!', '?']));
            let labelish = !own_question
                && !own_contact
                && (canon.is_some()
                || label.contains('_')
                || camel_key(label)
                // `Visit Website: https://…` under the text: a link row of
                // the mail's, not the client's words.
                || (caption_in_text(label) && bare_url(value).is_some())
                || norm == "ответ"
                || norm == "answer"
                || (!value.is_empty()
                    && !message_block
                    && !value.ends_with(['.', '!', '?'])
                    && caption_in_text(label)));
            // A form of `Caption:` / value stanzas: after a blank line in
            // the message, the next caption alone over a value is the next
            // field, known or not (`Когда вам перезвонить?:` / `вечером`).
            let next_stanza = state == State::Paragraph
                && value.is_empty()
                && alone_labels >= 3
                && label.split_whitespace().count() <= 6
                && lines
                    .get(i)
                    .is_some_and(|n| !n.is_empty() && colon_split(n).is_none());
            // `Телефон для связи: +7-912-…-89.` inside the client's text,
            // which goes on under it (`С уважением, Ирина.`): a sentence of
            // theirs; the phone is still read from the message.
            let contact_sentence = state == State::Inline
                && in_message
                && matches!(canon, Some("phone" | "email"))
                && value.ends_with(['.', '!', ','])
                && lines.get(i).is_some_and(|n| {
                    !n.is_empty()
                        && !is_separator(n)
                        && (client_signoff(n).is_some()
                            || (!BOILERPLATE.as_ref().is_some_and(|re| re.is_match(n))
                                && colon_split(n).is_none_or(|(lab, _)| lookup(lab).is_none())))
                });
            // `Additional data, if any:` after the client's text with
            // nothing under it but the next caption (Live Helper Chat's
            // request mail): the form's caption left empty, not their words.
            let empty_caption = state == State::Paragraph
                && value.is_empty()
                && label.split_whitespace().count() <= 6
                && lines.get(i).is_none_or(|n| n.is_empty())
                && lines
                    .iter()
                    .skip(i)
                    .take(4)
                    .find(|n| !n.is_empty())
                    .is_none_or(|n| n.ends_with(':') || colon_split(n).is_some());
            let starts_field = match state {
                State::None => !own_line_in_text,
                _ if in_message => (labelish && !contact_sentence) || next_stanza || empty_caption,
                State::Pending | State::Paragraph => true,
                State::Inline | State::Block => true,
            };
            if starts_field {
                // Quiz pairs: `Вопрос: Q` then `Ответ: A` become (Q, A).
                if (norm == "ответ" || norm == "answer")
                    && let Some(prev) = out.fields.last_mut()
                {
                    let pn = super::dictionary::normalize_label(&prev.label);
                    if pn == "вопрос" || pn == "question" {
                        prev.label = std::mem::take(&mut prev.value);
                        prev.value = value.to_string();
                        prev.canon = known(&super::dictionary::normalize_label(&prev.label));
                        state = State::Inline;
                        continue;
                    }
                }
                // Several fields on one line after a one-line field.
                if single_line(canon)
                    && let Some((first, more)) = comma_chain(value, &lookup)
                {
                    push(
                        &mut out,
                        label,
                        first,
                        canon,
                        "`Label: value, Label: value` line",
                    );
                    for (lab, val) in more {
                        push(
                            &mut out,
                            lab,
                            val,
                            lookup(lab),
                            "`Label: value, Label: value` line",
                        );
                    }
                    message_block = false;
                    state = State::Inline;
                    continue;
                }
                push(&mut out, label, value, canon, shape);
                alone_labels += usize::from(value.is_empty());
                message_block = value.is_empty() && canon == Some("message");
                state = if value.is_empty() {
                    State::Pending
                } else if shape == HEADING_PAIR {
                    // A heading is one line: `Hi Vendor,` under the e-mail's
                    // `<h1>Product Query: X</h1>` is not part of X.
                    State::None
                } else {
                    State::Inline
                };
                continue;
            }
        }

        match state {
            State::None => {
                // `<div>Имя</div><div>Дмитрий</div><div>Фамилия</div>…` under
                // the mail's heading (Wix Forms' owner notice): a run of known
                // labels, each alone on its line over its one-line value, opens
                // the fields with no caption above it.
                if !footer && let Some(canon) = label_over_value_run(l, i, &lines, &out, known) {
                    push(&mut out, l, "", Some(canon), LABEL_RUN);
                    message_block = canon == "message";
                    state = State::Pending;
                    continue;
                }
                form_section = form_section_caption(l);
                loose_line_at = i;
                if crate::scan::has_scheme_sep(l) {
                    footer |= !out.fields.is_empty();
                } else if !footer {
                    out.body_loose.push(l.to_string());
                }
                out.loose.push(l.to_string());
            }
            State::Paragraph => {
                // `Customer details` over `Name:Марина` after the client's
                // text (YITH's quote request): a section's caption, not theirs.
                if section_over_fields(l, lines.get(i).copied(), &lookup) {
                    out.loose.push(l.to_string());
                    state = State::None;
                    continue;
                }
                if let Some(f) = out.fields.last_mut() {
                    f.value.push_str("\n\n");
                    f.value.push_str(l);
                }
                state = State::Inline;
            }
            State::Inline | State::Pending | State::Block => {
                // `<h4>Контактні дані</h4><p>Ім'я*</p><p>Ірина</p><p>Телефон*
                // </p><p>066…</p>` (Liferay Forms): a run of known labels, each
                // alone on its line over its one-line value, under a section
                // caption: the caption is a heading, each label a field.
                if let Some(canon) = label_over_value_run(l, i, &lines, &out, known) {
                    if current_empty(&out)
                        && out.fields.last().is_some_and(|f| f.canon.is_none())
                        && let Some(f) = out.fields.pop()
                    {
                        out.loose.push(f.label);
                    }
                    push(&mut out, l, "", Some(canon), LABEL_RUN);
                    message_block = canon == "message";
                    state = State::Pending;
                    continue;
                }
                // (`Comments:` left empty, then `<h4>Appointment Information
                // </h4>` over `Service: …` (LatePoint): the section's
                // caption, not the empty field's value.)
                if (!current_empty(&out) && heading_over_fields(l, lines.get(i).copied()))
                    || section_over_fields(l, lines.get(i).copied(), &lookup)
                {
                    out.loose.push(l.to_string());
                    state = State::None;
                    continue;
                }
                if state == State::Pending
                    && current_empty(&out)
                    && empty_item_caption(&out, lines.get(i))
                {
                    out.loose.push(l.to_string());
                    state = State::None;
                    continue;
                }
                if current_empty(&out) {
                    set_value(&mut out, l);
                } else if let Some(f) = out.fields.last_mut()
                    && f.canon == Some("name")
                    && title_then_words(&f.value)
                    && one_capitalised_word(l)
                {
                    // JTL-Shop's `Customer data:` / `Mr.` / `Вадим` /
                    // `Петров`: the salutation, then the name's words, one
                    // per line.
                    f.value.push(' ');
                    f.value.push_str(l);
                } else if let Some(f) = out.fields.last_mut()
                    && f.canon == Some("name")
                    && one_capitalised_word(&f.value)
                    && one_capitalised_word(l)
                    && lines.get(i).is_some_and(|n| {
                        colon_split(n).is_some_and(|(lab, _)| lookup(lab).is_some())
                    })
                {
                    // 123FormBuilder's Name field: `Имя: Алесь` / `Ковальчук`
                    // (the first and last name as two lines of one cell),
                    // right over the next known `Label: value`.
                    f.value.push(' ');
                    f.value.push_str(l);
                } else if out
                    .fields
                    .last()
                    .is_some_and(|f| f.canon == Some("name") || f.shape == CARD_LINE)
                    && let Some(canon) = contact_line(l)
                {
                    // `Client:` / `Татьяна Кузнецова` / `t.k@x.ru` / `+7 910 …`
                    // (MotoPress Appointment): bare contact lines right under
                    // the client's name are theirs.
                    let label = out
                        .fields
                        .last()
                        .map(|f| f.label.clone())
                        .unwrap_or_default();
                    push(&mut out, &label, l, Some(canon), CARD_LINE);
                    continue;
                } else if out.fields.last().is_some_and(|f| single_line(f.canon)) {
                    // Contacts, ids and short answers never run on: the line
                    // is a heading or a footer, not part of the value.
                    if !footer && (!crate::scan::has_scheme_sep(l) || sentences_then_link(l)) {
                        out.body_loose.push(l.to_string());
                    }
                    out.loose.push(l.to_string());
                    state = State::None;
                    continue;
                } else if let Some(f) = out.fields.last_mut() {
                    f.value.push('\n');
                    f.value.push_str(l);
                }
                if state == State::Pending {
                    state = State::Inline;
                }
            }
        }
    }
    if out.fields.is_empty() {
        caption_lines(&lines, known, &mut out);
    }
    template_frame_closing(&lines, &mut out);
    order_notice(text, &lines, block_ends, &mut out);
    out
}

const CAPTION_LINE: &str =
    "`Caption value` line (a known caption, no colon: the handler's own captions)";

/// The known caption that opens `l` (one to three words, the longest
/// first) and the value after it: `Ваше имя Геннадий`.
fn caption_prefix<'a>(
    l: &'a str,
    known: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<(&'a str, &'a str, &'static str)> {
    // Word ends: where each of the first three words stops.
    let mut ends = [0usize; 3];
    let mut n = 0;
    let mut in_word = false;
    for (k, c) in l.char_indices() {
        if c == ' ' {
            if in_word {
                ends[n] = k;
                n += 1;
                in_word = false;
                if n == 3 {
                    break;
                }
            }
        } else {
            in_word = true;
        }
    }
    (0..n).rev().find_map(|w| {
        let (label, value) = (l[..ends[w]].trim(), l[ends[w]..].trim());
        if value.is_empty()
            || !label.chars().next().is_some_and(char::is_alphabetic)
            || !label
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '’'))
        {
            return None;
        }
        // The dictionary's exact captions only: a keyword (`почт`, `мобильн`)
        // is in every sentence.
        let norm = super::dictionary::normalize_label(label);
        let canon = super::dictionary::exact(&norm).filter(|_| known(&norm).is_some())?;
        Some((label, value, canon))
    })
}

/// Lines that open with a caption the dictionary knows and no colon, the
/// value after a space (`Ваше имя  Геннадий <br/>Ваш телефон  8 (831) …`:
/// Joomla's mod_ext_callback writes the owner's captions so): read as pairs
/// when nothing else was, the text opens with such a line (not a message
/// caption) and two of them name different fields, one the client's name.
/// A line under a message caption continues the message.
fn caption_lines(lines: &[&str], known: &dyn Fn(&str) -> Option<&'static str>, out: &mut Layout) {
    let mut nonempty = lines.iter().copied().filter(|l| !l.is_empty());
    let opens = nonempty
        .next()
        .is_some_and(|l| caption_prefix(l, known).is_some());
    // A short text only: a callback module's few lines.
    if !opens || nonempty.nth(11).is_some() {
        return;
    }
    let text: Vec<&str> = lines.iter().copied().filter(|l| !l.is_empty()).collect();
    let read: Vec<Option<(&str, &str, &'static str)>> =
        text.iter().map(|l| caption_prefix(l, known)).collect();
    let canons: Vec<&'static str> = read.iter().flatten().map(|r| r.2).collect();
    let distinct = canons
        .iter()
        .enumerate()
        .all(|(k, c)| !canons[..k].contains(c));
    // The client's name among them, and no message caption on top (`Сообщение
    // от Анна …` over the text is the sender's line, OXID's).
    if canons.len() < 2 || !distinct || !canons.contains(&"name") || canons[0] == "message" {
        return;
    }
    // Every other line must continue a message caption's value.
    let mut in_message = false;
    for r in &read {
        match r {
            Some((_, _, c)) => in_message = *c == "message",
            None if in_message => {}
            None => return,
        }
    }
    let mut fields = Vec::new();
    for (l, r) in text.iter().zip(&read) {
        match r {
            Some((label, value, canon)) => fields.push(RawField {
                label: label.to_string(),
                value: value.to_string(),
                canon: Some(*canon),
                shape: CAPTION_LINE,
            }),
            None => {
                if let Some(f) = fields.last_mut() {
                    f.value.push('\n');
                    f.value.push_str(l);
                }
            }
        }
    }
    out.loose.retain(|l| !text.contains(&l.as_str()));
    out.body_loose.retain(|l| !text.contains(&l.as_str()));
    out.fields = fields;
}

/// A shop's order notice: the headings over its address cards (WooCommerce's
/// `Billing address` / `Shipping address`, PrestaShop's `Адрес доставки` /
/// `Адрес для счёта`, osCommerce's `Адрес покупателя`, Magento's `Платёжная
/// информация` / `Информация о доставке`). One search over the whole text.
static ORDER_CARD_HEADING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(
        r"(?im)^[ \t]*(?:(адрес доставки|адреса доставки|информация о доставке|інформація про доставку|shipping address|delivery address|shipping info(?:rmation)?)|платёжный адрес|платежный адрес|платіжна адреса|адрес покупателя|адрес для сч[её]та|платёжная информация|платежная информация|billing address|billing info(?:rmation)?)[ \t]*:?(?:[ \t]*(?:billing|платёжн|платежн)[^\n:]{0,24})?[ \t\r]*$",
    )
    .ok()
});

const ORDER_CARD: &str = "order address card (`Billing address` / `Адрес доставки` over the buyer's name, address lines, phone, e-mail)";
const ORDER_ITEM: &str =
    "order item line (`2x Name (model) price`, `Name X 2 = price`): the first item is the product";

/// Country lines at the foot of an address card: not part of the address.
fn country_line(l: &str) -> bool {
    matches!(
        l,
        "Россия"
            | "Российская Федерация"
            | "Украина"
            | "Україна"
            | "Беларусь"
            | "Казахстан"
            | "Russia"
            | "Russian Federation"
            | "Ukraine"
            | "Belarus"
            | "Kazakhstan"
    )
}

/// The buyer's name on an address card's first line: letters only, at most
/// five words (`Ольга: Демченко`, two bold spans read as a caption, too).
fn card_name(l: &str) -> Option<String> {
    let joined = match l.split_once(": ") {
        Some((a, b)) if !a.contains(' ') && !b.is_empty() => format!("{a} {b}"),
        Some(_) => return None,
        None => l.to_string(),
    };
    let words = joined.split_whitespace().count();
    ((1..=5).contains(&words)
        && joined
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '.' | '\'' | '’')))
    .then_some(joined)
}

/// A card's phone line (`+7 831 410-22-93`, `T: +7 (495) 640-18-52`).
fn card_phone(l: &str) -> Option<&str> {
    let v = [
        "T:",
        "Т:",
        "Tel:",
        "Тел.:",
        "Тел:",
        "Телефон:",
        "Phone:",
        "Contact :",
        "Contact:",
    ]
    .iter()
    .find_map(|p| l.strip_prefix(p))
    .unwrap_or(l)
    .trim();
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    ((7..=15).contains(&digits)
        && v.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'(' | b')' | b'-' | b' ' | b'.')))
    .then_some(v)
}

/// A phone's caption alone on a card line (`Телефон` over the number).
fn phone_caption(l: &str) -> bool {
    matches!(
        l.trim_end_matches(':'),
        "Телефон" | "Тел." | "Phone" | "Telephone" | "Мобільний телефон" | "Телефон:"
    )
}

/// A company's name on a card line: a legal form first or a name in
/// quotes (`ООО «Стройресурс»`, `ИП Лаптев В.С.`, `ТОВ "Вікна"`).
fn company(l: &str) -> bool {
    l.contains('«')
        || l.contains('"')
        || [
            "ООО ", "ИП ", "ОАО ", "ЗАО ", "АО ", "ПАО ", "ТОВ ", "ФОП ", "ПП ", "LLC ", "Ltd ",
            "OOO ",
        ]
        .iter()
        .any(|f| l.starts_with(f))
}

/// The name of an order's item line: `2x Name (model) 1 100р.` (OpenCart's
/// order alert), `14 x Name (model) = 25 060руб.` (osCommerce), `Name X 18
/// = 8 100,00 ₽` (WooCommerce's plain mail). Byte checks, no regex.
fn order_item(l: &str) -> Option<&str> {
    // Ubercart's `- 2 x Name - price` list item.
    let l = l.strip_prefix("- ").unwrap_or(l);
    let b = l.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if lead > 0 && lead <= 4 {
        let rest = l[lead..].trim_start();
        let rest = ["x ", "X ", "× ", "x: ", "X: "]
            .iter()
            .find_map(|p| rest.strip_prefix(p))?;
        if let Some(close) = rest.rfind(") ")
            && let Some(open) = rest[..close].rfind(" (")
        {
            let tail = &rest[close + 2..];
            let name = rest[..open].trim();
            if !name.is_empty() && price_tail(tail.trim_start_matches("= ")) {
                return Some(name);
            }
        }
        // `2 x Name - 3 980,00 руб.` (Ubercart), `1 x Name, 18 500,00 ₽`
        // (Saleor), `40 x: Name 14 800,00 ₽` (Drupal Commerce's cells).
        for sep in [" - ", ", "] {
            if let Some(k) = rest.rfind(sep) {
                let name = rest[..k].trim();
                if !name.is_empty() && price_tail(&rest[k + sep.len()..]) {
                    return Some(name);
                }
            }
        }
        if rest.len() > 300 {
            return None;
        }
        return rest
            .match_indices(' ')
            .map(|(k, _)| k)
            .find(|&k| price_tail(&rest[k + 1..]))
            .map(|k| rest[..k].trim_end_matches([',', ' ']))
            .filter(|name| !name.is_empty());
    }
    // `Name - 2шт - 1 450 руб.` (NetCat МиниМагазин's order rows): the
    // count of pieces between the name and the price.
    if let Some(name) = pieces_row(l) {
        return Some(name);
    }
    // `Name X 18 = price`: one search for ` = `, then the count before it.
    let eq = l.find(" = ")?;
    let head = l[..eq].trim_end_matches(|c: char| c.is_ascii_digit());
    if head.len() == eq {
        return None;
    }
    ["X ", "x ", "× "]
        .iter()
        .find_map(|sep| head.strip_suffix(sep))
        .map(str::trim)
        .filter(|name| !name.is_empty() && price_tail(&l[eq + 3..]))
}

/// `Name - 2шт - 1 450 руб.` / `Name - 3 шт. - 900 руб.`: a name, a count of
/// pieces, a price, each set off by ` - `. Byte checks, no regex.
fn pieces_row(l: &str) -> Option<&str> {
    let (head, price) = l.rsplit_once(" - ")?;
    let (name, count) = head.rsplit_once(" - ")?;
    let count = count.trim();
    let n = count.bytes().take_while(u8::is_ascii_digit).count();
    let name = name.trim();
    (n > 0
        && n <= 5
        && matches!(
            count[n..].trim_start(),
            "шт" | "шт." | "pcs" | "ед." | "уп."
        )
        && !name.is_empty()
        && price_tail(price))
    .then_some(name)
}

/// A flattened header row of an order's items table: column captions only,
/// naming the product and its price.
fn items_header(l: &str) -> bool {
    l.len() < 120
        && !l.bytes().any(|b| b.is_ascii_digit() || b == b':')
        && (l.contains("Товар")
            || l.contains("Наименование")
            || l.contains("Название")
            || l.contains("Product"))
        && (l.contains("Цена")
            || l.contains("Ціна")
            || l.contains("Стоимость")
            || l.contains("Price"))
}

/// Whether an [`items_header`] puts the article-code column after the name
/// (`Название Код товара Количество …`, JoomShopping): each row's code then
/// follows the name.
fn code_after_name(header: &str) -> bool {
    let at = |caps: &[&str]| caps.iter().filter_map(|c| header.find(c)).min();
    match (
        at(&["Код товара", "Артикул", "SKU", "Код"]),
        at(&["Название", "Наименование", "Товар", "Product"]),
    ) {
        (Some(code), Some(name)) => code > name,
        _ => false,
    }
}

/// An item row under [`items_header`]: an article code (no lower case),
/// the name, then the first number that a decimal sum follows within two
/// words (`7 450,00 руб`) starts the prices. With `code_last` the code is
/// the name's last word instead (`Name NP-MAT-W 18 420.00 руб.`).
fn table_item(l: &str, code_last: bool) -> Option<String> {
    let words: Vec<&str> = l.split_whitespace().collect();
    let start = usize::from(
        words.first().is_some_and(|w| {
            w.bytes().any(|b| b.is_ascii_digit() || b == b'-') && !w.chars().any(char::is_lowercase)
        }) && words.len() > 2,
    );
    let decimal = |w: &str| {
        w.rsplit_once([',', '.']).is_some_and(|(a, b)| {
            !a.is_empty() && b.len() == 2 && b.bytes().all(|c| c.is_ascii_digit())
        })
    };
    let numeric = |w: &str| {
        w.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    };
    // `… 1 3 150 руб. 3 150 руб.` (no decimals): a run of numbers that
    // ends at a currency starts the prices too.
    let unit_after = |k: usize| {
        words[k..]
            .iter()
            .take(4)
            .position(|w| !numeric(w))
            .is_some_and(|m| {
                m > 0 && matches!(words[k + m], "руб." | "руб" | "р." | "₽" | "грн" | "грн.")
            })
    };
    let mut end = (start..words.len()).find(|&k| {
        numeric(words[k]) && (words[k..].iter().take(2).any(|w| decimal(w)) || unit_after(k))
    })?;
    if code_last
        && end > start + 1
        && words[end - 1]
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'-')
        && !words[end - 1].chars().any(char::is_lowercase)
    {
        end -= 1;
    }
    (end > start).then(|| words[start..end].join(" "))
}

/// A price with its currency (`9 960р.`, `25 060руб.`, `8 100,00 ₽`).
fn price_tail(t: &str) -> bool {
    money(t, false)
}

/// A sum of money alone: digits with spaces, commas or dots, then a
/// currency (`30 960,00 руб`, `27 160руб.`, `9 300,00 ₽`, `120 USD`); with
/// `bare`, a number without one too.
pub(crate) fn money(t: &str, bare: bool) -> bool {
    let t = t.trim();
    // `₽8,900.00`, `$120.00`: the sign before the number (Bagisto, Shopware).
    if let Some(n) = ["₽", "$", "€", "₴"].iter().find_map(|c| t.strip_prefix(c)) {
        return n.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && n.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b',' | b'.'));
    }
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, ' ' | ',' | '.' | '\u{a0}')))
        .unwrap_or(t.len());
    let unit = t[end..].trim();
    t.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && ((bare && unit.is_empty())
            || matches!(
                unit,
                "руб"
                    | "руб."
                    | "р."
                    | "р"
                    | "₽"
                    | "₴"
                    | "грн"
                    | "грн."
                    | "$"
                    | "€"
                    | "rub"
                    | "RUB"
                    | "UAH"
                    | "USD"
                    | "EUR"
            ))
}

/// A totals line with its caption and no colon (`Subtotal ₽17,800.00`,
/// `Grand Total ₽18,400.00`, `Shipping & Handling ₽600.00`).
fn totals_line(l: &str) -> bool {
    let Some(p) = l.find(|c: char| c.is_ascii_digit() || matches!(c, '₽' | '$' | '€' | '₴'))
    else {
        return false;
    };
    let cap = l[..p].trim();
    !cap.is_empty()
        && cap.split_whitespace().count() <= 4
        && cap
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '&' | '-'))
        && money(&l[p..], false)
}

/// The shop's sentences about the order in its notice (`A Downloads
/// purchase has been made.`, `We have received your order from …`, `В
/// Вашем магазине был оформлен заказ`).
fn shop_sentence(l: &str) -> bool {
    l.len() < 400
        && [
            "has been made",
            "has been placed",
            "has just placed",
            "your order",
            "Your order",
            "был оформлен",
            "Below is the",
            "Уважаемый администратор",
            "Dear Admin",
        ]
        .iter()
        .any(|p| l.contains(p))
}

/// The text names an order: one literal search (SIMD over the alternatives).
fn order_word(t: &str) -> bool {
    ORDER_WORD.as_ref().is_none_or(|r| r.is_match(t))
}

static ORDER_WORD: LazyLock<Option<Regex>> =
    LazyLock::new(|| crate::re::compile("аказ|АКАЗ|rder|RDER|амовлен|urchase").ok());

/// The stems of [`ORDER_CARD_HEADING`]: one literal search before it runs
/// (most texts that say `заказ` hold none).
static ORDER_CARD_STEM: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(
        "доставк|ДОСТАВК|окупател|ОКУПАТЕЛ|латёж|латеж|ЛАТЁЖ|ЛАТЕЖ|латіж|ЛАТІЖ|для сч|ДЛЯ СЧ|ddress|DDRESS|ing info|ing Info|ING INFO",
    )
    .ok()
});

/// `1 шт × 11 890 руб` / `2 pcs x 10.00`: a count of pieces times a price.
fn counted_price(v: &str) -> bool {
    let n = v.bytes().take_while(u8::is_ascii_digit).count();
    n > 0
        && ["шт × ", "шт. × ", "шт x ", "pcs × ", "pcs x ", "ед. × "]
            .iter()
            .any(|u| v[n..].trim_start().starts_with(u))
}

/// An order notice's address cards and item lines (see [`ORDER_CARD`],
/// [`ORDER_ITEM`]): the buyer's name, phones, e-mail and the shipping
/// address (the billing one when there is no other), and the first item as
/// the product. Only in a text that names an order; the lines read leave
/// the loose text.
fn order_notice(text: &str, lines: &[&str], block_ends: &[usize], out: &mut Layout) {
    if !order_word(text) {
        return;
    }
    let mut used: Vec<usize> = Vec::new();
    let mut name: Option<String> = None;
    let mut phones: Vec<String> = Vec::new();
    let mut email: Option<String> = None;
    let mut shipping: Option<String> = None;
    let mut billing: Option<String> = None;
    let heading_stem = ORDER_CARD_STEM.as_ref().is_none_or(|r| r.is_match(text));
    if let Some(re) = ORDER_CARD_HEADING.as_ref().filter(|_| heading_stem) {
        let mut line_no = 0usize;
        let mut scanned = 0usize;
        let heads: Vec<(usize, bool)> = re
            .captures_iter(text)
            .filter_map(|c| {
                let m = c.get(0)?;
                line_no += text[scanned..m.start()]
                    .bytes()
                    .filter(|&b| b == b'\n')
                    .count();
                scanned = m.start();
                Some((line_no, c.get(1).is_some()))
            })
            .collect();
        for (k, &(head_at, head_shipping)) in heads.iter().enumerate() {
            let stop = heads.get(k + 1).map_or(lines.len(), |h| h.0);
            // `Shipping Information: Billing Information` (two cells side by
            // side, Drupal Commerce): the billing card follows the shipping one.
            let mut pair = head_shipping && lines[head_at].contains(':');
            let (mut at, mut is_shipping) = (head_at, head_shipping);
            loop {
                let mut j = at + 1;
                while j < stop && j <= at + 3 && (lines[j].is_empty() || is_separator(lines[j])) {
                    j += 1;
                }
                // The card ends at a blank line, a rule, the end of its HTML
                // table, or the first line that is no contact once the contacts
                // (always the card's last lines) began.
                let mut card: Vec<usize> = Vec::new();
                let mut contacts = false;
                let mut country = false;
                while j < stop && card.len() < 10 && !lines[j].is_empty() && !is_separator(lines[j])
                {
                    let contact = card_phone(lines[j]).is_some()
                        || lines[j].contains('@')
                        || phone_caption(lines[j]);
                    // `Поздравляем с продажей.` under the card: a sentence with
                    // no number is the shop's, not an address line.
                    // (`Воронежская обл.` is no sentence: two words.)
                    let sentence = lines[j].ends_with(['.', '!', ':'])
                        && !lines[j].bytes().any(|b| b.is_ascii_digit())
                        && (!lines[j].ends_with('.')
                            || (lines[j].split_whitespace().count() >= 3
                                && !lines[j].contains(',')));
                    // The country closes the address: only contacts follow it
                    // (`Payment Method` under a Drupal Commerce profile).
                    if ((contacts || country) && !contact) || (sentence && !card.is_empty()) {
                        break;
                    }
                    contacts |= contact && !card.is_empty();
                    country |= country_line(lines[j]);
                    card.push(j);
                    j += 1;
                    if block_ends.contains(&j) {
                        break;
                    }
                }
                // `---` then `Contact : +7 …` (Bagisto): the card's phone under
                // its rule.
                if j + 1 < stop
                    && lines.get(j).is_some_and(|l| is_separator(l))
                    && lines[j + 1].starts_with(|c: char| c.is_alphabetic())
                    && card_phone(lines[j + 1]).is_some()
                {
                    card.push(j + 1);
                }
                let Some(&first) = card.first() else {
                    // `No shipping required` alone under the heading: the shop's.
                    used.push(at);
                    break;
                };
                // A company over the person (`ООО «Стройресурс»` / `Ольга
                // Никитина`), or both on one line (`ООО Ромашка - Олег Кузнецов`).
                let (who, from) = if company(lines[first])
                    && card.len() > 1
                    && card_name(lines[card[1]]).is_some()
                {
                    (card_name(lines[card[1]]), 2)
                } else if let Some((_, person)) = lines[first]
                    .rsplit_once(" - ")
                    .filter(|_| company(lines[first]))
                {
                    (card_name(person), 1)
                } else {
                    (card_name(lines[first]), 1)
                };
                let Some(who) = who else {
                    if card.len() == 1
                        && !lines[first]
                            .bytes()
                            .any(|b| b.is_ascii_digit() || b == b':')
                        && lines[first].split_whitespace().count() <= 4
                    {
                        used.push(at);
                        used.push(first);
                    }
                    break;
                };
                let placeholder = card.len() == 1
                    && !who
                        .split_whitespace()
                        .all(|w| w.starts_with(char::is_uppercase));
                if placeholder {
                    // `No shipping required` under the heading: the shop's.
                    used.extend([at, first]);
                    break;
                }
                // A card of the name alone (Saleor prints the address as the
                // person's name): a person's capitalised words.
                if card.len() < from + 1
                    && !(card.len() == from
                        && (2..=3).contains(&who.split_whitespace().count())
                        && who
                            .split_whitespace()
                            .all(|w| w.starts_with(char::is_uppercase)))
                {
                    break;
                }
                let mut addr: Vec<String> = Vec::new();
                for &c in &card[from..] {
                    let l = lines[c];
                    if phone_caption(l) {
                    } else if let Some(p) = card_phone(l) {
                        if !phones.iter().any(|x| x == p) {
                            phones.push(p.to_string());
                        }
                    } else if l.contains('@') && !l.contains(' ') {
                        email.get_or_insert_with(|| l.to_string());
                    } else if !country_line(l) {
                        // `Харківська область Ukraine`: the country after the region.
                        let l = l
                            .rsplit_once(' ')
                            .filter(|(_, c)| country_line(c))
                            .map_or(l, |(a, _)| a);
                        addr.push(l.split_whitespace().collect::<Vec<_>>().join(" "));
                    }
                }
                name.get_or_insert(who);
                used.extend(card.iter().copied());
                used.push(at);
                if !addr.is_empty() {
                    let slot = if is_shipping {
                        &mut shipping
                    } else {
                        &mut billing
                    };
                    slot.get_or_insert_with(|| addr.join(", "));
                }
                if pair && j < stop && card_name(lines[j]).is_some() {
                    pair = false;
                    at = j - 1;
                    is_shipping = false;
                    continue;
                }
                break;
            }
        }
    }
    let mut item: Option<String> = lines.iter().find_map(|l| order_item(l)).map(str::to_string);
    // An item's SKU and option lines under its item line (`Артикул: RS-1`,
    // `Длина: 4 м`) up to a blank line: the item's, not the client's.
    for (i, l) in lines.iter().enumerate().filter(|_| item.is_some()) {
        if order_item(l).is_some() {
            let mut r = i + 1;
            while r < lines.len()
                && r <= i + 6
                && lines[r].contains(':')
                && order_item(lines[r]).is_none()
            {
                used.push(r);
                r += 1;
            }
        }
    }
    // An items table read as pairs: `Name: X` over `Price: …` (nopCommerce,
    // Bagisto), or `SKU: X` over the bare name; `Description X,` (Shopware's
    // plain item block). The pairs and the options between are the item's.
    for (i, l) in lines.iter().enumerate() {
        let Some((cap, v)) = l.split_once(": ") else {
            if let Some(d) = l
                .strip_prefix("Description ")
                .and_then(|d| d.strip_suffix(','))
            {
                item.get_or_insert_with(|| d.trim().to_string());
                used.push(i);
            }
            continue;
        };
        let named = matches!(
            cap,
            "Name" | "Название" | "Наименование" | "Товар" | "Product"
        );
        let sku = matches!(cap, "SKU" | "Артикул" | "Код товара");
        if !(named || sku) {
            continue;
        }
        let price_at = (i + 1..lines.len().min(i + 5)).find(|&r| {
            ["Price: ", "Цена: ", "Ціна: ", "Стоимость: "]
                .iter()
                .any(|p| lines[r].starts_with(p))
        });
        if let (true, Some(pr)) = (named, price_at) {
            item.get_or_insert_with(|| v.trim().to_string());
            used.extend(i..pr);
        } else if sku {
            let next = lines.get(i + 1).copied().unwrap_or("");
            if !next.is_empty() && !next.contains(':') && !money(next, true) && price_at.is_some() {
                item.get_or_insert_with(|| next.trim().to_string());
                used.extend([i, i + 1]);
            }
        }
    }
    // `Downloads sold:` over the titles (Easy Digital Downloads): the first
    // title is the product, the titles the shop's.
    if let Some(h) = lines
        .iter()
        .position(|l| matches!(*l, "Downloads sold:" | "Products sold:"))
    {
        let mut r = h + 1;
        while r < lines.len() && !lines[r].is_empty() && !lines[r].contains(':') {
            if !money(lines[r], true) {
                item.get_or_insert_with(|| lines[r].trim().to_string());
            }
            used.push(r);
            r += 1;
        }
        used.push(h);
    }
    // `Геннадий Соколов (g.sokolov@example.ru) has just placed an order`
    // (nopCommerce): the buyer's name and e-mail in the shop's sentence.
    if name.is_none() || email.is_none() {
        for (i, l) in lines.iter().enumerate().take(40) {
            let Some((who, rest)) = l.split_once(" (") else {
                continue;
            };
            let Some((mail, _)) = rest.split_once(')') else {
                continue;
            };
            if mail.contains('@')
                && !mail.contains(' ')
                && order_word(rest)
                && let Some(n) = card_name(who)
            {
                name.get_or_insert(n);
                email.get_or_insert_with(|| mail.to_string());
                used.push(i);
                break;
            }
        }
    }
    // `Артикул Товар Цена за ед. Количество Итого` over `DV-210 Дверь … 7
    // 450,00 руб 2 14 900,00 руб` (PrestaShop's items table flattened): the
    // header row and its item rows are the shop's; the first row names the
    // product.
    if let Some(h) = lines.iter().position(|l| items_header(l)) {
        used.push(h);
        let code_last = code_after_name(lines[h]);
        let mut r = h + 1;
        while r < lines.len() && !lines[r].is_empty() && !lines[r].contains(':') {
            if let Some(n) = table_item(lines[r], code_last) {
                if item.is_none() {
                    item = Some(n);
                }
                used.push(r);
            }
            r += 1;
        }
    }
    // `Name хром: 1 шт × 11 890 руб` (Simpla's purchases table read as
    // pairs): the caption is the item.
    if item.is_none() {
        item = out
            .fields
            .iter()
            .find(|f| f.canon.is_none() && counted_price(&f.value))
            .map(|f| f.label.clone());
    }
    if used.is_empty() && item.is_none() {
        return;
    }
    let item_lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| order_item(l).is_some())
        .collect();
    let gone = |s: &str| used.iter().any(|&u| lines[u] == s) || item_lines.contains(&s);
    out.fields.retain(|f| {
        let whole = format!("{}: {}", f.label, f.value);
        // `Title — part` read as a heading pair: its line is gone too.
        let split = f.shape == HEADING_PAIR
            && used.iter().any(|&u| {
                lines[u].starts_with(f.label.as_str()) && lines[u].ends_with(f.value.as_str())
            });
        !(split
            || gone(&whole)
            || (f.canon != Some("message") && crate::scan::lines(&f.value).any(|v| gone(v.trim()))))
    });
    // The shop's own header lines (`Новый заказ — #1187`, `Заказ №1502 на
    // сумму …`) are no client's text.
    for f in &mut out.fields {
        if f.canon == Some("message")
            && crate::scan::lines(&f.value).any(|v| gone(v.trim()))
            && crate::scan::lines(&f.value).any(|v| !gone(v.trim()))
        {
            f.value = f
                .value
                .lines()
                .filter(|v| !gone(v.trim()))
                .collect::<Vec<_>>()
                .join("\n");
        }
    }
    // `Просмотреть заказ: https://…/wp-admin/…`: the shop's back-office link.
    out.fields
        .retain(|f| !(f.canon.is_none() && f.value.starts_with("http") && is_admin_url(&f.value)));
    let greeted = name.clone();
    let keep = |s: &String| {
        let t = s.trim();
        !gone(t)
            && !(order_word(t) && (t.contains('#') || t.contains('№')))
            && !totals_line(t)
            && !shop_sentence(t)
            // `Mrs. Ольга Никитина,`: the shop greets the buyer.
            && !(t.ends_with(',')
                && greeted
                    .as_deref()
                    .is_some_and(|n| t.trim_end_matches(',').ends_with(n)))
    };
    out.loose.retain(keep);
    out.body_loose.retain(keep);
    if let Some(n) = name {
        push(out, "name", &n, Some("name"), ORDER_CARD);
    }
    for p in &phones {
        push(out, "phone", p, Some("phone"), ORDER_CARD);
    }
    if let Some(e) = email {
        push(out, "email", &e, Some("email"), ORDER_CARD);
    }
    if let Some(a) = shipping.or(billing) {
        push(out, "address", &a, Some("address"), ORDER_CARD);
    }
    if let Some(n) = item {
        push(out, "product", &n, Some("product"), ORDER_ITEM);
    }
}

/// `Hello,` / the fields / `Thanks` (Neos.Form's documented e-mail
/// template): a lone greeting over the first field and a lone closing word
/// as the text's last line frame the form; the closing is the template's,
/// not the end of the last field's value. A client's `Спасибо.` under their
/// text in a form without such a greeting stays theirs.
fn template_frame_closing(lines: &[&str], out: &mut Layout) {
    let mut text = lines.iter().filter(|l| !l.is_empty());
    let (Some(first), Some(last)) = (text.next(), text.next_back()) else {
        return;
    };
    // Cheap first: both lines are a word or two.
    if first.len() > 24 || last.len() > 24 || out.fields.is_empty() {
        return;
    }
    let lone = |l: &str, words: &[&str]| {
        let n = l.trim_end_matches(['.', ',', '!']).to_lowercase();
        words.contains(&n.as_str())
    };
    if !lone(
        first,
        &[
            "hello",
            "hi",
            "здравствуйте",
            "добрый день",
            "вітаю",
            "добрий день",
        ],
    ) || !lone(
        last,
        &["thanks", "thank you", "спасибо", "дякую", "regards"],
    ) {
        return;
    }
    if let Some(f) = out.fields.last_mut()
        && let Some(head) = f.value.strip_suffix(*last)
        && head.ends_with('\n')
    {
        f.value.truncate(head.trim_end().len());
    }
}

/// The text from `start` down to the next rule of dashes (`----`), when it
/// is plain text: no labelled field (`Label: value`, `Label - value`, a
/// `**Caption**` line), other
/// rule, link or site notice in it, three words at least; known `Label:
/// value` lines after a blank line at its end are the form's own (they run
/// to the rule). Returns the text, the index of the first such line (the
/// rule's when none) and the line after the closing rule; scans only to
/// that rule, so the lines are read once.
fn framed_text(
    lines: &[&str],
    start: usize,
    lookup: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<(String, usize, usize)> {
    let mut text = String::new();
    let mut blank = false;
    let mut tail = None;
    for (j, l) in lines.iter().enumerate().skip(start) {
        if l.is_empty() {
            blank = !text.is_empty();
            continue;
        }
        if is_separator(l) {
            // Only a rule of dashes closes it (a Bitrix `*****` stands under
            // a caption), or the `-- ` over the site's signature (Redmine's
            // issue mail: the fields, a rule, the description, `-- ` and
            // the notification footer).
            return ((is_dash_rule(l) || l.trim_end() == "--")
                && text.split_whitespace().count() >= 3)
                .then_some((text, tail.unwrap_or(j), j + 1));
        }
        let known = colon_split(l).is_some_and(|(lab, _)| lookup(lab).is_some());
        // `Phone: +7 …` after a blank line under the text, up to the rule
        // (CubeCart appends the form's phone to the enquiry): the form's
        // own field lines, not the client's words.
        if known && (tail.is_some() || (blank && !text.is_empty())) {
            tail.get_or_insert(j);
            blank = false;
            continue;
        }
        // `**Имя**` / value (OpnForm's markdown fields between rules): a
        // caption set off in Markdown bold opens a field, not the text.
        if tail.is_some()
            || crate::scan::has_scheme_sep(l)
            || BOILERPLATE.as_ref().is_some_and(|re| re.is_match(l))
            || known
            || dash_split(l).is_some()
            || whole_bold(l)
        {
            return None;
        }
        if blank {
            text.push_str("\n\n");
            blank = false;
        } else if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(l);
    }
    None
}

/// The text under a framed caption, from `start`: blank lines first are
/// skipped; paragraphs go on while the line after a blank one is not a
/// known `Label: value`, a rule or a site notice. Returns the text and the
/// index of the line that ended it.
fn caption_block_text(
    lines: &[&str],
    start: usize,
    lookup: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut blank = false;
    let mut j = start;
    while let Some(l) = lines.get(j) {
        if l.is_empty() {
            blank = !text.is_empty();
            j += 1;
            continue;
        }
        let ends = is_separator(l)
            || (blank
                && (BOILERPLATE.as_ref().is_some_and(|re| re.is_match(l))
                    || colon_split(l).is_some_and(|(lab, _)| lookup(lab).is_some())
                    || dash_split(l).is_some_and(|(lab, _)| lookup(lab).is_some())));
        if ends {
            break;
        }
        if blank {
            text.push_str("\n\n");
            blank = false;
        } else if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(l);
        j += 1;
    }
    (!text.is_empty()).then_some((text, j))
}

/// A heading over the site's description of its form (`Параметры формы`,
/// `Form settings`), not over the client's answers.
fn form_section_caption(l: &str) -> bool {
    static RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        crate::re::compile(&super::classify::narrow(r"(?i)^(параметр|настро|свойств)\w*\s+форм\w*|^form\s+(parameters|settings|properties)(?:$|[^\w])")).ok()
    });
    l.split_whitespace().count() <= 5
        && !l.contains(['.', '!', '?'])
        && RE.as_ref().is_some_and(|r| r.is_match(l))
}

/// A form's own record under such a heading: its title, description, id.
fn form_record_canon(norm: &str) -> Option<&'static str> {
    match norm {
        "название" | "наименование" | "name" | "title" => Some("form"),
        "описание" | "description" | "id" => Some("meta"),
        _ => None,
    }
}

/// A caption typed by a site owner: a few words, no sentence punctuation,
/// starting with a capital (or a `key_style` name).
fn caption_in_text(label: &str) -> bool {
    let label = label.trim();
    let first = label.chars().next();
    label.split_whitespace().count() <= 4
        && !label.contains([',', '.', '!', '?', '(', ')', '"'])
        && (first.is_some_and(char::is_uppercase)
            || label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
}

/// A link into a CMS back office: never the page the client was on.
pub(crate) fn is_admin_url(u: &str) -> bool {
    ADMIN_URL.as_ref().is_some_and(|r| r.is_match(u))
}

/// The back-office paths of `is_admin_url`, any case, in one pass over the
/// link (it is asked of every link of every mail).
static ADMIN_URL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(concat!(
        r"(?i-u)/bitrix/admin/|/wp-admin/|/administrator/|/admin/|/admin\.php|/manager/|/backend/",
        r"|route=sale/|option=com_",
        // A help desk's agent view of the ticket (Request Tracker, GLPI,
        // Znuny / OTRS, django-helpdesk).
        r"|/ticket/display\.html|redirect=ticket_|action=agentticketzoom|/helpdesk/tickets/",
        // The owner's sheet or document a relay writes the row to.
        r"|docs\.google\.com/spreadsheets/|docs\.google\.com/document/",
    ))
    .ok()
});

/// The shape of a bare contact line under a name (a client's card).
const CARD_LINE: &str = "bare contact line under the name";

const LABEL_RUN: &str =
    "known label alone on its line over a one-line value, in a run of such pairs";

/// Line `i - 1` (`l`) is a known label with no colon over a one-line value
/// (line `i`), and the run goes on: the field before came the same way, or
/// the line after the value is another such label. Cheap tests first: a
/// short line with no colon, a next line that is no label.
fn label_over_value_run(
    l: &str,
    i: usize,
    lines: &[&str],
    out: &Layout,
    known: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<&'static str> {
    if l.len() > 60 || l.contains(':') || crate::scan::has_scheme_sep(l) {
        return None;
    }
    let value = lines.get(i).filter(|n| !n.is_empty() && !is_separator(n))?;
    let continues = out
        .fields
        .last()
        .is_some_and(|f| f.shape == LABEL_RUN && !f.value.is_empty());
    // The opening pair needs a second one right under it: its shape first
    // (a short line with no colon, a value under it), then the dictionary.
    let opening = if continues {
        None
    } else {
        let next = lines
            .get(i + 1)
            .filter(|n| !n.is_empty() && n.len() <= 60 && !n.contains(':'))?;
        let next_value = lines
            .get(i + 2)
            .filter(|n| !n.is_empty() && !is_separator(n))?;
        Some((next, next_value))
    };
    let canon = bare_label(l, known)?;
    // `Имя` / `Виктор` / `Email` / `Телефон` / `+7 905 …` (Weebly's label
    // row over value row, a field left empty prints its label alone): an
    // empty field right under the opening pair does not break the run when
    // the label under it has its value.
    let empty_then_pair = |next_value: &str| {
        // A caption holds no digits (`140 м²` under `Площадь кровли` is a
        // value that reads like a size caption).
        !next_value.bytes().any(|b| b.is_ascii_digit())
            && lines
                .get(i + 3)
                .filter(|n| !n.is_empty() && !is_separator(n) && n.len() <= 400)
                .is_some_and(|v| {
                    bare_label(next_value, known).is_some() && bare_label(v, known).is_none()
                })
    };
    if let Some((next, next_value)) = opening
        && (bare_label(next, known).is_none()
            || (bare_label(next_value, known).is_some() && !empty_then_pair(next_value)))
    {
        return None;
    }
    bare_label(value, known).is_none().then_some(canon)
}

/// A line that is only an email address or only a phone number: its
/// canonical field. Byte checks first; no allocation for other lines.
fn contact_line(l: &str) -> Option<&'static str> {
    if l.len() > 64 {
        return None;
    }
    if l.contains('@') {
        return (!l.contains(' ') && crate::request::normalize_email(l).is_some())
            .then_some("email");
    }
    let digits = l.bytes().filter(u8::is_ascii_digit).count();
    (digits >= 7
        && l.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'+' | b'-' | b'(' | b')' | b'.')))
    .then_some("phone")
}

/// Fields whose value is one line: a following plain line is not theirs.
fn single_line(canon: Option<&str>) -> bool {
    canon.is_some_and(|c| {
        matches!(
            c,
            "email"
                | "phone"
                | "page"
                | "request_id"
                | "ip"
                | "name"
                | "last_name"
                | "middle_name"
                | "form"
                | "referral"
                | "visit_time"
                | "meta"
                | "address"
        ) || c.starts_with("utm_")
    })
}

/// A body that is one flat JSON object (`text: JSON.stringify(req.body)`
/// in a Node handler): its keys are the labels, as the front end named
/// them; `clientPhone` reads as `client Phone`, `roof_type` as `roof type`.
fn json_object(text: &str, known: &dyn Fn(&str) -> Option<&'static str>) -> Option<Layout> {
    let t = text.trim();
    if !(t.starts_with('{') && t.ends_with('}')) || t.len() > 64 * 1024 {
        return None;
    }
    let serde_json::Value::Object(map) = serde_json::from_str(t).ok()? else {
        return None;
    };
    let mut out = Layout::default();
    for (k, v) in &map {
        // A lead ad's answers as an array of records (Google Ads'
        // `user_column_data`: `{"column_name": "Phone Number",
        // "string_value": "+7…", "column_id": "PHONE_NUMBER"}`, TikTok's
        // and VK's `{"question"|"name": …, "answer"|"value": …}`): each
        // record is one field; the ids around the array are the ad's.
        if let serde_json::Value::Array(items) = v
            && items.first().is_some_and(serde_json::Value::is_object)
        {
            for item in items {
                let (label, value, id) = answer_record(item)?;
                let canon = known(&super::dictionary::normalize_label(label)).or_else(|| {
                    id.and_then(|i| {
                        known(&super::dictionary::normalize_label(&i.replace('_', " ")))
                    })
                });
                push(&mut out, label, &value, canon, "json answer record");
            }
            continue;
        }
        let value = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => String::new(),
            // Apps Script's `JSON.stringify(e.parameters)`: every value is
            // the array of the strings posted under the key (`["Иван"]`; a
            // checkbox group gives several, joined as a list).
            serde_json::Value::Array(items) => {
                let mut joined = String::new();
                for item in items {
                    let serde_json::Value::String(s) = item else {
                        return None;
                    };
                    if !s.is_empty() {
                        if !joined.is_empty() {
                            joined.push_str(", ");
                        }
                        joined.push_str(s);
                    }
                }
                joined
            }
            // Nested objects are not a form's flat fields.
            _ => return None,
        };
        let mut words = String::with_capacity(k.len() + 4);
        let mut prev_lower = false;
        for c in k.chars() {
            if c.is_uppercase() && prev_lower {
                words.push(' ');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            words.push(c);
        }
        let canon = known(&super::dictionary::normalize_label(&words));
        push(&mut out, k, &value, canon, "json object");
    }
    (!out.fields.is_empty()).then_some(out)
}

/// One answer record of a lead ad's JSON: its caption (`column_name`,
/// `question`, `label`, `name`, `key`), its answer (`string_value`,
/// `answer`, `value`, a list of strings joined) and the ad platform's id of
/// the field (`column_id`, `FULL_NAME`). `None` for any other object.
fn answer_record(item: &serde_json::Value) -> Option<(&str, String, Option<&str>)> {
    let serde_json::Value::Object(m) = item else {
        return None;
    };
    let text = |keys: &[&str]| {
        keys.iter().find_map(|k| match m.get(*k) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::Array(a)) => Some(
                a.iter()
                    .filter_map(serde_json::Value::as_str)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => None,
        })
    };
    let id = m
        .get("column_id")
        .and_then(serde_json::Value::as_str)
        .filter(|i| !i.is_empty());
    let label = ["column_name", "question", "label", "name", "key"]
        .iter()
        .find_map(|k| m.get(*k).and_then(serde_json::Value::as_str))
        .filter(|l| !l.is_empty())
        .or(id)?;
    let value = text(&["string_value", "answer", "answers", "value", "values"])?;
    Some((label, value, id))
}

/// A flat JSON object on one line of a site's template (Formclip pastes
/// `JSON.stringify(req.body)` into its welcome mail between the greeting
/// and `Cheers,`): the object is the form, the lines around it the
/// service's. One search for `{"` over the whole text first; only a line
/// that is an object and names at least two known fields is taken.
fn json_line(text: &str, known: &dyn Fn(&str) -> Option<&'static str>) -> Option<Layout> {
    if !text.contains("{\"") {
        return None;
    }
    crate::scan::lines(text)
        .map(str::trim)
        .filter(|l| l.starts_with("{\"") && l.ends_with('}'))
        .filter_map(|l| json_object(l, known))
        .find(|l| l.fields.iter().filter(|f| f.canon.is_some()).count() >= 2)
}

/// `Comments Entered:` left empty in a block repeated per quiz question
/// (Quiz And Survey Master: `2. Question` / `Answer Provided: X` / …): the
/// line under the empty message caption is followed by a caption this mail
/// already used, so it heads the next repeated block and is not the
/// caption's value. Only an empty message caption asks (rare), and the
/// check is string equality over the fields read so far.
fn empty_item_caption(out: &Layout, after_next: Option<&&str>) -> bool {
    let Some(n) = after_next else { return false };
    let Some((ncap, nval)) = colon_split(n) else {
        return false;
    };
    let Some((last, before)) = out.fields.split_last() else {
        return false;
    };
    last.canon == Some("message") && !nval.is_empty() && before.iter().any(|f| f.label == ncap)
}

/// `Металлочерепица Монтеррей 0,5 мм (612,00 RUB)` → the name before the
/// brackets when they hold only a price: digits with a currency mark.
fn priced_product_name(label: &str) -> Option<&str> {
    let label = label.trim();
    let inner_end = label.strip_suffix(')')?;
    let open = inner_end.rfind('(')?;
    let (name, inner) = (inner_end[..open].trim(), &inner_end[open + 1..]);
    if !inner.bytes().any(|b| b.is_ascii_digit()) || !name.chars().any(char::is_alphabetic) {
        return None;
    }
    const CURRENCIES: [&str; 16] = [
        "RUB", "руб", "р.", "₽", "EUR", "€", "$", "USD", "UAH", "грн", "₴", "BYN", "KZT", "тг",
        "₸", "£",
    ];
    let mut rest = inner.to_string();
    let mut found = false;
    for c in CURRENCIES {
        if rest.contains(c) {
            found = true;
            rest = rest.replace(c, "");
        }
    }
    (found
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || matches!(c, ',' | '.' | '\u{a0}')))
    .then_some(name)
}

fn current_empty(out: &Layout) -> bool {
    out.fields.last().is_some_and(|f| f.value.is_empty())
}

fn set_value(out: &mut Layout, v: &str) {
    if let Some(f) = out.fields.last_mut() {
        f.value = v.to_string();
    }
}

fn push(
    out: &mut Layout,
    label: &str,
    value: &str,
    canon: Option<&'static str>,
    shape: &'static str,
) {
    out.fields.push(RawField {
        label: label.trim().to_string(),
        value: value.to_string(),
        canon,
        shape,
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_bullets_trailing_caption_matches_its_brackets_from_the_end() {
        assert_eq!(
            trailing_caption("20 (Площадь (м2))"),
            Some(("20", "Площадь (м2)"))
        );
        assert_eq!(
            trailing_caption("+7 (912) 345 (Телефон)"),
            Some(("+7 (912) 345", "Телефон"))
        );
        // A bracket glued to the word, a number, or nothing before it.
        assert_eq!(trailing_caption("окно(1300)"), None);
        assert_eq!(trailing_caption("окно (1300 на 1400)"), None);
        assert_eq!(trailing_caption("(Телефон)"), None);
        let known = |n: &str| (n == "имя" || n == "телефон").then_some("x");
        assert_eq!(
            bullets_value_then_caption("a\n  * Анна (Имя)\n  * 8 912 (Телефон)\nend", &known)
                .as_deref(),
            Some("a\nИмя: Анна\nТелефон: 8 912\nend")
        );
        // One known caption is not enough.
        assert_eq!(
            bullets_value_then_caption("  * Анна (Имя)\n  * x (Другое)", &known),
            None
        );
        // A long run broken at its end is walked once, not once per item;
        // a line of bullets costs one look each.
        let long = "  * a (Имя)\n".repeat(20_000) + "  * x\n" + &"* ".repeat(20_000) + ")";
        let t = std::time::Instant::now();
        assert!(bullets_value_then_caption(&long, &known).is_none());
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_phone_mask_captions_a_phone() {
        assert!(phone_mask("+7 (___) ___-__-__"));
        assert!(phone_mask("8 (___) ___-__-__"));
        assert!(!phone_mask("+7 (912) 345-67-80"));
        assert!(!phone_mask("Телефон ___"));
    }

    /// The fast letter and capital tests answer as the Unicode tables do,
    /// for every character (they only change how fast).
    #[test]
    fn fast_letter_and_capital_tests_agree_with_unicode() {
        for c in (0u32..0x11_0000).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_capital(c), c.is_uppercase(), "{c:?}");
        }
    }

    /// A value with neither a colon nor a comma holds no chain: the gate
    /// answers before the word scans, as the scans themselves would.
    /// Apps Script's `JSON.stringify(e.parameters)`: arrays of strings are
    /// the values (several joined as a list, empty ones skipped); an array
    /// holding anything else is no form's flat field.
    #[test]
    fn json_object_reads_arrays_of_posted_strings() {
        let known = |l: &str| match l {
            "name" => Some("name"),
            "phone" => Some("phone"),
            _ => None,
        };
        let l = json_object(r#"{"name":["Иван"],"phone":["8912", ""],"x":[]}"#, &known).unwrap();
        let got: Vec<(&str, &str)> = l
            .fields
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(got, vec![("name", "Иван"), ("phone", "8912"), ("x", "")]);
        let l = json_object(r#"{"name":["Анна","Олег"]}"#, &known).unwrap();
        assert_eq!(l.fields[0].value, "Анна, Олег");
        assert!(json_object(r#"{"name":[{"a":1}]}"#, &known).is_none());
        assert!(json_object(r#"{"name":[1]}"#, &known).is_none());
    }

    /// A lead ad's JSON (Google Ads lead form webhook): the records of
    /// `user_column_data` are the fields, by their caption or their id.
    #[test]
    fn json_object_reads_lead_ad_answer_records() {
        let known = |l: &str| crate::rules::dictionary::lookup(l);
        let t = r#"{"lead_id": "x1", "user_column_data": [
            {"column_name": "Full Name", "string_value": "Павел Орлов", "column_id": "FULL_NAME"},
            {"column_name": "Что вас интересует?", "string_value": "Потолок", "column_id": ""},
            {"question": "Телефон", "answer": "+79214451087"}], "campaign_id": 21087745611}"#;
        let l = json_object(t, &known).unwrap();
        let f: Vec<_> = l
            .fields
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect();
        assert!(f.contains(&("Full Name", "Павел Орлов")));
        assert!(f.contains(&("Что вас интересует?", "Потолок")));
        assert!(f.contains(&("Телефон", "+79214451087")));
        assert!(json_object(r#"{"a": [{"x": 1}]}"#, &known).is_none());
    }

    #[test]
    fn comma_chain_needs_a_colon_or_a_comma() {
        let known = |l: &str| {
            (super::super::dictionary::normalize_label(l) == "телефон").then_some("phone")
        };
        assert!(comma_chain("Иван Телефон 8 912 000 11 22", &known).is_none());
        // No colon: the caption before the number counts only after a comma.
        assert!(
            comma_chain(
                "Иван Телефон +7 912 000 11 22 Телефон 8 912 000 11 23",
                &known
            )
            .is_none()
        );
        let (first, pairs) = comma_chain("Иван, Телефон: 8 912 000 11 22", &known).unwrap();
        assert_eq!(
            (first, pairs),
            ("Иван", vec![("Телефон", "8 912 000 11 22")])
        );
    }

    #[test]
    fn first_person_plural_verbs_and_lead_names() {
        for w in ["Предлагаем", "Настроим", "Пропонуємо", "Зробимо", "делаем"]
        {
            assert!(we_verb(w), "{w}");
        }
        for w in ["Объем", "Приём", "Имя", "Телефон", "Каким", "Адрес"]
        {
            assert!(!we_verb(w), "{w}");
        }
        let lookup = |l: &str| {
            crate::rules::dictionary::lookup(&crate::rules::dictionary::normalize_label(l))
        };
        assert_eq!(
            lead_name("Виктор, email", &lookup),
            Some(("Виктор", "email"))
        );
        assert_eq!(lead_name("ФИО, телефон", &lookup), None);
        assert_eq!(lead_name("виктор, email", &lookup), None);
        assert_eq!(lead_name("Виктор, город", &lookup), None);
        // Many commas and one number at the end: linear, one window each.
        let long = format!("a@b.ru{}, телефон 8912", ", слово".repeat(50_000));
        let t = std::time::Instant::now();
        let (_, pairs) = comma_chain(&long, &lookup).expect("the phone caption");
        assert_eq!(pairs.last().map(|p| p.0), Some("телефон"));
        assert!(t.elapsed().as_secs() < 2);
    }

    #[test]
    fn order_item_lines_of_three_shops() {
        // OpenCart's order alert, osCommerce, WooCommerce's plain mail.
        assert_eq!(
            order_item("12x Металлочерепица 0,5 мм (MT-05) 9 960р."),
            Some("Металлочерепица 0,5 мм")
        );
        assert_eq!(
            order_item("14 x Ламинат дуб (QS-1848) = 25 060руб."),
            Some("Ламинат дуб")
        );
        assert_eq!(
            order_item("Потолок матовый, м² X 18 = 8 100,00 ₽"),
            Some("Потолок матовый, м²")
        );
        assert_eq!(order_item("2 x 3 метра (примерно) нужно"), None);
        assert_eq!(order_item("Окно 1300 x 1400"), None);
        assert_eq!(order_item("Хочу заказать окно 1300 x 2 = 2 шт"), None);
        assert_eq!(order_item("2 x окна (белые) 1300"), None);
        // Round 29b: NetCat МиниМагазин's `%CONTENT` rows (name, count, price).
        assert_eq!(
            order_item("Подоконник ПВХ Danke 300 мм - 2шт - 1450 руб."),
            Some("Подоконник ПВХ Danke 300 мм")
        );
        assert_eq!(
            order_item("Москитная сетка - 3 шт. - 2 700 руб."),
            Some("Москитная сетка")
        );
        assert_eq!(order_item("Окна - 3 шт - срочно"), None);
        assert_eq!(order_item("Замер - завтра - 1450 руб."), None);
        // Round 25d: Ubercart, Saleor, Drupal Commerce's cells.
        assert_eq!(
            order_item("- 2 x Рулонная штора 120×170 - 3 980,00 руб."),
            Some("Рулонная штора 120×170")
        );
        assert_eq!(
            order_item("1 x Потолок матовый, до 20 м², 18 500,00 ₽"),
            Some("Потолок матовый, до 20 м²")
        );
        assert_eq!(
            order_item("40 x: Профлист С8 RAL 8017, 2 м 14 800,00 ₽"),
            Some("Профлист С8 RAL 8017, 2 м")
        );
        assert_eq!(order_item("2 x 3 метра - примерно"), None);
        assert_eq!(
            table_item("SM-25 Смеситель «Аква» 1 3 150 руб. 3 150 руб.", false).as_deref(),
            Some("Смеситель «Аква»")
        );
        assert!(money("₽8,900.00", false));
        assert!(totals_line("Grand Total ₽18,400.00"));
        assert!(totals_line("Shipping & Handling ₽600.00"));
        assert!(!totals_line("Позвоните после 18, бюджет 20 000 руб"));
        assert_eq!(
            table_item(
                "DV-210 Дверь «Неаполь» экошпон, 800 мм 7 450,00 руб 2 14 900,00 руб",
                false
            )
            .as_deref(),
            Some("Дверь «Неаполь» экошпон, 800 мм")
        );
        assert!(items_header("Артикул Товар Цена за ед. Количество Итого"));
        // Round 29b: JoomShopping's items table, the code column after the
        // name (`Название Код товара Количество Цена за единицу Сумма`).
        let header = "Название Код товара Количество Цена за единицу Сумма";
        assert!(items_header(header) && code_after_name(header));
        assert!(!code_after_name(
            "Артикул Товар Цена за ед. Количество Итого"
        ));
        assert_eq!(
            table_item(
                "Натяжной потолок матовый, м² NP-MAT-W 18 420.00 руб. 7560.00 руб.",
                true
            )
            .as_deref(),
            Some("Натяжной потолок матовый, м²")
        );
        // The code cell left empty: the name stays whole.
        assert_eq!(
            table_item("Ламинат дуб Чезена 24 1389.00 руб. 33336.00 руб.", true).as_deref(),
            Some("Ламинат дуб Чезена")
        );
        assert!(!items_header("Товар: Окно, цена 12 000"));
        assert_eq!(
            card_phone("T: +7 (495) 640-18-52"),
            Some("+7 (495) 640-18-52")
        );
        assert_eq!(card_phone("194358 Санкт-Петербург"), None);
        assert_eq!(
            card_name("Ольга: Демченко").as_deref(),
            Some("Ольга Демченко")
        );
        assert_eq!(card_name("ул. Ленина, 5"), None);
        assert!(counted_price("1 шт × 11 890 руб"));
    }

    /// The former `service_notice` (lower-cased every line it was asked
    /// of): the cheap gates of today's answer as it did.
    fn service_notice_former(l: &str) -> bool {
        let t = l.trim();
        if t.is_empty()
            || t.len() > 400
            || !(t.split_whitespace().nth(4).is_none()
                || t.contains(" — ")
                || t.contains("отвеча")
                || t.contains("відповіда")
                || t.contains("reply")
                // Round 28b's `Reply to this email to …` and round 28c's
                // `Reply directly to this email or view this online` open
                // their lines with a capital (the capitals difference below).
                || t.contains("Reply"))
        {
            return false;
        }
        let low = t.to_lowercase();
        let words = low.split_whitespace().count();
        let button = words <= 4
            && !t.contains([':', '?', ',', '@'])
            && !t.contains("://")
            && [
                "ответить",
                "відповісти",
                "посмотреть ",
                "переглянути ",
                "откликнуться",
                "відгукнутися",
                "reply",
                "view details",
                "view lead",
                "view request",
                "view message",
            ]
            .iter()
            .any(|b| low.starts_with(b) || low.trim_end_matches(['.', '!']) == b.trim_end());
        let slogan = low.split_once(" — ").is_some_and(|(host, rest)| {
            host.contains('.')
                && !host.ends_with('.')
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                && !rest.trim().is_empty()
        });
        let no_reply = [
            "не отвечайте на него",
            "не отвечайте на это письмо",
            "не відповідайте на нього",
            "відповідати на нього не потрібно",
            "do not reply to this",
            // `Reply to this email to message the customer back.` (Google
            // Local Services), `You can reply directly to this email…`: how
            // to answer through the service, never the client's words.
            "reply to this email to",
            "reply to this e-mail to",
            "reply directly to this email",
        ]
        .iter()
        .any(|p| low.contains(p));
        button || slogan || no_reply
    }

    #[test]
    fn card_intro_reads_the_sites_announcing_sentence() {
        for l in [
            "A new booking request has been made at Sauna Example:",
            "A new reservation has been submitted:",
            "An new online appointment for Anna has been received:",
            "You have received a new reservation:",
            "You have got a new booking request",
        ] {
            assert!(card_intro(l), "{l}");
        }
        for l in [
            "A new onlinebooking has been made at X:",
            "A new booking:has been made at X",
            "A new bookinghas been made",
            "You have received a new bookingform",
            "Please call me about a new order tomorrow",
        ] {
            assert!(!card_intro(l), "{l}");
        }
    }

    #[test]
    fn service_notice_answers_as_the_former_code() {
        let mut lines: Vec<String> = [
            "Ответить",
            "ОТВЕТИТЬ",
            "Reply",
            "reply now",
            "Посмотреть заказ",
            "Посмотреть",
            "Откликнуться!",
            "Відгукнутися.",
            "hh.ru — работа найдётся для каждого",
            "Окна — лучшие в городе",
            "Это письмо отправлено автоматически, не отвечайте на него.",
            "Це автоматичний лист, відповідати на нього не потрібно.",
            "Please do not reply to this e-mail.",
            "Имя: Анна",
            "Ответ: да",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every line of the template corpus (raw, as stored).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates");
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "eml") {
                let raw = std::fs::read(e.path()).unwrap();
                lines.extend(String::from_utf8_lossy(&raw).lines().map(str::to_string));
            }
        }
        assert!(lines.len() > 20_000, "{}", lines.len());
        for l in &lines {
            assert_eq!(service_notice(l), service_notice_former(l), "{l:?}");
        }
        // The one difference: a notice in capitals (the former gate looked
        // for the lower-case word only).
        let caps = "НЕ ОТВЕЧАЙТЕ НА ЭТО ПИСЬМО, пожалуйста";
        assert!(service_notice(caps) && !service_notice_former(caps));
    }

    #[test]
    fn a_shop_thanking_for_the_order_is_its_notice() {
        for l in [
            "Спасибо за заказ! Мы перезвоним вам в течение 15 минут.",
            "  Дякуємо за замовлення! Менеджер зателефонує.",
            "Thank you for your order",
        ] {
            assert!(super::order_thanks(l), "{l}");
            assert!(super::site_notice(l), "{l}");
        }
        for l in [
            "Спасибо, перезвоните",
            "Заказ на замер",
            "Thanks, call me",
            "",
        ] {
            assert!(!super::order_thanks(l), "{l}");
        }
    }

    #[test]
    fn service_notices_are_buttons_slogans_and_no_reply_lines() {
        for l in [
            "Ответить",
            "Ответить на отзыв",
            "Відповісти",
            "Посмотреть заказ",
            "Переглянути в кабінеті",
            "hh.ru — работа найдётся для каждого",
            "Ответ появится после проверки. Это письмо отправлено автоматически, не отвечайте на него.",
            "Це автоматичний лист від Prom.ua, відповідати на нього не потрібно.",
            "View details",
            "Reply to Sarah",
            "Reply to this email to message the customer back.",
        ] {
            assert!(super::service_notice(l), "{l}");
        }
        for l in [
            "Ответить можно в вотсап: 8 916 000-11-22",
            "Посмотреть замер можно в субботу, удобно?",
            "Окна — лучшие в городе",
            "Телефон: +7 916 000-11-22",
            "View from the window is blocked",
        ] {
            assert!(!super::service_notice(l), "{l}");
        }
    }

    fn known(n: &str) -> Option<&'static str> {
        crate::rules::dictionary::lookup(n)
    }

    /// `label_shape` as it read before it became one pass: the reference
    /// the one-pass version must agree with.
    fn label_shape_reference(label: &str) -> bool {
        let label = label.trim();
        let label = &label[crate::rules::dictionary::item_number_len(label)..];
        if label.is_empty() || label.len() > 200 {
            return false;
        }
        if label.contains("://") || label.starts_with(['<', '>', '(', '"', '«']) {
            return false;
        }
        if !label.chars().any(char::is_alphabetic) || label.contains('!') {
            return false;
        }
        if sentence_break(label) || plea_sentence(label) {
            return false;
        }
        label.split_whitespace().count() <= 12
    }

    #[test]
    fn admin_links_are_told_in_any_ascii_case() {
        for u in [
            "https://x.ru/bitrix/admin/form_result_edit.php?ID=5",
            "HTTPS://X.RU/WP-ADMIN/admin.php?page=x",
            "https://x.ru/index.php?option=com_rsform&view=submissions",
            "https://x.ru/admin/index.php?route=sale/order",
            "https://docs.google.com/spreadsheets/d/abc",
            "https://x.ru/Manager/",
        ] {
            assert!(is_admin_url(u), "{u}");
        }
        for u in [
            "https://x.ru/okna/",
            "https://x.ru/administration-contacts",
            "https://x.ru/bac\u{212a}end/",
            "https://docs.google.com/forms/d/abc",
        ] {
            assert!(!is_admin_url(u), "{u}");
        }
    }

    #[test]
    fn one_pass_label_shape_agrees_with_the_reference_on_every_fixture_colon() {
        let mut samples: Vec<String> = [
            "Имя",
            " Телефон ",
            "Здравствуйте. Адрес",
            "Здравствуйте! Адрес",
            "см. Приложение",
            "Вопрос? Ответ",
            "https://x.ru/a",
            "a:/b",
            "«Имя»",
            "(скрыто)",
            "Перезвоните мне, пожалуйста, по этой кухне",
            "Город, улица, дом, квартира",
            "один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать",
            "один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать",
            "12:30",
            "№ 5",
            "ǅemal",
            "Ⅻ",
            "\u{a0}Ім'я\u{a0}",
            "1. Как к вам обращаться?",
            "12) Ваш телефон",
            "1. 5 м",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates");
        for e in std::fs::read_dir(&dir).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            for line in String::from_utf8_lossy(&bytes).lines() {
                for (i, _) in line.match_indices(':') {
                    samples.push(line[..i].to_string());
                }
            }
        }
        assert!(samples.len() > 5_000, "{} samples", samples.len());
        for s in &samples {
            assert_eq!(label_shape(s), label_shape_reference(s), "{s:?}");
        }
    }

    fn pairs(t: &str) -> Vec<(String, String)> {
        read(t, &known)
            .fields
            .into_iter()
            .map(|f| (f.label, f.value))
            .collect()
    }

    fn p(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn labels_glued_to_the_previous_value_start_their_own_lines() {
        // ImageCMS feedback: strip_tags(nl2br(...)) of parts with no newline.
        let t = "Тема : Стоимость откосовИмя : ГеннадийE-mail : g@example.ruСообщение : Сколько стоят откосы?";
        let u = unglue_labels(t, &known).unwrap();
        assert_eq!(
            u,
            "Тема : Стоимость откосов\nИмя : Геннадий\nE-mail : g@example.ru\nСообщение : Сколько стоят откосы?"
        );
        assert_eq!(
            pairs(&u),
            vec![
                p("Тема", "Стоимость откосов"),
                p("Имя", "Геннадий"),
                p("E-mail", "g@example.ru"),
                p("Сообщение", "Сколько стоят откосы?"),
            ]
        );
        // Ukrainian labels with the apostrophe, two words glued.
        let u =
            unglue_labels("Тема : ДахІм'я : МиколаВаш телефон : 097 765 43 21", &known).unwrap();
        assert_eq!(u, "Тема : Дах\nІм'я : Микола\nВаш телефон : 097 765 43 21");
        // Not glued: a name and a remark, a brand inside a value, one label.
        for t in [
            "Автор отзыва: CasinoBonus (e-mail: bonus@example.net).",
            "Товар: Чехол для iPhone: чёрный",
            "Имя: ИванПетров",
            "Время: 12:00 Дата: 07.12",
        ] {
            assert_eq!(unglue_labels(t, &known), None, "{t}");
        }
    }

    #[test]
    fn colon_lines_with_continuation() {
        let t = "Request information:\nName: Ирина\nComments: Старые рамы.\nБалкон не застеклён.\n\nForm Name: Замер\nhttps://x.example/zamer\n-----\n";
        let l = read(t, &known);
        assert_eq!(
            l.fields
                .iter()
                .map(|f| (f.label.as_str(), f.value.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("Request information", ""),
                ("Name", "Ирина"),
                ("Comments", "Старые рамы.\nБалкон не застеклён."),
                ("Form Name", "Замер")
            ]
        );
        assert_eq!(l.bare_urls, vec!["https://x.example/zamer"]);
    }

    #[test]
    fn chat_transcript_stamps_and_speakers_are_cut_off() {
        assert_eq!(
            chat_line("2026-12-07 19:20:11 Марина: Перезвоните мне"),
            Some("Перезвоните мне")
        );
        assert_eq!(
            chat_line("07.12.2026 19:20 Guest: Hi: there"),
            Some("Hi: there")
        );
        // Not a stamp, not a speaker, nothing said: not a chat line.
        for l in [
            "2026-12-07 19:20:11",
            "2026-12-07 19:20:11 Марина:",
            "Дата: 2026-12-07 19:20:11 Марина: x",
            "2026-12-07T19:20:11 Марина: x",
            "20261207 192011 Марина: текст",
            "ёёёёёёёёёёёёёёёёё: x",
        ] {
            assert_eq!(chat_line(l), None, "{l}");
        }
    }

    #[test]
    fn bracketed_time_turns_and_turn_headers_name_their_speaker() {
        assert_eq!(
            chat_turn("(14:02:11) Марина: Сколько стоит?"),
            Some(("Марина", "Сколько стоит?"))
        );
        assert_eq!(
            chat_turn("[09:41] Kind Lemur #4512: Перезвоните"),
            Some(("Kind Lemur #4512", "Перезвоните"))
        );
        for l in [
            "(14:02:11)Марина: x",
            "(14:02:11) Марина:",
            "(1:02) Марина: x",
            "(14:02:1] Марина: x",
            "(",
        ] {
            assert_eq!(chat_turn(l), None, "{l}");
        }
        assert_eq!(
            turn_header("Наталья: Monday, December 7th 2026, 3:12:40 pm"),
            Some("Наталья")
        );
        assert_eq!(
            turn_header("Мария Котова: 10:21:05 AM"),
            Some("Мария Котова")
        );
        assert_eq!(turn_header("Start: 15:00"), Some("Start"));
        for l in [
            "Время: с 10 до 18",
            "Длительность: 00:00:41 сек",
            "Удобное время: 2026-12-07 09:41:12: x",
            "https://x.example/a: 10:00",
            "Дата: 12.12.2026",
            "Телефон: +7 912 345-67-89",
        ] {
            assert_eq!(turn_header(l), None, "{l}");
        }
        assert!(agent_handle("manager.anna") && agent_handle("rocket.cat"));
        assert!(!agent_handle("Наталья") && !agent_handle("anna") && !agent_handle("Anna.K"));
        // Chaport's `Денис · 14:10` header and Pure Chat's `NAME (h:mm AM):
        // text` turn (round 28d).
        assert_eq!(turn_header("Денис · 14:10"), Some("Денис"));
        assert_eq!(
            turn_header("Ольга (оператор) · 14:12"),
            Some("Ольга (оператор)")
        );
        assert_eq!(
            named_stamp_turn("Mike Thompson (11:02 AM): Hello there"),
            Some(("Mike Thompson", "Hello there"))
        );
        assert_eq!(
            named_stamp_turn("Visitor (16:40:05): Перезвоните"),
            Some(("Visitor", "Перезвоните"))
        );
        for l in [
            "Телефон (рабочий): 8 912 345-67-89",
            "Время (с 10 до 18): удобно",
            "Anna (11:03 AM):",
            "(11:03 AM): x",
            "Обед (13:00-14:00): x",
            ")",
        ] {
            assert_eq!(named_stamp_turn(l), None, "{l}");
        }
        assert!(follows_intro("#a7f2c: (Kazan, Russia) sent a new message"));
        assert!(follows_intro("Anna sent you a message"));
        assert!(!follows_intro("Please check the new message"));
    }

    #[test]
    fn stamped_headers_over_their_text_name_their_speaker() {
        // Round 27f: Bitrix24's digest of unread open-line messages.
        assert_eq!(
            stamped_header("[07.12.2026 14:02] Алексей Смирнов:"),
            Some("Алексей Смирнов")
        );
        assert_eq!(stamped_header("[14:02] Ольга:"), Some("Ольга"));
        assert_eq!(
            stamped_header("2026-12-07 14:02:11 Бот Окна Профи:"),
            Some("Бот Окна Профи")
        );
        assert_eq!(
            chat_turn("[07.12.2026 14:02] Ольга: Перезвоните"),
            Some(("Ольга", "Перезвоните"))
        );
        for l in [
            "[07.12.2026 14:02] Ольга: Перезвоните",
            "[07.12.2026 14:02]:",
            "[07.12.2026] Ольга:",
            "Телефон:",
            "07.12.2026 14:02 a b c d e:",
            "[07.12.2026 14:02 Ольга:",
        ] {
            assert_eq!(stamped_header(l), None, "{l}");
        }
        let none = |_: &str| None;
        let lines = [
            "[07.12.2026 14:02] Алексей Смирнов:",
            "Хочу замер",
            "[07.12.2026 14:02] Бот Окна Профи:",
            "Оставьте номер",
            "[07.12.2026 14:05] Алексей Смирнов:",
            "+7 912 777-08-09",
        ];
        assert_eq!(
            transcript_client(&lines, &none),
            (Some("Алексей Смирнов"), vec![0, 2, 4])
        );
        // A lone stamped header is a turn; so is a lone `Name: 18:44` whose
        // speaker a caption names (Umnico), not a lone `Start: 15:00`.
        let lines = ["[07.12.2026 16:49] Елена Кравец:", "Мы студия SEO"];
        assert_eq!(transcript_client(&lines, &none), (None, vec![0]));
        let lines = ["Клиент: Руслан", "Руслан: 18:44", "Ищу работу"];
        assert_eq!(transcript_client(&lines, &none), (None, vec![1]));
        let lines = ["Start: 15:00", "Можно с собакой?"];
        assert_eq!(transcript_client(&lines, &none), (None, vec![]));
    }

    #[test]
    fn a_transcripts_client_is_the_named_speaker_or_the_first_by_name() {
        let none = |_: &str| None;
        let lines = [
            "Visitor: Марина",
            "(14:02:11) Ольга: Здравствуйте!",
            "(14:02:40) Марина: Сколько стоит?",
        ];
        assert_eq!(transcript_client(&lines, &none).0, Some("Марина"));
        let lines = [
            "rocket.cat: Monday, December 7th 2026, 11:02:03 am",
            "Здравствуйте!",
            "Виктор: Monday, December 7th 2026, 11:02:40 am",
            "Нужен забор",
        ];
        assert_eq!(
            transcript_client(&lines, &none),
            (Some("Виктор"), vec![0, 2])
        );
        // One speaker: every line is theirs; a lone header is no transcript.
        let lines = [
            "(19:55:20) Тарас: Добрий вечір",
            "(19:58:02) Тарас: 067 455 20 19",
        ];
        assert_eq!(transcript_client(&lines, &none), (None, vec![]));
        let lines = [
            "Start: 15:00",
            "End: 16:00",
            "Check-in: 14:00",
            "Можно с собакой?",
        ];
        assert_eq!(transcript_client(&lines, &none), (None, vec![]));
    }

    #[test]
    fn message_keeps_unknown_label_lines() {
        let t = "Сообщение:\nHi! go https://x.example/a now\nTelegram: @bot\n\n--\nЭто сообщение отправлено с сайта X";
        assert_eq!(
            pairs(t),
            vec![p(
                "Сообщение",
                "Hi! go https://x.example/a now\nTelegram: @bot"
            )]
        );
    }

    #[test]
    fn wpforms_and_bitrix_blocks() {
        let t = "--- Имя ---\n\nДмитрий\n\n--- Сообщение ---\n\nстрока 1\nстрока 2\n\nОтправлено с сайта X https://x/";
        assert_eq!(
            pairs(t),
            vec![p("Имя", "Дмитрий"), p("Сообщение", "строка 1\nстрока 2")]
        );
        let b = "Дата - 10.11.2026\nРезультат - 1487\n\n\nВаше имя\n*******************************\nРустам\n\nКомментарий\n*******************************\n\n\nДля просмотра воспользуйтесь ссылкой:\nhttp://x/bitrix/admin/form_result_view.php?RESULT_ID=1\n";
        assert_eq!(
            pairs(b),
            vec![
                p("Дата", "10.11.2026"),
                p("Результат", "1487"),
                p("Ваше имя", "Рустам"),
                p("Комментарий", "")
            ]
        );
        assert!(read(b, &known).bare_urls.is_empty());
    }

    #[test]
    fn quiz_pairs_and_arrows() {
        let t = "Вопрос: Какой потолок нужен?\nОтвет: Глянцевый\nТип дома → Панельный\nИмя - Иван;\nТелефон:89001112233\nhttp://x.example/a:b";
        assert_eq!(
            pairs(t),
            vec![
                p("Какой потолок нужен?", "Глянцевый"),
                p("Тип дома", "Панельный"),
                p("Имя", "Иван"),
                p("Телефон", "89001112233")
            ]
        );
    }

    /// A one-line value of a million bytes of capitalised words with a
    /// colon at its end (each word could open a `, Label:` pair): read in
    /// linear time; the colon was once searched for from every word.
    #[test]
    fn a_long_line_of_capitalised_words_before_a_colon_is_linear() {
        let value = "А ".repeat(500_000) + "x: y";
        let lookup = |l: &str| known(&super::super::dictionary::normalize_label(l));
        assert!(comma_chain(&value, &lookup).is_none());
        let value = "Иван Петров".to_string() + &" Б".repeat(300_000) + ", Телефон: 89001112233";
        let (first, pairs) = comma_chain(&value, &lookup).expect("the phone pair");
        assert!(first.starts_with("Иван Петров Б"));
        assert_eq!(pairs, vec![("Телефон", "89001112233")]);
    }

    #[test]
    fn hostile_text_is_linear_and_safe() {
        let big = "a: b\n".repeat(10_000) + &"x".repeat(1_000_000);
        let l = read(&big, &known);
        assert_eq!(l.fields.len(), 10_000);
        let _ = read("\u{0}:\u{0}\n*****\n---\n--- ---\n→\n: \n", &known);
    }

    #[test]
    fn plea_sentences_and_section_titles() {
        // Round 15a: the client's plea with a clause is no caption; a form's
        // captions with a comma stay captions.
        assert!(plea_sentence("Перезвоните мне, пожалуйста, по этой кухне"));
        assert!(!plea_sentence("Ваше имя, фамилия"));
        assert!(!plea_sentence("Перезвоните"));
        let known = |l: &str| {
            super::super::dictionary::exact(&super::super::dictionary::normalize_label(l))
        };
        assert!(section_over_fields(
            "Customer details",
            Some("Name:Марина"),
            &known
        ));
        assert!(section_over_fields(
            "Контактные данные",
            Some("Телефон: +7 916 …"),
            &known
        ));
        assert!(!section_over_fields(
            "Спасибо",
            Some("Телефон: +7 916 …"),
            &known
        ));
        assert!(!section_over_fields(
            "Customer details",
            Some("просто текст"),
            &known
        ));
    }

    #[test]
    fn a_products_code_and_an_admin_link_and_a_quoted_title() {
        // Round 27c (HikaShop): `Name (CODE) ( admin URL )`.
        assert_eq!(without_code("Шкаф «Лайт» (product_57)"), "Шкаф «Лайт»");
        assert_eq!(without_code("Дверь (BST-960)"), "Дверь");
        assert_eq!(without_code("Окно (1300x1400)"), "Окно (1300x1400)");
        assert_eq!(without_code("Кухня (угловая)"), "Кухня (угловая)");
        assert_eq!(without_code("Кухня"), "Кухня");
        assert_eq!(
            admin_linked_text(
                "Дверь (BST-960) ( https://d.example/administrator/index.php?cid[]=2 )"
            ),
            Some("Дверь (BST-960)")
        );
        assert_eq!(
            admin_linked_text("Дверь ( https://d.example/catalog/dver )"),
            None
        );
        assert_eq!(
            admin_linked_text("( https://d.example/administrator/ )"),
            None
        );
        assert_eq!(
            quoted_product_title("Вопрос по товару 'Дверь «Бастион» 960 мм'"),
            Some("Дверь «Бастион» 960 мм")
        );
        assert_eq!(
            quoted_product_title("A contact request has been made for the product 'Sauna 2x2'"),
            Some("Sauna 2x2")
        );
        assert_eq!(
            quoted_product_title("Известить меня, когда «Смеситель» появится в продаже"),
            Some("Смеситель")
        );
        assert_eq!(quoted_product_title("Вопрос по доставке 'завтра'"), None);
    }
}
