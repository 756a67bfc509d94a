//! Where the Loghub-2k benchmark data lives, shared by the examples and `tests/loghub.rs`
//! (included with `#[path]`: test data, so it stays out of the library).

// Each includer uses part of this module.
#![allow(dead_code)]

use std::path::PathBuf;

/// The ten systems of `../shared/loghub`.
pub const SYSTEMS: [&str; 10] = [
    "HDFS",
    "Hadoop",
    "Spark",
    "Zookeeper",
    "BGL",
    "HPC",
    "Linux",
    "Android",
    "Apache",
    "OpenSSH",
];

/// `LOGHUB_DIR`, or `<repo>/../shared/loghub`.
pub fn loghub_dir() -> PathBuf {
    std::env::var_os("LOGHUB_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/loghub"),
        PathBuf::from,
    )
}
