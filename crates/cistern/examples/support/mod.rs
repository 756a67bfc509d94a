//! What the server benchmarks share: the real application booted in a temp dir with the
//! wire-level fake provider as model `fast`, a signed-in client, and the figures' helpers.
//! (A folder without `main.rs`: cargo does not take it for an example.)

// Each example compiles this module on its own and uses part of it.
#![allow(dead_code)]

use anyhow::Context;
use cistern::config::{Config, Secret};
use cistern_llm::{DeploymentConfig, ModelConfig, ProviderKind};
use cistern_llm_fake::FakeLlm;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A signed-in API client.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Client {
    /// `method path` with `body`; the JSON answer, or an error naming a non-2xx status.
    pub async fn call(
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
    pub async fn wait(&self, job_id: &str) -> anyhow::Result<()> {
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

    /// The model calls' latencies in ms (the call log's `total_ms`), oldest first; waits
    /// (bounded) until the log, written in the background, holds `want` calls.
    pub async fn call_latencies(&self, want: usize) -> anyhow::Result<Vec<f64>> {
        let mut latencies = Vec::new();
        for _ in 0..100 {
            latencies = self.logged_calls(want).await?;
            if latencies.len() == want {
                return Ok(latencies);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        anyhow::bail!("{} of {want} calls logged", latencies.len())
    }

    async fn logged_calls(&self, want: usize) -> anyhow::Result<Vec<f64>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        while out.len() < want {
            let path = match &cursor {
                Some(c) => format!("/api/v1/llm/calls?limit=200&cursor={c}"),
                None => "/api/v1/llm/calls?limit=200".to_owned(),
            };
            let page = self.call(reqwest::Method::GET, &path, None).await?;
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
}

/// The application and the fake provider, running.
pub struct Bench {
    pub client: Client,
    pub fake: FakeLlm,
    shutdown: CancellationToken,
    server: JoinHandle<anyhow::Result<()>>,
    dir: tempfile::TempDir,
}

impl Bench {
    /// Boots the server (SQLite and local blobs in a temp dir, quiet logs, rate limits off,
    /// model `fast` = the fake provider), `tweak`ed, and registers a user.
    pub async fn start(tweak: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        let fake = FakeLlm::start().await?;
        let dir = tempfile::tempdir()?;
        let mut config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        config.server.port = 0;
        config.log.level = "error".into();
        config.rate_limit.enabled = false;
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
        tweak(&mut config);
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
        Ok(Self {
            client: Client { http, base, token },
            fake,
            shutdown,
            server,
            dir,
        })
    }

    /// The server's data directory (SQLite file, local blobs under `blobs/`).
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Stops the server and the fake provider.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.server.await??;
        self.fake.shutdown().await;
        Ok(())
    }
}

/// The `p` quantile (0..=1) of sorted values, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Sorted copy.
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}
