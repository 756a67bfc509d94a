//! Embeddings through the same routing, retries and accounting as chat (no cache).

use super::attempt::{Failure, describe, send};
use super::record::Tracker;
use super::{Gateway, Inner};
use crate::accounting::{CallContext, CallKind, CallStatus};
use crate::error::Error;
use crate::types::{EmbedRequest, EmbedResponse};

impl Gateway {
    /// Embeddings for every input, in order. Anthropic deployments answer
    /// [`Error::BadRequest`]: Anthropic has no embeddings API.
    pub async fn embed(&self, req: EmbedRequest, ctx: CallContext) -> Result<EmbedResponse, Error> {
        let inner = &*self.inner;
        let mut tracker = Tracker::new(CallKind::Embed, &req.model, ctx);
        match inner.embed(&req, &mut tracker).await {
            Ok(resp) => {
                tracker.finish(inner, CallStatus::Ok, None, None);
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
    async fn embed(&self, req: &EmbedRequest, t: &mut Tracker) -> Result<EmbedResponse, Error> {
        if req.input.is_empty() {
            return Err(Error::BadRequest("input must not be empty".into()));
        }
        let route = self.resolve(&req.model)?;
        t.routed(&route.label, route.upstream.is_some());
        let inputs = req.input.len();
        let mut resp = self
            .run(&route, &req.model, t, |d, upstream| async move {
                if d.local.is_some() {
                    return Err(Failure::stop(crate::provider::no_local_embeddings(), false));
                }
                let request = d
                    .kind
                    .embed_request(&d.target(&upstream), req)
                    .map_err(|e| Failure::stop(e, false))?;
                let http = send(d.kind, request).await?;
                let bytes = http
                    .bytes()
                    .await
                    .map_err(|e| Failure::retry(Error::Unavailable(describe(&e))))?;
                let mut resp = d
                    .kind
                    .parse_embed(&bytes, inputs)
                    .map_err(|e| Failure::stop(e, true))?;
                if resp.model.is_empty() {
                    resp.model = upstream;
                }
                Ok(resp)
            })
            .await?;
        if resp.usage.estimated {
            resp.usage.input_tokens = crate::tokens::count_embed(req);
        }
        t.usage += resp.usage;
        Ok(resp)
    }
}
