//! Features of a log, overall and per window: volume, error and warning rates,
//! latencies, memory signals and template counts.

use serde::{Deserialize, Serialize};

use crate::format::LogFormat;
use crate::lines::lines;
use crate::miner::MinerConfig;
use crate::parse::{LineResult, Parser};
use crate::refine::Templates;
use crate::signals::{self, Signals};
use crate::stream::StreamParser;
use crate::timestamp::parse_millis;

/// How records are cut into windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowSpec {
    /// Consecutive blocks of this many input lines.
    Lines(u64),
    /// Wall-clock buckets of this many seconds (by header timestamps); falls back
    /// to 500-line blocks when the log has no timestamps.
    Seconds(u64),
}

/// One template's counts over the whole input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateStats {
    /// The template text.
    pub template: String,
    /// Records matching it.
    pub records: u64,
    /// Of which errors (level or wording).
    pub errors: u64,
    /// Of which warnings.
    pub warnings: u64,
    /// The first line it matched (at most [`EXAMPLE_CHARS`] characters).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub example: String,
}

/// Longest example line kept per template, in characters.
pub const EXAMPLE_CHARS: usize = 500;

/// Latency values pulled from messages.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyStats {
    /// How many values.
    pub count: u64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// Largest, ms.
    pub max_ms: f64,
}

/// Memory-pressure signals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryStats {
    /// Out-of-memory records.
    pub oom: u64,
    /// Longest GC pause, ms.
    pub gc_pause_max_ms: Option<f64>,
    /// Highest heap/memory usage, percent.
    pub heap_max_pct: Option<f64>,
}

/// Features of one window (or of the whole input).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WindowFeatures {
    /// First input line (1-based).
    pub first_line: u64,
    /// Last input line (1-based).
    pub last_line: u64,
    /// Earliest timestamp, Unix ms.
    pub start_ms: Option<i64>,
    /// Latest timestamp, Unix ms.
    pub end_ms: Option<i64>,
    /// Records (log events).
    pub records: u64,
    /// Error records.
    pub errors: u64,
    /// Warning records.
    pub warnings: u64,
    /// `errors / records`.
    pub error_rate: f64,
    /// `warnings / records`.
    pub warn_rate: f64,
    /// Latencies seen, if any.
    pub latency: Option<LatencyStats>,
    /// Memory signals.
    pub memory: MemoryStats,
    /// `(template index, records)` in this window, most frequent first.
    pub template_counts: Vec<(u32, u64)>,
}

/// The analysis of a whole text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The detected format.
    pub format: LogFormat,
    /// Input lines.
    pub lines: u64,
    /// Templates (indexed by `template_counts`).
    pub templates: Vec<TemplateStats>,
    /// Windows in input order.
    pub windows: Vec<WindowFeatures>,
    /// The whole input as one window.
    pub total: WindowFeatures,
}

struct Rec {
    line: u64,
    ts: Option<i64>,
    sig: u32,
    signals: Signals,
}

/// Parses `text` and computes its features.
pub fn analyze(text: &str, window: WindowSpec) -> Analysis {
    let mut stream = StreamParser::new(MinerConfig::default());
    let mut recs: Vec<Rec> = Vec::new();
    let mut n_lines = 0u64;
    // Results arrive in input order (some later than their line): count them as they come.
    let mut sink = |r: LineResult<'_>| {
        n_lines += 1;
        if let Some(split) = r.split {
            recs.push(Rec {
                line: n_lines,
                ts: split.timestamp.as_deref().and_then(parse_millis),
                sig: r.sig,
                signals: signals::read(&split.content, split.level),
            });
        }
    };
    for line in lines(text) {
        stream.push(line, &mut sink);
    }
    stream.finish(&mut sink);
    let format = stream.main_format();
    let tpl = stream
        .parser()
        .map_or_else(Templates::default, Parser::finish);
    let mut templates: Vec<TemplateStats> = tpl
        .texts
        .iter()
        .map(|t| TemplateStats {
            template: t.clone(),
            records: 0,
            errors: 0,
            warnings: 0,
            example: String::new(),
        })
        .collect();
    // The input line each template first matched (1-based); its text is read in one more pass.
    let mut first_line = vec![u64::MAX; templates.len()];
    for r in &recs {
        let i = tpl.of_sig[r.sig as usize] as usize;
        let t = &mut templates[i];
        t.records += 1;
        t.errors += u64::from(r.signals.is_error());
        t.warnings += u64::from(r.signals.is_warn());
        first_line[i] = first_line[i].min(r.line);
    }
    let mut wanted: Vec<(u64, usize)> = first_line
        .iter()
        .enumerate()
        .filter(|(_, l)| **l != u64::MAX)
        .map(|(i, l)| (*l, i))
        .collect();
    wanted.sort_unstable();
    let mut next = wanted.iter().peekable();
    for (n, line) in (1u64..).zip(lines(text)) {
        while let Some(&&(at, i)) = next.peek() {
            if at != n {
                break;
            }
            templates[i].example = line.chars().take(EXAMPLE_CHARS).collect();
            next.next();
        }
        if next.peek().is_none() {
            break;
        }
    }
    let of = |r: &Rec| tpl.of_sig[r.sig as usize];
    let has_ts = recs.iter().any(|r| r.ts.is_some());
    let mut windows: Vec<WindowFeatures> = Vec::new();
    let mut start = 0usize;
    let bucket_of = |r: &Rec, last: &mut Option<i64>| -> i64 {
        match window {
            WindowSpec::Seconds(s) if has_ts => {
                if let Some(t) = r.ts {
                    *last = Some(t.div_euclid(s.max(1) as i64 * 1000));
                }
                last.unwrap_or(0)
            }
            WindowSpec::Lines(n) => ((r.line - 1) / n.max(1)) as i64,
            WindowSpec::Seconds(_) => ((r.line - 1) / 500) as i64,
        }
    };
    let mut last_bucket = None;
    let buckets: Vec<i64> = recs
        .iter()
        .map(|r| bucket_of(r, &mut last_bucket))
        .collect();
    for i in 1..=recs.len() {
        if i == recs.len() || buckets[i] != buckets[start] {
            windows.push(summarise(&recs[start..i], &of));
            start = i;
        }
    }
    let mut total = summarise(&recs, &of);
    total.first_line = 1.min(n_lines);
    total.last_line = n_lines;
    Analysis {
        format,
        lines: n_lines,
        templates,
        windows,
        total,
    }
}

fn summarise(recs: &[Rec], of: &dyn Fn(&Rec) -> u32) -> WindowFeatures {
    let mut w = WindowFeatures {
        first_line: recs.first().map_or(0, |r| r.line),
        last_line: recs.last().map_or(0, |r| r.line),
        ..WindowFeatures::default()
    };
    let mut lat: Vec<f64> = Vec::new();
    let mut counts: crate::hash::FxMap<u32, u64> = Default::default();
    for r in recs {
        w.records += 1;
        w.errors += u64::from(r.signals.is_error());
        w.warnings += u64::from(r.signals.is_warn());
        if let Some(t) = r.ts {
            w.start_ms = Some(w.start_ms.map_or(t, |s| s.min(t)));
            w.end_ms = Some(w.end_ms.map_or(t, |e| e.max(t)));
        }
        lat.extend(r.signals.latency_ms);
        let m = &mut w.memory;
        m.oom += u64::from(r.signals.oom);
        m.gc_pause_max_ms = max_opt(m.gc_pause_max_ms, r.signals.gc_pause_ms);
        m.heap_max_pct = max_opt(m.heap_max_pct, r.signals.heap_pct);
        *counts.entry(of(r)).or_default() += 1;
    }
    if w.records > 0 {
        w.error_rate = w.errors as f64 / w.records as f64;
        w.warn_rate = w.warnings as f64 / w.records as f64;
    }
    if !lat.is_empty() {
        lat.sort_by(f64::total_cmp);
        let q = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
        w.latency = Some(LatencyStats {
            count: lat.len() as u64,
            p50_ms: q(0.5),
            p95_ms: q(0.95),
            max_ms: lat[lat.len() - 1],
        });
    }
    let mut tc: Vec<(u32, u64)> = counts.into_iter().collect();
    tc.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    w.template_counts = tc;
    w
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}
