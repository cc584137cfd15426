//! The amoCRM API surface of the fake: routing and one function per endpoint,
//! over `State` (no I/O). Shapes follow amoCRM's API reference
//! (<https://www.amocrm.ru/developers/content/crm_platform/api-reference>)
//! where tests/vendor/amocrm-openapi is silent or wrong (see its README).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::auth::{AuthFailure, TokenKind};
use super::model::*;
use super::spec::{FieldError, spec};
use super::state::*;

/// An HTTP answer of the fake.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn hal(status: u16, v: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/hal+json".into(),
            headers: Vec::new(),
            body: v.to_string().into_bytes(),
        }
    }
    pub fn problem(status: u16, v: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/problem+json".into(),
            headers: Vec::new(),
            body: v.to_string().into_bytes(),
        }
    }
    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            content_type: "".into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: "".into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn html(status: u16, html: &str) -> Reply {
        Reply {
            status,
            content_type: "text/html".into(),
            headers: Vec::new(),
            body: html.as_bytes().to_vec(),
        }
    }
    pub fn with_header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

pub fn unauthorized_body() -> Value {
    json!({"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Неверный логин или пароль"})
}

pub fn revoked_body() -> Value {
    json!({"hint":"Token has been revoked","title":"Некорректный запрос","type":"https://developers.amocrm.ru/v3/errors/OAuthProblemJson","status":401,"detail":"В запросе отсутствует ряд параметров или параметры невалидны"})
}

pub fn internal_error_body() -> Value {
    json!({"title":"Internal Server Error","type":"https://httpstatus.es/500","status":500,"detail":"An unknown error occurred."})
}

pub const NGINX_403: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

fn not_found() -> Reply {
    Reply::problem(
        404,
        &json!({"title":"Not Found","type":"https://httpstatus.es/404","status":404,"detail":"Not Found"}),
    )
}

/// amoCRM's 400 body; `request_id` of each group names the failing batch item.
pub fn validation_body(errors: &[FieldError], body: Option<&Value>) -> Value {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for e in errors {
        let rid = match e.item {
            Some(i) => body
                .and_then(|b| b.get(i))
                .and_then(|it| it.get("request_id"))
                .and_then(Value::as_str)
                .map_or_else(|| i.to_string(), str::to_string),
            None => "0".to_string(),
        };
        let err = json!({"code": e.code, "path": e.path, "detail": e.detail});
        match groups.iter_mut().find(|(r, _)| *r == rid) {
            Some((_, v)) => v.push(err),
            None => groups.push((rid, vec![err])),
        }
    }
    json!({
        "validation-errors": groups.into_iter().map(|(r, e)| json!({"request_id": r, "errors": e})).collect::<Vec<_>>(),
        "title": "Bad Request",
        "type": "https://httpstatus.es/400",
        "status": 400,
        "detail": "Request validation failed",
    })
}

/// Why a handler did not succeed.
pub enum Fail {
    /// The client sent something amoCRM refuses: 400 + spec violation.
    Invalid(Vec<FieldError>),
    /// Any other answer (404, duplicate refusal…), not a client bug per se.
    Reply(Reply),
}

type Res = Result<Reply, Fail>;

fn fe(item: Option<usize>, code: &str, path: &str, detail: &str) -> FieldError {
    FieldError {
        item,
        code: code.to_string(),
        path: path.to_string(),
        detail: detail.to_string(),
    }
}

fn choice(item: Option<usize>, path: &str) -> FieldError {
    fe(
        item,
        "NotSupportedChoice",
        path,
        "The value you selected is not a valid choice.",
    )
}

fn missing(item: Option<usize>, path: &str) -> FieldError {
    fe(item, "FieldMissing", path, "This field is missing.")
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

// ---- query strings ---------------------------------------------------------

/// Parsed query string with amoCRM's bracket conventions.
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> Query {
        Query(
            url::form_urlencoded::parse(raw.as_bytes())
                .into_owned()
                .collect(),
        )
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// All values of `key`, `key[]`, `key[N]`, each split on commas.
    pub fn list(&self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in &self.0 {
            let Some(rest) = k.strip_prefix(key) else {
                continue;
            };
            let plain = rest.is_empty()
                || rest == "[]"
                || (rest.starts_with('[')
                    && rest.ends_with(']')
                    && rest[1..rest.len() - 1].chars().all(|c| c.is_ascii_digit()));
            if plain {
                out.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
            }
        }
        out
    }
    pub fn with(&self) -> Vec<String> {
        self.list("with")
    }
}

// ---- entry point -----------------------------------------------------------

/// Execute one request against the state (auth, validation, routing).
pub fn handle(
    st: &mut State,
    method: &str,
    path: &str,
    raw_query: &str,
    raw_body: &str,
    auth: Option<&str>,
    content_type: &str,
) -> Reply {
    if method == "POST" && path == "/oauth2/access_token" {
        return oauth(st, raw_body, content_type);
    }
    let now = st.now();
    let user = match st.tokens.check(auth, now) {
        Ok(u) => u,
        Err(AuthFailure::Revoked) => return Reply::problem(401, &revoked_body()),
        Err(_) => return Reply::problem(401, &unauthorized_body()),
    };
    let body: Option<Value> = if raw_body.trim().is_empty() {
        None
    } else {
        match serde_json::from_str(raw_body) {
            Ok(v) => Some(v),
            Err(e) => {
                let errs = vec![fe(
                    None,
                    "InvalidJson",
                    "",
                    &format!("Body is not JSON: {e}"),
                )];
                st.record_violation(method, path, "json", raw_body, &errs);
                return Reply::problem(400, &validation_body(&errs, None));
            }
        }
    };
    if body.is_some() && !content_type.contains("json") {
        let errs = vec![fe(
            None,
            "InvalidContentType",
            "",
            &format!("Content-Type must be application/json, got {content_type:?}"),
        )];
        st.record_violation(method, path, "content-type", raw_body, &errs);
        return Reply::problem(400, &validation_body(&errs, None));
    }
    if let Some(b) = &body {
        let sp = spec();
        if let Some(errs) = sp.validate(method, path, b)
            && !errs.is_empty()
        {
            let op = sp.operation_id(method, path).unwrap_or_default();
            st.record_violation(method, path, &op, raw_body, &errs);
            return Reply::problem(400, &validation_body(&errs, Some(b)));
        }
    }
    let q = Query::parse(raw_query);
    let ctx = Ctx {
        method,
        path,
        q,
        body: body.as_ref(),
        user,
    };
    match route(st, &ctx) {
        Ok(r) => r,
        Err(Fail::Reply(r)) => r,
        Err(Fail::Invalid(errs)) => {
            st.record_violation(method, path, "by-hand", raw_body, &errs);
            Reply::problem(400, &validation_body(&errs, body.as_ref()))
        }
    }
}

pub struct Ctx<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub q: Query,
    pub body: Option<&'a Value>,
    pub user: i64,
}

fn id_of(s: &str) -> Result<i64, Fail> {
    s.parse::<i64>().map_err(|_| Fail::Reply(not_found()))
}

fn route(st: &mut State, c: &Ctx) -> Res {
    let segs: Vec<&str> = c.path.trim_matches('/').split('/').collect();
    let Some(rest) = segs.strip_prefix(&["api", "v4"]) else {
        return Ok(not_found());
    };
    match (c.method, rest) {
        ("GET", ["account"]) => Ok(account(st, c)),
        ("GET", ["leads", "pipelines"]) => Ok(pipelines(st)),
        ("GET", ["leads", "pipelines", id]) => {
            let id = id_of(id)?;
            let p = st.pipeline(id).ok_or(Fail::Reply(Reply::no_content()))?;
            Ok(Reply::hal(200, &pipeline_json(st, p)))
        }
        ("GET", ["leads", "pipelines", id, "statuses"]) => {
            let id = id_of(id)?;
            let p = st.pipeline(id).ok_or(Fail::Reply(Reply::no_content()))?;
            let statuses = pipeline_json(st, p)["_embedded"]["statuses"].clone();
            Ok(Reply::hal(
                200,
                &json!({"_total_items": p.statuses.len(), "_links": st.link(c.path), "_embedded": {"statuses": statuses}}),
            ))
        }
        ("GET", ["users"]) => {
            let items: Vec<Value> = st.seed.users.iter().map(|u| user_json(st, u)).collect();
            paginate(st, c, items, "users", 250, true)
        }
        ("GET", ["users", id]) => {
            let id = id_of(id)?;
            let u = st
                .seed
                .users
                .iter()
                .find(|u| u.id == id)
                .ok_or(Fail::Reply(Reply::no_content()))?;
            Ok(Reply::hal(200, &user_json(st, u)))
        }
        ("GET", [et @ ("leads" | "contacts" | "companies"), "custom_fields"]) => {
            let defs = match *et {
                "leads" => st.seed.lead_fields.clone(),
                "contacts" => st.seed.contact_fields.clone(),
                _ => Vec::new(),
            };
            let items: Vec<Value> = defs.iter().map(|f| field_json(st, f, et)).collect();
            paginate(st, c, items, "custom_fields", 250, true)
        }
        ("GET", ["leads", "loss_reasons"]) => {
            let items: Vec<Value> = st
                .seed
                .loss_reasons
                .iter()
                .map(|r| json!({"id": r.id, "name": r.name, "sort": r.sort, "created_at": 1_600_000_000, "updated_at": 1_600_000_000, "_links": st.link(&format!("/api/v4/leads/loss_reasons/{}", r.id))}))
                .collect();
            paginate(st, c, items, "loss_reasons", 250, true)
        }
        ("POST", ["leads", "unsorted", "forms"]) => unsorted_forms(st, c),
        ("GET", ["leads", "unsorted"]) => unsorted_list(st, c),
        ("GET", ["leads", "unsorted", uid]) => {
            let u = st
                .unsorted
                .iter()
                .find(|u| u.uid == *uid)
                .ok_or(Fail::Reply(Reply::no_content()))?;
            Ok(Reply::hal(200, &st.unsorted_json(u)))
        }
        ("POST", ["leads", "unsorted", uid, "accept"]) => unsorted_accept(st, c, uid),
        ("DELETE", ["leads", "unsorted", uid, "decline"]) => unsorted_decline(st, c, uid),
        ("POST", ["leads", "complex"]) => complex(st, c),
        ("POST", ["leads", "link"]) => link_bulk(st, c),
        ("POST", [et @ ("leads" | "contacts"), "notes"]) => notes_create(st, c, et, None),
        ("GET", [et @ ("leads" | "contacts"), "notes"]) => notes_list(st, c, et, None),
        ("GET", ["leads"]) => leads_list(st, c),
        ("POST", ["leads"]) => leads_create(st, c),
        ("PATCH", ["leads"]) => leads_update(st, c),
        ("GET", ["leads", id]) => {
            let id = id_of(id)?;
            let l = st.leads.get(&id).ok_or(Fail::Reply(Reply::no_content()))?;
            Ok(Reply::hal(200, &st.lead_json(l, &c.q.with())))
        }
        ("PATCH", ["leads", id]) => lead_update_one(st, c, id_of(id)?),
        ("POST", ["leads", id, "link"]) => link_one(st, c, id_of(id)?),
        ("POST", [et @ ("leads" | "contacts"), id, "notes"]) => {
            notes_create(st, c, et, Some(id_of(id)?))
        }
        ("GET", [et @ ("leads" | "contacts"), id, "notes"]) => {
            notes_list(st, c, et, Some(id_of(id)?))
        }
        ("GET", ["contacts"]) => contacts_list(st, c),
        ("POST", ["contacts"]) => contacts_create(st, c),
        ("PATCH", ["contacts"]) => contacts_update(st, c, None),
        ("GET", ["contacts", id]) => {
            let id = id_of(id)?;
            let x = st
                .contacts
                .get(&id)
                .ok_or(Fail::Reply(Reply::no_content()))?;
            Ok(Reply::hal(200, &st.contact_json(x, &c.q.with())))
        }
        ("PATCH", ["contacts", id]) => contacts_update(st, c, Some(id_of(id)?)),
        ("GET", ["tasks"]) => tasks_list(st, c),
        ("POST", ["tasks"]) => tasks_create(st, c),
        ("PATCH", ["tasks"]) => tasks_update(st, c, None),
        ("GET", ["tasks", id]) => {
            let id = id_of(id)?;
            let t = st.tasks.get(&id).ok_or(Fail::Reply(Reply::no_content()))?;
            Ok(Reply::hal(200, &st.task_json(t)))
        }
        ("PATCH", ["tasks", id]) => tasks_update(st, c, Some(id_of(id)?)),
        ("GET", ["events"]) => events_list(st, c),
        _ => {
            // A request to an endpoint amoCRM (or this fake) lacks is a client bug.
            let op = spec()
                .operation_id(c.method, c.path)
                .map_or("unknown-endpoint".to_string(), |op| {
                    format!("not-in-fake:{op}")
                });
            let errs = vec![fe(None, "NotFound", c.path, "No such endpoint.")];
            st.record_violation(c.method, c.path, &op, "", &errs);
            Ok(not_found())
        }
    }
}

// ---- pagination ------------------------------------------------------------

/// Page a list with `page`/`limit` and HAL `_links` (`next` while more remain);
/// 204 when the page is empty. `FakeOptions::page_size` caps the page.
fn paginate(
    st: &State,
    c: &Ctx,
    items: Vec<Value>,
    key: &str,
    max_limit: usize,
    totals: bool,
) -> Res {
    let mut errs = Vec::new();
    let limit = match c.q.get("limit") {
        None => 50.min(max_limit),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n >= 1 && n <= max_limit => n,
            _ => {
                errs.push(fe(
                    None,
                    "InvalidValue",
                    "limit",
                    &format!("limit must be 1..={max_limit}"),
                ));
                0
            }
        },
    };
    let page = match c.q.get("page") {
        None => 1,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                errs.push(fe(
                    None,
                    "InvalidValue",
                    "page",
                    "page must be a positive integer",
                ));
                0
            }
        },
    };
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let size = st.page_size.map_or(limit, |p| p.min(limit)).max(1);
    let start = (page - 1).saturating_mul(size);
    if start >= items.len() {
        return Ok(Reply::no_content());
    }
    let end = (start + size).min(items.len());
    let href = |p: usize| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &c.q.0 {
            if k != "page" && k != "limit" {
                ser.append_pair(k, v);
            }
        }
        ser.append_pair("page", &p.to_string());
        ser.append_pair("limit", &size.to_string());
        json!({"href": format!("{}{}?{}", st.base_url, c.path, ser.finish())})
    };
    let mut links = json!({"self": href(page)});
    if end < items.len() {
        links["next"] = href(page + 1);
    }
    if page > 1 {
        links["prev"] = href(page - 1);
    }
    let total = items.len();
    let mut out =
        json!({"_page": page, "_links": links, "_embedded": {key: items[start..end].to_vec()}});
    if totals {
        out["_total_items"] = json!(total);
        out["_page_count"] = json!(total.div_ceil(size));
    }
    Ok(Reply::hal(200, &out))
}

// ---- discovery -------------------------------------------------------------

fn account(st: &State, c: &Ctx) -> Reply {
    let with = c.q.with();
    let mut v = json!({
        "id": st.seed.account_id,
        "name": "Тестовый аккаунт",
        "subdomain": st.seed.subdomain,
        "created_at": 1_600_000_000,
        "created_by": st.api_user_id,
        "updated_at": 1_600_000_000,
        "updated_by": st.api_user_id,
        "current_user_id": c.user,
        "country": "RU",
        "currency": "RUB",
        "currency_symbol": "₽",
        "customers_mode": "disabled",
        "is_unsorted_on": true,
        "mobile_feature_version": 0,
        "is_loss_reason_enabled": true,
        "is_helpbot_enabled": false,
        "is_technical_account": false,
        "contact_name_display_order": 1,
        "_links": st.link("/api/v4/account"),
    });
    let mut emb = json!({});
    if with.iter().any(|w| w == "datetime_settings") {
        emb["datetime_settings"] = json!({
            "date_pattern": "d.m.Y H:i", "short_date_pattern": "d.m.Y", "short_time_pattern": "H:i",
            "date_format": "d.m.Y", "time_format": "H:i:s", "timezone": "Europe/Moscow", "timezone_offset": "+03:00"
        });
    }
    if with.iter().any(|w| w == "task_types") {
        emb["task_types"] = Value::Array(
            st.seed.task_types.iter().map(|t| json!({"id": t.id, "name": t.name, "color": null, "icon_id": null, "code": t.code})).collect(),
        );
    }
    if with.iter().any(|w| w == "users_groups") {
        emb["users_groups"] = json!([{"id": 0, "name": "Отдел продаж", "uuid": null}]);
    }
    if with.iter().any(|w| w == "is_api_filter_enabled") {
        v["is_api_filter_enabled"] = json!(false);
    }
    v["_embedded"] = emb;
    Reply::hal(200, &v)
}

fn pipeline_json(st: &State, p: &Pipeline) -> Value {
    json!({
        "id": p.id, "name": p.name, "sort": p.sort, "is_main": p.is_main,
        "is_unsorted_on": p.is_unsorted_on, "is_archive": false, "account_id": st.seed.account_id,
        "_links": st.link(&format!("/api/v4/leads/pipelines/{}", p.id)),
        "_embedded": {"statuses": p.statuses.iter().map(|s| json!({
            "id": s.id, "name": s.name, "sort": s.sort, "is_editable": s.kind == 0 && s.id != 142 && s.id != 143,
            "pipeline_id": p.id, "color": s.color, "type": s.kind, "account_id": st.seed.account_id,
            "_links": st.link(&format!("/api/v4/leads/pipelines/{}/statuses/{}", p.id, s.id)),
        })).collect::<Vec<_>>()},
    })
}

fn pipelines(st: &State) -> Reply {
    let items: Vec<Value> = st
        .seed
        .pipelines
        .iter()
        .map(|p| pipeline_json(st, p))
        .collect();
    Reply::hal(
        200,
        &json!({"_total_items": items.len(), "_links": st.link("/api/v4/leads/pipelines"), "_embedded": {"pipelines": items}}),
    )
}

fn user_json(st: &State, u: &User) -> Value {
    json!({
        "id": u.id, "name": u.name, "email": u.email, "lang": "ru",
        "rights": {"is_admin": u.is_admin, "is_free": false, "is_active": true, "group_id": null, "role_id": null},
        "_links": st.link(&format!("/api/v4/users/{}", u.id)),
    })
}

fn field_json(st: &State, f: &CustomField, et: &str) -> Value {
    json!({
        "id": f.id, "name": f.name, "type": f.field_type, "account_id": st.seed.account_id, "code": f.code,
        "sort": f.sort, "is_api_only": false,
        "enums": if f.enums.is_empty() { Value::Null } else {
            Value::Array(f.enums.iter().map(|e| json!({"id": e.id, "value": e.value, "sort": e.sort})).collect())
        },
        "group_id": null, "required_statuses": [], "is_deletable": f.code.is_none(), "is_predefined": f.code.is_some(),
        "entity_type": et, "remind": null,
        "_links": st.link(&format!("/api/v4/{et}/custom_fields/{}", f.id)),
    })
}

// ---- shared parsing of entity bodies -----------------------------------------

fn items<'a>(c: &'a Ctx) -> Result<&'a Vec<Value>, Fail> {
    match c.body {
        Some(Value::Array(a)) if !a.is_empty() => Ok(a),
        Some(Value::Array(_)) => Err(Fail::Invalid(vec![fe(
            None,
            "InvalidValue",
            "",
            "Empty batch.",
        )])),
        Some(_) => Err(Fail::Invalid(vec![fe(
            None,
            "InvalidType",
            "",
            "Body must be a JSON array.",
        )])),
        None => Err(Fail::Invalid(vec![missing(None, "")])),
    }
}

fn rid(item: &Value, i: usize) -> String {
    item.get("request_id")
        .and_then(Value::as_str)
        .map_or_else(|| i.to_string(), str::to_string)
}

fn opt_i64(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

fn opt_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Normalise `custom_fields_values`, checking field ids/codes and enums.
fn norm_cfs(
    defs: &[CustomField],
    raw: Option<&Value>,
    item: Option<usize>,
    prefix: &str,
    errs: &mut Vec<FieldError>,
) -> Vec<CfValue> {
    let mut out: Vec<CfValue> = Vec::new();
    let Some(arr) = raw.and_then(Value::as_array) else {
        return out;
    };
    for (i, cf) in arr.iter().enumerate() {
        let p = join(prefix, &format!("custom_fields_values.{i}"));
        let def = if let Some(id) = opt_i64(cf, "field_id") {
            let d = defs.iter().find(|d| d.id == id);
            if d.is_none() {
                errs.push(choice(item, &join(&p, "field_id")));
            }
            d
        } else if let Some(code) = opt_str(cf, "field_code") {
            let d = defs.iter().find(|d| d.code.as_deref() == Some(code));
            if d.is_none() {
                errs.push(choice(item, &join(&p, "field_code")));
            }
            d
        } else {
            errs.push(missing(item, &join(&p, "field_id")));
            None
        };
        let Some(def) = def else { continue };
        let mut values = Vec::new();
        let raw_values = cf
            .get("values")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if def.field_type == "select" && raw_values.len() > 1 {
            errs.push(fe(
                item,
                "InvalidValue",
                &join(&p, "values"),
                "A select field takes one value.",
            ));
        }
        for (j, v) in raw_values.iter().enumerate() {
            let vp = join(&p, &format!("values.{j}"));
            match def.field_type.as_str() {
                "select" | "multiselect" | "radiobutton" => {
                    let e = if let Some(eid) = opt_i64(v, "enum_id") {
                        def.enums.iter().find(|e| e.id == eid)
                    } else if let Some(code) = opt_str(v, "enum_code") {
                        def.enums.iter().find(|e| e.value == code)
                    } else if let Some(text) = opt_str(v, "value") {
                        def.enums.iter().find(|e| e.value == text)
                    } else {
                        None
                    };
                    match e {
                        Some(e) => values.push(CfValueItem {
                            value: json!(e.value),
                            enum_id: Some(e.id),
                            enum_code: None,
                        }),
                        None => errs.push(choice(
                            item,
                            &join(
                                &vp,
                                if v.get("enum_id").is_some() {
                                    "enum_id"
                                } else {
                                    "value"
                                },
                            ),
                        )),
                    }
                }
                "multitext" => {
                    let Some(text) = opt_str(v, "value") else {
                        errs.push(fe(
                            item,
                            "InvalidType",
                            &join(&vp, "value"),
                            "This value should be of type string.",
                        ));
                        continue;
                    };
                    let mut e = None;
                    // enum_id 0 is the PHP library's "unset" (amoCRM docs, custom-fields).
                    if let Some(eid) = opt_i64(v, "enum_id").filter(|id| *id != 0) {
                        e = def.enums.iter().find(|x| x.id == eid);
                        if e.is_none() {
                            errs.push(choice(item, &join(&vp, "enum_id")));
                        }
                    } else if let Some(code) = opt_str(v, "enum_code") {
                        e = def.enums.iter().find(|x| x.value == code);
                        if e.is_none() {
                            errs.push(choice(item, &join(&vp, "enum_code")));
                        }
                    }
                    let e = e.or_else(|| def.enums.first());
                    values.push(CfValueItem {
                        value: json!(text),
                        enum_id: e.map(|x| x.id),
                        enum_code: e.map(|x| x.value.clone()),
                    });
                }
                "numeric" => {
                    let ok = match v.get("value") {
                        Some(Value::Number(_)) => true,
                        Some(Value::String(s)) => s.trim().replace(',', ".").parse::<f64>().is_ok(),
                        _ => false,
                    };
                    if ok {
                        values.push(CfValueItem {
                            value: v.get("value").cloned().unwrap_or(Value::Null),
                            enum_id: None,
                            enum_code: None,
                        });
                    } else {
                        errs.push(fe(
                            item,
                            "InvalidType",
                            &join(&vp, "value"),
                            "This value should be numeric.",
                        ));
                    }
                }
                "checkbox" => match v.get("value") {
                    Some(Value::Bool(b)) => values.push(CfValueItem {
                        value: json!(b),
                        enum_id: None,
                        enum_code: None,
                    }),
                    _ => errs.push(fe(
                        item,
                        "InvalidType",
                        &join(&vp, "value"),
                        "This value should be of type bool.",
                    )),
                },
                "date" | "date_time" | "birthday" => match v.get("value") {
                    Some(Value::Number(n)) if n.is_i64() => values.push(CfValueItem {
                        value: json!(n),
                        enum_id: None,
                        enum_code: None,
                    }),
                    Some(Value::String(s)) if s.len() >= 10 => values.push(CfValueItem {
                        value: json!(s),
                        enum_id: None,
                        enum_code: None,
                    }),
                    _ => errs.push(fe(
                        item,
                        "InvalidType",
                        &join(&vp, "value"),
                        "This value should be a timestamp.",
                    )),
                },
                _ => match v.get("value") {
                    Some(Value::String(s)) => values.push(CfValueItem {
                        value: json!(s),
                        enum_id: None,
                        enum_code: None,
                    }),
                    Some(Value::Number(n)) => values.push(CfValueItem {
                        value: json!(n.to_string()),
                        enum_id: None,
                        enum_code: None,
                    }),
                    _ => errs.push(fe(
                        item,
                        "InvalidType",
                        &join(&vp, "value"),
                        "This value should be of type string.",
                    )),
                },
            }
        }
        out.retain(|x| x.field_id != def.id);
        out.push(CfValue {
            field_id: def.id,
            field_name: def.name.clone(),
            field_code: def.code.clone(),
            field_type: def.field_type.clone(),
            values,
        });
    }
    out
}

/// Merge updated custom fields into existing ones (empty values clear a field).
fn merge_cfs(existing: &mut Vec<CfValue>, updates: Vec<CfValue>) {
    for u in updates {
        existing.retain(|x| x.field_id != u.field_id);
        if !u.values.is_empty() {
            existing.push(u);
        }
    }
}

/// Tag list `[{"name"}|{"id"}]` → names (unknown ids are errors).
fn parse_tags(
    st: &State,
    raw: Option<&Value>,
    item: Option<usize>,
    path: &str,
    errs: &mut Vec<FieldError>,
) -> Option<Vec<String>> {
    let arr = raw?.as_array()?;
    let mut out = Vec::new();
    for (i, t) in arr.iter().enumerate() {
        if let Some(name) = opt_str(t, "name").filter(|n| !n.trim().is_empty()) {
            out.push(name.to_string());
        } else if let Some(id) = opt_i64(t, "id") {
            match st.tag_name(id) {
                Some(n) => out.push(n),
                None => errs.push(choice(item, &format!("{path}.{i}.id"))),
            }
        } else {
            errs.push(missing(item, &format!("{path}.{i}.name")));
        }
    }
    Some(out)
}

fn check_user(
    st: &State,
    v: &Value,
    key: &str,
    item: Option<usize>,
    prefix: &str,
    errs: &mut Vec<FieldError>,
) -> Option<i64> {
    let id = opt_i64(v, key)?;
    if !st.user_exists(id) {
        errs.push(choice(item, &join(prefix, key)));
    }
    Some(id)
}

/// Resolve pipeline + status of a lead; `unsorted_ok` allows the Unsorted stage.
fn resolve_status(
    st: &State,
    v: &Value,
    item: Option<usize>,
    prefix: &str,
    unsorted_ok: bool,
    errs: &mut Vec<FieldError>,
) -> (i64, i64) {
    let pid = opt_i64(v, "pipeline_id");
    let sid = opt_i64(v, "status_id");
    let pipeline = match pid {
        Some(p) => match st.pipeline(p) {
            Some(p) => Some(p),
            None => {
                errs.push(choice(item, &join(prefix, "pipeline_id")));
                return (0, 0);
            }
        },
        None => None,
    };
    match sid {
        Some(s) => {
            let found = match pipeline {
                Some(p) => p.statuses.iter().find(|x| x.id == s).map(|x| (p.id, x)),
                None => {
                    let main = st.seed.main_pipeline();
                    main.and_then(|p| p.statuses.iter().find(|x| x.id == s).map(|x| (p.id, x)))
                        .or_else(|| {
                            st.seed.pipelines.iter().find_map(|p| {
                                p.statuses.iter().find(|x| x.id == s).map(|x| (p.id, x))
                            })
                        })
                }
            };
            match found {
                Some((p, x)) if x.kind == 0 || unsorted_ok => (p, x.id),
                _ => {
                    errs.push(choice(item, &join(prefix, "status_id")));
                    (0, 0)
                }
            }
        }
        None => {
            let p = pipeline.or(st.seed.main_pipeline());
            p.and_then(|p| p.first_regular_status().map(|s| (p.id, s.id)))
                .unwrap_or_default()
        }
    }
}

struct LeadDraft {
    name: Option<String>,
    price: i64,
    pipeline_id: i64,
    status_id: i64,
    responsible: i64,
    loss_reason_id: Option<i64>,
    cfs: Vec<CfValue>,
    tags: Vec<String>,
    request_id: Option<String>,
}

fn lead_draft(
    st: &State,
    v: &Value,
    item: Option<usize>,
    prefix: &str,
    unsorted_ok: bool,
    actor: i64,
    errs: &mut Vec<FieldError>,
) -> LeadDraft {
    let (pipeline_id, status_id) = resolve_status(st, v, item, prefix, unsorted_ok, errs);
    let responsible = check_user(st, v, "responsible_user_id", item, prefix, errs).unwrap_or(actor);
    check_user(st, v, "created_by", item, prefix, errs);
    let loss_reason_id = opt_i64(v, "loss_reason_id");
    if let Some(lr) = loss_reason_id
        && !st.seed.loss_reasons.iter().any(|r| r.id == lr)
    {
        errs.push(choice(item, &join(prefix, "loss_reason_id")));
    }
    let cfs = norm_cfs(
        &st.seed.lead_fields,
        v.get("custom_fields_values"),
        item,
        prefix,
        errs,
    );
    let mut tags = parse_tags(
        st,
        v.pointer("/_embedded/tags"),
        item,
        &join(prefix, "_embedded.tags"),
        errs,
    )
    .unwrap_or_default();
    if let Some(add) = parse_tags(
        st,
        v.get("tags_to_add"),
        item,
        &join(prefix, "tags_to_add"),
        errs,
    ) {
        for t in add {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
    }
    LeadDraft {
        name: opt_str(v, "name").map(str::to_string),
        price: opt_i64(v, "price").unwrap_or(0),
        pipeline_id,
        status_id,
        responsible,
        loss_reason_id,
        cfs,
        tags,
        request_id: opt_str(v, "request_id").map(str::to_string),
    }
}

fn insert_lead(st: &mut State, d: LeadDraft, origin: Origin, actor: i64) -> i64 {
    let id = st.new_id();
    let now = st.now();
    for t in &d.tags {
        st.tag_id(t);
    }
    let closed = d.status_id == 142 || d.status_id == 143;
    st.leads.insert(
        id,
        Lead {
            id,
            name: d
                .name
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("Сделка #{id}")),
            price: d.price,
            status_id: d.status_id,
            pipeline_id: d.pipeline_id,
            responsible_user_id: d.responsible,
            loss_reason_id: d.loss_reason_id,
            created_by: actor,
            updated_by: actor,
            created_at: now,
            updated_at: now,
            closed_at: closed.then_some(now),
            custom_fields_values: d.cfs,
            tags: d.tags,
            contact_ids: Vec::new(),
            main_contact_id: None,
            company_id: None,
            request_id: d.request_id,
            origin,
        },
    );
    st.emit("lead_added", "lead", id, actor, None, json!([]), json!([]));
    id
}

struct ContactDraft {
    existing: Option<i64>,
    name: String,
    first_name: String,
    last_name: String,
    responsible: i64,
    cfs: Vec<CfValue>,
    tags: Vec<String>,
    request_id: Option<String>,
}

fn contact_draft(
    st: &State,
    v: &Value,
    item: Option<usize>,
    prefix: &str,
    actor: i64,
    errs: &mut Vec<FieldError>,
) -> ContactDraft {
    let existing = opt_i64(v, "id");
    if let Some(id) = existing
        && !st.contacts.contains_key(&id)
    {
        errs.push(choice(item, &join(prefix, "id")));
    }
    let responsible = check_user(st, v, "responsible_user_id", item, prefix, errs).unwrap_or(actor);
    let cfs = norm_cfs(
        &st.seed.contact_fields,
        v.get("custom_fields_values"),
        item,
        prefix,
        errs,
    );
    let mut tags = parse_tags(
        st,
        v.pointer("/_embedded/tags"),
        item,
        &join(prefix, "_embedded.tags"),
        errs,
    )
    .unwrap_or_default();
    if let Some(add) = parse_tags(
        st,
        v.get("tags_to_add"),
        item,
        &join(prefix, "tags_to_add"),
        errs,
    ) {
        tags.extend(add);
    }
    let first_name = opt_str(v, "first_name").unwrap_or("").to_string();
    let last_name = opt_str(v, "last_name").unwrap_or("").to_string();
    let name = opt_str(v, "name")
        .map(str::to_string)
        .unwrap_or_else(|| format!("{first_name} {last_name}").trim().to_string());
    ContactDraft {
        existing,
        name,
        first_name,
        last_name,
        responsible,
        cfs,
        tags,
        request_id: opt_str(v, "request_id").map(str::to_string),
    }
}

/// Create the contact (or take the existing one) and return its id.
fn insert_contact(st: &mut State, d: ContactDraft, actor: i64) -> i64 {
    if let Some(id) = d.existing {
        return id;
    }
    let id = st.new_id();
    let now = st.now();
    for t in &d.tags {
        st.tag_id(t);
    }
    st.contacts.insert(
        id,
        Contact {
            id,
            name: d.name,
            first_name: d.first_name,
            last_name: d.last_name,
            responsible_user_id: d.responsible,
            created_by: actor,
            created_at: now,
            updated_at: now,
            custom_fields_values: d.cfs,
            tags: d.tags,
            request_id: d.request_id,
        },
    );
    st.emit(
        "contact_added",
        "contact",
        id,
        actor,
        None,
        json!([]),
        json!([]),
    );
    id
}

fn link_contact(st: &mut State, lead_id: i64, contact_id: i64, main: bool, actor: i64) {
    let Some(l) = st.leads.get_mut(&lead_id) else {
        return;
    };
    if !l.contact_ids.contains(&contact_id) {
        l.contact_ids.push(contact_id);
    }
    if main || l.main_contact_id.is_none() {
        l.main_contact_id = Some(contact_id);
    }
    st.emit(
        "entity_linked",
        "lead",
        lead_id,
        actor,
        None,
        json!([]),
        json!([{"link": {"entity": {"type": "contact", "id": contact_id}}}]),
    );
}

fn company_from(st: &mut State, v: Option<&Value>) -> Option<i64> {
    let v = v?;
    if let Some(id) = opt_i64(v, "id") {
        return Some(id);
    }
    let id = st.new_id();
    let name = opt_str(v, "name").unwrap_or("").to_string();
    st.companies.insert(id, Company { id, name });
    Some(id)
}

fn check_company(
    st: &State,
    v: Option<&Value>,
    item: Option<usize>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    if let Some(id) = v.and_then(|c| opt_i64(c, "id"))
        && !st.companies.contains_key(&id)
    {
        errs.push(choice(item, &format!("{path}.id")));
    }
}

fn contact_keys(cfs: &[CfValue]) -> Vec<String> {
    let mut keys = Vec::new();
    for c in cfs {
        for t in c.texts() {
            match c.field_code.as_deref() {
                Some("PHONE") => {
                    let d = digits(&t);
                    if d.len() >= 10 {
                        keys.push(format!("p:{}", &d[d.len() - 10..]));
                    }
                }
                Some("EMAIL") => keys.push(format!("e:{}", t.trim().to_lowercase())),
                _ => {}
            }
        }
    }
    keys
}

// ---- unsorted --------------------------------------------------------------

fn unsorted_forms(st: &mut State, c: &Ctx) -> Res {
    let arr = items(c)?;
    let mut errs = Vec::new();
    struct Plan {
        lead: LeadDraft,
        contact: Option<ContactDraft>,
        company: Option<Value>,
        pipeline_id: i64,
        item: Value,
        rid: String,
    }
    let mut plans = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let item = Some(i);
        let pipeline = match opt_i64(it, "pipeline_id") {
            Some(p) => st.pipeline(p),
            None => st.seed.main_pipeline(),
        };
        let unsorted = pipeline
            .filter(|p| p.is_unsorted_on)
            .and_then(|p| p.unsorted_status().map(|s| (p.id, s.id)));
        let Some((pipeline_id, status_id)) = unsorted else {
            errs.push(choice(item, "pipeline_id"));
            continue;
        };
        let emb = it.get("_embedded");
        let leads = emb.and_then(|e| e.get("leads")).and_then(Value::as_array);
        if leads.is_some_and(|l| l.len() > 1) {
            errs.push(fe(
                item,
                "InvalidValue",
                "_embedded.leads",
                "Only one lead per unsorted item.",
            ));
        }
        let contacts = emb
            .and_then(|e| e.get("contacts"))
            .and_then(Value::as_array);
        if contacts.is_some_and(|l| l.len() > 1) {
            errs.push(fe(
                item,
                "InvalidValue",
                "_embedded.contacts",
                "Only one contact per unsorted item.",
            ));
        }
        let empty = json!({});
        let lead_v = leads.and_then(|l| l.first()).unwrap_or(&empty);
        // Status comes from the unsorted stage; a given one is ignored like amoCRM does.
        let mut lead = lead_draft(
            st,
            &strip_status(lead_v),
            item,
            "_embedded.leads.0",
            false,
            c.user,
            &mut errs,
        );
        lead.pipeline_id = pipeline_id;
        lead.status_id = status_id;
        let contact = contacts
            .and_then(|l| l.first())
            .map(|cv| contact_draft(st, cv, item, "_embedded.contacts.0", c.user, &mut errs));
        let company = emb
            .and_then(|e| e.get("companies"))
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned();
        check_company(
            st,
            company.as_ref(),
            item,
            "_embedded.companies.0",
            &mut errs,
        );
        plans.push(Plan {
            lead,
            contact,
            company,
            pipeline_id,
            item: it.clone(),
            rid: rid(it, i),
        });
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    // Duplicate control against pending items (amoCRM docs, unsorted-api).
    let mut dup_of: Vec<Vec<i64>> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        let keys = p
            .contact
            .as_ref()
            .map(|cd| contact_keys(&cd.cfs))
            .unwrap_or_default();
        let dups: Vec<i64> = st
            .unsorted
            .iter()
            .filter(|u| u.state == UnsortedState::Pending)
            .filter(|u| u.dup_keys.iter().any(|k| keys.contains(k)))
            .map(|u| u.lead_id)
            .collect();
        if !dups.is_empty() && st.duplicates == DuplicatePolicy::Reject {
            return Err(Fail::Reply(Reply::problem(
                400,
                &json!({"validation-errors": [{"request_id": p.rid, "errors": [{"code": "Duplicate", "path": "_embedded.contacts.0", "detail": "Such an incoming lead already exists."}]}],
                        "title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, "detail": format!("Request validation failed (item {i})")}),
            )));
        }
        dup_of.push(dups);
    }
    let mut out = Vec::new();
    for (p, dups) in plans.into_iter().zip(dup_of) {
        let now = st.now();
        let lead_id = insert_lead(st, p.lead, Origin::UnsortedForm(String::new()), c.user);
        let contact_id = p.contact.map(|cd| insert_contact(st, cd, c.user));
        if let Some(cid) = contact_id {
            link_contact(st, lead_id, cid, true, c.user);
        }
        let company_id = company_from(st, p.company.as_ref());
        if let Some(l) = st.leads.get_mut(&lead_id) {
            l.company_id = company_id;
        }
        if !dups.is_empty() && st.duplicates == DuplicatePolicy::Tag {
            st.tag_id(DUPLICATE_TAG);
            for lid in dups.iter().chain(std::iter::once(&lead_id)) {
                if let Some(l) = st.leads.get_mut(lid)
                    && !l.has_tag(DUPLICATE_TAG)
                {
                    l.tags.push(DUPLICATE_TAG.to_string());
                }
            }
        }
        let uid = format!("{:032x}", rand::random::<u128>());
        if let Some(l) = st.leads.get_mut(&lead_id) {
            l.origin = Origin::UnsortedForm(uid.clone());
        }
        let u = Unsorted {
            uid: uid.clone(),
            source_uid: opt_str(&p.item, "source_uid").unwrap_or("").to_string(),
            source_name: opt_str(&p.item, "source_name").unwrap_or("").to_string(),
            category: "forms".into(),
            pipeline_id: p.pipeline_id,
            created_at: opt_i64(&p.item, "created_at").unwrap_or(now),
            request_id: opt_str(&p.item, "request_id").map(str::to_string),
            metadata: p.item.get("metadata").cloned().unwrap_or(json!({})),
            lead_id,
            contact_id,
            company_id,
            state: UnsortedState::Pending,
            dup_keys: contact_id
                .and_then(|c| st.contacts.get(&c))
                .map(|c| contact_keys(&c.custom_fields_values))
                .unwrap_or_default(),
        };
        st.unsorted.push(u);
        out.push(json!({
            "uid": uid,
            "account_id": st.seed.account_id,
            "request_id": p.rid,
            "_links": st.link(&format!("/api/v4/leads/unsorted/{uid}")),
            "_embedded": {
                "leads": [{"id": lead_id, "_links": st.link(&format!("/api/v4/leads/{lead_id}"))}],
                "contacts": contact_id.map(|c| vec![json!({"id": c, "_links": st.link(&format!("/api/v4/contacts/{c}"))})]).unwrap_or_default(),
                "companies": company_id.map(|c| vec![json!({"id": c})]).unwrap_or_default(),
            }
        }));
    }
    Ok(Reply::hal(
        200,
        &json!({"_total_items": out.len(), "_links": st.link("/api/v4/leads/unsorted/forms"), "_embedded": {"unsorted": out}}),
    ))
}

fn strip_status(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("status_id");
        o.remove("pipeline_id");
    }
    v
}

fn unsorted_list(st: &State, c: &Ctx) -> Res {
    let uids = c.q.list("filter[uid]");
    let cats = c.q.list("filter[category]");
    if let Some(bad) = cats
        .iter()
        .position(|c| !["sip", "mail", "forms", "chats"].contains(&c.as_str()))
    {
        return Err(Fail::Invalid(vec![choice(
            None,
            &format!("filter.category.{bad}"),
        )]));
    }
    let pipeline =
        c.q.get("filter[pipeline_id]")
            .and_then(|p| p.parse::<i64>().ok());
    let mut list: Vec<&Unsorted> = st
        .unsorted
        .iter()
        .filter(|u| u.state == UnsortedState::Pending)
        .filter(|u| uids.is_empty() || uids.contains(&u.uid))
        .filter(|u| cats.is_empty() || cats.contains(&u.category))
        .filter(|u| pipeline.is_none_or(|p| p == u.pipeline_id))
        .collect();
    if c.q.get("order[created_at]") == Some("desc") {
        list.sort_by_key(|u| std::cmp::Reverse(u.created_at));
    }
    let items = list.into_iter().map(|u| st.unsorted_json(u)).collect();
    paginate(st, c, items, "unsorted", 250, false)
}

fn unsorted_accept(st: &mut State, c: &Ctx, uid: &str) -> Res {
    let body = c.body.cloned().unwrap_or(json!({}));
    let Some(u) = st.unsorted.iter().find(|u| u.uid == uid).cloned() else {
        return Ok(not_found());
    };
    let mut errs = Vec::new();
    let actor = check_user(st, &body, "user_id", None, "", &mut errs).unwrap_or(c.user);
    let pipeline = st.pipeline(u.pipeline_id).cloned();
    let target = match opt_i64(&body, "status_id") {
        Some(s) => {
            let ok = pipeline
                .as_ref()
                .and_then(|p| p.statuses.iter().find(|x| x.id == s && x.kind == 0))
                .map(|x| x.id);
            if ok.is_none() {
                errs.push(choice(None, "status_id"));
            }
            ok
        }
        None => pipeline
            .as_ref()
            .and_then(|p| p.first_regular_status())
            .map(|s| s.id),
    };
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    if u.state != UnsortedState::Pending {
        return Ok(Reply::problem(
            400,
            &json!({"title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, "detail": "Incoming lead is already processed"}),
        ));
    }
    accept_now(st, uid, target, actor);
    Ok(Reply::hal(200, &accept_json(&u)))
}

fn accept_json(u: &Unsorted) -> Value {
    json!({"uid": u.uid, "pipeline_id": u.pipeline_id, "category": u.category, "created_at": u.created_at,
           "_embedded": {"leads": [{"id": u.lead_id}], "contacts": u.contact_id.map(|c| vec![json!({"id": c})]).unwrap_or_default(), "companies": []}})
}

/// Accept a pending unsorted item: the lead leaves the Unsorted stage.
pub fn accept_now(st: &mut State, uid: &str, status: Option<i64>, actor: i64) -> Option<i64> {
    let idx = st
        .unsorted
        .iter()
        .position(|u| u.uid == uid && u.state == UnsortedState::Pending)?;
    st.unsorted[idx].state = UnsortedState::Accepted;
    let (lead_id, pid) = (st.unsorted[idx].lead_id, st.unsorted[idx].pipeline_id);
    let status = status.or_else(|| {
        st.pipeline(pid)
            .and_then(|p| p.first_regular_status())
            .map(|s| s.id)
    })?;
    st.set_lead_status(lead_id, pid, status, actor);
    Some(lead_id)
}

fn unsorted_decline(st: &mut State, c: &Ctx, uid: &str) -> Res {
    let Some(idx) = st.unsorted.iter().position(|u| u.uid == uid) else {
        return Ok(not_found());
    };
    let actor = c.body.and_then(|b| opt_i64(b, "user_id")).unwrap_or(c.user);
    st.unsorted[idx].state = UnsortedState::Declined;
    let u = st.unsorted[idx].clone();
    // A declined incoming lead is deleted (it never enters the pipeline).
    if st.leads.remove(&u.lead_id).is_some() {
        st.emit(
            "lead_deleted",
            "lead",
            u.lead_id,
            actor,
            None,
            json!([]),
            json!([]),
        );
    }
    Ok(Reply::hal(200, &accept_json(&u)))
}

// ---- leads -----------------------------------------------------------------

fn complex(st: &mut State, c: &Ctx) -> Res {
    let arr = items(c)?;
    if arr.len() > 50 {
        return Err(Fail::Invalid(vec![fe(
            None,
            "InvalidValue",
            "",
            "At most 50 leads per complex request.",
        )]));
    }
    let mut errs = Vec::new();
    let mut plans = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let item = Some(i);
        let meta = it.pointer("/_embedded/metadata").cloned();
        let is_unsorted = meta.as_ref().and_then(|m| opt_str(m, "category")).is_some();
        let mut lead = lead_draft(st, it, item, "", is_unsorted, c.user, &mut errs);
        if is_unsorted && opt_i64(it, "status_id").is_none() {
            let p = st.pipeline(lead.pipeline_id).or(st.seed.main_pipeline());
            if let Some((pid, sid)) = p.and_then(|p| p.unsorted_status().map(|s| (p.id, s.id))) {
                lead.pipeline_id = pid;
                lead.status_id = sid;
            }
        }
        let contacts = it.pointer("/_embedded/contacts").and_then(Value::as_array);
        if contacts.is_some_and(|a| a.len() > 1) {
            errs.push(fe(
                item,
                "InvalidValue",
                "_embedded.contacts",
                "At most one contact per lead.",
            ));
        }
        let companies = it.pointer("/_embedded/companies").and_then(Value::as_array);
        if companies.is_some_and(|a| a.len() > 1) {
            errs.push(fe(
                item,
                "InvalidValue",
                "_embedded.companies",
                "At most one company per lead.",
            ));
        }
        let contact = contacts
            .and_then(|a| a.first())
            .map(|cv| contact_draft(st, cv, item, "_embedded.contacts.0", c.user, &mut errs));
        let company = companies.and_then(|a| a.first()).cloned();
        check_company(
            st,
            company.as_ref(),
            item,
            "_embedded.companies.0",
            &mut errs,
        );
        plans.push((lead, contact, company, meta, rid(it, i), it.clone()));
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut out = Vec::new();
    for (lead, contact, company, meta, rid, it) in plans {
        let pid = lead.pipeline_id;
        let lead_id = insert_lead(st, lead, Origin::Complex, c.user);
        let contact_id = contact.map(|cd| insert_contact(st, cd, c.user));
        if let Some(cid) = contact_id {
            link_contact(st, lead_id, cid, true, c.user);
        }
        let company_id = company_from(st, company.as_ref());
        if let Some(l) = st.leads.get_mut(&lead_id) {
            l.company_id = company_id;
        }
        if let Some(m) = meta
            && st.leads.get(&lead_id).is_some_and(|l| {
                st.pipeline(l.pipeline_id)
                    .and_then(|p| p.unsorted_status())
                    .is_some_and(|s| s.id == l.status_id)
            })
        {
            let uid = format!("{:032x}", rand::random::<u128>());
            let now = st.now();
            st.unsorted.push(Unsorted {
                uid,
                source_uid: it
                    .pointer("/_embedded/source/external_id")
                    .map(value_text)
                    .unwrap_or_default(),
                source_name: opt_str(&m, "form_name").unwrap_or("").to_string(),
                category: opt_str(&m, "category").unwrap_or("forms").to_string(),
                pipeline_id: pid,
                created_at: now,
                request_id: opt_str(&it, "request_id").map(str::to_string),
                metadata: m,
                lead_id,
                contact_id,
                company_id,
                state: UnsortedState::Pending,
                dup_keys: Vec::new(),
            });
        }
        out.push(json!({"id": lead_id, "contact_id": contact_id, "company_id": company_id, "request_id": [rid], "merged": false}));
    }
    Ok(Reply::hal(200, &Value::Array(out)))
}

fn leads_create(st: &mut State, c: &Ctx) -> Res {
    let arr = items(c)?;
    if arr.len() > 250 {
        return Err(Fail::Invalid(vec![fe(
            None,
            "InvalidValue",
            "",
            "At most 250 entities per request.",
        )]));
    }
    let mut errs = Vec::new();
    let mut plans = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let lead = lead_draft(st, it, Some(i), "", false, c.user, &mut errs);
        let mut contacts = Vec::new();
        for (j, cv) in it
            .pointer("/_embedded/contacts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            match opt_i64(cv, "id") {
                Some(id) if st.contacts.contains_key(&id) => contacts.push((
                    id,
                    cv.get("is_main").and_then(Value::as_bool).unwrap_or(j == 0),
                )),
                _ => errs.push(choice(Some(i), &format!("_embedded.contacts.{j}.id"))),
            }
        }
        plans.push((lead, contacts, rid(it, i)));
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut out = Vec::new();
    for (lead, contacts, rid) in plans {
        let id = insert_lead(st, lead, Origin::Plain, c.user);
        for (cid, main) in contacts {
            link_contact(st, id, cid, main, c.user);
        }
        out.push(
            json!({"id": id, "request_id": rid, "_links": st.link(&format!("/api/v4/leads/{id}"))}),
        );
    }
    Ok(Reply::hal(
        200,
        &json!({"_links": st.link("/api/v4/leads"), "_embedded": {"leads": out}}),
    ))
}

/// Validate and apply one lead update; returns `(id, updated_at)`.
fn apply_lead_update(
    st: &mut State,
    id: i64,
    v: &Value,
    item: Option<usize>,
    actor: i64,
    errs: &mut Vec<FieldError>,
    dry: bool,
) -> Option<(i64, i64)> {
    let Some(lead) = st.leads.get(&id).cloned() else {
        errs.push(choice(item, "id"));
        return None;
    };
    let status = if v.get("status_id").is_some() || v.get("pipeline_id").is_some() {
        let mut sv = json!({"pipeline_id": opt_i64(v, "pipeline_id").unwrap_or(lead.pipeline_id)});
        if let Some(s) = opt_i64(v, "status_id") {
            sv["status_id"] = json!(s);
        }
        Some(resolve_status(st, &sv, item, "", false, errs))
    } else {
        None
    };
    let responsible = check_user(st, v, "responsible_user_id", item, "", errs);
    if let Some(lr) = opt_i64(v, "loss_reason_id")
        && !st.seed.loss_reasons.iter().any(|r| r.id == lr)
    {
        errs.push(choice(item, "loss_reason_id"));
    }
    let cfs = norm_cfs(
        &st.seed.lead_fields,
        v.get("custom_fields_values"),
        item,
        "",
        errs,
    );
    let replace_tags = parse_tags(
        st,
        v.pointer("/_embedded/tags"),
        item,
        "_embedded.tags",
        errs,
    );
    let add = parse_tags(st, v.get("tags_to_add"), item, "tags_to_add", errs);
    let del = parse_tags(st, v.get("tags_to_delete"), item, "tags_to_delete", errs);
    if dry || !errs.is_empty() {
        return None;
    }
    let now = st.now();
    if let Some((p, s)) = status {
        st.set_lead_status(id, p, s, actor);
    }
    if let Some(r) = responsible {
        st.set_lead_responsible(id, r, actor);
    }
    for t in replace_tags.iter().flatten().chain(add.iter().flatten()) {
        st.tag_id(t);
    }
    let l = st.leads.get_mut(&id)?;
    if let Some(n) = opt_str(v, "name") {
        l.name = n.to_string();
    }
    if let Some(p) = opt_i64(v, "price") {
        l.price = p;
    }
    if let Some(lr) = opt_i64(v, "loss_reason_id") {
        l.loss_reason_id = Some(lr);
    }
    merge_cfs(&mut l.custom_fields_values, cfs);
    // `_embedded.tags` replaces the set and wins over tags_to_add/delete (amoCRM docs, leads-api).
    if let Some(tags) = replace_tags {
        l.tags = tags;
    } else {
        for t in add.unwrap_or_default() {
            if !l.tags.contains(&t) {
                l.tags.push(t);
            }
        }
        let del = del.unwrap_or_default();
        l.tags.retain(|t| !del.contains(t));
    }
    l.updated_at = now;
    l.updated_by = actor;
    Some((id, now))
}

fn leads_update(st: &mut State, c: &Ctx) -> Res {
    let arr = items(c)?;
    let mut errs = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let id = opt_i64(it, "id").unwrap_or(0);
        apply_lead_update(st, id, it, Some(i), c.user, &mut errs, true);
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut out = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let id = opt_i64(it, "id").unwrap_or(0);
        if let Some((id, at)) = apply_lead_update(st, id, it, Some(i), c.user, &mut errs, false) {
            out.push(json!({"id": id, "updated_at": at, "request_id": rid(it, i), "_links": st.link(&format!("/api/v4/leads/{id}"))}));
        }
    }
    Ok(Reply::hal(
        200,
        &json!({"_links": st.link("/api/v4/leads"), "_embedded": {"leads": out}}),
    ))
}

fn lead_update_one(st: &mut State, c: &Ctx, id: i64) -> Res {
    if !st.leads.contains_key(&id) {
        return Ok(Reply::no_content());
    }
    let v = c.body.cloned().unwrap_or(json!({}));
    let mut errs = Vec::new();
    apply_lead_update(st, id, &v, None, c.user, &mut errs, true);
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let (id, at) = apply_lead_update(st, id, &v, None, c.user, &mut errs, false).unwrap_or((id, 0));
    Ok(Reply::hal(
        200,
        &json!({"id": id, "updated_at": at, "_links": st.link(&format!("/api/v4/leads/{id}"))}),
    ))
}

/// Does `query` hit a value? Case-insensitive substring; for phone fields the
/// query's digits must be a substring of the value's digits (so `+7912…` and
/// `8912…` stay different, as in amoCRM; the last 10 digits find both).
struct Needle {
    lower: String,
    /// The query's digits, when the query looks like a phone number.
    phone_digits: Option<String>,
}

impl Needle {
    fn new(query: &str) -> Needle {
        let lower = query.trim().to_lowercase();
        let d = digits(&lower);
        let looks_phone = d.len() >= 5
            && lower
                .chars()
                .all(|ch| ch.is_ascii_digit() || "+-() ".contains(ch));
        Needle {
            lower,
            phone_digits: looks_phone.then_some(d),
        }
    }

    fn hits(&self, text: &str, is_phone: bool) -> bool {
        if self.lower.is_empty() || text.to_lowercase().contains(&self.lower) {
            return true;
        }
        match (&self.phone_digits, is_phone) {
            (Some(qd), true) => digits(text).contains(qd.as_str()),
            _ => false,
        }
    }

    fn hits_cfs(&self, cfs: &[CfValue]) -> bool {
        cfs.iter().any(|c| {
            let phone = c.field_code.as_deref() == Some("PHONE");
            c.values
                .iter()
                .any(|v| self.hits(&value_text(&v.value), phone))
        })
    }
}

fn ids_filter(c: &Ctx) -> Vec<i64> {
    c.q.list("filter[id]")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn leads_list(st: &State, c: &Ctx) -> Res {
    let q = &c.q;
    let query = q.get("query").unwrap_or("").to_string();
    let needle = Needle::new(&query);
    let ids = ids_filter(c);
    let with = q.with();
    let nums =
        |key: &str| -> Vec<i64> { q.list(key).iter().filter_map(|s| s.parse().ok()).collect() };
    let responsible = nums("filter[responsible_user_id]");
    let pipelines = nums("filter[pipeline_id]");
    // filter[statuses][N][pipeline_id] + filter[statuses][N][status_id]
    let mut statuses: Vec<(Option<i64>, Option<i64>)> = Vec::new();
    for n in 0..50 {
        let p = q
            .get(&format!("filter[statuses][{n}][pipeline_id]"))
            .and_then(|v| v.parse().ok());
        let s = q
            .get(&format!("filter[statuses][{n}][status_id]"))
            .and_then(|v| v.parse().ok());
        if p.is_none() && s.is_none() {
            continue;
        }
        statuses.push((p, s));
    }
    let range = |key: &str| {
        let from = q
            .get(&format!("{key}[from]"))
            .and_then(|v| v.parse::<i64>().ok());
        let to = q
            .get(&format!("{key}[to]"))
            .and_then(|v| v.parse::<i64>().ok());
        let exact = q.get(key).and_then(|v| v.parse::<i64>().ok());
        (from.or(exact), to.or(exact))
    };
    let (c_from, c_to) = range("filter[created_at]");
    let (u_from, u_to) = range("filter[updated_at]");
    let mut list: Vec<&Lead> = st
        .leads
        .values()
        .filter(|l| ids.is_empty() || ids.contains(&l.id))
        .filter(|l| responsible.is_empty() || responsible.contains(&l.responsible_user_id))
        .filter(|l| pipelines.is_empty() || pipelines.contains(&l.pipeline_id))
        .filter(|l| {
            statuses.is_empty()
                || statuses.iter().any(|(p, s)| {
                    p.is_none_or(|p| p == l.pipeline_id) && s.is_none_or(|s| s == l.status_id)
                })
        })
        .filter(|l| {
            c_from.is_none_or(|f| l.created_at >= f) && c_to.is_none_or(|t| l.created_at <= t)
        })
        .filter(|l| {
            u_from.is_none_or(|f| l.updated_at >= f) && u_to.is_none_or(|t| l.updated_at <= t)
        })
        .filter(|l| {
            query.is_empty()
                || needle.hits(&l.name, false)
                || l.id.to_string() == query
                || needle.hits_cfs(&l.custom_fields_values)
        })
        .collect();
    match (
        q.get("order[created_at]"),
        q.get("order[updated_at]"),
        q.get("order[id]"),
    ) {
        (Some("desc"), _, _) => list.sort_by_key(|l| std::cmp::Reverse((l.created_at, l.id))),
        (Some(_), _, _) => list.sort_by_key(|l| (l.created_at, l.id)),
        (_, Some("desc"), _) => list.sort_by_key(|l| std::cmp::Reverse((l.updated_at, l.id))),
        (_, Some(_), _) => list.sort_by_key(|l| (l.updated_at, l.id)),
        (_, _, Some("desc")) => list.sort_by_key(|l| std::cmp::Reverse(l.id)),
        _ => {}
    }
    let items = list.into_iter().map(|l| st.lead_json(l, &with)).collect();
    paginate(st, c, items, "leads", 250, false)
}

// ---- contacts --------------------------------------------------------------

fn contacts_list(st: &State, c: &Ctx) -> Res {
    let query = c.q.get("query").unwrap_or("").to_string();
    let needle = Needle::new(&query);
    let ids = ids_filter(c);
    let with = c.q.with();
    let items = st
        .contacts
        .values()
        .filter(|x| ids.is_empty() || ids.contains(&x.id))
        .filter(|x| {
            !st.hide_unsorted_contacts
                || !st
                    .unsorted
                    .iter()
                    .any(|u| u.contact_id == Some(x.id) && u.state == UnsortedState::Pending)
        })
        .filter(|x| {
            query.is_empty()
                || needle.hits(&x.name, false)
                || needle.hits(&x.first_name, false)
                || needle.hits(&x.last_name, false)
                || needle.hits_cfs(&x.custom_fields_values)
        })
        .map(|x| st.contact_json(x, &with))
        .collect();
    paginate(st, c, items, "contacts", 250, false)
}

fn contacts_create(st: &mut State, c: &Ctx) -> Res {
    let arr = items(c)?;
    let mut errs = Vec::new();
    let mut plans = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let mut d = contact_draft(st, it, Some(i), "", c.user, &mut errs);
        if d.existing.is_some() {
            errs.push(fe(
                Some(i),
                "InvalidValue",
                "id",
                "id is not allowed when creating.",
            ));
        }
        d.existing = None;
        plans.push((d, rid(it, i)));
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut out = Vec::new();
    for (d, rid) in plans {
        let id = insert_contact(st, d, c.user);
        out.push(json!({"id": id, "request_id": rid, "_links": st.link(&format!("/api/v4/contacts/{id}"))}));
    }
    Ok(Reply::hal(
        200,
        &json!({"_links": st.link("/api/v4/contacts"), "_embedded": {"contacts": out}}),
    ))
}

fn contacts_update(st: &mut State, c: &Ctx, one: Option<i64>) -> Res {
    let list: Vec<(i64, Value)> = match one {
        Some(id) => {
            if !st.contacts.contains_key(&id) {
                return Ok(Reply::no_content());
            }
            vec![(id, c.body.cloned().unwrap_or(json!({})))]
        }
        None => items(c)?
            .iter()
            .map(|it| (opt_i64(it, "id").unwrap_or(0), it.clone()))
            .collect(),
    };
    let mut errs = Vec::new();
    let mut plans = Vec::new();
    for (i, (id, v)) in list.iter().enumerate() {
        let item = one.is_none().then_some(i);
        if !st.contacts.contains_key(id) {
            errs.push(choice(item, "id"));
            continue;
        }
        check_user(st, v, "responsible_user_id", item, "", &mut errs);
        let cfs = norm_cfs(
            &st.seed.contact_fields,
            v.get("custom_fields_values"),
            item,
            "",
            &mut errs,
        );
        let tags = parse_tags(
            st,
            v.pointer("/_embedded/tags"),
            item,
            "_embedded.tags",
            &mut errs,
        );
        let add = parse_tags(st, v.get("tags_to_add"), item, "tags_to_add", &mut errs);
        plans.push((*id, v.clone(), cfs, tags, add, rid(v, i)));
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let now = st.now();
    let mut out = Vec::new();
    for (id, v, cfs, tags, add, rid) in plans {
        for t in tags.iter().flatten().chain(add.iter().flatten()) {
            st.tag_id(t);
        }
        let Some(x) = st.contacts.get_mut(&id) else {
            continue;
        };
        if let Some(n) = opt_str(&v, "name") {
            x.name = n.to_string();
        }
        if let Some(n) = opt_str(&v, "first_name") {
            x.first_name = n.to_string();
        }
        if let Some(n) = opt_str(&v, "last_name") {
            x.last_name = n.to_string();
        }
        if let Some(r) = opt_i64(&v, "responsible_user_id") {
            x.responsible_user_id = r;
        }
        merge_cfs(&mut x.custom_fields_values, cfs);
        if let Some(t) = tags {
            x.tags = t;
        } else {
            for t in add.unwrap_or_default() {
                if !x.tags.contains(&t) {
                    x.tags.push(t);
                }
            }
        }
        x.updated_at = now;
        out.push(json!({"id": id, "updated_at": now, "request_id": rid, "_links": st.link(&format!("/api/v4/contacts/{id}"))}));
    }
    if one.is_some() {
        return Ok(Reply::hal(200, out.first().unwrap_or(&json!({}))));
    }
    Ok(Reply::hal(
        200,
        &json!({"_links": st.link("/api/v4/contacts"), "_embedded": {"contacts": out}}),
    ))
}

// ---- links -----------------------------------------------------------------

fn do_links(st: &mut State, c: &Ctx, pairs: Vec<(Option<usize>, i64, Value)>) -> Res {
    let mut errs = Vec::new();
    for (item, lead_id, v) in &pairs {
        if !st.leads.contains_key(lead_id) {
            errs.push(choice(*item, "entity_id"));
        }
        let to_id = opt_i64(v, "to_entity_id");
        match (opt_str(v, "to_entity_type"), to_id) {
            (Some("contacts"), Some(id)) if st.contacts.contains_key(&id) => {}
            (Some("companies"), Some(id)) if st.companies.contains_key(&id) => {}
            (Some("catalog_elements"), Some(_)) => {}
            (None, _) => errs.push(missing(*item, "to_entity_type")),
            (_, None) => errs.push(missing(*item, "to_entity_id")),
            (Some("contacts" | "companies"), Some(_)) => errs.push(choice(*item, "to_entity_id")),
            _ => errs.push(choice(*item, "to_entity_type")),
        }
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut out = Vec::new();
    for (_, lead_id, v) in pairs {
        let to_id = opt_i64(&v, "to_entity_id").unwrap_or(0);
        let to_type = opt_str(&v, "to_entity_type").unwrap_or("").to_string();
        let main = v
            .pointer("/metadata/is_main")
            .or(v.pointer("/metadata/main_contact"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match to_type.as_str() {
            "contacts" => link_contact(st, lead_id, to_id, main, c.user),
            "companies" => {
                if let Some(l) = st.leads.get_mut(&lead_id) {
                    l.company_id = Some(to_id);
                }
            }
            _ => {}
        }
        let is_main = st
            .leads
            .get(&lead_id)
            .is_some_and(|l| l.main_contact_id == Some(to_id));
        out.push(json!({"entity_id": lead_id, "entity_type": "leads", "to_entity_id": to_id, "to_entity_type": to_type,
                        "metadata": if to_type == "contacts" { json!({"main_contact": is_main, "updated_by": c.user}) } else { Value::Null }}));
    }
    Ok(Reply::hal(
        200,
        &json!({"_total_items": out.len(), "_links": st.link(c.path), "_embedded": {"links": out}}),
    ))
}

fn link_one(st: &mut State, c: &Ctx, lead_id: i64) -> Res {
    if !st.leads.contains_key(&lead_id) {
        return Ok(not_found());
    }
    let pairs = items(c)?
        .iter()
        .enumerate()
        .map(|(i, v)| (Some(i), lead_id, v.clone()))
        .collect();
    do_links(st, c, pairs)
}

fn link_bulk(st: &mut State, c: &Ctx) -> Res {
    let mut errs = Vec::new();
    let mut pairs = Vec::new();
    for (i, v) in items(c)?.iter().enumerate() {
        match opt_i64(v, "entity_id") {
            Some(id) => pairs.push((Some(i), id, v.clone())),
            None => errs.push(missing(Some(i), "entity_id")),
        }
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    do_links(st, c, pairs)
}

// ---- notes -----------------------------------------------------------------

const NOTE_TYPES: &[&str] = &[
    "common",
    "call_in",
    "call_out",
    "service_message",
    "extended_service_message",
    "message_cashier",
    "geolocation",
    "sms_in",
    "sms_out",
    "attachment",
];

fn note_params_errors(
    note_type: &str,
    params: Option<&Value>,
    item: Option<usize>,
    errs: &mut Vec<FieldError>,
) {
    let need: &[&str] = match note_type {
        "common" => &["text"],
        "call_in" | "call_out" => &["uniq", "duration", "source", "phone"],
        "service_message" | "extended_service_message" => &["service", "text"],
        "sms_in" | "sms_out" => &["text", "phone"],
        "geolocation" => &["text", "address", "longitude", "latitude"],
        _ => &[],
    };
    for k in need {
        if params.and_then(|p| p.get(*k)).is_none_or(Value::is_null) {
            errs.push(missing(item, &format!("params.{k}")));
        }
    }
    if note_type == "common"
        && let Some(t) = params.and_then(|p| p.get("text"))
        && !t.is_string()
    {
        errs.push(fe(
            item,
            "InvalidType",
            "params.text",
            "This value should be of type string.",
        ));
    }
}

fn notes_create(st: &mut State, c: &Ctx, et: &str, parent: Option<i64>) -> Res {
    let arr = items(c)?;
    let mut errs = Vec::new();
    let mut plans = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let item = Some(i);
        // The spec lets entity_id be absent; amoCRM refuses it (README "too loose").
        let entity_id = parent.or_else(|| opt_i64(it, "entity_id"));
        match entity_id {
            None => errs.push(missing(item, "entity_id")),
            Some(id) => {
                let exists = match et {
                    "leads" => st.leads.contains_key(&id),
                    _ => st.contacts.contains_key(&id),
                };
                if !exists {
                    errs.push(choice(item, "entity_id"));
                }
            }
        }
        let note_type = opt_str(it, "note_type").unwrap_or("");
        if !NOTE_TYPES.contains(&note_type) {
            errs.push(choice(item, "note_type"));
        } else {
            note_params_errors(note_type, it.get("params"), item, &mut errs);
        }
        check_user(st, it, "responsible_user_id", item, "", &mut errs);
        check_user(st, it, "created_by", item, "", &mut errs);
        plans.push((
            entity_id.unwrap_or(0),
            note_type.to_string(),
            it.clone(),
            rid(it, i),
        ));
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut out = Vec::new();
    for (eid, nt, it, rid) in plans {
        let actor = opt_i64(&it, "created_by").unwrap_or(c.user);
        let id = st.add_note(
            et,
            eid,
            &nt,
            it.get("params").cloned().unwrap_or(json!({})),
            actor,
            opt_i64(&it, "created_at"),
            opt_str(&it, "request_id").map(str::to_string),
        );
        out.push(json!({"id": id, "entity_id": eid, "request_id": rid, "_links": st.link(&format!("/api/v4/{et}/{eid}/notes/{id}"))}));
    }
    Ok(Reply::hal(
        200,
        &json!({"_links": st.link(c.path), "_embedded": {"notes": out}}),
    ))
}

fn notes_list(st: &State, c: &Ctx, et: &str, parent: Option<i64>) -> Res {
    let types = c.q.list("filter[note_type]");
    let ids: Vec<i64> =
        c.q.list("filter[entity_id]")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
    let items = st
        .notes
        .iter()
        .filter(|n| n.entity_type == et)
        .filter(|n| parent.is_none_or(|p| p == n.entity_id))
        .filter(|n| ids.is_empty() || ids.contains(&n.entity_id))
        .filter(|n| types.is_empty() || types.contains(&n.note_type))
        .map(|n| st.note_json(n))
        .collect();
    paginate(st, c, items, "notes", 250, false)
}

// ---- tasks -----------------------------------------------------------------

fn check_task_entity(st: &State, v: &Value, item: Option<usize>, errs: &mut Vec<FieldError>) {
    let et = opt_str(v, "entity_type");
    let eid = opt_i64(v, "entity_id");
    match (et, eid) {
        (None, None) => {}
        (Some(_), None) => errs.push(missing(item, "entity_id")),
        (None, Some(_)) => errs.push(missing(item, "entity_type")),
        (Some(t), Some(id)) => {
            let ok = match t {
                "leads" => st.leads.contains_key(&id),
                "contacts" => st.contacts.contains_key(&id),
                "companies" => st.companies.contains_key(&id),
                "customers" => true,
                _ => {
                    errs.push(choice(item, "entity_type"));
                    return;
                }
            };
            if !ok {
                errs.push(choice(item, "entity_id"));
            }
        }
    }
}

fn tasks_create(st: &mut State, c: &Ctx) -> Res {
    let arr = items(c)?;
    let mut errs = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let item = Some(i);
        // The spec lets complete_till be absent; amoCRM requires it (README "too loose").
        if opt_i64(it, "complete_till").is_none() {
            errs.push(missing(item, "complete_till"));
        }
        if opt_str(it, "text").is_none_or(|t| t.trim().is_empty()) {
            errs.push(missing(item, "text"));
        }
        if let Some(tt) = opt_i64(it, "task_type_id")
            && !st.seed.task_types.iter().any(|t| t.id == tt)
        {
            errs.push(choice(item, "task_type_id"));
        }
        check_user(st, it, "responsible_user_id", item, "", &mut errs);
        check_user(st, it, "created_by", item, "", &mut errs);
        check_task_entity(st, it, item, &mut errs);
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut out = Vec::new();
    for (i, it) in arr.iter().enumerate() {
        let id = st.new_id();
        let now = st.now();
        let actor = opt_i64(it, "created_by").unwrap_or(c.user);
        let task = Task {
            id,
            text: opt_str(it, "text").unwrap_or("").to_string(),
            complete_till: opt_i64(it, "complete_till").unwrap_or(now),
            entity_type: opt_str(it, "entity_type").map(str::to_string),
            entity_id: opt_i64(it, "entity_id"),
            task_type_id: opt_i64(it, "task_type_id").unwrap_or(1),
            responsible_user_id: opt_i64(it, "responsible_user_id").unwrap_or(c.user),
            created_by: actor,
            created_at: now,
            updated_at: now,
            duration: opt_i64(it, "duration").unwrap_or(0),
            is_completed: false,
            result_text: None,
            request_id: opt_str(it, "request_id").map(str::to_string),
        };
        if let (Some(et), Some(eid)) = (task.entity_type.clone(), task.entity_id) {
            st.emit(
                "task_added",
                singular(&et),
                eid,
                actor,
                None,
                json!([]),
                json!([{"task": {"id": id}}]),
            );
        }
        st.tasks.insert(id, task);
        if it.get("is_completed").and_then(Value::as_bool) == Some(true) {
            st.complete_task(
                id,
                it.pointer("/result/text")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                actor,
            );
        }
        out.push(json!({"id": id, "request_id": rid(it, i), "_links": st.link(&format!("/api/v4/tasks/{id}"))}));
    }
    Ok(Reply::hal(
        200,
        &json!({"_links": st.link("/api/v4/tasks"), "_embedded": {"tasks": out}}),
    ))
}

fn tasks_update(st: &mut State, c: &Ctx, one: Option<i64>) -> Res {
    let list: Vec<(i64, Value)> = match one {
        Some(id) => {
            if !st.tasks.contains_key(&id) {
                return Ok(Reply::no_content());
            }
            vec![(id, c.body.cloned().unwrap_or(json!({})))]
        }
        None => items(c)?
            .iter()
            .map(|it| (opt_i64(it, "id").unwrap_or(0), it.clone()))
            .collect(),
    };
    let mut errs = Vec::new();
    for (i, (id, v)) in list.iter().enumerate() {
        let item = one.is_none().then_some(i);
        if !st.tasks.contains_key(id) {
            errs.push(choice(item, "id"));
        }
        check_user(st, v, "responsible_user_id", item, "", &mut errs);
        if v.get("entity_id").is_some() || v.get("entity_type").is_some() {
            check_task_entity(st, v, item, &mut errs);
        }
        if let Some(tt) = opt_i64(v, "task_type_id")
            && !st.seed.task_types.iter().any(|t| t.id == tt)
        {
            errs.push(choice(item, "task_type_id"));
        }
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let now = st.now();
    let mut out = Vec::new();
    for (i, (id, v)) in list.iter().enumerate() {
        if let Some(t) = st.tasks.get_mut(id) {
            if let Some(x) = opt_str(v, "text") {
                t.text = x.to_string();
            }
            if let Some(x) = opt_i64(v, "complete_till") {
                t.complete_till = x;
            }
            if let Some(x) = opt_i64(v, "responsible_user_id") {
                t.responsible_user_id = x;
            }
            if let Some(x) = opt_i64(v, "task_type_id") {
                t.task_type_id = x;
            }
            if let Some(x) = opt_str(v, "entity_type") {
                t.entity_type = Some(x.to_string());
            }
            if let Some(x) = opt_i64(v, "entity_id") {
                t.entity_id = Some(x);
            }
            t.updated_at = now;
        }
        let result = v
            .pointer("/result/text")
            .and_then(Value::as_str)
            .map(str::to_string);
        match v.get("is_completed").and_then(Value::as_bool) {
            Some(true) => {
                st.complete_task(*id, result, c.user);
            }
            Some(false) => {
                if let Some(t) = st.tasks.get_mut(id) {
                    t.is_completed = false;
                }
            }
            None => {}
        }
        out.push(json!({"id": id, "updated_at": now, "request_id": rid(v, i), "_links": st.link(&format!("/api/v4/tasks/{id}"))}));
    }
    if one.is_some() {
        return Ok(Reply::hal(200, out.first().unwrap_or(&json!({}))));
    }
    Ok(Reply::hal(
        200,
        &json!({"_links": st.link("/api/v4/tasks"), "_embedded": {"tasks": out}}),
    ))
}

fn tasks_list(st: &State, c: &Ctx) -> Res {
    let q = &c.q;
    let ids: Vec<i64> = q
        .list("filter[id]")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let resp: Vec<i64> = q
        .list("filter[responsible_user_id]")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let types: Vec<i64> = q
        .list("filter[task_type]")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let ets = q.list("filter[entity_type]");
    let eids: Vec<i64> = q
        .list("filter[entity_id]")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    if !eids.is_empty() && ets.is_empty() {
        return Err(Fail::Invalid(vec![missing(None, "filter.entity_type")]));
    }
    let done = q
        .get("filter[is_completed]")
        .map(|s| s == "1" || s == "true");
    let items = st
        .tasks
        .values()
        .filter(|t| ids.is_empty() || ids.contains(&t.id))
        .filter(|t| resp.is_empty() || resp.contains(&t.responsible_user_id))
        .filter(|t| types.is_empty() || types.contains(&t.task_type_id))
        .filter(|t| ets.is_empty() || t.entity_type.as_ref().is_some_and(|e| ets.contains(e)))
        .filter(|t| eids.is_empty() || t.entity_id.is_some_and(|e| eids.contains(&e)))
        .filter(|t| done.is_none_or(|d| d == t.is_completed))
        .map(|t| st.task_json(t))
        .collect();
    paginate(st, c, items, "tasks", 250, false)
}

// ---- events ----------------------------------------------------------------

/// `filter[value_after|value_before]`: `[leads_statuses][N][pipeline_id|status_id]`
/// and `[responsible_user_id]` (amoCRM docs, events-and-notes, events-filtration).
struct ValueFilter {
    statuses: Vec<(Option<i64>, Option<i64>)>,
    responsible: Option<i64>,
}

impl ValueFilter {
    fn parse(q: &Query, prefix: &str) -> ValueFilter {
        let mut statuses = Vec::new();
        for n in 0..50 {
            let get = |k: &str| {
                q.get(&format!("{prefix}[leads_statuses][{n}][{k}]"))
                    .and_then(|v| v.parse::<i64>().ok())
            };
            let (p, st) = (get("pipeline_id"), get("status_id"));
            if p.is_some() || st.is_some() {
                statuses.push((p, st));
            }
        }
        let responsible = q
            .get(&format!("{prefix}[responsible_user_id]"))
            .and_then(|v| v.parse().ok());
        ValueFilter {
            statuses,
            responsible,
        }
    }

    fn matches(&self, value: &Value) -> bool {
        let items = value.as_array().cloned().unwrap_or_default();
        let status_ok = self.statuses.is_empty()
            || items.iter().any(|it| {
                let ls = &it["lead_status"];
                self.statuses.iter().any(|(p, s)| {
                    p.is_none_or(|p| ls["pipeline_id"].as_i64() == Some(p))
                        && s.is_none_or(|s| ls["id"].as_i64() == Some(s))
                })
            });
        let resp_ok = self.responsible.is_none_or(|r| {
            items
                .iter()
                .any(|it| it["responsible_user"]["id"].as_i64() == Some(r))
        });
        status_ok && resp_ok
    }
}

/// Entity names accepted by `filter[entity]` (singular, amoCRM docs, events-and-notes).
const EVENT_ENTITIES: &[&str] = &[
    "lead",
    "contact",
    "company",
    "customer",
    "task",
    "catalog_element",
];

/// Event types the fake knows (amoCRM docs, events-and-notes and the amoCRM list); an unknown one
/// is refused so a typo in a filter cannot silently match nothing.
pub const EVENT_TYPES: &[&str] = &[
    "lead_added",
    "lead_deleted",
    "lead_restored",
    "lead_status_changed",
    "lead_linked",
    "lead_unlinked",
    "contact_added",
    "contact_deleted",
    "contact_restored",
    "contact_linked",
    "contact_unlinked",
    "company_added",
    "company_deleted",
    "company_restored",
    "company_linked",
    "company_unlinked",
    "customer_added",
    "customer_deleted",
    "customer_status_changed",
    "customer_linked",
    "customer_unlinked",
    "task_added",
    "task_deleted",
    "task_completed",
    "task_type_changed",
    "task_text_changed",
    "task_deadline_changed",
    "task_result_added",
    "incoming_call",
    "outgoing_call",
    "incoming_chat_message",
    "outgoing_chat_message",
    "entity_direct_message",
    "incoming_sms",
    "outgoing_sms",
    "incoming_mail",
    "outgoing_mail",
    "entity_tag_added",
    "entity_tag_deleted",
    "entity_linked",
    "entity_unlinked",
    "sale_field_changed",
    "name_field_changed",
    "ltv_field_changed",
    "custom_field_value_changed",
    "entity_responsible_changed",
    "robot_replied",
    "intent_identified",
    "nps_rate_added",
    "link_followed",
    "transaction_added",
    "common_note_added",
    "common_note_deleted",
    "attachment_note_added",
    "targeting_in_note_added",
    "targeting_out_note_added",
    "geo_note_added",
    "service_note_added",
    "site_visit_note_added",
    "message_to_cashier_note_added",
    "key_action_completed",
    "entity_merged",
    "talk_created",
    "conversation_answered",
];

fn events_list(st: &State, c: &Ctx) -> Res {
    let q = &c.q;
    let mut errs = Vec::new();
    let entities = q.list("filter[entity]");
    let entity_ids: Vec<i64> = q
        .list("filter[entity_id]")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    if entity_ids.len() > 10 {
        // amoCRM docs, events-and-notes: at most 10 ids [verify]; enforcing it keeps clients safe either way.
        errs.push(fe(
            None,
            "InvalidValue",
            "filter.entity_id",
            "At most 10 entity ids.",
        ));
    }
    if !entity_ids.is_empty() && entities.is_empty() {
        errs.push(missing(None, "filter.entity"));
    }
    for (i, e) in entities.iter().enumerate() {
        if !EVENT_ENTITIES.contains(&e.as_str()) {
            errs.push(choice(None, &format!("filter.entity.{i}")));
        }
    }
    let types = q.list("filter[type]");
    for (i, t) in types.iter().enumerate() {
        let custom_field = t
            .strip_prefix("custom_field_")
            .and_then(|r| r.strip_suffix("_value_changed"))
            .is_some_and(|id| id.parse::<i64>().is_ok());
        if !EVENT_TYPES.contains(&t.as_str()) && !custom_field {
            errs.push(choice(None, &format!("filter.type.{i}")));
        }
    }
    let ids = q.list("filter[id]");
    let after = ValueFilter::parse(q, "filter[value_after]");
    let before = ValueFilter::parse(q, "filter[value_before]");
    let creators: Vec<i64> = q
        .list("filter[created_by]")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let (mut from, mut to) = (None, None);
    if let Some(v) = q.get("filter[created_at]") {
        let mut parts = v.split(',');
        from = parts.next().and_then(|s| s.trim().parse::<i64>().ok());
        to = parts.next().and_then(|s| s.trim().parse::<i64>().ok());
    }
    if let Some(v) = q.get("filter[created_at][from]") {
        from = v.parse().ok();
    }
    if let Some(v) = q.get("filter[created_at][to]") {
        to = v.parse().ok();
    }
    if let Some(l) = q.get("limit")
        && l.parse::<usize>().is_ok_and(|n| n > 100)
    {
        errs.push(fe(
            None,
            "InvalidValue",
            "limit",
            "At most 100 events per page.",
        ));
    }
    if !errs.is_empty() {
        return Err(Fail::Invalid(errs));
    }
    let mut list: Vec<&Event> = st
        .events
        .iter()
        .filter(|e| entities.is_empty() || entities.contains(&e.entity_type))
        .filter(|e| entity_ids.is_empty() || entity_ids.contains(&e.entity_id))
        .filter(|e| types.is_empty() || types.contains(&e.event_type))
        .filter(|e| ids.is_empty() || ids.contains(&e.id))
        .filter(|e| creators.is_empty() || creators.contains(&e.created_by))
        .filter(|e| after.matches(&e.value_after) && before.matches(&e.value_before))
        .filter(|e| from.is_none_or(|f| e.created_at >= f))
        .filter(|e| to.is_none_or(|t| e.created_at <= t))
        .collect();
    // Newest first, as amoCRM lists events.
    list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let items = list.into_iter().map(|e| st.event_json(e)).collect();
    paginate(st, c, items, "events", 100, false)
}

// ---- OAuth -----------------------------------------------------------------

fn oauth_error(status: u16, hint: &str, title: &str) -> Reply {
    Reply::problem(
        status,
        &json!({"hint": hint, "title": title, "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson", "status": status, "detail": "В запросе отсутствует ряд параметров или параметры невалидны"}),
    )
}

/// `POST /oauth2/access_token` (not in the spec: validated by hand from amoCRM docs, oauth step-by-step).
fn oauth(st: &mut State, raw_body: &str, content_type: &str) -> Reply {
    let params: HashMap<String, String> = if content_type.contains("x-www-form-urlencoded") {
        url::form_urlencoded::parse(raw_body.as_bytes())
            .into_owned()
            .collect()
    } else {
        match serde_json::from_str::<Value>(raw_body) {
            Ok(Value::Object(m)) => m.into_iter().map(|(k, v)| (k, value_text(&v))).collect(),
            _ => {
                let errs = vec![fe(None, "InvalidJson", "", "Body must be a JSON object.")];
                st.record_violation("POST", "/oauth2/access_token", "by-hand", raw_body, &errs);
                return oauth_error(400, "Body must be a JSON object", "Некорректный запрос");
            }
        }
    };
    let mut errs = Vec::new();
    for k in ["client_id", "client_secret", "grant_type", "redirect_uri"] {
        if params.get(k).is_none_or(|v| v.is_empty()) {
            errs.push(missing(None, k));
        }
    }
    let grant = params.get("grant_type").cloned().unwrap_or_default();
    let secret_key = match grant.as_str() {
        "authorization_code" => "code",
        "refresh_token" => "refresh_token",
        _ => {
            errs.push(choice(None, "grant_type"));
            ""
        }
    };
    if !secret_key.is_empty() && params.get(secret_key).is_none_or(|v| v.is_empty()) {
        errs.push(missing(None, secret_key));
    }
    if !errs.is_empty() {
        st.record_violation("POST", "/oauth2/access_token", "by-hand", raw_body, &errs);
        let hint = errs
            .iter()
            .map(|e| format!("{}: {}", e.path, e.code))
            .collect::<Vec<_>>()
            .join(", ");
        return oauth_error(400, &hint, "Некорректный запрос");
    }
    if params.get("client_id") != Some(&st.client_id)
        || params.get("client_secret") != Some(&st.client_secret)
    {
        return oauth_error(401, "Client authentication failed", "Некорректный запрос");
    }
    if params.get("redirect_uri") != Some(&st.redirect_uri) {
        return oauth_error(400, "Redirect URI mismatch", "Некорректный запрос");
    }
    let user = if grant == "authorization_code" {
        let code = params.get("code").cloned().unwrap_or_default();
        match st.tokens.codes.remove(&code) {
            Some(u) => u,
            None => {
                return oauth_error(
                    400,
                    "Authorization code has been revoked",
                    "Некорректный запрос",
                );
            }
        }
    } else {
        let rt = params.get("refresh_token").cloned().unwrap_or_default();
        match st.tokens.refresh.get_mut(&rt) {
            Some(r) if !r.used && !r.revoked => {
                // Single use: rotation (amoCRM docs, oauth step-by-step).
                r.used = true;
                r.user_id
            }
            Some(_) => return Reply::problem(401, &revoked_body()),
            None => {
                return oauth_error(
                    401,
                    "Cannot decrypt the refresh token",
                    "Некорректный запрос",
                );
            }
        }
    };
    let now = st.now();
    let lifetime = st.access_token_lifetime;
    let domain = st.base_url.trim_start_matches("http://").to_string();
    let access = st
        .tokens
        .new_bearer(TokenKind::Access, user, now, lifetime, &domain);
    let refresh = st.tokens.new_refresh(user);
    Reply::hal(
        200,
        &json!({"token_type": "Bearer", "expires_in": lifetime, "server_time": now, "access_token": access, "refresh_token": refresh}),
    )
}
