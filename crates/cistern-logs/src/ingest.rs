//! Push-based decoding of log uploads: the server feeds a request body chunk by
//! chunk, and complete log lines come out.
//!
//! A [`Decoder`] un-gzips (when asked), splits lines and, for NDJSON, turns each
//! JSON record into one text line (`{timestamp} {LEVEL} {message}`) the engine's
//! header detection reads like any other log. It never holds the body:
//!
//! **Invariant:** the decoder's memory is one partial line (at most
//! [`MAX_LINE_BYTES`] for text, [`MAX_RECORD_BYTES`] for an NDJSON record) plus the
//! inflater's window and one 32 KiB output buffer, whatever the input size.
//! Decoded bytes are counted as they are inflated, so a gzip bomb stops at the
//! limit (plus at most two output buffers), not after inflating everything.
//!
//! **Invariant:** no line handed out is longer than [`MAX_LINE_BYTES`]; blank
//! lines are never handed out (they still count as bytes and line numbers).

mod ndjson;

use std::io::Write;

use flate2::write::MultiGzDecoder;

use crate::lines::MAX_LINE_BYTES;

/// Longest NDJSON record (one input line, in bytes) accepted; a longer one is an error,
/// since cutting it would leave invalid JSON. Each line rendered from a record is
/// still clipped to [`MAX_LINE_BYTES`].
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
    /// Lines cut at [`MAX_LINE_BYTES`].
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
        self.raw_bytes += chunk.len() as u64;
        let result = match &mut self.gunzip {
            None => self.sink.push(chunk, &mut each),
            Some(gz) => inflate(gz, &mut self.sink, chunk, &mut each),
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
            gz.try_finish().map_err(|_| {
                gzip_error(
                    gz,
                    "the gzip stream is truncated or its checksum does not match",
                )
            })?;
            drain(gz, &mut self.sink, &mut each)?;
        }
        self.sink.finish(&mut each)?;
        if self.sink.lines == 0 {
            return Err(IngestError::Empty);
        }
        Ok(self.summary())
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
fn inflate(
    gz: &mut MultiGzDecoder<Vec<u8>>,
    sink: &mut Sink,
    chunk: &[u8],
    each: &mut dyn FnMut(&str),
) -> Result<(), IngestError> {
    let mut rest = chunk;
    while !rest.is_empty() {
        let n = gz.write(rest).map_err(|e| {
            let what = if e.to_string().contains("checksum") {
                "checksum mismatch"
            } else {
                "corrupt compressed data"
            };
            gzip_error(gz, what)
        })?;
        if n == 0 {
            return Err(IngestError::BadGzip(
                "the decoder stopped taking input".into(),
            ));
        }
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

/// A gzip error, worded by where the stream stands: no header yet means the
/// bytes are not gzip (or garbage follows the last member).
fn gzip_error(gz: &MultiGzDecoder<Vec<u8>>, otherwise: &str) -> IngestError {
    IngestError::BadGzip(if gz.header().is_some() {
        otherwise.to_owned()
    } else {
        "not a gzip stream (or data after its end is not gzip)".to_owned()
    })
}

/// Line splitting, the limit, and the per-line work of each framing.
#[derive(Debug)]
struct Sink {
    framing: Framing,
    limit: u64,
    decoded: u64,
    /// Lines seen, blank ones included (for error line numbers).
    line_no: u64,
    lines: u64,
    records: u64,
    truncated: u64,
    /// The current line's bytes so far, at most [`Sink::cap`].
    partial: Vec<u8>,
    /// The current line outgrew the cap; the rest of it up to `\n` is dropped.
    overflow: bool,
    /// An NDJSON record's rendered text.
    scratch: String,
}

impl Sink {
    fn new(framing: Framing, limit: u64) -> Sink {
        Sink {
            framing,
            limit,
            decoded: 0,
            line_no: 0,
            lines: 0,
            records: 0,
            truncated: 0,
            partial: Vec::new(),
            overflow: false,
            scratch: String::new(),
        }
    }

    /// Bytes of a line kept: the framing's maximum plus one for a `\r` before the `\n`.
    fn cap(&self) -> usize {
        1 + match self.framing {
            Framing::Text => MAX_LINE_BYTES,
            Framing::Ndjson => MAX_RECORD_BYTES,
        }
    }

    fn push(&mut self, bytes: &[u8], each: &mut dyn FnMut(&str)) -> Result<(), IngestError> {
        self.decoded += bytes.len() as u64;
        if self.decoded > self.limit {
            return Err(IngestError::TooLarge { limit: self.limit });
        }
        let mut rest = bytes;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            let (line, tail) = (&rest[..i], &rest[i + 1..]);
            rest = tail;
            if self.partial.is_empty() && !self.overflow {
                // The common case: a whole line inside the chunk, used in place.
                self.line(line, false, each)?;
            } else {
                self.append(line);
                self.end_partial(each)?;
            }
        }
        self.append(rest);
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) {
        let room = self.cap().saturating_sub(self.partial.len());
        if bytes.len() > room {
            self.overflow = true;
        }
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn end_partial(&mut self, each: &mut dyn FnMut(&str)) -> Result<(), IngestError> {
        let buf = std::mem::take(&mut self.partial);
        let overflow = std::mem::replace(&mut self.overflow, false);
        let result = self.line(&buf, overflow, each);
        self.partial = buf;
        self.partial.clear();
        result
    }

    fn finish(&mut self, each: &mut dyn FnMut(&str)) -> Result<(), IngestError> {
        if self.partial.is_empty() && !self.overflow {
            return Ok(());
        }
        self.end_partial(each)
    }

    /// One line without its `\n`; `overflow` says it was longer than the cap.
    fn line(
        &mut self,
        raw: &[u8],
        overflow: bool,
        each: &mut dyn FnMut(&str),
    ) -> Result<(), IngestError> {
        self.line_no += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match self.framing {
            Framing::Text => {
                let cut = overflow || raw.len() > MAX_LINE_BYTES;
                let raw = if cut {
                    &raw[..floor_boundary(raw, MAX_LINE_BYTES)]
                } else {
                    raw
                };
                // Invalid UTF-8 is replaced the way `lines::decode_bytes` does it; an
                // invalid sequence never spans a `\n`, so per line equals whole text.
                let text = String::from_utf8_lossy(raw);
                self.emit(&text, cut, each);
                Ok(())
            }
            Framing::Ndjson => self.record(raw, overflow, each),
        }
    }

    fn record(
        &mut self,
        raw: &[u8],
        overflow: bool,
        each: &mut dyn FnMut(&str),
    ) -> Result<(), IngestError> {
        let line = self.line_no;
        if overflow || raw.len() > MAX_RECORD_BYTES {
            return Err(IngestError::BadJson {
                line,
                message: format!("record longer than {} KiB", MAX_RECORD_BYTES / 1024),
            });
        }
        let text = String::from_utf8_lossy(raw);
        if is_blank(&text) {
            return Ok(());
        }
        self.records += 1;
        let mut scratch = std::mem::take(&mut self.scratch);
        let rendered = ndjson::render(&text, &mut scratch);
        if rendered.is_ok() {
            for part in scratch.split('\n') {
                let part = part.strip_suffix('\r').unwrap_or(part);
                let cut = part.len() > MAX_LINE_BYTES;
                self.emit(part, cut, each);
            }
        }
        self.scratch = scratch;
        rendered.map_err(|problem| match problem {
            ndjson::Problem::Json(message) => IngestError::BadJson { line, message },
            ndjson::Problem::NoMessage => IngestError::NoMessage { line },
        })
    }

    /// Hands out `text` (clipped to [`MAX_LINE_BYTES`]) unless it is blank.
    fn emit(&mut self, text: &str, cut: bool, each: &mut dyn FnMut(&str)) {
        if is_blank(text) {
            return;
        }
        // U+FFFD replacements can make a lossily decoded line longer than its bytes.
        let (text, cut) = if text.len() > MAX_LINE_BYTES {
            (&text[..text.floor_char_boundary(MAX_LINE_BYTES)], true)
        } else {
            (text, cut)
        };
        self.lines += 1;
        self.truncated += u64::from(cut);
        each(text);
    }
}

/// Blank as the parser sees it (`str::trim`).
fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// `max` (or less) moved back to the start of a UTF-8 character, so a character
/// cut in two is dropped whole rather than decoded as U+FFFD. Backs off over at
/// most three continuation bytes (invalid input may have more).
fn floor_boundary(raw: &[u8], max: usize) -> usize {
    let mut end = max.min(raw.len());
    let mut steps = 0;
    while steps < 3 && end > 0 && end < raw.len() && raw[end] & 0xC0 == 0x80 {
        end -= 1;
        steps += 1;
    }
    end
}
