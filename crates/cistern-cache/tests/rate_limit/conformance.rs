//! The behaviour every backend must share. Each case takes a [`Harness`].

use std::time::Duration;

use cistern_cache::{Decision, Error, ManualClock, Quota, RateLimiter};

/// A backend under test.
pub struct Harness {
    /// The limiter under test.
    pub limiter: RateLimiter,
    /// A second instance over the same state, standing for a second server instance (for
    /// Redis: its own connection; in process: a clone).
    pub other: RateLimiter,
    /// Present when time is simulated: waits are instant and answers exact.
    pub clock: Option<ManualClock>,
    /// How much real time may pass between two calls without breaking a bound (zero with a
    /// manual clock).
    pub slack: Duration,
    /// Makes keys unique to this test and run (Redis outlives the test process).
    pub prefix: String,
}

impl Harness {
    fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    async fn wait(&self, d: Duration) {
        match &self.clock {
            Some(clock) => clock.advance(d),
            None => tokio::time::sleep(d).await,
        }
    }

    async fn check(&self, key: &str, quota: Quota, cost: u32) -> Decision {
        self.limiter.check(key, quota, cost).await.expect("check")
    }

    /// Asserts `actual` lies in `[expected - slack, expected]`: real time only shrinks the
    /// durations a limiter reports, never grows them.
    fn assert_near(&self, what: &str, actual: Duration, expected: Duration) {
        let low = expected.saturating_sub(self.slack);
        assert!(
            (low..=expected).contains(&actual),
            "{what}: {actual:?} not in [{low:?}, {expected:?}]"
        );
    }
}

fn quota(burst: u32, per: Duration) -> Quota {
    Quota::new(burst, per).expect("valid quota")
}

const HOUR: Duration = Duration::from_secs(3600);

pub async fn burst_then_limited(h: &Harness) {
    let q = quota(5, HOUR);
    let t = q.emission_interval();
    let key = h.key("k");
    for spent in 1..=5u32 {
        let Decision::Allowed {
            remaining,
            reset_after,
        } = h.check(&key, q, 1).await
        else {
            panic!("request {spent} of a burst of 5 was limited");
        };
        assert_eq!(remaining, 5 - spent);
        h.assert_near("reset_after", reset_after, t * spent);
    }
    for _ in 0..2 {
        // Limited twice: a refused request is not charged, so the wait does not grow.
        let Decision::Limited {
            retry_after,
            reset_after,
        } = h.check(&key, q, 1).await
        else {
            panic!("the request after the burst was allowed");
        };
        h.assert_near("retry_after", retry_after, t);
        h.assert_near("reset_after", reset_after, t * 5);
    }
}

pub async fn retry_after_is_exact_enough(h: &Harness) {
    let q = quota(2, Duration::from_millis(400));
    let t = q.emission_interval();
    let key = h.key("k");
    let retry_after = limit(h, &key, q, 1).await;
    // A cost-1 request never waits longer than one emission interval.
    assert!(
        !retry_after.is_zero() && retry_after <= t,
        "{retry_after:?}"
    );
    if h.clock.is_some() {
        h.wait(retry_after - Duration::from_micros(1)).await;
        let Decision::Limited { retry_after, .. } = h.check(&key, q, 1).await else {
            panic!("allowed 1 µs before the announced retry time");
        };
        assert_eq!(retry_after, Duration::from_micros(1));
        h.wait(Duration::from_micros(1)).await;
    } else {
        h.wait(retry_after).await;
    }
    assert!(
        h.check(&key, q, 1).await.is_allowed(),
        "limited after waiting retry_after"
    );
}

/// Spends unit requests until one is limited; returns its `retry_after`.
async fn limit(h: &Harness, key: &str, q: Quota, cost: u32) -> Duration {
    for _ in 0..1_000 {
        if let Decision::Limited { retry_after, .. } = h.check(key, q, cost).await {
            return retry_after;
        }
    }
    panic!("1000 requests in a row were allowed under {q:?}");
}

pub async fn cost_above_one(h: &Harness) {
    let q = quota(10, HOUR);
    let t = q.emission_interval();
    let key = h.key("k");
    assert_eq!(h.check(&key, q, 4).await.remaining(), 6);
    assert_eq!(h.check(&key, q, 4).await.remaining(), 2);
    let Decision::Limited { retry_after, .. } = h.check(&key, q, 4).await else {
        panic!("cost 4 allowed with 2 units left");
    };
    h.assert_near("retry_after for 2 missing units", retry_after, t * 2);
    assert_eq!(
        h.check(&key, q, 2).await.remaining(),
        0,
        "the refused 4 was not charged"
    );
    // Cost 0 reports without charging.
    assert!(h.check(&key, q, 0).await.is_allowed());
    assert!(!h.check(&key, q, 1).await.is_allowed());
    let too_big = h.limiter.check(&key, q, 11).await;
    assert!(
        matches!(
            too_big,
            Err(Error::CostExceedsBurst {
                cost: 11,
                burst: 10
            })
        ),
        "{too_big:?}"
    );
}

pub async fn keys_are_independent(h: &Harness) {
    let q = quota(2, HOUR);
    let (a, b) = (h.key("a"), h.key("b"));
    h.check(&a, q, 2).await;
    assert!(!h.check(&a, q, 1).await.is_allowed());
    assert_eq!(
        h.check(&b, q, 1).await.remaining(),
        1,
        "key b was charged for key a"
    );
    assert!(!h.check(&a, q, 1).await.is_allowed());
}

pub async fn recovers_after_waiting(h: &Harness) {
    let q = quota(4, Duration::from_millis(200));
    let key = h.key("k");
    let Decision::Allowed {
        remaining: 0,
        reset_after,
    } = h.check(&key, q, 4).await
    else {
        panic!("a fresh key refused its full burst");
    };
    if h.clock.is_some() {
        assert!(!h.check(&key, q, 1).await.is_allowed());
    }
    // After reset_after the whole burst is back, however late this runs.
    h.wait(reset_after).await;
    assert!(
        h.check(&key, q, 4).await.is_allowed(),
        "burst not restored after reset_after"
    );
}

pub async fn concurrent_callers_never_exceed_the_burst(h: &Harness) {
    let q = quota(25, HOUR);
    let key = h.key("k");
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let limiter = if i % 2 == 0 {
                h.limiter.clone()
            } else {
                h.other.clone()
            };
            let key = key.clone();
            tokio::spawn(
                async move { limiter.check(&key, q, 1).await.expect("check").is_allowed() },
            )
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        allowed += usize::from(task.await.expect("task"));
    }
    // The period is an hour, so no unit is replenished during the test: exactly the burst.
    assert_eq!(allowed, 25, "200 concurrent callers over two instances");
}
