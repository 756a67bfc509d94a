//! Where a version's files live: `extensions/{extension_id}/{seq}/package.zip` and
//! `…/files/{path}`. A version's paths were validated (relative, no `..`) before they are stored.

use bytes::Bytes;
use cistern_extension::ExtensionFile;
use cistern_store::BlobStore;
use object_store::path::Path;

pub use crate::apps::blobs::read;
use crate::apps::blobs::{delete_prefix, put_all};

fn version_prefix(extension_id: &str, seq: i64) -> String {
    format!("extensions/{extension_id}/{seq}")
}

/// The ZIP of a version.
pub fn zip_path(extension_id: &str, seq: i64) -> Path {
    Path::from(format!("{}/package.zip", version_prefix(extension_id, seq)))
}

/// One file of a version.
pub fn file_path(extension_id: &str, seq: i64, file: &str) -> Path {
    Path::from(format!(
        "{}/files/{file}",
        version_prefix(extension_id, seq)
    ))
}

/// Stores a version's files and its ZIP.
pub async fn store(
    blobs: &BlobStore,
    extension_id: &str,
    seq: i64,
    files: &[ExtensionFile],
    zip: Vec<u8>,
) -> object_store::Result<()> {
    let files = files.iter().map(|file| {
        let bytes = Bytes::from(file.content.clone());
        (file_path(extension_id, seq, &file.path), bytes)
    });
    let zip = (zip_path(extension_id, seq), Bytes::from(zip));
    put_all(blobs, files.chain([zip])).await
}

/// A version's files, read back from its ZIP (empty when it has none).
pub async fn files(
    blobs: &BlobStore,
    extension_id: &str,
    seq: i64,
) -> Result<Vec<ExtensionFile>, String> {
    let Some(zip) = read(blobs, &zip_path(extension_id, seq))
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(Vec::new());
    };
    cistern_extension::package::unzip(&zip).map_err(|e| e.to_string())
}

/// Deletes every blob of an extension.
pub async fn delete_all(blobs: &BlobStore, extension_id: &str) -> object_store::Result<()> {
    delete_prefix(blobs, &format!("extensions/{extension_id}")).await
}
