//! Applying edits: every block of every file located against the original first, every file
//! operation (create, delete, rename) checked against the tree, then all applied, or none.

use std::collections::BTreeMap;

use crate::error::{Error, Refusal};
use crate::parse::{Edit, EditKind, parse};
use crate::plan::plan;
use crate::tree::{Change, Changes, Tree};

/// Parses `reply` and applies every edit in it to `tree`, all or nothing: the changed files,
/// or every problem found (and no change).
pub fn apply(tree: &Tree, reply: &str) -> Result<Changes, Refusal> {
    let edits = parse(reply).map_err(Refusal::one)?;
    if edits.is_empty() {
        return Err(Refusal::one(Error::NoEdits));
    }
    apply_edits(tree, &edits)
}

/// Applies already parsed `edits` to `tree`, all or nothing.
pub fn apply_edits(tree: &Tree, edits: &[Edit]) -> Result<Changes, Refusal> {
    let mut by_path: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for edit in edits {
        by_path.entry(edit.path.as_str()).or_default().push(edit);
    }
    let mut errors = renamed_twice(&by_path);
    let mut changes = Changes::default();
    for (path, edits) in &by_path {
        match change(tree, path, edits) {
            Ok(Some(change)) => {
                changes.files.insert((*path).to_owned(), change);
            }
            Ok(None) => {}
            Err(mut found) => errors.append(&mut found),
        }
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(Refusal { errors })
    }
}

/// A rename's old path that is also edited, deleted or renamed again in the same reply: which
/// content is meant is unclear.
fn renamed_twice(by_path: &BTreeMap<&str, Vec<&Edit>>) -> Vec<Error> {
    let mut sources: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for edit in by_path.values().flatten() {
        if let EditKind::Rename { from } = &edit.kind {
            sources.entry(from.as_str()).or_default().push(edit.line);
        }
    }
    sources
        .into_iter()
        .filter_map(|(from, mut lines)| {
            if let Some(edits) = by_path.get(from) {
                lines.extend(edits.iter().map(|e| e.line));
            }
            (lines.len() > 1).then(|| {
                lines.sort_unstable();
                Error::Conflict {
                    path: from.to_owned(),
                    lines,
                }
            })
        })
        .collect()
}

/// What `edits` do to the file at `path`: `None` when its content stays as it is.
fn change(tree: &Tree, path: &str, edits: &[&Edit]) -> Result<Option<Change>, Vec<Error>> {
    let (ops, blocks): (Vec<&Edit>, Vec<&Edit>) = edits.iter().partition(|e| {
        matches!(
            e.kind,
            EditKind::Create | EditKind::Delete | EditKind::Rename { .. }
        )
    });
    let whole = blocks
        .iter()
        .any(|e| matches!(e.kind, EditKind::WholeFile { .. }));
    let current = tree.get(path);
    let Some(op) = ops.first() else {
        let new = plan(path, current, &blocks)?;
        return Ok(match current {
            Some(old) if old == new => None,
            Some(_) => Some(Change::Modified(new)),
            None => Some(Change::Created(new)),
        });
    };
    let conflict = || {
        vec![Error::Conflict {
            path: path.to_owned(),
            lines: edits.iter().map(|e| e.line).collect(),
        }]
    };
    if ops.len() > 1 || (whole && !matches!(op.kind, EditKind::Create)) {
        return Err(conflict());
    }
    let (line, owned) = (op.line, path.to_owned());
    match &op.kind {
        EditKind::Create => match current {
            Some(_) => Err(vec![Error::FileExists { path: owned, line }]),
            None => Ok(Some(Change::Created(plan(path, None, &blocks)?))),
        },
        EditKind::Delete => {
            let Some(old) = current else {
                return Err(vec![Error::FileMissing { path: owned, line }]);
            };
            let left = if blocks.is_empty() {
                String::new()
            } else {
                plan(path, Some(old), &blocks)?
            };
            let remaining = left.lines().filter(|l| !l.trim().is_empty()).count();
            if remaining > 0 {
                return Err(vec![Error::DeleteIncomplete {
                    path: owned,
                    line,
                    remaining,
                }]);
            }
            Ok(Some(Change::Deleted))
        }
        EditKind::Rename { from } => {
            if current.is_some() {
                return Err(vec![Error::FileExists { path: owned, line }]);
            }
            let Some(old) = tree.get(from) else {
                return Err(vec![Error::FileMissing {
                    path: from.clone(),
                    line,
                }]);
            };
            let content = plan(path, Some(old), &blocks)?;
            Ok(Some(Change::Renamed {
                from: from.clone(),
                content,
            }))
        }
        _ => Err(conflict()),
    }
}
