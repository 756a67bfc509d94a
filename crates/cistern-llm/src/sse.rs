//! A small Server-Sent Events decoder over a byte stream (WHATWG event-stream rules that the
//! providers use: `event:` and `data:` fields, `:` comments, blank line ends an event).
//!
//! Own code rather than a crate: ~80 lines, no allocation per event (the data buffer is
//! reused and handed to a callback), and chunk boundaries may fall anywhere, even inside a
//! UTF-8 sequence or between `\r` and `\n`.

use crate::error::Error;

/// Splits bytes into events. Feed chunks as they arrive; each complete event is passed to the
/// callback as `(event name, data)`, the name empty when the event had none. Public for the
/// clients of Cistern's own streams (`cistern chat --server`).
#[derive(Debug, Default)]
pub struct SseDecoder {
    buf: Vec<u8>,
    event: String,
    data: String,
    has_data: bool,
}

impl SseDecoder {
    /// Consumes a chunk, calling `on_event` for every event completed by it.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        on_event: &mut impl FnMut(&str, &str) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.buf.extend_from_slice(chunk);
        let mut start = 0;
        while let Some(nl) = memchr::memchr(b'\n', &self.buf[start..]) {
            let end = start + nl;
            let line_end = if end > start && self.buf[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            let line = std::str::from_utf8(&self.buf[start..line_end])
                .map_err(|_| Error::Unavailable("provider stream is not UTF-8".into()))?;
            start = end + 1;
            if line.is_empty() {
                if self.has_data {
                    on_event(&self.event, &self.data)?;
                }
                self.event.clear();
                self.data.clear();
                self.has_data = false;
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            match field {
                "data" => {
                    if self.has_data {
                        self.data.push('\n');
                    }
                    self.data.push_str(value);
                    self.has_data = true;
                }
                "event" => {
                    self.event.clear();
                    self.event.push_str(value);
                }
                _ => {} // comments (empty field), id, retry: nothing for us
            }
        }
        self.buf.drain(..start);
        Ok(())
    }

    /// At the end of the byte stream: dispatches an event that lacked its closing blank line
    /// (some servers end that way).
    pub fn finish(
        &mut self,
        on_event: &mut impl FnMut(&str, &str) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if !self.buf.is_empty() {
            self.feed(b"\n", on_event)?;
        }
        if self.has_data {
            self.feed(b"\n", on_event)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_pieces(input: &[u8], piece: usize) -> Vec<(String, String)> {
        let mut dec = SseDecoder::default();
        let mut out = Vec::new();
        let mut push = |e: &str, d: &str| {
            out.push((e.to_owned(), d.to_owned()));
            Ok(())
        };
        for chunk in input.chunks(piece) {
            dec.feed(chunk, &mut push).unwrap();
        }
        dec.finish(&mut push).unwrap();
        out
    }

    #[test]
    fn events_survive_any_chunking() {
        let input = "event: message_start\r\ndata: {\"a\":\"é\"}\r\n\r\n: ping\n\ndata: one\ndata:two\n\ndata: [DONE]\n\n";
        let want = vec![
            ("message_start".to_owned(), "{\"a\":\"é\"}".to_owned()),
            (String::new(), "one\ntwo".to_owned()),
            (String::new(), "[DONE]".to_owned()),
        ];
        for piece in 1..input.len() {
            assert_eq!(
                decode_in_pieces(input.as_bytes(), piece),
                want,
                "piece size {piece}"
            );
        }
    }

    #[test]
    fn a_last_event_without_blank_line_is_still_delivered() {
        assert_eq!(
            decode_in_pieces(b"data: x\n\ndata: y", 3),
            vec![
                (String::new(), "x".to_owned()),
                (String::new(), "y".to_owned())
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut dec = SseDecoder::default();
        let err = dec.feed(b"data: \xff\n\n", &mut |_, _| Ok(())).unwrap_err();
        assert!(err.to_string().contains("UTF-8"));
    }
}
