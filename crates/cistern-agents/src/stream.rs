//! [`TurnStream`]: the events of a streamed turn.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use crate::error::Result;
use crate::model::TurnEvent;

/// The events of [`crate::Agents::send_stream`]: `Started`, `Delta`s (and `ToolCall`s), then
/// `Done` — or an `Err` item. Dropping it stops the turn's model call; the reply so far is
/// stored as `partial`.
#[derive(Debug)]
pub struct TurnStream {
    rx: mpsc::Receiver<Result<TurnEvent>>,
}

impl TurnStream {
    pub(crate) fn new(rx: mpsc::Receiver<Result<TurnEvent>>) -> Self {
        Self { rx }
    }
}

impl Stream for TurnStream {
    type Item = Result<TurnEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
