//! Throughput of the ingest decoder (`cistern_logs::ingest`), one thread.
//!
//! ```text
//! cargo run --release -p cistern-logs --example ingest_bench -- [FILES…]
//! ```
//! Without files, the ten Loghub-2k logs under `LOGHUB_DIR` are used. They are
//! concatenated and repeated to `BENCH_MB` (default 50) MB of text, then decoded
//! from memory in 64 KiB chunks, as a server would get them: plain text, gzip text
//! (level 6, as shippers compress), and the same lines as Vector-style NDJSON
//! records, plain and gzip. Each case runs `BENCH_RUNS` (default 5) times; the
//! median is printed in decoded MB per wall-clock second, with MB per CPU-second
//! of this process over all runs (the machine is shared).

#[path = "shared/loghub.rs"]
mod loghub;
use loghub::SYSTEMS;

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use cistern_logs::ingest::{Decoder, Encoding, Framing};
use flate2::{Compression, write::GzEncoder};

const CHUNK: usize = 64 * 1024;

fn main() -> std::io::Result<()> {
    let mut files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        let root = loghub::loghub_dir();
        files = SYSTEMS
            .iter()
            .map(|s| root.join(s).join(format!("{s}_2k.log")))
            .collect();
    }
    let mut block = String::new();
    for f in &files {
        block.push_str(&cistern_logs::lines::decode_bytes(&std::fs::read(f)?)?);
        if !block.ends_with('\n') {
            block.push('\n');
        }
    }
    let mb: usize = env_or("BENCH_MB", 50);
    let runs: usize = env_or("BENCH_RUNS", 5);
    let mut text = String::with_capacity(mb << 20);
    while text.len() < mb << 20 {
        text.push_str(&block);
    }
    let ndjson = to_ndjson(&text);
    let text_gz = gzip(text.as_bytes())?;
    let ndjson_gz = gzip(ndjson.as_bytes())?;
    println!(
        "{:.1} MB text ({} lines), {:.1} MB NDJSON; gzip {:.1} / {:.1} MB; {CHUNK}-byte chunks, \
         median of {runs} runs, one thread",
        mb_of(text.len()),
        cistern_logs::lines::lines(&text).count(),
        mb_of(ndjson.len()),
        mb_of(text_gz.len()),
        mb_of(ndjson_gz.len()),
    );
    let cases: [(&str, Framing, Encoding, &[u8], bool); 5] = [
        (
            "text",
            Framing::Text,
            Encoding::Identity,
            text.as_bytes(),
            false,
        ),
        (
            "text, Vec<String> out",
            Framing::Text,
            Encoding::Identity,
            text.as_bytes(),
            true,
        ),
        ("text gzip", Framing::Text, Encoding::Gzip, &text_gz, false),
        (
            "ndjson",
            Framing::Ndjson,
            Encoding::Identity,
            ndjson.as_bytes(),
            false,
        ),
        (
            "ndjson gzip",
            Framing::Ndjson,
            Encoding::Gzip,
            &ndjson_gz,
            false,
        ),
    ];
    for (name, framing, encoding, body, owned) in cases {
        let mut walls = Vec::new();
        let cpu_started = cpu_seconds();
        let mut decoded = 0u64;
        let mut checksum = 0u64;
        for _ in 0..runs {
            let started = Instant::now();
            let (bytes, sum) = decode(framing, encoding, body, owned);
            walls.push(started.elapsed().as_secs_f64());
            decoded += bytes;
            checksum = checksum.wrapping_add(sum);
        }
        let cpu = cpu_seconds() - cpu_started;
        walls.sort_by(f64::total_cmp);
        let median = walls[walls.len() / 2];
        let per_run = decoded as f64 / runs as f64;
        println!(
            "{name:<22} {:>7.0} MB/s wall (median; {:.0}–{:.0}), {:>7.0} MB per CPU-second; checksum {checksum}",
            mb_of(per_run as usize) / median,
            mb_of(per_run as usize) / walls[walls.len() - 1],
            mb_of(per_run as usize) / walls[0],
            mb_of(decoded as usize) / cpu.max(1e-9),
        );
    }
    Ok(())
}

/// Decodes `body` chunk by chunk; decoded bytes and a checksum of the lines' lengths.
fn decode(framing: Framing, encoding: Encoding, body: &[u8], owned: bool) -> (u64, u64) {
    let mut d = Decoder::new(framing, encoding, u64::MAX);
    let mut sum = 0u64;
    let mut out = Vec::new();
    for chunk in body.chunks(CHUNK) {
        let fed = if owned {
            let r = d.feed(chunk, &mut out);
            sum += out.iter().map(|l| l.len() as u64).sum::<u64>();
            out.clear();
            r
        } else {
            d.feed_with(chunk, |l| sum += l.len() as u64)
        };
        if let Err(e) = fed {
            panic!("decode failed: {e}");
        }
    }
    match d.finish_with(|l| sum += l.len() as u64) {
        Ok(s) => (s.decoded_bytes, sum),
        Err(e) => panic!("decode failed: {e}"),
    }
}

/// Each line as a Vector `http` sink record (`encoding.codec = "json"`).
fn to_ndjson(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (i, line) in cistern_logs::lines::lines(text).enumerate() {
        let message = serde_json::to_string(line).unwrap_or_default();
        out.push_str(&format!(
            "{{\"file\":\"/var/log/app.log\",\"host\":\"web-1\",\"message\":{message},\
             \"source_type\":\"file\",\"timestamp\":\"2026-12-07T10:{:02}:{:02}.{:06}Z\"}}\n",
            i / 60 % 60,
            i % 60,
            i % 1_000_000
        ));
    }
    out
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes)?;
    enc.finish()
}

fn mb_of(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn env_or(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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
