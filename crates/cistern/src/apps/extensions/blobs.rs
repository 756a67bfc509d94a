//! Where a version's files live: `extensions/{extension_id}/{seq}/package.zip` and
//! `…/files/{path}`. A version's paths were validated (relative, no `..`) before they are stored.

use cistern_extension::ExtensionFile;
use cistern_store::BlobStore;
use futures::TryStreamExt;
use object_store::ObjectStoreExt;
use object_store::path::Path;

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
    for file in files {
        blobs
            .put(
                &file_path(extension_id, seq, &file.path),
                file.content.clone().into(),
            )
            .await?;
    }
    blobs.put(&zip_path(extension_id, seq), zip.into()).await?;
    Ok(())
}

/// A blob's bytes, or `None` when it does not exist.
pub async fn read(blobs: &BlobStore, path: &Path) -> object_store::Result<Option<Vec<u8>>> {
    match blobs.get(path).await {
        Ok(got) => Ok(Some(got.bytes().await?.to_vec())),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
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
    let prefix = Path::from(format!("extensions/{extension_id}"));
    let paths: Vec<Path> = blobs
        .list(Some(&prefix))
        .map_ok(|meta| meta.location)
        .try_collect()
        .await?;
    for path in paths {
        blobs.delete(&path).await?;
    }
    Ok(())
}
