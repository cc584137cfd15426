//! Delivery throughput under amoCRM's rate limit: drains N queued requests
//! through the fake amoCRM and prints requests made, requests per lead, the
//! time next to the bound (requests ÷ the fake's limit) and the peak
//! per-second rate the fake saw.
//!
//! `cargo bench --bench delivery` (N=1000, fake limit 70/s, client 70/s:
//! same ratio to the bound as the real 7/s, ten times faster);
//! `BENCH_LIMIT=7 cargo bench --bench delivery` runs at amoCRM's real limit;
//! `BENCH_N` changes the count. Under `cargo test` it runs a small smoke size.
//! Clients: all with a phone, 30 % also with an email, all different
//! (contact de-duplication on: every request searches amoCRM), default rule
//! (lead in «Неразобранное», note and call task).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../tests/delivery_kit/mod.rs"]
mod delivery_kit;

use std::sync::Arc;
use std::time::{Duration, Instant};

use amo_intake::crm::client::{AuthConfig, Client};
use amo_intake::journal::outbox::OutboxState;
use amo_intake::rules::crm_spec::CrmSpec;
use delivery_kit::*;
use support::{FakeAmo, FakeOptions};

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = env_usize("BENCH_N", if full { 1000 } else { 40 });
    let limit = env_usize("BENCH_LIMIT", 70);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(n, limit));
}

async fn run(n: usize, limit: usize) {
    let fake = FakeAmo::start(FakeOptions {
        rate_limit: limit,
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let j = open(&dir.path().join("bench.db"));
    let client = Arc::new(
        Client::new(options(
            &fake,
            AuthConfig::LongLived(fake.long_lived_token()),
            Some(j.clone()),
            limit as f64,
        ))
        .unwrap(),
    );
    let p = pipeline(&j, client);
    for i in 0..n {
        let email = (i % 10 < 3).then(|| format!("client{i}@example.ru"));
        let r = req(
            &format!("Клиент {i}"),
            &format!("+7926{i:07}"),
            email.as_deref(),
        );
        p.enqueue(&format!("ai-bench{i:06}"), &r, &CrmSpec::default())
            .unwrap();
    }
    let start = Instant::now();
    drain(&p, &j, Duration::from_secs(3600)).await;
    let time = start.elapsed().as_secs_f64();

    assert_eq!(
        count(&j, OutboxState::Done),
        n,
        "{:?}",
        j.outbox_counts().unwrap()
    );
    assert_eq!(fake.leads().len(), n);
    assert_eq!(fake.contacts().len(), n);
    assert_eq!(fake.tasks().len(), n);
    let v = fake.spec_violations();
    assert!(v.is_empty(), "spec violations: {v:#?}");

    let requests = fake.requests().len();
    let bound = requests as f64 / limit as f64;
    let by_kind = |m: &str, p: &str| fake.requests_to(m, p).len();
    println!("leads: {n}, fake limit {limit}/s, client limit {limit}/s");
    println!(
        "requests: {requests} (contact searches {}, unsorted/forms {}, notes {}, tasks {}, other {}), 429s: {}",
        by_kind("GET", "/api/v4/contacts"),
        by_kind("POST", "/api/v4/leads/unsorted/forms"),
        by_kind("POST", "/api/v4/leads/notes"),
        by_kind("POST", "/api/v4/tasks"),
        requests
            - by_kind("GET", "/api/v4/contacts")
            - by_kind("POST", "/api/v4/leads/unsorted/forms")
            - by_kind("POST", "/api/v4/leads/notes")
            - by_kind("POST", "/api/v4/tasks"),
        fake.count_429()
    );
    println!(
        "RESULT delivery requests={requests} requests_per_lead={:.3} time_s={time:.2} bound_s={bound:.2} time_ratio={:.3} peak_rps={} limit_rps={limit}",
        requests as f64 / n as f64,
        time / bound,
        fake.peak_rate_per_second()
    );
}
