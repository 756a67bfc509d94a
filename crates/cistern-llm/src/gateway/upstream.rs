//! An upstream response read as canonical events: for HTTP providers bytes → SSE events → the
//! provider's parser, for the local model its worker's events as they are. A stream that ends
//! before the protocol's end marker is an error.

use std::pin::Pin;
use std::time::{Duration, Instant};

use tokio::time::Sleep;

use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::attempt::describe;
use crate::error::Error;
use crate::provider::local::LocalStream;
use crate::provider::{ProviderKind, StreamParser};
use crate::sse::SseDecoder;
use crate::types::{ChatRequest, StreamEvent};

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// Where the events come from.
enum Source {
    Http {
        body: ByteStream,
        decoder: SseDecoder,
        parser: StreamParser,
    },
    Local(LocalStream),
}

pub(crate) struct Upstream {
    source: Source,
    pending: Vec<StreamEvent>,
    next: usize,
    eof: bool,
    /// When the first canonical event arrived (time to first token).
    pub first_event_at: Option<Instant>,
    /// One timer for the idle bound, re-armed only when it fires early: resetting a timer
    /// per chunk would cost a timer-wheel update per chunk.
    idle_timer: Pin<Box<Sleep>>,
    last_chunk: tokio::time::Instant,
}

impl Upstream {
    /// An HTTP provider's streamed response; `None` for a kind without SSE (the local model).
    pub(crate) fn new(
        kind: ProviderKind,
        req: &ChatRequest,
        resp: reqwest::Response,
    ) -> Option<Self> {
        let source = Source::Http {
            body: Box::pin(resp.bytes_stream()),
            decoder: SseDecoder::default(),
            parser: kind.stream_parser(req)?,
        };
        Some(Self::from_source(source))
    }

    /// The local model's generation.
    pub(crate) fn local(stream: LocalStream) -> Self {
        Self::from_source(Source::Local(stream))
    }

    fn from_source(source: Source) -> Self {
        Self {
            source,
            pending: Vec::new(),
            next: 0,
            eof: false,
            first_event_at: None,
            idle_timer: Box::pin(tokio::time::sleep(Duration::from_secs(3600))),
            last_chunk: tokio::time::Instant::now(),
        }
    }

    /// Puts back the event just returned by [`Upstream::next`] (the one read to prove the
    /// stream works before the caller gets it).
    pub(crate) fn unread(&mut self, event: StreamEvent) {
        if self.next > 0 {
            self.next -= 1;
            self.pending[self.next] = event;
        } else {
            self.pending.insert(0, event);
        }
    }

    /// The next event, `Ok(None)` at a complete end; waits at most `idle` for each chunk.
    pub(crate) async fn next(&mut self, idle: Duration) -> Result<Option<StreamEvent>, Error> {
        loop {
            if let Some(slot) = self.pending.get_mut(self.next) {
                self.next += 1;
                return Ok(Some(std::mem::replace(
                    slot,
                    StreamEvent::TextDelta {
                        text: String::new(),
                    },
                )));
            }
            self.pending.clear();
            self.next = 0;
            if self.eof {
                return Ok(None);
            }
            let Self {
                source,
                pending,
                idle_timer,
                last_chunk,
                ..
            } = self;
            let (body, decoder, parser) = match source {
                Source::Http {
                    body,
                    decoder,
                    parser,
                } => (body, decoder, parser),
                Source::Local(local) => {
                    let event = match tokio::time::timeout(idle, local.next()).await {
                        Ok(event) => event?,
                        Err(_) => return Err(Error::Timeout(idle)),
                    };
                    match event {
                        Some(event) => pending.push(event),
                        None => self.eof = true,
                    }
                    if !self.pending.is_empty() && self.first_event_at.is_none() {
                        self.first_event_at = Some(Instant::now());
                    }
                    continue;
                }
            };
            if idle_timer.deadline() > *last_chunk + idle {
                idle_timer.as_mut().reset(*last_chunk + idle);
            }
            let chunk = loop {
                tokio::select! {
                    biased;
                    chunk = body.next() => break chunk,
                    () = idle_timer.as_mut() => {
                        if last_chunk.elapsed() >= idle {
                            return Err(Error::Timeout(idle));
                        }
                        idle_timer.as_mut().reset(*last_chunk + idle);
                    }
                }
            };
            *last_chunk = tokio::time::Instant::now();
            let mut on_event = |event: &str, data: &str| parser.on_event(event, data, pending);
            match chunk {
                Some(Ok(chunk)) => decoder.feed(&chunk, &mut on_event)?,
                Some(Err(e)) => return Err(Error::Unavailable(describe(&e))),
                None => {
                    decoder.finish(&mut on_event)?;
                    let finished = parser.finished();
                    self.eof = true;
                    if !finished {
                        return Err(Error::Unavailable(
                            "the provider's stream ended before the answer was complete".into(),
                        ));
                    }
                }
            }
            if !self.pending.is_empty() && self.first_event_at.is_none() {
                self.first_event_at = Some(Instant::now());
            }
        }
    }
}
