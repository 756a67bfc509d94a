//! Grouping accuracy on the ten Loghub-2k systems, from raw lines.
//!
//! Fails when mean GA drops below the level reached (minus a small margin) or
//! any system falls below 0.80. The data lives outside the repository
//! (`LOGHUB_DIR`, default `<repo>/../shared/loghub`): when it is missing the
//! test fails under CI (`CI` set) and is skipped with a note otherwise.

#[path = "../examples/shared/ga.rs"]
mod ga;
#[path = "../examples/shared/loghub.rs"]
mod loghub;
use loghub::SYSTEMS;

/// Mean GA reached is 0.981 (lowest system: Linux, 0.931); the margin absorbs harmless
/// template-boundary changes.
const MIN_MEAN_GA: f64 = 0.97;
const MIN_SYSTEM_GA: f64 = 0.80;

#[test]
fn loghub_grouping_accuracy() {
    let root = loghub::loghub_dir();
    if !root.join("HDFS").is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "loghub data missing at {} (set LOGHUB_DIR)",
            root.display()
        );
        eprintln!(
            "note: loghub data not found at {}; skipping",
            root.display()
        );
        return;
    }
    let mut sum = 0.0;
    for s in SYSTEMS {
        let truth = ga::Truth::load(&root, s).expect("read loghub system");
        let parsed = cistern_logs::parse_text(&truth.text);
        let ga = truth.ga(&parsed.line_templates);
        println!("{s:<10} GA {ga:.3}");
        assert!(ga >= MIN_SYSTEM_GA, "{s}: GA {ga:.3} below {MIN_SYSTEM_GA}");
        sum += ga;
    }
    let mean = sum / SYSTEMS.len() as f64;
    println!("mean GA {mean:.3}");
    assert!(mean >= MIN_MEAN_GA, "mean GA {mean:.3} below {MIN_MEAN_GA}");
}
