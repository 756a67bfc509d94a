//! Names for blocks the model did not name, and which blocks are commands rather than files.

use std::collections::HashSet;

use cistern_syntax::Language;

use super::{SkipReason, Skipped, blocks, fence_word};
use crate::path::ProjectPath;

/// Whether a path found in a label or a comment fits the block's fence language: a `bash`
/// block under "Edit `config.py`, then run:" is a command, not `config.py`.
pub(crate) fn fits_fence(fence_language: &str, path: &str) -> bool {
    use cistern_syntax::Language::{Javascript, Tsx, Typescript};
    if is_command_or_output(fence_language)
        && !fence_language.is_empty()
        && !matches!(fence_language, "text" | "txt" | "plaintext")
    {
        return matches!(
            path.rsplit('.').next(),
            Some("sh" | "bash" | "zsh" | "ps1" | "bat" | "cmd")
        );
    }
    let (Some(fence), file) = (
        Language::from_name(fence_language),
        Language::from_path(path),
    ) else {
        return true;
    };
    let script = |l: Language| matches!(l, Javascript | Typescript | Tsx);
    fence == file || !file.is_checked() || !fence.is_checked() || (script(fence) && script(file))
}

/// The name a lone unnamed block gets from its fence language (`python` → `main.py`).
/// `None` for a language with no sensible file (console output, a tree, …).
pub(crate) fn default_name(fence_language: &str, content: &str) -> Option<String> {
    let word = fence_language.to_ascii_lowercase();
    let name = match word.as_str() {
        "python" | "py" | "python3" => "main.py",
        "html" | "htm" => "index.html",
        "rust" | "rs" => "main.rs",
        "javascript" | "js" | "node" | "mjs" => "index.js",
        "jsx" => "App.jsx",
        "typescript" | "ts" => "index.ts",
        "tsx" => "App.tsx",
        "go" | "golang" => "main.go",
        "java" => return Some(format!("{}.java", java_class(content).unwrap_or("Main"))),
        "css" => "style.css",
        "json" => "data.json",
        "toml" => "config.toml",
        "yaml" | "yml" => "config.yaml",
        "bash" | "sh" | "shell" | "zsh" => "script.sh",
        "sql" => "query.sql",
        "c" => "main.c",
        "cpp" | "c++" | "cc" => "main.cpp",
        "csharp" | "cs" | "c#" => "Program.cs",
        "ruby" | "rb" => "main.rb",
        "php" => "index.php",
        "kotlin" | "kt" => "Main.kt",
        "swift" => "main.swift",
        "markdown" | "md" => "README.md",
        "dockerfile" | "docker" => "Dockerfile",
        "makefile" | "make" => "Makefile",
        "vue" => "App.vue",
        "svelte" => "App.svelte",
        "" | "text" | "txt" | "plaintext" => "main.txt",
        _ => return None,
    };
    Some(name.to_owned())
}

/// Fence languages that are commands or output rather than files, when a reply has more.
pub(crate) fn is_command_or_output(fence_language: &str) -> bool {
    matches!(
        fence_language.to_ascii_lowercase().as_str(),
        "bash"
            | "sh"
            | "shell"
            | "zsh"
            | "console"
            | "terminal"
            | "powershell"
            | "ps1"
            | "cmd"
            | "bat"
            | "output"
            | "text"
            | "txt"
            | "plaintext"
            | ""
            | "tree"
            | "diff"
    )
}

/// The public class of a Java source, which names its file.
fn java_class(content: &str) -> Option<&str> {
    let at = content.find("public class ")? + "public class ".len();
    let name = content[at..]
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()?;
    (!name.is_empty()).then_some(name)
}

/// Names the unnamed blocks of a reply without named ones.
pub(super) fn name_unnamed(
    unnamed: Vec<blocks::Block>,
    skipped: &mut Vec<Skipped>,
) -> Vec<(String, String, usize)> {
    let code = unnamed
        .iter()
        .filter(|b| !is_command_or_output(fence_word(&b.info)))
        .count();
    let lone = unnamed.len() == 1;
    let mut taken: HashSet<String> = HashSet::new();
    let mut named = Vec::new();
    for block in unnamed {
        let word = fence_word(&block.info);
        let command = is_command_or_output(word);
        let name = if command && !(lone || code == 0 && taken.is_empty()) {
            None
        } else {
            default_name(word, &block.content)
        };
        let Some(name) = name else {
            let reason = if command {
                SkipReason::Command
            } else {
                SkipReason::Unnamed
            };
            skipped.push(Skipped {
                line: block.line,
                info: block.info,
                reason,
            });
            continue;
        };
        if !taken.insert(name.clone()) {
            let path = ProjectPath::parse(&name).ok();
            if let Some(path) = path {
                skipped.push(Skipped {
                    line: block.line,
                    info: block.info,
                    reason: SkipReason::DefaultNameTaken { path },
                });
            }
            continue;
        }
        named.push((name, block.content, block.line));
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_fit_the_fence_language() {
        assert!(fits_fence("python", "app.py"));
        assert!(fits_fence("jsx", "App.js") && fits_fence("ts", "App.tsx"));
        assert!(fits_fence("", "Dockerfile") && fits_fence("dockerfile", "Dockerfile"));
        assert!(fits_fence("bash", "setup.sh"));
        assert!(!fits_fence("bash", "config.py"));
        assert!(!fits_fence("python", "index.html"));
        assert!(fits_fence("html", "App.vue"));
    }

    #[test]
    fn default_names() {
        assert_eq!(default_name("python", "").as_deref(), Some("main.py"));
        assert_eq!(
            default_name("java", "public class Hello {}").as_deref(),
            Some("Hello.java")
        );
        assert_eq!(default_name("console", ""), None);
    }
}
