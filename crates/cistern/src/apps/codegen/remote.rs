//! `cistern codegen generate "prompt" --server URL --api-key KEY`: an asynchronous
//! `POST /api/v1/generate_code`, the job's events followed (a progress line on a terminal),
//! then the project written from its ZIP, or the ZIP saved and its path printed.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use cistern_llm::SseDecoder;
use futures::StreamExt;
use serde_json::{Value, json};

/// What `cistern codegen generate` was asked.
#[derive(Debug, Clone)]
pub struct GenerateArgs {
    /// The server's base URL.
    pub server: String,
    /// API key (or access token).
    pub api_key: String,
    /// What to build.
    pub prompt: String,
    /// A framework name.
    pub framework: Option<String>,
    /// A gateway model.
    pub model: Option<String>,
    /// Where to write the files; `None` saves the ZIP in the current directory.
    pub out: Option<PathBuf>,
}

/// Runs a generation on the server and writes its result; reports on `log` (stderr).
pub async fn generate(args: &GenerateArgs, log: &mut impl Write) -> anyhow::Result<()> {
    let base = args.server.trim_end_matches('/');
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}/api/v1/generate_code"))
        .bearer_auth(&args.api_key)
        .json(&json!({"prompt": args.prompt, "framework": args.framework, "model": args.model, "async": true}))
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        anyhow::bail!("{}", error_line(status.as_u16(), &body));
    }
    // 200: a cache hit, already finished; 202: follow the job.
    let id = body["generation_id"]
        .as_str()
        .or_else(|| body["id"].as_str())
        .context("the server answered no generation id")?
        .to_owned();
    if let Some(job) = body["job_id"].as_str().filter(|_| status.as_u16() == 202) {
        follow(&client, base, &args.api_key, job, log).await?;
    } else {
        writeln!(log, "answered from the result cache")?;
    }
    let generation: Value = get(
        &client,
        &format!("{base}/api/v1/generations/{id}"),
        &args.api_key,
    )
    .await?
    .json()
    .await
    .context("the generation is not JSON")?;
    if generation["status"] != "ready" {
        anyhow::bail!(
            "the generation failed: {}",
            generation["error"].as_str().unwrap_or("no reason given")
        );
    }
    summarise(&generation, log)?;
    let zip = get(
        &client,
        &format!("{base}/api/v1/generations/{id}/download"),
        &args.api_key,
    )
    .await?
    .bytes()
    .await
    .context("the ZIP download broke off")?;
    match &args.out {
        Some(dir) => {
            let files = super::cli::unzip(&zip)?;
            super::cli::write_files(dir, &files)?;
            writeln!(log, "{} files written under {}", files.len(), dir.display())?;
        }
        None => {
            let path = Path::new(&format!("codegen-{id}.zip")).to_owned();
            std::fs::write(&path, &zip)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("{}", path.display());
        }
    }
    Ok(())
}

/// Follows the job's events until it ends; progress messages on one line on a terminal.
async fn follow(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    job: &str,
    log: &mut impl Write,
) -> anyhow::Result<()> {
    let terminal = std::io::stderr().is_terminal();
    let response = get(client, &format!("{base}/api/v1/jobs/{job}/events"), key).await?;
    let mut body = response.bytes_stream();
    let mut decoder = SseDecoder::default();
    let mut seen: Vec<(String, Value)> = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.context("the event stream broke off")?;
        let mut collect = |event: &str, data: &str| {
            seen.push((
                event.to_owned(),
                serde_json::from_str(data).unwrap_or(Value::Null),
            ));
            Ok(())
        };
        decoder
            .feed(&chunk, &mut collect)
            .context("the event stream is malformed")?;
        for (event, view) in seen.drain(..) {
            let message = view["data"]["message"].as_str().unwrap_or_default();
            match event.as_str() {
                "progress" if terminal => write!(log, "\r\x1b[K{message}")?,
                "progress" => writeln!(log, "{message}")?,
                "succeeded" | "failed" | "dead" | "cancelled" => {
                    if terminal {
                        write!(log, "\r\x1b[K")?;
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Files with their syntax status, and the warnings.
fn summarise(generation: &Value, log: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        log,
        "{} ({})",
        generation["framework"]["display_name"]
            .as_str()
            .unwrap_or("?"),
        generation["framework"]["name"].as_str().unwrap_or("?")
    )?;
    for file in generation["files"].as_array().into_iter().flatten() {
        let ok = file["syntax"]["ok"].as_bool().unwrap_or(true);
        let first = file["syntax"]["errors"][0]["message"]
            .as_str()
            .unwrap_or("");
        writeln!(
            log,
            "  {} {}{}",
            if ok { "ok " } else { "ERR" },
            file["path"].as_str().unwrap_or("?"),
            if ok {
                String::new()
            } else {
                format!("  ({first})")
            }
        )?;
    }
    for warning in generation["warnings"].as_array().into_iter().flatten() {
        writeln!(log, "  note: {}", warning["message"].as_str().unwrap_or(""))?;
    }
    Ok(())
}

async fn get(client: &reqwest::Client, url: &str, key: &str) -> anyhow::Result<reqwest::Response> {
    let response = client
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    if !status.is_success() {
        let body: Value = response.json().await.unwrap_or(Value::Null);
        anyhow::bail!("{}", error_line(status.as_u16(), &body));
    }
    Ok(response)
}

/// An error envelope as one line.
fn error_line(status: u16, body: &Value) -> String {
    match body["error"]["message"].as_str() {
        Some(message) => format!("{message} (HTTP {status})"),
        None => format!("HTTP {status}"),
    }
}
