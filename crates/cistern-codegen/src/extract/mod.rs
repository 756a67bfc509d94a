//! Files out of a model's reply: Markdown code blocks or a `{"files": [...]}` JSON object.
//!
//! Rules, in order:
//! 1. CRLF becomes LF; a reply that is JSON `{"files": [{"path", "content"}]}` (bare or as the
//!    reply's only fenced block) is read as such.
//! 2. Otherwise the reply is CommonMark (after `nesting.rs` repairs a README fenced with the
//!    same fence length as the blocks inside it): each *fenced* block (any fence length, backticks or
//!    tildes, nested by a longer fence) is a candidate; indented code blocks never are.
//! 3. A block's path comes from its info string, else the line above it, else a path comment
//!    on its first line (removed from the content) — see `naming.rs`.
//! 4. When any block is named, unnamed blocks (commands, trees, examples) are not files: they
//!    are returned in [`Extraction::skipped`]. When none is, each unnamed block that is code
//!    gets a default name by language (`main.py`, `index.html`, …); commands and output are
//!    named only when they are the reply's one block.
//! 5. Every path goes through [`ProjectPath::parse`]: one refused path refuses the reply.
//! 6. Two blocks for one path (compared case-insensitively, as a ZIP opened on macOS or
//!    Windows would): identical contents collapse into one file, different contents refuse
//!    the reply ([`Error::Conflict`]) — the model contradicted itself and guessing which one
//!    it meant would hand back a project nobody asked for. A path that is both a file and a
//!    directory of another file is refused too.
//! 7. A reply that ends inside a block is [`Error::Truncated`]: no partial file is returned —
//!    unless that block is an unnamed one after named files (a command, an example), which
//!    would not have been a file: it is dropped and [`Extraction::truncated`] is set.

mod blocks;

pub(crate) use blocks::fence_of;
mod json;
mod naming;
mod nesting;

use std::collections::{HashMap, HashSet};

use cistern_syntax::Language;
use serde::Serialize;

use crate::path::{PathError, ProjectPath};

/// Whether `reply` ends inside a fenced block (read as [`extract`] reads it).
pub(crate) fn ends_inside_fence(reply: &str) -> bool {
    let reply = reply.replace("\r\n", "\n");
    blocks::ends_inside_fence(&nesting::lengthen_outer_fences(&reply))
}

/// Most files one reply may yield.
pub const MAX_FILES: usize = 1000;

/// A file taken from the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct File {
    /// Where it goes in the project.
    pub path: ProjectPath,
    /// Its language, from the path ([`Language::from_path`]).
    pub language: Language,
    /// Its text, with `\n` line ends.
    pub content: String,
}

impl File {
    /// A file at `path` with its language detected from the path.
    pub fn new(path: ProjectPath, content: String) -> File {
        File {
            language: Language::from_path(path.as_str()),
            path,
            content,
        }
    }
}

/// Why a code block did not become a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SkipReason {
    /// A shell command, console output or tree in a reply that has files.
    Command,
    /// Code with no name in a reply whose other blocks are named (an example, a snippet).
    Unnamed,
    /// Same path and same content as an earlier block.
    Duplicate {
        /// The file it repeats.
        path: ProjectPath,
    },
    /// A second unnamed block of a language whose default name is taken.
    DefaultNameTaken {
        /// The default name.
        path: ProjectPath,
    },
}

/// A code block that is not a file, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Skipped {
    /// 1-based line of its opening fence in the reply.
    pub line: usize,
    /// Its info string (`bash`, `text`, empty).
    pub info: String,
    /// Why it was left out.
    pub reason: SkipReason,
}

/// What a reply holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extraction {
    /// The files, in reply order.
    pub files: Vec<File>,
    /// Blocks that are not files.
    pub skipped: Vec<Skipped>,
    /// The reply was cut off outside a file ([`Options::cut_off`] after a complete block, or
    /// inside a trailing command block): every file is whole, but the project may lack files
    /// that were to follow.
    pub truncated: bool,
}

/// How the reply ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The model stopped for length (finish reason `length` / `max_tokens`).
    pub cut_off: bool,
}

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

/// Extracts the files of a reply that ended normally. See the module doc for the rules.
pub fn extract(reply: &str) -> Result<Extraction, Error> {
    extract_with(reply, Options::default())
}

/// Extracts the files of a reply, knowing how it ended.
pub fn extract_with(reply: &str, options: Options) -> Result<Extraction, Error> {
    let reply = reply.replace("\r\n", "\n");
    if let Some(files) = json::files(&reply)? {
        return finish(
            files
                .into_iter()
                .map(|(path, content)| (path, content, 0))
                .collect(),
            Vec::new(),
            options,
        );
    }
    let reply = nesting::lengthen_outer_fences(&reply);
    let mut blocks = blocks::fenced_blocks(&reply);
    let mut cut_in_skipped_block = false;
    if let Some(open) = blocks.last().filter(|b| !b.closed) {
        let name = name_of(open);
        let other_named = blocks[..blocks.len() - 1]
            .iter()
            .any(|b| name_of(b).is_some());
        // A cut-off command or example after named files loses nothing: it would not be a
        // file. Any other open block would be a partial file.
        if name.is_some() || !other_named {
            let path = name.and_then(|(raw, _)| ProjectPath::parse(&raw).ok());
            return Err(Error::Truncated { path });
        }
        blocks.pop();
        cut_in_skipped_block = true;
    }
    let options = Options {
        cut_off: options.cut_off || cut_in_skipped_block,
    };
    let mut named = Vec::new();
    let mut unnamed = Vec::new();
    for block in blocks {
        match name_of(&block) {
            Some((raw, content)) => named.push((raw, content, block.line)),
            None => unnamed.push(block),
        }
    }
    let mut skipped = Vec::new();
    if named.is_empty() {
        named = default_names(unnamed, &mut skipped);
    } else {
        for block in unnamed {
            let reason = if naming::is_command_or_output(fence_word(&block.info)) {
                SkipReason::Command
            } else {
                SkipReason::Unnamed
            };
            skipped.push(Skipped {
                line: block.line,
                info: block.info,
                reason,
            });
        }
    }
    finish(named, skipped, options)
}

/// The raw path of a block and its content (without a path comment that named it).
/// Names found in a label or a comment must fit the fence's language
/// ([`naming::fits_fence`]); a name in the info string is the model's explicit word.
fn name_of(block: &blocks::Block) -> Option<(String, String)> {
    let fence = fence_word(&block.info).to_ascii_lowercase();
    let fits = |path: &String| naming::fits_fence(&fence, path);
    naming::from_info(&block.info)
        .or_else(|| {
            block
                .label
                .as_deref()
                .and_then(naming::from_label)
                .filter(fits)
        })
        .map(|path| (path, block.content.clone()))
        .or_else(|| naming::from_first_line(&block.content).filter(|(path, _)| fits(path)))
}

/// The language word of an info string (`python` in `{.python file=x}` or `python:x`).
fn fence_word(info: &str) -> &str {
    let first = info.split_whitespace().next().unwrap_or("");
    let first = first.trim_start_matches(['{', '.']).trim_end_matches('}');
    first.split(':').next().unwrap_or(first)
}

/// Names the unnamed blocks of a reply without named ones.
fn default_names(
    unnamed: Vec<blocks::Block>,
    skipped: &mut Vec<Skipped>,
) -> Vec<(String, String, usize)> {
    let code = unnamed
        .iter()
        .filter(|b| !naming::is_command_or_output(fence_word(&b.info)))
        .count();
    let lone = unnamed.len() == 1;
    let mut taken: HashSet<String> = HashSet::new();
    let mut named = Vec::new();
    for block in unnamed {
        let word = fence_word(&block.info);
        let command = naming::is_command_or_output(word);
        let name = if command && !(lone || code == 0 && taken.is_empty()) {
            None
        } else {
            naming::default_name(word, &block.content)
        };
        let Some(name) = name else {
            let reason = if command {
                SkipReason::Command
            } else {
                SkipReason::Unnamed
            };
            skipped.push(Skipped {
                line: block.line,
                info: block.info,
                reason,
            });
            continue;
        };
        if !taken.insert(name.clone()) {
            let path = ProjectPath::parse(&name).ok();
            if let Some(path) = path {
                skipped.push(Skipped {
                    line: block.line,
                    info: block.info,
                    reason: SkipReason::DefaultNameTaken { path },
                });
            }
            continue;
        }
        named.push((name, block.content, block.line));
    }
    named
}

/// Validates paths, collapses duplicates and refuses conflicts.
fn finish(
    named: Vec<(String, String, usize)>,
    mut skipped: Vec<Skipped>,
    options: Options,
) -> Result<Extraction, Error> {
    let mut files: Vec<File> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (raw, content, line) in named {
        let path = ProjectPath::parse(&raw).map_err(|reason| Error::Path {
            path: raw.clone(),
            line,
            reason,
        })?;
        let key = path.as_str().to_lowercase();
        if let Some(&index) = by_key.get(&key) {
            if files[index].content != content {
                return Err(Error::Conflict {
                    path: files[index].path.clone(),
                    first_line: lines[index],
                    second_line: line,
                });
            }
            skipped.push(Skipped {
                line,
                info: String::new(),
                reason: SkipReason::Duplicate { path },
            });
            continue;
        }
        if files.len() == MAX_FILES {
            return Err(Error::TooManyFiles);
        }
        by_key.insert(key, files.len());
        lines.push(line);
        files.push(File::new(path, content));
    }
    let directories: HashSet<String> = files
        .iter()
        .flat_map(|f| {
            f.path
                .ancestors()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    if let Some(file) = files
        .iter()
        .find(|f| directories.contains(&f.path.as_str().to_lowercase()))
    {
        return Err(Error::FileDirectoryClash {
            path: file.path.clone(),
        });
    }
    if files.is_empty() {
        return Err(Error::NoFiles);
    }
    Ok(Extraction {
        files,
        skipped,
        truncated: options.cut_off,
    })
}

#[cfg(test)]
mod tests;
