//! The reference corpus beside the checkout (`../shared/corpus`: sample
//! website-form mails, each with the JSON a careful human reads off it) is not
//! part of the repository. Tests that check against it call [`shared_dir`]:
//! they run when the folder is there and print plainly that they were skipped
//! when it is not. With `AMO_REQUIRE_SHARED=1` (set by `.ci/run`) a missing
//! folder is a failure instead. Tests that only need *a* sample mail use the
//! vendored copies in `tests/fixtures/mail/` and always run.
//!
//! Included from tests/support/mod.rs and, for test crates that need nothing
//! else, with `#[path = "support/shared.rs"] mod shared;`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// `../shared/<sub>` when it exists; `None` after a notice on stderr when it
/// does not. Panics when `AMO_REQUIRE_SHARED=1` and it is missing.
pub fn shared_dir(sub: &str, test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    let required = std::env::var("AMO_REQUIRE_SHARED").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{test}: {} is missing and AMO_REQUIRE_SHARED=1 requires it",
        dir.display()
    );
    // Straight to stderr, not eprintln!: the test harness captures the
    // latter for passing tests, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {} not found (the reference corpus beside the checkout; \
         AMO_REQUIRE_SHARED=1 makes this a failure)",
        dir.display()
    );
    None
}

/// A vendored sample mail from `tests/fixtures/mail/` (copies of three corpus
/// mails the tests rely on).
pub fn fixture_mail(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name)
}
