//! Non-streamed chat: cache lookup, attempts, tool-call check and repair round (or the invalid
//! call handed back, when the request asks for that), cache store.

use std::sync::Arc;

use super::attempt::{Failure, describe, local_failure, send};
use super::record::Tracker;
use super::{Gateway, Inner, Route};
use crate::accounting::{CallContext, CallKind, CallStatus};
use crate::error::Error;
use crate::tools;
use crate::types::{ChatRequest, ChatResponse, InvalidToolCalls};

impl Gateway {
    /// One chat completion. Retries, falls back and repairs malformed tool calls as
    /// configured; records the call (success or not) to the sink.
    pub async fn chat(&self, req: ChatRequest, ctx: CallContext) -> Result<ChatResponse, Error> {
        let inner = &*self.inner;
        let mut tracker = Tracker::new(CallKind::Chat, &req.model, ctx);
        match inner.chat(req, &mut tracker).await {
            Ok(mut resp) => {
                tracker.finish(inner, CallStatus::Ok, None, Some(&mut resp));
                Ok(resp)
            }
            Err(e) => {
                tracker.finish(inner, CallStatus::Error(e.kind()), Some(&e), None);
                Err(e)
            }
        }
    }
}

impl Inner {
    async fn chat(&self, req: ChatRequest, t: &mut Tracker) -> Result<ChatResponse, Error> {
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
                return Ok(resp);
            }
        }
        let resp = self.complete(&route, &req, t).await?;
        let (resp, valid) = self.checked(&route, &req, resp, t).await?;
        if let (Some(cache), Some(key), true) = (&self.cache, key, valid) {
            cache.put(key, &resp).await;
        }
        Ok(resp)
    }

    /// Checks the response's tool calls. An invalid one gets one repair round and then fails,
    /// or — when the caller asked for [`InvalidToolCalls::Return`] — comes back as it is, with
    /// `false`: the response must not be cached.
    async fn checked(
        &self,
        route: &Route<'_>,
        req: &ChatRequest,
        mut resp: ChatResponse,
        t: &mut Tracker,
    ) -> Result<(ChatResponse, bool), Error> {
        if req.tools.is_empty() || resp.message.tool_calls.is_empty() {
            return Ok((resp, true));
        }
        tools::normalise_arguments(&mut resp.message);
        let Some(problem) = tools::check(req, &resp.message, resp.finish_reason) else {
            return Ok((resp, true));
        };
        if req.invalid_tool_calls == InvalidToolCalls::Return {
            tracing::debug!(%problem, "tool call failed its check; returned to the caller");
            return Ok((resp, false));
        }
        tracing::debug!(%problem, "tool call failed its check; one repair round");
        t.repairs = 1;
        let repair = tools::repair_request(req, &problem);
        resp = self.complete(route, &repair, t).await?;
        tools::normalise_arguments(&mut resp.message);
        if let Some(problem) = tools::check(req, &resp.message, resp.finish_reason) {
            return Err(Error::InvalidOutput(format!(
                "{problem} (still wrong after a repair round)"
            )));
        }
        Ok((resp, true))
    }

    /// One answer from the route, with retries and fallbacks; usage estimated if missing.
    pub(crate) async fn complete(
        &self,
        route: &Route<'_>,
        req: &ChatRequest,
        t: &mut Tracker,
    ) -> Result<ChatResponse, Error> {
        let mut resp = self
            .run(route, &req.model, t, |d, upstream| async move {
                if let Some(local) = &d.local {
                    return local.chat(req).await.map_err(local_failure);
                }
                let request = d
                    .kind
                    .chat_request(&d.target(&upstream), req, false)
                    .map_err(|e| Failure::stop(e, false))?;
                let http = send(d.kind, request).await?;
                let bytes = http
                    .bytes()
                    .await
                    .map_err(|e| Failure::retry(Error::Unavailable(describe(&e))))?;
                // A 2xx body that does not parse was billed: retrying could bill twice.
                d.kind
                    .parse_chat(&bytes, req)
                    .map_err(|e| Failure::stop(e, true))
            })
            .await?;
        crate::tokens::estimate_usage(&mut resp.usage, req, &resp.message);
        t.usage += resp.usage;
        Ok(resp)
    }
}
