//! Arbitrary bytes through the ingest decoder, every framing and encoding, split
//! into two chunks at an arbitrary point: no panic, the same lines (or the same
//! error) as in one chunk, no line blank or longer than the cap.
#![no_main]

use std::io::Write;

use cistern_logs::ingest::{Decoder, Encoding, Framing, IngestError};
use cistern_logs::lines::MAX_LINE_BYTES;
use libfuzzer_sys::fuzz_target;

fn run(framing: Framing, encoding: Encoding, chunks: &[&[u8]]) -> Result<Vec<String>, IngestError> {
    let mut d = Decoder::new(framing, encoding, 1 << 20);
    let mut out = Vec::new();
    for c in chunks {
        d.feed(c, &mut out)?;
    }
    d.finish(&mut out)?;
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let framing = if mode & 1 == 0 {
        Framing::Text
    } else {
        Framing::Ndjson
    };
    // Bit 1: gzip the body first (a valid stream); bit 2: feed it raw to the gzip decoder.
    let (encoding, body) = if mode & 2 != 0 {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(body).expect("in memory");
        (Encoding::Gzip, enc.finish().expect("in memory"))
    } else if mode & 4 != 0 {
        (Encoding::Gzip, body.to_vec())
    } else {
        (Encoding::Identity, body.to_vec())
    };
    let at = usize::from(mode >> 3) * body.len() / 32;
    let whole = run(framing, encoding, &[&body]);
    let split = run(framing, encoding, &[&body[..at], &body[at..]]);
    assert_eq!(whole, split);
    if let Ok(lines) = whole {
        for l in &lines {
            assert!(l.len() <= MAX_LINE_BYTES && !l.trim().is_empty());
        }
    }
});
