//! Throughput and memory of the parser in learn mode (masking and mining included).
//!
//! ```text
//! cargo run --release -p cistern-logs --example logs_bench -- [FILES…]
//! ```
//! Without files, the ten Loghub-2k logs under `LOGHUB_DIR` are used. The files
//! are concatenated into one stream and parsed the way `parse_text` does it
//! ([`StreamParser`]: format detected from the head and again where it
//! changes), repeatedly, from scratch, on one thread, until two seconds of CPU
//! time are spent. Then a 10-million-line stream is generated in memory from the
//! same lines (digits rotated on every pass, so values keep changing) and fed
//! through one parser, and the peak resident memory (VmHWM) is printed.
//!
//! Environment: `BENCH_PASSES=N` fixes the number of learn-mode passes (for
//! instruction counts under `valgrind --tool=cachegrind`), `BENCH_LINES=N` sets
//! the length of the generated stream (0 skips it), `BENCH_BREAKDOWN=1` prints
//! the cost of each stage.
//!
//! The machine is shared, so throughput is reported per CPU-second of this
//! process (from `/proc/self/stat`) as well as per wall-clock second.

#[path = "shared/loghub.rs"]
mod loghub;
use loghub::SYSTEMS;

use std::path::PathBuf;
use std::time::Instant;

use cistern_logs::{LineResult, LogFormat, MinerConfig, StreamParser, lines::lines};

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

    let fixed_passes: Option<u64> = std::env::var("BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok());
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let mut passes = 0u64;
    let mut checksum = 0u64;
    loop {
        let done = match fixed_passes {
            Some(n) => passes >= n,
            None => cpu_seconds() - cpu_started >= 2.0 && passes >= 3,
        };
        if done {
            break;
        }
        checksum = checksum.wrapping_add(learn(&text));
        passes += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    let total = (n_lines * passes) as f64;
    println!(
        "learn mode: {n_lines} lines x {passes} passes: {:.0} lines per CPU-second ({cpu:.2} s CPU), \
         {:.0} lines/s wall ({secs:.2} s); one thread; checksum {checksum}",
        total / cpu.max(1e-9),
        total / secs
    );
    if std::env::var_os("BENCH_BREAKDOWN").is_some() {
        breakdown(&text);
    }

    let target: u64 = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    if target > 0 {
        generated_stream(&text, target);
    }
    Ok(())
}

/// One learn-mode pass: a fresh parser over the whole text, then the final templates.
fn learn(text: &str) -> u64 {
    let mut sum = 0u64;
    let mut sink = |r: LineResult<'_>| sum = sum.wrapping_add(u64::from(r.sig));
    let mut p = StreamParser::new(MinerConfig::default());
    for line in lines(text) {
        p.push(line, &mut sink);
    }
    p.finish(&mut sink);
    let templates = p.parser().map_or(0, |p| p.finish().texts.len() as u64);
    sum.wrapping_add(templates)
}

/// A long stream from the same lines, digits rotated on every pass; prints speed and peak RSS.
fn generated_stream(text: &str, target: u64) {
    let base: Vec<&str> = lines(text).collect();
    let mut p = StreamParser::new(MinerConfig::default());
    let mut sink = |_: LineResult<'_>| {};
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
            p.push(&buf, &mut sink);
            done += 1;
            if done >= target {
                break 'outer;
            }
        }
    }
    p.finish(&mut sink);
    let (sigs, templates) = p.parser().map_or((0, 0), |p| {
        (p.miner().signature_count(), p.finish().texts.len())
    });
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    println!(
        "stream: {done} lines: {:.0} lines per CPU-second, {:.0} lines/s wall; {sigs} signatures, \
         {templates} templates, {} format changes; peak RSS (VmHWM) {}",
        done as f64 / cpu.max(1e-9),
        done as f64 / secs,
        p.formats().len().saturating_sub(1),
        vm_hwm().unwrap_or_else(|| "n/a".into())
    );
}

/// Time per stage over the same stream, each stage including the ones before it
/// (best of five), with each line split by the format the stream parser used for it.
fn breakdown(text: &str) {
    let mut p = StreamParser::new(MinerConfig::default());
    let mut sink = |_: LineResult<'_>| {};
    for line in lines(text) {
        p.push(line, &mut sink);
    }
    p.finish(&mut sink);
    let spans = p.formats().to_vec();
    let formats: Vec<&LogFormat> = lines(text)
        .enumerate()
        .map(|(i, _)| {
            let s = spans.iter().rposition(|s| s.first_line <= i as u64);
            &spans[s.unwrap_or(0)].format
        })
        .collect();
    let n = formats.len() as f64;
    let time = |name: &str, f: &mut dyn FnMut() -> u64| {
        let mut best = f64::MAX;
        let mut sum = 0u64;
        for _ in 0..5 {
            let t = Instant::now();
            sum = sum.wrapping_add(f());
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("  {name:<28} {:>7.0} ns/line ({sum})", best * 1e9 / n);
    };
    time("split lines", &mut || {
        lines(text).map(|l| l.len() as u64).sum()
    });
    time("+ header split", &mut || {
        lines(text)
            .zip(&formats)
            .map(|(l, f)| f.split(l).map_or(0, |s| s.content.len() as u64))
            .sum()
    });
    let mut buf = String::new();
    time("+ tokenise and mask", &mut || {
        let mut sum = 0u64;
        for (l, f) in lines(text).zip(&formats) {
            let content = f.split(l).map_or(l.into(), |s| s.content);
            buf.clear();
            for tok in content.split_ascii_whitespace() {
                cistern_logs::mask::mask_token(tok, &mut buf);
            }
            sum += buf.len() as u64;
        }
        sum
    });
    time("+ mining (StreamParser)", &mut || {
        let mut sum = 0u64;
        let mut sink = |r: LineResult<'_>| sum = sum.wrapping_add(u64::from(r.sig));
        let mut p = StreamParser::new(MinerConfig::default());
        for line in lines(text) {
            p.push(line, &mut sink);
        }
        p.finish(&mut sink);
        sum
    });
    time("+ final templates", &mut || learn(text));
    let m = p.parser().map(|p| p.miner());
    println!(
        "  {} signatures, {} clusters, {} format changes per pass",
        m.map_or(0, |m| m.signature_count()),
        m.map_or(0, |m| m.cluster_count()),
        spans.len().saturating_sub(1)
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
