//! One NDJSON record → one text line `{timestamp} {LEVEL} {message}` (absent parts
//! left out), so the engine's header detection finds a timestamp and a level.
//!
//! Fields, the first present (and not `null`) wins:
//! * message: `message`, `msg`, `log` (unless an object: ECS's `log` holds
//!   metadata such as `log.level`), `MESSAGE`, `text`;
//! * level: `level`, `severity`, `levelname`, `log.level` (the dotted key, then
//!   `{"log": {"level": …}}`), `lvl`;
//! * timestamp: `timestamp`, `@timestamp`, `time`, `ts`, `date`, `datetime`.
//!
//! Only these fields are read (borrowed, unescaped only when they hold escapes);
//! the rest of the object is skipped without building values.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Why a record gave no line.
#[derive(Debug)]
pub(super) enum Problem {
    /// Not a JSON object; what serde_json said, without its position.
    Json(String),
    /// An object without a message field.
    NoMessage,
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    message: Option<&'a RawValue>,
    #[serde(borrow)]
    msg: Option<&'a RawValue>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
    #[serde(borrow, rename = "MESSAGE")]
    message_upper: Option<&'a RawValue>,
    #[serde(borrow)]
    text: Option<&'a RawValue>,

    #[serde(borrow)]
    level: Option<&'a RawValue>,
    #[serde(borrow)]
    severity: Option<&'a RawValue>,
    #[serde(borrow)]
    levelname: Option<&'a RawValue>,
    #[serde(borrow, rename = "log.level")]
    log_level: Option<&'a RawValue>,
    #[serde(borrow)]
    lvl: Option<&'a RawValue>,

    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow, rename = "@timestamp")]
    at_timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    time: Option<&'a RawValue>,
    #[serde(borrow)]
    ts: Option<&'a RawValue>,
    #[serde(borrow)]
    date: Option<&'a RawValue>,
    #[serde(borrow)]
    datetime: Option<&'a RawValue>,
}

/// ECS's nested `{"log": {"level": …}}`.
#[derive(Deserialize)]
struct LogObject<'a> {
    #[serde(borrow)]
    level: Option<&'a RawValue>,
}

/// Renders the record on `line` into `out` (cleared first). The message may hold
/// newlines: the caller splits `out` into lines.
pub(super) fn render(line: &str, out: &mut String) -> Result<(), Problem> {
    out.clear();
    // A struct also deserializes from a JSON array; only an object is a record.
    if !line.trim_start().starts_with('{') {
        return Err(Problem::Json("not a JSON object".into()));
    }
    let r: Record<'_> = serde_json::from_str(line).map_err(|e| Problem::Json(describe(&e)))?;
    let log_object = r.log.filter(|v| v.get().starts_with('{'));
    let log_message = r.log.filter(|v| !v.get().starts_with('{'));
    let message = [r.message, r.msg, log_message, r.message_upper, r.text]
        .into_iter()
        .flatten()
        .next()
        .ok_or(Problem::NoMessage)?;
    let nested_level = log_object
        .and_then(|v| serde_json::from_str::<LogObject<'_>>(v.get()).ok())
        .and_then(|o| o.level);
    let level = [
        r.level,
        r.severity,
        r.levelname,
        r.log_level,
        nested_level,
        r.lvl,
    ]
    .into_iter()
    .flatten()
    .next();
    let timestamp = [
        r.timestamp,
        r.at_timestamp,
        r.time,
        r.ts,
        r.date,
        r.datetime,
    ]
    .into_iter()
    .flatten()
    .next();

    if let Some(ts) = timestamp {
        push_timestamp(ts, out);
    }
    if let Some(level) = level {
        let mark = out.len();
        if !out.is_empty() {
            out.push(' ');
        }
        if !push_level(level, out) {
            out.truncate(mark);
        }
    }
    let message = as_text(message);
    if !out.is_empty() && !message.is_empty() {
        out.push(' ');
    }
    out.push_str(&message);
    Ok(())
}

/// A JSON string's text, anything else's JSON text.
fn as_text(value: &RawValue) -> Cow<'_, str> {
    let raw = value.get();
    if raw.starts_with('"') {
        // Borrowed unless the string holds escapes (`Cow<str>` itself always copies).
        // A RawValue is valid JSON, so the last fallback is only for a lone surrogate.
        match serde_json::from_str::<&str>(raw) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => serde_json::from_str::<String>(raw).map_or(Cow::Borrowed(raw), Cow::Owned),
        }
    } else {
        Cow::Borrowed(raw)
    }
}

/// A string as written; a number as an epoch (seconds, milliseconds, microseconds
/// or nanoseconds, told apart by size) in RFC 3339 UTC with milliseconds — the
/// engine reads only 10- and 13-digit integers as epochs, and Fluent Bit sends
/// fractional seconds (`1765101600.123456`).
fn push_timestamp(value: &RawValue, out: &mut String) {
    let raw = value.get();
    let number = raw
        .starts_with(|c: char| c == '-' || c.is_ascii_digit())
        .then(|| raw.parse::<f64>().ok())
        .flatten();
    match number.and_then(epoch_to_rfc3339) {
        Some(text) => out.push_str(&text),
        None => out.push_str(as_text(value).trim()),
    }
}

fn epoch_to_rfc3339(value: f64) -> Option<String> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let millis = if value < 1e11 {
        value * 1e3
    } else if value < 1e14 {
        value
    } else if value < 1e17 {
        value / 1e3
    } else {
        value / 1e6
    };
    // `as` saturates; a huge number then fails the multiplication or the date range.
    let nanos = (millis.round() as i128).checked_mul(1_000_000)?;
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    ))
}

/// Upper-cased level text, a bunyan/pino number (10–69) as its name; `false`
/// when the level is empty.
fn push_level(value: &RawValue, out: &mut String) -> bool {
    let raw = value.get();
    if let Ok(n) = raw.parse::<u64>() {
        let name = match n {
            10..=19 => "TRACE",
            20..=29 => "DEBUG",
            30..=39 => "INFO",
            40..=49 => "WARN",
            50..=59 => "ERROR",
            60..=69 => "FATAL",
            _ => raw,
        };
        out.push_str(name);
        return true;
    }
    let text = as_text(value);
    let text = text.trim();
    out.extend(text.chars().map(|c| c.to_ascii_uppercase()));
    !text.is_empty()
}

/// serde_json's message without " at line 1 column N" (the line is ours to give).
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&position).unwrap_or(&text);
    if e.column() > 0 {
        format!("invalid JSON: {what} (column {})", e.column())
    } else {
        format!("invalid JSON: {what}")
    }
}
