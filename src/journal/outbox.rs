//! Requests, their delivery outbox and the OAuth token pair.
//!
//! Per request the outbox row walks `queued → sending(key) → sent(lead id,
//! contact id) → noted → done`; each step is committed before the next
//! outside call, so after a crash a `sending` row is looked up in amoCRM by
//! its key before anything is created again. A request amoCRM rejects (400)
//! becomes `quarantined` with amoCRM's explanation and is never deleted;
//! `ignore` requests are `ignored` (journal only).

use rusqlite::{OptionalExtension, Row, params};
use sha2::{Digest, Sha256};

use super::{Journal, JournalError, Result};
use crate::request::{Action, Request};
use crate::rules::CrmSpec;

pub(super) const SCHEMA: &str = r#"
CREATE TABLE requests (
    id          INTEGER PRIMARY KEY,
    mail_id     INTEGER UNIQUE REFERENCES mails(id),
    key         TEXT    NOT NULL UNIQUE,  -- idempotency key, "ai-" + 16 hex
    rule        TEXT,
    rule_set    TEXT,                     -- rule-set version that parsed it
    action      TEXT    NOT NULL,
    request     TEXT    NOT NULL,         -- Request as JSON
    spec        TEXT    NOT NULL,         -- CrmSpec snapshot as JSON
    rr_index    INTEGER NOT NULL DEFAULT 0, -- round-robin position
    received_at INTEGER NOT NULL,         -- unix ms (SLA start)
    deadline    INTEGER,                  -- unix ms, call-task due time
    created_at  INTEGER NOT NULL
);
CREATE TABLE outbox (
    request_id   INTEGER PRIMARY KEY REFERENCES requests(id),
    key          TEXT    NOT NULL UNIQUE,
    state        TEXT    NOT NULL, -- queued|sending|sent|noted|done|quarantined|ignored
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_error   TEXT,
    lead_id      INTEGER,
    contact_id   INTEGER,
    unsorted_uid TEXT,
    solo         INTEGER NOT NULL DEFAULT 0, -- send alone (batch was rejected)
    notes_posting INTEGER NOT NULL DEFAULT 0, -- a note POST may have happened
    tasks_posting INTEGER NOT NULL DEFAULT 0, -- a task POST may have happened
    updated_at   INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt);
CREATE TABLE tokens (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    access_token  TEXT    NOT NULL,
    refresh_token TEXT    NOT NULL,
    expires_at    INTEGER NOT NULL, -- unix s
    updated_at    INTEGER NOT NULL
);
"#;

/// Migration 4: when the creating calls of a row happened (the crash lookup
/// lists leads touched since the first one, and waits out a call that may
/// still be executing after the last one), and when a row or a mail was
/// quarantined (status, alerts, `requeue`).
pub(super) const SCHEMA_V4: &str = r#"
ALTER TABLE outbox ADD COLUMN first_try INTEGER; -- unix ms, first creating call
ALTER TABLE outbox ADD COLUMN last_try INTEGER;  -- unix ms, latest creating call
ALTER TABLE outbox ADD COLUMN quarantined_at INTEGER; -- unix ms
ALTER TABLE outbox ADD COLUMN alerted INTEGER NOT NULL DEFAULT 0; -- admin told of the quarantine
ALTER TABLE mails ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0; -- parse attempts started
ALTER TABLE mails ADD COLUMN quarantined_at INTEGER; -- unix ms
ALTER TABLE mails ADD COLUMN alerted INTEGER NOT NULL DEFAULT 0;
"#;

/// The idempotency key of a mail: stable across restarts and re-fetches,
/// short enough for a tag and a text field.
pub fn idempotency_key(
    mailbox: &str,
    uidvalidity: u32,
    uid: u32,
    message_id: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    h.update(mailbox.as_bytes());
    h.update([0]);
    h.update(uidvalidity.to_be_bytes());
    h.update(uid.to_be_bytes());
    h.update([0]);
    h.update(message_id.unwrap_or("").as_bytes());
    let d = h.finalize();
    format!("ai-{}", hex::encode(&d[..8]))
}

/// A mail waiting to be parsed.
#[derive(Debug, Clone)]
pub struct SeenMail {
    pub id: i64,
    pub mailbox: String,
    pub uidvalidity: u32,
    pub uid: u32,
    pub message_id: Option<String>,
    pub internal_date_ms: Option<i64>,
    pub received_at_ms: i64,
    /// Size of the raw mail in bytes.
    pub size: usize,
    /// The raw mail when it is at most [`INLINE_RAW_BYTES`]; a larger one
    /// is left in the journal (empty here) and streamed from it
    /// ([`Journal::read_mail_at`]).
    pub raw: Vec<u8>,
}

/// The columns [`SeenMail::from_row`] reads, in order.
/// Selected `FROM mails m LEFT JOIN mail_raw r ON r.mail_id = m.id`, with
/// `?2` bound to [`INLINE_RAW_BYTES`].
pub(super) const SEEN_COLUMNS: &str =
    "m.id, m.mailbox, m.uidvalidity, m.uid, m.message_id, m.internal_date, m.received_at, m.size,
     CASE WHEN m.size <= ?2 THEN r.raw ELSE x'' END";

/// The tables [`SEEN_COLUMNS`] are selected from.
pub(super) const SEEN_FROM: &str = "mails m LEFT JOIN mail_raw r ON r.mail_id = m.id";

impl SeenMail {
    /// One row selected with [`SEEN_COLUMNS`].
    pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<SeenMail> {
        Ok(SeenMail {
            id: r.get(0)?,
            mailbox: r.get(1)?,
            uidvalidity: r.get(2)?,
            uid: r.get(3)?,
            message_id: r.get(4)?,
            internal_date_ms: r.get(5)?,
            received_at_ms: r.get(6)?,
            size: r.get::<_, i64>(7)?.max(0) as usize,
            raw: r.get::<_, Option<Vec<u8>>>(8)?.unwrap_or_default(),
        })
    }

    pub fn key(&self) -> String {
        idempotency_key(
            &self.mailbox,
            self.uidvalidity,
            self.uid,
            self.message_id.as_deref(),
        )
    }
}

/// What to enqueue for one parsed mail (or a request built directly).
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub mail_id: Option<i64>,
    pub key: &'a str,
    pub request: &'a Request,
    pub spec: &'a CrmSpec,
    pub rule_set: &'a str,
    /// When the client wrote (SLA start), unix ms.
    pub received_at_ms: i64,
    /// Call-task due time, unix ms.
    pub deadline_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Noted,
    Done,
    Quarantined,
    Ignored,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Noted => "noted",
            OutboxState::Done => "done",
            OutboxState::Quarantined => "quarantined",
            OutboxState::Ignored => "ignored",
        }
    }

    fn parse(s: &str) -> Result<OutboxState> {
        Ok(match s {
            "queued" => OutboxState::Queued,
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "noted" => OutboxState::Noted,
            "done" => OutboxState::Done,
            "quarantined" => OutboxState::Quarantined,
            "ignored" => OutboxState::Ignored,
            other => {
                return Err(JournalError::Data(format!(
                    "unknown outbox state {other:?}"
                )));
            }
        })
    }
}

/// One outbox row with its request.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub request_id: i64,
    pub mail_id: Option<i64>,
    pub key: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub last_error: Option<String>,
    pub lead_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub unsorted_uid: Option<String>,
    pub solo: bool,
    pub notes_posting: bool,
    pub tasks_posting: bool,
    pub request: Request,
    pub spec: CrmSpec,
    pub rr_index: i64,
    pub received_at_ms: i64,
    pub deadline_ms: Option<i64>,
    /// When the request was journalled (unix ms).
    pub created_ms: i64,
    /// First and latest creating call (unix ms), if any was made.
    pub first_try_ms: Option<i64>,
    pub last_try_ms: Option<i64>,
}

const ROW_SELECT: &str =
    "SELECT o.request_id, r.mail_id, o.key, o.state, o.attempts, o.next_attempt, o.last_error,
    o.lead_id, o.contact_id, o.unsorted_uid, o.solo, o.notes_posting, o.tasks_posting,
    r.request, r.spec, r.rr_index, r.received_at, r.deadline,
    r.created_at, o.first_try, o.last_try
    FROM outbox o JOIN requests r ON r.id = o.request_id";

fn read_row(r: &Row<'_>) -> rusqlite::Result<(OutboxRowRaw, String, String)> {
    Ok((
        OutboxRowRaw {
            request_id: r.get(0)?,
            mail_id: r.get(1)?,
            key: r.get(2)?,
            state: r.get(3)?,
            attempts: r.get(4)?,
            next_attempt_ms: r.get(5)?,
            last_error: r.get(6)?,
            lead_id: r.get(7)?,
            contact_id: r.get(8)?,
            unsorted_uid: r.get(9)?,
            solo: r.get::<_, i64>(10)? != 0,
            notes_posting: r.get::<_, i64>(11)? != 0,
            tasks_posting: r.get::<_, i64>(12)? != 0,
            rr_index: r.get(15)?,
            received_at_ms: r.get(16)?,
            deadline_ms: r.get(17)?,
            created_ms: r.get(18)?,
            first_try_ms: r.get(19)?,
            last_try_ms: r.get(20)?,
        },
        r.get(13)?,
        r.get(14)?,
    ))
}

struct OutboxRowRaw {
    request_id: i64,
    mail_id: Option<i64>,
    key: String,
    state: String,
    attempts: i64,
    next_attempt_ms: i64,
    last_error: Option<String>,
    lead_id: Option<i64>,
    contact_id: Option<i64>,
    unsorted_uid: Option<String>,
    solo: bool,
    notes_posting: bool,
    tasks_posting: bool,
    rr_index: i64,
    received_at_ms: i64,
    deadline_ms: Option<i64>,
    created_ms: i64,
    first_try_ms: Option<i64>,
    last_try_ms: Option<i64>,
}

fn finish_row((raw, req, spec): (OutboxRowRaw, String, String)) -> Result<OutboxRow> {
    let request: Request = serde_json::from_str(&req)
        .map_err(|e| JournalError::Data(format!("request {} JSON: {e}", raw.request_id)))?;
    let spec: CrmSpec = serde_json::from_str(&spec).map_err(|e| {
        JournalError::Data(format!("request {} rule spec JSON: {e}", raw.request_id))
    })?;
    Ok(OutboxRow {
        request_id: raw.request_id,
        mail_id: raw.mail_id,
        key: raw.key,
        state: OutboxState::parse(&raw.state)?,
        attempts: raw.attempts,
        next_attempt_ms: raw.next_attempt_ms,
        last_error: raw.last_error,
        lead_id: raw.lead_id,
        contact_id: raw.contact_id,
        unsorted_uid: raw.unsorted_uid,
        solo: raw.solo,
        notes_posting: raw.notes_posting,
        tasks_posting: raw.tasks_posting,
        request,
        spec,
        rr_index: raw.rr_index,
        received_at_ms: raw.received_at_ms,
        deadline_ms: raw.deadline_ms,
        created_ms: raw.created_ms,
        first_try_ms: raw.first_try_ms,
        last_try_ms: raw.last_try_ms,
    })
}

/// Stored OAuth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTokens {
    pub access_token: String,
    pub refresh_token: String,
    /// unix seconds
    pub expires_at: i64,
}

/// The stored OAuth pair, if any.
fn read_tokens(conn: &rusqlite::Connection) -> Result<Option<StoredTokens>> {
    Ok(conn
        .query_row(
            "SELECT access_token, refresh_token, expires_at FROM tokens WHERE id=1",
            [],
            |r| {
                Ok(StoredTokens {
                    access_token: r.get(0)?,
                    refresh_token: r.get(1)?,
                    expires_at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Result of enqueueing one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    pub request_id: i64,
    /// False when this key was already journalled (nothing changed).
    pub new: bool,
}

/// Raw bytes of unparsed mails loaded at once (see [`Journal::seen_mails`]).
pub const SEEN_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Mails up to this size come with their raw bytes; larger ones are
/// streamed from the journal when parsed.
pub const INLINE_RAW_BYTES: usize = 1024 * 1024;

impl Journal {
    /// Mails recorded but not parsed yet, oldest first: at most `limit`,
    /// and no more once their raw bytes pass [`SEEN_BATCH_BYTES`] (one mail
    /// always comes), so a backlog of big mails is not all held at once.
    pub fn seen_mails(&self, limit: usize) -> Result<Vec<SeenMail>> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {SEEN_COLUMNS} FROM {SEEN_FROM} WHERE m.state='seen' ORDER BY m.id LIMIT ?1"
        ))?;
        let rows = st.query_map(
            params![limit as i64, INLINE_RAW_BYTES as i64],
            SeenMail::from_row,
        )?;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for row in rows {
            let m = row?;
            bytes += m.raw.len();
            out.push(m);
            if bytes >= SEEN_BATCH_BYTES {
                break;
            }
        }
        Ok(out)
    }

    /// A mail that cannot be parsed: kept, visible, with the reason.
    pub fn quarantine_mail(&self, mail_id: i64, rule_set: &str, reason: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE mails SET state='quarantined', rule_set=?2, error=?3, quarantined_at=?4, alerted=0 WHERE id=?1",
            params![mail_id, rule_set, reason, super::now_ms()],
        )?;
        Ok(())
    }

    /// Journals a parsed request and its outbox row in one transaction and
    /// marks the mail `parsed` (`done` for `ignore`). Idempotent by key.
    pub fn enqueue_request(&self, nr: &NewRequest<'_>) -> Result<Enqueued> {
        let req_json = serde_json::to_string(nr.request)
            .map_err(|e| JournalError::Data(format!("request JSON: {e}")))?;
        let spec_json = serde_json::to_string(nr.spec)
            .map_err(|e| JournalError::Data(format!("rule spec JSON: {e}")))?;
        let now = super::now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if let Some(id) = tx
            .query_row(
                "SELECT id FROM requests WHERE key=?1",
                params![nr.key],
                |r| r.get(0),
            )
            .optional()?
        {
            return Ok(Enqueued {
                request_id: id,
                new: false,
            });
        }
        // Round-robin position: how many requests this rule produced before.
        let rr_index: i64 = tx.query_row(
            "SELECT COUNT(*) FROM requests WHERE rule IS ?1",
            params![nr.request.rule],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO requests (mail_id, key, rule, rule_set, action, request, spec, rr_index, received_at, deadline, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                nr.mail_id,
                nr.key,
                nr.request.rule,
                nr.rule_set,
                nr.request.action.as_str(),
                req_json,
                spec_json,
                rr_index,
                nr.received_at_ms,
                nr.deadline_ms,
                now
            ],
        )?;
        let id = tx.last_insert_rowid();
        let ignored = nr.request.action == Action::Ignore;
        let state = if ignored { "ignored" } else { "queued" };
        tx.execute(
            "INSERT INTO outbox (request_id, key, state, next_attempt, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, nr.key, state, now],
        )?;
        if let Some(mail_id) = nr.mail_id {
            tx.execute(
                "UPDATE mails SET state=?2, rule_set=?3 WHERE id=?1",
                params![
                    mail_id,
                    if ignored { "done" } else { "parsed" },
                    nr.rule_set
                ],
            )?;
        }
        tx.commit()?;
        Ok(Enqueued {
            request_id: id,
            new: true,
        })
    }

    /// Rows that need work now: not finished and due, oldest first.
    pub fn due_outbox(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let sql = format!(
            "{ROW_SELECT} WHERE o.state IN ('queued','sending','sent','noted') AND o.next_attempt <= ?1
             ORDER BY o.next_attempt, o.request_id LIMIT ?2"
        );
        let mut st = conn.prepare(&sql)?;
        let raws = st
            .query_map(params![now_ms, limit as i64], read_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(st);
        drop(conn);
        raws.into_iter().map(finish_row).collect()
    }

    /// Earliest `next_attempt` of unfinished rows (the pipeline sleeps until then).
    pub fn next_due_ms(&self) -> Result<Option<i64>> {
        Ok(self.conn().query_row(
            "SELECT MIN(next_attempt) FROM outbox WHERE state IN ('queued','sending','sent','noted')",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn outbox_row(&self, request_id: i64) -> Result<Option<OutboxRow>> {
        let conn = self.conn();
        let sql = format!("{ROW_SELECT} WHERE o.request_id = ?1");
        let raw = conn
            .query_row(&sql, params![request_id], read_row)
            .optional()?;
        drop(conn);
        raw.map(finish_row).transpose()
    }

    /// Every row in a given state (status, tests), oldest first.
    pub fn outbox_in_state(&self, state: OutboxState) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let sql = format!("{ROW_SELECT} WHERE o.state = ?1 ORDER BY o.request_id");
        let mut st = conn.prepare(&sql)?;
        let raws = st
            .query_map(params![state.as_str()], read_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(st);
        drop(conn);
        raws.into_iter().map(finish_row).collect()
    }

    /// Counts by state, for `status` and tests.
    pub fn outbox_counts(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.conn();
        let mut st =
            conn.prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// `queued → sending`: committed before the creating call.
    pub fn mark_sending(&self, ids: &[i64]) -> Result<()> {
        let now = super::now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE outbox SET state='sending', attempts=attempts+1, first_try=COALESCE(first_try, ?2), last_try=?2, updated_at=?2 WHERE request_id=?1 AND state IN ('queued','sending')",
                params![id, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// `sending → sent(lead, contact)`.
    pub fn mark_sent(
        &self,
        id: i64,
        lead_id: i64,
        contact_id: Option<i64>,
        unsorted_uid: Option<&str>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET state='sent', lead_id=?2, contact_id=?3, unsorted_uid=?4, last_error=NULL, next_attempt=?5, updated_at=?5 WHERE request_id=?1",
            params![id, lead_id, contact_id, unsorted_uid, super::now_ms()],
        )?;
        self.signal_delivered();
        Ok(())
    }

    /// Sets the "a POST of notes/tasks may have happened" flag before the call.
    pub fn mark_posting(&self, ids: &[i64], tasks: bool, on: bool) -> Result<()> {
        let col = if tasks {
            "tasks_posting"
        } else {
            "notes_posting"
        };
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute(
                &format!("UPDATE outbox SET {col}=?2, updated_at=?3 WHERE request_id=?1"),
                params![id, on as i64, super::now_ms()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// `sent → noted` or `noted → done` (done also finishes the mail).
    pub fn advance(&self, ids: &[i64], to: OutboxState) -> Result<()> {
        let now = super::now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE outbox SET state=?2, notes_posting=0, tasks_posting=0, last_error=NULL, next_attempt=?3, updated_at=?3 WHERE request_id=?1",
                params![id, to.as_str(), now],
            )?;
            if to == OutboxState::Done {
                tx.execute(
                    "UPDATE mails SET state='done' WHERE id=(SELECT mail_id FROM requests WHERE id=?1)",
                    params![id],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A failed attempt: keep the state, retry later.
    pub fn mark_retry(&self, id: i64, error: &str, next_attempt_ms: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET last_error=?2, next_attempt=?3, updated_at=?4 WHERE request_id=?1",
            params![id, error, next_attempt_ms, super::now_ms()],
        )?;
        Ok(())
    }

    /// Back to `queued` (amoCRM rejected the whole batch, nothing was
    /// created); `solo` sends it alone next time.
    pub fn requeue(&self, id: i64, solo: bool) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET state='queued', solo=MAX(solo, ?2), updated_at=?3 WHERE request_id=?1",
            params![id, solo as i64, super::now_ms()],
        )?;
        Ok(())
    }

    /// amoCRM rejected this request: kept with the explanation, never retried blindly.
    pub fn quarantine_outbox(&self, id: i64, reason: &str) -> Result<()> {
        let now = super::now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET state='quarantined', last_error=?2, updated_at=?3, quarantined_at=?3, alerted=0 WHERE request_id=?1",
            params![id, reason, now],
        )?;
        tx.execute(
            "UPDATE mails SET state='quarantined', error=?2, quarantined_at=?3, alerted=1 WHERE id=(SELECT mail_id FROM requests WHERE id=?1)",
            params![id, reason, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The stored OAuth pair, read without changing anything on disk (for
    /// `check`): no file, folder, `-wal` or `-shm` is created, no migration
    /// runs, and a read-only state folder is fine. `None` when the file or
    /// the pair does not exist yet.
    pub fn peek_tokens(path: &std::path::Path) -> Result<Option<StoredTokens>> {
        use rusqlite::{Connection, OpenFlags};
        if !path.is_file() {
            return Ok(None);
        }
        let wrap = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // With the daemon running its -wal/-shm exist and a read-only
        // connection shares them. Otherwise SQLite would create them (owned
        // by whoever runs `check`, possibly root), so the file is opened
        // `immutable`: read as it is, nothing created.
        let conn = if std::path::Path::new(&wal).exists() {
            Connection::open_with_flags(path, flags).map_err(wrap)?
        } else {
            let escaped: String = path
                .to_string_lossy()
                .chars()
                .map(|c| match c {
                    '%' => "%25".to_string(),
                    '?' => "%3f".to_string(),
                    '#' => "%23".to_string(),
                    c => c.to_string(),
                })
                .collect();
            Connection::open_with_flags(format!("file:{escaped}?immutable=1"), flags)
                .map_err(wrap)?
        };
        let has_table: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='tokens'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(wrap)?
            > 0;
        if !has_table {
            return Ok(None);
        }
        read_tokens(&conn)
    }

    pub fn load_tokens(&self) -> Result<Option<StoredTokens>> {
        read_tokens(&self.conn())
    }

    /// Replaces the pair atomically; call before the new access token is used.
    pub fn store_tokens(&self, t: &StoredTokens) -> Result<()> {
        self.conn().execute(
            "INSERT INTO tokens (id, access_token, refresh_token, expires_at, updated_at) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT(id) DO UPDATE SET access_token=excluded.access_token, refresh_token=excluded.refresh_token,
             expires_at=excluded.expires_at, updated_at=excluded.updated_at",
            params![t.access_token, t.refresh_token, t.expires_at, super::now_ms()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::journal::mails::IncomingMail;

    fn req(action: Action) -> Request {
        Request {
            rule: Some("tilda".into()),
            action,
            name: Some("Иван".into()),
            phone: Some("+79991234567".into()),
            ..Request::default()
        }
    }

    #[test]
    fn key_is_stable_and_short() {
        let a = idempotency_key("sales", 7, 42, Some("m@x"));
        assert_eq!(a, idempotency_key("sales", 7, 42, Some("m@x")));
        assert_ne!(a, idempotency_key("sales", 7, 43, Some("m@x")));
        assert!(a.starts_with("ai-") && a.len() == 19, "{a}");
    }

    #[test]
    fn seen_mails_come_in_batches_bounded_by_size() -> Result<()> {
        let j = Journal::in_memory()?;
        let kb = 1024;
        let mb = 1024 * kb;
        for (uid, size) in [
            (1u32, 900 * kb),
            (2, 900 * kb),
            (3, 900 * kb),
            (4, 900 * kb),
            (5, 900 * kb),
            (6, 10),
            (7, 3 * mb),
        ] {
            let mut raw = format!("Message-ID: <m{uid}@b>\r\n\r\n").into_bytes();
            raw.resize(size, b'x');
            j.record_mail(&IncomingMail {
                mailbox: "sales".into(),
                uidvalidity: 1,
                uid,
                internal_date_ms: None,
                raw,
            })?;
        }
        // 900 KB at a time: past the 4 MB budget (the 5th), the batch ends.
        let first = j.seen_mails(100)?;
        assert_eq!(
            first.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert!(first.iter().all(|m| m.raw.len() == m.size));
        assert_eq!(j.seen_mails(1)?.len(), 1);
        // A mail over INLINE_RAW_BYTES comes without its bytes (streamed
        // from the journal when parsed), so it costs the batch nothing.
        j.conn()
            .execute("UPDATE mails SET state='parsed' WHERE uid <= 5", [])?;
        let rest = j.seen_mails(100)?;
        assert_eq!(rest.iter().map(|m| m.uid).collect::<Vec<_>>(), [6, 7]);
        assert_eq!(rest[1].size, 3 * mb);
        assert!(rest[1].raw.is_empty());
        Ok(())
    }

    #[test]
    fn state_machine_roundtrip() -> Result<()> {
        let j = Journal::in_memory()?;
        let crate::journal::mails::Recorded::New(mail_id) = j.record_mail(&IncomingMail {
            mailbox: "sales".into(),
            uidvalidity: 1,
            uid: 1,
            internal_date_ms: None,
            raw: b"Message-ID: <a@b>\r\n\r\nx".to_vec(),
        })?
        else {
            panic!("new mail expected");
        };
        assert_eq!(j.seen_mails(10)?.len(), 1);
        let r = req(Action::Lead);
        let spec = CrmSpec::default();
        let nr = NewRequest {
            mail_id: Some(mail_id),
            key: "ai-0001",
            request: &r,
            spec: &spec,
            rule_set: "v1",
            received_at_ms: 1,
            deadline_ms: Some(2),
        };
        let e = j.enqueue_request(&nr)?;
        assert!(e.new);
        assert!(!j.enqueue_request(&nr)?.new, "idempotent by key");
        assert!(j.seen_mails(10)?.is_empty());
        let due = j.due_outbox(i64::MAX, 10)?;
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].state, OutboxState::Queued);
        assert_eq!(due[0].request, r);
        j.mark_sending(&[e.request_id])?;
        j.mark_sent(e.request_id, 10, Some(20), None)?;
        j.advance(&[e.request_id], OutboxState::Noted)?;
        j.advance(&[e.request_id], OutboxState::Done)?;
        let row = j.outbox_row(e.request_id)?.unwrap();
        assert_eq!(
            (row.state, row.lead_id, row.contact_id, row.attempts),
            (OutboxState::Done, Some(10), Some(20), 1)
        );
        assert_eq!(j.count_mails(Some("done"))?, 1);
        assert!(j.due_outbox(i64::MAX, 10)?.is_empty());
        Ok(())
    }

    #[test]
    fn ignore_is_journal_only_and_quarantine_is_kept() -> Result<()> {
        let j = Journal::in_memory()?;
        let spec = CrmSpec::default();
        let ri = req(Action::Ignore);
        let i = j.enqueue_request(&NewRequest {
            mail_id: None,
            key: "ai-i",
            request: &ri,
            spec: &spec,
            rule_set: "v",
            received_at_ms: 0,
            deadline_ms: None,
        })?;
        assert_eq!(
            j.outbox_row(i.request_id)?.unwrap().state,
            OutboxState::Ignored
        );
        let rl = req(Action::Lead);
        let l = j.enqueue_request(&NewRequest {
            mail_id: None,
            key: "ai-l",
            request: &rl,
            spec: &spec,
            rule_set: "v",
            received_at_ms: 0,
            deadline_ms: None,
        })?;
        assert_eq!(j.outbox_row(l.request_id)?.unwrap().rr_index, 1);
        j.quarantine_outbox(l.request_id, "amoCRM: bad field")?;
        let q = j.outbox_in_state(OutboxState::Quarantined)?;
        assert_eq!(q[0].last_error.as_deref(), Some("amoCRM: bad field"));
        assert!(j.due_outbox(i64::MAX, 10)?.is_empty());
        Ok(())
    }

    #[test]
    fn tokens_replace_atomically() -> Result<()> {
        let j = Journal::in_memory()?;
        assert_eq!(j.load_tokens()?, None);
        let t1 = StoredTokens {
            access_token: "a1".into(),
            refresh_token: "r1".into(),
            expires_at: 10,
        };
        j.store_tokens(&t1)?;
        let t2 = StoredTokens {
            access_token: "a2".into(),
            refresh_token: "r2".into(),
            expires_at: 20,
        };
        j.store_tokens(&t2)?;
        assert_eq!(j.load_tokens()?, Some(t2));
        Ok(())
    }
}
