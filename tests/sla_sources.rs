//! Every incoming request and the procedure's steps, against the fake
//! amoCRM through the daemon's real client: chat leads (WhatsApp,
//! Telegram), a client writing again, missed calls, and the «Думает»,
//! «Корзина», «Замер» checks. Each scenario also runs with a restart in the
//! middle of its wait and must produce exactly the same alerts.
//!
//! Simulated time: a `ManualClock` jumps between the watch's wake-ups and
//! the fake amoCRM's clock follows it, so events carry simulated instants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use amo_intake::alert::channels::Telegram;
use amo_intake::alert::{Alerter, Channel, Templates};
use amo_intake::crm::client::{AuthConfig, ClientOptions};
use amo_intake::crm::events::EventsEvidence;
use amo_intake::crm::{Client, RateLimiter};
use amo_intake::journal::Journal;
use amo_intake::journal::sla::SlaState;
use amo_intake::sla::calendar::{Span, parse_spans};
use amo_intake::sla::incoming::Sources;
use amo_intake::sla::procedure::{ALL_CHECKS, Procedure};
use amo_intake::sla::{Clock, ManualClock, Policy, Watch, WorkCalendar};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use support::fake_amocrm::ids;
use support::fake_channels::FakeTelegram;
use support::{FakeAmo, FakeOptions};

const TZ: &str = "Europe/Moscow";
const HEAD_CHAT: &str = "-100500";
const WA: &str = "com.amocrm.amocrmwa";

fn msk(s: &str) -> Timestamp {
    let dt: DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get(TZ).unwrap()).unwrap().timestamp()
}

fn local(t: Timestamp) -> String {
    t.to_zoned(TimeZone::get(TZ).unwrap())
        .strftime("%H:%M:%S")
        .to_string()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn thu_noon() -> Timestamp {
    msk("2026-11-26T12:00:00")
}

fn policy(sources: Sources) -> Policy {
    let tz = TimeZone::get(TZ).unwrap();
    let wd = parse_spans("09:00-19:00").unwrap();
    let mut week: [Vec<Span>; 7] = Default::default();
    for d in week.iter_mut().take(5) {
        *d = wd.clone();
    }
    let mut p = Policy::around_the_clock(tz.clone());
    p.calendar = WorkCalendar::weekly(tz, week);
    p.sources = sources;
    p.procedure = Procedure {
        checks: ALL_CHECKS.to_vec(),
        measure_fields: vec!["Адрес объекта".into(), "Желаемое время замера".into()],
        ..Procedure::default()
    };
    p
}

fn all_sources() -> Sources {
    Sources {
        chats: true,
        calls: true,
        other: true,
        ..Sources::default()
    }
}

struct Sim {
    fake: FakeAmo,
    client: Arc<Client>,
    clock: Arc<ManualClock>,
    path: PathBuf,
    _dir: tempfile::TempDir,
    journal: Arc<Journal>,
    policy: Policy,
    watch: Watch,
    tg: FakeTelegram,
    /// (local time, chat, whole text)
    log: Vec<(String, String, String)>,
    seen: usize,
}

fn alerter(tg: &FakeTelegram) -> Alerter {
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
    Alerter::new(vec![ch], Templates::default(), "https://example.amocrm.ru")
}

impl Sim {
    async fn new(t0: Timestamp, sources: Sources) -> Sim {
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
        let clock = Arc::new(ManualClock::new(t0));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let journal = Arc::new(Journal::open(&path).unwrap());
        let policy = policy(sources);
        let watch = Self::watch(&journal, &policy, &client, &tg, &clock);
        Sim {
            fake,
            client,
            clock,
            path,
            _dir: dir,
            journal,
            policy,
            watch,
            tg,
            log: Vec::new(),
            seen: 0,
        }
    }

    fn watch(
        journal: &Arc<Journal>,
        policy: &Policy,
        client: &Arc<Client>,
        tg: &FakeTelegram,
        clock: &Arc<ManualClock>,
    ) -> Watch {
        Watch::new(
            journal.clone(),
            policy.clone(),
            Arc::new(EventsEvidence::new(client.clone())),
            Arc::new(alerter(tg)),
            clock.clone(),
        )
        .with_feed(Arc::new(EventsEvidence::new(client.clone())))
    }

    /// A new daemon on the same state file (in-memory poll state is lost).
    fn restart(&mut self) {
        self.journal = Arc::new(Journal::open(&self.path).unwrap());
        self.watch = Self::watch(
            &self.journal,
            &self.policy,
            &self.client,
            &self.tg,
            &self.clock,
        );
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn set(&self, t: Timestamp) {
        self.clock.set(t);
        self.fake.set_now(t.as_second());
    }

    async fn run_until(&mut self, t: Timestamp) {
        let mut guard = 0;
        loop {
            self.fake.set_now(self.now().as_second());
            let r = self.watch.tick().await.unwrap();
            let msgs = self.tg.messages();
            for m in &msgs[self.seen..] {
                self.log
                    .push((local(self.now()), m.chat_id.clone(), m.text.clone()));
            }
            self.seen = msgs.len();
            let next = r.next_wake.unwrap();
            assert!(next > self.now());
            if next >= t {
                self.set(t);
                return;
            }
            self.set(next);
            guard += 1;
            assert!(guard < 10_000, "runaway simulation");
        }
    }

    /// Runs to `t`, restarting the daemon at `restart_at` when given.
    async fn wait(&mut self, t: Timestamp, restart_at: Option<Timestamp>) {
        if let Some(r) = restart_at.filter(|r| *r > self.now() && *r < t) {
            self.run_until(r).await;
            self.restart();
        }
        self.run_until(t).await;
    }

    /// (time, chat, first line) of every message.
    fn alerts(&self) -> Vec<(String, String, String)> {
        self.log
            .iter()
            .map(|(t, c, text)| {
                (
                    t.clone(),
                    c.clone(),
                    text.lines().next().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

fn first(at: &str, chat: &str, waited: &str) -> (String, String, String) {
    (
        at.into(),
        chat.into(),
        format!("⏰ Клиент ждёт звонка уже {waited}"),
    )
}

fn escalation(at: &str, waited: &str) -> (String, String, String) {
    (
        at.into(),
        HEAD_CHAT.into(),
        format!("🚨 Клиенту не перезвонили за {waited}"),
    )
}

type Alerts = Vec<(String, String, String)>;

/// The alerts of a scenario run without and with a restart in each wait
/// must be the same.
fn same(plain: &Alerts, restarted: &Alerts) {
    assert_eq!(
        plain, restarted,
        "a restart during a wait changed the alerts"
    );
}

/// A WhatsApp lead answered (outgoing chat message) `answer_after`
/// minutes after it arrived, or never.
async fn whatsapp(answer_after: Option<i64>, restart: bool) -> (Alerts, Sim, i64) {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, all_sources()).await;
    let (lead, _contact) = sim.fake.add_chat_lead("Ольга", WA, "WhatsApp");
    if let Some(a) = answer_after {
        let answer = t0 + mins(a);
        sim.wait(answer, restart.then(|| t0 + mins(2))).await;
        sim.fake.add_chat_message("lead", lead, false, WA);
    }
    sim.wait(t0 + mins(60), restart.then(|| t0 + mins(15)))
        .await;
    (sim.alerts(), sim, lead)
}

#[tokio::test]
async fn whatsapp_chat_lead_answered_in_4_minutes_no_alert() {
    let (plain, sim, lead) = whatsapp(Some(4), false).await;
    assert_eq!(plain, vec![]);
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!(row.state, SlaState::Answered);
    assert_eq!(row.evidence_kind.as_deref(), Some("chat"));
    assert_eq!(row.response_ms, Some(4 * 60_000));
    assert_eq!(row.source.as_deref(), Some("chat"));
    assert_eq!(row.channel.as_deref(), Some("WhatsApp"));
    assert_eq!(row.responsible_id, Some(ids::USER_ANNA));
    let (restarted, _, _) = whatsapp(Some(4), true).await;
    same(&plain, &restarted);
}

#[tokio::test]
async fn whatsapp_unanswered_manager_at_10_head_10_after_that() {
    let (plain, sim, _) = whatsapp(None, false).await;
    assert_eq!(
        plain,
        vec![
            first("12:10:00", "700", "10 мин"),
            escalation("12:20:00", "20 мин"),
        ]
    );
    assert!(
        sim.log[0].2.contains("Откуда: WhatsApp"),
        "{}",
        sim.log[0].2
    );
    assert!(sim.log[0].2.contains("Чат: Ольга"), "{}", sim.log[0].2);
    let (restarted, _, _) = whatsapp(None, true).await;
    same(&plain, &restarted);
}

/// A Telegram lead answered at 3 minutes; the client writes again at 30
/// minutes and nobody answers.
async fn second_message(restart: bool) -> (Alerts, Sim, i64) {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, all_sources()).await;
    let (lead, _) = sim.fake.add_chat_lead("Павел", "telegram", "Telegram");
    sim.wait(t0 + mins(3), None).await;
    sim.fake.add_chat_message("lead", lead, false, "telegram");
    sim.wait(t0 + mins(30), restart.then(|| t0 + mins(20)))
        .await;
    sim.fake.add_chat_message("lead", lead, true, "telegram");
    sim.wait(t0 + mins(50), restart.then(|| t0 + mins(35)))
        .await;
    (sim.alerts(), sim, lead)
}

#[tokio::test]
async fn client_writes_again_on_an_open_lead_unanswered_alerts() {
    let (plain, sim, lead) = second_message(false).await;
    assert_eq!(plain, vec![first("12:40:00", "700", "10 мин")]);
    assert!(
        sim.log[0].2.contains("Откуда: Telegram"),
        "{}",
        sim.log[0].2
    );
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!((row.round, row.state), (1, SlaState::Breached));
    // The first round is kept for reports: answered in 3 minutes.
    let rounds = sim.journal.sla_rounds_since(0).unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].response_ms, Some(3 * 60_000));
    let (restarted, _, _) = second_message(true).await;
    same(&plain, &restarted);
}

/// A lead typed in by hand (other sources off) gets a missed call at 12:05
/// and an answered call at 12:06 on another lead.
async fn missed_call(restart: bool) -> (Alerts, Sim, i64, i64) {
    let t0 = thu_noon();
    let mut sim = Sim::new(
        t0,
        Sources {
            calls: true,
            ..Sources::default()
        },
    )
    .await;
    let lead = sim
        .fake
        .add_lead("Окна", ids::STATUS_FIRST_CONTACT, ids::USER_BORIS);
    let other = sim
        .fake
        .add_lead("Потолки", ids::STATUS_FIRST_CONTACT, ids::USER_ANNA);
    sim.wait(t0 + mins(5), None).await;
    sim.fake.add_missed_call("lead", lead);
    sim.wait(t0 + mins(6), None).await;
    sim.fake.add_incoming_call("lead", other);
    sim.wait(t0 + mins(30), restart.then(|| t0 + mins(12)))
        .await;
    (sim.alerts(), sim, lead, other)
}

#[tokio::test]
async fn missed_incoming_call_not_returned_alerts() {
    let (plain, sim, lead, other) = missed_call(false).await;
    assert_eq!(
        plain,
        vec![
            first("12:15:00", "800", "10 мин"),
            escalation("12:25:00", "20 мин"),
        ]
    );
    assert!(sim.log[0].2.contains("Откуда: звонок"), "{}", sim.log[0].2);
    assert_eq!(
        sim.journal
            .sla_row(lead)
            .unwrap()
            .unwrap()
            .source
            .as_deref(),
        Some("call")
    );
    // An answered call (a conversation) opens no clock; nor does a lead
    // typed in by hand while `other` is off.
    assert!(sim.journal.sla_row(other).unwrap().is_none());
    let (restarted, _, _, _) = missed_call(true).await;
    same(&plain, &restarted);
}

#[tokio::test]
async fn missed_call_returned_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(
        t0,
        Sources {
            calls: true,
            ..Sources::default()
        },
    )
    .await;
    let lead = sim
        .fake
        .add_lead("Окна", ids::STATUS_FIRST_CONTACT, ids::USER_BORIS);
    sim.fake.add_missed_call("lead", lead);
    sim.run_until(t0 + mins(7)).await;
    sim.fake.add_outgoing_call("lead", lead);
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(lead).unwrap().unwrap();
    assert_eq!(row.evidence_kind.as_deref(), Some("call"));
}

/// Procedure checks: a lead in «Первичный контакт» is moved at 12:00.
async fn procedure(to: i64, prepare: impl Fn(&FakeAmo, i64), restart: bool) -> (Alerts, Sim) {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, Sources::default()).await;
    let lead = sim
        .fake
        .add_lead("Замер окон", ids::STATUS_FIRST_CONTACT, ids::USER_ANNA);
    prepare(&sim.fake, lead);
    sim.fake.move_lead_status(lead, to);
    sim.wait(t0 + mins(45), restart.then(|| t0 + mins(4))).await;
    (sim.alerts(), sim)
}

#[tokio::test]
async fn thinking_without_a_task_after_15_minutes_reminds_the_manager() {
    // A note with the summary was written; no task for the next contact.
    let note = |f: &FakeAmo, lead: i64| {
        f.add_note_as(
            ids::USER_ANNA,
            "leads",
            lead,
            "common",
            serde_json::json!({"text": "Думает до пятницы, сравнивает цены"}),
        );
    };
    let (plain, sim) = procedure(ids::STATUS_THINKING, note, false).await;
    assert_eq!(
        plain,
        vec![(
            "12:15:00".to_string(),
            "700".to_string(),
            "🤔 Сделка в «Думает» уже 15 мин, но нет задачи на следующий контакт".to_string()
        )]
    );
    assert!(sim.log[0].2.contains("/leads/detail/"), "{}", sim.log[0].2);
    let (restarted, _) = procedure(ids::STATUS_THINKING, note, true).await;
    same(&plain, &restarted);
}

#[tokio::test]
async fn thinking_with_neither_note_nor_task_gets_both_reminders() {
    let (plain, _) = procedure(ids::STATUS_THINKING, |_, _| {}, false).await;
    assert_eq!(plain.len(), 2, "{plain:?}");
    assert!(plain.iter().any(|a| a.2.contains("нет примечания")));
    // With a task and a note: nothing.
    let both = |f: &FakeAmo, lead: i64| {
        f.add_open_task(lead, "Позвонить в пятницу");
    };
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, Sources::default()).await;
    let lead = sim
        .fake
        .add_lead("Замер окон", ids::STATUS_FIRST_CONTACT, ids::USER_ANNA);
    both(&sim.fake, lead);
    sim.fake.move_lead_status(lead, ids::STATUS_THINKING);
    sim.run_until(t0 + mins(5)).await;
    sim.fake.add_note_as(
        ids::USER_ANNA,
        "leads",
        lead,
        "common",
        serde_json::json!({"text": "итог"}),
    );
    sim.run_until(t0 + mins(45)).await;
    assert_eq!(sim.alerts(), vec![]);
}

#[tokio::test]
async fn trash_with_an_open_task_reminds_the_manager() {
    let task = |f: &FakeAmo, lead: i64| {
        f.add_open_task(lead, "Перезвонить");
    };
    let (plain, _) = procedure(ids::STATUS_LOST, task, false).await;
    assert_eq!(
        plain,
        vec![(
            "12:05:00".to_string(),
            "700".to_string(),
            "🗑 Сделка в «Корзина», но в ней остались открытые задачи: 1 шт.".to_string()
        )]
    );
    let (restarted, _) = procedure(ids::STATUS_LOST, task, true).await;
    same(&plain, &restarted);
    let (none, _) = procedure(ids::STATUS_LOST, |_, _| {}, false).await;
    assert_eq!(none, vec![]);
}

#[tokio::test]
async fn measurement_with_an_empty_address_reminds_the_manager() {
    let fill = |f: &FakeAmo, lead: i64| {
        f.set_lead_text_field(lead, 2105, "пятница 10:00");
    };
    let (plain, sim) = procedure(ids::STATUS_MEASUREMENT, fill, false).await;
    assert_eq!(
        plain,
        vec![(
            "12:30:00".to_string(),
            "700".to_string(),
            "📐 Сделка в «Замер», но не заполнено: Адрес объекта".to_string()
        )]
    );
    let findings = sim.journal.findings_since(0).unwrap();
    assert_eq!(findings[0].state, "found");
    let (restarted, _) = procedure(ids::STATUS_MEASUREMENT, fill, true).await;
    same(&plain, &restarted);
    let full = |f: &FakeAmo, lead: i64| {
        f.set_lead_text_field(lead, 2105, "пятница 10:00");
        f.set_lead_text_field(lead, 2103, "Тверская, 1");
    };
    let (none, _) = procedure(ids::STATUS_MEASUREMENT, full, false).await;
    assert_eq!(none, vec![]);
}

#[tokio::test]
async fn polling_costs_one_request_per_check_interval_when_nothing_happens() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, all_sources()).await;
    sim.run_until(t0 + mins(1)).await;
    sim.fake.clear_requests();
    let before = sim.watch.poll_requests();
    sim.run_until(t0 + mins(61)).await;
    let made = sim.fake.requests().len();
    assert!(made <= 60, "{made} requests in an idle hour");
    assert_eq!(sim.watch.poll_requests() - before, made as u64);
    // Every 10th poll read Unsorted instead of the events list.
    let unsorted = sim.fake.requests_to("GET", "/api/v4/leads/unsorted").len();
    assert_eq!(unsorted, 6);
    sim.fake.assert_no_spec_violations();
}
