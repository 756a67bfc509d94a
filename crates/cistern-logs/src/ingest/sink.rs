//! Line splitting for [`super::Decoder`]: partial lines across chunks, the size
//! limit, the line cap, and each framing's per-line work.

use super::{Framing, IngestError, MAX_RECORD_BYTES, ndjson};
use crate::lines::MAX_LINE_BYTES;

/// Line splitting, the limit, and the per-line work of each framing.
#[derive(Debug)]
pub(super) struct Sink {
    framing: Framing,
    limit: u64,
    pub(super) decoded: u64,
    /// Lines seen, blank ones included (for error line numbers).
    line_no: u64,
    pub(super) lines: u64,
    pub(super) records: u64,
    pub(super) truncated: u64,
    /// The current line's bytes so far, at most [`Sink::cap`].
    partial: Vec<u8>,
    /// The current line outgrew the cap; the rest of it up to `\n` is dropped.
    overflow: bool,
    /// An NDJSON record's rendered text.
    scratch: String,
}

impl Sink {
    pub(super) fn new(framing: Framing, limit: u64) -> Sink {
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

    pub(super) fn push(
        &mut self,
        bytes: &[u8],
        each: &mut dyn FnMut(&str),
    ) -> Result<(), IngestError> {
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

    pub(super) fn finish(&mut self, each: &mut dyn FnMut(&str)) -> Result<(), IngestError> {
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
        // A UTF-8 byte order mark (Windows editors and exports) is not part of the log.
        let raw = match self.line_no {
            1 => raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw),
            _ => raw,
        };
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
