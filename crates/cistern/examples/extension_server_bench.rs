//! The extension builder's server-side overhead per generation, through the real server:
//! everything but the model (HTTP, the job queue, tool-argument parsing, icons, validation,
//! packaging, blob and SQL storage).
//!
//! `cargo run --release -p cistern --example extension_server_bench -- [--rounds 100]`
//!
//! Boots the application (SQLite and local blobs in a temp dir, rate limits off, the Chromium
//! check off — its duration is measured by `cistern-extension`'s own bench) with the
//! wire-level fake provider on 127.0.0.1 answering every call at once with the same 20-file
//! `submit_extension` call (an iteration: two files changed). Each round creates an extension (a first generation) and iterates on
//! it once, one at a time, and waits for each job's event stream to end. Per generation it
//! prints the wall time from the request to the job's last event, the model call's latency as
//! the call log recorded it (whole milliseconds), and their difference: the overhead, an upper
//! bound (it includes the job's dispatch, its durable progress writes and the HTTP round trips);
//! then the job's own step times from the version's report (`timings_ms`: validate, package,
//! store).
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod support;

use std::time::{Duration, Instant};

use anyhow::Context;
use cistern_llm_fake::Reply;
use serde_json::{Value, json};
use support::{Bench, Client, percentile, sorted};

/// The version's server-side step times, summed (whole ms each; the browser check is off).
async fn steps_ms(client: &Client, extension: &str, accepted: &Value) -> anyhow::Result<f64> {
    let seq = accepted["seq"].as_i64().context("seq")?;
    let version = client
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/extensions/{extension}/versions/seq-{seq}"),
            None,
        )
        .await?;
    let timings = version["report"]["timings_ms"]
        .as_object()
        .context("report.timings_ms")?;
    Ok(["validate", "package", "store"]
        .iter()
        .filter_map(|step| timings.get(*step)?.as_f64())
        .sum())
}

fn summary(what: &str, wall: &[f64], model: &[f64]) {
    let overhead: Vec<f64> = wall.iter().zip(model).map(|(w, m)| w - m).collect();
    let (wall, model, overhead) = (sorted(wall), sorted(model), sorted(&overhead));
    println!(
        "{what} ({} rounds): wall median {:.1} ms; model call median {:.1} ms; overhead median {:.1} ms, p95 {:.1} ms",
        wall.len(),
        percentile(&wall, 0.5),
        percentile(&model, 0.5),
        percentile(&overhead, 0.5),
        percentile(&overhead, 0.95),
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut rounds = 100usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--rounds", Some(n)) => rounds = n.parse().context("--rounds N")?,
            _ => anyhow::bail!("usage: extension_server_bench [--rounds N]"),
        }
    }
    let bench = Bench::start(|config| {
        config.extensions.check_in_browser = false;
        config.extensions.default_model = "fast".into();
    })
    .await?;
    let (client, fake) = (&bench.client, &bench.fake);
    let submission = cistern_extension::sample::submission();
    let change = iteration_of(&submission)?;
    let (mut first, mut iteration) = (Vec::new(), Vec::new());
    let (mut steps_first, mut steps_iteration) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        fake.enqueue(Reply::tool_call("submit_extension", &submission));
        let started = Instant::now();
        let created = client
            .call(
                reqwest::Method::POST,
                "/api/v1/extensions",
                Some(json!({ "prompt": "a reading list with a popup and options" })),
            )
            .await?;
        client
            .wait(created["job_id"].as_str().context("job_id")?)
            .await?;
        first.push(started.elapsed());
        let id = created["extension_id"].as_str().context("extension_id")?;
        steps_first.push(steps_ms(client, id, &created).await?);

        fake.enqueue(Reply::tool_call("submit_extension", &change));
        let started = Instant::now();
        let iterated = client
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/extensions/{id}/versions"),
                Some(json!({ "prompt": "add a badge with the count" })),
            )
            .await?;
        client
            .wait(iterated["job_id"].as_str().context("job_id")?)
            .await?;
        iteration.push(started.elapsed());
        steps_iteration.push(steps_ms(client, id, &iterated).await?);
    }

    let latencies = client.call_latencies(2 * rounds).await?;
    // Oldest first: first generation, iteration, first generation, …
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    let model_first: Vec<f64> = latencies.iter().step_by(2).copied().collect();
    let model_iter: Vec<f64> = latencies.iter().skip(1).step_by(2).copied().collect();
    println!(
        "20-file extension ({} bytes of tool arguments), Chromium check off",
        submission.len()
    );
    summary(
        "first generation",
        &first.iter().map(ms).collect::<Vec<_>>(),
        &model_first,
    );
    summary(
        "iteration",
        &iteration.iter().map(ms).collect::<Vec<_>>(),
        &model_iter,
    );
    for (what, mut steps) in [
        ("first generation", steps_first),
        ("iteration", steps_iteration),
    ] {
        steps.sort_by(f64::total_cmp);
        println!(
            "{what}: the job's own steps (validate + package + store, from the report's timings_ms) median {:.0} ms, p95 {:.0} ms",
            percentile(&steps, 0.5),
            percentile(&steps, 0.95)
        );
    }

    bench.stop().await
}

/// An iteration's arguments: the blueprint, two of the files changed, nothing deleted.
fn iteration_of(submission: &str) -> anyhow::Result<String> {
    let mut value: Value = serde_json::from_str(submission)?;
    let files = value["files"].as_array_mut().context("files")?;
    files.retain(|f| matches!(f["path"].as_str(), Some("background.js" | "popup/popup.js")));
    for file in files.iter_mut() {
        let content = file["content"].as_str().unwrap_or_default();
        file["content"] = json!(format!("{content}// badge: count of saved pages\n"));
    }
    value["deleted_paths"] = json!([]);
    Ok(value.to_string())
}
