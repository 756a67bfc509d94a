//! The code generator's metadata: generations and the per-user result cache, owner-scoped.
//! Files and ZIPs are in the blob store; see `migrations/*/0008_codegen.sql`.

use super::{Db, Error, Result, TimeCursor, VersionStatus, with_pool};

/// One code generation: pending while its job runs, then ready (with its `result`) or failed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Generation {
    /// Generation id.
    pub id: String,
    /// Owner.
    pub owner: String,
    /// The user's prompt.
    pub prompt: String,
    /// What was asked besides the prompt, JSON.
    pub request: String,
    /// Pending, ready or failed (the same states as an extension version).
    #[sqlx(try_from = "String")]
    pub status: VersionStatus,
    /// The generating job.
    pub job_id: String,
    /// The finished generation, JSON.
    pub result: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

impl Generation {
    /// The position after this row in a newest-first page.
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// Code generations of users, and their result cache.
pub trait CodegenStore {
    /// Stores a new (pending) generation.
    fn insert_generation(&self, g: &Generation) -> impl Future<Output = Result<()>> + Send;
    /// Records the job that fills a generation in.
    fn set_generation_job(&self, id: &str, job_id: &str)
    -> impl Future<Output = Result<()>> + Send;
    /// Records a finished generation: ready with its result, or failed with the reason.
    fn finish_generation(
        &self,
        id: &str,
        status: VersionStatus,
        result: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// One generation of `owner`.
    fn generation(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Generation>>> + Send;
    /// A page of `owner`'s generations, newest first, strictly before `before`.
    fn generations_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Generation>>> + Send;
    /// Deletes a generation of `owner` (and its cache entries); false if there was none.
    fn delete_generation(&self, owner: &str, id: &str)
    -> impl Future<Output = Result<bool>> + Send;
    /// The ready generation cached for `owner` under `key`, unless it expired by `now`.
    fn cached_generation(
        &self,
        owner: &str,
        key: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<Generation>>> + Send;
    /// Caches `generation_id` for `owner` under `key` until `expires_at` (replacing an entry).
    fn cache_generation(
        &self,
        owner: &str,
        key: &str,
        generation_id: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Removes cache entries that expired by `now`; how many.
    fn prune_codegen_cache(&self, now: i64) -> impl Future<Output = Result<u64>> + Send;
}

/// `SELECT <every column> FROM codegen_generations g <rest>`, as a literal (sqlx refuses
/// dynamic SQL strings).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT g.id, g.owner, g.prompt, g.request, g.status, g.job_id, g.result, g.error,
             g.created_at, g.updated_at FROM codegen_generations g ",
            $rest
        )
    };
}
const ONE: &str = select!("WHERE g.owner = $1 AND g.id = $2");
const OF_OWNER: &str = select!(
    "WHERE g.owner = $1 AND (g.created_at, g.id) < ($2, $3)
     ORDER BY g.created_at DESC, g.id DESC LIMIT $4"
);
const CACHED: &str = select!(
    "JOIN codegen_cache c ON c.generation_id = g.id AND c.owner = g.owner
     WHERE c.owner = $1 AND c.key = $2 AND c.expires_at > $3 AND g.status = 'ready'"
);
const INSERT: &str = "INSERT INTO codegen_generations
     (id, owner, prompt, request, status, job_id, result, error, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const SET_JOB: &str = "UPDATE codegen_generations SET job_id = $2 WHERE id = $1";
const FINISH: &str = "UPDATE codegen_generations SET status = $2, result = $3, error = $4,
     updated_at = $5 WHERE id = $1";
const DELETE_CACHE: &str = "DELETE FROM codegen_cache WHERE owner = $1 AND generation_id = $2";
const DELETE: &str = "DELETE FROM codegen_generations WHERE owner = $1 AND id = $2";
const UPSERT_CACHE: &str = "INSERT INTO codegen_cache (owner, key, generation_id, expires_at)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (owner, key) DO UPDATE SET generation_id = $3, expires_at = $4";
const PRUNE_CACHE: &str = "DELETE FROM codegen_cache WHERE expires_at <= $1";

impl CodegenStore for Db {
    async fn insert_generation(&self, g: &Generation) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT)
            .bind(&g.id).bind(&g.owner).bind(&g.prompt).bind(&g.request).bind(g.status.as_str())
            .bind(&g.job_id).bind(&g.result).bind(&g.error).bind(g.created_at).bind(g.updated_at)
            .execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("a generation with this id"))?;
        Ok(())
    }

    async fn set_generation_job(&self, id: &str, job_id: &str) -> Result<()> {
        with_pool!(self, pool => sqlx::query(SET_JOB).bind(id).bind(job_id)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn finish_generation(
        &self,
        id: &str,
        status: VersionStatus,
        result: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(FINISH).bind(id).bind(status.as_str()).bind(result)
            .bind(error).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn generation(&self, owner: &str, id: &str) -> Result<Option<Generation>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(ONE).bind(owner).bind(id)
            .fetch_optional(pool).await)?,
        )
    }

    async fn generations_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Generation>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(
            with_pool!(self, pool => sqlx::query_as(OF_OWNER).bind(owner).bind(at).bind(id)
            .bind(limit).fetch_all(pool).await)?,
        )
    }

    async fn delete_generation(&self, owner: &str, id: &str) -> Result<bool> {
        // The cache rows go first: SQLite enforces the foreign key only with the pragma on.
        with_pool!(self, pool => sqlx::query(DELETE_CACHE).bind(owner).bind(id)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        let deleted = with_pool!(self, pool => sqlx::query(DELETE).bind(owner).bind(id)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(deleted > 0)
    }

    async fn cached_generation(
        &self,
        owner: &str,
        key: &str,
        now: i64,
    ) -> Result<Option<Generation>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(CACHED).bind(owner).bind(key).bind(now)
            .fetch_optional(pool).await)?,
        )
    }

    async fn cache_generation(
        &self,
        owner: &str,
        key: &str,
        generation_id: &str,
        expires_at: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(UPSERT_CACHE).bind(owner).bind(key)
            .bind(generation_id).bind(expires_at).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn prune_codegen_cache(&self, now: i64) -> Result<u64> {
        Ok(with_pool!(self, pool => sqlx::query(PRUNE_CACHE).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()))?)
    }
}
