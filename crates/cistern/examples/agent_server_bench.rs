//! The coding agent's figures through the real server (issue 17): the server's overhead per
//! task, everything but the model; an accept; and a snapshot of a 500-file workspace (time,
//! and the bytes written when one file changed).
//!
//! `cargo run --release -p cistern --example agent_server_bench -- [--tasks 50] [--files 500] [--snapshots 20]`
//!
//! Boots the application (SQLite and local blobs in a temp dir, rate limits off) with the
//! wire-level fake provider on 127.0.0.1 answering at once.
//!
//! 1. **Task overhead**: a workspace of `--files` files (a 300-line `app.py` among them);
//!    `--tasks` patch tasks one at a time, each scripted as a real agent runs: `read_file`,
//!    `propose_edits` (a SEARCH/REPLACE near the end of the file), `finish`. Per task: the wall
//!    time from `POST /api/v1/agent/tasks` to the task read back done (the job's event stream
//!    followed to its end), the three model calls' latencies as the call log recorded them,
//!    and their difference — the server's own work: admission, the job, the base, three tool
//!    rounds through the gateway, the engine, syntax checks, the proposal's blobs and diff.
//! 2. **Accept**: the whole proposal accepted (snapshot before, tree write, snapshot after).
//! 3. **Snapshot**: `--snapshots` snapshots of the `--files`-file workspace, then one file
//!    changed and a snapshot taken; the bytes the blob store gained (only the new content's).
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod support;

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use cistern_llm_fake::Reply;
use serde_json::{Value, json};
use support::{Bench, percentile, sorted};

fn quantiles(what: &str, values: &[f64]) {
    let v = sorted(values);
    println!(
        "  {what:<48} median {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms",
        percentile(&v, 0.5),
        percentile(&v, 0.95),
        percentile(&v, 0.99)
    );
}

/// A 300-line Python module: `f0` … `f99`, three lines each.
fn app_py() -> String {
    (0..100)
        .map(|i| format!("def f{i}(x):\n    return x + {i}\n\n"))
        .collect()
}

/// Bytes under `dir`, recursively.
fn bytes_under(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => bytes_under(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (mut tasks, mut files, mut snapshots) = (50usize, 500usize, 20usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--tasks", Some(n)) => tasks = n.parse().context("--tasks N")?,
            ("--files", Some(n)) => files = n.parse().context("--files N")?,
            ("--snapshots", Some(n)) => snapshots = n.parse().context("--snapshots N")?,
            _ => anyhow::bail!("usage: agent_server_bench [--tasks N] [--files N] [--snapshots N]"),
        }
    }
    anyhow::ensure!(
        tasks > 0 && files > 0 && snapshots > 0,
        "counts must be positive"
    );
    let bench = Bench::start(|config| {
        config.agent.default_model = "fast".into();
        config.agent.max_active_tasks_per_user = 1_000;
    })
    .await?;
    let (client, fake) = (&bench.client, &bench.fake);
    let post = |path: String, body: Value| async move {
        client.call(reqwest::Method::POST, &path, Some(body)).await
    };

    let ws = post("/api/v1/workspaces".into(), json!({"name": "bench"})).await?;
    let ws = ws["id"].as_str().context("id")?.to_owned();
    let put = |path: String, content: String| {
        let url = format!("/api/v1/workspaces/{ws}/files/{path}");
        async move {
            client
                .call(
                    reqwest::Method::PUT,
                    &url,
                    Some(json!({ "content": content })),
                )
                .await
        }
    };
    let module = app_py();
    put("app.py".into(), module.clone()).await?;
    for i in 1..files {
        let content = format!("# module {i}\n{}", "VALUE = 1\n".repeat(200));
        put(format!("pkg/m{i:04}.py"), content).await?;
    }
    let blobs = bench.data_dir().join("blobs").join("agent").join(&ws);

    // 1 and 2: tasks and accepts. Each task edits the line it accepted last time.
    let (mut wall, mut accepts) = (Vec::new(), Vec::new());
    let mut current = module.clone();
    for n in 0..tasks {
        let old = format!("    return x + 99{}", "0".repeat(n));
        let new = format!("    return x + 99{}", "0".repeat(n + 1));
        let edits = format!("app.py\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE\n");
        fake.enqueue(Reply::tool_call(
            "read_file",
            r#"{"path": "app.py", "start_line": 280}"#,
        ));
        fake.enqueue(Reply::tool_call(
            "propose_edits",
            json!({ "edits": edits }).to_string(),
        ));
        fake.enqueue(Reply::tool_call(
            "finish",
            r#"{"explanation": "Changed f99."}"#,
        ));
        let started = Instant::now();
        let task = post(
            "/api/v1/agent/tasks".into(),
            json!({"workspace_id": ws, "prompt": "change f99", "mode": "patch"}),
        )
        .await?;
        let task_id = task["task_id"].as_str().context("task_id")?.to_owned();
        client
            .wait(task["job_id"].as_str().context("job_id")?)
            .await?;
        let done = client
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/agent/tasks/{task_id}"),
                None,
            )
            .await?;
        wall.push(started.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(done["status"] == "done", "{done}");
        let started = Instant::now();
        post(format!("/api/v1/agent/tasks/{task_id}/accept"), json!({})).await?;
        accepts.push(started.elapsed().as_secs_f64() * 1e3);
        current = current.replace(&old, &new);
    }
    let model = client.call_latencies(tasks * 3).await?;
    let per_task: Vec<f64> = model.chunks(3).map(|c| c.iter().sum()).collect();
    let overhead: Vec<f64> = wall.iter().zip(&per_task).map(|(w, m)| w - m).collect();
    let after = client
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/workspaces/{ws}/files/app.py"),
            None,
        )
        .await?;
    anyhow::ensure!(after["content"] == current.as_str(), "the accepts landed");
    println!(
        "{tasks} patch tasks, one at a time, on a {files}-file workspace (read_file → propose_edits → finish):"
    );
    quantiles("wall (POST → done, events followed)", &wall);
    quantiles("3 model calls (call log, whole ms)", &per_task);
    quantiles("overhead = wall − model calls (goal < 20 ms)", &overhead);
    quantiles("accept (snapshot, write, snapshot)", &accepts);

    // 3: snapshots of the whole tree, then one file changed.
    let mut times = Vec::new();
    for i in 0..snapshots {
        let started = Instant::now();
        post(
            format!("/api/v1/workspaces/{ws}/snapshots"),
            json!({"message": format!("bench {i}")}),
        )
        .await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let before = bytes_under(&blobs);
    let changed = format!("# module 1, changed\n{}", "VALUE = 2\n".repeat(200));
    let changed_len = changed.len();
    put("pkg/m0001.py".into(), changed).await?;
    let started = Instant::now();
    post(
        format!("/api/v1/workspaces/{ws}/snapshots"),
        json!({"message": "one file changed"}),
    )
    .await?;
    let one = started.elapsed().as_secs_f64() * 1e3;
    let gained = bytes_under(&blobs) - before;
    println!("snapshot of the {files}-file workspace:");
    quantiles("snapshot (POST …/snapshots)", &times);
    println!(
        "  one file changed ({changed_len} bytes) then a snapshot: {one:.2} ms, blob store +{gained} bytes"
    );
    bench.stop().await
}
