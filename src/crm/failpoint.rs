//! Named failpoints: a step of the delivery state machine calls
//! [`hit`]`("after_sending_commit")`; when that name is armed (by a test via
//! [`arm`], or by `AMO_INTAKE_FAILPOINTS=a,b` in a spawned daemon) the step
//! returns [`crate::crm::CrmError::Failpoint`], which every caller passes up
//! without writing anything more, exactly as a crash at that point would.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Armed names and how many more times each fires (`u32::MAX` = always).
fn armed() -> &'static Mutex<HashMap<String, u32>> {
    static ARMED: OnceLock<Mutex<HashMap<String, u32>>> = OnceLock::new();
    ARMED.get_or_init(|| {
        let mut m = HashMap::new();
        if let Ok(v) = std::env::var("AMO_INTAKE_FAILPOINTS") {
            for name in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                m.insert(name.to_string(), 1);
            }
        }
        Mutex::new(m)
    })
}

fn lock() -> std::sync::MutexGuard<'static, HashMap<String, u32>> {
    match armed().lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Arms `name` to fire `times` times.
pub fn arm(name: &str, times: u32) {
    lock().insert(name.to_string(), times);
}

/// Disarms everything.
pub fn clear() {
    lock().clear();
}

/// Whether `name` is armed, without consuming a firing (for failpoints
/// that also need a marker in their input to fire).
pub fn is_armed(name: &str) -> bool {
    lock().get(name).is_some_and(|n| *n > 0)
}

/// Whether the named failpoint fires now (consumes one firing).
pub fn fires(name: &str) -> bool {
    let mut m = lock();
    match m.get_mut(name) {
        Some(n) if *n > 0 => {
            if *n != u32::MAX {
                *n -= 1;
            }
            tracing::warn!(failpoint = name, "failpoint fired: simulating a crash");
            true
        }
        _ => false,
    }
}

/// `Err(Failpoint)` when armed: use with `?` at every step boundary.
pub fn hit(name: &'static str) -> Result<(), super::CrmError> {
    if fires(name) {
        Err(super::CrmError::Failpoint(name))
    } else {
        Ok(())
    }
}

/// Every failpoint name the delivery state machine checks, in step order.
pub const ALL: &[&str] = &[
    "after_sending_commit",
    "after_contact_search",
    "after_create_response",
    "after_sent_commit",
    "after_notes_flag_commit",
    "after_notes_post",
    "after_noted_commit",
    "after_tasks_flag_commit",
    "after_tasks_post",
    "after_done_commit",
    "after_token_commit",
];
