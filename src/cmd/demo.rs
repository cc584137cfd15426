//! `amo-intake demo`: the whole pipeline on bundled sample mails, with no
//! outside service. The mails come from an in-process mailbox (no IMAP), go
//! through the same journal and rule set as in production (`Journal` in
//! memory, `RuleSet::builtin()`), the pipeline runs in dry-run (it prints
//! what it would create in amoCRM), and the callback clock is shortened to
//! seconds so an overdue alert shows up before the demo ends.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use arc_swap::ArcSwap;

use std::collections::HashMap;
use std::path::Path;

use futures::future::BoxFuture;

use crate::alert::channels::Memory;
use crate::alert::template::Templates;
use crate::alert::{Alerter, Channel};
use crate::config::{Config, SlaConfig};
use crate::journal::Journal;
use crate::journal::mails::{IncomingMail, Recorded, Watermark};
use crate::pipeline::{Pipeline, PipelineDeps};
use crate::request::{Action, Request};
use crate::rules::{ParseOptions, RuleSet};
use crate::sla::evidence::{EvidenceError, EvidenceSource, Found, LeadNow, Watched};
use crate::sla::{EvidenceSet, Policy, TokioClock, Watch};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The callback deadline in seconds (production: 10 minutes).
    #[arg(long, default_value_t = 3)]
    pub sla_seconds: u64,
}

/// Bundled sample mails (realistic, invented people and sites).
pub const DEMO_MAILS: &[(&str, &[u8])] = &[
    (
        "01-tilda-okna-zamer.eml",
        include_bytes!("../../demo/01-tilda-okna-zamer.eml"),
    ),
    (
        "02-cf7-potolki-raschet.eml",
        include_bytes!("../../demo/02-cf7-potolki-raschet.eml"),
    ),
    (
        "03-bitrix-kuhni-1251.eml",
        include_bytes!("../../demo/03-bitrix-kuhni-1251.eml"),
    ),
    ("04-spam.eml", include_bytes!("../../demo/04-spam.eml")),
    (
        "05-trash-seo.eml",
        include_bytes!("../../demo/05-trash-seo.eml"),
    ),
];

const DEMO_MAILBOX: &str = "demo";

/// The in-process mailbox: hands out the bundled mails with UIDs, as the
/// IMAP watcher would after a `UID FETCH`.
struct DemoMailbox {
    uidvalidity: u32,
}

impl DemoMailbox {
    fn fetch_all(&self) -> Vec<IncomingMail> {
        let now = crate::journal::now_ms();
        DEMO_MAILS
            .iter()
            .enumerate()
            .map(|(i, (_, raw))| IncomingMail {
                mailbox: DEMO_MAILBOX.into(),
                uidvalidity: self.uidvalidity,
                uid: i as u32 + 1,
                internal_date_ms: Some(now),
                raw: raw.to_vec(),
            })
            .collect()
    }
}

#[derive(Debug, Default)]
struct Summary {
    mails: usize,
    leads: usize,
    review: usize,
    trash: usize,
    ignored: usize,
    overdue: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(demo(args))?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's manager: every lead is "assigned" to this amoCRM user id.
const DEMO_MANAGER: i64 = 1;

/// Nobody calls back in the demo: no evidence, every lead still open and
/// assigned to the demo manager.
struct NoCallbacks;

impl EvidenceSource for NoCallbacks {
    fn evidence<'a>(
        &'a self,
        _leads: &'a [Watched],
        _kinds: EvidenceSet,
    ) -> BoxFuture<'a, Result<Vec<Found>, EvidenceError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn leads_now<'a>(
        &'a self,
        lead_ids: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, LeadNow>, EvidenceError>> {
        Box::pin(async move {
            Ok(lead_ids
                .iter()
                .map(|id| {
                    let now = LeadNow {
                        responsible_id: Some(DEMO_MANAGER),
                        closed: false,
                    };
                    (*id, now)
                })
                .collect())
        })
    }
}

fn or_dash(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("—")
}

async fn demo(args: Args) -> anyhow::Result<()> {
    println!(
        "amo-intake demo: {} bundled mails, in-process mailbox, dry-run amoCRM, callback clock {} s\n",
        DEMO_MAILS.len(),
        args.sla_seconds
    );
    let journal = Arc::new(Journal::in_memory().context("in-memory journal")?);
    let rules = RuleSet::builtin();
    let opts = ParseOptions::default();
    let mut summary = Summary::default();

    // 1. Mailbox → journal (as the IMAP watcher does), watermark after.
    let mailbox = DemoMailbox { uidvalidity: 1 };
    let mut last = 0;
    for mail in mailbox.fetch_all() {
        match journal.record_mail(&mail)? {
            Recorded::New(_) => summary.mails += 1,
            other => println!("  (uid {} already journalled: {other:?})", mail.uid),
        }
        last = mail.uid;
    }
    journal.set_watermark(
        DEMO_MAILBOX,
        Watermark {
            uidvalidity: mailbox.uidvalidity,
            last_uid: last,
        },
    )?;
    println!(
        "1. journalled {} mails from the in-process mailbox\n",
        summary.mails
    );

    // 2. The real pipeline, dry-run: nothing leaves the process.
    let config = Config::default();
    let pipeline = Pipeline::new(PipelineDeps {
        journal: journal.clone(),
        rules: Arc::new(ArcSwap::from_pointee(rules.clone())),
        config: Arc::new(config),
        dry_run: true,
    })?;
    let steps = pipeline.run_once().await?;
    println!("2. pipeline (dry-run) moved {steps} mails/requests a step\n");

    // 3. What each mail becomes.
    println!("3. what amoCRM would get:");
    let started = tokio::time::Instant::now();
    let deadline = Duration::from_secs(args.sla_seconds);
    let mut waiting: Vec<(String, Request)> = Vec::new();
    for (file, raw) in DEMO_MAILS {
        let req = rules.apply(raw, &opts);
        let what = match req.action {
            Action::Lead => {
                summary.leads += 1;
                "lead in «Неразобранное» + call task"
            }
            Action::Review => {
                summary.review += 1;
                "lead in «Неразобранное», tagged for review"
            }
            Action::Trash => {
                summary.trash += 1;
                "lead in «Корзина» (no task, no clock)"
            }
            Action::Ignore => {
                summary.ignored += 1;
                "nothing (spam/robot; journalled only)"
            }
        };
        println!(
            "   {file}\n     → {} / {}: {what}\n       rule: {}, name: {}, phone: {}, email: {}\n       product: {}, message: {}",
            req.action.as_str(),
            req.kind.as_str(),
            or_dash(&req.rule),
            or_dash(&req.name),
            or_dash(&req.phone),
            or_dash(&req.email),
            or_dash(&req.product),
            or_dash(&req.message),
        );
        if matches!(req.action, Action::Lead | Action::Review) {
            println!("       callback due in {} s", deadline.as_secs());
            waiting.push((file.to_string(), req));
        }
    }

    // 4. The real callback watch (sla::Watch) with the clock shortened to
    // seconds, no callbacks, and alerts kept in memory instead of sent.
    println!(
        "\n4. callback watch: {} s to call back, escalation {} s later; nobody calls in the demo…",
        deadline.as_secs(),
        deadline.as_secs()
    );
    let sla_cfg = SlaConfig {
        callback_within: Some(format!("{}s", deadline.as_secs())),
        escalate_after: Some(format!("{}s", deadline.as_secs())),
        timezone: Some("Europe/Moscow".into()),
        check_interval: Some("1s".into()),
        ..SlaConfig::default()
    };
    let policy = Policy::from_config(&sla_cfg, Path::new("demo"), None)
        .map_err(|d| anyhow::anyhow!("demo SLA policy: {d}"))?;
    let memory = Arc::new(Memory::default());
    let channel: Arc<dyn Channel> = memory.clone();
    let alerter = Alerter::new(
        vec![channel],
        Templates::default(),
        "https://example.amocrm.ru",
    )
    .with_names(HashMap::from([(
        DEMO_MANAGER,
        "Анна (менеджер)".to_string(),
    )]))
    .with_time_zone(policy.calendar.time_zone().clone());
    let watch = Watch::new(
        journal.clone(),
        policy,
        Arc::new(NoCallbacks),
        Arc::new(alerter),
        Arc::new(TokioClock::new()),
    );
    let end = started + deadline * 2 + Duration::from_millis(1500);
    let mut shown = 0;
    while tokio::time::Instant::now() < end {
        watch.tick().await.context("callback watch")?;
        let sent = memory.sent();
        for (to, text) in &sent[shown..] {
            let who = if to == "head" {
                "руководителю"
            } else {
                "менеджеру"
            };
            println!("   ALERT → {who} ({to}):");
            for line in text.lines() {
                println!("     {line}");
            }
        }
        summary.overdue += sent.len() - shown;
        shown = sent.len();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!(
        "\nsummary: {} mails → {} leads, {} for review, {} trash, {} ignored; {} alerts (manager, then head of sales); nothing was sent anywhere",
        summary.mails,
        summary.leads,
        summary.review,
        summary.trash,
        summary.ignored,
        summary.overdue
    );
    Ok(())
}
