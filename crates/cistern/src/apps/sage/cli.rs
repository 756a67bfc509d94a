//! `cistern logs parse FILE` and `cistern logs score FILE`: the log engine from a terminal.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use cistern_logs::{ParseOutput, ScoreInput};
use indicatif::{ProgressBar, ProgressStyle};

/// How `logs parse` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParseOutputFormat {
    /// Templates with their counts, most frequent first.
    Table,
    /// The format and templates as one JSON document.
    Json,
    /// `LineId,EventId,EventTemplate`, one row per input line (loghub's `evaluate.py` input).
    Csv,
}

/// Files above this size get a progress bar when stderr is a terminal.
const PROGRESS_BYTES: u64 = 8 * 1024 * 1024;

/// Parses `path` (plain or gzip; `-` reads stdin) and writes the result to `out`.
pub fn parse(path: &Path, format: ParseOutputFormat, out: &mut impl Write) -> anyhow::Result<()> {
    let parsed = if path == Path::new("-") {
        cistern_logs::parse_reader(std::io::stdin().lock())
    } else {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size >= PROGRESS_BYTES && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(size).with_style(
                ProgressStyle::with_template(
                    "{spinner} parsing [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let result = cistern_logs::parse_reader(BufReader::new(bar.wrap_read(file)));
            bar.finish_and_clear();
            result
        } else {
            cistern_logs::parse_reader(BufReader::new(file))
        }
    }
    .with_context(|| format!("cannot read {}", path.display()))?;
    match format {
        ParseOutputFormat::Table => write_table(&parsed, out)?,
        ParseOutputFormat::Json => {
            let doc = serde_json::json!({
                "format": parsed.format,
                "lines": parsed.line_templates.len(),
                "templates": parsed.templates,
            });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        ParseOutputFormat::Csv => parsed.write_csv(&mut *out)?,
    }
    Ok(())
}

fn write_table(parsed: &ParseOutput, out: &mut impl Write) -> anyhow::Result<()> {
    let records: u64 = parsed.templates.iter().map(|t| t.records).sum();
    writeln!(
        out,
        "{} lines, {records} records, {} templates (format: {})",
        parsed.line_templates.len(),
        parsed.templates.len(),
        describe(&parsed.format),
    )?;
    writeln!(
        out,
        "{:>9}  {:>9}  {:<6}  TEMPLATE",
        "RECORDS", "LINES", "EVENT"
    )?;
    for t in &parsed.templates {
        writeln!(
            out,
            "{:>9}  {:>9}  {:<6}  {}",
            t.records, t.lines, t.event_id, t.template
        )?;
    }
    Ok(())
}

/// A one-line description of a detected format: `json`, `logfmt`, `plain`, or the header's fields.
fn describe(format: &cistern_logs::LogFormat) -> String {
    let value = serde_json::to_value(format).unwrap_or_default();
    match value.get("kinds").and_then(|k| k.as_array()) {
        Some(kinds) => {
            let fields: Vec<&str> = kinds.iter().filter_map(|k| k.as_str()).collect();
            format!("header {}", fields.join(" "))
        }
        None => value
            .get("type")
            .and_then(|t| t.as_str())
            .or(value.as_str())
            .unwrap_or("plain")
            .to_lowercase(),
    }
}

/// Whether `error` is a closed stdout (`cistern logs parse big.log | head`): not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Scores the whole of `path` (`-` reads stdin) and prints the report: a summary, or JSON.
pub fn score(path: &Path, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let logs = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin().lock())
    } else {
        std::fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }
    .with_context(|| format!("cannot read {}", path.display()))?;
    let report = cistern_logs::score(&ScoreInput {
        logs,
        ..ScoreInput::default()
    });
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    let labels: Vec<String> = report
        .labels
        .iter()
        .map(|l| {
            serde_json::to_string(l)
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    writeln!(
        out,
        "risk score: {}/100 over {} records",
        report.score, report.records
    )?;
    if !labels.is_empty() {
        writeln!(out, "labels: {}", labels.join(", "))?;
    }
    for f in &report.factors {
        writeln!(out, "  {:>5.1} pts  {}", f.points, f.detail)?;
    }
    Ok(())
}
