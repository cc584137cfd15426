//! Gives the heap a burst of mail used back to the system.
//!
//! Why: glibc returns free memory to the system only from the top of the
//! heap. After a burst of large mails (request JSON, amoCRM bodies) the freed
//! middle stays resident: measured on the latency bench with 30 KB mails, an
//! idle daemon sat at 18.9 MB and fell to 12.4 MB after one `malloc_trim(0)`.
//! The pipeline calls [`release_free_memory`] once a burst has been quiet for
//! a moment, so the daemon waits small.

/// Returns free heap pages to the system (glibc `malloc_trim`); a no-op on
/// other C libraries. Takes about a millisecond on the daemon's heap. Rust's
/// own allocations live in jemalloc (src/lib.rs), which gives freed pages
/// back by itself; what this still trims is the C side (SQLite's caches).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim(3) only walks glibc's own free lists under the
    // allocator's locks; it takes a plain integer, touches no memory of ours
    // and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Environment variable through which the daemon gives its parse worker
/// an address-space budget in bytes (see [`limit_address_space`]).
pub const WORKER_BUDGET_ENV: &str = "AMO_INTAKE_WORKER_MEMORY";

static LIMITED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Caps this process's address space (`RLIMIT_AS`) at what it maps now
/// plus `budget` bytes, and returns the cap. Past it an allocation fails
/// and the process aborts: the parse worker dies on a mail that would have
/// grown it without bound (the daemon then quarantines that mail) instead
/// of the kernel's OOM killer picking the daemon or another service.
pub fn limit_address_space(budget: u64) -> std::io::Result<u64> {
    let now = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| std::io::Error::other("no VmSize in /proc/self/status"))?;
    let cap = now.saturating_add(budget);
    let lim = libc::rlimit {
        rlim_cur: cap as libc::rlim_t,
        rlim_max: cap as libc::rlim_t,
    };
    #[allow(unsafe_code)]
    // SAFETY: setrlimit(2) reads the struct we pass by pointer and nothing
    // else; `lim` lives on our stack for the duration of the call.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    LIMITED.store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(cap)
}

/// Whether [`limit_address_space`] capped this process.
pub fn address_space_limited() -> bool {
    LIMITED.load(std::sync::atomic::Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    #[test]
    fn trimming_keeps_live_memory_intact() {
        let keep: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 40_000]).collect();
        let freed: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 40_000]).collect();
        drop(freed);
        super::release_free_memory();
        for (i, v) in keep.iter().enumerate() {
            assert!(v.iter().all(|b| *b == i as u8));
        }
    }
}
