//! `cistern agent apply-edit`: a saved model reply applied to a directory in place, through
//! the edit engine — all or nothing, offline.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use cistern_edit::{Change, Edit, EditKind, Tree};

/// `cistern agent apply-edit --dir DIR --edit FILE`: applies every edit of the reply in `edit`
/// to the files under `dir`, or none. On a refusal the tree is untouched and the error holds
/// the engine's reasons (what a model would be told).
///
/// New contents are written to temporary files beside their targets first and renamed over
/// them only once all are written, so a failing write leaves the tree as it was.
pub fn apply_edit(dir: &Path, edit: &Path, log: &mut impl Write) -> anyhow::Result<()> {
    let reply =
        std::fs::read_to_string(edit).with_context(|| format!("cannot read {}", edit.display()))?;
    let root = dir
        .canonicalize()
        .with_context(|| format!("cannot open the directory {}", dir.display()))?;
    let edits = cistern_edit::parse(&reply).map_err(|e| anyhow::anyhow!("nothing applied: {e}"))?;
    let mut tree = Tree::new();
    for path in paths(&edits) {
        let target = inside(&root, path)?;
        if tree.get(path).is_none() && target.is_file() {
            let content = std::fs::read_to_string(&target)
                .with_context(|| format!("{path} is not a UTF-8 text file"))?;
            tree.insert(path, content);
        }
    }
    let changes = cistern_edit::apply_edits(&tree, &edits)
        .map_err(|refusal| anyhow::anyhow!("nothing applied:\n{refusal}"))?;
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let written = stage(&root, &changes, &mut staged);
    if let Err(e) = written {
        for (tmp, _) in &staged {
            // Best effort: the error that stopped the staging is the one to report.
            if let Err(cleanup) = std::fs::remove_file(tmp) {
                tracing::debug!(path = %tmp.display(), %cleanup, "temporary file left behind");
            }
        }
        return Err(e.context("nothing applied"));
    }
    for (tmp, target) in &staged {
        std::fs::rename(tmp, target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
    }
    // Removals last: every new content is in place before a file goes.
    for (path, change) in &changes.files {
        let gone = match change {
            Change::Deleted => Some(path.as_str()),
            Change::Renamed { from, .. } => Some(from.as_str()),
            Change::Created(_) | Change::Modified(_) => None,
        };
        if let Some(gone) = gone {
            let target = inside(&root, gone)?;
            std::fs::remove_file(&target)
                .with_context(|| format!("cannot delete {}", target.display()))?;
        }
    }
    for (path, change) in &changes.files {
        match change {
            Change::Created(_) => writeln!(log, "{:>8}  {path}", "created")?,
            Change::Modified(_) => writeln!(log, "{:>8}  {path}", "modified")?,
            Change::Deleted => writeln!(log, "{:>8}  {path}", "deleted")?,
            Change::Renamed { from, .. } => writeln!(log, "{:>8}  {from} → {path}", "renamed")?,
        }
    }
    writeln!(
        log,
        "{} files changed under {}",
        changes.files.len(),
        dir.display()
    )?;
    Ok(())
}

/// Every path the edits read: their own, and a rename's source.
pub fn paths(edits: &[Edit]) -> impl Iterator<Item = &str> {
    edits.iter().flat_map(|e| {
        let from = match &e.kind {
            EditKind::Rename { from } => Some(from.as_str()),
            _ => None,
        };
        std::iter::once(e.path.as_str()).chain(from)
    })
}

/// Writes each new content to a temporary file beside its target, recording `(tmp, target)`.
fn stage(
    root: &Path,
    changes: &cistern_edit::Changes,
    staged: &mut Vec<(PathBuf, PathBuf)>,
) -> anyhow::Result<()> {
    for (path, change) in &changes.files {
        let Some(content) = change.content() else {
            continue;
        };
        let target = inside(root, path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = target.with_file_name(format!(".{name}.cistern-edit"));
        std::fs::write(&tmp, content).with_context(|| format!("cannot write {}", tmp.display()))?;
        staged.push((tmp, target));
    }
    Ok(())
}

/// `path` under `root`, refusing a symbolic link anywhere on the way (it could lead out).
fn inside(root: &Path, path: &str) -> anyhow::Result<PathBuf> {
    let mut at = root.to_path_buf();
    for part in path.split('/') {
        at.push(part);
        if at
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            anyhow::bail!("nothing applied: {path} goes through a symbolic link");
        }
    }
    Ok(at)
}
