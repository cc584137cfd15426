//! Shared classification cues: what the client wants (kind) and whether the
//! mail is trash (a real person, not about our products) or ignore (robot
//! spam, tests). Rules add their own patterns in `[classify]`, the admin's
//! `cues/*.txt` add patterns for every site; these built-in lists apply
//! unless a rule says `builtin = false`.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::re::PatternSet;

use crate::diag::{Diagnostic, Diagnostics, Loc};

use super::load::compile_regex;

/// The shipped cue lists (`rules/cues/*.txt`, one pattern per line):
/// family name and file text, in the order they are tried for `kind`.
pub const CUE_FILES: &[(&str, &str)] = &[
    ("ignore", include_str!("../../rules/cues/ignore.txt")),
    ("trash", include_str!("../../rules/cues/trash.txt")),
    (
        "measurement",
        include_str!("../../rules/cues/measurement.txt"),
    ),
    (
        "calculation",
        include_str!("../../rules/cues/calculation.txt"),
    ),
    ("callback", include_str!("../../rules/cues/callback.txt")),
    ("question", include_str!("../../rules/cues/question.txt")),
];

/// `str::to_lowercase` for the cues: ASCII and the Russian alphabet are
/// lowered without the Unicode tables (most of a mail's words), anything
/// else char by char as std does it (only Greek final sigma differs, which
/// no cue is written for).
pub(crate) fn lower(s: &str) -> String {
    // Runs of characters that stay as they are are copied whole; ASCII
    // capitals and the Russian alphabet's two-byte capitals are mapped by
    // bytes; any other character goes through the Unicode table. Every cut
    // is at a character boundary, so the result is built as a `String`
    // without a second UTF-8 check.
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if c.is_ascii_uppercase() {
                out.push_str(&s[run..i]);
                out.push(char::from(c + 32));
                run = i + 1;
            }
            i += 1;
            continue;
        }
        let n = b.get(i + 1).copied().unwrap_or(0);
        let mapped = match (c, n) {
            // А..П → а..п, Р..Я → р..я, Ё → ё
            (0xd0, 0x90..=0x9f) => Some('а' as u32 + u32::from(n - 0x90)),
            (0xd0, 0xa0..=0xaf) => Some('р' as u32 + u32::from(n - 0xa0)),
            (0xd0, 0x81) => Some('ё' as u32),
            // а..п, р..ё: already lower case.
            (0xd0, 0xb0..=0xbf) | (0xd1, 0x80..=0x91) => {
                i += 2;
                continue;
            }
            _ => None,
        };
        if let Some(m) = mapped.and_then(char::from_u32) {
            out.push_str(&s[run..i]);
            out.push(m);
            i += 2;
            run = i;
            continue;
        }
        // Any other character: `s` is UTF-8, so `i` starts one.
        let ch = s[i..].chars().next().unwrap_or_default();
        let len = ch.len_utf8();
        let lowered = ch.to_lowercase();
        if !lowered.clone().eq(std::iter::once(ch)) {
            out.push_str(&s[run..i]);
            out.extend(lowered);
            run = i + len;
        }
        i += len;
    }
    out.push_str(&s[run..]);
    out
}

/// The patterns of a cue file: non-empty lines that are not `#` comments.
pub fn cue_patterns(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

fn file(family: &str) -> &'static str {
    CUE_FILES
        .iter()
        .find(|(f, _)| *f == family)
        .map_or("", |(_, t)| t)
}

/// A value made only of test words: "test", "тест", "test test",
/// "тест тест проверка формы"…
static TEST_VALUE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(
        r"(?i)^\s*(?:(?:test|testing|тест|тестовая заявка|тестовое сообщение|проверка(?: формы| связи| почты| ящика)?|перевірка(?: форми| зв'язку| пошти)?|не отвечать|не отвечайте|не відповідати|asdf|qwerty|йцукен|123)[\s.,!]*)+$",
    )
    .ok()
});

/// Labels of anti-bot honeypot fields (must stay empty).
static HONEYPOT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(&fast_boundaries(
        r"(?i)honeypot|\bhp[_ ]|^hp$|leave (this )?(field )?empty|оставьте (это )?поле пустым|не заполняйте",
    ))
    .ok()
});

static URL: LazyLock<Option<Regex>> =
    LazyLock::new(|| crate::re::compile(r"(?i)https?://|www\.").ok());

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

/// Letters of the languages the reader is written for (Russian, Ukrainian,
/// Belarusian, Latin), both cases.
const LETTERS: &str = "a-zA-Zа-яА-ЯёЁіІїЇєЄґҐўЎ";

/// Rewrites Unicode `\w`, `\d`, `\p{L}`, `\p{Lu}` and `\p{Ll}` in a
/// pattern as the letters and digits of [`LETTERS`]: the same matches on
/// the text forms carry, with an automaton and a lazy-DFA cache a fraction
/// of the size (Unicode `\w` alone has ~700 ranges). Every fixed pattern of
/// the reader is compiled through it; match spans are unchanged.
pub(crate) fn narrow(p: &str) -> String {
    p.replace(r"\w", &format!("[0-9_{LETTERS}]"))
        .replace(r"\d", "[0-9]")
        .replace(r"\p{Lu}", "[A-ZА-ЯЁІЇЄҐЎ]")
        .replace(r"\p{Ll}", "[a-zа-яёіїєґў]")
        .replace(r"\p{L}", &format!("[{LETTERS}]"))
}

/// One family of shared cues: the compiled set and the patterns as
/// written (for `parse --explain`).
pub(crate) struct CueSet {
    pub set: PatternSet,
    pub patterns: Vec<&'static str>,
}

impl CueSet {
    fn load(family: &str) -> CueSet {
        let patterns = cue_patterns(file(family));
        let fast: Vec<String> = patterns.iter().map(|p| fast_boundaries(p)).collect();
        CueSet {
            set: PatternSet::new(&fast).unwrap_or_else(|_| PatternSet::empty()),
            patterns,
        }
    }

    /// The first pattern (as written) that matches lower-cased `text`.
    pub fn first_match(&self, text: &str) -> Option<&'static str> {
        // `is_match` stops at the first hit; only a hit pays for `matches`.
        if !self.set.is_match(text) {
            return None;
        }
        self.set
            .matches(text)
            .into_iter()
            .next()
            .and_then(|i| self.patterns.get(i).copied())
    }
}

pub(crate) struct Builtin {
    pub measurement: CueSet,
    pub calculation: CueSet,
    pub callback: CueSet,
    pub question: CueSet,
    pub trash: CueSet,
    pub ignore: CueSet,
}

pub(crate) static BUILTIN: LazyLock<Builtin> = LazyLock::new(|| Builtin {
    measurement: CueSet::load("measurement"),
    calculation: CueSet::load("calculation"),
    callback: CueSet::load("callback"),
    question: CueSet::load("question"),
    trash: CueSet::load("trash"),
    ignore: CueSet::load("ignore"),
});

/// The sub-folder of the admin's rules folder that holds cue files.
pub const FOLDER: &str = "cues";

/// A cue file of the admin's rules folder: `<dir>/cues/<family>.txt`.
pub fn is_cue_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "txt")
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d == FOLDER)
}

/// One pattern of an admin's cue file, with where it was written.
#[derive(Debug)]
pub(crate) struct SiteCue {
    pub re: Regex,
    /// `path:line` for `parse --explain`.
    pub at: String,
}

/// The admin's cue files (`cues/<family>.txt` in the rules folder), same
/// families and syntax as the shipped lists, for every site at once. A
/// family the admin has no file for is empty.
#[derive(Debug, Default)]
pub struct SiteCues {
    families: Vec<(&'static str, Vec<SiteCue>)>,
}

impl SiteCues {
    /// Compiles the cue files; every bad line or unknown file name at once,
    /// as `path:line:col`.
    pub fn load(files: &[(PathBuf, String)]) -> Result<SiteCues, Diagnostics> {
        let mut diags = Diagnostics::default();
        let mut out = SiteCues::default();
        for (path, text) in files {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some(family) = CUE_FILES.iter().map(|(f, _)| *f).find(|f| *f == stem) else {
                let names: Vec<String> =
                    CUE_FILES.iter().map(|(f, _)| format!("{f}.txt")).collect();
                diags.push(Diagnostic::new(
                    Loc::new(path, 1, 1),
                    format!(
                        "unknown cue file `{stem}.txt`: name it after the family it adds to ({})",
                        names.join(", ")
                    ),
                ));
                continue;
            };
            let mut cues = Vec::new();
            for (n, line) in text.lines().enumerate() {
                let p = line.trim();
                if p.is_empty() || p.starts_with('#') {
                    continue;
                }
                let col = u32::try_from(line.find(p).unwrap_or(0) + 1).unwrap_or(u32::MAX);
                let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
                match compile_regex(p) {
                    Ok(re) => cues.push(SiteCue {
                        re,
                        at: format!("{}:{}", path.display(), n + 1),
                    }),
                    Err(m) => diags.push(Diagnostic::new(Loc::new(path, line_no, col), m)),
                }
            }
            match out.families.iter_mut().find(|(f, _)| *f == family) {
                Some((_, v)) => v.extend(cues),
                None => out.families.push((family, cues)),
            }
        }
        if diags.is_empty() {
            Ok(out)
        } else {
            Err(diags)
        }
    }

    pub(crate) fn family(&self, family: &str) -> &[SiteCue] {
        self.families
            .iter()
            .find(|(f, _)| *f == family)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// How many patterns the admin's files add (for `check`).
    pub fn len(&self) -> usize {
        self.families.iter().map(|(_, v)| v.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which cue matched `text`: the rule's own first (`rule [classify]
/// /pattern/`), then the admin's cue files (`path:line /pattern/`), then
/// (when `builtin`) the shared list (`rules/cues/<family>.txt /pattern/`).
/// The shared sets expect lower-cased text.
pub(crate) fn hit(
    own: &[Regex],
    site: &[SiteCue],
    builtin: Option<&CueSet>,
    family: &str,
    text: &str,
) -> Option<String> {
    if let Some(r) = own.iter().find(|r| r.is_match(text)) {
        return Some(format!("rule [classify] {family} /{}/", r.as_str()));
    }
    if let Some(c) = site.iter().find(|c| c.re.is_match(text)) {
        return Some(format!("{} /{}/", c.at, c.re.as_str()));
    }
    builtin
        .and_then(|s| s.first_match(text))
        .map(|p| format!("rules/cues/{family}.txt /{p}/"))
}

/// Words that hold a cue's stem in another sense, blanked before the cues
/// run: `замерзаем` is no `замер`, `безналичный расчёт` (paying) is no
/// `расчёт` (a price), a client who saw the firm's advertising
/// (`увидел вашу контекстную рекламу`) pitches none, `не звоните` asks
/// for no call, `входит ли вывоз в стоимость` asks what the price covers,
/// not the price, `КП получили` has the offer already, and `цена устраивает` /
/// `ціна влаштовує` accepts a price it does not ask. Lower-case text in, the same text with each such
/// word turned into spaces out (borrowed when there is none). The reader
/// masks a mail's text once, before every cue family runs on it.
static FALSE_FRIENDS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(&fast_boundaries(
        r"замерз\w*|(безнал\w*|наличн\w*|взаимо)\s*расч[её]т\w*|расч[её]т\w*\s+(наличн|безнал|картой|по\s+карт)\w*|(увид|видел|видал|наш[её]л|нашл|побачи|знайш)\w*\s+(\w+\s+){0,2}реклам\w*|по\s+ваш\w*\s+(\w+\s+)?реклам\w*|\bне\s+(надо\s+|нужно\s+)?(звоните|перезванивайте|звонить|перезванивать)\b|звонить\s+не\s+(надо|нужно)|(приехать|подъехать|заехать|прийти|зайти|приїхати|під.їхати|заїхати|прийти|зайти)\s+(к\s+вам|до\s+вас)\b|\bв\s+(стоимость|вартість)\b|\bкп\s+получил\w*|получил\w*\s+(ваш\w*\s+)?кп\b|(цен\w*|ціна)\s+(\w+\s+)?(устраива|влаштову|подходит|підходить)\w*",
    ))
    .ok()
});

/// A claim on what the firm already installed: `Это гарантийный случай?`,
/// `по гарантии`, `гарантійний випадок`, `under warranty`. A master asked
/// to come and look at it is a service question, not a measurement for a
/// new order. Lower-case text; run only when a measurement cue matched.
static WARRANTY_CLAIM: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::re::compile(&fast_boundaries(
        r"гарантийн\w*\s+(случа|ремонт|обслуживан|обращени)|в\s+рамках\s+гаранти|\bпо\s+гаранти\w*\s+(\w+\s+)?(ремонт|отремонт|почин|замен|устран|исправ)|гарантійн\w*\s+(випад|ремонт|обслуговуван)|\bза\s+гаранті\w*\s+(\w+\s+)?(ремонт|відремонт|полагод|замін|усун)|\bstill\s+under\s+(the\s+)?warranty|\bwarranty\s+(claim|repair|case)",
    ))
    .ok()
});

/// See [`WARRANTY_CLAIM`].
pub(crate) fn warranty_claim(lower: &str) -> bool {
    lower.contains("гаранті") || lower.contains("гаранти") || lower.contains("warrant")
}

/// [`warranty_claim`]'s stems found, the pattern decides.
pub(crate) fn is_warranty_claim(lower: &str) -> bool {
    warranty_claim(lower) && WARRANTY_CLAIM.as_ref().is_some_and(|r| r.is_match(lower))
}

pub(crate) fn mask_false_friends(text: &str) -> std::borrow::Cow<'_, str> {
    match FALSE_FRIENDS.as_ref() {
        Some(r) => r.replace_all(text, |c: &regex::Captures<'_>| {
            " ".repeat(c[0].chars().count())
        }),
        None => std::borrow::Cow::Borrowed(text),
    }
}

pub(crate) fn is_test_value(v: &str) -> bool {
    TEST_VALUE.as_ref().is_some_and(|r| r.is_match(v))
}

/// A lead-ad testing tool's placeholder value: `<test lead: dummy data for
/// phone_number>` (Facebook / Meta Lead Ads), whatever the key.
pub(crate) fn is_test_placeholder(v: &str) -> bool {
    let t = v.trim();
    t.len() <= 120
        && t.ends_with('>')
        && t.get(..11)
            .is_some_and(|p| p.eq_ignore_ascii_case("<test lead:"))
}

pub(crate) fn is_honeypot_label(l: &str) -> bool {
    HONEYPOT.as_ref().is_some_and(|r| r.is_match(l))
}

pub(crate) fn url_count(s: &str) -> usize {
    URL.as_ref().map_or(0, |r| r.find_iter(s).count())
}

/// Every shipped pattern compiles under the admin limits (a unit test).
pub fn check_builtin() -> Result<(), String> {
    for (family, text) in CUE_FILES {
        for p in cue_patterns(text) {
            compile_regex(p).map_err(|e| format!("rules/cues/{family}.txt: {p}: {e}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warranty_claim_is_told_from_a_question_about_the_warranty() {
        for t in [
            "это гарантийный случай? кто может приехать посмотреть?",
            "по гарантии можете заменить стеклопакет?",
            "це гарантійний випадок? коли приїде майстер?",
            "the door is still under warranty, please send someone",
        ] {
            assert!(is_warranty_claim(t), "{t}");
        }
        for t in [
            "нужен замер окон, какая гарантия на монтаж?",
            "хочу заказать замер, по гарантии сколько лет?",
            "what warranty do you give on the roof?",
        ] {
            assert!(!is_warranty_claim(t), "{t}");
        }
    }

    #[test]
    fn lower_matches_std_on_mail_text() {
        for s in [
            "Сколько СТОИТ Замер? ЁЛКА ёжик",
            "Price for INSTALLATION, Ґанок Їжак Є",
            "Mixed ΑΒΓ straße İstanbul ǅ 123 _-#",
            "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЁ абвгдежзийклмнопрстуфхцчшщъыьэюяё",
            "ЇЄІҐЎ їєіґў ÀÉÎ 😀 «Цена» — №5",
            "",
        ] {
            assert_eq!(lower(s), s.to_lowercase(), "{s}");
        }
        // Every character of Latin, Greek (but the final-sigma Σ) and
        // Cyrillic, alone and in a run.
        let all: String = (0u32..0x530)
            .filter_map(char::from_u32)
            .filter(|&c| c != 'Σ')
            .collect();
        assert_eq!(lower(&all), all.to_lowercase());
        for c in all.chars() {
            assert_eq!(lower(&c.to_string()), c.to_string().to_lowercase(), "{c:?}");
        }
    }

    #[test]
    fn builtin_patterns_compile() {
        assert_eq!(check_builtin(), Ok(()));
        assert!(BUILTIN.measurement.set.is_match("вызвать замерщика"));
        assert!(
            BUILTIN
                .calculation
                .set
                .is_match("сколько будет стоить потолок?")
        );
        assert!(BUILTIN.callback.set.is_match("заявка на обратный звонок"));
        assert!(
            BUILTIN
                .trash
                .set
                .is_match("предлагаем разместить вашу компанию в каталоге")
        );
        assert!(!BUILTIN.trash.set.is_match("из рекламы на яндексе"));
        assert!(BUILTIN.ignore.set.is_match("бонус 500 fs"));
        assert!(!BUILTIN.ignore.set.is_match("бонус: скидка 15% на монтаж"));
        assert!(is_test_value(" Тест "));
        // Several test words in a row (a site owner trying the form).
        assert!(is_test_value("test test"));
        assert!(is_test_value("тест тест проверка формы"));
        // Round 15c: the owner's own test letter to the mailbox.
        assert!(is_test_value("Тест, проверка почты. Не отвечать."));
        assert!(!is_test_value("проверка окон после зимы"));
        assert!(!is_test_value("тест драйв окон"));
        assert!(!is_test_value("Тестов Иван"));
        assert!(is_test_placeholder("<test lead: dummy data for full_name>"));
        assert!(is_test_placeholder(
            " <Test lead: dummy data for phone_number> "
        ));
        assert!(!is_test_placeholder("<b>test lead</b> Иван"));
        assert!(!is_test_placeholder("Test lead"));
        assert!(is_honeypot_label("hp_email"));
        assert_eq!(url_count("a https://x b http://y"), 2);
    }

    #[test]
    fn compact_word_class_keeps_cyrillic_boundaries() {
        let c = &BUILTIN.calculation.set;
        assert!(c.is_match("какая цена?"));
        assert!(c.is_match("цена"));
        assert!(!c.is_match("оценка ущерба"));
        assert!(!c.is_match("бесценный опыт"));
        assert!(c.is_match("почём метр"));
        assert!(BUILTIN.callback.set.is_match("закажите обратный звонок"));
        assert!(BUILTIN.callback.set.is_match("обратному звонку"));
        assert!(!BUILTIN.callback.set.is_match("позвонитесь"));
        assert!(BUILTIN.trash.set.is_match("seo продвижение"));
        assert!(!BUILTIN.trash.set.is_match("seoul"));
        assert!(!BUILTIN.trash.set.is_match("сеоseo"));
        assert!(BUILTIN.measurement.set.is_match("выездом мастера"));
        assert!(is_honeypot_label("HP_field"));
        assert!(!is_honeypot_label("HPLC"));
    }

    fn family(name: &str) -> &'static CueSet {
        let b = &*BUILTIN;
        match name {
            "measurement" => &b.measurement,
            "calculation" => &b.calculation,
            "callback" => &b.callback,
            "question" => &b.question,
            "trash" => &b.trash,
            _ => &b.ignore,
        }
    }

    /// Each phrase (lower case, as the reader sees it) hits `name`.
    fn hits_all(name: &str, phrases: &[&str]) {
        for p in phrases {
            assert!(
                family(name).first_match(p).is_some(),
                "{name} cue missing for {p:?}"
            );
        }
    }

    fn hits_none(name: &str, phrases: &[&str]) {
        for p in phrases {
            assert_eq!(
                family(name).first_match(p),
                None,
                "{name} false hit on {p:?}"
            );
        }
    }

    #[test]
    fn cue_files_parse_and_every_family_is_shipped() {
        assert_eq!(cue_patterns("# c\n\n a \n#b\nc"), vec!["a", "c"]);
        for f in [
            "ignore",
            "trash",
            "measurement",
            "calculation",
            "callback",
            "question",
        ] {
            assert!(!family(f).patterns.is_empty(), "{f}");
            assert_eq!(family(f).patterns.len(), family(f).set.len(), "{f}");
        }
    }

    #[test]
    fn measurement_cues_ru_uk_en_by_stem() {
        hits_all(
            "measurement",
            &[
                "приезжайте на замер в субботу",
                "нужен замерщик",
                "замерить проём",
                "выезд специалиста на объект",
                "потрібен замір",
                "виїзд майстра",
                "we need someone to measure the room",
            ],
        );
        hits_none("measurement", &["сколько стоит окно", "перезвоните мне"]);
    }

    #[test]
    fn calculation_cues_price_questions() {
        hits_all(
            "calculation",
            &[
                "сколько стоит натяжной потолок?",
                "сколько будет стоить кухня",
                "во сколько обойдётся ремонт",
                "почём метр",
                "какая цена?",
                "пришлите смету",
                "посчитайте стоимость",
                "скільки коштує вікно?",
                "яка вартість?",
                "how much is a door",
                "please send a quote",
            ],
        );
        hits_none(
            "calculation",
            &["оценка ущерба", "бесценный опыт", "нужен замер"],
        );
    }

    #[test]
    fn callback_cues() {
        hits_all(
            "callback",
            &[
                "перезвоните мне",
                "заказ обратного звонка",
                "передзвоніть",
                "call me back",
            ],
        );
        hits_none("callback", &["позвонитесь", "звонок в дверь"]);
    }

    #[test]
    fn question_cues() {
        hits_all(
            "question",
            &[
                "у меня вопрос",
                "нужна консультация",
                "підкажіть будь ласка",
                "a question",
            ],
        );
    }

    #[test]
    fn trash_cues_ads_marketing_pitches() {
        hits_all(
            "trash",
            &[
                "настроим яндекс директ и таргет вконтакте",
                "приведём клиентов на натяжные потолки",
                "лидогенерация под ключ",
                "smm и продвижение в соцсетях",
                "мы digital-агентство полного цикла",
                "предлагаем продвижение вашего сайта",
                "seo продвижение",
            ],
        );
        hits_none(
            "trash",
            &["из рекламы на яндексе", "директор школы", "seoul"],
        );
    }

    #[test]
    fn trash_cues_job_seekers() {
        hits_all(
            "trash",
            &[
                "ищу работу монтажником",
                "хочу у вас работать",
                "высылаю резюме",
                "есть ли вакансии?",
                "шукаю роботу",
            ],
        );
    }

    #[test]
    fn trash_cues_suppliers_and_partnership() {
        hits_all(
            "trash",
            &[
                "мы являемся производителем профиля пвх",
                "мы поставщик фурнитуры",
                "предлагаем сотрудничество",
                "предлагаем взаимовыгодное партнерство",
                "партнерская программа для монтажников",
            ],
        );
        hits_none("trash", &["нужно окно в офис нашей компании"]);
    }

    #[test]
    fn ignore_cues_robot_spam() {
        hits_all(
            "ignore",
            &["казино бонус", "бонус 500 fs", "crypto signals"],
        );
        hits_none("ignore", &["бонус: скидка 15% на монтаж"]);
    }

    #[test]
    fn calculation_cues_widened_ru_uk_en() {
        hits_all(
            "calculation",
            &[
                "сколько у вас стоят двери",
                "сколько примерно будет стоить монтаж",
                "во сколько мне это обойдётся?",
                "обойдётся ли в 50 тысяч",
                "просчитайте, пожалуйста, проект",
                "нужен просчёт кухни",
                "пришлите расценки",
                "вышлите кп на 20 окон",
                "коммерческое предложение на остекление",
                "какие у вас цены на монтаж",
                "скільки у вас коштують вікна",
                "скільки приблизно обійдеться ремонт",
                "надішліть розцінки",
                "порахуйте, будь ласка",
                "комерційну пропозицію на двері",
                "could you send a quotation",
                "please calculate the cost",
            ],
        );
        hits_none(
            "calculation",
            &[
                "сколько времени займёт монтаж",
                "сколько окон можно поставить",
                "можно обойтись без демонтажа",
                "кпд котла",
            ],
        );
    }

    #[test]
    fn measurement_cues_widened_ru_uk_en() {
        hits_all(
            "measurement",
            &[
                "вызвать замерщика на пятницу",
                "нужен выезд инженера на участок",
                "выезд на дом",
                "осмотр объекта перед монтажом",
                "нужен осмотр квартиры",
                "можете приехать и посмотреть балкон",
                "потрібен замірник",
                "виїзд майстра на об'єкт",
                "огляд приміщення",
                "приїхати та подивитися",
                "can you do a site visit",
                "we need measurements of the kitchen",
                "book a free home survey",
            ],
        );
        hits_none(
            "measurement",
            &[
                "осмотрелся на сайте",
                "приехал в офис за образцами",
                "survey of customers",
            ],
        );
    }

    #[test]
    fn callback_cues_widened_ru_uk_en() {
        hits_all(
            "callback",
            &[
                "свяжитесь со мной",
                "прошу связаться со мной",
                "жду вашего звонка",
                "прошу мне перезвонить",
                "подзвоніть мені",
                "наберіть після 18:00",
                "зв'яжіться зі мною",
                "чекаю на ваш дзвінок",
                "please call after 6 pm",
                "give me a call",
                "ring me tomorrow",
                "contact me on whatsapp",
            ],
        );
        hits_none("callback", &["звонил вам вчера", "ringtone", "recall"]);
    }

    #[test]
    fn question_cues_widened_ru_uk_en() {
        hits_all(
            "question",
            &[
                "можно ли поставить зимой",
                "есть ли доставка",
                "подскажите по срокам",
                "скажите, вы работаете в выходные",
                "чи можна замовити без монтажу",
                "скажіть, будь ласка",
                "can you install on saturday",
                "do you deliver to kazan",
                "is it possible to order online",
                "работаете в субботу?",
            ],
        );
        hits_none("question", &["хочу заказать окно", "нужна дверь 80 см"]);
    }

    #[test]
    fn trash_cues_widened_ru_uk_en() {
        hits_all(
            "trash",
            &[
                "раскрутка групп вконтакте",
                "лидогенерация для вашего бизнеса",
                "приведём целевых клиентов",
                "реклама на нашем портале",
                "предлагаем металлопрокат оптом",
                "высылаем прайс на нашу продукцию",
                "пропонуємо нашу продукцію",
                "чи є у вас вакансії?",
                "хочу у вас працювати",
                "high quality backlinks for your site",
                "we will get you on the first page of google",
                "increase your website traffic",
                "i am looking for a job",
                "we are a leading manufacturer of pvc profiles",
                "business proposal for your company",
            ],
        );
        hits_none(
            "trash",
            &[
                "увидел рекламу на авито",
                "можно ли купить оптом 30 дверей",
                "нужен прайс на ваши окна",
                "работа выполнена отлично, спасибо",
                "we are looking for a contractor",
            ],
        );
    }

    #[test]
    fn trash_cues_supplier_offers_and_ad_placement_pitches() {
        // Round 8: a supplier's price list and an Avito pitch are trash; a
        // client who asks for a price list or a catalogue is a lead.
        hits_all(
            "trash",
            &[
                "компания «фурнитураопт» предлагает оконную фурнитуру и уплотнители",
                "наша компания производит стеклопакеты",
                "готовы выслать каталог и прайс-лист",
                "вышлем вам наш прайс",
                "скидка для новых партнёров 12%",
                "оптом напрямую от производителя",
                "разместим ваши объявления на авито",
                "ведение аккаунта на авито под ключ",
                "с гарантией 30 звонков в неделю",
                "оплата после результата",
                "розмістимо ваші оголошення",
                "компанія «профбуд» пропонує металопрокат",
            ],
        );
        hits_none(
            "trash",
            &[
                "пришлите, пожалуйста, прайс-лист на окна",
                "вышлите каталог и прайс",
                "можете выслать каталог?",
                "готовы ли вы выслать прайс на двери",
                "есть ли скидка для пенсионеров",
                "ваша компания предлагает рассрочку?",
                "увидел ваше объявление на авито",
                "гарантия 5 лет на окна?",
                "оплата после установки",
                "нужна настройка фурнитуры и профиля",
                "надішліть прайс, будь ласка",
            ],
        );
        hits_all(
            "calculation",
            &[
                "пришлите, пожалуйста, прайс-лист на окна",
                "вышлите каталог и прайс",
            ],
        );
    }

    #[test]
    fn ignore_cues_widened_robot_spam() {
        hits_all(
            "ignore",
            &[
                "get free usdt airdrop",
                "джекпот ждёт тебя",
                "escort girls",
                "you have won an iphone",
                "make money online from home",
                "пассивный доход без вложений",
                "click here to claim",
                "lorem ipsum dolor sit amet",
            ],
        );
        hits_none(
            "ignore",
            &["нужен слот под посудомойку", "выиграть время на монтаже"],
        );
    }

    /// Kinds round: the cue families' new stems, each with the real
    /// clients' words they must leave alone.
    #[test]
    fn kinds_round_visit_price_callback_cues() {
        hits_all(
            "measurement",
            &[
                "приезжайте посмотреть крышу",
                "прошу направить специалиста для осмотра кровли",
                "осмотр крыши после зимы",
            ],
        );
        hits_none(
            "measurement",
            &["мастер приезжал на прошлой неделе, когда договор?"],
        );
        hits_all(
            "calculation",
            &[
                "сколько?",
                "имя\nа сколько\n",
                "скока стоит септик",
                "по чем у вас плитка",
                "какой бюджет нужен на кухню",
            ],
        );
        hits_none(
            "calculation",
            &[
                "сколько времени занимает монтаж?",
                "стоит ли ставить трехкамерный",
            ],
        );
        hits_all(
            "callback",
            &[
                "прошу связаться",
                "прошу со мной связаться",
                "можно с вами связаться по телефону?",
                "жду обратной связи по забору",
                "звонила вчера, никто не ответил.",
                "третий день не могу до вас дозвониться",
                "не можу додзвонитися",
                "nobody answered",
            ],
        );
        hits_none(
            "callback",
            &[
                "сообщение из формы обратной связи",
                "звонила вчера в офис, сказали написать сюда",
            ],
        );
    }

    /// Kinds round (probe batch): price, call and hiring wordings without
    /// the classic cue words.
    #[test]
    fn kinds_round_probe_wordings() {
        hits_all(
            "calculation",
            &[
                "хотелось бы прицениться",
                "сколько за квадрат потолок?",
                "а по деньгам примерно как?",
                "во что обойдется септик?",
                "прорахуйте вікна",
                "почім металочерепиця?",
            ],
        );
        hits_none("calculation", &["за сколько дней сделаете?"]);
        hits_all(
            "callback",
            &[
                "свяжитесь",
                "набери меня после работы",
                "жду звонок",
                "можете позвонить завтра?",
                "удобно созвониться после 18",
                "can you reach me by phone?",
            ],
        );
        hits_all(
            "trash",
            &[
                "ищем дилеров в вашем регионе",
                "я монтажник, возьмёте на работу?",
                "нужны ли вам монтажники?",
            ],
        );
        hits_none(
            "trash",
            &[
                "ищем дилера ваших дверей в казани",
                "ищем подрядчика на монтаж кровли",
            ],
        );
    }

    /// Kinds round: web studios, lenders, lead sellers, ad buyers and
    /// side-job seekers are trash; the clients' own 'кредит', 'редизайн
    /// кухни', 'подработать проём' are not.
    #[test]
    fn kinds_round_trash_cues_and_the_clients_they_spare() {
        hits_all(
            "trash",
            &[
                "мы веб-студия, хотим предложить редизайн вашего сайта",
                "hi, i am a freelance web designer. can i redesign your website?",
                "повысим конверсию вашего сайта в 2 раза",
                "предлагаем кредит для бизнеса под 9%",
                "предлагаем лизинг спецтехники",
                "займы для ип и ооо",
                "поставляем заявки на остекление балконов",
                "сколько стоит реклама на вашем сайте?",
                "ищу подработку, могу монтировать потолки",
            ],
        );
        hits_none(
            "trash",
            &[
                "предлагаете ли вы кредит или рассрочку на кухни?",
                "хотим редизайн кухни",
                "нужно подработать дверной проём",
                "можно взять кухню в кредит?",
                "хочу разместить баннер на фасаде магазина",
            ],
        );
    }

    /// Kinds round: a cue's stem in another sense is blanked before the
    /// cues run (`замерзаем`, `безналичный расчёт`, `увидел вашу рекламу`).
    #[test]
    fn false_friends_are_blanked_before_the_cues() {
        let b = &*BUILTIN;
        let kind = |t: &str| {
            [
                ("measurement", &b.measurement),
                ("calculation", &b.calculation),
                ("trash", &b.trash),
            ]
            .into_iter()
            .find(|(f, set)| hit(&[], &[], Some(set), f, &mask_false_friends(t)).is_some())
            .map(|(f, _)| f)
        };
        assert_eq!(kind("дома замерзаем, котел не работает"), None);
        assert_eq!(kind("замерзают окна, нужен замер"), Some("measurement"));
        assert_eq!(kind("оплата наличными или безналичный расчет?"), None);
        assert_eq!(kind("нужен расчет кровли"), Some("calculation"));
        assert_eq!(kind("увидел вашу контекстную рекламу в яндексе"), None);
        assert_eq!(kind("настроим контекстную рекламу"), Some("trash"));
        assert_eq!(mask_false_friends("окно").as_ref(), "окно");
        let call = |t: &str| {
            hit(
                &[],
                &[],
                Some(&b.callback),
                "callback",
                &mask_false_friends(t),
            )
            .is_some()
        };
        assert!(!call("не звоните, пишите на почту"));
        assert!(!call("звонить не нужно, интересует шкаф"));
        assert!(call("звоните в любое время"));
        assert!(call("оставляла заявку, мне так и не перезвонили"));
    }
}
