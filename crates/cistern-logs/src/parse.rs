//! The parse pipeline: lines → records (header + message, continuation lines
//! joined) → signatures → templates.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::format::{LogFormat, SAMPLE_LINES};
use crate::header::Split;
use crate::lines::{LineReader, lines};
use crate::miner::{Miner, MinerConfig, SigId};
use crate::refine::Templates;

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

    /// Feeds one line (without its newline).
    pub fn push<'a>(&mut self, line: &'a str) -> LineResult<'a> {
        self.lines += 1;
        let split = if line.starts_with([' ', '\t']) || line.is_empty() {
            None
        } else {
            self.format.split(line)
        };
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
        if line.trim().is_empty() || line.starts_with([' ', '\t']) {
            return true;
        }
        if ["at ", "Caused by:", "... ", "Traceback ", "File \""]
            .iter()
            .any(|p| line.starts_with(p))
        {
            return true;
        }
        // In a timestamped log, a line without the header belongs to the record above.
        !fits && self.has_timestamp
    }

    /// Ends the stream: final templates and the signature → template map.
    pub fn finish(&self) -> Templates {
        Templates::build(&self.miner)
    }
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
    /// The detected format.
    pub format: LogFormat,
    /// Templates, most frequent first.
    pub templates: Vec<TemplateCount>,
    /// For every input line (index = LineId − 1), the index into `templates`.
    pub line_templates: Vec<u32>,
}

/// Parses a whole text: detects the format from its first lines, then mines templates.
pub fn parse_text(text: &str) -> ParseOutput {
    let format = LogFormat::detect(lines(text).take(SAMPLE_LINES));
    let mut parser = Parser::new(format, MinerConfig::default());
    let mut per_line: Vec<(SigId, bool)> = Vec::new();
    for line in lines(text) {
        let r = parser.push(line);
        per_line.push((r.sig, r.continuation));
    }
    collect(parser, per_line)
}

/// Parses a stream (plain or gzip) with bounded memory per line.
pub fn parse_reader<R: BufRead>(reader: R) -> io::Result<ParseOutput> {
    let mut lr = LineReader::new(crate::lines::maybe_gunzip(reader)?);
    let mut head: Vec<String> = Vec::new();
    while head.len() < SAMPLE_LINES {
        match lr.next_line()? {
            Some(l) => head.push(l.to_owned()),
            None => break,
        }
    }
    let format = LogFormat::detect(head.iter().map(String::as_str));
    let mut parser = Parser::new(format, MinerConfig::default());
    let mut per_line = Vec::new();
    for l in &head {
        let r = parser.push(l);
        per_line.push((r.sig, r.continuation));
    }
    while let Some(l) = lr.next_line()? {
        let r = parser.push(l);
        per_line.push((r.sig, r.continuation));
    }
    Ok(collect(parser, per_line))
}

fn collect(parser: Parser, per_line: Vec<(SigId, bool)>) -> ParseOutput {
    let templates = parser.finish();
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
        format: parser.format,
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
