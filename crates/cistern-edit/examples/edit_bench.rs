//! Edit engine throughput on a 1,000-line file: SEARCH/REPLACE replies and unified-diff
//! replies applied per second (parse, locate, apply), the user's diff (`unified_diff`), per-hunk
//! accept (`apply_hunks`) and a three-way merge (`merge3`). Each figure is the median of 7 runs.
//!
//!     cargo run --release -p cistern-edit --example edit_bench

use std::hint::black_box;
use std::time::Instant;

use cistern_edit::{Tree, apply, apply_hunks, merge3, unified_diff};

const RUNS: usize = 7;

/// A 1,000-line Python-like file: 100 functions of 10 lines, each line distinct.
fn file() -> String {
    (0..100)
        .map(|f| {
            let mut fun = format!("def function_{f}(a, b):\n    \"\"\"Function {f}.\"\"\"\n");
            for i in 0..7 {
                fun.push_str(&format!("    value_{i} = a * {i} + b * {f}\n"));
            }
            fun.push_str(&format!("    return value_6 + {f}\n"));
            fun
        })
        .collect()
}

/// Median seconds per call of `f`, `iterations` calls per run.
fn median(iterations: usize, mut f: impl FnMut()) -> f64 {
    let mut runs: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            start.elapsed().as_secs_f64() / iterations as f64
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[RUNS / 2]
}

fn report(name: &str, seconds: f64) {
    println!(
        "{name:<44} {:>10.1} µs   {:>10.0} /s",
        seconds * 1e6,
        1.0 / seconds
    );
}

fn main() {
    let content = file();
    assert_eq!(content.lines().count(), 1000);
    let tree: Tree = [("src/app.py", content.as_str())].into_iter().collect();

    let search_replace = "Here is the change:\n\nsrc/app.py\n```python\n<<<<<<< SEARCH\n    value_6 = a * 6 + b * 97\n    return value_6 + 97\n=======\n    value_6 = a * 6 + b * 97\n    return value_6 + 970\n>>>>>>> REPLACE\n```\n";
    let diff_reply = "```diff\ndiff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n@@ -976,4 +976,4 @@ def function_97(a, b):\n     value_4 = a * 4 + b * 97\n     value_5 = a * 5 + b * 97\n     value_6 = a * 6 + b * 97\n-    return value_6 + 97\n+    return value_6 + 970\n```\n";
    let via_blocks = apply(&tree, search_replace).expect("the block applies");
    let via_diff = apply(&tree, diff_reply).expect("the diff applies");
    assert_eq!(via_blocks, via_diff);

    // A spread of changes for the user's diff, accept and merge: 10 hunks.
    let after = (0..10).fold(content.clone(), |text, k| {
        let f = k * 10 + 3;
        text.replace(
            &format!("    return value_6 + {f}\n"),
            &format!("    return value_6 + {f} * 2\n"),
        )
    });
    let ours = content.replace("    return value_6 + 1\n", "    return value_6 + 100\n");
    let theirs = content.replace("    return value_6 + 98\n", "    return value_6 + 980\n");
    let hunks = unified_diff("src/app.py", Some(&content), Some(&after)).hunks;
    assert_eq!(hunks.len(), 10);
    assert!(merge3(&content, &ours, &theirs).is_ok());

    println!(
        "1,000-line file ({} bytes), median of {RUNS} runs",
        content.len()
    );
    report(
        "apply: SEARCH/REPLACE reply (1 block)",
        median(300, || {
            black_box(apply(&tree, black_box(search_replace)).ok());
        }),
    );
    report(
        "apply: unified diff reply (1 hunk)",
        median(300, || {
            black_box(apply(&tree, black_box(diff_reply)).ok());
        }),
    );
    report(
        "unified_diff: 10 hunks",
        median(100, || {
            black_box(unified_diff("src/app.py", Some(&content), Some(&after)));
        }),
    );
    report(
        "apply_hunks: 5 of 10 hunks",
        median(100, || {
            black_box(apply_hunks(&content, &after, &[1, 3, 5, 7, 9]));
        }),
    );
    report(
        "merge3: edits at both ends",
        median(100, || {
            black_box(merge3(&content, &ours, &theirs).ok());
        }),
    );
}
