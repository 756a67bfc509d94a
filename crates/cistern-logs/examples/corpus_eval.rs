//! Grouping accuracy on the hand-labelled format corpus (`tests/corpus`), per format.
//!
//! ```text
//! cargo run --release -p cistern-logs --example corpus_eval            # the table
//! cargo run --release -p cistern-logs --example corpus_eval -- nginx_access   # its templates
//! ```
//! With a format name, prints every mined template with the expected event ids of its
//! lines, so a wrong split or merge shows at a glance.

#[path = "shared/ga.rs"]
mod ga;

use std::collections::{BTreeMap, BTreeSet};

fn main() -> std::io::Result<()> {
    let show = std::env::args().nth(1);
    let files = ga::corpus()?;
    let mut sum = 0.0;
    for f in &files {
        let parsed = cistern_logs::parse_text(&f.text);
        let ga = f.ga(&parsed.line_templates);
        sum += ga;
        let want: BTreeSet<&String> = f.events.iter().collect();
        println!(
            "{:<24} GA {ga:.3}  templates {:>3} (expected {:>2})  {:?}",
            f.name,
            parsed.templates.len(),
            want.len(),
            parsed.format
        );
        if show.as_deref() == Some(f.name.as_str()) {
            let mut by_t: BTreeMap<u32, BTreeMap<&str, usize>> = BTreeMap::new();
            for (&t, e) in parsed.line_templates.iter().zip(&f.events) {
                *by_t.entry(t).or_default().entry(e).or_default() += 1;
            }
            for (t, evs) in by_t {
                println!("  {evs:?}  {}", parsed.templates[t as usize].template);
            }
        }
    }
    println!(
        "mean GA {:.3} over {} formats",
        sum / files.len() as f64,
        files.len()
    );
    Ok(())
}
