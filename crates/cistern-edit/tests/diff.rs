//! The diff shown to the user: headers, hunk numbers, new files.

use cistern_edit::unified_diff;

#[test]
fn hunks_carry_their_numbers() {
    let before: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    let after = before
        .replace("line 3\n", "line three\n")
        .replace("line 17\n", "");
    let diff = unified_diff("n.txt", Some(&before), Some(&after));
    assert!(
        diff.patch.starts_with("--- a/n.txt\n+++ b/n.txt\n"),
        "{}",
        diff.patch
    );
    let numbers: Vec<_> = diff
        .hunks
        .iter()
        .map(|h| (h.id, h.old_start, h.old_lines, h.new_start, h.new_lines))
        .collect();
    assert_eq!(numbers, [(1, 1, 6, 1, 6), (2, 14, 7, 14, 6)]);
    assert_eq!(diff.hunks[1].header, "@@ -14,7 +14,6 @@");
}

#[test]
fn a_created_file_diffs_from_dev_null() {
    let diff = unified_diff("new.py", None, Some("a\nb\n"));
    assert!(
        diff.patch
            .starts_with("--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n"),
        "{}",
        diff.patch
    );
    assert_eq!((diff.hunks[0].old_start, diff.hunks[0].old_lines), (0, 0));
}

#[test]
fn no_change_no_patch() {
    let diff = unified_diff("a", Some("x\n"), Some("x\n"));
    assert!(diff.patch.is_empty() && diff.hunks.is_empty());
}
