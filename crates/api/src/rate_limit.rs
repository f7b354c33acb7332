//! A per-user token bucket in front of the entry routes: generous by default, configurable,
//! and answered with `429` and `Retry-After` when a user exceeds it.
//!
//! Limitation: the buckets live in this process, so with several instances behind a load
//! balancer each enforces its own limit.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use journal_domain::UserId;

use crate::ApiError;

/// How often (in checks) buckets of users who went quiet are dropped.
const PRUNE_EVERY: u64 = 10_000;

/// The limit: a steady rate and a burst on top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Requests per second a user may keep up.
    pub requests_per_second: u32,
    /// Requests a user may make at once after a quiet spell.
    pub burst: u32,
}

/// One token bucket per user.
pub struct UserRateLimiter {
    buckets: DefaultKeyedRateLimiter<UserId>,
    checks: AtomicU64,
}

impl UserRateLimiter {
    /// A limiter for `settings`; `None` when either number is zero (no limit).
    pub fn new(settings: RateLimitSettings) -> Option<Self> {
        let rate = NonZeroU32::new(settings.requests_per_second)?;
        let burst = NonZeroU32::new(settings.burst)?;
        let quota = Quota::per_second(rate).allow_burst(burst);
        Some(Self {
            buckets: RateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        })
    }

    /// Takes a token from `user`'s bucket, or says how long to wait for one.
    pub(crate) fn check(&self, user: UserId) -> Result<(), ApiError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.buckets.retain_recent();
        }

        self.buckets.check_key(&user).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after_seconds: wait.as_secs_f64().ceil().max(1.0) as u64,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_and_the_next_request_waits() {
        let limiter = UserRateLimiter::new(RateLimitSettings {
            requests_per_second: 1,
            burst: 3,
        })
        .unwrap();
        let user = UserId::new(uuid::Uuid::new_v4());
        let other = UserId::new(uuid::Uuid::new_v4());

        for _ in 0..3 {
            assert!(limiter.check(user).is_ok());
        }

        assert!(matches!(
            limiter.check(user),
            Err(ApiError::RateLimited {
                retry_after_seconds: 1
            })
        ));
        assert!(limiter.check(other).is_ok(), "buckets are per user");
    }

    #[test]
    fn zero_means_no_limit() {
        assert!(
            UserRateLimiter::new(RateLimitSettings {
                requests_per_second: 0,
                burst: 5
            })
            .is_none()
        );
    }
}
