//! `[scorer]`: Sage's log scoring — in process, or a `cistern scorer` service.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::config::Secret;

/// `[scorer]`: where `serve` scores logs, and how `cistern scorer` listens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScorerConfig {
    /// Base URL of a `cistern scorer` (`http://scorer:8090`) that `serve` sends scoring work
    /// to; empty scores in process.
    pub url: String,
    /// Shared secret: `cistern scorer` requires it (≥ 16 characters), `serve` sends it.
    pub api_key: Secret,
    /// Address `cistern scorer` binds.
    pub host: IpAddr,
    /// Port `cistern scorer` binds; 0 picks a free one.
    pub port: u16,
    /// Largest `/score` body `cistern scorer` accepts, in bytes.
    pub max_request_bytes: usize,
    /// Longest one scoring call may take, in seconds (both sides).
    pub timeout_secs: u64,
}

impl Default for ScorerConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            api_key: Secret::default(),
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8090,
            max_request_bytes: 16 * 1024 * 1024,
            timeout_secs: 60,
        }
    }
}
