//! The unified diff shown to the user, made from before and after (never the model's own
//! diff), with each hunk's numbers so hunks can be accepted or rejected by id.
//!
//! The patch is what `git diff` writes and re-applies with `git apply` (tested): a
//! `diff --git` line, `new file mode`/`deleted file mode` or `rename from`/`rename to` where
//! they apply, `---`/`+++` names, hunks, and `\ No newline at end of file` after a last line
//! without one. Lines are split on `\n` only, as git does (a lone `\r` is part of its line).

use similar::{Algorithm, DiffOp, DiffTag, capture_diff_slices, group_diff_ops};

/// One file's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// The file's path (for a rename, the new path).
    pub path: String,
    /// The unified diff in git's format (`diff --git a/path b/path`, `--- a/path`,
    /// `+++ b/path`, hunks); empty when nothing changed.
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
/// created file diffs from `/dev/null` under `new file mode`, a deleted one to `/dev/null`
/// under `deleted file mode`, as git writes them).
pub fn unified_diff(path: &str, before: Option<&str>, after: Option<&str>) -> FileDiff {
    render(path, path, before, after)
}

/// The diff of a file renamed from `from` to `to` (with `rename from`/`rename to` headers,
/// and hunks when its content changed too).
pub fn renamed_diff(from: &str, to: &str, before: &str, after: &str) -> FileDiff {
    render(from, to, Some(before), Some(after))
}

/// A text's lines as git counts them: split after each `\n`, endings kept.
pub(crate) fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The operations turning `old` lines into `new` ones: similar's Myers diff, with each
/// operation's indices recomputed from the lengths before it. similar 2.7 can give a `Delete`
/// a stale `new_index` (one `Delete { old_index: 3, old_len: 2, new_index: 3 }` came right
/// after an `Equal` that ends at new line 4), which made wrong `@@` numbers that git refused.
pub(crate) fn ops(old: &[&str], new: &[&str]) -> Vec<DiffOp> {
    let (mut o, mut n) = (0, 0);
    capture_diff_slices(Algorithm::Myers, old, new)
        .into_iter()
        .map(|op| {
            let (old_len, new_len) = (op.old_range().len(), op.new_range().len());
            let fixed = match op.tag() {
                DiffTag::Equal => DiffOp::Equal {
                    old_index: o,
                    new_index: n,
                    len: old_len,
                },
                DiffTag::Delete => DiffOp::Delete {
                    old_index: o,
                    old_len,
                    new_index: n,
                },
                DiffTag::Insert => DiffOp::Insert {
                    old_index: o,
                    new_index: n,
                    new_len,
                },
                DiffTag::Replace => DiffOp::Replace {
                    old_index: o,
                    old_len,
                    new_index: n,
                    new_len,
                },
            };
            (o, n) = (o + old_len, n + new_len);
            fixed
        })
        .collect()
}

/// The hunks' operations between `old` and `new` lines, grouped with [`CONTEXT`] lines around
/// each change (the grouping `unified_diff` numbers).
pub(crate) fn grouped_ops(old: &[&str], new: &[&str]) -> Vec<Vec<DiffOp>> {
    group_diff_ops(ops(old, new), CONTEXT)
        .into_iter()
        .filter(|ops| ops.iter().any(|op| op.tag() != DiffTag::Equal))
        .collect()
}

fn render(from: &str, to: &str, before: Option<&str>, after: Option<&str>) -> FileDiff {
    let old = lines(before.unwrap_or(""));
    let new = lines(after.unwrap_or(""));
    let groups = grouped_ops(&old, &new);
    let hunks: Vec<Hunk> = groups
        .iter()
        .enumerate()
        .map(|(i, ops)| numbers(i + 1, ops))
        .collect();
    let renamed = from != to && before.is_some() && after.is_some();
    let created_or_deleted = before.is_none() != after.is_none();
    let mut patch = String::new();
    if !hunks.is_empty() || renamed || created_or_deleted {
        patch.push_str(&format!("diff --git a/{from} b/{to}\n"));
        match (before, after) {
            (None, Some(_)) => patch.push_str("new file mode 100644\n"),
            (Some(_), None) => patch.push_str("deleted file mode 100644\n"),
            _ if renamed => {
                patch.push_str(&format!("rename from {from}\nrename to {to}\n"));
            }
            _ => {}
        }
    }
    if !hunks.is_empty() {
        let old_name = before.map_or("/dev/null".to_owned(), |_| format!("a/{from}"));
        let new_name = after.map_or("/dev/null".to_owned(), |_| format!("b/{to}"));
        patch.push_str(&format!("--- {old_name}\n+++ {new_name}\n"));
        for (hunk, ops) in hunks.iter().zip(&groups) {
            patch.push_str(&hunk.header);
            patch.push('\n');
            for op in ops {
                write_op(&mut patch, op, &old, &new);
            }
        }
    }
    FileDiff {
        path: to.to_owned(),
        patch,
        hunks,
    }
}

fn write_op(patch: &mut String, op: &DiffOp, old: &[&str], new: &[&str]) {
    let mut write = |prefix: char, line: &str| {
        patch.push(prefix);
        patch.push_str(line);
        if !line.ends_with('\n') {
            patch.push_str("\n\\ No newline at end of file\n");
        }
    };
    let (tag, old_range, new_range) = op.as_tag_tuple();
    match tag {
        DiffTag::Equal => old[old_range].iter().for_each(|l| write(' ', l)),
        DiffTag::Delete => old[old_range].iter().for_each(|l| write('-', l)),
        DiffTag::Insert => new[new_range].iter().for_each(|l| write('+', l)),
        DiffTag::Replace => {
            old[old_range].iter().for_each(|l| write('-', l));
            new[new_range].iter().for_each(|l| write('+', l));
        }
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
