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

/// `filter[id][]=…` for each id plus the page size: one list call by ids
/// (leads, notes).
fn ids_query(ids: &[i64]) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = ids
        .iter()
        .map(|id| ("filter[id][]".to_string(), id.to_string()))
        .collect();
    q.push(("limit".into(), LEADS_PAGE.to_string()));
    q
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
                let q = ids_query(chunk);
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

// ---- the incoming-requests feed (`[sla.sources]`, `[sla.procedure]`) ----

use crate::sla::incoming::{
    Entity, Feed, FeedEvent, FeedKind, LeadInfo, PipelineInfo, Stage, UnsortedItem,
};

/// Event types the watch polls for: new leads, clients writing or calling,
/// managers answering, stage moves and notes (procedure checks).
pub const FEED_TYPES: &[&str] = &[
    "lead_added",
    "incoming_chat_message",
    "outgoing_chat_message",
    "incoming_call",
    "outgoing_call",
    "lead_status_changed",
    "common_note_added",
];

/// Query of one page of the events poll.
pub fn feed_query(from: Timestamp, page: u32) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = FEED_TYPES
        .iter()
        .map(|t| ("filter[type][]".to_string(), (*t).to_string()))
        .collect();
    q.push((
        "filter[created_at][from]".into(),
        from.as_second().to_string(),
    ));
    q.push(("limit".into(), EVENTS_PAGE.to_string()));
    q.push(("page".into(), page.to_string()));
    q
}

fn first_after<'a>(e: &'a Value, key: &str) -> &'a Value {
    &e["value_after"][0][key]
}

/// One event of the events list as the feed sees it (None: not ours).
pub fn parse_feed_event(e: &Value) -> Option<FeedEvent> {
    let entity_id = e["entity_id"].as_i64()?;
    let entity = match e["entity_type"].as_str()? {
        "lead" | "leads" => Entity::Lead(entity_id),
        "contact" | "contacts" => Entity::Contact(entity_id),
        _ => return None,
    };
    let at = Timestamp::from_second(e["created_at"].as_i64()?).ok()?;
    let kind = match e["type"].as_str()? {
        "lead_added" => FeedKind::LeadAdded,
        "incoming_chat_message" => FeedKind::ClientMessage,
        "outgoing_chat_message" => FeedKind::ManagerMessage,
        "incoming_call" => FeedKind::IncomingCall {
            note: first_after(e, "note")["id"].as_i64(),
        },
        "outgoing_call" => FeedKind::ManagerCall,
        "lead_status_changed" => {
            let st = first_after(e, "lead_status");
            FeedKind::StatusChanged {
                pipeline_id: st["pipeline_id"].as_i64(),
                status_id: st["id"].as_i64()?,
                by_robot: e["created_by"].as_i64() == Some(0),
            }
        }
        "common_note_added" => FeedKind::NoteAdded,
        "task_added" => FeedKind::TaskAdded,
        _ => return None,
    };
    let msg = first_after(e, "message");
    let origin = msg["origin"]
        .as_str()
        .or_else(|| msg["source"].as_str())
        .map(str::to_string);
    Some(FeedEvent {
        kind,
        entity,
        at,
        origin,
    })
}

/// Items of an Unsorted list page.
pub fn parse_unsorted(body: &Value) -> Vec<UnsortedItem> {
    let Some(items) = body["_embedded"]["unsorted"].as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|u| {
            let lead_id = u["_embedded"]["leads"][0]["id"].as_i64()?;
            // amoCRM has returned numbers as strings in Unsorted: parse leniently.
            let created = u["created_at"]
                .as_i64()
                .or_else(|| u["created_at"].as_str()?.parse().ok())?;
            let client = &u["metadata"]["client"]["name"];
            let from = &u["metadata"]["from"];
            Some(UnsortedItem {
                lead_id,
                contact_id: u["_embedded"]["contacts"][0]["id"].as_i64(),
                pipeline_id: u["pipeline_id"].as_i64(),
                category: u["category"].as_str().unwrap_or("").to_string(),
                source_name: u["source_name"]
                    .as_str()
                    .or_else(|| u["metadata"]["source_name"].as_str())
                    .or_else(|| u["metadata"]["origin"].as_str())
                    .map(str::to_string),
                client_name: client
                    .as_str()
                    .or_else(|| from.as_str())
                    .or_else(|| from["name"].as_str())
                    .map(str::to_string),
                created_at: Timestamp::from_second(created).ok()?,
            })
        })
        .collect()
}

/// Leads of a leads list page, with the main contact and custom fields.
pub fn parse_lead_infos(body: &Value, out: &mut HashMap<i64, LeadInfo>) {
    let Some(leads) = body["_embedded"]["leads"].as_array() else {
        return;
    };
    for l in leads {
        let Some(id) = l["id"].as_i64() else { continue };
        let status = l["status_id"].as_i64();
        let contacts = l["_embedded"]["contacts"].as_array();
        let contact_id = contacts.and_then(|c| {
            c.iter()
                .find(|x| x["is_main"].as_bool() == Some(true))
                .or_else(|| c.first())
                .and_then(|x| x["id"].as_i64())
        });
        let mut fields = HashMap::new();
        for f in l["custom_fields_values"].as_array().into_iter().flatten() {
            let Some(name) = f["field_name"].as_str() else {
                continue;
            };
            let filled = f["values"].as_array().is_some_and(|vs| {
                vs.iter().any(|v| match &v["value"] {
                    Value::String(s) => !s.trim().is_empty(),
                    Value::Null => v["enum_id"].is_i64(),
                    _ => true,
                })
            });
            fields.insert(name.to_string(), filled);
        }
        out.insert(
            id,
            LeadInfo {
                id,
                name: l["name"].as_str().map(str::to_string),
                pipeline_id: l["pipeline_id"].as_i64(),
                status_id: status,
                responsible_id: l["responsible_user_id"].as_i64(),
                contact_id,
                closed: matches!(status, Some(142) | Some(143))
                    || l["is_deleted"].as_bool() == Some(true),
                fields,
            },
        );
    }
}

/// Pipelines with their stages.
pub fn parse_pipelines(body: &Value) -> Vec<PipelineInfo> {
    let Some(ps) = body["_embedded"]["pipelines"].as_array() else {
        return Vec::new();
    };
    ps.iter()
        .filter_map(|p| {
            Some(PipelineInfo {
                id: p["id"].as_i64()?,
                name: p["name"].as_str().unwrap_or("").to_string(),
                stages: p["_embedded"]["statuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        Some(Stage {
                            id: s["id"].as_i64()?,
                            name: s["name"].as_str().unwrap_or("").to_string(),
                            sort: s["sort"].as_i64().unwrap_or(0),
                            unsorted: s["type"].as_i64() == Some(1),
                        })
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A call note's outcome: missed when amoCRM's `call_status` says nobody
/// talked (1 left a message, 6 not reached, 7 busy), or, without a status,
/// when the call lasted 0 seconds.
pub fn call_missed(note: &Value) -> bool {
    let p = &note["params"];
    match p["call_status"].as_i64() {
        Some(s) => matches!(s, 1 | 6 | 7),
        None => p["duration"].as_i64().unwrap_or(0) == 0,
    }
}

impl EventsEvidence {
    async fn get(
        &self,
        path: &str,
        q: &[(String, String)],
    ) -> Result<Option<Value>, EvidenceError> {
        self.api.get_json(path, q).await.map_err(EvidenceError)
    }
}

impl Feed for EventsEvidence {
    fn events<'a>(
        &'a self,
        from: Timestamp,
    ) -> BoxFuture<'a, Result<Vec<FeedEvent>, EvidenceError>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let mut page = 1;
            loop {
                let Some(body) = self.get("/api/v4/events", &feed_query(from, page)).await? else {
                    break;
                };
                for e in body["_embedded"]["events"].as_array().into_iter().flatten() {
                    if let Some(ev) = parse_feed_event(e) {
                        out.push(ev);
                    }
                }
                if !body["_links"]["next"]["href"].is_string() || page >= MAX_PAGES {
                    break;
                }
                page += 1;
            }
            out.sort_by_key(|e| e.at);
            Ok(out)
        })
    }

    fn unsorted<'a>(
        &'a self,
        from: Timestamp,
    ) -> BoxFuture<'a, Result<Vec<UnsortedItem>, EvidenceError>> {
        Box::pin(async move {
            let q = vec![
                ("order[created_at]".to_string(), "desc".to_string()),
                ("limit".into(), "100".into()),
            ];
            let Some(body) = self.get("/api/v4/leads/unsorted", &q).await? else {
                return Ok(Vec::new());
            };
            Ok(parse_unsorted(&body)
                .into_iter()
                .filter(|u| u.created_at >= from)
                .collect())
        })
    }

    fn leads<'a>(
        &'a self,
        ids: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, LeadInfo>, EvidenceError>> {
        Box::pin(async move {
            let mut out = HashMap::new();
            for chunk in ids.chunks(LEADS_PAGE) {
                let mut q = ids_query(chunk);
                q.push(("with".into(), "contacts".into()));
                if let Some(body) = self.get("/api/v4/leads", &q).await? {
                    parse_lead_infos(&body, &mut out);
                }
            }
            Ok(out)
        })
    }

    fn pipelines(&self) -> BoxFuture<'_, Result<Vec<PipelineInfo>, EvidenceError>> {
        Box::pin(async move {
            let body = self.get("/api/v4/leads/pipelines", &[]).await?;
            Ok(body.map(|b| parse_pipelines(&b)).unwrap_or_default())
        })
    }

    fn calls_missed<'a>(
        &'a self,
        notes: &'a [(Entity, i64)],
    ) -> BoxFuture<'a, Result<HashMap<i64, bool>, EvidenceError>> {
        Box::pin(async move {
            let mut out = HashMap::new();
            for (path, is_lead) in [
                ("/api/v4/leads/notes", true),
                ("/api/v4/contacts/notes", false),
            ] {
                let ids: Vec<i64> = notes
                    .iter()
                    .filter(|(e, _)| matches!(e, Entity::Lead(_)) == is_lead)
                    .map(|(_, n)| *n)
                    .collect();
                for chunk in ids.chunks(LEADS_PAGE) {
                    let q = ids_query(chunk);
                    if let Some(body) = self.get(path, &q).await? {
                        for n in body["_embedded"]["notes"].as_array().into_iter().flatten() {
                            if let Some(id) = n["id"].as_i64() {
                                out.insert(id, call_missed(n));
                            }
                        }
                    }
                }
            }
            Ok(out)
        })
    }

    fn open_tasks<'a>(
        &'a self,
        lead_ids: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, usize>, EvidenceError>> {
        Box::pin(async move {
            let mut out: HashMap<i64, usize> = HashMap::new();
            for chunk in lead_ids.chunks(LEADS_PAGE) {
                let mut q: Vec<(String, String)> = vec![
                    ("filter[entity_type]".into(), "leads".into()),
                    ("filter[is_completed]".into(), "0".into()),
                    ("limit".into(), LEADS_PAGE.to_string()),
                ];
                for id in chunk {
                    q.push(("filter[entity_id][]".into(), id.to_string()));
                }
                if let Some(body) = self.get("/api/v4/tasks", &q).await? {
                    for t in body["_embedded"]["tasks"].as_array().into_iter().flatten() {
                        if t["is_completed"].as_bool() == Some(true) {
                            continue;
                        }
                        if let Some(id) = t["entity_id"].as_i64() {
                            *out.entry(id).or_default() += 1;
                        }
                    }
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

    #[test]
    fn feed_events_parse_as_amocrm_returns_them() {
        let body = serde_json::json!([
            {"type": "incoming_chat_message", "entity_type": "lead", "entity_id": 5, "created_at": 100,
             "created_by": 0, "value_after": [{"message": {"id": "m1", "origin": "com.amocrm.amocrmwa", "talk_id": 3}}]},
            {"type": "incoming_call", "entity_type": "contact", "entity_id": 6, "created_at": 101,
             "value_after": [{"note": {"id": 77}}]},
            {"type": "lead_status_changed", "entity_type": "lead", "entity_id": 5, "created_at": 102,
             "created_by": 0, "value_after": [{"lead_status": {"id": 143, "pipeline_id": 9}}]},
            {"type": "entity_tag_added", "entity_type": "lead", "entity_id": 5, "created_at": 103},
            {"type": "lead_added", "entity_type": "company", "entity_id": 5, "created_at": 103},
        ]);
        let got: Vec<FeedEvent> = body
            .as_array()
            .unwrap()
            .iter()
            .filter_map(parse_feed_event)
            .collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].kind, FeedKind::ClientMessage);
        assert_eq!(got[0].origin.as_deref(), Some("com.amocrm.amocrmwa"));
        assert_eq!(got[1].kind, FeedKind::IncomingCall { note: Some(77) });
        assert_eq!(got[1].entity, Entity::Contact(6));
        assert_eq!(
            got[2].kind,
            FeedKind::StatusChanged {
                pipeline_id: Some(9),
                status_id: 143,
                by_robot: true
            }
        );
        assert!(call_missed(
            &serde_json::json!({"params": {"call_status": 6, "duration": 0}})
        ));
        assert!(!call_missed(
            &serde_json::json!({"params": {"call_status": 4, "duration": 60}})
        ));
        assert!(call_missed(&serde_json::json!({"params": {"duration": 0}})));
    }

    #[test]
    fn unsorted_leads_and_pipelines_parse() {
        let u = serde_json::json!({"_embedded": {"unsorted": [
            {"uid": "a", "category": "chats", "pipeline_id": 9, "created_at": "1700000000",
             "source_name": "Telegram", "metadata": {"client": {"name": "Оля"}},
             "_embedded": {"leads": [{"id": 5}], "contacts": [{"id": 6}]}},
            {"uid": "b", "category": "forms", "created_at": 1700000001, "_embedded": {"leads": []}}
        ]}});
        let items = parse_unsorted(&u);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].created_at.as_second(), 1_700_000_000);
        assert_eq!(items[0].client_name.as_deref(), Some("Оля"));
        let l = serde_json::json!({"_embedded": {"leads": [{"id": 5, "name": "Сделка", "pipeline_id": 9,
            "status_id": 11, "responsible_user_id": 7,
            "custom_fields_values": [
                {"field_name": "Адрес", "values": [{"value": " "}]},
                {"field_name": "Объём работ", "values": [{"value": "3 окна"}]}],
            "_embedded": {"contacts": [{"id": 1, "is_main": false}, {"id": 2, "is_main": true}]}}]}});
        let mut m = HashMap::new();
        parse_lead_infos(&l, &mut m);
        assert_eq!(m[&5].contact_id, Some(2));
        assert!(!m[&5].fields["Адрес"]);
        assert!(m[&5].fields["Объём работ"]);
        let p = serde_json::json!({"_embedded": {"pipelines": [{"id": 9, "name": "Продажи",
            "_embedded": {"statuses": [{"id": 10, "name": "Неразобранное", "sort": 10, "type": 1},
                                       {"id": 11, "name": "Первичный контакт", "sort": 20, "type": 0}]}}]}});
        let ps = parse_pipelines(&p);
        assert_eq!(ps[0].intake_stages(), vec![10, 11]);
    }
}
