//! Sage's log engine: parse any pasted log, mine its templates, measure it per
//! window and score its risk.
//!
//! * [`LogFormat::detect`] infers the line format (JSON lines, logfmt, or a
//!   positional header of timestamp / level / component fields) from a sample.
//! * [`Parser`] splits lines into records (joining continuation lines) and mines
//!   templates online; [`StreamParser`] wraps it, detecting the format from the
//!   first lines and again where a paste changes format; [`parse_text`] and
//!   [`parse_reader`] run the whole pipeline.
//! * [`ingest::Decoder`] turns an upload's body (text or NDJSON, possibly gzip),
//!   pushed chunk by chunk, into lines, with bounded memory and a size limit.
//! * [`features`] and [`score`] turn parsed records into a 0–100 risk score with
//!   labels and explanations.
//!
//! The engine has no I/O of its own beyond `Read`/`BufRead` and no web framework.

pub mod features;
pub mod format;
pub mod hash;
pub mod header;
pub mod ingest;
pub mod kind;
pub mod lines;
pub mod mask;
mod memo;
pub mod miner;
pub mod parse;
pub mod refine;
pub mod score;
pub mod signals;
mod signature;
pub mod stream;
pub mod timestamp;

use serde::{Deserialize, Serialize};

pub use features::{Analysis, TemplateStats, WindowFeatures, WindowSpec, analyze};
pub use format::LogFormat;
pub use header::Split;
pub use mask::MaskConfig;
pub use miner::{Miner, MinerConfig};
pub use parse::{
    LineResult, ParseOutput, Parser, TemplateCount, parse_reader, parse_text, parse_text_with,
};
pub use score::{
    Baseline, Factor, Label, ScoreInput, ScoreReport, score, score_analysed, score_analysis,
    score_at,
};
pub use stream::{FormatSpan, StreamParser};

/// A normalised severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Debug, trace, verbose.
    Debug,
    /// Info, notice.
    Info,
    /// Warning.
    Warn,
    /// Error, severe.
    Error,
    /// Fatal, critical, panic, emergency.
    Fatal,
}
