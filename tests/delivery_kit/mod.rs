//! Helpers for the delivery tests (tests/delivery*.rs): a journal, a client
//! pointed at the fake amoCRM with test-sized timeouts, a pipeline, request
//! builders and a drain loop.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use amo_intake::config::Config;
use amo_intake::crm::client::{AuthConfig, Client, ClientOptions};
use amo_intake::crm::ratelimit::RateLimiter;
use amo_intake::journal::Journal;
use amo_intake::journal::outbox::OutboxState;
use amo_intake::pipeline::{Pipeline, PipelineDeps};
use amo_intake::request::{Action, Kind, Request, RequestMeta};
use amo_intake::rules::RuleSet;
use arc_swap::ArcSwap;

use crate::support::FakeAmo;

/// One limiter per fake amoCRM, shared by every client a test builds
/// against it (a "restarted" pipeline, a second client): the daemon has one
/// limiter per process, and so must a test that plays several of its lives.
pub fn shared_limiter(fake: &FakeAmo, rate: f64) -> Arc<RateLimiter> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static LIMITERS: LazyLock<Mutex<HashMap<String, Arc<RateLimiter>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let mut m = LIMITERS.lock().unwrap();
    m.entry(fake.base_url())
        .or_insert_with(|| Arc::new(RateLimiter::new(rate)))
        .clone()
}

/// Client options for tests: the real limiter rate, short timeouts/backoffs.
pub fn options(
    fake: &FakeAmo,
    auth: AuthConfig,
    journal: Option<Arc<Journal>>,
    rate: f64,
) -> ClientOptions {
    let mut o = ClientOptions::new(&fake.base_url(), auth, shared_limiter(fake, rate));
    o.journal = journal;
    o.timeout = Duration::from_millis(1500);
    o.connect_timeout = Duration::from_millis(500);
    o.backoff_base = Duration::from_millis(50);
    o.backoff_max = Duration::from_millis(400);
    o.block_backoff = Duration::from_millis(1200);
    o
}

pub fn long_lived(fake: &FakeAmo, journal: &Arc<Journal>) -> Arc<Client> {
    Arc::new(
        Client::new(options(
            fake,
            AuthConfig::LongLived(fake.long_lived_token()),
            Some(journal.clone()),
            6.0,
        ))
        .unwrap(),
    )
}

pub fn pipeline(journal: &Arc<Journal>, client: Arc<Client>) -> Pipeline {
    pipeline_with(journal, client, Config::default())
}

pub fn pipeline_with(journal: &Arc<Journal>, client: Arc<Client>, config: Config) -> Pipeline {
    Pipeline::new(PipelineDeps {
        journal: journal.clone(),
        rules: Arc::new(ArcSwap::from_pointee(RuleSet::default())),
        config: Arc::new(config),
        dry_run: false,
    })
    .unwrap()
    .with_client(client)
}

pub fn open(path: &Path) -> Arc<Journal> {
    Arc::new(Journal::open(path).unwrap())
}

pub fn req(name: &str, phone: &str, email: Option<&str>) -> Request {
    Request {
        rule: Some("test-form".into()),
        action: Action::Lead,
        kind: Kind::Measurement,
        name: Some(name.into()),
        phone: Some(phone.into()),
        phones: vec![phone.into()],
        email: email.map(str::to_string),
        address: Some("ул. Ленина, 1".into()),
        page: Some("https://okna.example.ru/zamer".into()),
        form: Some("Заявка на замер".into()),
        fields: vec![
            ("Имя".into(), name.into()),
            ("Телефон".into(), phone.into()),
        ],
        meta: RequestMeta {
            sender: Some("robot@tilda.ws".into()),
            subject: Some("Новая заявка с сайта".into()),
            ..RequestMeta::default()
        },
        ..Request::default()
    }
}

/// Runs the pipeline until nothing is left to do (or `limit` passes).
/// Panics on a failpoint or a stop.
pub async fn drain(p: &Pipeline, journal: &Journal, limit: Duration) {
    let start = tokio::time::Instant::now();
    loop {
        p.run_once().await.unwrap();
        match journal.next_due_ms().unwrap() {
            None => return,
            Some(due) => {
                assert!(
                    start.elapsed() < limit,
                    "outbox not drained in {limit:?}: {:?}",
                    journal.outbox_counts().unwrap()
                );
                let ms = (due - amo_intake::journal::now_ms()).clamp(10, 500);
                tokio::time::sleep(Duration::from_millis(ms as u64)).await;
            }
        }
    }
}

pub fn count(journal: &Journal, state: OutboxState) -> usize {
    journal.outbox_in_state(state).unwrap().len()
}

/// Leads in the fake holding this key in «ID заявки».
pub fn leads_with_key(fake: &FakeAmo, key: &str) -> usize {
    fake.leads()
        .iter()
        .filter(|l| l.field("ID заявки").iter().any(|v| v == key))
        .count()
}

pub fn assert_clean(fake: &FakeAmo) {
    let v = fake.spec_violations();
    assert!(v.is_empty(), "spec violations: {v:#?}");
}
