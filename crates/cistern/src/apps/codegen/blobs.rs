//! Where a generation's files live: `codegen/{id}/project.zip` and `codegen/{id}/files/{path}`.
//! Paths are [`ProjectPath`]s (relative, normalised, never outside the project) before they
//! are stored; the ZIP is built in memory.

use std::io::{Cursor, Write};

use bytes::Bytes;
use cistern_codegen::ProjectFile;
use cistern_store::BlobStore;
use object_store::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

pub use crate::apps::blobs::read;
use crate::apps::blobs::{delete_prefix, put_all};

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
    let files = files.iter().map(|file| {
        let bytes = Bytes::from(file.content.clone().into_bytes());
        (file_path(id, file.path.as_str()), bytes)
    });
    put_all(blobs, files.chain([(zip_path(id), Bytes::from(zip))])).await
}

/// Deletes every blob of a generation.
pub async fn delete_all(blobs: &BlobStore, id: &str) -> object_store::Result<()> {
    delete_prefix(blobs, &format!("codegen/{id}")).await
}
