//! The 10-minute rule end to end: journal rows → evidence via the amoCRM
//! events API → alerts over loopback Telegram/SMTP/webhook fakes.
//!
//! Time is simulated: a `ManualClock` jumps from one wake-up of the watch to
//! the next (`Sim::run_until`), so every assertion is on exact instants.
//! The amoCRM side is an in-process events/leads store behind
//! `crm::events::JsonGet` that enforces amoCRM's 10-entity-id cap and counts
//! requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amo_intake::alert::channels::{Email, EmailConfig, Telegram, Webhook, WebhookConfig};
use amo_intake::alert::{Alerter, Channel, ChannelError, Message, Templates};
use amo_intake::crm::events::{EventsEvidence, JsonGet, MAX_ENTITY_IDS};
use amo_intake::journal::Journal;
use amo_intake::journal::sla::{NewSla, SlaState};
use amo_intake::sla::calendar::{DayOverride, Span, parse_spans};
use amo_intake::sla::{Clock, ManualClock, Policy, TokioClock, Watch, WorkCalendar};
use futures::future::BoxFuture;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use support::fake_channels::{FakeSmtp, FakeTelegram, FakeWebhook, TgMessage};
use tokio_util::sync::CancellationToken;

const TZ: &str = "Europe/Moscow";
const ANNA: i64 = 7;
const BORIS: i64 = 8;
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

// ---- in-process amoCRM events/leads ------------------------------------

#[derive(Default)]
struct CrmState {
    /// (type, entity_type, entity_id, created_at seconds)
    events: Vec<(String, String, i64, i64)>,
    /// lead id → (responsible, status)
    leads: HashMap<i64, (i64, i64)>,
    event_requests: usize,
    lead_requests: usize,
    max_ids_seen: usize,
    /// amoCRM unreachable: every call fails.
    down: bool,
}

#[derive(Default)]
struct FakeCrm(Mutex<CrmState>);

impl FakeCrm {
    fn lead(&self, id: i64, responsible: i64) {
        self.0.lock().unwrap().leads.insert(id, (responsible, 1));
    }
    fn event(&self, kind: &str, entity_type: &str, id: i64, at: Timestamp) {
        self.0
            .lock()
            .unwrap()
            .events
            .push((kind.into(), entity_type.into(), id, at.as_second()));
    }
    fn reassign(&self, lead: i64, to: i64) {
        if let Some(l) = self.0.lock().unwrap().leads.get_mut(&lead) {
            l.0 = to;
        }
    }
    fn event_requests(&self) -> usize {
        self.0.lock().unwrap().event_requests
    }
}

impl JsonGet for FakeCrm {
    fn get_json<'a>(
        &'a self,
        path: &'a str,
        query: &'a [(String, String)],
    ) -> BoxFuture<'a, Result<Option<Value>, String>> {
        Box::pin(async move {
            let list = |k: &str| -> Vec<&str> {
                query
                    .iter()
                    .filter(|(qk, _)| qk == k)
                    .map(|(_, v)| v.as_str())
                    .collect()
            };
            let one = |k: &str| list(k).first().map(|s| s.to_string());
            let mut st = self.0.lock().unwrap();
            if st.down {
                return Err("HTTP 503 Service Unavailable".into());
            }
            match path {
                "/api/v4/events" => {
                    st.event_requests += 1;
                    let ids: Vec<i64> = list("filter[entity_id][]")
                        .iter()
                        .map(|s| s.parse().unwrap())
                        .collect();
                    st.max_ids_seen = st.max_ids_seen.max(ids.len());
                    if ids.len() > MAX_ENTITY_IDS {
                        return Err("HTTP 400: too many entity ids".into());
                    }
                    let entities = list("filter[entity][]");
                    let types = list("filter[type][]");
                    let from: i64 = one("filter[created_at][from]").unwrap().parse().unwrap();
                    let page: usize = one("page").unwrap_or("1".into()).parse().unwrap();
                    let limit: usize = one("limit").unwrap().parse().unwrap();
                    assert!(limit <= 100);
                    let hits: Vec<Value> = st
                        .events
                        .iter()
                        .filter(|e| {
                            entities.contains(&e.1.as_str())
                                && ids.contains(&e.2)
                                && types.contains(&e.0.as_str())
                                && e.3 >= from
                        })
                        .map(|e| {
                            json!({"type": e.0, "entity_type": e.1, "entity_id": e.2, "created_at": e.3})
                        })
                        .collect();
                    let chunk: Vec<Value> = hits
                        .iter()
                        .skip((page - 1) * limit)
                        .take(limit)
                        .cloned()
                        .collect();
                    if chunk.is_empty() {
                        return Ok(None); // HTTP 204
                    }
                    let mut body =
                        json!({"_page": page, "_embedded": {"events": chunk}, "_links": {}});
                    if hits.len() > page * limit {
                        body["_links"]["next"] =
                            json!({"href": format!("/api/v4/events?page={}", page + 1)});
                    }
                    Ok(Some(body))
                }
                "/api/v4/leads" => {
                    st.lead_requests += 1;
                    let leads: Vec<Value> = list("filter[id][]")
                        .iter()
                        .filter_map(|s| {
                            let id: i64 = s.parse().ok()?;
                            let (resp, status) = st.leads.get(&id)?;
                            Some(
                                json!({"id": id, "responsible_user_id": resp, "status_id": status}),
                            )
                        })
                        .collect();
                    Ok(Some(json!({"_embedded": {"leads": leads}})))
                }
                other => Err(format!("unexpected path {other}")),
            }
        })
    }
}

// ---- simulation harness --------------------------------------------------

fn mon_fri_policy() -> Policy {
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

struct Fakes {
    tg: FakeTelegram,
}

async fn telegram_alerter(tg: &FakeTelegram) -> Alerter {
    let chats = HashMap::from([(ANNA, "700".to_string()), (BORIS, "800".to_string())]);
    let ch: Arc<dyn Channel> = Arc::new(Telegram::new(
        &tg.api_base(),
        "123:SECRET",
        chats,
        Some(HEAD_CHAT.to_string()),
    ));
    Alerter::new(vec![ch], Templates::default(), "https://example.amocrm.ru")
}

struct Sim {
    clock: Arc<ManualClock>,
    journal: Arc<Journal>,
    crm: Arc<FakeCrm>,
    policy: Policy,
    watch: Watch,
    fakes: Fakes,
    /// Telegram messages with the simulated instant they arrived at.
    log: Vec<(Timestamp, TgMessage)>,
    seen: usize,
}

impl Sim {
    async fn new(start: Timestamp, policy: Policy) -> Sim {
        let tg = FakeTelegram::start().await;
        Self::with(
            start,
            policy,
            Arc::new(Journal::in_memory().unwrap()),
            Arc::new(FakeCrm::default()),
            tg,
        )
        .await
    }

    async fn with(
        start: Timestamp,
        policy: Policy,
        journal: Arc<Journal>,
        crm: Arc<FakeCrm>,
        tg: FakeTelegram,
    ) -> Sim {
        let clock = Arc::new(ManualClock::new(start));
        let alerter = Arc::new(telegram_alerter(&tg).await);
        let watch = Watch::new(
            journal.clone(),
            policy.clone(),
            Arc::new(EventsEvidence::new(crm.clone())),
            alerter,
            clock.clone(),
        );
        let seen = tg.messages().len();
        Sim {
            clock,
            journal,
            crm,
            policy,
            watch,
            fakes: Fakes { tg },
            log: Vec::new(),
            seen,
        }
    }

    /// Opens an SLA row as delivery would; returns the deadline.
    fn open(&self, lead: i64, contact: Option<i64>, manager: i64, arrival: Timestamp) -> Timestamp {
        let deadline = self.policy.deadline(arrival, None);
        self.crm.lead(lead, manager);
        self.journal
            .sla_open(&NewSla {
                lead_id: lead,
                contact_id: contact,
                responsible_id: Some(manager),
                mail_id: None,
                arrival,
                deadline,
                client_name: Some("Ирина Петрова".into()),
                phone: Some("+79161234567".into()),
                asked: Some("Замер: пластиковые окна".into()),
                kind: Some("measurement".into()),
                ..Default::default()
            })
            .unwrap();
        deadline
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Runs every wake-up of the watch up to (not including) `t`, then sets
    /// the clock to `t`.
    async fn run_until(&mut self, t: Timestamp) {
        let mut guard = 0;
        loop {
            let r = self.watch.tick().await.unwrap();
            let msgs = self.fakes.tg.messages();
            for m in &msgs[self.seen..] {
                self.log.push((self.clock.now(), m.clone()));
            }
            self.seen = msgs.len();
            let next = r.next_wake.unwrap();
            assert!(next > self.now(), "the watch must move forward");
            if next >= t {
                self.clock.set(t);
                return;
            }
            self.clock.set(next);
            guard += 1;
            assert!(guard < 100_000, "runaway simulation");
        }
    }

    /// (local time, chat id, first line) of every alert delivered so far.
    fn alerts(&self) -> Vec<(String, String, String)> {
        self.log
            .iter()
            .map(|(t, m)| {
                (
                    local(*t),
                    m.chat_id.clone(),
                    m.text.lines().next().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

// Thursday 2026-11-26, 12:00 Moscow time: inside working hours.
fn thu_noon() -> Timestamp {
    msk("2026-11-26T12:00:00")
}

fn first(at: &str, chat: &str, waited: &str) -> (String, String, String) {
    (
        at.to_string(),
        chat.to_string(),
        format!("⏰ Клиент ждёт звонка уже {waited}"),
    )
}

fn escalation(at: &str, waited: &str) -> (String, String, String) {
    (
        at.to_string(),
        HEAD_CHAT.to_string(),
        format!("🚨 Клиенту не перезвонили за {waited}"),
    )
}

#[tokio::test]
async fn called_at_3_min_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(3)).await;
    sim.crm.event("outgoing_call", "lead", 1, sim.now());
    sim.run_until(t0 + mins(60)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(row.state, SlaState::Answered);
    assert_eq!(row.evidence_kind.as_deref(), Some("call"));
    assert_eq!(row.response_ms, Some(180_000));
    assert_eq!(row.late, Some(false));
    // Checked only from one minute before the deadline, not every minute.
    assert_eq!(sim.crm.event_requests(), 1);
}

#[tokio::test]
async fn called_at_12_min_one_alert_at_10_escalation_cancelled() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(12)).await;
    assert_eq!(
        sim.alerts(),
        vec![first("Thu 2026-11-26 12:10:00", "700", "10 мин")]
    );
    let text = &sim.log[0].1.text;
    assert!(text.contains("Ирина Петрова, +79161234567"), "{text}");
    assert!(text.contains("Замер: пластиковые окна"), "{text}");
    assert!(
        text.contains("https://example.amocrm.ru/leads/detail/1"),
        "{text}"
    );
    assert_eq!(sim.log[0].1.token, "123:SECRET");
    sim.crm.event("outgoing_call", "lead", 1, sim.now());
    sim.run_until(t0 + mins(60)).await;
    assert_eq!(
        sim.alerts(),
        vec![first("Thu 2026-11-26 12:10:00", "700", "10 мин")]
    );
    let row = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(row.state, SlaState::Answered);
    assert_eq!(row.response_ms, Some(12 * 60_000));
    assert_eq!(row.late, Some(true));
}

#[tokio::test]
async fn no_callback_escalates_to_head_after_10_more_minutes() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(90)).await;
    assert_eq!(
        sim.alerts(),
        vec![
            first("Thu 2026-11-26 12:10:00", "700", "10 мин"),
            escalation("Thu 2026-11-26 12:20:00", "20 мин"),
        ]
    );
}

#[tokio::test]
async fn status_moved_at_5_min_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(5)).await;
    sim.crm.event("lead_status_changed", "lead", 1, sim.now());
    sim.run_until(t0 + mins(60)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(row.evidence_kind.as_deref(), Some("status"));
}

#[tokio::test]
async fn task_completed_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(7)).await;
    sim.crm.event("task_completed", "lead", 1, sim.now());
    sim.run_until(t0 + mins(60)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(row.evidence_kind.as_deref(), Some("task"));
}

#[tokio::test]
async fn evidence_only_on_the_contact_no_alert() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    // A different lead with the same number as contact id is not evidence.
    sim.run_until(t0 + mins(4)).await;
    sim.crm.event("outgoing_call", "lead", 101, sim.now());
    sim.crm
        .event("outgoing_call", "contact", 101, sim.now() + mins(1));
    sim.run_until(t0 + mins(60)).await;
    assert_eq!(sim.alerts(), vec![]);
    let row = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(row.response_ms, Some(5 * 60_000));
}

#[tokio::test]
async fn disabled_evidence_kind_does_not_count() {
    let t0 = thu_noon();
    let mut policy = mon_fri_policy();
    policy.evidence = amo_intake::sla::EvidenceSet::none();
    policy.evidence.insert(amo_intake::sla::EvidenceKind::Call);
    let mut sim = Sim::new(t0, policy).await;
    sim.open(1, None, ANNA, t0);
    sim.run_until(t0 + mins(5)).await;
    sim.crm.event("lead_status_changed", "lead", 1, sim.now());
    sim.run_until(t0 + mins(11)).await;
    assert_eq!(
        sim.alerts(),
        vec![first("Thu 2026-11-26 12:10:00", "700", "10 мин")]
    );
}

#[tokio::test]
async fn friday_2340_alerts_monday_0910_not_before() {
    let t0 = msk("2026-11-27T23:40:00");
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    let deadline = sim.open(1, Some(101), ANNA, t0);
    assert_eq!(local(deadline), "Mon 2026-11-30 09:10:00");
    sim.run_until(msk("2026-11-30T09:08:59")).await;
    // Nobody asked amoCRM over the weekend.
    assert_eq!(sim.crm.event_requests(), 0);
    sim.run_until(msk("2026-11-30T09:09:59")).await;
    // One look a minute ahead of the deadline, no alert yet.
    assert_eq!(sim.crm.event_requests(), 1);
    assert_eq!(sim.alerts(), vec![]);
    sim.run_until(msk("2026-11-30T09:30:00")).await;
    assert_eq!(
        sim.alerts(),
        vec![
            first("Mon 2026-11-30 09:10:00", "700", "2 д 9 ч"),
            escalation("Mon 2026-11-30 09:20:00", "2 д 9 ч"),
        ]
    );
}

#[tokio::test]
async fn holiday_moves_the_deadline() {
    let t0 = msk("2026-11-27T23:40:00");
    let mut policy = mon_fri_policy();
    let mut days = std::collections::BTreeMap::new();
    days.insert("2026-11-30".parse().unwrap(), DayOverride::Off);
    policy.calendar = policy.calendar.clone().with_days(days);
    let mut sim = Sim::new(t0, policy).await;
    let deadline = sim.open(1, None, ANNA, t0);
    assert_eq!(local(deadline), "Tue 2026-12-01 09:10:00");
    sim.run_until(msk("2026-12-01T09:15:00")).await;
    assert_eq!(
        sim.alerts(),
        vec![first("Tue 2026-12-01 09:10:00", "700", "3 д 9 ч")]
    );
}

#[tokio::test]
async fn five_minutes_before_closing_alerts_five_after_opening() {
    let t0 = msk("2026-11-26T18:55:00");
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    let deadline = sim.open(1, None, ANNA, t0);
    assert_eq!(local(deadline), "Fri 2026-11-27 09:05:00");
    sim.run_until(msk("2026-11-27T09:06:00")).await;
    assert_eq!(
        sim.alerts(),
        vec![first("Fri 2026-11-27 09:05:00", "700", "14 ч 10 мин")]
    );
}

#[tokio::test]
async fn restart_mid_wait_alerts_once_and_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let t0 = thu_noon();
    let crm = Arc::new(FakeCrm::default());
    let tg = FakeTelegram::start().await;
    let mut log = Vec::new();

    // First daemon: runs 5 minutes, then stops.
    {
        let journal = Arc::new(Journal::open(&path).unwrap());
        let mut sim = Sim::with(t0, mon_fri_policy(), journal, crm.clone(), tg.clone()).await;
        sim.open(1, Some(101), ANNA, t0);
        sim.run_until(t0 + mins(5)).await;
        log.extend(sim.alerts());
    }
    // Second daemon: a new Watch on the same state file, stopped right
    // after the first alert went out.
    {
        let journal = Arc::new(Journal::open(&path).unwrap());
        let mut sim = Sim::with(
            t0 + mins(5),
            mon_fri_policy(),
            journal,
            crm.clone(),
            tg.clone(),
        )
        .await;
        sim.run_until(t0 + mins(10) + SignedDuration::from_secs(1))
            .await;
        log.extend(sim.alerts());
    }
    // Third daemon: continues to the escalation.
    {
        let journal = Arc::new(Journal::open(&path).unwrap());
        let mut sim = Sim::with(
            t0 + mins(10) + SignedDuration::from_secs(1),
            mon_fri_policy(),
            journal,
            crm.clone(),
            tg.clone(),
        )
        .await;
        sim.run_until(t0 + mins(60)).await;
        log.extend(sim.alerts());
    }
    assert_eq!(
        log,
        vec![
            first("Thu 2026-11-26 12:10:00", "700", "10 мин"),
            escalation("Thu 2026-11-26 12:20:00", "20 мин"),
        ]
    );
    assert_eq!(tg.messages().len(), 2);
}

#[tokio::test]
async fn reassigned_before_deadline_alerts_the_new_manager() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(4)).await;
    sim.crm.reassign(1, BORIS);
    sim.run_until(t0 + mins(15)).await;
    assert_eq!(
        sim.alerts(),
        vec![first("Thu 2026-11-26 12:10:00", "800", "10 мин")]
    );
    assert_eq!(
        sim.journal.sla_row(1).unwrap().unwrap().responsible_id,
        Some(BORIS)
    );
}

#[tokio::test]
async fn telegram_down_for_5_minutes_delivers_once_afterwards() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(9)).await;
    sim.fakes.tg.set_down(true);
    sim.run_until(t0 + mins(15)).await;
    assert_eq!(sim.alerts(), vec![]);
    sim.fakes.tg.set_down(false);
    sim.run_until(t0 + mins(19)).await;
    // Tries at 10:00, 10:15, 10:45, 11:45, 13:45 fail (backoff 15 s
    // doubling, capped at 2 min); 15:45 succeeds.
    assert_eq!(sim.fakes.tg.refused(), 5);
    // The text is the one journalled at the deadline: retries resend it unchanged.
    assert_eq!(
        sim.alerts(),
        vec![first("Thu 2026-11-26 12:15:45", "700", "10 мин")]
    );
    let alerts = sim.journal.alerts_for(Some(1)).unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].attempts, 6);
    assert_eq!(alerts[0].last_error, None);
}

#[tokio::test]
async fn five_hundred_leads_batched_event_queries() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    for i in 0..500 {
        let manager = if i % 2 == 0 { ANNA } else { BORIS };
        sim.open(1000 + i, Some(5000 + i), manager, t0);
    }
    sim.run_until(t0 + mins(5)).await;
    // Every lead divisible by 4 gets a call (125 leads) on its contact.
    for i in (0..500).step_by(4) {
        sim.crm
            .event("outgoing_call", "contact", 5000 + i, sim.now());
    }
    sim.run_until(t0 + mins(9)).await;
    assert_eq!(sim.crm.event_requests(), 0);
    sim.run_until(t0 + mins(9) + SignedDuration::from_secs(1))
        .await;
    // One round: 500 leads + 500 contacts, 10 ids per call.
    assert_eq!(sim.crm.event_requests(), 100);
    assert_eq!(sim.crm.0.lock().unwrap().max_ids_seen, MAX_ENTITY_IDS);
    sim.run_until(t0 + mins(11)).await;
    // A second round at the deadline for the 375 still open.
    assert_eq!(sim.crm.event_requests(), 100 + 75);
    let alerts = sim.alerts();
    assert_eq!(alerts.len(), 375);
    assert!(alerts.iter().all(|a| a.0 == "Thu 2026-11-26 12:10:00"));
    assert_eq!(alerts.iter().filter(|a| a.1 == "700").count(), 125);
    assert_eq!(alerts.iter().filter(|a| a.1 == "800").count(), 250);
    // Responsible users were re-read in batches of 250, not one by one.
    assert_eq!(sim.crm.0.lock().unwrap().lead_requests, 2);
}

#[tokio::test]
async fn email_and_webhook_get_the_same_ladder() {
    let t0 = thu_noon();
    let tg = FakeTelegram::start().await;
    let smtp = FakeSmtp::start().await;
    let hook = FakeWebhook::start().await;
    let mut to = HashMap::new();
    to.insert(
        ANNA.to_string(),
        toml::Value::String("anna@example.ru".into()),
    );
    let email = Email::from_config(EmailConfig {
        host: smtp.host(),
        port: Some(smtp.port()),
        tls: "none".into(),
        user: None,
        password_file: None,
        from: "amo-intake <robot@example.ru>".into(),
        to,
        head_to: Some("head@example.ru".into()),
    })
    .unwrap();
    let chats = HashMap::from([(ANNA, "700".to_string())]);
    let channels: Vec<Arc<dyn Channel>> = vec![
        Arc::new(Telegram::new(
            &tg.api_base(),
            "t",
            chats,
            Some(HEAD_CHAT.into()),
        )),
        Arc::new(email),
        Arc::new(Webhook::new(WebhookConfig { url: hook.url() })),
    ];
    let journal = Arc::new(Journal::in_memory().unwrap());
    let crm = Arc::new(FakeCrm::default());
    let clock = Arc::new(ManualClock::new(t0));
    let policy = mon_fri_policy();
    let watch = Watch::new(
        journal.clone(),
        policy.clone(),
        Arc::new(EventsEvidence::new(crm.clone())),
        Arc::new(Alerter::new(
            channels,
            Templates::default(),
            "https://example.amocrm.ru",
        )),
        clock.clone(),
    );
    crm.lead(9, ANNA);
    journal
        .sla_open(&NewSla {
            lead_id: 9,
            contact_id: None,
            responsible_id: Some(ANNA),
            mail_id: None,
            arrival: t0,
            deadline: policy.deadline(t0, None),
            client_name: Some("Олег".into()),
            phone: None,
            asked: None,
            kind: None,
            ..Default::default()
        })
        .unwrap();
    let end = t0 + mins(25);
    loop {
        let r = watch.tick().await.unwrap();
        let next = r.next_wake.unwrap();
        if next >= end {
            break;
        }
        clock.set(next);
    }
    let tg_chats: Vec<String> = tg.messages().iter().map(|m| m.chat_id.clone()).collect();
    assert_eq!(tg_chats, vec!["700", HEAD_CHAT]);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].to, vec!["anna@example.ru"]);
    assert_eq!(mails[1].to, vec!["head@example.ru"]);
    assert_eq!(mails[0].from, "robot@example.ru");
    assert!(mails[0].data.contains("Subject:"), "{}", mails[0].data);
    let hooks = hook.received();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0]["recipient"], "manager:7");
    assert_eq!(hooks[0]["alert"], "first");
    assert_eq!(hooks[0]["lead_id"], 9);
    assert_eq!(hooks[0]["link"], "https://example.amocrm.ru/leads/detail/9");
    assert_eq!(hooks[1]["recipient"], "head");
    assert_eq!(hooks[1]["alert"], "escalation");
    // One idempotency key per alert, the same in the header and the body.
    assert_eq!(
        hooks[0]["_header_idempotency_key"],
        "amo-intake-sla-9-first-0-webhook-manager:7"
    );
    assert_eq!(
        hooks[1]["_header_idempotency_key"],
        "amo-intake-sla-9-escalation-0-webhook-head"
    );
    let sent: Vec<(String, String)> = journal
        .alerts_for(Some(9))
        .unwrap()
        .iter()
        .map(|a| {
            (
                a.channel.clone(),
                local(Timestamp::from_millisecond(a.sent_ms.unwrap()).unwrap()),
            )
        })
        .collect();
    assert_eq!(sent.len(), 6);
    assert!(
        sent[..3].iter().all(|s| s.1 == "Thu 2026-11-26 12:10:00"),
        "{sent:?}"
    );
    assert!(
        sent[3..].iter().all(|s| s.1 == "Thu 2026-11-26 12:20:00"),
        "{sent:?}"
    );
}

#[tokio::test]
async fn unknown_manager_alert_goes_to_head() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, None, 999, t0);
    sim.run_until(t0 + mins(11)).await;
    assert_eq!(
        sim.alerts(),
        vec![first("Thu 2026-11-26 12:10:00", HEAD_CHAT, "10 мин")]
    );
}

// ---- the run loop on tokio's paused clock --------------------------------

/// Records alerts with the watch's clock time (in-process, no I/O, so
/// tokio's paused clock can auto-advance safely).
struct Recorder {
    clock: Arc<dyn Clock>,
    got: Mutex<Vec<(Timestamp, String)>>,
}

impl Channel for Recorder {
    fn name(&self) -> &str {
        "telegram"
    }
    fn manager_route(&self, user_id: i64) -> Option<String> {
        Some(format!("m{user_id}"))
    }
    fn head_route(&self) -> Option<String> {
        Some("head".into())
    }
    fn send<'a>(
        &'a self,
        recipient: &'a str,
        _m: &'a Message,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            self.got
                .lock()
                .unwrap()
                .push((self.clock.now(), recipient.to_string()));
            Ok(())
        })
    }
}

#[tokio::test(start_paused = true)]
async fn run_loop_on_paused_tokio_clock() {
    let t0 = thu_noon();
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(t0));
    let rec = Arc::new(Recorder {
        clock: clock.clone(),
        got: Mutex::new(Vec::new()),
    });
    let journal = Arc::new(Journal::in_memory().unwrap());
    let crm = Arc::new(FakeCrm::default());
    let policy = mon_fri_policy();
    crm.lead(1, ANNA);
    crm.lead(2, ANNA);
    for (lead, arrival) in [(1, t0), (2, t0 + mins(3))] {
        journal
            .sla_open(&NewSla {
                lead_id: lead,
                contact_id: None,
                responsible_id: Some(ANNA),
                mail_id: None,
                arrival,
                deadline: policy.deadline(arrival, None),
                client_name: None,
                phone: None,
                asked: None,
                kind: None,
                ..Default::default()
            })
            .unwrap();
    }
    // Lead 2 is called back at 6 minutes after t0.
    crm.event("outgoing_call", "lead", 2, t0 + mins(6));
    let watch = Watch::new(
        journal.clone(),
        policy,
        Arc::new(EventsEvidence::new(crm.clone())),
        Arc::new(Alerter::new(vec![rec.clone()], Templates::default(), "")),
        clock.clone(),
    );
    let stop = CancellationToken::new();
    let task = tokio::spawn(watch.run(stop.clone()));
    tokio::time::sleep(Duration::from_secs(30 * 60)).await;
    stop.cancel();
    task.await.unwrap();
    let got: Vec<(String, String)> = rec
        .got
        .lock()
        .unwrap()
        .iter()
        .map(|(t, r)| (local(*t), r.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Thu 2026-11-26 12:10:00".to_string(), "m7".to_string()),
            ("Thu 2026-11-26 12:20:00".to_string(), "head".to_string()),
        ]
    );
    assert_eq!(
        journal.sla_row(2).unwrap().unwrap().state,
        SlaState::Answered
    );
}

#[tokio::test]
async fn reminders_repeat_until_the_cap() {
    let t0 = thu_noon();
    let mut policy = mon_fri_policy();
    policy.remind_every = Some(Duration::from_secs(15 * 60));
    policy.max_reminders = 2;
    let mut sim = Sim::new(t0, policy).await;
    sim.open(1, None, ANNA, t0);
    sim.run_until(t0 + mins(120)).await;
    let reminder = |at: &str, waited: &str| {
        (
            at.to_string(),
            "700".to_string(),
            format!("⏰ Напоминание: клиент всё ещё ждёт звонка, {waited}"),
        )
    };
    assert_eq!(
        sim.alerts(),
        vec![
            first("Thu 2026-11-26 12:10:00", "700", "10 мин"),
            escalation("Thu 2026-11-26 12:20:00", "20 мин"),
            reminder("Thu 2026-11-26 12:25:00", "25 мин"),
            reminder("Thu 2026-11-26 12:40:00", "40 мин"),
        ]
    );
}

#[tokio::test]
async fn amocrm_down_at_the_deadline_alerts_after_a_grace_period() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, None, ANNA, t0);
    sim.run_until(t0 + mins(8)).await;
    sim.crm.0.lock().unwrap().down = true;
    sim.run_until(t0 + mins(11)).await;
    // No blind alert at once: evidence may exist but cannot be read.
    assert_eq!(sim.alerts(), vec![]);
    sim.run_until(t0 + mins(13)).await;
    // After two check intervals the alert goes out with the stored manager.
    assert_eq!(
        sim.alerts(),
        vec![first("Thu 2026-11-26 12:12:00", "700", "12 мин")]
    );
    sim.crm.0.lock().unwrap().down = false;
    sim.crm.event("outgoing_call", "lead", 1, sim.now());
    sim.run_until(t0 + mins(40)).await;
    assert_eq!(sim.alerts().len(), 1, "escalation cancelled by the call");
}

#[tokio::test]
async fn daily_digest_to_the_head_once_a_day() {
    let t0 = msk("2026-11-26T18:00:00");
    let mut policy = mon_fri_policy();
    policy.digest_at = Some(19 * 60 + 30);
    let mut sim = Sim::new(t0, policy).await;
    sim.open(1, None, ANNA, t0);
    sim.open(2, None, BORIS, t0 + mins(10));
    sim.run_until(t0 + mins(5)).await;
    sim.crm.event("outgoing_call", "lead", 1, sim.now());
    sim.run_until(msk("2026-11-27T19:31:00")).await;
    let digests: Vec<(String, String, String)> = sim
        .alerts()
        .into_iter()
        .filter(|a| a.2.starts_with("📊"))
        .collect();
    assert_eq!(
        digests,
        vec![
            (
                "Thu 2026-11-26 19:30:00".to_string(),
                HEAD_CHAT.to_string(),
                "📊 Заявки с сайта за 26.11.2026: 2".to_string()
            ),
            (
                "Fri 2026-11-27 19:30:00".to_string(),
                HEAD_CHAT.to_string(),
                "📊 Заявки с сайта за 27.11.2026: 0".to_string()
            ),
        ]
    );
    let text = &sim
        .log
        .iter()
        .find(|(_, m)| m.text.starts_with("📊"))
        .unwrap()
        .1
        .text;
    assert!(
        text.contains("Перезвонили: 1 (из них с опозданием: 0)"),
        "{text}"
    );
    assert!(
        text.contains("Без звонка после срока: 1, ждут: 0"),
        "{text}"
    );
    assert!(text.contains("медиана 5 мин"), "{text}");
}

#[tokio::test]
async fn never_called_checks_slow_down_late_call_still_closes_then_expires() {
    let t0 = thu_noon();
    let mut policy = mon_fri_policy();
    policy.calendar = WorkCalendar::around_the_clock(TimeZone::get(TZ).unwrap());
    let mut sim = Sim::new(t0, policy).await;
    sim.open(1, None, ANNA, t0);
    sim.run_until(t0 + mins(120)).await;
    let before = sim.crm.event_requests();
    sim.run_until(t0 + mins(180)).await;
    // An hour past the deadline: one look every 10 minutes, not every minute.
    assert_eq!(sim.crm.event_requests() - before, 6);
    sim.crm.event("outgoing_call", "lead", 1, sim.now());
    sim.run_until(t0 + mins(191)).await;
    let row = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(row.state, SlaState::Answered);
    assert_eq!(row.response_ms, Some(180 * 60_000));
    assert_eq!(sim.alerts().len(), 2);

    sim.open(2, None, ANNA, t0 + mins(200));
    sim.run_until(t0 + mins(200) + SignedDuration::from_hours(24 * 8))
        .await;
    assert_eq!(
        sim.journal.sla_row(2).unwrap().unwrap().state,
        SlaState::Closed
    );
    assert_eq!(sim.alerts().len(), 4);
}

#[tokio::test]
async fn a_down_channel_is_tried_once_per_pass_then_everything_is_delivered() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    for lead in 1..=20 {
        sim.open(lead, None, ANNA, t0);
    }
    sim.run_until(t0 + mins(9)).await;
    sim.fakes.tg.set_down(true);
    sim.run_until(t0 + mins(12)).await;
    // Passes at 10:00, 10:15, 10:45, 11:45: one refused request each, not 20.
    assert_eq!(sim.fakes.tg.refused(), 4);
    sim.fakes.tg.set_down(false);
    sim.run_until(t0 + mins(19)).await;
    let alerts = sim.alerts();
    assert_eq!(alerts.len(), 20);
    assert!(
        alerts.iter().all(|a| a.0 == "Thu 2026-11-26 12:13:45"),
        "{alerts:?}"
    );
    let rows = sim.journal.alerts_for(None).unwrap();
    assert_eq!(rows.iter().filter(|a| a.attempts == 5).count(), 1);
    assert_eq!(rows.iter().filter(|a| a.attempts == 1).count(), 19);
}

// ---- issue 12: the clock faults ------------------------------------------

#[tokio::test]
async fn escalation_counts_from_when_the_manager_alert_went_out_after_an_outage() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    sim.open(1, Some(101), ANNA, t0);
    sim.run_until(t0 + mins(9)).await;
    sim.fakes.tg.set_down(true);
    sim.run_until(t0 + mins(30)).await;
    assert_eq!(sim.alerts(), vec![]);
    sim.fakes.tg.set_down(false);
    sim.run_until(t0 + mins(60)).await;
    // Retries every 2 minutes once backed off: the manager's alert goes out
    // at 12:31:45, the head hears 10 minutes after that, not at once.
    assert_eq!(
        sim.alerts(),
        vec![
            first("Thu 2026-11-26 12:31:45", "700", "10 мин"),
            escalation("Thu 2026-11-26 12:41:45", "42 мин"),
        ]
    );
    let row = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(
        row.first_sent_ms,
        Some((t0 + mins(31) + SignedDuration::from_secs(45)).as_millisecond())
    );
}

#[tokio::test]
async fn restart_across_the_deadline_escalates_after_the_late_alert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let t0 = thu_noon();
    let crm = Arc::new(FakeCrm::default());
    let tg = FakeTelegram::start().await;
    let mut log = Vec::new();
    {
        let journal = Arc::new(Journal::open(&path).unwrap());
        let mut sim = Sim::with(t0, mon_fri_policy(), journal, crm.clone(), tg.clone()).await;
        sim.open(1, Some(101), ANNA, t0);
        sim.run_until(t0 + mins(5)).await;
        log.extend(sim.alerts());
    }
    // The daemon is down from 12:05 to 12:30, across the deadline and the
    // instant the escalation would have been due.
    {
        let journal = Arc::new(Journal::open(&path).unwrap());
        let mut sim = Sim::with(
            t0 + mins(30),
            mon_fri_policy(),
            journal,
            crm.clone(),
            tg.clone(),
        )
        .await;
        sim.run_until(t0 + mins(60)).await;
        log.extend(sim.alerts());
    }
    assert_eq!(
        log,
        vec![
            first("Thu 2026-11-26 12:30:00", "700", "30 мин"),
            escalation("Thu 2026-11-26 12:40:00", "40 мин"),
        ]
    );
}

#[tokio::test]
async fn answered_in_time_still_names_the_responsible_manager() {
    let t0 = thu_noon();
    let mut sim = Sim::new(t0, mon_fri_policy()).await;
    // Delivery does not know who amoCRM made responsible.
    sim.crm.lead(1, BORIS);
    sim.journal
        .sla_open(&NewSla {
            lead_id: 1,
            arrival: t0,
            deadline: sim.policy.deadline(t0, None),
            ..Default::default()
        })
        .unwrap();
    sim.run_until(t0 + mins(3)).await;
    sim.crm.event("outgoing_call", "lead", 1, sim.now());
    sim.run_until(t0 + mins(60)).await;
    assert_eq!(sim.alerts(), vec![]);
    let rows = sim.journal.sla_rows_since(0).unwrap();
    assert_eq!(rows[0].state, SlaState::Answered);
    assert_eq!(rows[0].responsible_id, Some(BORIS));
    let by = amo_intake::sla::report::by_manager(&rows, t0.as_millisecond());
    assert_eq!(by.keys().copied().collect::<Vec<_>>(), vec![Some(BORIS)]);
}

#[tokio::test(start_paused = true)]
async fn a_delivered_lead_opens_its_clock_at_once_not_on_the_next_tick() {
    use amo_intake::journal::outbox::NewRequest;
    use amo_intake::request::{Action, Request};
    let t0 = thu_noon();
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(t0));
    let journal = Arc::new(Journal::in_memory().unwrap());
    let crm = Arc::new(FakeCrm::default());
    let mut policy = mon_fri_policy();
    policy.check_interval = Duration::from_secs(300);
    let tg = FakeTelegram::start().await;
    let watch = Watch::new(
        journal.clone(),
        policy,
        Arc::new(EventsEvidence::new(crm.clone())),
        Arc::new(telegram_alerter(&tg).await),
        clock.clone(),
    );
    let stop = CancellationToken::new();
    let task = tokio::spawn(watch.run(stop.clone()));
    tokio::time::sleep(Duration::from_secs(10)).await;
    let request = Request {
        action: Action::Lead,
        name: Some("Ольга".into()),
        ..Request::default()
    };
    let e = journal
        .enqueue_request(&NewRequest {
            mail_id: None,
            key: "k1",
            request: &request,
            spec: &amo_intake::rules::CrmSpec::default(),
            rule_set: "t",
            received_at_ms: clock.now().as_millisecond(),
            deadline_ms: None,
        })
        .unwrap();
    journal.mark_sending(&[e.request_id]).unwrap();
    journal.mark_sent(e.request_id, 900, None, None).unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let row = journal.sla_row(900).unwrap();
    stop.cancel();
    task.await.unwrap();
    let row = row.expect("clock opened within a second of delivery");
    assert_eq!(
        row.arrival_ms,
        (t0 + SignedDuration::from_secs(10)).as_millisecond()
    );
    assert_eq!(row.source.as_deref(), Some("mail"));
}

#[tokio::test]
async fn a_crash_after_the_webhook_accepted_repeats_the_alert_with_the_same_key() {
    let t0 = thu_noon();
    let hook = FakeWebhook::start().await;
    let channels: Vec<Arc<dyn Channel>> =
        vec![Arc::new(Webhook::new(WebhookConfig { url: hook.url() }))];
    let alerter = Alerter::new(channels, Templates::default(), "");
    let journal = Journal::in_memory().unwrap();
    journal
        .sla_open(&NewSla {
            lead_id: 5,
            responsible_id: Some(ANNA),
            arrival: t0,
            deadline: t0 + mins(10),
            ..Default::default()
        })
        .unwrap();
    let row = journal.sla_row(5).unwrap().unwrap();
    let plan = alerter.plan(
        &row,
        amo_intake::journal::sla::AlertKind::First,
        0,
        t0 + mins(10),
    );
    journal
        .sla_plan_alerts(5, amo_intake::journal::sla::AlertKind::First, 0, 0, &plan)
        .unwrap();
    let pending = journal.alerts_pending(i64::MAX).unwrap();
    // Sent, then the process dies before `alert_sent`: the next daemon
    // sends it again (at-least-once), with the same key.
    alerter.deliver(&pending[0]).await.unwrap();
    let again = journal.alerts_pending(i64::MAX).unwrap();
    assert_eq!(again.len(), 1);
    alerter.deliver(&again[0]).await.unwrap();
    let got = hook.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0]["_header_idempotency_key"],
        got[1]["_header_idempotency_key"]
    );
}

#[tokio::test]
async fn review_request_without_call_task_closes_on_accept_from_unsorted() {
    // Only the call task counts for ordinary leads; review leads get no
    // call task, so accepting them from Unsorted (a stage change) counts.
    let t0 = thu_noon();
    let mut policy = mon_fri_policy();
    policy.evidence = amo_intake::sla::EvidenceSet::none();
    policy.evidence.insert(amo_intake::sla::EvidenceKind::Task);
    let mut sim = Sim::new(t0, policy).await;
    for (lead, action) in [(1, "review"), (2, "lead")] {
        sim.crm.lead(lead, ANNA);
        sim.journal
            .sla_open(&NewSla {
                lead_id: lead,
                responsible_id: Some(ANNA),
                arrival: t0,
                deadline: sim.policy.deadline(t0, None),
                action: Some(action.into()),
                ..Default::default()
            })
            .unwrap();
    }
    sim.run_until(t0 + mins(4)).await;
    sim.crm.event("lead_status_changed", "lead", 1, sim.now());
    sim.crm.event("lead_status_changed", "lead", 2, sim.now());
    sim.run_until(t0 + mins(11)).await;
    let r1 = sim.journal.sla_row(1).unwrap().unwrap();
    assert_eq!(
        (r1.state, r1.evidence_kind.as_deref()),
        (SlaState::Answered, Some("status"))
    );
    // The ordinary lead still waits for its task: one alert, about lead 2.
    assert_eq!(
        sim.journal.sla_row(2).unwrap().unwrap().state,
        SlaState::Breached
    );
    assert_eq!(sim.alerts().len(), 1);
}

/// The daily digest carries the head of sales' report page (the seven days
/// up to that day, as `report --html` draws it) where the channel can take
/// a file: email attaches it, the text stays the body.
#[tokio::test]
async fn the_email_digest_attaches_the_report_page() {
    let t0 = msk("2026-11-26T18:00:00");
    let smtp = FakeSmtp::start().await;
    let email = Email::from_config(EmailConfig {
        host: smtp.host(),
        port: Some(smtp.port()),
        tls: "none".into(),
        user: None,
        password_file: None,
        from: "amo-intake <robot@example.ru>".into(),
        to: HashMap::new(),
        head_to: Some("head@example.ru".into()),
    })
    .unwrap();
    let channels: Vec<Arc<dyn Channel>> = vec![Arc::new(email)];
    let journal = Arc::new(Journal::in_memory().unwrap());
    let crm = Arc::new(FakeCrm::default());
    let clock = Arc::new(ManualClock::new(t0));
    let mut policy = mon_fri_policy();
    policy.digest_at = Some(19 * 60 + 30);
    let watch = Watch::new(
        journal.clone(),
        policy.clone(),
        Arc::new(EventsEvidence::new(crm.clone())),
        Arc::new(Alerter::new(
            channels,
            Templates::default(),
            "https://example.amocrm.ru",
        )),
        clock.clone(),
    );
    crm.lead(5, ANNA);
    journal
        .sla_open(&NewSla {
            lead_id: 5,
            contact_id: None,
            responsible_id: Some(ANNA),
            mail_id: None,
            arrival: t0,
            deadline: policy.deadline(t0, None),
            client_name: Some("Олег".into()),
            ..Default::default()
        })
        .unwrap();
    let end = msk("2026-11-26T19:31:00");
    loop {
        let r = watch.tick().await.unwrap();
        let next = r.next_wake.unwrap();
        if next >= end {
            break;
        }
        clock.set(next);
    }
    let mails = smtp.mails();
    let digest = mails
        .iter()
        .find(|m| m.data.contains("amo-intake-report-2026-11-26.html"))
        .unwrap_or_else(|| panic!("no digest with the report attached: {mails:?}"));
    assert_eq!(digest.to, vec!["head@example.ru"]);
    assert!(digest.data.contains("multipart/mixed"), "{}", digest.data);
    assert!(
        digest.data.contains("Content-Disposition: attachment"),
        "{}",
        digest.data
    );
    // The page itself: its title names the week, and it holds the chart.
    assert!(digest.data.contains("<svg"), "{}", digest.data);
    assert!(digest.data.contains("20.11.2026"), "{}", digest.data);
    assert!(digest.data.contains("26.11.2026"), "{}", digest.data);
}
