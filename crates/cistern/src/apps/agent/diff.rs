//! What changed between two trees of a workspace: a snapshot and another snapshot or the
//! working tree. Files are compared by hash first, so only changed files' contents are read
//! from the blob store; the diffs are made by `cistern-edit` (they re-apply with `git apply`).

use cistern_edit::{FileDiff, unified_diff};
use cistern_store::AgentStore;
use cistern_store::sql::FileRow;
use serde::Serialize;

use super::Workspaces;
use super::error::Result;

/// How a file differs between two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiffStatus {
    /// Only in the newer tree.
    Added,
    /// In both, with different contents.
    Modified,
    /// Only in the older tree.
    Deleted,
}

/// The changed files from snapshot `from` to `to` (`None`: the working tree), by path.
#[derive(Debug, Clone)]
pub struct TreeDiff {
    /// The older side: a snapshot.
    pub from: String,
    /// The newer side: a snapshot, or the working tree.
    pub to: Option<String>,
    /// Each changed file.
    pub files: Vec<(DiffStatus, FileDiff)>,
}

impl Workspaces {
    /// The diff from snapshot `from` to snapshot `to`, or to the working tree when `to` is
    /// `None`. Either snapshot of another workspace is [`NotFound`](super::Error::NotFound).
    pub async fn diff(
        &self,
        owner: &str,
        id: &str,
        from: &str,
        to: Option<&str>,
    ) -> Result<TreeDiff> {
        let (_, before) = self.snapshot_files(owner, id, from).await?;
        let after = match to {
            Some(to) => self.snapshot_files(owner, id, to).await?.1,
            None => self.db.tree(id).await?,
        };
        let changed = changes(&before, &after);
        let old_rows: Vec<FileRow> = changed.iter().filter_map(|c| c.old.cloned()).collect();
        let new_rows: Vec<FileRow> = changed.iter().filter_map(|c| c.new.cloned()).collect();
        let old = self.contents(id, &old_rows).await?;
        let new = self.contents(id, &new_rows).await?;
        let files = changed
            .into_iter()
            .map(|c| {
                let before = old.get(c.path).map(String::as_str);
                let after = new.get(c.path).map(String::as_str);
                (c.status, unified_diff(c.path, before, after))
            })
            .collect();
        Ok(TreeDiff {
            from: from.to_owned(),
            to: to.map(str::to_owned),
            files,
        })
    }
}

/// A file whose content differs between two trees.
struct Changed<'a> {
    path: &'a str,
    status: DiffStatus,
    old: Option<&'a FileRow>,
    new: Option<&'a FileRow>,
}

/// The files whose hash differs between `before` and `after` (both sorted by path, as the
/// store returns them), sorted by path.
fn changes<'a>(before: &'a [FileRow], after: &'a [FileRow]) -> Vec<Changed<'a>> {
    use std::cmp::Ordering;
    let mut out = Vec::new();
    let (mut b, mut a) = (before.iter().peekable(), after.iter().peekable());
    loop {
        let order = match (b.peek(), a.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.path.cmp(&y.path),
        };
        let (old, new) = match order {
            Ordering::Less => (b.next(), None),
            Ordering::Greater => (None, a.next()),
            Ordering::Equal => (b.next(), a.next()),
        };
        let status = match (old, new) {
            (Some(_), None) => DiffStatus::Deleted,
            (None, Some(_)) => DiffStatus::Added,
            (Some(o), Some(n)) if o.hash != n.hash => DiffStatus::Modified,
            _ => continue,
        };
        let path = old.or(new).map_or("", |f| f.path.as_str());
        out.push(Changed {
            path,
            status,
            old,
            new,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &str, hash: &str) -> FileRow {
        FileRow {
            path: path.to_owned(),
            hash: hash.to_owned(),
            size: 1,
        }
    }

    #[test]
    fn only_changed_files_are_listed_with_their_status() {
        let before = [row("a", "1"), row("b", "2"), row("d", "4")];
        let after = [row("b", "2"), row("c", "3"), row("d", "5")];
        let got: Vec<(&str, DiffStatus)> = changes(&before, &after)
            .into_iter()
            .map(|c| (c.path, c.status))
            .collect();
        assert_eq!(
            got,
            [
                ("a", DiffStatus::Deleted),
                ("c", DiffStatus::Added),
                ("d", DiffStatus::Modified)
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }
}
