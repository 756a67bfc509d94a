//! What a caller asks for ([`Quota`]) and what it gets back ([`Decision`]).

use std::time::Duration;

use crate::Error;

/// A rate of `burst` units per `per`, with GCRA semantics (as in the governor crate).
///
/// Units are replenished one at a time, every `per / burst` (the *emission interval*), and up
/// to `burst` of them can be spent at once. So "5 per minute" allows 5 requests back to back,
/// then one more every 12 seconds; a client idle for a whole minute has its full burst again.
///
/// The emission interval is kept in whole microseconds because that is the resolution of the
/// Redis clock; both backends use the same rounded value so they agree to the microsecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    burst: u32,
    interval_us: u64,
}

impl Quota {
    /// The longest period accepted. It keeps every time sum below 2^53 microseconds, where the
    /// Redis script's Lua doubles stop being exact integers.
    pub const MAX_PERIOD: Duration = Duration::from_secs(366 * 24 * 3600);

    /// `burst` units per `per`.
    ///
    /// Fails when `burst` is zero, `per` is zero or longer than [`Quota::MAX_PERIOD`], or the
    /// emission interval `per / burst` is shorter than one microsecond.
    pub fn new(burst: u32, per: Duration) -> Result<Self, Error> {
        if burst == 0 {
            return Err(Error::InvalidQuota("burst must be at least 1"));
        }
        if per.is_zero() || per > Self::MAX_PERIOD {
            return Err(Error::InvalidQuota(
                "period must be between 1 µs and 366 days",
            ));
        }
        // `per` fits in u64 microseconds thanks to MAX_PERIOD.
        let per_us = u64::try_from(per.as_micros())
            .map_err(|_| Error::InvalidQuota("period is too long"))?;
        let interval_us = per_us / u64::from(burst);
        if interval_us == 0 {
            return Err(Error::InvalidQuota(
                "more than one unit per microsecond is not supported",
            ));
        }
        Ok(Self { burst, interval_us })
    }

    /// `burst` units per second.
    pub fn per_second(burst: u32) -> Result<Self, Error> {
        Self::new(burst, Duration::from_secs(1))
    }

    /// `burst` units per minute.
    pub fn per_minute(burst: u32) -> Result<Self, Error> {
        Self::new(burst, Duration::from_secs(60))
    }

    /// The number of units that can be spent at once (the `RateLimit-Limit` value).
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// The time it takes to replenish one unit (`per / burst`, rounded down to a microsecond).
    pub fn emission_interval(&self) -> Duration {
        Duration::from_micros(self.interval_us)
    }

    pub(crate) fn interval_us(&self) -> u64 {
        self.interval_us
    }

    /// Rejects a cost that could never be allowed: no amount of waiting would admit it, so a
    /// `Limited` answer with a finite `retry_after` would be a lie.
    pub(crate) fn check_cost(&self, cost: u32) -> Result<(), Error> {
        if cost > self.burst {
            return Err(Error::CostExceedsBurst {
                cost,
                burst: self.burst,
            });
        }
        Ok(())
    }
}

/// The answer to one [`check`](crate::RateLimiter::check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The request may proceed; its cost has been charged.
    Allowed {
        /// Units that could still be spent right now.
        remaining: u32,
        /// Time until the full burst is available again.
        reset_after: Duration,
    },
    /// The request must be refused; nothing was charged.
    Limited {
        /// Time until a request of the same cost would be allowed.
        retry_after: Duration,
        /// Time until the full burst is available again.
        reset_after: Duration,
    },
}

impl Decision {
    /// True for [`Decision::Allowed`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    /// Units that could still be spent right now (0 when limited).
    pub fn remaining(&self) -> u32 {
        match self {
            Decision::Allowed { remaining, .. } => *remaining,
            Decision::Limited { .. } => 0,
        }
    }

    /// Time until the full burst is available again.
    pub fn reset_after(&self) -> Duration {
        match self {
            Decision::Allowed { reset_after, .. } | Decision::Limited { reset_after, .. } => {
                *reset_after
            }
        }
    }

    /// The response headers for this decision, as `(name, value)` pairs.
    ///
    /// Always `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (the IETF
    /// RateLimit header fields draft; reset in whole seconds, rounded up), plus `retry-after`
    /// (whole seconds, rounded up, at least 1) when limited. Names are lowercase so they can
    /// go straight into `http::HeaderName::from_static`.
    pub fn headers(&self, quota: Quota) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("ratelimit-limit", quota.burst().to_string()),
            ("ratelimit-remaining", self.remaining().to_string()),
            ("ratelimit-reset", ceil_secs(self.reset_after()).to_string()),
        ];
        if let Decision::Limited { retry_after, .. } = self {
            // Rounding up: a client that retries after the advertised seconds must succeed;
            // and `Retry-After: 0` would invite an immediate, still-limited retry.
            headers.push(("retry-after", ceil_secs(*retry_after).max(1).to_string()));
        }
        headers
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_rejects_degenerate_rates() {
        assert!(Quota::new(0, Duration::from_secs(1)).is_err());
        assert!(Quota::new(1, Duration::ZERO).is_err());
        assert!(Quota::new(2_000_000, Duration::from_secs(1)).is_err());
        assert!(Quota::new(1, Duration::from_secs(400 * 24 * 3600)).is_err());
        let q = Quota::new(3, Duration::from_secs(1)).expect("valid");
        assert_eq!(q.emission_interval(), Duration::from_micros(333_333));
    }

    #[test]
    fn limited_headers_round_up_and_include_retry_after() {
        let quota = Quota::per_minute(10).expect("valid");
        let limited = Decision::Limited {
            retry_after: Duration::from_millis(200),
            reset_after: Duration::from_millis(59_001),
        };
        assert_eq!(
            limited.headers(quota),
            vec![
                ("ratelimit-limit", "10".to_owned()),
                ("ratelimit-remaining", "0".to_owned()),
                ("ratelimit-reset", "60".to_owned()),
                ("retry-after", "1".to_owned()),
            ]
        );
    }

    #[test]
    fn allowed_headers_have_no_retry_after() {
        let quota = Quota::per_second(5).expect("valid");
        let allowed = Decision::Allowed {
            remaining: 4,
            reset_after: Duration::from_secs(2),
        };
        assert_eq!(
            allowed.headers(quota),
            vec![
                ("ratelimit-limit", "5".to_owned()),
                ("ratelimit-remaining", "4".to_owned()),
                ("ratelimit-reset", "2".to_owned()),
            ]
        );
    }
}
