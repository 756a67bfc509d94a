//! A workspace in and out as a ZIP: import an archive into the working tree, export a
//! snapshot.
//!
//! Import reads an archive nobody vetted. Its declared sizes are never trusted: every entry
//! is read through `take(max_file_bytes + 1)` (a bigger one is skipped, not unpacked), and
//! everything unpacked counts against `agent.max_workspace_bytes` (beyond it the import stops
//! with 413), so a ZIP bomb costs at most that much memory and time. Entries a workspace cannot
//! hold — unsafe paths, symlinks, binary content, files over the limit — are skipped and
//! reported, never half-imported; what is left is written all-or-nothing through
//! [`Workspaces::write`].

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use bytes::Bytes;
use cistern_store::sql::{Expect, Snapshot};
use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::Workspaces;
use super::error::{Error, Result, invalid};
use super::workspaces::{FileChange, file_path};

/// Why an entry of an imported ZIP was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Absolute, `..`, inside `.git`, or otherwise not a safe relative path.
    UnsafePath,
    /// A symbolic link (its target is not a file's content).
    Symlink,
    /// Not text: NUL bytes, or not UTF-8.
    Binary,
    /// Larger than `agent.max_file_bytes`.
    TooLarge,
    /// macOS metadata (`__MACOSX/…`), not part of the project.
    Metadata,
}

/// An entry of an imported ZIP that was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    /// The entry's name in the archive.
    pub path: String,
    /// Why, for programs.
    pub reason: SkipReason,
    /// Why, for people.
    pub detail: String,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The paths added or overwritten, sorted.
    pub imported: Vec<String>,
    /// The entries left out.
    pub skipped: Vec<Skipped>,
    /// The snapshot taken afterwards.
    pub snapshot: Snapshot,
}

impl Workspaces {
    /// Adds (or overwrites) the text files of a ZIP in a workspace's tree, all or nothing,
    /// then takes a snapshot "Imported N files".
    pub async fn import_zip(&self, owner: &str, id: &str, archive: Bytes) -> Result<Imported> {
        let workspace = self.get(owner, id).await?;
        let config = self.config();
        let limits = Limits {
            max_file_bytes: config.max_file_bytes,
            max_total_bytes: config.max_workspace_bytes,
        };
        // Inflating is CPU work: off the async workers.
        let unpacked = tokio::task::spawn_blocking(move || unpack(&archive, limits))
            .await
            .map_err(|e| Error::Corrupt(format!("the ZIP reader stopped: {e}")))??;
        let imported: Vec<String> = unpacked.files.keys().cloned().collect();
        let changes = unpacked
            .files
            .into_iter()
            .map(|(path, content)| FileChange {
                path,
                expect: Expect::Any,
                content: Some(content),
            })
            .collect();
        self.write(&workspace, changes).await?;
        let message = match imported.len() {
            1 => "Imported 1 file".to_owned(),
            n => format!("Imported {n} files"),
        };
        let snapshot = self.snapshot(owner, id, &message).await?;
        Ok(Imported {
            imported,
            skipped: unpacked.skipped,
            snapshot,
        })
    }

    /// A snapshot as a ZIP, with a file name for it.
    pub async fn snapshot_zip(
        &self,
        owner: &str,
        id: &str,
        snapshot_id: &str,
    ) -> Result<(String, Vec<u8>)> {
        let workspace = self.get(owner, id).await?;
        let (snapshot, rows) = self.snapshot_files(owner, id, snapshot_id).await?;
        let contents = self.contents(id, &rows).await?;
        let zip = zip_files(&contents)
            .map_err(|e| Error::Corrupt(format!("cannot build the ZIP: {e}")))?;
        let name = format!("{}-{}.zip", file_stem(&workspace.name), snapshot.id);
        Ok((name, zip))
    }
}

/// How much an import may unpack.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Largest entry kept; a bigger one is skipped after reading one byte more.
    max_file_bytes: usize,
    /// Most bytes unpacked over all entries (kept or skipped).
    max_total_bytes: u64,
}

/// The text files of an archive by (stripped, checked) path, and what was left out.
#[derive(Debug, Default)]
struct Unpacked {
    files: BTreeMap<String, String>,
    skipped: Vec<Skipped>,
}

/// An entry as read: its name in the archive and its bytes, or why it was left out.
type Entry = (String, std::result::Result<Vec<u8>, (SkipReason, String)>);

/// Reads an archive's entries within `limits`, strips a single top-level folder shared by
/// every entry, and keeps the text files at safe paths.
fn unpack(bytes: &[u8], limits: Limits) -> Result<Unpacked> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut entries: Vec<Entry> = Vec::with_capacity(archive.len());
    let mut budget = limits.max_total_bytes;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(corrupt)?;
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(name) => name.into_owned(),
            Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
        };
        if name.starts_with("__MACOSX/") {
            let detail = "macOS metadata, not part of the project".to_owned();
            entries.push((name, Err((SkipReason::Metadata, detail))));
            continue;
        }
        if entry.is_symlink() {
            let detail = "a symbolic link; only regular files are imported".to_owned();
            entries.push((name, Err((SkipReason::Symlink, detail))));
            continue;
        }
        let cap = limits.max_file_bytes as u64 + 1;
        let mut content = Vec::new();
        let read = entry
            .take(cap.min(budget.saturating_add(1)))
            .read_to_end(&mut content)
            .map_err(|e| invalid("body", format!("{name} cannot be unpacked: {e}")))?;
        budget = budget.checked_sub(read as u64).ok_or_else(|| {
            Error::TooLarge(format!(
                "the archive unpacks to more than {} bytes (agent.max_workspace_bytes)",
                limits.max_total_bytes
            ))
        })?;
        let kept = if content.len() > limits.max_file_bytes {
            let detail = format!(
                "larger than {} bytes (agent.max_file_bytes)",
                limits.max_file_bytes
            );
            Err((SkipReason::TooLarge, detail))
        } else {
            Ok(content)
        };
        entries.push((name, kept));
    }
    Ok(sort(entries))
}

/// Strips the shared top-level folder, then keeps each entry as a file or a skip.
fn sort(entries: Vec<Entry>) -> Unpacked {
    let names = entries
        .iter()
        .filter(|(_, e)| !matches!(e, Err((SkipReason::Metadata, _))))
        .map(|(name, _)| name.as_str());
    let prefix = shared_folder(names);
    let mut out = Unpacked::default();
    for (name, entry) in entries {
        let skip = |reason, detail: String| Skipped {
            path: name.clone(),
            reason,
            detail,
        };
        let bytes = match entry {
            Ok(bytes) => bytes,
            Err((reason, detail)) => {
                out.skipped.push(skip(reason, detail));
                continue;
            }
        };
        let stripped = prefix
            .as_deref()
            .map_or(name.as_str(), |p| &name[p.len()..]);
        let path = match file_path(stripped) {
            Ok(path) => path,
            Err(e) => {
                out.skipped
                    .push(skip(SkipReason::UnsafePath, e.to_string()));
                continue;
            }
        };
        match text(bytes) {
            Ok(content) => {
                out.files.insert(path, content);
            }
            Err(detail) => out.skipped.push(skip(SkipReason::Binary, detail)),
        }
    }
    out
}

/// `dir/` when every name starts with the same `dir/` (a GitHub archive's `repo-main/`).
fn shared_folder<'a>(mut names: impl Iterator<Item = &'a str>) -> Option<String> {
    let first = names.next()?;
    let (folder, _) = first.split_once('/')?;
    if folder.is_empty() || folder == "." || folder == ".." {
        return None;
    }
    let prefix = format!("{folder}/");
    names.all(|n| n.starts_with(&prefix)).then_some(prefix)
}

/// The bytes as text, or why they are not.
fn text(bytes: Vec<u8>) -> std::result::Result<String, String> {
    if bytes.contains(&0) {
        return Err("holds NUL bytes: workspaces hold text files only".to_owned());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text: workspaces hold text files only".into())
}

fn corrupt(e: zip::result::ZipError) -> Error {
    invalid(
        "body",
        format!("the body is not a readable ZIP archive: {e}"),
    )
}

/// A deterministic ZIP of `files` (in path order, fixed times, mode 644).
fn zip_files(files: &BTreeMap<String, String>) -> zip::result::ZipResult<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, content) in files {
        zip.start_file(path.as_str(), options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A workspace's name as a download's file name: ASCII letters, digits, `-` and `_` only.
fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            stem.push(c);
        } else if !stem.is_empty() && !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem: String = stem.chars().take(60).collect();
    match stem.trim_end_matches('-') {
        "" => "workspace".to_owned(),
        stem => stem.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_file_bytes: 100,
        max_total_bytes: 1_000,
    };

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            if name.ends_with('/') {
                zip.add_directory(*name, SimpleFileOptions::default())
                    .expect("dir");
            } else {
                zip.start_file(*name, SimpleFileOptions::default())
                    .expect("entry");
                zip.write_all(content).expect("write");
            }
        }
        zip.finish().expect("finish").into_inner()
    }

    #[test]
    fn a_shared_top_level_folder_is_stripped_and_unfit_entries_are_skipped() {
        let zip = archive(&[
            ("repo-main/", b""),
            ("repo-main/src/app.py", b"print('hi')\n"),
            ("repo-main/logo.png", b"\x89PNG\r\n\x1a\n\0\0"),
            ("repo-main/latin1.txt", b"caf\xe9"),
            ("repo-main/big.txt", &[b'a'; 101]),
            ("repo-main/.git/config", b"[core]"),
            ("__MACOSX/repo-main/._app.py", b"\0\x05\x16\x07"),
        ]);
        let out = unpack(&zip, LIMITS).expect("unpacks");
        assert_eq!(
            out.files.keys().collect::<Vec<_>>(),
            ["src/app.py"],
            "{out:?}"
        );
        let reasons: Vec<(&str, SkipReason)> = out
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("repo-main/logo.png", SkipReason::Binary),
                ("repo-main/latin1.txt", SkipReason::Binary),
                ("repo-main/big.txt", SkipReason::TooLarge),
                ("repo-main/.git/config", SkipReason::UnsafePath),
                ("__MACOSX/repo-main/._app.py", SkipReason::Metadata),
            ]
        );
    }

    #[test]
    fn folders_are_kept_when_not_every_entry_shares_one() {
        let zip = archive(&[("a/x.txt", b"x"), ("b/y.txt", b"y"), ("../evil", b"z")]);
        let out = unpack(&zip, LIMITS).expect("unpacks");
        assert_eq!(out.files.keys().collect::<Vec<_>>(), ["a/x.txt", "b/y.txt"]);
        assert_eq!(out.skipped[0].reason, SkipReason::UnsafePath);
    }

    #[test]
    fn a_bomb_stops_at_the_total_budget_and_garbage_is_refused() {
        // Entries that inflate far beyond their compressed size, past the total budget.
        let big = vec![b'a'; 90];
        let entries: Vec<(String, &[u8])> = (0..20)
            .map(|i| (format!("f{i}.txt"), big.as_slice()))
            .collect();
        let entries: Vec<(&str, &[u8])> = entries.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        let error = unpack(&archive(&entries), LIMITS).expect_err("over budget");
        assert!(matches!(error, Error::TooLarge(_)), "{error:?}");
        let error = unpack(b"PK\x03\x04 not really", LIMITS).expect_err("corrupt");
        assert!(
            matches!(error, Error::Invalid { field: "body", .. }),
            "{error:?}"
        );
    }

    #[test]
    fn export_names_are_plain_ascii() {
        assert_eq!(file_stem("My app: \"v2\"/final"), "My-app-v2-final");
        assert_eq!(file_stem("日本"), "workspace");
    }
}
