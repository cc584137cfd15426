//! The allocator every binary of the crate runs on (src/lib.rs): jemalloc,
//! giving freed pages back to the kernel at once. Were it glibc's malloc
//! again, or jemalloc with its default 10 s decay, the parse bench's peak
//! RSS would cross its bound; this test says which broke.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
fn jemalloc_is_the_allocator_and_gives_freed_pages_back_at_once() {
    // The options string the library exports to jemalloc, and jemalloc's
    // reading of it.
    assert!(amo_intake::MALLOC_CONF.starts_with(b"dirty_decay_ms:0,"));
    #[allow(unsafe_code)]
    // SAFETY: `opt.dirty_decay_ms` is an `ssize_t` (mallctl(3)), read as
    // the same-sized `isize`; the name is NUL-terminated.
    let decay: isize = unsafe { tikv_jemalloc_ctl::raw::read(b"opt.dirty_decay_ms\0") }.unwrap();
    assert_eq!(decay, 0, "jemalloc did not read the library's options");

    // 32 MB in 64 KB blocks; every eighth stays. glibc's malloc keeps the
    // freed ones between the live ones (it trims only the top of its heap),
    // jemalloc with a decay keeps them for seconds: either way RSS stays up.
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
    let after = rss();
    assert!(
        after < full - 20 * MB,
        "freed pages stayed resident: {} MB with every block, {} MB with an eighth",
        full / MB,
        after / MB
    );
    assert!(blocks.iter().flatten().all(|b| b.len() == 64 * 1024));
}
