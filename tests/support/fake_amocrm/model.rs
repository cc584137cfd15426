//! Account state of the fake amoCRM: seed data (users, pipelines, fields) and
//! the entities the API creates. Plain data; the HTTP layer lives elsewhere.

use serde::Serialize;
use serde_json::{Value, json};

/// A user of the account (managers, head of sales, the integration's admin).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// A pipeline stage. `kind` is amoCRM's `type`: 1 = Unsorted, 0 = regular.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub id: i64,
    pub name: String,
    pub sort: i64,
    pub kind: i64,
    pub color: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pipeline {
    pub id: i64,
    pub name: String,
    pub sort: i64,
    pub is_main: bool,
    pub is_unsorted_on: bool,
    pub statuses: Vec<Status>,
}

impl Pipeline {
    /// The Unsorted stage (`type: 1`), present when `is_unsorted_on`.
    pub fn unsorted_status(&self) -> Option<&Status> {
        self.statuses.iter().find(|s| s.kind == 1)
    }
    /// First regular stage after Unsorted: where an accepted lead goes by default.
    pub fn first_regular_status(&self) -> Option<&Status> {
        self.statuses
            .iter()
            .filter(|s| s.kind == 0 && s.id != 142 && s.id != 143)
            .min_by_key(|s| s.sort)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldEnum {
    pub id: i64,
    pub value: String,
    pub sort: i64,
}

/// A custom field definition (`GET /api/v4/{leads|contacts}/custom_fields`).
#[derive(Debug, Clone, Serialize)]
pub struct CustomField {
    pub id: i64,
    pub name: String,
    /// `text`, `numeric`, `select`, `multiselect`, `multitext`, `date_time`, `url`, `textarea`, `checkbox`, `tracking_data`.
    pub field_type: String,
    pub code: Option<String>,
    pub sort: i64,
    pub enums: Vec<FieldEnum>,
}

impl CustomField {
    pub fn has_enums(&self) -> bool {
        !self.enums.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LossReason {
    pub id: i64,
    pub name: String,
    pub sort: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskType {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
}

/// One stored value of a custom field, normalised the way amoCRM returns it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CfValueItem {
    pub value: Value,
    pub enum_id: Option<i64>,
    pub enum_code: Option<String>,
}

/// A filled custom field on a lead or contact (`field_code` resolved to `field_id`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CfValue {
    pub field_id: i64,
    pub field_name: String,
    pub field_code: Option<String>,
    pub field_type: String,
    pub values: Vec<CfValueItem>,
}

impl CfValue {
    /// Values as display strings (numbers and booleans rendered as JSON).
    pub fn texts(&self) -> Vec<String> {
        self.values.iter().map(|v| value_text(&v.value)).collect()
    }
}

pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Find a field by id, name or code among filled values.
fn cf_lookup<'a>(cfs: &'a [CfValue], key: &str) -> Option<&'a CfValue> {
    cfs.iter().find(|c| {
        c.field_name == key || c.field_code.as_deref() == Some(key) || c.field_id.to_string() == key
    })
}

/// How a lead came to exist (for assertions on the creation path).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub enum Origin {
    /// `POST /api/v4/leads/unsorted/forms` (the unsorted item's uid).
    UnsortedForm(String),
    /// `POST /api/v4/leads/complex`.
    Complex,
    /// `POST /api/v4/leads`.
    Plain,
    /// Created by a test helper.
    Helper,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lead {
    pub id: i64,
    pub name: String,
    pub price: i64,
    pub status_id: i64,
    pub pipeline_id: i64,
    pub responsible_user_id: i64,
    pub loss_reason_id: Option<i64>,
    pub created_by: i64,
    pub updated_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub custom_fields_values: Vec<CfValue>,
    pub tags: Vec<String>,
    /// Linked contacts in link order; `main_contact_id` marks the main one.
    pub contact_ids: Vec<i64>,
    pub main_contact_id: Option<i64>,
    pub company_id: Option<i64>,
    pub request_id: Option<String>,
    pub origin: Origin,
}

impl Lead {
    /// Values of a custom field by name, code or id (empty when unset).
    pub fn field(&self, key: &str) -> Vec<String> {
        cf_lookup(&self.custom_fields_values, key)
            .map(CfValue::texts)
            .unwrap_or_default()
    }
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub responsible_user_id: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub custom_fields_values: Vec<CfValue>,
    pub tags: Vec<String>,
    pub request_id: Option<String>,
}

impl Contact {
    pub fn field(&self, key: &str) -> Vec<String> {
        cf_lookup(&self.custom_fields_values, key)
            .map(CfValue::texts)
            .unwrap_or_default()
    }
    pub fn phones(&self) -> Vec<String> {
        self.field("PHONE")
    }
    pub fn emails(&self) -> Vec<String> {
        self.field("EMAIL")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Company {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum UnsortedState {
    Pending,
    Accepted,
    Declined,
}

/// An item of «Неразобранное».
#[derive(Debug, Clone, Serialize)]
pub struct Unsorted {
    pub uid: String,
    pub source_uid: String,
    pub source_name: String,
    pub category: String,
    pub pipeline_id: i64,
    pub created_at: i64,
    pub request_id: Option<String>,
    pub metadata: Value,
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub company_id: Option<i64>,
    pub state: UnsortedState,
    /// Phone (last 10 digits) / email keys of its contact, for duplicate control.
    pub dup_keys: Vec<String>,
}

/// A note; `entity_type` is `leads` or `contacts`.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub id: i64,
    pub entity_type: String,
    pub entity_id: i64,
    pub note_type: String,
    pub params: Value,
    pub created_by: i64,
    pub responsible_user_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub request_id: Option<String>,
}

impl Note {
    pub fn text(&self) -> Option<&str> {
        self.params.get("text").and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: i64,
    pub text: String,
    pub complete_till: i64,
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    pub task_type_id: i64,
    pub responsible_user_id: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub duration: i64,
    pub is_completed: bool,
    pub result_text: Option<String>,
    pub request_id: Option<String>,
}

/// An event of `GET /api/v4/events`. `entity_type` is singular (`lead`, `contact`).
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: String,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub value_before: Value,
    pub value_after: Value,
}

/// Everything configurable about the seeded account.
#[derive(Debug, Clone)]
pub struct Seed {
    pub account_id: i64,
    pub subdomain: String,
    pub users: Vec<User>,
    pub pipelines: Vec<Pipeline>,
    pub lead_fields: Vec<CustomField>,
    pub contact_fields: Vec<CustomField>,
    pub loss_reasons: Vec<LossReason>,
    pub task_types: Vec<TaskType>,
}

fn st(id: i64, name: &str, sort: i64, kind: i64, color: &str) -> Status {
    Status {
        id,
        name: name.into(),
        sort,
        kind,
        color: color.into(),
    }
}

fn field(
    id: i64,
    name: &str,
    ty: &str,
    code: Option<&str>,
    sort: i64,
    enums: &[(i64, &str)],
) -> CustomField {
    CustomField {
        id,
        name: name.into(),
        field_type: ty.into(),
        code: code.map(Into::into),
        sort,
        enums: enums
            .iter()
            .enumerate()
            .map(|(i, (id, v))| FieldEnum {
                id: *id,
                value: (*v).into(),
                sort: (i as i64 + 1) * 2,
            })
            .collect(),
    }
}

/// Well-known ids of the standard seed, for tests that need them directly.
pub mod ids {
    pub const ACCOUNT: i64 = 31_000_001;
    pub const USER_ANNA: i64 = 5001;
    pub const USER_BORIS: i64 = 5002;
    pub const USER_VIKTOR: i64 = 5003;
    /// The account administrator the tokens act as (the integration's user).
    pub const USER_ADMIN: i64 = 5000;
    pub const PIPELINE_MAIN: i64 = 1001;
    pub const PIPELINE_SERVICE: i64 = 1002;
    pub const STATUS_UNSORTED: i64 = 10010;
    pub const STATUS_FIRST_CONTACT: i64 = 10011;
    pub const STATUS_MEASUREMENT: i64 = 10012;
    pub const STATUS_THINKING: i64 = 10013;
    pub const STATUS_SERVICE_UNSORTED: i64 = 10020;
    pub const STATUS_WON: i64 = 142;
    pub const STATUS_LOST: i64 = 143;
    pub const FIELD_PHONE: i64 = 2001;
    pub const FIELD_EMAIL: i64 = 2002;
    pub const FIELD_REQUEST_ID: i64 = 2101;
    pub const FIELD_SOURCE: i64 = 2102;
    pub const ENUM_SOURCE_SITE: i64 = 3101;
    pub const LOSS_NOT_TARGET: i64 = 4001;
}

impl Seed {
    /// The account every test gets unless it says otherwise: a main pipeline
    /// «Воронка» (Неразобранное, Первичный контакт, Замер, Думает, 142, 143
    /// renamed «Корзина» as this sales team calls it) and a second one «Сервис».
    pub fn standard() -> Seed {
        use ids::*;
        let users = vec![
            User {
                id: USER_ADMIN,
                name: "Администратор".into(),
                email: "admin@example.ru".into(),
                is_admin: true,
            },
            User {
                id: USER_ANNA,
                name: "Анна Менеджер".into(),
                email: "anna@example.ru".into(),
                is_admin: false,
            },
            User {
                id: USER_BORIS,
                name: "Борис Продавец".into(),
                email: "boris@example.ru".into(),
                is_admin: false,
            },
            User {
                id: USER_VIKTOR,
                name: "Виктор Руководитель".into(),
                email: "viktor@example.ru".into(),
                is_admin: true,
            },
        ];
        let pipelines = vec![
            Pipeline {
                id: PIPELINE_MAIN,
                name: "Воронка".into(),
                sort: 1,
                is_main: true,
                is_unsorted_on: true,
                statuses: vec![
                    st(STATUS_UNSORTED, "Неразобранное", 10, 1, "#c1c1c1"),
                    st(STATUS_FIRST_CONTACT, "Первичный контакт", 20, 0, "#99ccff"),
                    st(STATUS_MEASUREMENT, "Замер", 30, 0, "#ffff99"),
                    st(STATUS_THINKING, "Думает", 40, 0, "#ffcc66"),
                    st(STATUS_WON, "Успешно реализовано", 10000, 0, "#ccff66"),
                    st(STATUS_LOST, "Корзина", 11000, 0, "#d5d8db"),
                ],
            },
            Pipeline {
                id: PIPELINE_SERVICE,
                name: "Сервис".into(),
                sort: 2,
                is_main: false,
                is_unsorted_on: true,
                statuses: vec![
                    st(STATUS_SERVICE_UNSORTED, "Неразобранное", 10, 1, "#c1c1c1"),
                    st(10021, "Новая заявка", 20, 0, "#99ccff"),
                    st(10022, "В работе", 30, 0, "#ffff99"),
                    st(STATUS_WON, "Успешно реализовано", 10000, 0, "#ccff66"),
                    st(STATUS_LOST, "Закрыто и не реализовано", 11000, 0, "#d5d8db"),
                ],
            },
        ];
        let contact_fields = vec![
            field(
                FIELD_PHONE,
                "Телефон",
                "multitext",
                Some("PHONE"),
                4,
                &[
                    (3001, "WORK"),
                    (3002, "WORKDD"),
                    (3003, "MOB"),
                    (3004, "FAX"),
                    (3005, "HOME"),
                    (3006, "OTHER"),
                ],
            ),
            field(
                FIELD_EMAIL,
                "Email",
                "multitext",
                Some("EMAIL"),
                6,
                &[(3011, "WORK"), (3012, "PRIV"), (3013, "OTHER")],
            ),
            field(2003, "Должность", "text", Some("POSITION"), 2, &[]),
            field(2004, "Откуда узнали", "text", None, 8, &[]),
        ];
        let lead_fields = vec![
            field(FIELD_REQUEST_ID, "ID заявки", "text", None, 10, &[]),
            field(
                FIELD_SOURCE,
                "Источник",
                "select",
                None,
                20,
                &[
                    (ENUM_SOURCE_SITE, "Сайт"),
                    (3102, "Яндекс.Директ"),
                    (3103, "Google Ads"),
                    (3104, "Рекомендация"),
                ],
            ),
            field(2103, "Адрес объекта", "text", None, 30, &[]),
            field(2104, "Площадь, м²", "numeric", None, 40, &[]),
            field(2105, "Желаемое время замера", "text", None, 50, &[]),
            field(
                2106,
                "Продукт",
                "multiselect",
                None,
                60,
                &[
                    (3111, "Окна"),
                    (3112, "Потолки"),
                    (3113, "Мебель"),
                    (3114, "Ремонт"),
                ],
            ),
            field(2107, "Дата замера", "date_time", None, 70, &[]),
            field(2108, "Страница формы", "url", None, 80, &[]),
            field(
                2109,
                "utm_source",
                "tracking_data",
                Some("UTM_SOURCE"),
                90,
                &[],
            ),
            field(
                2110,
                "utm_medium",
                "tracking_data",
                Some("UTM_MEDIUM"),
                91,
                &[],
            ),
            field(
                2111,
                "utm_campaign",
                "tracking_data",
                Some("UTM_CAMPAIGN"),
                92,
                &[],
            ),
            field(
                2112,
                "utm_content",
                "tracking_data",
                Some("UTM_CONTENT"),
                93,
                &[],
            ),
            field(2113, "utm_term", "tracking_data", Some("UTM_TERM"), 94, &[]),
            field(2114, "Комментарий клиента", "textarea", None, 100, &[]),
        ];
        let loss_reasons = vec![
            LossReason {
                id: LOSS_NOT_TARGET,
                name: "Нецелевой запрос".into(),
                sort: 1,
            },
            LossReason {
                id: 4002,
                name: "Дорого".into(),
                sort: 2,
            },
            LossReason {
                id: 4003,
                name: "Спам".into(),
                sort: 3,
            },
        ];
        let task_types = vec![
            TaskType {
                id: 1,
                name: "Связаться".into(),
                code: Some("FOLLOW_UP".into()),
            },
            TaskType {
                id: 2,
                name: "Встреча".into(),
                code: Some("MEETING".into()),
            },
        ];
        Seed {
            account_id: ACCOUNT,
            subdomain: "test".into(),
            users,
            pipelines,
            lead_fields,
            contact_fields,
            loss_reasons,
            task_types,
        }
    }

    pub fn main_pipeline(&self) -> Option<&Pipeline> {
        self.pipelines
            .iter()
            .find(|p| p.is_main)
            .or(self.pipelines.first())
    }
}

/// Render a lead's custom fields in amoCRM's response shape (`null` when none).
pub(crate) fn cfs_json(cfs: &[CfValue]) -> Value {
    if cfs.is_empty() {
        return Value::Null;
    }
    Value::Array(
        cfs.iter()
            .map(|c| {
                json!({
                    "field_id": c.field_id,
                    "field_name": c.field_name,
                    "field_code": c.field_code,
                    "field_type": c.field_type,
                    "values": c.values.iter().map(|v| {
                        let mut o = json!({"value": v.value});
                        if let Some(e) = v.enum_id { o["enum_id"] = json!(e); }
                        if let Some(code) = &v.enum_code { o["enum_code"] = json!(code); }
                        o
                    }).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
