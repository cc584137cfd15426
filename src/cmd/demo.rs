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

use crate::config::Config;
use crate::journal::Journal;
use crate::journal::mails::{IncomingMail, Recorded, Watermark};
use crate::pipeline::{Pipeline, PipelineDeps};
use crate::request::{Action, Request};
use crate::rules::{ParseOptions, RuleSet};

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

/// Alert wording per request kind (the SLA module's templates replace it).
fn kind_ru(kind: crate::request::Kind) -> &'static str {
    use crate::request::Kind;
    match kind {
        Kind::Measurement => "заявка на замер",
        Kind::Calculation => "заявка на расчёт",
        Kind::Callback => "просьба перезвонить",
        Kind::Question => "вопрос с сайта",
        Kind::Other => "заявка с сайта",
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

    // 4. The callback clock. In the demo nobody calls back, so every
    // request still waiting at its deadline raises the alert.
    // (The SLA module replaces this loop once it is wired: same deadline,
    // evidence from amoCRM, alert text from the admins' templates.)
    println!(
        "\n4. waiting {} s for callbacks (none will come in the demo)…",
        deadline.as_secs()
    );
    tokio::time::sleep_until(started + deadline).await;
    for (file, req) in &waiting {
        summary.overdue += 1;
        println!(
            "   ALERT → менеджеру: {} — {}, {} — ждёт звонка дольше {} с, перезвоните клиенту [{file}]",
            kind_ru(req.kind),
            or_dash(&req.name),
            or_dash(&req.phone),
            deadline.as_secs()
        );
    }
    println!(
        "\nsummary: {} mails → {} leads, {} for review, {} trash, {} ignored; {} overdue alerts; nothing was sent anywhere",
        summary.mails,
        summary.leads,
        summary.review,
        summary.trash,
        summary.ignored,
        summary.overdue
    );
    Ok(())
}
