//! The code generator's figures for docs/benchmarks.md:
//! - extraction throughput on a 1 MB Markdown reply (MB/s, median of 21 runs);
//! - extract + assemble (manifests, organise, syntax check of every file) for a 20-file
//!   React + Express project, median of 201 runs (goal: under 10 ms), and the first run
//!   (parsers created and grammars loaded on this thread).
//!
//!     cargo run --release -p cistern-codegen --example bench_codegen

use std::hint::black_box;
use std::time::{Duration, Instant};

use cistern_codegen::framework::Framework;
use cistern_codegen::sample::{big_reply, project_reply};
use cistern_codegen::{assemble, extract};

fn main() {
    let project = project_reply();
    let first = time(|| {
        let extraction = extract(&project).unwrap_or_else(|e| panic!("{e}"));
        black_box(assemble(extraction.files, Framework::ReactVite));
    });
    let extraction = extract(&project).unwrap_or_else(|e| panic!("{e}"));
    let files = extraction.files.len();
    let assembled = assemble(extraction.files.clone(), Framework::ReactVite);
    let errors = assembled.files_with_errors().count();
    let extract_only = median(201, || {
        black_box(extract(black_box(&project)).ok());
    });
    let assemble_only = median(201, || {
        black_box(assemble(extraction.files.clone(), Framework::ReactVite));
    });
    let syntax_only = median(201, || {
        for file in &extraction.files {
            black_box(cistern_syntax::check(file.path.as_str(), &file.content));
        }
    });
    let manifests_only = median(201, || {
        let mut files = extraction.files.clone();
        black_box(cistern_codegen::manifest::complete(
            &mut files,
            Framework::ReactVite,
        ));
    });
    let total = median(201, || {
        let extraction = extract(black_box(&project)).unwrap_or_else(|e| panic!("{e}"));
        black_box(assemble(extraction.files, Framework::ReactVite));
    });
    println!(
        "20-file project: reply {} kB, {files} files extracted, {} after assembly ({} warnings), {errors} with syntax errors",
        project.len() / 1000,
        assembled.files.len(),
        assembled.warnings.len()
    );
    println!(
        "  extract                      median {:>8.3} ms",
        ms(extract_only)
    );
    println!(
        "  assemble (manifests + sort + syntax check) median {:>8.3} ms",
        ms(assemble_only)
    );
    println!(
        "  of which syntax check        median {:>8.3} ms",
        ms(syntax_only)
    );
    println!(
        "  of which manifests + README  median {:>8.3} ms",
        ms(manifests_only)
    );
    println!(
        "  extract + assemble           median {:>8.3} ms   (goal < 10 ms)",
        ms(total)
    );
    println!(
        "  extract + assemble, first run on a thread {:>8.3} ms",
        ms(first)
    );

    let big = big_reply(1_000_000);
    let count = extract(&big).map(|e| e.files.len()).unwrap_or_default();
    let big_time = median(21, || {
        black_box(extract(black_box(&big)).ok());
    });
    let mb = big.len() as f64 / 1e6;
    println!(
        "1 MB reply: {:.2} MB, {count} files, extract median {:.2} ms = {:.0} MB/s",
        mb,
        ms(big_time),
        mb / big_time.as_secs_f64()
    );
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs).map(|_| time(&mut f)).collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
