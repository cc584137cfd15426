//! Delivery to the fake amoCRM: what gets created per action, contact
//! de-duplication, batching, names, and every fault of the issue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery_kit;
mod support;

use std::time::Duration;

use amo_intake::crm::catalog::Catalog;
use amo_intake::crm::client::{AdminAlertKind, AuthConfig, Client, CrmError};
use amo_intake::crm::names;
use amo_intake::diag::{Loc, Located};
use amo_intake::journal::outbox::OutboxState;
use amo_intake::request::Action;
use amo_intake::rules::crm_spec::{CreateMode, CrmSpec, FieldSpec, NameOrId};
use delivery_kit::*;
use support::fake_amocrm::ids;
use support::{FakeAmo, FakeOptions, Fault, FaultKind};

fn start() -> (FakeAmo, tempfile::TempDir) {
    (
        FakeAmo::start(FakeOptions::default()),
        tempfile::tempdir().unwrap(),
    )
}

const T: Duration = Duration::from_secs(30);

#[tokio::test]
async fn lead_in_unsorted_with_contact_note_and_call_task() {
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    let created_before = leads_created_metric();
    let id = p
        .enqueue(
            "ai-0000000000000001",
            &req("Иван Петров", "+79991234567", Some("ivan@example.ru")),
            &CrmSpec::default(),
        )
        .unwrap();
    drain(&p, &j, T).await;

    let row = j.outbox_row(id).unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Done);
    let leads = fake.leads();
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(Some(lead.id), row.lead_id);
    assert_eq!(
        (lead.pipeline_id, lead.status_id),
        (ids::PIPELINE_MAIN, ids::STATUS_UNSORTED)
    );
    assert_eq!(lead.name, "Заявка: замер — Иван Петров");
    assert_eq!(
        lead.field("ID заявки"),
        vec!["ai-0000000000000001".to_string()]
    );
    assert!(lead.has_tag("ai-0000000000000001"));
    let contacts = fake.contacts();
    assert_eq!(contacts.len(), 1);
    assert_eq!(Some(contacts[0].id), row.contact_id);
    assert_eq!(contacts[0].phones(), vec!["+79991234567".to_string()]);
    let notes = fake.lead_notes(lead.id);
    assert_eq!(notes.len(), 1);
    let text = notes[0].text().unwrap();
    for s in [
        "Письмо от: robot@tilda.ws",
        "Тема: Новая заявка с сайта",
        "Имя: Иван Петров",
        "Телефон: +79991234567",
        "Email: ivan@example.ru",
        "Адрес: ул. Ленина, 1",
        "ID заявки: ai-0000000000000001",
    ] {
        assert!(text.contains(s), "note lacks {s:?}: {text}");
    }
    let tasks = fake.lead_tasks(lead.id);
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        (tasks[0].text.as_str(), tasks[0].task_type_id),
        ("Перезвонить клиенту", 1)
    );
    let due = row.deadline_ms.unwrap() / 1000;
    assert!(
        (tasks[0].complete_till - due).abs() <= 61,
        "task due {} vs deadline {due}",
        tasks[0].complete_till
    );
    assert_clean(&fake);
    assert_eq!(fake.count_429(), 0);
    assert!(fake.peak_rate_per_second() <= 7);
    // /metrics counts it (other tests in this binary may add more meanwhile).
    assert!(leads_created_metric() > created_before);
}

/// `amo_intake_leads_created_total` as /metrics would serve it now.
fn leads_created_metric() -> u64 {
    amo_intake::metrics::global()
        .render()
        .lines()
        .find_map(|l| l.strip_prefix("amo_intake_leads_created_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn one_contact_for_three_phone_spellings() {
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    for (i, phone) in ["+7 (999) 555-11-22", "89995551122", "999 555 11 22"]
        .iter()
        .enumerate()
    {
        p.enqueue(
            &format!("ai-phone{i}"),
            &req("Ольга", phone, None),
            &CrmSpec::default(),
        )
        .unwrap();
    }
    drain(&p, &j, T).await;
    assert_eq!(fake.leads().len(), 3);
    let contacts = fake.contacts();
    assert_eq!(contacts.len(), 1, "one client, one contact: {contacts:#?}");
    for l in fake.leads() {
        assert_eq!(l.contact_ids, vec![contacts[0].id]);
    }
    // A later request finds the existing contact by searching amoCRM, even
    // with a fresh pipeline (no local memory).
    let p2 = pipeline(&j, long_lived(&fake, &j));
    p2.enqueue(
        "ai-phone3",
        &req("Ольга", "+79995551122", None),
        &CrmSpec::default(),
    )
    .unwrap();
    drain(&p2, &j, T).await;
    assert_eq!(fake.contacts().len(), 1);
    assert_eq!(fake.leads().len(), 4);
    assert_clean(&fake);
    assert_eq!(fake.count_429(), 0);
}

#[tokio::test]
async fn existing_contact_is_linked_only_when_its_values_match() {
    let (fake, dir) = start();
    // Same last digits inside another field value: must not be linked.
    let other = fake.add_contact("Чужой", &["+380441112233"], &["x@example.ru"]);
    let mine = fake.add_contact("Пётр", &["+7 912 111-22-33"], &[]);
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    p.enqueue(
        "ai-link",
        &req("Пётр", "89121112233", None),
        &CrmSpec::default(),
    )
    .unwrap();
    p.enqueue(
        "ai-mail",
        &req("Некто", "+79001234500", Some("X@Example.ru")),
        &CrmSpec::default(),
    )
    .unwrap();
    drain(&p, &j, T).await;
    let leads = fake.leads();
    let by_key = |k: &str| {
        leads
            .iter()
            .find(|l| l.field("ID заявки").iter().any(|v| v == k))
            .unwrap()
            .contact_ids
            .clone()
    };
    assert_eq!(by_key("ai-link"), vec![mine]);
    assert_eq!(
        by_key("ai-mail"),
        vec![other],
        "email match links the contact"
    );
    assert_clean(&fake);
}

#[tokio::test]
async fn trash_ignore_and_review_paths() {
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    let mut trash = req("Спамер", "+79990000001", None);
    trash.action = Action::Trash;
    let trash_spec = CrmSpec {
        loss_reason: Some(Located::new(
            NameOrId::Id(ids::LOSS_NOT_TARGET),
            Loc::new("r.toml", 1, 1),
        )),
        ..CrmSpec::default()
    };
    let t = p.enqueue("ai-trash", &trash, &trash_spec).unwrap();
    let mut ignore = req("Робот", "+79990000002", None);
    ignore.action = Action::Ignore;
    let i = p
        .enqueue("ai-ignore", &ignore, &CrmSpec::default())
        .unwrap();
    let mut review = req("Кто-то", "+79990000003", None);
    review.action = Action::Review;
    review.meta.raw_text = Some("Непонятное письмо: перезвоните мне".into());
    let r = p
        .enqueue("ai-review", &review, &CrmSpec::default())
        .unwrap();
    drain(&p, &j, T).await;

    let lead = |id| {
        fake.lead(j.outbox_row(id).unwrap().unwrap().lead_id.unwrap())
            .unwrap()
    };
    let tl = lead(t);
    assert_eq!(
        (tl.pipeline_id, tl.status_id, tl.loss_reason_id),
        (ids::PIPELINE_MAIN, 143, Some(ids::LOSS_NOT_TARGET))
    );
    assert!(fake.lead_tasks(tl.id).is_empty(), "trash: no task");
    assert_eq!(
        j.outbox_row(t).unwrap().unwrap().deadline_ms,
        None,
        "trash: no SLA"
    );

    let ir = j.outbox_row(i).unwrap().unwrap();
    assert_eq!((ir.state, ir.lead_id), (OutboxState::Ignored, None));
    assert!(!fake.leads().iter().any(|l| l.name.contains("Робот")));

    let rl = lead(r);
    assert_eq!(rl.status_id, ids::STATUS_UNSORTED);
    assert!(rl.has_tag("проверить"));
    let note = fake.lead_notes(rl.id)[0].text().unwrap().to_string();
    assert!(
        note.contains("Непонятное письмо: перезвоните мне"),
        "{note}"
    );
    assert_eq!(fake.leads().len(), 2);
    assert_clean(&fake);
}

#[tokio::test]
async fn complex_backlog_is_batched_and_names_resolve() {
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    let l = |v: &str| Located::new(NameOrId::Name(v.into()), Loc::new("rules/okna.toml", 3, 1));
    let spec = CrmSpec {
        create: CreateMode::Complex,
        pipeline: Some(l("Воронка")),
        status: Some(l("Замер")),
        responsible: vec![l("Анна Менеджер"), l("Борис Продавец")],
        lead_fields: vec![FieldSpec {
            field: l("Источник"),
            template: Located::new("Сайт".into(), Loc::new("rules/okna.toml", 9, 1)),
        }],
        tags: vec![Located::new(
            "сайт-{rule}".into(),
            Loc::new("rules/okna.toml", 4, 1),
        )],
        ..CrmSpec::default()
    };
    for n in 0..60 {
        p.enqueue(
            &format!("ai-c{n:03}"),
            &req(&format!("Клиент {n}"), &format!("+7916000{n:04}"), None),
            &spec,
        )
        .unwrap();
    }
    drain(&p, &j, Duration::from_secs(60)).await;
    let leads = fake.leads();
    assert_eq!(leads.len(), 60);
    assert!(
        leads
            .iter()
            .all(|l| l.status_id == ids::STATUS_MEASUREMENT && l.has_tag("сайт-test-form"))
    );
    assert!(
        leads
            .iter()
            .all(|l| l.field("Источник") == vec!["Сайт".to_string()])
    );
    let anna = leads
        .iter()
        .filter(|l| l.responsible_user_id == ids::USER_ANNA)
        .count();
    assert_eq!(anna, 30, "round-robin over two users");
    assert_eq!(fake.requests_to("POST", "/api/v4/leads/complex").len(), 2);
    assert_eq!(fake.requests_to("POST", "/api/v4/leads/notes").len(), 2);
    assert_eq!(fake.requests_to("POST", "/api/v4/tasks").len(), 2);
    assert_eq!(fake.tasks().len(), 60);
    assert_clean(&fake);
    assert_eq!(fake.count_429(), 0);
}

#[tokio::test]
async fn unknown_names_are_reported_with_line_and_column() {
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let c = long_lived(&fake, &j);
    let cat = Catalog::load(&c).await.unwrap();
    let at = |v: &str, line, col| {
        Located::new(
            NameOrId::Name(v.into()),
            Loc::new("rules/okna.toml", line, col),
        )
    };
    let spec = CrmSpec {
        pipeline: Some(at("Воронка", 5, 12)),
        status: Some(at("Замерр", 6, 10)),
        responsible: vec![at("Анна Менежер", 7, 16)],
        loss_reason: Some(at("Совсем не то", 8, 15)),
        ..CrmSpec::default()
    };
    let d = names::validate_specs([&spec], &cat).to_string();
    assert!(d.contains("rules/okna.toml:6:10: unknown status «Замерр» in pipeline «Воронка»; did you mean «Замер»?"), "{d}");
    assert!(
        d.contains(
            "rules/okna.toml:7:16: unknown user «Анна Менежер»; did you mean «Анна Менеджер»?"
        ),
        "{d}"
    );
    assert!(
        d.contains("rules/okna.toml:8:15: unknown loss reason «Совсем не то»"),
        "{d}"
    );
    assert_eq!(d.lines().count(), 3);
    assert_clean(&fake);
}

async fn one_lead_through(
    fake: &FakeAmo,
    key: &str,
    fault: Fault,
) -> (
    std::sync::Arc<Client>,
    amo_intake::journal::outbox::OutboxRow,
) {
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let c = long_lived(fake, &j);
    let p = pipeline(&j, c.clone());
    // Catalog first, so the fault hits delivery.
    p.run_once().await.unwrap();
    fake.inject(fault);
    let id = p
        .enqueue(key, &req("Анна", "+79161234567", None), &CrmSpec::default())
        .unwrap();
    drain(&p, &j, T).await;
    (c, j.outbox_row(id).unwrap().unwrap())
}

const FORMS: &str = "/api/v4/leads/unsorted/forms";

#[tokio::test]
async fn retry_after_429_is_honoured() {
    let fake = FakeAmo::start(FakeOptions::default());
    let (_, row) = one_lead_through(
        &fake,
        "ai-429",
        Fault::new(
            "POST",
            FORMS,
            FaultKind::TooManyRequests {
                retry_after: Some(1),
            },
        ),
    )
    .await;
    assert_eq!(row.state, OutboxState::Done);
    assert_eq!(fake.leads().len(), 1);
    let posts = fake.requests_to("POST", FORMS);
    assert_eq!(posts.len(), 2);
    assert!(
        posts[1].at - posts[0].at >= Duration::from_millis(950),
        "Retry-After: 1 not honoured"
    );
    assert_clean(&fake);
}

#[tokio::test]
async fn server_errors_timeouts_and_slow_answers_are_retried_without_duplicates() {
    let fake = FakeAmo::start(FakeOptions::default());
    fake.inject(Fault::new(
        "GET",
        "/api/v4/contacts",
        FaultKind::InternalError,
    ));
    let (_, row) = one_lead_through(
        &fake,
        "ai-500",
        Fault::new("POST", FORMS, FaultKind::InternalError).times(2),
    )
    .await;
    assert_eq!((row.state, fake.leads().len()), (OutboxState::Done, 1));
    let (_, row) = one_lead_through(
        &fake,
        "ai-timeout",
        Fault::new(
            "POST",
            FORMS,
            FaultKind::Timeout {
                hold: Duration::from_secs(3),
            },
        ),
    )
    .await;
    assert_eq!(row.state, OutboxState::Done);
    let (_, row) = one_lead_through(
        &fake,
        "ai-slow",
        Fault::new(
            "POST",
            FORMS,
            FaultKind::Slow {
                delay: Duration::from_millis(300),
            },
        ),
    )
    .await;
    assert_eq!(row.state, OutboxState::Done);
    let (_, row) = one_lead_through(
        &fake,
        "ai-503",
        Fault::new(
            "POST",
            "/api/v4/leads/notes",
            FaultKind::Unavailable {
                status: 503,
                retry_after: None,
            },
        ),
    )
    .await;
    assert_eq!(row.state, OutboxState::Done);
    // The timed-out POST was executed by the fake after the client gave up:
    // the key was found in amoCRM, not created twice.
    for k in ["ai-500", "ai-timeout", "ai-slow", "ai-503"] {
        assert_eq!(leads_with_key(&fake, k), 1, "{k}: {:#?}", fake.leads());
    }
    assert_eq!(fake.leads().len(), 4);
    assert_eq!(fake.notes().len(), 4, "one note per lead despite the 503");
    assert_clean(&fake);
}

#[tokio::test]
async fn reset_after_create_yields_exactly_one_lead() {
    let fake = FakeAmo::start(FakeOptions::default());
    let (_, row) = one_lead_through(
        &fake,
        "ai-reset",
        Fault::new("POST", FORMS, FaultKind::ResetAfterExecute),
    )
    .await;
    assert_eq!(row.state, OutboxState::Done);
    assert_eq!(
        fake.leads().len(),
        1,
        "the reset lead was found, not created again"
    );
    assert_eq!(fake.requests_to("POST", FORMS).len(), 1);
    assert_eq!(Some(fake.leads()[0].id), row.lead_id);
    assert_eq!(fake.lead_notes(fake.leads()[0].id).len(), 1);
    assert_clean(&fake);
}

#[tokio::test]
async fn html_403_backs_off_and_alerts() {
    let fake = FakeAmo::start(FakeOptions::default());
    let (c, row) = one_lead_through(
        &fake,
        "ai-403",
        Fault::new("POST", FORMS, FaultKind::HtmlForbidden),
    )
    .await;
    assert_eq!(row.state, OutboxState::Done);
    assert!(
        c.alerts().iter().any(|a| a.kind == AdminAlertKind::Blocked),
        "{:?}",
        c.alerts()
    );
    let reqs = fake.requests();
    let blocked = reqs.iter().position(|r| r.status == 403).unwrap();
    let gap = reqs[blocked + 1].at - reqs[blocked].at;
    assert!(
        gap >= Duration::from_millis(1150),
        "no pause after the HTML 403: {gap:?}"
    );
    assert_eq!(fake.leads().len(), 1);
    assert_clean(&fake);
}

#[tokio::test]
async fn validation_400_quarantines_with_the_explanation() {
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let c = long_lived(&fake, &j);
    let p = pipeline(&j, c.clone());
    p.run_once().await.unwrap();
    fake.inject(Fault::new("POST", FORMS, FaultKind::Validation));
    let bad = p
        .enqueue(
            "ai-bad",
            &req("Анна", "+79161234567", None),
            &CrmSpec::default(),
        )
        .unwrap();
    let good = p
        .enqueue(
            "ai-good",
            &req("Борис", "+79161234568", None),
            &CrmSpec::default(),
        )
        .unwrap();
    drain(&p, &j, T).await;
    let row = j.outbox_row(bad).unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Quarantined);
    let why = row.last_error.unwrap();
    assert!(
        why.contains("amoCRM refused the lead (400)") && why.contains("Request validation failed"),
        "{why}"
    );
    assert_eq!(
        j.outbox_row(good).unwrap().unwrap().state,
        OutboxState::Done
    );
    assert!(
        c.alerts()
            .iter()
            .any(|a| a.kind == AdminAlertKind::Quarantined)
    );
    assert_eq!(fake.leads().len(), 1);
    assert_clean(&fake);
}

#[tokio::test]
async fn long_lived_401_stops_delivery_and_keeps_everything_queued() {
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let c = long_lived(&fake, &j);
    let p = pipeline(&j, c.clone());
    p.run_once().await.unwrap();
    fake.revoke_token(&fake.long_lived_token());
    let id = p
        .enqueue(
            "ai-401",
            &req("Анна", "+79161234567", None),
            &CrmSpec::default(),
        )
        .unwrap();
    let e = p.run_once().await.unwrap_err();
    assert!(
        matches!(
            e,
            amo_intake::pipeline::PipelineError::Crm(CrmError::Stopped(_))
        ),
        "{e}"
    );
    assert!(c.stopped().is_some());
    assert!(
        c.alerts()
            .iter()
            .any(|a| a.kind == AdminAlertKind::AuthStopped)
    );
    let before = fake.requests().len();
    assert!(p.run_once().await.is_err());
    assert_eq!(fake.requests().len(), before, "stopped: no more calls");
    let row = j.outbox_row(id).unwrap().unwrap();
    assert!(matches!(
        row.state,
        OutboxState::Queued | OutboxState::Sending
    ));
    assert!(fake.leads().is_empty());
}

fn oauth(
    fake: &FakeAmo,
    j: &std::sync::Arc<amo_intake::journal::Journal>,
) -> std::sync::Arc<Client> {
    let o = FakeOptions::default();
    let auth = AuthConfig::OAuth {
        client_id: o.client_id,
        client_secret: o.client_secret,
        redirect_uri: o.redirect_uri,
    };
    std::sync::Arc::new(Client::new(options(fake, auth, Some(j.clone()), 6.0)).unwrap())
}

#[tokio::test]
async fn oauth_code_exchange_refresh_on_401_then_stop() {
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let c = oauth(&fake, &j);
    let t0 = c.exchange_code(&fake.issue_auth_code()).await.unwrap();
    assert_eq!(j.load_tokens().unwrap(), Some(t0.clone()));
    let p = pipeline(&j, c.clone());
    p.run_once().await.unwrap();
    // The access token dies: one refresh, the call goes through, the
    // rotated pair is in the journal.
    fake.expire_token(&t0.access_token);
    p.enqueue(
        "ai-oauth1",
        &req("Анна", "+79161234567", None),
        &CrmSpec::default(),
    )
    .unwrap();
    drain(&p, &j, T).await;
    let t1 = j.load_tokens().unwrap().unwrap();
    assert_ne!(t1.refresh_token, t0.refresh_token);
    assert!(fake.token_valid(&t1.access_token));
    assert_eq!(fake.leads().len(), 1);
    // A 401 that survives the refresh stops delivery.
    fake.inject(Fault::new("*", "/api/v4/", FaultKind::Unauthorized).times(2));
    p.enqueue(
        "ai-oauth2",
        &req("Борис", "+79161234568", None),
        &CrmSpec::default(),
    )
    .unwrap();
    let e = p.run_once().await.unwrap_err();
    assert!(e.to_string().contains("401 after a token refresh"), "{e}");
    assert!(
        c.alerts()
            .iter()
            .any(|a| a.kind == AdminAlertKind::AuthStopped)
    );
    assert_eq!(fake.leads().len(), 1);
    assert_clean(&fake);
}

#[tokio::test]
async fn revoked_refresh_token_stops_delivery() {
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let c = oauth(&fake, &j);
    let t0 = c.exchange_code(&fake.issue_auth_code()).await.unwrap();
    fake.revoke_all_tokens();
    let p = pipeline(&j, c.clone());
    let e = p.run_once().await.unwrap_err();
    assert!(e.to_string().to_lowercase().contains("revoked"), "{e}");
    assert!(
        c.alerts()
            .iter()
            .any(|a| a.kind == AdminAlertKind::AuthStopped)
    );
    assert_eq!(
        j.load_tokens().unwrap(),
        Some(t0),
        "tokens kept for diagnosis"
    );
}

#[tokio::test]
async fn journalled_mail_is_parsed_and_delivered_once() {
    use amo_intake::journal::mails::IncomingMail;
    use amo_intake::pipeline::{Pipeline, PipelineDeps};
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let raw = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mail/tilda-okna-zamer.eml"
    ))
    .unwrap();
    let mail = IncomingMail {
        mailbox: "sales".into(),
        uidvalidity: 7,
        uid: 42,
        internal_date_ms: Some(1_700_000_000_000),
        raw,
    };
    j.record_mail(&mail).unwrap();
    let p = Pipeline::new(PipelineDeps {
        journal: j.clone(),
        rules: std::sync::Arc::new(arc_swap::ArcSwap::from_pointee(
            amo_intake::rules::RuleSet::builtin(),
        )),
        config: std::sync::Arc::new(amo_intake::config::Config::default()),
        dry_run: false,
    })
    .unwrap()
    .with_client(long_lived(&fake, &j));
    drain(&p, &j, T).await;
    // The same mail journalled again (same mailbox/UIDVALIDITY/UID) changes nothing.
    j.record_mail(&mail).unwrap();
    drain(&p, &j, T).await;
    let leads = fake.leads();
    assert_eq!(leads.len(), 1);
    let msgid = amo_intake::journal::mails::sniff_message_id(&mail.raw);
    let key = amo_intake::journal::outbox::idempotency_key("sales", 7, 42, msgid.as_deref());
    assert_eq!(leads_with_key(&fake, &key), 1);
    assert_eq!(j.count_mails(Some("done")).unwrap(), 1);
    let c = &fake.contacts()[0];
    assert_eq!(c.phones(), vec!["+79123456789".to_string()]);
    let note = fake.lead_notes(leads[0].id)[0].text().unwrap().to_string();
    assert!(
        note.contains("Екатеринбург, ул. Шаумяна, 83, кв. 41")
            && note.contains("3 окна и балконный блок"),
        "{note}"
    );
    assert_eq!(fake.lead_tasks(leads[0].id).len(), 1);
    assert_clean(&fake);
}

#[tokio::test]
async fn dry_run_records_payloads_and_sends_nothing() {
    use amo_intake::pipeline::{Pipeline, PipelineDeps};
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let p = Pipeline::new(PipelineDeps {
        journal: j.clone(),
        rules: std::sync::Arc::new(arc_swap::ArcSwap::from_pointee(
            amo_intake::rules::RuleSet::default(),
        )),
        config: std::sync::Arc::new(amo_intake::config::Config::default()),
        dry_run: true,
    })
    .unwrap();
    p.enqueue(
        "ai-dry",
        &req("Иван", "+79991234567", None),
        &CrmSpec::default(),
    )
    .unwrap();
    drain(&p, &j, T).await;
    let log = p.dry_run_log();
    let form = log
        .iter()
        .find(|c| c.path == "/api/v4/leads/unsorted/forms")
        .expect("unsorted POST recorded");
    let body = form.body.as_ref().unwrap();
    assert_eq!(body[0]["source_uid"], "ai-dry");
    assert_eq!(
        body[0]["_embedded"]["leads"][0]["name"],
        "Заявка: замер — Иван"
    );
    assert!(log.iter().any(|c| c.path == "/api/v4/tasks"));
    assert_eq!(count(&j, OutboxState::Done), 1);
}

#[tokio::test]
async fn duplicate_refusal_falls_back_to_complex_in_unsorted() {
    let fake = FakeAmo::start(FakeOptions {
        duplicates: support::fake_amocrm::DuplicatePolicy::Reject,
        hide_unsorted_contacts: true,
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    // Two pipelines (no shared memory); the contact of the pending unsorted
    // item is invisible to search, so the second form repeats the phone.
    let p1 = pipeline(&j, long_lived(&fake, &j));
    let a = p1
        .enqueue(
            "ai-dup1",
            &req("Нина", "+79035550101", None),
            &CrmSpec::default(),
        )
        .unwrap();
    drain(&p1, &j, T).await;
    let p2 = pipeline(&j, long_lived(&fake, &j));
    let b = p2
        .enqueue(
            "ai-dup2",
            &req("Нина", "+79035550101", None),
            &CrmSpec::default(),
        )
        .unwrap();
    drain(&p2, &j, T).await;
    for id in [a, b] {
        let row = j.outbox_row(id).unwrap().unwrap();
        assert_eq!(row.state, OutboxState::Done, "{:?}", row.last_error);
        let lead = fake.lead(row.lead_id.unwrap()).unwrap();
        assert_eq!(lead.status_id, ids::STATUS_UNSORTED);
    }
    assert_eq!(fake.requests_to("POST", "/api/v4/leads/complex").len(), 1);
    assert_clean(&fake);
}

/// amoCRM refusing the notes or the call tasks (HTTP 400) must not hold the
/// leads back or make them retry forever: the leads are done, without them.
#[tokio::test]
async fn refused_notes_and_tasks_do_not_block_the_lead() {
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    p.run_once().await.unwrap();
    fake.inject(Fault::new(
        "POST",
        "/api/v4/leads/notes",
        FaultKind::Validation,
    ));
    fake.inject(Fault::new("POST", "/api/v4/tasks", FaultKind::Validation));
    let id = p
        .enqueue(
            "ai-refused-extras",
            &req("Анна", "+79161234567", None),
            &CrmSpec::default(),
        )
        .unwrap();
    drain(&p, &j, T).await;
    let row = j.outbox_row(id).unwrap().unwrap();
    assert_eq!(row.state, OutboxState::Done);
    let leads = fake.leads();
    assert_eq!(leads.len(), 1);
    assert!(fake.lead_notes(leads[0].id).is_empty());
    assert!(fake.lead_tasks(leads[0].id).is_empty());
    // One attempt each: a 400 is not retried blindly.
    assert_eq!(fake.requests_to("POST", "/api/v4/leads/notes").len(), 1);
    assert_eq!(fake.requests_to("POST", "/api/v4/tasks").len(), 1);
}

/// A request with every field a placeholder can name.
fn full_request() -> amo_intake::request::Request {
    let mut r = req("Анна Смирнова", "+79991234567", Some("anna@example.ru"));
    r.product = Some("Окна ПВХ".into());
    r.visit_time = Some("завтра 10:00".into());
    r.scope = Some("3 окна".into());
    r.referral = Some("Яндекс".into());
    r.message = Some("Перезвоните".into());
    r.utm = amo_intake::request::Utm {
        source: Some("yandex".into()),
        medium: Some("cpc".into()),
        campaign: Some("okna".into()),
        content: Some("ad1".into()),
        term: Some("окна".into()),
    };
    r.meta.source_request_id = Some("1234567:890".into());
    r
}

/// Every request placeholder of the one table, rendered by the delivery
/// path: one tag per placeholder, read back from what the fake amoCRM
/// stored from the request body. `{kind}` is the English word the docs
/// give, `{kind_ru}` the Russian one, `{site}` the page's host.
#[tokio::test]
async fn every_documented_placeholder_reaches_amocrm_as_documented() {
    use amo_intake::template::{Scope, names};
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    let at = || Loc::new("rules/t.toml", 1, 1);
    let spec = CrmSpec {
        lead_name: Some(Located::new("{kind_ru}: {name} ({kind})".into(), at())),
        tags: names(Scope::Request)
            .iter()
            .map(|n| Located::new(format!("{n}={{{n}}}"), at()))
            .collect(),
        task_text: Some("Позвонить: {kind_ru}, {phone}".into()),
        lead_fields: vec![FieldSpec {
            field: Located::new(NameOrId::Name("Адрес объекта".into()), at()),
            template: Located::new("{address} ({site})".into(), at()),
        }],
        ..CrmSpec::default()
    };
    p.enqueue("ai-placeholders", &full_request(), &spec)
        .unwrap();
    drain(&p, &j, T).await;
    let leads = fake.leads();
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(lead.name, "Замер: Анна Смирнова (measurement)");
    let want = [
        ("name", "Анна Смирнова"),
        ("phone", "+79991234567"),
        ("phones", "+79991234567"),
        ("email", "anna@example.ru"),
        ("product", "Окна ПВХ"),
        ("address", "ул. Ленина, 1"),
        ("visit_time", "завтра 10:00"),
        ("scope", "3 окна"),
        ("referral", "Яндекс"),
        ("message", "Перезвоните"),
        ("page", "https://okna.example.ru/zamer"),
        ("site", "okna.example.ru"),
        ("form", "Заявка на замер"),
        ("kind", "measurement"),
        ("kind_ru", "Замер"),
        ("action", "lead"),
        ("rule", "test-form"),
        ("subject", "Новая заявка с сайта"),
        ("request_id", "1234567:890"),
        ("utm_source", "yandex"),
        ("utm_medium", "cpc"),
        ("utm_campaign", "okna"),
        ("utm_content", "ad1"),
        ("utm_term", "окна"),
    ];
    let documented = names(Scope::Request);
    assert_eq!(
        want.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        documented,
        "the test covers every placeholder of the table"
    );
    for (n, v) in want {
        let tag = format!("{n}={v}");
        assert!(lead.has_tag(&tag), "no tag {tag:?} in {:?}", lead.tags);
    }
    assert_eq!(
        lead.field("Адрес объекта"),
        vec!["ул. Ленина, 1 (okna.example.ru)".to_string()]
    );
    let tasks = fake.lead_tasks(lead.id);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].text, "Позвонить: Замер, +79991234567");
    assert_clean(&fake);
}

/// The shipped Tilda rule names its lead by the kind, as `check` and the
/// docs say: «Замер: Анна Смирнова», not «с сайта: Анна Смирнова» (the
/// payload renderer once knew no `{kind_ru}` and dropped it).
#[tokio::test]
async fn shipped_tilda_rule_names_the_lead_by_its_kind() {
    let mail = "From: Tilda <noreply@tilda.ws>\r\nTo: sales@okna.example.ru\r\n\
Subject: =?UTF-8?B?0JfQsNGP0LLQutCwINC90LAg0LfQsNC80LXRgA==?=\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
Name: Анна Смирнова\r\nPhone: +7 (999) 123-45-67\r\n\r\nAdditional information:\r\n\
Request ID: 1234567:890\r\nForm Name: Заявка на замер\r\n\
https://okna.example.ru/zamer\r\n";
    let rules = amo_intake::rules::RuleSet::builtin();
    let r = rules.apply(mail.as_bytes(), &amo_intake::rules::ParseOptions::default());
    assert_eq!(r.rule.as_deref(), Some("tilda"), "{r:?}");
    let spec = rules.get("tilda").unwrap().crm.clone();
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    p.enqueue("ai-tilda-name", &r, &spec).unwrap();
    drain(&p, &j, T).await;
    let leads = fake.leads();
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].name, "Замер: Анна Смирнова");
    assert!(leads[0].has_tag("tilda"));
    assert_clean(&fake);
}

/// Values longer than amoCRM takes, with control characters, arrive cut
/// and clean; the note stays within its bound and ends with the key; the
/// journal keeps the full text.
#[tokio::test]
async fn oversized_values_are_cut_to_amocrm_limits_and_kept_whole_in_the_journal() {
    use amo_intake::crm::payload::limits;
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    let mut r = full_request();
    r.name = Some(format!("Анна\u{0}\u{7}\r\n{}", "я".repeat(400)));
    r.address = Some("д".repeat(1000));
    r.message = Some("строка сообщения\n".repeat(100_000));
    let at = || Loc::new("rules/t.toml", 1, 1);
    let spec = CrmSpec {
        lead_name: Some(Located::new("{kind_ru}: {name}".into(), at())),
        tags: vec![Located::new("{message}".into(), at())],
        lead_fields: vec![FieldSpec {
            field: Located::new(NameOrId::Name("Адрес объекта".into()), at()),
            template: Located::new("{address}".into(), at()),
        }],
        ..CrmSpec::default()
    };
    let id = p.enqueue("ai-huge", &r, &spec).unwrap();
    drain(&p, &j, T).await;
    let leads = fake.leads();
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(lead.name.chars().count(), limits::NAME, "{}", lead.name);
    assert!(lead.name.starts_with("Замер: Анна яяя"), "{}", lead.name);
    assert!(!lead.name.chars().any(char::is_control));
    assert!(lead.name.ends_with('…'));
    let addr = lead.field("Адрес объекта");
    assert_eq!(addr[0].chars().count(), limits::TEXT_FIELD);
    assert!(
        lead.tags
            .iter()
            .all(|t| t.chars().count() <= limits::NAME && !t.chars().any(char::is_control)),
        "{:?}",
        lead.tags
    );
    let contacts = fake.contacts();
    assert!(contacts[0].name.chars().count() <= limits::NAME);
    let notes = fake.lead_notes(lead.id);
    assert_eq!(notes.len(), 1);
    let text = notes[0].text().unwrap();
    assert!(text.chars().count() <= limits::NOTE, "{}", text.len());
    assert!(text.contains("[обрезано: ещё"), "no cut marker");
    assert!(text.ends_with("ID заявки: ai-huge"));
    // The journal keeps what the mail said.
    let row = j.outbox_row(id).unwrap().unwrap();
    assert_eq!(row.request.message, r.message);
    assert_eq!(row.request.address.as_deref().map(|a| a.len()), Some(2000));
    assert_clean(&fake);
}

/// An `[[extract]]` regex `in = "html"` sees the HTML with its character
/// references decoded, so the page URL it captures reaches amoCRM's
/// `form_page` as `?a=1&b=2`, not `?a=1&amp;b=2` (and its UTM is read).
#[tokio::test]
async fn a_page_captured_in_html_reaches_amocrm_decoded() {
    let rule = "name = \"site\"\n[match]\nfrom = '@okna\\.example$'\n\
[[extract]]\nin = \"html\"\npattern = 'data-page=\"(?P<page>[^\"]+)\"'\n";
    let set =
        amo_intake::rules::load_texts(&[(std::path::PathBuf::from("site.toml"), rule.to_string())])
            .unwrap();
    let mail = "From: robot@okna.example\r\nSubject: =?UTF-8?B?0JfQsNGP0LLQutCw?=\r\n\
MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<html><body data-page=\"https://okna.example/zamer?utm_source=ya&amp;utm_medium=cpc\">\
<p>Имя: Анна</p><p>Телефон: +7 999 123-45-67</p></body></html>\r\n";
    let r = set.apply(mail.as_bytes(), &amo_intake::rules::ParseOptions::default());
    assert_eq!(
        r.page.as_deref(),
        Some("https://okna.example/zamer?utm_source=ya&utm_medium=cpc"),
        "{r:?}"
    );
    assert_eq!(r.utm.medium.as_deref(), Some("cpc"));
    let (fake, dir) = start();
    let j = open(&dir.path().join("s.db"));
    let p = pipeline(&j, long_lived(&fake, &j));
    p.enqueue("ai-html-page", &r, &CrmSpec::default()).unwrap();
    drain(&p, &j, T).await;
    let sent = fake.requests_to("POST", "/api/v4/leads/unsorted/forms");
    assert!(!sent.is_empty());
    let body: serde_json::Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(
        body[0]["metadata"]["form_page"],
        "https://okna.example/zamer?utm_source=ya&utm_medium=cpc"
    );
    assert_clean(&fake);
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Issue: quarantine was invisible. A request amoCRM refuses is listed by
/// `status` (id, reason, date, subject; the old JSON keys stay), counted
/// by the metric, alerted to the admin once however many rounds pass, and
/// `amo-intake requeue ID` sends it back once the cause is fixed.
#[tokio::test]
async fn quarantine_is_listed_counted_alerted_once_and_requeued() {
    let (fake, dir) = start();
    let state = dir.path().join("s.db");
    let j = open(&state);
    let c = long_lived(&fake, &j);
    let p = pipeline(&j, c.clone());
    fake.inject(Fault::new(
        "POST",
        "/api/v4/leads/unsorted/forms",
        FaultKind::Validation,
    ));
    let id = p
        .enqueue(
            "ai-quarantine",
            &req("Анна", "+79161230001", None),
            &CrmSpec::default(),
        )
        .unwrap();
    drain(&p, &j, T).await;
    for _ in 0..3 {
        p.run_once().await.unwrap();
    }
    let alerts: Vec<_> = c
        .alerts()
        .into_iter()
        .filter(|a| a.kind == AdminAlertKind::Quarantined)
        .collect();
    assert_eq!(
        alerts.len(),
        1,
        "one alert per quarantined item: {alerts:?}"
    );
    assert!(
        alerts[0].message.contains(&format!("request-{id}")),
        "{alerts:?}"
    );
    assert!(
        alerts[0].message.contains("amo-intake requeue"),
        "{alerts:?}"
    );
    assert!(amo_intake::metrics::global().quarantined() >= 1);
    assert!(
        amo_intake::metrics::global()
            .render()
            .contains("amo_intake_quarantined_requests ")
    );

    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, format!("[state]\npath = \"{}\"\n", state.display())).unwrap();
    let cfg_s = cfg.display().to_string();
    let (code, out, err) = cli(&["status", "--config", &cfg_s, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "mails",
        "mails_waiting_parse",
        "outbox",
        "waiting",
        "alerts_pending",
    ] {
        assert!(v.get(key).is_some(), "status JSON keeps {key}: {v}");
    }
    let q = v["quarantined"].as_array().unwrap();
    assert_eq!(q.len(), 1, "{v}");
    assert_eq!(q[0]["id"], format!("request-{id}"));
    assert_eq!(q[0]["key"], "ai-quarantine");
    assert_eq!(q[0]["subject"], "Новая заявка с сайта");
    assert!(q[0]["reason"].as_str().unwrap().contains("400"), "{v}");
    assert!(q[0]["quarantined_at"].is_string(), "{v}");
    let (code, out, _) = cli(&["status", "--config", &cfg_s]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("request-{id}")) && out.contains("«Новая заявка с сайта»"),
        "{out}"
    );

    // The admin fixed the cause; requeue sends it back.
    let (code, out, err) = cli(&["requeue", "--config", &cfg_s, &format!("request-{id}")]);
    assert_eq!(code, 0, "{out}{err}");
    drain(&p, &j, T).await;
    assert_eq!(j.outbox_row(id).unwrap().unwrap().state, OutboxState::Done);
    let tagged = fake
        .leads()
        .into_iter()
        .filter(|l| l.has_tag("ai-quarantine"))
        .count();
    assert_eq!(tagged, 1);
    let (_, out, _) = cli(&["status", "--config", &cfg_s, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["quarantined"].as_array().map(Vec::len), Some(0), "{v}");
    let (code, _, err) = cli(&["requeue", "--config", &cfg_s, &format!("request-{id}")]);
    assert_eq!(code, 1, "nothing quarantined any more: {err}");
    let (code, _, _) = cli(&["requeue", "--config", &cfg_s, "bogus"]);
    assert_eq!(code, 2);
    assert_clean(&fake);
}

/// Issue: restarts in quick succession reached 8–11 requests/s against
/// amoCRM's 7. Each life of the daemon gets a fresh limiter (as a new
/// process does) with a backlog to send and is killed mid-burst; amoCRM
/// still never sees more than 7 requests in any second, and never says 429.
#[tokio::test]
async fn restarts_in_quick_succession_stay_within_the_rate_limit() {
    use amo_intake::crm::client::ClientOptions;
    use amo_intake::crm::ratelimit::RateLimiter;
    let fake = FakeAmo::start(FakeOptions {
        rate_limit: 7,
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.db");
    {
        let j = open(&state);
        let p = pipeline(&j, long_lived(&fake, &j));
        for i in 0..60 {
            p.enqueue(
                &format!("ai-rl-{i:03}"),
                &req("Клиент", &format!("+7916{i:07}"), None),
                &CrmSpec::default(),
            )
            .unwrap();
        }
    }
    fake.clear_requests();
    for life in 0..8 {
        let j = open(&state);
        let mut o = ClientOptions::new(
            &fake.base_url(),
            AuthConfig::LongLived(fake.long_lived_token()),
            std::sync::Arc::new(RateLimiter::after_start(7.0)),
        );
        o.journal = Some(j.clone());
        o.timeout = Duration::from_millis(1500);
        let p = pipeline(&j, std::sync::Arc::new(Client::new(o).unwrap()));
        // Killed after a short life, mid-burst (the future is dropped).
        let life_ms = 1100 + 150 * (life % 3);
        let _ = tokio::time::timeout(Duration::from_millis(life_ms), async {
            loop {
                let _ = p.run_once().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
    }
    let sent = fake.requests().len();
    assert!(sent >= 8, "every life sent something: {sent}");
    assert_eq!(fake.count_429(), 0, "{}", fake.summary());
    assert!(
        fake.peak_rate_per_second() <= 7,
        "peak {} requests/s: {}",
        fake.peak_rate_per_second(),
        fake.summary()
    );
}

/// Issue: delivery was strictly serial — one slow amoCRM call (8 s) held
/// every lead behind it. With lanes, the other clients' leads are created,
/// noted and tasked while the slow call is still in flight; afterwards every
/// lead has exactly one note and one task (order per lead kept).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_call_holds_only_its_own_lane() {
    let fake = FakeAmo::start(FakeOptions {
        rate_limit: 70,
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let mut o = options(
        &fake,
        AuthConfig::LongLived(fake.long_lived_token()),
        Some(j.clone()),
        60.0,
    );
    o.timeout = Duration::from_secs(20);
    let c = std::sync::Arc::new(Client::new(o).unwrap());
    let p = std::sync::Arc::new(pipeline(&j, c).with_lanes(4));
    p.run_once().await.unwrap(); // catalog
    let clients = 8;
    for i in 0..clients {
        p.enqueue(
            &format!("ai-lane-{i}"),
            &req(&format!("Клиент {i}"), &format!("+7915{i:07}"), None),
            &CrmSpec::default(),
        )
        .unwrap();
    }
    fake.inject(Fault::new(
        "POST",
        "/api/v4/leads/unsorted/forms",
        FaultKind::Slow {
            delay: Duration::from_secs(8),
        },
    ));
    let run = {
        let p = p.clone();
        tokio::spawn(async move { p.run_once().await.unwrap() })
    };
    // While the slow call is in flight (the fake has not answered it), the
    // other lanes finish their clients.
    let slow_in_flight = |f: &FakeAmo| {
        f.requests()
            .iter()
            .any(|r| r.fault.as_deref().is_some_and(|x| x.starts_with("Slow")) && r.status == 0)
    };
    let mut done_during_slow = 0;
    for _ in 0..300 {
        let done = count(&j, OutboxState::Done);
        if slow_in_flight(&fake) {
            done_during_slow = done_during_slow.max(done);
        } else if done_during_slow > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        done_during_slow >= 3,
        "only {done_during_slow} of {clients} leads finished while one call was slow"
    );
    run.await.unwrap();
    drain(&p, &j, T).await;
    assert_eq!(count(&j, OutboxState::Done), clients);
    for i in 0..clients {
        let key = format!("ai-lane-{i}");
        assert_eq!(leads_with_key(&fake, &key), 1, "{key}");
        let lead = fake.leads().into_iter().find(|l| l.has_tag(&key)).unwrap();
        assert_eq!(fake.lead_notes(lead.id).len(), 1, "{key}");
        assert_eq!(fake.lead_tasks(lead.id).len(), 1, "{key}");
    }
    assert_eq!(fake.contacts().len(), clients);
    assert_clean(&fake);
}

/// Lanes split requests by the client's first phone, else e-mail: a client
/// who sent one mail with phone and e-mail and another with the e-mail only
/// may land in two lanes. Their contact search and create must not overlap
/// (both would miss and create a contact each): requests sharing a phone or
/// an e-mail take turns at the contact step, whatever their lane.
#[tokio::test]
async fn one_client_in_two_lanes_gets_one_contact() {
    let fake = FakeAmo::start(FakeOptions {
        rate_limit: 70,
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("s.db"));
    let o = options(
        &fake,
        AuthConfig::LongLived(fake.long_lived_token()),
        Some(j.clone()),
        60.0,
    );
    let c = std::sync::Arc::new(Client::new(o).unwrap());
    let p = std::sync::Arc::new(pipeline(&j, c).with_lanes(4));
    p.run_once().await.unwrap(); // catalog
    let clients = 8;
    for i in 0..clients {
        let email = format!("client{i}@mail.example");
        let phone = format!("+7916{i:07}");
        p.enqueue(
            &format!("ai-two-lanes-{i}-a"),
            &req(&format!("Клиент {i}"), &phone, Some(&email)),
            &CrmSpec::default(),
        )
        .unwrap();
        // The second mail carries the e-mail only (its lane follows the e-mail).
        let mut second = req(&format!("Клиент {i}"), &phone, Some(&email));
        second.phone = None;
        second.phones.clear();
        second.fields.retain(|(l, _)| l != "Телефон");
        p.enqueue(&format!("ai-two-lanes-{i}-b"), &second, &CrmSpec::default())
            .unwrap();
    }
    // Slow contact searches: without turns, both requests of a client search
    // at the same time, both miss, both create.
    fake.inject(
        Fault::new(
            "GET",
            "/api/v4/contacts",
            FaultKind::Slow {
                delay: Duration::from_millis(300),
            },
        )
        .times(4 * clients),
    );
    drain(&p, &j, T).await;
    assert_eq!(count(&j, OutboxState::Done), 2 * clients);
    for i in 0..clients {
        for s in ["a", "b"] {
            assert_eq!(leads_with_key(&fake, &format!("ai-two-lanes-{i}-{s}")), 1);
        }
    }
    let contacts = fake.contacts();
    assert_eq!(
        contacts.len(),
        clients,
        "one contact per client expected, got {}: {:?}",
        contacts.len(),
        contacts.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
    );
    assert_clean(&fake);
}
