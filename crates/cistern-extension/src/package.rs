//! Packaging: a deterministic ZIP built in memory, and unified diffs between versions.

use std::io::{Cursor, Read, Write};

use similar::TextDiff;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::{Error, ExtensionFile};

/// Largest ZIP [`unzip`] reads back, in entries and uncompressed bytes (it guards readers of
/// stored archives against zip bombs; Cistern's own archives are far smaller).
pub const UNZIP_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Builds the ZIP of an extension in memory: entries sorted by path, every timestamp
/// 1980-01-01 00:00 (the ZIP epoch) and mode 0644, so the same files always give the same
/// bytes — a version's archive can be rebuilt and compared, and its hash is stable.
pub fn zip_files(files: &[ExtensionFile]) -> Result<Vec<u8>, Error> {
    let mut sorted: Vec<&ExtensionFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for file in sorted {
        zip.start_file(file.path.as_str(), options)?;
        zip.write_all(&file.content)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Reads a ZIP back into files (directories skipped), in archive order.
pub fn unzip(bytes: &[u8]) -> Result<Vec<ExtensionFile>, Error> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))?;
    let mut files = Vec::with_capacity(archive.len());
    let mut budget = UNZIP_MAX_BYTES;
    for i in 0..archive.len() {
        let entry = archive.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let path = entry.name()?.into_owned();
        let mut content = Vec::new();
        let read = entry.take(budget + 1).read_to_end(&mut content)? as u64;
        if read > budget {
            return Err(Error::Io(std::io::Error::other(
                "archive is larger than UNZIP_MAX_BYTES",
            )));
        }
        budget -= read;
        files.push(ExtensionFile { path, content });
    }
    Ok(files)
}

/// A unified diff from `old` to `new`, file by file in path order (`--- a/path`, `+++ b/path`,
/// `/dev/null` for added and deleted files, three lines of context). Binary files get one
/// `Binary files … differ` line. Unchanged files produce nothing; identical sets give `""`.
pub fn unified_diff(old: &[ExtensionFile], new: &[ExtensionFile]) -> String {
    let mut paths: Vec<&str> = old.iter().chain(new).map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut out = String::new();
    for path in paths {
        let before = crate::find_file(old, path);
        let after = crate::find_file(new, path);
        if before.map(|f| &f.content) == after.map(|f| &f.content) {
            continue;
        }
        let a = if before.is_some() {
            format!("a/{path}")
        } else {
            "/dev/null".into()
        };
        let b = if after.is_some() {
            format!("b/{path}")
        } else {
            "/dev/null".into()
        };
        match (text_of(before), text_of(after)) {
            (Some(x), Some(y)) => {
                let diff = TextDiff::from_lines(x, y);
                let rendered = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&a, &b)
                    .to_string();
                out.push_str(&rendered);
                if !rendered.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => out.push_str(&format!("Binary files {a} and {b} differ\n")),
        }
    }
    out
}

/// A missing file diffs as empty text; a binary one has no text.
fn text_of(file: Option<&ExtensionFile>) -> Option<&str> {
    file.map_or(Some(""), ExtensionFile::text)
}
