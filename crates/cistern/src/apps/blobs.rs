//! What the apps do with the blob store, the same for each: write a set of objects (a
//! project's files and its ZIP) a few at a time, read one that may be missing, delete
//! everything under a prefix. Each app keeps its own layout (`<app>/blobs.rs`).

use bytes::Bytes;
use cistern_store::BlobStore;
use futures::{StreamExt, TryStreamExt, stream};
use object_store::ObjectStoreExt;
use object_store::path::Path;

/// Writes in flight at once: a generation's files land in one round trip's time or so on S3
/// (each put is a request) and overlap their blocking-pool hops on a local disk, without one
/// generation holding every connection of the pool.
const CONCURRENT_PUTS: usize = 8;

/// Writes every `(path, bytes)`, up to [`CONCURRENT_PUTS`] at a time; the first error stops
/// it (objects already written stay: a retry overwrites them, a delete removes them).
pub async fn put_all(
    blobs: &BlobStore,
    objects: impl IntoIterator<Item = (Path, Bytes)>,
) -> object_store::Result<()> {
    // Owned all the way (the objects collected, the store cloned into each write): a
    // stream holding borrows trips the job handlers' higher-ranked `Send` bound.
    let objects: Vec<(Path, Bytes)> = objects.into_iter().collect();
    let blobs = blobs.clone();
    stream::iter(objects)
        .map(move |(path, bytes)| {
            let blobs = blobs.clone();
            async move { blobs.put(&path, bytes.into()).await.map(drop) }
        })
        .buffer_unordered(CONCURRENT_PUTS)
        .try_collect()
        .await
}

/// A blob's bytes, or `None` when it does not exist.
pub async fn read(blobs: &BlobStore, path: &Path) -> object_store::Result<Option<Vec<u8>>> {
    match blobs.get(path).await {
        Ok(got) => Ok(Some(got.bytes().await?.to_vec())),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deletes every blob under `prefix`.
pub async fn delete_prefix(blobs: &BlobStore, prefix: &str) -> object_store::Result<()> {
    let prefix = Path::from(prefix);
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
