//! The name a client signs a free text with (an SMS, a voicemail
//! transcription): the last words after a sentence break, or the word after
//! an introduction, when it is a common first name. Shared by the SMS and
//! call notices, which have no caption naming the writer.

/// Common first names (see the file's header for why a list).
static FIRST_NAMES: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("first_names.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });

/// The name a client signs a free text with: `… 40 метров. Олег`, `…
/// подскажите цену? Татьяна`, `… Звоните на рабочий 8 (4912) 55-17-20,
/// Ирина`, or introduces themselves with (`Hi, this is Mike.`, `Это
/// Олег`, `Меня зовут Анна`). Nothing but the text tells a name there
/// from a town or a product (`…, Калуга`), so the word must be a common
/// first name; a surname may follow it.
pub(super) fn signed_name(text: &str) -> Option<&str> {
    let t = text.trim().trim_end_matches(['.', '!', ')', ' ']);
    if t.len() > 2000 {
        return None;
    }
    let known = |w: &str| FIRST_NAMES.contains(w.trim_matches(|c: char| !c.is_alphabetic()));
    // The tail after the last sentence or clause break.
    let cut = [". ", "? ", "! ", ", ", "\n", " - ", " — "]
        .iter()
        .filter_map(|sep| t.rfind(sep).map(|i| i + sep.len()))
        .max()?;
    let tail = t[cut..].trim();
    let words: Vec<&str> = tail.split_whitespace().collect();
    if (1..=2).contains(&words.len())
        && known(words[0])
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || c == '-')
        })
    {
        return Some(tail);
    }
    // An introduction near the start.
    let low = t.get(..t.len().min(200))?;
    [
        "this is ",
        "This is ",
        "my name is ",
        "My name is ",
        "Это ",
        "это ",
        "Меня зовут ",
        "меня зовут ",
        "Мене звати ",
        "мене звати ",
        "Це ",
        "це ",
    ]
    .iter()
    .find_map(|intro| {
        let at = low.find(intro)? + intro.len();
        let w = low[at..].split(|c: char| !c.is_alphabetic()).next()?;
        known(w).then_some(w)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_first_name_signed_at_the_end_or_introduced_is_the_name() {
        for (t, n) in [
            (
                "Перезвоните пожалуйста по забору из профлиста, 40 метров. Олег",
                Some("Олег"),
            ),
            (
                "Сколько будет стоить потолок в зал 18 м2? Татьяна",
                Some("Татьяна"),
            ),
            ("Звоните на рабочий 8 (4912) 55-17-20, Ирина", Some("Ирина")),
            ("Наберите меня по поводу бани, Андрей.", Some("Андрей")),
            ("Нужен замер окон. Ольга Петрова", Some("Ольга Петрова")),
            (
                "Hi, this is Mike. How much for a 6x8 cedar sauna installed? Thanks",
                Some("Mike"),
            ),
            ("Добрый день, меня зовут Анна, нужен шкаф", Some("Анна")),
            // A town, a product or a closing word is no name.
            ("Нужен замер балкона, Калуга", None),
            ("Сколько стоит? Спасибо", None),
            ("Нужна кровля, дом в Калуге", None),
            ("Это срочно, перезвоните", None),
        ] {
            assert_eq!(signed_name(t), n, "{t}");
        }
    }
}
