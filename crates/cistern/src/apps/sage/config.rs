//! `[scorer]`: Sage's log scoring — in process, or a `cistern scorer` service; `[sage]`: the
//! dashboard's projects and ingests.

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

/// `[sage]`: the log dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SageConfig {
    /// Largest ingest accepted, in decoded bytes (413 beyond).
    pub max_ingest_bytes: u64,
    /// A project is "learning" until this many ingests have shaped its baseline.
    pub learning_ingests: i64,
    /// Most projects per user.
    pub max_projects: i64,
    /// Default for a new project's alert interval, in seconds.
    pub alert_interval_secs: i64,
    /// The gateway model that writes the daily forecast.
    pub forecast_model: String,
    /// Delivery attempts of an alert (its job's attempts).
    pub alert_attempts: u32,
    /// Longest a webhook may take to answer, in seconds.
    pub alert_timeout_secs: u64,
}

impl Default for SageConfig {
    fn default() -> Self {
        Self {
            max_ingest_bytes: 8 * 1024 * 1024,
            learning_ingests: 5,
            max_projects: 200,
            alert_interval_secs: 3_600,
            forecast_model: "smart".to_owned(),
            alert_attempts: 5,
            alert_timeout_secs: 10,
        }
    }
}
