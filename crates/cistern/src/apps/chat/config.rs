//! `[chat]`: the chat agents (`crates/cistern-agents`), mapped onto [`AgentsConfig`].

use std::time::Duration;

use cistern_agents::{AgentsConfig, Durability};
use serde::{Deserialize, Serialize};

/// `[chat]`: models, context budget, memory and durability of the chat agents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChatConfig {
    /// Model used when neither the request nor the conversation names one.
    pub default_model: String,
    /// Context window (tokens) assumed for models whose `[llm]` entry states none.
    pub default_context_window: u32,
    /// Tokens kept free in the window for the reply.
    pub reserve_output_tokens: u32,
    /// Model that writes episodic summaries; empty: the conversation's model.
    pub summary_model: String,
    /// Facts recalled into each turn's context; 0 turns it off.
    pub facts_in_context: usize,
    /// Offer the `remember`/`recall` tools to the model.
    pub memory_tools: bool,
    /// Tool rounds a turn may make before it must answer.
    pub max_tool_rounds: u32,
    /// Embedding model for vector search over facts; empty: full-text search only.
    pub embedding_model: String,
    /// An agent's in-memory state is dropped after this long unused.
    pub idle_timeout_secs: u64,
    /// How long a turn waits for a conversation another instance is using.
    pub busy_wait_secs: u64,
    /// SQLite durability of turns: `full` (survives power loss) or `normal` (survives a crash).
    pub sqlite_durability: Durability,
}

impl Default for ChatConfig {
    fn default() -> Self {
        let d = AgentsConfig::default();
        Self {
            default_model: d.default_model,
            default_context_window: d.default_context_window,
            reserve_output_tokens: d.reserve_output_tokens,
            summary_model: String::new(),
            facts_in_context: d.facts_in_context,
            memory_tools: d.memory_tools,
            max_tool_rounds: d.max_tool_rounds,
            embedding_model: String::new(),
            idle_timeout_secs: d.idle_timeout.as_secs(),
            busy_wait_secs: d.busy_wait.as_secs(),
            sqlite_durability: d.durability,
        }
    }
}

impl ChatConfig {
    /// The runtime settings these options stand for.
    pub fn agents(&self) -> AgentsConfig {
        let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        AgentsConfig {
            default_model: self.default_model.clone(),
            default_context_window: self.default_context_window,
            reserve_output_tokens: self.reserve_output_tokens,
            summary_model: non_empty(&self.summary_model),
            facts_in_context: self.facts_in_context,
            memory_tools: self.memory_tools,
            max_tool_rounds: self.max_tool_rounds,
            embedding_model: non_empty(&self.embedding_model),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs.max(1)),
            busy_wait: Duration::from_secs(self.busy_wait_secs.max(1)),
            durability: self.sqlite_durability,
            ..AgentsConfig::default()
        }
    }
}
