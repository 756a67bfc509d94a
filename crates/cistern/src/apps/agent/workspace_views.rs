//! The workspace routes' request and response bodies. Schema names are prefixed where a plain
//! name (`FileEntry`, `FileDiff`) is another app's.

use cistern_store::sql::{FileRow, Snapshot, Workspace};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::diff::{DiffStatus, TreeDiff};
use super::zip::{Imported, Skipped};
use crate::http::error::ApiError;
use crate::time::rfc3339;

/// Body of `POST /api/v1/workspaces`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkspace {
    /// Shown name: 1 to 100 characters, no control characters (trimmed).
    pub name: String,
}

/// Body of `PATCH /api/v1/workspaces/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameWorkspace {
    /// The new name: 1 to 100 characters, no control characters (trimmed).
    pub name: String,
}

/// Body of `POST /api/v1/workspaces/from_generation`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFromGeneration {
    /// A ready generation of yours (`GET /api/v1/generations`).
    pub generation_id: String,
    /// The workspace's name; the generation's prompt (shortened) when absent.
    pub name: Option<String>,
}

/// A workspace, with the size of its working tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceView {
    /// Workspace id.
    pub id: String,
    /// Shown name.
    pub name: String,
    /// Files in the working tree.
    pub files: i64,
    /// Their bytes.
    pub bytes: i64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: the last rename or change of the tree.
    pub updated_at: String,
}

impl From<Workspace> for WorkspaceView {
    fn from(w: Workspace) -> Self {
        Self {
            id: w.id,
            name: w.name,
            files: w.files,
            bytes: w.bytes,
            created_at: rfc3339(w.created_at),
            updated_at: rfc3339(w.updated_at),
        }
    }
}

/// A file of a working tree or a snapshot, without its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceFile {
    /// Relative path (`src/app.py`).
    pub path: String,
    /// Hex SHA-256 of the content: send it back as `base_hash` to save only over this version.
    pub hash: String,
    /// Bytes.
    pub size: i64,
}

impl From<FileRow> for WorkspaceFile {
    fn from(f: FileRow) -> Self {
        Self {
            path: f.path,
            hash: f.hash,
            size: f.size,
        }
    }
}

/// One file of the working tree with its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceFileView {
    /// Relative path.
    pub path: String,
    /// Hex SHA-256 of the content.
    pub hash: String,
    /// Bytes.
    pub size: i64,
    /// The text (UTF-8).
    pub content: String,
}

impl WorkspaceFileView {
    /// A row and its content.
    pub fn new(row: FileRow, content: String) -> Self {
        Self {
            path: row.path,
            hash: row.hash,
            size: row.size,
            content,
        }
    }
}

/// Body of `PUT /api/v1/workspaces/{id}/files/{path}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteWorkspaceFile {
    /// The whole new text (UTF-8, no NUL, at most `agent.max_file_bytes`).
    pub content: String,
    /// The `hash` the file had when you read it: the save happens only if it still has it
    /// (409 otherwise: someone else saved meanwhile). Absent: save whatever is there.
    pub base_hash: Option<String>,
}

impl WriteWorkspaceFile {
    /// `base_hash`, which must look like a hash this API hands out (64 lowercase hex digits).
    pub fn base_hash(&self) -> Result<Option<String>, ApiError> {
        match &self.base_hash {
            None => Ok(None),
            Some(h)
                if h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
            {
                Ok(Some(h.clone()))
            }
            Some(_) => Err(ApiError::validation(
                "base_hash",
                "base_hash must be a file's `hash` as this API gave it: 64 lowercase hex digits",
            )),
        }
    }
}

/// Body of `POST /api/v1/workspaces/{id}/snapshots`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSnapshot {
    /// Why it is taken (at most 500 characters); "Snapshot" when absent or blank.
    pub message: Option<String>,
}

/// An immutable copy of a working tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotView {
    /// Snapshot id.
    pub id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// Why it was taken.
    pub message: String,
    /// Files in it.
    pub files: i64,
    /// Their bytes.
    pub bytes: i64,
    /// RFC 3339.
    pub created_at: String,
}

impl From<Snapshot> for SnapshotView {
    fn from(s: Snapshot) -> Self {
        Self {
            id: s.id,
            workspace_id: s.workspace_id,
            message: s.message,
            files: s.files,
            bytes: s.bytes,
            created_at: rfc3339(s.created_at),
        }
    }
}

/// A snapshot with its files.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotDetail {
    /// The snapshot.
    pub snapshot: SnapshotView,
    /// Its files, sorted by path.
    pub files: Vec<WorkspaceFile>,
}

/// Query of `GET …/snapshots/{sid}/diff`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    /// The snapshot to diff to; absent: the current working tree.
    pub to: Option<String>,
}

/// One hunk of a file's diff; the numbers are those of its `@@` header. (A task's proposal
/// stores them too, hence `Deserialize`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DiffHunk {
    /// 1-based number of the hunk in the file's diff.
    pub id: usize,
    /// The `@@ -old_start,old_lines +new_start,new_lines @@` line.
    pub header: String,
    /// First old line (1-based).
    pub old_start: usize,
    /// Old lines covered.
    pub old_lines: usize,
    /// First new line (1-based).
    pub new_start: usize,
    /// New lines covered.
    pub new_lines: usize,
}

impl From<cistern_edit::Hunk> for DiffHunk {
    fn from(h: cistern_edit::Hunk) -> Self {
        Self {
            id: h.id,
            header: h.header,
            old_start: h.old_start,
            old_lines: h.old_lines,
            new_start: h.new_start,
            new_lines: h.new_lines,
        }
    }
}

/// How one file differs between two trees.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotFileDiff {
    /// The file.
    pub path: String,
    /// Added, modified or deleted.
    pub status: DiffStatus,
    /// A unified diff (`--- a/path`, `+++ b/path`; `/dev/null` for an added or deleted
    /// file) that `git apply` accepts.
    pub patch: String,
    /// Its hunks, in file order.
    pub hunks: Vec<DiffHunk>,
}

/// What changed from one snapshot to another (or to the working tree).
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotDiff {
    /// The snapshot diffed from.
    pub from: String,
    /// The snapshot diffed to; null: the working tree.
    pub to: Option<String>,
    /// Each changed file, sorted by path (unchanged files are left out).
    pub files: Vec<SnapshotFileDiff>,
}

impl From<TreeDiff> for SnapshotDiff {
    fn from(d: TreeDiff) -> Self {
        let files = d
            .files
            .into_iter()
            .map(|(status, diff)| SnapshotFileDiff {
                path: diff.path,
                status,
                patch: diff.patch,
                hunks: diff.hunks.into_iter().map(Into::into).collect(),
            })
            .collect();
        Self {
            from: d.from,
            to: d.to,
            files,
        }
    }
}

/// A ZIP archive, sent as the raw request body.
// Documentation only: the handler reads the body itself, within `agent.max_zip_bytes`.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct WorkspaceZip(pub Vec<u8>);

/// What `POST …/import` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceImport {
    /// The files added or overwritten, sorted by path (the archive's single top-level
    /// folder, if any, stripped).
    pub imported: Vec<String>,
    /// The entries left out, and why.
    pub skipped: Vec<Skipped>,
    /// The snapshot taken after the import ("Imported N files").
    pub snapshot: SnapshotView,
}

impl From<Imported> for WorkspaceImport {
    fn from(i: Imported) -> Self {
        Self {
            imported: i.imported,
            skipped: i.skipped,
            snapshot: i.snapshot.into(),
        }
    }
}

/// A file content by its hash (`GET …/contents/{hash}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContentView {
    /// Hex SHA-256 of the content.
    pub hash: String,
    /// The text (UTF-8).
    pub content: String,
}
