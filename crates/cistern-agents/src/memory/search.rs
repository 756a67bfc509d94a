//! Fact search: full text (SQLite FTS5 with the Porter stemmer, PostgreSQL `tsvector` with the
//! English configuration) and, when an embedding model is configured, cosine similarity over the
//! owner's fact vectors in Rust; the two rankings are fused by reciprocal rank.
//!
//! The user's query never reaches a query language: it is cut into alphanumeric words (common
//! English words dropped) and rebuilt as an OR of quoted terms, so any input is a valid query.

use std::collections::HashMap;

use cistern_store::Db;

use super::Memory;
use super::facts::{Fact, FactHit, from_bytes};
use crate::error::Result;

const FTS_SQLITE: &str = "SELECT f.id, f.owner, f.content, f.source, f.created_at,
        -bm25(memory_facts_fts) AS score
     FROM memory_facts_fts JOIN memory_facts f ON f.rowid = memory_facts_fts.rowid
     WHERE memory_facts_fts MATCH $1 AND f.owner = $2
     ORDER BY bm25(memory_facts_fts) LIMIT $3";
const FTS_POSTGRES: &str = "SELECT id, owner, content, source, created_at,
        ts_rank(search, q)::float8 AS score
     FROM memory_facts, to_tsquery('english', $1) AS q
     WHERE owner = $2 AND search @@ q
     ORDER BY score DESC, created_at DESC LIMIT $3";
const VECTORS: &str = "SELECT id, owner, content, source, created_at, embedding FROM memory_facts
     WHERE owner = $1 AND embedding IS NOT NULL AND embedding_model = $2
     ORDER BY created_at DESC LIMIT $3";

/// Most facts a vector search compares (the owner's newest).
const MAX_VECTOR_SCAN: i64 = 20_000;
/// Most words of a query used.
const MAX_TERMS: usize = 32;
/// Reciprocal-rank-fusion constant (the usual 60).
const RRF_K: f64 = 60.0;

const STOPWORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
    "has", "have", "how", "i", "in", "is", "it", "me", "my", "of", "on", "or", "so", "that", "the",
    "this", "to", "was", "what", "when", "where", "which", "who", "why", "with", "you", "your",
];

/// The query's search words: alphanumeric runs, lower-cased, stopwords dropped, deduplicated.
pub(crate) fn terms(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()) {
        let w = word.to_lowercase();
        if w.is_empty() || STOPWORDS.contains(&w.as_str()) || out.contains(&w) {
            continue;
        }
        out.push(w);
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

impl Memory {
    /// `owner`'s facts most relevant to `query`, best first (at most `limit`).
    pub async fn search_facts(
        &self,
        owner: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<FactHit>> {
        let limit = limit.clamp(1, 100);
        let text = self.full_text(owner, query, limit).await?;
        let vector = match self.embedding_model() {
            None => return Ok(text),
            Some(_) => match self.nearest(owner, query, limit).await {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(error = %e, "vector search failed; using full text alone");
                    return Ok(text);
                }
            },
        };
        Ok(fuse(&[text, vector], limit))
    }

    async fn full_text(&self, owner: &str, query: &str, limit: usize) -> Result<Vec<FactHit>> {
        let terms = terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(100);
        let rows: Vec<(String, String, String, String, i64, f64)> = match &self.db {
            Db::Sqlite(pool) => {
                let q = terms
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                sqlx::query_as(FTS_SQLITE)
                    .bind(q)
                    .bind(owner)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
            Db::Postgres(pool) => {
                let q = terms.join(" | ");
                sqlx::query_as(FTS_POSTGRES)
                    .bind(q)
                    .bind(owner)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, owner, content, source, created_at, score)| FactHit {
                fact: Fact {
                    id,
                    owner,
                    content,
                    source,
                    created_at,
                },
                score,
            })
            .collect())
    }

    async fn nearest(&self, owner: &str, query: &str, limit: usize) -> Result<Vec<FactHit>> {
        let Some(q) = self.embed(owner, query).await? else {
            return Ok(Vec::new());
        };
        let model = self.embedding_model().unwrap_or_default();
        let rows: Vec<(String, String, String, String, i64, Vec<u8>)> = crate::store::on_db!(&self.db, pool => sqlx::query_as(VECTORS)
                .bind(owner).bind(model).bind(MAX_VECTOR_SCAN).fetch_all(pool).await)?;
        let mut hits: Vec<FactHit> = rows
            .into_iter()
            .filter_map(|(id, owner, content, source, created_at, blob)| {
                let score = cosine(&q, &from_bytes(&blob))?;
                Some(FactHit {
                    fact: Fact {
                        id,
                        owner,
                        content,
                        source,
                        created_at,
                    },
                    score,
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit);
        Ok(hits)
    }
}

/// Cosine similarity; `None` for mismatched lengths or a zero vector.
pub(crate) fn cosine(a: &[f32], b: &[f32]) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    (na > 0.0 && nb > 0.0).then(|| dot / (na.sqrt() * nb.sqrt()))
}

/// Reciprocal rank fusion of several best-first lists.
fn fuse(lists: &[Vec<FactHit>], limit: usize) -> Vec<FactHit> {
    let mut scores: HashMap<&str, (f64, &Fact)> = HashMap::new();
    for list in lists {
        for (rank, hit) in list.iter().enumerate() {
            let entry = scores.entry(&hit.fact.id).or_insert((0.0, &hit.fact));
            entry.0 += 1.0 / (RRF_K + rank as f64 + 1.0);
        }
    }
    let mut out: Vec<FactHit> = scores
        .into_values()
        .map(|(score, fact)| FactHit {
            fact: fact.clone(),
            score,
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.fact.created_at.cmp(&a.fact.created_at))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_safe_words() {
        assert_eq!(
            terms(r#"What is "my" cat's NAME? OR) NEAR(x*"#),
            ["cat", "s", "name", "near", "x"]
        );
        assert!(terms("the of !!").is_empty());
    }

    #[test]
    fn cosine_of_parallel_and_orthogonal() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]).unwrap() - 1.0).abs() < 1e-9);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).unwrap().abs() < 1e-9);
        assert_eq!(cosine(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 2.0]), None);
    }
}
