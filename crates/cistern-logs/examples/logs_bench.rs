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
    // `BENCH_PASSES` fixes the number of passes (for instruction counts under valgrind);
    // otherwise passes run until two seconds of CPU time have been spent.
    let fixed_passes: Option<u64> = std::env::var("BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok());
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let mut passes = 0u64;
    let mut sink = 0u64;
    loop {
        let done = match fixed_passes {
            Some(n) => passes >= n,
            None => cpu_seconds() - cpu_started >= 2.0 && passes >= 3,
        };
        if done {
            break;
        }
        let mut p = Parser::new(format.clone(), MinerConfig::default());
        for line in lines(&text) {
            sink = sink.wrapping_add(u64::from(p.push(line).sig));
        }
        sink = sink.wrapping_add(p.finish().texts.len() as u64);
        passes += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    let total = (n_lines * passes) as f64;
    println!(
        "learn mode: {n_lines} lines x {passes} passes: {:.0} lines per CPU-second ({cpu:.2} s CPU), \
         {:.0} lines/s wall ({secs:.2} s); one thread; checksum {sink}",
        total / cpu.max(1e-9),
        total / secs
    );
    if std::env::var_os("BENCH_BREAKDOWN").is_some() {
        breakdown(&text, &format);
    }

    // A 10-million-line stream, generated on the fly.
    let target: u64 = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    if target == 0 {
        return Ok(());
    }
    let base: Vec<&str> = lines(&text).collect();
    let mut p = Parser::new(format, MinerConfig::default());
    let mut buf = String::new();
    let started = Instant::now();
    let cpu_started = cpu_seconds();
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
    let cpu = cpu_seconds() - cpu_started;
    println!(
        "stream: {done} lines: {:.0} lines per CPU-second, {:.0} lines/s wall; {} signatures, {} templates; peak RSS (VmHWM) {}",
        done as f64 / cpu.max(1e-9),
        done as f64 / secs,
        p.miner().signature_count(),
        t.texts.len(),
        vm_hwm().unwrap_or_else(|| "n/a".into())
    );
    Ok(())
}

/// Time per stage over the same stream, each stage including the ones before it.
fn breakdown(text: &str, format: &LogFormat) {
    let n = lines(text).count() as f64;
    let time = |name: &str, f: &mut dyn FnMut() -> u64| {
        let mut best = f64::MAX;
        let mut sink = 0u64;
        for _ in 0..5 {
            let t = Instant::now();
            sink = sink.wrapping_add(f());
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("  {name:<28} {:>7.0} ns/line ({sink})", best * 1e9 / n);
    };
    time("split lines", &mut || {
        lines(text).map(|l| l.len() as u64).sum()
    });
    time("+ header split", &mut || {
        lines(text)
            .map(|l| format.split(l).map_or(0, |s| s.content.len() as u64))
            .sum()
    });
    let mut buf = String::new();
    time("+ tokenise and mask", &mut || {
        let mut sum = 0u64;
        for l in lines(text) {
            let content = format.split(l).map_or(l.into(), |s| s.content);
            buf.clear();
            for tok in content.split_ascii_whitespace() {
                cistern_logs::mask::mask_token(tok, &mut buf);
            }
            sum += buf.len() as u64;
        }
        sum
    });
    time("+ miner (Parser::push)", &mut || {
        let mut p = Parser::new(format.clone(), MinerConfig::default());
        lines(text).map(|l| u64::from(p.push(l).sig)).sum()
    });
    time("+ finish (templates)", &mut || {
        let mut p = Parser::new(format.clone(), MinerConfig::default());
        let s: u64 = lines(text).map(|l| u64::from(p.push(l).sig)).sum();
        s + p.finish().texts.len() as u64
    });
    let mut p = Parser::new(format.clone(), MinerConfig::default());
    lines(text).for_each(|l| {
        p.push(l);
    });
    println!(
        "  {} signatures, {} clusters, {} templates per pass",
        p.miner().signature_count(),
        p.miner().cluster_count(),
        p.finish().texts.len()
    );
}

/// CPU time of this process (user + system) in seconds, from `/proc/self/stat`
/// (clock ticks of 10 ms): the machine is shared, so wall time alone overstates the cost.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn vm_hwm() -> Option<String> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l["VmHWM:".len()..].trim().to_owned())
}
