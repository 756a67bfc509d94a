//! Settings of the agents runtime.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// SQLite durability of the turn writer's commits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// `synchronous = FULL`: every group commit fsyncs the WAL, so a returned reply survives a
    /// power loss. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: a returned reply survives a process crash, but a power loss can
    /// lose the last ones.
    Normal,
}

/// Settings of [`crate::Agents`]. `Default` is a sensible production setup.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentsConfig {
    /// Model used when neither the request nor the conversation names one.
    pub default_model: String,
    /// Context window (tokens) of models the gateway states none for. Default 8,192.
    pub default_context_window: u32,
    /// Tokens kept free in the window for the reply. Default 1,024 (at most a quarter of the
    /// window).
    pub reserve_output_tokens: u32,
    /// Model that writes episodic summaries; default: the conversation's model.
    pub summary_model: Option<String>,
    /// Facts recalled into the context of each turn (full-text/vector match on the user's
    /// message). Default 5; 0 turns it off.
    pub facts_in_context: usize,
    /// Offer the `remember`/`recall` tools to the model. Default true.
    pub memory_tools: bool,
    /// Model calls a turn may make for tool rounds before it must answer. Default 4.
    pub max_tool_rounds: u32,
    /// Embedding model for vector search over facts; `None`: full-text search only.
    pub embedding_model: Option<String>,
    /// An agent's in-memory state is dropped after this long unused. Default 5 minutes.
    #[serde(with = "millis")]
    pub idle_timeout: Duration,
    /// How long a turn's lease holds a conversation; renewed every third of it while the turn
    /// runs, so only a crashed instance's lease ever expires. Default 60 s.
    #[serde(with = "millis")]
    pub turn_lease: Duration,
    /// How long a turn waits for a conversation another instance is using. Default 120 s.
    #[serde(with = "millis")]
    pub busy_wait: Duration,
    /// SQLite durability of turns. Ignored on PostgreSQL (its own `fsync`/`synchronous_commit`
    /// settings govern).
    pub durability: Durability,
    /// Most writes one SQLite group commit carries. Default 512.
    pub max_batch: usize,
}

impl Default for AgentsConfig {
    fn default() -> Self {
        Self {
            default_model: "default".to_owned(),
            default_context_window: 8192,
            reserve_output_tokens: 1024,
            summary_model: None,
            facts_in_context: 5,
            memory_tools: true,
            max_tool_rounds: 4,
            embedding_model: None,
            idle_timeout: Duration::from_secs(300),
            turn_lease: Duration::from_secs(60),
            busy_wait: Duration::from_secs(120),
            durability: Durability::Full,
            max_batch: 512,
        }
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
