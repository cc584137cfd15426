//! What exists in the amoCRM account, by name: pipelines and their
//! statuses, users, lead and contact custom fields (with enum values) and
//! loss reasons. Loaded at start and on reload, refreshed hourly; rules name
//! things, this maps names to ids.

use serde::Serialize;
use serde_json::Value;

use super::client::{Client, CrmError};
use crate::rules::crm_spec::NameOrId;

/// amoCRM's fixed "won" and "lost" statuses of every pipeline.
pub const STATUS_WON: i64 = 142;
pub const STATUS_LOST: i64 = 143;
/// Status `type` of the Unsorted («Неразобранное») stage.
pub const STATUS_TYPE_UNSORTED: i64 = 1;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Status {
    pub id: i64,
    pub name: String,
    /// 1 = Unsorted, 0 = regular.
    pub kind: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pipeline {
    pub id: i64,
    pub name: String,
    pub is_main: bool,
    pub statuses: Vec<Status>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Field {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    /// amoCRM field type: text, numeric, select, multiselect, checkbox, …
    pub kind: String,
    pub enums: Vec<Named>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Catalog {
    pub pipelines: Vec<Pipeline>,
    pub users: Vec<Named>,
    pub lead_fields: Vec<Field>,
    pub contact_fields: Vec<Field>,
    pub loss_reasons: Vec<Named>,
    /// unix s of the load.
    pub loaded_at: i64,
}

/// Names compare case-insensitively, trimmed, with «ё» = «е».
pub fn norm(s: &str) -> String {
    s.trim().to_lowercase().replace('ё', "е")
}

fn int(v: &Value, k: &str) -> Option<i64> {
    match v.get(k)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn parse_field(v: &Value) -> Option<Field> {
    Some(Field {
        id: int(v, "id")?,
        name: text(v, "name"),
        code: v.get("code").and_then(Value::as_str).map(str::to_string),
        kind: text(v, "type"),
        enums: v
            .get("enums")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                Some(Named {
                    id: int(e, "id")?,
                    name: text(e, "value"),
                })
            })
            .collect(),
    })
}

impl Catalog {
    /// Loads everything from amoCRM (paginated).
    pub async fn load(client: &Client) -> Result<Catalog, CrmError> {
        let limit = || vec![("limit", "250".to_string())];
        let pipelines = client
            .get_all("/api/v4/leads/pipelines", &[], "pipelines")
            .await?
            .iter()
            .filter_map(|p| {
                let statuses = p
                    .pointer("/_embedded/statuses")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        Some(Status {
                            id: int(s, "id")?,
                            name: text(s, "name"),
                            kind: int(s, "type").unwrap_or(0),
                        })
                    })
                    .collect();
                Some(Pipeline {
                    id: int(p, "id")?,
                    name: text(p, "name"),
                    is_main: p.get("is_main").and_then(Value::as_bool).unwrap_or(false),
                    statuses,
                })
            })
            .collect();
        let named = |items: Vec<Value>| -> Vec<Named> {
            items
                .iter()
                .filter_map(|u| {
                    Some(Named {
                        id: int(u, "id")?,
                        name: text(u, "name"),
                    })
                })
                .collect()
        };
        let users = named(client.get_all("/api/v4/users", &limit(), "users").await?);
        let lead_fields = client
            .get_all("/api/v4/leads/custom_fields", &limit(), "custom_fields")
            .await?
            .iter()
            .filter_map(parse_field)
            .collect();
        let contact_fields = client
            .get_all("/api/v4/contacts/custom_fields", &limit(), "custom_fields")
            .await?
            .iter()
            .filter_map(parse_field)
            .collect();
        let loss_reasons = named(
            client
                .get_all("/api/v4/leads/loss_reasons", &limit(), "loss_reasons")
                .await?,
        );
        Ok(Catalog {
            pipelines,
            users,
            lead_fields,
            contact_fields,
            loss_reasons,
            loaded_at: jiff::Timestamp::now().as_second(),
        })
    }

    /// A stand-in account for `--dry-run` and the demo: the names a fresh
    /// amoCRM account has, plus the «ID заявки» field.
    pub fn builtin() -> Catalog {
        let st = |id, name: &str, kind| Status {
            id,
            name: name.into(),
            kind,
        };
        Catalog {
            pipelines: vec![Pipeline {
                id: 1,
                name: "Воронка".into(),
                is_main: true,
                statuses: vec![
                    st(10, "Неразобранное", 1),
                    st(11, "Первичный контакт", 0),
                    st(12, "Замер", 0),
                    st(13, "Думает", 0),
                    st(STATUS_WON, "Успешно реализовано", 0),
                    st(STATUS_LOST, "Закрыто и не реализовано", 0),
                ],
            }],
            users: vec![Named {
                id: 1,
                name: "Менеджер".into(),
            }],
            lead_fields: vec![Field {
                id: 100,
                name: "ID заявки".into(),
                code: None,
                kind: "text".into(),
                enums: vec![],
            }],
            contact_fields: vec![
                Field {
                    id: 200,
                    name: "Телефон".into(),
                    code: Some("PHONE".into()),
                    kind: "multitext".into(),
                    enums: vec![],
                },
                Field {
                    id: 201,
                    name: "Email".into(),
                    code: Some("EMAIL".into()),
                    kind: "multitext".into(),
                    enums: vec![],
                },
            ],
            loss_reasons: vec![Named {
                id: 1,
                name: "Не наш профиль".into(),
            }],
            loaded_at: 0,
        }
    }

    /// The account's main pipeline (`is_main`), else the first one.
    pub fn main_pipeline(&self) -> Option<&Pipeline> {
        self.pipelines
            .iter()
            .find(|p| p.is_main)
            .or_else(|| self.pipelines.first())
    }

    pub fn pipeline(&self, n: &NameOrId) -> Option<&Pipeline> {
        match n {
            NameOrId::Id(id) => self.pipelines.iter().find(|p| p.id == *id),
            NameOrId::Name(s) => self.pipelines.iter().find(|p| norm(&p.name) == norm(s)),
        }
    }

    pub fn user(&self, n: &NameOrId) -> Option<&Named> {
        find_named(&self.users, n)
    }

    pub fn loss_reason(&self, n: &NameOrId) -> Option<&Named> {
        find_named(&self.loss_reasons, n)
    }

    pub fn lead_field(&self, n: &NameOrId) -> Option<&Field> {
        find_field(&self.lead_fields, n)
    }

    pub fn contact_field(&self, n: &NameOrId) -> Option<&Field> {
        find_field(&self.contact_fields, n)
    }
}

impl Pipeline {
    /// The Unsorted stage (`type: 1`); absent when `is_unsorted_on` is off.
    pub fn unsorted(&self) -> Option<&Status> {
        self.statuses
            .iter()
            .find(|s| s.kind == STATUS_TYPE_UNSORTED)
    }

    pub fn status(&self, n: &NameOrId) -> Option<&Status> {
        match n {
            NameOrId::Id(id) => self.statuses.iter().find(|s| s.id == *id),
            NameOrId::Name(s) => self.statuses.iter().find(|st| norm(&st.name) == norm(s)),
        }
    }
}

fn find_named<'a>(list: &'a [Named], n: &NameOrId) -> Option<&'a Named> {
    match n {
        NameOrId::Id(id) => list.iter().find(|u| u.id == *id),
        NameOrId::Name(s) => list.iter().find(|u| norm(&u.name) == norm(s)),
    }
}

fn find_field<'a>(list: &'a [Field], n: &NameOrId) -> Option<&'a Field> {
    match n {
        NameOrId::Id(id) => list.iter().find(|f| f.id == *id),
        NameOrId::Name(s) => list.iter().find(|f| {
            norm(&f.name) == norm(s)
                || f.code
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(s.trim()))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lookups() {
        let c = Catalog::builtin();
        let main = c.main_pipeline().map(|p| p.id);
        assert_eq!(main, Some(1));
        let p = c.pipeline(&NameOrId::Name(" воронка ".into()));
        assert_eq!(p.and_then(|p| p.unsorted()).map(|s| s.id), Some(10));
        assert_eq!(
            p.and_then(|p| p.status(&NameOrId::Name("ЗАМЕР".into())))
                .map(|s| s.id),
            Some(12)
        );
        assert_eq!(
            c.contact_field(&NameOrId::Name("phone".into()))
                .map(|f| f.id),
            Some(200)
        );
        assert_eq!(
            c.lead_field(&NameOrId::Name("ID заявки".into()))
                .map(|f| f.id),
            Some(100)
        );
    }
}
