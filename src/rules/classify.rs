//! Shared classification cues: what the client wants (kind) and whether the
//! mail is trash (a real person, not about our products) or ignore (robot
//! spam, tests). Rules add their own patterns in `[classify]`; these built-in
//! lists apply unless a rule says `builtin = false`.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::load::compile_regex;

/// Measurement visit (замер) cues; first kind in precedence order.
pub const MEASUREMENT: &[&str] = &[
    r"замер",
    r"выезд\w*\s+(специалиста|мастера|на объект)",
    r"вызва\w*\s+(специалиста|мастера)",
    r"вызов\w*\s+(специалиста|мастера)",
];
/// Price calculation cues.
pub const CALCULATION: &[&str] = &[
    r"расч[её]т",
    r"рассчита",
    r"стоимост",
    r"сколько\s+(будет\s+)?(это\s+)?сто",
    r"\bцен[аыуе]\b",
    r"\bценой\b",
    r"прайс",
    r"\bсмет",
    r"калькулятор",
    r"\bквиз",
    r"\bquiz",
    r"\bprice\b",
    r"\bcost\b",
    r"\bquote\b",
    r"\bestimate\b",
    r"узнать\s+цену",
    r"\bпоч[её]м\b",
];
/// "Call me back" cues.
pub const CALLBACK: &[&str] = &[
    r"обратн\w+\s+звон",
    r"перезвон",
    r"заказ\w*\s+(обратного\s+)?звон",
    r"позвоните\s+мне",
    r"\bпозвоните\b",
    r"\bпозвонить\s+(мне|нам)\b",
    r"свяжитесь\s+со\s+мной",
    r"\bнаберите\b",
    r"\bcall\s*back\b",
    r"\bcallback\b",
];
/// Question / consultation cues.
pub const QUESTION: &[&str] = &[r"вопрос", r"консультац", r"\bquestion\b", r"подскажите"];
/// A genuine person writing about something we do not sell.
pub const TRASH: &[&str] = &[
    r"предлага\w*\s+(вам\s+)?(разместить|размещение|услуг|сотрудничеств|продвижени|рекламу|свою продукцию|нашу продукцию|наши услуги|поставк)",
    r"разместить\s+ваш\w*\s+(компани|организаци|фирм)",
    r"\bseo\b",
    r"продвижени\w*\s+(вашего\s+)?сайт",
    r"раскрутк\w*\s+сайт",
    r"ваканси",
    r"\bрезюме\b",
    r"ищу\s+работу",
    r"трудоустро",
    r"\bсоискател",
    r"мы\s+(являемся\s+)?(поставщик|производител|дистрибьютор)",
    r"предложени\w*\s+о\s+сотрудничеств",
    r"сотрудничеств\w*\s+(с вашей|с вами)",
    r"\bjob\b|\bvacanc|\bresume\b",
    r"размещени\w*\s+(вашей\s+)?реклам",
    r"(разработк|создани)\w*\s+сайт",
];
/// Robot spam and test submissions.
pub const IGNORE: &[&str] = &[
    r"казино|casino|kasino",
    r"выиграли",
    r"\bfree\s*spins\b|\b\d+\s*fs\b",
    r"viagra|виагр|cialis",
    r"\bporn|порн[оу]",
    r"криптовалют|bitcoin|\bcrypto\b|\bforex\b",
    r"букмекер|ставк\w+\s+на\s+спорт",
    r"\bt\.me/\w+bot\b|@\w+_bot\b",
];

/// A value that is only a test word: "test", "тест", "проверка"…
static TEST_VALUE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(test|testing|тест|тестовая заявка|проверка|asdf|qwerty|йцукен|123)\s*[.!]?\s*$",
    )
    .ok()
});

/// Labels of anti-bot honeypot fields (must stay empty).
static HONEYPOT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&fast_boundaries(
        r"(?i)honeypot|\bhp[_ ]|^hp$|leave (this )?(field )?empty|оставьте (это )?поле пустым|не заполняйте",
    ))
    .ok()
});

static URL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?i)https?://|www\.").ok());

/// Letters the shared cues are written against (Russian, Ukrainian,
/// Belarusian, Latin; lower case, since the cues run on lower-cased text)
/// plus digits and `_`.
const WORD_CHARS: &str = "0-9_a-zа-яёіїєґў";

/// Rewrites `\b` as a consumed non-word character (same answer for
/// `is_match`, but the lazy DFA can run it; Unicode `\b` falls back to the
/// much slower PikeVM) and `\w` as [`WORD_CHARS`]. Unicode `\w` has ~700
/// ranges: the six cue sets took ~6 MB of NFA and DFA cache with it and
/// take ~0.7 MB without it, the same matches on Russian and English text.
pub(crate) fn fast_boundaries(p: &str) -> String {
    p.replace(r"\b", &format!("(?:^|$|[^{WORD_CHARS}])"))
        .replace(r"\w", &format!("[{WORD_CHARS}]"))
}

fn set(list: &[&str]) -> RegexSet {
    let pats: Vec<String> = list.iter().map(|p| fast_boundaries(p)).collect();
    RegexSet::new(&pats).unwrap_or_else(|_| RegexSet::empty())
}

pub(crate) struct Builtin {
    pub measurement: RegexSet,
    pub calculation: RegexSet,
    pub callback: RegexSet,
    pub question: RegexSet,
    pub trash: RegexSet,
    pub ignore: RegexSet,
}

pub(crate) static BUILTIN: LazyLock<Builtin> = LazyLock::new(|| Builtin {
    measurement: set(MEASUREMENT),
    calculation: set(CALCULATION),
    callback: set(CALLBACK),
    question: set(QUESTION),
    trash: set(TRASH),
    ignore: set(IGNORE),
});

/// Any of `own` or (when `builtin`) the shared set matches `text` (the
/// shared sets expect lower-cased text).
pub(crate) fn hits(own: &[Regex], builtin: Option<&RegexSet>, text: &str) -> bool {
    own.iter().any(|r| r.is_match(text)) || builtin.is_some_and(|s| s.is_match(text))
}

pub(crate) fn is_test_value(v: &str) -> bool {
    TEST_VALUE.as_ref().is_some_and(|r| r.is_match(v))
}

pub(crate) fn is_honeypot_label(l: &str) -> bool {
    HONEYPOT.as_ref().is_some_and(|r| r.is_match(l))
}

pub(crate) fn url_count(s: &str) -> usize {
    URL.as_ref().map_or(0, |r| r.find_iter(s).count())
}

/// Every shipped pattern compiles under the admin limits (a unit test).
pub fn check_builtin() -> Result<(), String> {
    for p in MEASUREMENT
        .iter()
        .chain(CALCULATION)
        .chain(CALLBACK)
        .chain(QUESTION)
        .chain(TRASH)
        .chain(IGNORE)
    {
        compile_regex(p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_patterns_compile() {
        assert_eq!(check_builtin(), Ok(()));
        assert!(BUILTIN.measurement.is_match("вызвать замерщика"));
        assert!(
            BUILTIN
                .calculation
                .is_match("сколько будет стоить потолок?")
        );
        assert!(BUILTIN.callback.is_match("заявка на обратный звонок"));
        assert!(
            BUILTIN
                .trash
                .is_match("предлагаем разместить вашу компанию в каталоге")
        );
        assert!(!BUILTIN.trash.is_match("из рекламы на яндексе"));
        assert!(BUILTIN.ignore.is_match("бонус 500 fs"));
        assert!(!BUILTIN.ignore.is_match("бонус: скидка 15% на монтаж"));
        assert!(is_test_value(" Тест "));
        assert!(!is_test_value("Тестов Иван"));
        assert!(is_honeypot_label("hp_email"));
        assert_eq!(url_count("a https://x b http://y"), 2);
    }

    #[test]
    fn compact_word_class_keeps_cyrillic_boundaries() {
        let c = &BUILTIN.calculation;
        assert!(c.is_match("какая цена?"));
        assert!(c.is_match("цена"));
        assert!(!c.is_match("оценка ущерба"));
        assert!(!c.is_match("бесценный опыт"));
        assert!(c.is_match("почём метр"));
        assert!(BUILTIN.callback.is_match("закажите обратный звонок"));
        assert!(BUILTIN.callback.is_match("обратному звонку"));
        assert!(!BUILTIN.callback.is_match("позвонитесь"));
        assert!(BUILTIN.trash.is_match("seo продвижение"));
        assert!(!BUILTIN.trash.is_match("seoul"));
        assert!(!BUILTIN.trash.is_match("сеоseo"));
        assert!(BUILTIN.measurement.is_match("выездом мастера"));
        assert!(is_honeypot_label("HP_field"));
        assert!(!is_honeypot_label("HPLC"));
    }
}
