//! Token counting for providers that report no usage: OpenAI's `o200k_base` BPE through
//! tiktoken-rs, loaded on first use (~3.6 MB of ranks, parsed once). Other vendors' models
//! tokenize differently; the counts are estimates and are marked as such in the record.

use crate::types::{ChatRequest, EmbedRequest, Message, Usage};

/// Per-message framing tokens in chat formats (role markers, separators).
const PER_MESSAGE: u32 = 4;

pub(crate) fn count(text: &str) -> u32 {
    if text.is_empty() {
        return 0;
    }
    let n = tiktoken_rs::o200k_base_singleton()
        .encode_ordinary(text)
        .len();
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn count_message(m: &Message) -> u32 {
    let mut n = PER_MESSAGE + count(&m.text());
    for call in &m.tool_calls {
        n = n
            .saturating_add(count(&call.function.name))
            .saturating_add(count(&call.function.arguments));
    }
    n
}

/// Prompt tokens of a chat request: messages plus tool declarations.
pub(crate) fn count_request(req: &ChatRequest) -> u32 {
    let mut n = 3u32; // reply priming
    for m in &req.messages {
        n = n.saturating_add(count_message(m));
    }
    for t in &req.tools {
        n = n.saturating_add(count(&t.function.name));
        if let Some(d) = &t.function.description {
            n = n.saturating_add(count(d));
        }
        if let Some(p) = &t.function.parameters {
            n = n.saturating_add(count(&p.to_string()));
        }
    }
    n
}

/// Fills in usage the provider did not report (marked `estimated`).
pub(crate) fn estimate_usage(usage: &mut Usage, req: &ChatRequest, output: &Message) {
    if usage.estimated {
        usage.input_tokens = count_request(req);
        usage.output_tokens = count_message(output).saturating_sub(PER_MESSAGE);
    }
}

pub(crate) fn count_embed(req: &EmbedRequest) -> u32 {
    req.input
        .iter()
        .map(|t| count(t))
        .fold(0, u32::saturating_add)
}

/// A cheap upper-leaning estimate without the tokenizer (for quota checks on the request
/// path): one token per 3 bytes of text, which over-counts English (~4 chars a token) and
/// roughly matches CJK (3 bytes a char, ~1 token a char).
pub(crate) fn quick_estimate(req: &ChatRequest) -> u32 {
    let mut bytes = 0usize;
    for m in &req.messages {
        bytes += m.text().len() + 16;
        bytes += m
            .tool_calls
            .iter()
            .map(|c| c.function.name.len() + c.function.arguments.len())
            .sum::<usize>();
    }
    for t in &req.tools {
        bytes += t.function.name.len() + t.function.description.as_ref().map_or(0, String::len);
        bytes += t
            .function
            .parameters
            .as_ref()
            .map_or(0, |p| p.to_string().len());
    }
    u32::try_from(bytes.div_ceil(3)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_openai() {
        // o200k_base: "Hello, world!" is 4 tokens.
        assert_eq!(count("Hello, world!"), 4);
        let req = ChatRequest::new("m", vec![Message::user("Hello, world!")]);
        assert_eq!(count_request(&req), 3 + 4 + 4);
        assert!(quick_estimate(&req) >= count_request(&req) / 2);
        let mut u = Usage {
            estimated: true,
            ..Usage::default()
        };
        estimate_usage(&mut u, &req, &Message::assistant("Hi there"));
        assert_eq!(
            (u.input_tokens, u.output_tokens, u.estimated),
            (11, 2, true)
        );
    }
}
