//! Raw mails as received, and each mailbox's watermark.
//!
//! A mail is keyed by (mailbox, UIDVALIDITY, UID). It is recorded before it
//! is parsed, so a mail already recorded is never processed twice. The
//! watermark (last UID journalled) only moves past mails actually recorded.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

#[cfg(test)]
use super::JournalError;
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

/// Raw mails live in their own table (migration 4; `mails.raw` is left
/// empty): SQLite rewrites a whole row on every UPDATE, so with the bytes in
/// `mails` each state change of a 24 MB mail cost two 24 MB copies in
/// memory. `mail_id` is the rowid, so the bytes are read and written in
/// pieces with incremental blob I/O.
pub(super) const SCHEMA_RAW: &str = r#"
CREATE TABLE mail_raw (
    mail_id INTEGER PRIMARY KEY REFERENCES mails(id),
    raw     BLOB    NOT NULL
);
INSERT INTO mail_raw (mail_id, raw) SELECT id, raw FROM mails;
UPDATE mails SET raw = x'';
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

/// A mail received in pieces (see [`Journal::stage_chunk`]): where it is
/// from and when the server got it.
#[derive(Debug, Clone)]
pub struct MailHead {
    pub mailbox: String,
    pub uidvalidity: u32,
    pub uid: u32,
    pub internal_date_ms: Option<i64>,
}

/// Pieces of a mail being received, before it is journalled whole. A TEMP
/// table: it lives in SQLite's temporary file, not in the state file, and
/// vanishes with the connection, so a crash mid-receive leaves nothing (the
/// watermark has not moved; the mail is fetched again).
const STAGING: &str = "CREATE TEMP TABLE IF NOT EXISTS mail_chunks (
    mailbox TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,
    seq INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid, seq))";

/// Bytes copied at a time between staged pieces and the journalled mail,
/// and read at a time when a journalled mail is streamed out.
pub const COPY_BYTES: usize = 256 * 1024;

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
        let twin = find_twin(&tx, msgid.as_deref(), &hash, &mail.mailbox)?;
        let head = MailHead {
            mailbox: mail.mailbox.clone(),
            uidvalidity: mail.uidvalidity,
            uid: mail.uid,
            internal_date_ms: mail.internal_date_ms,
        };
        let id = insert_mail_row(&tx, &head, msgid.as_deref(), &hash, mail.raw.len(), twin)?;
        tx.execute(
            "INSERT INTO mail_raw (mail_id, raw) VALUES (?1, ?2)",
            params![id, mail.raw],
        )?;
        tx.commit()?;
        Ok(match twin {
            Some(of) => Recorded::Duplicate { id, of },
            None => Recorded::New(id),
        })
    }

    /// Stores piece `seq` (0, 1, 2…) of a mail being received; piece 0
    /// drops what an earlier, broken receive of the same mail left. Memory
    /// stays at one piece, whatever the mail's size.
    pub fn stage_chunk(&self, head: &MailHead, seq: u32, data: &[u8]) -> Result<()> {
        let conn = self.conn();
        conn.execute_batch(STAGING)?;
        if seq == 0 {
            conn.execute(
                "DELETE FROM temp.mail_chunks WHERE mailbox=?1 AND uidvalidity=?2 AND uid=?3",
                params![head.mailbox, head.uidvalidity, head.uid],
            )?;
        }
        conn.execute(
            "INSERT OR REPLACE INTO temp.mail_chunks (mailbox, uidvalidity, uid, seq, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![head.mailbox, head.uidvalidity, head.uid, seq, data],
        )?;
        Ok(())
    }

    /// Journals a mail from its staged pieces, like [`Journal::record_mail`]
    /// (same idempotence and duplicate check), copying piece by piece into
    /// the row (SQLite incremental blob I/O), so the whole mail is never in
    /// memory. The pieces are dropped.
    pub fn record_staged(&self, head: &MailHead) -> Result<Recorded> {
        let mut conn = self.conn();
        conn.execute_batch(STAGING)?;
        let tx = conn.transaction()?;
        let key = params![head.mailbox, head.uidvalidity, head.uid];
        let pieces: Vec<(i64, usize)> = {
            let mut st = tx.prepare(
                "SELECT rowid, length(data) FROM temp.mail_chunks WHERE mailbox=?1 AND uidvalidity=?2 AND uid=?3 ORDER BY seq",
            )?;
            st.query_map(key, |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?
                .collect::<std::result::Result<_, _>>()?
        };
        let known: Option<i64> = tx
            .query_row(
                "SELECT id FROM mails WHERE mailbox=?1 AND uidvalidity=?2 AND uid=?3",
                key,
                |r| r.get(0),
            )
            .optional()?;
        let drop_pieces = |tx: &rusqlite::Transaction<'_>| {
            tx.execute(
                "DELETE FROM temp.mail_chunks WHERE mailbox=?1 AND uidvalidity=?2 AND uid=?3",
                key,
            )
        };
        if let Some(id) = known {
            drop_pieces(&tx)?;
            tx.commit()?;
            return Ok(Recorded::AlreadyKnown(id));
        }
        // One pass over the pieces: hash, size, and the header block for
        // the Message-ID (within the first SNIFF bytes).
        const SNIFF: usize = 64 * 1024;
        let mut hasher = Sha256::new();
        let mut head_bytes: Vec<u8> = Vec::new();
        let mut size = 0usize;
        let mut buf = vec![0u8; COPY_BYTES];
        each_staged_byte_run(&tx, &pieces, &mut buf, |bytes| {
            hasher.update(bytes);
            if head_bytes.len() < SNIFF {
                let take = bytes.len().min(SNIFF - head_bytes.len());
                head_bytes.extend_from_slice(&bytes[..take]);
            }
            size += bytes.len();
            Ok(())
        })?;
        let hash = hex::encode(hasher.finalize());
        let msgid = sniff_message_id(&head_bytes);
        let twin = find_twin(&tx, msgid.as_deref(), &hash, &head.mailbox)?;
        let id = insert_mail_row(&tx, head, msgid.as_deref(), &hash, size, twin)?;
        // A zero blob as the row's last column costs no memory (SQLite
        // stores the zeros page by page); the pieces are then copied in.
        tx.execute(
            "INSERT INTO mail_raw (mail_id, raw) VALUES (?1, zeroblob(?2))",
            params![id, size as i64],
        )?;
        {
            let mut out = tx.blob_open("main", "mail_raw", "raw", id, false)?;
            let mut to = 0usize;
            each_staged_byte_run(&tx, &pieces, &mut buf, |bytes| {
                out.write_at(bytes, to)?;
                to += bytes.len();
                Ok(())
            })?;
        }
        drop_pieces(&tx)?;
        tx.commit()?;
        Ok(match twin {
            Some(of) => Recorded::Duplicate { id, of },
            None => Recorded::New(id),
        })
    }

    /// Size in bytes of journalled mail `id`.
    pub fn mail_size(&self, id: i64) -> Result<usize> {
        let conn = self.conn();
        let n: i64 = conn.query_row(
            "SELECT length(raw) FROM mail_raw WHERE mail_id=?1",
            params![id],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as usize)
    }

    /// Reads up to `buf.len()` bytes of mail `id` from `offset`; 0 at the
    /// end. Incremental blob I/O: the mail is never loaded whole.
    pub fn read_mail_at(&self, id: i64, offset: usize, buf: &mut [u8]) -> Result<usize> {
        let conn = self.conn();
        let blob = conn.blob_open("main", "mail_raw", "raw", id, true)?;
        Ok(blob.read_at(buf, offset)?)
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

/// Calls `f` with the bytes of the staged `pieces` (rowid, length), in
/// order, at most `buf.len()` at a time.
fn each_staged_byte_run(
    tx: &rusqlite::Transaction<'_>,
    pieces: &[(i64, usize)],
    buf: &mut [u8],
    mut f: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    for &(rowid, len) in pieces {
        let blob = tx.blob_open("temp", "mail_chunks", "data", rowid, true)?;
        let mut at = 0;
        while at < len {
            let n = blob.read_at(buf, at)?;
            if n == 0 {
                break;
            }
            f(&buf[..n])?;
            at += n;
        }
    }
    Ok(())
}

/// The `mails` row of a new mail (its bytes go to `mail_raw`); a `twin`
/// makes it a duplicate, never processed.
fn insert_mail_row(
    tx: &rusqlite::Transaction<'_>,
    head: &MailHead,
    msgid: Option<&str>,
    hash: &str,
    size: usize,
    twin: Option<i64>,
) -> Result<i64> {
    let state = if twin.is_some() { "duplicate" } else { "seen" };
    tx.execute(
        "INSERT INTO mails (mailbox, uidvalidity, uid, message_id, content_hash, internal_date, received_at, size, raw, state, duplicate_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, x'', ?9, ?10)",
        params![
            head.mailbox,
            head.uidvalidity,
            head.uid,
            msgid,
            hash,
            head.internal_date_ms,
            super::now_ms(),
            size as i64,
            state,
            twin
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The mail this one repeats under another UID (UIDVALIDITY change,
/// re-append): same Message-ID and content, or same content in the same
/// mailbox when there is no Message-ID.
fn find_twin(
    tx: &rusqlite::Transaction<'_>,
    msgid: Option<&str>,
    hash: &str,
    mailbox: &str,
) -> Result<Option<i64>> {
    Ok(match msgid {
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
                params![hash, mailbox],
                |r| r.get(0),
            )
            .optional()?,
    })
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

    fn staged(j: &Journal, uid: u32, raw: &[u8], piece: usize) -> Result<Recorded> {
        let head = MailHead {
            mailbox: "sales".into(),
            uidvalidity: 1,
            uid,
            internal_date_ms: Some(5),
        };
        for (seq, chunk) in raw.chunks(piece).enumerate() {
            j.stage_chunk(&head, seq as u32, chunk)?;
        }
        j.record_staged(&head)
    }

    #[test]
    fn a_mail_received_in_pieces_is_journalled_whole_and_read_back_in_pieces() -> Result<()> {
        let j = Journal::in_memory()?;
        let mut raw = b"Message-ID: <big@x>\r\nSubject: big\r\n\r\n".to_vec();
        raw.extend((0..3_000_000u32).map(|i| (i % 251) as u8));
        let Recorded::New(id) = staged(&j, 7, &raw, 1 << 20)? else {
            panic!("new");
        };
        assert_eq!(j.mail_size(id)?, raw.len());
        let mut back = Vec::new();
        let mut buf = vec![0u8; 100_000];
        loop {
            let n = j.read_mail_at(id, back.len(), &mut buf)?;
            if n == 0 {
                break;
            }
            back.extend_from_slice(&buf[..n]);
        }
        assert!(back == raw, "same bytes back");
        let (hash, msgid): (String, String) = j.conn().query_row(
            "SELECT content_hash, message_id FROM mails WHERE id=?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(hash, content_hash(&raw));
        assert_eq!(msgid, "big@x");
        // Idempotent, and the same mail under a new UIDVALIDITY is a duplicate
        // whichever way it came in.
        assert_eq!(staged(&j, 7, &raw, 1 << 20)?, Recorded::AlreadyKnown(id));
        let again = j.record_mail(&IncomingMail {
            mailbox: "sales".into(),
            uidvalidity: 2,
            uid: 1,
            internal_date_ms: None,
            raw: raw.clone(),
        })?;
        assert!(matches!(again, Recorded::Duplicate { of, .. } if of == id));
        // Nothing is left staged.
        let left: i64 = j
            .conn()
            .query_row("SELECT COUNT(*) FROM temp.mail_chunks", [], |r| r.get(0))?;
        assert_eq!(left, 0);
        Ok(())
    }

    #[test]
    fn a_broken_receive_is_replaced_by_the_next_one() -> Result<()> {
        let j = Journal::in_memory()?;
        let head = MailHead {
            mailbox: "sales".into(),
            uidvalidity: 1,
            uid: 9,
            internal_date_ms: None,
        };
        // Two pieces of a first try, then the connection broke.
        j.stage_chunk(&head, 0, b"garbage-1")?;
        j.stage_chunk(&head, 1, b"garbage-2")?;
        let raw = b"Subject: x\r\n\r\nhello";
        let Recorded::New(id) = staged(&j, 9, raw, 4)? else {
            panic!("new");
        };
        let mut buf = vec![0u8; 64];
        let n = j.read_mail_at(id, 0, &mut buf)?;
        assert_eq!(&buf[..n], raw);
        Ok(())
    }

    #[test]
    fn an_older_state_file_has_its_raw_mails_moved_to_their_own_table() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| JournalError::Data(e.to_string()))?;
        let path = dir.path().join("state.db");
        {
            let c = rusqlite::Connection::open(&path)?;
            c.execute_batch(SCHEMA)?;
            c.execute_batch(crate::journal::outbox::SCHEMA)?;
            c.execute_batch(crate::journal::sla::SCHEMA)?;
            c.pragma_update(None, "user_version", 3)?;
            c.execute(
                "INSERT INTO mails (mailbox, uidvalidity, uid, content_hash, received_at, size, raw)
                 VALUES ('sales', 1, 1, 'h', 0, 5, x'68656c6c6f')",
                [],
            )?;
        }
        let j = Journal::open(&path)?;
        let id: i64 = j
            .conn()
            .query_row("SELECT id FROM mails", [], |r| r.get(0))?;
        let mut buf = [0u8; 16];
        let n = j.read_mail_at(id, 0, &mut buf)?;
        assert_eq!(&buf[..n], b"hello");
        let left: i64 = j
            .conn()
            .query_row("SELECT length(raw) FROM mails", [], |r| r.get(0))?;
        assert_eq!(left, 0, "the bytes are stored once");
        Ok(())
    }

    #[test]
    fn sniffs_folded_message_id() {
        let raw = b"From: a\r\nMessage-Id:\r\n <abc@x>\r\n\r\nbody";
        assert_eq!(sniff_message_id(raw).as_deref(), Some("abc@x"));
    }
}
