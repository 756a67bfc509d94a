//! Settings of the JetStream backend.

use std::time::Duration;

/// Settings of the JetStream backend.
#[derive(Debug, Clone)]
pub struct NatsConfig {
    /// `nats://host:port`.
    pub url: String,
    /// The stream's name and subject prefix (`[A-Za-z0-9_-]`).
    pub prefix: String,
    /// Stream replicas (3 on a cluster: a publish is acknowledged once a quorum has it).
    pub replicas: usize,
    /// How often queued jobs that stayed unclaimed are dispatched again.
    pub reconcile_interval: Duration,
    /// How long a due job may stay unclaimed before the reconciler republishes it.
    pub stale_after: Duration,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            url: "nats://127.0.0.1:4222".to_owned(),
            prefix: "CISTERN_JOBS".to_owned(),
            replicas: 1,
            reconcile_interval: Duration::from_secs(30),
            stale_after: Duration::from_secs(60),
        }
    }
}
