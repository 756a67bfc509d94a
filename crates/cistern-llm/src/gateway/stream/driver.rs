//! Drives a live upstream stream for the caller: passes deltas through, holds back the
//! finish reason and usage to emit them last, checks tool calls at the end (an invalid one is
//! an error item unless the request asks for it back), stores the complete answer in the cache
//! and records the call — also when the caller drops it.

use std::sync::Arc;

use futures::Stream;

use super::{default_finish, idle_timeout};
use crate::accounting::CallStatus;
use crate::cache::CacheKey;
use crate::error::Error;
use crate::gateway::Inner;
use crate::gateway::record::Tracker;
use crate::gateway::upstream::Upstream;
use crate::router::Deployment;
use crate::tools;
use crate::types::{
    ChatRequest, ChatResponse, Content, FinishReason, FunctionCall, FunctionType, InvalidToolCalls,
    Message, Role, StreamEvent, ToolCall, Usage,
};

pub(super) struct Driver {
    gw: Arc<Inner>,
    /// `Some` until the call is recorded.
    tracker: Option<Tracker>,
    req: Arc<ChatRequest>,
    deployment: Arc<Deployment>,
    upstream: Upstream,
    key: Option<CacheKey>,
    text: String,
    calls: Vec<ToolCall>,
    finish: Option<FinishReason>,
    usage: Option<Usage>,
    /// Final events, popped from the back.
    tail: Vec<StreamEvent>,
    done: bool,
}

impl Driver {
    pub(super) fn new(
        gw: Arc<Inner>,
        tracker: Tracker,
        req: Arc<ChatRequest>,
        deployment: Arc<Deployment>,
        upstream: Upstream,
        key: Option<CacheKey>,
    ) -> Self {
        Self {
            gw,
            tracker: Some(tracker),
            req,
            deployment,
            upstream,
            key,
            text: String::new(),
            calls: Vec::new(),
            finish: None,
            usage: None,
            tail: Vec::new(),
            done: false,
        }
    }

    pub(super) fn into_stream(
        self,
    ) -> impl Stream<Item = Result<StreamEvent, Error>> + Send + 'static {
        // Boxed: the state moves in and out of unfold's future on every item.
        futures::stream::unfold(Box::new(self), |mut d| async move {
            let item = d.step().await;
            item.map(|i| (i, d))
        })
    }

    async fn step(&mut self) -> Option<Result<StreamEvent, Error>> {
        if let Some(event) = self.tail.pop() {
            return Some(Ok(event));
        }
        if self.done {
            return None;
        }
        let idle = idle_timeout(&self.deployment);
        loop {
            match self.upstream.next(idle).await {
                Ok(Some(StreamEvent::Finish { reason })) => self.finish = Some(reason),
                Ok(Some(StreamEvent::Usage(u))) => self.usage = Some(u),
                Ok(Some(event)) => {
                    self.absorb(&event);
                    return Some(Ok(event));
                }
                Ok(None) => return self.complete().await,
                Err(e) => return Some(Err(self.fail(e))),
            }
        }
    }

    fn absorb(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::TextDelta { text } => self.text.push_str(text),
            StreamEvent::ToolCallDelta(d) => {
                let i = usize::try_from(d.index)
                    .unwrap_or(usize::MAX)
                    .min(self.calls.len());
                if i == self.calls.len() {
                    self.calls.push(ToolCall {
                        id: String::new(),
                        kind: FunctionType::Function,
                        function: FunctionCall {
                            name: String::new(),
                            arguments: String::new(),
                        },
                    });
                }
                let call = &mut self.calls[i];
                if let Some(id) = &d.id {
                    call.id.clone_from(id);
                }
                if let Some(name) = &d.name {
                    call.function.name.clone_from(name);
                }
                call.function.arguments.push_str(&d.arguments);
            }
            StreamEvent::Finish { .. } | StreamEvent::Usage(_) => {}
        }
    }

    fn message(&mut self) -> Message {
        let content = if self.text.is_empty() && !self.calls.is_empty() {
            None
        } else {
            Some(Content::Text(std::mem::take(&mut self.text)))
        };
        let mut m = Message {
            role: Role::Assistant,
            content,
            name: None,
            tool_calls: std::mem::take(&mut self.calls),
            tool_call_id: None,
        };
        tools::normalise_arguments(&mut m);
        m
    }

    /// Usage from the provider, else counted over what was streamed.
    fn usage_for(&self, message: &Message) -> Usage {
        let mut usage = self.usage.unwrap_or(Usage {
            estimated: true,
            ..Usage::default()
        });
        crate::tokens::estimate_usage(&mut usage, &self.req, message);
        usage
    }

    async fn complete(&mut self) -> Option<Result<StreamEvent, Error>> {
        self.done = true;
        let message = self.message();
        let reason = self
            .finish
            .unwrap_or_else(|| default_finish(!message.tool_calls.is_empty()));
        let problem = if self.req.tools.is_empty() {
            None
        } else {
            tools::check(&self.req, &message, reason)
        };
        if let Some(problem) = &problem {
            if self.req.invalid_tool_calls == InvalidToolCalls::Repair {
                let e = Error::InvalidOutput(format!(
                    "{problem} (a streamed call gets no repair round)"
                ));
                return Some(Err(self.record_failure(e, &message)));
            }
            tracing::debug!(%problem, "streamed tool call failed its check; returned to the caller");
        }
        let usage = self.usage_for(&message);
        let mut tracker = self.tracker.take()?;
        let mut resp = ChatResponse {
            id: format!("chatcmpl-{:016x}", fastrand::u64(..)),
            model: self
                .deployment
                .upstream_model
                .clone()
                .unwrap_or_else(|| self.req.model.clone()),
            message,
            finish_reason: reason,
            usage,
        };
        // An invalid call handed back is not an answer for anyone else.
        if let (Some(cache), Some(key), None) = (&self.gw.cache, self.key, &problem) {
            cache.put(key, &resp).await;
        }
        if let Some(at) = self.upstream.first_event_at {
            tracker.first_token_at(at);
        }
        tracker.usage += usage;
        // Sets the usage's cost, so the usage event carries what the record does.
        tracker.finish(&self.gw, CallStatus::Ok, None, Some(&mut resp));
        self.tail = vec![
            StreamEvent::Usage(resp.usage),
            StreamEvent::Finish { reason },
        ];
        self.tail.pop().map(Ok)
    }

    fn fail(&mut self, e: Error) -> Error {
        self.done = true;
        let message = self.message();
        self.record_failure(e, &message)
    }

    fn record_failure(&mut self, e: Error, partial: &Message) -> Error {
        self.done = true;
        if let Some(mut tracker) = self.tracker.take() {
            tracing::warn!(deployment = %self.deployment.name, error = %e, "LLM stream failed after the first token");
            tracker.usage += self.usage_for(partial);
            if let Some(at) = self.upstream.first_event_at {
                tracker.first_token_at(at);
            }
            tracker.finish(&self.gw, CallStatus::Error(e.kind()), Some(&e), None);
        }
        e
    }
}

impl Drop for Driver {
    /// The caller dropped the stream before its end: record what was consumed.
    fn drop(&mut self) {
        if let Some(mut tracker) = self.tracker.take() {
            let message = self.message();
            tracker.usage += self.usage_for(&message);
            if let Some(at) = self.upstream.first_event_at {
                tracker.first_token_at(at);
            }
            tracker.finish(&self.gw, CallStatus::Cancelled, None, None);
        }
    }
}
