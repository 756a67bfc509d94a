//! Why an edit is refused: [`Error`] (one problem, with a stable [`Error::kind`]) and
//! [`Refusal`] (every problem found in one reply). Their `Display` is written to be sent back
//! to the model as it is: it says which file and block, and what to do instead.

use std::fmt;

/// Where a block is: its number among the blocks for one file, and its line in the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// 1-based number of the block among those for the same file, in reply order.
    pub index: usize,
    /// 1-based line of the block's first line (`<<<<<<< SEARCH` or the fence) in the reply.
    pub line: usize,
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block {} (reply line {})", self.index, self.line)
    }
}

/// The lines of a file most like a SEARCH that matched nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closest {
    /// 1-based line number of the first line.
    pub start: usize,
    /// The lines, as they are in the file (without line endings).
    pub lines: Vec<String>,
    /// How alike they are to the SEARCH, 0–100.
    pub percent: u8,
}

impl fmt::Display for Closest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the closest lines ({}% alike) are {}–{}:",
            self.percent,
            self.start,
            self.start + self.lines.len().saturating_sub(1)
        )?;
        for (i, line) in self.lines.iter().enumerate() {
            write!(f, "\n{:>6} | {line}", self.start + i)?;
        }
        Ok(())
    }
}

/// One reason an edit is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A block that is not closed or has its markers out of order.
    #[error("reply line {line}: {reason}")]
    Malformed {
        /// 1-based line in the reply.
        line: usize,
        /// What is wrong, e.g. "`<<<<<<< SEARCH` is never closed by `>>>>>>> REPLACE`".
        reason: String,
    },
    /// A SEARCH/REPLACE block with no file path before it (and no earlier block to inherit
    /// one), or diff hunks with no `---`/`+++` names and no path before their fence.
    #[error(
        "reply line {line}: an edit without a file path; write the path alone on the line before `<<<<<<< SEARCH` (or before its ``` fence), or give a diff its `--- a/path` and `+++ b/path` lines"
    )]
    MissingPath {
        /// 1-based line of the `<<<<<<< SEARCH` marker.
        line: usize,
    },
    /// A path that is absolute, leaves the tree or names `.git`.
    #[error("reply line {line}: the path `{path}` is refused: {reason}")]
    Path {
        /// The path as the model wrote it.
        path: String,
        /// 1-based line of the block in the reply.
        line: usize,
        /// Why.
        reason: &'static str,
    },
    /// Not one edit in the reply.
    #[error(
        "the reply has no edits: no SEARCH/REPLACE blocks and no fenced whole files with a path"
    )]
    NoEdits,
    /// A non-empty SEARCH (or a diff hunk with context or removed lines) for a file that does
    /// not exist.
    #[error(
        "`{path}` {block}: the file does not exist; to create it, use an empty SEARCH (or a diff from /dev/null)"
    )]
    NoSuchFile {
        /// The file.
        path: String,
        /// The block.
        block: Block,
    },
    /// An empty SEARCH for a file that has content: where the REPLACE goes is undetermined.
    #[error(
        "`{path}` {block}: the SEARCH is empty but the file already has content; search for the lines to replace (or the line to insert after)"
    )]
    EmptySearch {
        /// The file.
        path: String,
        /// The block.
        block: Block,
    },
    /// The SEARCH matches more than one place, at the same (best) tier.
    #[error(
        "`{path}` {block}: the SEARCH matches {} places, at lines {}; add lines around it so that it matches one place",
        lines.len(),
        join(lines)
    )]
    Ambiguous {
        /// The file.
        path: String,
        /// The block.
        block: Block,
        /// 1-based first line of each match.
        lines: Vec<usize>,
    },
    /// The SEARCH matches nowhere, not even ignoring whitespace and indentation.
    #[error(
        "`{path}` {block}: the SEARCH matches nothing in the file, even ignoring trailing whitespace and indentation{}; copy the lines exactly as they are",
        closest.as_ref().map_or(String::new(), |c| format!("; {c}\n"))
    )]
    NotFound {
        /// The file.
        path: String,
        /// The block.
        block: Block,
        /// The most similar lines, when the file has any.
        closest: Option<Closest>,
    },
    /// Two blocks whose SEARCH text covers some of the same lines.
    #[error(
        "`{path}` {first} and {second}: their SEARCH texts overlap (lines {}–{} and {}–{}); merge them into one block",
        first_lines.0, first_lines.1, second_lines.0, second_lines.1
    )]
    Overlap {
        /// The file.
        path: String,
        /// The block that starts first in the file.
        first: Block,
        /// Its 1-based first and last lines.
        first_lines: (usize, usize),
        /// The other block.
        second: Block,
        /// Its 1-based first and last lines.
        second_lines: (usize, usize),
    },
    /// A line that stands for code the model did not write out (`// ... existing code ...`),
    /// where what it stands for is not determined: an elision is applied only when the SEARCH
    /// has the same elision line, between lines that match the file exactly and once.
    #[error(
        "`{path}` {block}: reply line {line} `{text}` stands for code that was left out; write the lines out in full, or use a smaller block (an elision is kept only when the SEARCH has the same elision line, between lines that match the file exactly and in one place only)"
    )]
    Elision {
        /// The file.
        path: String,
        /// The block.
        block: Block,
        /// 1-based line in the reply.
        line: usize,
        /// The line, trimmed.
        text: String,
    },
    /// A new file (a diff from `/dev/null`) or a rename's new path that already exists.
    #[error(
        "`{path}` (reply line {line}) already exists; edit it with a diff or SEARCH/REPLACE blocks instead of creating it"
    )]
    FileExists {
        /// The file.
        path: String,
        /// 1-based line of the diff's header in the reply.
        line: usize,
    },
    /// A file to delete or rename that does not exist.
    #[error("`{path}` (reply line {line}) does not exist, so it cannot be deleted or renamed")]
    FileMissing {
        /// The file.
        path: String,
        /// 1-based line of the diff's header in the reply.
        line: usize,
    },
    /// A deletion whose hunks do not remove all of the file: the model has not seen what is left.
    #[error(
        "`{path}` (reply line {line}): the deletion's hunks leave {remaining} non-blank lines of the file; remove every line, or send the deletion without hunks"
    )]
    DeleteIncomplete {
        /// The file.
        path: String,
        /// 1-based line of the diff's header in the reply.
        line: usize,
        /// How many non-blank lines would be left.
        remaining: usize,
    },
    /// A file given both as a whole file and as SEARCH/REPLACE blocks, or as two different
    /// whole files; or created, deleted or renamed and also changed another way (a renamed
    /// file's old path edited, two renames of one file).
    #[error(
        "`{path}` is written more than one way (reply lines {}): send either the whole file once, or SEARCH/REPLACE blocks, or one diff for it",
        join(lines)
    )]
    Conflict {
        /// The file.
        path: String,
        /// 1-based reply lines of the blocks.
        lines: Vec<usize>,
    },
}

impl Error {
    /// A stable, machine-readable name for the error (`"ambiguous"`, `"not_found"`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Malformed { .. } => "malformed",
            Error::MissingPath { .. } => "missing_path",
            Error::Path { .. } => "path",
            Error::NoEdits => "no_edits",
            Error::NoSuchFile { .. } => "no_such_file",
            Error::EmptySearch { .. } => "empty_search",
            Error::Ambiguous { .. } => "ambiguous",
            Error::NotFound { .. } => "not_found",
            Error::Overlap { .. } => "overlap",
            Error::Elision { .. } => "elision",
            Error::Conflict { .. } => "conflict",
            Error::FileExists { .. } => "file_exists",
            Error::FileMissing { .. } => "file_missing",
            Error::DeleteIncomplete { .. } => "delete_incomplete",
        }
    }
}

fn join(numbers: &[usize]) -> String {
    numbers
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every problem found in a reply; nothing was applied. **Invariant:** `errors` is not empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Refusal {
    /// The problems, file by file in path order, blocks in reply order.
    pub errors: Vec<Error>,
}

impl Refusal {
    pub(crate) fn one(error: Error) -> Refusal {
        Refusal {
            errors: vec![error],
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "the edit was not applied (no file changed): {one}"),
            many => {
                write!(
                    f,
                    "the edit was not applied (no file changed): {} problems:",
                    many.len()
                )?;
                for error in many {
                    write!(f, "\n- {error}")?;
                }
                Ok(())
            }
        }
    }
}
