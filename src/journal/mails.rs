//! Raw mails as received, and each mailbox's watermark.
//!
//! A mail is keyed by (mailbox, UIDVALIDITY, UID). It is recorded before it
//! is parsed, so a mail already recorded is never processed twice. The
//! watermark (last UID journalled) only moves past mails actually recorded.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Journal, Result};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE mails (
    id            INTEGER PRIMARY KEY,
    mailbox       TEXT    NOT NULL,
    uidvalidity   INTEGER NOT NULL,
    uid           INTEGER NOT NULL,
    message_id    TEXT,
    content_hash  TEXT    NOT NULL,
    internal_date INTEGER,          -- unix ms, IMAP INTERNALDATE (SLA start)
    received_at   INTEGER NOT NULL, -- unix ms, when we journalled it
    size          INTEGER NOT NULL,
    raw           BLOB    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'seen', -- seen|parsed|done|duplicate|quarantined
    rule_set      TEXT,             -- rule-set version that parsed it
    error         TEXT,
    duplicate_of  INTEGER REFERENCES mails(id),
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX mails_state ON mails(state);
CREATE INDEX mails_msgid ON mails(message_id, content_hash);
CREATE TABLE mailboxes (
    mailbox      TEXT PRIMARY KEY,
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    last_sync    INTEGER           -- unix ms of the last successful sync
);
"#;

/// One mail as fetched from a source.
#[derive(Debug, Clone)]
pub struct IncomingMail {
    pub mailbox: String,
    pub uidvalidity: u32,
    pub uid: u32,
    /// IMAP INTERNALDATE as unix ms, when the server gave one.
    pub internal_date_ms: Option<i64>,
    pub raw: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// New mail, journalled with this id, waiting to be parsed.
    New(i64),
    /// This (mailbox, UIDVALIDITY, UID) was already journalled.
    AlreadyKnown(i64),
    /// Same Message-ID and content as mail `of` (e.g. after a UIDVALIDITY
    /// change): journalled as a duplicate, not processed again.
    Duplicate { id: i64, of: i64 },
}

/// Per-mailbox sync position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermark {
    pub uidvalidity: u32,
    pub last_uid: u32,
}

pub fn content_hash(raw: &[u8]) -> String {
    hex::encode(Sha256::digest(raw))
}

/// Message-ID without angle brackets, found by a cheap header scan (the full
/// parse happens later, from the journal).
pub fn sniff_message_id(raw: &[u8]) -> Option<String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len().min(64 * 1024));
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.lines().peekable();
    while let Some(line) = lines.next() {
        if line.len() >= 11 && line[..11].eq_ignore_ascii_case("message-id:") {
            let mut v = line[11..].trim().to_string();
            while let Some(next) = lines.peek() {
                if next.starts_with([' ', '\t']) {
                    v.push_str(next.trim());
                    lines.next();
                } else {
                    break;
                }
            }
            let v = v
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string();
            return if v.is_empty() { None } else { Some(v) };
        }
    }
    None
}

impl Journal {
    /// Records a mail before anything else happens to it. Idempotent.
    pub fn record_mail(&self, mail: &IncomingMail) -> Result<Recorded> {
        let hash = content_hash(&mail.raw);
        let msgid = sniff_message_id(&mail.raw);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let known: Option<i64> = tx
            .query_row(
                "SELECT id FROM mails WHERE mailbox=?1 AND uidvalidity=?2 AND uid=?3",
                params![mail.mailbox, mail.uidvalidity, mail.uid],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = known {
            return Ok(Recorded::AlreadyKnown(id));
        }
        // Same mail seen under another UID (UIDVALIDITY change, re-append).
        let twin: Option<i64> = match &msgid {
            Some(m) => tx
                .query_row(
                    "SELECT id FROM mails WHERE message_id=?1 AND content_hash=?2 AND duplicate_of IS NULL ORDER BY id LIMIT 1",
                    params![m, hash],
                    |r| r.get(0),
                )
                .optional()?,
            None => tx
                .query_row(
                    "SELECT id FROM mails WHERE message_id IS NULL AND content_hash=?1 AND mailbox=?2 AND duplicate_of IS NULL ORDER BY id LIMIT 1",
                    params![hash, mail.mailbox],
                    |r| r.get(0),
                )
                .optional()?,
        };
        let state = if twin.is_some() { "duplicate" } else { "seen" };
        tx.execute(
            "INSERT INTO mails (mailbox, uidvalidity, uid, message_id, content_hash, internal_date, received_at, size, raw, state, duplicate_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                mail.mailbox,
                mail.uidvalidity,
                mail.uid,
                msgid,
                hash,
                mail.internal_date_ms,
                super::now_ms(),
                mail.raw.len() as i64,
                mail.raw,
                state,
                twin
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(match twin {
            Some(of) => Recorded::Duplicate { id, of },
            None => Recorded::New(id),
        })
    }

    pub fn watermark(&self, mailbox: &str) -> Result<Option<Watermark>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT uidvalidity, last_uid FROM mailboxes WHERE mailbox=?1",
                params![mailbox],
                |r| {
                    Ok(Watermark {
                        uidvalidity: r.get(0)?,
                        last_uid: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Moves the watermark; call only after every mail up to `last_uid` is recorded.
    pub fn set_watermark(&self, mailbox: &str, wm: Watermark) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO mailboxes (mailbox, uidvalidity, last_uid, last_sync) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(mailbox) DO UPDATE SET uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid, last_sync=excluded.last_sync",
            params![mailbox, wm.uidvalidity, wm.last_uid, super::now_ms()],
        )?;
        Ok(())
    }

    /// Records that a sync completed without moving the watermark.
    pub fn touch_sync(&self, mailbox: &str) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE mailboxes SET last_sync=?2 WHERE mailbox=?1",
            params![mailbox, super::now_ms()],
        )?;
        Ok(())
    }

    /// Number of mails journalled for a mailbox in a given state (tests, status).
    pub fn count_mails(&self, state: Option<&str>) -> Result<i64> {
        let conn = self.conn();
        Ok(match state {
            Some(s) => conn.query_row(
                "SELECT COUNT(*) FROM mails WHERE state=?1",
                params![s],
                |r| r.get(0),
            )?,
            None => conn.query_row("SELECT COUNT(*) FROM mails", [], |r| r.get(0))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(uidvalidity: u32, uid: u32, body: &str) -> IncomingMail {
        IncomingMail {
            mailbox: "sales".into(),
            uidvalidity,
            uid,
            internal_date_ms: None,
            raw: format!("Message-ID: <m{body}@x>\r\nSubject: t\r\n\r\n{body}\r\n").into_bytes(),
        }
    }

    #[test]
    fn record_is_idempotent_and_dedupes_by_message_id() -> Result<()> {
        let j = Journal::in_memory()?;
        let Recorded::New(id) = j.record_mail(&mail(1, 5, "a"))? else {
            panic!("first record must be new");
        };
        assert_eq!(j.record_mail(&mail(1, 5, "a"))?, Recorded::AlreadyKnown(id));
        // Mailbox re-created: new UIDVALIDITY, same mail.
        assert!(
            matches!(j.record_mail(&mail(2, 1, "a"))?, Recorded::Duplicate { of, .. } if of == id)
        );
        assert!(matches!(j.record_mail(&mail(2, 2, "b"))?, Recorded::New(_)));
        assert_eq!(j.count_mails(Some("seen"))?, 2);
        Ok(())
    }

    #[test]
    fn watermark_roundtrip() -> Result<()> {
        let j = Journal::in_memory()?;
        assert_eq!(j.watermark("sales")?, None);
        j.set_watermark(
            "sales",
            Watermark {
                uidvalidity: 7,
                last_uid: 42,
            },
        )?;
        assert_eq!(
            j.watermark("sales")?,
            Some(Watermark {
                uidvalidity: 7,
                last_uid: 42
            })
        );
        Ok(())
    }

    #[test]
    fn sniffs_folded_message_id() {
        let raw = b"From: a\r\nMessage-Id:\r\n <abc@x>\r\n\r\nbody";
        assert_eq!(sniff_message_id(raw).as_deref(), Some("abc@x"));
    }
}
