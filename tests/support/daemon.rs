//! Runs the real `amo-intake` binary as a child, with its stderr captured
//! line by line so tests can wait for log events.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Daemon {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    pub fn spawn(config: &Path) -> Daemon {
        Self::spawn_args(&["run", "--config", &config.display().to_string()])
    }

    pub fn spawn_args(args: &[&str]) -> Daemon {
        Self::spawn_args_env(args, &[])
    }

    /// `run --config` with extra environment (failpoints).
    pub fn spawn_env(config: &Path, env: &[(&str, &str)]) -> Daemon {
        Self::spawn_args_env(&["run", "--config", &config.display().to_string()], env)
    }

    pub fn spawn_args_env(args: &[&str], env: &[(&str, &str)]) -> Daemon {
        // AMO_DAEMON_WRAPPER (e.g. "heaptrack -o /tmp/ht") profiles the daemon.
        let wrapper = std::env::var("AMO_DAEMON_WRAPPER").unwrap_or_default();
        let mut argv: Vec<String> = wrapper.split_whitespace().map(String::from).collect();
        argv.push(env!("CARGO_BIN_EXE_amo-intake").to_string());
        argv.extend(args.iter().map(|a| a.to_string()));
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .env_remove("NOTIFY_SOCKET")
            .env_remove("CREDENTIALS_DIRECTORY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn amo-intake");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log lock").push(line);
            }
        });
        Daemon { child, log }
    }

    pub fn pid(&self) -> nix::unistd::Pid {
        nix::unistd::Pid::from_raw(self.child.id() as i32)
    }

    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(self.pid(), sig).expect("send signal");
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log lock").join("\n")
    }

    /// Number of log lines containing `needle`.
    pub fn count_log(&self, needle: &str) -> usize {
        self.log
            .lock()
            .expect("log lock")
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Waits until `n` log lines contain `needle`.
    pub fn wait_log_n(&self, needle: &str, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.count_log(needle) < n {
            if Instant::now() > deadline {
                panic!(
                    "no {n}x {needle:?} in the log within {within:?}:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_log(&self, needle: &str, within: Duration) {
        self.wait_log_n(needle, 1, within);
    }

    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                // Let the reader thread drain the pipe.
                std::thread::sleep(Duration::from_millis(100));
                return Some(st);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A temp dir with config.toml, a password file, an empty rules folder.
pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new() -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("rules")).expect("rules dir");
        super::write_secret(
            &dir.path().join("imap-password"),
            &format!("{}\n", super::dovecot::PASSWORD),
        );
        Setup { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path("config.toml")
    }

    /// A config watching INBOX of the test Dovecot in plaintext (loopback).
    pub fn config_text(&self, imap_port: u16, extra: &str) -> String {
        let d = self.dir.path().display();
        format!(
            r#"[[mailbox]]
name = "sales"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
user = "{user}"
password_file = "{d}/imap-password"

[state]
path = "{d}/state.db"

[rules]
dir = "{d}/rules"

[amocrm]
dry_run = true
{extra}
"#,
            user = super::dovecot::USER
        )
    }

    /// Writes a config watching the test Dovecot and delivering to the fake
    /// amoCRM at `base_url` with its long-lived `token`; `crm_extra` adds
    /// `[amocrm]` keys (e.g. `rate_limit = 200.0`).
    pub fn write_config_with_crm(
        &self,
        imap_port: u16,
        base_url: &str,
        token: &str,
        crm_extra: &str,
    ) {
        super::write_secret(&self.path("amocrm-token"), token);
        let crm = format!(
            "base_url = \"{base_url}\"\ntoken_file = \"{}\"\n{crm_extra}",
            self.path("amocrm-token").display()
        );
        let text = self
            .config_text(imap_port, "")
            .replace("[amocrm]\ndry_run = true\n", &format!("[amocrm]\n{crm}"));
        self.write_config(&text);
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).expect("write config");
    }

    /// Mails journalled so far (read-only look at the daemon's state file).
    pub fn journalled(&self) -> i64 {
        let Ok(conn) = rusqlite::Connection::open_with_flags(
            self.path("state.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        ) else {
            return 0;
        };
        conn.query_row("SELECT COUNT(*) FROM mails", [], |r| r.get(0))
            .unwrap_or(0)
    }

    pub fn distinct_message_ids(&self) -> i64 {
        let Ok(conn) = rusqlite::Connection::open_with_flags(
            self.path("state.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        ) else {
            return 0;
        };
        conn.query_row("SELECT COUNT(DISTINCT message_id) FROM mails", [], |r| {
            r.get(0)
        })
        .unwrap_or(0)
    }

    pub fn wait_journalled(&self, n: i64, within: Duration) {
        let deadline = Instant::now() + within;
        while self.journalled() < n {
            assert!(
                Instant::now() < deadline,
                "only {} of {n} mails journalled within {within:?}",
                self.journalled()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Default for Setup {
    fn default() -> Self {
        Self::new()
    }
}
