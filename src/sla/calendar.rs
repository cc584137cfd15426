//! Business-hours arithmetic: when does `callback_within` of *working* time
//! end, counted from the instant a mail reached the server?
//!
//! Pure code, no I/O except [`Calendar::load`] reading the admins' calendar
//! file. Working hours are per weekday in an IANA time zone; the calendar
//! file adds holidays and extra working days (e.g. the Russian production
//! calendar moves working days to Saturdays). With no hours configured the
//! clock runs around the clock and the calendar is not consulted.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::diag::{Diagnostic, Diagnostics, Loc};

/// One working interval of a day, minutes since midnight, `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u16,
    pub end: u16,
}

/// What the calendar file says about one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayOverride {
    /// A holiday (or any day off): no working time at all.
    Off,
    /// An extra or shortened working day with these hours.
    Work(Vec<Span>),
}

/// Working hours per weekday plus dated exceptions, in one time zone.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    tz: TimeZone,
    /// Index 0 = Monday. `None` for the whole week = around the clock.
    week: Option<[Vec<Span>; 7]>,
    days: BTreeMap<Date, DayOverride>,
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn weekday_index(w: Weekday) -> usize {
    w.to_monday_zero_offset() as usize
}

fn parse_day(s: &str) -> Option<usize> {
    let s = s.trim().to_ascii_lowercase();
    DAY_NAMES
        .iter()
        .position(|d| s.starts_with(d) && s.len() <= 9)
}

/// Parses "mon", "mon-fri", "sat,sun" into weekday indexes.
pub fn parse_days(s: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        if let Some((a, b)) = part.split_once('-') {
            let (Some(a), Some(b)) = (parse_day(a), parse_day(b)) else {
                return Err(format!(
                    "`{part}` is not a day range; write e.g. \"mon-fri\""
                ));
            };
            if a > b {
                return Err(format!("`{part}`: the range must go forward (mon..sun)"));
            }
            out.extend(a..=b);
        } else {
            match parse_day(part) {
                Some(d) => out.push(d),
                None => {
                    return Err(format!(
                        "`{part}` is not a weekday; use mon, tue, wed, thu, fri, sat, sun"
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// "HH:MM" as minutes since midnight ("24:00" = 1440).
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Parses "09:00-19:00" or "09:00-13:00, 14:00-18:00" (sorted, not
/// overlapping); "off" or "" means no working time.
pub fn parse_spans(s: &str) -> Result<Vec<Span>, String> {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("off") {
        return Ok(Vec::new());
    }
    let mut out: Vec<Span> = Vec::new();
    for part in t.split(',') {
        let part = part.trim();
        let parsed = part
            .split_once('-')
            .and_then(|(a, b)| Some((parse_hhmm(a)?, parse_hhmm(b)?)));
        let Some((start, end)) = parsed else {
            return Err(format!(
                "`{part}` is not a time range; write e.g. \"09:00-19:00\" (24:00 allowed as an end)"
            ));
        };
        if start >= end {
            return Err(format!(
                "`{part}`: the end must be after the start (a night shift is two ranges on two days)"
            ));
        }
        if let Some(prev) = out.last()
            && prev.end > start
        {
            return Err(format!(
                "`{part}` overlaps or precedes the previous range; list ranges in order"
            ));
        }
        out.push(Span { start, end });
    }
    Ok(out)
}

impl WorkCalendar {
    /// Around the clock in `tz`: the deadline is simply arrival + budget.
    pub fn around_the_clock(tz: TimeZone) -> Self {
        WorkCalendar {
            tz,
            week: None,
            days: BTreeMap::new(),
        }
    }

    /// Weekly hours: `week[0]` is Monday. Days absent from the map are off.
    pub fn weekly(tz: TimeZone, week: [Vec<Span>; 7]) -> Self {
        WorkCalendar {
            tz,
            week: Some(week),
            days: BTreeMap::new(),
        }
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    pub fn is_around_the_clock(&self) -> bool {
        self.week.is_none()
    }

    /// Adds dated exceptions (later entries for the same date win).
    pub fn with_days(mut self, days: BTreeMap<Date, DayOverride>) -> Self {
        self.days.extend(days);
        self
    }

    /// Hours of an ordinary working day, used by `work` lines without hours:
    /// Monday's, else the first weekday that has any.
    pub fn usual_day(&self) -> Vec<Span> {
        match &self.week {
            None => vec![Span {
                start: 0,
                end: 1440,
            }],
            Some(w) => w
                .iter()
                .find(|d| !d.is_empty())
                .cloned()
                .unwrap_or_default(),
        }
    }

    fn spans_on(&self, date: Date) -> Vec<Span> {
        match self.days.get(&date) {
            Some(DayOverride::Off) => Vec::new(),
            Some(DayOverride::Work(spans)) => spans.clone(),
            None => match &self.week {
                Some(w) => w[weekday_index(date.weekday())].clone(),
                None => vec![Span {
                    start: 0,
                    end: 1440,
                }],
            },
        }
    }

    fn instant(&self, date: Date, minute: u16) -> Option<Timestamp> {
        let (date, minute) = if minute >= 1440 {
            (date.tomorrow().ok()?, 0)
        } else {
            (date, minute)
        };
        let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
        // A wall time skipped by a DST jump maps forward ("compatible").
        self.tz
            .to_ambiguous_timestamp(DateTime::from_parts(date, time))
            .compatible()
            .ok()
    }

    /// The instant when `budget` of working time has passed since `start`.
    ///
    /// Why working time and not wall time: a mail at 23:40 on Friday starts
    /// the clock at Monday's opening, not on Saturday morning.
    pub fn deadline(&self, start: Timestamp, budget: Duration) -> Timestamp {
        let budget = SignedDuration::try_from(budget).unwrap_or(SignedDuration::MAX);
        let wall = start.checked_add(budget).unwrap_or(Timestamp::MAX);
        if self.week.is_none() {
            return wall;
        }
        let mut left = budget;
        let mut date = start.to_zoned(self.tz.clone()).date();
        // Ten years without a single working minute means a broken calendar;
        // fall back to wall time rather than loop forever.
        for _ in 0..3660 {
            for span in self.spans_on(date) {
                let (Some(a), Some(b)) =
                    (self.instant(date, span.start), self.instant(date, span.end))
                else {
                    continue;
                };
                if b <= start {
                    continue;
                }
                let from = if a > start { a } else { start };
                let avail = b.duration_since(from);
                if avail <= SignedDuration::ZERO {
                    continue;
                }
                if avail >= left {
                    return from.checked_add(left).unwrap_or(wall);
                }
                left -= avail;
            }
            date = match date.tomorrow() {
                Ok(d) => d,
                Err(_) => return wall,
            };
        }
        wall
    }

    /// Working time between two instants (reports: "waited 3 working minutes").
    pub fn working_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to <= from {
            return SignedDuration::ZERO;
        }
        if self.week.is_none() {
            return to.duration_since(from);
        }
        let mut total = SignedDuration::ZERO;
        let mut date = from.to_zoned(self.tz.clone()).date();
        for _ in 0..3660 {
            for span in self.spans_on(date) {
                let (Some(a), Some(b)) =
                    (self.instant(date, span.start), self.instant(date, span.end))
                else {
                    continue;
                };
                let lo = if a > from { a } else { from };
                let hi = if b < to { b } else { to };
                if hi > lo {
                    total += hi.duration_since(lo);
                }
            }
            match self.instant(date, 1440) {
                Some(end) if end < to => {}
                _ => break,
            }
            date = match date.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        total
    }
}

/// Reads `[sla] hours`: keys are days or ranges ("mon-fri", "sat"), values
/// time ranges. `loc_of` maps a key to its place in the config file.
pub fn parse_week(
    hours: &toml::Table,
    loc_of: &dyn Fn(&str) -> Loc,
    diags: &mut Diagnostics,
) -> [Vec<Span>; 7] {
    let mut week: [Vec<Span>; 7] = Default::default();
    let mut seen = [false; 7];
    for (key, value) in hours {
        let days = match parse_days(key) {
            Ok(d) => d,
            Err(e) => {
                diags.push(Diagnostic::new(loc_of(key), format!("[sla] hours: {e}")));
                continue;
            }
        };
        let Some(text) = value.as_str() else {
            diags.push(Diagnostic::new(
                loc_of(key),
                format!("[sla] hours.{key}: expected a string like \"09:00-19:00\""),
            ));
            continue;
        };
        let spans = match parse_spans(text) {
            Ok(s) => s,
            Err(e) => {
                diags.push(Diagnostic::new(
                    loc_of(key),
                    format!("[sla] hours.{key}: {e}"),
                ));
                continue;
            }
        };
        for d in days {
            if seen[d] {
                diags.push(Diagnostic::new(
                    loc_of(key),
                    format!(
                        "[sla] hours.{key}: {} is already given by another key; each day once",
                        DAY_NAMES[d]
                    ),
                ));
            }
            seen[d] = true;
            week[d] = spans.clone();
        }
    }
    if !hours.is_empty() && week.iter().all(|d| d.is_empty()) && diags.is_empty() {
        diags.push(Diagnostic::new(
            loc_of(""),
            "[sla] hours: no working time in the whole week; remove `hours` to run around the clock",
        ));
    }
    week
}

/// Parses the calendar file. Format, one entry per line, `#` starts a comment:
///
/// ```text
/// 2026-01-01..2026-01-08 off   # New Year holidays
/// 2026-02-23 holiday
/// 2026-11-07 work              # extra working Saturday, usual hours
/// 2026-12-31 work 09:00-18:00  # shortened day
/// ```
///
/// Every bad line is reported (`path:line:col`), not just the first.
pub fn parse_calendar(
    path: &Path,
    text: &str,
    usual_day: &[Span],
) -> (BTreeMap<Date, DayOverride>, Diagnostics) {
    let mut days = BTreeMap::new();
    let mut diags = Diagnostics::default();
    for (i, raw) in text.lines().enumerate() {
        let line_no = (i + 1) as u32;
        let line = raw.split('#').next().unwrap_or("").trim_end();
        let indent = line.len() - line.trim_start().len();
        let line = line.trim_start();
        if line.is_empty() {
            continue;
        }
        let col = |byte: usize| -> u32 {
            let upto = indent + byte;
            raw.get(..upto).map(|s| s.chars().count()).unwrap_or(upto) as u32 + 1
        };
        let mut words = line.splitn(3, char::is_whitespace);
        let date_word = words.next().unwrap_or("");
        let kind_word = words.next().unwrap_or("").trim();
        let rest = words.next().unwrap_or("").trim();
        let kind_col = line.find(kind_word).filter(|_| !kind_word.is_empty());
        let (first, last) = match date_word.split_once("..") {
            Some((a, b)) => (a, b),
            None => (date_word, date_word),
        };
        let parse = |s: &str| s.parse::<Date>().ok();
        let (Some(first), Some(last)) = (parse(first), parse(last)) else {
            diags.push(Diagnostic::new(
                Loc::new(path, line_no, col(0)),
                format!(
                    "`{date_word}` is not a date or range; write YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"
                ),
            ));
            continue;
        };
        if last < first || last.duration_since(first) > SignedDuration::from_hours(24 * 366) {
            diags.push(Diagnostic::new(
                Loc::new(path, line_no, col(0)),
                format!("`{date_word}`: the range must go forward and span at most a year"),
            ));
            continue;
        }
        let entry = match kind_word.to_ascii_lowercase().as_str() {
            "off" | "holiday" => {
                if !rest.is_empty() {
                    diags.push(Diagnostic::new(
                        Loc::new(path, line_no, col(line.find(rest).unwrap_or(0))),
                        format!("unexpected `{rest}` after `{kind_word}`; comments start with #"),
                    ));
                    continue;
                }
                DayOverride::Off
            }
            "work" => {
                if rest.is_empty() {
                    DayOverride::Work(usual_day.to_vec())
                } else {
                    match parse_spans(rest) {
                        Ok(s) if !s.is_empty() => DayOverride::Work(s),
                        Ok(_) => DayOverride::Off,
                        Err(e) => {
                            diags.push(Diagnostic::new(
                                Loc::new(path, line_no, col(line.find(rest).unwrap_or(0))),
                                e,
                            ));
                            continue;
                        }
                    }
                }
            }
            _ => {
                diags.push(Diagnostic::new(
                    Loc::new(path, line_no, col(kind_col.unwrap_or(date_word.len()))),
                    format!(
                        "expected `off`, `holiday` or `work [HH:MM-HH:MM]` after the date, found `{kind_word}`"
                    ),
                ));
                continue;
            }
        };
        let mut d = first;
        loop {
            days.insert(d, entry.clone());
            if d >= last {
                break;
            }
            d = match d.tomorrow() {
                Ok(n) => n,
                Err(_) => break,
            };
        }
    }
    (days, diags)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn ts(tz: &str, s: &str) -> Timestamp {
        let dt: DateTime = s.parse().unwrap();
        dt.to_zoned(TimeZone::get(tz).unwrap()).unwrap().timestamp()
    }

    fn local(tz: &str, t: Timestamp) -> String {
        t.to_zoned(TimeZone::get(tz).unwrap())
            .strftime("%Y-%m-%d %H:%M %a")
            .to_string()
    }

    fn msk_week() -> WorkCalendar {
        let wd = parse_spans("09:00-19:00").unwrap();
        let sat = parse_spans("10:00-16:00").unwrap();
        WorkCalendar::weekly(
            TimeZone::get("Europe/Moscow").unwrap(),
            [
                wd.clone(),
                wd.clone(),
                wd.clone(),
                wd.clone(),
                wd,
                sat,
                vec![],
            ],
        )
    }

    fn mon_fri() -> WorkCalendar {
        let wd = parse_spans("09:00-19:00").unwrap();
        let mut week: [Vec<Span>; 7] = Default::default();
        for d in week.iter_mut().take(5) {
            *d = wd.clone();
        }
        WorkCalendar::weekly(TimeZone::get("Europe/Moscow").unwrap(), week)
    }

    const TEN: Duration = Duration::from_secs(600);

    #[test]
    fn friday_night_goes_to_monday_0910() {
        // 2026-11-27 is a Friday.
        let d = mon_fri().deadline(ts("Europe/Moscow", "2026-11-27T23:40"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-30 09:10 Mon");
    }

    #[test]
    fn inside_hours_is_plain_addition() {
        let d = mon_fri().deadline(ts("Europe/Moscow", "2026-11-26T12:03:20"), TEN);
        assert_eq!(d, ts("Europe/Moscow", "2026-11-26T12:13:20"));
    }

    #[test]
    fn five_minutes_before_closing() {
        let d = mon_fri().deadline(ts("Europe/Moscow", "2026-11-26T18:55"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-27 09:05 Fri");
        // Friday evening with a Saturday shift: 5 minutes after Saturday's 10:00.
        let d = msk_week().deadline(ts("Europe/Moscow", "2026-11-27T18:55"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-28 10:05 Sat");
    }

    #[test]
    fn before_opening_and_exact_closing() {
        let d = mon_fri().deadline(ts("Europe/Moscow", "2026-11-26T07:00"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-26 09:10 Thu");
        let d = mon_fri().deadline(ts("Europe/Moscow", "2026-11-26T19:00"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-27 09:10 Fri");
        // Ends exactly at closing time: still today.
        let d = mon_fri().deadline(ts("Europe/Moscow", "2026-11-26T18:50"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-26 19:00 Thu");
    }

    #[test]
    fn holiday_is_skipped() {
        let (days, diags) = parse_calendar(
            Path::new("cal.txt"),
            "2026-11-30 holiday # made-up holiday\n",
            &mon_fri().usual_day(),
        );
        assert!(diags.is_empty(), "{diags}");
        let cal = mon_fri().with_days(days);
        let d = cal.deadline(ts("Europe/Moscow", "2026-11-27T23:40"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-12-01 09:10 Tue");
    }

    #[test]
    fn new_year_range_and_extra_saturday() {
        let text = "# production calendar\n2026-12-31..2027-01-08 off\n2027-01-09 work\n";
        let (days, diags) = parse_calendar(Path::new("cal.txt"), text, &mon_fri().usual_day());
        assert!(diags.is_empty(), "{diags}");
        assert_eq!(days.len(), 10);
        let cal = mon_fri().with_days(days);
        // 2026-12-30 (Wed) 18:55: 5 minutes left today, next working day is
        // the extra working Saturday 2027-01-09.
        let d = cal.deadline(ts("Europe/Moscow", "2026-12-30T18:55"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2027-01-09 09:05 Sat");
    }

    #[test]
    fn shortened_day() {
        let (days, diags) = parse_calendar(
            Path::new("c"),
            "2026-11-26 work 09:00-13:00, 14:00-18:00\n",
            &[],
        );
        assert!(diags.is_empty());
        let cal = mon_fri().with_days(days);
        let d = cal.deadline(ts("Europe/Moscow", "2026-11-26T12:55"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-26 14:05 Thu");
        let d = cal.deadline(ts("Europe/Moscow", "2026-11-26T17:55"), TEN);
        assert_eq!(local("Europe/Moscow", d), "2026-11-27 09:05 Fri");
    }

    #[test]
    fn around_the_clock_ignores_nights() {
        let cal = WorkCalendar::around_the_clock(TimeZone::get("Europe/Moscow").unwrap());
        let start = ts("Europe/Moscow", "2026-11-27T23:55");
        assert_eq!(
            cal.deadline(start, TEN),
            start.checked_add(SignedDuration::from_mins(10)).unwrap()
        );
    }

    #[test]
    fn dst_zone_spring_forward_and_fall_back() {
        // Europe/Berlin: 2026-03-29 02:00 -> 03:00; 2026-10-25 03:00 -> 02:00.
        let night = parse_spans("00:00-24:00").unwrap();
        let mut week: [Vec<Span>; 7] = Default::default();
        week[6] = night; // Sunday, working all day
        let cal = WorkCalendar::weekly(TimeZone::get("Europe/Berlin").unwrap(), week);
        let start = ts("Europe/Berlin", "2026-03-29T01:55");
        let d = cal.deadline(start, TEN);
        // Ten real minutes pass: wall clock shows 03:05.
        assert_eq!(local("Europe/Berlin", d), "2026-03-29 03:05 Sun");
        assert_eq!(d.duration_since(start), SignedDuration::from_mins(10));
        // Fall back: the Sunday has 25 hours of working time.
        let start = ts("Europe/Berlin", "2026-10-25T00:00");
        let d = cal.deadline(start, Duration::from_secs(25 * 3600));
        assert_eq!(d.duration_since(start), SignedDuration::from_hours(25));
        // Saturday evening in a DST week with Mon-Fri hours goes to Monday.
        let d = cal.deadline(ts("Europe/Berlin", "2026-10-24T23:00"), TEN);
        assert_eq!(local("Europe/Berlin", d), "2026-10-25 00:10 Sun");
    }

    #[test]
    fn dst_gap_inside_hours() {
        // Working 01:00-04:00 on the spring-forward Sunday holds only 2 real hours.
        let mut week: [Vec<Span>; 7] = Default::default();
        week[6] = parse_spans("01:00-04:00").unwrap();
        let cal = WorkCalendar::weekly(TimeZone::get("Europe/Berlin").unwrap(), week);
        let start = ts("Europe/Berlin", "2026-03-29T00:00");
        let d = cal.deadline(start, Duration::from_secs(2 * 3600));
        assert_eq!(local("Europe/Berlin", d), "2026-03-29 04:00 Sun");
    }

    #[test]
    fn working_between_counts_only_hours() {
        let cal = mon_fri();
        let a = ts("Europe/Moscow", "2026-11-27T18:55");
        let b = ts("Europe/Moscow", "2026-11-30T09:05");
        assert_eq!(cal.working_between(a, b), SignedDuration::from_mins(10));
    }

    #[test]
    fn calendar_errors_point_at_line_and_column() {
        let text = "2026-01-01 off\n  2026-13-01 off\n2026-01-02 party\n2026-01-03 work 9-18\n2026-01-05..2026-01-04 off\n";
        let (days, diags) = parse_calendar(Path::new("cal.txt"), text, &[]);
        assert_eq!(days.len(), 1);
        let lines: Vec<String> = diags.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(
            lines[0].starts_with("cal.txt:2:3: `2026-13-01`"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("cal.txt:3:12: expected `off`"),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("cal.txt:4:17: `9-18`"), "{}", lines[2]);
        assert!(lines[3].starts_with("cal.txt:5:1:"), "{}", lines[3]);
    }

    #[test]
    fn week_parsing() {
        let mut t = toml::Table::new();
        t.insert("mon-fri".into(), "09:00-19:00".into());
        t.insert("sat".into(), "10:00-16:00".into());
        let mut diags = Diagnostics::default();
        let week = parse_week(&t, &|_| Loc::new("c.toml", 1, 1), &mut diags);
        assert!(diags.is_empty());
        assert_eq!(
            week[4],
            vec![Span {
                start: 540,
                end: 1140
            }]
        );
        assert_eq!(
            week[5],
            vec![Span {
                start: 600,
                end: 960
            }]
        );
        assert!(week[6].is_empty());

        let mut t = toml::Table::new();
        t.insert("mon-fry".into(), "09:00-19:00".into());
        t.insert("sun".into(), "19:00-09:00".into());
        let mut diags = Diagnostics::default();
        parse_week(&t, &|k| Loc::new("c.toml", 7, k.len() as u32), &mut diags);
        assert_eq!(diags.len(), 2, "{diags}");
    }
}
