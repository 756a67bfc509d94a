//! The statistical forecast: the scores' trend extrapolated a day ahead and the labels behind
//! them turned into actions — what Sage answers with no model, or when the model's answer is
//! unusable, and says so.

use cistern_store::sql::Ingest;

use super::forecast::{Context, Forecast, ForecastAction, ForecastSource, Outlook, Priority};

/// The scores' trend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Trend {
    /// Least-squares slope, points per day (0 with fewer than two points).
    pub per_day: f64,
    /// The latest score.
    pub latest: i64,
    /// Mean score.
    pub mean: f64,
}

/// The trend of scored ingests (oldest first).
pub(super) fn trend(points: &[Ingest]) -> Trend {
    let xs: Vec<(f64, f64)> = points
        .iter()
        .map(|p| {
            (
                p.created_at as f64 / 86_400_000.0,
                p.score.unwrap_or_default() as f64,
            )
        })
        .collect();
    let n = xs.len() as f64;
    let latest = points.last().and_then(|p| p.score).unwrap_or_default();
    if xs.is_empty() {
        return Trend {
            per_day: 0.0,
            latest,
            mean: 0.0,
        };
    }
    let mean_x = xs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = xs.iter().map(|p| p.1).sum::<f64>() / n;
    let var: f64 = xs.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    // Points within minutes of each other say nothing of a daily trend.
    let per_day = if var > 1e-3 {
        xs.iter()
            .map(|p| (p.0 - mean_x) * (p.1 - mean_y))
            .sum::<f64>()
            / var
    } else {
        0.0
    };
    Trend {
        per_day: per_day.clamp(-100.0, 100.0),
        latest,
        mean: mean_y,
    }
}

/// The statistical forecast of a project, and why it is not the model's.
pub(super) fn statistical(context: &Context, reason: String) -> Forecast {
    let t = trend(&context.points);
    // Tomorrow: the latest score moved by a day of trend, pulled halfway to the period's mean.
    let expected = ((t.latest as f64 + t.per_day + t.mean) / 2.0).clamp(0.0, 100.0);
    let outlook = match expected {
        e if e >= 60.0 => Outlook::High,
        e if e >= 30.0 => Outlook::Medium,
        _ => Outlook::Low,
    };
    let direction = match t.per_day {
        d if d > 2.0 => format!("risen by about {d:.0} points a day"),
        d if d < -2.0 => format!("fallen by about {:.0} points a day", -d),
        _ => "held steady".to_owned(),
    };
    let labels = context.label_counts();
    let drivers = if labels.is_empty() {
        "no risk label".to_owned()
    } else {
        labels
            .iter()
            .take(3)
            .map(|(l, n)| format!("{l} ({n}×)"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "Statistical forecast: over the last {} scored ingests risk has {direction} (latest {}, \
         mean {:.0}); the next 24 hours are expected around {expected:.0}. Driving it: {drivers}.",
        context.points.len(),
        t.latest,
        t.mean
    );
    let first = if outlook == Outlook::High {
        Priority::High
    } else {
        Priority::Medium
    };
    let mut actions: Vec<ForecastAction> = labels
        .iter()
        .filter_map(|(l, _)| action_for(l, context, first))
        .take(3)
        .collect();
    for generic in generic_actions() {
        if actions.len() == 3 {
            break;
        }
        if !actions.iter().any(|a| a.title == generic.title) {
            actions.push(generic);
        }
    }
    Forecast {
        outlook,
        text,
        actions,
        source: ForecastSource::Statistical,
        model: None,
        note: Some(reason),
    }
}

/// The action a label calls for.
fn action_for(label: &str, c: &Context, priority: Priority) -> Option<ForecastAction> {
    let worst = c
        .top
        .iter()
        .filter(|t| t.2 > 0)
        .max_by_key(|t| t.2)
        .map(|t| t.0.clone());
    let (title, detail) = match label {
        "High Error Rate" => (
            "Investigate the error burst",
            match &worst {
                Some(t) => format!("Errors run above this project's usual share; the most frequent error is \"{t}\"."),
                None => "Errors run above this project's usual share; look at the error templates first.".into(),
            },
        ),
        "New Error Template" => (
            "Triage the new error",
            match c.new.first() {
                Some(t) => format!("\"{t}\" appeared in the last day: find the change that introduced it."),
                None => "An error never seen before appeared: find the change that introduced it.".into(),
            },
        ),
        "Latency Spike" => (
            "Check slow requests",
            "Latencies read in the logs are above the baseline: check the slowest endpoints and their dependencies.".into(),
        ),
        "Memory Pressure" => (
            "Check memory use",
            "The logs show out-of-memory or long GC pauses: check heap limits and recent changes in load.".into(),
        ),
        "Volume Anomaly" => (
            "Explain the change in volume",
            "Log volume moved far from the usual: check traffic, retries in a loop, or a component that went quiet.".into(),
        ),
        "Template Shift" | "New Templates" => (
            "Review what changed",
            "The mix of log lines moved away from the usual: compare with the latest deploys and configuration changes.".into(),
        ),
        _ => return None,
    };
    Some(ForecastAction {
        title: title.to_owned(),
        detail,
        priority,
    })
}

fn generic_actions() -> [ForecastAction; 3] {
    [
        ForecastAction {
            title: "Review the top templates".into(),
            detail: "Skim the most frequent and the new templates for anything unexpected.".into(),
            priority: Priority::Low,
        },
        ForecastAction {
            title: "Set an alert threshold".into(),
            detail: "Have Sage post to a webhook when an ingest scores above the level you care about.".into(),
            priority: Priority::Low,
        },
        ForecastAction {
            title: "Keep ingesting daily".into(),
            detail: "A steady flow of logs sharpens the baseline, and with it the score and the forecast.".into(),
            priority: Priority::Low,
        },
    ]
}
