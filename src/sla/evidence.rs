//! Evidence that a manager reacted to a request, and where it comes from.
//!
//! The watch asks an [`EvidenceSource`] about a batch of leads; the amoCRM
//! implementation is [`crate::crm::events::EventsEvidence`] (batched
//! `GET /api/v4/events`). Keeping this a trait lets the watch be tested with
//! an in-memory source and lets an account without telephony events plug in
//! something else.

use std::collections::HashMap;

use futures::future::BoxFuture;
use jiff::Timestamp;

/// One kind of "the manager reacted", as written in `[sla] evidence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvidenceKind {
    /// An outgoing call logged on the lead or its contact (`outgoing_call`
    /// event, which a `call_out` note also produces).
    Call,
    /// The lead changed stage: accepted from Unsorted or moved on.
    Status,
    /// The call task was completed.
    Task,
    /// An outgoing chat message.
    Chat,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 4] = [
        EvidenceKind::Call,
        EvidenceKind::Status,
        EvidenceKind::Task,
        EvidenceKind::Chat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Call => "call",
            EvidenceKind::Status => "status",
            EvidenceKind::Task => "task",
            EvidenceKind::Chat => "chat",
        }
    }

    pub fn from_config(s: &str) -> Option<EvidenceKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "call" | "outgoing_call" | "call_out" => Some(EvidenceKind::Call),
            "status" | "lead_status_changed" | "stage" => Some(EvidenceKind::Status),
            "task" | "task_completed" => Some(EvidenceKind::Task),
            "chat" | "outgoing_chat_message" => Some(EvidenceKind::Chat),
            _ => None,
        }
    }

    /// amoCRM event types that count as this evidence.
    pub fn event_types(self) -> &'static [&'static str] {
        match self {
            EvidenceKind::Call => &["outgoing_call"],
            EvidenceKind::Status => &["lead_status_changed"],
            EvidenceKind::Task => &["task_completed"],
            EvidenceKind::Chat => &["outgoing_chat_message"],
        }
    }

    pub fn from_event_type(t: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL
            .into_iter()
            .find(|k| k.event_types().contains(&t))
    }
}

/// Which kinds are enabled (`[sla] evidence`, default all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceSet([bool; 4]);

impl EvidenceSet {
    pub fn all() -> Self {
        EvidenceSet([true; 4])
    }
    pub fn none() -> Self {
        EvidenceSet([false; 4])
    }
    pub fn insert(&mut self, k: EvidenceKind) {
        self.0[k as usize] = true;
    }
    pub fn contains(&self, k: EvidenceKind) -> bool {
        self.0[k as usize]
    }
    pub fn is_empty(&self) -> bool {
        !self.0.iter().any(|b| *b)
    }
    pub fn kinds(&self) -> impl Iterator<Item = EvidenceKind> + '_ {
        EvidenceKind::ALL.into_iter().filter(|k| self.contains(*k))
    }

    pub fn union(self, other: EvidenceSet) -> EvidenceSet {
        let mut out = self;
        for k in other.kinds() {
            out.insert(k);
        }
        out
    }

    /// The kinds that close a `review` request's clock. A review lead gets
    /// no call task (it may turn out to be junk, and the procedure wants no
    /// task on a lead sent to «Корзина»), so `task` cannot close it; in
    /// Unsorted the manager's reaction is accepting or declining the item,
    /// which is `status` (declining deletes it: the watch sees it closed).
    /// So `task` is replaced by `status` here.
    pub fn for_review(self) -> EvidenceSet {
        let mut out = EvidenceSet::none();
        for k in self.kinds() {
            out.insert(if k == EvidenceKind::Task {
                EvidenceKind::Status
            } else {
                k
            });
        }
        out
    }
}

/// A lead being watched, as the evidence source needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    /// Only evidence at or after this instant counts.
    pub since: Timestamp,
    /// Kinds for this lead when not the policy's (review requests).
    pub kinds: Option<EvidenceSet>,
}

/// The earliest evidence found for one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub lead_id: i64,
    pub kind: EvidenceKind,
    pub at: Timestamp,
}

/// Current facts about a lead re-read just before alerting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadNow {
    pub responsible_id: Option<i64>,
    /// Deleted, won (142) or lost (143): nobody needs an alert any more.
    pub closed: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("callback evidence: {0}")]
pub struct EvidenceError(pub String);

/// Where evidence comes from. Implementations batch and stay inside the
/// daemon's shared rate limit; the watch only calls for leads near or past
/// their deadline.
pub trait EvidenceSource: Send + Sync {
    /// The earliest enabled evidence per lead (leads without any are absent).
    fn evidence<'a>(
        &'a self,
        leads: &'a [Watched],
        kinds: EvidenceSet,
    ) -> BoxFuture<'a, Result<Vec<Found>, EvidenceError>>;

    /// Current responsible user and closed flag per lead id (absent = unknown).
    fn leads_now<'a>(
        &'a self,
        lead_ids: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, LeadNow>, EvidenceError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_requests_count_status_instead_of_the_call_task() {
        let mut only_task = EvidenceSet::none();
        only_task.insert(EvidenceKind::Task);
        let r = only_task.for_review();
        assert!(r.contains(EvidenceKind::Status) && !r.contains(EvidenceKind::Task));
        let all = EvidenceSet::all().for_review();
        assert_eq!(
            all.kinds().collect::<Vec<_>>(),
            vec![EvidenceKind::Call, EvidenceKind::Status, EvidenceKind::Chat]
        );
        let mut call = EvidenceSet::none();
        call.insert(EvidenceKind::Call);
        assert_eq!(call.for_review(), call);
        assert_eq!(call.union(only_task).kinds().count(), 2);
    }
}
