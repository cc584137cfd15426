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
pub mod quarantine;
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
const MIGRATIONS: &[&str] = &[
    mails::SCHEMA,
    outbox::SCHEMA,
    sla::SCHEMA,
    outbox::SCHEMA_V4,
    mails::SCHEMA_RAW,
    sla::SCHEMA_V2,
];

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
        private_files(path);
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

/// The state file holds phones, names and tokens: its folder is created
/// 0700 and the file, its WAL and shared-memory files 0600 (SQLite gives
/// the WAL the main file's mode), whatever the umask — with or without
/// systemd's `StateDirectoryMode`. An existing file open to others is
/// narrowed to 0600 with a warning; an existing folder is left as it is.
fn private_files(path: &Path) {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if path == Path::new(":memory:") {
        return;
    }
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir);
    }
    if !path.exists() {
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if let Ok(meta) = std::fs::metadata(&p)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(file = %p.display(), mode = format!("{:o}", meta.permissions().mode() & 0o777), "state file readable by others; setting it to 0600");
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
        }
    }
}

/// Now as unix milliseconds (the journal stores instants as integers).
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn state_file_wal_and_folder_are_private_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("new/state");
        let path = folder.join("state.db");
        let j = Journal::open(&path).unwrap();
        j.count_mails(None).unwrap();
        j.conn()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&path), 0o600);
        let wal = folder.join("state.db-wal");
        assert!(wal.exists());
        assert_eq!(mode(&wal), 0o600, "WAL");
        drop(j);
        // An existing file open to others is narrowed.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(Journal::open(&path).unwrap());
        assert_eq!(mode(&path), 0o600);
    }
}
