//! The parse pipeline: lines → records (header + message, continuation lines
//! joined) → signatures → templates.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::format::LogFormat;
use crate::header::{KindMemo, Split};
use crate::lines::{LineReader, lines};
use crate::miner::{Miner, MinerConfig, SigId};
use crate::refine::Templates;
use crate::stream::StreamParser;

/// What the parser made of one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineResult<'a> {
    /// Signature of the record this line belongs to.
    pub sig: SigId,
    /// Whether the line continues the previous record (stack trace, indented text).
    pub continuation: bool,
    /// Header fields and message of a record's first line; `None` for continuations.
    pub split: Option<Split<'a>>,
}

/// A streaming parser for one log (one format).
#[derive(Debug)]
pub struct Parser {
    format: LogFormat,
    miner: Miner,
    current: Option<SigId>,
    has_timestamp: bool,
    lines: u64,
    records: u64,
    /// Kinds of recent header tokens.
    memo: KindMemo,
}

impl Parser {
    /// Creates a parser for a known format.
    pub fn new(format: LogFormat, config: MinerConfig) -> Self {
        Self {
            has_timestamp: matches!(format, LogFormat::Header(_)) && format.has_timestamp(),
            format,
            miner: Miner::new(config),
            current: None,
            lines: 0,
            records: 0,
            memo: KindMemo::default(),
        }
    }

    /// The format lines are split with.
    pub fn format(&self) -> &LogFormat {
        &self.format
    }

    /// The miner (current clusters).
    pub fn miner(&self) -> &Miner {
        &self.miner
    }

    /// Lines and records seen so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.lines, self.records)
    }

    /// Switches to another format for the lines that follow (templates learned so far are kept).
    pub fn set_format(&mut self, format: LogFormat) {
        self.has_timestamp = matches!(format, LogFormat::Header(_)) && format.has_timestamp();
        self.format = format;
    }

    /// Feeds one line (without its newline).
    pub fn push<'a>(&mut self, line: &'a str) -> LineResult<'a> {
        let split = self.split_line(line);
        self.push_split(line, split)
    }

    /// The header split of `line` by the current format; `None` for an indented or
    /// blank line and for a line that does not fit the format.
    pub(crate) fn split_line<'a>(&mut self, line: &'a str) -> Option<Split<'a>> {
        if line.starts_with([' ', '\t']) || line.is_empty() {
            None
        } else {
            self.format.split_memo(line, Some(&mut self.memo))
        }
    }

    /// [`Parser::push`] with the split already computed by [`Parser::split_line`].
    pub(crate) fn push_split<'a>(
        &mut self,
        line: &'a str,
        split: Option<Split<'a>>,
    ) -> LineResult<'a> {
        self.lines += 1;
        if let Some(sig) = self.current
            && self.is_continuation(line, split.is_some())
        {
            return LineResult {
                sig,
                continuation: true,
                split: None,
            };
        }
        let split = split.unwrap_or_else(|| Split {
            content: line.trim().into(),
            ..Split::default()
        });
        let sig = self.miner.add(&split.content);
        self.current = Some(sig);
        self.records += 1;
        LineResult {
            sig,
            continuation: false,
            split: Some(split),
        }
    }

    /// Whether `line` continues the current record; `fits` says whether it matched the format.
    fn is_continuation(&self, line: &str, fits: bool) -> bool {
        looks_like_continuation(line) || (!fits && self.has_timestamp)
    }

    /// Ends the stream: final templates and the signature → template map.
    pub fn finish(&self) -> Templates {
        Templates::build(&self.miner)
    }
}

/// Whether `line` reads as the continuation of a record whatever the format: blank,
/// indented, or the start of a stack frame (`at `, `Caused by:`, `... N more`, `Traceback`).
pub(crate) fn looks_like_continuation(line: &str) -> bool {
    line.trim().is_empty()
        || line.starts_with([' ', '\t'])
        || ["at ", "Caused by:", "... ", "Traceback ", "File \""]
            .iter()
            .any(|p| line.starts_with(p))
}

/// One mined template with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCount {
    /// Stable id within one parse, `E1`, `E2`… in order of first appearance.
    pub event_id: String,
    /// The template, variables as `<*>`.
    pub template: String,
    /// Records (log events) matching it.
    pub records: u64,
    /// Input lines it covers (records plus their continuation lines).
    pub lines: u64,
}

/// The result of parsing a whole text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseOutput {
    /// The detected format (the one that parsed the most lines when the input changes format).
    pub format: LogFormat,
    /// Templates, most frequent first.
    pub templates: Vec<TemplateCount>,
    /// For every input line (index = LineId − 1), the index into `templates`.
    pub line_templates: Vec<u32>,
}

/// Parses a whole text: detects the format from its first lines (and again
/// wherever it changes, see [`StreamParser`]), then mines templates.
pub fn parse_text(text: &str) -> ParseOutput {
    parse_text_with(text, MinerConfig::default())
}

/// [`parse_text`] with other tunables (for measuring them; the default is the one configuration).
pub fn parse_text_with(text: &str, config: MinerConfig) -> ParseOutput {
    let mut stream = StreamParser::new(config);
    let mut per_line: Vec<(SigId, bool)> = Vec::new();
    let mut sink = |r: LineResult<'_>| per_line.push((r.sig, r.continuation));
    for line in lines(text) {
        stream.push(line, &mut sink);
    }
    stream.finish(&mut sink);
    collect(stream, per_line)
}

/// Parses a stream (plain or gzip) with bounded memory per line.
pub fn parse_reader<R: BufRead>(reader: R) -> io::Result<ParseOutput> {
    let mut lr = LineReader::new(crate::lines::maybe_gunzip(reader)?);
    let mut stream = StreamParser::new(MinerConfig::default());
    let mut per_line: Vec<(SigId, bool)> = Vec::new();
    let mut sink = |r: LineResult<'_>| per_line.push((r.sig, r.continuation));
    while let Some(l) = lr.next_line()? {
        stream.push(l, &mut sink);
    }
    stream.finish(&mut sink);
    Ok(collect(stream, per_line))
}

fn collect(stream: StreamParser, per_line: Vec<(SigId, bool)>) -> ParseOutput {
    let format = stream.main_format();
    let templates = stream
        .parser()
        .map_or_else(Templates::default, Parser::finish);
    // Event ids in order of first appearance, so ids are stable for a given input.
    let mut order: Vec<Option<u32>> = vec![None; templates.texts.len()];
    let mut out: Vec<TemplateCount> = Vec::new();
    let mut line_templates = Vec::with_capacity(per_line.len());
    for &(sig, cont) in &per_line {
        let t = templates.of_sig[sig as usize] as usize;
        let slot = *order[t].get_or_insert_with(|| {
            out.push(TemplateCount {
                event_id: format!("E{}", out.len() + 1),
                template: templates.texts[t].clone(),
                records: 0,
                lines: 0,
            });
            (out.len() - 1) as u32
        });
        let tc = &mut out[slot as usize];
        tc.lines += 1;
        if !cont {
            tc.records += 1;
        }
        line_templates.push(slot);
    }
    // Most frequent first; rows keep pointing at the right entries.
    let mut idx: Vec<u32> = (0..out.len() as u32).collect();
    idx.sort_by(|&a, &b| {
        out[b as usize]
            .records
            .cmp(&out[a as usize].records)
            .then(a.cmp(&b))
    });
    let mut rank = vec![0u32; out.len()];
    for (r, &i) in idx.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    let sorted = idx.iter().map(|&i| out[i as usize].clone()).collect();
    for t in &mut line_templates {
        *t = rank[*t as usize];
    }
    ParseOutput {
        format,
        templates: sorted,
        line_templates,
    }
}

impl ParseOutput {
    /// Writes `LineId,EventId,EventTemplate` rows (LineId 1-based), the format `evaluate.py` scores.
    pub fn write_csv<W: Write>(&self, mut w: W) -> io::Result<()> {
        writeln!(w, "LineId,EventId,EventTemplate")?;
        for (i, &t) in self.line_templates.iter().enumerate() {
            let tc = &self.templates[t as usize];
            writeln!(w, "{},{},{}", i + 1, tc.event_id, csv_field(&tc.template))?;
        }
        Ok(())
    }
}

/// Quotes a CSV field when needed (RFC 4180).
pub fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}
