//! The built-in local model on this machine: prompt processing and generation speed, time to
//! first token, resident memory with the model loaded, and concurrent streams — through the
//! gateway, as the apps call it.
//!
//! ```text
//! scripts/fetch-model.sh target/models
//! cargo run --release -p cistern-llm --features local-model --example local_model_bench -- \
//!     [MODEL.gguf] [RUNS] [THREADS]
//! ```
//!
//! Defaults: `target/models/smollm2-135m-instruct-q4_1.gguf`, 5 runs, 2 threads. Every figure
//! is the median of the runs. The same prompts go through llama.cpp's Python binding in
//! `scripts/bench_local_model.py`, the side-by-side anchor (docs/benchmarks.md).
// Benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cistern_llm::{
    CacheConfig, CallContext, ChatRequest, Gateway, GatewayOptions, LlmConfig, Message,
    ResponseFormat, StreamEvent, Usage,
};
use futures::StreamExt;

/// About 500 tokens of prompt (the same text as scripts/bench_local_model.py).
fn long_prompt() -> String {
    let note = "The maintenance crew inspected the north water cistern on Monday. They found a \
                small crack near the inlet valve, replaced two worn gaskets, and measured the \
                water level at four metres. The pump ran for six hours without faults. ";
    format!(
        "Summarise these notes in one sentence:\n{}",
        note.repeat(10)
    )
}

const SHORT_PROMPT: &str =
    "Write a short story about a lighthouse keeper who finds a message in a bottle.";

fn gateway(model: &Path, sequences: u32, threads: u32) -> Gateway {
    let mut config = LlmConfig {
        passthrough: false,
        cache: CacheConfig {
            enabled: false,
            ..CacheConfig::default()
        },
        ..LlmConfig::default()
    };
    config.local.model = Some(model.to_owned());
    config.local.sequences = sequences;
    config.local.threads = threads;
    config.local.context = 2048;
    Gateway::new(config, GatewayOptions::without_env()).expect("the local model loads")
}

struct Run {
    ttft: Duration,
    total: Duration,
    usage: Usage,
}

async fn run(gw: &Gateway, req: ChatRequest) -> Run {
    let started = Instant::now();
    let mut stream = gw
        .chat_stream(req, CallContext::default())
        .await
        .expect("the stream opens");
    let mut ttft = None;
    let mut usage = Usage::default();
    while let Some(event) = stream.next().await {
        match event.expect("no stream error") {
            StreamEvent::TextDelta { .. } | StreamEvent::ToolCallDelta(_) => {
                ttft.get_or_insert_with(|| started.elapsed());
            }
            StreamEvent::Usage(u) => usage = u,
            StreamEvent::Finish { .. } => {}
        }
    }
    Run {
        ttft: ttft.unwrap_or_else(|| started.elapsed()),
        total: started.elapsed(),
        usage,
    }
}

fn request(prompt: &str, max_tokens: u32) -> ChatRequest {
    let mut req = ChatRequest::new("local", vec![Message::user(prompt)]);
    req.max_tokens = Some(max_tokens);
    req.temperature = Some(0.0);
    req
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `VmRSS` and `VmHWM` of this process in MiB.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let model = args.next().map_or_else(
        || PathBuf::from("target/models").join(cistern_llm::DEFAULT_MODEL_FILE),
        PathBuf::from,
    );
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let threads: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let (rss_before, _) = rss_mib();
    let load = Instant::now();
    let gw = gateway(&model, 1, threads);
    let load = load.elapsed();
    let (rss_loaded, _) = rss_mib();
    println!(
        "model {} loaded in {:.0} ms; RSS {rss_before:.1} MiB before, {rss_loaded:.1} MiB after",
        model.display(),
        load.as_secs_f64() * 1000.0
    );
    // Warm-up: first touches of the weights and buffers.
    run(&gw, request(SHORT_PROMPT, 8)).await;

    let mut pp = Vec::new();
    let mut ttft = Vec::new();
    let mut prompt_tokens = 0;
    for _ in 0..runs {
        let r = run(&gw, request(&long_prompt(), 1)).await;
        prompt_tokens = r.usage.input_tokens;
        pp.push(f64::from(r.usage.input_tokens) / r.ttft.as_secs_f64());
        ttft.push(r.ttft.as_secs_f64() * 1000.0);
    }
    println!(
        "prompt processing: {prompt_tokens} tokens, {:.0} tok/s; time to first token {:.0} ms (median of {runs})",
        median(pp),
        median(ttft)
    );

    let mut gen_rate = Vec::new();
    let mut short_ttft = Vec::new();
    let mut out_tokens = 0;
    for _ in 0..runs {
        let r = run(&gw, request(SHORT_PROMPT, 128)).await;
        out_tokens = r.usage.output_tokens;
        let decode = (r.total - r.ttft).as_secs_f64();
        gen_rate.push(f64::from(r.usage.output_tokens.saturating_sub(1)) / decode);
        short_ttft.push(r.ttft.as_secs_f64() * 1000.0);
    }
    println!(
        "generation: {out_tokens} tokens, {:.1} tok/s; time to first token {:.0} ms for a {}-token prompt",
        median(gen_rate),
        median(short_ttft),
        run(&gw, request(SHORT_PROMPT, 1)).await.usage.input_tokens
    );

    let mut json_rate = Vec::new();
    for seed in 0..runs {
        let mut req = request("Describe a city as JSON.", 128);
        req.seed = Some(seed as i64);
        req.temperature = Some(0.8);
        req.response_format = Some(ResponseFormat::JsonObject);
        let r = run(&gw, req).await;
        let decode = (r.total - r.ttft).as_secs_f64();
        json_rate.push(f64::from(r.usage.output_tokens.saturating_sub(1)) / decode);
    }
    println!(
        "generation under a JSON grammar: {:.1} tok/s",
        median(json_rate)
    );
    let (_, peak) = rss_mib();
    println!("RSS peak with one sequence: {peak:.1} MiB");
    drop(gw);

    // Concurrent streams: N sequences of 1 thread each, N streams at once.
    for n in [1u32, 2, 4] {
        let gw = gateway(&model, n, (threads / n).max(1));
        run(&gw, request(SHORT_PROMPT, 8)).await;
        let mut aggregate = Vec::new();
        let mut slowest = Vec::new();
        for _ in 0..runs.min(3) {
            let started = Instant::now();
            let streams: Vec<_> = (0..n)
                .map(|_| {
                    let gw = gw.clone();
                    tokio::spawn(async move { run(&gw, request(SHORT_PROMPT, 128)).await })
                })
                .collect();
            let mut tokens = 0;
            let mut worst: f64 = f64::MAX;
            for s in streams {
                let r = s.await.expect("the stream task ends");
                tokens += r.usage.output_tokens;
                let decode = (r.total - r.ttft).as_secs_f64();
                worst = worst.min(f64::from(r.usage.output_tokens.saturating_sub(1)) / decode);
            }
            aggregate.push(f64::from(tokens) / started.elapsed().as_secs_f64());
            slowest.push(worst);
        }
        let (_, peak) = rss_mib();
        println!(
            "{n} concurrent streams ({n} sequences × {} threads): {:.1} tok/s together, slowest stream {:.1} tok/s; RSS peak {peak:.1} MiB",
            (threads / n).max(1),
            median(aggregate),
            median(slowest)
        );
    }
}
