//! The state file: one SQLite database (WAL, `synchronous=FULL`).
//!
//! Durability is a protocol: every step of a mail's life is committed here
//! before the next outside action (IMAP flag, HTTP call, alert), so a crash
//! at any point resumes without loss or duplication. One connection behind
//! a std `Mutex` is the single writer; no `.await` is ever held across it.
//!
//! Schema changes are append-only migrations keyed by `PRAGMA user_version`.
//! Each concept keeps its SQL in its own file: [`mails`] (raw mails and
//! per-mailbox watermarks), and the modules added by delivery and SLA work.

pub mod mails;
pub mod outbox;
pub mod sla;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("state file {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "state file {path} has schema version {found}, newer than this binary knows ({known}); upgrade amo-intake or restore a backup"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("state file: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("state file: {0}")]
    Data(String),
}

pub type Result<T> = std::result::Result<T, JournalError>;

/// Migrations, in order; index + 1 is the `user_version` after applying it.
/// Never edit one that has shipped: append a new one.
const MIGRATIONS: &[&str] = &[mails::SCHEMA, outbox::SCHEMA, sla::SCHEMA, sla::SCHEMA_V2];

pub struct Journal {
    path: PathBuf,
    /// std Mutex: held only for short synchronous SQLite calls.
    conn: Mutex<Connection>,
    /// Signalled when delivery commits a lead (`mark_sent`): the SLA watch
    /// opens its clock at once instead of on its next `check_interval` tick.
    delivered: tokio::sync::Notify,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Journal {
    /// Opens (creating if needed) and migrates the state file.
    pub fn open(path: &Path) -> Result<Journal> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path).map_err(|source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::setup(path, conn)
    }

    /// A private in-memory journal (demo, tests).
    pub fn in_memory() -> Result<Journal> {
        let conn = Connection::open_in_memory()?;
        Self::setup(Path::new(":memory:"), conn)
    }

    fn setup(path: &Path, mut conn: Connection) -> Result<Journal> {
        let wrap = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(wrap)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(wrap)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(wrap)?;
        // A small page cache: raw mails pass through it once (overflow
        // pages), and the default 2 MB would stay resident in an idle daemon.
        conn.pragma_update(None, "cache_size", -512).map_err(wrap)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(wrap)?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(JournalError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = conn.transaction().map_err(wrap)?;
            tx.execute_batch(sql).map_err(wrap)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(wrap)?;
            tx.commit().map_err(wrap)?;
        }
        Ok(Journal {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            delivered: tokio::sync::Notify::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Resolves after the next lead is committed as delivered (or at once
    /// if one was committed since the last wait): the SLA watch's wake-up.
    pub fn delivered(&self) -> tokio::sync::futures::Notified<'_> {
        self.delivered.notified()
    }

    pub(crate) fn signal_delivered(&self) {
        self.delivered.notify_one();
    }

    /// The single connection. A poisoned lock only means another thread
    /// panicked mid-call; SQLite's own transaction keeps the file consistent.
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

/// Now as unix milliseconds (the journal stores instants as integers).
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
