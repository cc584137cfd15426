//! A real Dovecot 2.3 for integration tests: one private instance per test
//! (fresh temp dir, free loopback port), killed on drop, so tests can run in
//! parallel. The config is embedded here, so tests need no files outside
//! the repository.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;

pub const USER: &str = "sales@example.test";
pub const PASSWORD: &str = "imap-pw-Vq83rT";

const TEMPLATE: &str = r#"protocols = imap
listen = 127.0.0.1
base_dir = @DIR@/run
state_dir = @DIR@/state
log_path = @DIR@/dovecot.log
ssl = @SSL@
@SSL_FILES@
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = @IUSER@
default_internal_group = @IGROUP@
default_login_user = @LUSER@
first_valid_uid = 0
mail_location = maildir:@DIR@/mail/%u
mail_fsync = never
@CAPS@
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u @DIR@/users
}
userdb {
  driver = static
  args = uid=@IUSER@ gid=@IGROUP@ home=@DIR@/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = @PORT@
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = @TLSPORT@
    ssl = yes
  }
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  chroot =
}
auth_failure_delay = 0secs
imap_idle_notify_interval = 2 mins
# inotify is the fast path; this is Dovecot's own fallback check while a
# client IDLEs (default 30 s). A folder deleted just as IDLE starts is only
# noticed (and the client told BYE) by this check.
mailbox_idle_check_interval = 1 secs
"#;

/// Capability list Dovecot 2.3 advertises, minus IDLE (for the polling test).
const CAPS_NO_IDLE: &str = "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Advertise capabilities without IDLE.
    pub no_idle: bool,
    /// Self-signed CA + server cert; implicit TLS on `tls_port`.
    pub tls: bool,
}

pub struct Dovecot {
    dir: tempfile::TempDir,
    pub port: u16,
    /// Implicit-TLS port (only listening with `Options::tls`).
    pub tls_port: u16,
    child: Option<Child>,
    opts: Options,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

fn id(flag: &str) -> String {
    Command::new("id")
        .arg(flag)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn is_root() -> bool {
    id("-u") == "0"
}

fn current_user() -> (String, String) {
    (id("-un"), id("-gn"))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run helper command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Dovecot {
    pub fn start() -> Dovecot {
        Self::start_with(Options::default())
    }

    pub fn start_with(opts: Options) -> Dovecot {
        let dir = tempfile::Builder::new()
            .prefix("amo-dovecot-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let port = free_port();
        let tls_port = if opts.tls { free_port() } else { 0 };
        let (iuser, igroup, luser) = if is_root() {
            (
                "dovecot".to_string(),
                "dovecot".to_string(),
                "dovenull".to_string(),
            )
        } else {
            let (u, g) = current_user();
            (u.clone(), g, u)
        };
        let mut ssl_files = String::new();
        if opts.tls {
            Self::make_certs(d);
            ssl_files = format!(
                "ssl_cert = <{0}/cert.pem\nssl_key = <{0}/key.pem",
                d.display()
            );
        }
        let conf = TEMPLATE
            .replace("@SSL_FILES@", &ssl_files)
            .replace("@SSL@", if opts.tls { "yes" } else { "no" })
            .replace("@CAPS@", if opts.no_idle { CAPS_NO_IDLE } else { "" })
            .replace("@DIR@", &d.display().to_string())
            .replace("@PORT@", &port.to_string())
            .replace("@TLSPORT@", &tls_port.to_string())
            .replace("@IUSER@", &iuser)
            .replace("@IGROUP@", &igroup)
            .replace("@LUSER@", &luser);
        std::fs::write(d.join("dovecot.conf"), conf).expect("write conf");
        std::fs::write(d.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("users");
        std::fs::create_dir_all(d.join("mail")).expect("mail dir");
        if is_root() {
            run(Command::new("chown")
                .arg("-R")
                .arg(format!("{iuser}:{igroup}"))
                .arg(d.join("mail")));
        }
        let mut dc = Dovecot {
            dir,
            port,
            tls_port,
            child: None,
            opts,
        };
        dc.spawn();
        dc
    }

    fn make_certs(d: &Path) {
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        run(Command::new("openssl")
            .current_dir(d)
            .args(["req", "-x509"])
            .args(ec)
            .args([
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=amo-intake test CA",
            ]));
        run(Command::new("openssl")
            .current_dir(d)
            .args(["req"])
            .args(ec)
            .args([
                "-keyout",
                "key.pem",
                "-out",
                "srv.csr",
                "-subj",
                "/CN=127.0.0.1",
            ]));
        std::fs::write(
            d.join("ext.cnf"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .expect("ext");
        run(Command::new("openssl").current_dir(d).args([
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]));
    }

    /// The CA that signed the server certificate (TLS variant).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn spawn(&mut self) {
        let d = self.dir.path();
        let child = Command::new("dovecot")
            .arg("-F")
            .arg("-c")
            .arg(d.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot (apt-get install dovecot-imapd)");
        self.child = Some(child);
        self.wait_greeting();
    }

    fn wait_greeting(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 64];
                if let Ok(n) = s.read(&mut buf)
                    && buf[..n].starts_with(b"* OK")
                {
                    let _ = s.write_all(b"a LOGOUT\r\n");
                    return;
                }
            }
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(st)) = c.try_wait()
            {
                panic!("dovecot exited ({st}); log:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "dovecot did not greet; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Stops the server (clients see their connections close).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let pid = nix::unistd::Pid::from_raw(c.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        // The listener must be really gone before a test counts the outage.
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts again on the same port and mail dir.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "already running");
        self.spawn();
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting");
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .expect("login")
    }

    /// APPENDs one mail from a second connection (as a mail server would).
    pub async fn append(&self, folder: &str, raw: &[u8]) {
        self.append_many(folder, &[raw.to_vec()]).await;
    }

    pub async fn append_many(&self, folder: &str, raws: &[Vec<u8>]) {
        let mut s = self.session().await;
        for raw in raws {
            s.append(folder, None, None, raw).await.expect("append");
        }
        let _ = s.logout().await;
    }

    pub async fn create_folder(&self, folder: &str) {
        let mut s = self.session().await;
        s.create(folder).await.expect("create");
        let _ = s.logout().await;
    }

    /// Deletes and re-creates a folder: Dovecot gives it a new UIDVALIDITY.
    pub async fn delete_and_recreate(&self, folder: &str) -> (u32, u32) {
        let mut s = self.session().await;
        let before = s
            .examine(folder)
            .await
            .expect("examine")
            .uid_validity
            .unwrap_or(0);
        s.close().await.ok();
        s.delete(folder).await.expect("delete");
        s.create(folder).await.expect("create");
        let after = s
            .examine(folder)
            .await
            .expect("examine")
            .uid_validity
            .unwrap_or(0);
        let _ = s.logout().await;
        (before, after)
    }

    /// UIDs in a folder (to check post-processing).
    pub async fn uids(&self, folder: &str) -> Vec<u32> {
        let mut s = self.session().await;
        s.examine(folder).await.expect("examine");
        let mut v: Vec<u32> = s
            .uid_search("ALL")
            .await
            .expect("search")
            .into_iter()
            .collect();
        v.sort();
        let _ = s.logout().await;
        v
    }

    /// Keywords/flags of every mail in a folder.
    pub async fn flags(&self, folder: &str) -> Vec<String> {
        let mut s = self.session().await;
        s.examine(folder).await.expect("examine");
        let fetches: Vec<_> = s
            .uid_fetch("1:*", "(UID FLAGS)")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch");
        let out = fetches
            .iter()
            .map(|f| {
                f.flags()
                    .map(|fl| format!("{fl:?}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let _ = s.logout().await;
        out
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A small, realistic form mail with a unique Message-ID.
pub fn form_mail(n: usize, tag: &str) -> Vec<u8> {
    format!(
        "From: Tilda Forms <robot@tilda.ws>\r\n\
         To: sales@example.test\r\n\
         Subject: =?UTF-8?B?0JfQsNGP0LLQutCwINGBINGB0LDQudGC0LA=?= #{n}\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0300\r\n\
         Message-ID: <{tag}-{n}@tilda.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Name: Иван {n}\r\n\
         Phone: +7 (999) 123-{n:02}-{n:02}\r\n\
         Comment: замер окон\r\n"
    )
    .into_bytes()
}

impl Dovecot {
    /// Drops a mail straight into the user's INBOX maildir, as a local
    /// delivery agent would while the IMAP server is down.
    pub fn deliver_offline(&self, raw: &[u8], n: usize) {
        let md = self.dir.path().join("mail").join(USER);
        let tmp = md.join("tmp").join(format!("offline-{n}.eml"));
        let new = md.join("new").join(format!("1700000000.offline{n}.test"));
        std::fs::create_dir_all(md.join("tmp")).expect("maildir tmp");
        std::fs::create_dir_all(md.join("new")).expect("maildir new");
        std::fs::write(&tmp, raw).expect("write mail");
        if is_root() {
            run(Command::new("chown")
                .arg("-R")
                .arg("dovecot:dovecot")
                .arg(&md));
        }
        std::fs::rename(&tmp, &new).expect("deliver");
    }
}
