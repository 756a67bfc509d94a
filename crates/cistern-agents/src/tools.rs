//! The `remember` and `recall` tools the chat model may call, and running its calls.

use cistern_llm::{Tool, ToolCall};
use serde::Deserialize;
use serde_json::json;

use crate::memory::Memory;
use crate::tokens::truncate_to_tokens;

/// Name of the tool that stores a fact.
pub const REMEMBER: &str = "remember";
/// Name of the tool that searches facts.
pub const RECALL: &str = "recall";
/// Facts a `recall` call returns at most.
const RECALL_LIMIT: usize = 5;

/// The tool declarations offered to the chat model.
pub fn memory_tools() -> Vec<Tool> {
    vec![
        Tool::function(
            REMEMBER,
            "Store a lasting fact about the user (a preference, a name, a decision) so it can be \
             recalled in later conversations. One short, self-contained sentence.",
            json!({
                "type": "object",
                "properties": {"fact": {"type": "string", "description": "The fact to remember."}},
                "required": ["fact"],
            }),
        ),
        Tool::function(
            RECALL,
            "Search the facts remembered about the user.",
            json!({
                "type": "object",
                "properties": {"query": {"type": "string", "description": "What to look for."}},
                "required": ["query"],
            }),
        ),
    ]
}

#[derive(Deserialize)]
struct RememberArgs {
    fact: String,
}

#[derive(Deserialize)]
struct RecallArgs {
    query: String,
}

/// Runs one tool call for `owner` and returns the tool's answer as text (JSON) for the model,
/// at most `max_tokens` long. Failures are answers too — the model sees them and can go on —
/// so this never fails the turn.
pub(crate) async fn run(memory: &Memory, owner: &str, call: &ToolCall, max_tokens: u32) -> String {
    let answer = match call.function.name.as_str() {
        REMEMBER => match serde_json::from_str::<RememberArgs>(&call.function.arguments) {
            Ok(args) => match memory.add_fact(owner, &args.fact, "chat").await {
                Ok(fact) => json!({"stored": true, "id": fact.id}),
                Err(e) => json!({"stored": false, "error": e.to_string()}),
            },
            Err(e) => json!({"error": format!("invalid arguments: {e}")}),
        },
        RECALL => match serde_json::from_str::<RecallArgs>(&call.function.arguments) {
            Ok(args) => match memory.search_facts(owner, &args.query, RECALL_LIMIT).await {
                Ok(hits) => {
                    json!({"facts": hits.into_iter().map(|h| h.fact.content).collect::<Vec<_>>()})
                }
                Err(e) => json!({"error": e.to_string()}),
            },
            Err(e) => json!({"error": format!("invalid arguments: {e}")}),
        },
        other => json!({"error": format!("unknown tool {other:?}")}),
    };
    let text = answer.to_string();
    truncate_to_tokens(&text, max_tokens).to_owned()
}
