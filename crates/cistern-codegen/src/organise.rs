//! The project as handed back: files sorted as a file tree shows them, each with its
//! language, size and syntax report; manifests completed on the way ([`assemble`]).

use cistern_syntax::{Language, SyntaxReport};
use serde::{Deserialize, Serialize};

use crate::framework::Framework;
use crate::warning::Warning;
use crate::{File, ProjectPath, manifest};

/// One file of the finished project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFile {
    /// Where it goes.
    pub path: ProjectPath,
    /// Its language (from the path).
    pub language: Language,
    /// Its size in bytes (UTF-8).
    pub size: usize,
    /// Its text.
    pub content: String,
    /// What the syntax check found (`checked: false` for Markdown, text and unknown files).
    pub syntax: SyntaxReport,
}

/// A finished project: its files and every change the generator made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// The files, sorted by path component by component.
    pub files: Vec<ProjectFile>,
    /// Manifests completed, README added, …
    pub warnings: Vec<Warning>,
}

impl Project {
    /// The files with syntax errors — what a repair round sends back to the model.
    pub fn files_with_errors(&self) -> impl Iterator<Item = &ProjectFile> {
        self.files.iter().filter(|f| !f.syntax.ok)
    }

    /// Total size of the files in bytes.
    pub fn size(&self) -> usize {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The programming language most of its code is written in, by bytes (TSX counts as
    /// TypeScript): what the model wrote, which may differ from the framework's usual one (a
    /// React project in TypeScript). `None` when no file is a program (markup, styles, data).
    pub fn main_language(&self) -> Option<Language> {
        let mut bytes: Vec<(Language, usize)> = Vec::new();
        for file in &self.files {
            let language = match file.language {
                Language::Tsx => Language::Typescript,
                l @ (Language::Javascript
                | Language::Typescript
                | Language::Python
                | Language::Rust
                | Language::Go
                | Language::Java) => l,
                _ => continue,
            };
            match bytes.iter_mut().find(|(l, _)| *l == language) {
                Some((_, n)) => *n += file.size,
                None => bytes.push((language, file.size)),
            }
        }
        // The first written wins a tie, so the answer does not depend on hashing.
        bytes.iter().rev().max_by_key(|(_, n)| *n).map(|(l, _)| *l)
    }
}

/// Sorts files as a tree lists them (by path component: `src/a.js` before `src-x/b.js`).
pub fn organise(mut files: Vec<File>) -> Vec<File> {
    files.sort_by(|a, b| a.path.as_str().split('/').cmp(b.path.as_str().split('/')));
    files
}

/// Completes manifests and the README ([`manifest::complete`]), sorts ([`organise`]) and
/// checks every file ([`cistern_syntax::check`], which knows JSONC files by name).
pub fn assemble(mut files: Vec<File>, framework: Framework) -> Project {
    let warnings = manifest::complete(&mut files, framework);
    let files = organise(files)
        .into_iter()
        .map(|file| {
            let syntax = cistern_syntax::check(file.path.as_str(), &file.content);
            let language = syntax.language;
            ProjectFile {
                size: file.content.len(),
                language,
                path: file.path,
                content: file.content,
                syntax,
            }
        })
        .collect();
    Project { files, warnings }
}

/// Replaces files with the model's fixed versions (same path) and adds new ones — how a
/// repair round's reply goes back into the project before [`assemble`] runs again.
pub fn merge(files: &mut Vec<File>, fixes: Vec<File>) {
    for fix in fixes {
        match files.iter_mut().find(|f| f.path == fix.path) {
            Some(file) => *file = fix,
            None => files.push(fix),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: &str) -> File {
        File::new(
            ProjectPath::parse(path).unwrap_or_else(|e| panic!("{e}")),
            content.to_owned(),
        )
    }

    #[test]
    fn files_are_sorted_as_a_tree() {
        let files = organise(vec![
            file("src-x/b.js", ""),
            file("b.txt", ""),
            file("src/a.js", ""),
            file("a.txt", ""),
        ]);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.txt", "b.txt", "src/a.js", "src-x/b.js"]);
    }

    #[test]
    fn the_main_language_is_the_one_most_code_is_written_in() {
        let project = |files: Vec<File>| assemble(files, Framework::ReactVite);
        let react_in_typescript = project(vec![
            file(
                "src/App.tsx",
                "export default function App() { return <p>hi</p>; }\n",
            ),
            file(
                "src/storage.ts",
                "export const load = (): string[] => [];\n",
            ),
            file("vite.config.js", "export default {};\n"),
            file("index.html", &"<p>long markup</p>\n".repeat(50)),
        ]);
        assert_eq!(
            react_in_typescript.main_language(),
            Some(Language::Typescript)
        );
        let markup_only = project(vec![file("index.html", "<p>hi</p>\n")]);
        assert_eq!(markup_only.main_language(), None);
    }

    #[test]
    fn assembled_files_have_languages_sizes_and_syntax() {
        let project = assemble(
            vec![
                file("main.py", "def f(:\n    pass\n"),
                file("README.md", "# é\n"),
                file("tsconfig.json", "{\"a\": 1,}"),
            ],
            Framework::PythonCli,
        );
        let summary: Vec<(&str, Language, usize, bool)> = project
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.language, f.size, f.syntax.ok))
            .collect();
        assert_eq!(
            summary,
            [
                ("README.md", Language::Markdown, 5, true),
                ("main.py", Language::Python, 17, false),
                ("tsconfig.json", Language::Json, 9, true)
            ]
        );
        assert_eq!(project.files_with_errors().count(), 1);
        assert_eq!(project.size(), 31);
    }

    #[test]
    fn a_repair_replaces_the_broken_file() {
        let mut files = vec![file("main.py", "def f(:\n"), file("b.py", "x = 1\n")];
        merge(
            &mut files,
            vec![file("main.py", "def f():\n    pass\n"), file("c.py", "")],
        );
        let project = assemble(files, Framework::PythonCli);
        assert_eq!(project.files_with_errors().count(), 0);
        assert_eq!(project.files.len(), 4, "README added");
    }
}
