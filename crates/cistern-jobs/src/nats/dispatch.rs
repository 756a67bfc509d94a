//! JetStream plumbing: the stream, one pull consumer per (queue, priority band), publishing job
//! ids, and settling messages that did not become a claim.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, PullConsumer, pull};
use async_nats::jetstream::message::AckKind;
use async_nats::jetstream::stream::{self, RetentionPolicy, StorageType};
use async_nats::jetstream::{self, Message};
use futures::future::join_all;

use super::NatsConfig;
use crate::error::{Error, Result};
use crate::model::{JobId, JobStatus, now_ms};
use crate::query::Scope;
use crate::sql::Store;

/// Priorities map to three bands (subjects), claimed highest first: `> 0`, `0`, `< 0`.
/// Within a band JetStream delivers in publish order.
pub(crate) const BANDS: [u8; 3] = [0, 1, 2];

pub(crate) fn band(priority: i32) -> u8 {
    match priority {
        p if p > 0 => 0,
        0 => 1,
        _ => 2,
    }
}

/// How long a message that is not claimable yet waits before JetStream offers it again.
const BUSY_RETRY: Duration = Duration::from_millis(500);

pub(crate) struct Dispatch {
    pub js: jetstream::Context,
    pub stream: stream::Stream,
    pub config: NatsConfig,
    consumers: Mutex<HashMap<String, PullConsumer>>,
}

impl Dispatch {
    pub(crate) async fn connect(config: NatsConfig) -> Result<Self> {
        let client = async_nats::connect(&config.url)
            .await
            .map_err(Error::nats)?;
        let js = jetstream::new(client);
        let stream = js
            .get_or_create_stream(stream::Config {
                name: config.prefix.clone(),
                subjects: vec![[config.prefix.as_str(), ".>"].concat()],
                // A message lives until a worker acks it (the job reached a terminal status).
                retention: RetentionPolicy::WorkQueue,
                storage: StorageType::File,
                num_replicas: config.replicas,
                ..Default::default()
            })
            .await
            .map_err(Error::nats)?;
        Ok(Dispatch {
            js,
            stream,
            config,
            consumers: Mutex::new(HashMap::new()),
        })
    }

    fn subject(&self, queue: &str, band: u8) -> String {
        format!("{}.{queue}.{band}", self.config.prefix)
    }

    /// The durable pull consumer of `(queue, band)`, created on first use with an ack wait equal
    /// to the lease (heartbeats extend it with `+WPI`).
    pub(crate) async fn consumer(
        &self,
        queue: &str,
        band: u8,
        lease: Duration,
    ) -> Result<PullConsumer> {
        let name = format!("{queue}_b{band}");
        if let Some(c) = self
            .consumers
            .lock()
            .ok()
            .and_then(|m| m.get(&name).cloned())
        {
            return Ok(c);
        }
        let consumer = self
            .stream
            .get_or_create_consumer(
                &name,
                pull::Config {
                    durable_name: Some(name.clone()),
                    filter_subject: self.subject(queue, band),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: lease,
                    // The SQL store counts attempts and decides `dead`; JetStream just redelivers.
                    max_deliver: -1,
                    max_ack_pending: 100_000,
                    ..Default::default()
                },
            )
            .await
            .map_err(Error::nats)?;
        if let Ok(mut map) = self.consumers.lock() {
            map.insert(name, consumer.clone());
        }
        Ok(consumer)
    }

    /// Publishes job ids and waits for JetStream's acks. Failures are logged, not returned: the
    /// jobs are already durable in SQL, and the reconciler dispatches them again.
    pub(crate) async fn publish(&self, jobs: &[(JobId, String, i32)]) {
        let mut acks = Vec::with_capacity(jobs.len());
        for (id, queue, priority) in jobs {
            let subject = self.subject(queue, band(*priority));
            let payload = bytes::Bytes::copy_from_slice(id.as_str().as_bytes());
            match self.js.publish(subject, payload).await {
                Ok(ack) => acks.push(ack.into_future()),
                Err(e) => {
                    tracing::warn!(error = %e, job.id = %id, "publishing a job to JetStream failed; the reconciler will retry")
                }
            }
        }
        for result in join_all(acks).await {
            if let Err(e) = result {
                tracing::warn!(error = %e, "JetStream did not acknowledge a job; the reconciler will retry");
            }
        }
    }

    /// A delivered message that did not become a claim: drop it if its job is finished or gone,
    /// otherwise have JetStream offer it again when it can be claimed.
    pub(crate) async fn settle(&self, store: &Store, id: &JobId, msg: &Message) {
        let job = match store.get(Scope::All, id).await {
            Ok(job) => job,
            Err(e) => {
                tracing::warn!(error = %e, job.id = %id, "reading a dispatched job failed");
                nak(msg, Some(BUSY_RETRY)).await;
                return;
            }
        };
        match job {
            None => ack(msg).await,
            Some(job) if job.status.is_terminal() => ack(msg).await,
            Some(job) if job.status == JobStatus::Queued && job.run_at > now_ms() => {
                let wait = u64::try_from(job.run_at - now_ms()).unwrap_or(0);
                nak(msg, Some(Duration::from_millis(wait))).await;
            }
            // Running elsewhere, or its queue is at its concurrency limit.
            Some(_) => nak(msg, Some(BUSY_RETRY)).await,
        }
    }
}

pub(crate) async fn ack(msg: &Message) {
    if let Err(e) = msg.ack().await {
        tracing::debug!(error = %e, "JetStream ack failed; the message will be redelivered and dropped then");
    }
}

pub(crate) async fn nak(msg: &Message, delay: Option<Duration>) {
    if let Err(e) = msg.ack_with(AckKind::Nak(delay)).await {
        tracing::debug!(error = %e, "JetStream nak failed; the message is redelivered after its ack wait");
    }
}

pub(crate) async fn progress(msg: &Message) {
    if let Err(e) = msg.ack_with(AckKind::Progress).await {
        tracing::debug!(error = %e, "JetStream in-progress ack failed");
    }
}
