//! An in-process fake amoCRM for tests and benchmarks.
//!
//! `FakeAmo::start` binds 127.0.0.1:0 and serves from its own thread with its
//! own tokio runtime, so it works from sync tests, from async tests with
//! paused time, and for a spawned daemon process. Dropping it shuts it down.
//!
//! Request pipeline (per request, in this order): record → sliding-window rate
//! limit (429, not executed) → injected fault → bearer auth → JSON parse and
//! validation against tests/vendor/amocrm-openapi (openapi.json + spec-errata.json) →
//! by-hand checks (the spec's "too loose" cases, unknown ids) → execute.
//!
//! Shared state: one std `Mutex<State>` (no `.await` while held).
//!
//! ```ignore
//! let fake = FakeAmo::start(FakeOptions::default());          // 7 req/s like amoCRM
//! // config: [amocrm] base_url = fake.base_url(), token = fake.long_lived_token()
//! fake.inject(Fault::new("POST", "/api/v4/leads/unsorted/forms", FaultKind::ResetAfterExecute));
//! /* run the daemon / client */
//! assert_eq!(fake.leads().len(), 1);
//! fake.assert_no_spec_violations();
//! assert!(fake.peak_rate_per_second() <= 7 && fake.count_429() == 0);
//! ```
//!
//! Semantics worth knowing:
//! - every received request counts toward the rate window, refused ones too,
//!   so `count_429() == 0` iff `peak_rate_per_second() <= limit`;
//! - empty lists and unknown ids answer 204 with no body;
//! - ids of all entities come from one counter (a lead id never equals a contact id);
//! - `FAKE_AMO_LOG=1` prints every request and its status to stderr;
//! - timestamps come from the fake clock (`set_now`, `advance`), rate limiting
//!   and fault delays from real time.

mod api;
mod auth;
mod faults;
mod model;
mod spec;
mod state;

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State as AxState;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::http::{Request, Response, StatusCode};
use axum::serve::{IncomingStream, Listener};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

pub use api::{Reply, internal_error_body, revoked_body, unauthorized_body};
pub use auth::TokenKind;
pub use faults::{Chaos, Fault, FaultKind};
pub use model::*;
pub use spec::FieldError;
pub use state::{Clock, DUPLICATE_TAG, DuplicatePolicy, RecordedRequest, SpecViolation};

use state::State;

/// Configuration of a fake account.
#[derive(Debug, Clone)]
pub struct FakeOptions {
    /// Requests allowed in any sliding 1-second window (amoCRM: 7).
    pub rate_limit: usize,
    /// Cap on every list page (to exercise the client's `_links.next` handling).
    pub page_size: Option<usize>,
    /// Lifetime of OAuth access tokens, seconds (amoCRM: 86400).
    pub access_token_lifetime: i64,
    /// Lifetime of the long-lived token, seconds.
    pub long_lived_token_lifetime: i64,
    /// The user the tokens act as (an admin, like a private integration's creator).
    pub api_user_id: i64,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub duplicates: DuplicatePolicy,
    /// Leave contacts of pending unsorted items out of `GET /api/v4/contacts`
    /// (amoCRM docs, unsorted-api: they are "not visible in the Lists section" until accepted;
    /// whether the API search sees them is unverified, so tests can try both).
    pub hide_unsorted_contacts: bool,
    /// Freeze the fake clock at this unix time (None = real time).
    pub now: Option<i64>,
    pub seed: Seed,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            rate_limit: 7,
            page_size: None,
            access_token_lifetime: 86_400,
            long_lived_token_lifetime: 5 * 365 * 86_400,
            api_user_id: ids::USER_ADMIN,
            client_id: "fake-client-id".into(),
            client_secret: "fake-client-secret".into(),
            redirect_uri: "https://example.ru/amo/oauth".into(),
            duplicates: DuplicatePolicy::Tag,
            hide_unsorted_contacts: false,
            now: None,
            seed: Seed::standard(),
        }
    }
}

struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake amoCRM (see module docs).
pub struct FakeAmo {
    shared: Arc<Shared>,
    base_url: String,
    long_lived: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeAmo {
    /// Start the server; panics (test set-up error) if it cannot bind.
    pub fn start(opts: FakeOptions) -> FakeAmo {
        // Load the spec now so a missing file fails the test at set-up.
        let _ = spec::spec();
        let std_listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("fake amoCRM: bind 127.0.0.1:0");
        std_listener
            .set_nonblocking(true)
            .expect("fake amoCRM: set_nonblocking");
        let addr = std_listener.local_addr().expect("fake amoCRM: local_addr");
        let base_url = format!("http://{addr}");
        let clock = Clock {
            fixed: opts.now,
            offset: 0,
        };
        let mut st = State::new(
            opts.seed.clone(),
            base_url.clone(),
            opts.api_user_id,
            opts.page_size,
            opts.duplicates,
            opts.access_token_lifetime,
            opts.rate_limit,
            (
                opts.client_id.clone(),
                opts.client_secret.clone(),
                opts.redirect_uri.clone(),
            ),
            clock,
        );
        st.hide_unsorted_contacts = opts.hide_unsorted_contacts;
        let now = st.now();
        let long_lived = st.tokens.new_bearer(
            TokenKind::LongLived,
            opts.api_user_id,
            now,
            opts.long_lived_token_lifetime,
            &addr.to_string(),
        );
        let shared = Arc::new(Shared {
            state: Mutex::new(st),
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let sh = shared.clone();
        let thread = std::thread::Builder::new()
            .name("fake-amocrm".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("fake amoCRM: tokio runtime");
                rt.block_on(async move {
                    let listener =
                        TcpListener::from_std(std_listener).expect("fake amoCRM: listener");
                    let app = axum::Router::new()
                        .fallback(serve_request)
                        .with_state(sh)
                        .into_make_service_with_connect_info::<ConnInfo>();
                    let server = axum::serve(FakeListener(listener), app);
                    tokio::select! {
                        _ = std::future::IntoFuture::into_future(server) => {}
                        _ = rx => {}
                    }
                });
                rt.shutdown_timeout(Duration::from_millis(200));
            })
            .expect("fake amoCRM: spawn thread");
        FakeAmo {
            shared,
            base_url,
            long_lived,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `FakeAmo::start(FakeOptions::default())`.
    pub fn start_default() -> FakeAmo {
        FakeAmo::start(FakeOptions::default())
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// A valid long-lived token (JWT-shaped, `exp` claim = expiry).
    pub fn long_lived_token(&self) -> String {
        self.long_lived.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    // ---- auth --------------------------------------------------------------

    /// A fresh authorisation code for `POST /oauth2/access_token` (single use).
    pub fn issue_auth_code(&self) -> String {
        let mut st = self.lock();
        let user = st.api_user_id;
        st.tokens.new_code(user)
    }

    /// Issue an extra bearer token directly (e.g. a short-lived one).
    pub fn issue_token(&self, kind: TokenKind, lifetime_secs: i64) -> String {
        let mut st = self.lock();
        let (user, now, domain) = (st.api_user_id, st.now(), st.base_url.clone());
        st.tokens
            .new_bearer(kind, user, now, lifetime_secs, &domain)
    }

    /// Issue an access + refresh pair as if an authorisation code was exchanged.
    pub fn issue_oauth_pair(&self) -> (String, String) {
        let mut st = self.lock();
        let (user, now, domain, life) = (
            st.api_user_id,
            st.now(),
            st.base_url.clone(),
            st.access_token_lifetime,
        );
        let a = st
            .tokens
            .new_bearer(TokenKind::Access, user, now, life, &domain);
        let r = st.tokens.new_refresh(user);
        (a, r)
    }

    /// Make a bearer token expired (401 "Неверный логин или пароль").
    pub fn expire_token(&self, token: &str) {
        let mut st = self.lock();
        let now = st.now();
        if let Some(t) = st.tokens.access.get_mut(token) {
            t.expires_at = now - 1;
        }
    }

    /// Revoke a bearer or refresh token (401 "Token has been revoked").
    pub fn revoke_token(&self, token: &str) {
        let mut st = self.lock();
        if let Some(t) = st.tokens.access.get_mut(token) {
            t.revoked = true;
        }
        if let Some(r) = st.tokens.refresh.get_mut(token) {
            r.revoked = true;
        }
    }

    /// Revoke every token (an admin removed the integration).
    pub fn revoke_all_tokens(&self) {
        let mut st = self.lock();
        st.tokens.access.values_mut().for_each(|t| t.revoked = true);
        st.tokens
            .refresh
            .values_mut()
            .for_each(|r| r.revoked = true);
    }

    /// Refresh tokens issued so far and whether each is still usable.
    pub fn refresh_tokens(&self) -> Vec<(String, bool)> {
        self.lock()
            .tokens
            .refresh
            .iter()
            .map(|(k, r)| (k.clone(), !r.used && !r.revoked))
            .collect()
    }

    /// Is this bearer token currently accepted?
    pub fn token_valid(&self, token: &str) -> bool {
        let st = self.lock();
        st.tokens
            .check(Some(&format!("Bearer {token}")), st.now())
            .is_ok()
    }

    // ---- traffic -----------------------------------------------------------

    pub fn set_rate_limit(&self, per_second: usize) {
        self.lock().rate_limit = per_second;
    }

    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    /// Random faults from now on (see [`Chaos`]); `None` ends them.
    pub fn set_chaos(&self, chaos: Option<Chaos>) {
        self.lock().chaos = chaos;
    }

    /// Random faults fired so far.
    pub fn chaos_fired(&self) -> usize {
        self.lock().chaos.as_ref().map_or(0, |c| c.fired)
    }

    /// Faults still queued (not yet fired).
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.lock().faults.clone()
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// Requests with this method whose path starts with `path_prefix`.
    pub fn requests_to(&self, method: &str, path_prefix: &str) -> Vec<RecordedRequest> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }

    pub fn clear_requests(&self) {
        let mut st = self.lock();
        st.requests.clear();
        st.count_429 = 0;
    }

    /// Requests refused with 429 by the rate limiter (injected 429s not counted).
    pub fn count_429(&self) -> usize {
        self.lock().count_429
    }

    /// Most requests received within any 1-second window.
    pub fn peak_rate_per_second(&self) -> usize {
        let st = self.lock();
        let mut times: Vec<Instant> = st.requests.iter().map(|r| r.at).collect();
        times.sort();
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..times.len() {
            while times[hi].duration_since(times[lo]) >= Duration::from_secs(1) {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    }

    /// `requests=N peak_rps=P count_429=Q violations=V leads=L contacts=C`
    /// for benchmark `RESULT` lines and failure messages.
    pub fn summary(&self) -> String {
        let peak = self.peak_rate_per_second();
        let st = self.lock();
        format!(
            "requests={} peak_rps={peak} count_429={} violations={} leads={} contacts={}",
            st.requests.len(),
            st.count_429,
            st.violations.len(),
            st.leads.len(),
            st.contacts.len()
        )
    }

    /// Poll `cond` every 20 ms until it holds or `timeout` passes; returns
    /// whether it held. Blocks the calling thread: meant for sync tests that
    /// drive a daemon process (from async tests, poll with tokio's sleep).
    pub fn wait_until(&self, timeout: Duration, cond: impl Fn(&FakeAmo) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if cond(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Bodies refused as invalid (schema or by-hand checks). Tests assert it is empty.
    pub fn spec_violations(&self) -> Vec<SpecViolation> {
        self.lock().violations.clone()
    }

    /// Panic with every violation listed, if there is any.
    pub fn assert_no_spec_violations(&self) {
        let v = self.spec_violations();
        assert!(v.is_empty(), "fake amoCRM saw invalid requests:\n{v:#?}");
    }

    // ---- inspection --------------------------------------------------------

    pub fn leads(&self) -> Vec<Lead> {
        self.lock().leads.values().cloned().collect()
    }
    pub fn lead(&self, id: i64) -> Option<Lead> {
        self.lock().leads.get(&id).cloned()
    }
    pub fn contacts(&self) -> Vec<Contact> {
        self.lock().contacts.values().cloned().collect()
    }
    pub fn contact(&self, id: i64) -> Option<Contact> {
        self.lock().contacts.get(&id).cloned()
    }
    pub fn companies(&self) -> Vec<Company> {
        self.lock().companies.values().cloned().collect()
    }
    pub fn notes(&self) -> Vec<Note> {
        self.lock().notes.clone()
    }
    /// Notes attached to a lead.
    pub fn lead_notes(&self, lead_id: i64) -> Vec<Note> {
        self.lock()
            .notes
            .iter()
            .filter(|n| n.entity_type == "leads" && n.entity_id == lead_id)
            .cloned()
            .collect()
    }
    pub fn tasks(&self) -> Vec<Task> {
        self.lock().tasks.values().cloned().collect()
    }
    /// Tasks attached to a lead.
    pub fn lead_tasks(&self, lead_id: i64) -> Vec<Task> {
        self.lock()
            .tasks
            .values()
            .filter(|t| t.entity_type.as_deref() == Some("leads") && t.entity_id == Some(lead_id))
            .cloned()
            .collect()
    }
    pub fn unsorted(&self) -> Vec<Unsorted> {
        self.lock().unsorted.clone()
    }
    pub fn events(&self) -> Vec<Event> {
        self.lock().events.clone()
    }
    pub fn seed(&self) -> Seed {
        self.lock().seed.clone()
    }

    // ---- mutation helpers for SLA scenarios ----------------------------------

    /// Add an arbitrary event; returns its id.
    pub fn add_event(
        &self,
        entity_type: &str,
        entity_id: i64,
        event_type: &str,
        created_at: i64,
        value_before: Value,
        value_after: Value,
    ) -> String {
        let mut st = self.lock();
        let actor = st
            .leads
            .get(&entity_id)
            .map(|l| l.responsible_user_id)
            .unwrap_or(ids::USER_ANNA);
        st.emit(
            event_type,
            state::singular(entity_type),
            entity_id,
            actor,
            Some(created_at),
            value_before,
            value_after,
        )
    }

    /// Like [`add_event`](Self::add_event) with an explicit acting user.
    #[allow(clippy::too_many_arguments)]
    pub fn add_event_as(
        &self,
        created_by: i64,
        entity_type: &str,
        entity_id: i64,
        event_type: &str,
        created_at: i64,
        value_before: Value,
        value_after: Value,
    ) -> String {
        self.lock().emit(
            event_type,
            state::singular(entity_type),
            entity_id,
            created_by,
            Some(created_at),
            value_before,
            value_after,
        )
    }

    /// A manager's outgoing call logged by telephony: a `call_out` note and
    /// an `outgoing_call` event at the fake clock's now. `entity_type` is
    /// `lead(s)` or `contact(s)`. Returns the note id.
    pub fn add_outgoing_call(&self, entity_type: &str, entity_id: i64) -> i64 {
        self.add_call(entity_type, entity_id, "call_out")
    }

    /// Like [`add_outgoing_call`](Self::add_outgoing_call) for an incoming call.
    pub fn add_incoming_call(&self, entity_type: &str, entity_id: i64) -> i64 {
        self.add_call(entity_type, entity_id, "call_in")
    }

    fn add_call(&self, entity_type: &str, entity_id: i64, note_type: &str) -> i64 {
        let mut st = self.lock();
        let plural = if entity_type.starts_with("contact") {
            "contacts"
        } else {
            "leads"
        };
        let actor = match plural {
            "leads" => st.leads.get(&entity_id).map(|l| l.responsible_user_id),
            _ => st.contacts.get(&entity_id).map(|c| c.responsible_user_id),
        }
        .unwrap_or(ids::USER_ANNA);
        let n = st.notes.len();
        let params = serde_json::json!({
            "uniq": format!("call-{n}"), "duration": 42, "source": "fake-telephony",
            "link": "https://example.ru/rec.mp3", "phone": "+79990000000"
        });
        st.add_note(plural, entity_id, note_type, params, actor, None, None)
    }

    /// Move a lead to a status of its pipeline (or any pipeline holding that
    /// status), acting as its responsible user; emits `lead_status_changed`.
    pub fn move_lead_status(&self, lead_id: i64, status_id: i64) -> bool {
        let mut st = self.lock();
        let Some(lead) = st.leads.get(&lead_id).cloned() else {
            return false;
        };
        let pid = if st
            .pipeline(lead.pipeline_id)
            .is_some_and(|p| p.statuses.iter().any(|s| s.id == status_id))
        {
            lead.pipeline_id
        } else {
            match st
                .seed
                .pipelines
                .iter()
                .find(|p| p.statuses.iter().any(|s| s.id == status_id))
            {
                Some(p) => p.id,
                None => return false,
            }
        };
        // Leaving Unsorted through the UI accepts the unsorted item.
        for u in st.unsorted.iter_mut() {
            if u.lead_id == lead_id && u.state == UnsortedState::Pending {
                u.state = UnsortedState::Accepted;
            }
        }
        st.set_lead_status(lead_id, pid, status_id, lead.responsible_user_id)
    }

    /// Complete a task as its responsible user (emits `task_completed`).
    pub fn complete_task(&self, task_id: i64) -> bool {
        let mut st = self.lock();
        let actor = st
            .tasks
            .get(&task_id)
            .map(|t| t.responsible_user_id)
            .unwrap_or(ids::USER_ANNA);
        st.complete_task(task_id, None, actor)
    }

    /// Reassign a lead (emits `entity_responsible_changed`, acting as the head of sales).
    pub fn set_responsible(&self, lead_id: i64, user_id: i64) -> bool {
        self.lock()
            .set_lead_responsible(lead_id, user_id, ids::USER_VIKTOR)
    }

    /// Accept a pending unsorted item as its lead's responsible user; returns the lead id.
    pub fn accept_unsorted(&self, uid: &str) -> Option<i64> {
        let mut st = self.lock();
        let actor = st
            .unsorted
            .iter()
            .find(|u| u.uid == uid)
            .and_then(|u| st.leads.get(&u.lead_id))
            .map(|l| l.responsible_user_id)
            .unwrap_or(ids::USER_ANNA);
        api::accept_now(&mut st, uid, None, actor)
    }

    /// Create a lead directly (as if it came from elsewhere). A status of
    /// type 1 (Unsorted) also creates a pending unsorted item, so it can be
    /// accepted. Emits `lead_added`. Returns the lead id.
    pub fn add_lead(&self, name: &str, status_id: i64, responsible_user_id: i64) -> i64 {
        let mut st = self.lock();
        let pipeline = st
            .seed
            .pipelines
            .iter()
            .find(|p| p.is_main && p.statuses.iter().any(|s| s.id == status_id))
            .or_else(|| {
                st.seed
                    .pipelines
                    .iter()
                    .find(|p| p.statuses.iter().any(|s| s.id == status_id))
            })
            .cloned();
        let Some(pipeline) = pipeline else {
            panic!("fake amoCRM: add_lead: no pipeline has status {status_id}");
        };
        let id = st.new_id();
        let now = st.now();
        st.leads.insert(
            id,
            Lead {
                id,
                name: name.into(),
                price: 0,
                status_id,
                pipeline_id: pipeline.id,
                responsible_user_id,
                loss_reason_id: None,
                created_by: responsible_user_id,
                updated_by: responsible_user_id,
                created_at: now,
                updated_at: now,
                closed_at: (status_id == 142 || status_id == 143).then_some(now),
                custom_fields_values: Vec::new(),
                tags: Vec::new(),
                contact_ids: Vec::new(),
                main_contact_id: None,
                company_id: None,
                request_id: None,
                origin: Origin::Helper,
            },
        );
        st.emit(
            "lead_added",
            "lead",
            id,
            responsible_user_id,
            None,
            serde_json::json!([]),
            serde_json::json!([]),
        );
        if pipeline
            .unsorted_status()
            .is_some_and(|s| s.id == status_id)
        {
            st.unsorted.push(Unsorted {
                uid: format!("{:032x}", rand::random::<u128>()),
                source_uid: "helper".into(),
                source_name: "helper".into(),
                category: "forms".into(),
                pipeline_id: pipeline.id,
                created_at: now,
                request_id: None,
                metadata: serde_json::json!({}),
                lead_id: id,
                contact_id: None,
                company_id: None,
                state: UnsortedState::Pending,
                dup_keys: Vec::new(),
            });
        }
        id
    }

    // ---- requests from other sources (chats, calls, integrations) ----------

    /// A chat message on a lead or contact as amoCRM's chat integrations log
    /// it: an `incoming_chat_message` (client) or `outgoing_chat_message`
    /// (manager) event with `value_after: [{"message": {id, origin, talk_id}}]`.
    /// `origin` is the channel's code, e.g. "com.amocrm.amocrmwa" (WhatsApp)
    /// or "telegram". Returns the event id.
    pub fn add_chat_message(
        &self,
        entity_type: &str,
        entity_id: i64,
        incoming: bool,
        origin: &str,
    ) -> String {
        let mut st = self.lock();
        let actor = if incoming {
            0
        } else {
            st.leads
                .get(&entity_id)
                .map(|l| l.responsible_user_id)
                .unwrap_or(ids::USER_ANNA)
        };
        let msg_id = format!("{:032x}", rand::random::<u128>());
        let talk = st.new_id();
        st.emit(
            if incoming {
                "incoming_chat_message"
            } else {
                "outgoing_chat_message"
            },
            state::singular(entity_type),
            entity_id,
            actor,
            None,
            serde_json::json!([]),
            serde_json::json!([{"message": {"id": msg_id, "origin": origin, "talk_id": talk}}]),
        )
    }

    /// A lead that a chat integration created: a contact, a lead in the
    /// main pipeline's Unsorted stage linked to it, a pending `chats`
    /// Unsorted item named after the channel, `lead_added` and the client's
    /// first `incoming_chat_message`. Returns (lead id, contact id).
    pub fn add_chat_lead(&self, client: &str, origin: &str, source_name: &str) -> (i64, i64) {
        let contact = self.add_contact(client, &["+79035550000"], &[]);
        let lead = self.add_lead(
            &format!("Чат: {client}"),
            ids::STATUS_UNSORTED,
            ids::USER_ANNA,
        );
        {
            let mut st = self.lock();
            if let Some(l) = st.leads.get_mut(&lead) {
                l.contact_ids.push(contact);
                l.main_contact_id = Some(contact);
            }
            if let Some(u) = st.unsorted.iter_mut().find(|u| u.lead_id == lead) {
                u.category = "chats".into();
                u.source_name = source_name.into();
                u.source_uid = origin.into();
                u.contact_id = Some(contact);
                u.metadata = serde_json::json!({"client": {"name": client, "id": "c1"},
                    "origin": origin, "from": client, "source_name": source_name});
            }
        }
        self.add_chat_message("lead", lead, true, origin);
        (lead, contact)
    }

    /// An incoming call nobody answered: a `call_in` note with
    /// `call_status` 6 ("not reached") and 0 s, and its `incoming_call` event.
    pub fn add_missed_call(&self, entity_type: &str, entity_id: i64) -> i64 {
        let plural = if entity_type.starts_with("contact") {
            "contacts"
        } else {
            "leads"
        };
        let params = serde_json::json!({
            "uniq": format!("missed-{entity_id}"), "duration": 0, "source": "fake-telephony",
            "link": "", "phone": "+79990000000", "call_status": 6
        });
        self.lock()
            .add_note(plural, entity_id, "call_in", params, 0, None, None)
    }

    /// An open task on a lead (a manager's "call back on Friday").
    pub fn add_open_task(&self, lead_id: i64, text: &str) -> i64 {
        let mut st = self.lock();
        let id = st.new_id();
        let now = st.now();
        let resp = st
            .leads
            .get(&lead_id)
            .map(|l| l.responsible_user_id)
            .unwrap_or(ids::USER_ANNA);
        st.tasks.insert(
            id,
            model::Task {
                id,
                text: text.into(),
                complete_till: now + 86_400,
                entity_type: Some("leads".into()),
                entity_id: Some(lead_id),
                task_type_id: 1,
                responsible_user_id: resp,
                created_by: resp,
                created_at: now,
                updated_at: now,
                duration: 0,
                is_completed: false,
                result_text: None,
                request_id: None,
            },
        );
        st.emit(
            "task_added",
            "lead",
            lead_id,
            resp,
            None,
            serde_json::json!([]),
            serde_json::json!([{"task": {"id": id}}]),
        );
        id
    }

    /// Sets a text custom field of a lead by field id (empty text clears it).
    pub fn set_lead_text_field(&self, lead_id: i64, field_id: i64, text: &str) {
        let mut st = self.lock();
        let name = st
            .seed
            .lead_fields
            .iter()
            .find(|f| f.id == field_id)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        if let Some(l) = st.leads.get_mut(&lead_id) {
            l.custom_fields_values.retain(|c| c.field_id != field_id);
            if !text.is_empty() {
                l.custom_fields_values.push(CfValue {
                    field_id,
                    field_name: name,
                    field_code: None,
                    field_type: "text".into(),
                    values: vec![CfValueItem {
                        value: Value::String(text.into()),
                        enum_id: None,
                        enum_code: None,
                    }],
                });
            }
        }
    }

    /// A note written by `user_id` (e.g. a manager's `common` note with
    /// `{"text": …}`); emits the matching event. Returns the note id.
    pub fn add_note_as(
        &self,
        user_id: i64,
        entity_type: &str,
        entity_id: i64,
        note_type: &str,
        params: Value,
    ) -> i64 {
        let plural = if entity_type.starts_with("contact") {
            "contacts"
        } else {
            "leads"
        };
        self.lock()
            .add_note(plural, entity_id, note_type, params, user_id, None, None)
    }

    /// Create a contact directly (as if a manager had entered it earlier).
    pub fn add_contact(&self, name: &str, phones: &[&str], emails: &[&str]) -> i64 {
        let mut st = self.lock();
        let id = st.new_id();
        let now = st.now();
        let mut cfs = Vec::new();
        for (code, vals, fid) in [
            ("PHONE", phones, ids::FIELD_PHONE),
            ("EMAIL", emails, ids::FIELD_EMAIL),
        ] {
            if vals.is_empty() {
                continue;
            }
            let def = st.seed.contact_fields.iter().find(|f| f.id == fid).cloned();
            let enum_ = def.as_ref().and_then(|d| d.enums.first()).cloned();
            cfs.push(CfValue {
                field_id: fid,
                field_name: def.map(|d| d.name).unwrap_or_default(),
                field_code: Some(code.into()),
                field_type: "multitext".into(),
                values: vals
                    .iter()
                    .map(|v| CfValueItem {
                        value: Value::String((*v).into()),
                        enum_id: enum_.as_ref().map(|e| e.id),
                        enum_code: enum_.as_ref().map(|e| e.value.clone()),
                    })
                    .collect(),
            });
        }
        st.contacts.insert(
            id,
            Contact {
                id,
                name: name.into(),
                first_name: name.into(),
                last_name: String::new(),
                responsible_user_id: ids::USER_ANNA,
                created_by: ids::USER_ANNA,
                created_at: now,
                updated_at: now,
                custom_fields_values: cfs,
                tags: Vec::new(),
                request_id: None,
            },
        );
        id
    }

    // ---- clock ---------------------------------------------------------------

    /// Freeze the fake clock at `ts` (unix seconds): timestamps of created
    /// entities/events and token expiry use it.
    pub fn set_now(&self, ts: i64) {
        self.lock().clock.fixed = Some(ts);
    }

    /// Move the fake clock forward (frozen or not).
    pub fn advance(&self, secs: i64) {
        let mut st = self.lock();
        match st.clock.fixed.as_mut() {
            Some(t) => *t += secs,
            None => st.clock.offset += secs,
        }
    }

    /// Let the clock run with real time again (keeping any offset).
    pub fn unfreeze_clock(&self) {
        self.lock().clock.fixed = None;
    }

    pub fn now(&self) -> i64 {
        self.lock().now()
    }
}

impl Drop for FakeAmo {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---- HTTP plumbing ---------------------------------------------------------------

/// Per-connection info; `kill` lets a handler drop its connection mid-request.
#[derive(Clone, Debug)]
struct ConnInfo {
    kill: Arc<AtomicBool>,
}

struct FakeListener(TcpListener);

/// A TCP stream that fails every read/write once `kill` is set, so hyper
/// closes the connection without sending a response.
struct KillableIo {
    inner: TcpStream,
    kill: Arc<AtomicBool>,
}

fn reset_err() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        "fake amoCRM: connection reset",
    )
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(reset_err()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(reset_err()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(reset_err()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Listener for FakeListener {
    type Io = KillableIo;
    type Addr = ConnInfo;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let kill = Arc::new(AtomicBool::new(false));
                    return (
                        KillableIo {
                            inner: stream,
                            kill: kill.clone(),
                        },
                        ConnInfo { kill },
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr().map(|_: SocketAddr| ConnInfo {
            kill: Arc::new(AtomicBool::new(false)),
        })
    }
}

impl Connected<IncomingStream<'_, FakeListener>> for ConnInfo {
    fn connect_info(stream: IncomingStream<'_, FakeListener>) -> Self {
        stream.remote_addr().clone()
    }
}

fn to_response(r: Reply) -> Response<Body> {
    let mut b = Response::builder()
        .status(StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    if !r.content_type.is_empty() {
        b = b.header("content-type", r.content_type.as_str());
    }
    b = b.header("x-request-id", format!("{:016x}", rand::random::<u64>()));
    for (k, v) in &r.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Body::from(r.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// What the request pipeline decided before executing.
enum Plan {
    Answer(Reply),
    /// Hold the request, then answer without executing (timeout fault).
    Hold(Duration, Reply),
    /// Drop the connection without executing.
    Reset,
    Execute {
        delay: Option<Duration>,
        reset: bool,
    },
}

async fn serve_request(
    AxState(shared): AxState<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ConnInfo>,
    req: Request<Body>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let auth = header("authorization");
    let content_type = header("content-type").unwrap_or_default();
    let bytes = axum::body::to_bytes(body, 32 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let raw_body = String::from_utf8_lossy(&bytes).into_owned();

    // Run the rest in its own task: the outcome must not depend on whether
    // the client is still connected (a slow answer still executes).
    let task = tokio::spawn(async move {
        let (idx, plan) = {
            let mut st = shared.lock();
            let now_i = Instant::now();
            let unix = st.now();
            st.requests.push(RecordedRequest {
                at: now_i,
                unix,
                method: method.clone(),
                path: path.clone(),
                query: query.clone(),
                body: raw_body.clone(),
                status: 0,
                fault: None,
            });
            let idx = st.requests.len() - 1;
            let window_start = now_i.checked_sub(Duration::from_secs(1));
            let in_window = st
                .requests
                .iter()
                .rev()
                .take_while(|r| window_start.is_none_or(|w| r.at > w))
                .count();
            let plan = if in_window > st.rate_limit {
                st.count_429 += 1;
                Plan::Answer(Reply::empty(429))
            } else {
                let queued = faults::take(&mut st.faults, &method, &path);
                let fault = match queued {
                    Some(k) => Some(k),
                    None => st.chaos.as_mut().and_then(|c| c.pick(&method, &path)),
                };
                match fault {
                    None => Plan::Execute {
                        delay: None,
                        reset: false,
                    },
                    Some(kind) => {
                        st.requests[idx].fault = Some(format!("{kind:?}"));
                        fault_plan(kind)
                    }
                }
            };
            (idx, plan)
        };
        let reply = match plan {
            Plan::Answer(r) => Some(r),
            Plan::Reset => None,
            Plan::Hold(d, r) => {
                tokio::time::sleep(d).await;
                Some(r)
            }
            Plan::Execute { delay, reset } => {
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                let r = {
                    let mut st = shared.lock();
                    api::handle(
                        &mut st,
                        &method,
                        &path,
                        &query,
                        &raw_body,
                        auth.as_deref(),
                        &content_type,
                    )
                };
                if reset { None } else { Some(r) }
            }
        };
        let mut st = shared.lock();
        if let Some(rec) = st.requests.get_mut(idx) {
            rec.status = reply.as_ref().map_or(0, |r| r.status);
            if std::env::var_os("FAKE_AMO_LOG").is_some() {
                eprintln!(
                    "fake amoCRM: {} {}?{} -> {} {}",
                    rec.method,
                    rec.path,
                    rec.query,
                    rec.status,
                    rec.fault.as_deref().unwrap_or("")
                );
            }
        }
        reply
    });
    match task.await {
        Ok(Some(r)) => to_response(r),
        Ok(None) | Err(_) => {
            conn.kill.store(true, Ordering::SeqCst);
            Response::new(Body::empty())
        }
    }
}

fn fault_plan(kind: FaultKind) -> Plan {
    use api::*;
    match kind {
        FaultKind::InternalError => Plan::Answer(Reply::problem(500, &internal_error_body())),
        FaultKind::Unavailable {
            status,
            retry_after,
        } => {
            let body = serde_json::json!({"title": "Service Unavailable", "type": format!("https://httpstatus.es/{status}"), "status": status, "detail": "Service temporarily unavailable"});
            let mut r = Reply::problem(status, &body);
            if let Some(s) = retry_after {
                r = r.with_header("retry-after", &s.to_string());
            }
            Plan::Answer(r)
        }
        FaultKind::TooManyRequests { retry_after } => {
            let mut r = Reply::empty(429);
            if let Some(s) = retry_after {
                r = r.with_header("retry-after", &s.to_string());
            }
            Plan::Answer(r)
        }
        FaultKind::Timeout { hold } => Plan::Hold(hold, Reply::empty(504)),
        FaultKind::Slow { delay } => Plan::Execute {
            delay: Some(delay),
            reset: false,
        },
        FaultKind::HtmlForbidden => Plan::Answer(Reply::html(403, NGINX_403)),
        FaultKind::Validation => Plan::Answer(Reply::problem(
            400,
            &serde_json::json!({"validation-errors":[{"request_id":"0","errors":[{"code":"NotSupportedChoice","path":"custom_fields_values.0.field_id","detail":"The value you selected is not a valid choice."}]}],
                                "title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"}),
        )),
        FaultKind::Unauthorized => Plan::Answer(Reply::problem(401, &unauthorized_body())),
        FaultKind::ResetAfterExecute => Plan::Execute {
            delay: None,
            reset: true,
        },
        FaultKind::ResetBeforeExecute => Plan::Reset,
        FaultKind::Custom {
            status,
            content_type,
            body,
        } => Plan::Answer(Reply {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into_bytes(),
        }),
    }
}
