//! A model's reply → [`Edit`]s: SEARCH/REPLACE blocks, unified diffs and fenced whole files.
//!
//! - A block is `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` (5 to 9 marker characters,
//!   trailing spaces allowed), anywhere: inside a ``` fence or outside, with prose around.
//! - Its path is the nearest non-blank line above it (or above its fence) when that line is a
//!   path alone — decorations like `**src/a.rs**`, `` `a.py`: ``, `### a.py`, `File: a.py`
//!   are removed — or the fence's info string (```` ```python a.py ````). A block without one
//!   inherits the path of the block before it (several blocks for one file).
//! - A fenced block that holds no SEARCH marker is a whole file when it has a path (its info
//!   string `lang path`, or a path alone on the line before the fence); fenced code without a
//!   path is prose and ignored.
//! - A unified diff (git's `diff --git` or a plain `--- x` / `+++ y` pair), bare or in a fence,
//!   is read by the `udiff` module: one [`EditKind::Hunk`] per hunk, after a
//!   [`EditKind::Create`], [`EditKind::Delete`] or [`EditKind::Rename`] for the file when its
//!   header says so. A ```` ```diff ```` (or `patch`) fence with hunks but no `---`/`+++`
//!   names takes its path like a whole file (info string, or the line before the fence).
//! - Paths are relative, `/`-separated, never `..`, absolute or inside `.git`.

use crate::error::Error;
use crate::udiff;

/// One change a reply asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The normalised relative path (`src/main.rs`).
    pub path: String,
    /// 1-based line of the block's first line in the reply.
    pub line: usize,
    /// What to do.
    pub kind: EditKind,
}

/// What an [`Edit`] does. Lines carry no line endings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditKind {
    /// Replace the lines matching `search` with `replace`; an empty `search` creates the file.
    SearchReplace {
        /// The lines to find.
        search: Vec<String>,
        /// The lines to put in their place.
        replace: Vec<String>,
    },
    /// The file's whole new content.
    WholeFile {
        /// Its lines.
        lines: Vec<String>,
    },
    /// One hunk of a unified diff: its context and removed lines to find, its context and
    /// added lines to put there — located and applied exactly as a SEARCH/REPLACE block.
    Hunk {
        /// Context and removed lines, in order.
        search: Vec<String>,
        /// Context and added lines, in order.
        replace: Vec<String>,
        /// The `@@` header's old start line, when it has one: it picks among several matches
        /// only when exactly one of them starts there.
        old_start: Option<usize>,
        /// Whether the file ends with a newline after this hunk, when a
        /// `\ No newline at end of file` marker says so (applied when the hunk reaches the
        /// file's end).
        final_newline: Option<bool>,
    },
    /// The file is new (a diff from `/dev/null`): it must not exist; its hunks add its lines.
    Create,
    /// The file is deleted (a diff to `/dev/null`, `deleted file mode`): it must exist, and its
    /// hunks, if any, must match it and remove every line.
    Delete,
    /// The file at `from` moves to this edit's path, which must be free; the hunks for this
    /// path apply to `from`'s content.
    Rename {
        /// The old path (normalised).
        from: String,
    },
}

/// Reads every edit in `reply`, in reply order. An empty list means the reply has none.
pub fn parse(reply: &str) -> Result<Vec<Edit>, Error> {
    let lines: Vec<&str> = reply.lines().collect();
    let mut edits = Vec::new();
    let mut last_path: Option<String> = None;
    // A fence that wraps SEARCH/REPLACE blocks or diffs: its lines are read as if it were not
    // there. With the index of its closing line (or the reply's end).
    let mut wrapper: Option<(Fence, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_search(line) {
            let path = match path_before(&lines, i, i + 1)? {
                Some(path) => path,
                None => last_path
                    .clone()
                    .ok_or(Error::MissingPath { line: i + 1 })?,
            };
            let (edit, next) = read_block(&lines, i, path)?;
            last_path = Some(edit.path.clone());
            edits.push(edit);
            i = next;
            continue;
        }
        if udiff::starts(&lines, i) {
            let (end, fenced) = wrapper
                .as_ref()
                .map_or((lines.len(), false), |w| (w.1, true));
            let (mut found, next) = udiff::read_file(&lines, i, end, fenced)?;
            edits.append(&mut found);
            i = next.max(i + 1);
            continue;
        }
        if let Some(fence) = Fence::open(line) {
            if wrapper.as_ref().is_some_and(|(w, _)| fence.closes(w)) {
                wrapper = None;
                i += 1;
                continue;
            }
            let close = (i + 1..lines.len())
                .find(|&j| Fence::open(lines[j]).is_some_and(|f| f.closes(&fence)));
            let body_end = close.unwrap_or(lines.len());
            let body = &lines[i + 1..body_end];
            let has_file_diff = (i + 1..body_end).any(|j| udiff::starts(&lines, j));
            if body.iter().any(|l| is_search(l))
                || (has_file_diff && (fence.is_diff(body) || fence.info.is_empty()))
            {
                wrapper = Some((fence, body_end));
                i += 1;
                continue;
            }
            if fence.is_diff(body) {
                // Hunks without `---`/`+++` names: the path is the fence's, as for a whole file.
                let path = match info_path(fence.info) {
                    Some(raw) => Some(normalise(raw, i + 1)?),
                    None => path_line_before(&lines, i, i + 1)?,
                };
                let hunks = body.iter().any(|l| l.starts_with("@@"));
                match path {
                    Some(path) => {
                        let (mut found, _) = udiff::read_hunks(&lines, i + 1, body_end, &path)?;
                        edits.append(&mut found);
                    }
                    None if hunks => return Err(Error::MissingPath { line: i + 1 }),
                    None => {}
                }
                i = body_end + 1;
                continue;
            }
            let path = match info_path(fence.info) {
                Some(raw) => Some(normalise(raw, i + 1)?),
                None => path_line_before(&lines, i, i + 1)?,
            };
            match (path, close) {
                (Some(path), Some(close)) => {
                    edits.push(Edit {
                        path,
                        line: i + 1,
                        kind: EditKind::WholeFile {
                            lines: lines[i + 1..close]
                                .iter()
                                .map(|l| (*l).to_owned())
                                .collect(),
                        },
                    });
                    i = close + 1;
                }
                (Some(path), None) => {
                    return Err(Error::Malformed {
                        line: i + 1,
                        reason: format!("the code block for `{path}` is never closed (cut off?)"),
                    });
                }
                (None, Some(close)) => i = close + 1,
                (None, None) => i = lines.len(),
            }
            continue;
        }
        i += 1;
    }
    Ok(edits)
}

/// Reads the block whose `<<<<<<< SEARCH` is `lines[start]`; returns it and the next line.
fn read_block(lines: &[&str], start: usize, path: String) -> Result<(Edit, usize), Error> {
    let malformed = |line: usize, reason: &str| Error::Malformed {
        line: line + 1,
        reason: reason.to_owned(),
    };
    let mut j = start + 1;
    let mut search = Vec::new();
    loop {
        let Some(line) = lines.get(j) else {
            return Err(malformed(
                start,
                "`<<<<<<< SEARCH` has no `=======` after it (cut off?)",
            ));
        };
        if is_divider(line) {
            break;
        }
        if is_search(line) || is_replace(line) {
            return Err(malformed(
                j,
                "expected `=======` between SEARCH and REPLACE",
            ));
        }
        search.push((*line).to_owned());
        j += 1;
    }
    j += 1;
    let mut replace = Vec::new();
    loop {
        let Some(line) = lines.get(j) else {
            return Err(malformed(
                start,
                "`<<<<<<< SEARCH` is never closed by `>>>>>>> REPLACE` (cut off?)",
            ));
        };
        if is_replace(line) {
            break;
        }
        if is_search(line) || is_divider(line) {
            return Err(malformed(
                j,
                "expected `>>>>>>> REPLACE` to close the block",
            ));
        }
        replace.push((*line).to_owned());
        j += 1;
    }
    let edit = Edit {
        path,
        line: start + 1,
        kind: EditKind::SearchReplace { search, replace },
    };
    Ok((edit, j + 1))
}

fn marker(line: &str, c: char, word: &str) -> bool {
    let line = line.trim_end();
    let count = line.chars().take_while(|&x| x == c).count();
    (5..=9).contains(&count) && line[count..].trim_start() == word
}

pub(crate) fn is_search(line: &str) -> bool {
    marker(line, '<', "SEARCH")
}

fn is_divider(line: &str) -> bool {
    marker(line, '=', "")
}

fn is_replace(line: &str) -> bool {
    marker(line, '>', "REPLACE")
}

/// A Markdown code fence line: ``` or ~~~ (3 or more), up to 3 spaces of indentation.
pub(crate) struct Fence<'a> {
    ch: char,
    len: usize,
    info: &'a str,
}

impl<'a> Fence<'a> {
    pub(crate) fn open(line: &'a str) -> Option<Fence<'a>> {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            return None;
        }
        let ch = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = trimmed.chars().take_while(|&x| x == ch).count();
        (len >= 3).then(|| Fence {
            ch,
            len,
            info: trimmed[len..].trim(),
        })
    }

    fn closes(&self, open: &Fence<'_>) -> bool {
        self.ch == open.ch && self.len >= open.len && self.info.is_empty()
    }

    /// A fence around a diff: its language is `diff` or `patch`, or its body starts with a
    /// file's diff header.
    fn is_diff(&self, body: &[&str]) -> bool {
        let language = self.info.split_whitespace().next().unwrap_or("");
        let first = body.iter().position(|l| !l.trim().is_empty());
        ["diff", "patch", "udiff"].contains(&language.to_ascii_lowercase().as_str())
            || first.is_some_and(|j| udiff::starts(body, j))
    }
}

/// The path for a block at `lines[at]`: the line above it, or above its fence (whose info
/// string may name the path itself). `None` when there is no path line there.
fn path_before(lines: &[&str], at: usize, reply_line: usize) -> Result<Option<String>, Error> {
    let Some(above) = previous_non_blank(lines, at) else {
        return Ok(None);
    };
    if let Some(fence) = Fence::open(lines[above]) {
        if fence.info.is_empty() && previous_fence_is_open(lines, above) {
            return Ok(None); // a closing fence: the path belongs to an earlier block
        }
        if let Some(raw) = info_path(fence.info) {
            return normalise(raw, reply_line).map(Some);
        }
        return path_line_before(lines, above, reply_line);
    }
    path_line_before(lines, at, reply_line)
}

/// Whether the fence line at `at` closes an earlier one (an odd number of fences above it).
fn previous_fence_is_open(lines: &[&str], at: usize) -> bool {
    lines[..at]
        .iter()
        .filter(|l| Fence::open(l).is_some())
        .count()
        % 2
        == 1
}

fn previous_non_blank(lines: &[&str], at: usize) -> Option<usize> {
    (0..at).rev().find(|&j| !lines[j].trim().is_empty())
}

/// The nearest non-blank line above `at`, when it is a path alone.
fn path_line_before(lines: &[&str], at: usize, reply_line: usize) -> Result<Option<String>, Error> {
    match previous_non_blank(lines, at).and_then(|j| clean_path_line(lines[j])) {
        Some(raw) => normalise(raw, reply_line).map(Some),
        None => Ok(None),
    }
}

/// A path in a fence's info string: ```` ```python src/a.py ```` or ```` ```src/a.py ````.
fn info_path(info: &str) -> Option<&str> {
    let mut words = info.split_whitespace();
    let first = words.next()?;
    let candidate = words.last().unwrap_or(first);
    let candidate = candidate
        .strip_prefix("path=")
        .or_else(|| candidate.strip_prefix("title="))
        .unwrap_or(candidate)
        .trim_matches(['"', '\'']);
    let named = candidate.contains('/') || candidate.contains('.');
    (named && looks_like_path(candidate)).then_some(candidate)
}

/// A line that is a file path alone, decorations removed.
fn clean_path_line(line: &str) -> Option<&str> {
    let mut s = line.trim().trim_start_matches('#').trim();
    for prefix in ["File:", "file:", "Path:", "path:", "Filename:", "filename:"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim();
        }
    }
    let s = s
        .trim_end_matches(':')
        .trim_matches(['*', '`', '"', '\''])
        .trim_end_matches(':');
    let known = [
        "Makefile",
        "Dockerfile",
        "Gemfile",
        "Procfile",
        "Justfile",
        "Rakefile",
        "LICENSE",
    ];
    let named = s.contains('/') || s.contains('.') || known.contains(&s);
    (named && looks_like_path(s)).then_some(s)
}

fn looks_like_path(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with("```")
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>|*?\"`".contains(c))
        && s.chars().any(char::is_alphanumeric)
}

/// A safe relative path: `./` and repeated slashes removed; absolute paths, `..`, `\`,
/// drive letters and `.git` refused.
pub(crate) fn normalise(raw: &str, line: usize) -> Result<String, Error> {
    let refuse = |reason| Error::Path {
        path: raw.to_owned(),
        line,
        reason,
    };
    if raw.starts_with('/') || raw.starts_with('~') {
        return Err(refuse("it is absolute; use a path relative to the project"));
    }
    if raw.contains('\\') || raw.contains(':') {
        return Err(refuse("use `/` between directories, and no `:`"));
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(refuse("it leaves the project (`..`)")),
            _ if part.eq_ignore_ascii_case(".git") => return Err(refuse("`.git` is not editable")),
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(refuse("it names no file"));
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_decorations_are_removed() {
        for line in [
            "src/a.rs",
            "**src/a.rs**",
            "`src/a.rs`:",
            "### src/a.rs",
            "File: src/a.rs",
            "./src//a.rs",
        ] {
            let raw = clean_path_line(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(normalise(raw, 1), Ok("src/a.rs".to_owned()), "{line}");
        }
        for line in ["Here is the change:", "Then:", "", "```python"] {
            assert_eq!(clean_path_line(line), None, "{line}");
        }
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for raw in [
            "/etc/passwd",
            "../x.py",
            "a/../../b",
            ".git/config",
            "C:x",
            "a\\b",
        ] {
            assert!(normalise(raw, 3).is_err(), "{raw}");
        }
    }

    #[test]
    fn fence_info_names_a_path() {
        assert_eq!(info_path("python src/app.py"), Some("src/app.py"));
        assert_eq!(info_path("src/app.py"), Some("src/app.py"));
        assert_eq!(info_path("python"), None);
        assert_eq!(info_path(""), None);
    }
}
