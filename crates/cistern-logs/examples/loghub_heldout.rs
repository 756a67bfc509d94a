//! Leave-systems-out evaluation of the engine's tunable constants on Loghub-2k.
//!
//! Every tunable ([`MinerConfig`]) gets a small grid around its default. GA is
//! computed once per configuration and system; then, for each rotation (leave one
//! system out: ten rotations; also five folds of two), the configuration with the
//! best mean GA on the training systems is chosen and its GA on the held-out ones
//! reported. The held-out figures say what GA to expect on a system the constants
//! were not chosen on; the gap to the all-systems figure is how much the grid can
//! fit the data.
//!
//! ```text
//! cargo run --release -p cistern-logs --example loghub_heldout
//! ```
//! `LOGHUB_DIR` defaults to `<repo>/../shared/loghub`. The corpus GA (`tests/corpus`)
//! of the default configuration and of the all-systems best is printed too.

#[path = "shared/ga.rs"]
mod ga;
#[path = "shared/loghub.rs"]
mod loghub;

use cistern_logs::{MaskConfig, MinerConfig, parse_text_with};
use loghub::SYSTEMS;

/// The grid: every combination of these values (the defaults are in each list).
fn grid() -> Vec<MinerConfig> {
    let mut out = Vec::new();
    for similarity in [0.4, 0.5, 0.6, 0.7, 0.8] {
        for many_words in [6, 10, 16] {
            for many_values in [3, 4, 6] {
                for header_share in [0.5, 0.6, 0.7] {
                    for min_digit_run in [3, 4, 5] {
                        for min_hex in [4, 5, 6] {
                            out.push(MinerConfig {
                                similarity,
                                many_words,
                                many_values,
                                header_share,
                                mask: MaskConfig {
                                    min_hex,
                                    min_digit_run,
                                },
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

fn mean(v: impl IntoIterator<Item = f64>) -> f64 {
    let (s, n) = v
        .into_iter()
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n.max(1) as f64
}

fn short(c: &MinerConfig) -> String {
    format!(
        "sim {} words {} values {} share {} run {} hex {}",
        c.similarity,
        c.many_words,
        c.many_values,
        c.header_share,
        c.mask.min_digit_run,
        c.mask.min_hex
    )
}

fn main() -> std::io::Result<()> {
    let root = loghub::loghub_dir();
    let truths: Vec<ga::Truth> = SYSTEMS
        .iter()
        .map(|s| ga::Truth::load(&root, s))
        .collect::<Result<_, _>>()?;
    let corpus = ga::corpus()?;
    let configs = grid();
    let default = MinerConfig::default();
    let default_at = configs
        .iter()
        .position(|c| *c == default)
        .ok_or_else(|| std::io::Error::other("the default is not in the grid"))?;
    eprintln!(
        "{} configurations × {} systems",
        configs.len(),
        SYSTEMS.len()
    );
    // table[c][s] = GA of configuration c on system s.
    let table: Vec<Vec<f64>> = configs
        .iter()
        .map(|&c| {
            truths
                .iter()
                .map(|t| t.ga(&parse_text_with(&t.text, c).line_templates))
                .collect()
        })
        .collect();
    let best_on = |systems: &[usize]| -> usize {
        // The default wins ties; otherwise the first strictly better one in grid order.
        let score = |c: usize| mean(systems.iter().map(|&s| table[c][s]));
        let mut best = default_at;
        for c in 0..configs.len() {
            if score(c) > score(best) + 1e-12 {
                best = c;
            }
        }
        best
    };
    println!(
        "{:<10} {:>8} {:>9} {:>9}  chosen on the other nine",
        "held out", "default", "all-best", "held-out"
    );
    let all: Vec<usize> = (0..SYSTEMS.len()).collect();
    let all_best = best_on(&all);
    let mut held = Vec::new();
    for (s, name) in SYSTEMS.iter().enumerate() {
        let train: Vec<usize> = all.iter().copied().filter(|&x| x != s).collect();
        let c = best_on(&train);
        held.push(table[c][s]);
        println!(
            "{name:<10} {:>8.3} {:>9.3} {:>9.3}  {}",
            table[default_at][s],
            table[all_best][s],
            table[c][s],
            short(&configs[c])
        );
    }
    let min = held.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{:<10} {:>8.3} {:>9.3} {:>9.3}  (held-out min {min:.3})",
        "mean",
        mean(table[default_at].iter().copied()),
        mean(table[all_best].iter().copied()),
        mean(held.iter().copied())
    );
    // Five folds of two systems (in the order of `SYSTEMS`): a coarser rotation.
    let mut fold_ga = Vec::new();
    for fold in 0..SYSTEMS.len() / 2 {
        let test = [2 * fold, 2 * fold + 1];
        let train: Vec<usize> = all.iter().copied().filter(|x| !test.contains(x)).collect();
        let c = best_on(&train);
        fold_ga.extend(test.iter().map(|&s| table[c][s]));
    }
    println!(
        "5 folds of 2: held-out mean {:.3}, min {:.3}",
        mean(fold_ga.iter().copied()),
        fold_ga.iter().copied().fold(f64::INFINITY, f64::min)
    );
    // One tunable at a time, the others at their defaults: how sensitive is each system?
    println!(
        "\none tunable varied, the others at their defaults (GA per system, in SYSTEMS order):"
    );
    for (c, row) in configs.iter().zip(&table) {
        let differs = [
            c.similarity != default.similarity,
            c.many_words != default.many_words,
            c.many_values != default.many_values,
            c.header_share != default.header_share,
            c.mask.min_digit_run != default.mask.min_digit_run,
            c.mask.min_hex != default.mask.min_hex,
        ];
        if differs.iter().filter(|&&d| d).count() == 1 {
            let cells: Vec<String> = row.iter().map(|g| format!("{g:.3}")).collect();
            println!(
                "  {:<48} mean {:.3}  {}",
                short(c),
                mean(row.iter().copied()),
                cells.join(" ")
            );
        }
    }
    println!("default:  {}", short(&default));
    println!("all-best: {}", short(&configs[all_best]));
    let corpus_ga = |c: MinerConfig| {
        mean(
            corpus
                .iter()
                .map(|f| f.ga(&parse_text_with(&f.text, c).line_templates)),
        )
    };
    println!(
        "corpus mean GA: default {:.3}, all-best {:.3}",
        corpus_ga(default),
        corpus_ga(configs[all_best])
    );
    Ok(())
}
