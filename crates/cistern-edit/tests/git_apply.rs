//! The diff shown to the user re-applies with `git apply`: random before/after pairs (a
//! modified, a created and a deleted file, LF or CRLF, with or without a final newline) are
//! written to a git repository, the patch is checked and applied by git, and the files must
//! then be exactly `after`.

use std::path::Path;
use std::process::Command;

use cistern_edit::unified_diff;
use proptest::prelude::*;

fn git(dir: &Path, args: &[&str]) -> Result<String, TestCaseError> {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "core.autocrlf=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| TestCaseError::fail(format!("git: {e}")))?;
    if !out.status.success() {
        return Err(TestCaseError::fail(format!(
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn text(lines: &[String], eol: &str, final_newline: bool) -> String {
    let mut text = lines.join(eol);
    if final_newline && !lines.is_empty() {
        text.push_str(eol);
    }
    text
}

/// `lines` with a few random edits: replace, insert or delete a line.
fn edited(mut lines: Vec<String>, edits: &[(prop::sample::Index, u8, String)]) -> Vec<String> {
    for (at, op, line) in edits {
        let i = at.index(lines.len() + 1);
        match op {
            0 if i < lines.len() => lines[i].clone_from(line),
            1 => lines.insert(i, line.clone()),
            _ if i < lines.len() => {
                lines.remove(i);
            }
            _ => {}
        }
    }
    lines
}

fn file_lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[ \t]{0,2}[a-d(){};]{0,4}", 0..30)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn git_applies_the_users_diff(
        old in file_lines(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, "[a-d]{0,3}"), 0..8),
        created in file_lines(),
        deleted in file_lines(),
        eol in prop_oneof![Just("\n"), Just("\r\n")],
        (nl_before, nl_after, nl_created) in (any::<bool>(), any::<bool>(), any::<bool>()),
    ) {
        let before = text(&old, eol, nl_before);
        let after = text(&edited(old, &edits), eol, nl_after);
        let created = text(&created, eol, nl_created);
        let deleted = text(&deleted, eol, true);

        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        std::fs::write(root.join("src/m.txt"), &before).map_err(|e| TestCaseError::fail(e.to_string()))?;
        std::fs::write(root.join("gone.txt"), &deleted).map_err(|e| TestCaseError::fail(e.to_string()))?;
        git(root, &["init", "-q"])?;
        git(root, &["add", "-A"])?;
        git(root, &["commit", "-q", "-m", "before"])?;

        let patch = [
            unified_diff("src/m.txt", Some(&before), Some(&after)),
            unified_diff("new/dir/c.txt", None, Some(&created)),
            unified_diff("gone.txt", Some(&deleted), None),
        ]
        .map(|d| d.patch)
        .concat();
        let patch_file = root.join(".git/edit.patch");
        std::fs::write(&patch_file, &patch).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let patch_arg = patch_file.to_string_lossy().into_owned();
        git(root, &["apply", "--check", &patch_arg])
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- patch ---\n{patch}")))?;
        git(root, &["apply", &patch_arg])?;

        let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
        prop_assert_eq!(read("src/m.txt"), Some(after));
        prop_assert_eq!(read("new/dir/c.txt"), Some(created));
        prop_assert_eq!(read("gone.txt"), None);
    }
}
