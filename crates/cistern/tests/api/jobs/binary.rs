//! Through the `cistern` binary: an acknowledged enqueue survives a SIGKILL of the server a moment
//! later, the `[jobs]` section is checked like the rest of the config, and `cistern worker` stops
//! gracefully on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::binary::cistern;
use crate::helpers::PASSWORD;

/// Spawns `cistern <role> --data-dir <dir> [--port 0]` and waits for its ready line; returns the
/// child and the line.
async fn spawn(role: &str, dir: &Path) -> (Child, String) {
    let mut command = cistern();
    command.arg(role).arg("--data-dir").arg(dir);
    if role == "serve" {
        command.args(["--port", "0"]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cistern");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(Duration::from_secs(30), line)
        .await
        .expect("ready within 30 s")
        .expect("join")
        .expect("read");
    (child, line.trim().to_owned())
}

fn url_of(line: &str) -> String {
    line.strip_prefix("cistern listening on ")
        .expect("the ready line")
        .to_owned()
}

async fn token(client: &reqwest::Client, url: &str, path: &str) -> String {
    let body = json!({ "email": "durable@example.com", "password": PASSWORD });
    let answer: Value = client
        .post(format!("{url}{path}"))
        .json(&body)
        .send()
        .await
        .expect("auth")
        .json()
        .await
        .expect("json");
    answer["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

fn signal(child: &Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

async fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            return exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "exits within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_acknowledged_enqueue_survives_a_sigkill_right_after_the_answer() {
    let data = tempfile::tempdir().expect("temp dir");
    let client = reqwest::Client::new();
    let (mut server, line) = spawn("serve", data.path()).await;
    let url = url_of(&line);
    let access = token(&client, &url, "/api/v1/auth/register").await;
    let mut sent = Vec::new();
    for i in 0..5 {
        let response = client
            .post(format!("{url}/api/v1/queues/orders/messages"))
            .bearer_auth(&access)
            .json(&json!({ "messages": [{ "body": { "order": i } }] }))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 201);
        let answer: Value = response.json().await.expect("json");
        sent.push(answer["ids"][0].as_str().expect("id").to_owned());
    }
    // The moment the last 2xx is in, the process dies without any chance to flush.
    signal(&server, "-KILL");
    wait_exit(&mut server).await;

    let (mut server, line) = spawn("serve", data.path()).await;
    let url = url_of(&line);
    let access = token(&client, &url, "/api/v1/auth/login").await;
    let answer: Value = client
        .post(format!("{url}/api/v1/queues/orders/lease"))
        .bearer_auth(&access)
        .json(&json!({ "batch_size": 100 }))
        .send()
        .await
        .expect("lease")
        .json()
        .await
        .expect("json");
    let leased: Vec<&str> = answer["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        leased, sent,
        "every acknowledged message survived, in order"
    );
    signal(&server, "-TERM");
    assert!(wait_exit(&mut server).await.success());
}

#[tokio::test]
async fn cistern_worker_runs_until_sigterm_and_exits_cleanly() {
    let data = tempfile::tempdir().expect("temp dir");
    let (mut worker, line) = spawn("worker", data.path()).await;
    assert!(
        line.starts_with("cistern worker running: queues agent×4, default×8"),
        "{line}"
    );
    assert!(
        data.path().join("cistern.db").is_file(),
        "it opened the shared store"
    );
    signal(&worker, "-TERM");
    let exit = wait_exit(&mut worker).await;
    assert!(exit.success(), "graceful stop exits 0: {exit:?}");
}

#[test]
fn the_jobs_section_is_checked_like_the_rest() {
    let check = |env: &[(&str, &str)]| {
        let mut command = cistern();
        command.args(["config", "check"]);
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().expect("config check");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = check(&[
        ("CISTERN_JOBS__BACKEND", "nats"),
        ("CISTERN_JOBS__NATS__URL", "nats://user:pw@nats:4222"),
        ("CISTERN_JOBS__QUEUES__EXTENSIONS", "2"),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("[jobs]") && out.contains("backend = \"nats\""),
        "{out}"
    );
    assert!(
        out.contains("extensions = 2") && out.contains("default = 8"),
        "{out}"
    );
    assert!(!out.contains("user:pw"), "the NATS URL is masked: {out}");
    let (ok, _, err) = check(&[("CISTERN_JOBS__WORKERS", "4")]);
    assert!(!ok && err.contains("workers"), "unknown key named: {err}");
    let (ok, _, err) = check(&[("CISTERN_JOBS__BACKEND", "redis")]);
    assert!(!ok && err.contains("redis"), "{err}");
    let (ok, _, err) = check(&[("CISTERN_JOBS__HEARTBEAT_SECS", "60")]);
    assert!(!ok && err.contains("jobs.heartbeat_secs"), "{err}");
    let (ok, _, err) = check(&[("CISTERN_JOBS__QUEUES__BAD.NAME", "1")]);
    assert!(!ok, "{err}");
}
