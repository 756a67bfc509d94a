//! The agent's tools and the working copy they act on: the workspace as the task read it
//! (contents loaded from the blobs as the model asks for them) with the edits it proposed so
//! far applied on top. Nothing here writes to the workspace: a task's proposal reaches the tree
//! only through an accept.

use std::collections::{BTreeMap, BTreeSet};

use cistern_edit::{Change, Tree};
use cistern_llm::Tool;
use cistern_store::BlobStore;
use serde::Deserialize;
use serde_json::json;

use super::AgentConfig;
use super::blobs;
use super::error::Result;

/// `list_files`.
pub const LIST_FILES: &str = "list_files";
/// `read_file`.
pub const READ_FILE: &str = "read_file";
/// `search`.
pub const SEARCH: &str = "search";
/// `propose_edits`.
pub const PROPOSE_EDITS: &str = "propose_edits";
/// `finish`.
pub const FINISH: &str = "finish";

/// Longest regex `search` compiles, in bytes of its program (the regex crate's size limit).
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Longest line `search` shows, in characters.
const SEARCH_LINE_CHARS: usize = 200;

/// The tools offered to the model; `propose_edits` only when the mode edits.
pub fn definitions(edits: bool) -> Vec<Tool> {
    let mut tools = vec![
        Tool::function(
            LIST_FILES,
            "List the workspace's files with their sizes in bytes.",
            json!({"type": "object", "properties": {}, "additionalProperties": false}),
        ),
        Tool::function(
            READ_FILE,
            "Read a file, with line numbers. Give start_line/end_line (1-based, inclusive) to read part of a long file.",
            json!({"type": "object", "properties": {
                "path": {"type": "string", "description": "Relative path, as list_files shows it"},
                "start_line": {"type": "integer", "minimum": 1},
                "end_line": {"type": "integer", "minimum": 1}
            }, "required": ["path"], "additionalProperties": false}),
        ),
        Tool::function(
            SEARCH,
            "Search the workspace's files with a regular expression (Rust regex syntax); answers path:line: text for each matching line.",
            json!({"type": "object", "properties": {
                "pattern": {"type": "string"},
                "path_prefix": {"type": "string", "description": "Only files under this folder"}
            }, "required": ["pattern"], "additionalProperties": false}),
        ),
    ];
    if edits {
        tools.push(Tool::function(
            PROPOSE_EDITS,
            "Propose changes as SEARCH/REPLACE blocks (the file path on the line before each block; SEARCH copies the current lines exactly, enough of them to be unique), a unified diff, or a whole new file in a fenced block with its path. Every block must apply or none does; you get the reason back and may try again.",
            json!({"type": "object", "properties": {
                "edits": {"type": "string"}
            }, "required": ["edits"], "additionalProperties": false}),
        ));
    }
    tools.push(Tool::function(
        FINISH,
        "End the task with an explanation for the user (Markdown): what you changed and why, or the answer to their question.",
        json!({"type": "object", "properties": {
            "explanation": {"type": "string"}
        }, "required": ["explanation"], "additionalProperties": false}),
    ));
    tools
}

/// The workspace as the task sees it: the base (hashes, contents as loaded) and the proposed
/// edits applied so far.
pub struct WorkingCopy {
    workspace_id: String,
    blobs: BlobStore,
    /// Path → hash of the tree the task read.
    pub base: BTreeMap<String, String>,
    /// Contents loaded so far, edits applied.
    current: Tree,
    /// Base contents loaded so far.
    originals: BTreeMap<String, String>,
    /// Files the proposals touched.
    touched: BTreeSet<String>,
}

impl WorkingCopy {
    /// A working copy of `base` (path → hash).
    pub fn new(blobs: BlobStore, workspace_id: &str, base: BTreeMap<String, String>) -> Self {
        Self {
            workspace_id: workspace_id.to_owned(),
            blobs,
            base,
            current: Tree::new(),
            originals: BTreeMap::new(),
            touched: BTreeSet::new(),
        }
    }

    /// Loads base files not loaded yet (a path not in the base is left out: a new file).
    pub async fn load(&mut self, paths: impl IntoIterator<Item = &str>) -> Result<()> {
        for path in paths {
            if self.originals.contains_key(path) || self.touched.contains(path) {
                continue;
            }
            if let Some(hash) = self.base.get(path) {
                let content = blobs::read(&self.blobs, &self.workspace_id, hash).await?;
                self.current.insert(path, content.clone());
                self.originals.insert(path.to_owned(), content);
            }
        }
        Ok(())
    }

    /// Loads every base file (for a search or diagnostics).
    pub async fn load_all(&mut self) -> Result<()> {
        let paths: Vec<String> = self.base.keys().cloned().collect();
        self.load(paths.iter().map(String::as_str)).await
    }

    /// Every path now: the base's, less those deleted, and new ones.
    pub fn paths(&self) -> BTreeSet<String> {
        // A touched file is in `current` unless the proposals deleted it.
        let mut paths: BTreeSet<String> = self
            .base
            .keys()
            .filter(|p| !self.touched.contains(*p))
            .cloned()
            .collect();
        paths.extend(self.current.iter().map(|(p, _)| p.to_owned()));
        paths
    }

    /// A loaded file's content now.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.current.get(path)
    }

    /// The loaded contents now.
    pub fn tree(&self) -> &Tree {
        &self.current
    }

    /// Applies a model's edits: the files they name are loaded, the engine applies them all
    /// or refuses them all. Returns the changed paths, or the refusal's text for the model.
    pub async fn propose(&mut self, edits: &str) -> Result<Result<Vec<String>, String>> {
        let parsed = match cistern_edit::parse(edits) {
            Ok(parsed) => parsed,
            Err(error) => return Ok(Err(error.to_string())),
        };
        let paths: Vec<String> = super::cli::paths(&parsed).map(str::to_owned).collect();
        self.load(paths.iter().map(String::as_str)).await?;
        match cistern_edit::apply_edits(&self.current, &parsed) {
            Ok(changes) => {
                let mut changed: Vec<String> = Vec::new();
                for (path, change) in &changes.files {
                    changed.push(path.clone());
                    if let Change::Renamed { from, .. } = change {
                        changed.push(from.clone());
                    }
                }
                self.current.apply(&changes);
                self.touched.extend(changed.iter().cloned());
                Ok(Ok(changed))
            }
            Err(refusal) => Ok(Err(refusal.to_string())),
        }
    }

    /// The state now, to go back to with [`WorkingCopy::rollback`].
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            current: self.current.clone(),
            touched: self.touched.clone(),
        }
    }

    /// Back to a checkpoint (a proposal the syntax check refused).
    pub fn rollback(&mut self, checkpoint: Checkpoint) {
        self.current = checkpoint.current;
        self.touched = checkpoint.touched;
    }

    /// Path → (base content, content now) of every file whose content differs from the base.
    pub fn changes(&self) -> Vec<(String, Option<String>, Option<String>)> {
        self.touched
            .iter()
            .filter_map(|path| {
                let before = self.originals.get(path).cloned();
                let after = self.current.get(path).map(str::to_owned);
                (before != after).then(|| (path.clone(), before, after))
            })
            .collect()
    }

    /// The base content of a loaded file.
    pub fn original(&self, path: &str) -> Option<&str> {
        self.originals.get(path).map(String::as_str)
    }
}

/// A [`WorkingCopy`]'s proposed state at one moment.
pub struct Checkpoint {
    current: Tree,
    touched: BTreeSet<String>,
}

/// `read_file`'s arguments.
#[derive(Debug, Deserialize)]
pub struct ReadArgs {
    /// The file.
    pub path: String,
    /// First line, 1-based.
    pub start_line: Option<usize>,
    /// Last line, inclusive.
    pub end_line: Option<usize>,
}

/// `read_file`: the lines with their numbers, at most `max_lines` of them.
pub fn read(content: &str, args: &ReadArgs, max_lines: usize) -> String {
    let lines: Vec<&str> = content.lines().collect();
    let total = lines.len();
    if total == 0 {
        return format!("{} is empty.", args.path);
    }
    let start = args.start_line.unwrap_or(1).clamp(1, total);
    let end = args.end_line.unwrap_or(total).clamp(start, total);
    let end = end.min(start + max_lines - 1);
    let width = end.to_string().len();
    let mut out = String::new();
    for (i, line) in lines[start - 1..end].iter().enumerate() {
        out.push_str(&format!("{:>width$}| {line}\n", start + i));
    }
    if end < total {
        out.push_str(&format!(
            "({} has {total} lines; read on with start_line = {})\n",
            args.path,
            end + 1
        ));
    }
    out
}

/// `search`'s arguments.
#[derive(Debug, Deserialize)]
pub struct SearchArgs {
    /// A regular expression.
    pub pattern: String,
    /// Only files under this folder.
    pub path_prefix: Option<String>,
}

/// `search`: matching lines as `path:line: text`, at most `max` of them; a bad pattern is
/// an answer for the model, not an error.
pub fn search(tree: &Tree, args: &SearchArgs, max: usize) -> String {
    let regex = match regex::RegexBuilder::new(&args.pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(r) => r,
        Err(e) => return format!("The pattern is not a valid regular expression: {e}"),
    };
    let prefix = args.path_prefix.as_deref().unwrap_or("").trim_matches('/');
    let mut out = String::new();
    let mut found = 0;
    for (path, content) in tree.iter() {
        if !prefix.is_empty() && !path.starts_with(prefix) {
            continue;
        }
        for (i, line) in content.lines().enumerate() {
            if regex.is_match(line) {
                found += 1;
                if found <= max {
                    let shown: String = line.chars().take(SEARCH_LINE_CHARS).collect();
                    out.push_str(&format!("{path}:{}: {}\n", i + 1, shown.trim_end()));
                }
            }
        }
    }
    match found {
        0 => format!("No line matches /{}/.", args.pattern),
        n if n > max => format!("{out}({n} matches; the first {max} shown — narrow the pattern)\n"),
        _ => out,
    }
}

/// `list_files`: one line per file with its size.
pub fn list(copy: &WorkingCopy, sizes: &BTreeMap<String, i64>, config: &AgentConfig) -> String {
    let paths = copy.paths();
    let mut out = String::new();
    for path in paths.iter().take(config.max_files) {
        let size = copy
            .get(path)
            .map(|c| c.len() as i64)
            .or_else(|| sizes.get(path).copied())
            .unwrap_or(0);
        out.push_str(&format!("{path} ({size} bytes)\n"));
    }
    if out.is_empty() {
        out.push_str("The workspace has no files.\n");
    }
    out
}
