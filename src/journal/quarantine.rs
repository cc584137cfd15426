//! Quarantined mails and requests: listed for `status`, counted for the
//! metric, alerted once each, and sent back by `amo-intake requeue ID`.
//!
//! A quarantined *request* (amoCRM refused it, or it could not be built)
//! is listed as `request`; a quarantined *mail* that never became a request
//! (parser crash, a mail the daemon kept failing on) as `mail`. A mail whose
//! request is quarantined is listed once, as the request.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Journal, Result};

/// Attempts at handling one mail (load, parse, journal the request) before
/// it is quarantined. An attempt is counted before it starts, so a process
/// that dies on a mail (out of memory, a kill) counts too.
/// Five, not fewer: a kill from outside (a restart, the crash test's
/// SIGKILLs) may land on the same mail a few times by chance.
pub const MAX_MAIL_ATTEMPTS: i64 = 5;

/// One quarantined item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// `"mail"` or `"request"`.
    pub kind: &'static str,
    /// What `amo-intake requeue` takes: `mail-<id>` or `request-<id>`.
    pub id: String,
    /// The request's idempotency key (requests only).
    pub key: Option<String>,
    pub mailbox: Option<String>,
    pub subject: Option<String>,
    pub reason: String,
    /// When it was quarantined (unix ms); `None` for items quarantined by an
    /// older version.
    pub at_ms: Option<i64>,
}

/// Where a requeued item went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requeued {
    /// The mail is parsed again with the current rules.
    Mail(i64),
    /// The request is delivered again (as it was, or looked up first when a
    /// creating call had been made).
    Request(i64),
}

/// `mail-12`, `request-7`, or a bare request key `ai-…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemRef {
    Mail(i64),
    Request(i64),
    Key(String),
}

impl ItemRef {
    pub fn parse(s: &str) -> Option<ItemRef> {
        let s = s.trim();
        if let Some(n) = s.strip_prefix("mail-") {
            return n.parse().ok().map(ItemRef::Mail);
        }
        if let Some(n) = s.strip_prefix("request-") {
            return n.parse().ok().map(ItemRef::Request);
        }
        if s.starts_with("ai-") && s.len() > 3 {
            return Some(ItemRef::Key(s.to_string()));
        }
        None
    }
}

/// The decoded Subject of a raw mail (headers only).
fn subject_of(raw: &[u8]) -> Option<String> {
    let head = &raw[..raw.len().min(64 * 1024)];
    let msg = mail_parser::MessageParser::default().parse_headers(head)?;
    msg.subject().map(|s| s.chars().take(200).collect())
}

impl Journal {
    /// Every quarantined item, oldest first.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>> {
        let conn = self.conn();
        let mut out = Vec::new();
        let mut st = conn.prepare(
            "SELECT r.id, r.key, m.mailbox, json_extract(r.request, '$.meta.subject'),
                    COALESCE(o.last_error, ''), o.quarantined_at
             FROM outbox o JOIN requests r ON r.id = o.request_id
             LEFT JOIN mails m ON m.id = r.mail_id
             WHERE o.state = 'quarantined' ORDER BY o.request_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Quarantined {
                kind: "request",
                id: format!("request-{}", r.get::<_, i64>(0)?),
                key: r.get(1)?,
                mailbox: r.get(2)?,
                subject: r.get(3)?,
                reason: r.get(4)?,
                at_ms: r.get(5)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
        drop(st);
        let mut st = conn.prepare(
            "SELECT m.id, m.mailbox, substr(r.raw, 1, 65536), COALESCE(m.error, ''), m.quarantined_at
             FROM mails m LEFT JOIN mail_raw r ON r.mail_id = m.id WHERE m.state = 'quarantined'
             AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.mail_id = m.id)
             ORDER BY m.id",
        )?;
        let rows = st.query_map([], |r| {
            let head: Vec<u8> = r.get(2)?;
            Ok(Quarantined {
                kind: "mail",
                id: format!("mail-{}", r.get::<_, i64>(0)?),
                key: None,
                mailbox: r.get(1)?,
                subject: subject_of(&head),
                reason: r.get(3)?,
                at_ms: r.get(4)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
        out.sort_by_key(|q| q.at_ms.unwrap_or(0));
        Ok(out)
    }

    /// How many items are quarantined now (the metric).
    pub fn quarantined_count(&self) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE state='quarantined')
                  + (SELECT COUNT(*) FROM mails m WHERE m.state='quarantined'
                     AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.mail_id = m.id))",
            [],
            |r| r.get(0),
        )?)
    }

    /// Quarantined items the admin has not been told about yet.
    pub fn quarantined_unalerted(&self) -> Result<Vec<Quarantined>> {
        let conn = self.conn();
        let mut ids: Vec<String> = Vec::new();
        {
            let mut st = conn.prepare(
                "SELECT 'request-' || request_id FROM outbox WHERE state='quarantined' AND alerted=0
                 UNION ALL
                 SELECT 'mail-' || m.id FROM mails m WHERE m.state='quarantined' AND m.alerted=0
                 AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.mail_id = m.id)",
            )?;
            for r in st.query_map([], |r| r.get(0))? {
                ids.push(r?);
            }
        }
        drop(conn);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .quarantined()?
            .into_iter()
            .filter(|q| ids.contains(&q.id))
            .collect())
    }

    /// The admin was told about this item.
    pub fn mark_quarantine_alerted(&self, item: &str) -> Result<()> {
        match ItemRef::parse(item) {
            Some(ItemRef::Mail(id)) => {
                self.conn()
                    .execute("UPDATE mails SET alerted=1 WHERE id=?1", params![id])?;
            }
            Some(ItemRef::Request(id)) => {
                self.conn().execute(
                    "UPDATE outbox SET alerted=1 WHERE request_id=?1",
                    params![id],
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Counts one more attempt at handling mail `id`, committed before the
    /// attempt; returns the count including this one.
    pub fn begin_mail_attempt(&self, id: i64) -> Result<i64> {
        Ok(self.conn().query_row(
            "UPDATE mails SET attempts = attempts + 1 WHERE id = ?1 RETURNING attempts",
            params![id],
            |r| r.get(0),
        )?)
    }

    /// Keeps why an attempt at mail `id` failed (shown if it ends quarantined).
    pub fn note_mail_error(&self, id: i64, error: &str) -> Result<()> {
        self.conn()
            .execute("UPDATE mails SET error=?2 WHERE id=?1", params![id, error])?;
        Ok(())
    }

    /// The last error recorded for mail `id`.
    pub fn mail_error(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT error FROM mails WHERE id=?1", params![id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Ids of mails waiting to be parsed: those with fewer attempts first
    /// (a mail the process died on goes after the others), then in order.
    pub fn seen_mail_ids(&self, limit: usize) -> Result<Vec<i64>> {
        let conn = self.conn();
        let mut st =
            conn.prepare("SELECT id FROM mails WHERE state='seen' ORDER BY attempts, id LIMIT ?1")?;
        let ids = st
            .query_map(params![limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    /// One mail waiting to be parsed; its raw bytes when they are at most
    /// [`super::outbox::INLINE_RAW_BYTES`], else empty (streamed from the
    /// journal when parsed, see `worker::MailBytes`).
    pub fn seen_mail(&self, id: i64) -> Result<Option<super::outbox::SeenMail>> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {} FROM {} WHERE m.id=?1 AND m.state='seen'",
                    super::outbox::SEEN_COLUMNS,
                    super::outbox::SEEN_FROM
                ),
                params![id, super::outbox::INLINE_RAW_BYTES as i64],
                super::outbox::SeenMail::from_row,
            )
            .optional()?)
    }

    /// Sends a quarantined item back after the admin fixed the cause: a mail
    /// is parsed again with the current rules (attempts reset); a request is
    /// delivered again — from `sending` (looked up in amoCRM first) when a
    /// creating call had been made, else from `queued`; a request that has
    /// a lead already resumes at its notes. `None`: no such quarantined item.
    pub fn requeue_item(&self, item: &ItemRef) -> Result<Option<Requeued>> {
        let now = super::now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let request_id: Option<i64> = match item {
            ItemRef::Request(id) => Some(*id),
            ItemRef::Key(k) => tx
                .query_row("SELECT id FROM requests WHERE key=?1", params![k], |r| {
                    r.get(0)
                })
                .optional()?,
            ItemRef::Mail(id) => tx
                .query_row(
                    "SELECT id FROM requests WHERE mail_id=?1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()?,
        };
        if let Some(rid) = request_id {
            let n = tx.execute(
                "UPDATE outbox SET
                   state = CASE WHEN lead_id IS NOT NULL THEN 'sent'
                                WHEN first_try IS NOT NULL THEN 'sending'
                                ELSE 'queued' END,
                   solo = 1, last_error = NULL, next_attempt = ?2, updated_at = ?2,
                   quarantined_at = NULL, alerted = 0
                 WHERE request_id = ?1 AND state = 'quarantined'",
                params![rid, now],
            )?;
            if n == 0 {
                return Ok(None);
            }
            tx.execute(
                "UPDATE mails SET state='parsed', error=NULL, quarantined_at=NULL, alerted=0
                 WHERE id=(SELECT mail_id FROM requests WHERE id=?1) AND state='quarantined'",
                params![rid],
            )?;
            tx.commit()?;
            return Ok(Some(Requeued::Request(rid)));
        }
        let ItemRef::Mail(mid) = item else {
            return Ok(None);
        };
        let n = tx.execute(
            "UPDATE mails SET state='seen', attempts=0, error=NULL, quarantined_at=NULL, alerted=0
             WHERE id=?1 AND state='quarantined'",
            params![mid],
        )?;
        tx.commit()?;
        Ok((n > 0).then_some(Requeued::Mail(*mid)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::journal::mails::{IncomingMail, Recorded};
    use crate::journal::outbox::{NewRequest, OutboxState};
    use crate::request::{Action, Request};
    use crate::rules::CrmSpec;

    fn mail(j: &Journal, uid: u32, subject: &str) -> i64 {
        let raw = format!(
            "Message-ID: <q{uid}@x>\r\nSubject: =?UTF-8?B?{}?=\r\n\r\nbody",
            base64_utf8(subject)
        );
        match j
            .record_mail(&IncomingMail {
                mailbox: "sales".into(),
                uidvalidity: 1,
                uid,
                internal_date_ms: None,
                raw: raw.into_bytes(),
            })
            .unwrap()
        {
            Recorded::New(id) => id,
            other => panic!("{other:?}"),
        }
    }

    fn enqueue(j: &Journal, mail_id: Option<i64>, key: &str, r: &Request) -> i64 {
        j.enqueue_request(&NewRequest {
            mail_id,
            key,
            request: r,
            spec: &CrmSpec::default(),
            rule_set: "v1",
            received_at_ms: 0,
            deadline_ms: None,
        })
        .unwrap()
        .request_id
    }

    fn base64_utf8(s: &str) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let b = s.as_bytes();
        let mut out = String::new();
        for c in b.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= c.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn quarantined_mails_and_requests_are_listed_alerted_once_and_requeued() {
        let j = Journal::in_memory().unwrap();
        let m1 = mail(&j, 1, "Заявка с сайта");
        let m2 = mail(&j, 2, "Вторая заявка");
        j.quarantine_mail(m1, "v1", "parser crashed on this mail")
            .unwrap();
        let r = Request {
            action: Action::Lead,
            meta: crate::request::RequestMeta {
                subject: Some("Вторая заявка".into()),
                ..Default::default()
            },
            ..Request::default()
        };
        let e = enqueue(&j, Some(m2), "ai-q2", &r);
        j.quarantine_outbox(e, "amoCRM refused the lead (400)")
            .unwrap();
        let q = j.quarantined().unwrap();
        assert_eq!(q.len(), 2, "{q:#?}");
        assert_eq!(j.quarantined_count().unwrap(), 2);
        let mq = q.iter().find(|x| x.kind == "mail").unwrap();
        assert_eq!(mq.id, format!("mail-{m1}"));
        assert_eq!(mq.subject.as_deref(), Some("Заявка с сайта"));
        assert!(mq.at_ms.is_some());
        let rq = q.iter().find(|x| x.kind == "request").unwrap();
        assert_eq!(rq.key.as_deref(), Some("ai-q2"));
        assert_eq!(rq.subject.as_deref(), Some("Вторая заявка"));
        assert!(rq.reason.contains("400"));

        assert_eq!(j.quarantined_unalerted().unwrap().len(), 2);
        for x in j.quarantined_unalerted().unwrap() {
            j.mark_quarantine_alerted(&x.id).unwrap();
        }
        assert!(j.quarantined_unalerted().unwrap().is_empty());

        // Requeue: the mail is parsed again, the request queued again.
        assert_eq!(
            j.requeue_item(&ItemRef::parse(&mq.id).unwrap()).unwrap(),
            Some(Requeued::Mail(m1))
        );
        assert_eq!(j.seen_mail_ids(10).unwrap(), vec![m1]);
        assert_eq!(
            j.requeue_item(&ItemRef::parse("ai-q2").unwrap()).unwrap(),
            Some(Requeued::Request(e))
        );
        assert_eq!(j.outbox_row(e).unwrap().unwrap().state, OutboxState::Queued);
        assert!(j.quarantined().unwrap().is_empty());
        // Nothing quarantined under that id any more.
        assert_eq!(j.requeue_item(&ItemRef::Mail(m1)).unwrap(), None);
        assert_eq!(ItemRef::parse("bogus"), None);
    }

    #[test]
    fn a_requeued_request_that_was_sent_once_is_looked_up_not_recreated() {
        let j = Journal::in_memory().unwrap();
        let e = enqueue(&j, None, "ai-q3", &Request::default());
        j.mark_sending(&[e]).unwrap();
        j.quarantine_outbox(e, "refused").unwrap();
        j.requeue_item(&ItemRef::Request(e)).unwrap();
        assert_eq!(
            j.outbox_row(e).unwrap().unwrap().state,
            OutboxState::Sending
        );
    }

    #[test]
    fn mail_attempts_count_up_and_a_tried_mail_goes_last() {
        let j = Journal::in_memory().unwrap();
        let m = mail(&j, 9, "x");
        let other = mail(&j, 10, "y");
        assert_eq!(j.seen_mail_ids(10).unwrap(), vec![m, other]);
        assert_eq!(j.begin_mail_attempt(m).unwrap(), 1);
        assert_eq!(j.begin_mail_attempt(m).unwrap(), 2);
        assert_eq!(j.seen_mail_ids(10).unwrap(), vec![other, m]);
        j.note_mail_error(m, "state file: out of memory").unwrap();
        assert_eq!(
            j.mail_error(m).unwrap().as_deref(),
            Some("state file: out of memory")
        );
    }
}
