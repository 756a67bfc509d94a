//! The individual risk factors. Each returns severities in `[0, 1]` with an explanation.

use std::collections::HashSet;

use super::{Baseline, Factor, Label, records_per_minute};
use crate::features::{Analysis, WindowFeatures};

/// Error share assumed for a project without history.
const DEFAULT_ERROR_RATE: f64 = 0.02;
/// Windows with fewer records are too small to judge a rate.
const MIN_WINDOW_RECORDS: u64 = 20;

pub(super) fn all(a: &Analysis, b: Option<&Baseline>, known: &HashSet<&str>) -> Vec<Factor> {
    let mut out = Vec::new();
    out.extend(error_rate(a, b));
    out.extend(latency(a, b));
    out.extend(memory(a));
    out.extend(volume(a, b));
    out.extend(new_templates(a, known));
    out.extend(shift(a, b));
    out
}

fn factor(
    label: Label,
    severity: f64,
    detail: String,
    observed: f64,
    baseline: Option<f64>,
) -> Factor {
    Factor {
        label,
        severity,
        points: 0.0,
        detail,
        observed,
        baseline,
        templates: Vec::new(),
        values: Vec::new(),
        lines: None,
    }
}

/// Error share vs baseline: needs statistical significance (z ≥ 3) *and* a real
/// excess (1.5× the baseline plus one point); severity grows with the excess.
fn error_severity(w: &WindowFeatures, p0: f64) -> f64 {
    if w.records == 0 {
        return 0.0;
    }
    let p0 = p0.clamp(0.001, 0.99);
    let sd = (p0 * (1.0 - p0) / w.records as f64).sqrt();
    let z = (w.error_rate - p0) / sd;
    if z < 3.0 || w.error_rate < 1.5 * p0 + 0.01 {
        return 0.0;
    }
    ((w.error_rate - p0) / 0.25).clamp(0.25, 1.0)
}

fn top_error_templates(a: &Analysis, w: &WindowFeatures) -> Vec<String> {
    let mut errs: Vec<(u64, &str)> = w
        .template_counts
        .iter()
        .map(|&(t, n)| {
            let ts = &a.templates[t as usize];
            (n.min(ts.errors), ts.template.as_str())
        })
        .filter(|(e, _)| *e > 0)
        .collect();
    errs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
    errs.into_iter()
        .take(3)
        .map(|(_, t)| t.to_owned())
        .collect()
}

fn error_rate(a: &Analysis, b: Option<&Baseline>) -> Option<Factor> {
    let p0 = b
        .filter(|b| b.ingests > 0)
        .map_or(DEFAULT_ERROR_RATE, |b| b.error_rate);
    let mut best: Option<(f64, &WindowFeatures, bool)> =
        Some((error_severity(&a.total, p0), &a.total, true));
    for w in a.windows.iter().filter(|w| w.records >= MIN_WINDOW_RECORDS) {
        // A single window counts a little less than the whole input.
        let s = error_severity(w, p0) * 0.9;
        if best.is_none_or(|(bs, _, _)| s > bs) {
            best = Some((s, w, false));
        }
    }
    let (sev, w, whole) = best?;
    if sev <= 0.0 {
        return None;
    }
    let mut f = factor(
        Label::HighErrorRate,
        sev,
        format!(
            "{:.1}% of {} records are errors{} (baseline {:.1}%)",
            100.0 * w.error_rate,
            w.records,
            if whole {
                String::new()
            } else {
                format!(" in lines {}–{}", w.first_line, w.last_line)
            },
            100.0 * p0
        ),
        w.error_rate,
        Some(p0),
    );
    f.templates = top_error_templates(a, w);
    f.lines = (!whole).then_some((w.first_line, w.last_line));
    Some(f)
}

fn latency(a: &Analysis, b: Option<&Baseline>) -> Option<Factor> {
    let base = b.and_then(|b| b.latency_p95_ms);
    let mut best: Option<(f64, &WindowFeatures)> = None;
    for w in std::iter::once(&a.total).chain(&a.windows) {
        let Some(l) = w.latency.filter(|l| l.count >= 3) else {
            continue;
        };
        let sev = match base {
            Some(b0) if b0 > 0.0 => {
                let r = l.p95_ms / b0;
                if r >= 2.0 {
                    (0.3 + (r - 2.0) / 6.0).min(1.0)
                } else {
                    0.0
                }
            }
            _ if l.p95_ms >= 1000.0 => (0.3 + l.p95_ms / 10_000.0).min(1.0),
            _ => 0.0,
        };
        if sev > 0.0 && best.is_none_or(|(s, _)| sev > s) {
            best = Some((sev, w));
        }
    }
    let (sev, w) = best?;
    let l = w.latency?;
    let mut f = factor(
        Label::LatencySpike,
        sev,
        format!(
            "p95 latency {:.0} ms over {} values (max {:.0} ms){}",
            l.p95_ms,
            l.count,
            l.max_ms,
            base.map_or(String::from(", above the 1 s alarm level"), |b| format!(
                ", baseline p95 {b:.0} ms"
            ))
        ),
        l.p95_ms,
        base,
    );
    f.values = vec![l.p50_ms, l.p95_ms, l.max_ms];
    f.lines = Some((w.first_line, w.last_line));
    Some(f)
}

fn memory(a: &Analysis) -> Option<Factor> {
    let m = a.total.memory;
    let oom: f64 = if m.oom > 0 { 0.9 } else { 0.0 };
    let heap = m
        .heap_max_pct
        .filter(|h| *h >= 90.0)
        .map_or(0.0, |h| 0.5 + (h - 90.0) / 20.0);
    let gc = m
        .gc_pause_max_ms
        .filter(|g| *g >= 1000.0)
        .map_or(0.0, |g| 0.4 + g / 10_000.0);
    let sev = oom.max(heap).max(gc).min(1.0);
    if sev <= 0.0 {
        return None;
    }
    let mut parts = Vec::new();
    if m.oom > 0 {
        parts.push(format!("{} out-of-memory records", m.oom));
    }
    if let Some(h) = m.heap_max_pct {
        parts.push(format!("heap up to {h:.0}%"));
    }
    if let Some(g) = m.gc_pause_max_ms {
        parts.push(format!("GC pauses up to {g:.0} ms"));
    }
    let mut f = factor(Label::MemoryPressure, sev, parts.join(", "), sev, None);
    f.values = [m.heap_max_pct, m.gc_pause_max_ms]
        .into_iter()
        .flatten()
        .collect();
    Some(f)
}

fn volume(a: &Analysis, b: Option<&Baseline>) -> Option<Factor> {
    if let (Some(base), Some(rpm)) = (b.and_then(|b| b.records_per_minute), records_per_minute(a))
        && base > 0.0
    {
        let r = rpm / base;
        let sev = if r >= 3.0 {
            (0.3 + (r - 3.0) / 10.0).min(1.0)
        } else if r <= 1.0 / 3.0 {
            0.3
        } else {
            0.0
        };
        if sev > 0.0 {
            let detail = format!("{rpm:.1} records/min against a usual {base:.1} ({r:.1}×)");
            return Some(factor(Label::VolumeAnomaly, sev, detail, rpm, Some(base)));
        }
    }
    // Within the input: one window far above the typical one.
    if a.windows.len() < 5 {
        return None;
    }
    let mut sizes: Vec<u64> = a.windows.iter().map(|w| w.records).collect();
    sizes.sort_unstable();
    let median = sizes[sizes.len() / 2].max(1) as f64;
    let peak = a.windows.iter().max_by_key(|w| w.records)?;
    let r = peak.records as f64 / median;
    if r < 5.0 || peak.records < 50 {
        return None;
    }
    let mut f = factor(
        Label::VolumeAnomaly,
        (0.3 + (r - 5.0) / 20.0).min(1.0),
        format!(
            "a window holds {} records, {r:.1}× the median window ({median:.0})",
            peak.records
        ),
        peak.records as f64,
        Some(median),
    );
    f.lines = Some((peak.first_line, peak.last_line));
    Some(f)
}

fn new_templates(a: &Analysis, known: &HashSet<&str>) -> Vec<Factor> {
    if known.is_empty() {
        return Vec::new(); // no history: everything is new, nothing is news
    }
    let fresh: Vec<_> = a
        .templates
        .iter()
        .filter(|t| t.records > 0 && !is_known(&t.template, known))
        .collect();
    let mut out = Vec::new();
    let errs: Vec<_> = fresh.iter().filter(|t| t.errors > 0).collect();
    if !errs.is_empty() {
        let mut f = factor(
            Label::NewErrorTemplate,
            0.4 + 0.15 * (errs.len() as f64 - 1.0),
            format!(
                "{} error template(s) never seen for this project",
                errs.len()
            ),
            errs.len() as f64,
            None,
        );
        f.templates = errs.iter().take(5).map(|t| t.template.clone()).collect();
        out.push(f);
    }
    let recs: u64 = fresh.iter().map(|t| t.records).sum();
    let share = recs as f64 / a.total.records.max(1) as f64;
    if share >= 0.05 {
        let mut f = factor(
            Label::NewTemplates,
            (share * 2.0).min(0.6),
            format!(
                "{} new template(s) cover {:.0}% of records",
                fresh.len(),
                100.0 * share
            ),
            share,
            None,
        );
        f.templates = fresh.iter().take(5).map(|t| t.template.clone()).collect();
        out.push(f);
    }
    out
}

/// Whether `template` is one of `known`, allowing either side's `<*>` to cover the
/// other's literal: a template mined from a small window may keep a value
/// (`user root`) that the project's history already generalised (`user <*>`).
fn is_known(template: &str, known: &HashSet<&str>) -> bool {
    if known.contains(template) {
        return true;
    }
    let toks: Vec<&str> = template.split(' ').collect();
    known.iter().any(|k| {
        let mut kt = k.split(' ');
        let same = toks.iter().all(|t| {
            kt.next().is_some_and(|u| {
                u == *t || u == crate::mask::WILDCARD || *t == crate::mask::WILDCARD
            })
        });
        same && kt.next().is_none()
    })
}

/// Jensen–Shannon divergence (base 2, in `[0, 1]`) between the usual and current template mix.
fn shift(a: &Analysis, b: Option<&Baseline>) -> Option<Factor> {
    let base = &b?.template_shares;
    if base.is_empty() || a.total.records == 0 {
        return None;
    }
    let total = a.total.records as f64;
    let cur: std::collections::BTreeMap<&str, f64> = a
        .templates
        .iter()
        .filter(|t| t.records > 0)
        .map(|t| (t.template.as_str(), t.records as f64 / total))
        .collect();
    let bsum: f64 = base.values().sum::<f64>().max(1e-9);
    let keys: HashSet<&str> = cur
        .keys()
        .copied()
        .chain(base.keys().map(String::as_str))
        .collect();
    let mut js = 0.0;
    let mut moves: Vec<(f64, &str)> = Vec::new();
    for k in keys {
        let p = cur.get(k).copied().unwrap_or(0.0);
        let q = base.get(k).copied().unwrap_or(0.0) / bsum;
        let m = (p + q) / 2.0;
        if p > 0.0 {
            js += 0.5 * p * (p / m).log2();
        }
        if q > 0.0 {
            js += 0.5 * q * (q / m).log2();
        }
        moves.push(((p - q).abs(), k));
    }
    let sev = ((js - 0.15) / 0.5).clamp(0.0, 1.0);
    if sev <= 0.0 {
        return None;
    }
    moves.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
    let mut f = factor(
        Label::TemplateShift,
        sev,
        format!("template mix diverges from the usual (Jensen–Shannon {js:.2})"),
        js,
        Some(0.15),
    );
    f.templates = moves.iter().take(3).map(|(_, t)| (*t).to_owned()).collect();
    Some(f)
}
