//! Masking of obvious variables inside message tokens.
//!
//! A token is cut into *segments* at punctuation (`= , ; : ( ) [ ] { } < > " ' | @ # /`);
//! each segment that is clearly a value becomes `<*>`:
//!
//! * numbers, with decimals, signs, thousands separators or a short unit (`42`, `-1`, `3.5ms`, `4096kB`);
//! * dotted numbers: IPs and versions (`10.0.0.1`, `1.4.1`);
//! * hex (`0x1f`, `9f4ef63`, UUIDs);
//! * identifiers that are mostly digits or hold a long digit run (`blk_-6952…`, `job_1445_0020`);
//! * a number after a dash keeps its name: `node-246` → `node-<*>`.
//!
//! Whole tokens that are absolute paths or URLs become `<*>`. Words without
//! digits are never masked here — whether `root` or `RUNNING` is a value is
//! decided by the miner from how much a position varies.

/// The wildcard written in templates.
pub const WILDCARD: &str = "<*>";

/// Stands for a space inside a quoted multi-word string in a signature, where the
/// string is one token (`"GET /a HTTP/1.1"` → `"GET\u{1f}<*>\u{1f}HTTP/<*>"`); templates
/// show it as a space again.
pub const QUOTED_SPACE: char = '\u{1f}';

/// Byte classes for the single pass over a token.
mod class {
    pub const DIGIT: u8 = 1;
    pub const SLASH: u8 = 2;
    pub const DOT: u8 = 4;
    /// First letter of `true`, `false`, `null` (any case).
    pub const TFN: u8 = 8;
    pub const ALNUM: u8 = 16;
    /// Punctuation that separates segments.
    pub const DELIM: u8 = 32;
    /// ASCII whitespace (what separates tokens).
    pub const WS: u8 = 64;

    pub const TABLE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut c = 0usize;
        while c < 256 {
            let b = c as u8;
            let mut k = 0u8;
            if b.is_ascii_digit() {
                k |= DIGIT | ALNUM;
            }
            if b.is_ascii_alphabetic() {
                k |= ALNUM;
            }
            if matches!(b, b't' | b'f' | b'n' | b'T' | b'F' | b'N') {
                k |= TFN;
            }
            if b == b'/' {
                k |= SLASH;
            }
            if b == b'.' {
                k |= DOT;
            }
            if b.is_ascii_whitespace() {
                k |= WS;
            }
            if matches!(
                b,
                b'=' | b','
                    | b';'
                    | b':'
                    | b'('
                    | b')'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'<'
                    | b'>'
                    | b'"'
                    | b'\''
                    | b'|'
                    | b'@'
                    | b'#'
                    | b'/'
            ) {
                k |= DELIM;
            }
            t[c] = k;
            c += 1;
        }
        t
    };
}

#[inline]
fn is_delim(c: u8) -> bool {
    class::TABLE[c as usize] & class::DELIM != 0
}

/// Thresholds of masking; the defaults are what every public entry point uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskConfig {
    /// A segment of hex digits (with a letter) at least this long is a value (`9f4ef63`).
    pub min_hex: usize,
    /// A segment holding a run of at least this many digits is a value (`job_1445_0020`).
    pub min_digit_run: usize,
}

impl Default for MaskConfig {
    fn default() -> Self {
        Self {
            min_hex: 5,
            min_digit_run: 4,
        }
    }
}

/// Appends the masked form of `tok` to `out`; returns `true` when the whole token is a wildcard.
pub fn mask_token(tok: &str, out: &mut String) -> bool {
    let scan = scan(tok.as_bytes(), 0, false);
    mask_scanned(tok, &scan, &MaskConfig::default(), out)
}

/// What one pass over a token found: enough to tell whether anything can be
/// masked — a digit, a slash, a data word (`true`/`false`/`null` at a word
/// start) or two dots (a host name).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scan {
    /// Where the token ends.
    pub end: usize,
    /// Union of the byte classes.
    any: u8,
    dots: usize,
    data: bool,
}

impl Scan {
    /// Whether masking may change the token (otherwise it is copied as is).
    pub fn maskable(&self) -> bool {
        self.any & (class::DIGIT | class::SLASH) != 0 || self.data || self.dots >= 2
    }
}

/// Scans the token starting at `b[start]`, up to the end of `b` or, with
/// `stop_at_space`, up to ASCII whitespace.
#[inline]
pub(crate) fn scan(b: &[u8], start: usize, stop_at_space: bool) -> Scan {
    let (mut any, mut dots, mut data, mut prev_alnum) = (0u8, 0usize, false, false);
    let mut i = start;
    while let Some(&c) = b.get(i) {
        let k = class::TABLE[c as usize];
        if stop_at_space && k & class::WS != 0 {
            break;
        }
        any |= k;
        dots += usize::from(k & class::DOT != 0);
        // A data word holds no whitespace, so looking past the token's end is harmless.
        if k & class::TFN != 0 && !prev_alnum && !data {
            data = data_word_at(b, i);
        }
        prev_alnum = k & class::ALNUM != 0;
        i += 1;
    }
    Scan {
        end: i,
        any,
        dots,
        data,
    }
}

/// [`mask_token`] for a token already scanned.
pub(crate) fn mask_scanned(tok: &str, scan: &Scan, cfg: &MaskConfig, out: &mut String) -> bool {
    let b = tok.as_bytes();
    let (any, dots, data) = (scan.any, scan.dots, scan.data);
    let hot = any & (class::DIGIT | class::SLASH) != 0;
    if !(hot || data || (dots >= 2 && is_hostname(trim_punct(tok).1))) {
        out.push_str(tok);
        return false;
    }
    let (lead, core, trail) = trim_punct(tok);
    // A token that already holds a wildcard (a template's) no longer shows whether it was a path,
    // a URL or a `key=value`: it is masked segment by segment only, so masking is idempotent.
    let premasked = tok.contains(WILDCARD);
    if !premasked && is_path_or_url(core, any & class::SLASH != 0) {
        out.push_str(lead);
        out.push_str(WILDCARD);
        out.push_str(trail);
        return lead.is_empty() && trail.is_empty();
    }
    if !premasked && is_mac(core) {
        out.push_str(lead);
        out.push_str(WILDCARD);
        out.push_str(trail);
        return lead.is_empty() && trail.is_empty();
    }
    // `key=value`: a value holding a digit is a value as a whole (`rhost=220-135-151-1.hinet.net`).
    if let Some(eq) = core.bytes().position(|c| c == b'=') {
        let (key, value) = (&core.as_bytes()[..eq], &core.as_bytes()[eq + 1..]);
        let key_ok = eq > 0
            && key
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'));
        // Already masked (`0=<*>`): keep it, or the key would be masked on a second pass.
        let masked = tok[lead.len() + eq + 1..]
            .strip_prefix(WILDCARD)
            .is_some_and(|rest| rest.bytes().all(|c| b")]}>\"',;.:".contains(&c)));
        if key_ok && masked {
            out.push_str(tok);
            return false;
        }
        if key_ok
            && !premasked
            && value.iter().any(u8::is_ascii_digit)
            && !value.iter().any(|&c| {
                matches!(
                    c,
                    b'=' | b',' | b';' | b'<' | b'(' | b'[' | b'{' | b':' | b'"' | b'\''
                )
            })
        {
            out.push_str(lead);
            out.push_str(&core[..=eq]);
            out.push_str(WILDCARD);
            out.push_str(trail);
            return false;
        }
    }
    let start_len = out.len();
    let mut i = 0usize;
    let mut all_wild = true;
    while i < b.len() {
        // A run of dots (`instruction......0`) separates like punctuation.
        let dot_run = b[i] == b'.' && b.get(i + 1) == Some(&b'.');
        if is_delim(b[i]) || dot_run {
            out.push(b[i] as char);
            all_wild = false;
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && !is_delim(b[i]) && !(b[i] == b'.' && b.get(i + 1) == Some(&b'.')) {
            i += 1;
        }
        let seg = &tok[s..i];
        match segment_mask(seg, cfg) {
            SegMask::Whole => {
                // `/10.0.0.1`: a slash glued to the front of a value belongs to it.
                if s == 1 && b[0] == b'/' {
                    out.pop();
                }
                out.push_str(WILDCARD);
            }
            SegMask::Suffix(keep) => {
                out.push_str(&seg[..keep]);
                out.push_str(WILDCARD);
                all_wild = false;
            }
            SegMask::Keep => {
                out.push_str(seg);
                all_wild = false;
            }
        }
    }
    all_wild && out.len() > start_len
}

/// Whether `true`, `false` or `null` (any case) starts at `b[i]`.
#[inline]
fn data_word_at(b: &[u8], i: usize) -> bool {
    let word: &[u8] = match b[i] | 0x20 {
        b't' => b"true",
        b'f' => b"false",
        b'n' => b"null",
        _ => return false,
    };
    b.len() >= i + word.len() && b[i..i + word.len()].eq_ignore_ascii_case(word)
}

fn trim_punct(tok: &str) -> (&str, &str, &str) {
    let b = tok.as_bytes();
    let mut s = 0;
    while s < b.len() && matches!(b[s], b'(' | b'[' | b'{' | b'<' | b'"' | b'\'') {
        s += 1;
    }
    let mut e = b.len();
    while e > s
        && matches!(
            b[e - 1],
            b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b',' | b';' | b'.' | b':'
        )
    {
        e -= 1;
    }
    (&tok[..s], &tok[s..e], &tok[e..])
}

/// A URL, a path or a host name; `has_slash` says whether `t` holds a `/` (all but host names need one).
fn is_path_or_url(t: &str, has_slash: bool) -> bool {
    if is_hostname(t) {
        return true;
    }
    if !has_slash {
        return false;
    }
    let b = t.as_bytes();
    if (2..b.len()).any(|i| b[i - 2] == b':' && b[i - 1] == b'/' && b[i] == b'/') {
        return true;
    }
    let slashes = b.iter().filter(|&&c| c == b'/').count();
    // `/var/log`, and a single-level `/healthz` or `/favicon.ico` (a path, not a `/`
    // separator: a letter, `.` or `_` follows the slash).
    // The root `/` alone is a path too (`"GET / HTTP/1.1"`, `cd / && …`).
    b == b"/"
        || (b.first() == Some(&b'/')
            && b.len() > 1
            && (slashes >= 2 || b[1].is_ascii_alphabetic() || matches!(b[1], b'.' | b'_'))
            && !b[1].is_ascii_digit())
        || (t.starts_with("./") || t.starts_with("~/"))
        || (slashes >= 3 && !b.contains(&b'='))
}

/// A hardware address: six or eight pairs of hex digits joined by `:` or `-` (`e8:a1:0c:4f:9b:d3`).
fn is_mac(t: &str) -> bool {
    let b = t.as_bytes();
    (b.len() == 17 || b.len() == 23)
        && b.iter().enumerate().all(|(i, c)| {
            if i % 3 == 2 {
                *c == b':' || *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Top-level domains that end host names (`ns1.example.com`, `db-3.corp.internal`).
const TLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "edu",
    "gov",
    "mil",
    "int",
    "io",
    "local",
    "lan",
    "internal",
    "localdomain",
    "corp",
    "home",
    "cn",
    "de",
    "uk",
    "jp",
    "fr",
    "ru",
    "br",
    "in",
    "it",
    "nl",
    "au",
    "ca",
    "us",
    "eu",
];

/// A dotted name of at least three labels ending with a top-level domain, optionally with `:port`.
fn is_hostname(t: &str) -> bool {
    // One pass up to the port: label characters only, count the dots, remember the last.
    let b = t.as_bytes();
    let (mut dots, mut last_dot) = (0usize, 0usize);
    let mut end = b.len();
    for (i, &c) in b.iter().enumerate() {
        if c == b'.' {
            dots += 1;
            last_dot = i;
        } else if c == b':' {
            end = i;
            break;
        } else if !(c.is_ascii_alphanumeric() || c == b'-') {
            return false;
        }
    }
    dots >= 2 && {
        let tld = &b[last_dot + 1..end];
        TLDS.iter().any(|d| d.as_bytes().eq_ignore_ascii_case(tld))
    }
}

enum SegMask {
    Keep,
    Whole,
    /// Keep this many leading bytes, mask the rest.
    Suffix(usize),
}

fn segment_mask(seg: &str, cfg: &MaskConfig) -> SegMask {
    let b = seg.as_bytes();
    // One pass: digits, alphanumerics, the longest digit run, the first `-` or `.`.
    let (mut digits, mut alnum, mut run, mut longest_run) = (0usize, 0usize, 0usize, 0usize);
    let mut dash_or_dot = None;
    for (j, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            digits += 1;
            alnum += 1;
            run += 1;
            longest_run = longest_run.max(run);
        } else {
            run = 0;
            alnum += usize::from(c.is_ascii_alphabetic());
            if dash_or_dot.is_none() && (c == b'-' || c == b'.') {
                dash_or_dot = Some(j);
            }
        }
    }
    if digits == 0 {
        // Booleans and nulls are data wherever they appear.
        let data = ["true", "false", "null"]
            .iter()
            .any(|w| seg.eq_ignore_ascii_case(w));
        return if data { SegMask::Whole } else { SegMask::Keep };
    }
    if is_number_with_unit(b) || is_hex(b, cfg.min_hex) {
        return SegMask::Whole;
    }
    // `node-246`, `core.2275`, `Interconnect-0T00`: a name, a dash or dot, then a number-ish tail.
    if let Some(d) = dash_or_dot {
        let (name, tail) = (&b[..d], &b[d + 1..]);
        if name.len() >= 2
            && name.iter().all(u8::is_ascii_alphabetic)
            && tail.first().is_some_and(u8::is_ascii_digit)
        {
            return SegMask::Suffix(d + 1);
        }
    }
    if digits * 2 > alnum || longest_run >= cfg.min_digit_run {
        return SegMask::Whole;
    }
    SegMask::Keep
}

/// `42`, `-1`, `+3`, `1,024`, `3.14`, `10.0.0.1`, `3.5ms`, `4096kB`, `85%`, `1e-3`.
fn is_number_with_unit(b: &[u8]) -> bool {
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let num_start = i;
    while i < b.len()
        && (b[i].is_ascii_digit() || ((b[i] == b'.' || b[i] == b',') && i > num_start))
    {
        i += 1;
    }
    if i == num_start || !b[i - 1].is_ascii_digit() {
        return false;
    }
    let unit = &b[i..];
    unit.len() <= 3 && unit.iter().all(|c| c.is_ascii_alphabetic() || *c == b'%')
}

/// `0x1f`, `9f4ef63`, `de305d54-75b4-431b-adb2-eb6b9e546014`, `00:1a:2b` segments.
fn is_hex(b: &[u8], min_len: usize) -> bool {
    if b.len() > 2 && (b.starts_with(b"0x") || b.starts_with(b"0X")) {
        return b[2..].iter().all(u8::is_ascii_hexdigit);
    }
    let hexlen = b.iter().filter(|c| c.is_ascii_hexdigit()).count();
    hexlen >= min_len
        && b.iter().all(|c| c.is_ascii_hexdigit() || *c == b'-')
        && b.iter().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(tok: &str) -> String {
        let mut s = String::new();
        mask_token(tok, &mut s);
        s
    }

    #[test]
    fn masks_values_keeps_words() {
        let cases = [
            ("terminating", "terminating"),
            ("148", "<*>"),
            ("blk_-6952295868487656571", "<*>"),
            ("10.251.73.220:50010", "<*>:<*>"),
            ("rhost=218.188.2.4", "rhost=<*>"),
            ("(HWID=1973)", "(HWID=<*>)"),
            ("node-246", "node-<*>"),
            ("[173.234.31.186]", "[<*>]"),
            ("/etc/httpd/conf/workers2.properties", "<*>"),
            ("ssh2", "ssh2"),
            ("0x1f", "<*>"),
            ("9f4ef63", "<*>"),
            ("3.5ms", "<*>"),
            ("CPU#1", "CPU#<*>"),
            ("appattempt_1445144423722_0020_000001", "<*>"),
            ("http://x.org/a", "<*>"),
            ("/healthz", "<*>"),
            ("\"/favicon.ico\"", "\"<*>\""),
            ("e8:a1:0c:4f:9b:d3", "<*>"),
        ];
        for (tok, want) in cases {
            assert_eq!(m(tok), want, "{tok}");
        }
    }

    /// Masked tokens are fixed points, whatever their shape (found by the
    /// `masking_is_idempotent` property test: `0=0` → `0=<*>` → `<*>=<*>`, `{/00/` → `{/<*>/` →
    /// `{<*>`).
    #[test]
    fn a_masked_key_value_stays_as_it_is() {
        for tok in ["0=0", "x1=5", "(7=12),", "HWID=1973", "{/00/"] {
            let once = m(tok);
            assert_eq!(m(&once), once, "{tok} → {once}");
        }
        assert_eq!(m("0=0"), "0=<*>");
    }

    #[test]
    fn wildcard_flag_only_for_whole_tokens() {
        let mut s = String::new();
        assert!(mask_token("12345", &mut s));
        s.clear();
        assert!(!mask_token("uid=0", &mut s));
    }
}
