//! The Generic Cell Rate Algorithm, as one pure function over integer ticks.
//!
//! The only state per key is the *theoretical arrival time* (TAT): the instant at which the
//! key's bucket would be full again if nothing else arrived. A request of `cost` units moves
//! it `cost × interval` forward; it is allowed when the moved TAT is no further than
//! `burst × interval` (the tolerance) ahead of now. A TAT in the past means a full bucket, so
//! a key whose TAT has passed carries no information and can be forgotten — which is what lets
//! both backends drop idle keys without changing any answer.
//!
//! The Redis script (`redis/gcra.lua`) is a line-by-line transcription of [`decide`]; the
//! conformance tests hold both to the same answers.

/// The result of [`decide`], in the caller's ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Allowed: store `new_tat` (unless the cost was 0, which leaves it unchanged).
    Allowed {
        new_tat: u64,
        remaining: u32,
        reset_after: u64,
    },
    /// Limited: store nothing.
    Limited { retry_after: u64, reset_after: u64 },
}

/// One GCRA step. `stored_tat` is `None` for an unknown key. `cost <= burst` is the caller's
/// precondition ([`crate::Quota`] checks it); `interval × burst` must not overflow, which the
/// quota's period bound guarantees.
pub(crate) fn decide(
    stored_tat: Option<u64>,
    now: u64,
    interval: u64,
    burst: u32,
    cost: u32,
) -> Outcome {
    let tolerance = interval * u64::from(burst);
    let tat = stored_tat.map_or(now, |t| t.max(now));
    let new_tat = tat + interval * u64::from(cost);
    let allow_at = new_tat - tolerance.min(new_tat);
    if allow_at > now {
        return Outcome::Limited {
            retry_after: allow_at - now,
            reset_after: tat - now,
        };
    }
    // new_tat <= now + tolerance here, so this is at most `burst`.
    let remaining = (now + tolerance - new_tat) / interval;
    Outcome::Allowed {
        new_tat,
        remaining: u32::try_from(remaining).unwrap_or(burst),
        reset_after: new_tat - now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Runs `decide` against one key's stored TAT, like a backend does.
    fn step(state: &mut Option<u64>, now: u64, interval: u64, burst: u32, cost: u32) -> Outcome {
        let outcome = decide(*state, now, interval, burst, cost);
        if let Outcome::Allowed { new_tat, .. } = outcome {
            *state = Some(new_tat);
        }
        outcome
    }

    #[test]
    fn fresh_key_gets_the_full_burst_then_one_unit_per_interval() {
        let mut tat = None;
        for expected_remaining in (0..3).rev() {
            let outcome = step(&mut tat, 0, 10, 3, 1);
            assert!(
                matches!(outcome, Outcome::Allowed { remaining, .. } if remaining == expected_remaining)
            );
        }
        assert_eq!(
            step(&mut tat, 0, 10, 3, 1),
            Outcome::Limited {
                retry_after: 10,
                reset_after: 30
            }
        );
        assert!(matches!(
            step(&mut tat, 10, 10, 3, 1),
            Outcome::Allowed { remaining: 0, .. }
        ));
    }

    proptest! {
        /// Over any run, the units admitted never exceed the burst plus one per interval elapsed.
        #[test]
        fn never_admits_more_than_burst_plus_elapsed(
            burst in 1u32..20,
            interval in 1u64..1_000,
            steps in prop::collection::vec((0u64..2_000, 0u32..20), 1..200),
        ) {
            let (mut tat, mut now, mut admitted) = (None, 0u64, 0u64);
            for (dt, cost) in steps {
                now += dt;
                let cost = cost.min(burst);
                if matches!(step(&mut tat, now, interval, burst, cost), Outcome::Allowed { .. }) {
                    admitted += u64::from(cost);
                }
                prop_assert!(admitted <= u64::from(burst) + now / interval);
            }
        }

        /// `remaining` is exact: that many unit requests succeed at the same instant, no more.
        #[test]
        fn remaining_is_exact(
            burst in 1u32..20,
            interval in 1u64..1_000,
            spent in 0u32..20,
            dt in 0u64..20_000,
        ) {
            let mut tat = None;
            let _ = step(&mut tat, 0, interval, burst, spent.min(burst));
            let Outcome::Allowed { remaining, .. } = step(&mut tat, dt, interval, burst, 0) else {
                return Err(TestCaseError::fail("a zero cost is always allowed"));
            };
            for _ in 0..remaining {
                let allowed = matches!(step(&mut tat, dt, interval, burst, 1), Outcome::Allowed { .. });
                prop_assert!(allowed);
            }
            let limited = matches!(step(&mut tat, dt, interval, burst, 1), Outcome::Limited { .. });
            prop_assert!(limited);
        }

        /// `retry_after` is exact: one tick earlier is still limited, at it the request passes.
        #[test]
        fn retry_after_is_exact(
            burst in 1u32..20,
            interval in 1u64..1_000,
            cost in 1u32..20,
        ) {
            let cost = cost.min(burst);
            let mut tat = None;
            let _ = step(&mut tat, 0, interval, burst, burst);
            let Outcome::Limited { retry_after, .. } = step(&mut tat, 0, interval, burst, cost) else {
                return Err(TestCaseError::fail("an exhausted bucket must limit"));
            };
            prop_assert_eq!(retry_after, u64::from(cost) * interval);
            let early = matches!(decide(tat, retry_after - 1, interval, burst, cost), Outcome::Limited { .. });
            prop_assert!(early);
            let on_time = matches!(decide(tat, retry_after, interval, burst, cost), Outcome::Allowed { .. });
            prop_assert!(on_time);
        }
    }
}
