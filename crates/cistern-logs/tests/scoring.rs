//! Scoring behaviour a user would notice.

use std::collections::HashSet;

use cistern_logs::{Baseline, Label, ScoreInput, WindowSpec, analyze, score, score_analysis};

fn lines(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(|i| f(i) + "\n").collect()
}

fn calm() -> String {
    lines(200, |i| {
        format!(
            "2024-05-01 10:{:02}:{:02},000 INFO [w] app.Api: served request id={i} in {} ms",
            i / 60,
            i % 60,
            20 + i % 5
        )
    })
}

#[test]
fn calm_logs_score_low_and_errors_score_high() {
    let quiet = score(&ScoreInput {
        logs: calm(),
        ..ScoreInput::default()
    });
    assert!(quiet.score < 20, "{quiet:?}");
    let noisy = lines(200, |i| {
        let lvl = if i % 3 == 0 { "ERROR" } else { "INFO" };
        format!(
            "2024-05-01 10:{:02}:{:02},000 {lvl} [w] app.Api: request id={i} failed: connection refused",
            i / 60,
            i % 60
        )
    });
    let r = score(&ScoreInput {
        logs: noisy,
        ..ScoreInput::default()
    });
    assert!(r.score >= 50, "{r:?}");
    assert_eq!(r.labels.first(), Some(&Label::HighErrorRate));
    let f = &r.factors[0];
    assert!(
        f.templates.iter().any(|t| t.contains("connection refused")),
        "{f:?}"
    );
    assert!(f.baseline.is_some());
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["labels"][0], "High Error Rate");
    for key in ["score", "labels", "factors", "templates", "timestamp"] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn a_projects_normal_error_rate_is_not_a_risk() {
    let logs = lines(300, |i| {
        let lvl = if i % 5 == 0 { "ERROR" } else { "INFO" };
        format!(
            "2024-05-01 10:{:02}:{:02},000 {lvl} [w] app.Job: step {i} done",
            i / 60,
            i % 60
        )
    });
    let a = analyze(&logs, WindowSpec::Seconds(60));
    let none = HashSet::new();
    let cold = score_analysis(&a, None, &none);
    assert!(cold.labels.contains(&Label::HighErrorRate), "{cold:?}");
    let mut b = Baseline::default();
    b.update(&a);
    let warm = score_analysis(&a, Some(&b), &none);
    assert!(!warm.labels.contains(&Label::HighErrorRate), "{warm:?}");
    assert!(warm.score < cold.score);
}

#[test]
fn latency_memory_and_new_error_templates_are_labelled() {
    let base = analyze(&calm(), WindowSpec::Seconds(60));
    let mut b = Baseline::default();
    b.update(&base);
    let known: Vec<String> = base.templates.iter().map(|t| t.template.clone()).collect();
    let bad = lines(200, |i| {
        if i % 50 == 7 {
            format!(
                "2024-05-01 11:{:02}:{:02},000 ERROR [w] app.Cache: java.lang.OutOfMemoryError: Java heap space",
                i / 60,
                i % 60
            )
        } else {
            format!(
                "2024-05-01 11:{:02}:{:02},000 INFO [w] app.Api: served request id={i} in {} ms",
                i / 60,
                i % 60,
                900 + i
            )
        }
    });
    let r = score(&ScoreInput {
        logs: bad,
        baseline: Some(b),
        known_templates: known,
        window_seconds: None,
    });
    for l in [
        Label::LatencySpike,
        Label::MemoryPressure,
        Label::NewErrorTemplate,
    ] {
        assert!(r.labels.contains(&l), "{l:?} missing: {:?}", r.labels);
    }
    let lat = r
        .factors
        .iter()
        .find(|f| f.label == Label::LatencySpike)
        .expect("latency");
    assert!(
        lat.observed > 900.0 && lat.baseline.is_some_and(|b| b < 30.0),
        "{lat:?}"
    );
    // Deterministic: the same input gives the same score.
    let again = score_analysis(
        &analyze(&calm(), WindowSpec::Seconds(60)),
        None,
        &HashSet::new(),
    );
    let once = score_analysis(&base, None, &HashSet::new());
    assert_eq!(again.score, once.score);
}

#[test]
fn every_template_keeps_the_first_line_it_matched() {
    let logs = "2024-01-01 10:00:00 INFO user alice logged in\n\
                2024-01-01 10:00:01 INFO user bob logged in\n\
                2024-01-01 10:00:02 ERROR disk /dev/sda1 is full\n";
    let (report, analysis) = cistern_logs::score_analysed(
        &cistern_logs::ScoreInput {
            logs: logs.to_owned(),
            ..Default::default()
        },
        time::OffsetDateTime::UNIX_EPOCH,
    );
    assert_eq!(analysis.templates.len(), report.templates.len());
    let example = |needle: &str| {
        analysis
            .templates
            .iter()
            .find(|t| t.template.contains(needle))
            .map(|t| t.example.clone())
    };
    assert_eq!(
        example("logged in").as_deref(),
        Some("2024-01-01 10:00:00 INFO user alice logged in")
    );
    assert_eq!(
        example("full").as_deref(),
        Some("2024-01-01 10:00:02 ERROR disk /dev/sda1 is full")
    );
}

#[test]
fn a_muted_factor_leaves_the_score_as_if_it_had_not_fired() {
    let mut logs = String::new();
    for s in 0..60 {
        logs.push_str(&format!(
            "2024-05-01 12:00:{s:02} INFO GET /a answered 200 in 20 ms\n"
        ));
        logs.push_str(&format!(
            "2024-05-01 12:00:{s:02} ERROR cache node 10.0.0.{} refused\n",
            s % 4
        ));
    }
    let input = cistern_logs::ScoreInput {
        logs,
        ..Default::default()
    };
    let full = cistern_logs::score(&input);
    let high = full
        .factors
        .iter()
        .find(|f| f.label == cistern_logs::Label::HighErrorRate)
        .expect("errors are half the records")
        .clone();
    let mut muted = full.clone();
    let dropped = muted.mute(|f| f.label == cistern_logs::Label::HighErrorRate);
    assert_eq!(dropped, vec![high]);
    assert!(muted.score < full.score, "{} < {}", muted.score, full.score);
    assert!(!muted.labels.contains(&cistern_logs::Label::HighErrorRate));
    // Muting nothing recomputes the same score.
    let mut same = full.clone();
    assert!(same.mute(|_| false).is_empty());
    assert_eq!((same.score, &same.labels), (full.score, &full.labels));
}
