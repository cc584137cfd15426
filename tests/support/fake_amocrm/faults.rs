//! Fault injection: a queue of faults matched by method + path prefix, each
//! firing `times` times after skipping `after` matching requests.

use std::time::Duration;

/// What the fake does instead of (or around) a normal answer.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// 500 with amoCRM's JSON body; nothing executed.
    InternalError,
    /// 502 or 503 (optionally with `Retry-After` seconds); nothing executed.
    Unavailable {
        status: u16,
        retry_after: Option<u64>,
    },
    /// 429 (empty body, optional `Retry-After`); nothing executed.
    TooManyRequests { retry_after: Option<u64> },
    /// Hold the request for `hold` (longer than the client's timeout), then
    /// answer 504; nothing executed.
    Timeout { hold: Duration },
    /// Wait `delay`, then execute and answer normally (executes even when the
    /// client gave up meanwhile).
    Slow { delay: Duration },
    /// 403 with nginx's HTML page (amoCRM's abuse block); nothing executed.
    HtmlForbidden,
    /// 400 with a `validation-errors` body; nothing executed.
    Validation,
    /// 401 with amoCRM's JSON body; nothing executed.
    Unauthorized,
    /// Execute the request (the lead IS created), then close the connection
    /// before any response byte is sent.
    ResetAfterExecute,
    /// Close the connection before any response byte without executing.
    ResetBeforeExecute,
    /// Any answer; nothing executed.
    Custom {
        status: u16,
        content_type: String,
        body: String,
    },
}

/// One queued fault.
#[derive(Debug, Clone)]
pub struct Fault {
    /// `None` = any method.
    pub method: Option<String>,
    pub path_prefix: String,
    pub kind: FaultKind,
    /// Matching requests to let through before the fault fires.
    pub after: usize,
    /// How many matching requests it hits.
    pub times: usize,
}

impl Fault {
    /// A one-shot fault for `method` (e.g. "POST", or "*" for any) on paths
    /// starting with `path_prefix`.
    pub fn new(method: &str, path_prefix: &str, kind: FaultKind) -> Fault {
        Fault {
            method: if method == "*" {
                None
            } else {
                Some(method.to_ascii_uppercase())
            },
            path_prefix: path_prefix.to_string(),
            kind,
            after: 0,
            times: 1,
        }
    }
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }
    pub fn after(mut self, n: usize) -> Fault {
        self.after = n;
        self
    }
    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && path.starts_with(&self.path_prefix)
    }
}

/// Take the fault that applies to this request, if any.
pub(crate) fn take(queue: &mut Vec<Fault>, method: &str, path: &str) -> Option<FaultKind> {
    let idx = queue
        .iter()
        .position(|f| f.matches(method, path) && f.times > 0)?;
    let f = &mut queue[idx];
    if f.after > 0 {
        f.after -= 1;
        return None;
    }
    f.times -= 1;
    let kind = f.kind.clone();
    if f.times == 0 {
        queue.remove(idx);
    }
    Some(kind)
}

/// Random faults: each request that no queued fault takes gets, with
/// probability `rate`, one of `kinds` that matches it (seeded, so a run can
/// be replayed).
#[derive(Debug, Clone)]
pub struct Chaos {
    pub rate: f64,
    /// Per-method rates that replace `rate` (e.g. fewer faults on GETs).
    pub method_rates: Vec<(String, f64)>,
    pub kinds: Vec<Fault>,
    rng: rand::rngs::StdRng,
    /// How many faults fired so far.
    pub fired: usize,
}

impl Chaos {
    pub fn new(seed: u64, rate: f64, kinds: Vec<Fault>) -> Chaos {
        use rand::SeedableRng;
        Chaos {
            rate,
            method_rates: Vec::new(),
            kinds,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
            fired: 0,
        }
    }

    /// Requests with this method fail with probability `rate` instead.
    pub fn method_rate(mut self, method: &str, rate: f64) -> Chaos {
        self.method_rates.push((method.to_ascii_uppercase(), rate));
        self
    }

    pub(crate) fn pick(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        use rand::Rng;
        let rate = self
            .method_rates
            .iter()
            .find(|(m, _)| m == method)
            .map_or(self.rate, |(_, r)| *r);
        let candidates: Vec<&Fault> = self
            .kinds
            .iter()
            .filter(|f| f.matches(method, path))
            .collect();
        if candidates.is_empty() || self.rng.random::<f64>() >= rate {
            return None;
        }
        let i = self.rng.random_range(0..candidates.len());
        self.fired += 1;
        Some(candidates[i].kind.clone())
    }
}
