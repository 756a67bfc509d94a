//! Episodic memory: summaries of conversation stretches that fell out of the context window.

use serde::{Deserialize, Serialize};

use super::Memory;
use crate::error::Result;
use crate::store::on_db;

const LATEST: &str = "SELECT id, conversation_id, to_seq, summary, tokens, created_at
     FROM memory_episodes WHERE conversation_id = $1 AND owner = $2
     ORDER BY to_seq DESC LIMIT 1";
const LIST: &str = "SELECT id, conversation_id, to_seq, summary, tokens, created_at
     FROM memory_episodes WHERE owner = $1 AND ($2 IS NULL OR conversation_id = $2)
     ORDER BY created_at DESC, id DESC LIMIT $3";

/// A summary of a conversation up to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Episode {
    /// UUIDv7.
    pub id: String,
    /// The conversation summarised.
    pub conversation_id: String,
    /// It covers messages `1..=to_seq` (each summary rolls the previous one in).
    pub to_seq: i64,
    /// The summary.
    pub summary: String,
    /// Its estimated tokens.
    pub tokens: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl Memory {
    /// The conversation's newest summary, if any.
    pub async fn latest_episode(
        &self,
        owner: &str,
        conversation_id: &str,
    ) -> Result<Option<Episode>> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(LATEST)
            .bind(conversation_id).bind(owner).fetch_optional(pool).await)?)
    }

    /// `owner`'s newest summaries, of one conversation or of all.
    pub async fn episodes(
        &self,
        owner: &str,
        conversation_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Episode>> {
        let limit = limit.clamp(1, crate::MAX_PAGE);
        Ok(on_db!(&self.db, pool => sqlx::query_as(LIST)
            .bind(owner).bind(conversation_id).bind(limit).fetch_all(pool).await)?)
    }
}
