//! Splitting raw input into lines: CRLF handling, a hard cap on line length,
//! and transparent gzip decoding.
//!
//! **Invariant:** no line handed to the parser is longer than [`MAX_LINE_BYTES`].
//! Longer lines are truncated (the rest of the line is read and dropped), so a
//! 100 MB input without a single newline costs at most `MAX_LINE_BYTES` of
//! buffer, not 100 MB.

use std::io::{self, BufRead, BufReader, Read};

use flate2::read::MultiGzDecoder;

/// Longest line (in bytes) the engine looks at; the tail of a longer line is dropped.
///
/// 64 KiB holds any real log record header plus a long message; a stack trace
/// spans many lines and each of them is well under this.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Cuts `line` to at most `max` bytes on a UTF-8 character boundary and strips a trailing `\r`.
pub fn clip_line(line: &str, max: usize) -> &str {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.len() <= max {
        return line;
    }
    let mut end = max;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}

/// Iterates over the lines of an in-memory text without allocating.
///
/// Lines end at `\n`; a trailing `\r` is removed; every line is clipped to
/// [`MAX_LINE_BYTES`]. A final line without newline is yielded; an empty input
/// yields nothing.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line = &text[pos..end];
        pos = end + 1;
        Some(clip_line(line, MAX_LINE_BYTES))
    })
}

/// Wraps `reader` in a gzip decoder when its first bytes are the gzip magic number.
pub fn maybe_gunzip<'a, R: Read + 'a>(reader: R) -> io::Result<Box<dyn BufRead + 'a>> {
    let mut buffered = BufReader::with_capacity(64 * 1024, reader);
    let head = buffered.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(
            64 * 1024,
            MultiGzDecoder::new(buffered),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Decodes `bytes` to text, un-gzipping them first when they start with the gzip magic number.
///
/// Invalid UTF-8 is replaced with U+FFFD rather than rejected: a log with a stray
/// Latin-1 byte is still a log.
pub fn decode_bytes(bytes: &[u8]) -> io::Result<String> {
    if bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b {
        let mut out = Vec::new();
        MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
        Ok(into_text(out))
    } else {
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

fn into_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Reads lines from a stream with bounded memory (see [`MAX_LINE_BYTES`]).
pub struct LineReader<R> {
    inner: R,
    raw: Vec<u8>,
    text: String,
    truncated: bool,
}

impl<R: BufRead> LineReader<R> {
    /// Creates a reader over `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            raw: Vec::with_capacity(1024),
            text: String::new(),
            truncated: false,
        }
    }

    /// Whether the last line returned by [`LineReader::next_line`] was cut at [`MAX_LINE_BYTES`].
    pub fn was_truncated(&self) -> bool {
        self.truncated
    }

    /// Returns the next line (without its terminator), or `None` at the end of input.
    pub fn next_line(&mut self) -> io::Result<Option<&str>> {
        self.raw.clear();
        self.truncated = false;
        let mut saw_any = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            saw_any = true;
            let (chunk, consumed, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.raw.len());
            if chunk.len() > room {
                self.truncated = true;
            }
            self.raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
            self.inner.consume(consumed);
            if done {
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        if self.raw.last() == Some(&b'\r') {
            self.raw.pop();
        }
        self.text.clear();
        match std::str::from_utf8(&self.raw) {
            Ok(s) => self.text.push_str(s),
            Err(_) => self.text.push_str(&String::from_utf8_lossy(&self.raw)),
        }
        Ok(Some(&self.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_crlf_and_final_line() {
        let v: Vec<&str> = lines("a\r\nb\n\nc").collect();
        assert_eq!(v, ["a", "b", "", "c"]);
    }

    #[test]
    fn reader_caps_a_line_without_newline() {
        let big = vec![b'x'; MAX_LINE_BYTES * 3 + 5];
        let mut r = LineReader::new(&big[..]);
        let line = r.next_line().expect("io").expect("line").len();
        assert_eq!(line, MAX_LINE_BYTES);
        assert!(r.was_truncated());
        assert!(r.next_line().expect("io").is_none());
    }

    #[test]
    fn gzip_is_detected() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(b"one\ntwo\n").expect("write");
        let gz = enc.finish().expect("gz");
        assert_eq!(decode_bytes(&gz).expect("decode"), "one\ntwo\n");
        let mut r = LineReader::new(maybe_gunzip(&gz[..]).expect("open"));
        assert_eq!(r.next_line().expect("io"), Some("one"));
    }
}
