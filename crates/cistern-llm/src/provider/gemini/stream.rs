//! Gemini's `?alt=sse` stream: each event is a whole `GenerateContentResponse`; the last one
//! has a `finishReason` and the final `usageMetadata`.

use super::{Resp, finish_reason};
use crate::error::Error;
use crate::provider::{make_call_id, malformed};
use crate::types::{StreamEvent, ToolCallDelta, Usage};

#[derive(Debug, Default)]
pub(crate) struct StreamState {
    tools: u32,
    finished: bool,
}

impl StreamState {
    pub(crate) fn on_event(&mut self, data: &str, out: &mut Vec<StreamEvent>) -> Result<(), Error> {
        if data.starts_with("{\"error\"") {
            return Err(Error::Unavailable(format!(
                "provider error mid-stream: {}",
                crate::provider::ProviderKind::Gemini.error_message(data.as_bytes())
            )));
        }
        let r: Resp = serde_json::from_str(data).map_err(malformed)?;
        let blocked = r
            .prompt_feedback
            .as_ref()
            .and_then(|f| f.block_reason.as_ref())
            .is_some();
        let mut finish = None;
        for candidate in r.candidates.into_iter().take(1) {
            for part in candidate.content.map(|c| c.parts).unwrap_or_default() {
                if let Some(call) = part.function_call {
                    // Gemini sends each call whole: one delta with id, name and all arguments.
                    out.push(StreamEvent::ToolCallDelta(ToolCallDelta {
                        index: self.tools,
                        id: Some(make_call_id()),
                        name: Some(call.name),
                        arguments: call.args.to_string(),
                    }));
                    self.tools += 1;
                } else if let Some(text) = part.text.filter(|t| !part.thought && !t.is_empty()) {
                    out.push(StreamEvent::TextDelta { text });
                }
            }
            finish = candidate.finish_reason;
        }
        if let Some(word) = finish {
            self.finished = true;
            out.push(StreamEvent::Finish {
                reason: finish_reason(&word, self.tools > 0),
            });
            if let Some(u) = r.usage_metadata {
                out.push(StreamEvent::Usage(Usage::from(u)));
            }
        } else if blocked {
            self.finished = true;
            out.push(StreamEvent::Finish {
                reason: crate::types::FinishReason::ContentFilter,
            });
        }
        Ok(())
    }

    pub(crate) fn finished(&self) -> bool {
        self.finished
    }
}
