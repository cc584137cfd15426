//! The allocator every binary of the crate runs on (src/lib.rs): jemalloc,
//! whose background thread gives freed pages back to the kernel within
//! about a second, busy or idle. Were it glibc's malloc again, or jemalloc
//! with its default 10 s decay or without the thread, the parse bench's
//! peak RSS would cross its bound or an idle daemon would sit on a burst's
//! pages; this test says which broke.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

const MB: usize = 1 << 20;

/// This process's resident memory (VmRSS), in bytes.
fn rss() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<usize>().ok())
        .unwrap()
        * 1024
}

#[test]
fn jemalloc_is_the_allocator_and_gives_freed_pages_back_within_seconds() {
    // The options string the library exports to jemalloc, and jemalloc's
    // reading of it.
    assert!(amo_intake::MALLOC_CONF.starts_with(b"dirty_decay_ms:1000,"));
    #[allow(unsafe_code)]
    // SAFETY: `opt.dirty_decay_ms` is an `ssize_t` (mallctl(3)), read as
    // the same-sized `isize`; the name is NUL-terminated.
    let decay: isize = unsafe { tikv_jemalloc_ctl::raw::read(b"opt.dirty_decay_ms\0") }.unwrap();
    assert_eq!(decay, 1000, "jemalloc did not read the library's options");
    #[allow(unsafe_code)]
    // SAFETY: `background_thread` is a `bool` (mallctl(3)); the name is
    // NUL-terminated.
    let thread: bool = unsafe { tikv_jemalloc_ctl::raw::read(b"background_thread\0") }.unwrap();
    assert!(
        thread,
        "jemalloc runs no background thread: idle pages would stay"
    );

    // 32 MB in 64 KB blocks; every eighth stays. glibc's malloc keeps the
    // freed ones between the live ones (it trims only the top of its heap),
    // jemalloc with its default decay keeps them for 10 s: either way RSS
    // stays up past the 4 s this waits. Nothing is allocated while it
    // waits: only the background thread can give the pages back.
    let base = rss();
    let mut blocks: Vec<Option<Vec<u8>>> =
        (0..512).map(|i| Some(vec![i as u8; 64 * 1024])).collect();
    let full = rss();
    assert!(full >= base + 28 * MB, "{} -> {} MB", base / MB, full / MB);
    for (i, b) in blocks.iter_mut().enumerate() {
        if i % 8 != 0 {
            *b = None;
        }
    }
    let freed = Instant::now();
    let mut after = rss();
    while after >= full - 20 * MB && freed.elapsed() < Duration::from_secs(4) {
        std::thread::sleep(Duration::from_millis(50));
        after = rss();
    }
    assert!(
        after < full - 20 * MB,
        "freed pages stayed resident for {:?}: {} MB with every block, {} MB with an eighth",
        freed.elapsed(),
        full / MB,
        after / MB
    );
    println!(
        "freed pages left RSS after {:?} ({} -> {} MB)",
        freed.elapsed(),
        full / MB,
        after / MB
    );
    assert!(blocks.iter().flatten().all(|b| b.len() == 64 * 1024));
}
