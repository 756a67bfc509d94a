//! Per-record signals read from the message text: error/warn wording,
//! latencies, memory pressure.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::Level;

/// What one record says about health, beyond its template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Severity: from the header when present, else from the wording.
    pub level: Option<Level>,
    /// A duration mentioned with latency wording (`took 350 ms`), in milliseconds.
    pub latency_ms: Option<f64>,
    /// Out-of-memory wording (`OutOfMemoryError`, `oom-killer`, `Cannot allocate memory`).
    pub oom: bool,
    /// A garbage-collection pause, in milliseconds.
    pub gc_pause_ms: Option<f64>,
    /// Heap (or memory) usage in percent.
    pub heap_pct: Option<f64>,
}

impl Signals {
    /// Error or worse.
    pub fn is_error(&self) -> bool {
        self.level.is_some_and(|l| l >= Level::Error)
    }

    /// Exactly a warning.
    pub fn is_warn(&self) -> bool {
        self.level == Some(Level::Warn)
    }
}

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a literal pattern, covered by tests
    Regex::new(r"(?i)(?:took|latency|duration|elapsed|response|time|spent|wait|delay|rtt|in|after)\D{0,24}?(\d+(?:\.\d+)?)\s?(ms|msec|millis(?:econds)?|µs|us|microseconds|ns|s|secs?|seconds)\b").unwrap()
});
static GC: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?i)\bgc\b.{0,80}?(\d+(?:\.\d+)?)\s?(ms|secs?|s)\b").unwrap()
});
static HEAP: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?i)\b(?:heap|memory|mem)\b\D{0,30}?(\d{1,3}(?:\.\d+)?)\s?%").unwrap()
});

const ERROR_WORDS: &[&str] = &[
    "error",
    "exception",
    "fail",
    "fatal",
    "panic",
    "critical",
    "refused",
    "denied",
    "unreachable",
    "corrupt",
    "abort",
    "segfault",
    "traceback",
    "killed",
    "severe",
    "crash",
];
const WARN_WORDS: &[&str] = &[
    "warn",
    "deprecated",
    "retry",
    "retrying",
    "timeout",
    "timed out",
    "slow",
];

fn to_ms(value: f64, unit: &str) -> f64 {
    match unit.to_ascii_lowercase().as_str() {
        "µs" | "us" | "microseconds" => value / 1000.0,
        "ns" => value / 1_000_000.0,
        "s" | "sec" | "secs" | "seconds" => value * 1000.0,
        _ => value,
    }
}

/// Reads the signals of one record. `header_level` wins over wording.
pub fn read(content: &str, header_level: Option<Level>) -> Signals {
    let lower = content.to_ascii_lowercase();
    let level = header_level.or_else(|| {
        if ERROR_WORDS.iter().any(|w| lower.contains(w)) {
            Some(Level::Error)
        } else if WARN_WORDS.iter().any(|w| lower.contains(w)) {
            Some(Level::Warn)
        } else {
            None
        }
    });
    let digits = content.bytes().any(|c| c.is_ascii_digit());
    let capture = |re: &Regex| -> Option<(f64, String)> {
        let c = re.captures(content)?;
        let v: f64 = c.get(1)?.as_str().parse().ok()?;
        Some((v, c.get(2).map_or(String::new(), |m| m.as_str().to_owned())))
    };
    let gc_pause_ms = if digits && lower.contains("gc") {
        capture(&GC).map(|(v, u)| to_ms(v, &u))
    } else {
        None
    };
    Signals {
        level,
        latency_ms: if digits && gc_pause_ms.is_none() {
            capture(&DURATION).map(|(v, u)| to_ms(v, &u))
        } else {
            None
        },
        oom: lower.contains("outofmemory")
            || lower.contains("out of memory")
            || lower.contains("oom-kill")
            || lower.contains("oom killer")
            || lower.contains("cannot allocate memory"),
        gc_pause_ms,
        heap_pct: if digits && lower.contains('%') {
            HEAP.captures(content)
                .and_then(|c| c.get(1)?.as_str().parse().ok())
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_latency_memory_and_levels() {
        let s = read("request GET /api took 350 ms", None);
        assert_eq!(s.latency_ms, Some(350.0));
        assert_eq!(read("query latency=1.5s", None).latency_ms, Some(1500.0));
        assert_eq!(read("spent 250 µs in handler", None).latency_ms, Some(0.25));
        assert!(read("java.lang.OutOfMemoryError: Java heap space", None).oom);
        assert_eq!(
            read("GC pause (G1 Evacuation) 1234ms", None).gc_pause_ms,
            Some(1234.0)
        );
        assert_eq!(read("heap usage at 93%", None).heap_pct, Some(93.0));
        assert!(read("Connection refused", None).is_error());
        assert!(read("retrying in a moment", None).is_warn());
        assert!(!read("all good", Some(Level::Info)).is_error());
    }
}
