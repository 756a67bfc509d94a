//! Throughput and memory of the parser in learn mode (masking and mining included).
//!
//! ```text
//! cargo run --release -p cistern-logs --example logs_bench -- [FILES…]
//! ```
//! Without files, the ten Loghub-2k logs under `LOGHUB_DIR` are used. The files
//! are concatenated into one stream (format detected once, from its head) and
//! parsed repeatedly for about two seconds on one thread; then a 10-million-line
//! stream is generated in memory from the same lines (digits rotated on every
//! pass, so values keep changing) and fed through one parser, and the peak
//! resident memory (VmHWM) is printed.

#[path = "shared/loghub.rs"]
mod loghub;
use loghub::SYSTEMS;

use std::path::PathBuf;
use std::time::Instant;

use cistern_logs::{LogFormat, MinerConfig, Parser, lines::lines};

fn main() -> std::io::Result<()> {
    let mut files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        let root = loghub::loghub_dir();
        files = SYSTEMS
            .iter()
            .map(|s| root.join(s).join(format!("{s}_2k.log")))
            .collect();
    }
    let mut text = String::new();
    for f in &files {
        text.push_str(&cistern_logs::lines::decode_bytes(&std::fs::read(f)?)?);
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    let n_lines = lines(&text).count() as u64;
    let format = LogFormat::detect(lines(&text).take(cistern_logs::format::SAMPLE_LINES));

    // Learn mode, repeated: a fresh parser per pass so every pass learns from scratch.
    let started = Instant::now();
    let mut passes = 0u64;
    let mut sink = 0u64;
    while started.elapsed().as_secs_f64() < 2.0 || passes < 3 {
        let mut p = Parser::new(format.clone(), MinerConfig::default());
        for line in lines(&text) {
            sink = sink.wrapping_add(u64::from(p.push(line).sig));
        }
        sink = sink.wrapping_add(p.finish().texts.len() as u64);
        passes += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "learn mode: {} lines x {passes} passes in {secs:.2} s = {:.0} lines/s (one thread; checksum {sink})",
        n_lines,
        (n_lines * passes) as f64 / secs
    );

    // A 10-million-line stream, generated on the fly.
    let target: u64 = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let base: Vec<&str> = lines(&text).collect();
    let mut p = Parser::new(format, MinerConfig::default());
    let mut buf = String::new();
    let started = Instant::now();
    let mut done = 0u64;
    'outer: for pass in 0u64.. {
        let rot = (pass % 9 + 1) as u8;
        for l in &base {
            buf.clear();
            buf.extend(l.bytes().map(|c| {
                if c.is_ascii_digit() {
                    (b'0' + (c - b'0' + rot) % 10) as char
                } else {
                    c as char
                }
            }));
            p.push(&buf);
            done += 1;
            if done >= target {
                break 'outer;
            }
        }
    }
    let t = p.finish();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "stream: {done} lines in {secs:.2} s = {:.0} lines/s; {} signatures, {} templates; peak RSS (VmHWM) {}",
        done as f64 / secs,
        p.miner().signature_count(),
        t.texts.len(),
        vm_hwm().unwrap_or_else(|| "n/a".into())
    );
    Ok(())
}

fn vm_hwm() -> Option<String> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l["VmHWM:".len()..].trim().to_owned())
}
