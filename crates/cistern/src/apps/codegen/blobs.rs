//! Where a generation's files live: `codegen/{id}/project.zip` and `codegen/{id}/files/{path}`.
//! Paths are [`ProjectPath`]s (relative, normalised, never outside the project) before they
//! are stored; the ZIP is built in memory.

use std::io::{Cursor, Write};

use cistern_codegen::ProjectFile;
use cistern_store::BlobStore;
use futures::TryStreamExt;
use object_store::ObjectStoreExt;
use object_store::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The ZIP of a generation.
pub fn zip_path(id: &str) -> Path {
    Path::from(format!("codegen/{id}/project.zip"))
}

/// One file of a generation.
pub fn file_path(id: &str, file: &str) -> Path {
    Path::from(format!("codegen/{id}/files/{file}"))
}

/// A deterministic ZIP of `files` (sorted as given, fixed times, mode 644).
pub fn zip(files: &[ProjectFile]) -> zip::result::ZipResult<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for file in files {
        zip.start_file(file.path.as_str(), options)?;
        zip.write_all(file.content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Stores a generation's files and its ZIP.
pub async fn store(
    blobs: &BlobStore,
    id: &str,
    files: &[ProjectFile],
    zip: Vec<u8>,
) -> object_store::Result<()> {
    for file in files {
        blobs
            .put(
                &file_path(id, file.path.as_str()),
                file.content.clone().into_bytes().into(),
            )
            .await?;
    }
    blobs.put(&zip_path(id), zip.into()).await?;
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

/// Deletes every blob of a generation.
pub async fn delete_all(blobs: &BlobStore, id: &str) -> object_store::Result<()> {
    let prefix = Path::from(format!("codegen/{id}"));
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
