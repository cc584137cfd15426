//! The request budget of watching every incoming request: a simulated
//! working week day of an account with 200 leads a day from every source
//! (WhatsApp and Telegram chats, other integrations, missed calls), most
//! answered within minutes, some never, with the procedure's stage moves,
//! against the fake amoCRM through the daemon's real client. Prints the
//! requests per hour overall, in the busiest hour and in a quiet hour.
//!
//! `cargo bench --bench sla_poll` (200 leads over 24 simulated hours,
//! `BENCH_LEADS` changes the count); under `cargo test` a small smoke size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use amo_intake::alert::channels::Memory;
use amo_intake::alert::{Alerter, Templates};
use amo_intake::crm::client::{AuthConfig, ClientOptions};
use amo_intake::crm::events::EventsEvidence;
use amo_intake::crm::{Client, RateLimiter};
use amo_intake::journal::Journal;
use amo_intake::sla::incoming::Sources;
use amo_intake::sla::procedure::{ALL_CHECKS, Procedure};
use amo_intake::sla::{ManualClock, Policy, Watch};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use support::fake_amocrm::ids;
use support::{FakeAmo, FakeOptions};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let leads: usize = std::env::var("BENCH_LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 200 } else { 12 });
    let hours: i64 = if full { 24 } else { 2 };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(leads, hours));
}

async fn run(leads_per_day: usize, hours: i64) {
    let t0: Timestamp = "2026-11-26T00:00:00Z".parse().unwrap();
    let fake = FakeAmo::start(FakeOptions {
        rate_limit: 10_000,
        now: Some(t0.as_second()),
        ..FakeOptions::default()
    });
    let mut o = ClientOptions::new(
        &fake.base_url(),
        AuthConfig::LongLived(fake.long_lived_token()),
        Arc::new(RateLimiter::new(5_000.0)),
    );
    o.timeout = Duration::from_secs(5);
    let client = Arc::new(Client::new(o).unwrap());
    let clock = Arc::new(ManualClock::new(t0));
    let dir = tempfile::tempdir().unwrap();
    let (watch, memory) = build(&client, &clock, &dir.path().join("bench.db"));

    // Arrivals spread evenly over the simulated day (one every 7.2 min
    // for 200 a day); each lead's fate is fixed by its number.
    let every = SignedDuration::from_secs(86_400 / leads_per_day.max(1) as i64);
    let mut pending: Vec<(Timestamp, usize, i64, i64)> = Vec::new(); // (when, action, lead, contact)
    let mut next_arrival = t0;
    let mut n = 0usize;
    let end = t0 + SignedDuration::from_hours(hours);
    let mut per_hour = vec![0usize; hours as usize];
    let mut seen = 0usize;
    let mut now = t0;
    while now < end {
        fake.set_now(now.as_second());
        while next_arrival <= now {
            let (lead, contact) = match n % 5 {
                0 | 1 => {
                    fake.add_chat_lead(&format!("Клиент {n}"), "com.amocrm.amocrmwa", "WhatsApp")
                }
                2 => fake.add_chat_lead(&format!("Клиент {n}"), "telegram", "Telegram"),
                3 => (
                    fake.add_lead(
                        &format!("Интеграция {n}"),
                        ids::STATUS_UNSORTED,
                        ids::USER_ANNA,
                    ),
                    0,
                ),
                _ => {
                    let l = fake.add_lead(
                        &format!("Звонок {n}"),
                        ids::STATUS_FIRST_CONTACT,
                        ids::USER_BORIS,
                    );
                    fake.add_missed_call("lead", l);
                    (l, 0)
                }
            };
            // 4 in 5 answered within 2..8 minutes, then moved on.
            if n % 10 != 9 {
                let after = SignedDuration::from_mins(2 + (n % 7) as i64);
                pending.push((now + after, n, lead, contact));
            }
            n += 1;
            next_arrival += every;
        }
        let mut i = 0;
        while i < pending.len() {
            if pending[i].0 <= now {
                let (_, k, lead, _) = pending.swap_remove(i);
                if k % 5 == 4 || k % 5 == 3 {
                    fake.add_outgoing_call("lead", lead);
                } else {
                    fake.add_chat_message("lead", lead, false, "com.amocrm.amocrmwa");
                }
                let stage = [
                    ids::STATUS_THINKING,
                    ids::STATUS_MEASUREMENT,
                    ids::STATUS_LOST,
                ][k % 3];
                fake.move_lead_status(lead, stage);
            } else {
                i += 1;
            }
        }
        let r = watch.tick().await.unwrap();
        let made = fake.requests().len();
        let hour = ((now.as_second() - t0.as_second()) / 3600) as usize;
        if let Some(h) = per_hour.get_mut(hour) {
            *h += made - seen;
        }
        seen = made;
        let mut next = r.next_wake.unwrap();
        // Wake for the next arrival or answer too (delivery would wake it).
        next = next.min(next_arrival);
        if let Some(p) = pending.iter().map(|p| p.0).min() {
            next = next.min(p);
        }
        now = next.max(now + SignedDuration::from_secs(1));
        clock.set(now);
    }
    let total = fake.requests().len();
    assert_eq!(fake.count_429(), 0);
    fake.assert_no_spec_violations();
    let peak = per_hour.iter().copied().max().unwrap_or(0);
    // A quiet account: a new watch (fresh state file) on the same amoCRM,
    // one hour with nothing happening.
    let (quiet_watch, _) = build(&client, &clock, &dir.path().join("quiet.db"));
    let before_quiet = fake.requests().len();
    let quiet_start = now;
    while now < quiet_start + SignedDuration::from_hours(1) {
        fake.set_now(now.as_second());
        let r = quiet_watch.tick().await.unwrap();
        now = r.next_wake.unwrap();
        clock.set(now);
    }
    let quiet = fake.requests().len() - before_quiet;
    println!(
        "RESULT sla_poll leads_per_day={leads_per_day} hours={hours} leads={n} requests={total} requests_per_hour={:.1} peak_hour_requests={peak} quiet_hour_requests={quiet} alerts={} check_interval_s=60",
        total as f64 / hours as f64,
        memory.sent().len()
    );
}

fn build(
    client: &Arc<Client>,
    clock: &Arc<ManualClock>,
    state: &std::path::Path,
) -> (Watch, Arc<Memory>) {
    let journal = Arc::new(Journal::open(state).unwrap());
    let mut policy = Policy::around_the_clock(TimeZone::UTC);
    policy.sources = Sources {
        chats: true,
        calls: true,
        other: true,
        ..Sources::default()
    };
    policy.procedure = Procedure {
        checks: ALL_CHECKS.to_vec(),
        ..Procedure::default()
    };
    let memory = Arc::new(Memory::default());
    let watch = Watch::new(
        journal,
        policy,
        Arc::new(EventsEvidence::new(client.clone())),
        Arc::new(Alerter::new(vec![memory.clone()], Templates::default(), "")),
        clock.clone(),
    )
    .with_feed(Arc::new(EventsEvidence::new(client.clone())));
    (watch, memory)
}
