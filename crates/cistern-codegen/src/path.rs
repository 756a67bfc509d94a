//! [`ProjectPath`]: a relative path that stays inside the project, whatever the model wrote.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest path accepted, in bytes (a ZIP entry and every file system take this).
pub const MAX_PATH_LEN: usize = 255;

/// Why a path written by the model is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Nothing left once whitespace and `./` are removed.
    #[error("the path is empty")]
    Empty,
    /// Starts at a root (`/etc/passwd`, `\server\share`) or a home directory (`~/x`).
    #[error("the path is absolute")]
    Absolute,
    /// A Windows drive (`C:\x`, `C:x`) or device name (`\\?\`, `NUL`, `COM1`).
    #[error("the path names a Windows drive or device")]
    WindowsDrive,
    /// Has a `..` component: refused even when it would stay inside (`a/../b`), as the
    /// model never needs it and a reader should not have to work it out.
    #[error("the path has a `..` component")]
    ParentDir,
    /// Writes into version-control metadata (`.git/hooks/…`), which would run on the user's
    /// machine.
    #[error("the path writes inside `.git`")]
    VersionControl,
    /// Has a control character (NUL, newline, …).
    #[error("the path has a control character")]
    ControlCharacter,
    /// A component Windows would rewrite: only dots beyond `..` (`...`), or ending with a dot
    /// or a space (dropped there, so `a./x` and `a/x` would be one file, and `...` may walk up).
    #[error(
        "the path has a component that Windows rewrites (dots only, or a trailing dot or space)"
    )]
    Unportable,
    /// Longer than [`MAX_PATH_LEN`].
    #[error("the path is longer than {MAX_PATH_LEN} bytes")]
    TooLong,
}

/// A normalised relative path inside the project: `/`-separated, no empty, `.` or `..`
/// components, no leading or trailing slash. The only way to build one is [`ProjectPath::parse`],
/// so a `ProjectPath` joined under any directory stays under it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectPath(String);

impl ProjectPath {
    /// Normalises what the model wrote: surrounding whitespace and quotes trimmed, `\` read
    /// as `/` (so `..\..\x` is caught), `./` and repeated slashes dropped. Refuses absolute
    /// paths, drives, `..`, `.git`, control characters and over-long paths.
    pub fn parse(raw: &str) -> Result<ProjectPath, PathError> {
        let trimmed = raw
            .trim()
            .trim_matches(|c| matches!(c, '"' | '\'' | '`'))
            .trim();
        if trimmed.chars().any(char::is_control) {
            return Err(PathError::ControlCharacter);
        }
        let unified = trimmed.replace('\\', "/");
        if unified.starts_with('/') || unified.starts_with('~') {
            return Err(PathError::Absolute);
        }
        let bytes = unified.as_bytes();
        if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
            return Err(PathError::WindowsDrive);
        }
        let mut parts: Vec<&str> = Vec::new();
        for part in unified.split('/') {
            match part {
                "" | "." => {}
                ".." => return Err(PathError::ParentDir),
                _ => {
                    check_component(part)?;
                    parts.push(part);
                }
            }
        }
        if parts.is_empty() {
            return Err(PathError::Empty);
        }
        let path = parts.join("/");
        if path.len() > MAX_PATH_LEN {
            return Err(PathError::TooLong);
        }
        Ok(ProjectPath(path))
    }

    /// A path from this crate's own constants (`package.json`, `README.md`): plain relative
    /// names that [`ProjectPath::parse`] accepts unchanged (a test checks each).
    pub(crate) fn constant(name: &'static str) -> ProjectPath {
        debug_assert_eq!(
            ProjectPath::parse(name).as_ref().map(ProjectPath::as_str),
            Ok(name)
        );
        ProjectPath(name.to_owned())
    }

    /// The normalised path.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last component (`src/App.jsx` → `App.jsx`).
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The directories above the file, outermost first (`a/b/c.rs` → `a`, `a/b`).
    pub fn ancestors(&self) -> impl Iterator<Item = &str> {
        self.0.match_indices('/').map(|(i, _)| &self.0[..i])
    }
}

fn check_component(part: &str) -> Result<(), PathError> {
    if part.ends_with(['.', ' ']) {
        return Err(PathError::Unportable);
    }
    if part.eq_ignore_ascii_case(".git") {
        return Err(PathError::VersionControl);
    }
    // `a:b` is an alternate data stream on NTFS and a drive-relative path after a join.
    if part.contains(':') {
        return Err(PathError::WindowsDrive);
    }
    let stem = part
        .split('.')
        .next()
        .unwrap_or(part)
        .trim_end()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        return Err(PathError::WindowsDrive);
    }
    Ok(())
}

impl fmt::Display for ProjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ProjectPath {
    type Error = PathError;

    /// [`ProjectPath::parse`]: deserialising a stored path checks it again.
    fn try_from(raw: String) -> Result<ProjectPath, PathError> {
        ProjectPath::parse(&raw)
    }
}

impl From<ProjectPath> for String {
    fn from(path: ProjectPath) -> String {
        path.0
    }
}

impl AsRef<str> for ProjectPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_harmless_variations() {
        let cases = [
            ("src/App.jsx", "src/App.jsx"),
            ("./src//App.jsx", "src/App.jsx"),
            ("  `src\\main.rs`  ", "src/main.rs"),
            ("\"app/main.py\"", "app/main.py"),
            ("src/", "src"),
            (".gitignore", ".gitignore"),
            (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
        ];
        for (raw, normal) in cases {
            assert_eq!(
                ProjectPath::parse(raw).map(|p| p.0),
                Ok(normal.to_owned()),
                "{raw}"
            );
        }
    }

    #[test]
    fn refuses_paths_that_leave_the_project() {
        let cases = [
            ("", PathError::Empty),
            ("./", PathError::Empty),
            ("/etc/passwd", PathError::Absolute),
            ("\\\\server\\share\\x", PathError::Absolute),
            ("~/.bashrc", PathError::Absolute),
            ("../x", PathError::ParentDir),
            ("a/../../x", PathError::ParentDir),
            ("a/../b", PathError::ParentDir),
            ("..\\..\\x", PathError::ParentDir),
            ("C:\\Windows\\x", PathError::WindowsDrive),
            ("C:x", PathError::WindowsDrive),
            ("a/file.txt:stream", PathError::WindowsDrive),
            ("NUL", PathError::WindowsDrive),
            ("com1.txt", PathError::WindowsDrive),
            (".git/hooks/pre-commit", PathError::VersionControl),
            ("a/.GIT/config", PathError::VersionControl),
            ("a\nb", PathError::ControlCharacter),
            ("a\0b", PathError::ControlCharacter),
            ("..../win.ini", PathError::Unportable),
            ("a/.../b", PathError::Unportable),
            ("dir./x", PathError::Unportable),
            ("a /x", PathError::Unportable),
        ];
        for (raw, error) in cases {
            assert_eq!(ProjectPath::parse(raw), Err(error), "{raw:?}");
        }
        assert_eq!(
            ProjectPath::parse(&"a/".repeat(200)),
            Err(PathError::TooLong)
        );
    }

    #[test]
    fn serde_round_trips_and_checks_again() {
        let path = ProjectPath::parse("src/a.rs").unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&path).unwrap_or_default();
        assert_eq!(json, "\"src/a.rs\"");
        assert_eq!(serde_json::from_str::<ProjectPath>(&json).ok(), Some(path));
        assert!(serde_json::from_str::<ProjectPath>("\"../x\"").is_err());
    }

    #[test]
    fn ancestors_and_file_name() {
        let path = ProjectPath::parse("a/b/c.rs").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(path.ancestors().collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(path.file_name(), "c.rs");
    }
}
