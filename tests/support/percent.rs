//! The share of right answers, as the accuracy tests print it.

/// `n` of `d` in per cent; 0 when there is nothing to count.
pub fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}
