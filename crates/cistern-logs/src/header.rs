//! Header inference: find where the header of a line ends and the message starts.
//!
//! Detection works on a sample of lines. Each line is cut into whitespace
//! tokens (a bracketed group such as `[Sun Dec 04 04:47:44 2005]` stays one
//! token) and each token gets a [`Kind`]. For every position the dominant kind
//! and its share are counted; the header is the stable prefix, ended by:
//!
//! 1. the first stable *component* position (a token ending with `:`), else
//! 2. the last stable *level* position, plus any brackets/separators after it, else
//! 3. the stable prefix before any field of another shape (a quoted request,
//!    `key=value`), without its trailing plain words.
//!
//! Applying the shape to a line is lenient: most (not all) header positions
//! must have the expected kind, and a component may drift right by a few
//! tokens (`syslogd 1.4.1:`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::Level;
use crate::kind::{Kind, level_of};

mod tokens;
pub(crate) use tokens::KindMemo;
use tokens::{Spans, Tok, header_tokens};

/// Largest number of header positions examined.
pub const MAX_HEADER_TOKENS: usize = 12;
/// Share of sample lines a position's dominant kind needs to count as stable (the default;
/// see [`crate::MinerConfig::header_share`]).
pub const STABLE_SHARE: f64 = 0.6;
/// How far right of its usual position a component token may appear.
const COMP_DRIFT: usize = 3;

/// The header layout of a log, learned from a sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderShape {
    /// Expected kind of each header position.
    pub kinds: Vec<Kind>,
    /// Position of the component token (ending with `:`), when the header ends with one.
    pub comp: Option<usize>,
}

impl HeaderShape {
    /// Number of tokens in the header (when the component does not drift).
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether the shape has no positions (never true for a detected shape).
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}

/// The fields of one line's header plus its message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split<'a> {
    /// The message after the header.
    pub content: Cow<'a, str>,
    /// Timestamp text as written (possibly several tokens).
    pub timestamp: Option<Cow<'a, str>>,
    /// Severity from the header.
    pub level: Option<Level>,
    /// Component / logger / process name.
    pub component: Option<Cow<'a, str>>,
}

/// Learns the header shape from sample lines; `None` when no header is recognisable.
pub fn detect_shape<'a>(sample: impl IntoIterator<Item = &'a str>) -> Option<HeaderShape> {
    detect_shape_with(sample, STABLE_SHARE)
}

/// [`detect_shape`] with another stable share.
pub fn detect_shape_with<'a>(
    sample: impl IntoIterator<Item = &'a str>,
    stable_share: f64,
) -> Option<HeaderShape> {
    let mut counts = [[0u32; 16]; MAX_HEADER_TOKENS];
    let mut lines = 0u32;
    let mut toks = [Tok::default(); MAX_HEADER_TOKENS];
    let mut sample_lines = Vec::new();
    let mut memo = KindMemo::default();
    for line in sample {
        if line.trim().is_empty() || line.starts_with([' ', '\t']) {
            continue;
        }
        sample_lines.push(line);
        lines += 1;
        let n = header_tokens(line, &mut toks, &mut memo);
        for (pos, t) in toks[..n].iter().enumerate() {
            counts[pos][t.kind as usize] += 1;
        }
    }
    if lines == 0 {
        return None;
    }
    let mut dominant = Vec::new();
    for row in &counts {
        let (best, &c) = row.iter().enumerate().max_by_key(|&(_, c)| *c)?;
        if f64::from(c) < stable_share * f64::from(lines) {
            break;
        }
        dominant.push(KIND_BY_INDEX[best]);
    }
    let end = header_end(&dominant)?;
    let kinds = dominant[..end].to_vec();
    let comp = (kinds.last() == Some(&Kind::Comp)).then(|| end - 1);
    let shape = HeaderShape { kinds, comp };
    // A "header" that leaves most lines without a message is the message itself.
    let with_content = sample_lines
        .iter()
        .filter(|l| {
            shape
                .split_memo(l, Some(&mut memo))
                .is_some_and(|s| !s.content.is_empty())
        })
        .count();
    (with_content * 2 >= sample_lines.len()).then_some(shape)
}

const KIND_BY_INDEX: [Kind; 16] = [
    Kind::Date,
    Kind::Time,
    Kind::DateTime,
    Kind::Month,
    Kind::Weekday,
    Kind::Epoch,
    Kind::Num,
    Kind::Level,
    Kind::BracketTime,
    Kind::Bracket,
    Kind::Comp,
    Kind::Dash,
    Kind::Id,
    Kind::Word,
    Kind::Other,
    Kind::Other,
];

/// Where the header ends within the stable prefix `d` (see the module docs).
fn header_end(d: &[Kind]) -> Option<usize> {
    if let Some(c) = d.iter().position(|&k| k == Kind::Comp) {
        return Some(c + 1);
    }
    if let Some(l) = d.iter().rposition(|&k| k == Kind::Level) {
        let mut end = l + 1;
        for (j, &k) in d.iter().enumerate().skip(l + 1) {
            match k {
                Kind::Bracket | Kind::Dash => end = j + 1,
                Kind::Id | Kind::Num | Kind::Word => {}
                _ => break,
            }
        }
        return Some(end);
    }
    // A field of another shape (a quoted request, `key=value`) starts the message.
    let stop = d.iter().position(|&k| k == Kind::Other).unwrap_or(d.len());
    let end = d[..stop].iter().rposition(|k| k.is_headerish())? + 1;
    // Without a level or component, only a header holding a timestamp is trusted.
    d[..end].iter().any(|k| k.is_time()).then_some(end)
}

impl HeaderShape {
    /// Splits `line` by this shape, or `None` when the line does not fit it.
    pub fn split<'a>(&self, line: &'a str) -> Option<Split<'a>> {
        self.split_memo(line, None)
    }

    /// [`HeaderShape::split`], classifying tokens through `memo` when given.
    pub(crate) fn split_memo<'a>(
        &self,
        line: &'a str,
        mut memo: Option<&mut KindMemo>,
    ) -> Option<Split<'a>> {
        let mut toks = [Tok::default(); MAX_HEADER_TOKENS + COMP_DRIFT];
        // Tokens are cut as far as needed: the header, the component if it
        // drifted, and the start of the message.
        let drift = if self.comp.is_some() { COMP_DRIFT } else { 1 };
        let want = (self.kinds.len() + drift).min(toks.len());
        let fixed = self.comp.unwrap_or(self.kinds.len());
        let mut spans = Spans::new(line);
        let mut n = 0usize;
        while n < fixed {
            toks[n] = spans.next_tok()?;
            n += 1;
        }
        // Tokens are classified lazily: the first decides most misfits on its own.
        let mut kind_at = |toks: &mut [Tok], i: usize| {
            let tok = &line[toks[i].start..toks[i].end];
            toks[i].kind = match memo.as_deref_mut() {
                Some(m) => m.classify(i, tok),
                None => crate::kind::classify(tok),
            };
            toks[i].kind
        };
        if fixed > 0 {
            let first = kind_at(&mut toks, 0);
            if !kinds_compatible(first, self.kinds[0]) {
                return None;
            }
            let mut matches = usize::from(first == self.kinds[0]);
            for i in 1..fixed {
                matches += usize::from(kind_at(&mut toks, i) == self.kinds[i]);
            }
            if matches * 10 < fixed * 6 {
                return None;
            }
        }
        let mut comp_at = None;
        if let Some(c) = self.comp {
            for i in c..(c + COMP_DRIFT + 1).min(want) {
                if i == n {
                    let Some(t) = spans.next_tok() else { break };
                    toks[n] = t;
                    n += 1;
                }
                if line.as_bytes()[toks[i].end - 1] == b':' {
                    comp_at = Some(i);
                    break;
                }
            }
        }
        let end = comp_at.map_or(fixed, |i| i + 1);
        for i in fixed..end {
            kind_at(&mut toks, i);
        }
        let content_start = if end >= want {
            None
        } else if end < n {
            Some(toks[end].start)
        } else {
            spans.next_start()
        };
        let content = content_start.map_or("", |s| &line[s..]);
        let head = &toks[..end];
        Some(Split {
            content: Cow::Borrowed(content.trim_end()),
            timestamp: timestamp_span(line, head).map(Cow::Borrowed),
            level: head
                .iter()
                .find(|t| t.kind == Kind::Level)
                .and_then(|t| level_of(&line[t.start..t.end])),
            component: comp_at
                .map(|i| Cow::Borrowed(component_name(&line[toks[fixed].start..toks[i].end]))),
        })
    }
}

/// The first token of a line decides whether it is a new record: it must have
/// the expected kind, give or take equivalent shapes.
fn kinds_compatible(got: Kind, want: Kind) -> bool {
    got == want
        || (got.is_time() && want.is_time())
        || (want == Kind::Dash && got == Kind::Word)
        || (matches!(want, Kind::Num | Kind::Id | Kind::Epoch)
            && matches!(got, Kind::Num | Kind::Id | Kind::Epoch))
}

/// `sshd(pam_unix)[19939]:` → `sshd(pam_unix)`; `dfs.DataNode$PacketResponder:` unchanged but the colon.
fn component_name(tok: &str) -> &str {
    let t = tok.trim_end_matches(':').trim_end();
    match t.rfind('[') {
        Some(i) if i > 0 && t.ends_with(']') => &t[..i],
        _ => t,
    }
}

/// The text of the first run of time-like tokens (a number between them counts).
fn timestamp_span<'a>(line: &'a str, toks: &[Tok]) -> Option<&'a str> {
    let first = toks.iter().position(|t| t.kind.is_time())?;
    let mut last = first;
    for (i, t) in toks.iter().enumerate().skip(first + 1) {
        if t.kind.is_time() {
            last = i;
        } else if t.kind == Kind::Num && toks.get(i + 1).is_some_and(|n| n.kind.is_time()) {
            continue;
        } else if t.kind == Kind::Num
            && toks[i - 1].kind.is_time()
            && line[t.start..t.end].len() == 4
        {
            last = i; // a year after the time: `Dec 04 04:47:44 2005`
        } else {
            break;
        }
    }
    Some(&line[toks[first].start..toks[last].end])
}
