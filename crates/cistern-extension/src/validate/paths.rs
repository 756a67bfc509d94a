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
        match seen.get(&path.to_lowercase()) {
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
                seen.insert(path.to_lowercase(), path);
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
    use super::path_problem;

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
}
