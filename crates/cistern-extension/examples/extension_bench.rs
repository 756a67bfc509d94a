//! Server-side overhead of one generation, everything but the model: parse the tool arguments
//! of a 20-file extension, draw its icons, set its version, validate it, zip it and diff it
//! against the previous version; then the real-browser check's duration.
//!
//! ```text
//! cargo run --release -p cistern-extension --example extension_bench [rounds] [browser-runs]
//! ```
//! Prints median and p95 per generation (default 200 rounds) and each Chromium check's time
//! (default 3 runs; 0 skips them). Figures: docs/benchmarks.md, "Extension builder".

use std::time::{Duration, Instant};

use cistern_extension::chromium::{ChromiumOptions, check_files};
use cistern_extension::contract::{merge, parse_submission};
use cistern_extension::package::{unified_diff, zip_files};
use cistern_extension::{icons, validate, version};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let browser_runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let raw = cistern_extension::sample::submission();
    let previous = {
        let mut files = parse_submission(&raw).expect("parse").extension_files();
        icons::generate_missing(&mut files).expect("icons");
        files
    };
    let mut times = Vec::with_capacity(rounds);
    let mut last = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let submission = parse_submission(&raw).expect("parse");
        let mut files = merge(&previous, &submission).expect("merge");
        icons::generate_missing(&mut files).expect("icons");
        let next = version::next_version(Some("1.0.0"), submission.blueprint.change_kind)
            .expect("version");
        version::set_manifest_version(&mut files, &next).expect("set version");
        let report = validate(&files);
        assert!(!report.has_errors(), "{:#?}", report.findings);
        let zip = zip_files(&files).expect("zip");
        let diff = unified_diff(&previous, &files);
        times.push(start.elapsed());
        std::hint::black_box((zip.len(), diff.len()));
        last = files;
    }
    report("iteration (merge, validate, zip, diff)", &mut times, &last);
    // A first generation also draws the four icons.
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let mut files = parse_submission(&raw).expect("parse").extension_files();
        icons::generate_missing(&mut files).expect("icons");
        version::set_manifest_version(&mut files, version::FIRST_VERSION).expect("set version");
        let report = validate(&files);
        assert!(!report.has_errors(), "{:#?}", report.findings);
        std::hint::black_box(zip_files(&files).expect("zip").len());
        times.push(start.elapsed());
    }
    report(
        "first generation (icons drawn, validate, zip)",
        &mut times,
        &last,
    );
    if browser_runs == 0 {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let options = ChromiumOptions::default();
    for run in 1..=browser_runs {
        let start = Instant::now();
        let result = runtime.block_on(check_files(&last, &options));
        println!(
            "browser check {run}: {:?} in {} ms",
            status(&result),
            start.elapsed().as_millis()
        );
    }
}

fn report(what: &str, times: &mut [Duration], files: &[cistern_extension::ExtensionFile]) {
    times.sort();
    let bytes: usize = files.iter().map(|f| f.content.len()).sum();
    println!(
        "{what}, {} files, {bytes} bytes: median {:.2} ms, p95 {:.2} ms ({} rounds)",
        files.len(),
        percentile(times, 0.5).as_secs_f64() * 1e3,
        percentile(times, 0.95).as_secs_f64() * 1e3,
        times.len()
    );
}

fn status(check: &cistern_extension::chromium::BrowserCheck) -> String {
    serde_json::to_value(check)
        .ok()
        .and_then(|v| v["status"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
