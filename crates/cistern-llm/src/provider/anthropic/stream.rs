//! Anthropic's stream: `message_start`, `content_block_start/delta/stop`, `message_delta`
//! (stop reason, output tokens), `message_stop`; `ping` and `error` may come at any time.

use std::borrow::Cow;

use serde::Deserialize;

use super::{JSON_TOOL, WireUsage, finish_reason, wants_json_tool};
use crate::error::{Error, truncate};
use crate::provider::malformed;
use crate::types::{ChatRequest, FinishReason, StreamEvent, ToolCallDelta, Usage};

/// What a content block index stands for.
#[derive(Debug, Clone, Copy)]
enum BlockKind {
    Text,
    /// A tool call: its ordinal among this response's calls.
    Tool(u32),
    /// The synthetic JSON tool: its input is the answer text.
    Json,
    Other,
}

#[derive(Debug)]
pub(crate) struct StreamState {
    json_tool: bool,
    blocks: Vec<BlockKind>,
    tools: u32,
    input_tokens: u32,
    stopped: bool,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    message: Option<StartMessage>,
    #[serde(default, borrow)]
    content_block: Option<StartBlock<'a>>,
    #[serde(default, borrow)]
    delta: Option<Delta<'a>>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default)]
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct StartMessage {
    #[serde(default)]
    usage: WireUsage,
}

#[derive(Deserialize)]
struct StartBlock<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    partial_json: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    stop_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
}

impl StreamState {
    pub(crate) fn new(req: &ChatRequest) -> Self {
        Self {
            json_tool: wants_json_tool(req),
            blocks: Vec::new(),
            tools: 0,
            input_tokens: 0,
            stopped: false,
        }
    }

    pub(crate) fn on_event(
        &mut self,
        _event: &str,
        data: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), Error> {
        let ev: Event<'_> = serde_json::from_str(data).map_err(malformed)?;
        match ev.kind.as_ref() {
            "message_start" => {
                if let Some(m) = ev.message {
                    self.input_tokens = m.usage.input();
                }
            }
            "content_block_start" => {
                self.block_start(ev.index.unwrap_or(self.blocks.len()), ev.content_block, out)
            }
            "content_block_delta" => {
                let kind = ev
                    .index
                    .and_then(|i| self.blocks.get(i))
                    .copied()
                    .unwrap_or(BlockKind::Other);
                let Some(delta) = ev.delta else { return Ok(()) };
                match (kind, delta.text, delta.partial_json) {
                    (BlockKind::Text, Some(text), _) | (BlockKind::Json, _, Some(text))
                        if !text.is_empty() =>
                    {
                        out.push(StreamEvent::TextDelta {
                            text: text.into_owned(),
                        })
                    }
                    (BlockKind::Tool(index), _, Some(json)) => {
                        out.push(StreamEvent::ToolCallDelta(ToolCallDelta {
                            index,
                            id: None,
                            name: None,
                            arguments: json.into_owned(),
                        }))
                    }
                    _ => {} // thinking and signature deltas, empty pieces
                }
            }
            "message_delta" => {
                if let Some(word) = ev.delta.and_then(|d| d.stop_reason) {
                    let mut reason = finish_reason(Some(&word));
                    if reason == FinishReason::ToolCalls && self.tools == 0 {
                        reason = FinishReason::Stop; // only the JSON tool was called
                    }
                    out.push(StreamEvent::Finish { reason });
                }
                if let Some(u) = ev.usage {
                    let input = if u.input() > 0 {
                        u.input()
                    } else {
                        self.input_tokens
                    };
                    out.push(StreamEvent::Usage(Usage::new(input, u.output_tokens)));
                }
            }
            "message_stop" => self.stopped = true,
            "error" => {
                let message = ev.error.map(|e| e.message).unwrap_or_default();
                return Err(Error::Unavailable(format!(
                    "provider error mid-stream: {}",
                    truncate(&message, 300)
                )));
            }
            _ => {} // ping, content_block_stop
        }
        Ok(())
    }

    fn block_start(
        &mut self,
        index: usize,
        block: Option<StartBlock<'_>>,
        out: &mut Vec<StreamEvent>,
    ) {
        let Some(block) = block else { return };
        let kind = match block.kind.as_ref() {
            "text" => {
                if let Some(text) = block.text.filter(|t| !t.is_empty()) {
                    out.push(StreamEvent::TextDelta {
                        text: text.into_owned(),
                    });
                }
                BlockKind::Text
            }
            "tool_use" if self.json_tool && block.name.as_deref() == Some(JSON_TOOL) => {
                BlockKind::Json
            }
            "tool_use" => {
                let ordinal = self.tools;
                self.tools += 1;
                out.push(StreamEvent::ToolCallDelta(ToolCallDelta {
                    index: ordinal,
                    id: block.id.map(Cow::into_owned),
                    name: block.name.map(Cow::into_owned),
                    arguments: String::new(),
                }));
                BlockKind::Tool(ordinal)
            }
            _ => BlockKind::Other,
        };
        if self.blocks.len() <= index {
            self.blocks.resize(index + 1, BlockKind::Other);
        }
        self.blocks[index] = kind;
    }

    pub(crate) fn finished(&self) -> bool {
        self.stopped
    }
}
