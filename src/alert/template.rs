//! Alert texts, filled by the one engine in [`crate::template`] from its
//! placeholder table. Russian by default; admins override any of them with a file
//! in `[alerts] templates_dir` (`first.txt`, `escalation.txt`,
//! `reminder.txt`, `digest.txt`, and `check_<name>.txt` for the procedure
//! checks). Placeholders are `{name}`; an unknown one
//! is a validation error at `path:line:col`, so a typo never reaches a manager.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::journal::sla::AlertKind;
use crate::template::Scope;

/// The channel name alerts show for website mails (and for a clock opened
/// before channels were recorded).
pub const CHANNEL_SITE: &str = "сайт";

/// Names of the procedure checks (`[sla.procedure]`, `check_<name>.txt`).
pub const TRASH_TASKS: &str = "trash_tasks";
pub const MEASURE_FIELDS: &str = "measure_fields";
pub const THINKING_NOTE: &str = "thinking_note";
pub const THINKING_TASK: &str = "thinking_task";

/// The procedure checks and their built-in reminder texts.
pub const CHECKS: &[(&str, &str)] = &[
    (
        TRASH_TASKS,
        "🗑 Сделка в «{stage}», но в ней остались открытые задачи: {detail}\n\
По регламенту у сделки в «{stage}» задач нет — закройте их.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
    (
        MEASURE_FIELDS,
        "📐 Сделка в «{stage}», но не заполнено: {detail}\n\
Заполните данные для замера в карточке сделки.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
    (
        THINKING_NOTE,
        "🤔 Сделка в «{stage}» уже {waited}, но нет примечания с итогом разговора\n\
Добавьте короткое примечание: о чём договорились, почему клиент не готов к замеру.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
    (
        THINKING_TASK,
        "🤔 Сделка в «{stage}» уже {waited}, но нет задачи на следующий контакт\n\
Поставьте задачу с датой следующего звонка.\n\
Ответственный: {manager}\n\
Сделка: {link}",
    ),
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

/// Checks a template with the one engine; every problem with its location.
fn validate(path: &Path, text: &str, scope: Scope) -> Diagnostics {
    let mut d = Diagnostics::default();
    for p in crate::template::check(scope, text) {
        d.push(Diagnostic::new(
            Loc::from_offset(path, text, p.offset),
            p.message,
        ));
    }
    d
}

/// Replaces `{name}` with values; unknown names are left as written.
pub fn render(template: &str, values: &HashMap<&str, String>) -> String {
    crate::template::fill(template, |n| values.get(n).cloned())
}

/// Replaces `slot` with the file's text when it exists and its placeholders
/// are all known in `scope`; every problem goes to `diags`.
fn read_override(path: &Path, scope: Scope, slot: &mut String, diags: &mut Diagnostics) {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let d = validate(path, &text, scope);
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
                Scope::Check,
                slot,
                &mut diags,
            );
        }
        t.checks = checks;
        for (file, slot, allowed) in [
            ("first.txt", &mut t.first, Scope::Alert),
            ("escalation.txt", &mut t.escalation, Scope::Alert),
            ("reminder.txt", &mut t.reminder, Scope::Alert),
            ("digest.txt", &mut t.digest, Scope::Digest),
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

    /// Every alert placeholder of the table is filled by the alert renderer
    /// (none is left as `{name}` in the text a channel sends).
    #[test]
    fn the_alert_renderer_fills_every_alert_placeholder() {
        use crate::journal::sla::{SlaRow, SlaState};
        let all: String = crate::template::names(Scope::Alert)
            .iter()
            .map(|n| format!("{n}=[{{{n}}}]\n"))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("first.txt"), &all).unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let alerter = crate::alert::Alerter::new(Vec::new(), t, "https://x.amocrm.ru");
        let row = SlaRow {
            lead_id: 7,
            contact_id: None,
            responsible_id: None,
            client_name: Some("Анна".into()),
            phone: Some("+79991234567".into()),
            asked: Some("Окна".into()),
            kind: Some("measurement".into()),
            arrival_ms: 0,
            deadline_ms: 600_000,
            state: SlaState::Waiting,
            evidence_kind: None,
            evidence_at_ms: None,
            response_ms: None,
            late: None,
            last_check_ms: None,
            first_alert_ms: None,
            escalated_ms: None,
            reminders: 0,
            last_alert_ms: None,
            first_sent_ms: None,
            source: Some("mail".into()),
            channel: Some("сайт".into()),
            round: 0,
            action: Some("lead".into()),
        };
        let now = jiff::Timestamp::from_second(660).unwrap();
        let text = alerter.render(&row, AlertKind::First, now).text;
        assert!(!text.contains('{'), "{text}");
        for n in crate::template::names(Scope::Alert) {
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("{n}=")))
                .unwrap();
            assert!(line.len() > n.len() + 3, "{n} rendered empty: {text}");
        }
        assert!(text.contains("waited=[11 мин]"), "{text}");
        assert!(
            text.contains("link=[https://x.amocrm.ru/leads/detail/7]"),
            "{text}"
        );
    }
}
