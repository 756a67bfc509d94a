//! The diff shown to the user: headers, hunk numbers, new, deleted and renamed files, a
//! missing final newline; and per-hunk accept.

use cistern_edit::{apply_hunks, renamed_diff, unified_diff};

#[test]
fn hunks_carry_their_numbers() {
    let before: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    let after = before
        .replace("line 3\n", "line three\n")
        .replace("line 17\n", "");
    let diff = unified_diff("n.txt", Some(&before), Some(&after));
    assert!(
        diff.patch
            .starts_with("diff --git a/n.txt b/n.txt\n--- a/n.txt\n+++ b/n.txt\n"),
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
            == "diff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n",
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

#[test]
fn a_deleted_file_diffs_to_dev_null() {
    let diff = unified_diff("old.py", Some("a\n"), None);
    assert_eq!(
        diff.patch,
        "diff --git a/old.py b/old.py\ndeleted file mode 100644\n--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n"
    );
}

#[test]
fn an_empty_file_created_or_deleted_still_has_a_patch() {
    let created = unified_diff("e.txt", None, Some(""));
    assert_eq!(
        created.patch,
        "diff --git a/e.txt b/e.txt\nnew file mode 100644\n"
    );
    assert!(created.hunks.is_empty());
    let deleted = unified_diff("e.txt", Some(""), None);
    assert_eq!(
        deleted.patch,
        "diff --git a/e.txt b/e.txt\ndeleted file mode 100644\n"
    );
}

#[test]
fn a_missing_final_newline_is_marked() {
    let diff = unified_diff("a.txt", Some("a\nb"), Some("a\nc"));
    assert_eq!(
        diff.patch,
        "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    );
    let added = unified_diff("a.txt", Some("a"), Some("a\n"));
    assert!(
        added
            .patch
            .ends_with("@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"),
        "{}",
        added.patch
    );
}

#[test]
fn a_rename_has_rename_headers_and_hunks_when_changed() {
    let same = renamed_diff("a.py", "b.py", "x\n", "x\n");
    assert_eq!(
        same.patch,
        "diff --git a/a.py b/b.py\nrename from a.py\nrename to b.py\n"
    );
    let changed = renamed_diff("a.py", "b.py", "x\n", "y\n");
    assert!(
        changed
            .patch
            .ends_with("--- a/a.py\n+++ b/b.py\n@@ -1 +1 @@\n-x\n+y\n"),
        "{}",
        changed.patch
    );
    assert_eq!(changed.path, "b.py");
}

#[test]
fn accepting_some_hunks_keeps_the_others_as_they_were() {
    let before: String = (1..=20).map(|i| format!("line {i}\r\n")).collect();
    let after = before
        .replace("line 3\r\n", "line three\r\n")
        .replace("line 17\r\n", "");
    let diff = unified_diff("n.txt", Some(&before), Some(&after));
    assert_eq!(diff.hunks.len(), 2);
    assert_eq!(
        apply_hunks(&before, &after, &[2]),
        before.replace("line 17\r\n", "")
    );
    assert_eq!(
        apply_hunks(&before, &after, &[1]),
        before.replace("line 3\r\n", "line three\r\n")
    );
    // The last line loses its final newline only if that hunk is accepted.
    let (b, a) = (
        "1\n2\n3\n4\n5\n6\n7\n8\n9\nx\n",
        "one\n2\n3\n4\n5\n6\n7\n8\n9\nx",
    );
    assert_eq!(apply_hunks(b, a, &[1]), "one\n2\n3\n4\n5\n6\n7\n8\n9\nx\n");
    assert_eq!(apply_hunks(b, a, &[2]), "1\n2\n3\n4\n5\n6\n7\n8\n9\nx");
}
