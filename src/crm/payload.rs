//! JSON bodies built from one journalled request: the lead (unsorted form
//! item or complex item), its contact, the note and the call task.
//!
//! Defaults when the rule names nothing (docs/rules.md, `[crm]`): the main
//! pipeline's Unsorted stage; `trash` goes to status 143 of that pipeline;
//! the responsible user comes from `[amocrm] responsible`.

use serde_json::{Map, Value, json};

use super::catalog::{Catalog, Field, STATUS_LOST};
use crate::journal::outbox::OutboxRow;
use crate::request::{Action, Kind, Request};
use crate::rules::CrmSpec;
use crate::rules::crm_spec::{CreateMode, FieldSpec, NameOrId};
use crate::template::render_request;

/// Account-wide settings from `[amocrm]` / `[sla]`.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub responsible: Option<NameOrId>,
    /// Lead text field holding the idempotency key.
    pub request_id_field: String,
    pub review_tag: String,
    /// Task due time when the request has no SLA deadline.
    pub callback_within_s: i64,
    pub source_name: String,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            responsible: None,
            request_id_field: "ID заявки".into(),
            review_tag: "проверить".into(),
            callback_within_s: 600,
            source_name: "Заявки с сайта (amo-intake)".into(),
        }
    }
}

impl Defaults {
    pub fn from_config(cfg: &crate::config::Config) -> Defaults {
        let mut d = Defaults::default();
        if let Some(a) = &cfg.amocrm {
            d.responsible = match &a.responsible {
                Some(toml::Value::Integer(i)) => Some(NameOrId::Id(*i)),
                Some(toml::Value::String(s)) => Some(NameOrId::Name(s.clone())),
                _ => None,
            };
            if let Some(f) = &a.request_id_field {
                d.request_id_field = f.clone();
            }
            if let Some(t) = &a.review_tag {
                d.review_tag = t.clone();
            }
        }
        if let Some(s) = cfg
            .sla
            .callback_within
            .as_deref()
            .and_then(crate::config::parse_duration)
        {
            d.callback_within_s = s.as_secs() as i64;
        }
        d
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Unsorted,
    Complex,
}

/// Everything delivery sends for one request.
#[derive(Debug, Clone)]
pub struct LeadPlan {
    pub request_id: i64,
    pub key: String,
    pub mode: Mode,
    /// The lead object (LeadCreate), without its contact.
    pub lead: Value,
    /// Unsorted form metadata.
    pub metadata: Value,
    pub pipeline_id: i64,
    /// A new contact (used when de-duplication finds none).
    pub new_contact: Value,
    /// Last 10 digits of each phone and lower-cased emails, for de-dup.
    pub phones10: Vec<String>,
    pub emails: Vec<String>,
    pub note_text: String,
    pub task: Option<TaskPlan>,
    pub sent_at_s: i64,
    pub form_name: String,
    pub page: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TaskPlan {
    pub text: String,
    pub responsible: Option<i64>,
    pub complete_till: i64,
}

/// Lower-case Russian label of the request kind, for the default lead name
/// and the note head ("Заявка: замер — Иван").
fn kind_label(k: Kind) -> String {
    crate::template::kind_ru(k).to_lowercase()
}

/// What amoCRM accepts, in characters, and how a value is made to fit.
/// Every value sent is cleaned of control characters and cut to these
/// bounds with a visible `…`; the journal keeps the request as it was read,
/// so nothing is lost, only shortened in amoCRM.
pub mod limits {
    /// A `text` custom field value: amoCRM's API refuses more than 256
    /// characters although its web form allows them
    /// (github.com/amocrm/amocrm-api-php issues 224 and 400).
    pub const TEXT_FIELD: usize = 256;
    /// Lead and contact names, tags, Unsorted form metadata (form name,
    /// page, referer): amoCRM publishes no figure; they are held to the
    /// text-field bound less one, which the API is known to take.
    pub const NAME: usize = 255;
    /// A `textarea` custom field value and a call task's text: no published
    /// figure; 4,000 characters is several screens in the lead card.
    pub const LONG_TEXT: usize = 4000;
    /// One note: no published figure; 20,000 characters keeps the body of
    /// one `POST /api/v4/leads/notes` small whatever the mail held. A longer
    /// note is cut with a marker that says where the full text is.
    pub const NOTE: usize = 20_000;
}

/// The lead's name as amoCRM gets it: the rule's `lead_name` template, else
/// a default by action; cut to amoCRM's bound. `key` names a lead that has
/// nothing else to be named by.
pub fn lead_name(spec: &CrmSpec, r: &Request, key: &str) -> String {
    let name = match &spec.lead_name {
        Some(t) => render_request(&t.value, r),
        None => match r.action {
            Action::Review => format!("Проверить заявку — {}", client_label(r)),
            Action::Trash => format!("Не по продукции — {}", client_label(r)),
            _ => format!("Заявка: {} — {}", kind_label(r.kind), client_label(r)),
        },
    };
    let name = one_line(&name, limits::NAME);
    if name.is_empty() {
        format!("Заявка {key}")
    } else {
        name
    }
}

/// The rule's tags rendered (empty ones dropped), plus the review tag for a
/// `review` request; the request key is added by the caller.
pub fn lead_tags(spec: &CrmSpec, r: &Request, review_tag: &str) -> Vec<String> {
    let mut tags: Vec<String> = spec
        .tags
        .iter()
        .map(|t| one_line(&render_request(&t.value, r), limits::NAME))
        .filter(|t| !t.is_empty())
        .collect();
    if r.action == Action::Review {
        tags.push(review_tag.to_string());
    }
    tags
}

/// A one-line value: control characters (line breaks, tabs, NUL, DEL, C1)
/// become spaces, runs of spaces one, then cut to `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cut(
        &spaced.split_whitespace().collect::<Vec<_>>().join(" "),
        max,
    )
}

/// A multi-line text: line breaks kept (CR LF and CR become LF), tabs
/// become spaces, other control characters are dropped; cut to `max`.
pub fn multi_line(s: &str, max: usize) -> String {
    let t = s.replace("\r\n", "\n").replace('\r', "\n");
    let clean: String = t
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    cut(&clean, max)
}

/// At most `max` characters; a cut value ends with `…`.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Digits only; "8XXXXXXXXXX" and "XXXXXXXXXX" become Russian E.164.
pub fn normalise_phone(p: &str) -> Option<String> {
    let d: String = p.chars().filter(char::is_ascii_digit).collect();
    match d.len() {
        10 => Some(format!("+7{d}")),
        11 if d.starts_with('8') => Some(format!("+7{}", &d[1..])),
        n if (8..=15).contains(&n) => Some(format!("+{d}")),
        _ => None,
    }
}

/// The last 10 digits (how a phone is searched and compared).
pub fn phone10(p: &str) -> Option<String> {
    let d: String = p.chars().filter(char::is_ascii_digit).collect();
    (d.len() >= 10).then(|| d[d.len() - 10..].to_string())
}

fn client_label(r: &Request) -> String {
    r.name
        .clone()
        .or_else(|| r.phone.clone())
        .or_else(|| r.email.clone())
        .unwrap_or_else(|| "без имени".into())
}

/// The note: every field of the request, readable without the mail;
/// control characters removed, at most [`limits::NOTE`] characters. A
/// longer note is cut with a marker, and its last line is always the key
/// (delivery finds an already posted note by it).
pub fn note_text(r: &Request, key: &str) -> String {
    let body = multi_line(&note_body(r), usize::MAX);
    let tail = format!("ID заявки: {key}");
    let room = limits::NOTE.saturating_sub(tail.chars().count() + 1);
    let total = body.chars().count();
    if total <= room {
        return format!("{body}\n{tail}");
    }
    // The marker is under 120 characters whatever the count.
    let keep = room.saturating_sub(120);
    let head: String = body.chars().take(keep).collect();
    let marker = format!(
        "\n… [обрезано: ещё {} символов; полный текст заявки хранит amo-intake в журнале]",
        total - keep
    );
    format!("{head}{marker}\n{tail}")
}

fn note_body(r: &Request) -> String {
    let mut lines = Vec::new();
    let head = match r.action {
        Action::Review => "Заявка требует проверки: правило не распознало письмо уверенно",
        Action::Trash => "Обращение не по продукции (Корзина)",
        _ => "Заявка с сайта",
    };
    lines.push(format!("{head} ({})", kind_label(r.kind)));
    if let Some(s) = &r.meta.sender {
        lines.push(format!("Письмо от: {s}"));
    }
    if let Some(s) = &r.meta.subject {
        lines.push(format!("Тема: {s}"));
    }
    if let Some(s) = &r.meta.sent_at {
        lines.push(format!("Отправлено: {s}"));
    }
    let mut push = |label: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            lines.push(format!("{label}: {v}"));
        }
    };
    push("Имя", &r.name);
    push(
        "Телефон",
        &(!r.phones.is_empty())
            .then(|| r.phones.join(", "))
            .or_else(|| r.phone.clone()),
    );
    push("Email", &r.email);
    push("Товар/услуга", &r.product);
    push("Адрес", &r.address);
    push("Желаемое время", &r.visit_time);
    push("Объём работ", &r.scope);
    push("Откуда узнали", &r.referral);
    push("Сообщение", &r.message);
    push("Страница", &r.page);
    push("Форма", &r.form);
    push("Правило", &r.rule);
    let utm: Vec<String> = [
        ("source", &r.utm.source),
        ("medium", &r.utm.medium),
        ("campaign", &r.utm.campaign),
        ("content", &r.utm.content),
        ("term", &r.utm.term),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
    .collect();
    if !utm.is_empty() {
        lines.push(format!("UTM: {}", utm.join(", ")));
    }
    if !r.meta.phones_raw_invalid.is_empty() {
        lines.push(format!(
            "Нераспознанные телефоны: {}",
            r.meta.phones_raw_invalid.join(", ")
        ));
    }
    if let Some(reason) = &r.meta.reason {
        lines.push(format!("Причина: {reason}"));
    }
    if !r.fields.is_empty() {
        lines.push("Поля формы:".into());
        for (k, v) in &r.fields {
            lines.push(format!("  {k}: {v}"));
        }
    }
    if r.action == Action::Review
        && let Some(raw) = &r.meta.raw_text
    {
        let raw: String = raw.chars().take(8000).collect();
        lines.push("Текст письма:".into());
        lines.push(raw);
    }
    lines.join("\n")
}

fn cf_value(field: &Field, text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let find_enum = |t: &str| {
        field
            .enums
            .iter()
            .find(|e| super::catalog::norm(&e.name) == super::catalog::norm(t))
            .map(|e| json!({"enum_id": e.id}))
    };
    let values = match field.kind.as_str() {
        "select" | "radiobutton" => vec![find_enum(text)?],
        "multiselect" => {
            let v: Vec<Value> = text.split(',').filter_map(find_enum).collect();
            if v.is_empty() {
                return None;
            }
            v
        }
        "numeric" => {
            let n: f64 = text.replace(',', ".").replace(' ', "").parse().ok()?;
            vec![json!({"value": n})]
        }
        "checkbox" => {
            let b = matches!(
                super::catalog::norm(text).as_str(),
                "да" | "yes" | "true" | "1" | "on"
            );
            vec![json!({"value": b})]
        }
        "date" | "date_time" | "birthday" => return None,
        "textarea" => vec![json!({"value": multi_line(text, limits::LONG_TEXT)})],
        _ => vec![json!({"value": one_line(text, limits::TEXT_FIELD)})],
    };
    Some(json!({"field_id": field.id, "values": values}))
}

fn fields_json(
    specs: &[FieldSpec],
    r: &Request,
    lookup: impl Fn(&NameOrId) -> Option<Field>,
) -> Vec<Value> {
    specs
        .iter()
        .filter_map(|fs| {
            let f = lookup(&fs.field.value)?;
            cf_value(&f, &render_request(&fs.template.value, r))
        })
        .collect()
}

/// Builds what to send for one outbox row. `Err` = cannot be delivered as
/// configured (a name the account lacks): the row is quarantined with it.
pub fn plan(
    row: &OutboxRow,
    catalog: &Catalog,
    d: &Defaults,
    now_s: i64,
) -> Result<LeadPlan, String> {
    let r = &row.request;
    let spec = &row.spec;
    let pipeline = match &spec.pipeline {
        Some(p) => catalog
            .pipeline(&p.value)
            .ok_or_else(|| format!("{}: pipeline {:?} not found in amoCRM", p.loc, p.value))?,
        None => catalog
            .main_pipeline()
            .ok_or("the amoCRM account has no pipeline")?,
    };
    let status_id = match (r.action, &spec.status) {
        (Action::Trash, _) => Some(STATUS_LOST),
        (Action::Review, _) => None,
        (_, Some(s)) => {
            let st = pipeline.status(&s.value).ok_or_else(|| {
                format!(
                    "{}: status {:?} not in pipeline «{}»",
                    s.loc, s.value, pipeline.name
                )
            })?;
            (st.kind != super::catalog::STATUS_TYPE_UNSORTED).then_some(st.id)
        }
        (_, None) => None,
    };
    let unsorted_ok = pipeline.unsorted().is_some();
    let mode = if status_id.is_some()
        || (spec.create == CreateMode::Complex && r.action == Action::Lead)
        || !unsorted_ok
    {
        Mode::Complex
    } else {
        Mode::Unsorted
    };
    let responsible = if spec.responsible.is_empty() {
        match &d.responsible {
            Some(n) => Some(
                catalog
                    .user(n)
                    .ok_or_else(|| {
                        format!("[amocrm] responsible {n:?} is not a user of the account")
                    })?
                    .id,
            ),
            None => None,
        }
    } else {
        let pick = &spec.responsible[(row.rr_index.max(0) as usize) % spec.responsible.len()];
        Some(
            catalog
                .user(&pick.value)
                .ok_or_else(|| format!("{}: user {:?} not found in amoCRM", pick.loc, pick.value))?
                .id,
        )
    };
    let loss_reason = match (&spec.loss_reason, r.action) {
        (Some(l), Action::Trash) => Some(
            catalog
                .loss_reason(&l.value)
                .ok_or_else(|| format!("{}: loss reason {:?} not found in amoCRM", l.loc, l.value))?
                .id,
        ),
        _ => None,
    };

    let name = lead_name(spec, r, &row.key);

    let mut cfs = fields_json(&spec.lead_fields, r, |n| catalog.lead_field(n).cloned());
    if let Some(f) = catalog.lead_field(&NameOrId::Name(d.request_id_field.clone())) {
        cfs.retain(|v| v.get("field_id").and_then(Value::as_i64) != Some(f.id));
        cfs.push(json!({"field_id": f.id, "values": [{"value": row.key}]}));
    }
    let mut tags = lead_tags(spec, r, &d.review_tag);
    tags.push(row.key.clone());
    tags.dedup();

    let mut lead = Map::new();
    lead.insert("name".into(), json!(name));
    lead.insert("request_id".into(), json!(row.key));
    if let Some(u) = responsible {
        lead.insert("responsible_user_id".into(), json!(u));
    }
    if mode == Mode::Complex {
        lead.insert("pipeline_id".into(), json!(pipeline.id));
        if let Some(s) = status_id {
            lead.insert("status_id".into(), json!(s));
        }
    }
    if let Some(l) = loss_reason {
        lead.insert("loss_reason_id".into(), json!(l));
    }
    if !cfs.is_empty() {
        lead.insert("custom_fields_values".into(), Value::Array(cfs));
    }
    lead.insert(
        "_embedded".into(),
        json!({"tags": tags.iter().map(|t| json!({"name": t})).collect::<Vec<_>>()}),
    );

    // The contact: name, every phone (E.164), email, rule's contact fields.
    let mut phones: Vec<String> = Vec::new();
    for p in r.phone.iter().chain(r.phones.iter()) {
        if let Some(n) = normalise_phone(p)
            && !phones.contains(&n)
        {
            phones.push(n);
        }
    }
    let emails: Vec<String> = r
        .email
        .iter()
        .map(|e| one_line(e, limits::NAME).to_lowercase())
        .filter(|e| e.contains('@'))
        .collect();
    let mut ccf = Vec::new();
    if !phones.is_empty() {
        ccf.push(json!({"field_code": "PHONE", "values": phones.iter().map(|p| json!({"value": p})).collect::<Vec<_>>()}));
    }
    if !emails.is_empty() {
        ccf.push(json!({"field_code": "EMAIL", "values": emails.iter().map(|e| json!({"value": e})).collect::<Vec<_>>()}));
    }
    ccf.extend(fields_json(&spec.contact_fields, r, |n| {
        catalog.contact_field(n).cloned()
    }));
    let mut contact = Map::new();
    contact.insert(
        "name".into(),
        json!(one_line(&client_label(r), limits::NAME)),
    );
    if let Some(n) = &r.name {
        contact.insert("first_name".into(), json!(one_line(n, limits::NAME)));
    }
    if !ccf.is_empty() {
        contact.insert("custom_fields_values".into(), Value::Array(ccf));
    }

    let sent_at_s = r
        .meta
        .sent_at
        .as_deref()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second())
        .unwrap_or(row.received_at_ms / 1000);
    let form_name = one_line(
        r.form
            .as_deref()
            .or(r.rule.as_deref())
            .unwrap_or("Форма на сайте"),
        limits::NAME,
    );
    let mut metadata = Map::new();
    metadata.insert(
        "form_id".into(),
        json!(one_line(
            r.rule.as_deref().unwrap_or("amo-intake"),
            limits::NAME
        )),
    );
    metadata.insert("form_name".into(), json!(form_name));
    metadata.insert("form_sent_at".into(), json!(sent_at_s));
    let page = r.page.as_deref().map(|p| one_line(p, limits::NAME));
    let ip = r.meta.ip.as_deref().map(|p| one_line(p, limits::NAME));
    if let Some(p) = &page {
        metadata.insert("form_page".into(), json!(p));
    }
    if let Some(ip) = &ip {
        metadata.insert("ip".into(), json!(ip));
    }
    if let Some(src) = &r.utm.source {
        metadata.insert("referer".into(), json!(one_line(src, limits::NAME)));
    }

    let task = (r.action == Action::Lead).then(|| TaskPlan {
        text: match spec.task_text.as_deref().map(|t| render_request(t, r)) {
            Some(t) if !t.is_empty() => multi_line(&t, limits::LONG_TEXT),
            _ => "Перезвонить клиенту".into(),
        },
        responsible,
        complete_till: row
            .deadline_ms
            .map(|ms| ms / 1000)
            .unwrap_or(
                row.received_at_ms / 1000
                    + spec
                        .sla_secs
                        .map(|s| s as i64)
                        .unwrap_or(d.callback_within_s),
            )
            .max(now_s + 60),
    });

    Ok(LeadPlan {
        request_id: row.request_id,
        key: row.key.clone(),
        mode,
        lead: Value::Object(lead),
        metadata: Value::Object(metadata),
        pipeline_id: pipeline.id,
        new_contact: Value::Object(contact),
        phones10: phones.iter().filter_map(|p| phone10(p)).collect(),
        emails,
        note_text: note_text(r, &row.key),
        task,
        sent_at_s,
        form_name,
        page,
        ip,
    })
}

impl LeadPlan {
    fn contact_ref(&self, contact_id: Option<i64>) -> Value {
        match contact_id {
            Some(id) => json!({"id": id}),
            None => self.new_contact.clone(),
        }
    }

    /// One item of `POST /api/v4/leads/unsorted/forms`.
    pub fn unsorted_item(&self, contact_id: Option<i64>, source_name: &str) -> Value {
        json!({
            "source_uid": self.key,
            "source_name": source_name,
            "pipeline_id": self.pipeline_id,
            "created_at": self.sent_at_s,
            "request_id": self.key,
            "metadata": self.metadata,
            "_embedded": {"leads": [self.lead], "contacts": [self.contact_ref(contact_id)]},
        })
    }

    /// A `complex` item that still lands in Unsorted (`_embedded.metadata`
    /// with `category: forms`): the fallback when `unsorted/forms` refuses
    /// a duplicate (older accounts answer 400 instead of tagging it as one).
    pub fn complex_unsorted_item(&self, contact_id: Option<i64>) -> Value {
        let mut lead = self.complex_item(contact_id);
        if let Some(o) = lead.as_object_mut() {
            o.insert("pipeline_id".into(), json!(self.pipeline_id));
        }
        let mut meta = self.metadata.clone();
        if let Some(m) = meta.as_object_mut() {
            m.insert("category".into(), json!("forms"));
        }
        if let Some(emb) = lead.get_mut("_embedded").and_then(Value::as_object_mut) {
            emb.insert("metadata".into(), meta);
        }
        lead
    }

    /// One item of `POST /api/v4/leads/complex`.
    pub fn complex_item(&self, contact_id: Option<i64>) -> Value {
        let mut lead = self.lead.clone();
        if let Some(emb) = lead.get_mut("_embedded").and_then(Value::as_object_mut) {
            emb.insert("contacts".into(), json!([self.contact_ref(contact_id)]));
        }
        lead
    }
}

/// `POST /api/v4/tasks`: one task on a lead for user `responsible`, due at
/// `complete_till` (unix seconds). Used by the amoCRM alert channel.
pub fn lead_task_call(
    lead_id: i64,
    text: &str,
    complete_till: i64,
    responsible: i64,
) -> (&'static str, Value) {
    (
        "/api/v4/tasks",
        json!([{
            "text": text, "complete_till": complete_till, "entity_id": lead_id,
            "entity_type": "leads", "task_type_id": 1, "responsible_user_id": responsible,
        }]),
    )
}

/// `POST /api/v4/leads/notes`: one `common` note on a lead. Used by the
/// amoCRM alert channel.
pub fn lead_note_call(lead_id: i64, text: &str) -> (&'static str, Value) {
    (
        "/api/v4/leads/notes",
        json!([{"entity_id": lead_id, "note_type": "common", "params": {"text": text}}]),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn templates_and_phones() {
        let r = Request {
            name: Some("Иван".into()),
            kind: Kind::Measurement,
            ..Request::default()
        };
        assert_eq!(
            render_request("Заявка: {kind_ru} — {name}", &r),
            "Заявка: Замер — Иван"
        );
        assert_eq!(
            render_request("Заявка: {kind} — {email}", &r),
            "Заявка: measurement"
        );
        assert_eq!(
            normalise_phone("8 (999) 123-45-67").as_deref(),
            Some("+79991234567")
        );
        assert_eq!(
            normalise_phone("999 123 45 67").as_deref(),
            Some("+79991234567")
        );
        assert_eq!(phone10("+7 999 123-45-67").as_deref(), Some("9991234567"));
        assert_eq!(normalise_phone("12"), None);
    }

    #[test]
    fn note_has_every_field() {
        let r = Request {
            name: Some("Иван".into()),
            phones: vec!["+79991234567".into()],
            address: Some("ул. Ленина, 1".into()),
            fields: vec![("Площадь".into(), "20 м2".into())],
            meta: crate::request::RequestMeta {
                sender: Some("robot@tilda.ws".into()),
                subject: Some("Новая заявка".into()),
                ..Default::default()
            },
            ..Request::default()
        };
        let n = note_text(&r, "ai-1");
        for s in [
            "Письмо от: robot@tilda.ws",
            "Тема: Новая заявка",
            "Адрес: ул. Ленина, 1",
            "  Площадь: 20 м2",
            "ID заявки: ai-1",
        ] {
            assert!(n.contains(s), "{s} missing in {n}");
        }
    }

    #[test]
    fn values_are_cleaned_and_cut_to_amocrm_limits() {
        assert_eq!(one_line("Иван\u{0}\r\nПетров\t ", 255), "Иван Петров");
        assert_eq!(multi_line("a\r\nb\u{7}\tc", 100), "a\nb c");
        let long = "я".repeat(300);
        let c = one_line(&long, limits::TEXT_FIELD);
        assert_eq!(c.chars().count(), limits::TEXT_FIELD);
        assert!(c.ends_with('…'));
    }

    #[test]
    fn a_huge_message_gives_a_note_within_the_limit_ending_with_the_key() {
        let r = Request {
            message: Some("строка\n".repeat(50_000)),
            ..Request::default()
        };
        let n = note_text(&r, "ai-9");
        assert!(n.chars().count() <= limits::NOTE, "{}", n.chars().count());
        assert!(n.contains("[обрезано: ещё"), "no marker");
        assert!(n.ends_with("\nID заявки: ai-9"));
    }
}
