//! [`UserQueues`]: pull queues for users' apps (Cloudflare-Queues-style HTTP pull consumers),
//! namespaced per owner. Messages are at-least-once: a lease that is neither acked nor nacked
//! before its visibility timeout is delivered again, and a message nacked or expired past its
//! delivery budget goes `dead` (and counts in the `dead` depth).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::model::JobId;
use crate::query::{LeasedMessage, OutgoingMessage, QueueDepth};

/// Most messages per send or lease.
pub const MAX_BATCH: usize = 100;
/// Longest long poll.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// Longest visibility timeout or delay.
pub const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 3600);
/// Largest message body (serialized JSON).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// How often a waiting long poll looks again for messages sent by other processes (messages
/// sent through this process wake it at once).
const POLL: Duration = Duration::from_millis(200);

/// A lease request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseRequest {
    /// Most messages to return (1 to [`MAX_BATCH`]).
    pub batch_size: usize,
    /// How long the messages stay invisible to other consumers (1 s to [`MAX_VISIBILITY`]).
    pub visibility_timeout: Duration,
    /// How long to wait for a first message when the queue is empty (up to [`MAX_WAIT`]).
    pub wait: Duration,
}

/// The user-queue API. Cheap to clone.
#[derive(Debug, Clone)]
pub struct UserQueues {
    backend: Arc<dyn Backend>,
}

impl UserQueues {
    /// The API over `backend`.
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        UserQueues { backend }
    }

    /// Sends messages (1 to [`MAX_BATCH`]); durable when this resolves.
    pub async fn send(
        &self,
        owner: &str,
        queue: &str,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<JobId>> {
        if messages.is_empty() || messages.len() > MAX_BATCH {
            return Err(Error::invalid("messages", "send 1 to 100 messages"));
        }
        let max_delay = crate::model::duration_ms(MAX_VISIBILITY);
        for m in &messages {
            if i64::try_from(m.delay_ms).unwrap_or(i64::MAX) > max_delay {
                return Err(Error::invalid("delay", "at most 12 hours"));
            }
            if m.body.to_string().len() > MAX_BODY_BYTES {
                return Err(Error::invalid("body", "at most 256 KiB of JSON"));
            }
        }
        self.backend.send_messages(owner, queue, messages).await
    }

    /// Leases up to `batch_size` messages, waiting up to `wait` for the first one.
    ///
    /// Cancel-safe: if the caller goes away (the HTTP client disconnects and this future is
    /// dropped), nothing is lost — while waiting, nothing is leased; a lease taken at the
    /// moment of the drop is given back by the writer when it finds no one to hand it to.
    pub async fn lease(
        &self,
        owner: &str,
        queue: &str,
        req: LeaseRequest,
    ) -> Result<Vec<LeasedMessage>> {
        crate::model::validate_queue(queue)?;
        if req.batch_size == 0 || req.batch_size > MAX_BATCH {
            return Err(Error::invalid("batch_size", "1 to 100"));
        }
        if req.visibility_timeout < Duration::from_secs(1)
            || req.visibility_timeout > MAX_VISIBILITY
        {
            return Err(Error::invalid("visibility_timeout", "1 s to 12 hours"));
        }
        if req.wait > MAX_WAIT {
            return Err(Error::invalid("wait", "at most 30 s"));
        }
        let deadline = Instant::now() + req.wait;
        let mut signal = self.backend.work_signal();
        loop {
            signal.borrow_and_update();
            let msgs = self
                .backend
                .lease_messages(owner, queue, req.batch_size, req.visibility_timeout)
                .await?;
            let now = Instant::now();
            if !msgs.is_empty() || now >= deadline {
                return Ok(msgs);
            }
            let nap = (deadline - now).min(POLL);
            tokio::select! {
                _ = signal.changed() => {}
                () = tokio::time::sleep(nap) => {}
            }
        }
    }

    /// Acknowledges leased messages (they are deleted); answers how many were still leased.
    pub async fn ack(&self, owner: &str, queue: &str, ids: &[JobId]) -> Result<u64> {
        check_ids(ids)?;
        self.backend.ack_messages(owner, queue, ids).await
    }

    /// Returns leased messages, visible again after `delay`; answers how many were leased.
    pub async fn nack(
        &self,
        owner: &str,
        queue: &str,
        ids: &[JobId],
        delay: Duration,
    ) -> Result<u64> {
        check_ids(ids)?;
        if delay > MAX_VISIBILITY {
            return Err(Error::invalid("delay", "at most 12 hours"));
        }
        self.backend.nack_messages(owner, queue, ids, delay).await
    }

    /// Depths of the owner's queues.
    pub async fn depths(&self, owner: &str) -> Result<Vec<QueueDepth>> {
        self.backend.depths(Some(owner)).await
    }
}

fn check_ids(ids: &[JobId]) -> Result<()> {
    if ids.is_empty() || ids.len() > MAX_BATCH {
        return Err(Error::invalid("ids", "1 to 100 ids"));
    }
    Ok(())
}
