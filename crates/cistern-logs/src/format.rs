//! The line format of a log: JSON lines, logfmt (`key=value`), a positional
//! header (syslog, Log4j, logcat, Apache…), or plain text.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::Level;
use crate::header::{HeaderShape, KindMemo, STABLE_SHARE, Split, detect_shape_with};
use crate::kind::level_of;

/// How many lines [`LogFormat::detect`] looks at.
pub const SAMPLE_LINES: usize = 400;

/// The detected format of a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LogFormat {
    /// One JSON object per line; the message is in `msg`/`message`/`log`.
    Json,
    /// `key=value` pairs (logfmt); the message is in `msg`/`message`.
    Logfmt,
    /// A positional header followed by free text.
    Header(HeaderShape),
    /// No header recognised: the whole line is the message.
    Plain,
}

impl LogFormat {
    /// Detects the format from up to [`SAMPLE_LINES`] sample lines.
    pub fn detect<'a>(sample: impl IntoIterator<Item = &'a str>) -> LogFormat {
        Self::detect_with(sample, STABLE_SHARE)
    }

    /// [`LogFormat::detect`] with another stable share for header positions.
    pub fn detect_with<'a>(
        sample: impl IntoIterator<Item = &'a str>,
        header_share: f64,
    ) -> LogFormat {
        let lines: Vec<&str> = sample
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .take(SAMPLE_LINES)
            .collect();
        if lines.is_empty() {
            return LogFormat::Plain;
        }
        let share = |n: usize| n * 10 >= lines.len() * 6;
        if share(lines.iter().filter(|l| json_split(l).is_some()).count()) {
            return LogFormat::Json;
        }
        if share(lines.iter().filter(|l| is_logfmt(l)).count()) {
            return LogFormat::Logfmt;
        }
        match detect_shape_with(lines.iter().copied(), header_share) {
            Some(shape) => LogFormat::Header(shape),
            None => LogFormat::Plain,
        }
    }

    /// Splits one line into header fields and message; `None` when the line does
    /// not have this format (a continuation line, or a stray line of another format).
    pub fn split<'a>(&self, line: &'a str) -> Option<Split<'a>> {
        self.split_memo(line, None)
    }

    /// [`LogFormat::split`], classifying header tokens through `memo` when given.
    pub(crate) fn split_memo<'a>(
        &self,
        line: &'a str,
        memo: Option<&mut KindMemo>,
    ) -> Option<Split<'a>> {
        match self {
            LogFormat::Json => json_split(line),
            LogFormat::Logfmt => logfmt_split(line),
            LogFormat::Header(shape) => shape.split_memo(line, memo),
            LogFormat::Plain => Some(Split {
                content: Cow::Borrowed(line.trim()),
                ..Split::default()
            }),
        }
    }

    /// Whether records of this format carry a timestamp in their header.
    pub fn has_timestamp(&self) -> bool {
        match self {
            LogFormat::Header(shape) => shape.kinds.iter().any(|k| k.is_time()),
            LogFormat::Json | LogFormat::Logfmt => true,
            LogFormat::Plain => false,
        }
    }
}

const MSG_KEYS: &[&str] = &["msg", "message", "log", "text", "event", "short_message"];
const LEVEL_KEYS: &[&str] = &[
    "level",
    "lvl",
    "severity",
    "loglevel",
    "log.level",
    "levelname",
];
const TIME_KEYS: &[&str] = &[
    "time",
    "ts",
    "timestamp",
    "@timestamp",
    "datetime",
    "date",
    "t",
];
const COMP_KEYS: &[&str] = &[
    "logger",
    "component",
    "module",
    "name",
    "target",
    "caller",
    "source",
];

fn json_split(line: &str) -> Option<Split<'_>> {
    let t = line.trim();
    if !t.starts_with('{') {
        return None;
    }
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(t).ok()?;
    let get = |keys: &[&str]| keys.iter().find_map(|k| map.get(*k));
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let content = get(MSG_KEYS).map_or_else(|| t.to_owned(), text);
    let level = get(LEVEL_KEYS).and_then(|v| match v {
        serde_json::Value::String(s) => level_of(s),
        serde_json::Value::Number(n) => n.as_u64().map(numeric_level),
        _ => None,
    });
    Some(Split {
        content: Cow::Owned(content),
        timestamp: get(TIME_KEYS).map(|v| Cow::Owned(text(v))),
        level,
        component: get(COMP_KEYS).map(|v| Cow::Owned(text(v))),
    })
}

/// Bunyan/pino numeric levels (10 trace … 60 fatal) and syslog severities (0–7).
fn numeric_level(n: u64) -> Level {
    match n {
        0..=2 | 60.. => Level::Fatal,
        3 | 50..=59 => Level::Error,
        4 | 40..=49 => Level::Warn,
        5 | 6 | 30..=39 => Level::Info,
        _ => Level::Debug,
    }
}

/// Iterates over `key=value` pairs of a logfmt line (values may be double-quoted).
fn logfmt_pairs(line: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    let b = line.as_bytes();
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' && b[i] != b' ' {
            i += 1;
        }
        let key = &line[ks..i];
        if i >= b.len() || b[i] != b'=' {
            return Some((key, None));
        }
        i += 1;
        let value = if i < b.len() && b[i] == b'"' {
            let vs = i + 1;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            let v = &line[vs..i.min(b.len())];
            i += 1;
            v
        } else {
            let vs = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            &line[vs..i]
        };
        Some((key, Some(value)))
    })
}

fn is_logfmt(line: &str) -> bool {
    let mut pairs = 0;
    let mut known = false;
    for (k, v) in logfmt_pairs(line).take(8) {
        let valid = v.is_some()
            && !k.is_empty()
            && k.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"_.-@".contains(&c));
        if !valid {
            return false;
        }
        pairs += 1;
        known |= MSG_KEYS.contains(&k) || LEVEL_KEYS.contains(&k);
    }
    pairs >= 3 && known
}

fn logfmt_split(line: &str) -> Option<Split<'_>> {
    if !is_logfmt(line) {
        return None;
    }
    let mut split = Split::default();
    for (k, v) in logfmt_pairs(line) {
        let v = v.unwrap_or("");
        if MSG_KEYS.contains(&k) && split.content.is_empty() {
            split.content = if v.contains('\\') {
                Cow::Owned(v.replace("\\\"", "\"").replace("\\\\", "\\"))
            } else {
                Cow::Borrowed(v)
            };
        } else if LEVEL_KEYS.contains(&k) {
            split.level = level_of(v);
        } else if TIME_KEYS.contains(&k) {
            split.timestamp = Some(Cow::Borrowed(v));
        } else if COMP_KEYS.contains(&k) {
            split.component = Some(Cow::Borrowed(v));
        }
    }
    if split.content.is_empty() {
        split.content = Cow::Borrowed(line.trim());
    }
    Some(split)
}
