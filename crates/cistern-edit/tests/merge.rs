//! Three-way merge of a file the workspace changed since the agent read it.

use cistern_edit::{Conflict, merge3};

fn numbered(n: usize, eol: &str) -> String {
    (1..=n).map(|i| format!("line {i}{eol}")).collect()
}

#[test]
fn edits_at_both_ends_merge_cleanly() {
    let base = numbered(20, "\n");
    let ours = base.replace("line 2\n", "line two\n");
    let theirs = base.replace("line 19\n", "line 19\nline 19½\n");
    let merged = merge3(&base, &ours, &theirs).expect("clean");
    assert_eq!(merged, ours.replace("line 19\n", "line 19\nline 19½\n"));
    // The same merge the other way round.
    assert_eq!(merge3(&base, &theirs, &ours), Ok(merged));
}

#[test]
fn adjacent_but_disjoint_lines_merge_cleanly() {
    let base = "a\nb\nc\nd\n";
    assert_eq!(
        merge3(base, "a\nB\nc\nd\n", "a\nb\nC\nd\n"),
        Ok("a\nB\nC\nd\n".to_owned())
    );
}

#[test]
fn identical_edits_are_not_a_conflict() {
    let base = numbered(10, "\n");
    let both = base.replace("line 5\n", "line five\nline 5½\n");
    assert_eq!(merge3(&base, &both, &both), Ok(both.clone()));
    // One side also changed something else.
    let more = both.replace("line 9\n", "line nine\n");
    assert_eq!(merge3(&base, &both, &more), Ok(more.clone()));
}

#[test]
fn a_conflicting_edit_is_reported_with_both_sides() {
    let base = numbered(10, "\n");
    let ours = base.replace("line 5\n", "line five\n");
    let theirs = base
        .replace("line 5\n", "line FIVE\n")
        .replace("line 1\n", "line one\n");
    let conflicts = merge3(&base, &ours, &theirs).unwrap_err();
    assert_eq!(
        conflicts,
        [Conflict {
            base_start: 5,
            base_lines: 1,
            base: "line 5\n".into(),
            ours: "line five\n".into(),
            theirs: "line FIVE\n".into(),
        }]
    );
}

#[test]
fn insertions_at_the_same_place_conflict() {
    let base = "a\nb\n";
    let conflicts = merge3(base, "a\nx\nb\n", "a\ny\nb\n").unwrap_err();
    assert_eq!(
        (conflicts[0].base_start, conflicts[0].base_lines),
        (1, 0),
        "{conflicts:?}"
    );
    assert_eq!(
        (conflicts[0].ours.as_str(), conflicts[0].theirs.as_str()),
        ("x\n", "y\n")
    );
}

#[test]
fn crlf_and_a_missing_final_newline_are_kept() {
    let base = "a\r\nb\r\nc\r\nd\r\ne\r\nf";
    let ours = "A\r\nb\r\nc\r\nd\r\ne\r\nf";
    let theirs = "a\r\nb\r\nc\r\nd\r\ne\r\nF";
    assert_eq!(
        merge3(base, ours, theirs),
        Ok("A\r\nb\r\nc\r\nd\r\ne\r\nF".to_owned())
    );
}

#[test]
fn a_deletion_against_an_edit_inside_it_conflicts() {
    let base = numbered(6, "\n");
    let ours = "line 1\nline 6\n";
    let theirs = base.replace("line 3\n", "line three\n");
    let conflicts = merge3(&base, ours, &theirs).unwrap_err();
    assert_eq!((conflicts[0].base_start, conflicts[0].base_lines), (2, 4));
    assert_eq!(conflicts[0].ours, "");
}
