//! Mutable account state behind the fake's mutex: entities, tokens, the fake
//! clock, the request log, the fault queue. Shared by the HTTP handlers and
//! the test-side helpers; no I/O here.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};

use super::auth::Tokens;
use super::faults::Fault;
use super::model::*;
use super::spec::FieldError;

/// What to do when an unsorted form repeats the contact of a pending item
/// (amoCRM docs, unsorted-api: the RU docs say "error", newer Kommo docs say "tag both").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicatePolicy {
    /// Accept silently.
    Allow,
    /// Accept, and tag both leads with [`DUPLICATE_TAG`].
    #[default]
    Tag,
    /// Refuse with a 400 (not counted as a spec violation).
    Reject,
}

/// Tag put on both leads under [`DuplicatePolicy::Tag`].
pub const DUPLICATE_TAG: &str = "Дубль";

/// One request as the fake received it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    #[serde(skip)]
    pub at: Instant,
    /// Fake-clock unix time when received.
    pub unix: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    /// Raw body text (may be empty or not JSON).
    pub body: String,
    /// Final status; 0 while in flight, and for a connection reset.
    pub status: u16,
    /// Set when a fault was applied.
    pub fault: Option<String>,
}

impl RecordedRequest {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A body (or query) the fake refused as invalid: the client is wrong.
#[derive(Debug, Clone, Serialize)]
pub struct SpecViolation {
    pub method: String,
    pub path: String,
    /// Spec operation id, or `by-hand` for checks the spec cannot express.
    pub operation: String,
    pub body: String,
    pub errors: Vec<String>,
}

/// The fake clock: frozen at `fixed` when set, otherwise real time + offset.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    pub fixed: Option<i64>,
    pub offset: i64,
}

impl Clock {
    pub fn now(&self) -> i64 {
        match self.fixed {
            Some(t) => t,
            None => {
                let real = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                real + self.offset
            }
        }
    }
}

pub struct State {
    pub seed: Seed,
    pub base_url: String,
    pub api_user_id: i64,
    pub page_size: Option<usize>,
    pub duplicates: DuplicatePolicy,
    pub hide_unsorted_contacts: bool,
    pub access_token_lifetime: i64,
    pub rate_limit: usize,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,

    pub leads: BTreeMap<i64, Lead>,
    pub contacts: BTreeMap<i64, Contact>,
    pub companies: BTreeMap<i64, Company>,
    pub unsorted: Vec<Unsorted>,
    pub notes: Vec<Note>,
    pub tasks: BTreeMap<i64, Task>,
    pub events: Vec<Event>,
    /// Tag name → id.
    pub tags: BTreeMap<String, i64>,
    next_id: i64,
    next_event: u64,

    pub clock: Clock,
    pub tokens: Tokens,
    pub faults: Vec<Fault>,
    pub chaos: Option<super::faults::Chaos>,
    pub requests: Vec<RecordedRequest>,
    pub violations: Vec<SpecViolation>,
    pub count_429: usize,
}

impl State {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        seed: Seed,
        base_url: String,
        api_user_id: i64,
        page_size: Option<usize>,
        duplicates: DuplicatePolicy,
        access_token_lifetime: i64,
        rate_limit: usize,
        client: (String, String, String),
        clock: Clock,
    ) -> State {
        State {
            seed,
            base_url,
            api_user_id,
            page_size,
            duplicates,
            hide_unsorted_contacts: false,
            access_token_lifetime,
            rate_limit,
            client_id: client.0,
            client_secret: client.1,
            redirect_uri: client.2,
            leads: BTreeMap::new(),
            contacts: BTreeMap::new(),
            companies: BTreeMap::new(),
            unsorted: Vec::new(),
            notes: Vec::new(),
            tasks: BTreeMap::new(),
            events: Vec::new(),
            tags: BTreeMap::new(),
            next_id: 700_001,
            next_event: 1,
            clock,
            tokens: Tokens::default(),
            faults: Vec::new(),
            chaos: None,
            requests: Vec::new(),
            violations: Vec::new(),
            count_429: 0,
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Ids are unique across entity kinds, which catches a client mixing them up.
    pub fn new_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn tag_id(&mut self, name: &str) -> i64 {
        if let Some(id) = self.tags.get(name) {
            return *id;
        }
        let id = self.new_id();
        self.tags.insert(name.to_string(), id);
        id
    }

    pub fn tag_name(&self, id: i64) -> Option<String> {
        self.tags
            .iter()
            .find(|(_, v)| **v == id)
            .map(|(k, _)| k.clone())
    }

    pub fn user_exists(&self, id: i64) -> bool {
        self.seed.users.iter().any(|u| u.id == id)
    }

    pub fn pipeline(&self, id: i64) -> Option<&Pipeline> {
        self.seed.pipelines.iter().find(|p| p.id == id)
    }

    pub fn main_pipeline_id(&self) -> i64 {
        self.seed.main_pipeline().map(|p| p.id).unwrap_or(0)
    }

    /// Record an event; `created_at` defaults to the fake clock.
    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &mut self,
        event_type: &str,
        entity_type: &str,
        entity_id: i64,
        created_by: i64,
        created_at: Option<i64>,
        value_before: Value,
        value_after: Value,
    ) -> String {
        let n = self.next_event;
        self.next_event += 1;
        // amoCRM event ids are 26-char lowercase ULID-like strings.
        let id = format!("01fake{n:020x}");
        let created_at = created_at.unwrap_or_else(|| self.now());
        self.events.push(Event {
            id: id.clone(),
            event_type: event_type.to_string(),
            entity_type: entity_type.to_string(),
            entity_id,
            created_by,
            created_at,
            value_before,
            value_after,
        });
        id
    }

    /// Change a lead's status, emitting `lead_status_changed`.
    pub fn set_lead_status(
        &mut self,
        lead_id: i64,
        pipeline_id: i64,
        status_id: i64,
        actor: i64,
    ) -> bool {
        let now = self.now();
        let Some(lead) = self.leads.get_mut(&lead_id) else {
            return false;
        };
        if lead.status_id == status_id && lead.pipeline_id == pipeline_id {
            return true;
        }
        let before =
            json!([{"lead_status": {"id": lead.status_id, "pipeline_id": lead.pipeline_id}}]);
        lead.status_id = status_id;
        lead.pipeline_id = pipeline_id;
        lead.updated_at = now;
        lead.updated_by = actor;
        lead.closed_at = if status_id == 142 || status_id == 143 {
            Some(now)
        } else {
            None
        };
        let after = json!([{"lead_status": {"id": status_id, "pipeline_id": pipeline_id}}]);
        self.emit(
            "lead_status_changed",
            "lead",
            lead_id,
            actor,
            None,
            before,
            after,
        );
        true
    }

    /// Change a lead's responsible user, emitting `entity_responsible_changed`.
    pub fn set_lead_responsible(&mut self, lead_id: i64, user_id: i64, actor: i64) -> bool {
        let now = self.now();
        let Some(lead) = self.leads.get_mut(&lead_id) else {
            return false;
        };
        if lead.responsible_user_id == user_id {
            return true;
        }
        let before = json!([{"responsible_user": {"id": lead.responsible_user_id}}]);
        lead.responsible_user_id = user_id;
        lead.updated_at = now;
        lead.updated_by = actor;
        let after = json!([{"responsible_user": {"id": user_id}}]);
        self.emit(
            "entity_responsible_changed",
            "lead",
            lead_id,
            actor,
            None,
            before,
            after,
        );
        true
    }

    /// Store a note and emit the event amoCRM derives from its type.
    #[allow(clippy::too_many_arguments)]
    pub fn add_note(
        &mut self,
        entity_type: &str,
        entity_id: i64,
        note_type: &str,
        params: Value,
        actor: i64,
        created_at: Option<i64>,
        request_id: Option<String>,
    ) -> i64 {
        let id = self.new_id();
        let at = created_at.unwrap_or_else(|| self.now());
        self.notes.push(Note {
            id,
            entity_type: entity_type.to_string(),
            entity_id,
            note_type: note_type.to_string(),
            params,
            created_by: actor,
            responsible_user_id: actor,
            created_at: at,
            updated_at: at,
            request_id,
        });
        let ev = match note_type {
            "call_out" => "outgoing_call",
            "call_in" => "incoming_call",
            "common" => "common_note_added",
            "sms_out" => "outgoing_sms",
            "sms_in" => "incoming_sms",
            _ => "service_note_added",
        };
        let singular = singular(entity_type);
        self.emit(
            ev,
            singular,
            entity_id,
            actor,
            Some(at),
            json!([]),
            json!([{"note": {"id": id}}]),
        );
        id
    }

    /// Complete a task (emits `task_completed`, and `task_result_added` with a result).
    pub fn complete_task(&mut self, task_id: i64, result: Option<String>, actor: i64) -> bool {
        let now = self.now();
        let Some(task) = self.tasks.get_mut(&task_id) else {
            return false;
        };
        let was = task.is_completed;
        task.is_completed = true;
        task.updated_at = now;
        if result.is_some() {
            task.result_text = result.clone();
        }
        let (et, eid) = (task.entity_type.clone(), task.entity_id);
        if let (Some(et), Some(eid)) = (et, eid) {
            let s = singular(&et);
            if !was {
                self.emit("task_completed", s, eid, actor, None, json!([]), json!([]));
            }
            if let Some(text) = result {
                self.emit(
                    "task_result_added",
                    s,
                    eid,
                    actor,
                    None,
                    json!([]),
                    json!([{"note": {"text": text}}]),
                );
            }
        }
        true
    }

    pub fn record_violation(
        &mut self,
        method: &str,
        path: &str,
        operation: &str,
        body: &str,
        errors: &[FieldError],
    ) {
        self.violations.push(SpecViolation {
            method: method.to_string(),
            path: path.to_string(),
            operation: operation.to_string(),
            body: body.to_string(),
            errors: errors
                .iter()
                .map(|e| match e.item {
                    Some(i) => format!("[{i}].{}: {} ({})", e.path, e.code, e.detail),
                    None => format!("{}: {} ({})", e.path, e.code, e.detail),
                })
                .collect(),
        });
    }

    // ---- rendering -----------------------------------------------------

    pub fn link(&self, path: &str) -> Value {
        json!({"self": {"href": format!("{}{}", self.base_url, path)}})
    }

    pub fn tags_json(&self, tags: &[String]) -> Value {
        Value::Array(
            tags.iter()
                .map(|t| json!({"id": self.tags.get(t).copied().unwrap_or(0), "name": t, "color": null}))
                .collect(),
        )
    }

    pub fn lead_json(&self, l: &Lead, with: &[String]) -> Value {
        let mut embedded = json!({
            "tags": self.tags_json(&l.tags),
            "companies": l.company_id.map(|c| vec![json!({"id": c})]).unwrap_or_default(),
        });
        if with.iter().any(|w| w == "contacts") {
            embedded["contacts"] = Value::Array(
                l.contact_ids
                    .iter()
                    .map(|c| {
                        json!({"id": c, "is_main": l.main_contact_id == Some(*c),
                               "_links": self.link(&format!("/api/v4/contacts/{c}"))})
                    })
                    .collect(),
            );
        }
        if with.iter().any(|w| w == "loss_reason") {
            embedded["loss_reason"] = Value::Array(
                l.loss_reason_id
                    .and_then(|id| self.seed.loss_reasons.iter().find(|r| r.id == id))
                    .map(|r| vec![json!({"id": r.id, "name": r.name})])
                    .unwrap_or_default(),
            );
        }
        json!({
            "id": l.id,
            "name": l.name,
            "price": l.price,
            "responsible_user_id": l.responsible_user_id,
            "group_id": 0,
            "status_id": l.status_id,
            "pipeline_id": l.pipeline_id,
            "loss_reason_id": l.loss_reason_id,
            "created_by": l.created_by,
            "updated_by": l.updated_by,
            "created_at": l.created_at,
            "updated_at": l.updated_at,
            "closed_at": l.closed_at,
            "closest_task_at": self.closest_task("leads", l.id),
            "is_deleted": false,
            "custom_fields_values": cfs_json(&l.custom_fields_values),
            "score": null,
            "account_id": self.seed.account_id,
            "labor_cost": null,
            "_links": self.link(&format!("/api/v4/leads/{}", l.id)),
            "_embedded": embedded,
        })
    }

    fn closest_task(&self, et: &str, id: i64) -> Value {
        self.tasks
            .values()
            .filter(|t| {
                !t.is_completed && t.entity_type.as_deref() == Some(et) && t.entity_id == Some(id)
            })
            .map(|t| t.complete_till)
            .min()
            .map_or(Value::Null, Value::from)
    }

    pub fn contact_json(&self, c: &Contact, with: &[String]) -> Value {
        let mut embedded = json!({"tags": self.tags_json(&c.tags), "companies": []});
        if with.iter().any(|w| w == "leads") {
            embedded["leads"] = Value::Array(
                self.leads
                    .values()
                    .filter(|l| l.contact_ids.contains(&c.id))
                    .map(|l| json!({"id": l.id, "_links": self.link(&format!("/api/v4/leads/{}", l.id))}))
                    .collect(),
            );
        }
        json!({
            "id": c.id,
            "name": c.name,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "responsible_user_id": c.responsible_user_id,
            "group_id": 0,
            "created_by": c.created_by,
            "updated_by": c.created_by,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "closest_task_at": self.closest_task("contacts", c.id),
            "is_deleted": false,
            "is_unsorted": self.unsorted.iter().any(|u| u.contact_id == Some(c.id) && u.state == UnsortedState::Pending),
            "custom_fields_values": cfs_json(&c.custom_fields_values),
            "account_id": self.seed.account_id,
            "_links": self.link(&format!("/api/v4/contacts/{}", c.id)),
            "_embedded": embedded,
        })
    }

    pub fn unsorted_json(&self, u: &Unsorted) -> Value {
        // Real amoCRM returns form_sent_at as a string here (amoCRM docs, unsorted-api).
        let mut metadata = u.metadata.clone();
        if let Some(v) = metadata.get_mut("form_sent_at")
            && let Some(n) = v.as_i64()
        {
            *v = Value::String(n.to_string());
        }
        json!({
            "uid": u.uid,
            "source_uid": u.source_uid,
            "source_name": u.source_name,
            "category": u.category,
            "pipeline_id": u.pipeline_id,
            "created_at": u.created_at,
            "metadata": metadata,
            "account_id": self.seed.account_id,
            "_links": self.link(&format!("/api/v4/leads/unsorted/{}", u.uid)),
            "_embedded": {
                "contacts": u.contact_id.map(|c| vec![json!({"id": c, "_links": self.link(&format!("/api/v4/contacts/{c}"))})]).unwrap_or_default(),
                "leads": vec![json!({"id": u.lead_id, "_links": self.link(&format!("/api/v4/leads/{}", u.lead_id))})],
                "companies": u.company_id.map(|c| vec![json!({"id": c})]).unwrap_or_default(),
            }
        })
    }

    pub fn note_json(&self, n: &Note) -> Value {
        json!({
            "id": n.id,
            "entity_id": n.entity_id,
            "created_by": n.created_by,
            "updated_by": n.created_by,
            "created_at": n.created_at,
            "updated_at": n.updated_at,
            "responsible_user_id": n.responsible_user_id,
            "group_id": 0,
            "note_type": n.note_type,
            "params": n.params,
            "account_id": self.seed.account_id,
            "_links": self.link(&format!("/api/v4/{}/{}/notes/{}", n.entity_type, n.entity_id, n.id)),
        })
    }

    pub fn task_json(&self, t: &Task) -> Value {
        json!({
            "id": t.id,
            "created_by": t.created_by,
            "updated_by": t.created_by,
            "created_at": t.created_at,
            "updated_at": t.updated_at,
            "responsible_user_id": t.responsible_user_id,
            "group_id": 0,
            "entity_id": t.entity_id,
            "entity_type": t.entity_type,
            "duration": t.duration,
            "is_completed": t.is_completed,
            "task_type_id": t.task_type_id,
            "text": t.text,
            "result": t.result_text.as_ref().map_or(json!([]), |r| json!({"text": r})),
            "complete_till": t.complete_till,
            "account_id": self.seed.account_id,
            "_links": self.link(&format!("/api/v4/tasks/{}", t.id)),
        })
    }

    pub fn event_json(&self, e: &Event) -> Value {
        json!({
            "id": e.id,
            "type": e.event_type,
            "entity_id": e.entity_id,
            "entity_type": e.entity_type,
            "created_by": e.created_by,
            "created_at": e.created_at,
            "value_after": e.value_after,
            "value_before": e.value_before,
            "account_id": self.seed.account_id,
            "_links": self.link(&format!("/api/v4/events/{}", e.id)),
        })
    }
}

/// `leads` → `lead` (events use singular entity names).
pub fn singular(entity_type: &str) -> &str {
    match entity_type {
        "leads" => "lead",
        "contacts" => "contact",
        "companies" => "company",
        "customers" => "customer",
        other => other,
    }
}

/// Digits of a string (for phone matching).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}
