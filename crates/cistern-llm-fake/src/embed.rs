//! Deterministic embedding vectors: the same text always gives the same unit vector.

use crate::ids::mix;

/// Vector length when the request does not ask for a dimension.
pub(crate) const DEFAULT_DIMS: usize = 8;
/// Upper bound on a requested dimension, so a test typo cannot allocate gigabytes.
const MAX_DIMS: usize = 4096;

/// Clamps a requested dimension to `1..=MAX_DIMS`, defaulting to [`DEFAULT_DIMS`].
pub(crate) fn dims(requested: Option<u64>) -> usize {
    requested.map_or(DEFAULT_DIMS, |d| (d as usize).clamp(1, MAX_DIMS))
}

/// A unit-length vector derived from an FNV-1a hash of `text`.
pub(crate) fn vector(text: &str, dims: usize) -> Vec<f32> {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    let mut v: Vec<f32> = (0..dims)
        .map(|_| {
            h = mix(h);
            // 24 high bits → [-1, 1).
            ((h >> 40) as f32 / (1u64 << 23) as f32) - 1.0
        })
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_vector_and_unit_length() {
        let a = vector("hello", 8);
        assert_eq!(a, vector("hello", 8));
        assert_ne!(a, vector("hello!", 8));
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
}
