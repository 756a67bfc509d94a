//! The coding agent's metadata: workspaces, their working tree and snapshots (file rows naming
//! content-addressed blobs), and tasks. Owner checks are on the workspace and the task; a
//! workspace's rows are reached only through a workspace the caller already owns. See
//! `migrations/*/0010_agent.sql`.

use super::{Db, Error, Result, TimeCursor, with_pool};

/// A workspace, with the size of its working tree.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Workspace {
    /// Workspace id.
    pub id: String,
    /// Owner.
    pub owner: String,
    /// Shown name.
    pub name: String,
    /// Files in the working tree (0 on insert).
    pub files: i64,
    /// Their bytes (0 on insert).
    pub bytes: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds: the last change of the name or the tree.
    pub updated_at: i64,
}

impl Workspace {
    /// The position after this row in a newest-first page.
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// A file of a working tree or a snapshot: its path and the blob holding its content.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FileRow {
    /// Relative path (`src/app.py`).
    pub path: String,
    /// Hex SHA-256 of the content (the blob's name).
    pub hash: String,
    /// Bytes.
    pub size: i64,
}

/// One change to a working tree, made only if the file is still as expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeWrite {
    /// The file.
    pub path: String,
    /// What the file must be for the write to happen.
    pub expect: Expect,
    /// Its new hash and size; `None` deletes it.
    pub new: Option<(String, i64)>,
}

/// The state a [`TreeWrite`] expects its file in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Whatever it is (a plain save).
    Any,
    /// Not in the tree.
    Absent,
    /// In the tree with this hash.
    Hash(String),
}

/// An immutable copy of a working tree.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Snapshot {
    /// Snapshot id (UUIDv7: ordered by time).
    pub id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// Why it was taken.
    pub message: String,
    /// Files in it.
    pub files: i64,
    /// Their bytes.
    pub bytes: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl Snapshot {
    /// The position after this row in a newest-first page.
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// One task of the coding agent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Task {
    /// Task id.
    pub id: String,
    /// Owner.
    pub owner: String,
    /// The workspace it reads and proposes changes to.
    pub workspace_id: String,
    /// `patch`, `explain`, `generate_test` or `lint_fix`.
    pub mode: String,
    /// The user's prompt.
    pub prompt: String,
    /// The rest of the request (files, cursor, selection, model), JSON.
    pub request: String,
    /// `queued`, `processing`, `done` or `failed`.
    pub status: String,
    /// The job that runs it.
    pub job_id: String,
    /// What the agent read (snapshot, file hashes), JSON.
    pub base: Option<String>,
    /// The proposal, JSON.
    pub result: Option<String>,
    /// Tokens, provider, duration, rounds, JSON.
    pub metrics: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The user's decisions, JSON.
    pub review: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

impl Task {
    /// The position after this row in a newest-first page.
    pub fn cursor(&self) -> TimeCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// Workspaces, their trees and snapshots, and the agent's tasks.
pub trait AgentStore {
    /// Stores a new, empty workspace.
    fn insert_workspace(&self, w: &Workspace) -> impl Future<Output = Result<()>> + Send;
    /// One workspace of `owner`.
    fn workspace(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Workspace>>> + Send;
    /// A page of `owner`'s workspaces, newest first, strictly before `before`.
    fn workspaces_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Workspace>>> + Send;
    /// Renames a workspace of `owner`; false if there is none.
    fn rename_workspace(
        &self,
        owner: &str,
        id: &str,
        name: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes a workspace of `owner` with its tree, snapshots and tasks; false if there was
    /// none. Its blobs are the caller's to delete.
    fn delete_workspace(&self, owner: &str, id: &str) -> impl Future<Output = Result<bool>> + Send;
    /// The working tree, by path.
    fn tree(&self, workspace_id: &str) -> impl Future<Output = Result<Vec<FileRow>>> + Send;
    /// Applies `writes` to the working tree in one transaction, all or nothing: if a file is
    /// not as its write expects, nothing changes and that file's path is returned.
    fn write_tree(
        &self,
        workspace_id: &str,
        writes: &[TreeWrite],
        now: i64,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Copies the working tree into a new snapshot `id`.
    fn take_snapshot(
        &self,
        workspace_id: &str,
        id: &str,
        message: &str,
        now: i64,
    ) -> impl Future<Output = Result<Snapshot>> + Send;
    /// Makes the working tree equal to snapshot `from` and records that as snapshot `id`, in
    /// one transaction.
    fn restore_snapshot(
        &self,
        workspace_id: &str,
        from: &str,
        id: &str,
        message: &str,
        now: i64,
    ) -> impl Future<Output = Result<Snapshot>> + Send;
    /// One snapshot of a workspace.
    fn snapshot(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Snapshot>>> + Send;
    /// A page of a workspace's snapshots, newest first, strictly before `before`.
    fn snapshots_of(
        &self,
        workspace_id: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Snapshot>>> + Send;
    /// A snapshot's files, by path.
    fn snapshot_files(
        &self,
        snapshot_id: &str,
    ) -> impl Future<Output = Result<Vec<FileRow>>> + Send;
    /// Stores a new task.
    fn insert_task(&self, t: &Task) -> impl Future<Output = Result<()>> + Send;
    /// Records the job that runs a task.
    fn set_task_job(&self, id: &str, job_id: &str) -> impl Future<Output = Result<()>> + Send;
    /// One task of `owner`.
    fn task(&self, owner: &str, id: &str) -> impl Future<Output = Result<Option<Task>>> + Send;
    /// A page of `owner`'s tasks (in one workspace, or all), newest first.
    fn tasks_of(
        &self,
        owner: &str,
        workspace_id: Option<&str>,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Task>>> + Send;
    /// `owner`'s tasks still queued or processing.
    fn active_tasks(&self, owner: &str) -> impl Future<Output = Result<i64>> + Send;
    /// Marks a task processing with the base it read.
    fn start_task(&self, id: &str, base: &str, now: i64)
    -> impl Future<Output = Result<()>> + Send;
    /// Records a task's end: `done` with its result, or `failed` with the reason.
    fn finish_task(
        &self,
        id: &str,
        status: &str,
        result: Option<&str>,
        metrics: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Replaces a task's review if it is still `expected` (compare and swap: two reviews
    /// racing cannot both win); false when it changed meanwhile.
    fn set_task_review(
        &self,
        id: &str,
        expected: Option<&str>,
        review: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
}

macro_rules! select_workspace {
    ($rest:literal) => {
        concat!(
            "SELECT w.id, w.owner, w.name,
                (SELECT COUNT(*) FROM agent_files f WHERE f.workspace_id = w.id) AS files,
                (SELECT CAST(COALESCE(SUM(f.size), 0) AS BIGINT) FROM agent_files f
                 WHERE f.workspace_id = w.id) AS bytes,
                w.created_at, w.updated_at
             FROM agent_workspaces w ",
            $rest
        )
    };
}
macro_rules! select_task {
    ($rest:literal) => {
        concat!(
            "SELECT id, owner, workspace_id, mode, prompt, request, status, job_id, base, result,
                metrics, error, review, created_at, updated_at FROM agent_tasks ",
            $rest
        )
    };
}
const SNAPSHOT_COLUMNS_ONE: &str = "SELECT id, workspace_id, message, files, bytes, created_at
     FROM agent_snapshots WHERE workspace_id = $1 AND id = $2";
const SNAPSHOTS_OF: &str = "SELECT id, workspace_id, message, files, bytes, created_at
     FROM agent_snapshots WHERE workspace_id = $1 AND (created_at, id) < ($2, $3)
     ORDER BY created_at DESC, id DESC LIMIT $4";
const INSERT_WORKSPACE: &str = "INSERT INTO agent_workspaces (id, owner, name, created_at,
     updated_at) VALUES ($1, $2, $3, $4, $5)";
const ONE_WORKSPACE: &str = select_workspace!("WHERE w.owner = $1 AND w.id = $2");
const WORKSPACES_OF: &str = select_workspace!(
    "WHERE w.owner = $1 AND (w.created_at, w.id) < ($2, $3)
     ORDER BY w.created_at DESC, w.id DESC LIMIT $4"
);
const RENAME: &str =
    "UPDATE agent_workspaces SET name = $3, updated_at = $4 WHERE owner = $1 AND id = $2";
const TOUCH: &str = "UPDATE agent_workspaces SET updated_at = $2 WHERE id = $1";
const DELETE_TASKS: &str = "DELETE FROM agent_tasks WHERE workspace_id = $1";
const DELETE_SNAPSHOT_FILES: &str = "DELETE FROM agent_snapshot_files WHERE snapshot_id IN
     (SELECT id FROM agent_snapshots WHERE workspace_id = $1)";
const DELETE_SNAPSHOTS: &str = "DELETE FROM agent_snapshots WHERE workspace_id = $1";
const DELETE_FILES: &str = "DELETE FROM agent_files WHERE workspace_id = $1";
const DELETE_WORKSPACE: &str = "DELETE FROM agent_workspaces WHERE owner = $1 AND id = $2";
const OWNS: &str = "SELECT id FROM agent_workspaces WHERE owner = $1 AND id = $2";
const TREE: &str = "SELECT path, hash, size FROM agent_files WHERE workspace_id = $1 ORDER BY path";
const FILE_HASH: &str = "SELECT hash FROM agent_files WHERE workspace_id = $1 AND path = $2";
const UPSERT_FILE: &str = "INSERT INTO agent_files (workspace_id, path, hash, size)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, path) DO UPDATE SET hash = $3, size = $4";
const DELETE_FILE: &str = "DELETE FROM agent_files WHERE workspace_id = $1 AND path = $2";
const INSERT_SNAPSHOT: &str = "INSERT INTO agent_snapshots (id, workspace_id, message, files,
     bytes, created_at) VALUES ($1, $2, $3, 0, 0, $4)";
const COPY_TREE: &str = "INSERT INTO agent_snapshot_files (snapshot_id, path, hash, size)
     SELECT $1, path, hash, size FROM agent_files WHERE workspace_id = $2";
const COUNT_SNAPSHOT: &str = "UPDATE agent_snapshots SET
     files = (SELECT COUNT(*) FROM agent_snapshot_files WHERE snapshot_id = $1),
     bytes = (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM agent_snapshot_files
              WHERE snapshot_id = $1)
     WHERE id = $1";
const RESTORE_TREE: &str = "INSERT INTO agent_files (workspace_id, path, hash, size)
     SELECT $1, path, hash, size FROM agent_snapshot_files WHERE snapshot_id = $2";
const SNAPSHOT_FILES: &str =
    "SELECT path, hash, size FROM agent_snapshot_files WHERE snapshot_id = $1 ORDER BY path";
const INSERT_TASK: &str = "INSERT INTO agent_tasks (id, owner, workspace_id, mode, prompt,
     request, status, job_id, base, result, metrics, error, review, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
const SET_TASK_JOB: &str = "UPDATE agent_tasks SET job_id = $2 WHERE id = $1";
const ONE_TASK: &str = select_task!("WHERE owner = $1 AND id = $2");
const TASKS_OF: &str = select_task!(
    "WHERE owner = $1 AND (created_at, id) < ($2, $3)
     ORDER BY created_at DESC, id DESC LIMIT $4"
);
const TASKS_OF_WORKSPACE: &str = select_task!(
    "WHERE owner = $1 AND workspace_id = $5 AND (created_at, id) < ($2, $3)
     ORDER BY created_at DESC, id DESC LIMIT $4"
);
const ACTIVE_TASKS: &str = "SELECT COUNT(*) FROM agent_tasks
     WHERE owner = $1 AND status IN ('queued', 'processing')";
const START_TASK: &str =
    "UPDATE agent_tasks SET status = 'processing', base = $2, updated_at = $3 WHERE id = $1";
const FINISH_TASK: &str = "UPDATE agent_tasks SET status = $2, result = $3, metrics = $4,
     error = $5, updated_at = $6 WHERE id = $1";
const REVIEW_FIRST: &str = "UPDATE agent_tasks SET review = $2, updated_at = $3
     WHERE id = $1 AND review IS NULL";
const REVIEW_AGAIN: &str = "UPDATE agent_tasks SET review = $2, updated_at = $3
     WHERE id = $1 AND review = $4";

impl AgentStore for Db {
    async fn insert_workspace(&self, w: &Workspace) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT_WORKSPACE)
            .bind(&w.id).bind(&w.owner).bind(&w.name).bind(w.created_at).bind(w.updated_at)
            .execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("a workspace with this id"))?;
        Ok(())
    }

    async fn workspace(&self, owner: &str, id: &str) -> Result<Option<Workspace>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(ONE_WORKSPACE).bind(owner).bind(id)
            .fetch_optional(pool).await)?,
        )
    }

    async fn workspaces_of(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Workspace>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(
            with_pool!(self, pool => sqlx::query_as(WORKSPACES_OF).bind(owner).bind(at).bind(id)
            .bind(limit).fetch_all(pool).await)?,
        )
    }

    async fn rename_workspace(&self, owner: &str, id: &str, name: &str, now: i64) -> Result<bool> {
        let changed = with_pool!(self, pool => sqlx::query(RENAME).bind(owner).bind(id)
            .bind(name).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(changed > 0)
    }

    async fn delete_workspace(&self, owner: &str, id: &str) -> Result<bool> {
        // Children first, explicitly: the foreign keys cascade, but a store opened without
        // them must not keep orphans either.
        let deleted = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let owned: Option<(String,)> = sqlx::query_as(OWNS).bind(owner).bind(id)
                .fetch_optional(&mut *tx).await?;
            if owned.is_some() {
                for statement in [DELETE_TASKS, DELETE_SNAPSHOT_FILES, DELETE_SNAPSHOTS, DELETE_FILES] {
                    sqlx::query(statement).bind(id).execute(&mut *tx).await?;
                }
                sqlx::query(DELETE_WORKSPACE).bind(owner).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            owned.is_some()
        });
        Ok(deleted)
    }

    async fn tree(&self, workspace_id: &str) -> Result<Vec<FileRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(TREE).bind(workspace_id)
            .fetch_all(pool).await)?,
        )
    }

    async fn write_tree(
        &self,
        workspace_id: &str,
        writes: &[TreeWrite],
        now: i64,
    ) -> Result<Option<String>> {
        let stale = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut stale = None;
            for w in writes {
                if w.expect != Expect::Any {
                    let current: Option<(String,)> = sqlx::query_as(FILE_HASH).bind(workspace_id)
                        .bind(&w.path).fetch_optional(&mut *tx).await?;
                    let ok = match (&w.expect, current) {
                        (Expect::Absent, None) => true,
                        (Expect::Hash(want), Some((have,))) => *want == have,
                        _ => false,
                    };
                    if !ok {
                        stale = Some(w.path.clone());
                        break;
                    }
                }
                match &w.new {
                    Some((hash, size)) => sqlx::query(UPSERT_FILE).bind(workspace_id)
                        .bind(&w.path).bind(hash).bind(size).execute(&mut *tx).await?,
                    None => sqlx::query(DELETE_FILE).bind(workspace_id).bind(&w.path)
                        .execute(&mut *tx).await?,
                };
            }
            if stale.is_none() {
                sqlx::query(TOUCH).bind(workspace_id).bind(now).execute(&mut *tx).await?;
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            stale
        });
        Ok(stale)
    }

    async fn take_snapshot(
        &self,
        workspace_id: &str,
        id: &str,
        message: &str,
        now: i64,
    ) -> Result<Snapshot> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(INSERT_SNAPSHOT).bind(id).bind(workspace_id).bind(message).bind(now)
                .execute(&mut *tx).await?;
            sqlx::query(COPY_TREE).bind(id).bind(workspace_id).execute(&mut *tx).await?;
            sqlx::query(COUNT_SNAPSHOT).bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        self.snapshot(workspace_id, id)
            .await?
            .ok_or(Error::Sqlx(sqlx::Error::RowNotFound))
    }

    async fn restore_snapshot(
        &self,
        workspace_id: &str,
        from: &str,
        id: &str,
        message: &str,
        now: i64,
    ) -> Result<Snapshot> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(DELETE_FILES).bind(workspace_id).execute(&mut *tx).await?;
            sqlx::query(RESTORE_TREE).bind(workspace_id).bind(from).execute(&mut *tx).await?;
            sqlx::query(TOUCH).bind(workspace_id).bind(now).execute(&mut *tx).await?;
            sqlx::query(INSERT_SNAPSHOT).bind(id).bind(workspace_id).bind(message).bind(now)
                .execute(&mut *tx).await?;
            sqlx::query(COPY_TREE).bind(id).bind(workspace_id).execute(&mut *tx).await?;
            sqlx::query(COUNT_SNAPSHOT).bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        self.snapshot(workspace_id, id)
            .await?
            .ok_or(Error::Sqlx(sqlx::Error::RowNotFound))
    }

    async fn snapshot(&self, workspace_id: &str, id: &str) -> Result<Option<Snapshot>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(SNAPSHOT_COLUMNS_ONE).bind(workspace_id)
            .bind(id).fetch_optional(pool).await)?,
        )
    }

    async fn snapshots_of(
        &self,
        workspace_id: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Snapshot>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(
            with_pool!(self, pool => sqlx::query_as(SNAPSHOTS_OF).bind(workspace_id).bind(at)
            .bind(id).bind(limit).fetch_all(pool).await)?,
        )
    }

    async fn snapshot_files(&self, snapshot_id: &str) -> Result<Vec<FileRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(SNAPSHOT_FILES).bind(snapshot_id)
            .fetch_all(pool).await)?,
        )
    }

    async fn insert_task(&self, t: &Task) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT_TASK)
            .bind(&t.id).bind(&t.owner).bind(&t.workspace_id).bind(&t.mode).bind(&t.prompt)
            .bind(&t.request).bind(&t.status).bind(&t.job_id).bind(&t.base).bind(&t.result)
            .bind(&t.metrics).bind(&t.error).bind(&t.review).bind(t.created_at)
            .bind(t.updated_at).execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("a task with this id"))?;
        Ok(())
    }

    async fn set_task_job(&self, id: &str, job_id: &str) -> Result<()> {
        with_pool!(self, pool => sqlx::query(SET_TASK_JOB).bind(id).bind(job_id)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn task(&self, owner: &str, id: &str) -> Result<Option<Task>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(ONE_TASK).bind(owner).bind(id)
            .fetch_optional(pool).await)?,
        )
    }

    async fn tasks_of(
        &self,
        owner: &str,
        workspace_id: Option<&str>,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Task>> {
        let (at, id) = TimeCursor::bounds(before);
        Ok(match workspace_id {
            Some(ws) => with_pool!(self, pool => sqlx::query_as(TASKS_OF_WORKSPACE).bind(owner)
                .bind(at).bind(id).bind(limit).bind(ws).fetch_all(pool).await)?,
            None => with_pool!(self, pool => sqlx::query_as(TASKS_OF).bind(owner).bind(at)
                .bind(id).bind(limit).fetch_all(pool).await)?,
        })
    }

    async fn active_tasks(&self, owner: &str) -> Result<i64> {
        let (n,): (i64,) = with_pool!(self, pool => sqlx::query_as(ACTIVE_TASKS).bind(owner)
            .fetch_one(pool).await)?;
        Ok(n)
    }

    async fn start_task(&self, id: &str, base: &str, now: i64) -> Result<()> {
        with_pool!(self, pool => sqlx::query(START_TASK).bind(id).bind(base).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn finish_task(
        &self,
        id: &str,
        status: &str,
        result: Option<&str>,
        metrics: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(FINISH_TASK).bind(id).bind(status).bind(result)
            .bind(metrics).bind(error).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn set_task_review(
        &self,
        id: &str,
        expected: Option<&str>,
        review: &str,
        now: i64,
    ) -> Result<bool> {
        let changed = match expected {
            None => with_pool!(self, pool => sqlx::query(REVIEW_FIRST).bind(id).bind(review)
                .bind(now).execute(pool).await.map(|d| d.rows_affected()))?,
            Some(old) => with_pool!(self, pool => sqlx::query(REVIEW_AGAIN).bind(id)
                .bind(review).bind(now).bind(old).execute(pool).await.map(|d| d.rows_affected()))?,
        };
        Ok(changed > 0)
    }
}
