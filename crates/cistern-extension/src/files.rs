//! The unit everything works on: one file of an extension, path and bytes.

use serde::{Deserialize, Serialize};

/// One file of an extension. `path` is as submitted (validation decides whether it is safe);
/// `content` is bytes because icons are binary, while everything the model writes is UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionFile {
    /// Path inside the extension, `/`-separated, relative to its root.
    pub path: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

impl ExtensionFile {
    /// A file from a path and anything that turns into bytes (`&str`, `String`, `Vec<u8>`).
    pub fn new(path: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            content: content.into(),
        }
    }

    /// The content as text when it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.content).ok()
    }
}

/// The first file whose path is exactly `path`.
pub fn find_file<'a>(files: &'a [ExtensionFile], path: &str) -> Option<&'a ExtensionFile> {
    files.iter().find(|f| f.path == path)
}

/// Mutable variant of [`find_file`].
pub(crate) fn find_file_mut<'a>(
    files: &'a mut [ExtensionFile],
    path: &str,
) -> Option<&'a mut ExtensionFile> {
    files.iter_mut().find(|f| f.path == path)
}
