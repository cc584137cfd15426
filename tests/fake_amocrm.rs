//! Self-tests of the fake amoCRM (tests/support/fake_amocrm), through a real
//! HTTP client (reqwest with rustls), as the daemon talks to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::fake_amocrm::*;

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

/// Options with the rate limit out of the way (tests that check it say so).
fn roomy() -> FakeOptions {
    FakeOptions {
        rate_limit: 10_000,
        ..FakeOptions::default()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

async fn call_with(
    c: &reqwest::Client,
    fake: &FakeAmo,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<Resp, reqwest::Error> {
    let url = format!("{}{}", fake.base_url(), path);
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = c.request(m, &url).bearer_auth(token);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await?;
    Ok(Resp {
        status,
        headers,
        text,
    })
}

async fn call(fake: &FakeAmo, method: &str, path: &str, body: Option<Value>) -> Resp {
    call_with(
        &client(),
        fake,
        &fake.long_lived_token(),
        method,
        path,
        body,
    )
    .await
    .unwrap()
}

/// Follow `_links.next` from `path`, collecting `_embedded[key]`.
async fn collect_pages(fake: &FakeAmo, path: &str, key: &str) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut pages = 0;
    let mut url = format!("{}{}", fake.base_url(), path);
    loop {
        let r = client()
            .get(&url)
            .bearer_auth(fake.long_lived_token())
            .send()
            .await
            .unwrap();
        if r.status().as_u16() == 204 {
            break;
        }
        assert_eq!(r.status().as_u16(), 200);
        let v: Value = r.json().await.unwrap();
        pages += 1;
        out.extend(v["_embedded"][key].as_array().unwrap().iter().cloned());
        match v["_links"]["next"]["href"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    (out, pages)
}

/// The unsorted/forms example of amoCRM docs (unsorted-api) (pipeline id of the seed).
fn unsorted_example() -> Value {
    json!([{
        "source_uid": "site-contact-form",
        "source_name": "example.com contact form",
        "pipeline_id": ids::PIPELINE_MAIN,
        "created_at": 1720425600,
        "request_id": "mail-abc123",
        "metadata": {
            "form_id": "contact", "form_name": "Обратная связь", "form_page": "https://example.com/contacts",
            "ip": "192.0.2.10", "form_sent_at": 1720425600, "referer": "https://google.com/"
        },
        "_embedded": {
            "leads": [{ "name": "Заявка с сайта", "price": 0,
                        "custom_fields_values": [{"field_id": ids::FIELD_REQUEST_ID, "values": [{"value": "key-777"}]}],
                        "_embedded": {"tags": [{"name": "site-form"}]} }],
            "contacts": [{
                "first_name": "Иван",
                "custom_fields_values": [
                    { "field_code": "PHONE", "values": [{ "value": "+79123456789", "enum_code": "WORK" }] },
                    { "field_code": "EMAIL", "values": [{ "value": "ivan@example.com", "enum_code": "WORK" }] }
                ]
            }]
        }
    }])
}

#[tokio::test]
async fn discovery_endpoints_and_pagination() {
    let fake = FakeAmo::start(FakeOptions {
        page_size: Some(2),
        ..roomy()
    });
    let acc = call(
        &fake,
        "GET",
        "/api/v4/account?with=datetime_settings,task_types",
        None,
    )
    .await;
    assert_eq!(acc.status, 200);
    assert_eq!(acc.headers["content-type"], "application/hal+json");
    let acc = acc.json();
    assert_eq!(acc["subdomain"], "test");
    assert_eq!(
        acc["_embedded"]["datetime_settings"]["timezone"],
        "Europe/Moscow"
    );
    assert_eq!(acc["_embedded"]["task_types"][0]["id"], 1);

    let p = call(&fake, "GET", "/api/v4/leads/pipelines", None)
        .await
        .json();
    let pipelines = p["_embedded"]["pipelines"].as_array().unwrap();
    assert_eq!(pipelines.len(), 2);
    let main = pipelines.iter().find(|p| p["is_main"] == true).unwrap();
    let statuses = main["_embedded"]["statuses"].as_array().unwrap();
    assert_eq!(statuses[0]["type"], 1, "Unsorted first");
    assert_eq!(statuses[0]["name"], "Неразобранное");
    let names: Vec<&str> = statuses
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for n in ["Первичный контакт", "Замер", "Думает"] {
        assert!(names.contains(&n), "{names:?}");
    }
    assert!(statuses.iter().any(|s| s["id"] == 142));
    assert!(statuses.iter().any(|s| s["id"] == 143));

    let (users, pages) = collect_pages(&fake, "/api/v4/users", "users").await;
    assert_eq!(users.len(), 4);
    assert_eq!(pages, 2, "page_size 2 over 4 users");
    assert!(users.iter().any(|u| u["name"] == "Анна Менеджер"));

    let (fields, pages) =
        collect_pages(&fake, "/api/v4/leads/custom_fields", "custom_fields").await;
    assert_eq!(fields.len(), fake.seed().lead_fields.len());
    assert!(pages > 3);
    let source = fields.iter().find(|f| f["name"] == "Источник").unwrap();
    assert_eq!(source["type"], "select");
    assert!(
        source["enums"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["value"] == "Сайт")
    );

    let (cfields, _) =
        collect_pages(&fake, "/api/v4/contacts/custom_fields", "custom_fields").await;
    let phone = cfields.iter().find(|f| f["code"] == "PHONE").unwrap();
    assert!(
        phone["enums"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["value"] == "MOB")
    );

    let (reasons, _) = collect_pages(&fake, "/api/v4/leads/loss_reasons", "loss_reasons").await;
    assert!(reasons.iter().any(|r| r["name"] == "Нецелевой запрос"));

    // A page past the end is "nothing found".
    assert_eq!(
        call(&fake, "GET", "/api/v4/users?page=9", None)
            .await
            .status,
        204
    );
    fake.assert_no_spec_violations();
}

#[tokio::test]
async fn unsorted_forms_example_accepted_and_listed() {
    let fake = FakeAmo::start(roomy());
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let item = &v["_embedded"]["unsorted"][0];
    assert_eq!(item["request_id"], "mail-abc123");
    let uid = item["uid"].as_str().unwrap().to_string();
    let lead_id = item["_embedded"]["leads"][0]["id"].as_i64().unwrap();
    let contact_id = item["_embedded"]["contacts"][0]["id"].as_i64().unwrap();
    fake.assert_no_spec_violations();

    let lead = fake.lead(lead_id).unwrap();
    assert_eq!(lead.status_id, ids::STATUS_UNSORTED);
    assert_eq!(lead.name, "Заявка с сайта");
    assert_eq!(lead.contact_ids, vec![contact_id]);
    assert_eq!(lead.field("ID заявки"), vec!["key-777"]);
    assert!(lead.has_tag("site-form"));
    let contact = fake.contact(contact_id).unwrap();
    assert_eq!(contact.phones(), vec!["+79123456789"]);
    assert_eq!(contact.emails(), vec!["ivan@example.com"]);

    // Listed, with form_sent_at as a string like the real API.
    let l = call(
        &fake,
        "GET",
        &format!("/api/v4/leads/unsorted?filter[uid]={uid}"),
        None,
    )
    .await
    .json();
    let got = &l["_embedded"]["unsorted"][0];
    assert_eq!(got["metadata"]["form_sent_at"], "1720425600");
    assert_eq!(got["_embedded"]["leads"][0]["id"], lead_id);
    // Notes can be attached before acceptance.
    let n = call(
        &fake,
        "POST",
        "/api/v4/leads/notes",
        Some(json!([{"entity_id": lead_id, "note_type": "common", "params": {"text": "Заявка из письма"}, "request_id": "n1"}])),
    )
    .await;
    assert_eq!(n.status, 200, "{}", n.text);
    assert_eq!(n.json()["_embedded"]["notes"][0]["request_id"], "n1");
    assert_eq!(fake.lead_notes(lead_id).len(), 1);

    // Accept moves it out of Unsorted and emits lead_status_changed.
    let a = call(
        &fake,
        "POST",
        &format!("/api/v4/leads/unsorted/{uid}/accept"),
        Some(json!({"user_id": ids::USER_ANNA, "status_id": ids::STATUS_MEASUREMENT})),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["_embedded"]["leads"][0]["id"], lead_id);
    assert_eq!(
        fake.lead(lead_id).unwrap().status_id,
        ids::STATUS_MEASUREMENT
    );
    assert!(
        fake.events()
            .iter()
            .any(|e| e.event_type == "lead_status_changed"
                && e.entity_id == lead_id
                && e.created_by == ids::USER_ANNA)
    );
    // No longer pending: the unsorted list is empty.
    assert_eq!(
        call(&fake, "GET", "/api/v4/leads/unsorted", None)
            .await
            .status,
        204
    );
    fake.assert_no_spec_violations();
}

#[tokio::test]
async fn complex_example_returns_bare_array() {
    let fake = FakeAmo::start(roomy());
    let body = json!([{
        "name": "Заявка с сайта", "price": 0,
        "pipeline_id": ids::PIPELINE_MAIN, "status_id": ids::STATUS_LOST,
        "responsible_user_id": ids::USER_BORIS, "loss_reason_id": ids::LOSS_NOT_TARGET,
        "custom_fields_values": [{"field_id": ids::FIELD_SOURCE, "values": [{"enum_id": ids::ENUM_SOURCE_SITE}]},
                                 {"field_id": 2104, "field_code": null, "values": [{"value": 12.5}]}],
        "_embedded": {
            "tags": [{"name": "site-form"}],
            "contacts": [{"first_name": "Ivan", "last_name": "Zinoviev",
                          "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "+79129876543"}]}]}],
            "companies": [{"name": "Qwerty LLC"}]
        },
        "request_id": "0752a617"
    }]);
    let r = call(&fake, "POST", "/api/v4/leads/complex", Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let arr = v.as_array().expect("bare array");
    assert_eq!(arr[0]["request_id"], json!(["0752a617"]));
    assert_eq!(arr[0]["merged"], false);
    let lead = fake.lead(arr[0]["id"].as_i64().unwrap()).unwrap();
    assert_eq!(lead.status_id, ids::STATUS_LOST);
    assert!(lead.closed_at.is_some());
    assert_eq!(lead.field("Источник"), vec!["Сайт"]);
    assert_eq!(lead.main_contact_id, arr[0]["contact_id"].as_i64());
    assert!(lead.company_id.is_some());
    fake.assert_no_spec_violations();

    // More than 50 leads is refused.
    let many: Vec<Value> = (0..51).map(|i| json!({"name": format!("L{i}")})).collect();
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/complex",
        Some(Value::Array(many)),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(fake.spec_violations().len(), 1);
}

#[tokio::test]
async fn schema_violations_are_refused_and_recorded() {
    let fake = FakeAmo::start(roomy());
    // Spec says entity_id is optional; amoCRM refuses it (by-hand check).
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/notes",
        Some(json!([{"note_type": "common", "params": {"text": "x"}}])),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let v = r.json();
    assert_eq!(v["title"], "Bad Request");
    assert_eq!(
        v["validation-errors"][0]["errors"][0]["code"],
        "FieldMissing"
    );
    assert_eq!(v["validation-errors"][0]["errors"][0]["path"], "entity_id");

    // Tasks without complete_till.
    let r = call(
        &fake,
        "POST",
        "/api/v4/tasks",
        Some(json!([{"text": "Перезвонить"}])),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["validation-errors"][0]["errors"][0]["path"],
        "complete_till"
    );

    // unsorted/forms with wrong types: caught by the OpenAPI schema.
    let bad = json!([{"source_uid": 17, "source_name": "x", "request_id": "r9",
                      "metadata": {"form_sent_at": "yesterday"}}]);
    let r = call(&fake, "POST", "/api/v4/leads/unsorted/forms", Some(bad)).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let v = r.json();
    assert_eq!(v["validation-errors"][0]["request_id"], "r9");
    let paths: Vec<&str> = v["validation-errors"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"source_uid"), "{paths:?}");
    assert!(paths.contains(&"metadata.form_sent_at"), "{paths:?}");

    // A wrapped body ({"data": [...]}) is not an array.
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(json!({"data": unsorted_example()})),
    )
    .await;
    assert_eq!(r.status, 400);

    // Unknown field id / enum / status / user.
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads",
        Some(json!([{"name": "x", "status_id": 999, "responsible_user_id": 1,
                     "custom_fields_values": [{"field_id": 424242, "values": [{"value": "a"}]},
                                              {"field_id": ids::FIELD_SOURCE, "values": [{"enum_id": 1}]}]}])),
    )
    .await;
    assert_eq!(r.status, 400);
    let v = r.json();
    let errs = v["validation-errors"][0]["errors"].as_array().unwrap();
    let paths: Vec<&str> = errs.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"status_id"), "{paths:?}");
    assert!(paths.contains(&"responsible_user_id"), "{paths:?}");
    assert!(
        paths.contains(&"custom_fields_values.0.field_id"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"custom_fields_values.1.values.0.enum_id"),
        "{paths:?}"
    );

    // Not JSON at all.
    let r = client()
        .post(format!("{}/api/v4/tasks", fake.base_url()))
        .bearer_auth(fake.long_lived_token())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    let v = fake.spec_violations();
    assert_eq!(v.len(), 6, "{v:#?}");
    assert_eq!(v[2].operation, "UnsortedLeads_createForms");
    assert!(fake.leads().is_empty(), "nothing executed");
    assert!(fake.tasks().is_empty());
}

#[tokio::test]
async fn rate_limit_429_over_seven_per_second() {
    let fake = FakeAmo::start(FakeOptions::default());
    let c = client();
    let token = fake.long_lived_token();
    let futs = (0..10).map(|_| call_with(&c, &fake, &token, "GET", "/api/v4/account", None));
    let results = futures::future::join_all(futs).await;
    let statuses: Vec<u16> = results.into_iter().map(|r| r.unwrap().status).collect();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(refused + statuses.iter().filter(|s| **s == 200).count(), 10);
    assert!(
        refused >= 1,
        "10 concurrent requests exceed 7/s: {statuses:?}"
    );
    assert_eq!(fake.count_429(), refused);
    // Exact sliding-window semantics, independent of how fast the machine is:
    // a request is refused iff it is the 8th or later within one second.
    let recs = fake.requests();
    for (i, r) in recs.iter().enumerate() {
        let in_window = recs[..=i]
            .iter()
            .filter(|p| r.at.duration_since(p.at) < Duration::from_secs(1))
            .count();
        assert_eq!(
            r.status == 429,
            in_window > 7,
            "request {i}: {in_window} in window, status {}",
            r.status
        );
    }
    assert!(fake.peak_rate_per_second() >= 8);

    // After the window slides, requests pass again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        call(&fake, "GET", "/api/v4/account", None).await.status,
        200
    );

    // Paced at 5/s nothing is refused.
    fake.clear_requests();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for _ in 0..10 {
        assert_eq!(call(&fake, "GET", "/api/v4/users", None).await.status, 200);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(fake.count_429(), 0);
    assert!(
        fake.peak_rate_per_second() <= 6,
        "{}",
        fake.peak_rate_per_second()
    );
    assert_eq!(fake.requests().len(), 10);
}

#[tokio::test]
async fn contact_search_204_and_phone_matching() {
    let fake = FakeAmo::start(roomy());
    let r = call(&fake, "GET", "/api/v4/contacts?query=9123456789", None).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let id = fake.add_contact("Иван", &["+7 (912) 345-67-89"], &["Ivan@Example.com"]);
    for q in [
        "9123456789",
        "79123456789",
        "ivan@example.com",
        "%2B79123456789",
    ] {
        let r = call(&fake, "GET", &format!("/api/v4/contacts?query={q}"), None).await;
        assert_eq!(r.status, 200, "query {q}");
        assert_eq!(r.json()["_embedded"]["contacts"][0]["id"], id, "query {q}");
    }
    // Format-sensitive like amoCRM: the 8-prefixed form is another string.
    assert_eq!(
        call(&fake, "GET", "/api/v4/contacts?query=89123456789", None)
            .await
            .status,
        204
    );
    assert_eq!(
        call(
            &fake,
            "GET",
            "/api/v4/contacts?query=petr@example.com",
            None
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn lead_query_searches_fields_not_tags() {
    let fake = FakeAmo::start(roomy());
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await;
    let lead_id = r.json()["_embedded"]["unsorted"][0]["_embedded"]["leads"][0]["id"]
        .as_i64()
        .unwrap();
    let r = call(
        &fake,
        "GET",
        "/api/v4/leads?query=key-777&with=contacts",
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["_embedded"]["leads"][0]["id"], lead_id);
    assert_eq!(
        v["_embedded"]["leads"][0]["_embedded"]["contacts"][0]["is_main"],
        true
    );
    assert_eq!(
        call(&fake, "GET", "/api/v4/leads?query=site-form", None)
            .await
            .status,
        204
    );
    let r = call(
        &fake,
        "GET",
        &format!("/api/v4/leads?filter[id][]={lead_id}"),
        None,
    )
    .await;
    assert_eq!(r.json()["_embedded"]["leads"][0]["id"], lead_id);
    let r = call(
        &fake,
        "GET",
        &format!("/api/v4/leads/{lead_id}?with=contacts"),
        None,
    )
    .await;
    assert_eq!(r.json()["status_id"], ids::STATUS_UNSORTED);
    assert_eq!(
        call(&fake, "GET", "/api/v4/leads/1", None).await.status,
        204
    );
}

#[tokio::test]
async fn oauth_code_exchange_and_refresh_rotation() {
    let fake = FakeAmo::start(FakeOptions {
        access_token_lifetime: 3600,
        ..roomy()
    });
    let c = client();
    let url = format!("{}/oauth2/access_token", fake.base_url());
    let code = fake.issue_auth_code();
    let base = json!({"client_id": "fake-client-id", "client_secret": "fake-client-secret",
                      "redirect_uri": "https://example.ru/amo/oauth"});
    let mut body = base.clone();
    body["grant_type"] = json!("authorization_code");
    body["code"] = json!(code);
    let r = c.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let t1: Value = r.json().await.unwrap();
    assert_eq!(t1["token_type"], "Bearer");
    assert_eq!(t1["expires_in"], 3600);
    let access1 = t1["access_token"].as_str().unwrap().to_string();
    let refresh1 = t1["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(access1.split('.').count(), 3, "JWT-shaped");
    assert_eq!(
        call_with(&c, &fake, &access1, "GET", "/api/v4/account", None)
            .await
            .unwrap()
            .status,
        200
    );
    // The code is single-use.
    let r = c.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);

    let mut rbody = base.clone();
    rbody["grant_type"] = json!("refresh_token");
    rbody["refresh_token"] = json!(refresh1);
    let t2: Value = c
        .post(&url)
        .json(&rbody)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh2 = t2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(refresh1, refresh2, "rotated");
    // Reusing the old refresh token: 401 "Token has been revoked".
    let r = c.post(&url).json(&rbody).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["hint"], "Token has been revoked");
    assert_eq!(
        v["type"],
        "https://developers.amocrm.ru/v3/errors/OAuthProblemJson"
    );
    // The new one works once.
    rbody["refresh_token"] = json!(refresh2);
    let r = c.post(&url).json(&rbody).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Access tokens expire with the fake clock.
    let access2 = t2["access_token"].as_str().unwrap().to_string();
    fake.advance(3601);
    let r = call_with(&c, &fake, &access2, "GET", "/api/v4/account", None)
        .await
        .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["detail"], "Неверный логин или пароль");
    // Wrong client secret.
    let mut bad = base.clone();
    bad["client_secret"] = json!("nope");
    bad["grant_type"] = json!("authorization_code");
    bad["code"] = json!(fake.issue_auth_code());
    assert_eq!(
        c.post(&url)
            .json(&bad)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    fake.assert_no_spec_violations();
}

#[tokio::test]
async fn revoked_and_expired_tokens_get_401() {
    let fake = FakeAmo::start(roomy());
    let c = client();
    let r = c
        .get(format!("{}/api/v4/account", fake.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401, "no token");
    let short = fake.issue_token(TokenKind::LongLived, 3600);
    assert_eq!(
        call_with(&c, &fake, &short, "GET", "/api/v4/account", None)
            .await
            .unwrap()
            .status,
        200
    );
    fake.expire_token(&short);
    let r = call_with(&c, &fake, &short, "GET", "/api/v4/account", None)
        .await
        .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["title"], "Unauthorized");

    fake.revoke_token(&fake.long_lived_token());
    let r = call(&fake, "GET", "/api/v4/account", None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["hint"], "Token has been revoked");
    assert!(!fake.token_valid(&fake.long_lived_token()));
}

#[tokio::test]
async fn injected_status_faults() {
    let fake = FakeAmo::start(roomy());
    let p = "/api/v4/leads/unsorted/forms";
    fake.inject(Fault::new("POST", p, FaultKind::InternalError));
    fake.inject(Fault::new(
        "POST",
        p,
        FaultKind::Unavailable {
            status: 503,
            retry_after: Some(2),
        },
    ));
    fake.inject(Fault::new(
        "POST",
        p,
        FaultKind::Unavailable {
            status: 502,
            retry_after: None,
        },
    ));
    fake.inject(Fault::new(
        "POST",
        p,
        FaultKind::TooManyRequests {
            retry_after: Some(1),
        },
    ));
    fake.inject(Fault::new("POST", p, FaultKind::HtmlForbidden));
    fake.inject(Fault::new("POST", p, FaultKind::Validation));
    fake.inject(Fault::new("POST", p, FaultKind::Unauthorized));
    let mut seen = Vec::new();
    for _ in 0..8 {
        let r = call(&fake, "POST", p, Some(unsorted_example())).await;
        seen.push((
            r.status,
            r.headers
                .get("retry-after")
                .map(|h| h.to_str().unwrap().to_string()),
            r.headers
                .get("content-type")
                .map(|h| h.to_str().unwrap().to_string()),
            r.text,
        ));
    }
    assert_eq!(seen[0].0, 500);
    assert_eq!(
        serde_json::from_str::<Value>(&seen[0].3).unwrap()["detail"],
        "An unknown error occurred."
    );
    assert_eq!((seen[1].0, seen[1].1.as_deref()), (503, Some("2")));
    assert_eq!((seen[2].0, seen[2].1.as_deref()), (502, None));
    assert_eq!((seen[3].0, seen[3].1.as_deref()), (429, Some("1")));
    assert_eq!(seen[4].0, 403);
    assert_eq!(seen[4].2.as_deref(), Some("text/html"));
    assert!(seen[4].3.contains("<h1>403 Forbidden</h1>"));
    assert_eq!(seen[5].0, 400);
    assert!(seen[5].3.contains("validation-errors"));
    assert_eq!(seen[6].0, 401);
    assert_eq!(seen[7].0, 200, "queue drained, normal again");
    assert_eq!(fake.leads().len(), 1, "only the last one executed");
    assert!(fake.pending_faults().is_empty());
    assert_eq!(fake.count_429(), 0, "injected 429s are not rate-limit 429s");
    fake.assert_no_spec_violations();
}

#[tokio::test]
async fn fault_times_after_and_method_matching() {
    let fake = FakeAmo::start(roomy());
    fake.inject(
        Fault::new("GET", "/api/v4/users", FaultKind::InternalError)
            .after(1)
            .times(2),
    );
    let mut st = Vec::new();
    for _ in 0..4 {
        st.push(call(&fake, "GET", "/api/v4/users", None).await.status);
    }
    assert_eq!(st, vec![200, 500, 500, 200]);
    fake.inject(Fault::new(
        "POST",
        "/api/v4/users",
        FaultKind::InternalError,
    ));
    assert_eq!(
        call(&fake, "GET", "/api/v4/users", None).await.status,
        200,
        "method differs"
    );
    assert_eq!(fake.pending_faults().len(), 1);
    let recorded = fake.requests_to("GET", "/api/v4/users");
    assert_eq!(recorded.iter().filter(|r| r.fault.is_some()).count(), 2);
}

#[tokio::test]
async fn timeout_fault_holds_without_executing() {
    let fake = FakeAmo::start(roomy());
    fake.inject(Fault::new(
        "POST",
        "/api/v4/leads/unsorted/forms",
        FaultKind::Timeout {
            hold: Duration::from_secs(3),
        },
    ));
    let c = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = call_with(
        &c,
        &fake,
        &fake.long_lived_token(),
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await
    .err()
    .expect("client times out");
    assert!(e.is_timeout(), "{e:?}");
    assert!(fake.leads().is_empty());
}

#[tokio::test]
async fn slow_answer_still_executes_after_client_gave_up() {
    let fake = FakeAmo::start(roomy());
    fake.inject(Fault::new(
        "POST",
        "/api/v4/leads/unsorted/forms",
        FaultKind::Slow {
            delay: Duration::from_millis(400),
        },
    ));
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let e = call_with(
        &quick,
        &fake,
        &fake.long_lived_token(),
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await
    .err()
    .expect("client times out");
    assert!(e.is_timeout());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while fake.leads().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(fake.leads().len(), 1, "executed although the client left");

    // With a patient client the slow answer succeeds.
    fake.inject(Fault::new(
        "GET",
        "/api/v4/account",
        FaultKind::Slow {
            delay: Duration::from_millis(200),
        },
    ));
    let t = std::time::Instant::now();
    assert_eq!(
        call(&fake, "GET", "/api/v4/account", None).await.status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn reset_after_lead_created() {
    let fake = FakeAmo::start(roomy());
    fake.inject(Fault::new(
        "POST",
        "/api/v4/leads/unsorted/forms",
        FaultKind::ResetAfterExecute,
    ));
    let c = client();
    let e = call_with(
        &c,
        &fake,
        &fake.long_lived_token(),
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await
    .err()
    .expect("client sees an error, not a response");
    assert!(!e.is_timeout(), "{e:?}");
    assert!(e.status().is_none(), "no HTTP status was received: {e:?}");
    let leads = fake.leads();
    assert_eq!(leads.len(), 1, "the lead exists");
    // The same client keeps working afterwards (new connection).
    let r = call_with(
        &c,
        &fake,
        &fake.long_lived_token(),
        "GET",
        "/api/v4/leads?query=key-777",
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["_embedded"]["leads"][0]["id"], leads[0].id);
    let rec = fake.requests_to("POST", "/api/v4/leads/unsorted/forms");
    assert_eq!(rec[0].status, 0, "recorded as reset");
}

#[tokio::test]
async fn tasks_notes_links_and_events() {
    let fake = FakeAmo::start(FakeOptions {
        page_size: Some(2),
        now: Some(1_720_000_000),
        ..roomy()
    });
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await;
    let lead_id = r.json()["_embedded"]["unsorted"][0]["_embedded"]["leads"][0]["id"]
        .as_i64()
        .unwrap();
    let other = fake.add_contact("Пётр", &["+79990001122"], &[]);
    let r = call(
        &fake,
        "POST",
        &format!("/api/v4/leads/{lead_id}/link"),
        Some(json!([{"to_entity_id": other, "to_entity_type": "contacts", "metadata": {"is_main": false}}])),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["_embedded"]["links"][0]["to_entity_id"], other);
    assert_eq!(fake.lead(lead_id).unwrap().contact_ids.len(), 2);

    let r = call(
        &fake,
        "POST",
        "/api/v4/tasks",
        Some(json!([{"text": "Перезвонить клиенту", "complete_till": 1_720_000_600, "entity_id": lead_id,
                     "entity_type": "leads", "task_type_id": 1, "responsible_user_id": ids::USER_ANNA, "request_id": "t1"}])),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let task_id = r.json()["_embedded"]["tasks"][0]["id"].as_i64().unwrap();
    let r = call(&fake, "GET", &format!("/api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]={lead_id}&filter[is_completed]=0"), None).await;
    assert_eq!(r.json()["_embedded"]["tasks"][0]["id"], task_id);
    let r = call(
        &fake,
        "PATCH",
        "/api/v4/tasks",
        Some(json!([{"id": task_id, "is_completed": true, "result": {"text": "Дозвонились"}}])),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(fake.tasks()[0].is_completed);
    assert_eq!(
        call(&fake, "GET", "/api/v4/tasks?filter[is_completed]=0", None)
            .await
            .status,
        204
    );

    // SLA helpers at chosen times.
    fake.set_now(1_720_000_300);
    fake.add_outgoing_call("lead", lead_id);
    fake.advance(60);
    assert!(fake.move_lead_status(lead_id, ids::STATUS_THINKING));
    assert!(fake.set_responsible(lead_id, ids::USER_BORIS));
    fake.add_event(
        "lead",
        lead_id,
        "incoming_chat_message",
        1_720_000_500,
        json!([]),
        json!([{"message": {"id": "m1"}}]),
    );

    let q = format!(
        "/api/v4/events?filter[entity]=lead&filter[entity_id][]={lead_id}&filter[type][]=outgoing_call&filter[type][]=lead_status_changed&filter[type][]=entity_responsible_changed&filter[type][]=incoming_chat_message&filter[created_at][from]=1720000200"
    );
    let (events, pages) = collect_pages(&fake, &q, "events").await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    // Newest first; ties by id, newest first.
    assert_eq!(
        types,
        vec![
            "incoming_chat_message",
            "entity_responsible_changed",
            "lead_status_changed",
            "outgoing_call"
        ]
    );
    assert_eq!(pages, 2);
    let status_ev = events
        .iter()
        .find(|e| e["type"] == "lead_status_changed")
        .unwrap();
    assert_eq!(
        status_ev["value_after"][0]["lead_status"]["id"],
        ids::STATUS_THINKING
    );
    assert_eq!(
        status_ev["value_before"][0]["lead_status"]["id"],
        ids::STATUS_UNSORTED
    );
    assert_eq!(status_ev["created_at"], 1_720_000_360);
    assert!(status_ev["id"].is_string());
    // Before the calls: nothing → 204.
    let r = call(&fake, "GET", &format!("/api/v4/events?filter[entity]=lead&filter[entity_id]={lead_id}&filter[type]=outgoing_call&filter[created_at][from]=1720000301"), None).await;
    assert_eq!(r.status, 204);
    // More than 10 entity ids is refused.
    let many: String = (1..=11)
        .map(|i| format!("&filter[entity_id][]={i}"))
        .collect();
    let r = call(
        &fake,
        "GET",
        &format!("/api/v4/events?filter[entity]=lead{many}"),
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(fake.spec_violations().len(), 1);
}

fn b64url_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => panic!("bad base64url {c}"),
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        acc = (acc << 6) | u32::from(val(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn long_lived_token_is_a_jwt_with_exp() {
    let fake = FakeAmo::start(FakeOptions {
        now: Some(1_800_000_000),
        long_lived_token_lifetime: 86_400 * 30,
        ..roomy()
    });
    let token = fake.long_lived_token();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let claims: Value = serde_json::from_slice(&b64url_decode(parts[1])).unwrap();
    assert_eq!(claims["exp"], 1_800_000_000 + 86_400 * 30);
    assert_eq!(claims["iat"], 1_800_000_000);
    fake.advance(86_400 * 30);
    assert_eq!(
        call(&fake, "GET", "/api/v4/account", None).await.status,
        401,
        "expired at exp"
    );
}

#[tokio::test]
async fn events_filter_values_are_checked() {
    let fake = FakeAmo::start(roomy());
    let r = call(&fake, "GET", "/api/v4/events?filter[entity]=leads", None).await;
    assert_eq!(r.status, 400, "plural entity name is a client bug");
    let r = call(
        &fake,
        "GET",
        "/api/v4/events?filter[entity]=lead&filter[type][]=outgoing_calls",
        None,
    )
    .await;
    assert_eq!(r.status, 400, "unknown event type");
    let r = call(&fake, "GET", "/api/v4/events?filter[entity]=lead&filter[type]=custom_field_2101_value_changed,outgoing_call", None).await;
    assert_eq!(r.status, 204);
    let r = call(&fake, "GET", "/api/v4/events?limit=250", None).await;
    assert_eq!(r.status, 400, "events pages are at most 100");
    assert_eq!(fake.spec_violations().len(), 3);
}

#[tokio::test]
async fn body_without_json_content_type_is_refused() {
    let fake = FakeAmo::start(roomy());
    let r = client()
        .post(format!("{}/api/v4/leads/unsorted/forms", fake.base_url()))
        .bearer_auth(fake.long_lived_token())
        .body(unsorted_example().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(fake.spec_violations()[0].operation, "content-type");
    assert!(fake.leads().is_empty());
}

#[tokio::test]
async fn unsorted_duplicates_tagged_or_refused() {
    let fake = FakeAmo::start(roomy());
    let a = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await;
    assert_eq!(a.status, 200);
    let mut again = unsorted_example();
    // Same client, phone written another way.
    again[0]["_embedded"]["contacts"][0]["custom_fields_values"][0]["values"][0]["value"] =
        json!("8 (912) 345-67-89");
    let b = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(again.clone()),
    )
    .await;
    assert_eq!(b.status, 200);
    let leads = fake.leads();
    assert_eq!(leads.len(), 2);
    assert!(
        leads.iter().all(|l| l.has_tag(DUPLICATE_TAG)),
        "both tagged"
    );

    let strict = FakeAmo::start(FakeOptions {
        duplicates: DuplicatePolicy::Reject,
        ..roomy()
    });
    assert_eq!(
        call(
            &strict,
            "POST",
            "/api/v4/leads/unsorted/forms",
            Some(unsorted_example())
        )
        .await
        .status,
        200
    );
    let r = call(&strict, "POST", "/api/v4/leads/unsorted/forms", Some(again)).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["validation-errors"].is_array());
    assert_eq!(strict.leads().len(), 1);
    assert!(
        strict.spec_violations().is_empty(),
        "a duplicate is not a client bug"
    );
}

#[tokio::test]
async fn contacts_of_pending_unsorted_can_be_hidden_from_search() {
    let fake = FakeAmo::start(FakeOptions {
        hide_unsorted_contacts: true,
        ..roomy()
    });
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await;
    let uid = r.json()["_embedded"]["unsorted"][0]["uid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        call(&fake, "GET", "/api/v4/contacts?query=9123456789", None)
            .await
            .status,
        204
    );
    fake.accept_unsorted(&uid).unwrap();
    assert_eq!(
        call(&fake, "GET", "/api/v4/contacts?query=9123456789", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn lead_update_tags_fields_and_status() {
    let fake = FakeAmo::start(roomy());
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads",
        Some(json!([{"name": "Л", "_embedded": {"tags": [{"name": "a"}, {"name": "b"}]}}])),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.json()["_embedded"]["leads"][0]["id"].as_i64().unwrap();
    assert_eq!(
        fake.lead(id).unwrap().status_id,
        ids::STATUS_FIRST_CONTACT,
        "default: first regular stage"
    );
    let r = call(
        &fake,
        "PATCH",
        &format!("/api/v4/leads/{id}"),
        Some(json!({"status_id": ids::STATUS_LOST, "loss_reason_id": ids::LOSS_NOT_TARGET,
                    "tags_to_add": [{"name": "c"}], "tags_to_delete": [{"name": "a"}],
                    "custom_fields_values": [{"field_id": 2106, "values": [{"value": "Окна"}, {"enum_id": 3112}]}]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let l = fake.lead(id).unwrap();
    assert_eq!(l.tags, vec!["b", "c"]);
    assert_eq!(l.status_id, ids::STATUS_LOST);
    assert_eq!(l.loss_reason_id, Some(ids::LOSS_NOT_TARGET));
    assert_eq!(l.field("Продукт"), vec!["Окна", "Потолки"]);
    // _embedded.tags replaces and wins.
    let r = call(&fake, "PATCH", "/api/v4/leads", Some(json!([{"id": id, "_embedded": {"tags": [{"name": "z"}]}, "tags_to_add": [{"name": "y"}]}]))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(fake.lead(id).unwrap().tags, vec!["z"]);
    // The Unsorted stage cannot be set by hand.
    let r = call(
        &fake,
        "PATCH",
        "/api/v4/leads",
        Some(json!([{"id": id, "status_id": ids::STATUS_UNSORTED}])),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(fake.spec_violations().len(), 1);
}

#[test]
fn works_from_sync_code_and_shuts_down_on_drop() {
    let fake = FakeAmo::start(roomy());
    let addr = fake.base_url().trim_start_matches("http://").to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async { call(&fake, "GET", "/api/v4/account", None).await.status });
    assert_eq!(status, 200);
    assert_eq!(fake.requests().len(), 1);
    assert!(fake.wait_until(Duration::from_secs(1), |f| f.requests().len() == 1));
    assert!(!fake.wait_until(Duration::from_millis(50), |f| !f.leads().is_empty()));
    assert_eq!(
        fake.summary(),
        "requests=1 peak_rps=1 count_429=0 violations=0 leads=0 contacts=0"
    );
    drop(fake);
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "port closed after drop"
    );
}

#[tokio::test]
async fn lead_list_filters_and_unsorted_decline() {
    let fake = FakeAmo::start(FakeOptions {
        now: Some(1_720_000_000),
        ..roomy()
    });
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads/unsorted/forms",
        Some(unsorted_example()),
    )
    .await;
    let uid = r.json()["_embedded"]["unsorted"][0]["uid"]
        .as_str()
        .unwrap()
        .to_string();
    let unsorted_lead = fake.unsorted()[0].lead_id;
    fake.advance(100);
    let r = call(
        &fake,
        "POST",
        "/api/v4/leads",
        Some(json!([{"name": "B", "responsible_user_id": ids::USER_BORIS}])),
    )
    .await;
    let plain = r.json()["_embedded"]["leads"][0]["id"].as_i64().unwrap();
    let q = format!(
        "/api/v4/leads?filter[statuses][0][pipeline_id]={}&filter[statuses][0][status_id]={}",
        ids::PIPELINE_MAIN,
        ids::STATUS_UNSORTED
    );
    let (leads, _) = collect_pages(&fake, &q, "leads").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0]["id"], unsorted_lead);
    let r = call(
        &fake,
        "GET",
        &format!(
            "/api/v4/leads?filter[responsible_user_id]={}",
            ids::USER_BORIS
        ),
        None,
    )
    .await;
    assert_eq!(r.json()["_embedded"]["leads"][0]["id"], plain);
    let (leads, _) = collect_pages(
        &fake,
        "/api/v4/leads?filter[created_at][from]=1720000050",
        "leads",
    )
    .await;
    assert_eq!(leads.len(), 1);
    let (leads, _) = collect_pages(&fake, "/api/v4/leads?order[created_at]=desc", "leads").await;
    assert_eq!(leads[0]["id"], plain);
    // Leads created through the API are created by the integration's admin user.
    assert_eq!(leads[0]["created_by"], ids::USER_ADMIN);

    let r = call(
        &fake,
        "DELETE",
        &format!("/api/v4/leads/unsorted/{uid}/decline"),
        Some(json!({"user_id": ids::USER_ANNA})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        fake.lead(unsorted_lead).is_none(),
        "declined incoming lead is deleted"
    );
    assert_eq!(fake.unsorted()[0].state, UnsortedState::Declined);
    fake.assert_no_spec_violations();
}

#[tokio::test]
async fn event_value_filters_and_helpers() {
    let fake = FakeAmo::start(FakeOptions {
        now: Some(1_720_000_000),
        ..roomy()
    });
    let lead = fake.add_lead("Сделка", ids::STATUS_UNSORTED, ids::USER_ANNA);
    assert_eq!(
        fake.unsorted().len(),
        1,
        "an Unsorted lead has an unsorted item"
    );
    fake.advance(30);
    fake.add_note_as(
        ids::USER_ANNA,
        "leads",
        lead,
        "common",
        json!({"text": "Клиент не отвечает"}),
    );
    assert!(fake.move_lead_status(lead, ids::STATUS_MEASUREMENT));
    assert_eq!(fake.unsorted()[0].state, UnsortedState::Accepted);
    assert!(fake.set_responsible(lead, ids::USER_BORIS));

    let base = format!("/api/v4/events?filter[entity]=lead&filter[entity_id][]={lead}");
    let q = format!(
        "{base}&filter[type][]=lead_status_changed&filter[value_after][leads_statuses][0][pipeline_id]={}&filter[value_after][leads_statuses][0][status_id]={}",
        ids::PIPELINE_MAIN,
        ids::STATUS_MEASUREMENT
    );
    let r = call(&fake, "GET", &q, None).await;
    assert_eq!(r.json()["_embedded"]["events"].as_array().unwrap().len(), 1);
    let q = format!(
        "{base}&filter[value_after][leads_statuses][0][status_id]={}",
        ids::STATUS_THINKING
    );
    assert_eq!(call(&fake, "GET", &q, None).await.status, 204);
    let q = format!(
        "{base}&filter[value_after][responsible_user_id]={}",
        ids::USER_BORIS
    );
    let r = call(&fake, "GET", &q, None).await.json();
    assert_eq!(
        r["_embedded"]["events"][0]["type"],
        "entity_responsible_changed"
    );
    assert_eq!(r["_embedded"]["events"][0]["created_by"], ids::USER_VIKTOR);
    let q = format!(
        "{base}&filter[type]=common_note_added&filter[created_by][]={}",
        ids::USER_ANNA
    );
    let r = call(&fake, "GET", &q, None).await.json();
    assert_eq!(r["_embedded"]["events"][0]["created_at"], 1_720_000_030);
    fake.assert_no_spec_violations();
}

#[tokio::test]
async fn reset_before_execute_and_custom_faults() {
    let fake = FakeAmo::start(roomy());
    let p = "/api/v4/leads/unsorted/forms";
    fake.inject(Fault::new("POST", p, FaultKind::ResetBeforeExecute));
    fake.inject(Fault::new(
        "*",
        p,
        FaultKind::Custom {
            status: 402,
            content_type: "application/problem+json".into(),
            body: r#"{"title":"Payment Required","status":402}"#.into(),
        },
    ));
    let e = call_with(
        &client(),
        &fake,
        &fake.long_lived_token(),
        "POST",
        p,
        Some(unsorted_example()),
    )
    .await
    .err()
    .expect("connection dropped");
    assert!(e.status().is_none());
    assert!(fake.leads().is_empty(), "not executed");
    let r = call(&fake, "POST", p, Some(unsorted_example())).await;
    assert_eq!(r.status, 402);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert!(fake.leads().is_empty());
}

#[test]
fn fake_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<FakeAmo>();
}

#[tokio::test]
async fn api_md_examples_for_contacts_and_tasks_are_accepted() {
    let fake = FakeAmo::start(roomy());
    // amoCRM docs, custom-fields and contacts-api, with the PHP library's field_code: null and enum_id: 0.
    let r = call(
        &fake,
        "POST",
        "/api/v4/contacts",
        Some(json!([{"first_name": "Иван", "last_name": "Петров", "request_id": "c1",
                     "custom_fields_values": [
                        {"field_code": "PHONE", "values": [{"value": "+79123456789", "enum_code": "MOB"}]},
                        {"field_id": ids::FIELD_EMAIL, "field_code": null, "values": [{"value": "client@example.com", "enum_id": 0, "enum_code": "WORK"}]}
                     ]}])),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["_embedded"]["contacts"][0]["request_id"], "c1");
    let id = v["_embedded"]["contacts"][0]["id"].as_i64().unwrap();
    let c = fake.contact(id).unwrap();
    assert_eq!(c.name, "Иван Петров");
    assert_eq!(
        c.custom_fields_values[0].values[0].enum_code.as_deref(),
        Some("MOB")
    );
    let got = call(&fake, "GET", &format!("/api/v4/contacts/{id}"), None)
        .await
        .json();
    assert_eq!(got["custom_fields_values"][1]["field_code"], "EMAIL");
    assert_eq!(
        got["custom_fields_values"][1]["values"][0]["value"],
        "client@example.com"
    );

    // amoCRM docs, tasks-api: create, then complete via PATCH /api/v4/tasks/{id}.
    let lead = fake.add_lead("Сделка", ids::STATUS_FIRST_CONTACT, ids::USER_ANNA);
    let r = call(
        &fake,
        "POST",
        "/api/v4/tasks",
        Some(json!([{"text":"Перезвонить клиенту по заявке с сайта","complete_till":1720426200,"entity_id":lead,
                     "entity_type":"leads","task_type_id":1,"responsible_user_id":ids::USER_ANNA,"request_id":"t1"}])),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let task = r.json()["_embedded"]["tasks"][0]["id"].as_i64().unwrap();
    let r = call(
        &fake,
        "PATCH",
        &format!("/api/v4/tasks/{task}"),
        Some(json!({"is_completed":true,"result":{"text":"Дозвонились"}})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t = &fake.lead_tasks(lead)[0];
    assert!(t.is_completed);
    assert_eq!(t.result_text.as_deref(), Some("Дозвонились"));
    let types: Vec<String> = fake
        .events()
        .iter()
        .filter(|e| e.entity_id == lead)
        .map(|e| e.event_type.clone())
        .collect();
    assert!(types.contains(&"task_completed".to_string()), "{types:?}");
    assert!(
        types.contains(&"task_result_added".to_string()),
        "{types:?}"
    );
    // Unknown unsorted category.
    assert_eq!(
        call(
            &fake,
            "GET",
            "/api/v4/leads/unsorted?filter[category][]=form",
            None
        )
        .await
        .status,
        400
    );
    assert_eq!(fake.spec_violations().len(), 1);
}
