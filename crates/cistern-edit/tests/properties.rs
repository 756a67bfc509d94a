//! Properties of the engine on generated files and replies: a refusal changes nothing, an
//! exact edit of a unique line does exactly that, arbitrary text never panics, the diff
//! shown to the user describes the change, per-hunk accept and three-way merge keep what they
//! must.

use cistern_edit::{
    Change, Changes, Refusal, Tree, apply, apply_hunks, merge3, parse, unified_diff,
};
use proptest::prelude::*;

/// A file of distinct-looking code lines, LF or CRLF, with or without a final newline.
fn file() -> impl Strategy<Value = (Vec<String>, &'static str, bool)> {
    (
        prop::collection::vec("[ \t]{0,3}[a-z_(){};=]{0,12}[ ]{0,2}", 1..40),
        prop_oneof![Just("\n"), Just("\r\n")],
        any::<bool>(),
    )
}

fn render(lines: &[String], eol: &str, final_newline: bool) -> String {
    let mut text = lines.join(eol);
    if final_newline {
        text.push_str(eol);
    }
    text
}

/// A changed file's path stays inside the tree; a refusal has a reason.
fn check(result: Result<Changes, Refusal>) -> Result<(), TestCaseError> {
    match result {
        Ok(changes) => {
            for path in changes.files.keys() {
                prop_assert!(safe(path), "{path}");
            }
        }
        Err(refusal) => prop_assert!(!refusal.errors.is_empty()),
    }
    Ok(())
}

fn safe(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != ".." && p != ".")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Whatever the reply, the input tree is left as it was, and a refusal is never empty.
    #[test]
    fn refusal_leaves_the_tree_identical(
        (lines, eol, final_newline) in file(),
        search in prop::collection::vec("[a-z_(){};= \t]{0,10}", 0..4),
        replace in prop::collection::vec("[a-z_(){};= .#/\t]{0,14}", 0..4),
    ) {
        let content = render(&lines, eol, final_newline);
        let tree: Tree = [("f.txt", content.clone())].into_iter().collect();
        let snapshot = tree.clone();
        let reply = format!(
            "f.txt\n<<<<<<< SEARCH\n{}=======\n{}>>>>>>> REPLACE\n",
            search.iter().map(|l| format!("{l}\n")).collect::<String>(),
            replace.iter().map(|l| format!("{l}\n")).collect::<String>(),
        );
        match apply(&tree, &reply) {
            Ok(changes) => {
                for change in changes.files.values() {
                    prop_assert!(matches!(change, Change::Modified(_)));
                }
            }
            Err(refusal) => prop_assert!(!refusal.errors.is_empty()),
        }
        prop_assert_eq!(tree, snapshot);
    }

    /// Replacing a line that occurs once, exactly, changes that line and nothing else: same
    /// endings, same final newline.
    #[test]
    fn exact_edit_of_a_unique_line_round_trips(
        (lines, eol, final_newline) in file(),
        pick in any::<prop::sample::Index>(),
        new_line in "[a-z]{1,8} = [0-9]{1,3}",
    ) {
        let i = pick.index(lines.len());
        prop_assume!(lines.iter().filter(|l| **l == lines[i]).count() == 1);
        prop_assume!(!lines[i].trim().is_empty());
        let content = render(&lines, eol, final_newline);
        let tree: Tree = [("f.txt", content)].into_iter().collect();
        let reply = format!("f.txt\n<<<<<<< SEARCH\n{}\n=======\n{new_line}\n>>>>>>> REPLACE\n", lines[i]);
        let changes = apply(&tree, &reply).map_err(|r| TestCaseError::fail(r.to_string()))?;
        let mut expected = lines.clone();
        expected[i] = new_line;
        let expected = render(&expected, eol, final_newline);
        prop_assert_eq!(changes.files["f.txt"].content(), Some(expected.as_str()));
    }

    /// Arbitrary text as a reply (or as a file) never panics.
    #[test]
    fn arbitrary_input_never_panics(reply in "(?s).{0,300}", content in "(?s).{0,200}") {
        let tree: Tree = [("a.txt", content.clone())].into_iter().collect();
        check(apply(&tree, &reply))?;
        if let Ok(edits) = parse(&reply) {
            for edit in edits {
                prop_assert!(safe(&edit.path), "{}", edit.path);
            }
        }
        let marked = format!("a.txt\n<<<<<<< SEARCH\n{content}\n=======\n{reply}\n>>>>>>> REPLACE\n");
        check(apply(&tree, &marked))?;
    }

    /// The user's diff has one `@@` line per hunk, each equal to its hunk's header, and is
    /// empty exactly when nothing changed.
    #[test]
    fn diff_headers_match_the_patch(
        (old, eol, nl) in file(),
        (new, _, nl2) in file(),
    ) {
        let (before, after) = (render(&old, eol, nl), render(&new, eol, nl2));
        let diff = unified_diff("f.txt", Some(&before), Some(&after));
        let headers: Vec<&str> = diff.patch.lines().filter(|l| l.starts_with("@@")).collect();
        let expected: Vec<&str> = diff.hunks.iter().map(|h| h.header.as_str()).collect();
        prop_assert_eq!(headers, expected);
        prop_assert_eq!(diff.patch.is_empty(), before == after);
    }

    /// Accepting every hunk gives the new text, accepting none the old one, byte for byte.
    #[test]
    fn all_hunks_give_after_and_none_give_before(
        (old, eol, nl) in file(),
        (new, eol2, nl2) in file(),
    ) {
        let (before, after) = (render(&old, eol, nl), render(&new, eol2, nl2));
        let ids: Vec<usize> = unified_diff("f", Some(&before), Some(&after))
            .hunks
            .iter()
            .map(|h| h.id)
            .collect();
        prop_assert_eq!(apply_hunks(&before, &after, &ids), after.clone());
        prop_assert_eq!(apply_hunks(&before, &after, &[]), before.clone());
    }

    /// A side that changed nothing takes the other side's text whole.
    #[test]
    fn merge_with_an_unchanged_side_is_the_other_side(
        (base, eol, nl) in file(),
        (other, eol2, nl2) in file(),
    ) {
        let (base, other) = (render(&base, eol, nl), render(&other, eol2, nl2));
        prop_assert_eq!(merge3(&base, &other, &base), Ok(other.clone()));
        prop_assert_eq!(merge3(&base, &base, &other), Ok(other.clone()));
        prop_assert_eq!(merge3(&base, &other, &other), Ok(other));
    }

    /// The user's diff, sent back as a model's reply, turns the file into the target: hunks
    /// are located by their lines (a header's line number only breaking ties), and
    /// `\ No newline at end of file` markers set the final newline.
    #[test]
    fn the_users_diff_applied_as_a_reply_yields_the_target(
        (old, eol, nl) in file(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, "[a-z_(){};= ]{0,8}"), 1..6),
        nl2 in any::<bool>(),
    ) {
        let before = render(&old, eol, nl);
        // New lines take the file's own ending; a file without any takes LF.
        prop_assume!(before.contains('\n') || eol == "\n");
        let mut new = old.clone();
        for (at, op, line) in edits {
            let i = at.index(new.len() + 1);
            match op {
                0 if i < new.len() => new[i] = line,
                1 => new.insert(i, line),
                _ if i < new.len() && new.len() > 1 => { new.remove(i); }
                _ => {}
            }
        }
        let after = render(&new, eol, nl2);
        prop_assume!(before != after);
        let tree: Tree = [("f.txt", before.clone())].into_iter().collect();
        let diff = unified_diff("f.txt", Some(&before), Some(&after));
        let changes = apply(&tree, &diff.patch)
            .map_err(|r| TestCaseError::fail(format!("{r}\n{}", diff.patch)))?;
        prop_assert_eq!(changes.files["f.txt"].content(), Some(after.as_str()), "{}", diff.patch);
    }

    /// Diff-shaped text (headers, hunks, markers, fences, in any order) as a reply never
    /// panics, and whatever it changes stays inside the tree.
    #[test]
    fn arbitrary_diffs_never_panic(
        lines in prop::collection::vec(
            prop_oneof![
                Just("diff --git a/a.txt b/a.txt".to_owned()),
                Just("diff --git a/a.txt b/b.txt".to_owned()),
                Just("--- a/a.txt".to_owned()),
                Just("+++ b/a.txt".to_owned()),
                Just("--- /dev/null".to_owned()),
                Just("+++ /dev/null".to_owned()),
                Just("new file mode 100644".to_owned()),
                Just("deleted file mode 100644".to_owned()),
                Just("rename from a.txt".to_owned()),
                Just("rename to c.txt".to_owned()),
                Just("@@".to_owned()),
                Just("\\ No newline at end of file".to_owned()),
                Just("```diff".to_owned()),
                Just("```".to_owned()),
                Just("a.txt".to_owned()),
                "@@ -[0-9]{1,3}(,[0-9]{1,2})? \\+[0-9]{1,3}(,[0-9]{1,2})? @@",
                "[ +-]?[a-c .#/]{0,6}",
                "(?s).{0,12}",
            ],
            0..24,
        ),
        content in "[a-c \n]{0,40}",
    ) {
        let reply = lines.join("\n");
        let tree: Tree = [("a.txt", content.clone()), ("b.txt", "b\n".to_owned())].into_iter().collect();
        check(apply(&tree, &reply))?;
        if let Ok(edits) = parse(&reply) {
            for edit in edits {
                prop_assert!(safe(&edit.path), "{}", edit.path);
            }
        }
    }
}
