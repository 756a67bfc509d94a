//! The blob store: an [`ObjectStore`] on local disk or on an S3-compatible service.
//!
//! Callers hold `Arc<dyn ObjectStore>` (the [`BlobStore`] alias) directly: the object_store crate
//! already is the seam, so we add no trait of our own.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

/// The blob store handle every part of Cistern shares.
pub type BlobStore = Arc<dyn ObjectStore>;

/// Errors building or probing the blob store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The local blob directory could not be created.
    #[error("cannot create blob directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The object store rejected the configuration or a request.
    #[error(transparent)]
    Store(#[from] object_store::Error),
}

/// Where blobs live.
#[derive(Debug, Clone)]
pub enum BlobConfig {
    /// A directory on local disk (created if missing).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3(S3Config),
}

/// Settings of an S3-compatible bucket (AWS S3, R2, B2, MinIO, Vultr Object Storage, …).
#[derive(Clone)]
pub struct S3Config {
    /// Endpoint URL, e.g. `https://<account>.r2.cloudflarestorage.com`; `None` means AWS.
    pub endpoint: Option<String>,
    /// Bucket name.
    pub bucket: String,
    /// Region (`auto` for R2).
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted style; MinIO and
    /// most self-hosted servers need it.
    pub path_style: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"********")
            .field("path_style", &self.path_style)
            .finish()
    }
}

impl BlobConfig {
    /// Short name of the backend, for health checks and logs.
    pub fn backend_name(&self) -> &'static str {
        match self {
            BlobConfig::Local(_) => "local",
            BlobConfig::S3(_) => "s3",
        }
    }

    /// Builds the store. Local directories are created; S3 is not contacted until first use.
    pub fn build(&self) -> Result<BlobStore, Error> {
        match self {
            BlobConfig::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
                    path: dir.clone(),
                    source,
                })?;
                Ok(Arc::new(LocalFileSystem::new_with_prefix(dir)?))
            }
            BlobConfig::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key)
                    .with_virtual_hosted_style_request(!s3.path_style);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                Ok(Arc::new(builder.build()?))
            }
        }
    }
}

/// Probes the store with a HEAD of a key that need not exist: answers prove the store is reachable
/// and our credentials are accepted, without writing anything.
pub async fn ping(store: &dyn ObjectStore) -> Result<(), Error> {
    match store.head(&Path::from(".cistern-health")).await {
        Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
