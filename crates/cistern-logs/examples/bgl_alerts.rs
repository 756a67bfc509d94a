//! Windowed alert detection on BGL's labelled lines: the scorer vs a keyword baseline.
//!
//! ```text
//! cargo run --release -p cistern-logs --example bgl_alerts -- [WINDOW_LINES]
//! ```
//! BGL's first column is `-` for a normal line or an alert tag. The log is cut
//! into windows of `WINDOW_LINES` lines (default 50); a window is an incident
//! when it holds at least one alert line. Windows are scored in order, like
//! successive ingests of one project: each is scored against the baseline and
//! known templates learned from the windows before it, then folded into them.
//! The keyword baseline flags a window when any line mentions
//! error/fail/fatal/exception/panic/severe/critical.

#[path = "shared/loghub.rs"]
mod loghub;

use std::collections::HashSet;

use cistern_logs::{Baseline, WindowSpec, analyze, lines::lines, score_analysis};

fn main() -> std::io::Result<()> {
    let root = loghub::loghub_dir();
    let window: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let text = std::fs::read_to_string(root.join("BGL/BGL_2k.log"))?;
    let all: Vec<&str> = lines(&text).collect();
    let keywords = [
        "error",
        "fail",
        "fatal",
        "exception",
        "panic",
        "severe",
        "critical",
    ];

    let mut baseline = Baseline::default();
    let mut known: Vec<String> = Vec::new();
    let thresholds = [30u8, 50, 70];
    let mut scorer = vec![Counts::default(); thresholds.len()];
    let mut keyword = Counts::default();
    for (i, chunk) in all.chunks(window).enumerate() {
        let truth = chunk.iter().any(|l| !l.starts_with("- "));
        let text = chunk.join("\n");
        let a = analyze(&text, WindowSpec::Lines(window as u64));
        let known_set: HashSet<&str> = known.iter().map(String::as_str).collect();
        let report = score_analysis(&a, (baseline.ingests > 0).then_some(&baseline), &known_set);
        for (c, &t) in scorer.iter_mut().zip(&thresholds) {
            c.add(report.score >= t, truth);
        }
        let kw = chunk.iter().any(|l| {
            let l = l.to_ascii_lowercase();
            keywords.iter().any(|k| l.contains(k))
        });
        keyword.add(kw, truth);
        if std::env::var_os("VERBOSE").is_some() {
            println!(
                "window {i:>3}: alert={truth:<5} score={:>3} labels={:?}",
                report.score, report.labels
            );
        }
        baseline.update(&a);
        for t in &a.templates {
            if !known.contains(&t.template) {
                known.push(t.template.clone());
            }
        }
    }
    let n = all.len().div_ceil(window);
    println!(
        "BGL_2k, {n} windows of {window} lines, {} with alerts",
        scorer[0].tp + scorer[0].fn_
    );
    println!(
        "{:<22}{:>10}{:>10}{:>10}",
        "detector", "precision", "recall", "F1"
    );
    for (c, t) in scorer.iter().zip(thresholds) {
        c.print(&format!("scorer (score >= {t})"));
    }
    keyword.print("keyword baseline");
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Counts {
    fn add(&mut self, predicted: bool, truth: bool) {
        match (predicted, truth) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => {}
        }
    }

    fn print(&self, name: &str) {
        let p = f64::from(self.tp) / f64::from((self.tp + self.fp).max(1));
        let r = f64::from(self.tp) / f64::from((self.tp + self.fn_).max(1));
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        println!("{name:<22}{p:>10.3}{r:>10.3}{f1:>10.3}");
    }
}
