//! Callback evidence from amoCRM: batched `GET /api/v4/events` and lead
//! look-ups (`GET /api/v4/leads?filter[id][]=…`) for the SLA watch.
//!
//! Requests go through [`JsonGet`], which the daemon's shared amoCRM client
//! implements, so these calls share its rate limiter with delivery. Several
//! leads (and their contacts) are asked about in one events call: amoCRM
//! accepts at most 10 entity ids per call, so a batch holds 5 leads with
//! their contacts.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use jiff::Timestamp;
use serde_json::Value;

use crate::sla::evidence::{
    EvidenceError, EvidenceKind, EvidenceSet, EvidenceSource, Found, LeadNow, Watched,
};

/// A GET returning JSON (`None` for HTTP 204 = nothing found).
pub trait JsonGet: Send + Sync {
    fn get_json<'a>(
        &'a self,
        path: &'a str,
        query: &'a [(String, String)],
    ) -> BoxFuture<'a, Result<Option<Value>, String>>;
}

// `crm::Client` implements `JsonGet` in client.rs, so evidence calls share
// the daemon's one rate limiter, retries and auth with delivery.

/// amoCRM's cap on `filter[entity_id][]` per events call.
pub const MAX_ENTITY_IDS: usize = 10;
/// Events page size (amoCRM: at most 100).
pub const EVENTS_PAGE: usize = 100;
/// Leads per `GET /api/v4/leads` call.
pub const LEADS_PAGE: usize = 250;
/// Pages followed per batch before giving up (a lead with > 2000 events
/// since arrival has evidence on the first page anyway).
const MAX_PAGES: u32 = 20;

/// Splits leads into batches of at most `max_ids` entity ids (lead + contact).
pub fn batches(leads: &[Watched], max_ids: usize) -> Vec<&[Watched]> {
    let max_ids = max_ids.max(2);
    let mut out = Vec::new();
    let mut start = 0;
    let mut ids = 0;
    for (i, w) in leads.iter().enumerate() {
        let n = 1 + usize::from(w.contact_id.is_some());
        if ids + n > max_ids && i > start {
            out.push(&leads[start..i]);
            start = i;
            ids = 0;
        }
        ids += n;
    }
    if start < leads.len() {
        out.push(&leads[start..]);
    }
    out
}

/// Query of one events call for a batch.
pub fn events_query(batch: &[Watched], kinds: EvidenceSet, page: u32) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = vec![
        ("filter[entity][]".into(), "lead".into()),
        ("filter[entity][]".into(), "contact".into()),
    ];
    for w in batch {
        q.push(("filter[entity_id][]".into(), w.lead_id.to_string()));
        if let Some(c) = w.contact_id {
            q.push(("filter[entity_id][]".into(), c.to_string()));
        }
    }
    for k in kinds.kinds() {
        for t in k.event_types() {
            q.push(("filter[type][]".into(), (*t).into()));
        }
    }
    let from = batch.iter().map(|w| w.since.as_second()).min().unwrap_or(0);
    q.push(("filter[created_at][from]".into(), from.to_string()));
    q.push(("limit".into(), EVENTS_PAGE.to_string()));
    q.push(("page".into(), page.to_string()));
    q
}

/// Picks the earliest enabled evidence per lead out of one events page.
/// Events on the lead's contact count for the lead.
pub fn scan_events(
    body: &Value,
    batch: &[Watched],
    kinds: EvidenceSet,
    best: &mut HashMap<i64, Found>,
) {
    let Some(events) = body["_embedded"]["events"].as_array() else {
        return;
    };
    for e in events {
        let Some(kind) = e["type"].as_str().and_then(EvidenceKind::from_event_type) else {
            continue;
        };
        // A stage change by a robot (digital pipeline, created_by 0) is not
        // a manager reacting.
        if kind == EvidenceKind::Status && e["created_by"].as_i64() == Some(0) {
            continue;
        }
        let (Some(entity_id), Some(entity_type), Some(at)) = (
            e["entity_id"].as_i64(),
            e["entity_type"].as_str(),
            e["created_at"].as_i64(),
        ) else {
            continue;
        };
        let Ok(at) = Timestamp::from_second(at) else {
            continue;
        };
        for w in batch {
            let mine = match entity_type {
                "lead" | "leads" => w.lead_id == entity_id,
                "contact" | "contacts" => w.contact_id == Some(entity_id),
                _ => false,
            };
            if !mine
                || at.as_second() < w.since.as_second()
                || !w.kinds.unwrap_or(kinds).contains(kind)
            {
                continue;
            }
            let better = best.get(&w.lead_id).is_none_or(|f| at < f.at);
            if better {
                best.insert(
                    w.lead_id,
                    Found {
                        lead_id: w.lead_id,
                        kind,
                        at,
                    },
                );
            }
        }
    }
}

/// Reads `responsible_user_id` and the closed flag from a leads list page.
pub fn scan_leads(body: &Value, out: &mut HashMap<i64, LeadNow>) {
    let Some(leads) = body["_embedded"]["leads"].as_array() else {
        return;
    };
    for l in leads {
        let Some(id) = l["id"].as_i64() else {
            continue;
        };
        let status = l["status_id"].as_i64();
        let closed =
            matches!(status, Some(142) | Some(143)) || l["is_deleted"].as_bool() == Some(true);
        out.insert(
            id,
            LeadNow {
                responsible_id: l["responsible_user_id"].as_i64(),
                closed,
            },
        );
    }
}

/// [`EvidenceSource`] over amoCRM's events API.
pub struct EventsEvidence {
    api: Arc<dyn JsonGet>,
    max_ids: usize,
}

impl EventsEvidence {
    pub fn new(api: Arc<dyn JsonGet>) -> Self {
        EventsEvidence {
            api,
            max_ids: MAX_ENTITY_IDS,
        }
    }
}

impl EvidenceSource for EventsEvidence {
    fn evidence<'a>(
        &'a self,
        leads: &'a [Watched],
        kinds: EvidenceSet,
    ) -> BoxFuture<'a, Result<Vec<Found>, EvidenceError>> {
        Box::pin(async move {
            let mut best: HashMap<i64, Found> = HashMap::new();
            for batch in batches(leads, self.max_ids) {
                // One query for the batch asks for every kind any of its
                // leads counts; the scan then applies each lead's own set.
                let asked = batch.iter().fold(EvidenceSet::none(), |acc, w| {
                    acc.union(w.kinds.unwrap_or(kinds))
                });
                if asked.is_empty() {
                    continue;
                }
                let mut page = 1;
                loop {
                    let q = events_query(batch, asked, page);
                    let body = self
                        .api
                        .get_json("/api/v4/events", &q)
                        .await
                        .map_err(EvidenceError)?;
                    let Some(body) = body else { break };
                    scan_events(&body, batch, kinds, &mut best);
                    let more = body["_links"]["next"]["href"].is_string();
                    if !more || page >= MAX_PAGES {
                        break;
                    }
                    page += 1;
                }
            }
            let mut out: Vec<Found> = best.into_values().collect();
            out.sort_by_key(|f| (f.at, f.lead_id));
            Ok(out)
        })
    }

    fn leads_now<'a>(
        &'a self,
        lead_ids: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, LeadNow>, EvidenceError>> {
        Box::pin(async move {
            let mut out = HashMap::new();
            for chunk in lead_ids.chunks(LEADS_PAGE) {
                let mut q: Vec<(String, String)> = chunk
                    .iter()
                    .map(|id| ("filter[id][]".to_string(), id.to_string()))
                    .collect();
                q.push(("limit".into(), LEADS_PAGE.to_string()));
                let body = self
                    .api
                    .get_json("/api/v4/leads", &q)
                    .await
                    .map_err(EvidenceError)?;
                if let Some(body) = body {
                    scan_leads(&body, &mut out);
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn w(lead: i64, contact: Option<i64>, since: i64) -> Watched {
        Watched {
            lead_id: lead,
            contact_id: contact,
            since: Timestamp::from_second(since).unwrap(),
            kinds: None,
        }
    }

    #[test]
    fn batches_respect_the_id_cap() {
        let leads: Vec<Watched> = (0..12).map(|i| w(i, Some(100 + i), 0)).collect();
        let b = batches(&leads, 10);
        assert_eq!(b.iter().map(|b| b.len()).collect::<Vec<_>>(), vec![5, 5, 2]);
        let leads: Vec<Watched> = (0..12).map(|i| w(i, None, 0)).collect();
        assert_eq!(batches(&leads, 10).len(), 2);
    }

    #[test]
    fn query_shape() {
        let q = events_query(
            &[w(1, Some(2), 500), w(3, None, 400)],
            EvidenceSet::all(),
            1,
        );
        let s: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert!(s.contains(&"filter[entity_id][]=2".to_string()));
        assert!(s.contains(&"filter[created_at][from]=400".to_string()));
        assert!(s.contains(&"filter[type][]=outgoing_call".to_string()));
        assert!(s.contains(&"filter[type][]=lead_status_changed".to_string()));
        assert!(s.contains(&"limit=100".to_string()));
    }

    #[test]
    fn contact_call_counts_earliest_wins_old_and_disabled_ignored() {
        let batch = [w(1, Some(2), 1000), w(3, Some(4), 1000)];
        let body = serde_json::json!({"_embedded": {"events": [
            {"type": "outgoing_call", "entity_type": "contact", "entity_id": 2, "created_at": 1300},
            {"type": "lead_status_changed", "entity_type": "lead", "entity_id": 1, "created_at": 1200},
            {"type": "outgoing_call", "entity_type": "lead", "entity_id": 3, "created_at": 900},
            {"type": "incoming_call", "entity_type": "lead", "entity_id": 3, "created_at": 1100},
            {"type": "outgoing_chat_message", "entity_type": "lead", "entity_id": 3, "created_at": 1500},
            {"type": "lead_status_changed", "entity_type": "lead", "entity_id": 3, "created_at": 1150, "created_by": 0},
        ]}});
        let mut best = HashMap::new();
        let mut kinds = EvidenceSet::none();
        kinds.insert(EvidenceKind::Call);
        kinds.insert(EvidenceKind::Status);
        scan_events(&body, &batch, kinds, &mut best);
        assert_eq!(best[&1].kind, EvidenceKind::Status);
        assert_eq!(best[&1].at.as_second(), 1200);
        // Lead 3: the call before arrival, the incoming call, the disabled
        // chat kind and a robot's stage change do not count.
        assert!(!best.contains_key(&3));
    }

    #[test]
    fn leads_scan() {
        let body = serde_json::json!({"_embedded": {"leads": [
            {"id": 1, "responsible_user_id": 7, "status_id": 100},
            {"id": 2, "responsible_user_id": 8, "status_id": 143},
        ]}});
        let mut m = HashMap::new();
        scan_leads(&body, &mut m);
        assert_eq!(
            m[&1],
            LeadNow {
                responsible_id: Some(7),
                closed: false
            }
        );
        assert!(m[&2].closed);
    }
}
