//! The server's diagnostics: the code generator's syntax checks (tree-sitter, `cistern-syntax`)
//! over a task's files — all of them for `lint_fix`, and each file an edit changes, so an edit
//! that breaks a file that parsed goes back to the model instead of to the user.

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

/// The syntax errors of `changed` files an edit made worse: a file that parsed (or is new)
/// and does not now, or one that had errors and has no fewer now — an edit must not break a
/// file, and a fix must make progress.
pub fn newly_broken(copy: &WorkingCopy, changed: &[String]) -> String {
    let mut out = String::new();
    for path in changed {
        let Some(now) = copy.get(path) else { continue };
        let report = cistern_syntax::check(path, now);
        if !report.checked || report.ok {
            continue;
        }
        let before = copy
            .original(path)
            .map(|b| cistern_syntax::check(path, b))
            .filter(|r| r.checked && !r.ok);
        if before.is_none_or(|b| report.errors.len() >= b.errors.len()) {
            out.push_str(&format_errors(path, &report));
        }
    }
    out
}

fn errors(path: &str, content: &str) -> String {
    let report = cistern_syntax::check(path, content);
    if !report.checked || report.ok {
        return String::new();
    }
    format_errors(path, &report)
}

fn format_errors(path: &str, report: &cistern_syntax::SyntaxReport) -> String {
    let mut out = String::new();
    for e in report.errors.iter().take(ERRORS_PER_FILE) {
        out.push_str(&format!("{path}:{}:{}: {}\n", e.line, e.column, e.message));
    }
    if report.errors.len() > ERRORS_PER_FILE || report.more_errors {
        out.push_str(&format!("{path}: more errors follow\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_line_and_column() {
        let broken = "def greet(name)\n    return 'hi ' + name\n";
        let tree: Tree = [("app.py", broken), ("ok.py", "x = 1\n")]
            .into_iter()
            .collect();
        let found = run(&tree);
        assert!(found.starts_with("app.py:"), "{found}");
        assert!(!found.contains("ok.py"), "{found}");
        let worse = "def greet(name:\n    return 'hi ' + name\n";
        assert!(
            !errors("app.py", worse).is_empty(),
            "{}",
            errors("app.py", worse)
        );
        let a = cistern_syntax::check("app.py", broken);
        let b = cistern_syntax::check("app.py", worse);
        assert_eq!((a.errors.len(), b.errors.len()), (1, 1), "{a:?} {b:?}");
    }
}
