//! The unified diff shown to the user, made from before and after (never the model's own
//! diff), with each hunk's numbers so hunks can be accepted or rejected by id.

use similar::{DiffOp, TextDiff};

/// One file's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// The file's path.
    pub path: String,
    /// The unified diff (`--- a/path`, `+++ b/path`, hunks); empty when nothing changed.
    pub patch: String,
    /// Its hunks, in file order.
    pub hunks: Vec<Hunk>,
}

/// One hunk of a [`FileDiff`]; the numbers are those of its `@@` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// 1-based number of the hunk in the file's diff.
    pub id: usize,
    /// The header line as in `patch`, `@@ -old_start,old_lines +new_start,new_lines @@` (a
    /// count of 1 is left out, as `diff -u` does).
    pub header: String,
    /// First old line (1-based; the line before, for an empty range, as in `diff -u`).
    pub old_start: usize,
    /// How many old lines the hunk covers.
    pub old_lines: usize,
    /// First new line (same convention).
    pub new_start: usize,
    /// How many new lines the hunk covers.
    pub new_lines: usize,
}

/// Lines of context around each change.
pub const CONTEXT: usize = 3;

/// The diff of `path` from `before` to `after`; `None` is a file that does not exist (a
/// created file diffs from `/dev/null`, as git writes it).
pub fn unified_diff(path: &str, before: Option<&str>, after: Option<&str>) -> FileDiff {
    let old = before.unwrap_or("");
    let new = after.unwrap_or("");
    let diff = TextDiff::from_lines(old, new);
    let old_name = before.map_or("/dev/null".to_owned(), |_| format!("a/{path}"));
    let new_name = after.map_or("/dev/null".to_owned(), |_| format!("b/{path}"));
    let mut unified = diff.unified_diff();
    unified.context_radius(CONTEXT).header(&old_name, &new_name);
    let hunks: Vec<Hunk> = unified
        .iter_hunks()
        .enumerate()
        .map(|(i, hunk)| numbers(i + 1, hunk.ops()))
        .collect();
    let patch = if hunks.is_empty() {
        String::new()
    } else {
        unified.to_string()
    };
    FileDiff {
        path: path.to_owned(),
        patch,
        hunks,
    }
}

fn numbers(id: usize, ops: &[DiffOp]) -> Hunk {
    let (first, last) = match (ops.first(), ops.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => {
            return Hunk {
                id,
                header: "@@ -0,0 +0,0 @@".to_owned(),
                old_start: 0,
                old_lines: 0,
                new_start: 0,
                new_lines: 0,
            };
        }
    };
    let range = |start: usize, end: usize| {
        let len = end.saturating_sub(start);
        let first = if len == 0 { start } else { start + 1 };
        (first, len)
    };
    let (old_start, old_lines) = range(first.old_range().start, last.old_range().end);
    let (new_start, new_lines) = range(first.new_range().start, last.new_range().end);
    Hunk {
        id,
        header: format!(
            "@@ -{} +{} @@",
            span(old_start, old_lines),
            span(new_start, new_lines)
        ),
        old_start,
        old_lines,
        new_start,
        new_lines,
    }
}

/// A header range as `diff -u` writes it: `5` for one line, `5,3` otherwise.
fn span(start: usize, lines: usize) -> String {
    if lines == 1 {
        start.to_string()
    } else {
        format!("{start},{lines}")
    }
}
