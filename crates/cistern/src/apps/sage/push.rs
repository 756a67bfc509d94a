//! `cistern logs push --server URL --project ID FILE|-`: sends a log file (plain or gzip) to a
//! project on a running server, gzipped on the way, in ingests of at most `--chunk-bytes`
//! split at line ends, with a progress bar on a terminal; with `-`, reads stdin until it closes
//! and sends what has arrived every `--every` seconds (`tail -f app.log | cistern logs push …`).
//! Each ingest's score is printed as it comes back.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use tokio::sync::mpsc;

/// What `cistern logs push` was asked.
#[derive(Debug, Clone)]
pub struct PushArgs {
    /// The server's base URL.
    pub server: String,
    /// API key (or access token).
    pub api_key: String,
    /// The Sage project.
    pub project: String,
    /// The log file (plain or gzip); `-` reads stdin continuously.
    pub file: PathBuf,
    /// Most bytes of log text per ingest.
    pub chunk_bytes: usize,
    /// With stdin: send what has arrived at least this often.
    pub every: Duration,
}

/// Lines from the reader thread: a line, or the end (with an error, if reading failed).
enum Read {
    Line(String),
    End(Option<std::io::Error>),
}

/// Pushes the file (or stdin) to the project; reports on `log` (stderr).
pub async fn push(args: &PushArgs, log: &mut (impl Write + Send)) -> anyhow::Result<()> {
    let base = args.server.trim_end_matches('/').to_owned();
    let url = format!("{base}/api/v1/sage/projects/{}/ingest", args.project);
    let client = reqwest::Client::new();
    let stdin = args.file.as_os_str() == "-";
    let size = if stdin {
        None
    } else {
        Some(
            std::fs::metadata(&args.file)
                .with_context(|| format!("cannot open {}", args.file.display()))?
                .len(),
        )
    };
    let bar = size
        .filter(|_| std::io::stderr().is_terminal())
        .map(|total| {
            ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{spinner} pushing [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            )
        });
    let (tx, mut rx) = mpsc::channel::<Read>(1_024);
    let file = args.file.clone();
    let reader = tokio::task::spawn_blocking(move || read_lines(&file, &tx));

    let mut batch = String::new();
    let mut sent = 0usize;
    let mut ingests = 0usize;
    let mut ticker = tokio::time::interval(args.every);
    ticker.tick().await;
    loop {
        let next = tokio::select! {
            line = rx.recv() => line,
            _ = ticker.tick(), if stdin => {
                if !batch.is_empty() {
                    ingests += 1;
                    send(&client, &url, &args.api_key, std::mem::take(&mut batch), ingests, log).await?;
                }
                continue;
            }
        };
        match next {
            Some(Read::Line(line)) => {
                if !batch.is_empty() && batch.len() + line.len() + 1 > args.chunk_bytes {
                    ingests += 1;
                    sent += batch.len();
                    send(
                        &client,
                        &url,
                        &args.api_key,
                        std::mem::take(&mut batch),
                        ingests,
                        log,
                    )
                    .await?;
                    if let Some(bar) = &bar {
                        bar.set_position(sent as u64);
                    }
                }
                batch.push_str(&line);
                batch.push('\n');
            }
            Some(Read::End(Some(e))) => {
                return Err(
                    anyhow::Error::new(e).context(format!("cannot read {}", args.file.display()))
                );
            }
            Some(Read::End(None)) | None => break,
        }
    }
    if !batch.trim().is_empty() {
        ingests += 1;
        send(&client, &url, &args.api_key, batch, ingests, log).await?;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    reader.await.context("the reader thread failed")?;
    if ingests == 0 {
        anyhow::bail!("{} holds no log line", args.file.display());
    }
    writeln!(
        log,
        "sent {ingests} ingest{}",
        if ingests == 1 { "" } else { "s" }
    )?;
    Ok(())
}

/// Reads the file (or stdin) line by line — gzip detected — into the channel.
fn read_lines(path: &std::path::Path, tx: &mpsc::Sender<Read>) {
    let opened: std::io::Result<Box<dyn std::io::Read>> = if path.as_os_str() == "-" {
        Ok(Box::new(std::io::stdin()))
    } else {
        std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn std::io::Read>)
    };
    let result = opened
        .and_then(cistern_logs::lines::maybe_gunzip)
        .and_then(|input| {
            let mut lines = cistern_logs::lines::LineReader::new(input);
            while let Some(line) = lines.next_line()? {
                if tx.blocking_send(Read::Line(line.to_owned())).is_err() {
                    break;
                }
            }
            Ok(())
        });
    // The receiver may be gone (an ingest failed): nothing left to tell it.
    if tx.blocking_send(Read::End(result.err())).is_err() {
        tracing::debug!("the push stopped before the reader");
    }
}

/// Sends one batch, gzipped; prints its score, or fails with the server's error.
async fn send(
    client: &reqwest::Client,
    url: &str,
    api_key: &str,
    text: String,
    n: usize,
    log: &mut (impl Write + Send),
) -> anyhow::Result<()> {
    let body = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text.as_bytes())?;
        e.finish()
    })
    .await
    .context("compressing failed")??;
    let response = client
        .post(url)
        .bearer_auth(api_key)
        .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(reqwest::header::CONTENT_ENCODING, "gzip")
        .body(body)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        anyhow::bail!(
            "ingest {n}: {} {}",
            status.as_u16(),
            answer["error"]["message"].as_str().unwrap_or("failed")
        );
    }
    let labels: Vec<&str> = answer["labels"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    writeln!(
        log,
        "ingest {n}: {} lines, score {}{}",
        answer["ingest"]["lines"],
        answer["score"],
        if labels.is_empty() {
            String::new()
        } else {
            format!(" ({})", labels.join(", "))
        }
    )?;
    Ok(())
}
