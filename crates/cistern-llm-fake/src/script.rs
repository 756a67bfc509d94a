//! The script a test feeds the fake: replies, faults, and what the fake recorded.

/// One scripted answer. Every provider request (chat or embeddings) consumes exactly one step,
/// in FIFO order across all three protocols; model listings never consume one.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Answer normally, in the protocol and mode (streaming or not) the request used.
    Reply(Reply),
    /// Fail in the way the fault describes.
    Fault(Fault),
}

impl From<Reply> for Step {
    fn from(reply: Reply) -> Self {
        Step::Reply(reply)
    }
}

impl From<Fault> for Step {
    fn from(fault: Fault) -> Self {
        Step::Fault(fault)
    }
}

/// A model's answer, served in whichever wire protocol the request used.
///
/// Build one with [`Reply::text`] or [`Reply::tool_call`] and the chained modifiers; the struct
/// also implements [`Default`] so `Reply { text: .., ..Default::default() }` works.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    /// Assistant text (may be empty when the reply is only tool calls).
    pub text: String,
    /// Tool calls, in order, after the text.
    pub tool_calls: Vec<FakeToolCall>,
    /// Token usage reported to the client. `None` ⇒ the response carries no usage at all
    /// (no `usage` object, no include_usage chunk, no `usageMetadata`), so the gateway must
    /// estimate. A count of 0 is filled in at serve time with the word count of the prompt
    /// (input) or the reply (output), at least 1.
    pub usage: Option<Usage>,
    /// Streaming: the number of text chunks (`None` ⇒ one chunk per word). Tool-call
    /// arguments are streamed in up to three pieces each, independently of this.
    pub chunks: Option<usize>,
    /// Why the model stopped. `None` ⇒ the natural reason: tool calls if there are any,
    /// otherwise a normal stop.
    pub finish: Option<Finish>,
}

impl Reply {
    /// A plain text reply; usage is computed from word counts when served.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            usage: Some(Usage::default()),
            ..Reply::default()
        }
    }

    /// A reply with one tool call and no text. `arguments_json` is sent verbatim where the
    /// protocol carries a string (OpenAI, Anthropic streaming) and may be malformed JSON.
    pub fn tool_call(name: impl Into<String>, arguments_json: impl Into<String>) -> Reply {
        Reply::text("").with_tool_call(name, arguments_json)
    }

    /// Adds another tool call (parallel tool calls).
    pub fn with_tool_call(
        mut self,
        name: impl Into<String>,
        arguments_json: impl Into<String>,
    ) -> Reply {
        self.tool_calls.push(FakeToolCall {
            name: name.into(),
            arguments: arguments_json.into(),
        });
        self
    }

    /// Removes usage from the response entirely.
    pub fn without_usage(mut self) -> Reply {
        self.usage = None;
        self
    }

    /// Reports exactly these token counts.
    pub fn usage(mut self, input_tokens: u32, output_tokens: u32) -> Reply {
        self.usage = Some(Usage {
            input_tokens,
            output_tokens,
        });
        self
    }

    /// Streams the text in `n` chunks of nearly equal length (empty chunks if the text is
    /// shorter than `n` characters; `0` is treated as `1`).
    pub fn chunks(mut self, n: usize) -> Reply {
        self.chunks = Some(n);
        self
    }

    /// Overrides the stop reason (e.g. [`Finish::Length`] for a truncated answer, or
    /// [`Finish::Stop`] with tool calls, as OpenAI does for a forced tool choice).
    pub fn finish(mut self, finish: Finish) -> Reply {
        self.finish = Some(finish);
        self
    }
}

/// A tool call the fake model makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeToolCall {
    /// Function/tool name.
    pub name: String,
    /// Raw argument text; may be malformed JSON on purpose. Where a protocol needs a JSON
    /// object (Anthropic non-streaming `input`, Gemini `args`) and the text is not one, the raw
    /// text is sent as a JSON string instead, which does not match the provider's schema.
    pub arguments: String,
}

/// Token counts a reply reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Prompt tokens (0 ⇒ the prompt's word count when served).
    pub input_tokens: u32,
    /// Completion tokens (0 ⇒ the reply's word count when served).
    pub output_tokens: u32,
}

/// Why a reply ended, mapped to each provider's own vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// OpenAI `stop`, Anthropic `end_turn`, Gemini `STOP`.
    Stop,
    /// OpenAI `tool_calls`, Anthropic `tool_use`, Gemini `STOP`.
    ToolCalls,
    /// OpenAI `length`, Anthropic `max_tokens`, Gemini `MAX_TOKENS`.
    Length,
}

/// A failure to inject. Status faults are answered in the provider's error JSON shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with a `Retry-After: secs` header and the provider's rate-limit error body.
    RateLimited {
        /// Value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// 500 with the provider's internal-error body.
    ServerError,
    /// 529 `overloaded_error` for Anthropic, 503 elsewhere.
    Overloaded,
    /// Accept the request and never answer (until the fake shuts down).
    Hang,
    /// 200 whose body is not valid JSON (streaming: one event whose data is truncated JSON,
    /// between otherwise valid events).
    MalformedBody,
    /// A stream that sends `after_chunks` content chunks (text deltas, tool-argument deltas)
    /// after its opening events, then ends the body cleanly without the terminator
    /// (no `finish_reason`/`[DONE]`, no `message_delta`/`message_stop`, no `finishReason`).
    /// A non-streaming request gets the first half of its JSON body.
    CutStream {
        /// Content chunks sent before the cut.
        after_chunks: usize,
    },
    /// Like [`Fault::CutStream`], but the connection is then aborted (the client sees a body
    /// read error instead of a clean end).
    AbortStream {
        /// Content chunks sent before the abort.
        after_chunks: usize,
    },
    /// Like [`Fault::CutStream`], but the stream then stays open and silent until shutdown
    /// (tests idle/first-token timeouts mid-stream).
    StallStream {
        /// Content chunks sent before the stall.
        after_chunks: usize,
    },
    /// A stream that sends `after_chunks` content chunks and then the provider's in-stream
    /// error event (OpenAI `data: {"error":..}`, Anthropic `event: error` overloaded_error,
    /// Gemini a `data:` error object). A non-streaming request gets a 500.
    StreamError {
        /// Content chunks sent before the error event.
        after_chunks: usize,
    },
    /// Any status (e.g. 400, 403, 404) with `message` in the provider's error shape.
    Status {
        /// HTTP status code.
        status: u16,
        /// Error message placed in the provider's error body.
        message: String,
    },
}

/// One request as the fake received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path including the query string, e.g. `/v1beta/models/g:streamGenerateContent?alt=sse`.
    pub path: String,
    /// Headers in arrival order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Parsed JSON body; `Null` when empty, a JSON string holding the raw text when not JSON.
    pub body: serde_json::Value,
}

impl Recorded {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
