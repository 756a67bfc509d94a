//! The scoring service and its one interface: in process and over HTTP give the same answer;
//! `cistern scorer` rejects bad keys, oversized and malformed bodies with clear 4xx; the `logs`
//! CLI parses and scores files.

use std::io::Write;

use cistern::apps::sage::service::ScorerService;
use cistern::apps::sage::{Error, ScoreRequest, Scorer};
use cistern::config::{Config, Secret};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::binary::cistern;
use crate::helpers::assert_error;

pub(crate) const KEY: &str = "scorer-test-key-0123456789";

/// Two minutes of a service whose database starts refusing connections half-way.
fn incident_log() -> String {
    let mut log = String::new();
    for i in 0..120 {
        let (m, s) = (i / 60, i % 60);
        log.push_str(&format!(
            "2024-05-01 12:{m:02}:{s:02},120 INFO  [http-nio-8080-exec-{}] api.Handler - GET /orders/{} answered 200 in {} ms\n",
            i % 8,
            1000 + i,
            20 + i % 7
        ));
        if i >= 60 {
            log.push_str(&format!(
                "2024-05-01 12:{m:02}:{s:02},500 ERROR [pool-2-thread-{}] db.Pool - connection to 10.0.0.{}:5432 refused\n",
                i % 4,
                i % 3
            ));
        }
    }
    log
}

fn request(logs: String) -> ScoreRequest {
    let mut metadata = serde_json::Map::new();
    metadata.insert("host".into(), json!("web-1"));
    ScoreRequest {
        project_id: "shop".into(),
        logs,
        metadata,
        ..ScoreRequest::default()
    }
}

pub(crate) struct Running {
    pub(crate) url: String,
    pub(crate) stop: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

pub(crate) async fn start_scorer(tweak: impl FnOnce(&mut Config)) -> Running {
    let mut config = Config::default();
    config.scorer.port = 0;
    config.scorer.api_key = Secret::new(KEY);
    tweak(&mut config);
    let service = ScorerService::build(&config).await.expect("scorer builds");
    let url = format!("http://{}", service.local_addr().expect("addr"));
    let stop = CancellationToken::new();
    let task = tokio::spawn(service.run_until_stopped(stop.clone()));
    Running { url, stop, task }
}

fn remote(url: &str, key: &str) -> Scorer {
    let mut config = Config::default().scorer;
    config.url = url.to_owned();
    config.api_key = Secret::new(key);
    Scorer::from_config(&config).expect("remote scorer")
}

#[tokio::test]
async fn in_process_and_remote_scoring_give_the_same_answer() {
    let service = start_scorer(|_| {}).await;
    let local = Scorer::InProcess
        .score(request(incident_log()))
        .await
        .expect("in process");
    let over_http = remote(&service.url, KEY)
        .score(request(incident_log()))
        .await
        .expect("over HTTP");
    assert_eq!(local.project_id, "shop");
    assert_eq!(local.metadata["host"], "web-1");
    assert!(
        local.report.score >= 40,
        "an error burst is a risk: {local:?}"
    );
    assert!(
        local
            .report
            .labels
            .iter()
            .any(|l| matches!(l, cistern_logs::Label::HighErrorRate)),
        "{:?}",
        local.report.labels
    );
    assert!(
        local
            .report
            .templates
            .iter()
            .any(|t| t.template.contains("refused")),
        "{:?}",
        local.report.templates
    );
    let mut over_http = over_http;
    over_http
        .report
        .timestamp
        .clone_from(&local.report.timestamp);
    assert_eq!(local, over_http);
    assert_eq!(local.learned, None, "only when asked");

    // Asked, both paths answer what the project learns, alike.
    let learning = || ScoreRequest {
        learn: true,
        ..request(incident_log())
    };
    let local = Scorer::InProcess
        .score(learning())
        .await
        .expect("in process");
    let mut over_http = remote(&service.url, KEY)
        .score(learning())
        .await
        .expect("over HTTP");
    over_http
        .report
        .timestamp
        .clone_from(&local.report.timestamp);
    assert_eq!(local, over_http);
    let learned = local.learned.expect("learned");
    assert_eq!(learned.baseline.ingests, 1);
    assert!(learned.baseline.error_rate > 0.0, "{:?}", learned.baseline);
    let refused = learned
        .templates
        .iter()
        .find(|t| t.template.contains("refused"))
        .expect("the error template");
    assert_eq!(refused.records, 60);
    assert!(
        refused.example.contains("connection to 10.0.0."),
        "{refused:?}"
    );
    assert!(learned.start_ms.is_some() && learned.start_ms < learned.end_ms);
    service.stop.cancel();
    service.task.await.expect("join").expect("clean shutdown");
}

#[tokio::test]
async fn both_paths_refuse_invalid_requests_alike() {
    let service = start_scorer(|_| {}).await;
    for scorer in [Scorer::InProcess, remote(&service.url, KEY)] {
        let mut blank = request("  \n".into());
        blank.project_id = "p".into();
        let err = scorer.score(blank).await.expect_err("blank logs");
        assert!(
            matches!(&err, Error::Invalid { field: "logs", .. }),
            "{scorer:?}: {err:?}"
        );
        let no_project = request(incident_log());
        let no_project = ScoreRequest {
            project_id: String::new(),
            ..no_project
        };
        let err = scorer.score(no_project).await.expect_err("no project");
        assert!(
            matches!(
                &err,
                Error::Invalid {
                    field: "project_id",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    let err = remote(&service.url, "not-the-key-at-all")
        .score(request(incident_log()))
        .await
        .expect_err("wrong key");
    assert!(matches!(err, Error::Refused { status: 401, .. }), "{err:?}");
    service.stop.cancel();
    service.task.await.expect("join").expect("clean shutdown");
}

#[tokio::test]
async fn the_service_answers_bad_keys_oversized_and_malformed_bodies_with_clear_4xx() {
    let service = start_scorer(|c| c.scorer.max_request_bytes = 64 * 1024).await;
    let client = reqwest::Client::new();
    let url = format!("{}/score", service.url);
    let body = json!({"project_id": "shop", "logs": incident_log()});
    let post = |key: Option<&str>| {
        let mut r = client.post(&url);
        if let Some(key) = key {
            r = r.bearer_auth(key);
        }
        r
    };
    let missing = post(None).json(&body).send().await.expect("send");
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_error(missing, 401, "unauthorized").await;
    // A wrong key is refused before the body is even looked at.
    let wrong = post(Some("nope"))
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_error(wrong, 401, "unauthorized").await;
    let ok = post(Some(KEY)).json(&body).send().await.expect("send");
    assert_eq!(ok.status(), StatusCode::OK);
    let answer: Value = ok.json().await.expect("json");
    for field in ["score", "labels", "factors", "templates", "timestamp"] {
        assert!(answer.get(field).is_some(), "{field} in {answer}");
    }
    let huge = json!({"project_id": "shop", "logs": "x".repeat(100 * 1024)});
    let message = assert_error(
        post(Some(KEY)).json(&huge).send().await.expect("send"),
        413,
        "payload_too_large",
    )
    .await;
    assert!(message.contains("larger"), "{message}");
    let malformed = post(Some(KEY))
        .header("content-type", "application/json")
        .body("{\"project_id\": ")
        .send()
        .await
        .expect("send");
    assert_error(malformed, 400, "invalid_json").await;
    let wrong_shape = post(Some(KEY))
        .json(&json!({"project_id": "shop", "logs": 42}))
        .send()
        .await
        .expect("send");
    let message = assert_error(wrong_shape, 422, "invalid_body").await;
    assert!(message.contains("logs"), "{message}");
    let unknown_field = post(Some(KEY))
        .json(&json!({"project_id": "shop", "logs": "a", "lgos": "b"}))
        .send()
        .await
        .expect("send");
    assert_error(unknown_field, 422, "invalid_body").await;
    let blank = post(Some(KEY))
        .json(&json!({"project_id": "shop", "logs": " "}))
        .send()
        .await
        .expect("send");
    let message = assert_error(blank, 422, "invalid_input").await;
    assert!(message.contains("logs"), "{message}");
    let text = post(Some(KEY)).body("logs").send().await.expect("send");
    assert_error(text, 415, "unsupported_media_type").await;

    let health: Value = client
        .get(format!("{}/health", service.url))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    let metrics = client
        .get(format!("{}/metrics", service.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("route=\"/score\"") && metrics.contains("status=\"413\""),
        "{metrics}"
    );
    service.stop.cancel();
    service.task.await.expect("join").expect("clean shutdown");
}

#[tokio::test]
async fn the_service_will_not_start_without_a_real_key() {
    let mut config = Config::default();
    config.scorer.port = 0;
    config.scorer.api_key = Secret::new("short");
    let err = ScorerService::build(&config).await.err().expect("refused");
    assert!(err.to_string().contains("scorer.api_key"), "{err}");
}

#[test]
fn logs_parse_writes_the_evaluation_csv_json_and_a_table() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("app.log");
    let mut file = std::fs::File::create(&path).expect("create");
    file.write_all(incident_log().as_bytes()).expect("write");
    let run = |args: &[&str]| {
        let out = cistern()
            .args(args)
            .arg(&path)
            .output()
            .expect("run cistern");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let csv = run(&["logs", "parse", "--output", "csv"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "LineId,EventId,EventTemplate");
    assert_eq!(rows.len(), 1 + 180, "one row per input line");
    assert!(rows[1].starts_with("1,E"), "{}", rows[1]);
    let json: Value =
        serde_json::from_str(&run(&["logs", "parse", "--output", "json"])).expect("json");
    assert_eq!(json["lines"], 180);
    let templates = json["templates"].as_array().expect("templates");
    assert_eq!(templates.len(), 2, "{templates:?}");
    let table = run(&["logs", "parse"]);
    assert!(
        table.starts_with("180 lines, 180 records, 2 templates"),
        "{table}"
    );
    assert!(table.contains("refused"), "{table}");
    let score: Value = serde_json::from_str(&run(&["logs", "score", "--json"])).expect("json");
    assert!(score["score"].as_u64().expect("score") >= 40, "{score}");
    let summary = run(&["logs", "score"]);
    assert!(
        summary.contains("risk score:") && summary.contains("High Error Rate"),
        "{summary}"
    );
    let missing = cistern()
        .args(["logs", "parse", "/nonexistent/file.log"])
        .output()
        .expect("run");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open"));
}

#[tokio::test]
async fn cistern_scorer_prints_its_address_scores_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = cistern()
        .args(["scorer", "--port", "0"])
        .env("CISTERN_SCORER__API_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cistern scorer");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(std::time::Duration::from_secs(30), line)
        .await
        .expect("ready within 30 s")
        .expect("join")
        .expect("read");
    let url = line
        .trim()
        .strip_prefix("cistern scorer listening on ")
        .expect("the ready line")
        .to_owned();
    let answer = remote(&url, KEY)
        .score(request(incident_log()))
        .await
        .expect("scored by the binary");
    assert!(answer.report.score >= 40);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut exit = None;
    for _ in 0..100 {
        if let Some(status) = child.try_wait().expect("wait") {
            exit = Some(status);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(exit.expect("stops within 10 s of SIGTERM").success());
}
