//! The server's diagnostics: the code generator's syntax checks (tree-sitter, `cistern-syntax`)
//! over a task's files — all of them for `lint_fix`, and each file an edit changes, so an edit
//! that breaks a file that parsed goes back to the model instead of to the user.

use std::fmt::Write as _;

use cistern_edit::Tree;

use super::tools::WorkingCopy;

/// Errors shown per file.
const ERRORS_PER_FILE: usize = 10;

/// Every syntax error of the tree's checkable files, one `path:line:column: message` per line
/// (empty when there is none).
pub fn run(tree: &Tree) -> String {
    let mut out = String::new();
    for (path, content) in tree.iter() {
        out.push_str(&errors(path, content));
    }
    out
}

/// The syntax errors of `changed` files that parse in the base (or are new) but not now.
pub fn newly_broken(copy: &WorkingCopy, changed: &[String]) -> String {
    let mut out = String::new();
    for path in changed {
        let Some(now) = copy.get(path) else { continue };
        let found = errors(path, now);
        if found.is_empty() {
            continue;
        }
        let was_fine = copy
            .original(path)
            .is_none_or(|before| errors(path, before).is_empty());
        if was_fine {
            out.push_str(&found);
        }
    }
    out
}

fn errors(path: &str, content: &str) -> String {
    let report = cistern_syntax::check(path, content);
    let mut out = String::new();
    if !report.checked || report.ok {
        return out;
    }
    for e in report.errors.iter().take(ERRORS_PER_FILE) {
        let _ = writeln!(out, "{path}:{}:{}: {}", e.line, e.column, e.message);
    }
    if report.errors.len() > ERRORS_PER_FILE || report.more_errors {
        let _ = writeln!(out, "{path}: more errors follow");
    }
    out
}
