//! Per-call bookkeeping: what the attempt loop learned, turned into metrics and one
//! [`CallRecord`] at the end.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::Inner;
use crate::accounting::{CallContext, CallKind, CallRecord, CallStatus};
use crate::error::Error;
use crate::metrics::Label;
use crate::router::Deployment;
use crate::types::{ChatRequest, ChatResponse, Usage};

/// Collects what happens during one call.
#[derive(Debug)]
pub(crate) struct Tracker {
    started: Instant,
    started_at: SystemTime,
    kind: CallKind,
    model: String,
    label: Label,
    passthrough: bool,
    ctx: CallContext,
    pub attempts: u32,
    pub fallbacks: u32,
    pub repairs: u32,
    pub cache_hit: bool,
    pub first_token: Option<Duration>,
    pub deployment: Option<Arc<Deployment>>,
    upstream_model: Option<String>,
    pub request: Option<Arc<ChatRequest>>,
    /// Tokens consumed upstream so far (all rounds).
    pub usage: Usage,
}

impl Tracker {
    pub(crate) fn new(kind: CallKind, model: &str, ctx: CallContext) -> Self {
        Self {
            started: Instant::now(),
            started_at: SystemTime::now(),
            kind,
            model: model.to_owned(),
            label: Label(Arc::from("")),
            passthrough: false,
            ctx,
            attempts: 0,
            fallbacks: 0,
            repairs: 0,
            cache_hit: false,
            first_token: None,
            deployment: None,
            upstream_model: None,
            request: None,
            usage: Usage::default(),
        }
    }

    pub(crate) fn routed(&mut self, label: &Label, passthrough: bool) {
        self.label = label.clone();
        self.passthrough = passthrough;
    }

    pub(crate) fn reached(&mut self, d: &Arc<Deployment>, upstream: &str) {
        if self
            .deployment
            .as_ref()
            .is_none_or(|cur| !Arc::ptr_eq(cur, d))
        {
            self.deployment = Some(d.clone());
        }
        if self.upstream_model.as_deref() != Some(upstream) {
            self.upstream_model = Some(upstream.to_owned());
        }
    }

    /// The first token arrived at `at` (read ahead while the stream was being opened).
    pub(crate) fn first_token_at(&mut self, at: Instant) {
        if self.first_token.is_none() {
            self.first_token = Some(at.saturating_duration_since(self.started));
        }
    }

    /// Emits metrics and the record, with the usage consumed upstream (zero for a cache hit
    /// or a failure before any answer). The cost is computed here, once: the record carries
    /// it and so does `response`'s usage, which is what the caller gets.
    pub(crate) fn finish(
        self,
        gw: &Inner,
        status: CallStatus,
        error: Option<&Error>,
        response: Option<&mut ChatResponse>,
    ) {
        let usage = self.usage;
        let total = self.started.elapsed();
        let cost = match (&self.deployment, self.cache_hit) {
            (Some(d), false) => d.cost(usage.input_tokens, usage.output_tokens),
            _ => 0.0,
        };
        let response = response.map(|r| {
            r.usage.cost_usd = cost;
            &*r
        });
        // An unconfigured name gets its own label only once a provider accepted it.
        let label = if self.passthrough && status == CallStatus::Ok {
            Label(Arc::from(self.model.as_str()))
        } else {
            self.label.clone()
        };
        let deployment_label = match (&self.deployment, self.cache_hit) {
            (_, true) => &gw.cache_label,
            (Some(d), false) => &d.label,
            (None, false) => &gw.no_deployment,
        };
        gw.metrics.call(
            &label,
            deployment_label,
            status.as_str(),
            total.as_secs_f64(),
        );
        if usage.input_tokens > 0 || usage.output_tokens > 0 {
            gw.metrics.usage(
                &label,
                deployment_label,
                usage.input_tokens,
                usage.output_tokens,
                cost,
            );
        }
        let Some(sink) = &gw.sink else { return };
        let response = if gw.record_bodies {
            response.cloned()
        } else {
            None
        };
        sink.record(CallRecord {
            started_at: self.started_at,
            kind: self.kind,
            model: self.model,
            provider: self.deployment.as_ref().map(|d| d.kind),
            deployment: self.deployment.map(|d| d.name.clone()),
            upstream_model: self.upstream_model,
            latency_first_token: self.first_token.or(if status == CallStatus::Ok {
                Some(total)
            } else {
                None
            }),
            latency_total: total,
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            tokens_estimated: usage.estimated,
            cost_usd: cost,
            status,
            error: error.map(ToString::to_string),
            attempts: self.attempts,
            fallbacks: self.fallbacks,
            repairs: self.repairs,
            cache_hit: self.cache_hit,
            user_id: self.ctx.user_id,
            api_key_id: self.ctx.api_key_id,
            app: self.ctx.app,
            request: if gw.record_bodies { self.request } else { None },
            response,
        });
    }

    pub(crate) fn ctx(&self) -> &CallContext {
        &self.ctx
    }
}
