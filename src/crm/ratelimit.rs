//! The one rate limiter of the daemon: every amoCRM call (delivery, name
//! catalog, SLA event checks) waits for a slot here first.
//!
//! amoCRM counts requests in any one-second window. We keep the send times
//! of the last `limit` requests and let a request go when fewer than `limit`
//! were sent in the last `WINDOW` (one second plus a margin for jitter
//! between our clock and the server's). So a lone request, or the two or
//! three of one lead, go out at once (latency), while a backlog drains at
//! exactly `limit` per window (throughput), never more. This holds only if
//! every call of the process shares the one limiter, which is why the daemon
//! keeps it across reloads. Uses tokio time, so paused-clock tests work.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    /// tokio Mutex: held across the sleep so callers queue in order.
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Send times of the last `limit` requests, oldest first.
    sent: VecDeque<Instant>,
    /// Nobody sends before this (429 / abuse block).
    paused_until: Option<Instant>,
}

/// Margin over one second that absorbs jitter between our clock and the server's.
const WINDOW: Duration = Duration::from_millis(1025);

impl RateLimiter {
    /// `per_second`: the most requests allowed in any one-second window
    /// (fractions are rounded down; at least one).
    pub fn new(per_second: f64) -> RateLimiter {
        let per_second = if per_second.is_finite() && per_second >= 1.0 {
            per_second
        } else {
            6.0
        };
        RateLimiter {
            limit: (per_second.floor() as usize).max(1),
            state: Mutex::new(State::default()),
        }
    }

    /// The limiter of a process that may have just replaced another one
    /// (a restart, a crash and restart): nothing is sent until one window
    /// has passed, so the requests of the previous process and this one
    /// never share a window, however quickly restarts follow each other.
    pub fn after_start(per_second: f64) -> RateLimiter {
        let rl = RateLimiter::new(per_second);
        if let Ok(mut st) = rl.state.try_lock() {
            st.paused_until = Some(Instant::now() + WINDOW);
        }
        rl
    }

    /// The average spacing of requests when a backlog drains.
    pub fn interval(&self) -> Duration {
        WINDOW / self.limit as u32
    }

    /// Waits until the next request may be sent.
    pub async fn acquire(&self) {
        let mut st = self.state.lock().await;
        let mut slot = Instant::now();
        if let Some(p) = st.paused_until
            && p > slot
        {
            slot = p;
        }
        if st.sent.len() >= self.limit
            && let Some(oldest) = st.sent.front()
        {
            slot = slot.max(*oldest + WINDOW);
        }
        tokio::time::sleep_until(slot).await;
        let now = Instant::now().max(slot);
        st.sent.push_back(now);
        while st.sent.len() > self.limit {
            st.sent.pop_front();
        }
    }

    /// Holds every request until `until` (429 / abuse block: the whole daemon waits).
    pub async fn pause_until(&self, until: Instant) {
        let mut st = self.state.lock().await;
        if st.paused_until.is_none_or(|t| t < until) {
            st.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn never_more_than_limit_in_any_second() {
        let rl = std::sync::Arc::new(RateLimiter::new(20.0));
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..26 {
            let rl = rl.clone();
            handles.push(tokio::spawn(async move {
                rl.acquire().await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for h in handles {
            if let Ok(t) = h.await {
                times.push(t);
            }
        }
        times.sort();
        assert_eq!(times.len(), 26);
        for w in times.windows(21) {
            assert!(
                w[20] - w[0] > Duration::from_secs(1),
                "21 requests within 1s"
            );
        }
        // The first 20 go at once, the rest one window later.
        let total = times[25] - start;
        assert!(total < Duration::from_millis(1600), "{total:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_process_waits_out_one_window_first() {
        let start = Instant::now();
        let rl = RateLimiter::after_start(7.0);
        rl.acquire().await;
        assert!(Instant::now() >= start + WINDOW);
        // Then the usual: the rest of the window's share goes at once.
        let t = Instant::now();
        for _ in 0..6 {
            rl.acquire().await;
        }
        assert_eq!(Instant::now(), t);
    }

    #[tokio::test(start_paused = true)]
    async fn a_few_requests_go_at_once_and_pause_holds_everyone() {
        let rl = RateLimiter::new(6.0);
        let start = Instant::now();
        for _ in 0..3 {
            rl.acquire().await;
        }
        assert_eq!(
            Instant::now(),
            start,
            "three requests of one lead must not wait"
        );
        rl.pause_until(start + Duration::from_secs(5)).await;
        rl.acquire().await;
        assert!(Instant::now() >= start + Duration::from_secs(5));
        // A backlog: never more than 6 in any window.
        let mut times = Vec::new();
        for _ in 0..20 {
            rl.acquire().await;
            times.push(Instant::now());
        }
        for w in times.windows(7) {
            assert!(w[6] - w[0] >= WINDOW, "7 requests within {:?}", w[6] - w[0]);
        }
    }
}
