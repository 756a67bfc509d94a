//! The files an edit applies to ([`Tree`]) and what it changes ([`Changes`]), in memory.

use std::collections::BTreeMap;

use crate::diff::{FileDiff, renamed_diff, unified_diff};

/// Text files by relative path (`src/main.rs`), contents as they are on disk (a BOM is the
/// leading `U+FEFF`, CRLF endings are `\r\n`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, String>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<String>, content: impl Into<String>) {
        self.files.insert(path.into(), content.into());
    }

    /// A file's content.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The files, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_str()))
    }

    /// Removes a file; its content, if it was there.
    pub fn remove(&mut self, path: &str) -> Option<String> {
        self.files.remove(path)
    }

    /// Applies `changes`, made against this tree by [`apply`](crate::apply), which checked
    /// everything (a created or renamed-to file is absent, a modified, deleted or renamed-from
    /// one present); this only writes: renamed-from files are removed first, then every file
    /// is written or deleted.
    pub fn apply(&mut self, changes: &Changes) {
        for change in changes.files.values() {
            if let Change::Renamed { from, .. } = change {
                self.files.remove(from);
            }
        }
        for (path, change) in &changes.files {
            match change {
                Change::Created(content)
                | Change::Modified(content)
                | Change::Renamed { content, .. } => {
                    self.files.insert(path.clone(), content.clone());
                }
                Change::Deleted => {
                    self.files.remove(path);
                }
            }
        }
    }
}

impl<P: Into<String>, C: Into<String>> FromIterator<(P, C)> for Tree {
    fn from_iter<I: IntoIterator<Item = (P, C)>>(iter: I) -> Tree {
        Tree {
            files: iter
                .into_iter()
                .map(|(p, c)| (p.into(), c.into()))
                .collect(),
        }
    }
}

/// One file's new state, keyed in [`Changes::files`] by its (new) path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file that was not in the tree, with its content.
    Created(String),
    /// A file of the tree, with its new content (never equal to the old one).
    Modified(String),
    /// A file of the tree, deleted.
    Deleted,
    /// The file of the tree at `from`, moved to this path (which was free), with its content
    /// there (changed or not). `from` is deleted; it is not a key of [`Changes::files`].
    Renamed {
        /// The old path.
        from: String,
        /// The content at the new path.
        content: String,
    },
}

impl Change {
    /// The file's new content; `None` for a deleted file.
    pub fn content(&self) -> Option<&str> {
        match self {
            Change::Created(c) | Change::Modified(c) | Change::Renamed { content: c, .. } => {
                Some(c)
            }
            Change::Deleted => None,
        }
    }
}

/// The files an edit changes, by path. Files it leaves as they were are not in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Changed files in path order (a renamed file under its new path).
    pub files: BTreeMap<String, Change>,
}

impl Changes {
    /// The user's diff of every changed file against `before` (the tree the changes were made
    /// against), in path order; renames carry `rename from`/`rename to` headers.
    pub fn diffs(&self, before: &Tree) -> Vec<FileDiff> {
        self.files
            .iter()
            .map(|(path, change)| match change {
                Change::Renamed { from, content } => {
                    renamed_diff(from, path, before.get(from).unwrap_or(""), content)
                }
                _ => unified_diff(path, before.get(path), change.content()),
            })
            .collect()
    }
}
