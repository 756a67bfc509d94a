//! Final templates from the miner's clusters.

use crate::miner::{Miner, join_tokens};

/// Final templates and the map from signatures to them.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    /// Template texts.
    pub texts: Vec<String>,
    /// For each signature id, its index in `texts`.
    pub of_sig: Vec<u32>,
}

impl Templates {
    /// Builds final templates from the clusters of `miner`.
    pub fn build(miner: &Miner) -> Templates {
        let texts = miner.clusters.iter().map(|c| join_tokens(&c.tokens)).collect();
        let of_sig = miner.sigs.iter().map(|s| s.cluster).collect();
        Templates { texts, of_sig }
    }
}
