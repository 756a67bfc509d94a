//! Semantic memory: facts (add, list, delete; search is in `search.rs`).

use cistern_store::TimeCursor;
use serde::{Deserialize, Serialize};

use super::Memory;
use crate::error::{Error, Result};
use crate::store::on_db;

/// Longest fact accepted, in bytes.
pub const MAX_FACT_BYTES: usize = 4096;

const INSERT: &str = "INSERT INTO memory_facts (id, owner, content, source, embedding,
        embedding_model, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const LIST: &str = "SELECT id, owner, content, source, created_at FROM memory_facts
     WHERE owner = $1 AND (created_at, id) < ($2, $3)
     ORDER BY created_at DESC, id DESC LIMIT $4";
const DELETE: &str = "DELETE FROM memory_facts WHERE id = $1 AND owner = $2";

/// A remembered fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Fact {
    /// UUIDv7.
    pub id: String,
    /// Whose it is.
    pub owner: String,
    /// The fact, in words.
    pub content: String,
    /// Who stored it: `api`, `chat` (the model's `remember` tool), or an app's name.
    pub source: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactHit {
    /// The fact.
    pub fact: Fact,
    /// Relevance, higher is better; comparable only within one search.
    pub score: f64,
}

/// A page of facts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactPage {
    /// The facts.
    pub facts: Vec<Fact>,
    /// Pass as `before` for the next page; `None` when this is the last.
    pub next: Option<String>,
}

impl Memory {
    /// Stores a fact for `owner` (embedded first when an embedding model is configured; if
    /// embedding fails the fact is stored anyway, findable by full text).
    pub async fn add_fact(&self, owner: &str, content: &str, source: &str) -> Result<Fact> {
        let content = content.trim();
        if content.is_empty() {
            return Err(Error::Invalid("a fact must not be empty".into()));
        }
        if content.len() > MAX_FACT_BYTES {
            return Err(Error::Invalid(format!(
                "a fact is at most {MAX_FACT_BYTES} bytes; this one is {}",
                content.len()
            )));
        }
        let embedding = match self.embed(owner, content).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "could not embed a fact; storing it for full-text search only");
                None
            }
        };
        let fact = Fact {
            id: uuid::Uuid::now_v7().to_string(),
            owner: owner.to_owned(),
            content: content.to_owned(),
            source: source.to_owned(),
            created_at: cistern_store::sql::now_ms(),
        };
        let blob = embedding.as_deref().map(to_bytes);
        let model = embedding.as_ref().and(self.embedding_model());
        on_db!(&self.db, pool => sqlx::query(INSERT)
            .bind(&fact.id).bind(owner).bind(&fact.content).bind(&fact.source).bind(&blob)
            .bind(model).bind(fact.created_at)
            .execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(fact)
    }

    /// `owner`'s facts, newest first.
    pub async fn list_facts(
        &self,
        owner: &str,
        limit: i64,
        before: Option<&str>,
    ) -> Result<FactPage> {
        let before = before
            .map(str::parse::<TimeCursor>)
            .transpose()
            .map_err(|e| Error::Invalid(format!("fact: {e}")))?;
        let (at, id) = TimeCursor::bounds(before.as_ref());
        let limit = limit.clamp(1, crate::MAX_PAGE);
        let facts: Vec<Fact> = on_db!(&self.db, pool => sqlx::query_as(LIST)
            .bind(owner).bind(at).bind(id).bind(limit).fetch_all(pool).await)?;
        let next = (facts.len() as i64 == limit)
            .then(|| {
                facts.last().map(|f| {
                    TimeCursor {
                        at: f.created_at,
                        id: f.id.clone(),
                    }
                    .to_string()
                })
            })
            .flatten();
        Ok(FactPage { facts, next })
    }

    /// Deletes one of `owner`'s facts.
    pub async fn delete_fact(&self, owner: &str, id: &str) -> Result<()> {
        let n = on_db!(&self.db, pool => sqlx::query(DELETE).bind(id).bind(owner)
            .execute(pool).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(Error::NotFound("fact"));
        }
        Ok(())
    }

    pub(super) fn embedding_model(&self) -> Option<&str> {
        self.embedding_model.as_deref()
    }

    /// The embedding of `text`, when an embedding model is configured.
    pub(super) async fn embed(&self, owner: &str, text: &str) -> Result<Option<Vec<f32>>> {
        let Some(model) = self.embedding_model() else {
            return Ok(None);
        };
        let req = cistern_llm::EmbedRequest {
            model: model.to_owned(),
            input: vec![text.to_owned()],
            ..Default::default()
        };
        let ctx = cistern_llm::CallContext {
            user_id: Some(owner.to_owned()),
            app: Some("memory".to_owned()),
            ..Default::default()
        };
        let mut resp = self.gateway.embed(req, ctx).await?;
        Ok(resp.embeddings.pop())
    }
}

/// Little-endian f32s.
pub(super) fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The inverse of [`to_bytes`]; trailing bytes of a malformed blob are ignored.
pub(super) fn from_bytes(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
