//! A generation's calls to the model: streamed, each newly complete file announced, and
//! continued while the reply is cut off.

use std::time::Instant;

use cistern_codegen::continuation::{is_cut_off, stitch};
use cistern_jobs::JobContext;
use cistern_llm::{CallContext, ChatRequest, ErrorKind, FinishReason, Message, StreamEvent};
use futures::StreamExt;

use super::Codegen;
use super::job::{Failure, elapsed_ms, step, template};
use super::views::Outcome;

/// One generation's calls: the request so far, who pays, and what was spent.
pub(super) struct Conversation<'a> {
    pub(super) state: &'a Codegen,
    pub(super) req: ChatRequest,
    pub(super) call: CallContext,
    pub(super) outcome: &'a mut Outcome,
    /// Paths of the complete files announced while streaming, in order, each once.
    pub(super) announced: Vec<String>,
}

impl Conversation<'_> {
    /// One streamed call; its text and why it stopped. While it streams, each newly
    /// completed file of the reply so far (`before` + this call's text) is announced as
    /// `file N: path`, looked for after lines with a fence character (not per token).
    async fn call(
        &mut self,
        ctx: &JobContext,
        before: &str,
    ) -> Result<(String, FinishReason), Failure> {
        let started = Instant::now();
        let mut stream = self
            .state
            .llm
            .chat_stream(self.req.clone(), self.call.clone())
            .await
            .map_err(model_failure)?;
        let mut text = String::new();
        let mut finish = FinishReason::Stop;
        let mut usage = cistern_llm::Usage::default();
        let mut fence_seen = false;
        while let Some(event) = stream.next().await {
            match event.map_err(model_failure)? {
                StreamEvent::TextDelta { text: delta } => {
                    text.push_str(&delta);
                    // A fence may have closed: look again once the line with a backtick or
                    // a tilde has ended (a fence split across deltas included).
                    fence_seen |= delta.contains(['`', '~']);
                    if fence_seen && delta.contains('\n') {
                        fence_seen = false;
                        self.announce(ctx, &format!("{before}{text}")).await;
                    }
                }
                StreamEvent::Finish { reason } => finish = reason,
                StreamEvent::Usage(u) => usage = u,
                StreamEvent::ToolCallDelta(_) => {}
            }
        }
        *self
            .outcome
            .timings_ms
            .entry("model".to_owned())
            .or_default() += elapsed_ms(started);
        let total = &mut self.outcome.usage;
        total.input_tokens += u64::from(usage.input_tokens);
        total.output_tokens += u64::from(usage.output_tokens);
        total.calls += 1;
        Ok((text, finish))
    }

    /// Announces `file N: path` for each complete file of the partial reply not announced
    /// before (N counts from 1 across the generation's calls; a repaired file is not new).
    async fn announce(&mut self, ctx: &JobContext, partial: &str) {
        for path in cistern_codegen::extract::progress(partial).complete {
            let path = path.to_string();
            if !self.announced.contains(&path) {
                self.announced.push(path);
                let n = self.announced.len();
                step(ctx, 20, &format!("file {n}: {}", self.announced[n - 1])).await;
            }
        }
    }

    /// A reply, continued while it is cut off and rounds remain: the stitched text and
    /// whether it is still cut off.
    pub(super) async fn reply(
        &mut self,
        ctx: &JobContext,
        rounds: u32,
    ) -> Result<(String, bool), Failure> {
        let base = self.req.messages.len();
        let (mut reply, finish) = self.call(ctx, "").await?;
        // Judged on the whole reply so far: a continuation alone may look like an open fence.
        let mut cut = is_cut_off(&reply, Some(finish.as_str()));
        let mut round = 0;
        while cut && round < rounds {
            round += 1;
            self.outcome.continue_rounds += 1;
            step(ctx, 30, &format!("continuing (round {round})")).await;
            self.req.messages.truncate(base);
            self.req.messages.push(Message::assistant(reply.clone()));
            let ask = self
                .state
                .shared
                .templates
                .continuation()
                .map_err(template)?;
            self.req.messages.push(Message::user(ask));
            let (more, finish) = self.call(ctx, &reply).await?;
            reply = stitch(&reply, &more);
            cut = is_cut_off(&reply, Some(finish.as_str()));
        }
        self.req.messages.truncate(base);
        self.req.messages.push(Message::assistant(reply.clone()));
        Ok((reply, cut))
    }
}

/// A gateway error as a failure: transient ones are retried by the job engine.
fn model_failure(e: cistern_llm::Error) -> Failure {
    let reason = format!("the model could not be called: {e}");
    match e.kind() {
        ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::RateLimited => {
            Failure::transient("model", reason)
        }
        _ => Failure::new("model", reason),
    }
}
