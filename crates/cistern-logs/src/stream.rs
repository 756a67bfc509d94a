//! A parser that follows format changes within one stream.
//!
//! Users paste whatever they have: an nginx access log followed by a Java
//! application log, two services' logs one after the other. [`Parser`] splits
//! every line with one format, so after such a change every line would miss the
//! header and — in a timestamped log — be joined to the last record as a
//! continuation. [`StreamParser`] wraps it and watches for that:
//!
//! 1. The format is detected from the first [`SAMPLE_LINES`] lines or
//!    [`SAMPLE_BYTES`] bytes (held back until then).
//! 2. A line that misses the current format and does not read as a
//!    continuation (blank, indented, a stack frame) is a *misfit*; misfits are
//!    held back. A line that fits releases them, unchanged in meaning.
//! 3. After [`ARM_AFTER`] misfits in a row, up to [`RECHECK_LINES`] lines are
//!    collected and the format is detected again on them. If another format
//!    fits most of them and the current one few, the parser switches at the
//!    first misfit it fits; the held lines are then parsed with the new format.
//! 4. A re-check that does not switch starts a cool-down (doubling up to
//!    [`MAX_COOLDOWN`] lines) during which misfits are not held back, so a log
//!    with many genuine misfits pays for detection rarely.
//!
//! Under [`LogFormat::Plain`] every line fits; a line that *starts* like a
//! structured record (a timestamp or a JSON object) counts as a misfit there.
//!
//! Results come out in input order, possibly later than their line was pushed.
//! Memory held back is bounded: about [`SAMPLE_BYTES`] for the first sample,
//! then at most [`RECHECK_LINES`] lines and about [`RECHECK_BYTES`] bytes —
//! plus one line, itself capped at [`crate::lines::MAX_LINE_BYTES`].

use std::collections::VecDeque;

use crate::format::{LogFormat, SAMPLE_LINES};
use crate::header::{KindMemo, Split};
use crate::kind::classify;
use crate::miner::MinerConfig;
use crate::parse::{LineResult, Parser, looks_like_continuation};

/// Bytes of the first detection sample at most (with very long lines, fewer than
/// [`SAMPLE_LINES`] lines are held).
pub const SAMPLE_BYTES: usize = 1024 * 1024;
/// Misfits in a row that trigger a re-check.
pub const ARM_AFTER: usize = 3;
/// Lines collected for a re-check: the sample size of the first detection
/// (smaller samples make header detection less reliable).
pub const RECHECK_LINES: usize = SAMPLE_LINES;
/// Bytes collected for a re-check (whichever of lines and bytes comes first).
pub const RECHECK_BYTES: usize = 256 * 1024;
/// First cool-down after a re-check that kept the format, in lines.
const FIRST_COOLDOWN: u64 = 1000;
/// Longest cool-down, in lines.
pub const MAX_COOLDOWN: u64 = 1 << 20;
/// Share of a re-check sample's record lines the new format must fit.
const NEW_FITS: f64 = 0.6;
/// Share of a re-check sample's record lines the old format may fit at most.
const OLD_FITS: f64 = 0.3;

/// Where a format took effect: the 0-based index of its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpan {
    /// Index (0-based) of the first line parsed with this format.
    pub first_line: u64,
    /// Lines parsed with it.
    pub lines: u64,
    /// The format.
    pub format: LogFormat,
}

/// A [`Parser`] that detects the format itself and re-detects it when lines stop fitting.
#[derive(Debug)]
pub struct StreamParser {
    parser: Option<Parser>,
    config: MinerConfig,
    /// Lines not yet handed to the parser (the initial sample, or held misfits).
    pending: VecDeque<Held>,
    pending_bytes: usize,
    /// Misfits in a row at the end of `pending`.
    misfits: usize,
    /// A re-check is due once `pending` is full.
    armed: bool,
    /// Lines pushed so far.
    seen: u64,
    /// No holding back before this line (cool-down after a re-check that kept the format).
    quiet_until: u64,
    cooldown: u64,
    spans: Vec<FormatSpan>,
}

impl StreamParser {
    /// Creates a stream parser; the format is detected from the first lines.
    pub fn new(config: MinerConfig) -> Self {
        Self {
            parser: None,
            config,
            pending: VecDeque::new(),
            pending_bytes: 0,
            misfits: 0,
            armed: false,
            seen: 0,
            quiet_until: 0,
            cooldown: FIRST_COOLDOWN,
            spans: Vec::new(),
        }
    }

    /// Creates a stream parser starting with a known format (re-detection still applies).
    pub fn with_format(format: LogFormat, config: MinerConfig) -> Self {
        let mut s = Self::new(config);
        s.start(format);
        s
    }

    /// The inner parser, once the format is known.
    pub fn parser(&self) -> Option<&Parser> {
        self.parser.as_ref()
    }

    /// The formats used so far, in order (more than one when the stream changed format).
    pub fn formats(&self) -> &[FormatSpan] {
        &self.spans
    }

    /// The format that parsed the most lines (the first one on a tie); `Plain` before any.
    pub fn main_format(&self) -> LogFormat {
        let mut best: Option<&FormatSpan> = None;
        for s in &self.spans {
            if best.is_none_or(|b| s.lines > b.lines) {
                best = Some(s);
            }
        }
        best.map_or(LogFormat::Plain, |s| s.format.clone())
    }

    /// Feeds one line (without its newline). `sink` receives the results of
    /// this and earlier held-back lines, in input order.
    pub fn push<F>(&mut self, line: &str, sink: &mut F)
    where
        F: for<'l> FnMut(LineResult<'l>),
    {
        self.seen += 1;
        let Some(parser) = self.parser.as_mut() else {
            self.hold(line, false);
            if self.pending.len() >= SAMPLE_LINES || self.pending_bytes >= SAMPLE_BYTES {
                self.detect_initial(sink);
            }
            return;
        };
        let split = parser.split_line(line);
        let (fits, misfit) = fit(parser.format(), line, &split);
        if self.pending.is_empty() {
            if !misfit || self.seen <= self.quiet_until {
                self.deliver(line, split, sink);
            } else {
                self.hold(line, fits);
                self.misfits = 1;
            }
            return;
        }
        if !self.armed && !misfit && !looks_like_continuation(line) {
            // The format resumed: the held lines were ordinary misfits.
            self.flush(sink);
            self.deliver(line, split, sink);
            return;
        }
        self.hold(line, fits);
        if misfit {
            self.misfits += 1;
            self.armed |= self.misfits >= ARM_AFTER;
        }
        if self.armed
            && (self.pending.len() >= RECHECK_LINES || self.pending_bytes >= RECHECK_BYTES)
        {
            self.recheck(sink);
        }
    }

    /// Ends the stream: parses every held line (re-checking the format first when due).
    pub fn finish<F>(&mut self, sink: &mut F)
    where
        F: for<'l> FnMut(LineResult<'l>),
    {
        if self.parser.is_none() {
            if self.pending.is_empty() {
                return;
            }
            self.detect_initial(sink);
        }
        if self.armed {
            self.recheck(sink);
        }
        self.flush(sink);
    }

    /// The inner parser (`None` when no line was pushed) and the format spans;
    /// call after [`StreamParser::finish`].
    pub fn into_parts(self) -> (Option<Parser>, Vec<FormatSpan>) {
        (self.parser, self.spans)
    }

    fn deliver<'l, F>(&mut self, line: &'l str, split: Option<Split<'l>>, sink: &mut F)
    where
        F: for<'m> FnMut(LineResult<'m>),
    {
        if let Some(p) = self.parser.as_mut() {
            let r = p.push_split(line, split);
            if let Some(s) = self.spans.last_mut() {
                s.lines += 1;
            }
            sink(r);
        }
    }

    fn hold(&mut self, line: &str, fits: bool) {
        self.pending_bytes += line.len();
        self.pending.push_back(Held {
            line: line.to_owned(),
            fits,
        });
    }

    /// Uses `format` from the next line handed to the parser on.
    fn start(&mut self, format: LogFormat) {
        let first_line = self.parser.as_ref().map_or(0, |p| p.counts().0);
        self.spans.push(FormatSpan {
            first_line,
            lines: 0,
            format: format.clone(),
        });
        match self.parser.as_mut() {
            Some(p) => p.set_format(format),
            None => self.parser = Some(Parser::new(format, self.config)),
        }
    }

    fn detect_initial<F>(&mut self, sink: &mut F)
    where
        F: for<'l> FnMut(LineResult<'l>),
    {
        self.start(LogFormat::detect_with(
            self.pending.iter().map(|h| h.line.as_str()),
            self.config.header_share,
        ));
        // The sample itself may hold a change of format: replay it through the misfit logic.
        self.replay(sink);
    }

    /// Pushes the held lines again (the format changed under them).
    fn replay<F>(&mut self, sink: &mut F)
    where
        F: for<'l> FnMut(LineResult<'l>),
    {
        let held = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        self.misfits = 0;
        self.armed = false;
        self.seen -= held.len() as u64;
        for h in &held {
            self.push(&h.line, sink);
        }
    }

    /// Parses every held line with the current format.
    fn flush<F>(&mut self, sink: &mut F)
    where
        F: for<'l> FnMut(LineResult<'l>),
    {
        let held = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        self.misfits = 0;
        self.armed = false;
        for h in &held {
            let split = self.parser.as_mut().and_then(|p| p.split_line(&h.line));
            self.deliver(&h.line, split, sink);
        }
    }

    /// Detects the format of the held lines; switches when another format fits them much better.
    fn recheck<F>(&mut self, sink: &mut F)
    where
        F: for<'l> FnMut(LineResult<'l>),
    {
        let Some(current) = self.parser.as_ref().map(|p| p.format().clone()) else {
            return;
        };
        let candidate = LogFormat::detect_with(
            self.pending.iter().map(|h| h.line.as_str()),
            self.config.header_share,
        );
        let switch_at = if candidate == current {
            None
        } else {
            switch_point(&self.pending, &candidate)
        };
        let Some(at) = switch_at else {
            self.flush(sink);
            self.quiet_until = self.seen + self.cooldown;
            self.cooldown = (self.cooldown * 2).min(MAX_COOLDOWN);
            return;
        };
        // Lines before the switch point stay with the old format.
        let rest = self.pending.split_off(at);
        self.flush(sink);
        self.pending = rest;
        self.start(candidate);
        self.cooldown = FIRST_COOLDOWN;
        self.quiet_until = 0;
        self.replay(sink);
    }
}

/// A line held back, and whether it fitted the format in use when it came.
#[derive(Debug)]
struct Held {
    line: String,
    fits: bool,
}

/// Whether `line` fits `format`, and whether it is a misfit: misses the format
/// without reading as a continuation.
fn fit(format: &LogFormat, line: &str, split: &Option<Split<'_>>) -> (bool, bool) {
    match format {
        LogFormat::Plain => {
            let structured = starts_structured(line);
            (!structured, structured)
        }
        _ => (
            split.is_some(),
            split.is_none() && !looks_like_continuation(line),
        ),
    }
}

/// Whether a line starts like a structured record: a JSON object or a timestamp.
fn starts_structured(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(b'{') => true,
        Some(c) if c.is_ascii_alphanumeric() || *c == b'[' => {
            let first = line.split_ascii_whitespace().next().unwrap_or("");
            classify(first).is_time()
        }
        _ => false,
    }
}

/// Where to switch to `new` within `held`: the first record line `new` fits,
/// when `new` fits most record lines of `held` and the format in use few.
fn switch_point(held: &VecDeque<Held>, new: &LogFormat) -> Option<usize> {
    let mut memo = KindMemo::default();
    let mut fits_new = |l: &str| match new {
        LogFormat::Plain => !starts_structured(l),
        _ => new.split_memo(l, Some(&mut memo)).is_some(),
    };
    let (mut records, mut old, mut fresh) = (0usize, 0usize, 0usize);
    let mut first_new = None;
    for (i, h) in held.iter().enumerate() {
        if looks_like_continuation(&h.line) {
            continue;
        }
        records += 1;
        old += usize::from(h.fits);
        if fits_new(&h.line) {
            fresh += 1;
            first_new.get_or_insert(i);
        }
    }
    let share = |n: usize| n as f64 / records.max(1) as f64;
    if records == 0 || share(fresh) < NEW_FITS || share(old) > OLD_FITS {
        return None;
    }
    first_new
}
