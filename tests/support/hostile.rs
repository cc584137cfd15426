//! Hostile mails, generated at run time (nothing big is committed), and
//! memory probes of the daemon and its parse worker from /proc. Used by
//! tests/hostile.rs and benches/memory.rs.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MB: usize = 1024 * 1024;

fn head(id: &str, subject: &str, ctype: &str) -> String {
    format!(
        "From: Tilda Forms <robot@tilda.ws>\r\n\
         To: sales@example.test\r\n\
         Subject: {subject}\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0300\r\n\
         Message-ID: <{id}@hostile.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: {ctype}\r\n"
    )
}

fn form_fields() -> &'static str {
    "Name: Анна Смирнова\r\nPhone: +7 912 345-67-89\r\n"
}

/// A mail of about `mb` MB of ordinary text lines (over the 25 MB cap
/// when `mb` is 26).
pub fn big_text(id: &str, mb: usize) -> Vec<u8> {
    let mut raw = head(id, "Big mail", "text/plain; charset=utf-8").into_bytes();
    raw.extend_from_slice(b"Content-Transfer-Encoding: 8bit\r\n\r\n");
    raw.extend_from_slice(form_fields().as_bytes());
    let line = format!("{}\r\n", "x".repeat(76));
    while raw.len() < mb * MB {
        raw.extend_from_slice(line.as_bytes());
    }
    raw
}

/// A form whose `Comment` value is one line of `mb` MB of Cyrillic text
/// (under the cap for 24).
pub fn single_value(id: &str, mb: usize) -> Vec<u8> {
    let mut raw = head(id, "New lead", "text/plain; charset=utf-8").into_bytes();
    raw.extend_from_slice(b"Content-Transfer-Encoding: 8bit\r\n\r\n");
    raw.extend_from_slice(form_fields().as_bytes());
    raw.extend_from_slice("Comment: ".as_bytes());
    let word = "замер ".as_bytes();
    let target = mb * MB;
    while raw.len() + word.len() < target {
        raw.extend_from_slice(word);
    }
    raw.extend_from_slice(b"\r\n");
    raw
}

/// A form with `n` fields.
pub fn many_fields(id: &str, n: usize) -> Vec<u8> {
    let mut raw = head(id, "New lead", "text/plain; charset=utf-8").into_bytes();
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(form_fields().as_bytes());
    for i in 0..n {
        raw.extend_from_slice(format!("Field {i}: value {i}\r\n").as_bytes());
    }
    raw
}

/// A form with one line of `bytes` bytes.
pub fn long_line(id: &str, bytes: usize) -> Vec<u8> {
    let mut raw = head(id, "New lead", "text/plain; charset=utf-8").into_bytes();
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(form_fields().as_bytes());
    raw.extend_from_slice(b"Comment: ");
    raw.extend(std::iter::repeat_n(b'a', bytes));
    raw.extend_from_slice(b"\r\n");
    raw
}

/// A UTF-8 form with a NUL (which Dovecot stores as 0x80) and stray
/// bytes: the name must come out as UTF-8, not windows-1251.
pub fn stray_bytes(id: &str) -> Vec<u8> {
    let mut raw = head(id, "New lead", "text/plain; charset=utf-8").into_bytes();
    raw.extend_from_slice(b"Content-Transfer-Encoding: 8bit\r\n\r\n");
    raw.extend_from_slice(
        "Name: Иван Петров\r\nPhone: +7 912 345-67-88\r\nComment: нужен замер".as_bytes(),
    );
    raw.extend_from_slice(b"\x00 \x80\xff \r\n");
    raw
}

/// Multipart with a missing closing boundary, bad base64 and a part cut
/// mid-header.
pub fn broken_mime(id: &str) -> Vec<u8> {
    let mut raw = head(id, "New lead", "multipart/alternative; boundary=\"b1\"").into_bytes();
    raw.extend_from_slice(
        b"\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
          !!!not base64@@@\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
    );
    raw.extend_from_slice(form_fields().as_bytes());
    raw.extend_from_slice(b"--b1\r\nContent-Type: text/ht");
    raw
}

/// `depth` multiparts nested in each other, a form at the bottom.
pub fn deep_multipart(id: &str, depth: usize) -> Vec<u8> {
    let mut raw = head(id, "New lead", "multipart/mixed; boundary=\"d0\"").into_bytes();
    raw.extend_from_slice(b"\r\n");
    for i in 1..depth {
        raw.extend_from_slice(
            format!(
                "--d{}\r\nContent-Type: multipart/mixed; boundary=\"d{i}\"\r\n\r\n",
                i - 1
            )
            .as_bytes(),
        );
    }
    raw.extend_from_slice(
        format!(
            "--d{}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
            depth - 1,
            form_fields()
        )
        .as_bytes(),
    );
    for i in (0..depth).rev() {
        raw.extend_from_slice(format!("--d{i}--\r\n").as_bytes());
    }
    raw
}

/// An HTML form inside `depth` nested elements.
pub fn deep_html(id: &str, depth: usize) -> Vec<u8> {
    let mut raw = head(id, "New lead", "text/html; charset=utf-8").into_bytes();
    raw.extend_from_slice(b"\r\n<html><body>");
    for _ in 0..depth {
        raw.extend_from_slice(b"<div>");
    }
    raw.extend_from_slice("<p>Name: Анна Смирнова</p><p>Phone: +7 912 345-67-87</p>".as_bytes());
    for _ in 0..depth {
        raw.extend_from_slice(b"</div>");
    }
    raw.extend_from_slice(b"</body></html>\r\n");
    raw
}

/// CR/LF smuggled into the sender's name and the subject (RFC 2047) and
/// into the form's name field: none may reach amoCRM or an alert as a new
/// line.
pub fn header_injection(id: &str) -> Vec<u8> {
    format!(
        "From: =?utf-8?Q?Anna=0D=0ABcc:_victim@example.com?= <robot@tilda.ws>\r\n\
         To: sales@example.test\r\n\
         Subject: =?utf-8?Q?New_lead=0D=0AX-Injected:_1?=\r\n\
         Message-ID: <{id}@hostile.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         \r\n\
         <p>Name: Anna&#13;&#10;Bcc: victim@example.com</p><p>Phone: +7 912 345-67-86</p>\r\n"
    )
    .into_bytes()
}

/// Marked for the worker's out-of-memory failpoint (armed only in tests).
pub fn memory_hog(id: &str) -> Vec<u8> {
    let mut raw = head(id, "New lead", "text/plain; charset=utf-8").into_bytes();
    raw.extend_from_slice(b"X-Amo-Intake-Failpoint: parse_oom\r\n\r\n");
    raw.extend_from_slice(form_fields().as_bytes());
    raw
}

/// The fake amoCRM's successful lead-creating requests.
pub fn lead_posts(fake: &super::FakeAmo) -> Vec<super::fake_amocrm::RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| {
            r.method == "POST"
                && (r.path == "/api/v4/leads/unsorted/forms" || r.path == "/api/v4/leads/complex")
                && (200..300).contains(&r.status)
        })
        .collect()
}

// ---------------------------------------------------------------- /proc

/// A field of /proc/PID/status in MB (VmRSS, VmHWM…); NaN when gone.
pub fn status_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Open file descriptors of `pid`.
pub fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// Child process ids of `pid` (the parse worker).
pub fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Peak RSS (VmHWM, MB) of the daemon and of the largest parse worker seen,
/// sampled every 10 ms until dropped (a worker's VmHWM is read while it
/// lives).
pub struct PeakProbe {
    peaks: Arc<Mutex<(f64, f64)>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl PeakProbe {
    pub fn start(pid: u32) -> PeakProbe {
        let peaks = Arc::new(Mutex::new((0.0f64, 0.0f64)));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (p, s) = (peaks.clone(), stop.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            while !s.load(std::sync::atomic::Ordering::Relaxed)
                && started.elapsed() < Duration::from_secs(3600)
            {
                let own = status_mb(pid, "VmHWM:");
                let worker = children(pid)
                    .into_iter()
                    .map(|c| status_mb(c, "VmHWM:"))
                    .filter(|v| v.is_finite())
                    .fold(0.0f64, f64::max);
                {
                    let mut g = p.lock().unwrap();
                    if own.is_finite() {
                        g.0 = g.0.max(own);
                    }
                    g.1 = g.1.max(worker);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        PeakProbe { peaks, stop }
    }

    /// (daemon, worker) peak RSS in MB so far.
    pub fn peaks(&self) -> (f64, f64) {
        *self.peaks.lock().unwrap()
    }
}

impl Drop for PeakProbe {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
