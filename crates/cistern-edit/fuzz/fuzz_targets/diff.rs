//! The diff side of the engine on arbitrary input: the text after a `--- a/a.txt` /
//! `+++ b/a.txt` header as a model's diff of an arbitrary file (no panic; a refusal has a
//! reason; changed paths stay inside), and the same two texts through per-hunk accept (all
//! hunks give the new text, none the old) and the three-way merge (an unchanged side gives the
//! other).
#![no_main]

use cistern_edit::{Tree, apply, apply_hunks, merge3, unified_diff};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let split = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    let (file, body) = text.split_at(split);
    let tree: Tree = [("a.txt", file)].into_iter().collect();
    let reply = format!("--- a/a.txt\n+++ b/a.txt\n{body}");
    match apply(&tree, &reply) {
        Ok(changes) => {
            for path in changes.files.keys() {
                assert!(!path.starts_with('/') && path.split('/').all(|p| p != ".." && !p.is_empty()));
            }
        }
        Err(refusal) => assert!(!refusal.errors.is_empty()),
    }
    let ids: Vec<usize> = unified_diff("a.txt", Some(file), Some(body))
        .hunks
        .iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(apply_hunks(file, body, &ids), body);
    assert_eq!(apply_hunks(file, body, &[]), file);
    assert_eq!(merge3(file, body, file).as_deref(), Ok(body));
});
