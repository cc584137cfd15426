//! Alert texts. Russian by default; admins override any of them with a file
//! in `[alerts] templates_dir` (`first.txt`, `escalation.txt`,
//! `reminder.txt`, `digest.txt`, and `check_<name>.txt` for the procedure
//! checks). Placeholders are `{name}`; an unknown one
//! is a validation error at `path:line:col`, so a typo never reaches a manager.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::journal::sla::AlertKind;

/// Placeholders every alert template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "client", "phone", "asked", "waited", "manager", "link", "deadline", "lead_id", "kind",
    "channel",
];

/// Placeholders of the procedure-check reminders.
pub const CHECK_PLACEHOLDERS: &[&str] = &[
    "client", "manager", "link", "lead_id", "stage", "detail", "waited",
];

/// The procedure checks and their built-in reminder texts.
pub const CHECKS: &[(&str, &str)] = &[
    (
        "trash_tasks",
        "🗑 Сделка в «{stage}», но в ней остались открытые задачи: {detail}\n\
По регламенту у сделки в «{stage}» задач нет — закройте их.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
    (
        "measure_fields",
        "📐 Сделка в «{stage}», но не заполнено: {detail}\n\
Заполните данные для замера в карточке сделки.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
    (
        "thinking_note",
        "🤔 Сделка в «{stage}» уже {waited}, но нет примечания с итогом разговора\n\
Добавьте короткое примечание: о чём договорились, почему клиент не готов к замеру.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
    (
        "thinking_task",
        "🤔 Сделка в «{stage}» уже {waited}, но нет задачи на следующий контакт\n\
Поставьте задачу с датой следующего звонка.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
];

/// Placeholders of the daily digest.
pub const DIGEST_PLACEHOLDERS: &[&str] = &[
    "date", "total", "answered", "late", "breached", "waiting", "median", "p90",
];

const FIRST: &str = "⏰ Клиент ждёт звонка уже {waited}\n\
Откуда: {channel}\n\
Клиент: {client}, {phone}\n\
Запрос: {asked}\n\
Ответственный: {manager}\n\
Сделка: {link}";

const ESCALATION: &str = "🚨 Клиенту не перезвонили за {waited}\n\
Откуда: {channel}\n\
Клиент: {client}, {phone}\n\
Запрос: {asked}\n\
Ответственный: {manager} (первое напоминание уже отправлено)\n\
Сделка: {link}";

const REMINDER: &str = "⏰ Напоминание: клиент всё ещё ждёт звонка, {waited}\n\
Откуда: {channel}\n\
Клиент: {client}, {phone}\n\
Ответственный: {manager}\n\
Сделка: {link}";

const DIGEST: &str = "📊 Заявки с сайта за {date}: {total}\n\
Перезвонили: {answered} (из них с опозданием: {late})\n\
Без звонка после срока: {breached}, ждут: {waiting}\n\
Время ответа: медиана {median}, 90% — до {p90}";

/// The set of templates in use.
#[derive(Debug, Clone)]
pub struct Templates {
    first: String,
    escalation: String,
    reminder: String,
    digest: String,
    /// Procedure-check name → text.
    checks: HashMap<String, String>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            first: FIRST.into(),
            escalation: ESCALATION.into(),
            reminder: REMINDER.into(),
            digest: DIGEST.into(),
            checks: CHECKS
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

/// Checks `{…}` placeholders; returns every unknown one with its location.
fn validate(path: &Path, text: &str, allowed: &[&str]) -> Diagnostics {
    let mut d = Diagnostics::default();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !allowed.contains(&name) {
                    d.push(Diagnostic::new(
                        Loc::from_offset(path, text, offset + open),
                        format!(
                            "unknown placeholder `{{{name}}}`; available: {}",
                            allowed
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                offset += open + 1 + close + 1;
                rest = &after[close + 1..];
            }
            None => {
                d.push(Diagnostic::new(
                    Loc::from_offset(path, text, offset + open),
                    "`{` without a closing `}`",
                ));
                break;
            }
        }
    }
    d
}

/// Replaces `{name}` with values; unknown names are left as written.
pub fn render(template: &str, values: &HashMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replaces `slot` with the file's text when it exists and its placeholders
/// are all in `allowed`; every problem goes to `diags`.
fn read_override(path: &Path, allowed: &[&str], slot: &mut String, diags: &mut Diagnostics) {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let d = validate(path, &text, allowed);
            if d.is_empty() {
                *slot = text.trim_end().to_string();
            }
            diags.extend(d);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => diags.push(Diagnostic::new(
            Loc::new(path, 1, 1),
            format!("cannot read the template: {e}"),
        )),
    }
}

impl Templates {
    /// Built-in texts, overridden by the files present in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Diagnostics> {
        let mut t = Templates::default();
        let Some(dir) = dir else {
            return Ok(t);
        };
        let mut diags = Diagnostics::default();
        let mut checks = t.checks.clone();
        for (name, slot) in checks.iter_mut() {
            read_override(
                &dir.join(format!("check_{name}.txt")),
                CHECK_PLACEHOLDERS,
                slot,
                &mut diags,
            );
        }
        t.checks = checks;
        for (file, slot, allowed) in [
            ("first.txt", &mut t.first, PLACEHOLDERS),
            ("escalation.txt", &mut t.escalation, PLACEHOLDERS),
            ("reminder.txt", &mut t.reminder, PLACEHOLDERS),
            ("digest.txt", &mut t.digest, DIGEST_PLACEHOLDERS),
        ] {
            read_override(&dir.join(file), allowed, slot, &mut diags);
        }
        if diags.is_empty() { Ok(t) } else { Err(diags) }
    }

    pub fn for_kind(&self, kind: AlertKind) -> &str {
        match kind {
            AlertKind::First => &self.first,
            AlertKind::Escalation => &self.escalation,
            AlertKind::Reminder => &self.reminder,
        }
    }

    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The reminder text of a procedure check (empty for an unknown name).
    pub fn check(&self, name: &str) -> &str {
        self.checks.get(name).map(String::as_str).unwrap_or("")
    }
}

/// "7 мин", "1 ч 05 мин", "2 д 3 ч": how long a client has waited.
pub fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    if secs < 60 {
        // Only a shortened clock (the demo, tests) alerts this early.
        return format!("{secs} с");
    }
    let mins = (secs + 30) / 60;
    if mins < 60 {
        return format!("{mins} мин");
    }
    let (h, m) = (mins / 60, mins % 60);
    if h < 24 {
        return format!("{h} ч {m:02} мин");
    }
    format!("{} д {} ч", h / 24, h % 24)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn render_and_durations() {
        let mut v = HashMap::new();
        v.insert("client", "Иван".to_string());
        assert_eq!(render("Клиент {client} {x}", &v), "Клиент Иван {x}");
        assert_eq!(human_duration(600), "10 мин");
        assert_eq!(human_duration(3), "3 с");
        assert_eq!(human_duration(3900), "1 ч 05 мин");
        assert_eq!(human_duration(26 * 3600), "1 д 2 ч");
    }

    #[test]
    fn override_file_with_bad_placeholder_is_located() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("first.txt"), "Ждёт\nклиент {clinet}\n").unwrap();
        std::fs::write(dir.path().join("reminder.txt"), "Снова {client}\n").unwrap();
        let err = Templates::load(Some(dir.path())).err().unwrap().to_string();
        assert!(
            err.contains("first.txt:2:8: unknown placeholder `{clinet}`"),
            "{err}"
        );
        std::fs::write(dir.path().join("first.txt"), "Ждёт {client}\n").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        assert_eq!(t.for_kind(AlertKind::First), "Ждёт {client}");
        assert_eq!(t.for_kind(AlertKind::Reminder), "Снова {client}");
        assert!(t.for_kind(AlertKind::Escalation).contains("не перезвонили"));
    }
}
