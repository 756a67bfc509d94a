//! Arbitrary model replies applied to an arbitrary file: no panic, a refusal always has a
//! reason, every changed path stays inside the tree, and the user's diff has one header per hunk.
#![no_main]

use cistern_edit::{Tree, apply, unified_diff};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first third as the file, the rest as the reply.
    let split = text
        .char_indices()
        .nth(text.chars().count() / 3)
        .map_or(0, |(i, _)| i);
    let (file, reply) = text.split_at(split);
    let tree: Tree = [("a.txt", file)].into_iter().collect();
    match apply(&tree, reply) {
        Ok(changes) => {
            for (path, change) in &changes.files {
                assert!(!path.starts_with('/') && path.split('/').all(|p| p != ".." && !p.is_empty()));
                let diff = unified_diff(path, tree.get(path), change.content());
                assert_eq!(diff.patch.lines().filter(|l| l.starts_with("@@")).count(), diff.hunks.len());
            }
        }
        Err(refusal) => assert!(!refusal.errors.is_empty()),
    }
});
