//! The Chrome extension builder in the server (issue 7; the library half is `cistern-extension`).
//!
//! - `routes`: `/api/v1/extensions…` — create, iterate, list, read, download, diff, delete.
//! - `files`: one file of a version (the UI's code view), typed and `nosniff`.
//!   Owner-scoped: another user's extension is a 404.
//! - `job`: the `extension.generate` job — the forced `submit_extension` call through the
//!   gateway, bounded repair rounds, version bump, ZIP, blobs and SQL, the browser check.
//! - `blobs`: where a version's files and ZIP live in the blob store.

pub mod blobs;
pub mod files;
pub mod job;
pub mod routes;
pub mod views;

use serde::{Deserialize, Serialize};

/// The job handler name.
pub const JOB_NAME: &str = "extension.generate";
/// The `app` of the extension builder's LLM calls (usage and the call log group by it).
pub const APP: &str = "extensions";

/// The payload of an `extension.generate` job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeneratePayload {
    /// The extension.
    pub extension_id: String,
    /// The version row (`seq`) this job fills in.
    pub seq: i64,
    /// The user's prompt.
    pub prompt: String,
    /// The gateway model.
    pub model: String,
    /// For an iteration: the version whose files are the starting point.
    pub base_version: Option<String>,
}

/// The highest of `versions` (dot-separated integers compared numerically), if any.
pub fn max_version<'a>(versions: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    versions.into_iter().max_by_key(|v| version_key(v))
}

fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_version_compares_numerically() {
        assert_eq!(max_version(["1.9.0", "1.10.0", "1.2.0"]), Some("1.10.0"));
        assert_eq!(max_version(Vec::<&str>::new()), None);
    }
}
