//! Parse + rules throughput on one thread, side by side with the Python
//! stdlib baseline (benches/parse_py.py) on the same mails, and the peak RSS
//! of `amo-intake parse` over 10,000 mails. Run: `cargo bench --bench parse`.
//! Last line: `RESULT parse mails_per_s=… python_mails_per_s=… ratio=… peak_rss_mb=…`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use amo_intake::rules::{ParseOptions, RuleSet};

const MIN_MAILS: usize = 1_000;
const RSS_MAILS: usize = 10_000;

fn eml_files(dir: &Path, out: &mut Vec<Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            eml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "eml")
            && let Ok(b) = std::fs::read(&p)
        {
            out.push(b);
        }
    }
}

const NAMES: &[&str] = &[
    "Иван",
    "Мария Петрова",
    "Олег",
    "Анна Смирнова",
    "Рустам",
    "Ксения",
];
const LABELS: &[(&str, &str, &str)] = &[
    ("Имя", "Телефон", "Комментарий"),
    ("Name", "Phone", "Comments"),
    ("Ваше имя", "Ваш телефон", "Сообщение"),
    ("ФИО", "Контактный телефон", "Вопрос"),
];

/// A synthetic form mail; `i` varies sender, labels, values and layout.
fn synthetic(i: usize) -> Vec<u8> {
    let name = NAMES[i % NAMES.len()];
    let (ln, lp, lm) = LABELS[i % LABELS.len()];
    let phone = format!(
        "8 (9{:02}) {:03}-{:02}-{:02}",
        i % 100,
        i % 1000,
        i % 97,
        i % 89
    );
    let msg = [
        "Нужен замер окон",
        "Сколько стоит потолок 20 м2?",
        "Перезвоните",
        "Есть вопрос по доставке",
    ][i % 4];
    let (from, body) = match i % 3 {
        0 => (
            "noreply@tilda.ws".to_string(),
            format!(
                "Request details:\r\n{ln}: {name}\r\n{lp}: {phone}\r\n{lm}: {msg}\r\n\r\nAdditional information:\r\nRequest ID: {i}:{i}\r\nForm Name: Заявка\r\nhttps://site{i}.example/page\r\n-----\r\n"
            ),
        ),
        1 => (
            format!("wordpress@site{i}.example"),
            format!(
                "{ln}: {name}\r\n{lp}: {phone}\r\nE-mail: client{i}@example.com\r\n{lm}: {msg}\r\n\r\n-- \r\nЭто сообщение отправлено с сайта Site (https://site{i}.example)\r\n"
            ),
        ),
        _ => (
            format!("info@site{i}.example"),
            format!(
                "site{i}.example\r\n\r\nЗаполнена web-форма: [1] Заявка\r\n----------\r\n\r\nДата - 01.01.2026\r\nРезультат - {i}\r\n\r\n\r\n{ln}\r\n*******************************\r\n{name}\r\n\r\n{lp}\r\n*******************************\r\n{phone}\r\n\r\n{lm}\r\n*******************************\r\n{msg}\r\n"
            ),
        ),
    };
    let header = if i % 3 == 2 {
        "X-EVENT_NAME: FORM_FILLING_X\r\n"
    } else {
        ""
    };
    format!(
        "From: {from}\r\nTo: sales@site{i}.example\r\nSubject: Заявка с сайта {i}\r\nMessage-ID: <bench{i}@x.example>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0300\r\n{header}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
    .into_bytes()
}

fn mails() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut base = Vec::new();
    // The reference corpus beside the checkout when it is there (the
    // published figures use it), else the in-repo sample mails.
    let corpus = root.join("../shared/corpus");
    if corpus.is_dir() {
        eml_files(&corpus, &mut base);
    } else {
        eprintln!(
            "parse bench: {} not found; using demo/ and tests/fixtures/mail/ instead",
            corpus.display()
        );
        eml_files(&root.join("demo"), &mut base);
        eml_files(&root.join("tests/fixtures/mail"), &mut base);
    }
    eml_files(&root.join("tests/fixtures/rules"), &mut base);
    let mut out = Vec::new();
    // Real layouts, each with several different Message-IDs.
    for k in 0..8 {
        for b in &base {
            let mut m = format!("Message-ID: <v{k}.{}@bench.example>\r\n", out.len()).into_bytes();
            m.extend_from_slice(b);
            out.push(m);
        }
    }
    let mut i = 0;
    while out.len() < MIN_MAILS.max(base.len() * 12) {
        out.push(synthetic(i));
        i += 1;
    }
    out
}

fn rust_rate(rules: &RuleSet, mails: &[Vec<u8>], secs: f64) -> f64 {
    let opts = ParseOptions::default();
    let mut sink = 0usize;
    for m in mails {
        sink += rules.apply(m, &opts).fields.len();
    }
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for m in mails {
            sink += rules.apply(m, &opts).fields.len();
        }
        done += mails.len();
    }
    std::hint::black_box(sink);
    done as f64 / start.elapsed().as_secs_f64()
}

fn python_rate(dir: &Path, secs: f64) -> Option<f64> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/parse_py.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(dir)
        .arg(secs.to_string())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|kv| kv.strip_prefix("python_mails_per_s="))
        .and_then(|v| v.parse().ok())
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Peak RSS of the release `amo-intake parse` over `files`, in MB.
fn peak_rss_mb(files: &[PathBuf]) -> Option<f64> {
    let out = tempfile::NamedTempFile::new().ok()?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_amo-intake"))
        .arg("parse")
        .args(files)
        .stdout(Stdio::from(out.reopen().ok()?))
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let pid = child.id();
    let mut peak = 0u64;
    loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => return None,
        }
    }
    let lines = std::fs::read_to_string(out.path()).ok()?.lines().count();
    if lines != files.len() {
        eprintln!("parse printed {lines} lines for {} files", files.len());
        return None;
    }
    Some(peak as f64 / 1024.0)
}

fn main() -> std::io::Result<()> {
    let rules = RuleSet::builtin();
    let mails = mails();
    // `cargo test --all-targets` runs this binary without `--bench` (and in
    // the debug profile): a smoke pass only, the figures need `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        let opts = ParseOptions::default();
        let read = mails
            .iter()
            .filter(|m| !rules.apply(m, &opts).fields.is_empty())
            .count();
        println!(
            "smoke: {read}/{} mails read; run `cargo bench --bench parse` for figures",
            mails.len()
        );
        return Ok(());
    }
    println!("mails: {} ({} rules)", mails.len(), rules.rules().len());
    // A fixed amount of work, for `perf stat -e instructions:u` (a count
    // that does not depend on what else the machine is doing).
    if let Some(rounds) = std::env::var("AMO_PARSE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let opts = ParseOptions::default();
        let mut sink = 0usize;
        // `AMO_PARSE_BENCH_SET=real|synthetic`: only the mails read from
        // files, or only the generated ones (where a mail's cost sits).
        let set = std::env::var("AMO_PARSE_BENCH_SET").unwrap_or_default();
        let mails: Vec<&Vec<u8>> = mails
            .iter()
            .filter(|m| match set.as_str() {
                "real" => m.starts_with(b"Message-ID: <v"),
                "synthetic" => !m.starts_with(b"Message-ID: <v"),
                _ => true,
            })
            .collect();
        for _ in 0..rounds {
            for m in &mails {
                sink += rules.apply(m, &opts).fields.len();
            }
        }
        println!("rounds: {rounds} x {} mails (sink {sink})", mails.len());
        return Ok(());
    }

    let dir = tempfile::tempdir()?;
    let mut files = Vec::new();
    for (i, m) in mails.iter().enumerate() {
        let p = dir.path().join(format!("m{i:05}.eml"));
        std::fs::write(&p, m)?;
        files.push(p);
    }

    // Rust and Python take turns (3 x 1 s each), so that load from other
    // work on the machine weighs on both sides of the ratio alike.
    let (mut rust, mut python) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        rust.push(rust_rate(&rules, &mails, 1.0));
        python.push(python_rate(dir.path(), 1.0).unwrap_or(f64::NAN));
    }
    let rate = rust.iter().sum::<f64>() / rust.len() as f64;
    let py = python.iter().sum::<f64>() / python.len() as f64;
    let turns: Vec<String> = rust
        .iter()
        .zip(&python)
        .map(|(r, p)| format!("{r:.0}/{p:.0}"))
        .collect();
    println!("rust: {rate:.0} mails/s (parse + rules, one thread)");
    println!("python (email + re): {py:.0} mails/s");
    println!("turns (rust/python mails/s): {}", turns.join(" "));

    let rss_dir = tempfile::tempdir()?;
    let mut rss_files = Vec::new();
    for i in 0..RSS_MAILS {
        let p = rss_dir.path().join(format!("r{i:05}.eml"));
        std::fs::write(&p, &mails[i % mails.len()])?;
        rss_files.push(p);
    }
    let rss = peak_rss_mb(&rss_files).unwrap_or(f64::NAN);
    println!("peak RSS of `amo-intake parse` over {RSS_MAILS} mails: {rss:.1} MB");

    let ratio = rate / py;
    println!(
        "RESULT parse mails_per_s={rate:.0} python_mails_per_s={py:.0} ratio={ratio:.1} peak_rss_mb={rss:.1}"
    );
    Ok(())
}
