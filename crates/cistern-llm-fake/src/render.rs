//! What the three protocol renderers share: the resolved reply, error kinds, stream cutting
//! and text splitting.

use serde_json::Value;

use crate::script::{FakeToolCall, Finish, Reply, Usage};

/// A [`Reply`] with usage counts and the stop reason settled, ready to serialise.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub text: String,
    pub tool_calls: Vec<FakeToolCall>,
    pub usage: Option<Usage>,
    pub chunks: Option<usize>,
    pub finish: Finish,
}

impl Resolved {
    /// Fills zero usage counts from word counts (see [`Reply::usage`]).
    pub fn new(reply: &Reply, prompt_words: u32) -> Resolved {
        let usage = reply.usage.map(|u| Usage {
            input_tokens: if u.input_tokens == 0 {
                prompt_words.max(1)
            } else {
                u.input_tokens
            },
            output_tokens: if u.output_tokens == 0 {
                reply_words(reply).max(1)
            } else {
                u.output_tokens
            },
        });
        let finish = reply.finish.unwrap_or(if reply.tool_calls.is_empty() {
            Finish::Stop
        } else {
            Finish::ToolCalls
        });
        Resolved {
            text: reply.text.clone(),
            tool_calls: reply.tool_calls.clone(),
            usage,
            chunks: reply.chunks,
            finish,
        }
    }

    /// The text pieces a stream sends.
    pub fn text_pieces(&self) -> Vec<&str> {
        match self.chunks {
            Some(n) => split_even(&self.text, n.max(1)),
            None => split_words(&self.text),
        }
    }
}

fn reply_words(reply: &Reply) -> u32 {
    let args: u32 = reply.tool_calls.iter().map(|c| words(&c.arguments)).sum();
    words(&reply.text) + args
}

/// Per-request facts every renderer needs.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// The model name the request asked for, echoed back.
    pub model: String,
    /// OpenAI `stream_options.include_usage`.
    pub include_usage: bool,
}

/// Errors the fake can answer with, rendered in each provider's shape.
#[derive(Debug, Clone)]
pub(crate) enum ErrorKind {
    RateLimited(u64),
    Server,
    Overloaded,
    /// Wrong key (`false`) or no key at all (`true`).
    Unauthorized {
        missing: bool,
    },
    BadRequest(String),
    NotFound(String),
    Status(u16, String),
}

/// Usage an embeddings response reports: from the inputs' word counts, none, or scripted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EmbedUsage {
    Computed,
    Omitted,
    Exactly(u32),
}

/// Collects stream frames and applies a cut: after `cut` content frames nothing more is
/// emitted, and terminal frames are never emitted when a cut was asked for.
pub(crate) struct Frames<T> {
    out: Vec<T>,
    left: Option<usize>,
}

impl<T> Frames<T> {
    pub fn new(cut: Option<usize>) -> Self {
        Frames {
            out: Vec::new(),
            left: cut,
        }
    }

    /// Opening frames (role chunk, message_start…): always sent.
    pub fn preamble(&mut self, frame: T) {
        self.out.push(frame);
    }

    /// A structural frame; returns false (and drops it) once the cut is reached.
    pub fn push(&mut self, frame: T) -> bool {
        if self.left == Some(0) {
            return false;
        }
        self.out.push(frame);
        true
    }

    /// A content frame (text or argument delta); returns false once the cut is reached.
    pub fn content(&mut self, frame: T) -> bool {
        match &mut self.left {
            Some(0) => return false,
            Some(n) => *n -= 1,
            None => {}
        }
        self.out.push(frame);
        true
    }

    /// The stream's end marker; dropped whenever a cut was asked for.
    pub fn terminal(&mut self, frame: T) {
        if self.left.is_none() {
            self.out.push(frame);
        }
    }

    /// Whether this stream will be cut (so the last content frame must not carry a finish).
    pub fn cutting(&self) -> bool {
        self.left.is_some()
    }

    pub fn into_vec(self) -> Vec<T> {
        self.out
    }
}

/// Splits into words, each keeping its leading whitespace, so the pieces concatenate back to
/// the original text. Empty text gives no pieces.
pub(crate) fn split_words(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut prev_space = false;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if space && !prev_space && i > start {
            pieces.push(&text[start..i]);
            start = i;
        }
        prev_space = space;
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Splits into exactly `n` pieces whose character counts differ by at most one.
pub(crate) fn split_even(text: &str, n: usize) -> Vec<&str> {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = bounds.len() - 1;
    (0..n)
        .map(|k| &text[bounds[k * chars / n]..bounds[(k + 1) * chars / n]])
        .collect()
}

/// Tool-call arguments are streamed in up to three pieces, so clients must concatenate.
pub(crate) fn split_args(args: &str) -> Vec<&str> {
    let n = args.chars().count().min(3);
    if n == 0 {
        Vec::new()
    } else {
        split_even(args, n)
    }
}

/// Whitespace-separated word count (the fake's "tokenizer").
pub(crate) fn words(text: &str) -> u32 {
    text.split_whitespace().count() as u32
}

/// All human-readable text in a message-ish JSON value: strings, `text` fields, and nested
/// `content`/`parts` (covers OpenAI parts, Anthropic blocks and tool results, Gemini parts).
pub(crate) fn text_of(value: &Value) -> String {
    let mut out = String::new();
    collect_text(value, &mut out);
    out
}

fn collect_text(value: &Value, out: &mut String) {
    let mut add = |s: &str| {
        if !out.is_empty() && !s.is_empty() {
            out.push(' ');
        }
        out.push_str(s);
    };
    match value {
        Value::String(s) => add(s),
        Value::Array(items) => items.iter().for_each(|v| collect_text(v, out)),
        Value::Object(map) => {
            if let Some(Value::String(s)) = map.get("text") {
                add(s);
            }
            for key in ["content", "parts"] {
                if let Some(v) = map.get(key) {
                    collect_text(v, out);
                }
            }
        }
        _ => {}
    }
}

/// A tool call's arguments as a JSON value: the parsed object when the text is one, else the
/// raw text as a JSON string (deliberately off-schema; see [`FakeToolCall::arguments`]).
pub(crate) fn args_value(args: &str) -> Value {
    match serde_json::from_str::<Value>(args) {
        Ok(v @ Value::Object(_)) => v,
        _ => Value::String(args.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_split_round_trips() {
        let t = "  Hello  big world ";
        let p = split_words(t);
        assert_eq!(p, vec!["  Hello", "  big", " world", " "]);
        assert_eq!(p.concat(), t);
        assert!(split_words("").is_empty());
    }

    #[test]
    fn even_split_is_exact() {
        assert_eq!(split_even("abcdefg", 3), vec!["ab", "cd", "efg"]);
        assert_eq!(split_even("héllo", 5).concat(), "héllo");
        assert_eq!(split_even("ab", 4), vec!["", "a", "", "b"]);
        assert_eq!(split_args(r#"{"a":1}"#).len(), 3);
    }

    #[test]
    fn cut_drops_everything_after_n_content_frames_and_all_terminals() {
        let mut f = Frames::new(Some(1));
        f.preamble("start");
        assert!(f.content("a"));
        assert!(!f.push("block_stop"));
        f.terminal("done");
        assert_eq!(f.into_vec(), vec!["start", "a"]);
    }

    #[test]
    fn text_of_reads_all_shapes() {
        let v = serde_json::json!([{"type":"text","text":"a"},{"type":"tool_result","content":[{"text":"b"}]},{"parts":[{"text":"c"}]}]);
        assert_eq!(text_of(&v), "a b c");
    }
}
