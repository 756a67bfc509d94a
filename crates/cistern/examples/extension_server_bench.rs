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

use std::time::{Duration, Instant};

use anyhow::Context;
use cistern::config::{Config, Secret};
use cistern_llm::{DeploymentConfig, ModelConfig, ProviderKind};
use cistern_llm_fake::{FakeLlm, Reply};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        anyhow::ensure!(status.is_success(), "{path}: {status} {body}");
        Ok(body)
    }

    /// Reads the job's event stream to its end (the job is then finished) and checks it
    /// succeeded.
    async fn wait(&self, job_id: &str) -> anyhow::Result<()> {
        let response = self
            .http
            .get(format!("{}/api/v1/jobs/{job_id}/events", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            chunk?;
        }
        let job = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/jobs/{job_id}"),
                None,
            )
            .await?;
        anyhow::ensure!(job["status"] == "succeeded", "job {job_id}: {job}");
        Ok(())
    }
}

impl Client {
    /// The version's server-side step times, summed (whole ms each; the browser check is off).
    async fn steps_ms(&self, extension: &str, accepted: &Value) -> anyhow::Result<f64> {
        let seq = accepted["seq"].as_i64().context("seq")?;
        let version = self
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
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(what: &str, wall: &[f64], model: &[f64]) {
    let mut wall = wall.to_vec();
    let mut model = model.to_vec();
    let mut overhead: Vec<f64> = wall.iter().zip(&model).map(|(w, m)| w - m).collect();
    for v in [&mut wall, &mut model, &mut overhead] {
        v.sort_by(f64::total_cmp);
    }
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
    let fake = FakeLlm::start().await?;
    let dir = tempfile::tempdir()?;
    let mut config = Config {
        data_dir: dir.path().to_owned(),
        ..Config::default()
    };
    config.server.port = 0;
    config.log.level = "error".into();
    config.rate_limit.enabled = false;
    config.extensions.check_in_browser = false;
    config.extensions.default_model = "fast".into();
    config.llm.passthrough = false;
    config.llm.models.insert(
        "fast".into(),
        ModelConfig {
            deployments: vec![DeploymentConfig {
                name: None,
                provider: ProviderKind::OpenAi,
                base_url: Some(fake.openai_base_url()),
                api_key: Some(Secret::new("sk-bench")),
                api_keys: Vec::new(),
                api_key_env: None,
                model: "gpt-4o-mini".into(),
                weight: 1,
                timeout_ms: Some(30_000),
                input_price_per_mtok: 1.0,
                output_price_per_mtok: 2.0,
                context_window: Some(128_000),
            }],
        },
    );
    let app = cistern::Application::build(config).await?;
    let base = format!("http://{}", app.local_addr());
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let http = reqwest::Client::new();
    let session: Value = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({ "email": "bench@example.com", "password": "correct horse battery" }))
        .send()
        .await?
        .json()
        .await?;
    let token = session["access_token"]
        .as_str()
        .context("token")?
        .to_owned();
    let client = Client { http, base, token };
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
        steps_first.push(client.steps_ms(id, &created).await?);

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
        steps_iteration.push(client.steps_ms(id, &iterated).await?);
    }

    // The call log is written in the background: wait until it holds every call.
    let want = 2 * rounds;
    let mut latencies = Vec::new();
    for _ in 0..100 {
        latencies = call_latencies(&client, want).await?;
        if latencies.len() == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(
        latencies.len() == want,
        "{} of {want} calls logged",
        latencies.len()
    );
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

    shutdown.cancel();
    server.await??;
    fake.shutdown().await;
    Ok(())
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

/// The model calls' latencies in ms, oldest first.
async fn call_latencies(client: &Client, want: usize) -> anyhow::Result<Vec<f64>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    while out.len() < want {
        let path = match &cursor {
            Some(c) => format!("/api/v1/llm/calls?limit=200&cursor={c}"),
            None => "/api/v1/llm/calls?limit=200".to_owned(),
        };
        let page = client.call(reqwest::Method::GET, &path, None).await?;
        for call in page["items"].as_array().context("items")? {
            out.push(call["total_ms"].as_f64().context("total_ms")?);
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}
