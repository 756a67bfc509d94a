//! The Chrome extension builder's metadata: extensions and their versions, owner-scoped.
//! Files and ZIPs are in the blob store; see `migrations/*/0007_extensions.sql`.

use super::{Db, Error, Result, TimeCursor, with_pool};

/// An extension (its versions are [`ExtensionVersion`]s).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Extension {
    /// Extension id.
    pub id: String,
    /// Owner.
    pub owner: String,
    /// Display name (the manifest's name once a version is ready, the prompt's start before).
    pub name: String,
    /// The gateway model that generates its versions.
    pub model: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds of the last change.
    pub updated_at: i64,
}

/// An extension as its owner's list shows it: with where its newest version stands.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedExtension {
    /// The extension.
    #[sqlx(flatten)]
    pub extension: Extension,
    /// The newest version's `seq`, if it has any version.
    pub newest_seq: Option<i64>,
    /// The newest version's status (`pending`, `ready`, `failed`; see [`Self::newest_status`]).
    #[sqlx(rename = "newest_status")]
    pub newest_status_text: Option<String>,
    /// The highest-`seq` ready version's version (`1.2.0`), if any is ready.
    pub ready_version: Option<String>,
}

impl ListedExtension {
    /// The newest version's status, if it has a version (an unknown stored word reads as
    /// `None`).
    pub fn newest_status(&self) -> Option<VersionStatus> {
        self.newest_status_text
            .clone()
            .and_then(|s| VersionStatus::try_from(s).ok())
    }
}

/// Where a version's generation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VersionStatus {
    /// Its job is queued or running.
    #[default]
    Pending,
    /// Generated, validated and packaged: its files and ZIP are in the blob store.
    Ready,
    /// The job gave up; `error` says why.
    Failed,
}

impl VersionStatus {
    /// The stored and API form: `pending`, `ready`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }
}

impl TryFrom<String> for VersionStatus {
    type Error = String;

    fn try_from(value: String) -> std::result::Result<Self, String> {
        match value.as_str() {
            "pending" => Ok(Self::Pending),
            "ready" => Ok(Self::Ready),
            "failed" => Ok(Self::Failed),
            _ => Err(format!("unknown extension version status {value:?}")),
        }
    }
}

/// One generation of an extension: pending while its job runs, then ready or failed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExtensionVersion {
    /// The extension.
    pub extension_id: String,
    /// 1, 2, … in order of creation.
    pub seq: i64,
    /// The extension version (`1.0.0`) once the job decided it.
    pub version: Option<String>,
    /// The version an iteration started from.
    pub base_version: Option<String>,
    /// The user's prompt.
    pub prompt: String,
    /// Pending, ready or failed.
    #[sqlx(try_from = "String")]
    pub status: VersionStatus,
    /// The generating job.
    pub job_id: String,
    /// The blueprint, JSON.
    pub blueprint: Option<String>,
    /// The validation report, JSON.
    pub report: Option<String>,
    /// `[{path, size}]`, JSON.
    pub files: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

/// What a finished job records on its version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionOutcome {
    /// Ready or failed.
    pub status: VersionStatus,
    /// The version, when decided.
    pub version: Option<String>,
    /// Blueprint JSON.
    pub blueprint: Option<String>,
    /// Report JSON.
    pub report: Option<String>,
    /// File list JSON.
    pub files: Option<String>,
    /// Failure reason.
    pub error: Option<String>,
}

/// Extensions of users.
pub trait ExtensionStore {
    /// Stores a new extension.
    fn insert_extension(&self, ext: &Extension) -> impl Future<Output = Result<()>> + Send;
    /// Adds a pending version with the next `seq`, which it returns.
    fn insert_extension_version(
        &self,
        extension_id: &str,
        base_version: Option<&str>,
        prompt: &str,
        job_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// `owner`'s extensions, most recently changed first, at most `limit`, after the one
    /// `before` names (the previous page's last `(updated_at, id)`).
    fn extensions_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<ListedExtension>>> + Send;
    /// `owner`'s extension `id`.
    fn extension(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Extension>>> + Send;
    /// Every version of extension `id`, by `seq`.
    fn extension_versions(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Vec<ExtensionVersion>>> + Send;
    /// Records a job's outcome on version `seq`; [`Error::Conflict`] if the version is taken.
    fn finish_extension_version(
        &self,
        id: &str,
        seq: i64,
        outcome: &VersionOutcome,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records the job generating version `seq` (the row is written before the job is enqueued,
    /// so the job always finds it).
    fn set_extension_version_job(
        &self,
        id: &str,
        seq: i64,
        job_id: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Renames the extension (to its manifest's name).
    fn rename_extension(
        &self,
        id: &str,
        name: &str,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Deletes `owner`'s extension `id` and its versions; `false` if there was none.
    fn delete_extension(&self, owner: &str, id: &str) -> impl Future<Output = Result<bool>> + Send;
}

const INSERT: &str = "INSERT INTO extensions (id, owner, name, model, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5)";
/// Tries of [`ExtensionStore::insert_extension_version`] when concurrent inserts race for a seq.
const SEQ_ATTEMPTS: u32 = 64;
const INSERT_VERSION: &str = "INSERT INTO extension_versions
     (extension_id, seq, base_version, prompt, status, job_id, created_at, updated_at)
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, 'pending', $4, $5, $5
     FROM extension_versions WHERE extension_id = $1
     RETURNING seq";
// The newest version and the newest ready one come from the (extension_id, seq) primary key:
// two index probes per listed extension.
const OF_OWNER: &str = "SELECT e.id, e.owner, e.name, e.model, e.created_at, e.updated_at,
     (SELECT v.seq FROM extension_versions v WHERE v.extension_id = e.id
      ORDER BY v.seq DESC LIMIT 1) AS newest_seq,
     (SELECT v.status FROM extension_versions v WHERE v.extension_id = e.id
      ORDER BY v.seq DESC LIMIT 1) AS newest_status,
     (SELECT v.version FROM extension_versions v WHERE v.extension_id = e.id AND v.status = 'ready'
      ORDER BY v.seq DESC LIMIT 1) AS ready_version
     FROM extensions e
     WHERE e.owner = $1 AND (e.updated_at, e.id) < ($2, $3)
     ORDER BY e.updated_at DESC, e.id DESC LIMIT $4";
const ONE: &str = "SELECT id, owner, name, model, created_at, updated_at FROM extensions
     WHERE owner = $1 AND id = $2";
const VERSIONS: &str = "SELECT extension_id, seq, version, base_version, prompt, status, job_id,
     blueprint, report, files, error, created_at, updated_at
     FROM extension_versions WHERE extension_id = $1 ORDER BY seq";
const FINISH: &str = "UPDATE extension_versions SET status = $3, version = $4, blueprint = $5,
     report = $6, files = $7, error = $8, updated_at = $9 WHERE extension_id = $1 AND seq = $2";
const SET_JOB: &str =
    "UPDATE extension_versions SET job_id = $3 WHERE extension_id = $1 AND seq = $2";
const TOUCH: &str = "UPDATE extensions SET updated_at = $2 WHERE id = $1";
const RENAME: &str = "UPDATE extensions SET name = $2, updated_at = $3 WHERE id = $1";
const DELETE_VERSIONS: &str = "DELETE FROM extension_versions WHERE extension_id IN
     (SELECT id FROM extensions WHERE owner = $1 AND id = $2)";
const DELETE: &str = "DELETE FROM extensions WHERE owner = $1 AND id = $2";

impl Extension {
    /// The cursor that continues a listing after this one (lists are ordered by activity).
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.updated_at,
            id: self.id.clone(),
        }
    }
}

impl ExtensionStore for Db {
    async fn insert_extension(&self, e: &Extension) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT)
            .bind(&e.id).bind(&e.owner).bind(&e.name).bind(&e.model).bind(e.created_at)
            .execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("an extension with this id"))?;
        Ok(())
    }

    async fn insert_extension_version(
        &self,
        extension_id: &str,
        base_version: Option<&str>,
        prompt: &str,
        job_id: &str,
        now: i64,
    ) -> Result<i64> {
        // `MAX(seq) + 1` is read and written in one statement, but two concurrent statements
        // on PostgreSQL (READ COMMITTED) can read the same MAX; the loser hits the primary key
        // and simply takes the next number. SQLite serialises writers, so it never loops.
        let mut attempt = 0;
        let seq: i64 = loop {
            let inserted = with_pool!(self, pool => sqlx::query_scalar(INSERT_VERSION)
                .bind(extension_id).bind(base_version).bind(prompt).bind(job_id).bind(now)
                .fetch_one(pool).await)
            .map_err(Error::conflict_on_unique("a version with this seq"));
            match inserted {
                Err(Error::Conflict(_)) if attempt < SEQ_ATTEMPTS => attempt += 1,
                other => break other?,
            }
        };
        with_pool!(self, pool => sqlx::query(TOUCH).bind(extension_id).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(seq)
    }

    async fn extensions_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<ListedExtension>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(with_pool!(self, pool => sqlx::query_as(OF_OWNER)
            .bind(owner).bind(at).bind(id).bind(limit).fetch_all(pool).await)?)
    }

    async fn extension(&self, owner: &str, id: &str) -> Result<Option<Extension>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(ONE).bind(owner).bind(id).fetch_optional(pool).await)?,
        )
    }

    async fn extension_versions(&self, id: &str) -> Result<Vec<ExtensionVersion>> {
        Ok(with_pool!(self, pool => sqlx::query_as(VERSIONS).bind(id).fetch_all(pool).await)?)
    }

    async fn finish_extension_version(
        &self,
        id: &str,
        seq: i64,
        o: &VersionOutcome,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(FINISH)
            .bind(id).bind(seq).bind(o.status.as_str()).bind(&o.version).bind(&o.blueprint)
            .bind(&o.report).bind(&o.files).bind(&o.error).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("this extension version"))?;
        with_pool!(self, pool => sqlx::query(TOUCH).bind(id).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn set_extension_version_job(&self, id: &str, seq: i64, job_id: &str) -> Result<()> {
        with_pool!(self, pool => sqlx::query(SET_JOB).bind(id).bind(seq).bind(job_id).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn rename_extension(&self, id: &str, name: &str, now: i64) -> Result<()> {
        with_pool!(self, pool => sqlx::query(RENAME).bind(id).bind(name).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn delete_extension(&self, owner: &str, id: &str) -> Result<bool> {
        with_pool!(self, pool => sqlx::query(DELETE_VERSIONS).bind(owner).bind(id).execute(pool).await.map(|d| d.rows_affected()))?;
        let n = with_pool!(self, pool => sqlx::query(DELETE).bind(owner).bind(id).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(n > 0)
    }
}
