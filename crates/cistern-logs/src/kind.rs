//! Token kinds used to infer the header of a log line.
//!
//! A header field is recognised by *shape*, never by dataset: "a date", "a
//! time", "a level word", "a token ending with a colon" (a component such as
//! `sshd[42]:`), "a bracketed group", "a number". Format detection looks for
//! the prefix of positions whose kind is stable across a sample of lines.

use serde::{Deserialize, Serialize};

/// The shape of one whitespace-separated header token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// A calendar date: `2015-10-18`, `17/06/09`, `03-17`, `2005.06.03`.
    Date,
    /// A time of day: `18:01:47,978`, `16:13:38.811`.
    Time,
    /// Date and time in one token: `2005-06-03-15.42.50.675872`, ISO 8601.
    DateTime,
    /// A month name (`Jun`, `December`).
    Month,
    /// A weekday name (`Sun`).
    Weekday,
    /// A Unix epoch in seconds or milliseconds (`1117838570`).
    Epoch,
    /// An integer or decimal number.
    Num,
    /// A severity: `INFO`, `warn`, `[error]`, logcat's `D`.
    Level,
    /// A bracketed group holding a timestamp: `[Sun Dec 04 04:47:44 2005]`.
    BracketTime,
    /// Any other bracketed group: `[main]`, `(pid 12)`.
    Bracket,
    /// A token ending with `:` — usually the component (`sshd[24200]:`).
    Comp,
    /// A separator: `-`, `|`, `--`.
    Dash,
    /// An identifier holding digits: host `node-246`, IP `10.0.0.1`.
    Id,
    /// Letters only (a host name, a type, or a message word).
    Word,
    /// Anything else.
    #[default]
    Other,
}

impl Kind {
    /// Whether this kind is part of a timestamp.
    pub fn is_time(self) -> bool {
        matches!(
            self,
            Kind::Date
                | Kind::Time
                | Kind::DateTime
                | Kind::Month
                | Kind::Weekday
                | Kind::Epoch
                | Kind::BracketTime
        )
    }

    /// Whether this kind typically appears in headers rather than messages.
    pub fn is_headerish(self) -> bool {
        !matches!(self, Kind::Word | Kind::Other)
    }
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Returns the month number (1–12) of an English month name or abbreviation.
pub fn month_number(word: &str) -> Option<u32> {
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.strip_suffix('.').unwrap_or(word);
    let b = w.as_bytes();
    if b.len() < 3 || b.len() > 9 || !w.is_ascii() {
        return None;
    }
    let key = [
        b[0].to_ascii_lowercase(),
        b[1].to_ascii_lowercase(),
        b[2].to_ascii_lowercase(),
    ];
    let i = MONTHS.iter().position(|m| **m == key)?;
    // "Mayday" or "Decoder" are not months: the abbreviation or a prefix of the full name.
    (w.len() == 3
        || FULL[i]
            .get(..w.len())
            .is_some_and(|f| f.eq_ignore_ascii_case(w)))
    .then_some(i as u32 + 1)
}

/// Whether an all-letter word starts like a weekday (`Sun`, `Monday`; also `Monitor`).
fn is_weekday_like(b: &[u8]) -> bool {
    if b.len() < 3 || b.len() > 9 {
        return false;
    }
    let key = [
        b[0].to_ascii_lowercase(),
        b[1].to_ascii_lowercase(),
        b[2].to_ascii_lowercase(),
    ];
    matches!(
        &key,
        b"mon" | b"tue" | b"wed" | b"thu" | b"fri" | b"sat" | b"sun"
    )
}

/// Whether `word` names a severity level (case-insensitive; brackets and a trailing colon allowed).
pub fn level_of(word: &str) -> Option<crate::Level> {
    use crate::Level;
    // Trailing colons, one pair of `[]` or `<>`, surrounding whitespace — on bytes.
    let mut b = word.as_bytes();
    while let [rest @ .., b':'] = b {
        b = rest;
    }
    if let [b'[', inner @ .., b']'] | [b'<', inner @ .., b'>'] = b {
        b = inner;
    }
    // `str::trim`'s ASCII whitespace (which, unlike `u8::is_ascii_whitespace`, includes \x0b).
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
    while let [first, rest @ ..] = b
        && ws(first)
    {
        b = rest;
    }
    while let [rest @ .., last] = b
        && ws(last)
    {
        b = rest;
    }
    if b.first().is_some_and(|c| !c.is_ascii()) || b.last().is_some_and(|c| !c.is_ascii()) {
        // Possibly Unicode whitespace around the word: the slow, exact path.
        let w = std::str::from_utf8(b).unwrap_or("").trim();
        b = w.as_bytes();
    }
    match b.len() {
        1 => {
            return match b[0] {
                b'V' | b'D' => Some(Level::Debug),
                b'I' => Some(Level::Info),
                b'W' => Some(Level::Warn),
                b'E' => Some(Level::Error),
                b'F' | b'A' => Some(Level::Fatal),
                _ => None,
            };
        }
        3..=9 => {}
        _ => return None,
    }
    // Upper-cased into a stack buffer: no allocation, one comparison per candidate.
    let mut up = [0u8; 9];
    for (d, &c) in up.iter_mut().zip(b) {
        if !c.is_ascii() {
            return None;
        }
        *d = c.to_ascii_uppercase();
    }
    Some(match &up[..b.len()] {
        b"TRACE" | b"DEBUG" | b"FINE" | b"FINER" | b"FINEST" | b"VERBOSE" | b"DBG" | b"CONFIG" => {
            Level::Debug
        }
        b"INFO" | b"NOTICE" | b"INF" => Level::Info,
        b"WARN" | b"WARNING" | b"WRN" => Level::Warn,
        b"ERROR" | b"ERR" | b"ERRO" | b"EROR" | b"SEVERE" => Level::Error,
        b"FATAL" | b"CRITICAL" | b"CRIT" | b"ALERT" | b"EMERG" | b"EMERGENCY" | b"PANIC" => {
            Level::Fatal
        }
        _ => return None,
    })
}

/// Byte classes for [`classify`]'s single pass over a token.
mod class {
    pub const ALPHA: u8 = 1;
    pub const DIGIT: u8 = 2;
    /// Allowed in an identifier: alphanumerics and `-_.:/@`.
    pub const ID: u8 = 8;
    /// Allowed in a word: letters and `-_.`.
    pub const WORD: u8 = 16;

    pub const TABLE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut c = 0usize;
        while c < 256 {
            let b = c as u8;
            let mut k = 0u8;
            if b.is_ascii_alphabetic() {
                k |= ALPHA | ID | WORD;
            }
            if b.is_ascii_digit() {
                k |= DIGIT | ID;
            }
            if matches!(b, b'-' | b'_' | b'.' | b':' | b'/' | b'@') {
                k |= ID;
            }
            if matches!(b, b'-' | b'_' | b'.') {
                k |= WORD;
            }
            t[c] = k;
            c += 1;
        }
        t
    };
}

/// Classifies one header token.
pub fn classify(tok: &str) -> Kind {
    let b = tok.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return Kind::Other;
    };
    // Dispatch on the first byte: digits and letters (most tokens) skip the
    // checks that cannot apply to them; the order of the checks is the same
    // as the general path below.
    if first.is_ascii_digit() {
        if let Some(k) = numeric_kind(b) {
            return k;
        }
        if last == b':' {
            return Kind::Comp;
        }
        if is_clf_datetime(b) {
            return Kind::DateTime;
        }
        return by_classes(tok);
    }
    if first.is_ascii_alphabetic() {
        if b.len() <= 11
            && (b.len() > 1 || first.is_ascii_uppercase())
            && may_start_level(first)
            && level_of(tok).is_some()
        {
            return Kind::Level;
        }
        if last == b':' {
            return Kind::Comp;
        }
        return by_classes(tok);
    }
    if b.iter().all(|&c| c == b'-' || c == b'|' || c == b'=') {
        return Kind::Dash;
    }
    if (first == b'[' && last == b']')
        || (first == b'(' && last == b')')
        || (first == b'<' && last == b'>')
    {
        let inner = &tok[1..tok.len() - 1];
        if level_of(inner).is_some() && inner.len() > 1 {
            return Kind::Level;
        }
        if inner.split_ascii_whitespace().any(is_time_token) {
            return Kind::BracketTime;
        }
        return Kind::Bracket;
    }
    if let Some(k) = numeric_kind(b) {
        return k;
    }
    if last == b':' {
        return Kind::Comp;
    }
    by_classes(tok)
}

/// Whether a level word (see [`level_of`]) can start with this letter.
fn may_start_level(c: u8) -> bool {
    matches!(
        c.to_ascii_uppercase(),
        b'T' | b'D' | b'I' | b'N' | b'W' | b'E' | b'F' | b'C' | b'S' | b'V' | b'A' | b'P'
    )
}

/// The last checks of [`classify`], by the classes of all bytes: month or
/// weekday names, identifiers, words.
fn by_classes(tok: &str) -> Kind {
    let b = tok.as_bytes();
    let (mut all, mut any) = (u8::MAX, 0u8);
    for &c in b {
        let k = class::TABLE[c as usize];
        all &= k;
        any |= k;
    }
    if all & class::ALPHA != 0 {
        if month_number(tok).is_some() {
            return Kind::Month;
        }
        if is_weekday_like(b) {
            return Kind::Weekday;
        }
    }
    if any & class::DIGIT != 0 && all & class::ID != 0 {
        return Kind::Id;
    }
    if all & class::WORD != 0 {
        return Kind::Word;
    }
    Kind::Other
}

/// The access-log timestamp of Apache and nginx (common log format): `10/Oct/2023:13:55:36`.
fn is_clf_datetime(b: &[u8]) -> bool {
    // d[d]/Mon/yyyy:hh:mm:ss
    if !(19..=20).contains(&b.len()) {
        return false;
    }
    let day = match b.iter().position(|&c| c == b'/') {
        Some(d @ 1..=2) => d,
        _ => return false,
    };
    let rest = &b[day..];
    rest.len() == 18
        && b[..day].iter().all(u8::is_ascii_digit)
        && rest[0] == b'/'
        && rest[1..4].iter().all(u8::is_ascii_alphabetic)
        && month_number(std::str::from_utf8(&rest[1..4]).unwrap_or("")).is_some()
        && rest[4] == b'/'
        && rest[5..9].iter().all(u8::is_ascii_digit)
        && rest[9] == b':'
        && rest[10..12].iter().all(u8::is_ascii_digit)
        && rest[12] == b':'
        && rest[13..15].iter().all(u8::is_ascii_digit)
        && rest[15] == b':'
        && rest[16..18].iter().all(u8::is_ascii_digit)
}

/// Whether a message token is a month or weekday name (what [`classify`] calls
/// [`Kind::Month`] or [`Kind::Weekday`]), without classifying it fully.
pub fn is_date_word(tok: &str) -> bool {
    let b = tok.as_bytes();
    // No level word starts like a month or a weekday, so [`classify`]'s level
    // check, which comes first, cannot claim these.
    b.len() >= 3
        && b.len() <= 9
        && b.iter().all(u8::is_ascii_alphabetic)
        && (month_number(tok).is_some() || is_weekday_like(b))
}

/// `classify(tok).is_time()`, cheaper for the common word-like tokens.
fn is_time_token(tok: &str) -> bool {
    match tok.as_bytes().first() {
        Some(c) if c.is_ascii_alphabetic() => is_date_word(tok),
        _ => classify(tok).is_time(),
    }
}

/// Kinds for tokens made of digits and date/time separators only.
fn numeric_kind(b: &[u8]) -> Option<Kind> {
    // Byte codes: a digit, one of the separators counted below, or anything else.
    const DIGIT: u8 = 0;
    const COLON: u8 = 1;
    const DASH: u8 = 2;
    const SLASH: u8 = 3;
    const DOT: u8 = 4;
    const TEE: u8 = 5;
    const BAD: u8 = 6;
    const CODE: [u8; 256] = {
        let mut t = [BAD; 256];
        let mut c = b'0';
        while c <= b'9' {
            t[c as usize] = DIGIT;
            c += 1;
        }
        t[b':' as usize] = COLON;
        t[b'-' as usize] = DASH;
        t[b'+' as usize] = DASH;
        t[b'/' as usize] = SLASH;
        t[b'.' as usize] = DOT;
        t[b',' as usize] = DOT;
        t[b'T' as usize] = TEE;
        t
    };
    let body = b.strip_suffix(b"Z").unwrap_or(b);
    let (&first, _) = body.split_first()?;
    // A leading minus sign is skipped (it is not a separator).
    let digits_from = match first {
        b'0'..=b'9' => 0,
        b'-' if body.len() > 1 => 1,
        _ => return None,
    };
    let mut groups: [u8; 12] = [0; 12];
    let mut ngroups = 0usize;
    let mut cur = 0u8;
    let mut seps = [0u8; 6];
    for &c in &body[digits_from..] {
        let k = CODE[c as usize];
        if k == DIGIT {
            cur = cur.saturating_add(1);
            continue;
        }
        if k == BAD || cur == 0 || ngroups == groups.len() {
            return None;
        }
        groups[ngroups] = cur;
        ngroups += 1;
        cur = 0;
        seps[k as usize] += 1;
    }
    if cur == 0 || ngroups == groups.len() {
        return None;
    }
    groups[ngroups] = cur;
    ngroups += 1;
    let (colons, dashes, slashes, dots, tee) = (
        seps[COLON as usize],
        seps[DASH as usize],
        seps[SLASH as usize],
        seps[DOT as usize],
        seps[TEE as usize],
    );
    let g = &groups[..ngroups];
    if ngroups == 1 {
        return Some(
            if (g[0] == 10 || g[0] == 13) && matches!(body[0], b'1'..=b'2') {
                Kind::Epoch
            } else {
                Kind::Num
            },
        );
    }
    if colons >= 2 && (dashes > 0 || slashes > 0 || tee > 0) && ngroups >= 5 {
        return Some(Kind::DateTime);
    }
    if colons >= 1
        && dashes == 0
        && slashes == 0
        && g.iter().take(usize::from(colons) + 1).all(|&n| n <= 2)
    {
        return Some(Kind::Time);
    }
    if colons > 0 {
        return Some(Kind::Id);
    }
    if ngroups >= 6 && g[0] == 4 && (dashes >= 2 || dots >= 2) {
        return Some(Kind::DateTime);
    }
    let date_like = ngroups == 3 && (g[0] == 4 || g[2] == 4 || g.iter().all(|&n| n == 2));
    if (dashes == 2 || slashes == 2 || (dots == 2 && g[0] == 4)) && date_like {
        return Some(Kind::Date);
    }
    if ngroups == 2 && (dashes == 1 || slashes == 1) && g[0] <= 2 && g[1] <= 2 {
        return Some(Kind::Date);
    }
    if ngroups == 2 && dots == 1 {
        return Some(Kind::Num);
    }
    Some(Kind::Id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_header_tokens() {
        let cases = [
            ("2015-10-18", Kind::Date),
            ("17/06/09", Kind::Date),
            ("03-17", Kind::Date),
            ("2005.06.03", Kind::Date),
            ("18:01:47,978", Kind::Time),
            ("16:13:38.811", Kind::Time),
            ("2005-06-03-15.42.50.675872", Kind::DateTime),
            ("2024-01-02T03:04:05.123Z", Kind::DateTime),
            ("10/Oct/2023:13:55:36", Kind::DateTime),
            ("[10/Oct/2023:13:55:36 +0000]", Kind::BracketTime),
            ("Jun", Kind::Month),
            ("Sun", Kind::Weekday),
            ("1117838570", Kind::Epoch),
            ("148", Kind::Num),
            ("INFO", Kind::Level),
            ("[notice]", Kind::Level),
            ("D", Kind::Level),
            ("[Sun Dec 04 04:47:44 2005]", Kind::BracketTime),
            ("[main]", Kind::Bracket),
            ("sshd[24200]:", Kind::Comp),
            ("-", Kind::Dash),
            ("node-246", Kind::Id),
            ("10.251.73.220", Kind::Id),
            ("combo", Kind::Word),
        ];
        for (tok, want) in cases {
            assert_eq!(classify(tok), want, "{tok}");
        }
    }
}
