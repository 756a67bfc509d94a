//! Push-based decoding of log uploads: the server feeds a request body chunk by
//! chunk, and complete log lines come out.
//!
//! A [`Decoder`] un-gzips (when asked), splits lines and, for NDJSON, turns each
//! JSON record into one text line (`{timestamp} {LEVEL} {message}`) the engine's
//! header detection reads like any other log. It never holds the body:
//!
//! **Invariant:** the decoder's memory is one partial line (at most
//! [`MAX_LINE_BYTES`](crate::lines::MAX_LINE_BYTES) for text, [`MAX_RECORD_BYTES`] for an NDJSON record) plus the
//! inflater's window and one 32 KiB output buffer, whatever the input size.
//! Decoded bytes are counted as they are inflated, so a gzip bomb stops at the
//! limit (plus at most two output buffers), not after inflating everything.
//!
//! **Invariant:** no line handed out is longer than [`MAX_LINE_BYTES`](crate::lines::MAX_LINE_BYTES); blank
//! lines are never handed out (they still count as bytes and line numbers).

mod ndjson;
mod sink;

use std::io::Write;

use flate2::write::MultiGzDecoder;

use sink::Sink;

/// Longest NDJSON record (one input line, in bytes) accepted; a longer one is an error,
/// since cutting it would leave invalid JSON. Each line rendered from a record is
/// still clipped to [`MAX_LINE_BYTES`](crate::lines::MAX_LINE_BYTES).
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// How an ingest's bytes are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Plain text, one log line per `\n` (`text/plain`).
    Text,
    /// One JSON object per line (`application/x-ndjson`, `application/json-lines`),
    /// as Vector's and Fluent Bit's `http` outputs send them.
    Ndjson,
}

/// How an ingest's bytes are encoded on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The bytes are the framed log itself.
    Identity,
    /// The bytes are a gzip stream (`Content-Encoding: gzip`, `application/gzip`);
    /// several concatenated members are decoded one after another.
    Gzip,
}

/// Why an ingest was refused. The messages are short and meant for the uploader
/// (a 400 or 413 reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// More decoded bytes than the limit.
    #[error("the log is larger than the limit of {limit} bytes (after decompression)")]
    TooLarge {
        /// The limit, in decoded bytes.
        limit: u64,
    },
    /// Not gzip, corrupt, or truncated.
    #[error("bad gzip data: {0}")]
    BadGzip(String),
    /// An NDJSON line that is not a JSON object (or longer than [`MAX_RECORD_BYTES`]).
    #[error("line {line}: {message}")]
    BadJson {
        /// 1-based line number in the decoded body.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// An NDJSON object without any of the message fields.
    #[error("line {line}: no message field (message, msg, log, MESSAGE or text)")]
    NoMessage {
        /// 1-based line number in the decoded body.
        line: u64,
    },
    /// Nothing but blank lines (or no bytes at all).
    #[error("the body has no log lines")]
    Empty,
}

/// What an ingest held, for quotas and the upload's record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestSummary {
    /// Bytes fed (as sent, compressed or not).
    pub raw_bytes: u64,
    /// Bytes after decompression (equal to `raw_bytes` for [`Encoding::Identity`]).
    pub decoded_bytes: u64,
    /// Non-blank lines handed out.
    pub lines: u64,
    /// NDJSON records decoded (0 for [`Framing::Text`]).
    pub records: u64,
    /// Lines cut at [`MAX_LINE_BYTES`](crate::lines::MAX_LINE_BYTES).
    pub truncated: u64,
}

/// A push-based ingest decoder: [`Decoder::feed`] the body's chunks as they
/// arrive, then [`Decoder::finish`].
///
/// Chunk boundaries may fall anywhere (inside a UTF-8 sequence, a CRLF, a gzip
/// header); the lines are the same whatever the chunking. After an error the
/// decoder stays failed: every later call returns the same error.
#[derive(Debug)]
pub struct Decoder {
    gunzip: Option<MultiGzDecoder<Vec<u8>>>,
    sink: Sink,
    raw_bytes: u64,
    /// The body's first two bytes (gzip's magic number when it is gzip).
    head: [u8; 2],
    failed: Option<IngestError>,
}

impl Decoder {
    /// A decoder for `framing` over `encoding`, refusing more than `limit` decoded bytes.
    pub fn new(framing: Framing, encoding: Encoding, limit: u64) -> Decoder {
        Decoder {
            gunzip: match encoding {
                Encoding::Identity => None,
                Encoding::Gzip => Some(MultiGzDecoder::new(Vec::with_capacity(32 * 1024))),
            },
            sink: Sink::new(framing, limit),
            raw_bytes: 0,
            head: [0; 2],
            failed: None,
        }
    }

    /// Feeds raw bytes; appends each complete log line (no terminator) to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<String>) -> Result<(), IngestError> {
        self.feed_with(chunk, |line| out.push(line.to_owned()))
    }

    /// Feeds raw bytes; calls `each` with every complete log line, without allocating one.
    pub fn feed_with(
        &mut self,
        chunk: &[u8],
        mut each: impl FnMut(&str),
    ) -> Result<(), IngestError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.raw_bytes < 2 {
            let at = self.raw_bytes as usize;
            for (slot, &b) in self.head[at..].iter_mut().zip(chunk) {
                *slot = b;
            }
        }
        self.raw_bytes += chunk.len() as u64;
        let result = match &mut self.gunzip {
            None => self.sink.push(chunk, &mut each),
            Some(gz) => inflate(gz, &mut self.sink, chunk, &mut each)
                .map_err(|e| e.unwrap_or_else(|| self.gzip_error(false))),
        };
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    /// Ends the input: hands out the last line; fails on a truncated gzip stream
    /// or when no line was non-blank.
    pub fn finish(self, out: &mut Vec<String>) -> Result<IngestSummary, IngestError> {
        self.finish_with(|line| out.push(line.to_owned()))
    }

    /// [`Decoder::finish`], calling `each` with the last lines.
    pub fn finish_with(mut self, mut each: impl FnMut(&str)) -> Result<IngestSummary, IngestError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if self.raw_bytes == 0 {
            return Err(IngestError::Empty);
        }
        if let Some(gz) = &mut self.gunzip {
            // Whatever the inflater still holds is bounded (it stops taking input
            // when its output buffer is full), so finishing cannot bomb.
            if gz.try_finish().is_err() {
                return Err(self.gzip_error(true));
            }
            drain(gz, &mut self.sink, &mut each)?;
        }
        self.sink.finish(&mut each)?;
        if self.sink.lines == 0 {
            return Err(IngestError::Empty);
        }
        Ok(self.summary())
    }

    /// A gzip failure in words for the uploader; `at_end`: found by `finish`.
    fn gzip_error(&self, at_end: bool) -> IngestError {
        const MAGIC: [u8; 2] = [0x1f, 0x8b];
        let seen = self.raw_bytes.min(2) as usize;
        let gz = self.gunzip.as_ref();
        let header = gz.and_then(|gz| gz.header()).is_some();
        // Output still in the inflater's buffer counts: a member ended before this.
        let produced = self.sink.decoded > 0 || gz.is_some_and(|gz| !gz.get_ref().is_empty());
        let reason = if self.head[..seen] != MAGIC[..seen] {
            "not gzip (the body does not start with the gzip magic number)"
        } else if at_end {
            "the gzip stream is truncated (or its checksum does not match)"
        } else if header {
            "corrupt compressed data or checksum mismatch"
        } else if produced {
            "data after the end of the gzip stream is not gzip"
        } else {
            "invalid gzip header"
        };
        IngestError::BadGzip(reason.to_owned())
    }

    /// What was decoded so far (after an error too: how far it got).
    pub fn summary(&self) -> IngestSummary {
        IngestSummary {
            raw_bytes: self.raw_bytes,
            decoded_bytes: self.sink.decoded,
            lines: self.sink.lines,
            records: self.sink.records,
            truncated: self.sink.truncated,
        }
    }
}

/// Writes `chunk` into the gzip decoder a step at a time, handing each step's
/// output (at most one 32 KiB buffer) to the line sink, which checks the limit.
/// `Err(None)` is a gzip error, for the caller to word.
fn inflate(
    gz: &mut MultiGzDecoder<Vec<u8>>,
    sink: &mut Sink,
    chunk: &[u8],
    each: &mut dyn FnMut(&str),
) -> Result<(), Option<IngestError>> {
    let mut rest = chunk;
    while !rest.is_empty() {
        // Ok(0) cannot happen for a non-empty buffer; treated as corrupt, never looped on.
        let n = gz.write(rest).ok().filter(|&n| n > 0).ok_or(None)?;
        rest = &rest[n..];
        drain(gz, sink, each)?;
    }
    Ok(())
}

/// Hands what the inflater wrote to the sink and empties its buffer (keeping its capacity).
fn drain(
    gz: &mut MultiGzDecoder<Vec<u8>>,
    sink: &mut Sink,
    each: &mut dyn FnMut(&str),
) -> Result<(), IngestError> {
    let out = gz.get_mut();
    if out.is_empty() {
        return Ok(());
    }
    let result = sink.push(out, each);
    out.clear();
    result
}
