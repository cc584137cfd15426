//! The request kind and action decided by the client's words, whatever the
//! template: each line of tests/fixtures/kinds/phrases.tsv (expected action,
//! expected kind, optional subject, the client's text) becomes a plain
//! website-form mail (`Имя:` / `Телефон:` / `Сообщение:`) read with the
//! builtin rules.
//!
//! It prints `RESULT kinds phrases=… kinds=…% actions=…%` and every misread
//! line. `KNOWN_GAPS` beside the phrases lists the texts (exactly as in the
//! file) the reader still reads wrong: the test fails when an unlisted line
//! is misread, and when a listed line starts to read right (take it off the
//! list: the list only shrinks).

use std::collections::BTreeSet;
use std::path::PathBuf;

use amo_intake::rules::{ParseOptions, RuleSet};

#[path = "support/percent.rs"]
mod percent;
use percent::pct;

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kinds"))
}

/// One labelled line of phrases.tsv.
struct Phrase {
    line: usize,
    action: String,
    kind: String,
    subject: String,
    text: String,
}

fn phrases() -> Result<Vec<Phrase>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(dir().join("phrases.tsv"))?;
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = l.splitn(4, '\t').collect();
        let [action, kind, subject, text] = cols[..] else {
            return Err(format!("phrases.tsv:{}: want 4 tab-separated columns", i + 1).into());
        };
        out.push(Phrase {
            line: i + 1,
            action: action.to_string(),
            kind: kind.to_string(),
            subject: subject.to_string(),
            text: text.replace("\\n", "\n"),
        });
    }
    Ok(out)
}

fn known_gaps() -> Result<BTreeSet<String>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(dir().join("KNOWN_GAPS"))?;
    Ok(text
        .lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// A plain-text website-form mail carrying the client's text.
fn mail(p: &Phrase, n: usize) -> Vec<u8> {
    let subject = if p.subject.is_empty() {
        "Заявка с сайта"
    } else {
        p.subject.as_str()
    };
    let mut body = format!(
        "Имя: Клиент {n}\r\nТелефон: +7 916 {:03} {:02} {:02}\r\n",
        100 + n % 900,
        10 + n % 90,
        10 + (n / 7) % 90
    );
    if !p.text.is_empty() {
        body.push_str("Сообщение: ");
        body.push_str(&p.text.replace('\n', "\r\n"));
        body.push_str("\r\n");
    }
    // An RFC 2047 subject and a base64 body, as PHP mail() handlers send them.
    format!(
        "From: site@example.test\r\nTo: sales@example.test\r\nSubject: =?UTF-8?B?{}?=\r\n\
         Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nMessage-ID: <k{n}@example.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        b64(subject.as_bytes()),
        b64(body.as_bytes())
    )
    .into_bytes()
}

/// Standard base64 with padding (the test needs no crate for it).
fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn the_clients_words_decide_kind_and_action() -> Result<(), Box<dyn std::error::Error>> {
    let rules = RuleSet::builtin();
    let opts = ParseOptions::default();
    let phrases = phrases()?;
    let gaps = known_gaps()?;
    let texts: BTreeSet<String> = phrases
        .iter()
        .map(|p| p.text.replace('\n', "\\n"))
        .collect();
    for g in &gaps {
        assert!(
            texts.contains(g),
            "KNOWN_GAPS names «{g}», which is no phrase here"
        );
    }
    let (mut kinds_eq, mut actions_eq) = (0, 0);
    let (mut unexpected, mut healed, mut listed) = (Vec::new(), Vec::new(), Vec::new());
    for (n, p) in phrases.iter().enumerate() {
        let got = rules.apply(&mail(p, n), &opts);
        let (action, kind) = (got.action.as_str(), got.kind.as_str());
        kinds_eq += usize::from(kind == p.kind);
        actions_eq += usize::from(action == p.action);
        let key = p.text.replace('\n', "\\n");
        let right = kind == p.kind && action == p.action;
        let gap = gaps.contains(&key);
        if right {
            if gap {
                healed.push(key);
            }
            continue;
        }
        let line = format!(
            "  phrases.tsv:{}: want {}/{} got {action}/{kind}: {key}",
            p.line, p.action, p.kind
        );
        if gap {
            listed.push(line);
        } else {
            unexpected.push(line);
        }
    }
    println!(
        "RESULT kinds phrases={} kinds={:.1}% actions={:.1}%",
        phrases.len(),
        pct(kinds_eq, phrases.len()),
        pct(actions_eq, phrases.len())
    );
    if !listed.is_empty() {
        println!("misread, listed in KNOWN_GAPS:\n{}", listed.join("\n"));
    }
    assert!(
        unexpected.is_empty(),
        "{} phrases misread and not in KNOWN_GAPS:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        healed.is_empty(),
        "these phrases now read right; take them off tests/fixtures/kinds/KNOWN_GAPS: {}",
        healed.join(" | ")
    );
    Ok(())
}
