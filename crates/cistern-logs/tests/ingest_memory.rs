//! The ingest decoder's memory does not grow with the body: 100 MB bodies pushed
//! through it, generated on the fly, raise the peak RSS by a few MiB at most. Its own test
//! binary, so that the process's peak resident memory (VmHWM, Linux) measures
//! this test alone.

use std::io::Write;

use cistern_logs::ingest::{Decoder, Encoding, Framing};
use cistern_logs::lines::MAX_LINE_BYTES;
use flate2::{Compression, write::GzEncoder};

const INPUT: usize = 100 * 1024 * 1024;

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Feeds `total` bytes of `block` repeated (gzipped on the fly when asked);
/// the number of lines and the longest.
fn push_repeated(framing: Framing, encoding: Encoding, block: &[u8], total: usize) -> (u64, usize) {
    let mut d = Decoder::new(framing, encoding, u64::MAX);
    let (mut lines, mut longest) = (0u64, 0usize);
    let mut count = |l: &str| {
        lines += 1;
        longest = longest.max(l.len());
    };
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    let mut sent = 0;
    while sent < total {
        match encoding {
            Encoding::Identity => d.feed_with(block, &mut count).expect("decodes"),
            Encoding::Gzip => {
                gz.write_all(block).expect("compress");
                d.feed_with(gz.get_mut(), &mut count).expect("decodes");
                gz.get_mut().clear();
            }
        }
        sent += block.len();
    }
    if encoding == Encoding::Gzip {
        let tail = gz.finish().expect("compress");
        d.feed_with(&tail, &mut count).expect("decodes");
    }
    let summary = d.finish_with(&mut count).expect("decodes");
    assert_eq!(summary.decoded_bytes, sent as u64);
    (lines, longest)
}

#[test]
fn hundred_megabytes_stay_bounded() {
    let before = peak_rss_kib();

    // No newline at all: one line, cut at the cap.
    let no_newline = vec![b'a'; 64 * 1024];
    for encoding in [Encoding::Identity, Encoding::Gzip] {
        let (lines, longest) = push_repeated(Framing::Text, encoding, &no_newline, INPUT);
        assert_eq!((lines, longest), (1, MAX_LINE_BYTES));
    }

    // Many NDJSON records, gzipped, as a shipper sends them (20 MB: JSON is slow
    // in a debug build, and a quarter of a million records would show any per-record growth).
    let mut records = String::new();
    for i in 0..400 {
        records.push_str(&format!(
            "{{\"timestamp\":\"2026-12-07T10:00:{:02}Z\",\"level\":\"info\",\"message\":\"request {i} served\"}}\n",
            i % 60
        ));
    }
    let (lines, _) = push_repeated(
        Framing::Ndjson,
        Encoding::Gzip,
        records.as_bytes(),
        20 << 20,
    );
    assert!(lines > 250_000, "{lines} lines");

    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        // 220 MB went through; the decoder holds one capped line and the
        // inflater's buffers, never the input.
        let grown_mib = after.saturating_sub(before) / 1024;
        assert!(grown_mib < 16, "peak RSS grew by {grown_mib} MiB");
    }
}
