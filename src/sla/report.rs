//! Response-time statistics over SLA rows, for `amo-intake report`, the
//! daily digest and `status`. Pure functions over journal rows.

use std::collections::BTreeMap;

use crate::journal::sla::{SlaRow, SlaState};

/// Counts and response times of a set of requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub total: usize,
    pub answered: usize,
    /// Answered, but after the deadline.
    pub late: usize,
    /// Past the deadline and still no callback.
    pub breached: usize,
    /// Before the deadline, no callback yet.
    pub waiting: usize,
    /// Closed in amoCRM without evidence.
    pub closed: usize,
    /// Median response time of answered requests, ms.
    pub median_ms: Option<i64>,
    /// 90th percentile (nearest rank), ms.
    pub p90_ms: Option<i64>,
}

impl Stats {
    /// Breaches of the rule: late callbacks plus requests never called back.
    pub fn breaches(&self) -> usize {
        self.late + self.breached
    }
}

/// Nearest-rank percentile of sorted values (`p` in 0..=100).
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

pub fn stats<'a>(rows: impl IntoIterator<Item = &'a SlaRow>, now_ms: i64) -> Stats {
    let mut s = Stats::default();
    let mut times = Vec::new();
    for r in rows {
        s.total += 1;
        match r.state {
            SlaState::Answered => {
                s.answered += 1;
                if r.late == Some(true) {
                    s.late += 1;
                }
                if let Some(t) = r.response_ms {
                    times.push(t);
                }
            }
            SlaState::Closed => s.closed += 1,
            SlaState::Breached => s.breached += 1,
            SlaState::Waiting => {
                if now_ms > r.deadline_ms {
                    s.breached += 1;
                } else {
                    s.waiting += 1;
                }
            }
        }
    }
    times.sort_unstable();
    s.median_ms = percentile(&times, 50);
    s.p90_ms = percentile(&times, 90);
    s
}

/// Stats per responsible user (None = not assigned).
pub fn by_manager(rows: &[SlaRow], now_ms: i64) -> BTreeMap<Option<i64>, Stats> {
    let mut groups: BTreeMap<Option<i64>, Vec<&SlaRow>> = BTreeMap::new();
    for r in rows {
        groups.entry(r.responsible_id).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(k, v)| (k, stats(v, now_ms)))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn row(resp: i64, state: SlaState, response_ms: Option<i64>, late: bool) -> SlaRow {
        SlaRow {
            lead_id: 1,
            contact_id: None,
            responsible_id: Some(resp),
            client_name: None,
            phone: None,
            asked: None,
            kind: None,
            arrival_ms: 0,
            deadline_ms: 600_000,
            state,
            evidence_kind: None,
            evidence_at_ms: None,
            response_ms,
            late: Some(late),
            last_check_ms: None,
            first_alert_ms: None,
            escalated_ms: None,
            reminders: 0,
            last_alert_ms: None,
            ..Default::default()
        }
    }

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn counts_and_breaches_per_manager() {
        let rows = vec![
            row(7, SlaState::Answered, Some(180_000), false),
            row(7, SlaState::Answered, Some(720_000), true),
            row(7, SlaState::Breached, None, false),
            row(8, SlaState::Waiting, None, false),
            row(8, SlaState::Answered, Some(60_000), false),
        ];
        let all = stats(&rows, 100_000);
        assert_eq!(
            (all.total, all.answered, all.late, all.breached, all.waiting),
            (5, 3, 1, 1, 1)
        );
        assert_eq!(all.median_ms, Some(180_000));
        assert_eq!(all.p90_ms, Some(720_000));
        let m = by_manager(&rows, 100_000);
        assert_eq!(m[&Some(7)].breaches(), 2);
        assert_eq!(m[&Some(8)].breaches(), 0);
        // Past its deadline, a waiting row counts as breached.
        let m = by_manager(&rows, 700_000);
        assert_eq!(m[&Some(8)].breached, 1);
    }
}
