//! [`Workspaces`]: a user's code in Cistern — a working tree of text files and immutable
//! snapshots of it. Handlers are extract → one call → map; the agent's tasks read and write
//! trees through the same handle.
//!
//! Every method taking an owner checks it: another user's workspace is [`Error::NotFound`].
//! Contents are blobs named by their hash (`blobs.rs`); the tree and snapshots are SQL rows
//! naming them, so a snapshot copies rows, never bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::FromRef;
use cistern_codegen::path::ProjectPath;
use cistern_store::sql::{Expect, FileRow, Snapshot, TreeWrite, Workspace, now_ms};
use cistern_store::{AgentStore, BlobStore, Db, TimeCursor};

use super::AgentConfig;
use super::blobs;
use super::error::{Error, Result, invalid};
use crate::state::AppState;

/// Longest workspace name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Blob reads in flight at once when a workspace's contents are read.
const CONCURRENT_READS: usize = 8;
/// Longest snapshot message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// One change to a working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The file (already a safe relative path).
    pub path: String,
    /// What the file must be for the change to happen (a stale one changes nothing).
    pub expect: Expect,
    /// The new content; `None` deletes the file.
    pub content: Option<String>,
}

/// Workspaces over SQL (tree, snapshots) and blobs (contents).
#[derive(Clone)]
pub struct Workspaces {
    pub(super) db: Db,
    pub(super) blobs: BlobStore,
    settings: Arc<crate::config::Config>,
}

impl FromRef<AppState> for Workspaces {
    fn from_ref(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            blobs: state.blobs.clone(),
            settings: state.config.clone(),
        }
    }
}

impl Workspaces {
    /// `[agent]`.
    pub fn config(&self) -> &AgentConfig {
        &self.settings.agent
    }

    /// Creates an empty workspace.
    pub async fn create(&self, owner: &str, name: &str) -> Result<Workspace> {
        let name = workspace_name(name)?;
        let now = now_ms();
        let workspace = Workspace {
            id: uuid::Uuid::now_v7().to_string(),
            owner: owner.to_owned(),
            name,
            files: 0,
            bytes: 0,
            created_at: now,
            updated_at: now,
        };
        self.db.insert_workspace(&workspace).await?;
        Ok(workspace)
    }

    /// One workspace of `owner`.
    pub async fn get(&self, owner: &str, id: &str) -> Result<Workspace> {
        self.db
            .workspace(owner, id)
            .await?
            .ok_or(Error::NotFound("workspace"))
    }

    /// A page of `owner`'s workspaces, newest first.
    pub async fn list(
        &self,
        owner: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Workspace>> {
        Ok(self.db.workspaces_of(owner, before, limit).await?)
    }

    /// Renames a workspace.
    pub async fn rename(&self, owner: &str, id: &str, name: &str) -> Result<Workspace> {
        let name = workspace_name(name)?;
        if !self.db.rename_workspace(owner, id, &name, now_ms()).await? {
            return Err(Error::NotFound("workspace"));
        }
        self.get(owner, id).await
    }

    /// Deletes a workspace: its rows, then its blobs.
    pub async fn delete(&self, owner: &str, id: &str) -> Result<()> {
        if !self.db.delete_workspace(owner, id).await? {
            return Err(Error::NotFound("workspace"));
        }
        blobs::delete_workspace(&self.blobs, id).await
    }

    /// The working tree of a workspace of `owner`, by path.
    pub async fn files(&self, owner: &str, id: &str) -> Result<Vec<FileRow>> {
        self.get(owner, id).await?;
        Ok(self.db.tree(id).await?)
    }

    /// One file of the working tree, with its content.
    pub async fn read_file(&self, owner: &str, id: &str, path: &str) -> Result<(FileRow, String)> {
        let path = file_path(path)?;
        let row = self
            .files(owner, id)
            .await?
            .into_iter()
            .find(|f| f.path == path)
            .ok_or(Error::NotFound("file"))?;
        let content = blobs::read(&self.blobs, id, &row.hash).await?;
        Ok((row, content))
    }

    /// A content of a workspace of `owner` by its hash: any version of any file its tree,
    /// snapshots or tasks have held (what a review shows as the version a task read).
    pub async fn content(&self, owner: &str, id: &str, hash: &str) -> Result<String> {
        self.get(owner, id).await?;
        if !blobs::is_hash(hash) {
            return Err(invalid(
                "hash",
                format!("{hash:?} is not a SHA-256 (64 lower-case hex digits)"),
            ));
        }
        blobs::find(&self.blobs, id, hash)
            .await?
            .ok_or(Error::NotFound("content"))
    }

    /// Writes one file (creating it); with `base_hash`, only if the file still has that hash
    /// (a save over someone else's is a conflict, not a loss).
    pub async fn write_file(
        &self,
        owner: &str,
        id: &str,
        path: &str,
        content: String,
        base_hash: Option<String>,
    ) -> Result<FileRow> {
        let workspace = self.get(owner, id).await?;
        let path = file_path(path)?;
        let change = FileChange {
            path: path.clone(),
            expect: base_hash.map_or(Expect::Any, Expect::Hash),
            content: Some(content),
        };
        self.write(&workspace, vec![change]).await?;
        self.db
            .tree(id)
            .await?
            .into_iter()
            .find(|f| f.path == path)
            .ok_or_else(|| Error::Conflict(format!("{path} was deleted meanwhile")))
    }

    /// Deletes one file of the working tree.
    pub async fn delete_file(&self, owner: &str, id: &str, path: &str) -> Result<()> {
        let workspace = self.get(owner, id).await?;
        let path = file_path(path)?;
        let row = self
            .db
            .tree(id)
            .await?
            .into_iter()
            .find(|f| f.path == path)
            .ok_or(Error::NotFound("file"))?;
        let change = FileChange {
            path,
            expect: Expect::Hash(row.hash),
            content: None,
        };
        self.write(&workspace, vec![change]).await
    }

    /// Applies `changes` to a workspace's tree, all or nothing: contents are checked (text,
    /// size) and stored first, then the rows change in one transaction if every file is as
    /// its change expects ([`Error::Conflict`] naming the first that is not).
    pub async fn write(&self, workspace: &Workspace, changes: Vec<FileChange>) -> Result<()> {
        let config = self.config();
        let mut tree: BTreeMap<String, i64> = self
            .db
            .tree(&workspace.id)
            .await?
            .into_iter()
            .map(|f| (f.path, f.size))
            .collect();
        for change in &changes {
            match &change.content {
                Some(content) => {
                    check_content(&change.path, content, config.max_file_bytes)?;
                    tree.insert(change.path.clone(), len(content));
                }
                None => {
                    tree.remove(&change.path);
                }
            }
        }
        if tree.len() > config.max_files {
            return Err(Error::TooLarge(format!(
                "a workspace holds at most {} files (agent.max_files)",
                config.max_files
            )));
        }
        let bytes: i64 = tree.values().sum();
        if u64::try_from(bytes).unwrap_or(u64::MAX) > config.max_workspace_bytes {
            return Err(Error::TooLarge(format!(
                "a workspace holds at most {} bytes (agent.max_workspace_bytes)",
                config.max_workspace_bytes
            )));
        }
        let contents: Vec<&str> = changes
            .iter()
            .filter_map(|c| c.content.as_deref())
            .collect();
        blobs::put(&self.blobs, &workspace.id, &contents).await?;
        let writes: Vec<TreeWrite> = changes
            .iter()
            .map(|c| TreeWrite {
                path: c.path.clone(),
                expect: c.expect.clone(),
                new: c.content.as_deref().map(|s| (blobs::hash(s), len(s))),
            })
            .collect();
        match self.db.write_tree(&workspace.id, &writes, now_ms()).await? {
            None => Ok(()),
            Some(path) => Err(Error::Conflict(format!(
                "{path} changed since it was read; read it again"
            ))),
        }
    }

    /// Saves the working tree as a snapshot.
    pub async fn snapshot(&self, owner: &str, id: &str, message: &str) -> Result<Snapshot> {
        self.get(owner, id).await?;
        let message = snapshot_message(message)?;
        let snapshot_id = uuid::Uuid::now_v7().to_string();
        Ok(self
            .db
            .take_snapshot(id, &snapshot_id, &message, now_ms())
            .await?)
    }

    /// A page of a workspace's snapshots, newest first.
    pub async fn snapshots(
        &self,
        owner: &str,
        id: &str,
        before: Option<&TimeCursor>,
        limit: i64,
    ) -> Result<Vec<Snapshot>> {
        self.get(owner, id).await?;
        Ok(self.db.snapshots_of(id, before, limit).await?)
    }

    /// One snapshot with its files.
    pub async fn snapshot_files(
        &self,
        owner: &str,
        id: &str,
        snapshot_id: &str,
    ) -> Result<(Snapshot, Vec<FileRow>)> {
        self.get(owner, id).await?;
        let snapshot = self
            .db
            .snapshot(id, snapshot_id)
            .await?
            .ok_or(Error::NotFound("snapshot"))?;
        let files = self.db.snapshot_files(snapshot_id).await?;
        Ok((snapshot, files))
    }

    /// Makes the working tree equal to a snapshot; the result is itself a new snapshot, so
    /// the state before is never lost (it is in the snapshot taken before, or can be saved
    /// first).
    pub async fn restore(&self, owner: &str, id: &str, snapshot_id: &str) -> Result<Snapshot> {
        let (from, _) = self.snapshot_files(owner, id, snapshot_id).await?;
        let message = format!(
            "Restored snapshot of {}",
            crate::time::rfc3339(from.created_at)
        );
        let new_id = uuid::Uuid::now_v7().to_string();
        Ok(self
            .db
            .restore_snapshot(id, snapshot_id, &new_id, &message, now_ms())
            .await?)
    }

    /// The contents of `rows` of a workspace, by path.
    pub async fn contents(
        &self,
        workspace_id: &str,
        rows: &[FileRow],
    ) -> Result<BTreeMap<String, String>> {
        use futures::{StreamExt, TryStreamExt};
        // A few reads in flight: on S3 each is a request, and a snapshot's export or diff
        // reads many. Owned all the way (a stream holding borrows trips the handlers'
        // higher-ranked `Send` bound).
        let reads: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.path.clone(), r.hash.clone()))
            .collect();
        let (store, workspace_id) = (self.blobs.clone(), workspace_id.to_owned());
        futures::stream::iter(reads)
            .map(move |(path, hash)| {
                let (store, workspace_id) = (store.clone(), workspace_id.clone());
                async move {
                    let content = blobs::read(&store, &workspace_id, &hash).await?;
                    Ok::<_, Error>((path, content))
                }
            })
            .buffer_unordered(CONCURRENT_READS)
            .try_collect()
            .await
    }
}

fn len(content: &str) -> i64 {
    i64::try_from(content.len()).unwrap_or(i64::MAX)
}

/// A file path a user sent: normalised (`./a//b` → `a/b`), never absolute, `..` or `.git`.
pub fn file_path(raw: &str) -> Result<String> {
    ProjectPath::parse(raw)
        .map(|p| p.as_str().to_owned())
        .map_err(|e| invalid("path", format!("{raw:?}: {e}")))
}

/// A file's content must be text within the size limit.
fn check_content(path: &str, content: &str, max: usize) -> Result<()> {
    if content.len() > max {
        return Err(Error::TooLarge(format!(
            "{path} is {} bytes; a file holds at most {max} (agent.max_file_bytes)",
            content.len()
        )));
    }
    if content.contains('\0') {
        return Err(invalid(
            "content",
            format!("{path} holds a NUL byte: workspaces hold text files only"),
        ));
    }
    Ok(())
}

/// A workspace name a user sent: trimmed, 1 to [`MAX_NAME_CHARS`], no control characters.
pub(super) fn workspace_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(invalid("name", "name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            "name",
            format!("name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("name", "name must not hold control characters"));
    }
    Ok(name.to_owned())
}

fn snapshot_message(raw: &str) -> Result<String> {
    let message = raw.trim();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(invalid(
            "message",
            format!("message is longer than {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    Ok(if message.is_empty() {
        "Snapshot".to_owned()
    } else {
        message.to_owned()
    })
}
