//! The one rate limiter of the daemon: every amoCRM call (delivery, name
//! catalog, SLA event checks) waits for a slot here first.
//!
//! amoCRM counts requests in any one-second window; we space requests by
//! `window / limit`, where `window` is one second plus a small margin, so at
//! most `limit` requests ever fall in any one-second window even with a few
//! milliseconds of network jitter. Uses tokio time, so paused-clock tests work.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    /// tokio Mutex: held across the sleep so callers queue in order.
    next: Mutex<Option<Instant>>,
}

/// Margin over one second that absorbs jitter between our clock and the server's.
const WINDOW: Duration = Duration::from_millis(1025);

impl RateLimiter {
    /// `per_second`: the most requests allowed in any one-second window.
    pub fn new(per_second: f64) -> RateLimiter {
        let per_second = if per_second.is_finite() && per_second > 0.0 {
            per_second
        } else {
            6.0
        };
        RateLimiter {
            interval: WINDOW.div_f64(per_second),
            next: Mutex::new(None),
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits until the next request may be sent.
    pub async fn acquire(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        let slot = match *next {
            Some(t) if t > now => t,
            _ => now,
        };
        tokio::time::sleep_until(slot).await;
        *next = Some(slot + self.interval);
    }

    /// Pushes the next slot back (429 / abuse block: the whole daemon waits).
    pub async fn pause_until(&self, until: Instant) {
        let mut next = self.next.lock().await;
        if next.is_none_or(|t| t < until) {
            *next = Some(until);
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
        // Close to the limit: 25 intervals of ~51 ms.
        let total = times[25] - start;
        assert!(total < Duration::from_millis(1600), "{total:?}");
    }
}
