//! Crash safety: a simulated crash (failpoint) between every two steps of
//! the delivery state machine, then a restart on the same state file, still
//! yields exactly one lead (one note, one task) per request; the rotated
//! OAuth refresh token survives a crash right after the refresh.
//!
//! Failpoints are process-global: the test functions take [`SERIAL`] so
//! they never run at the same time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery_kit;
mod support;

use std::sync::Arc;
use std::time::Duration;

use amo_intake::crm::client::{AuthConfig, Client};
use amo_intake::crm::failpoint;
use amo_intake::journal::outbox::OutboxState;
use amo_intake::request::Action;
use amo_intake::rules::crm_spec::{CreateMode, CrmSpec};
use delivery_kit::*;
use support::fake_amocrm::{Fault, FaultKind, Seed};
use support::{FakeAmo, FakeOptions};

/// One failpoint test at a time (failpoints are process-global).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn fast_client(
    fake: &FakeAmo,
    j: &Arc<amo_intake::journal::Journal>,
    auth: AuthConfig,
) -> Arc<Client> {
    Arc::new(Client::new(options(fake, auth, Some(j.clone()), 60.0)).unwrap())
}

#[tokio::test]
async fn crash_between_every_two_steps_yields_one_lead_per_request() {
    let _serial = SERIAL.lock().await;
    let fake = FakeAmo::start(FakeOptions {
        rate_limit: 70,
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let complex = CrmSpec {
        create: CreateMode::Complex,
        ..CrmSpec::default()
    };
    let mut fired_count = 0;
    for (n, fp) in failpoint::ALL
        .iter()
        .filter(|f| **f != "after_token_commit")
        .enumerate()
    {
        let path = dir.path().join(format!("{fp}.db"));
        let keys: Vec<String> = (0..4).map(|i| format!("ai-{n:02}{i}-{fp}")).collect();
        {
            let j = open(&path);
            let p = pipeline(
                &j,
                fast_client(&fake, &j, AuthConfig::LongLived(fake.long_lived_token())),
            );
            for (i, k) in keys.iter().enumerate() {
                let mut r = req(
                    &format!("Клиент {fp} {i}"),
                    &format!("+7917{n:03}{i:04}"),
                    None,
                );
                if i == 3 {
                    r.action = Action::Trash;
                }
                let spec = if i % 2 == 0 {
                    CrmSpec::default()
                } else {
                    complex.clone()
                };
                p.enqueue(k, &r, &spec).unwrap();
            }
            failpoint::arm(fp, 1);
            let mut fired = false;
            for _ in 0..20 {
                match p.run_once().await {
                    Err(e) if e.is_failpoint() => {
                        fired = true;
                        break;
                    }
                    Err(e) => panic!("{fp}: {e}"),
                    Ok(_) => {
                        if j.next_due_ms().unwrap().is_none() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            failpoint::clear();
            assert!(fired, "failpoint {fp} never fired");
            fired_count += 1;
            // "Crash": pipeline, client and journal dropped with no cleanup.
        }
        let j = open(&path);
        let p = pipeline(
            &j,
            fast_client(&fake, &j, AuthConfig::LongLived(fake.long_lived_token())),
        );
        drain(&p, &j, Duration::from_secs(30)).await;
        assert_eq!(
            count(&j, OutboxState::Done),
            4,
            "{fp}: {:?}",
            j.outbox_counts().unwrap()
        );
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(
                leads_with_key(&fake, k),
                1,
                "{fp}: key {k} must have exactly one lead"
            );
            let lead = fake
                .leads()
                .into_iter()
                .find(|l| l.field("ID заявки").iter().any(|v| v == k))
                .unwrap();
            assert_eq!(fake.lead_notes(lead.id).len(), 1, "{fp}: one note on {k}");
            let tasks = if i == 3 { 0 } else { 1 };
            assert_eq!(fake.lead_tasks(lead.id).len(), tasks, "{fp}: tasks on {k}");
        }
    }
    assert_eq!(fired_count, failpoint::ALL.len() - 1);
    // Contacts: one per client, crashes notwithstanding.
    assert_eq!(fake.contacts().len(), fake.leads().len());
    assert_clean(&fake);
    assert_eq!(fake.count_429(), 0);

    // The rotated refresh token survives a crash right after the refresh.
    let path = dir.path().join("oauth.db");
    let o = FakeOptions::default();
    let auth = AuthConfig::OAuth {
        client_id: o.client_id,
        client_secret: o.client_secret,
        redirect_uri: o.redirect_uri,
    };
    let t0 = {
        let j = open(&path);
        let c = fast_client(&fake, &j, auth.clone());
        let t0 = c.exchange_code(&fake.issue_auth_code()).await.unwrap();
        fake.expire_token(&t0.access_token);
        let p = pipeline(&j, c);
        p.enqueue(
            "ai-oauth-crash",
            &req("Вера", "+79175550000", None),
            &CrmSpec::default(),
        )
        .unwrap();
        failpoint::arm("after_token_commit", 1);
        let e = p.run_once().await.unwrap_err();
        failpoint::clear();
        assert!(e.is_failpoint(), "{e}");
        t0
    };
    let j = open(&path);
    let t1 = j.load_tokens().unwrap().unwrap();
    assert_ne!(
        t1.refresh_token, t0.refresh_token,
        "the rotated pair was committed before the crash"
    );
    assert!(fake.token_valid(&t1.access_token));
    let c = fast_client(&fake, &j, auth);
    let p = pipeline(&j, c.clone());
    drain(&p, &j, Duration::from_secs(30)).await;
    assert_eq!(leads_with_key(&fake, "ai-oauth-crash"), 1);
    assert!(c.stopped().is_none());
    assert_clean(&fake);
}

/// The three ways a lead is created, each with its own POST.
#[derive(Debug, Clone, Copy)]
enum CreatePath {
    /// `unsorted/forms` (the default).
    Forms,
    /// A rule with `create = "complex"`.
    Complex,
    /// A trash lead (always `complex`, into the lost stage).
    Trash,
}

impl CreatePath {
    const ALL: [CreatePath; 3] = [CreatePath::Forms, CreatePath::Complex, CreatePath::Trash];

    fn post(self) -> &'static str {
        match self {
            CreatePath::Forms => "/api/v4/leads/unsorted/forms",
            _ => "/api/v4/leads/complex",
        }
    }

    fn request(self, n: usize) -> (amo_intake::request::Request, CrmSpec) {
        let mut r = req(
            &format!("Клиент {self:?} {n}"),
            &format!("+7918{n:07}"),
            None,
        );
        let mut spec = CrmSpec::default();
        match self {
            CreatePath::Forms => {}
            CreatePath::Complex => spec.create = CreateMode::Complex,
            CreatePath::Trash => r.action = Action::Trash,
        }
        (r, spec)
    }
}

/// An account without the «ID заявки» lead field: the key is only a tag.
fn fake_without_request_id_field() -> FakeAmo {
    let mut seed = Seed::standard();
    seed.lead_fields.retain(|f| f.name != "ID заявки");
    FakeAmo::start(FakeOptions {
        rate_limit: 70,
        seed,
        ..FakeOptions::default()
    })
}

fn leads_tagged(fake: &FakeAmo, key: &str) -> Vec<support::fake_amocrm::Lead> {
    fake.leads()
        .into_iter()
        .filter(|l| l.has_tag(key))
        .collect()
}

/// Issue: a lead created through `/leads/complex` (trash, `create =
/// "complex"`) was created again after "created, then the connection
/// dropped", because without a request-id field the recovery lookup could
/// not find the key. Now every path, with the key only as a tag, yields one
/// lead — after a dropped answer (fake fault) and after a crash at every
/// step around the creating call (failpoint) — and no second create is
/// made while amoCRM cannot be asked.
#[tokio::test]
async fn interrupted_create_on_every_path_without_a_request_id_field_yields_one_lead() {
    let _serial = SERIAL.lock().await;
    let fake = fake_without_request_id_field();
    let dir = tempfile::tempdir().unwrap();
    let client = |j: &Arc<amo_intake::journal::Journal>| {
        fast_client(&fake, j, AuthConfig::LongLived(fake.long_lived_token()))
    };
    let mut n = 0;
    for path in CreatePath::ALL {
        // 1. Created, then the connection dropped before the answer; the
        //    lookups fail twice too (amoCRM's answer stays unknown).
        n += 1;
        let key = format!("ai-drop-{n}");
        let j = open(&dir.path().join(format!("{key}.db")));
        let p = pipeline(&j, client(&j));
        let (r, spec) = path.request(n);
        p.enqueue(&key, &r, &spec).unwrap();
        fake.inject(Fault::new(
            "POST",
            path.post(),
            FaultKind::ResetAfterExecute,
        ));
        fake.inject(
            Fault::new(
                "GET",
                "/api/v4/leads",
                FaultKind::Unavailable {
                    status: 503,
                    retry_after: None,
                },
            )
            .after(0)
            .times(2),
        );
        let posts_before = fake.requests_to("POST", path.post()).len();
        drain(&p, &j, Duration::from_secs(60)).await;
        let leads = leads_tagged(&fake, &key);
        assert_eq!(leads.len(), 1, "{path:?}: {leads:#?}");
        assert_eq!(
            fake.requests_to("POST", path.post()).len() - posts_before,
            1,
            "{path:?}: created once, never again while the answer was unknown"
        );
        assert_eq!(fake.lead_notes(leads[0].id).len(), 1, "{path:?}");
        assert_eq!(count(&j, OutboxState::Done), 1, "{path:?}");
        fake.clear_faults();

        // 2. A crash at each step around the creating call.
        for fp in [
            "after_contact_search",
            "after_sending_commit",
            "after_create_response",
            "after_sent_commit",
        ] {
            n += 1;
            let key = format!("ai-crash-{n}");
            let db = dir.path().join(format!("{key}.db"));
            {
                let j = open(&db);
                let p = pipeline(&j, client(&j));
                let (r, spec) = path.request(n);
                p.enqueue(&key, &r, &spec).unwrap();
                failpoint::arm(fp, 1);
                let e = p.run_once().await.unwrap_err();
                failpoint::clear();
                assert!(e.is_failpoint(), "{path:?} {fp}: {e}");
            }
            let j = open(&db);
            let p = pipeline(&j, client(&j));
            drain(&p, &j, Duration::from_secs(60)).await;
            let leads = leads_tagged(&fake, &key);
            assert_eq!(leads.len(), 1, "{path:?} {fp}: {leads:#?}");
            assert_eq!(fake.lead_notes(leads[0].id).len(), 1, "{path:?} {fp}");
            assert_eq!(count(&j, OutboxState::Done), 1, "{path:?} {fp}");
        }
    }
    assert_clean(&fake);
}
