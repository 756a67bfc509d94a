//! The writer task: group commit.
//!
//! Every write of the job store is a [`Cmd`] sent to one task that owns the write connection. It
//! takes whatever has queued up (up to `max_batch` commands), runs it in one transaction and
//! commits once — one fsync for the lot — and only then answers each caller. A caller's future
//! therefore resolves only after its write is durable, and under load the fsync is shared by
//! hundreds of callers. If the batch fails, each command is retried alone so one bad command
//! cannot fail its neighbours. A claim whose caller has gone away (a dropped long poll) is given
//! back in the next transaction, so it is never swallowed.

use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::cmd::{Cmd, Reply};
use super::conn::WriterConn;
use super::exec::run_batch;
use crate::error::{Error, Result};

/// A command with the channel its answer goes back on.
pub(crate) type Item = (Cmd, oneshot::Sender<Result<Reply>>);

pub(crate) struct Writer {
    pub conn: WriterConn,
    pub rx: mpsc::Receiver<Item>,
    /// Claims whose caller dropped its future after the reply was sent (see [`Pending`]).
    pub orphans: mpsc::UnboundedReceiver<Cmd>,
    pub signal: watch::Sender<u64>,
    /// Ticks after every commit (event streams wait on it).
    pub written: watch::Sender<u64>,
    pub max_batch: usize,
}

impl Writer {
    /// Runs until `cancel`, then writes what is already queued and stops.
    pub(crate) async fn run(mut self, cancel: CancellationToken) {
        loop {
            let first = tokio::select! {
                biased;
                Some(orphan) = self.orphans.recv() => {
                    self.give_back(vec![orphan]).await;
                    continue;
                }
                item = self.rx.recv() => item,
                () = cancel.cancelled() => {
                    self.rx.close();
                    self.rx.recv().await
                }
            };
            let Some(first) = first else { break };
            let mut batch = vec![first];
            while batch.len() < self.max_batch {
                match self.rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            self.process(batch).await;
        }
    }

    async fn process(&mut self, batch: Vec<Item>) {
        let (cmds, senders): (Vec<Cmd>, Vec<_>) = batch.into_iter().unzip();
        let mut orphans = Vec::new();
        match self.transact(&cmds).await {
            Ok(replies) => {
                self.wake(&cmds);
                for (reply, sender) in replies.into_iter().zip(senders) {
                    deliver(sender, Ok(reply), &mut orphans);
                }
            }
            Err(e) if cmds.len() == 1 => {
                if let Some(sender) = senders.into_iter().next() {
                    deliver(sender, Err(e), &mut orphans);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, size = cmds.len(), "job store batch failed; retrying its commands one by one");
                for (cmd, sender) in cmds.into_iter().zip(senders) {
                    let one = [cmd];
                    let result = self
                        .transact(&one)
                        .await
                        .and_then(|mut r| r.pop().ok_or(Error::Closed));
                    if result.is_ok() {
                        self.wake(&one);
                    }
                    deliver(sender, result, &mut orphans);
                }
            }
        }
        while let Ok(orphan) = self.orphans.try_recv() {
            orphans.push(orphan);
        }
        self.give_back(orphans).await;
    }

    /// Gives back what vanished callers had claimed.
    async fn give_back(&mut self, cmds: Vec<Cmd>) {
        if cmds.is_empty() {
            return;
        }
        match self.transact(&cmds).await {
            Ok(_) => self.wake(&cmds),
            Err(e) => {
                tracing::error!(error = %e, "could not release jobs of a vanished claimer; their lease will expire")
            }
        }
    }

    async fn transact(&mut self, cmds: &[Cmd]) -> Result<Vec<Reply>> {
        let mut tx = self.conn.begin().await?;
        match run_batch(&mut tx, cmds).await {
            Ok(replies) => {
                tx.commit().await?;
                Ok(replies)
            }
            Err(e) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(error = %rollback, "rollback failed");
                }
                Err(e)
            }
        }
    }

    fn wake(&self, cmds: &[Cmd]) {
        self.written.send_modify(|v| *v = v.wrapping_add(1));
        if cmds.iter().any(Cmd::wakes) {
            self.signal.send_modify(|v| *v = v.wrapping_add(1));
        }
    }
}

/// The caller's side of a command: if it is dropped after the writer sent a claim's reply but
/// before the caller took it, the claim is handed back to the writer to release.
pub(crate) struct Pending {
    pub rx: oneshot::Receiver<Result<Reply>>,
    pub orphans: mpsc::UnboundedSender<Cmd>,
    pub done: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // From here on the writer's send fails (and it releases the claim itself) …
        self.rx.close();
        // … unless it already sent: then release what is sitting in the channel.
        if let Ok(Ok(reply)) = self.rx.try_recv()
            && let Some(cmd) = reply.orphaned()
        {
            // The writer is gone only at shutdown, when the claim lapses by its lease anyway.
            self.orphans.send(cmd).ok();
        }
    }
}

fn deliver(sender: oneshot::Sender<Result<Reply>>, result: Result<Reply>, orphans: &mut Vec<Cmd>) {
    if let Err(Ok(reply)) = sender.send(result) {
        orphans.extend(reply.orphaned());
    }
}
