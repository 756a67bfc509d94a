//! The files an edit applies to ([`Tree`]) and what it changes ([`Changes`]), in memory.

use std::collections::BTreeMap;

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

    /// Applies `changes` (made against this tree by [`apply`](crate::apply)).
    pub fn apply(&mut self, changes: &Changes) {
        for (path, change) in &changes.files {
            match change {
                Change::Created(content) | Change::Modified(content) => {
                    self.files.insert(path.clone(), content.clone());
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

/// One file's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file that was not in the tree, with its content.
    Created(String),
    /// A file of the tree, with its new content (never equal to the old one).
    Modified(String),
}

impl Change {
    /// The file's new content.
    pub fn content(&self) -> &str {
        match self {
            Change::Created(c) | Change::Modified(c) => c,
        }
    }
}

/// The files an edit changes, by path. Files it leaves as they were are not in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Changed files in path order.
    pub files: BTreeMap<String, Change>,
}
