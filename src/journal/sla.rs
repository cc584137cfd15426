//! SLA rows (one per delivered lead) and the alerts planned for them.
//!
//! A deadline is an absolute instant in a row, not a timer, so a restart
//! resumes exactly. Every alert is inserted here before it is sent and
//! marked sent afterwards; `UNIQUE(lead_id, kind, seq, channel, recipient)`
//! makes planning idempotent, so each alert exists once and is retried
//! until a channel accepts it. All instants are unix milliseconds.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, params};

use super::{Journal, Result};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE sla (
    lead_id         INTEGER PRIMARY KEY,
    contact_id      INTEGER,
    responsible_id  INTEGER,
    mail_id         INTEGER,
    client_name     TEXT,
    phone           TEXT,
    asked           TEXT,
    kind            TEXT,
    arrival         INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'waiting', -- waiting|breached|answered|closed
    evidence_kind   TEXT,
    evidence_at     INTEGER,
    response_ms     INTEGER,
    late            INTEGER,
    last_check      INTEGER,
    first_alert_at  INTEGER,
    escalated_at    INTEGER,
    reminders       INTEGER NOT NULL DEFAULT 0,
    last_alert_at   INTEGER,
    closed_at       INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX sla_state ON sla(state, deadline);
CREATE TABLE sla_alerts (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES sla(lead_id),
    kind        TEXT    NOT NULL,  -- first|escalation|reminder
    seq         INTEGER NOT NULL DEFAULT 0,
    channel     TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,  -- JSON for webhooks
    due_at      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try    INTEGER NOT NULL,
    last_error  TEXT,
    cancelled   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (lead_id, kind, seq, channel, recipient)
);
CREATE INDEX sla_alerts_pending ON sla_alerts(sent_at, cancelled, next_try);
CREATE TABLE sla_digests (
    day         TEXT    NOT NULL,  -- local date, YYYY-MM-DD
    channel     TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try    INTEGER NOT NULL,
    last_error  TEXT,
    PRIMARY KEY (day, channel, recipient)
);
CREATE TABLE sla_digest_days (
    day         TEXT PRIMARY KEY,
    planned_at  INTEGER NOT NULL
);
"#;

/// Second SLA migration: when the manager's first alert actually went out
/// (escalation and reminders count from it), where a request came from
/// (`mail`, `chat`, `call`, `other`) and the channel shown in alerts
/// ("сайт", "WhatsApp", …), the round of a lead's clock (a client writing
/// again on an answered lead opens round 1, 2, …), earlier rounds kept for
/// reports, the cursors of the amoCRM polls and the procedure-check findings.
pub(super) const SCHEMA_V2: &str = r#"
ALTER TABLE sla ADD COLUMN first_sent_at INTEGER;
ALTER TABLE sla ADD COLUMN source TEXT;
ALTER TABLE sla ADD COLUMN channel TEXT;
ALTER TABLE sla ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sla ADD COLUMN action TEXT;
UPDATE sla SET first_sent_at = first_alert_at WHERE first_alert_at IS NOT NULL;
CREATE TABLE sla_rounds (
    lead_id         INTEGER NOT NULL,
    round           INTEGER NOT NULL,
    responsible_id  INTEGER,
    source          TEXT,
    channel         TEXT,
    kind            TEXT,
    client_name     TEXT,
    arrival         INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    evidence_kind   TEXT,
    response_ms     INTEGER,
    late            INTEGER,
    first_alert_at  INTEGER,
    PRIMARY KEY (lead_id, round)
);
CREATE TABLE sla_cursors (
    name        TEXT PRIMARY KEY,
    value       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE procedure_findings (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL,
    check_name  TEXT    NOT NULL,
    -- the event that started the check (a stage move), unix ms
    since       INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    responsible_id INTEGER,
    state       TEXT    NOT NULL DEFAULT 'pending', -- pending|ok|found|closed
    detail      TEXT,
    checked_at  INTEGER,
    created_at  INTEGER NOT NULL,
    UNIQUE (lead_id, check_name, since)
);
CREATE INDEX procedure_findings_due ON procedure_findings(state, due_at);
CREATE TABLE procedure_alerts (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES procedure_findings(id),
    channel     TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try    INTEGER NOT NULL,
    last_error  TEXT,
    UNIQUE (finding_id, channel, recipient)
);
"#;

/// A row to open when a lead is delivered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewSla {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub responsible_id: Option<i64>,
    pub mail_id: Option<i64>,
    pub arrival: Timestamp,
    pub deadline: Timestamp,
    pub client_name: Option<String>,
    pub phone: Option<String>,
    /// What the client asked for (product or message), for the alert text.
    pub asked: Option<String>,
    pub kind: Option<String>,
    /// Where the request came from: `mail` (default), `chat`, `call`, `other`.
    pub source: Option<String>,
    /// The channel named in alerts ("сайт", "WhatsApp", "звонок", …).
    pub channel: Option<String>,
    /// The request's action (`lead`, `review`) for website mails.
    pub action: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlaState {
    #[default]
    Waiting,
    Breached,
    Answered,
    Closed,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::Waiting => "waiting",
            SlaState::Breached => "breached",
            SlaState::Answered => "answered",
            SlaState::Closed => "closed",
        }
    }
    fn parse(s: &str) -> SlaState {
        match s {
            "breached" => SlaState::Breached,
            "answered" => SlaState::Answered,
            "closed" => SlaState::Closed,
            _ => SlaState::Waiting,
        }
    }
}

/// One SLA row as stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlaRow {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub responsible_id: Option<i64>,
    pub client_name: Option<String>,
    pub phone: Option<String>,
    pub asked: Option<String>,
    pub kind: Option<String>,
    pub arrival_ms: i64,
    pub deadline_ms: i64,
    pub state: SlaState,
    pub evidence_kind: Option<String>,
    pub evidence_at_ms: Option<i64>,
    pub response_ms: Option<i64>,
    pub late: Option<bool>,
    pub last_check_ms: Option<i64>,
    pub first_alert_ms: Option<i64>,
    pub escalated_ms: Option<i64>,
    pub reminders: u32,
    pub last_alert_ms: Option<i64>,
    /// When a first alert actually went out (escalation counts from it).
    pub first_sent_ms: Option<i64>,
    pub source: Option<String>,
    pub channel: Option<String>,
    /// 0 for a lead's first request, n for the client's n-th new message.
    pub round: u32,
    pub action: Option<String>,
}

const ROW_COLS: &str = "lead_id, contact_id, responsible_id, client_name, phone, asked, kind, arrival, deadline, state, evidence_kind, evidence_at, response_ms, late, last_check, first_alert_at, escalated_at, reminders, last_alert_at, first_sent_at, source, channel, round, action";

fn row(r: &Row<'_>) -> rusqlite::Result<SlaRow> {
    let state: String = r.get(9)?;
    Ok(SlaRow {
        lead_id: r.get(0)?,
        contact_id: r.get(1)?,
        responsible_id: r.get(2)?,
        client_name: r.get(3)?,
        phone: r.get(4)?,
        asked: r.get(5)?,
        kind: r.get(6)?,
        arrival_ms: r.get(7)?,
        deadline_ms: r.get(8)?,
        state: SlaState::parse(&state),
        evidence_kind: r.get(10)?,
        evidence_at_ms: r.get(11)?,
        response_ms: r.get(12)?,
        late: r.get::<_, Option<i64>>(13)?.map(|v| v != 0),
        last_check_ms: r.get(14)?,
        first_alert_ms: r.get(15)?,
        escalated_ms: r.get(16)?,
        reminders: r.get::<_, i64>(17)?.max(0) as u32,
        last_alert_ms: r.get(18)?,
        first_sent_ms: r.get(19)?,
        source: r.get(20)?,
        channel: r.get(21)?,
        round: r.get::<_, i64>(22)?.max(0) as u32,
        action: r.get(23)?,
    })
}

/// Which step of the alert ladder an alert belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    First,
    Escalation,
    Reminder,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::First => "first",
            AlertKind::Escalation => "escalation",
            AlertKind::Reminder => "reminder",
        }
    }
    fn parse(s: &str) -> AlertKind {
        match s {
            "escalation" => AlertKind::Escalation,
            "reminder" => AlertKind::Reminder,
            _ => AlertKind::First,
        }
    }
}

/// An alert to journal before sending.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub kind: AlertKind,
    pub seq: u32,
    pub channel: String,
    pub recipient: String,
    pub text: String,
    pub payload: String,
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    pub id: i64,
    pub lead_id: i64,
    pub kind: AlertKind,
    pub seq: u32,
    pub channel: String,
    pub recipient: String,
    pub text: String,
    pub payload: String,
    pub due_ms: i64,
    pub sent_ms: Option<i64>,
    pub attempts: u32,
    pub next_try_ms: i64,
    pub last_error: Option<String>,
    pub cancelled: bool,
}

const ALERT_COLS: &str = "id, lead_id, kind, seq, channel, recipient, text, payload, due_at, sent_at, attempts, next_try, last_error, cancelled";

fn alert_row(r: &Row<'_>) -> rusqlite::Result<AlertRow> {
    let kind: String = r.get(2)?;
    Ok(AlertRow {
        id: r.get(0)?,
        lead_id: r.get(1)?,
        kind: AlertKind::parse(&kind),
        seq: r.get::<_, i64>(3)?.max(0) as u32,
        channel: r.get(4)?,
        recipient: r.get(5)?,
        text: r.get(6)?,
        payload: r.get(7)?,
        due_ms: r.get(8)?,
        sent_ms: r.get(9)?,
        attempts: r.get::<_, i64>(10)?.max(0) as u32,
        next_try_ms: r.get(11)?,
        last_error: r.get(12)?,
        cancelled: r.get::<_, i64>(13)? != 0,
    })
}

/// One daily digest message to one recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestRow {
    pub day: String,
    pub channel: String,
    pub recipient: String,
    pub text: String,
    pub sent_ms: Option<i64>,
    pub attempts: u32,
}

/// A delivered request from the outbox that has no SLA row yet: only what
/// the SLA row keeps (a request's JSON can carry a whole mail's text).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveredRequest {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub mail_id: Option<i64>,
    /// SLA start (INTERNALDATE or journalling time), unix ms.
    pub received_ms: i64,
    pub action: String,
    pub client_name: Option<String>,
    pub phone: Option<String>,
    pub kind: Option<String>,
    /// The product asked about, else the client's message; 300 characters
    /// at most.
    pub asked: Option<String>,
    /// `CrmSpec` as JSON.
    pub spec: String,
}

/// One procedure check on one lead after one stage move.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Finding {
    pub id: i64,
    pub lead_id: i64,
    pub check: String,
    /// When the lead moved into the stage, unix ms.
    pub since_ms: i64,
    pub due_ms: i64,
    pub responsible_id: Option<i64>,
    /// pending | ok | found | closed
    pub state: String,
    pub detail: Option<String>,
}

/// A procedure reminder to journal before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureAlert {
    pub id: i64,
    pub finding_id: i64,
    pub lead_id: i64,
    pub check: String,
    pub channel: String,
    pub recipient: String,
    pub text: String,
    pub payload: String,
    pub attempts: u32,
}

const FINDING_COLS: &str = "id, lead_id, check_name, since, due_at, responsible_id, state, detail";

fn finding(r: &Row<'_>) -> rusqlite::Result<Finding> {
    Ok(Finding {
        id: r.get(0)?,
        lead_id: r.get(1)?,
        check: r.get(2)?,
        since_ms: r.get(3)?,
        due_ms: r.get(4)?,
        responsible_id: r.get(5)?,
        state: r.get(6)?,
        detail: r.get(7)?,
    })
}

impl Journal {
    /// Starts a procedure check (idempotent per lead, check and move).
    /// Earlier pending checks of the same kind on the lead are superseded.
    pub fn finding_open(
        &self,
        lead_id: i64,
        check: &str,
        since_ms: i64,
        due_ms: i64,
    ) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE procedure_findings SET state='closed' WHERE lead_id=?1 AND check_name=?2 AND state='pending' AND since < ?3",
            params![lead_id, check, since_ms],
        )?;
        let n = tx.execute(
            "INSERT OR IGNORE INTO procedure_findings (lead_id, check_name, since, due_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![lead_id, check, since_ms, due_ms, super::now_ms()],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// Pending checks due at `now_ms`.
    pub fn findings_due(&self, now_ms: i64) -> Result<Vec<Finding>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {FINDING_COLS} FROM procedure_findings WHERE state='pending' AND due_at<=?1 ORDER BY due_at, id"
        ))?;
        let rows = stmt
            .query_map(params![now_ms], finding)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The earliest due time of a pending check.
    pub fn findings_next_due(&self) -> Result<Option<i64>> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT MIN(due_at) FROM procedure_findings WHERE state='pending'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Every check (reports), newest move last.
    pub fn findings_since(&self, since_ms: i64) -> Result<Vec<Finding>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {FINDING_COLS} FROM procedure_findings WHERE since>=?1 ORDER BY since, id"
        ))?;
        let rows = stmt
            .query_map(params![since_ms], finding)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A note was added to the lead at `at_ms`: pending note checks of moves
    /// before it are satisfied.
    pub fn findings_note_added(&self, lead_id: i64, check: &str, at_ms: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE procedure_findings SET state='ok', checked_at=?3 WHERE lead_id=?1 AND check_name=?2 AND state='pending' AND since<=?3",
            params![lead_id, check, at_ms],
        )?;
        Ok(())
    }

    /// Records the outcome of a check and, when something is missing, the
    /// reminders to send, in one transaction.
    pub fn finding_done(
        &self,
        id: i64,
        state: &str,
        detail: Option<&str>,
        responsible_id: Option<i64>,
        alerts: &[NewAlert],
        now_ms: i64,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE procedure_findings SET state=?2, detail=?3, responsible_id=COALESCE(?4, responsible_id), checked_at=?5 WHERE id=?1 AND state='pending'",
            params![id, state, detail, responsible_id, now_ms],
        )?;
        for a in alerts {
            tx.execute(
                "INSERT OR IGNORE INTO procedure_alerts (finding_id, channel, recipient, text, payload, created_at, next_try)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![id, a.channel, a.recipient, a.text, a.payload, now_ms],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn procedure_alerts_pending(&self, now_ms: i64) -> Result<Vec<ProcedureAlert>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT a.id, a.finding_id, f.lead_id, f.check_name, a.channel, a.recipient, a.text, a.payload, a.attempts
             FROM procedure_alerts a JOIN procedure_findings f ON f.id=a.finding_id
             WHERE a.sent_at IS NULL AND a.next_try<=?1 ORDER BY a.next_try, a.id",
        )?;
        let rows = stmt
            .query_map(params![now_ms], |r| {
                Ok(ProcedureAlert {
                    id: r.get(0)?,
                    finding_id: r.get(1)?,
                    lead_id: r.get(2)?,
                    check: r.get(3)?,
                    channel: r.get(4)?,
                    recipient: r.get(5)?,
                    text: r.get(6)?,
                    payload: r.get(7)?,
                    attempts: r.get::<_, i64>(8)?.max(0) as u32,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn procedure_alerts_next_try(&self) -> Result<Option<i64>> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT MIN(next_try) FROM procedure_alerts WHERE sent_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn procedure_alert_done(
        &self,
        id: i64,
        at_ms: i64,
        error: Option<&str>,
        next_try_ms: i64,
    ) -> Result<()> {
        let conn = self.conn();
        match error {
            None => conn.execute(
                "UPDATE procedure_alerts SET sent_at=?2, attempts=attempts+1, last_error=NULL WHERE id=?1",
                params![id, at_ms],
            )?,
            Some(e) => conn.execute(
                "UPDATE procedure_alerts SET attempts=attempts+1, last_error=?2, next_try=?3 WHERE id=?1",
                params![id, e, next_try_ms],
            )?,
        };
        Ok(())
    }

    /// Delivered `lead`/`review` requests (outbox has a lead id) without an
    /// SLA row, received at or after `since_ms`: the watch opens their clocks,
    /// so delivery needs no SLA code.
    pub fn sla_unopened(&self, since_ms: i64, limit: usize) -> Result<Vec<DeliveredRequest>> {
        let conn = self.conn();
        // The pieces are cut out in SQL: a batch of whole request JSONs
        // (with mail text) would be megabytes the daemon keeps afterwards.
        let mut stmt = conn.prepare(
            "SELECT o.lead_id, o.contact_id, r.mail_id, r.received_at, r.action,
                    CASE WHEN json_valid(r.request) THEN json_extract(r.request, '$.name') END,
                    CASE WHEN json_valid(r.request) THEN json_extract(r.request, '$.phone') END,
                    CASE WHEN json_valid(r.request) THEN json_extract(r.request, '$.kind') END,
                    CASE WHEN json_valid(r.request) THEN substr(coalesce(
                        json_extract(r.request, '$.product'),
                        json_extract(r.request, '$.message')), 1, 300) END,
                    r.spec
             FROM outbox o JOIN requests r ON r.id = o.request_id
             LEFT JOIN sla s ON s.lead_id = o.lead_id
             WHERE o.lead_id IS NOT NULL AND s.lead_id IS NULL
               AND r.action IN ('lead', 'review') AND r.received_at >= ?1
             ORDER BY r.received_at LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![since_ms, limit as i64], |r| {
                Ok(DeliveredRequest {
                    lead_id: r.get(0)?,
                    contact_id: r.get(1)?,
                    mail_id: r.get(2)?,
                    received_ms: r.get(3)?,
                    action: r.get(4)?,
                    client_name: r.get(5)?,
                    phone: r.get(6)?,
                    kind: r.get(7)?,
                    asked: r.get(8)?,
                    spec: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// True when the digest of `day` was already planned (sent or pending).
    pub fn digest_planned(&self, day: &str) -> Result<bool> {
        let conn = self.conn();
        let n: i64 = conn.query_row(
            "SELECT COUNT(*) FROM sla_digest_days WHERE day=?1",
            params![day],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Journals the digest of `day` for each (channel, recipient); once per day.
    pub fn digest_plan(
        &self,
        day: &str,
        text: &str,
        to: &[(String, String)],
        now_ms: i64,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO sla_digest_days (day, planned_at) VALUES (?1, ?2)",
            params![day, now_ms],
        )?;
        for (channel, recipient) in to {
            tx.execute(
                "INSERT OR IGNORE INTO sla_digests (day, channel, recipient, text, created_at, next_try)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![day, channel, recipient, text, now_ms],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn digests_pending(&self, now_ms: i64) -> Result<Vec<DigestRow>> {
        self.digest_query("WHERE sent_at IS NULL AND next_try<=?1", now_ms)
    }

    pub fn digests_all(&self) -> Result<Vec<DigestRow>> {
        self.digest_query("WHERE ?1 = ?1", 0)
    }

    fn digest_query(&self, filter: &str, p: i64) -> Result<Vec<DigestRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT day, channel, recipient, text, sent_at, attempts FROM sla_digests {filter} ORDER BY day, channel, recipient"
        ))?;
        let rows = stmt
            .query_map(params![p], |r| {
                Ok(DigestRow {
                    day: r.get(0)?,
                    channel: r.get(1)?,
                    recipient: r.get(2)?,
                    text: r.get(3)?,
                    sent_ms: r.get(4)?,
                    attempts: r.get::<_, i64>(5)?.max(0) as u32,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn digests_next_try(&self) -> Result<Option<i64>> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT MIN(next_try) FROM sla_digests WHERE sent_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn digest_done(
        &self,
        d: &DigestRow,
        at_ms: i64,
        error: Option<&str>,
        next_try_ms: i64,
    ) -> Result<()> {
        let conn = self.conn();
        match error {
            None => conn.execute(
                "UPDATE sla_digests SET sent_at=?4, attempts=attempts+1, last_error=NULL WHERE day=?1 AND channel=?2 AND recipient=?3",
                params![d.day, d.channel, d.recipient, at_ms],
            )?,
            Some(e) => conn.execute(
                "UPDATE sla_digests SET attempts=attempts+1, last_error=?4, next_try=?5 WHERE day=?1 AND channel=?2 AND recipient=?3",
                params![d.day, d.channel, d.recipient, e, next_try_ms],
            )?,
        };
        Ok(())
    }

    /// Opens the SLA clock for a delivered lead. Idempotent: a lead already
    /// watched keeps its row (returns false).
    pub fn sla_open(&self, new: &NewSla) -> Result<bool> {
        let conn = self.conn();
        let n = conn.execute(
            "INSERT OR IGNORE INTO sla (lead_id, contact_id, responsible_id, mail_id, client_name, phone, asked, kind, arrival, deadline, created_at, source, channel, action)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                new.lead_id,
                new.contact_id,
                new.responsible_id,
                new.mail_id,
                new.client_name,
                new.phone,
                new.asked,
                new.kind,
                new.arrival.as_millisecond(),
                new.deadline.as_millisecond(),
                super::now_ms(),
                new.source,
                new.channel,
                new.action,
            ],
        )?;
        Ok(n == 1)
    }

    /// When a journalled mail reached the server: INTERNALDATE, else when we
    /// recorded it.
    pub fn mail_arrival(&self, mail_id: i64) -> Result<Option<Timestamp>> {
        let conn = self.conn();
        let ms: Option<i64> = conn
            .query_row(
                "SELECT COALESCE(internal_date, received_at) FROM mails WHERE id=?1",
                params![mail_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(ms.and_then(|m| Timestamp::from_millisecond(m).ok()))
    }

    pub fn sla_row(&self, lead_id: i64) -> Result<Option<SlaRow>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!("SELECT {ROW_COLS} FROM sla WHERE lead_id=?1"),
                params![lead_id],
                row,
            )
            .optional()?)
    }

    /// Rows still running (waiting or breached), earliest deadline first.
    pub fn sla_open_rows(&self) -> Result<Vec<SlaRow>> {
        self.sla_query(
            "WHERE state IN ('waiting','breached') ORDER BY deadline, lead_id",
            params![],
        )
    }

    /// Rows whose request arrived at or after `since_ms` (reports).
    pub fn sla_rows_since(&self, since_ms: i64) -> Result<Vec<SlaRow>> {
        self.sla_query(
            "WHERE arrival >= ?1 ORDER BY arrival, lead_id",
            params![since_ms],
        )
    }

    fn sla_query(&self, tail: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<SlaRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {ROW_COLS} FROM sla {tail}"))?;
        let rows = stmt
            .query_map(p, row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// (rows still running, rows that ever breached) for the metrics.
    pub fn sla_counts(&self) -> Result<(i64, i64)> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT COALESCE(SUM(state IN ('waiting','breached')), 0), COALESCE(SUM(first_alert_at IS NOT NULL), 0) FROM sla",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    pub fn sla_mark_checked(&self, lead_ids: &[i64], at_ms: i64) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for id in lead_ids {
            tx.execute(
                "UPDATE sla SET last_check=?2 WHERE lead_id=?1",
                params![id, at_ms],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Evidence found: closes the row with the response time and whether it
    /// was late, and cancels alerts not yet sent (a pending escalation).
    pub fn sla_answer(&self, lead_id: i64, kind: &str, at_ms: i64) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE sla SET state='answered', evidence_kind=?2, evidence_at=?3,
                 response_ms=MAX(0, ?3 - arrival), late=(?3 > deadline), closed_at=?4
             WHERE lead_id=?1 AND state IN ('waiting','breached')",
            params![lead_id, kind, at_ms, super::now_ms()],
        )?;
        tx.execute(
            "UPDATE sla_alerts SET cancelled=1 WHERE lead_id=?1 AND sent_at IS NULL",
            params![lead_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The lead is gone or finished in amoCRM: stop watching, cancel alerts.
    pub fn sla_close(&self, lead_id: i64) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE sla SET state='closed', closed_at=?2 WHERE lead_id=?1 AND state IN ('waiting','breached')",
            params![lead_id, super::now_ms()],
        )?;
        tx.execute(
            "UPDATE sla_alerts SET cancelled=1 WHERE lead_id=?1 AND sent_at IS NULL",
            params![lead_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn sla_set_responsible(&self, lead_id: i64, user_id: Option<i64>) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE sla SET responsible_id=?2 WHERE lead_id=?1",
            params![lead_id, user_id],
        )?;
        Ok(())
    }

    /// Journals one step of the alert ladder (all its channel rows) and moves
    /// the row on, in one transaction. Idempotent per (kind, seq).
    pub fn sla_plan_alerts(
        &self,
        lead_id: i64,
        kind: AlertKind,
        seq: u32,
        due_ms: i64,
        alerts: &[NewAlert],
    ) -> Result<()> {
        let now = super::now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for a in alerts {
            tx.execute(
                "INSERT OR IGNORE INTO sla_alerts (lead_id, kind, seq, channel, recipient, text, payload, due_at, created_at, next_try)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8)",
                params![lead_id, kind.as_str(), seq, a.channel, a.recipient, a.text, a.payload, due_ms, now],
            )?;
        }
        let set = match kind {
            // Nobody to send it to: the ladder counts from the planning.
            AlertKind::First if alerts.is_empty() => {
                "state='breached', first_alert_at=COALESCE(first_alert_at, ?2), first_sent_at=COALESCE(first_sent_at, ?2)"
            }
            AlertKind::First => "state='breached', first_alert_at=COALESCE(first_alert_at, ?2)",
            AlertKind::Escalation => "escalated_at=COALESCE(escalated_at, ?2)",
            AlertKind::Reminder => "reminders=MAX(reminders, ?3 % 1000)",
        };
        // Every statement binds ?3 so the parameter count always matches.
        tx.execute(
            &format!("UPDATE sla SET {set}, last_alert_at=?2 WHERE lead_id=?1 AND ?3 >= 0"),
            params![lead_id, due_ms, seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A poll cursor (unix ms), e.g. the events list's.
    pub fn sla_cursor(&self, name: &str) -> Result<Option<i64>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT value FROM sla_cursors WHERE name=?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_sla_cursor(&self, name: &str, value_ms: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO sla_cursors (name, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
            params![name, value_ms, super::now_ms()],
        )?;
        Ok(())
    }

    /// True when amo-intake itself created this lead from a mail (its clock
    /// runs from INTERNALDATE; the events poll must not open another).
    pub fn lead_is_ours(&self, lead_id: i64) -> Result<bool> {
        let conn = self.conn();
        let n: i64 = conn.query_row(
            "SELECT COUNT(*) FROM outbox WHERE lead_id=?1",
            params![lead_id],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// The most recent row of a contact (events on a contact stand for its lead).
    pub fn sla_row_by_contact(&self, contact_id: i64) -> Result<Option<SlaRow>> {
        Ok(self
            .sla_query(
                "WHERE contact_id=?1 ORDER BY arrival DESC, lead_id DESC LIMIT 1",
                params![contact_id],
            )?
            .pop())
    }

    /// The client wrote again on a lead whose clock had stopped: the
    /// finished round is kept in `sla_rounds` (reports count it) and the row
    /// starts a new round from `new`, with a fresh alert ladder.
    pub fn sla_new_round(&self, new: &NewSla) -> Result<u32> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO sla_rounds (lead_id, round, responsible_id, source, channel, kind, client_name, arrival, deadline, state, evidence_kind, response_ms, late, first_alert_at)
             SELECT lead_id, round, responsible_id, source, channel, kind, client_name, arrival, deadline, state, evidence_kind, response_ms, late, first_alert_at
             FROM sla WHERE lead_id=?1",
            params![new.lead_id],
        )?;
        tx.execute(
            "UPDATE sla SET round=round+1, state='waiting', arrival=?2, deadline=?3, source=?4, channel=?5,
                 responsible_id=COALESCE(?6, responsible_id), contact_id=COALESCE(?7, contact_id),
                 evidence_kind=NULL, evidence_at=NULL, response_ms=NULL, late=NULL, last_check=NULL,
                 first_alert_at=NULL, first_sent_at=NULL, escalated_at=NULL, reminders=0,
                 last_alert_at=NULL, closed_at=NULL, action=NULL
             WHERE lead_id=?1",
            params![
                new.lead_id,
                new.arrival.as_millisecond(),
                new.deadline.as_millisecond(),
                new.source,
                new.channel,
                new.responsible_id,
                new.contact_id,
            ],
        )?;
        let round: i64 = tx.query_row(
            "SELECT round FROM sla WHERE lead_id=?1",
            params![new.lead_id],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(round.max(0) as u32)
    }

    /// Finished earlier rounds whose request arrived at or after `since_ms`
    /// (reports), as rows.
    pub fn sla_rounds_since(&self, since_ms: i64) -> Result<Vec<SlaRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT lead_id, round, responsible_id, source, channel, kind, client_name, arrival, deadline, state, evidence_kind, response_ms, late, first_alert_at
             FROM sla_rounds WHERE arrival >= ?1 ORDER BY arrival, lead_id, round",
        )?;
        let rows = stmt
            .query_map(params![since_ms], |r| {
                let state: String = r.get(9)?;
                Ok(SlaRow {
                    lead_id: r.get(0)?,
                    round: r.get::<_, i64>(1)?.max(0) as u32,
                    responsible_id: r.get(2)?,
                    source: r.get(3)?,
                    channel: r.get(4)?,
                    kind: r.get(5)?,
                    client_name: r.get(6)?,
                    arrival_ms: r.get(7)?,
                    deadline_ms: r.get(8)?,
                    state: SlaState::parse(&state),
                    evidence_kind: r.get(10)?,
                    response_ms: r.get(11)?,
                    late: r.get::<_, Option<i64>>(12)?.map(|v| v != 0),
                    first_alert_ms: r.get(13)?,
                    ..Default::default()
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The manager's first alert went out at `at_ms` (kept once).
    pub fn sla_first_sent(&self, lead_id: i64, at_ms: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE sla SET first_sent_at=COALESCE(first_sent_at, ?2) WHERE lead_id=?1",
            params![lead_id, at_ms],
        )?;
        Ok(())
    }

    /// First alerts of a lead's current round not yet sent (nor cancelled).
    pub fn first_alerts_unsent(&self, lead_id: i64) -> Result<i64> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT COUNT(*) FROM sla_alerts a JOIN sla s ON s.lead_id=a.lead_id
             WHERE a.lead_id=?1 AND a.kind='first' AND a.sent_at IS NULL AND a.cancelled=0
               AND a.seq=s.round * 1000",
            params![lead_id],
            |r| r.get(0),
        )?)
    }

    /// Alerts to send now: not sent, not cancelled, retry time reached.
    pub fn alerts_pending(&self, now_ms: i64) -> Result<Vec<AlertRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {ALERT_COLS} FROM sla_alerts WHERE sent_at IS NULL AND cancelled=0 AND next_try<=?1 ORDER BY next_try, id"
        ))?;
        let rows = stmt
            .query_map(params![now_ms], alert_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The earliest retry time of an unsent alert (the watch sleeps until then).
    pub fn alerts_next_try(&self) -> Result<Option<i64>> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT MIN(next_try) FROM sla_alerts WHERE sent_at IS NULL AND cancelled=0",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn alert_sent(&self, id: i64, at_ms: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE sla_alerts SET sent_at=?2, attempts=attempts+1, last_error=NULL WHERE id=?1",
            params![id, at_ms],
        )?;
        Ok(())
    }

    pub fn alert_failed(&self, id: i64, error: &str, next_try_ms: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE sla_alerts SET attempts=attempts+1, last_error=?2, next_try=?3 WHERE id=?1",
            params![id, error, next_try_ms],
        )?;
        Ok(())
    }

    /// Postpones an alert without counting an attempt (its channel just
    /// failed for another alert in the same pass).
    pub fn alert_defer(&self, id: i64, next_try_ms: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE sla_alerts SET next_try=?2 WHERE id=?1 AND sent_at IS NULL",
            params![id, next_try_ms],
        )?;
        Ok(())
    }

    /// Every alert of one lead, or of all leads when `lead_id` is None.
    pub fn alerts_for(&self, lead_id: Option<i64>) -> Result<Vec<AlertRow>> {
        let conn = self.conn();
        let rows = match lead_id {
            Some(id) => {
                let mut stmt = conn.prepare(&format!(
                    "SELECT {ALERT_COLS} FROM sla_alerts WHERE lead_id=?1 ORDER BY id"
                ))?;
                stmt.query_map(params![id], alert_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            }
            None => {
                let mut stmt =
                    conn.prepare(&format!("SELECT {ALERT_COLS} FROM sla_alerts ORDER BY id"))?;
                stmt.query_map([], alert_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            }
        };
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn new(lead: i64) -> NewSla {
        NewSla {
            lead_id: lead,
            contact_id: Some(lead + 1000),
            responsible_id: Some(7),
            mail_id: None,
            arrival: Timestamp::from_second(1_000).unwrap(),
            deadline: Timestamp::from_second(1_600).unwrap(),
            client_name: Some("Иван".into()),
            phone: Some("+79991234567".into()),
            asked: Some("Окна".into()),
            kind: Some("measurement".into()),
            ..Default::default()
        }
    }

    fn alert(channel: &str) -> NewAlert {
        NewAlert {
            kind: AlertKind::First,
            seq: 0,
            channel: channel.into(),
            recipient: "42".into(),
            text: "t".into(),
            payload: "{}".into(),
        }
    }

    #[test]
    fn open_is_idempotent_and_answer_closes() {
        let j = Journal::in_memory().unwrap();
        assert!(j.sla_open(&new(1)).unwrap());
        assert!(!j.sla_open(&new(1)).unwrap());
        assert_eq!(j.sla_open_rows().unwrap().len(), 1);
        j.sla_answer(1, "call", 1_720_000).unwrap();
        let r = j.sla_row(1).unwrap().unwrap();
        assert_eq!(r.state, SlaState::Answered);
        assert_eq!(r.response_ms, Some(1_720_000 - 1_000_000));
        assert_eq!(r.late, Some(true));
        assert!(j.sla_open_rows().unwrap().is_empty());
        j.sla_open(&new(2)).unwrap();
        assert_eq!(j.sla_counts().unwrap(), (1, 0));
    }

    #[test]
    fn unopened_requests_bring_only_what_the_sla_row_keeps() {
        use crate::journal::outbox::NewRequest;
        use crate::request::{Action, Kind, Request};
        let j = Journal::in_memory().unwrap();
        let spec = crate::rules::CrmSpec::default();
        let long = "я".repeat(5_000);
        let mut with_product = Request {
            action: Action::Lead,
            kind: Kind::Measurement,
            name: Some("Анна".into()),
            phone: Some("+79123456789".into()),
            product: Some("Окна ПВХ".into()),
            message: Some(long.clone()),
            ..Request::default()
        };
        with_product.meta.raw_text = Some(long.repeat(10));
        let message_only = Request {
            action: Action::Review,
            message: Some(long.clone()),
            ..Request::default()
        };
        for (i, r) in [&with_product, &message_only].into_iter().enumerate() {
            let e = j
                .enqueue_request(&NewRequest {
                    mail_id: None,
                    key: &format!("k{i}"),
                    request: r,
                    spec: &spec,
                    rule_set: "t",
                    received_at_ms: 1_000 + i as i64,
                    deadline_ms: None,
                })
                .unwrap();
            j.mark_sending(&[e.request_id]).unwrap();
            j.mark_sent(e.request_id, 500 + i as i64, None, None)
                .unwrap();
        }
        let got = j.sla_unopened(0, 10).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].lead_id, 500);
        assert_eq!(got[0].client_name.as_deref(), Some("Анна"));
        assert_eq!(got[0].phone.as_deref(), Some("+79123456789"));
        assert_eq!(got[0].kind.as_deref(), Some("measurement"));
        assert_eq!(got[0].asked.as_deref(), Some("Окна ПВХ"));
        assert_eq!(got[1].client_name, None);
        assert_eq!(got[1].kind.as_deref(), Some("other"));
        // The message, cut to 300 characters (not bytes).
        assert_eq!(got[1].asked.as_deref(), Some("я".repeat(300).as_str()));
        // Opened rows are not offered again.
        j.sla_open(&new(500)).unwrap();
        assert_eq!(j.sla_unopened(0, 10).unwrap().len(), 1);
        // A damaged request row still opens a clock (nothing to show about
        // the client) instead of failing the watch's query for every row.
        j.conn()
            .execute("UPDATE requests SET request='{broken' WHERE key='k1'", [])
            .unwrap();
        let got = j.sla_unopened(0, 10).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].lead_id, 501);
        assert_eq!(
            (got[0].client_name.as_deref(), got[0].asked.as_deref()),
            (None, None)
        );
    }

    #[test]
    fn alerts_are_planned_once_retried_and_cancelled() {
        let j = Journal::in_memory().unwrap();
        j.sla_open(&new(1)).unwrap();
        let plan = [alert("telegram"), alert("email")];
        j.sla_plan_alerts(1, AlertKind::First, 0, 1_600_000, &plan)
            .unwrap();
        j.sla_plan_alerts(1, AlertKind::First, 0, 1_600_000, &plan)
            .unwrap();
        let pending = j.alerts_pending(1_600_000).unwrap();
        assert_eq!(pending.len(), 2);
        assert_eq!(j.sla_row(1).unwrap().unwrap().state, SlaState::Breached);
        j.alert_sent(pending[0].id, 1_600_100).unwrap();
        j.alert_failed(pending[1].id, "down", 1_630_000).unwrap();
        assert!(j.alerts_pending(1_600_200).unwrap().is_empty());
        assert_eq!(j.alerts_next_try().unwrap(), Some(1_630_000));
        j.sla_answer(1, "call", 1_610_000).unwrap();
        assert!(j.alerts_pending(2_000_000).unwrap().is_empty());
        let all = j.alerts_for(Some(1)).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].sent_ms, Some(1_600_100));
        assert!(all[1].cancelled);
        assert_eq!(all[1].attempts, 1);
    }
}
