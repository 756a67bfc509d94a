//! A message's *signature*: its whitespace tokens, masked ([`crate::mask`]),
//! joined by single spaces — the key the miner groups messages by.
//!
//! Built in one pass over the message: tokens are found and checked for
//! anything maskable in the same scan, and runs of tokens that stay as they are
//! are copied at once. Then month/weekday names and units next to masked
//! numbers are masked too (`Sun Jul 10 03:55:15` → `<*> <*> <*> <*>:<*>:<*>`,
//! `12.5 KB` → `<*> <*>`).

use crate::kind::is_date_word;
use crate::mask::{MaskConfig, QUOTED_SPACE, WILDCARD, mask_scanned, scan};
use crate::miner::MAX_TOKENS;

/// Per-token flags recorded while building.
const STARTS_WILD: u8 = 1;
const IS_WILD: u8 = 2;
/// May be a date word or a unit (starts with a letter, `%` or `µ`).
const WORDISH: u8 = 4;

/// A reusable buffer holding the signature of the last message built.
#[derive(Debug, Default)]
pub(crate) struct SigBuf {
    /// Masked tokens joined by single spaces.
    pub text: String,
    /// Byte range of each token in `text`.
    pub spans: Vec<(u32, u32)>,
    flags: Vec<u8>,
    masked: Vec<bool>,
    spare: String,
    spare_spans: Vec<(u32, u32)>,
    mask: MaskConfig,
}

impl SigBuf {
    /// An empty buffer masking with `mask`.
    pub fn new(mask: MaskConfig) -> Self {
        Self {
            mask,
            ..Self::default()
        }
    }

    /// Token `i` of the signature.
    pub fn token(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.text[s as usize..e as usize]
    }

    /// Builds the signature of `content`.
    pub fn build(&mut self, content: &str) {
        self.text.clear();
        self.spans.clear();
        self.flags.clear();
        let b = content.as_bytes();
        // A run of unchanged tokens still to be copied: `content[run.0..run.1]`,
        // starting at `text[run_at]` (its separator already written).
        let mut run: Option<(usize, usize)> = None;
        let mut run_at = 0usize;
        let mut i = 0usize;
        let mut no_close = false;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= b.len() {
                break;
            }
            let start = i;
            let scanned = scan(b, start, true);
            let (end, maskable) = (scanned.end, scanned.maskable());
            i = end;
            let n = self.spans.len();
            if b[start] == b'"'
                && !no_close
                && n + 1 < MAX_TOKENS
                && !(start + 1..end).any(|k| closes_quote(b, k))
            {
                match quoted_span_end(b, end) {
                    Some(close) => {
                        // A quoted string of several words is one field: one token.
                        self.flush(content, &mut run);
                        if n > 0 {
                            self.text.push(' ');
                        }
                        let s = self.text.len();
                        self.push_quoted(&content[start..close]);
                        self.push_span(s, 0);
                        i = close;
                        continue;
                    }
                    // No quote closes anywhere further: later quotes need not look (linear time).
                    None => no_close = true,
                }
            }
            if n + 1 == MAX_TOKENS {
                self.flush(content, &mut run);
                self.text.push(' ');
                let s = self.text.len();
                self.text.push_str(WILDCARD);
                self.push_span(s, STARTS_WILD | IS_WILD);
                break;
            }
            let wordish = if b[start].is_ascii_alphabetic() || matches!(b[start], b'%' | 0xC2) {
                WORDISH
            } else {
                0
            };
            let tok = &b[start..end];
            if !maskable && !tok.starts_with(WILDCARD.as_bytes()) {
                match run {
                    // Separated from the run by exactly one space: the run grows.
                    Some((rs, re)) if re + 1 == start && b[re] == b' ' => {
                        run = Some((rs, end));
                        let s = run_at + (start - rs);
                        self.spans.push((s as u32, (s + end - start) as u32));
                        self.flags.push(wordish);
                    }
                    _ => {
                        self.flush(content, &mut run);
                        if n > 0 {
                            self.text.push(' ');
                        }
                        run_at = self.text.len();
                        run = Some((start, end));
                        self.spans
                            .push((run_at as u32, (run_at + end - start) as u32));
                        self.flags.push(wordish);
                    }
                }
                continue;
            }
            self.flush(content, &mut run);
            if n > 0 {
                self.text.push(' ');
            }
            let s = self.text.len();
            if maskable {
                mask_scanned(&content[start..end], &scanned, &self.mask, &mut self.text);
            } else {
                self.text.push_str(&content[start..end]);
            }
            // Masked, or a literal `<*>` in the message: the neighbours need to know.
            let out = &self.text.as_bytes()[s..];
            let mut flags = wordish;
            if out.starts_with(WILDCARD.as_bytes()) {
                flags |= STARTS_WILD;
            }
            if out == WILDCARD.as_bytes() {
                flags |= IS_WILD;
            }
            self.push_span(s, flags);
        }
        self.flush(content, &mut run);
        self.mask_dates();
    }

    /// Appends a quoted multi-word string as one token: each word masked, the spaces
    /// between them written as [`QUOTED_SPACE`].
    fn push_quoted(&mut self, span: &str) {
        for (k, word) in span.split_ascii_whitespace().enumerate() {
            if k > 0 {
                self.text.push(QUOTED_SPACE);
            }
            let scanned = scan(word.as_bytes(), 0, false);
            if scanned.maskable() {
                mask_scanned(word, &scanned, &self.mask, &mut self.text);
            } else {
                self.text.push_str(word);
            }
        }
    }

    fn push_span(&mut self, start: usize, flags: u8) {
        self.spans.push((start as u32, self.text.len() as u32));
        self.flags.push(flags);
    }

    /// Copies the pending run of unchanged tokens.
    fn flush(&mut self, content: &str, run: &mut Option<(usize, usize)>) {
        if let Some((s, e)) = run.take() {
            self.text.push_str(&content[s..e]);
        }
    }

    /// Month and weekday names next to masked numbers are part of a date value:
    /// `at Sun Jul 10 03:55:15 2005` → `at <*> <*> <*> <*>:<*>:<*> <*>`; a unit after a
    /// masked number belongs to it (`12.5 KB`).
    fn mask_dates(&mut self) {
        let n = self.spans.len();
        let mut hit = false;
        for i in (0..n).rev() {
            if self.flags[i] & WORDISH == 0 {
                continue;
            }
            let next_wild =
                i + 1 < n && ((hit && self.masked[i + 1]) || self.flags[i + 1] & STARTS_WILD != 0);
            let prev_wild = i > 0 && self.flags[i - 1] & IS_WILD != 0;
            if (next_wild && is_date_word(self.token(i))) || (prev_wild && is_unit(self.token(i))) {
                if !hit {
                    self.masked.clear();
                    self.masked.resize(n, false);
                    hit = true;
                }
                self.masked[i] = true;
            }
        }
        if !hit {
            return;
        }
        // Rebuild into the spare buffers, then swap: no allocation once they have grown.
        self.spare.clear();
        self.spare_spans.clear();
        for (i, &(s, e)) in self.spans.iter().enumerate() {
            if i > 0 {
                self.spare.push(' ');
            }
            let start = self.spare.len();
            self.spare.push_str(if self.masked[i] {
                WILDCARD
            } else {
                &self.text[s as usize..e as usize]
            });
            self.spare_spans
                .push((start as u32, self.spare.len() as u32));
        }
        std::mem::swap(&mut self.text, &mut self.spare);
        std::mem::swap(&mut self.spans, &mut self.spare_spans);
    }
}

/// Whether `b[k]` (`k > 0`) closes a quoted string: a `"` not escaped, followed by
/// the end, whitespace or punctuation that ends a field.
fn closes_quote(b: &[u8], k: usize) -> bool {
    b[k] == b'"'
        && b[k - 1] != b'\\'
        && b.get(k + 1)
            .is_none_or(|c| c.is_ascii_whitespace() || b",;:)]}".contains(c))
}

/// Where a quoted string whose first word ends at `first_end` (without closing it)
/// ends: after the token holding its closing quote; `None` when no quote closes.
fn quoted_span_end(b: &[u8], first_end: usize) -> Option<usize> {
    let k = (first_end..b.len()).find(|&k| closes_quote(b, k))?;
    let mut end = k + 1;
    while end < b.len() && !b[end].is_ascii_whitespace() {
        end += 1;
    }
    Some(end)
}

/// Unit abbreviations that belong to the number before them (`12.5 KB`, `30 ms`).
fn is_unit(t: &str) -> bool {
    let t = t.trim_end_matches([')', ']', ',', ';', '.']);
    matches!(
        t,
        "B" | "KB"
            | "MB"
            | "GB"
            | "TB"
            | "PB"
            | "kB"
            | "KiB"
            | "MiB"
            | "GiB"
            | "TiB"
            | "K"
            | "M"
            | "G"
            | "ms"
            | "us"
            | "µs"
            | "ns"
            | "s"
            | "sec"
            | "secs"
            | "%"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(s: &str) -> Vec<String> {
        let mut b = SigBuf::default();
        b.build(s);
        (0..b.spans.len()).map(|i| b.token(i).to_owned()).collect()
    }

    #[test]
    fn a_quoted_string_of_several_words_is_one_token() {
        let toks = sig(r#""GET /a/b HTTP/1.1" 200 "-" "Mozilla/5.0 (X11; Linux x86_64)" done"#);
        assert_eq!(
            toks,
            [
                "\"GET\u{1f}<*>\u{1f}HTTP/<*>\"",
                "<*>",
                "\"-\"",
                "\"Mozilla/<*>\u{1f}(<*>;\u{1f}Linux\u{1f}<*>)\"",
                "done"
            ]
        );
        // No closing quote, or an escaped one: words stay tokens.
        assert_eq!(sig(r#"say "hello world"#).len(), 3);
        assert_eq!(sig(r#""a \" b"#).len(), 3);
    }
}
