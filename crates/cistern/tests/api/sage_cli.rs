//! `cistern logs push`, run as the real binary against a server: a file in several ingests,
//! stdin continuously, and a clear failure for a project that is not the caller's.

use std::io::Write;
use std::process::{Output, Stdio};

use reqwest::Method;
use serde_json::json;

use crate::binary::cistern;
use crate::helpers::TestApp;

fn log_text(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            format!(
                "2024-05-01 12:{:02}:{:02},120 INFO  [http-1] api.Handler - GET /orders/{i} answered 200 in 21 ms\n",
                (i / 60) % 60,
                i % 60
            )
        })
        .collect()
}

/// Runs `cistern logs push` with `args`, feeding `stdin`.
async fn push(args: Vec<String>, stdin: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut child = cistern()
            .args(["logs", "push"])
            .args(&args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run cistern");
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("wait")
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn push_sends_a_file_in_ingests_and_stdin_as_it_arrives() {
    let app = TestApp::spawn().await;
    let s = app.register("sage-push@example.com").await;
    let p = app
        .call_json(
            Method::POST,
            "/api/v1/sage/projects",
            &s.access,
            Some(json!({"name": "pushed"})),
            201,
        )
        .await;
    let id = p["id"].as_str().expect("id").to_owned();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("app.log");
    std::fs::write(&file, log_text(300)).expect("write");
    let server = app.url("");
    let common = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = vec![
            "--server".into(),
            server.clone(),
            "--api-key".into(),
            s.access.clone(),
            "--project".into(),
            id.clone(),
        ];
        v.extend(extra.iter().map(|x| (*x).to_owned()));
        v
    };

    // 300 lines of ~95 bytes in ingests of at most 8 KiB: four of them.
    let mut args = common(&["--chunk-bytes", "8192"]);
    args.push(file.display().to_string());
    let out = push(args, None).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("ingest 1: 91 lines, score "), "{stderr}");
    assert!(stderr.contains("sent 4 ingests"), "{stderr}");
    let ingests = app
        .get_json(
            &format!("/api/v1/sage/projects/{id}/ingests?limit=100"),
            &s.access,
        )
        .await;
    let items = ingests["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    let lines: i64 = items.iter().filter_map(|i| i["lines"].as_i64()).sum();
    assert_eq!(lines, 300, "every line once");

    // stdin until it closes: one ingest.
    let out = push(common(&["-"]), Some(log_text(50))).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("sent 1 ingest"), "{stderr}");

    // Someone else's project: the server's 404, and a non-zero exit.
    let other = app.register("sage-push-other@example.com").await;
    let mut args = common(&[]);
    args[3] = other.access.clone();
    args.push(file.display().to_string());
    let out = push(args, None).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("404") && stderr.contains("no such project"),
        "{stderr}"
    );
    app.stop().await;
}
