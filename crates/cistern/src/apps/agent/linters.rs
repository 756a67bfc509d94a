//! `lint_fix`'s configured linters: `[agent.linters]` maps a language (`python`,
//! `javascript`, … as `cistern-syntax` names them) to a command. When a workspace has files of
//! that language, the command runs once in a temporary copy of the workspace (`sh -c`, the
//! copy as its working directory, a time limit, its output bounded) and each line of its
//! output shaped `path:line[:column][:] message` — what ruff (`--output-format=concise`),
//! flake8, pyflakes, ESLint (`-f unix`), `tsc --pretty false`-style tools, gcc and grep write —
//! becomes a diagnostic for the model. Other lines are ignored.
//!
//! The command is the administrator's, never the user's; the files are the user's. A linter
//! that executes project code (ESLint's JavaScript config files, for one) runs it here: choose
//! linters that do not, or run Cistern's workers where that is acceptable.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use cistern_edit::Tree;
use regex::Regex;

use super::AgentConfig;

/// Most diagnostics kept from one linter.
const MAX_DIAGNOSTICS: usize = 200;
/// Most bytes of output read from one linter.
const MAX_OUTPUT: usize = 256 * 1024;

static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\./)?(?P<path>[^\s:][^:]*):(?P<line>\d+)(?::(?P<col>\d+))?:?\s*(?P<msg>\S.*)$")
        .unwrap_or_else(|e| unreachable!("a constant pattern: {e}"))
});

/// Runs every configured linter whose language the tree has; their diagnostics, one
/// `path:line:column: message` per line (empty when none is configured or none reports).
/// A linter that cannot run, or runs out of time, is one line saying so.
pub async fn run(config: &AgentConfig, tree: &Tree) -> String {
    let languages: BTreeSet<&str> = tree
        .iter()
        .map(|(path, _)| cistern_syntax::Language::from_path(path).name())
        .collect();
    let wanted: Vec<(&String, &String)> = config
        .linters
        .iter()
        .filter(|(language, _)| languages.contains(language.as_str()))
        .collect();
    if wanted.is_empty() {
        return String::new();
    }
    let dir = match write_tree(tree) {
        Ok(dir) => dir,
        Err(e) => return format!("(the linters could not run: {e})\n"),
    };
    let timeout = Duration::from_secs(config.linter_timeout_secs);
    let mut out = String::new();
    for (language, command) in wanted {
        match lint(command, dir.path(), timeout).await {
            Ok(output) => out.push_str(&parse(&output, tree)),
            Err(e) => out.push_str(&format!("(the {language} linter did not run: {e})\n")),
        }
    }
    out
}

fn write_tree(tree: &Tree) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    for (path, content) in tree.iter() {
        // Paths are a workspace's: relative, normalised, never `..` (see `file_path`).
        let target = dir.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, content)?;
    }
    Ok(dir)
}

async fn lint(command: &str, dir: &Path, timeout: Duration) -> Result<String, String> {
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(timeout, child)
        .await
        .map_err(|_| {
            format!(
                "no answer within {} s (agent.linter_timeout_secs)",
                timeout.as_secs()
            )
        })?
        .map_err(|e| e.to_string())?;
    // Linters exit non-zero when they find problems: the output is what counts.
    let mut text = output.stdout;
    text.extend_from_slice(&output.stderr);
    text.truncate(MAX_OUTPUT);
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// The output's diagnostic lines about files of the tree, normalised.
fn parse(output: &str, tree: &Tree) -> String {
    let mut out = String::new();
    let mut kept = 0;
    for line in output.lines() {
        let Some(m) = LINE.captures(line.trim_end()) else {
            continue;
        };
        let path = m["path"].trim_start_matches("./");
        if tree.get(path).is_none() {
            continue;
        }
        kept += 1;
        if kept > MAX_DIAGNOSTICS {
            out.push_str("(more diagnostics follow)\n");
            break;
        }
        let column = m
            .name("col")
            .map_or(String::new(), |c| format!(":{}", c.as_str()));
        out.push_str(&format!("{path}:{}{column}: {}\n", &m["line"], &m["msg"]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Tree {
        [("app.py", "import os\n"), ("src/a.js", "x\n")]
            .into_iter()
            .collect()
    }

    #[test]
    fn the_common_shapes_are_read_and_other_lines_ignored() {
        let output = "app.py:1:8: F401 [*] `os` imported but unused\n\
            ./src/a.js:1:1: 'x' is not defined. [Error/no-undef]\n\
            app.py:1: # TODO\n\
            Found 1 error.\n\
            elsewhere.py:3:1: not ours\n";
        assert_eq!(
            parse(output, &tree()),
            "app.py:1:8: F401 [*] `os` imported but unused\n\
             src/a.js:1:1: 'x' is not defined. [Error/no-undef]\n\
             app.py:1: # TODO\n"
        );
    }

    #[tokio::test]
    async fn a_linter_runs_in_a_copy_of_the_tree_and_a_slow_one_is_cut_off() {
        let mut config = AgentConfig::default();
        config.linters.insert(
            "python".into(),
            "grep -rnH import --include='*.py' .".into(),
        );
        assert_eq!(run(&config, &tree()).await, "app.py:1: import os\n");
        config.linters.insert("python".into(), "sleep 5".into());
        config.linter_timeout_secs = 1;
        assert!(run(&config, &tree()).await.contains("no answer within 1 s"));
        // No file of a configured language: nothing runs.
        config.linters.clear();
        config.linters.insert("go".into(), "false".into());
        assert_eq!(run(&config, &tree()).await, "");
    }
}
