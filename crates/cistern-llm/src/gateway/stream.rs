//! Streamed chat. Retries and fallbacks happen only until the first event is in hand — after
//! that the caller has bytes and a retry could duplicate them — so an upstream that breaks
//! later yields an `Err` item. The stream is normalised to deltas, then one `Finish`, then one
//! `Usage` (with the call's cost, computed as the call is recorded); the call is recorded when
//! the stream ends or is dropped.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;

use super::attempt::{Failure, local_failure, send};
use super::record::Tracker;
use super::upstream::Upstream;
use super::{Gateway, Inner};
use crate::accounting::{CallContext, CallKind, CallStatus};
use crate::cache::CacheKey;
use crate::error::Error;
use crate::router::Deployment;
use crate::types::{ChatRequest, ChatResponse, FinishReason, StreamEvent, ToolCallDelta};

mod driver;

/// A streamed chat response: `Ok` events in order, ending with `Finish` then `Usage`, or with
/// one `Err` item if the upstream broke off.
pub struct ChatStream {
    inner: Pin<Box<dyn Stream<Item = Result<StreamEvent, Error>> + Send>>,
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream").finish_non_exhaustive()
    }
}

impl Stream for ChatStream {
    type Item = Result<StreamEvent, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl Gateway {
    /// A streamed chat completion. Errors before the first event (routing, every attempt
    /// failing) come back here; later ones as an `Err` item of the stream.
    pub async fn chat_stream(
        &self,
        req: ChatRequest,
        ctx: CallContext,
    ) -> Result<ChatStream, Error> {
        let mut tracker = Tracker::new(CallKind::ChatStream, &req.model, ctx);
        match self.inner.open_stream(req, &mut tracker).await {
            Ok(Opened::Cached(mut resp)) => {
                tracker.finish(&self.inner, CallStatus::Ok, None, Some(&mut resp));
                Ok(ChatStream {
                    inner: Box::pin(futures::stream::iter(replay(&resp).into_iter().map(Ok))),
                })
            }
            Ok(Opened::Live {
                req,
                deployment,
                upstream,
                key,
            }) => {
                let driver = driver::Driver::new(
                    self.inner.clone(),
                    tracker,
                    req,
                    deployment,
                    upstream,
                    key,
                );
                Ok(ChatStream {
                    inner: Box::pin(driver.into_stream()),
                })
            }
            Err(e) => {
                tracker.finish(&self.inner, CallStatus::Error(e.kind()), Some(&e), None);
                Err(e)
            }
        }
    }
}

enum Opened {
    Cached(ChatResponse),
    Live {
        req: Arc<ChatRequest>,
        deployment: Arc<Deployment>,
        upstream: Upstream,
        key: Option<CacheKey>,
    },
}

impl Inner {
    async fn open_stream(&self, req: ChatRequest, t: &mut Tracker) -> Result<Opened, Error> {
        req.check().map_err(Error::BadRequest)?;
        let req = Arc::new(req);
        if self.record_bodies {
            t.request = Some(req.clone());
        }
        let route = self.resolve(&req.model)?;
        t.routed(&route.label, route.upstream.is_some());
        let key = self.cache.as_ref().and_then(|c| c.key_for(&req, t.ctx()));
        if let (Some(cache), Some(key)) = (&self.cache, &key) {
            let hit = cache.get(key).await;
            self.metrics.cache(&route.label, hit.is_some());
            if let Some(resp) = hit {
                t.cache_hit = true;
                return Ok(Opened::Cached(resp));
            }
        }
        let r = &*req;
        let (deployment, upstream) = self
            .run(&route, &r.model, t, |d, upstream| async move {
                let mut up = match &d.local {
                    Some(local) => Upstream::local(local.stream(r).map_err(local_failure)?),
                    None => {
                        let request = d
                            .kind
                            .chat_request(&d.target(&upstream), r, true)
                            .map_err(|e| Failure::stop(e, false))?;
                        let http = send(d.kind, request).await?;
                        Upstream::new(d.kind, r, http).ok_or_else(|| {
                            Failure::stop(Error::Config("no stream parser".into()), false)
                        })?
                    }
                };
                // Read until the first event: until then a failure can still be retried.
                match up.next(d.timeout).await {
                    Ok(Some(first)) => up.unread(first),
                    Ok(None) => {}
                    Err(e) if d.local.is_some() => return Err(local_failure(e)),
                    Err(e) => return Err(Failure::retry(e)),
                }
                Ok((d, up))
            })
            .await?;
        Ok(Opened::Live {
            req,
            deployment,
            upstream,
            key,
        })
    }
}

/// A cached response as stream events.
fn replay(resp: &ChatResponse) -> Vec<StreamEvent> {
    let mut events = Vec::with_capacity(3 + resp.message.tool_calls.len());
    let text = resp.message.text();
    if !text.is_empty() {
        events.push(StreamEvent::TextDelta {
            text: text.into_owned(),
        });
    }
    for (i, call) in resp.message.tool_calls.iter().enumerate() {
        events.push(StreamEvent::ToolCallDelta(ToolCallDelta {
            index: u32::try_from(i).unwrap_or(u32::MAX),
            id: Some(call.id.clone()),
            name: Some(call.function.name.clone()),
            arguments: call.function.arguments.clone(),
        }));
    }
    events.push(StreamEvent::Finish {
        reason: resp.finish_reason,
    });
    events.push(StreamEvent::Usage(resp.usage));
    events
}

/// Default finish reason when the provider ended cleanly without naming one.
fn default_finish(has_tool_calls: bool) -> FinishReason {
    if has_tool_calls {
        FinishReason::ToolCalls
    } else {
        FinishReason::Stop
    }
}

/// Idle bound between chunks after the first: the deployment's per-attempt timeout.
fn idle_timeout(d: &Deployment) -> Duration {
    d.timeout
}
