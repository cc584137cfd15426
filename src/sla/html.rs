//! `amo-intake report --html FILE`: one self-contained page for the head
//! of sales — response times per manager and per channel (median, 90th
//! percentile, share answered within 10 minutes), breaches by day as an
//! inline SVG chart, the procedure-check findings and the slowest requests
//! with links to amoCRM. No scripts, fonts or images from the network:
//! the file opens the same on a laptop without internet.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::report::{Stats, stats};
use crate::journal::sla::{Finding, SlaRow, SlaState};

/// The 10-minute rule's bound for "answered within".
pub const WITHIN_MS: i64 = 600_000;

/// Everything the page shows.
pub struct ReportData<'a> {
    pub title: String,
    /// Every request (current rows and earlier rounds).
    pub rows: &'a [SlaRow],
    pub findings: &'a [Finding],
    /// amoCRM user id → name.
    pub names: &'a BTreeMap<i64, String>,
    /// `https://{subdomain}.amocrm.ru` (empty: no links).
    pub link_base: String,
    pub tz: TimeZone,
    pub now_ms: i64,
}

/// One line of a breakdown table.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub stats: Stats,
    /// Share of all requests answered within 10 minutes, 0..=1.
    pub within: Option<f64>,
}

/// Share of requests answered within `bound_ms` of arrival.
pub fn share_within(rows: &[&SlaRow], bound_ms: i64) -> Option<f64> {
    if rows.is_empty() {
        return None;
    }
    let ok = rows
        .iter()
        .filter(|r| r.state == SlaState::Answered && r.response_ms.is_some_and(|t| t <= bound_ms))
        .count();
    Some(ok as f64 / rows.len() as f64)
}

fn lines_by(rows: &[SlaRow], now_ms: i64, key: impl Fn(&SlaRow) -> String) -> Vec<Line> {
    let mut groups: BTreeMap<String, Vec<&SlaRow>> = BTreeMap::new();
    for r in rows {
        groups.entry(key(r)).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(label, rs)| Line {
            stats: stats(rs.iter().copied(), now_ms),
            within: share_within(&rs, WITHIN_MS),
            label,
        })
        .collect()
}

/// Per responsible manager.
pub fn by_manager(d: &ReportData<'_>) -> Vec<Line> {
    lines_by(d.rows, d.now_ms, |r| match r.responsible_id {
        Some(id) => d
            .names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("пользователь {id}")),
        None => "не назначен".into(),
    })
}

/// Per channel ("сайт", "WhatsApp", "звонок", …).
pub fn by_channel(rows: &[SlaRow], now_ms: i64) -> Vec<Line> {
    lines_by(rows, now_ms, |r| {
        r.channel
            .clone()
            .unwrap_or_else(|| super::CHANNEL_SITE.into())
    })
}

/// Breaches (late answers and requests never answered after the deadline)
/// per local day of arrival.
pub fn breaches_by_day(rows: &[SlaRow], tz: &TimeZone, now_ms: i64) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in rows {
        let Ok(t) = Timestamp::from_millisecond(r.arrival_ms) else {
            continue;
        };
        let day = t.to_zoned(tz.clone()).date().to_string();
        let breach = match r.state {
            SlaState::Answered => r.late == Some(true),
            SlaState::Breached => true,
            SlaState::Waiting => now_ms > r.deadline_ms,
            SlaState::Closed => r.first_alert_ms.is_some(),
        };
        *out.entry(day).or_insert(0) += usize::from(breach);
    }
    out
}

/// The slowest requests: answered ones by response time, unanswered ones
/// by how long they have waited (they come first: they are the worst).
pub fn slowest(rows: &[SlaRow], now_ms: i64, n: usize) -> Vec<(&SlaRow, i64)> {
    let mut v: Vec<(&SlaRow, i64)> = rows
        .iter()
        .filter(|r| r.state != SlaState::Closed || r.response_ms.is_some())
        .map(|r| {
            let t = match r.response_ms {
                Some(t) => t,
                None => now_ms - r.arrival_ms,
            };
            (r, t)
        })
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.lead_id.cmp(&b.0.lead_id)));
    v.truncate(n);
    v
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn minutes(ms: Option<i64>) -> String {
    match ms {
        Some(ms) => format!("{:.1} мин", ms as f64 / 60_000.0),
        None => "—".into(),
    }
}

fn percent(x: Option<f64>) -> String {
    match x {
        Some(x) => format!("{:.0} %", x * 100.0),
        None => "—".into(),
    }
}

fn table(out: &mut String, caption: &str, first: &str, lines: &[Line]) {
    let _ = write!(
        out,
        "<table><caption>{}</caption><thead><tr><th>{}</th><th>заявок</th><th>ответили</th><th>с опозданием</th><th>без ответа</th><th>медиана</th><th>90%</th><th>за 10 мин</th></tr></thead><tbody>",
        esc(caption),
        esc(first)
    );
    for l in lines {
        let s = &l.stats;
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&l.label),
            s.total,
            s.answered,
            s.late,
            s.breached,
            minutes(s.median_ms),
            minutes(s.p90_ms),
            percent(l.within)
        );
    }
    out.push_str("</tbody></table>");
}

/// Horizontal bars: median and 90th percentile per label, in minutes.
fn bars_svg(lines: &[Line], id: &str, title: &str) -> String {
    let max = lines
        .iter()
        .filter_map(|l| l.stats.p90_ms.or(l.stats.median_ms))
        .max()
        .unwrap_or(0)
        .max(WITHIN_MS);
    let row_h = 34;
    let (left, width) = (170.0, 460.0);
    let h = 40 + row_h * lines.len().max(1) + 20;
    let x = |ms: i64| left + width * (ms as f64 / max as f64);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"{id}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"680\" height=\"{h}\" viewBox=\"0 0 680 {h}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        esc(title),
        esc(title)
    );
    // The 10-minute line.
    let ten = x(WITHIN_MS);
    let _ = write!(
        s,
        "<line x1=\"{ten:.1}\" y1=\"24\" x2=\"{ten:.1}\" y2=\"{}\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/><text x=\"{ten:.1}\" y=\"18\" font-size=\"11\" text-anchor=\"middle\" fill=\"#c0392b\">10 мин</text>",
        h - 14
    );
    for (i, l) in lines.iter().enumerate() {
        let y = 32 + i * row_h;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            y + 15,
            esc(&l.label)
        );
        if let Some(p90) = l.stats.p90_ms {
            let _ = write!(
                s,
                "<rect class=\"p90\" x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"22\" fill=\"#f5cba7\"><title>90%: {}</title></rect>",
                x(p90) - left,
                minutes(Some(p90))
            );
        }
        if let Some(m) = l.stats.median_ms {
            let _ = write!(
                s,
                "<rect class=\"median\" x=\"{left}\" y=\"{}\" width=\"{:.1}\" height=\"12\" fill=\"#2e86c1\"><title>медиана: {}</title></rect>",
                y + 5,
                x(m) - left,
                minutes(Some(m))
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Columns: breaches per day.
fn days_svg(days: &BTreeMap<String, usize>) -> String {
    let max = days.values().copied().max().unwrap_or(0).max(1);
    let n = days.len().max(1);
    let (left, top, height) = (30.0, 20.0, 160.0);
    let step = (640.0 / n as f64).min(60.0);
    let w = left + step * n as f64 + 20.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"breaches-by-day\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"230\" viewBox=\"0 0 {w:.0} 230\" role=\"img\" aria-label=\"Нарушения по дням\"><title>Нарушения по дням</title>"
    );
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{:.0}\" y2=\"{}\" stroke=\"#888\"/>",
        top + height,
        w - 10.0,
        top + height
    );
    for (i, (day, count)) in days.iter().enumerate() {
        let bh = height * (*count as f64 / max as f64);
        let x = left + step * i as f64 + step * 0.15;
        let _ = write!(
            s,
            "<rect class=\"day\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#c0392b\"><title>{day}: {count}</title></rect>",
            top + height - bh,
            step * 0.7
        );
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{count}</text>",
            x + step * 0.35,
            top + height - bh - 4.0
        );
        let label = day.get(5..).unwrap_or(day);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x + step * 0.35,
            top + height + 16.0,
            esc(label)
        );
    }
    s.push_str("</svg>");
    s
}

fn check_label(name: &str) -> &str {
    match name {
        crate::alert::template::TRASH_TASKS => "«Корзина» с открытыми задачами",
        crate::alert::template::MEASURE_FIELDS => "«Замер» без данных для замера",
        crate::alert::template::THINKING_NOTE => "«Думает» без примечания",
        crate::alert::template::THINKING_TASK => "«Думает» без задачи на следующий контакт",
        other => other,
    }
}

/// The whole page.
pub fn render(d: &ReportData<'_>) -> String {
    let all = stats(d.rows.iter(), d.now_ms);
    let refs: Vec<&SlaRow> = d.rows.iter().collect();
    let managers = by_manager(d);
    let channels = by_channel(d.rows, d.now_ms);
    let days = breaches_by_day(d.rows, &d.tz, d.now_ms);
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>\
body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#222;max-width:1000px}}\
h1{{font-size:22px}}h2{{font-size:18px;margin-top:32px}}\
.kpi{{display:flex;gap:16px;flex-wrap:wrap}}.kpi div{{border:1px solid #ddd;border-radius:6px;padding:10px 14px}}\
.kpi b{{display:block;font-size:22px}}\
table{{border-collapse:collapse;margin:12px 0}}caption{{text-align:left;font-weight:600;padding:4px 0}}\
td,th{{border:1px solid #ddd;padding:4px 8px;text-align:right}}td:first-child,th:first-child{{text-align:left}}\
.chart{{display:block;margin:8px 0}}</style></head><body>",
        esc(&d.title)
    );
    let _ = write!(out, "<h1>{}</h1>", esc(&d.title));
    let _ = write!(
        out,
        "<div class=\"kpi\"><div>заявок<b id=\"kpi-total\">{}</b></div><div>ответили<b>{}</b></div><div>медиана<b id=\"kpi-median\">{}</b></div><div>90%<b>{}</b></div><div>за 10 мин<b id=\"kpi-within\">{}</b></div><div>нарушений<b>{}</b></div></div>",
        all.total,
        all.answered,
        minutes(all.median_ms),
        minutes(all.p90_ms),
        percent(share_within(&refs, WITHIN_MS)),
        all.breaches()
    );
    out.push_str("<h2>Время ответа по менеджерам</h2><p class=\"legend\"><span style=\"color:#2e86c1\">■</span> медиана <span style=\"color:#f5cba7\">■</span> 90% отвеченных <span style=\"color:#c0392b\">┆</span> 10 минут</p>");
    out.push_str(&bars_svg(
        &managers,
        "by-manager",
        "Время ответа по менеджерам",
    ));
    table(&mut out, "По менеджерам", "менеджер", &managers);
    out.push_str("<h2>Время ответа по каналам</h2>");
    out.push_str(&bars_svg(
        &channels,
        "by-channel",
        "Время ответа по каналам",
    ));
    table(&mut out, "По каналам", "канал", &channels);
    out.push_str("<h2>Нарушения по дням</h2>");
    out.push_str(&days_svg(&days));
    out.push_str("<h2>Регламент: проверки этапов</h2>");
    let mut per_check: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in d.findings {
        let e = per_check.entry(f.check.as_str()).or_default();
        match f.state.as_str() {
            "found" => e.0 += 1,
            "ok" => e.1 += 1,
            _ => {}
        }
    }
    out.push_str("<table id=\"checks\"><thead><tr><th>проверка</th><th>нарушено</th><th>в порядке</th></tr></thead><tbody>");
    if per_check.is_empty() {
        out.push_str("<tr><td colspan=\"3\">проверок не было (включите [sla.procedure])</td></tr>");
    }
    for (name, (found, ok)) in &per_check {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{found}</td><td>{ok}</td></tr>",
            esc(check_label(name))
        );
    }
    out.push_str("</tbody></table>");
    let found: Vec<&Finding> = d.findings.iter().filter(|f| f.state == "found").collect();
    if !found.is_empty() {
        out.push_str("<table><thead><tr><th>сделка</th><th>проверка</th><th>что не так</th><th>менеджер</th></tr></thead><tbody>");
        for f in found.iter().rev().take(50) {
            let who = f
                .responsible_id
                .map(|id| d.names.get(&id).cloned().unwrap_or_else(|| id.to_string()))
                .unwrap_or_else(|| "—".into());
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                lead_link(&d.link_base, f.lead_id),
                esc(check_label(&f.check)),
                esc(f.detail.as_deref().unwrap_or("")),
                esc(&who)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("<h2>Самые долгие ответы</h2><table id=\"slowest\"><thead><tr><th>сделка</th><th>канал</th><th>пришла</th><th>ответ через</th><th>менеджер</th></tr></thead><tbody>");
    for (r, t) in slowest(d.rows, d.now_ms, 15) {
        let when = Timestamp::from_millisecond(r.arrival_ms)
            .map(|t| t.to_zoned(d.tz.clone()).strftime("%d.%m %H:%M").to_string())
            .unwrap_or_default();
        let who = r
            .responsible_id
            .map(|id| d.names.get(&id).cloned().unwrap_or_else(|| id.to_string()))
            .unwrap_or_else(|| "—".into());
        let answer = if r.response_ms.is_some() {
            minutes(Some(t))
        } else {
            format!("нет ответа ({})", minutes(Some(t)))
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            lead_link(&d.link_base, r.lead_id),
            esc(r.channel.as_deref().unwrap_or(super::CHANNEL_SITE)),
            esc(&when),
            esc(&answer),
            esc(&who)
        );
    }
    out.push_str("</tbody></table>");
    let generated = Timestamp::from_millisecond(d.now_ms)
        .map(|t| {
            t.to_zoned(d.tz.clone())
                .strftime("%d.%m.%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let _ = write!(
        out,
        "<p style=\"color:#888\">Сформировано amo-intake {}; медиана и 90% — по отвеченным заявкам, «за 10 мин» — доля всех заявок.</p></body></html>",
        esc(&generated)
    );
    out.push('\n');
    out
}

fn lead_link(base: &str, id: i64) -> String {
    if base.is_empty() {
        return id.to_string();
    }
    format!(
        "<a href=\"{}/leads/detail/{id}\">{id}</a>",
        esc(base.trim_end_matches('/'))
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn row(
        lead: i64,
        who: i64,
        channel: &str,
        arrival_min: i64,
        response_min: Option<i64>,
    ) -> SlaRow {
        let arrival = 1_764_151_200_000 + arrival_min * 60_000; // 2025-11-26 10:00 UTC
        SlaRow {
            lead_id: lead,
            responsible_id: Some(who),
            channel: Some(channel.into()),
            arrival_ms: arrival,
            deadline_ms: arrival + 600_000,
            state: if response_min.is_some() {
                SlaState::Answered
            } else {
                SlaState::Breached
            },
            response_ms: response_min.map(|m| m * 60_000),
            late: response_min.map(|m| m > 10),
            ..Default::default()
        }
    }

    #[test]
    fn numbers_on_the_page() {
        let rows = vec![
            row(1, 7, "сайт", 0, Some(2)),
            row(2, 7, "WhatsApp", 5, Some(4)),
            row(3, 7, "WhatsApp", 10, Some(30)),
            row(4, 8, "сайт", 24 * 60, Some(8)),
            row(5, 8, "звонок", 24 * 60 + 5, None),
        ];
        let names = BTreeMap::from([(7, "Анна".to_string()), (8, "Борис".to_string())]);
        let findings = vec![Finding {
            id: 1,
            lead_id: 3,
            check: "measure_fields".into(),
            state: "found".into(),
            detail: Some("Адрес".into()),
            ..Default::default()
        }];
        let d = ReportData {
            title: "Заявки <за> ноябрь".into(),
            rows: &rows,
            findings: &findings,
            names: &names,
            link_base: "https://x.amocrm.ru".into(),
            tz: TimeZone::UTC,
            now_ms: 1_764_151_200_000 + 3 * 86_400_000,
        };
        let m = by_manager(&d);
        assert_eq!(m[0].label, "Анна");
        assert_eq!(m[0].stats.median_ms, Some(4 * 60_000));
        assert_eq!(m[0].stats.p90_ms, Some(30 * 60_000));
        assert_eq!(m[0].within, Some(2.0 / 3.0));
        assert_eq!(m[1].label, "Борис");
        assert_eq!(m[1].within, Some(0.5));
        let c = by_channel(&rows, d.now_ms);
        let wa = c.iter().find(|l| l.label == "WhatsApp").unwrap();
        assert_eq!((wa.stats.total, wa.stats.late), (2, 1));
        let days = breaches_by_day(&rows, &TimeZone::UTC, d.now_ms);
        assert_eq!(
            days.into_iter().collect::<Vec<_>>(),
            vec![("2025-11-26".to_string(), 1), ("2025-11-27".to_string(), 1)]
        );
        let slow = slowest(&rows, d.now_ms, 2);
        assert_eq!(slow[0].0.lead_id, 5, "never answered comes first");
        assert_eq!(slow[1].0.lead_id, 3);
        let html = render(&d);
        assert!(html.contains("<title>Заявки &lt;за&gt; ноябрь</title>"));
        assert!(html.contains("<b id=\"kpi-total\">5</b>"));
        assert!(
            html.contains("<b id=\"kpi-within\">60 %</b>"),
            "3 of 5 within 10 min"
        );
        assert!(
            html.contains("<b id=\"kpi-median\">4.0 мин</b>"),
            "median of 2, 4, 8, 30 (nearest rank)"
        );
        assert!(html.contains("href=\"https://x.amocrm.ru/leads/detail/5\""));
        assert!(html.contains("«Замер» без данных для замера"));
        assert_eq!(html.matches("<svg").count(), 3);
        // Self-contained: nothing fetched from anywhere.
        assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("@import"));
    }
}
