//! Where a workspace's file contents live in the blob store: content-addressed, one blob per
//! distinct content per workspace (`agent/{workspace_id}/blobs/{sha256}`), so snapshots and
//! proposals that repeat a content cost no bytes. Deleting a workspace deletes its prefix.

use bytes::Bytes;
use cistern_store::BlobStore;
use object_store::path::Path;

use super::error::{Error, Result};
use crate::apps::blobs;

/// Hex SHA-256 of a file's content: its blob name and its hash in every API answer.
pub fn hash(content: &str) -> String {
    crate::platform::auth::keys::sha256_hex(content)
}

fn path(workspace_id: &str, hash: &str) -> Path {
    Path::from(format!("agent/{workspace_id}/blobs/{hash}"))
}

/// Stores contents (by hash: a content already stored is written again, harmlessly), at most
/// a few at a time.
pub async fn put(store: &BlobStore, workspace_id: &str, contents: &[&str]) -> Result<()> {
    let objects = contents
        .iter()
        .map(|c| (path(workspace_id, &hash(c)), Bytes::from(c.to_string())));
    blobs::put_all(store, objects).await?;
    Ok(())
}

/// The content stored under `hash` (one the workspace's rows name: a missing blob is corrupt).
pub async fn read(store: &BlobStore, workspace_id: &str, hash: &str) -> Result<String> {
    find(store, workspace_id, hash).await?.ok_or_else(|| {
        Error::Corrupt(format!(
            "blob {hash} of workspace {workspace_id} is missing"
        ))
    })
}

/// The content stored under `hash`, if the workspace has it.
pub async fn find(store: &BlobStore, workspace_id: &str, hash: &str) -> Result<Option<String>> {
    match blobs::read(store, &path(workspace_id, hash)).await? {
        Some(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Error::Corrupt(format!("blob {hash} is not UTF-8"))),
        None => Ok(None),
    }
}

/// Whether `text` is a hash as [`hash`] writes it (64 lower-case hex digits).
pub fn is_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Deletes every blob of a workspace.
pub async fn delete_workspace(store: &BlobStore, workspace_id: &str) -> Result<()> {
    blobs::delete_prefix(store, &format!("agent/{workspace_id}/")).await?;
    Ok(())
}
