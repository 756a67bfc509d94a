//! Why a reply yields no project: [`Error`], with a stable [`Error::kind`].

use super::MAX_FILES;
use crate::path::{PathError, ProjectPath};

/// Why a reply yields no project.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A path that would leave the project or cannot be written.
    #[error("the file path `{path}` (line {line}) is refused: {reason}")]
    Path {
        /// The path as the model wrote it.
        path: String,
        /// 1-based line of its block in the reply (0 for JSON replies).
        line: usize,
        /// Why.
        reason: PathError,
    },
    /// Two blocks with different contents for one path.
    #[error("two different files named `{path}` (lines {first_line} and {second_line})")]
    Conflict {
        /// The path (as first written).
        path: ProjectPath,
        /// Line of the first block.
        first_line: usize,
        /// Line of the second block.
        second_line: usize,
    },
    /// One path is a file and also a directory above another file.
    #[error("`{path}` is both a file and a directory")]
    FileDirectoryClash {
        /// The path.
        path: ProjectPath,
    },
    /// The reply ends inside a code block (or inside its JSON).
    #[error("the reply was cut off inside {}", .path.as_ref().map_or("a code block".to_owned(), |p| format!("`{p}`")))]
    Truncated {
        /// The file that was being written, when its name was known.
        path: Option<ProjectPath>,
    },
    /// Not one file in the reply.
    #[error("the reply has no files")]
    NoFiles,
    /// More than [`MAX_FILES`] files.
    #[error("the reply has more than {MAX_FILES} files")]
    TooManyFiles,
    /// A JSON reply whose shape is not `{"files": [{"path", "content"}]}`.
    #[error("the JSON reply is not {{\"files\": [{{\"path\", \"content\"}}]}}: {0}")]
    Json(String),
}

impl Error {
    /// A stable, machine-readable name for the error (`"path"`, `"truncated"`, …), e.g. for
    /// `{"error": kind}` in a CLI or API answer.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Path { .. } => "path",
            Error::Conflict { .. } => "conflict",
            Error::FileDirectoryClash { .. } => "file_directory_clash",
            Error::Truncated { .. } => "truncated",
            Error::NoFiles => "no_files",
            Error::TooManyFiles => "too_many_files",
            Error::Json(_) => "json",
        }
    }
}
