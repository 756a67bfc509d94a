//! The languages the checker knows, their API names and detection from a file path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A source language, as named in the API (`"javascript"`, `"tsx"`, …).
///
/// `Markdown` and `Text` are known but never checked: any text is valid Markdown, and
/// `Text` is the answer for every file the checker does not recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Language {
    /// JavaScript, JSX included (`.js`, `.jsx`, `.mjs`, `.cjs`).
    Javascript,
    /// TypeScript without JSX (`.ts`, `.mts`, `.cts`).
    Typescript,
    /// TypeScript with JSX (`.tsx`).
    Tsx,
    /// Python (`.py`, `.pyi`, `.pyw`).
    Python,
    /// Rust (`.rs`).
    Rust,
    /// Go (`.go`).
    Go,
    /// Java (`.java`).
    Java,
    /// HTML (`.html`, `.htm`).
    Html,
    /// CSS (`.css`).
    Css,
    /// JSON (`.json`, `.jsonc`, well-known dotfiles such as `.babelrc`).
    Json,
    /// TOML (`.toml`, `Cargo.lock`, `Pipfile`).
    Toml,
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// Markdown (`.md`, `.markdown`) — not checked.
    Markdown,
    /// Anything else — not checked.
    Text,
}

impl Language {
    /// Every language, in a stable order.
    pub const ALL: [Language; 14] = [
        Language::Javascript,
        Language::Typescript,
        Language::Tsx,
        Language::Python,
        Language::Rust,
        Language::Go,
        Language::Java,
        Language::Html,
        Language::Css,
        Language::Json,
        Language::Toml,
        Language::Yaml,
        Language::Markdown,
        Language::Text,
    ];

    /// The API name: lowercase, stable (`"javascript"`, `"tsx"`, `"text"`).
    pub fn name(self) -> &'static str {
        match self {
            Language::Javascript => "javascript",
            Language::Typescript => "typescript",
            Language::Tsx => "tsx",
            Language::Python => "python",
            Language::Rust => "rust",
            Language::Go => "go",
            Language::Java => "java",
            Language::Html => "html",
            Language::Css => "css",
            Language::Json => "json",
            Language::Toml => "toml",
            Language::Yaml => "yaml",
            Language::Markdown => "markdown",
            Language::Text => "text",
        }
    }

    /// Parses an API name or a common alias (a Markdown fence's info word: `js`, `py`, `ts`,
    /// `yml`, `golang`, `jsx`, …), case-insensitively. `None` when it names nothing known.
    pub fn from_name(name: &str) -> Option<Language> {
        let lower = name.trim().to_ascii_lowercase();
        let language = match lower.as_str() {
            "javascript" | "js" | "jsx" | "mjs" | "cjs" | "node" | "nodejs" => Language::Javascript,
            "typescript" | "ts" | "mts" | "cts" => Language::Typescript,
            "tsx" => Language::Tsx,
            "python" | "py" | "python3" | "py3" | "pyi" => Language::Python,
            "rust" | "rs" => Language::Rust,
            "go" | "golang" => Language::Go,
            "java" => Language::Java,
            "html" | "htm" | "xhtml" => Language::Html,
            "css" => Language::Css,
            "json" | "jsonc" | "json5" => Language::Json,
            "toml" => Language::Toml,
            "yaml" | "yml" => Language::Yaml,
            "markdown" | "md" => Language::Markdown,
            "text" | "txt" | "plaintext" | "plain" => Language::Text,
            _ => return None,
        };
        Some(language)
    }

    /// The language of a file, from its name or extension (`src/App.tsx` → `Tsx`,
    /// `Cargo.lock` → `Toml`, `Dockerfile` → `Text`). Accepts `/` or `\` separators.
    pub fn from_path(path: &str) -> Language {
        let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let lower = file_name.to_ascii_lowercase();
        match lower.as_str() {
            "cargo.lock" | "pipfile" | "poetry.lock" => return Language::Toml,
            ".babelrc" | ".eslintrc" | ".prettierrc" | ".swcrc" => return Language::Json,
            _ => {}
        }
        match lower.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() => {
                Language::from_extension(extension).unwrap_or(Language::Text)
            }
            _ => Language::Text,
        }
    }

    fn from_extension(extension: &str) -> Option<Language> {
        let language = match extension {
            "js" | "jsx" | "mjs" | "cjs" => Language::Javascript,
            "ts" | "mts" | "cts" => Language::Typescript,
            "tsx" => Language::Tsx,
            "py" | "pyi" | "pyw" => Language::Python,
            "rs" => Language::Rust,
            "go" => Language::Go,
            "java" => Language::Java,
            "html" | "htm" => Language::Html,
            "css" => Language::Css,
            "json" | "jsonc" => Language::Json,
            "toml" => Language::Toml,
            "yaml" | "yml" => Language::Yaml,
            "md" | "markdown" => Language::Markdown,
            _ => return None,
        };
        Some(language)
    }

    /// Whether [`check`](crate::check) parses this language (every language but `Markdown`
    /// and `Text`).
    pub fn is_checked(self) -> bool {
        !matches!(self, Language::Markdown | Language::Text)
    }

    /// The usual file extension, without the dot (`"py"`, `"tsx"`, `"txt"` for `Text`).
    pub fn extension(self) -> &'static str {
        match self {
            Language::Javascript => "js",
            Language::Typescript => "ts",
            Language::Tsx => "tsx",
            Language::Python => "py",
            Language::Rust => "rs",
            Language::Go => "go",
            Language::Java => "java",
            Language::Html => "html",
            Language::Css => "css",
            Language::Json => "json",
            Language::Toml => "toml",
            Language::Yaml => "yaml",
            Language::Markdown => "md",
            Language::Text => "txt",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_languages() {
        let cases = [
            ("src/App.jsx", Language::Javascript),
            ("server.mjs", Language::Javascript),
            ("src/main.ts", Language::Typescript),
            ("src/App.tsx", Language::Tsx),
            ("app/main.py", Language::Python),
            ("src\\main.rs", Language::Rust),
            ("main.go", Language::Go),
            ("src/main/java/App.java", Language::Java),
            ("index.HTML", Language::Html),
            ("style.css", Language::Css),
            ("package.json", Language::Json),
            ("Cargo.toml", Language::Toml),
            ("Cargo.lock", Language::Toml),
            (".github/workflows/ci.yml", Language::Yaml),
            ("README.md", Language::Markdown),
            ("Dockerfile", Language::Text),
            (".gitignore", Language::Text),
            ("notes", Language::Text),
        ];
        for (path, language) in cases {
            assert_eq!(Language::from_path(path), language, "{path}");
        }
    }

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for language in Language::ALL {
            assert_eq!(Language::from_name(language.name()), Some(language));
        }
        assert_eq!(Language::from_name("PY"), Some(Language::Python));
        assert_eq!(Language::from_name("golang"), Some(Language::Go));
        assert_eq!(Language::from_name("bash"), None);
    }

    #[test]
    fn only_markdown_and_text_are_unchecked() {
        let unchecked: Vec<_> = Language::ALL
            .into_iter()
            .filter(|l| !l.is_checked())
            .collect();
        assert_eq!(unchecked, [Language::Markdown, Language::Text]);
    }
}
