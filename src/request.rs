//! The structured request read off one form mail, and its normalisation.
//!
//! `Request` is what flows from the rules engine to the journal and amoCRM.
//! Its contract fields are exactly the JSON keys of `amo-intake parse`
//! (DESIGN.md "Contracts"); everything else lives in [`RequestMeta`], which
//! `parse` never prints.

use serde::{Deserialize, Serialize};

/// What the daemon does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A real request: lead in «Неразобранное», call task, SLA clock.
    Lead,
    /// A real person, not about our products: lead in «Корзина», no task, no SLA.
    Trash,
    /// Robot spam or a test submission: journalled only.
    Ignore,
    /// Nothing matched well enough: still a lead, tagged for a human.
    #[default]
    Review,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Lead => "lead",
            Action::Trash => "trash",
            Action::Ignore => "ignore",
            Action::Review => "review",
        }
    }
}

/// What the client asks for (seed 3.2 / 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Measurement,
    Calculation,
    Callback,
    Question,
    #[default]
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Measurement => "measurement",
            Kind::Calculation => "calculation",
            Kind::Callback => "callback",
            Kind::Question => "question",
            Kind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Utm {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub content: Option<String>,
    pub term: Option<String>,
}

/// One structured request. Contract fields first (DESIGN.md), then `meta`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Request {
    pub rule: Option<String>,
    pub action: Action,
    pub kind: Kind,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub product: Option<String>,
    pub address: Option<String>,
    pub visit_time: Option<String>,
    pub scope: Option<String>,
    pub referral: Option<String>,
    pub message: Option<String>,
    pub page: Option<String>,
    pub utm: Utm,
    pub form: Option<String>,
    pub fields: Vec<(String, String)>,
    #[serde(default)]
    pub meta: RequestMeta,
}

/// Facts about a request that are not part of the `parse` contract but that
/// delivery, notes and alerts need.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RequestMeta {
    /// Why the request is `review` / `ignore` / `trash` (human-readable).
    pub reason: Option<String>,
    /// Phone strings that did not parse as valid numbers, kept raw.
    pub phones_raw_invalid: Vec<String>,
    /// Extensions ("доб. 12") by E.164 number.
    pub extensions: Vec<(String, String)>,
    /// The source's own request id (Tilda Request ID, Bitrix RESULT_ID…).
    pub source_request_id: Option<String>,
    /// Original sender and subject, for the lead note.
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    /// Date header as RFC 3339, when present.
    pub sent_at: Option<String>,
    /// Client IP when the mail carries one (Bitrix, CF7 `[_remote_ip]`).
    pub ip: Option<String>,
    /// Plain text of the form body, for `review` leads.
    pub raw_text: Option<String>,
}

impl Request {
    /// The exact object `amo-intake parse` prints for one file (DESIGN.md keys,
    /// in that order, absent = null).
    pub fn contract_json(&self, file: &str) -> serde_json::Value {
        let fields: Vec<serde_json::Value> = self
            .fields
            .iter()
            .map(|(k, v)| serde_json::json!([k, v]))
            .collect();
        let mut m = serde_json::Map::new();
        m.insert("file".into(), file.into());
        m.insert("rule".into(), opt(&self.rule));
        m.insert("action".into(), self.action.as_str().into());
        m.insert("kind".into(), self.kind.as_str().into());
        m.insert("name".into(), opt(&self.name));
        m.insert("phone".into(), opt(&self.phone));
        m.insert("phones".into(), self.phones.clone().into());
        m.insert("email".into(), opt(&self.email));
        m.insert("product".into(), opt(&self.product));
        m.insert("address".into(), opt(&self.address));
        m.insert("visit_time".into(), opt(&self.visit_time));
        m.insert("scope".into(), opt(&self.scope));
        m.insert("referral".into(), opt(&self.referral));
        m.insert("message".into(), opt(&self.message));
        m.insert("page".into(), opt(&self.page));
        let u = &self.utm;
        m.insert(
            "utm".into(),
            serde_json::json!({
                "source": u.source, "medium": u.medium, "campaign": u.campaign,
                "content": u.content, "term": u.term,
            }),
        );
        m.insert("form".into(), opt(&self.form));
        m.insert("fields".into(), fields.into());
        serde_json::Value::Object(m)
    }
}

fn opt(v: &Option<String>) -> serde_json::Value {
    match v {
        Some(s) => serde_json::Value::String(s.clone()),
        None => serde_json::Value::Null,
    }
}
