//! What the gateway adds per request, measured in process against a fast local upstream.
//!
//! ```text
//! cargo build --release -p cistern-llm-fake --bin fake-llm
//! target/release/fake-llm --port 0 --stream-chunks 64          # prints http://127.0.0.1:PORT
//! cargo run --release -p cistern-llm --example llm_gateway_bench -- http://127.0.0.1:PORT [REQUESTS] [CONCURRENCY]
//! ```
//!
//! Four runs of REQUESTS (default 20 000) calls, CONCURRENCY (default 64) at a time:
//! `raw` posts a pre-serialised OpenAI body with reqwest and reads the answer (the floor: what
//! any client pays), `gateway` calls [`Gateway::chat`] with accounting on (records to a
//! channel drained by a task), and the same two for a streamed answer (64 chunks). CPU is this
//! process's utime+stime from `/proc/self/stat`; the gateway's overhead is the difference.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use cistern_llm::{
    CallContext, CallRecord, CallSink, ChatRequest, DeploymentConfig, Gateway, GatewayOptions,
    LlmConfig, Message, ModelConfig, ProviderKind, Secret,
};
use futures::StreamExt;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 Hz.
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Counts records like a batch writer would receive them.
struct Counter(tokio::sync::mpsc::Sender<CallRecord>);

impl CallSink for Counter {
    fn record(&self, record: CallRecord) {
        self.0.try_send(record).ok();
    }
}

async fn run<F, Fut>(name: &str, requests: u64, concurrency: u64, call: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (call, next, failed) = (call.clone(), next.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                if !call().await {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await.ok();
    }
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    println!(
        "{name:<16} {:>8.0} req/s   CPU {:>6.1} µs/req   failed {}   peak RSS {:.1} MiB",
        requests as f64 / wall,
        cpu * 1e6 / requests as f64,
        failed.load(Ordering::Relaxed),
        peak_rss_mib()
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(upstream) = args.get(1).map(|u| u.trim_end_matches('/').to_owned()) else {
        eprintln!("usage: llm_gateway_bench http://127.0.0.1:PORT [REQUESTS] [CONCURRENCY]");
        std::process::exit(2);
    };
    let requests: u64 = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let concurrency: u64 = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(64);
    let base = format!("{upstream}/v1");

    let mut config = LlmConfig::default();
    config.cache.enabled = false;
    let deployment = DeploymentConfig {
        name: None,
        provider: ProviderKind::OpenAi,
        base_url: Some(base.clone()),
        api_key: Some(Secret::new("sk-bench")),
        api_keys: Vec::new(),
        api_key_env: None,
        model: "gpt-oss-120b".into(),
        weight: 1,
        timeout_ms: None,
        input_price_per_mtok: 0.25,
        output_price_per_mtok: 0.69,
        context_window: Some(131_072),
    };
    config.models.insert(
        "fast".into(),
        ModelConfig {
            deployments: vec![deployment],
        },
    );
    let (tx, mut rx) = tokio::sync::mpsc::channel(65_536);
    let drained = tokio::spawn(async move {
        let mut n = 0u64;
        while rx.recv().await.is_some() {
            n += 1;
        }
        n
    });
    let options = GatewayOptions {
        sink: Some(Arc::new(Counter(tx))),
        ..GatewayOptions::without_env()
    };
    let gateway = Gateway::new(config, options).expect("gateway");

    let mut req = ChatRequest::new(
        "fast",
        vec![
            Message::system("You are a concise assistant for a water utility."),
            Message::user("How does a rainwater cistern keep the water clean?"),
        ],
    );
    req.temperature = Some(0.2);
    req.max_tokens = Some(200);

    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .expect("client");
    let url = format!("{base}/chat/completions");
    for stream in [false, true] {
        let mut wire = serde_json::to_value(&req).expect("json");
        wire["model"] = "gpt-oss-120b".into();
        if stream {
            wire["stream"] = true.into();
            wire["stream_options"] = serde_json::json!({"include_usage": true});
        }
        let body = bytes::Bytes::from(serde_json::to_vec(&wire).expect("json"));
        let (client, url) = (client.clone(), url.clone());
        let label = if stream { "raw stream" } else { "raw" };
        run(label, requests, concurrency, move || {
            let request = client
                .post(&url)
                .bearer_auth("sk-bench")
                .header("content-type", "application/json")
                .body(body.clone());
            async move {
                match request.send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        })
        .await;
        let (gw, req) = (gateway.clone(), req.clone());
        let label = if stream { "gateway stream" } else { "gateway" };
        run(label, requests, concurrency, move || {
            let (gw, req) = (gw.clone(), req.clone());
            async move {
                if stream {
                    let Ok(mut s) = gw.chat_stream(req, CallContext::default()).await else {
                        return false;
                    };
                    let mut ok = true;
                    while let Some(item) = s.next().await {
                        ok &= item.is_ok();
                    }
                    ok
                } else {
                    gw.chat(req, CallContext::default()).await.is_ok()
                }
            }
        })
        .await;
    }
    drop(gateway);
    println!("records delivered: {}", drained.await.unwrap_or(0));
}
