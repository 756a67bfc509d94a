//! The memory API, shared by chat and the other apps: working memory (a conversation's recent
//! messages), episodic (summaries of what fell out of the context window), semantic (facts,
//! searchable by full text and, with an embedding model, by vector) and procedural (the user's
//! standing instructions). Every call takes the owner; another user's data is "not found".

mod episodes;
mod facts;
mod search;

use cistern_llm::Gateway;
use cistern_store::Db;
use serde::{Deserialize, Serialize};

pub use episodes::{Episode, EpisodePage};
pub use facts::{Fact, FactHit, FactPage, MAX_FACT_BYTES};

use crate::error::{Error, Result};
use crate::model::StoredMessage;
use crate::store::{on_db, read};

/// Longest system prompt accepted, in bytes.
pub const MAX_SYSTEM_PROMPT_BYTES: usize = 32 * 1024;

const GET_INSTRUCTIONS: &str = "SELECT content FROM memory_instructions WHERE owner = $1";
const SET_INSTRUCTIONS: &str = "INSERT INTO memory_instructions (owner, content, updated_at)
     VALUES ($1, $2, $3)
     ON CONFLICT (owner) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at";
const CLEAR_INSTRUCTIONS: &str = "DELETE FROM memory_instructions WHERE owner = $1";

/// Everything an agent remembers about a user, as a whole (for a memory panel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemorySnapshot {
    /// Procedural: the standing instructions.
    pub system_prompt: Option<String>,
    /// Semantic: the newest facts.
    pub facts: Vec<Fact>,
    /// Episodic: the newest summaries.
    pub episodes: Vec<Episode>,
}

/// The memory API. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Memory {
    pub(crate) db: Db,
    gateway: Gateway,
    embedding_model: Option<String>,
}

impl Memory {
    /// Memory on `db`; facts are embedded with `embedding_model` through `gateway` when one is
    /// given (vector search), and searched by full text always.
    pub fn new(db: Db, gateway: Gateway, embedding_model: Option<String>) -> Self {
        Self {
            db,
            gateway,
            embedding_model,
        }
    }

    /// Working memory: the conversation's newest `limit` messages, oldest first.
    pub async fn working(
        &self,
        owner: &str,
        conversation_id: &str,
        limit: i64,
    ) -> Result<Vec<StoredMessage>> {
        Ok(
            read::messages(&self.db, owner, conversation_id, limit, None)
                .await?
                .messages,
        )
    }

    /// Procedural memory: the user's standing instructions, if set.
    pub async fn system_prompt(&self, owner: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = on_db!(&self.db, pool => sqlx::query_as(GET_INSTRUCTIONS)
            .bind(owner).fetch_optional(pool).await)?;
        Ok(row.map(|(s,)| s))
    }

    /// Sets the standing instructions; blank text clears them.
    pub async fn set_system_prompt(&self, owner: &str, text: &str) -> Result<()> {
        let text = text.trim();
        if text.len() > MAX_SYSTEM_PROMPT_BYTES {
            return Err(Error::Invalid(format!(
                "the system prompt is {} bytes; the limit is {MAX_SYSTEM_PROMPT_BYTES}",
                text.len()
            )));
        }
        if text.is_empty() {
            on_db!(&self.db, pool => sqlx::query(CLEAR_INSTRUCTIONS).bind(owner).execute(pool).await.map(|r| r.rows_affected()))?;
        } else {
            let now = cistern_store::sql::now_ms();
            on_db!(&self.db, pool => sqlx::query(SET_INSTRUCTIONS)
                .bind(owner).bind(text).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// The system prompt, newest facts and newest summaries at once.
    pub async fn snapshot(&self, owner: &str, limit: i64) -> Result<MemorySnapshot> {
        Ok(MemorySnapshot {
            system_prompt: self.system_prompt(owner).await?,
            facts: self.list_facts(owner, limit, None).await?.facts,
            episodes: self.episodes(owner, None, limit, None).await?.episodes,
        })
    }
}
