//! The risk score: 0–100, with labels and the factors behind them.
//!
//! Every factor yields a severity in `[0, 1]` measured against the project's
//! [`Baseline`] (so a project's normal error rate is not a risk); the score is
//! `100 · (1 − Π(1 − weight · severity))` — one strong factor is enough for a
//! high score, several weak ones add up, and nothing exceeds 100. The
//! computation is pure and deterministic; only the report's `timestamp` reads
//! the clock (use [`score_at`] to pin it).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::features::{Analysis, TemplateStats, WindowSpec, analyze};

mod factors;

/// What a project normally looks like (its "memory"); all fields optional in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Baseline {
    /// Usual share of error records.
    pub error_rate: f64,
    /// Usual share of warning records.
    pub warn_rate: f64,
    /// Usual volume, records per minute.
    pub records_per_minute: Option<f64>,
    /// Usual 95th-percentile latency, ms.
    pub latency_p95_ms: Option<f64>,
    /// Usual share of records per template.
    pub template_shares: BTreeMap<String, f64>,
    /// How many ingests shaped this baseline (0 = none: defaults apply).
    pub ingests: u64,
}

impl Baseline {
    /// Folds one analysed ingest into the baseline (running mean, then an
    /// exponential average once 10 ingests are in).
    pub fn update(&mut self, a: &Analysis) {
        let alpha = 1.0 / (self.ingests as f64 + 1.0).min(10.0);
        let mix = |old: f64, new: f64| old + alpha * (new - old);
        self.error_rate = mix(self.error_rate, a.total.error_rate);
        self.warn_rate = mix(self.warn_rate, a.total.warn_rate);
        if let Some(rpm) = records_per_minute(a) {
            self.records_per_minute = Some(self.records_per_minute.map_or(rpm, |o| mix(o, rpm)));
        }
        if let Some(l) = a.total.latency {
            self.latency_p95_ms = Some(self.latency_p95_ms.map_or(l.p95_ms, |o| mix(o, l.p95_ms)));
        }
        let total = a.total.records.max(1) as f64;
        for v in self.template_shares.values_mut() {
            *v *= 1.0 - alpha;
        }
        for t in &a.templates {
            let e = self
                .template_shares
                .entry(t.template.clone())
                .or_insert(0.0);
            *e += alpha * t.records as f64 / total;
        }
        self.template_shares.retain(|_, v| *v > 1e-4);
        self.ingests += 1;
    }
}

/// Records per minute when the log spans at least a minute.
pub(crate) fn records_per_minute(a: &Analysis) -> Option<f64> {
    let span = a.total.end_ms? - a.total.start_ms?;
    (span >= 60_000).then(|| a.total.records as f64 / (span as f64 / 60_000.0))
}

/// A request to score some logs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreInput {
    /// Raw log text (headers included, any format).
    pub logs: String,
    /// The project's baseline, when it has history.
    #[serde(default)]
    pub baseline: Option<Baseline>,
    /// Templates already seen for the project.
    #[serde(default)]
    pub known_templates: Vec<String>,
    /// Window length for bursts (default 60 s; 500-line blocks without timestamps).
    #[serde(default)]
    pub window_seconds: Option<u64>,
}

/// A risk label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Label {
    /// Error share well above the baseline.
    #[serde(rename = "High Error Rate")]
    HighErrorRate,
    /// Latencies well above the baseline (or absolutely high).
    #[serde(rename = "Latency Spike")]
    LatencySpike,
    /// OOM, high heap usage or long GC pauses.
    #[serde(rename = "Memory Pressure")]
    MemoryPressure,
    /// Volume far from the usual, or one window far above the others.
    #[serde(rename = "Volume Anomaly")]
    VolumeAnomaly,
    /// A template never seen for the project, with error records.
    #[serde(rename = "New Error Template")]
    NewErrorTemplate,
    /// Templates never seen for the project.
    #[serde(rename = "New Templates")]
    NewTemplates,
    /// The mix of templates moved away from the usual.
    #[serde(rename = "Template Shift")]
    TemplateShift,
}

/// One reason behind the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The label it supports.
    pub label: Label,
    /// Severity in `[0, 1]`.
    pub severity: f64,
    /// Points this factor alone would give (0–100).
    pub points: f64,
    /// A sentence a user can read.
    pub detail: String,
    /// The observed value (rate, ms, ratio…).
    pub observed: f64,
    /// What it was compared with.
    pub baseline: Option<f64>,
    /// Templates involved.
    pub templates: Vec<String>,
    /// Example values (latencies, percentages…).
    pub values: Vec<f64>,
    /// Input lines `[first, last]` of the window concerned, when not the whole input.
    pub lines: Option<(u64, u64)>,
}

/// The scorer's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReport {
    /// Risk, 0 (calm) to 100.
    pub score: u8,
    /// Labels whose factors matter, strongest first.
    pub labels: Vec<Label>,
    /// Every factor with a severity above zero, strongest first.
    pub factors: Vec<Factor>,
    /// Templates of the input, most frequent first (at most 50).
    pub templates: Vec<TemplateStats>,
    /// Records scored.
    pub records: u64,
    /// When the score was computed (RFC 3339).
    pub timestamp: String,
}

/// Weight of a factor in the combined score.
fn weight(l: Label) -> f64 {
    match l {
        Label::HighErrorRate => 0.9,
        Label::MemoryPressure => 0.85,
        Label::LatencySpike => 0.7,
        Label::NewErrorTemplate => 0.6,
        Label::VolumeAnomaly => 0.5,
        Label::TemplateShift => 0.4,
        Label::NewTemplates => 0.25,
    }
}

/// A factor below this many points does not earn its label.
const LABEL_POINTS: f64 = 10.0;

/// Scores logs now.
pub fn score(input: &ScoreInput) -> ScoreReport {
    score_at(input, time::OffsetDateTime::now_utc())
}

/// Scores logs, stamping the report with `now`.
pub fn score_at(input: &ScoreInput, now: time::OffsetDateTime) -> ScoreReport {
    score_analysed(input, now).0
}

/// Scores logs, stamping the report with `now`; with the analysis behind it (what a project
/// learns from the logs: [`Baseline::update`], every template with its counts).
pub fn score_analysed(input: &ScoreInput, now: time::OffsetDateTime) -> (ScoreReport, Analysis) {
    let window = WindowSpec::Seconds(input.window_seconds.unwrap_or(60));
    let analysis = analyze(&input.logs, window);
    let known: HashSet<&str> = input.known_templates.iter().map(String::as_str).collect();
    let mut report = score_analysis(&analysis, input.baseline.as_ref(), &known);
    report.timestamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    (report, analysis)
}

impl ScoreReport {
    /// Drops the factors `muted` says the project does not want (a label its users marked as a
    /// false alarm for those templates) and recomputes the score and labels from the rest, as
    /// [`score_analysis`] combines them. Returns the factors dropped.
    pub fn mute(&mut self, muted: impl Fn(&Factor) -> bool) -> Vec<Factor> {
        let (dropped, kept): (Vec<Factor>, Vec<Factor>) = std::mem::take(&mut self.factors)
            .into_iter()
            .partition(|f| muted(f));
        // A factor's points are 100 · weight · severity: the calm it leaves is 1 − points / 100.
        let calm: f64 = kept.iter().map(|f| 1.0 - f.points / 100.0).product();
        let mut labels: Vec<Label> = Vec::new();
        for f in &kept {
            if f.points >= LABEL_POINTS && !labels.contains(&f.label) {
                labels.push(f.label);
            }
        }
        self.score = (100.0 * (1.0 - calm)).round().clamp(0.0, 100.0) as u8;
        self.labels = labels;
        self.factors = kept;
        dropped
    }
}

/// Scores an analysis against a baseline and the known templates (pure, no clock).
pub fn score_analysis(
    a: &Analysis,
    baseline: Option<&Baseline>,
    known: &HashSet<&str>,
) -> ScoreReport {
    let mut fs = factors::all(a, baseline, known);
    for f in &mut fs {
        f.severity = f.severity.clamp(0.0, 1.0);
        f.points = (100.0 * weight(f.label) * f.severity * 10.0).round() / 10.0;
    }
    fs.retain(|f| f.severity > 0.0);
    fs.sort_by(|x, y| y.points.total_cmp(&x.points).then(x.label.cmp(&y.label)));
    let calm: f64 = fs
        .iter()
        .map(|f| 1.0 - weight(f.label) * f.severity)
        .product();
    let mut labels: Vec<Label> = Vec::new();
    for f in &fs {
        if f.points >= LABEL_POINTS && !labels.contains(&f.label) {
            labels.push(f.label);
        }
    }
    let mut templates = a.templates.clone();
    templates.sort_by(|x, y| {
        y.records
            .cmp(&x.records)
            .then_with(|| x.template.cmp(&y.template))
    });
    templates.truncate(50);
    ScoreReport {
        score: (100.0 * (1.0 - calm)).round().clamp(0.0, 100.0) as u8,
        labels,
        factors: fs,
        templates,
        records: a.total.records,
        timestamp: String::new(),
    }
}
