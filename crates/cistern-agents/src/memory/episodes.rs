//! Episodic memory: summaries of conversation stretches that fell out of the context window.

use cistern_store::TimeCursor;
use serde::{Deserialize, Serialize};

use super::Memory;
use crate::error::{Error, Result};
use crate::store::on_db;

const LATEST: &str = "SELECT id, conversation_id, to_seq, summary, tokens, created_at
     FROM memory_episodes WHERE conversation_id = $1 AND owner = $2
     ORDER BY to_seq DESC LIMIT 1";
const LIST: &str = "SELECT id, conversation_id, to_seq, summary, tokens, created_at
     FROM memory_episodes WHERE owner = $1 AND ($2 IS NULL OR conversation_id = $2)
       AND (created_at, id) < ($3, $4)
     ORDER BY created_at DESC, id DESC LIMIT $5";

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

/// A page of summaries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodePage {
    /// The summaries.
    pub episodes: Vec<Episode>,
    /// Pass as `before` for the next page; `None` when this is the last.
    pub next: Option<String>,
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

    /// `owner`'s newest summaries, of one conversation or of all, a page at a time (`before`:
    /// the previous page's `next`).
    pub async fn episodes(
        &self,
        owner: &str,
        conversation_id: Option<&str>,
        limit: i64,
        before: Option<&str>,
    ) -> Result<EpisodePage> {
        let before = before
            .map(str::parse::<TimeCursor>)
            .transpose()
            .map_err(|e| Error::Invalid(format!("episode: {e}")))?;
        let (at, id) = TimeCursor::bounds(before.as_ref());
        let limit = limit.clamp(1, crate::MAX_PAGE);
        let episodes: Vec<Episode> = on_db!(&self.db, pool => sqlx::query_as(LIST)
            .bind(owner).bind(conversation_id).bind(at).bind(id).bind(limit)
            .fetch_all(pool).await)?;
        let next = (episodes.len() as i64 == limit)
            .then(|| {
                episodes.last().map(|e| {
                    TimeCursor {
                        at: e.created_at,
                        id: e.id.clone(),
                    }
                    .to_string()
                })
            })
            .flatten();
        Ok(EpisodePage { episodes, next })
    }
}
