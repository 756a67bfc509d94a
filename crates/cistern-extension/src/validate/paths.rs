//! Safe relative paths, no duplicates, size limits.
//!
//! The paths come from a model and end up as ZIP entries and as files unpacked on disk for the
//! browser check, so anything that could escape the extension's root (`..`, absolute paths,
//! drive letters, backslashes) is an error, as are two files that would land on the same name
//! on a case-insensitive file system (macOS, Windows — where users unpack the ZIP).

use std::collections::HashMap;

use super::{Ctx, MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES};
use crate::ExtensionFile;

/// Longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 255;

/// Why a path is unsafe, as `(code, message)`; `None` when it is a clean relative path.
///
/// Also used by [`crate::contract::merge`] for deleted paths and by the browser check before it
/// writes files to disk.
pub fn path_problem(path: &str) -> Option<(&'static str, String)> {
    if path.is_empty() {
        return Some(("path.invalid", "A file has an empty path.".into()));
    }
    if path.len() > MAX_PATH_BYTES {
        return Some((
            "path.invalid",
            format!("Path is longer than {MAX_PATH_BYTES} bytes."),
        ));
    }
    if path.starts_with('/') || path.starts_with('~') || is_drive_path(path) {
        return Some((
            "path.absolute",
            format!(
                "`{path}` is absolute; use a path relative to the extension root, like `popup/popup.js`."
            ),
        ));
    }
    if path.contains('\\') {
        return Some((
            "path.invalid",
            format!("`{path}` contains a backslash; separate directories with `/`."),
        ));
    }
    if path.chars().any(|c| c.is_control()) {
        return Some((
            "path.invalid",
            format!("`{}` contains control characters.", path.escape_debug()),
        ));
    }
    for part in path.split('/') {
        match part {
            ".." => {
                return Some((
                    "path.traversal",
                    format!(
                        "`{path}` contains `..`; every file must stay inside the extension directory."
                    ),
                ));
            }
            "" | "." => {
                return Some((
                    "path.invalid",
                    format!(
                        "`{path}` has an empty or `.` segment; write it as a plain relative path."
                    ),
                ));
            }
            _ => {}
        }
    }
    // Chrome refuses to load an extension with a top-level name starting with `_`, except the
    // ones it reserves for itself.
    let top = path.split('/').next().unwrap_or("");
    if top.starts_with('_') && top != "_locales" {
        return Some((
            "path.reserved",
            format!(
                "`{path}`: names starting with `_` at the extension root are reserved by Chrome; rename it."
            ),
        ));
    }
    None
}

/// Splits `files` into those whose paths the validator accepts and those it refuses for their
/// path, as `(accepted, refused)`, each in the original order.
///
/// Refused: every file with a [`path_problem`], and every file whose path collides with another
/// file's — exactly or by letter case — all copies of it, since nothing tells which one the
/// model meant. These are the files [`crate::validate`] reports under `path.*` codes.
///
/// A repair round merges the model's reply onto the files of the round before; refused files
/// must not stay in that base, or a reply that sends the file under a proper path still fails
/// on the old one (a first generation cannot even name it in `deleted_paths`).
pub fn split_by_path(files: Vec<ExtensionFile>) -> (Vec<ExtensionFile>, Vec<ExtensionFile>) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for file in &files {
        *counts.entry(collision_key(&file.path)).or_default() += 1;
    }
    files.into_iter().partition(|file| {
        path_problem(&file.path).is_none()
            && counts.get(&collision_key(&file.path)).copied() == Some(1)
    })
}

/// Two paths with the same key land on one file on a case-insensitive file system.
fn collision_key(path: &str) -> String {
    path.to_lowercase()
}

fn is_drive_path(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Runs the path, duplicate and size rules over all files.
pub(crate) fn check(files: &[ExtensionFile], ctx: &mut Ctx<'_>) {
    if files.len() > MAX_FILES {
        ctx.error(
            "size.too_many_files",
            None,
            format!(
                "The extension has {} files; at most {MAX_FILES} are accepted.",
                files.len()
            ),
        );
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut total = 0usize;
    for file in files {
        let path = file.path.as_str();
        if let Some((code, message)) = path_problem(path) {
            ctx.error(code, Some(path), message);
        }
        match seen.get(&collision_key(path)) {
            Some(first) if *first == path => ctx.error(
                "path.duplicate",
                Some(path),
                format!("`{path}` appears more than once; send each file once."),
            ),
            Some(first) => ctx.error(
                "path.duplicate_case",
                Some(path),
                format!(
                    "`{path}` and `{first}` differ only in letter case and collide on \
                     case-insensitive file systems; keep one."
                ),
            ),
            None => {
                seen.insert(collision_key(path), path);
            }
        }
        if file.content.len() > MAX_FILE_BYTES {
            ctx.error(
                "size.file_too_large",
                Some(path),
                format!(
                    "`{path}` is {} bytes; a file may be at most {MAX_FILE_BYTES} bytes. Split it or trim it.",
                    file.content.len()
                ),
            );
        }
        total = total.saturating_add(file.content.len());
    }
    if total > MAX_TOTAL_BYTES {
        ctx.error(
            "size.total_too_large",
            None,
            format!(
                "The extension is {total} bytes in all; at most {MAX_TOTAL_BYTES} are accepted."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{path_problem, split_by_path};
    use crate::ExtensionFile;

    #[test]
    fn unsafe_paths_are_named_by_kind() {
        let code = |p: &str| path_problem(p).map(|(c, _)| c);
        assert_eq!(code("popup/popup.js"), None);
        assert_eq!(code("_locales/en/messages.json"), None);
        assert_eq!(code("../evil.js"), Some("path.traversal"));
        assert_eq!(code("a/../../b"), Some("path.traversal"));
        assert_eq!(code("/etc/passwd"), Some("path.absolute"));
        assert_eq!(code("C:/x.js"), Some("path.absolute"));
        assert_eq!(code("a\\b.js"), Some("path.invalid"));
        assert_eq!(code("a//b.js"), Some("path.invalid"));
        assert_eq!(code("./a.js"), Some("path.invalid"));
        assert_eq!(code(""), Some("path.invalid"));
        assert_eq!(code("_metadata/x"), Some("path.reserved"));
    }

    #[test]
    fn files_refused_for_their_path_are_split_off_with_every_colliding_copy() {
        let paths = [
            "manifest.json",
            "/popup.html",
            "../shared.js",
            "a.js",
            "a.js",
            "Lib/b.js",
            "lib/b.js",
            "popup.js",
        ];
        let files = paths.iter().map(|p| ExtensionFile::new(*p, *p)).collect();
        let (accepted, refused) = split_by_path(files);
        let names =
            |files: &[ExtensionFile]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        assert_eq!(names(&accepted), ["manifest.json", "popup.js"]);
        assert_eq!(
            names(&refused),
            [
                "/popup.html",
                "../shared.js",
                "a.js",
                "a.js",
                "Lib/b.js",
                "lib/b.js"
            ]
        );
    }
}
