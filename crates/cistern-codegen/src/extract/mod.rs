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
mod defaults;
mod error;

pub(crate) use blocks::fence_of;
pub use error::Error;
pub use progress::{Progress, progress};
mod json;
mod naming;
mod nesting;
mod progress;

use std::collections::{HashMap, HashSet};

use cistern_syntax::Language;
use serde::{Deserialize, Serialize};

use crate::path::ProjectPath;

/// Whether `reply` ends inside a fenced block (read as [`extract`] reads it).
pub(crate) fn ends_inside_fence(reply: &str) -> bool {
    let reply = reply.replace("\r\n", "\n");
    blocks::ends_inside_fence(&nesting::lengthen_outer_fences(&reply))
}

/// Most files one reply may yield.
pub const MAX_FILES: usize = 1000;

/// A file taken from the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        named = defaults::name_unnamed(unnamed, &mut skipped);
    } else {
        for block in unnamed {
            let reason = if defaults::is_command_or_output(fence_word(&block.info)) {
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
/// ([`defaults::fits_fence`]); a name in the info string is the model's explicit word.
fn name_of(block: &blocks::Block) -> Option<(String, String)> {
    let fence = fence_word(&block.info).to_ascii_lowercase();
    let fits = |path: &String| defaults::fits_fence(&fence, path);
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
pub(super) fn fence_word(info: &str) -> &str {
    let first = info.split_whitespace().next().unwrap_or("");
    let first = first.trim_start_matches(['{', '.']).trim_end_matches('}');
    first.split(':').next().unwrap_or(first)
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
