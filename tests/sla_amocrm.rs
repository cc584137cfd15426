//! The SLA watch against the fake amoCRM through the daemon's real client
//! (one rate limiter, retries, auth) and a loopback fake Telegram.
//!
//! Simulated time: a `ManualClock` jumps between the watch's wake-ups and
//! the fake amoCRM's clock is kept equal to it, so events carry simulated
//! timestamps. HTTP runs in real time, so the rate the fake measures is real.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery_kit;
mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use amo_intake::alert::channels::Telegram;
use amo_intake::alert::{Alerter, Channel, Templates};
use amo_intake::crm::client::{AuthConfig, ClientOptions};
use amo_intake::crm::events::EventsEvidence;
use amo_intake::crm::{Client, RateLimiter};
use amo_intake::journal::Journal;
use amo_intake::journal::sla::{NewSla, SlaState};
use amo_intake::sla::calendar::{Span, parse_spans};
use amo_intake::sla::{Clock, ManualClock, Policy, Watch, WorkCalendar};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use support::fake_amocrm::ids;
use support::fake_channels::FakeTelegram;
use support::{FakeAmo, FakeOptions};

const TZ: &str = "Europe/Moscow";
const HEAD_CHAT: &str = "-100500";

fn msk(s: &str) -> Timestamp {
    let dt: DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get(TZ).unwrap()).unwrap().timestamp()
}

fn local(t: Timestamp) -> String {
    t.to_zoned(TimeZone::get(TZ).unwrap())
        .strftime("%a %Y-%m-%d %H:%M:%S")
        .to_string()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn policy() -> Policy {
    let tz = TimeZone::get(TZ).unwrap();
    let wd = parse_spans("09:00-19:00").unwrap();
    let mut week: [Vec<Span>; 7] = Default::default();
    for d in week.iter_mut().take(5) {
        *d = wd.clone();
    }
    let mut p = Policy::around_the_clock(tz.clone());
    p.calendar = WorkCalendar::weekly(tz, week);
    p
}

struct Sim {
    fake: FakeAmo,
    client: Arc<Client>,
    clock: Arc<ManualClock>,
    journal: Arc<Journal>,
    policy: Policy,
    watch: Watch,
    tg: FakeTelegram,
    log: Vec<(Timestamp, String, String)>,
    seen: usize,
}

impl Sim {
    async fn new(t0: Timestamp) -> Sim {
        let fake = FakeAmo::start(FakeOptions {
            now: Some(t0.as_second()),
            ..FakeOptions::default()
        });
        let mut o = ClientOptions::new(
            &fake.base_url(),
            AuthConfig::LongLived(fake.long_lived_token()),
            Arc::new(RateLimiter::new(6.0)),
        );
        o.timeout = Duration::from_secs(5);
        o.backoff_base = Duration::from_millis(50);
        o.backoff_max = Duration::from_millis(400);
        let client = Arc::new(Client::new(o).unwrap());
        let tg = FakeTelegram::start().await;
        let chats = HashMap::from([
            (ids::USER_ANNA, "700".to_string()),
            (ids::USER_BORIS, "800".to_string()),
        ]);
        let ch: Arc<dyn Channel> = Arc::new(Telegram::new(
            &tg.api_base(),
            "42:TOKEN",
            chats,
            Some(HEAD_CHAT.into()),
        ));
        let alerter = Alerter::new(vec![ch], Templates::default(), "https://example.amocrm.ru");
        let clock = Arc::new(ManualClock::new(t0));
        let journal = Arc::new(Journal::in_memory().unwrap());
        let policy = policy();
        let watch = Watch::new(
            journal.clone(),
            policy.clone(),
            Arc::new(EventsEvidence::new(client.clone())),
            Arc::new(alerter),
            clock.clone(),
        );
        Sim {
            fake,
            client,
            clock,
            journal,
            policy,
            watch,
            tg,
            log: Vec::new(),
            seen: 0,
        }
    }

    /// A lead in Unsorted with a contact, watched from `arrival`.
    fn lead(&self, arrival: Timestamp) -> (i64, i64) {
        let lead = self
            .fake
            .add_lead("Заявка с сайта", ids::STATUS_UNSORTED, ids::USER_ANNA);
        let contact = self.fake.add_contact("Ирина", &["+79161234567"], &[]);
        self.journal
            .sla_open(&NewSla {
                lead_id: lead,
                contact_id: Some(contact),
                responsible_id: Some(ids::USER_ANNA),
                mail_id: None,
                arrival,
                deadline: self.policy.deadline(arrival, None),
                client_name: Some("Ирина".into()),
                phone: Some("+79161234567".into()),
                asked: Some("Натяжной потолок".into()),
                kind: None,
                ..Default::default()
            })
            .unwrap();
        (lead, contact)
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn set(&self, t: Timestamp) {
        self.clock.set(t);
        self.fake.set_now(t.as_second());
    }

    async fn run_until(&mut self, t: Timestamp) {
        loop {
            self.fake.set_now(self.now().as_second());
            let r = self.watch.tick().await.unwrap();
            let msgs = self.tg.messages();
            for m in &msgs[self.seen..] {
                self.log.push((
                    self.now(),
                    m.chat_id.clone(),
                    m.text.lines().next().unwrap_or("").to_string(),
                ));
            }
            self.seen = msgs.len();
            let next = r.next_wake.unwrap();
            if next >= t {
                self.set(t);
                return;
            }
            self.set(next);
        }
    }

    fn alerts(&self) -> Vec<(String, String)> {
        self.log
            .iter()
            .map(|(t, chat, _)| (local(*t), chat.clone()))
            .collect()
    }

    fn event_requests(&self) -> usize {
        self.fake.requests_to("GET", "/api/v4/events").len()
    }
}

fn thu_noon() -> Timestamp {
    msk("2026-11-26T12:00:00")
}

fn at(s: &str, chat: &str) -> (String, String) {
    (s.to_string(), chat.to_string())
}

#[tokio::test]
async fn called_at_3_min_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let (lead, _) = sim.lead(t0);
    sim.run_until(t0 + mins(3)).await;
    sim.fake.add_outgoing_call("leads", lead);
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!(row.state, SlaState::Answered);
    assert_eq!(row.response_ms, Some(180_000));
    sim.fake.assert_no_spec_violations();
}

#[tokio::test]
async fn called_at_12_min_one_alert_at_10_no_escalation() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let (lead, _) = sim.lead(t0);
    sim.run_until(t0 + mins(12)).await;
    sim.fake.add_outgoing_call("leads", lead);
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(sim.alerts(), vec![at("Thu 2026-11-26 12:10:00", "700")]);
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!((row.response_ms, row.late), (Some(720_000), Some(true)));
}

#[tokio::test]
async fn status_moved_at_5_min_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let (lead, _) = sim.lead(t0);
    sim.run_until(t0 + mins(5)).await;
    assert!(sim.fake.move_lead_status(lead, ids::STATUS_MEASUREMENT));
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!(row.evidence_kind.as_deref(), Some("status"));
}

#[tokio::test]
async fn call_task_completed_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let (lead, _) = sim.lead(t0);
    // The call task delivery creates, due at the deadline.
    let body = serde_json::json!([{"text": "Перезвонить клиенту", "complete_till": (t0 + mins(10)).as_second(),
        "entity_id": lead, "entity_type": "leads", "task_type_id": 1, "responsible_user_id": ids::USER_ANNA}]);
    let resp = sim
        .client
        .post_json("/api/v4/tasks", &body)
        .await
        .unwrap()
        .unwrap();
    let task = resp["_embedded"]["tasks"][0]["id"].as_i64().unwrap();
    sim.run_until(t0 + mins(7)).await;
    assert!(sim.fake.complete_task(task));
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!(row.evidence_kind.as_deref(), Some("task"));
}

#[tokio::test]
async fn call_only_on_the_contact_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let (lead, contact) = sim.lead(t0);
    sim.run_until(t0 + mins(6)).await;
    sim.fake.add_outgoing_call("contacts", contact);
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!(row.response_ms, Some(360_000));
}

#[tokio::test]
async fn no_callback_alerts_manager_then_head() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let (lead, _) = sim.lead(t0);
    // An incoming call (the client calling again) is not a callback.
    sim.run_until(t0 + mins(2)).await;
    sim.fake.add_incoming_call("leads", lead);
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(
        sim.alerts(),
        vec![
            at("Thu 2026-11-26 12:10:00", "700"),
            at("Thu 2026-11-26 12:20:00", HEAD_CHAT)
        ]
    );
    assert!(sim.log[0].2.contains("10 мин"));
}

#[tokio::test]
async fn reassigned_before_deadline_alerts_the_new_manager() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let (lead, _) = sim.lead(t0);
    sim.run_until(t0 + mins(4)).await;
    assert!(sim.fake.set_responsible(lead, ids::USER_BORIS));
    sim.run_until(t0 + mins(15)).await;
    assert_eq!(sim.alerts(), vec![at("Thu 2026-11-26 12:10:00", "800")]);
}

#[tokio::test]
async fn friday_2340_alerts_monday_0910() {
    let t0 = msk("2026-11-27T23:40:00");
    let mut sim = Sim::new(t0).await;
    sim.lead(t0);
    sim.run_until(msk("2026-11-30T09:08:00")).await;
    assert_eq!(sim.event_requests(), 0);
    sim.run_until(msk("2026-11-30T09:15:00")).await;
    assert_eq!(sim.alerts(), vec![at("Mon 2026-11-30 09:10:00", "700")]);
}

#[tokio::test]
async fn five_hundred_leads_stay_within_the_rate_limit() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let mut leads = Vec::new();
    for _ in 0..500 {
        leads.push(sim.lead(t0));
    }
    sim.run_until(t0 + mins(5)).await;
    for (lead, _) in leads.iter().step_by(2) {
        sim.fake.add_outgoing_call("leads", *lead);
    }
    sim.fake.clear_requests();
    sim.run_until(t0 + mins(9) + SignedDuration::from_secs(1))
        .await;
    // 500 leads + 500 contacts, 10 entity ids per events call.
    assert_eq!(sim.event_requests(), 100);
    sim.run_until(t0 + mins(11)).await;
    assert_eq!(sim.event_requests(), 100 + 50);
    assert_eq!(sim.fake.count_429(), 0);
    let peak = sim.fake.peak_rate_per_second();
    assert!(peak <= 7, "peak {peak}/s");
    assert_eq!(sim.alerts().len(), 250);
    assert!(
        sim.alerts()
            .iter()
            .all(|a| a == &at("Thu 2026-11-26 12:10:00", "700"))
    );
    println!(
        "RESULT sla_500 event_requests=150 peak_rate_per_s={peak} count_429={}",
        sim.fake.count_429()
    );
}

/// Delivery → SLA with no glue: the watch opens clocks for delivered
/// `lead`/`review` requests from the outbox, not for `trash`/`ignore`, and
/// alerts the responsible user amoCRM reports.
#[tokio::test]
async fn delivered_requests_get_a_clock_trash_does_not() {
    use amo_intake::request::Action;
    use amo_intake::rules::crm_spec::CrmSpec;
    let fake = FakeAmo::start(FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let journal = delivery_kit::open(&dir.path().join("s.db"));
    let client = delivery_kit::long_lived(&fake, &journal);
    let p = delivery_kit::pipeline(&journal, client.clone());
    let mut lead = delivery_kit::req("Анна", "+79161234567", None);
    p.enqueue("ai-sla-lead", &lead, &CrmSpec::default())
        .unwrap();
    lead.action = Action::Review;
    lead.phone = Some("+79161234568".into());
    lead.phones = vec!["+79161234568".into()];
    p.enqueue("ai-sla-review", &lead, &CrmSpec::default())
        .unwrap();
    lead.action = Action::Trash;
    lead.phone = Some("+79161234569".into());
    lead.phones = vec!["+79161234569".into()];
    p.enqueue("ai-sla-trash", &lead, &CrmSpec::default())
        .unwrap();
    delivery_kit::drain(&p, &journal, Duration::from_secs(20)).await;
    assert_eq!(fake.leads().len(), 3);

    let tg = FakeTelegram::start().await;
    let chats: HashMap<i64, String> = [ids::USER_ADMIN, ids::USER_ANNA, ids::USER_BORIS]
        .iter()
        .map(|u| (*u, format!("chat-{u}")))
        .collect();
    let ch: Arc<dyn Channel> = Arc::new(Telegram::new(&tg.api_base(), "t", chats, None));
    let start = Timestamp::now();
    let clock = Arc::new(ManualClock::new(start));
    let watch = Watch::new(
        journal.clone(),
        Policy::around_the_clock(TimeZone::UTC),
        Arc::new(EventsEvidence::new(client.clone())),
        Arc::new(Alerter::new(vec![ch], Templates::default(), "")),
        clock.clone(),
    );
    watch.tick().await.unwrap();
    let rows = journal.sla_open_rows().unwrap();
    assert_eq!(rows.len(), 2, "lead and review, not trash: {rows:?}");
    for r in &rows {
        let secs = (r.deadline_ms - r.arrival_ms) / 1000;
        assert_eq!(secs, 600);
        assert_eq!(r.client_name.as_deref(), Some("Анна"));
    }
    clock.set(start + mins(11));
    watch.tick().await.unwrap();
    let got: Vec<String> = tg.messages().iter().map(|m| m.chat_id.clone()).collect();
    let mut want: Vec<String> = rows
        .iter()
        .map(|r| format!("chat-{}", fake.lead(r.lead_id).unwrap().responsible_user_id))
        .collect();
    want.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, want);
}

#[tokio::test]
async fn escalation_creates_an_amocrm_task_for_the_head() {
    use amo_intake::alert::channels::{AmoTask, AmoTaskConfig};
    let t0 = thu_noon();
    let mut sim = Sim::new(t0).await;
    let task_channel: Arc<dyn Channel> = Arc::new(AmoTask::new(
        sim.client.clone(),
        &AmoTaskConfig {
            head_user: ids::USER_VIKTOR,
            due_in: Some("30m".into()),
            notes: true,
        },
    ));
    sim.watch = Watch::new(
        sim.journal.clone(),
        sim.policy.clone(),
        Arc::new(EventsEvidence::new(sim.client.clone())),
        Arc::new(Alerter::new(
            vec![
                Arc::new(Telegram::new(
                    &sim.tg.api_base(),
                    "t",
                    HashMap::from([(ids::USER_ANNA, "700".to_string())]),
                    Some(HEAD_CHAT.into()),
                )),
                task_channel,
            ],
            Templates::default(),
            "https://example.amocrm.ru",
        )),
        sim.clock.clone(),
    );
    let (lead, _) = sim.lead(t0);
    sim.run_until(t0 + mins(25)).await;
    let tasks = sim.fake.lead_tasks(lead);
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0].responsible_user_id, ids::USER_VIKTOR);
    // Due 30 minutes after the escalation (deadline + 10 min).
    assert_eq!(tasks[0].complete_till, (t0 + mins(50)).as_second());
    assert!(
        tasks[0].text.starts_with("🚨 Клиенту не перезвонили"),
        "{}",
        tasks[0].text
    );
    let notes = sim.fake.lead_notes(lead);
    assert_eq!(notes.len(), 1, "the manager's first alert as a note");
    sim.fake.assert_no_spec_violations();
    let sent = sim.journal.alerts_for(Some(lead)).unwrap();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|a| a.sent_ms.is_some() && a.attempts == 1));
    assert_eq!(
        sim.alerts(),
        vec![
            at("Thu 2026-11-26 12:10:00", "700"),
            at("Thu 2026-11-26 12:20:00", HEAD_CHAT)
        ]
    );
}
