//! Token estimates for context budgets.
//!
//! Every message's estimate is stored with it when written, so fitting a context is a sum of
//! stored numbers, never a tokenizer pass over history. The estimate is one token per three
//! bytes, rounded up, plus four for the message framing: BPE tokenizers (OpenAI's `o200k_base`,
//! Llama's) average about four bytes per token on English and code and about three on CJK text
//! (three bytes per character in UTF-8, roughly a token each), so the estimate leans high — a
//! context built to it fits the real window. It costs a length read, which matters at
//! thousands of messages a second.

/// Tokens of chat framing per message (role markers, separators).
pub const PER_MESSAGE: u32 = 4;

/// Estimated tokens of `text` as message content, framing included.
pub fn estimate_tokens(text: &str) -> u32 {
    let n = text.len().div_ceil(3);
    u32::try_from(n)
        .unwrap_or(u32::MAX)
        .saturating_add(PER_MESSAGE)
}

/// Tokens a chat request's prompt is budgeted at: every message (text and tool calls), the
/// tool declarations (`tools_tokens`) and the reply priming.
pub fn request_tokens(messages: &[cistern_llm::Message], tools_tokens: u32) -> u32 {
    messages.iter().map(message_tokens).fold(
        REPLY_PRIMING.saturating_add(tools_tokens),
        u32::saturating_add,
    )
}

/// Tokens of one message: its text plus its tool calls' names and arguments.
pub fn message_tokens(m: &cistern_llm::Message) -> u32 {
    m.tool_calls
        .iter()
        .fold(estimate_tokens(&m.text()), |n, c| {
            n.saturating_add(estimate_tokens(&c.function.name))
                .saturating_add(estimate_tokens(&c.function.arguments))
        })
}

/// Tokens the chat format adds before the reply.
pub const REPLY_PRIMING: u32 = 3;

/// The longest prefix of `text` (on a char boundary) whose estimate is at most `tokens`.
pub fn truncate_to_tokens(text: &str, tokens: u32) -> &str {
    let budget = usize::try_from(tokens.saturating_sub(PER_MESSAGE)).unwrap_or(usize::MAX);
    let max_bytes = budget.saturating_mul(3);
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_lean_high_and_truncation_fits() {
        assert_eq!(estimate_tokens(""), PER_MESSAGE);
        assert_eq!(estimate_tokens("abc"), PER_MESSAGE + 1);
        assert_eq!(estimate_tokens("abcd"), PER_MESSAGE + 2);
        let text = "héllo wörld ".repeat(50);
        let cut = truncate_to_tokens(&text, 20);
        assert!(estimate_tokens(cut) <= 20);
        assert!(text.starts_with(cut));
        assert_eq!(truncate_to_tokens("short", 100), "short");
    }
}
