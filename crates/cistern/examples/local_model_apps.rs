//! What the apps do on the built-in local model (issue 22): each prompt of a fixed set run once
//! through the real server on the real model, and the outcome counted — ready or failed, why,
//! how many files parse, how long it took. The figures docs/llm-gateway.md quotes.
//!
//! ```text
//! cargo build --release -p cistern --features local-model --example local_model_apps
//! target/release/examples/local_model_apps [--model PATH] [--context 4096] [--threads 2] [--apps codegen,extensions,agent]
//! ```
//!
//! `--model` defaults to `target/models/smollm2-135m-instruct-q4_1.gguf` (`scripts/fetch-model.sh
//! target/models`). One request at a time, the model on `--threads` threads (default: the
//! cores). The prompts are plain requests of the kinds each app's page offers, not chosen to
//! suit the model.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use support::{Bench, Client};

const CODEGEN: &[(&str, &str)] = &[
    (
        "python-cli",
        "A command-line program that prints the sum of the numbers given as arguments.",
    ),
    (
        "python-cli",
        "A script that counts the words in a text file and prints the ten most common.",
    ),
    (
        "plain-web",
        "A web page with a button that counts how many times it was clicked.",
    ),
    (
        "fastapi",
        "A REST API with a /health route and a /items route that lists items from memory.",
    ),
    (
        "express",
        "An Express server with a GET /time route that returns the current time as JSON.",
    ),
    (
        "rust-cli",
        "A command-line program that reverses each line read from standard input.",
    ),
];

const EXTENSIONS: &[&str] = &[
    "Show the number of open tabs in the toolbar badge.",
    "A popup with a button that turns the current page's background yellow.",
    "Count the words on the current page and show the number in the popup.",
];

/// The coding agent's tasks: a mode and a prompt, on a two-file Python workspace (`calc.py`
/// parses; `broken.py` lacks a colon, for `lint_fix`).
const AGENT: &[(&str, &str)] = &[
    ("explain", "What does calc.py do?"),
    (
        "patch",
        "Rename the function add to add_numbers in calc.py.",
    ),
    ("patch", "Add a docstring to each function in calc.py."),
    ("lint_fix", ""),
];
const CALC_PY: &str = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n";
const BROKEN_PY: &str = "def greet(name)\n    return 'hi ' + name\n";

/// Polls the job until it ends (at most 15 minutes: the model is slow, never unbounded).
async fn wait(client: &Client, job_id: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(900);
    while Instant::now() < deadline {
        let job = client
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/jobs/{job_id}"),
                None,
            )
            .await?;
        if matches!(
            job["status"].as_str(),
            Some("succeeded" | "failed" | "dead" | "cancelled")
        ) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    anyhow::bail!("job {job_id} still running after 15 minutes")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut model = PathBuf::from("target/models/smollm2-135m-instruct-q4_1.gguf");
    let (mut context, mut threads) = (4096u32, 0u32);
    let mut apps = String::from("codegen,extensions,agent");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--model", Some(p)) => model = PathBuf::from(p),
            ("--context", Some(n)) => context = n.parse().context("--context N")?,
            ("--threads", Some(n)) => threads = n.parse().context("--threads N")?,
            ("--apps", Some(list)) => apps = list,
            _ => {
                anyhow::bail!(
                    "usage: local_model_apps [--model PATH] [--context N] [--threads N] [--apps LIST]"
                )
            }
        }
    }
    anyhow::ensure!(
        model.is_file(),
        "no model at {}: run scripts/fetch-model.sh target/models",
        model.display()
    );
    let local = "local/smollm2-135m";
    let bench = Bench::start(move |c| {
        c.llm.local.model = Some(model);
        c.llm.local.context = context;
        c.llm.local.threads = threads;
        c.llm.local.sequences = 1;
        c.codegen.default_model = local.into();
        c.extensions.default_model = local.into();
        c.extensions.check_in_browser = false;
        c.agent.default_model = local.into();
    })
    .await?;
    let client = &bench.client;
    println!("local model, context {context}, one request at a time");

    let run = |app: &str| apps.split(',').any(|a| a.trim() == app);
    if run("codegen") {
        codegen(client).await?;
    }
    if run("extensions") {
        extensions(client).await?;
    }
    if run("agent") {
        agent(client).await?;
    }
    bench.stop().await
}

async fn codegen(client: &Client) -> anyhow::Result<()> {
    let mut ready = 0;
    for (framework, prompt) in CODEGEN {
        let started = Instant::now();
        let accepted = client
            .call(
                reqwest::Method::POST,
                "/api/v1/generate_code",
                Some(json!({"prompt": prompt, "framework": framework, "async": true, "cache": false})),
            )
            .await?;
        wait(client, accepted["job_id"].as_str().context("job_id")?).await?;
        let id = accepted["generation_id"]
            .as_str()
            .context("generation_id")?;
        let g = client
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/generations/{id}"),
                None,
            )
            .await?;
        let files = g["files"].as_array().map_or(&[][..], Vec::as_slice);
        let checked = files.iter().filter(|f| f["syntax"]["checked"] == true);
        let parse = checked
            .clone()
            .filter(|f| f["syntax"]["ok"] == true)
            .count();
        ready += usize::from(g["status"] == "ready");
        println!(
            "codegen {framework:<10} {:<6} {:<10} files {:>2}, checked {:>2}, parse {:>2}, repairs {}, out {:>4} tokens, {:>5.1} s",
            g["status"].as_str().unwrap_or("?"),
            g["error_kind"].as_str().unwrap_or("-"),
            files.len(),
            checked.count(),
            parse,
            g["repair_rounds"],
            g["usage"]["output_tokens"],
            started.elapsed().as_secs_f64()
        );
    }
    println!("codegen: {ready} of {} ready", CODEGEN.len());
    Ok(())
}

async fn extensions(client: &Client) -> anyhow::Result<()> {
    let mut ready = 0;
    for prompt in EXTENSIONS {
        let started = Instant::now();
        let accepted = client
            .call(
                reqwest::Method::POST,
                "/api/v1/extensions",
                Some(json!({ "prompt": prompt })),
            )
            .await?;
        wait(client, accepted["job_id"].as_str().context("job_id")?).await?;
        let id = accepted["extension_id"].as_str().context("extension_id")?;
        let v: Value = client
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/extensions/{id}/versions/seq-1"),
                None,
            )
            .await?;
        ready += usize::from(v["status"] == "ready");
        let why = v["error"].as_str().unwrap_or("-");
        println!(
            "extension {:<6} files {:>2}, findings {:>2}, {:>5.1} s — {}",
            v["status"].as_str().unwrap_or("?"),
            v["files"].as_array().map_or(0, Vec::len),
            v["report"]["findings"].as_array().map_or(0, Vec::len),
            started.elapsed().as_secs_f64(),
            why.chars().take(160).collect::<String>()
        );
    }
    println!("extensions: {ready} of {} ready", EXTENSIONS.len());
    Ok(())
}

async fn agent(client: &Client) -> anyhow::Result<()> {
    let mut done = 0;
    for (mode, prompt) in AGENT {
        let ws = client
            .call(
                reqwest::Method::POST,
                "/api/v1/workspaces",
                Some(json!({"name": "local"})),
            )
            .await?;
        let ws = ws["id"].as_str().context("id")?;
        for (path, content) in [("calc.py", CALC_PY), ("broken.py", BROKEN_PY)] {
            client
                .call(
                    reqwest::Method::PUT,
                    &format!("/api/v1/workspaces/{ws}/files/{path}"),
                    Some(json!({ "content": content })),
                )
                .await?;
        }
        let started = Instant::now();
        let task = client
            .call(
                reqwest::Method::POST,
                "/api/v1/agent/tasks",
                Some(json!({"workspace_id": ws, "mode": mode, "prompt": prompt, "files": ["calc.py"]})),
            )
            .await?;
        wait(client, task["job_id"].as_str().context("job_id")?).await?;
        let id = task["task_id"].as_str().context("task_id")?;
        let t = client
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/agent/tasks/{id}"),
                None,
            )
            .await?;
        done += usize::from(t["status"] == "done");
        let files: Vec<&str> = t["result"]["files_modified"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|f| f["path"].as_str())
            .collect();
        println!(
            "agent {mode:<8} {:<6} files {files:?}, calls {}, repairs {}, {} tokens, {:>5.1} s — {}",
            t["status"].as_str().unwrap_or("?"),
            t["metrics"]["rounds"],
            t["metrics"]["repair_rounds"],
            t["metrics"]["tokens"],
            started.elapsed().as_secs_f64(),
            t["error"]
                .as_str()
                .unwrap_or("-")
                .chars()
                .take(160)
                .collect::<String>()
        );
    }
    println!("agent: {done} of {} done", AGENT.len());
    Ok(())
}
