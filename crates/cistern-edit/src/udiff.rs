//! Unified diffs as models write them → [`Edit`]s. Each hunk becomes an [`EditKind::Hunk`]:
//! its context and removed lines are what to find, its context and added lines what to put
//! there, so it is located and applied like a SEARCH/REPLACE block (never at its header's line
//! number, which only breaks a tie it points at exactly).
//!
//! Lenient where models slip, strict where a slip would be a guess:
//! - git (`diff --git a/x b/x`, `index …`, modes, `rename from`/`rename to`) or plain
//!   (`--- x` / `+++ x`, a tab and a timestamp after the name allowed); `a/` and `b/` prefixes
//!   removed; `/dev/null` for a new or deleted file; several files one after another.
//! - `@@ -12,7 +12,8 @@`, a bare `@@ ... @@` or `@@`; counts are never trusted (wrong counts
//!   are common), only used outside a fence to tell a context line that lost its leading space
//!   from the prose after the diff (which a blank line always ends). Inside a fence every unprefixed line is context, an empty
//!   line an empty context line; empty lines at a hunk's end are dropped (less context).
//! - `\ No newline at end of file` after a hunk's last added or context line: the file ends
//!   without a newline (after a removed line only: it ends with one).
//! - Binary patches and copies are refused as malformed.

use crate::error::Error;
use crate::parse::{Edit, EditKind, Fence, is_search, normalise};

/// Whether a file's diff starts at `lines[i]`: `diff --git …`, or `--- name` directly followed
/// by `+++ name`.
pub(crate) fn starts(lines: &[&str], i: usize) -> bool {
    let Some(line) = lines.get(i) else {
        return false;
    };
    line.starts_with("diff --git ")
        || (named(line, "--- ").is_some()
            && lines.get(i + 1).is_some_and(|l| named(l, "+++ ").is_some()))
}

/// The name after a `--- ` or `+++ ` prefix, if there is one.
fn named<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?;
    let name = rest
        .split('\t')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"');
    (!name.is_empty()).then_some(name)
}

/// Reads the file diff that [`starts`] at `lines[start]`, up to `end` (exclusive: the closing
/// fence of the block it is in, or the reply's end). Returns its edits and the next line.
pub(crate) fn read_file(
    lines: &[&str],
    start: usize,
    end: usize,
    fenced: bool,
) -> Result<(Vec<Edit>, usize), Error> {
    let header_line = start + 1;
    let malformed = |line: usize, reason: &str| Error::Malformed {
        line: line + 1,
        reason: reason.to_owned(),
    };
    let mut i = start;
    let (mut git_old, mut git_new) = (None, None);
    let (mut rename_from, mut rename_to) = (None, None);
    let (mut created, mut deleted) = (false, false);
    if let Some(rest) = lines[i].strip_prefix("diff --git ") {
        (git_old, git_new) = git_names(rest.trim());
        i += 1;
        while i < end {
            let line = lines[i];
            if let Some(path) = line.strip_prefix("rename from ") {
                rename_from = Some(path.trim());
            } else if let Some(path) = line.strip_prefix("rename to ") {
                rename_to = Some(path.trim());
            } else if line.starts_with("new file mode") {
                created = true;
            } else if line.starts_with("deleted file mode") {
                deleted = true;
            } else if line.starts_with("copy from ") || line.starts_with("copy to ") {
                return Err(malformed(
                    i,
                    "copies are not applied; create the new file with a diff from /dev/null",
                ));
            } else if line.starts_with("Binary files ") || line.starts_with("GIT binary patch") {
                return Err(malformed(i, "binary patches are not applied"));
            } else if ![
                "index ",
                "old mode ",
                "new mode ",
                "similarity index ",
                "dissimilarity index ",
            ]
            .iter()
            .any(|p| line.starts_with(p))
            {
                break;
            }
            i += 1;
        }
    }
    let (mut old, mut new) = (git_old, git_new);
    let git = old.is_some() || new.is_some();
    if i + 1 < end
        && let (Some(o), Some(n)) = (named(lines[i], "--- "), named(lines[i + 1], "+++ "))
    {
        let strip = git
            || ((o.starts_with("a/") || o == "/dev/null")
                && (n.starts_with("b/") || n == "/dev/null"));
        old = Some(if strip {
            o.strip_prefix("a/").unwrap_or(o)
        } else {
            o
        });
        new = Some(if strip {
            n.strip_prefix("b/").unwrap_or(n)
        } else {
            n
        });
        i += 2;
    }
    let old = if created {
        None
    } else {
        rename_from.or(old).filter(|p| *p != "/dev/null")
    };
    let new = if deleted {
        None
    } else {
        rename_to.or(new).filter(|p| *p != "/dev/null")
    };
    let old = old.map(|p| normalise(p, header_line)).transpose()?;
    let new = new.map(|p| normalise(p, header_line)).transpose()?;

    let (path, op) = match (old, new) {
        (None, None) => {
            return Err(malformed(
                start,
                "the diff names no file (both sides /dev/null?)",
            ));
        }
        (None, Some(path)) => (path, Some(EditKind::Create)),
        (Some(path), None) => (path, Some(EditKind::Delete)),
        (Some(from), Some(to)) if from != to => (to, Some(EditKind::Rename { from })),
        (Some(path), Some(_)) => (path, None),
    };
    let mut edits: Vec<Edit> = op
        .map(|kind| Edit {
            path: path.clone(),
            line: header_line,
            kind,
        })
        .into_iter()
        .collect();
    let (mut hunks, next) = hunks(lines, i, end, fenced, &path);
    edits.append(&mut hunks);
    Ok((edits, next))
}

/// Reads the hunks of a diff fence that has no `---`/`+++` names, for `path`, from
/// `lines[start..end]`. The first hunk may lack its `@@` line.
pub(crate) fn read_hunks(
    lines: &[&str],
    start: usize,
    end: usize,
    path: &str,
) -> Result<(Vec<Edit>, usize), Error> {
    Ok(hunks(lines, start, end, true, path))
}

/// `diff --git a/x b/y` → (x, y). Ambiguous with spaces in names: the two halves are taken
/// equal when they can be; `rename from`/`to` and `---`/`+++` names take precedence anyway.
fn git_names(rest: &str) -> (Option<&str>, Option<&str>) {
    let Some(body) = rest.strip_prefix("a/") else {
        return (None, None);
    };
    // "P b/P": the same path twice.
    if body.len() >= 3 && (body.len() - 3) % 2 == 0 {
        let half = (body.len() - 3) / 2;
        if body.is_char_boundary(half)
            && body[half..].starts_with(" b/")
            && body[..half] == body[half + 3..]
        {
            return (Some(&body[..half]), Some(&body[half + 3..]));
        }
    }
    match body.split_once(" b/") {
        Some((old, new)) => (Some(old), Some(new)),
        None => (None, None),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Context,
    Removed,
    Added,
}

/// Hunks from `lines[i..end]` for `path`; the next line after them.
fn hunks(lines: &[&str], mut i: usize, end: usize, fenced: bool, path: &str) -> (Vec<Edit>, usize) {
    let mut edits = Vec::new();
    loop {
        let mut j = i;
        while j < end && lines[j].trim().is_empty() {
            j += 1;
        }
        let Some(line) = lines.get(j).filter(|_| j < end) else {
            break;
        };
        let (body_start, counts) = if line.starts_with("@@") {
            (j + 1, counts(line))
        } else if edits.is_empty() && line.starts_with([' ', '-', '+']) && !starts(lines, j) {
            (j, None) // a hunk without its `@@` line
        } else {
            break;
        };
        let (kind, next) = body(lines, body_start, end, fenced, counts);
        if let Some(kind) = kind {
            edits.push(Edit {
                path: path.to_owned(),
                line: j + 1,
                kind,
            });
        }
        i = next;
    }
    (edits, i)
}

/// The old start and the old and new line counts of an `@@ -a,b +c,d @@` header.
fn counts(header: &str) -> Option<(usize, usize, usize)> {
    let rest = header
        .trim_start_matches('@')
        .trim_start()
        .strip_prefix('-')?;
    let (old, rest) = rest.split_once(' ')?;
    let new = rest.trim_start().strip_prefix('+')?;
    let new = new.split([' ', '@']).next()?;
    let range = |s: &str| -> Option<(usize, usize)> {
        match s.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((s.parse().ok()?, 1)),
        }
    };
    let (old_start, old_lines) = range(old)?;
    let (_, new_lines) = range(new)?;
    Some((old_start, old_lines, new_lines))
}

/// One hunk's lines from `lines[start..end]`: the edit (`None` for a hunk with no lines) and
/// the next line.
fn body(
    lines: &[&str],
    start: usize,
    end: usize,
    fenced: bool,
    counts: Option<(usize, usize, usize)>,
) -> (Option<EditKind>, usize) {
    // (kind, text, an empty line with no prefix at all)
    let mut read: Vec<(Kind, &str, bool)> = Vec::new();
    let (mut seen_old, mut seen_new) = (0, 0);
    let (mut old_eof, mut new_eof) = (false, false);
    let mut j = start;
    while j < end {
        let line = lines[j];
        let more = counts.is_some_and(|(_, o, n)| seen_old < o || seen_new < n);
        if line.starts_with("@@")
            || line.starts_with("diff --git ")
            || (!more && starts(lines, j))
            || is_search(line)
            || (!fenced && Fence::open(line).is_some())
        {
            break;
        }
        let (kind, text, bare) = match line.as_bytes().first() {
            Some(b' ') => (Kind::Context, &line[1..], false),
            Some(b'-') => (Kind::Removed, &line[1..], false),
            Some(b'+') => (Kind::Added, &line[1..], false),
            Some(b'\\') => {
                match read.last().map(|r| r.0) {
                    Some(Kind::Removed) => old_eof = true,
                    Some(Kind::Added) => new_eof = true,
                    Some(Kind::Context) => (old_eof, new_eof) = (true, true),
                    None => {}
                }
                j += 1;
                continue;
            }
            None => (Kind::Context, "", true),
            // Outside a fence, a blank line then an unprefixed line is the prose after the
            // diff, whatever the (often wrong) counts say.
            Some(_) if fenced || (more && !read.last().is_some_and(|r| r.2)) => {
                (Kind::Context, line, false)
            }
            Some(_) => break,
        };
        match kind {
            Kind::Context => (seen_old, seen_new) = (seen_old + 1, seen_new + 1),
            Kind::Removed => seen_old += 1,
            Kind::Added => seen_new += 1,
        }
        read.push((kind, text, bare));
        j += 1;
    }
    while read.last().is_some_and(|r| r.2) {
        read.pop();
    }
    if read.is_empty() {
        return (None, j);
    }
    let pick = |keep: Kind| -> Vec<String> {
        read.iter()
            .filter(|r| r.0 == Kind::Context || r.0 == keep)
            .map(|r| r.1.to_owned())
            .collect()
    };
    let final_newline = if new_eof {
        Some(false)
    } else if old_eof {
        Some(true)
    } else {
        None
    };
    let kind = EditKind::Hunk {
        search: pick(Kind::Removed),
        replace: pick(Kind::Added),
        old_start: counts.map(|c| c.0),
        final_newline,
    };
    (Some(kind), j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_counts() {
        assert_eq!(counts("@@ -12,7 +12,8 @@ fn main()"), Some((12, 7, 8)));
        assert_eq!(counts("@@ -3 +3 @@"), Some((3, 1, 1)));
        assert_eq!(counts("@@ -0,0 +1,2 @@"), Some((0, 0, 2)));
        assert_eq!(counts("@@ ... @@"), None);
        assert_eq!(counts("@@"), None);
        assert_eq!(counts("@@ -99999999999999999999999,1 +1 @@"), None);
    }

    #[test]
    fn git_header_names() {
        assert_eq!(git_names("a/x.py b/x.py"), (Some("x.py"), Some("x.py")));
        assert_eq!(
            git_names("a/my b/file b/my b/file"),
            (Some("my b/file"), Some("my b/file"))
        );
        assert_eq!(
            git_names("a/old.py b/new.py"),
            (Some("old.py"), Some("new.py"))
        );
        assert_eq!(git_names("x y"), (None, None));
    }

    #[test]
    fn names_lose_timestamps_and_quotes() {
        assert_eq!(
            named("--- a/x.py\t2024-01-01 10:00", "--- "),
            Some("a/x.py")
        );
        assert_eq!(named("+++ \"b/x y.py\"", "+++ "), Some("b/x y.py"));
        assert_eq!(named("--- ", "--- "), None);
    }
}
