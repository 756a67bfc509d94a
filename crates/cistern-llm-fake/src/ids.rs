//! Provider-looking ids and timestamps, without pulling in a random-number crate.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);
static SEED: OnceLock<u64> = OnceLock::new();

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// SplitMix64: a good 64-bit mixer, enough to make ids look random and never repeat within a
/// process (the counter input is unique).
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn next() -> u64 {
    let seed = *SEED.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5EED)
    });
    mix(seed ^ mix(COUNTER.fetch_add(1, Ordering::Relaxed)))
}

/// `prefix` followed by `len` base-62 characters, e.g. `id("chatcmpl-", 29)`.
pub(crate) fn id(prefix: &str, len: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + len);
    out.push_str(prefix);
    let mut bits = next();
    for i in 0..len {
        if i % 10 == 9 {
            bits = next();
        }
        out.push(char::from(ALPHABET[(bits % 62) as usize]));
        bits /= 62;
    }
    out
}

/// Seconds since the Unix epoch (OpenAI's `created`).
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
