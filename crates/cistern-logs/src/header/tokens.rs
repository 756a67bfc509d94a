//! Cutting a line's first tokens for header detection and splitting, and
//! remembering the kinds of recent header tokens.

use crate::kind::{Kind, classify};

use super::{COMP_DRIFT, MAX_HEADER_TOKENS};

/// A token of a line: byte range and kind.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// Cuts the first `out.len()` tokens of `line`, classifying each (through `memo`). Returns how many were found.
pub(crate) fn header_tokens(line: &str, out: &mut [Tok], memo: &mut KindMemo) -> usize {
    let n = header_spans(line, out);
    for (i, t) in out[..n].iter_mut().enumerate() {
        t.kind = memo.classify(i, &line[t.start..t.end]);
    }
    n
}

/// Cuts the first `out.len()` tokens of `line` without classifying them
/// (kinds are left as [`Kind::Other`]). Returns how many were found.
pub(crate) fn header_spans(line: &str, out: &mut [Tok]) -> usize {
    let mut spans = Spans::new(line);
    let mut n = 0usize;
    while n < out.len() {
        let Some(t) = spans.next_tok() else { break };
        out[n] = t;
        n += 1;
    }
    n
}

/// Cuts a line's tokens one at a time: whitespace-separated, except that a
/// bracketed group (`[IPC Server handler 5 on 62270]`) stays one token.
pub(crate) struct Spans<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Spans<'a> {
    pub fn new(line: &'a str) -> Self {
        Self {
            b: line.as_bytes(),
            pos: 0,
        }
    }

    /// Where the next token starts, if there is one.
    pub fn next_start(&mut self) -> Option<usize> {
        let b = self.b;
        while self.pos < b.len() && (b[self.pos] == b' ' || b[self.pos] == b'\t') {
            self.pos += 1;
        }
        (self.pos < b.len()).then_some(self.pos)
    }

    /// The next token.
    pub fn next_tok(&mut self) -> Option<Tok> {
        let start = self.next_start()?;
        let b = self.b;
        let mut i = start;
        if (b[i] == b'[' || b[i] == b'(')
            && let Some(close) = matching_close(&b[i..])
        {
            i += close + 1;
        }
        self.pos = token_end(b, i);
        Some(Tok {
            start,
            end: self.pos,
            kind: Kind::Other,
        })
    }
}

/// Index of the first space or tab at or after `i` (or `b.len()`), eight bytes at a time.
#[inline]
pub(crate) fn token_end(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit set in the bytes of `w` equal to `c` (exact for the lowest one, which is all we use).
    let eq = |w: u64, c: u8| {
        let x = w ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let m = eq(w, b' ') | eq(w, b'\t');
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
        i += 1;
    }
    i
}

/// Index of the bracket closing the one at `b[0]`, within 200 bytes.
fn matching_close(b: &[u8]) -> Option<usize> {
    let (open, close) = match b[0] {
        b'[' => (b'[', b']'),
        _ => (b'(', b')'),
    };
    let mut depth = 0i32;
    for (i, &c) in b.iter().enumerate().take(200) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// Longest token whose kind [`KindMemo`] remembers.
const MEMO_TOKEN: usize = 47;

/// The kind of the token last seen at each header position.
///
/// Consecutive lines repeat most of their header (level, component, thread,
/// host), so most header tokens are classified by one short compare; `classify`
/// is a pure function of the text, so a hit is exact.
#[derive(Debug, Clone)]
pub(crate) struct KindMemo {
    slots: [MemoSlot; MAX_HEADER_TOKENS + COMP_DRIFT],
}

#[derive(Debug, Clone, Copy)]
struct MemoSlot {
    len: u8,
    kind: Kind,
    bytes: [u8; MEMO_TOKEN],
}

impl Default for KindMemo {
    fn default() -> Self {
        let empty = MemoSlot {
            len: 0,
            kind: Kind::Other,
            bytes: [0; MEMO_TOKEN],
        };
        Self {
            slots: [empty; MAX_HEADER_TOKENS + COMP_DRIFT],
        }
    }
}

impl KindMemo {
    /// `classify(tok)` for the token at header position `pos`.
    #[inline]
    pub fn classify(&mut self, pos: usize, tok: &str) -> Kind {
        let b = tok.as_bytes();
        let Some(slot) = self.slots.get_mut(pos) else {
            return classify(tok);
        };
        // Tokens are never empty, so an unused slot (length 0) never matches.
        if b.len() == usize::from(slot.len) && slot.bytes[..b.len()] == *b {
            return slot.kind;
        }
        let kind = classify(tok);
        if b.len() <= MEMO_TOKEN {
            slot.len = b.len() as u8;
            slot.bytes[..b.len()].copy_from_slice(b);
            slot.kind = kind;
        }
        kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_agrees_with_classify() {
        let long = format!("[{}]", "x".repeat(MEMO_TOKEN + 5));
        let toks = [
            "INFO",
            "INFO",
            "2015-10-18",
            "18:01:47,978",
            "INFO",
            "[main]",
            &long,
            &long,
            "x:",
            "INFO:",
        ];
        let mut memo = KindMemo::default();
        for (i, t) in toks.iter().enumerate() {
            for pos in [0, i % 3, MAX_HEADER_TOKENS + COMP_DRIFT + 1] {
                assert_eq!(memo.classify(pos, t), classify(t), "{t} at {pos}");
            }
        }
    }

    #[test]
    fn spans_keep_bracket_groups_whole() {
        let line = "2015-10-18 [IPC Server handler 5 on 62270]  x:\tmsg";
        let mut out = [Tok::default(); 5];
        let n = header_spans(line, &mut out);
        let got: Vec<&str> = out[..n].iter().map(|t| &line[t.start..t.end]).collect();
        assert_eq!(
            got,
            ["2015-10-18", "[IPC Server handler 5 on 62270]", "x:", "msg"]
        );
        assert_eq!(token_end(b"abcdefghijkl mn", 0), 12);
        assert_eq!(token_end(b"abcdefghijklmn", 3), 14);
    }
}
